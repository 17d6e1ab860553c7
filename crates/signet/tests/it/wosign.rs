//! The WoSignDoc dialect, written from the vendor's document alone
//! (`/work/shared/seeds/wosigndoc-api.txt`): every documented code provoked, two-signer orders
//! completing with `PushSignedDoc` acknowledged only by the body `1`, the pushed PDF validated by
//! pyHanko and pdfsig with the seals inside their relative rectangles, the password turning into
//! AES-256 encryption, and client certificates over TLS with curl — on both backends.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::Digest;

use crate::callbacks::read_http_request;
use crate::pages::PageSession;
use crate::support::{APP_ID, Api, Backend, TestServer, backend_env, http, signet_bin};
use crate::validators::{assert_pdfsig_valid, assert_pyhanko_valid, assert_qpdf_clean, red_pixels, render_page};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name)
}

fn b64_fixture(name: &str) -> String {
    STANDARD.encode(std::fs::read(fixture(name)).unwrap())
}

/// A unified social credit code with a correct check character (GB 32100-2015).
fn uscc(body17: &str) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let sum: u32 = body17.chars().zip(WEIGHTS).map(|(c, w)| CHARS.find(c).unwrap() as u32 * w).sum();
    let check = (31 - sum % 31) % 31;
    format!("{body17}{}", CHARS.chars().nth(check as usize).unwrap())
}

/// The same code with a wrong check character.
fn uscc_wrong(body17: &str) -> String {
    let good = uscc(body17);
    let last = good.chars().last().unwrap();
    format!("{body17}{}", if last == '1' { '2' } else { '1' })
}

/// A resident ID number with a correct check digit (GB 11643-1999).
fn resident_id(body17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17.chars().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    format!("{body17}{}", "10X98765432".chars().nth((sum % 11) as usize).unwrap())
}

const ORG_BODY: &str = "91440300MA5DXXXX0";
const PERSON_BODY: &str = "11010519491231002";

/// A client of `/wosign` for one app.
struct Wosign<'a> {
    base_url: &'a str,
    token: String,
}

impl Wosign<'_> {
    fn raw(&self, path: &str, body: &str) -> Value {
        let response = http()
            .post(format!("{}{path}", self.base_url))
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .expect("request");
        let status = response.status().as_u16();
        let value: Value = response.json().expect("JSON answer");
        assert!(status == 200 || (status == 500 && value["errorcode"] == -69), "HTTP {status}: {value}");
        value
    }

    fn call(&self, mut body: Value) -> Value {
        if body.get("tokenid").is_none() {
            body["tokenid"] = json!(self.token);
        }
        self.raw("/wosign", &body.to_string())
    }

    fn fails(&self, body: Value, code: i64) -> String {
        let reply = self.call(body.clone());
        assert_eq!(reply["status"], 0, "{reply}");
        assert_eq!(reply["errorcode"], code, "{}: {reply}", short(&body));
        reply["msg"].as_str().unwrap_or_default().to_owned()
    }

    fn ok(&self, body: Value) -> Value {
        let reply = self.call(body);
        assert_eq!(reply["status"], 1, "{reply}");
        assert_eq!(reply["errorcode"], 0, "{reply}");
        reply
    }
}

/// A request without its base64 payloads, for assertion messages.
fn short(body: &Value) -> String {
    let text = body.to_string();
    text.chars().take(300).collect()
}

fn org_signer(stamp: bool) -> Value {
    json!({
        "signType": "1",
        "orgName": "深圳测试科技有限公司",
        "orgNo": uscc(ORG_BODY),
        "stampbase": if stamp { b64_fixture("seal.png") } else { String::new() },
        "pic": b64_fixture("seal.jpg"),
        "otherpic": b64_fixture("seal.png"),
        "signlist": [{"pagenumber": 1, "position": "0.30,0.57,0.46,0.69"}],
    })
}

fn person_signer() -> Value {
    json!({
        "signType": 2,
        "userName": "张三",
        "userNo": resident_id(PERSON_BODY),
        "stampbase": "",
        "pic": b64_fixture("seal.png"),
        "otherpic": b64_fixture("seal.jpg"),
        "signlist": [
            {"pagenumber": 1, "position": "0.65,0.47,0.82,0.59"},
            {"pagenumber": "2", "position": "0.27,0.39,0.44,0.50"},
        ],
    })
}

fn order(number: &str, signers: Vec<Value>) -> Value {
    json!({
        "actiontype": "CreateSignOrder",
        "filebase": b64_fixture("contract.pdf"),
        "fileformat": "pdf",
        "orderNumber": number,
        "subject": "采购合同",
        "password": "",
        "signerlist": signers,
    })
}

/// Runs `signet app ...` against the server's database and returns stdout.
fn app_cli(api: &Api, args: &[&str]) -> String {
    let output = Command::new(signet_bin())
        .arg("app")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&api.env)
        .output()
        .expect("run signet app");
    assert!(output.status.success(), "signet app {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn created_app_id(stdout: &str) -> String {
    stdout.lines().find_map(|l| l.strip_prefix("app id:")).map(|v| v.trim().to_owned()).expect("app id printed")
}

