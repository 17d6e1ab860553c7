//! `/v1/evidence`: document hashes in an append-only Merkle log, with inclusion proofs.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use signet_core::{Error, EvidenceContent, EvidenceProof};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CallerApp, Json, Path};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_evidence)).routes(routes!(get_tree_head)).routes(routes!(get_evidence))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateEvidence {
    /// Your reference, 4 to 50 characters, unique within the app.
    sid: String,
    /// A stored file to evidence…
    file_id: Option<String>,
    /// …or the hex SHA-256 of content you hold.
    sha256: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct EvidenceView {
    id: String,
    sid: String,
    sha256: String,
    leaf_index: u64,
    /// Size of the log the proof and root refer to.
    tree_size: u64,
    root_hash: String,
    /// RFC 6962 inclusion proof (hex hashes), from the leaf upwards.
    inclusion_proof: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

impl From<EvidenceProof> for EvidenceView {
    fn from(p: EvidenceProof) -> Self {
        Self {
            id: p.record.id.to_string(),
            sid: p.record.sid,
            sha256: p.record.sha256,
            leaf_index: p.record.leaf_index,
            tree_size: p.state.size,
            root_hash: p.state.root.to_hex(),
            inclusion_proof: p.proof.iter().map(|h| h.to_hex()).collect(),
            created_at: p.record.created_at,
        }
    }
}

/// Logs a document hash; returns its position and an inclusion proof.
#[utoipa::path(
    post, path = "/v1/evidence", tag = "evidence", operation_id = "create_evidence",
    security(("bearer" = [])),
    request_body = CreateEvidence,
    responses((status = 201, body = EvidenceView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody))
)]
async fn create_evidence(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Json(body): Json<CreateEvidence>,
) -> Result<(StatusCode, axum::Json<EvidenceView>), ApiError> {
    let content = match (body.file_id, body.sha256) {
        (Some(file), None) => EvidenceContent::File(file),
        (None, Some(hex_digest)) => {
            let digest = hex::decode(hex_digest.trim())
                .ok()
                .and_then(|d| <[u8; 32]>::try_from(d).ok())
                .ok_or_else(|| Error::invalid("sha256", "expected 64 hex digits"))?;
            EvidenceContent::Sha256(digest)
        }
        _ => return Err(Error::invalid("body", "give exactly one of fileId or sha256").into()),
    };
    let proof = state.signet.add_evidence(&app.id, &body.sid, content).await?;
    Ok((StatusCode::CREATED, axum::Json(proof.into())))
}

/// An entry by id or sid, with an inclusion proof against the current tree.
#[utoipa::path(
    get, path = "/v1/evidence/{id}", tag = "evidence", operation_id = "get_evidence",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "evidence id or your sid")),
    responses((status = 200, body = EvidenceView), (status = 404, body = ErrorBody))
)]
async fn get_evidence(
    State(state): State<AppState>,
    CallerApp(app): CallerApp,
    Path(id): Path<String>,
) -> Result<axum::Json<EvidenceView>, ApiError> {
    Ok(axum::Json(state.signet.evidence(&app.id, &id).await?.into()))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct TreeHeadView {
    tree_size: u64,
    root_hash: String,
    timestamp_ms: u64,
    /// The same head as a C2SP checkpoint in a signed note, signed by the TSA key.
    signed_note: String,
}

/// The current signed tree head of the evidence log (public).
#[utoipa::path(
    get, path = "/v1/evidence/tree-head", tag = "evidence", operation_id = "get_tree_head",
    responses((status = 200, body = TreeHeadView))
)]
async fn get_tree_head(State(state): State<AppState>) -> Result<axum::Json<TreeHeadView>, ApiError> {
    let (head, note) = state.signet.signed_tree_head().await?;
    Ok(axum::Json(TreeHeadView {
        tree_size: head.size,
        root_hash: head.root.to_hex(),
        timestamp_ms: head.timestamp_ms,
        signed_note: note,
    }))
}
