use signet_seal::*;

#[test]
fn every_bundled_face_parses_and_covers_common_text() {
    for face in FontFace::ALL {
        if !cfg!(feature = "fandol-fonts") && matches!(face, FontFace::FangSong | FontFace::ClassicKai) {
            assert!(!face.is_bundled());
            continue;
        }
        assert!(face.is_bundled(), "{face:?} is not bundled");
        for ch in "张王李赵刘陈合同专用章财务发票有限公司0123456789".chars() {
            assert!(face.has_char(ch), "{:?} lacks {ch}", face.source_family());
        }
    }
    let sum: usize = FontFace::ALL.iter().map(|f| f.data().len()).sum();
    assert_eq!(bundled_font_bytes(), sum);
    assert!(sum > 7_000_000, "CJK subsets are several MB, got {sum}");
}

#[test]
fn rare_name_characters_render_through_the_fallback_chain() {
    for font in [PersonalFont::Kai, PersonalFont::FangSong, PersonalFont::HuawenKai, PersonalFont::Yahei] {
        for ch in "喆堃犇淼昇㛃镕".chars() {
            let face = face_for_char(font.face(), ch).expect("rare char found");
            assert!(face.has_char(ch));
            let spec =
                PersonalSealSpec { font, form: PersonalForm::Borderless, ..PersonalSealSpec::new(ch.to_string()) };
            let raster = render_personal(&spec).unwrap().rasterize(150).unwrap();
            let ink = raster.alpha.iter().filter(|&&a| a > 128).count();
            assert!(ink > 200, "{ch} in {font:?} drew {ink} ink pixels");
        }
    }
    // FandolFang lacks 喆: it must come from another face, not from a .notdef box.
    assert!(!FontFace::FangSong.has_char('喆'));
    assert!(!cfg!(feature = "fandol-fonts") || FontFace::FangSong.has_char('张'));
    assert_ne!(face_for_char(FontFace::FangSong, '喆').unwrap(), FontFace::FangSong);
}

#[test]
fn a_character_no_font_has_is_a_named_error() {
    let err = render_personal(&PersonalSealSpec::new("张𪚥")).unwrap_err();
    assert_eq!(err, SealError::UnsupportedCharacter { ch: '𪚥' });
    let msg = err.to_string();
    assert!(msg.contains('𪚥') && msg.contains("U+2A6A5"), "{msg}");
    let err = render_company(&CompanySealSpec::new("某某\u{E000}公司")).unwrap_err();
    assert_eq!(err, SealError::UnsupportedCharacter { ch: '\u{E000}' });
}
