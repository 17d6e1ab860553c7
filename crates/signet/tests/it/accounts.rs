//! `/v1/accounts` against the real server, on SQLite + disk and on PostgreSQL + S3.

use reqwest::Method;
use serde_json::json;

use crate::support::{Api, Backend};

const PERSON_ID: &str = "11010519491231002X";

fn person(name: &str, id_number: &str, third_id: &str) -> serde_json::Value {
    json!({"type": "person", "name": name, "idType": "resident_id", "idNumber": id_number,
           "mobile": "13800138000", "thirdId": third_id})
}

fn account_lifecycle(backend: Backend) {
    let api = Api::start(backend);

    // A person: validated, certificate issued, ID number masked.
    let created = api.post("/v1/accounts", &person("张三", PERSON_ID, "crm-1"));
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.body["idNumberMasked"], "110***********002X");
    assert!(created.body["number"].as_i64().unwrap() > 0);
    let serial = created.body["certificateSerial"].as_str().unwrap().to_owned();

    // Its certificate names the person, hides the ID number and chains to the CA bundle.
    let pem = api.get(&format!("/v1/accounts/{id}/certificate"));
    assert_eq!(pem.status, 200);
    let pem = pem.body.as_str().unwrap().to_owned();
    let subject = openssl(&["x509", "-noout", "-subject", "-nameopt", "utf8"], &pem);
    assert!(subject.contains("张三") && subject.contains("SGID1-"), "subject: {subject}");
    assert!(!subject.contains(PERSON_ID), "the ID number must not appear in clear");
    let bundle = api.server.url("/pki/ca.pem");
    let bundle = reqwest::blocking::get(bundle).unwrap().text().unwrap();
    assert!(openssl_verify(&bundle, &pem), "account certificate chains to /pki/ca.pem");

    // Lookups, by third id and by ID number (in any letter case).
    assert_eq!(api.get("/v1/accounts?thirdId=crm-1").body["id"], id.as_str());
    assert_eq!(api.get("/v1/accounts?idType=resident_id&idNumber=11010519491231002x").body["id"], id.as_str());
    assert_eq!(api.get("/v1/accounts?thirdId=nobody").status, 404);
    assert_eq!(api.get("/v1/accounts").status, 400);

    // Duplicates within the app are conflicts.
    assert_eq!(api.post("/v1/accounts", &person("李四", PERSON_ID, "crm-2")).status, 409);
    assert_eq!(api.post("/v1/accounts", &person("李四", "110101202311012176", "crm-1")).status, 409);

    // Bad identity data names the field.
    let bad = api.post("/v1/accounts", &person("王五", "110101202311012171", "crm-3"));
    assert_eq!((bad.status, bad.body["code"].as_str()), (400, Some("invalid_input")));
    assert!(bad.body["message"].as_str().unwrap().contains("idNumber"));
    let bad = api.post("/v1/accounts", &json!({"type": "person", "name": "王五", "idType": "uscc", "idNumber": "x"}));
    assert!(bad.body["message"].as_str().unwrap().contains("idType"));
    let bad = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": "王五", "idType": "resident_id",
                                                "idNumber": "110101202311012176", "mobile": "12345"}),
    );
    assert!(bad.body["message"].as_str().unwrap().contains("mobile"));
    let bad = api.post("/v1/accounts", &json!({"type": "robot", "name": "x", "idType": "uscc", "idNumber": "x"}));
    assert_eq!(bad.status, 400);

    // An organisation with its agent; a pilot USCC needs an explicit waiver, which is audited.
    let org = json!({"type": "org", "name": "某某科技有限公司", "idType": "uscc", "idNumber": "91350100M0001TGQXM",
                     "agentId": id});
    let refused = api.post("/v1/accounts", &org);
    assert_eq!(refused.status, 400);
    assert!(refused.body["message"].as_str().unwrap().contains("waiveUsccCheck"));
    let mut waived = org.clone();
    waived["waiveUsccCheck"] = json!(true);
    let org = api.post("/v1/accounts", &waived);
    assert_eq!(org.status, 201, "{:?}", org.body);
    assert_eq!(org.body["agentId"], id.as_str());
    let org_id = org.body["id"].as_str().unwrap();
    let audit = api.get(&format!("/v1/accounts/{org_id}/audit"));
    assert_eq!(audit.body["intact"], true);
    assert_eq!(audit.body["entries"][0]["detail"]["usccCheckWaived"], true);
    let bad_agent = json!({"type": "org", "name": "另一公司", "idType": "uscc", "idNumber": "12100000400009880K",
                           "agentId": org_id});
    assert!(api.post("/v1/accounts", &bad_agent).body["message"].as_str().unwrap().contains("agentId"));

    // A new name gets a new certificate; the audit trail records it and stays intact.
    let renamed = api.patch(&format!("/v1/accounts/{id}"), &json!({"name": "张三丰", "email": "zs@example.com"}));
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    assert_ne!(renamed.body["certificateSerial"].as_str().unwrap(), serial);
    let audit = api.get(&format!("/v1/accounts/{id}/audit"));
    let actions: Vec<&str> =
        audit.body["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["account.created", "account.updated"]);
    assert_eq!(audit.body["intact"], true);

    // Another app sees nothing of this app's accounts.
    let other = api.other_app_token();
    for (method, path) in [
        (Method::GET, format!("/v1/accounts/{id}")),
        (Method::PATCH, format!("/v1/accounts/{id}")),
        (Method::DELETE, format!("/v1/accounts/{id}")),
        (Method::GET, format!("/v1/accounts/{id}/certificate")),
        (Method::GET, format!("/v1/accounts/{id}/audit")),
        (Method::GET, "/v1/accounts?thirdId=crm-1".to_owned()),
    ] {
        assert_eq!(api.as_token(method.clone(), &path, Some(&other)).status, 404, "{method} {path} with another app");
        assert_eq!(api.as_token(method.clone(), &path, None).status, 401, "{method} {path} without a token");
        assert_eq!(api.as_token(method.clone(), &path, Some("v1.e30.e30")).status, 401, "{method} {path} bad token");
    }
    assert_eq!(api.as_token(Method::POST, "/v1/accounts", None).status, 401);

    // Deactivation frees the ID number for a new account.
    let gone = api.delete(&format!("/v1/accounts/{id}"));
    assert_eq!(gone.body["status"], "deactivated");
    assert_eq!(api.post("/v1/accounts", &person("张三", PERSON_ID, "crm-1")).status, 201);
}

#[test]
fn accounts_on_sqlite_and_disk() {
    account_lifecycle(Backend::Embedded);
}

#[test]
fn accounts_on_postgres_and_s3() {
    account_lifecycle(Backend::PostgresS3);
}

/// Runs `openssl ARGS` with `input` on stdin and returns stdout.
fn openssl(args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("openssl")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("openssl must be installed");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `openssl verify` of `cert_pem` against the trust bundle.
fn openssl_verify(bundle_pem: &str, cert_pem: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let (bundle, cert) = (dir.path().join("ca.pem"), dir.path().join("cert.pem"));
    std::fs::write(&bundle, bundle_pem).unwrap();
    std::fs::write(&cert, cert_pem).unwrap();
    let status =
        std::process::Command::new("openssl").args(["verify", "-CAfile"]).arg(&bundle).arg(&cert).output().unwrap();
    status.status.success()
}
