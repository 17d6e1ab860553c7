//! Evidence (存证): hashes of documents entered into an append-only Merkle log (RFC 6962), so
//! anyone holding a signed tree head can check that an entry was logged and never removed.

use time::OffsetDateTime;

use crate::ids::AppId;

crate::ids::random_id!(
    /// The identifier of an evidence entry.
    EvidenceId,
    "evidence"
);

/// An entry as stored.
#[derive(Debug, Clone)]
pub struct EvidenceRecord {
    pub id: EvidenceId,
    pub app_id: AppId,
    /// The caller's own reference, unique within the app (4 to 50 characters).
    pub sid: String,
    /// Hex SHA-256 of the evidenced content.
    pub sha256: String,
    /// Position in the log (set by the store).
    pub leaf_index: u64,
    pub created_at: OffsetDateTime,
}

impl EvidenceRecord {
    /// The bytes that become the log leaf: every field that identifies the entry, one per line.
    pub fn leaf_data(&self) -> Vec<u8> {
        let ms = self.created_at.unix_timestamp_nanos() / 1_000_000;
        format!("signet-evidence/v1\n{}\n{}\n{}\n{}\n{ms}\n", self.id, self.app_id, self.sid, self.sha256).into_bytes()
    }
}

/// The state of the log after an append, or when a proof was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogState {
    pub size: u64,
    pub root: signet_tlog::Hash,
}
