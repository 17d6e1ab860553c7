//! Signing real files: every output validated by pyHanko, pdfsig and qpdf.

use crate::support::*;
use signet_pdf::{Placement, SignRequest, SubFilter};

#[test]
fn visible_signature_on_reportlab_contract_validates_everywhere() {
    let input = fixture_bytes("contract.pdf");
    let req = seal_request(vec![Placement::At { pages: vec![2], x: 200.0, y: 300.0 }]);
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_eq!(outcome.field_name, "Signature1");
    assert_eq!(outcome.byte_range[0], 0);
    assert!(outcome.container_len > 1000 && outcome.container_len <= outcome.reserved);
    assert_all_valid(&out, 1);
    // pHYs says 300 dpi over 300 px: one inch.
    assert_seal_at(&out, 2, 200.0, 300.0, 72.0, 3.0);
}

#[test]
fn invisible_signature_with_legacy_subfilter() {
    let input = fixture_bytes("contract.pdf");
    let mut signer = OpensslSigner::new("signer1");
    signer.sub_filter = SubFilter::Pkcs7Detached;
    let req = SignRequest { field_name: Some("Invisible".into()), ..Default::default() };
    let (_d, out, outcome) = sign_to_file(&input, &req, &signer);
    assert_eq!(outcome.field_name, "Invisible");
    assert!(outcome.widgets.is_empty());
    assert_all_valid(&out, 1);
    assert!(Raster::render(&out, 1, None).red_box().is_none());
}

#[test]
fn second_and_third_signers_keep_earlier_signatures_intact() {
    let input = fixture_bytes("contract.pdf");
    let (_d1, out1, _) = sign_to_file(
        &input,
        &seal_request(vec![Placement::At { pages: vec![2], x: 120.0, y: 120.0 }]),
        &OpensslSigner::new("signer1"),
    );
    let (_d2, out2, o2) = sign_to_file(
        &std::fs::read(&out1).unwrap(),
        &seal_request(vec![Placement::At { pages: vec![2], x: 380.0, y: 120.0 }]),
        &OpensslSigner::new("signer2"),
    );
    assert_eq!(o2.field_name, "Signature2");
    let (_d3, out3, o3) =
        sign_to_file(&std::fs::read(&out2).unwrap(), &SignRequest::default(), &OpensslSigner::new("signer3"));
    assert_eq!(o3.field_name, "Signature3");
    assert_all_valid(&out3, 3);
}

#[test]
fn signs_on_top_of_a_pyhanko_signature() {
    let input = fixture_bytes("pyhanko-signed.pdf");
    let req = seal_request(vec![Placement::At { pages: vec![1], x: 400.0, y: 100.0 }]);
    let (_d, out, _) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_qpdf_check(&out, None);
    assert_pdfsig_valid(&out, 2, None);
    assert_pyhanko_all_valid(&out, 2, true, None);
}

#[test]
fn signs_qpdf_transformed_files() {
    for name in [
        "objstm.pdf",
        "linearized.pdf",
        "landscape.pdf",
        "long.pdf",
        "offset-boxes.pdf",
        "off-xref.pdf",
        "ghostscript.pdf",
    ] {
        let input = fixture_bytes(name);
        let req = seal_request(vec![Placement::At { pages: vec![1], x: 150.0, y: 150.0 }]);
        let (_d, out, _) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
        assert_qpdf_check(&out, None);
        assert_pdfsig_valid(&out, 1, None);
        assert_pyhanko_all_valid(&out, 1, false, None);
    }
}

#[test]
fn signs_owner_password_encrypted_files() {
    for name in ["aes256-owner.pdf", "rc4-owner.pdf", "aes128-owner.pdf", "aes256-objstm.pdf"] {
        let input = fixture_bytes(name);
        let mut req = seal_request(vec![Placement::At { pages: vec![2], x: 300.0, y: 400.0 }]);
        req.reason = Some("加密文件签署".into());
        let (_d, out, _) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
        assert_qpdf_check(&out, None);
        assert_pdfsig_valid(&out, 1, None);
        assert_pyhanko_all_valid(&out, 1, false, None);
        assert_seal_at(&out, 2, 300.0, 400.0, 72.0, 3.0);
    }
}

