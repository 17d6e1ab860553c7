//! [`SqlStore`]: the metadata ports on SQLite (default) or PostgreSQL.
//!
//! The SQL is written once where both dialects agree (`$1` placeholders, `on conflict`), and each
//! query is monomorphised for both drivers by [`on_pool!`]; rows decode through `FromRow`, which
//! is generic over the driver. Migrations are kept per dialect, numbered in lockstep, because
//! column types differ (`blob`/`bytea`, text/`timestamptz`).

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use signet_core::apps::AppRecord;
use signet_core::ids::AppId;
use signet_core::ports::{AppStore, SystemStore};
use signet_core::{Error, Result};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use time::OffsetDateTime;

/// A connection pool to one of the supported databases.
#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same query code against whichever driver the pool holds.
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}

/// The metadata store.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pool: Pool,
}

impl SqlStore {
    /// Connects to `sqlite://PATH` or `postgres://...` and runs the migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(Error::storage)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true);
            let pool =
                SqlitePoolOptions::new().max_connections(8).connect_with(options).await.map_err(Error::storage)?;
            sqlx::migrate!("migrations/sqlite").run(&pool).await.map_err(Error::storage)?;
            Pool::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(Error::storage)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(Error::storage)?;
            sqlx::migrate!("migrations/postgres").run(&pool).await.map_err(Error::storage)?;
            Pool::Postgres(pool)
        } else {
            return Err(Error::invalid("database_url", "expected a sqlite:// or postgres:// URL"));
        };
        Ok(Self { pool })
    }

    /// Closes every connection (for a clean shutdown, so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        on_pool!(&self.pool, |p| p.close().await)
    }
}

#[async_trait]
impl SystemStore for SqlStore {
    async fn ping(&self) -> Result<()> {
        on_pool!(&self.pool, |p| sqlx::query("select 1").execute(p).await.map(drop).map_err(Error::storage))
    }

    async fn system_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let sql = "select value from system_record where record_key = $1";
        on_pool!(&self.pool, |p| sqlx::query_scalar(sql).bind(key).fetch_optional(p).await.map_err(Error::storage))
    }

    async fn system_put_if_absent(&self, key: &str, value: &[u8]) -> Result<Vec<u8>> {
        let insert =
            "insert into system_record (record_key, value) values ($1, $2) on conflict (record_key) do nothing";
        on_pool!(&self.pool, |p| sqlx::query(insert)
            .bind(key)
            .bind(value)
            .execute(p)
            .await
            .map(drop)
            .map_err(Error::storage))?;
        self.system_get(key).await?.ok_or_else(|| Error::Internal(format!("system record {key} vanished")))
    }
}

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

/// Maps a unique-constraint violation to [`Error::Conflict`], anything else to a storage failure.
fn on_unique(err: sqlx::Error, message: &str) -> Error {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Error::Conflict(message.to_owned()),
        _ => Error::storage(err),
    }
}
