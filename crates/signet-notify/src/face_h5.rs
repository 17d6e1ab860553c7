//! The `face_verifier` setting and Tencent Cloud FaceID 慧眼 H5 real-name face verification
//! (实名核身 SaaS, API 2018-03-01): the core's [`FaceVerifier`] for willingness by face.
//!
//! ```text
//! none                                                                   no face verification (the default)
//! tencent://SECRET_ID:SECRET_KEY@faceid.tencentcloudapi.com?rule_id=1[&endpoint=URL&timeout_secs=N]
//! ```
//!
//! `rule_id` is the business flow (RuleId) created in the FaceID console; it fixes what the H5
//! page checks (liveness, then a match against the authoritative photo of the name and ID).
//!
//! The flow, signed like every FaceID action ([`TencentFaceId::request`]):
//! 1. `DetectAuth {RuleId, IdCard, Name, RedirectUrl}` answers `{Url, BizToken, RequestId}`;
//!    the person opens `Url`, and when the check ends Tencent sends the browser to
//!    `RedirectUrl` with `BizToken=<token>` added to its query.
//! 2. `GetDetectInfoEnhanced {BizToken, RuleId, InfoType: "1"}` answers `Text.ErrCode`: `0` is
//!    the final "passed"; any other code, or `null` while the person has not finished, is not.
//!    `InfoType` 1 asks for the text result only, so no photo or video ever reaches Signet.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};
use signet_core::verification::{FaceSession, FaceVerifier, ProviderError};
use url::Url;

use crate::config::{ConfigError, Query, bad, userinfo};
use crate::faceid::{DEFAULT_ENDPOINT, FaceIdConfig, TencentFaceId};

/// A parsed `face_verifier` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaceVerifierConfig {
    None,
    Tencent(TencentFaceH5Config),
}

/// Credentials, endpoint and business flow of FaceID's H5 verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentFaceH5Config {
    pub faceid: FaceIdConfig,
    /// The console's business flow id (`RuleId`).
    pub rule_id: String,
}

impl FaceVerifierConfig {
    pub fn parse(setting: &str) -> Result<Self, ConfigError> {
        let setting = setting.trim();
        if setting.is_empty() || setting.eq_ignore_ascii_case("none") {
            return Ok(Self::None);
        }
        let url = Url::parse(setting).map_err(|e| bad(format!("not a URL ({e})")))?;
        if url.scheme() != "tencent" {
            return Err(bad(format!("unknown face verifier '{}' (none, tencent)", url.scheme())));
        }
        let query = Query::of(&url)?;
        let (secret_id, secret_key) = userinfo(&url, ("SecretId", "SecretKey"), true)?
            .ok_or_else(|| bad("SecretId and SecretKey are required"))?;
        let endpoint = match url.host_str() {
            Some(_) => query.endpoint(&url)?,
            None if query.get("endpoint").is_some() => query.endpoint(&url)?,
            None => Url::parse(DEFAULT_ENDPOINT).map_err(|e| bad(e.to_string()))?,
        };
        let rule_id = query.get("rule_id").ok_or_else(|| bad("'rule_id' (the FaceID business flow) is required"))?;
        // The console's ids are letters and digits, at most 32 of them.
        if rule_id.len() > 32 || !rule_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad("'rule_id' must be 1 to 32 letters or digits"));
        }
        let rule_id = rule_id.to_owned();
        let faceid = FaceIdConfig { secret_id, secret_key, endpoint, timeout: query.timeout()? };
        query.reject_unknown()?;
        Ok(Self::Tencent(TencentFaceH5Config { faceid, rule_id }))
    }

    /// The verifier this setting describes; `None` when face verification is off.
    pub fn build(self) -> Result<Option<Arc<dyn FaceVerifier>>, ProviderError> {
        Ok(match self {
            Self::None => None,
            Self::Tencent(config) => Some(Arc::new(TencentFaceH5::new(config)?)),
        })
    }
}

/// A one-line description for startup logs; never the secret.
impl fmt::Display for FaceVerifierConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Tencent(config) => write!(
                f,
                "tencent faceid H5 {} (SecretId {}, RuleId {})",
                config.faceid.endpoint, config.faceid.secret_id, config.rule_id
            ),
        }
    }
}

