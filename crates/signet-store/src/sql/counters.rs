//! Named counters (TSA serial numbers, CRL numbers), atomic across processes.

use async_trait::async_trait;
use signet_core::ports::CounterStore;
use signet_core::{Error, Result};

use super::{Pool, SqlStore, on_pool};

#[async_trait]
impl CounterStore for SqlStore {
    async fn counter_next(&self, name: &str) -> Result<i64> {
        // One statement: the upsert takes the row lock, so concurrent callers are serialised.
        let sql = "insert into counter (name, value) values ($1, 1) \
                   on conflict (name) do update set value = counter.value + 1 returning value";
        on_pool!(&self.pool, |p| sqlx::query_scalar(sql).bind(name).fetch_one(p).await).map_err(Error::storage)
    }
}
