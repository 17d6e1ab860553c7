//! Reading the request object: strings, numbers sent as strings, base64 payloads. Missing values
//! are -100 (or the field's own code), values of the wrong type -79.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use signet_core::wosign::Material;

use super::error::WosignError;

/// A JSON object of the request.
pub(super) struct Object<'a>(pub &'a Map<String, Value>);

impl<'a> Object<'a> {
    /// A string field; numbers are accepted as their text. Empty and whitespace count as absent.
    pub fn text(&self, name: &str) -> Result<Option<String>, WosignError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(WosignError::parameter(name, "expected a string")),
        }
    }

    /// A required string: absent is `missing` (the field's own code, or -100).
    pub fn required(&self, name: &str, missing: impl FnOnce() -> WosignError) -> Result<String, WosignError> {
        self.text(name)?.ok_or_else(missing)
    }

    /// An integer, sent as a number or a string (`"signType":"1"`).
    pub fn integer(&self, name: &str) -> Result<Option<i64>, WosignError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(v) => Ok(Some(v)),
                None => n
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                    .map(|f| Some(f as i64))
                    .ok_or_else(|| WosignError::parameter(name, "expected an integer")),
            },
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| WosignError::parameter(name, format!("\"{s}\" is not an integer"))),
            Some(_) => Err(WosignError::parameter(name, "expected an integer")),
        }
    }

    /// An array of objects; absent is `None`.
    pub fn list(&self, name: &str) -> Result<Option<Vec<Object<'a>>>, WosignError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    item.as_object()
                        .map(Object)
                        .ok_or_else(|| WosignError::parameter(name, format!("entry {} is not an object", i + 1)))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(WosignError::parameter(name, "expected an array")),
        }
    }
}

/// Decodes base64, tolerating line breaks and a `data:<type>;base64,` prefix.
pub(super) fn base64_payload(name: &str, raw: &str) -> Result<(Vec<u8>, Option<String>), WosignError> {
    let (declared, data) = match raw.strip_prefix("data:").and_then(|rest| rest.split_once(',')) {
        Some((meta, data)) => (meta.strip_suffix(";base64").map(str::to_owned), data),
        None => (None, raw),
    };
    let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD
        .decode(compact.as_bytes())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.trim_end_matches('=').as_bytes()))
        .map_err(|e| WosignError::parameter(name, format!("not base64: {e}")))?;
    if bytes.is_empty() {
        return Err(WosignError::parameter(name, "is empty"));
    }
    Ok((bytes, declared))
}

/// Largest identity material or stamp image accepted (a scan of a licence fits easily).
const MAX_MATERIAL_BYTES: usize = 10 * 1024 * 1024;

/// An image field as a [`Material`].
pub(super) fn material(name: &str, raw: &str) -> Result<Material, WosignError> {
    let (bytes, declared_type) = base64_payload(name, raw)?;
    if bytes.len() > MAX_MATERIAL_BYTES {
        return Err(WosignError::parameter(name, format!("larger than {MAX_MATERIAL_BYTES} bytes")));
    }
    Ok(Material { bytes, declared_type })
}

/// A relative rectangle "x1,y1,x2,y2" (fractions of the page, origin top-left).
pub(super) fn rectangle(raw: &str) -> Result<[f64; 4], WosignError> {
    let bad = || {
        WosignError::parameter(
            "position",
            format!("\"{raw}\" is not \"x1,y1,x2,y2\" with 0 ≤ x1 < x2 ≤ 1, 0 ≤ y1 < y2 ≤ 1"),
        )
    };
    let values: Vec<f64> =
        raw.split([',', '，']).map(|v| v.trim().parse::<f64>().map_err(|_| bad())).collect::<Result<_, _>>()?;
    let [x1, y1, x2, y2] = values.as_slice() else { return Err(bad()) };
    let unit = |v: f64| (0.0..=1.0).contains(&v);
    if !(unit(*x1) && unit(*y1) && unit(*x2) && unit(*y2)) || x1 >= x2 || y1 >= y2 {
        return Err(bad());
    }
    Ok([*x1, *y1, *x2, *y2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_may_come_as_strings() {
        let value = json!({"a": "1", "b": 2, "c": " 3 ", "d": "x", "e": 1.0, "f": true});
        let object = Object(value.as_object().unwrap());
        assert_eq!(object.integer("a").unwrap(), Some(1));
        assert_eq!(object.integer("b").unwrap(), Some(2));
        assert_eq!(object.integer("c").unwrap(), Some(3));
        assert_eq!(object.integer("e").unwrap(), Some(1));
        assert_eq!(object.integer("missing").unwrap(), None);
        assert_eq!(object.integer("d").unwrap_err().code, -79);
        assert_eq!(object.integer("f").unwrap_err().code, -79);
        assert_eq!(object.text("b").unwrap().as_deref(), Some("2"));
    }

    #[test]
    fn rectangles_follow_the_documented_form() {
        assert_eq!(rectangle("0.30,0.57,0.46,0.69").unwrap(), [0.30, 0.57, 0.46, 0.69]);
        assert_eq!(rectangle(" 0.1 , 0.2 ,0.3,0.4").unwrap(), [0.1, 0.2, 0.3, 0.4]);
        for bad in ["", "0.1,0.2,0.3", "0.5,0.2,0.3,0.4", "0.1,0.2,1.3,0.4", "a,b,c,d", "0.1,0.4,0.3,0.4"] {
            assert_eq!(rectangle(bad).unwrap_err().code, -79, "{bad}");
        }
    }

    #[test]
    fn base64_with_a_data_prefix_keeps_the_declared_type() {
        let (bytes, declared) = base64_payload("pic", "data:image/png;base64,aGVs\nbG8=").unwrap();
        assert_eq!(bytes, b"hello");
        assert_eq!(declared.as_deref(), Some("image/png"));
        assert_eq!(base64_payload("pic", "***").unwrap_err().code, -79);
    }
}
