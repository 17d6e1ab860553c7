//! [`SqlStore`]: the metadata ports on SQLite (default) or PostgreSQL.
//!
//! The SQL is written once where both dialects agree (`$1` placeholders, `on conflict`), and each
//! query is monomorphised for both drivers by [`on_pool!`]; rows decode through `FromRow`, which
//! is generic over the driver. Migrations are kept per dialect, numbered in lockstep, because
//! column types differ (`blob`/`bytea`, text/`timestamptz`).

use std::str::FromStr;
use std::time::Duration;

use signet_core::{Error, Result};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

/// A connection pool to one of the supported databases.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

mod accounts;
mod apps;
mod audit;
mod certificates;
mod codes;
mod counters;
mod evidence;
mod files;
mod flows;
mod links;
mod outbox;
mod seals;
mod system;
mod templates;
mod verification;
mod wosign;

/// Runs the same query code against whichever driver the pool holds.
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// The metadata store.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) pool: Pool,
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

/// Parses an object key read back from the database.
pub(crate) fn blob_key(raw: &str) -> Result<signet_core::ports::BlobKey> {
    signet_core::ports::BlobKey::parse(raw).ok_or_else(|| Error::Internal(format!("stored object key {raw:?}")))
}

/// Maps a unique-constraint violation to [`Error::Conflict`], anything else to a storage failure.
pub(crate) fn on_unique(err: sqlx::Error, message: &str) -> Error {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Error::Conflict(message.to_owned()),
        _ => Error::storage(err),
    }
}
