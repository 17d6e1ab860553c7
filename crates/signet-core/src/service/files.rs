//! Files: upload (direct or through a signed upload URL), read back.

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use md5_check::content_md5;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::Signet;
use crate::files::{FileId, FileRecord};
use crate::ids::AppId;
use crate::tokens;
use crate::{Error, Result};

const UPLOAD_PURPOSE: &str = "file-upload";

/// What the client promised when it asked for an upload URL; the PUT must match it.
#[derive(Debug, Clone)]
pub struct UploadTicket {
    pub file_id: FileId,
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// The declared properties of an upload.
#[derive(Debug, Clone)]
pub struct UploadDeclaration {
    pub name: String,
    /// Base64 of the MD5 of the content, as in the `Content-MD5` header (RFC 1864).
    pub content_md5: String,
    pub content_type: String,
    pub size: u64,
}

impl Signet {
    /// Stores an uploaded PDF after checking that it parses; returns its record.
    pub async fn upload_file(&self, app: &AppId, name: &str, content: Bytes) -> Result<FileRecord> {
        self.store_file(app, FileId::generate(), name, "application/pdf", content).await
    }

    /// Reads a file's metadata.
    pub async fn file(&self, app: &AppId, id: &str) -> Result<FileRecord> {
        let id = FileId::parse(id)?;
        self.store.file_get(app, &id).await?.ok_or(Error::NotFound("file"))
    }

    /// Reads a file's bytes.
    pub async fn file_content(&self, app: &AppId, id: &str) -> Result<(FileRecord, Bytes)> {
        let file = self.file(app, id).await?;
        let bytes = self.blobs.get(&file.blob_key).await?;
        Ok((file, bytes))
    }

    /// Issues a one-hour capability to PUT one file with exactly the declared MD5, type and size.
    pub fn file_upload_ticket(&self, app: &AppId, declaration: &UploadDeclaration) -> Result<UploadTicket> {
        let name = check_file_name(&declaration.name)?;
        let md5 = STANDARD
            .decode(declaration.content_md5.trim())
            .ok()
            .filter(|d| d.len() == 16)
            .ok_or_else(|| Error::invalid("contentMd5", "expected the base64 of a 16-byte MD5 digest"))?;
        if declaration.size == 0 || declaration.size > self.config.max_file_bytes {
            return Err(Error::invalid("size", format!("expected 1 to {} bytes", self.config.max_file_bytes)));
        }
        if declaration.content_type.trim().is_empty() || declaration.content_type.len() > 100 {
            return Err(Error::invalid("contentType", "expected a media type such as application/pdf"));
        }
        let file_id = FileId::generate();
        let expires_at = self.clock.now() + time::Duration::hours(1);
        let payload = json!({
            "app": app.as_str(), "file": file_id.as_str(), "name": name, "md5": STANDARD.encode(md5),
            "type": declaration.content_type.trim(), "size": declaration.size, "exp": expires_at.unix_timestamp(),
        });
        let token = tokens::sign_payload(&self.keys, UPLOAD_PURPOSE, payload.to_string().as_bytes());
        Ok(UploadTicket { file_id, token, expires_at })
    }

    /// Accepts the PUT of an upload URL. Every mismatch with the declaration is refused with
    /// [`Error::Forbidden`] (the vendors answer 403), and nothing is stored.
    pub async fn complete_upload(
        &self,
        token: &str,
        content_md5: Option<&str>,
        content_type: Option<&str>,
        content: Bytes,
    ) -> Result<FileRecord> {
        let payload = tokens::open_payload(&self.keys, UPLOAD_PURPOSE, token)
            .map_err(|_| Error::Forbidden("the upload URL is not valid".into()))?;
        let claims: serde_json::Value =
            serde_json::from_slice(&payload).map_err(|_| Error::Forbidden("the upload URL is not valid".into()))?;
        let field = |name: &str| claims[name].as_str().unwrap_or_default().to_owned();
        if claims["exp"].as_i64().unwrap_or(0) < self.clock.now().unix_timestamp() {
            return Err(Error::Forbidden("the upload URL has expired".into()));
        }
        if content_md5.map(str::trim) != Some(field("md5").as_str()) {
            return Err(Error::Forbidden("Content-MD5 does not match the declared MD5".into()));
        }
        if content_type.map(str::trim) != Some(field("type").as_str()) {
            return Err(Error::Forbidden("Content-Type does not match the declared type".into()));
        }
        if claims["size"].as_u64() != Some(content.len() as u64) {
            return Err(Error::Forbidden("the body size does not match the declared size".into()));
        }
        if content_md5_of(&content) != field("md5") {
            return Err(Error::Forbidden("the body's MD5 does not match Content-MD5".into()));
        }
        let app = AppId::parse(&field("app"))?;
        let id = FileId::parse(&field("file"))?;
        if self.store.file_get(&app, &id).await?.is_some() {
            return Err(Error::Conflict("this upload URL has already been used".into()));
        }
        self.store_file(&app, id, &field("name"), &field("type"), content).await
    }

    async fn store_file(
        &self,
        app: &AppId,
        id: FileId,
        name: &str,
        content_type: &str,
        content: Bytes,
    ) -> Result<FileRecord> {
        let name = check_file_name(name)?;
        if content.is_empty() || content.len() as u64 > self.config.max_file_bytes {
            return Err(Error::invalid("file", format!("expected 1 to {} bytes", self.config.max_file_bytes)));
        }
        let pages = if content_type == "application/pdf" || content.starts_with(b"%PDF") {
            Some(pdf_pages(content.clone()).await?)
        } else {
            None
        };
        let sha256 = hex::encode(Sha256::digest(&content));
        let size = content.len() as i64;
        let blob_key = self.blobs.put(content).await?;
        let record = FileRecord {
            id,
            app_id: app.clone(),
            name,
            content_type: content_type.to_owned(),
            size,
            sha256,
            blob_key,
            pages,
            created_at: self.clock.now(),
        };
        self.store.file_insert(&record).await?;
        Ok(record)
    }
}

/// Parses a PDF off the async workers and counts its pages; a broken file names the reason.
async fn pdf_pages(content: Bytes) -> Result<i64> {
    let inspection = tokio::task::spawn_blocking(move || signet_pdf::inspect(Cursor::new(content), None))
        .await
        .map_err(|e| Error::Internal(format!("PDF check panicked: {e}")))?
        .map_err(|e| Error::invalid("file", format!("not a usable PDF: {e}")))?;
    Ok(inspection.pages as i64)
}

fn content_md5_of(content: &[u8]) -> String {
    STANDARD.encode(content_md5(content))
}

fn check_file_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 200
        && !name.chars().any(|c| c.is_control() || c == '/' || c == '\\');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(Error::invalid("name", "expected 1 to 200 characters, no path separators"))
    }
}

/// MD5 only checks transport integrity as `Content-MD5` defines it (RFC 1864); it protects nothing.
mod md5_check {
    use md5::{Digest, Md5};

    pub(super) fn content_md5(content: &[u8]) -> [u8; 16] {
        Md5::digest(content).into()
    }
}
