//! Company seals (企业模板印章): round Ø 42 mm and oval 40×30 mm, with or without the star,
//! the name on the upper arc, a horizontal text (横向文), and a lower-arc text (下弦文) or the
//! 13-digit anti-forgery code.
//!
//! Vendor parameters: 云合同 `/moulage/company` (styleType 1 round / 2 oval, textContent ≤ 12,
//! keyContent 13 digits, color C1–C3) and e签宝 `/seal/create/organize` (ROUND_STAR,
//! ROUND_NONE, OVAL_STAR, OVAL_NONE, hText, qText). Geometry follows the provincial layout
//! tables in the research notes (border 1.2, star Ø 14, name 6.5–7 mm, arc 250–270°).

use std::f32::consts::PI;

use serde::{Deserialize, Serialize};
use tiny_skia::{FillRule, Transform};

use crate::arc::{Track, cell_on_arc, cell_quad, quad_hits_rect};
use crate::fonts::check_renderable;
use crate::glyph::Cell;
use crate::shapes::{circle_ring, ellipse_ring, star};
use crate::text::clean_text;
use crate::{FontFace, InkColor, Seal, SealError};

/// Outline of a company seal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompanyShape {
    /// Round, Ø 42 mm by default (official and contract seals).
    #[default]
    Round,
    /// Oval 40×30 mm by default (financial, invoice, contract seals).
    Oval,
}

impl CompanyShape {
    /// e签宝 `templateType` (`ROUND_STAR`, `ROUND_NONE`, `OVAL_STAR`, `OVAL_NONE`) or 云合同
    /// `styleType` (`1` round, `2` oval; star on): the shape and whether the star is drawn.
    pub fn from_vendor_code(code: &str) -> Option<(CompanyShape, bool)> {
        match code.trim().to_ascii_uppercase().as_str() {
            "ROUND_STAR" | "1" => Some((CompanyShape::Round, true)),
            "ROUND_NONE" => Some((CompanyShape::Round, false)),
            "OVAL_STAR" | "2" => Some((CompanyShape::Oval, true)),
            "OVAL_NONE" => Some((CompanyShape::Oval, false)),
            _ => None,
        }
    }
}

/// Everything that defines a company template seal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompanySealSpec {
    /// Registered company name, along the upper arc (2 to 32 characters).
    pub name: String,
    /// Round or oval.
    #[serde(default)]
    pub shape: CompanyShape,
    /// Five-pointed star in the centre (ROUND_STAR / OVAL_STAR).
    #[serde(default = "yes")]
    pub star: bool,
    /// Horizontal text below the centre, e.g. 合同专用章 (at most 12 characters).
    #[serde(default)]
    pub horizontal_text: Option<String>,
    /// Text along the lower arc (下弦文, at most 20 characters).
    #[serde(default)]
    pub bottom_text: Option<String>,
    /// 13-digit anti-forgery code along the lower arc.
    #[serde(default)]
    pub code: Option<String>,
    /// Ink colour.
    #[serde(default)]
    pub color: InkColor,
    /// Face of the Chinese text; 宋体 by the seal rules.
    #[serde(default = "song")]
    pub font: FontFace,
    /// Outer width in mm: the diameter of a round seal (default 42), the long axis of an
    /// oval one (default 40; its height is 3/4 of it).
    #[serde(default)]
    pub size_mm: Option<f32>,
}

fn yes() -> bool {
    true
}

fn song() -> FontFace {
    FontFace::Song
}

impl CompanySealSpec {
    /// A red round seal with a star and only the name.
    pub fn new(name: impl Into<String>) -> Self {
        CompanySealSpec {
            name: name.into(),
            shape: CompanyShape::Round,
            star: true,
            horizontal_text: None,
            bottom_text: None,
            code: None,
            color: InkColor::Red,
            font: FontFace::Song,
            size_mm: None,
        }
    }
}

