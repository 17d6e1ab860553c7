//! The 签盾 dialect against the real server: `POST /api/open/seal/autosign/auth/url` with every
//! documented code provoked, and the authorization page it links to.

use serde_json::{Value, json};

use crate::support::{APP_ID, APP_KEY, Api, Backend, Reply, http};
use crate::verification::{FaceIdStandIn, SECRET_KEY, deposit_amount};

const AUTH_URL: &str = "/api/open/seal/autosign/auth/url";

/// Posts to the dialect with the bootstrap app's credentials (or other headers).
fn call(api: &Api, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut request =
        http().post(api.server.url(AUTH_URL)).header("content-type", "application/json").body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().expect("request");
    let status = response.status().as_u16();
    let body = serde_json::from_str(&response.text().unwrap()).expect("envelope is JSON");
    Reply { status, body }
}

fn auth_url(api: &Api, body: &Value) -> Reply {
    call(api, &[("X-App-Id", APP_ID), ("X-App-Secret", APP_KEY)], &body.to_string())
}

/// Asserts the documented envelope and returns its code.
fn code(reply: &Reply) -> String {
    let body = &reply.body;
    for field in ["code", "msg", "logKey", "ts"] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }
    assert!(body["ts"].as_str().unwrap().bytes().all(|b| b.is_ascii_digit()), "{body}");
    assert!(!body["logKey"].as_str().unwrap().is_empty());
    assert!(body.as_object().unwrap().contains_key("result"), "{body}");
    body["code"].as_str().unwrap().to_owned()
}

