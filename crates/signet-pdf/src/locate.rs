//! Keyword search: glyph positions and Unicode from hayro-interpret, matched across
//! text-showing operators, lines and form XObjects (the interpreter walks them all).
//!
//! Unicode comes from the font's ToUnicode map or encoding (hayro, which also maps
//! non-embedded CID fonts through their ordering's UCS2 CMap). For embedded CID fonts without
//! /ToUnicode, the CIDSystemInfo ordering's UCS2 CMap (Adobe-GB1 → Adobe-GB1-UCS2, from the
//! CMaps hayro-cmap embeds) maps the glyph's CID; failing that, the embedded font's own Unicode
//! cmap is read backwards (glyph → code point).
//!
//! Keyword and text are compared after NFKC normalisation, so full-width and half-width forms,
//! Kangxi radicals and CJK compatibility ideographs (which some exporters' ToUnicode maps
//! produce) match the unified characters a user types.

use crate::api::TextHit;
use crate::document::Document;
use crate::error::Result;
use hayro_interpret::font::{Glyph, GlyphRun};
use hayro_interpret::hayro_cmap::{BfString, CMap, CMapName, CidFamily, load_embedded};
use hayro_interpret::kurbo::{Affine, BezPath, Point, Rect};
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps, InterpreterCache,
    InterpreterSettings, RenderContent, SoftMask, interpret_page,
};
use hayro_syntax::object::{Array, Dict, Name, Object, Stream};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// A shown glyph: its text and its box in user space.
struct ShownGlyph {
    text: String,
    bbox: [f64; 4],
}

struct Collector<'f> {
    glyphs: Vec<ShownGlyph>,
    /// Reverse Unicode cmaps of embedded fonts, by hayro's font cache key.
    reverse: HashMap<u128, HashMap<u32, char>>,
    /// Embedded CID fonts without /ToUnicode, by the SHA-256 of their font program.
    cid_fonts: &'f HashMap<[u8; 32], CidFallback>,
    /// hayro's font cache key → the matching entry of `cid_fonts`, if any.
    cid_of: HashMap<u128, Option<[u8; 32]>>,
}

/// How to read a CID font's glyphs as Unicode through its ordering.
struct CidFallback {
    /// The font's encoding CMap; `None` for Identity-H/V (code = CID).
    encoding: Option<Arc<CMap>>,
    /// The ordering's CID → Unicode CMap (e.g. Adobe-GB1-UCS2).
    ucs2: Arc<CMap>,
}

