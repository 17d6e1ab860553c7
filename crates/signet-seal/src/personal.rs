//! Personal name seals (个人模板印章): square grid, one-line rectangle, borderless.
//!
//! Vendor parameters: 云合同 `/moulage/person` (borderType B1/B2, fontFamily F1–F4,
//! color C1–C3, mode 0/2) and e签宝 `/seal/create/person` (templateType SQUARE, RECTANGLE,
//! BORDERLESS; color RED/BLUE/BLACK).

use serde::{Deserialize, Serialize};
use tiny_skia::{FillRule, Transform};

use crate::fonts::check_renderable;
use crate::glyph::Cell;
use crate::shapes::rect_frame;
use crate::text::{clean_text, mask_name};
use crate::{FontFace, InkColor, Seal, SealError};

/// The four personal seal fonts of the vendors, mapped to free faces of the same kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonalFont {
    /// F1 楷体 → LXGW WenKai.
    #[default]
    Kai,
    /// F2 华文仿宋 → FandolFang.
    FangSong,
    /// F3 华文楷体 → FandolKai (a classic Kai, distinct from F1).
    HuawenKai,
    /// F4 微软雅黑 → Noto Sans CJK SC.
    Yahei,
}

impl PersonalFont {
    /// The bundled face drawing this font.
    pub fn face(self) -> FontFace {
        match self {
            PersonalFont::Kai => FontFace::Kai,
            PersonalFont::FangSong => FontFace::FangSong,
            PersonalFont::HuawenKai => FontFace::ClassicKai,
            PersonalFont::Yahei => FontFace::Hei,
        }
    }

    /// 云合同 `fontFamily` code (F1..F4).
    pub fn from_vendor_code(code: &str) -> Option<Self> {
        match code {
            "F1" => Some(PersonalFont::Kai),
            "F2" => Some(PersonalFont::FangSong),
            "F3" => Some(PersonalFont::HuawenKai),
            "F4" => Some(PersonalFont::Yahei),
            _ => None,
        }
    }
}

/// Layout of a personal seal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonalForm {
    /// Square, characters in a grid read in columns from the right (2 → two tall columns,
    /// 3 → with 印 added as 2×2, 4 → 2×2).
    #[default]
    Square,
    /// One horizontal line in a rectangular frame.
    Rectangle,
    /// One horizontal line with no frame (e签宝 BORDERLESS); tighter margins than Rectangle.
    Borderless,
}

impl PersonalForm {
    /// e签宝 `templateType` of personal seals: `SQUARE`, `RECTANGLE`, `BORDERLESS` (any case).
    pub fn from_vendor_code(code: &str) -> Option<Self> {
        match code.trim().to_ascii_uppercase().as_str() {
            "SQUARE" => Some(PersonalForm::Square),
            "RECTANGLE" => Some(PersonalForm::Rectangle),
            "BORDERLESS" => Some(PersonalForm::Borderless),
            _ => None,
        }
    }
}

/// Suffix added to the name on square seals (e签宝 `stampRule`, 法大大 `sealSuffix`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameSuffix {
    /// Square seals of 3-character names get 印 so they fill a 2×2 grid; nothing otherwise.
    #[default]
    Auto,
    /// Never add a suffix.
    None,
    /// Add 印 (SEAL_ONE).
    Yin,
    /// Add 之印 (SEAL_TWO).
    ZhiYin,
}

/// Everything that defines a personal template seal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonalSealSpec {
    /// The signer's name as registered.
    pub name: String,
    /// Font (F1..F4).
    #[serde(default)]
    pub font: PersonalFont,
    /// Square, rectangle or borderless.
    #[serde(default)]
    pub form: PersonalForm,
    /// Frame on (B1) or off (B2). Borderless is always without frame.
    #[serde(default = "yes")]
    pub border: bool,
    /// Ink colour.
    #[serde(default)]
    pub color: InkColor,
    /// 脱敏 mode: all characters but the first are masked (see [`crate::mask_name`]).
    #[serde(default)]
    pub masked: bool,
    /// Suffix rule for square seals.
    #[serde(default)]
    pub suffix: NameSuffix,
}

fn yes() -> bool {
    true
}

impl PersonalSealSpec {
    /// A red, framed, square Kai seal of `name`.
    pub fn new(name: impl Into<String>) -> Self {
        PersonalSealSpec {
            name: name.into(),
            font: PersonalFont::default(),
            form: PersonalForm::default(),
            border: true,
            color: InkColor::default(),
            masked: false,
            suffix: NameSuffix::default(),
        }
    }
}

/// Most characters a name may have (after any suffix).
pub const MAX_PERSONAL_CHARS: usize = 16;

const SQUARE_SIDE: f32 = 18.0;
const SQUARE_BORDER: f32 = 1.1;
const SQUARE_PAD: f32 = 0.7;
const GRID_GAP: f32 = 0.6;
const LINE_CELL_W: f32 = 6.2;
const LINE_CELL_H: f32 = 7.0;
const LINE_GAP: f32 = 0.35;
const LINE_BORDER: f32 = 0.9;
const LINE_MAX_TEXT_W: f32 = 36.0;
const LINE_PAD: f32 = 0.9;
const BORDERLESS_PAD: f32 = 0.5;
/// The em square is drawn slightly larger than its cell: CJK ink fills only ~90 % of the em,
/// and seal characters fill their cell.
const EM_PER_CELL: f32 = 1.06;

