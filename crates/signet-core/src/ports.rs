//! The ports the domain needs from the outside world, implemented by `signet-store`.
//!
//! Each method is one atomic unit of work: an implementation runs it in its own transaction,
//! so no transaction type leaks into the domain.

use async_trait::async_trait;
use bytes::Bytes;

use time::OffsetDateTime;

use crate::Result;
use crate::accounts::{AccountId, AccountRecord};
use crate::apps::AppRecord;
use crate::audit::{AuditEntry, AuditRecord};
use crate::authorizations::{AuthorizationId, AuthorizationRecord};
use crate::certificates::CertificateRecord;
use crate::codes::{CodeId, CodeRecord};
use crate::events::{EventId, OutboxEvent};
use crate::evidence::{EvidenceRecord, LogState};
use crate::files::{FileId, FileRecord};
use crate::flows::{FlowId, FlowRecord, FlowStatus};
use crate::ids::AppId;
use crate::links::{LinkId, PageLinkRecord};
use crate::seals::{SealId, SealRecord};
use crate::templates::{TemplateId, TemplateRecord};
use crate::verification::VerificationRecord;
use crate::wosign_orders::WosignOrder;

/// All metadata the service keeps, in one database.
pub trait MetaStore:
    SystemStore
    + AppStore
    + AccountStore
    + CertificateStore
    + AuditStore
    + CounterStore
    + FileStore
    + SealStore
    + TemplateStore
    + FlowStore
    + OutboxStore
    + CodeStore
    + EvidenceStore
    + LinkStore
    + RateStore
    + VerificationStore
    + WosignStore
{
}

impl<T> MetaStore for T where
    T: SystemStore
        + AppStore
        + AccountStore
        + CertificateStore
        + AuditStore
        + CounterStore
        + FileStore
        + SealStore
        + TemplateStore
        + FlowStore
        + OutboxStore
        + CodeStore
        + EvidenceStore
        + LinkStore
        + RateStore
        + VerificationStore
        + WosignStore
{
}

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

/// Accounts. Writes carry their audit entry, appended in the same transaction.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Inserts an account with its first certificate; returns the numeric id (`seq`) assigned.
    /// [`crate::Error::Conflict`] when an active account of the app has the same ID number or third id.
    async fn account_insert(
        &self,
        account: &AccountRecord,
        certificate: Option<&CertificateRecord>,
        audit: &AuditEntry,
    ) -> Result<i64>;
    async fn account_get(&self, app: &AppId, id: &AccountId) -> Result<Option<AccountRecord>>;
    async fn account_get_by_seq(&self, app: &AppId, seq: i64) -> Result<Option<AccountRecord>>;
    async fn account_find_by_third_id(&self, app: &AppId, third_id: &str) -> Result<Option<AccountRecord>>;
    async fn account_find_by_pseudonym(&self, app: &AppId, pseudonym: &str) -> Result<Option<AccountRecord>>;
    /// One page of the app's active accounts in creation order, and how many there are in all.
    async fn account_page(&self, app: &AppId, offset: i64, limit: i64) -> Result<(Vec<AccountRecord>, i64)>;
    /// Replaces the mutable fields, optionally adding a renewed certificate.
    async fn account_update(
        &self,
        account: &AccountRecord,
        new_certificate: Option<&CertificateRecord>,
        audit: &AuditEntry,
    ) -> Result<()>;
}

/// Certificates issued to accounts.
#[async_trait]
pub trait CertificateStore: Send + Sync {
    async fn certificate_get(&self, serial: &str) -> Result<Option<CertificateRecord>>;
    /// Marks a certificate revoked; returns false when it was already revoked or does not exist.
    async fn certificate_revoke(&self, serial: &str, at: OffsetDateTime) -> Result<bool>;
    /// Every certificate, newest first (operator use).
    async fn certificate_list(&self) -> Result<Vec<CertificateRecord>>;
    /// Inserts a certificate issued to no account (`signet ca issue`); [`crate::Error::Conflict`] on a duplicate serial.
    async fn certificate_insert(&self, certificate: &CertificateRecord) -> Result<()>;
}

/// Named counters shared by every process on the database (e.g. RFC 3161 serial numbers).
#[async_trait]
pub trait CounterStore: Send + Sync {
    /// Increments the counter `name` (created at 1) and returns its new value, atomically:
    /// no two callers, in any process, ever get the same value.
    async fn counter_next(&self, name: &str) -> Result<i64>;
}

/// The hash-chained audit trail.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends one entry on its own (for events without another write).
    async fn audit_append(&self, entry: &AuditEntry) -> Result<()>;
    /// The entries of a scope, in order.
    async fn audit_list(&self, app: &AppId, scope: &str) -> Result<Vec<AuditRecord>>;
}

