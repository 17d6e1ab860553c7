//! `/v1/templates`: PDFs with AcroForm text fields, filled into new documents.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use signet_core::templates::{AppendPart, DocumentFill, TemplateRecord};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::files::FileView;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Path};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_template)).routes(routes!(get_template)).routes(routes!(create_document))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewTemplate {
    /// An uploaded PDF of this app with AcroForm text fields.
    file_id: String,
    /// Defaults to the file's name.
    name: Option<String>,
}

/// A fillable text field.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct FieldView {
    /// The key to fill (fully qualified, `parent.child`).
    name: String,
    page: i64,
    /// `[x1, y1, x2, y2]` in PDF points, origin bottom-left.
    rect: [f64; 4],
    /// 0 means automatic.
    font_size: f64,
    /// left, center or right.
    align: String,
    multiline: bool,
    max_len: Option<i64>,
    /// One character per cell (needs maxLen).
    comb: bool,
}

/// A template and its fields.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct TemplateView {
    id: String,
    name: String,
    file_id: String,
    fields: Vec<FieldView>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

impl From<TemplateRecord> for TemplateView {
    fn from(t: TemplateRecord) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name,
            file_id: t.file_id.to_string(),
            fields: t
                .fields
                .into_iter()
                .map(|f| FieldView {
                    name: f.name,
                    page: f.page,
                    rect: f.rect,
                    font_size: f.font_size,
                    align: f.align.as_str().to_owned(),
                    multiline: f.multiline,
                    max_len: f.max_len,
                    comb: f.comb,
                })
                .collect(),
            created_at: t.created_at,
        }
    }
}

/// Makes a template of an uploaded PDF; a PDF without AcroForm text fields is refused.
#[utoipa::path(
    post, path = "/v1/templates", tag = "templates", operation_id = "create_template",
    security(("bearer" = [])),
    request_body = NewTemplate,
    responses((status = 201, body = TemplateView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn create_template(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Json(body): Json<NewTemplate>,
) -> Result<(StatusCode, axum::Json<TemplateView>), ApiError> {
    let t = state.signet.create_template(&app.id, &body.file_id, body.name.as_deref()).await?;
    Ok((StatusCode::CREATED, axum::Json(t.into())))
}

/// Reads a template and its field list.
#[utoipa::path(
    get, path = "/v1/templates/{id}", tag = "templates", operation_id = "get_template",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TemplateView), (status = 404, body = ErrorBody))
)]
async fn get_template(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<TemplateView>, ApiError> {
    Ok(axum::Json(state.signet.template(&app.id, &id).await?.into()))
}

/// Pages appended after the template's.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
enum AppendView {
    /// Simple HTML: h1–h3, p, br, strong, table/tr/th/td; laid out on A4 with the bundled font.
    Html { html: String },
    /// Every page of an uploaded PDF of this app.
    Pdf {
        #[serde(rename = "fileId")]
        file_id: String,
    },
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewDocument {
    /// Field name → text (`\n` breaks lines in multiline fields).
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    append: Vec<AppendView>,
    /// Draw the values into the pages and remove the form (default true: a document to sign
    /// should not stay editable, and keyword positions find flattened text).
    flatten: Option<bool>,
    /// The new file's name (defaults to the template's).
    name: Option<String>,
}

/// Fills the template's fields with the bundled CJK font and appends pages; returns the new
/// file, usable in flows. A character the font lacks is refused, naming it.
#[utoipa::path(
    post, path = "/v1/templates/{id}/documents", tag = "templates", operation_id = "create_template_document",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = NewDocument,
    responses((status = 201, body = FileView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn create_document(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
    Json(body): Json<NewDocument>,
) -> Result<(StatusCode, axum::Json<FileView>), ApiError> {
    let fill = DocumentFill {
        name: body.name,
        fields: body.fields,
        append: body
            .append
            .into_iter()
            .map(|a| match a {
                AppendView::Html { html } => AppendPart::Html(html),
                AppendView::Pdf { file_id } => AppendPart::PdfFile(file_id),
            })
            .collect(),
        flatten: body.flatten.unwrap_or(true),
        max_appended_pages: None,
    };
    let file = state.signet.create_document_from_template(&app.id, &id, fill).await?;
    Ok((StatusCode::CREATED, axum::Json(file.into())))
}
