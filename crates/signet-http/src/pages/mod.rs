//! Signet's own web pages (H5): signing pages for signers, the initiator's drag-positioning
//! page, and the silent-sign authorization page, served from the binary with no CDN.
//!
//! # Infrastructure (shared by every page)
//! - **Links** ([`signet_core::links`]): a page opens only through a link: `/p/{token}` (43
//!   characters, 256 bits, stored as a keyed hash) or its short form `/s/{code}`, which
//!   redirects. A link has a `purpose` (`sign`, `authorize`, `position`), a subject (flow and/or
//!   account), a purpose-specific `detail` object, a `redirect_url` and an expiry (setting
//!   `link_validity_secs`, default 30 days). Issue one with `Signet::issue_link` (re-issuing
//!   for the same subject kills the old one) and hand out [`link_urls`].
//! - **Dispatch**: `GET /p/{token}` opens the link ([`PageContext::open`]) and calls the page
//!   of its purpose ([`page`]); a new purpose adds a file here and one arm there. A page's
//!   actions are `POST /p/{token}/<action>` routes in its own file, answered as JSON
//!   (`{code, message}` on failure, see [`error::ActionError`]).
//! - **Templates** ([`templates`]): minijinja, auto-escaped, embedded; every page extends
//!   `base.html` (mobile-first layout, language switch) and gets `t`, `lang` and `assets`.
//! - **Languages** ([`i18n`]): zh-CN by default; English by `?lang=en` (remembered in a
//!   cookie) or `Accept-Language`. All texts are in one table.
//! - **Assets** ([`assets`]): CSS and small hand-written scripts, embedded, served under
//!   content-hashed names with a year-long immutable cache. No build step.
//! - **Security** ([`security`]): strict CSP (no inline script or style), no referrer, no
//!   framing, `no-store` HTML; CSRF double submit bound to the link (`x-csrf-token` header,
//!   token in `<meta name="csrf-token">`; `common.js` adds it to every `Signet.post`);
//!   SameSite cookies; rate limits through `Signet::rate_check`, whose counters are database
//!   rows shared by every node.

pub mod assets;
pub mod authorize;
pub mod error;
pub mod i18n;
pub mod position;
pub mod security;
pub mod sign;
pub mod templates;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use signet_core::Error;
use signet_core::links::{IssuedLink, LinkDead, LinkPurpose, PageLinkRecord, RateLimit};
use time::OffsetDateTime;

use crate::AppState;
use error::{PageError, PageFailure, state_page};
use i18n::Lang;

/// Settings of the pages.
#[derive(Debug, Clone)]
pub struct PagesConfig {
    /// Seconds the done page waits before following the link's redirect URL.
    pub redirect_delay_secs: u32,
}

impl Default for PagesConfig {
    fn default() -> Self {
        Self { redirect_delay_secs: 3 }
    }
}

/// Misses on `/s/{code}` allowed per minute across all nodes: guessing a 10-character code
/// (≈ 2^49 values) at this pace takes longer than any link lives.
const SHORT_CODE_MISSES: RateLimit = RateLimit { max: 600, window_seconds: 60 };

/// The page routes (not in the OpenAPI document: they serve browsers, not API clients).
pub fn routes(config: &PagesConfig) -> Router<AppState> {
    Router::new()
        .route(&format!("{}/{{file}}", assets::PREFIX), get(assets::serve))
        .route("/s/{code}", get(short_link))
        .route("/p/{token}", get(page))
        .merge(sign::routes())
        .merge(position::routes())
        .route("/p/{token}/authorize/code", axum::routing::post(authorize::send_code))
        .route("/p/{token}/authorize/grant", axum::routing::post(authorize::grant))
        .route("/p/{token}/authorize/face", axum::routing::post(authorize::start_face))
        .route("/p/{token}/authorize/face/{key}", get(authorize::face_return))
        .route("/p/{token}/authorize/face-failed", get(authorize::face_failed))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::Extension(config.clone()))
}

/// The URLs of an issued link and when it expires.
#[derive(Debug, Clone)]
pub struct LinkUrls {
    pub url: String,
    pub short_url: String,
    pub expires_at: OffsetDateTime,
}

