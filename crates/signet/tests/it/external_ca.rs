//! The external CA channel: the API hands out a CSR for an account's key, an outside CA (here
//! OpenSSL acting as one) issues a certificate, the API imports the chain after checking the
//! certificate belongs to the key, and the account's next signature uses it.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::service_pades::{run_flow, signer};
use crate::support::{Api, Backend};
use crate::validators::assert_pyhanko_valid;

fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl must be installed");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "openssl {args:?}: {text}");
    text
}

/// A self-signed P-256 CA made with OpenSSL: (cert path, key path).
fn external_ca(dir: &Path) -> (String, String) {
    openssl(dir, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"]);
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=Outside Test CA/O=Outside",
            "-days",
            "30",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "ca.pem",
        ],
    );
    ("ca.pem".into(), "ca.key".into())
}

/// The external CA signs `csr` (PEM) into `out` (PEM), end-entity profile for signatures.
fn issue(dir: &Path, csr: &str, out: &str) {
    std::fs::write(
        dir.join("ee.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "10",
            "-extfile",
            "ee.ext",
            "-out",
            out,
        ],
    );
}

#[test]
fn an_external_ca_certificate_is_imported_and_signs() {
    let api = Api::start(Backend::Embedded);
    let alice = signer(&api, "张三", "11010519491231002X");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    external_ca(d);

    // The CSR is signed by the account's key and names the account, never its ID number.
    let csr = api.post(&format!("/v1/accounts/{alice}/csr"), &json!({}));
    assert_eq!(csr.status, 200, "{:?}", csr.body);
    let pem = csr.body["csr"].as_str().unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    std::fs::write(d.join("alice.csr"), pem).unwrap();
    let text = openssl(d, &["req", "-in", "alice.csr", "-verify", "-noout", "-text"]);
    assert!(text.contains("verify OK") || text.contains("Certificate request self-signature verify OK"), "{text}");
    assert!(!text.contains("11010519491231002X"), "no ID number in clear: {text}");
    issue(d, "alice.csr", "alice.pem");

    // A certificate for another key is refused, naming the field; so is garbage.
    openssl(d, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "other.key"]);
    openssl(d, &["req", "-new", "-key", "other.key", "-subj", "/CN=Mallory", "-out", "other.csr"]);
    issue(d, "other.csr", "other.pem");
    let ca_pem = std::fs::read_to_string(d.join("ca.pem")).unwrap();
    let other = std::fs::read_to_string(d.join("other.pem")).unwrap() + &ca_pem;
    let path = format!("/v1/accounts/{alice}/external-certificate");
    let refused = api.post(&path, &json!({"certificates": other}));
    assert_eq!((refused.status, refused.body["code"].as_str()), (400, Some("invalid_input")), "{:?}", refused.body);
    assert!(refused.body["message"].as_str().unwrap().contains("certificates"), "{:?}", refused.body);
    assert_eq!(api.post(&path, &json!({"certificates": "not a certificate"})).status, 400);
    // Another app sees no such account.
    let stranger = api.other_app_token();
    let foreign = crate::support::http()
        .post(api.server.url(&format!("/v1/accounts/{alice}/csr")))
        .bearer_auth(stranger)
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(foreign.status(), 404);

    // The right certificate with its CA is installed.
    let answer = std::fs::read_to_string(d.join("alice.pem")).unwrap() + &ca_pem;
    let imported = api.post(&path, &json!({"certificates": answer}));
    assert_eq!(imported.status, 200, "{:?}", imported.body);
    assert_eq!(imported.body["chainLength"], 1);
    assert!(imported.body["issuer"].as_str().unwrap().contains("Outside Test CA"), "{:?}", imported.body);
    let serial = imported.body["serial"].as_str().unwrap().to_owned();
    assert_eq!(api.get(&format!("/v1/accounts/{alice}")).body["certificateSerial"], serial.as_str());
    let (_, current) = api.get_bytes(&format!("/v1/accounts/{alice}/certificate"));
    assert_eq!(String::from_utf8_lossy(&current).trim(), std::fs::read_to_string(d.join("alice.pem")).unwrap().trim());

    // The next signature is made with it: pyHanko trusts the signer through the outside CA (and
    // the signature timestamp through ours).
    let (pdf, flow) = run_flow(&api, &[alice], d, &json!({"mode": "auto"}));
    let ours = std::fs::read_to_string(api.ca_file(d)).unwrap();
    std::fs::write(d.join("trust.pem"), ca_pem.clone() + &ours).unwrap();
    let audit = api.get(&format!("/v1/flows/{flow}/audit"));
    let signed =
        audit.body["entries"].as_array().unwrap().iter().find(|e| e["action"] == "flow.signer.signed").unwrap();
    assert_eq!(signed["detail"]["certificateSerial"], serial.as_str());
    assert_pyhanko_valid(&pdf, &d.join("trust.pem"), 1);
    let report = crate::validators::pyhanko(&pdf, &d.join("trust.pem"));
    assert!(report.contains("Trust anchor: \"Organization: Outside, Common Name: Outside Test CA\""), "{report}");
}
