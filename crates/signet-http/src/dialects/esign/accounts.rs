//! `/account/...`: persons, organisations with their creator, silent-sign authorizations.

use axum::extract::State;
use serde_json::json;
use signet_core::accounts::{AccountChanges, AccountKind, AccountLookup, NewAccount};
use signet_core::identity::IdType;
use time::OffsetDateTime;
use time::macros::datetime;

use super::body::Body;
use super::error::{Context, EsignError};
use super::{Answer, Success, TsignApp};
use crate::AppState;

/// `thirdId`: at most 50 bytes, as documented.
const MAX_THIRD_ID_BYTES: usize = 50;
/// An authorization without `deadline` is "permanent": until the end of 2099.
const PERMANENT: OffsetDateTime = datetime!(2099-12-31 23:59:59 UTC);

pub(super) async fn create_person(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let id_type = person_id_type(body.i64("idType")?)?;
    let new = NewAccount {
        kind: AccountKind::Person,
        name: body.string("name")?,
        id_type,
        id_number: body.string("idNo")?,
        mobile: body.opt_string("mobile")?,
        email: body.opt_string("email")?,
        third_id: third_id(&body)?,
        agent_id: None,
        waive_uscc_check: false,
    };
    let account = state
        .signet
        .create_account(&app.id, new)
        .await
        .map_err(|e| EsignError::from_core(e, Context::AccountCreate))?;
    Ok(Success::data(json!({"accountId": account.id.as_str()})))
}

/// The creator is `creatorId` in the table and `agentAccountId` in the example: both are read.
pub(super) async fn create_org(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let creator = body.string_any(&["creatorId", "agentAccountId"])?;
    super::body::check_account_id(&creator, "creatorId")?;
    state.signet.account(&app.id, &creator).await.map_err(|e| EsignError::from_core(e, Context::Account))?;
    let organ_type = body.i64("organType")?;
    let code = body.string("organCode")?;
    if let Some(legal_id) = body.opt_string("legalIdNo")? {
        let legal_type = body
            .opt_i64("legalIdType")?
            .ok_or_else(|| EsignError::parameter("legalIdType", "is required with legalIdNo"))?;
        person_id_type(legal_type).map_err(|_| EsignError::parameter("legalIdType", "unsupported type"))?;
        if legal_id.chars().count() > 50 {
            return Err(EsignError::parameter("legalIdNo", "too long"));
        }
    }
    let new = NewAccount {
        kind: AccountKind::Org,
        name: body.string("name")?,
        id_type: org_id_type(organ_type, &code)?,
        id_number: code,
        mobile: None,
        email: body.opt_string("email")?,
        third_id: third_id(&body)?,
        agent_id: Some(creator),
        waive_uscc_check: false,
    };
    let account = state
        .signet
        .create_account(&app.id, new)
        .await
        .map_err(|e| EsignError::from_core(e, Context::AccountCreate))?;
    Ok(Success::data(json!({"accountId": account.id.as_str()})))
}

pub(super) async fn update_person(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    update(state, app, body, AccountKind::Person).await
}

/// `legalName` is accepted and not stored: Signet keeps no legal representative.
pub(super) async fn update_org(state: State<AppState>, app: TsignApp, body: Body) -> Answer {
    update(state, app, body, AccountKind::Org).await
}

async fn update(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body, kind: AccountKind) -> Answer {
    let id = body.account_id("accountId")?;
    let account = state.signet.account(&app.id, &id).await.map_err(|e| EsignError::from_core(e, Context::Account))?;
    if account.kind != kind {
        return Err(EsignError::parameter("accountId", format!("is not a {} account", account.kind.as_str())));
    }
    let mobile = if kind == AccountKind::Person { body.opt_string("mobile")?.map(Some) } else { None };
    let changes = AccountChanges {
        name: body.opt_string("name")?,
        mobile,
        email: body.opt_string("email")?.map(Some),
        agent_id: None,
    };
    state.signet.update_account(&app.id, &id, changes).await.map_err(|e| EsignError::from_core(e, Context::Account))?;
    Ok(Success::empty())
}

