//! Spawning the real `signet` binary and talking to it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a server may take to start (the first start generates the CA keys).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The `signet` binary under test.
pub fn signet_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_signet"))
}

/// A running `signet serve` process, killed when dropped.
pub struct TestServer {
    pub base_url: String,
    /// Lines the server printed on stdout before it was ready (bootstrap credentials, address).
    pub stdout: Vec<String>,
    /// The file the server's stderr (its log) goes to.
    pub stderr_path: PathBuf,
    child: Child,
}

/// Environment for a server on its own data directory and a random port.
pub fn base_env(data_dir: &Path) -> HashMap<String, String> {
    HashMap::from([
        ("SIGNET_DATA_DIR".into(), data_dir.display().to_string()),
        ("SIGNET_LISTEN".into(), "127.0.0.1:0".into()),
        ("SIGNET_LOG".into(), "info".into()),
    ])
}

impl TestServer {
    /// Starts `signet serve` with exactly `env` (plus PATH) and waits until it listens.
    pub fn spawn(env: &HashMap<String, String>) -> Self {
        match Self::try_spawn(env) {
            Ok(server) => server,
            Err(failure) => panic!("signet serve did not start: {failure}"),
        }
    }

    /// Starts the server, or returns the exit status and stderr of a process that refused to start.
    pub fn try_spawn(env: &HashMap<String, String>) -> Result<Self, StartFailure> {
        let stderr_path = std::env::temp_dir().join(format!("signet-test-{}.stderr", unique()));
        let stderr = std::fs::File::create(&stderr_path).expect("stderr capture file");
        let mut child = Command::new(signet_bin())
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn signet");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut lines = Vec::new();
        let deadline = std::time::Instant::now() + START_TIMEOUT;
        loop {
            let remaining = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(remaining.min(Duration::from_millis(200))) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("signet listening on ") {
                        let base_url = url.trim().to_owned();
                        lines.push(line);
                        return Ok(Self { base_url, stdout: lines, stderr_path, child });
                    }
                    lines.push(line);
                }
                Err(mpsc::RecvTimeoutError::Timeout) if remaining.is_zero() => {
                    let _ = child.kill();
                    panic!("server did not listen within {START_TIMEOUT:?}; stdout: {lines:?}");
                }
                Err(_) => {
                    if let Ok(Some(status)) = child.try_wait() {
                        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                        return Err(StartFailure { status, stderr });
                    }
                }
            }
        }
    }

    /// An absolute URL for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
        self.child.wait().expect("wait for signet")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server process that exited instead of listening.
#[derive(Debug)]
pub struct StartFailure {
    pub status: ExitStatus,
    pub stderr: String,
}

impl std::fmt::Display for StartFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exited with {}: {}", self.status, self.stderr)
    }
}

/// A port that was free a moment ago (the OS does not hand it out again at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// A process-unique suffix for names.
pub fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!("{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A blocking HTTP client with a sane timeout.
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().expect("http client")
}

/// The PostgreSQL server the test script provides (`SIGNET_TEST_PG_URL`, default the local cluster).
pub fn pg_admin_url() -> String {
    std::env::var("SIGNET_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Creates a throwaway PostgreSQL database and returns its URL.
pub fn fresh_pg_database() -> String {
    let name = format!("signet_test_{}", unique().replace('-', "_"));
    let admin = pg_admin_url();
    let status = Command::new("psql")
        .args([admin.as_str(), "-q", "-v", "ON_ERROR_STOP=1", "-c", &format!("create database {name}")])
        .status()
        .expect("psql must be installed (the test script installs postgresql-client)");
    assert!(status.success(), "could not create database {name} on {admin}");
    let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin);
    format!("{base}/{name}")
}

/// The S3-compatible endpoint the test script starts (`SIGNET_TEST_S3_ENDPOINT`), with a new bucket.
pub fn fresh_s3_bucket() -> (String, String) {
    let endpoint = std::env::var("SIGNET_TEST_S3_ENDPOINT")
        .expect("SIGNET_TEST_S3_ENDPOINT must name the S3 server started by scripts/test.sh");
    let bucket = format!("signet-test-{}", unique());
    let response = http().put(format!("{endpoint}/{bucket}")).send().expect("create bucket");
    assert!(response.status().is_success(), "bucket creation failed: {}", response.status());
    (endpoint, bucket)
}

/// Where a test server keeps its data.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    /// SQLite and a local object folder in the data directory.
    Embedded,
    /// A fresh PostgreSQL database and a fresh bucket on the S3 test server.
    PostgresS3,
}

/// App credentials every [`Api`] server is bootstrapped with.
pub const APP_ID: &str = "bootstrap-app";
pub const APP_KEY: &str = "bootstrap-secret-0123456789";

