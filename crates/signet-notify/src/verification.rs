//! The `verification_provider` and `enterprise_verification_provider` settings: which
//! real-name verification sources a deployment uses, and where micro-deposits go.
//!
//! `verification_provider` (person checks, and the development deposit sink):
//!
//! ```text
//! none                                   no checks (the default): every check is refused as unsupported
//! outbox                                 no identity checks; micro-deposits are written to <data dir>/outbox.jsonl
//! tencent://SECRET_ID:SECRET_KEY@faceid.tencentcloudapi.com[?endpoint=URL&timeout_secs=N&deposits=outbox]
//! ```
//!
//! `enterprise_verification_provider` (enterprise checks and real micro-deposits):
//!
//! ```text
//! none                                   (the default) enterprise checks go to verification_provider
//! esign://APP_ID:SECRET@openapi.esign.cn[?endpoint=URL&timeout_secs=N]
//! ```
//!
//! The two combine into one provider routed by kind: person checks (two elements, carrier three
//! elements, bank-card four elements) go to `verification_provider`; enterprise three/four
//! elements, the organisation name check of WoSignDoc orders and micro-deposits go to e签宝 when
//! it is configured. `deposits=outbox` (or `outbox`) adds the development payout sink, where
//! Signet picks the amount and compares the answer itself; it cannot be combined with e签宝,
//! which pays and checks real deposits. Without either, micro-deposits are unsupported.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;
use signet_core::verification::{
    DepositAnswer, DepositOrder, DepositReceipt, IdentityCheck, NoVerificationProvider, ProviderError, ProviderVerdict,
    VerificationKind, VerificationProvider,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use url::Url;

use crate::config::{ConfigError, Query, bad, userinfo};
use crate::esign_identity::{EsignIdentity, EsignIdentityConfig};
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

    /// The provider this setting describes, combined with the enterprise provider;
    /// `data_dir` locates the outbox.
    pub fn build(
        self,
        enterprise: EnterpriseVerificationConfig,
        data_dir: &Path,
    ) -> Result<Arc<dyn VerificationProvider>, ProviderError> {
        let outbox = data_dir.join(OUTBOX_FILE_NAME);
        let (person, deposits) = match self {
            Self::None => (None, None),
            Self::Outbox => (None, Some(outbox)),
            Self::Tencent { faceid, deposits_to_outbox } => {
                (Some(TencentFaceId::new(faceid)?), deposits_to_outbox.then_some(outbox))
            }
        };
        let enterprise = match enterprise {
            EnterpriseVerificationConfig::None => None,
            EnterpriseVerificationConfig::Esign(config) => Some(EsignIdentity::new(config)?),
        };
        if enterprise.is_some() && deposits.is_some() {
            return Err(ProviderError::Refused(
                "micro-deposits go either to the development outbox or to e签宝, not both: drop 'outbox' / \
                 'deposits=outbox' from verification_provider"
                    .into(),
            ));
        }
        if person.is_none() && enterprise.is_none() && deposits.is_none() {
            return Ok(Arc::new(NoVerificationProvider));
        }
        Ok(Arc::new(Routed { person, enterprise, deposits }))
    }
}

/// A parsed `enterprise_verification_provider` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnterpriseVerificationConfig {
    None,
    Esign(EsignIdentityConfig),
}

impl EnterpriseVerificationConfig {
    pub fn parse(setting: &str) -> Result<Self, ConfigError> {
        let setting = setting.trim();
        if setting.is_empty() || setting.eq_ignore_ascii_case("none") {
            return Ok(Self::None);
        }
        EsignIdentityConfig::parse(setting).map(Self::Esign)
    }
}

/// A one-line description for startup logs; never the secret.
impl fmt::Display for EnterpriseVerificationConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Esign(config) => write!(f, "e签宝 identity {} (app {})", config.endpoint, config.app_id),
        }
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

