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
fn root_from_inclusion(leaf_hash: &Hash, index: u64, size: u64, proof: &[Hash]) -> Option<Hash> {
    if index >= size {
        return None;
    }
    let mut fn_ = index;
    let mut sn = size - 1;
    let mut r = *leaf_hash;
    for p in proof {
        if sn == 0 {
            return None;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                // Skip the levels where this node has no right sibling (right border).
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some(r)
}

/// The old and new roots implied by a consistency proof for `0 < old_size < new_size`
/// (RFC 9162 §2.1.4.2), or `None` if the proof has the wrong shape.
fn roots_from_consistency(old_size: u64, new_size: u64, old_root: &Hash, proof: &[Hash]) -> Option<(Hash, Hash)> {
    let (first, rest) = if old_size.is_power_of_two() {
        // The old tree is a complete subtree of the new one: its root is the proof's start.
        (old_root, proof)
    } else {
        proof.split_first()?
    };
    if proof.is_empty() {
        return None;
    }
    let mut fn_ = old_size - 1;
    let mut sn = new_size - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut fr = *first;
    let mut sr = *first;
    for c in rest {
        if sn == 0 {
            return None;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some((fr, sr))
}
