//! Real-name verification through Tencent Cloud FaceID, against a local stand-in that speaks
//! FaceID's API 3.0 protocol and checks every request's TC3-HMAC-SHA256 signature.

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use signet_notify::tencent_sign::{self, SigningInput};

use crate::callbacks::read_http_request;
use crate::support::{Api, Backend};

pub const SECRET_ID: &str = "AKIDsignettest";
pub const SECRET_KEY: &str = "faceid-secret-key";

/// A person of the stand-in's "authoritative source": name, ID number, mobile, bank card.
type Person = (&'static str, &'static str, &'static str, &'static str);

const REGISTRY: &[Person] = &[
    ("张三", "11010519491231002X", "13800138000", "6222600260001072444"),
    ("王五", "440106198001011230", "13900139000", "6225768888881234"),
];

/// What the stand-in saw: `(action, signature ok)`, and every raw body (for leak checks).
#[derive(Default)]
struct Seen {
    calls: Vec<(String, bool)>,
}

/// A FaceID stand-in on loopback.
pub struct FaceIdStandIn {
    endpoint: String,
    seen: Arc<Mutex<Seen>>,
}

impl FaceIdStandIn {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let sink = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some((headers, body)) = read_http_request(&mut stream, Duration::from_secs(5)) else { continue };
                let answer = answer(&headers, &body, &sink);
                let text = answer.to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        Self { endpoint, seen }
    }

    pub fn setting(&self, secret_key: &str) -> String {
        format!(
            "tencent://{SECRET_ID}:{secret_key}@faceid.tencentcloudapi.com?endpoint={}&deposits=outbox",
            self.endpoint
        )
    }

    /// The setting without the development deposit sink (for deployments whose deposits go to
    /// a real provider).
    pub fn person_setting(&self) -> String {
        format!("tencent://{SECRET_ID}:{SECRET_KEY}@faceid.tencentcloudapi.com?endpoint={}", self.endpoint)
    }

    fn calls(&self) -> Vec<(String, bool)> {
        self.seen.lock().unwrap().calls.clone()
    }
}

/// FaceID's behaviour: refuse a bad signature as the real API does, else compare with the registry.
fn answer(headers: &[(String, String)], body: &[u8], seen: &Mutex<Seen>) -> Value {
    let header = |name: &str| {
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).unwrap_or_default()
    };
    let action = header("X-TC-Action").to_owned();
    let signature_ok = signature_ok(headers, body);
    seen.lock().unwrap().calls.push((action.clone(), signature_ok));
    if !signature_ok {
        return json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
            "Message": "The provided credentials could not be validated."}, "RequestId": "req-bad"}});
    }
    if header("X-TC-Version") != "2018-03-01" {
        return json!({"Response": {"Error": {"Code": "InvalidParameter", "Message": "version"}, "RequestId": "r"}});
    }
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let field = |name: &str| request[name].as_str().unwrap_or_default().to_owned();
    let known = |check: &dyn Fn(&Person) -> bool| REGISTRY.iter().any(check);
    let (result, description) = match action.as_str() {
        "IdCardVerification" => {
            if known(&|p| p.0 == field("Name") && p.1 == field("IdCard")) {
                ("0", "姓名和身份证号一致")
            } else {
                ("-1", "姓名和身份证号不一致")
            }
        }
        "PhoneVerification" => {
            if known(&|p| p.0 == field("Name") && p.1 == field("IdCard") && p.2 == field("Phone")) {
                ("0", "三要素信息一致")
            } else {
                ("-4", "三要素信息不一致")
            }
        }
        "BankCard4EVerification" => {
            let matched = known(&|p| {
                p.0 == field("Name") && p.1 == field("IdCard") && p.2 == field("Phone") && p.3 == field("BankCard")
            });
            if request["CertType"] != 0 {
                ("-20", "该证件号暂不支持核验")
            } else if matched {
                ("0", "认证通过")
            } else {
                ("-1", "认证未通过")
            }
        }
        _ => return json!({"Response": {"Error": {"Code": "InvalidAction", "Message": action}, "RequestId": "r"}}),
    };
    json!({"Response": {"Result": result, "Description": description, "RequestId": format!("req-{action}")}})
}

/// Recomputes the TC3-HMAC-SHA256 signature from what arrived, as Tencent's gateway does.
pub fn signature_ok(headers: &[(String, String)], body: &[u8]) -> bool {
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let (Some(authorization), Some(timestamp), Some(host), Some(content_type)) =
        (header("Authorization"), header("X-TC-Timestamp"), header("Host"), header("Content-Type"))
    else {
        return false;
    };
    let Ok(timestamp) = timestamp.parse::<i64>() else { return false };
    let Some(date) = tencent_sign::utc_date(timestamp) else { return false };
    let expected_prefix = format!("TC3-HMAC-SHA256 Credential={SECRET_ID}/{date}/faceid/tc3_request, ");
    let Some(rest) = authorization.strip_prefix(&expected_prefix) else { return false };
    let input = SigningInput { service: "faceid", host: &host, content_type: &content_type, payload: body, timestamp };
    let expected =
        format!("SignedHeaders=content-type;host, Signature={}", tencent_sign::signature(&input, &date, SECRET_KEY));
    rest == expected
}

