//! Inspection: signatures listed with coverage, and later revisions judged.

use crate::support::*;
use signet_pdf::{Coverage, Placement, SignRequest, XrefKind, inspect};
use std::io::{Cursor, Read};

#[test]
fn lists_signatures_with_coverage_and_signed_bytes() {
    let input = fixture_bytes("pyhanko-signed.pdf");
    let req = seal_request(vec![Placement::At { pages: vec![1], x: 400.0, y: 100.0 }]);
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    let data = std::fs::read(&out).unwrap();
    let i = inspect(Cursor::new(&data), None).unwrap();
    assert_eq!(i.signatures.len(), 2);
    assert_eq!(i.xref_kind, XrefKind::Table);
    let (first, second) = (&i.signatures[0], &i.signatures[1]);
    assert_eq!(first.field_name, "PyHankoSig");
    assert_eq!(first.coverage, Coverage::EntireRevision);
    assert!(first.problems.is_empty(), "{:?}", first.problems);
    assert!(first.is_untouched(), "{:?}", first.later_changes);
    assert!(!first.later_changes.is_empty());
    assert_eq!(second.field_name, outcome.field_name);
    assert_eq!(second.coverage, Coverage::EntireFile);
    assert_eq!(second.byte_range, outcome.byte_range);
    assert_eq!(second.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    assert_eq!(second.reason.as_deref(), Some("合同签署"));
    assert!(second.signing_time.as_deref().is_some_and(|m| m.starts_with("D:20")));
    assert_eq!(second.contents.len(), outcome.container_len);
    // The signed bytes are exactly the file minus the /Contents gap.
    let mut signed = Vec::new();
    second.signed_bytes(Cursor::new(&data)).unwrap().read_to_end(&mut signed).unwrap();
    let [_, b, c, _] = second.byte_range.map(|v| v as usize);
    assert_eq!(signed.len(), data.len() - (c - b));
    assert_eq!(&signed[..b], &data[..b]);
}

#[test]
fn flags_content_changes_after_signing() {
    let input = fixture_bytes("one-page.pdf");
    let (_d, out, _) = sign_to_file(&input, &SignRequest::default(), &OpensslSigner::new("signer1"));
    let mut data = std::fs::read(&out).unwrap();
    // Incremental saving attack: a new revision rewrites the page content stream (object 4).
    let text = String::from_utf8_lossy(&data).into_owned();
    let prev = text.rfind("startxref").map(|p| text[p + 10..].lines().next().unwrap().trim().to_string()).unwrap();
    let at = data.len();
    let content = b"BT /F1 24 Tf 72 72 Td (Forged) Tj ET";
    let obj = format!(
        "4 0 obj\n<< /Length {} >>\nstream\n{}\nendstream\nendobj\n",
        content.len(),
        String::from_utf8_lossy(content)
    );
    data.extend_from_slice(obj.as_bytes());
    let xref = data.len();
    data.extend_from_slice(
        format!(
            "xref\n4 1\n{at:010} 00000 n \ntrailer\n<< /Size 20 /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    let i = inspect(Cursor::new(&data), None).unwrap();
    let s = &i.signatures[0];
    assert_eq!(s.coverage, Coverage::EntireRevision);
    assert!(!s.is_untouched());
    assert!(s.later_changes.iter().any(|c| !c.allowed && c.object == Some((4, 0))), "{:?}", s.later_changes);
}

#[test]
fn rejects_a_widened_gap_and_a_broken_byte_range() {
    let input = fixture_bytes("one-page.pdf");
    let (_d, out, outcome) = sign_to_file(&input, &SignRequest::default(), &OpensslSigner::new("signer1"));
    let data = std::fs::read(&out).unwrap();
    let [_, b, c, d] = outcome.byte_range;
    let old = format!("[0 {b} {c} {d}]");
    let text_at = data.windows(old.len()).position(|w| w == old.as_bytes()).unwrap();
    // SWA: the gap starts earlier, hiding bytes of the signed dictionary.
    let forged = format!("[0 {} {c} {}]", b - 10, d);
    let mut swa = data.clone();
    swa[text_at..text_at + old.len()].fill(b' ');
    swa[text_at..text_at + forged.len()].copy_from_slice(forged.as_bytes());
    let s = &inspect(Cursor::new(&swa), None).unwrap().signatures[0];
    assert!(!s.problems.is_empty() && !s.is_untouched());
    // USF: a ByteRange that is not four integers.
    let mut usf = data.clone();
    usf[text_at..text_at + old.len()].fill(b' ');
    usf[text_at..text_at + 3].copy_from_slice(b"[0]");
    let s = &inspect(Cursor::new(&usf), None).unwrap().signatures[0];
    assert!(!s.problems.is_empty() && s.coverage == Coverage::Suspicious);
}

#[test]
fn flags_objects_appended_without_a_revision() {
    let input = fixture_bytes("one-page.pdf");
    let (_d, out, _) = sign_to_file(&input, &SignRequest::default(), &OpensslSigner::new("signer1"));
    let mut data = std::fs::read(&out).unwrap();
    data.extend_from_slice(b"4 0 obj\n<< /Length 10 >>\nstream\nBT ET q Q \nendstream\nendobj\n");
    let i = inspect(Cursor::new(&data), None).unwrap();
    let s = &i.signatures[0];
    assert_eq!(s.coverage, Coverage::EntireRevision);
    assert!(!s.is_untouched(), "{:?}", s.later_changes);
}
