//! Page previews for the signing pages: the visible size of every page in points (the same
//! CropBox/Rotate frame placements use, so a point picked on a preview is a placement point),
//! and a page rasterised to PNG by hayro.

use std::io::Cursor;
use std::sync::Arc;

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};

use crate::PdfError;
use crate::document::Document;

/// Largest preview edge in pixels, whatever the scale asked for (a poster-sized page must not
/// allocate gigabytes).
const MAX_EDGE_PX: f32 = 4000.0;

/// The visible width and height, in points, of every page (CropBox within MediaBox, /Rotate applied).
pub fn page_sizes(data: &[u8]) -> Result<Vec<(f64, f64)>, PdfError> {
    let doc = Document::read(&mut Cursor::new(data), "")?;
    (1..=doc.page_count()).map(|n| Ok(doc.page(n)?.frame.visible_size())).collect()
}

/// Renders page `page` (1-based) at `scale` pixels per point on white, as PNG.
pub fn render_page_png(data: Vec<u8>, page: usize, scale: f32) -> Result<Vec<u8>, PdfError> {
    let pdf = Pdf::new(Arc::new(data)).map_err(|_| PdfError::Malformed("the document cannot be read".into()))?;
    let pages = pdf.pages();
    let count = pages.len();
    let target = page.checked_sub(1).and_then(|i| pages.get(i)).ok_or(PdfError::PageOutOfRange { page, count })?;
    let (w, h) = target.render_dimensions();
    let scale = scale.clamp(0.1, 8.0).min(MAX_EDGE_PX / w.max(h).max(1.0));
    let cache = RenderCache::new();
    let pixmap = hayro::render(
        target,
        &cache,
        &InterpreterSettings::default(),
        &RenderSettings::default(),
        &PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE },
    );
    pixmap.into_png().map_err(|e| PdfError::Malformed(format!("preview encoding failed: {e}")))
}
