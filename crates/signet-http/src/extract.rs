//! Extractors that turn bad requests into [`ApiError`]s instead of axum's plain-text rejections.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use signet_core::Error;
use signet_core::apps::App;

use crate::AppState;
use crate::error::ApiError;

/// JSON body whose rejections are reported as `invalid_input` errors naming the problem.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(Error::invalid("body", rejection.body_text()).into()),
        }
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
