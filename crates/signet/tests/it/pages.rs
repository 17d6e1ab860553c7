//! Signet's own pages (signing links) against the real server, and in Debian's chromium through
//! the harness in `tests/browser` (playwright-core + axe-core, installed by `npm ci`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{Api, Backend};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name)
}

/// `tests/browser` in the repository.
fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

/// Runs `tests/browser/scenarios/<scenario>.js` with `input` and returns its JSON result.
/// Fails (never skips) when node, the npm packages or chromium are missing.
pub fn run_browser(scenario: &str, input: &Value) -> Value {
    let dir = browser_dir();
    assert!(
        dir.join("node_modules/playwright-core").is_dir(),
        "tests/browser/node_modules is missing: run `npm ci` in tests/browser (scripts/test.sh does)"
    );
    let input_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(input_file.path(), input.to_string()).unwrap();
    let output = Command::new("node")
        .arg(dir.join("run.js"))
        .arg(scenario)
        .arg(input_file.path())
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("could not run node (install Debian's nodejs): {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let result: Value = serde_json::from_str(line).unwrap_or_else(|_| {
        panic!("browser scenario {scenario} printed no JSON: {stdout}\n{}", String::from_utf8_lossy(&output.stderr))
    });
    assert!(
        output.status.success() && result.get("error").is_none(),
        "browser scenario {scenario} failed: {}\n{}",
        result["error"].as_str().unwrap_or(line),
        String::from_utf8_lossy(&output.stderr)
    );
    result
}

/// A person account with a mobile number.
pub fn person(api: &Api, name: &str, id_number: &str, mobile: &str) -> String {
    let reply = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": name, "idType": "resident_id", "idNumber": id_number, "mobile": mobile}),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

/// A started flow over the two-page fixture contract.
pub fn started_flow(api: &Api, signers: Value) -> String {
    let contract = std::fs::read(fixture("contract.pdf")).unwrap();
    let uploaded = api.upload("采购合同.pdf", contract);
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    let flow = api.post(
        "/v1/flows",
        &json!({"title": "采购合同", "documents": [{"fileId": uploaded.body["id"]}], "signers": signers}),
    );
    assert_eq!(flow.status, 201, "{:?}", flow.body);
    let id = flow.body["id"].as_str().unwrap().to_owned();
    assert_eq!(api.post(&format!("/v1/flows/{id}/start"), &json!({})).status, 200);
    id
}

fn page_status(url: &str) -> (u16, String) {
    let client = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client.get(url).send().unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let body = response.text().unwrap();
    (status, if location.is_empty() { body } else { location })
}

#[test]
fn signer_links_are_capabilities_bound_to_one_signer_sqlite() {
    signer_links_are_capabilities_bound_to_one_signer(Backend::Embedded);
}

#[test]
fn signer_links_are_capabilities_bound_to_one_signer_postgres_s3() {
    signer_links_are_capabilities_bound_to_one_signer(Backend::PostgresS3);
}

fn signer_links_are_capabilities_bound_to_one_signer(backend: Backend) {
    let api = Api::start(backend);
    let alice = person(&api, "张三", "11010519491231002X", "13800138000");
    let flow = started_flow(&api, json!([{"accountId": alice, "auth": "sms"}]));
    let issue = |body: Value| api.post(&format!("/v1/flows/{flow}/signers/{alice}/link"), &body);

    let first = issue(json!({}));
    assert_eq!(first.status, 200, "{:?}", first.body);
    let url = first.body["url"].as_str().unwrap().to_owned();
    let short = first.body["shortUrl"].as_str().unwrap().to_owned();
    let token = url.rsplit('/').next().unwrap();
    assert_eq!(token.len(), 43, "256-bit token: {url}");
    assert!(url.starts_with(&api.server.base_url) && url.contains("/p/"));
    let expires = time::OffsetDateTime::parse(
        first.body["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let days = (expires - time::OffsetDateTime::now_utc()).whole_days();
    assert!((29..=30).contains(&days), "default validity is 30 days, got {days}");

    // The short link redirects to the page.
    let (status, location) = page_status(&short);
    assert_eq!((status, location.as_str()), (303, format!("/p/{token}").as_str()));

    // Re-issuing kills the first link; the short code of the first link still explains why.
    let second = issue(json!({"expiresIn": 3600}));
    assert_eq!(second.status, 200);
    let (status, body) = page_status(&url);
    assert_eq!(status, 410, "{body}");
    assert!(body.contains("此链接已失效"), "{body}");

    // Unknown tokens and codes are 404 pages; nothing about the flow leaks.
    let (status, body) = page_status(&format!("{}/p/{}", api.server.base_url, "A".repeat(43)));
    assert_eq!(status, 404);
    assert!(!body.contains("采购合同"));
    assert_eq!(page_status(&format!("{}/s/abcdefgh23", api.server.base_url)).0, 404);

    // Another app cannot issue a link for this flow; non-signers and bad bodies are refused.
    let other = api.other_app_token();
    let foreign = api.as_token_with(
        reqwest::Method::POST,
        &format!("/v1/flows/{flow}/signers/{alice}/link"),
        Some(&other),
        &json!({}),
    );
    assert_eq!(foreign.status, 404, "{:?}", foreign.body);
    let bob = person(&api, "李四", "440106198001011230", "13900139000");
    assert_eq!(api.post(&format!("/v1/flows/{flow}/signers/{bob}/link"), &json!({})).status, 404);
    let bad = issue(json!({"redirectUrl": "javascript:alert(1)"}));
    assert_eq!((bad.status, bad.body["code"].as_str()), (400, Some("invalid_input")), "{:?}", bad.body);
    let openapi = api.get("/openapi.json");
    assert!(openapi.body["paths"]["/v1/flows/{id}/signers/{account}/link"]["post"].is_object());
}

#[test]
fn pages_infrastructure_in_chromium() {
    let api = Api::start(Backend::Embedded);
    let alice = person(&api, "张三", "11010519491231002X", "13800138000");
    let flow = started_flow(&api, json!([{"accountId": alice}]));
    let link = api.post(&format!("/v1/flows/{flow}/signers/{alice}/link"), &json!({"expiresIn": 1}));
    assert_eq!(link.status, 200, "{:?}", link.body);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let result = run_browser("smoke", &json!({"deadUrl": link.body["url"], "shortUrl": link.body["shortUrl"]}));
    for size in ["phone", "desktop"] {
        let r = &result[size];
        assert_eq!(r["zh"]["status"], 410, "{r}");
        assert_eq!(r["zh"]["lang"], "zh-CN");
        assert!(r["zh"]["text"].as_str().unwrap().contains("此链接已过期"), "{r}");
        assert_eq!(r["en"]["lang"], "en");
        assert!(r["en"]["text"].as_str().unwrap().contains("This link has expired"), "{r}");
        assert_eq!(r["remembered"], "en", "the language choice is kept in a cookie");
        let csp = r["csp"].as_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(r["referrer"], "no-referrer");
        assert!(r["cssCache"].as_str().unwrap().contains("immutable"), "{r}");
        assert!(r["shortFinalUrl"].as_str().unwrap().contains("/p/"), "{r}");
        assert_eq!(r["violations"], json!([]), "axe-core serious/critical violations");
        assert_eq!(r["errors"], json!([]), "console errors (CSP violations included)");
    }
}

/// The data directory's SMS/e-mail outbox.
pub fn outbox(api: &Api) -> PathBuf {
    Path::new(api.data_path()).join("outbox.jsonl")
}
