//! Aliyun Dysms `SendSms` against a local stand-in that checks the RPC signature the way the
//! vendor documents it and answers in the vendor's shapes.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json};
use axum::routing::post;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use signet_core::notify::{MessageSender, OutgoingMessage, Purpose};
use signet_notify::{AliyunConfig, AliyunSms, NotifyError, ProviderConfig};

use crate::{code_sms, standin};

const KEY_ID: &str = "LTAI5tTestKeyId";
const KEY_SECRET: &str = "TestSecret+/=0123456789abcdef";
const SIGN_NAME: &str = "签署平台";
/// The stand-in answers this number with a business error, like a rate-limited number.
const LIMITED_NUMBER: &str = "13900000000";

#[derive(Default)]
struct Dysms {
    accepted: Vec<BTreeMap<String, String>>,
    nonces: HashSet<String>,
}

type Shared = Arc<Mutex<Dysms>>;

/// RFC 3986 encoding as the signature mechanism page describes it, written independently of
/// the crate: unreserved characters stay, every other UTF-8 byte becomes %XX (upper case).
fn pop_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn expected_signature(method: &str, params: &BTreeMap<String, String>, secret: &str) -> String {
    let mut encoded: Vec<String> = params
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| format!("{}={}", pop_encode(k), pop_encode(v)))
        .collect();
    encoded.sort();
    let to_sign = format!("{method}&{}&{}", pop_encode("/"), pop_encode(&encoded.join("&")));
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn error(status: StatusCode, code: &str, message: &str) -> axum::response::Response {
    let body = json!({
        "RequestId": uuid::Uuid::new_v4().to_string(),
        "HostId": "dysmsapi.aliyuncs.com",
        "Code": code,
        "Message": message,
    });
    (status, Json(body)).into_response()
}

