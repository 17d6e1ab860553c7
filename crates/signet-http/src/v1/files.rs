//! `/v1/files`: documents in, documents out.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use signet_core::files::FileRecord;
use signet_core::{Error, UploadDeclaration};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Multipart, Path, RawBody};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_file))
        .routes(routes!(create_upload_url))
        .routes(routes!(put_upload))
        .routes(routes!(get_file))
        .routes(routes!(get_file_content))
}

/// A stored file.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileView {
    id: String,
    name: String,
    content_type: String,
    size: i64,
    sha256: String,
    pages: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

impl From<FileRecord> for FileView {
    fn from(f: FileRecord) -> Self {
        Self {
            id: f.id.to_string(),
            name: f.name,
            content_type: f.content_type,
            size: f.size,
            sha256: f.sha256,
            pages: f.pages,
            created_at: f.created_at,
        }
    }
}

/// Multipart upload: a `file` part (the PDF) and an optional `name` part.
#[derive(ToSchema)]
#[allow(dead_code, reason = "documents the multipart form")]
struct UploadForm {
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    name: Option<String>,
}

/// Uploads a PDF; it is parsed first, and a broken one is refused with the reason.
#[utoipa::path(
    post, path = "/v1/files", tag = "files", operation_id = "upload_file",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = FileView),
        (status = 400, description = "not a PDF, a malformed form, or a body over max_upload_bytes (the message says which)", body = ErrorBody)
    )
)]
async fn upload_file(
    State(state): State<AppState>,
    request: Request,
) -> Result<(StatusCode, axum::Json<FileView>), ApiError> {
    let (mut parts, body) = request.into_parts();
    let caller = CallerApp::from_request_parts(&mut parts, &state).await;
    let form = Multipart::from_request(Request::from_parts(parts, body), &state).await;
    let (app, mut multipart) = match (caller, form) {
        (Ok(CallerApp(app)), Ok(Multipart(form))) => (app, form),
        (Ok(_), Err(bad_form)) => return Err(bad_form),
        (Err(refused), form) => {
            // Read what the client is still sending (without keeping it), so that it gets the
            // 401 instead of a connection reset mid-upload.
            if let Ok(Multipart(mut form)) = form {
                drain(&mut form).await;
            }
            return Err(refused);
        }
    };
    let mut content = None;
    let mut name = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| Error::invalid("body", e.body_text()))? {
        match field.name() {
            Some("file") => {
                let file_name = field.file_name().map(str::to_owned);
                let bytes = field.bytes().await.map_err(|e| Error::invalid("file", e.body_text()))?;
                name = name.or(file_name);
                content = Some(bytes);
            }
            Some("name") => name = Some(field.text().await.map_err(|e| Error::invalid("name", e.body_text()))?),
            _ => {}
        }
    }
    let content = content.ok_or_else(|| Error::invalid("file", "the form has no file part"))?;
    let name = name.unwrap_or_else(|| "document.pdf".to_owned());
    let file = state.signet.upload_file(&app.id, &name, content).await?;
    Ok((StatusCode::CREATED, axum::Json(file.into())))
}

/// Reads a form to its end, dropping every chunk (the body limit bounds it).
async fn drain(form: &mut axum::extract::Multipart) {
    while let Ok(Some(mut field)) = form.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

/// What the client will PUT.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UploadUrlRequest {
    name: String,
    /// Base64 MD5 of the content, sent again as the `Content-MD5` header of the PUT.
    content_md5: String,
    /// Sent again as the `Content-Type` header of the PUT.
    content_type: String,
    size: u64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct UploadUrlResponse {
    file_id: String,
    /// PUT the content here within an hour, with the declared Content-MD5 and Content-Type.
    upload_url: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// Issues a one-hour upload URL for a direct PUT.
#[utoipa::path(
    post, path = "/v1/files/upload-url", tag = "files", operation_id = "create_upload_url",
    security(("bearer" = [])),
    request_body = UploadUrlRequest,
    responses((status = 200, body = UploadUrlResponse), (status = 400, body = ErrorBody))
)]
async fn create_upload_url(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Json(body): Json<UploadUrlRequest>,
) -> Result<axum::Json<UploadUrlResponse>, ApiError> {
    let declaration = UploadDeclaration {
        name: body.name,
        content_md5: body.content_md5,
        content_type: body.content_type,
        size: body.size,
    };
    let ticket = state.signet.file_upload_ticket(&app.id, &declaration)?;
    Ok(axum::Json(UploadUrlResponse {
        file_id: ticket.file_id.to_string(),
        upload_url: format!("{}/v1/uploads/{}", state.public_url, ticket.token),
        expires_at: ticket.expires_at,
    }))
}

/// Receives the content of an upload URL; MD5, type and size must match the declaration (403 otherwise).
#[utoipa::path(
    put, path = "/v1/uploads/{token}", tag = "files", operation_id = "put_upload",
    params(("token" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = FileView), (status = 403, body = ErrorBody))
)]
async fn put_upload(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, axum::Json<FileView>), ApiError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let file = state.signet.complete_upload(&token, text("content-md5"), text("content-type"), body).await?;
    Ok((StatusCode::CREATED, axum::Json(file.into())))
}

/// Reads a file's metadata.
#[utoipa::path(
    get, path = "/v1/files/{id}", tag = "files", operation_id = "get_file",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FileView), (status = 404, body = ErrorBody))
)]
async fn get_file(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<FileView>, ApiError> {
    Ok(axum::Json(state.signet.file(&app.id, &id).await?.into()))
}

/// Downloads a file as uploaded.
#[utoipa::path(
    get, path = "/v1/files/{id}/content", tag = "files", operation_id = "get_file_content",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = ErrorBody))
)]
async fn get_file_content(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let (file, bytes) = state.signet.file_content(&app.id, &id).await?;
    Ok(([(header::CONTENT_TYPE, file.content_type)], bytes))
}
