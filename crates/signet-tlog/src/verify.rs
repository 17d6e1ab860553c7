//! Proof verification, following the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.
//!
//! These need no store: a client holding only a leaf hash, a proof and a signed root can check
//! them. They answer `bool`; a malformed proof (wrong length, impossible sizes) is simply false.

use crate::hash::{Hash, node_hash};

/// Whether `proof` shows the leaf with `leaf_hash` at `index` in the tree of `size` leaves whose
/// root is `root`.
pub fn verify_inclusion(leaf_hash: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    root_from_inclusion(leaf_hash, index, size, proof).is_some_and(|computed| computed == *root)
}

/// Whether `proof` shows that the tree of `old_size` leaves with root `old_root` is a prefix of
/// the tree of `new_size` leaves with root `new_root`.
///
/// Equal sizes need an empty proof and equal roots. An empty old tree is always refused, as in
/// the transparency-dev reference: there is nothing to be consistent with, and a client without
/// a previous head simply trusts the first signed head it verifies.
pub fn verify_consistency(old_size: u64, new_size: u64, old_root: &Hash, new_root: &Hash, proof: &[Hash]) -> bool {
    if old_size == 0 || old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    roots_from_consistency(old_size, new_size, old_root, proof)
        .is_some_and(|(old, new)| old == *old_root && new == *new_root)
}

/// The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1-5), or `None` if the
/// proof has the wrong shape for `index` and `size`.
///
/// `node` and `last` are the RFC's `fn` and `sn`: the position of the running hash and of the
/// tree's last node on the current level.
fn root_from_inclusion(leaf_hash: &Hash, index: u64, size: u64, proof: &[Hash]) -> Option<Hash> {
    if index >= size {
        return None;
    }
    let (mut node, mut last) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        if last == 0 {
            return None;
        }
        if node & 1 == 1 || node == last {
            r = node_hash(p, &r);
            skip_right_border(&mut node, &mut last);
        } else {
            r = node_hash(&r, p);
        }
        node >>= 1;
        last >>= 1;
    }
    (last == 0).then_some(r)
}

/// The old and new roots implied by a consistency proof for `0 < old_size < new_size`
/// (RFC 9162 §2.1.4.2), or `None` if the proof has the wrong shape.
fn roots_from_consistency(old_size: u64, new_size: u64, old_root: &Hash, proof: &[Hash]) -> Option<(Hash, Hash)> {
    if proof.is_empty() {
        return None;
    }
    let (first, rest) = if old_size.is_power_of_two() {
        // The old tree is a complete subtree of the new one: its root starts the chain.
        (old_root, proof)
    } else {
        proof.split_first()?
    };
    let (mut node, mut last) = (old_size - 1, new_size - 1);
    while node & 1 == 1 {
        node >>= 1;
        last >>= 1;
    }
    let (mut old, mut new) = (*first, *first);
    for c in rest {
        if last == 0 {
            return None;
        }
        if node & 1 == 1 || node == last {
            old = node_hash(c, &old);
            new = node_hash(c, &new);
            skip_right_border(&mut node, &mut last);
        } else {
            new = node_hash(&new, c);
        }
        node >>= 1;
        last >>= 1;
    }
    (last == 0).then_some((old, new))
}

/// Climbs past the levels where the running node is a left child without a right sibling (the
/// tree's ragged right border), where the RFC hashes nothing.
fn skip_right_border(node: &mut u64, last: &mut u64) {
    while *node & 1 == 0 && *node != 0 {
        *node >>= 1;
        *last >>= 1;
    }
}
