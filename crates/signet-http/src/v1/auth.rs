//! `POST /v1/auth/token`: app credentials in, bearer token out.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_token))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenRequest {
    app_id: String,
    app_secret: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct TokenResponse {
    access_token: String,
    /// Lifetime of the token in seconds.
    expires_in: i64,
}

/// Exchanges an app id and secret for a bearer token.
#[utoipa::path(
    post, path = "/v1/auth/token", tag = "auth", operation_id = "create_token",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody, description = "unknown app id or wrong secret"),
    )
)]
async fn create_token(
    State(state): State<AppState>,
    Json(request): Json<TokenRequest>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    let (access_token, expires_in) = state.signet.issue_access_token(&request.app_id, &request.app_secret).await?;
    Ok(axum::Json(TokenResponse { access_token, expires_in }))
}
