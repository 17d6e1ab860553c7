//! Tencent Cloud SMS `SendSms`, API 3.0 version 2021-01-11.
//!
//! A JSON POST to `/` with the headers `X-TC-Action: SendSms`, `X-TC-Version: 2021-01-11`,
//! `X-TC-Timestamp`, `X-TC-Region` and a TC3-HMAC-SHA256 `Authorization`
//! ([`crate::tencent_sign`]); body `{PhoneNumberSet, SmsSdkAppId, SignName, TemplateId,
//! TemplateParamSet}`. Failures come back as HTTP 200 with `Response.Error`, or per number as
//! a `SendStatusSet` entry whose `Code` is not `Ok`.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use signet_core::notify::{Channel, MessageSender, OutgoingMessage, Purpose};
use time::OffsetDateTime;
use url::Url;

use crate::phone::Mobile;
use crate::tencent_sign::{self, SigningInput};
use crate::{NotifyError, Secret};

const VENDOR: &str = "tencent";
pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com/";
pub const DEFAULT_REGION: &str = "ap-guangzhou";
const SERVICE: &str = "sms";
const API_VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Credentials, SMS application, sign name and templates for Tencent Cloud SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentConfig {
    pub secret_id: String,
    pub secret_key: Secret,
    /// `SmsSdkAppId`, e.g. `1400006666`.
    pub sdk_app_id: String,
    /// The approved 签名, without brackets.
    pub sign_name: String,
    /// Template for verification codes; receives `[code, minutes]`.
    pub code_template: String,
    /// Template for signing links; receives `[title, url]`.
    pub link_template: Option<String>,
    /// Template for signed-copy notices, parameters `{1}` title and `{2}` url.
    pub signed_template: Option<String>,
    pub region: String,
    /// Where requests go (`https://sms.tencentcloudapi.com/` unless overridden).
    pub endpoint: Url,
    pub timeout: Duration,
}

