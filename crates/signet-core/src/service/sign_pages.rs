//! The signing page's use cases: issue a signer's link, and (through the link) read the
//! contract, prove willingness, sign or reject with the same core path the API uses.

use serde_json::json;

use super::Signet;
use crate::flows::FlowRecord;
use crate::ids::AppId;
use crate::links::{IssuedLink, LinkPurpose, NewLink};
use crate::{Error, Result};

impl Signet {
    /// Issues (or re-issues, killing the previous one) the signing link of a signer of a flow.
    /// The link never outlives the flow's own deadline.
    pub async fn issue_signer_link(
        &self,
        app: &AppId,
        flow_id: &str,
        account_id: &str,
        redirect_url: Option<String>,
        ttl: Option<time::Duration>,
    ) -> Result<(FlowRecord, IssuedLink)> {
        let flow = self.flow(app, flow_id).await?;
        let account = self.account(app, account_id).await.map_err(|_| Error::NotFound("signer"))?;
        if flow.signer(&account.id).is_none() {
            return Err(Error::NotFound("signer"));
        }
        if !flow.status.is_open() {
            return Err(Error::Conflict(format!("the flow is {}", flow.status.as_str())));
        }
        let now = self.clock.now();
        let mut ttl = ttl.unwrap_or(self.config.link_validity);
        if let Some(deadline) = flow.expires_at {
            ttl = ttl.min(deadline - now);
        }
        let link = self
            .issue_link(
                app,
                NewLink {
                    purpose: LinkPurpose::Sign,
                    flow_id: Some(flow.id.clone()),
                    account_id: Some(account.id.clone()),
                    detail: json!({}),
                    redirect_url,
                    ttl: Some(ttl),
                },
            )
            .await?;
        Ok((flow, link))
    }
}
