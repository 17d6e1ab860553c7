//! A seal as filled paths in millimetres: one geometry feeds the PNG raster and the PDF
//! vector form, so both always agree.

use tiny_skia::{FillRule, Mask, Path, PathBuilder, PathSegment, Transform};

use crate::glyph::{Cell, embolden, glyph_in_cell};
use crate::png_io::encode_rgba_png;
use crate::{FontFace, InkColor, SealError};

/// Lowest and highest resolution accepted for rasters.
pub const MIN_DPI: u32 = 72;
/// See [`MIN_DPI`].
pub const MAX_DPI: u32 = 2400;
/// Largest raster produced (pixels), so no request can allocate without bound.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Resolution used when the caller has no preference: twice the 300 dpi print minimum.
pub const DEFAULT_DPI: u32 = 600;

const MM_PER_INCH: f32 = 25.4;
const PT_PER_MM: f32 = 72.0 / MM_PER_INCH;

#[derive(Clone, Debug)]
struct Shape {
    path: Path,
    rule: FillRule,
    layer: Layer,
}

/// Shapes of one layer never overlap one another (one glyph per cell), so a layer can be
/// rasterised as a single merged path: one scan conversion instead of one per glyph.
/// Glyph fills and their emboldening outlines overlap, so they are separate layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layer {
    Glyphs,
    Outlines,
    Single,
}

/// A rendered seal design: filled shapes in millimetres (origin top-left, y down) and its ink.
#[derive(Clone, Debug)]
pub struct Seal {
    width_mm: f32,
    height_mm: f32,
    color: InkColor,
    shapes: Vec<Shape>,
}

impl Seal {
    pub(crate) fn new(width_mm: f32, height_mm: f32, color: InkColor) -> Self {
        Seal { width_mm, height_mm, color, shapes: Vec::new() }
    }

    pub(crate) fn fill(&mut self, path: Path, rule: FillRule) {
        self.shapes.push(Shape { path, rule, layer: Layer::Single });
    }

    /// Draws `ch` in `cell`, thickened by `bold` mm (never the bundled 宋体, already Bold,
    /// even when it stands in for a missing character).
    pub(crate) fn glyph(&mut self, face: FontFace, ch: char, cell: Cell, bold: f32) -> Result<(), SealError> {
        if let Some((path, drawn_by)) = glyph_in_cell(face, ch, cell)? {
            let bold = if drawn_by == FontFace::Song { 0.0 } else { bold };
            if let Some(outline) = embolden(&path, bold) {
                self.shapes.push(Shape { path: outline, rule: FillRule::Winding, layer: Layer::Outlines });
            }
            self.shapes.push(Shape { path, rule: FillRule::Winding, layer: Layer::Glyphs });
        }
        Ok(())
    }

    /// Physical width in millimetres.
    pub fn width_mm(&self) -> f32 {
        self.width_mm
    }

    /// Physical height in millimetres.
    pub fn height_mm(&self) -> f32 {
        self.height_mm
    }

    /// Physical width in PDF points (1/72 in).
    pub fn width_pt(&self) -> f32 {
        self.width_mm * PT_PER_MM
    }

    /// Physical height in PDF points.
    pub fn height_pt(&self) -> f32 {
        self.height_mm * PT_PER_MM
    }

    /// Ink colour.
    pub fn color(&self) -> InkColor {
        self.color
    }

    /// Rasterises the seal at `dpi` (of its true size) into an alpha coverage mask.
    pub fn rasterize(&self, dpi: u32) -> Result<RasterSeal, SealError> {
        if !(MIN_DPI..=MAX_DPI).contains(&dpi) {
            return Err(SealError::OutOfRange {
                what: "dpi",
                got: f64::from(dpi),
                min: f64::from(MIN_DPI),
                max: f64::from(MAX_DPI),
            });
        }
        let px_per_mm = dpi as f32 / MM_PER_INCH;
        let width = (self.width_mm * px_per_mm).round().max(1.0) as u32;
        let height = (self.height_mm * px_per_mm).round().max(1.0) as u32;
        check_pixels(width, height)?;
        let mut mask = Mask::new(width, height).ok_or(SealError::OutOfRange {
            what: "raster size in pixels",
            got: f64::from(width.max(height)),
            min: 1.0,
            max: 65_535.0,
        })?;
        let sx = width as f32 / self.width_mm;
        let sy = height as f32 / self.height_mm;
        let to_px = Transform::from_scale(sx, sy);
        let mut glyphs = PathBuilder::new();
        let mut outlines = PathBuilder::new();
        for shape in &self.shapes {
            match shape.layer {
                Layer::Glyphs => glyphs.push_path(&shape.path),
                Layer::Outlines => outlines.push_path(&shape.path),
                Layer::Single => mask.fill_path(&shape.path, shape.rule, true, to_px),
            }
        }
        for merged in [glyphs.finish(), outlines.finish()].into_iter().flatten() {
            mask.fill_path(&merged, FillRule::Winding, true, to_px);
        }
        Ok(RasterSeal { width, height, dpi, color: self.color, alpha: mask.data().to_vec() })
    }

