//! Enterprise real-name verification through e签宝's identity API v2, against a local stand-in
//! that speaks its protocol: the OAuth client-credentials token, the `X-Tsign-Open-App-Id` /
//! `X-Tsign-Open-Token` headers on every call, the enterprise comparisons, and the random-amount
//! payment flow (threeFactors → transferRandomAmount → verifyRandomAmount) with the amount chosen
//! and checked by the stand-in. Person checks of the same deployment go to the FaceID stand-in.
//! Also the WoSignDoc `CreateSignOrder` organisation check (-50) through the same provider.

use std::collections::HashMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::callbacks::read_http_request_line;
use crate::support::{APP_ID, Api, Backend, http};
use crate::verification::FaceIdStandIn;

const ESIGN_APP_ID: &str = "7438000001";
const ESIGN_SECRET: &str = "esign-app-secret";

/// An organisation of the stand-in's business register: name, USCC, legal representative and
/// the representative's ID number.
type Company = (&'static str, &'static str, &'static str, &'static str);

const REGISTER: &[Company] = &[
    ("杭州测试科技有限公司", "12100000400009880K", "张三", "11010519491231002X"),
    ("深圳登记科技有限公司", "91440300MA5DXXXX0N", "王五", "440106198001011230"),
];
/// A code (right check character) whose lookups fail at the data source (30504002).
const SOURCE_DOWN: &str = "91440300MA5DYYYY0C";

/// One payment flow opened by threeFactors.
#[derive(Default, Clone)]
struct Flow {
    amount_fen: Option<u32>,
    wrong: u32,
    done: bool,
}

#[derive(Default)]
struct State {
    /// Minutes until a new token expires (120 as documented unless a test shortens it).
    token_minutes: i64,
    tokens: Vec<String>,
    token_requests: usize,
    /// `(method, path, token accepted)` of every business call.
    calls: Vec<(String, String, bool)>,
    flows: HashMap<String, Flow>,
    bodies: Vec<String>,
}

/// An e签宝 stand-in on loopback.
pub struct EsignStandIn {
    endpoint: String,
    state: Arc<Mutex<State>>,
}

impl EsignStandIn {
    pub fn start() -> Self {
        Self::with_token_minutes(120)
    }

    fn with_token_minutes(token_minutes: i64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State { token_minutes, ..State::default() }));
        let sink = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some((line, headers, body)) = read_http_request_line(&mut stream, Duration::from_secs(5), false)
                else {
                    continue;
                };
                let (status, answer) = answer(&line, &headers, &body, &sink);
                let text = answer.to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        Self { endpoint, state }
    }

    pub fn setting(&self, secret: &str) -> String {
        format!("esign://{ESIGN_APP_ID}:{secret}@smlopenapi.esign.cn?endpoint={}", self.endpoint)
    }

    /// Invalidates every issued token, as fetching too many new ones does at e签宝.
    fn revoke_tokens(&self) {
        self.state.lock().unwrap().tokens.clear();
    }

    fn token_requests(&self) -> usize {
        self.state.lock().unwrap().token_requests
    }

    fn calls(&self) -> Vec<(String, String, bool)> {
        self.state.lock().unwrap().calls.clone()
    }

    /// The amount the stand-in paid into a flow.
    fn paid_fen(&self, flow_id: &str) -> u32 {
        self.state.lock().unwrap().flows[flow_id].amount_fen.expect("a paid flow")
    }
}

