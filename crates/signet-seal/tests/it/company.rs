use signet_seal::*;

use crate::support::{differing_share, png_of};

fn spec(shape: CompanyShape, star: bool) -> CompanySealSpec {
    CompanySealSpec { shape, star, ..CompanySealSpec::new("杭州天谷信息科技有限公司") }
}

#[test]
fn every_combination_renders() {
    let bottoms: [(Option<&str>, Option<&str>); 3] =
        [(None, None), (Some("仅限合同使用"), None), (None, Some("3301060012345"))];
    for shape in [CompanyShape::Round, CompanyShape::Oval] {
        for star in [true, false] {
            for htext in [None, Some("合同专用章"), Some("电子合同签署专用章测试版")] {
                for (bottom_text, code) in bottoms {
                    for color in [InkColor::Red, InkColor::Blue, InkColor::Black] {
                        for name in ["测试", "杭州天谷信息科技有限公司", &"某".repeat(32)] {
                            let s = CompanySealSpec {
                                name: name.to_string(),
                                shape,
                                star,
                                horizontal_text: htext.map(str::to_string),
                                bottom_text: bottom_text.map(str::to_string),
                                code: code.map(str::to_string),
                                color,
                                ..CompanySealSpec::new("")
                            };
                            let r = render_company(&s).unwrap_or_else(|e| panic!("{s:?}: {e}")).rasterize(100).unwrap();
                            let w = r.width as usize;
                            let corners = [0, w - 1, r.alpha.len() - w, r.alpha.len() - 1];
                            assert!(corners.iter().all(|&i| r.alpha[i] == 0), "{s:?}: corners not transparent");
                            assert!(r.alpha.iter().filter(|&&a| a == 255).count() > 1000);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn true_size_and_colour() {
    let round = render_company(&spec(CompanyShape::Round, true)).unwrap();
    assert_eq!((round.width_mm(), round.height_mm()), (42.0, 42.0));
    let png = png_of(&round, 600);
    assert_eq!((png.width, png.height), (992, 992));
    assert_eq!(png.pixels_per_metre, Some((23_622, 23_622)));
    let oval = render_company(&spec(CompanyShape::Oval, true)).unwrap();
    assert_eq!((oval.width_mm(), oval.height_mm()), (40.0, 30.0));
    let png = png_of(&oval, 300);
    assert_eq!((png.width, png.height), (472, 354));
    assert_eq!(png.pixels_per_metre, Some((11_811, 11_811)));
    let blue = render_company(&CompanySealSpec { color: InkColor::Blue, ..spec(CompanyShape::Round, true) }).unwrap();
    let png = png_of(&blue, 150);
    for (i, p) in png.rgba.chunks_exact(4).enumerate() {
        if p[3] > 0 {
            assert_eq!([p[0], p[1], p[2]], InkColor::Blue.rgb(), "pixel {i}");
        }
    }
    let small = render_company(&CompanySealSpec { size_mm: Some(38.0), ..spec(CompanyShape::Round, true) }).unwrap();
    assert_eq!(small.width_mm(), 38.0);
}

/// Pixel centre in millimetres relative to the seal centre.
fn rel_mm(x: usize, y: usize, w: usize, h: usize, px_per_mm: f32) -> (f32, f32) {
    ((x as f32 + 0.5 - w as f32 / 2.0) / px_per_mm, (y as f32 + 0.5 - h as f32 / 2.0) / px_per_mm)
}

#[test]
fn no_ink_outside_the_border_and_text_keeps_clear_of_it() {
    let dpi = 400;
    let px_per_mm = dpi as f32 / 25.4;
    for (shape, a, b, border) in
        [(CompanyShape::Round, 21.0f32, 21.0f32, 1.2f32), (CompanyShape::Oval, 20.0, 15.0, 1.0)]
    {
        for name in ["杭州天谷信息科技有限公司", &"国".repeat(32), "测试"] {
            let s = CompanySealSpec {
                name: name.into(),
                shape,
                horizontal_text: Some("合同专用章".into()),
                code: Some("1234567890123".into()),
                ..CompanySealSpec::new("")
            };
            let r = render_company(&s).unwrap().rasterize(dpi).unwrap();
            let (w, h) = (r.width as usize, r.height as usize);
            let one_px = 1.0 / px_per_mm;
            for y in 0..h {
                for x in 0..w {
                    let alpha = r.alpha[y * w + x];
                    if alpha == 0 {
                        continue;
                    }
                    let (dx, dy) = rel_mm(x, y, w, h, px_per_mm);
                    // Normalised radius against the outer edge, and against a band 0.3 mm inside the inner edge.
                    let outer = ((dx / (a + one_px)).powi(2) + (dy / (b + one_px)).powi(2)).sqrt();
                    assert!(outer <= 1.0, "{shape:?} {name}: ink outside the ring at ({dx:.2}, {dy:.2})");
                    let (ia, ib) = (a - border - one_px, b - border - one_px);
                    let inner = ((dx / ia).powi(2) + (dy / ib).powi(2)).sqrt();
                    let (ca, cb) = (ia - 0.3, ib - 0.3);
                    let clear = ((dx / ca).powi(2) + (dy / cb).powi(2)).sqrt();
                    assert!(
                        !(inner < 1.0 && clear > 1.0 && alpha > 32),
                        "{shape:?} {name}: text touches the border at ({dx:.2}, {dy:.2})"
                    );
                }
            }
        }
    }
}

#[test]
fn the_star_is_centred_and_fourteen_millimetres_across() {
    let dpi = 600;
    let px_per_mm = dpi as f32 / 25.4;
    for shape in [CompanyShape::Round, CompanyShape::Oval] {
        let with = render_company(&spec(shape, true)).unwrap().rasterize(dpi).unwrap();
        let without = render_company(&spec(shape, false)).unwrap().rasterize(dpi).unwrap();
        let (w, h) = (with.width as usize, with.height as usize);
        let (mut sx, mut sy, mut n) = (0.0f64, 0.0f64, 0.0f64);
        let (mut x0, mut x1, mut y0, mut y1) = (usize::MAX, 0, usize::MAX, 0);
        for y in 0..h {
            for x in 0..w {
                let d = f64::from(with.alpha[y * w + x].saturating_sub(without.alpha[y * w + x]));
                if d > 0.0 {
                    sx += d * (x as f64 + 0.5);
                    sy += d * (y as f64 + 0.5);
                    n += d;
                }
                if d > 127.0 {
                    x0 = x0.min(x);
                    x1 = x1.max(x);
                    y0 = y0.min(y);
                    y1 = y1.max(y);
                }
            }
        }
        let (cx, cy) = (sx / n, sy / n);
        assert!((cx - w as f64 / 2.0).abs() < 1.0, "{shape:?}: star x centre {cx} of {w}");
        assert!((cy - h as f64 / 2.0).abs() < 1.0, "{shape:?}: star y centre {cy} of {h}");
        // A regular star of circumradius r is 2r·sin 72° wide.
        let r = if shape == CompanyShape::Round { 7.0f32 } else { 4.8 };
        let want = 2.0 * r * 72f32.to_radians().sin();
        let got = (x1 - x0 + 1) as f32 / px_per_mm;
        assert!((got - want).abs() < 0.15, "{shape:?}: star {got} mm wide, want {want}");
        // The top tip is r above the centre.
        let top = (h as f32 / 2.0 - y0 as f32) / px_per_mm;
        assert!((top - r).abs() < 0.15, "{shape:?}: tip {top} mm above centre");
    }
}

#[test]
fn symmetric_names_are_evenly_and_symmetrically_spaced() {
    for shape in [CompanyShape::Round, CompanyShape::Oval] {
        for n in [2, 5, 12, 20, 32] {
            let s = CompanySealSpec {
                // ○ and 0 are mirror-symmetric glyphs, so any asymmetry is layout.
                name: "○".repeat(n),
                shape,
                star: false,
                font: FontFace::Hei,
                code: Some("0000000000000".into()),
                ..CompanySealSpec::new("")
            };
            let r = render_company(&s).unwrap().rasterize(300).unwrap();
            let (w, h) = (r.width as usize, r.height as usize);
            let mirrored: Vec<u8> =
                (0..h).flat_map(|y| (0..w).rev().map(move |x| (y, x))).map(|(y, x)| r.alpha[y * w + x]).collect();
            let share = differing_share(&r.alpha, &mirrored);
            assert!(share < 0.002, "{shape:?} n={n}: not mirror-symmetric ({share})");
        }
    }
}

#[test]
fn texts_change_the_image_and_limits_are_enforced() {
    let base = render_company(&spec(CompanyShape::Round, true)).unwrap().rasterize(150).unwrap();
    let with_text = render_company(&CompanySealSpec {
        horizontal_text: Some("合同专用章".into()),
        ..spec(CompanyShape::Round, true)
    })
    .unwrap()
    .rasterize(150)
    .unwrap();
    assert!(differing_share(&base.alpha, &with_text.alpha) > 0.005);
    let oval = render_company(&spec(CompanyShape::Oval, true)).unwrap().rasterize(150).unwrap();
    assert_ne!((oval.width, oval.height), (base.width, base.height));

    let err = |s: CompanySealSpec| render_company(&s).unwrap_err();
    assert!(matches!(err(CompanySealSpec::new("某")), SealError::TextLength { count: 1, .. }));
    assert!(matches!(err(CompanySealSpec::new("某".repeat(33))), SealError::TextLength { count: 33, .. }));
    assert!(matches!(
        err(CompanySealSpec {
            horizontal_text: Some("一二三四五六七八九十一二三".into()),
            ..spec(CompanyShape::Round, true)
        }),
        SealError::TextLength { count: 13, .. }
    ));
    for bad in ["123456789012", "12345678901234", "12345678901a3", "１２３４５６７８９０１２３"] {
        assert!(
            matches!(
                err(CompanySealSpec { code: Some(bad.into()), ..spec(CompanyShape::Round, true) }),
                SealError::InvalidCode(_)
            ),
            "{bad}"
        );
    }
    assert_eq!(
        err(CompanySealSpec {
            code: Some("1234567890123".into()),
            bottom_text: Some("下弦文".into()),
            ..spec(CompanyShape::Round, true)
        }),
        SealError::BottomTextAndCode
    );
    assert!(matches!(
        err(CompanySealSpec { size_mm: Some(f32::NAN), ..spec(CompanyShape::Round, true) }),
        SealError::OutOfRange { .. }
    ));
}

#[test]
fn pdf_vector_form_stays_in_its_box() {
    let seal = render_company(&CompanySealSpec {
        horizontal_text: Some("合同专用章".into()),
        code: Some("3301060012345".into()),
        ..spec(CompanyShape::Round, true)
    })
    .unwrap();
    let ops = String::from_utf8(seal.to_pdf_content()).unwrap();
    assert!(ops.starts_with("q 0.851 0.118 0.094 rg\n"), "{}", &ops[..40]);
    assert!(ops.ends_with("Q\n"));
    assert!(ops.contains(" c\n") && ops.contains("f*\n") && ops.contains("f\n"));
    let (w, h) = (seal.width_pt(), seal.height_pt());
    assert!((w - 119.055).abs() < 0.01);
    let mut count = 0;
    for line in ops.lines().filter(|l| l.ends_with(" m") || l.ends_with(" l") || l.ends_with(" c")) {
        let nums: Vec<f32> = line.split(' ').filter_map(|t| t.parse().ok()).collect();
        assert!(nums.len().is_multiple_of(2) && !nums.is_empty(), "{line}");
        for xy in nums.chunks(2) {
            assert!((-0.01..=w + 0.01).contains(&xy[0]) && (-0.01..=h + 0.01).contains(&xy[1]), "{line}");
        }
        count += 1;
    }
    assert!(count > 1000, "{count} path operators");
    assert_eq!(seal.to_pdf_content(), ops.into_bytes(), "deterministic");
}

#[test]
fn vendor_codes_map_to_specs() {
    assert_eq!(CompanyShape::from_vendor_code("OVAL_NONE"), Some((CompanyShape::Oval, false)));
    assert_eq!(CompanyShape::from_vendor_code("round_star"), Some((CompanyShape::Round, true)));
    assert_eq!(CompanyShape::from_vendor_code("2"), Some((CompanyShape::Oval, true)));
    assert_eq!(CompanyShape::from_vendor_code("TRIANGLE"), None);
    assert_eq!(InkColor::from_vendor_code("C2"), Some(InkColor::Blue));
    assert_eq!(InkColor::from_vendor_code("black"), Some(InkColor::Black));
    assert_eq!(InkColor::from_vendor_code("C4"), None);
    assert_eq!(PersonalForm::from_vendor_code("BORDERLESS"), Some(PersonalForm::Borderless));
}

#[test]
fn hostile_input_never_panics() {
    let long = "某".repeat(10_000);
    let inputs = [
        "😀😀",
        "e\u{301}cole",
        "\u{202E}公司",
        "ＡＢＣ有限公司",
        "Acme (China) Co., Ltd.",
        "某某（北京）科技有限公司",
        "\u{FEFF}某某",
        "   某  某   ",
        "\u{0}",
        &long,
        "ﷺ",
        "\u{E000}\u{E001}",
    ];
    for text in inputs {
        for shape in [CompanyShape::Round, CompanyShape::Oval] {
            for size in [20.0, 42.0, 80.0] {
                let s = CompanySealSpec {
                    name: text.to_string(),
                    shape,
                    horizontal_text: Some(text.to_string()),
                    bottom_text: Some(text.to_string()),
                    size_mm: Some(size),
                    ..CompanySealSpec::new("")
                };
                if let Ok(seal) = render_company(&s) {
                    seal.rasterize(72).unwrap();
                    assert!(!seal.to_pdf_content().is_empty());
                }
            }
        }
        for form in [PersonalForm::Square, PersonalForm::Rectangle, PersonalForm::Borderless] {
            let s = PersonalSealSpec { form, masked: true, ..PersonalSealSpec::new(text) };
            if let Ok(seal) = render_personal(&s) {
                seal.rasterize(72).unwrap();
            }
        }
    }
    // The smallest seal with the longest texts still renders, inside its border.
    let tiny = CompanySealSpec {
        size_mm: Some(20.0),
        horizontal_text: Some("一二三四五六七八九十一二".into()),
        bottom_text: Some("一二三四五六七八九十一二三四五六七八九十".into()),
        ..CompanySealSpec::new("国".repeat(32))
    };
    let big = CompanySealSpec { size_mm: Some(80.0), ..CompanySealSpec::new("某某公司") };
    assert!(matches!(render_company(&big).unwrap().rasterize(2400), Err(SealError::OutOfRange { .. })));
    let r = render_company(&tiny).unwrap().rasterize(600).unwrap();
    assert_eq!(r.alpha[0], 0);
}

/// Row (in the window) with the most ink.
fn heaviest_row(alpha: &[u8], w: usize, x0: usize, x1: usize, y0: usize, y1: usize) -> usize {
    (y0..y1).max_by_key(|&y| (x0..x1).map(|x| u32::from(alpha[y * w + x])).sum::<u32>()).unwrap_or(y0) - y0
}

#[test]
fn upper_arc_text_stands_upright_and_lower_arc_text_faces_the_centre() {
    // 上 has its long stroke at the bottom. On the upper arc (glyph tops outward) the middle
    // character's long stroke is nearer the centre, i.e. low in its window; on the lower arc
    // (tops towards the centre) it is nearer the border, i.e. low in its window as well.
    let s = CompanySealSpec { star: false, bottom_text: Some("上上上".into()), ..CompanySealSpec::new("上上上") };
    let r = render_company(&s).unwrap().rasterize(254).unwrap(); // 10 px/mm
    let w = r.width as usize;
    let (cx, h) = (w / 2, r.height as usize);
    // Upper middle character: between 1.2 and 10 mm from the top edge.
    let top = heaviest_row(&r.alpha, w, cx - 30, cx + 30, 14, 100);
    assert!(top > 43, "upper 上 is upside down: heaviest row {top} of 86");
    // Lower middle character: between 10 and 1.2 mm from the bottom edge.
    let bottom = heaviest_row(&r.alpha, w, cx - 30, cx + 30, h - 100, h - 14);
    assert!(bottom > 43, "lower 上 does not face the centre: heaviest row {bottom} of 86");
}
