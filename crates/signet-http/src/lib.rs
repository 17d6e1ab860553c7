//! The HTTP layer: the native `/v1` API, operational endpoints, PKI endpoints and (later) the
//! vendor dialects and signing pages, all on one axum router.
//!
//! Architecture invariants:
//! - this crate is the only one that knows JSON shapes and status codes; domain types are
//!   converted to DTOs by hand;
//! - every domain error becomes an HTTP response in exactly one place, [`error::ApiError`].

pub mod dialects;
pub mod error;
mod extract;
mod ops;
pub mod pages;
mod pki;
mod v1;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use signet_core::Signet;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub signet: Arc<Signet>,
    /// Base URL for links this server hands out (upload and download URLs, signing pages).
    pub public_url: Arc<str>,
}

/// HTTP settings the binary passes in.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest request body accepted, in bytes (uploads included).
    pub max_body_bytes: usize,
    /// The 云合同 dialect's file roots and token lifetime.
    pub yunhetong: dialects::yunhetong::YunhetongConfig,
    /// The signing pages' settings.
    pub pages: pages::PagesConfig,
    /// The WoSignDoc dialect's client-certificate requirement and signer limit.
    pub wosign: dialects::wosign::WosignConfig,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Signet", description = "Self-hosted electronic-contract signing: the native API."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Access tokens for apps"),
        (name = "app", description = "The calling app's own settings"),
        (name = "accounts", description = "Persons and organisations that sign"),
        (name = "files", description = "Documents to sign"),
        (name = "templates", description = "PDF templates with AcroForm text fields, filled into new documents"),
        (name = "seals", description = "Seals and silent-sign authorizations"),
        (name = "flows", description = "Sign flows: documents, ordered signers, signing"),
        (name = "verification", description = "Real-name verification of accounts (实名认证)"),
        (name = "events", description = "Callback pull mode: undelivered events and their confirmation"),
        (name = "evidence", description = "Evidence log (存证): document hashes in an RFC 6962 Merkle tree"),
        (name = "ops", description = "Health and readiness"),
        (name = "pki", description = "Certificates validators must trust"),
    )
)]
struct ApiDoc;

/// Declares the `bearer` security scheme the `/v1` routes refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme =
            HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("from POST /v1/auth/token")).build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Builds the whole router.
pub fn router(state: AppState, config: &HttpConfig) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(ops::routes())
        .merge(pki::routes())
        .merge(v1::routes())
        .split_for_parts();
    let api = Arc::new(api);
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let api = Arc::clone(&api);
                async move { axum::Json(api.as_ref().clone()) }
            }),
        )
        // Before the dialects are added: they answer unknown methods in their own envelopes.
        .method_not_allowed_fallback(error::method_not_allowed)
        .nest(dialects::esign::BASE, dialects::esign::routes())
        .nest(dialects::qiandun::BASE, dialects::qiandun::routes())
        .merge(dialects::yunhetong::router(&state, &config.yunhetong))
        .merge(pages::routes(&config.pages))
        .merge(dialects::wosign::router(&config.wosign))
        // Last: axum refuses to merge two routers that both have a fallback.
        .fallback(error::unknown_route)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
