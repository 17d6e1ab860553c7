//! SoftHSM2 for real. SoftHSM reads its configuration from SOFTHSM2_CONF at
//! C_Initialize; setting environment variables in-process is unsafe, so the
//! test prepares a token and re-runs itself as a child process with the variable set.

use std::process::Command;
use std::time::{Duration, SystemTime};

use signet_pki::{
    CaMaterial, CaSettings, CmsBuilder, CmsSignature, KeyAlgorithm, KeyCustody, KeyFamily, MasterKey, Pkcs11Custody,
    RoutedCustody, SignatureAlgorithm, SoftwareKeystore, TimestampAuthority, ValidityPeriod, VerifyPolicy,
    issue_signing_certificate,
};

use crate::issue::subject;
use crate::support::{openssl, write};

/// SoftHSM2's module (Debian path); `SOFTHSM2_MODULE` overrides it on other systems.
fn module() -> String {
    std::env::var("SOFTHSM2_MODULE").unwrap_or_else(|_| "/usr/lib/softhsm/libsofthsm2.so".into())
}
const CHILD_MARKER: &str = "SIGNET_PKI_SOFTHSM_CHILD";
const TEST_NAME: &str = "pkcs11::softhsm_token_holds_ca_tsa_and_signer_keys";

#[test]
fn softhsm_token_holds_ca_tsa_and_signer_keys() {
    if std::env::var_os(CHILD_MARKER).is_none() {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = write(
            dir.path(),
            "softhsm2.conf",
            format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display()),
        );
        let init = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", "signet-test", "--so-pin", "12345678", "--pin", "87654321"])
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .unwrap_or_else(|e| panic!("softhsm2-util is required for this test (apt-get install softhsm2): {e}"));
        assert!(init.status.success(), "softhsm2-util failed: {}", String::from_utf8_lossy(&init.stderr));
        assert!(
            std::path::Path::new(&module()).exists(),
            "SoftHSM2 module {} is missing (set SOFTHSM2_MODULE)",
            module()
        );
        let child = Command::new(std::env::current_exe().unwrap())
            .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env("SOFTHSM2_CONF", &conf)
            .env(CHILD_MARKER, "1")
            .output()
            .unwrap();
        let out = format!("{}{}", String::from_utf8_lossy(&child.stdout), String::from_utf8_lossy(&child.stderr));
        assert!(child.status.success() && out.contains("1 passed"), "SoftHSM child run failed:\n{out}");
        return;
    }

    // Token and software keys side by side: SM2 goes to software, the rest to the token.
    let routed = RoutedCustody::new(
        SoftwareKeystore::new(&MasterKey::generate().unwrap()).unwrap(),
        Some(Pkcs11Custody::open(&module(), "signet-test", "87654321").unwrap()),
    );
    let sm2 = routed.generate(KeyAlgorithm::Sm2, "sm2").unwrap();
    let p256 = routed.generate(KeyAlgorithm::P256, "p256").unwrap();
    assert_eq!((sm2.kind(), p256.kind()), (&b"SGK1"[..], &b"SGP1"[..]));
    for key in [sm2, p256] {
        let signer = routed.signer(&key).unwrap();
        let spki = spki::SubjectPublicKeyInfoOwned::try_from(signer.public_key_der().as_slice()).unwrap();
        let sig = signer.sign(b"routed").unwrap();
        signet_pki::verify_signature(&spki, signer.algorithm().default_signature(), b"routed", &sig).unwrap();
    }

    let custody = Pkcs11Custody::open(&module(), "signet-test", "87654321").unwrap();
    assert!(Pkcs11Custody::open(&module(), "no-such-token", "87654321").is_err());
    assert!(custody.generate(KeyAlgorithm::Sm2, "sm2").is_err(), "SoftHSM has no SM2; must be a clear error");

    // The whole CA (without SM2) lives in the token.
    let mut settings = CaSettings::new("http://127.0.0.1:8090", "Signet HSM CA");
    settings.root_algorithm = KeyAlgorithm::Rsa2048;
    settings.rsa_issuing_algorithm = KeyAlgorithm::Rsa2048;
    settings.issuing_families = vec![KeyFamily::Rsa, KeyFamily::Ecdsa];
    let ca = CaMaterial::generate(&settings, &custody).unwrap();
    assert_eq!(&ca.root.key.as_bytes()[..4], b"SGP1");
    let ca = CaMaterial::from_bytes(&ca.to_bytes().unwrap()).unwrap();
    let tsa = TimestampAuthority::from_ca(&ca, &custody).unwrap();
    let anchors = [ca.root.certificate_der.clone()];
    let content = b"contract signed with a key that never left the token".repeat(100);

    for (alg, scheme) in [
        (KeyAlgorithm::P256, None),
        (KeyAlgorithm::P384, None),
        (KeyAlgorithm::Rsa2048, None),
        (KeyAlgorithm::Rsa2048, Some(SignatureAlgorithm::RsaPssSha256)),
    ] {
        let key = custody.generate(alg, "account").unwrap();
        let signer = custody.signer(&key).unwrap();
        let cert = issue_signing_certificate(
            &ca,
            &custody,
            &subject("硬件密钥"),
            &signer.public_key_der(),
            ValidityPeriod::starting(SystemTime::now(), Duration::from_secs(3600)),
        )
        .unwrap();
        let chain = ca.chain_for(alg.family()).unwrap();
        let mut builder = CmsBuilder::new(signer.as_ref(), &cert, &chain[..1]).unwrap().timestamp(&tsa);
        if let Some(s) = scheme {
            builder = builder.scheme(s).unwrap();
        }
        let digest = builder.digest_algorithm().digest(&content);
        let cms = builder.sign(&digest).unwrap();
        let report = CmsSignature::parse(&cms).unwrap().verify(Some(&digest), &VerifyPolicy::new(&anchors));
        assert!(report.is_valid(), "{alg}: {report:?}");
        assert!(report.timestamp.as_ref().is_some_and(|t| t.is_valid()));
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "sig.der", &cms);
        write(dir.path(), "content.bin", &content);
        write(dir.path(), "root.pem", ca.root_pem());
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
        assert!(out.contains("Verification successful"), "{alg}: {out}");
    }
}
