use signet_pki::{CaMaterial, KeyFamily, SoftwareKeystore, parse_certificate, pem_certificate};

use crate::support::{fast_settings, fixture, openssl, openssl_status, write};

#[test]
fn default_hierarchy_chains_in_openssl() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "root.pem", f.ca.root_pem());
    let mut untrusted = String::new();
    for i in &f.ca.issuing {
        untrusted.push_str(&pem_certificate(&i.ca.certificate_der));
    }
    write(dir.path(), "issuing.pem", &untrusted);
    write(dir.path(), "tsa.pem", pem_certificate(&f.ca.tsa.certificate_der));
    let out = openssl(
        dir.path(),
        &["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-purpose", "timestampsign", "tsa.pem"],
    );
    assert!(out.contains("tsa.pem: OK"), "{out}");
    for (n, i) in f.ca.issuing.iter().enumerate() {
        let name = format!("ocsp{n}.pem");
        write(dir.path(), &name, pem_certificate(&i.ocsp.certificate_der));
        let mut args = vec!["verify"];
        if i.family == KeyFamily::Sm2 {
            args.extend(["-vfyopt", "distid:1234567812345678"]);
        }
        args.extend(["-CAfile", "root.pem", "-untrusted", "issuing.pem", &name]);
        let out = openssl(dir.path(), &args);
        assert!(out.contains("OK"), "{out}");
    }
    let text = openssl(dir.path(), &["x509", "-in", "tsa.pem", "-noout", "-text"]);
    assert!(text.contains("X509v3 Extended Key Usage: critical"), "{text}");
    assert!(text.contains("Time Stamping"), "{text}");
    assert!(text.contains("CA Issuers - URI:http://127.0.0.1:8089/pki/ca/ecdsa.cer"), "{text}");
    assert!(text.contains("OCSP - URI:http://127.0.0.1:8089/pki/ocsp"), "{text}");
    assert!(text.contains("URI:http://127.0.0.1:8089/pki/crl/ecdsa.crl"), "{text}");
    let root = openssl(dir.path(), &["x509", "-in", "root.pem", "-noout", "-text"]);
    assert!(root.contains("Public-Key: (4096 bit)"), "{root}");
    assert!(root.contains("CA:TRUE"), "{root}");
}

