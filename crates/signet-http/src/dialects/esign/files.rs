//! `/file/uploadurl` and `/doc/...`: uploads through Signet's own upload URL, contracts from them,
//! and download links.

use axum::extract::State;
use serde_json::json;
use signet_core::UploadDeclaration;
use signet_core::esign::DownloadTarget;
use time::Duration;

use super::body::Body;
use super::error::{Context, EsignError, FILE_NOT_FOUND, FILE_TYPE_UNSUPPORTED};
use super::{Answer, Success, TsignApp, links};
use crate::AppState;

/// `uploadUrl` is Signet's own `PUT /v1/uploads/{token}`, valid one hour; the PUT must carry the
/// declared `Content-MD5` and `Content-Type` and exactly `fileSize` bytes, else 403.
pub(super) async fn upload_url(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let size = body.i64("fileSize")?;
    let size = u64::try_from(size)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| EsignError::parameter("fileSize", "must be positive"))?;
    let declaration = UploadDeclaration {
        name: body.string("fileName")?,
        content_md5: body.string("contentMd5")?,
        content_type: body.string("contentType")?,
        size,
    };
    let ticket =
        state.signet.file_upload_ticket(&app.id, &declaration).map_err(|e| EsignError::from_core(e, Context::File))?;
    Ok(Success::data(json!({
        "fileKey": ticket.file_id.as_str(),
        "uploadUrl": format!("{}/v1/uploads/{}", state.public_url, ticket.token),
    })))
}

/// The contract is the uploaded PDF itself: `docId` equals the `fileKey`.
pub(super) async fn create_doc(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let key = body.string("fileKey")?;
    let file = state.signet.file(&app.id, &key).await.map_err(|e| EsignError::from_core(e, Context::File))?;
    if file.content_type != "application/pdf" || file.pages.is_none() {
        return Err(EsignError::new(
            FILE_TYPE_UNSUPPORTED,
            format!("文件类型不支持: {} (application/pdf only)", file.content_type),
        ));
    }
    Ok(Success::data(json!({"docId": file.id.as_str()})))
}

/// `docUrl`: a signed link to the original, valid 30 minutes.
pub(super) async fn doc_download_url(State(state): State<AppState>, TsignApp(app): TsignApp, body: Body) -> Answer {
    let doc = body.string("docId")?;
    let file = state.signet.file(&app.id, &doc).await.map_err(|e| EsignError::from_core(e, Context::File))?;
    if file.pages.is_none() {
        return Err(EsignError::new(FILE_NOT_FOUND, "文件不存在: not a contract"));
    }
    let url = links::download_url(&state, &app.id, &DownloadTarget::File(file.id), Duration::minutes(30));
    Ok(Success::data(json!({"docUrl": url})))
}