/// Limits on the texts of a company seal.
pub const NAME_CHARS: (usize, usize) = (2, 32);
/// Most characters of the horizontal text.
pub const MAX_HORIZONTAL_CHARS: usize = 12;
/// Most characters of the lower-arc text.
pub const MAX_BOTTOM_CHARS: usize = 20;

/// Millimetre geometry of one seal outline, before scaling to the requested size.
struct Layout {
    a: f32,
    b: f32,
    border: f32,
    name_em: f32,
    name_gap: f32,
    name_xscale: f32,
    name_span: fn(usize) -> f32,
    name_span_max: f32,
    star_r: f32,
    h_em: f32,
    h_top_with_star: f32,
    h_centre_without_star: f32,
    code_em: f32,
    code_pitch: f32,
    code_gap: f32,
    bottom_em: f32,
    bottom_gap: f32,
    bottom_span_max: f32,
    /// Outline stroke that thickens regular-weight faces (not the bold 宋体).
    bold: f32,
}

const ROUND: Layout = Layout {
    a: 21.0,
    b: 21.0,
    border: 1.2,
    name_em: 7.0,
    name_gap: 0.9,
    name_xscale: 0.78,
    name_span: |n| (20.0 + 21.0 * n as f32).clamp(100.0, 270.0),
    name_span_max: 270.0,
    star_r: 7.0,
    h_em: 6.2,
    h_top_with_star: 7.4,
    h_centre_without_star: 3.5,
    code_em: 3.4,
    code_pitch: 1.5,
    code_gap: 0.7,
    bottom_em: 4.0,
    bottom_gap: 0.8,
    bottom_span_max: 150.0,
    bold: 0.22,
};

const OVAL: Layout = Layout {
    a: 20.0,
    b: 15.0,
    border: 1.0,
    name_em: 5.4,
    name_gap: 0.6,
    name_xscale: 0.75,
    name_span: |n| (60.0 + 16.0 * n as f32).clamp(120.0, 240.0),
    name_span_max: 240.0,
    star_r: 4.8,
    h_em: 4.6,
    h_top_with_star: 5.0,
    h_centre_without_star: 1.5,
    code_em: 2.9,
    code_pitch: 1.3,
    code_gap: 0.5,
    bottom_em: 3.2,
    bottom_gap: 0.6,
    bottom_span_max: 140.0,
    bold: 0.17,
};

/// Share of the em that CJK ink fills vertically, and digits (cap height).
const CJK_INK: f32 = 0.92;
const DIGIT_INK: f32 = 0.72;
/// Angle kept free between the name and the lower-arc text at each end.
const ARC_CLEARANCE_DEG: f32 = 14.0;

