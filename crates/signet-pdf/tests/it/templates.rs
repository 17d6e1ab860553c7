//! Templates: AcroForm text fields read, filled with the bundled CJK font, flattened, pages
//! appended; every output checked by qpdf, pdftotext, pdftoppm and (signed) pyHanko.

use crate::support::*;
use signet_pdf::PdfError;
use signet_pdf::form::{Align, Chunk, FillRequest, Filled, fill, text_fields};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn font() -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../signet-seal/fonts/hei-noto-sans-cjk-sc.otf");
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn run_fill(
    template: &[u8],
    v: &BTreeMap<String, String>,
    append: &[Chunk],
    flatten: bool,
) -> Result<Filled, PdfError> {
    let font = font();
    fill(&FillRequest { template, values: v, append, flatten, font: &font, max_appended_pages: 10 })
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

fn pdftotext(pdf: &Path, page: Option<usize>) -> String {
    let file = pdf.to_string_lossy().into_owned();
    let mut args = vec![];
    let p;
    if let Some(n) = page {
        p = n.to_string();
        args.extend(["-f", p.as_str(), "-l", p.as_str()]);
    }
    args.extend([file.as_str(), "-"]);
    let out = tool("pdftotext", &args);
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Dark pixels inside a rectangle of the page (points, origin bottom-left; 72 dpi render).
fn ink_in(r: &Raster, rect: [f64; 4]) -> usize {
    let h = r.height as f64;
    let (x0, x1) = (rect[0].max(0.0) as usize, rect[2].min(r.width as f64) as usize);
    let (y0, y1) = ((h - rect[3]).max(0.0) as usize, (h - rect[1]).min(h) as usize);
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y * r.width + x) * 3;
            if r.rgb[i] < 128 && r.rgb[i + 1] < 128 && r.rgb[i + 2] < 128 {
                n += 1;
            }
        }
    }
    n
}

fn no_spaces(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

const TERMS: &str = "一、乙方应按时支付租金，逾期超过十五日的，甲方有权解除本合同。\n二、租赁期间，房屋及其附属设施的日常维修由乙方负责；主体结构的维修由甲方负责。";

#[test]
fn reads_text_fields_with_their_attributes() {
    let fields = text_fields(&fixture_bytes("template.pdf")).expect("fields");
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["contractNo", "partyA", "partyB", "rent", "idCardNo", "terms", "signDate", "address"]);
    let get = |n: &str| fields.iter().find(|f| f.name == n).expect(n);
    assert_eq!(get("contractNo").max_len, Some(20));
    assert_eq!(get("partyA").font_size, 12.0);
    assert_eq!(get("partyB").font_size, 0.0, "auto size");
    assert_eq!(get("rent").align, Align::Right);
    assert_eq!(get("signDate").align, Align::Center);
    assert!(get("terms").multiline && !get("partyA").multiline);
    assert!(get("idCardNo").comb && get("idCardNo").max_len == Some(18));
    assert_eq!(get("address").page, 2);
    assert_eq!(get("partyA").page, 1);
    let r = get("partyA").rect;
    assert!((r[0] - 160.0).abs() < 0.5 && (r[1] - 692.0).abs() < 0.5 && (r[2] - 410.0).abs() < 0.5, "{r:?}");
}

fn filled_values() -> BTreeMap<String, String> {
    values(&[
        ("contractNo", "HT-2026-0001"),
        ("partyA", "上海某某科技有限公司"),
        ("partyB", "张三"),
        ("rent", "5,000.00"),
        ("idCardNo", "110108196710262291"),
        ("terms", TERMS),
        ("signDate", "2026年12月3日"),
        ("address", "北京市海淀区中关村大街1号"),
    ])
}