#[test]
fn signs_a_user_password_file_with_the_password() {
    let input = fixture_bytes("aes256-user.pdf");
    let mut req = seal_request(vec![Placement::At { pages: vec![1], x: 300.0, y: 400.0 }]);
    req.user_password = Some("user-pw".into());
    let (_d, out, _) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_qpdf_check(&out, Some("user-pw"));
    assert_pdfsig_valid(&out, 1, Some("user-pw"));
    assert_pyhanko_all_valid(&out, 1, false, Some("user-pw"));
}

#[test]
fn container_longer_than_announced_redoes_the_revision() {
    let input = fixture_bytes("contract.pdf");
    let mut signer = OpensslSigner::new("signer1");
    signer.max_len = 100;
    let (_d, out, outcome) = sign_to_file(&input, &SignRequest::default(), &signer);
    assert!(outcome.reserved >= outcome.container_len);
    assert!(outcome.reserved > 100);
    assert_all_valid(&out, 1);
}

#[test]
fn jpeg_seal_with_time_and_digest_text() {
    let input = fixture_bytes("contract.pdf");
    let mut req = seal_request(vec![Placement::At { pages: vec![1], x: 300.0, y: 300.0 }]);
    if let Some(a) = req.appearance.as_mut() {
        a.image = fixture_bytes("seal.jpg");
        a.width_pt = Some(100.0);
        a.show_time = true;
        a.show_digest = true;
    }
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    let w = &outcome.widgets[0];
    assert!((w.rect[2] - w.rect[0] - 100.0).abs() < 1e-6);
    assert!((w.rect[3] - w.rect[1] - 118.0).abs() < 1e-6, "image + two text lines: {w:?}");
    assert_all_valid(&out, 1);
    let r = Raster::render(&out, 1, None);
    // The JPEG seal (white background, no mask) shows red around the centre.
    assert!(r.red_in([260.0, 260.0, 340.0, 340.0]) > 100);
}

#[test]
fn a_later_signer_with_several_seals_keeps_the_first_valid() {
    let input = fixture_bytes("contract.pdf");
    let (_d1, out1, _) = sign_to_file(
        &input,
        &seal_request(vec![Placement::At { pages: vec![1], x: 120.0, y: 120.0 }]),
        &OpensslSigner::new("signer1"),
    );
    let (_d2, out2, o2) = sign_to_file(
        &std::fs::read(&out1).unwrap(),
        &seal_request(vec![Placement::At { pages: vec![1, 2], x: 400.0, y: 200.0 }]),
        &OpensslSigner::new("signer2"),
    );
    assert_eq!(o2.widgets.len(), 2);
    assert_all_valid(&out2, 2);
    assert_seal_at(&out2, 2, 400.0, 200.0, 72.0, 3.0);
}

#[test]
fn dss_and_document_timestamp_after_a_signature() {
    let input = fixture_bytes("contract.pdf");
    let (dir, signed, _) = sign_to_file(
        &input,
        &seal_request(vec![Placement::At { pages: vec![1], x: 300.0, y: 300.0 }]),
        &OpensslSigner::new("signer1"),
    );
    let dss = signet_pdf::Dss {
        certs: vec![cert_der("ca.pem"), cert_der("signer1.pem"), cert_der("tsa.pem")],
        ..Default::default()
    };
    let mut with_dss = Vec::new();
    let len =
        signet_pdf::add_dss(std::io::Cursor::new(std::fs::read(&signed).unwrap()), &mut with_dss, &dss, None).unwrap();
    assert_eq!(len, with_dss.len() as u64);
    let mut stamped = Vec::new();
    let o =
        signet_pdf::timestamp_document(std::io::Cursor::new(&with_dss), &mut stamped, None, None, &TsaSigner).unwrap();
    assert_eq!(o.field_name, "Signature2");
    let out = dir.path().join("lta.pdf");
    std::fs::write(&out, &stamped).unwrap();
    assert_qpdf_check(&out, None);
    // pyHanko lists the signature (document timestamps are not listed by `validate`) and
    // classifies the DSS and DTS revisions as LTA updates.
    let j = pyhanko_validate(&out, false, None);
    assert_eq!(j.len(), 1, "{j:?}");
    assert!(j[0].1.starts_with("INTACT:TRUSTED,EXTENDED_WITH_LTA_UPDATES"), "{j:?}");
    // Our own inspection: the DSS and the timestamp are allowed later changes.
    let i = signet_pdf::inspect(std::io::Cursor::new(&stamped), None).unwrap();
    assert_eq!(i.signatures.len(), 2);
    assert!(i.signatures[0].is_untouched(), "{:?}", i.signatures[0].later_changes);
    assert_eq!(i.signatures[1].sig_type.as_deref(), Some("DocTimeStamp"));
    assert_eq!(i.signatures[1].sub_filter.as_deref(), Some("ETSI.RFC3161"));
    // openssl verifies the timestamp token over the DTS byte range.
    let dts = &i.signatures[1];
    let mut signed_bytes = Vec::new();
    std::io::Read::read_to_end(&mut dts.signed_bytes(std::io::Cursor::new(&stamped)).unwrap(), &mut signed_bytes)
        .unwrap();
    let tok = dir.path().join("tok.der");
    let data = dir.path().join("data.bin");
    std::fs::write(&tok, &dts.contents).unwrap();
    std::fs::write(&data, &signed_bytes).unwrap();
    let v = tool(
        "openssl",
        &[
            "ts",
            "-verify",
            "-token_in",
            "-in",
            tok.to_str().unwrap(),
            "-data",
            data.to_str().unwrap(),
            "-CAfile",
            &pki().path("ca.pem"),
            "-untrusted",
            &pki().path("tsa.pem"),
        ],
    );
    assert!(String::from_utf8_lossy(&v.stdout).contains("Verification: OK"), "{v:?}");
}

