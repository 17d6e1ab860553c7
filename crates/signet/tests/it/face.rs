//! PSN_FACE willingness on the silent-sign authorization page through Tencent Cloud FaceID's
//! 慧眼 H5 face verification, against a local stand-in for FaceID: its API (TC3 signature
//! recomputed, `DetectAuth` and `GetDetectInfoEnhanced` fields checked) and its hosted "face
//! page", which sends the browser straight back to `RedirectUrl` with `BizToken` added, as the
//! real page does once the person has finished.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::callbacks::read_http_request;
use crate::pages::{PageSession, run_browser};
use crate::qiandun::{auth_url, auto_sign, person, person_seal};
use crate::support::{Api, Backend};
use crate::verification::{SECRET_ID, SECRET_KEY, deposit_amount, signature_ok};

/// The business flow (RuleId) the stand-in was "configured" with in its console.
const RULE_ID: &str = "7";

/// One started check: who, where to send the browser back, whether the person finished.
struct Session {
    name: String,
    id_number: String,
    redirect: String,
    finished: bool,
}

#[derive(Default)]
struct State {
    sessions: HashMap<String, Session>,
    /// `(action, signature ok)` of every API call.
    calls: Vec<(String, bool)>,
    /// Persons whose face matches the authoritative photo: name and ID number.
    passing: Vec<(String, String)>,
}

/// FaceID's API and face page on two loopback ports.
pub struct FaceH5StandIn {
    api: String,
    state: Arc<Mutex<State>>,
}

impl FaceH5StandIn {
    pub fn start(passing: &[(&str, &str)]) -> Self {
        let passing = passing.iter().map(|(n, i)| ((*n).to_owned(), (*i).to_owned())).collect();
        let state = Arc::new(Mutex::new(State { passing, ..State::default() }));
        let page = TcpListener::bind("127.0.0.1:0").unwrap();
        let page_url = format!("http://{}", page.local_addr().unwrap());
        let sessions = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in page.incoming() {
                let Ok(mut stream) = stream else { continue };
                face_page(&mut stream, &sessions);
            }
        });
        let api = TcpListener::bind("127.0.0.1:0").unwrap();
        let api_url = format!("http://{}", api.local_addr().unwrap());
        let sink = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in api.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some((headers, body)) = read_http_request(&mut stream, Duration::from_secs(5)) else { continue };
                let text = answer(&headers, &body, &sink, &page_url).to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        Self { api: api_url, state }
    }

    /// The `face_verifier` setting pointing at this stand-in.
    pub fn setting(&self) -> String {
        format!("tencent://{SECRET_ID}:{SECRET_KEY}@faceid.tencentcloudapi.com?rule_id={RULE_ID}&endpoint={}", self.api)
    }

    /// The actions called so far, in order; every one must have been signed correctly.
    fn actions(&self) -> Vec<String> {
        let state = self.state.lock().unwrap();
        assert!(state.calls.iter().all(|(_, ok)| *ok), "a request was badly signed: {:?}", state.calls);
        state.calls.iter().map(|(a, _)| a.clone()).collect()
    }

    fn count(&self, action: &str) -> usize {
        self.actions().iter().filter(|a| *a == action).count()
    }

    /// The names `DetectAuth` was asked to check, in no particular order.
    fn checked_names(&self) -> Vec<String> {
        self.state.lock().unwrap().sessions.values().map(|s| s.name.clone()).collect()
    }
}

