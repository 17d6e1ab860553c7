//! Store reads: bounded by O(log n), exactly the nodes the plans announce, and always inside the
//! persistence contract.

use std::collections::{BTreeSet, HashMap};

use signet_tlog::{
    Hash, MemoryStore, NodeId, append, append_reads, consistency_plan, consistency_proof, inclusion_plan,
    inclusion_proof, root, root_plan,
};

use crate::support::{RecordingStore, synthetic_leaf, synthetic_log};

/// ceil(log2(n)) for n >= 1.
fn log2_ceil(n: u64) -> usize {
    (64 - (n - 1).leading_zeros()) as usize
}

/// Sizes to probe in a log of `n` leaves: every size up to 300, then a spread up to `n`.
fn sample_sizes(n: u64) -> Vec<u64> {
    let mut sizes: Vec<u64> = (1..=300).collect();
    let mut s = 301u64;
    while s <= n {
        sizes.push(s);
        sizes.push((s * 2 - 1).min(n));
        s = s * 3 / 2 + 7;
    }
    sizes.push(n);
    sizes
}

#[test]
fn reads_stay_logarithmic_in_a_log_of_100_000_leaves() {
    const N: u64 = 100_000;
    let (store, _) = synthetic_log(N);
    let recording = RecordingStore::new(&store);
    let mut worst_inclusion = 0;
    let mut worst_consistency = 0;
    for size in sample_sizes(N) {
        let bound = log2_ceil(size.max(2));

        root(&recording, size).unwrap();
        let reads = recording.take();
        assert_eq!(reads.len(), size.count_ones() as usize, "root at {size}");

        for index in [0, size / 3, size / 2, size - 1] {
            inclusion_proof(&recording, index, size).unwrap();
            let reads = recording.take().len();
            assert!(reads <= 2 * bound, "inclusion {index}/{size}: {reads} reads");
            worst_inclusion = worst_inclusion.max(reads);
        }
        for old in [1, size / 2 + 1, size.saturating_sub(1).max(1), size] {
            consistency_proof(&recording, old, size).unwrap();
            let reads = recording.take().len();
            assert!(reads <= 2 * bound + 1, "consistency {old}->{size}: {reads} reads");
            worst_consistency = worst_consistency.max(reads);
        }
        if size < N {
            let appended = append(&recording, size, synthetic_leaf(size)).unwrap();
            let reads = recording.take().len();
            // The completed left siblings, then the rest of the new root's frontier.
            let want = size.trailing_ones() + (size + 1).count_ones() - 1;
            assert_eq!(reads, want as usize, "append at {size}");
            assert!(reads <= bound + 1, "append at {size}: {reads} reads");
            if size % 1000 == 0 {
                assert_eq!(appended.root, root(&store, size + 1).unwrap());
            }
        }
    }
    // log2(100 000) is about 17; the worst cases stay within twice that.
    assert!((17..=34).contains(&worst_inclusion), "{worst_inclusion}");
    assert!((17..=35).contains(&worst_consistency), "{worst_consistency}");
}

#[test]
fn plans_announce_exactly_the_nodes_that_are_read() {
    let (store, _) = synthetic_log(1000);
    let recording = RecordingStore::new(&store);
    for size in (1..=1000).step_by(7) {
        for index in (0..size).step_by(13) {
            let plan = inclusion_plan(index, size).unwrap();
            let proof = inclusion_proof(&recording, index, size).unwrap();
            assert_eq!(sorted(recording.take()), sorted(plan.node_ids()));
            // The async path: fetch the announced nodes into a map, compute from the map alone.
            let fetched = fetch(&store, &plan.node_ids());
            assert_eq!(plan.resolve(&fetched).unwrap(), proof);
        }
        for old in (1..=size).step_by(11) {
            let plan = consistency_plan(old, size).unwrap();
            let proof = consistency_proof(&recording, old, size).unwrap();
            assert_eq!(sorted(recording.take()), sorted(plan.node_ids()));
            let fetched = fetch(&store, &plan.node_ids());
            assert_eq!(plan.resolve(&fetched).unwrap(), proof);
        }
        let plan = root_plan(size);
        let want = root(&recording, size).unwrap();
        assert_eq!(sorted(recording.take()), sorted(plan.node_ids()));
        assert_eq!(plan.resolve(&fetch(&store, &plan.node_ids())).unwrap(), vec![want]);

        let fetched = fetch(&store, &append_reads(size));
        let from_map = append(&fetched, size, synthetic_leaf(size)).unwrap();
        assert_eq!(append(&recording, size, synthetic_leaf(size)).unwrap(), from_map);
        assert_eq!(sorted(recording.take()), sorted(append_reads(size)));
    }
}

#[test]
fn appends_persist_exactly_the_complete_subtrees() {
    // The contract: after n appends the store holds (k, i) iff (i + 1) * 2^k <= n.
    let mut persisted: HashMap<NodeId, Hash> = HashMap::new();
    let mut memory = MemoryStore::new();
    for n in 0..300u64 {
        let appended = append(&persisted, n, synthetic_leaf(n)).unwrap();
        assert_eq!(appended.index, n);
        for (id, hash) in &appended.nodes {
            assert!(persisted.insert(*id, *hash).is_none(), "{id:?} written twice");
            memory.put(*id, *hash).unwrap();
        }
        let size = n + 1;
        let want: BTreeSet<NodeId> =
            (0u8..10).flat_map(|level| (0..size >> level).map(move |index| NodeId::new(level, index))).collect();
        let have: BTreeSet<NodeId> = persisted.keys().copied().collect();
        assert_eq!(have, want, "after {size} appends");
        assert_eq!(root(&persisted, size).unwrap(), root(&memory, size).unwrap());
    }
    // Out-of-order writes to the memory store are refused, not silently misplaced.
    assert!(memory.put(NodeId::new(0, 5), synthetic_leaf(5)).is_err());
}

fn sorted(mut ids: Vec<NodeId>) -> Vec<NodeId> {
    ids.sort();
    ids
}

fn fetch(store: &MemoryStore, ids: &[NodeId]) -> HashMap<NodeId, Hash> {
    use signet_tlog::HashStore;
    ids.iter().map(|id| (*id, store.get(*id).unwrap())).collect()
}
