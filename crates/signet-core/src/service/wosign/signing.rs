//! The automatic signing of orders: each signer in list order, with its own certificate and
//! the seal chosen at creation, inside its rectangles. Driven by the background worker of every
//! node; an order is leased to one node at a time and each signature commits optimistically, so
//! a restart or a second node never signs twice and never loses a signature.

use bytes::Bytes;
use serde_json::json;
use tracing::{info, warn};

use super::super::Signet;
use super::super::flows::{flow_scope, sign_request};
use super::push::{PUSH_SIGNED_DOC, PushNotice, PushOutcome, push_body};
use super::{EVENT_PREFIX, password_context, sha256_of};
use crate::audit::AuditEntry;
use crate::events::OutboxEvent;
use crate::flows::{Field, FlowRecord, FlowSigner, FlowStatus, SignerStatus};
use crate::ports::FlowChange;
use crate::wosign_orders::WosignOrder;
use crate::{Error, Result};

/// How long a node keeps an order it drives.
const LEASE: time::Duration = time::Duration::minutes(5);
/// Orders one pass takes on.
const BATCH: i64 = 5;
/// Retries after another node changed the flow first.
const MAX_REBASES: usize = 5;
/// The code a failed order reports (-69 内部服务器错误).
pub(super) const FAILED_CODE: i64 = -69;

impl Signet {
    /// One pass of the driver: leases orders whose flow is signing and signs them to the end.
    /// Returns how many orders it worked on.
    pub async fn wosign_drive_orders(&self) -> Result<usize> {
        let now = self.clock.now();
        let orders = self.store.wosign_orders_claim(now, now + LEASE, BATCH).await?;
        let count = orders.len();
        for order in orders {
            if let Err(err) = self.wosign_drive(&order).await {
                warn!(order.sign_id = %order.sign_id, error = %err, "WoSignDoc order signing will be retried");
            }
            self.store.wosign_order_release(&order.sign_id).await?;
        }
        Ok(count)
    }

