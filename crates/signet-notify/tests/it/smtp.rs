//! SMTP against a real server: aiosmtpd (PyPI, pinned in scripts/requirements-test.txt) on
//! a loopback port, run with `python3` from PATH.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use signet_core::notify::{Channel, MessageSender, OutgoingMessage, Purpose};
use signet_notify::{ProviderConfig, SmtpConfig, SmtpSender, SmtpTls};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/smtp_capture.py");

/// A running capture server; killed when dropped.
struct SmtpServer {
    _child: Child,
    port: u16,
    out: tempfile::TempDir,
}

impl SmtpServer {
    async fn start(extra: &[&str]) -> Self {
        let out = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(SCRIPT)
            .arg("--out")
            .arg(out.path())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 must be on PATH (put /work/main/.venv/bin first) to run the SMTP test server");
        let stdout = child.stdout.take().unwrap();
        let mut first_line = String::new();
        let read =
            tokio::time::timeout(Duration::from_secs(20), BufReader::new(stdout).read_line(&mut first_line)).await;
        let port = match read.ok().and_then(|r| r.ok()).and_then(|_| first_line.trim().parse::<u16>().ok()) {
            Some(port) => port,
            None => {
                let _ = child.start_kill();
                let mut stderr = String::new();
                if let Some(mut err) = child.stderr.take() {
                    let _ = tokio::time::timeout(Duration::from_secs(5), err.read_to_string(&mut stderr)).await;
                }
                panic!(
                    "the aiosmtpd test server did not start (is aiosmtpd installed? \
                     pip install -r scripts/requirements-test.txt):\n{stderr}"
                );
            }
        };
        Self { _child: child, port, out }
    }

    /// The n-th captured message (1-based), waiting briefly for the file to appear.
    async fn message(&self, n: usize) -> serde_json::Value {
        let path = self.out.path().join(format!("message-{n}.json"));
        for _ in 0..100 {
            if let Ok(text) = std::fs::read_to_string(&path) {
                return serde_json::from_str(&text).unwrap();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no message {n} captured in {}", self.out.path().display());
    }

    fn captured(&self) -> usize {
        std::fs::read_dir(self.out.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".json"))
            .count()
    }
}

fn code_email(to: &str) -> OutgoingMessage {
    OutgoingMessage {
        channel: Channel::Email,
        recipient: to.into(),
        purpose: Purpose::VerificationCode { code: "246810".into(), valid_minutes: 15 },
        text: "签署验证码：246810\n\n张三，您好！\n您正在签署《房屋租赁合同》，验证码 246810，15 分钟内有效。请勿告知他人。".into(),
    }
}

fn assert_chinese_arrived(captured: &serde_json::Value) {
    assert_eq!(captured["subject"], "签署验证码：246810");
    let body = captured["body"].as_str().unwrap();
    assert!(body.contains("张三，您好！"), "{body}");
    assert!(body.contains("您正在签署《房屋租赁合同》，验证码 246810，15 分钟内有效。请勿告知他人。"), "{body}");
    assert_eq!(captured["content_type"], "text/plain");
    assert_eq!(captured["charset"], "utf-8");
    // Proper MIME: 8-bit text is transfer-encoded and the subject is an encoded-word.
    assert!(captured["raw_is_7bit"].as_bool().unwrap(), "raw message must be 7-bit clean");
    let cte = captured["transfer_encoding"].as_str().unwrap().to_ascii_lowercase();
    assert!(cte == "base64" || cte == "quoted-printable", "{cte}");
    let raw = captured["raw"].as_str().unwrap();
    assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
    assert!(raw.lines().any(|l| l.starts_with("Message-ID: <") && l.ends_with("@signet.test>")), "{raw}");
    assert!(raw.lines().any(|l| l.starts_with("Date: ")), "{raw}");
}

#[tokio::test]
async fn plain_smtp_delivers_chinese_text_intact() {
    let server = SmtpServer::start(&[]).await;
    let setting = format!(
        "smtp://127.0.0.1:{}?tls=none&from=%E7%AD%BE%E7%BD%B2%E5%B9%B3%E5%8F%B0%20%3Cnoreply@signet.test%3E",
        server.port
    );
    let sender = ProviderConfig::parse(&setting).unwrap().build(Path::new("/nonexistent")).unwrap();
    sender.send(&code_email("zhang.san@example.cn")).await.unwrap();

    let captured = server.message(1).await;
    assert_eq!(captured["mail_from"], "noreply@signet.test");
    assert_eq!(captured["rcpt_tos"], serde_json::json!(["zhang.san@example.cn"]));
    assert_eq!(captured["from"], "签署平台 <noreply@signet.test>");
    assert_eq!(captured["to"], "zhang.san@example.cn");
    assert_eq!(captured["starttls"], false);
    assert_chinese_arrived(&captured);
}

#[tokio::test]
async fn sms_and_bad_addresses_are_refused_without_sending() {
    let server = SmtpServer::start(&[]).await;
    let mut config = SmtpConfig::new("127.0.0.1", SmtpTls::None, "noreply@signet.test");
    config.port = server.port;
    let sender = SmtpSender::new(config).unwrap();
    let err = sender.send(&code_email("no-at-sign")).await.unwrap_err();
    assert_eq!(err.code(), signet_core::ErrorCode::InvalidInput);
    let sms = OutgoingMessage { channel: Channel::Sms, ..code_email("a@b.cn") };
    assert!(sender.send(&sms).await.is_err());
    assert_eq!(server.captured(), 0);
}

#[tokio::test]
async fn unreachable_relay_is_an_error() {
    // Bind and drop to find a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut config = SmtpConfig::new("127.0.0.1", SmtpTls::None, "noreply@signet.test");
    config.port = port;
    config.timeout = Duration::from_secs(3);
    let err = SmtpSender::new(config).unwrap().send(&code_email("a@b.cn")).await.unwrap_err();
    assert_eq!(err.code(), signet_core::ErrorCode::Internal);
}

/// A throwaway CA and a server certificate for 127.0.0.1 made with the openssl CLI.
struct TestPki {
    dir: tempfile::TempDir,
}

impl TestPki {
    fn create() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("leaf.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        let steps: [&[&str]; 3] = [
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=Signet SMTP Test CA",
            ],
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "leaf.key",
                "-out",
                "leaf.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "leaf.pem",
                "-days",
                "2",
                "-extfile",
                "leaf.ext",
            ],
        ];
        for args in steps {
            let output = std::process::Command::new("openssl")
                .args(args)
                .current_dir(d)
                .output()
                .expect("the openssl CLI must be installed to create the SMTP test certificates");
            assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn server_args(&self) -> Vec<String> {
        vec![
            "--cert".into(),
            self.path("leaf.pem").display().to_string(),
            "--key".into(),
            self.path("leaf.key").display().to_string(),
        ]
    }
}

