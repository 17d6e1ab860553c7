//! `signet sign | verify | locate | ltv-refresh` end to end: certificates from `signet ca issue`,
//! the seal from `signet seal company`, fixture PDFs from the PDF engine, and the outputs judged
//! by pyHanko, poppler's pdfsig, qpdf and `signet verify` itself.

use std::path::Path;
use std::process::Command;

use crate::cli_support::{
    PkiServer, assert_pdfsig_valid, assert_pyhanko_valid, assert_qpdf_ok, fixture, pyhanko_validate, signet_verify,
    tampered_copy, tool,
};
use crate::support::{Backend, signet_bin};

fn s(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn seals_at_every_placement_validate_in_pyhanko_pdfsig_qpdf_and_signet_verify() {
    let pki = PkiServer::start(Backend::Embedded);
    let ca = pki.path("ca.pem");
    let seal = pki.seal();
    let (rsa, _) = pki.issue("张三", "rsa2048");
    let (p256, _) = pki.issue("李四", "p256");
    let contract = fixture("contract.pdf");
    let cases: Vec<(&str, &Path, Vec<String>)> = vec![
        ("at", &rsa, vec!["--at".into(), "1,300,400".into(), "--at".into(), "2,100,100".into()]),
        ("keyword", &p256, vec!["--keyword".into(), "甲方盖章处".into(), "--offset".into(), "10,-5".into()]),
        ("rect", &rsa, vec!["--rect".into(), "2,0.6,0.7,0.9,0.9".into(), "--show-time".into(), "--show-digest".into()]),
        ("cross-page", &p256, vec!["--cross-page".into(), "--cross-y".into(), "0.3".into()]),
    ];
    for (name, p12, placement) in &cases {
        let input = if *name == "cross-page" { fixture("rotated.pdf") } else { contract.clone() };
        let out = pki.path(&format!("{name}.pdf"));
        let mut args = vec!["sign", s(&input), "-o", s(&out), "--p12", s(p12), "--password", "pw", "--image", s(&seal)];
        args.extend(placement.iter().map(String::as_str));
        args.extend(["--reason", "同意", "--location", "上海"]);
        pki.signet_ok(&args);
        assert_pyhanko_valid(&out, &ca);
        assert_pdfsig_valid(&out, &ca, pki.dir.path());
        assert_qpdf_ok(&out);
        let (ok, report) = signet_verify(&out, &ca, &[]);
        assert!(ok, "signet verify rejected {name}: {report}");
        assert!(report.contains("VALID") && report.contains("trusted"), "{report}");

        let tampered = pki.path(&format!("{name}-tampered.pdf"));
        tampered_copy(&out, &tampered);
        let (ok, report) = signet_verify(&tampered, &ca, &[]);
        assert!(!ok, "signet verify accepted a tampered {name}: {report}");
        assert!(report.contains("INVALID"), "{report}");
    }

    // The keyword placement put the seal on the keyword: `signet locate` and the widget agree.
    let located = pki.signet_ok(&["locate", s(&contract), "--keyword", "甲方盖章处"]);
    assert!(located.lines().any(|l| l.starts_with("page ")), "locate printed {located:?}");

    // A second signer on top of the first: both stay valid.
    let twice = pki.path("twice.pdf");
    pki.signet_ok(&[
        "sign",
        s(&pki.path("keyword.pdf")),
        "-o",
        s(&twice),
        "--p12",
        s(&rsa),
        "--password",
        "pw",
        "--image",
        s(&seal),
        "--keyword",
        "乙方盖章处",
    ]);
    assert_pyhanko_valid(&twice, &ca);
    let (ok, report) = signet_verify(&twice, &ca, &["--json"]);
    assert!(ok, "{report}");
    let json: serde_json::Value = serde_json::from_str(&report).expect("verify --json prints JSON");
    assert_eq!(json["signatures"].as_array().map(Vec::len), Some(2), "{json}");
    assert_eq!(json["valid"], true);

    // Without --trust nothing is trusted: exit status non-zero.
    let out = Command::new(signet_bin()).args(["verify", s(&twice)]).output().expect("run");
    assert!(!out.status.success(), "verify without trust roots must fail");
}

#[test]
fn levels_b_t_and_b_lta_with_the_built_in_tsa() {
    let pki = PkiServer::start(Backend::Embedded);
    let ca = pki.path("ca.pem");
    let seal = pki.seal();
    let (p256, _) = pki.issue("李四", "p256");
    let (rsa, _) = pki.issue("张三", "rsa2048");
    let tsa = pki.url("/tsa");
    let contract = fixture("contract.pdf");

    let bt = pki.path("bt.pdf");
    pki.signet_ok(&[
        "sign",
        s(&contract),
        "-o",
        s(&bt),
        "--p12",
        s(&p256),
        "--password",
        "pw",
        "--image",
        s(&seal),
        "--at",
        "1,300,400",
        "--level",
        "B-T",
        "--tsa",
        &tsa,
    ]);
    let (ok, text) = pyhanko_validate(&bt, &ca, &["--no-revocation-check"]);
    assert!(ok && text.contains("TIMESTAMP_TOKEN<INTACT:TRUSTED>"), "pyHanko on B-T: {text}");
    assert_pdfsig_valid(&bt, &ca, pki.dir.path());
    let (ok, report) = signet_verify(&bt, &ca, &[]);
    assert!(ok && report.contains("timestamp      valid"), "{report}");

    let lta = pki.path("lta.pdf");
    pki.signet_ok(&[
        "sign",
        s(&contract),
        "-o",
        s(&lta),
        "--p12",
        s(&rsa),
        "--password",
        "pw",
        "--image",
        s(&seal),
        "--keyword",
        "甲方盖章处",
        "--level",
        "B-LTA",
        "--tsa",
        &tsa,
    ]);
    assert_lta_passes(&lta, &ca);
    assert_qpdf_ok(&lta);
    let (ok, report) = signet_verify(&lta, &ca, &["--json"]);
    assert!(ok, "{report}");
    let json: serde_json::Value = serde_json::from_str(&report).expect("JSON");
    let sigs = json["signatures"].as_array().expect("signatures");
    assert_eq!(sigs.len(), 2, "signature + document timestamp: {json}");
    assert_eq!(sigs[1]["documentTimestamp"], true);
    let raw = std::fs::read(&lta).expect("read");
    for needle in [&b"/DSS"[..], b"/OCSPs", b"/CRLs", b"/DocTimeStamp"] {
        assert!(raw.windows(needle.len()).any(|w| w == needle), "{} missing", String::from_utf8_lossy(needle));
    }

    let tampered = pki.path("lta-tampered.pdf");
    tampered_copy(&lta, &tampered);
    let (ok, report) = signet_verify(&tampered, &ca, &["--json"]);
    let json: serde_json::Value = serde_json::from_str(&report).expect("JSON");
    let timestamp = json["signatures"].as_array().and_then(|a| a.iter().find(|s| s["documentTimestamp"] == true));
    assert!(
        !ok && timestamp.is_some_and(|t| t["valid"] == false),
        "a tampered file must fail, its document timestamp too: {json}"
    );

    // The server is not needed to validate B-LTA: stop it and validate again from embedded data.
    let refreshed = pki.path("refreshed.pdf");
    pki.signet_ok(&["ltv-refresh", s(&lta), "-o", s(&refreshed), "--tsa", &tsa]);
    let (ok, report) = signet_verify(&refreshed, &ca, &["--json"]);
    assert!(ok, "{report}");
    let json: serde_json::Value = serde_json::from_str(&report).expect("JSON");
    assert_eq!(json["signatures"].as_array().map(Vec::len), Some(3), "a second document timestamp: {json}");
    let env = pki.env.clone();
    let workdir = pki.dir.path().to_owned();
    let _dirs = pki.stop_server();
    assert_lta_passes(&refreshed, &ca);
    assert_lta_passes(&lta, &ca);

    // On the server host, without --tsa and with the server down, the deployment itself
    // timestamps and answers its own OCSP/CRL URLs: B-LTA still works, and validates.
    let offline = workdir.join("offline.pdf");
    let result = Command::new(signet_bin())
        .args(["sign", s(&contract), "-o", s(&offline), "--p12", s(&rsa), "--password", "pw", "--level", "B-LTA"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&env)
        .output()
        .expect("run signet");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "offline B-LTA: {stderr}");
    assert!(!stderr.contains("warning"), "the deployment answers the revocation check itself: {stderr}");
    assert_lta_passes(&offline, &ca);
    let (ok, report) = signet_verify(&offline, &ca, &[]);
    assert!(ok, "{report}");
    let refreshed_offline = workdir.join("refreshed-offline.pdf");
    let result = Command::new(signet_bin())
        .args(["ltv-refresh", s(&offline), "-o", s(&refreshed_offline)])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&env)
        .output()
        .expect("run signet");
    assert!(result.status.success(), "offline ltv-refresh: {}", String::from_utf8_lossy(&result.stderr));
    assert_lta_passes(&refreshed_offline, &ca);
}

