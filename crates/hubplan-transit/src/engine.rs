//! The travel-time engine: a reverse profile Connection Scan per destination.
//!
//! See the crate documentation and `docs/TRANSIT.md` for the definition of the
//! travel time that is computed, and the proof sketch of exactness.

use std::sync::atomic::{AtomicUsize, Ordering};

use hubplan_geo::LonLat;
use rayon::prelude::*;

use crate::feed::{Feed, NO_ALIGHT, NO_BOARD};
use crate::links::WalkLinks;
use crate::walk::Walk;
use crate::TransitError;

/// Marker for "not reachable within the cutoff" in per-minute times.
pub const UNREACHABLE: u32 = u32::MAX;
const INF: u32 = u32::MAX;
const NONE: u32 = u32::MAX;
/// Largest cutoff used internally (30 days); larger or infinite cutoffs are clamped to it.
const MAX_CUT_S: u32 = 30 * 86_400;

/// Parameters of a travel-time matrix. All times are seconds after midnight of
/// the feed's service date; distances are metres.
#[derive(Clone, Debug, PartialEq)]
pub struct TransitConfig {
    /// First departure minute (inclusive), seconds after midnight.
    pub window_start_s: u32,
    /// End of the window (exclusive): departures at `start, start+60, …` while `< end`.
    pub window_end_s: u32,
    /// Percentile of the per-minute times reported, `0 < p <= 100`, nearest rank;
    /// unreachable minutes count as +∞.
    pub percentile: f64,
    /// Cutoff in minutes: pairs whose percentile value exceeds it are omitted.
    pub max_minutes: f64,
    /// Walking speed in km/h (default 4.8).
    pub walk_speed_kmh: f64,
    /// Detour factor applied to straight-line distances (default 1.3).
    pub detour: f64,
    /// Longest walked distance (after the detour factor) for access, egress and a
    /// direct origin→destination walk, metres (default 800).
    pub max_walk_m: f64,
    /// Longest walked distance of a transfer between two stops, metres (default 400).
    pub max_transfer_walk_m: f64,
    /// Transfer slack: a change of vehicle needs `arrival + walk + slack <= departure` (default 60).
    pub transfer_slack_s: u32,
    /// At most this many vehicles per journey (`None`: unlimited).
    pub max_rides: Option<u32>,
    /// Also report the share of departure minutes whose time is within this many minutes.
    pub share_within: Option<f64>,
}

impl Default for TransitConfig {
    /// 07:00–09:00, median, 90 min cutoff, 4.8 km/h, detour 1.3, 800 m walks,
    /// 400 m transfers, 60 s slack, unlimited rides.
    fn default() -> Self {
        TransitConfig {
            window_start_s: 7 * 3600,
            window_end_s: 9 * 3600,
            percentile: 50.0,
            max_minutes: 90.0,
            walk_speed_kmh: 4.8,
            detour: 1.3,
            max_walk_m: 800.0,
            max_transfer_walk_m: 400.0,
            transfer_slack_s: 60,
            max_rides: None,
            share_within: None,
        }
    }
}

impl TransitConfig {
    /// Checks the configuration as [`travel_time_matrix`] does, without a feed: window order,
    /// percentile in (0, 100], a walking speed in (0, 50) km/h, a detour in [1, 10],
    /// `max_minutes` > 0, non-negative distances and `share_within`, `max_rides` in 1..=64
    /// (the ranges of a scenario's `[transit]` section).
    ///
    /// # Errors
    /// [`TransitError::Config`] naming the parameter.
    pub fn validate(&self) -> Result<(), TransitError> {
        Limits::new(self).map(|_| ())
    }

    /// The longest journey the engine keeps for `max_minutes`, in whole seconds:
    /// its cutoff, as [`travel_time_matrix`] computes it (0 for a negative or
    /// NaN `max_minutes`, which [`Self::validate`] refuses).
    pub fn max_journey_s(&self) -> u32 {
        minutes_to_cut("max_minutes", self.max_minutes).unwrap_or(0)
    }
}

/// One origin–destination pair of the matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatrixEntry {
    /// Index into the `origins` slice.
    pub origin: u32,
    /// Index into the `destinations` slice.
    pub destination: u32,
    /// The percentile of the per-minute travel times, in whole seconds.
    pub seconds: u32,
    /// Share (0–1) of departure minutes with a time within `share_within` minutes, if requested.
    pub share_within: Option<f32>,
}