fn person(api: &Api, name: &str, id_number: &str, mobile: &str) -> String {
    let created = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": name, "idType": "resident_id", "idNumber": id_number, "mobile": mobile}),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

fn verify(api: &Api, account: &str, body: Value) -> crate::support::Reply {
    api.post(&format!("/v1/accounts/{account}/verifications"), &body)
}

/// The micro-deposit amount the development outbox recorded for a check.
pub fn deposit_amount(api: &Api, reference: &str) -> u64 {
    let outbox = std::fs::read_to_string(api.data_path().join("outbox.jsonl")).unwrap();
    outbox
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["purpose"]["reference"] == reference)
        .and_then(|l| l["purpose"]["amountFen"].as_u64())
        .expect("deposit line in the outbox")
}

fn checks_and_status(backend: Backend) {
    let faceid = FaceIdStandIn::start();
    let api = Api::start_with(
        backend,
        &[("SIGNET_VERIFICATION_PROVIDER", &faceid.setting(SECRET_KEY)), ("SIGNET_LOG", "debug")],
    );
    let zhang = person(&api, "张三", "11010519491231002X", "13800138000");

    let fresh = api.get(&format!("/v1/accounts/{zhang}/verifications"));
    assert_eq!((fresh.body["status"].as_str(), fresh.body["level"].as_str()), (Some("unverified"), Some("none")));

    // Two elements that match the source: verified, basic.
    let two = verify(&api, &zhang, json!({"kind": "person_two_element"}));
    assert_eq!(two.status, 201, "{:?}", two.body);
    assert_eq!(two.body["outcome"], "match");
    assert_eq!(two.body["provider"], "tencent");
    assert_eq!(two.body["providerRef"], "req-IdCardVerification");
    // Carrier three elements with the account's own mobile: standard.
    let three = verify(&api, &zhang, json!({"kind": "carrier_three_element"}));
    assert_eq!(three.body["outcome"], "match", "{:?}", three.body);
    assert_eq!(three.body["inputs"]["mobile"], "138****8000");
    // A bank card that is not this person's: a mismatch, recorded, the level stays.
    let card = verify(&api, &zhang, json!({"kind": "bank_card_four_element", "bankCard": "6222600260009999999"}));
    assert_eq!(card.status, 201, "{:?}", card.body);
    assert_eq!(card.body["outcome"], "mismatch");
    assert_eq!(card.body["reason"], "认证未通过");
    assert_eq!(card.body["inputs"]["bankCard"], "****9999");
    let status = api.get(&format!("/v1/accounts/{zhang}/verifications"));
    assert_eq!((status.body["status"].as_str(), status.body["level"].as_str()), (Some("verified"), Some("standard")));
    assert_eq!(status.body["checks"].as_array().unwrap().len(), 3);
    // The right card: strong.
    let card = verify(&api, &zhang, json!({"kind": "bank_card_four_element", "bankCard": "6222 6002 6000 1072 444"}));
    assert_eq!(card.body["outcome"], "match", "{:?}", card.body);
    assert_eq!(api.get(&format!("/v1/accounts/{zhang}/verifications")).body["level"], "strong");

    // A person whose recorded name does not match the ID number: failed.
    let wrong = person(&api, "李四", "440106198001011230", "13900139000");
    assert_eq!(verify(&api, &wrong, json!({"kind": "person_two_element"})).body["outcome"], "mismatch");
    assert_eq!(api.get(&format!("/v1/accounts/{wrong}/verifications")).body["status"], "failed");

    // Every request reached the stand-in correctly signed, with the documented actions.
    let calls = faceid.calls();
    assert!(calls.iter().all(|(_, ok)| *ok), "{calls:?}");
    let actions: Vec<&str> = calls.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "IdCardVerification",
            "PhoneVerification",
            "BankCard4EVerification",
            "BankCard4EVerification",
            "IdCardVerification"
        ]
    );

    // The audit trail records each check, without the identity data.
    let audit = api.get(&format!("/v1/accounts/{zhang}/audit"));
    let text = audit.body.to_string();
    let checked =
        audit.body["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "verification.checked").count();
    assert_eq!(checked, 4, "{text}");
    assert_eq!(audit.body["intact"], true);
    for secret in ["11010519491231002X", "6222600260001072444", "13800138000"] {
        assert!(!text.contains(secret), "audit leaks {secret}");
    }

    // Bad input and another app's account.
    assert_eq!(verify(&api, &zhang, json!({"kind": "iris_scan"})).status, 400);
    assert_eq!(verify(&api, &zhang, json!({"kind": "bank_card_four_element"})).status, 400);
    assert_eq!(verify(&api, &zhang, json!({"kind": "bank_card_four_element", "bankCard": "12ab"})).status, 400);
    assert_eq!(verify(&api, &zhang, json!({"kind": "enterprise_three_element", "legalRepName": "x"})).status, 400);
    let other = api.other_app_token();
    let path = format!("/v1/accounts/{zhang}/verifications");
    assert_eq!(api.as_token(reqwest::Method::GET, &path, Some(&other)).status, 404);
    let foreign = api.as_token_with(reqwest::Method::POST, &path, Some(&other), &json!({"kind": "person_two_element"}));
    assert_eq!(foreign.status, 404);

    // An organisation: FaceID has no enterprise checks (409, said so), micro-deposit does.
    let org = api.post(
        "/v1/accounts",
        &json!({"type": "org", "name": "杭州测试科技有限公司", "idType": "uscc", "idNumber": "12100000400009880K"}),
    );
    assert_eq!(org.status, 201, "{:?}", org.body);
    let org = org.body["id"].as_str().unwrap().to_owned();
    let unsupported = verify(&api, &org, json!({"kind": "enterprise_three_element", "legalRepName": "张三"}));
    assert_eq!(unsupported.status, 409, "{:?}", unsupported.body);
    assert!(unsupported.body.to_string().contains("enterprise_three_element"), "{:?}", unsupported.body);
    let deposit = verify(
        &api,
        &org,
        json!({"kind": "micro_deposit", "bankName": "招商银行杭州分行", "bankAccount": "5719 0123 4567 890"}),
    );
    assert_eq!(deposit.status, 201, "{:?}", deposit.body);
    assert_eq!(deposit.body["outcome"], "pending");
    assert_eq!(deposit.body["inputs"]["bankAccount"], "****7890");
    let check = deposit.body["id"].as_str().unwrap().to_owned();
    assert_eq!(api.get(&format!("/v1/accounts/{org}/verifications")).body["status"], "pending");
    let amount = deposit_amount(&api, &check);
    let wrong_amount = if amount == 1 { 2 } else { amount - 1 };
    let confirm = |fen: u64| {
        api.post(
            &format!("/v1/accounts/{org}/verifications/{check}/confirm"),
            &json!({"amount": format!("{}.{:02}", fen / 100, fen % 100)}),
        )
    };
    let missed = confirm(wrong_amount);
    assert_eq!((missed.body["outcome"].as_str(), missed.body["attempts"].as_i64()), (Some("pending"), Some(1)));
    let hit = confirm(amount);
    assert_eq!(hit.body["outcome"], "match", "{:?}", hit.body);
    assert_eq!(confirm(amount).status, 409, "answered once");
    // The server's debug log has the checks but none of the identity data sent to FaceID.
    let log = std::fs::read_to_string(&api.server.stderr_path).unwrap();
    assert!(log.contains("faceid answered"), "the log is the server's debug log");
    for secret in ["11010519491231002X", "6222600260001072444", "6222600260009999999", "13800138000", "571901234567890"]
    {
        assert!(!log.contains(secret), "the log leaks {secret}");
    }
    let org_status = api.get(&format!("/v1/accounts/{org}/verifications"));
    assert_eq!(
        (org_status.body["status"].as_str(), org_status.body["level"].as_str()),
        (Some("verified"), Some("strong"))
    );
}

