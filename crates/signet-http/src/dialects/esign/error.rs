//! The one mapping from domain errors to e签宝 error codes (`errCode` 1435xxx / 1436xxx) and the
//! error envelope. The native [`crate::error::ApiError`] is not involved.
//!
//! Every refusal is sent with HTTP 200 and its `errCode`, as the vendor does; only our own
//! failures (storage, PKI) use HTTP 500, still with the envelope.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use signet_core::Error;
use signet_core::esign::EsignRefusal;

/// 参数错误.
pub const PARAMETER: i64 = 1435002;
/// 项目不存在: unknown app id or wrong secret.
pub const APP_UNKNOWN: i64 = 1435103;
/// 创建账号失败.
pub const ACCOUNT_CREATE_FAILED: i64 = 1435203;
/// 账号不存在.
pub const ACCOUNT_NOT_FOUND: i64 = 1435204;
/// 注销账号失败.
pub const ACCOUNT_DELETE_FAILED: i64 = 1435205;
/// 账号已存在.
pub const ACCOUNT_EXISTS: i64 = 1435206;
/// 文件系统查询失败.
pub const FILE_QUERY_FAILED: i64 = 1435302;
/// 文件不存在 (also: not uploaded yet).
pub const FILE_NOT_FOUND: i64 = 1435304;
/// 文件类型不支持.
pub const FILE_TYPE_UNSUPPORTED: i64 = 1435305;
/// 文件大小超过限制.
pub const FILE_TOO_LARGE: i64 = 1435306;
/// 印章服务查询失败.
pub const SEAL_QUERY_FAILED: i64 = 1435402;
/// 创建合同失败.
pub const CONTRACT_CREATE_FAILED: i64 = 1435502;
/// 签署流至少应包含一个签署者信息.
pub const NO_SIGNER: i64 = 1436002;
/// 签署人至少应指定一个签署文档.
pub const SIGNER_WITHOUT_DOCUMENT: i64 = 1436003;
/// 签署者账户不存在.
pub const SIGNER_NOT_FOUND: i64 = 1436004;
/// 签署者指定的签署文档不在文档列表中.
pub const DOCUMENT_NOT_IN_FLOW: i64 = 1436005;
/// 平台签署未指定任何签署文档.
pub const PLATFORM_WITHOUT_DOCUMENT: i64 = 1436006;
/// 静默签发起失败: 未找到账户默认印章.
pub const NO_DEFAULT_SEAL: i64 = 1436007;
/// 签署文档校验失败: a task without the protected documents' edit password (`docPwd`).
pub const DOCUMENT_CHECK_FAILED: i64 = 1436009;
/// 静默签账户未进行授权.
pub const NOT_AUTHORIZED: i64 = 1436010;
/// 未指定盖章位置定位方式.
pub const NO_SIGN_TYPE: i64 = 1436011;
/// 关键字签未指定关键字.
pub const NO_KEYWORD: i64 = 1436012;
/// 签署流创建失败.
pub const FLOW_CREATE_FAILED: i64 = 1436013;
/// 签署流执行失败.
pub const FLOW_FAILED: i64 = 1436015;
/// 获取签署流详情失败.
pub const FLOW_DETAIL_FAILED: i64 = 1436016;
/// 静默授权失败.
pub const AUTHORIZATION_FAILED: i64 = 1436017;
/// 撤销签署流失败.
pub const REVOKE_FAILED: i64 = 1436018;
/// 获取签署文件下载地址失败.
pub const DOWNLOAD_FAILED: i64 = 1436019;

/// Which use case failed: decides the code of conflicts and of our own failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Account,
    AccountCreate,
    AccountDelete,
    Authorization,
    File,
    Seal,
    Flow,
    FlowCreate,
    FlowDetail,
    Revoke,
    Download,
}

/// A refusal on its way to the client as `{errCode, msg}`.
#[derive(Debug)]
pub struct EsignError {
    pub code: i64,
    pub msg: String,
    internal: bool,
}

impl EsignError {
    pub fn new(code: i64, msg: impl Into<String>) -> Self {
        Self { code, msg: msg.into(), internal: false }
    }

    /// 1435002 naming the field (in the dialect's spelling).
    pub fn parameter(field: &str, reason: impl std::fmt::Display) -> Self {
        Self::new(PARAMETER, format!("参数错误: {field}: {reason}"))
    }

    /// Maps a domain error in a use-case context.
    pub fn from_core(err: Error, context: Context) -> Self {
        match err {
            Error::InvalidInput { field, reason } => invalid_input(field, &reason, context),
            Error::Unauthenticated(reason) => Self::new(APP_UNKNOWN, format!("项目不存在: {reason}")),
            Error::Forbidden(reason) => Self::parameter("request", reason),
            Error::NotFound(what) => not_found(what),
            err @ (Error::Conflict(_) | Error::ConcurrentUpdate(_)) => {
                let code = match context {
                    Context::AccountCreate => ACCOUNT_EXISTS,
                    Context::AccountDelete => ACCOUNT_DELETE_FAILED,
                    Context::Authorization => AUTHORIZATION_FAILED,
                    Context::Revoke => REVOKE_FAILED,
                    Context::FlowCreate => FLOW_CREATE_FAILED,
                    Context::Account | Context::File | Context::Seal => PARAMETER,
                    Context::Flow | Context::FlowDetail | Context::Download => FLOW_FAILED,
                };
                Self::new(code, err.to_string())
            }
            other => {
                tracing::error!(error = ?other, "e签宝 request failed");
                let code = match context {
                    Context::Account | Context::AccountCreate => ACCOUNT_CREATE_FAILED,
                    Context::AccountDelete => ACCOUNT_DELETE_FAILED,
                    Context::Authorization => AUTHORIZATION_FAILED,
                    Context::File => FILE_QUERY_FAILED,
                    Context::Seal => SEAL_QUERY_FAILED,
                    Context::Flow => FLOW_FAILED,
                    Context::FlowCreate => FLOW_CREATE_FAILED,
                    Context::FlowDetail => FLOW_DETAIL_FAILED,
                    Context::Revoke => REVOKE_FAILED,
                    Context::Download => DOWNLOAD_FAILED,
                };
                Self { code, msg: "internal error".into(), internal: true }
            }
        }
    }