pub fn person(api: &Api, name: &str, id_number: &str) -> String {
    let created = api.post(
        "/v1/accounts",
        &json!({"type": "person", "name": name, "idType": "resident_id", "idNumber": id_number, "mobile": "13800138000"}),
    );
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

pub fn person_seal(api: &Api, account: &str, name: &str, color: &str) -> String {
    let seal = api.post(
        &format!("/v1/accounts/{account}/seals"),
        &json!({"template": {"kind": "person", "name": name, "form": "square", "color": color}}),
    );
    assert_eq!(seal.status, 201, "{:?}", seal.body);
    seal.body["id"].as_str().unwrap().to_owned()
}

fn every_documented_code(backend: Backend) {
    let faceid = FaceIdStandIn::start();
    let api = Api::start_with(backend, &[("SIGNET_VERIFICATION_PROVIDER", &faceid.setting(SECRET_KEY))]);
    let zhang = person(&api, "张三", "11010519491231002X");
    let seal = person_seal(&api, &zhang, "张三", "red");
    let second_seal = person_seal(&api, &zhang, "张三", "blue");

    // Success: the documented example's shape, an unverified person with name and ID number.
    let ok = auth_url(
        &api,
        &json!({"accountId": zhang, "sealIds": null,
                "authConfig": {"willingnessAuthModes": ["CODE_SMS", "PSN_FACE"]},
                "redirectUrl": "https://slushy-bungalow.com/", "redirectDelayTime": 3, "expirationTime": 3600}),
    );
    assert_eq!((ok.status, code(&ok).as_str()), (200, "200"), "{:?}", ok.body);
    let url = ok.body["result"]["authUrl"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/p/", api.server.base_url)), "{url}");
    let page = http().get(url).send().unwrap();
    assert_ne!(page.status().as_u16(), 500);

    // 401: no or wrong credentials (not in the document: the common format is not in the seed).
    let anonymous = call(&api, &[], &json!({"accountId": zhang}).to_string());
    assert_eq!((anonymous.status, code(&anonymous).as_str()), (401, "401"));
    let wrong =
        call(&api, &[("X-App-Id", APP_ID), ("X-App-Secret", "wrong-secret")], &json!({"accountId": zhang}).to_string());
    assert_eq!(code(&wrong), "401");

    // 400: the body and each field, unknown and foreign accounts, an unusable redirect URL.
    for body in [
        "not json".to_owned(),
        "[]".to_owned(),
        json!({"sealIds": null}).to_string(),
        json!({"accountId": zhang, "sealIds": "all"}).to_string(),
        json!({"accountId": zhang, "sealIds": []}).to_string(),
        json!({"accountId": zhang, "authConfig": {"willingnessAuthModes": ["EMAIL"]}}).to_string(),
        json!({"accountId": zhang, "expirationTime": 0}).to_string(),
        json!({"accountId": zhang, "redirectDelayTime": -1}).to_string(),
        json!({"accountId": zhang, "redirectUrl": "ftp://example.com/x"}).to_string(),
        json!({"accountId": "nosuchaccount0000000000"}).to_string(),
    ] {
        let reply = call(&api, &[("X-App-Id", APP_ID), ("X-App-Secret", APP_KEY)], &body);
        assert_eq!((reply.status, code(&reply).as_str()), (400, "400"), "{body}: {:?}", reply.body);
        assert!(reply.body["result"].is_null());
    }
    let other = api.other_app_token();
    let foreign =
        call(&api, &[("Authorization", &format!("Bearer {other}"))], &json!({"accountId": zhang}).to_string());
    assert_eq!(code(&foreign), "400", "another app's account is unknown: {:?}", foreign.body);

    // oc_20001: a seal that does not exist, or is another account's.
    let wang = person(&api, "王五", "440106198001011230");
    let wang_seal = person_seal(&api, &wang, "王五", "red");
    let missing = auth_url(&api, &json!({"accountId": zhang, "sealIds": ["nosuchseal000000000000"]}));
    assert_eq!((missing.status, code(&missing).as_str()), (200, "oc_20001"));
    let theirs = auth_url(&api, &json!({"accountId": zhang, "sealIds": [seal, wang_seal]}));
    assert_eq!(code(&theirs), "oc_20001");

    // oc_20002: the seals are authorized already (natively here).
    let granted = api.post(
        &format!("/v1/accounts/{zhang}/authorizations"),
        &json!({"scope": "auto_sign", "expiresAt": "2099-01-01T00:00:00Z", "sealIds": [seal]}),
    );
    assert_eq!(granted.status, 201, "{:?}", granted.body);
    let again = auth_url(&api, &json!({"accountId": zhang, "sealIds": [seal]}));
    assert_eq!(code(&again), "oc_20002");
    // Not all seals are covered yet: a link for all, or for the other seal, is still possible.
    assert_eq!(code(&auth_url(&api, &json!({"accountId": zhang, "sealIds": [second_seal]}))), "200");
    assert_eq!(code(&auth_url(&api, &json!({"accountId": zhang}))), "200");
    let all = api.post(
        &format!("/v1/accounts/{zhang}/authorizations"),
        &json!({"scope": "auto_sign", "expiresAt": "2099-01-01T00:00:00Z"}),
    );
    assert_eq!(all.status, 201);
    assert_eq!(code(&auth_url(&api, &json!({"accountId": zhang, "sealIds": null}))), "oc_20002");
    assert_eq!(code(&auth_url(&api, &json!({"accountId": zhang, "sealIds": [second_seal]}))), "oc_20002");

    // oc_40025: an organisation must be verified first; a micro-deposit verifies it.
    let org = api.post(
        "/v1/accounts",
        &json!({"type": "org", "name": "杭州测试科技有限公司", "idType": "uscc", "idNumber": "12100000400009880K"}),
    );
    let org = org.body["id"].as_str().unwrap().to_owned();
    let org_seal = api.post(
        &format!("/v1/accounts/{org}/seals"),
        &json!({"template": {"kind": "company", "name": "杭州测试科技有限公司"}}),
    );
    assert_eq!(org_seal.status, 201, "{:?}", org_seal.body);
    let unverified = auth_url(&api, &json!({"accountId": org}));
    assert_eq!((unverified.status, code(&unverified).as_str()), (200, "oc_40025"));
    let deposit = api.post(
        &format!("/v1/accounts/{org}/verifications"),
        &json!({"kind": "micro_deposit", "bankName": "招商银行", "bankAccount": "571901234567890"}),
    );
    let check = deposit.body["id"].as_str().unwrap().to_owned();
    let fen = deposit_amount(&api, &check);
    let confirmed = api
        .post(&format!("/v1/accounts/{org}/verifications/{check}/confirm"), &json!({"amount": format!("0.{fen:02}")}));
    assert_eq!(confirmed.body["outcome"], "match", "{:?}", confirmed.body);
    assert_eq!(code(&auth_url(&api, &json!({"accountId": org}))), "200");

    // oc_40026: an unverified person whose recorded name and ID number the source rejects.
    let li = person(&api, "李四", "440106198001011249");
    let rejected = api.post(&format!("/v1/accounts/{li}/verifications"), &json!({"kind": "person_two_element"}));
    assert_eq!(rejected.body["outcome"], "mismatch", "{:?}", rejected.body);
    let refused = auth_url(&api, &json!({"accountId": li}));
    assert_eq!((refused.status, code(&refused).as_str()), (200, "oc_40026"));

    // Paths of the index the seed does not document answer in the envelope.
    let unknown = http().post(api.server.url("/api/open/contract/create")).json(&json!({})).send().unwrap();
    assert_eq!(unknown.status().as_u16(), 400);

    // 500: the store fails (its link table is gone); the cause stays in the log.
    break_link_table(&api, backend);
    let broken = auth_url(&api, &json!({"accountId": wang}));
    assert_eq!((broken.status, code(&broken).as_str()), (500, "500"), "{:?}", broken.body);
    assert_eq!(broken.body["msg"], "服务繁忙,请重试.");
}

/// Drops the page-link table under the running server, so issuing a link fails in the store.
fn break_link_table(api: &Api, backend: Backend) {
    let status = match backend {
        Backend::Embedded => std::process::Command::new("python3")
            .args([
                "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('drop table page_link'); c.commit()",
            ])
            .arg(api.data_path().join("signet.db"))
            .status(),
        Backend::PostgresS3 => std::process::Command::new("psql")
            .args([
                api.env["SIGNET_DATABASE_URL"].as_str(),
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "drop table page_link",
            ])
            .status(),
    };
    assert!(status.expect("python3 / psql").success());
}

#[test]
fn auth_url_codes_on_sqlite_and_disk() {
    every_documented_code(Backend::Embedded);
}

#[test]
fn auth_url_codes_on_postgres_and_s3() {
    every_documented_code(Backend::PostgresS3);
}
