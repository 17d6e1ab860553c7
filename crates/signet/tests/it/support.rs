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
                        return Ok(Self { base_url, stdout: lines, child });
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