impl TencentConfig {
    /// A configuration with the default endpoint, region and timeout.
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<Secret>,
        sdk_app_id: impl Into<String>,
        sign_name: impl Into<String>,
        code_template: impl Into<String>,
    ) -> Self {
        Self {
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            sdk_app_id: sdk_app_id.into(),
            sign_name: sign_name.into(),
            code_template: code_template.into(),
            link_template: None,
            signed_template: None,
            region: DEFAULT_REGION.into(),
            // A constant that parses.
            endpoint: Url::parse(DEFAULT_ENDPOINT).expect("default endpoint is a URL"),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Sends SMS through Tencent Cloud SMS.
#[derive(Debug, Clone)]
pub struct TencentSms {
    config: TencentConfig,
    http: reqwest::Client,
}

/// A request ready to go: body and headers.
#[derive(Debug)]
struct SignedRequest {
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl TencentSms {
    pub fn new(config: TencentConfig) -> Result<Self, NotifyError> {
        if config.endpoint.host_str().is_none() {
            return Err(NotifyError::Config("tencent endpoint has no host".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| NotifyError::Config(format!("http client: {e}")))?;
        Ok(Self { config, http })
    }

    /// Sends one SMS and returns Tencent's `SerialNo` for it.
    pub async fn send_sms(&self, message: &OutgoingMessage) -> Result<String, NotifyError> {
        let request = self.signed_request(message, OffsetDateTime::now_utc().unix_timestamp())?;
        let mut builder = self.http.post(self.config.endpoint.clone()).body(request.body);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        let response = builder.send().await.map_err(|e| transport(format!("{e}")))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| transport(format!("{e}")))?;
        let answer: Envelope =
            serde_json::from_slice(&body).map_err(|_| transport(format!("unreadable answer (HTTP {status})")))?;
        let answer = answer.response;
        if let Some(error) = answer.error {
            return Err(NotifyError::Rejected { vendor: VENDOR, code: error.code, message: error.message });
        }
        let Some(first) = answer.send_status_set.into_iter().next() else {
            return Err(transport("answer without SendStatusSet".into()));
        };
        if first.code != "Ok" {
            return Err(NotifyError::Rejected { vendor: VENDOR, code: first.code, message: first.message });
        }
        tracing::debug!(request_id = ?answer.request_id, serial_no = ?first.serial_no, "tencent accepted sms");
        Ok(first.serial_no.unwrap_or_default())
    }

    fn signed_request(&self, message: &OutgoingMessage, timestamp: i64) -> Result<SignedRequest, NotifyError> {
        if message.channel != Channel::Sms {
            return Err(NotifyError::Unsupported("tencent sends SMS only".into()));
        }
        let phone = Mobile::parse(&message.recipient)?.e164();
        let (template, params) = match &message.purpose {
            Purpose::VerificationCode { code, valid_minutes } => {
                (&self.config.code_template, vec![code.clone(), valid_minutes.to_string()])
            }
            Purpose::SigningLink { url, flow_title } => {
                let template = self.config.link_template.as_ref().ok_or_else(|| {
                    NotifyError::Unsupported("no tencent template configured for signing links".into())
                })?;
                (template, vec![flow_title.clone(), url.clone()])
            }
            Purpose::SignedCopy { url, flow_title } => {
                let template = self.config.signed_template.as_ref().ok_or_else(|| {
                    NotifyError::Unsupported("no tencent template configured for signed-copy notices".into())
                })?;
                (template, vec![flow_title.clone(), url.clone()])
            }
        };
        let body = serde_json::to_vec(&json!({
            "PhoneNumberSet": [phone],
            "SmsSdkAppId": self.config.sdk_app_id,
            "SignName": self.config.sign_name,
            "TemplateId": template,
            "TemplateParamSet": params,
        }))
        .map_err(|e| transport(format!("request body: {e}")))?;
        let host = host_header(&self.config.endpoint)?;
        let input =
            SigningInput { service: SERVICE, host: &host, content_type: CONTENT_TYPE, payload: &body, timestamp };
        let authorization =
            tencent_sign::authorization(&input, &self.config.secret_id, self.config.secret_key.expose())
                .ok_or_else(|| transport("clock outside the calendar".into()))?;
        let headers = vec![
            ("Authorization", authorization),
            ("Content-Type", CONTENT_TYPE.to_string()),
            ("X-TC-Action", "SendSms".to_string()),
            ("X-TC-Version", API_VERSION.to_string()),
            ("X-TC-Timestamp", timestamp.to_string()),
            ("X-TC-Region", self.config.region.clone()),
        ];
        Ok(SignedRequest { body, headers })
    }
}

#[async_trait]
impl MessageSender for TencentSms {
    async fn send(&self, message: &OutgoingMessage) -> signet_core::Result<()> {
        self.send_sms(message).await?;
        Ok(())
    }
}

/// The `Host` header the HTTP client will send for this URL.
fn host_header(endpoint: &Url) -> Result<String, NotifyError> {
    let host = endpoint.host_str().ok_or_else(|| NotifyError::Config("tencent endpoint has no host".into()))?;
    Ok(match endpoint.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

fn transport(reason: String) -> NotifyError {
    NotifyError::Transport { vendor: VENDOR, reason }
}

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Answer,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    error: Option<ApiError>,
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
    request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    code: String,
    #[serde(default)]
    message: String,
    serial_no: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender(endpoint: &str) -> TencentSms {
        let mut config = TencentConfig::new("AKIDtest", "secret", "1400006666", "腾讯云", "1234");
        config.endpoint = Url::parse(endpoint).unwrap();
        TencentSms::new(config).unwrap()
    }

    fn code_message() -> OutgoingMessage {
        OutgoingMessage {
            channel: Channel::Sms,
            recipient: "13800138000".into(),
            purpose: Purpose::VerificationCode { code: "654321".into(), valid_minutes: 15 },
            text: "code".into(),
        }
    }

    #[test]
    fn body_and_headers() {
        let request = sender("https://sms.tencentcloudapi.com").signed_request(&code_message(), 1_551_113_065).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["PhoneNumberSet"], json!(["+8613800138000"]));
        assert_eq!(body["SmsSdkAppId"], "1400006666");
        assert_eq!(body["TemplateId"], "1234");
        assert_eq!(body["TemplateParamSet"], json!(["654321", "15"]));
        let header = |name: &str| request.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(header("X-TC-Version"), "2021-01-11");
        assert_eq!(header("X-TC-Timestamp"), "1551113065");
        let input = SigningInput {
            service: "sms",
            host: "sms.tencentcloudapi.com",
            content_type: CONTENT_TYPE,
            payload: &request.body,
            timestamp: 1_551_113_065,
        };
        assert_eq!(header("Authorization"), tencent_sign::authorization(&input, "AKIDtest", "secret").unwrap());
    }

    #[test]
    fn host_header_keeps_explicit_ports() {
        assert_eq!(host_header(&Url::parse("http://127.0.0.1:8080/").unwrap()).unwrap(), "127.0.0.1:8080");
        assert_eq!(
            host_header(&Url::parse("https://sms.tencentcloudapi.com:443/").unwrap()).unwrap(),
            "sms.tencentcloudapi.com"
        );
    }
}
