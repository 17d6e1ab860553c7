//! `signet serve` on embedded defaults and on PostgreSQL + S3: endpoints, restarts, master key.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::support::{
    APP_ID, APP_KEY, Backend, TestServer, backend_env, base_env, fresh_pg_database, fresh_s3_bucket, http,
};

fn bootstrap_env(data_dir: &std::path::Path) -> HashMap<String, String> {
    backend_env(data_dir, Backend::Embedded)
}

fn login(server: &TestServer, app_id: &str, secret: &str) -> reqwest::blocking::Response {
    http().post(server.url("/v1/auth/token")).json(&json!({"appId": app_id, "appSecret": secret})).send().unwrap()
}

fn token(server: &TestServer) -> String {
    let response = login(server, APP_ID, APP_KEY);
    assert_eq!(response.status(), 200, "login with the bootstrap app");
    let body: Value = response.json().unwrap();
    assert!(body["expiresIn"].as_i64().unwrap() > 0);
    body["accessToken"].as_str().unwrap().to_owned()
}

fn ca_pem(server: &TestServer) -> String {
    let response = http().get(server.url("/pki/ca.pem")).send().unwrap();
    assert_eq!(response.status(), 200);
    response.text().unwrap()
}

/// Checks every endpoint a deployment must answer, and returns the CA bundle.
fn check_operational_endpoints(server: &TestServer) -> String {
    let client = http();
    let health: Value = client.get(server.url("/healthz")).send().unwrap().json().unwrap();
    assert_eq!(health["status"], "ok");

    let ready = client.get(server.url("/readyz")).send().unwrap();
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().unwrap();
    assert_eq!((ready["database"].as_str(), ready["objects"].as_str()), (Some("ok"), Some("ok")));

    let openapi: Value = client.get(server.url("/openapi.json")).send().unwrap().json().unwrap();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1 document");
    for path in ["/v1/auth/token", "/v1/app", "/healthz", "/readyz", "/pki/ca.pem"] {
        assert!(openapi["paths"].get(path).is_some(), "{path} missing from /openapi.json");
    }

    let pem = ca_pem(server);
    let certificates = pem.matches("-----BEGIN CERTIFICATE-----").count();
    assert!(certificates >= 3, "root, issuing CA and TSA expected, got {certificates} certificates");
    pem
}

