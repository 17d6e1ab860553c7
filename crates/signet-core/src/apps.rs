//! Apps: the tenants of a deployment. Every other resource belongs to exactly one app.

use time::OffsetDateTime;

use crate::ids::AppId;

/// An app as stored. The secret is only ever kept as a keyed hash; the callback secret is
/// sealed under the master key because outgoing callbacks must be signed with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRecord {
    pub id: AppId,
    pub name: String,
    pub secret_hash: String,
    pub callback_url: Option<String>,
    pub callback_secret_sealed: Option<Vec<u8>>,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
}

/// An app as the API shows it to its owner: no secret material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub id: AppId,
    pub name: String,
    pub callback_url: Option<String>,
    pub has_callback_secret: bool,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
}

impl From<&AppRecord> for App {
    fn from(record: &AppRecord) -> Self {
        Self {
            id: record.id.clone(),
            name: record.name.clone(),
            callback_url: record.callback_url.clone(),
            has_callback_secret: record.callback_secret_sealed.is_some(),
            disabled: record.disabled,
            created_at: record.created_at,
        }
    }
}

/// A newly created app with its secret, shown once.
#[derive(Debug, Clone)]
pub struct NewApp {
    pub app: App,
    pub secret: String,
}

/// Changes an app may make to itself.
#[derive(Debug, Clone, Default)]
pub struct AppChanges {
    /// `Some(None)` clears the URL.
    pub callback_url: Option<Option<String>>,
    /// `Some(None)` clears the secret.
    pub callback_secret: Option<Option<String>>,
}
