//! Clipping to the plotted ranges.
//!
//! plotters does not clip: it clamps every point to the plotting area, so a segment leaving
//! a fixed y range is bent along the border and a fitted line through the corner changes
//! slope; and a point far outside overflows its `i32` pixel arithmetic (a panic in debug
//! builds, a wrapped coordinate in release). Lines, areas and rectangles are cut here at the
//! exact crossing instead, and points outside are dropped, so plotters only ever sees
//! coordinates inside the plot.

type P = (f64, f64);

/// The data rectangle being plotted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Window {
    pub fn contains(&self, (x, y): P) -> bool {
        x >= self.x.0 && x <= self.x.1 && y >= self.y.0 && y <= self.y.1
    }

    /// The visible part of the rectangle with corners `a` and `b`, as (upper-left,
    /// lower-right). Coordinates far outside the plot must not reach plotters at all: its
    /// pixel mapping overflows `i32` for them.
    pub fn rect(&self, a: P, b: P) -> Option<[P; 2]> {
        let (left, right) = (a.0.min(b.0).max(self.x.0), a.0.max(b.0).min(self.x.1));
        let (bottom, top) = (a.1.min(b.1).max(self.y.0), a.1.max(b.1).min(self.y.1));
        (left <= right && bottom <= top).then_some([(left, top), (right, bottom)])
    }

    /// Liang–Barsky: the visible part of `a`–`b`, and whether each end was moved.
    fn segment(&self, a: P, b: P) -> Option<(P, P, bool, bool)> {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, a.0 - self.x.0),
            (dx, self.x.1 - a.0),
            (-dy, a.1 - self.y.0),
            (dy, self.y.1 - a.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    if r > t1 {
                        return None;
                    }
                    t0 = t0.max(r);
                } else {
                    if r < t0 {
                        return None;
                    }
                    t1 = t1.min(r);
                }
            }
        }
        // With endpoints far outside, t rounds to 0 or 1 and the "unmoved" end is still
        // outside: clamping keeps every returned point inside, and such an end counts as moved.
        let start = if t0 > 0.0 {
            (a.0 + t0 * dx, a.1 + t0 * dy)
        } else {
            a
        };
        let end = if t1 < 1.0 {
            (a.0 + t1 * dx, a.1 + t1 * dy)
        } else {
            b
        };
        let moved_start = t0 > 0.0 || !self.contains(a);
        let moved_end = t1 < 1.0 || !self.contains(b);
        Some((self.clamp(start), self.clamp(end), moved_start, moved_end))
    }

    fn clamp(&self, (x, y): P) -> P {
        (x.clamp(self.x.0, self.x.1), y.clamp(self.y.0, self.y.1))
    }

    /// The visible pieces of a polyline; a piece ends where the line leaves the window.
    pub fn polyline(&self, points: &[P]) -> Vec<Vec<P>> {
        if points.len() == 1 {
            return if self.contains(points[0]) {
                vec![points.to_vec()]
            } else {
                Vec::new()
            };
        }
        let mut pieces: Vec<Vec<P>> = Vec::new();
        let mut current: Vec<P> = Vec::new();
        for w in points.windows(2) {
            match self.segment(w[0], w[1]) {
                Some((start, end, moved_start, moved_end)) => {
                    if current.is_empty() || moved_start {
                        if !current.is_empty() {
                            pieces.push(std::mem::take(&mut current));
                        }
                        current.push(start);
                    }
                    current.push(end);
                    if moved_end {
                        pieces.push(std::mem::take(&mut current));
                    }
                }
                None => {
                    if !current.is_empty() {
                        pieces.push(std::mem::take(&mut current));
                    }
                }
            }
        }
        if !current.is_empty() {
            pieces.push(current);
        }
        pieces
    }

    /// Sutherland–Hodgman: the part of a polygon inside the window (a band is convex-clipped
    /// edge by edge; the result may be empty).
    pub fn polygon(&self, mut poly: Vec<P>) -> Vec<P> {
        // (axis, bound, keep values above the bound)
        let edges = [
            (0, self.x.0, true),
            (0, self.x.1, false),
            (1, self.y.0, true),
            (1, self.y.1, false),
        ];
        let coord = |p: P, axis: usize| if axis == 0 { p.0 } else { p.1 };
        for (axis, bound, above) in edges {
            if poly.is_empty() {
                break;
            }
            let inside = |p: P| {
                if above {
                    coord(p, axis) >= bound
                } else {
                    coord(p, axis) <= bound
                }
            };
            let cross = |a: P, b: P| {
                let t = (bound - coord(a, axis)) / (coord(b, axis) - coord(a, axis));
                let p = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
                if axis == 0 {
                    (bound, p.1)
                } else {
                    (p.0, bound)
                }
            };
            let mut out = Vec::with_capacity(poly.len() + 4);
            for i in 0..poly.len() {
                let cur = poly[i];
                let prev = poly[(i + poly.len() - 1) % poly.len()];
                match (inside(prev), inside(cur)) {
                    (true, true) => out.push(cur),
                    (true, false) => out.push(cross(prev, cur)),
                    (false, true) => {
                        out.push(cross(prev, cur));
                        out.push(cur);
                    }
                    (false, false) => {}
                }
            }
            poly = out;
        }
        // Crossings are computed one edge at a time; rounding can leave one a hair outside
        // an edge handled earlier.
        poly.into_iter().map(|p| self.clamp(p)).collect()
    }
}
