//! Visible-page coordinates: what a viewer shows, origin at the bottom-left of the CropBox
//! after `/Rotate`. Callers speak this frame; PDF objects are written in user space.

/// The boxes and rotation of one page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PageFrame {
    /// The visible area in user space: the CropBox clipped to the MediaBox, normalised.
    pub(crate) crop: [f64; 4],
    /// `/Rotate`, normalised to 0, 90, 180 or 270 (clockwise when shown).
    pub(crate) rotate: u16,
}

impl PageFrame {
    pub(crate) fn new(media: [f64; 4], crop: [f64; 4], rotate: u16) -> Self {
        let m = normalise(media);
        let c = normalise(crop);
        let mut clipped = [c[0].max(m[0]), c[1].max(m[1]), c[2].min(m[2]), c[3].min(m[3])];
        if clipped[2] <= clipped[0] || clipped[3] <= clipped[1] {
            clipped = m;
        }
        Self { crop: clipped, rotate }
    }

    fn w(self) -> f64 {
        self.crop[2] - self.crop[0]
    }
    fn h(self) -> f64 {
        self.crop[3] - self.crop[1]
    }

    /// Width and height of the page as shown.
    pub(crate) fn visible_size(self) -> (f64, f64) {
        if self.rotate % 180 == 90 { (self.h(), self.w()) } else { (self.w(), self.h()) }
    }

    /// Maps a visible point to user space.
    pub(crate) fn to_user(self, vx: f64, vy: f64) -> (f64, f64) {
        let [llx, lly, ..] = self.crop;
        let (w, h) = (self.w(), self.h());
        match self.rotate {
            90 => (llx + w - vy, lly + vx),
            180 => (llx + w - vx, lly + h - vy),
            270 => (llx + vy, lly + h - vx),
            _ => (llx + vx, lly + vy),
        }
    }

    /// Maps a user-space point to the visible frame.
    pub(crate) fn to_visible(self, ux: f64, uy: f64) -> (f64, f64) {
        let (x, y) = (ux - self.crop[0], uy - self.crop[1]);
        let (w, h) = (self.w(), self.h());
        match self.rotate {
            90 => (y, w - x),
            180 => (w - x, h - y),
            270 => (h - y, x),
            _ => (x, y),
        }
    }

    /// Maps an axis-aligned visible rectangle to user space.
    pub(crate) fn rect_to_user(self, r: [f64; 4]) -> [f64; 4] {
        let (a, b) = (self.to_user(r[0], r[1]), self.to_user(r[2], r[3]));
        normalise([a.0, a.1, b.0, b.1])
    }

    /// Maps an axis-aligned user-space rectangle to the visible frame.
    pub(crate) fn rect_to_visible(self, r: [f64; 4]) -> [f64; 4] {
        let (a, b) = (self.to_visible(r[0], r[1]), self.to_visible(r[2], r[3]));
        normalise([a.0, a.1, b.0, b.1])
    }
}

pub(crate) fn normalise(r: [f64; 4]) -> [f64; 4] {
    [r[0].min(r[2]), r[1].min(r[3]), r[0].max(r[2]), r[1].max(r[3])]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_rotation() {
        for rot in [0, 90, 180, 270] {
            let f = PageFrame::new([0.0, 0.0, 600.0, 800.0], [10.0, 20.0, 510.0, 720.0], rot);
            let (vx, vy) = (33.0, 44.0);
            let (ux, uy) = f.to_user(vx, vy);
            let (bx, by) = f.to_visible(ux, uy);
            assert!((bx - vx).abs() < 1e-9 && (by - vy).abs() < 1e-9, "rot {rot}");
        }
    }

    #[test]
    fn rotate_90_puts_visible_origin_at_user_bottom_right() {
        let f = PageFrame::new([0.0, 0.0, 600.0, 800.0], [0.0, 0.0, 600.0, 800.0], 90);
        assert_eq!(f.visible_size(), (800.0, 600.0));
        assert_eq!(f.to_user(0.0, 0.0), (600.0, 0.0));
    }
}
