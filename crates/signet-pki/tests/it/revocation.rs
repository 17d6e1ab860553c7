use std::time::{Duration, SystemTime};

use signet_pki::{
    CertStatus, CrlReasonCode, KeyAlgorithm, KeyFamily, OcspResponder, RevokedEntry, build_ocsp_request, generate_crl,
    parse_certificate, pem_certificate,
};

use crate::issue::issue;
use crate::support::{fixture, openssl, openssl_status, write};

fn serial_of(cert: &[u8]) -> Vec<u8> {
    let c = parse_certificate(cert).unwrap();
    let b = c.tbs_certificate().serial_number().as_bytes().to_vec();
    if b.len() > 1 && b[0] == 0 { b[1..].to_vec() } else { b }
}

#[test]
fn openssl_ocsp_reads_good_then_revoked() {
    let f = fixture();
    let responder = OcspResponder::new(&f.ca, &f.keystore).unwrap();
    for alg in [KeyAlgorithm::P256, KeyAlgorithm::Rsa2048] {
        let (_, leaf) = issue(alg, "ocsp subject");
        let family = alg.family();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "root.pem", f.ca.root_pem());
        write(d, "issuer.pem", pem_certificate(&f.ca.issuing_ca(family).unwrap().ca.certificate_der));
        write(d, "leaf.pem", pem_certificate(&leaf));
        openssl(d, &["ocsp", "-issuer", "issuer.pem", "-cert", "leaf.pem", "-reqout", "req.der"]);
        let request = std::fs::read(d.join("req.der")).unwrap();
        let serial = serial_of(&leaf);
        assert_eq!(responder.requested_serials(&request), vec![(family.name(), serial.clone())]);
        assert!(responder.requested_serials(b"junk").is_empty());
        let revoked_at = SystemTime::now() - Duration::from_secs(30);
        for revoked in [false, true] {
            let lookup = |ca: &str, s: &[u8]| {
                assert_eq!(ca, family.name());
                if s != serial.as_slice() {
                    CertStatus::Unknown
                } else if revoked {
                    CertStatus::Revoked { time: revoked_at, reason: Some(CrlReasonCode::KeyCompromise) }
                } else {
                    CertStatus::Good
                }
            };
            let response = responder.respond(&request, &lookup, SystemTime::now()).unwrap();
            write(d, "resp.der", &response);
            // Signature, responder authorisation and nonce echo against the request.
            let out = openssl(
                d,
                &[
                    "ocsp",
                    "-reqin",
                    "req.der",
                    "-respin",
                    "resp.der",
                    "-CAfile",
                    "root.pem",
                    "-verify_other",
                    "issuer.pem",
                ],
            );
            assert!(out.contains("Response verify OK"), "{out}");
            assert!(!out.contains("WARNING: no nonce"), "nonce not echoed: {out}");
            // Status of the certificate in question.
            let out = openssl(
                d,
                &[
                    "ocsp",
                    "-no_nonce",
                    "-respin",
                    "resp.der",
                    "-issuer",
                    "issuer.pem",
                    "-cert",
                    "leaf.pem",
                    "-CAfile",
                    "root.pem",
                    "-verify_other",
                    "issuer.pem",
                ],
            );
            assert!(out.contains("Response verify OK"), "{out}");
            if revoked {
                assert!(out.contains("leaf.pem: revoked") && out.contains("Reason: keyCompromise"), "{out}");
            } else {
                assert!(out.contains("leaf.pem: good"), "{out}");
            }
        }
        // Our own request builder (SHA-256 CertID) is understood too.
        let request = build_ocsp_request(&leaf, &f.ca.issuing_ca(family).unwrap().ca.certificate_der).unwrap();
        let response = responder.respond(&request, &|_, _| CertStatus::Good, SystemTime::now()).unwrap();
        write(d, "resp2.der", &response);
        let out = openssl(d, &["ocsp", "-respin", "resp2.der", "-resp_text", "-noverify"]);
        assert!(out.contains("Cert Status: good") && out.contains("Hash Algorithm: sha256"), "{out}");
    }
}

