//! The hash-chained audit trail.

use async_trait::async_trait;
use signet_core::audit::{AuditEntry, AuditRecord};
use signet_core::ids::AppId;
use signet_core::ports::AuditStore;
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool};

/// Appends `$entry` to its scope's chain on the open transaction `$tx` (either driver).
///
/// Two writers racing on one scope both read the same tail; the unique `(scope, scope_seq)`
/// index makes the second insert fail, which surfaces as a conflict rather than a forked chain.
macro_rules! append_audit {
    ($tx:expr, $entry:expr) => {{
        let entry: &signet_core::audit::AuditEntry = $entry;
        let tail: Option<(i64, String)> =
            sqlx::query_as("select scope_seq, hash from audit_entry where scope = $1 order by scope_seq desc limit 1")
                .bind(&entry.scope)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(signet_core::Error::storage)?;
        let (seq, prev) = match tail {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, signet_core::audit::GENESIS.to_owned()),
        };
        let hash = signet_core::audit::chain_hash(&prev, seq, entry);
        sqlx::query(
            "insert into audit_entry (app_id, scope, scope_seq, action, detail, prev_hash, hash, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(entry.app_id.as_str())
        .bind(&entry.scope)
        .bind(seq)
        .bind(&entry.action)
        .bind(entry.detail.to_string())
        .bind(&prev)
        .bind(&hash)
        .bind(entry.at)
        .execute(&mut *$tx)
        .await
        .map_err(|e| $crate::sql::on_unique(e, "a concurrent change to the same resource won; retry"))?;
    }};
}
pub(crate) use append_audit;

#[derive(sqlx::FromRow)]
struct AuditRow {
    app_id: String,
    scope: String,
    scope_seq: i64,
    action: String,
    detail: String,
    prev_hash: String,
    hash: String,
    created_at: OffsetDateTime,
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn audit_append(&self, entry: &AuditEntry) -> Result<()> {
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            append_audit!(tx, entry);
            tx.commit().await.map_err(Error::storage)
        })
    }

    async fn audit_list(&self, app: &AppId, scope: &str) -> Result<Vec<AuditRecord>> {
        let sql = "select app_id, scope, scope_seq, action, detail, prev_hash, hash, created_at \
                   from audit_entry where app_id = $1 and scope = $2 order by scope_seq";
        let rows: Vec<AuditRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(sql).bind(app.as_str()).bind(scope).fetch_all(p).await)
                .map_err(Error::storage)?;
        rows.into_iter()
            .map(|row| {
                let detail = serde_json::from_str(&row.detail).map_err(Error::storage)?;
                let app_id = AppId::parse(&row.app_id)?;
                let entry = AuditEntry { app_id, scope: row.scope, action: row.action, detail, at: row.created_at };
                Ok(AuditRecord { entry, seq: row.scope_seq, prev_hash: row.prev_hash, hash: row.hash })
            })
            .collect()
    }
}
