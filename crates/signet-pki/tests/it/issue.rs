use std::time::{Duration, SystemTime};

use signet_pki::{
    ChainError, KeyAlgorithm, KeyCustody, KeyFamily, KeyPurpose, SoftwareKey, SubjectInfo, ValidityPeriod, build_csr,
    import_certificate_chain, issue_signing_certificate, pem_certificate, validate_chain,
};

use crate::support::{fixture, openssl, write};

const DAY: Duration = Duration::from_secs(86400);

pub fn subject(name: &str) -> SubjectInfo {
    let f = fixture();
    SubjectInfo {
        common_name: name.into(),
        organisation: Some("杭州测试科技有限公司".into()),
        country: Some("CN".into()),
        serial_number: Some(f.master.id_number_pseudonym("CRED_PSN_CH_IDCARD", "11010519491231002X").unwrap()),
        ..Default::default()
    }
}

/// Issues a certificate for a fresh key of `alg`; returns (key ref, cert DER).
pub fn issue(alg: KeyAlgorithm, name: &str) -> (signet_pki::KeyRef, Vec<u8>) {
    let f = fixture();
    let key = f.keystore.generate(alg, name).unwrap();
    let spki = f.keystore.signer(&key).unwrap().public_key_der();
    let cert = issue_signing_certificate(
        &f.ca,
        &f.keystore,
        &subject(name),
        &spki,
        ValidityPeriod::starting(SystemTime::now() - Duration::from_secs(60), 365 * DAY),
    )
    .unwrap();
    (key, cert)
}

#[test]
fn issued_certificates_chain_in_openssl_for_every_family() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "root.pem", f.ca.root_pem());
    for alg in [KeyAlgorithm::Rsa2048, KeyAlgorithm::P256, KeyAlgorithm::Sm2] {
        let (_, cert) = issue(alg, "张三");
        let family = alg.family();
        let name = format!("{alg}.pem");
        write(dir.path(), &name, pem_certificate(&cert));
        write(dir.path(), "issuing.pem", pem_certificate(&f.ca.issuing_ca(family).unwrap().ca.certificate_der));
        let mut args = vec!["verify"];
        if family == KeyFamily::Sm2 {
            args.extend(["-vfyopt", "distid:1234567812345678"]);
        }
        args.extend(["-CAfile", "root.pem", "-untrusted", "issuing.pem", &name]);
        let out = openssl(dir.path(), &args);
        assert!(out.contains(": OK"), "{out}");
        let text = openssl(dir.path(), &["x509", "-in", &name, "-noout", "-text", "-nameopt", "utf8,sep_comma_plus"]);
        assert!(text.contains("Digital Signature, Non Repudiation"), "{text}");
        assert!(text.contains("CN=张三"), "{text}");
        assert!(text.contains("serialNumber=SGID1-"), "{text}");
        assert!(!text.contains("11010519491231002X"), "ID number leaked");
        assert!(text.contains(&format!("http://127.0.0.1:8089/pki/crl/{}.crl", family.name())), "{text}");
        // Our own path validation agrees.
        let chain = f.ca.chain_for(family).unwrap();
        let path = validate_chain(
            &cert,
            &chain,
            std::slice::from_ref(&f.ca.root.certificate_der),
            SystemTime::now(),
            KeyPurpose::DocumentSigning,
        )
        .unwrap();
        assert_eq!(path.len(), 3);
    }
}

#[test]
fn path_validation_refuses_expiry_wrong_anchor_and_wrong_purpose() {
    let f = fixture();
    let (_, cert) = issue(KeyAlgorithm::P256, "李四");
    let chain = f.ca.chain_for(KeyFamily::Ecdsa).unwrap();
    let root = vec![f.ca.root.certificate_der.clone()];
    let later = SystemTime::now() + 400 * DAY;
    assert!(matches!(
        validate_chain(&cert, &chain, &root, later, KeyPurpose::DocumentSigning),
        Err(ChainError::Expired(_))
    ));
    let other_root = vec![f.ca.issuing_ca(KeyFamily::Rsa).unwrap().ca.certificate_der.clone()];
    assert!(matches!(
        validate_chain(&cert, &[], &other_root, SystemTime::now(), KeyPurpose::DocumentSigning),
        Err(ChainError::NoPathToAnchor(_))
    ));
    assert!(matches!(
        validate_chain(&cert, &chain, &root, SystemTime::now(), KeyPurpose::TimeStamping),
        Err(ChainError::Usage(..))
    ));
    let tsa_chain = f.ca.tsa_chain().unwrap();
    validate_chain(&tsa_chain[0], &tsa_chain[1..], &root, SystemTime::now(), KeyPurpose::TimeStamping).unwrap();
    // An end-entity certificate cannot act as an issuer.
    let (_, other) = issue(KeyAlgorithm::P256, "王五");
    assert!(
        validate_chain(
            &other,
            std::slice::from_ref(&cert),
            std::slice::from_ref(&cert),
            SystemTime::now(),
            KeyPurpose::Any
        )
        .is_err()
    );
}