/// The hosted face page: `GET /h5/{BizToken}` "verifies" and redirects to `RedirectUrl`.
fn face_page(stream: &mut TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&mut *stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the browser's headers (a GET has no body).
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.trim_end().is_empty() {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or_default();
    let token = path.strip_prefix("/h5/").unwrap_or_default();
    let location = state.lock().unwrap().sessions.get_mut(token).map(|session| {
        session.finished = true;
        let separator = if session.redirect.contains('?') { '&' } else { '?' };
        format!("{}{separator}BizToken={token}", session.redirect)
    });
    let _ = match location {
        Some(location) => write!(
            stream,
            "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        ),
        None => write!(stream, "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
    };
}

/// FaceID's API: a bad signature is refused as the real gateway does; then the two actions.
fn answer(headers: &[(String, String)], body: &[u8], state: &Mutex<State>, page_url: &str) -> Value {
    let header = |name: &str| {
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).unwrap_or_default()
    };
    let action = header("X-TC-Action").to_owned();
    let signed = signature_ok(headers, body);
    let mut state = state.lock().unwrap();
    state.calls.push((action.clone(), signed));
    let error = |code: &str, message: &str| json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "req-error"}});
    if !signed {
        return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.");
    }
    if header("X-TC-Version") != "2018-03-01" {
        return error("InvalidParameter", "version");
    }
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let field = |name: &str| request[name].as_str().unwrap_or_default().to_owned();
    if field("RuleId") != RULE_ID {
        return error("InvalidParameterValue.RuleIdNotExist", "RuleId");
    }
    let number = state.calls.len();
    match action.as_str() {
        "DetectAuth" => {
            let (name, id_number, redirect) = (field("Name"), field("IdCard"), field("RedirectUrl"));
            if name.is_empty() || id_number.is_empty() || !redirect.starts_with("http") || redirect.len() > 1024 {
                return error("InvalidParameter", "Name, IdCard and RedirectUrl");
            }
            let token = format!("5C1F0A2E-{number:04}-4B6D-9E3A-{:012X}", redirect.len() * 7919 + number);
            state.sessions.insert(token.clone(), Session { name, id_number, redirect, finished: false });
            json!({"Response": {"Url": format!("{page_url}/h5/{token}"), "BizToken": token,
                "RequestId": format!("req-detect-{number}")}})
        }
        "GetDetectInfoEnhanced" => {
            if field("InfoType") != "1" {
                return error("InvalidParameter", "this stand-in only serves the text result");
            }
            let passing = state.passing.clone();
            let Some(session) = state.sessions.get(&field("BizToken")) else {
                return error("InvalidParameterValue.BizTokenIllegal", "BizToken");
            };
            let text = if !session.finished {
                json!({"ErrCode": null, "ErrMsg": null})
            } else if passing.iter().any(|(n, i)| *n == session.name && *i == session.id_number) {
                json!({"ErrCode": 0, "ErrMsg": "成功", "Name": session.name, "IdCard": session.id_number,
                    "LiveStatus": 0, "LiveMsg": "成功", "Comparestatus": 0, "Comparemsg": "成功"})
            } else {
                json!({"ErrCode": 1001, "ErrMsg": "比对不通过", "Name": session.name, "IdCard": session.id_number,
                    "LiveStatus": 0, "LiveMsg": "成功", "Comparestatus": 1001, "Comparemsg": "比对不通过"})
            };
            json!({"Response": {"Text": text, "RequestId": format!("req-result-{number}")}})
        }
        _ => error("InvalidAction", &action),
    }
}

/// A link for `account` asking for face verification only, as 签盾 callers do.
fn face_link(api: &Api, account: &str, seal: &str) -> String {
    let link = auth_url(
        api,
        &json!({"accountId": account, "sealIds": [seal], "authConfig": {"willingnessAuthModes": ["PSN_FACE"]}}),
    );
    assert_eq!(link.body["code"], "200", "{:?}", link.body);
    link.body["result"]["authUrl"].as_str().unwrap().to_owned()
}

fn audit_actions(api: &Api, account: &str) -> Vec<Value> {
    let audit = api.get(&format!("/v1/accounts/{account}/audit"));
    audit.body["entries"].as_array().unwrap().clone()
}

fn authorizations(api: &Api, account: &str) -> Vec<Value> {
    api.get(&format!("/v1/accounts/{account}/authorizations")).body.as_array().unwrap().clone()
}

