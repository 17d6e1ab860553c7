//! The links this dialect hands out: short-lived signed download links. Hand tasks' `signUrl`
//! is a Signet signing page (`crate::pages`).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use signet_core::esign::DownloadTarget;
use signet_core::ids::AppId;
use time::Duration;

use super::BASE;
use crate::AppState;

/// An absolute, signed download link to `target`, valid for `ttl`.
pub(super) fn download_url(state: &AppState, app: &AppId, target: &DownloadTarget, ttl: Duration) -> String {
    let token = state.signet.esign_download_token(app, target, ttl);
    format!("{}{BASE}/links/{token}", state.public_url)
}

/// Serves a download link; an altered or expired link is a 403.
pub(super) async fn download(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.signet.esign_open_download(&token).await {
        Ok(download) => {
            let disposition = format!("inline; filename*=UTF-8''{}", percent_encode(&download.name));
            (
                [(header::CONTENT_TYPE, download.content_type), (header::CONTENT_DISPOSITION, disposition)],
                download.bytes,
            )
                .into_response()
        }
        Err(signet_core::Error::Forbidden(reason)) => (StatusCode::FORBIDDEN, reason).into_response(),
        Err(signet_core::Error::NotFound(what)) => (StatusCode::NOT_FOUND, format!("{what} not found")).into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "e签宝 download failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
