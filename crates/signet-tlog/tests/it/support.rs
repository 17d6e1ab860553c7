//! Shared helpers: deterministic leaves and a store that counts and records its reads.

use std::cell::RefCell;

use signet_tlog::{Hash, HashStore, MemoryStore, NodeId, leaf_hash};

/// The leaf hash of entry `i` of the synthetic logs used by the property tests.
pub fn synthetic_leaf(i: u64) -> Hash {
    leaf_hash(format!("evidence entry {i}").as_bytes())
}

/// A memory store holding `n` synthetic leaves, and those leaves.
pub fn synthetic_log(n: u64) -> (MemoryStore, Vec<Hash>) {
    let mut store = MemoryStore::new();
    let leaves: Vec<Hash> = (0..n).map(synthetic_leaf).collect();
    for (i, leaf) in leaves.iter().enumerate() {
        assert_eq!(store.append(*leaf).unwrap(), i as u64);
    }
    (store, leaves)
}

/// Wraps a store and records every node read through the trait.
pub struct RecordingStore<'a> {
    pub inner: &'a MemoryStore,
    pub reads: RefCell<Vec<NodeId>>,
}

impl<'a> RecordingStore<'a> {
    pub fn new(inner: &'a MemoryStore) -> Self {
        Self { inner, reads: RefCell::new(Vec::new()) }
    }

    /// The reads so far, clearing the record.
    pub fn take(&self) -> Vec<NodeId> {
        std::mem::take(&mut *self.reads.borrow_mut())
    }
}

impl HashStore for RecordingStore<'_> {
    fn get(&self, id: NodeId) -> Option<Hash> {
        self.reads.borrow_mut().push(id);
        self.inner.get(id)
    }
}

/// A copy of `hash` with one bit flipped.
pub fn flip_bit(hash: &Hash, bit: usize) -> Hash {
    let mut bytes = *hash.as_bytes();
    bytes[bit / 8 % 32] ^= 1 << (bit % 8);
    Hash::new(bytes)
}