#[test]
fn unknown_issuers_and_garbage_get_error_statuses() {
    let f = fixture();
    let responder = OcspResponder::new(&f.ca, &f.keystore).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let garbage = responder.respond(b"junk", &|_, _| CertStatus::Good, SystemTime::now()).unwrap();
    write(d, "g.der", &garbage);
    let (_, out) = openssl_status(d, &["ocsp", "-respin", "g.der", "-resp_text", "-noverify"]);
    assert!(out.contains("malformedrequest"), "{out}");
    // A certificate from another CA.
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.pem",
            "-subj",
            "/CN=other",
            "-out",
            "other.pem",
        ],
    );
    openssl(d, &["ocsp", "-issuer", "other.pem", "-cert", "other.pem", "-reqout", "req.der"]);
    let resp = responder
        .respond(&std::fs::read(d.join("req.der")).unwrap(), &|_, _| CertStatus::Good, SystemTime::now())
        .unwrap();
    write(d, "u.der", &resp);
    let (_, out) = openssl_status(d, &["ocsp", "-respin", "u.der", "-resp_text", "-noverify"]);
    assert!(out.contains("unauthorized"), "{out}");
}

#[test]
fn crl_verifies_and_revokes_in_openssl() {
    let f = fixture();
    let (_, good) = issue(KeyAlgorithm::P256, "good");
    let (_, bad) = issue(KeyAlgorithm::P256, "bad");
    let now = SystemTime::now();
    let crl = generate_crl(
        &f.ca,
        &f.keystore,
        "ecdsa",
        7,
        now - Duration::from_secs(60),
        now + Duration::from_secs(86400),
        &[RevokedEntry {
            serial: serial_of(&bad),
            time: now - Duration::from_secs(120),
            reason: Some(CrlReasonCode::Superseded),
        }],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "crl.der", &crl);
    write(d, "root.pem", f.ca.root_pem());
    write(d, "issuer.pem", pem_certificate(&f.ca.issuing_ca(KeyFamily::Ecdsa).unwrap().ca.certificate_der));
    write(
        d,
        "chain.pem",
        format!(
            "{}{}",
            f.ca.root_pem(),
            pem_certificate(&f.ca.issuing_ca(KeyFamily::Ecdsa).unwrap().ca.certificate_der)
        ),
    );
    write(d, "good.pem", pem_certificate(&good));
    write(d, "bad.pem", pem_certificate(&bad));
    let out = openssl(d, &["crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "chain.pem", "-noout", "-text"]);
    assert!(out.contains("verify OK"), "{out}");
    assert!(out.contains("X509v3 CRL Number:") && out.contains("Superseded"), "{out}");
    openssl(d, &["crl", "-inform", "DER", "-in", "crl.der", "-out", "crl.pem"]);
    let out = openssl(
        d,
        &["verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "issuer.pem", "-CRLfile", "crl.pem", "good.pem"],
    );
    assert!(out.contains("good.pem: OK"), "{out}");
    let (ok, out) = openssl_status(
        d,
        &["verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "issuer.pem", "-CRLfile", "crl.pem", "bad.pem"],
    );
    assert!(!ok && out.contains("certificate revoked"), "{out}");
    // Root CRL (for the issuing CAs), empty.
    let root_crl = generate_crl(&f.ca, &f.keystore, "root", 1, now, now + Duration::from_secs(3600), &[]).unwrap();
    write(d, "root.crl", &root_crl);
    let out = openssl(d, &["crl", "-inform", "DER", "-in", "root.crl", "-CAfile", "root.pem", "-noout"]);
    assert!(out.contains("verify OK"), "{out}");
    assert!(generate_crl(&f.ca, &f.keystore, "nope", 1, now, now, &[]).is_err());
}

#[test]
fn ocsp_and_crl_checks_and_cms_verification_with_required_revocation() {
    use signet_pki::{
        CmsBuilder, CmsSignature, DigestAlgorithm, KeyCustody, VerifyPolicy, certificate_urls, check_crl,
        check_ocsp_response,
    };
    let f = fixture();
    let responder = OcspResponder::new(&f.ca, &f.keystore).unwrap();
    let (key, leaf) = issue(KeyAlgorithm::P256, "revocation");
    let issuing = f.ca.issuing_ca(KeyFamily::Ecdsa).unwrap().ca.certificate_der.clone();
    let urls = certificate_urls(&leaf).unwrap();
    assert_eq!(urls.ocsp, ["http://127.0.0.1:8089/pki/ocsp"]);
    assert_eq!(urls.ca_issuers, ["http://127.0.0.1:8089/pki/ca/ecdsa.cer"]);
    assert_eq!(urls.crl, ["http://127.0.0.1:8089/pki/crl/ecdsa.crl"]);

    let now = SystemTime::now();
    let revoked_at = now - Duration::from_secs(3600);
    let ocsp_for = |cert: &[u8], issuer: &[u8], revoked: bool| {
        let request = build_ocsp_request(cert, issuer).unwrap();
        let status = if revoked { CertStatus::Revoked { time: revoked_at, reason: None } } else { CertStatus::Good };
        responder.respond(&request, &|_, _| status, now).unwrap()
    };
    let good = ocsp_for(&leaf, &issuing, false);
    assert_eq!(check_ocsp_response(&good, &leaf, &issuing).unwrap().status, CertStatus::Good);
    let bad = ocsp_for(&leaf, &issuing, true);
    assert!(matches!(check_ocsp_response(&bad, &leaf, &issuing).unwrap().status, CertStatus::Revoked { .. }));
    let (_, other) = issue(KeyAlgorithm::P256, "other");
    assert!(check_ocsp_response(&good, &other, &issuing).is_err(), "response applied to another certificate");
    let mut tampered = good.clone();
    let n = tampered.len() - 10;
    tampered[n] ^= 0xff;
    assert!(check_ocsp_response(&tampered, &leaf, &issuing).is_err(), "tampered response accepted");

    let crl = generate_crl(
        &f.ca,
        &f.keystore,
        "ecdsa",
        2,
        now,
        now + Duration::from_secs(600),
        &[RevokedEntry { serial: serial_of(&leaf), time: revoked_at, reason: Some(CrlReasonCode::KeyCompromise) }],
    )
    .unwrap();
    assert!(matches!(
        check_crl(&crl, &leaf, &issuing).unwrap().status,
        CertStatus::Revoked { reason: Some(CrlReasonCode::KeyCompromise), .. }
    ));
    assert_eq!(check_crl(&crl, &other, &issuing).unwrap().status, CertStatus::Good);
    let rsa_issuer = f.ca.issuing_ca(KeyFamily::Rsa).unwrap().ca.certificate_der.clone();
    assert!(check_crl(&crl, &leaf, &rsa_issuer).is_err(), "CRL of another issuer accepted");

    // CMS verification with required revocation data.
    let signer = f.keystore.signer(&key).unwrap();
    let content = b"revocation-aware verification";
    let cms = CmsBuilder::new(signer.as_ref(), &leaf, std::slice::from_ref(&issuing))
        .unwrap()
        .sign(&DigestAlgorithm::Sha256.digest(content))
        .unwrap();
    let sig = CmsSignature::parse(&cms).unwrap();
    let digest = DigestAlgorithm::Sha256.digest(content);
    let anchors = [f.ca.root.certificate_der.clone()];
    let strict = VerifyPolicy { require_revocation: true, ..VerifyPolicy::new(&anchors) };
    let report = sig.verify(Some(&digest), &strict);
    assert!(!report.is_valid() && report.problems.iter().any(|p| p.contains("no revocation data")), "{report:?}");
    let issuing_ocsp = ocsp_for(&issuing, &f.ca.root.certificate_der, false);
    let responses = [good.clone(), issuing_ocsp.clone()];
    let report = sig.verify(Some(&digest), &VerifyPolicy { ocsp_responses: &responses, ..strict.clone() });
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.revocation.len(), 2);
    assert!(report.revocation.iter().all(|r| r.status == Some(CertStatus::Good) && r.source == Some("ocsp")));
    let revoked_responses = [bad, issuing_ocsp];
    let report = sig.verify(Some(&digest), &VerifyPolicy { ocsp_responses: &revoked_responses, ..strict.clone() });
    assert!(!report.is_valid() && report.problems.iter().any(|p| p.contains("revoked")), "{report:?}");
    let crls = [crl];
    let report = sig.verify(Some(&digest), &VerifyPolicy { crls: &crls, ..VerifyPolicy::new(&anchors) });
    assert!(!report.is_valid(), "revoked by CRL yet valid: {report:?}");
}

#[test]
fn revocation_values_inside_the_signature_are_used() {
    use signet_pki::{CmsBuilder, CmsSignature, DigestAlgorithm, KeyCustody, VerifyPolicy};
    let f = fixture();
    let responder = OcspResponder::new(&f.ca, &f.keystore).unwrap();
    let (key, leaf) = issue(KeyAlgorithm::P256, "embedded revocation");
    let issuing = f.ca.issuing_ca(KeyFamily::Ecdsa).unwrap().ca.certificate_der.clone();
    let now = SystemTime::now();
    let ocsp = |cert: &[u8], issuer: &[u8]| {
        responder.respond(&build_ocsp_request(cert, issuer).unwrap(), &|_, _| CertStatus::Good, now).unwrap()
    };
    let responses = [ocsp(&leaf, &issuing), ocsp(&issuing, &f.ca.root.certificate_der)];
    let content = b"adbe.pkcs7.detached with revocation values";
    let digest = DigestAlgorithm::Sha256.digest(content);
    let signer = f.keystore.signer(&key).unwrap();
    let builder = CmsBuilder::new(signer.as_ref(), &leaf, std::slice::from_ref(&issuing))
        .unwrap()
        .revocation_values(&responses, &[])
        .unwrap();
    let max = builder.max_len();
    let cms = builder.sign(&digest).unwrap();
    assert!(cms.len() <= max);
    let anchors = [f.ca.root.certificate_der.clone()];
    let strict = VerifyPolicy { require_revocation: true, ..VerifyPolicy::new(&anchors) };
    let sig = CmsSignature::parse(&cms).unwrap();
    assert_eq!(sig.embedded_revocation().0.len(), 2);
    let report = sig.verify(Some(&digest), &strict);
    assert!(report.is_valid(), "{report:?}");

    // OpenSSL accepts it, and CRLs OpenSSL puts into SignedData.crls are read too.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "content.bin", content);
    write(d, "sig.der", &cms);
    write(d, "root.pem", f.ca.root_pem());
    let out = openssl(
        d,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "sig.der",
            "-content",
            "content.bin",
            "-CAfile",
            "root.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(out.contains("Verification successful"), "{out}");
    // Revocation values in SignedData.crls (RFC 5652 CRLs and RFC 5940 OCSP), spliced
    // into a signature without them: SignedData itself is not signed, so it stays valid.
    let plain = CmsBuilder::new(signer.as_ref(), &leaf, std::slice::from_ref(&issuing)).unwrap().sign(&digest).unwrap();
    let crl_ecdsa = generate_crl(&f.ca, &f.keystore, "ecdsa", 3, now, now + Duration::from_secs(600), &[]).unwrap();
    let ri_ocsp = [tlv(0x06, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x10, 0x02]), responses[1].clone()].concat();
    let crls_field = tlv(0xA1, &[crl_ecdsa, tlv(0xA1, &ri_ocsp)].concat());
    let content_info = children(&plain);
    let mut signed_data = children(&children(&content_info[1])[0]);
    let last = signed_data.pop().unwrap();
    signed_data.push(crls_field);
    signed_data.push(last);
    let spliced = tlv(0x30, &[content_info[0].clone(), tlv(0xA0, &tlv(0x30, &signed_data.concat()))].concat());
    write(d, "spliced.der", &spliced);
    let printed = openssl(d, &["cms", "-cmsout", "-print", "-inform", "DER", "-in", "spliced.der"]);
    assert!(printed.contains("crls:") && printed.contains("(1.3.6.1.5.5.7.16.2)"), "{printed}");
    let sig = CmsSignature::parse(&spliced).unwrap();
    let (ocsp_found, crls_found) = sig.embedded_revocation();
    assert_eq!((ocsp_found.len(), crls_found.len()), (1, 1));
    let report = sig.verify(Some(&digest), &strict);
    assert!(report.is_valid(), "{report:?}");
    let sources: Vec<_> = report.revocation.iter().map(|r| r.source).collect();
    assert_eq!(sources, [Some("crl"), Some("ocsp")]);
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// The complete TLVs inside a constructed DER element.
fn children(tlv: &[u8]) -> Vec<Vec<u8>> {
    use der::{Decode, Encode, Reader};
    let any = der::Any::from_der(tlv).unwrap();
    let mut reader = der::SliceReader::new(any.value()).unwrap();
    let mut out = vec![];
    while !reader.is_finished() {
        out.push(der::Any::decode(&mut reader).unwrap().to_der().unwrap());
    }
    out
}
