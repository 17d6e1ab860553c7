//! Templates through the native API on both backends: a PDF with AcroForm fields becomes a
//! template, a document is made from it with Chinese text and appended pages, and that
//! document goes through a flow that signs it at a keyword of the filled text.

use std::path::PathBuf;
use std::process::Command;

use reqwest::Method;
use serde_json::json;

use crate::support::{Api, Backend};
use crate::validators::{assert_qpdf_clean, assert_served_pdf_valid, red_pixels, render_page};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name)
}

fn pdftotext(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext must be installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect()
}

fn templates_life(backend: Backend) {
    let api = Api::start(backend);
    let template_pdf = api.upload("租赁合同模板.pdf", std::fs::read(fixture("template.pdf")).unwrap());
    assert_eq!(template_pdf.status, 201, "{:?}", template_pdf.body);
    let template_file = template_pdf.body["id"].as_str().unwrap().to_owned();
    let plain = api.upload("contract.pdf", std::fs::read(fixture("contract.pdf")).unwrap());
    let plain_file = plain.body["id"].as_str().unwrap().to_owned();

    let openapi = api.get("/openapi.json");
    for path in ["/v1/templates", "/v1/templates/{id}", "/v1/templates/{id}/documents"] {
        assert!(openapi.body["paths"][path].is_object(), "{path} in /openapi.json");
    }

    // A template: the field list is read from the PDF.
    let created = api.post("/v1/templates", &json!({"fileId": template_file, "name": "房屋租赁合同"}));
    assert_eq!(created.status, 201, "{:?}", created.body);
    let template = created.body["id"].as_str().unwrap().to_owned();
    let fetched = api.get(&format!("/v1/templates/{template}"));
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["name"], "房屋租赁合同");
    let fields = fetched.body["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 8, "{fields:?}");
    let id_card = fields.iter().find(|f| f["name"] == "idCardNo").unwrap();
    assert_eq!((id_card["maxLen"].as_i64(), id_card["comb"].as_bool()), (Some(18), Some(true)));
    assert_eq!(fields.iter().find(|f| f["name"] == "rent").unwrap()["align"], "right");
    assert!(fields.iter().find(|f| f["name"] == "terms").unwrap()["multiline"].as_bool().unwrap());

    // Bad input: a PDF without a form, unknown ids, unknown fields, too long, missing glyphs.
    let no_form = api.post("/v1/templates", &json!({"fileId": plain_file}));
    assert_eq!((no_form.status, no_form.body["code"].as_str()), (400, Some("invalid_input")), "{:?}", no_form.body);
    assert!(no_form.body["message"].as_str().unwrap().contains("AcroForm"));
    assert_eq!(api.post("/v1/templates", &json!({"fileId": "file_nope"})).status, 404);
    assert_eq!(api.get("/v1/templates/tpl_nope").status, 404);
    let docs = format!("/v1/templates/{template}/documents");
    for (body, needle) in [
        (json!({"fields": {"nobody": "x"}}), "nobody"),
        (json!({"fields": {"contractNo": "一二三四五六七八九十一二三四五六七八九十一"}}), "contractNo"),
        (json!({"fields": {"partyA": "张\u{20000}"}}), "U+20000"),
        (json!({"append": [{"type": "pdf", "fileId": "file_nope"}]}), "file_nope"),
        (json!({"append": [{"type": "video"}]}), "append"),
    ] {
        let reply = api.post(&docs, &body);
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        assert!(reply.body["message"].as_str().unwrap().contains(needle), "{body}: {:?}", reply.body);
    }

    // Another app sees nothing of it.
    let other = api.other_app_token();
    for (method, path) in [
        (Method::GET, format!("/v1/templates/{template}")),
        (Method::POST, format!("/v1/templates/{template}/documents")),
    ] {
        assert_eq!(api.as_token(method.clone(), &path, Some(&other)).status, 404, "{path}");
        assert_eq!(api.as_token(method, &path, None).status, 401, "{path}");
    }
    let foreign = api.as_token_with(Method::POST, "/v1/templates", Some(&other), &json!({"fileId": template_file}));
    assert_eq!(foreign.status, 404, "another app's file");

    // A document from the template: Chinese values, a PDF chunk and an HTML chunk.
    let made = api.post(
        &docs,
        &json!({
            "name": "租赁合同-张三.pdf",
            "fields": {"partyA": "上海某某科技有限公司", "partyB": "张三", "rent": "5,000.00",
                       "idCardNo": "110108196710262291", "terms": "一、乙方应按时支付租金。\n二、押金壹万元整。",
                       "address": "北京市海淀区中关村大街1号"},
            "append": [{"type": "pdf", "fileId": plain_file},
                       {"type": "html", "html": "<h2>附件：交接清单</h2><table><tr><th>物品</th><th>数量</th></tr><tr><td>钥匙</td><td>3</td></tr></table>"}]
        }),
    );
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.body["pages"], 2 + 2 + 1);
    let doc = made.body["id"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let (status, bytes) = api.get_bytes(&format!("/v1/files/{doc}/content"));
    assert_eq!(status, 200);
    let filled = dir.path().join("filled.pdf");
    std::fs::write(&filled, &bytes).unwrap();
    assert_qpdf_clean(&filled);
    let text = pdftotext(&filled);
    for expected in
        ["上海某某科技有限公司", "张三", "北京市海淀区中关村大街1号", "电子合同测试样本", "交接清单", "钥匙"]
    {
        assert!(text.contains(expected), "{expected} in {text}");
    }

    // The made document is an ordinary file: a flow signs it at a keyword of the filled text.
    let signer = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": "张三", "idType": "resident_id", "idNumber": "11010519491231002X", "mobile": "13800138000"}),
    );
    let signer = signer.body["id"].as_str().unwrap().to_owned();
    let seal = api.post(
        &format!("/v1/accounts/{signer}/seals"),
        &json!({"template": {"kind": "person", "name": "张三", "form": "square", "color": "red"}}),
    );
    assert_eq!(seal.status, 201, "{:?}", seal.body);
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    api.post(&format!("/v1/accounts/{signer}/authorizations"), &json!({"scope": "auto_sign", "expiresAt": expires}));
    let flow = api.post(
        "/v1/flows",
        &json!({"title": "租赁合同", "documents": [{"fileId": doc}],
                "signers": [{"accountId": signer, "order": 1, "fields": [{"keyword": "某某科技"}]}]}),
    );
    assert_eq!(flow.status, 201, "{:?}", flow.body);
    let flow = flow.body["id"].as_str().unwrap().to_owned();
    assert_eq!(api.post(&format!("/v1/flows/{flow}/start"), &json!({})).status, 200);
    let signed = api.post(&format!("/v1/flows/{flow}/signers/{signer}/sign"), &json!({"mode": "auto"}));
    assert_eq!(signed.status, 200, "{:?}", signed.body);
    let (status, bytes) = api.get_bytes(&format!("/v1/flows/{flow}/documents/0/content"));
    assert_eq!(status, 200);
    let pdf = assert_served_pdf_valid(&api, dir.path(), &bytes, 1);
    // partyA's box is [160, 692, 410, 714]: the seal is centred on the filled company name.
    let page1 = render_page(&pdf, 1);
    assert!(red_pixels(&page1, 160.0, 660.0, 410.0, 746.0) > 200, "seal on the filled text");
}

#[test]
fn templates_on_sqlite_and_disk() {
    templates_life(Backend::Embedded);
}

#[test]
fn templates_on_postgres_and_s3() {
    templates_life(Backend::PostgresS3);
}
