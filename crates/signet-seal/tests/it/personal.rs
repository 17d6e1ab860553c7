use signet_seal::*;

use crate::support::{differing_share, png_of};

const FONTS: [PersonalFont; 4] =
    [PersonalFont::Kai, PersonalFont::FangSong, PersonalFont::HuawenKai, PersonalFont::Yahei];
const FORMS: [PersonalForm; 3] = [PersonalForm::Square, PersonalForm::Rectangle, PersonalForm::Borderless];
const COLORS: [InkColor; 3] = [InkColor::Red, InkColor::Blue, InkColor::Black];

#[test]
fn every_combination_renders_with_transparency_and_true_colour() {
    for font in FONTS {
        for form in FORMS {
            for border in [true, false] {
                for color in COLORS {
                    for masked in [false, true] {
                        for name in ["张", "张三", "李小龙", "欧阳娜娜", "爱新觉罗玄烨"] {
                            let spec =
                                PersonalSealSpec { font, form, border, color, masked, ..PersonalSealSpec::new(name) };
                            let seal = render_personal(&spec).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
                            let raster = seal.rasterize(100).unwrap();
                            let opaque = raster.alpha.iter().filter(|&&a| a == 255).count();
                            let clear = raster.alpha.iter().filter(|&&a| a == 0).count();
                            assert!(opaque > 50, "{spec:?}: no solid ink");
                            assert!(clear > raster.alpha.len() / 4, "{spec:?}: background not transparent");
                            let framed = border && form != PersonalForm::Borderless;
                            let (w, h) = (raster.width as usize, raster.height as usize);
                            let corner = raster.alpha[0].max(raster.alpha[w - 1]).max(raster.alpha[(h - 1) * w]);
                            if framed {
                                assert_eq!(corner, 255, "{spec:?}: frame corner missing");
                            } else {
                                assert_eq!(corner, 0, "{spec:?}: unframed corners must be transparent");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn ink_pixels_carry_the_requested_colour_and_the_png_its_physical_size() {
    for color in COLORS {
        let seal = render_personal(&PersonalSealSpec { color, ..PersonalSealSpec::new("王小明") }).unwrap();
        let png = png_of(&seal, 600);
        assert_eq!((png.width, png.height), (425, 425), "18 mm at 600 dpi");
        assert_eq!(png.pixels_per_metre, Some((23_622, 23_622)), "pHYs = 600 dpi");
        let mm = png.width as f64 / 23_622.0 * 1000.0;
        assert!((mm - f64::from(seal.width_mm())).abs() < 0.05, "{mm} mm");
        for y in 0..png.height {
            for x in 0..png.width {
                if png.alpha(x, y) > 0 {
                    assert_eq!(png.rgb(x, y), color.rgb());
                }
            }
        }
    }
}

#[test]
fn fonts_and_forms_give_different_images() {
    let masks: Vec<Vec<u8>> = FONTS
        .iter()
        .map(|&font| {
            render_personal(&PersonalSealSpec { font, ..PersonalSealSpec::new("欧阳娜娜") })
                .unwrap()
                .rasterize(200)
                .unwrap()
                .alpha
        })
        .collect();
    for i in 0..masks.len() {
        for j in i + 1..masks.len() {
            let share = differing_share(&masks[i], &masks[j]);
            assert!(share > 0.03, "{:?} vs {:?} differ on only {share}", FONTS[i], FONTS[j]);
        }
    }
    let sizes: Vec<(u32, u32, usize)> = FORMS
        .iter()
        .map(|&form| {
            let r = render_personal(&PersonalSealSpec { form, ..PersonalSealSpec::new("王小明") })
                .unwrap()
                .rasterize(200)
                .unwrap();
            (r.width, r.height, r.alpha.iter().filter(|&&a| a > 128).count())
        })
        .collect();
    assert_eq!(sizes[0].0, sizes[0].1, "square is square");
    assert!(sizes[1].0 > sizes[1].1 * 2, "rectangle is one long line: {sizes:?}");
    assert!(sizes[2].0 < sizes[1].0 && sizes[2].2 < sizes[1].2, "borderless has no frame: {sizes:?}");
}

/// Sum of coverage in each quadrant: [top-left, top-right, bottom-left, bottom-right].
fn quadrant_ink(alpha: &[u8], w: usize, h: usize) -> [u64; 4] {
    let mut q = [0u64; 4];
    for y in 0..h {
        for x in 0..w {
            let i = usize::from(y >= h / 2) * 2 + usize::from(x >= w / 2);
            q[i] += u64::from(alpha[y * w + x]);
        }
    }
    q
}

#[test]
fn square_reads_right_column_first_and_masks_all_but_the_first_character() {
    // Masked 王五六七 = 王＊＊＊: the only different quadrant must be the top-right one.
    let spec = PersonalSealSpec { masked: true, border: false, ..PersonalSealSpec::new("王五六七") };
    let r = render_personal(&spec).unwrap().rasterize(300).unwrap();
    let [tl, tr, bl, br] = quadrant_ink(&r.alpha, r.width as usize, r.height as usize);
    let stars = [tl, bl, br];
    let (lo, hi) = (stars.iter().min().unwrap(), stars.iter().max().unwrap());
    assert!((hi - lo) as f64 / (*hi as f64) < 0.02, "masked cells differ: {stars:?}");
    assert!(tr.abs_diff(*hi) as f64 / (*hi as f64) > 0.1, "王 not top-right: {tr} vs {stars:?}");

    // Masking equals rendering the masked text, and differs from the plain name.
    let masked = render_personal(&PersonalSealSpec { masked: true, ..PersonalSealSpec::new("张三丰") })
        .unwrap()
        .rasterize(200)
        .unwrap();
    let literal = render_personal(&PersonalSealSpec::new("张＊＊")).unwrap().rasterize(200).unwrap();
    let plain = render_personal(&PersonalSealSpec::new("张三丰")).unwrap().rasterize(200).unwrap();
    assert_eq!(masked.alpha, literal.alpha);
    assert!(differing_share(&masked.alpha, &plain.alpha) > 0.02);
    assert_eq!(mask_name(&['欧', '阳', '娜', '娜']), vec!['欧', MASK_CHAR, MASK_CHAR, MASK_CHAR]);
}

#[test]
fn two_characters_stand_in_two_tall_columns_right_to_left() {
    // 一 is a single flat stroke: in the right column it leaves the left half nearly empty.
    let r = render_personal(&PersonalSealSpec { border: false, ..PersonalSealSpec::new("一口") })
        .unwrap()
        .rasterize(300)
        .unwrap();
    let [tl, tr, bl, br] = quadrant_ink(&r.alpha, r.width as usize, r.height as usize);
    assert!(tl + bl > 2 * (tr + br), "口 (left column) should carry more ink than 一: {tl} {tr} {bl} {br}");
}

#[test]
fn suffixes_follow_the_rules() {
    let auto3 = render_personal(&PersonalSealSpec::new("李小龙")).unwrap().rasterize(150).unwrap();
    let yin = render_personal(&PersonalSealSpec { suffix: NameSuffix::None, ..PersonalSealSpec::new("李小龙印") })
        .unwrap()
        .rasterize(150)
        .unwrap();
    assert_eq!(auto3.alpha, yin.alpha, "3 characters get 印 by default");
    let zhiyin = render_personal(&PersonalSealSpec { suffix: NameSuffix::ZhiYin, ..PersonalSealSpec::new("李白") })
        .unwrap()
        .rasterize(150)
        .unwrap();
    let literal = render_personal(&PersonalSealSpec::new("李白之印")).unwrap().rasterize(150).unwrap();
    assert_eq!(zhiyin.alpha, literal.alpha);
}

#[test]
fn bad_names_are_errors_not_panics() {
    assert_eq!(render_personal(&PersonalSealSpec::new("  ")).unwrap_err(), SealError::EmptyText { field: "name" });
    assert!(matches!(
        render_personal(&PersonalSealSpec::new("张\n三")).unwrap_err(),
        SealError::ControlCharacter { codepoint: 0x0A, .. }
    ));
    assert!(matches!(
        render_personal(&PersonalSealSpec::new("一二三四五六七八九十一二三四五六七")).unwrap_err(),
        SealError::TextLength { count: 17, .. }
    ));
    assert!(matches!(
        render_personal(&PersonalSealSpec {
            suffix: NameSuffix::ZhiYin,
            ..PersonalSealSpec::new("一二三四五六七八九十一二三四五")
        })
        .unwrap_err(),
        SealError::TextLength { count: 17, .. }
    ));
    let seal = render_personal(&PersonalSealSpec::new("张三")).unwrap();
    assert!(matches!(seal.rasterize(10).unwrap_err(), SealError::OutOfRange { .. }));
    assert!(matches!(seal.rasterize(100_000).unwrap_err(), SealError::OutOfRange { .. }));
}

#[test]
fn spec_round_trips_through_json_with_defaults() {
    let spec: PersonalSealSpec =
        serde_json::from_str(r#"{"name":"张三","font":"huawen-kai","form":"rectangle"}"#).unwrap();
    assert_eq!(spec.font, PersonalFont::HuawenKai);
    assert!(spec.border && !spec.masked && spec.color == InkColor::Red);
    assert_eq!(PersonalFont::from_vendor_code("F2"), Some(PersonalFont::FangSong));
    assert_eq!(PersonalFont::from_vendor_code("F9"), None);
}

#[test]
fn long_names_on_a_line_are_narrowed_not_endless() {
    let short =
        render_personal(&PersonalSealSpec { form: PersonalForm::Rectangle, ..PersonalSealSpec::new("王小明") })
            .unwrap();
    let long = render_personal(&PersonalSealSpec {
        form: PersonalForm::Rectangle,
        ..PersonalSealSpec::new("阿依古丽·买买提")
    })
    .unwrap();
    assert!(short.width_mm() < 25.0, "{}", short.width_mm());
    assert!(long.width_mm() <= 40.0, "{}", long.width_mm());
    assert_eq!(long.height_mm(), short.height_mm());
}
