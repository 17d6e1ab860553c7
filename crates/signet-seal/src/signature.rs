//! Hand-drawn signatures: stroke data (points with optional pressure and timing) or a canvas
//! PNG in, a clean transparent PNG with its physical size out. The caller keeps the
//! [`SignatureInput`] (serde) as evidence next to the image.

use serde::{Deserialize, Serialize};
use tiny_skia::{FillRule, Mask, PathBuilder, Transform};

use crate::png_io::{decode_image, encode_rgba_png};
use crate::upload::{recolor, remove_white, trim};
use crate::{InkColor, MAX_UPLOAD_BYTES, SealError};

/// One sampled pen position, in canvas units (CSS pixels of the drawing pad, say).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StrokePoint {
    /// Horizontal position, growing rightwards.
    pub x: f32,
    /// Vertical position, growing downwards.
    pub y: f32,
    /// Pen pressure 0..=1 when the device reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure: Option<f32>,
    /// Milliseconds since the start of the signature, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t_ms: Option<f64>,
}

/// Points drawn without lifting the pen.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stroke {
    /// Samples in drawing order.
    pub points: Vec<StrokePoint>,
}

/// A whole hand-drawn signature as captured by the signing page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SignatureInput {
    /// Strokes in drawing order.
    pub strokes: Vec<Stroke>,
}

/// How the signature image is produced.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignatureStyle {
    /// Ink colour (for a canvas PNG: `recolor` decides whether it is applied).
    pub color: InkColor,
    /// Physical height of the output image in mm (the width follows the drawing).
    pub height_mm: f32,
    /// Nominal pen width in mm at that size.
    pub pen_mm: f32,
    /// Output resolution.
    pub dpi: u32,
    /// For canvas PNGs: repaint the ink in `color`.
    pub recolor: bool,
}

impl Default for SignatureStyle {
    fn default() -> Self {
        SignatureStyle { color: InkColor::Black, height_mm: 15.0, pen_mm: 0.6, dpi: 600, recolor: false }
    }
}

/// A finished signature image.
#[derive(Clone, Debug)]
pub struct SignatureImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution recorded in pHYs.
    pub dpi: u32,
    /// RGBA PNG with transparent background.
    pub png: Vec<u8>,
}

impl SignatureImage {
    /// Physical width in mm.
    pub fn width_mm(&self) -> f32 {
        self.width as f32 * 25.4 / self.dpi as f32
    }
    /// Physical height in mm.
    pub fn height_mm(&self) -> f32 {
        self.height as f32 * 25.4 / self.dpi as f32
    }
}

/// Most points accepted in one signature (a long signature has a few thousand).
pub const MAX_POINTS: usize = 100_000;

fn check_style(style: &SignatureStyle) -> Result<(), SealError> {
    let range = |what, v: f32, min: f32, max: f32| {
        if v.is_finite() && (min..=max).contains(&v) {
            Ok(())
        } else {
            Err(SealError::OutOfRange { what, got: f64::from(v), min: f64::from(min), max: f64::from(max) })
        }
    };
    range("signature height in mm", style.height_mm, 3.0, 100.0)?;
    range("pen width in mm", style.pen_mm, 0.05, 5.0)?;
    range("dpi", style.dpi as f32, crate::MIN_DPI as f32, crate::MAX_DPI as f32)
}

fn validate(input: &SignatureInput) -> Result<(), SealError> {
    let total: usize = input.strokes.iter().map(|s| s.points.len()).sum();
    if total == 0 {
        return Err(SealError::InvalidStrokes("no points".into()));
    }
    if total > MAX_POINTS {
        return Err(SealError::InvalidStrokes(format!("{total} points; at most {MAX_POINTS}")));
    }
    for p in input.strokes.iter().flat_map(|s| &s.points) {
        if !p.x.is_finite() || !p.y.is_finite() || p.x.abs() > 1e6 || p.y.abs() > 1e6 {
            return Err(SealError::InvalidStrokes(format!("point ({}, {}) is not a usable coordinate", p.x, p.y)));
        }
        if let Some(pr) = p.pressure
            && !(pr.is_finite() && (0.0..=1.0).contains(&pr))
        {
            return Err(SealError::InvalidStrokes(format!("pressure {pr} outside 0..1")));
        }
        if let Some(t) = p.t_ms
            && !t.is_finite()
        {
            return Err(SealError::InvalidStrokes("timestamp is not a number".into()));
        }
    }
    Ok(())
}

