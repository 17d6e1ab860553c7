//! Apps (tenants).

use async_trait::async_trait;
use signet_core::apps::AppRecord;
use signet_core::ids::AppId;
use signet_core::ports::AppStore;
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool, on_unique};

#[derive(sqlx::FromRow)]
struct AppRow {
    app_id: String,
    name: String,
    secret_hash: String,
    callback_url: Option<String>,
    callback_secret_sealed: Option<Vec<u8>>,
    disabled: bool,
    created_at: OffsetDateTime,
}

impl TryFrom<AppRow> for AppRecord {
    type Error = Error;

    fn try_from(row: AppRow) -> Result<Self> {
        Ok(Self {
            id: AppId::parse(&row.app_id).map_err(|_| Error::Internal(format!("stored app id {:?}", row.app_id)))?,
            name: row.name,
            secret_hash: row.secret_hash,
            callback_url: row.callback_url,
            callback_secret_sealed: row.callback_secret_sealed,
            disabled: row.disabled,
            created_at: row.created_at,
        })
    }
}

const APP_COLUMNS: &str = "app_id, name, secret_hash, callback_url, callback_secret_sealed, disabled, created_at";

#[async_trait]
impl AppStore for SqlStore {
    async fn app_insert(&self, app: &AppRecord) -> Result<()> {
        let sql = format!("insert into app ({APP_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7)");
        on_pool!(&self.pool, |p| sqlx::query(&sql)
            .bind(app.id.as_str())
            .bind(&app.name)
            .bind(&app.secret_hash)
            .bind(&app.callback_url)
            .bind(&app.callback_secret_sealed)
            .bind(app.disabled)
            .bind(app.created_at)
            .execute(p)
            .await
            .map(drop)
            .map_err(|e| on_unique(e, "an app with this id already exists")))
    }

    async fn app_get(&self, id: &AppId) -> Result<Option<AppRecord>> {
        let sql = format!("select {APP_COLUMNS} from app where app_id = $1");
        let row: Option<AppRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(id.as_str()).fetch_optional(p).await)
                .map_err(Error::storage)?;
        row.map(AppRecord::try_from).transpose()
    }

    async fn app_list(&self) -> Result<Vec<AppRecord>> {
        let sql = format!("select {APP_COLUMNS} from app order by created_at, app_id");
        let rows: Vec<AppRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_all(p).await).map_err(Error::storage)?;
        rows.into_iter().map(AppRecord::try_from).collect()
    }

    async fn app_update(&self, app: &AppRecord) -> Result<()> {
        let sql = "update app set name = $2, secret_hash = $3, callback_url = $4, callback_secret_sealed = $5, \
                   disabled = $6 where app_id = $1";
        let done = on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(app.id.as_str())
            .bind(&app.name)
            .bind(&app.secret_hash)
            .bind(&app.callback_url)
            .bind(&app.callback_secret_sealed)
            .bind(app.disabled)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .map_err(Error::storage)?;
        if done == 0 { Err(Error::NotFound("app")) } else { Ok(()) }
    }
}
