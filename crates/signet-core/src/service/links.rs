//! Page links: issue, open (by token or short code), re-derive the token; and the shared rate
//! limiter the pages use for code sending and checking.
//!
//! Purpose-specific use cases (the signing page, the authorization page, the positioning page)
//! build on [`Signet::issue_link`] and [`Signet::open_link`]; see `crate::links` for the model.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::OffsetDateTime;

use super::Signet;
use crate::ids::AppId;
use crate::links::{
    IssuedLink, LinkDead, LinkId, NewLink, PageLinkRecord, RateLimit, SHORT_CODE_ALPHABET, SHORT_CODE_LEN,
};
use crate::{Error, Result};

impl Signet {
    /// Issues a link for `new.purpose` (revoking the previous one of the same subject).
    /// The caller has checked that the subject belongs to `app`.
    pub async fn issue_link(&self, app: &AppId, new: NewLink) -> Result<IssuedLink> {
        let now = self.clock.now();
        let ttl = new.ttl.unwrap_or(self.config.link_validity);
        if ttl <= time::Duration::ZERO || ttl > time::Duration::days(366) {
            return Err(Error::invalid("expiresIn", "expected a lifetime of up to 366 days"));
        }
        let redirect_url = new.redirect_url.as_deref().map(validate_redirect_url).transpose()?;
        if !new.detail.is_object() {
            return Err(Error::Internal("link detail must be an object".into()));
        }
        let id = LinkId::generate();
        let token = self.link_token(&id);
        let code = pick_short_code();
        let record = PageLinkRecord {
            token_hash: self.link_secret_hash("token", &token),
            code_hash: self.link_secret_hash("code", &code),
            id,
            app_id: app.clone(),
            purpose: new.purpose,
            flow_id: new.flow_id,
            account_id: new.account_id,
            detail: new.detail,
            redirect_url,
            expires_at: now + ttl,
            revoked_at: None,
            verified_at: None,
            created_at: now,
        };
        self.store.link_insert(&record).await?;
        Ok(IssuedLink { record, token, code })
    }

    /// The link a token opens, live or not: pages show a dead link's reason ([`LinkDead`]) instead
    /// of its subject. A token that names no link is [`Error::NotFound`].
    pub async fn open_link(&self, token: &str) -> Result<(PageLinkRecord, Option<LinkDead>)> {
        if !crate::links::is_token(token) {
            return Err(Error::NotFound("link"));
        }
        let link = self
            .store
            .link_by_token_hash(&self.link_secret_hash("token", token))
            .await?
            .ok_or(Error::NotFound("link"))?;
        let dead = link.dead_reason(self.clock.now());
        Ok((link, dead))
    }

    /// The page token of a live link named by its short code (for `/s/{code}` redirects).
    pub async fn resolve_short_code(&self, code: &str) -> Result<String> {
        if !crate::links::is_short_code(code) {
            return Err(Error::NotFound("link"));
        }
        let link =
            self.store.link_by_code_hash(&self.link_secret_hash("code", code)).await?.ok_or(Error::NotFound("link"))?;
        // A dead link still redirects: its page explains why it no longer opens anything.
        Ok(self.link_token(&link.id))
    }

    /// Records that the link's holder proved willingness.
    pub async fn mark_link_verified(&self, link: &PageLinkRecord) -> Result<OffsetDateTime> {
        let now = self.clock.now();
        self.store.link_set_verified(&link.id, now).await?;
        Ok(now)
    }

    /// Withdraws a link (it then opens nothing).
    pub async fn revoke_link(&self, link: &PageLinkRecord) -> Result<bool> {
        self.store.link_revoke(&link.id, self.clock.now()).await
    }

    /// Counts one hit on `bucket` and refuses with [`Error::RateLimited`] past the limit.
    /// Counters live in the database, so the limit holds across nodes.
    pub async fn rate_check(&self, bucket: &str, limit: RateLimit) -> Result<()> {
        let now = self.clock.now().unix_timestamp();
        let window = limit.window_seconds.max(1);
        let start = now - now.rem_euclid(window);
        // Keep a day of windows for inspection; older ones go.
        let hits = self.store.rate_hit(bucket, start, start - 86_400.max(window)).await?;
        if hits > limit.max {
            let wait = start + window - now;
            return Err(Error::RateLimited(format!("too many requests; try again in {wait} seconds")));
        }
        Ok(())
    }

    /// The CSRF token a page embeds for `link`, bound to the browser's random `nonce` cookie
    /// (double submit: a cross-site form can neither read the cookie nor compute the MAC).
    pub fn link_csrf_token(&self, link: &LinkId, nonce: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.keys.token_mac(format!("page-link csrf v1\n{link}\n{nonce}").as_bytes()))
    }

    /// Checks a posted CSRF token in constant time.
    pub fn link_csrf_matches(&self, link: &LinkId, nonce: &str, token: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(token) else { return false };
        !nonce.is_empty() && self.keys.token_mac_matches(format!("page-link csrf v1\n{link}\n{nonce}").as_bytes(), &tag)
    }

    /// How long links live unless the issuer says otherwise.
    pub fn link_validity(&self) -> time::Duration {
        self.config.link_validity
    }

    /// The token of a link: a MAC of its id, so every node can re-derive it and none stores it.
    fn link_token(&self, id: &LinkId) -> String {
        URL_SAFE_NO_PAD.encode(self.keys.token_mac(format!("page-link token v1\n{id}").as_bytes()))
    }

    fn link_secret_hash(&self, kind: &str, secret: &str) -> String {
        hex::encode(self.keys.token_mac(format!("page-link {kind} hash v1\n{secret}").as_bytes()))
    }
}

/// A redirect target: an absolute http(s) URL without credentials (same rules as callbacks).
pub(crate) fn validate_redirect_url(raw: &str) -> Result<String> {
    super::apps::validate_callback_url(raw).map_err(|err| match err {
        Error::InvalidInput { reason, .. } => Error::invalid("redirectUrl", reason),
        other => other,
    })
}

fn pick_short_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..SHORT_CODE_LEN).map(|_| SHORT_CODE_ALPHABET[rng.random_range(0..SHORT_CODE_ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_have_their_shape() {
        for _ in 0..100 {
            assert!(crate::links::is_short_code(&pick_short_code()));
        }
    }
}
