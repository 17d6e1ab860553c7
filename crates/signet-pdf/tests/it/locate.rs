//! Keyword search through fonts, split operators, lines and form XObjects.

use crate::support::*;
use signet_pdf::locate;
use std::io::Cursor;

#[test]
fn finds_cjk_keywords_at_their_drawn_position() {
    let hits = locate(Cursor::new(fixture_bytes("contract.pdf")), "甲方盖章处", None).unwrap();
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.page, 2);
    assert!((h.rect[0] - 60.0).abs() < 1.0 && (h.rect[2] - 120.0).abs() < 1.0, "{h:?}");
    assert!(h.rect[1] < 110.0 && h.rect[3] > 110.0 + 6.0, "{h:?}");
}

#[test]
fn finds_keywords_split_across_operators_lines_and_xobjects() {
    let data = fixture_bytes("contract.pdf");
    let split = locate(Cursor::new(&data), "合同编号", None).unwrap();
    assert_eq!(split.len(), 1, "{split:?}");
    let lines = locate(Cursor::new(&data), "签署日期", None).unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let form = locate(Cursor::new(&data), "附件盖章处", None).unwrap();
    assert_eq!(form.len(), 1);
    assert!((form[0].rect[0] - 300.0).abs() < 1.0, "{form:?}");
}

#[test]
fn finds_keywords_in_object_streams_and_encrypted_files() {
    for name in ["objstm.pdf", "aes256-owner.pdf", "rc4-owner.pdf"] {
        let hits = locate(Cursor::new(fixture_bytes(name)), "乙方盖章处", None).unwrap();
        assert_eq!(hits.len(), 1, "{name}");
        assert!((hits[0].rect[0] - 317.6).abs() < 1.0, "{name}: {hits:?}");
    }
}

#[test]
fn reports_positions_in_the_visible_frame_of_rotated_pages() {
    // "Rotate 90" is drawn at user (72, 72) on an A4 page shown rotated 90°.
    let hits = locate(Cursor::new(fixture_bytes("rotated.pdf")), "Rotate90", None).unwrap();
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(h.page, 2);
    // Visible (x, y) = (user y, W - user x): the text runs upwards from (72, 523).
    assert!((h.rect[0] - 72.0).abs() < 8.0 && (h.rect[1] - 523.0).abs() < 150.0, "{h:?}");
}

#[test]
fn text_that_cannot_be_extracted_gives_no_hits() {
    let hits = locate(Cursor::new(fixture_bytes("no-text.pdf")), "甲方", None).unwrap();
    assert!(hits.is_empty());
}

#[test]
fn falls_back_to_the_embedded_font_cmap_without_tounicode() {
    let hits = locate(Cursor::new(fixture_bytes("cid-no-tounicode.pdf")), "甲方盖章处", None).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    // Drawn at (100, 300), 14 pt, 5 glyphs of 1 em (/DW 1000).
    assert!((hits[0].rect[0] - 100.0).abs() < 1.0 && (hits[0].rect[2] - 170.0).abs() < 1.0, "{hits:?}");
}

#[test]
fn falls_back_to_the_ordering_ucs2_cmap_for_embedded_gb1_fonts_without_tounicode() {
    // F1 shows Adobe-GB1 CIDs and its font program has no cmap table: only Adobe-GB1-UCS2
    // can name the glyphs. Drawn at (100, 700), 14 pt, 1 em per glyph.
    let hits = locate(Cursor::new(fixture_bytes("cid-fallbacks.pdf")), "甲方盖章处", None).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    let r = hits[0].rect;
    assert!((r[0] - 100.0).abs() < 1.0 && (r[2] - 170.0).abs() < 1.0, "{r:?}");
    assert!(r[1] < 700.0 && r[3] > 705.0 && r[3] < 720.0, "{r:?}");
}

#[test]
fn matches_full_width_forms_and_kangxi_radicals_by_nfkc() {
    let data = fixture_bytes("cid-fallbacks.pdf");
    // The page shows "合同编号：ＡＢ１２" (full-width colon, letters and digits).
    for typed in ["合同编号:AB12", "合同编号：ＡＢ１２", "编号 : A B 1 2"] {
        let hits = locate(Cursor::new(&data), typed, None).unwrap();
        assert_eq!(hits.len(), 1, "{typed}: {hits:?}");
        assert!(hits[0].rect[1] < 600.0 && hits[0].rect[3] > 605.0, "{typed}: {hits:?}");
    }
    // Line 3 extracts as "乙⽅盖章处" with U+2F45 KANGXI RADICAL SQUARE for 方.
    let hits = locate(Cursor::new(&data), "乙方盖章处", None).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].rect[1] < 500.0 && hits[0].rect[3] > 505.0, "{hits:?}");
    // "甲方" occurs on line 1 only: the Kangxi "⽅" of line 3 is not mistaken for anything else.
    assert_eq!(locate(Cursor::new(&data), "甲方", None).unwrap().len(), 1);
    assert_eq!(locate(Cursor::new(&data), "方盖章处", None).unwrap().len(), 2);
}

#[test]
fn ghostscript_output_without_any_unicode_mapping_has_no_hits() {
    // pdfwrite turned the CID font into a simple symbolic TrueType font (/Flags 4, no
    // /Encoding, no /ToUnicode) whose subset program has only (3,0) symbol and (1,0) Mac cmaps
    // over codes 1..134 and a format 3 post table (no glyph names): no Unicode survives in
    // the file, so pdftotext finds nothing either and a keyword placement reports
    // "keyword not found". Only OCR or matching outlines against the original font could
    // recover the text.
    let hits = locate(Cursor::new(fixture_bytes("ghostscript.pdf")), "甲方盖章处", None).unwrap();
    assert!(hits.is_empty());
}