/// e签宝's behaviour, by method and path.
fn answer(line: &str, headers: &[(String, String)], body: &[u8], state: &Mutex<State>) -> (&'static str, Value) {
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let header = |name: &str| {
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).unwrap_or_default()
    };
    let mut state = state.lock().unwrap();
    state.bodies.push(String::from_utf8_lossy(body).into_owned());
    if path == "/v1/oauth2/access_token" {
        state.token_requests += 1;
        let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let get = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
        if method != "GET"
            || get("appId") != ESIGN_APP_ID
            || get("secret") != ESIGN_SECRET
            || get("grantType") != "client_credentials"
        {
            return ("401 Unauthorized", json!({"code": 401, "message": "UNAUTHORIZED"}));
        }
        let token = format!("tok-{}", state.token_requests);
        state.tokens.push(token.clone());
        let expires =
            (OffsetDateTime::now_utc() + time::Duration::minutes(state.token_minutes)).unix_timestamp() * 1000;
        return (
            "200 OK",
            json!({"code": 0, "message": "成功",
                "data": {"token": token, "expiresIn": expires.to_string(), "refreshToken": "r-1"}}),
        );
    }
    let authorised = header("X-Tsign-Open-App-Id") == ESIGN_APP_ID
        && state.tokens.iter().any(|t| t == header("X-Tsign-Open-Token"))
        && header("Content-Type").starts_with("application/json");
    state.calls.push((method.to_owned(), path.to_owned(), authorised));
    if !authorised {
        return ("401 Unauthorized", json!({"code": 401, "message": "token invalid"}));
    }
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let field = |name: &str| request[name].as_str().unwrap_or_default().to_owned();
    let ok = |data: Value| ("200 OK", json!({"code": 0, "message": "成功", "data": data}));
    let code = |code: i64, message: &str| ("200 OK", json!({"code": code, "message": message, "data": null}));
    let mismatch = || {
        (
            "200 OK",
            json!({"code": 30504001, "message": "信息比对不通过,请检查信息的正确性",
                "data": {"verifyId": "v-mismatch", "errCode": "1", "errMsg": "企业信息不一致"}}),
        )
    };
    let company = |name: &str, code: &str| REGISTER.iter().find(|c| c.0 == name && c.1 == code);
    let missing = ["name", "orgCode"].into_iter().find(|f| field(f).is_empty());
    match (method, path) {
        ("POST", "/v2/identity/verify/organization/enterprise/base")
        | ("POST", "/v2/identity/verify/organization/enterprise/bureau3Factors")
        | ("POST", "/v2/identity/verify/organization/enterprise/bureau4Factors")
        | ("POST", "/v2/identity/auth/api/organization/threeFactors") => {
            if let Some(f) = missing {
                return code(30500100, &format!("缺少参数: {f}"));
            }
            if field("orgCode") == SOURCE_DOWN {
                return code(30504002, "数据源查询失败,请联系服务人员处理");
            }
            let Some(found) = company(&field("name"), &field("orgCode")) else { return mismatch() };
            let rep_ok = found.2 == field("legalRepName");
            let matched = match path {
                "/v2/identity/verify/organization/enterprise/base" => true,
                "/v2/identity/verify/organization/enterprise/bureau4Factors" => {
                    rep_ok && found.3 == field("legalRepCertNo")
                }
                _ => rep_ok,
            };
            if !matched {
                return mismatch();
            }
            if path.ends_with("threeFactors") {
                let flow_id = format!("79981899718801{:04}", state.flows.len() + 1);
                state.flows.insert(flow_id.clone(), Flow::default());
                return ok(json!({"flowId": flow_id}));
            }
            ok(json!({"verifyId": format!("verify-{}", path.rsplit('/').next().unwrap_or_default())}))
        }
        ("PUT", p) if p.starts_with("/v2/identity/auth/pub/organization/") => {
            let rest = &p["/v2/identity/auth/pub/organization/".len()..];
            let (flow_id, action) = rest.split_once('/').unwrap_or((rest, ""));
            let count = state.flows.len() as u32;
            let Some(flow) = state.flows.get_mut(flow_id) else { return code(30500004, "认证流程不存在") };
            match action {
                "transferRandomAmount" => {
                    let required = ["bank", "province", "city", "subbranch", "cardNo", "cnapsCode"];
                    if let Some(f) = required.into_iter().find(|f| field(f).is_empty()) {
                        return code(30500100, &format!("缺少参数: {f}"));
                    }
                    if !field("cardNo").bytes().all(|b| b.is_ascii_digit()) {
                        return code(30500101, "参数错误:组织对公账号格式错误");
                    }
                    // A different amount per flow, between 0.01 and 0.99.
                    flow.amount_fen = Some(10 + (count * 17) % 89);
                    ok(Value::Null)
                }
                "verifyRandomAmount" => {
                    if flow.done {
                        return code(30500002, "认证流程已结束");
                    }
                    let Some(paid) = flow.amount_fen else { return code(30502013, "请重新发起打款") };
                    let reported = request["amount"].as_f64().map(|a| (a * 100.0).round() as u32);
                    if reported == Some(paid) {
                        flow.done = true;
                        return ok(Value::Null);
                    }
                    flow.wrong += 1;
                    if flow.wrong > 3 {
                        flow.done = true;
                        return code(30502003, "验证次数超过限制,请重新发起打款");
                    }
                    code(30502002, "金额校验失败")
                }
                _ => ("404 Not Found", json!({"code": 404, "message": "not found"})),
            }
        }
        _ => ("404 Not Found", json!({"code": 404, "message": "not found"})),
    }
}

