//! Conformance of the 云合同 摘要签署 dialect (API v2.4.1), written from the vendor's document:
//! every route's success example and its documented failures, token kinds, server paths
//! confined to `SIGNET_FILE_ROOTS`, SMS codes, evidence; signed outputs judged by pyHanko,
//! pdfsig and qpdf, seals found on the rendered pages. Runs on both backends.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use reqwest::Method;
use reqwest::blocking::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::cli_support::{pyhanko_validate, signet_verify};
use crate::support::{APP_ID, APP_KEY, Api, Backend, TestServer, free_port, http, signet_bin};
use crate::validators::{assert_pdfsig_valid, assert_pyhanko_valid, assert_qpdf_clean, red_pixels, render_page};

const PERSON_ID: &str = "11010519491231002X";
const PERSON2_ID: &str = "110101202311012176";
const COMPANY_ID: &str = "12100000400009880K";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name)
}

/// A server with the dialect's file root, and a client speaking the dialect.
struct Yht {
    api: Api,
    root: tempfile::TempDir,
    client: reqwest::blocking::Client,
}

/// One dialect answer: the body and the `token` response header.
#[derive(Debug)]
struct Answer {
    body: Value,
    token: Option<String>,
}

impl Answer {
    fn code(&self) -> i64 {
        self.body["code"].as_i64().unwrap_or_else(|| panic!("no numeric code: {:?}", self.body))
    }

