//! Aliyun (Alibaba Cloud) Dysms `SendSms`, API version 2017-05-25, RPC style.
//!
//! The request is a form-encoded POST of the common parameters (`AccessKeyId`, `Action`,
//! `Format=JSON`, `SignatureMethod`, `SignatureNonce`, `SignatureVersion`, `Timestamp`,
//! `Version`, `RegionId`) and the operation's (`PhoneNumbers`, `SignName`, `TemplateCode`,
//! `TemplateParam`), plus `Signature` computed by [`crate::aliyun_sign`]. POST keeps the
//! recipient and the code out of access logs of proxies on the way. The answer is JSON whose
//! `Code` is `OK` on success.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use signet_core::notify::{Channel, MessageSender, OutgoingMessage, Purpose};
use time::OffsetDateTime;
use time::macros::format_description;
use url::Url;

use crate::phone::Mobile;
use crate::{NotifyError, Secret, aliyun_sign};

const VENDOR: &str = "aliyun";
pub const DEFAULT_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";
pub const DEFAULT_REGION: &str = "cn-hangzhou";
const API_VERSION: &str = "2017-05-25";

/// Account, sign name and templates for Dysms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliyunConfig {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    /// The approved 签名, without brackets.
    pub sign_name: String,
    /// Template for verification codes; receives `{"code": "..."}`.
    pub code_template: String,
    /// Template for signing links; receives `{"title": "...", "url": "..."}`.
    pub link_template: Option<String>,
    /// Template for signed-copy notices, parameters `title` and `url`.
    pub signed_template: Option<String>,
    pub region_id: String,
    /// Where requests go (`https://dysmsapi.aliyuncs.com/` unless overridden).
    pub endpoint: Url,
    pub timeout: Duration,
}