/// Runs pyHanko's AdES LTA validation (no network) on every signature.
fn assert_lta_passes(pdf: &Path, ca: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/lta_validate.py");
    let out = tool("python3", &[s(&script), s(pdf), s(ca)]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("LTA: PASSED"), "pyHanko AdES LTA on {}: {text}", pdf.display());
}

#[test]
fn sm2_signatures_verify_in_signet_and_openssl() {
    let pki = PkiServer::start(Backend::Embedded);
    let ca = pki.path("ca.pem");
    let (sm2, _) = pki.issue("王五", "sm2");
    let out = pki.path("sm2.pdf");
    pki.signet_ok(&[
        "sign",
        s(&fixture("contract.pdf")),
        "-o",
        s(&out),
        "--p12",
        s(&sm2),
        "--password",
        "pw",
        "--image",
        s(&pki.seal()),
        "--at",
        "1,300,400",
    ]);
    let (ok, report) = signet_verify(&out, &ca, &["--json"]);
    assert!(ok, "{report}");
    let json: serde_json::Value = serde_json::from_str(&report).expect("JSON");
    let cms = &json["signatures"][0]["cms"];
    assert_eq!(cms["signatureAlgorithm"], "SM2-with-SM3", "{json}");
    assert_eq!(cms["digestAlgorithm"], "sm3", "{json}");

    // OpenSSL checks the SM2 signature over the signed attributes, independently of our code.
    let parts = crate::cli_support::cms_parts(&out);
    std::fs::write(pki.path("attrs.der"), &parts.signed_attributes).expect("write");
    std::fs::write(pki.path("sig.der"), &parts.signature).expect("write");
    let cert = pki.path("signer.pem");
    let p12 =
        tool("openssl", &["pkcs12", "-in", s(&sm2), "-passin", "pass:pw", "-nokeys", "-clcerts", "-out", s(&cert)]);
    assert!(p12.status.success(), "openssl pkcs12: {}", String::from_utf8_lossy(&p12.stderr));
    let pubkey = pki.path("signer.pub");
    let x = tool("openssl", &["x509", "-in", s(&cert), "-pubkey", "-noout", "-out", s(&pubkey)]);
    assert!(x.status.success());
    let verify = tool(
        "openssl",
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            s(&pubkey),
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
            "-in",
            s(&pki.path("attrs.der")),
            "-sigfile",
            s(&pki.path("sig.der")),
        ],
    );
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success() && text.contains("Signature Verified Successfully"), "openssl: {text}");
    // A flipped attribute byte must fail the same check (the check can fail).
    let mut bad = parts.signed_attributes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    std::fs::write(pki.path("attrs-bad.der"), &bad).expect("write");
    let verify = tool(
        "openssl",
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            s(&pubkey),
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
            "-in",
            s(&pki.path("attrs-bad.der")),
            "-sigfile",
            s(&pki.path("sig.der")),
        ],
    );
    assert!(!verify.status.success(), "openssl accepted altered attributes");
}

