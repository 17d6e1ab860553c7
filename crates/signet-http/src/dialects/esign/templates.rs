//! `/template/createbyfilekey` and `/doc/createbytemplate`: the native template engine under
//! the vendor's names. A template is made from an uploaded PDF's AcroForm text fields;
//! `simpleFormFields` fills them (bundled 黑体 face), `chunkedFields` appends pages (HTML or
//! PDF, base64, in `sequence` order, at most 10 pages as the document says). The document
//! made is flattened: it is meant to be signed, and keyword positions find its text.

use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use signet_core::esign::DownloadTarget;
use signet_core::templates::{AppendPart, DocumentFill};
use std::collections::BTreeMap;
use time::Duration;

use super::body::Body;
use super::error::{Context, EsignError, FILE_TYPE_UNSUPPORTED};
use super::{Answer, Success, TsignApp, links};
use crate::AppState;

/// "最多支持增加 10 页".
const MAX_CHUNK_PAGES: usize = 10;

/// Makes a template of an uploaded PDF (`fileKey`); `templateName` is required,
/// `templateTypeId` and `templateFormKeys` are reserved fields, accepted and not used (a PDF's
/// text fields are read from the file itself, as the document says).
pub(super) async fn create_template(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let key = body.string("fileKey")?;
    let name = body.string("templateName")?;
    let _ = body.opt_string("templateTypeId")?;
    match body.0.get("templateFormKeys") {
        None | Some(Value::Null) => {}
        Some(Value::Array(keys)) if keys.iter().all(Value::is_string) => {}
        Some(_) => return Err(EsignError::parameter("templateFormKeys", "expected a list of strings")),
    }
    let file = state.signet.file(&app.id, &key).await.map_err(|e| EsignError::from_core(e, Context::File))?;
    if file.content_type != "application/pdf" || file.pages.is_none() {
        return Err(EsignError::new(
            FILE_TYPE_UNSUPPORTED,
            format!("文件类型不支持: {} (application/pdf only)", file.content_type),
        ));
    }
    let template = state
        .signet
        .create_template(&app.id, file.id.as_str(), Some(&name))
        .await
        .map_err(|e| EsignError::from_core(e, Context::File))?;
    Ok(Success::data(json!({"templateId": template.id.as_str()})))
}

/// Fills a template into a new contract: `docId` (usable in flows) and a one-hour `docUrl`.
pub(super) async fn create_doc(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let template_id = body.string("templateId")?;
    let name = body.string("name")?;
    let fields = simple_form_fields(&body)?;
    let append = chunked_fields(&body)?;
    let fill = DocumentFill {
        name: Some(doc_name(&name)),
        fields,
        append,
        flatten: true,
        max_appended_pages: Some(MAX_CHUNK_PAGES),
    };
    let file = state
        .signet
        .create_document_from_template(&app.id, &template_id, fill)
        .await
        .map_err(|e| EsignError::from_core(e, Context::File))?;
    let url = links::download_url(&state, &app.id, &DownloadTarget::File(file.id.clone()), Duration::hours(1));
    Ok(Success::data(json!({"docId": file.id.as_str(), "docUrl": url})))
}

/// A contract name as a file name: ".pdf" added when missing.
fn doc_name(name: &str) -> String {
    let clean: String = name.chars().map(|c| if c == '/' || c == '\\' || c.is_control() { '_' } else { c }).collect();
    if clean.to_ascii_lowercase().ends_with(".pdf") { clean } else { format!("{clean}.pdf") }
}

/// `simpleFormFields`: an object of key → value; numbers and booleans are taken as their text.
fn simple_form_fields(body: &Body) -> Result<BTreeMap<String, String>, EsignError> {
    let mut out = BTreeMap::new();
    match body.0.get("simpleFormFields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => String::new(),
                    _ => return Err(EsignError::parameter("simpleFormFields", format!("{k}: expected text"))),
                };
                out.insert(k.clone(), text);
            }
        }
        Some(_) => return Err(EsignError::parameter("simpleFormFields", "expected an object of key-value pairs")),
    }
    Ok(out)
}

/// `chunkedFields`: `mimeType` (text/html or application/pdf, any case, spaces trimmed),
/// base64 `chunkedData` (line breaks and spaces allowed, as in the document's example),
/// `sequence` (order); `pagePos` is reserved: only appending at the end exists.
fn chunked_fields(body: &Body) -> Result<Vec<AppendPart>, EsignError> {
    let mut parts = Vec::new();
    for chunk in body.list("chunkedFields")? {
        let mime = chunk
            .opt_string("mimeType")?
            .ok_or_else(|| EsignError::parameter("mimeType", "is required"))?
            .to_ascii_lowercase();
        let data = chunk.string("chunkedData").map_err(|_| EsignError::parameter("chunkedData", "is required"))?;
        let sequence = chunk.opt_i64("sequence")?.ok_or_else(|| EsignError::parameter("sequence", "is required"))?;
        let _ = chunk.opt_i64("pagePos")?;
        let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = STANDARD.decode(compact).map_err(|_| EsignError::parameter("chunkedData", "not base64"))?;
        let part = match mime.as_str() {
            "text/html" => AppendPart::Html(
                String::from_utf8(bytes).map_err(|_| EsignError::parameter("chunkedData", "the HTML is not UTF-8"))?,
            ),
            "application/pdf" => AppendPart::PdfBytes(bytes.into()),
            other => {
                return Err(EsignError::parameter(
                    "mimeType",
                    format!("{other}: expected text/html or application/pdf"),
                ));
            }
        };
        parts.push((sequence, part));
    }
    parts.sort_by_key(|(seq, _)| *seq);
    Ok(parts.into_iter().map(|(_, p)| p).collect())
}
