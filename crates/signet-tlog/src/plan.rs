//! Which stored nodes an answer needs, decided from sizes and indexes alone.
//!
//! Every hash in a proof (and every root) is the Merkle Tree Hash of a leaf range that RFC 6962's
//! recursion produces. Such a range starts on a multiple of the next power of two above its
//! length, so it splits into at most 64 complete subtrees of strictly decreasing size: one stored
//! node each. A plan lists those ranges; resolving it reads their nodes and folds them.

use std::ops::Range;

use crate::error::TreeError;
use crate::hash::{EMPTY_ROOT, Hash, node_hash, split_point};
use crate::store::{HashStore, NodeId};

/// A proof (or a root) as a list of leaf ranges, each of which becomes one hash.
///
/// Ranges are in proof order (from the leaves towards the root, as RFC 6962 lists them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofPlan {
    ranges: Vec<Range<u64>>,
}

impl ProofPlan {
    /// The leaf ranges whose Merkle Tree Hashes form the proof, in order.
    pub fn ranges(&self) -> &[Range<u64>] {
        &self.ranges
    }

    /// Every stored node the proof needs, in order; at most `2 * 64` of them.
    ///
    /// Fetch these (e.g. `WHERE (level, index) IN (...)`) and pass them to [`ProofPlan::resolve`].
    pub fn node_ids(&self) -> Vec<NodeId> {
        let mut ids = Vec::new();
        for range in &self.ranges {
            ids.extend(range_nodes(range.clone()));
        }
        ids
    }

    /// Reads the nodes and computes the proof hashes.
    pub fn resolve(&self, store: &impl HashStore) -> Result<Vec<Hash>, TreeError> {
        self.ranges.iter().map(|range| range_hash(store, range.clone())).collect()
    }
}

/// The plan for the audit path of leaf `index` in the tree of `size` leaves (RFC 6962 §2.1.1).
pub fn inclusion_plan(index: u64, size: u64) -> Result<ProofPlan, TreeError> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    // Walk down from the root, remembering the sibling of each step; the proof lists them bottom-up.
    let mut ranges = Vec::new();
    let (mut lo, mut hi) = (0, size);
    while hi - lo > 1 {
        let mid = lo + split_point(hi - lo);
        if index < mid {
            ranges.push(mid..hi);
            hi = mid;
        } else {
            ranges.push(lo..mid);
            lo = mid;
        }
    }
    ranges.reverse();
    Ok(ProofPlan { ranges })
}

/// The plan for the consistency proof from `old_size` to `new_size` (RFC 6962 §2.1.2).
///
/// Empty when the sizes are equal. `old_size` 0 is refused: a proof from the empty tree proves
/// nothing, and [`crate::verify_consistency`] rejects it.
pub fn consistency_plan(old_size: u64, new_size: u64) -> Result<ProofPlan, TreeError> {
    if old_size == 0 {
        return Err(TreeError::EmptyOldTree);
    }
    if old_size > new_size {
        return Err(TreeError::SizeOrder { old: old_size, new: new_size });
    }
    let mut ranges = Vec::new();
    if old_size == new_size {
        return Ok(ProofPlan { ranges });
    }
    // SUBPROOF(m, D[lo:hi], complete): descend while m < n, recording siblings; finish with the
    // old tree's own subtree unless it is the whole old tree (which the verifier already has).
    let (mut lo, mut hi) = (0, new_size);
    let mut m = old_size;
    let mut complete = true;
    while m != hi - lo {
        let k = split_point(hi - lo);
        if m <= k {
            ranges.push(lo + k..hi);
            hi = lo + k;
        } else {
            ranges.push(lo..lo + k);
            m -= k;
            lo += k;
            complete = false;
        }
    }
    if !complete {
        ranges.push(lo..hi);
    }
    ranges.reverse();
    Ok(ProofPlan { ranges })
}

/// The plan for the root of the tree of `size` leaves: one range, or none for the empty tree.
pub fn root_plan(size: u64) -> ProofPlan {
    let mut ranges = Vec::with_capacity(1);
    if size > 0 {
        ranges.push(0..size);
    }
    ProofPlan { ranges }
}

/// The stored nodes [`crate::append`] reads when the tree has `size` leaves: the left siblings
/// that the new leaf completes (one per trailing 1-bit of `size`), then the older complete
/// subtrees that, with the new one, make up the root at `size + 1` (one per other 1-bit).
pub fn append_reads(size: u64) -> Vec<NodeId> {
    let mut ids: Vec<NodeId> =
        (0..size.trailing_ones()).map(|level| NodeId::new(level as u8, (size >> level) - 1)).collect();
    if let Some(grown) = size.checked_add(1) {
        let frontier = frontier(grown);
        ids.extend(frontier.iter().rev().skip(1));
    }
    ids
}

