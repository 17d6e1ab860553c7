//! Page links of flows: a signer's signing page (`/v1/flows/{id}/signers/{account}/link`) and the
//! initiator's drag-positioning page of a draft flow (`/v1/flows/{id}/position-link`).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Path};
use crate::pages::link_urls;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(signer_link)).routes(routes!(position_link))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkInput {
    /// Where the done page sends the signer after signing (absolute http/https URL).
    redirect_url: Option<String>,
    /// Lifetime in seconds (default: the `link_validity_secs` setting, 30 days; never past the
    /// flow's deadline).
    expires_in: Option<u32>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct LinkView {
    /// The signing page. Give it only to the signer: it opens their signing task.
    url: String,
    /// A short form for SMS, redirecting to `url`.
    short_url: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// Issues the signer's signing-page link; an earlier link of the same signer stops working.
#[utoipa::path(
    post, path = "/v1/flows/{id}/signers/{account}/link", tag = "flows", operation_id = "signer_link",
    security(("bearer" = [])),
    params(("id" = String, Path), ("account" = String, Path)),
    request_body = LinkInput,
    responses(
        (status = 200, body = LinkView),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no such flow, or the account is not its signer"),
        (status = 409, body = ErrorBody, description = "the flow has ended"),
    )
)]
async fn signer_link(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path((id, account)): Path<(String, String)>,
    Json(input): Json<LinkInput>,
) -> Result<axum::Json<LinkView>, ApiError> {
    let ttl = input.expires_in.map(|s| time::Duration::seconds(s.into()));
    let (_, issued) = state.signet.issue_signer_link(&app.id, &id, &account, input.redirect_url, ttl).await?;
    let urls = link_urls(&state, &issued);
    Ok(axum::Json(LinkView { url: urls.url, short_url: urls.short_url, expires_at: urls.expires_at }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PositionLinkInput {
    /// Lifetime in seconds (default: the `link_validity_secs` setting).
    expires_in: Option<u32>,
}

/// Issues the drag-positioning page (拖章定位) of a draft flow: whoever opens it places the
/// signers' fields on the documents, saved on the flow. An earlier link of the flow stops working.
#[utoipa::path(
    post, path = "/v1/flows/{id}/position-link", tag = "flows", operation_id = "position_link",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PositionLinkInput,
    responses(
        (status = 200, body = LinkView),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the flow is not a draft"),
    )
)]
async fn position_link(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
    Json(input): Json<PositionLinkInput>,
) -> Result<axum::Json<LinkView>, ApiError> {
    let ttl = input.expires_in.map(|s| time::Duration::seconds(s.into()));
    let issued = state.signet.issue_position_link(&app.id, &id, ttl).await?;
    let urls = link_urls(&state, &issued);
    Ok(axum::Json(LinkView { url: urls.url, short_url: urls.short_url, expires_at: urls.expires_at }))
}
