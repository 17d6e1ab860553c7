//! The whole life of a two-signer flow against the real server, on both backends: accounts,
//! seals, upload, ordered automatic signing, download, audit, callbacks with their HMAC.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method;
use serde_json::json;
use sha2::Sha256;

use crate::callbacks::Receiver;
use crate::support::{Api, Backend};
use crate::validators::{assert_served_pdf_valid, red_pixels, render_page};

const HOOK_SECRET: &str = "hook-secret-42";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name)
}

fn person(api: &Api, name: &str, id_number: &str) -> String {
    let reply = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": name, "idType": "resident_id", "idNumber": id_number, "mobile": "13800138000"}),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

fn two_signer_flow(backend: Backend) {
    let hook = Receiver::start(vec![500]);
    let api = Api::start_with(
        backend,
        &[
            ("SIGNET_CALLBACK_ALLOW_PRIVATE", "true"),
            ("SIGNET_WORKER_INTERVAL_MS", "100"),
            ("SIGNET_CALLBACK_RETRY_SECS", "1"),
            ("SIGNET_BOOTSTRAP_CALLBACK_URL", &hook.url),
            ("SIGNET_BOOTSTRAP_CALLBACK_SECRET", HOOK_SECRET),
        ],
    );

    // Accounts: a person, and an organisation acting through that person.
    let alice = person(&api, "张三", "11010519491231002X");
    let org = api.post(
        "/v1/accounts",
        &json!({"type": "org", "name": "杭州测试科技有限公司", "idType": "uscc", "idNumber": "12100000400009880K",
                "agentId": alice}),
    );
    assert_eq!(org.status, 201, "{:?}", org.body);
    let org = org.body["id"].as_str().unwrap().to_owned();

    // Seals: a person template seal and a company seal.
    let alice_seal = api.post(
        &format!("/v1/accounts/{alice}/seals"),
        &json!({"template": {"kind": "person", "name": "张三", "form": "square", "color": "red"}}),
    );
    assert_eq!(alice_seal.status, 201, "{:?}", alice_seal.body);
    assert_eq!(alice_seal.body["isDefault"], true);
    let org_seal = api.post(
        &format!("/v1/accounts/{org}/seals"),
        &json!({"name": "合同专用章", "template": {"kind": "company", "name": "杭州测试科技有限公司",
                "horizontalText": "合同专用章", "code": "3301060012345"}}),
    );
    assert_eq!(org_seal.status, 201, "{:?}", org_seal.body);
    let org_seal = org_seal.body["id"].as_str().unwrap().to_owned();
    let (status, png) = api.get_bytes(&format!("/v1/seals/{org_seal}/image"));
    assert_eq!((status, &png[1..4]), (200, &b"PNG"[..]));
    // A person template for an organisation is refused, naming the field.
    let wrong =
        api.post(&format!("/v1/accounts/{org}/seals"), &json!({"template": {"kind": "person", "name": "张三"}}));
    assert_eq!(wrong.status, 400);

    // Upload: multipart, and a direct PUT to an upload URL with its Content-MD5 checked.
    let contract = std::fs::read(fixture("contract.pdf")).unwrap();
    let uploaded = api.upload("contract.pdf", contract.clone());
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    assert_eq!(uploaded.body["pages"], 2);
    let file_id = uploaded.body["id"].as_str().unwrap().to_owned();
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5_of(&contract));
    let ticket = api.post(
        "/v1/files/upload-url",
        &json!({"name": "copy.pdf", "contentMd5": md5, "contentType": "application/pdf", "size": contract.len()}),
    );
    let url = ticket.body["uploadUrl"].as_str().unwrap().to_owned();
    let wrong_md5 = base64::engine::general_purpose::STANDARD.encode([0u8; 16]);
    let refused =
        api.put_raw(&url, &[("content-md5", &wrong_md5), ("content-type", "application/pdf")], contract.clone());
    assert_eq!(refused.status, 403);
    let put = api.put_raw(&url, &[("content-md5", &md5), ("content-type", "application/pdf")], contract.clone());
    assert_eq!(put.status, 201, "{:?}", put.body);
    assert_eq!(put.body["id"], ticket.body["fileId"]);
    let broken = api.upload("broken.pdf", b"%PDF-1.7\nnot really".to_vec());
    assert_eq!((broken.status, broken.body["code"].as_str()), (400, Some("invalid_input")));

    // The flow: the person first (at a keyword), then the company (coordinates + cross-page seal).
    let flow = api.post(
        "/v1/flows",
        &json!({
            "title": "采购合同",
            "documents": [{"fileId": file_id}],
            "signers": [
                {"accountId": alice, "order": 1, "fields": [{"keyword": "甲方盖章处", "offset": [0, 30]}]},
                {"accountId": org, "sealId": org_seal, "order": 2,
                 "fields": [{"page": 2, "x": 400, "y": 200}, {"crossPage": true}]}
            ]
        }),
    );
    assert_eq!(flow.status, 201, "{:?}", flow.body);
    let flow_id = flow.body["id"].as_str().unwrap().to_owned();
    assert_eq!(flow.body["status"], "draft");
    let sign = |account: &str, mode: &str| {
        api.post(&format!("/v1/flows/{flow_id}/signers/{account}/sign"), &json!({"mode": mode}))
    };
    assert_eq!(sign(&alice, "auto").status, 409, "a draft cannot be signed");
    assert_eq!(api.post(&format!("/v1/flows/{flow_id}/start"), &json!({})).body["status"], "signing");

    // Rules: no silent signing without an authorization; no signing out of turn.
    let unauthorised = sign(&alice, "auto");
    assert_eq!(unauthorised.status, 403, "{:?}", unauthorised.body);
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    for account in [&alice, &org] {
        let granted = api.post(
            &format!("/v1/accounts/{account}/authorizations"),
            &json!({"scope": "auto_sign", "expiresAt": expires}),
        );
        assert_eq!(granted.status, 201, "{:?}", granted.body);
    }
    let early = sign(&org, "auto");
    assert_eq!(early.status, 409, "out of turn: {:?}", early.body);
    assert!(early.body["message"].as_str().unwrap().contains("turn"));

    // Another app sees nothing.
    let other = api.other_app_token();
    for (method, path) in [
        (Method::GET, format!("/v1/flows/{flow_id}")),
        (Method::POST, format!("/v1/flows/{flow_id}/signers/{alice}/sign")),
        (Method::GET, format!("/v1/flows/{flow_id}/documents/0/content")),
        (Method::GET, format!("/v1/files/{file_id}")),
        (Method::GET, format!("/v1/seals/{org_seal}/image")),
    ] {
        let body = json!({"mode": "auto"});
        assert_eq!(api.as_token_with(method.clone(), &path, Some(&other), &body).status, 404, "{method} {path}");
        assert_eq!(api.as_token_with(method.clone(), &path, None, &body).status, 401, "{method} {path}");
    }

    // Ordered automatic signing completes the flow.
    let first = sign(&alice, "auto");
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["signers"][0]["status"], "signed");
    let second = sign(&org, "auto");
    assert_eq!(second.status, 200, "{:?}", second.body);
    assert_eq!(second.body["status"], "completed");
    assert_eq!(second.body["documents"][0]["revision"], 2);
    assert_eq!(sign(&org, "auto").status, 409, "nobody signs twice");

    // The signed document validates with both signatures; seals are where they were asked.
    let (status, signed) = api.get_bytes(&format!("/v1/flows/{flow_id}/documents/0/content"));
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let pdf = assert_served_pdf_valid(&api, dir.path(), &signed, 2);
    let page2 = render_page(&pdf, 2);
    assert!(red_pixels(&page2, 350.0, 150.0, 450.0, 250.0) > 200, "company seal at (400, 200)");
    assert!(red_pixels(&page2, 40.0, 110.0, 140.0, 200.0) > 100, "person seal above 甲方盖章处");
    assert!(red_pixels(&page2, 200.0, 500.0, 300.0, 600.0) == 0, "no ink where nothing was asked");
    let page1 = render_page(&pdf, 1);
    assert!(red_pixels(&page1, page1.0 as f64 - 40.0, 300.0, page1.0 as f64, 540.0) > 50, "cross-page slice on page 1");

    // The audit trail is complete and unbroken.
    let audit = api.get(&format!("/v1/flows/{flow_id}/audit"));
    assert_eq!(audit.body["intact"], true);
    let actions: Vec<&str> =
        audit.body["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["flow.created", "flow.started", "flow.signer.signed", "flow.signer.signed", "flow.completed"]);
    let signed_entry = &audit.body["entries"][2]["detail"];
    assert!(signed_entry["certificateSerial"].as_str().is_some());
    assert_ne!(signed_entry["documents"][0]["before"], signed_entry["documents"][0]["after"]);

    // Each signed revision and the completed flow were entered into the evidence log.
    assert_eq!(api.get("/v1/evidence/tree-head").body["treeSize"], 3);

    // Archive: only once completed.
    assert_eq!(api.post(&format!("/v1/flows/{flow_id}/archive"), &json!({})).body["archived"], true);

    // Callbacks arrive (the first attempt got a 500 and was retried), signed with the app's secret.
    let received = hook.wait_for(Duration::from_secs(30), |all| {
        let events: Vec<String> =
            all.iter().map(|r| r.json()["event"].as_str().unwrap_or_default().to_owned()).collect();
        ["flow.started", "flow.completed", "flow.archived"].iter().all(|e| events.iter().any(|x| x == e))
            && events.iter().filter(|e| *e == "flow.signer.signed").count() >= 2
    });
    for request in &received {
        let mut mac = Hmac::<Sha256>::new_from_slice(HOOK_SECRET.as_bytes()).unwrap();
        mac.update(request.body.as_bytes());
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(request.header("x-signet-signature"), Some(expected.as_str()), "HMAC of {}", request.body);
        assert_eq!(request.json()["flowId"], flow_id.as_str());
    }
}

