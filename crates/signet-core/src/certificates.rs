//! Certificates issued by the built-in CA, kept so they can be renewed, revoked and answered for by OCSP.

use time::OffsetDateTime;

use crate::accounts::AccountId;
use crate::ids::AppId;

/// A certificate as stored, with the custody reference of its private key.
#[derive(Debug, Clone)]
pub struct CertificateRecord {
    /// Upper-case hex of the certificate serial number.
    pub serial: String,
    pub app_id: AppId,
    /// The account it was issued to; `None` for certificates issued from the CLI.
    pub account_id: Option<AccountId>,
    pub certificate_der: Vec<u8>,
    /// The private key, as the key custody returned it (wrapped, or a token object id).
    pub key_ref: Vec<u8>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl CertificateRecord {
    /// Whether the certificate may sign at `now`.
    pub fn usable_at(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.not_before <= now && now < self.not_after
    }
}