/// The absolute URLs to hand out for an issued link.
pub fn link_urls(state: &AppState, issued: &IssuedLink) -> LinkUrls {
    LinkUrls {
        url: format!("{}/p/{}", state.public_url, issued.token),
        short_url: format!("{}/s/{}", state.public_url, issued.code),
        expires_at: issued.record.expires_at,
    }
}

/// `?lang=` on any page.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

/// An opened link with the request's language: what every page handler starts from.
#[derive(Debug)]
pub struct PageContext {
    pub token: String,
    pub link: PageLinkRecord,
    /// Set when the link no longer opens its subject.
    pub dead: Option<LinkDead>,
    pub lang: Lang,
}

impl PageContext {
    /// Opens the link of `token`; an unknown token is a [`PageError`] (404 page).
    pub async fn open(state: &AppState, token: String, lang: Lang) -> Result<Self, PageError> {
        match state.signet.open_link(&token).await {
            Ok((link, dead)) => Ok(Self { token, link, dead, lang }),
            Err(Error::NotFound(_)) => Err(PageError::new(lang, PageFailure::UnknownLink)),
            Err(err) => Err(PageError::new(lang, err)),
        }
    }

    /// The page's own URL path (actions are below it).
    pub fn path(&self) -> String {
        format!("/p/{}", self.token)
    }

    /// The state page of a dead link (expired or replaced), if it is dead.
    pub fn dead_page(&self) -> Option<Response> {
        let key = match self.dead? {
            LinkDead::Expired => "link_expired",
            LinkDead::Replaced => "link_replaced",
        };
        Some(state_page(self.lang, StatusCode::GONE, self.lang.t("state_title"), self.lang.t(key)))
    }
}

/// Remembers an explicit language choice (`?lang=`) in a cookie, so later pages keep it.
pub fn remember_lang(state: &AppState, query: &LangQuery, mut response: Response) -> Response {
    if let Some(lang) = query.lang.as_deref().filter(|l| matches!(*l, "zh" | "en")) {
        let cookie = security::set_cookie(state, i18n::LANG_COOKIE, lang, "Lax", 60 * 60 * 24 * 365);
        response.headers_mut().append(axum::http::header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /p/{token}`: the page of the link's purpose.
async fn page(
    State(state): State<AppState>,
    axum::Extension(config): axum::Extension<PagesConfig>,
    Path(token): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let context = match PageContext::open(&state, token, lang).await {
        Ok(context) => context,
        Err(err) => return err.into_response(),
    };
    let response = match context.link.purpose {
        LinkPurpose::Authorize => authorize::show(&state, context, &headers).await,
        LinkPurpose::Sign if context.dead.is_none() => {
            sign::page(&state, &config, &context, &headers).await.unwrap_or_else(IntoResponse::into_response)
        }
        LinkPurpose::Position if context.dead.is_none() => {
            position::page(&state, &context, &headers).await.unwrap_or_else(IntoResponse::into_response)
        }
        LinkPurpose::Sign | LinkPurpose::Position => {
            if let Some(dead) = context.dead_page() {
                dead
            } else {
                state_page(lang, StatusCode::NOT_FOUND, lang.t("state_title"), lang.t("error_generic"))
            }
        }
    };
    remember_lang(&state, &query, response)
}

/// `GET /s/{code}`: redirects to the link's page; unknown codes count against a shared limit.
async fn short_link(State(state): State<AppState>, Path(code): Path<String>, headers: HeaderMap) -> Response {
    let lang = Lang::negotiate(None, &headers);
    match state.signet.resolve_short_code(&code).await {
        Ok(token) => Redirect::to(&format!("/p/{token}")).into_response(),
        Err(Error::NotFound(_)) => {
            if let Err(err) = state.signet.rate_check("pages:short-code-miss", SHORT_CODE_MISSES).await {
                return PageError::new(lang, err).into_response();
            }
            PageError::new(lang, PageFailure::UnknownLink).into_response()
        }
        Err(err) => PageError::new(lang, err).into_response(),
    }
}