/// `seconds / 60` rounded to two decimals, half away from zero on the exact rational.
///
/// `s/60` has hundredths `5s/3`, whose fractional part is 0, ⅓ or ⅔, so there are
/// never ties; the result is the `f64` nearest to that two-decimal number, and
/// `format!("{:.2}", x)` prints it exactly.
pub fn seconds_to_minutes_2dp(s: u32) -> f64 {
    let hundredths = (10 * s as u64 + 3) / 6;
    hundredths as f64 / 100.0
}

/// Nearest-rank percentile of `times` (reordered in place): the value of rank
/// `ceil(p/100 · n)` (at least 1). [`UNREACHABLE`] sorts last, i.e. counts as +∞.
/// Returns [`UNREACHABLE`] for an empty slice.
pub fn percentile_nearest_rank(times: &mut [u32], p: f64) -> u32 {
    let n = times.len();
    if n == 0 {
        return UNREACHABLE;
    }
    let rank = ((p * n as f64) / 100.0 - 1e-9).ceil();
    let rank = if rank.is_finite() {
        rank.clamp(1.0, n as f64) as usize
    } else {
        n
    };
    *times.select_nth_unstable(rank - 1).1
}

/// The validated, integer form of a [`TransitConfig`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) t0: u32,
    pub(crate) n_min: usize,
    /// Output cutoff (percentile must be `<=`), seconds.
    pub(crate) max_cut: u32,
    /// Share threshold, seconds.
    pub(crate) share_cut: Option<u32>,
    /// Per-minute cutoff: `max(max_cut, share_cut)`; per-minute times above it are UNREACHABLE.
    pub(crate) cut: u32,
    pub(crate) walk: Walk,
}

fn minutes_to_cut(name: &'static str, m: f64) -> Result<u32, TransitError> {
    if m.is_nan() || m < 0.0 {
        return Err(TransitError::Config {
            name,
            message: format!("{m} is not a number of minutes >= 0"),
        });
    }
    Ok((m * 60.0).floor().min(MAX_CUT_S as f64) as u32)
}

impl Limits {
    pub(crate) fn new(cfg: &TransitConfig) -> Result<Self, TransitError> {
        let bad = |name: &'static str, message: String| Err(TransitError::Config { name, message });
        if cfg.window_end_s <= cfg.window_start_s {
            return bad(
                "window",
                format!(
                    "end {} s must be after start {} s",
                    cfg.window_end_s, cfg.window_start_s
                ),
            );
        }
        if cfg.window_end_s > 10 * 86_400 {
            return bad(
                "window",
                format!("end {} s is more than 10 days after midnight", cfg.window_end_s),
            );
        }
        if !(cfg.percentile > 0.0 && cfg.percentile <= 100.0) {
            return bad("percentile", format!("{} is not in (0, 100]", cfg.percentile));
        }
        // The same ranges as a scenario's [transit] section (hubplan-io), so that
        // `hubplan travel-times` writes no matrix a scenario would refuse to compute.
        if !(cfg.walk_speed_kmh.is_finite() && cfg.walk_speed_kmh > 0.0 && cfg.walk_speed_kmh < 50.0) {
            return bad(
                "walk_speed_kmh",
                format!(
                    "{} is not a walking speed in km/h, above 0 and below 50",
                    cfg.walk_speed_kmh
                ),
            );
        }
        if !(cfg.detour.is_finite() && (1.0..=10.0).contains(&cfg.detour)) {
            return bad(
                "detour",
                format!(
                    "{} is not a detour factor from 1 to 10 (a walk is never shorter than the straight line)",
                    cfg.detour
                ),
            );
        }
        if !(cfg.max_minutes.is_finite() && cfg.max_minutes > 0.0) {
            return bad(
                "max_minutes",
                format!("{} is not a number of minutes > 0", cfg.max_minutes),
            );
        }
        for (name, v) in [
            ("max_walk_m", cfg.max_walk_m),
            ("max_transfer_walk_m", cfg.max_transfer_walk_m),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(name, format!("{v} is not a distance >= 0"));
            }
        }
        if cfg.transfer_slack_s > 86_400 {
            return bad(
                "transfer_slack_s",
                format!("{} s is more than a day", cfg.transfer_slack_s),
            );
        }
        if cfg.max_rides == Some(0) {
            return bad("max_rides", "0 is not at least 1 (omit it for unlimited rides)".into());
        }
        if let Some(k) = cfg.max_rides {
            if k > 64 {
                return bad("max_rides", format!("{k} is more than 64; omit it for unlimited rides"));
            }
        }
        let max_cut = minutes_to_cut("max_minutes", cfg.max_minutes)?;
        let share_cut = match cfg.share_within {
            Some(m) => Some(minutes_to_cut("share_within", m)?),
            None => None,
        };
        let cut = max_cut.max(share_cut.unwrap_or(0));
        let n_min = (cfg.window_end_s - cfg.window_start_s).div_ceil(60) as usize;
        Ok(Limits {
            t0: cfg.window_start_s,
            n_min,
            max_cut,
            share_cut,
            cut,
            walk: Walk::new(cfg.walk_speed_kmh, cfg.detour),
        })
    }

    pub(crate) fn minute(&self, i: usize) -> u32 {
        self.t0 + 60 * i as u32
    }
}

