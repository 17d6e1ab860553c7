//! A real HTTP endpoint on loopback that records the callbacks it receives.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request's headers, in order.
pub type Headers = Vec<(String, String)>;

/// One received request.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Headers,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("callback body is JSON")
    }
}

/// Accepts POSTs and answers with the status the script gives (200 by default).
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Starts a receiver answering each request with the next status of `answers` (then 200).
    pub fn start(answers: Vec<u16>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&received);
        std::thread::spawn(move || {
            let mut answers = answers.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(request) = read_request(&mut stream) else { continue };
                let status = answers.next().unwrap_or(200);
                sink.lock().unwrap().push(request);
                let _ = write!(stream, "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            }
        });
        Self { url, received }
    }

    /// Waits until `done` holds for the received requests, or panics after `timeout`.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let snapshot = self.received.lock().unwrap().clone();
            if done(&snapshot) {
                return snapshot;
            }
            assert!(Instant::now() < deadline, "callbacks not received in time; got {snapshot:#?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Reads one HTTP/1.1 request with a `Content-Length` body: its headers and its body. The
/// loopback stand-ins of these tests (callback receivers, provider stand-ins) all read this way.
pub fn read_http_request(stream: &mut TcpStream, timeout: Duration) -> Option<(Headers, Vec<u8>)> {
    read_http_request_line(stream, timeout, true).map(|(_, headers, body)| (headers, body))
}

/// Like [`read_http_request`], keeping the request line (`PUT /path?query HTTP/1.1`), for
/// stand-ins that route by method and path; with `need_length` false a request without
/// `Content-Length` (a GET) has an empty body.
pub fn read_http_request_line(
    stream: &mut TcpStream,
    timeout: Duration,
    need_length: bool,
) -> Option<(String, Headers, Vec<u8>)> {
    stream.set_read_timeout(Some(timeout)).ok()?;
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: Option<usize> =
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.parse().ok());
    let length = if need_length { length? } else { length.unwrap_or(0) };
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((request_line.trim_end().to_owned(), headers, body))
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let (headers, body) = read_http_request(stream, Duration::from_secs(5))?;
    Some(Received { headers, body: String::from_utf8_lossy(&body).into_owned() })
}

#[test]
fn pull_mode_lists_undelivered_events_until_confirmed() {
    use serde_json::json;

    use crate::support::{Api, Backend};

    // No callback URL: events wait in the outbox for the app to pull them.
    let api = Api::start(Backend::Embedded);
    let account = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": "王五", "idType": "resident_id", "idNumber": "440106198001011230"}),
    );
    let account = account.body["id"].as_str().unwrap().to_owned();
    let contract = std::fs::read(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures/contract.pdf"),
    )
    .unwrap();
    let file = api.upload("c.pdf", contract).body["id"].as_str().unwrap().to_owned();
    let flow = api.post(
        "/v1/flows",
        &json!({"title": "t", "documents": [{"fileId": file}], "signers": [{"accountId": account}]}),
    );
    let flow = flow.body["id"].as_str().unwrap().to_owned();
    api.post(&format!("/v1/flows/{flow}/start"), &json!({}));
    api.post(&format!("/v1/flows/{flow}/revoke"), &json!({"reason": "changed terms"}));

    let pending = api.get("/v1/events");
    let names: Vec<&str> = pending.body.as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["flow.started", "flow.revoked"]);
    assert_eq!(pending.body[1]["body"]["reason"], "changed terms");
    let first = pending.body[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(api.post(&format!("/v1/events/{first}/ack"), &json!({})).status, 204);
    assert_eq!(api.post(&format!("/v1/events/{first}/ack"), &json!({})).status, 404, "confirmed once");
    let left = api.get("/v1/events");
    assert_eq!(left.body.as_array().unwrap().len(), 1);
    let other = api.other_app_token();
    let second = left.body[0]["id"].as_str().unwrap();
    assert_eq!(api.as_token(reqwest::Method::POST, &format!("/v1/events/{second}/ack"), Some(&other)).status, 404);
}

/// Starts and revokes a flow of one signer, so the app gets `flow.started` and `flow.revoked`.
fn start_and_revoke_a_flow(api: &crate::support::Api) {
    use serde_json::json;

    let account = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": "王五", "idType": "resident_id", "idNumber": "440106198001011230"}),
    );
    let account = account.body["id"].as_str().unwrap().to_owned();
    let contract = std::fs::read(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures/contract.pdf"),
    )
    .unwrap();
    let file = api.upload("c.pdf", contract).body["id"].as_str().unwrap().to_owned();
    let flow = api.post(
        "/v1/flows",
        &json!({"title": "t", "documents": [{"fileId": file}], "signers": [{"accountId": account}]}),
    );
    let flow = flow.body["id"].as_str().unwrap().to_owned();
    api.post(&format!("/v1/flows/{flow}/start"), &json!({}));
    api.post(&format!("/v1/flows/{flow}/revoke"), &json!({"reason": "changed terms"}));
}

#[test]
fn an_event_confirmed_either_way_is_not_delivered_again() {
    use serde_json::json;

    use crate::support::{Api, Backend};

    // The receiver refuses the first attempt of each event and then accepts.
    let hook = Receiver::start(vec![500, 500]);
    let api = Api::start_with(
        Backend::Embedded,
        &[
            ("SIGNET_CALLBACK_ALLOW_PRIVATE", "true"),
            ("SIGNET_WORKER_INTERVAL_MS", "100"),
            ("SIGNET_CALLBACK_BACKOFF", "fixed"),
            ("SIGNET_CALLBACK_RETRY_SECS", "2"),
            ("SIGNET_BOOTSTRAP_CALLBACK_URL", &hook.url),
        ],
    );
    start_and_revoke_a_flow(&api);
    // Both events were tried once and refused; both are pending in pull mode.
    hook.wait_for(Duration::from_secs(20), |r| r.len() >= 2);
    let pending = api.get("/v1/events");
    let pending = pending.body.as_array().unwrap().clone();
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(pending.iter().all(|e| e["attempts"] == 1 && e["lastError"].is_string()), "{pending:?}");

    // The app confirms the first by pulling: the worker never pushes it again.
    let pulled = pending[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(api.post(&format!("/v1/events/{pulled}/ack"), &json!({})).status, 204);
    // The second is pushed again (retry after 2 s) and accepted: it leaves pull mode.
    let second = pending[1]["id"].as_str().unwrap().to_owned();
    let received = hook.wait_for(Duration::from_secs(20), |r| r.len() >= 3);
    assert_eq!(received[2].header("X-Signet-Event-Id"), Some(second.as_str()));
    // Several retry intervals later: nothing more arrived, nothing is pending, and the pushed
    // event cannot be confirmed again.
    std::thread::sleep(Duration::from_secs(5));
    let received = hook.wait_for(Duration::from_secs(1), |_| true);
    let ids: Vec<&str> = received.iter().filter_map(|r| r.header("X-Signet-Event-Id")).collect();
    assert_eq!(ids.iter().filter(|id| **id == pulled).count(), 1, "confirmed by pull, pushed again: {ids:?}");
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert_eq!(api.get("/v1/events").body.as_array().unwrap().len(), 0);
    assert_eq!(api.post(&format!("/v1/events/{second}/ack"), &json!({})).status, 404);
}