#[test]
fn sm2_issuing_ca_is_an_sm2_certificate_openssl_reads() {
    let f = fixture();
    let sm2 = f.ca.issuing_ca(KeyFamily::Sm2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sm2.pem", pem_certificate(&sm2.ca.certificate_der));
    write(dir.path(), "sm2ocsp.pem", pem_certificate(&sm2.ocsp.certificate_der));
    write(dir.path(), "root.pem", f.ca.root_pem());
    let text = openssl(dir.path(), &["x509", "-in", "sm2ocsp.pem", "-noout", "-text"]);
    assert!(text.contains("SM2-with-SM3") || text.contains("sm2sign-with-sm3"), "{text}");
    // OpenSSL 3.0 verifies SM2 certificate signatures with an empty ID unless told the
    // GM/T 0009 default; without it, it must fail (proves the ID is really used).
    let (ok, _) =
        openssl_status(dir.path(), &["verify", "-CAfile", "root.pem", "-untrusted", "sm2.pem", "sm2ocsp.pem"]);
    assert!(!ok, "OpenSSL 3.0 accepted an SM2 signature without the distinguishing ID");
    let out = openssl(
        dir.path(),
        &[
            "verify",
            "-vfyopt",
            "distid:1234567812345678",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "sm2.pem",
            "sm2ocsp.pem",
        ],
    );
    assert!(out.contains("OK"), "{out}");
}

#[test]
fn ca_material_round_trips_and_signs_after_reload() {
    let f = fixture();
    let bytes = f.ca.to_bytes().unwrap();
    let back = CaMaterial::from_bytes(&bytes).unwrap();
    assert_eq!(back, f.ca);
    assert!(CaMaterial::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    assert!(f.ca.trust_bundle_pem().matches("BEGIN CERTIFICATE").count() >= 9);
    let cert = parse_certificate(&back.tsa.certificate_der).unwrap();
    assert!(back.issuer_of(&cert).is_some());
    // The reloaded key references still open with the same master key, and match the certificates.
    let store = SoftwareKeystore::new(&f.master).unwrap();
    let root = parse_certificate(&back.root.certificate_der).unwrap();
    let signer = signet_pki::KeyCustody::signer(&store, &back.root.key).unwrap();
    use der::Encode;
    assert_eq!(signer.public_key_der(), root.tbs_certificate().subject_public_key_info().to_der().unwrap());
    let _ = &f.keystore;
}

#[test]
fn fast_hierarchy_with_ecdsa_root_chains() {
    let store = SoftwareKeystore::new(&signet_pki::MasterKey::generate().unwrap()).unwrap();
    let ca = CaMaterial::generate(&fast_settings(), &store).unwrap();
    assert_eq!(ca.public_url, "http://127.0.0.1:8089");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "root.pem", ca.root_pem());
    let rsa = ca.issuing_ca(KeyFamily::Rsa).unwrap();
    write(dir.path(), "rsa.pem", pem_certificate(&rsa.ca.certificate_der));
    let out = openssl(dir.path(), &["verify", "-CAfile", "root.pem", "rsa.pem"]);
    assert!(out.contains("rsa.pem: OK"), "{out}");
}

#[test]
fn service_certificates_renew_with_new_keys_and_still_chain() {
    let store = SoftwareKeystore::new(&signet_pki::MasterKey::generate().unwrap()).unwrap();
    let mut ca = CaMaterial::generate(&fast_settings(), &store).unwrap();
    let before = ca.clone();
    let mut settings = fast_settings();
    settings.now += std::time::Duration::from_secs(86400);
    ca.renew_service_certificates(&settings, &store).unwrap();
    assert_eq!(ca.root, before.root);
    assert_ne!(ca.tsa.certificate_der, before.tsa.certificate_der);
    assert_ne!(ca.tsa.key, before.tsa.key);
    assert_ne!(ca.issuing[0].ocsp.key, before.issuing[0].ocsp.key);
    let tsa_chain = ca.tsa_chain().unwrap();
    signet_pki::validate_chain(
        &tsa_chain[0],
        &tsa_chain[1..],
        std::slice::from_ref(&ca.root.certificate_der),
        std::time::SystemTime::now() + std::time::Duration::from_secs(2 * 86400),
        signet_pki::KeyPurpose::TimeStamping,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "root.pem", ca.root_pem());
    write(dir.path(), "issuing.pem", pem_certificate(&tsa_chain[1]));
    write(dir.path(), "tsa.pem", pem_certificate(&tsa_chain[0]));
    let out = openssl(
        dir.path(),
        &[
            "verify",
            "-attime",
            &(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 2 * 86400)
                .to_string(),
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
            "tsa.pem",
        ],
    );
    assert!(out.contains("tsa.pem: OK"), "{out}");
}

#[test]
fn bad_ca_settings_are_refused_before_any_key_is_made() {
    let store = SoftwareKeystore::new(&signet_pki::MasterKey::generate().unwrap()).unwrap();
    type Change = Box<dyn Fn(&mut signet_pki::CaSettings)>;
    let cases: Vec<(&str, Change)> = vec![
        ("url", Box::new(|s| s.public_url = "ftp://x".into())),
        ("organisation", Box::new(|s| s.organisation = " ".into())),
        ("country", Box::new(|s| s.country = Some("China".into()))),
        ("sm2 root", Box::new(|s| s.root_algorithm = signet_pki::KeyAlgorithm::Sm2)),
        ("tsa family", Box::new(|s| s.issuing_families = vec![KeyFamily::Rsa])),
        ("issuing algorithm", Box::new(|s| s.rsa_issuing_algorithm = signet_pki::KeyAlgorithm::P256)),
    ];
    for (name, change) in cases {
        let mut settings = fast_settings();
        change(&mut settings);
        let err = CaMaterial::generate(&settings, &store).err();
        assert!(matches!(err, Some(signet_pki::PkiError::Invalid(_))), "{name}: {err:?}");
    }
}