#[test]
fn fills_chinese_text_that_is_extractable_searchable_and_drawn_in_the_fields() {
    let template = fixture_bytes("template.pdf");
    let fields = text_fields(&template).expect("fields");
    for flatten in [false, true] {
        let filled = run_fill(&template, &filled_values(), &[], flatten).expect("fill");
        assert_eq!(filled.pages, 2);
        let dir = tempfile::tempdir().expect("tempdir");
        let out = write(&dir, "filled.pdf", &filled.pdf);
        assert_qpdf_check(&out, None);
        let text = no_spaces(&pdftotext(&out, None));
        for expected in
            ["上海某某科技有限公司", "张三", "HT-2026-0001", "5,000.00", "北京市海淀区中关村大街1号", "2026年12月3日"]
        {
            assert!(text.contains(expected), "flatten={flatten}: {expected} not extracted from {text}");
        }
        assert!(text.contains("乙方应按时支付租金"), "multiline text: {text}");
        // Flattened, the filled text is page text: our own keyword search finds it in its field
        // (keyword search reads page content only, not the appearances of open fields).
        let hits = signet_pdf::locate(std::io::Cursor::new(&filled.pdf), "某某科技", None).expect("locate");
        let party_a = fields.iter().find(|f| f.name == "partyA").expect("partyA").rect;
        assert_eq!(hits.len(), usize::from(flatten), "flatten={flatten}: {hits:?}");
        for hit in &hits {
            let (cx, cy) = ((hit.rect[0] + hit.rect[2]) / 2.0, (hit.rect[1] + hit.rect[3]) / 2.0);
            assert!(
                cx > party_a[0] && cx < party_a[2] && cy > party_a[1] && cy < party_a[3],
                "{hits:?} vs {party_a:?}"
            );
        }
        // Ink inside every filled field's box on the rendered pages.
        let pages = [Raster::render(&out, 1, None), Raster::render(&out, 2, None)];
        for f in &fields {
            let ink = ink_in(&pages[f.page - 1], f.rect);
            assert!(ink > 20, "flatten={flatten}: field {} has {ink} dark pixels", f.name);
        }
        // The bordered comb field keeps its border and shows its 18 cells (/MK /BC, /BS /W 1).
        let id_card = fields.iter().find(|f| f.name == "idCardNo").expect("idCardNo").rect;
        let top_edge = [id_card[0], id_card[3] - 2.0, id_card[2], id_card[3]];
        assert!(ink_in(&pages[0], top_edge) as f64 > (id_card[2] - id_card[0]) * 0.8, "flatten={flatten}: border");
        // 18 cells of 20 pt: the first separator at x0 + 20, clear of the digits centred in their cells.
        let between_digits = [id_card[0] + 18.5, id_card[1] + 3.0, id_card[0] + 21.5, id_card[3] - 3.0];
        assert!(ink_in(&pages[0], between_digits) >= 10, "flatten={flatten}: a cell separator");
        // The right-aligned amount ends near the right edge; the left half stays empty.
        let rent = fields.iter().find(|f| f.name == "rent").expect("rent").rect;
        let left_half = [rent[0], rent[1], (rent[0] + rent[2]) / 2.0 - 10.0, rent[3]];
        assert_eq!(ink_in(&pages[0], left_half), 0, "right alignment");
        match text_fields(&filled.pdf) {
            Ok(left) if !flatten => assert_eq!(left.len(), fields.len()),
            Err(PdfError::NoForm) if flatten => {}
            other => panic!("flatten={flatten}: fields after filling: {other:?}"),
        }
    }
}

#[test]
fn filled_values_are_stored_in_the_fields_and_the_font_is_a_small_subset() {
    let filled = run_fill(&fixture_bytes("template.pdf"), &filled_values(), &[], false).expect("fill");
    let s = String::from_utf8_lossy(&filled.pdf);
    assert!(s.contains("/Subtype /Type0") || s.contains("/Subtype/Type0"), "a Type0 font");
    assert!(s.contains("Identity-H") && s.contains("/ToUnicode"));
    assert!(filled.pdf.len() < 120_000, "subset font keeps the file small: {} bytes", filled.pdf.len());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = write(&dir, "filled.pdf", &filled.pdf);
    let dump = tool("qpdf", &["--json", "--json-key=acroform", &out.to_string_lossy()]);
    let json = String::from_utf8_lossy(&dump.stdout);
    assert!(json.contains("上海某某科技有限公司"), "the field value /V: {json}");
}

#[test]
fn appends_pdf_pages_and_html_pages() {
    let html = "<h1>补充条款</h1><p>本补充条款与主合同具有<strong>同等法律效力</strong>。</p>\
                <table><tr><th>项目</th><th>金额（元）</th></tr><tr><td>押金</td><td>10,000</td></tr></table>"
        .to_string();
    let long: String =
        (1..=120).map(|i| format!("<p>第{i}条 双方应当遵守诚实信用原则，全面履行本合同约定的各项义务。</p>")).collect();
    let append = [Chunk::Pdf(fixture_bytes("contract.pdf")), Chunk::Html(html), Chunk::Html(long)];
    let filled =
        run_fill(&fixture_bytes("template.pdf"), &values(&[("partyB", "李四")]), &append, false).expect("fill");
    assert!(filled.appended_pages >= 2 + 1 + 2, "{}", filled.appended_pages);
    assert_eq!(filled.pages, 2 + filled.appended_pages);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = write(&dir, "appended.pdf", &filled.pdf);
    assert_qpdf_check(&out, None);
    // The appended contract keeps its own embedded font and text.
    assert!(no_spaces(&pdftotext(&out, Some(3))).contains("电子合同测试样本"));
    let html_page = no_spaces(&pdftotext(&out, Some(5)));
    for expected in ["补充条款", "同等法律效力", "押金", "10,000", "金额（元）"] {
        assert!(html_page.contains(expected), "{expected} in {html_page}");
    }
    // Long HTML wraps onto further pages, in order, nothing lost.
    let all = no_spaces(&pdftotext(&out, None));
    assert!(all.contains("第1条") && all.contains("第120条"));
    assert!(Raster::render(&out, filled.pages, None).rgb.iter().any(|&b| b < 100), "ink on the last page");
}

