//! The `PushSignedDoc` body: `{actiontype, status, errorcode, extendData: {signid, ordernumber,
//! content, hash}}`. Rendered here, in the core, because an order completes wherever its last
//! signature is made — the background driver or a signing page — and the body must be committed
//! in the same transaction as that signature. `errorcode` is a string (several codes joined by
//! `&`), as the document's table says; `extendData` an object, as its example shows.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

/// The callback action of a finished order.
pub const PUSH_SIGNED_DOC: &str = "PushSignedDoc";

/// How an order ended.
#[derive(Debug)]
pub enum PushOutcome<'a> {
    /// Every signer signed: the final PDF and its SHA-256 (hex).
    Signed { content: &'a [u8], hash: String },
    /// Signing could not finish; the vendor's codes.
    Failed { codes: Vec<i64> },
}

/// What a `PushSignedDoc` reports.
#[derive(Debug)]
pub struct PushNotice<'a> {
    pub sign_id: &'a str,
    pub order_number: &'a str,
    pub outcome: PushOutcome<'a>,
}

/// Renders a push as its JSON body.
pub fn push_body(notice: &PushNotice<'_>) -> String {
    let body = match &notice.outcome {
        PushOutcome::Signed { content, hash } => json!({
            "actiontype": PUSH_SIGNED_DOC,
            "status": 1,
            "errorcode": "0",
            "extendData": {
                "signid": notice.sign_id,
                "ordernumber": notice.order_number,
                "content": STANDARD.encode(content),
                "hash": hash,
            },
        }),
        PushOutcome::Failed { codes } => json!({
            "actiontype": PUSH_SIGNED_DOC,
            "status": 0,
            "errorcode": codes.iter().map(i64::to_string).collect::<Vec<_>>().join("&"),
            "extendData": {"signid": notice.sign_id, "ordernumber": notice.order_number},
        }),
    };
    body.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_follow_the_document() {
        let signed = push_body(&PushNotice {
            sign_id: "s",
            order_number: "o",
            outcome: PushOutcome::Signed { content: b"%PDF", hash: "ab".into() },
        });
        let value: serde_json::Value = serde_json::from_str(&signed).unwrap();
        assert_eq!(value["actiontype"], "PushSignedDoc");
        assert_eq!(value["status"], 1);
        assert_eq!(value["errorcode"], "0");
        assert_eq!(value["extendData"]["content"], "JVBERg==");
        assert_eq!(value["extendData"]["ordernumber"], "o");
        let failed = push_body(&PushNotice {
            sign_id: "s",
            order_number: "o",
            outcome: PushOutcome::Failed { codes: vec![-69, -50] },
        });
        let value: serde_json::Value = serde_json::from_str(&failed).unwrap();
        assert_eq!(value["status"], 0);
        assert_eq!(value["errorcode"], "-69&-50");
        assert!(value["extendData"].get("content").is_none());
    }
}
