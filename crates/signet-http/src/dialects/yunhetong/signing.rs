//! `/sign/*` and `/send/verifyCode`: digest signing of a server file or an uploaded one, with or
//! without an SMS code first. The signed PDF is written (atomically) to `contractSavePath`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use serde_json::json;
use signet_core::yunhetong::{DigestPosition, DigestSign, SealChoice, SealClass};

use super::Dialect;
use super::auth::{LateToken, Platform};
use super::envelope::{Answer, Ok200};
use super::error::YhtError;
use super::params::{JsonParams, Params};
use crate::AppState;

/// Largest contract read from a server path.
const MAX_CONTRACT_BYTES: u64 = 100 * 1024 * 1024;
/// Most coordinates one request may give.
const MAX_POINTS: usize = 100;

/// `POST /sign/filePath` (platform token).
pub async fn file_path(
    State(state): State<AppState>,
    Extension(dialect): Extension<Arc<Dialect>>,
    Platform(caller): Platform,
    JsonParams(p): JsonParams,
) -> Answer {
    sign(&state, &dialect, &caller, p, false).await
}

/// `POST /sign/verifyCodeFilePath` (platform token): `code` first.
pub async fn code_file_path(
    State(state): State<AppState>,
    Extension(dialect): Extension<Arc<Dialect>>,
    Platform(caller): Platform,
    JsonParams(p): JsonParams,
) -> Answer {
    sign(&state, &dialect, &caller, p, true).await
}

/// `POST /sign/fileStream` (platform token, multipart: the PDF in `contractPath`); the form is
/// read before the token is checked (see [`LateToken`]).
pub async fn file_stream(
    State(state): State<AppState>,
    Extension(dialect): Extension<Arc<Dialect>>,
    token: LateToken,
    form: Result<Multipart, MultipartRejection>,
) -> Answer {
    let p = multipart(form).await?;
    let caller = token.caller(&state).await?;
    sign(&state, &dialect, &caller, p, false).await
}

/// `POST /sign/verifyCodeFileStream` (platform token, multipart): `code` first.
pub async fn code_file_stream(
    State(state): State<AppState>,
    Extension(dialect): Extension<Arc<Dialect>>,
    token: LateToken,
    form: Result<Multipart, MultipartRejection>,
) -> Answer {
    let p = multipart(form).await?;
    let caller = token.caller(&state).await?;
    sign(&state, &dialect, &caller, p, true).await
}

/// `POST /send/verifyCode` (platform token).
pub async fn send_code(State(state): State<AppState>, Platform(caller): Platform, JsonParams(p): JsonParams) -> Answer {
    let signer = p.i64("signerId")?;
    let phone = p.opt_str("phoneNo")?;
    state.signet.yunhetong_send_code(&caller, signer, phone.as_deref()).await?;
    Ok(Ok200::empty())
}

async fn multipart(form: Result<Multipart, MultipartRejection>) -> Result<Params, YhtError> {
    let form = form.map_err(|e| YhtError::Param(format!("请求必须是 multipart/form-data: {}", e.body_text())))?;
    Params::from_multipart(form, "contractPath").await
}

/// Parameters first, then the paths, then the file; the core checks the code right before signing.
async fn sign(
    state: &AppState,
    dialect: &Dialect,
    caller: &signet_core::yunhetong::Caller,
    p: Params,
    with_code: bool,
) -> Answer {
    caller.require_platform()?;
    let request = sign_request(&p)?;
    let code = if with_code { Some(p.opt_str("code")?.ok_or(YhtError::CodeMissing)?) } else { None };
    let save = dialect.roots.output("contractSavePath", &p.str("contractSavePath")?)?;
    let pdf = match p.file {
        Some((_, bytes)) => bytes,
        None => {
            let source = dialect.roots.input("contractPath", &p.str("contractPath")?)?;
            dialect.roots.read(&source, MAX_CONTRACT_BYTES, "contractPath").await?
        }
    };
    if pdf.is_empty() {
        return Err(YhtError::Param("contractPath 文件为空".into()));
    }
    let request = DigestSign { code, ..request };
    let signed = state.signet.yunhetong_sign(caller, request, pdf).await?;
    dialect.roots.write_atomic(save, signed.pdf, "contractSavePath").await?;
    Ok(Ok200::data(json!({"summaryId": signed.summary_id})))
}

