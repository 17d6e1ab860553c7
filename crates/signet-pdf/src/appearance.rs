//! Widget appearance streams: the seal image (or its slice) and optional text lines.

use crate::obj::{Dict, Obj, fmt_real};
use crate::placement::{SealSize, WidgetSpec};
use crate::writer::Revision;

/// Font size and line height of the text under the seal, points at scale 1.
pub(crate) const TEXT_SIZE: f64 = 7.0;
pub(crate) const LINE_HEIGHT: f64 = 9.0;

/// Builds the `/N` appearance of one widget and returns its reference.
///
/// The form's `/BBox` is the widget as seen; `/Matrix` turns it against the page's
/// `/Rotate` so the seal stands upright in the viewer.
pub(crate) fn widget_appearance(
    rev: &mut Revision<'_>,
    spec: &WidgetSpec,
    seal: SealSize,
    image: &Obj,
    lines: &[String],
    rotate: u16,
) -> Obj {
    let (vw, vh) = (spec.rect[2] - spec.rect[0], spec.rect[3] - spec.rect[1]);
    let s = spec.scale;
    let f = fmt_real;
    // The seal is centred in the box (a template field's box may have another shape);
    // a cross-page slice shows its part of the image instead.
    let content_h = (seal.img_h + seal.text_h) * s;
    let (dx, dy) = match spec.slice_offset {
        Some(off) => (-off * s, 0.0),
        None => (((vw - seal.img_w * s) / 2.0).max(0.0), ((vh - content_h) / 2.0).max(0.0)),
    };
    let mut content = format!(
        "q {} 0 0 {} {} {} cm /Im0 Do Q\n",
        f(seal.img_w * s),
        f(seal.img_h * s),
        f(dx),
        f(dy + seal.text_h * s)
    );
    if spec.slice_offset.is_none() {
        for (i, line) in lines.iter().enumerate() {
            let size = TEXT_SIZE * s;
            // Helvetica digits are 0.556 em wide; the lines are digits and punctuation.
            let width = line.chars().count() as f64 * 0.556 * size;
            let x = ((vw - width) / 2.0).max(0.0);
            let y = dy + seal.text_h * s - (i as f64 + 1.0) * LINE_HEIGHT * s + 2.0 * s;
            content.push_str(&format!("BT /F1 {} Tf 0 g {} {} Td ({}) Tj ET\n", f(size), f(x), f(y), escape(line)));
        }
    }
    let matrix = match rotate {
        90 => [0, 1, -1, 0],
        180 => [-1, 0, 0, -1],
        270 => [0, -1, 1, 0],
        _ => [1, 0, 0, 1],
    };
    let font = Dict::new()
        .with("Type", Obj::name("Font"))
        .with("Subtype", Obj::name("Type1"))
        .with("BaseFont", Obj::name("Helvetica"))
        .with("Encoding", Obj::name("WinAnsiEncoding"));
    let resources = Dict::new()
        .with("XObject", Obj::Dict(Dict::new().with("Im0", image.clone())))
        .with("Font", Obj::Dict(Dict::new().with("F1", Obj::Dict(font))));
    let dict = Dict::new()
        .with("Type", Obj::name("XObject"))
        .with("Subtype", Obj::name("Form"))
        .with("BBox", Obj::rect([0.0, 0.0, vw, vh]))
        .with("Matrix", Obj::Array(matrix.iter().map(|v| Obj::Int(*v)).chain([Obj::Int(0), Obj::Int(0)]).collect()))
        .with("Resources", Obj::Dict(resources));
    rev.add_stream(dict, content.into_bytes())
}

fn escape(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .flat_map(|c| match c {
            '(' | ')' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}