#[test]
fn unsigned_hybrid_file_is_rewritten_before_its_first_signature_and_validates_strictly() {
    let input = fixture_bytes("hybrid.pdf");
    let before = signet_pdf::inspect(std::io::Cursor::new(&input), None).unwrap();
    assert!(before.hybrid);
    let req = seal_request(vec![Placement::At { pages: vec![1], x: 300.0, y: 300.0 }]);
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert!(outcome.rewritten);
    let after = signet_pdf::inspect(std::io::Cursor::new(std::fs::read(&out).unwrap()), None).unwrap();
    assert!(!after.hybrid);
    assert_eq!(after.revisions, 2, "the rewrite and the signed revision");
    assert_qpdf_check(&out, None);
    assert_pdfsig_valid(&out, 1, None);
    // pyHanko's default (strict) mode, which refuses hybrid files, accepts the result.
    assert_pyhanko_all_valid(&out, 1, false, None);
    // The font that only the xref stream listed is still found, and the text still extracts.
    assert_seal_at(&out, 1, 300.0, 300.0, 72.0, 3.0);
    let text = tool("pdftotext", &[&out.to_string_lossy(), "-"]);
    let orig = tool("pdftotext", &[&fixture("hybrid.pdf").to_string_lossy(), "-"]);
    assert_eq!(text.stdout, orig.stdout);
    // A second signer appends incrementally and both stay valid.
    let first = std::fs::read(&out).unwrap();
    let req2 = seal_request(vec![Placement::At { pages: vec![1], x: 150.0, y: 300.0 }]);
    let (_d2, out2, outcome2) = sign_to_file(&first, &req2, &OpensslSigner::new("signer2"));
    assert!(!outcome2.rewritten);
    assert_pyhanko_all_valid(&out2, 2, false, None);
}

#[test]
fn signed_hybrid_file_is_signed_incrementally_and_reported() {
    // A hybrid file that already carries a signature (pyHanko in lax mode signs it
    // incrementally): rewriting would break that signature, so we append and flag it.
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("hybrid-signed.pdf");
    let script = r#"
import sys
from pyhanko.sign import signers, fields
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
key, cert, ca, src, dst = sys.argv[1:6]
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(ca,))
with open(src, "rb") as inf, open(dst, "wb") as out:
    w = IncrementalPdfFileWriter(inf, strict=False)
    meta = signers.PdfSignatureMetadata(field_name="First", subfilter=fields.SigSeedSubFilter.PADES)
    signers.sign_pdf(w, meta, signer=signer, output=out)
