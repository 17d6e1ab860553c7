//! Silent-sign authorization links: an app asks for a link, the account holder opens the
//! authorization page, sees which seals the app may use, proves willingness with an SMS code or
//! a face check, and grants — creating the same authorization as [`Signet::grant_authorization`].
//!
//! A face check runs at the deployment's [`FaceVerifier`]: the page starts it with a return URL
//! holding a fresh random key, and the provider's session id (e.g. FaceID's BizToken) is kept
//! server-side in the link's `detail` as keyed hashes of both. The browser's return is believed
//! only if key and session id match what was stored; either way the stored session is used up,
//! so a forged or replayed return cannot be tried again. Only then is the provider asked whether
//! the check passed. No face data ever reaches Signet.

use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::Signet;
use super::accounts::account_scope;
use crate::accounts::{AccountKind, AccountRecord};
use crate::audit::AuditEntry;
use crate::authorizations::AuthorizationRecord;
use crate::codes::CodeSent;
use crate::identity::IdType;
use crate::ids::AppId;
use crate::links::{IssuedLink, LinkDead, LinkPurpose, NewLink, PageLinkRecord};
use crate::notify::Channel;
use crate::seals::{SealId, SealRecord};
use crate::verification::VerificationStatus;
use crate::{Error, Result};

/// An authorization granted on the page lasts until it is revoked.
pub const UNTIL_REVOKED: OffsetDateTime = datetime!(2099-12-31 23:59:59 UTC);

/// How long a started face check waits for the browser's return.
pub const FACE_SESSION_TTL: Duration = Duration::minutes(30);
/// The key of the pending face check in a link's `detail`.
const FACE_SESSION: &str = "faceSession";
/// The willingness mode as the audit trail names it (the vendors' name).
const FACE_MODE: &str = "PSN_FACE";

/// Why a face check cannot start for a page; pages say each in their own language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FaceRefusal {
    #[error("face verification is not available on this service")]
    NotConfigured,
    #[error("this authorization link does not offer face verification")]
    NotOffered,
    #[error("an organisation's face verification is its agent's, and this organisation has no agent")]
    NoAgent,
    #[error("the organisation's agent is not an active person and cannot take a face verification")]
    AgentUnfit,
    #[error("face verification needs a mainland resident ID")]
    NotResidentId,
}

/// Why no face check was started.
#[derive(Debug, thiserror::Error)]
pub enum FaceStartError {
    #[error(transparent)]
    Refused(#[from] FaceRefusal),
    #[error(transparent)]
    Core(#[from] Error),
}

/// How a face check's return ended when it was genuine.
#[derive(Debug, Clone)]
pub enum FaceReturn {
    /// The check passed: the authorization is granted and the link used up.
    Granted(Box<(AuthorizationRecord, AuthorizationPage)>),
    /// The provider says the check did not pass; the page offers a retry and the SMS code.
    Failed(Box<AuthorizationPage>),
}

/// How the holder may prove willingness on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WillingnessMode {
    /// A code sent by SMS to the account's mobile.
    Sms,
    /// A face check through the deployment's [`crate::verification::FaceVerifier`].
    Face,
}

impl WillingnessMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Face => "face",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        [Self::Sms, Self::Face].into_iter().find(|m| m.as_str() == raw)
    }
}

/// What an app asks for.
#[derive(Debug, Clone)]
pub struct AuthorizationLinkRequest {
    pub account_id: String,
    /// `None`: all of the account's seals, present and future.
    pub seal_ids: Option<Vec<String>>,
    /// Offered modes, in the app's order; empty means SMS.
    pub modes: Vec<WillingnessMode>,
    /// How long the link opens the page; `None`: the deployment's link validity.
    pub link_ttl: Option<Duration>,
    pub redirect_url: Option<String>,
    /// Seconds the done page waits before following `redirect_url`.
    pub redirect_delay_secs: u32,
}

/// Why no link was issued; dialects map each to their own code.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizationLinkRefusal {
    /// A requested seal is not one of the account's active seals.
    #[error("seal {0} does not exist")]
    SealNotFound(String),
    /// The requested seals are all covered by an active authorization already.
    #[error("the seals are already authorized")]
    AlreadyAuthorized,
    /// Organisations must pass real-name verification first.
    #[error("the organisation has not passed real-name verification")]
    OrganisationUnverified,
    /// An unverified person whose recorded name and ID number failed verification.
    #[error("the person's name and ID number failed verification; correct them first")]
    PersonIdentityRejected,
    #[error(transparent)]
    Core(#[from] Error),
}

