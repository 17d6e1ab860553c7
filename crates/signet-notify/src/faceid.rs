//! Tencent Cloud FaceID (人脸核身) element verification, API 3.0 version 2018-03-01.
//!
//! A JSON POST to `/` of `faceid.tencentcloudapi.com` with `X-TC-Action`, `X-TC-Version`,
//! `X-TC-Timestamp` and a TC3-HMAC-SHA256 `Authorization` ([`crate::tencent_sign`], service
//! `faceid`); the product needs no region. Actions used:
//!
//! | check | action | body | passed |
//! |---|---|---|---|
//! | two elements | `IdCardVerification` | `{IdCard, Name}` | `Result` `"0"` |
//! | carrier three elements | `PhoneVerification` | `{IdCard, Name, Phone}` | `Result` `"0"` |
//! | bank card four elements | `BankCard4EVerification` | `{Name, BankCard, Phone, IdCard, CertType: 0}` | `Result` `"0"` |
//!
//! Any other `Result` is a mismatch, except the codes each action documents as "not charged,
//! try later" (service busy, daily limit, source upgrading), which give no verdict. A refused
//! request comes back as HTTP 200 with `Response.Error {Code, Message}`. FaceID has no
//! enterprise checks and no payments: those kinds are reported as unsupported.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};
use signet_core::verification::{DepositOrder, IdentityCheck, ProviderError, ProviderVerdict, VerificationProvider};
use time::OffsetDateTime;
use url::Url;

use crate::Secret;
use crate::tencent_sign::{self, SigningInput};

pub const DEFAULT_ENDPOINT: &str = "https://faceid.tencentcloudapi.com/";
const SERVICE: &str = "faceid";
const API_VERSION: &str = "2018-03-01";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";
const NAME: &str = "tencent";

/// Credentials and endpoint of Tencent Cloud FaceID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceIdConfig {
    pub secret_id: String,
    pub secret_key: Secret,
    /// Where requests go (`https://faceid.tencentcloudapi.com/` unless overridden).
    pub endpoint: Url,
    pub timeout: Duration,
}

/// Runs element checks through Tencent Cloud FaceID.
#[derive(Debug, Clone)]
pub struct TencentFaceId {
    config: FaceIdConfig,
    http: reqwest::Client,
}

/// One action's request: its name, body and the result codes that give no verdict.
struct Call {
    action: &'static str,
    body: Value,
    no_verdict: &'static [&'static str],
}

