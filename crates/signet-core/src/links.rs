//! Page links: the capabilities behind Signet's own web pages (signing pages, silent-sign
//! authorization pages, the initiator's positioning page).
//!
//! A link is a row plus a token. The token is unguessable (an HMAC of the link id under a key
//! derived from the master key, 256 bits) and only its keyed hash is stored, so a database dump
//! opens no page; any node re-derives the token from the id (for `/s/{code}` redirects) without
//! storing it. A short code (10 characters, for SMS) is likewise stored only as a keyed hash.
//!
//! What a link may open is decided by its [`LinkPurpose`] and its subject (flow, account); the
//! purpose-specific rest (e.g. an authorization's seal ids and willingness modes) lives in
//! [`PageLinkRecord::detail`]. Issuing a link for the same purpose and subject revokes the
//! previous one in the same transaction.

use serde_json::Value;
use time::OffsetDateTime;

use crate::accounts::AccountId;
use crate::flows::FlowId;
use crate::ids::AppId;

crate::ids::random_id!(
    /// The identifier of a page link.
    LinkId,
    "link"
);

/// What a link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A signer's signing page for one flow (subject: flow + account).
    Sign,
    /// A silent-sign authorization page (subject: account; seals and modes in `detail`).
    Authorize,
    /// The initiator's drag-positioning page of a draft flow (subject: flow).
    Position,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sign => "sign",
            Self::Authorize => "authorize",
            Self::Position => "position",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Sign, Self::Authorize, Self::Position].into_iter().find(|p| p.as_str() == raw)
    }
}

/// A link as stored: hashes only, never the token or the code.
#[derive(Debug, Clone)]
pub struct PageLinkRecord {
    pub id: LinkId,
    pub app_id: AppId,
    pub purpose: LinkPurpose,
    /// Keyed hash of the token (lookup key).
    pub token_hash: String,
    /// Keyed hash of the short code (lookup key).
    pub code_hash: String,
    pub flow_id: Option<FlowId>,
    pub account_id: Option<AccountId>,
    /// Purpose-specific data in its stored form (an object; `{}` when there is none).
    pub detail: Value,
    /// Where the page sends the person when it is done (checked like a callback URL).
    pub redirect_url: Option<String>,
    pub expires_at: OffsetDateTime,
    /// Set when a newer link replaced this one, or the issuer withdrew it.
    pub revoked_at: Option<OffsetDateTime>,
    /// When the holder proved willingness on this link (a code was accepted).
    pub verified_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl PageLinkRecord {
    /// Why the link no longer opens anything, if it does not.
    pub fn dead_reason(&self, now: OffsetDateTime) -> Option<LinkDead> {
        if self.revoked_at.is_some() {
            Some(LinkDead::Replaced)
        } else if now >= self.expires_at {
            Some(LinkDead::Expired)
        } else {
            None
        }
    }
}

/// Why a link is dead. Pages show each differently; neither opens the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkDead {
    #[error("the link has expired")]
    Expired,
    #[error("the link was replaced by a newer one")]
    Replaced,
}

/// What a caller asks for when issuing a link.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub purpose: LinkPurpose,
    pub flow_id: Option<FlowId>,
    pub account_id: Option<AccountId>,
    pub detail: Value,
    pub redirect_url: Option<String>,
    /// Lifetime; default [`crate::SignetConfig::link_validity`]. It never outlives the flow's deadline.
    pub ttl: Option<time::Duration>,
}

/// A link just issued: the record and the secrets to hand out (shown once, stored hashed).
#[derive(Debug, Clone)]
pub struct IssuedLink {
    pub record: PageLinkRecord,
    /// The page token (`/p/{token}`).
    pub token: String,
    /// The short code (`/s/{code}`).
    pub code: String,
}

/// A rate limit: at most `max` hits per `window_seconds` for one bucket (see `Signet::rate_check`).
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub max: i64,
    pub window_seconds: i64,
}

/// Short codes avoid characters people confuse when reading an SMS (0/o, 1/l/i).
pub(crate) const SHORT_CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// 10 characters of a 31-letter alphabet ≈ 49.5 bits; guessing is further slowed by the
/// per-client rate limit on `/s/`.
pub(crate) const SHORT_CODE_LEN: usize = 10;

/// Whether a string has the shape of a short code (cheap filter before any lookup).
pub fn is_short_code(raw: &str) -> bool {
    raw.len() == SHORT_CODE_LEN && raw.bytes().all(|b| SHORT_CODE_ALPHABET.contains(&b))
}

/// Whether a string has the shape of a page token (43 base64url characters).
pub fn is_token(raw: &str) -> bool {
    raw.len() == 43 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A fresh random value for a browser's CSRF cookie (≈ 190 bits).
pub fn csrf_nonce() -> String {
    crate::random::secret(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip() {
        for p in [LinkPurpose::Sign, LinkPurpose::Authorize, LinkPurpose::Position] {
            assert_eq!(LinkPurpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(LinkPurpose::parse("other"), None);
    }

    #[test]
    fn shapes_are_checked() {
        assert!(is_short_code("abcdefgh23"));
        assert!(!is_short_code("abcdefgh20"));
        assert!(!is_short_code("abc"));
        assert!(is_token(&"A".repeat(43)));
        assert!(!is_token(&"A/".repeat(22)[..43]));
    }
}
