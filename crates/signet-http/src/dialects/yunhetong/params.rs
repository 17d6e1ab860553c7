//! Request parameters as the vendor's clients send them: JSON bodies or multipart forms whose
//! values may be strings or numbers, read by name with 201 answers naming the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use serde_json::{Map, Value};

use super::error::YhtError;

/// A JSON body read into [`Params`]; an unreadable or oversized body is a 201 in the envelope,
/// never axum's plain-text rejection.
pub struct JsonParams(pub Params);

impl<S: Send + Sync> FromRequest<S> for JsonParams {
    type Rejection = YhtError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| YhtError::Param(format!("请求体读取失败: {}", e.body_text())))?;
        Params::from_json(&body).map(Self)
    }
}

/// The named parameters of one request, plus the uploaded file of multipart routes.
#[derive(Debug, Default)]
pub struct Params {
    fields: Map<String, Value>,
    /// The multipart file part and its file name.
    pub file: Option<(String, Bytes)>,
}

impl Params {
    /// Parses a JSON object body (an empty body is an empty object).
    pub fn from_json(body: &[u8]) -> Result<Self, YhtError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        if crate::extract::has_nul_escape(body) {
            return Err(YhtError::Param("请求体不得包含 NUL 字符".into()));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(fields)) => Ok(Self { fields, file: None }),
            Ok(_) => Err(YhtError::Param("请求体必须是 JSON 对象".into())),
            Err(err) => Err(YhtError::Param(format!("请求体不是合法的 JSON: {err}"))),
        }
    }

    /// Reads a multipart form: text parts become parameters, the part named `file_field` the file.
    pub async fn from_multipart(mut form: Multipart, file_field: &str) -> Result<Self, YhtError> {
        let mut params = Self::default();
        let bad =
            |e: axum::extract::multipart::MultipartError| YhtError::Param(format!("表单读取失败: {}", e.body_text()));
        while let Some(field) = form.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == file_field {
                let file_name = field.file_name().unwrap_or("contract.pdf").to_owned();
                params.file = Some((file_name, field.bytes().await.map_err(bad)?));
            } else if !name.is_empty() {
                let text = field.text().await.map_err(bad)?;
                if text.contains('\0') {
                    return Err(YhtError::Param(format!("{name} 不得包含 NUL 字符")));
                }
                params.fields.insert(name, Value::String(text));
            }
        }
        Ok(params)
    }

    /// A string (or number) parameter; absent, null and empty all read as `None`.
    pub fn opt_str(&self, name: &'static str) -> Result<Option<String>, YhtError> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(YhtError::Param(format!("{name} 格式不正确"))),
        }
    }

    /// A required string parameter.
    pub fn str(&self, name: &'static str) -> Result<String, YhtError> {
        self.opt_str(name)?.ok_or_else(|| YhtError::Param(format!("{name} 为空")))
    }

    /// An integer parameter sent as a number or a string of digits.
    pub fn opt_i64(&self, name: &'static str) -> Result<Option<i64>, YhtError> {
        match self.opt_str(name)? {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| YhtError::Param(format!("{name} 格式不正确"))),
        }
    }

    /// A required integer parameter.
    pub fn i64(&self, name: &'static str) -> Result<i64, YhtError> {
        self.opt_i64(name)?.ok_or_else(|| YhtError::Param(format!("{name} 为空")))
    }

    /// A list of strings: a JSON array, or a string holding one ("JSONString" in the document).
    pub fn list(&self, name: &'static str) -> Result<Option<Vec<String>>, YhtError> {
        let bad = || YhtError::Param(format!("{name} 格式不正确"));
        let items = match self.fields.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(items)) => items.clone(),
            Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Array(items)) => items,
                _ => return Err(bad()),
            },
            Some(_) => return Err(bad()),
        };
        items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.trim().to_owned()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(bad()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// The first present of several spellings (`moulageId` and `mouflageId` both occur).
    pub fn opt_i64_any(&self, names: &[&'static str]) -> Result<Option<i64>, YhtError> {
        for name in names {
            if let Some(value) = self.opt_i64(name)? {
                return Ok(Some(value));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_may_be_strings_or_numbers() {
        let p = Params::from_json(br#"{"signerId": 7, "mouflageId": "3", "a": " ", "list": "[\"1\", 2]", "n": "x"}"#)
            .unwrap();
        assert_eq!(p.i64("signerId").unwrap(), 7);
        assert_eq!(p.opt_i64_any(&["moulageId", "mouflageId"]).unwrap(), Some(3));
        assert_eq!(p.opt_str("a").unwrap(), None);
        assert_eq!(p.list("list").unwrap(), Some(vec!["1".to_owned(), "2".to_owned()]));
        assert!(matches!(p.i64("n"), Err(YhtError::Param(m)) if m == "n 格式不正确"));
        assert!(matches!(p.str("absent"), Err(YhtError::Param(m)) if m == "absent 为空"));
        assert!(Params::from_json(b"[1]").is_err());
        assert!(Params::from_json(b"{").is_err());
        assert!(Params::from_json(b"  ").is_ok());
    }

    #[test]
    fn nul_characters_are_refused_but_an_escaped_backslash_is_text() {
        assert!(matches!(Params::from_json(br#"{"name": "a\u0000"}"#), Err(YhtError::Param(m)) if m.contains("NUL")));
        assert_eq!(Params::from_json(br#"{"name": "a\\u0000"}"#).unwrap().str("name").unwrap(), "a\\u0000");
    }
}
