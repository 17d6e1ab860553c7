//! `/moulage/*`: template and uploaded seals (native seals; `moulageId` is a number).

use axum::extract::State;
use base64::Engine;
use serde_json::json;
use signet_core::yunhetong::DigestSeal;
use signet_seal::{CompanySealSpec, CompanyShape, InkColor, PersonalFont, PersonalSealSpec};

use super::auth::Caller;
use super::envelope::{Answer, Ok200};
use super::error::YhtError;
use super::params::{JsonParams, Params};
use crate::AppState;

/// The document's limit for uploaded seal images.
const MAX_IMAGE_BYTES: usize = 400 * 1024;

/// `POST /moulage/person` (platform token or the person's own).
pub async fn create_person(State(state): State<AppState>, Caller(caller): Caller, JsonParams(p): JsonParams) -> Answer {
    let signer = p.i64("signerId")?;
    let mut spec = PersonalSealSpec::new("");
    spec.border = match p.opt_str("borderType")?.as_deref() {
        None | Some("B1") => true,
        Some("B2") => false,
        Some(_) => return Err(YhtError::Param("borderType 格式不正确 (B1 或 B2)".into())),
    };
    if let Some(code) = p.opt_str("fontFamily")? {
        spec.font = PersonalFont::from_vendor_code(&code)
            .ok_or_else(|| YhtError::Param("fontFamily 格式不正确 (F1-F4)".into()))?;
    }
    spec.color = color(&p)?;
    spec.masked = masked(&p)?;
    let number = state.signet.yunhetong_create_seal(&caller, signer, DigestSeal::Person(spec)).await?;
    Ok(Ok200::data(json!({"moulageId": number})))
}

/// `POST /moulage/company` (platform token or the company's own).
pub async fn create_company(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonParams(p): JsonParams,
) -> Answer {
    let signer = p.i64("signerId")?;
    let mut spec = CompanySealSpec::new("");
    let style = p.opt_str("styleType")?.unwrap_or_else(|| "1".into());
    (spec.shape, spec.star) = match style.as_str() {
        "1" | "2" => CompanyShape::from_vendor_code(&style).unwrap_or((CompanyShape::Round, true)),
        _ => return Err(YhtError::Param("styleType 格式不正确 (1 或 2)".into())),
    };
    if let Some(text) = p.opt_str("textContent")? {
        if text.chars().count() > 12 {
            return Err(YhtError::Param("textContent 长度不能超过 12 字符".into()));
        }
        spec.horizontal_text = Some(text);
    }
    if let Some(code) = p.opt_str("keyContent")? {
        if code.len() != 13 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(YhtError::Param("keyContent 必须是 13 位纯数字".into()));
        }
        spec.code = Some(code);
    }
    spec.color = color(&p)?;
    let seal = DigestSeal::Company { spec, masked: masked(&p)? };
    let number = state.signet.yunhetong_create_seal(&caller, signer, seal).await?;
    Ok(Ok200::data(json!({"moulageId": number})))
}

/// `POST /moulage/upload` (platform token or the user's own): a base64 PNG (or JPEG) ≤ 400 KB.
pub async fn upload(State(state): State<AppState>, Caller(caller): Caller, JsonParams(p): JsonParams) -> Answer {
    let signer = p.i64("signerId")?;
    let encoded = p.str("imgBase")?;
    // Browsers' data URLs carry a prefix; the vendor's clients send the bare base64.
    let bare = encoded.split_once("base64,").map_or(encoded.as_str(), |(_, rest)| rest);
    let compact: String = bare.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.trim_end_matches('='))
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.trim_end_matches('=')))
        .map_err(|_| YhtError::ImageUnreadable("印模 base64 转 byte 数组失败".into()))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(YhtError::Param("imgBase 图片大小限制在 400KB 内".into()));
    }
    let number = state.signet.yunhetong_create_seal(&caller, signer, DigestSeal::Image(bytes.into())).await?;
    Ok(Ok200::data(json!({"moulageId": number})))
}

fn color(p: &Params) -> Result<InkColor, YhtError> {
    match p.opt_str("color")? {
        None => Ok(InkColor::Red),
        Some(code) if code.starts_with('C') => {
            InkColor::from_vendor_code(&code).ok_or_else(|| YhtError::Param("color 格式不正确 (C1-C3)".into()))
        }
        Some(_) => Err(YhtError::Param("color 格式不正确 (C1-C3)".into())),
    }
}

/// `mode`: 0 normal, 2 脱敏 (all characters but the first masked).
fn masked(p: &Params) -> Result<bool, YhtError> {
    match p.opt_str("mode")?.as_deref() {
        None | Some("0") => Ok(false),
        Some("2") => Ok(true),
        Some(_) => Err(YhtError::Param("mode 格式不正确 (0 或 2)".into())),
    }
}
