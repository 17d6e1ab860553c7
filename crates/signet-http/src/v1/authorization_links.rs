//! `/v1/accounts/{id}/authorization-links`: a link to the silent-sign authorization page, the
//! native counterpart of 签盾's `/seal/autosign/auth/url`.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use signet_core::Error;
use signet_core::authorization_links::{AuthorizationLinkRequest, WillingnessMode};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Path};
use crate::pages::link_urls;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_authorization_link))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuthorizationLinkInput {
    /// Seals to authorize; absent: all of the account's seals, including later ones.
    seal_ids: Option<Vec<String>>,
    /// `sms` and/or `face` (face needs a configured face verifier; otherwise the page offers SMS).
    #[serde(default)]
    willingness: Vec<String>,
    /// Where the page sends the person after granting (absolute http/https URL).
    redirect_url: Option<String>,
    /// Seconds before that redirect (0 to 60, default 3).
    redirect_delay_secs: Option<u32>,
    /// Lifetime of the link in seconds (default: the `link_validity_secs` setting).
    expires_in: Option<u32>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct AuthorizationLinkView {
    /// The authorization page. Give it only to the account holder.
    url: String,
    /// A short form for SMS, redirecting to `url`.
    short_url: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// Issues a link to the silent-sign authorization page; an earlier link of the account stops
/// working. Granting on the page creates an authorization like `POST .../authorizations`.
#[utoipa::path(
    post, path = "/v1/accounts/{id}/authorization-links", tag = "seals", operation_id = "create_authorization_link",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "account id")),
    request_body = AuthorizationLinkInput,
    responses(
        (status = 200, body = AuthorizationLinkView),
        (status = 400, body = ErrorBody, description = "bad input, or a seal that is not the account's"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already authorized, organisation not verified, or the person's identity was rejected"),
    )
)]
async fn create_authorization_link(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(account): Path<String>,
    Json(input): Json<AuthorizationLinkInput>,
) -> Result<axum::Json<AuthorizationLinkView>, ApiError> {
    let modes = input
        .willingness
        .iter()
        .map(|m| match m.as_str() {
            "sms" => Ok(WillingnessMode::Sms),
            "face" => Ok(WillingnessMode::Face),
            _ => Err(Error::invalid("willingness", "expected sms or face")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let request = AuthorizationLinkRequest {
        account_id: account,
        seal_ids: input.seal_ids,
        modes,
        link_ttl: input.expires_in.map(|s| time::Duration::seconds(s.into())),
        redirect_url: input.redirect_url,
        redirect_delay_secs: input.redirect_delay_secs.unwrap_or(3).min(60),
    };
    let issued = state.signet.request_authorization_link(&app.id, request).await.map_err(Error::from)?;
    let urls = link_urls(&state, &issued);
    Ok(axum::Json(AuthorizationLinkView { url: urls.url, short_url: urls.short_url, expires_at: urls.expires_at }))
}