#[test]
fn too_many_appended_pages_is_refused() {
    let long: String = (1..=2000).map(|i| format!("<p>第{i}条 内容。</p>")).collect();
    let err = run_fill(&fixture_bytes("template.pdf"), &BTreeMap::new(), &[Chunk::Html(long)], false).unwrap_err();
    assert!(matches!(err, PdfError::InvalidRequest(ref m) if m.contains("10 pages")), "{err}");
}

#[test]
fn bad_fills_give_errors_that_name_the_problem() {
    let template = fixture_bytes("template.pdf");
    let err = run_fill(&template, &values(&[("nobody", "x")]), &[], false).unwrap_err();
    assert!(matches!(err, PdfError::UnknownField(ref n) if n == "nobody"), "{err}");
    let err = run_fill(&template, &values(&[("contractNo", "一二三四五六七八九十一二三四五六七八九十一")]), &[], false)
        .unwrap_err();
    assert!(
        matches!(err, PdfError::ValueTooLong { ref field, max_len: 20, len: 21 } if field == "contractNo"),
        "{err}"
    );
    let err = run_fill(&template, &values(&[("partyA", "张\u{20000}")]), &[], false).unwrap_err();
    assert!(
        matches!(err, PdfError::MissingGlyph { ch: '\u{20000}', ref context, .. } if context.contains("partyA")),
        "{err}"
    );
    assert!(err.to_string().contains("U+20000"), "{err}");
    let err = run_fill(b"hello, not a pdf", &BTreeMap::new(), &[], false).unwrap_err();
    assert!(matches!(err, PdfError::NotPdf(_)), "{err}");
    let err = run_fill(&fixture_bytes("contract.pdf"), &values(&[("a", "b")]), &[], false).unwrap_err();
    assert!(matches!(err, PdfError::NoForm), "{err}");
    assert!(matches!(text_fields(&fixture_bytes("contract.pdf")), Err(PdfError::NoForm)));
    let err = run_fill(&template, &BTreeMap::new(), &[Chunk::Pdf(b"%PDF-1.4 junk".to_vec())], false).unwrap_err();
    assert!(matches!(err, PdfError::BrokenXref(_) | PdfError::Malformed(_) | PdfError::NotPdf(_)), "{err}");
    let err = run_fill(&fixture_bytes("pyhanko-signed.pdf"), &BTreeMap::new(), &[], false).unwrap_err();
    assert!(matches!(err, PdfError::InvalidRequest(ref m) if m.contains("signed")), "{err}");
    assert!(matches!(text_fields(&fixture_bytes("pyhanko-signed.pdf")), Err(PdfError::InvalidRequest(_))));
    let err = run_fill(&fixture_bytes("aes256-owner.pdf"), &BTreeMap::new(), &[], false).unwrap_err();
    assert!(matches!(err, PdfError::UnsupportedEncryption(_)), "encrypted templates are refused: {err}");
    let err = run_fill(&template, &BTreeMap::new(), &[Chunk::Html("<p>\u{1F600}</p>".into())], false).unwrap_err();
    assert!(matches!(err, PdfError::MissingGlyph { ref context, .. } if context == "html chunk 1"), "{err}");
}

#[test]
fn a_filled_document_signs_and_validates() {
    for flatten in [false, true] {
        let filled = run_fill(&fixture_bytes("template.pdf"), &filled_values(), &[], flatten).expect("fill");
        let req =
            seal_request(vec![signet_pdf::Placement::Keyword { text: "乙方签章".into(), offset: (60.0, 0.0) }]);
        let (_d, out, _) = sign_to_file(&filled.pdf, &req, &OpensslSigner::new("signer1"));
        assert_all_valid(&out, 1);
    }
}
