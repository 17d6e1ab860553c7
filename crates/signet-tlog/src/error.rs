//! Typed errors of the engine. Verification answers `bool`; these are for bad requests and
//! for stores that do not hold what the persistence contract promises.

use crate::store::NodeId;

/// A byte string that cannot be a [`crate::Hash`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// A hash must be exactly 32 bytes.
    #[error("a hash has 32 bytes, got {len}")]
    Length { len: usize },
    /// The text is not hexadecimal.
    #[error("a hash in hex has 64 hexadecimal digits")]
    NotHex,
}

/// A log operation that cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("cannot prove consistency from size {old} to the smaller size {new}")]
    SizeOrder { old: u64, new: u64 },
    /// A consistency proof from the empty tree was asked for; it would prove nothing.
    #[error("a consistency proof needs a non-empty old tree")]
    EmptyOldTree,
    /// The tree would exceed 2^64 - 1 leaves.
    #[error("the log is full")]
    Full,
    /// The store lacks a node that the persistence contract requires at this size.
    #[error("the store has no hash for node (level {}, index {})", .0.level, .0.index)]
    MissingNode(NodeId),
    /// Nodes were handed to an in-memory store out of append order.
    #[error("node (level {}, index {}) is not the next one on its level", .0.level, .0.index)]
    OutOfOrder(NodeId),
}

/// A tree head or signed note that cannot be built, read or trusted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The checkpoint body is not the C2SP tlog-checkpoint format.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    /// The note is not the C2SP signed-note format.
    #[error("malformed signed note: {0}")]
    MalformedNote(&'static str),
    /// An origin or key name that the formats forbid (empty, spaces, '+', control characters).
    #[error("invalid name {0:?}: it must be non-empty, without spaces, '+' or control characters")]
    InvalidName(String),
    /// The checkpoint has no `timestamp_ms` extension line, so it is not a Signet tree head.
    #[error("the checkpoint carries no timestamp_ms extension line")]
    MissingTimestamp,
    /// No signature line carries the expected key name and key ID.
    #[error("the note has no signature by {key_name}")]
    NoSignatureByKey { key_name: String },
    /// A signature line by the expected key did not verify.
    #[error("the signature by {key_name} does not verify")]
    BadSignature { key_name: String },
    /// The signer (e.g. an HSM) failed.
    #[error("signing the tree head failed")]
    Signer(#[source] Box<dyn std::error::Error + Send + Sync>),
}
