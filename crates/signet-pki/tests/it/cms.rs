use std::time::SystemTime;

use signet_pki::{
    CmsBuilder, CmsProfile, CmsSignature, DigestAlgorithm, KeyAlgorithm, KeyCustody, SignatureAlgorithm,
    TimestampAuthority, VerifyPolicy, pem_certificate,
};

use crate::issue::issue;
use crate::support::{fixture, openssl, openssl_status, write};

fn content() -> Vec<u8> {
    (0..50_000u32).map(|i| (i * 7 + i / 13) as u8).collect()
}

fn policy(anchors: &[Vec<u8>]) -> VerifyPolicy<'_> {
    VerifyPolicy::new(anchors)
}

/// Signs `content()` detached; returns the CMS DER.
fn sign(alg: KeyAlgorithm, digest: Option<DigestAlgorithm>, profile: CmsProfile, ts: bool, pss: bool) -> Vec<u8> {
    let f = fixture();
    let (key, cert) = issue(alg, "签名人");
    let signer = f.keystore.signer(&key).unwrap();
    let chain = f.ca.chain_for(alg.family()).unwrap();
    let tsa = TimestampAuthority::from_ca(&f.ca, &f.keystore).unwrap();
    let mut builder = CmsBuilder::new(signer.as_ref(), &cert, &chain[..1]).unwrap().profile(profile);
    if let Some(d) = digest {
        builder = builder.digest(d).unwrap();
    }
    if pss {
        builder = builder.scheme(SignatureAlgorithm::RsaPssSha256).unwrap();
    }
    if ts {
        builder = builder.timestamp(&tsa);
    }
    let digest = builder.digest_algorithm().digest(&content());
    let max = builder.max_len();
    let cms = builder.sign(&digest).unwrap();
    assert!(cms.len() <= max, "max_len {max} < actual {}", cms.len());
    cms
}

