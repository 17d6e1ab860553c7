//! The PKI endpoints against independent clients: `openssl ts` for `/tsa`, `openssl ocsp` and
//! `openssl crl` for `/pki/ocsp` and `/pki/crl/...`, and pyHanko fetching revocation data online
//! while validating a signed PDF, before and after `signet ca revoke`.

use std::collections::HashSet;
use std::path::Path;

use base64::Engine;

use crate::cli_support::{PkiServer, fixture, pyhanko_validate, signet_verify, tool};
use crate::support::{APP_ID, APP_KEY, Backend, TestServer, http};

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Sends `query` to `url` as application/timestamp-query; returns the reply bytes.
fn post_tsq(url: &str, query: &[u8]) -> Vec<u8> {
    let response = http()
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .body(query.to_vec())
        .send()
        .expect("POST /tsa");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/timestamp-reply");
    response.bytes().expect("body").to_vec()
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn tsa_answers_openssl_with_serials_unique_across_two_servers_on_postgres() {
    let pki = PkiServer::start(Backend::PostgresS3);
    let ca = pki.path("ca.pem");
    // `signet ca` works on the server's PostgreSQL database too.
    let (_, serial) = pki.issue("李四", "p256");
    let listed = pki.signet_ok(&["ca", "list"]);
    assert!(listed.lines().any(|l| l.starts_with(&serial) && l.contains("valid")), "{listed}");
    // A second process on the same database and bucket.
    let mut env = pki.env.clone();
    env.insert("SIGNET_LISTEN".into(), "127.0.0.1:0".into());
    let second = TestServer::spawn(&env);

    let data = pki.path("data.txt");
    std::fs::write(&data, "合同正文 contract body").expect("write");
    let mut serials = HashSet::new();
    for (i, digest) in ["-sha256", "-sha512", "-sha384", "-sha256", "-sha256", "-sha256"].iter().enumerate() {
        let query = pki.path(&format!("q{i}.tsq"));
        let out = tool("openssl", &["ts", "-query", "-data", s(&data), digest, "-cert", "-out", s(&query)]);
        assert!(out.status.success(), "openssl ts -query: {}", text(&out));
        let url = if i % 2 == 0 { pki.url("/tsa") } else { second.url("/tsa") };
        let reply = pki.path(&format!("r{i}.tsr"));
        std::fs::write(&reply, post_tsq(&url, &std::fs::read(&query).expect("read"))).expect("write");
        let out = tool("openssl", &["ts", "-verify", "-data", s(&data), "-in", s(&reply), "-CAfile", s(&ca)]);
        assert!(text(&out).contains("Verification: OK"), "openssl ts -verify: {}", text(&out));
        let out = tool("openssl", &["ts", "-reply", "-in", s(&reply), "-text"]);
        let serial = text(&out)
            .lines()
            .find_map(|l| l.trim().strip_prefix("Serial number:").map(|v| v.trim().to_owned()))
            .expect("serial in the reply");
        assert!(serials.insert(serial.clone()), "serial {serial} issued twice");
    }
    // Another file's data does not verify against the reply (the check can fail).
    let other = pki.path("other.txt");
    std::fs::write(&other, "something else").expect("write");
    let out = tool("openssl", &["ts", "-verify", "-data", s(&other), "-in", s(&pki.path("r0.tsr")), "-CAfile", s(&ca)]);
    assert!(!text(&out).contains("Verification: OK"), "{}", text(&out));

    // Garbage gets an RFC 3161 rejection, not a crash; a wrong content type gets 400.
    let reply = pki.path("garbage.tsr");
    std::fs::write(&reply, post_tsq(&pki.url("/tsa"), b"not DER")).expect("write");
    let out = tool("openssl", &["ts", "-reply", "-in", s(&reply), "-text"]);
    assert!(text(&out).contains("Status: Rejected"), "{}", text(&out));
    let response = http().post(pki.url("/tsa")).header("Content-Type", "text/plain").body("x").send().expect("POST");
    assert_eq!(response.status(), 400);
}

#[test]
fn ocsp_and_crl_follow_revocation_and_pyhanko_checks_online() {
    let pki = PkiServer::start(Backend::Embedded);
    let ca = pki.path("ca.pem");
    let (p12, serial) = pki.issue("张三", "rsa2048");
    let signed = pki.path("signed.pdf");
    pki.signet_ok(&[
        "sign",
        s(&fixture("contract.pdf")),
        "-o",
        s(&signed),
        "--p12",
        s(&p12),
        "--password",
        "pw",
        "--image",
        s(&pki.seal()),
        "--keyword",
        "甲方盖章处",
    ]);

    // The issuer certificate, as AIA names it, in DER.
    let issuer = pki.path("rsa.cer");
    std::fs::write(&issuer, pki.http_get("/pki/ca/rsa.cer")).expect("write");
    let out = tool("openssl", &["x509", "-inform", "der", "-in", s(&issuer), "-noout", "-subject"]);
    assert!(out.status.success() && text(&out).contains("RSA"), "{}", text(&out));
    let cert = pki.path("cert.pem");
    let out =
        tool("openssl", &["pkcs12", "-in", s(&p12), "-passin", "pass:pw", "-nokeys", "-clcerts", "-out", s(&cert)]);
    assert!(out.status.success(), "{}", text(&out));

    let ocsp = |label: &str| {
        let out = tool(
            "openssl",
            &["ocsp", "-issuer", s(&issuer), "-cert", s(&cert), "-url", &pki.url("/pki/ocsp"), "-CAfile", s(&ca)],
        );
        let t = text(&out);
        assert!(t.contains("Response verify OK"), "openssl ocsp ({label}): {t}");
        t
    };
    let crl_text = || {
        let crl = pki.path("rsa.crl");
        std::fs::write(&crl, pki.http_get("/pki/crl/rsa.crl")).expect("write");
        let out = tool("openssl", &["crl", "-inform", "der", "-in", s(&crl), "-CAfile", s(&ca), "-noout", "-text"]);
        let t = text(&out);
        assert!(t.contains("verify OK"), "openssl crl: {t}");
        t
    };
    assert!(ocsp("before").contains("cert.pem: good"));
    assert!(!crl_text().contains(&serial), "a fresh CRL lists nothing");
    let (ok, report) = pyhanko_validate(&signed, &ca, &["--force-revinfo"]);
    assert!(ok && report.contains("INTACT:TRUSTED"), "pyHanko with online revocation: {report}");
    let (ok, report) = signet_verify(&signed, &ca, &["--check-revocation"]);
    assert!(ok && report.contains("good (ocsp)"), "signet verify --check-revocation: {report}");

    // The GET form of OCSP (RFC 6960 A.1) answers the same.
    let request = pki.path("req.der");
    let out = tool("openssl", &["ocsp", "-issuer", s(&issuer), "-cert", s(&cert), "-reqout", s(&request), "-no_nonce"]);
    assert!(out.status.success(), "{}", text(&out));
    let b64 = base64::engine::general_purpose::STANDARD.encode(std::fs::read(&request).expect("read"));
    let encoded: String = b64.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    let response = pki.path("resp.der");
    std::fs::write(&response, pki.http_get(&format!("/pki/ocsp/{encoded}"))).expect("write");
    let out = tool(
        "openssl",
        &["ocsp", "-respin", s(&response), "-issuer", s(&issuer), "-cert", s(&cert), "-CAfile", s(&ca), "-no_nonce"],
    );
    assert!(text(&out).contains("cert.pem: good"), "{}", text(&out));

    pki.signet_ok(&["ca", "revoke", "--serial", &serial]);
    assert!(ocsp("after").contains("cert.pem: revoked"));
    assert!(crl_text().contains(&serial), "the CRL lists the revoked serial");
    let (ok, report) = pyhanko_validate(&signed, &ca, &["--force-revinfo"]);
    assert!(!ok && report.contains("REVOKED"), "pyHanko must refuse after revocation: {report}");
    let (ok, report) = signet_verify(&signed, &ca, &["--check-revocation"]);
    assert!(!ok && report.contains("REVOKED"), "signet verify must refuse after revocation: {report}");
    let (ok, _) = signet_verify(&signed, &ca, &[]);
    assert!(ok, "without --check-revocation the signature itself is still intact and trusted");
    let listed = pki.signet_ok(&["ca", "list"]);
    assert!(listed.lines().any(|l| l.starts_with(&serial) && l.contains("revoked")), "{listed}");

    // A revoked certificate can no longer sign (its responder says so) ...
    let contract = fixture("contract.pdf");
    let late = pki.path("late.pdf");
    let base = ["sign", s(&contract), "-o", s(&late), "--p12", s(&p12), "--password", "pw"];
    let out = pki.signet(&base);
    assert!(!out.status.success() && text(&out).contains("revoked"), "{}", text(&out));
    assert!(!late.exists());
    // ... nor make a long-term signature, even when told to skip the check before signing.
    let tsa = pki.url("/tsa");
    let mut args = base.to_vec();
    args.extend(["--level", "B-LT", "--tsa", &tsa, "--no-revocation-check"]);
    let out = pki.signet(&args);
    assert!(!out.status.success() && text(&out).contains("revoked"), "{}", text(&out));
    assert!(!late.exists());
}

#[test]
fn native_api_revokes_only_the_callers_certificates() {
    let pki = PkiServer::start(Backend::Embedded);
    let (_, serial) = pki.issue("张三", "p256");
    let token = {
        let response = http()
            .post(pki.url("/v1/auth/token"))
            .json(&serde_json::json!({"appId": APP_ID, "appSecret": APP_KEY}))
            .send()
            .expect("login");
        let body: serde_json::Value = response.json().expect("JSON");
        body["accessToken"].as_str().expect("token").to_owned()
    };
    let revoke = |serial: &str, token: Option<&str>| {
        let request = http().post(pki.url(&format!("/v1/certificates/{serial}/revoke")));
        let request = match token {
            Some(t) => request.bearer_auth(t),
            None => request,
        };
        let response = request.send().expect("POST revoke");
        let status = response.status().as_u16();
        (status, response.text().unwrap_or_default())
    };
    assert_eq!(revoke(&serial, None).0, 401);
    assert_eq!(revoke("ABCDEF0123", Some(&token)).0, 404);
    let (status, body) = revoke(&serial.to_ascii_lowercase(), Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&serial) && body.contains("revokedAt"), "{body}");
    assert_eq!(revoke(&serial, Some(&token)).0, 409, "revoking twice is a conflict");
    let listed = pki.signet_ok(&["ca", "list"]);
    assert!(listed.lines().any(|l| l.starts_with(&serial) && l.contains("revoked")), "{listed}");

    // `ca init` on an initialised deployment prints the same trust bundle the server publishes.
    let bundle = pki.signet_ok(&["ca", "init"]);
    assert_eq!(bundle.as_bytes(), pki.http_get("/pki/ca.pem").as_slice());
    // `ca issue` never overwrites a file (it would destroy someone's key).
    let existing = pki.path("existing.p12");
    std::fs::write(&existing, b"precious").expect("write");
    let before = pki.signet_ok(&["ca", "list"]).lines().count();
    let out = pki.signet(&["ca", "issue", "--name", "x", "--algo", "p256", "-o", s(&existing), "--password", "pw"]);
    assert!(!out.status.success(), "ca issue overwrote a file");
    assert_eq!(std::fs::read(&existing).expect("read"), b"precious");
    assert_eq!(pki.signet_ok(&["ca", "list"]).lines().count(), before, "no certificate issued for an unsaved key");

    // The endpoints are documented.
    let doc: serde_json::Value = serde_json::from_slice(&pki.http_get("/openapi.json")).expect("OpenAPI JSON");
    for path in ["/tsa", "/pki/ocsp", "/pki/ca/{file}", "/pki/crl/{file}", "/v1/certificates/{serial}/revoke"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from /openapi.json");
    }

    // Unknown CA names are 404, not 500.
    let response = http().get(pki.url("/pki/ca/nope.cer")).send().expect("GET");
    assert_eq!(response.status(), 404);
    let response = http().get(pki.url("/pki/crl/nope.crl")).send().expect("GET");
    assert_eq!(response.status(), 404);
}
