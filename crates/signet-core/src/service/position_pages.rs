//! The initiator's drag-positioning page (拖章定位): before a flow starts, whoever holds its
//! positioning link places each signer's fields on the documents; the result replaces those
//! signers' fields on the draft flow (audited).

use serde_json::json;

use super::Signet;
use super::flows::flow_scope;
use super::sign_pages::PagePlacement;
use crate::accounts::{AccountId, AccountRecord};
use crate::audit::AuditEntry;
use crate::flows::{FlowRecord, FlowStatus};
use crate::ids::AppId;
use crate::links::{IssuedLink, LinkPurpose, NewLink, PageLinkRecord};
use crate::ports::FlowChange;
use crate::{Error, Result};

/// Most fields one save may place.
const MAX_FIELDS: usize = 200;

impl Signet {
    /// Issues the positioning link of a draft flow (re-issuing kills the previous one).
    pub async fn issue_position_link(
        &self,
        app: &AppId,
        flow_id: &str,
        ttl: Option<time::Duration>,
    ) -> Result<IssuedLink> {
        let flow = self.flow(app, flow_id).await?;
        if flow.status != FlowStatus::Draft {
            return Err(Error::Conflict("fields can only be positioned on a draft flow".into()));
        }
        let new = NewLink {
            purpose: LinkPurpose::Position,
            flow_id: Some(flow.id.clone()),
            account_id: None,
            detail: json!({}),
            redirect_url: None,
            ttl,
        };
        self.issue_link(app, new).await
    }

    /// The flow of a positioning link and its signers' accounts, in signing order.
    pub async fn position_page(&self, link: &PageLinkRecord) -> Result<(FlowRecord, Vec<AccountRecord>)> {
        if link.purpose != LinkPurpose::Position {
            return Err(Error::NotFound("link"));
        }
        let flow = self.link_flow(link).await?;
        let mut accounts = Vec::new();
        for signer in &flow.signers {
            accounts.push(self.account(&flow.app_id, signer.account_id.as_str()).await?);
        }
        Ok((flow, accounts))
    }

    /// Replaces the fields of every signer named in `placements` with fixed positions there.
    pub async fn position_save(
        &self,
        link: &PageLinkRecord,
        placements: &[(String, PagePlacement)],
    ) -> Result<FlowRecord> {
        let (flow, _) = self.position_page(link).await?;
        if flow.status != FlowStatus::Draft {
            return Err(Error::Conflict("the flow has started; its fields can no longer change".into()));
        }
        if placements.is_empty() || placements.len() > MAX_FIELDS {
            return Err(Error::invalid("fields", format!("expected 1 to {MAX_FIELDS} fields")));
        }
        let now = self.clock.now();
        let mut next = flow.clone();
        let mut touched: Vec<AccountId> = Vec::new();
        for (account, p) in placements {
            let account = AccountId::parse(account).map_err(|_| Error::invalid("fields.accountId", "not a signer"))?;
            let signer = next
                .signers
                .iter_mut()
                .find(|s| s.account_id == account)
                .ok_or_else(|| Error::invalid("fields.accountId", "not a signer of this flow"))?;
            if !touched.contains(&account) {
                signer.fields.clear();
                touched.push(account.clone());
            }
            signer.fields.push(p.field(flow.documents.len())?);
        }
        next.updated_at = now;
        let detail = json!({
            "signers": touched.iter().map(AccountId::as_str).collect::<Vec<_>>(),
            "fields": placements.len(),
            "via": "positioning page",
        });
        let audit = vec![AuditEntry::new(&flow.app_id, flow_scope(&flow.id), "flow.fields.positioned", detail, now)];
        let change = FlowChange { flow: next.clone(), expected_updated_at: flow.updated_at, audit, events: vec![] };
        self.store.flow_update(&change).await?;
        Ok(next)
    }
}