    fn msg(&self) -> String {
        match &self.body["msg"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    /// Asserts the failure code and that the message mentions `needle`.
    fn fails(&self, code: i64, needle: &str) {
        assert_eq!(self.code(), code, "{:?}", self.body);
        assert!(self.msg().contains(needle), "message should mention {needle:?}: {:?}", self.body);
    }

    /// Asserts the success envelope and returns `data`.
    fn ok(&self) -> &Value {
        assert_eq!(self.code(), 200, "{:?}", self.body);
        assert_eq!(self.body["msg"], true, "{:?}", self.body);
        &self.body["data"]
    }
}

impl Yht {
    fn start(backend: Backend, extra: &[(&str, &str)]) -> Self {
        let root = tempfile::tempdir().expect("file root");
        let root_str = root.path().display().to_string();
        let mut env = vec![("SIGNET_FILE_ROOTS", root_str.as_str()), ("SIGNET_SMS_PROVIDER", "outbox")];
        env.extend_from_slice(extra);
        let api = Api::start_with(backend, &env);
        Self { api, root, client: http() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// Copies a fixture into the file root.
    fn place(&self, fixture_name: &str, as_name: &str) -> PathBuf {
        let target = self.path(as_name);
        std::fs::copy(fixture(fixture_name), &target).expect("copy fixture");
        target
    }

    fn send(&self, request: reqwest::blocking::RequestBuilder, token: Option<&str>) -> Answer {
        let request = match token {
            Some(token) => request.header("token", token),
            None => request,
        };
        let response = request.send().expect("request");
        assert_eq!(response.status(), 200, "the dialect answers HTTP 200 with its own code");
        let token = response.headers().get("token").map(|v| v.to_str().unwrap().to_owned());
        let text = response.text().unwrap();
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        Answer { body, token }
    }

    fn call(&self, method: Method, route: &str, token: Option<&str>, body: &Value) -> Answer {
        let url = self.api.server.url(&format!("/yunhetong{route}"));
        self.send(self.client.request(method, url).json(body), token)
    }

    fn post(&self, route: &str, token: &str, body: &Value) -> Answer {
        self.call(Method::POST, route, Some(token), body)
    }

    fn patch(&self, route: &str, token: &str, body: &Value) -> Answer {
        self.call(Method::PATCH, route, Some(token), body)
    }

    fn form(&self, route: &str, token: &str, form: Form) -> Answer {
        let url = self.api.server.url(&format!("/yunhetong{route}"));
        self.send(self.client.post(url).multipart(form), Some(token))
    }

    fn login(&self, body: &Value) -> Answer {
        self.call(Method::POST, "/auth/login", None, body)
    }

    /// The platform token of the bootstrap app, or a user's token.
    fn token(&self, signer: Option<i64>) -> String {
        let mut body = json!({"appId": APP_ID, "appKey": APP_KEY});
        if let Some(signer) = signer {
            body["signerId"] = json!(signer.to_string());
        }
        let answer = self.login(&body);
        assert_eq!(answer.code(), 200, "{:?}", answer.body);
        assert_eq!(answer.body["msg"], "成功");
        answer.token.expect("the token travels in the response's token header")
    }

    /// The latest 4-digit code the outbox provider "sent" to `mobile`.
    fn last_code(&self, mobile: &str) -> String {
        let outbox = std::fs::read_to_string(self.api.data_path().join("outbox.jsonl")).expect("outbox.jsonl");
        let message = outbox
            .lines()
            .rev()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|m| m["recipient"] == mobile)
            .unwrap_or_else(|| panic!("no message to {mobile} in {outbox}"));
        let code = message["purpose"]["code"].as_str().unwrap().to_owned();
        assert!(code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()), "a 4-digit code: {code}");
        code
    }

    /// Credentials of a second app on the same database.
    fn other_app(&self) -> (String, String) {
        let output = Command::new(signet_bin())
            .args(["app", "create", "--name", "other platform"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&self.api.env)
            .output()
            .expect("run signet app create");
        assert!(output.status.success(), "signet app create: {}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8_lossy(&output.stdout);
        let field = |name: &str| text.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned()).unwrap();
        (field("app id:"), field("app secret:"))
    }
}

fn contract_form(pdf: &Path, fields: &[(&str, String)]) -> Form {
    let part =
        Part::bytes(std::fs::read(pdf).unwrap()).file_name("待签署合同.pdf").mime_str("application/pdf").unwrap();
    let mut form = Form::new().part("contractPath", part);
    for (name, value) in fields {
        form = form.text((*name).to_owned(), value.clone());
    }
    form
}

fn signer_id(answer: &Answer) -> i64 {
    answer.ok()["signerId"].as_i64().unwrap_or_else(|| panic!("signerId is a number: {:?}", answer.body))
}

fn moulage_id(answer: &Answer) -> i64 {
    answer.ok()["moulageId"].as_i64().unwrap_or_else(|| panic!("moulageId is a number: {:?}", answer.body))
}

fn summary_id(answer: &Answer) -> i64 {
    answer.ok()["summaryId"].as_i64().unwrap_or_else(|| panic!("summaryId is a number: {:?}", answer.body))
}

/// Pixels that are dark but not seal-red (printed text), inside a box in PDF points.
fn dark_pixels(image: &(usize, usize, Vec<u8>), x0: f64, y0: f64, x1: f64, y1: f64) -> usize {
    let (width, height, pixels) = image;
    let mut count = 0;
    for y in height.saturating_sub(y1 as usize)..height.saturating_sub(y0 as usize).min(*height) {
        for x in (x0 as usize)..(x1 as usize).min(*width) {
            let i = (y * width + x) * 3;
            if pixels[i] < 120 && pixels[i + 1] < 120 && pixels[i + 2] < 120 {
                count += 1;
            }
        }
    }
    count
}

fn conformance(backend: Backend) {
    let y = Yht::start(backend, &[]);
    let ca_dir = tempfile::tempdir().unwrap();
    let ca = y.api.ca_file(ca_dir.path());

    // index.html: the health page.
    let page = y.client.get(y.api.server.url("/yunhetong/index.html")).send().unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("云合同"));

    // /auth/login: platform token in the header; 402 for wrong credentials; 201 naming the field.
    let platform = y.token(None);
    y.login(&json!({"appId": APP_ID, "appKey": "wrong-key"})).fails(402, "appKey");
    y.login(&json!({"appId": "no-such-app", "appKey": APP_KEY})).fails(402, "appId");
    y.login(&json!({"appKey": APP_KEY})).fails(201, "appId");
    y.login(&json!({"appId": APP_ID, "appKey": APP_KEY, "signerId": "abc"})).fails(201, "signerId 格式不正确");
    y.login(&json!({"appId": APP_ID, "appKey": APP_KEY, "signerId": "999999"})).fails(20206, "用户不存在");

    // Tokens: missing, forged, and the header name is `token`.
    let person_body = json!({"userName": "张三", "identityRegion": "0", "certifyType": "a", "certifyNum": PERSON_ID,
                             "phoneRegion": "0", "phoneNo": "13000000000"});
    y.call(Method::POST, "/user/person", None, &person_body).fails(401, "令牌");
    y.call(Method::POST, "/user/person", Some("v1.forged.token"), &person_body).fails(401, "令牌无效");
    let native = y.api.token.clone();
    y.call(Method::POST, "/user/person", Some(&native), &person_body).fails(401, "令牌无效");

    // /user/person: numeric signerId; the same ID number again is 20207 as in the example.
    let alice = signer_id(&y.post("/user/person", &platform, &person_body));
    y.post("/user/person", &platform, &person_body).fails(20207, &format!("认证号码({PERSON_ID})已经存在"));
    let mut long_name = person_body.clone();
    long_name["userName"] = json!("一二三四五六七八九十一二三四五六");
    long_name["certifyNum"] = json!(PERSON2_ID);
    y.post("/user/person", &platform, &long_name).fails(201, "userName");
    y.post("/user/person", &platform, &json!({"userName": "李四", "identityRegion": "0"})).fails(201, "certifyNum");
    let mut bad_number = person_body.clone();
    bad_number["certifyNum"] = json!("123456789123456789");
    y.post("/user/person", &platform, &bad_number).fails(201, "certifyNum");
    let mut bad_phone = person_body.clone();
    bad_phone["certifyNum"] = json!(PERSON2_ID);
    bad_phone["phoneNo"] = json!("23000000000");
    y.post("/user/person", &platform, &bad_phone).fails(201, "phoneNo");
    let bob = signer_id(&y.post(
        "/user/person",
        &platform,
        &json!({"userName": "李四", "identityRegion": "0", "certifyNum": PERSON2_ID}),
    ));

    // /user/company.
    let company_body = json!({"userName": "浙江律讯网络科技有限公司", "certifyType": "1", "certifyNum": COMPANY_ID,
                              "phoneRegion": "0", "phoneNo": "13100000000"});
    let org = signer_id(&y.post("/user/company", &platform, &company_body));
    y.post("/user/company", &platform, &company_body).fails(20207, COMPANY_ID);
    let mut bad_type = company_body.clone();
    bad_type["certifyType"] = json!("9");
    y.post("/user/company", &platform, &bad_type).fails(201, "certifyType");

    // User tokens: only for the platform-or-own routes; never on platform-only routes.
    let alice_token = y.token(Some(alice));
    let bob_token = y.token(Some(bob));
    let org_token = y.token(Some(org));
    y.post("/user/person", &alice_token, &person_body).fails(403, "无访问权限");
    y.post("/user/signerId/certifyNums", &alice_token, &json!({"certifyNumList": [PERSON_ID]})).fails(403, "平台");

    // PATCH updates: the platform, or the user's own token; same value, other user, wrong kind: 20001.
    y.patch("/user/personNameAndPhone", &platform, &json!({"signerId": alice.to_string(), "userName": "张三丰"})).ok();
    y.patch("/user/personNameAndPhone", &platform, &json!({"signerId": alice.to_string(), "userName": "张三丰"}))
        .fails(20001, "userName 与当前值一致");
    y.patch("/user/personNameAndPhone", &bob_token, &json!({"signerId": alice.to_string(), "userName": "王五"}))
        .fails(20001, "用户无权限");
    y.patch(
        "/user/personNameAndPhone",
        &alice_token,
        &json!({"signerId": alice.to_string(), "phoneRegion": "0", "phoneNo": "13900139000"}),
    )
    .ok();
    y.patch(
        "/user/personNameAndPhone",
        &alice_token,
        &json!({"signerId": alice.to_string(), "phoneNo": "13900139000"}),
    )
    .fails(20001, "phoneNo 与当前值一致");
    y.patch("/user/companyNameAndPhone", &platform, &json!({"signerId": alice.to_string(), "userName": "某公司"}))
        .fails(20001, "用户无权限");
    y.patch(
        "/user/companyNameAndPhone",
        &org_token,
        &json!({"signerId": org.to_string(), "userName": "浙江测试有限公司"}),
    )
    .ok();
    y.patch("/user/personNameAndPhone", &platform, &json!({"signerId": "777777", "userName": "某"}))
        .fails(20206, "用户不存在");

    // /user/signerId/certifyNums: [{certifyNum: signerId}], unknown numbers left out; none known: 20206.
    let ids = y.post(
        "/user/signerId/certifyNums",
        &platform,
        &json!({"certifyNumList": [PERSON_ID, COMPANY_ID, "123456789"]}),
    );
    assert_eq!(ids.ok(), &json!([{PERSON_ID: alice}, {COMPANY_ID: org}]));
    y.post("/user/signerId/certifyNums", &platform, &json!({"certifyNumList": ["123456789"]}))
        .fails(20206, "用户不存在");

    // /user/userInfo/signerIds: paged; ids are numbers; the ID number and phone as registered.
    let info = y.post(
        "/user/userInfo/signerIds",
        &platform,
        &json!({"signerIdList": [alice.to_string(), org.to_string()], "pageNum": 1, "pageSize": 1}),
    );
    let data = info.ok();
    assert_eq!(
        (data["page"].as_i64(), data["totalPages"].as_i64(), data["total"].as_i64()),
        (Some(1), Some(2), Some(2))
    );
    assert_eq!(data["pageSize"], 1);
    assert_eq!(
        data["userList"][0],
        json!({"signerId": alice, "userName": "张三丰", "certifyNum": PERSON_ID, "phoneNo": "13900139000", "userType": "个人"})
    );
    let page2 = y.post(
        "/user/userInfo/signerIds",
        &platform,
        &json!({"signerIdList": [alice.to_string(), org.to_string()], "pageNum": 2, "pageSize": 1}),
    );
    assert_eq!(page2.ok()["userList"][0]["userType"], "企业");
    y.post("/user/userInfo/signerIds", &platform, &json!({"signerIdList": ["424242"]})).fails(20206, "用户不存在");
    // Without signerIdList (optional in the document): every user of the platform, paged.
    let all = y.post("/user/userInfo/signerIds", &platform, &json!({"pageNum": 1, "pageSize": 1}));
    let data = all.ok();
    assert_eq!((data["total"].as_i64(), data["pageSize"].as_i64()), (Some(3), Some(1)), "alice, bob, org");
    assert_eq!(data["userList"][0]["signerId"], alice);
    let all = y.post("/user/userInfo/signerIds", &platform, &json!({"pageNum": 3, "pageSize": 1}));
    assert_eq!(all.ok()["userList"][0]["signerId"], org);

    // Another platform sees none of these users.
    let (other_id, other_key) = y.other_app();
    let other = y.login(&json!({"appId": other_id, "appKey": other_key})).token.expect("token");
    y.post("/user/userInfo/signerIds", &other, &json!({"signerIdList": [alice.to_string()]}))
        .fails(20206, "用户不存在");
    y.login(&json!({"appId": other_id, "appKey": other_key, "signerId": alice})).fails(20206, "用户不存在");

    // /moulage/person, /moulage/company, /moulage/upload: numeric moulageId.
    let seal_body = |signer: i64| json!({"signerId": signer.to_string(), "borderType": "B1", "fontFamily": "F1", "color": "C1", "mode": "0"});
    let alice_seal = moulage_id(&y.post("/moulage/person", &platform, &seal_body(alice)));
    let alice_seal2 = moulage_id(&y.post("/moulage/person", &alice_token, &seal_body(alice)));
    assert_ne!(alice_seal, alice_seal2);
    y.post("/moulage/person", &bob_token, &seal_body(alice)).fails(20001, "用户无权限");
    y.post("/moulage/person", &platform, &seal_body(org)).fails(20001, "用户无权限");
    let mut bad_font = seal_body(alice);
    bad_font["fontFamily"] = json!("F9");
    y.post("/moulage/person", &platform, &bad_font).fails(201, "fontFamily");
    let masked =
        json!({"signerId": bob.to_string(), "borderType": "B2", "fontFamily": "F4", "color": "C2", "mode": "2"});
    let bob_seal = moulage_id(&y.post("/moulage/person", &platform, &masked));
    let company_seal_body = json!({"signerId": org.to_string(), "styleType": "1", "textContent": "测试专用章",
                                   "keyContent": "1234567890123", "color": "C1", "mode": "0"});
    let org_seal = moulage_id(&y.post("/moulage/company", &org_token, &company_seal_body));
    let mut bad_key = company_seal_body.clone();
    bad_key["keyContent"] = json!("12");
    y.post("/moulage/company", &platform, &bad_key).fails(201, "keyContent");
    let mut oval = company_seal_body.clone();
    oval["styleType"] = json!("2");
    moulage_id(&y.post("/moulage/company", &platform, &oval));
    y.post("/moulage/company", &platform, &json!({"signerId": alice.to_string()})).fails(20001, "用户无权限");
    let png = base64::engine::general_purpose::STANDARD.encode(std::fs::read(fixture("seal.png")).unwrap());
    let uploaded =
        moulage_id(&y.post("/moulage/upload", &bob_token, &json!({"signerId": bob.to_string(), "imgBase": png})));
    y.post("/moulage/upload", &platform, &json!({"signerId": bob.to_string(), "imgBase": "!!!not base64"}))
        .fails(20205, "base64");
    y.post("/moulage/upload", &alice_token, &json!({"signerId": bob.to_string(), "imgBase": png}))
        .fails(20001, "用户无权限");
    assert!(uploaded > 0);

    // /sign/filePath at a keyword: the document's field names, numeric summaryId.
    let contract = y.place("contract.pdf", "待签署合同.pdf");
    let signed = y.path("签署后合同.pdf");
    let sign_body = |seal: i64, save: &Path| {
        json!({"signerId": alice.to_string(), "moulageId": seal.to_string(), "sealClass": "0",
               "contractPath": contract, "contractSavePath": save,
               "signPositionType": "0", "positionContent": "甲方盖章处"})
    };
    let first = summary_id(&y.post("/sign/filePath", &platform, &sign_body(alice_seal, &signed)));
    assert_pyhanko_valid(&signed, &ca, 1);
    assert_pdfsig_valid(&signed, &ca, 1);
    assert_qpdf_clean(&signed);
    let page = render_page(&signed, 2);
    assert!(red_pixels(&page, 65.0, 90.0, 115.0, 137.0) > 200, "seal centred on 甲方盖章处 (60..120, 107..120)");
    assert_eq!(red_pixels(&page, 300.0, 90.0, 400.0, 137.0), 0, "nothing on 乙方盖章处");
    assert_eq!(std::fs::read(&contract).unwrap(), std::fs::read(fixture("contract.pdf")).unwrap(), "input untouched");
    // Signed with the user's own certificate, renewed when the name changed.
    let (ok, report) = signet_verify(&signed, &ca, &["--json"]);
    assert!(ok, "{report}");
    let report: Value = serde_json::from_str(&report).unwrap();
    let subject = report["signatures"][0]["cms"]["signer"].as_str().unwrap_or_default().to_owned();
    assert!(subject.contains("张三丰"), "the certificate names the new name: {report}");

    // A second signature (the other spelling, mouflageId) at coordinates on two pages, origin bottom-left.
    let twice = y.path("twice.pdf");
    let second = summary_id(&y.post(
        "/sign/filePath",
        &platform,
        &json!({"signerId": org.to_string(), "mouflageId": org_seal.to_string(), "contractPath": signed,
                "contractSavePath": twice, "signPositionType": "1", "positionContent": "1,420,150;2,450,650"}),
    ));
    assert!(second > first, "summaryId increases: {first} then {second}");
    assert_pyhanko_valid(&twice, &ca, 2);
    assert_pdfsig_valid(&twice, &ca, 2);
    let page1 = render_page(&twice, 1);
    assert!(red_pixels(&page1, 390.0, 120.0, 450.0, 180.0) > 300, "company seal centred at (420, 150) on page 1");
    let page2 = render_page(&twice, 2);
    assert!(red_pixels(&page2, 420.0, 620.0, 480.0, 680.0) > 300, "company seal centred at (450, 650) on page 2");
    assert!(red_pixels(&page2, 65.0, 90.0, 115.0, 137.0) > 200, "the first seal is still there");

    // sealClass 1: a cross-page seal, one slice at the right edge of every page; positions ignored.
    let cross = y.path("cross.pdf");
    summary_id(&y.post(
        "/sign/filePath",
        &platform,
        &json!({"signerId": org.to_string(), "moulageId": org_seal, "sealClass": "1", "contractPath": contract,
                "contractSavePath": cross, "signPositionType": "0", "positionContent": "不存在的关键字"}),
    ));
    assert_pyhanko_valid(&cross, &ca, 1);
    for n in 1..=2 {
        let page = render_page(&cross, n);
        let right = page.0 as f64;
        assert!(red_pixels(&page, right - 70.0, 330.0, right, 510.0) > 100, "a slice at the right edge of page {n}");
        assert_eq!(red_pixels(&page, 0.0, 330.0, right - 80.0, 510.0), 0, "only the edge of page {n}");
    }

    // sealClass 3 prints the signing time, 2 the digest, under the seal; 0 prints nothing.
    let mut printed = Vec::new();
    for class in ["0", "2", "3"] {
        let out = y.path(&format!("class{class}.pdf"));
        summary_id(&y.post(
            "/sign/filePath",
            &platform,
            &json!({"signerId": alice.to_string(), "moulageId": alice_seal, "sealClass": class, "contractPath": contract,
                    "contractSavePath": out, "signPositionType": "1", "positionContent": "1,300,150"}),
        ));
        assert_pyhanko_valid(&out, &ca, 1);
        let page = render_page(&out, 1);
        printed.push(dark_pixels(&page, 230.0, 60.0, 370.0, 130.0));
    }
    assert_eq!(printed[0], 0, "sealClass 0 prints no text below the seal");
    assert!(printed[1] > 20 && printed[2] > 20, "digest and time printed below the seal: {printed:?}");

    // moulageId -1: a transparent seal, i.e. a valid signature that draws nothing.
    let invisible = y.path("invisible.pdf");
    summary_id(&y.post(
        "/sign/filePath",
        &platform,
        &json!({"signerId": bob.to_string(), "moulageId": "-1", "contractPath": contract, "contractSavePath": invisible}),
    ));
    assert_pyhanko_valid(&invisible, &ca, 1);
    for n in 1..=2 {
        let page = render_page(&invisible, n);
        assert_eq!(red_pixels(&page, 0.0, 0.0, page.0 as f64, page.1 as f64), 0, "nothing drawn on page {n}");
    }

    // The same accounts and audit trail the native API sees.
    let found = y.api.get(&format!("/v1/accounts?idType=resident_id&idNumber={PERSON_ID}"));
    assert_eq!(found.status, 200, "{:?}", found.body);
    let native_id = found.body["id"].as_str().unwrap().to_owned();
    let audit = y.api.get(&format!("/v1/accounts/{native_id}/audit"));
    assert_eq!(audit.body["intact"], true);
    let signed_entries: Vec<&Value> =
        audit.body["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "document.signed").collect();
    assert!(signed_entries.iter().any(|e| e["detail"]["summaryId"] == first), "{:?}", audit.body);

    // Signing failures, each with its code and nothing written.
    let refused = y.path("refused.pdf");
    let with = |changes: Value| {
        let mut body = sign_body(alice_seal, &refused);
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        y.post("/sign/filePath", &platform, &body)
    };
    with(json!({"moulageId": null})).fails(201, "印章 id 为空");
    with(json!({"moulageId": "abc"})).fails(201, "moulageId");
    with(json!({"moulageId": "999999"})).fails(20205, "印模不存在");
    with(json!({"moulageId": bob_seal})).fails(20202, "不能使用他人印模");
    with(json!({"signerId": "888888"})).fails(20206, "用户不存在");
    with(json!({"contractPath": y.path("缺失.pdf")})).fails(20100, "不存在");
    with(json!({"contractPath": "/etc/passwd"})).fails(201, "contractPath");
    with(json!({"contractPath": format!("{}/../etc/passwd", y.root.path().display())})).fails(201, "contractPath");
    with(json!({"contractPath": "relative/待签署合同.pdf"})).fails(201, "contractPath");
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("contract.pdf"), outside.path().join("secret.pdf")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.pdf"), y.path("link.pdf")).unwrap();
    with(json!({"contractPath": y.path("link.pdf")})).fails(201, "contractPath");
    with(json!({"contractSavePath": outside.path().join("out.pdf")})).fails(201, "contractSavePath");
    assert!(!outside.path().join("out.pdf").exists(), "nothing written outside the roots");
    std::os::unix::fs::symlink(outside.path(), y.path("outdir")).unwrap();
    with(json!({"contractSavePath": y.path("outdir/out.pdf")})).fails(201, "contractSavePath");
    assert!(!outside.path().join("out.pdf").exists(), "nothing written through a symlinked directory");
    with(json!({"contractSavePath": y.path("out.txt")})).fails(201, "文件保存类型非法");
    with(json!({"positionContent": "丙方盖章处"})).fails(20110, "丙方盖章处");
    with(json!({"signPositionType": "1", "positionContent": "9,100,100"})).fails(201, "positionContent");
    with(json!({"signPositionType": "1", "positionContent": "1;100"})).fails(201, "positionContent");
    with(json!({"signPositionType": "7"})).fails(201, "signPositionType");
    std::fs::write(y.path("not-a.pdf"), b"hello, not a PDF").unwrap();
    with(json!({"contractPath": y.path("not-a.pdf")})).fails(20101, "读取失败");
    assert!(!refused.exists(), "no output for refused requests");
    y.post("/sign/filePath", &alice_token, &sign_body(alice_seal, &refused)).fails(403, "无访问权限");
    let one_page = y.place("one-page.pdf", "one-page.pdf");
    with(json!({"sealClass": "1", "contractPath": one_page})).fails(20110, "签署失败");

    // /sign/fileStream: the PDF as the multipart part `contractPath`, saved at contractSavePath.
    let streamed = y.path("streamed.pdf");
    let form = contract_form(
        &fixture("contract.pdf"),
        &[
            ("signerId", alice.to_string()),
            ("mouflageId", alice_seal.to_string()),
            ("sealClass", "0".into()),
            ("contractSavePath", streamed.display().to_string()),
            ("contractTitle", "采购合同".into()),
            ("signPositionType", "1".into()),
            ("positionContent", "2,450,300".into()),
        ],
    );
    summary_id(&y.form("/sign/fileStream", &platform, form));
    assert_pyhanko_valid(&streamed, &ca, 1);
    assert_pdfsig_valid(&streamed, &ca, 1);
    assert!(red_pixels(&render_page(&streamed, 2), 425.0, 275.0, 475.0, 325.0) > 200, "seal at (450, 300)");
    let form = contract_form(&fixture("contract.pdf"), &[("signerId", alice.to_string())]);
    y.form("/sign/fileStream", &platform, form).fails(201, "印章 id 为空");
    let form = contract_form(
        &fixture("contract.pdf"),
        &[
            ("signerId", alice.to_string()),
            ("moulageId", alice_seal.to_string()),
            ("contractSavePath", "/etc/x.pdf".into()),
            ("signPositionType", "0".into()),
            ("positionContent", "甲方盖章处".into()),
        ],
    );
    y.form("/sign/fileStream", &platform, form).fails(201, "contractSavePath");

    // /send/verifyCode and the SMS variants: 4 digits, single use, attempts limited; a request
    // refused for its seal does not spend the code.
    y.post("/send/verifyCode", &alice_token, &json!({"signerId": alice.to_string()})).fails(403, "无访问权限");
    y.post("/send/verifyCode", &platform, &json!({"signerId": alice.to_string()})).ok();
    let code = y.last_code("13900139000");
    y.post("/send/verifyCode", &platform, &json!({"signerId": alice.to_string()})).fails(503, "频繁");
    assert_eq!(y.last_code("13900139000"), code, "no second code within a minute");
    let coded = y.path("coded.pdf");
    let mut coded_body = sign_body(alice_seal, &coded);
    y.post("/sign/verifyCodeFilePath", &platform, &coded_body).fails(100609, "验证码为空");
    let wrong = if code == "0000" { "1111" } else { "0000" };
    coded_body["code"] = json!(wrong);
    y.post("/sign/verifyCodeFilePath", &platform, &coded_body).fails(100611, "验证码错误");
    assert!(!coded.exists());
    coded_body["code"] = json!(code);
    coded_body["moulageId"] = json!(bob_seal);
    y.post("/sign/verifyCodeFilePath", &platform, &coded_body).fails(20202, "不能使用他人印模");
    coded_body["moulageId"] = json!(alice_seal);
    summary_id(&y.post("/sign/verifyCodeFilePath", &platform, &coded_body));
    assert_pyhanko_valid(&coded, &ca, 1);
    y.post("/sign/verifyCodeFilePath", &platform, &coded_body).fails(100612, "已失效");
    y.post("/send/verifyCode", &platform, &json!({"signerId": bob.to_string()})).fails(20201, "手机号不存在");
    y.post("/send/verifyCode", &platform, &json!({"signerId": bob.to_string(), "phoneNo": "123"}))
        .fails(100603, "号码非法");
    y.post("/send/verifyCode", &platform, &json!({"signerId": bob.to_string(), "phoneNo": "13700137000"})).ok();
    let bob_code = y.last_code("13700137000");
    let coded_stream = y.path("coded-stream.pdf");
    let stream_fields = |code: &str| {
        vec![
            ("code", code.to_owned()),
            ("signerId", bob.to_string()),
            ("moulageId", uploaded.to_string()),
            ("contractSavePath", coded_stream.display().to_string()),
            ("signPositionType", "0".into()),
            ("positionContent", "乙方盖章处".into()),
        ]
    };
    y.form(
        "/sign/verifyCodeFileStream",
        &platform,
        contract_form(&fixture("contract.pdf"), &stream_fields(wrong_for(&bob_code))),
    )
    .fails(100611, "验证码错误");
    summary_id(&y.form(
        "/sign/verifyCodeFileStream",
        &platform,
        contract_form(&fixture("contract.pdf"), &stream_fields(&bob_code)),
    ));
    assert_pyhanko_valid(&coded_stream, &ca, 1);
    assert_pdfsig_valid(&coded_stream, &ca, 1);
    y.form("/sign/verifyCodeFileStream", &platform, contract_form(&fixture("contract.pdf"), &stream_fields(&bob_code)))
        .fails(100612, "已失效");
    // Attempts are limited: after three wrong answers even the right code is refused.
    y.post("/send/verifyCode", &platform, &json!({"signerId": org.to_string()})).ok();
    let org_code = y.last_code("13100000000");
    let mut org_body = json!({"signerId": org.to_string(), "moulageId": org_seal, "contractPath": contract,
                              "contractSavePath": y.path("org-coded.pdf"), "signPositionType": "0",
                              "positionContent": "乙方盖章处", "code": wrong_for(&org_code)});
    y.post("/sign/verifyCodeFilePath", &platform, &org_body).fails(100611, "验证码错误");
    y.post("/sign/verifyCodeFilePath", &platform, &org_body).fails(100611, "验证码错误");
    y.post("/sign/verifyCodeFilePath", &platform, &org_body).fails(100612, "错误次数过多");
    org_body["code"] = json!(org_code);
    y.post("/sign/verifyCodeFilePath", &platform, &org_body).fails(100612, "已失效");
    // A signer who was never sent a code (a passport holder, signing with a transparent seal).
    let carol = signer_id(&y.post(
        "/user/person",
        &platform,
        &json!({"userName": "Carol", "identityRegion": "4", "certifyType": "b", "certifyNum": "E12345678"}),
    ));
    let never = json!({"code": "1234", "signerId": carol.to_string(), "moulageId": "-1", "contractPath": contract,
                       "contractSavePath": y.path("never.pdf")});
    y.post("/sign/verifyCodeFilePath", &platform, &never).fails(20107, "未通过验证码校验");
    assert!(!y.path("never.pdf").exists());

    // /tsa/pathSign and /tsa/streamSign: a PAdES document timestamp, PDF only, ≤ 20 MB.
    let stamped = y.path("stamped.pdf");
    let tsa = y.post("/tsa/pathSign", &platform, &json!({"filePath": signed, "fileSavePath": stamped}));
    let tsa_id = tsa.ok()["timeStampSignId"].as_i64().expect("timeStampSignId is a number");
    let (ok, report) = signet_verify(&stamped, &ca, &["--json"]);
    assert!(ok, "{report}");
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["signatures"][1]["documentTimestamp"], true, "{report}");
    let (ok, text) = pyhanko_validate(&stamped, &ca, &["--no-revocation-check"]);
    assert!(ok, "pyHanko on the timestamped file: {text}");
    assert_qpdf_clean(&stamped);
    y.post("/tsa/pathSign", &platform, &json!({"filePath": y.path("not-a.pdf"), "fileSavePath": y.path("x.pdf")}))
        .fails(201, "pdf");
    y.post("/tsa/pathSign", &platform, &json!({"filePath": signed, "fileSavePath": y.path("x.doc")}))
        .fails(201, "文件保存类型非法");
    y.post("/tsa/pathSign", &platform, &json!({"filePath": "/etc/hostname", "fileSavePath": y.path("x.pdf")}))
        .fails(201, "filePath");
    let big = y.path("big.pdf");
    let mut bytes = std::fs::read(fixture("contract.pdf")).unwrap();
    bytes.resize(21 * 1024 * 1024, b' ');
    std::fs::write(&big, bytes).unwrap();
    y.post("/tsa/pathSign", &platform, &json!({"filePath": big, "fileSavePath": y.path("x.pdf")}))
        .fails(201, "filePath");
    y.post("/tsa/pathSign", &alice_token, &json!({"filePath": signed, "fileSavePath": y.path("x.pdf")}))
        .fails(403, "无访问权限");
    assert!(!y.path("x.pdf").exists());
    let stream_stamped = y.path("stream-stamped.pdf");
    let part = Part::bytes(std::fs::read(fixture("contract.pdf")).unwrap()).file_name("c.pdf");
    let form = Form::new()
        .part("filePath", part)
        .text("fileSavePath", stream_stamped.display().to_string())
        .text("title", "合同");
    let stream_tsa = y.form("/tsa/streamSign", &platform, form);
    assert!(stream_tsa.ok()["timeStampSignId"].as_i64().unwrap() > tsa_id);
    let (ok, report) = signet_verify(&stream_stamped, &ca, &["--json"]);
    assert!(ok, "{report}");

    // /cz/in and /cz/queryCzId: evidence under the platform's sid, unique per app.
    let deposit = y.post("/cz/in", &platform, &json!({"sid": "order-0001", "filePath": signed}));
    let cz = deposit.ok()["czId"].as_i64().expect("czId is a number");
    y.post("/cz/in", &platform, &json!({"sid": "order-0001", "filePath": signed})).fails(10205, "数据标识已存在");
    y.post("/cz/in", &platform, &json!({"sid": "abc", "filePath": signed})).fails(201, "sid");
    y.post("/cz/in", &platform, &json!({"sid": "order-0002", "filePath": "/etc/hostname"})).fails(201, "filePath");
    y.post("/cz/in", &platform, &json!({"sid": "order-0002", "filePath": y.path("缺失.pdf")})).fails(20100, "不存在");
    let query = y.post("/cz/queryCzId", &platform, &json!({"sid": "order-0001"}));
    assert_eq!(query.ok()["czId"].as_i64(), Some(cz));
    y.post("/cz/queryCzId", &platform, &json!({"sid": "order-9999"})).fails(10206, "无存证数据");
    y.post("/cz/queryCzId", &other, &json!({"sid": "order-0001"})).fails(10206, "无存证数据");
    // Another platform may use the same sid.
    let other_cz = y.post("/cz/in", &other, &json!({"sid": "order-0001", "filePath": signed}));
    assert_ne!(other_cz.ok()["czId"].as_i64(), Some(cz));

    // Every platform-only route refuses user tokens (403) before looking at the request; the
    // platform-or-own routes refuse another user's token (20001).
    for route in [
        "/user/person",
        "/user/company",
        "/user/signerId/certifyNums",
        "/user/userInfo/signerIds",
        "/sign/filePath",
        "/send/verifyCode",
        "/sign/verifyCodeFilePath",
        "/tsa/pathSign",
        "/cz/in",
        "/cz/queryCzId",
    ] {
        y.post(route, &org_token, &json!({"signerId": org.to_string(), "sid": "order-0001"})).fails(403, "无访问权限");
    }
    for route in ["/sign/fileStream", "/sign/verifyCodeFileStream"] {
        let form = contract_form(&fixture("contract.pdf"), &[("signerId", org.to_string())]);
        y.form(route, &org_token, form).fails(403, "无访问权限");
    }
    let form = Form::new().part("filePath", Part::bytes(b"%PDF-1.7".to_vec()).file_name("c.pdf"));
    y.form("/tsa/streamSign", &org_token, form).fails(403, "无访问权限");
    // Uploads are read before the token is judged, so the client sees the answer, not a cut connection.
    let form = contract_form(&fixture("contract.pdf"), &[("signerId", org.to_string())]);
    y.form("/sign/fileStream", "", form).fails(401, "令牌无效");
    let form = Form::new().part("filePath", Part::bytes(b"%PDF-1.7".to_vec()).file_name("c.pdf"));
    y.form("/tsa/streamSign", "expired-or-forged", form).fails(401, "令牌无效");
    y.patch("/user/companyNameAndPhone", &alice_token, &json!({"signerId": org.to_string(), "userName": "某"}))
        .fails(20001, "用户无权限");
    y.post("/moulage/company", &alice_token, &company_seal_body).fails(20001, "用户无权限");

    // Several nodes on one database: tokens are stateless and numeric ids are shared, so a token
    // and a moulageId from this node work on a second one.
    if let Backend::PostgresS3 = backend {
        let mut env = y.api.env.clone();
        let port = free_port();
        env.insert("SIGNET_LISTEN".into(), format!("127.0.0.1:{port}"));
        let node_b = TestServer::spawn(&env);
        let on_b = y.path("node-b.pdf");
        let body = json!({"signerId": alice.to_string(), "moulageId": alice_seal, "contractPath": contract,
                          "contractSavePath": on_b, "signPositionType": "0", "positionContent": "甲方盖章处"});
        let response =
            y.client.post(node_b.url("/yunhetong/sign/filePath")).header("token", &platform).json(&body).send();
        let answer: Value = response.unwrap().json().unwrap();
        assert_eq!(answer["code"], 200, "{answer}");
        assert!(answer["data"]["summaryId"].as_i64().unwrap() > second, "one summaryId sequence for every node");
        assert_pyhanko_valid(&on_b, &ca, 1);
    }

    // Unknown routes answer in the envelope.
    y.post("/sign/nowhere", &platform, &json!({})).fails(501, "不可用");
    y.call(Method::GET, "/auth/login", None, &json!({})).fails(501, "不可用");
}

/// A 4-digit code that is not `code`.
fn wrong_for(code: &str) -> &'static str {
    if code == "0000" { "1111" } else { "0000" }
}

#[test]
fn yunhetong_conformance_on_sqlite_and_disk() {
    conformance(Backend::Embedded);
}

#[test]
fn yunhetong_conformance_on_postgres_and_s3() {
    conformance(Backend::PostgresS3);
}

/// Tokens last `SIGNET_YUNHETONG_TOKEN_TTL_SECS` (15 minutes by default); a response renews a
/// token with less than 5 minutes left in its `token` header, and an expired token is 401.
#[test]
fn yunhetong_tokens_are_renewed_and_expire() {
    // Default lifetime: a fresh token is not renewed.
    let y = Yht::start(Backend::Embedded, &[]);
    let platform = y.token(None);
    let fresh = y.post("/user/signerId/certifyNums", &platform, &json!({"certifyNumList": [PERSON_ID]}));
    fresh.fails(20206, "用户不存在");
    assert_eq!(fresh.token, None, "15 minutes left: no renewal");
    drop(y);

    // A 4-minute lifetime is inside the renewal window at once: every answer carries a new token.
    let y = Yht::start(Backend::Embedded, &[("SIGNET_YUNHETONG_TOKEN_TTL_SECS", "240")]);
    let platform = y.token(None);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let answer = y.post("/user/signerId/certifyNums", &platform, &json!({"certifyNumList": [PERSON_ID]}));
    let renewed = answer.token.expect("a renewed token in the response header");
    assert_ne!(renewed, platform);
    y.post("/user/signerId/certifyNums", &renewed, &json!({"certifyNumList": [PERSON_ID]})).fails(20206, "用户不存在");
    drop(y);

    // A 1-second lifetime: the token is refused as expired (401), and is not renewed.
    let y = Yht::start(Backend::Embedded, &[("SIGNET_YUNHETONG_TOKEN_TTL_SECS", "1")]);
    let platform = y.token(None);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let expired = y.post("/user/signerId/certifyNums", &platform, &json!({"certifyNumList": [PERSON_ID]}));
    expired.fails(401, "令牌已过期");
    assert_eq!(expired.token, None);
}

/// A code past its validity (`SIGNET_CODE_VALIDITY_SECS`, 15 minutes by default) is 20108, and
/// nothing is written.
#[test]
fn yunhetong_codes_expire() {
    let y = Yht::start(Backend::Embedded, &[("SIGNET_CODE_VALIDITY_SECS", "1")]);
    let platform = y.token(None);
    let person = json!({"userName": "张三", "identityRegion": "0", "certifyType": "a", "certifyNum": PERSON_ID,
                        "phoneRegion": "0", "phoneNo": "13000000000"});
    let signer = signer_id(&y.post("/user/person", &platform, &person));
    let seal =
        json!({"signerId": signer.to_string(), "borderType": "B1", "fontFamily": "F1", "color": "C1", "mode": "0"});
    let seal = moulage_id(&y.post("/moulage/person", &platform, &seal));
    y.post("/send/verifyCode", &platform, &json!({"signerId": signer.to_string()})).ok();
    let code = y.last_code("13000000000");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let contract = y.place("contract.pdf", "c.pdf");
    let save = y.path("late.pdf");
    let body = json!({"signerId": signer.to_string(), "moulageId": seal.to_string(), "sealClass": "0", "code": code,
                      "contractPath": contract, "contractSavePath": save,
                      "signPositionType": "0", "positionContent": "甲方盖章处"});
    y.post("/sign/verifyCodeFilePath", &platform, &body).fails(20108, "验证码");
    assert!(!save.exists(), "an expired code writes nothing");
}
