//! Signet's additions for callers that cannot receive pushes (the document has none):
//! `QuerySignOrder` (where an order is) and `DownloadSignedDoc` (its current PDF, with the same
//! `content`/`hash` as `PushSignedDoc`). Both take `signid` or `orderNumber`; another app's
//! orders are not found (-79).

use axum::Json;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use signet_core::apps::App;
use signet_core::flows::{FlowStatus, SignerStatus};
use signet_core::wosign::OrderView;

use super::AppState;
use super::error::WosignError;
use super::params::Object;

pub(super) async fn query(state: &AppState, app: &App, body: Object<'_>) -> Result<Response, WosignError> {
    let view = find(state, app, &body).await?;
    let (order_status, signers) = match &view.flow {
        Some(flow) => (
            status_name(flow.status),
            flow.signers
                .iter()
                .map(|s| {
                    json!({
                        "order": s.order + 1,
                        "signed": s.status == SignerStatus::Signed,
                        "accountId": s.account_id.as_str(),
                    })
                })
                .collect::<Vec<_>>(),
        ),
        None => ("preparing", Vec::new()),
    };
    Ok(Json(json!({
        "status": 1,
        "errorcode": 0,
        "signid": view.order.sign_id,
        "orderNumber": view.order.order_number,
        "orderStatus": order_status,
        "signing": view.order.signing.as_str(),
        "flowId": view.order.flow_id.as_ref().map(|f| f.as_str()),
        "signers": signers,
    }))
    .into_response())
}

pub(super) async fn download(state: &AppState, app: &App, body: Object<'_>) -> Result<Response, WosignError> {
    let view = find(state, app, &body).await?;
    let (view, bytes) =
        state.signet.wosign_document(&app.id, &view.order.sign_id).await.map_err(WosignError::from_core)?;
    let completed = view.flow.as_ref().is_some_and(|f| f.status == FlowStatus::Completed);
    Ok(Json(json!({
        "status": 1,
        "errorcode": 0,
        "signid": view.order.sign_id,
        "ordernumber": view.order.order_number,
        "signed": completed,
        "content": STANDARD.encode(&bytes),
        "hash": signet_core::wosign::sha256_of(&bytes),
    }))
    .into_response())
}

pub(super) async fn find(state: &AppState, app: &App, body: &Object<'_>) -> Result<OrderView, WosignError> {
    let sign_id = body.text("signid")?;
    let order_number = body.text("orderNumber")?.or(body.text("ordernumber")?);
    if sign_id.is_none() && order_number.is_none() {
        return Err(WosignError::missing("signid or orderNumber"));
    }
    state
        .signet
        .wosign_order(&app.id, sign_id.as_deref(), order_number.as_deref())
        .await
        .map_err(WosignError::from_core)
}

fn status_name(status: FlowStatus) -> &'static str {
    match status {
        FlowStatus::Draft | FlowStatus::Signing => "signing",
        FlowStatus::Completed => "signed",
        FlowStatus::Revoked | FlowStatus::Rejected => "failed",
        FlowStatus::Expired => "expired",
    }
}