fn face_check_grants_silent_signing(backend: Backend) {
    let faceid = FaceH5StandIn::start(&[("张三", "11010519491231002X")]);
    let api = Api::start_with(backend, &[("SIGNET_FACE_VERIFIER", &faceid.setting())]);
    let zhang = person(&api, "张三", "11010519491231002X");
    let red = person_seal(&api, &zhang, "张三", "red");
    assert_eq!(auto_sign(&api, &zhang, &red).status, 403, "no authorization yet");
    let url = face_link(&api, &zhang, &red);

    let r = run_browser("face-authorize", &json!({"url": url, "retry": false}));
    assert_eq!(r["seen"]["status"], 200, "{r}");
    assert_eq!(r["seen"]["faceButton"], 1, "face verification is offered: {r}");
    assert_eq!(r["seen"]["faceUnavailable"], 0, "no 'not configured' notice: {r}");
    assert_eq!(r["seen"]["smsOffered"], 0, "the app asked for face only: {r}");
    assert_eq!(r["returned"]["status"], 200, "{r}");
    assert!(r["returned"]["path"].as_str().unwrap().starts_with("/authorize/face/"), "{r}");
    assert!(r["returned"]["title"].as_str().unwrap().contains("授权成功"), "{r}");
    let authorization_id = r["returned"]["authorizationId"].as_str().expect("granted").to_owned();
    assert_eq!(r["violations"], json!([]), "axe-core serious/critical violations");
    assert_eq!(r["errors"], json!([]), "console errors (CSP violations included)");

    // The same authorization the native API creates, for the red seal.
    let list = authorizations(&api, &zhang);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!((list[0]["id"].as_str(), &list[0]["sealIds"]), (Some(authorization_id.as_str()), &json!([red])));
    // The audit trail records the mode and the provider's reference, and no identity data.
    let entries = audit_actions(&api, &zhang);
    let passed = entries.iter().find(|e| e["action"] == "willingness.face_passed").expect("face_passed entry");
    assert_eq!(passed["detail"]["mode"], "PSN_FACE", "{passed}");
    assert!(passed["detail"]["providerRef"].as_str().unwrap().starts_with("5C1F0A2E-"), "{passed}");
    assert!(entries.iter().any(|e| e["action"] == "authorization.granted"));
    assert!(!serde_json::to_string(&entries).unwrap().contains("11010519491231002X"), "the ID number leaked");
    assert_eq!(faceid.actions(), ["DetectAuth", "GetDetectInfoEnhanced"]);

    // Native automatic signing now succeeds.
    let signed = auto_sign(&api, &zhang, &red);
    assert_eq!(signed.status, 200, "{:?}", signed.body);
}

#[test]
fn face_check_in_chromium_grants_on_sqlite_and_disk() {
    face_check_grants_silent_signing(Backend::Embedded);
}

#[test]
fn face_check_in_chromium_grants_on_postgres_and_s3() {
    face_check_grants_silent_signing(Backend::PostgresS3);
}

#[test]
fn a_failed_face_check_grants_nothing_and_offers_a_retry_and_sms() {
    // 王五's face does not match his ID photo at the stand-in.
    let faceid = FaceH5StandIn::start(&[("张三", "11010519491231002X")]);
    let api = Api::start_with(Backend::Embedded, &[("SIGNET_FACE_VERIFIER", &faceid.setting())]);
    let wang = person(&api, "王五", "440106198001011230");
    let seal = person_seal(&api, &wang, "王五", "red");
    let url = face_link(&api, &wang, &seal);

    let r = run_browser("face-authorize", &json!({"url": url, "retry": true}));
    assert_eq!(r["returned"]["status"], 200, "{r}");
    assert_eq!(r["returned"]["path"], "/authorize/face-failed", "{r}");
    assert_eq!(r["returned"]["authorizationId"], Value::Null, "{r}");
    let failed = r["returned"]["faceFailed"].as_str().expect("failure notice");
    assert!(failed.contains("人脸核验未通过") && failed.contains("短信验证码"), "{r}");
    assert_eq!(r["returned"]["faceButton"], 1, "a retry is offered: {r}");
    assert_eq!(r["returned"]["smsOffered"], 1, "the SMS code is offered: {r}");
    // The retry goes through the provider again and fails again.
    assert!(r["retried"]["faceFailed"].as_str().unwrap().contains("人脸核验未通过"), "{r}");
    assert_eq!(r["violations"], json!([]), "axe-core serious/critical violations");
    assert_eq!(r["errors"], json!([]), "console errors (CSP violations included)");

    // The failure view can be reloaded, or switched to English, without repeating anything.
    let english = crate::support::http().get(format!("{url}/authorize/face-failed?lang=en")).send().unwrap();
    assert_eq!(english.status().as_u16(), 200);
    assert!(english.text().unwrap().contains("Face verification did not pass"));
    assert!(authorizations(&api, &wang).is_empty(), "nothing is granted");
    assert_eq!(auto_sign(&api, &wang, &seal).status, 403);
    let failures = audit_actions(&api, &wang).iter().filter(|e| e["action"] == "willingness.face_failed").count();
    assert_eq!(failures, 2);
    assert_eq!(faceid.count("GetDetectInfoEnhanced"), 2);
}