/// The native API reports refusals with the domain's own codes.
impl From<AuthorizationLinkRefusal> for Error {
    fn from(refusal: AuthorizationLinkRefusal) -> Self {
        match refusal {
            AuthorizationLinkRefusal::SealNotFound(id) => Error::invalid("sealIds", format!("no seal {id}")),
            AuthorizationLinkRefusal::Core(err) => err,
            other => Error::Conflict(other.to_string()),
        }
    }
}

/// Everything the authorization page shows.
#[derive(Debug, Clone)]
pub struct AuthorizationPage {
    pub link: PageLinkRecord,
    /// Why the page opens nothing, if it does not (expired, replaced, already used).
    pub dead: Option<LinkDead>,
    pub account: AccountRecord,
    /// The seals that will be authorized (all active seals when the link names none).
    pub seals: Vec<SealRecord>,
    /// Whether the link covers every seal, including later ones.
    pub all_seals: bool,
    /// Offered modes the deployment can serve, in the app's order.
    pub modes: Vec<WillingnessMode>,
    /// Modes the app asked for that this deployment cannot serve (face without a verifier).
    pub unavailable_modes: Vec<WillingnessMode>,
    pub redirect_delay_secs: u32,
    /// When the granted authorization ends.
    pub authorization_expires_at: OffsetDateTime,
}

impl Signet {
    /// Issues an authorization link for an account of `app` after the checks the vendors make.
    pub async fn request_authorization_link(
        &self,
        app: &AppId,
        request: AuthorizationLinkRequest,
    ) -> std::result::Result<IssuedLink, AuthorizationLinkRefusal> {
        let account = self.account(app, &request.account_id).await?;
        if !account.active {
            return Err(Error::NotFound("account").into());
        }
        let verification = self.verification_of(&account).await?;
        match account.kind {
            AccountKind::Org if !verification.is_verified() => {
                return Err(AuthorizationLinkRefusal::OrganisationUnverified);
            }
            AccountKind::Person if verification.status == VerificationStatus::Failed => {
                return Err(AuthorizationLinkRefusal::PersonIdentityRejected);
            }
            _ => {}
        }
        let seals = self.store.seal_list(app, &account.id).await?;
        let requested: Option<Vec<SealId>> = match &request.seal_ids {
            None => None,
            Some(ids) if ids.is_empty() => {
                return Err(Error::invalid("sealIds", "name at least one seal or none").into());
            }
            Some(ids) => {
                let mut found = Vec::new();
                for raw in ids {
                    let seal = seals.iter().find(|s| s.id.as_str() == raw.trim());
                    let seal = seal.ok_or_else(|| AuthorizationLinkRefusal::SealNotFound(raw.clone()))?;
                    if !found.contains(&seal.id) {
                        found.push(seal.id.clone());
                    }
                }
                Some(found)
            }
        };
        let now = self.clock.now();
        let active: Vec<AuthorizationRecord> = self
            .store
            .authorization_list(app, &account.id)
            .await?
            .into_iter()
            .filter(|a| a.revoked_at.is_none() && now < a.expires_at)
            .collect();
        let covered = |seal: &SealId| active.iter().any(|a| a.allows(Some(seal), now));
        let already = match &requested {
            None => active.iter().any(|a| a.seal_ids.is_empty()),
            Some(ids) => ids.iter().all(covered),
        };
        if already {
            return Err(AuthorizationLinkRefusal::AlreadyAuthorized);
        }
        let modes = if request.modes.is_empty() { vec![WillingnessMode::Sms] } else { request.modes.clone() };
        let detail = json!({
            "sealIds": requested.as_ref().map(|ids| ids.iter().map(SealId::as_str).collect::<Vec<_>>()),
            "modes": modes.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "redirectDelaySecs": request.redirect_delay_secs.min(60),
        });
        let new = NewLink {
            purpose: LinkPurpose::Authorize,
            flow_id: None,
            account_id: Some(account.id.clone()),
            detail,
            redirect_url: request.redirect_url.clone(),
            ttl: request.link_ttl,
        };
        Ok(self.issue_link(app, new).await?)
    }

