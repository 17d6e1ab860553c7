//! Callback events, written to a durable outbox in the same transaction as the state change
//! they report, and delivered by a background worker.

use time::OffsetDateTime;

use crate::ids::AppId;

crate::ids::random_id!(
    /// The identifier of an event (also sent to the receiver, to deduplicate).
    EventId,
    "event"
);

/// An event waiting in (or delivered from) the outbox.
#[derive(Debug, Clone)]
pub struct OutboxEvent {
    pub id: EventId,
    pub app_id: AppId,
    /// `flow.started`, `flow.signer.signed`, ...
    pub event: String,
    /// The JSON body to deliver, exactly as it will be signed.
    pub body: String,
    /// Where to deliver; `None` when the app has no callback URL (kept for pull mode).
    pub target_url: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub delivered_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
}

impl OutboxEvent {
    /// A new event, due now.
    pub fn new(app_id: &AppId, event: &str, body: String, target_url: Option<String>, now: OffsetDateTime) -> Self {
        Self {
            id: EventId::generate(),
            app_id: app_id.clone(),
            event: event.to_owned(),
            body,
            target_url,
            attempts: 0,
            next_attempt_at: now,
            delivered_at: None,
            last_error: None,
            created_at: now,
        }
    }
}
