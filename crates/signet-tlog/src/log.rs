//! The append-only log over a [`HashStore`]: append, roots and proofs at any past size.
//!
//! Every operation reads O(log n) stored nodes and never walks the tree: append reads one node
//! per level the new leaf completes plus the rest of the new root's frontier, a root reads one
//! node per 1-bit of the size, a proof at most two per level.

use crate::error::TreeError;
use crate::hash::{Hash, node_hash};
use crate::plan::{self, fetch};
use crate::store::{HashStore, NodeId};

/// What one append produced: the new leaf's index, the nodes to persist and the new root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Index of the new leaf (the tree size before the append).
    pub index: u64,
    /// The leaf itself (level 0) followed by every subtree it completes, bottom-up.
    /// Insert all of them in the same transaction that records the new size.
    pub nodes: Vec<(NodeId, Hash)>,
    /// The root of the tree of `index + 1` leaves.
    pub root: Hash,
}

/// Appends `leaf_hash` to the tree that currently has `size` leaves.
///
/// Reads the nodes listed by [`crate::append_reads`]`(size)`. Appends must be serialised by the
/// caller (e.g. a row lock on the log's size, or a unique key on `(level, index)` and a retry):
/// two appends at the same size would both claim index `size`.
pub fn append(store: &impl HashStore, size: u64, leaf_hash: Hash) -> Result<Appended, TreeError> {
    if size == u64::MAX {
        return Err(TreeError::Full);
    }
    let mut nodes = Vec::with_capacity(1 + size.trailing_ones() as usize);
    let mut id = NodeId::leaf(size);
    let mut hash = leaf_hash;
    nodes.push((id, hash));
    // While the node is a right child, its parent is now complete.
    while id.index & 1 == 1 {
        let left = fetch(store, NodeId::new(id.level, id.index - 1))?;
        hash = node_hash(&left, &hash);
        id = NodeId::new(id.level + 1, id.index >> 1);
        nodes.push((id, hash));
    }
    // The new root: the complete subtree just finished, under the older, larger ones.
    let mut root = hash;
    for older in plan::frontier(size + 1).iter().rev().skip(1) {
        root = node_hash(&fetch(store, *older)?, &root);
    }
    Ok(Appended { index: size, nodes, root })
}

/// The root hash of the tree with `size` leaves (any size the store has reached).
pub fn root(store: &impl HashStore, size: u64) -> Result<Hash, TreeError> {
    match plan::root_plan(size).resolve(store)?.pop() {
        Some(root) => Ok(root),
        None => Ok(crate::hash::EMPTY_ROOT),
    }
}

/// The audit path proving leaf `index` is in the tree of `size` leaves (RFC 6962 §2.1.1).
pub fn inclusion_proof(store: &impl HashStore, index: u64, size: u64) -> Result<Vec<Hash>, TreeError> {
    plan::inclusion_plan(index, size)?.resolve(store)
}

/// The proof that the tree of `old_size` leaves is a prefix of the tree of `new_size` leaves
/// (RFC 6962 §2.1.2). Empty if the sizes are equal; `old_size` 0 is [`TreeError::EmptyOldTree`].
pub fn consistency_proof(store: &impl HashStore, old_size: u64, new_size: u64) -> Result<Vec<Hash>, TreeError> {
    plan::consistency_plan(old_size, new_size)?.resolve(store)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, tree_hash};
    use crate::store::MemoryStore;

    #[test]
    fn append_emits_the_completed_subtrees() {
        let mut store = MemoryStore::new();
        let leaves: Vec<Hash> = (0u8..4).map(|i| leaf_hash(&[i])).collect();
        for leaf in &leaves[..3] {
            store.append(*leaf).unwrap();
        }
        let appended = append(&store, 3, leaves[3]).unwrap();
        assert_eq!(appended.index, 3);
        let ids: Vec<NodeId> = appended.nodes.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [NodeId::new(0, 3), NodeId::new(1, 1), NodeId::new(2, 0)]);
        assert_eq!(appended.nodes[2].1, tree_hash(&leaves));
        assert_eq!(appended.root, tree_hash(&leaves));
        for size in 0..3 {
            let partial = append(&store, size as u64, leaves[size]);
            // Appending at an older size recomputes that size's successor root.
            assert_eq!(partial.unwrap().root, tree_hash(&leaves[..=size]));
        }
    }

    #[test]
    fn a_store_missing_a_node_is_an_error_not_a_panic() {
        let store = std::collections::HashMap::new();
        assert_eq!(append(&store, 1, leaf_hash(b"x")), Err(TreeError::MissingNode(NodeId::leaf(0))));
        assert_eq!(root(&store, 3), Err(TreeError::MissingNode(NodeId::leaf(2))));
        assert_eq!(inclusion_proof(&store, 3, 3), Err(TreeError::IndexOutOfRange { index: 3, size: 3 }));
        assert_eq!(append(&store, u64::MAX, leaf_hash(b"x")), Err(TreeError::Full));
    }
}