/// Person checks to one provider, enterprise checks and deposits to e签宝 when configured,
/// else deposits to the development outbox.
struct Routed {
    person: Option<TencentFaceId>,
    enterprise: Option<EsignIdentity>,
    deposits: Option<PathBuf>,
}

impl Routed {
    /// The provider that answers checks of `kind`, when any.
    fn route(&self, kind: VerificationKind) -> Option<&dyn VerificationProvider> {
        let enterprise = self.enterprise.as_ref().map(|e| e as &dyn VerificationProvider);
        let person = self.person.as_ref().map(|p| p as &dyn VerificationProvider);
        if kind.is_organisation() { enterprise.or(person) } else { person }
    }
}

#[async_trait]
impl VerificationProvider for Routed {
    fn name(&self) -> &str {
        match (&self.person, &self.enterprise) {
            (Some(person), _) => person.name(),
            (None, Some(enterprise)) => enterprise.name(),
            (None, None) => "outbox",
        }
    }

    fn name_for(&self, kind: VerificationKind) -> &str {
        match (kind, &self.enterprise) {
            (VerificationKind::MicroDeposit, None) => "outbox",
            _ => self.route(kind).map_or_else(|| self.name(), |p| p.name()),
        }
    }

    async fn check(&self, check: &IdentityCheck) -> Result<ProviderVerdict, ProviderError> {
        match self.route(check.kind()) {
            Some(provider) => provider.check(check).await,
            None => Err(ProviderError::Unsupported { provider: self.name().into(), kind: check.kind().as_str() }),
        }
    }

    async fn start_deposit(&self, order: &DepositOrder) -> Result<DepositReceipt, ProviderError> {
        match &self.enterprise {
            Some(enterprise) => enterprise.start_deposit(order).await,
            None => self.send_deposit(order).await.map(|reference| DepositReceipt::Paid { reference }),
        }
    }

    async fn confirm_deposit(&self, reference: &str, amount_fen: u32) -> Result<DepositAnswer, ProviderError> {
        match &self.enterprise {
            Some(enterprise) => enterprise.confirm_deposit(reference, amount_fen).await,
            None => Err(ProviderError::Unsupported { provider: "outbox".into(), kind: "micro_deposit" }),
        }
    }

    async fn org_name_matches(&self, org_name: &str, number: &str) -> Result<ProviderVerdict, ProviderError> {
        match &self.enterprise {
            Some(enterprise) => enterprise.org_name_matches(org_name, number).await,
            None => Err(ProviderError::Unsupported { provider: self.name().into(), kind: "enterprise_two_element" }),
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

    #[test]
    fn enterprise_settings_parse_and_combine() {
        assert_eq!(EnterpriseVerificationConfig::parse("").unwrap(), EnterpriseVerificationConfig::None);
        let esign = EnterpriseVerificationConfig::parse("esign://app1:sec@smlopenapi.esign.cn").unwrap();
        assert!(matches!(&esign, EnterpriseVerificationConfig::Esign(c) if c.app_id == "app1"));
        assert!(!esign.to_string().contains("sec"));
        let dir = std::env::temp_dir();
        // Real deposits through e签宝 and the development sink would both claim deposits.
        let conflict = VerificationConfig::Outbox.build(esign.clone(), &dir);
        assert!(conflict.is_err_and(|e| e.to_string().contains("not both")));
        let routed =
            VerificationConfig::parse("tencent://a:b@faceid.tencentcloudapi.com").unwrap().build(esign, &dir).unwrap();
        assert_eq!(routed.name_for(VerificationKind::PersonTwoElement), "tencent");
        assert_eq!(routed.name_for(VerificationKind::EnterpriseFourElement), "esign");
        assert_eq!(routed.name_for(VerificationKind::MicroDeposit), "esign");
        let plain = VerificationConfig::Outbox.build(EnterpriseVerificationConfig::None, &dir).unwrap();
        assert_eq!(plain.name_for(VerificationKind::MicroDeposit), "outbox");
    }
}