/// Everything shared by the per-destination scans of one call.
struct Plan<'a> {
    feed: &'a Feed,
    lim: Limits,
    slack: u32,
    levels: usize,
    bounded: bool,
    origins: &'a [LonLat],
    /// Transfer neighbours (sorted by walking time, self excluded), access, egress and direct
    /// walks.
    links: &'a WalkLinks,
    c_lo: usize,
    c_hi: usize,
    /// Latest useful arrival: last departure minute + cutoff.
    limit: u32,
}

/// Per-thread scratch space, reused across destinations.
struct Scratch {
    /// T per level per connection of the scanned range: `level * n + (ci - c_lo)`.
    tc: Vec<u32>,
    /// Best arrival at the target of a boarding seen so far, per level per stop
    /// (boardings come in non-increasing departure order, so this is the Pareto check).
    bmin: Vec<u32>,
    /// Transfer profiles per level per stop `v`: (latest arrival at `v` that still catches the
    /// boarding = departure − walk − slack, arrival at target); keys non-increasing, arrivals
    /// strictly decreasing (Pareto). A vehicle arriving at `v` at `τ` does best with the last entry
    /// whose key is `>= τ`.
    xs: Vec<Vec<(u32, u32)>>,
    /// The last entry of each transfer profile, `(0, INF)` when empty.
    xlast: Vec<(u32, u32)>,
    touched: Vec<u32>,
    egress: Vec<u32>,
    egress_set: Vec<u32>,
    /// Per origin per minute bucket: best arrival of a boarding whose latest leave time falls in the bucket.
    best: Vec<u32>,
    times: Vec<u32>,
    /// Direct walking seconds per origin to the current destination (INF: none).
    direct: Vec<u32>,
}

#[inline]
fn query(bag: &[(u32, u32)], tau: u32) -> u32 {
    match bag.last() {
        None => INF,
        Some(&(d, v)) if d >= tau => v,
        Some(_) => {
            let n = bag.partition_point(|e| e.0 >= tau);
            if n == 0 {
                INF
            } else {
                bag[n - 1].1
            }
        }
    }
}

/// Inserts `(key, val)` into a Pareto transfer profile (keys non-increasing, values strictly
/// decreasing), dropping it if dominated and removing the entries it dominates. `last[i]` mirrors
/// the profile's last entry (`(0, INF)` when empty) so that the common dominated case is decided
/// without touching the profile's heap memory.
#[inline]
fn insert(xs: &mut [Vec<(u32, u32)>], last: &mut [(u32, u32)], touched: &mut Vec<u32>, i: usize, key: u32, val: u32) {
    let (lk, lv) = last[i];
    if lv == INF {
        xs[i].push((key, val));
        last[i] = (key, val);
        touched.push(i as u32);
        return;
    }
    if lk >= key {
        if lv > val {
            xs[i].push((key, val));
            last[i] = (key, val);
        }
        return;
    }
    let x = &mut xs[i];
    let p = x.partition_point(|e| e.0 >= key);
    if p > 0 && x[p - 1].1 <= val {
        return;
    }
    let mut q = p;
    while q < x.len() && x[q].1 >= val {
        q += 1;
    }
    if q == p {
        x.insert(p, (key, val));
    } else {
        x[p] = (key, val);
        x.drain(p + 1..q);
    }
    if let Some(&l) = x.last() {
        last[i] = l;
    }
}

