//! The 云合同 摘要签署 API v2.4.1 (Yunhetong's locally deployed digest-signing service), mounted
//! under `/yunhetong` so that its clients change nothing but the base URL.
//!
//! Every answer is `{code, msg, data}` with HTTP 200; the codes come from [`error`]. Tokens travel
//! in the `token` header both ways: [`auth`] checks them and renews those close to expiry.
//! Route → native concept mapping and every choice the document leaves open:
//! `docs/dialects/yunhetong.md`.

mod auth;
mod envelope;
mod error;
mod evidence;
mod params;
mod paths;
mod seals;
mod signing;
mod tsa;
mod users;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, patch, post};

use crate::AppState;
pub use paths::FileRoots;

/// Settings of the dialect.
#[derive(Debug, Clone)]
pub struct YunhetongConfig {
    /// Directories server paths may name (`SIGNET_FILE_ROOTS`).
    pub file_roots: Vec<PathBuf>,
    /// Lifetime of tokens (the document: 15 minutes).
    pub token_ttl: time::Duration,
}

/// What handlers need besides [`AppState`].
#[derive(Debug)]
struct Dialect {
    roots: FileRoots,
    token_ttl: time::Duration,
}

/// The dialect's routes under `/yunhetong`.
pub fn router(state: &AppState, config: &YunhetongConfig) -> Router<AppState> {
    let dialect = Arc::new(Dialect { roots: FileRoots::new(&config.file_roots), token_ttl: config.token_ttl });
    let routes = Router::new()
        .route("/index.html", get(index))
        .route("/auth/login", post(auth::login))
        .route("/user/person", post(users::create_person))
        .route("/user/company", post(users::create_company))
        .route("/user/personNameAndPhone", patch(users::update_person))
        .route("/user/companyNameAndPhone", patch(users::update_company))
        .route("/user/signerId/certifyNums", post(users::signer_ids))
        .route("/user/userInfo/signerIds", post(users::user_info))
        .route("/moulage/person", post(seals::create_person))
        .route("/moulage/company", post(seals::create_company))
        .route("/moulage/upload", post(seals::upload))
        .route("/sign/filePath", post(signing::file_path))
        .route("/sign/fileStream", post(signing::file_stream))
        .route("/send/verifyCode", post(signing::send_code))
        .route("/sign/verifyCodeFilePath", post(signing::code_file_path))
        .route("/sign/verifyCodeFileStream", post(signing::code_file_stream))
        .route("/tsa/pathSign", post(tsa::path_sign))
        .route("/tsa/streamSign", post(tsa::stream_sign))
        .route("/cz/in", post(evidence::deposit))
        .route("/cz/queryCzId", post(evidence::query))
        .fallback(envelope::unknown_route)
        .method_not_allowed_fallback(envelope::unknown_route)
        .layer(axum::middleware::from_fn_with_state((state.clone(), Arc::clone(&dialect)), auth::renew_token))
        .layer(axum::Extension(dialect));
    Router::new().nest("/yunhetong", routes)
}

/// `index.html`: the document's "is the service up" page.
async fn index() -> axum::response::Html<&'static str> {
    axum::response::Html(
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>云合同摘要签署</title></head>\
         <body><h1>云合同摘要签署服务已启动</h1><p>Signet: Yunhetong digest signing API v2.4.1 is running.</p></body></html>",
    )
}
