use std::time::SystemTime;

use signet_pki::{
    DigestAlgorithm, KeyPurpose, TimestampAuthority, VerifyPolicy, build_timestamp_request, parse_timestamp_response,
    verify_timestamp_token_against,
};

use crate::support::{fixture, openssl, write};

fn tsa() -> TimestampAuthority {
    let f = fixture();
    TimestampAuthority::from_ca(&f.ca, &f.keystore).unwrap()
}

#[test]
fn openssl_queries_get_responses_that_openssl_verifies() {
    let f = fixture();
    let tsa = tsa();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "data.bin", b"contract bytes to be stamped");
    write(d, "root.pem", f.ca.root_pem());
    for (n, alg) in ["sha256", "sha384", "sha512", "sm3"].iter().enumerate() {
        let query = format!("q-{alg}.tsq");
        openssl(d, &["ts", "-query", "-data", "data.bin", &format!("-{alg}"), "-cert", "-out", &query]);
        let request = std::fs::read(d.join(&query)).unwrap();
        let response = tsa.respond(&request, 1000 + n as u128, SystemTime::now()).unwrap();
        let reply = format!("r-{alg}.tsr");
        write(d, &reply, &response);
        let out = openssl(d, &["ts", "-verify", "-data", "data.bin", "-in", &reply, "-CAfile", "root.pem"]);
        assert!(out.contains("Verification: OK"), "{alg}: {out}");
        let text = openssl(d, &["ts", "-reply", "-in", &reply, "-text"]);
        assert!(text.contains("Status: Granted"), "{text}");
        assert!(text.contains(&format!("Serial number: 0x{:04X}", 1000 + n)), "{text}");
        assert!(text.contains("Policy OID: 1.2.3.4.1") || text.contains("Policy OID: tsa_policy1"), "{text}");
        assert!(text.contains("Accuracy: 0x01 seconds"), "{text}");
        assert!(!text.contains("Nonce: unspecified"), "nonce not echoed: {text}");
    }
    // The nonce is echoed exactly: OpenSSL checks it when verifying against the query.
    let out =
        openssl(d, &["ts", "-verify", "-queryfile", "q-sha256.tsq", "-in", "r-sha256.tsr", "-CAfile", "root.pem"]);
    assert!(out.contains("Verification: OK"), "{out}");
}

#[test]
fn bad_requests_are_rejected_with_a_status() {
    let tsa = tsa();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "data.bin", b"x");
    openssl(d, &["ts", "-query", "-data", "data.bin", "-sha1", "-out", "sha1.tsq"]);
    let sha1 = std::fs::read(d.join("sha1.tsq")).unwrap();
    for (name, request) in [("garbage", b"nonsense".to_vec()), ("sha1", sha1)] {
        let response = tsa.respond(&request, 1, SystemTime::now()).unwrap();
        write(d, "rej.tsr", &response);
        let text = openssl(d, &["ts", "-reply", "-in", "rej.tsr", "-text"]);
        assert!(text.contains("Status: Rejected"), "{name}: {text}");
        assert!(parse_timestamp_response(&response, &[0; 32], None).is_err());
    }
    openssl(d, &["ts", "-query", "-data", "data.bin", "-sha256", "-tspolicy", "1.2.3.4.99", "-out", "pol.tsq"]);
    let response = tsa.respond(&std::fs::read(d.join("pol.tsq")).unwrap(), 2, SystemTime::now()).unwrap();
    write(d, "pol.tsr", &response);
    let text = openssl(d, &["ts", "-reply", "-in", "pol.tsr", "-text"]);
    assert!(text.contains("Status: Rejected") && text.contains("policy is not supported"), "{text}");
}

#[test]
fn client_helpers_round_trip_and_verify() {
    let f = fixture();
    let tsa = tsa();
    let data = b"document timestamp over a byte range";
    let imprint = DigestAlgorithm::Sha256.digest(data);
    let (request, nonce) = build_timestamp_request(DigestAlgorithm::Sha256, &imprint, None).unwrap();
    let response = tsa.respond(&request, u128::MAX, SystemTime::now()).unwrap();
    let token = parse_timestamp_response(&response, &imprint, Some(&nonce)).unwrap();
    assert!(parse_timestamp_response(&response, &imprint, Some(&[1, 2, 3])).is_err(), "wrong nonce accepted");
    assert!(parse_timestamp_response(&response, &[0; 32], Some(&nonce)).is_err(), "wrong imprint accepted");
    let anchors = [f.ca.root.certificate_der.clone()];
    let policy = VerifyPolicy { purpose: KeyPurpose::Any, ..VerifyPolicy::new(&anchors) };
    let report = verify_timestamp_token_against(&token, data, &policy);
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.serial, u128::MAX.to_be_bytes().to_vec());
    let bad = verify_timestamp_token_against(&token, b"other data", &policy);
    assert!(!bad.is_valid() && !bad.imprint_ok);
}
