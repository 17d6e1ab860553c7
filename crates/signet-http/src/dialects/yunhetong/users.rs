//! `/user/*`: persons and companies (native accounts; `signerId` is the account's numeric id).

use axum::extract::State;
use serde_json::{Value, json};
use signet_core::accounts::{AccountKind, NewAccount};
use signet_core::contact::normalise_mobile;
use signet_core::identity::IdType;

use super::auth::{Caller, Platform};
use super::envelope::{Answer, Ok200};
use super::error::YhtError;
use super::params::{JsonParams, Params};
use crate::AppState;

const PERSON_NAME_CHARS: usize = 15;
const COMPANY_NAME_CHARS: usize = 60;
const DEFAULT_PAGE_SIZE: usize = 100;

/// `POST /user/person` (platform token).
pub async fn create_person(
    State(state): State<AppState>,
    Platform(caller): Platform,
    JsonParams(p): JsonParams,
) -> Answer {
    let name = user_name(&p, PERSON_NAME_CHARS)?;
    let region = p.str("identityRegion")?;
    let certify_type = p.opt_str("certifyType")?.unwrap_or_else(|| "a".into());
    let id_type = match (certify_type.as_str(), region.as_str()) {
        ("b", "0" | "1" | "2" | "3" | "4") => IdType::Passport,
        ("a", "0") => IdType::ResidentId,
        ("a", "1") => IdType::HongKongId,
        ("a", "2") => IdType::TaiwanId,
        ("a", "3") => IdType::MacauId,
        ("a", "4") => IdType::Passport,
        ("a" | "b", _) => return Err(YhtError::Param("identityRegion 格式不正确 (0-4)".into())),
        _ => return Err(YhtError::Param("certifyType 格式不正确 (a 或 b)".into())),
    };
    create_user(&state, &caller, AccountKind::Person, name, id_type, &p).await
}

/// `POST /user/company` (platform token).
pub async fn create_company(
    State(state): State<AppState>,
    Platform(caller): Platform,
    JsonParams(p): JsonParams,
) -> Answer {
    let name = user_name(&p, COMPANY_NAME_CHARS)?;
    let id_type = match p.str("certifyType")?.as_str() {
        "1" => IdType::Uscc,
        "2" => IdType::BizRegNo,
        "3" => IdType::OrgCode,
        _ => return Err(YhtError::Param("certifyType 格式不正确 (1, 2 或 3)".into())),
    };
    create_user(&state, &caller, AccountKind::Org, name, id_type, &p).await
}

/// Creates a person or company from its checked name and ID type and the shared `certifyNum`
/// and phone parameters.
async fn create_user(
    state: &AppState,
    caller: &signet_core::yunhetong::Caller,
    kind: AccountKind,
    name: String,
    id_type: IdType,
    p: &Params,
) -> Answer {
    let new = NewAccount {
        kind,
        name,
        id_type,
        id_number: p.str("certifyNum")?,
        mobile: mobile(p)?,
        email: None,
        third_id: None,
        agent_id: None,
        waive_uscc_check: false,
    };
    let signer = state.signet.yunhetong_create_user(caller, new).await?;
    Ok(Ok200::data(json!({"signerId": signer})))
}

/// `PATCH /user/personNameAndPhone` (platform token or the person's own).
pub async fn update_person(state: State<AppState>, caller: Caller, body: JsonParams) -> Answer {
    update(state, caller, body, AccountKind::Person, PERSON_NAME_CHARS).await
}

/// `PATCH /user/companyNameAndPhone` (platform token or the company's own).
pub async fn update_company(state: State<AppState>, caller: Caller, body: JsonParams) -> Answer {
    update(state, caller, body, AccountKind::Org, COMPANY_NAME_CHARS).await
}

async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonParams(p): JsonParams,
    kind: AccountKind,
    max_name: usize,
) -> Answer {
    let signer = p.i64("signerId")?;
    let name = match p.opt_str("userName")? {
        Some(_) => Some(user_name(&p, max_name)?),
        None => None,
    };
    let mobile = mobile(&p)?;
    state.signet.yunhetong_update_user(&caller, kind, signer, name, mobile).await?;
    Ok(Ok200::empty())
}