#[test]
fn faceid_checks_set_status_and_level_on_sqlite_and_disk() {
    checks_and_status(Backend::Embedded);
}

#[test]
fn faceid_checks_set_status_and_level_on_postgres_and_s3() {
    checks_and_status(Backend::PostgresS3);
}

#[test]
fn a_badly_signed_request_is_refused_by_the_provider_and_records_nothing() {
    let faceid = FaceIdStandIn::start();
    // The deployment holds the wrong SecretKey: the stand-in's signature check fails.
    let api = Api::start_with(Backend::Embedded, &[("SIGNET_VERIFICATION_PROVIDER", &faceid.setting("not-the-key"))]);
    let zhang = person(&api, "张三", "11010519491231002X", "13800138000");
    let refused = verify(&api, &zhang, json!({"kind": "person_two_element"}));
    assert_eq!(refused.status, 503, "{:?}", refused.body);
    assert!(refused.body["message"].as_str().unwrap().contains("AuthFailure.SignatureFailure"), "{:?}", refused.body);
    assert_eq!(faceid.calls(), [("IdCardVerification".to_owned(), false)]);
    let status = api.get(&format!("/v1/accounts/{zhang}/verifications"));
    assert_eq!(status.body["status"], "unverified");
    assert_eq!(status.body["checks"].as_array().unwrap().len(), 0);
}

#[test]
fn without_a_provider_checks_are_refused_as_unsupported() {
    let api = Api::start(Backend::Embedded);
    let zhang = person(&api, "张三", "11010519491231002X", "13800138000");
    let refused = verify(&api, &zhang, json!({"kind": "person_two_element"}));
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert!(refused.body["message"].as_str().unwrap().contains("none does not offer"), "{:?}", refused.body);
    let openapi = api.get("/openapi.json");
    assert!(openapi.body["paths"]["/v1/accounts/{id}/verifications"]["post"].is_object());
    assert!(openapi.body["paths"]["/v1/accounts/{id}/verifications/{verification}/confirm"]["post"].is_object());
}
