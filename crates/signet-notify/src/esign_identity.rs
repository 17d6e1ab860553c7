//! e签宝 (Tsign) identity verification API v2 (认证服务 / 信息比对): enterprise comparisons and
//! organisation micro-deposits.
//!
//! Chosen because it is the one public API that offers all three enterprise operations Signet
//! needs — two-element (name + number, for WoSignDoc's `orgName`/`orgNo`), three- and
//! four-element comparisons, and a random-amount payment to the organisation's account that the
//! provider itself pays and checks — with plain OAuth client credentials. Tencent Cloud FaceID
//! (person checks) has none of them.
//!
//! # Protocol (facts relied on)
//!
//! - **Access token** (OAuth2.0 鉴权): `GET /v1/oauth2/access_token?appId=&secret=&grantType=client_credentials`
//!   → `{code: 0, message, data: {token, expiresIn, refreshToken}}`; `expiresIn` is the expiry as
//!   epoch milliseconds (a string in newer pages, a number in older ones). A token lives 120
//!   minutes; fetching a new one leaves the previous one 5 more minutes; e签宝 advises renewing
//!   5 minutes early. Wrong credentials or environment: a non-zero `code` or HTTP 401.
//!   <https://open.esign.cn/doc/opendoc/identity_service/szr5s9>,
//!   <https://open.esign.cn/doc/opendoc/dev-guide3/dvb866>
//! - **Business calls** carry `X-Tsign-Open-App-Id`, `X-Tsign-Open-Token` and
//!   `Content-Type: application/json; charset=UTF-8`; every answer is `{code, message, data}`,
//!   `code` 0 meaning success; callers must judge by `code`, never `message`.
//!   <https://open.esign.cn/docs/identity/安全接入/通用参数.html>,
//!   <https://open.esign.cn/doc/opendoc/saasapi-std/dwfoy7>
//! - **Comparisons** (信息比对), `POST`, `code` 0 = consistent, `30504001` = 信息比对不通过,
//!   `data.verifyId` the reference, `data.errMsg` a finer reason when given:
//!   `/v2/identity/verify/organization/enterprise/base` `{name, orgCode}` (组织机构2要素),
//!   `/v2/identity/verify/organization/enterprise/bureau3Factors` `{name, orgCode, legalRepName}`,
//!   `/v2/identity/verify/organization/enterprise/bureau4Factors` `{name, orgCode, legalRepName, legalRepCertNo}`.
//!   `30504002` (data source failure) gives no verdict; `30503107` is an exhausted balance.
//!   <https://open.esign.cn/doc/opendoc/identity_service/nkcwuq>,
//!   <https://open.esign.cn/doc/opendoc/identity_service/xsafn3>,
//!   <https://open.esign.cn/doc/opendoc/identity_service/geg8ga>
//! - **Micro-deposit** (随机金额打款认证): the flow opens with `POST /v2/identity/auth/api/organization/threeFactors`
//!   `{name, orgCode, legalRepName, contextId}` → `data.flowId` (`30504001`, `1100007`, `30500001`:
//!   the organisation does not match); then `PUT /v2/identity/auth/pub/organization/{flowId}/transferRandomAmount`
//!   `{bank, province, city, subbranch, cardNo, cnapsCode, contextId}` has e签宝 pay a random
//!   0.01–0.99 yuan; the organisation reports it with `PUT …/{flowId}/verifyRandomAmount`
//!   `{amount}` (a yuan number): `0` right, `30502002` wrong, `30502003` too many attempts
//!   (more than 3 wrong answers fail the flow), `30502013` pay again, `30502014` past the
//!   7-day window, `30500002`/`30500003` flow ended or expired.
//!   <https://open.esign.cn/doc/opendoc/identity_service/dzvhtp>,
//!   <https://open.esign.cn/doc/opendoc/identity_service/laygml>,
//!   <https://open.esign.cn/doc/opendoc/identity_service/ovy1ml>
//!
//! Signet uses the OAuth mode (not the request-signature mode) because the identity pages
//! document it for every call above. Person checks are not routed here (Tencent FaceID does
//! them); this client reports them as unsupported.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};
use signet_core::verification::{
    DepositAnswer, DepositOrder, DepositReceipt, IdentityCheck, ProviderError, ProviderVerdict, VerificationKind,
    VerificationProvider,
};
use time::OffsetDateTime;
use url::Url;