/// The complete subtrees whose fold is the root at `size`, largest first (one per 1-bit).
pub(crate) fn frontier(size: u64) -> Vec<NodeId> {
    range_nodes(0..size).collect()
}

/// The complete subtrees that make up `range`, largest first.
///
/// `range` must come from RFC 6962's recursion (start aligned to the size of its first subtree),
/// which every plan guarantees.
fn range_nodes(range: Range<u64>) -> impl Iterator<Item = NodeId> {
    let Range { mut start, end } = range;
    std::iter::from_fn(move || {
        if start >= end {
            return None;
        }
        let remaining = end - start;
        // Largest power of two that fits in what remains and keeps `start` aligned.
        let by_length = 63 - remaining.leading_zeros();
        let level = if start == 0 { by_length } else { by_length.min(start.trailing_zeros()) };
        let id = NodeId::new(level as u8, start >> level);
        start += 1 << level;
        Some(id)
    })
}

/// The Merkle Tree Hash of `range`: its complete subtrees folded from the right.
pub(crate) fn range_hash(store: &impl HashStore, range: Range<u64>) -> Result<Hash, TreeError> {
    let mut ids = range_nodes(range).collect::<Vec<_>>();
    let Some(last) = ids.pop() else {
        return Ok(EMPTY_ROOT);
    };
    let mut acc = fetch(store, last)?;
    for id in ids.into_iter().rev() {
        acc = node_hash(&fetch(store, id)?, &acc);
    }
    Ok(acc)
}

pub(crate) fn fetch(store: &impl HashStore, id: NodeId) -> Result<Hash, TreeError> {
    store.get(id).ok_or(TreeError::MissingNode(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(range: Range<u64>) -> Vec<(u8, u64)> {
        range_nodes(range).map(|id| (id.level, id.index)).collect()
    }

    #[test]
    fn ranges_split_into_decreasing_complete_subtrees() {
        assert_eq!(ids(0..7), [(2, 0), (1, 2), (0, 6)]);
        assert_eq!(ids(0..8), [(3, 0)]);
        assert_eq!(ids(4..7), [(1, 2), (0, 6)]);
        assert_eq!(ids(8..13), [(2, 2), (0, 12)]);
        assert_eq!(ids(0..u64::MAX).len(), 64);
    }

    #[test]
    fn append_reads_are_the_completed_left_siblings_then_the_older_frontier() {
        assert!(append_reads(0).is_empty());
        assert_eq!(append_reads(1), [NodeId::new(0, 0)]);
        // 2 -> 3: nothing to combine; the new root folds the new leaf under (1, 0).
        assert_eq!(append_reads(2), [NodeId::new(1, 0)]);
        assert_eq!(append_reads(7), [NodeId::new(0, 6), NodeId::new(1, 2), NodeId::new(2, 0)]);
        // 13 -> 14: completes (1, 6) from leaf 12; the new root also needs (2, 2) and (3, 0).
        assert_eq!(append_reads(13), [NodeId::new(0, 12), NodeId::new(2, 2), NodeId::new(3, 0)]);
    }

    #[test]
    fn inclusion_plan_matches_the_rfc_example_tree() {
        // RFC 6962 §2.1.3: the audit path for d0 in the 7-leaf tree is [b, h, l].
        let plan = inclusion_plan(0, 7).unwrap();
        assert_eq!(plan.ranges(), [1..2, 2..4, 4..7]);
        // ... and for d6 it is [i, k].
        assert_eq!(inclusion_plan(6, 7).unwrap().ranges(), [4..6, 0..4]);
    }

    #[test]
    fn consistency_plan_matches_the_rfc_examples() {
        // RFC 6962 §2.1.3: PROOF(3, D[7]) = [c, d, g, l]; PROOF(4, D[7]) = [l]; PROOF(6, D[7]) = [i, j, k].
        assert_eq!(consistency_plan(3, 7).unwrap().ranges(), [2..3, 3..4, 0..2, 4..7]);
        let only_l = consistency_plan(4, 7).unwrap();
        assert_eq!(only_l.ranges().len(), 1);
        assert_eq!(only_l.ranges()[0], 4..7);
        assert_eq!(consistency_plan(6, 7).unwrap().ranges(), [4..6, 6..7, 0..4]);
        assert_eq!(consistency_plan(0, 7), Err(TreeError::EmptyOldTree));
        assert!(consistency_plan(7, 7).unwrap().ranges().is_empty());
        assert_eq!(consistency_plan(8, 7), Err(TreeError::SizeOrder { old: 8, new: 7 }));
    }
}
