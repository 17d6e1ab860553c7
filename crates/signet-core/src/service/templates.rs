//! Templates: make one from an uploaded PDF with AcroForm text fields, read it, and make
//! documents from it (fields filled with the bundled 黑体 face, pages appended). The result
//! is an ordinary file of the app, usable by flows.

use bytes::Bytes;
use signet_pdf::PdfError;
use signet_pdf::form::{Align, Chunk, FillRequest, TextField};
use signet_seal::FontFace;

use super::Signet;
use crate::files::FileRecord;
use crate::ids::AppId;
use crate::templates::{
    AppendPart, DocumentFill, FieldAlign, MAX_APPEND_PARTS, MAX_APPENDED_PAGES, MAX_FILL_FIELDS, MAX_HTML_BYTES,
    MAX_VALUE_CHARS, TemplateField, TemplateId, TemplateRecord,
};
use crate::{Error, Result};

impl Signet {
    /// Makes a template of an uploaded PDF of the app; it must have AcroForm text fields.
    pub async fn create_template(&self, app: &AppId, file_id: &str, name: Option<&str>) -> Result<TemplateRecord> {
        let (file, content) = self.file_content(app, file_id).await.map_err(|e| match e {
            Error::InvalidInput { .. } => Error::NotFound("file"),
            other => other,
        })?;
        if file.pages.is_none() {
            return Err(Error::invalid("fileId", "the file is not a PDF"));
        }
        let fields =
            run_pdf(move || signet_pdf::form::text_fields(&content)).await?.map_err(|e| pdf_error("fileId", e))?;
        let name = match name.map(str::trim) {
            Some("") => return Err(Error::invalid("name", "must not be empty")),
            Some(n) if n.chars().count() > 200 => return Err(Error::invalid("name", "at most 200 characters")),
            Some(n) => n.to_owned(),
            None => file.name.clone(),
        };
        let record = TemplateRecord {
            id: TemplateId::generate(),
            app_id: app.clone(),
            name,
            file_id: file.id.clone(),
            blob_key: file.blob_key.clone(),
            fields: fields.into_iter().map(template_field).collect(),
            created_at: self.clock.now(),
        };
        self.store.template_insert(&record).await?;
        Ok(record)
    }

    /// A template of the app (another app's is not found).
    pub async fn template(&self, app: &AppId, id: &str) -> Result<TemplateRecord> {
        let id = TemplateId::parse(id).map_err(|_| Error::NotFound("template"))?;
        self.store.template_get(app, &id).await?.ok_or(Error::NotFound("template"))
    }

    /// Fills a template into a new file of the app.
    pub async fn create_document_from_template(
        &self,
        app: &AppId,
        template_id: &str,
        fill: DocumentFill,
    ) -> Result<FileRecord> {
        let template = self.template(app, template_id).await?;
        check_fill(&template, &fill)?;
        let mut chunks = Vec::with_capacity(fill.append.len());
        for part in &fill.append {
            chunks.push(match part {
                AppendPart::Html(html) => Chunk::Html(html.clone()),
                AppendPart::PdfBytes(b) => Chunk::Pdf(b.to_vec()),
                AppendPart::PdfFile(id) => {
                    let (file, bytes) = self.file_content(app, id).await.map_err(|e| match e {
                        Error::InvalidInput { .. } | Error::NotFound(_) => {
                            Error::invalid("append", format!("file {id} not found"))
                        }
                        other => other,
                    })?;
                    if file.pages.is_none() {
                        return Err(Error::invalid("append", format!("file {id} is not a PDF")));
                    }
                    Chunk::Pdf(bytes.to_vec())
                }
            });
        }
        let pdf = self.blobs.get(&template.blob_key).await?;
        let max_pages = fill.max_appended_pages.unwrap_or(MAX_APPENDED_PAGES).min(MAX_APPENDED_PAGES);
        let (values, flatten) = (fill.fields.clone(), fill.flatten);
        let filled = run_pdf(move || {
            signet_pdf::form::fill(&FillRequest {
                template: &pdf,
                values: &values,
                append: &chunks,
                flatten,
                font: FontFace::Hei.data(),
                max_appended_pages: max_pages,
            })
        })
        .await?
        .map_err(|e| pdf_error("append", e))?;
        let name = fill.name.unwrap_or_else(|| template.name.clone());
        self.upload_file(app, &name, Bytes::from(filled.pdf)).await
    }
}

fn check_fill(template: &TemplateRecord, fill: &DocumentFill) -> Result<()> {
    if fill.fields.len() > MAX_FILL_FIELDS {
        return Err(Error::invalid("fields", format!("at most {MAX_FILL_FIELDS} fields")));
    }
    if fill.append.len() > MAX_APPEND_PARTS {
        return Err(Error::invalid("append", format!("at most {MAX_APPEND_PARTS} parts")));
    }
    for (name, value) in &fill.fields {
        if !template.fields.iter().any(|f| &f.name == name) {
            return Err(Error::invalid("fields", format!("the template has no field named {name}")));
        }
        if value.chars().count() > MAX_VALUE_CHARS {
            return Err(Error::invalid("fields", format!("the value of {name} exceeds {MAX_VALUE_CHARS} characters")));
        }
    }
    for part in &fill.append {
        if let AppendPart::Html(h) = part
            && h.len() > MAX_HTML_BYTES
        {
            return Err(Error::invalid("append", format!("an HTML part exceeds {MAX_HTML_BYTES} bytes")));
        }
    }
    Ok(())
}

/// The engine's errors in the caller's terms: which input is wrong and why.
fn pdf_error(input_field: &'static str, e: PdfError) -> Error {
    match e {
        PdfError::NoForm => Error::invalid("fileId", "the PDF has no AcroForm text fields"),
        PdfError::UnknownField(n) => Error::invalid("fields", format!("the template has no field named {n}")),
        e @ (PdfError::ValueTooLong { .. } | PdfError::MissingGlyph { .. }) => Error::invalid("fields", e.to_string()),
        PdfError::Font(m) => Error::Internal(format!("bundled font: {m}")),
        PdfError::Io(e) => Error::Internal(format!("PDF I/O: {e}")),
        other => Error::invalid(input_field, format!("not a usable PDF: {other}")),
    }
}

async fn run_pdf<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Internal(format!("PDF work panicked: {e}")))
}

fn template_field(f: TextField) -> TemplateField {
    TemplateField {
        name: f.name,
        page: f.page as i64,
        rect: f.rect,
        font_size: f.font_size,
        align: match f.align {
            Align::Left => FieldAlign::Left,
            Align::Center => FieldAlign::Center,
            Align::Right => FieldAlign::Right,
        },
        multiline: f.multiline,
        max_len: f.max_len.map(|m| m as i64),
        comb: f.comb,
    }
}