fn openssl_cms_verify(cms: &[u8]) -> String {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sig.der", cms);
    write(dir.path(), "content.bin", content());
    write(dir.path(), "root.pem", f.ca.root_pem());
    let out = openssl(
        dir.path(),
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
    openssl(dir.path(), &["cms", "-cmsout", "-print", "-inform", "DER", "-in", "sig.der"])
}

#[test]
fn pades_cms_verifies_in_openssl_for_rsa_and_ecdsa() {
    for (alg, digest) in [
        (KeyAlgorithm::Rsa2048, None),
        (KeyAlgorithm::Rsa2048, Some(DigestAlgorithm::Sha512)),
        (KeyAlgorithm::P256, None),
        (KeyAlgorithm::P384, Some(DigestAlgorithm::Sha384)),
    ] {
        let cms = sign(alg, digest, CmsProfile::Pades, false, false);
        let printed = openssl_cms_verify(&cms);
        assert!(printed.contains("id-smime-aa-signingCertificateV2"), "{printed}");
        assert!(printed.contains("pkcs9-messageDigest") || printed.contains("messageDigest"), "{printed}");
        assert!(!printed.contains("signingTime"), "PAdES must not carry signing-time:\n{printed}");
        // Our verifier agrees, and notices a different content.
        let f = fixture();
        let anchors = [f.ca.root.certificate_der.clone()];
        let sig = CmsSignature::parse(&cms).unwrap();
        let d = sig.digest_algorithm().unwrap().digest(&content());
        let report = sig.verify(Some(&d), &policy(&anchors));
        assert!(report.is_valid(), "{report:?}");
        assert_eq!(report.signing_certificate_ok, Some(true));
        let mut other = content();
        other[10] ^= 1;
        let bad = sig.verify(Some(&sig.digest_algorithm().unwrap().digest(&other)), &policy(&anchors));
        assert!(!bad.is_valid() && !bad.message_digest_ok);
        // Untrusted root: signature fine, chain not.
        let wrong = [f.ca.issuing_ca(signet_pki::KeyFamily::Sm2).unwrap().ca.certificate_der.clone()];
        let untrusted = sig.verify(Some(&d), &policy(&wrong));
        assert!(untrusted.signature_ok && untrusted.chain.is_err() && !untrusted.is_valid());
    }
}

#[test]
fn rsa_pss_and_adbe_profile_verify_in_openssl() {
    let cms = sign(KeyAlgorithm::Rsa2048, None, CmsProfile::Pades, false, true);
    let printed = openssl_cms_verify(&cms);
    assert!(printed.contains("rsassaPss"), "{printed}");
    let cms =
        sign(KeyAlgorithm::P256, None, CmsProfile::AdbePkcs7Detached { signing_time: SystemTime::now() }, false, false);
    let printed = openssl_cms_verify(&cms);
    assert!(printed.contains("signingTime"), "{printed}");
    let report = CmsSignature::parse(&cms).unwrap().verify(
        Some(&DigestAlgorithm::Sha256.digest(&content())),
        &policy(&[fixture().ca.root.certificate_der.clone()]),
    );
    assert!(report.is_valid() && report.signing_time.is_some(), "{report:?}");
}

#[test]
fn signature_timestamp_is_embedded_and_openssl_verifies_the_token() {
    let f = fixture();
    let cms = sign(KeyAlgorithm::P256, None, CmsProfile::Pades, true, false);
    openssl_cms_verify(&cms);
    let anchors = [f.ca.root.certificate_der.clone()];
    let sig = CmsSignature::parse(&cms).unwrap();
    let report = sig.verify(Some(&DigestAlgorithm::Sha256.digest(&content())), &policy(&anchors));
    assert!(report.is_valid(), "{report:?}");
    let ts = report.timestamp.as_ref().expect("timestamp report");
    assert!(ts.imprint_ok && ts.token.is_valid(), "{ts:?}");
    assert_eq!(report.checked_at, ts.gen_time);
    // OpenSSL checks the token over the signature value.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "token.der", sig.signature_timestamp_token().unwrap());
    write(dir.path(), "root.pem", f.ca.root_pem());
    let imprint: String =
        DigestAlgorithm::Sha256.digest(sig.signature_value()).iter().map(|b| format!("{b:02x}")).collect();
    let out = openssl(
        dir.path(),
        &["ts", "-verify", "-digest", &imprint, "-in", "token.der", "-token_in", "-CAfile", "root.pem"],
    );
    assert!(out.contains("Verification: OK"), "{out}");
    let printed = openssl(dir.path(), &["cms", "-cmsout", "-print", "-inform", "DER", "-in", "token.der"]);
    assert!(printed.contains("id-smime-aa-signingCertificateV2"), "{printed}");
}

#[test]
fn sm2_cms_verifies_here_and_openssl_confirms_the_raw_signature() {
    let f = fixture();
    let cms = sign(KeyAlgorithm::Sm2, None, CmsProfile::Pades, true, false);
    let sig = CmsSignature::parse(&cms).unwrap();
    assert_eq!(sig.digest_algorithm().unwrap(), DigestAlgorithm::Sm3);
    let anchors = [f.ca.root.certificate_der.clone()];
    let report = sig.verify(Some(&DigestAlgorithm::Sm3.digest(&content())), &policy(&anchors));
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.signature_algorithm, Some(SignatureAlgorithm::Sm2Sm3));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "attrs.der", sig.signed_attributes_der().unwrap());
    write(dir.path(), "sig.bin", sig.signature_value());
    write(dir.path(), "cert.pem", pem_certificate(report.signer_certificate.as_ref().unwrap()));
    openssl(dir.path(), &["x509", "-in", "cert.pem", "-pubkey", "-noout", "-out", "pub.pem"]);
    let args = [
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        "pub.pem",
        "-rawin",
        "-digest",
        "sm3",
        "-in",
        "attrs.der",
        "-sigfile",
        "sig.bin",
        "-pkeyopt",
        "distid:1234567812345678",
    ];
    let out = openssl(dir.path(), &args);
    assert!(out.contains("Signature Verified Successfully"), "{out}");
    // Without the distinguishing ID OpenSSL 3.0 must refuse: the ID is really in the signature.
    let (ok, out) = openssl_status(dir.path(), &args[..args.len() - 2]);
    assert!(!ok && out.contains("Failure"), "{out}");
}

