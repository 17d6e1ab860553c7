//! The CJK font of template fills: Unicode → glyph, advances, and at the end a subset embedded
//! as a Type0 font (Identity-H, two-byte codes = the subset's glyph ids) with a ToUnicode map,
//! so that filled text is extractable and searchable by `locate`.
//!
//! Glyphs are collected while laying out (every field and HTML chunk), then the font is
//! subset once (`subsetter`, which renumbers glyphs consecutively and makes CID = GID).

use crate::error::{PdfError, Result};
use crate::obj::{Dict, Obj};
use read_fonts::types::{GlyphId, Tag};
use read_fonts::{FontRef, TableProvider};
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;

/// Vertical metrics as fractions of the em.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metrics {
    pub(crate) ascent: f64,
    pub(crate) descent: f64,
}

/// A font being used: what is needed to lay text out, and the glyphs used so far.
pub(crate) struct FontUse<'f> {
    data: &'f [u8],
    font: FontRef<'f>,
    units_per_em: f64,
    remapper: GlyphRemapper,
    /// new glyph id → (advance in 1/1000 em, the text it stands for)
    used: BTreeMap<u16, (f64, char)>,
    pub(crate) metrics: Metrics,
}

/// One encoded character: the two-byte code (the glyph id in the subset).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Encoded {
    pub(crate) code: u16,
}

impl<'f> FontUse<'f> {
    pub(crate) fn new(data: &'f [u8]) -> Result<Self> {
        let font = FontRef::new(data).map_err(|e| PdfError::Font(format!("not an OpenType font: {e}")))?;
        if font.table_data(Tag::new(b"CFF ")).is_none() && font.table_data(Tag::new(b"glyf")).is_none() {
            return Err(PdfError::Font("the font has neither CFF nor TrueType outlines".into()));
        }
        let units_per_em = f64::from(font.head().map_err(|e| PdfError::Font(e.to_string()))?.units_per_em());
        let (ascent, descent) = match font.os2() {
            Ok(os2) => (f64::from(os2.s_typo_ascender()), f64::from(os2.s_typo_descender())),
            Err(_) => (0.88 * units_per_em, -0.12 * units_per_em),
        };
        Ok(Self {
            data,
            font,
            units_per_em,
            remapper: GlyphRemapper::new(),
            used: BTreeMap::new(),
            metrics: Metrics { ascent: ascent / units_per_em, descent: descent / units_per_em },
        })
    }

    fn glyph(&self, ch: char) -> Option<GlyphId> {
        let gid = self.font.cmap().ok()?.map_codepoint(ch)?;
        (gid.to_u32() != 0).then_some(gid)
    }

    /// Whether the font can draw `ch`.
    pub(crate) fn has(&self, ch: char) -> bool {
        self.glyph(ch).is_some()
    }

    /// Advance of `ch` in 1/1000 em without recording it (for layout decisions).
    pub(crate) fn advance(&self, ch: char) -> Option<f64> {
        let gid = self.glyph(ch)?;
        let adv = self.font.hmtx().ok()?.advance(gid).unwrap_or(0);
        Some(f64::from(adv) * 1000.0 / self.units_per_em)
    }

    /// Encodes `ch`, recording its glyph for the subset. `context` names the text's origin in
    /// the error.
    pub(crate) fn encode(&mut self, ch: char, context: &str) -> Result<Encoded> {
        let missing = || PdfError::MissingGlyph { ch, code: u32::from(ch), context: context.to_string() };
        let gid = self.glyph(ch).ok_or_else(missing)?;
        let advance = self.advance(ch).ok_or_else(missing)?;
        let old = u16::try_from(gid.to_u32()).map_err(|_| missing())?;
        let code = self.remapper.remap(old);
        self.used.entry(code).or_insert((advance, ch));
        Ok(Encoded { code })
    }

    /// Six capital letters derived from the glyph set, as subset font names require.
    pub(crate) fn subset_tag(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for (code, (_, ch)) in &self.used {
            h.update(code.to_be_bytes());
            h.update(u32::from(*ch).to_be_bytes());
        }
        h.finalize().iter().take(6).map(|b| char::from(b'A' + b % 26)).collect()
    }

