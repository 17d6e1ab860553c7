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

pub fn auth_url(api: &Api, body: &Value) -> Reply {
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
    assert_eq!(page.status().as_u16(), 200, "the link opens the authorization page");

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

/// Signs a one-signer flow for `account` automatically with `seal`; returns the sign status.
pub fn auto_sign(api: &Api, account: &str, seal: &str) -> Reply {
    let flow = crate::pages::started_flow(
        api,
        json!([{"accountId": account, "sealId": seal, "fields": [{"page": 1, "x": 300, "y": 300}]}]),
    );
    api.post(&format!("/v1/flows/{flow}/signers/{account}/sign"), &json!({"mode": "auto"}))
}

fn authorization_page_grants_silent_signing(backend: Backend) {
    let api = Api::start(backend);
    let zhang = person(&api, "张三", "11010519491231002X");
    let red = person_seal(&api, &zhang, "张三", "red");
    let blue = person_seal(&api, &zhang, "张三", "blue");
    // Before: automatic signing is refused.
    assert_eq!(auto_sign(&api, &zhang, &red).status, 403);

    // The app asks for the red seal, face first: this deployment has no face verifier.
    let link = auth_url(
        &api,
        &json!({"accountId": zhang, "sealIds": [red],
                "authConfig": {"willingnessAuthModes": ["PSN_FACE", "CODE_SMS"]}, "expirationTime": 600}),
    );
    assert_eq!(code(&link), "200", "{:?}", link.body);
    let url = link.body["result"]["authUrl"].as_str().unwrap().to_owned();
    // Another account's link that expires in a second.
    let wang = person(&api, "王五", "440106198001011230");
    person_seal(&api, &wang, "王五", "red");
    let short = auth_url(&api, &json!({"accountId": wang, "expirationTime": 1}));
    let expired_url = short.body["result"]["authUrl"].as_str().unwrap().to_owned();
    std::thread::sleep(std::time::Duration::from_millis(1500));

    let outbox = api.data_path().join("outbox.jsonl");
    let r = crate::pages::run_browser(
        "authorize",
        &json!({"url": url, "expiredUrl": expired_url, "outbox": outbox, "mobile": "13800138000"}),
    );
    assert_eq!(r["seen"]["status"], 200, "{r}");
    assert_eq!(r["seen"]["title"], "静默签署授权", "{r}");
    assert_eq!(r["seen"]["account"], "张三");
    assert_eq!(r["seen"]["valid"], "长期有效，直至撤销");
    assert_eq!(
        (r["seen"]["seals"].as_u64(), r["seen"]["allSeals"].as_u64()),
        (Some(1), Some(0)),
        "only the red seal: {r}"
    );
    assert_eq!(r["seen"]["faceNotice"], true, "the page says face verification is unavailable: {r}");
    assert!(r["noCode"].as_str().unwrap().contains("验证码"), "{r}");
    assert!(r["sentNotice"].as_str().unwrap().contains("138****8000"), "{r}");
    assert!(r["wrongNotice"].as_str().unwrap().contains("验证码错误"), "{r}");
    assert!(r["grantedNotice"].as_str().unwrap().contains("授权成功"), "{r}");
    assert_eq!(r["used"]["status"], 410, "{r}");
    assert_eq!(r["expired"]["status"], 410, "{r}");
    assert!(r["expired"]["text"].as_str().unwrap().contains("过期"), "{r}");
    assert_eq!(r["violations"], json!([]), "axe-core serious/critical violations");
    assert_eq!(r["errors"], json!([]), "console errors (CSP violations included)");

    // The page created the native authorization: the red seal only, until revoked.
    let authorizations = api.get(&format!("/v1/accounts/{zhang}/authorizations"));
    let list = authorizations.body.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], r["authorizationId"]);
    assert_eq!(list[0]["sealIds"], json!([red]));
    // The account's audit trail has the code and the grant.
    let audit = api.get(&format!("/v1/accounts/{zhang}/audit")).body.to_string();
    assert!(audit.contains("authorization.granted") && audit.contains("willingness.code_sent"), "{audit}");

    // Native automatic signing now succeeds with the red seal and is refused with the blue one.
    let signed = auto_sign(&api, &zhang, &red);
    assert_eq!(signed.status, 200, "{:?}", signed.body);
    let refused = auto_sign(&api, &zhang, &blue);
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    // The red seal is authorized now: the dialect says so.
    assert_eq!(code(&auth_url(&api, &json!({"accountId": zhang, "sealIds": [red]}))), "oc_20002");
}

#[test]
fn authorization_page_in_chromium_on_sqlite_and_disk() {
    authorization_page_grants_silent_signing(Backend::Embedded);
}

#[test]
fn authorization_page_in_chromium_on_postgres_and_s3() {
    authorization_page_grants_silent_signing(Backend::PostgresS3);
}

#[test]
fn the_native_authorization_link_route_gives_the_same_page_with_native_codes() {
    let api = Api::start(Backend::Embedded);
    let zhang = person(&api, "张三", "11010519491231002X");
    let seal = person_seal(&api, &zhang, "张三", "red");
    let path = format!("/v1/accounts/{zhang}/authorization-links");
    let link = api.post(&path, &json!({"sealIds": [seal], "willingness": ["sms"], "expiresIn": 600}));
    assert_eq!(link.status, 200, "{:?}", link.body);
    let url = link.body["url"].as_str().unwrap();
    assert_eq!(http().get(url).send().unwrap().status().as_u16(), 200);
    assert!(link.body["shortUrl"].as_str().unwrap().contains("/s/"));
    assert_eq!(api.post(&path, &json!({"sealIds": ["nosuchseal000000000000"]})).status, 400);
    assert_eq!(api.post(&path, &json!({"willingness": ["iris"]})).status, 400);
    let other = api.other_app_token();
    assert_eq!(api.as_token_with(reqwest::Method::POST, &path, Some(&other), &json!({})).status, 404);
    api.post(
        &format!("/v1/accounts/{zhang}/authorizations"),
        &json!({"scope": "auto_sign", "expiresAt": "2099-01-01T00:00:00Z"}),
    );
    assert_eq!(api.post(&path, &json!({})).status, 409, "already authorized");
    let org = api.post(
        "/v1/accounts",
        &json!({"type": "org", "name": "杭州测试科技有限公司", "idType": "uscc", "idNumber": "12100000400009880K"}),
    );
    let org = org.body["id"].as_str().unwrap().to_owned();
    let unverified = api.post(&format!("/v1/accounts/{org}/authorization-links"), &json!({}));
    assert_eq!(unverified.status, 409, "{:?}", unverified.body);
    assert!(unverified.body["message"].as_str().unwrap().contains("verification"));
    let openapi = api.get("/openapi.json");
    assert!(openapi.body["paths"]["/v1/accounts/{id}/authorization-links"]["post"].is_object());
}
