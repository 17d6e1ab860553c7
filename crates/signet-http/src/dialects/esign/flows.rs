//! `/sign/contract/...` (one document) and `/sign/contracts/...` (several): open-ended flows whose
//! signers join one task at a time, ended by archiving; detail, download and management.

use axum::extract::State;
use serde_json::{Value, json};
use signet_core::esign::{DownloadTarget, EsignNewFlow, EsignTask, TaskKind, flow_status, signer_status};
use signet_core::flows::{Field, FlowRecord};
use signet_core::ids::AppId;
use signet_core::sign_pages::SealOffer;
use time::{Duration, OffsetDateTime};

use super::body::Body;
use super::error::{
    Context, DOCUMENT_NOT_IN_FLOW, EsignError, NO_SIGN_TYPE, PLATFORM_WITHOUT_DOCUMENT, SIGNER_WITHOUT_DOCUMENT,
};
use super::{Answer, Success, TsignApp, format_time, links, positions};
use crate::AppState;

/// Single-document or multi-document route family.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Single,
    Multi,
}

pub(super) async fn add_process_single(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    add_process(state, app, body, Family::Single).await
}

pub(super) async fn add_process_multi(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    add_process(state, app, body, Family::Multi).await
}

/// Creates the flow, already signing. `initiatorAccountId` and attachments must exist; the other
/// parameters (payer, signPlatform, noticeType, redirectUrl, encryption, attachments) are kept in
/// the flow's audit trail.
async fn add_process(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body, family: Family) -> Answer {
    let fail = |e| EsignError::from_core(e, Context::FlowCreate);
    let documents = match family {
        Family::Single => vec![(body.string("docId")?, body.opt_string("docName")?)],
        Family::Multi => {
            let list = body.list("docList")?;
            if list.is_empty() {
                return Err(EsignError::parameter("docList", "is required"));
            }
            list.iter()
                .map(|d| Ok((d.string("docId")?, d.opt_string("docName")?)))
                .collect::<Result<_, EsignError>>()?
        }
    };
    if let Some(initiator) = body.opt_string("initiatorAccountId")? {
        super::body::check_account_id(&initiator, "initiatorAccountId")?;
        let account =
            state.signet.account(&app.id, &initiator).await.map_err(|e| EsignError::from_core(e, Context::Account))?;
        // 注销后的账号不能再发起签署.
        if !account.active {
            return Err(EsignError::parameter("initiatorAccountId", "the account is deleted"));
        }
    }
    let mut attachments = Vec::new();
    for attachment in body.list("attachmentList")? {
        let key = attachment.string("attachmentFilekey")?;
        let name = attachment.string("attachmentName")?;
        state.signet.file(&app.id, &key).await.map_err(|e| EsignError::from_core(e, Context::File))?;
        attachments.push(json!({"fileKey": key, "name": name}));
    }
    for (doc, _) in &documents {
        state.signet.file(&app.id, doc).await.map_err(|e| EsignError::from_core(e, Context::File))?;
    }
    let expires_at = match body.opt_i64("signValidity")? {
        Some(ms) => Some(
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                .map_err(|_| EsignError::parameter("signValidity", "not a time"))?,
        ),
        None => None,
    };
    let recorded = json!({
        "initiatorAccountId": body.opt_string("initiatorAccountId")?,
        "payer": body.opt_string("payer")?,
        "signPlatform": body.opt_string("signPlatform")?,
        "noticeType": body.opt_string("noticeType")?,
        "redirectUrl": body.opt_string("redirectUrl")?,
        "encryption": body.opt_bool("encryption")?,
        "contractValidity": body.opt_i64("contractValidity")?,
        "attachments": attachments,
    });
    let new = EsignNewFlow {
        title: body.string("businessScene")?,
        documents,
        callback_url: body.opt_string("noticeUrl")?,
        expires_at,
        add_sign_time: body.opt_bool("addSignTime")?.unwrap_or(false),
        recorded,
    };
    let flow = state.signet.esign_create_flow(&app.id, new).await.map_err(fail)?;
    Ok(Success::data(json!({"flowId": flow.id.as_str()})))
}

