//! Silent-sign authorization links: an app asks for a link, the account holder opens the
//! authorization page, sees which seals the app may use, proves willingness with an SMS code,
//! and grants — creating the same authorization as [`Signet::grant_authorization`].

use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::Signet;
use super::accounts::account_scope;
use crate::accounts::{AccountKind, AccountRecord};
use crate::authorizations::AuthorizationRecord;
use crate::codes::CodeSent;
use crate::ids::AppId;
use crate::links::{IssuedLink, LinkDead, LinkPurpose, NewLink, PageLinkRecord};
use crate::notify::Channel;
use crate::seals::{SealId, SealRecord};
use crate::verification::VerificationStatus;
use crate::{Error, Result};

/// An authorization granted on the page lasts until it is revoked.
pub const UNTIL_REVOKED: OffsetDateTime = datetime!(2099-12-31 23:59:59 UTC);

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
        self.mark_link_verified(&page.link).await?;
        let seal_ids: Vec<String> =
            if page.all_seals { Vec::new() } else { page.seals.iter().map(|s| s.id.to_string()).collect() };
        let record = self
            .grant_authorization(&page.link.app_id, page.account.id.as_str(), &seal_ids, page.authorization_expires_at)
            .await?;
        // One grant per link: a second submission finds it revoked.
        self.revoke_link(&page.link).await?;
        Ok((record, page))
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