async fn send_sms(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> axum::response::Response {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return error(StatusCode::BAD_REQUEST, "InvalidParameter", "form body expected");
    }
    let mut params = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        params.insert(k.into_owned(), v.into_owned());
    }
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    for required in [
        "AccessKeyId",
        "Action",
        "SignatureMethod",
        "SignatureNonce",
        "SignatureVersion",
        "Timestamp",
        "Version",
        "Signature",
    ] {
        if !params.contains_key(required) {
            return error(
                StatusCode::BAD_REQUEST,
                "MissingParameter",
                &format!("{required} is mandatory for this action."),
            );
        }
    }
    if get("AccessKeyId") != KEY_ID {
        return error(StatusCode::NOT_FOUND, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
    }
    if get("SignatureMethod") != "HMAC-SHA1" || get("SignatureVersion") != "1.0" {
        return error(StatusCode::BAD_REQUEST, "InvalidParameter", "unsupported signature method");
    }
    if get("Signature") != expected_signature("POST", &params, KEY_SECRET) {
        return error(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        );
    }
    let Ok(timestamp) = time::OffsetDateTime::parse(&get("Timestamp"), &time::format_description::well_known::Rfc3339)
    else {
        return error(StatusCode::BAD_REQUEST, "InvalidTimeStamp.Format", "Specified time stamp is not valid.");
    };
    if (time::OffsetDateTime::now_utc() - timestamp).abs() > time::Duration::minutes(15) {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        );
    }
    let mut state = state.lock().unwrap();
    if !state.nonces.insert(get("SignatureNonce")) {
        return error(StatusCode::BAD_REQUEST, "SignatureNonceUsed", "Specified signature nonce was used already.");
    }
    if get("Action") != "SendSms" || get("Version") != "2017-05-25" {
        return error(StatusCode::NOT_FOUND, "InvalidAction.NotFound", "Specified api is not found.");
    }
    // Business errors come back with HTTP 200, as Dysms does.
    if get("SignName") != SIGN_NAME {
        return error(StatusCode::OK, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名");
    }
    if serde_json::from_str::<Value>(&get("TemplateParam")).is_err() {
        return error(StatusCode::OK, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值");
    }
    if get("PhoneNumbers") == LIMITED_NUMBER {
        return error(StatusCode::OK, "isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:10");
    }
    state.accepted.push(params);
    Json(json!({
        "Code": "OK",
        "Message": "OK",
        "BizId": "9006197469364984400^0",
        "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990",
    }))
    .into_response()
}

async fn start() -> (String, Shared) {
    let state = Shared::default();
    let router = Router::new().route("/", post(send_sms)).with_state(state.clone());
    let addr = standin::serve(router).await;
    (format!("http://{addr}"), state)
}

fn sender(endpoint: &str, secret: &str) -> AliyunSms {
    let mut config = AliyunConfig::new(KEY_ID, secret, SIGN_NAME, "SMS_123456789");
    config.link_template = Some("SMS_987654321".into());
    config.endpoint = endpoint.parse().unwrap();
    AliyunSms::new(config).unwrap()
}

#[tokio::test]
async fn sends_a_verification_code_from_the_settings_url() {
    let (endpoint, state) = start().await;
    let setting = format!(
        "aliyun://{KEY_ID}:{}@dysmsapi.aliyuncs.com?sign_name={}&template=SMS_123456789&endpoint={endpoint}",
        pop_encode(KEY_SECRET),
        pop_encode(SIGN_NAME),
    );
    let sender = ProviderConfig::parse(&setting).unwrap().build(Path::new("/nonexistent")).unwrap();
    sender.send(&code_sms("13800138000", "482913")).await.unwrap();
    sender.send(&code_sms("+85261234567", "000111")).await.unwrap();

    let state = state.lock().unwrap();
    assert_eq!(state.accepted.len(), 2);
    let first = &state.accepted[0];
    assert_eq!(first["Action"], "SendSms");
    assert_eq!(first["Version"], "2017-05-25");
    assert_eq!(first["Format"], "JSON");
    assert_eq!(first["RegionId"], "cn-hangzhou");
    assert_eq!(first["PhoneNumbers"], "13800138000");
    assert_eq!(first["SignName"], SIGN_NAME);
    assert_eq!(first["TemplateCode"], "SMS_123456789");
    let param: Value = serde_json::from_str(&first["TemplateParam"]).unwrap();
    assert_eq!(param, json!({"code": "482913"}));
    assert_eq!(state.accepted[1]["PhoneNumbers"], "85261234567");
    assert_ne!(first["SignatureNonce"], state.accepted[1]["SignatureNonce"]);
}

#[tokio::test]
async fn sends_a_signing_link_with_its_own_template() {
    let (endpoint, state) = start().await;
    let message = OutgoingMessage {
        purpose: Purpose::SigningLink {
            url: "https://sign.example.cn/s/Ab3".into(), flow_title: "劳动合同".into()
        },
        ..code_sms("13800138000", "")
    };
    let biz_id = sender(&endpoint, KEY_SECRET).send_sms(&message).await.unwrap();
    assert_eq!(biz_id, "9006197469364984400^0");
    let state = state.lock().unwrap();
    assert_eq!(state.accepted[0]["TemplateCode"], "SMS_987654321");
    let param: Value = serde_json::from_str(&state.accepted[0]["TemplateParam"]).unwrap();
    assert_eq!(param, json!({"title": "劳动合同", "url": "https://sign.example.cn/s/Ab3"}));
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_by_the_signature_check() {
    let (endpoint, state) = start().await;
    let err = sender(&endpoint, "not-the-secret").send_sms(&code_sms("13800138000", "1")).await.unwrap_err();
    match err {
        NotifyError::Rejected { vendor, code, .. } => {
            assert_eq!(vendor, "aliyun");
            assert_eq!(code, "SignatureDoesNotMatch");
        }
        other => panic!("unexpected error {other:?}"),
    }
    // Through the port the failure is an internal (not caller-facing) error.
    let port_err = sender(&endpoint, "not-the-secret").send(&code_sms("13800138000", "1")).await.unwrap_err();
    assert_eq!(port_err.code(), signet_core::ErrorCode::Internal);
    assert!(state.lock().unwrap().accepted.is_empty());
}

#[tokio::test]
async fn vendor_business_errors_become_errors() {
    let (endpoint, state) = start().await;
    let err = sender(&endpoint, KEY_SECRET).send_sms(&code_sms(LIMITED_NUMBER, "1")).await.unwrap_err();
    match err {
        NotifyError::Rejected { code, message, .. } => {
            assert_eq!(code, "isv.BUSINESS_LIMIT_CONTROL");
            assert!(message.contains("流控"), "{message}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    let mut config = AliyunConfig::new(KEY_ID, KEY_SECRET, "别的签名", "SMS_1");
    config.endpoint = endpoint.parse().unwrap();
    let err = AliyunSms::new(config).unwrap().send_sms(&code_sms("13800138000", "1")).await.unwrap_err();
    assert!(matches!(err, NotifyError::Rejected { ref code, .. } if code == "isv.SMS_SIGNATURE_ILLEGAL"), "{err:?}");
    assert!(state.lock().unwrap().accepted.is_empty());
}

#[tokio::test]
async fn bad_numbers_and_unreachable_endpoints() {
    let (endpoint, state) = start().await;
    let err = sender(&endpoint, KEY_SECRET).send(&code_sms("12345", "1")).await.unwrap_err();
    assert_eq!(err.code(), signet_core::ErrorCode::InvalidInput);
    assert!(state.lock().unwrap().accepted.is_empty());

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = sender(&format!("http://127.0.0.1:{port}"), KEY_SECRET)
        .send_sms(&code_sms("13800138000", "1"))
        .await
        .unwrap_err();
    assert!(matches!(err, NotifyError::Transport { vendor: "aliyun", .. }), "{err:?}");
}

/// The stand-in's verifier reproduces the vendor's published example too, so it is checking
/// Aliyun's algorithm and not merely agreeing with the crate.
#[test]
fn stand_in_verifier_matches_the_vendor_example() {
    let params: BTreeMap<String, String> = [
        ("AccessKeyId", "testId"),
        ("Action", "SendSms"),
        ("Format", "XML"),
        ("OutId", "123"),
        ("PhoneNumbers", "15300000001"),
        ("RegionId", "cn-hangzhou"),
        ("SignName", "阿里云短信测试专用"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
        ("SignatureVersion", "1.0"),
        ("TemplateCode", "SMS_71390007"),
        ("TemplateParam", r#"{"customer":"test"}"#),
        ("Timestamp", "2017-07-12T02:42:19Z"),
        ("Version", "2017-05-25"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(expected_signature("GET", &params, "testSecret"), "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
}
