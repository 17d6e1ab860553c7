//! Every route of `/openapi.json`, swept with bad credentials and malformed input.
//!
//! The routes come from the server's own OpenAPI document, so routes added later are swept
//! without touching this file. For each operation it sends: no token, garbage tokens, a token
//! whose MAC is right but which has expired, a token of an app that does not exist, another
//! app's token on the bootstrap app's real resources, and malformed input generated from the
//! operation's schema (broken JSON, wrong types, missing required fields, huge strings, unicode
//! junk, negative and overflowing numbers, bad path ids and query values, wrong content types,
//! empty and broken multipart forms). It asserts that nothing answers 5xx, that every 4xx is a
//! JSON `{code, message}` (naming the field where the input names one), that credentials
//! failures are 401 and that another app's ids answer exactly like ids that do not exist.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine;
use reqwest::Method;
use reqwest::blocking::{Client, RequestBuilder};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::support::{APP_ID, APP_KEY, Api, Backend, http};

/// A well-formed id that no resource has (ids are 24 characters of `[a-z0-9]`).
const UNKNOWN_ID: &str = "zzzzzzzzzzzzzzzzzzzzzzzz";

/// Unicode that breaks naive code: NUL, controls, bidi override, a lone BOM, astral CJK, emoji, combining marks.
const UNICODE_JUNK: &str = "\u{0}\u{1}\u{7f}\u{202e}\u{feff}𠀀💥e\u{301}\u{fffd}\n\r\t'\"\\;--<script>";

/// Path-segment values that must never reach a handler as anything but a 4xx.
const BAD_PATH_VALUES: &[&str] = &[
    "x",
    "-1",
    "18446744073709551616",
    "%00",
    "%FF%FE",
    "a%2Fb",
    "..",
    "%2E%2E",
    "%E5%8D%B0%E7%AB%A0",
    "%20",
    "%F0%9F%92%A5",
    "' OR '1'='1",
    "%25s%25n",
];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../signet-pdf/tests/fixtures").join(name)
}

/// One operation of the OpenAPI document.
struct Operation {
    method: Method,
    template: String,
    spec: Value,
}