fn org(api: &Api, name: &str, uscc: &str) -> String {
    let created = api.post("/v1/accounts", &json!({"type": "org", "name": name, "idType": "uscc", "idNumber": uscc}));
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

fn verify(api: &Api, account: &str, body: Value) -> crate::support::Reply {
    api.post(&format!("/v1/accounts/{account}/verifications"), &body)
}

fn status_and_level(api: &Api, account: &str) -> (String, String) {
    let body = api.get(&format!("/v1/accounts/{account}/verifications")).body;
    (body["status"].as_str().unwrap().to_owned(), body["level"].as_str().unwrap().to_owned())
}

fn deposit_body(legal_rep: &str) -> Value {
    json!({
        "kind": "micro_deposit",
        "legalRepName": legal_rep,
        "bankName": "招商银行",
        "bankBranch": "招商银行杭州高新支行",
        "bankProvince": "浙江省",
        "bankCity": "杭州市",
        "cnapsCode": "308331012345",
        "bankAccount": "5719 0123 4567 890",
    })
}

fn enterprise_checks(backend: Backend) {
    let esign = EsignStandIn::start();
    let faceid = FaceIdStandIn::start();
    let api = Api::start_with(
        backend,
        &[
            ("SIGNET_VERIFICATION_PROVIDER", &faceid.person_setting()),
            ("SIGNET_ENTERPRISE_VERIFICATION_PROVIDER", &esign.setting(ESIGN_SECRET)),
            ("SIGNET_LOG", "debug"),
        ],
    );

    // Person checks still go to FaceID.
    let person = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": "张三", "idType": "resident_id", "idNumber": "11010519491231002X"}),
    );
    let person = person.body["id"].as_str().unwrap().to_owned();
    let two = verify(&api, &person, json!({"kind": "person_two_element"}));
    assert_eq!((two.body["outcome"].as_str(), two.body["provider"].as_str()), (Some("match"), Some("tencent")));

    let company = org(&api, "杭州测试科技有限公司", "12100000400009880K");
    // Three elements with the registered legal representative: basic.
    let three = verify(&api, &company, json!({"kind": "enterprise_three_element", "legalRepName": "张三"}));
    assert_eq!(three.status, 201, "{:?}", three.body);
    assert_eq!(three.body["outcome"], "match");
    assert_eq!(three.body["provider"], "esign");
    assert_eq!(three.body["providerRef"], "verify-bureau3Factors");
    assert_eq!(status_and_level(&api, &company), ("verified".into(), "basic".into()));
    // Someone else named as the representative: a recorded mismatch with e签宝's reason.
    let wrong = verify(&api, &company, json!({"kind": "enterprise_three_element", "legalRepName": "李四"}));
    assert_eq!(wrong.status, 201, "{:?}", wrong.body);
    assert_eq!(wrong.body["outcome"], "mismatch");
    assert_eq!(wrong.body["reason"], "信息比对不通过,请检查信息的正确性: 企业信息不一致");
    // Four elements: the representative's ID number decides.
    let four_wrong = verify(
        &api,
        &company,
        json!({"kind": "enterprise_four_element", "legalRepName": "张三", "legalRepIdNumber": "440106198001011230"}),
    );
    assert_eq!(four_wrong.body["outcome"], "mismatch", "{:?}", four_wrong.body);
    let four = verify(
        &api,
        &company,
        json!({"kind": "enterprise_four_element", "legalRepName": "张三", "legalRepIdNumber": "11010519491231002X"}),
    );
    assert_eq!(four.body["outcome"], "match", "{:?}", four.body);
    assert_eq!(four.body["inputs"]["legalRepIdNumber"].as_str().map(|m| m.contains('*')), Some(true));
    assert_eq!(status_and_level(&api, &company), ("verified".into(), "standard".into()));

    // Micro-deposit: the branch data e签宝 needs is the caller's to give (400 naming it).
    let mut incomplete = deposit_body("张三");
    incomplete.as_object_mut().unwrap().remove("cnapsCode");
    let refused = verify(&api, &company, incomplete);
    assert_eq!(refused.status, 400, "{:?}", refused.body);
    assert!(refused.body.to_string().contains("cnapsCode"), "{:?}", refused.body);
    let mut bad_cnaps = deposit_body("张三");
    bad_cnaps["cnapsCode"] = json!("3083");
    assert_eq!(verify(&api, &company, bad_cnaps).status, 400);
    // e签宝 opens the flow, pays an amount of its choosing, and checks the answer.
    let deposit = verify(&api, &company, deposit_body("张三"));
    assert_eq!(deposit.status, 201, "{:?}", deposit.body);
    assert_eq!((deposit.body["outcome"].as_str(), deposit.body["provider"].as_str()), (Some("pending"), Some("esign")));
    assert_eq!(deposit.body["inputs"]["bankAccount"], "****7890");
    let flow_id = deposit.body["providerRef"].as_str().unwrap().to_owned();
    let expires = OffsetDateTime::parse(
        deposit.body["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(expires - OffsetDateTime::now_utc() > time::Duration::days(6), "e签宝's 7-day window: {expires}");
    let check = deposit.body["id"].as_str().unwrap().to_owned();
    let paid = esign.paid_fen(&flow_id);
    let confirm = |fen: u32| {
        api.post(
            &format!("/v1/accounts/{company}/verifications/{check}/confirm"),
            &json!({"amount": format!("{}.{:02}", fen / 100, fen % 100)}),
        )
    };
    let missed = confirm(if paid == 1 { 2 } else { paid - 1 });
    assert_eq!(missed.status, 200, "{:?}", missed.body);
    assert_eq!((missed.body["outcome"].as_str(), missed.body["attempts"].as_i64()), (Some("pending"), Some(1)));
    assert_eq!(status_and_level(&api, &company).1, "standard");
    let hit = confirm(paid);
    assert_eq!(hit.body["outcome"], "match", "{:?}", hit.body);
    assert_eq!(status_and_level(&api, &company), ("verified".into(), "strong".into()));
    assert_eq!(confirm(paid).status, 409, "answered once");

    // An organisation whose representative does not match: e签宝 opens no flow and pays
    // nothing; the deposit check is recorded as a mismatch.
    let other = org(&api, REGISTER[1].0, REGISTER[1].1);
    let no_flow = verify(&api, &other, deposit_body("赵六"));
    assert_eq!(no_flow.status, 201, "{:?}", no_flow.body);
    assert_eq!(no_flow.body["outcome"], "mismatch");
    assert_eq!(status_and_level(&api, &other), ("failed".into(), "none".into()));

    // One access token served every call, each with the app id and token headers.
    assert_eq!(esign.token_requests(), 1);
    let calls = esign.calls();
    assert!(calls.iter().all(|(_, _, ok)| *ok), "{calls:?}");
    let paths: Vec<&str> = calls.iter().map(|(_, p, _)| p.rsplit('/').next().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "bureau3Factors",
            "bureau3Factors",
            "bureau4Factors",
            "bureau4Factors",
            "threeFactors",
            "transferRandomAmount",
            "verifyRandomAmount",
            "verifyRandomAmount",
            "threeFactors"
        ]
    );
    assert!(
        esign.state.lock().unwrap().bodies.iter().any(|b| b.contains("\"cnapsCode\":\"308331012345\"")),
        "the transfer carries the branch data"
    );

    // Neither the audit trail nor the debug log holds the representative's ID or the account.
    let audit = api.get(&format!("/v1/accounts/{company}/audit")).body.to_string();
    let log = std::fs::read_to_string(&api.server.stderr_path).unwrap();
    assert!(log.contains("e签宝 answered"), "the log is the server's debug log");
    for secret in ["11010519491231002X", "571901234567890", ESIGN_SECRET] {
        assert!(!audit.contains(secret), "audit leaks {secret}");
        assert!(!log.contains(secret), "log leaks {secret}");
    }
}

#[test]
fn esign_enterprise_checks_and_deposits_on_sqlite_and_disk() {
    enterprise_checks(Backend::Embedded);
}

#[test]
fn esign_enterprise_checks_and_deposits_on_postgres_and_s3() {
    enterprise_checks(Backend::PostgresS3);
}

#[test]
fn wrong_esign_credentials_are_a_clear_refusal_that_records_nothing() {
    let esign = EsignStandIn::start();
    let api =
        Api::start_with(Backend::Embedded, &[("SIGNET_ENTERPRISE_VERIFICATION_PROVIDER", &esign.setting("wrong"))]);
    let company = org(&api, "杭州测试科技有限公司", "12100000400009880K");
    let refused = verify(&api, &company, json!({"kind": "enterprise_three_element", "legalRepName": "张三"}));
    assert_eq!(refused.status, 503, "{:?}", refused.body);
    let message = refused.body["message"].as_str().unwrap();
    assert!(message.contains("access token refused") && message.contains(ESIGN_APP_ID), "{message}");
    assert!(!message.contains("wrong"), "the secret stays out of the answer: {message}");
    assert_eq!(esign.calls().len(), 0, "no business call without a token");
    assert_eq!(status_and_level(&api, &company), ("unverified".into(), "none".into()));
    // Person checks have no provider in this deployment: refused as unsupported.
    let person = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": "张三", "idType": "resident_id", "idNumber": "11010519491231002X"}),
    );
    let person = person.body["id"].as_str().unwrap().to_owned();
    assert_eq!(verify(&api, &person, json!({"kind": "person_two_element"})).status, 409);
}