/// `deadline` in epoch milliseconds; absent means permanent. All of the account's seals.
pub(super) async fn silent_sign(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let id = body.account_id("grantAccountId")?;
    let expires = match body.opt_i64("deadline")? {
        Some(ms) => OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .map_err(|_| EsignError::parameter("deadline", "not a time"))?,
        None => PERMANENT,
    };
    state
        .signet
        .grant_authorization(&app.id, &id, &[], expires)
        .await
        .map_err(|e| EsignError::from_core(e, Context::Authorization))?;
    Ok(Success::empty())
}

/// Revokes every active authorization of the account.
pub(super) async fn revoke_silent_sign(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let id = body.account_id("grantAccountId")?;
    let fail = |e| EsignError::from_core(e, Context::Authorization);
    let all = state.signet.authorizations_of(&app.id, &id).await.map_err(fail)?;
    for authorization in all.iter().filter(|a| a.revoked_at.is_none()) {
        state.signet.revoke_authorization(&app.id, &id, authorization.id.as_str()).await.map_err(fail)?;
    }
    Ok(Success::empty())
}

pub(super) async fn id_exchange(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let third_id = body.string("thirdId")?;
    let account = state
        .signet
        .find_account(&app.id, AccountLookup::ThirdId(third_id))
        .await
        .map_err(|e| EsignError::from_core(e, Context::Account))?;
    Ok(Success::data(json!({"accountId": account.id.as_str()})))
}

/// Deactivates: the account starts no new signing, its ID number and thirdId become free.
pub(super) async fn delete(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let id = body.account_id("accountId")?;
    state.signet.account(&app.id, &id).await.map_err(|e| EsignError::from_core(e, Context::Account))?;
    state
        .signet
        .deactivate_account(&app.id, &id)
        .await
        .map_err(|e| EsignError::from_core(e, Context::AccountDelete))?;
    Ok(Success::empty())
}

fn third_id(body: &Body) -> Result<Option<String>, EsignError> {
    let third = body.opt_string("thirdId")?;
    if third.as_ref().is_some_and(|t| t.len() > MAX_THIRD_ID_BYTES) {
        return Err(EsignError::parameter("thirdId", format!("at most {MAX_THIRD_ID_BYTES} bytes")));
    }
    Ok(third)
}

/// 个人账号证件类型. Documents that carry the resident ID number (户口簿, 临时身份证, 社保卡,
/// the 2023 permanent-residence card) are checked as resident IDs; military and police IDs and
/// "other" have no checkable format and are refused.
fn person_id_type(code: i64) -> Result<IdType, EsignError> {
    match code {
        13 => Ok(IdType::Passport),
        15 | 19 | 20 | 21 | 22 => Ok(IdType::ResidentId),
        17 => Ok(IdType::HkMacaoPermit),
        18 => Ok(IdType::TaiwanPermit),
        14 | 16 | 23 | 27 => Err(EsignError::parameter("idType", format!("{code} is not supported by this service"))),
        _ => Err(EsignError::parameter("idType", format!("{code} is not a person's document type (13-27)"))),
    }
}

/// 企业账号证照类型. The document's example sends a 9-character organisation code with type 12
/// (business registration number), so a type 12 or 11 number shaped like an organisation code is
/// checked as one.
fn org_id_type(code: i64, number: &str) -> Result<IdType, EsignError> {
    let compact = number.chars().filter(|c| *c != '-').count();
    match code {
        10 => Ok(IdType::OrgCode),
        11 | 12 if compact == 9 => Ok(IdType::OrgCode),
        11 => Ok(IdType::Uscc),
        12 => Ok(IdType::BizRegNo),
        25..=32 => Err(EsignError::parameter("organType", format!("{code} is not supported by this service"))),
        _ => Err(EsignError::parameter("organType", format!("{code} is not an organisation document type (10-32)"))),
    }
}
