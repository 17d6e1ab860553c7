//! Seals land where a viewer shows the asked point: rotation, offset boxes, keywords,
//! rectangles and cross-page slices, checked on pages rendered by pdftoppm.

use crate::support::*;
use signet_pdf::Placement;

#[test]
fn at_positions_honour_rotate_on_every_page() {
    let input = fixture_bytes("rotated.pdf");
    let req = seal_request(vec![Placement::At { pages: vec![1, 2, 3, 4], x: 150.0, y: 100.0 }]);
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_eq!(outcome.widgets.len(), 4);
    assert_all_valid(&out, 1);
    for page in 1..=4 {
        assert_seal_at(&out, page, 150.0, 100.0, 72.0, 3.0);
    }
}

#[test]
fn at_positions_honour_offset_media_and_crop_boxes() {
    let input = fixture_bytes("offset-boxes.pdf");
    let req = seal_request(vec![
        Placement::At { pages: vec![1, 2], x: 100.0, y: 100.0 },
        Placement::At { pages: vec![3], x: 200.0, y: 300.0 },
    ]);
    let (_d, out, _) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_all_valid(&out, 1);
    assert_seal_at(&out, 1, 100.0, 100.0, 72.0, 3.0);
    assert_seal_at(&out, 2, 100.0, 100.0, 72.0, 3.0);
    assert_seal_at(&out, 3, 200.0, 300.0, 72.0, 3.0);
}

#[test]
fn keyword_places_a_seal_on_every_occurrence() {
    let input = fixture_bytes("contract.pdf");
    let req = seal_request(vec![
        Placement::Keyword { text: "甲方盖章处".into(), offset: (0.0, 0.0) },
        Placement::Keyword { text: "乙方盖章处".into(), offset: (0.0, 40.0) },
    ]);
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_eq!(outcome.widgets.len(), 2);
    assert!(outcome.widgets.iter().all(|w| w.page == 2));
    assert_all_valid(&out, 1);
    let r = Raster::render(&out, 2, None);
    // 甲方盖章处 at (60, 110), 12 pt: centre ≈ (90, 114); 乙方 shifted up by 40.
    assert!(r.red_in([80.0, 104.0, 100.0, 124.0]) > 20, "seal over 甲方盖章处");
    assert!(r.red_in([337.0, 144.0, 357.0, 164.0]) > 20, "seal over 乙方盖章处 + offset");
    assert_eq!(r.red_in([0.0, 400.0, 595.0, 842.0]), 0, "no seal far away");
}

#[test]
fn rect_fits_the_seal_keeping_its_aspect() {
    let input = fixture_bytes("contract.pdf");
    let req = seal_request(vec![Placement::Rect { page: 1, x1: 0.5, y1: 0.5, x2: 0.9, y2: 0.9 }]);
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    let w = &outcome.widgets[0];
    assert!((w.rect[2] - w.rect[0] - 238.0).abs() < 0.5, "{w:?}");
    assert!((w.rect[3] - w.rect[1] - 238.0).abs() < 0.5, "{w:?}");
    assert_all_valid(&out, 1);
    assert_seal_at(&out, 1, 416.5, 252.6, 238.0 - 2.0 * 238.0 * 6.0 / 300.0, 5.0);
}

#[test]
fn cross_page_slices_sit_on_every_right_edge() {
    let input = fixture_bytes("rotated.pdf");
    let mut req = seal_request(vec![Placement::CrossPage { y_fraction: 0.5 }]);
    if let Some(a) = req.appearance.as_mut() {
        a.width_pt = Some(120.0);
    }
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_eq!(outcome.widgets.len(), 4);
    assert_all_valid(&out, 1);
    let mut total = 0;
    for (page, w) in (1..=4).zip(&outcome.widgets) {
        let r = Raster::render(&out, page, None);
        let (pw, ph) = (r.width as f64, r.height as f64);
        let strip = r.red_in([pw - 30.0, ph / 2.0 - 60.0, pw, ph / 2.0 + 60.0]);
        assert!(strip > 50, "page {page}: slice missing at the right edge ({strip} red px)");
        assert_eq!(r.red_in([0.0, 0.0, pw - 31.0, ph]), 0, "page {page}: red outside the slice");
        assert!((w.rect[2] - pw).abs() < 1.0);
        total += strip;
    }
    assert!(total > 1000);
}

#[test]
fn cross_page_on_a_long_document_is_grouped() {
    let input = fixture_bytes("long.pdf");
    let req = seal_request(vec![Placement::CrossPage { y_fraction: 0.3 }]);
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_eq!(outcome.widgets.len(), 520);
    // 520 pages in balanced groups of at most 20: 26 groups of 20.
    let first = &outcome.widgets[0];
    assert!((first.rect[2] - first.rect[0] - 72.0 / 20.0).abs() < 1e-3, "{first:?}");
    assert_qpdf_check(&out, None);
    assert_pdfsig_valid(&out, 1, None);
}
