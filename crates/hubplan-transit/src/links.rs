//! Walking links: which stops, origins and destinations are within walking distance of each
//! other, and in how many seconds. Computed once per (stops, origins, destinations, walking
//! rules) and reused by every scan ([`WalkLinks`] is the in-memory cache).
//!
//! * [`WalkLinks::straight`]: straight-line walks (haversine × detour), looked up in `rstar`
//!   R-trees of the points on the sphere (3-D coordinates, so the ±180° meridian is no edge).
//! * [`WalkLinks::streets`]: shortest walks on an OpenStreetMap [`StreetNetwork`]. Each point
//!   snaps to the nearest walkable edge within `snap_max_m`; bounded one-to-many Dijkstra runs
//!   from every stop (up to the transfer limit), origin and destination (up to the walk limit), in
//!   parallel with rayon. A point that cannot snap walks in straight lines (with the detour) to
//!   and from everything, and is counted in [`SnapReport`].

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use hubplan_geo::{haversine_m, LonLat, EARTH_RADIUS_M};
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::RTree;

use crate::engine::{Limits, TransitConfig};
use crate::osm::{ceil_mm, StreetNetwork, MIN_COMPONENT_NODES};
use crate::walk::Walk;
use crate::{Feed, TransitError};

/// Default largest distance from a point to the street it snaps to, metres.
pub const DEFAULT_SNAP_M: f64 = 300.0;

const INF: u32 = u32::MAX;

/// Points on the sphere in an R-tree, for radius queries.
#[derive(Debug)]
pub(crate) struct PointIndex {
    tree: RTree<GeomWithData<[f64; 3], u32>>,
}

fn xyz(p: LonLat) -> [f64; 3] {
    let (la, lo) = (p.lat.to_radians(), p.lon.to_radians());
    [
        EARTH_RADIUS_M * la.cos() * lo.cos(),
        EARTH_RADIUS_M * la.cos() * lo.sin(),
        EARTH_RADIUS_M * la.sin(),
    ]
}

impl PointIndex {
    /// Indexes the valid points among `points` for which `keep(i)`.
    pub(crate) fn new(points: &[LonLat], keep: impl Fn(usize) -> bool) -> Self {
        let items = points
            .iter()
            .enumerate()
            .filter(|&(i, p)| p.is_valid() && keep(i))
            .map(|(i, &p)| GeomWithData::new(xyz(p), i as u32))
            .collect();
        PointIndex {
            tree: RTree::bulk_load(items),
        }
    }

    /// Calls `f(i)` for every indexed point possibly within great-circle distance `radius_m` of
    /// `p` (a superset, callers check the distance); nothing for an invalid `p`.
    pub(crate) fn within(&self, p: LonLat, radius_m: f64, mut f: impl FnMut(u32)) {
        if !p.is_valid() || radius_m.is_nan() || radius_m < 0.0 || self.tree.size() == 0 {
            return;
        }
        let half = (radius_m / (2.0 * EARTH_RADIUS_M)).min(std::f64::consts::FRAC_PI_2);
        let chord = 2.0 * EARTH_RADIUS_M * half.sin() * (1.0 + 1e-9) + 1e-3;
        for it in self.tree.locate_within_distance(xyz(p), chord * chord) {
            f(it.data);
        }
    }
}

/// Snapping figures for one kind of point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SnapStats {
    /// Points given.
    pub points: usize,
    /// Points with invalid coordinates (no walks at all, as without streets).
    pub invalid: usize,
    /// Points snapped to a street.
    pub snapped: usize,
    /// Valid points farther than the snap distance from any street: they walk in straight lines.
    pub fallback: usize,
    /// Median, 95th percentile and largest distance to the street, metres (snapped points).
    pub median_m: f64,
    /// 95th percentile (nearest rank) of the snap distance, metres.
    pub p95_m: f64,
    /// Largest snap distance, metres.
    pub max_m: f64,
    /// Indices of the first (at most 5) points that fell back.
    pub fallback_examples: Vec<u32>,
}

