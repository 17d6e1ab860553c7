//! Public PKI endpoints: what validators need to trust and check our signatures.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ca_bundle))
}

/// PEM bundle of the root, issuing, TSA and OCSP certificates to trust.
#[utoipa::path(
    get, path = "/pki/ca.pem", tag = "pki",
    responses((status = 200, description = "PEM certificates", content_type = "application/x-pem-file", body = String))
)]
async fn ca_bundle(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/x-pem-file")], state.signet.trust_bundle_pem())
}
