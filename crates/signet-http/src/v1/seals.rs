//! Seals of accounts and silent-sign authorizations.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use base64::Engine;
use serde::{Deserialize, Serialize};
use signet_core::authorizations::AuthorizationRecord;
use signet_core::seals::SealRecord;
use signet_core::{Error, SealSource};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Path};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_seal, list_seals))
        .routes(routes!(get_seal, delete_seal))
        .routes(routes!(get_seal_image))
        .routes(routes!(set_default_seal))
        .routes(routes!(create_authorization, list_authorizations))
        .routes(routes!(revoke_authorization))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SealView {
    id: String,
    account_id: String,
    /// `person_template`, `company_template`, `image` or `handwritten`.
    kind: &'static str,
    name: String,
    width_mm: f64,
    height_mm: f64,
    is_default: bool,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

impl From<SealRecord> for SealView {
    fn from(s: SealRecord) -> Self {
        Self {
            id: s.id.to_string(),
            account_id: s.account_id.to_string(),
            kind: s.kind.as_str(),
            name: s.name,
            width_mm: s.width_mm,
            height_mm: s.height_mm,
            is_default: s.is_default,
            created_at: s.created_at,
        }
    }
}

/// One of `template`, `imageBase64` or `strokes`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateSeal {
    name: Option<String>,
    /// Make it the account's default seal (the first seal always is).
    #[serde(default)]
    default: bool,
    /// A template seal: `{"kind": "person", "name": "张三", "font": "kai", "form": "square", "color": "red", ...}`
    /// or `{"kind": "company", "name": "某某有限公司", "shape": "round", "star": true, "horizontalText": ...}`.
    #[schema(value_type = Option<Object>)]
    template: Option<serde_json::Value>,
    /// An uploaded PNG or JPEG (≤ 400 KB), base64.
    image_base64: Option<String>,
    /// Turn a white background transparent (scanned stamps).
    #[serde(default)]
    remove_white: bool,
    /// Physical width of an uploaded image in mm (default: its pixel width at 96 dpi).
    width_mm: Option<f64>,
    /// A hand-drawn signature: `{"strokes": [{"points": [{"x": 1, "y": 2, "pressure": 0.5, "tMs": 0}]}]}`.
    #[schema(value_type = Option<Object>)]
    strokes: Option<serde_json::Value>,
}

fn source_of(body: CreateSeal) -> Result<SealSource, Error> {
    match (body.template, body.image_base64, body.strokes) {
        (Some(mut template), None, None) => {
            let kind = template.as_object_mut().and_then(|o| o.remove("kind"));
            let invalid = |e: serde_json::Error| Error::invalid("template", e.to_string());
            match kind.as_ref().and_then(serde_json::Value::as_str) {
                Some("person") => Ok(SealSource::Person(serde_json::from_value(template).map_err(invalid)?)),
                Some("company") => Ok(SealSource::Company(serde_json::from_value(template).map_err(invalid)?)),
                _ => Err(Error::invalid("template.kind", "expected person or company")),
            }
        }
        (None, Some(image), None) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(image.trim())
                .map_err(|_| Error::invalid("imageBase64", "not base64"))?;
            let options = signet_seal::UploadOptions { remove_white: body.remove_white, ..Default::default() };
            Ok(SealSource::Image { bytes: bytes.into(), options, width_mm: body.width_mm })
        }
        (None, None, Some(strokes)) => Ok(SealSource::Handwritten(
            serde_json::from_value(strokes).map_err(|e| Error::invalid("strokes", e.to_string()))?,
        )),
        _ => Err(Error::invalid("body", "give exactly one of template, imageBase64 or strokes")),
    }
}

/// Creates a seal for an account: from a template, an uploaded image, or hand-drawn strokes.
#[utoipa::path(
    post, path = "/v1/accounts/{id}/seals", tag = "seals", operation_id = "create_seal",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "account id")),
    request_body = CreateSeal,
    responses((status = 201, body = SealView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn create_seal(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(account): Path<String>,
    Json(body): Json<CreateSeal>,
) -> Result<(StatusCode, axum::Json<SealView>), ApiError> {
    let (name, default) = (body.name.clone(), body.default);
    let source = source_of(body)?;
    let seal = state.signet.create_seal(&app.id, &account, name.as_deref(), source, default).await?;
    Ok((StatusCode::CREATED, axum::Json(seal.into())))
}

/// Lists an account's seals, default first.
#[utoipa::path(
    get, path = "/v1/accounts/{id}/seals", tag = "seals", operation_id = "list_seals",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Vec<SealView>), (status = 404, body = ErrorBody))
)]
async fn list_seals(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(account): Path<String>,
) -> Result<axum::Json<Vec<SealView>>, ApiError> {
    let seals = state.signet.seals_of(&app.id, &account).await?;
    Ok(axum::Json(seals.into_iter().map(SealView::from).collect()))
}

