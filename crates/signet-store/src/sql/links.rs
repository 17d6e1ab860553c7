//! Page links and the shared rate-limit windows.

use async_trait::async_trait;
use serde_json::Value;
use signet_core::accounts::AccountId;
use signet_core::flows::FlowId;
use signet_core::ids::AppId;
use signet_core::links::{LinkId, LinkPurpose, PageLinkRecord};
use signet_core::ports::{LinkStore, RateStore};
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool};

const COLUMNS: &str = "link_id, app_id, purpose, token_hash, code_hash, flow_id, account_id, detail, redirect_url, \
                       expires_at, revoked_at, verified_at, created_at";

#[derive(sqlx::FromRow)]
struct LinkRow {
    link_id: String,
    app_id: String,
    purpose: String,
    token_hash: String,
    code_hash: String,
    flow_id: Option<String>,
    account_id: Option<String>,
    detail: String,
    redirect_url: Option<String>,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
    verified_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl TryFrom<LinkRow> for PageLinkRecord {
    type Error = Error;

    fn try_from(row: LinkRow) -> Result<Self> {
        Ok(Self {
            id: LinkId::parse(&row.link_id)?,
            app_id: AppId::parse(&row.app_id)?,
            purpose: LinkPurpose::parse(&row.purpose)
                .ok_or_else(|| Error::Internal(format!("stored link purpose {:?}", row.purpose)))?,
            token_hash: row.token_hash,
            code_hash: row.code_hash,
            flow_id: row.flow_id.as_deref().map(FlowId::parse).transpose()?,
            account_id: row.account_id.as_deref().map(AccountId::parse).transpose()?,
            detail: serde_json::from_str(&row.detail)
                .map_err(|e| Error::Internal(format!("stored link detail: {e}")))?,
            redirect_url: row.redirect_url,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            verified_at: row.verified_at,
            created_at: row.created_at,
        })
    }
}

impl SqlStore {
    async fn link_where(&self, column: &str, value: &str) -> Result<Option<PageLinkRecord>> {
        let sql = format!("select {COLUMNS} from page_link where {column} = $1");
        let row: Option<LinkRow> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(value).fetch_optional(p).await)
            .map_err(Error::storage)?;
        row.map(PageLinkRecord::try_from).transpose()
    }
}

#[async_trait]
impl LinkStore for SqlStore {
    async fn link_insert(&self, link: &PageLinkRecord) -> Result<()> {
        // `is not distinct from` matches absent subjects (null) as equal in both databases.
        let revoke = "update page_link set revoked_at = $5 where app_id = $1 and purpose = $2 \
                      and flow_id is not distinct from $3 and account_id is not distinct from $4 \
                      and revoked_at is null";
        let insert = format!(
            "insert into page_link ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        let detail = link.detail.to_string();
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            sqlx::query(revoke)
                .bind(link.app_id.as_str())
                .bind(link.purpose.as_str())
                .bind(link.flow_id.as_ref().map(FlowId::as_str))
                .bind(link.account_id.as_ref().map(AccountId::as_str))
                .bind(link.created_at)
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?;
            sqlx::query(&insert)
                .bind(link.id.as_str())
                .bind(link.app_id.as_str())
                .bind(link.purpose.as_str())
                .bind(&link.token_hash)
                .bind(&link.code_hash)
                .bind(link.flow_id.as_ref().map(FlowId::as_str))
                .bind(link.account_id.as_ref().map(AccountId::as_str))
                .bind(&detail)
                .bind(link.redirect_url.as_deref())
                .bind(link.expires_at)
                .bind(link.revoked_at)
                .bind(link.verified_at)
                .bind(link.created_at)
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?;
            tx.commit().await.map_err(Error::storage)
        })
    }

    async fn link_by_token_hash(&self, token_hash: &str) -> Result<Option<PageLinkRecord>> {
        self.link_where("token_hash", token_hash).await
    }

    async fn link_by_code_hash(&self, code_hash: &str) -> Result<Option<PageLinkRecord>> {
        self.link_where("code_hash", code_hash).await
    }

    async fn link_set_verified(&self, id: &LinkId, at: OffsetDateTime) -> Result<()> {
        let sql = "update page_link set verified_at = $2 where link_id = $1";
        on_pool!(&self.pool, |p| sqlx::query(sql).bind(id.as_str()).bind(at).execute(p).await.map(drop))
            .map_err(Error::storage)
    }

    async fn link_revoke(&self, id: &LinkId, at: OffsetDateTime) -> Result<bool> {
        let sql = "update page_link set revoked_at = $2 where link_id = $1 and revoked_at is null";
        let done = on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(id.as_str())
            .bind(at)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .map_err(Error::storage)?;
        Ok(done > 0)
    }

    async fn link_replace_detail(&self, id: &LinkId, expected: &Value, detail: &Value) -> Result<bool> {
        // Details are written as serde_json's canonical text (sorted keys), so equal values are
        // equal text and the comparison can run in SQL on both backends.
        let sql = "update page_link set detail = $3 where link_id = $1 and detail = $2 and revoked_at is null";
        let (expected, detail) = (expected.to_string(), detail.to_string());
        let done = on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(id.as_str())
            .bind(&expected)
            .bind(&detail)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .map_err(Error::storage)?;
        Ok(done > 0)
    }
}

#[async_trait]
impl RateStore for SqlStore {
    async fn rate_hit(&self, bucket: &str, window_start: i64, forget_before: i64) -> Result<i64> {
        let hit = "insert into rate_window (bucket, window_start, hits) values ($1, $2, 1) \
                   on conflict (bucket, window_start) do update set hits = rate_window.hits + 1 returning hits";
        let forget = "delete from rate_window where bucket = $1 and window_start < $2";
        on_pool!(&self.pool, |p| {
            let hits: i64 = sqlx::query_scalar::<_, i64>(hit)
                .bind(bucket)
                .bind(window_start)
                .fetch_one(p)
                .await
                .map_err(Error::storage)?;
            if hits == 1 {
                // A new window: drop this bucket's stale ones (keeps the table small without a job).
                sqlx::query(forget).bind(bucket).bind(forget_before).execute(p).await.map_err(Error::storage)?;
            }
            Ok(hits)
        })
    }
}
