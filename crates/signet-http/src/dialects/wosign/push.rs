//! The `PushSignedDoc` body the callback worker delivers:
//! `{actiontype, status, errorcode, extendData: {signid, ordernumber, content, hash}}`.
//! `errorcode` is a string (several codes joined by `&`), as the document's table says.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use signet_core::wosign::{PushNotice, PushOutcome};

/// Renders a push (given to the core's order driver as its `PushFormat`).
pub fn push_body(notice: &PushNotice<'_>) -> String {
    let body = match &notice.outcome {
        PushOutcome::Signed { content, hash } => json!({
            "actiontype": "PushSignedDoc",
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
            "actiontype": "PushSignedDoc",
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
    }
}