#[test]
fn garbage_and_wrong_key_are_errors_not_panics() {
    let f = fixture();
    assert!(CmsSignature::parse(b"").is_err());
    assert!(CmsSignature::parse(b"\x30\x80\x00\x00").is_err());
    assert!(CmsSignature::parse(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
    let (_, cert) = issue(KeyAlgorithm::P256, "a");
    let other = f.keystore.signer(&f.keystore.generate(KeyAlgorithm::P256, "b").unwrap()).unwrap();
    assert!(CmsBuilder::new(other.as_ref(), &cert, &[]).is_err(), "accepted a key that is not the certificate's");
    let (own_key, own_cert) = issue(KeyAlgorithm::P256, "c");
    let own = f.keystore.signer(&own_key).unwrap();
    let builder = CmsBuilder::new(own.as_ref(), &own_cert, &[]).unwrap();
    assert!(builder.sign(&[0u8; 31]).is_err(), "accepted a short digest");
    // Padding after the DER (as in a PDF /Contents) is ignored.
    let mut padded = sign(KeyAlgorithm::P256, None, CmsProfile::Pades, false, false);
    padded.extend_from_slice(&[0u8; 100]);
    assert!(CmsSignature::parse(&padded).is_ok());
}

#[test]
fn openssl_made_cms_verifies_here_der_ber_detached_and_attached() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "data.bin", content());
    for key in ["ec -pkeyopt ec_paramgen_curve:P-256", "rsa:2048"] {
        let mut args = vec!["req", "-x509", "-newkey"];
        args.extend(key.split(' '));
        args.extend([
            "-nodes",
            "-keyout",
            "k.pem",
            "-subj",
            "/CN=OpenSSL signer",
            "-days",
            "2",
            "-out",
            "c.pem",
            "-addext",
            "keyUsage=critical,digitalSignature,nonRepudiation,keyCertSign",
        ]);
        openssl(d, &args);
        let anchor = signet_pki::read_certificates(&std::fs::read(d.join("c.pem")).unwrap()).unwrap();
        for (name, extra) in
            [("der.p7s", vec![]), ("ber.p7s", vec!["-stream"]), ("attached.p7s", vec!["-nodetach", "-stream"])]
        {
            let mut args = vec![
                "cms", "-sign", "-binary", "-in", "data.bin", "-signer", "c.pem", "-inkey", "k.pem", "-outform", "DER",
                "-out", name,
            ];
            args.extend(extra);
            openssl(d, &args);
            let sig = CmsSignature::parse(&std::fs::read(d.join(name)).unwrap()).unwrap();
            let digest = sig.digest_algorithm().unwrap().digest(&content());
            let attached = name.starts_with("attached");
            let report = sig.verify(if attached { None } else { Some(&digest) }, &policy(&anchor));
            assert!(report.is_valid(), "{key} {name}: {report:?}");
            assert!(report.signing_time.is_some(), "OpenSSL adds signing-time");
            if attached {
                assert_eq!(sig.encapsulated_content().unwrap(), content());
            } else {
                let mut other = content();
                other[0] ^= 1;
                let d2 = sig.digest_algorithm().unwrap().digest(&other);
                assert!(!sig.verify(Some(&d2), &policy(&anchor)).is_valid());
            }
        }
    }
}

#[test]
fn sm2_cms_with_gb_t_35275_identifiers() {
    let f = fixture();
    let (key, cert) = issue(KeyAlgorithm::Sm2, "国密格式");
    let signer = f.keystore.signer(&key).unwrap();
    let chain = f.ca.chain_for(KeyAlgorithm::Sm2.family()).unwrap();
    let builder = CmsBuilder::new(signer.as_ref(), &cert, &chain[..1]).unwrap().gm_oids().unwrap();
    let digest = DigestAlgorithm::Sm3.digest(&content());
    let cms = builder.sign(&digest).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gm.der", &cms);
    let parsed = openssl(dir.path(), &["asn1parse", "-inform", "DER", "-in", "gm.der"]);
    assert!(parsed.contains(":1.2.156.10197.6.1.4.2.2") && parsed.contains(":1.2.156.10197.6.1.4.2.1"), "{parsed}");
    // The SignerInfo names SM2-1 (the certificates keep SM2-with-SM3).
    assert!(
        parsed
            .trim_end()
            .lines()
            .rev()
            .find(|l| l.contains("OBJECT"))
            .is_some_and(|l| l.ends_with(":1.2.156.10197.1.301.1")),
        "{parsed}"
    );
    let sig = CmsSignature::parse(&cms).unwrap();
    let report = sig.verify(Some(&digest), &policy(std::slice::from_ref(&f.ca.root.certificate_der)));
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.signature_algorithm, Some(SignatureAlgorithm::Sm2Sm3));
    // An RSA key cannot use them.
    let (rsa_key, rsa_cert) = issue(KeyAlgorithm::Rsa2048, "rsa");
    let rsa = f.keystore.signer(&rsa_key).unwrap();
    assert!(CmsBuilder::new(rsa.as_ref(), &rsa_cert, &[]).unwrap().gm_oids().is_err());
}