impl TencentFaceId {
    pub fn new(config: FaceIdConfig) -> Result<Self, ProviderError> {
        if config.endpoint.host_str().is_none() {
            return Err(ProviderError::Unavailable("tencent faceid endpoint has no host".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| ProviderError::Unavailable(format!("http client: {e}")))?;
        Ok(Self { config, http })
    }

    /// The signed headers of a request with `body` at `timestamp`.
    pub fn headers(
        &self,
        action: &str,
        body: &[u8],
        timestamp: i64,
    ) -> Result<Vec<(&'static str, String)>, ProviderError> {
        let host = host_header(&self.config.endpoint)?;
        let input =
            SigningInput { service: SERVICE, host: &host, content_type: CONTENT_TYPE, payload: body, timestamp };
        let authorization =
            tencent_sign::authorization(&input, &self.config.secret_id, self.config.secret_key.expose())
                .ok_or_else(|| ProviderError::Unavailable("clock outside the calendar".into()))?;
        Ok(vec![
            ("Authorization", authorization),
            ("Content-Type", CONTENT_TYPE.to_owned()),
            ("X-TC-Action", action.to_owned()),
            ("X-TC-Version", API_VERSION.to_owned()),
            ("X-TC-Timestamp", timestamp.to_string()),
        ])
    }

    /// Sends one signed action and returns its `Response` object; a refusal
    /// (`Response.Error`) is [`ProviderError::Refused`]. Shared by the element checks and the
    /// H5 face verification ([`crate::face_h5`]).
    pub(crate) async fn request(&self, action: &str, body: &Value) -> Result<Value, ProviderError> {
        let body = serde_json::to_vec(body).map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        let headers = self.headers(action, &body, OffsetDateTime::now_utc().unix_timestamp())?;
        let mut request = self.http.post(self.config.endpoint.clone()).body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(|e| ProviderError::Unavailable(format!("tencent faceid: {e}")))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| ProviderError::Unavailable(format!("tencent faceid: {e}")))?;
        let mut envelope: Value = serde_json::from_slice(&bytes)
            .map_err(|_| ProviderError::Unavailable(format!("tencent faceid: unreadable answer (HTTP {status})")))?;
        let answer = envelope
            .get_mut("Response")
            .filter(|r| r.is_object())
            .map(Value::take)
            .ok_or_else(|| ProviderError::Unavailable(format!("tencent faceid: no Response (HTTP {status})")))?;
        if let Some(error) = answer.get("Error") {
            let error: ApiError = serde_json::from_value(error.clone())
                .map_err(|_| ProviderError::Unavailable("tencent faceid: unreadable Error".into()))?;
            return Err(ProviderError::Refused(format!("{}: {}", error.code, error.message)));
        }
        Ok(answer)
    }

    async fn call(&self, call: Call) -> Result<ProviderVerdict, ProviderError> {
        let answer = self.request(call.action, &call.body).await?;
        let answer: Answer = serde_json::from_value(answer)
            .map_err(|_| ProviderError::Unavailable("tencent faceid: unreadable answer".into()))?;
        let result = answer.result.ok_or_else(|| ProviderError::Unavailable("tencent faceid: no Result".into()))?;
        let description = answer.description.unwrap_or_default();
        if call.no_verdict.contains(&result.as_str()) {
            return Err(ProviderError::Unavailable(format!("tencent faceid {}: {result} {description}", call.action)));
        }
        tracing::debug!(action = call.action, result = %result, request_id = ?answer.request_id, "faceid answered");
        Ok(ProviderVerdict { matched: result == "0", description, reference: answer.request_id })
    }
}

#[async_trait]
impl VerificationProvider for TencentFaceId {
    fn name(&self) -> &str {
        NAME
    }

    async fn check(&self, check: &IdentityCheck) -> Result<ProviderVerdict, ProviderError> {
        let call = match check {
            IdentityCheck::PersonTwoElement { name, id_number } => Call {
                action: "IdCardVerification",
                body: json!({"IdCard": id_number, "Name": name}),
                // -4 source error, -6 source upgrading, -7 daily limit.
                no_verdict: &["-4", "-6", "-7"],
            },
            IdentityCheck::CarrierThreeElement { name, id_number, mobile } => Call {
                action: "PhoneVerification",
                body: json!({"IdCard": id_number, "Name": name, "Phone": mobile}),
                // -11 busy, -12 daily limit, -13 number range not supported.
                no_verdict: &["-11", "-12", "-13"],
            },
            IdentityCheck::BankCardFourElement { name, id_number, mobile, bank_card } => Call {
                action: "BankCard4EVerification",
                body: json!({"Name": name, "BankCard": bank_card, "Phone": mobile, "IdCard": id_number, "CertType": 0}),
                // -18 busy, -19 daily limit, -20 ID type not supported.
                no_verdict: &["-18", "-19", "-20"],
            },
            other => {
                return Err(ProviderError::Unsupported { provider: NAME.into(), kind: other.kind().as_str() });
            }
        };
        self.call(call).await
    }

    async fn send_deposit(&self, _order: &DepositOrder) -> Result<String, ProviderError> {
        Err(ProviderError::Unsupported { provider: NAME.into(), kind: "micro_deposit" })
    }
}

/// The `Host` header the HTTP client will send for this URL (signed, so it must match).
fn host_header(endpoint: &Url) -> Result<String, ProviderError> {
    let host = endpoint.host_str().ok_or_else(|| ProviderError::Unavailable("endpoint has no host".into()))?;
    Ok(match endpoint.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    result: Option<String>,
    description: Option<String>,
    request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    message: String,
}
