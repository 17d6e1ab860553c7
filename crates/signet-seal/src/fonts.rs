//! The bundled font faces (subsets made by `fonts/subset.sh`) and the fallback chain
//! that keeps rare name characters from becoming tofu boxes.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use ttf_parser::{Face, GlyphId};

use crate::SealError;

/// A bundled face. Vendor font names are proprietary; each maps to a free face of the same kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FontFace {
    /// 宋体: Noto Serif CJK SC Bold, the face of company seal text.
    Song,
    /// 黑体 (stands in for 微软雅黑): Noto Sans CJK SC; also the Arial-like digits of codes.
    Hei,
    /// 楷体: LXGW WenKai (renamed subset "Signet Seal Kai").
    Kai,
    /// A second, classic 楷体 (stands in for 华文楷体): FandolKai.
    ClassicKai,
    /// 仿宋 (stands in for 华文仿宋): FandolFang.
    FangSong,
}

const SONG: &[u8] = include_bytes!("../fonts/song-noto-serif-cjk-sc-bold.otf");
const HEI: &[u8] = include_bytes!("../fonts/hei-noto-sans-cjk-sc.otf");
const KAI: &[u8] = include_bytes!("../fonts/kai-wenkai-subset.ttf");
// The Fandol faces are GPL-3 with a font exception; builds that must not carry them
// disable the default `fandol-fonts` feature and fall back to the OFL faces.
#[cfg(feature = "fandol-fonts")]
const CLASSIC_KAI: &[u8] = include_bytes!("../fonts/kai-fandol.otf");
#[cfg(feature = "fandol-fonts")]
const FANG: &[u8] = include_bytes!("../fonts/fang-fandol.otf");
#[cfg(not(feature = "fandol-fonts"))]
const CLASSIC_KAI: &[u8] = &[];
#[cfg(not(feature = "fandol-fonts"))]
const FANG: &[u8] = &[];

static PARSED: [OnceLock<Option<Face<'static>>>; 5] = [const { OnceLock::new() }; 5];

impl FontFace {
    /// Every bundled face.
    pub const ALL: [FontFace; 5] =
        [FontFace::Song, FontFace::Hei, FontFace::Kai, FontFace::ClassicKai, FontFace::FangSong];

    fn index(self) -> usize {
        match self {
            FontFace::Song => 0,
            FontFace::Hei => 1,
            FontFace::Kai => 2,
            FontFace::ClassicKai => 3,
            FontFace::FangSong => 4,
        }
    }

    /// The font file bytes compiled into the binary.
    pub fn data(self) -> &'static [u8] {
        match self {
            FontFace::Song => SONG,
            FontFace::Hei => HEI,
            FontFace::Kai => KAI,
            FontFace::ClassicKai => CLASSIC_KAI,
            FontFace::FangSong => FANG,
        }
    }

    /// Whether this build carries the face (the Fandol faces are behind a feature).
    pub fn is_bundled(self) -> bool {
        !self.data().is_empty()
    }

    /// Upstream family the subset was made from (see fonts/README.md for licences).
    pub fn source_family(self) -> &'static str {
        match self {
            FontFace::Song => "Noto Serif CJK SC Bold",
            FontFace::Hei => "Noto Sans CJK SC",
            FontFace::Kai => "LXGW WenKai",
            FontFace::ClassicKai => "FandolKai",
            FontFace::FangSong => "FandolFang",
        }
    }

    /// Faces tried in order when a character is missing: the face itself, then the closest styles.
    pub fn fallback_chain(self) -> [FontFace; 5] {
        use FontFace::*;
        match self {
            Song => [Song, Hei, FangSong, ClassicKai, Kai],
            Hei => [Hei, Song, Kai, FangSong, ClassicKai],
            Kai => [Kai, ClassicKai, FangSong, Song, Hei],
            ClassicKai => [ClassicKai, Kai, FangSong, Song, Hei],
            FangSong => [FangSong, Kai, Song, ClassicKai, Hei],
        }
    }

    /// The parsed face; parsed once per process.
    pub(crate) fn face(self) -> Result<&'static Face<'static>, SealError> {
        PARSED[self.index()]
            .get_or_init(|| Face::parse(self.data(), 0).ok())
            .as_ref()
            .ok_or(SealError::BrokenFont(self.source_family()))
    }

    /// Whether this face itself (without fallback) has a glyph for `ch`.
    pub fn has_char(self, ch: char) -> bool {
        self.is_bundled() && self.face().ok().and_then(|f| f.glyph_index(ch)).is_some_and(|g| g.0 != 0)
    }
}

/// Total bytes of bundled font data (the binary-size cost of the fonts).
pub fn bundled_font_bytes() -> usize {
    FontFace::ALL.iter().map(|f| f.data().len()).sum()
}

/// A character resolved to the face that will draw it.
#[derive(Clone, Copy)]
pub(crate) struct ResolvedGlyph {
    pub font: FontFace,
    pub face: &'static Face<'static>,
    pub glyph: GlyphId,
}

/// Finds `ch` in `preferred` or the next face of its fallback chain.
pub(crate) fn resolve(preferred: FontFace, ch: char) -> Result<ResolvedGlyph, SealError> {
    for candidate in preferred.fallback_chain().into_iter().filter(|f| f.is_bundled()) {
        let face = candidate.face()?;
        if let Some(glyph) = face.glyph_index(ch).filter(|g| g.0 != 0) {
            return Ok(ResolvedGlyph { font: candidate, face, glyph });
        }
    }
    Err(SealError::UnsupportedCharacter { ch })
}

/// Which bundled face draws `ch` when `preferred` is asked for, or the error naming it.
pub fn face_for_char(preferred: FontFace, ch: char) -> Result<FontFace, SealError> {
    preferred.fallback_chain().into_iter().find(|f| f.has_char(ch)).ok_or(SealError::UnsupportedCharacter { ch })
}

/// Checks up front that every character of `text` can be drawn (errors name the first one that cannot).
pub fn check_renderable(preferred: FontFace, text: &str) -> Result<(), SealError> {
    text.chars().filter(|c| !c.is_whitespace()).try_for_each(|c| face_for_char(preferred, c).map(|_| ()))
}
