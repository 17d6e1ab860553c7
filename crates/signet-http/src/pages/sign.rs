//! The signer's page (`purpose = sign`): the contract rendered page by page, who signs,
//! willingness code, seal choice or hand-drawn signature, placement, sign or reject; and the
//! states (signed, rejected, ended, not yet your turn) shown instead of the form.
//!
//! Actions are JSON posts under the page (`/p/{token}/code`, `/verify`, `/sign`, `/reject`)
//! carrying the CSRF header; images and downloads are GETs below it.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::context;
use serde::{Deserialize, Serialize};
use signet_core::Error;
use signet_core::flows::{FlowStatus, Position, SignerAuth};
use signet_core::links::LinkPurpose;
use signet_core::sign_pages::{PagePlacement, SealChoice, SignPage, SignPageState};
use signet_seal::SignatureInput;

use super::error::{ActionError, ActionFailure, PageError, state_page};
use super::i18n::Lang;
use super::{LangQuery, PageContext, PagesConfig, security, templates};
use crate::AppState;

/// The sign page's routes below `/p/{token}`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/p/{token}/code", post(send_code))
        .route("/p/{token}/verify", post(verify))
        .route("/p/{token}/sign", post(sign))
        .route("/p/{token}/reject", post(reject))
        .route("/p/{token}/documents/{document}/pages/{page}", get(preview))
        .route("/p/{token}/documents/{document}/download", get(download))
        .route("/p/{token}/seals/{seal}", get(seal_image))
}

/// One page of a document as the template needs it.
#[derive(Serialize)]
struct PageView {
    number: usize,
    width: f64,
    height: f64,
    url: String,
    /// Fixed seal boxes on this page as fractions of the page (left, top, width, height).
    boxes: Vec<[f64; 4]>,
}

