//! Validation and normalisation of seal texts, and the 脱敏 (masked) name rule.

use crate::SealError;

/// The mask character of 脱敏 names: the full-width asterisk, which every bundled face has
/// and which fills a character cell like an ideograph.
pub const MASK_CHAR: char = '＊';

/// Trims, collapses inner whitespace to one space, rejects control characters and checks
/// the character count against `min..=max`.
pub(crate) fn clean_text(field: &'static str, text: &str, min: usize, max: usize) -> Result<Vec<char>, SealError> {
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(SealError::ControlCharacter { field, codepoint: c as u32 });
    }
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.is_empty() {
        return Err(SealError::EmptyText { field });
    }
    let chars: Vec<char> = joined.chars().collect();
    if chars.len() < min || chars.len() > max {
        return Err(SealError::TextLength { field, count: chars.len(), min, max });
    }
    Ok(chars)
}

/// Masks a personal name for the 脱敏 mode: the first character stays, every other
/// character becomes [`MASK_CHAR`] (张三丰 → 张＊＊).
///
/// The vendors name the mode (云合同 `mode=2`) without publishing its rule; this is the
/// convention of masked Chinese names elsewhere (surname kept) and is documented as ours.
pub fn mask_name(name: &[char]) -> Vec<char> {
    name.iter().enumerate().map(|(i, &c)| if i == 0 || c == ' ' { c } else { MASK_CHAR }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_first() {
        let name: Vec<char> = "欧阳娜娜".chars().collect();
        assert_eq!(mask_name(&name).into_iter().collect::<String>(), "欧＊＊＊");
    }

    #[test]
    fn cleans_and_counts() {
        assert_eq!(clean_text("name", "  张  三 ", 1, 5).unwrap(), vec!['张', ' ', '三']);
        assert!(matches!(clean_text("name", "   ", 1, 5), Err(SealError::EmptyText { .. })));
        assert!(matches!(clean_text("name", "a\nb", 1, 5), Err(SealError::ControlCharacter { .. })));
        assert!(matches!(clean_text("name", "一二三四五六", 1, 5), Err(SealError::TextLength { count: 6, .. })));
    }
}