impl Operation {
    fn label(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    fn needs_bearer(&self) -> bool {
        self.spec["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()))
    }

    fn params(&self, location: &str) -> Vec<&Value> {
        self.spec["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter(|p| p["in"] == location).collect())
            .unwrap_or_default()
    }

    /// The request body's media type and schema, if the operation takes one.
    fn body(&self) -> Option<(String, Value)> {
        let content = self.spec["requestBody"]["content"].as_object()?;
        let (media, spec) = content.iter().next()?;
        Some((media.clone(), spec["schema"].clone()))
    }
}

/// What a request carries.
enum Body {
    None,
    Json(Value),
    Raw { content_type: Option<&'static str>, bytes: Vec<u8> },
}

/// What a response must look like.
#[derive(Clone, Copy)]
enum Expect<'a> {
    /// Anything but a 5xx; a 4xx must be a JSON error.
    NoServerError,
    /// A 4xx JSON error whose message names `hint` (if given).
    ClientError(Option<&'a str>),
    /// Exactly this status, with a JSON error body.
    Status(u16),
}

/// The bootstrap app's real resources, by what a path parameter names.
struct Fixtures {
    account: String,
    seal: String,
    authorization: String,
    file: String,
    flow: String,
    evidence: String,
    event: Option<String>,
    /// Only when the server has templates.
    template: Option<String>,
    upload_token: String,
    serial: String,
}

struct Sweep<'a> {
    api: &'a Api,
    client: Client,
    fixtures: Fixtures,
    other_token: String,
    expired_token: String,
    ghost_token: String,
    requests: usize,
    failures: Vec<String>,
}

impl Sweep<'_> {
    /// The path of `op` with every parameter filled by `value(name)`.
    fn path(&self, op: &Operation, value: &dyn Fn(&str) -> String) -> String {
        let mut path = op.template.clone();
        while let Some(start) = path.find('{') {
            let end = start + path[start..].find('}').expect("closing brace");
            let name = path[start + 1..end].trim_start_matches('*').to_owned();
            path.replace_range(start..=end, &value(&name));
        }
        path
    }

    /// The bootstrap app's own resource for parameter `name` of `op`, or an id nobody has.
    fn real_value(&self, op: &Operation, name: &str) -> String {
        let f = &self.fixtures;
        let collection = op.template.trim_start_matches('/').split('/').nth(1).unwrap_or_default();
        match (name, collection) {
            ("account", _) => f.account.clone(),
            ("authorization", _) => f.authorization.clone(),
            ("index", _) => "0".into(),
            ("token", _) => f.upload_token.clone(),
            ("serial", _) => f.serial.clone(),
            ("file", _) if op.template.starts_with("/pki/crl") => "rsa.crl".into(),
            ("file", _) if op.template.starts_with("/pki/ca") => "rsa.cer".into(),
            ("id", "accounts") => f.account.clone(),
            ("id", "seals") => f.seal.clone(),
            ("id", "files") => f.file.clone(),
            ("id", "flows") => f.flow.clone(),
            ("id", "evidence") => f.evidence.clone(),
            ("id", "events") => f.event.clone().unwrap_or_else(|| UNKNOWN_ID.into()),
            ("id", "templates") => f.template.clone().unwrap_or_else(|| UNKNOWN_ID.into()),
            _ => UNKNOWN_ID.into(),
        }
    }

    /// Whether every id in `op`'s path names a real resource of the bootstrap app.
    fn has_real_ids(&self, op: &Operation) -> bool {
        let params = op.params("path");
        !params.is_empty()
            && params.iter().all(|p| {
                let name = p["name"].as_str().unwrap_or_default();
                self.real_value(op, name) != UNKNOWN_ID
            })
    }

    fn request(&self, method: &Method, path: &str, auth: Option<&str>, body: Body) -> RequestBuilder {
        let mut request = self.client.request(method.clone(), self.api.server.url(path));
        if let Some(auth) = auth {
            // From bytes: a header may carry non-ASCII octets, which servers must survive.
            let value = reqwest::header::HeaderValue::from_bytes(auth.as_bytes()).expect("a header value");
            request = request.header("authorization", value);
        }
        match body {
            Body::None => request,
            Body::Json(value) => request.json(&value),
            Body::Raw { content_type, bytes } => {
                if let Some(content_type) = content_type {
                    request = request.header("content-type", content_type);
                }
                request.body(bytes)
            }
        }
    }

    /// Sends and records a failure if the answer breaks `expect`; returns status and JSON `code`.
    fn check(&mut self, case: &str, request: RequestBuilder, expect: Expect) -> (u16, Option<String>) {
        self.requests += 1;
        let response = match request.send() {
            Ok(response) => response,
            Err(err) => {
                self.failures.push(format!("{case}: no response ({err})"));
                return (0, None);
            }
        };
        let status = response.status().as_u16();
        let text = response.text().unwrap_or_default();
        let body: Option<Value> = serde_json::from_str(&text).ok();
        let code = body.as_ref().and_then(|b| b["code"].as_str()).map(str::to_owned);
        let message = body.as_ref().and_then(|b| b["message"].as_str()).unwrap_or_default().to_owned();
        let shown: String = text.chars().take(300).collect();
        if std::env::var_os("SIGNET_SWEEP_VERBOSE").is_some() {
            eprintln!("{status} {case}: {}", message.chars().take(160).collect::<String>());
        }
        let mut fail = |why: String| self.failures.push(format!("{case}: {why}; got {status} {shown}"));
        if status >= 500 {
            fail("server error".into());
        } else if (400..500).contains(&status) && (code.as_deref().is_none_or(str::is_empty) || message.is_empty()) {
            fail("4xx without a JSON {code, message}".into());
        }
        match expect {
            Expect::NoServerError => {}
            Expect::ClientError(hint) => {
                if !(400..500).contains(&status) {
                    fail("expected a 4xx".into());
                } else if let Some(hint) = hint
                    && !message.to_lowercase().contains(&hint.to_lowercase())
                {
                    fail(format!("message does not name {hint:?}"));
                }
            }
            Expect::Status(want) if want != status => fail(format!("expected {want}")),
            Expect::Status(_) => {}
        }
        (status, code)
    }

    /// A body the operation's schema accepts (as far as types go), for the credential cases.
    fn valid_body(&self, op: &Operation, doc: &Value) -> Body {
        match op.body() {
            None => Body::None,
            Some((media, schema)) if media.contains("json") => Body::Json(example(doc, &schema, 0)),
            Some((media, _)) if media.starts_with("multipart/") => {
                let (content_type, bytes) = multipart(&[("file", Some("contract.pdf"), contract())]);
                Body::Raw { content_type: Some(leak(content_type)), bytes }
            }
            Some((media, _)) => Body::Raw { content_type: Some(leak(media)), bytes: b"0".to_vec() },
        }
    }

    fn sweep_credentials(&mut self, op: &Operation, doc: &Value) {
        let path = self.path(op, &|name| self.real_value(op, name));
        let label = op.label();
        let bad: Vec<(String, String)> = vec![
            ("no token".into(), String::new()),
            ("garbage token".into(), "Bearer garbage".into()),
            ("empty bearer".into(), "Bearer ".into()),
            ("basic auth".into(), "Basic YXBwOnNlY3JldA==".into()),
            ("forged token".into(), "Bearer v1.e30.e30".into()),
            ("non-ASCII header".into(), "Bearer 印章".into()),
            ("expired token".into(), format!("Bearer {}", self.expired_token)),
            ("token of a missing app".into(), format!("Bearer {}", self.ghost_token)),
        ];
        for (case, header) in bad {
            let auth = (!header.is_empty()).then_some(header.as_str());
            let request = self.request(&op.method, &path, auth, self.valid_body(op, doc));
            let (_, code) = self.check(&format!("{label} [{case}]"), request, Expect::Status(401));
            if code.as_deref().is_some_and(|c| c != "unauthenticated") {
                self.failures.push(format!("{label} [{case}]: code {code:?}, expected unauthenticated"));
            }
        }
        if !self.has_real_ids(op) {
            return;
        }
        // Another app's token on real ids must answer exactly as for ids that do not exist.
        let other = format!("Bearer {}", self.other_token);
        let foreign = self.request(&op.method, &path, Some(&other), self.valid_body(op, doc));
        let foreign = self.check(&format!("{label} [another app's ids]"), foreign, Expect::ClientError(None));
        let unknown_path = self.path(op, &|name| match name {
            "index" | "file" => self.real_value(op, name),
            // Serials are hex: a well-formed one nobody was issued.
            "serial" => "7f00000000000000000000000000000001".into(),
            _ => UNKNOWN_ID.into(),
        });
        let unknown = self.request(&op.method, &unknown_path, Some(&other), self.valid_body(op, doc));
        let unknown = self.check(&format!("{label} [unknown ids]"), unknown, Expect::ClientError(None));
        if foreign != unknown || (op.body().is_none() && foreign.0 != 404) {
            self.failures.push(format!(
                "{label} [another app's ids]: answered {foreign:?}, but unknown ids answer {unknown:?} (want 404)"
            ));
        }
    }

    fn sweep_path_params(&mut self, op: &Operation, doc: &Value) {
        let token = format!("Bearer {}", self.api.token);
        for param in op.params("path") {
            let name = param["name"].as_str().unwrap_or_default().to_owned();
            let long = "a".repeat(5000);
            for bad in BAD_PATH_VALUES.iter().copied().chain([long.as_str()]) {
                let path = self.path(op, &|n| if n == name { bad.to_owned() } else { self.real_value(op, n) });
                let request = self.request(&op.method, &path, Some(&token), self.valid_body(op, doc));
                let shown: String = bad.chars().take(24).collect();
                self.check(&format!("{} [path {name}={shown}]", op.label()), request, Expect::ClientError(None));
            }
        }
    }

    fn sweep_query_params(&mut self, op: &Operation, doc: &Value) {
        let token = format!("Bearer {}", self.api.token);
        let path = self.path(op, &|name| self.real_value(op, name));
        for param in op.params("query") {
            let name = param["name"].as_str().unwrap_or_default().to_owned();
            let schema = resolve(doc, &param["schema"]);
            let numeric = matches!(primary_type(&schema).as_str(), "integer" | "number");
            let long = "a".repeat(5000);
            let mut values = vec!["%00", "%FF", "%E5%8D%B0", "", long.as_str()];
            if numeric {
                values.extend(["abc", "-1", "0", "99999999999999999999999", "1.5", "NaN"]);
            }
            for value in values {
                let shown: String = value.chars().take(24).collect();
                let request =
                    self.request(&op.method, &format!("{path}?{name}={value}"), Some(&token), self.valid_body(op, doc));
                // Integer parameters of this API (limits, pages) are all positive.
                let hint = (numeric && matches!(value, "abc" | "1.5" | "NaN" | "-1")).then_some(name.as_str());
                let expect = if hint.is_some() { Expect::ClientError(hint) } else { Expect::NoServerError };
                self.check(&format!("{} [query {name}={shown}]", op.label()), request, expect);
            }
        }
    }

    fn sweep_body(&mut self, op: &Operation, doc: &Value) {
        let Some((media, schema)) = op.body() else { return };
        let token = op.needs_bearer().then(|| format!("Bearer {}", self.api.token));
        let path = self.path(op, &|name| self.real_value(op, name));
        let label = op.label();
        let send = |sweep: &mut Self, case: &str, body: Body, expect: Expect| {
            let request = sweep.request(&op.method, &path, token.as_deref(), body);
            sweep.check(&format!("{label} [{case}]"), request, expect);
        };
        if media.starts_with("multipart/") {
            for (case, content_type, bytes) in broken_multipart() {
                send(self, case, Body::Raw { content_type, bytes }, Expect::ClientError(None));
            }
            return;
        }
        if !media.contains("json") {
            let (content_type, bytes) = (Some(leak(media.clone())), vec![0u8; 3]);
            send(self, "garbage bytes", Body::Raw { content_type, bytes }, Expect::NoServerError);
            send(self, "empty body", Body::Raw { content_type, bytes: Vec::new() }, Expect::NoServerError);
            let wrong = Some("application/json");
            send(
                self,
                "wrong content type",
                Body::Raw { content_type: wrong, bytes: b"{}".to_vec() },
                Expect::NoServerError,
            );
            return;
        }
        let valid = example(doc, &schema, 0);
        let json_text = serde_json::to_vec(&valid).unwrap();
        // Broken text in a field the body really has, so that it is decoded rather than refused by name.
        let field = resolve(doc, &schema)["properties"].as_object().and_then(|p| p.keys().next().cloned());
        let field = field.unwrap_or_else(|| "a".into());
        let broken_text = |text: &[u8]| [format!("{{\"{field}\":\"").as_bytes(), text, b"\"}"].concat();
        let raw = |content_type: Option<&'static str>, bytes: &[u8]| Body::Raw { content_type, bytes: bytes.to_vec() };
        let broken: Vec<(&str, Body)> = vec![
            ("invalid JSON", raw(Some("application/json"), &broken_text(b"x")[..field.len() + 4])),
            ("empty body", raw(Some("application/json"), b"")),
            ("null body", raw(Some("application/json"), b"null")),
            ("array body", raw(Some("application/json"), b"[1,2]")),
            ("number body", raw(Some("application/json"), b"12345678901234567890123")),
            ("string body", raw(Some("application/json"), b"\"x\"")),
            ("not UTF-8", raw(Some("application/json"), &broken_text(b"\xff\xfe"))),
            ("lone surrogate", raw(Some("application/json"), &broken_text(b"\\ud800"))),
            ("bad escape", raw(Some("application/json"), &broken_text(b"\\x41"))),
            ("deep nesting", raw(Some("application/json"), &[b"[".repeat(5000), b"]".repeat(5000)].concat())),
            ("text/plain", raw(Some("text/plain"), &json_text)),
            ("no content type", raw(None, &json_text)),
            ("form content type", raw(Some("application/x-www-form-urlencoded"), b"a=1")),
        ];
        for (case, body) in broken {
            send(self, case, body, Expect::ClientError(None));
        }
        let mut extra = valid.clone();
        if let Some(object) = extra.as_object_mut() {
            object.insert("unexpectedField".into(), json!(1));
            send(self, "unknown field", Body::Json(extra), Expect::NoServerError);
        }
        for mutation in mutations(doc, &schema, &valid) {
            send(self, &mutation.case, Body::Json(mutation.body.clone()), mutation.expect());
        }
    }

    /// A method the path does not serve must still answer a JSON error.
    fn sweep_wrong_method(&mut self, template: &str, served: &[Method]) {
        let path = template.replace(['{', '}'], "");
        let token = format!("Bearer {}", self.api.token);
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            if served.contains(&method) {
                continue;
            }
            let request = self.request(&method, &path, Some(&token), Body::None);
            self.check(&format!("{method} {template} [method not served]"), request, Expect::ClientError(None));
            return;
        }
    }
}

/// One malformed body made from a valid one.
struct Mutation {
    case: String,
    body: Value,
    /// The field the error must name, when the mutation is a type or presence error.
    must_name: Option<String>,
}

impl Mutation {
    fn expect(&self) -> Expect<'_> {
        match &self.must_name {
            Some(name) => Expect::ClientError(Some(name.as_str())),
            None => Expect::NoServerError,
        }
    }
}