/// Every documented code the request side can produce, against a server whose worker leaves
/// orders signing (so -47 is deterministic).
fn conformance(api: &Api) {
    let w = Wosign { base_url: &api.server.base_url, token: APP_ID.into() };

    // Transport and envelope: -63, -100, -65, -67, -64; trailing slash; POST only.
    assert_eq!(w.raw("/wosign", "not json")["errorcode"], -63);
    assert_eq!(w.raw("/wosign", "[1,2]")["errorcode"], -63);
    assert_eq!(w.raw("/wosign/", "{")["errorcode"], -63);
    w.fails(json!({"tokenid": "", "actiontype": "CreateSignOrder"}), -100);
    w.fails(json!({"tokenid": APP_ID}), -100);
    w.fails(json!({"tokenid": "no-such-app", "actiontype": "CreateSignOrder"}), -65);
    w.fails(json!({"actiontype": "DeleteEverything"}), -64);
    let slash = w.raw("/wosign/", &json!({"tokenid": APP_ID, "actiontype": "Nope"}).to_string());
    assert_eq!(slash["errorcode"], -64, "{slash}");
    let get = http().get(format!("{}/wosign", api.server.base_url)).send().unwrap();
    assert_eq!(get.json::<Value>().unwrap()["errorcode"], -79);
    let other = created_app_id(&app_cli(api, &["create", "--name", "disabled tenant"]));
    let other_client = Wosign { base_url: &api.server.base_url, token: other.clone() };
    other_client.fails(json!({"actiontype": "Nope"}), -64);
    app_cli(api, &["disable", &other]);
    other_client.fails(json!({"actiontype": "CreateSignOrder"}), -67);
    app_cli(api, &["enable", &other]);
    other_client.fails(json!({"actiontype": "Nope"}), -64);

    // CreateSignOrder field by field.
    let good = || order("C-1", vec![org_signer(true), person_signer()]);
    let without = |field: &str| {
        let mut body = good();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    w.fails(without("orderNumber"), -55);
    let mut blank = good();
    blank["orderNumber"] = json!("  ");
    w.fails(blank, -55);
    let mut no_document = without("filebase");
    no_document.as_object_mut().unwrap().remove("fileformat");
    w.fails(no_document.clone(), -100);
    w.fails(without("fileformat"), -56);
    let mut template = no_document;
    template["tempid"] = json!("tpl-unknown");
    w.fails(template, -43);
    w.fails(without("signerlist"), -100);
    w.fails(order("C-1", vec![]), -48);
    w.fails(order("C-1", vec![person_signer(); 4]), -48); // the server allows 3
    let signer_with = |change: &dyn Fn(&mut Value)| {
        let mut signer = org_signer(false);
        change(&mut signer);
        order("C-1", vec![signer])
    };
    w.fails(signer_with(&|s| s["signType"] = json!(3)), -49);
    w.fails(signer_with(&|s| s["signType"] = json!("x")), -79);
    w.fails(signer_with(&|s| s["orgName"] = json!("")), -51);
    w.fails(signer_with(&|s| s["orgNo"] = json!(" ")), -52);
    w.fails(signer_with(&|s| s["orgNo"] = json!(uscc_wrong(ORG_BODY))), -50);
    w.fails(signer_with(&|s| s["orgNo"] = json!("12345")), -50);
    w.fails(signer_with(&|s| s["pic"] = json!("")), -57);
    w.fails(signer_with(&|s| s.as_object_mut().unwrap().remove("otherpic").map(drop).unwrap()), -57);
    let person_with = |change: &dyn Fn(&mut Value)| {
        let mut signer = person_signer();
        change(&mut signer);
        order("C-1", vec![signer])
    };
    w.fails(person_with(&|s| s["userName"] = json!("")), -53);
    w.fails(person_with(&|s| s.as_object_mut().unwrap().remove("userNo").map(drop).unwrap()), -54);
    let msg = w.fails(person_with(&|s| s["userNo"] = json!("212125666868686888")), -79);
    assert!(msg.contains("userNo"), "{msg}");
    w.fails(person_with(&|s| s["country"] = json!("CHN")), -79);

    // -61: an "image" carrying a script, a JPEG declared as PNG, an executable.
    let mut trojan = std::fs::read(fixture("seal.png")).unwrap();
    trojan.extend_from_slice(b"<?php system($_GET['c']); ?>");
    w.fails(person_with(&|s| s["pic"] = json!(STANDARD.encode(&trojan))), -61);
    let mislabelled = format!("data:image/png;base64,{}", b64_fixture("seal.jpg"));
    w.fails(person_with(&|s| s["otherpic"] = json!(mislabelled)), -61);
    w.fails(signer_with(&|s| s["stampbase"] = json!(STANDARD.encode(b"MZ\x90\x00\x03"))), -61);

    // -79: bodies over the deployment's limit, positions, pages, base64, formats, sizes.
    let oversized = format!("{{\"tokenid\":\"{APP_ID}\",\"pad\":\"{}\"}}", "x".repeat(20_000_001));
    let reply = w.raw("/wosign", &oversized);
    assert_eq!(reply["errorcode"], -79, "{reply}");
    let huge = STANDARD.encode(vec![0u8; 10 * 1024 * 1024 + 1]);
    let msg = w.fails(person_with(&|s| s["pic"] = json!(huge)), -79);
    assert!(msg.contains("pic"), "{msg}");
    w.fails(person_with(&|s| s["signlist"][0]["position"] = json!("0.5,0.5")), -79);
    w.fails(person_with(&|s| s["signlist"][0]["position"] = json!("0.6,0.5,0.4,0.7")), -79);
    w.fails(person_with(&|s| s["signlist"][0]["pagenumber"] = json!("first")), -79);
    let msg = w.fails(person_with(&|s| s["signlist"][1]["pagenumber"] = json!(9)), -79);
    assert!(msg.contains("page 9"), "{msg}");
    w.fails(person_with(&|s| s.as_object_mut().unwrap().remove("signlist").map(drop).unwrap()), -100);
    let mut bad_base64 = good();
    bad_base64["filebase"] = json!("%%%");
    w.fails(bad_base64, -79);
    let mut not_pdf = good();
    not_pdf["filebase"] = json!(STANDARD.encode(b"hello"));
    w.fails(not_pdf, -79);
    let mut exe = good();
    exe["fileformat"] = json!("exe");
    let msg = w.fails(exe, -79);
    assert!(msg.contains("fileformat"), "{msg}");
    // Formats LibreOffice Writer does not read are refused before anything is stored.
    let mut sheet = good();
    sheet["fileformat"] = json!("xlsx");
    let msg = w.fails(sheet, -79);
    assert!(msg.contains("fileformat") && msg.contains("docx"), "{msg}");
    // Word documents need LibreOffice; a deployment without it refuses them clearly.
    if !on_path("soffice") && !on_path("libreoffice") {
        let mut docx = good();
        docx["fileformat"] = json!("docx");
        let msg = w.fails(docx, -79);
        assert!(msg.contains("LibreOffice"), "{msg}");
    }

    // Templates: an unknown or another app's tempid is -43; a known one gives the document
    // when filebase is absent, and makes signlist optional.
    let upload = api.upload("template.pdf", std::fs::read(fixture("template.pdf")).unwrap());
    let made = api.post("/v1/templates", &json!({"fileId": upload.body["id"], "name": "租赁合同"}));
    assert_eq!(made.status, 201, "{:?}", made.body);
    let template_id = made.body["id"].as_str().unwrap().to_owned();
    let from_template = |number: &str, tempid: &str| {
        let mut signer = person_signer();
        signer.as_object_mut().unwrap().remove("signlist");
        json!({"actiontype": "CreateSignOrder", "tempid": tempid, "orderNumber": number, "signerlist": [signer]})
    };
    w.fails(from_template("T-1", "tpl_nope"), -43);
    let mut theirs = from_template("T-1", &template_id);
    theirs["tokenid"] = json!(other);
    other_client.fails(theirs, -43);
    let created = w.ok(from_template("T-1", &template_id));
    let document = w.ok(json!({"actiontype": "DownloadSignedDoc", "orderNumber": "T-1"}));
    assert_eq!(document["signed"], false);
    assert_eq!(
        STANDARD.decode(document["content"].as_str().unwrap()).unwrap(),
        std::fs::read(fixture("template.pdf")).unwrap()
    );
    assert_eq!(document["signid"], created["signid"]);

    // A good order; its number is -47 while it is being signed (this server's worker waits).
    let created = w.ok(good());
    let sign_id = created["signid"].as_str().unwrap().to_owned();
    assert_eq!(sign_id.len(), 36, "a UUID: {created}");
    assert_eq!(created["orderNumber"], "C-1");
    assert_eq!(created["ordernumber"], "C-1");
    w.fails(good(), -47);
    // The same new number sent four times at once: one order, three -47.
    let answers: Vec<Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(|| w.call(order("C-RACE", vec![person_signer()])))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(answers.iter().filter(|a| a["status"] == 1).count(), 1, "{answers:?}");
    assert_eq!(answers.iter().filter(|a| a["errorcode"] == -47).count(), 3, "{answers:?}");
    let query = w.ok(json!({"actiontype": "QuerySignOrder", "signid": sign_id}));
    assert_eq!(query["orderStatus"], "signing");
    assert_eq!(query["signers"].as_array().unwrap().len(), 2);
    // Another app does not see it, and may use the same order number.
    other_client.fails(json!({"actiontype": "QuerySignOrder", "signid": sign_id}), -79);
    other_client.fails(json!({"actiontype": "QuerySignOrder"}), -100);
    let mut theirs = good();
    theirs["tokenid"] = json!(other);
    assert_eq!(other_client.call(theirs)["status"], 1);
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

fn conformance_on(backend: Backend) {
    let api = Api::start_with(
        backend,
        &[
            ("SIGNET_WORKER_INTERVAL_MS", "3600000"),
            ("SIGNET_WOSIGN_MAX_SIGNERS", "3"),
            ("SIGNET_MAX_UPLOAD_BYTES", "20000000"),
        ],
    );
    conformance(&api);
}

#[test]
fn conformance_on_sqlite() {
    conformance_on(Backend::Embedded);
}

#[test]
fn conformance_on_postgres_and_s3() {
    conformance_on(Backend::PostgresS3);
}

/// A callback receiver answering each push with the next body of a script, then `1`.
struct AckReceiver {
    url: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl AckReceiver {
    fn start(answers: Vec<&'static str>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/push", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&bodies);
        std::thread::spawn(move || {
            let mut answers = answers.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some((_, body)) = read_http_request(&mut stream, Duration::from_secs(10)) else { continue };
                let body = String::from_utf8_lossy(&body).into_owned();
                let answer = answers.next().unwrap_or("1");
                sink.lock().unwrap().push(body);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Self { url, bodies }
    }

    fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let bodies = self.bodies.lock().unwrap().clone();
            if bodies.len() >= count {
                return bodies.iter().map(|b| serde_json::from_str(b).expect("push body is JSON")).collect();
            }
            assert!(Instant::now() < deadline, "only {} of {count} pushes arrived", bodies.len());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Seal ink inside a relative rectangle (origin top-left) of a rendered page, and none far
/// outside it.
fn assert_seal_in(pdf: &Path, page: usize, rect: [f64; 4]) {
    let image = render_page(pdf, page);
    let (w, h) = (image.0 as f64, image.1 as f64);
    let [x1, y1, x2, y2] = rect;
    // PDF points, origin bottom-left.
    let inside = red_pixels(&image, x1 * w, (1.0 - y2) * h, x2 * w, (1.0 - y1) * h);
    assert!(inside > 200, "page {page}: only {inside} red pixels inside {rect:?}");
    // The band just outside the rectangle (10 points wide all around) stays clean.
    let outside = red_pixels(&image, x1 * w - 10.0, (1.0 - y2) * h - 10.0, x1 * w - 1.0, (1.0 - y1) * h + 10.0)
        + red_pixels(&image, x2 * w + 1.0, (1.0 - y2) * h - 10.0, x2 * w + 10.0, (1.0 - y1) * h + 10.0);
    assert_eq!(outside, 0, "page {page}: seal ink outside {rect:?}");
}

/// Two signers (organisation with its stamp image, person with a generated seal) complete;
/// the push is retried until the receiver answers `1`; the PDF validates; the number is -46.
/// A second order with a password ends up AES-256 encrypted.
fn signing_life(backend: Backend) -> Api {
    let receiver = AckReceiver::start(vec!["0", "0", "1"]);
    let api = Api::start_with(
        backend,
        &[
            ("SIGNET_CALLBACK_ALLOW_PRIVATE", "true"),
            ("SIGNET_CALLBACK_RETRY_SECS", "1"),
            ("SIGNET_WORKER_INTERVAL_MS", "200"),
        ],
    );
    let patched = api.patch("/v1/app", &json!({"callbackUrl": receiver.url}));
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let w = Wosign { base_url: &api.server.base_url, token: APP_ID.into() };

    let created = w.ok(order("PO-2026-001", vec![org_signer(true), person_signer()]));
    let sign_id = created["signid"].as_str().unwrap().to_owned();
    let pushes = receiver.wait_for(3, Duration::from_secs(180));
    for push in &pushes {
        assert_eq!(push["actiontype"], "PushSignedDoc");
        assert_eq!(push["status"], 1);
        assert_eq!(push["errorcode"], "0");
        assert_eq!(push["extendData"]["signid"], sign_id);
        assert_eq!(push["extendData"]["ordernumber"], "PO-2026-001");
    }
    // Acknowledged by the third answer: no fourth delivery.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(receiver.bodies.lock().unwrap().len(), 3, "the push was delivered again after 1");
    let content = STANDARD.decode(pushes[2]["extendData"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(pushes[2]["extendData"]["hash"], hex::encode(sha2::Sha256::digest(&content)));
    assert_eq!(pushes[0]["extendData"]["content"], pushes[2]["extendData"]["content"]);

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("signed.pdf");
    std::fs::write(&pdf, &content).unwrap();
    let ca = api.ca_file(dir.path());
    assert_pyhanko_valid(&pdf, &ca, 2);
    assert_pdfsig_valid(&pdf, &ca, 2);
    assert_qpdf_clean(&pdf);
    assert_seal_in(&pdf, 1, [0.30, 0.57, 0.46, 0.69]);
    assert_seal_in(&pdf, 1, [0.65, 0.47, 0.82, 0.59]);
    assert_seal_in(&pdf, 2, [0.27, 0.39, 0.44, 0.50]);

    // The finished order: -46 for its number, its state and document on request.
    w.fails(order("PO-2026-001", vec![org_signer(false)]), -46);
    let query = w.ok(json!({"actiontype": "QuerySignOrder", "orderNumber": "PO-2026-001"}));
    assert_eq!(query["orderStatus"], "signed");
    let download = w.ok(json!({"actiontype": "DownloadSignedDoc", "signid": sign_id}));
    assert_eq!(download["hash"], pushes[2]["extendData"]["hash"]);
    assert_eq!(download["signed"], true);

    // The signers are the same accounts on the next order (found by their ID numbers), and the
    // password encrypts the document before the first signature (AES-256, R6).
    let mut secret = order("PO-2026-002", vec![org_signer(false), person_signer()]);
    secret["password"] = json!("开门 sesame-42");
    let created = w.ok(secret);
    let pushes = receiver.wait_for(4, Duration::from_secs(180));
    let push = &pushes[3];
    assert_eq!(push["extendData"]["signid"], created["signid"]);
    let content = STANDARD.decode(push["extendData"]["content"].as_str().unwrap()).unwrap();
    let locked = dir.path().join("locked.pdf");
    std::fs::write(&locked, &content).unwrap();
    let show =
        Command::new("qpdf").args(["--show-encryption", "--password=开门 sesame-42"]).arg(&locked).output().unwrap();
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains("R = 6") && text.contains("AESv3"), "qpdf --show-encryption:\n{text}");
    let no_password = Command::new("qpdf").arg("--check").arg(&locked).output().unwrap();
    assert_eq!(no_password.status.code(), Some(2), "opened without the password");
    let nss = tempfile::tempdir().unwrap();
    let db = format!("sql:{}", nss.path().display());
    assert!(Command::new("certutil").args(["-N", "-d", &db, "--empty-password"]).status().unwrap().success());
    assert!(
        Command::new("certutil")
            .args(["-A", "-n", "signet", "-t", "CT,C,C", "-i", ca.to_str().unwrap(), "-d", &db])
            .status()
            .unwrap()
            .success()
    );
    let sig = Command::new("pdfsig").args(["-nssdir", &db, "-upw", "开门 sesame-42"]).arg(&locked).output().unwrap();
    let report = String::from_utf8_lossy(&sig.stdout);
    assert_eq!(report.matches("Signature is Valid.").count(), 3, "pdfsig:\n{report}");

    // A template order without signlist: the signer signs invisibly.
    let upload = api.upload("template.pdf", std::fs::read(fixture("template.pdf")).unwrap());
    let made = api.post("/v1/templates", &json!({"fileId": upload.body["id"]}));
    assert_eq!(made.status, 201, "{:?}", made.body);
    let mut signer = person_signer();
    signer.as_object_mut().unwrap().remove("signlist");
    let created = w.ok(json!({"actiontype": "CreateSignOrder", "tempid": made.body["id"], "orderNumber": "PO-2026-T",
                              "signerlist": [signer]}));
    let pushes = receiver.wait_for(5, Duration::from_secs(180));
    assert_eq!(pushes[4]["extendData"]["signid"], created["signid"]);
    let content = STANDARD.decode(pushes[4]["extendData"]["content"].as_str().unwrap()).unwrap();
    let from_template = dir.path().join("template-signed.pdf");
    std::fs::write(&from_template, &content).unwrap();
    assert_pyhanko_valid(&from_template, &ca, 1);
    api
}

#[test]
fn two_signers_complete_on_sqlite() {
    signing_life(Backend::Embedded);
}

#[test]
fn two_signers_complete_on_postgres_and_s3() {
    let api = signing_life(Backend::PostgresS3);
    // -69 is only for Signet's own failures: with its orders table gone, the database fails and
    // the answer is still the envelope (HTTP 500), never a bare error page.
    let database = &api.env["SIGNET_DATABASE_URL"];
    let status =
        Command::new("psql").args([database.as_str(), "-q", "-c", "drop table wosign_order"]).status().unwrap();
    assert!(status.success());
    let w = Wosign { base_url: &api.server.base_url, token: APP_ID.into() };
    let response = http()
        .post(format!("{}/wosign", api.server.base_url))
        .json(&{
            let mut body = order("PO-2026-003", vec![person_signer()]);
            body["tokenid"] = json!(w.token);
            body
        })
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 500);
    let body: Value = response.json().unwrap();
    assert_eq!((body["status"].clone(), body["errorcode"].clone()), (json!(0), json!(-69)), "{body}");
}

/// The contract of the conversion tests: Chinese text on two pages (the second after a page
/// break), as HTML that LibreOffice reads directly or turns into a Word document.
const CONTRACT_HTML: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>采购合同</title></head>\
<body><h1>采购合同</h1><p>甲方：深圳测试科技有限公司</p><p>乙方：张三</p><p>货物：服务器十台，总价人民币壹拾万元整。</p>\
<p style=\"page-break-before: always\">第二页：双方签署确认</p></body></html>";

/// A Word document made from [`CONTRACT_HTML`] by LibreOffice itself (the fixture is generated,
/// not committed: `soffice --convert-to docx:"MS Word 2007 XML"`).
fn contract_docx(dir: &Path) -> Vec<u8> {
    let html = dir.join("contract.html");
    std::fs::write(&html, CONTRACT_HTML).unwrap();
    let output = Command::new("soffice")
        .args(["--headless", "--norestore"])
        .arg(format!("-env:UserInstallation=file://{}/profile", dir.display()))
        .args(["--convert-to", "docx:MS Word 2007 XML", "--outdir"])
        .arg(dir)
        .arg(&html)
        .output()
        .expect("soffice must be installed (libreoffice-writer-nogui)");
    assert!(output.status.success(), "soffice: {}", String::from_utf8_lossy(&output.stderr));
    let docx = std::fs::read(dir.join("contract.docx")).expect("soffice wrote the docx");
    assert!(docx.starts_with(b"PK"), "a docx is a ZIP archive");
    docx
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().expect("pdftotext must be installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `fileformat` docx and html, sent at the same time: LibreOffice converts each document,
/// the signers sign inside their rectangles, the push carries a valid PDF holding the Chinese text. A damaged Word
/// file is the caller's parameter error, not an internal one.
#[test]
fn converted_documents_are_signed() {
    let receiver = AckReceiver::start(vec![]);
    let api = Api::start_with(
        Backend::Embedded,
        &[("SIGNET_CALLBACK_ALLOW_PRIVATE", "true"), ("SIGNET_WORKER_INTERVAL_MS", "200")],
    );
    let patched = api.patch("/v1/app", &json!({"callbackUrl": receiver.url}));
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let w = Wosign { base_url: &api.server.base_url, token: APP_ID.into() };
    let dir = tempfile::tempdir().unwrap();
    let ca = api.ca_file(dir.path());

    let mut word = order("CV-DOCX", vec![org_signer(true), person_signer()]);
    word["filebase"] = json!(STANDARD.encode(contract_docx(dir.path())));
    word["fileformat"] = json!("DOCX");
    let mut web = order("CV-HTML", vec![person_signer()]);
    web["filebase"] = json!(STANDARD.encode(CONTRACT_HTML));
    web["fileformat"] = json!(".html");
    // Both at once: each conversion runs its own LibreOffice with its own profile.
    let (docx, html) = std::thread::scope(|scope| {
        let docx = scope.spawn(|| w.ok(word));
        let html = scope.spawn(|| w.ok(web));
        (docx.join().unwrap(), html.join().unwrap())
    });

    let pushes = receiver.wait_for(2, Duration::from_secs(180));
    for (created, signatures) in [(&docx, 2), (&html, 1)] {
        let push = pushes.iter().find(|p| p["extendData"]["signid"] == created["signid"]).expect("pushed");
        assert_eq!(push["status"], 1, "{push}");
        let content = STANDARD.decode(push["extendData"]["content"].as_str().unwrap()).unwrap();
        assert_eq!(push["extendData"]["hash"], hex::encode(sha2::Sha256::digest(&content)));
        let pdf = dir.path().join(format!("{}.pdf", created["orderNumber"].as_str().unwrap()));
        std::fs::write(&pdf, &content).unwrap();
        assert_pyhanko_valid(&pdf, &ca, signatures);
        assert_pdfsig_valid(&pdf, &ca, signatures);
        let text = pdftotext(&pdf);
        for phrase in ["采购合同", "深圳测试科技有限公司", "第二页：双方签署确认"] {
            assert!(text.contains(phrase), "{phrase} missing from the converted PDF:\n{text}");
        }
        assert_seal_in(&pdf, 1, [0.65, 0.47, 0.82, 0.59]);
        assert_seal_in(&pdf, 2, [0.27, 0.39, 0.44, 0.50]);
    }
    let signed_docx = dir.path().join("CV-DOCX.pdf");
    assert_seal_in(&signed_docx, 1, [0.30, 0.57, 0.46, 0.69]);

    // A damaged docx, and a text file sent as docx: -79 naming filebase; the number stays free.
    for bytes in [&b"PK\x03\x04 damaged archive"[..], "只是文字".as_bytes()] {
        let mut broken = order("CV-BROKEN", vec![person_signer()]);
        broken["filebase"] = json!(STANDARD.encode(bytes));
        broken["fileformat"] = json!("docx");
        let msg = w.fails(broken, -79);
        assert!(msg.contains("filebase") && msg.contains("docx"), "{msg}");
    }
}

/// The first seal a signing page offers (`data-seal` of its seal buttons).
fn offered_seal(page: &PageSession) -> String {
    page.html
        .split("data-seal=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page offers a seal")
        .to_owned()
}

/// `wosign_signing = "pages"`: the driver leaves orders to the signers; each signer signs on its
/// page (over HTTP with the page's cookie and CSRF token, as its script does) inside its
/// rectangles; the second signature commits the one `PushSignedDoc`; a refusal on the page is a
/// failed push.
fn orders_signed_on_the_pages(backend: Backend) {
    let receiver = AckReceiver::start(vec![]);
    let api = Api::start_with(
        backend,
        &[
            ("SIGNET_CALLBACK_ALLOW_PRIVATE", "true"),
            ("SIGNET_WORKER_INTERVAL_MS", "100"),
            ("SIGNET_WOSIGN_SIGNING", "pages"),
        ],
    );
    let patched = api.patch("/v1/app", &json!({"callbackUrl": receiver.url}));
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let w = Wosign { base_url: &api.server.base_url, token: APP_ID.into() };

    // The pages cannot open encrypted documents: a password is refused under this policy.
    let mut secret = order("PG-0", vec![person_signer()]);
    secret["password"] = json!("secret");
    let msg = w.fails(secret, -79);
    assert!(msg.contains("password"), "{msg}");

    let created = w.ok(order("PG-1", vec![org_signer(true), person_signer()]));
    let sign_id = created["signid"].as_str().unwrap().to_owned();
    let by_id = json!({"actiontype": "QuerySignOrder", "signid": sign_id});
    let query = w.ok(by_id.clone());
    assert_eq!((query["signing"].as_str(), query["orderStatus"].as_str()), (Some("pages"), Some("signing")));
    // Both signers' links at once; the second signer's page waits for its turn.
    let first = w.ok(json!({"actiontype": "CreateSignUrl", "signid": sign_id}));
    assert_eq!(first["signer"], 1, "{first}");
    let second = w.ok(json!({"actiontype": "CreateSignUrl", "orderNumber": "PG-1", "signer": "2"}));
    assert_eq!(second["signer"], 2, "{second}");
    w.fails(json!({"actiontype": "CreateSignUrl", "signid": sign_id, "signer": 3}), -79);
    let waiting = http().get(second["url"].as_str().unwrap()).send().unwrap();
    assert_eq!(waiting.status().as_u16(), 200);
    let waiting = waiting.text().unwrap();
    assert!(waiting.contains("还未轮到您签署") && !waiting.contains("data-seal="), "{waiting}");

    // Many driver passes later (every 100 ms), nobody has signed: the driver leaves it alone.
    std::thread::sleep(Duration::from_secs(2));
    let query = w.ok(by_id.clone());
    assert!(query["signers"].as_array().unwrap().iter().all(|s| s["signed"] == false), "{query}");
    assert!(receiver.bodies.lock().unwrap().is_empty());

    // The native route issues the same kind of link from the names QuerySignOrder gives.
    let native = api.post(
        &format!(
            "/v1/flows/{}/signers/{}/link",
            query["flowId"].as_str().unwrap(),
            first["accountId"].as_str().unwrap()
        ),
        &json!({}),
    );
    assert_eq!(native.status, 200, "{:?}", native.body);
    // That re-issue killed the link CreateSignUrl gave; the signer signs on the new one.
    let page1 = PageSession::open(native.body["url"].as_str().unwrap());
    let (status, body) = page1.post("sign", json!({"sealId": offered_seal(&page1)}));
    assert_eq!(status, 200, "{body}");
    let query = w.ok(by_id.clone());
    assert_eq!(query["signers"][0]["signed"], true, "{query}");
    assert_eq!(query["orderStatus"], "signing", "{query}");

    let page2 = PageSession::open(second["url"].as_str().unwrap());
    let (status, body) = page2.post("sign", json!({"sealId": offered_seal(&page2)}));
    assert_eq!(status, 200, "{body}");
    let pushes = receiver.wait_for(1, Duration::from_secs(60));
    let push = &pushes[0];
    assert_eq!((push["actiontype"].as_str(), push["status"].as_i64()), (Some("PushSignedDoc"), Some(1)), "{push}");
    assert_eq!(push["extendData"]["signid"], sign_id);
    let content = STANDARD.decode(push["extendData"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(push["extendData"]["hash"], hex::encode(sha2::Sha256::digest(&content)));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("pages.pdf");
    std::fs::write(&pdf, &content).unwrap();
    let ca = api.ca_file(dir.path());
    assert_pyhanko_valid(&pdf, &ca, 2);
    assert_pdfsig_valid(&pdf, &ca, 2);
    assert_seal_in(&pdf, 1, [0.30, 0.57, 0.46, 0.69]);
    assert_seal_in(&pdf, 1, [0.65, 0.47, 0.82, 0.59]);
    assert_seal_in(&pdf, 2, [0.27, 0.39, 0.44, 0.50]);
    assert_eq!(w.ok(by_id)["orderStatus"], "signed");
    w.fails(json!({"actiontype": "CreateSignUrl", "signid": sign_id}), -46);

    // A signer refusing on the page ends the order: PushSignedDoc with status 0.
    let refused = w.ok(order("PG-2", vec![person_signer()]));
    let link = w.ok(json!({"actiontype": "CreateSignUrl", "signid": refused["signid"]}));
    let page = PageSession::open(link["url"].as_str().unwrap());
    let (status, body) = page.post("reject", json!({"reason": "金额有误"}));
    assert_eq!(status, 200, "{body}");
    let pushes = receiver.wait_for(2, Duration::from_secs(60));
    let failed = &pushes[1];
    assert_eq!(failed["extendData"]["signid"], refused["signid"], "{failed}");
    assert_eq!((failed["status"].clone(), failed["errorcode"].clone()), (json!(0), json!("-69")), "{failed}");
    let query = w.ok(json!({"actiontype": "QuerySignOrder", "orderNumber": "PG-2"}));
    assert_eq!(query["orderStatus"], "failed");
    w.fails(json!({"actiontype": "CreateSignUrl", "signid": refused["signid"]}), -79);
    // Only PushSignedDoc reached the callback URL: the order's flow sends no native events.
    std::thread::sleep(Duration::from_secs(1));
    let all = receiver.wait_for(2, Duration::from_secs(1));
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|p| p["actiontype"] == "PushSignedDoc"), "{all:?}");
}

#[test]
fn orders_signed_on_the_pages_on_sqlite() {
    orders_signed_on_the_pages(Backend::Embedded);
}

#[test]
fn orders_signed_on_the_pages_on_postgres_and_s3() {
    orders_signed_on_the_pages(Backend::PostgresS3);
}

/// Restarts survive: orders created on a node whose worker never runs are signed by the next
/// node on the same database, and a push refused before a restart is delivered after it. An
/// order whose signer was deactivated meanwhile ends as failed: `PushSignedDoc` with status 0.
#[test]
fn orders_and_pushes_survive_restarts() {
    let receiver = AckReceiver::start(vec!["0"]);
    let data = tempfile::tempdir().unwrap();
    let mut env = backend_env(data.path(), Backend::Embedded);
    env.insert("SIGNET_CALLBACK_ALLOW_PRIVATE".into(), "true".into());
    env.insert("SIGNET_CALLBACK_RETRY_SECS".into(), "3".into());
    env.insert("SIGNET_BOOTSTRAP_CALLBACK_URL".into(), receiver.url.clone());
    let idle = {
        let mut idle = env.clone();
        idle.insert("SIGNET_WORKER_INTERVAL_MS".into(), "3600000".into());
        idle
    };
    env.insert("SIGNET_WORKER_INTERVAL_MS".into(), "200".into());

    let first = TestServer::spawn(&idle);
    let w = Wosign { base_url: &first.base_url, token: APP_ID.into() };
    let signed = w.ok(order("R-1", vec![person_signer()]));
    let leaver = resident_id("44030419900101001");
    let mut signer = person_signer();
    signer["userName"] = json!("李四");
    signer["userNo"] = json!(leaver);
    let failing = w.ok(order("R-2", vec![signer]));
    // The second signer's account is deactivated through the native API before anyone signs.
    let client = http();
    let token: Value = client
        .post(format!("{}/v1/auth/token", first.base_url))
        .json(&json!({"appId": APP_ID, "appSecret": crate::support::APP_KEY}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = token["accessToken"].as_str().unwrap();
    let found: Value = client
        .get(format!("{}/v1/accounts?idType=resident_id&idNumber={leaver}", first.base_url))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let account = found["id"].as_str().unwrap_or_else(|| panic!("{found}"));
    let deleted = client.delete(format!("{}/v1/accounts/{account}", first.base_url)).bearer_auth(token).send().unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    std::thread::sleep(Duration::from_secs(1));
    assert!(receiver.bodies.lock().unwrap().is_empty(), "the idle node signed");
    assert!(first.terminate().success());

    // The next node signs R-1, fails R-2, and pushes both; the receiver refuses the first push.
    let of = |pushes: &[Value], id: &Value| pushes.iter().filter(|p| &p["extendData"]["signid"] == id).count();
    let second = TestServer::spawn(&env);
    let pushes = receiver.wait_for(1, Duration::from_secs(120));
    assert_eq!(pushes[0]["extendData"]["signid"], signed["signid"], "R-1 was created first: {}", pushes[0]);
    assert!(second.terminate().success());

    // The refused push is still due after the restart, and is delivered again.
    let third = TestServer::spawn(&env);
    let deadline = Instant::now() + Duration::from_secs(120);
    let pushes = loop {
        let pushes = receiver.wait_for(1, Duration::from_secs(5));
        if of(&pushes, &signed["signid"]) >= 2 && of(&pushes, &failing["signid"]) >= 1 {
            break pushes;
        }
        assert!(Instant::now() < deadline, "pushes: {pushes:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let mine: Vec<&Value> = pushes.iter().filter(|p| p["extendData"]["signid"] == signed["signid"]).collect();
    assert_eq!(mine[0], mine[1]);
    assert_eq!(mine[0]["status"], 1);
    let failed = pushes.iter().find(|p| p["extendData"]["signid"] == failing["signid"]).unwrap();
    assert_eq!((failed["status"].clone(), failed["errorcode"].clone()), (json!(0), json!("-69")), "{failed}");
    assert_eq!(failed["extendData"]["ordernumber"], "R-2");
    assert!(failed["extendData"].get("content").is_none());
    let w = Wosign { base_url: &third.base_url, token: APP_ID.into() };
    assert_eq!(w.ok(json!({"actiontype": "QuerySignOrder", "orderNumber": "R-1"}))["orderStatus"], "signed");
    assert_eq!(w.ok(json!({"actiontype": "QuerySignOrder", "orderNumber": "R-2"}))["orderStatus"], "failed");
    // A failed order gives its number to a new one.
    let retry = w.ok(order("R-2", vec![person_signer()]));
    assert_ne!(retry["signid"], failing["signid"]);
    let settled = receiver.bodies.lock().unwrap().len();
    std::thread::sleep(Duration::from_secs(5));
    let after: Vec<Value> = receiver.wait_for(settled, Duration::from_secs(1));
    assert_eq!(of(&after, &signed["signid"]), 2, "R-1 delivered again after the receiver answered 1");
}

/// Writes a key and a certificate with openssl; `issuer` None makes it self-signed.
fn openssl_cert(dir: &Path, name: &str, subject: &str, issuer: Option<&str>, extensions: &str) {
    let key = dir.join(format!("{name}.key"));
    let cert = dir.join(format!("{name}.pem"));
    let run = |args: &[&str]| {
        let output = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl");
        assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    run(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.to_str().unwrap()]);
    let ext = dir.join(format!("{name}.ext"));
    std::fs::write(&ext, extensions).unwrap();
    match issuer {
        None => run(&[
            "req",
            "-x509",
            "-new",
            "-key",
            key.to_str().unwrap(),
            "-subj",
            subject,
            "-days",
            "2",
            "-out",
            cert.to_str().unwrap(),
            "-extensions",
            "v3",
            "-config",
            ext.to_str().unwrap(),
        ]),
        Some(ca) => {
            let csr = dir.join(format!("{name}.csr"));
            run(&["req", "-new", "-key", key.to_str().unwrap(), "-subj", subject, "-out", csr.to_str().unwrap()]);
            run(&[
                "x509",
                "-req",
                "-in",
                csr.to_str().unwrap(),
                "-CA",
                &format!("{ca}.pem"),
                "-CAkey",
                &format!("{ca}.key"),
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                cert.to_str().unwrap(),
                "-extfile",
                ext.to_str().unwrap(),
                "-extensions",
                "v3",
            ]);
        }
    }
}

/// TLS termination with client certificates: the certificate must name the tokenid.
#[test]
fn client_certificates_with_curl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ca_ext = "[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n[req]\ndistinguished_name=dn\n[dn]\n";
    let leaf_client =
        "[v3]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n";
    let leaf_server = "[v3]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n";
    openssl_cert(d, "clientca", "/CN=WoSign client CA", None, ca_ext);
    openssl_cert(d, "rogueca", "/CN=Rogue CA", None, ca_ext);
    openssl_cert(d, "serverca", "/CN=Server CA", None, ca_ext);
    openssl_cert(d, "server", "/CN=127.0.0.1", Some("serverca"), leaf_server);
    openssl_cert(d, "good", &format!("/O=Caller/CN={APP_ID}"), Some("clientca"), leaf_client);
    openssl_cert(d, "otherapp", "/O=Caller/CN=another-app", Some("clientca"), leaf_client);
    openssl_cert(d, "rogue", &format!("/O=Caller/CN={APP_ID}"), Some("rogueca"), leaf_client);

    let data = tempfile::tempdir().unwrap();
    let mut env = backend_env(data.path(), Backend::Embedded);
    env.insert("SIGNET_TLS_CERT".into(), d.join("server.pem").display().to_string());
    env.insert("SIGNET_TLS_KEY".into(), d.join("server.key").display().to_string());
    env.insert("SIGNET_WOSIGN_CLIENT_CA".into(), d.join("clientca.pem").display().to_string());
    let public = env["SIGNET_PUBLIC_URL"].replace("http://", "https://");
    env.insert("SIGNET_PUBLIC_URL".into(), public);
    let server = TestServer::spawn(&env);
    assert!(server.base_url.starts_with("https://"), "{}", server.base_url);
    // curl checks the server against the CA that issued its certificate.
    let trust = d.join("serverca.pem");
    let url = format!("{}/wosign", server.base_url);
    let body = json!({"tokenid": APP_ID, "actiontype": "Nope"}).to_string();
    let call = |client: Option<&str>| {
        let mut command = Command::new("curl");
        command.args(["-sS", "--max-time", "30", "--cacert"]).arg(&trust);
        if let Some(name) = client {
            command.arg("--cert").arg(d.join(format!("{name}.pem"))).arg("--key").arg(d.join(format!("{name}.key")));
        }
        let output = command
            .args(["-H", "Content-Type: application/json", "--data-binary", &body, &url])
            .output()
            .expect("curl");
        (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned())
    };

    // The good certificate names the tokenid: the request gets through to the dispatch (-64).
    let (code, out) = call(Some("good"));
    assert_eq!(code, 0, "{out}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["errorcode"], -64, "{out}");
    // A certificate of the right CA for another app, and no certificate: -80.
    let (code, out) = call(Some("otherapp"));
    assert_eq!(code, 0, "{out}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["errorcode"], -80, "{out}");
    let (code, out) = call(None);
    assert_eq!(code, 0, "{out}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["errorcode"], -80, "{out}");
    // A certificate from another CA fails the handshake itself.
    let (code, out) = call(Some("rogue"));
    assert_ne!(code, 0, "an untrusted client certificate was accepted: {out}");
    // Other routes need no client certificate.
    let health = Command::new("curl")
        .args(["-sS", "--cacert"])
        .arg(&trust)
        .arg(format!("{}/healthz", server.base_url))
        .output()
        .unwrap();
    assert!(health.status.success(), "{}", String::from_utf8_lossy(&health.stderr));
    // ALPN offers HTTP/1.1 only (the server speaks no HTTP/2), so h2-capable clients fall back.
    let version = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_version}", "--cacert"])
        .arg(&trust)
        .arg(format!("{}/healthz", server.base_url))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout), "1.1");

    // A client CA without TLS is refused at start.
    let plain = tempfile::tempdir().unwrap();
    let mut env = backend_env(plain.path(), Backend::Embedded);
    env.insert("SIGNET_WOSIGN_CLIENT_CA".into(), d.join("clientca.pem").display().to_string());
    let failure = TestServer::try_spawn(&env).err().expect("a client CA without TLS must be refused");
    assert!(failure.stderr.contains("wosign_client_ca needs tls_cert"), "{}", failure.stderr);
}
