//! `/v1/evidence`: entries land in the Merkle log, with proofs that verify (RFC 6962 §2.1.1).

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::{Api, Backend};

/// RFC 6962 inclusion-proof verification, written from the RFC (9162 §2.1.3.2), independent of
/// the server's implementation.
fn verify_inclusion(leaf: [u8; 32], index: u64, size: u64, proof: &[[u8; 32]], root: [u8; 32]) -> bool {
    if index >= size {
        return false;
    }
    let node = |l: &[u8; 32], r: &[u8; 32]| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(l);
        h.update(r);
        h.finalize().into()
    };
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = leaf;
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == root
}

fn hash32(hex_text: &serde_json::Value) -> [u8; 32] {
    hex::decode(hex_text.as_str().unwrap()).unwrap().try_into().unwrap()
}

fn evidence_log(backend: Backend) {
    let api = Api::start(backend);
    let mut entries = Vec::new();
    for i in 0..5 {
        let digest = hex::encode(Sha256::digest(format!("contract {i}")));
        let created = api.post("/v1/evidence", &json!({"sid": format!("order-{i:04}"), "sha256": digest}));
        assert_eq!(created.status, 201, "{:?}", created.body);
        assert_eq!(created.body["leafIndex"], i);
        entries.push(created.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(api.post("/v1/evidence", &json!({"sid": "order-0000", "sha256": "00".repeat(32)})).status, 409);
    assert_eq!(api.post("/v1/evidence", &json!({"sid": "abc", "sha256": "00".repeat(32)})).status, 400, "sid ≥ 4");
    assert_eq!(api.post("/v1/evidence", &json!({"sid": "abcd", "sha256": "zz"})).status, 400);

    let head = api.get("/v1/evidence/tree-head");
    assert_eq!(head.body["treeSize"], 5);
    let note = head.body["signedNote"].as_str().unwrap();
    assert!(note.starts_with("signet/evidence\n5\n") && note.contains("\n\u{2014} signet/evidence "), "{note}");
    let root = hash32(&head.body["rootHash"]);

    // Every entry, fetched by id or by sid, proves its inclusion in the current tree.
    for (i, id) in entries.iter().enumerate() {
        let key = if i % 2 == 0 { id.clone() } else { format!("order-{i:04}") };
        let entry = api.get(&format!("/v1/evidence/{key}"));
        assert_eq!(entry.status, 200);
        assert_eq!(hash32(&entry.body["rootHash"]), root);
        let proof: Vec<[u8; 32]> = entry.body["inclusionProof"].as_array().unwrap().iter().map(hash32).collect();
        // The leaf is recomputed by the server's documented leaf format: here we take it from a
        // correct proof and show that a changed proof or index no longer verifies.
        let leaf = leaf_for(&api, &entry.body);
        assert!(verify_inclusion(leaf, i as u64, 5, &proof, root), "entry {i}");
        assert!(!verify_inclusion(leaf, (i as u64 + 1) % 5, 5, &proof, root));
    }
    let other = api.other_app_token();
    assert_eq!(api.as_token(reqwest::Method::GET, &format!("/v1/evidence/{}", entries[0]), Some(&other)).status, 404);
}

/// The leaf hash of an entry: SHA-256(0x00 || "signet-evidence/v1\n" id app sid sha256 ms), the
/// format documented in `EvidenceRecord::leaf_data`.
fn leaf_for(api: &Api, entry: &serde_json::Value) -> [u8; 32] {
    let created = time::OffsetDateTime::parse(
        entry["createdAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ms = created.unix_timestamp_nanos() / 1_000_000;
    let data = format!(
        "signet-evidence/v1\n{}\n{}\n{}\n{}\n{ms}\n",
        entry["id"].as_str().unwrap(),
        crate::support::APP_ID,
        entry["sid"].as_str().unwrap(),
        entry["sha256"].as_str().unwrap()
    );
    let _ = api;
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data.as_bytes());
    h.finalize().into()
}

#[test]
fn evidence_log_on_sqlite_and_disk() {
    evidence_log(Backend::Embedded);
}

#[test]
fn evidence_log_on_postgres_and_s3() {
    evidence_log(Backend::PostgresS3);
}
