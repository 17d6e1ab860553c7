//! `/cz/*`: evidence of a server file's content (合同存证) under the caller's `sid`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use serde_json::json;

use super::Dialect;
use super::auth::Platform;
use super::envelope::{Answer, Ok200};
use super::params::JsonParams;
use crate::AppState;

const MAX_BYTES: u64 = 100 * 1024 * 1024;

/// `POST /cz/in` (platform token): `{sid, filePath}` → `czId`.
pub async fn deposit(
    State(state): State<AppState>,
    Extension(dialect): Extension<Arc<Dialect>>,
    Platform(caller): Platform,
    JsonParams(p): JsonParams,
) -> Answer {
    let sid = p.str("sid")?;
    let source = dialect.roots.input("filePath", &p.str("filePath")?)?;
    let content = dialect.roots.read(&source, MAX_BYTES, "filePath").await?;
    let id = state.signet.yunhetong_deposit(&caller, &sid, &content).await?;
    Ok(Ok200::data(json!({"czId": id})))
}

/// `POST /cz/queryCzId` (platform token): `{sid}` → `czId`.
pub async fn query(State(state): State<AppState>, Platform(caller): Platform, JsonParams(p): JsonParams) -> Answer {
    let sid = p.str("sid")?;
    let id = state.signet.yunhetong_deposit_id(&caller, &sid).await?;
    Ok(Ok200::data(json!({"czId": id})))
}