impl SnapStats {
    fn new(dists: &[Option<f64>], pos: &[LonLat]) -> Self {
        let mut d: Vec<f64> = dists.iter().flatten().copied().collect();
        d.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            d.get(((p * d.len() as f64).ceil() as usize).clamp(1, d.len().max(1)) - 1)
                .copied()
        };
        let invalid = pos.iter().filter(|p| !p.is_valid()).count();
        let fallback: Vec<u32> = (0..pos.len())
            .filter(|&i| pos[i].is_valid() && dists[i].is_none())
            .map(|i| i as u32)
            .collect();
        SnapStats {
            points: pos.len(),
            invalid,
            snapped: d.len(),
            fallback: fallback.len(),
            median_m: rank(0.5).unwrap_or(0.0),
            p95_m: rank(0.95).unwrap_or(0.0),
            max_m: d.last().copied().unwrap_or(0.0),
            fallback_examples: fallback.into_iter().take(5).collect(),
        }
    }
}

/// How the points of a street-network run snapped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SnapReport {
    /// The snap distance used, metres.
    pub snap_max_m: f64,
    /// Stops of the feed.
    pub stops: SnapStats,
    /// Origins.
    pub origins: SnapStats,
    /// Destinations.
    pub destinations: SnapStats,
}

impl SnapReport {
    /// One warning per kind of point with points that could not snap (they walk in straight
    /// lines with the detour factor), naming the first few by index.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        for (name, s) in [
            ("stops", &self.stops),
            ("origins", &self.origins),
            ("destinations", &self.destinations),
        ] {
            if s.fallback > 0 {
                w.push(format!(
                    "{} of {} {name} are more than {} m from a walkable street of the OSM extract; they walk in straight lines (first, by position in the input: {})",
                    s.fallback,
                    s.points,
                    self.snap_max_m,
                    s.fallback_examples.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        w
    }
}

impl std::fmt::Display for SnapReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "snapped within {} m:", self.snap_max_m)?;
        for (name, s) in [
            ("stops", &self.stops),
            ("origins", &self.origins),
            ("destinations", &self.destinations),
        ] {
            write!(
                f,
                " {name} {}/{} (median {:.0} m, 95% {:.0} m, max {:.0} m; {} straight-line, {} invalid);",
                s.snapped, s.points, s.median_m, s.p95_m, s.max_m, s.fallback, s.invalid
            )?;
        }
        Ok(())
    }
}

/// The parameters a [`WalkLinks`] was built for; the engine refuses other ones.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Key {
    stops: usize,
    origins: usize,
    destinations: usize,
    walk: Walk,
    max_walk_m: f64,
    max_transfer_walk_m: f64,
}

/// Walking links of one run, in compressed rows. See the module documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct WalkLinks {
    key: Key,
    /// Per stop: other stops within the transfer limit, (stop, seconds), sorted by (seconds, stop).
    pub(crate) nb_start: Vec<u32>,
    pub(crate) nb: Vec<(u32, u32)>,
    /// Per stop: origins within the walk limit, (origin, seconds), sorted.
    pub(crate) so_start: Vec<u32>,
    pub(crate) so: Vec<(u32, u32)>,
    /// Per destination: stops within the walk limit, (stop, seconds), sorted.
    pub(crate) eg_start: Vec<u32>,
    pub(crate) eg: Vec<(u32, u32)>,
    /// Per destination: origins within the walk limit, (origin, seconds), sorted.
    pub(crate) dd_start: Vec<u32>,
    pub(crate) dd: Vec<(u32, u32)>,
    snapping: Option<SnapReport>,
}

/// Rows computed in parallel and concatenated in order.
fn rows(n: usize, row: impl Fn(usize) -> Vec<(u32, u32)> + Sync + Send) -> (Vec<u32>, Vec<(u32, u32)>) {
    let per: Vec<Vec<(u32, u32)>> = (0..n).into_par_iter().map(row).collect();
    csr(per)
}

fn csr(per: Vec<Vec<(u32, u32)>>) -> (Vec<u32>, Vec<(u32, u32)>) {
    let mut start = Vec::with_capacity(per.len() + 1);
    start.push(0u32);
    let mut all = Vec::with_capacity(per.iter().map(Vec::len).sum());
    for r in per {
        all.extend(r);
        start.push(all.len() as u32);
    }
    (start, all)
}

/// Transposes rows `a → (b, s)` into rows `b → (a, s)` (sorted by `a`).
fn transpose(nb: usize, start: &[u32], items: &[(u32, u32)]) -> (Vec<u32>, Vec<(u32, u32)>) {
    let mut per = vec![Vec::new(); nb];
    for a in 0..start.len().saturating_sub(1) {
        for &(b, s) in &items[start[a] as usize..start[a + 1] as usize] {
            per[b as usize].push((a as u32, s));
        }
    }
    csr(per)
}

