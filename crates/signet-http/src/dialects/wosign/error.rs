//! The one mapping from refusals to WoSignDoc error codes, and the error envelope
//! `{status: 0, errorcode, msg}`. Refusals are HTTP 200 as the document defines them in the
//! body; only our own failures (-69) use HTTP 500, still with the envelope.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use signet_core::Error;
use signet_core::wosign::WosignRefusal;

/// tempid 不存在.
pub const TEMPLATE_UNKNOWN: i64 = -43;
/// 合同已签署.
pub const ORDER_SIGNED: i64 = -46;
/// 合同正在签署.
pub const ORDER_SIGNING: i64 = -47;
/// 签署人数量错误.
pub const SIGNER_COUNT: i64 = -48;
/// 签署人类型错误.
pub const SIGNER_TYPE: i64 = -49;
/// 公司名称和营业执照号匹配失败.
pub const ORG_MISMATCH: i64 = -50;
/// 公司名称为空.
pub const ORG_NAME_EMPTY: i64 = -51;
/// 营业执照号为空.
pub const ORG_NO_EMPTY: i64 = -52;
/// 用户姓名为空.
pub const USER_NAME_EMPTY: i64 = -53;
/// 身份证号码为空.
pub const USER_NO_EMPTY: i64 = -54;
/// orderNumber 为空.
pub const ORDER_NUMBER_EMPTY: i64 = -55;
/// 文档后缀为空.
pub const FORMAT_EMPTY: i64 = -56;
/// 材料为空.
pub const MATERIAL_EMPTY: i64 = -57;
/// 传入的信息存在危险性.
pub const UNSAFE_CONTENT: i64 = -61;
/// json 格式错误.
pub const BAD_JSON: i64 = -63;
/// 不支持该 actionType.
pub const UNSUPPORTED_ACTION: i64 = -64;
/// 系统不存在此 TokenID.
pub const TOKEN_UNKNOWN: i64 = -65;
/// 系统已禁止此 TokenID 使用 API.
pub const TOKEN_DISABLED: i64 = -67;
/// 内部服务器错误.
pub const INTERNAL: i64 = -69;
/// 参数错误.
pub const PARAMETER: i64 = -79;
/// 请求证书不正确.
pub const CERTIFICATE: i64 = -80;
/// 请求信息不完整，缺少必传参数值.
pub const INCOMPLETE: i64 = -100;

/// A refusal on its way to the client.
#[derive(Debug)]
pub struct WosignError {
    pub code: i64,
    pub msg: String,
}

impl WosignError {
    pub fn new(code: i64, msg: impl Into<String>) -> Self {
        Self { code, msg: msg.into() }
    }

    /// -79 naming the field.
    pub fn parameter(field: &str, reason: impl std::fmt::Display) -> Self {
        Self::new(PARAMETER, format!("参数错误: {field}: {reason}"))
    }

    /// -100 naming the missing field.
    pub fn missing(field: &str) -> Self {
        Self::new(INCOMPLETE, format!("请求信息不完整，缺少必传参数值: {field}"))
    }

    /// Maps a domain error.
    pub fn from_core(err: Error) -> Self {
        match err {
            Error::InvalidInput { field, reason } => Self::parameter(dialect_field(field), reason),
            Error::NotFound("app") | Error::Unauthenticated(_) => Self::new(TOKEN_UNKNOWN, "系统不存在此 TokenID"),
            Error::NotFound(what) => Self::parameter(what, "not found"),
            Error::Forbidden(reason) => Self::new(TOKEN_DISABLED, format!("系统已禁止此 TokenID 使用 API: {reason}")),
            Error::Conflict(reason) => Self::new(ORDER_SIGNING, format!("合同正在签署: {reason}")),
            // The enterprise verification gave no verdict: the order is not accepted unchecked,
            // and the list has no closer code than our own failure.
            Error::Provider(err) => {
                tracing::warn!(error = %err, "WoSignDoc enterprise verification failed");
                Self::new(
                    INTERNAL,
                    format!("内部服务器错误: 企业信息核验失败 (enterprise verification unavailable: {err})"),
                )
            }
            other => {
                tracing::error!(error = ?other, "WoSignDoc request failed");
                Self::new(INTERNAL, "内部服务器错误")
            }
        }
    }

    /// Maps a refusal of the dialect's own use cases.
    pub fn from_refusal(refusal: WosignRefusal) -> Self {
        match refusal {
            WosignRefusal::TemplateUnknown => Self::new(TEMPLATE_UNKNOWN, "tempid 不存在，请登录签名平台设置模板"),
            WosignRefusal::OrderSigned => Self::new(ORDER_SIGNED, "合同已签署"),
            WosignRefusal::OrderSigning => Self::new(ORDER_SIGNING, "合同正在签署"),
            WosignRefusal::SignerCount(max) => Self::new(SIGNER_COUNT, format!("签署人数量错误: 1 to {max} signers")),
            WosignRefusal::OrgMismatch(index, reason) => {
                Self::new(ORG_MISMATCH, format!("公司名称和营业执照号匹配失败: signer {}: {reason}", index + 1))
            }
            WosignRefusal::UnsafeContent(reason) => {
                Self::new(UNSAFE_CONTENT, format!("传入的信息存在危险性: {reason}"))
            }
            // Refusals of the signing setup itself are the caller's parameters or our failure.
            WosignRefusal::Core(Error::Forbidden(reason)) => Self::parameter("request", reason),
            WosignRefusal::Core(err) => Self::from_core(err),
        }
    }
}

/// Native field names in the dialect's spelling.
fn dialect_field(field: &str) -> &str {
    match field {
        "idNumber" => "userNo",
        "name" => "userName",
        "image" | "file" => "filebase",
        "fields.rect" => "position",
        "fields.page" | "fields" => "signlist",
        other => other,
    }
}

impl IntoResponse for WosignError {
    fn into_response(self) -> Response {
        let status = if self.code == INTERNAL { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK };
        (status, Json(json!({"status": 0, "errorcode": self.code, "msg": self.msg}))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_core::verification::ProviderError;

    #[test]
    fn refusals_map_to_the_documented_codes() {
        let code = |r| WosignError::from_refusal(r).code;
        assert_eq!(code(WosignRefusal::TemplateUnknown), -43);
        assert_eq!(code(WosignRefusal::OrderSigned), -46);
        assert_eq!(code(WosignRefusal::OrderSigning), -47);
        assert_eq!(code(WosignRefusal::SignerCount(20)), -48);
        assert_eq!(code(WosignRefusal::OrgMismatch(0, "x".into())), -50);
        assert_eq!(code(WosignRefusal::UnsafeContent("x".into())), -61);
        assert_eq!(code(WosignRefusal::Core(Error::invalid("idNumber", "bad"))), -79);
        assert_eq!(WosignError::from_core(Error::NotFound("app")).code, -65);
        assert_eq!(WosignError::from_core(Error::Forbidden("disabled".into())).code, -67);
        assert_eq!(WosignError::from_core(Error::Internal("x".into())).code, -69);
        let unverified = WosignError::from_core(Error::Provider(ProviderError::Unavailable("timeout".into())));
        assert_eq!(unverified.code, -69);
        assert!(unverified.msg.contains("企业信息核验") && unverified.msg.contains("timeout"), "{}", unverified.msg);
        let err = WosignError::from_core(Error::invalid("idNumber", "bad check digit"));
        assert!(err.msg.contains("userNo"), "{}", err.msg);
    }
}
