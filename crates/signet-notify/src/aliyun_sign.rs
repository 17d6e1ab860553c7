//! Alibaba Cloud RPC request signing (signature version 1.0, HMAC-SHA1).
//!
//! As documented in "Signature mechanism" for RPC APIs
//! (<https://help.aliyun.com/en/document_detail/171741.html>):
//!
//! 1. percent-encode every parameter name and value (RFC 3986: only `A-Z a-z 0-9 - _ . ~`
//!    stay, space is `%20`, `*` is `%2A`, `~` stays), sort by encoded name, join as
//!    `name=value` with `&` — the canonicalised query string;
//! 2. `StringToSign = METHOD + "&" + encode("/") + "&" + encode(canonicalised query)`;
//! 3. `Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))`.

use std::collections::BTreeMap;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;

/// Everything except RFC 3986 unreserved characters.
const RPC_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encoding as the RPC signature requires (upper-case hex, UTF-8).
pub fn percent_encode(value: &str) -> String {
    utf8_percent_encode(value, RPC_ENCODE).to_string()
}

/// The canonicalised query string: encoded pairs sorted by encoded name.
pub fn canonical_query(params: &BTreeMap<String, String>) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .filter(|(name, _)| name.as_str() != "Signature")
        .map(|(name, value)| (percent_encode(name), percent_encode(value)))
        .collect();
    pairs.sort();
    pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("&")
}

/// The string the signature covers.
pub fn string_to_sign(method: &str, params: &BTreeMap<String, String>) -> String {
    format!("{method}&{}&{}", percent_encode("/"), percent_encode(&canonical_query(params)))
}

/// The `Signature` parameter value for a request with these parameters.
pub fn signature(method: &str, params: &BTreeMap<String, String>, access_key_secret: &str) -> String {
    let key = format!("{access_key_secret}&");
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign(method, params).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// The worked example of the RPC "Signature mechanism" page
    /// (<https://help.aliyun.com/en/document_detail/171741.html>, also
    /// <https://www.alibabacloud.com/help/doc-detail/196741.htm>): ECS `DescribeRegions` with
    /// AccessKeyId `testid`, secret `testsecret`, signed as a GET request.
    #[test]
    fn vendor_example_describe_regions() {
        let p = params(&[
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
        ]);
        assert_eq!(
            string_to_sign("GET", &p),
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML\
             %26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
             %26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(signature("GET", &p, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    /// The `SendSms` example of the SMS service's signing guide (Dysms "HTTP 协议及签名",
    /// <https://help.aliyun.com/document_detail/56189.html>; the current page
    /// <https://www.alibabacloud.com/help/zh/doc-detail/252839.htm> describes the same
    /// procedure): AccessKeyId `testId`, secret `testSecret`, a Chinese `SignName` and a JSON
    /// `TemplateParam`, signed as a GET request.
    #[test]
    fn vendor_example_send_sms() {
        let p = params(&[
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ]);
        assert_eq!(signature("GET", &p, "testSecret"), "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    }

    #[test]
    fn encoding_follows_rfc3986() {
        assert_eq!(percent_encode("a b*c~d-_."), "a%20b%2Ac~d-_.");
        assert_eq!(percent_encode("/=&+:"), "%2F%3D%26%2B%3A");
        assert_eq!(percent_encode("签"), "%E7%AD%BE");
    }

    #[test]
    fn method_and_signature_parameter() {
        let mut p = params(&[("Action", "SendSms"), ("AccessKeyId", "id")]);
        let post = signature("POST", &p, "s");
        assert_ne!(post, signature("GET", &p, "s"));
        p.insert("Signature".into(), "ignored".into());
        assert_eq!(post, signature("POST", &p, "s"));
    }
}
