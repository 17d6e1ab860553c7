//! The links this dialect hands out: short-lived signed download links, and the signing-page
//! link of hand tasks.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
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

/// The page a hand task's `signUrl` opens. Signet's signing pages are not built yet, so the page
/// says so and what the platform can do instead.
pub(super) async fn sign_page(Path(token): Path<String>) -> Response {
    let escaped: String = token.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect();
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>签署任务</title></head><body>\
         <h1>签署任务已创建</h1>\
         <p>本服务的在线签署页面尚未开放，暂时无法在此页面手动签署。</p>\
         <p>请联系发起合同的平台：平台可在取得您的静默签署授权后通过接口为您签署，\
         或撤销此签署任务（undoTask）。</p>\
         <p lang=\"en\">The online signing pages of this Signet server are not available yet. \
         Ask the platform that sent this link to sign through the API after your silent-sign \
         authorization, or to withdraw the task.</p>\
         <p><small>task {escaped}</small></p></body></html>"
    ))
    .into_response()
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
