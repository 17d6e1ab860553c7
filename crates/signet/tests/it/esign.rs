//! The e签宝 open-service dialect, written from the vendor's document alone
//! (`/work/shared/seeds/esign-open-service-api.txt`): every route's success path, the documented
//! error codes, tenancy, and a whole signing life ending with validated signatures and signed
//! callbacks, on both backends.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::callbacks::Receiver;
use crate::support::{APP_ID, APP_KEY, Api, Backend, http, signet_bin};
use crate::validators::{assert_qpdf_clean, assert_served_pdf_valid, red_pixels, render_page};

const BASE: &str = "/opentreaty-service";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name)
}

/// A client speaking the dialect with one app's credentials.
struct Tsign<'a> {
    api: &'a Api,
    id: String,
    secret: String,
}

impl<'a> Tsign<'a> {
    fn bootstrap(api: &'a Api) -> Self {
        Self { api, id: APP_ID.into(), secret: APP_KEY.into() }
    }

    /// A second app on the same server (created through the CLI).
    fn other(api: &'a Api) -> Self {
        let output = Command::new(signet_bin())
            .args(["app", "create", "--name", "other tenant"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(&api.env)
            .output()
            .expect("run signet app create");
        assert!(output.status.success(), "signet app create: {}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8_lossy(&output.stdout);
        let field = |name: &str| {
            text.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned()).expect("credential printed")
        };
        Self { api, id: field("app id:"), secret: field("app secret:") }
    }

    /// POSTs to a dialect route and returns the envelope; every refusal is HTTP 200 with its errCode.
    fn call(&self, path: &str, body: &Value) -> Value {
        let response = http()
            .post(self.api.server.url(&format!("{BASE}{path}")))
            .header("X-Tsign-Open-App-Id", &self.id)
            .header("X-Tsign-Open-App-Secret", &self.secret)
            .json(body)
            .send()
            .expect("request");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        response.json().expect("JSON envelope")
    }

    /// Calls a route that must succeed and returns its `data`.
    fn ok(&self, path: &str, body: &Value) -> Value {
        let reply = self.call(path, body);
        assert_eq!(reply["errCode"], 0, "{path} {body}: {reply}");
        assert_eq!(reply["msg"], "SUCCESS");
        reply["data"].clone()
    }

    /// Calls a route that must fail with `code` and returns the message.
    fn fails(&self, path: &str, body: &Value, code: i64) -> String {
        let reply = self.call(path, body);
        assert_eq!(reply["errCode"], code, "{path} {body}: {reply}");
        reply["msg"].as_str().unwrap_or_default().to_owned()
    }

    /// Uploads through `/file/uploadurl` and the returned PUT URL; returns the fileKey.
    fn upload(&self, name: &str, content_type: &str, bytes: &[u8]) -> String {
        let md5 = base64::engine::general_purpose::STANDARD.encode(md5_of(bytes));
        let data = self.ok(
            "/file/uploadurl",
            &json!({"fileName": name, "fileSize": bytes.len(), "contentType": content_type, "contentMd5": md5}),
        );
        let url = data["uploadUrl"].as_str().unwrap();
        let put = self.api.put_raw(url, &[("Content-MD5", &md5), ("Content-Type", content_type)], bytes.to_vec());
        assert_eq!(put.status, 201, "{:?}", put.body);
        data["fileKey"].as_str().unwrap().to_owned()
    }

    fn person(&self, name: &str, id_no: &str, third_id: &str) -> String {
        let data = self.ok(
            "/account/create/person",
            &json!({"thirdId": third_id, "name": name, "idNo": id_no, "idType": 19, "mobile": "13516134875"}),
        );
        data["accountId"].as_str().unwrap().to_owned()
    }
}

fn get(url: &str) -> (u16, Vec<u8>) {
    let response = http().get(url).send().expect("GET");
    (response.status().as_u16(), response.bytes().unwrap().to_vec())
}

fn md5_of(data: &[u8]) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(data).into()
}

fn is_vendor_time(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    text.len() == 19
        && time::PrimitiveDateTime::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        )
        .is_ok()
}