#[test]
fn tokens_are_renewed_before_expiry_and_after_a_rejection() {
    // Tokens that expire in 3 minutes are inside the 5-minute renewal margin: each call fetches.
    let short = EsignStandIn::with_token_minutes(3);
    let api = Api::start_with(
        Backend::Embedded,
        &[("SIGNET_ENTERPRISE_VERIFICATION_PROVIDER", &short.setting(ESIGN_SECRET))],
    );
    let company = org(&api, "杭州测试科技有限公司", "12100000400009880K");
    let three = json!({"kind": "enterprise_three_element", "legalRepName": "张三"});
    for _ in 0..2 {
        assert_eq!(verify(&api, &company, three.clone()).body["outcome"], "match");
    }
    assert_eq!(short.token_requests(), 2);
    drop(api);

    // A token the gateway rejects (HTTP 401) is dropped and the call made once more.
    let esign = EsignStandIn::start();
    let api = Api::start_with(
        Backend::Embedded,
        &[("SIGNET_ENTERPRISE_VERIFICATION_PROVIDER", &esign.setting(ESIGN_SECRET))],
    );
    let company = org(&api, "杭州测试科技有限公司", "12100000400009880K");
    assert_eq!(verify(&api, &company, three.clone()).body["outcome"], "match");
    esign.revoke_tokens();
    let again = verify(&api, &company, three.clone());
    assert_eq!(again.body["outcome"], "match", "{:?}", again.body);
    assert_eq!(esign.token_requests(), 2);
    let accepted: Vec<bool> = esign.calls().into_iter().map(|(_, _, ok)| ok).collect();
    assert_eq!(accepted, [true, false, true]);

    // An unreachable provider gives no verdict: 503, nothing recorded.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let setting = format!("esign://{ESIGN_APP_ID}:{ESIGN_SECRET}@openapi.esign.cn?endpoint={endpoint}&timeout_secs=2");
    let api = Api::start_with(Backend::Embedded, &[("SIGNET_ENTERPRISE_VERIFICATION_PROVIDER", &setting)]);
    let company = org(&api, "杭州测试科技有限公司", "12100000400009880K");
    let down = verify(&api, &company, three);
    assert_eq!(down.status, 503, "{:?}", down.body);
    assert!(down.body["message"].as_str().unwrap().contains("unavailable"), "{:?}", down.body);
    assert!(!down.body.to_string().contains(ESIGN_SECRET), "the token URL's secret stays out: {:?}", down.body);
    assert_eq!(status_and_level(&api, &company), ("unverified".into(), "none".into()));
}

