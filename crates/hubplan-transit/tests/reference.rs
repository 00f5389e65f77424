//! The fast engine (reverse profile Connection Scan) against an independent brute force.
//!
//! The reference is written as differently as possible: a *forward*, *per departure minute*,
//! *trip-based* round-by-round earliest-arrival search (Bellman–Ford over rides), straight from
//! the definition in docs/TRANSIT.md: round k boards any run at a stop reached in time, rides it
//! and alights anywhere later; arrivals feed transfers (same stop or one walking hop, plus slack)
//! for round k+1. It shares only the walking function (`Walk`) with the engine.
//!
//! Every per-minute time of every pair must agree exactly, on hundreds of random feeds with
//! zero-duration hops, coincident stops, pickup/drop-off restrictions, slack 0 and > 0, with
//! and without `max_rides`, single minutes and windows.

#![allow(clippy::needless_range_loop)] // the brute force is deliberately index-based

use hubplan_geo::LonLat;
use hubplan_transit::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }
    fn point(&mut self) -> LonLat {
        // a 2 km × 2 km area near Canterbury
        LonLat::new(
            1.07 + self.below(2800) as f64 / 100_000.0,
            51.27 + self.below(1800) as f64 / 100_000.0,
        )
    }
}

const T0: u32 = 8 * 3600;

fn random_case(seed: u64) -> (Feed, Vec<LonLat>, Vec<LonLat>, TransitConfig) {
    random_case_mode(seed, false)
}

/// `ties`: few stops, coarse times and mostly zero-duration hops, so that many connections
/// share a departure second and chain within it (the tie-breaking corner of profile scans).
fn random_case_mode(seed: u64, ties: bool) -> (Feed, Vec<LonLat>, Vec<LonLat>, TransitConfig) {
    let mut r = Rng(seed);
    let mut b = FeedBuilder::new(ServiceDate::new(2024, 3, 4).unwrap());
    let n_stops = if ties { r.range(2, 5) } else { r.range(3, 12) } as u32;
    let mut pos = Vec::new();
    for i in 0..n_stops {
        let p = if i > 0 && r.chance(0.15) {
            pos[r.below(i as u64) as usize] // coincident stops: walking time 0
        } else if r.chance(0.03) {
            LonLat::new(f64::NAN, 91.0) // unusable coordinates
        } else {
            r.point()
        };
        pos.push(p);
        b.add_stop(format!("s{i}"), p);
    }
    let n_trips = if ties { r.range(4, 20) } else { r.range(1, 14) };
    let gran = if ties { 300 } else { [1u64, 30, 60][r.below(3) as usize] };
    for t in 0..n_trips {
        let len = r.range(2, 6) as usize;
        let mut time = if ties {
            T0 as u64 + r.below(4) * 300
        } else {
            T0 as u64 - 600 + r.below(60) * 60 + r.below(60 / gran.min(60)) * gran
        };
        let mut sts = Vec::new();
        let mut prev_stop = u32::MAX;
        for _ in 0..len {
            let mut s = r.below(n_stops as u64) as u32;
            if s == prev_stop {
                s = (s + 1) % n_stops;
            }
            prev_stop = s;
            let arr = time;
            let dwell = if r.chance(0.7) { 0 } else { r.range(1, 3) * gran };
            let dep = arr + dwell;
            sts.push(StopTime {
                stop: s,
                arrival: arr as u32,
                departure: dep as u32,
                pickup: !r.chance(0.1),
                drop_off: !r.chance(0.1),
            });
            let hop = if r.chance(if ties { 0.6 } else { 0.15 }) {
                0
            } else {
                r.range(1, 8) * 60 / gran * gran + r.below(2) * gran
            };
            time = dep + hop;
        }
        b.add_trip(format!("t{t}"), &sts).unwrap();
    }
    let feed = b.build();
    let pts = |r: &mut Rng, n: u64| -> Vec<LonLat> {
        (0..n)
            .map(|_| {
                if r.chance(0.3) {
                    pos[r.below(n_stops as u64) as usize]
                } else {
                    r.point()
                }
            })
            .collect()
    };
    let no = r.range(1, 5);
    let origins = pts(&mut r, no);
    let nd = r.range(1, 5);
    let dests = pts(&mut r, nd);
    let minutes = if r.chance(0.3) { 1 } else { r.range(2, 12) as u32 };
    let cfg = TransitConfig {
        window_start_s: T0,
        window_end_s: T0 + minutes * 60 - r.below(59) as u32 * (minutes > 1) as u32,
        percentile: [50.0, 100.0, 1.0, 25.0, 90.0, 33.3][r.below(6) as usize],
        max_minutes: [15.0, 30.0, 60.0, 600.0, 7.5][r.below(5) as usize],
        walk_speed_kmh: [4.8, 3.0, 6.0][r.below(3) as usize],
        detour: [1.0, 1.3, 1.5][r.below(3) as usize],
        max_walk_m: [200.0, 500.0, 800.0, 1500.0][r.below(4) as usize],
        max_transfer_walk_m: [0.0, 200.0, 400.0, 900.0][r.below(4) as usize],
        transfer_slack_s: [0, 0, 30, 60, 120][r.below(5) as usize],
        max_rides: [None, None, Some(1), Some(2), Some(3)][r.below(5) as usize],
        share_within: [None, Some(10.0), Some(45.0)][r.below(3) as usize],
    };
    (feed, origins, dests, cfg)
}

