//! `/v1/flows`: sign flows from creation to download.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use signet_core::flows::{Field, FlowRecord, Position, SignerAuth};
use signet_core::{CertificateChoice, Error, NewFlow, NewSigner, SignMode};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::accounts::AuditView;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Path};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_flow))
        .routes(routes!(get_flow))
        .routes(routes!(start_flow))
        .routes(routes!(sign_flow))
        .routes(routes!(send_flow_code))
        .routes(routes!(reject_flow))
        .routes(routes!(revoke_flow))
        .routes(routes!(archive_flow))
        .routes(routes!(get_flow_document))
        .routes(routes!(get_flow_audit))
}

/// A position for a signer's seal. Give exactly one of `keyword`, `page`+`x`+`y`, `rect` or `crossPage`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FieldInput {
    /// Index of the document in `documents` (default 0).
    #[serde(default)]
    document: usize,
    /// Centre the seal on every occurrence of this text.
    keyword: Option<String>,
    /// Shift from the keyword's centre, in points: `[dx, dy]`.
    offset: Option<[f64; 2]>,
    /// Page number(s): `1`, or a range like `"1-3,5"`.
    #[schema(value_type = Option<String>)]
    page: Option<serde_json::Value>,
    /// Centre x in points of the visible page, origin bottom-left.
    x: Option<f64>,
    /// Centre y in points of the visible page, origin bottom-left.
    y: Option<f64>,
    /// `[page, x1, y1, x2, y2]`, fractions of the visible page, origin top-left.
    rect: Option<[f64; 5]>,
    /// 骑缝章 across the right edges of all pages.
    #[serde(default)]
    cross_page: bool,
    /// Height of the cross-page seal as a fraction of the page (default 0.5).
    cross_y: Option<f64>,
    /// Seal width in points (default: the seal's physical size).
    width: Option<f64>,
    #[serde(default)]
    show_time: bool,
    #[serde(default)]
    show_digest: bool,
}

impl FieldInput {
    fn into_field(self) -> Result<Field, Error> {
        let position = match (self.keyword, self.page, self.rect, self.cross_page) {
            (Some(text), None, None, false) => {
                let [dx, dy] = self.offset.unwrap_or([0.0, 0.0]);
                Position::Keyword { text, dx, dy }
            }
            (None, Some(page), None, false) => {
                let (Some(x), Some(y)) = (self.x, self.y) else {
                    return Err(Error::invalid("fields.x", "page positions need x and y"));
                };
                Position::At { pages: parse_pages(&page)?, x, y }
            }
            (None, None, Some([page, x1, y1, x2, y2]), false) => {
                if page < 1.0 || page.fract() != 0.0 {
                    return Err(Error::invalid("fields.rect", "the first element is a page number"));
                }
                Position::Rect { page: page as usize, x1, y1, x2, y2 }
            }
            (None, None, None, true) => Position::CrossPage { y: self.cross_y.unwrap_or(0.5) },
            _ => return Err(Error::invalid("fields", "give exactly one of keyword, page+x+y, rect or crossPage")),
        };
        Ok(Field {
            document: self.document,
            position,
            width: self.width,
            show_time: self.show_time,
            show_digest: self.show_digest,
        })
    }
}

