//! Helpers for the CLI and PKI tests: a server with a known public URL (so the CA's AIA, OCSP and
//! CRL URLs point at it), the `signet` CLI on the same data, and the external referees
//! (pyHanko, pdfsig, qpdf, openssl). A missing referee fails the test with a clear message.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{Backend, TestServer, backend_env, signet_bin};

/// The PDF engine's fixture files.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name)
}

/// A running server whose CA names its own URLs, plus a scratch directory for files.
pub struct PkiServer {
    pub server: TestServer,
    pub env: HashMap<String, String>,
    pub dir: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl PkiServer {
    pub fn start(backend: Backend) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let mut env = backend_env(data.path(), backend);
        env.insert("SIGNET_LISTEN".into(), format!("127.0.0.1:{port}"));
        env.insert("SIGNET_PUBLIC_URL".into(), format!("http://127.0.0.1:{port}"));
        let server = TestServer::spawn(&env);
        let dir = tempfile::tempdir().expect("temp dir");
        let me = Self { server, env, dir, _data: data };
        let bundle = me.http_get("/pki/ca.pem");
        std::fs::write(me.path("ca.pem"), bundle).expect("write ca.pem");
        me
    }

    /// Stops the server (validation must then work from embedded data); files stay.
    pub fn stop_server(self) -> (tempfile::TempDir, tempfile::TempDir) {
        self.server.terminate();
        (self.dir, self._data)
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// A file in the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `signet ARGS` on the server's data and database.
    pub fn signet(&self, args: &[&str]) -> Output {
        Command::new(signet_bin())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.env)
            .current_dir(self.dir.path())
            .output()
            .expect("run signet")
    }