/// Earliest arrival at `d` leaving `o` at `t`, by rounds over runs (the definition, directly).
fn reference_ea(feed: &Feed, o: LonLat, d: LonLat, t: u32, cfg: &TransitConfig) -> Option<u32> {
    const INF: u32 = u32::MAX;
    let walk = Walk::new(cfg.walk_speed_kmh, cfg.detour);
    let ns = feed.stop_count();
    let runs: Vec<Vec<StopTime>> = (0..feed.trip_count()).map(|i| feed.trip_stop_times(i)).collect();
    let mut best = INF;
    if let Some(w) = walk.link(o, d, cfg.max_walk_m) {
        best = t + w;
    }
    let mut ready = vec![INF; ns];
    for s in 0..ns {
        if let Some(a) = walk.link(o, feed.stop_position(s), cfg.max_walk_m) {
            ready[s] = t + a;
        }
    }
    let max_rounds = cfg.max_rides.unwrap_or(10_000);
    for _round in 0..max_rounds {
        let mut alight = vec![INF; ns];
        for run in &runs {
            let mut on = false;
            for st in run {
                if on && st.drop_off {
                    let a = &mut alight[st.stop as usize];
                    *a = (*a).min(st.arrival);
                }
                if st.pickup && ready[st.stop as usize] <= st.departure {
                    on = true;
                }
            }
        }
        let mut changed = false;
        let mut next = ready.clone();
        for v in 0..ns {
            if alight[v] == INF {
                continue;
            }
            if let Some(e) = walk.link(feed.stop_position(v), d, cfg.max_walk_m) {
                best = best.min(alight[v] + e);
            }
            for w in 0..ns {
                let f = if v == w {
                    Some(0)
                } else {
                    walk.link(feed.stop_position(v), feed.stop_position(w), cfg.max_transfer_walk_m)
                };
                if let Some(f) = f {
                    let x = alight[v] + f + cfg.transfer_slack_s;
                    if x < next[w] {
                        next[w] = x;
                        changed = true;
                    }
                }
            }
        }
        ready = next;
        if !changed {
            break;
        }
    }
    (best != INF).then_some(best)
}

fn minutes_of(cfg: &TransitConfig) -> Vec<u32> {
    (cfg.window_start_s..cfg.window_end_s).step_by(60).collect()
}

fn cutoff_s(cfg: &TransitConfig) -> u32 {
    let m = cfg.max_minutes.max(cfg.share_within.unwrap_or(0.0));
    (m * 60.0).floor() as u32
}

fn reference_times(feed: &Feed, o: LonLat, d: LonLat, cfg: &TransitConfig) -> Vec<u32> {
    let cut = cutoff_s(cfg);
    minutes_of(cfg)
        .into_iter()
        .map(|t| match reference_ea(feed, o, d, t, cfg) {
            Some(ea) if ea - t <= cut => ea - t,
            _ => UNREACHABLE,
        })
        .collect()
}

/// (finite per-minute values, values where riding beats the direct walk)
fn check_case(seed: u64) -> (usize, usize) {
    let (feed, origins, dests, cfg) = random_case(seed);
    let fast = per_minute_times(&feed, &origins, &dests, &cfg).unwrap();
    let n = minutes_of(&cfg).len();
    let mut expected_entries = Vec::new();
    let mut stats = (0, 0);
    let walk_only = TransitConfig {
        max_rides: Some(1),
        ..cfg.clone()
    };
    let empty = FeedBuilder::new(feed.date()).build();
    for (di, &d) in dests.iter().enumerate() {
        for (oi, &o) in origins.iter().enumerate() {
            let want = reference_times(&feed, o, d, &cfg);
            let got = &fast[di][oi * n..(oi + 1) * n];
            assert_eq!(
                got,
                &want[..],
                "seed {seed}: origin {oi} destination {di}\ncfg {cfg:?}\nfeed {feed:?}"
            );
            let walking = reference_times(&empty, o, d, &walk_only);
            stats.0 += want.iter().filter(|&&x| x != UNREACHABLE).count();
            stats.1 += want.iter().zip(&walking).filter(|(a, b)| a < b).count();
            let mut sorted = want.clone();
            let v = percentile_nearest_rank(&mut sorted, cfg.percentile);
            if v != UNREACHABLE && v as f64 <= (cfg.max_minutes * 60.0).floor() {
                let share = cfg
                    .share_within
                    .map(|m| want.iter().filter(|&&x| x as f64 <= (m * 60.0).floor()).count() as f32 / n as f32);
                expected_entries.push(MatrixEntry {
                    origin: oi as u32,
                    destination: di as u32,
                    seconds: v,
                    share_within: share,
                });
            }
        }
    }
    expected_entries.sort_by_key(|e| (e.origin, e.destination));
    let got = travel_time_matrix(&feed, &origins, &dests, &cfg, &|_, _| {}).unwrap();
    assert_eq!(got, expected_entries, "seed {seed}: matrix");
    stats
}

