//! Throughput of the log engine on an in-memory store.
//!
//! `cargo run --release -p signet-tlog --example tlog_bench [leaves]` (default 1 000 000) prints
//! appends/s, roots/s, inclusion proofs/s (generation and verification) and consistency proofs/s.

use std::hint::black_box;
use std::time::Instant;

use signet_tlog::{
    MemoryStore, consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency, verify_inclusion,
};

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(1_000_000);

    let leaves: Vec<_> = (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let mut store = MemoryStore::new();
    let start = Instant::now();
    for leaf in &leaves {
        store.append(*leaf).expect("append to memory store");
    }
    report("append (leaf hash given)", n, start);

    let samples = 200_000u64.min(n);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |bound: u64| {
        // xorshift: cheap, deterministic sample positions.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % bound
    };

    let start = Instant::now();
    for _ in 0..samples {
        black_box(root(&store, 1 + next(n)).expect("root"));
    }
    report("root at a random size", samples, start);

    let root_n = root(&store, n).expect("root");
    let picks: Vec<u64> = (0..samples).map(|_| next(n)).collect();
    let start = Instant::now();
    let proofs: Vec<_> = picks.iter().map(|&i| inclusion_proof(&store, i, n).expect("inclusion proof")).collect();
    report("inclusion proof generation", samples, start);

    let start = Instant::now();
    for (&i, proof) in picks.iter().zip(&proofs) {
        assert!(verify_inclusion(&leaves[i as usize], i, n, proof, &root_n));
    }
    report("inclusion proof verification", samples, start);

    let olds: Vec<u64> = (0..samples).map(|_| 1 + next(n)).collect();
    let start = Instant::now();
    let proofs: Vec<_> =
        olds.iter().map(|&old| consistency_proof(&store, old, n).expect("consistency proof")).collect();
    report("consistency proof generation", samples, start);

    let old_roots: Vec<_> = olds.iter().map(|&old| root(&store, old).expect("root")).collect();
    let start = Instant::now();
    for ((&old, proof), old_root) in olds.iter().zip(&proofs).zip(&old_roots) {
        assert!(verify_consistency(old, n, old_root, &root_n, proof));
    }
    report("consistency proof verification", samples, start);
    println!("tree size {n}, root {root_n}");
}

fn report(what: &str, count: u64, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    println!("{what:<32} {count:>9} in {secs:>7.3} s = {:>12.0} /s", count as f64 / secs);
}
