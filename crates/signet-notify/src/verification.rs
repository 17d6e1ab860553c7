//! The `verification_provider` setting: which real-name verification source a deployment uses,
//! and where micro-deposits go.
//!
//! ```text
//! none                                   no checks (the default): every check is refused as unsupported
//! outbox                                 no identity checks; micro-deposits are written to <data dir>/outbox.jsonl
//! tencent://SECRET_ID:SECRET_KEY@faceid.tencentcloudapi.com[?endpoint=URL&timeout_secs=N&deposits=outbox]
//! ```
//!
//! `deposits=outbox` adds the development payout sink to Tencent's checks; without it
//! micro-deposits are unsupported (no bank payout API is built in).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;
use signet_core::verification::{
    DepositOrder, IdentityCheck, NoVerificationProvider, ProviderError, ProviderVerdict, VerificationProvider,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use url::Url;

use crate::config::{ConfigError, Query, bad, userinfo};
use crate::faceid::{DEFAULT_ENDPOINT, FaceIdConfig, TencentFaceId};
use crate::outbox::{OUTBOX_FILE_NAME, append_line};

/// A parsed `verification_provider` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationConfig {
    None,
    Outbox,
    Tencent { faceid: FaceIdConfig, deposits_to_outbox: bool },
}

impl VerificationConfig {
    pub fn parse(setting: &str) -> Result<Self, ConfigError> {
        let setting = setting.trim();
        if setting.is_empty() || setting.eq_ignore_ascii_case("none") {
            return Ok(Self::None);
        }
        if setting.eq_ignore_ascii_case("outbox") {
            return Ok(Self::Outbox);
        }
        let url = Url::parse(setting).map_err(|e| bad(format!("not a URL ({e})")))?;
        if url.scheme() != "tencent" {
            return Err(bad(format!("unknown verification provider '{}' (none, outbox, tencent)", url.scheme())));
        }
        let query = Query::of(&url)?;
        let (secret_id, secret_key) = userinfo(&url, ("SecretId", "SecretKey"), true)?
            .ok_or_else(|| bad("SecretId and SecretKey are required"))?;
        let endpoint = match query.get("endpoint") {
            Some(_) => query.endpoint(&url)?,
            None if url.host_str().is_some() => query.endpoint(&url)?,
            None => Url::parse(DEFAULT_ENDPOINT).map_err(|e| bad(e.to_string()))?,
        };
        let deposits_to_outbox = match query.get("deposits") {
            None => false,
            Some("outbox") => true,
            Some(_) => return Err(bad("'deposits' must be outbox")),
        };
        let faceid = FaceIdConfig { secret_id, secret_key, endpoint, timeout: query.timeout()? };
        query.reject_unknown()?;
        Ok(Self::Tencent { faceid, deposits_to_outbox })
    }

    /// The provider this setting describes; `data_dir` locates the outbox.
    pub fn build(self, data_dir: &Path) -> Result<Arc<dyn VerificationProvider>, ProviderError> {
        let outbox = data_dir.join(OUTBOX_FILE_NAME);
        Ok(match self {
            Self::None => Arc::new(NoVerificationProvider),
            Self::Outbox => Arc::new(Routed { identity: None, deposits: Some(outbox) }),
            Self::Tencent { faceid, deposits_to_outbox } => Arc::new(Routed {
                identity: Some(TencentFaceId::new(faceid)?),
                deposits: deposits_to_outbox.then_some(outbox),
            }),
        })
    }
}

/// A one-line description for startup logs; never the secret.
impl fmt::Display for VerificationConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Outbox => f.write_str("outbox (micro-deposits only)"),
            Self::Tencent { faceid, deposits_to_outbox } => write!(
                f,
                "tencent faceid {} (SecretId {}){}",
                faceid.endpoint,
                faceid.secret_id,
                if *deposits_to_outbox { ", micro-deposits to the outbox" } else { "" }
            ),
        }
    }
}

/// Identity checks to one provider, micro-deposits to the development outbox.
struct Routed {
    identity: Option<TencentFaceId>,
    deposits: Option<PathBuf>,
}

#[async_trait]
impl VerificationProvider for Routed {
    fn name(&self) -> &str {
        if self.identity.is_some() { "tencent" } else { "outbox" }
    }

    async fn check(&self, check: &IdentityCheck) -> Result<ProviderVerdict, ProviderError> {
        match &self.identity {
            Some(provider) => provider.check(check).await,
            None => Err(ProviderError::Unsupported { provider: "outbox".into(), kind: check.kind().as_str() }),
        }
    }

    async fn send_deposit(&self, order: &DepositOrder) -> Result<String, ProviderError> {
        let Some(path) = self.deposits.clone() else {
            return Err(ProviderError::Unsupported { provider: self.name().into(), kind: "micro_deposit" });
        };
        // The development sink: what a payout API would be asked to pay, for the operator (and
        // tests) to read, like SMS codes in the same file.
        let now = OffsetDateTime::now_utc();
        let line = json!({
            "time": now.format(&Rfc3339).unwrap_or_default(),
            "channel": "payment",
            "recipient": order.bank_account,
            "purpose": {"kind": "micro_deposit", "reference": order.reference, "amountFen": order.amount_fen},
            "text": format!(
                "向 {}（{}）打款 {}.{:02} 元，备注 {}",
                order.account_name,
                order.bank_name,
                order.amount_fen / 100,
                order.amount_fen % 100,
                order.reference
            ),
        });
        let mut bytes = serde_json::to_vec(&line).map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        bytes.push(b'\n');
        tokio::task::spawn_blocking(move || append_line(&path, &bytes))
            .await
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?
            .map_err(|e| ProviderError::Unavailable(format!("outbox: {e}")))?;
        Ok(format!("outbox:{}", order.reference))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse() {
        assert_eq!(VerificationConfig::parse("none").unwrap(), VerificationConfig::None);
        assert_eq!(VerificationConfig::parse("outbox").unwrap(), VerificationConfig::Outbox);
        let parsed = VerificationConfig::parse(
            "tencent://AKIDx:s%2Fkey@faceid.tencentcloudapi.com?endpoint=http://127.0.0.1:9&deposits=outbox",
        )
        .unwrap();
        let VerificationConfig::Tencent { faceid, deposits_to_outbox } = &parsed else { panic!("{parsed:?}") };
        assert_eq!((faceid.secret_id.as_str(), faceid.secret_key.expose()), ("AKIDx", "s/key"));
        assert_eq!(faceid.endpoint.as_str(), "http://127.0.0.1:9/");
        assert!(deposits_to_outbox);
        assert!(!parsed.to_string().contains("s/key"));
        let plain = VerificationConfig::parse("tencent://AKIDx:k@faceid.tencentcloudapi.com").unwrap();
        let VerificationConfig::Tencent { faceid, .. } = plain else { panic!() };
        assert_eq!(faceid.endpoint.as_str(), "https://faceid.tencentcloudapi.com/");
        assert!(VerificationConfig::parse("tencent://faceid.tencentcloudapi.com").is_err());
        assert!(VerificationConfig::parse("tencent://a:b@h?typo=1").is_err());
        assert!(VerificationConfig::parse("aliyun://a:b@h").is_err());
    }
}
