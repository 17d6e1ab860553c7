//! Placing characters along an elliptic (or circular) arc, evenly by arc length.
//!
//! Parameter `t` runs clockwise from the top of the ellipse: point (a·sin t, −b·cos t) in
//! seal coordinates (y down). Top-arc text reads clockwise (left to right over the top);
//! bottom-arc text reads left to right along the bottom, i.e. with `t` decreasing through π.

use tiny_skia::Transform;

/// The curve character centres sit on: the parallel curve at distance `inset` inside the
/// ellipse with semi-axes `a`, `b` (a constant gap to the border, which a smaller ellipse
/// would not give on an oval).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Track {
    pub a: f32,
    pub b: f32,
    pub inset: f32,
}

const SAMPLES: usize = 512;

impl Track {
    pub fn point(self, t: f32) -> (f32, f32) {
        let (nx, ny) = self.outward(t);
        (self.a * t.sin() - self.inset * nx, -self.b * t.cos() - self.inset * ny)
    }

    /// Unit outward normal at `t` (the same for the ellipse and its parallel curve).
    pub fn outward(self, t: f32) -> (f32, f32) {
        let (nx, ny) = (t.sin() / self.a.max(1e-3), -t.cos() / self.b.max(1e-3));
        let len = (nx * nx + ny * ny).sqrt().max(1e-6);
        (nx / len, ny / len)
    }

    /// Cumulative polyline length from `t0` at `SAMPLES` equal parameter steps towards `t1`.
    fn cumulative(self, t0: f32, t1: f32) -> Vec<f32> {
        let dt = (t1 - t0) / SAMPLES as f32;
        let mut out = Vec::with_capacity(SAMPLES + 1);
        out.push(0.0f32);
        let mut prev = self.point(t0);
        let mut acc = 0.0;
        for i in 1..=SAMPLES {
            let p = self.point(t0 + i as f32 * dt);
            acc += (p.0 - prev.0).hypot(p.1 - prev.1);
            out.push(acc);
            prev = p;
        }
        out
    }

    /// Arc length between parameters `t0` and `t1` (either order).
    pub fn length(self, t0: f32, t1: f32) -> f32 {
        self.cumulative(t0, t1).last().copied().unwrap_or(0.0)
    }

    /// Parameters of `n` points spaced evenly by arc length between `t0` and `t1`, each at
    /// the centre of its share of the arc (so the arc ends are half a pitch beyond the first/last).
    pub fn spaced(self, t0: f32, t1: f32, n: usize) -> Vec<f32> {
        if n == 0 {
            return Vec::new();
        }
        let dt = (t1 - t0) / SAMPLES as f32;
        let cumulative = self.cumulative(t0, t1);
        let total = cumulative.last().copied().unwrap_or(0.0);
        (0..n)
            .map(|i| {
                let target = total * (i as f32 + 0.5) / n as f32;
                let j = cumulative.partition_point(|&s| s < target).clamp(1, SAMPLES);
                let (s0, s1) = (cumulative[j - 1], cumulative[j]);
                let frac = if s1 > s0 { (target - s0) / (s1 - s0) } else { 0.0 };
                t0 + (j as f32 - 1.0 + frac) * dt
            })
            .collect()
    }

