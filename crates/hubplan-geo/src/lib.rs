//! Positions and distances.
//!
//! Inside hubplan every position is a WGS84 longitude/latitude ([`LonLat`]);
//! distances are great-circle ([`haversine_m`]); planar work (maps, spatial
//! indexes) goes through the one metric projection, [`LocalProjection`].
//! British National Grid exists only at the edges: readers call
//! [`bng_to_wgs84`] and writers may call [`wgs84_to_bng`].
//!
//! The BNG conversion is the Ordnance Survey's published method: inverse
//! transverse Mercator on the Airy 1830 ellipsoid, then a seven-parameter
//! Helmert transform OSGB36 → WGS84. Its error is a few metres (OSTN15 is
//! not used), far below the size of a small-area zone.

#![deny(missing_docs)]
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use serde::{Deserialize, Serialize};

/// Mean Earth radius in metres (IUGG).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A WGS84 position in decimal degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    /// Longitude, degrees east, in [-180, 180].
    pub lon: f64,
    /// Latitude, degrees north, in [-90, 90].
    pub lat: f64,
}

impl LonLat {
    /// A position; no range check (see [`LonLat::is_valid`]).
    pub const fn new(lon: f64, lat: f64) -> Self {
        LonLat { lon, lat }
    }

    /// True when both coordinates are finite and in range.
    pub fn is_valid(&self) -> bool {
        self.lon.is_finite()
            && self.lat.is_finite()
            && (-180.0..=180.0).contains(&self.lon)
            && (-90.0..=90.0).contains(&self.lat)
    }
}

/// Great-circle distance in metres between two positions (haversine on a sphere of
/// radius [`EARTH_RADIUS_M`]).
///
/// Complexity: O(1). It is a metric: symmetric, zero on the diagonal, and it
/// satisfies the triangle inequality.
pub fn haversine_m(a: LonLat, b: LonLat) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

struct Ellipsoid {
    a: f64,
    b: f64,
}

const AIRY1830: Ellipsoid = Ellipsoid {
    a: 6_377_563.396,
    b: 6_356_256.909,
};
const WGS84: Ellipsoid = Ellipsoid {
    a: 6_378_137.0,
    b: 6_356_752.314_245,
};

struct Tm {
    ell: Ellipsoid,
    f0: f64,
    lat0: f64,
    lon0: f64,
    e0: f64,
    n0: f64,
}

const BNG: Tm = Tm {
    ell: AIRY1830,
    f0: 0.999_601_271_7,
    lat0: 49.0,
    lon0: -2.0,
    e0: 400_000.0,
    n0: -100_000.0,
};

impl Tm {
    fn meridional_arc(&self, phi: f64) -> f64 {
        let (a, b, f0) = (self.ell.a, self.ell.b, self.f0);
        let n = (a - b) / (a + b);
        let (n2, n3) = (n * n, n * n * n);
        let phi0 = self.lat0.to_radians();
        let (dp, sp) = (phi - phi0, phi + phi0);
        b * f0
            * ((1.0 + n + 1.25 * n2 + 1.25 * n3) * dp - (3.0 * n + 3.0 * n2 + 21.0 / 8.0 * n3) * dp.sin() * sp.cos()
                + (15.0 / 8.0 * n2 + 15.0 / 8.0 * n3) * (2.0 * dp).sin() * (2.0 * sp).cos()
                - 35.0 / 24.0 * n3 * (3.0 * dp).sin() * (3.0 * sp).cos())
    }

    /// Geodetic (radians, on this ellipsoid) → grid.
    fn forward(&self, phi: f64, lam: f64) -> (f64, f64) {
        let (a, b, f0) = (self.ell.a, self.ell.b, self.f0);
        let e2 = 1.0 - (b * b) / (a * a);
        let (s, c) = (phi.sin(), phi.cos());
        let t = phi.tan();
        let nu = a * f0 / (1.0 - e2 * s * s).sqrt();
        let rho = a * f0 * (1.0 - e2) / (1.0 - e2 * s * s).powf(1.5);
        let eta2 = nu / rho - 1.0;
        let m = self.meridional_arc(phi);
        let i = m + self.n0;
        let ii = nu / 2.0 * s * c;
        let iii = nu / 24.0 * s * c.powi(3) * (5.0 - t * t + 9.0 * eta2);
        let iiia = nu / 720.0 * s * c.powi(5) * (61.0 - 58.0 * t * t + t.powi(4));
        let iv = nu * c;
        let v = nu / 6.0 * c.powi(3) * (nu / rho - t * t);
        let vi = nu / 120.0 * c.powi(5) * (5.0 - 18.0 * t * t + t.powi(4) + 14.0 * eta2 - 58.0 * t * t * eta2);
        let dl = lam - self.lon0.to_radians();
        let n = i + ii * dl.powi(2) + iii * dl.powi(4) + iiia * dl.powi(6);
        let e = self.e0 + iv * dl + v * dl.powi(3) + vi * dl.powi(5);
        (e, n)
    }