use crate::Secret;
use crate::config::{ConfigError, Query, bad, userinfo};

const NAME: &str = "esign";
const CONTENT_TYPE: &str = "application/json; charset=UTF-8";
/// Renew this long before the token's expiry (e签宝's advice).
const RENEW_EARLY: time::Duration = time::Duration::minutes(5);
/// A token's documented life, when an answer lacks `expiresIn`.
const TOKEN_LIFE: time::Duration = time::Duration::minutes(120);
/// How long e签宝 accepts a micro-deposit's amount.
const DEPOSIT_WINDOW: time::Duration = time::Duration::days(7);

const MISMATCH: i64 = 30504001;
const DATA_SOURCE_FAILED: i64 = 30504002;
const ORG_MISMATCH: [i64; 3] = [MISMATCH, 1100007, 30500001];
const AMOUNT_WRONG: i64 = 30502002;
const DEPOSIT_OVER: [i64; 5] = [30502003, 30502013, 30502014, 30500002, 30500003];

/// Credentials and endpoint of e签宝's open API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsignIdentityConfig {
    pub app_id: String,
    pub secret: Secret,
    /// `https://openapi.esign.cn/` (production) or `https://smlopenapi.esign.cn/` (sandbox).
    pub endpoint: Url,
    pub timeout: Duration,
}

impl EsignIdentityConfig {
    /// `esign://APP_ID:SECRET@openapi.esign.cn[?endpoint=URL&timeout_secs=N]`.
    pub fn parse(setting: &str) -> Result<Self, ConfigError> {
        let url = Url::parse(setting.trim()).map_err(|e| bad(format!("not a URL ({e})")))?;
        if url.scheme() != "esign" {
            return Err(bad(format!("unknown enterprise verification provider '{}' (none, esign)", url.scheme())));
        }
        let query = Query::of(&url)?;
        let (app_id, secret) =
            userinfo(&url, ("APP_ID", "SECRET"), true)?.ok_or_else(|| bad("APP_ID and SECRET are required"))?;
        let endpoint = query.endpoint(&url)?;
        let config = Self { app_id, secret, endpoint, timeout: query.timeout()? };
        query.reject_unknown()?;
        Ok(config)
    }
}

/// A cached access token and when to stop using it.
struct Token {
    value: String,
    renew_at: OffsetDateTime,
}

/// Enterprise checks and micro-deposits through e签宝.
pub struct EsignIdentity {
    config: EsignIdentityConfig,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<Token>>,
}

impl std::fmt::Debug for EsignIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EsignIdentity").field("config", &self.config).finish_non_exhaustive()
    }
}

/// e签宝's answer envelope.
#[derive(Debug, Deserialize)]
struct Answer {
    code: i64,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: Value,
}

impl Answer {
    fn message(&self) -> &str {
        self.message.as_deref().unwrap_or_default()
    }

    fn data_str(&self, name: &str) -> Option<String> {
        self.data.get(name).and_then(Value::as_str).map(str::to_owned)
    }

    /// The refusal of an answer that is neither success nor a documented verdict.
    fn refused(&self, what: &str) -> ProviderError {
        if self.code == DATA_SOURCE_FAILED {
            return ProviderError::Unavailable(format!("e签宝 {what}: {} {}", self.code, self.message()));
        }
        ProviderError::Refused(format!("e签宝 {what}: {} {}", self.code, self.message()))
    }
}

