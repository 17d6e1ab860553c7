//! Keyword search: glyph positions and Unicode from hayro-interpret, matched across
//! text-showing operators, lines and form XObjects (the interpreter walks them all).
//!
//! Unicode comes from the font's ToUnicode map or encoding (hayro); for embedded fonts that
//! have neither, the embedded font's own Unicode cmap is read backwards (glyph → code point).

use crate::api::TextHit;
use crate::document::Document;
use crate::error::Result;
use hayro_interpret::font::{Glyph, GlyphRun};
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::kurbo::{Affine, BezPath, Point, Rect};
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps, InterpreterCache,
    InterpreterSettings, RenderContent, SoftMask, interpret_page,
};
use std::collections::HashMap;

/// A shown glyph: its text and its box in user space.
struct ShownGlyph {
    text: String,
    bbox: [f64; 4],
}

#[derive(Default)]
struct Collector {
    glyphs: Vec<ShownGlyph>,
    /// Reverse Unicode cmaps of embedded fonts, by hayro's font cache key.
    reverse: HashMap<u128, HashMap<u32, char>>,
}

/// glyph id → code point from the font program's Unicode cmap (empty when it has none).
fn reverse_cmap(data: &[u8]) -> HashMap<u32, char> {
    use read_fonts::TableProvider;
    use read_fonts::tables::cmap::PlatformId;
    let mut out = HashMap::new();
    let Ok(font) = read_fonts::FontRef::new(data) else { return out };
    let Ok(cmap) = font.cmap() else { return out };
    let Some((_, record, sub)) = cmap.best_subtable() else { return out };
    let unicode = match record.platform_id() {
        PlatformId::Unicode => true,
        PlatformId::Windows => matches!(record.encoding_id(), 1 | 10),
        _ => false,
    };
    if !unicode {
        return out;
    }
    for (cp, gid) in sub.iter().take(200_000) {
        if let Some(c) = char::from_u32(cp) {
            out.entry(gid.to_u32()).or_insert(c);
        }
    }
    out
}

impl Collector {
    /// Unicode of a glyph: ToUnicode/encoding first, then the embedded font's cmap.
    fn unicode(&mut self, g: &Glyph<'_>) -> Option<String> {
        match g.as_unicode() {
            Some(BfString::Char(c)) => return Some(c.to_string()),
            Some(BfString::String(s)) => return Some(s),
            None => {}
        }
        let Glyph::Outline(o) = g else { return None };
        let data = o.font_data()?;
        let map = self.reverse.entry(data.cache_key).or_insert_with(|| reverse_cmap((*data.data).as_ref()));
        map.get(&o.glyph_id().to_u32()).map(|c| c.to_string())
    }
}

impl Device<'_> for Collector {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'_>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'_>>, _: BlendMode) {}
    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, '_>, props: DrawProps<'_>, _: &DrawMode) {
        for g in run.glyphs() {
            let Some(text) = self.unicode(g) else { continue };
            // Glyph space is 1000 units per em; the box spans the em height and the font's
            // advance (or, without one, a full em for CJK and ~0.56 em for Latin).
            let adv = match &**g {
                Glyph::Outline(o) => o.advance_width().map(f64::from),
                Glyph::Type3(t) => t.advance_width().map(f64::from),
            }
            .filter(|a| *a > 0.0 && a.is_finite())
            .unwrap_or(if text.chars().all(|c| (c as u32) < 0x2e80) { 556.0 } else { 1000.0 });
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
