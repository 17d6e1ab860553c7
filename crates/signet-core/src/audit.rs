//! The audit trail: per-scope hash chains of everything done to a flow or an account.
//!
//! Each entry's hash covers the previous entry's hash, so removing or editing an entry breaks
//! every hash after it; [`verify_chain`] checks a whole scope.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::ids::AppId;

/// An entry about to be appended.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub app_id: AppId,
    /// What the entry is about, e.g. `flow:<id>` or `account:<id>`.
    pub scope: String,
    /// What happened, e.g. `account.created`, `flow.signed`.
    pub action: String,
    /// Facts worth keeping (certificate serial, document hashes, ...), as a JSON object.
    pub detail: serde_json::Value,
    pub at: OffsetDateTime,
}

impl AuditEntry {
    pub fn new(app_id: &AppId, scope: String, action: &str, detail: serde_json::Value, at: OffsetDateTime) -> Self {
        Self { app_id: app_id.clone(), scope, action: action.to_owned(), detail, at }
    }
}

/// An entry as stored.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub entry: AuditEntry,
    /// Position in its scope, from 1.
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash before the first entry of a scope.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an entry at position `seq` following `prev_hash` (hex SHA-256 over a canonical,
/// newline-separated rendering; the detail is serialised by `serde_json`, whose object keys are
/// sorted, so the rendering is stable).
pub fn chain_hash(prev_hash: &str, seq: i64, entry: &AuditEntry) -> String {
    let at = entry.at.format(&Rfc3339).unwrap_or_default();
    let mut hasher = Sha256::new();
    for part in [prev_hash, &seq.to_string(), &entry.scope, &entry.action, &entry.detail.to_string(), &at] {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// Checks that `records` (in order) form an unbroken chain from [`GENESIS`].
pub fn verify_chain(records: &[AuditRecord]) -> bool {
    let mut prev = GENESIS.to_owned();
    for (i, record) in records.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        if record.seq != expected_seq || record.prev_hash != prev {
            return false;
        }
        if chain_hash(&prev, record.seq, &record.entry) != record.hash {
            return false;
        }
        prev.clone_from(&record.hash);
    }
    true
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(prev: &str, seq: i64, action: &str) -> AuditRecord {
        let entry = AuditEntry::new(
            &AppId::parse("app-1").unwrap(),
            "flow:f1".into(),
            action,
            json!({"k": "v"}),
            OffsetDateTime::UNIX_EPOCH,
        );
        let hash = chain_hash(prev, seq, &entry);
        AuditRecord { entry, seq, prev_hash: prev.to_owned(), hash }
    }

    #[test]
    fn a_chain_verifies_until_an_entry_is_altered() {
        let first = record(GENESIS, 1, "flow.created");
        let second = record(&first.hash, 2, "flow.started");
        let mut chain = vec![first, second];
        assert!(verify_chain(&chain));
        chain[0].entry.action = "flow.revoked".into();
        assert!(!verify_chain(&chain));
        chain.remove(0);
        assert!(!verify_chain(&chain));
    }
}
