//! The WoSignDoc API (我签文件, 沃通): one endpoint, `POST /wosign`, with a JSON body whose
//! `actiontype` names the action and whose `tokenid` names the calling app. Answers are
//! `{status, errorcode, ...}`; the codes come from [`error`]. The document requires client
//! certificates: when the deployment sets a client CA for this dialect, the certificate of the
//! TLS connection must name the app (subject CN = `tokenid`), else -80. Route → native mapping
//! and every choice the document leaves open: `docs/dialects/wosign.md`.

pub mod error;
mod link;
mod order;
mod params;
mod query;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Map, Value};
use signet_core::apps::App;
use signet_core::wosign_orders::WosignSigning;

use self::error::{BAD_JSON, CERTIFICATE, TOKEN_DISABLED, UNSUPPORTED_ACTION, WosignError};
use self::params::Object;
use crate::AppState;

/// Where the dialect is mounted (the document's API root).
pub const BASE: &str = "/wosign";

/// Settings of the dialect.
#[derive(Debug, Clone)]
pub struct WosignConfig {
    /// Require a client certificate naming the app (set when a client CA is configured).
    pub require_client_certificate: bool,
    /// Most signers one order may have (-48 above).
    pub max_signers: usize,
    /// How orders are signed: automatically, or by each signer on its signing page.
    pub signing: WosignSigning,
}

impl Default for WosignConfig {
    fn default() -> Self {
        Self { require_client_certificate: false, max_signers: 20, signing: WosignSigning::Auto }
    }
}

/// The client certificate of the TLS connection a request came on, put into the request's
/// extensions by the TLS listener (absent on plain HTTP or when the client sent none).
#[derive(Debug, Clone)]
pub struct ClientCertificate {
    /// The subject's common name.
    pub common_name: Option<String>,
    /// Hex SHA-256 of the DER certificate (for logs and pinning).
    pub sha256: String,
}

/// The dialect's routes.
pub fn router(config: &WosignConfig) -> Router<AppState> {
    let config = std::sync::Arc::new(config.clone());
    Router::new().route(BASE, any(endpoint)).route(&format!("{BASE}/"), any(endpoint)).layer(axum::Extension(config))
}

/// The endpoint: checks the body, the caller and its certificate, then dispatches. The body is
/// read by axum's `Bytes` extractor, so the router's body limit applies.
async fn endpoint(
    State(state): State<AppState>,
    axum::Extension(config): axum::Extension<std::sync::Arc<WosignConfig>>,
    certificate: Option<axum::Extension<ClientCertificate>>,
    method: Method,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let certificate = certificate.map(|axum::Extension(c)| c);
    match handle(&state, &config, certificate, method, body).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn handle(
    state: &AppState,
    config: &WosignConfig,
    certificate: Option<ClientCertificate>,
    method: Method,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, WosignError> {
    if method != Method::POST {
        return Err(WosignError::parameter("method", "the API only accepts POST"));
    }
    let body = body.map_err(|e| WosignError::parameter("body", e.body_text()))?;
    let value: Value =
        serde_json::from_slice(&body).map_err(|e| WosignError::new(BAD_JSON, format!("json 格式错误: {e}")))?;
    let Value::Object(map) = value else {
        return Err(WosignError::new(BAD_JSON, "json 格式错误: expected an object"));
    };
    let fields = Object(&map);
    let token = fields.required("tokenid", || WosignError::missing("tokenid"))?;
    let action = fields.required("actiontype", || WosignError::missing("actiontype"))?;
    if config.require_client_certificate {
        check_certificate(certificate.as_ref(), &token)?;
    }
    let app = caller(state, &token).await?;
    dispatch(state, config, &app, &action, &map).await
}

async fn dispatch(
    state: &AppState,
    config: &WosignConfig,
    app: &App,
    action: &str,
    body: &Map<String, Value>,
) -> Result<Response, WosignError> {
    match action {
        "CreateSignOrder" => order::create(state, config, app, Object(body)).await,
        "QuerySignOrder" => query::query(state, app, Object(body)).await,
        "DownloadSignedDoc" => query::download(state, app, Object(body)).await,
        "CreateSignUrl" => link::create(state, app, Object(body)).await,
        other => Err(WosignError::new(UNSUPPORTED_ACTION, format!("不支持该 actionType: {other}"))),
    }
}

/// The certificate must name the app: its subject CN is the `tokenid`.
fn check_certificate(certificate: Option<&ClientCertificate>, token: &str) -> Result<(), WosignError> {
    let Some(certificate) = certificate else {
        return Err(WosignError::new(CERTIFICATE, "请求证书不正确: no client certificate"));
    };
    if certificate.common_name.as_deref() != Some(token) {
        tracing::warn!(certificate.sha256 = %certificate.sha256, "WoSignDoc client certificate names another app");
        return Err(WosignError::new(CERTIFICATE, "请求证书不正确: the certificate does not belong to this tokenid"));
    }
    Ok(())
}

/// -65 unknown, -67 disabled.
async fn caller(state: &AppState, token: &str) -> Result<App, WosignError> {
    match state.signet.wosign_app(token).await {
        Ok(app) => Ok(app),
        Err(signet_core::Error::Forbidden(_)) => Err(WosignError::new(TOKEN_DISABLED, "系统已禁止此 TokenID 使用 API")),
        Err(err) => Err(WosignError::from_core(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_must_name_the_token() {
        let cert = |cn: Option<&str>| ClientCertificate { common_name: cn.map(str::to_owned), sha256: "00".into() };
        assert!(check_certificate(Some(&cert(Some("app-1"))), "app-1").is_ok());
        assert_eq!(check_certificate(Some(&cert(Some("app-2"))), "app-1").unwrap_err().code, CERTIFICATE);
        assert_eq!(check_certificate(Some(&cert(None)), "app-1").unwrap_err().code, CERTIFICATE);
        assert_eq!(check_certificate(None, "app-1").unwrap_err().code, CERTIFICATE);
    }
}