#[test]
fn two_signer_flow_on_sqlite_and_disk() {
    two_signer_flow(Backend::Embedded);
}

#[test]
fn two_signer_flow_on_postgres_and_s3() {
    two_signer_flow(Backend::PostgresS3);
}

fn md5_of(data: &[u8]) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(data).into()
}

/// The latest code the outbox provider "sent" to `recipient`.
pub fn last_code(api: &Api, recipient: &str) -> String {
    let outbox = std::fs::read_to_string(api.data_path().join("outbox.jsonl")).expect("outbox.jsonl written");
    let line = outbox
        .lines()
        .rev()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|m| m["recipient"] == recipient)
        .expect("a message to the signer");
    assert!(line["text"].as_str().unwrap().contains("验证码"));
    line["purpose"]["code"].as_str().unwrap().to_owned()
}

#[test]
fn willingness_codes_guard_platform_signing() {
    let api = Api::start(Backend::Embedded);
    let signer = person(&api, "李四", "110101202311012176");
    let seal =
        api.post(&format!("/v1/accounts/{signer}/seals"), &json!({"template": {"kind": "person", "name": "李四"}}));
    assert_eq!(seal.status, 201);
    let file =
        api.upload("c.pdf", std::fs::read(fixture("contract.pdf")).unwrap()).body["id"].as_str().unwrap().to_owned();
    let flow = api.post(
        "/v1/flows",
        &json!({"title": "借款合同", "documents": [{"fileId": file}],
                "signers": [{"accountId": signer, "auth": "sms", "fields": [{"page": 1, "x": 300, "y": 300}]}]}),
    );
    let flow = flow.body["id"].as_str().unwrap().to_owned();
    api.post(&format!("/v1/flows/{flow}/start"), &json!({}));
    let sign = |body: serde_json::Value| api.post(&format!("/v1/flows/{flow}/signers/{signer}/sign"), &body);

    assert_eq!(sign(json!({"mode": "platform"})).status, 403, "a code is required");
    let sent = api.post(&format!("/v1/flows/{flow}/signers/{signer}/codes"), &json!({}));
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    assert_eq!(sent.body["recipient"], "138****8000");
    let again = api.post(&format!("/v1/flows/{flow}/signers/{signer}/codes"), &json!({}));
    assert_eq!(again.status, 429, "one code per minute");
    let code = last_code(&api, "13800138000");
    assert_eq!(code.len(), 6);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = sign(json!({"mode": "platform", "code": wrong}));
    assert_eq!(refused.status, 400);
    assert!(refused.body["message"].as_str().unwrap().contains("wrong"));
    let signed = sign(json!({"mode": "platform", "code": code}));
    assert_eq!(signed.status, 200, "{:?}", signed.body);
    assert_eq!(signed.body["status"], "completed");
    let audit = api.get(&format!("/v1/flows/{flow}/audit"));
    let actions: Vec<&str> =
        audit.body["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"willingness.code_sent"), "{actions:?}");
    assert!(!audit.body.to_string().contains(&code), "the code itself never reaches the audit trail");
}

#[test]
fn overdue_flows_expire_and_refuse_signing() {
    let api = Api::start_with(Backend::Embedded, &[("SIGNET_WORKER_INTERVAL_MS", "100")]);
    let signer = person(&api, "赵六", "440106198001011230");
    let file =
        api.upload("c.pdf", std::fs::read(fixture("contract.pdf")).unwrap()).body["id"].as_str().unwrap().to_owned();
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::seconds(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let flow = api.post(
        "/v1/flows",
        &json!({"title": "限时合同", "documents": [{"fileId": file}], "signers": [{"accountId": signer}], "expiresAt": soon}),
    );
    assert_eq!(flow.status, 201, "{:?}", flow.body);
    let flow = flow.body["id"].as_str().unwrap().to_owned();
    api.post(&format!("/v1/flows/{flow}/start"), &json!({}));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while api.get(&format!("/v1/flows/{flow}")).body["status"] != "expired" {
        assert!(std::time::Instant::now() < deadline, "the expiry job did not expire the flow");
        std::thread::sleep(Duration::from_millis(200));
    }
    let late = api.post(&format!("/v1/flows/{flow}/signers/{signer}/sign"), &json!({"mode": "platform"}));
    assert_eq!(late.status, 409);
    let actions = api.get(&format!("/v1/flows/{flow}/audit")).body["entries"].to_string();
    assert!(actions.contains("flow.expired"));
}