/// Uploaded files.
#[async_trait]
pub trait FileStore: Send + Sync {
    async fn file_insert(&self, file: &FileRecord) -> Result<()>;
    async fn file_get(&self, app: &AppId, id: &FileId) -> Result<Option<FileRecord>>;
}

/// Seals and silent-sign authorizations.
/// Templates of an app; a template never changes once stored.
#[async_trait]
pub trait TemplateStore: Send + Sync {
    async fn template_insert(&self, template: &TemplateRecord) -> Result<()>;
    async fn template_get(&self, app: &AppId, id: &TemplateId) -> Result<Option<TemplateRecord>>;
}

#[async_trait]
pub trait SealStore: Send + Sync {
    /// Inserts a seal; when it is the default, clears the account's previous default in the same transaction.
    async fn seal_insert(&self, seal: &SealRecord) -> Result<()>;
    async fn seal_get(&self, app: &AppId, id: &SealId) -> Result<Option<SealRecord>>;
    /// The account's active seals, default first.
    async fn seal_list(&self, app: &AppId, account: &AccountId) -> Result<Vec<SealRecord>>;
    /// Makes a seal the account's only default.
    async fn seal_set_default(&self, app: &AppId, id: &SealId) -> Result<()>;
    /// Deactivates a seal (kept for evidence; it can no longer be used).
    async fn seal_deactivate(&self, app: &AppId, id: &SealId) -> Result<()>;
    async fn authorization_insert(&self, authorization: &AuthorizationRecord, audit: &AuditEntry) -> Result<()>;
    async fn authorization_list(&self, app: &AppId, account: &AccountId) -> Result<Vec<AuthorizationRecord>>;
    async fn authorization_revoke(
        &self,
        app: &AppId,
        id: &AuthorizationId,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> Result<()>;
}

/// A change to a flow, committed atomically with its audit entries and outbox events.
#[derive(Debug, Clone)]
pub struct FlowChange {
    /// The flow as it must be afterwards (status, documents, signers).
    pub flow: FlowRecord,
    /// Only commit when the stored flow still has this `updated_at` (optimistic concurrency:
    /// another node's change in between makes the commit fail with [`crate::Error::Conflict`]).
    pub expected_updated_at: OffsetDateTime,
    pub audit: Vec<AuditEntry>,
    pub events: Vec<OutboxEvent>,
}

/// WoSignDoc orders (the dialect's `orderNumber` → `signid` → flow).
#[async_trait]
pub trait WosignStore: Send + Sync {
    /// Claims the order number; [`crate::Error::Conflict`] when the app already has it.
    async fn wosign_order_insert(&self, order: &WosignOrder) -> Result<()>;
    async fn wosign_order_get(&self, app: &AppId, order_number: &str) -> Result<Option<WosignOrder>>;
    async fn wosign_order_by_sign_id(&self, app: &AppId, sign_id: &str) -> Result<Option<WosignOrder>>;
    /// Replaces the order stored under `old_sign_id` (an order that ended unsigned) by `order`,
    /// keeping its number; false when that order is no longer there.
    async fn wosign_order_replace(&self, old_sign_id: &str, order: &WosignOrder) -> Result<bool>;
    /// Records the flow of an order once it exists.
    async fn wosign_order_set_flow(&self, sign_id: &str, flow: &FlowId) -> Result<()>;
    /// Leases up to `limit` orders of the automatic policy whose flow is still signing and whose
    /// lease has run out (orders signed on the pages are never claimed).
    async fn wosign_orders_claim(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<WosignOrder>>;
    /// Gives up an order's lease (another pass may drive it at once).
    async fn wosign_order_release(&self, sign_id: &str) -> Result<()>;
}

/// Flows with their documents and signers.
#[async_trait]
pub trait FlowStore: Send + Sync {
    async fn flow_insert(&self, flow: &FlowRecord, audit: &AuditEntry) -> Result<()>;
    async fn flow_get(&self, app: &AppId, id: &FlowId) -> Result<Option<FlowRecord>>;
    /// Applies a change if nobody changed the flow since it was read; otherwise
    /// [`Error::ConcurrentUpdate`](crate::Error::ConcurrentUpdate) and nothing is written.
    async fn flow_update(&self, change: &FlowChange) -> Result<()>;
    /// Open flows whose expiry has passed (for the expiry job), at most `limit`.
    async fn flows_expired(&self, now: OffsetDateTime, limit: i64) -> Result<Vec<(AppId, FlowId)>>;
    /// Counts flows of an app by status (for dashboards and tests).
    async fn flow_count(&self, app: &AppId, status: FlowStatus) -> Result<i64>;
}

/// The callback outbox.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` due, undelivered events with a target, leasing them until `lease_until`
    /// so another node's worker skips them.
    async fn outbox_claim(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<OutboxEvent>>;
    /// Records a delivery attempt: delivered, or when to try again (`None`: give up).
    async fn outbox_record_attempt(
        &self,
        id: &EventId,
        delivered_at: Option<OffsetDateTime>,
        next_attempt_at: Option<OffsetDateTime>,
        error: Option<&str>,
    ) -> Result<()>;
    /// Undelivered events of an app, oldest first (pull mode).
    async fn outbox_pending(&self, app: &AppId, limit: i64) -> Result<Vec<OutboxEvent>>;
    /// Marks an event delivered by the app's own confirmation (pull mode); false if unknown or already done.
    async fn outbox_confirm(&self, app: &AppId, id: &EventId, at: OffsetDateTime) -> Result<bool>;
}

/// Willingness codes.
#[async_trait]
pub trait CodeStore: Send + Sync {
    async fn code_insert(&self, code: &CodeRecord) -> Result<()>;
    /// The newest code of a scope and account.
    async fn code_latest(&self, app: &AppId, scope: &str, account: &AccountId) -> Result<Option<CodeRecord>>;
    /// Counts a wrong attempt.
    async fn code_count_attempt(&self, id: &CodeId) -> Result<()>;
    /// Marks a code used; false when it was used already (by a concurrent request).
    async fn code_consume(&self, id: &CodeId, at: OffsetDateTime) -> Result<bool>;
}

/// The evidence log: entries and the Merkle tree nodes over them.
#[async_trait]
pub trait EvidenceStore: Send + Sync {
    /// Appends the entry as the next leaf (its `leaf_index` is ignored and assigned), storing the
    /// new tree nodes in the same transaction; appends are serialised by the store.
    /// [`crate::Error::Conflict`] when the app already has this sid.
    async fn evidence_append(&self, entry: &EvidenceRecord) -> Result<(u64, LogState)>;
    async fn evidence_get(&self, app: &AppId, id: &str) -> Result<Option<EvidenceRecord>>;
    async fn evidence_by_sid(&self, app: &AppId, sid: &str) -> Result<Option<EvidenceRecord>>;
    /// The current size and root.
    async fn log_state(&self) -> Result<LogState>;
    /// Stored tree nodes by id (missing ones are simply absent).
    async fn log_nodes(
        &self,
        ids: &[signet_tlog::NodeId],
    ) -> Result<std::collections::HashMap<signet_tlog::NodeId, signet_tlog::Hash>>;
}

/// Real-name verification checks. Writes carry their audit entry, appended in the same transaction.
#[async_trait]
pub trait VerificationStore: Send + Sync {
    async fn verification_insert(&self, check: &VerificationRecord, audit: &AuditEntry) -> Result<()>;
    /// An account's checks, newest first.
    async fn verification_list(&self, app: &AppId, account: &AccountId) -> Result<Vec<VerificationRecord>>;
    /// Stores a check's new outcome and attempt count, but only while it is still pending with
    /// `expected_attempts` (two answers racing for one deposit: one wins); false otherwise.
    async fn verification_update(
        &self,
        check: &VerificationRecord,
        expected_attempts: i32,
        audit: &AuditEntry,
    ) -> Result<bool>;
}

/// Page links (signing, authorization and positioning pages).
#[async_trait]
pub trait LinkStore: Send + Sync {
    /// Inserts a link and, in the same transaction, revokes (at its `created_at`) every other live
    /// link of the same app, purpose, flow and account: re-issuing kills the previous link.
    async fn link_insert(&self, link: &PageLinkRecord) -> Result<()>;
    async fn link_by_token_hash(&self, token_hash: &str) -> Result<Option<PageLinkRecord>>;
    async fn link_by_code_hash(&self, code_hash: &str) -> Result<Option<PageLinkRecord>>;
    /// Records that the holder proved willingness on this link.
    async fn link_set_verified(&self, id: &LinkId, at: OffsetDateTime) -> Result<()>;
    /// Revokes a live link; false when it was already revoked or does not exist.
    async fn link_revoke(&self, id: &LinkId, at: OffsetDateTime) -> Result<bool>;
    /// Replaces a live link's `detail` if it still is `expected` (compare-and-set, so two
    /// requests cannot both act on the same state); false when it changed, or the link was
    /// revoked or does not exist.
    async fn link_replace_detail(
        &self,
        id: &LinkId,
        expected: &serde_json::Value,
        detail: &serde_json::Value,
    ) -> Result<bool>;
}

/// Fixed-window counters shared by every node (rate limits must hold across processes).
#[async_trait]
pub trait RateStore: Send + Sync {
    /// Adds one hit to `bucket` in the window starting at `window_start` (unix seconds) and
    /// returns the window's hits including this one, atomically. Windows older than
    /// `forget_before` may be deleted on the way.
    async fn rate_hit(&self, bucket: &str, window_start: i64, forget_before: i64) -> Result<i64>;
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