/// Authentication, files, accounts, seals, flows and their documented failures.
fn conformance(api: &Api) {
    let t = Tsign::bootstrap(api);

    // Authentication: missing headers and a wrong secret are refusals, never 500s.
    let bare = http()
        .post(api.server.url(&format!("{BASE}/account/idexchange")))
        .json(&json!({"thirdId": "x"}))
        .send()
        .unwrap();
    assert_eq!(bare.status(), 200);
    assert_eq!(bare.json::<Value>().unwrap()["errCode"], 1435103);
    let wrong = Tsign { api, id: APP_ID.into(), secret: "not-the-secret".into() };
    wrong.fails("/account/idexchange", &json!({"thirdId": "x"}), 1435103);
    let unknown_app = Tsign { api, id: "no-such-app".into(), secret: APP_KEY.into() };
    unknown_app.fails("/account/idexchange", &json!({"thirdId": "x"}), 1435103);
    // Paths the document does not have answer in the envelope, naming the path.
    let msg = t.fails("/template/deletebyid", &json!({"fileKey": "x"}), 1435002);
    assert!(msg.contains("/template/deletebyid"), "{msg}");

    // Files: upload URL with its Content-MD5 checked, contracts, download links.
    let contract = std::fs::read(fixture("contract.pdf")).unwrap();
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5_of(&contract));
    let ticket = t.ok(
        "/file/uploadurl",
        &json!({"fileName": "张三的借款合同.pdf", "fileSize": contract.len().to_string(), "contentType": "application/pdf", "contentMd5": md5}),
    );
    let url = ticket["uploadUrl"].as_str().unwrap();
    assert!(url.starts_with(&api.server.base_url), "served by Signet: {url}");
    let wrong_md5 = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
    let refused =
        api.put_raw(url, &[("Content-MD5", &wrong_md5), ("Content-Type", "application/pdf")], contract.clone());
    assert_eq!(refused.status, 403);
    let short = api.put_raw(url, &[("Content-MD5", &md5), ("Content-Type", "application/pdf")], contract[1..].to_vec());
    assert_eq!(short.status, 403, "the size must match the declaration");
    let wrong_type = api.put_raw(url, &[("Content-MD5", &md5), ("Content-Type", "text/plain")], contract.clone());
    assert_eq!(wrong_type.status, 403, "the type must match the declaration");
    let msg = t.fails(
        "/file/uploadurl",
        &json!({"fileName": "a.pdf", "fileSize": 0, "contentType": "application/pdf", "contentMd5": md5}),
        1435002,
    );
    assert!(msg.contains("fileSize"), "{msg}");
    let key = ticket["fileKey"].as_str().unwrap();
    t.fails("/doc/createbyfilekey", &json!({"fileKey": key}), 1435304);
    let put = api.put_raw(url, &[("Content-MD5", &md5), ("Content-Type", "application/pdf")], contract.clone());
    assert_eq!(put.status, 201);
    let doc = t.ok("/doc/createbyfilekey", &json!({"fileKey": key}))["docId"].as_str().unwrap().to_owned();
    let msg = t.fails(
        "/file/uploadurl",
        &json!({"fileName": "a.pdf", "fileSize": 10, "contentType": "application/pdf"}),
        1435002,
    );
    assert!(msg.contains("contentMd5"), "{msg}");
    t.fails(
        "/file/uploadurl",
        &json!({"fileName": "big.pdf", "fileSize": 1u64 << 40, "contentType": "application/pdf", "contentMd5": md5}),
        1435306,
    );
    t.fails("/doc/createbyfilekey", &json!({"fileKey": "nosuchfilekey0000000000"}), 1435304);
    let png = std::fs::read(fixture("seal.png")).unwrap();
    let png_key = t.upload("seal.png", "image/png", &png);
    t.fails("/doc/createbyfilekey", &json!({"fileKey": png_key}), 1435305);
    let doc_url = t.ok("/doc/downloadurl", &json!({"docId": doc}))["docUrl"].as_str().unwrap().to_owned();
    assert_eq!(get(&doc_url), (200, contract.clone()));
    let mut altered = doc_url.clone();
    altered.insert(altered.len() - 3, 'x');
    assert_eq!(get(&altered).0, 403, "an altered link is refused");

    // Accounts, with the document's own example data.
    let zhang = t.ok(
        "/account/create/person",
        &json!({"thirdId": "097a56e26a93c874140bbcdf403f3f60", "name": "张三", "idNo": "371500198101175693",
                "idType": "19", "mobile": "13516134875", "email": "test21@tsign.cn"}),
    )["accountId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!((13..=27).contains(&zhang.len()), "person ids have 13 to 27 characters: {zhang}");
    t.fails(
        "/account/create/person",
        &json!({"thirdId": "other", "name": "张三", "idNo": "371500198101175693", "idType": 19}),
        1435206,
    );
    t.fails("/account/create/person", &json!({"thirdId": "097a56e26a93c874140bbcdf403f3f60", "name": "李四", "idNo": "11010519491231002X", "idType": 19}), 1435206);
    let msg = t.fails("/account/create/person", &json!({"idNo": "11010519491231002X", "idType": 19}), 1435002);
    assert!(msg.contains("name"), "{msg}");
    let msg = t.fails(
        "/account/create/person",
        &json!({"name": "李四", "idNo": "110105194912310021", "idType": 19}),
        1435002,
    );
    assert!(msg.contains("idNo"), "{msg}");
    let msg = t.fails(
        "/account/create/person",
        &json!({"name": "李四", "idNo": "11010519491231002X", "idType": 11}),
        1435002,
    );
    assert!(msg.contains("idType"), "{msg}");
    // The organisation's creator is `agentAccountId` in the example and `creatorId` in the table.
    let tiangu = t.ok(
        "/account/create/organize/common",
        &json!({"thirdId": "02080617B436452B8ABDCB85350CE4FA", "agentAccountId": zhang, "name": "天谷科技信息有限公司",
                "organCode": "745830607", "organType": 12, "legalName": "童瑶", "legalIdNo": "33012219921122281X",
                "legalIdType": 19, "email": "tg@tsign.cn"}),
    )["accountId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!((10..=32).contains(&tiangu.len()));
    let li = t.person("李四", "11010519491231002X", "li-si");
    t.ok(
        "/account/create/organize/common",
        &json!({"creatorId": li, "name": "杭州测试科技有限公司", "organCode": "12100000400009880K", "organType": 11}),
    );
    t.fails(
        "/account/create/organize/common",
        &json!({"creatorId": "abcdefabcdefabcdefabcdef", "name": "某公司", "organCode": "91350100M000100Y43", "organType": 11}),
        1435204,
    );
    t.ok("/account/person/update", &json!({"accountId": zhang, "mobile": "13800138000", "email": "z@example.com"}));
    t.ok(
        "/account/organize/update",
        &json!({"accountId": tiangu, "name": "天谷科技信息有限公司", "legalName": "李四"}),
    );
    assert_eq!(
        t.ok("/account/idexchange", &json!({"thirdId": "097a56e26a93c874140bbcdf403f3f60"}))["accountId"],
        zhang.as_str()
    );
    t.fails("/account/idexchange", &json!({"thirdId": "nobody"}), 1435204);
    let msg = t.fails("/account/person/update", &json!({"accountId": "short"}), 1435002);
    assert!(msg.contains("accountId"), "{msg}");
    let gone = t.person("王五", "110101202311012176", "wang-wu");
    t.ok("/account/delete", &json!({"accountId": gone}));
    t.fails("/account/idexchange", &json!({"thirdId": "wang-wu"}), 1435204);

    // Another app sees none of these accounts.
    let other = Tsign::other(api);
    other.fails("/account/person/update", &json!({"accountId": zhang, "name": "x"}), 1435204);
    other.fails("/seal/query", &json!({"accountId": zhang}), 1435204);
    other.fails("/account/idexchange", &json!({"thirdId": "097a56e26a93c874140bbcdf403f3f60"}), 1435204);
    other.fails("/doc/createbyfilekey", &json!({"fileKey": key}), 1435304);

    // Seals: templates, images from an uploaded file, the list with short-lived image links.
    let zhang_seal = t.ok(
        "/seal/create/person",
        &json!({"accountId": zhang, "alias": "别名", "width": 111, "height": 100, "text": "张三", "templateType": "SQUARE", "color": "RED"}),
    );
    assert_eq!(zhang_seal["accountId"], zhang.as_str());
    let tiangu_seal = t.ok(
        "/seal/create/organize",
        &json!({"accountId": tiangu, "alias": "合同章", "hText": "合同专用章", "qText": "3301060012345", "templateType": "ROUND_STAR", "color": "RED"}),
    )["sealId"].as_str().unwrap().to_owned();
    t.ok(
        "/seal/create/organize",
        &json!({"accountId": tiangu, "alias": "椭圆", "templateType": "OVAL_NONE", "color": "BLUE"}),
    );
    let msg = t.fails(
        "/seal/create/person",
        &json!({"accountId": zhang, "alias": "x", "templateType": "ROUND", "color": "RED"}),
        1435002,
    );
    assert!(msg.contains("templateType"), "{msg}");
    let msg = t.fails(
        "/seal/create/person",
        &json!({"accountId": zhang, "alias": "x", "templateType": "SQUARE", "color": "GREEN"}),
        1435002,
    );
    assert!(msg.contains("color"), "{msg}");
    t.ok("/seal/create/image/person", &json!({"accountId": zhang, "alias": "创建个人图片印章", "width": 111, "height": 100, "color": "RED", "fileKey": png_key}));
    t.ok(
        "/seal/create/image/organize",
        &json!({"accountId": tiangu, "alias": "创建企业图片印章", "color": "BLUE", "fileKey": png_key}),
    );
    let msg = t.fails(
        "/seal/create/image/person",
        &json!({"accountId": zhang, "alias": "pdf", "color": "RED", "fileKey": key}),
        1435002,
    );
    assert!(msg.contains("fileKey"), "{msg}");
    let seals = t.ok("/seal/query", &json!({"accountId": tiangu}));
    let seals = seals.as_array().unwrap();
    assert_eq!(seals.len(), 3);
    assert_eq!(seals[0]["sealId"], tiangu_seal.as_str(), "the first seal is the default");
    assert_eq!(seals[0]["sealAlias"], "合同章");
    let (status, image) = get(seals[0]["sealUrl"].as_str().unwrap());
    assert_eq!((status, &image[1..4]), (200, &b"PNG"[..]));

    // Silent signing: granted (with a deadline as a string), revoked.
    let deadline = (time::OffsetDateTime::now_utc() + time::Duration::days(1)).unix_timestamp() * 1000;
    t.ok("/account/platform/silentsign", &json!({"grantAccountId": zhang, "deadline": deadline.to_string()}));
    t.ok("/account/platform/revokeSilentsign", &json!({"grantAccountId": zhang}));
    t.fails("/account/platform/silentsign", &json!({"grantAccountId": "abcdefabcdefabcdefabcdef"}), 1435204);

    // A single-document flow.
    let flow = t.ok(
        "/sign/contract/addProcess",
        &json!({"businessScene": "买房子", "initiatorAccountId": zhang, "signValidity": "65464896464648",
                "contractValidity": "65464896464648", "payer": zhang, "signPlatform": "", "noticeType": "1,2,3",
                "redirectUrl": "", "docId": doc}),
    )["flowId"]
        .as_str()
        .unwrap()
        .to_owned();
    t.fails("/sign/contract/addProcess", &json!({"businessScene": "x", "docId": "nosuchdoc000000000000000"}), 1435304);
    let msg = t.fails("/sign/contract/addProcess", &json!({"docId": doc}), 1435002);
    assert!(msg.contains("businessScene"), "{msg}");
    let detail = t.ok("/sign/contract/detail", &json!({"flowId": flow}));
    assert_eq!(detail["flowStatus"], 1);
    assert_eq!(detail["docId"], doc.as_str());
    assert!(is_vendor_time(&detail["startTime"]), "{detail}");

    // Task failures.
    let keyword = json!([{"signType": 1, "key": "甲方盖章处"}]);
    t.fails("/sign/contract/userSignTask", &json!({"flowId": flow, "accountId": zhang, "posList": keyword}), 1436010);
    t.fails(
        "/sign/contract/userSignTask",
        &json!({"flowId": flow, "accountId": "abcdefabcdefabcdefabcdef", "posList": keyword}),
        1436004,
    );
    let bare_person = t.person("赵六", "110101199003070011", "zhao-liu");
    t.ok("/account/platform/silentsign", &json!({"grantAccountId": bare_person}));
    t.fails(
        "/sign/contract/userSignTask",
        &json!({"flowId": flow, "accountId": bare_person, "posList": keyword}),
        1436007,
    );
    t.ok("/account/platform/silentsign", &json!({"grantAccountId": zhang}));
    t.fails(
        "/sign/contract/userSignTask",
        &json!({"flowId": flow, "accountId": zhang, "posList": [{"key": "甲方"}]}),
        1436011,
    );
    let msg = t.fails(
        "/sign/contract/userSignTask",
        &json!({"flowId": flow, "accountId": zhang, "sealId": tiangu_seal, "posList": keyword}),
        1435002,
    );
    assert!(msg.contains("sealId"), "another account's seal: {msg}");
    t.fails("/sign/contract/userSignTask", &json!({"flowId": flow, "accountId": zhang, "posList": []}), 1436011);
    t.fails(
        "/sign/contract/userSignTask",
        &json!({"flowId": flow, "accountId": zhang, "posList": [{"signType": 1}]}),
        1436012,
    );
    let msg = t.fails("/sign/contract/userSignTask", &json!({"flowId": flow, "accountId": zhang, "posList": [{"signType": 2, "posPage": "0-", "posX": 1, "posY": 1}]}), 1435002);
    assert!(msg.contains("posPage"), "{msg}");
    t.fails("/sign/contract/archiveProcess", &json!({"flowId": flow}), 1436002);

    // Platform and user sign; a hand task waits and blocks archiving until it is withdrawn.
    let platform = t.ok("/sign/contract/platformSignTask", &json!({"flowId": flow, "thirdOrderNo": "p-1", "posList": [{"signType": 2, "posPage": "1", "posX": "300", "posY": "300", "scale": 100}]}));
    assert_eq!(platform["flowId"], flow.as_str());
    let platform_account = platform["accountId"].as_str().unwrap().to_owned();
    let signed = t.ok("/sign/contract/userSignTask", &json!({"flowId": flow, "accountId": zhang, "posList": [{"signType": 2, "posPage": "1-2", "posX": 150, "posY": 150}]}));
    assert_eq!(signed["accountId"], zhang.as_str());
    let hand =
        t.ok("/sign/contract/handPersonSignTask", &json!({"flowId": flow, "accountId": li, "thirdOrderNo": "h-1"}));
    assert_eq!(hand["thirdOrderNo"], "h-1");
    let (status, page) = get(hand["signUrl"].as_str().unwrap());
    assert_eq!(status, 200);
    let page = String::from_utf8_lossy(&page);
    assert!(hand["signUrl"].as_str().unwrap().contains("/p/"), "a signing-page link: {hand}");
    assert!(hand["signShortUrl"].as_str().unwrap().contains("/s/"), "{hand}");
    assert!(page.contains("买房子") && page.contains("签署"), "the link opens the signer's signing page: {page}");
    // noticeType "1,2,3": the link went to 李四 by SMS (the development outbox provider).
    let outbox = std::fs::read_to_string(api.data_path().join("outbox.jsonl")).expect("outbox.jsonl written");
    let invitation = outbox
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|m| {
            m["recipient"] == "13516134875"
                && m["text"].as_str().unwrap_or_default().contains(hand["signUrl"].as_str().unwrap())
        })
        .expect("an SMS with the signing link");
    assert!(invitation["text"].as_str().unwrap().contains("买房子"), "{invitation}");
    t.ok("/sign/contract/handOrgSignTask", &json!({"flowId": flow, "accountId": zhang, "authorizationOrgId": tiangu}));
    t.ok("/sign/contract/handSignTask", &json!({"flowId": flow, "accountId": bare_person}));
    t.fails("/sign/contract/archiveProcess", &json!({"flowId": flow}), 1436015);
    t.fails("/sign/contract/undoTask", &json!({"flowId": flow, "accountId": zhang}), 1436015);
    for account in [&li, &tiangu, &bare_person] {
        t.ok("/sign/contract/undoTask", &json!({"flowId": flow, "accountId": account}));
    }
    let detail = t.ok("/sign/contract/detail", &json!({"flowId": flow}));
    let status_of = |account: &str| {
        detail["signDetail"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["accountId"] == account)
            .map(|s| s["signStatus"].clone())
    };
    assert_eq!(status_of(&platform_account), Some(json!(2)));
    assert_eq!(status_of(&zhang), Some(json!(2)));
    assert_eq!(status_of(&li), Some(json!(4)), "withdrawn");
    let li_entry = detail["signDetail"].as_array().unwrap().iter().find(|s| s["accountId"] == li.as_str()).unwrap();
    assert!(is_vendor_time(&li_entry["receiveTime"]) && li_entry.get("signTime").is_none(), "{li_entry}");
    // redirectUrl: refused when it is no web address; otherwise the hand task's signing page
    // sends the signer there once signed.
    let msg = t.fails(
        "/sign/contract/addProcess",
        &json!({"businessScene": "回跳", "docId": doc, "redirectUrl": "javascript:alert(1)"}),
        1435002,
    );
    assert!(msg.contains("redirectUrl"), "{msg}");
    let redirect_flow = t.ok(
        "/sign/contract/addProcess",
        &json!({"businessScene": "回跳", "docId": doc, "redirectUrl": "https://example.com/signed"}),
    )["flowId"]
        .as_str()
        .unwrap()
        .to_owned();
    let hand = t.ok("/sign/contract/handPersonSignTask", &json!({"flowId": redirect_flow, "accountId": zhang}));
    let (_, before) = get(hand["signUrl"].as_str().unwrap());
    assert!(!String::from_utf8_lossy(&before).contains("data-redirect"), "no redirect before signing");
    let signed = api.post(&format!("/v1/flows/{redirect_flow}/signers/{zhang}/sign"), &json!({"mode": "auto"}));
    assert_eq!(signed.status, 200, "{:?}", signed.body);
    let (status, done) = get(hand["signUrl"].as_str().unwrap());
    assert_eq!(status, 200);
    // Attribute values are HTML-escaped ('/' included).
    let done = String::from_utf8_lossy(&done).replace("&#x2f;", "/");
    assert!(
        done.contains(r#"data-redirect="https://example.com/signed""#),
        "the done page follows the flow's redirectUrl: {done}"
    );
    other.fails("/sign/contract/detail", &json!({"flowId": flow}), 1436016);
    other.fails("/sign/contract/archiveProcess", &json!({"flowId": flow}), 1436016);
    t.ok("/sign/contract/archiveProcess", &json!({"flowId": flow}));
    assert_eq!(t.ok("/sign/contract/detail", &json!({"flowId": flow}))["flowStatus"], 2);
    let downloads = t.ok("/sign/download", &json!({"flowId": flow}));
    let (status, signed_pdf) = get(downloads[0]["docUrl"].as_str().unwrap());
    assert_eq!(status, 200);
    assert!(signed_pdf.len() > contract.len() && signed_pdf.starts_with(b"%PDF"));
    let view = t.ok("/flow/get/viewurl", &json!({"flowId": flow, "accountId": zhang}));
    assert_eq!(get(view["viewUrl"].as_str().unwrap()), (200, signed_pdf));

    // Malformed requests are refusals naming the problem, never server errors.
    let raw = http()
        .post(api.server.url(&format!("{BASE}/sign/contract/detail")))
        .header("X-Tsign-Open-App-Id", APP_ID)
        .header("X-Tsign-Open-App-Secret", APP_KEY)
        .body("{not json")
        .send()
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.json::<Value>().unwrap()["errCode"], 1435002);
    let msg = t.fails("/sign/contract/platformSignTask", &json!({"flowId": flow, "posList": "1"}), 1435002);
    assert!(msg.contains("posList"), "{msg}");
    let msg = t.fails(
        "/sign/contract/addProcess",
        &json!({"businessScene": "x", "docId": doc, "signValidity": "1000"}),
        1435002,
    );
    assert!(msg.contains("signValidity"), "{msg}");
    let msg = t.fails(
        "/sign/contract/addProcess",
        &json!({"businessScene": "x", "docId": doc, "initiatorAccountId": gone}),
        1435002,
    );
    assert!(msg.contains("initiatorAccountId"), "a deleted account starts nothing: {msg}");
    other.fails("/sign/contract/platformSignTask", &json!({"flowId": flow, "posList": keyword}), 1436016);
    other.fails("/sign/download", &json!({"flowId": flow}), 1436016);

    // Revocation.
    let revoked = t.ok("/sign/contract/addProcess", &json!({"businessScene": "撤销", "docId": doc}))["flowId"]
        .as_str()
        .unwrap()
        .to_owned();
    t.ok("/sign/revoke", &json!({"flowId": revoked}));
    assert_eq!(t.ok("/sign/contract/detail", &json!({"flowId": revoked}))["flowStatus"], 3);
    t.fails("/sign/revoke", &json!({"flowId": revoked}), 1436018);
    t.fails("/sign/contract/platformSignTask", &json!({"flowId": revoked, "posList": keyword}), 1436015);

    // An app may make its platform account itself (thirdId signet:platform): platform tasks sign
    // with it, and a default seal is made when it has none.
    let founder = other.person("孙八", "440305197705230036", "founder");
    let own_platform = other.ok(
        "/account/create/organize/common",
        &json!({"thirdId": "signet:platform", "creatorId": founder, "name": "另一平台科技有限公司",
                "organCode": "12100000400009880K", "organType": 11}),
    )["accountId"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_doc = other
        .ok("/doc/createbyfilekey", &json!({"fileKey": other.upload("c.pdf", "application/pdf", &contract)}))["docId"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_flow =
        other.ok("/sign/contract/addProcess", &json!({"businessScene": "另一平台", "docId": other_doc}))["flowId"]
            .as_str()
            .unwrap()
            .to_owned();
    let signed = other.ok("/sign/contract/platformSignTask", &json!({"flowId": other_flow, "posList": keyword}));
    assert_eq!(signed["accountId"], own_platform.as_str());
    assert_eq!(other.ok("/seal/query", &json!({"accountId": own_platform})).as_array().unwrap().len(), 1);
    assert_ne!(own_platform, platform_account, "each app has its own platform account");

    // Multi-document flows: every signer names its documents.
    let second_doc = t.ok("/doc/createbyfilekey", &json!({"fileKey": t.upload("二号合同.pdf", "application/pdf", &contract)}))["docId"]
        .as_str()
        .unwrap()
        .to_owned();
    let multi = t.ok(
        "/sign/contracts/addProcess",
        &json!({"businessScene": "两份合同", "signValidity": 65464896464648i64, "docList": [{"docId": doc}, {"docId": second_doc, "docName": "附件合同"}]}),
    )["flowId"].as_str().unwrap().to_owned();
    t.fails("/sign/contracts/userSignTask", &json!({"flowId": multi, "accountId": zhang, "signDocList": []}), 1436003);
    t.fails(
        "/sign/contracts/userSignTask",
        &json!({"flowId": multi, "accountId": zhang, "signDocList": [{"docId": png_key, "posList": keyword}]}),
        1436005,
    );
    t.fails("/sign/contracts/platformSignTask", &json!({"flowId": multi}), 1436006);
    t.ok("/sign/contracts/platformSignTask", &json!({"flowId": multi, "signDocList": [{"docId": doc, "posList": keyword}, {"docId": second_doc, "posList": keyword}]}));
    t.ok("/sign/contracts/userSignTask", &json!({"flowId": multi, "accountId": zhang, "signDocList": [{"docId": second_doc, "posList": [{"signType": 2, "posPage": "1", "posX": 150, "posY": 150}]}]}));
    let hand = t.ok("/sign/contracts/handPersonSignTask", &json!({"flowId": multi, "accountId": li}));
    assert!(hand["signUrl"].as_str().is_some() && hand["signShortUrl"].as_str().is_some());
    t.ok(
        "/sign/contracts/handOrgSignTask",
        &json!({"flowId": multi, "accountId": zhang, "authorizationOrgId": tiangu, "signDocList": [{"docId": doc}]}),
    );
    t.ok("/sign/contracts/handSignTask", &json!({"flowId": multi, "accountId": bare_person}));
    let detail = t.ok("/sign/contracts/detail", &json!({"flowId": multi}));
    let zhang_entry =
        detail["signDetail"].as_array().unwrap().iter().find(|s| s["accountId"] == zhang.as_str()).unwrap().clone();
    assert_eq!(zhang_entry["signInfo"].as_array().unwrap().len(), 1, "only the document it named: {zhang_entry}");
    assert_eq!(zhang_entry["signInfo"][0]["docId"], second_doc.as_str());
    assert!(is_vendor_time(&zhang_entry["signInfo"][0]["signTime"]));
    let downloads = t.ok("/sign/download", &json!({"flowId": multi}));
    assert_eq!(downloads.as_array().unwrap().len(), 2);
}

/// The whole life the issue asks for, with validated signatures and signed callbacks.
fn full_life(api: &Api, hook: &Receiver) {
    let t = Tsign::bootstrap(api);
    let person = t.person("陈七", "330106198512110024", "life-chen");
    let org = t.ok(
        "/account/create/organize/common",
        &json!({"creatorId": person, "name": "杭州测试科技有限公司", "organCode": "91350100M000100Y43", "organType": 11}),
    )["accountId"].as_str().unwrap().to_owned();
    t.ok("/seal/create/organize", &json!({"accountId": org, "alias": "合同章", "hText": "合同专用章", "templateType": "ROUND_STAR", "color": "RED"}));
    t.ok("/account/platform/silentsign", &json!({"grantAccountId": org}));

    let contract = std::fs::read(fixture("contract.pdf")).unwrap();
    let doc = t.ok("/doc/createbyfilekey", &json!({"fileKey": t.upload("采购合同.pdf", "application/pdf", &contract)}))
        ["docId"]
        .as_str()
        .unwrap()
        .to_owned();
    let flow = t.ok(
        "/sign/contract/addProcess",
        &json!({"businessScene": "采购合同", "docId": doc, "noticeUrl": hook.url, "addSignTime": "true"}),
    )["flowId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The platform signs above the keyword; the organisation signs on page 2 and across pages.
    let platform = t.ok(
        "/sign/contract/platformSignTask",
        &json!({"flowId": flow, "thirdOrderNo": "order-platform", "posList": [{"signType": 1, "key": "甲方盖章处", "posY": 30}]}),
    );
    let platform_account = platform["accountId"].as_str().unwrap().to_owned();
    t.ok(
        "/sign/contract/userSignTask",
        &json!({"flowId": flow, "accountId": org, "thirdOrderNo": "order-org", "noticeSignMessage": true,
                "posList": [{"signType": 2, "posPage": "2", "posX": 400, "posY": 200}, {"signType": 3, "posY": 0.5}]}),
    );
    // noticeSignMessage: the organisation's agent is told by SMS where to see the signed contract.
    let outbox = std::fs::read_to_string(api.data_path().join("outbox.jsonl")).expect("outbox.jsonl written");
    let notice = outbox
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .rfind(|m| m["purpose"]["type"] == "signed_copy" && m["purpose"]["flow_title"] == "采购合同")
        .expect("a signed-copy notice");
    assert_eq!((notice["channel"].as_str(), notice["recipient"].as_str()), (Some("sms"), Some("13516134875")));
    let (status, copy) = get(notice["purpose"]["url"].as_str().unwrap());
    assert!(status == 200 && copy.starts_with(b"%PDF"), "the notice's link serves the contract");
    let detail = t.ok("/sign/contract/detail", &json!({"flowId": flow}));
    assert_eq!(detail["flowStatus"], 1, "signed but not archived");
    t.ok("/sign/contract/archiveProcess", &json!({"flowId": flow}));
    let detail = t.ok("/sign/contract/detail", &json!({"flowId": flow}));
    assert_eq!(detail["flowStatus"], 2);
    for signer in detail["signDetail"].as_array().unwrap() {
        assert_eq!(signer["signStatus"], 2);
        assert!(is_vendor_time(&signer["signTime"]), "{signer}");
    }

    // The downloaded PDF validates with both signatures; seals are where they were asked.
    let downloads = t.ok("/sign/download", &json!({"flowId": flow}));
    let (status, signed) = get(downloads[0]["docUrl"].as_str().unwrap());
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let pdf = assert_served_pdf_valid(api, dir.path(), &signed, 2);
    let page2 = render_page(&pdf, 2);
    assert!(red_pixels(&page2, 350.0, 150.0, 450.0, 250.0) > 200, "organisation seal at (400, 200)");
    assert!(red_pixels(&page2, 40.0, 110.0, 140.0, 200.0) > 100, "platform seal above 甲方盖章处");
    assert!(red_pixels(&page2, 200.0, 500.0, 300.0, 600.0) == 0, "no ink where nothing was asked");
    let page1 = render_page(&pdf, 1);
    assert!(red_pixels(&page1, page1.0 as f64 - 40.0, 300.0, page1.0 as f64, 540.0) > 50, "cross-page slice on page 1");
    // addSignTime: the seals' appearances carry the signing time as text.
    let expanded = dir.path().join("expanded.pdf");
    let status = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(&pdf)
        .arg(&expanded)
        .status()
        .expect("qpdf must be installed");
    assert!(status.code().is_some_and(|c| c == 0 || c == 3), "qpdf --qdf failed");
    let text = String::from_utf8_lossy(&std::fs::read(&expanded).unwrap()).into_owned();
    let year = format!("({}-", time::OffsetDateTime::now_utc().year());
    let stamped = text.lines().filter(|l| l.contains(" Tj") && l.contains(&year)).count();
    assert!(stamped >= 2, "a time line under each seal, found {stamped}");

    // Callbacks: one SIGN_FLOW_UPDATE per signer, then SIGN_FLOW_FINISH, each signed with the
    // app secret over appId + timestamp + body.
    let received = hook.wait_for(Duration::from_secs(30), |all| {
        let bodies: Vec<Value> = all.iter().map(|r| r.json()).collect();
        let mut signers: Vec<String> = bodies
            .iter()
            .filter(|b| b["action"] == "SIGN_FLOW_UPDATE")
            .map(|b| b["accountId"].as_str().unwrap_or_default().to_owned())
            .collect();
        signers.sort();
        signers.dedup();
        signers.len() == 2 && bodies.iter().any(|b| b["action"] == "SIGN_FLOW_FINISH")
    });
    for request in &received {
        let timestamp = request.header("x-tsign-open-timestamp").expect("timestamp header");
        assert_eq!(request.header("x-tsign-open-app-id"), Some(APP_ID));
        let mut mac = Hmac::<Sha256>::new_from_slice(APP_KEY.as_bytes()).unwrap();
        mac.update(APP_ID.as_bytes());
        mac.update(timestamp.as_bytes());
        mac.update(request.body.as_bytes());
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(request.header("x-tsign-open-signature"), Some(expected.as_str()), "HMAC of {}", request.body);
        let body = request.json();
        assert_eq!(body["flowId"], flow.as_str());
        match body["action"].as_str().unwrap() {
            "SIGN_FLOW_UPDATE" => {
                assert_eq!(body["signResult"], 2);
                assert!(is_vendor_time(&body["signTime"]));
                let expected_order =
                    if body["accountId"] == platform_account.as_str() { "order-platform" } else { "order-org" };
                assert_eq!(body["thirdOrderNo"], expected_order, "{body}");
            }
            "SIGN_FLOW_FINISH" => {
                assert_eq!(body["flowStatus"], 2);
                assert_eq!(body["businessScence"], "采购合同");
                assert!(is_vendor_time(&body["createTime"]) && is_vendor_time(&body["endTime"]));
            }
            other => panic!("unexpected action {other}"),
        }
    }
}

/// A flow whose `signValidity` passes ends as expired (flowStatus 5) and says so in the
/// dialect's finish notice, sent by the background expiry job.
fn expiry(api: &Api, hook: &Receiver) {
    let t = Tsign::bootstrap(api);
    let contract = std::fs::read(fixture("contract.pdf")).unwrap();
    let doc =
        t.ok("/doc/createbyfilekey", &json!({"fileKey": t.upload("到期.pdf", "application/pdf", &contract)}))["docId"]
            .as_str()
            .unwrap()
            .to_owned();
    let deadline = (time::OffsetDateTime::now_utc() + time::Duration::seconds(2)).unix_timestamp() * 1000;
    let flow = t.ok(
        "/sign/contract/addProcess",
        &json!({"businessScene": "到期合同", "docId": doc, "noticeUrl": hook.url, "signValidity": deadline.to_string()}),
    )["flowId"]
        .as_str()
        .unwrap()
        .to_owned();
    let received = hook.wait_for(Duration::from_secs(30), |all| {
        all.iter().any(|r| r.json()["flowId"] == flow.as_str() && r.json()["action"] == "SIGN_FLOW_FINISH")
    });
    let notice = received.iter().map(|r| r.json()).find(|b| b["flowId"] == flow.as_str()).unwrap();
    assert_eq!(notice["flowStatus"], 5, "{notice}");
    assert_eq!(notice["businessScence"], "到期合同");
    assert!(is_vendor_time(&notice["endTime"]));
    assert_eq!(t.ok("/sign/contract/detail", &json!({"flowId": flow}))["flowStatus"], 5);
    t.fails(
        "/sign/contract/platformSignTask",
        &json!({"flowId": flow, "posList": [{"signType": 1, "key": "甲方"}]}),
        1436015,
    );
}

/// Templates (§5.3, §5.4.2): a PDF with AcroForm fields becomes a template, a contract is made
/// from it with Chinese `simpleFormFields` and HTML and PDF `chunkedFields`, and that contract
/// goes through a flow: the platform signs at a keyword of the filled text, a user after silent
/// authorization with a cross-page seal; both signatures validate.
fn template_life(api: &Api) {
    let t = Tsign::bootstrap(api);
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let template_pdf = std::fs::read(fixture("template.pdf")).unwrap();
    let contract = std::fs::read(fixture("contract.pdf")).unwrap();
    let key = t.upload("租赁模板.pdf", "application/pdf", &template_pdf);
    let template =
        t.ok("/template/createbyfilekey", &json!({"fileKey": key, "templateName": "房屋租赁合同"}))["templateId"]
            .as_str()
            .unwrap()
            .to_owned();
    // Failures: required fields, a file not uploaded, a PDF without fields, a foreign template.
    assert!(t.fails("/template/createbyfilekey", &json!({"fileKey": key}), 1435002).contains("templateName"));
    let never_put = t.ok(
        "/file/uploadurl",
        &json!({"fileName": "x.pdf", "fileSize": 10, "contentType": "application/pdf", "contentMd5": b64(&md5_of(b"0123456789"))}),
    )["fileKey"]
        .as_str()
        .unwrap()
        .to_owned();
    t.fails("/template/createbyfilekey", &json!({"fileKey": never_put, "templateName": "x"}), 1435304);
    let png_key = t.upload("seal.png", "image/png", &std::fs::read(fixture("seal.png")).unwrap());
    t.fails("/template/createbyfilekey", &json!({"fileKey": png_key, "templateName": "x"}), 1435305);
    let plain_key = t.upload("plain.pdf", "application/pdf", &contract);
    let msg = t.fails("/template/createbyfilekey", &json!({"fileKey": plain_key, "templateName": "x"}), 1435002);
    assert!(msg.contains("fileKey") && msg.contains("AcroForm"), "{msg}");
    let msg = t.fails(
        "/doc/createbytemplate",
        &json!({"templateId": template, "name": "x", "simpleFormFields": {"nobody": "x"}}),
        1435002,
    );
    assert!(msg.contains("simpleFormFields") && msg.contains("nobody"), "{msg}");
    let msg = t.fails(
        "/doc/createbytemplate",
        &json!({"templateId": template, "name": "x", "simpleFormFields": {"partyA": "\u{1F600}"}}),
        1435002,
    );
    assert!(msg.contains("U+1F600"), "{msg}");
    let msg = t.fails(
        "/doc/createbytemplate",
        &json!({"templateId": template, "name": "x", "chunkedFields": [{"mimeType": "image/png", "chunkedData": "AAAA", "sequence": 0}]}),
        1435002,
    );
    assert!(msg.contains("mimeType"), "{msg}");
    let many: String = (0..1500).map(|i| format!("<p>第{i}条</p>")).collect();
    let msg = t.fails(
        "/doc/createbytemplate",
        &json!({"templateId": template, "name": "x", "chunkedFields": [{"mimeType": "text/html", "chunkedData": b64(many.as_bytes()), "sequence": 0}]}),
        1435002,
    );
    assert!(msg.contains("10 pages"), "at most 10 pages: {msg}");
    let other = Tsign::other(api);
    other.fails("/doc/createbytemplate", &json!({"templateId": template, "name": "x"}), 1435002);

    // The contract: Chinese fields; HTML (sequence 1) after a PDF (sequence 0), base64 with line breaks.
    let html = "<h1>补充条款</h1><p>本补充条款与主合同具有<strong>同等法律效力</strong>。</p>";
    let mut html_b64 = b64(html.as_bytes());
    html_b64.insert(8, '\n');
    let made = t.ok(
        "/doc/createbytemplate",
        &json!({
            "name": "房屋租赁合同",
            "templateId": template,
            "simpleFormFields": {"contractNo": 2026120301, "partyA": "杭州测试科技有限公司", "partyB": "陈七",
                                 "idCardNo": "330106198512110024", "signDate": "2026年12月3日"},
            "chunkedFields": [{"mimeType": " TEXT/HTML", "chunkedData": html_b64, "sequence": 1},
                              {"mimeType": "application/pdf", "chunkedData": b64(&contract), "sequence": 0}]
        }),
    );
    let doc = made["docId"].as_str().unwrap().to_owned();
    let (status, filled) = get(made["docUrl"].as_str().unwrap());
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let filled_path = dir.path().join("filled.pdf");
    std::fs::write(&filled_path, &filled).unwrap();
    assert_qpdf_clean(&filled_path);
    let out = Command::new("pdftotext").arg(&filled_path).arg("-").output().expect("pdftotext must be installed");
    let text: String = String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect();
    let order = ["2026120301", "杭州测试科技有限公司", "陈七", "电子合同测试样本", "补充条款", "同等法律效力"];
    let mut at = 0;
    for expected in order {
        let found = text[at..].find(expected).unwrap_or_else(|| panic!("{expected} after byte {at} in {text}"));
        at += found;
    }

    // The flow over the made contract.
    let person = t.person("陈七", "440305199003071236", "tpl-chen");
    t.ok(
        "/seal/create/person",
        &json!({"accountId": person, "alias": "个人章", "templateType": "SQUARE", "color": "RED"}),
    );
    t.ok("/account/platform/silentsign", &json!({"grantAccountId": person}));
    let flow = t.ok("/sign/contract/addProcess", &json!({"businessScene": "房屋租赁", "docId": doc}))["flowId"]
        .as_str()
        .unwrap()
        .to_owned();
    t.ok(
        "/sign/contract/platformSignTask",
        &json!({"flowId": flow, "posList": [{"signType": 1, "key": "杭州测试科技"}]}),
    );
    t.ok(
        "/sign/contract/userSignTask",
        &json!({"flowId": flow, "accountId": person, "posList": [{"signType": 3, "posY": 0.5}]}),
    );
    t.ok("/sign/contract/archiveProcess", &json!({"flowId": flow}));
    assert_eq!(t.ok("/sign/contract/detail", &json!({"flowId": flow}))["flowStatus"], 2);
    let downloads = t.ok("/sign/download", &json!({"flowId": flow}));
    let (status, signed) = get(downloads[0]["docUrl"].as_str().unwrap());
    assert_eq!(status, 200);
    let pdf = assert_served_pdf_valid(api, dir.path(), &signed, 2);
    // partyA's box is [160, 692, 410, 714]: the platform seal sits on the filled name.
    let page1 = render_page(&pdf, 1);
    assert!(red_pixels(&page1, 160.0, 640.0, 410.0, 766.0) > 200, "platform seal on the filled text");
    assert!(red_pixels(&page1, page1.0 as f64 - 40.0, 300.0, page1.0 as f64, 540.0) > 30, "cross-page slice");
}

/// Hand tasks signed and refused on the signing page report the dialect's way: the page's
/// signature is a `SIGN_FLOW_UPDATE` with signResult 2 and the task's `thirdOrderNo` (the flow
/// stays open until archived, then `SIGN_FLOW_FINISH` 2); a placement the document cannot take
/// is signResult 3; a refusal is signResult 4 with its reason, then `SIGN_FLOW_FINISH` 4. No
/// native event reaches the platform for these flows.
fn hand_life(api: &Api, hook: &Receiver) {
    let t = Tsign::bootstrap(api);
    let li = t.person("李雷", "320583197704190039", "hand-li");
    let wang = t.person("王芳", "510107199208220047", "hand-wang");
    let contract = std::fs::read(fixture("contract.pdf")).unwrap();
    let doc =
        t.ok("/doc/createbyfilekey", &json!({"fileKey": t.upload("手签.pdf", "application/pdf", &contract)}))["docId"]
            .as_str()
            .unwrap()
            .to_owned();
    let new_flow = |scene: &str| {
        t.ok("/sign/contract/addProcess", &json!({"businessScene": scene, "docId": doc, "noticeUrl": hook.url}))
            ["flowId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let strokes = json!({"strokes": [{"points": [{"x": 2, "y": 2}, {"x": 60, "y": 30}, {"x": 90, "y": 5}]}]});
    let verified_page = |url: &str| {
        let page = crate::pages::PageSession::open(url);
        let (status, body) = page.post("code", json!({}));
        assert_eq!(status, 200, "the page asks for willingness: {body}");
        let code = crate::flows::last_code(api, "13516134875");
        let (status, body) = page.post("verify", json!({"code": code}));
        assert_eq!(status, 200, "{body}");
        page
    };

    // Signed on the page: signResult 2 with the task's thirdOrderNo; still open until archived.
    let signed_flow = new_flow("页面签署");
    let hand = t.ok(
        "/sign/contract/handPersonSignTask",
        &json!({"flowId": signed_flow, "accountId": li, "thirdOrderNo": "hand-order-li",
                "posList": [{"signType": 2, "posPage": "1", "posX": 300, "posY": 300}]}),
    );
    let page = crate::pages::PageSession::open(hand["signUrl"].as_str().unwrap());
    let (status, _) = page.post("sign", json!({"signature": strokes}));
    assert_eq!(status, 403, "no signature before the willingness code");
    let page = verified_page(hand["signUrl"].as_str().unwrap());
    let (status, body) = page.post("sign", json!({"signature": strokes}));
    assert_eq!(status, 200, "{body}");
    let detail = t.ok("/sign/contract/detail", &json!({"flowId": signed_flow}));
    assert_eq!(detail["flowStatus"], 1, "an e签宝 flow ends when archived, not at the last signature: {detail}");
    assert_eq!(detail["signDetail"][0]["signStatus"], 2, "{detail}");
    t.ok("/sign/contract/archiveProcess", &json!({"flowId": signed_flow}));

    // A keyword the document does not have: signResult 3, the task stays open; then refused.
    let refused_flow = new_flow("页面拒签");
    let hand = t.ok(
        "/sign/contract/handPersonSignTask",
        &json!({"flowId": refused_flow, "accountId": wang, "thirdOrderNo": "hand-order-wang",
                "posList": [{"signType": 1, "key": "本合同没有的字"}]}),
    );
    let page = verified_page(hand["signUrl"].as_str().unwrap());
    let (status, body) = page.post("sign", json!({"signature": strokes}));
    assert_eq!(status, 400, "{body}");
    let detail = t.ok("/sign/contract/detail", &json!({"flowId": refused_flow}));
    assert_eq!((detail["flowStatus"].as_i64(), detail["signDetail"][0]["signStatus"].as_i64()), (Some(1), Some(0)));
    let (status, body) = page.post("reject", json!({"reason": "条款有误"}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(t.ok("/sign/contract/detail", &json!({"flowId": refused_flow}))["flowStatus"], 7);

    // sealType 1 (template seals only): the page offers no drawing pad and refuses a drawn one.
    let typed_flow = new_flow("印章类型");
    let msg = t.fails(
        "/sign/contract/handPersonSignTask",
        &json!({"flowId": typed_flow, "accountId": li, "sealType": "0,9"}),
        1435002,
    );
    assert!(msg.contains("sealType"), "{msg}");
    let hand =
        t.ok("/sign/contract/handPersonSignTask", &json!({"flowId": typed_flow, "accountId": li, "sealType": "1"}));
    let page = verified_page(hand["signUrl"].as_str().unwrap());
    assert!(!page.html.contains("id=\"pad\""), "no drawing pad for sealType 1");
    let (status, body) = page.post("sign", json!({"signature": strokes}));
    assert_eq!(status, 400, "a drawn signature is refused for sealType 1: {body}");
    let hand =
        t.ok("/sign/contract/handPersonSignTask", &json!({"flowId": typed_flow, "accountId": li, "sealType": "0"}));
    assert!(crate::pages::PageSession::open(hand["signUrl"].as_str().unwrap()).html.contains("id=\"pad\""));

    let ours = |r: &crate::callbacks::Received| {
        let flow = r.json()["flowId"].as_str().unwrap_or_default().to_owned();
        flow == signed_flow || flow == refused_flow
    };
    let received = hook.wait_for(Duration::from_secs(30), |all| {
        all.iter().filter(|r| ours(r)).filter(|r| r.json()["action"] == "SIGN_FLOW_FINISH").count() >= 2
            && all.iter().filter(|r| ours(r)).filter(|r| r.json()["action"] == "SIGN_FLOW_UPDATE").count() >= 3
    });
    let mut seen: Vec<(String, String, i64)> = Vec::new();
    for request in received.iter().filter(|r| ours(r)) {
        let body = request.json();
        assert!(body.get("event").is_none(), "no native event for a dialect's flow: {body}");
        assert!(request.header("x-tsign-open-signature").is_some(), "signed the dialect's way");
        let flow = body["flowId"].as_str().unwrap().to_owned();
        match body["action"].as_str().unwrap() {
            "SIGN_FLOW_UPDATE" => {
                assert!(is_vendor_time(&body["signTime"]), "{body}");
                let (account, order) =
                    if flow == signed_flow { (&li, "hand-order-li") } else { (&wang, "hand-order-wang") };
                assert_eq!(
                    (body["accountId"].as_str(), body["thirdOrderNo"].as_str()),
                    (Some(account.as_str()), Some(order))
                );
                let result = body["signResult"].as_i64().unwrap();
                match result {
                    2 => assert!(body.get("resultDescription").is_none(), "{body}"),
                    3 => assert!(body["resultDescription"].as_str().unwrap().contains("本合同没有的字"), "{body}"),
                    4 => assert_eq!(body["resultDescription"], "条款有误"),
                    other => panic!("signResult {other}"),
                }
                seen.push((flow, "update".into(), result));
            }
            "SIGN_FLOW_FINISH" => {
                assert!(is_vendor_time(&body["endTime"]), "{body}");
                seen.push((flow, "finish".into(), body["flowStatus"].as_i64().unwrap()));
            }
            other => panic!("unexpected action {other}"),
        }
    }
    // Delivery is at least once: a retried notice may arrive twice.
    seen.sort();
    seen.dedup();
    let mut expected = vec![
        (signed_flow.clone(), "update".to_owned(), 2),
        (signed_flow.clone(), "finish".to_owned(), 2),
        (refused_flow.clone(), "update".to_owned(), 3),
        (refused_flow.clone(), "update".to_owned(), 4),
        (refused_flow.clone(), "finish".to_owned(), 4),
    ];
    expected.sort();
    assert_eq!(seen, expected);
}

/// `encryption` and `docPwd`: a contract protected with an edit password (qpdf, AES-256, owner
/// password "owner-pw") is signed only by tasks that give that password, and on the page only
/// once the signer types it; the result validates with both signatures.
fn encryption(api: &Api) {
    let t = Tsign::bootstrap(api);
    let li = t.person("赵敏", "420106198506150056", "enc-zhao");
    let plain = std::fs::read(fixture("contract.pdf")).unwrap();
    let plain_doc = t.ok("/doc/createbyfilekey", &json!({"fileKey": t.upload("明文.pdf", "application/pdf", &plain)}))
        ["docId"]
        .as_str()
        .unwrap()
        .to_owned();
    let msg = t.fails(
        "/sign/contract/addProcess",
        &json!({"businessScene": "加密", "docId": plain_doc, "encryption": true}),
        1435002,
    );
    assert!(msg.contains("encryption"), "a contract without an edit password: {msg}");
    let protected = std::fs::read(fixture("aes256-owner.pdf")).unwrap();
    let doc =
        t.ok("/doc/createbyfilekey", &json!({"fileKey": t.upload("加密.pdf", "application/pdf", &protected)}))["docId"]
            .as_str()
            .unwrap()
            .to_owned();
    let flow = t.ok("/sign/contract/addProcess", &json!({"businessScene": "加密合同", "docId": doc, "encryption": "true"}))
        ["flowId"]
        .as_str()
        .unwrap()
        .to_owned();
    let pos = json!([{"signType": 2, "posPage": "1", "posX": 200, "posY": 200}]);
    t.fails("/sign/contract/platformSignTask", &json!({"flowId": flow, "posList": pos}), 1436009);
    t.fails("/sign/contract/platformSignTask", &json!({"flowId": flow, "posList": pos, "docPwd": "guess"}), 1436009);
    t.ok("/sign/contract/platformSignTask", &json!({"flowId": flow, "posList": pos, "docPwd": "owner-pw"}));

    let hand = t.ok(
        "/sign/contract/handPersonSignTask",
        &json!({"flowId": flow, "accountId": li, "posList": [{"signType": 2, "posPage": "1", "posX": 400, "posY": 200}]}),
    );
    let page = crate::pages::PageSession::open(hand["signUrl"].as_str().unwrap());
    assert!(page.html.contains("id=\"document-password\""), "the page asks for the edit password");
    page.post("code", json!({}));
    let (status, _) = page.post("verify", json!({"code": crate::flows::last_code(api, "13516134875")}));
    assert_eq!(status, 200);
    let strokes = json!({"strokes": [{"points": [{"x": 2, "y": 2}, {"x": 60, "y": 30}]}]});
    for wrong in [json!(null), json!("guess")] {
        let (status, body) = page.post("sign", json!({"signature": strokes, "documentPassword": wrong}));
        assert_eq!(status, 400, "{body}");
        assert!(body["message"].as_str().unwrap_or_default().contains("password"), "{body}");
    }
    let (status, body) = page.post("sign", json!({"signature": strokes, "documentPassword": "owner-pw"}));
    assert_eq!(status, 200, "{body}");
    t.ok("/sign/contract/archiveProcess", &json!({"flowId": flow}));

    let downloads = t.ok("/sign/download", &json!({"flowId": flow}));
    let (status, signed) = get(downloads[0]["docUrl"].as_str().unwrap());
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    assert_served_pdf_valid(api, dir.path(), &signed, 2);
}

fn suite(backend: Backend) {
    let hook = Receiver::start(vec![500]);
    let api = Api::start_with(
        backend,
        &[
            ("SIGNET_CALLBACK_ALLOW_PRIVATE", "true"),
            ("SIGNET_WORKER_INTERVAL_MS", "100"),
            ("SIGNET_CALLBACK_RETRY_SECS", "1"),
        ],
    );
    conformance(&api);
    full_life(&api, &hook);
    hand_life(&api, &hook);
    encryption(&api);
    template_life(&api);
    expiry(&api, &hook);
}

#[test]
fn esign_dialect_on_sqlite_and_disk() {
    suite(Backend::Embedded);
}

#[test]
fn esign_dialect_on_postgres_and_s3() {
    suite(Backend::PostgresS3);
}