"#;
    let run = tool(
        "python",
        &[
            "-c",
            script,
            &pki.path("signer2.key"),
            &pki.path("signer2.pem"),
            &pki.path("ca.pem"),
            &fixture("hybrid.pdf").to_string_lossy(),
            &signed.to_string_lossy(),
        ],
    );
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let input = std::fs::read(&signed).unwrap();
    assert!(signet_pdf::inspect(std::io::Cursor::new(&input), None).unwrap().hybrid);
    let req = seal_request(vec![Placement::At { pages: vec![1], x: 300.0, y: 300.0 }]);
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert!(!outcome.rewritten);
    let after = signet_pdf::inspect(std::io::Cursor::new(std::fs::read(&out).unwrap()), None).unwrap();
    assert!(after.hybrid);
    assert_eq!(after.xref_kind, signet_pdf::XrefKind::Table);
    assert_eq!(after.signatures.len(), 2);
    assert!(after.signatures.iter().all(|s| s.is_untouched()), "{:?}", after.signatures);
    assert_qpdf_check(&out, None);
    assert_pdfsig_valid(&out, 2, None);
    // pyHanko refuses hybrids in strict mode and validates both signatures without it.
    let file = out.to_string_lossy().into_owned();
    let ca = pki.path("ca.pem");
    let strict =
        tool("pyhanko", &["sign", "validate", "--trust-replace", "--trust", &ca, "--no-revocation-check", &file]);
    assert!(!strict.status.success());
    let lax = tool(
        "pyhanko",
        &["sign", "validate", "--no-strict-syntax", "--trust-replace", "--trust", &ca, "--no-revocation-check", &file],
    );
    let text = String::from_utf8_lossy(&lax.stdout);
    assert_eq!(text.matches("INTACT:TRUSTED").count(), 2, "{text}");
    assert_seal_at(&out, 1, 300.0, 300.0, 72.0, 3.0);
}

#[test]
fn image_heavy_file_is_signed_with_image_data_intact() {
    let input = fixture_bytes("image-heavy.pdf");
    let req = seal_request(vec![Placement::At { pages: vec![3], x: 500.0, y: 100.0 }]);
    let (_d, out, _) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_all_valid(&out, 1);
    // The page's noise image has red pixels of its own; look at the seal's square only.
    let r = Raster::render(&out, 3, None);
    assert!(r.red_in([470.0, 70.0, 530.0, 130.0]) > 500);
    assert_eq!(r.red_in([0.0, 0.0, 90.0, 842.0]), 0);
}

#[test]
fn signs_an_existing_empty_field_in_its_own_box() {
    let input = fixture_bytes("empty-field.pdf");
    let mut req = seal_request(Vec::new());
    req.field_name = Some("PartyB".into());
    let (_d, out, outcome) = sign_to_file(&input, &req, &OpensslSigner::new("signer1"));
    assert_eq!(outcome.field_name, "PartyB");
    assert_all_valid(&out, 1);
    // The box is 200 x 150 at (300, 80): the seal is fitted (150 pt) and centred at (400, 155).
    assert_seal_at(&out, 2, 400.0, 155.0, 150.0 - 2.0 * 150.0 * 6.0 / 300.0, 4.0);
    // Placements are refused for an existing field, and a signed field cannot be signed again.
    let mut bad = req.clone();
    bad.placements = vec![Placement::At { pages: vec![1], x: 1.0, y: 1.0 }];
    let e = signet_pdf::sign(std::io::Cursor::new(&input), &mut Vec::new(), &bad, &OpensslSigner::new("signer1"))
        .unwrap_err();
    assert!(matches!(e, signet_pdf::PdfError::InvalidRequest(_)), "{e}");
    let signed = std::fs::read(&out).unwrap();
    let e = signet_pdf::sign(std::io::Cursor::new(&signed), &mut Vec::new(), &req, &OpensslSigner::new("signer2"))
        .unwrap_err();
    assert!(e.to_string().contains("already signed"), "{e}");
}

