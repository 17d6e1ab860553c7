//! The normal appearance of a filled text field: single line (vertically centred), multiline
//! (from the top, wrapped) or comb (one character per cell), aligned by `/Q`.
//!
//! Text that does not fit at the field's size is set smaller (down to [`MIN_SIZE`]) rather
//! than clipped: a contract must not silently lose the end of a name or an amount.

use super::fields::{Align, Decoration, FieldInfo};
use super::font::FontUse;
use super::layout::{show, width, wrap};
use crate::error::Result;
use crate::obj::fmt_real;

/// Smallest font size used when shrinking text to fit.
const MIN_SIZE: f64 = 4.0;
/// Size of "auto" (`0 Tf`) single-line text, before fitting the box height.
const AUTO_MAX: f64 = 12.0;
/// Inner padding, points.
const PAD: f64 = 2.0;
const LEADING: f64 = 1.25;

/// The resource name of the fill font inside appearance streams and pages.
pub(crate) const FONT_RES: &str = "SgnCJK";

/// Content stream (in the widget's own box, origin bottom-left) drawing `value`.
pub(crate) fn field_content(
    font: &mut FontUse<'_>,
    field: &FieldInfo,
    decoration: &Decoration,
    w: f64,
    h: f64,
    value: &str,
) -> Result<Vec<u8>> {
    let f = &field.public;
    let ctx = format!("field {}", f.name);
    let (asc, desc) = (font.metrics.ascent, font.metrics.descent);
    let mut ops = String::new();
    // Background and border first, as viewers draw them (outside the marked text content).
    if let Some(bg) = &decoration.background {
        ops.push_str(&format!("q {bg} 0 0 {} {} re f Q\n", fmt_real(w), fmt_real(h)));
    }
    if let Some((bc, bw)) = &decoration.border {
        let half = bw / 2.0;
        ops.push_str(&format!(
            "q {bc} {} w {} {} {} {} re S Q\n",
            fmt_real(*bw),
            fmt_real(half),
            fmt_real(half),
            fmt_real(w - bw),
            fmt_real(h - bw)
        ));
        if f.comb && !f.multiline {
            // Comb fields show their cells.
            let cells = f.max_len.unwrap_or(1).max(1);
            for i in 1..cells {
                let x = w * i as f64 / cells as f64;
                ops.push_str(&format!(
                    "q {bc} {} w {} 0 m {} {} l S Q\n",
                    fmt_real(*bw),
                    fmt_real(x),
                    fmt_real(x),
                    fmt_real(h)
                ));
            }
        }
    }
    ops.push_str("/Tx BMC\nq\n");
    ops.push_str(&format!("1 1 {} {} re W n\n", fmt_real(w - 2.0), fmt_real(h - 2.0)));
    ops.push_str("BT\n");
    ops.push_str(&field.color);
    ops.push('\n');
    let inner_w = (w - 2.0 * PAD).max(1.0);
    if f.comb && !f.multiline {
        let cells = f.max_len.unwrap_or(1).max(1);
        let cell = w / cells as f64;
        let mut size = if f.font_size > 0.0 { f.font_size } else { (h * 0.7).min(AUTO_MAX) };
        let widest = value.chars().map(|c| width(font, &c.to_string(), 1.0)).fold(0.0, f64::max);
        if widest * size > cell {
            size = (cell / widest.max(0.01)).max(MIN_SIZE);
        }
        let baseline = (h - (asc - desc) * size) / 2.0 - desc * size;
        ops.push_str(&format!("/{FONT_RES} {} Tf\n", fmt_real(size)));
        let mut x_prev = 0.0;
        for (i, c) in value.chars().enumerate() {
            let cw = width(font, &c.to_string(), size);
            let x = cell * i as f64 + (cell - cw) / 2.0;
            let y = if i == 0 { baseline } else { 0.0 };
            ops.push_str(&format!(
                "{} {} Td {} Tj\n",
                fmt_real(x - x_prev),
                fmt_real(y),
                show(font, &c.to_string(), &ctx)?
            ));
            x_prev = x;
        }
    } else if f.multiline {
        let mut size = if f.font_size > 0.0 { f.font_size } else { AUTO_MAX };
        let mut lines = wrap(font, value, size, inner_w);
        while size > MIN_SIZE && lines.len() as f64 * size * LEADING > h - 2.0 * PAD {
            size = (size - 0.5).max(MIN_SIZE);
            lines = wrap(font, value, size, inner_w);
        }
        ops.push_str(&format!("/{FONT_RES} {} Tf\n", fmt_real(size)));
        let mut y = h - PAD - asc * size;
        let mut x_prev = 0.0;
        let mut y_prev = 0.0;
        for line in &lines {
            let x = aligned_x(f.align, width(font, line, size), w);
            ops.push_str(&format!(
                "{} {} Td {} Tj\n",
                fmt_real(x - x_prev),
                fmt_real(y - y_prev),
                show(font, line, &ctx)?
            ));
            x_prev = x;
            y_prev = y;
            y -= size * LEADING;
        }
    } else {
        let line: String = value.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
        let mut size =
            if f.font_size > 0.0 { f.font_size } else { ((h - 2.0 * PAD) / (asc - desc)).clamp(MIN_SIZE, AUTO_MAX) };
        let natural = width(font, &line, 1.0);
        if natural * size > inner_w {
            size = (inner_w / natural.max(0.01)).max(MIN_SIZE);
        }
        let baseline = (h - (asc - desc) * size) / 2.0 - desc * size;
        let x = aligned_x(f.align, natural * size, w);
        ops.push_str(&format!("/{FONT_RES} {} Tf\n", fmt_real(size)));
        ops.push_str(&format!("{} {} Td {} Tj\n", fmt_real(x), fmt_real(baseline), show(font, &line, &ctx)?));
    }
    ops.push_str("ET\nQ\nEMC\n");
    Ok(ops.into_bytes())
}

fn aligned_x(align: Align, text_w: f64, box_w: f64) -> f64 {
    match align {
        Align::Left => PAD,
        Align::Center => (box_w - text_w) / 2.0,
        Align::Right => box_w - PAD - text_w,
    }
}
