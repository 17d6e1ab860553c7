//! Published test vectors.
//!
//! Sources (facts only, no code copied):
//! - transparency-dev/merkle `rfc6962/rfc6962_test.go` (commit 417fb0c314750d94e53942e9f92e79b6d35915db):
//!   the empty root and two leaf hashes.
//! - transparency-dev/merkle `proof/verify_test.go` at commit 9ca563d3ac2bab915317cf153ed4f952f6e74c07
//!   (the `leaves`, `roots`, `inclusionProofs` and `consistencyProofs` tables, inherited from
//!   certificate-transparency-go): the standard 8-leaf RFC 6962 test tree.
//! - transparency-dev/merkle `testdata/inclusion/**` and `testdata/consistency/**` at commit
//!   417fb0c314750d94e53942e9f92e79b6d35915db, gathered unchanged in `tests/vectors/*.json`
//!   (see tests/vectors/README.md): valid proofs and their mutations, each with `wantErr`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;
use signet_tlog::{
    EMPTY_ROOT, Hash, MemoryStore, consistency_proof, inclusion_proof, leaf_hash, root, tree_hash, verify_consistency,
    verify_inclusion,
};

fn h(hex: &str) -> Hash {
    Hash::from_hex(hex).unwrap()
}

/// Entries d0..d7 of the standard test tree (hex).
const LEAF_INPUTS: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

/// Roots of the trees of sizes 1..=8 over those entries.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (leaf index, tree size, audit path).
const INCLUSION: [(u64, u64, &[&str]); 4] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, consistency proof).
const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn standard_leaves() -> Vec<Hash> {
    LEAF_INPUTS.iter().map(|input| leaf_hash(&hex::decode(input).unwrap())).collect()
}

fn standard_store() -> MemoryStore {
    let mut store = MemoryStore::new();
    for leaf in standard_leaves() {
        store.append(leaf).unwrap();
    }
    store
}

fn hashes(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|x| h(x)).collect()
}