#[test]
fn bad_inputs_fail_with_one_clear_line_and_leave_no_output() {
    let pki = PkiServer::start(Backend::Embedded);
    let (p12, _) = pki.issue("张三", "p256");
    let seal = pki.seal();
    let not_pdf = pki.path("not.pdf");
    std::fs::write(&not_pdf, b"hello, this is not a PDF").expect("write");
    let out = pki.path("out.pdf");
    let contract = fixture("contract.pdf");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["sign", s(&not_pdf), "-o", s(&out), "--p12", s(&p12), "--password", "pw"], "not a PDF"),
        (vec!["sign", s(&contract), "-o", s(&out), "--p12", s(&p12), "--password", "wrong"], "wrong password"),
        (
            vec![
                "sign",
                s(&contract),
                "-o",
                s(&out),
                "--p12",
                s(&p12),
                "--password",
                "pw",
                "--image",
                s(&seal),
                "--keyword",
                "不存在的关键字",
            ],
            "keyword not found: 不存在的关键字",
        ),
        (
            vec![
                "sign",
                s(&contract),
                "-o",
                s(&out),
                "--p12",
                s(&p12),
                "--password",
                "pw",
                "--image",
                s(&seal),
                "--at",
                "9,100,100",
            ],
            "out of range",
        ),
        (
            vec![
                "sign",
                s(&contract),
                "-o",
                s(&out),
                "--p12",
                s(&p12),
                "--password",
                "pw",
                "--image",
                s(&not_pdf),
                "--at",
                "1,100,100",
            ],
            "seal image",
        ),
        (
            vec![
                "sign",
                s(&contract),
                "-o",
                s(&out),
                "--p12",
                s(&p12),
                "--password",
                "pw",
                "--level",
                "B-T",
                "--tsa",
                "http://127.0.0.1:9/tsa",
            ],
            "TSA",
        ),
    ];
    for (args, expected) in cases {
        let result = pki.signet(&args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: expected {expected:?} in {stderr:?}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: one line on stderr, got {stderr:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.exists(), "{args:?} left {}", out.display());
        let leftovers: Vec<_> = std::fs::read_dir(pki.dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }

    // B-T without --tsa and without a deployment here: a clear error, and no deployment created.
    let empty = tempfile::tempdir().expect("temp dir");
    let data_dir = empty.path().join("data");
    let result = Command::new(signet_bin())
        .args(["sign", s(&contract), "-o", s(&out), "--p12", s(&p12), "--password", "pw", "--level", "B-T"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SIGNET_DATA_DIR", &data_dir)
        .output()
        .expect("run signet");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success() && stderr.contains("needs a time-stamping authority: pass --tsa URL"), "{stderr}");
    assert!(!data_dir.join("signet.db").exists() && !out.exists(), "nothing may be created");
}

#[test]
fn fixture_producers_and_transformations_sign_and_validate() {
    let pki = PkiServer::start(Backend::Embedded);
    let ca = pki.path("ca.pem");
    let seal = pki.seal();
    let (p12, _) = pki.issue("张三", "rsa2048");
    // (fixture, extra options, validate with pdfsig too)
    let cases: &[(&str, &[&str], bool)] = &[
        ("ghostscript.pdf", &["--at", "1,200,300"], true),
        ("objstm.pdf", &["--keyword", "甲方盖章处"], true),
        ("linearized.pdf", &["--rect", "1,0.1,0.1,0.3,0.3"], true),
        ("landscape.pdf", &["--keyword", "甲方盖章处"], true),
        ("offset-boxes.pdf", &["--at", "1-3,100,100"], true),
        ("rotated.pdf", &["--at", "2,100,100"], true),
        ("pyhanko-signed.pdf", &["--at", "1,400,100"], false),
        ("aes256-owner.pdf", &["--at", "1,300,300"], true),
        ("rc4-owner.pdf", &["--at", "1,300,300"], true),
        ("aes256-user.pdf", &["--at", "1,300,300", "--user-password", "user-pw"], false),
        ("no-text.pdf", &["--at", "1,300,300"], true),
        ("long.pdf", &["--cross-page"], true),
        // Rewritten before its first signature, then strict pyHanko accepts it.
        ("hybrid.pdf", &["--at", "1,300,300"], true),
        // Found through the Adobe-GB1-UCS2 fallback and NFKC (Kangxi radical in the text).
        ("cid-fallbacks.pdf", &["--keyword", "甲方盖章处"], true),
        ("cid-fallbacks.pdf", &["--keyword", "乙方盖章处"], true),
    ];
    for (name, options, pdfsig) in cases {
        let out = pki.path(&format!("signed-{}-{name}", options.len()));
        let input = fixture(name);
        let mut args =
            vec!["sign", s(&input), "-o", s(&out), "--p12", s(&p12), "--password", "pw", "--image", s(&seal)];
        args.extend_from_slice(options);
        let result = pki.signet(&args);
        assert!(result.status.success(), "{name}: {}", String::from_utf8_lossy(&result.stderr));
        assert_qpdf_ok_with(&out, options);
        if *name == "aes256-user.pdf" {
            let (ok, text) = pyhanko_validate(&out, &ca, &["--no-revocation-check", "--password", "user-pw"]);
            assert!(ok && text.contains("INTACT:TRUSTED,UNTOUCHED"), "{name}: {text}");
            let (ok, report) = signet_verify(&out, &ca, &["--user-password", "user-pw"]);
            assert!(ok, "{name}: {report}");
            continue;
        }
        if *name == "pyhanko-signed.pdf" {
            // The earlier (fixture CA) signature is not trusted here; ours must be, and untouched.
            let (_, text) = pyhanko_validate(&out, &ca, &["--no-revocation-check"]);
            let ours = text.lines().rfind(|l| l.contains("INTACT")).unwrap_or_default().to_owned();
            assert!(ours.contains("INTACT:TRUSTED,UNTOUCHED"), "{name}: {text}");
            continue;
        }
        assert_pyhanko_valid(&out, &ca);
        if *pdfsig {
            assert_pdfsig_valid(&out, &ca, pki.dir.path());
        }
        let (ok, report) = signet_verify(&out, &ca, &[]);
        assert!(ok, "{name}: {report}");
    }
}

/// `qpdf --check`, giving the user password when the file needs one.
fn assert_qpdf_ok_with(pdf: &Path, options: &[&str]) {
    match options.iter().position(|o| *o == "--user-password") {
        Some(i) => {
            let password = format!("--password={}", options[i + 1]);
            let out = tool("qpdf", &[&password, "--check", s(pdf)]);
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success() && text.contains("No syntax or stream encoding errors"), "qpdf: {text}");
        }
        None => assert_qpdf_ok(pdf),
    }
}

/// A TSA behind HTTP basic auth: a small proxy that refuses requests without the expected
/// `Authorization` header and forwards the others to the server's `/tsa`.
fn basic_auth_tsa(
    upstream: String,
    user: &'static str,
    password: &'static str,
) -> (String, std::thread::JoinHandle<usize>) {
    use base64::Engine;
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/tsa", listener.local_addr().expect("addr"));
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
    let handle = std::thread::spawn(move || {
        let mut authorised = 0;
        for stream in listener.incoming().take(3) {
            let mut stream = stream.expect("accept");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let (mut length, mut auth) = (0usize, String::new());
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).expect("read");
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap_or(0),
                        "authorization" => auth = value.trim().to_owned(),
                        _ => {}
                    }
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).expect("body");
            if auth != expected {
                let _ =
                    stream.write_all(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                continue;
            }
            authorised += 1;
            let reply = crate::support::http()
                .post(&upstream)
                .header("Content-Type", "application/timestamp-query")
                .body(body)
                .send()
                .expect("forward")
                .bytes()
                .expect("reply");
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reply.len()
            );
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&reply));
        }
        authorised
    });
    (url, handle)
}

