//! Exhaustive properties over every tree of up to 64 leaves: the incremental log agrees with the
//! from-scratch Merkle Tree Hash, every proof verifies, and every altered proof fails.

use signet_tlog::{
    EMPTY_ROOT, Hash, MemoryStore, TreeError, append, consistency_proof, inclusion_proof, leaf_hash, root, tree_hash,
    verify_consistency, verify_inclusion,
};

use crate::support::{flip_bit, synthetic_leaf, synthetic_log};

const MAX: u64 = 64;

/// Variants of `proof` that must all be refused: each element with a flipped bit, one element
/// dropped, one extra element at either end, and two neighbours swapped.
fn altered(proof: &[Hash], extra: Hash) -> Vec<(String, Vec<Hash>)> {
    let mut out = Vec::new();
    for i in 0..proof.len() {
        for bit in [0, 77, 255] {
            let mut p = proof.to_vec();
            p[i] = flip_bit(&p[i], bit);
            out.push((format!("bit {bit} of element {i} flipped"), p));
        }
        let mut p = proof.to_vec();
        p.remove(i);
        out.push((format!("element {i} removed"), p));
        if i + 1 < proof.len() && proof[i] != proof[i + 1] {
            let mut p = proof.to_vec();
            p.swap(i, i + 1);
            out.push((format!("elements {i} and {} swapped", i + 1), p));
        }
    }
    let mut p = proof.to_vec();
    p.push(extra);
    out.push(("extra element appended".into(), p));
    let mut p = vec![extra];
    p.extend_from_slice(proof);
    out.push(("extra element prepended".into(), p));
    out
}

#[test]
fn stored_roots_match_the_merkle_tree_hash_at_every_size() {
    let (store, leaves) = synthetic_log(MAX);
    assert_eq!(root(&store, 0).unwrap(), EMPTY_ROOT);
    for size in 1..=MAX {
        assert_eq!(root(&store, size).unwrap(), tree_hash(&leaves[..size as usize]), "size {size}");
    }
}

#[test]
fn every_append_reports_the_root_of_the_grown_tree() {
    let mut store = MemoryStore::new();
    for n in 0..=3 * MAX {
        let leaf = synthetic_leaf(n);
        let appended = append(&store, n, leaf).unwrap();
        for (id, hash) in &appended.nodes {
            store.put(*id, *hash).unwrap();
        }
        assert_eq!(appended.root, root(&store, n + 1).unwrap(), "size {}", n + 1);
    }
}

#[test]
fn every_inclusion_proof_verifies_and_every_alteration_fails() {
    let (store, leaves) = synthetic_log(MAX);
    let stranger = leaf_hash(b"not in the log");
    let mut checked = 0;
    for size in 1..=MAX {
        let root = root(&store, size).unwrap();
        for index in 0..size {
            let leaf = leaves[index as usize];
            let proof = inclusion_proof(&store, index, size).unwrap();
            assert!(verify_inclusion(&leaf, index, size, &proof, &root), "leaf {index} at size {size}");
            assert!(!verify_inclusion(&stranger, index, size, &proof, &root));
            assert!(!verify_inclusion(&leaf, index, size, &proof, &flip_bit(&root, 3)));
            assert!(!verify_inclusion(&leaf, index, size, &proof, &EMPTY_ROOT));
            assert!(!verify_inclusion(&leaf, size, size, &proof, &root));
            for wrong_index in [index ^ 1, index.wrapping_sub(1), index + 1] {
                if wrong_index != index && wrong_index < size {
                    assert!(
                        !verify_inclusion(&leaf, wrong_index, size, &proof, &root),
                        "leaf {index} at size {size} claimed as {wrong_index}"
                    );
                }
            }
            for (what, bad) in altered(&proof, root) {
                assert!(!verify_inclusion(&leaf, index, size, &bad, &root), "leaf {index} at size {size}: {what}");
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "only {checked} alterations checked");
}

#[test]
fn every_consistency_proof_verifies_and_every_alteration_fails() {
    let (store, _) = synthetic_log(MAX);
    let roots: Vec<Hash> = (0..=MAX).map(|size| root(&store, size).unwrap()).collect();
    let mut checked = 0;
    for new in 1..=MAX {
        for old in 1..=new {
            let (old_root, new_root) = (roots[old as usize], roots[new as usize]);
            let proof = consistency_proof(&store, old, new).unwrap();
            assert!(verify_consistency(old, new, &old_root, &new_root, &proof), "{old} -> {new}");
            if old == new {
                assert!(proof.is_empty());
                assert!(!verify_consistency(old, new, &old_root, &new_root, &[old_root]));
                continue;
            }
            assert!(!verify_consistency(old, new, &new_root, &old_root, &proof));
            assert!(!verify_consistency(new, old, &new_root, &old_root, &proof));
            assert!(!verify_consistency(old, new, &old_root, &new_root, &[]));
            assert!(!verify_consistency(old, new, &roots[old as usize - 1], &new_root, &proof));
            assert!(!verify_consistency(old, new, &old_root, &roots[new as usize - 1], &proof));
            assert!(!verify_consistency(0, new, &EMPTY_ROOT, &new_root, &proof));
            for (what, bad) in altered(&proof, old_root) {
                assert!(!verify_consistency(old, new, &old_root, &new_root, &bad), "{old} -> {new}: {what}");
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "only {checked} alterations checked");
}

#[test]
fn proofs_beyond_the_tree_are_errors() {
    let (store, _) = synthetic_log(10);
    assert_eq!(inclusion_proof(&store, 10, 10), Err(TreeError::IndexOutOfRange { index: 10, size: 10 }));
    assert_eq!(consistency_proof(&store, 11, 10), Err(TreeError::SizeOrder { old: 11, new: 10 }));
    assert_eq!(consistency_proof(&store, 0, 10), Err(TreeError::EmptyOldTree));
    // Asking about a size the store has not reached names the missing node.
    assert!(matches!(
        root(&store, 11),
        Err(TreeError::MissingNode(id)) if id.level == 0 && id.index == 10
    ));
}
