//! The one mapping from failures to the dialect's `{code, msg}` answers.
//!
//! Codes follow the document's table; where its examples disagree with the table, the example
//! wins (an existing ID number is 20207 as in the `/user/person` example, not 20209), see
//! `docs/dialects/yunhetong.md`. Every answer is HTTP 200 with the code in the body, as the
//! vendor's clients expect.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use signet_core::Error;
use signet_core::codes::CodeFailure;
use signet_core::yunhetong::DigestError;

/// A failure on its way to a 云合同 client.
#[derive(Debug)]
pub enum YhtError {
    /// A use case of the core failed.
    Digest(DigestError),
    /// 201: a parameter is missing or malformed; the message names it.
    Param(String),
    /// 201: a server path outside `SIGNET_FILE_ROOTS` (nothing was read or written).
    PathRefused(&'static str),
    /// 20100: the contract file does not exist.
    ContractMissing(String),
    /// 20101: the contract file exists but cannot be read.
    ReadFailed(String),
    /// 20110: signing worked but the result could not be saved.
    SaveFailed(String),
    /// 100609: a code route without `code`.
    CodeMissing,
    /// 20205: an uploaded seal image cannot be decoded.
    ImageUnreadable(String),
    /// 501: no such route in the document.
    UnknownRoute,
}

impl From<DigestError> for YhtError {
    fn from(err: DigestError) -> Self {
        Self::Digest(err)
    }
}

impl From<Error> for YhtError {
    fn from(err: Error) -> Self {
        Self::Digest(DigestError::Core(err))
    }
}

impl YhtError {
    /// The dialect's code and message.
    pub fn code_and_msg(&self) -> (i64, String) {
        match self {
            Self::Param(msg) => (201, msg.clone()),
            Self::PathRefused(field) => (201, format!("{field} 不在允许的目录内 (SIGNET_FILE_ROOTS)")),
            Self::ContractMissing(path) => (20100, format!("合同文件{path}不存在")),
            Self::ReadFailed(reason) => (20101, format!("合同文件读取失败: {reason}")),
            Self::SaveFailed(reason) => (20110, format!("签署失败: 合同保存失败 ({reason})")),
            Self::CodeMissing => (100609, "验证码为空".into()),
            Self::ImageUnreadable(reason) => (20205, reason.clone()),
            Self::UnknownRoute => (501, "该功能不可用: 接口不存在".into()),
            Self::Digest(err) => digest_code(err),
        }
    }
}

fn digest_code(err: &DigestError) -> (i64, String) {
    match err {
        DigestError::LoginFailed => (402, "登录失败，appId 或 appKey 错误".into()),
        DigestError::TokenExpired => (401, "令牌已过期".into()),
        DigestError::TokenInvalid => (401, "令牌无效".into()),
        DigestError::PlatformOnly => (403, "无访问权限: 该接口只能使用平台自身的长效令牌".into()),
        DigestError::NoPermission(msg) => (20001, msg.clone()),
        DigestError::Unchanged(field) => (20001, format!("修改的 {field} 与当前值一致")),
        DigestError::SignerNotFound(id) => (20206, format!("用户不存在: {id}")),
        DigestError::IdNumberTaken(number) => (20207, format!("认证号码({number})已经存在")),
        DigestError::SealNotFound(id) => (20205, format!("印模不存在: {id}")),
        DigestError::SealOfAnotherSigner(id) => (20202, format!("不能使用他人印模: {id}")),
        DigestError::UnreadablePdf(reason) => (20101, format!("合同文件读取失败: {reason}")),
        DigestError::SigningFailed(reason) => (20110, format!("签署失败: {reason}")),
        DigestError::SidTaken(sid) => (10205, format!("数据标识已存在: {sid}")),
        DigestError::NoEvidence(sid) => (10206, format!("无存证数据: {sid}")),
        DigestError::NoMobile => (20201, "手机号不存在".into()),
        DigestError::BadMobile(number) => (100603, format!("号码非法: {number}")),
        DigestError::Core(err) => core_code(err),
    }
}

fn core_code(err: &Error) -> (i64, String) {
    match err {
        Error::InvalidInput { field, reason } => (201, format!("{} {reason}", dialect_field(field))),
        Error::Unauthenticated(_) => (401, "令牌无效".into()),
        Error::Forbidden(reason) => (403, format!("无访问权限: {reason}")),
        Error::NotFound("account") => (20206, "用户不存在".into()),
        Error::NotFound("seal") => (20205, "印模不存在".into()),
        Error::Code(failure) => code_failure(failure),
        Error::RateLimited(reason) => (503, format!("请求过于频繁: {reason}")),
        Error::Delivery(_) => {
            tracing::warn!(error = ?err, "yunhetong: SMS delivery failed");
            (100608, "短信平台异常".into())
        }
        Error::NotFound(_) | Error::Conflict(_) | Error::ConcurrentUpdate(_) => (20003, format!("系统异常: {err}")),
        _ => {
            // Causes stay in the log; clients learn only that it was our fault.
            tracing::error!(error = ?err, "yunhetong request failed");
            (500, "系统异常".into())
        }
    }
}

fn code_failure(failure: &CodeFailure) -> (i64, String) {
    match failure {
        CodeFailure::NotSent => (20107, "未通过验证码校验: 未发送验证码".into()),
        CodeFailure::Wrong => (100611, "验证码错误".into()),
        CodeFailure::Expired => (20108, "验证码超过 15 分钟".into()),
        CodeFailure::Used => (100612, "该验证码已失效".into()),
        CodeFailure::TooManyAttempts => (100612, "该验证码已失效: 错误次数过多".into()),
        CodeFailure::TooSoon => (503, "验证码发送过于频繁，请稍后再试".into()),
    }
}

/// The document's name for a field the core names natively.
fn dialect_field(native: &str) -> &str {
    match native {
        "idNumber" | "idType" => "certifyNum",
        "name" => "userName",
        "mobile" => "phoneNo",
        "image" | "widthMm" => "imgBase",
        "template" => "印章参数",
        other => other,
    }
}

impl IntoResponse for YhtError {
    fn into_response(self) -> Response {
        let (code, msg) = self.code_and_msg();
        Json(json!({"code": code, "msg": msg})).into_response()
    }
}