#[test]
fn encrypted_file_takes_cross_page_seals_a_second_signer_and_a_dss() {
    let input = fixture_bytes("rc4-owner.pdf");
    let (dir, out1, o1) = sign_to_file(
        &input,
        &seal_request(vec![
            Placement::CrossPage { y_fraction: 0.4 },
            Placement::Keyword { text: "甲方盖章处".into(), offset: (0.0, 0.0) },
        ]),
        &OpensslSigner::new("signer1"),
    );
    assert_eq!(o1.widgets.len(), 3);
    let (_d2, out2, _) = sign_to_file(
        &std::fs::read(&out1).unwrap(),
        &seal_request(vec![Placement::Keyword { text: "乙方盖章处".into(), offset: (0.0, 0.0) }]),
        &OpensslSigner::new("signer2"),
    );
    assert_pdfsig_valid(&out2, 2, None);
    let dss = signet_pdf::Dss { certs: vec![cert_der("ca.pem")], ..Default::default() };
    let mut with_dss = Vec::new();
    signet_pdf::add_dss(std::io::Cursor::new(std::fs::read(&out2).unwrap()), &mut with_dss, &dss, None).unwrap();
    let out3 = dir.path().join("dss.pdf");
    std::fs::write(&out3, &with_dss).unwrap();
    assert_qpdf_check(&out3, None);
    // After the DSS revision no signature covers the whole file; each is still valid.
    let text = String::from_utf8_lossy(&tool("pdfsig", &["-nssdir", &pki().nss(), out3.to_str().unwrap()]).stdout)
        .into_owned();
    assert_eq!(text.matches("Signature is Valid.").count(), text.matches("Signature #").count(), "{text}");
    assert!(text.contains("Signature Field Name: Signature2"), "{text}");
    let j = pyhanko_validate(&out3, false, None);
    assert_eq!(j.len(), 2, "{j:?}");
    assert!(j.iter().all(|(_, v)| v.starts_with("INTACT:TRUSTED") && v.contains("ACCEPTABLE_MODIFICATIONS")), "{j:?}");
    // The seals are drawn (the appearance streams were encrypted with the document key).
    let r = Raster::render(&out3, 2, None);
    assert!(r.red_in([80.0, 104.0, 100.0, 124.0]) > 20, "seal over 甲方盖章处");
    assert!(r.red_in([337.0, 104.0, 357.0, 124.0]) > 20, "seal over 乙方盖章处");
    let (pw, ph) = (r.width as f64, r.height as f64);
    assert!(r.red_in([pw - 36.0, ph * 0.6 - 36.0, pw, ph * 0.6 + 36.0]) > 50, "cross-page slice");
    let i = signet_pdf::inspect(std::io::Cursor::new(&with_dss), None).unwrap();
    assert!(i.encrypted);
    assert!(i.signatures.iter().all(|s| s.is_untouched()), "{:?}", i.signatures);
}

#[test]
fn a_too_small_trailer_size_does_not_make_us_reuse_object_numbers() {
    let input = String::from_utf8_lossy(&fixture_bytes("one-page.pdf")).replace("/Size 6", "/Size 2");
    let req = seal_request(vec![Placement::At { pages: vec![1], x: 300.0, y: 300.0 }]);
    let (_d, out, _) = sign_to_file(input.as_bytes(), &req, &OpensslSigner::new("signer1"));
    let signed = String::from_utf8_lossy(&std::fs::read(&out).unwrap()).into_owned();
    let revision = &signed[input.len()..];
    for n in 1..6 {
        assert!(!revision.contains(&format!("\n{n} 0 obj\n<</Type /XObject")), "object {n} reused");
    }
    assert_pdfsig_valid(&out, 1, None);
    assert_seal_at(&out, 1, 300.0, 300.0, 72.0, 3.0);
}

