//! Signing links of orders signed on the pages (`wosign_signing = "pages"`).
//!
//! The WoSignDoc document has no route for a signing link (its platform signed on its own site),
//! and its signers come without mobile numbers or e-mail addresses, so Signet cannot send the
//! link itself: the calling platform asks for it (action `CreateSignUrl`, or the native
//! `POST /v1/flows/{id}/signers/{account}/link`) and hands it to its signer. The link is the
//! signer's native signing-page link: the page signs inside the order's rectangles with the seal
//! chosen at creation, and the order's flow reports to the platform as a WoSignDoc order.

use super::super::Signet;
use super::{Outcome, WosignRefusal};
use crate::Error;
use crate::accounts::AccountId;
use crate::flows::{FlowStatus, SignerStatus};
use crate::ids::AppId;
use crate::links::IssuedLink;
use crate::wosign_orders::{WosignOrder, WosignSigning};

/// A signer's signing link of an order.
#[derive(Debug)]
pub struct SignLink {
    pub order: WosignOrder,
    /// The signer's place in `signerlist`, from 1.
    pub signer: usize,
    pub account_id: AccountId,
    pub link: IssuedLink,
}

impl Signet {
    /// Issues the signing link of signer `signer` (from 1; default: the signer whose turn it is)
    /// of an order of the pages policy; an earlier link of that signer stops working. A later
    /// signer's link may be handed out early: its page waits for the signer's turn.
    pub async fn wosign_sign_link(
        &self,
        app: &AppId,
        sign_id: Option<&str>,
        order_number: Option<&str>,
        signer: Option<usize>,
        redirect_url: Option<String>,
    ) -> Outcome<SignLink> {
        let view = self.wosign_order(app, sign_id, order_number).await?;
        if view.order.signing != WosignSigning::Pages {
            return Err(Error::invalid("signid", "this order is signed automatically; it has no signing links").into());
        }
        let flow = view.flow.ok_or(WosignRefusal::OrderSigning)?;
        match flow.status {
            FlowStatus::Signing => {}
            FlowStatus::Completed => return Err(WosignRefusal::OrderSigned),
            other => return Err(Error::invalid("signid", format!("the order has ended ({})", other.as_str())).into()),
        }
        let mut signers = flow.signers.clone();
        signers.sort_by_key(|s| s.order);
        let index = match signer {
            Some(n) if n == 0 || n > signers.len() => {
                return Err(Error::invalid("signer", format!("expected 1 to {}", signers.len())).into());
            }
            Some(n) => n - 1,
            None => signers.iter().position(|s| s.status == SignerStatus::Waiting).ok_or(WosignRefusal::OrderSigned)?,
        };
        let entry = &signers[index];
        if entry.status != SignerStatus::Waiting {
            return Err(Error::invalid("signer", format!("signer {} has already signed", index + 1)).into());
        }
        let (_, link) =
            self.issue_signer_link(app, flow.id.as_str(), entry.account_id.as_str(), redirect_url, None).await?;
        Ok(SignLink { order: view.order, signer: index + 1, account_id: entry.account_id.clone(), link })
    }
}