pub(super) async fn platform_task_single(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    task(state, app, body, TaskKind::Platform, Family::Single, false).await
}

pub(super) async fn platform_task_multi(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    task(state, app, body, TaskKind::Platform, Family::Multi, false).await
}

pub(super) async fn user_task_single(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    task(state, app, body, TaskKind::Auto, Family::Single, false).await
}

pub(super) async fn user_task_multi(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    task(state, app, body, TaskKind::Auto, Family::Multi, false).await
}

/// `handPersonSignTask` and `handSignTask`: the person signs on a signing page.
pub(super) async fn hand_task_single(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    task(state, app, body, TaskKind::Hand, Family::Single, false).await
}

pub(super) async fn hand_task_multi(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    task(state, app, body, TaskKind::Hand, Family::Multi, false).await
}

/// `handOrgSignTask`: the agent `accountId` signs for the organisation `authorizationOrgId`,
/// which is the signer recorded in the flow.
pub(super) async fn hand_org_task_single(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    task(state, app, body, TaskKind::Hand, Family::Single, true).await
}

pub(super) async fn hand_org_task_multi(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    task(state, app, body, TaskKind::Hand, Family::Multi, true).await
}

async fn task(
    State(state): State<AppState>,
    TsignApp(app): TsignApp,
    body: Body,
    kind: TaskKind,
    family: Family,
    for_org: bool,
) -> Answer {
    let flow_id = body.string("flowId")?;
    let flow = state.signet.flow(&app.id, &flow_id).await.map_err(|e| EsignError::from_core(e, Context::Flow))?;
    let account_id = match kind {
        TaskKind::Platform => String::new(),
        TaskKind::Auto | TaskKind::Hand => body.account_id("accountId")?,
    };
    let account_id = if for_org {
        let org = body.account_id("authorizationOrgId")?;
        let agent = state.signet.account(&app.id, &account_id).await;
        if agent.is_err() {
            return Err(EsignError::from_refusal(signet_core::esign::EsignRefusal::SignerUnknown, Context::Flow));
        }
        org
    } else {
        account_id
    };
    let fields = match family {
        Family::Single => {
            let list = body.list("posList")?;
            if list.is_empty() && kind != TaskKind::Hand {
                return Err(EsignError::new(NO_SIGN_TYPE, "未指定盖章位置定位方式: posList is empty"));
            }
            positions::fields(&list, 0)?
        }
        Family::Multi => multi_fields(&body, &flow, kind)?,
    };
    let third_order_no = body.opt_string("thirdOrderNo")?;
    let notify_signed = body.opt_bool("noticeSignMessage")? == Some(true);
    let task = EsignTask {
        kind,
        account_id,
        seal_id: body.opt_string("sealId")?,
        fields,
        third_order_no: third_order_no.clone(),
        seal_offer: seal_offer(&body)?,
        document_password: body.opt_string("docPwd")?,
    };
    let (flow, account) = state
        .signet
        .esign_task(&app.id, &flow.id.to_string(), task)
        .await
        .map_err(|e| EsignError::from_refusal(e, Context::Flow))?;
    if kind == TaskKind::Auto && notify_signed {
        let first = flow.documents.first().map_or(0, |d| d.position);
        let url = view(&state, &app.id, &DownloadTarget::FlowDocument { flow: flow.id.clone(), index: first });
        state
            .signet
            .esign_notify_signed(&flow, &account, &url)
            .await
            .map_err(|e| EsignError::from_core(e, Context::Flow))?;
    }
    if kind != TaskKind::Hand {
        return Ok(Success::data(json!({"flowId": flow.id.as_str(), "accountId": account.id.as_str()})));
    }
    // The signer's own signing page (a capability link; re-issuing the task replaces it), which
    // sends the signer on to the flow's `redirectUrl` once signed.
    let options = state.signet.esign_hand_options(&flow).await.map_err(|e| EsignError::from_core(e, Context::Flow))?;
    let (_, issued) = state
        .signet
        .issue_signer_link(&app.id, flow.id.as_str(), account.id.as_str(), options.redirect_url, None)
        .await
        .map_err(|e| EsignError::from_core(e, Context::Flow))?;
    let urls = crate::pages::link_urls(&state, &issued);
    state
        .signet
        .esign_invite(&flow, &account, &urls.url, &options.notice_type)
        .await
        .map_err(|e| EsignError::from_core(e, Context::Flow))?;
    Ok(Success::data(json!({"signUrl": urls.url, "signShortUrl": urls.short_url, "thirdOrderNo": third_order_no})))
}