    /// Signs the order's waiting signers in order; a signer that cannot sign ends the order as
    /// failed (reported by `PushSignedDoc` with status 0).
    async fn wosign_drive(&self, order: &WosignOrder) -> Result<()> {
        let flow_id = order.flow_id.as_ref().ok_or(Error::NotFound("flow"))?;
        let mut rebases = 0;
        loop {
            let flow = self.store.flow_get(&order.app_id, flow_id).await?.ok_or(Error::NotFound("flow"))?;
            if flow.status != FlowStatus::Signing {
                return Ok(());
            }
            let Some(signer) =
                flow.signers.iter().filter(|s| s.status == SignerStatus::Waiting).min_by_key(|s| s.order)
            else {
                return Ok(());
            };
            match self.wosign_sign_next(order, &flow, signer).await {
                Ok(()) => {}
                Err(Error::ConcurrentUpdate(_)) if rebases < MAX_REBASES => {
                    rebases += 1;
                }
                Err(
                    err @ (Error::InvalidInput { .. } | Error::Forbidden(_) | Error::NotFound(_) | Error::Conflict(_)),
                ) => {
                    warn!(order.sign_id = %order.sign_id, error = %err, "WoSignDoc order failed");
                    return self.wosign_fail(order, &flow, &err.to_string()).await;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// Signs for one signer and commits; the last signature also commits the push.
    async fn wosign_sign_next(&self, order: &WosignOrder, flow: &FlowRecord, signer: &FlowSigner) -> Result<()> {
        let app = &order.app_id;
        let now = self.clock.now();
        let account = self.store.account_get(app, &signer.account_id).await?.ok_or(Error::NotFound("account"))?;
        if !account.active {
            return Err(Error::Forbidden(format!("signer {} is deactivated", account.id)));
        }
        let seal = self.seal_for_signing(&account, signer.seal_id.as_ref()).await?;
        let certificate = self.account_certificate(&account).await?;
        let password = match &order.password_sealed {
            Some(sealed) => {
                let clear = self.keys.open(sealed, password_context(&order.sign_id).as_bytes())?;
                Some(String::from_utf8(clear).map_err(|_| Error::Internal("sealed password is not UTF-8".into()))?)
            }
            None => None,
        };
        let seal_png = self.blobs.get(&seal.image_key).await?;
        let mut next = flow.clone();
        let mut signed_documents = Vec::new();
        for document in &mut next.documents {
            let fields: Vec<&Field> = signer.fields.iter().filter(|f| f.document == document.position).collect();
            // A signer without any position (a template order without signlist) signs every
            // document invisibly; one with positions signs only where it has them.
            if fields.is_empty() && !signer.fields.is_empty() {
                continue;
            }
            let before = self.blobs.get(&document.current_key).await?;
            let mut request = sign_request(&fields, &seal_png, &seal, &account, now);
            request.user_password = password.clone();
            let signed = self.sign_pdf(before, request, &certificate).await?;
            document.current_key = self.blobs.put(Bytes::from(signed)).await?;
            document.revision += 1;
            signed_documents.push(json!({"document": document.position, "after": document.current_key.as_str()}));
        }
        let entry = next.signers.iter_mut().find(|s| s.account_id == account.id).ok_or(Error::NotFound("signer"))?;
        entry.status = SignerStatus::Signed;
        entry.signed_at = Some(now);
        entry.seal_id = Some(seal.id.clone());
        next.updated_at = now;
        let scope = flow_scope(&flow.id);
        let detail = json!({
            "accountId": account.id.as_str(),
            "sealId": seal.id.as_str(),
            "certificateSerial": certificate.serial,
            "mode": "wosign",
            "documents": signed_documents,
        });
        let mut audit = vec![AuditEntry::new(app, scope.clone(), "flow.signer.signed", detail, now)];
        let mut events = Vec::new();
        if next.signers.iter().all(|s| s.status == SignerStatus::Signed) {
            next.status = FlowStatus::Completed;
            let document = next.documents.first().ok_or(Error::NotFound("document"))?;
            let content = self.blobs.get(&document.current_key).await?;
            let hash = sha256_of(&content);
            audit.push(AuditEntry::new(app, scope, "flow.completed", json!({"sha256": hash}), now));
            let notice = PushNotice {
                sign_id: &order.sign_id,
                order_number: &order.order_number,
                outcome: PushOutcome::Signed { content: &content, hash },
            };
            events.push(self.wosign_event(order, push_body(&notice), now).await?);
        }
        let change = FlowChange { flow: next.clone(), expected_updated_at: flow.updated_at, audit, events };
        self.store.flow_update(&change).await?;
        info!(flow.id = %flow.id, account.id = %account.id, completed = next.status == FlowStatus::Completed, "signed a WoSignDoc order");
        self.log_signed_documents(&next).await;
        Ok(())
    }

    /// Ends the order's flow as revoked and reports it with status 0.
    async fn wosign_fail(&self, order: &WosignOrder, flow: &FlowRecord, reason: &str) -> Result<()> {
        let now = self.clock.now();
        let mut next = flow.clone();
        next.status = FlowStatus::Revoked;
        next.updated_at = now;
        let audit = vec![AuditEntry::new(
            &order.app_id,
            flow_scope(&flow.id),
            "flow.revoked",
            json!({"reason": format!("automatic signing failed: {reason}")}),
            now,
        )];
        let notice = PushNotice {
            sign_id: &order.sign_id,
            order_number: &order.order_number,
            outcome: PushOutcome::Failed { codes: vec![FAILED_CODE] },
        };
        let events = vec![self.wosign_event(order, push_body(&notice), now).await?];
        let change = FlowChange { flow: next, expected_updated_at: flow.updated_at, audit, events };
        self.store.flow_update(&change).await
    }

    /// A `PushSignedDoc` outbox event to the app's callback URL (none: pull mode only).
    pub(in crate::service) async fn wosign_event(
        &self,
        order: &WosignOrder,
        body: String,
        now: time::OffsetDateTime,
    ) -> Result<OutboxEvent> {
        let target = self.app(&order.app_id).await?.callback_url;
        Ok(OutboxEvent::new(&order.app_id, &format!("{EVENT_PREFIX}{PUSH_SIGNED_DOC}"), body, target, now))
    }
}
