//! Signet's own pages (signing links) against the real server, and in Debian's chromium through
//! the harness in `tests/browser` (playwright-core + axe-core, installed by `npm ci`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{Api, Backend};
use crate::validators::{assert_pdfsig_valid, assert_pyhanko_valid, red_pixels, render_page};

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

/// A signing page opened over HTTP, holding its session cookie and CSRF token, to post its
/// actions the way its script does.
pub struct PageSession {
    pub client: reqwest::blocking::Client,
    pub url: String,
    pub html: String,
    pub token: String,
    cookie: String,
    headers: reqwest::header::HeaderMap,
}

impl PageSession {
    pub fn open(url: &str) -> Self {
        let client = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let page = client.get(url).send().unwrap();
        assert_eq!(page.status().as_u16(), 200, "{url}");
        let headers = page.headers().clone();
        let cookie = headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let html = page.text().unwrap();
        let token = html.split("name=\"csrf-token\" content=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        Self { client, url: url.to_owned(), html, token, cookie, headers }
    }

    pub fn header(&self, name: &str) -> String {
        self.headers[name].to_str().unwrap().to_owned()
    }

    /// Posts a page action with the page's token.
    pub fn post(&self, action: &str, body: Value) -> (u16, Value) {
        self.post_with(action, Some(&self.token), body)
    }

    /// Posts a page action with the given token, or none.
    pub fn post_with(&self, action: &str, csrf: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.client.post(format!("{}/{action}", self.url)).header("cookie", &self.cookie).json(&body);
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        let response = request.send().unwrap();
        (response.status().as_u16(), response.json::<Value>().unwrap_or(Value::Null))
    }
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

/// A person template seal for `account`.
fn person_seal(api: &Api, account: &str, name: &str) {
    let seal = api.post(
        &format!("/v1/accounts/{account}/seals"),
        &json!({"template": {"kind": "person", "name": name, "form": "square", "color": "red"}}),
    );
    assert_eq!(seal.status, 201, "{:?}", seal.body);
}

fn link(api: &Api, flow: &str, account: &str, body: Value) -> String {
    let reply = api.post(&format!("/v1/flows/{flow}/signers/{account}/link"), &body);
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["url"].as_str().unwrap().to_owned()
}

/// Pixels that differ between two renderings of the same page: their bounding box in PDF points
/// (x0, y0, x1, y1; origin bottom-left) and how many there are.
fn changed_box(before: &(usize, usize, Vec<u8>), after: &(usize, usize, Vec<u8>)) -> ((f64, f64, f64, f64), usize) {
    let (w, h, a) = before;
    let b = &after.2;
    assert_eq!((w, h), (&after.0, &after.1));
    let (mut x0, mut y0, mut x1, mut y1, mut n) = (usize::MAX, usize::MAX, 0, 0, 0);
    for y in 0..*h {
        for x in 0..*w {
            let i = (y * w + x) * 3;
            let diff: i32 = (0..3).map(|k| (i32::from(a[i + k]) - i32::from(b[i + k])).abs()).sum();
            if diff > 90 {
                n += 1;
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    // 72 dpi: one pixel per point; rows count from the top.
    ((x0 as f64, (*h - y1) as f64, x1 as f64, (*h - y0) as f64), n)
}

#[test]
fn signing_pages_end_to_end_in_chromium() {
    let api = Api::start_with(Backend::Embedded, &[("SIGNET_PAGE_REDIRECT_SECS", "1")]);
    let alice = person(&api, "张三", "11010519491231002X", "13800138000");
    let bob = person(&api, "李四", "440106198001011230", "13900139000");
    person_seal(&api, &bob, "李四");
    let sms = |account: &str| json!([{"accountId": account, "auth": "sms"}]);
    let phone_flow = started_flow(&api, sms(&alice));
    let desktop_flow = started_flow(&api, sms(&alice));
    let keyboard_flow = started_flow(&api, sms(&bob));
    let reject_flow = started_flow(&api, json!([{"accountId": alice}]));
    let expired_flow = started_flow(&api, json!([{"accountId": alice}]));
    let ordered_flow =
        started_flow(&api, json!([{"accountId": alice, "order": 1}, {"accountId": bob, "order": 2, "auth": "sms"}]));
    let wrong_flow = started_flow(&api, sms(&alice));
    // An organisation signs through its agent (经办人) with the company seal at a fixed field.
    let carol = person(&api, "王五", "110101202311012176", "13700137000");
    let org = api.post(
        "/v1/accounts",
        &json!({"type": "org", "name": "杭州测试科技有限公司", "idType": "uscc", "idNumber": "12100000400009880K",
                "agentId": carol}),
    );
    assert_eq!(org.status, 201, "{:?}", org.body);
    let org = org.body["id"].as_str().unwrap().to_owned();
    let company_seal = api.post(
        &format!("/v1/accounts/{org}/seals"),
        &json!({"name": "合同专用章", "template": {"kind": "company", "name": "杭州测试科技有限公司",
                "horizontalText": "合同专用章", "code": "3301060012345"}}),
    );
    assert_eq!(company_seal.status, 201, "{:?}", company_seal.body);
    let org_flow =
        started_flow(&api, json!([{"accountId": org, "auth": "sms", "fields": [{"page": 1, "x": 400, "y": 200}]}]));
    let redirect = format!("{}/healthz", api.server.base_url);
    let dir = tempfile::tempdir().unwrap();
    let download = |name: &str| dir.path().join(name).display().to_string();
    let expired_url = link(&api, &expired_flow, &alice, json!({"expiresIn": 1}));
    let input = json!({
        "outbox": outbox(&api).display().to_string(),
        "runs": [
            {"size": "phone", "mode": "pointer", "recipient": "13800138000", "fx": 0.3, "fy": 0.75,
             "url": link(&api, &phone_flow, &alice, json!({"redirectUrl": redirect})), "download": download("phone.pdf"),
             "redirect": redirect},
            {"size": "desktop", "mode": "pointer", "recipient": "13800138000", "fx": 0.7, "fy": 0.35,
             "url": link(&api, &desktop_flow, &alice, json!({})), "download": download("desktop.pdf")},
            {"size": "desktop", "mode": "keyboard", "recipient": "13900139000",
             "url": link(&api, &keyboard_flow, &bob, json!({})), "download": download("keyboard.pdf")},
            {"size": "phone", "mode": "org", "recipient": "13700137000",
             "url": link(&api, &org_flow, &org, json!({})), "download": download("org.pdf")},
        ],
        "reject": {"url": link(&api, &reject_flow, &alice, json!({}))},
        "expired": {"url": expired_url},
        "second": {"url": link(&api, &ordered_flow, &bob, json!({}))},
        "wrongCode": {"url": link(&api, &wrong_flow, &alice, json!({})), "recipient": "13800138000"},
    });
    let result = run_browser("signing", &input);

    let ca = api.ca_file(dir.path());
    let original = {
        let path = dir.path().join("original.pdf");
        std::fs::copy(fixture("contract.pdf"), &path).unwrap();
        render_page(&path, 1)
    };
    for (index, run) in result["runs"].as_array().unwrap().iter().enumerate() {
        let label = format!("{} {}", run["size"], run["mode"]);
        assert_eq!(run["status"], 200, "{label}: {run}");
        assert_eq!(run["title"], "采购合同");
        assert!(run["identity"].as_str().unwrap().contains("****"), "masked ID number shown: {run}");
        for key in ["violations", "violationsBeforeSign", "doneViolations"] {
            assert_eq!(run[key], json!([]), "{label}: axe-core {key}");
        }
        assert_eq!(run["errors"], json!([]), "{label}: console errors");
        assert_eq!(run["downloaded"], true);
        let pdf = PathBuf::from(input["runs"][index]["download"].as_str().unwrap());
        assert_pyhanko_valid(&pdf, &ca, 1);
        assert_pdfsig_valid(&pdf, &ca, 1);
        // Where the page put the seal, in PDF points of the visible page.
        let placed = &run["placed"];
        let (px, py) = if run["mode"] == "org" {
            assert_eq!(run["fixedBoxes"], 1, "the fixed field is shown: {run}");
            let who = run["identity"].as_str().unwrap();
            assert!(who.contains("杭州测试科技有限公司") && who.contains("王五"), "organisation and agent: {who}");
            (400.0, 200.0)
        } else {
            (placed["x"].as_f64().unwrap(), placed["y"].as_f64().unwrap())
        };
        if run["mode"] == "pointer" {
            // The drop point measured by the test itself from the page image on screen.
            let (drop, img) = (&run["dropScreen"], &run["pageBox"]);
            let f = |v: &Value| v.as_f64().unwrap();
            let ex = (f(&drop["x"]) - f(&img["x"])) / f(&img["width"]) * 595.276;
            let ey = 841.89 - (f(&drop["y"]) - f(&img["y"])) / f(&img["height"]) * 841.89;
            assert!(
                (ex - px).abs() < 1.0 && (ey - py).abs() < 1.0,
                "{label}: screen→PDF ({ex},{ey}) vs page ({px},{py})"
            );
        }
        // The seal's pixels: the rendering changed around exactly that point and nowhere else.
        let signed = render_page(&pdf, 1);
        let ((x0, y0, x1, y1), changed) = changed_box(&original, &signed);
        assert!(changed > 50, "{label}: no seal pixels on page 1");
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        assert!(
            (cx - px).abs() < 8.0 && (cy - py).abs() < 8.0,
            "{label}: seal pixels centred at ({cx},{cy}), dropped at ({px},{py})"
        );
        assert!(x1 - x0 < 200.0 && y1 - y0 < 200.0, "{label}: changes spread over ({x0},{y0})-({x1},{y1})");
    }
    assert!(result["runs"][0]["redirectedTo"].as_str().unwrap().starts_with(&redirect), "done page redirects");
    // The flows are signed through the same core path as the API: audited, completed.
    for flow in [&phone_flow, &desktop_flow, &keyboard_flow, &org_flow] {
        assert_eq!(api.get(&format!("/v1/flows/{flow}")).body["status"], "completed");
        let audit = api.get(&format!("/v1/flows/{flow}/audit"));
        let events: Vec<&str> = audit.body["entries"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            events.contains(&"willingness.verified") && events.contains(&"flow.signer.signed"),
            "{events:?} {:?}",
            audit.body
        );
    }

    assert!(result["reject"]["text"].as_str().unwrap().contains("拒签"), "{}", result["reject"]);
    let rejected = api.get(&format!("/v1/flows/{reject_flow}"));
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["signers"][0]["rejectReason"], "金额有误，请修改后重新发起");
    assert_eq!(result["expired"]["status"], 410);
    assert_eq!(result["expiredDesktop"]["status"], 410);
    assert!(result["expired"]["text"].as_str().unwrap().contains("此链接已过期"));
    assert_eq!(result["expired"]["hasForm"], false);
    for key in ["notYourTurn", "notYourTurnPhone"] {
        assert!(result[key]["text"].as_str().unwrap().contains("还未轮到您签署"), "{}", result[key]);
        assert_eq!(result[key]["hasForm"], false);
    }
    let messages: Vec<&str> =
        result["wrongCode"]["messages"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(messages[0], "验证码错误，请重新输入。", "{messages:?}");
    assert_eq!(messages[1], "验证码错误，请重新输入。");
    assert!(messages[2].contains("错误次数过多"), "{messages:?}");
    assert!(messages[3].contains("错误次数过多"), "the right code no longer works: {messages:?}");
    assert_eq!(result["wrongCode"]["verified"], 0);
    assert_eq!(api.get(&format!("/v1/flows/{wrong_flow}")).body["signers"][0]["status"], "waiting");
}

#[test]
fn positioning_page_saves_fields_the_flow_then_signs_at() {
    let api = Api::start(Backend::Embedded);
    let alice = person(&api, "张三", "11010519491231002X", "13800138000");
    let bob = person(&api, "李四", "440106198001011230", "13900139000");
    person_seal(&api, &alice, "张三");
    person_seal(&api, &bob, "李四");
    let contract = std::fs::read(fixture("contract.pdf")).unwrap();
    let uploaded = api.upload("采购合同.pdf", contract);
    let flow = api.post(
        "/v1/flows",
        &json!({"title": "采购合同", "documents": [{"fileId": uploaded.body["id"]}],
                "signers": [{"accountId": alice, "order": 1}, {"accountId": bob, "order": 2}]}),
    );
    let flow = flow.body["id"].as_str().unwrap().to_owned();
    let position = api.post(&format!("/v1/flows/{flow}/position-link"), &json!({}));
    assert_eq!(position.status, 200, "{:?}", position.body);
    let result = run_browser(
        "position",
        &json!({"url": position.body["url"], "first": alice, "second": bob, "fx": 0.25, "fy": 0.8}),
    );
    assert_eq!(result["status"], 200);
    assert_eq!(result["violations"], json!([]), "axe-core");
    assert_eq!(result["phoneViolations"], json!([]), "axe-core (phone)");
    assert_eq!(result["errors"], json!([]));
    assert_eq!(result["notice"], "已保存", "{result}");

    // The saved fields are the flow's: sign it through the API and look for each seal.
    assert_eq!(api.post(&format!("/v1/flows/{flow}/start"), &json!({})).status, 200);
    // A started flow's positioning link shows the state instead of the boxes.
    let (status, body) = page_status(position.body["url"].as_str().unwrap());
    assert_eq!(status, 200);
    assert!(body.contains("签章位置不能再修改"), "{body}");
    for account in [&alice, &bob] {
        let signed = api.post(&format!("/v1/flows/{flow}/signers/{account}/sign"), &json!({"mode": "platform"}));
        assert_eq!(signed.status, 200, "{:?}", signed.body);
    }
    let (status, pdf) = api.get_bytes(&format!("/v1/flows/{flow}/documents/0/content"));
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, pdf).unwrap();
    let image = render_page(&path, 1);
    let (dx, dy) = (result["drop"]["x"].as_f64().unwrap(), result["drop"]["y"].as_f64().unwrap());
    let (kx, ky) = (595.276 / 2.0 + 60.0, 841.89 / 2.0 - 100.0);
    for (x, y) in [(dx, dy), (kx, ky)] {
        let near = red_pixels(&image, x - 12.0, y - 12.0, x + 12.0, y + 12.0);
        assert!(near > 20, "seal ink around ({x},{y}): {near}");
    }
    assert_eq!(red_pixels(&image, 0.0, 0.0, 120.0, 120.0), 0, "no ink where nothing was placed");
}

#[test]
fn page_actions_need_the_csrf_token_willingness_and_respect_rate_limits() {
    let api = Api::start(Backend::Embedded);
    let alice = person(&api, "张三", "11010519491231002X", "13800138000");
    let flow = started_flow(&api, json!([{"accountId": alice, "auth": "sms"}]));
    let url = link(&api, &flow, &alice, json!({}));
    let page = PageSession::open(&url);
    let csp = page.header("content-security-policy");
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let set_cookie = page.header("set-cookie");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert!(!page.html.contains("11010519491231002X"), "the full ID number never reaches the page");
    let token = page.token.clone();
    let post = |action: &str, csrf: Option<&str>, body: Value| page.post_with(action, csrf, body);
    let client = &page.client;
    // Without the token, or with another one, nothing happens.
    let (status, body) = post("code", None, json!({}));
    assert_eq!((status, body["code"].as_str()), (403, Some("csrf")), "{body}");
    assert_eq!(post("code", Some("AAAA"), json!({})).0, 403);
    assert_eq!(std::fs::read_to_string(outbox(&api)).unwrap_or_default().lines().count(), 0, "no code was sent");
    // With it: a code to the masked number, then the resend wait.
    let (status, body) = post("code", Some(&token), json!({}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["recipient"], "138****8000");
    assert!((55..=60).contains(&body["resendAfterSeconds"].as_i64().unwrap()), "{body}");
    let (status, body) = post("code", Some(&token), json!({}));
    assert_eq!((status, body["code"].as_str()), (429, Some("code_too_soon")), "{body}");
    // Signing before proving willingness is refused; a wrong code says so.
    let sign = json!({"signature": {"strokes": [{"points": [{"x": 1, "y": 1}, {"x": 40, "y": 20}]}]},
                      "placements": [{"document": 0, "page": 1, "x": 100, "y": 100}]});
    let (status, body) = post("sign", Some(&token), sign);
    assert_eq!(status, 403, "{body}");
    let (status, body) = post("verify", Some(&token), json!({"code": "000000"}));
    assert_eq!((status, body["code"].as_str()), (400, Some("code_wrong")), "{body}");
    // Bad bodies are 400s in the page's language, never 500s.
    let (status, body) = post("verify", Some(&token), json!({"nope": 1}));
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_input")), "{body}");
    // Previews: only existing pages of this link's flow.
    assert_eq!(client.get(format!("{url}/documents/0/pages/1")).send().unwrap().status().as_u16(), 200);
    assert_eq!(client.get(format!("{url}/documents/0/pages/9")).send().unwrap().status().as_u16(), 404);
    assert_eq!(client.get(format!("{url}/documents/3/pages/1")).send().unwrap().status().as_u16(), 404);
    // The signed copy is not downloadable before this signer signed.
    assert_eq!(client.get(format!("{url}/documents/0/download")).send().unwrap().status().as_u16(), 404);
}

/// A signature the document cannot take as placed (a keyword it does not have) is refused on
/// the page and reported to the platform as `flow.signer.failed`; the signer stays waiting and
/// nothing is signed.
#[test]
fn a_placement_the_document_cannot_take_is_reported_to_the_platform() {
    let api = Api::start(Backend::Embedded);
    let alice = person(&api, "张三", "11010519491231002X", "13800138000");
    let flow = started_flow(&api, json!([{"accountId": alice, "fields": [{"keyword": "本合同没有的字"}]}]));
    let page = PageSession::open(&link(&api, &flow, &alice, json!({})));
    let strokes = json!({"strokes": [{"points": [{"x": 1, "y": 1}, {"x": 40, "y": 20}]}]});
    let (status, body) = page.post("sign", json!({"signature": strokes}));
    assert_eq!(status, 400, "{body}");
    let events = api.get("/v1/events");
    let failed: Vec<&Value> = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "flow.signer.failed" && e["body"]["flowId"] == flow.as_str())
        .collect();
    assert_eq!(failed.len(), 1, "{:?}", events.body);
    assert_eq!(failed[0]["body"]["accountId"], alice.as_str());
    assert!(failed[0]["body"]["reason"].as_str().unwrap().contains("本合同没有的字"), "{}", failed[0]);
    let state = api.get(&format!("/v1/flows/{flow}"));
    assert_eq!(state.body["status"], "signing", "{:?}", state.body);
    assert_eq!(state.body["signers"][0]["status"], "waiting", "{:?}", state.body);
    assert!(!api.get("/v1/events").body.as_array().unwrap().iter().any(|e| e["event"] == "flow.signer.signed"));
}