/// `signDocList`: each entry names a document of the flow and its positions. Naming none is
/// 1436006 for the platform and 1436003 for a user; a document outside the flow is 1436005.
fn multi_fields(body: &Body, flow: &FlowRecord, kind: TaskKind) -> Result<Vec<Field>, EsignError> {
    let list = body.list("signDocList")?;
    if list.is_empty() {
        return match kind {
            TaskKind::Platform => Err(EsignError::new(PLATFORM_WITHOUT_DOCUMENT, "平台签署未指定任何签署文档")),
            TaskKind::Auto => Err(EsignError::new(SIGNER_WITHOUT_DOCUMENT, "签署人至少应指定一个签署文档")),
            // By hand without a list: every document, placed by the signer.
            TaskKind::Hand => Ok(Vec::new()),
        };
    }
    let mut fields = Vec::new();
    for entry in &list {
        let doc = entry.string("docId")?;
        let index = flow.documents.iter().position(|d| d.file_id.as_str() == doc).ok_or_else(|| {
            EsignError::new(DOCUMENT_NOT_IN_FLOW, format!("签署者指定的签署文档不在文档列表中: {doc}"))
        })?;
        let positions = entry.list("posList")?;
        if positions.is_empty() && kind != TaskKind::Hand {
            return Err(EsignError::new(NO_SIGN_TYPE, format!("未指定盖章位置定位方式: posList of {doc} is empty")));
        }
        fields.extend(positions::fields(&positions, index)?);
    }
    Ok(fields)
}

pub(super) async fn detail_single(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    detail(state, app, body, Family::Single).await
}

pub(super) async fn detail_multi(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    detail(state, app, body, Family::Multi).await
}

async fn detail(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body, family: Family) -> Answer {
    let flow_id = body.string("flowId")?;
    let flow = state.signet.flow(&app.id, &flow_id).await.map_err(|e| EsignError::from_core(e, Context::FlowDetail))?;
    // receiveTime: when the signer's task was first given (a hand task added, or the automatic
    // signature), read from the flow's audit trail.
    let (audit, _) =
        state.signet.flow_audit(&app.id, &flow_id).await.map_err(|e| EsignError::from_core(e, Context::FlowDetail))?;
    let received = |account: &str| {
        audit
            .iter()
            .find(|r| {
                matches!(r.entry.action.as_str(), "flow.signer.added" | "flow.signer.signed")
                    && r.entry.detail["accountId"] == account
            })
            .map(|r| format_time(r.entry.at))
    };
    let signers: Vec<Value> = flow
        .signers
        .iter()
        .map(|signer| {
            let mut entry = json!({"accountId": signer.account_id.as_str(), "signStatus": signer_status(signer.status)});
            if let Some(at) = signer.signed_at {
                entry["signTime"] = json!(format_time(at));
            }
            if let Some(at) = received(signer.account_id.as_str()) {
                entry["receiveTime"] = json!(at);
            }
            if family == Family::Multi {
                let info: Vec<Value> = flow
                    .documents
                    .iter()
                    .filter(|d| signer.fields.is_empty() || signer.fields.iter().any(|f| f.document == d.position))
                    .map(|d| {
                        let mut doc = json!({"docId": d.file_id.as_str(), "docName": d.name, "signStatus": signer_status(signer.status)});
                        if let Some(at) = signer.signed_at {
                            doc["signTime"] = json!(format_time(at));
                        }
                        doc
                    })
                    .collect();
                entry["signInfo"] = json!(info);
            }
            entry
        })
        .collect();
    let mut data = json!({
        "flowId": flow.id.as_str(),
        "flowStatus": flow_status(&flow),
        "businessScene": flow.title,
        "startTime": format_time(flow.created_at),
        "signDetail": signers,
    });
    if family == Family::Single
        && let Some(doc) = flow.documents.first()
    {
        data["docId"] = json!(doc.file_id.as_str());
        data["docName"] = json!(doc.name);
    }
    Ok(Success::data(data))
}