/// For every property (top level and one level into nested objects and array items): drop it if
/// required, give it the wrong type, and give strings and numbers hostile values.
fn mutations(doc: &Value, schema: &Value, valid: &Value) -> Vec<Mutation> {
    let mut out = Vec::new();
    collect_mutations(doc, schema, valid, &mut Vec::new(), 0, &mut out);
    out
}

/// A step into a JSON value.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn collect_mutations(
    doc: &Value,
    schema: &Value,
    valid: &Value,
    at: &mut Vec<Step>,
    depth: usize,
    out: &mut Vec<Mutation>,
) {
    let schema = resolve(doc, schema);
    let Some(properties) = schema["properties"].as_object() else { return };
    let required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    for (name, property) in properties {
        let property = resolve(doc, property);
        let shown = describe(at, name);
        at.push(Step::Key(name.clone()));
        if required.contains(&name.as_str()) {
            out.push(Mutation {
                case: format!("missing {shown}"),
                body: edit(valid, at, None),
                must_name: Some(name.clone()),
            });
        }
        let kind = primary_type(&property);
        if let Some(wrong) = wrong_type(&kind) {
            out.push(Mutation {
                case: format!("{shown} of the wrong type"),
                body: edit(valid, at, Some(wrong)),
                must_name: Some(name.clone()),
            });
        }
        out.push(Mutation { case: format!("{shown} null"), body: edit(valid, at, Some(Value::Null)), must_name: None });
        let hostile: Vec<(&str, Value)> = match kind.as_str() {
            "string" => vec![
                ("huge", Value::String("长".repeat(1 << 20))),
                ("unicode junk", Value::String(UNICODE_JUNK.into())),
                ("empty", Value::String(String::new())),
                ("spaces", Value::String("   ".into())),
            ],
            "integer" | "number" => vec![
                ("negative", json!(-1)),
                ("minimum", json!(i64::MIN)),
                ("beyond u64", serde_json::from_str("18446744073709551616").unwrap()),
                ("huge float", json!(1e308)),
                ("fraction", json!(0.5)),
            ],
            "array" => vec![("empty", json!([])), ("long", Value::Array(vec![Value::Null; 10_000]))],
            _ => Vec::new(),
        };
        for (what, value) in hostile {
            out.push(Mutation { case: format!("{shown} {what}"), body: edit(valid, at, Some(value)), must_name: None });
        }
        // Nested properties only where the valid body has the nested value to edit.
        if depth < 2
            && value_at(valid, at).is_some_and(|v| v.is_object() || v.as_array().is_some_and(|a| !a.is_empty()))
        {
            match kind.as_str() {
                "object" => collect_mutations(doc, &property, valid, at, depth + 1, out),
                "array" => {
                    at.push(Step::Index(0));
                    collect_mutations(doc, &property["items"], valid, at, depth + 1, out);
                    at.pop();
                }
                _ => {}
            }
        }
        at.pop();
    }
}

