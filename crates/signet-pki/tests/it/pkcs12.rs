use signet_pki::{KeyAlgorithm, KeySigner, PkiError, SoftwareKeystore, read_pkcs12, verify_signature, write_pkcs12};

use crate::issue::issue;
use crate::support::{fixture, openssl, openssl_status, write};

#[test]
fn our_pkcs12_opens_in_openssl_and_round_trips() {
    let f = fixture();
    let store: &SoftwareKeystore = &f.keystore;
    for alg in [KeyAlgorithm::Rsa2048, KeyAlgorithm::P256, KeyAlgorithm::Sm2] {
        let (key, cert) = issue(alg, "证书持有人");
        let (_, pkcs8) = store.export_pkcs8(&key).unwrap();
        let chain = f.ca.chain_for(alg.family()).unwrap();
        let p12 = write_pkcs12(&pkcs8, &cert, &chain, "s3cret-密码", Some("张三")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "out.p12", &p12);
        let out = openssl(
            d,
            &["pkcs12", "-in", "out.p12", "-passin", "pass:s3cret-密码", "-info", "-noenc", "-out", "all.pem"],
        );
        assert!(out.contains("MAC: sha256") && out.contains("PBES2, PBKDF2, AES-256-CBC"), "{out}");
        let pem = std::fs::read_to_string(d.join("all.pem")).unwrap();
        assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 3, "{pem}");
        assert!(pem.contains("BEGIN PRIVATE KEY"), "key missing");
        // OpenSSL refuses a wrong password.
        let (ok, _) =
            openssl_status(d, &["pkcs12", "-in", "out.p12", "-passin", "pass:wrong", "-noenc", "-out", "x.pem"]);
        assert!(!ok);
        // We read back what we wrote.
        let back = read_pkcs12(&p12, "s3cret-密码").unwrap();
        assert_eq!(back.algorithm, alg);
        assert_eq!(back.certificate, cert);
        assert_eq!(back.chain.len(), 2);
        assert!(matches!(read_pkcs12(&p12, "wrong"), Err(PkiError::Pkcs12(m)) if m.contains("wrong password")));
        // A file made by `openssl pkcs12 -export` reads and signs.
        openssl(d, &["pkcs12", "-export", "-in", "all.pem", "-passout", "pass:pw", "-out", "openssl.p12"]);
        let theirs = read_pkcs12(&std::fs::read(d.join("openssl.p12")).unwrap(), "pw").unwrap();
        assert_eq!(theirs.certificate, cert);
        let signer = theirs.signer().unwrap();
        let sig = signer.sign(b"msg").unwrap();
        let spki = spki::SubjectPublicKeyInfoOwned::try_from(signer.public_key_der().as_slice()).unwrap();
        verify_signature(&spki, alg.default_signature(), b"msg", &sig).unwrap();
    }
}

#[test]
fn malformed_pkcs12_is_an_error() {
    assert!(read_pkcs12(b"", "x").is_err());
    assert!(read_pkcs12(b"\x30\x03\x02\x01\x03", "x").is_err());
    let f = fixture();
    let (key, cert) = issue(KeyAlgorithm::P256, "a");
    let (_, other_cert) = issue(KeyAlgorithm::P256, "b");
    let (_, pkcs8) = f.keystore.export_pkcs8(&key).unwrap();
    assert!(write_pkcs12(&pkcs8, &other_cert, &[], "pw", None).is_err(), "mismatched certificate accepted");
    assert!(write_pkcs12(&pkcs8, &cert, &[], "pw", None).is_ok());
}

#[test]
fn legacy_openssl_pkcs12_files_are_read() {
    let f = fixture();
    let (key, cert) = issue(KeyAlgorithm::Rsa2048, "legacy");
    let (_, pkcs8) = f.keystore.export_pkcs8(&key).unwrap();
    let p12 = write_pkcs12(&pkcs8, &cert, &f.ca.chain_for(signet_pki::KeyFamily::Rsa).unwrap(), "pw", None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "ours.p12", &p12);
    openssl(d, &["pkcs12", "-in", "ours.p12", "-passin", "pass:pw", "-noenc", "-out", "all.pem"]);
    // OpenSSL's -legacy defaults (RC2-40 certificates, 3-key 3DES key, SHA-1 MAC) and the other legacy pair.
    for (name, extra) in
        [("legacy.p12", vec![]), ("legacy2.p12", vec!["-keypbe", "PBE-SHA1-2DES", "-certpbe", "PBE-SHA1-RC2-128"])]
    {
        let mut args = vec!["pkcs12", "-export", "-legacy", "-in", "all.pem", "-passout", "pass:pw", "-out", name];
        args.extend(extra);
        openssl(d, &args);
        let info = openssl(d, &["pkcs12", "-in", name, "-passin", "pass:pw", "-info", "-noout", "-legacy"]);
        assert!(info.contains("pbeWithSHA1And"), "{info}");
        let read = read_pkcs12(&std::fs::read(d.join(name)).unwrap(), "pw").unwrap();
        assert_eq!(read.certificate, cert, "{name}");
        assert_eq!(read.chain.len(), 2, "{name}");
        assert_eq!(read.algorithm, KeyAlgorithm::Rsa2048);
        assert!(read_pkcs12(&std::fs::read(d.join(name)).unwrap(), "wrong").is_err());
    }
}