    /// What the authorization page behind `token` shows.
    pub async fn authorization_page(&self, token: &str) -> Result<AuthorizationPage> {
        let (link, dead) = self.open_link(token).await?;
        if link.purpose != LinkPurpose::Authorize {
            return Err(Error::NotFound("link"));
        }
        let account_id = link.account_id.clone().ok_or(Error::NotFound("link"))?;
        let account = self.account(&link.app_id, account_id.as_str()).await?;
        let all = self.store.seal_list(&link.app_id, &account.id).await?;
        let named: Option<Vec<String>> = match link.detail.get("sealIds") {
            Some(Value::Array(ids)) => Some(ids.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
            _ => None,
        };
        let seals = match &named {
            None => all,
            Some(ids) => all.into_iter().filter(|s| ids.iter().any(|id| id == s.id.as_str())).collect(),
        };
        let asked: Vec<WillingnessMode> = link
            .detail
            .get("modes")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).filter_map(WillingnessMode::parse).collect())
            .unwrap_or_default();
        let (mut modes, unavailable): (Vec<_>, Vec<_>) =
            asked.into_iter().partition(|m| *m == WillingnessMode::Sms || self.face.is_some());
        if modes.is_empty() {
            // The app asked only for what this deployment cannot do: offer SMS instead.
            modes.push(WillingnessMode::Sms);
        }
        let redirect_delay_secs =
            link.detail.get("redirectDelaySecs").and_then(Value::as_u64).unwrap_or(3).min(60) as u32;
        Ok(AuthorizationPage {
            dead,
            account,
            seals,
            all_seals: named.is_none(),
            modes,
            unavailable_modes: unavailable,
            redirect_delay_secs,
            authorization_expires_at: UNTIL_REVOKED,
            link,
        })
    }

    /// Sends the page's SMS code to the account's mobile.
    pub async fn send_authorization_code(&self, token: &str) -> Result<CodeSent> {
        let page = self.live_authorization_page(token).await?;
        self.send_code(&page.account, &code_scope(&page.link), Channel::Sms, 6, &account_scope(&page.account.id)).await
    }

    /// Checks the code and grants the authorization the page shows; the link is then used up.
    pub async fn grant_authorization_by_link(
        &self,
        token: &str,
        code: &str,
    ) -> Result<(AuthorizationRecord, AuthorizationPage)> {
        let page = self.live_authorization_page(token).await?;
        self.check_code(&page.account, &code_scope(&page.link), code).await?;
        let record = self.grant_page(&page).await?;
        Ok((record, page))
    }

    /// Starts a face check for the page's account (an organisation's agent) and returns the
    /// provider's URL to send the browser to. `return_url` builds the URL the provider sends the
    /// browser back to from a fresh random key.
    pub async fn start_face_authorization(
        &self,
        token: &str,
        return_url: impl FnOnce(&str) -> String,
    ) -> std::result::Result<String, FaceStartError> {
        let face = self.face.clone().ok_or(FaceRefusal::NotConfigured)?;
        let page = self.live_authorization_page(token).await?;
        if !page.modes.contains(&WillingnessMode::Face) {
            return Err(FaceRefusal::NotOffered.into());
        }
        let person = self.face_subject(&page.account).await?;
        let id_number = self.account_id_number(&person)?;
        let key = crate::random::secret(32);
        let session = face.start(&person.name, &id_number, &return_url(&key)).await.map_err(Error::Provider)?;
        let now = self.clock.now();
        let mut detail = page.link.detail.clone();
        detail[FACE_SESSION] = json!({
            "key": self.face_hash(&page.link, "key", &key),
            "session": self.face_hash(&page.link, "session", &session.id),
            "startedAt": now.unix_timestamp(),
        });
        // A later start replaces an earlier one; two at once cannot both be stored.
        if !self.store.link_replace_detail(&page.link.id, &page.link.detail, &detail).await? {
            return Err(Error::ConcurrentUpdate("authorization link").into());
        }
        let audit = json!({"mode": FACE_MODE, "linkId": page.link.id.as_str(), "person": person.id.as_str()});
        self.audit_face(&page, "willingness.face_started", audit, now).await?;
        Ok(session.url)
    }

    /// Handles the browser's return from the face check: `key` from the return path,
    /// `session_id` as the provider added it to the query. A return that does not match the
    /// pending check is [`Error::Forbidden`] and grants nothing.
    pub async fn finish_face_authorization(
        &self,
        token: &str,
        key: &str,
        session_id: Option<&str>,
    ) -> Result<FaceReturn> {
        let face = self.face.clone().ok_or_else(|| Error::Conflict(FaceRefusal::NotConfigured.to_string()))?;
        let mut page = self.live_authorization_page(token).await?;
        let forged = || Error::Forbidden("this face verification return does not match a started check".into());
        let Some(session) = page.link.detail.get(FACE_SESSION).cloned().filter(Value::is_object) else {
            return Err(forged());
        };
        let mut rest = page.link.detail.clone();
        if let Some(fields) = rest.as_object_mut() {
            fields.remove(FACE_SESSION);
        }
        // Any return uses the pending check up, so a concurrent or replayed one finds nothing.
        if !self.store.link_replace_detail(&page.link.id, &page.link.detail, &rest).await? {
            return Err(forged());
        }
        page.link.detail = rest;
        let now = self.clock.now();
        let fresh = session["startedAt"]
            .as_i64()
            .and_then(|at| OffsetDateTime::from_unix_timestamp(at).ok())
            .is_some_and(|at| now < at + FACE_SESSION_TTL);
        let genuine = session_id.filter(|id| {
            self.face_hash_matches(&page.link, "key", key, &session["key"])
                && self.face_hash_matches(&page.link, "session", id, &session["session"])
        });
        let (Some(session_id), true) = (genuine, fresh) else {
            let detail = json!({"mode": FACE_MODE, "linkId": page.link.id.as_str(), "expired": !fresh});
            self.audit_face(&page, "willingness.face_return_refused", detail, now).await?;
            return Err(forged());
        };
        let passed = face.passed(session_id).await.map_err(Error::Provider)?;
        // The provider's session id is its reference for support cases; no face data is kept.
        let detail = json!({"mode": FACE_MODE, "linkId": page.link.id.as_str(), "providerRef": session_id});
        if !passed {
            self.audit_face(&page, "willingness.face_failed", detail, now).await?;
            return Ok(FaceReturn::Failed(Box::new(page)));
        }
        self.audit_face(&page, "willingness.face_passed", detail, now).await?;
        let record = self.grant_page(&page).await?;
        Ok(FaceReturn::Granted(Box::new((record, page))))
    }

    /// Grants what the page shows once willingness is proven; the link is then used up.
    async fn grant_page(&self, page: &AuthorizationPage) -> Result<AuthorizationRecord> {
        self.mark_link_verified(&page.link).await?;
        let seal_ids: Vec<String> =
            if page.all_seals { Vec::new() } else { page.seals.iter().map(|s| s.id.to_string()).collect() };
        let record = self
            .grant_authorization(&page.link.app_id, page.account.id.as_str(), &seal_ids, page.authorization_expires_at)
            .await?;
        // One grant per link: a second submission finds it revoked.
        self.revoke_link(&page.link).await?;
        Ok(record)
    }

    /// Whose face is checked: a person's own; an organisation's agent's.
    async fn face_subject(&self, account: &AccountRecord) -> std::result::Result<AccountRecord, FaceStartError> {
        let person = match (account.kind, &account.agent_id) {
            (AccountKind::Person, _) => account.clone(),
            (AccountKind::Org, Some(agent)) => self.account(&account.app_id, agent.as_str()).await?,
            (AccountKind::Org, None) => return Err(FaceRefusal::NoAgent.into()),
        };
        if person.kind != AccountKind::Person || !person.active {
            return Err(FaceRefusal::AgentUnfit.into());
        }
        // Face checks compare with the photo of a mainland resident ID.
        if person.id_type != IdType::ResidentId {
            return Err(FaceRefusal::NotResidentId.into());
        }
        Ok(person)
    }

    /// A keyed hash of a face check's secret, bound to the link (the database alone reveals
    /// neither the return key nor the provider's session id).
    fn face_hash(&self, link: &PageLinkRecord, kind: &str, secret: &str) -> String {
        hex::encode(self.keys.token_mac(face_hash_input(link, kind, secret).as_bytes()))
    }

    fn face_hash_matches(&self, link: &PageLinkRecord, kind: &str, presented: &str, stored: &Value) -> bool {
        let Some(tag) = stored.as_str().and_then(|h| hex::decode(h).ok()) else { return false };
        self.keys.token_mac_matches(face_hash_input(link, kind, presented).as_bytes(), &tag)
    }

    async fn audit_face(
        &self,
        page: &AuthorizationPage,
        action: &str,
        detail: Value,
        at: OffsetDateTime,
    ) -> Result<()> {
        let entry = AuditEntry::new(&page.link.app_id, account_scope(&page.account.id), action, detail, at);
        self.store.audit_append(&entry).await
    }

    async fn live_authorization_page(&self, token: &str) -> Result<AuthorizationPage> {
        let page = self.authorization_page(token).await?;
        if let Some(dead) = page.dead {
            return Err(Error::Conflict(dead.to_string()));
        }
        if !page.all_seals && page.seals.is_empty() {
            return Err(Error::Conflict("the seals of this link no longer exist".into()));
        }
        Ok(page)
    }
}

fn code_scope(link: &PageLinkRecord) -> String {
    format!("authorize-link:{}", link.id)
}

fn face_hash_input(link: &PageLinkRecord, kind: &str, secret: &str) -> String {
    format!("authorize-face {kind} v1\n{}\n{secret}", link.id)
}