fn describe(at: &[Step], name: &str) -> String {
    let mut text = String::new();
    for step in at {
        match step {
            Step::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    if text.is_empty() { name.to_owned() } else { format!("{text}.{name}") }
}

fn value_at<'v>(valid: &'v Value, at: &[Step]) -> Option<&'v Value> {
    at.iter().try_fold(valid, |value, step| match step {
        Step::Key(key) => value.get(key.as_str()),
        Step::Index(i) => value.get(*i),
    })
}

/// `valid` with the value at `at` replaced (or removed when `value` is `None`).
fn edit(valid: &Value, at: &[Step], value: Option<Value>) -> Value {
    let mut body = valid.clone();
    let (last, parents) = at.split_last().expect("a non-empty path");
    let mut target = &mut body;
    for step in parents {
        target = match step {
            Step::Key(key) => &mut target[key.as_str()],
            Step::Index(i) => &mut target[*i],
        };
    }
    match (last, value) {
        (Step::Key(key), None) => {
            if let Some(object) = target.as_object_mut() {
                object.remove(key);
            }
        }
        (Step::Key(key), Some(value)) => target[key.as_str()] = value,
        (Step::Index(i), Some(value)) => target[*i] = value,
        (Step::Index(_), None) => {}
    }
    body
}

fn wrong_type(kind: &str) -> Option<Value> {
    match kind {
        "string" => Some(json!({"not": "a string"})),
        "integer" | "number" => Some(json!("not a number")),
        "boolean" => Some(json!("not a boolean")),
        "array" => Some(json!({"not": "an array"})),
        "object" => Some(json!([1, 2, 3])),
        _ => None,
    }
}