/// Starts a face check on an opened page and returns where the provider sends the browser
/// back (the return URL with `BizToken`), without a browser.
fn start_check(page: &PageSession) -> String {
    let (status, body) = page.post("authorize/face", json!({}));
    assert_eq!(status, 200, "{body}");
    let provider = body["url"].as_str().unwrap();
    let response = page.client.get(provider).send().unwrap();
    assert_eq!(response.status().as_u16(), 302);
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn get(page: &PageSession, url: &str) -> (u16, String) {
    let response = page.client.get(url).send().unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

fn forged_returns_grant_nothing(backend: Backend) {
    let faceid = FaceH5StandIn::start(&[("张三", "11010519491231002X"), ("王五", "440106198001011230")]);
    let api = Api::start_with(backend, &[("SIGNET_FACE_VERIFIER", &faceid.setting())]);
    let zhang = person(&api, "张三", "11010519491231002X");
    let seal = person_seal(&api, &zhang, "张三", "red");
    let page = PageSession::open(&face_link(&api, &zhang, &seal));
    assert!(page.html.contains("id=\"face-start\""));
    // Another account's link and a check that really passed there.
    let wang = person(&api, "王五", "440106198001011230");
    let wang_seal = person_seal(&api, &wang, "王五", "red");
    let other = PageSession::open(&face_link(&api, &wang, &wang_seal));
    let other_return = start_check(&other);
    let other_token = other_return.split("BizToken=").nth(1).unwrap().to_owned();

    let refused = |url: &str| {
        let (status, html) = get(&page, url);
        assert_eq!(status, 403, "{url}: {html}");
        assert!(html.contains("人脸核验结果无效"), "{html}");
        assert!(authorizations(&api, &zhang).is_empty(), "{url} granted");
    };
    // A made-up BizToken, none at all, a genuine one of another link, and the right one
    // under a wrong key: each is refused, and each uses the pending check up.
    let genuine = start_check(&page);
    let (base, _) = genuine.split_once("?BizToken=").unwrap();
    refused(&format!("{base}?BizToken=5C1F0A2E-9999-4B6D-9E3A-000000000000"));
    refused(start_check(&page).split_once('?').unwrap().0);
    let genuine = start_check(&page);
    let (base, _) = genuine.split_once("?BizToken=").unwrap();
    refused(&format!("{base}?BizToken={other_token}"));
    let genuine = start_check(&page);
    let (base, token) = genuine.split_once("?BizToken=").unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    refused(&format!("{prefix}/{}?BizToken={token}", "A".repeat(43)));
    // The return of an earlier check, once a newer one was started, is refused too.
    start_check(&page);
    refused(&genuine);
    // None of these reached the provider's result query.
    assert_eq!(faceid.count("GetDetectInfoEnhanced"), 0);

    // The genuine return of a fresh check, arriving twice at once, grants once: only one request
    // takes the pending check (compare-and-set on the link), and only that one asks the provider.
    let genuine = start_check(&page);
    let answers: Vec<(u16, String)> = std::thread::scope(|s| {
        let both: Vec<_> = (0..2).map(|_| s.spawn(|| get(&page, &genuine))).collect();
        both.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    statuses.sort_unstable();
    // The other one either lost the race for the check (403) or came after the grant (410).
    assert!(statuses == [200, 403] || statuses == [200, 410], "{statuses:?}");
    let (_, html) = answers.iter().find(|(status, _)| *status == 200).unwrap();
    assert!(html.contains("id=\"authorized\""), "{html}");
    assert_eq!(authorizations(&api, &zhang).len(), 1);
    // Replaying it later grants nothing more.
    let (status, html) = get(&page, &genuine);
    assert_eq!(status, 410, "{html}");
    assert_eq!(authorizations(&api, &zhang).len(), 1, "a replay grants nothing");
    assert_eq!(faceid.count("GetDetectInfoEnhanced"), 1);
    // The used link starts no new check.
    let (status, body) = page.post("authorize/face", json!({}));
    assert_eq!(status, 410, "{body}");
    let refusals =
        audit_actions(&api, &zhang).iter().filter(|e| e["action"] == "willingness.face_return_refused").count();
    assert_eq!(refusals, 5);
}

#[test]
fn forged_face_returns_grant_nothing_on_sqlite() {
    forged_returns_grant_nothing(Backend::Embedded);
}

#[test]
fn forged_face_returns_grant_nothing_on_postgres() {
    forged_returns_grant_nothing(Backend::PostgresS3);
}

#[test]
fn an_organisations_face_check_is_its_agents() {
    let faceid = FaceH5StandIn::start(&[("张三", "11010519491231002X")]);
    let api = Api::start_with(
        Backend::Embedded,
        &[("SIGNET_FACE_VERIFIER", &faceid.setting()), ("SIGNET_VERIFICATION_PROVIDER", "outbox")],
    );
    let zhang = person(&api, "张三", "11010519491231002X");
    let org = api.post(
        "/v1/accounts",
        &json!({"type": "org", "name": "杭州测试科技有限公司", "idType": "uscc", "idNumber": "12100000400009880K"}),
    );
    let org = org.body["id"].as_str().unwrap().to_owned();
    let seal = api.post(
        &format!("/v1/accounts/{org}/seals"),
        &json!({"template": {"kind": "company", "name": "杭州测试科技有限公司"}}),
    );
    let seal = seal.body["id"].as_str().unwrap().to_owned();
    // Organisations get links once verified (a micro-deposit to the outbox here).
    let deposit = api.post(
        &format!("/v1/accounts/{org}/verifications"),
        &json!({"kind": "micro_deposit", "bankName": "招商银行", "bankAccount": "571901234567890"}),
    );
    let check = deposit.body["id"].as_str().unwrap().to_owned();
    let amount = format!("0.{:02}", deposit_amount(&api, &check));
    let confirmed = api.post(&format!("/v1/accounts/{org}/verifications/{check}/confirm"), &json!({"amount": amount}));
    assert_eq!(confirmed.body["outcome"], "match", "{:?}", confirmed.body);

    // Without an agent there is no face to check: a clear refusal, no provider call.
    let page = PageSession::open(&face_link(&api, &org, &seal));
    let (status, body) = page.post("authorize/face", json!({}));
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "conflict", "{body}");
    assert!(body["message"].as_str().unwrap().contains("经办人"), "said in the page's language: {body}");
    assert!(faceid.actions().is_empty());

    // With 张三 as its agent, his face authorizes the organisation's seal.
    let agent = api.patch(&format!("/v1/accounts/{org}"), &json!({"agentId": zhang}));
    assert_eq!(agent.status, 200, "{:?}", agent.body);
    let back = start_check(&page);
    assert_eq!(faceid.checked_names(), ["张三"]);
    let (status, html) = get(&page, &back);
    assert_eq!(status, 200, "{html}");
    let list = authorizations(&api, &org);
    assert_eq!((list.len(), &list[0]["sealIds"]), (1, &json!([seal])), "{list:?}");
    assert!(authorizations(&api, &zhang).is_empty(), "the agent's own seals are not authorized");
    let entries = audit_actions(&api, &org);
    let started = entries.iter().find(|e| e["action"] == "willingness.face_started").expect("face_started");
    assert_eq!(started["detail"]["person"], zhang.as_str());
    assert_eq!(auto_sign(&api, &org, &seal).status, 200);
}

#[test]
fn a_bad_face_verifier_setting_stops_the_start_without_showing_the_key() {
    let data = tempfile::tempdir().unwrap();
    let mut env = crate::support::base_env(data.path());
    // No rule_id: FaceID cannot run a check without its business flow.
    env.insert("SIGNET_FACE_VERIFIER".into(), "tencent://AKIDx:topsecretkey@faceid.tencentcloudapi.com".into());
    let failure = crate::support::TestServer::try_spawn(&env).err().expect("a bad face_verifier must not start");
    assert!(!failure.status.success());
    assert!(failure.stderr.contains("face_verifier") && failure.stderr.contains("rule_id"), "{}", failure.stderr);
    assert!(!failure.stderr.contains("topsecretkey"), "the key leaked: {}", failure.stderr);
}
