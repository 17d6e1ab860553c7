//! Identifier newtypes, so an account id can never be passed where an app id is expected.

use std::fmt;

use crate::Error;

/// The public identifier of an app (tenant), chosen by the operator or generated.
///
/// Dialects send it as a string (`appId`, `X-Tsign-Open-App-Id`, `tokenid`), so it is a bounded
/// printable ASCII string rather than a UUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppId(String);

impl AppId {
    /// Accepts 3–64 characters of `[A-Za-z0-9_.-]`.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let ok_len = (3..=64).contains(&raw.len());
        let ok_chars = raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if ok_len && ok_chars {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Error::invalid("appId", "expected 3 to 64 characters of letters, digits, '_', '.' or '-'"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Declares an identifier newtype of 24 random `[a-z0-9]` characters (10–32 accepted on input).
///
/// Parsing failures read as "not found": an id that cannot exist names nothing.
macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// A new random id.
            pub fn generate() -> Self {
                Self($crate::random::lowercase_id(24))
            }

            /// Accepts the shape of ids this service issues.
            pub fn parse(raw: &str) -> $crate::Result<Self> {
                let ok = (10..=32).contains(&raw.len())
                    && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
                if ok { Ok(Self(raw.to_owned())) } else { Err($crate::Error::NotFound($what)) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use random_id;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_id_rejects_empty_and_odd_characters() {
        assert!(AppId::parse("").is_err());
        assert!(AppId::parse("ab").is_err());
        assert!(AppId::parse("app/1").is_err());
        assert!(AppId::parse(&"a".repeat(65)).is_err());
        assert_eq!(AppId::parse("app_1.prod-2").unwrap().as_str(), "app_1.prod-2");
    }
}
