//! Tencent Cloud SMS `SendSms` (API 3.0) against a local stand-in that verifies
//! TC3-HMAC-SHA256 from the headers it actually received, as the vendor documents it.

use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Json;
use axum::routing::post;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use signet_core::notify::{MessageSender, OutgoingMessage, Purpose};
use signet_notify::{NotifyError, ProviderConfig, TencentConfig, TencentSms};

use crate::{code_sms, standin};

const SECRET_ID: &str = "AKIDtestSecretId0123456789";
const SECRET_KEY: &str = "testSecretKey0123456789abcdefgh";
const APP_ID: &str = "1400006666";
/// The stand-in answers this number with a per-number failure in SendStatusSet.
const LIMITED_NUMBER: &str = "+8613900000000";

type Shared = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

fn hmac256(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Recomputes the signature of a received request, following "Signature v3" step by step,
/// with the headers named in SignedHeaders taken from the request as received.
fn verify(headers: &HeaderMap, body: &[u8], secret_key: &str) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let authorization = header("authorization").ok_or("no Authorization")?;
    let rest = authorization.strip_prefix("TC3-HMAC-SHA256 ").ok_or("not TC3-HMAC-SHA256")?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(", ") {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v.to_string()),
            Some(("SignedHeaders", v)) => signed_headers = Some(v.to_string()),
            Some(("Signature", v)) => signature = Some(v.to_string()),
            _ => return Err("malformed Authorization"),
        }
    }
    let (credential, signed_headers, signature) = (
        credential.ok_or("no Credential")?,
        signed_headers.ok_or("no SignedHeaders")?,
        signature.ok_or("no Signature")?,
    );
    let mut scope = credential.splitn(4, '/');
    let (id, date, service, terminator) = (scope.next(), scope.next(), scope.next(), scope.next());
    if id != Some(SECRET_ID) {
        return Err("unknown SecretId");
    }
    if service != Some("sms") || terminator != Some("tc3_request") {
        return Err("bad credential scope");
    }
    let date = date.ok_or("no date")?;
    let timestamp: i64 = header("x-tc-timestamp").ok_or("no X-TC-Timestamp")?.parse().map_err(|_| "bad timestamp")?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if (now - timestamp).abs() > 300 {
        return Err("timestamp expired");
    }
    let ts_date = time::OffsetDateTime::from_unix_timestamp(timestamp).map_err(|_| "bad timestamp")?.date();
    if date != ts_date.to_string() {
        return Err("credential date does not match timestamp");
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    if !names.contains(&"content-type") || !names.contains(&"host") {
        return Err("content-type and host must be signed");
    }
    let mut canonical_headers = String::new();
    for name in &names {
        let value = header(name).ok_or("signed header missing")?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim().to_lowercase()));
    }
    let canonical_request =
        format!("POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}", hex::encode(Sha256::digest(body)));
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let secret_date = hmac256(format!("TC3{secret_key}").as_bytes(), date);
    let secret_service = hmac256(&secret_date, "sms");
    let secret_signing = hmac256(&secret_service, "tc3_request");
    if hex::encode(hmac256(&secret_signing, &string_to_sign)) != signature {
        return Err("signature mismatch");
    }
    Ok(())
}

fn error(code: &str, message: &str) -> Json<Value> {
    Json(
        json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": uuid::Uuid::new_v4().to_string()}}),
    )
}

