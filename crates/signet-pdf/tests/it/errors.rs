//! Bad inputs give clear errors, never a panic.

use crate::support::*;
use signet_pdf::{Appearance, PdfError, Placement, SignRequest, sign};
use std::io::Cursor;

fn try_sign(input: &[u8], req: &SignRequest) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    sign(Cursor::new(input), &mut out, req, &OpensslSigner::new("signer1")).map(|_| out)
}

#[test]
fn not_a_pdf() {
    let e = try_sign(b"hello world, not a pdf", &SignRequest::default()).unwrap_err();
    assert!(matches!(e, PdfError::NotPdf(_)), "{e}");
}

#[test]
fn truncated_pdf() {
    let data = fixture_bytes("contract.pdf");
    let e = try_sign(&data[..data.len() / 2], &SignRequest::default()).unwrap_err();
    assert!(matches!(e, PdfError::BrokenXref(_)), "{e}");
    assert!(e.to_string().contains("startxref"), "{e}");
}

#[test]
fn garbage_xref_is_refused_clearly() {
    let mut data = fixture_bytes("one-page.pdf");
    let at = data.windows(6).rposition(|w| w == b"\nxref\n").unwrap() + 1;
    let sx = data.windows(9).rposition(|w| w == b"startxref").unwrap();
    for b in &mut data[at..sx] {
        *b = b'#';
    }
    let e = try_sign(&data, &SignRequest::default()).unwrap_err();
    assert!(matches!(e, PdfError::BrokenXref(_)), "{e}");
}

#[test]
fn wrong_or_missing_user_password() {
    let data = fixture_bytes("aes256-user.pdf");
    let e = try_sign(&data, &SignRequest::default()).unwrap_err();
    assert!(matches!(e, PdfError::WrongPassword), "{e}");
    let req = SignRequest { user_password: Some("nope".into()), ..Default::default() };
    let e = try_sign(&data, &req).unwrap_err();
    assert!(matches!(e, PdfError::WrongPassword), "{e}");
}

#[test]
fn page_out_of_range() {
    let req = seal_request(vec![Placement::At { pages: vec![3], x: 10.0, y: 10.0 }]);
    let e = try_sign(&fixture_bytes("contract.pdf"), &req).unwrap_err();
    assert!(matches!(e, PdfError::PageOutOfRange { page: 3, count: 2 }), "{e}");
}

#[test]
fn keyword_absent() {
    let req = seal_request(vec![Placement::Keyword { text: "丙方盖章处".into(), offset: (0.0, 0.0) }]);
    let e = try_sign(&fixture_bytes("contract.pdf"), &req).unwrap_err();
    assert_eq!(e.to_string(), "keyword not found: 丙方盖章处");
}

#[test]
fn image_not_png_or_jpeg() {
    let mut req = seal_request(vec![Placement::At { pages: vec![1], x: 10.0, y: 10.0 }]);
    req.appearance = Some(Appearance { image: fixture_bytes("not-an-image.gif"), ..Default::default() });
    let e = try_sign(&fixture_bytes("contract.pdf"), &req).unwrap_err();
    assert!(matches!(e, PdfError::BadImage(_)), "{e}");
}

#[test]
fn bad_rectangle_and_cross_page_on_one_page() {
    let req = seal_request(vec![Placement::Rect { page: 1, x1: 0.9, y1: 0.1, x2: 0.2, y2: 0.5 }]);
    let e = try_sign(&fixture_bytes("contract.pdf"), &req).unwrap_err();
    assert!(matches!(e, PdfError::InvalidRequest(_)), "{e}");
    let req = seal_request(vec![Placement::CrossPage { y_fraction: 0.5 }]);
    let e = try_sign(&fixture_bytes("one-page.pdf"), &req).unwrap_err();
    assert!(matches!(e, PdfError::InvalidRequest(_)), "{e}");
}

#[test]
fn mangled_inputs_never_panic() {
    let base = fixture_bytes("objstm.pdf");
    // Deterministic corruption: flip bytes at many positions, truncate at many lengths.
    let mut state = 0x9e37_79b9_u32;
    for i in 0..200 {
        let mut d = base.clone();
        for _ in 0..8 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let at = state as usize % d.len();
            d[at] = (state >> 8) as u8;
        }
        if i % 3 == 0 {
            d.truncate(state as usize % d.len());
        }
        let _ = try_sign(&d, &SignRequest::default());
        let _ = signet_pdf::inspect(Cursor::new(&d), None);
        let _ = signet_pdf::locate(Cursor::new(&d), "甲方", None);
    }
}

#[test]
fn certified_no_changes_document_refuses_a_new_signature() {
    let e = try_sign(&fixture_bytes("certified-nochanges.pdf"), &SignRequest::default()).unwrap_err();
    assert!(matches!(e, PdfError::InvalidRequest(_)), "{e}");
    assert!(e.to_string().contains("DocMDP P=1"), "{e}");
}
