//! `/v1/accounts`: persons and organisations that sign.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use signet_core::Error;
use signet_core::accounts::{AccountChanges, AccountKind, AccountLookup, AccountRecord, NewAccount};
use signet_core::identity::IdType;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::present;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Path, Query};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_account, find_account))
        .routes(routes!(get_account, update_account, deactivate_account))
        .routes(routes!(get_account_certificate))
        .routes(routes!(get_account_audit))
}

/// A new account.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateAccount {
    /// `person` or `org`.
    #[serde(rename = "type")]
    kind: String,
    name: String,
    /// Persons: `resident_id`, `passport`, `hk_macao_permit`, `taiwan_permit`, `hong_kong_id`,
    /// `macau_id`, `taiwan_id`; organisations: `uscc`, `org_code`, `biz_reg_no`.
    id_type: String,
    id_number: String,
    mobile: Option<String>,
    email: Option<String>,
    /// The caller's own id for this account, unique among the app's active accounts.
    third_id: Option<String>,
    /// Organisations: the person account acting for it (经办人).
    agent_id: Option<String>,
    /// Accept a unified social credit code whose check character is wrong (early pilot codes);
    /// recorded in the account's audit trail.
    #[serde(default)]
    waive_uscc_check: bool,
}

/// An account as the API shows it: the ID number masked.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct AccountView {
    id: String,
    /// Numeric id, stable, for integrations that need numbers.
    number: i64,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    id_type: &'static str,
    id_number_masked: String,
    mobile: Option<String>,
    email: Option<String>,
    third_id: Option<String>,
    agent_id: Option<String>,
    status: &'static str,
    certificate_serial: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl From<AccountRecord> for AccountView {
    fn from(a: AccountRecord) -> Self {
        Self {
            id: a.id.to_string(),
            number: a.seq,
            kind: a.kind.as_str(),
            name: a.name,
            id_type: a.id_type.as_str(),
            id_number_masked: a.id_number_masked,
            mobile: a.mobile,
            email: a.email,
            third_id: a.third_id,
            agent_id: a.agent_id.map(|id| id.to_string()),
            status: if a.active { "active" } else { "deactivated" },
            certificate_serial: a.certificate_serial,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

fn parse_kind(raw: &str) -> Result<AccountKind, Error> {
    AccountKind::parse(raw).ok_or_else(|| Error::invalid("type", "expected person or org"))
}

fn parse_id_type(raw: &str) -> Result<IdType, Error> {
    IdType::parse(raw).ok_or_else(|| {
        let names: Vec<&str> = IdType::ALL.iter().map(|t| t.as_str()).collect();
        Error::invalid("idType", format!("expected one of {}", names.join(", ")))
    })
}

/// Creates an account and issues its certificate.
#[utoipa::path(
    post, path = "/v1/accounts", tag = "accounts", operation_id = "create_account",
    security(("bearer" = [])),
    request_body = CreateAccount,
    responses(
        (status = 201, body = AccountView),
        (status = 400, body = ErrorBody, description = "a field is invalid; the message names it"),
        (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "an active account has this ID number or thirdId"),
    )
)]
async fn create_account(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Json(body): Json<CreateAccount>,
) -> Result<(StatusCode, axum::Json<AccountView>), ApiError> {
    let new = NewAccount {
        kind: parse_kind(&body.kind)?,
        name: body.name,
        id_type: parse_id_type(&body.id_type)?,
        id_number: body.id_number,
        mobile: body.mobile,
        email: body.email,
        third_id: body.third_id,
        agent_id: body.agent_id,
        waive_uscc_check: body.waive_uscc_check,
    };
    let account = state.signet.create_account(&app.id, new).await?;
    Ok((StatusCode::CREATED, axum::Json(account.into())))
}

/// How to find an account: by `thirdId`, or by `idType` and `idNumber`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FindAccount {
    third_id: Option<String>,
    id_type: Option<String>,
    id_number: Option<String>,
}

