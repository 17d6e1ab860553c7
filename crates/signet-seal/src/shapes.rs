//! Borders and the five-pointed star, as fill paths in millimetres.

use std::f32::consts::PI;

use tiny_skia::{Path, PathBuilder, Rect};

/// Ratio of inner to outer radius of a regular five-pointed star (1 / φ²).
pub(crate) const STAR_INNER_RATIO: f32 = 0.381_966;

/// A circular border of `width` whose outer edge has radius `r` (fill with even-odd).
pub(crate) fn circle_ring(cx: f32, cy: f32, r: f32, width: f32) -> Option<Path> {
    let mut pb = PathBuilder::new();
    pb.push_circle(cx, cy, r);
    pb.push_circle(cx, cy, r - width);
    pb.finish()
}

/// An elliptic border: outer semi-axes `a`, `b`, inner ellipse `a - width`, `b - width`.
pub(crate) fn ellipse_ring(cx: f32, cy: f32, a: f32, b: f32, width: f32) -> Option<Path> {
    let mut pb = PathBuilder::new();
    pb.push_oval(Rect::from_ltrb(cx - a, cy - b, cx + a, cy + b)?);
    pb.push_oval(Rect::from_ltrb(cx - a + width, cy - b + width, cx + a - width, cy + b - width)?);
    pb.finish()
}

/// A rectangular frame of `width` inside the rectangle `x, y, w, h` (fill with even-odd).
pub(crate) fn rect_frame(x: f32, y: f32, w: f32, h: f32, width: f32) -> Option<Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(Rect::from_xywh(x, y, w, h)?);
    pb.push_rect(Rect::from_xywh(x + width, y + width, w - 2.0 * width, h - 2.0 * width)?);
    pb.finish()
}

/// A solid five-pointed star with one tip straight up, circumradius `r`.
pub(crate) fn star(cx: f32, cy: f32, r: f32) -> Option<Path> {
    let mut pb = PathBuilder::new();
    for i in 0..10 {
        let radius = if i % 2 == 0 { r } else { r * STAR_INNER_RATIO };
        let angle = i as f32 * PI / 5.0;
        let (x, y) = (cx + radius * angle.sin(), cy - radius * angle.cos());
        if i == 0 {
            pb.move_to(x, y);
        } else {
            pb.line_to(x, y);
        }
    }
    pb.close();
    pb.finish()
}