/// Environment for a server on `backend`, with the bootstrap app.
pub fn backend_env(data_dir: &Path, backend: Backend) -> HashMap<String, String> {
    let mut env = base_env(data_dir);
    // A known port, so the CA writes reachable OCSP/CRL URLs into the certificates it issues.
    let port = free_port();
    env.insert("SIGNET_LISTEN".into(), format!("127.0.0.1:{port}"));
    env.insert("SIGNET_PUBLIC_URL".into(), format!("http://127.0.0.1:{port}"));
    env.insert("SIGNET_BOOTSTRAP_APP_ID".into(), APP_ID.into());
    env.insert("SIGNET_BOOTSTRAP_APP_KEY".into(), APP_KEY.into());
    if let Backend::PostgresS3 = backend {
        let (endpoint, bucket) = fresh_s3_bucket();
        env.insert("SIGNET_DATABASE_URL".into(), fresh_pg_database());
        env.insert("SIGNET_STORAGE_URL".into(), format!("s3://{bucket}?endpoint={endpoint}&region=us-east-1"));
        env.insert("AWS_ACCESS_KEY_ID".into(), "test".into());
        env.insert("AWS_SECRET_ACCESS_KEY".into(), "test".into());
    }
    env
}

/// A running server plus a logged-in client of the bootstrap app.
pub struct Api {
    pub server: TestServer,
    pub token: String,
    /// Kept so the data directory lives as long as the server.
    _data_dir: tempfile::TempDir,
    pub env: HashMap<String, String>,
    client: reqwest::blocking::Client,
}

/// A response reduced to what tests look at.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: serde_json::Value,
}

impl Api {
    /// Starts a server on `backend` and logs in as the bootstrap app.
    pub fn start(backend: Backend) -> Self {
        Self::start_with(backend, &[])
    }

    /// Like [`Api::start`], with extra environment variables.
    pub fn start_with(backend: Backend, extra: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut env = backend_env(data_dir.path(), backend);
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let server = TestServer::spawn(&env);
        let client = http();
        let token = login_token(&client, &server, APP_ID, APP_KEY);
        Self { server, token, _data_dir: data_dir, env, client }
    }

    /// Creates another app through the CLI on the same database and returns a token for it.
    pub fn other_app_token(&self) -> String {
        let output = Command::new(signet_bin())
            .args(["app", "create", "--name", "other tenant"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.env)
            .output()
            .expect("run signet app create");
        assert!(output.status.success(), "signet app create: {}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8_lossy(&output.stdout);
        let field = |name: &str| {
            text.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned()).expect("credential printed")
        };
        login_token(&self.client, &self.server, &field("app id:"), &field("app secret:"))
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.server.url(path)), Some(&self.token))
    }

    pub fn delete(&self, path: &str) -> Reply {
        self.send(self.client.delete(self.server.url(path)), Some(&self.token))
    }

    pub fn post(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.send(self.client.post(self.server.url(path)).json(body), Some(&self.token))
    }

    /// The server's data directory.
    pub fn data_path(&self) -> &Path {
        self._data_dir.path()
    }

    /// Downloads raw bytes.
    pub fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let response = self.client.get(self.server.url(path)).bearer_auth(&self.token).send().expect("request");
        (response.status().as_u16(), response.bytes().expect("body").to_vec())
    }

    /// Uploads a file as multipart form data.
    pub fn upload(&self, name: &str, bytes: Vec<u8>) -> Reply {
        let part = reqwest::blocking::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let form = reqwest::blocking::multipart::Form::new().part("file", part);
        self.send(self.client.post(self.server.url("/v1/files")).multipart(form), Some(&self.token))
    }

    /// A PUT without the bearer token (upload URLs carry their own capability).
    pub fn put_raw(&self, url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
        let mut request = self.client.put(url).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request, None)
    }

    /// The CA bundle, written to a file for the validators.
    pub fn ca_file(&self, dir: &Path) -> PathBuf {
        let pem = self.client.get(self.server.url("/pki/ca.pem")).send().unwrap().text().unwrap();
        let path = dir.join("ca.pem");
        std::fs::write(&path, pem).unwrap();
        path
    }

    pub fn patch(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.send(self.client.patch(self.server.url(path)).json(body), Some(&self.token))
    }

    /// Sends `method path` with another token (or none) and an empty JSON object.
    pub fn as_token(&self, method: reqwest::Method, path: &str, token: Option<&str>) -> Reply {
        self.as_token_with(method, path, token, &serde_json::json!({}))
    }

    /// Sends `method path` with another token (or none) and `body`.
    pub fn as_token_with(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> Reply {
        self.send(self.client.request(method, self.server.url(path)).json(body), token)
    }

    fn send(&self, request: reqwest::blocking::RequestBuilder, token: Option<&str>) -> Reply {
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().expect("request");
        let status = response.status().as_u16();
        let text = response.text().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        Reply { status, body }
    }
}

fn login_token(client: &reqwest::blocking::Client, server: &TestServer, id: &str, secret: &str) -> String {
    let response = client
        .post(server.url("/v1/auth/token"))
        .json(&serde_json::json!({"appId": id, "appSecret": secret}))
        .send()
        .expect("login");
    assert_eq!(response.status(), 200, "login as {id}");
    let body: serde_json::Value = response.json().expect("token JSON");
    body["accessToken"].as_str().expect("accessToken").to_owned()
}