/// `3`, `"3"` or `"1-3,5"` → page numbers.
fn parse_pages(value: &serde_json::Value) -> Result<Vec<usize>, Error> {
    let invalid = || Error::invalid("fields.page", "expected a page number or a range like \"1-3,5\"");
    if let Some(n) = value.as_u64() {
        return Ok(vec![usize::try_from(n).map_err(|_| invalid())?]);
    }
    let text = value.as_str().ok_or_else(invalid)?;
    let mut pages = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) =
                    (a.trim().parse().map_err(|_| invalid())?, b.trim().parse().map_err(|_| invalid())?);
                if a == 0 || b < a || b - a > 10_000 {
                    return Err(invalid());
                }
                pages.extend(a..=b);
            }
            None => pages.push(part.parse().map_err(|_| invalid())?),
        }
    }
    Ok(pages)
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignerInput {
    account_id: String,
    seal_id: Option<String>,
    /// Signers with the same order sign in parallel; higher orders wait.
    #[serde(default)]
    order: i64,
    #[serde(default)]
    fields: Vec<FieldInput>,
    /// `none` (default), `sms` or `email`: willingness check before signing.
    auth: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DocumentInput {
    file_id: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateFlow {
    title: String,
    documents: Vec<DocumentInput>,
    signers: Vec<SignerInput>,
    /// Where this flow's events go (default: the app's callback URL).
    callback_url: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct SignerView {
    account_id: String,
    order: i64,
    seal_id: Option<String>,
    auth: &'static str,
    /// `waiting`, `signed` or `rejected`.
    status: &'static str,
    #[serde(with = "time::serde::rfc3339::option")]
    signed_at: Option<OffsetDateTime>,
    reject_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct DocumentView {
    index: usize,
    file_id: String,
    name: String,
    /// Signatures applied so far.
    revision: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct FlowView {
    id: String,
    title: String,
    /// `draft`, `signing`, `completed`, `revoked`, `expired` or `rejected`.
    status: &'static str,
    archived: bool,
    callback_url: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
    documents: Vec<DocumentView>,
    signers: Vec<SignerView>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl From<FlowRecord> for FlowView {
    fn from(f: FlowRecord) -> Self {
        Self {
            id: f.id.to_string(),
            title: f.title,
            status: f.status.as_str(),
            archived: f.archived,
            callback_url: f.callback_url,
            expires_at: f.expires_at,
            documents: f
                .documents
                .into_iter()
                .map(|d| DocumentView {
                    index: d.position,
                    file_id: d.file_id.to_string(),
                    name: d.name,
                    revision: d.revision,
                })
                .collect(),
            signers: f
                .signers
                .into_iter()
                .map(|s| SignerView {
                    account_id: s.account_id.to_string(),
                    order: s.order,
                    seal_id: s.seal_id.map(|id| id.to_string()),
                    auth: s.auth.as_str(),
                    status: s.status.as_str(),
                    signed_at: s.signed_at,
                    reject_reason: s.reject_reason,
                })
                .collect(),
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

/// Creates a flow in `draft`.
#[utoipa::path(
    post, path = "/v1/flows", tag = "flows", operation_id = "create_flow",
    security(("bearer" = [])),
    request_body = CreateFlow,
    responses((status = 201, body = FlowView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
async fn create_flow(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Json(body): Json<CreateFlow>,
) -> Result<(StatusCode, axum::Json<FlowView>), ApiError> {
    let mut signers = Vec::new();
    for signer in body.signers {
        let auth = match signer.auth.as_deref() {
            None => SignerAuth::None,
            Some(raw) => {
                SignerAuth::parse(raw).ok_or_else(|| Error::invalid("signers.auth", "expected none, sms or email"))?
            }
        };
        let fields = signer.fields.into_iter().map(FieldInput::into_field).collect::<Result<_, _>>()?;
        signers.push(NewSigner {
            account_id: signer.account_id,
            seal_id: signer.seal_id,
            order: signer.order,
            fields,
            auth,
        });
    }
    let new = NewFlow {
        title: body.title,
        file_ids: body.documents.into_iter().map(|d| d.file_id).collect(),
        signers,
        callback_url: body.callback_url,
        expires_at: body.expires_at,
    };
    let flow = state.signet.create_flow(&app.id, new).await?;
    Ok((StatusCode::CREATED, axum::Json(flow.into())))
}

/// Reads a flow with its documents and signers.
#[utoipa::path(
    get, path = "/v1/flows/{id}", tag = "flows", operation_id = "get_flow",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FlowView), (status = 404, body = ErrorBody))
)]
async fn get_flow(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<FlowView>, ApiError> {
    Ok(axum::Json(state.signet.flow(&app.id, &id).await?.into()))
}

/// Starts a draft flow: signers may sign, in order.
#[utoipa::path(
    post, path = "/v1/flows/{id}/start", tag = "flows", operation_id = "start_flow",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FlowView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
async fn start_flow(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<FlowView>, ApiError> {
    Ok(axum::Json(state.signet.start_flow(&app.id, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignInput {
    /// `auto`: silent signing under the signer's authorization; `platform`: the platform signs
    /// on the signer's request (a signer with sms/email auth gives the code it received).
    mode: String,
    /// The willingness code sent by `POST .../codes` (platform mode, signers with sms/email auth).
    code: Option<String>,
    /// `scene`: a per-scene certificate issued for this signing only; `long_term`: the account's
    /// certificate. Default: the deployment's `scene_certificates` setting.
    certificate: Option<String>,
}

/// Signs every document of the flow as one signer (409 when it is not the signer's turn).
#[utoipa::path(
    post, path = "/v1/flows/{id}/signers/{account}/sign", tag = "flows", operation_id = "sign_flow",
    security(("bearer" = [])),
    params(("id" = String, Path), ("account" = String, Path)),
    request_body = SignInput,
    responses(
        (status = 200, body = FlowView),
        (status = 403, body = ErrorBody, description = "no authorization, or willingness not proven"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "out of turn, or the flow is not signing"),
    )
)]
async fn sign_flow(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path((id, account)): Path<(String, String)>,
    Json(body): Json<SignInput>,
) -> Result<axum::Json<FlowView>, ApiError> {
    let mode = match body.mode.as_str() {
        "auto" => SignMode::Auto,
        "platform" => SignMode::Platform { code: body.code },
        _ => return Err(Error::invalid("mode", "expected auto or platform").into()),
    };
    let certificate = match body.certificate.as_deref() {
        None => CertificateChoice::Deployment,
        Some("scene") => CertificateChoice::Scene,
        Some("long_term") => CertificateChoice::LongTerm,
        Some(_) => return Err(Error::invalid("certificate", "expected scene or long_term").into()),
    };
    Ok(axum::Json(state.signet.sign_flow_as(&app.id, &id, &account, mode, certificate).await?.into()))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CodeSentView {
    /// `sms` or `email`.
    channel: &'static str,
    /// Where it went, masked (`138****8000`).
    recipient: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// When another code may be requested.
    #[serde(with = "time::serde::rfc3339")]
    resend_after: OffsetDateTime,
}

/// Sends the signer a 6-digit willingness code (15 minutes, single use, 3 attempts; one per minute).
#[utoipa::path(
    post, path = "/v1/flows/{id}/signers/{account}/codes", tag = "flows", operation_id = "send_flow_code",
    security(("bearer" = [])),
    params(("id" = String, Path), ("account" = String, Path)),
    responses(
        (status = 200, body = CodeSentView),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "not the signer's turn"),
        (status = 429, body = ErrorBody, description = "a code was sent less than a minute ago"),
    )
)]
async fn send_flow_code(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path((id, account)): Path<(String, String)>,
) -> Result<axum::Json<CodeSentView>, ApiError> {
    let sent = state.signet.send_flow_code(&app.id, &id, &account).await?;
    Ok(axum::Json(CodeSentView {
        channel: match sent.channel {
            signet_core::notify::Channel::Sms => "sms",
            signet_core::notify::Channel::Email => "email",
        },
        recipient: sent.recipient_masked,
        expires_at: sent.expires_at,
        resend_after: sent.resend_after,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RejectInput {
    reason: String,
}

/// A signer declines; the flow ends as rejected.
#[utoipa::path(
    post, path = "/v1/flows/{id}/signers/{account}/reject", tag = "flows", operation_id = "reject_flow",
    security(("bearer" = [])),
    params(("id" = String, Path), ("account" = String, Path)),
    request_body = RejectInput,
    responses((status = 200, body = FlowView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
async fn reject_flow(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path((id, account)): Path<(String, String)>,
    Json(body): Json<RejectInput>,
) -> Result<axum::Json<FlowView>, ApiError> {
    Ok(axum::Json(state.signet.reject_flow(&app.id, &id, &account, &body.reason).await?.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RevokeInput {
    reason: Option<String>,
}

/// Revokes an open flow.
#[utoipa::path(
    post, path = "/v1/flows/{id}/revoke", tag = "flows", operation_id = "revoke_flow",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = RevokeInput,
    responses((status = 200, body = FlowView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
async fn revoke_flow(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
    Json(body): Json<RevokeInput>,
) -> Result<axum::Json<FlowView>, ApiError> {
    Ok(axum::Json(state.signet.revoke_flow(&app.id, &id, body.reason.as_deref()).await?.into()))
}

/// Archives a completed flow (409 while a signer has not finished).
#[utoipa::path(
    post, path = "/v1/flows/{id}/archive", tag = "flows", operation_id = "archive_flow",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FlowView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
async fn archive_flow(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<FlowView>, ApiError> {
    Ok(axum::Json(state.signet.archive_flow(&app.id, &id).await?.into()))
}

/// The latest signed revision of a document of the flow.
#[utoipa::path(
    get, path = "/v1/flows/{id}/documents/{index}/content", tag = "flows", operation_id = "get_flow_document",
    security(("bearer" = [])),
    params(("id" = String, Path), ("index" = usize, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = ErrorBody))
)]
async fn get_flow_document(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path((id, index)): Path<(String, usize)>,
) -> Result<impl IntoResponse, ApiError> {
    let (_, bytes) = state.signet.flow_document(&app.id, &id, index).await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], bytes))
}

/// The flow's hash-chained audit trail.
#[utoipa::path(
    get, path = "/v1/flows/{id}/audit", tag = "flows", operation_id = "get_flow_audit",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AuditView), (status = 404, body = ErrorBody))
)]
async fn get_flow_audit(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<AuditView>, ApiError> {
    let (records, intact) = state.signet.flow_audit(&app.id, &id).await?;
    Ok(axum::Json(AuditView::new(records, intact)))
}