/// Width factor per point: from pressure when given, else from speed when timed
/// (fast strokes are thinner, as with ink), else constant.
fn width_factors(stroke: &Stroke, median_speed: f32) -> Vec<f32> {
    let pts = &stroke.points;
    (0..pts.len())
        .map(|i| {
            if let Some(p) = pts[i].pressure {
                return 0.35 + 1.0 * p;
            }
            if i > 0
                && median_speed > 0.0
                && let (Some(t0), Some(t1)) = (pts[i - 1].t_ms, pts[i].t_ms)
                && t1 > t0
            {
                let d = ((pts[i].x - pts[i - 1].x).powi(2) + (pts[i].y - pts[i - 1].y).powi(2)).sqrt();
                let v = d / (t1 - t0) as f32;
                return (1.25 - 0.35 * v / median_speed).clamp(0.55, 1.3);
            }
            1.0
        })
        .collect()
}

fn median_speed(input: &SignatureInput) -> f32 {
    let mut speeds: Vec<f32> = input
        .strokes
        .iter()
        .flat_map(|s| s.points.windows(2))
        .filter_map(|w| match (w[0].t_ms, w[1].t_ms) {
            (Some(t0), Some(t1)) if t1 > t0 => {
                Some(((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2)).sqrt() / (t1 - t0) as f32)
            }
            _ => None,
        })
        .collect();
    if speeds.is_empty() {
        return 0.0;
    }
    speeds.sort_by(f32::total_cmp);
    speeds[speeds.len() / 2]
}

/// Points of the smoothed centre line (quadratic B-spline through the stroke midpoints),
/// with interpolated width factors, spaced at most `step` canvas units apart.
fn smooth(stroke: &Stroke, factors: &[f32], step: f32) -> Vec<(f32, f32, f32)> {
    let p: Vec<(f32, f32, f32)> = stroke.points.iter().zip(factors).map(|(p, &f)| (p.x, p.y, f)).collect();
    if p.len() < 3 {
        return p;
    }
    let mid = |a: (f32, f32, f32), b: (f32, f32, f32)| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0, (a.2 + b.2) / 2.0);
    let mut out = vec![p[0]];
    let mut start = p[0];
    for i in 1..p.len() - 1 {
        let ctrl = p[i];
        let end = mid(p[i], p[i + 1]);
        let len = ((ctrl.0 - start.0).hypot(ctrl.1 - start.1)) + ((end.0 - ctrl.0).hypot(end.1 - ctrl.1));
        let n = ((len / step).ceil() as usize).clamp(1, 64);
        for k in 1..=n {
            let t = k as f32 / n as f32;
            let u = 1.0 - t;
            let q = |a: f32, b: f32, c: f32| u * u * a + 2.0 * u * t * b + t * t * c;
            out.push((q(start.0, ctrl.0, end.0), q(start.1, ctrl.1, end.1), q(start.2, ctrl.2, end.2)));
        }
        start = end;
    }
    if let Some(&last) = p.last() {
        out.push(last);
    }
    out
}

/// Shoelace area (sign gives the winding direction).
fn signed_area(points: &[tiny_skia::Point]) -> f32 {
    let n = points.len();
    (0..n)
        .map(|i| {
            let (a, b) = (points[i], points[(i + 1) % n]);
            a.x * b.y - b.x * a.y
        })
        .sum::<f32>()
        / 2.0
}