    /// Grid → geodetic (radians, on this ellipsoid).
    fn inverse(&self, e: f64, n: f64) -> (f64, f64) {
        let (a, b, f0) = (self.ell.a, self.ell.b, self.f0);
        let e2 = 1.0 - (b * b) / (a * a);
        let mut phi = self.lat0.to_radians();
        let mut m = 0.0;
        for _ in 0..100 {
            phi += (n - self.n0 - m) / (a * f0);
            m = self.meridional_arc(phi);
            if (n - self.n0 - m).abs() < 1e-5 {
                break;
            }
        }
        let (s, c) = (phi.sin(), phi.cos());
        let t = phi.tan();
        let nu = a * f0 / (1.0 - e2 * s * s).sqrt();
        let rho = a * f0 * (1.0 - e2) / (1.0 - e2 * s * s).powf(1.5);
        let eta2 = nu / rho - 1.0;
        let vii = t / (2.0 * rho * nu);
        let viii = t / (24.0 * rho * nu.powi(3)) * (5.0 + 3.0 * t * t + eta2 - 9.0 * t * t * eta2);
        let ix = t / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * t * t + 45.0 * t.powi(4));
        let x = 1.0 / (c * nu);
        let xi = 1.0 / (c * 6.0 * nu.powi(3)) * (nu / rho + 2.0 * t * t);
        let xii = 1.0 / (c * 120.0 * nu.powi(5)) * (5.0 + 28.0 * t * t + 24.0 * t.powi(4));
        let xiia = 1.0 / (c * 5040.0 * nu.powi(7)) * (61.0 + 662.0 * t * t + 1320.0 * t.powi(4) + 720.0 * t.powi(6));
        let de = e - self.e0;
        let phi_out = phi - vii * de.powi(2) + viii * de.powi(4) - ix * de.powi(6);
        let lam = self.lon0.to_radians() + x * de - xi * de.powi(3) + xii * de.powi(5) - xiia * de.powi(7);
        (phi_out, lam)
    }
}

fn to_cartesian(ell: &Ellipsoid, phi: f64, lam: f64) -> [f64; 3] {
    let e2 = 1.0 - (ell.b * ell.b) / (ell.a * ell.a);
    let nu = ell.a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
    [
        nu * phi.cos() * lam.cos(),
        nu * phi.cos() * lam.sin(),
        (1.0 - e2) * nu * phi.sin(),
    ]
}

fn from_cartesian(ell: &Ellipsoid, p: [f64; 3]) -> (f64, f64) {
    let e2 = 1.0 - (ell.b * ell.b) / (ell.a * ell.a);
    let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
    let mut phi = p[2].atan2(r * (1.0 - e2));
    for _ in 0..10 {
        let nu = ell.a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
        phi = (p[2] + e2 * nu * phi.sin()).atan2(r);
    }
    (phi, p[1].atan2(p[0]))
}

/// Helmert WGS84 → OSGB36 (tx, ty, tz in m, rotations in arc-seconds, scale in ppm);
/// the reverse uses the negated parameters.
const HELMERT_WGS84_TO_OSGB36: [f64; 7] = [-446.448, 125.157, -542.060, -0.1502, -0.2470, -0.8421, 20.4894];

fn helmert(p: [f64; 3], sign: f64) -> [f64; 3] {
    let h = HELMERT_WGS84_TO_OSGB36;
    let (tx, ty, tz) = (sign * h[0], sign * h[1], sign * h[2]);
    let sec = std::f64::consts::PI / (180.0 * 3600.0);
    let (rx, ry, rz) = (sign * h[3] * sec, sign * h[4] * sec, sign * h[5] * sec);
    let s = 1.0 + sign * h[6] * 1e-6;
    [
        tx + s * p[0] - rz * p[1] + ry * p[2],
        ty + rz * p[0] + s * p[1] - rx * p[2],
        tz - ry * p[0] + rx * p[1] + s * p[2],
    ]
}

/// British National Grid (EPSG:27700) easting/northing in metres → WGS84.
///
/// Accurate to about 5 m over Great Britain.
pub fn bng_to_wgs84(easting: f64, northing: f64) -> LonLat {
    let (phi, lam) = BNG.inverse(easting, northing);
    let c = helmert(to_cartesian(&AIRY1830, phi, lam), -1.0);
    let (phi, lam) = from_cartesian(&WGS84, c);
    LonLat::new(lam.to_degrees(), phi.to_degrees())
}

