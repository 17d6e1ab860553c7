//! Per-scene certificates: issued at signing time for one signing, valid minutes up to a day,
//! named in the audit trail; chosen per request (`"certificate": "scene"`) or by the deployment
//! (`SIGNET_SCENE_CERTIFICATES`).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::service_pades::{root_only, run_flow, signer};
use crate::support::{Api, Backend};
use crate::validators::assert_lta_valid;

/// (serial in upper-case hex, validity in seconds) of the first signature's signer certificate,
/// read by pyHanko.
fn signer_certificate(pdf: &Path) -> (String, i64) {
    let script = "import sys\nfrom pyhanko.pdf_utils.reader import PdfFileReader\n\
                  s = PdfFileReader(open(sys.argv[1], 'rb')).embedded_regular_signatures[0].signer_cert\n\
                  v = s['tbs_certificate']['validity']\n\
                  print('%X' % s.serial_number, int((v['not_after'].native - v['not_before'].native).total_seconds()))";
    let out = Command::new("python3").args(["-c", script]).arg(pdf).output().expect("python3 with pyHanko");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let (serial, seconds) = text.trim().split_once(' ').expect("serial and validity");
    (serial.to_owned(), seconds.parse().unwrap())
}

/// The `flow.signer.signed` audit detail of a flow.
fn signed_detail(api: &Api, flow: &str) -> Value {
    let audit = api.get(&format!("/v1/flows/{flow}/audit"));
    assert_eq!(audit.body["intact"], true);
    audit.body["entries"].as_array().unwrap().iter().find(|e| e["action"] == "flow.signer.signed").unwrap()["detail"]
        .clone()
}

fn same_serial(a: &str, b: &str) -> bool {
    a.trim_start_matches('0').eq_ignore_ascii_case(b.trim_start_matches('0'))
}

#[test]
fn a_request_can_sign_with_a_per_scene_certificate() {
    let api = Api::start(Backend::Embedded);
    let alice = signer(&api, "张三", "11010519491231002X");
    let long_term = api.get(&format!("/v1/accounts/{alice}")).body["certificateSerial"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let signers = [alice.clone()];

    let (pdf, flow) = run_flow(&api, &signers, dir.path(), &json!({"mode": "auto", "certificate": "scene"}));
    let detail = signed_detail(&api, &flow);
    assert_eq!(detail["certificateKind"], "scene");
    let scene = detail["certificateSerial"].as_str().unwrap().to_owned();
    assert!(!same_serial(&scene, &long_term), "not the long-term certificate");
    let (in_pdf, validity) = signer_certificate(&pdf);
    assert!(same_serial(&in_pdf, &scene), "the audit trail names the certificate that signed: {in_pdf} vs {scene}");
    assert!((60..=30 * 60).contains(&validity), "valid for the scene only (30 min by default): {validity} s");
    assert_lta_valid(&pdf, &root_only(&api, dir.path()));
    // The account keeps its long-term certificate.
    assert_eq!(api.get(&format!("/v1/accounts/{alice}")).body["certificateSerial"], long_term.as_str());

    // Each scene gets its own certificate; without the option the long-term one signs.
    let (_, again) = run_flow(&api, &signers, dir.path(), &json!({"mode": "auto", "certificate": "scene"}));
    let second = signed_detail(&api, &again)["certificateSerial"].as_str().unwrap().to_owned();
    assert!(!same_serial(&second, &scene), "a certificate signs once");
    let (pdf, plain) = run_flow(&api, &signers, dir.path(), &json!({"mode": "auto"}));
    let detail = signed_detail(&api, &plain);
    assert_eq!(detail["certificateKind"], "long_term");
    assert!(same_serial(detail["certificateSerial"].as_str().unwrap(), &long_term));
    assert!(signer_certificate(&pdf).1 > 300 * 86400, "the long-term certificate lasts years");

    // A value the API does not know is refused.
    let uploaded = api.upload("c.pdf", std::fs::read(crate::cli_support::fixture("contract.pdf")).unwrap());
    let file = uploaded.body["id"].as_str().unwrap();
    let flow = api.post(
        "/v1/flows",
        &json!({"title": "x", "documents": [{"fileId": file}],
                                               "signers": [{"accountId": alice, "order": 1}]}),
    );
    let flow = flow.body["id"].as_str().unwrap().to_owned();
    api.post(&format!("/v1/flows/{flow}/start"), &json!({}));
    let bad = api.post(&format!("/v1/flows/{flow}/signers/{alice}/sign"), &json!({"mode": "auto", "certificate": "x"}));
    assert_eq!((bad.status, bad.body["code"].as_str()), (400, Some("invalid_input")), "{:?}", bad.body);
}

#[test]
fn a_deployment_can_sign_with_per_scene_certificates_by_default() {
    let api = Api::start_with(
        Backend::Embedded,
        &[("SIGNET_SCENE_CERTIFICATES", "true"), ("SIGNET_SCENE_CERTIFICATE_MINUTES", "5")],
    );
    let alice = signer(&api, "张三", "11010519491231002X");
    let dir = tempfile::tempdir().unwrap();
    let (pdf, flow) = run_flow(&api, std::slice::from_ref(&alice), dir.path(), &json!({"mode": "auto"}));
    assert_eq!(signed_detail(&api, &flow)["certificateKind"], "scene");
    let (_, validity) = signer_certificate(&pdf);
    assert!((60..=5 * 60).contains(&validity), "five minutes: {validity} s");
    assert_lta_valid(&pdf, &root_only(&api, dir.path()));
    let (_, flow) = run_flow(&api, &[alice], dir.path(), &json!({"mode": "auto", "certificate": "long_term"}));
    assert_eq!(signed_detail(&api, &flow)["certificateKind"], "long_term");
}
