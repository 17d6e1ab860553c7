//! Mobile numbers in the shapes the SMS vendors expect.
//!
//! The core hands over normalised numbers: `13800138000` for mainland China, `+85261234567`
//! (E.164) elsewhere. Aliyun wants mainland numbers bare and others as country code + number
//! without `+`; Tencent wants E.164 for everything, mainland included (`+8613800138000`).

use crate::NotifyError;

/// A number split into country code and national number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mobile {
    country: String,
    national: String,
}

impl Mobile {
    pub(crate) fn parse(recipient: &str) -> Result<Self, NotifyError> {
        let trimmed = recipient.trim();
        let invalid = || NotifyError::InvalidRecipient("not a mobile number".into());
        let (country, national) = match trimmed.strip_prefix('+') {
            Some(e164) => {
                if !is_digits(e164) || !(8..=15).contains(&e164.len()) {
                    return Err(invalid());
                }
                // China's country code first: a bare "1" prefix would be NANP.
                if let Some(rest) = e164.strip_prefix("86") {
                    ("86".to_string(), rest.to_string())
                } else {
                    return Ok(Self { country: String::new(), national: e164.to_string() });
                }
            }
            None => {
                if !is_digits(trimmed) || trimmed.len() != 11 || !trimmed.starts_with('1') {
                    return Err(invalid());
                }
                ("86".to_string(), trimmed.to_string())
            }
        };
        if national.len() != 11 || !national.starts_with('1') {
            return Err(invalid());
        }
        Ok(Self { country, national })
    }

    /// Aliyun Dysms: `13800138000` for the mainland, `85261234567` for the rest.
    pub(crate) fn aliyun(&self) -> String {
        if self.country == "86" { self.national.clone() } else { format!("{}{}", self.country, self.national) }
    }

    /// Tencent Cloud SMS: always E.164.
    pub(crate) fn e164(&self) -> String {
        format!("+{}{}", self.country, self.national)
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_numbers() {
        let m = Mobile::parse("13800138000").unwrap();
        assert_eq!(m.aliyun(), "13800138000");
        assert_eq!(m.e164(), "+8613800138000");
        let m = Mobile::parse("+8613800138000").unwrap();
        assert_eq!(m.aliyun(), "13800138000");
        assert_eq!(m.e164(), "+8613800138000");
    }

    #[test]
    fn international_numbers() {
        let m = Mobile::parse("+85261234567").unwrap();
        assert_eq!(m.aliyun(), "85261234567");
        assert_eq!(m.e164(), "+85261234567");
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "abc", "1380013800", "23800138000", "+86123", "+12 345", "+8623800138000"] {
            assert!(Mobile::parse(bad).is_err(), "{bad}");
        }
    }
}