/// Finds the active account with a third-party id or an ID number.
#[utoipa::path(
    get, path = "/v1/accounts", tag = "accounts", operation_id = "find_account",
    security(("bearer" = [])),
    params(
        ("thirdId" = Option<String>, Query, description = "the caller's own id of the account"),
        ("idType" = Option<String>, Query, description = "with idNumber"),
        ("idNumber" = Option<String>, Query, description = "with idType"),
    ),
    responses((status = 200, body = AccountView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn find_account(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Query(query): Query<FindAccount>,
) -> Result<axum::Json<AccountView>, ApiError> {
    let lookup = match (query.third_id, query.id_type, query.id_number) {
        (Some(third_id), None, None) => AccountLookup::ThirdId(third_id),
        (None, Some(id_type), Some(id_number)) => {
            AccountLookup::IdNumber { id_type: parse_id_type(&id_type)?, id_number }
        }
        _ => return Err(Error::invalid("query", "give either thirdId, or idType and idNumber").into()),
    };
    Ok(axum::Json(state.signet.find_account(&app.id, lookup).await?.into()))
}

/// Reads an account.
#[utoipa::path(
    get, path = "/v1/accounts/{id}", tag = "accounts", operation_id = "get_account",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AccountView), (status = 404, body = ErrorBody))
)]
async fn get_account(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<AccountView>, ApiError> {
    Ok(axum::Json(state.signet.account(&app.id, &id).await?.into()))
}

/// Changes to an account: absent fields stay, `null` clears.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateAccount {
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    mobile: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    agent_id: Option<Option<String>>,
}

/// Changes an account; a new name renews its certificate.
#[utoipa::path(
    patch, path = "/v1/accounts/{id}", tag = "accounts", operation_id = "update_account",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = UpdateAccount,
    responses((status = 200, body = AccountView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn update_account(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
    Json(body): Json<UpdateAccount>,
) -> Result<axum::Json<AccountView>, ApiError> {
    let changes = AccountChanges { name: body.name, mobile: body.mobile, email: body.email, agent_id: body.agent_id };
    Ok(axum::Json(state.signet.update_account(&app.id, &id, changes).await?.into()))
}

/// Deactivates an account: it can no longer sign.
#[utoipa::path(
    delete, path = "/v1/accounts/{id}", tag = "accounts", operation_id = "deactivate_account",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AccountView), (status = 404, body = ErrorBody))
)]
async fn deactivate_account(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<AccountView>, ApiError> {
    Ok(axum::Json(state.signet.deactivate_account(&app.id, &id).await?.into()))
}

/// The account's current signing certificate (PEM), renewed first if it expired or was revoked.
#[utoipa::path(
    get, path = "/v1/accounts/{id}/certificate", tag = "accounts", operation_id = "get_account_certificate",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "PEM certificate", content_type = "application/x-pem-file", body = String),
        (status = 404, body = ErrorBody)
    )
)]
async fn get_account_certificate(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let account = state.signet.account(&app.id, &id).await?;
    let certificate = state.signet.account_certificate(&account).await?;
    let pem = signet_core::pem_certificate(&certificate.certificate_der);
    Ok(([(axum::http::header::CONTENT_TYPE, "application/x-pem-file")], pem))
}

/// One entry of an audit trail.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuditEntryView {
    seq: i64,
    action: String,
    #[schema(value_type = Object)]
    detail: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    prev_hash: String,
    hash: String,
}

/// An audit trail and whether its hash chain is unbroken.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuditView {
    intact: bool,
    entries: Vec<AuditEntryView>,
}

impl AuditView {
    pub(crate) fn new(records: Vec<signet_core::audit::AuditRecord>, intact: bool) -> Self {
        let entries = records
            .into_iter()
            .map(|r| AuditEntryView {
                seq: r.seq,
                action: r.entry.action,
                detail: r.entry.detail,
                at: r.entry.at,
                prev_hash: r.prev_hash,
                hash: r.hash,
            })
            .collect();
        Self { intact, entries }
    }
}

/// The account's audit trail (creation, changes, certificate renewals).
#[utoipa::path(
    get, path = "/v1/accounts/{id}/audit", tag = "accounts", operation_id = "get_account_audit",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AuditView), (status = 404, body = ErrorBody))
)]
async fn get_account_audit(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<AuditView>, ApiError> {
    let (records, intact) = state.signet.account_audit(&app.id, &id).await?;
    Ok(axum::Json(AuditView::new(records, intact)))
}
