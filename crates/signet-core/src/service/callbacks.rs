//! Callback delivery: claims due outbox events, posts them signed, and schedules retries.
//!
//! Every node runs the same worker; the lease taken when claiming keeps two nodes from posting
//! the same event at once, and an event stays in the outbox until it is delivered, so deliveries
//! survive restarts.

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tracing::{info, warn};

use super::Signet;
use crate::events::{EventId, OutboxEvent};
use crate::ids::AppId;
use crate::{Error, Result};

/// How many events one worker pass claims.
const BATCH: i64 = 20;

/// Sends one callback request; implemented over HTTP by the binary (with SSRF-safe resolution).
#[async_trait]
pub trait CallbackTransport: Send + Sync {
    /// POSTs `body` with `headers` to `url` and returns what the receiver answered, within `timeout`.
    async fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
        timeout: Duration,
    ) -> Result<CallbackReply>;
}

/// A receiver's answer: the status and the start of the body (some dialects acknowledge in it).
#[derive(Debug, Clone, Default)]
pub struct CallbackReply {
    pub status: u16,
    /// At most the first kilobyte.
    pub body: String,
}

/// When to retry a failed delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backoff {
    /// `base`, 2×`base`, 4×`base`, ... capped at one day.
    Exponential { base: Duration },
    /// Always the same wait (e签宝: 30 minutes).
    Fixed { every: Duration },
}

/// The delivery rules of a deployment.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPolicy {
    pub timeout: Duration,
    pub max_attempts: i32,
    pub backoff: Backoff,
}

impl DeliveryPolicy {
    /// e签宝's documented schedule: 6 attempts, 30 minutes apart, 2 seconds to answer.
    pub const ESIGN: Self = Self {
        timeout: Duration::from_secs(2),
        max_attempts: 6,
        backoff: Backoff::Fixed { every: Duration::from_secs(1800) },
    };

    /// The wait after the `attempts`-th failure.
    pub fn wait_after(&self, attempts: i32) -> Duration {
        match self.backoff {
            Backoff::Fixed { every } => every,
            Backoff::Exponential { base } => {
                let factor = 2u32.saturating_pow(attempts.saturating_sub(1).clamp(0, 20) as u32);
                base.saturating_mul(factor).min(Duration::from_secs(24 * 3600))
            }
        }
    }
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            max_attempts: 8,
            backoff: Backoff::Exponential { base: Duration::from_secs(10) },
        }
    }
}

impl Signet {
    /// One pass of the delivery worker; returns how many events were attempted.
    pub async fn deliver_due_callbacks(
        &self,
        transport: &dyn CallbackTransport,
        policy: &DeliveryPolicy,
    ) -> Result<usize> {
        let now = self.clock.now();
        let lease = now + time::Duration::seconds(60) + policy.timeout;
        let events = self.store.outbox_claim(now, lease, BATCH).await?;
        let count = events.len();
        for event in events {
            self.deliver(transport, policy, event).await?;
        }
        Ok(count)
    }

    /// Undelivered events of the app, oldest first (pull mode: for apps that cannot receive pushes).
    pub async fn pending_events(&self, app: &AppId, limit: i64) -> Result<Vec<OutboxEvent>> {
        if !(1..=200).contains(&limit) {
            return Err(Error::invalid("limit", "expected 1 to 200"));
        }
        self.store.outbox_pending(app, limit).await
    }

    /// Confirms an event: it will not be delivered again, pushed or pulled.
    pub async fn confirm_event(&self, app: &AppId, id: &str) -> Result<()> {
        let id = EventId::parse(id)?;
        if self.store.outbox_confirm(app, &id, self.clock.now()).await? {
            Ok(())
        } else {
            Err(Error::NotFound("event"))
        }
    }

    async fn deliver(
        &self,
        transport: &dyn CallbackTransport,
        policy: &DeliveryPolicy,
        event: OutboxEvent,
    ) -> Result<()> {
        let Some(url) = event.target_url.clone() else { return Ok(()) };
        let headers = self.callback_headers(&event).await?;
        let outcome = transport.post(&url, &headers, &event.body, policy.timeout).await;
        let now = self.clock.now();
        let failure = match outcome {
            Ok(reply) => acknowledgement_failure(&event, &reply),
            Err(err) => Some(err.to_string()),
        };
        match failure {
            None => {
                info!(event.id = %event.id, event.name = %event.event, "callback delivered");
                self.store.outbox_record_attempt(&event.id, Some(now), None, None).await
            }
            Some(reason) => {
                let attempts = event.attempts + 1;
                let next = (attempts < policy.max_attempts).then(|| {
                    now + time::Duration::try_from(policy.wait_after(attempts)).unwrap_or(time::Duration::HOUR)
                });
                warn!(event.id = %event.id, attempts, error = %reason, gave_up = next.is_none(), "callback failed");
                self.store.outbox_record_attempt(&event.id, None, next, Some(&reason)).await
            }
        }
    }

    /// Headers of a callback: event name and id, a timestamp, and the HMAC of the raw body under
    /// the app's callback secret (`X-Signet-Signature: sha256=<hex>`), when the app has one.
    async fn callback_headers(&self, event: &OutboxEvent) -> Result<Vec<(String, String)>> {
        if event.event.starts_with(super::esign::EVENT_PREFIX) {
            return self.esign_callback_headers(event).await;
        }
        let mut headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-Signet-Event".to_owned(), event.event.clone()),
            ("X-Signet-Event-Id".to_owned(), event.id.to_string()),
            ("X-Signet-Timestamp".to_owned(), self.clock.now().unix_timestamp().to_string()),
        ];
        if let Some(secret) = self.app_callback_secret(&event.app_id).await? {
            let mut mac = Hmac::<Sha256>::new_from_slice(&secret).map_err(|_| Error::Internal("HMAC key".into()))?;
            mac.update(event.body.as_bytes());
            headers.push((
                "X-Signet-Signature".to_owned(),
                format!("sha256={}", hex::encode(mac.finalize().into_bytes())),
            ));
        }
        Ok(headers)
    }
}

/// Why a receiver's answer does not acknowledge the event, if it does not. Native and e签宝
/// receivers acknowledge with any 2xx/3xx status; a WoSignDoc receiver must also answer the body
/// `1` ("返回 1 接收表示接收成功且文件校验正确").
fn acknowledgement_failure(event: &OutboxEvent, reply: &CallbackReply) -> Option<String> {
    if !(200..400).contains(&reply.status) {
        return Some(format!("the receiver answered HTTP {}", reply.status));
    }
    if event.event.starts_with(super::wosign::EVENT_PREFIX) && reply.body.trim() != "1" {
        let body: String = reply.body.trim().chars().take(40).collect();
        return Some(format!("the receiver answered {body:?}, not 1"));
    }
    None
}
