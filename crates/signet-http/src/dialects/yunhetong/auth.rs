//! Tokens: `/auth/login`, the `token` header extractor, and renewal of tokens close to expiry.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderValue;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use signet_core::yunhetong::{self, DigestError};

use super::Dialect;
use super::error::YhtError;
use super::params::JsonParams;
use crate::AppState;

/// Request and response header carrying the token.
const TOKEN_HEADER: &str = "token";

/// The caller behind the request's `token` header.
pub struct Caller(pub yunhetong::Caller);

impl FromRequestParts<AppState> for Caller {
    type Rejection = YhtError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|t| !t.trim().is_empty())
            .ok_or(DigestError::TokenInvalid)?;
        Ok(Self(state.signet.yunhetong_caller(token).await?))
    }
}

/// The `token` header, checked only when the handler asks: upload routes read the whole form
/// first, since answering before an upload is consumed cuts the connection under a client still
/// sending it.
pub struct LateToken(Option<String>);

impl FromRequestParts<AppState> for LateToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts.headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(Self(token))
    }
}

impl LateToken {
    /// The caller behind the token, as [`Caller`] would have found it.
    pub async fn caller(&self, state: &AppState) -> Result<yunhetong::Caller, YhtError> {
        let token = self.0.as_deref().filter(|t| !t.trim().is_empty()).ok_or(DigestError::TokenInvalid)?;
        Ok(state.signet.yunhetong_caller(token).await?)
    }
}

/// The platform's own token: user tokens are refused (403) before the request is read.
pub struct Platform(pub yunhetong::Caller);

impl FromRequestParts<AppState> for Platform {
    type Rejection = YhtError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Caller(caller) = Caller::from_request_parts(parts, state).await?;
        caller.require_platform()?;
        Ok(Self(caller))
    }
}

/// `POST /auth/login`: `{appId, appKey, signerId?}` → the token in the `token` header.
pub async fn login(
    State(state): State<AppState>,
    Extension(dialect): Extension<Arc<Dialect>>,
    JsonParams(params): JsonParams,
) -> Result<Response, YhtError> {
    let app_id = params.str("appId")?;
    let app_key = params.str("appKey")?;
    let signer = params.opt_i64("signerId")?;
    let token = state.signet.yunhetong_login(&app_id, &app_key, signer, dialect.token_ttl).await?;
    let mut response = Json(json!({"code": 200, "msg": "成功"})).into_response();
    let value = HeaderValue::from_str(&token).map_err(|_| YhtError::from(DigestError::TokenInvalid))?;
    response.headers_mut().insert(TOKEN_HEADER, value);
    Ok(response)
}

/// Adds a renewed token to the response's `token` header when the request's token has less
/// than [`yunhetong::RENEW_BEFORE`] left (and never overrides a token a handler set).
pub async fn renew_token(
    State((state, dialect)): State<(AppState, Arc<Dialect>)>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request.headers().get(TOKEN_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut response = next.run(request).await;
    let renewed = presented
        .and_then(|token| state.signet.yunhetong_token_claims(&token).ok())
        .and_then(|caller| state.signet.yunhetong_renewal(&caller, dialect.token_ttl))
        .and_then(|token| HeaderValue::from_str(&token).ok());
    if let Some(value) = renewed
        && !response.headers().contains_key(TOKEN_HEADER)
    {
        response.headers_mut().insert(TOKEN_HEADER, value);
    }
    response
}
