//! The one mapping from domain refusals to 签盾 codes and the envelope
//! `{result, code, msg, logKey, ts}`. The native [`crate::error::ApiError`] is not involved.
//!
//! The document lists `400` (参数错误), `500` (服务繁忙) and the business codes `oc_*`. Business
//! refusals are sent with HTTP 200 and their code; `400` and `500` also use those HTTP statuses,
//! and a request without valid app credentials gets HTTP 401 with code `401` (the document's
//! common request format, which would define it, is not part of the seed).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use signet_core::Error;
use signet_core::authorization_links::AuthorizationLinkRefusal;

/// 参数错误.
pub const PARAMETER: &str = "400";
/// 服务繁忙,请重试.
pub const BUSY: &str = "500";
/// App credentials missing or wrong (not in the document).
pub const UNAUTHENTICATED: &str = "401";
/// 印章不存在.
pub const SEAL_NOT_FOUND: &str = "oc_20001";
/// 当前印章已授权.
pub const ALREADY_AUTHORIZED: &str = "oc_20002";
/// 企业必须认证后才能获取静默签授权链接.
pub const ORG_UNVERIFIED: &str = "oc_40025";
/// 未认证个人用户进行静默签署授权操作时,创建该用户时必须上传姓名与身份证号.
pub const PERSON_IDENTITY: &str = "oc_40026";
/// Success.
pub const SUCCESS: &str = "200";

/// A refusal on its way to the client.
#[derive(Debug)]
pub struct QiandunError {
    pub code: &'static str,
    pub msg: String,
}

impl QiandunError {
    pub fn new(code: &'static str, msg: impl Into<String>) -> Self {
        Self { code, msg: msg.into() }
    }

    /// `400` naming the field in the document's spelling.
    pub fn parameter(field: &str, reason: impl std::fmt::Display) -> Self {
        Self::new(PARAMETER, format!("参数错误: {field}: {reason}"))
    }

    pub fn from_core(err: Error) -> Self {
        match err {
            Error::InvalidInput { field, reason } => Self::parameter(spelling(field), reason),
            Error::Unauthenticated(reason) => Self::new(UNAUTHENTICATED, format!("应用认证失败: {reason}")),
            Error::Forbidden(reason) => Self::new(UNAUTHENTICATED, format!("应用认证失败: {reason}")),
            // Another app's account is reported like a missing one.
            Error::NotFound("account") => Self::parameter("accountId", "账号不存在"),
            Error::NotFound("seal") => Self::new(SEAL_NOT_FOUND, "印章不存在"),
            Error::NotFound(what) => Self::parameter(what, "不存在"),
            Error::Conflict(reason) => Self::parameter("request", reason),
            other => {
                tracing::error!(error = ?other, "签盾 request failed");
                Self::new(BUSY, "服务繁忙,请重试.")
            }
        }
    }

    pub fn from_refusal(refusal: AuthorizationLinkRefusal) -> Self {
        match refusal {
            AuthorizationLinkRefusal::SealNotFound(_) => Self::new(SEAL_NOT_FOUND, "印章不存在"),
            AuthorizationLinkRefusal::AlreadyAuthorized => Self::new(ALREADY_AUTHORIZED, "当前印章已授权"),
            AuthorizationLinkRefusal::OrganisationUnverified => {
                Self::new(ORG_UNVERIFIED, "企业必须认证后才能获取静默签授权链接")
            }
            AuthorizationLinkRefusal::PersonIdentityRejected => {
                Self::new(PERSON_IDENTITY, "未认证个人用户进行静默签署授权操作时,创建该用户时必须上传姓名与身份证号")
            }
            AuthorizationLinkRefusal::Core(err) => Self::from_core(err),
        }
    }

    fn status(&self) -> StatusCode {
        match self.code {
            PARAMETER => StatusCode::BAD_REQUEST,
            BUSY => StatusCode::INTERNAL_SERVER_ERROR,
            UNAUTHENTICATED => StatusCode::UNAUTHORIZED,
            _ => StatusCode::OK,
        }
    }
}

/// Native field names in the document's spelling.
fn spelling(field: &str) -> &str {
    match field {
        "expiresIn" => "expirationTime",
        other => other,
    }
}

/// The envelope around a result (success) or `null` (refusal).
pub fn envelope(code: &str, msg: &str, result: Value) -> Value {
    let now = time::OffsetDateTime::now_utc();
    json!({
        "result": result,
        "code": code,
        "msg": msg,
        // Identifies the exchange in our logs, as the vendor's logKey does in theirs.
        "logKey": uuid::Uuid::new_v4().simple().to_string(),
        "ts": (now.unix_timestamp_nanos() / 1_000_000).to_string(),
    })
}

impl IntoResponse for QiandunError {
    fn into_response(self) -> Response {
        let body = envelope(self.code, &self.msg, Value::Null);
        tracing::info!(code = self.code, log_key = %body["logKey"], "签盾 request refused");
        (self.status(), Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_map_to_the_documented_codes() {
        let code = |r| QiandunError::from_refusal(r).code;
        assert_eq!(code(AuthorizationLinkRefusal::SealNotFound("x".into())), SEAL_NOT_FOUND);
        assert_eq!(code(AuthorizationLinkRefusal::AlreadyAuthorized), ALREADY_AUTHORIZED);
        assert_eq!(code(AuthorizationLinkRefusal::OrganisationUnverified), ORG_UNVERIFIED);
        assert_eq!(code(AuthorizationLinkRefusal::PersonIdentityRejected), PERSON_IDENTITY);
        assert_eq!(code(AuthorizationLinkRefusal::Core(Error::NotFound("account"))), PARAMETER);
        assert_eq!(code(AuthorizationLinkRefusal::Core(Error::Internal("x".into()))), BUSY);
        let err = QiandunError::from_core(Error::invalid("expiresIn", "too long"));
        assert!(err.msg.contains("expirationTime"), "{}", err.msg);
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }
}