fn fixture_b64(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name);
    STANDARD.encode(std::fs::read(path).unwrap())
}

/// A USCC with a correct check character (GB 32100-2015), from its first 17 characters.
fn uscc(body17: &str) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let sum: u32 = body17.chars().zip(WEIGHTS).map(|(c, w)| CHARS.find(c).unwrap() as u32 * w).sum();
    format!("{body17}{}", CHARS.chars().nth(((31 - sum % 31) % 31) as usize).unwrap())
}

fn wosign_order(api: &Api, number: &str, org_name: &str, org_no: &str) -> Value {
    let body = json!({
        "tokenid": APP_ID,
        "actiontype": "CreateSignOrder",
        "filebase": fixture_b64("contract.pdf"),
        "fileformat": "pdf",
        "orderNumber": number,
        "subject": "采购合同",
        "signerlist": [{
            "signType": "1",
            "orgName": org_name,
            "orgNo": org_no,
            "stampbase": fixture_b64("seal.png"),
            "pic": fixture_b64("seal.jpg"),
            "otherpic": fixture_b64("seal.png"),
            "signlist": [{"pagenumber": 1, "position": "0.30,0.57,0.46,0.69"}],
        }],
    });
    let response = http().post(format!("{}/wosign", api.server.base_url)).json(&body).send().unwrap();
    response.json().unwrap()
}