    /// Parameter span (radians) centred on `t_mid` whose arc length is `len` (symmetric).
    pub fn span_for_length(self, t_mid: f32, len: f32) -> f32 {
        let (mut lo, mut hi) = (0.0f32, std::f32::consts::PI);
        for _ in 0..30 {
            let mid = (lo + hi) / 2.0;
            if self.length(t_mid - mid / 2.0, t_mid + mid / 2.0) < len {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (lo + hi) / 2.0
    }
}

/// Transform putting a character cell centred at parameter `t`, with the glyph's top
/// pointing outward (`outward = true`, top arc) or towards the centre (bottom arc).
pub(crate) fn cell_on_arc(curve: Track, t: f32, outward: bool, cx: f32, cy: f32) -> Transform {
    let (x, y) = curve.point(t);
    let (mut ux, mut uy) = curve.outward(t);
    if !outward {
        ux = -ux;
        uy = -uy;
    }
    // Rotating the glyph's up vector (0, -1) by θ gives (sin θ, −cos θ).
    let theta = ux.atan2(-uy).to_degrees();
    Transform::from_rotate(theta).post_translate(cx + x, cy + y)
}

/// The four corners of a `w` x `h` cell placed by `place`.
pub(crate) fn cell_quad(w: f32, h: f32, place: Transform) -> [(f32, f32); 4] {
    let corners = [(-w / 2.0, -h / 2.0), (w / 2.0, -h / 2.0), (w / 2.0, h / 2.0), (-w / 2.0, h / 2.0)];
    corners.map(|(x, y)| (place.sx * x + place.kx * y + place.tx, place.ky * x + place.sy * y + place.ty))
}

/// Whether a convex quad overlaps the axis-aligned rectangle (separating-axis test).
pub(crate) fn quad_hits_rect(quad: &[(f32, f32); 4], x0: f32, y0: f32, x1: f32, y1: f32) -> bool {
    let (qx0, qx1) = quad.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let (qy0, qy1) = quad.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    if qx1 < x0 || qx0 > x1 || qy1 < y0 || qy0 > y1 {
        return false;
    }
    let rect = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
    for i in 0..4 {
        let (p, q) = (quad[i], quad[(i + 1) % 4]);
        let axis = (-(q.1 - p.1), q.0 - p.0);
        let proj = |pt: &(f32, f32)| pt.0 * axis.0 + pt.1 * axis.1;
        let (a0, a1) = quad.iter().map(proj).fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (b0, b1) = rect.iter().map(proj).fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if a1 < b0 || b1 < a0 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::PI;

    #[test]
    fn circle_spacing_is_even() {
        let c = Track { a: 12.0, b: 12.0, inset: 2.0 };
        let ts = c.spaced(-PI / 2.0, PI / 2.0, 4);
        let steps: Vec<f32> = ts.windows(2).map(|w| w[1] - w[0]).collect();
        for s in &steps {
            assert!((s - PI / 4.0).abs() < 1e-3, "{steps:?}");
        }
        assert!((c.length(0.0, PI) - PI * 10.0).abs() < 1e-2);
    }

    #[test]
    fn parallel_curve_keeps_its_distance() {
        let e = Track { a: 19.0, b: 14.0, inset: 3.0 };
        for i in 0..36 {
            let t = i as f32 * PI / 18.0;
            let (x, y) = e.point(t);
            // Distance to the base ellipse, by sampling it densely.
            let d = (0..3600)
                .map(|k| {
                    let u = k as f32 * PI / 1800.0;
                    (x - 19.0 * u.sin()).hypot(y + 14.0 * u.cos())
                })
                .fold(f32::MAX, f32::min);
            assert!((d - 3.0).abs() < 0.02, "t={t} d={d}");
        }
    }

    #[test]
    fn ellipse_spacing_is_even_by_length() {
        let e = Track { a: 16.0, b: 11.0, inset: 2.5 };
        let ts = e.spaced(-2.0, 2.0, 9);
        let lens: Vec<f32> = ts.windows(2).map(|w| e.length(w[0], w[1])).collect();
        let (lo, hi) = lens.iter().fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        assert!(hi - lo < 0.01, "{lens:?}");
    }

    #[test]
    fn separating_axes() {
        let quad = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)];
        assert!(quad_hits_rect(&quad, 1.0, 1.0, 3.0, 3.0));
        assert!(!quad_hits_rect(&quad, 2.5, 0.0, 3.0, 3.0));
        let diamond = [(0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)];
        assert!(!quad_hits_rect(&diamond, 0.6, 0.6, 2.0, 2.0));
    }
}
