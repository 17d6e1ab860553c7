//! Apps: creation, authentication, tokens and callback settings.

use tracing::info;

use super::Signet;
use crate::apps::{App, AppChanges, AppRecord, NewApp};
use crate::ids::AppId;
use crate::tokens::{self, TokenError};
use crate::{Error, Result};

impl Signet {
    /// Creates the operator's bootstrap app unless it exists. Returns whether it was created.
    ///
    /// An existing app keeps its secret: the environment is read on every start, and a changed
    /// variable must not silently rotate credentials that clients already use.
    pub async fn ensure_bootstrap_app(
        &self,
        id: &str,
        secret: &str,
        callback_url: Option<&str>,
        callback_secret: Option<&str>,
    ) -> Result<bool> {
        let id = AppId::parse(id)?;
        if secret.len() < 8 {
            return Err(Error::invalid("appKey", "the bootstrap app key must have at least 8 characters"));
        }
        if self.store.app_get(&id).await?.is_some() {
            return Ok(false);
        }
        let record = self.new_record(id, "bootstrap".into(), secret, callback_url, callback_secret)?;
        match self.store.app_insert(&record).await {
            Ok(()) => {
                info!(app.id = %record.id, "created the bootstrap app");
                Ok(true)
            }
            // Another node created it at the same moment.
            Err(Error::Conflict(_)) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Creates an app with a generated id and secret.
    pub async fn create_app(&self, name: &str) -> Result<NewApp> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::invalid("name", "expected 1 to 100 characters"));
        }
        let id = AppId::parse(&format!("app_{}", crate::random::lowercase_id(16)))?;
        let secret = crate::random::secret(43);
        let record = self.new_record(id, name.to_owned(), &secret, None, None)?;
        self.store.app_insert(&record).await?;
        Ok(NewApp { app: App::from(&record), secret })
    }

    /// Lists every app (operator use).
    pub async fn list_apps(&self) -> Result<Vec<App>> {
        Ok(self.store.app_list().await?.iter().map(App::from).collect())
    }

    /// Replaces an app's secret with a new generated one (operator use).
    pub async fn rotate_app_secret(&self, id: &AppId) -> Result<NewApp> {
        let mut record = self.store.app_get(id).await?.ok_or(Error::NotFound("app"))?;
        let secret = crate::random::secret(43);
        record.secret_hash = self.keys.hash_app_secret(&secret);
        self.store.app_update(&record).await?;
        Ok(NewApp { app: App::from(&record), secret })
    }

    /// Checks an app id and secret; the same error for an unknown id and a wrong secret.
    pub async fn authenticate_app(&self, id: &str, secret: &str) -> Result<App> {
        const REFUSED: Error = Error::Unauthenticated("unknown app id or wrong secret");
        let Ok(id) = AppId::parse(id) else { return Err(REFUSED) };
        let record = self.store.app_get(&id).await?.ok_or(REFUSED)?;
        if !self.keys.app_secret_matches(secret, &record.secret_hash) {
            return Err(REFUSED);
        }
        if record.disabled {
            return Err(Error::Forbidden("this app is disabled".into()));
        }
        Ok(App::from(&record))
    }

    /// Exchanges app credentials for a bearer token; returns the token and its lifetime in seconds.
    pub async fn issue_access_token(&self, id: &str, secret: &str) -> Result<(String, i64)> {
        let app = self.authenticate_app(id, secret).await?;
        let ttl = self.config.token_ttl;
        let token = tokens::issue(&self.keys, &app.id, self.clock.now() + ttl);
        Ok((token, ttl.whole_seconds()))
    }

    /// Resolves a bearer token to its (still enabled) app.
    pub async fn app_for_token(&self, token: &str) -> Result<App> {
        let claims = tokens::verify(&self.keys, token, self.clock.now()).map_err(|err| match err {
            TokenError::Expired => Error::Unauthenticated("access token has expired"),
            TokenError::Malformed | TokenError::BadSignature => Error::Unauthenticated("access token is not valid"),
        })?;
        let record =
            self.store.app_get(&claims.app_id).await?.ok_or(Error::Unauthenticated("access token is not valid"))?;
        if record.disabled {
            return Err(Error::Forbidden("this app is disabled".into()));
        }
        Ok(App::from(&record))
    }

    /// Reads the calling app.
    pub async fn app(&self, id: &AppId) -> Result<App> {
        let record = self.store.app_get(id).await?.ok_or(Error::NotFound("app"))?;
        Ok(App::from(&record))
    }

    /// Changes the calling app's callback settings.
    pub async fn update_app(&self, id: &AppId, changes: AppChanges) -> Result<App> {
        let mut record = self.store.app_get(id).await?.ok_or(Error::NotFound("app"))?;
        if let Some(url) = changes.callback_url {
            record.callback_url = url.map(|u| validate_callback_url(&u)).transpose()?;
        }
        if let Some(secret) = changes.callback_secret {
            record.callback_secret_sealed = secret.map(|s| self.seal_callback_secret(&record.id, &s)).transpose()?;
        }
        self.store.app_update(&record).await?;
        Ok(App::from(&record))
    }

    /// Disables an app (every credential of it is refused) or enables it again; operator only.
    pub async fn set_app_disabled(&self, id: &AppId, disabled: bool) -> Result<App> {
        let mut record = self.store.app_get(id).await?.ok_or(Error::NotFound("app"))?;
        record.disabled = disabled;
        self.store.app_update(&record).await?;
        Ok(App::from(&record))
    }

    /// The app's callback signing secret in clear, if it has one.
    pub(crate) async fn app_callback_secret(&self, id: &AppId) -> Result<Option<Vec<u8>>> {
        let record = self.store.app_get(id).await?.ok_or(Error::NotFound("app"))?;
        record
            .callback_secret_sealed
            .map(|sealed| self.keys.open(&sealed, callback_secret_context(id).as_bytes()))
            .transpose()
    }

    fn new_record(
        &self,
        id: AppId,
        name: String,
        secret: &str,
        callback_url: Option<&str>,
        callback_secret: Option<&str>,
    ) -> Result<AppRecord> {
        let callback_url = callback_url.map(validate_callback_url).transpose()?;
        let callback_secret_sealed = callback_secret.map(|s| self.seal_callback_secret(&id, s)).transpose()?;
        Ok(AppRecord {
            secret_hash: self.keys.hash_app_secret(secret),
            id,
            name,
            callback_url,
            callback_secret_sealed,
            disabled: false,
            created_at: self.clock.now(),
        })
    }

    fn seal_callback_secret(&self, id: &AppId, secret: &str) -> Result<Vec<u8>> {
        if secret.trim().is_empty() || secret.len() > 256 {
            return Err(Error::invalid("callbackSecret", "expected 1 to 256 characters, not only spaces"));
        }
        Ok(self.keys.seal(secret.as_bytes(), callback_secret_context(id).as_bytes()))
    }
}

fn callback_secret_context(id: &AppId) -> String {
    format!("app-callback-secret:{id}")
}

/// Syntax check of a callback target; reachability rules (no private addresses) are enforced
/// at delivery time, after DNS resolution, where they cannot be bypassed by a changed record.
pub(crate) fn validate_callback_url(raw: &str) -> Result<String> {
    let url = url::Url::parse(raw).map_err(|e| Error::invalid("callbackUrl", e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(Error::invalid("callbackUrl", "expected an absolute http or https URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid("callbackUrl", "credentials in the URL are not accepted"));
    }
    Ok(url.into())
}