/// Renders a company seal.
pub fn render_company(spec: &CompanySealSpec) -> Result<Seal, SealError> {
    let name = clean_text("company name", &spec.name, NAME_CHARS.0, NAME_CHARS.1)?;
    let horizontal = spec
        .horizontal_text
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| clean_text("horizontal text", t, 1, MAX_HORIZONTAL_CHARS))
        .transpose()?;
    let bottom_text = spec
        .bottom_text
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| clean_text("lower-arc text", t, 1, MAX_BOTTOM_CHARS))
        .transpose()?;
    let code = spec.code.as_deref().map(validate_code).transpose()?;
    if bottom_text.is_some() && code.is_some() {
        return Err(SealError::BottomTextAndCode);
    }
    for text in [Some(&name), horizontal.as_ref(), bottom_text.as_ref()].into_iter().flatten() {
        check_renderable(spec.font, &text.iter().collect::<String>())?;
    }

    let (base, default_w) = match spec.shape {
        CompanyShape::Round => (&ROUND, 42.0),
        CompanyShape::Oval => (&OVAL, 40.0),
    };
    let width = spec.size_mm.unwrap_or(default_w);
    if !(20.0..=80.0).contains(&width) {
        return Err(SealError::OutOfRange { what: "seal size in mm", got: f64::from(width), min: 20.0, max: 80.0 });
    }
    let k = width / default_w;
    let (w, h) = (2.0 * base.a * k, 2.0 * base.b * k);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let mut seal = Seal::new(w, h, spec.color);

    let ring = match spec.shape {
        CompanyShape::Round => circle_ring(cx, cy, base.a * k, base.border * k),
        CompanyShape::Oval => ellipse_ring(cx, cy, base.a * k, base.b * k, base.border * k),
    };
    if let Some(ring) = ring {
        seal.fill(ring, FillRule::EvenOdd);
    }
    let inner = Inner { a: (base.a - base.border) * k, b: (base.b - base.border) * k };
    // The bundled 宋体 is already a Bold weight; other faces are thickened by a stroke.
    let bold = if spec.font == FontFace::Song { 0.0 } else { base.bold * k };

    // Lower arc first: its extent limits how far the name may run down the sides.
    let mut obstacles: Vec<[(f32, f32); 4]> = Vec::new();
    let mut bottom_span = 0.0f32;
    if let Some(code) = &code {
        let em = base.code_em * k;
        let ink = em * DIGIT_INK;
        bottom_span = lower_arc(
            &mut seal,
            &mut obstacles,
            LowerArc {
                chars: code,
                face: FontFace::Hei,
                em,
                xscale: 0.72,
                pitch: base.code_pitch * k,
                curve: shrink(inner, base.code_gap * k + ink / 2.0),
                span_max: base.bottom_span_max.to_radians(),
                bold: 0.08 * k,
                centre: (cx, cy),
            },
        )?;
    } else if let Some(text) = &bottom_text {
        let em = base.bottom_em * k;
        bottom_span = lower_arc(
            &mut seal,
            &mut obstacles,
            LowerArc {
                chars: text,
                face: spec.font,
                em,
                xscale: 0.8,
                pitch: em * 0.9,
                curve: shrink(inner, base.bottom_gap * k + em * CJK_INK / 2.0),
                span_max: base.bottom_span_max.to_radians(),
                bold: bold * 0.6,
                centre: (cx, cy),
            },
        )?;
    }

    // Name along the upper arc, evenly spaced, glyph tops outward.
    let n = name.len();
    let mut span = (base.name_span)(n).min(base.name_span_max).to_radians();
    if bottom_span > 0.0 {
        span = span.min(2.0 * PI - bottom_span - 2.0 * ARC_CLEARANCE_DEG.to_radians());
    }
    let mut em = base.name_em * k;
    let mut char_w = em * base.name_xscale;
    let mut curve = shrink(inner, base.name_gap * k + em * CJK_INK / 2.0);
    for _ in 0..4 {
        curve = shrink(inner, base.name_gap * k + em * CJK_INK / 2.0);
        let pitch = curve.length(-span / 2.0, span / 2.0) / n as f32;
        char_w = (em * base.name_xscale).min(pitch * 0.9);
        if char_w >= 0.5 * em {
            break;
        }
        em = char_w / 0.5;
    }
    for (ch, t) in name.iter().zip(curve.spaced(-span / 2.0, span / 2.0, n)) {
        let place = cell_on_arc(curve, t, true, cx, cy);
        obstacles.push(cell_quad(char_w, em, place));
        seal.glyph(spec.font, *ch, Cell { width: char_w, height: em, place }, bold * (em / (base.name_em * k)))?;
    }

    if spec.star
        && let Some(path) = star(cx, cy, base.star_r * k)
    {
        seal.fill(path, FillRule::Winding);
    }

    if let Some(text) = &horizontal {
        let em = base.h_em * k;
        let centre_y =
            if spec.star { base.h_top_with_star * k + em * CJK_INK / 2.0 } else { base.h_centre_without_star * k };
        horizontal_line(&mut seal, text, spec.font, em, centre_y, inner, &obstacles, 0.5 * k, bold, (cx, cy))?;
    }
    Ok(seal)
}

fn validate_code(code: &str) -> Result<Vec<char>, SealError> {
    let code = code.trim();
    if code.len() != 13 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SealError::InvalidCode(code.to_string()));
    }
    Ok(code.chars().collect())
}