    /// Runs `signet ARGS` and insists on success.
    pub fn signet_ok(&self, args: &[&str]) -> String {
        let out = self.signet(args);
        assert!(out.status.success(), "signet {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Issues a certificate with `signet ca issue` into `<name>.p12` (password `pw`); returns (path, serial).
    pub fn issue(&self, name: &str, algo: &str) -> (PathBuf, String) {
        let p12 = self.path(&format!("{name}-{algo}.p12"));
        let out = self.signet_ok(&[
            "ca",
            "issue",
            "--name",
            name,
            "--algo",
            algo,
            "-o",
            p12.to_str().expect("utf-8 path"),
            "--password",
            "pw",
        ]);
        let serial = out.lines().last().expect("serial printed").trim().to_owned();
        assert!(serial.len() >= 16 && serial.bytes().all(|b| b.is_ascii_hexdigit()), "serial {serial:?}");
        (p12, serial)
    }

    /// A company seal made by `signet seal company`.
    pub fn seal(&self) -> PathBuf {
        let seal = self.path("seal.png");
        if !seal.exists() {
            self.signet_ok(&["seal", "company", "--name", "示例科技有限公司", "-o", seal.to_str().expect("utf-8")]);
        }
        seal
    }

    pub fn http_get(&self, path: &str) -> Vec<u8> {
        let response = crate::support::http().get(self.url(path)).send().expect("GET");
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.bytes().expect("body").to_vec()
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// Runs an external referee; a missing tool fails the test, naming the package that provides it.
pub fn tool(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("{program} is required for this test and could not be run ({e}); scripts/test.sh installs it")
    })
}

/// `pyhanko sign validate` (machine-readable line); returns (exit success, stdout+stderr).
pub fn pyhanko_validate(pdf: &Path, ca: &Path, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["sign", "validate", "--trust-replace", "--trust", ca.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    args.push(pdf.to_str().expect("utf-8"));
    let out = tool("pyhanko", &args);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Asserts pyHanko judges every signature INTACT:TRUSTED, the newest UNTOUCHED (revocation not checked).
pub fn assert_pyhanko_valid(pdf: &Path, ca: &Path) {
    let (ok, text) = pyhanko_validate(pdf, ca, &["--no-revocation-check"]);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("INTACT") || l.contains("INVALID")).collect();
    assert!(ok && !lines.is_empty(), "pyHanko rejected {}: {text}", pdf.display());
    // The newest signature is UNTOUCHED; earlier ones were extended by allowed updates only.
    let last = lines.len() - 1;
    for (i, line) in lines.iter().enumerate() {
        let allowed = if i == last { line.contains("UNTOUCHED") } else { line.contains("EXTENDED_WITH_") };
        assert!(
            line.contains("INTACT:TRUSTED") && allowed && !line.contains("SUSPICIOUS"),
            "pyHanko on {}: {line}",
            pdf.display()
        );
    }
}

/// Asserts poppler's pdfsig finds every signature valid and its certificate trusted (NSS db with `ca`).
pub fn assert_pdfsig_valid(pdf: &Path, ca: &Path, scratch: &Path) {
    let nss = scratch.join("nssdb");
    if !nss.exists() {
        std::fs::create_dir_all(&nss).expect("nss dir");
        let db = nss.display().to_string();
        let out = tool("certutil", &["-N", "-d", &db, "--empty-password"]);
        assert!(out.status.success(), "certutil -N: {}", String::from_utf8_lossy(&out.stderr));
        let out =
            tool("certutil", &["-A", "-n", "signet-ca", "-t", "CT,C,C", "-i", ca.to_str().expect("utf-8"), "-d", &db]);
        assert!(out.status.success(), "certutil -A: {}", String::from_utf8_lossy(&out.stderr));
    }
    let db = nss.display().to_string();
    let out = tool("pdfsig", &["-nssdir", &db, pdf.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&out.stdout);
    // pdfsig lists every widget of a multi-seal signature as its own "Signature #"; only the first
    // widget of a field gets the certificate check, the others say "Unknown issue". Judge per field.
    let mut fields: Vec<(String, bool, bool)> = Vec::new();
    for block in text.split("Signature #").skip(1) {
        let name = block
            .lines()
            .find_map(|l| l.trim().strip_prefix("- Signature Field Name:").map(|v| v.trim().to_owned()))
            .unwrap_or_default();
        let valid = block.contains("Signature is Valid.");
        let trusted = block.contains("Certificate is Trusted.");
        match fields.iter_mut().find(|(n, _, _)| *n == name) {
            Some(field) => {
                field.1 &= valid;
                field.2 |= trusted;
            }
            None => fields.push((name, valid, trusted)),
        }
    }
    assert!(!fields.is_empty(), "pdfsig found no signature in {}: {text}", pdf.display());
    for (name, valid, trusted) in fields {
        assert!(valid && trusted, "pdfsig on {} field {name}: {text}", pdf.display());
    }
}

/// Asserts `qpdf --check` finds no structural problem.
pub fn assert_qpdf_ok(pdf: &Path) {
    let out = tool("qpdf", &["--check", pdf.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("No syntax or stream encoding errors"),
        "qpdf --check {}: {text}",
        pdf.display()
    );
}

/// `signet verify FILE --trust CA.pem` (exit status and stdout).
pub fn signet_verify(pdf: &Path, ca: &Path, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["verify", pdf.to_str().expect("utf-8"), "--trust", ca.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    let out = Command::new(signet_bin()).args(&args).output().expect("run signet verify");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A copy of `pdf` with one byte of the original content changed: inside the data of the first
/// stream long enough, so the file still parses and every signature's digest must break.
pub fn tampered_copy(pdf: &Path, to: &Path) {
    let mut bytes = std::fs::read(pdf).expect("read");
    let at = bytes
        .windows(7)
        .enumerate()
        .filter(|(_, w)| w.starts_with(b"stream") && (w[6] == b'\n' || w[6] == b'\r'))
        .map(|(i, _)| i + 7 + 16)
        .find(|&i| bytes.get(i..i + 16).is_some_and(|d| !d.windows(9).any(|w| w == b"endstream")))
        .expect("a stream to alter");
    bytes[at] ^= 0x01;
    std::fs::write(to, bytes).expect("write");
}

/// The signed attributes (DER SET, as signed) and signature value of a PDF's first signature.
pub struct CmsParts {
    pub signed_attributes: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Extracts the bytes OpenSSL needs to check a signature on its own.
pub fn cms_parts(pdf: &Path) -> CmsParts {
    let file = std::fs::File::open(pdf).expect("open");
    let inspection = signet_pdf::inspect(file, None).expect("inspect");
    let first = inspection.signatures.first().expect("a signature");
    let cms = signet_pki::CmsSignature::parse(&first.contents).expect("CMS");
    CmsParts {
        signed_attributes: cms.signed_attributes_der().expect("signed attributes").to_vec(),
        signature: cms.signature_value().to_vec(),
    }
}
