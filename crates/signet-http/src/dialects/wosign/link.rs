//! `CreateSignUrl`, Signet's addition for deployments whose orders are signed on the signing
//! pages (`wosign_signing = "pages"`): the signing-page link of one signer of an order, for the
//! platform to hand to that signer (the document has no such action, and its signers come
//! without contacts Signet could send the link to). Takes `signid` or `orderNumber`, optional
//! `signer` (place in `signerlist`, from 1; default: whose turn it is) and `redirectUrl`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use signet_core::apps::App;

use super::AppState;
use super::error::WosignError;
use super::params::Object;
use crate::pages::link_urls;

pub(super) async fn create(state: &AppState, app: &App, body: Object<'_>) -> Result<Response, WosignError> {
    let sign_id = body.text("signid")?;
    let order_number = body.text("orderNumber")?.or(body.text("ordernumber")?);
    if sign_id.is_none() && order_number.is_none() {
        return Err(WosignError::missing("signid or orderNumber"));
    }
    let signer = match body.integer("signer")? {
        Some(n) => Some(usize::try_from(n).map_err(|_| WosignError::parameter("signer", "expected 1 or more"))?),
        None => None,
    };
    let redirect_url = body.text("redirectUrl")?;
    let issued = state
        .signet
        .wosign_sign_link(&app.id, sign_id.as_deref(), order_number.as_deref(), signer, redirect_url)
        .await
        .map_err(WosignError::from_refusal)?;
    let urls = link_urls(state, &issued.link);
    Ok(Json(json!({
        "status": 1,
        "errorcode": 0,
        "signid": issued.order.sign_id,
        "orderNumber": issued.order.order_number,
        "signer": issued.signer,
        "accountId": issued.account_id.as_str(),
        "url": urls.url,
        "shortUrl": urls.short_url,
        "expiresAt": urls.expires_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
    }))
    .into_response())
}
