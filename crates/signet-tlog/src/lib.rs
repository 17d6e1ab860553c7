//! Transparency-log engine for Signet's evidence store (存证): an append-only Merkle log with
//! RFC 6962 hashing, proofs that any client can check, and signed tree heads.
//!
//! - [`leaf_hash`], [`node_hash`], [`tree_hash`], [`EMPTY_ROOT`]: RFC 6962 §2.1 hashing.
//! - [`append`], [`root`], [`inclusion_proof`], [`consistency_proof`]: the log over a
//!   [`HashStore`] holding one hash per complete subtree (the persistence contract is documented
//!   in [`store`]); O(log n) reads per operation, never a pass over the tree.
//! - [`inclusion_plan`], [`consistency_plan`], [`root_plan`], [`append_reads`]: the same answers
//!   split into "which nodes" and "compute", so an async database can fetch in one query.
//! - [`verify_inclusion`], [`verify_consistency`]: RFC 9162 §2.1.3.2 / §2.1.4.2 verification.
//! - [`TreeHead`], [`sign_tree_head`], [`open_tree_head`]: C2SP checkpoints as signed notes,
//!   signing through [`HeadSigner`] and verifying through a closure.
//!
//! Architecture invariants: no I/O, no clock, no async runtime, no database; a store is anything
//! that can answer `get(level, index)`.

mod checkpoint;
mod error;
mod hash;
mod log;
mod note;
mod plan;
pub mod store;
mod verify;

pub use checkpoint::{Checkpoint, TreeHead, open_tree_head, sign_tree_head};
pub use error::{CheckpointError, HashError, TreeError};
pub use hash::{EMPTY_ROOT, HASH_LEN, Hash, leaf_hash, node_hash, tree_hash};
pub use log::{Appended, append, consistency_proof, inclusion_proof, root};
pub use note::{
    HeadSigner, NoteSignature, SIGNATURE_TYPE_ECDSA, SIGNATURE_TYPE_ED25519, SIGNATURE_TYPE_OTHER, SignedNote, key_id,
    spki_key_id,
};
pub use plan::{ProofPlan, append_reads, consistency_plan, inclusion_plan, root_plan};
pub use store::{HashStore, MemoryStore, NodeId};
pub use verify::{verify_consistency, verify_inclusion};
