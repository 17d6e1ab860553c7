//! `signet serve` with PKCS#11 key custody in a real SoftHSM2 token: the CA's keys and the
//! accounts' keys are generated inside the token (SM2 stays in software: SoftHSM2 has none), and
//! a flow signed with a token key validates in pyHanko (B-LTA, embedded data only).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::service_pades::{root_only, signed_flow_document};
use crate::support::{Api, Backend, TestServer, backend_env};
use crate::validators::{assert_lta_valid, assert_pyhanko_valid};

const LABEL: &str = "signet-serve";
const PIN: &str = "87654321";

/// SoftHSM2's module (Debian path); `SOFTHSM2_MODULE` overrides it on other systems.
fn module() -> String {
    std::env::var("SOFTHSM2_MODULE").unwrap_or_else(|_| "/usr/lib/softhsm/libsofthsm2.so".into())
}

/// A fresh SoftHSM2 configuration with one initialised token; returns (softhsm2.conf, PIN file).
fn token(dir: &Path) -> (PathBuf, PathBuf) {
    let tokens = dir.join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(&conf, format!("directories.tokendir = {}\nobjectstore.backend = file\n", tokens.display()))
        .unwrap();
    let init = Command::new("softhsm2-util")
        .args(["--init-token", "--free", "--label", LABEL, "--so-pin", "12345678", "--pin", PIN])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .unwrap_or_else(|e| panic!("softhsm2-util is required (apt-get install softhsm2): {e}"));
    assert!(init.status.success(), "softhsm2-util: {}", String::from_utf8_lossy(&init.stderr));
    let pin = dir.join("pin");
    std::fs::write(&pin, format!("{PIN}\n")).unwrap();
    (conf, pin)
}

/// Labels of the private keys in the token, as OpenSC's pkcs11-tool lists them.
fn private_key_labels(conf: &Path) -> Vec<String> {
    let out = Command::new("pkcs11-tool")
        .args(["--module", &module(), "--token-label", LABEL, "--login", "--pin", PIN, "--list-objects"])
        .args(["--type", "privkey"])
        .env("SOFTHSM2_CONF", conf)
        .output()
        .unwrap_or_else(|e| panic!("pkcs11-tool is required (apt-get install opensc): {e}"));
    assert!(out.status.success(), "pkcs11-tool: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("label:").map(|v| v.trim().to_owned()))
        .collect()
}

fn settings<'a>(conf: &'a str, pin_file: &'a str, module: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("SOFTHSM2_CONF", conf),
        ("SIGNET_PKCS11_MODULE", module),
        ("SIGNET_PKCS11_TOKEN_LABEL", LABEL),
        ("SIGNET_PKCS11_PIN_FILE", pin_file),
        ("SIGNET_PKCS11_KEYS", "ca,accounts"),
    ]
}

#[test]
fn serve_keeps_ca_and_account_keys_in_a_softhsm_token() {
    let dir = tempfile::tempdir().unwrap();
    let (conf, pin) = token(dir.path());
    let module = module();
    let (conf_s, pin_s) = (conf.to_str().unwrap(), pin.to_str().unwrap());
    let api = Api::start_with(Backend::Embedded, &settings(conf_s, pin_s, &module));

    let labels = private_key_labels(&conf);
    assert!(labels.iter().any(|l| l == "signet-root-ca"), "the root CA key is in the token: {labels:?}");
    assert!(labels.len() >= 4, "root, issuing CAs, TSA and OCSP keys are in the token: {labels:?}");

    let alice = crate::service_pades::signer(&api, "张三", "11010519491231002X");
    let after = private_key_labels(&conf);
    assert_eq!(after.len(), labels.len() + 1, "one new key for the account: {after:?}");
    assert!(after.iter().any(|l| l == "张三"), "the account's key is in the token: {after:?}");

    let pdf = signed_flow_document(&api, &[alice], dir.path());
    assert_lta_valid(&pdf, &root_only(&api, dir.path()));
    assert_pyhanko_valid(&pdf, &api.ca_file(dir.path()), 1);
}

#[test]
fn a_wrong_token_pin_is_a_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    let (conf, _) = token(dir.path());
    let wrong = dir.path().join("wrong-pin");
    std::fs::write(&wrong, "00000000").unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut env = backend_env(data.path(), Backend::Embedded);
    let module = module();
    for (k, v) in settings(conf.to_str().unwrap(), wrong.to_str().unwrap(), &module) {
        env.insert(k.into(), v.into());
    }
    let failure = TestServer::try_spawn(&env).err().expect("a wrong PIN must stop the server");
    assert!(failure.stderr.contains("PKCS#11 token"), "{}", failure.stderr);
    assert!(!failure.stderr.contains("00000000"), "the PIN is never printed");
}

/// The slot SoftHSM2 assigned to the token labelled `LABEL`.
fn slot_of_token(conf: &Path) -> String {
    let out = Command::new("softhsm2-util").arg("--show-slots").env("SOFTHSM2_CONF", conf).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut slot = None;
    for line in text.lines().map(str::trim) {
        if let Some(id) = line.strip_prefix("Slot ").filter(|id| id.trim().parse::<u64>().is_ok()) {
            slot = Some(id.trim().to_owned());
        }
        if line.strip_prefix("Label:").is_some_and(|l| l.trim() == LABEL) {
            return slot.expect("a slot line before the label");
        }
    }
    panic!("no slot holds {LABEL}: {text}");
}

#[test]
fn the_token_can_be_chosen_by_slot() {
    let dir = tempfile::tempdir().unwrap();
    let (conf, pin) = token(dir.path());
    let slot = slot_of_token(&conf);
    let module = module();
    let env: Vec<(&str, &str)> = settings(conf.to_str().unwrap(), pin.to_str().unwrap(), &module)
        .into_iter()
        .filter(|(k, _)| *k != "SIGNET_PKCS11_TOKEN_LABEL")
        .chain([("SIGNET_PKCS11_SLOT", slot.as_str()), ("SIGNET_PKCS11_KEYS", "accounts")])
        .collect();
    let api = Api::start_with(Backend::Embedded, &env);
    assert!(private_key_labels(&conf).is_empty(), "CA keys stay in software with pkcs11_keys=accounts");
    crate::service_pades::signer(&api, "李四", "110105198001010016");
    assert_eq!(private_key_labels(&conf), ["李四"], "only the account's key is in the token");
}
