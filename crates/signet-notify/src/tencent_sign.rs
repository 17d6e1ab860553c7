//! Tencent Cloud API 3.0 request signing (TC3-HMAC-SHA256).
//!
//! As documented in "Signature v3" (<https://www.tencentcloud.com/document/product/382/40467>
//! for SMS; the same page exists for every product):
//!
//! ```text
//! CanonicalRequest = METHOD \n "/" \n "" \n CanonicalHeaders \n SignedHeaders \n hex(SHA256(body))
//! StringToSign     = "TC3-HMAC-SHA256" \n Timestamp \n Date/service/tc3_request \n hex(SHA256(CanonicalRequest))
//! SecretSigning    = HMAC(HMAC(HMAC("TC3" + SecretKey, Date), service), "tc3_request")
//! Signature        = hex(HMAC(SecretSigning, StringToSign))
//! ```
//!
//! Date is the UTC date of the timestamp. We sign `content-type` and `host`, the two headers
//! the documentation requires.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The headers covered by the signature, in canonical order.
pub const SIGNED_HEADERS: &str = "content-type;host";

/// What one POST request is made of, as far as the signature is concerned.
#[derive(Debug, Clone, Copy)]
pub struct SigningInput<'a> {
    /// Product name, e.g. `sms`; part of the credential scope.
    pub service: &'a str,
    /// The `Host` header exactly as sent (with `:port` when not the scheme's default).
    pub host: &'a str,
    pub content_type: &'a str,
    pub payload: &'a [u8],
    /// Unix seconds, also sent as `X-TC-Timestamp`.
    pub timestamp: i64,
}

/// `CanonicalRequest` for a POST to `/` without query string.
pub fn canonical_request(input: &SigningInput<'_>) -> String {
    format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\n{SIGNED_HEADERS}\n{}",
        input.content_type.trim().to_ascii_lowercase(),
        input.host.trim().to_ascii_lowercase(),
        hex::encode(Sha256::digest(input.payload)),
    )
}

/// The UTC date of a timestamp, `YYYY-MM-DD`; `None` for timestamps out of range.
pub fn utc_date(timestamp: i64) -> Option<String> {
    let at = OffsetDateTime::from_unix_timestamp(timestamp).ok()?;
    at.format(format_description!("[year]-[month]-[day]")).ok()
}

/// `Date/service/tc3_request`.
pub fn credential_scope(date: &str, service: &str) -> String {
    format!("{date}/{service}/tc3_request")
}

pub fn string_to_sign(input: &SigningInput<'_>, date: &str) -> String {
    format!(
        "{ALGORITHM}\n{}\n{}\n{}",
        input.timestamp,
        credential_scope(date, input.service),
        hex::encode(Sha256::digest(canonical_request(input).as_bytes())),
    )
}

/// The hex signature.
pub fn signature(input: &SigningInput<'_>, date: &str, secret_key: &str) -> String {
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, input.service.as_bytes());
    let secret_signing = hmac_sha256(&secret_service, b"tc3_request");
    hex::encode(hmac_sha256(&secret_signing, string_to_sign(input, date).as_bytes()))
}

/// The `Authorization` header value; `None` only for timestamps outside the calendar.
pub fn authorization(input: &SigningInput<'_>, secret_id: &str, secret_key: &str) -> Option<String> {
    let date = utc_date(input.timestamp)?;
    Some(format!(
        "{ALGORITHM} Credential={secret_id}/{}, SignedHeaders={SIGNED_HEADERS}, Signature={}",
        credential_scope(&date, input.service),
        signature(input, &date, secret_key),
    ))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of "Signature v3"
    /// (<https://www.tencentcloud.com/document/product/382/40467>): CVM `DescribeInstances` at
    /// 1551113065 with SecretKey `Gu5t9xGARNpq86cd98joQYCN3EXAMPLE`; every intermediate value
    /// below is printed on that page.
    #[test]
    fn vendor_example_describe_instances() {
        let payload = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let input = SigningInput {
            service: "cvm",
            host: "cvm.tencentcloudapi.com",
            content_type: "application/json; charset=utf-8",
            payload: payload.as_bytes(),
            timestamp: 1_551_113_065,
        };
        assert_eq!(
            canonical_request(&input),
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n\
             content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let date = utc_date(input.timestamp).unwrap();
        assert_eq!(date, "2019-02-25");
        assert_eq!(
            string_to_sign(&input, &date),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            authorization(&input, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE").unwrap(),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn date_is_utc_not_local() {
        // 2019-02-26 00:44:25 in UTC+8 is still the 25th in UTC, the pitfall the doc warns of.
        assert_eq!(utc_date(1_551_113_065).as_deref(), Some("2019-02-25"));
        assert_eq!(utc_date(i64::MAX), None);
    }
}