impl AliyunConfig {
    /// A configuration with the default endpoint, region and timeout.
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<Secret>,
        sign_name: impl Into<String>,
        code_template: impl Into<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            sign_name: sign_name.into(),
            code_template: code_template.into(),
            link_template: None,
            signed_template: None,
            region_id: DEFAULT_REGION.into(),
            // A constant that parses.
            endpoint: Url::parse(DEFAULT_ENDPOINT).expect("default endpoint is a URL"),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Sends SMS through Aliyun Dysms.
#[derive(Debug, Clone)]
pub struct AliyunSms {
    config: AliyunConfig,
    http: reqwest::Client,
}

impl AliyunSms {
    pub fn new(config: AliyunConfig) -> Result<Self, NotifyError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| NotifyError::Config(format!("http client: {e}")))?;
        Ok(Self { config, http })
    }

    /// Sends one SMS and returns Aliyun's `BizId` (the receipt to query delivery with).
    pub async fn send_sms(&self, message: &OutgoingMessage) -> Result<String, NotifyError> {
        let params = self.request_params(message, &uuid::Uuid::new_v4().to_string(), OffsetDateTime::now_utc())?;
        let response = self
            .http
            .post(self.config.endpoint.clone())
            .form(&params)
            .send()
            .await
            .map_err(|e| transport(format!("{e}")))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| transport(format!("{e}")))?;
        let answer: SendSmsAnswer =
            serde_json::from_slice(&body).map_err(|_| transport(format!("unreadable answer (HTTP {status})")))?;
        if answer.code != "OK" {
            return Err(NotifyError::Rejected {
                vendor: VENDOR,
                code: answer.code,
                message: answer.message.unwrap_or_default(),
            });
        }
        tracing::debug!(request_id = ?answer.request_id, biz_id = ?answer.biz_id, "aliyun accepted sms");
        Ok(answer.biz_id.unwrap_or_default())
    }

    /// Every form parameter of the request, `Signature` included.
    fn request_params(
        &self,
        message: &OutgoingMessage,
        nonce: &str,
        now: OffsetDateTime,
    ) -> Result<BTreeMap<String, String>, NotifyError> {
        if message.channel != Channel::Sms {
            return Err(NotifyError::Unsupported("aliyun sends SMS only".into()));
        }
        let phone = Mobile::parse(&message.recipient)?.aliyun();
        let (template, template_param) = match &message.purpose {
            Purpose::VerificationCode { code, .. } => (&self.config.code_template, json!({ "code": code })),
            Purpose::SigningLink { url, flow_title } => {
                let template = self.config.link_template.as_ref().ok_or_else(|| {
                    NotifyError::Unsupported("no aliyun template configured for signing links".into())
                })?;
                (template, json!({ "title": flow_title, "url": url }))
            }
            Purpose::SignedCopy { url, flow_title } => {
                let template = self.config.signed_template.as_ref().ok_or_else(|| {
                    NotifyError::Unsupported("no aliyun template configured for signed-copy notices".into())
                })?;
                (template, json!({ "title": flow_title, "url": url }))
            }
        };
        let timestamp = now
            .format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"))
            .map_err(|e| transport(format!("timestamp: {e}")))?;
        let mut params: BTreeMap<String, String> = [
            ("AccessKeyId", self.config.access_key_id.as_str()),
            ("Action", "SendSms"),
            ("Format", "JSON"),
            ("RegionId", self.config.region_id.as_str()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("Timestamp", timestamp.as_str()),
            ("Version", API_VERSION),
            ("PhoneNumbers", phone.as_str()),
            ("SignName", self.config.sign_name.as_str()),
            ("TemplateCode", template.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        params.insert("TemplateParam".into(), template_param.to_string());
        let signature = aliyun_sign::signature("POST", &params, self.config.access_key_secret.expose());
        params.insert("Signature".into(), signature);
        Ok(params)
    }
}

#[async_trait]
impl MessageSender for AliyunSms {
    async fn send(&self, message: &OutgoingMessage) -> signet_core::Result<()> {
        self.send_sms(message).await?;
        Ok(())
    }
}

fn transport(reason: String) -> NotifyError {
    NotifyError::Transport { vendor: VENDOR, reason }
}

/// The fields of Dysms' answer we use; errors (`SignatureDoesNotMatch`, `isv.*`) share it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendSmsAnswer {
    code: String,
    message: Option<String>,
    biz_id: Option<String>,
    request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> AliyunSms {
        AliyunSms::new(AliyunConfig::new("testId", "testSecret", "阿里云短信测试专用", "SMS_71390007")).unwrap()
    }

    fn code_message(recipient: &str) -> OutgoingMessage {
        OutgoingMessage {
            channel: Channel::Sms,
            recipient: recipient.into(),
            purpose: Purpose::VerificationCode { code: "123456".into(), valid_minutes: 15 },
            text: "code".into(),
        }
    }

    #[test]
    fn builds_signed_send_sms_parameters() {
        let now = OffsetDateTime::from_unix_timestamp(1_499_827_339).unwrap();
        let params = sender().request_params(&code_message("+8615300000001"), "nonce-1", now).unwrap();
        assert_eq!(params["Action"], "SendSms");
        assert_eq!(params["PhoneNumbers"], "15300000001");
        assert_eq!(params["TemplateCode"], "SMS_71390007");
        assert_eq!(params["TemplateParam"], r#"{"code":"123456"}"#);
        assert_eq!(params["Timestamp"], "2017-07-12T02:42:19Z");
        assert_eq!(params["Version"], "2017-05-25");
        let mut unsigned = params.clone();
        let sig = unsigned.remove("Signature").unwrap();
        assert_eq!(sig, aliyun_sign::signature("POST", &unsigned, "testSecret"));
    }

    #[test]
    fn links_need_a_template() {
        let message = OutgoingMessage {
            purpose: Purpose::SigningLink { url: "https://x/s/1".into(), flow_title: "合同".into() },
            ..code_message("13800138000")
        };
        let now = OffsetDateTime::now_utc();
        assert!(matches!(sender().request_params(&message, "n", now), Err(NotifyError::Unsupported(_))));
        let mut s = sender();
        s.config.link_template = Some("SMS_2".into());
        let params = s.request_params(&message, "n", now).unwrap();
        assert_eq!(params["TemplateCode"], "SMS_2");
        assert_eq!(params["TemplateParam"], r#"{"title":"合同","url":"https://x/s/1"}"#);
        let signed = OutgoingMessage {
            purpose: Purpose::SignedCopy { url: "https://x/d/1".into(), flow_title: "合同".into() },
            ..code_message("13800138000")
        };
        assert!(matches!(s.request_params(&signed, "n", now), Err(NotifyError::Unsupported(_))));
        s.config.signed_template = Some("SMS_3".into());
        assert_eq!(s.request_params(&signed, "n", now).unwrap()["TemplateCode"], "SMS_3");
    }

    #[test]
    fn refuses_email_and_bad_numbers() {
        let now = OffsetDateTime::now_utc();
        let email = OutgoingMessage { channel: Channel::Email, ..code_message("a@b.cn") };
        assert!(matches!(sender().request_params(&email, "n", now), Err(NotifyError::Unsupported(_))));
        assert!(matches!(
            sender().request_params(&code_message("12"), "n", now),
            Err(NotifyError::InvalidRecipient(_))
        ));
    }
}