/// Face verification through FaceID's hosted H5 page.
#[derive(Debug, Clone)]
pub struct TencentFaceH5 {
    client: TencentFaceId,
    rule_id: String,
}

impl TencentFaceH5 {
    pub fn new(config: TencentFaceH5Config) -> Result<Self, ProviderError> {
        Ok(Self { client: TencentFaceId::new(config.faceid)?, rule_id: config.rule_id })
    }
}

#[async_trait]
impl FaceVerifier for TencentFaceH5 {
    async fn start(&self, name: &str, id_number: &str, return_url: &str) -> Result<FaceSession, ProviderError> {
        let body = json!({"RuleId": self.rule_id, "IdCard": id_number, "Name": name, "RedirectUrl": return_url});
        let answer = self.client.request("DetectAuth", &body).await?;
        let text = |field: &str| answer.get(field).and_then(Value::as_str).filter(|v| !v.is_empty());
        let (Some(url), Some(biz_token)) = (text("Url"), text("BizToken")) else {
            return Err(ProviderError::Unavailable("tencent faceid DetectAuth: no Url or BizToken".into()));
        };
        let url =
            Url::parse(url).map_err(|_| ProviderError::Unavailable("tencent faceid DetectAuth: bad Url".into()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ProviderError::Unavailable("tencent faceid DetectAuth: Url is not http(s)".into()));
        }
        let request_id = text("RequestId");
        tracing::debug!(request_id = ?request_id, "faceid H5 verification started");
        Ok(FaceSession { id: biz_token.to_owned(), url: url.into() })
    }

    async fn passed(&self, session_id: &str) -> Result<bool, ProviderError> {
        let body = json!({"BizToken": session_id, "RuleId": self.rule_id, "InfoType": "1"});
        let answer = self.client.request("GetDetectInfoEnhanced", &body).await?;
        // `Text` also holds the name and ID number the check ended with: never logged.
        let code = answer.pointer("/Text/ErrCode").cloned().unwrap_or(Value::Null);
        let message = answer.pointer("/Text/ErrMsg").and_then(Value::as_str);
        let request_id = answer.get("RequestId").and_then(Value::as_str);
        tracing::debug!(err_code = %code, err_msg = ?message, request_id = ?request_id, "faceid H5 result");
        Ok(code.as_i64() == Some(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse() {
        assert_eq!(FaceVerifierConfig::parse("").unwrap(), FaceVerifierConfig::None);
        assert_eq!(FaceVerifierConfig::parse("none").unwrap(), FaceVerifierConfig::None);
        let parsed = FaceVerifierConfig::parse(
            "tencent://AKIDx:s%2Fkey@faceid.tencentcloudapi.com?rule_id=12&endpoint=http://127.0.0.1:9&timeout_secs=3",
        )
        .unwrap();
        let FaceVerifierConfig::Tencent(config) = &parsed else { panic!("{parsed:?}") };
        assert_eq!((config.faceid.secret_id.as_str(), config.faceid.secret_key.expose()), ("AKIDx", "s/key"));
        assert_eq!(config.faceid.endpoint.as_str(), "http://127.0.0.1:9/");
        assert_eq!(config.rule_id, "12");
        assert_eq!(config.faceid.timeout, std::time::Duration::from_secs(3));
        // Neither the startup line nor Debug output shows the key.
        assert!(!parsed.to_string().contains("s/key") && !format!("{parsed:?}").contains("s/key"), "{parsed:?}");
        let plain = FaceVerifierConfig::parse("tencent://AKIDx:k@faceid.tencentcloudapi.com?rule_id=1").unwrap();
        let FaceVerifierConfig::Tencent(config) = plain else { panic!() };
        assert_eq!(config.faceid.endpoint.as_str(), "https://faceid.tencentcloudapi.com/");
        for wrong in [
            "tencent://AKIDx:k@faceid.tencentcloudapi.com",
            "tencent://AKIDx:k@faceid.tencentcloudapi.com?rule_id=a-b",
            "tencent://faceid.tencentcloudapi.com?rule_id=1",
            "tencent://a:b@h?rule_id=1&typo=1",
            "aliyun://a:b@h?rule_id=1",
        ] {
            assert!(FaceVerifierConfig::parse(wrong).is_err(), "{wrong}");
        }
    }
}
