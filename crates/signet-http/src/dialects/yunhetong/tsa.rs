//! `/tsa/*`: PAdES document timestamps from the built-in TSA (时间戳数据固化), PDF only, ≤ 20 MB.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use serde_json::json;

use super::Dialect;
use super::auth::{LateToken, Platform};
use super::envelope::{Answer, Ok200};
use super::error::YhtError;
use super::params::{JsonParams, Params};
use crate::AppState;

const MAX_BYTES: u64 = 20 * 1024 * 1024;

/// `POST /tsa/pathSign` (platform token): `filePath` → `fileSavePath`.
pub async fn path_sign(
    State(state): State<AppState>,
    Extension(dialect): Extension<Arc<Dialect>>,
    Platform(caller): Platform,
    JsonParams(p): JsonParams,
) -> Answer {
    let save = dialect.roots.output("fileSavePath", &p.str("fileSavePath")?)?;
    let source = dialect.roots.input("filePath", &p.str("filePath")?)?;
    let pdf = dialect.roots.read(&source, MAX_BYTES, "filePath").await?;
    stamp(&state, &dialect, &caller, pdf, save, None).await
}

/// `POST /tsa/streamSign` (platform token, multipart: the PDF in `filePath`).
pub async fn stream_sign(
    State(state): State<AppState>,
    Extension(dialect): Extension<Arc<Dialect>>,
    token: LateToken,
    form: Result<Multipart, MultipartRejection>,
) -> Answer {
    let form = form.map_err(|e| YhtError::Param(format!("请求必须是 multipart/form-data: {}", e.body_text())))?;
    let p = Params::from_multipart(form, "filePath").await?;
    // Checked once the upload is consumed (see `LateToken`).
    let caller = token.caller(&state).await?;
    caller.require_platform()?;
    let save = dialect.roots.output("fileSavePath", &p.str("fileSavePath")?)?;
    let title = p.opt_str("title")?;
    let (_, pdf) = p.file.ok_or_else(|| YhtError::Param("filePath 为空".into()))?;
    if pdf.len() as u64 > MAX_BYTES {
        return Err(YhtError::Param("filePath 文件最大 20M".into()));
    }
    stamp(&state, &dialect, &caller, pdf, save, title).await
}

async fn stamp(
    state: &AppState,
    dialect: &Dialect,
    caller: &signet_core::yunhetong::Caller,
    pdf: Bytes,
    save: std::path::PathBuf,
    title: Option<String>,
) -> Answer {
    let stamped = state.signet.yunhetong_timestamp(caller, pdf, title).await?;
    dialect.roots.write_atomic(save, stamped.pdf, "fileSavePath").await?;
    Ok(Ok200::data(json!({"timeStampSignId": stamped.timestamp_id})))
}