/// Follows `$ref`s and picks the non-null branch of `oneOf`/`anyOf`; merges `allOf`.
fn resolve(doc: &Value, schema: &Value) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let pointer = reference.trim_start_matches('#');
        return resolve(doc, doc.pointer(pointer).unwrap_or(&Value::Null));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array()
            && let Some(option) = options.iter().find(|o| o["type"] != "null")
        {
            return resolve(doc, option);
        }
    }
    if let Some(parts) = schema["allOf"].as_array() {
        let mut merged = json!({"type": "object", "properties": {}, "required": []});
        for part in parts.iter().map(|p| resolve(doc, p)) {
            if let Some(props) = part["properties"].as_object() {
                merged["properties"].as_object_mut().unwrap().extend(props.clone());
            }
            if let Some(req) = part["required"].as_array() {
                merged["required"].as_array_mut().unwrap().extend(req.clone());
            }
        }
        return merged;
    }
    schema.clone()
}

/// The schema's type, ignoring `null` in a type list.
fn primary_type(schema: &Value) -> String {
    match &schema["type"] {
        Value::String(kind) => kind.clone(),
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).find(|k| *k != "null").unwrap_or("").to_owned(),
        _ if schema["properties"].is_object() => "object".into(),
        _ => String::new(),
    }
}

