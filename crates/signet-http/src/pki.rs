//! Public PKI endpoints: what validators need to trust and check our signatures (CA certificates,
//! CRLs, OCSP, RFC 3161 time stamps), and the native API's certificate revocation.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Serialize;
use signet_core::Error;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Path, RawBody};

/// Largest OCSP or time-stamp request accepted (real ones are a few hundred bytes).
const MAX_PROTOCOL_REQUEST: usize = 16 * 1024;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ca_bundle))
        .routes(routes!(ca_certificate))
        .routes(routes!(crl))
        .routes(routes!(ocsp_post))
        // A wildcard: base64 may contain `/`. Documented with the POST form.
        .route("/pki/ocsp/{*request}", axum::routing::get(ocsp_get))
        .routes(routes!(timestamp))
        .routes(routes!(revoke_certificate))
}

/// PEM bundle of the root, issuing, TSA and OCSP certificates to trust.
#[utoipa::path(
    get, path = "/pki/ca.pem", tag = "pki",
    responses((status = 200, description = "PEM certificates", content_type = "application/x-pem-file", body = String))
)]
async fn ca_bundle(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/x-pem-file")], state.signet.trust_bundle_pem())
}

/// A CA certificate in DER, as named in the AIA caIssuers of the certificates it issued.
#[utoipa::path(
    get, path = "/pki/ca/{file}", tag = "pki",
    params(("file" = String, Path, description = "`root.cer`, `rsa.cer`, `ecdsa.cer` or `sm2.cer`")),
    responses(
        (status = 200, description = "DER certificate", content_type = "application/pkix-cert", body = Vec<u8>),
        (status = 404, body = ErrorBody)
    )
)]
async fn ca_certificate(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, ApiError> {
    let name = file.strip_suffix(".cer").ok_or(Error::NotFound("CA"))?;
    let der = state.signet.ca_certificate_der(name)?;
    Ok(([(CONTENT_TYPE, "application/pkix-cert")], der).into_response())
}

/// The current CRL of a CA, in DER, as named in the CRL distribution points it writes.
#[utoipa::path(
    get, path = "/pki/crl/{file}", tag = "pki",
    params(("file" = String, Path, description = "`root.crl`, `rsa.crl`, `ecdsa.crl` or `sm2.crl`")),
    responses(
        (status = 200, description = "DER CRL", content_type = "application/pkix-crl", body = Vec<u8>),
        (status = 404, body = ErrorBody)
    )
)]
async fn crl(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, ApiError> {
    let name = file.strip_suffix(".crl").ok_or(Error::NotFound("CRL"))?;
    let der = state.signet.crl(name).await?;
    Ok(([(CONTENT_TYPE, "application/pkix-crl"), (CACHE_CONTROL, "max-age=300")], der).into_response())
}

/// OCSP (RFC 6960) over POST: the body is a DER OCSPRequest. The GET form of RFC 6960
/// appendix A.1 is served too: `GET /pki/ocsp/<URL-encoded base64 of the request>`.
#[utoipa::path(
    post, path = "/pki/ocsp", tag = "pki",
    request_body(content = Vec<u8>, content_type = "application/ocsp-request"),
    responses((status = 200, description = "DER OCSPResponse", content_type = "application/ocsp-response", body = Vec<u8>))
)]
async fn ocsp_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    expect_content_type(&headers, "application/ocsp-request")?;
    ocsp_answer(&state, body.to_vec()).await
}

/// OCSP (RFC 6960 appendix A.1) over GET: the path is the URL-encoded base64 of the DER request.
async fn ocsp_get(State(state): State<AppState>, Path(request): Path<String>) -> Result<Response, ApiError> {
    // Path extraction already percent-decoded; clients differ on padding and alphabet.
    let cleaned: String = request.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(cleaned.trim_end_matches('='))
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(cleaned.trim_end_matches('=')))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cleaned.trim_end_matches('=')))
        .map_err(|_| Error::invalid("request", "not base64"))?;
    ocsp_answer(&state, der).await
}

async fn ocsp_answer(state: &AppState, der: Vec<u8>) -> Result<Response, ApiError> {
    if der.len() > MAX_PROTOCOL_REQUEST {
        return Err(Error::invalid("request", "too large for an OCSP request").into());
    }
    let answer = state.signet.ocsp_respond(der).await?;
    Ok(([(CONTENT_TYPE, "application/ocsp-response")], answer).into_response())
}

/// RFC 3161 time-stamping over HTTP: a DER TimeStampReq in, a DER TimeStampResp out.
#[utoipa::path(
    post, path = "/tsa", tag = "pki",
    request_body(content = Vec<u8>, content_type = "application/timestamp-query"),
    responses(
        (status = 200, description = "DER TimeStampResp", content_type = "application/timestamp-reply", body = Vec<u8>),
        (status = 400, body = ErrorBody)
    )
)]
async fn timestamp(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    expect_content_type(&headers, "application/timestamp-query")?;
    if body.len() > MAX_PROTOCOL_REQUEST {
        return Err(Error::invalid("request", "too large for a time-stamp request").into());
    }
    let answer = state.signet.timestamp_respond(body.to_vec()).await?;
    Ok(([(CONTENT_TYPE, "application/timestamp-reply")], answer).into_response())
}

/// Refuses a body whose declared type is not `expected` (a missing type is accepted).
fn expect_content_type(headers: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    match headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        Some(value) if !value.trim().to_ascii_lowercase().starts_with(expected) => {
            Err(Error::invalid("Content-Type", format!("expected {expected}")).into())
        }
        _ => Ok(()),
    }
}

/// A certificate after revocation.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct RevokedView {
    serial: String,
    #[serde(with = "time::serde::rfc3339")]
    revoked_at: OffsetDateTime,
}

/// Revokes one of the calling app's certificates: OCSP answers `revoked` and CRLs list it from now on.
#[utoipa::path(
    post, path = "/v1/certificates/{serial}/revoke", tag = "accounts", operation_id = "revoke_certificate",
    security(("bearer" = [])),
    params(("serial" = String, Path, description = "serial number in hex")),
    responses((status = 200, body = RevokedView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
async fn revoke_certificate(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(serial): Path<String>,
) -> Result<(StatusCode, axum::Json<RevokedView>), ApiError> {
    let record = state.signet.revoke_certificate(&serial, Some(&app.id)).await?;
    let revoked_at = record.revoked_at.ok_or_else(|| Error::Internal("revocation not recorded".into()))?;
    Ok((StatusCode::OK, axum::Json(RevokedView { serial: record.serial, revoked_at })))
}