impl WalkLinks {
    /// Straight-line links (haversine × detour, `docs/TRANSIT.md` §1) between the feed's stops,
    /// `origins` and `destinations`, for `cfg`'s walking rules.
    ///
    /// # Errors
    /// [`TransitError::Config`] for an invalid configuration.
    pub fn straight(
        feed: &Feed,
        origins: &[LonLat],
        destinations: &[LonLat],
        cfg: &TransitConfig,
    ) -> Result<Self, TransitError> {
        let lim = Limits::new(cfg)?;
        let walk = lim.walk;
        let stops = &feed.stop_pos;
        let stop_idx = PointIndex::new(stops, |_| true);
        let origin_idx = PointIndex::new(origins, |_| true);
        let (mw, mt) = (cfg.max_walk_m, cfg.max_transfer_walk_m);
        let (rw, rt) = (mw / cfg.detour, mt / cfg.detour);
        let (nb_start, nb) = rows(stops.len(), |s| {
            let p = stops[s];
            let mut v = Vec::new();
            stop_idx.within(p, rt, |w| {
                if w as usize != s {
                    if let Some(f) = walk.link(p, stops[w as usize], mt) {
                        v.push((w, f));
                    }
                }
            });
            v.sort_unstable_by_key(|&(w, f)| (f, w));
            v
        });
        // Every point of `from` (indexed by `idx`) that walks to `p` within the limit,
        // with its walk, sorted: access (origins → stops), egress (stops → destinations)
        // and direct walks (origins → destinations).
        let walks_to = |idx: &PointIndex, from: &[LonLat], p: LonLat| {
            let mut v = Vec::new();
            idx.within(p, rw, |i| {
                if let Some(a) = walk.link(from[i as usize], p, mw) {
                    v.push((i, a));
                }
            });
            v.sort_unstable();
            v
        };
        let (so_start, so) = rows(stops.len(), |s| walks_to(&origin_idx, origins, stops[s]));
        let (eg_start, eg) = rows(destinations.len(), |d| walks_to(&stop_idx, stops, destinations[d]));
        let (dd_start, dd) = rows(destinations.len(), |d| walks_to(&origin_idx, origins, destinations[d]));
        Ok(WalkLinks {
            key: Key::new(feed, origins, destinations, cfg, walk),
            nb_start,
            nb,
            so_start,
            so,
            eg_start,
            eg,
            dd_start,
            dd,
            snapping: None,
        })
    }

