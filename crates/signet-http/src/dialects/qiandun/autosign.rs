//! `POST /seal/autosign/auth/url` (印章静默签授权地址): a link to the silent-sign authorization
//! page for an account's seals.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};
use signet_core::authorization_links::{AuthorizationLinkRequest, WillingnessMode};

use super::QiandunApp;
use super::error::{QiandunError, SUCCESS, envelope};
use crate::AppState;

/// Longest `expirationTime` accepted: the link lifetime the core allows (366 days).
const MAX_EXPIRATION_SECS: i64 = 366 * 24 * 3600;
/// Longest `redirectDelayTime`, in seconds.
const MAX_REDIRECT_DELAY: i64 = 60;

pub(super) async fn auth_url(
    State(state): State<AppState>,
    QiandunApp(app): QiandunApp,
    body: Bytes,
) -> Result<impl IntoResponse, QiandunError> {
    let request = parse(&body)?;
    let issued = state.signet.request_authorization_link(&app.id, request).await.map_err(QiandunError::from_refusal)?;
    let url = format!("{}/p/{}", state.public_url.trim_end_matches('/'), issued.token);
    Ok(Json(envelope(SUCCESS, "成功", json!({"authUrl": url}))))
}

/// Reads the documented body; every shape error is `400` naming the field.
fn parse(body: &[u8]) -> Result<AuthorizationLinkRequest, QiandunError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| QiandunError::parameter("body", e))?;
    let Value::Object(object) = value else { return Err(QiandunError::parameter("body", "expected a JSON object")) };
    let account_id = match object.get("accountId") {
        Some(Value::String(id)) if !id.trim().is_empty() => id.trim().to_owned(),
        _ => return Err(QiandunError::parameter("accountId", "is required")),
    };
    let seal_ids = match object.get("sealIds") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| QiandunError::parameter("sealIds", "expected strings"))?,
        ),
        Some(_) => return Err(QiandunError::parameter("sealIds", "expected an array or null")),
    };
    let modes = match object.get("authConfig") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(config)) => modes(config)?,
        Some(_) => return Err(QiandunError::parameter("authConfig", "expected an object")),
    };
    let redirect_url = match object.get("redirectUrl") {
        None | Some(Value::Null) => None,
        Some(Value::String(url)) if url.trim().is_empty() => None,
        Some(Value::String(url)) => Some(url.trim().to_owned()),
        Some(_) => return Err(QiandunError::parameter("redirectUrl", "expected a string")),
    };
    let redirect_delay = integer(&object, "redirectDelayTime", 0, MAX_REDIRECT_DELAY)?.unwrap_or(3);
    let expiration = integer(&object, "expirationTime", 1, MAX_EXPIRATION_SECS)?;
    Ok(AuthorizationLinkRequest {
        account_id,
        seal_ids,
        modes,
        link_ttl: expiration.map(time::Duration::seconds),
        redirect_url,
        redirect_delay_secs: u32::try_from(redirect_delay).unwrap_or(3),
    })
}

fn modes(config: &Map<String, Value>) -> Result<Vec<WillingnessMode>, QiandunError> {
    let field = "authConfig.willingnessAuthModes";
    let raw = match config.get("willingnessAuthModes") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(QiandunError::parameter(field, "expected an array")),
    };
    let mut modes = Vec::new();
    for item in raw {
        let mode = match item.as_str() {
            Some("CODE_SMS") => WillingnessMode::Sms,
            Some("PSN_FACE") => WillingnessMode::Face,
            _ => return Err(QiandunError::parameter(field, "expected CODE_SMS or PSN_FACE")),
        };
        if !modes.contains(&mode) {
            modes.push(mode);
        }
    }
    Ok(modes)
}

/// An optional integer (a number or a numeric string) within `min..=max`.
fn integer(object: &Map<String, Value>, field: &str, min: i64, max: i64) -> Result<Option<i64>, QiandunError> {
    let value = match object.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    match value {
        Some(v) if (min..=max).contains(&v) => Ok(Some(v)),
        _ => Err(QiandunError::parameter(field, format!("expected an integer from {min} to {max}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses() {
        let body = br#"{"accountId":"22588647-d267-4964-8a48-f3d8c0c1c0fd","sealIds":null,
            "authConfig":{"willingnessAuthModes":["CODE_SMS","PSN_FACE"]},
            "redirectUrl":"https://slushy-bungalow.com/","redirectDelayTime":3,"expirationTime":3600}"#;
        let request = parse(body).unwrap();
        assert_eq!(request.seal_ids, None);
        assert_eq!(request.modes, vec![WillingnessMode::Sms, WillingnessMode::Face]);
        assert_eq!(request.link_ttl, Some(time::Duration::hours(1)));
        assert_eq!(request.redirect_delay_secs, 3);
    }

    #[test]
    fn shape_errors_name_the_field() {
        let field = |body: &str| parse(body.as_bytes()).unwrap_err().msg;
        assert!(field("[]").contains("body"));
        assert!(field(r#"{"sealIds":null}"#).contains("accountId"));
        assert!(field(r#"{"accountId":"a","sealIds":"x"}"#).contains("sealIds"));
        assert!(field(r#"{"accountId":"a","authConfig":{"willingnessAuthModes":["EMAIL"]}}"#).contains("willingness"));
        assert!(field(r#"{"accountId":"a","expirationTime":0}"#).contains("expirationTime"));
        assert!(field(r#"{"accountId":"a","redirectDelayTime":-1}"#).contains("redirectDelayTime"));
        assert_eq!(
            parse(br#"{"accountId":"a","expirationTime":"60"}"#).unwrap().link_ttl,
            Some(time::Duration::minutes(1))
        );
    }
}
