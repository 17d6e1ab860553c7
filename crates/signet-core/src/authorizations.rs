//! Silent-sign authorizations (静默签署授权): an account lets the app sign for it without asking.

use time::OffsetDateTime;

use crate::accounts::AccountId;
use crate::ids::AppId;
use crate::seals::SealId;

crate::ids::random_id!(
    /// The public identifier of an authorization.
    AuthorizationId,
    "authorization"
);

/// An authorization as stored.
#[derive(Debug, Clone)]
pub struct AuthorizationRecord {
    pub id: AuthorizationId,
    pub app_id: AppId,
    pub account_id: AccountId,
    /// Seals it covers; empty means all of the account's seals.
    pub seal_ids: Vec<SealId>,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl AuthorizationRecord {
    /// Whether it allows signing with `seal` at `now`.
    pub fn allows(&self, seal: Option<&SealId>, now: OffsetDateTime) -> bool {
        let seal_ok = self.seal_ids.is_empty() || seal.is_some_and(|s| self.seal_ids.contains(s));
        self.revoked_at.is_none() && now < self.expires_at && seal_ok
    }
}
