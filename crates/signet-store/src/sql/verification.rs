//! Real-name verification checks.

use async_trait::async_trait;
use signet_core::accounts::AccountId;
use signet_core::audit::AuditEntry;
use signet_core::ids::AppId;
use signet_core::ports::VerificationStore;
use signet_core::verification::{CheckOutcome, VerificationId, VerificationKind, VerificationRecord};
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::audit::append_audit;
use super::{Pool, SqlStore, on_pool};

const COLUMNS: &str = "verification_id, app_id, account_id, kind, outcome, provider, provider_ref, reason, \
     masked_inputs, deposit_hash, attempts, expires_at, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct CheckRow {
    verification_id: String,
    app_id: String,
    account_id: String,
    kind: String,
    outcome: String,
    provider: String,
    provider_ref: Option<String>,
    reason: Option<String>,
    masked_inputs: String,
    deposit_hash: Option<String>,
    attempts: i32,
    expires_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<CheckRow> for VerificationRecord {
    type Error = Error;

    fn try_from(row: CheckRow) -> Result<Self> {
        let corrupt = |what: &str| Error::Internal(format!("stored verification has an unknown {what}"));
        Ok(Self {
            id: VerificationId::parse(&row.verification_id)?,
            app_id: AppId::parse(&row.app_id)?,
            account_id: AccountId::parse(&row.account_id)?,
            kind: VerificationKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
            outcome: CheckOutcome::parse(&row.outcome).ok_or_else(|| corrupt("outcome"))?,
            provider: row.provider,
            provider_ref: row.provider_ref,
            reason: row.reason,
            masked_inputs: serde_json::from_str(&row.masked_inputs).map_err(|_| corrupt("inputs"))?,
            deposit_hash: row.deposit_hash,
            attempts: row.attempts,
            expires_at: row.expires_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[async_trait]
impl VerificationStore for SqlStore {
    async fn verification_insert(&self, check: &VerificationRecord, audit: &AuditEntry) -> Result<()> {
        let sql = format!(
            "insert into verification_check ({COLUMNS}) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        );
        let inputs = check.masked_inputs.to_string();
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            sqlx::query(&sql)
                .bind(check.id.as_str())
                .bind(check.app_id.as_str())
                .bind(check.account_id.as_str())
                .bind(check.kind.as_str())
                .bind(check.outcome.as_str())
                .bind(&check.provider)
                .bind(&check.provider_ref)
                .bind(&check.reason)
                .bind(&inputs)
                .bind(&check.deposit_hash)
                .bind(check.attempts)
                .bind(check.expires_at)
                .bind(check.created_at)
                .bind(check.updated_at)
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?;
            append_audit!(tx, audit);
            tx.commit().await.map_err(Error::storage)
        })
    }

    async fn verification_list(&self, app: &AppId, account: &AccountId) -> Result<Vec<VerificationRecord>> {
        let sql = format!(
            "select {COLUMNS} from verification_check where app_id = $1 and account_id = $2 \
             order by created_at desc, verification_id desc"
        );
        let rows: Vec<CheckRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(app.as_str()).bind(account.as_str()).fetch_all(p).await)
                .map_err(Error::storage)?;
        rows.into_iter().map(VerificationRecord::try_from).collect()
    }

    async fn verification_update(
        &self,
        check: &VerificationRecord,
        expected_attempts: i32,
        audit: &AuditEntry,
    ) -> Result<bool> {
        let sql = "update verification_check set outcome = $3, attempts = $4, updated_at = $5 \
                   where app_id = $1 and verification_id = $2 and outcome = 'pending' and attempts = $6";
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            let done = sqlx::query(sql)
                .bind(check.app_id.as_str())
                .bind(check.id.as_str())
                .bind(check.outcome.as_str())
                .bind(check.attempts)
                .bind(check.updated_at)
                .bind(expected_attempts)
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?
                .rows_affected();
            if done == 0 {
                return Ok(false);
            }
            append_audit!(tx, audit);
            tx.commit().await.map_err(Error::storage)?;
            Ok(true)
        })
    }
}
