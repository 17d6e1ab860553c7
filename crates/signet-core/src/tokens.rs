//! Stateless bearer tokens.
//!
//! A token is `v1.<base64url(app id | expiry)>.<base64url(HMAC)>`. Every node derives the same
//! token key from the shared master key, so any node can check a token another node issued
//! without a database round trip, which keeps `signet serve` processes stateless.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::OffsetDateTime;

use crate::ids::AppId;
use crate::secrets::SecretKeys;

const PREFIX: &str = "v1";

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    pub app_id: AppId,
    pub expires_at: OffsetDateTime,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed")]
    Malformed,
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token has expired")]
    Expired,
}

/// Issues a token for `app_id` valid until `expires_at`.
pub fn issue(keys: &SecretKeys, app_id: &AppId, expires_at: OffsetDateTime) -> String {
    let payload = format!("{}|{}", app_id.as_str(), expires_at.unix_timestamp());
    let tag = keys.token_mac(payload.as_bytes());
    format!("{PREFIX}.{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
}

/// Checks a token's signature and expiry at `now`.
pub fn verify(keys: &SecretKeys, token: &str, now: OffsetDateTime) -> Result<TokenClaims, TokenError> {
    let mut parts = token.split('.');
    let (Some(PREFIX), Some(payload), Some(tag), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenError::Malformed)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| TokenError::Malformed)?;
    if !keys.token_mac_matches(&payload, &tag) {
        return Err(TokenError::BadSignature);
    }
    let payload = String::from_utf8(payload).map_err(|_| TokenError::Malformed)?;
    let (app_id, expiry) = payload.rsplit_once('|').ok_or(TokenError::Malformed)?;
    let expiry: i64 = expiry.parse().map_err(|_| TokenError::Malformed)?;
    let expires_at = OffsetDateTime::from_unix_timestamp(expiry).map_err(|_| TokenError::Malformed)?;
    if expires_at <= now {
        return Err(TokenError::Expired);
    }
    let app_id = AppId::parse(app_id).map_err(|_| TokenError::Malformed)?;
    Ok(TokenClaims { app_id, expires_at })
}

/// Signs an arbitrary payload for `purpose` into a URL-safe token (`<payload>.<mac>`, base64url).
///
/// Used for short-lived capabilities such as upload and download URLs: the server keeps no
/// state, and any node can check the token.
pub fn sign_payload(keys: &SecretKeys, purpose: &str, payload: &[u8]) -> String {
    let tag = keys.token_mac(&purpose_bound(purpose, payload));
    format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
}

/// Checks a token made by [`sign_payload`] for the same `purpose` and returns its payload.
pub fn open_payload(keys: &SecretKeys, purpose: &str, token: &str) -> Result<Vec<u8>, TokenError> {
    let (payload, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenError::Malformed)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| TokenError::Malformed)?;
    if keys.token_mac_matches(&purpose_bound(purpose, &payload), &tag) {
        Ok(payload)
    } else {
        Err(TokenError::BadSignature)
    }
}

fn purpose_bound(purpose: &str, payload: &[u8]) -> Vec<u8> {
    let mut data = format!("{purpose}\n").into_bytes();
    data.extend_from_slice(payload);
    data
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;

    #[test]
    fn token_round_trips_and_expires() {
        let keys = SecretKeys::derive(&[3; 32]);
        let app = AppId::parse("app-1").unwrap();
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let token = issue(&keys, &app, now + Duration::minutes(15));
        assert_eq!(verify(&keys, &token, now).unwrap().app_id, app);
        assert_eq!(verify(&keys, &token, now + Duration::minutes(15)), Err(TokenError::Expired));
    }

    #[test]
    fn tampered_or_foreign_tokens_are_refused() {
        let keys = SecretKeys::derive(&[3; 32]);
        let app = AppId::parse("app-1").unwrap();
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let token = issue(&keys, &app, now + Duration::minutes(15));
        let other = issue(&keys, &AppId::parse("app-2").unwrap(), now + Duration::minutes(15));
        let forged = format!("{}.{}", &token[..token.rfind('.').unwrap()], other.rsplit('.').next().unwrap());
        assert_eq!(verify(&keys, &forged, now), Err(TokenError::BadSignature));
        assert_eq!(verify(&SecretKeys::derive(&[4; 32]), &token, now), Err(TokenError::BadSignature));
        assert_eq!(verify(&keys, "garbage", now), Err(TokenError::Malformed));
        assert_eq!(verify(&keys, "v1.!!.??", now), Err(TokenError::Malformed));
    }
}