/// The track `by` millimetres inside the inner edge of the border.
fn shrink(inner: Inner, by: f32) -> Track {
    Track { a: inner.a, b: inner.b, inset: by.min(inner.a.min(inner.b) - 0.5) }
}

/// Semi-axes of the inner edge of the border.
#[derive(Clone, Copy, Debug)]
struct Inner {
    a: f32,
    b: f32,
}

struct LowerArc<'a> {
    chars: &'a [char],
    face: FontFace,
    em: f32,
    xscale: f32,
    pitch: f32,
    curve: Track,
    span_max: f32,
    bold: f32,
    centre: (f32, f32),
}

/// Draws text along the lower arc, read left to right, glyph tops towards the centre.
/// Returns the parameter span it used.
fn lower_arc(seal: &mut Seal, obstacles: &mut Vec<[(f32, f32); 4]>, arc: LowerArc<'_>) -> Result<f32, SealError> {
    let n = arc.chars.len();
    let max_len = arc.curve.length(PI - arc.span_max / 2.0, PI + arc.span_max / 2.0);
    let pitch = arc.pitch.min(max_len / n as f32);
    let span = arc.curve.span_for_length(PI, pitch * n as f32);
    let char_w = (arc.em * arc.xscale).min(pitch * 0.95);
    let ts = arc.curve.spaced(PI + span / 2.0, PI - span / 2.0, n);
    for (ch, t) in arc.chars.iter().zip(ts) {
        let place = cell_on_arc(arc.curve, t, false, arc.centre.0, arc.centre.1);
        obstacles.push(cell_quad(char_w, arc.em, place));
        seal.glyph(arc.face, *ch, Cell { width: char_w, height: arc.em, place }, arc.bold)?;
    }
    Ok(span)
}

/// Draws the horizontal text centred at `centre_y` below the seal centre, as wide as the
/// free space between the name, the lower arc and the border allows (narrowing, then
/// shrinking the characters when it is long).
#[allow(clippy::too_many_arguments)]
fn horizontal_line(
    seal: &mut Seal,
    text: &[char],
    face: FontFace,
    em: f32,
    centre_y: f32,
    inner: Inner,
    obstacles: &[[(f32, f32); 4]],
    margin: f32,
    bold: f32,
    (cx, cy): (f32, f32),
) -> Result<(), SealError> {
    let n = text.len() as f32;
    let mut em = em;
    let mut pitch = em;
    let mut char_w = em * 0.85;
    for _ in 0..3 {
        let half_ink = em * CJK_INK / 2.0;
        let (y0, y1) = (cy + centre_y - half_ink - margin, cy + centre_y + half_ink + margin);
        let fits = |half_w: f32| {
            let (x0, x1) = (cx - half_w - margin, cx + half_w + margin);
            let inside = [y0, y1].iter().all(|&y| {
                let (dx, dy) = ((x1 - cx) / (inner.a - margin), (y - cy) / (inner.b - margin));
                dx * dx + dy * dy <= 1.0
            });
            inside && !obstacles.iter().any(|q| quad_hits_rect(q, x0, y0, x1, y1))
        };
        let (mut lo, mut hi) = (0.0f32, inner.a);
        for _ in 0..24 {
            let mid = (lo + hi) / 2.0;
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        pitch = (em * 0.98).min(2.0 * lo / n);
        char_w = (em * 0.85).min(pitch * 0.92);
        if char_w >= 0.5 * em || em < 1.0 {
            break;
        }
        em = (char_w / 0.5).max(1.0);
    }
    let bold = bold * (em / 6.2).min(1.0);
    for (i, ch) in text.iter().enumerate() {
        let x = cx + (i as f32 - (n - 1.0) / 2.0) * pitch;
        let place = Transform::from_translate(x, cy + centre_y);
        seal.glyph(face, *ch, Cell { width: char_w, height: em, place }, bold)?;
    }
    Ok(())
}