impl EsignIdentity {
    pub fn new(config: EsignIdentityConfig) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| ProviderError::Unavailable(format!("http client: {e}")))?;
        Ok(Self { config, http, token: tokio::sync::Mutex::new(None) })
    }

    fn url(&self, path: &str) -> Result<Url, ProviderError> {
        self.config.endpoint.join(path).map_err(|e| ProviderError::Unavailable(format!("e签宝 url: {e}")))
    }

    /// The cached token, or a new one. The lock is held while fetching, so concurrent callers
    /// share one fetch (every fetch shortens the previous token's life to 5 minutes).
    async fn token(&self) -> Result<String, ProviderError> {
        let mut cached = self.token.lock().await;
        let now = OffsetDateTime::now_utc();
        if let Some(token) = cached.as_ref().filter(|t| now < t.renew_at) {
            return Ok(token.value.clone());
        }
        let token = self.fetch_token(now).await?;
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }

    async fn fetch_token(&self, now: OffsetDateTime) -> Result<Token, ProviderError> {
        let mut url = self.url("v1/oauth2/access_token")?;
        url.query_pairs_mut()
            .append_pair("appId", &self.config.app_id)
            .append_pair("secret", self.config.secret.expose())
            .append_pair("grantType", "client_credentials");
        // The URL holds the secret: errors are reported without it.
        let response = self.http.get(url).send().await.map_err(|e| unreachable_err(e, "access token"))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| unreachable_err(e, "access token"))?;
        let answer: Option<Answer> = serde_json::from_slice(&bytes).ok();
        match answer {
            Some(answer) if answer.code == 0 => {
                let value = answer
                    .data_str("token")
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| ProviderError::Unavailable("e签宝 access token: no token in the answer".into()))?;
                let expires = expiry(&answer.data["expiresIn"]).unwrap_or(now + TOKEN_LIFE);
                tracing::debug!(app_id = %self.config.app_id, "e签宝 access token fetched");
                Ok(Token { value, renew_at: expires - RENEW_EARLY })
            }
            Some(answer) => Err(ProviderError::Refused(format!(
                "e签宝 access token refused for app {} (check APP_ID and SECRET): {} {}",
                self.config.app_id,
                answer.code,
                answer.message()
            ))),
            None if status == reqwest::StatusCode::UNAUTHORIZED => Err(ProviderError::Refused(format!(
                "e签宝 access token refused for app {} (HTTP 401: check APP_ID, SECRET and the environment)",
                self.config.app_id
            ))),
            None => Err(ProviderError::Unavailable(format!("e签宝 access token: unreadable answer (HTTP {status})"))),
        }
    }

    /// One business call; a token the gateway rejects (HTTP 401) is dropped and the call made
    /// once more with a new one.
    async fn call(&self, method: reqwest::Method, path: &str, body: &Value) -> Result<Answer, ProviderError> {
        let url = self.url(path)?;
        let body = serde_json::to_vec(body).map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        for attempt in 0..2 {
            let token = self.token().await?;
            let response = self
                .http
                .request(method.clone(), url.clone())
                .header("X-Tsign-Open-App-Id", &self.config.app_id)
                .header("X-Tsign-Open-Token", token)
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", "*/*")
                .body(body.clone())
                .send()
                .await
                .map_err(|e| unreachable_err(e, path))?;
            let status = response.status();
            if status == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 {
                *self.token.lock().await = None;
                continue;
            }
            let bytes = response.bytes().await.map_err(|e| unreachable_err(e, path))?;
            return match serde_json::from_slice::<Answer>(&bytes) {
                Ok(answer) => {
                    tracing::debug!(path, code = answer.code, "e签宝 answered");
                    Ok(answer)
                }
                Err(_) if status == reqwest::StatusCode::UNAUTHORIZED => {
                    Err(ProviderError::Refused(format!("e签宝 {path}: the access token was rejected (HTTP 401)")))
                }
                Err(_) => Err(ProviderError::Unavailable(format!("e签宝 {path}: unreadable answer (HTTP {status})"))),
            };
        }
        Err(ProviderError::Refused(format!("e签宝 {path}: the access token was rejected (HTTP 401)")))
    }

    /// A comparison: `code` 0 matches, 30504001 does not, anything else gives no verdict.
    async fn compare(&self, path: &str, body: Value) -> Result<ProviderVerdict, ProviderError> {
        let answer = self.call(reqwest::Method::POST, path, &body).await?;
        let reference = answer.data_str("verifyId");
        match answer.code {
            0 => Ok(ProviderVerdict { matched: true, description: answer.message().to_owned(), reference }),
            MISMATCH => Ok(ProviderVerdict { matched: false, description: mismatch_reason(&answer), reference }),
            _ => Err(answer.refused(path)),
        }
    }

    async fn pay(&self, order: &DepositOrder) -> Result<DepositReceipt, ProviderError> {
        let need = |value: &Option<String>, field: &'static str| {
            value.clone().ok_or_else(|| ProviderError::Input {
                field,
                reason: "is required for an e签宝 micro-deposit".to_owned(),
            })
        };
        let legal_rep_name = need(&order.legal_rep_name, "legalRepName")?;
        let transfer = json!({
            "bank": order.bank_name,
            "province": need(&order.bank_province, "bankProvince")?,
            "city": need(&order.bank_city, "bankCity")?,
            "subbranch": need(&order.bank_branch, "bankBranch")?,
            "cardNo": order.bank_account,
            "cnapsCode": need(&order.cnaps_code, "cnapsCode")?,
            "contextId": order.reference,
        });
        let opened = self
            .call(
                reqwest::Method::POST,
                "v2/identity/auth/api/organization/threeFactors",
                &json!({
                    "name": order.account_name,
                    "orgCode": order.uscc,
                    "legalRepName": legal_rep_name,
                    "contextId": order.reference,
                }),
            )
            .await?;
        if ORG_MISMATCH.contains(&opened.code) {
            return Ok(DepositReceipt::Mismatch(ProviderVerdict {
                matched: false,
                description: mismatch_reason(&opened),
                reference: opened.data_str("flowId"),
            }));
        }
        if opened.code != 0 {
            return Err(opened.refused("threeFactors"));
        }
        let flow_id = opened
            .data_str("flowId")
            .filter(|id| flow_id_ok(id))
            .ok_or_else(|| ProviderError::Unavailable("e签宝 threeFactors: no usable flowId".into()))?;
        let paid = self
            .call(
                reqwest::Method::PUT,
                &format!("v2/identity/auth/pub/organization/{flow_id}/transferRandomAmount"),
                &transfer,
            )
            .await?;
        if paid.code != 0 {
            return Err(paid.refused("transferRandomAmount"));
        }
        Ok(DepositReceipt::PaidByProvider { reference: flow_id, valid_for: DEPOSIT_WINDOW })
    }
}

#[async_trait]
impl VerificationProvider for EsignIdentity {
    fn name(&self) -> &str {
        NAME
    }

    async fn check(&self, check: &IdentityCheck) -> Result<ProviderVerdict, ProviderError> {
        match check {
            IdentityCheck::EnterpriseThreeElement { org_name, uscc, legal_rep_name } => {
                self.compare(
                    "v2/identity/verify/organization/enterprise/bureau3Factors",
                    json!({"name": org_name, "orgCode": uscc, "legalRepName": legal_rep_name}),
                )
                .await
            }
            IdentityCheck::EnterpriseFourElement { org_name, uscc, legal_rep_name, legal_rep_id_number } => {
                self.compare(
                    "v2/identity/verify/organization/enterprise/bureau4Factors",
                    json!({
                        "name": org_name,
                        "orgCode": uscc,
                        "legalRepName": legal_rep_name,
                        "legalRepCertNo": legal_rep_id_number,
                    }),
                )
                .await
            }
            other => Err(ProviderError::Unsupported { provider: NAME.into(), kind: other.kind().as_str() }),
        }
    }

    async fn send_deposit(&self, _order: &DepositOrder) -> Result<String, ProviderError> {
        // e签宝 picks the amount itself: deposits go through `start_deposit`.
        Err(ProviderError::Unsupported { provider: NAME.into(), kind: VerificationKind::MicroDeposit.as_str() })
    }

    async fn start_deposit(&self, order: &DepositOrder) -> Result<DepositReceipt, ProviderError> {
        self.pay(order).await
    }

    async fn confirm_deposit(&self, reference: &str, amount_fen: u32) -> Result<DepositAnswer, ProviderError> {
        if !flow_id_ok(reference) {
            return Err(ProviderError::Refused(format!("e签宝: '{reference}' is not a flowId")));
        }
        let amount = f64::from(amount_fen) / 100.0;
        let answer = self
            .call(
                reqwest::Method::PUT,
                &format!("v2/identity/auth/pub/organization/{reference}/verifyRandomAmount"),
                &json!({"amount": amount}),
            )
            .await?;
        match answer.code {
            0 => Ok(DepositAnswer::Right),
            AMOUNT_WRONG => Ok(DepositAnswer::Wrong),
            code if DEPOSIT_OVER.contains(&code) => Ok(DepositAnswer::Exhausted),
            _ => Err(answer.refused("verifyRandomAmount")),
        }
    }

    async fn org_name_matches(&self, org_name: &str, number: &str) -> Result<ProviderVerdict, ProviderError> {
        self.compare("v2/identity/verify/organization/enterprise/base", json!({"name": org_name, "orgCode": number}))
            .await
    }
}

/// `message`, refined by `data.errMsg` when e签宝 gives one (never identity data).
fn mismatch_reason(answer: &Answer) -> String {
    match answer.data_str("errMsg").filter(|m| !m.is_empty()) {
        Some(detail) => format!("{}: {detail}", answer.message()),
        None => answer.message().to_owned(),
    }
}

/// A flowId goes into a URL path: e签宝's are digits; accept only URL-safe characters.
fn flow_id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `expiresIn` as epoch milliseconds, given as a string or a number.
fn expiry(value: &Value) -> Option<OffsetDateTime> {
    let millis = match value {
        Value::String(s) => s.trim().parse::<i128>().ok()?,
        Value::Number(n) => i128::from(n.as_i64()?),
        _ => return None,
    };
    OffsetDateTime::from_unix_timestamp_nanos(millis * 1_000_000).ok()
}

/// A transport error, without the URL (the token request's query holds the secret).
fn unreachable_err(err: reqwest::Error, what: &str) -> ProviderError {
    ProviderError::Unavailable(format!("e签宝 {what}: {}", err.without_url()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_parses_and_hides_the_secret() {
        let config = EsignIdentityConfig::parse("esign://7438xx:s%2Fecret@smlopenapi.esign.cn?timeout_secs=5").unwrap();
        assert_eq!((config.app_id.as_str(), config.secret.expose()), ("7438xx", "s/ecret"));
        assert_eq!(config.endpoint.as_str(), "https://smlopenapi.esign.cn/");
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert!(!format!("{config:?}").contains("s/ecret"));
        let local = EsignIdentityConfig::parse("esign://a:b@openapi.esign.cn?endpoint=http://127.0.0.1:9").unwrap();
        assert_eq!(local.endpoint.as_str(), "http://127.0.0.1:9/");
        assert!(EsignIdentityConfig::parse("esign://openapi.esign.cn").is_err());
        assert!(EsignIdentityConfig::parse("esign://a:b@h?typo=1").is_err());
        assert!(EsignIdentityConfig::parse("tencent://a:b@h").is_err());
    }

    #[test]
    fn token_expiry_reads_strings_and_numbers() {
        let at = OffsetDateTime::from_unix_timestamp(1_569_211_376).unwrap() + time::Duration::milliseconds(807);
        assert_eq!(expiry(&json!("1569211376807")), Some(at));
        assert_eq!(expiry(&json!(1569211376807_i64)), Some(at));
        assert_eq!(expiry(&json!(null)), None);
        assert_eq!(expiry(&json!("soon")), None);
    }

    #[test]
    fn flow_ids_stay_in_their_path_segment() {
        assert!(flow_id_ok("799818997188011477"));
        assert!(!flow_id_ok("../v1/oauth2"));
        assert!(!flow_id_ok(""));
    }
}
