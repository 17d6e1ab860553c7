//! Turns placements into widget boxes in the visible frame of each page.

use crate::api::{CROSS_PAGE_GROUP_MAX, Placement};
use crate::document::Document;
use crate::error::{PdfError, Result};
use crate::locate::find_keyword;

/// The seal's size at scale 1: image and the text block under it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SealSize {
    pub(crate) img_w: f64,
    pub(crate) img_h: f64,
    pub(crate) text_h: f64,
}

impl SealSize {
    fn total_h(&self) -> f64 {
        self.img_h + self.text_h
    }
}

/// One widget to draw.
#[derive(Debug, Clone)]
pub(crate) struct WidgetSpec {
    pub(crate) page: usize,
    /// The widget box, visible coordinates.
    pub(crate) rect: [f64; 4],
    /// Scale applied to the seal (Rect placements shrink or grow it).
    pub(crate) scale: f64,
    /// For cross-page slices: how far into the image (points, scale 1) this slice starts.
    pub(crate) slice_offset: Option<f64>,
}

pub(crate) fn resolve(doc: &Document, placements: &[Placement], seal: SealSize) -> Result<Vec<WidgetSpec>> {
    let mut out = Vec::new();
    for p in placements {
        let finite = match p {
            Placement::At { x, y, .. } => x.is_finite() && y.is_finite(),
            Placement::Keyword { offset, .. } => offset.0.is_finite() && offset.1.is_finite(),
            Placement::Rect { x1, y1, x2, y2, .. } => [x1, y1, x2, y2].iter().all(|v| v.is_finite()),
            Placement::CrossPage { y_fraction } => y_fraction.is_finite(),
        };
        if !finite {
            return Err(PdfError::InvalidRequest("placement coordinates must be finite numbers".into()));
        }
        match p {
            Placement::At { pages, x, y } => {
                if pages.is_empty() {
                    return Err(PdfError::InvalidRequest("a position needs at least one page".into()));
                }
                for &page in pages {
                    doc.page(page)?;
                    out.push(centred(page, *x, *y, seal));
                }
            }
            Placement::Keyword { text, offset } => {
                let hits = find_keyword(doc, text)?;
                if hits.is_empty() {
                    return Err(PdfError::KeywordNotFound(text.clone()));
                }
                for h in hits {
                    let cx = (h.rect[0] + h.rect[2]) / 2.0 + offset.0;
                    let cy = (h.rect[1] + h.rect[3]) / 2.0 + offset.1;
                    out.push(centred(h.page, cx, cy, seal));
                }
            }
            Placement::Rect { page, x1, y1, x2, y2 } => {
                let ok = |v: f64| (0.0..=1.0).contains(&v);
                if !(ok(*x1) && ok(*y1) && ok(*x2) && ok(*y2)) || x2 <= x1 || y2 <= y1 {
                    return Err(PdfError::InvalidRequest(
                        "rectangle fractions must satisfy 0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1".into(),
                    ));
                }
                let (w, h) = doc.page(*page)?.frame.visible_size();
                let (rw, rh) = ((x2 - x1) * w, (y2 - y1) * h);
                let scale = (rw / seal.img_w).min(rh / seal.total_h());
                let cx = (x1 + x2) / 2.0 * w;
                let cy = (1.0 - (y1 + y2) / 2.0) * h;
                let (sw, sh) = (seal.img_w * scale, seal.total_h() * scale);
                out.push(WidgetSpec {
                    page: *page,
                    rect: [cx - sw / 2.0, cy - sh / 2.0, cx + sw / 2.0, cy + sh / 2.0],
                    scale,
                    slice_offset: None,
                });
            }
            Placement::CrossPage { y_fraction } => {
                if !(0.0..=1.0).contains(y_fraction) {
                    return Err(PdfError::InvalidRequest("cross-page y must be within 0..1".into()));
                }
                let count = doc.page_count();
                if count < 2 {
                    return Err(PdfError::InvalidRequest("a cross-page seal needs at least two pages".into()));
                }
                for group in cross_page_groups(count) {
                    let slice_w = seal.img_w / group.len() as f64;
                    for (k, page) in group.into_iter().enumerate() {
                        let (w, h) = doc.page(page)?.frame.visible_size();
                        let cy = (1.0 - y_fraction) * h;
                        out.push(WidgetSpec {
                            page,
                            rect: [w - slice_w, cy - seal.img_h / 2.0, w, cy + seal.img_h / 2.0],
                            scale: 1.0,
                            slice_offset: Some(k as f64 * slice_w),
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

fn centred(page: usize, x: f64, y: f64, seal: SealSize) -> WidgetSpec {
    // The image is centred on the point; the text block hangs below it.
    let (w, h) = (seal.img_w, seal.img_h);
    WidgetSpec {
        page,
        rect: [x - w / 2.0, y - h / 2.0 - seal.text_h, x + w / 2.0, y + h / 2.0],
        scale: 1.0,
        slice_offset: None,
    }
}

/// Balanced groups of consecutive pages, none larger than [`CROSS_PAGE_GROUP_MAX`]
/// (so groups differ by at most one page and none is a lone page unless the document is).
pub(crate) fn cross_page_groups(count: usize) -> Vec<Vec<usize>> {
    let groups = count.div_ceil(CROSS_PAGE_GROUP_MAX).max(1);
    let base = count / groups;
    let extra = count % groups;
    let mut out = Vec::new();
    let mut next = 1;
    for g in 0..groups {
        let n = base + usize::from(g < extra);
        out.push((next..next + n).collect());
        next += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_balanced_and_bounded() {
        assert_eq!(cross_page_groups(3), vec![vec![1, 2, 3]]);
        let g = cross_page_groups(41);
        assert_eq!(g.len(), 3);
        assert!(g.iter().all(|x| x.len() >= 13 && x.len() <= 14));
        assert_eq!(g.iter().map(Vec::len).sum::<usize>(), 41);
        assert_eq!(cross_page_groups(20).len(), 1);
    }
}