async fn start_tls_server(pki: &TestPki, mode: &str) -> SmtpServer {
    let mut args = pki.server_args();
    args.extend([
        "--mode".into(),
        mode.into(),
        "--user".into(),
        "mailer".into(),
        "--password".into(),
        "p@ss:w/rd".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    SmtpServer::start(&args).await
}

#[tokio::test]
async fn starttls_with_authentication() {
    let pki = TestPki::create();
    let server = start_tls_server(&pki, "starttls").await;
    let setting = format!(
        "smtp://mailer:p%40ss%3Aw%2Frd@127.0.0.1:{}?tls=starttls&from=noreply@signet.test&ca_file={}",
        server.port,
        pki.path("ca.pem").display()
    );
    let sender = ProviderConfig::parse(&setting).unwrap().build(Path::new("/nonexistent")).unwrap();
    sender.send(&code_email("li.si@example.cn")).await.unwrap();
    let captured = server.message(1).await;
    assert_eq!(captured["starttls"], true);
    assert_eq!(captured["authenticated_as"], "mailer");
    assert_chinese_arrived(&captured);
}

#[tokio::test]
async fn implicit_tls_with_authentication() {
    let pki = TestPki::create();
    let server = start_tls_server(&pki, "tls").await;
    let mut config = SmtpConfig::new("127.0.0.1", SmtpTls::Tls, "noreply@signet.test");
    config.port = server.port;
    config.ca_file = Some(pki.path("ca.pem"));
    config.credentials = Some(("mailer".into(), "p@ss:w/rd".into()));
    SmtpSender::new(config).unwrap().send(&code_email("wang.wu@example.cn")).await.unwrap();
    let captured = server.message(1).await;
    assert_eq!(captured["authenticated_as"], "mailer");
    assert_chinese_arrived(&captured);
}

#[tokio::test]
async fn wrong_password_and_untrusted_certificate_fail() {
    let pki = TestPki::create();
    let server = start_tls_server(&pki, "starttls").await;

    let mut config = SmtpConfig::new("127.0.0.1", SmtpTls::StartTls, "noreply@signet.test");
    config.port = server.port;
    config.ca_file = Some(pki.path("ca.pem"));
    config.credentials = Some(("mailer".into(), "wrong".into()));
    assert!(SmtpSender::new(config.clone()).unwrap().send(&code_email("a@b.cn")).await.is_err());

    // Without our CA the server's certificate is not trusted.
    config.ca_file = None;
    config.credentials = Some(("mailer".into(), "p@ss:w/rd".into()));
    assert!(SmtpSender::new(config).unwrap().send(&code_email("a@b.cn")).await.is_err());
    assert_eq!(server.captured(), 0);
}