async fn api(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Json<Value> {
    if let Err(reason) = verify(&headers, &body, SECRET_KEY) {
        return match reason {
            "unknown SecretId" => error("AuthFailure.SecretIdNotFound", "The SecretId is not found."),
            "timestamp expired" => error("AuthFailure.SignatureExpire", "Signature expired."),
            _ => error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. Please check your signature is correct.",
            ),
        };
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if header("x-tc-action") != "SendSms" || header("x-tc-version") != "2021-01-11" {
        return error("InvalidAction", "The action is not supported in this version.");
    }
    if header("x-tc-region").is_empty() {
        return error("MissingParameter", "X-TC-Region is required.");
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error("InvalidParameter", "body is not JSON");
    };
    if request["SmsSdkAppId"] != APP_ID {
        return error("FailedOperation.SmsSdkAppIdVerifyFail", "SdkAppId verification failed.");
    }
    let Some(numbers) = request["PhoneNumberSet"].as_array() else {
        return error("MissingParameter", "PhoneNumberSet is required.");
    };
    let statuses: Vec<Value> = numbers
        .iter()
        .map(|n| {
            let number = n.as_str().unwrap_or("");
            if number == LIMITED_NUMBER {
                json!({"SerialNo": "", "PhoneNumber": number, "Fee": 0, "SessionContext": "",
                       "Code": "LimitExceeded.PhoneNumberDailyLimit",
                       "Message": "the number of SMS messages sent from a single mobile number every day exceeds the upper limit",
                       "IsoCode": "CN"})
            } else if !number.starts_with('+') {
                json!({"SerialNo": "", "PhoneNumber": number, "Fee": 0, "SessionContext": "",
                       "Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "incorrect number format", "IsoCode": ""})
            } else {
                json!({"SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": number, "Fee": 1,
                       "SessionContext": "", "Code": "Ok", "Message": "send success", "IsoCode": "CN"})
            }
        })
        .collect();
    state.lock().unwrap().push((headers.clone(), request));
    Json(json!({"Response": {"SendStatusSet": statuses, "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279"}}))
}

async fn start() -> (String, Shared) {
    let state = Shared::default();
    let router = Router::new().route("/", post(api)).with_state(state.clone());
    let addr = standin::serve(router).await;
    (format!("http://{addr}"), state)
}

fn sender(endpoint: &str, secret_key: &str) -> TencentSms {
    let mut config = TencentConfig::new(SECRET_ID, secret_key, APP_ID, "腾讯云", "1110");
    config.link_template = Some("2220".into());
    config.endpoint = endpoint.parse().unwrap();
    TencentSms::new(config).unwrap()
}

#[tokio::test]
async fn sends_a_verification_code_from_the_settings_url() {
    let (endpoint, state) = start().await;
    let setting = format!(
        "tencent://{SECRET_ID}:{SECRET_KEY}@sms.tencentcloudapi.com?app_id={APP_ID}&sign_name=%E8%85%BE%E8%AE%AF%E4%BA%91&template=1110&region=ap-guangzhou&endpoint={endpoint}"
    );
    let sender = ProviderConfig::parse(&setting).unwrap().build(Path::new("/nonexistent")).unwrap();
    sender.send(&code_sms("13800138000", "482913")).await.unwrap();

    let recorded = state.lock().unwrap();
    assert_eq!(recorded.len(), 1);
    let (headers, body) = &recorded[0];
    assert_eq!(headers["x-tc-action"], "SendSms");
    assert_eq!(headers["x-tc-version"], "2021-01-11");
    assert_eq!(headers["x-tc-region"], "ap-guangzhou");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(
        body,
        &json!({
            "PhoneNumberSet": ["+8613800138000"],
            "SmsSdkAppId": APP_ID,
            "SignName": "腾讯云",
            "TemplateId": "1110",
            "TemplateParamSet": ["482913", "15"],
        })
    );
}

#[tokio::test]
async fn sends_a_signing_link_and_international_numbers() {
    let (endpoint, state) = start().await;
    let message = OutgoingMessage {
        purpose: Purpose::SigningLink {
            url: "https://sign.example.cn/s/Ab3".into(), flow_title: "采购合同".into()
        },
        ..code_sms("+85261234567", "")
    };
    let serial = sender(&endpoint, SECRET_KEY).send_sms(&message).await.unwrap();
    assert_eq!(serial, "5000:1045710669157053657849499619");
    let recorded = state.lock().unwrap();
    let body = &recorded[0].1;
    assert_eq!(body["PhoneNumberSet"], json!(["+85261234567"]));
    assert_eq!(body["TemplateId"], "2220");
    assert_eq!(body["TemplateParamSet"], json!(["采购合同", "https://sign.example.cn/s/Ab3"]));
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_by_the_signature_check() {
    let (endpoint, state) = start().await;
    let err = sender(&endpoint, "wrong-key").send_sms(&code_sms("13800138000", "1")).await.unwrap_err();
    match err {
        NotifyError::Rejected { vendor, code, .. } => {
            assert_eq!(vendor, "tencent");
            assert_eq!(code, "AuthFailure.SignatureFailure");
        }
        other => panic!("unexpected error {other:?}"),
    }
    let port_err = sender(&endpoint, "wrong-key").send(&code_sms("13800138000", "1")).await.unwrap_err();
    assert_eq!(port_err.code(), signet_core::ErrorCode::Internal);
    assert!(state.lock().unwrap().is_empty());
}

#[tokio::test]
async fn per_number_failures_and_api_errors_become_errors() {
    let (endpoint, _state) = start().await;
    let err = sender(&endpoint, SECRET_KEY).send_sms(&code_sms("13900000000", "1")).await.unwrap_err();
    assert!(
        matches!(err, NotifyError::Rejected { ref code, .. } if code == "LimitExceeded.PhoneNumberDailyLimit"),
        "{err:?}"
    );
    let mut config = TencentConfig::new(SECRET_ID, SECRET_KEY, "1400000000", "腾讯云", "1110");
    config.endpoint = endpoint.parse().unwrap();
    let err = TencentSms::new(config).unwrap().send_sms(&code_sms("13800138000", "1")).await.unwrap_err();
    assert!(
        matches!(err, NotifyError::Rejected { ref code, .. } if code == "FailedOperation.SmsSdkAppIdVerifyFail"),
        "{err:?}"
    );
}

/// The stand-in's verifier reproduces the vendor's published example, so it checks
/// Tencent's algorithm and not merely agreement with the crate. Example from "Signature v3",
/// <https://www.tencentcloud.com/document/product/382/40467>.
#[test]
fn stand_in_verifier_matches_the_vendor_example() {
    let payload = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    let canonical_request = format!(
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n{}",
        hex::encode(Sha256::digest(payload.as_bytes()))
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let k = hmac256(&hmac256(&hmac256(b"TC3Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "2019-02-25"), "cvm"), "tc3_request");
    assert_eq!(
        hex::encode(hmac256(&k, &string_to_sign)),
        "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    );
}
