//! The ports the domain needs from the outside world, implemented by `signet-store`.
//!
//! Each method is one atomic unit of work: an implementation runs it in its own transaction,
//! so no transaction type leaks into the domain.

use async_trait::async_trait;
use bytes::Bytes;

use crate::Result;
use crate::apps::AppRecord;
use crate::ids::AppId;

/// All metadata the service keeps, in one database.
pub trait MetaStore: SystemStore + AppStore {}

impl<T: SystemStore + AppStore> MetaStore for T {}

/// Deployment-wide records: the CA material, the master-key check value, ...
#[async_trait]
pub trait SystemStore: Send + Sync {
    /// Answers when the database is reachable.
    async fn ping(&self) -> Result<()>;

    /// Reads a system record.
    async fn system_get(&self, key: &str) -> Result<Option<Vec<u8>>>;

    /// Stores `value` under `key` unless a value is already there, and returns the stored value.
    ///
    /// When several nodes start at once, exactly one value wins and every node gets that one.
    async fn system_put_if_absent(&self, key: &str, value: &[u8]) -> Result<Vec<u8>>;
}

/// Apps (tenants).
#[async_trait]
pub trait AppStore: Send + Sync {
    /// Inserts a new app; [`crate::Error::Conflict`] when the id exists.
    async fn app_insert(&self, app: &AppRecord) -> Result<()>;
    async fn app_get(&self, id: &AppId) -> Result<Option<AppRecord>>;
    async fn app_list(&self) -> Result<Vec<AppRecord>>;
    /// Replaces the mutable fields of an existing app; [`crate::Error::NotFound`] when absent.
    async fn app_update(&self, app: &AppRecord) -> Result<()>;
}

/// The content-addressed key of a stored object: `sha256/<hex>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobKey(String);

impl BlobKey {
    /// The key for content with this SHA-256 digest.
    pub fn for_sha256(digest: &[u8; 32]) -> Self {
        Self(format!("sha256/{}", hex::encode(digest)))
    }

    /// Parses a stored key, refusing anything that is not `sha256/<64 hex>`.
    pub fn parse(raw: &str) -> Option<Self> {
        let hex = raw.strip_prefix("sha256/")?;
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
            .then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Immutable document storage. Objects are content-addressed, so nothing is ever overwritten
/// with different bytes, and a signed revision is always a new object.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Answers when the object store is reachable.
    async fn ping(&self) -> Result<()>;
    /// Stores the bytes (atomically: a reader never sees a partial object) and returns their key.
    async fn put(&self, bytes: Bytes) -> Result<BlobKey>;
    /// Reads a whole object; [`crate::Error::NotFound`] when absent.
    async fn get(&self, key: &BlobKey) -> Result<Bytes>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_keys_are_confined_to_their_namespace() {
        assert!(BlobKey::parse("sha256/../../etc/passwd").is_none());
        assert!(BlobKey::parse(&format!("sha256/{}", "A".repeat(64))).is_none());
        let key = BlobKey::for_sha256(&[0xab; 32]);
        assert_eq!(BlobKey::parse(key.as_str()), Some(key));
    }
}
