//! `/v1/events`: callback pull mode — fetch undelivered events and confirm them.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Path, Query};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_events)).routes(routes!(confirm_event))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct EventView {
    id: String,
    event: String,
    /// The body exactly as it is (or would be) pushed.
    #[schema(value_type = Object)]
    body: serde_json::Value,
    attempts: i32,
    last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<i64>,
}

/// Undelivered events, oldest first.
#[utoipa::path(
    get, path = "/v1/events", tag = "events", operation_id = "list_events",
    security(("bearer" = [])),
    params(("limit" = Option<i64>, Query, description = "1 to 200, default 50")),
    responses((status = 200, body = Vec<EventView>), (status = 401, body = ErrorBody))
)]
async fn list_events(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<Vec<EventView>>, ApiError> {
    let events = state.signet.pending_events(&app.id, query.limit.unwrap_or(50)).await?;
    Ok(axum::Json(
        events
            .into_iter()
            .map(|e| EventView {
                id: e.id.to_string(),
                event: e.event,
                body: serde_json::from_str(&e.body).unwrap_or(serde_json::Value::String(e.body)),
                attempts: e.attempts,
                last_error: e.last_error,
                created_at: e.created_at,
            })
            .collect(),
    ))
}

/// Confirms an event; it is then neither pushed nor listed again.
#[utoipa::path(
    post, path = "/v1/events/{id}/ack", tag = "events", operation_id = "confirm_event",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody))
)]
async fn confirm_event(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.signet.confirm_event(&app.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