/// Reads a seal.
#[utoipa::path(
    get, path = "/v1/seals/{id}", tag = "seals", operation_id = "get_seal",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = SealView), (status = 404, body = ErrorBody))
)]
async fn get_seal(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<SealView>, ApiError> {
    Ok(axum::Json(state.signet.seal(&app.id, &id).await?.into()))
}

/// Deletes (deactivates) a seal.
#[utoipa::path(
    delete, path = "/v1/seals/{id}", tag = "seals", operation_id = "delete_seal",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody))
)]
async fn delete_seal(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.signet.delete_seal(&app.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The seal's PNG (transparent background, physical size in pHYs).
#[utoipa::path(
    get, path = "/v1/seals/{id}/image", tag = "seals", operation_id = "get_seal_image",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 404, body = ErrorBody))
)]
async fn get_seal_image(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let png = state.signet.seal_image(&app.id, &id).await?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png))
}

/// Makes a seal its account's default.
#[utoipa::path(
    post, path = "/v1/seals/{id}/default", tag = "seals", operation_id = "set_default_seal",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = SealView), (status = 404, body = ErrorBody))
)]
async fn set_default_seal(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<SealView>, ApiError> {
    Ok(axum::Json(state.signet.set_default_seal(&app.id, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateAuthorization {
    /// Only `auto_sign`.
    scope: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// Seals it covers; absent or empty: all of the account's seals.
    #[serde(default)]
    seal_ids: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct AuthorizationView {
    id: String,
    account_id: String,
    scope: &'static str,
    seal_ids: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    revoked_at: Option<OffsetDateTime>,
}

impl From<AuthorizationRecord> for AuthorizationView {
    fn from(a: AuthorizationRecord) -> Self {
        Self {
            id: a.id.to_string(),
            account_id: a.account_id.to_string(),
            scope: "auto_sign",
            seal_ids: a.seal_ids.iter().map(ToString::to_string).collect(),
            expires_at: a.expires_at,
            revoked_at: a.revoked_at,
        }
    }
}

/// Lets the app sign for the account without asking (silent signing) until `expiresAt`.
#[utoipa::path(
    post, path = "/v1/accounts/{id}/authorizations", tag = "seals", operation_id = "create_authorization",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "account id")),
    request_body = CreateAuthorization,
    responses((status = 201, body = AuthorizationView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn create_authorization(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(account): Path<String>,
    Json(body): Json<CreateAuthorization>,
) -> Result<(StatusCode, axum::Json<AuthorizationView>), ApiError> {
    if body.scope != "auto_sign" {
        return Err(Error::invalid("scope", "expected auto_sign").into());
    }
    let record = state.signet.grant_authorization(&app.id, &account, &body.seal_ids, body.expires_at).await?;
    Ok((StatusCode::CREATED, axum::Json(record.into())))
}

/// Lists an account's authorizations.
#[utoipa::path(
    get, path = "/v1/accounts/{id}/authorizations", tag = "seals", operation_id = "list_authorizations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "account id")),
    responses((status = 200, body = Vec<AuthorizationView>), (status = 404, body = ErrorBody))
)]
async fn list_authorizations(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(account): Path<String>,
) -> Result<axum::Json<Vec<AuthorizationView>>, ApiError> {
    let records = state.signet.authorizations_of(&app.id, &account).await?;
    Ok(axum::Json(records.into_iter().map(AuthorizationView::from).collect()))
}

/// Revokes an authorization.
#[utoipa::path(
    delete, path = "/v1/accounts/{id}/authorizations/{authorization}", tag = "seals",
    operation_id = "revoke_authorization",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "account id"), ("authorization" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody))
)]
async fn revoke_authorization(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path((account, authorization)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.signet.revoke_authorization(&app.id, &account, &authorization).await?;
    Ok(StatusCode::NO_CONTENT)
}
