//! Where the log keeps its hashes: one hash per *complete* subtree, addressed by (level, index).
//!
//! # Persistence contract
//!
//! Node `(level k, index i)` is the root of the perfect subtree over leaves
//! `[i * 2^k, (i + 1) * 2^k)`; level 0 holds the leaf hashes themselves. After `n` appends the
//! store must hold exactly the nodes with `(i + 1) * 2^k <= n`, i.e. every complete subtree:
//! `n` leaves on level 0, `floor(n / 2)` on level 1, `floor(n / 4)` on level 2, and so on
//! (fewer than `2n` rows in all). Nothing else is ever stored, and a stored node never changes,
//! so the rows can live in an insert-only table keyed by `(level, index)`.
//! [`crate::append`] returns exactly the nodes that become complete with each new leaf.
//!
//! Every read the engine makes at size `n` falls inside this set, so a store that honours the
//! contract never produces [`crate::TreeError::MissingNode`].

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use crate::error::TreeError;
use crate::hash::Hash;

/// The address of a complete subtree: `2^level` leaves starting at leaf `index * 2^level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves (0 = leaf).
    pub level: u8,
    /// Position among the nodes of this level, counted from the left.
    pub index: u64,
}

impl NodeId {
    /// The node at `level` and `index`.
    pub const fn new(level: u8, index: u64) -> Self {
        Self { level, index }
    }

    /// The leaf with the given index (level 0).
    pub const fn leaf(index: u64) -> Self {
        Self { level: 0, index }
    }
}

/// Read access to stored subtree hashes; the only thing the engine needs from a database.
///
/// The trait is synchronous on purpose: an async caller asks the plan functions
/// ([`crate::inclusion_plan`], [`crate::consistency_plan`], [`crate::root_plan`],
/// [`crate::append_reads`]) which nodes it needs, fetches them in one query into a `HashMap`,
/// and hands that map (which implements this trait) to the computation.
pub trait HashStore {
    /// The hash of a complete subtree, or `None` if the store does not hold it.
    fn get(&self, id: NodeId) -> Option<Hash>;
}

impl<S: HashStore + ?Sized> HashStore for &S {
    fn get(&self, id: NodeId) -> Option<Hash> {
        (**self).get(id)
    }
}

impl<B: BuildHasher> HashStore for HashMap<NodeId, Hash, B> {
    fn get(&self, id: NodeId) -> Option<Hash> {
        HashMap::get(self, &id).copied()
    }
}

impl HashStore for BTreeMap<NodeId, Hash> {
    fn get(&self, id: NodeId) -> Option<Hash> {
        BTreeMap::get(self, &id).copied()
    }
}

/// An in-memory store: one vector per level. For tests, benchmarks and small embedded logs.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    levels: Vec<Vec<Hash>>,
}

impl MemoryStore {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves stored.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// Appends a leaf hash and stores the nodes it completes; returns the leaf index.
    pub fn append(&mut self, leaf_hash: Hash) -> Result<u64, TreeError> {
        let appended = crate::log::append(&*self, self.size(), leaf_hash)?;
        for (id, hash) in appended.nodes {
            self.put(id, hash)?;
        }
        Ok(appended.index)
    }

    /// Stores one node; nodes of a level must arrive in index order, as [`crate::append`] emits them.
    pub fn put(&mut self, id: NodeId, hash: Hash) -> Result<(), TreeError> {
        let level = usize::from(id.level);
        if self.levels.len() <= level {
            self.levels.resize_with(level + 1, Vec::new);
        }
        let row = &mut self.levels[level];
        if id.index != row.len() as u64 {
            return Err(TreeError::OutOfOrder(id));
        }
        row.push(hash);
        Ok(())
    }
}

impl HashStore for MemoryStore {
    fn get(&self, id: NodeId) -> Option<Hash> {
        let row = self.levels.get(usize::from(id.level))?;
        let index = usize::try_from(id.index).ok()?;
        row.get(index).copied()
    }
}
