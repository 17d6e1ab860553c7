//! Extractors that turn bad requests into [`ApiError`]s instead of axum's plain-text rejections.
//!
//! Every native handler takes its input through these wrappers, so a malformed body, path or
//! query string is a `400 {code, message}` naming the problem, never axum's text/plain answer.
//! They also refuse NUL characters: PostgreSQL cannot store them in text, SQLite can, and the
//! two backends must answer the same.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use signet_core::Error;
use signet_core::apps::App;

use crate::AppState;
use crate::error::ApiError;

/// Why a text with a NUL character is refused (the dialects say it in their own envelopes).
pub(crate) const NO_NUL: &str = "text must not contain NUL characters";

/// Turns one of axum's rejections into an error naming `what`; its own faults stay 500s.
fn rejected(what: &'static str, rejection: impl IntoResponse + ToString) -> ApiError {
    let text = rejection.to_string();
    if rejection.into_response().status().is_server_error() {
        Error::Internal(format!("{what}: {text}")).into()
    } else {
        Error::invalid(what, text).into()
    }
}

/// JSON body whose rejections are reported as `invalid_input` errors naming the problem.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(Error::invalid("Content-Type", "expected application/json").into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| rejected("body", r))?;
        if has_nul_escape(&bytes) {
            return Err(Error::invalid("body", NO_NUL).into());
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(Error::invalid("body", rejection.body_text()).into()),
        }
    }
}

/// `application/json` or an `application/*+json` type.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether JSON text holds a `\u0000` escape (raw control characters are invalid JSON anyway).
pub(crate) fn has_nul_escape(json: &[u8]) -> bool {
    json.windows(6).enumerate().any(|(at, window)| {
        window == b"\\u0000" && json[..at].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0
    })
}

/// Path parameters whose rejections name the parameter (`Cannot parse `index` ...`).
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if parts.uri.path().contains("%00") {
            return Err(Error::invalid("path", NO_NUL).into());
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejected("path", rejection)),
        }
    }
}

/// A query string whose rejections name the parameter (`limit: invalid digit ...`).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(Error::invalid("query", NO_NUL).into());
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejected("query", rejection)),
        }
    }
}

/// A multipart form; a missing or broken `Content-Type` is an `invalid_input` error.
pub struct Multipart(pub axum::extract::Multipart);

impl FromRequest<AppState> for Multipart {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::extract::Multipart::from_request(req, state).await {
            Ok(multipart) => Ok(Self(multipart)),
            Err(rejection) => Err(rejected("Content-Type", rejection)),
        }
    }
}

/// A raw body (uploads, PKI protocols) whose rejections (too large, cut off) are JSON errors.
pub struct RawBody(pub Bytes);

impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state).await.map(Self).map_err(|r| rejected("body", r))
    }
}

/// The app identified by the request's `Authorization: Bearer` token.
pub struct CallerApp(pub App);

impl FromRequestParts<AppState> for CallerApp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header =
            parts.headers.get(AUTHORIZATION).ok_or(Error::Unauthenticated("missing Authorization: Bearer header"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Error::Unauthenticated("expected Authorization: Bearer <token>"))?;
        Ok(Self(state.signet.app_for_token(token.trim()).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_escapes_are_found_but_escaped_backslashes_are_not() {
        assert!(has_nul_escape(br#"{"a":"x\u0000"}"#));
        assert!(has_nul_escape(br#"{"a":"\\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"\u0001"}"#));
    }

    #[test]
    fn json_types_include_suffixes_and_parameters() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, value.parse().unwrap());
            is_json(&headers)
        };
        assert!(with("application/json; charset=utf-8"));
        assert!(with("Application/JSON"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("text/plain"));
        assert!(!with("text/json+x"));
        assert!(!is_json(&HeaderMap::new()));
    }
}
