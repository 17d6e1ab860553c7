//! The 签盾 open-platform dialect (`/api/open`): JSON bodies, answers in the envelope
//! `{result, code, msg, logKey, ts}` with string codes (`200`, `400`, `500`, `oc_*`).
//!
//! Only the silent-sign authorization URL is served (the seed documents that one endpoint).
//! The document's common request format is not part of the seed, so requests authenticate with
//! the app's credentials like the other dialects: `X-App-Id` and `X-App-Secret` headers, or a
//! native `Authorization: Bearer` token from `POST /v1/auth/token`. Details and the choices
//! made are in `docs/dialects/qiandun.md`.

mod autosign;
pub mod error;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::post;
use signet_core::apps::App;

use self::error::{PARAMETER, QiandunError, UNAUTHENTICATED};
use crate::AppState;

/// Where the dialect is mounted: the path prefix of the vendor's URLs.
pub const BASE: &str = "/api/open";

/// The dialect's routes, to be nested under [`BASE`].
pub fn routes() -> Router<AppState> {
    Router::new().route("/seal/autosign/auth/url", post(autosign::auth_url)).fallback(unsupported)
}

/// Other paths of the vendor's index answer in the envelope.
async fn unsupported(uri: axum::http::Uri) -> impl IntoResponse {
    QiandunError::new(PARAMETER, format!("参数错误: {} is not served by this service", uri.path()))
}

/// The calling app, proven by `X-App-Id` + `X-App-Secret` or a native bearer token.
pub(crate) struct QiandunApp(pub App);

impl FromRequestParts<AppState> for QiandunApp {
    type Rejection = QiandunError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let app = match (header("x-app-id"), header("x-app-secret"), header(AUTHORIZATION.as_str())) {
            (Some(id), Some(secret), _) => state.signet.authenticate_app(id, secret).await,
            (_, _, Some(bearer)) => match bearer.strip_prefix("Bearer ") {
                Some(token) => state.signet.app_for_token(token.trim()).await,
                None => return Err(QiandunError::new(UNAUTHENTICATED, "应用认证失败: expected Bearer <token>")),
            },
            _ => {
                return Err(QiandunError::new(
                    UNAUTHENTICATED,
                    "应用认证失败: send X-App-Id and X-App-Secret, or Authorization: Bearer",
                ));
            }
        };
        app.map(Self).map_err(QiandunError::from_core)
    }
}
