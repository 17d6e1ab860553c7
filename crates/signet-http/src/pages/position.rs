//! The initiator's drag-positioning page (`purpose = position`): the draft flow's documents,
//! its signers, and boxes the initiator drops (pointer or arrow keys) for each signer; saving
//! replaces those signers' fields on the flow (`POST /p/{token}/fields`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use minijinja::context;
use serde::{Deserialize, Serialize};
use signet_core::flows::FlowStatus;
use signet_core::links::LinkPurpose;
use signet_core::sign_pages::PagePlacement;

use super::error::{ActionError, ActionFailure, PageError, state_page};
use super::i18n::Lang;
use super::{PageContext, security, templates};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/p/{token}/fields", post(save))
}

#[derive(Serialize)]
struct PageView {
    document: usize,
    number: usize,
    width: f64,
    height: f64,
    url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignerView {
    account_id: String,
    name: String,
}

/// `GET /p/{token}` for a positioning link.
pub async fn page(state: &AppState, context: &PageContext, headers: &HeaderMap) -> Result<Response, PageError> {
    let lang = context.lang;
    let (flow, accounts) = state.signet.position_page(&context.link).await.map_err(|e| PageError::new(lang, e))?;
    if flow.status != FlowStatus::Draft {
        return Ok(state_page(lang, axum::http::StatusCode::OK, &flow.title, lang.t("flow_not_draft")));
    }
    let base = context.path();
    let mut pages = Vec::new();
    for document in &flow.documents {
        let sizes = state
            .signet
            .sign_page_sizes(&context.link, document.position)
            .await
            .map_err(|e| PageError::new(lang, e))?;
        for (i, (w, h)) in sizes.into_iter().enumerate() {
            pages.push(PageView {
                document: document.position,
                number: i + 1,
                width: w,
                height: h,
                url: format!("{base}/documents/{}/pages/{}", document.position, i + 1),
            });
        }
    }
    let signers: Vec<SignerView> =
        accounts.iter().map(|a| SignerView { account_id: a.id.as_str().to_owned(), name: a.name.clone() }).collect();
    let (nonce, set_cookie) = security::csrf_nonce_for(state, headers);
    let data = serde_json::json!({"base": base, "signers": signers});
    let html = templates::render(
        "position.html",
        lang,
        context! {
            title => lang.t("position_title"),
            flow_title => flow.title.clone(),
            csrf => security::csrf_token(state, &context.link, &nonce),
            pages => minijinja::Value::from(minijinja::value::Serde(&pages)),
            signers => minijinja::Value::from(minijinja::value::Serde(&signers)),
            page_data => super::sign::script_json(&data),
            page_texts => super::sign::script_json(&serde_json::json!(lang.messages())),
        },
    )
    .map_err(|e| PageError::new(lang, e))?;
    let mut response = html.into_response();
    if let Some((name, value)) = set_cookie {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FieldInput {
    account_id: String,
    document: usize,
    page: usize,
    x: f64,
    y: f64,
}

#[derive(Deserialize)]
struct SaveInput {
    fields: Vec<FieldInput>,
}

async fn save(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ActionError> {
    let lang = Lang::negotiate(None, &headers);
    let context =
        PageContext::open(&state, token, lang).await.map_err(|_| ActionError::new(lang, ActionFailure::Link))?;
    if context.dead.is_some() || context.link.purpose != LinkPurpose::Position {
        return Err(ActionError::new(lang, ActionFailure::Link));
    }
    if !security::csrf_ok(&state, &context.link, &headers, None) {
        return Err(ActionError::new(lang, ActionFailure::Csrf));
    }
    let input: SaveInput =
        serde_json::from_slice(&body).map_err(|e| ActionError::new(lang, ActionFailure::Invalid(e.to_string())))?;
    let placements: Vec<(String, PagePlacement)> = input
        .fields
        .into_iter()
        .map(|f| (f.account_id, PagePlacement { document: f.document, page: f.page, x: f.x, y: f.y }))
        .collect();
    let flow = state.signet.position_save(&context.link, &placements).await.map_err(|e| ActionError::new(lang, e))?;
    let saved: usize = flow.signers.iter().map(|s| s.fields.len()).sum();
    Ok(Json(serde_json::json!({"saved": saved})))
}
