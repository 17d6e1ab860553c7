//! Certificates issued to accounts.

use async_trait::async_trait;
use signet_core::accounts::AccountId;
use signet_core::certificates::CertificateRecord;
use signet_core::ids::AppId;
use signet_core::ports::CertificateStore;
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool};

pub(crate) const CERTIFICATE_COLUMNS: &str =
    "serial, app_id, account_id, certificate_der, key_ref, not_before, not_after, revoked_at, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct CertificateRow {
    serial: String,
    app_id: String,
    account_id: Option<String>,
    certificate_der: Vec<u8>,
    key_ref: Vec<u8>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl TryFrom<CertificateRow> for CertificateRecord {
    type Error = Error;

    fn try_from(row: CertificateRow) -> Result<Self> {
        Ok(Self {
            serial: row.serial,
            app_id: AppId::parse(&row.app_id)?,
            account_id: row.account_id.as_deref().map(AccountId::parse).transpose()?,
            certificate_der: row.certificate_der,
            key_ref: row.key_ref,
            not_before: row.not_before,
            not_after: row.not_after,
            revoked_at: row.revoked_at,
            created_at: row.created_at,
        })
    }
}

/// Inserts `$cert` on the open transaction `$tx` (either driver).
macro_rules! insert_certificate {
    ($tx:expr, $cert:expr) => {{
        let cert: &signet_core::certificates::CertificateRecord = $cert;
        let sql = format!(
            "insert into certificate ({}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            $crate::sql::certificates::CERTIFICATE_COLUMNS
        );
        sqlx::query(&sql)
            .bind(&cert.serial)
            .bind(cert.app_id.as_str())
            .bind(cert.account_id.as_ref().map(AccountId::as_str))
            .bind(&cert.certificate_der)
            .bind(&cert.key_ref)
            .bind(cert.not_before)
            .bind(cert.not_after)
            .bind(cert.revoked_at)
            .bind(cert.created_at)
            .execute(&mut *$tx)
            .await
            .map_err(signet_core::Error::storage)?;
    }};
}
pub(crate) use insert_certificate;

#[async_trait]
impl CertificateStore for SqlStore {
    async fn certificate_get(&self, serial: &str) -> Result<Option<CertificateRecord>> {
        let sql = format!("select {CERTIFICATE_COLUMNS} from certificate where serial = $1");
        let row: Option<CertificateRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(serial).fetch_optional(p).await)
                .map_err(Error::storage)?;
        row.map(CertificateRecord::try_from).transpose()
    }

    async fn certificate_revoke(&self, serial: &str, at: OffsetDateTime) -> Result<bool> {
        let sql = "update certificate set revoked_at = $2 where serial = $1 and revoked_at is null";
        let done = on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(serial)
            .bind(at)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .map_err(Error::storage)?;
        Ok(done > 0)
    }

    async fn certificate_list(&self) -> Result<Vec<CertificateRecord>> {
        let sql = format!("select {CERTIFICATE_COLUMNS} from certificate order by created_at desc, serial");
        let rows: Vec<CertificateRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_all(p).await).map_err(Error::storage)?;
        rows.into_iter().map(CertificateRecord::try_from).collect()
    }

    async fn certificate_insert(&self, certificate: &CertificateRecord) -> Result<()> {
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            insert_certificate!(tx, certificate);
            tx.commit().await.map_err(Error::storage)
        })
    }
}