/// Finds every embedded CID font without /ToUnicode whose ordering has a UCS2 CMap.
fn cid_fallbacks(doc: &Document) -> HashMap<[u8; 32], CidFallback> {
    let mut ucs2_cache: Vec<(CMapName<'static>, Option<Arc<CMap>>)> = Vec::new();
    let mut out = HashMap::new();
    for obj in doc.pdf.objects() {
        let Object::Dict(font) = obj else { continue };
        if font.get::<Name<'_>>("Subtype").as_deref() != Some(b"Type0".as_slice()) || font.contains_key("ToUnicode") {
            continue;
        }
        let Some(cid_font) = font.get::<Array<'_>>("DescendantFonts").and_then(|a| a.iter::<Dict<'_>>().next()) else {
            continue;
        };
        let Some(info) = cid_font.get::<Dict<'_>>("CIDSystemInfo") else { continue };
        let (Some(registry), Some(ordering)) = (
            info.get::<hayro_syntax::object::String<'_>>("Registry"),
            info.get::<hayro_syntax::object::String<'_>>("Ordering"),
        ) else {
            continue;
        };
        let Some(ucs2_name) = CidFamily::from_registry_ordering(registry.as_bytes(), ordering.as_bytes()).ucs2_cmap()
        else {
            continue;
        };
        let cached = ucs2_cache.iter().find(|(n, _)| *n == ucs2_name).map(|(_, c)| c.clone());
        let ucs2 = cached.unwrap_or_else(|| {
            let c = load_embedded(ucs2_name).and_then(|d| CMap::parse(d, load_embedded)).map(Arc::new);
            ucs2_cache.push((ucs2_name, c.clone()));
            c
        });
        let Some(ucs2) = ucs2 else { continue };
        let encoding = if let Some(name) = font.get::<Name<'_>>("Encoding") {
            match name.as_ref() {
                b"Identity-H" | b"Identity-V" => None,
                other => match load_embedded(CMapName::from_bytes(other)).and_then(|d| CMap::parse(d, load_embedded)) {
                    Some(c) => Some(Arc::new(c)),
                    None => continue,
                },
            }
        } else if let Some(stream) = font.get::<Stream<'_>>("Encoding") {
            match stream.decoded().ok().and_then(|d| CMap::parse(&d, load_embedded)) {
                Some(c) => Some(Arc::new(c)),
                None => continue,
            }
        } else {
            continue;
        };
        let Some(program) = cid_font
            .get::<Dict<'_>>("FontDescriptor")
            .and_then(|d| ["FontFile2", "FontFile3", "FontFile"].iter().find_map(|k| d.get::<Stream<'_>>(*k)))
        else {
            continue;
        };
        let Ok(data) = program.decoded() else { continue };
        out.insert(Sha256::digest(&data).into(), CidFallback { encoding, ucs2 });
    }
    out
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

impl Collector<'_> {
    /// Unicode of a glyph: ToUnicode/encoding first, then the CID font's ordering, then the
    /// embedded font's cmap.
    fn unicode(&mut self, g: &Glyph<'_>) -> Option<String> {
        match g.as_unicode() {
            Some(BfString::Char(c)) => return Some(c.to_string()),
            Some(BfString::String(s)) => return Some(s),
            None => {}
        }
        let Glyph::Outline(o) = g else { return None };
        let data = o.font_data()?;
        if !self.cid_fonts.is_empty() {
            let cid_fonts = self.cid_fonts;
            let key = *self.cid_of.entry(data.cache_key).or_insert_with(|| {
                let digest: [u8; 32] = Sha256::digest((*data.data).as_ref()).into();
                cid_fonts.contains_key(&digest).then_some(digest)
            });
            if let Some(f) = key.and_then(|k| cid_fonts.get(&k)) {
                let code = o.char_code();
                let cid = match &f.encoding {
                    None => Some(code),
                    Some(cmap) => cmap.lookup_cid_code(code, 2).or_else(|| cmap.lookup_cid_code(code, 1)),
                };
                match cid.and_then(|c| f.ucs2.lookup_bf_string(c)) {
                    Some(BfString::Char(c)) => return Some(c.to_string()),
                    Some(BfString::String(s)) => return Some(s),
                    None => {}
                }
            }
        }
        let map = self.reverse.entry(data.cache_key).or_insert_with(|| reverse_cmap((*data.data).as_ref()));
        map.get(&o.glyph_id().to_u32()).map(|c| c.to_string())
    }
}

impl Device<'_> for Collector<'_> {
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
    let needle: Vec<char> = keyword.nfkc().filter(|c| !c.is_whitespace()).collect();
    if needle.is_empty() {
        return Err(crate::PdfError::InvalidRequest("empty keyword".into()));
    }
    let mut hits = Vec::new();
    let cid_fonts = cid_fallbacks(doc);
    let cache = InterpreterCache::new();
    let settings = InterpreterSettings { render_content: RenderContent::PAGE, ..InterpreterSettings::default() };
    for (i, page) in doc.pdf.pages().iter().enumerate() {
        let frame = doc.page(i + 1)?.frame;
        let c = frame.crop;
        let mut ctx =
            Context::new(Affine::IDENTITY, Rect::new(c[0], c[1], c[2], c[3]), &cache, doc.pdf.xref(), settings.clone());
        let mut collector =
            Collector { glyphs: Vec::new(), reverse: HashMap::new(), cid_fonts: &cid_fonts, cid_of: HashMap::new() };
        interpret_page(page, &mut ctx, &mut collector);
        // One char per entry, pointing back at its glyph.
        let chars: Vec<(char, usize)> = collector
            .glyphs
            .iter()
            .enumerate()
            .flat_map(|(gi, g)| g.text.nfkc().map(move |ch| (ch, gi)))
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