pub(super) async fn undo_task(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let flow_id = body.string("flowId")?;
    let account = body.account_id("accountId")?;
    state
        .signet
        .esign_undo_task(&app.id, &flow_id, &account)
        .await
        .map_err(|e| EsignError::from_core(e, Context::Flow))?;
    Ok(Success::empty())
}

pub(super) async fn revoke(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let flow_id = body.string("flowId")?;
    state.signet.esign_revoke(&app.id, &flow_id).await.map_err(|e| EsignError::from_core(e, Context::Revoke))?;
    Ok(Success::empty())
}

/// Refused (1436015) while a signer has not finished, 1436002 when nobody signed.
pub(super) async fn archive(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let flow_id = body.string("flowId")?;
    state.signet.esign_archive(&app.id, &flow_id).await.map_err(|e| EsignError::from_refusal(e, Context::Flow))?;
    Ok(Success::empty())
}

/// Every document's current revision, as signed links valid 30 minutes.
pub(super) async fn download(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let flow_id = body.string("flowId")?;
    let flow = state.signet.flow(&app.id, &flow_id).await.map_err(|e| EsignError::from_core(e, Context::Download))?;
    let list: Vec<Value> = flow
        .documents
        .iter()
        .map(|d| {
            let target = DownloadTarget::FlowDocument { flow: flow.id.clone(), index: d.position };
            json!({"docId": d.file_id.as_str(), "docName": d.name, "docUrl": links::download_url(&state, &app.id, &target, Duration::minutes(30))})
        })
        .collect();
    Ok(Success::data(json!(list)))
}

/// `viewUrl`: a signed link to the flow's first document, valid 30 days.
pub(super) async fn view_url(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let flow_id = body.string("flowId")?;
    let account = body.account_id("accountId")?;
    state.signet.account(&app.id, &account).await.map_err(|e| EsignError::from_core(e, Context::Account))?;
    let flow = state.signet.flow(&app.id, &flow_id).await.map_err(|e| EsignError::from_core(e, Context::FlowDetail))?;
    let target = DownloadTarget::FlowDocument { flow: flow.id.clone(), index: 0 };
    Ok(Success::data(json!({"viewUrl": view(&state, &app.id, &target)})))
}

fn view(state: &AppState, app: &AppId, target: &DownloadTarget) -> String {
    links::download_url(state, app, target, Duration::days(30))
}

/// `sealType` of a hand task: "0" hand-drawn, "1" template seals, comma-separated; empty or
/// absent allows both.
fn seal_offer(body: &Body) -> Result<SealOffer, EsignError> {
    let Some(text) = body.opt_string("sealType")? else { return Ok(SealOffer::default()) };
    let codes: Vec<&str> = text.split([',', '，']).map(str::trim).filter(|c| !c.is_empty()).collect();
    if codes.is_empty() {
        return Ok(SealOffer::default());
    }
    let mut offer = SealOffer { saved: false, drawn: false };
    for code in codes {
        match code {
            "0" => offer.drawn = true,
            "1" => offer.saved = true,
            other => {
                return Err(EsignError::parameter(
                    "sealType",
                    format!("unknown seal type {other:?} (0 hand-drawn, 1 template)"),
                ));
            }
        }
    }
    Ok(offer)
}
