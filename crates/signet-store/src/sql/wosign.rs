//! WoSignDoc orders.

use async_trait::async_trait;
use signet_core::flows::FlowId;
use signet_core::ids::AppId;
use signet_core::ports::WosignStore;
use signet_core::wosign_orders::{WosignOrder, WosignSigning};
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool, on_unique};

const COLUMNS: &str = "sign_id, app_id, order_number, flow_id, password_sealed, materials, signing, created_at";

#[derive(sqlx::FromRow)]
struct OrderRow {
    sign_id: String,
    app_id: String,
    order_number: String,
    flow_id: Option<String>,
    password_sealed: Option<Vec<u8>>,
    materials: String,
    signing: String,
    created_at: OffsetDateTime,
}

impl TryFrom<OrderRow> for WosignOrder {
    type Error = Error;

    fn try_from(row: OrderRow) -> Result<Self> {
        Ok(Self {
            sign_id: row.sign_id,
            app_id: AppId::parse(&row.app_id)?,
            order_number: row.order_number,
            flow_id: row.flow_id.as_deref().map(FlowId::parse).transpose()?,
            password_sealed: row.password_sealed,
            materials: row.materials,
            signing: WosignSigning::parse(&row.signing)
                .ok_or_else(|| Error::Internal(format!("unknown signing policy {:?}", row.signing)))?,
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl WosignStore for SqlStore {
    async fn wosign_order_insert(&self, order: &WosignOrder) -> Result<()> {
        let sql = format!("insert into wosign_order ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8)");
        on_pool!(&self.pool, |p| sqlx::query(&sql)
            .bind(&order.sign_id)
            .bind(order.app_id.as_str())
            .bind(&order.order_number)
            .bind(order.flow_id.as_ref().map(|f| f.as_str()))
            .bind(&order.password_sealed)
            .bind(&order.materials)
            .bind(order.signing.as_str())
            .bind(order.created_at)
            .execute(p)
            .await
            .map(drop))
        .map_err(|e| on_unique(e, "the order number is already used"))
    }

    async fn wosign_order_get(&self, app: &AppId, order_number: &str) -> Result<Option<WosignOrder>> {
        let sql = format!("select {COLUMNS} from wosign_order where app_id = $1 and order_number = $2");
        let row: Option<OrderRow> = on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(app.as_str())
            .bind(order_number)
            .fetch_optional(p)
            .await)
        .map_err(Error::storage)?;
        row.map(WosignOrder::try_from).transpose()
    }

    async fn wosign_order_by_sign_id(&self, app: &AppId, sign_id: &str) -> Result<Option<WosignOrder>> {
        let sql = format!("select {COLUMNS} from wosign_order where app_id = $1 and sign_id = $2");
        let row: Option<OrderRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(app.as_str()).bind(sign_id).fetch_optional(p).await)
                .map_err(Error::storage)?;
        row.map(WosignOrder::try_from).transpose()
    }

    async fn wosign_order_replace(&self, old_sign_id: &str, order: &WosignOrder) -> Result<bool> {
        let sql = "update wosign_order set sign_id = $2, flow_id = $3, password_sealed = $4, materials = $5, \
                   lease_until = null, created_at = $6, signing = $9 \
                   where sign_id = $1 and app_id = $7 and order_number = $8";
        let done = on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(old_sign_id)
            .bind(&order.sign_id)
            .bind(order.flow_id.as_ref().map(|f| f.as_str()))
            .bind(&order.password_sealed)
            .bind(&order.materials)
            .bind(order.created_at)
            .bind(order.app_id.as_str())
            .bind(&order.order_number)
            .bind(order.signing.as_str())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .map_err(Error::storage)?;
        Ok(done > 0)
    }

    async fn wosign_order_set_flow(&self, sign_id: &str, flow: &FlowId) -> Result<()> {
        let sql = "update wosign_order set flow_id = $2 where sign_id = $1";
        on_pool!(&self.pool, |p| sqlx::query(sql).bind(sign_id).bind(flow.as_str()).execute(p).await.map(drop))
            .map_err(Error::storage)
    }

    async fn wosign_orders_claim(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<WosignOrder>> {
        // As for the outbox: SKIP LOCKED keeps PostgreSQL nodes on disjoint orders; SQLite
        // serialises writers.
        let lock = match self.pool {
            Pool::Sqlite(_) => "",
            Pool::Postgres(_) => "for update of o skip locked",
        };
        let sql = format!(
            "update wosign_order set lease_until = $2 where sign_id in (\
                 select o.sign_id from wosign_order o join flow f on f.flow_id = o.flow_id \
                 where f.status = 'signing' and o.signing = 'auto' \
                 and (o.lease_until is null or o.lease_until < $1) \
                 order by o.created_at limit $3 {lock}) \
             and (lease_until is null or lease_until < $1) \
             returning {COLUMNS}"
        );
        let rows: Vec<OrderRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(now).bind(lease_until).bind(limit).fetch_all(p).await)
                .map_err(Error::storage)?;
        rows.into_iter().map(WosignOrder::try_from).collect()
    }

    async fn wosign_order_release(&self, sign_id: &str) -> Result<()> {
        let sql = "update wosign_order set lease_until = null where sign_id = $1";
        on_pool!(&self.pool, |p| sqlx::query(sql).bind(sign_id).execute(p).await.map(drop)).map_err(Error::storage)
    }
}