    /// PNG with alpha and a pHYs chunk giving the true size, at `dpi`.
    pub fn to_png(&self, dpi: u32) -> Result<Vec<u8>, SealError> {
        self.rasterize(dpi)?.to_png()
    }

    /// PDF content-stream operators drawing the seal in a `width_pt` x `height_pt` box
    /// (origin bottom-left, as in a form XObject with `/BBox [0 0 w h]`). Glyphs are plain
    /// paths, so no font needs embedding and the seal stays crisp at any zoom.
    pub fn to_pdf_content(&self) -> Vec<u8> {
        let mut out = String::with_capacity(64 * 1024);
        let [r, g, b] = self.color.pdf_rgb();
        out.push_str(&format!("q {} {} {} rg\n", num(r), num(g), num(b)));
        let h = self.height_mm;
        let pt = |x: f32, y: f32| (num(x * PT_PER_MM), num((h - y) * PT_PER_MM));
        for shape in &self.shapes {
            let mut last = (0.0f32, 0.0f32);
            for seg in shape.path.segments() {
                match seg {
                    PathSegment::MoveTo(p) => {
                        let (x, y) = pt(p.x, p.y);
                        out.push_str(&format!("{x} {y} m\n"));
                        last = (p.x, p.y);
                    }
                    PathSegment::LineTo(p) => {
                        let (x, y) = pt(p.x, p.y);
                        out.push_str(&format!("{x} {y} l\n"));
                        last = (p.x, p.y);
                    }
                    PathSegment::QuadTo(c, p) => {
                        // Exact quadratic-to-cubic elevation.
                        let c1 = (last.0 + 2.0 / 3.0 * (c.x - last.0), last.1 + 2.0 / 3.0 * (c.y - last.1));
                        let c2 = (p.x + 2.0 / 3.0 * (c.x - p.x), p.y + 2.0 / 3.0 * (c.y - p.y));
                        let (x1, y1) = pt(c1.0, c1.1);
                        let (x2, y2) = pt(c2.0, c2.1);
                        let (x, y) = pt(p.x, p.y);
                        out.push_str(&format!("{x1} {y1} {x2} {y2} {x} {y} c\n"));
                        last = (p.x, p.y);
                    }
                    PathSegment::CubicTo(c1, c2, p) => {
                        let (x1, y1) = pt(c1.x, c1.y);
                        let (x2, y2) = pt(c2.x, c2.y);
                        let (x, y) = pt(p.x, p.y);
                        out.push_str(&format!("{x1} {y1} {x2} {y2} {x} {y} c\n"));
                        last = (p.x, p.y);
                    }
                    PathSegment::Close => out.push_str("h\n"),
                }
            }
            out.push_str(match shape.rule {
                FillRule::Winding => "f\n",
                FillRule::EvenOdd => "f*\n",
            });
        }
        out.push_str("Q\n");
        out.into_bytes()
    }
}

/// Refuses rasters above [`MAX_PIXELS`].
pub(crate) fn check_pixels(width: u32, height: u32) -> Result<(), SealError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(SealError::OutOfRange {
            what: "raster size in pixels",
            got: pixels as f64,
            min: 1.0,
            max: MAX_PIXELS as f64,
        });
    }
    Ok(())
}

/// A PDF number: three decimals, no trailing zeros, no exponent.
fn num(v: f32) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() { "0".to_string() } else { s.to_string() }
}

/// A seal rasterised at a given resolution: one ink colour plus per-pixel coverage.
#[derive(Clone)]
pub struct RasterSeal {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution of the true size.
    pub dpi: u32,
    /// Ink colour of every pixel.
    pub color: InkColor,
    /// Coverage 0..=255 per pixel, row-major (usable directly as a PDF SMask).
    pub alpha: Vec<u8>,
}

impl std::fmt::Debug for RasterSeal {
    /// Sizes only: the pixel data would flood logs and test output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RasterSeal")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("dpi", &self.dpi)
            .field("color", &self.color)
            .finish_non_exhaustive()
    }
}

impl RasterSeal {
    /// Straight (non-premultiplied) RGBA pixels.
    pub fn to_rgba(&self) -> Vec<u8> {
        let [r, g, b] = self.color.rgb();
        let mut rgba = vec![0u8; self.alpha.len() * 4];
        for (px, &a) in rgba.chunks_exact_mut(4).zip(&self.alpha) {
            px.copy_from_slice(&[r, g, b, a]);
        }
        rgba
    }

    /// RGBA PNG carrying pHYs (true physical size).
    pub fn to_png(&self) -> Result<Vec<u8>, SealError> {
        encode_rgba_png(self.width, self.height, &self.to_rgba(), Some(self.dpi))
    }
}
