//! Templates: one row each, the field list as JSON.

use async_trait::async_trait;
use serde_json::{Value, json};
use signet_core::files::FileId;
use signet_core::ids::AppId;
use signet_core::ports::TemplateStore;
use signet_core::templates::{FieldAlign, TemplateField, TemplateId, TemplateRecord};
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool};

#[derive(sqlx::FromRow)]
struct TemplateRow {
    template_id: String,
    app_id: String,
    name: String,
    file_id: String,
    blob_key: String,
    fields: String,
    created_at: OffsetDateTime,
}

fn fields_json(fields: &[TemplateField]) -> String {
    Value::Array(
        fields
            .iter()
            .map(|f| {
                json!({
                    "name": f.name, "page": f.page, "rect": f.rect, "fontSize": f.font_size,
                    "align": f.align.as_str(), "multiline": f.multiline, "maxLen": f.max_len, "comb": f.comb,
                })
            })
            .collect(),
    )
    .to_string()
}

fn parse_fields(raw: &str) -> Result<Vec<TemplateField>> {
    let bad = || Error::Internal("a stored template field list is unreadable".into());
    let v: Value = serde_json::from_str(raw).map_err(|_| bad())?;
    let mut out = Vec::new();
    for f in v.as_array().ok_or_else(bad)? {
        let rect: Vec<f64> = f["rect"].as_array().ok_or_else(bad)?.iter().filter_map(Value::as_f64).collect();
        out.push(TemplateField {
            name: f["name"].as_str().ok_or_else(bad)?.to_owned(),
            page: f["page"].as_i64().ok_or_else(bad)?,
            rect: <[f64; 4]>::try_from(rect).map_err(|_| bad())?,
            font_size: f["fontSize"].as_f64().unwrap_or(0.0),
            align: FieldAlign::parse(f["align"].as_str().unwrap_or("left")),
            multiline: f["multiline"].as_bool().unwrap_or(false),
            max_len: f["maxLen"].as_i64(),
            comb: f["comb"].as_bool().unwrap_or(false),
        });
    }
    Ok(out)
}

impl TryFrom<TemplateRow> for TemplateRecord {
    type Error = Error;

    fn try_from(row: TemplateRow) -> Result<Self> {
        Ok(Self {
            id: TemplateId::parse(&row.template_id)?,
            app_id: AppId::parse(&row.app_id)?,
            name: row.name,
            file_id: FileId::parse(&row.file_id)?,
            blob_key: super::blob_key(&row.blob_key)?,
            fields: parse_fields(&row.fields)?,
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl TemplateStore for SqlStore {
    async fn template_insert(&self, t: &TemplateRecord) -> Result<()> {
        let sql = "insert into template (template_id, app_id, name, file_id, blob_key, fields, created_at) \
                   values ($1, $2, $3, $4, $5, $6, $7)";
        let fields = fields_json(&t.fields);
        on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(t.id.as_str())
            .bind(t.app_id.as_str())
            .bind(&t.name)
            .bind(t.file_id.as_str())
            .bind(t.blob_key.as_str())
            .bind(&fields)
            .bind(t.created_at)
            .execute(p)
            .await
            .map(drop))
        .map_err(Error::storage)
    }

    async fn template_get(&self, app: &AppId, id: &TemplateId) -> Result<Option<TemplateRecord>> {
        let sql = "select template_id, app_id, name, file_id, blob_key, fields, created_at \
                   from template where app_id = $1 and template_id = $2";
        let row: Option<TemplateRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(sql).bind(app.as_str()).bind(id.as_str()).fetch_optional(p).await)
                .map_err(Error::storage)?;
        row.map(TemplateRecord::try_from).transpose()
    }
}
