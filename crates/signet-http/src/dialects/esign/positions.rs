//! `posList`: where a seal goes. `signType` 1 keyword (posX/posY offsets from the keyword's
//! centre), 2 coordinates (the seal's centre, in points from the bottom-left, on the pages of
//! `posPage` such as "1-3,5"), 3 cross-page (骑缝章, at height posY); `scale` is the seal's width
//! in points.

use signet_core::flows::{Field, Position};

use super::body::Body;
use super::error::{EsignError, NO_KEYWORD, NO_SIGN_TYPE};

/// The most pages one `posPage` may name.
const MAX_PAGES: usize = 500;
/// A4 portrait height in points, to turn a cross-page `posY` in points into a fraction.
const A4_HEIGHT_PT: f64 = 842.0;

/// The fields of one `posList`, on the document at `document`.
pub(super) fn fields(pos_list: &[Body], document: usize) -> Result<Vec<Field>, EsignError> {
    pos_list.iter().map(|pos| field(pos, document)).collect()
}

fn field(pos: &Body, document: usize) -> Result<Field, EsignError> {
    let sign_type = pos.opt_i64("signType")?.ok_or_else(|| EsignError::new(NO_SIGN_TYPE, "未指定盖章位置定位方式"))?;
    let x = pos.opt_f64("posX")?;
    let y = pos.opt_f64("posY")?;
    let position = match sign_type {
        1 => {
            let text = pos.opt_string("key")?.ok_or_else(|| EsignError::new(NO_KEYWORD, "关键字签未指定关键字"))?;
            Position::Keyword { text, dx: x.unwrap_or(0.0), dy: y.unwrap_or(0.0) }
        }
        2 => {
            let pages = page_list(&pos.string("posPage")?)?;
            let x = x.ok_or_else(|| EsignError::parameter("posX", "is required for coordinates"))?;
            let y = y.ok_or_else(|| EsignError::parameter("posY", "is required for coordinates"))?;
            Position::At { pages, x, y }
        }
        3 => {
            let fraction = match y {
                None => 0.5,
                Some(v) if (0.0..=1.0).contains(&v) => v,
                Some(v) => (v / A4_HEIGHT_PT).clamp(0.0, 1.0),
            };
            Position::CrossPage { y: fraction }
        }
        other => return Err(EsignError::parameter("signType", format!("{other} is not 1, 2 or 3"))),
    };
    let width = pos.opt_f64("scale")?;
    Ok(Field { document, position, width, show_time: false, show_digest: false })
}

/// Parses "1-3,5" into pages 1, 2, 3, 5 (from 1, in the order given, without repeats).
pub(super) fn page_list(raw: &str) -> Result<Vec<usize>, EsignError> {
    let bad = || EsignError::parameter("posPage", format!("\"{raw}\" is not a page list such as \"1-3,5\""));
    let number = |s: &str| s.trim().parse::<usize>().ok().filter(|n| *n >= 1);
    let mut pages = Vec::new();
    for part in raw.split([',', '，']).map(str::trim).filter(|p| !p.is_empty()) {
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (number(a).ok_or_else(bad)?, number(b).ok_or_else(bad)?),
            None => {
                let n = number(part).ok_or_else(bad)?;
                (n, n)
            }
        };
        if first > last || last - first >= MAX_PAGES {
            return Err(bad());
        }
        for page in first..=last {
            if !pages.contains(&page) {
                pages.push(page);
            }
        }
        if pages.len() > MAX_PAGES {
            return Err(bad());
        }
    }
    if pages.is_empty() { Err(bad()) } else { Ok(pages) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lists_follow_the_documented_format() {
        assert_eq!(page_list("1-3,5").unwrap(), vec![1, 2, 3, 5]);
        assert_eq!(page_list("2").unwrap(), vec![2]);
        assert_eq!(page_list(" 1 , 1-2 ").unwrap(), vec![1, 2]);
        for bad in ["", "0", "3-1", "a", "1-", "1-100000"] {
            assert!(page_list(bad).is_err(), "{bad}");
        }
    }
}
