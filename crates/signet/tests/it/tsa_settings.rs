//! The built-in TSA's policy OID and accuracy are settings (`SIGNET_TSA_POLICY_OID`,
//! `SIGNET_TSA_ACCURACY_MS`), checked with `openssl ts`; a malformed OID stops the server.

use std::path::Path;
use std::process::Command;

use crate::support::{Api, Backend, TestServer, backend_env, http};

fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl must be installed");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "openssl {args:?}: {text}");
    text
}

#[test]
fn policy_and_accuracy_come_from_the_settings() {
    let api = Api::start_with(
        Backend::Embedded,
        &[("SIGNET_TSA_POLICY_OID", "1.3.6.1.4.1.99999.7.1"), ("SIGNET_TSA_ACCURACY_MS", "1500")],
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("data.txt"), "合同正文").unwrap();
    openssl(d, &["ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "q.tsq"]);
    let reply = http()
        .post(api.server.url("/tsa"))
        .header("Content-Type", "application/timestamp-query")
        .body(std::fs::read(d.join("q.tsq")).unwrap())
        .send()
        .unwrap();
    assert_eq!(reply.status(), 200);
    std::fs::write(d.join("r.tsr"), reply.bytes().unwrap()).unwrap();
    let text = openssl(d, &["ts", "-reply", "-in", "r.tsr", "-text"]);
    assert!(text.contains("Policy OID: 1.3.6.1.4.1.99999.7.1"), "{text}");
    assert!(text.contains("Accuracy: 0x01 seconds, 0x01F4 millis"), "{text}");
    let ca = api.ca_file(d);
    let verified = openssl(d, &["ts", "-verify", "-data", "data.txt", "-in", "r.tsr", "-CAfile", ca.to_str().unwrap()]);
    assert!(verified.contains("Verification: OK"), "{verified}");

    // A query naming another policy is refused (unacceptedPolicy), ours is granted.
    openssl(d, &["ts", "-query", "-data", "data.txt", "-sha256", "-tspolicy", "1.2.3.4.1", "-out", "other.tsq"]);
    let other = http()
        .post(api.server.url("/tsa"))
        .header("Content-Type", "application/timestamp-query")
        .body(std::fs::read(d.join("other.tsq")).unwrap())
        .send()
        .unwrap();
    std::fs::write(d.join("other.tsr"), other.bytes().unwrap()).unwrap();
    let text = openssl(d, &["ts", "-reply", "-in", "other.tsr", "-text"]);
    assert!(text.contains("Status: Rejected") || text.contains("rejection"), "{text}");
}

#[test]
fn a_malformed_policy_oid_stops_the_server() {
    let data = tempfile::tempdir().unwrap();
    let mut env = backend_env(data.path(), Backend::Embedded);
    env.insert("SIGNET_TSA_POLICY_OID".into(), "not.an.oid".into());
    let failure = TestServer::try_spawn(&env).err().expect("the server must refuse to start");
    assert!(failure.stderr.contains("tsa_policy_oid"), "{}", failure.stderr);
}