#[test]
fn rfc6962_hasher_vectors() {
    assert_eq!(EMPTY_ROOT, h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    assert_eq!(leaf_hash(b""), h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
    assert_eq!(leaf_hash(b"L123456"), h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"));
    // The empty tree is not a tree with one empty leaf.
    assert_ne!(EMPTY_ROOT, leaf_hash(b""));
}

#[test]
fn roots_of_the_standard_tree_for_sizes_0_to_8() {
    let leaves = standard_leaves();
    let store = standard_store();
    assert_eq!(tree_hash(&[]), EMPTY_ROOT);
    assert_eq!(root(&store, 0).unwrap(), EMPTY_ROOT);
    for (size, want) in (1..=8).zip(ROOTS) {
        let want = h(want);
        assert_eq!(tree_hash(&leaves[..size]), want, "tree_hash at size {size}");
        assert_eq!(root(&store, size as u64).unwrap(), want, "stored root at size {size}");
    }
}

#[test]
fn inclusion_proofs_of_the_standard_tree() {
    let leaves = standard_leaves();
    let store = standard_store();
    for (index, size, path) in INCLUSION {
        let want = hashes(path);
        assert_eq!(inclusion_proof(&store, index, size).unwrap(), want, "proof for leaf {index} at size {size}");
        let root = h(ROOTS[size as usize - 1]);
        assert!(verify_inclusion(&leaves[index as usize], index, size, &want, &root));
    }
    // A one-leaf tree: the proof is empty and the root is the leaf.
    assert!(inclusion_proof(&store, 0, 1).unwrap().is_empty());
    assert!(verify_inclusion(&leaves[0], 0, 1, &[], &h(ROOTS[0])));
}

#[test]
fn consistency_proofs_of_the_standard_tree() {
    let store = standard_store();
    for (old, new, path) in CONSISTENCY {
        let want = hashes(path);
        assert_eq!(consistency_proof(&store, old, new).unwrap(), want, "proof from {old} to {new}");
        let old_root = h(ROOTS[old as usize - 1]);
        let new_root = h(ROOTS[new as usize - 1]);
        assert!(verify_consistency(old, new, &old_root, &new_root, &want));
    }
}

/// A probe field as a hash; `None` when it is not 32 bytes (our types cannot even carry it).
fn b64_hash(value: &Value) -> Option<Hash> {
    let bytes = BASE64.decode(value.as_str()?).ok()?;
    Hash::try_from(bytes.as_slice()).ok()
}

/// The probe's proof; `None` if an element is not a 32-byte hash. `null` is the empty proof.
fn b64_proof(value: &Value) -> Option<Vec<Hash>> {
    match value {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items.iter().map(b64_hash).collect(),
        _ => None,
    }
}

const OPAQUE_VALID_PROBE: &str = "testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json";

struct Tally {
    opaque_valid: usize,
    accepted: usize,
    rejected: usize,
    unrepresentable: usize,
}

fn run_probes(file: &str, check: impl Fn(&Value) -> Option<bool>) -> Tally {
    let doc: Value = serde_json::from_str(file).unwrap();
    let probes = doc["probes"].as_array().unwrap();
    let mut tally = Tally { opaque_valid: 0, accepted: 0, rejected: 0, unrepresentable: 0 };
    let mut wrong = Vec::new();
    for probe in probes {
        let want_err = probe["wantErr"].as_bool().unwrap();
        let name = probe["file"].as_str().unwrap();
        match check(probe) {
            // A hash of the wrong length cannot become a `Hash`: rejected before verification.
            None if want_err => tally.unrepresentable += 1,
            // Its roots are the 12-byte placeholder "don't care 2": equal sizes and equal roots
            // with an empty proof, which `equal_sizes_need_equal_roots` checks with real hashes.
            None if name == OPAQUE_VALID_PROBE => tally.opaque_valid += 1,
            None => wrong.push(format!("{name}: valid probe has a malformed hash")),
            Some(true) if !want_err => tally.accepted += 1,
            Some(false) if want_err => tally.rejected += 1,
            Some(ok) => wrong.push(format!("{name}: verified = {ok}, wantErr = {want_err}")),
        }
    }
    assert!(wrong.is_empty(), "{} wrong probes:\n{}", wrong.len(), wrong.join("\n"));
    tally
}

#[test]
fn transparency_dev_inclusion_probes() {
    let tally = run_probes(include_str!("../vectors/transparency-dev-inclusion.json"), |probe| {
        let leaf = b64_hash(&probe["leafHash"])?;
        let root = b64_hash(&probe["root"])?;
        let proof = b64_proof(&probe["proof"])?;
        let index = probe["leafIdx"].as_u64()?;
        let size = probe["treeSize"].as_u64()?;
        Some(verify_inclusion(&leaf, index, size, &proof, &root))
    });
    // 98 probes: 6 valid ones and 92 mutations; 26 mutations carry a hash that is not 32 bytes
    // (garbage elements, "WrongLeaf") and are refused by the `Hash` type before verification.
    assert_eq!((tally.accepted, tally.rejected, tally.unrepresentable), (6, 66, 26));
}

#[test]
fn transparency_dev_consistency_probes() {
    let tally = run_probes(include_str!("../vectors/transparency-dev-consistency.json"), |probe| {
        let root1 = b64_hash(&probe["root1"])?;
        let root2 = b64_hash(&probe["root2"])?;
        let proof = b64_proof(&probe["proof"])?;
        let size1 = probe["size1"].as_u64()?;
        let size2 = probe["size2"].as_u64()?;
        Some(verify_consistency(size1, size2, &root1, &root2, &proof))
    });
    // 98 probes: 6 valid ones (one with placeholder roots, see `OPAQUE_VALID_PROBE`) and 92
    // mutations, 26 of which carry a hash that is not 32 bytes.
    assert_eq!((tally.opaque_valid, tally.accepted, tally.rejected, tally.unrepresentable), (1, 5, 66, 26));
}

#[test]
fn equal_sizes_need_equal_roots() {
    let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
    assert!(verify_consistency(1, 1, &a, &a, &[]));
    assert!(!verify_consistency(1, 1, &a, &b, &[]));
    assert!(!verify_consistency(1, 1, &a, &a, &[a]));
    assert!(!verify_consistency(0, 0, &EMPTY_ROOT, &EMPTY_ROOT, &[]));
}
