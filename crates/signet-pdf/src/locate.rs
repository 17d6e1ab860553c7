//! Keyword search: glyph positions and Unicode from hayro-interpret, matched across
//! text-showing operators, lines and form XObjects (the interpreter walks them all).

use crate::api::TextHit;
use crate::document::Document;
use crate::error::Result;
use hayro_interpret::font::GlyphRun;
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::kurbo::{Affine, BezPath, Point, Rect};
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps, InterpreterCache,
    InterpreterSettings, RenderContent, SoftMask, interpret_page,
};

/// A shown glyph: its text and its box in user space.
struct ShownGlyph {
    text: String,
    bbox: [f64; 4],
}

#[derive(Default)]
struct Collector {
    glyphs: Vec<ShownGlyph>,
}

impl Device<'_> for Collector {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'_>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'_>>, _: BlendMode) {}
    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, '_>, props: DrawProps<'_>, _: &DrawMode) {
        for g in run.glyphs() {
            let text = match g.as_unicode() {
                Some(BfString::Char(c)) => c.to_string(),
                Some(BfString::String(s)) => s,
                None => continue,
            };
            // Glyph space is 1000 units per em; the box spans the em height and, lacking
            // widths in the glyph API, a full em for CJK and ~0.56 em for Latin.
            let adv = if text.chars().all(|c| (c as u32) < 0x2e80) { 556.0 } else { 1000.0 };
            let t: Affine = props.transform * g.transform();
            let corners = [(0.0, -200.0), (adv, -200.0), (0.0, 800.0), (adv, 800.0)].map(|(x, y)| t * Point::new(x, y));
            let xs = corners.map(|p| p.x);
            let ys = corners.map(|p| p.y);
            let bbox = [
                xs.iter().copied().fold(f64::INFINITY, f64::min),
                ys.iter().copied().fold(f64::INFINITY, f64::min),
                xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ];
            self.glyphs.push(ShownGlyph { text, bbox });
        }
    }
    fn draw_image(&mut self, _: Image<'_, '_>, _: ImageDrawProps<'_>) {}
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// Every occurrence of `keyword` in the document, in page order.
pub(crate) fn find_keyword(doc: &Document, keyword: &str) -> Result<Vec<TextHit>> {
    let needle: Vec<char> = keyword.chars().filter(|c| !c.is_whitespace()).collect();
    if needle.is_empty() {
        return Err(crate::PdfError::InvalidRequest("empty keyword".into()));
    }
    let mut hits = Vec::new();
    let cache = InterpreterCache::new();
    let settings = InterpreterSettings { render_content: RenderContent::PAGE, ..InterpreterSettings::default() };
    for (i, page) in doc.pdf.pages().iter().enumerate() {
        let frame = doc.page(i + 1)?.frame;
        let c = frame.crop;
        let mut ctx =
            Context::new(Affine::IDENTITY, Rect::new(c[0], c[1], c[2], c[3]), &cache, doc.pdf.xref(), settings.clone());
        let mut collector = Collector::default();
        interpret_page(page, &mut ctx, &mut collector);
        // One char per entry, pointing back at its glyph.
        let chars: Vec<(char, usize)> = collector
            .glyphs
            .iter()
            .enumerate()
            .flat_map(|(gi, g)| g.text.chars().map(move |ch| (ch, gi)))
            .filter(|(ch, _)| !ch.is_whitespace())
            .collect();
        let mut at = 0;
        while at + needle.len() <= chars.len() {
            if chars[at..at + needle.len()].iter().zip(&needle).all(|((a, _), b)| a == b) {
                let first = chars[at].1;
                let last = chars[at + needle.len() - 1].1;
                let mut r = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
                for g in &collector.glyphs[first..=last] {
                    r = [r[0].min(g.bbox[0]), r[1].min(g.bbox[1]), r[2].max(g.bbox[2]), r[3].max(g.bbox[3])];
                }
                hits.push(TextHit { page: i + 1, rect: frame.rect_to_visible(r) });
                at += needle.len();
            } else {
                at += 1;
            }
        }
    }
    Ok(hits)
}