#[derive(Serialize)]
struct DocumentView {
    index: usize,
    name: String,
    pages: Vec<PageView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SealView {
    id: String,
    name: String,
    url: String,
    width_pt: f64,
    height_pt: f64,
}

/// `GET /p/{token}` for a sign link.
pub async fn page(
    state: &AppState,
    config: &PagesConfig,
    context: &PageContext,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let lang = context.lang;
    let page = state.signet.sign_page(&context.link).await.map_err(|e| PageError::new(lang, e))?;
    let message = |key: &str| state_page(lang, StatusCode::OK, &page.flow.title, lang.t(key));
    let (nonce, set_cookie) = security::csrf_nonce_for(state, headers);
    let csrf = security::csrf_token(state, &context.link, &nonce);
    let mut response = match page.state {
        SignPageState::Open => open_page(state, context, &page, &csrf).await?,
        SignPageState::SignerSigned => done_page(context, &page, config, &csrf)?,
        SignPageState::SignerRejected => message("signer_rejected"),
        SignPageState::SignerWithdrawn => message("signer_withdrawn"),
        SignPageState::NotYourTurn => message("not_your_turn"),
        SignPageState::Flow(status) => message(match status {
            FlowStatus::Completed => "flow_completed",
            FlowStatus::Revoked => "flow_revoked",
            FlowStatus::Expired => "flow_expired",
            FlowStatus::Rejected => "flow_rejected",
            FlowStatus::Draft | FlowStatus::Signing => "flow_draft",
        }),
    };
    if let Some((name, value)) = set_cookie {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

async fn open_page(
    state: &AppState,
    context: &PageContext,
    page: &SignPage,
    csrf: &str,
) -> Result<Response, PageError> {
    let lang = context.lang;
    let base = context.path();
    let mut documents = Vec::new();
    for document in &page.flow.documents {
        let sizes = state
            .signet
            .sign_page_sizes(&context.link, document.position)
            .await
            .map_err(|e| PageError::new(lang, e))?;
        let pages = sizes
            .iter()
            .enumerate()
            .map(|(i, (w, h))| PageView {
                number: i + 1,
                width: *w,
                height: *h,
                url: format!("{base}/documents/{}/pages/{}", document.position, i + 1),
                boxes: fixed_boxes(page, document.position, i + 1, *w, *h),
            })
            .collect();
        documents.push(DocumentView { index: document.position, name: document.name.clone(), pages });
    }
    let seals: Vec<SealView> = page
        .seals
        .iter()
        .map(|s| SealView {
            id: s.id.as_str().to_owned(),
            name: s.name.clone(),
            url: format!("{base}/seals/{}", s.id.as_str()),
            width_pt: s.width_mm * 72.0 / 25.4,
            height_pt: s.height_mm * 72.0 / 25.4,
        })
        .collect();
    let is_org = page.account.id != page.actor.id;
    let free_placement = page.signer.fields.is_empty();
    let needs_code = page.signer.auth != SignerAuth::None;
    let can_draw = page.can_draw;
    let data = serde_json::json!({
        "base": base,
        "freePlacement": free_placement,
        "needsCode": needs_code,
        "needsDocumentPassword": page.needs_document_password,
        "verified": page.verified,
        "canDraw": can_draw,
        "seals": seals,
        "documents": documents,
    });
    let texts: std::collections::BTreeMap<&str, &str> = lang.messages();
    let html = templates::render(
        "sign.html",
        lang,
        context! {
            title => page.flow.title.clone(),
            csrf => csrf,
            initiator => page.initiator.clone(),
            documents => minijinja::Value::from(minijinja::value::Serde(&documents)),
            seals => minijinja::Value::from(minijinja::value::Serde(&seals)),
            actor_name => page.actor.name.clone(),
            actor_id_masked => page.actor.id_number_masked.clone(),
            organisation => if is_org { Some(page.account.name.clone()) } else { None },
            needs_code => needs_code,
            needs_document_password => page.needs_document_password,
            channel_email => page.signer.auth == SignerAuth::Email,
            verified => page.verified,
            free_placement => free_placement,
            can_draw => can_draw,
            page_data => script_json(&data),
            page_texts => script_json(&serde_json::json!(texts)),
        },
    )
    .map_err(|e| PageError::new(lang, e))?;
    Ok(html.into_response())
}

fn done_page(context: &PageContext, page: &SignPage, config: &PagesConfig, csrf: &str) -> Result<Response, PageError> {
    let lang = context.lang;
    let base = context.path();
    let downloads: Vec<_> = page
        .flow
        .documents
        .iter()
        .map(|d| serde_json::json!({"name": d.name, "url": format!("{base}/documents/{}/download", d.position)}))
        .collect();
    let html = templates::render(
        "done.html",
        lang,
        context! {
            title => lang.t("done_title"),
            csrf => csrf,
            flow_title => page.flow.title.clone(),
            downloads => minijinja::Value::from(minijinja::value::Serde(&downloads)),
            redirect_url => page.redirect_url.clone(),
            redirect_delay => config.redirect_delay_secs,
            page_texts => script_json(&serde_json::json!(lang.messages())),
        },
    )
    .map_err(|e| PageError::new(lang, e))?;
    Ok(html.into_response())
}

/// JSON safe to put inside `<script type="application/json">` unescaped: `<`, `>` and `&` become
/// `\u` escapes, so no string can close the element.
pub(super) fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// Fixed positions of the signer on one page, as fractions (left, top, width, height).
fn fixed_boxes(page: &SignPage, document: usize, number: usize, w: f64, h: f64) -> Vec<[f64; 4]> {
    let seal =
        page.signer.seal_id.as_ref().and_then(|id| page.seals.iter().find(|s| &s.id == id)).or(page.seals.first());
    let (sw, sh) = seal.map(|s| (s.width_mm * 72.0 / 25.4, s.height_mm * 72.0 / 25.4)).unwrap_or((120.0, 120.0));
    page.signer
        .fields
        .iter()
        .filter(|f| f.document == document)
        .filter_map(|f| {
            let (fw, fh) = match f.width {
                Some(width) => (width, width * sh / sw),
                None => (sw, sh),
            };
            match &f.position {
                Position::At { pages, x, y } if pages.contains(&number) => {
                    Some([(x - fw / 2.0) / w, (h - y - fh / 2.0) / h, fw / w, fh / h])
                }
                Position::Rect { page, x1, y1, x2, y2 } if *page == number => Some([*x1, *y1, x2 - x1, y2 - y1]),
                _ => None,
            }
        })
        .collect()
}

/// Opens the link of an action and checks its CSRF token.
async fn action_context(state: &AppState, token: String, headers: &HeaderMap) -> Result<PageContext, ActionError> {
    let lang = Lang::negotiate(None, headers);
    let context =
        PageContext::open(state, token, lang).await.map_err(|_| ActionError::new(lang, ActionFailure::Link))?;
    if context.dead.is_some() || context.link.purpose != LinkPurpose::Sign {
        return Err(ActionError::new(lang, ActionFailure::Link));
    }
    if !security::csrf_ok(state, &context.link, headers, None) {
        return Err(ActionError::new(lang, ActionFailure::Csrf));
    }
    Ok(context)
}

async fn send_code(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ActionError> {
    let context = action_context(&state, token, &headers).await?;
    let sent = state.signet.sign_page_send_code(&context.link).await.map_err(|e| ActionError::new(context.lang, e))?;
    let now = time::OffsetDateTime::now_utc();
    Ok(Json(serde_json::json!({
        "recipient": sent.recipient_masked,
        "resendAfterSeconds": (sent.resend_after - now).whole_seconds().max(0),
    })))
}

#[derive(Deserialize)]
struct VerifyInput {
    code: String,
}

async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ActionError> {
    let context = action_context(&state, token, &headers).await?;
    let input: VerifyInput = parse(context.lang, &body)?;
    state.signet.sign_page_verify(&context.link, &input.code).await.map_err(|e| ActionError::new(context.lang, e))?;
    Ok(Json(serde_json::json!({"verified": true})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlacementInput {
    document: usize,
    page: usize,
    x: f64,
    y: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInput {
    seal_id: Option<String>,
    signature: Option<SignatureInput>,
    #[serde(default)]
    placements: Vec<PlacementInput>,
    document_password: Option<String>,
}

async fn sign(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ActionError> {
    let context = action_context(&state, token, &headers).await?;
    let lang = context.lang;
    let input: SignInput = parse(lang, &body)?;
    let choice = match (input.seal_id, input.signature) {
        (Some(id), None) => SealChoice::Existing(id),
        (None, Some(strokes)) => SealChoice::Drawn(strokes),
        _ => return Err(ActionError::new(lang, ActionFailure::Invalid(lang.t("need_seal").into()))),
    };
    let placements: Vec<PagePlacement> =
        input.placements.iter().map(|p| PagePlacement { document: p.document, page: p.page, x: p.x, y: p.y }).collect();
    let password = input.document_password.as_deref();
    state
        .signet
        .sign_page_sign(&context.link, choice, &placements, password)
        .await
        .map_err(|e| ActionError::new(lang, e))?;
    Ok(Json(serde_json::json!({"signed": true})))
}

#[derive(Deserialize)]
struct RejectInput {
    reason: String,
}

async fn reject(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ActionError> {
    let context = action_context(&state, token, &headers).await?;
    let input: RejectInput = parse(context.lang, &body)?;
    state.signet.sign_page_reject(&context.link, &input.reason).await.map_err(|e| ActionError::new(context.lang, e))?;
    Ok(Json(serde_json::json!({"rejected": true})))
}

fn parse<T: serde::de::DeserializeOwned>(lang: Lang, body: &[u8]) -> Result<T, ActionError> {
    serde_json::from_slice(body).map_err(|e| ActionError::new(lang, ActionFailure::Invalid(e.to_string())))
}

/// Opens a live sign link for a GET below the page (images, downloads); dead links are 404.
async fn live_link(state: &AppState, token: String) -> Result<PageContext, StatusCode> {
    let context = PageContext::open(state, token, Lang::Zh).await.map_err(|_| StatusCode::NOT_FOUND)?;
    if context.dead.is_some() || !matches!(context.link.purpose, LinkPurpose::Sign | LinkPurpose::Position) {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(context)
}

fn png(bytes: Bytes) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600")),
        ],
        bytes,
    )
        .into_response()
}

fn status_of(err: &Error) -> StatusCode {
    match err {
        Error::NotFound(_) | Error::Forbidden(_) => StatusCode::NOT_FOUND,
        other => {
            tracing::error!(error = ?other, "page resource failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

async fn preview(
    State(state): State<AppState>,
    Path((token, document, page)): Path<(String, usize, usize)>,
) -> Response {
    let context = match live_link(&state, token).await {
        Ok(c) => c,
        Err(status) => return status.into_response(),
    };
    match state.signet.sign_page_preview(&context.link, document, page).await {
        Ok(bytes) => png(bytes),
        Err(err) => status_of(&err).into_response(),
    }
}

async fn seal_image(State(state): State<AppState>, Path((token, seal)): Path<(String, String)>) -> Response {
    let context = match live_link(&state, token).await {
        Ok(c) => c,
        Err(status) => return status.into_response(),
    };
    match state.signet.sign_page_seal_image(&context.link, &seal).await {
        Ok(bytes) => png(bytes),
        Err(err) => status_of(&err).into_response(),
    }
}

/// The signed document, once this signer has signed.
async fn download(
    State(state): State<AppState>,
    Path((token, document)): Path<(String, usize)>,
    Query(_query): Query<LangQuery>,
) -> Response {
    let context = match live_link(&state, token).await {
        Ok(c) => c,
        Err(status) => return status.into_response(),
    };
    let page = match state.signet.sign_page(&context.link).await {
        Ok(page) => page,
        Err(err) => return status_of(&err).into_response(),
    };
    if page.state != SignPageState::SignerSigned {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(doc) = page.flow.documents.get(document) else { return StatusCode::NOT_FOUND.into_response() };
    match state.signet.sign_page_document(&context.link, document).await {
        Ok(bytes) => {
            let name: String = doc
                .name
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            (
                [
                    (CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
                    (
                        CONTENT_DISPOSITION,
                        HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{name}"))
                            .unwrap_or(HeaderValue::from_static("attachment")),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(err) => status_of(&err).into_response(),
    }
}