/// The signing parameters shared by the four routes.
fn sign_request(p: &Params) -> Result<DigestSign, YhtError> {
    let signer = p.i64("signerId")?;
    let seal = match p.opt_i64_any(&["moulageId", "mouflageId"])? {
        None => return Err(YhtError::Param("印章 id 为空".into())),
        Some(-1) => SealChoice::Invisible,
        Some(n) if n > 0 => SealChoice::Numbered(n),
        Some(_) => return Err(YhtError::Param("moulageId 格式不正确".into())),
    };
    let class = match p.opt_str("sealClass")?.as_deref() {
        None | Some("0") => SealClass::Normal,
        Some("1") => SealClass::CrossPage,
        Some("2") => SealClass::WithDigest,
        Some("3") => SealClass::WithTime,
        Some(_) => return Err(YhtError::Param("sealClass 格式不正确 (0-3)".into())),
    };
    let needs_position = class != SealClass::CrossPage && seal != SealChoice::Invisible;
    let position = match p.opt_str("signPositionType")?.as_deref() {
        // Cross-page seals ignore the position fields, as the document says.
        _ if class == SealClass::CrossPage => None,
        None if !needs_position => None,
        None => return Err(YhtError::Param("signPositionType 为空".into())),
        Some("0") => Some(DigestPosition::Keyword(p.str("positionContent")?)),
        Some("1") => Some(DigestPosition::Points(points(&p.str("positionContent")?)?)),
        Some(_) => return Err(YhtError::Param("signPositionType 格式不正确 (0 或 1)".into())),
    };
    if needs_position && position.is_none() {
        return Err(YhtError::Param("positionContent 为空".into()));
    }
    let title = p.opt_str("contractTitle")?;
    Ok(DigestSign { signer, seal, class, position, title, code: None })
}

/// `page,x,y;page,x,y`: 1-based pages, points from the bottom-left corner.
fn points(content: &str) -> Result<Vec<(usize, f64, f64)>, YhtError> {
    let bad = |part: &str| YhtError::Param(format!("positionContent 格式不正确: {part:?} (应为 页面,x,y;页面,x,y)"));
    let mut points = Vec::new();
    for part in content.split([';', '；']).map(str::trim).filter(|s| !s.is_empty()) {
        let fields: Vec<&str> = part.split([',', '，']).map(str::trim).collect();
        let [page, x, y] = fields.as_slice() else { return Err(bad(part)) };
        let page: usize = page.parse().map_err(|_| bad(part))?;
        let x: f64 = x.parse().map_err(|_| bad(part))?;
        let y: f64 = y.parse().map_err(|_| bad(part))?;
        if page == 0 || !x.is_finite() || !y.is_finite() || x < 0.0 || y < 0.0 {
            return Err(bad(part));
        }
        points.push((page, x, y));
    }
    if points.is_empty() || points.len() > MAX_POINTS {
        return Err(YhtError::Param(format!("positionContent 需要 1 到 {MAX_POINTS} 个坐标")));
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_page_x_y_triples() {
        assert_eq!(points("1,0,0;2,200,200").unwrap(), vec![(1, 0.0, 0.0), (2, 200.0, 200.0)]);
        assert_eq!(points("1，100.5，100；").unwrap(), vec![(1, 100.5, 100.0)]);
        for bad in ["", "1,2", "0,1,1", "1,x,2", "1,NaN,2", "1,-5,2", "1,2,3,4"] {
            assert!(points(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn both_spellings_of_the_seal_id_and_the_position_rules() {
        let parse = |json: &str| sign_request(&Params::from_json(json.as_bytes()).unwrap());
        let request =
            parse(r#"{"signerId": "1", "mouflageId": "4", "signPositionType": "0", "positionContent": "甲方"}"#)
                .unwrap();
        assert_eq!(
            (request.seal, request.position),
            (SealChoice::Numbered(4), Some(DigestPosition::Keyword("甲方".into())))
        );
        let invisible = parse(r#"{"signerId": "1", "moulageId": "-1"}"#).unwrap();
        assert_eq!((invisible.seal, invisible.position), (SealChoice::Invisible, None));
        let cross = parse(
            r#"{"signerId": 1, "moulageId": 2, "sealClass": "1", "signPositionType": "1", "positionContent": "junk"}"#,
        )
        .unwrap();
        assert_eq!((cross.class, cross.position), (SealClass::CrossPage, None));
        assert!(matches!(parse(r#"{"signerId": "1"}"#), Err(YhtError::Param(m)) if m == "印章 id 为空"));
        assert!(
            matches!(parse(r#"{"signerId": "1", "moulageId": "2"}"#), Err(YhtError::Param(m)) if m.contains("signPositionType"))
        );
        assert!(matches!(parse(r#"{"signerId": "1", "moulageId": "2", "sealClass": "5"}"#), Err(YhtError::Param(_))));
    }
}
