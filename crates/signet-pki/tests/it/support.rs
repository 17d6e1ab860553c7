//! Shared fixtures: one CA per test run, and an OpenSSL runner.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use signet_pki::{CaMaterial, CaSettings, KeyAlgorithm, MasterKey, SoftwareKeystore};

pub struct Fixture {
    pub master: MasterKey,
    pub keystore: SoftwareKeystore,
    pub ca: CaMaterial,
}

/// The CA with the default settings, created once (RSA-4096 generation is slow).
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let master = MasterKey::generate().expect("master key");
        let keystore = SoftwareKeystore::new(&master).expect("keystore");
        let mut settings = CaSettings::new("http://127.0.0.1:8089", "Signet Test 签约");
        settings.country = Some("CN".into());
        let ca = CaMaterial::generate(&settings, &keystore).expect("CA generation");
        Fixture { master, keystore, ca }
    })
}

pub fn fast_settings() -> CaSettings {
    let mut settings = CaSettings::new("http://127.0.0.1:8089/", "Fast CA");
    settings.root_algorithm = KeyAlgorithm::P384;
    settings.rsa_issuing_algorithm = KeyAlgorithm::Rsa2048;
    settings
}

/// Runs openssl; panics with its output when it is missing or fails.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl is required for these tests and could not be run: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "openssl {args:?} failed:\n{text}");
    text
}

/// Runs openssl and returns (success, output) without asserting.
pub fn openssl_status(dir: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl is required for these tests and could not be run: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

pub fn write(dir: &Path, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).expect("write test file");
    path
}
