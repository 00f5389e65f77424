//! Straight-line walking: haversine distance × detour factor at a walking speed.

use hubplan::geo::{haversine_m, LonLat};

/// Metres per degree of latitude on the sphere used by [`haversine_m`].
const M_PER_DEG: f64 = hubplan::geo::EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

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

/// A uniform lon/lat grid over points for radius queries; conservative (never
/// misses a point within the radius), exact after the haversine check.
/// Does not handle the ±180° meridian (no public-transport feed straddles it).
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    dlat: f64,
    dlon: f64,
    cells: std::collections::HashMap<(i64, i64), Vec<u32>>,
}

impl Grid {
    /// Index `points` for queries of straight-line radius `radius_m`.
    pub(crate) fn new(points: &[LonLat], radius_m: f64) -> Self {
        let max_abs_lat = points
            .iter()
            .filter(|p| p.is_valid())
            .map(|p| p.lat.abs())
            .fold(0.0f64, f64::max)
            .min(89.0);
        let r = radius_m.max(1.0);
        let dlat = r / M_PER_DEG * 1.01 + 1e-9;
        let dlon = (r / (M_PER_DEG * max_abs_lat.to_radians().cos()) * 1.01 + 1e-9).min(360.0);
        let mut cells: std::collections::HashMap<(i64, i64), Vec<u32>> = std::collections::HashMap::new();
        for (i, p) in points.iter().enumerate() {
            if p.is_valid() {
                cells.entry(Self::key(*p, dlat, dlon)).or_default().push(i as u32);
            }
        }
        Grid { dlat, dlon, cells }
    }

    fn key(p: LonLat, dlat: f64, dlon: f64) -> (i64, i64) {
        ((p.lat / dlat).floor() as i64, (p.lon / dlon).floor() as i64)
    }

    /// Calls `f(index)` for every indexed point possibly within the radius of `p`
    /// (a superset; callers check the distance). Nothing for an invalid `p`.
    pub(crate) fn candidates(&self, p: LonLat, mut f: impl FnMut(u32)) {
        if !p.is_valid() {
            return;
        }
        let (ky, kx) = Self::key(p, self.dlat, self.dlon);
        for dy in -1..=1 {
            for dx in -1..=1 {
                if let Some(v) = self.cells.get(&(ky + dy, kx + dx)) {
                    for &i in v {
                        f(i);
                    }
                }
            }
        }
    }
}
