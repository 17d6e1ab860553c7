//! Deployment-wide records.

use async_trait::async_trait;
use signet_core::ports::SystemStore;
use signet_core::{Error, Result};

use super::{Pool, SqlStore, on_pool};

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