    /// Builds the font objects. `alloc` hands out object ids; returns the Type0 font
    /// dictionary and the other objects (descendant, descriptor, font file, ToUnicode).
    pub(crate) fn finish(self, tag: &str) -> Result<EmbeddedFont> {
        let subset =
            subsetter::subset(self.data, 0, &self.remapper).map_err(|e| PdfError::Font(format!("subsetting: {e}")))?;
        let sub = FontRef::new(&subset).map_err(|e| PdfError::Font(format!("subset unreadable: {e}")))?;
        let (file_key, file_subtype, cid_subtype, file) = match sub.table_data(Tag::new(b"CFF ")) {
            Some(cff) => ("FontFile3", Some("CIDFontType0C"), "CIDFontType0", cff.as_bytes().to_vec()),
            None => ("FontFile2", None, "CIDFontType2", subset.clone()),
        };
        let head = self.font.head().map_err(|e| PdfError::Font(e.to_string()))?;
        let scale = 1000.0 / self.units_per_em;
        let bbox = [
            f64::from(head.x_min()) * scale,
            f64::from(head.y_min()) * scale,
            f64::from(head.x_max()) * scale,
            f64::from(head.y_max()) * scale,
        ];
        let ps_name = self.postscript_name();
        let base = format!("{tag}+{ps_name}");
        let descriptor = Dict::new()
            .with("Type", Obj::name("FontDescriptor"))
            .with("FontName", Obj::name(&base))
            .with("Flags", Obj::Int(4))
            .with("FontBBox", Obj::rect(bbox))
            .with("ItalicAngle", Obj::Int(0))
            .with("Ascent", Obj::Real(self.metrics.ascent * 1000.0))
            .with("Descent", Obj::Real(self.metrics.descent * 1000.0))
            .with("CapHeight", Obj::Real(self.metrics.ascent * 1000.0 * 0.8))
            .with("StemV", Obj::Int(80));
        let mut widths = Vec::new();
        for (code, (adv, _)) in &self.used {
            widths.push(Obj::Int(i64::from(*code)));
            widths.push(Obj::Array(vec![Obj::Real(*adv)]));
        }
        let mut cid = Dict::new()
            .with("Type", Obj::name("Font"))
            .with("Subtype", Obj::name(cid_subtype))
            .with("BaseFont", Obj::name(&base))
            .with(
                "CIDSystemInfo",
                Obj::Dict(
                    Dict::new()
                        .with("Registry", Obj::str("Adobe"))
                        .with("Ordering", Obj::str("Identity"))
                        .with("Supplement", Obj::Int(0)),
                ),
            )
            .with("DW", Obj::Int(1000))
            .with("W", Obj::Array(widths));
        if cid_subtype == "CIDFontType2" {
            cid.set("CIDToGIDMap", Obj::name("Identity"));
        }
        let mut file_dict = Dict::new();
        if let Some(s) = file_subtype {
            file_dict.set("Subtype", Obj::name(s));
        }
        Ok(EmbeddedFont {
            base,
            descriptor,
            cid,
            file_key,
            file_dict,
            file,
            to_unicode: to_unicode_cmap(self.used.iter().map(|(c, (_, ch))| (*c, *ch))),
        })
    }

    fn postscript_name(&self) -> String {
        use read_fonts::types::NameId;
        let name = self.font.name().ok().and_then(|n| {
            n.name_record().iter().find(|r| r.name_id() == NameId::POSTSCRIPT_NAME).and_then(|r| {
                r.string(n.string_data())
                    .ok()
                    .map(|s| s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect())
            })
        });
        name.filter(|s: &String| !s.is_empty()).unwrap_or_else(|| "SignetCJK".into())
    }
}

/// The pieces of an embedded font, to be written as objects by the caller.
pub(crate) struct EmbeddedFont {
    pub(crate) base: String,
    pub(crate) descriptor: Dict,
    pub(crate) cid: Dict,
    pub(crate) file_key: &'static str,
    pub(crate) file_dict: Dict,
    pub(crate) file: Vec<u8>,
    pub(crate) to_unicode: Vec<u8>,
}

/// A ToUnicode CMap mapping each two-byte code to its character.
fn to_unicode_cmap(entries: impl Iterator<Item = (u16, char)>) -> Vec<u8> {
    let entries: Vec<(u16, char)> = entries.collect();
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in entries.chunks(100) {
        s.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (code, ch) in chunk {
            let mut units = [0u16; 2];
            let hex: String = ch.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            s.push_str(&format!("<{code:04X}> <{hex}>\n"));
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}
