//! Seals and silent-sign authorizations.

use async_trait::async_trait;
use signet_core::accounts::AccountId;
use signet_core::audit::AuditEntry;
use signet_core::authorizations::{AuthorizationId, AuthorizationRecord};
use signet_core::ids::AppId;
use signet_core::ports::SealStore;
use signet_core::seals::{SealId, SealKind, SealRecord};
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::audit::append_audit;
use super::{Pool, SqlStore, blob_key, on_pool};

const SEAL_COLUMNS: &str = "seal_id, app_id, account_id, kind, name, image_key, width_mm, height_mm, spec, \
     evidence_key, is_default, active, created_at";

#[derive(sqlx::FromRow)]
struct SealRow {
    seal_id: String,
    app_id: String,
    account_id: String,
    kind: String,
    name: String,
    image_key: String,
    width_mm: f64,
    height_mm: f64,
    spec: Option<String>,
    evidence_key: Option<String>,
    is_default: bool,
    active: bool,
    created_at: OffsetDateTime,
}

impl TryFrom<SealRow> for SealRecord {
    type Error = Error;

    fn try_from(row: SealRow) -> Result<Self> {
        Ok(Self {
            id: SealId::parse(&row.seal_id)?,
            app_id: AppId::parse(&row.app_id)?,
            account_id: AccountId::parse(&row.account_id)?,
            kind: SealKind::parse(&row.kind).ok_or_else(|| Error::Internal(format!("seal kind {:?}", row.kind)))?,
            name: row.name,
            image_key: blob_key(&row.image_key)?,
            width_mm: row.width_mm,
            height_mm: row.height_mm,
            spec: row.spec,
            evidence_key: row.evidence_key.as_deref().map(blob_key).transpose()?,
            is_default: row.is_default,
            active: row.active,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AuthorizationRow {
    authorization_id: String,
    app_id: String,
    account_id: String,
    seal_ids: String,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl TryFrom<AuthorizationRow> for AuthorizationRecord {
    type Error = Error;

    fn try_from(row: AuthorizationRow) -> Result<Self> {
        let ids: Vec<String> = serde_json::from_str(&row.seal_ids).map_err(Error::storage)?;
        Ok(Self {
            id: AuthorizationId::parse(&row.authorization_id)?,
            app_id: AppId::parse(&row.app_id)?,
            account_id: AccountId::parse(&row.account_id)?,
            seal_ids: ids.iter().map(|id| SealId::parse(id)).collect::<Result<_>>()?,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl SealStore for SqlStore {
    async fn seal_insert(&self, seal: &SealRecord) -> Result<()> {
        let insert = format!(
            "insert into seal ({SEAL_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        let clear = "update seal set is_default = false where app_id = $1 and account_id = $2";
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            if seal.is_default {
                sqlx::query(clear)
                    .bind(seal.app_id.as_str())
                    .bind(seal.account_id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::storage)?;
            }
            sqlx::query(&insert)
                .bind(seal.id.as_str())
                .bind(seal.app_id.as_str())
                .bind(seal.account_id.as_str())
                .bind(seal.kind.as_str())
                .bind(&seal.name)
                .bind(seal.image_key.as_str())
                .bind(seal.width_mm)
                .bind(seal.height_mm)
                .bind(&seal.spec)
                .bind(seal.evidence_key.as_ref().map(|k| k.as_str()))
                .bind(seal.is_default)
                .bind(seal.active)
                .bind(seal.created_at)
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?;
            tx.commit().await.map_err(Error::storage)
        })
    }

    async fn seal_get(&self, app: &AppId, id: &SealId) -> Result<Option<SealRecord>> {
        let sql = format!("select {SEAL_COLUMNS} from seal where app_id = $1 and seal_id = $2");
        let row: Option<SealRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(app.as_str()).bind(id.as_str()).fetch_optional(p).await)
                .map_err(Error::storage)?;
        row.map(SealRecord::try_from).transpose()
    }

    async fn seal_list(&self, app: &AppId, account: &AccountId) -> Result<Vec<SealRecord>> {
        let sql = format!(
            "select {SEAL_COLUMNS} from seal where app_id = $1 and account_id = $2 and active \
             order by is_default desc, created_at, seal_id"
        );
        let rows: Vec<SealRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(app.as_str()).bind(account.as_str()).fetch_all(p).await)
                .map_err(Error::storage)?;
        rows.into_iter().map(SealRecord::try_from).collect()
    }

    async fn seal_set_default(&self, app: &AppId, id: &SealId) -> Result<()> {
        let clear = "update seal set is_default = false where app_id = $1 and account_id = \
                     (select account_id from seal where app_id = $1 and seal_id = $2)";
        let set = "update seal set is_default = true where app_id = $1 and seal_id = $2 and active";
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            sqlx::query(clear).bind(app.as_str()).bind(id.as_str()).execute(&mut *tx).await.map_err(Error::storage)?;
            let done = sqlx::query(set)
                .bind(app.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?
                .rows_affected();
            if done == 0 {
                return Err(Error::NotFound("seal"));
            }
            tx.commit().await.map_err(Error::storage)
        })
    }

    async fn seal_deactivate(&self, app: &AppId, id: &SealId) -> Result<()> {
        let sql = "update seal set active = false, is_default = false where app_id = $1 and seal_id = $2";
        let done = on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(app.as_str())
            .bind(id.as_str())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .map_err(Error::storage)?;
        if done == 0 { Err(Error::NotFound("seal")) } else { Ok(()) }
    }

    async fn authorization_insert(&self, authorization: &AuthorizationRecord, audit: &AuditEntry) -> Result<()> {
        let sql = "insert into sign_authorization (authorization_id, app_id, account_id, seal_ids, expires_at, \
                   revoked_at, created_at) values ($1, $2, $3, $4, $5, $6, $7)";
        let seal_ids: Vec<&str> = authorization.seal_ids.iter().map(SealId::as_str).collect();
        let seal_ids = serde_json::to_string(&seal_ids).map_err(Error::storage)?;
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            sqlx::query(sql)
                .bind(authorization.id.as_str())
                .bind(authorization.app_id.as_str())
                .bind(authorization.account_id.as_str())
                .bind(&seal_ids)
                .bind(authorization.expires_at)
                .bind(authorization.revoked_at)
                .bind(authorization.created_at)
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?;
            append_audit!(tx, audit);
            tx.commit().await.map_err(Error::storage)
        })
    }

    async fn authorization_list(&self, app: &AppId, account: &AccountId) -> Result<Vec<AuthorizationRecord>> {
        let sql = "select authorization_id, app_id, account_id, seal_ids, expires_at, revoked_at, created_at \
                   from sign_authorization where app_id = $1 and account_id = $2 order by created_at desc";
        let rows: Vec<AuthorizationRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(sql).bind(app.as_str()).bind(account.as_str()).fetch_all(p).await)
                .map_err(Error::storage)?;
        rows.into_iter().map(AuthorizationRecord::try_from).collect()
    }

    async fn authorization_revoke(
        &self,
        app: &AppId,
        id: &AuthorizationId,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> Result<()> {
        let sql = "update sign_authorization set revoked_at = $3 \
                   where app_id = $1 and authorization_id = $2 and revoked_at is null";
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            let done = sqlx::query(sql)
                .bind(app.as_str())
                .bind(id.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(Error::storage)?
                .rows_affected();
            if done == 0 {
                return Err(Error::NotFound("authorization"));
            }
            append_audit!(tx, audit);
            tx.commit().await.map_err(Error::storage)
        })
    }
}