impl<'a> Plan<'a> {
    fn new(
        feed: &'a Feed,
        origins: &'a [LonLat],
        destinations: &[LonLat],
        links: &'a WalkLinks,
        cfg: &TransitConfig,
    ) -> Result<Self, TransitError> {
        let lim = Limits::new(cfg)?;
        links.check(feed, origins, destinations, cfg, lim.walk)?;
        let t_last = lim.minute(lim.n_min - 1);
        let limit = t_last.saturating_add(lim.cut);
        let c_lo = feed.c_dep.partition_point(|&d| d < lim.t0);
        let c_hi = feed.c_dep.partition_point(|&d| d <= limit);
        let (levels, bounded) = match cfg.max_rides {
            Some(k) => (k as usize, true),
            None => (1, false),
        };
        Ok(Plan {
            feed,
            lim,
            slack: cfg.transfer_slack_s,
            levels,
            bounded,
            origins,
            links,
            c_lo,
            c_hi: c_hi.max(c_lo),
            limit,
        })
    }

    fn scratch(&self) -> Scratch {
        let ns = self.feed.stop_count();
        Scratch {
            tc: vec![INF; self.levels * (self.c_hi - self.c_lo)],
            bmin: vec![INF; self.levels * ns],
            xs: vec![Vec::new(); self.levels * ns],
            xlast: vec![(0, INF); self.levels * ns],
            touched: Vec::new(),
            egress: vec![INF; ns],
            egress_set: Vec::new(),
            best: vec![INF; self.origins.len() * self.lim.n_min],
            times: vec![INF; self.lim.n_min],
            direct: vec![INF; self.origins.len()],
        }
    }

    /// Computes T (earliest arrival at the target when on board connection `ci`) at
    /// every level; returns true if any value decreased. On the `first` visit the
    /// stale value of the previous destination is ignored.
    #[inline]
    fn process(&self, s: &mut Scratch, ci: usize, first: bool) -> bool {
        let f = self.feed;
        let n = self.c_hi - self.c_lo;
        let ns = f.stop_count();
        let (dep, arr) = (f.c_dep[ci], f.c_arr[ci]);
        let (from, to) = (f.c_from[ci] as usize, f.c_to[ci] as usize);
        let flags = f.c_flags[ci];
        let next = f.c_next[ci];
        let mut changed = false;
        for k in 0..self.levels {
            let slot = k * n + (ci - self.c_lo);
            let mut t = INF;
            if arr <= self.limit {
                // stay seated
                if next != NONE && (next as usize) < self.c_hi {
                    t = s.tc[k * n + (next as usize - self.c_lo)];
                }
                if flags & NO_ALIGHT == 0 {
                    // alight and walk to the target
                    let e = s.egress[to];
                    if e != INF {
                        t = t.min(arr + e);
                    }
                    // alight and change vehicle (same stop or one walking hop, plus slack):
                    // footpaths and slack are already folded into the transfer profile of `to`
                    let lvl = if self.bounded { k.checked_sub(1) } else { Some(0) };
                    if let Some(l) = lvl {
                        if arr < t {
                            t = t.min(query(&s.xs[l * ns + to], arr));
                        }
                    }
                }
                if t != INF && (t > dep.saturating_add(self.lim.cut) || t > self.limit) {
                    t = INF;
                }
            }
            let old = if first { INF } else { s.tc[slot] };
            if first {
                s.tc[slot] = t;
            }
            if t < old {
                changed = true;
                if !first {
                    s.tc[slot] = t;
                }
            }
            if t != INF && t < old && flags & NO_BOARD == 0 {
                // board here: (dep, t) at `from`, unless an earlier-scanned (later or equal)
                // boarding at `from` already arrives as early
                let bi = k * ns + from;
                if t < s.bmin[bi] {
                    s.bmin[bi] = t;
                    if k + 1 == self.levels {
                        self.to_origins(s, from, dep, t);
                    }
                    // Only keys >= window start can be met: every scanned arrival is >= it.
                    // Profiles of the top level are never read when rides are bounded.
                    let t0 = self.lim.t0;
                    let read = !self.bounded || k + 1 < self.levels;
                    if let Some(key) = dep.checked_sub(self.slack).filter(|&key| key >= t0 && read) {
                        insert(&mut s.xs, &mut s.xlast, &mut s.touched, bi, key, t);
                        let l = self.links;
                        let (a, b) = (l.nb_start[from] as usize, l.nb_start[from + 1] as usize);
                        for &(w, fw) in &l.nb[a..b] {
                            match key.checked_sub(fw) {
                                Some(kw) if kw >= t0 => {
                                    insert(&mut s.xs, &mut s.xlast, &mut s.touched, k * ns + w as usize, kw, t)
                                }
                                _ => break,
                            }
                        }
                    }
                }
            }
        }
        changed
    }