    /// Street-network links on `net` (see the module documentation): every point snaps to the
    /// nearest walkable edge within `snap_max_m` metres; walks are the shortest street distance
    /// (including the straight hops from the points to their snapped positions, and never less
    /// than the straight-line distance) at `cfg.walk_speed_kmh`, up to `max_walk_m` /
    /// `max_transfer_walk_m`. The detour factor applies only to points that could not snap.
    ///
    /// # Errors
    /// [`TransitError::Config`] for an invalid configuration or snap distance.
    pub fn streets(
        net: &StreetNetwork,
        feed: &Feed,
        origins: &[LonLat],
        destinations: &[LonLat],
        cfg: &TransitConfig,
        snap_max_m: f64,
    ) -> Result<Self, TransitError> {
        let lim = Limits::new(cfg)?;
        if !(snap_max_m.is_finite() && snap_max_m >= 0.0) {
            return Err(TransitError::Config {
                name: "snap_max_m",
                message: format!("{snap_max_m} is not a distance >= 0"),
            });
        }
        let walk = lim.walk;
        let stops = &feed.stop_pos;
        let (mw, mt) = (cfg.max_walk_m, cfg.max_transfer_walk_m);
        let (ts, ss) = side(net, stops, snap_max_m);
        let (to, so_stats) = side(net, origins, snap_max_m);
        let (td, sd) = side(net, destinations, snap_max_m);
        let report = SnapReport {
            snap_max_m,
            stops: ss,
            origins: so_stats,
            destinations: sd,
        };
        let limit_mm = |m: f64| ((m * 1000.0).floor().min(INF as f64 / 4.0)) as u32;
        let (lw, lt) = (limit_mm(mw), limit_mm(mt));
        let run = |src: &Targets, i: usize, dij: &mut Dijkstra, limit: u32, targets: &[(&Targets, f64)]| {
            let p = src.pos[i];
            let mut outs: Vec<Vec<(u32, u32)>> = Vec::with_capacity(targets.len());
            if let Some(sn) = src.snaps[i] {
                dij.run(net, &sn, limit);
            }
            for &(t, lim_m) in targets {
                let mut v = Vec::new();
                match src.snaps[i] {
                    Some(sn) => {
                        dij.collect(t, &sn, p, limit, &mut v);
                        for x in v.iter_mut() {
                            x.1 = walk.seconds(x.1 as f64 / 1000.0);
                        }
                        // Unsnapped targets: straight lines.
                        t.unsnapped.within(p, lim_m / cfg.detour, |j| {
                            if let Some(a) = walk.link(p, t.pos[j as usize], lim_m) {
                                v.push((j, a));
                            }
                        });
                    }
                    None => t.all.within(p, lim_m / cfg.detour, |j| {
                        if let Some(a) = walk.link(p, t.pos[j as usize], lim_m) {
                            v.push((j, a));
                        }
                    }),
                }
                v.sort_unstable();
                outs.push(v);
            }
            outs
        };
        let nn = net.node_count();
        // From each stop: other stops within the transfer limit.
        let per: Vec<Vec<(u32, u32)>> = (0..stops.len())
            .into_par_iter()
            .map_init(
                || Dijkstra::new(nn),
                |dij, s| {
                    let mut v = run(&ts, s, dij, lt, &[(&ts, mt)]).swap_remove(0);
                    v.retain(|&(w, _)| w as usize != s);
                    v.sort_unstable_by_key(|&(w, f)| (f, w));
                    v
                },
            )
            .collect();
        let (nb_start, nb) = csr(per);
        // From each origin: stops and destinations within the walk limit.
        let per: Vec<Vec<Vec<(u32, u32)>>> = (0..origins.len())
            .into_par_iter()
            .map_init(
                || Dijkstra::new(nn),
                |dij, o| run(&to, o, dij, lw, &[(&ts, mw), (&td, mw)]),
            )
            .collect();
        let (os_start, os) = csr(per.iter().map(|x| x[0].clone()).collect());
        let (od_start, od) = csr(per.into_iter().map(|mut x| x.swap_remove(1)).collect());
        let (so_start, so) = transpose(stops.len(), &os_start, &os);
        let (dd_start, dd) = transpose(destinations.len(), &od_start, &od);
        // From each destination: stops within the walk limit.
        let per: Vec<Vec<(u32, u32)>> = (0..destinations.len())
            .into_par_iter()
            .map_init(
                || Dijkstra::new(nn),
                |dij, d| run(&td, d, dij, lw, &[(&ts, mw)]).swap_remove(0),
            )
            .collect();
        let (eg_start, eg) = csr(per);
        Ok(WalkLinks {
            key: Key::new(feed, origins, destinations, cfg, walk),
            nb_start,
            nb,
            so_start,
            so,
            eg_start,
            eg,
            dd_start,
            dd,
            snapping: Some(report),
        })
    }

    /// How the points snapped (street links only).
    pub fn snapping(&self) -> Option<&SnapReport> {
        self.snapping.as_ref()
    }

    /// Walking seconds from stop `a` to stop `b` when a transfer walk links them.
    pub fn transfer_seconds(&self, a: usize, b: usize) -> Option<u32> {
        let r = self
            .nb
            .get(*self.nb_start.get(a)? as usize..*self.nb_start.get(a + 1)? as usize)?;
        r.iter().find(|x| x.0 as usize == b).map(|x| x.1)
    }

    /// Walking seconds from origin `o` to stop `s` when an access walk links them.
    pub fn access_seconds(&self, o: usize, s: usize) -> Option<u32> {
        let r = self
            .so
            .get(*self.so_start.get(s)? as usize..*self.so_start.get(s + 1)? as usize)?;
        r.iter().find(|x| x.0 as usize == o).map(|x| x.1)
    }

    /// Walking seconds from stop `s` to destination `d` when an egress walk links them.
    pub fn egress_seconds(&self, s: usize, d: usize) -> Option<u32> {
        let r = self
            .eg
            .get(*self.eg_start.get(d)? as usize..*self.eg_start.get(d + 1)? as usize)?;
        r.iter().find(|x| x.0 as usize == s).map(|x| x.1)
    }

