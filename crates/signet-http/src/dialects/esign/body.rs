//! The JSON body of a request, read leniently the way the vendor's clients send it: numbers may
//! arrive as strings (`"signValidity":"65464896464648"`), booleans as strings or 0/1, and every
//! missing or malformed field is a 1435002 naming it.

use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};

use super::error::EsignError;
use crate::AppState;

/// A JSON object body.
pub(crate) struct Body(pub Map<String, Value>);

impl FromRequest<AppState> for Body {
    type Rejection = EsignError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| EsignError::parameter("body", e.body_text()))?;
        if crate::extract::has_nul_escape(&bytes) {
            return Err(EsignError::parameter("body", crate::extract::NO_NUL));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(EsignError::parameter("body", "expected a JSON object")),
            Err(err) => Err(EsignError::parameter("body", format!("not JSON: {err}"))),
        }
    }
}

impl Body {
    /// Wraps an element of an array field.
    pub fn from_value(value: &Value, field: &str) -> Result<Self, EsignError> {
        match value {
            Value::Object(map) => Ok(Self(map.clone())),
            _ => Err(EsignError::parameter(field, "expected an object")),
        }
    }

    fn present(&self, field: &str) -> Option<&Value> {
        self.0.get(field).filter(|v| !v.is_null())
    }

    /// A required, non-blank string.
    pub fn string(&self, field: &str) -> Result<String, EsignError> {
        self.opt_string(field)?.ok_or_else(|| EsignError::parameter(field, "is required"))
    }

    /// An optional string; blank counts as absent. Numbers are accepted as their text.
    pub fn opt_string(&self, field: &str) -> Result<Option<String>, EsignError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(EsignError::parameter(field, "expected a string")),
        }
    }

    /// The first of several spellings of one field that is present.
    pub fn string_any(&self, fields: &[&str]) -> Result<String, EsignError> {
        for field in fields {
            if let Some(value) = self.opt_string(field)? {
                return Ok(value);
            }
        }
        Err(EsignError::parameter(fields.first().copied().unwrap_or("body"), "is required"))
    }

    /// An optional integer, as a number or a numeric string.
    pub fn opt_i64(&self, field: &str) -> Result<Option<i64>, EsignError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                n.as_i64().map(Some).ok_or_else(|| EsignError::parameter(field, "expected an integer"))
            }
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => {
                s.trim().parse().map(Some).map_err(|_| EsignError::parameter(field, "expected an integer"))
            }
            Some(_) => Err(EsignError::parameter(field, "expected an integer")),
        }
    }

    /// A required integer.
    pub fn i64(&self, field: &str) -> Result<i64, EsignError> {
        self.opt_i64(field)?.ok_or_else(|| EsignError::parameter(field, "is required"))
    }

    /// An optional finite number, as a number or a numeric string.
    pub fn opt_f64(&self, field: &str) -> Result<Option<f64>, EsignError> {
        let value = match self.present(field) {
            None => return Ok(None),
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            Some(_) => None,
        };
        value.filter(|v| v.is_finite()).map(Some).ok_or_else(|| EsignError::parameter(field, "expected a number"))
    }

    /// An optional boolean: `true`/`false`, `"true"`/`"false"`, 1/0.
    pub fn opt_bool(&self, field: &str) -> Result<Option<bool>, EsignError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(Some(true)),
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(Some(false)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                "" => Ok(None),
                _ => Err(EsignError::parameter(field, "expected true or false")),
            },
            Some(_) => Err(EsignError::parameter(field, "expected true or false")),
        }
    }

    /// An optional array of objects (absent: empty).
    pub fn list(&self, field: &str) -> Result<Vec<Body>, EsignError> {
        match self.present(field) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items.iter().map(|v| Body::from_value(v, field)).collect(),
            Some(_) => Err(EsignError::parameter(field, "expected an array")),
        }
    }

    /// A required account id: 10 to 32 letters and digits (e签宝 persons 13–27, organisations
    /// 10–32; Signet's ids have 24).
    pub fn account_id(&self, field: &str) -> Result<String, EsignError> {
        let id = self.string(field)?;
        check_account_id(&id, field)?;
        Ok(id)
    }
}

/// The shape of an account id; anything else cannot name an account.
pub(crate) fn check_account_id(id: &str, field: &str) -> Result<(), EsignError> {
    let ok = (10..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok { Ok(()) } else { Err(EsignError::parameter(field, "expected an account id of 10 to 32 letters and digits")) }
}
