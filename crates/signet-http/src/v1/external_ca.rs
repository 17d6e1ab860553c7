//! The external CA channel of an account: a CSR for its key, and the import of the chain the
//! external CA returns; from then on the account signs with that certificate.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Path};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_csr)).routes(routes!(import_certificate))
}

/// A PKCS#10 request for the account's key.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct CsrView {
    /// PEM `CERTIFICATE REQUEST`, signed by the account's key, asking for digitalSignature and
    /// nonRepudiation; the subject is the account's (the ID number only as its pseudonym).
    csr: String,
}

/// Creates a certification request for the account's key, to send to an external CA.
#[utoipa::path(
    post, path = "/v1/accounts/{id}/csr", tag = "accounts", operation_id = "create_account_csr",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = CsrView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
async fn create_csr(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<CsrView>, ApiError> {
    Ok(axum::Json(CsrView { csr: state.signet.account_csr(&app.id, &id).await? }))
}

/// The external CA's answer.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ImportInput {
    /// PEM certificates: the one issued for the account's key and its issuers.
    certificates: String,
}

/// The installed certificate.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ImportedView {
    serial: String,
    issuer: String,
    #[serde(with = "time::serde::rfc3339")]
    not_after: OffsetDateTime,
    /// How many issuer certificates came with it.
    chain_length: usize,
}

/// Imports the certificate an external CA issued for the account's key (and its chain); the
/// account signs with it from now on. 400 when no certificate matches the key or the chain does
/// not link up.
#[utoipa::path(
    post, path = "/v1/accounts/{id}/external-certificate", tag = "accounts",
    operation_id = "import_account_certificate",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ImportInput,
    responses(
        (status = 200, body = ImportedView),
        (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)
    )
)]
async fn import_certificate(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
    Json(body): Json<ImportInput>,
) -> Result<axum::Json<ImportedView>, ApiError> {
    let imported = state.signet.import_account_certificate(&app.id, &id, body.certificates.as_bytes()).await?;
    Ok(axum::Json(ImportedView {
        serial: imported.record.serial,
        issuer: imported.issuer,
        not_after: imported.record.not_after,
        chain_length: imported.chain_len,
    }))
}
