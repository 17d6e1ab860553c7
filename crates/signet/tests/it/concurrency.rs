//! Two `signet serve` processes on one PostgreSQL + S3 sign different signers of one flow at the
//! same moment: both signatures end up in the final document (no lost update).

use std::collections::HashMap;

use serde_json::json;

use crate::support::{Api, Backend, TestServer, free_port, http};
use crate::validators::assert_pyhanko_valid;

#[test]
fn two_nodes_sign_one_flow_concurrently_without_losing_a_signature() {
    let node_a = Api::start(Backend::PostgresS3);
    // A second node on the same database, object store and master key.
    let mut env: HashMap<String, String> = node_a.env.clone();
    let port = free_port();
    env.insert("SIGNET_LISTEN".into(), format!("127.0.0.1:{port}"));
    let dir_b = tempfile::tempdir().unwrap();
    env.insert("SIGNET_DATA_DIR".into(), dir_b.path().display().to_string());
    let master = std::fs::read_to_string(node_a.data_path().join("master.key")).unwrap();
    env.insert("SIGNET_MASTER_KEY".into(), master.trim().to_owned());
    let node_b = TestServer::spawn(&env);

    let contract = std::fs::read(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures/contract.pdf"),
    )
    .unwrap();
    let file = node_a.upload("contract.pdf", contract).body["id"].as_str().unwrap().to_owned();
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut signers = Vec::new();
    for (i, id_number) in ["11010519491231002X", "110101202311012176", "440106198001011230"].iter().enumerate() {
        let account = node_a.post(
            "/v1/accounts",
            &json!({"type": "person", "name": format!("签署人{i}"), "idType": "resident_id", "idNumber": id_number}),
        );
        assert_eq!(account.status, 201, "{:?}", account.body);
        let id = account.body["id"].as_str().unwrap().to_owned();
        node_a.post(
            &format!("/v1/accounts/{id}/seals"),
            &json!({"template": {"kind": "person", "name": format!("签署人{i}")}}),
        );
        node_a.post(&format!("/v1/accounts/{id}/authorizations"), &json!({"scope": "auto_sign", "expiresAt": expires}));
        signers.push(id);
    }
    // All signers share order 1: they may sign in parallel.
    let flow = node_a.post(
        "/v1/flows",
        &json!({"title": "三方协议", "documents": [{"fileId": file}],
                "signers": signers.iter().enumerate().map(|(i, id)| json!({"accountId": id, "order": 1,
                    "fields": [{"page": 1, "x": 100 + 150 * i, "y": 150}]})).collect::<Vec<_>>()}),
    );
    let flow = flow.body["id"].as_str().unwrap().to_owned();
    node_a.post(&format!("/v1/flows/{flow}/start"), &json!({}));

    // Each signer through a different node, all at once.
    let urls = [node_a.server.url(""), node_b.url(""), node_a.server.url("")];
    let threads: Vec<_> = signers
        .iter()
        .zip(urls)
        .map(|(signer, base)| {
            let (token, flow, signer) = (node_a.token.clone(), flow.clone(), signer.clone());
            std::thread::spawn(move || {
                http()
                    .post(format!("{base}/v1/flows/{flow}/signers/{signer}/sign"))
                    .bearer_auth(token)
                    .json(&json!({"mode": "auto"}))
                    .send()
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(statuses, [200, 200, 200]);

    let state = node_a.get(&format!("/v1/flows/{flow}"));
    assert_eq!(state.body["status"], "completed");
    assert_eq!(state.body["documents"][0]["revision"], 3, "three signatures, none lost");
    let (_, pdf) = node_a.get_bytes(&format!("/v1/flows/{flow}/documents/0/content"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, pdf).unwrap();
    assert_pyhanko_valid(&path, &node_a.ca_file(dir.path()), 3);
    assert_eq!(node_a.get(&format!("/v1/flows/{flow}/audit")).body["intact"], true);
}
