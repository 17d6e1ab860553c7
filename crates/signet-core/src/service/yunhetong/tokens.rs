//! Long-lived tokens (长效令牌) of the dialect: the platform's (an app) and a user's (an app and
//! a `signerId`). Stateless like the native tokens: signed with a key derived from the master key,
//! so any node checks them without a database round trip.

use time::{Duration, OffsetDateTime};

use super::error::{DigestError, DigestResult};
use crate::Error;
use crate::Signet;
use crate::ids::AppId;
use crate::tokens::{TokenError, open_payload, sign_payload};

/// Signing purpose: these tokens can never pass for upload URLs or native tokens.
const PURPOSE: &str = "yunhetong-token-v1";
/// A token with less left than this is renewed in the response's `token` header
/// (the document: "used at minute 11, the response returns an updated token").
pub const RENEW_BEFORE: Duration = Duration::minutes(5);

/// Who a valid token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub app: AppId,
    /// `None` for the platform's own token; the user's numeric id otherwise.
    pub signer: Option<i64>,
    pub expires_at: OffsetDateTime,
}

impl Caller {
    /// Refuses user tokens on platform-only routes.
    pub fn require_platform(&self) -> DigestResult<()> {
        match self.signer {
            None => Ok(()),
            Some(_) => Err(DigestError::PlatformOnly),
        }
    }

    /// Refuses a user token that names another user.
    pub fn require_self_or_platform(&self, signer: i64) -> DigestResult<()> {
        match self.signer {
            Some(own) if own != signer => {
                Err(DigestError::NoPermission("用户无权限: the token belongs to another user".into()))
            }
            _ => Ok(()),
        }
    }
}

impl Signet {
    /// `/auth/login`: checks the app credentials (and the user, if one is named) and issues a token.
    pub async fn yunhetong_login(
        &self,
        app_id: &str,
        app_key: &str,
        signer: Option<i64>,
        ttl: Duration,
    ) -> DigestResult<String> {
        let app = self.authenticate_app(app_id, app_key).await.map_err(|err| match err {
            Error::Unauthenticated(_) => DigestError::LoginFailed,
            other => DigestError::Core(other),
        })?;
        if let Some(seq) = signer {
            self.yunhetong_account(&app.id, seq).await?;
        }
        Ok(self.yunhetong_issue(&Caller { app: app.id, signer, expires_at: self.clock.now() + ttl }))
    }

    /// Checks a token's signature and expiry without touching the database (for renewal).
    pub fn yunhetong_token_claims(&self, token: &str) -> DigestResult<Caller> {
        let payload = open_payload(&self.keys, PURPOSE, token.trim()).map_err(|err| match err {
            TokenError::Expired | TokenError::Malformed | TokenError::BadSignature => DigestError::TokenInvalid,
        })?;
        let text = String::from_utf8(payload).map_err(|_| DigestError::TokenInvalid)?;
        let mut parts = text.split('|');
        let (Some(app), Some(signer), Some(expiry), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DigestError::TokenInvalid);
        };
        let app = AppId::parse(app).map_err(|_| DigestError::TokenInvalid)?;
        let signer = match signer {
            "-" => None,
            n => Some(n.parse::<i64>().map_err(|_| DigestError::TokenInvalid)?),
        };
        let expiry = expiry.parse::<i64>().map_err(|_| DigestError::TokenInvalid)?;
        let expires_at = OffsetDateTime::from_unix_timestamp(expiry).map_err(|_| DigestError::TokenInvalid)?;
        if expires_at <= self.clock.now() {
            return Err(DigestError::TokenExpired);
        }
        Ok(Caller { app, signer, expires_at })
    }

    /// Checks a token and that its app still exists and is enabled.
    pub async fn yunhetong_caller(&self, token: &str) -> DigestResult<Caller> {
        let caller = self.yunhetong_token_claims(token)?;
        let app = self.app(&caller.app).await.map_err(|err| match err {
            Error::NotFound(_) => DigestError::TokenInvalid,
            other => DigestError::Core(other),
        })?;
        if app.disabled {
            return Err(DigestError::Core(Error::Forbidden("this app is disabled".into())));
        }
        Ok(caller)
    }

    /// A fresh token for the same caller when less than [`RENEW_BEFORE`] remains, else `None`.
    pub fn yunhetong_renewal(&self, caller: &Caller, ttl: Duration) -> Option<String> {
        let now = self.clock.now();
        (caller.expires_at - now < RENEW_BEFORE)
            .then(|| self.yunhetong_issue(&Caller { expires_at: now + ttl, ..caller.clone() }))
    }

    fn yunhetong_issue(&self, caller: &Caller) -> String {
        let signer = caller.signer.map_or_else(|| "-".to_owned(), |s| s.to_string());
        let payload = format!("{}|{signer}|{}", caller.app.as_str(), caller.expires_at.unix_timestamp());
        sign_payload(&self.keys, PURPOSE, payload.as_bytes())
    }
}
