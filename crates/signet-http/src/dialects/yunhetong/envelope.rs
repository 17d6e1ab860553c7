//! The success envelope `{"code": 200, "msg": true, "data": ...}`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::YhtError;

/// A successful answer.
pub struct Ok200(pub Option<Value>);

impl Ok200 {
    /// Success with a `data` member.
    pub fn data(data: Value) -> Self {
        Self(Some(data))
    }

    /// Success without data.
    pub fn empty() -> Self {
        Self(None)
    }
}

impl IntoResponse for Ok200 {
    fn into_response(self) -> Response {
        match self.0 {
            Some(data) => Json(json!({"code": 200, "msg": true, "data": data})).into_response(),
            None => Json(json!({"code": 200, "msg": true})).into_response(),
        }
    }
}

/// The result type of handlers.
pub type Answer = Result<Ok200, YhtError>;

/// Unknown paths under `/yunhetong` answer in the envelope too.
pub async fn unknown_route() -> YhtError {
    YhtError::UnknownRoute
}