fn wosign_orders(backend: Backend) {
    let esign = EsignStandIn::start();
    let api = Api::start_with(
        backend,
        &[
            ("SIGNET_ENTERPRISE_VERIFICATION_PROVIDER", &esign.setting(ESIGN_SECRET)),
            ("SIGNET_WORKER_INTERVAL_MS", "3600000"),
        ],
    );
    let registered = REGISTER[1];
    let registered_no = uscc(&registered.1[..17]);
    assert_eq!(registered_no, registered.1, "the register's code has a right check character");

    // A right check character, but e签宝 says the name does not belong to the code: -50.
    let mismatch = wosign_order(&api, "E-1", "深圳冒名科技有限公司", &registered_no);
    assert_eq!((mismatch["status"].as_i64(), mismatch["errorcode"].as_i64()), (Some(0), Some(-50)), "{mismatch}");
    assert!(mismatch["msg"].as_str().unwrap().contains("orgName does not match orgNo"), "{mismatch}");
    // The registered pair: the order is created.
    let created = wosign_order(&api, "E-2", registered.0, &registered_no);
    assert_eq!((created["status"].as_i64(), created["errorcode"].as_i64()), (Some(1), Some(0)), "{created}");
    assert!(created["signid"].as_str().is_some_and(|s| !s.is_empty()), "{created}");
    // A wrong check character is refused before e签宝 is asked.
    let asked = esign.calls().len();
    let bad_check = format!("{}{}", &registered_no[..17], if registered_no.ends_with('1') { '2' } else { '1' });
    let refused = wosign_order(&api, "E-3", registered.0, &bad_check);
    assert_eq!(refused["errorcode"], -50, "{refused}");
    assert_eq!(esign.calls().len(), asked);
    // e签宝 gives no verdict (its data source failed): never accepted unchecked, -69.
    assert_eq!(uscc(&SOURCE_DOWN[..17]), SOURCE_DOWN);
    let down = wosign_order(&api, "E-4", "深圳测试科技有限公司", SOURCE_DOWN);
    assert_eq!((down["status"].as_i64(), down["errorcode"].as_i64()), (Some(0), Some(-69)), "{down}");
    assert!(down["msg"].as_str().unwrap().contains("30504002"), "{down}");
    let paths: Vec<String> = esign.calls().into_iter().map(|(_, p, _)| p).collect();
    assert!(paths.iter().all(|p| p == "/v2/identity/verify/organization/enterprise/base"), "{paths:?}");
    assert_eq!(paths.len(), 3);
}

#[test]
fn wosign_org_names_are_checked_by_esign_on_sqlite() {
    wosign_orders(Backend::Embedded);
}

#[test]
fn wosign_org_names_are_checked_by_esign_on_postgres_and_s3() {
    wosign_orders(Backend::PostgresS3);
}

#[test]
fn wosign_without_an_enterprise_provider_trusts_the_check_character() {
    let api = Api::start_with(Backend::Embedded, &[("SIGNET_WORKER_INTERVAL_MS", "3600000")]);
    let created = wosign_order(&api, "E-1", "任意名称有限公司", &uscc("91440300MA5DXXXX0"));
    assert_eq!(created["errorcode"], 0, "{created}");
}
