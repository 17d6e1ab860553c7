//! The dialect's callbacks (5.9.3 `SIGN_FLOW_UPDATE`, 5.9.4 `SIGN_FLOW_FINISH`) and the status
//! codes shared with its detail routes.
//!
//! Notices are derived from what a committed change did to the flow (a signer signed or refused,
//! the flow ended), not from which route made the change: a signature on a signing page, through
//! the native API or by a sign task reports the same way, and the expiry job needs nothing
//! rendered in advance.

use std::collections::HashMap;

use serde_json::json;
use time::{OffsetDateTime, UtcOffset};

use crate::accounts::AccountId;
use crate::flows::{FlowRecord, FlowSigner, FlowStatus, SignerStatus};

/// `signResult` of `SIGN_FLOW_UPDATE`.
const SIGNED: i64 = 2;
const FAILED: i64 = 3;
const REFUSED: i64 = 4;

/// One callback: the action name and its JSON body.
pub type Notice = (String, String);

/// `flowStatus`: 1 signing, 2 completed (archived), 3 revoked, 5 expired, 7 rejected; a flow
/// whose signers all signed but which is not archived yet is still 1.
pub fn flow_status(flow: &FlowRecord) -> i64 {
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
pub fn signer_status(status: SignerStatus) -> i64 {
    match status {
        SignerStatus::Waiting => 0,
        SignerStatus::Signed => 2,
        SignerStatus::Rejected => 3,
        SignerStatus::Withdrawn => 4,
    }
}

/// `yyyy-MM-dd HH:mm:ss` in China Standard Time (UTC+8), the vendor's time format.
pub fn format_time(at: OffsetDateTime) -> String {
    let local = at.to_offset(UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

/// The notices a committed change owes: a `SIGN_FLOW_UPDATE` for each signer who signed or
/// refused in it (with the `thirdOrderNo` of that signer's task, when it had one), then a
/// `SIGN_FLOW_FINISH` when the flow ended.
pub(super) fn notices_for(
    before: &FlowRecord,
    after: &FlowRecord,
    third_order_nos: &HashMap<AccountId, String>,
    now: OffsetDateTime,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    for signer in &after.signers {
        let was = before.signer(&signer.account_id).map(|s| (s.status, s.signed_at));
        if was == Some((signer.status, signer.signed_at)) {
            continue;
        }
        let result = match signer.status {
            SignerStatus::Signed => SIGNED,
            SignerStatus::Rejected => REFUSED,
            SignerStatus::Waiting | SignerStatus::Withdrawn => continue,
        };
        let third_order_no = third_order_nos.get(&signer.account_id).map(String::as_str);
        notices.push(signer_update(after, signer, result, signer.reject_reason.as_deref(), third_order_no, now));
    }
    if before.status.is_open() && !after.status.is_open() {
        notices.push(flow_finish(after, now));
    }
    notices
}

/// `SIGN_FLOW_UPDATE` with `signResult` 3: the signer's signature could not be made (a task
/// whose keyword is not in the document, a revoked certificate). The task stays open: the
/// platform can withdraw it and issue a corrected one.
pub(super) fn signer_failed(
    flow: &FlowRecord,
    signer: &FlowSigner,
    reason: &str,
    third_order_no: Option<&str>,
    now: OffsetDateTime,
) -> Notice {
    signer_update(flow, signer, FAILED, Some(reason), third_order_no, now)
}

fn signer_update(
    flow: &FlowRecord,
    signer: &FlowSigner,
    result: i64,
    description: Option<&str>,
    third_order_no: Option<&str>,
    now: OffsetDateTime,
) -> Notice {
    let mut body = json!({
        "action": "SIGN_FLOW_UPDATE",
        "flowId": flow.id.as_str(),
        "accountId": signer.account_id.as_str(),
        "signTime": format_time(signer.signed_at.unwrap_or(now)),
        "signResult": result,
    });
    if let Some(no) = third_order_no {
        body["thirdOrderNo"] = json!(no);
    }
    if let Some(text) = description {
        body["resultDescription"] = json!(text);
    }
    ("SIGN_FLOW_UPDATE".into(), body.to_string())
}

/// `SIGN_FLOW_FINISH`. The scene goes under both the document's spelling `businessScence` and
/// `businessScene`; a rejected flow is reported as 4 (已终止), the code the notice lists for
/// refusals, although the detail route says 7.
fn flow_finish(flow: &FlowRecord, now: OffsetDateTime) -> Notice {
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
        "endTime": format_time(now),
    });
    if let Some(text) = description {
        body["statusDescription"] = json!(text);
    }
    ("SIGN_FLOW_FINISH".into(), body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::{FlowId, SignerAuth};
    use crate::ids::AppId;

    fn flow(signers: Vec<FlowSigner>) -> FlowRecord {
        let at = OffsetDateTime::UNIX_EPOCH;
        FlowRecord {
            id: FlowId::generate(),
            app_id: AppId::parse("app-1").unwrap(),
            title: "买房子".into(),
            status: FlowStatus::Signing,
            callback_url: None,
            expires_at: None,
            archived: false,
            created_at: at,
            updated_at: at,
            documents: Vec::new(),
            signers,
        }
    }

    fn signer(status: SignerStatus) -> FlowSigner {
        FlowSigner {
            account_id: AccountId::generate(),
            order: 0,
            seal_id: None,
            fields: Vec::new(),
            auth: SignerAuth::None,
            status,
            signed_at: None,
            reject_reason: None,
        }
    }

    fn body(notice: &Notice) -> serde_json::Value {
        serde_json::from_str(&notice.1).unwrap()
    }

    #[test]
    fn a_refusal_reports_the_signer_then_the_end() {
        let before = flow(vec![signer(SignerStatus::Waiting)]);
        let mut after = before.clone();
        after.status = FlowStatus::Rejected;
        after.signers[0].status = SignerStatus::Rejected;
        after.signers[0].reject_reason = Some("价格不对".into());
        let nos = HashMap::from([(before.signers[0].account_id.clone(), "order-7".to_owned())]);
        let notices = notices_for(&before, &after, &nos, OffsetDateTime::UNIX_EPOCH);
        assert_eq!(notices.len(), 2);
        let update = body(&notices[0]);
        assert_eq!(update["signResult"], 4);
        assert_eq!(update["resultDescription"], "价格不对");
        assert_eq!(update["thirdOrderNo"], "order-7");
        assert_eq!(update["signTime"], "1970-01-01 08:00:00");
        let finish = body(&notices[1]);
        assert_eq!((finish["action"].as_str(), finish["flowStatus"].as_i64()), (Some("SIGN_FLOW_FINISH"), Some(4)));
    }

    #[test]
    fn unchanged_and_withdrawn_signers_report_nothing() {
        let before = flow(vec![signer(SignerStatus::Signed), signer(SignerStatus::Waiting)]);
        let mut after = before.clone();
        after.signers[1].status = SignerStatus::Withdrawn;
        assert!(notices_for(&before, &after, &HashMap::new(), OffsetDateTime::UNIX_EPOCH).is_empty());
    }

    #[test]
    fn archiving_finishes_with_status_two() {
        let before = flow(vec![signer(SignerStatus::Signed)]);
        let mut after = before.clone();
        after.status = FlowStatus::Completed;
        after.archived = true;
        let notices = notices_for(&before, &after, &HashMap::new(), OffsetDateTime::UNIX_EPOCH);
        assert_eq!(notices.len(), 1);
        assert_eq!(body(&notices[0])["flowStatus"], 2);
    }
}
