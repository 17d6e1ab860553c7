//! Uploaded files.

use async_trait::async_trait;
use signet_core::files::{FileId, FileRecord};
use signet_core::ids::AppId;
use signet_core::ports::FileStore;
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool};

#[derive(sqlx::FromRow)]
struct FileRow {
    file_id: String,
    app_id: String,
    name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    blob_key: String,
    pages: Option<i64>,
    created_at: OffsetDateTime,
}

impl TryFrom<FileRow> for FileRecord {
    type Error = Error;

    fn try_from(row: FileRow) -> Result<Self> {
        Ok(Self {
            id: FileId::parse(&row.file_id)?,
            app_id: AppId::parse(&row.app_id)?,
            name: row.name,
            content_type: row.content_type,
            size: row.size_bytes,
            sha256: row.sha256,
            blob_key: super::blob_key(&row.blob_key)?,
            pages: row.pages,
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl FileStore for SqlStore {
    async fn file_insert(&self, file: &FileRecord) -> Result<()> {
        let sql = "insert into file (file_id, app_id, name, content_type, size_bytes, sha256, blob_key, pages, \
                   created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(file.id.as_str())
            .bind(file.app_id.as_str())
            .bind(&file.name)
            .bind(&file.content_type)
            .bind(file.size)
            .bind(&file.sha256)
            .bind(file.blob_key.as_str())
            .bind(file.pages)
            .bind(file.created_at)
            .execute(p)
            .await
            .map(drop))
        .map_err(Error::storage)
    }

    async fn file_get(&self, app: &AppId, id: &FileId) -> Result<Option<FileRecord>> {
        let sql = "select file_id, app_id, name, content_type, size_bytes, sha256, blob_key, pages, created_at \
                   from file where app_id = $1 and file_id = $2";
        let row: Option<FileRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(sql).bind(app.as_str()).bind(id.as_str()).fetch_optional(p).await)
                .map_err(Error::storage)?;
        row.map(FileRecord::try_from).transpose()
    }
}