    /// Walking seconds of the direct walk from origin `o` to destination `d`, when allowed.
    pub fn direct_seconds(&self, o: usize, d: usize) -> Option<u32> {
        let r = self
            .dd
            .get(*self.dd_start.get(d)? as usize..*self.dd_start.get(d + 1)? as usize)?;
        r.iter().find(|x| x.0 as usize == o).map(|x| x.1)
    }

    /// Checks that these links were built for this feed, these points and these walking rules.
    pub(crate) fn check(
        &self,
        feed: &Feed,
        origins: &[LonLat],
        destinations: &[LonLat],
        cfg: &TransitConfig,
        walk: Walk,
    ) -> Result<(), TransitError> {
        if self.key != Key::new(feed, origins, destinations, cfg, walk) {
            return Err(TransitError::Config {
                name: "walk_links",
                message: "the walking links were built for other stops, points or walking rules".into(),
            });
        }
        Ok(())
    }
}

/// The first line of a cache file.
const CACHE_MAGIC: &[u8] = b"hubplan walk links v1\n";

struct Enc(Vec<u8>);

impl Enc {
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    fn rows(&mut self, start: &[u32], items: &[(u32, u32)]) {
        self.u64(start.len() as u64);
        for &x in start {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
        self.u64(items.len() as u64);
        for &(a, b) in items {
            self.0.extend_from_slice(&a.to_le_bytes());
            self.0.extend_from_slice(&b.to_le_bytes());
        }
    }
    fn stats(&mut self, s: &SnapStats) {
        for v in [s.points, s.invalid, s.snapped, s.fallback] {
            self.u64(v as u64);
        }
        for v in [s.median_m, s.p95_m, s.max_m] {
            self.f64(v);
        }
        self.u64(s.fallback_examples.len() as u64);
        for &x in &s.fallback_examples {
            self.u64(u64::from(x));
        }
    }
}

struct Dec<'a>(&'a [u8]);

impl Dec<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_bits(self.u64()?))
    }
    fn len(&mut self, item: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n.checked_mul(item)? <= self.0.len()).then_some(n)
    }
    fn rows(&mut self) -> Option<CsrRows> {
        let n = self.len(4)?;
        let start = (0..n).map(|_| self.u32()).collect::<Option<Vec<_>>>()?;
        let m = self.len(8)?;
        let items = (0..m)
            .map(|_| Some((self.u32()?, self.u32()?)))
            .collect::<Option<Vec<_>>>()?;
        // well-formed rows: non-decreasing starts from 0 to the number of items
        let ok = start.first() == Some(&0)
            && start.windows(2).all(|w| w[0] <= w[1])
            && start.last().map(|&l| l as usize) == Some(items.len());
        ok.then_some((start, items))
    }
    fn stats(&mut self) -> Option<SnapStats> {
        let mut c = [0usize; 4];
        for x in &mut c {
            *x = usize::try_from(self.u64()?).ok()?;
        }
        let (median_m, p95_m, max_m) = (self.f64()?, self.f64()?, self.f64()?);
        let n = self.len(8)?;
        let fallback_examples = (0..n)
            .map(|_| self.u64().and_then(|x| u32::try_from(x).ok()))
            .collect::<Option<Vec<_>>>()?;
        Some(SnapStats {
            points: c[0],
            invalid: c[1],
            snapped: c[2],
            fallback: c[3],
            median_m,
            p95_m,
            max_m,
            fallback_examples,
        })
    }
}