/// `POST /user/signerId/certifyNums` (platform token): `[{certifyNum: signerId}, ...]`.
pub async fn signer_ids(
    State(state): State<AppState>,
    Platform(caller): Platform,
    JsonParams(p): JsonParams,
) -> Answer {
    let numbers = p.list("certifyNumList")?.filter(|l| !l.is_empty());
    let numbers = numbers.ok_or_else(|| YhtError::Param("certifyNumList 为空".into()))?;
    let found = state.signet.yunhetong_signer_ids(&caller, &numbers).await?;
    if found.is_empty() {
        return Err(signet_core::yunhetong::DigestError::SignerNotFound(numbers.join(",")).into());
    }
    let data: Vec<Value> = found.into_iter().map(|(number, signer)| json!({ number: signer })).collect();
    Ok(Ok200::data(Value::Array(data)))
}

/// `POST /user/userInfo/signerIds` (platform token): the named users, or all the app's users when
/// `signerIdList` is absent or empty (the document marks it optional), paged.
pub async fn user_info(State(state): State<AppState>, Platform(caller): Platform, JsonParams(p): JsonParams) -> Answer {
    let page = positive(&p, "pageNum")?.unwrap_or(1);
    let size = positive(&p, "pageSize")?.unwrap_or(DEFAULT_PAGE_SIZE).min(1000);
    let (users, total, skip) = match p.list("signerIdList")?.filter(|l| !l.is_empty()) {
        Some(ids) => {
            let ids = ids
                .iter()
                .map(|id| id.parse::<i64>().map_err(|_| YhtError::Param(format!("signerIdList 格式不正确: {id}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let users = state.signet.yunhetong_users(&caller, &ids).await?;
            if users.is_empty() {
                return Err(signet_core::yunhetong::DigestError::SignerNotFound(
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
                )
                .into());
            }
            let total = users.len();
            (users, total, (page - 1).saturating_mul(size))
        }
        None => {
            let (users, total) = state.signet.yunhetong_all_users(&caller, page, size).await?;
            (users, total, 0)
        }
    };
    let list: Vec<Value> = users
        .into_iter()
        .skip(skip)
        .take(size)
        .map(|u| {
            json!({
                "signerId": u.signer_id,
                "userName": u.name,
                "certifyNum": u.id_number,
                "phoneNo": u.mobile,
                "userType": match u.kind { AccountKind::Person => "个人", AccountKind::Org => "企业" },
            })
        })
        .collect();
    Ok(Ok200::data(json!({
        "page": page,
        "totalPages": total.div_ceil(size),
        "pageSize": list.len(),
        "total": total,
        "userList": list,
    })))
}

fn positive(p: &Params, name: &'static str) -> Result<Option<usize>, YhtError> {
    match p.opt_i64(name)? {
        None => Ok(None),
        Some(n) if n >= 1 => Ok(usize::try_from(n).ok()),
        Some(_) => Err(YhtError::Param(format!("{name} 必须大于 0"))),
    }
}

fn user_name(p: &Params, max: usize) -> Result<String, YhtError> {
    let name = p.str("userName")?;
    if name.chars().count() > max {
        return Err(YhtError::Param(format!("userName 最长 {max} 字符")));
    }
    Ok(name)
}

/// `phoneRegion` (0 mainland, 1 Hong Kong/Macau, 2 Taiwan; default 0) with `phoneNo`.
fn mobile(p: &Params) -> Result<Option<String>, YhtError> {
    let Some(number) = p.opt_str("phoneNo")? else {
        return match p.opt_str("phoneRegion")? {
            Some(_) => Err(YhtError::Param("phoneNo 为空 (phoneRegion 与 phoneNo 关联)".into())),
            None => Ok(None),
        };
    };
    let region = p.opt_str("phoneRegion")?.unwrap_or_else(|| "0".into());
    let digits = |len: usize| number.len() == len && number.bytes().all(|b| b.is_ascii_digit());
    let normalised = match region.as_str() {
        "0" if digits(11) && number.starts_with('1') => normalise_mobile(&number),
        // Hong Kong and Macau share the region code; a number valid in Hong Kong is taken as one.
        "1" if digits(8) => {
            normalise_mobile(&format!("+852{number}")).or_else(|| normalise_mobile(&format!("+853{number}")))
        }
        "2" if digits(10) => normalise_mobile(&number),
        "0" | "1" | "2" => None,
        _ => return Err(YhtError::Param("phoneRegion 格式不正确 (0, 1 或 2)".into())),
    };
    normalised.map(Some).ok_or_else(|| YhtError::Param("phoneNo 格式不正确".into()))
}