/// Renders stroke data as a transparent PNG, scaled so the drawing is `height_mm` high
/// (and at most four times as wide), with a small margin.
pub fn render_signature(input: &SignatureInput, style: &SignatureStyle) -> Result<SignatureImage, SealError> {
    validate(input)?;
    check_style(style)?;
    let pts = input.strokes.iter().flat_map(|s| &s.points);
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in pts {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    }
    let pad_mm = style.pen_mm * 1.5 + 0.5;
    let inner_h = style.height_mm - 2.0 * pad_mm;
    let (w_u, h_u) = (x1 - x0, y1 - y0);
    // Millimetres per canvas unit.
    let scale = if h_u <= f32::EPSILON && w_u <= f32::EPSILON {
        1.0
    } else {
        (inner_h / h_u.max(f32::EPSILON)).min(inner_h * 4.0 / w_u.max(f32::EPSILON))
    };
    let width_mm = w_u * scale + 2.0 * pad_mm;
    let height_mm = style.height_mm;
    let px_per_mm = style.dpi as f32 / 25.4;
    let (wpx, hpx) = ((width_mm * px_per_mm).round() as u32, (height_mm * px_per_mm).round() as u32);
    crate::drawing::check_pixels(wpx, hpx)?;
    let mut mask = Mask::new(wpx.max(1), hpx.max(1)).ok_or(SealError::OutOfRange {
        what: "signature size in pixels",
        got: f64::from(wpx.max(hpx)),
        min: 1.0,
        max: 65_535.0,
    })?;
    // Canvas units → pixels, centring the drawing vertically when it is flatter than the box.
    let off_y = (height_mm - h_u * scale) / 2.0;
    let to_px = |x: f32, y: f32| (((x - x0) * scale + pad_mm) * px_per_mm, ((y - y0) * scale + off_y) * px_per_mm);
    let pen_px = style.pen_mm * px_per_mm;
    let median = median_speed(input);
    let step = 0.25 / scale.max(1e-6); // ≤ 0.25 mm between centre-line samples
    // One path of round dabs and the quads between them, all wound like the circles so the
    // non-zero fill is their union (one fill call instead of thousands).
    let circle_sign = PathBuilder::from_circle(0.0, 0.0, 1.0).map_or(1.0, |p| signed_area(p.points()).signum());
    let mut pb = PathBuilder::new();
    for stroke in &input.strokes {
        let factors = width_factors(stroke, median);
        let line = smooth(stroke, &factors, step);
        let mut prev: Option<(f32, f32, f32)> = None;
        for &(x, y, f) in &line {
            let (px, py) = to_px(x, y);
            let r = (pen_px * f / 2.0).max(0.5);
            pb.push_circle(px, py, r);
            if let Some((qx, qy, qr)) = prev {
                let (dx, dy) = (px - qx, py - qy);
                let len = dx.hypot(dy);
                if len > 1e-3 {
                    let (nx, ny) = (-dy / len, dx / len);
                    let mut quad = [
                        tiny_skia::Point::from_xy(qx + nx * qr, qy + ny * qr),
                        tiny_skia::Point::from_xy(px + nx * r, py + ny * r),
                        tiny_skia::Point::from_xy(px - nx * r, py - ny * r),
                        tiny_skia::Point::from_xy(qx - nx * qr, qy - ny * qr),
                    ];
                    if signed_area(&quad).signum() != circle_sign {
                        quad.reverse();
                    }
                    pb.move_to(quad[0].x, quad[0].y);
                    for p in &quad[1..] {
                        pb.line_to(p.x, p.y);
                    }
                    pb.close();
                }
            }
            prev = Some((px, py, r));
        }
    }
    if let Some(path) = pb.finish() {
        mask.fill_path(&path, FillRule::Winding, true, Transform::identity());
    }
    let [r, g, b] = style.color.rgb();
    let rgba: Vec<u8> = mask.data().iter().flat_map(|&a| [r, g, b, a]).collect();
    let png = encode_rgba_png(mask.width(), mask.height(), &rgba, Some(style.dpi))?;
    Ok(SignatureImage { width: mask.width(), height: mask.height(), dpi: style.dpi, png })
}

/// Cleans a signature drawn on a canvas and sent as PNG (or JPEG): white background made
/// transparent, cropped to the ink, optionally recoloured; pHYs set so the crop is
/// `height_mm` high.
pub fn clean_canvas_png(bytes: &[u8], style: &SignatureStyle) -> Result<SignatureImage, SealError> {
    check_style(style)?;
    if bytes.len() > 4 * MAX_UPLOAD_BYTES {
        return Err(SealError::ImageTooLarge { size: bytes.len(), max: 4 * MAX_UPLOAD_BYTES });
    }
    let mut image = decode_image(bytes)?;
    let opaque = image.rgba.chunks_exact(4).all(|p| p[3] == 255);
    if opaque {
        remove_white(&mut image.rgba);
    }
    if style.recolor {
        recolor(&mut image.rgba, style.color);
    }
    let image = trim(image, 0.03)?;
    let dpi = ((image.height as f32 / style.height_mm) * 25.4).round().max(1.0) as u32;
    let png = encode_rgba_png(image.width, image.height, &image.rgba, Some(dpi))?;
    Ok(SignatureImage { width: image.width, height: image.height, dpi, png })
}