impl WalkLinks {
    /// A SHA-256 (hex) of everything street links depend on: the OSM extract's SHA-256 (give
    /// it as hex), the stops', origins' and destinations' coordinates, the walking rules and the
    /// snap distance. Equal keys mean equal links.
    pub fn cache_key(
        osm_sha256: &str,
        feed: &Feed,
        origins: &[LonLat],
        destinations: &[LonLat],
        cfg: &TransitConfig,
        snap_max_m: f64,
    ) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(CACHE_MAGIC);
        h.update(osm_sha256.as_bytes());
        for pts in [feed.stop_pos.as_slice(), origins, destinations] {
            h.update((pts.len() as u64).to_le_bytes());
            for p in pts {
                h.update(p.lon.to_bits().to_le_bytes());
                h.update(p.lat.to_bits().to_le_bytes());
            }
        }
        for v in [
            cfg.walk_speed_kmh,
            cfg.detour,
            cfg.max_walk_m,
            cfg.max_transfer_walk_m,
            snap_max_m,
            MIN_COMPONENT_NODES as f64,
        ] {
            h.update(v.to_bits().to_le_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Writes the links to `path` under `key` (from [`WalkLinks::cache_key`]): written to a
    /// temporary file beside it and renamed, so a reader never sees half a file.
    ///
    /// # Errors
    /// [`TransitError::Io`] naming the file.
    pub fn save_cache(&self, path: &std::path::Path, key: &str) -> Result<(), TransitError> {
        use sha2::Digest;
        let mut e = Enc(Vec::new());
        e.0.extend_from_slice(CACHE_MAGIC);
        e.0.extend_from_slice(key.as_bytes());
        e.0.push(b'\n');
        let k = &self.key;
        for v in [k.stops, k.origins, k.destinations] {
            e.u64(v as u64);
        }
        for v in [k.walk.speed_mps, k.walk.detour, k.max_walk_m, k.max_transfer_walk_m] {
            e.f64(v);
        }
        e.rows(&self.nb_start, &self.nb);
        e.rows(&self.so_start, &self.so);
        e.rows(&self.eg_start, &self.eg);
        e.rows(&self.dd_start, &self.dd);
        match &self.snapping {
            None => e.u64(0),
            Some(r) => {
                e.u64(1);
                e.f64(r.snap_max_m);
                e.stats(&r.stops);
                e.stats(&r.origins);
                e.stats(&r.destinations);
            }
        }
        // A SHA-256 of the content closes the file: damage is detected, not read as walks.
        let sum = sha2::Sha256::digest(&e.0);
        e.0.extend_from_slice(&sum);
        let io = |source: std::io::Error| TransitError::Io {
            path: path.to_path_buf(),
            source,
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let r = std::fs::write(&tmp, &e.0).and_then(|()| std::fs::rename(&tmp, path));
        if r.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        r.map_err(io)
    }

    /// Reads links saved by [`WalkLinks::save_cache`] if `path` exists, is well formed, was saved
    /// under `key` and fits these points and rules; `None` otherwise (then compute and save).
    pub fn load_cache(
        path: &std::path::Path,
        key: &str,
        feed: &Feed,
        origins: &[LonLat],
        destinations: &[LonLat],
        cfg: &TransitConfig,
    ) -> Option<Self> {
        use sha2::Digest;
        let bytes = std::fs::read(path).ok()?;
        let (body, sum) = bytes.split_at(bytes.len().checked_sub(32)?);
        if sha2::Sha256::digest(body)[..] != *sum {
            return None;
        }
        let mut d = Dec(body);
        if d.take(CACHE_MAGIC.len())? != CACHE_MAGIC || d.take(key.len() + 1)? != [key.as_bytes(), b"\n"].concat() {
            return None;
        }
        let mut c = [0usize; 3];
        for x in &mut c {
            *x = usize::try_from(d.u64()?).ok()?;
        }
        let (speed_mps, detour, max_walk_m, max_transfer_walk_m) = (d.f64()?, d.f64()?, d.f64()?, d.f64()?);
        let key = Key {
            stops: c[0],
            origins: c[1],
            destinations: c[2],
            walk: Walk { speed_mps, detour },
            max_walk_m,
            max_transfer_walk_m,
        };
        let (nb_start, nb) = d.rows()?;
        let (so_start, so) = d.rows()?;
        let (eg_start, eg) = d.rows()?;
        let (dd_start, dd) = d.rows()?;
        let snapping = match d.u64()? {
            0 => None,
            1 => Some(SnapReport {
                snap_max_m: d.f64()?,
                stops: d.stats()?,
                origins: d.stats()?,
                destinations: d.stats()?,
            }),
            _ => return None,
        };
        // every index in range
        let fits = |start: &[u32], items: &[(u32, u32)], rows: usize, cols: usize| {
            start.len() == rows + 1 && items.iter().all(|&(i, _)| (i as usize) < cols)
        };
        let (ns, no, nd) = (key.stops, key.origins, key.destinations);
        if !(d.0.is_empty()
            && fits(&nb_start, &nb, ns, ns)
            && fits(&so_start, &so, ns, no)
            && fits(&eg_start, &eg, nd, ns)
            && fits(&dd_start, &dd, nd, no))
        {
            return None;
        }
        let links = WalkLinks {
            key,
            nb_start,
            nb,
            so_start,
            so,
            eg_start,
            eg,
            dd_start,
            dd,
            snapping,
        };
        let lim = Limits::new(cfg).ok()?;
        links.check(feed, origins, destinations, cfg, lim.walk).ok()?;
        Some(links)
    }
}

impl Key {
    fn new(feed: &Feed, origins: &[LonLat], destinations: &[LonLat], cfg: &TransitConfig, walk: Walk) -> Self {
        Key {
            stops: feed.stop_count(),
            origins: origins.len(),
            destinations: destinations.len(),
            walk,
            max_walk_m: cfg.max_walk_m,
            max_transfer_walk_m: cfg.max_transfer_walk_m,
        }
    }
}

/// Where a point snapped: the edge, the distances along it to its ends (mm, adding up to the
/// edge's length) and the straight hop from the point to the edge (mm, rounded up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Snap {
    pub(crate) seg: u32,
    pub(crate) off_u: u32,
    pub(crate) off_v: u32,
    pub(crate) conn: u32,
}

impl StreetNetwork {
    /// Snaps `p` to the nearest snappable edge (nearest in the network's local projection);
    /// `None` if `p` is invalid or farther than `max_m` (haversine to the foot of the
    /// perpendicular). Also returns that distance, metres.
    pub(crate) fn snap(&self, p: LonLat, max_m: f64) -> Option<(Snap, f64)> {
        if !p.is_valid() {
            return None;
        }
        let (x, y) = self.proj.project(p);
        let nn = self.tree.nearest_neighbor(&[x, y])?;
        let (a, b) = (nn.geom().from, nn.geom().to);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let l2 = dx * dx + dy * dy;
        let f = if l2 > 0.0 {
            (((x - a[0]) * dx + (y - a[1]) * dy) / l2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let foot = self.proj.unproject(a[0] + f * dx, a[1] + f * dy);
        let d = haversine_m(p, foot);
        if d.is_nan() || d > max_m {
            return None;
        }
        let seg = self.segs[nn.data as usize];
        let off_u = ((f * seg.len_mm as f64).round() as u32).min(seg.len_mm);
        Some((
            Snap {
                seg: nn.data,
                off_u,
                off_v: seg.len_mm - off_u,
                conn: ceil_mm(d),
            },
            d,
        ))
    }
}

/// One kind of point (stops, origins or destinations) attached to the graph.
struct Targets<'a> {
    pos: &'a [LonLat],
    snaps: Vec<Option<Snap>>,
    /// Per graph node: (point, distance along the edge from this node to the point's snap, mm).
    att_start: Vec<u32>,
    att: Vec<(u32, u32)>,
    /// (edge, point), sorted: the points snapped to each edge.
    by_seg: Vec<(u32, u32)>,
    /// All valid points, and the valid points that did not snap.
    all: PointIndex,
    unsnapped: PointIndex,
}

impl<'a> Targets<'a> {
    fn new(net: &StreetNetwork, pos: &'a [LonLat], snaps: Vec<Option<Snap>>) -> Self {
        let n = net.node_count();
        let mut pairs: Vec<(u32, u32, u32)> = Vec::new();
        let mut by_seg = Vec::new();
        for (i, s) in snaps.iter().enumerate() {
            if let Some(s) = s {
                let e = net.segs[s.seg as usize];
                pairs.push((e.u, i as u32, s.off_u));
                pairs.push((e.v, i as u32, s.off_v));
                by_seg.push((s.seg, i as u32));
            }
        }
        pairs.sort_unstable();
        by_seg.sort_unstable();
        let mut att_start = vec![0u32; n + 1];
        for &(u, _, _) in &pairs {
            att_start[u as usize + 1] += 1;
        }
        for k in 0..n {
            att_start[k + 1] += att_start[k];
        }
        let att = pairs.iter().map(|&(_, i, o)| (i, o)).collect();
        let all = PointIndex::new(pos, |_| true);
        let unsnapped = PointIndex::new(pos, |i| snaps[i].is_none());
        Targets {
            pos,
            snaps,
            att_start,
            att,
            by_seg,
            all,
            unsnapped,
        }
    }
}

/// Snaps one kind of point and attaches it to the graph.
fn side<'a>(net: &StreetNetwork, pts: &'a [LonLat], snap_max_m: f64) -> (Targets<'a>, SnapStats) {
    let snaps: Vec<Option<(Snap, f64)>> = pts.par_iter().map(|&p| net.snap(p, snap_max_m)).collect();
    let dists: Vec<Option<f64>> = snaps.iter().map(|s| s.map(|x| x.1)).collect();
    let stats = SnapStats::new(&dists, pts);
    let snaps: Vec<Option<Snap>> = snaps.into_iter().map(|s| s.map(|x| x.0)).collect();
    (Targets::new(net, pts, snaps), stats)
}

/// Per-thread scratch of the bounded Dijkstra.
struct Dijkstra {
    dist: Vec<u32>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<(u32, u32)>>,
    best: Vec<u32>,
    best_touched: Vec<u32>,
}

impl Dijkstra {
    fn new(n: usize) -> Self {
        Dijkstra {
            dist: vec![INF; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            best: Vec::new(),
            best_touched: Vec::new(),
        }
    }

    /// Shortest distances (mm) from the snapped point `src` to every node within `limit` mm.
    fn run(&mut self, net: &StreetNetwork, src: &Snap, limit: u32) {
        for &x in &self.touched {
            self.dist[x as usize] = INF;
        }
        self.touched.clear();
        self.heap.clear();
        let e = net.segs[src.seg as usize];
        for (x, d) in [
            (e.u, src.conn.saturating_add(src.off_u)),
            (e.v, src.conn.saturating_add(src.off_v)),
        ] {
            if d <= limit && d < self.dist[x as usize] {
                if self.dist[x as usize] == INF {
                    self.touched.push(x);
                }
                self.dist[x as usize] = d;
                self.heap.push(Reverse((d, x)));
            }
        }
        while let Some(Reverse((d, x))) = self.heap.pop() {
            if d > self.dist[x as usize] {
                continue;
            }
            let (ns, ws) = (net.graph.neighbors_slice(x), net.graph.edges_slice(x));
            for (&y, &w) in ns.iter().zip(ws) {
                let nd = d.saturating_add(w);
                if nd <= limit && nd < self.dist[y as usize] {
                    if self.dist[y as usize] == INF {
                        self.touched.push(y);
                    }
                    self.dist[y as usize] = nd;
                    self.heap.push(Reverse((nd, y)));
                }
            }
        }
    }

    /// After [`Dijkstra::run`] from `src` (at `p`): the points of `t` within `limit` mm, as
    /// (point, mm) with mm = max(street distance, straight-line distance rounded up).
    fn collect(&mut self, t: &Targets, src: &Snap, p: LonLat, limit: u32, out: &mut Vec<(u32, u32)>) {
        if self.best.len() < t.pos.len() {
            self.best.resize(t.pos.len(), INF);
        }
        let upd = |best: &mut Vec<u32>, bt: &mut Vec<u32>, i: u32, c: u32| {
            let b = &mut best[i as usize];
            if c < *b {
                if *b == INF {
                    bt.push(i);
                }
                *b = c;
            }
        };
        for &x in &self.touched {
            let d = self.dist[x as usize];
            for &(i, off) in &t.att[t.att_start[x as usize] as usize..t.att_start[x as usize + 1] as usize] {
                let conn = t.snaps[i as usize].map_or(INF, |s| s.conn);
                let c = d.saturating_add(off).saturating_add(conn);
                if c <= limit {
                    upd(&mut self.best, &mut self.best_touched, i, c);
                }
            }
        }
        // Points on the source's own edge: along the edge, without going round by its ends.
        let lo = t.by_seg.partition_point(|&(s, _)| s < src.seg);
        for &(s, i) in &t.by_seg[lo..] {
            if s != src.seg {
                break;
            }
            if let Some(ts) = t.snaps[i as usize] {
                let c = src
                    .conn
                    .saturating_add(src.off_u.abs_diff(ts.off_u))
                    .saturating_add(ts.conn);
                if c <= limit {
                    upd(&mut self.best, &mut self.best_touched, i, c);
                }
            }
        }
        for &i in &self.best_touched {
            let street = self.best[i as usize];
            self.best[i as usize] = INF;
            let mm = street.max(ceil_mm(haversine_m(p, t.pos[i as usize])));
            if mm <= limit {
                out.push((i, mm));
            }
        }
        self.best_touched.clear();
    }
}

/// A CSR table read back from the walk cache: row starts, then (target, length) pairs.
type CsrRows = (Vec<u32>, Vec<(u32, u32)>);
