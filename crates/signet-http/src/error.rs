//! [`ApiError`]: the one mapping from domain errors to HTTP responses of the native API.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use signet_core::{Error, ErrorCode};
use utoipa::ToSchema;

/// The JSON body of every native error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid_input`, `not_found`.
    pub code: String,
    /// Human-readable explanation naming the problem (e.g. the offending field).
    pub message: String,
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        Self(err)
    }
}

/// The HTTP status for each domain error code.
pub fn status_for(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.0.code();
        let message = if matches!(code, ErrorCode::Internal | ErrorCode::Unavailable) {
            // Causes stay in the log; clients learn only that it was our fault.
            tracing::error!(error = ?self.0, "request failed");
            if code == ErrorCode::Internal { "internal error".to_owned() } else { self.0.to_string() }
        } else {
            self.0.to_string()
        };
        let body = ErrorBody { code: code.as_str().to_owned(), message };
        (status_for(code), Json(body)).into_response()
    }
}

/// The answer for a path nothing serves, in the native error shape (axum's is an empty body).
pub(crate) async fn unknown_route() -> ApiError {
    ApiError(Error::NotFound("route"))
}

/// The answer for a method a path does not serve (axum's is an empty 405).
pub(crate) async fn method_not_allowed() -> Response {
    let body = ErrorBody {
        code: "method_not_allowed".to_owned(),
        message: "this path does not serve that method; /openapi.json lists the routes".to_owned(),
    };
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}