/// Certifies a fixture (a visible seal on page 2) at `level`; returns the output.
fn certified(name: &str, level: signet_pdf::DocMdp) -> (tempfile::TempDir, std::path::PathBuf) {
    let input = fixture_bytes(name);
    let req = seal_request(vec![Placement::At { pages: vec![2], x: 150.0, y: 110.0 }]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("certified.pdf");
    let mut buf = Vec::new();
    let outcome =
        signet_pdf::certify(std::io::Cursor::new(&input), &mut buf, &req, level, &OpensslSigner::new("signer1"))
            .unwrap();
    assert!(buf.starts_with(&input) && !outcome.rewritten);
    std::fs::write(&out, &buf).unwrap();
    (dir, out)
}

/// pyHanko's reading of each signature: `field docmdp-level` (None when not certifying).
fn pyhanko_docmdp(pdf: &std::path::Path) -> String {
    let script = "import sys\nfrom pyhanko.pdf_utils.reader import PdfFileReader\n\
                  r = PdfFileReader(open(sys.argv[1], 'rb'))\n\
                  for s in r.embedded_signatures:\n    \
                  print(s.field_name, s.docmdp_level.name if s.docmdp_level else None)\n";
    let out = tool("python", &["-c", script, &pdf.to_string_lossy()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Adds a square annotation to page 1 in an incremental update written by pyHanko.
fn add_annotation(src: &std::path::Path, dst: &std::path::Path) {
    let script = r#"
import sys
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
src, dst = sys.argv[1:3]
with open(src, "rb") as f:
    w = IncrementalPdfFileWriter(f)
    page_ref = w.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    annot = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Square"),
        pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (50, 50, 120, 120)]),
        pdf_name("/C"): generic.ArrayObject([generic.FloatObject(1), generic.FloatObject(0), generic.FloatObject(0)]),
    })
    ref = w.add_object(annot)
    raw = page.raw_get("/Annots") if "/Annots" in page else None
    if isinstance(raw, generic.IndirectObject):
        arr = raw.get_object()
        arr.append(ref)
        w.update_container(arr)
    else:
        page["/Annots"] = generic.ArrayObject((list(raw) if raw is not None else []) + [ref])
        w.update_container(page)
    with open(dst, "wb") as out:
        w.write(out)
"#;
    let out = tool("python", &["-c", script, &src.to_string_lossy(), &dst.to_string_lossy()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn certification_allows_later_signatures_at_p2_and_validators_agree() {
    let (_d, out) = certified("contract.pdf", signet_pdf::DocMdp::FormFilling);
    assert_eq!(pyhanko_docmdp(&out).trim(), "Signature1 FILL_FORMS");
    assert_all_valid(&out, 1);
    let first = std::fs::read(&out).unwrap();
    let i = signet_pdf::inspect(std::io::Cursor::new(&first), None).unwrap();
    assert_eq!(i.signatures[0].certification, Some(signet_pdf::DocMdp::FormFilling));
    assert!(String::from_utf8_lossy(&first).contains("/ESIC"), "ESIC extension declared");
    // A second, invisible signature: allowed at P=2 by pyHanko, pdfsig, qpdf and us.
    let req = SignRequest { field_name: Some("Approval".into()), ..Default::default() };
    let (_d2, out2, _) = sign_to_file(&first, &req, &OpensslSigner::new("signer2"));
    assert_all_valid(&out2, 2);
    let j = pyhanko_validate(&out2, false, None);
    assert!(j[0].1.contains("ACCEPTABLE_MODIFICATIONS"), "{j:?}");
    let i = signet_pdf::inspect(std::io::Cursor::new(std::fs::read(&out2).unwrap()), None).unwrap();
    assert!(i.signatures.iter().all(|s| s.is_untouched()), "{:?}", i.signatures);
    // A certification signature must come first.
    let err = signet_pdf::certify(
        std::io::Cursor::new(&first),
        Vec::new(),
        &seal_request(vec![]),
        signet_pdf::DocMdp::FormFilling,
        &OpensslSigner::new("signer2"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("certification signature must be the first"), "{err}");
}

#[test]
fn a_visible_later_signature_goes_into_a_field_that_existed_when_certifying() {
    // pyHanko (stricter than Acrobat) refuses NEW visible signature fields after a
    // certification; signing a field the certified document already has is form filling.
    let (_d, out) = certified("empty-field.pdf", signet_pdf::DocMdp::FormFilling);
    let first = std::fs::read(&out).unwrap();
    let mut req = seal_request(vec![]);
    req.field_name = Some("PartyB".into());
    let (_d2, out2, outcome) = sign_to_file(&first, &req, &OpensslSigner::new("signer2"));
    assert_eq!(outcome.widgets.len(), 1);
    assert_all_valid(&out2, 2);
    let j = pyhanko_validate(&out2, false, None);
    assert!(j.iter().any(|(n, v)| n == "Signature1" && v.contains("ACCEPTABLE_MODIFICATIONS")), "{j:?}");
    let i = signet_pdf::inspect(std::io::Cursor::new(std::fs::read(&out2).unwrap()), None).unwrap();
    assert!(i.signatures.iter().all(|s| s.is_untouched()), "{:?}", i.signatures);
}

#[test]
fn an_annotation_is_a_disallowed_change_at_p2_and_allowed_at_p3() {
    for (level, allowed) in [(signet_pdf::DocMdp::FormFilling, false), (signet_pdf::DocMdp::Annotations, true)] {
        let (d, out) = certified("contract.pdf", level);
        let annotated = d.path().join("annotated.pdf");
        add_annotation(&out, &annotated);
        let j = pyhanko_validate(&annotated, false, None);
        assert_eq!(j.len(), 1, "{j:?}");
        assert!(j[0].1.starts_with("INTACT:TRUSTED"), "{level:?}: {j:?}");
        if allowed {
            // pyHanko's standard diff policy has no rules for annotation changes at all
            // (EXTENDED_WITH_OTHER whatever /P says), so only its cryptographic verdict counts.
            assert!(j[0].1.contains("EXTENDED"), "{j:?}");
        } else {
            assert!(j[0].1.contains("ILLEGAL_MODIFICATIONS"), "{level:?}: {j:?}");
        }
        let i = signet_pdf::inspect(std::io::Cursor::new(std::fs::read(&annotated).unwrap()), None).unwrap();
        let s = &i.signatures[0];
        assert_eq!(s.certification, Some(level));
        assert_eq!(s.is_untouched(), allowed, "{level:?}: {:?}", s.later_changes);
        assert!(!s.later_changes.is_empty());
    }
}

#[test]
fn a_p1_certification_refuses_further_signatures_and_reports_one_added_anyway() {
    let (d, out) = certified("contract.pdf", signet_pdf::DocMdp::NoChanges);
    assert_eq!(pyhanko_docmdp(&out).trim(), "Signature1 NO_CHANGES");
    assert_all_valid(&out, 1);
    let first = std::fs::read(&out).unwrap();
    let req = seal_request(vec![Placement::At { pages: vec![1], x: 300.0, y: 300.0 }]);
    let err =
        signet_pdf::sign(std::io::Cursor::new(&first), Vec::new(), &req, &OpensslSigner::new("signer2")).unwrap_err();
    assert!(err.to_string().contains("DocMDP P=1"), "{err}");
    // pyHanko refuses to sign it too.
    let signed = d.path().join("signed-anyway.pdf");
    let pki = pki();
    let sign_script = r#"
import sys
from pyhanko.sign import signers, fields
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
key, cert, ca, src, dst = sys.argv[1:6]
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(ca,))
with open(src, "rb") as inf, open(dst, "wb") as out:
    meta = signers.PdfSignatureMetadata(field_name="Late", subfilter=fields.SigSeedSubFilter.PADES)
    signers.sign_pdf(IncrementalPdfFileWriter(inf), meta, signer=signer, output=out)
"#;
    let (key, cert, ca) = (pki.path("signer2.key"), pki.path("signer2.pem"), pki.path("ca.pem"));
    let (src, dst) = (out.to_string_lossy().into_owned(), signed.to_string_lossy().into_owned());
    let run = tool("python", &["-c", sign_script, &key, &cert, &ca, &src, &dst]);
    assert!(!run.status.success(), "pyHanko signed a P=1 document");
    // A signature added regardless (a signed field appended by a plain incremental writer)
    // is reported against the certification.
    let add_script = r#"
import sys
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
src, dst = sys.argv[1:3]
with open(src, "rb") as f:
    w = IncrementalPdfFileWriter(f)
    sig = w.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Sig"), pdf_name("/Filter"): pdf_name("/Adobe.PPKLite"),
        pdf_name("/SubFilter"): pdf_name("/ETSI.CAdES.detached"),
        pdf_name("/ByteRange"): generic.ArrayObject([generic.NumberObject(0)] * 4),
        pdf_name("/Contents"): generic.ByteStringObject(b"\x00")}))
    field = w.add_object(generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Sig"), pdf_name("/T"): generic.TextStringObject("Late"), pdf_name("/V"): sig}))
    form = w.root["/AcroForm"]
    form["/Fields"].append(field)
    w.update_container(form["/Fields"] if isinstance(form.raw_get("/Fields"), generic.IndirectObject) else form)
    with open(dst, "wb") as out:
        w.write(out)
"#;
    let run = tool("python", &["-c", add_script, &src, &dst]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let i = signet_pdf::inspect(std::io::Cursor::new(std::fs::read(&signed).unwrap()), None).unwrap();
    let s = i.signatures.iter().find(|s| s.field_name == "Signature1").unwrap();
    assert_eq!(s.certification, Some(signet_pdf::DocMdp::NoChanges));
    assert!(!s.is_untouched(), "{:?}", s.later_changes);
    assert!(
        s.later_changes.iter().any(|c| !c.allowed && c.description.contains("DocMDP P=1")),
        "{:?}",
        s.later_changes
    );
}