/// A value of the schema's shape: required properties only, first enum values, one array item.
fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    match primary_type(&schema).as_str() {
        "object" => {
            let mut object = serde_json::Map::new();
            let required: Vec<&str> =
                schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            if let Some(properties) = schema["properties"].as_object() {
                for (name, property) in properties {
                    if required.contains(&name.as_str()) && depth < 4 {
                        object.insert(name.clone(), example(doc, property, depth + 1));
                    }
                }
            }
            Value::Object(object)
        }
        "array" if depth < 4 => Value::Array(vec![example(doc, &schema["items"], depth + 1)]),
        "array" => json!([]),
        "string" if schema["format"] == "date-time" => json!("2099-01-01T00:00:00Z"),
        "string" => json!("x"),
        "integer" => json!(1),
        "number" => json!(1.0),
        "boolean" => json!(false),
        _ => json!({}),
    }
}

/// Bodies a multipart route must refuse: (case, content type, bytes).
fn broken_multipart() -> Vec<(&'static str, Option<&'static str>, Vec<u8>)> {
    let (empty_type, empty) = multipart(&[]);
    let (no_file_type, no_file) = multipart(&[("name", None, b"a.pdf".to_vec())]);
    let (not_pdf_type, not_pdf) = multipart(&[("file", Some("a.pdf"), b"hello, not a PDF".to_vec())]);
    let (empty_file_type, empty_file) = multipart(&[("file", Some("a.pdf"), Vec::new())]);
    let (junk_name_type, junk_name) =
        multipart(&[("file", Some("a.pdf"), b"%PDF-1.7\n%%EOF".to_vec()), ("name", None, vec![0xff, 0xfe])]);
    let (nul_name_type, nul_name) =
        multipart(&[("file", Some("a\0.pdf"), contract()), ("name", None, b"b\0.pdf".to_vec())]);
    let (_, mut truncated) = multipart(&[("file", Some("a.pdf"), contract())]);
    let truncated_type = leak(format!("multipart/form-data; boundary={BOUNDARY}"));
    truncated.truncate(truncated.len() / 2);
    vec![
        ("empty multipart", Some(leak(empty_type)), empty),
        ("multipart without a file", Some(leak(no_file_type)), no_file),
        ("multipart with a non-PDF", Some(leak(not_pdf_type)), not_pdf),
        ("multipart with an empty file", Some(leak(empty_file_type)), empty_file),
        ("multipart with a non-UTF-8 name", Some(leak(junk_name_type)), junk_name),
        ("multipart with a NUL in the name", Some(leak(nul_name_type)), nul_name),
        ("truncated multipart", Some(truncated_type), truncated),
        ("multipart without boundary", Some("multipart/form-data"), b"--x\r\n".to_vec()),
        ("JSON instead of multipart", Some("application/json"), b"{}".to_vec()),
        ("no content type", None, b"file=1".to_vec()),
        ("empty body", Some("multipart/form-data; boundary=x"), Vec::new()),
    ]
}

