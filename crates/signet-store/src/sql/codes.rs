//! Willingness codes.

use async_trait::async_trait;
use signet_core::accounts::AccountId;
use signet_core::codes::{CodeId, CodeRecord};
use signet_core::ids::AppId;
use signet_core::notify::Channel;
use signet_core::ports::CodeStore;
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool};

#[derive(sqlx::FromRow)]
struct CodeRow {
    code_id: String,
    app_id: String,
    scope: String,
    account_id: String,
    channel: String,
    code_hash: String,
    attempts: i32,
    max_attempts: i32,
    expires_at: OffsetDateTime,
    used_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "sms",
        Channel::Email => "email",
    }
}

impl TryFrom<CodeRow> for CodeRecord {
    type Error = Error;

    fn try_from(row: CodeRow) -> Result<Self> {
        Ok(Self {
            id: CodeId::parse(&row.code_id)?,
            app_id: AppId::parse(&row.app_id)?,
            scope: row.scope,
            account_id: AccountId::parse(&row.account_id)?,
            channel: if row.channel == "email" { Channel::Email } else { Channel::Sms },
            code_hash: row.code_hash,
            attempts: row.attempts,
            max_attempts: row.max_attempts,
            expires_at: row.expires_at,
            used_at: row.used_at,
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl CodeStore for SqlStore {
    async fn code_insert(&self, code: &CodeRecord) -> Result<()> {
        let sql = "insert into verification_code (code_id, app_id, scope, account_id, channel, code_hash, attempts, \
                   max_attempts, expires_at, used_at, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(code.id.as_str())
            .bind(code.app_id.as_str())
            .bind(&code.scope)
            .bind(code.account_id.as_str())
            .bind(channel_name(code.channel))
            .bind(&code.code_hash)
            .bind(code.attempts)
            .bind(code.max_attempts)
            .bind(code.expires_at)
            .bind(code.used_at)
            .bind(code.created_at)
            .execute(p)
            .await
            .map(drop))
        .map_err(Error::storage)
    }

    async fn code_latest(&self, app: &AppId, scope: &str, account: &AccountId) -> Result<Option<CodeRecord>> {
        let sql = "select code_id, app_id, scope, account_id, channel, code_hash, attempts, max_attempts, expires_at, \
                   used_at, created_at from verification_code where app_id = $1 and scope = $2 and account_id = $3 \
                   order by created_at desc limit 1";
        let row: Option<CodeRow> = on_pool!(&self.pool, |p| sqlx::query_as(sql)
            .bind(app.as_str())
            .bind(scope)
            .bind(account.as_str())
            .fetch_optional(p)
            .await)
        .map_err(Error::storage)?;
        row.map(CodeRecord::try_from).transpose()
    }

    async fn code_count_attempt(&self, id: &CodeId) -> Result<()> {
        let sql = "update verification_code set attempts = attempts + 1 where code_id = $1";
        on_pool!(&self.pool, |p| sqlx::query(sql).bind(id.as_str()).execute(p).await.map(drop)).map_err(Error::storage)
    }

    async fn code_consume(&self, id: &CodeId, at: OffsetDateTime) -> Result<bool> {
        let sql = "update verification_code set used_at = $2 where code_id = $1 and used_at is null";
        let done = on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(id.as_str())
            .bind(at)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .map_err(Error::storage)?;
        Ok(done > 0)
    }
}
