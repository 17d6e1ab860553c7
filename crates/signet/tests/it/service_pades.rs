//! The service's own signatures are PAdES B-LTA by default: the flow signer's signature, a DSS
//! with the signer's and the TSA's paths and OCSP answers from the built-in responder, and a
//! document timestamp; pyHanko's AdES LTA validation accepts them from embedded data only.
//! The level is a setting (`SIGNET_PADES_LEVEL`).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::cli_support::signet_verify;
use crate::support::{Api, Backend};
use crate::validators::{assert_lta_valid, assert_pdfsig_valid, assert_pyhanko_valid};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name)
}

/// A person with a default seal and a silent-sign authorization.
pub fn signer(api: &Api, name: &str, id_number: &str) -> String {
    let reply = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": name, "idType": "resident_id", "idNumber": id_number, "mobile": "13800138000"}),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let seal = api.post(&format!("/v1/accounts/{id}/seals"), &json!({"template": {"kind": "person", "name": name}}));
    assert_eq!(seal.status, 201, "{:?}", seal.body);
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let granted =
        api.post(&format!("/v1/accounts/{id}/authorizations"), &json!({"scope": "auto_sign", "expiresAt": expires}));
    assert_eq!(granted.status, 201, "{:?}", granted.body);
    id
}

/// Runs a flow with `signers` (in order, each at coordinates) and returns the PDF.
pub fn signed_flow_document(api: &Api, signers: &[String], dir: &Path) -> PathBuf {
    run_flow(api, signers, dir, &json!({"mode": "auto"})).0
}

/// Runs a flow, each signer signing with `sign_body`; returns the PDF and the flow id.
pub fn run_flow(api: &Api, signers: &[String], dir: &Path, sign_body: &Value) -> (PathBuf, String) {
    let uploaded = api.upload("contract.pdf", std::fs::read(fixture("contract.pdf")).unwrap());
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    let file_id = uploaded.body["id"].as_str().unwrap();
    let entries: Vec<Value> = signers
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"accountId": id, "order": i + 1, "fields": [{"page": 2, "x": 150 + 150 * i, "y": 200}]}))
        .collect();
    let flow = api.post("/v1/flows", &json!({"title": "LTA", "documents": [{"fileId": file_id}], "signers": entries}));
    assert_eq!(flow.status, 201, "{:?}", flow.body);
    let flow_id = flow.body["id"].as_str().unwrap().to_owned();
    assert_eq!(api.post(&format!("/v1/flows/{flow_id}/start"), &json!({})).status, 200);
    for id in signers {
        let signed = api.post(&format!("/v1/flows/{flow_id}/signers/{id}/sign"), sign_body);
        assert_eq!(signed.status, 200, "{:?}", signed.body);
    }
    let (status, bytes) = api.get_bytes(&format!("/v1/flows/{flow_id}/documents/0/content"));
    assert_eq!(status, 200);
    let path = dir.join(format!("{flow_id}.pdf"));
    std::fs::write(&path, bytes).unwrap();
    (path, flow_id)
}

/// The root certificate alone (PEM), so every certificate below it must be proven unrevoked.
pub fn root_only(api: &Api, dir: &Path) -> PathBuf {
    let (status, der) = api.get_bytes("/pki/ca/root.cer");
    assert_eq!(status, 200);
    let path = dir.join("root.pem");
    std::fs::write(&path, signet_core::pem_certificate(&der)).unwrap();
    path
}

/// (document timestamps, signatures) as `signet verify --json` reports them.
fn kinds(pdf: &Path, ca: &Path) -> (usize, usize) {
    let (ok, report) = signet_verify(pdf, ca, &["--json"]);
    assert!(ok, "{report}");
    let report: Value = serde_json::from_str(&report).unwrap();
    let all = report["signatures"].as_array().unwrap();
    let stamps = all.iter().filter(|s| s["documentTimestamp"] == true).count();
    (stamps, all.len() - stamps)
}

#[test]
fn flow_signatures_are_b_lta_by_default() {
    let api = Api::start(Backend::Embedded);
    let alice = signer(&api, "张三", "11010519491231002X");
    let bob = signer(&api, "李四", "110105198001010016");
    let dir = tempfile::tempdir().unwrap();
    let pdf = signed_flow_document(&api, &[alice, bob], dir.path());
    let bundle = api.ca_file(dir.path());
    // Each signing appended signature, DSS and document timestamp.
    assert_eq!(kinds(&pdf, &bundle), (2, 2));
    let text = String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).into_owned();
    assert!(text.contains("/DSS") && text.contains("/OCSPs"), "the file carries a DSS with OCSP responses");
    assert_lta_valid(&pdf, &root_only(&api, dir.path()));
    assert_pyhanko_valid(&pdf, &bundle, 2);
    assert_pdfsig_valid(&pdf, &bundle, 2);
}

#[test]
fn the_level_is_a_setting() {
    let api = Api::start_with(Backend::Embedded, &[("SIGNET_PADES_LEVEL", "B-T")]);
    let alice = signer(&api, "张三", "11010519491231002X");
    let dir = tempfile::tempdir().unwrap();
    let pdf = signed_flow_document(&api, &[alice], dir.path());
    let bundle = api.ca_file(dir.path());
    assert_eq!(kinds(&pdf, &bundle), (0, 1));
    assert!(!String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).contains("/DSS"), "B-T has no DSS");
    assert_pyhanko_valid(&pdf, &bundle, 1);

    let lt = Api::start_with(Backend::Embedded, &[("SIGNET_PADES_LEVEL", "b-lt")]);
    let carol = signer(&lt, "王五", "11010519491231002X");
    let pdf = signed_flow_document(&lt, &[carol], dir.path());
    assert_eq!(kinds(&pdf, &lt.ca_file(dir.path())), (0, 1));
    assert!(String::from_utf8_lossy(&std::fs::read(&pdf).unwrap()).contains("/OCSPs"), "B-LT has the DSS");
}

#[test]
fn an_unknown_level_is_a_startup_error() {
    let data = tempfile::tempdir().unwrap();
    let mut env = crate::support::backend_env(data.path(), Backend::Embedded);
    env.insert("SIGNET_PADES_LEVEL".into(), "B-LTX".into());
    let failure = crate::support::TestServer::try_spawn(&env).err().expect("the server must refuse to start");
    assert!(failure.stderr.contains("pades_level"), "{}", failure.stderr);
}