/// Renders a personal seal.
pub fn render_personal(spec: &PersonalSealSpec) -> Result<Seal, SealError> {
    let mut chars = clean_text("name", &spec.name, 1, MAX_PERSONAL_CHARS)?;
    chars.retain(|c| *c != ' ' || spec.form != PersonalForm::Square);
    if spec.masked {
        chars = mask_name(&chars);
    }
    let face = spec.font.face();
    match spec.form {
        PersonalForm::Square => {
            let suffix: &[char] = match (spec.suffix, chars.len()) {
                (NameSuffix::Auto, 3) | (NameSuffix::Yin, _) => &['印'],
                (NameSuffix::ZhiYin, _) => &['之', '印'],
                _ => &[],
            };
            chars.extend_from_slice(suffix);
            if chars.len() > MAX_PERSONAL_CHARS {
                return Err(SealError::TextLength {
                    field: "name with suffix",
                    count: chars.len(),
                    min: 1,
                    max: MAX_PERSONAL_CHARS,
                });
            }
            check_renderable(face, &chars.iter().collect::<String>())?;
            square(&chars, face, spec.border, spec.color)
        }
        PersonalForm::Rectangle => {
            check_renderable(face, &chars.iter().collect::<String>())?;
            line(&chars, face, spec.border, spec.color, LINE_PAD)
        }
        PersonalForm::Borderless => {
            check_renderable(face, &chars.iter().collect::<String>())?;
            line(&chars, face, false, spec.color, BORDERLESS_PAD)
        }
    }
}

/// Stroke thickening for a cell: Kai and FangSong faces are book weights, seals are bolder.
fn bold_for(face: FontFace, cell_min: f32) -> f32 {
    let factor = match face {
        FontFace::Hei => 0.018,
        FontFace::Song => 0.03,
        FontFace::Kai => 0.04,
        FontFace::ClassicKai | FontFace::FangSong => 0.05,
    };
    factor * cell_min
}

/// One cell of the square grid, in the text box (x, y from the box's top-left).
struct GridCell {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

/// Cells for `n` characters in a square box of side `t`, in reading order: columns from the
/// right, each read top to bottom (traditional seal order).
fn grid_cells(n: usize, t: f32) -> Vec<GridCell> {
    let half = (t - GRID_GAP) / 2.0;
    let right = half + GRID_GAP;
    match n {
        1 => vec![GridCell { x: 0.0, y: 0.0, w: t, h: t }],
        2 => vec![GridCell { x: right, y: 0.0, w: half, h: t }, GridCell { x: 0.0, y: 0.0, w: half, h: t }],
        3 => vec![
            GridCell { x: right, y: 0.0, w: half, h: t },
            GridCell { x: 0.0, y: 0.0, w: half, h: half },
            GridCell { x: 0.0, y: right, w: half, h: half },
        ],
        _ => {
            let cols = (n as f32).sqrt().ceil() as usize;
            let rows = n.div_ceil(cols);
            let cw = (t - GRID_GAP * (cols as f32 - 1.0)) / cols as f32;
            let ch = (t - GRID_GAP * (rows as f32 - 1.0)) / rows as f32;
            (0..n)
                .map(|i| {
                    let col_from_right = i / rows;
                    let row = i % rows;
                    let col = cols - 1 - col_from_right;
                    GridCell { x: col as f32 * (cw + GRID_GAP), y: row as f32 * (ch + GRID_GAP), w: cw, h: ch }
                })
                .collect()
        }
    }
}

fn square(chars: &[char], face: FontFace, border: bool, color: InkColor) -> Result<Seal, SealError> {
    let mut seal = Seal::new(SQUARE_SIDE, SQUARE_SIDE, color);
    if border && let Some(frame) = rect_frame(0.0, 0.0, SQUARE_SIDE, SQUARE_SIDE, SQUARE_BORDER) {
        seal.fill(frame, FillRule::EvenOdd);
    }
    let inset = SQUARE_BORDER + SQUARE_PAD;
    let t = SQUARE_SIDE - 2.0 * inset;
    for (ch, cell) in chars.iter().zip(grid_cells(chars.len(), t)) {
        let place = Transform::from_translate(inset + cell.x + cell.w / 2.0, inset + cell.y + cell.h / 2.0);
        let bold = bold_for(face, cell.w.min(cell.h));
        seal.glyph(face, *ch, Cell { width: cell.w * EM_PER_CELL, height: cell.h * EM_PER_CELL, place }, bold)?;
    }
    Ok(seal)
}

fn line(chars: &[char], face: FontFace, border: bool, color: InkColor, pad: f32) -> Result<Seal, SealError> {
    let frame_w = if border { LINE_BORDER } else { 0.0 };
    let inset = frame_w + pad;
    let n = chars.len() as f32;
    // Long names (compound surnames, transliterations) are narrowed to keep the line within
    // LINE_MAX_TEXT_W, down to half-width characters; beyond that the seal grows.
    let natural = n * LINE_CELL_W + (n - 1.0) * LINE_GAP;
    let cell_w = if natural > LINE_MAX_TEXT_W {
        ((LINE_MAX_TEXT_W - (n - 1.0) * LINE_GAP) / n).max(LINE_CELL_H * 0.5)
    } else {
        LINE_CELL_W
    };
    let width = 2.0 * inset + n * cell_w + (n - 1.0) * LINE_GAP;
    let height = 2.0 * inset + LINE_CELL_H;
    let mut seal = Seal::new(width, height, color);
    if border && let Some(frame) = rect_frame(0.0, 0.0, width, height, LINE_BORDER) {
        seal.fill(frame, FillRule::EvenOdd);
    }
    let bold = bold_for(face, cell_w);
    for (i, ch) in chars.iter().enumerate() {
        let cx = inset + i as f32 * (cell_w + LINE_GAP) + cell_w / 2.0;
        let place = Transform::from_translate(cx, height / 2.0);
        seal.glyph(
            face,
            *ch,
            Cell { width: LINE_CELL_W * EM_PER_CELL, height: LINE_CELL_H * EM_PER_CELL, place },
            bold,
        )?;
    }
    Ok(seal)
}