const BOUNDARY: &str = "sweep-boundary-7d93";

/// A multipart/form-data body of (name, file name, bytes) parts.
fn multipart(parts: &[(&str, Option<&str>, Vec<u8>)]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, file_name, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file_name {
            Some(file) => format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n"),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// Content types are `&'static str` in [`Body`]; the sweep makes a handful.
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn contract() -> Vec<u8> {
    std::fs::read(fixture("contract.pdf")).expect("contract fixture")
}

/// Creates one of each resource for the bootstrap app.
fn fixtures(api: &Api, doc: &Value) -> Fixtures {
    let created = |reply: crate::support::Reply, what: &str| -> Value {
        assert!(matches!(reply.status, 200 | 201), "creating {what}: {} {:?}", reply.status, reply.body);
        reply.body
    };
    let account = created(
        api.post(
            "/v1/accounts",
            &json!({"type": "person", "name": "张三", "idType": "resident_id", "idNumber": "11010519491231002X",
                    "mobile": "13800138000"}),
        ),
        "an account",
    );
    let serial = account["certificateSerial"].as_str().unwrap().to_owned();
    let account = account["id"].as_str().unwrap().to_owned();
    let seal = created(
        api.post(&format!("/v1/accounts/{account}/seals"), &json!({"template": {"kind": "person", "name": "张三"}})),
        "a seal",
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let authorization = created(
        api.post(
            &format!("/v1/accounts/{account}/authorizations"),
            &json!({"scope": "auto_sign", "expiresAt": "2099-01-01T00:00:00Z"}),
        ),
        "an authorization",
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let file = created(api.upload("contract.pdf", contract()), "a file")["id"].as_str().unwrap().to_owned();
    let flow = created(
        api.post(
            "/v1/flows",
            &json!({"title": "sweep", "documents": [{"fileId": file}],
                    "signers": [{"accountId": account, "fields": [{"page": 1, "x": 100, "y": 100}]}]}),
        ),
        "a flow",
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    created(api.post(&format!("/v1/flows/{flow}/start"), &json!({})), "a started flow");
    let evidence = created(api.post("/v1/evidence", &json!({"sid": "sweep-1", "fileId": file})), "evidence")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = api.get("/v1/events");
    let event = events.body.as_array().and_then(|e| e.first()).and_then(|e| e["id"].as_str()).map(str::to_owned);
    let template = doc["paths"].get("/v1/templates").map(|_| {
        let form = std::fs::read(fixture("template.pdf")).expect("template fixture");
        let form = created(api.upload("template.pdf", form), "a form PDF")["id"].as_str().unwrap().to_owned();
        created(api.post("/v1/templates", &json!({"fileId": form})), "a template")["id"].as_str().unwrap().to_owned()
    });
    let md5 = base64::engine::general_purpose::STANDARD.encode([0u8; 16]);
    let ticket = created(
        api.post(
            "/v1/files/upload-url",
            &json!({"name": "a.pdf", "contentMd5": md5, "contentType": "application/pdf", "size": 10}),
        ),
        "an upload URL",
    );
    let upload_token = ticket["uploadUrl"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    Fixtures { account, seal, authorization, file, flow, evidence, event, template, upload_token, serial }
}

/// A correctly MACed token for `app`, expiring at `expires_at`, made with the server's master key.
fn crafted_token(api: &Api, app: &str, expires_at: OffsetDateTime) -> String {
    let encoded = std::fs::read_to_string(api.data_path().join("master.key")).expect("the server's master.key");
    let master = signet_pki::MasterKey::from_base64(encoded.trim()).expect("master key");
    let keys = signet_core::secrets::SecretKeys::from_master(&master).expect("derived keys");
    let app = signet_core::ids::AppId::parse(app).expect("app id");
    signet_core::tokens::issue(&keys, &app, expires_at)
}

/// The operations of `/openapi.json`, and the methods each path serves.
fn operations(doc: &Value) -> (Vec<Operation>, BTreeMap<String, Vec<Method>>) {
    let mut operations = Vec::new();
    let mut served = BTreeMap::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, spec) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            if !spec.is_object() {
                continue;
            }
            served.entry(template.clone()).or_insert_with(Vec::new).push(method.clone());
            operations.push(Operation { method, template: template.clone(), spec: spec.clone() });
        }
    }
    (operations, served)
}

fn sweep(backend: Backend) {
    let api = Api::start(backend);
    let doc: Value = api.get("/openapi.json").body;
    let (operations, served) = operations(&doc);
    assert!(operations.len() >= 40, "the document lists only {} operations", operations.len());
    let now = OffsetDateTime::now_utc();
    let mut sweep = Sweep {
        fixtures: fixtures(&api, &doc),
        client: http(),
        other_token: api.other_app_token(),
        expired_token: crafted_token(&api, APP_ID, now - time::Duration::minutes(1)),
        ghost_token: crafted_token(&api, "no-such-app", now + time::Duration::minutes(10)),
        api: &api,
        requests: 0,
        failures: Vec::new(),
    };
    // A control: the crafted tokens are refused for the right reason, not because they are malformed.
    let fresh = crafted_token(&api, APP_ID, now + time::Duration::minutes(10));
    assert_eq!(api.as_token(Method::GET, "/v1/app", Some(&fresh)).status, 200, "a crafted live token is accepted");

    // Credentials first: they must not depend on what the malformed-input cases change.
    for op in operations.iter().filter(|op| op.needs_bearer()) {
        sweep.sweep_credentials(op, &doc);
    }
    for op in &operations {
        sweep.sweep_path_params(op, &doc);
        sweep.sweep_query_params(op, &doc);
        sweep.sweep_body(op, &doc);
    }
    for (template, methods) in &served {
        sweep.sweep_wrong_method(template, methods);
    }
    eprintln!("swept {} operations with {} requests", operations.len(), sweep.requests);
    // The dialects read bodies their own way; a NUL (which PostgreSQL cannot store) is their
    // parameter error on both backends, not a 500.
    let esign = sweep
        .client
        .post(api.server.url("/opentreaty-service/account/create/person"))
        .header("X-Tsign-Open-App-Id", APP_ID)
        .header("X-Tsign-Open-App-Secret", APP_KEY)
        .json(&json!({"thirdId": "a\u{0}b", "name": "张三", "idType": 19, "idNo": "11010519491231002X",
                      "mobile": "13800138000"}))
        .send()
        .expect("e签宝 request");
    assert_eq!(esign.status(), 200, "the e签宝 envelope is HTTP 200");
    let envelope: Value = esign.json().expect("e签宝 envelope");
    assert_eq!(envelope["errCode"], 1435002, "{envelope}");
    assert!(
        sweep.failures.is_empty(),
        "{} of {} requests broke the rules:\n{}",
        sweep.failures.len(),
        sweep.requests,
        sweep.failures.join("\n")
    );
}

#[test]
fn every_route_refuses_bad_input_and_credentials_on_sqlite() {
    sweep(Backend::Embedded);
}

#[test]
fn every_route_refuses_bad_input_and_credentials_on_postgres() {
    sweep(Backend::PostgresS3);
}
