//! Files: uploaded documents (PDFs), stored immutably in the object store.

use time::OffsetDateTime;

use crate::ids::AppId;
use crate::ports::BlobKey;

crate::ids::random_id!(
    /// The public identifier of an uploaded file.
    FileId,
    "file"
);

/// A file as stored: metadata here, bytes in the object store under `blob_key`.
#[derive(Debug, Clone)]
pub struct FileRecord {
    pub id: FileId,
    pub app_id: AppId,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub blob_key: BlobKey,
    /// Page count, for PDFs.
    pub pages: Option<i64>,
    pub created_at: OffsetDateTime,
}
