//! Callback bodies (5.9.3 `SIGN_FLOW_UPDATE`, 5.9.4 `SIGN_FLOW_FINISH`) and the status codes
//! shared with the detail routes.

use serde_json::json;
use signet_core::esign::EsignNotice;
use signet_core::flows::{FlowRecord, FlowStatus, SignerStatus};

use super::format_time;

/// `flowStatus`: 1 signing, 2 completed (archived), 3 revoked, 5 expired, 7 rejected; a flow
/// whose signers all signed but which is not archived yet is still 1.
pub(super) fn flow_status(flow: &FlowRecord) -> i64 {
    match flow.status {
        FlowStatus::Draft => 0,
        FlowStatus::Signing => 1,
        FlowStatus::Completed if flow.archived => 2,
        FlowStatus::Completed => 1,
        FlowStatus::Revoked => 3,
        FlowStatus::Expired => 5,
        FlowStatus::Rejected => 7,
    }
}

/// `signStatus` of a signer: 0 waiting, 2 done, 3 ended (rejected), 4 withdrawn.
pub(super) fn signer_status(status: SignerStatus) -> i64 {
    match status {
        SignerStatus::Waiting => 0,
        SignerStatus::Signed => 2,
        SignerStatus::Rejected => 3,
        SignerStatus::Withdrawn => 4,
    }
}

/// Renders a notice as `(action, body)`. An expiry notice is rendered when the flow is created,
/// with the deadline as `endTime`. The finish notice carries the scene under both the
/// document's spelling `businessScence` and `businessScene`; a rejected flow is reported as 4
/// (已终止), the code the finish notice lists for refusals.
pub(super) fn render(notice: &EsignNotice<'_>) -> (String, String) {
    match notice {
        EsignNotice::SignerSigned { flow, account, third_order_no, at } => {
            let mut body = json!({
                "action": "SIGN_FLOW_UPDATE",
                "flowId": flow.id.as_str(),
                "accountId": account.as_str(),
                "signTime": format_time(*at),
                "signResult": 2,
            });
            if let Some(no) = third_order_no {
                body["thirdOrderNo"] = json!(no);
            }
            ("SIGN_FLOW_UPDATE".into(), body.to_string())
        }
        EsignNotice::FlowEnded { flow, at } => {
            let status = match flow.status {
                FlowStatus::Rejected => 4,
                _ => flow_status(flow),
            };
            let description = match flow.status {
                FlowStatus::Revoked => Some("发起方撤销签署任务"),
                FlowStatus::Expired => Some("超时未签署"),
                FlowStatus::Rejected => Some("签署人拒签"),
                _ => None,
            };
            let mut body = json!({
                "action": "SIGN_FLOW_FINISH",
                "businessScence": flow.title,
                "businessScene": flow.title,
                "flowId": flow.id.as_str(),
                "flowStatus": status,
                "createTime": format_time(flow.created_at),
                "endTime": format_time(*at),
            });
            if let Some(text) = description {
                body["statusDescription"] = json!(text);
            }
            ("SIGN_FLOW_FINISH".into(), body.to_string())
        }
    }
}
