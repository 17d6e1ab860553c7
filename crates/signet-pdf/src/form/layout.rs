//! Line breaking and text showing for fills and HTML chunks.
//!
//! Chinese text breaks between any two characters; runs of Latin letters and digits break
//! at spaces when they can. Closing punctuation never starts a line and opening punctuation
//! never ends one (the basic 禁则 rules), so "，" stays with the word before it.

use super::font::FontUse;
use crate::error::{PdfError, Result};

/// Characters that must not begin a line.
const NO_START: &str = "，。、；：？！）》」』】〕”’…—·%,.;:?!)]}>";
/// Characters that must not end a line.
const NO_END: &str = "（《「『【〔“‘([{<";

/// Checks that every character can be drawn, naming the first one that cannot.
pub(crate) fn check_glyphs(font: &FontUse<'_>, text: &str, context: &str) -> Result<()> {
    match text.chars().find(|c| !c.is_whitespace() && !font.has(*c)) {
        Some(ch) => Err(PdfError::MissingGlyph { ch, code: u32::from(ch), context: context.to_string() }),
        None => Ok(()),
    }
}

/// Width of `text` at `size` points (unknown characters count as one em).
pub(crate) fn width(font: &FontUse<'_>, text: &str, size: f64) -> f64 {
    text.chars().map(|c| font.advance(normalize_space(c)).unwrap_or(1000.0)).sum::<f64>() * size / 1000.0
}

fn normalize_space(c: char) -> char {
    if c.is_whitespace() { ' ' } else { c }
}

/// Whether a line may break before the character at `i`.
fn can_break_before(chars: &[char], i: usize) -> bool {
    if i == 0 || i >= chars.len() {
        return false;
    }
    let (prev, cur) = (chars[i - 1], chars[i]);
    if NO_START.contains(cur) || NO_END.contains(prev) {
        return false;
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '@' || c == '\'';
    !(word(prev) && word(cur))
}

/// Breaks `text` into lines no wider than `max_width` (explicit `\n` always breaks).
/// A single unbreakable unit wider than the line is cut between characters.
pub(crate) fn wrap(font: &FontUse<'_>, text: &str, size: f64, max_width: f64) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    wrap_ranges(font, &chars, size, max_width).into_iter().map(|r| chars[r].iter().collect()).collect()
}

/// [`wrap`] as ranges of `chars` (line breaks and the spaces around breaks excluded).
pub(crate) fn wrap_ranges(
    font: &FontUse<'_>,
    chars: &[char],
    size: f64,
    max_width: f64,
) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut para_start = 0;
    for para_end in chars.iter().enumerate().filter(|(_, c)| **c == '\n').map(|(i, _)| i).chain([chars.len()]) {
        let chars_p: Vec<char> = chars[para_start..para_end].iter().map(|c| normalize_space(*c)).collect();
        let mut start = 0;
        while start < chars_p.len() {
            let mut w = 0.0;
            let mut end = start;
            let mut last_break = None;
            while end < chars_p.len() {
                let cw = font.advance(chars_p[end]).unwrap_or(1000.0) * size / 1000.0;
                if w + cw > max_width && end > start {
                    break;
                }
                w += cw;
                end += 1;
                if can_break_before(&chars_p, end) {
                    last_break = Some(end);
                }
            }
            if end < chars_p.len()
                && let Some(b) = last_break.filter(|b| *b > start && !can_break_before(&chars_p, end))
            {
                end = b;
            }
            let mut trimmed = end;
            while trimmed > start && chars_p[trimmed - 1] == ' ' {
                trimmed -= 1;
            }
            lines.push(para_start + start..para_start + trimmed);
            start = end;
            while start < chars_p.len() && chars_p[start] == ' ' {
                start += 1;
            }
        }
        if chars_p.is_empty() {
            lines.push(para_start..para_start);
        }
        para_start = para_end + 1;
    }
    lines
}

/// The text-showing operand for `text`: a hex string of two-byte codes (spaces included).
pub(crate) fn show(font: &mut FontUse<'_>, text: &str, context: &str) -> Result<String> {
    let mut hex = String::with_capacity(text.len() * 4 + 2);
    hex.push('<');
    for c in text.chars() {
        let e = font.encode(normalize_space(c), context)?;
        hex.push_str(&format!("{:04X}", e.code));
    }
    hex.push('>');
    Ok(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../signet-seal/fonts/hei-noto-sans-cjk-sc.otf")).unwrap()
    }

    #[test]
    fn chinese_breaks_anywhere_but_punctuation_stays_with_its_word() {
        let data = font();
        let f = FontUse::new(&data).unwrap();
        // 10 pt CJK glyphs are 10 pt wide: five per 50 pt line.
        assert_eq!(wrap(&f, "甲方乙方丙丁方", 10.0, 50.0), ["甲方乙方丙", "丁方"]);
        let lines = wrap(&f, "甲方乙方丙，丁方", 10.0, 50.0);
        assert_eq!(lines, ["甲方乙方", "丙，丁方"], "a comma never starts a line");
        assert_eq!(wrap(&f, "一二\n三", 10.0, 100.0), ["一二", "三"]);
        // Latin words break at spaces, not inside.
        let lines = wrap(&f, "hello world again", 10.0, 40.0);
        assert!(lines.iter().all(|l| !l.starts_with(' ') && !l.ends_with(' ')), "{lines:?}");
        assert_eq!(lines, ["hello", "world", "again"]);
        // A word longer than the line is cut rather than overflowing.
        let lines = wrap(&f, "abcdefghijklmnopqrstuvwxyz", 10.0, 30.0);
        assert!(lines.len() > 3 && lines.iter().all(|l| width(&f, l, 10.0) <= 30.0 + 1e-6), "{lines:?}");
    }

    #[test]
    fn missing_glyphs_are_named() {
        let data = font();
        let f = FontUse::new(&data).unwrap();
        assert!(check_glyphs(&f, "张三 ABC，。", "x").is_ok());
        let err = check_glyphs(&f, "张\u{1F600}", "field a").unwrap_err();
        assert!(err.to_string().contains("U+1F600") && err.to_string().contains("field a"), "{err}");
    }
}