#[test]
fn engine_matches_brute_force_on_random_feeds() {
    let (mut finite, mut ridden) = (0, 0);
    for seed in 0..1500 {
        let (f, r) = check_case(seed);
        finite += f;
        ridden += r;
    }
    eprintln!("{finite} finite per-minute times, {ridden} of them faster than walking");
    assert!(
        ridden > 2000,
        "random feeds must exercise riding, not just walking ({ridden})"
    );
}

#[test]
fn engine_matches_brute_force_when_connections_tie() {
    for seed in 20_000..21_500 {
        let (feed, origins, dests, mut cfg) = random_case_mode(seed, true);
        if seed % 2 == 0 {
            cfg.transfer_slack_s = 0;
        }
        let fast = per_minute_times(&feed, &origins, &dests, &cfg).unwrap();
        let n = minutes_of(&cfg).len();
        for (di, &d) in dests.iter().enumerate() {
            for (oi, &o) in origins.iter().enumerate() {
                assert_eq!(
                    &fast[di][oi * n..(oi + 1) * n],
                    &reference_times(&feed, o, d, &cfg)[..],
                    "seed {seed} o {oi} d {di} cfg {cfg:?} feed {feed:?}"
                );
            }
        }
    }
}

#[test]
fn engine_matches_brute_force_on_dense_single_minutes() {
    // more trips, single departure minute, slack 0 (the hardest case for profile scans)
    for seed in 10_000..10_400 {
        let (feed, origins, dests, mut cfg) = random_case(seed);
        cfg.window_end_s = cfg.window_start_s + 1;
        cfg.transfer_slack_s = 0;
        let fast = per_minute_times(&feed, &origins, &dests, &cfg).unwrap();
        for (di, &d) in dests.iter().enumerate() {
            for (oi, &o) in origins.iter().enumerate() {
                assert_eq!(
                    fast[di][oi],
                    reference_times(&feed, o, d, &cfg)[0],
                    "seed {seed} o {oi} d {di} cfg {cfg:?}"
                );
            }
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn per_minute(feed: &Feed, o: &[LonLat], d: &[LonLat], cfg: &TransitConfig) -> Vec<Vec<u32>> {
        per_minute_times(feed, o, d, cfg).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Walking times (rounded up) satisfy the triangle inequality.
        #[test]
        fn walking_triangle_inequality(
            a in (-2.0f64..2.0, 50.0f64..52.0), b in (-2.0f64..2.0, 50.0f64..52.0), c in (-2.0f64..2.0, 50.0f64..52.0),
            speed in 1.0f64..8.0, detour in 1.0f64..2.0,
        ) {
            let w = Walk::new(speed, detour);
            let (a, b, c) = (LonLat::new(a.0, a.1), LonLat::new(b.0, b.1), LonLat::new(c.0, c.1));
            let ac = w.seconds(w.walked_m(a, c));
            let ab = w.seconds(w.walked_m(a, b));
            let bc = w.seconds(w.walked_m(b, c));
            prop_assert!(ac <= ab + bc, "{ac} > {ab} + {bc}");
        }

        /// Leaving later never arrives earlier (FIFO), with a cutoff large enough to see everything.
        #[test]
        fn later_departure_never_arrives_earlier(seed in any::<u64>()) {
            let (feed, o, d, mut cfg) = random_case(seed);
            cfg.max_minutes = 24.0 * 60.0;
            cfg.share_within = None;
            let n = minutes_of(&cfg).len();
            let times = per_minute(&feed, &o, &d, &cfg);
            for per_d in &times {
                for oi in 0..o.len() {
                    let ea: Vec<u64> = (0..n).map(|i| {
                        let t = per_d[oi * n + i];
                        if t == UNREACHABLE { u64::MAX } else { (cfg.window_start_s + 60 * i as u32 + t) as u64 }
                    }).collect();
                    prop_assert!(ea.windows(2).all(|w| w[0] <= w[1]), "seed {seed}: {ea:?}");
                }
            }
        }

        /// The answer for a departure minute does not depend on the rest of the window.
        #[test]
        fn larger_window_keeps_single_minute_answers(seed in any::<u64>(), k in 0u32..10, before in 0u32..5, after in 1u32..6) {
            let (feed, o, d, mut cfg) = random_case(seed);
            cfg.window_start_s = T0 + 60 * k;
            cfg.window_end_s = cfg.window_start_s + 60;
            let single = per_minute(&feed, &o, &d, &cfg);
            let mut wide = cfg.clone();
            wide.window_start_s -= 60 * before.min(k);
            wide.window_end_s += 60 * after;
            let n = minutes_of(&wide).len();
            let idx = ((cfg.window_start_s - wide.window_start_s) / 60) as usize;
            let many = per_minute(&feed, &o, &d, &wide);
            for di in 0..d.len() {
                for oi in 0..o.len() {
                    prop_assert_eq!(single[di][oi], many[di][oi * n + idx], "seed {}", seed);
                }
            }
        }
    }
}

#[test]
fn minutes_two_decimals_round_half_away_from_zero() {
    assert_eq!(seconds_to_minutes_2dp(0), 0.0);
    assert_eq!(format!("{:.2}", seconds_to_minutes_2dp(1)), "0.02"); // 0.01666…
    assert_eq!(format!("{:.2}", seconds_to_minutes_2dp(2)), "0.03"); // 0.0333…
    assert_eq!(format!("{:.2}", seconds_to_minutes_2dp(59)), "0.98"); // 0.98333…
    assert_eq!(format!("{:.2}", seconds_to_minutes_2dp(61)), "1.02");
    assert_eq!(format!("{:.2}", seconds_to_minutes_2dp(2100)), "35.00");
    for s in 0..200_000u32 {
        let exact = s as f64 / 60.0;
        let x = seconds_to_minutes_2dp(s);
        assert!((x - exact).abs() <= 0.005 + 1e-12, "{s}");
        // the printed two decimals parse back to the same value
        assert_eq!(format!("{x:.2}").parse::<f64>().unwrap(), x);
    }
}

#[test]
fn percentile_is_nearest_rank_with_unreachable_as_infinity() {
    let mut v = vec![5, UNREACHABLE, 1, 3];
    assert_eq!(percentile_nearest_rank(&mut v.clone(), 50.0), 3);
    assert_eq!(percentile_nearest_rank(&mut v.clone(), 25.0), 1);
    assert_eq!(percentile_nearest_rank(&mut v.clone(), 75.0), 5);
    assert_eq!(percentile_nearest_rank(&mut v, 100.0), UNREACHABLE);
    let mut sixty: Vec<u32> = (1..=60).collect();
    assert_eq!(percentile_nearest_rank(&mut sixty, 50.0), 30);
}

#[test]
fn invalid_configurations_are_rejected() {
    let feed = FeedBuilder::new(ServiceDate::new(2024, 1, 1).unwrap()).build();
    let p = [LonLat::new(0.0, 51.0)];
    for cfg in [
        TransitConfig {
            window_end_s: 0,
            ..TransitConfig::default()
        },
        TransitConfig {
            percentile: 0.0,
            ..TransitConfig::default()
        },
        TransitConfig {
            percentile: f64::NAN,
            ..TransitConfig::default()
        },
        TransitConfig {
            walk_speed_kmh: 0.0,
            ..TransitConfig::default()
        },
        TransitConfig {
            max_minutes: -1.0,
            ..TransitConfig::default()
        },
        // Session 15 audit: accepted by `hubplan travel-times`, refused in a scenario's
        // [transit] (max_minutes > 0, detour in [1, 10], walk_speed in (0, 50)).
        TransitConfig {
            max_minutes: 0.0,
            ..TransitConfig::default()
        },
        TransitConfig {
            detour: 0.5,
            ..TransitConfig::default()
        },
        TransitConfig {
            walk_speed_kmh: 480.0,
            ..TransitConfig::default()
        },
        TransitConfig {
            max_rides: Some(0),
            ..TransitConfig::default()
        },
    ] {
        let e = travel_time_matrix(&feed, &p, &p, &cfg, &|_, _| {}).unwrap_err();
        assert!(matches!(e, TransitError::Config { .. }), "{e}");
    }
    // no service: walking only, still fine
    let m = travel_time_matrix(&feed, &p, &p, &TransitConfig::default(), &|_, _| {}).unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].seconds, 0);
}