#[test]
fn validity_beyond_the_issuing_ca_is_refused() {
    let f = fixture();
    let key = SoftwareKey::generate(KeyAlgorithm::P256).unwrap();
    let spki = signet_pki::KeySigner::public_key_der(&key);
    let err = issue_signing_certificate(
        &f.ca,
        &f.keystore,
        &subject("x"),
        &spki,
        ValidityPeriod::starting(SystemTime::now(), 50 * 365 * DAY),
    );
    assert!(err.is_err());
    let err = issue_signing_certificate(
        &f.ca,
        &f.keystore,
        &SubjectInfo::default(),
        &spki,
        ValidityPeriod::starting(SystemTime::now(), DAY),
    );
    assert!(err.is_err(), "empty subject name accepted");
    assert!(
        issue_signing_certificate(
            &f.ca,
            &f.keystore,
            &subject("x"),
            b"\x30\x03junk",
            ValidityPeriod::starting(SystemTime::now(), DAY)
        )
        .is_err()
    );
}

#[test]
fn csr_is_signed_by_an_external_openssl_ca_and_the_chain_imports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "extca.key",
            "-subj",
            "/CN=External CA",
            "-days",
            "30",
            "-out",
            "extca.pem",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    let key = SoftwareKey::generate(KeyAlgorithm::P256).unwrap();
    let csr = build_csr(&key, &subject("外部证书")).unwrap();
    write(d, "req.der", &csr);
    let out =
        openssl(d, &["req", "-in", "req.der", "-inform", "DER", "-verify", "-noout", "-text", "-nameopt", "utf8"]);
    assert!(out.contains("verify OK") || out.contains("Certificate request self-signature verify OK"), "{out}");
    assert!(out.contains("Non Repudiation"), "{out}");
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "req.der",
            "-inform",
            "DER",
            "-CA",
            "extca.pem",
            "-CAkey",
            "extca.key",
            "-CAcreateserial",
            "-days",
            "10",
            "-copy_extensions",
            "copy",
            "-out",
            "leaf.pem",
        ],
    );
    let mut answer = std::fs::read(d.join("extca.pem")).unwrap();
    answer.extend(std::fs::read(d.join("leaf.pem")).unwrap());
    let imported = import_certificate_chain(&answer, &signet_pki::KeySigner::public_key_der(&key)).unwrap();
    assert_eq!(imported.chain.len(), 1);
    let ext_root = imported.chain[0].clone();
    validate_chain(&imported.leaf, &[], &[ext_root], SystemTime::now(), KeyPurpose::DocumentSigning).unwrap();
    // The same answer as a PKCS#7 certs-only bundle (.p7b), DER and PEM.
    write(d, "answer.pem", &answer);
    openssl(d, &["crl2pkcs7", "-nocrl", "-certfile", "answer.pem", "-outform", "DER", "-out", "answer.p7b"]);
    openssl(d, &["crl2pkcs7", "-nocrl", "-certfile", "answer.pem", "-out", "answer.p7b.pem"]);
    for file in ["answer.p7b", "answer.p7b.pem"] {
        let p7 = std::fs::read(d.join(file)).unwrap();
        let from_p7 = import_certificate_chain(&p7, &signet_pki::KeySigner::public_key_der(&key)).unwrap();
        assert_eq!(from_p7, imported, "{file}");
    }
    // A chain for another key is refused.
    let other = SoftwareKey::generate(KeyAlgorithm::P256).unwrap();
    assert!(import_certificate_chain(&answer, &signet_pki::KeySigner::public_key_der(&other)).is_err());
    // SM2 CSRs verify in OpenSSL with the GM/T default ID.
    let sm2 = SoftwareKey::generate(KeyAlgorithm::Sm2).unwrap();
    write(d, "sm2req.der", build_csr(&sm2, &subject("国密")).unwrap());
    let out = openssl(
        d,
        &["req", "-in", "sm2req.der", "-inform", "DER", "-verify", "-noout", "-vfyopt", "distid:1234567812345678"],
    );
    assert!(out.contains("verify OK"), "{out}");
}