    /// Maps a refusal of the dialect's own use cases.
    pub fn from_refusal(refusal: EsignRefusal, context: Context) -> Self {
        match refusal {
            EsignRefusal::SignerUnknown => Self::new(SIGNER_NOT_FOUND, "签署者账户不存在"),
            EsignRefusal::NoSeal => Self::new(NO_DEFAULT_SEAL, "静默签发起失败: 未找到账户默认印章"),
            EsignRefusal::NotAuthorized => Self::new(NOT_AUTHORIZED, "静默签账户未进行授权"),
            EsignRefusal::NoSigners => Self::new(NO_SIGNER, "签署流至少应包含一个签署者信息"),
            EsignRefusal::DocumentPassword => {
                Self::new(DOCUMENT_CHECK_FAILED, "签署文档校验失败: docPwd is not the documents' edit password")
            }
            EsignRefusal::Core(err) => Self::from_core(err, context),
        }
    }
}

/// Native field names in the dialect's spelling; sizes over the limit have their own code.
fn invalid_input(field: &str, reason: &str, context: Context) -> EsignError {
    if context == Context::File && field == "size" {
        return EsignError::new(FILE_TOO_LARGE, format!("文件大小超过限制: {reason}"));
    }
    let field = match field {
        "idNumber" => "idNo",
        "size" => "fileSize",
        "name" if context == Context::File => "fileName",
        "image" | "file" => "fileKey",
        "template" => "templateType",
        "fields.width" => "scale",
        "fields.keyword" => "key",
        "fields.page" => "posPage",
        "fields.crossPage" => "posY",
        "fields.document" => "docId",
        "documents" => "docId",
        "expiresAt" => "deadline",
        "callbackUrl" => "noticeUrl",
        "agentId" => "creatorId",
        "widthMm" => "width",
        "fields" => "simpleFormFields",
        "append" => "chunkedFields",
        "fileId" => "fileKey",
        other => other,
    };
    EsignError::parameter(field, reason)
}

fn not_found(what: &str) -> EsignError {
    match what {
        "account" => EsignError::new(ACCOUNT_NOT_FOUND, "账号不存在"),
        "file" | "document" => EsignError::new(FILE_NOT_FOUND, "文件不存在"),
        "flow" => EsignError::new(FLOW_DETAIL_FAILED, "获取签署流详情失败: 签署流程不存在"),
        "signer" => EsignError::new(SIGNER_NOT_FOUND, "签署者账户不存在"),
        "seal" => EsignError::new(SEAL_QUERY_FAILED, "印章服务查询失败: 印章不存在"),
        "template" => EsignError::parameter("templateId", "模板不存在"),
        other => EsignError::parameter(other, "not found"),
    }
}

impl IntoResponse for EsignError {
    fn into_response(self) -> Response {
        let status = if self.internal { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK };
        (status, Json(json!({"errCode": self.code, "msg": self.msg}))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(err: Error, context: Context) -> i64 {
        EsignError::from_core(err, context).code
    }

    #[test]
    fn domain_errors_map_to_the_documented_codes() {
        assert_eq!(code(Error::NotFound("account"), Context::Flow), ACCOUNT_NOT_FOUND);
        assert_eq!(code(Error::NotFound("file"), Context::Flow), FILE_NOT_FOUND);
        assert_eq!(code(Error::NotFound("flow"), Context::Revoke), FLOW_DETAIL_FAILED);
        assert_eq!(code(Error::Conflict("duplicate".into()), Context::AccountCreate), ACCOUNT_EXISTS);
        assert_eq!(code(Error::Conflict("ended".into()), Context::Revoke), REVOKE_FAILED);
        assert_eq!(code(Error::Conflict("waiting".into()), Context::Flow), FLOW_FAILED);
        assert_eq!(code(Error::Unauthenticated("x"), Context::Account), APP_UNKNOWN);
        assert_eq!(code(Error::invalid("size", "too big"), Context::File), FILE_TOO_LARGE);
        assert_eq!(code(Error::Internal("x".into()), Context::Download), DOWNLOAD_FAILED);
        assert_eq!(EsignError::from_refusal(EsignRefusal::NotAuthorized, Context::Flow).code, NOT_AUTHORIZED);
        assert_eq!(EsignError::from_refusal(EsignRefusal::NoSeal, Context::Flow).code, NO_DEFAULT_SEAL);
    }

    #[test]
    fn parameter_errors_name_the_field_in_the_vendor_spelling() {
        let err = EsignError::from_core(Error::invalid("idNumber", "wrong check digit"), Context::AccountCreate);
        assert_eq!(err.code, PARAMETER);
        assert!(err.msg.contains("idNo"), "{}", err.msg);
        let err = EsignError::from_core(Error::invalid("fields.width", "too wide"), Context::Flow);
        assert!(err.msg.contains("scale"), "{}", err.msg);
    }
}
