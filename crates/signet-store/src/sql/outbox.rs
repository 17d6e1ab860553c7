//! The callback outbox: events written with state changes, claimed by delivery workers.

use async_trait::async_trait;
use signet_core::events::{EventId, OutboxEvent};
use signet_core::ids::AppId;
use signet_core::ports::OutboxStore;
use signet_core::{Error, Result};
use time::OffsetDateTime;

use super::{Pool, SqlStore, on_pool};

const EVENT_COLUMNS: &str =
    "event_id, app_id, event, body, target_url, attempts, next_attempt_at, delivered_at, last_error, created_at";

/// Inserts `$event` on the open transaction `$tx` (either driver).
macro_rules! insert_event {
    ($tx:expr, $event:expr) => {{
        let event: &signet_core::events::OutboxEvent = $event;
        sqlx::query(
            "insert into outbox_event (event_id, app_id, event, body, target_url, attempts, next_attempt_at, \
             delivered_at, last_error, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(event.id.as_str())
        .bind(event.app_id.as_str())
        .bind(&event.event)
        .bind(&event.body)
        .bind(&event.target_url)
        .bind(event.attempts)
        .bind(event.next_attempt_at)
        .bind(event.delivered_at)
        .bind(&event.last_error)
        .bind(event.created_at)
        .execute(&mut *$tx)
        .await
        .map_err(signet_core::Error::storage)?;
    }};
}
pub(crate) use insert_event;

#[derive(sqlx::FromRow)]
struct EventRow {
    event_id: String,
    app_id: String,
    event: String,
    body: String,
    target_url: Option<String>,
    attempts: i32,
    next_attempt_at: OffsetDateTime,
    delivered_at: Option<OffsetDateTime>,
    last_error: Option<String>,
    created_at: OffsetDateTime,
}

impl TryFrom<EventRow> for OutboxEvent {
    type Error = Error;

    fn try_from(row: EventRow) -> Result<Self> {
        Ok(Self {
            id: EventId::parse(&row.event_id)?,
            app_id: AppId::parse(&row.app_id)?,
            event: row.event,
            body: row.body,
            target_url: row.target_url,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            delivered_at: row.delivered_at,
            last_error: row.last_error,
            created_at: row.created_at,
        })
    }
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn outbox_claim(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<OutboxEvent>> {
        // PostgreSQL: SKIP LOCKED lets workers on several nodes claim disjoint batches without
        // waiting on each other. SQLite serialises writers, so the plain subquery is enough.
        let lock = match self.pool {
            Pool::Sqlite(_) => "",
            Pool::Postgres(_) => "for update skip locked",
        };
        let sql = format!(
            "update outbox_event set lease_until = $2 where event_id in (\
                 select event_id from outbox_event where delivered_at is null and target_url is not null \
                 and next_attempt_at <= $1 and (lease_until is null or lease_until < $1) \
                 order by next_attempt_at limit $3 {lock}) \
             returning {EVENT_COLUMNS}"
        );
        let rows: Vec<EventRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(now).bind(lease_until).bind(limit).fetch_all(p).await)
                .map_err(Error::storage)?;
        rows.into_iter().map(OutboxEvent::try_from).collect()
    }

    async fn outbox_record_attempt(
        &self,
        id: &EventId,
        delivered_at: Option<OffsetDateTime>,
        next_attempt_at: Option<OffsetDateTime>,
        error: Option<&str>,
    ) -> Result<()> {
        // Giving up keeps the event (pull mode can still fetch it) but removes its target time far ahead.
        // An event the app confirmed while this attempt was in flight stays confirmed: the attempt
        // must not reopen it (it would be pushed and listed again).
        let sql = "update outbox_event set attempts = attempts + 1, delivered_at = $2, \
                   next_attempt_at = coalesce($3, next_attempt_at), lease_until = null, last_error = $4, \
                   target_url = case when $2 is null and $3 is null then null else target_url end \
                   where event_id = $1 and delivered_at is null";
        on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(id.as_str())
            .bind(delivered_at)
            .bind(next_attempt_at)
            .bind(error)
            .execute(p)
            .await
            .map(drop))
        .map_err(Error::storage)
    }

    async fn outbox_pending(&self, app: &AppId, limit: i64) -> Result<Vec<OutboxEvent>> {
        let sql = format!(
            "select {EVENT_COLUMNS} from outbox_event where app_id = $1 and delivered_at is null \
             order by created_at, event_id limit $2"
        );
        let rows: Vec<EventRow> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(app.as_str()).bind(limit).fetch_all(p).await)
                .map_err(Error::storage)?;
        rows.into_iter().map(OutboxEvent::try_from).collect()
    }

    async fn outbox_confirm(&self, app: &AppId, id: &EventId, at: OffsetDateTime) -> Result<bool> {
        let sql = "update outbox_event set delivered_at = $3, lease_until = null \
                   where app_id = $1 and event_id = $2 and delivered_at is null";
        let done = on_pool!(&self.pool, |p| sqlx::query(sql)
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(at)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .map_err(Error::storage)?;
        Ok(done > 0)
    }
}