    /// Records a boarding at `stop` at `dep` with arrival `val` for the origins near the stop.
    #[inline]
    fn to_origins(&self, s: &mut Scratch, stop: usize, dep: u32, val: u32) {
        let l = self.links;
        let (a, b) = (l.so_start[stop] as usize, l.so_start[stop + 1] as usize);
        let t0 = self.lim.t0;
        let n = self.lim.n_min;
        for &(o, acc) in &l.so[a..b] {
            let leave = match dep.checked_sub(acc) {
                Some(l) if l >= t0 => l,
                _ => continue,
            };
            let i = (((leave - t0) / 60) as usize).min(n - 1);
            let ti = self.lim.minute(i);
            if val - ti > self.lim.cut {
                continue;
            }
            let slot = &mut s.best[o as usize * n + i];
            if val < *slot {
                *slot = val;
            }
        }
    }

    /// Runs the reverse profile scan for one destination and calls `emit(origin, per_minute_times)`.
    fn destination(&self, s: &mut Scratch, dest: usize, mut emit: impl FnMut(usize, &[u32])) {
        let f = self.feed;
        for &st in &s.egress_set {
            s.egress[st as usize] = INF;
        }
        s.egress_set.clear();
        let l = self.links;
        for &(i, w) in &l.eg[l.eg_start[dest] as usize..l.eg_start[dest + 1] as usize] {
            s.egress[i as usize] = w;
            s.egress_set.push(i);
        }
        let direct_walks = &l.dd[l.dd_start[dest] as usize..l.dd_start[dest + 1] as usize];
        for &(o, w) in direct_walks {
            s.direct[o as usize] = w;
        }
        for &b in &s.touched {
            s.xs[b as usize].clear();
            s.xlast[b as usize] = (0, INF);
        }
        s.touched.clear();
        s.bmin.fill(INF);
        s.best.fill(INF);

        let mut hi = self.c_hi;
        while hi > self.c_lo {
            let dep = f.c_dep[hi - 1];
            let mut lo = hi - 1;
            while lo > self.c_lo && f.c_dep[lo - 1] == dep {
                lo -= 1;
            }
            let mut zero = false;
            for ci in (lo..hi).rev() {
                self.process(s, ci, true);
                zero |= f.c_arr[ci] == dep;
            }
            if zero && self.slack == 0 {
                // Zero-duration hops with zero slack can chain within one departure second:
                // iterate to a fixpoint (values only decrease, so this terminates).
                loop {
                    let mut changed = false;
                    for ci in (lo..hi).rev() {
                        if f.c_arr[ci] == dep {
                            changed |= self.process(s, ci, false);
                        }
                    }
                    if !changed {
                        break;
                    }
                }
            }
            hi = lo;
        }

        let n = self.lim.n_min;
        for o in 0..self.origins.len() {
            let direct = Some(s.direct[o]).filter(|&w| w != INF);
            let mut run = INF;
            for i in (0..n).rev() {
                run = run.min(s.best[o * n + i]);
                let ti = self.lim.minute(i);
                let mut ea = run;
                if let Some(w) = direct {
                    ea = ea.min(ti.saturating_add(w));
                }
                let tt = if ea == INF { INF } else { ea - ti };
                s.times[i] = if tt > self.lim.cut { UNREACHABLE } else { tt };
            }
            emit(o, &s.times);
        }
        for &(o, _) in direct_walks {
            s.direct[o as usize] = INF;
        }
    }
}

