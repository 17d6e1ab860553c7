//! `GET/PATCH /v1/app`: the calling app reads and changes its callback settings.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use signet_core::apps::{App, AppChanges};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::present;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_app, update_app))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct AppView {
    app_id: String,
    name: String,
    callback_url: Option<String>,
    /// Whether a callback secret is set (the secret itself is never returned).
    has_callback_secret: bool,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

impl From<App> for AppView {
    fn from(app: App) -> Self {
        Self {
            app_id: app.id.to_string(),
            name: app.name,
            callback_url: app.callback_url,
            has_callback_secret: app.has_callback_secret,
            created_at: app.created_at,
        }
    }
}

/// A partial update: an absent field is unchanged, `null` clears it.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AppPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    callback_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    callback_secret: Option<Option<String>>,
}

/// Reads the calling app.
#[utoipa::path(
    get, path = "/v1/app", tag = "app", operation_id = "get_app",
    security(("bearer" = [])),
    responses((status = 200, body = AppView), (status = 401, body = ErrorBody))
)]
async fn get_app(State(state): State<AppState>, CallerApp(app): CallerApp) -> Result<axum::Json<AppView>, ApiError> {
    Ok(axum::Json(state.signet.app(&app.id).await?.into()))
}

/// Changes the calling app's callback URL and secret.
#[utoipa::path(
    patch, path = "/v1/app", tag = "app", operation_id = "update_app",
    security(("bearer" = [])),
    request_body = AppPatch,
    responses((status = 200, body = AppView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
async fn update_app(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Json(patch): Json<AppPatch>,
) -> Result<axum::Json<AppView>, ApiError> {
    let changes = AppChanges { callback_url: patch.callback_url, callback_secret: patch.callback_secret };
    Ok(axum::Json(state.signet.update_app(&app.id, changes).await?.into()))
}