#[test]
fn serve_on_embedded_defaults_answers_and_restarts_with_the_same_ca_and_app() {
    let data = tempfile::tempdir().unwrap();
    let env = bootstrap_env(data.path());

    let first = TestServer::spawn(&env);
    let pem = check_operational_endpoints(&first);
    let token = token(&first);
    let app: Value = http().get(first.url("/v1/app")).bearer_auth(&token).send().unwrap().json().unwrap();
    assert_eq!(app["appId"], APP_ID);
    assert!(first.terminate().success(), "SIGTERM ends the server cleanly");

    // The embedded defaults were created in the data directory, the master key private to its owner.
    assert!(data.path().join("signet.db").is_file());
    assert!(data.path().join("objects").is_dir());
    let key_file = data.path().join("master.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let second = TestServer::spawn(&env);
    assert_eq!(ca_pem(&second), pem, "a restart reuses the same CA certificates");
    let token = self::token(&second);
    assert_eq!(http().get(second.url("/v1/app")).bearer_auth(token).send().unwrap().status(), 200);
}

#[test]
fn first_start_without_bootstrap_prints_working_credentials_once() {
    let data = tempfile::tempdir().unwrap();
    let env = base_env(data.path());
    let server = TestServer::spawn(&env);
    let printed = server.stdout.join("\n");
    let field = |name: &str| {
        printed
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(str::trim)
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{name} not printed in {printed:?}"))
    };
    let (id, secret) = (field("app id:"), field("app secret:"));
    assert_eq!(login(&server, &id, &secret).status(), 200);
    drop(server);

    let again = TestServer::spawn(&env);
    assert!(!again.stdout.join("\n").contains("app secret"), "credentials are printed on the first start only");
}

#[test]
fn a_wrong_or_missing_master_key_stops_the_start_with_a_clear_error() {
    let data = tempfile::tempdir().unwrap();
    let env = bootstrap_env(data.path());
    let pem_before = {
        let server = TestServer::spawn(&env);
        ca_pem(&server)
    };

    let mut wrong = env.clone();
    wrong.insert("SIGNET_MASTER_KEY".into(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into());
    let failure = TestServer::try_spawn(&wrong).err().expect("a wrong master key must not start");
    assert!(!failure.status.success());
    assert!(failure.stderr.contains("master key does not match"), "stderr: {}", failure.stderr);

    let mut garbage = env.clone();
    garbage.insert("SIGNET_MASTER_KEY".into(), "not base64!".into());
    let failure = TestServer::try_spawn(&garbage).err().expect("a malformed master key must not start");
    assert!(failure.stderr.contains("SIGNET_MASTER_KEY"), "stderr: {}", failure.stderr);

    let key_file = data.path().join("master.key");
    let saved = std::fs::read(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    let failure = TestServer::try_spawn(&env).err().expect("a missing master key must not start");
    assert!(failure.stderr.contains("master key is missing"), "stderr: {}", failure.stderr);
    assert!(!key_file.exists(), "no new key is written over an initialised database");

    // Nothing was touched: with the right key back, the same CA comes up.
    std::fs::write(&key_file, saved).unwrap();
    let server = TestServer::spawn(&env);
    assert_eq!(ca_pem(&server), pem_before);
}

#[test]
fn native_auth_errors_are_json_with_a_code() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::spawn(&bootstrap_env(data.path()));
    let client = http();

    let no_token = client.get(server.url("/v1/app")).send().unwrap();
    assert_eq!(no_token.status(), 401);
    assert_eq!(no_token.json::<Value>().unwrap()["code"], "unauthenticated");

    let bad_token = client.get(server.url("/v1/app")).bearer_auth("v1.Zm9v.YmFy").send().unwrap();
    assert_eq!(bad_token.status(), 401);

    let wrong_secret = login(&server, APP_ID, "not-the-secret");
    assert_eq!(wrong_secret.status(), 401);

    let bad_json =
        client.post(server.url("/v1/auth/token")).header("content-type", "application/json").body("{").send();
    let bad_json = bad_json.unwrap();
    assert_eq!(bad_json.status(), 400);
    let body: Value = bad_json.json().unwrap();
    assert_eq!(body["code"], "invalid_input");
    assert!(body["message"].as_str().unwrap().contains("body"));

    let token = token(&server);
    let patch = client
        .patch(server.url("/v1/app"))
        .bearer_auth(&token)
        .json(&json!({"callbackUrl": "ftp://example.com/x"}))
        .send()
        .unwrap();
    assert_eq!(patch.status(), 400);
    assert!(patch.json::<Value>().unwrap()["message"].as_str().unwrap().contains("callbackUrl"));

    let patch = client
        .patch(server.url("/v1/app"))
        .bearer_auth(&token)
        .json(&json!({"callbackUrl": "https://hooks.example.com/signet", "callbackSecret": "s3cret"}))
        .send()
        .unwrap();
    assert_eq!(patch.status(), 200);
    let app: Value = patch.json().unwrap();
    assert_eq!(app["callbackUrl"], "https://hooks.example.com/signet");
    assert_eq!(app["hasCallbackSecret"], true);
    assert!(app.get("callbackSecret").is_none(), "the secret is never returned");
}

#[test]
fn serve_on_postgres_and_s3_shares_one_ca_between_two_nodes() {
    let database_url = fresh_pg_database();
    let (endpoint, bucket) = fresh_s3_bucket();
    let shared = |dir: &std::path::Path| {
        let mut env = bootstrap_env(dir);
        env.insert("SIGNET_DATABASE_URL".into(), database_url.clone());
        env.insert("SIGNET_STORAGE_URL".into(), format!("s3://{bucket}?endpoint={endpoint}&region=us-east-1"));
        env.insert("SIGNET_MASTER_KEY".into(), "c2lnbmV0LXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcyE=".into());
        env.insert("AWS_ACCESS_KEY_ID".into(), "test".into());
        env.insert("AWS_SECRET_ACCESS_KEY".into(), "test".into());
        env
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let node_a = TestServer::spawn(&shared(dir_a.path()));
    let pem = check_operational_endpoints(&node_a);
    let node_b = TestServer::spawn(&shared(dir_b.path()));
    assert_eq!(ca_pem(&node_b), pem, "both nodes serve the CA stored in the shared database");

    // A token issued by one node is accepted by the other: nodes keep no session state.
    let token = token(&node_a);
    assert_eq!(http().get(node_b.url("/v1/app")).bearer_auth(token).send().unwrap().status(), 200);
}
