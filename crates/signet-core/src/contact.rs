//! Contact details: mobile numbers and e-mail addresses, checked before a code is ever sent.

/// Normalises a mobile number of mainland China, Hong Kong, Macau or Taiwan.
///
/// Accepted: mainland `1[3-9]` + 9 digits (optionally `+86`/`86`), Hong Kong `+852` + 8 digits
/// starting 4–9 (4/7/8 since 2018), Macau `+853` + `6` and 7 digits, Taiwan `+886 9` + 8 digits or
/// `09` + 8 digits. Returns mainland numbers without a prefix, others in `+CC` form.
pub fn normalise_mobile(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    // Calling codes differ in length; the three-digit ones are tried before 86.
    let split_country = |rest: &str| -> Option<(&'static str, String)> {
        ["852", "853", "886", "86"].into_iter().find(|c| rest.starts_with(c)).map(|c| (c, rest[c.len()..].to_owned()))
    };
    let (country, national): (&str, String) = match compact.strip_prefix('+') {
        Some(rest) => split_country(rest)?,
        None if compact.len() == 13 && compact.starts_with("86") => ("86", compact[2..].to_owned()),
        None => ("", compact.clone()),
    };
    let national = national.as_str();
    if !digits(national) {
        return None;
    }
    let first = national.as_bytes().first().copied();
    match country {
        "" | "86" => {
            let ok = national.len() == 11 && first == Some(b'1') && (b'3'..=b'9').contains(&national.as_bytes()[1]);
            ok.then(|| national.to_owned())
        }
        "852" => (national.len() == 8 && matches!(first, Some(b'4'..=b'9'))).then(|| format!("+852{national}")),
        "853" => (national.len() == 8 && first == Some(b'6')).then(|| format!("+853{national}")),
        "886" => {
            let national = national.strip_prefix('0').unwrap_or(national);
            (national.len() == 9 && first_is(national, b'9')).then(|| format!("+886{national}"))
        }
        _ => None,
    }
    .or_else(|| {
        // Taiwan numbers written nationally: 09xxxxxxxx.
        (country.is_empty() && national.len() == 10 && national.starts_with("09"))
            .then(|| format!("+886{}", &national[1..]))
    })
}

fn first_is(s: &str, b: u8) -> bool {
    s.as_bytes().first() == Some(&b)
}

/// A deliberately plain e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn normalise_email(raw: &str) -> Option<String> {
    let email = raw.trim();
    let (local, domain) = email.split_once('@')?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !domain.contains('@')
        && email.len() <= 254;
    ok.then(|| format!("{local}@{}", domain.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_of_each_region() {
        assert_eq!(normalise_mobile("138 0013 8000").as_deref(), Some("13800138000"));
        assert_eq!(normalise_mobile("+8613800138000").as_deref(), Some("13800138000"));
        assert_eq!(normalise_mobile("8613800138000").as_deref(), Some("13800138000"));
        assert_eq!(normalise_mobile("12800138000"), None);
        assert_eq!(normalise_mobile("1380013800"), None);
        assert_eq!(normalise_mobile("+852 4123 4567").as_deref(), Some("+85241234567"));
        assert_eq!(normalise_mobile("+85231234567"), None, "Hong Kong fixed line");
        assert_eq!(normalise_mobile("+85361234567").as_deref(), Some("+85361234567"));
        assert_eq!(normalise_mobile("+85381234567"), None);
        assert_eq!(normalise_mobile("+886912345678").as_deref(), Some("+886912345678"));
        assert_eq!(normalise_mobile("0912345678").as_deref(), Some("+886912345678"));
        assert_eq!(normalise_mobile("+1 415 555 0100"), None);
        assert_eq!(normalise_mobile("abc"), None);
    }

    #[test]
    fn emails() {
        assert_eq!(normalise_email(" Li.Lei@Example.COM ").as_deref(), Some("Li.Lei@example.com"));
        for bad in ["no-at", "@example.com", "a@b", "a@.com", "a b@example.com", "a@b@c.com"] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
    }
}
