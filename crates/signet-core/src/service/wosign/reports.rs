//! What the flow of a WoSignDoc order reports when it changes on a path other than the automatic
//! driver — a signing page, the native API, the expiry job. The document knows one callback:
//! `PushSignedDoc`. So steps in between report nothing; the flow completing pushes the signed
//! PDF; the flow ending otherwise (a signer refusing on the page, a revocation, the deadline)
//! pushes `status` 0. The events are returned to the transition, which commits them with the
//! change itself.

use time::OffsetDateTime;

use super::super::Signet;
use super::push::{PushNotice, PushOutcome, push_body};
use super::sha256_of;
use super::signing::FAILED_CODE;
use crate::audit::AuditRecord;
use crate::events::OutboxEvent;
use crate::flows::{FlowRecord, FlowStatus};
use crate::wosign_orders::WosignOrder;
use crate::{Error, Result};

impl Signet {
    /// The order a flow was created for, named in the flow's creation entry; `None` for a flow
    /// made otherwise.
    pub(in crate::service) async fn wosign_order_of(
        &self,
        flow: &FlowRecord,
        records: &[AuditRecord],
    ) -> Result<Option<WosignOrder>> {
        let creation = records.iter().find(|r| r.entry.action == "flow.created");
        let Some(sign_id) = creation.and_then(|r| r.entry.detail["wosign"]["signId"].as_str()) else {
            return Ok(None);
        };
        let order = self.store.wosign_order_by_sign_id(&flow.app_id, sign_id).await?;
        // A replaced order (its number reused after it failed) belongs to another flow now.
        Ok(order.filter(|o| o.flow_id.as_ref() == Some(&flow.id)))
    }

    /// The outbox events a transition of the order's flow owes the platform.
    pub(in crate::service) async fn wosign_events(
        &self,
        order: &WosignOrder,
        before: &FlowRecord,
        after: &FlowRecord,
        now: OffsetDateTime,
    ) -> Result<Vec<OutboxEvent>> {
        if before.status == after.status || !before.status.is_open() {
            return Ok(Vec::new());
        }
        let body = match after.status {
            FlowStatus::Completed => {
                let document = after.documents.first().ok_or(Error::NotFound("document"))?;
                let content = self.blobs.get(&document.current_key).await?;
                let hash = sha256_of(&content);
                push_body(&PushNotice {
                    sign_id: &order.sign_id,
                    order_number: &order.order_number,
                    outcome: PushOutcome::Signed { content: &content, hash },
                })
            }
            FlowStatus::Rejected | FlowStatus::Revoked | FlowStatus::Expired => push_body(&PushNotice {
                sign_id: &order.sign_id,
                order_number: &order.order_number,
                outcome: PushOutcome::Failed { codes: vec![FAILED_CODE] },
            }),
            FlowStatus::Draft | FlowStatus::Signing => return Ok(Vec::new()),
        };
        Ok(vec![self.wosign_event(order, body, now).await?])
    }
}
