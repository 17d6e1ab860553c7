//! Accounts.

use async_trait::async_trait;
use signet_core::accounts::{AccountId, AccountKind, AccountRecord};
use signet_core::audit::AuditEntry;
use signet_core::certificates::CertificateRecord;
use signet_core::identity::IdType;
use signet_core::ids::AppId;
use signet_core::ports::AccountStore;
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::audit::append_audit;
use super::certificates::insert_certificate;
use super::{Pool, SqlStore, on_pool, on_unique};

const ACCOUNT_COLUMNS: &str = "account_seq, account_id, app_id, kind, name, id_type, id_number_sealed, \
     id_number_pseudonym, id_number_masked, mobile, email, third_id, agent_id, uscc_check_waived, active, \
     certificate_serial, created_at, updated_at";

const DUPLICATE: &str = "an active account of this app already has this ID number or third-party id";

#[derive(sqlx::FromRow)]
struct AccountRow {
    account_seq: i64,
    account_id: String,
    app_id: String,
    kind: String,
    name: String,
    id_type: String,
    id_number_sealed: Vec<u8>,
    id_number_pseudonym: String,
    id_number_masked: String,
    mobile: Option<String>,
    email: Option<String>,
    third_id: Option<String>,
    agent_id: Option<String>,
    uscc_check_waived: bool,
    active: bool,
    certificate_serial: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<AccountRow> for AccountRecord {
    type Error = Error;

    fn try_from(row: AccountRow) -> Result<Self> {
        let corrupt = |what: &str| Error::Internal(format!("stored account {} has a bad {what}", row.account_id));
        Ok(Self {
            id: AccountId::parse(&row.account_id)?,
            seq: row.account_seq,
            app_id: AppId::parse(&row.app_id)?,
            kind: AccountKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
            name: row.name.clone(),
            id_type: IdType::parse(&row.id_type).ok_or_else(|| corrupt("id type"))?,
            id_number_sealed: row.id_number_sealed,
            id_number_pseudonym: row.id_number_pseudonym,
            id_number_masked: row.id_number_masked,
            mobile: row.mobile,
            email: row.email,
            third_id: row.third_id,
            agent_id: row.agent_id.as_deref().map(AccountId::parse).transpose()?,
            uscc_check_waived: row.uscc_check_waived,
            active: row.active,
            certificate_serial: row.certificate_serial,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

impl SqlStore {
    async fn account_where(&self, condition: &str, app: &AppId, value: Bind<'_>) -> Result<Option<AccountRecord>> {
        let sql = format!("select {ACCOUNT_COLUMNS} from account where app_id = $1 and {condition}");
        let row: Option<AccountRow> = on_pool!(&self.pool, |p| {
            let query = sqlx::query_as(&sql).bind(app.as_str());
            match value {
                Bind::Text(text) => query.bind(text).fetch_optional(p).await,
                Bind::Int(n) => query.bind(n).fetch_optional(p).await,
            }
        })
        .map_err(Error::storage)?;
        row.map(AccountRecord::try_from).transpose()
    }
}

/// A lookup value of either type.
enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn account_insert(
        &self,
        account: &AccountRecord,
        certificate: Option<&CertificateRecord>,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let sql = "insert into account (account_id, app_id, kind, name, id_type, id_number_sealed, \
                   id_number_pseudonym, id_number_masked, mobile, email, third_id, agent_id, uscc_check_waived, \
                   active, certificate_serial, created_at, updated_at) \
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
                   returning account_seq";
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            let seq: i64 = sqlx::query_scalar(sql)
                .bind(account.id.as_str())
                .bind(account.app_id.as_str())
                .bind(account.kind.as_str())
                .bind(&account.name)
                .bind(account.id_type.as_str())
                .bind(&account.id_number_sealed)
                .bind(&account.id_number_pseudonym)
                .bind(&account.id_number_masked)
                .bind(&account.mobile)
                .bind(&account.email)
                .bind(&account.third_id)
                .bind(account.agent_id.as_ref().map(AccountId::as_str))
                .bind(account.uscc_check_waived)
                .bind(account.active)
                .bind(&account.certificate_serial)
                .bind(account.created_at)
                .bind(account.updated_at)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| on_unique(e, DUPLICATE))?;
            if let Some(cert) = certificate {
                insert_certificate!(tx, cert);
            }
            append_audit!(tx, audit);
            tx.commit().await.map_err(Error::storage)?;
            Ok(seq)
        })
    }

    async fn account_get(&self, app: &AppId, id: &AccountId) -> Result<Option<AccountRecord>> {
        self.account_where("account_id = $2", app, Bind::Text(id.as_str())).await
    }

    async fn account_get_by_seq(&self, app: &AppId, seq: i64) -> Result<Option<AccountRecord>> {
        self.account_where("account_seq = $2", app, Bind::Int(seq)).await
    }

    async fn account_find_by_third_id(&self, app: &AppId, third_id: &str) -> Result<Option<AccountRecord>> {
        self.account_where("third_id = $2 and active", app, Bind::Text(third_id)).await
    }

    async fn account_find_by_pseudonym(&self, app: &AppId, pseudonym: &str) -> Result<Option<AccountRecord>> {
        self.account_where("id_number_pseudonym = $2 and active", app, Bind::Text(pseudonym)).await
    }

    async fn account_page(&self, app: &AppId, offset: i64, limit: i64) -> Result<(Vec<AccountRecord>, i64)> {
        let page = format!(
            "select {ACCOUNT_COLUMNS} from account where app_id = $1 and active order by account_seq limit $2 offset $3"
        );
        let count = "select count(*) from account where app_id = $1 and active";
        let (rows, total): (Vec<AccountRow>, i64) = on_pool!(&self.pool, |p| {
            let rows = sqlx::query_as(&page)
                .bind(app.as_str())
                .bind(limit)
                .bind(offset)
                .fetch_all(p)
                .await
                .map_err(Error::storage)?;
            let total = sqlx::query_scalar(count).bind(app.as_str()).fetch_one(p).await.map_err(Error::storage)?;
            (rows, total)
        });
        Ok((rows.into_iter().map(AccountRecord::try_from).collect::<Result<_>>()?, total))
    }

    async fn account_update(
        &self,
        account: &AccountRecord,
        new_certificate: Option<&CertificateRecord>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let sql = "update account set name = $3, mobile = $4, email = $5, agent_id = $6, active = $7, \
                   certificate_serial = $8, updated_at = $9 where app_id = $1 and account_id = $2";
        on_pool!(&self.pool, |p| {
            let mut tx = p.begin().await.map_err(Error::storage)?;
            if let Some(cert) = new_certificate {
                insert_certificate!(tx, cert);
            }
            let done = sqlx::query(sql)
                .bind(account.app_id.as_str())
                .bind(account.id.as_str())
                .bind(&account.name)
                .bind(&account.mobile)
                .bind(&account.email)
                .bind(account.agent_id.as_ref().map(AccountId::as_str))
                .bind(account.active)
                .bind(&account.certificate_serial)
                .bind(account.updated_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| on_unique(e, DUPLICATE))?
                .rows_affected();
            if done == 0 {
                return Err(Error::NotFound("account"));
            }
            append_audit!(tx, audit);
            tx.commit().await.map_err(Error::storage)
        })
    }
}