/// Exact travel-time matrix from every origin to every destination over a window of
/// departure minutes, reduced to a percentile.
///
/// # Arguments
/// * `feed` – the timetable of one service date ([`crate::load_feed`] or [`crate::FeedBuilder`]).
/// * `origins`, `destinations` – WGS84 points; points with invalid coordinates reach nothing.
/// * `cfg` – window, percentile, cutoff, walking and transfer rules (validated first).
/// * `progress` – called with `(destinations done, destinations total)` after each destination,
///   from worker threads.
///
/// # Returns
/// Entries sorted by `(origin, destination)`, only for pairs whose percentile value is at most
/// `max_minutes`. The result is identical whatever the number of rayon threads.
///
/// # Errors
/// [`TransitError::Config`] for an invalid configuration. Nothing else fails.
///
/// # Complexity
/// One reverse profile Connection Scan per destination (Dibbelt, Pajor, Strasser, Wagner,
/// "Connection Scan Algorithm", 2013/2018) over the connections departing in
/// `[window_start, last minute + cutoff]`: O(D · (C_w · (1 + F·log B) + P·A + O·M)) time, where C_w is
/// the number of such connections, F the transfer neighbours per stop, B the profile size per stop,
/// P the profile entries created, A the origins per stop, O origins and M minutes; memory per
/// thread O(C_w · levels + S · levels + O · M). Runs in parallel over destinations with rayon.
pub fn travel_time_matrix(
    feed: &Feed,
    origins: &[LonLat],
    destinations: &[LonLat],
    cfg: &TransitConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<MatrixEntry>, TransitError> {
    let links = WalkLinks::straight(feed, origins, destinations, cfg)?;
    travel_time_matrix_with(feed, &links, origins, destinations, cfg, progress)
}

/// [`travel_time_matrix`] with walking links computed beforehand: straight-line
/// ([`WalkLinks::straight`]) or on a street network ([`WalkLinks::streets`]). The links must have
/// been built for the same feed, points and walking rules.
///
/// # Errors
/// [`TransitError::Config`] for an invalid configuration or links built for something else.
pub fn travel_time_matrix_with(
    feed: &Feed,
    links: &WalkLinks,
    origins: &[LonLat],
    destinations: &[LonLat],
    cfg: &TransitConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<MatrixEntry>, TransitError> {
    let plan = Plan::new(feed, origins, destinations, links, cfg)?;
    let total = destinations.len();
    let done = AtomicUsize::new(0);
    let p = cfg.percentile;
    let lim = plan.lim;
    let per_dest: Vec<Vec<MatrixEntry>> = destinations
        .par_iter()
        .enumerate()
        .map_init(
            || (plan.scratch(), Vec::new()),
            |(s, sorted), (d, _)| {
                let mut out = Vec::new();
                plan.destination(s, d, |o, times| {
                    sorted.clear();
                    sorted.extend_from_slice(times);
                    let v = percentile_nearest_rank(sorted, p);
                    if v != UNREACHABLE && v <= lim.max_cut {
                        let share = lim.share_cut.map(|c| {
                            let k = times.iter().filter(|&&t| t <= c).count();
                            k as f32 / times.len() as f32
                        });
                        out.push(MatrixEntry {
                            origin: o as u32,
                            destination: d as u32,
                            seconds: v,
                            share_within: share,
                        });
                    }
                });
                let k = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(k, total);
                out
            },
        )
        .collect();
    let mut all: Vec<MatrixEntry> = per_dest.into_iter().flatten().collect();
    all.sort_unstable_by_key(|e| (e.origin, e.destination));
    Ok(all)
}

/// Per-minute travel times, for inspection and testing.
///
/// Returns `times[d][o * M + i]` = seconds from origin `o` to destination `d` when leaving at the
/// `i`-th departure minute (M minutes in the window), or [`UNREACHABLE`] when the destination is
/// not reached within `max(max_minutes, share_within)` minutes. Same algorithm and arguments as
/// [`travel_time_matrix`]; memory O(D · O · M).
pub fn per_minute_times(
    feed: &Feed,
    origins: &[LonLat],
    destinations: &[LonLat],
    cfg: &TransitConfig,
) -> Result<Vec<Vec<u32>>, TransitError> {
    let links = WalkLinks::straight(feed, origins, destinations, cfg)?;
    per_minute_times_with(feed, &links, origins, destinations, cfg)
}

/// [`per_minute_times`] with walking links computed beforehand (see [`travel_time_matrix_with`]).
///
/// # Errors
/// [`TransitError::Config`] for an invalid configuration or links built for something else.
pub fn per_minute_times_with(
    feed: &Feed,
    links: &WalkLinks,
    origins: &[LonLat],
    destinations: &[LonLat],
    cfg: &TransitConfig,
) -> Result<Vec<Vec<u32>>, TransitError> {
    let plan = Plan::new(feed, origins, destinations, links, cfg)?;
    let n = plan.lim.n_min;
    Ok((0..destinations.len())
        .into_par_iter()
        .map_init(
            || plan.scratch(),
            |s, d| {
                let mut out = vec![UNREACHABLE; origins.len() * n];
                plan.destination(s, d, |o, times| out[o * n..(o + 1) * n].copy_from_slice(times));
                out
            },
        )
        .collect())
}