/// WGS84 → British National Grid (EPSG:27700) easting/northing in metres.
pub fn wgs84_to_bng(p: LonLat) -> (f64, f64) {
    let c = helmert(to_cartesian(&WGS84, p.lat.to_radians(), p.lon.to_radians()), 1.0);
    let (phi, lam) = from_cartesian(&AIRY1830, c);
    BNG.forward(phi, lam)
}

/// The one metric projection used inside hubplan: a transverse Mercator on the
/// WGS84 ellipsoid, scale 1, centred on the study area. Within 200 km of the
/// centre its scale error is below 0.05%.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalProjection {
    /// Central meridian, degrees.
    pub lon0: f64,
    /// Latitude of origin, degrees.
    pub lat0: f64,
}

impl LocalProjection {
    /// A projection centred on the bounding box of `points` (rounded to 0.01°, so
    /// that it does not move with tiny changes of input).
    pub fn centred_on<'a>(points: impl IntoIterator<Item = &'a LonLat>) -> Self {
        let (mut lo, mut hi, mut la, mut ha) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for p in points {
            lo = lo.min(p.lon);
            hi = hi.max(p.lon);
            la = la.min(p.lat);
            ha = ha.max(p.lat);
        }
        if !lo.is_finite() {
            return LocalProjection { lon0: 0.0, lat0: 0.0 };
        }
        let r = |x: f64| (x * 100.0).round() / 100.0;
        LocalProjection {
            lon0: r((lo + hi) / 2.0),
            lat0: r((la + ha) / 2.0),
        }
    }

    fn tm(&self) -> Tm {
        Tm {
            ell: WGS84,
            f0: 1.0,
            lat0: self.lat0,
            lon0: self.lon0,
            e0: 0.0,
            n0: 0.0,
        }
    }

    /// WGS84 → (x, y) metres east and north of the centre.
    pub fn project(&self, p: LonLat) -> (f64, f64) {
        self.tm().forward(p.lat.to_radians(), p.lon.to_radians())
    }

    /// (x, y) metres → WGS84.
    pub fn unproject(&self, x: f64, y: f64) -> LonLat {
        let (phi, lam) = self.tm().inverse(x, y);
        LonLat::new(lam.to_degrees(), phi.to_degrees())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transverse_mercator_matches_ordnance_survey_worked_example() {
        // OS "A guide to coordinate systems in Great Britain", annex C: Caister water tower,
        // OSGB36 52°39′27.2531″N 1°43′4.5177″E ↔ E 651409.903, N 313177.270.
        let phi = (52.0 + 39.0 / 60.0 + 27.2531 / 3600.0_f64).to_radians();
        let lam = (1.0 + 43.0 / 60.0 + 4.5177 / 3600.0_f64).to_radians();
        let (e, n) = BNG.forward(phi, lam);
        assert!(
            (e - 651_409.903).abs() < 0.01 && (n - 313_177.270).abs() < 0.01,
            "{e} {n}"
        );
        let (phi2, lam2) = BNG.inverse(e, n);
        assert!((phi2 - phi).abs() < 1e-10 && (lam2 - lam).abs() < 1e-10);
    }

    #[test]
    fn bng_round_trips_and_datum_shift_is_plausible() {
        // Canterbury Cathedral, WGS84 about 51.2798 N, 1.0828 E; BNG about 615100, 157900.
        let p = LonLat::new(1.0828, 51.2798);
        let (e, n) = wgs84_to_bng(p);
        assert!(
            (e - 615_100.0).abs() < 300.0 && (n - 157_900.0).abs() < 300.0,
            "{e} {n}"
        );
        let back = bng_to_wgs84(e, n);
        assert!(haversine_m(back, p) < 0.05, "{back:?}");
    }

    #[test]
    fn haversine_known_distance() {
        // London (51.5074, -0.1278) to Paris (48.8566, 2.3522): about 343.5 km.
        let d = haversine_m(LonLat::new(-0.1278, 51.5074), LonLat::new(2.3522, 48.8566));
        assert!((d - 343_550.0).abs() < 1_000.0, "{d}");
    }

    #[test]
    fn local_projection_round_trips_and_keeps_distances() {
        let a = LonLat::new(0.52, 51.27);
        let b = LonLat::new(1.08, 51.28);
        let pr = LocalProjection::centred_on(&[a, b]);
        let (ax, ay) = pr.project(a);
        let (bx, by) = pr.project(b);
        let planar = ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt();
        let great = haversine_m(a, b);
        assert!((planar - great).abs() / great < 0.005, "{planar} {great}");
        let back = pr.unproject(ax, ay);
        assert!(haversine_m(back, a) < 0.01);
    }
}
