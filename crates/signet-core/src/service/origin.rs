//! Which API made a flow, and so in whose callbacks its transitions are reported.
//!
//! A flow made through a vendor dialect can change through every path Signet has: its dialect's
//! routes, the signing pages, the native API and the expiry job. Whatever the path, the platform
//! that created the flow hears of it in the callbacks it understands, and the flow completes
//! when that platform's rules say so. The origin is read from the flow's audit trail, where the
//! dialect's creation entry and its tasks are recorded.

use serde_json::json;
use time::OffsetDateTime;
use tracing::info;

use super::Signet;
use super::esign::EsignTrail;
use super::flows::{MAX_REBASES, flow_scope};
use super::sign_pages::{PageTerms, SealOffer};
use crate::accounts::AccountId;
use crate::audit::AuditEntry;
use crate::flows::{FlowRecord, FlowStatus};
use crate::ids::AppId;
use crate::ports::FlowChange;
use crate::wosign_orders::WosignOrder;
use crate::{Error, Result};

/// The API a flow was made through.
#[derive(Debug)]
pub(super) enum FlowOrigin {
    Native,
    Esign(EsignTrail),
    /// A WoSignDoc order's flow: no native events; `PushSignedDoc` when it ends.
    Wosign(WosignOrder),
}

impl FlowOrigin {
    /// Whether the last signer's signature completes the flow. An e签宝 flow stays open until
    /// the platform archives it: `archiveProcess` is its end.
    pub(super) fn completes_when_all_signed(&self) -> bool {
        matches!(self, Self::Native | Self::Wosign(_))
    }
}

impl Signet {
    /// What the signing page asks of a signer of the flow: the seals the dialect's task allowed
    /// (else every kind) and whether the documents' edit password must be typed.
    pub(super) async fn page_terms(&self, flow: &FlowRecord, account: &AccountId) -> Result<PageTerms> {
        Ok(match self.flow_origin(flow).await? {
            FlowOrigin::Native | FlowOrigin::Wosign(_) => {
                PageTerms { offer: SealOffer::default(), document_password: false }
            }
            FlowOrigin::Esign(trail) => {
                PageTerms { offer: trail.seal_offer(account), document_password: trail.encrypted() }
            }
        })
    }

    /// The origin of a flow, from its audit trail.
    pub(super) async fn flow_origin(&self, flow: &FlowRecord) -> Result<FlowOrigin> {
        let records = self.store.audit_list(&flow.app_id, &flow_scope(&flow.id)).await?;
        if let Some(trail) = EsignTrail::read(&records) {
            return Ok(FlowOrigin::Esign(trail));
        }
        Ok(self.wosign_order_of(flow, &records).await?.map_or(FlowOrigin::Native, FlowOrigin::Wosign))
    }

    /// The atomic change of a transition: the new state, its audit entries, and the callbacks
    /// the flow's origin owes for it.
    pub(super) async fn change_for(
        &self,
        origin: &FlowOrigin,
        before: &FlowRecord,
        after: FlowRecord,
        action: &str,
        detail: serde_json::Value,
        now: OffsetDateTime,
    ) -> Result<FlowChange> {
        let app = &before.app_id;
        let completed = after.status == FlowStatus::Completed && before.status != FlowStatus::Completed;
        let mut audit = vec![AuditEntry::new(app, flow_scope(&before.id), action, detail.clone(), now)];
        if completed {
            audit.push(AuditEntry::new(app, flow_scope(&before.id), "flow.completed", json!({}), now));
        }
        let events = match origin {
            FlowOrigin::Native => {
                let mut events = vec![self.event(&after, action, detail, now).await?];
                if completed {
                    events.push(self.event(&after, "flow.completed", json!({}), now).await?);
                }
                events
            }
            FlowOrigin::Esign(trail) => self.esign_events(trail, before, &after, now).await?,
            FlowOrigin::Wosign(order) => self.wosign_events(order, before, &after, now).await?,
        };
        Ok(FlowChange { flow: after, expected_updated_at: before.updated_at, audit, events })
    }

    /// Records that a signer's signature could not be made as placed (a keyword that is not in
    /// the document, a page it does not have) and tells the flow's creator, who can withdraw the
    /// task and issue a corrected one; the signer stays waiting.
    pub(super) async fn report_signing_failure(
        &self,
        app: &AppId,
        flow_id: &str,
        account: &AccountId,
        reason: &str,
    ) -> Result<()> {
        for _ in 0..MAX_REBASES {
            let flow = self.flow(app, flow_id).await?;
            let signer = flow.signer(account).ok_or(Error::NotFound("signer"))?.clone();
            let now = self.clock.now();
            let mut next = flow.clone();
            next.updated_at = now;
            let detail = json!({"accountId": account.as_str(), "reason": reason});
            let events = match self.flow_origin(&flow).await? {
                FlowOrigin::Native => vec![self.event(&next, "flow.signer.failed", detail.clone(), now).await?],
                FlowOrigin::Esign(trail) => vec![self.esign_failure_event(&trail, &next, &signer, reason, now).await?],
                // The document's only callback reports an order's end; the signer stays waiting.
                FlowOrigin::Wosign(_) => Vec::new(),
            };
            let audit = vec![AuditEntry::new(&flow.app_id, flow_scope(&flow.id), "flow.signer.failed", detail, now)];
            let change = FlowChange { flow: next, expected_updated_at: flow.updated_at, audit, events };
            match self.store.flow_update(&change).await {
                Ok(()) => {
                    info!(flow.id = %flow.id, account.id = %account, "reported a signature that could not be made");
                    return Ok(());
                }
                Err(Error::ConcurrentUpdate(_)) => continue,
                Err(err) => return Err(err),
            }
        }
        Err(Error::Conflict("the flow kept changing; retry".into()))
    }
}
