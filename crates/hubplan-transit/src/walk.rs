//! Straight-line walking: haversine distance × detour factor at a walking speed.

use hubplan_geo::{haversine_m, LonLat};

/// The walking model: `walked = haversine × detour`, `seconds = ceil(walked / speed)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Walk {
    /// Walking speed, metres per second.
    pub speed_mps: f64,
    /// Detour factor applied to the straight-line distance (≥ 1 in practice).
    pub detour: f64,
}

impl Walk {
    /// From a speed in km/h and a detour factor.
    pub fn new(speed_kmh: f64, detour: f64) -> Self {
        Walk {
            speed_mps: speed_kmh / 3.6,
            detour,
        }
    }

    /// Walked distance in metres between two points (haversine × detour); NaN if a point is unusable.
    pub fn walked_m(&self, a: LonLat, b: LonLat) -> f64 {
        haversine_m(a, b) * self.detour
    }

    /// Seconds to walk `walked_m` metres: `ceil(walked_m / speed)`. Rounding up keeps the
    /// triangle inequality: `s(a+b) <= s(a) + s(b)`.
    pub fn seconds(&self, walked_m: f64) -> u32 {
        let s = (walked_m / self.speed_mps).ceil();
        if s.is_finite() && s >= 0.0 {
            s.min(u32::MAX as f64 / 4.0) as u32
        } else {
            u32::MAX / 4
        }
    }

    /// Walking seconds from `a` to `b` if the walked distance is at most `limit_m`, else `None`.
    /// Points with invalid coordinates never link.
    pub fn link(&self, a: LonLat, b: LonLat, limit_m: f64) -> Option<u32> {
        if !a.is_valid() || !b.is_valid() {
            return None;
        }
        let d = self.walked_m(a, b);
        (d <= limit_m).then(|| self.seconds(d))
    }
}
