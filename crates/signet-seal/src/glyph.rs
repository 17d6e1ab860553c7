//! Glyph outlines as tiny-skia paths, fitted into a character cell of a seal.

use tiny_skia::{LineCap, LineJoin, Path, PathBuilder, Stroke, Transform};

use crate::SealError;
use crate::fonts::{FontFace, resolve};

struct PathSink(PathBuilder);

impl ttf_parser::OutlineBuilder for PathSink {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.0.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.0.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

/// Where and how big one character is drawn.
///
/// The font's em square is stretched to `width` x `height` millimetres (seal characters are
/// routinely narrowed or stretched to fill their cell), the ink is centred on the cell centre,
/// and `place` moves the cell centre (origin, y down, glyph top towards -y) onto the seal.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cell {
    pub width: f32,
    pub height: f32,
    pub place: Transform,
}

/// The outline of `ch` (from `face` or its fallback chain) placed in `cell`, in seal
/// millimetres, with the face that drew it. `None` for characters without ink (spaces).
pub(crate) fn glyph_in_cell(face: FontFace, ch: char, cell: Cell) -> Result<Option<(Path, FontFace)>, SealError> {
    let resolved = resolve(face, ch)?;
    let mut sink = PathSink(PathBuilder::new());
    let Some(bbox) = resolved.face.outline_glyph(resolved.glyph, &mut sink) else {
        return Ok(None);
    };
    let Some(path) = sink.0.finish() else {
        return Ok(None);
    };
    let upem = f32::from(resolved.face.units_per_em().max(1));
    let sx = cell.width / upem;
    let sy = cell.height / upem;
    let cx = (f32::from(bbox.x_min) + f32::from(bbox.x_max)) / 2.0;
    let cy = (f32::from(bbox.y_min) + f32::from(bbox.y_max)) / 2.0;
    let to_cell = Transform::from_row(sx, 0.0, 0.0, -sy, -cx * sx, cy * sy);
    Ok(path.transform(to_cell.post_concat(cell.place)).map(|p| (p, resolved.font)))
}

/// An outline stroke that thickens a glyph by `width` millimetres overall (engraved seal
/// characters are bolder than book faces). Filled with the non-zero rule like the glyph itself.
pub(crate) fn embolden(path: &Path, width: f32) -> Option<Path> {
    if width <= 0.0 {
        return None;
    }
    let stroke = Stroke { width, line_cap: LineCap::Round, line_join: LineJoin::Round, ..Stroke::default() };
    // res_scale: paths are in millimetres and are rasterised at up to ~50 px/mm.
    path.stroke(&stroke, 50.0)
}