#[test]
fn tsa_basic_auth_from_the_url_or_the_options() {
    let pki = PkiServer::start(Backend::Embedded);
    let ca = pki.path("ca.pem");
    let (p12, _) = pki.issue("张三", "p256");
    let (proxy, handle) = basic_auth_tsa(pki.url("/tsa"), "tsa-user", "s3cret:pw");
    let contract = fixture("contract.pdf");
    let sign = |out: &str, tsa: &[&str]| {
        let out = pki.path(out);
        let mut args =
            vec!["sign", s(&contract), "-o", s(&out), "--p12", s(&p12), "--password", "pw", "--level", "B-T"];
        args.extend_from_slice(tsa);
        (pki.signet(&args), out)
    };
    // Credentials in the URL (percent-encoded ':' in the password).
    let with_userinfo = proxy.replace("http://", "http://tsa-user:s3cret%3Apw@");
    let (result, out) = sign("url.pdf", &["--tsa", &with_userinfo]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let (ok, text) = pyhanko_validate(&out, &ca, &["--no-revocation-check"]);
    assert!(ok && text.contains("TIMESTAMP_TOKEN<INTACT:TRUSTED>"), "{text}");
    // Credentials as options.
    let (result, _) = sign("opts.pdf", &["--tsa", &proxy, "--tsa-user", "tsa-user", "--tsa-password", "s3cret:pw"]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    // Wrong credentials: a clear error, no output.
    let (result, out) = sign("wrong.pdf", &["--tsa", &proxy, "--tsa-user", "tsa-user", "--tsa-password", "nope"]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success() && stderr.contains("401"), "{stderr}");
    assert!(!out.exists());
    assert_eq!(handle.join().expect("proxy"), 2, "two authorised requests");
}

#[test]
fn pem_keys_digests_legacy_subfilter_and_field_names() {
    let pki = PkiServer::start(Backend::Embedded);
    let ca = pki.path("ca.pem");
    let seal = pki.seal();
    let (rsa, _) = pki.issue("张三", "rsa2048");
    let (p256, _) = pki.issue("李四", "p256");
    let contract = fixture("contract.pdf");

    // The same key as PEM files, as OpenSSL exports them.
    let key = pki.path("key.pem");
    let cert = pki.path("cert.pem");
    let chain = pki.path("chain.pem");
    for (out, args) in [
        (&key, vec!["-nocerts", "-nodes"]),
        (&cert, vec!["-nokeys", "-clcerts"]),
        (&chain, vec!["-nokeys", "-cacerts"]),
    ] {
        let mut all = vec!["pkcs12", "-in", s(&rsa), "-passin", "pass:pw", "-out", s(out)];
        all.extend(args);
        let result = tool("openssl", &all);
        assert!(result.status.success(), "openssl pkcs12: {}", String::from_utf8_lossy(&result.stderr));
    }
    let pem_signed = pki.path("pem.pdf");
    pki.signet_ok(&[
        "sign",
        s(&contract),
        "-o",
        s(&pem_signed),
        "--key",
        s(&key),
        "--cert",
        s(&cert),
        "--chain",
        s(&chain),
        "--image",
        s(&seal),
        "--at",
        "1,300,400",
        "--field",
        "甲方签章",
    ]);
    assert_pyhanko_valid(&pem_signed, &ca);
    let (ok, report) = signet_verify(&pem_signed, &ca, &["--json"]);
    let json: serde_json::Value = serde_json::from_str(&report).expect("JSON");
    assert!(ok && json["signatures"][0]["field"] == "甲方签章", "{json}");

    // A key that is not the certificate's is refused.
    let other_key = pki.path("other-key.pem");
    let result =
        tool("openssl", &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", s(&other_key)]);
    assert!(result.status.success());
    let result =
        pki.signet(&["sign", s(&contract), "-o", s(&pki.path("x.pdf")), "--key", s(&other_key), "--cert", s(&cert)]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success() && stderr.contains("does not belong to the certificate"), "{stderr}");

    // SHA-512 and the legacy adbe.pkcs7.detached sub-filter.
    let sha512 = pki.path("sha512.pdf");
    pki.signet_ok(&[
        "sign",
        s(&contract),
        "-o",
        s(&sha512),
        "--p12",
        s(&rsa),
        "--password",
        "pw",
        "--digest",
        "sha512",
    ]);
    assert_pyhanko_valid(&sha512, &ca);
    let (ok, report) = signet_verify(&sha512, &ca, &["--json"]);
    let json: serde_json::Value = serde_json::from_str(&report).expect("JSON");
    assert!(ok && json["signatures"][0]["cms"]["digestAlgorithm"] == "sha512", "{json}");
    let legacy = pki.path("pkcs7.pdf");
    pki.signet_ok(&["sign", s(&contract), "-o", s(&legacy), "--p12", s(&p256), "--password", "pw", "--pkcs7"]);
    assert_pyhanko_valid(&legacy, &ca);
    assert_pdfsig_valid(&legacy, &ca, pki.dir.path());
    let (ok, report) = signet_verify(&legacy, &ca, &["--json"]);
    let json: serde_json::Value = serde_json::from_str(&report).expect("JSON");
    assert!(ok && json["signatures"][0]["subFilter"] == "adbe.pkcs7.detached", "{json}");
}

#[test]
fn certify_levels_are_written_reported_and_enforced() {
    let pki = PkiServer::start(Backend::Embedded);
    let ca = pki.path("ca.pem");
    let seal = pki.seal();
    let (first, _) = pki.issue("张三", "rsa2048");
    let (second, _) = pki.issue("李四", "p256");
    let contract = fixture("contract.pdf");
    let p2 = pki.path("certified-p2.pdf");
    let sign = |input: &Path, out: &Path, p12: &Path, extra: &[&str]| {
        let mut args = vec!["sign", s(input), "-o", s(out), "--p12", s(p12), "--password", "pw"];
        args.extend(extra);
        pki.signet(&args)
    };
    let done = sign(&contract, &p2, &first, &["--image", s(&seal), "--at", "2,150,110", "--certify", "2"]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert_pyhanko_valid(&p2, &ca);
    let (ok, report) = signet_verify(&p2, &ca, &[]);
    assert!(ok && report.contains("certified, DocMDP P=2"), "{report}");
    // P=2 allows a later (invisible) signature; both stay valid.
    let both = pki.path("certified-p2-signed.pdf");
    let done = sign(&p2, &both, &second, &["--field", "Approval"]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert_pyhanko_valid(&both, &ca);
    let (ok, report) = signet_verify(&both, &ca, &[]);
    assert!(ok, "{report}");
    // A certification must be the first signature, and P=1 refuses any later one.
    let again = pki.path("again.pdf");
    let refused = sign(&p2, &again, &second, &["--certify", "2"]);
    assert!(!refused.status.success() && !again.exists());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("certification signature must be the first"));
    let p1 = pki.path("certified-p1.pdf");
    assert!(sign(&contract, &p1, &first, &["--certify", "1"]).status.success());
    let refused = sign(&p1, &again, &second, &[]);
    assert!(!refused.status.success() && !again.exists());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("DocMDP P=1"));
    // Out-of-range levels are refused by the argument parser.
    assert!(!sign(&contract, &again, &first, &["--certify", "4"]).status.success());
}
