//! Street-network walking against straight-line walking on the Porto Alegre benchmark
//! (EPTC GTFS, `fixtures/poa_osm/poa_osm.pbf`, 1,000 origins × 200 destinations, Monday
//! 2019-05-13, 60 one-minute departures from 14:00, median, cutoff 90 min, hubplan's default
//! walking rules: 4.8 km/h, detour 1.3 for straight lines, walks ≤ 800 m, transfers ≤ 400 m,
//! slack 60 s; streets: snap ≤ 300 m).
//!
//! Prints: the graph build time; for each mode the time of the walking links and of the matrix
//! (median of `--runs`, default 5); then the comparison: the distribution of the per-pair
//! differences (streets − straight, minutes), the pairs whose 35-minute status changes, and the
//! zones whose 35-minute status (some destination within 35 min) changes.
//!
//! Run: `cargo bench -p hubplan-benches --bench streets` (`-- --mode straight|streets` to run one
//! mode only, e.g. under `/usr/bin/time -v` for its peak memory).

use std::path::{Path, PathBuf};
use std::time::Instant;

use hubplan::geo::LonLat;
use hubplan_transit::{
    load_feed, load_osm, travel_time_matrix_with, LoadOptions, MatrixEntry, ServiceDate, TransitConfig, WalkLinks,
    DEFAULT_SNAP_M,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// `id,lat,lon` CSV.
fn read_points(p: &Path) -> Vec<LonLat> {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').map(str::trim).collect();
    let col = |n: &str| {
        header
            .iter()
            .position(|h| *h == n)
            .unwrap_or_else(|| panic!("no column {n}"))
    };
    let (ilat, ilon) = (col("lat"), col("lon"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            LonLat::new(f[ilon].trim().parse().unwrap(), f[ilat].trim().parse().unwrap())
        })
        .collect()
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn arg(name: &str) -> Option<String> {
    let a: Vec<String> = std::env::args().collect();
    a.iter().position(|x| x == name).and_then(|i| a.get(i + 1).cloned())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

struct Run {
    links_s: f64,
    matrix_s: f64,
    cpu_s: f64,
    entries: Vec<MatrixEntry>,
}

fn main() {
    let runs: usize = arg("--runs").map(|r| r.parse().unwrap()).unwrap_or(5);
    let mode = arg("--mode").unwrap_or_else(|| "both".into());
    let dir = fixtures();
    let (feed, _) = load_feed(
        &dir.join("gtfs/poa_eptc.zip"),
        ServiceDate::new(2019, 5, 13).unwrap(),
        &LoadOptions::default(),
    )
    .unwrap();
    let origins = read_points(&dir.join("gtfs/bench_origins_1000.csv"));
    let dests = read_points(&dir.join("gtfs/bench_destinations_200.csv"));
    let cfg = TransitConfig {
        window_start_s: 14 * 3600,
        window_end_s: 15 * 3600,
        ..TransitConfig::default()
    };
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| {
        format!(
            "{} (all cores)",
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
        )
    });
    println!(
        "POA: {} origins x {} destinations, {} stops, 60 departures from 14:00, median, cutoff 90 min, defaults; {threads} threads, {runs} runs",
        origins.len(),
        dests.len(),
        feed.stop_count()
    );
    let net = if mode != "straight" {
        let mut builds = Vec::new();
        let mut net = None;
        for _ in 0..runs {
            let t = Instant::now();
            let (n, rep) = load_osm(&dir.join("poa_osm/poa_osm.pbf")).unwrap();
            builds.push(t.elapsed().as_secs_f64());
            if net.is_none() {
                println!(
                    "street graph: {rep}; about {:.1} MiB",
                    n.heap_bytes() as f64 / 1048576.0
                );
            }
            net = Some(n);
        }
        println!(
            "  graph build (read .pbf + graph + R-tree): median {:.3} s",
            median(&mut builds)
        );
        net
    } else {
        None
    };
    let measure = |streets: bool| -> Run {
        let (mut ls, mut ms, mut cs) = (Vec::new(), Vec::new(), Vec::new());
        let mut entries = Vec::new();
        for _ in 0..runs {
            let (t, c) = (Instant::now(), cpu_seconds());
            let links = match (&net, streets) {
                (Some(n), true) => WalkLinks::streets(n, &feed, &origins, &dests, &cfg, DEFAULT_SNAP_M).unwrap(),
                _ => WalkLinks::straight(&feed, &origins, &dests, &cfg).unwrap(),
            };
            ls.push(t.elapsed().as_secs_f64());
            let t2 = Instant::now();
            entries = travel_time_matrix_with(&feed, &links, &origins, &dests, &cfg, &|_, _| {}).unwrap();
            ms.push(t2.elapsed().as_secs_f64());
            cs.push(cpu_seconds() - c);
            if streets {
                if let Some(r) = links.snapping() {
                    if ls.len() == 1 {
                        println!("  {r}");
                    }
                }
            }
        }
        Run {
            links_s: median(&mut ls),
            matrix_s: median(&mut ms),
            cpu_s: median(&mut cs),
            entries,
        }
    };
    let mut results = Vec::new();
    for (name, streets) in [("straight", false), ("streets", true)] {
        if mode != "both" && mode != name {
            continue;
        }
        let r = measure(streets);
        println!(
            "{name:>8}: walking links {:.3} s + matrix {:.3} s = {:.3} s (median wall), {:.2} CPU-s; {} pairs within 90 min; peak RSS so far {:.0} MiB",
            r.links_s,
            r.matrix_s,
            r.links_s + r.matrix_s,
            r.cpu_s,
            r.entries.len(),
            peak_rss_mib()
        );
        results.push(r);
    }
    if results.len() == 2 {
        compare(&results[0], &results[1], origins.len(), dests.len());
    }
}

fn compare(a: &Run, b: &Run, no: usize, nd: usize) {
    let inf = u32::MAX;
    let grid = |r: &Run| {
        let mut g = vec![inf; no * nd];
        for e in &r.entries {
            g[e.origin as usize * nd + e.destination as usize] = e.seconds;
        }
        g
    };
    let (ga, gb) = (grid(a), grid(b));
    let mut diffs = Vec::new();
    let (mut lost, mut gained, mut faster, mut slower, mut same) = (0, 0, 0, 0, 0);
    let (mut in35_out, mut out35_in) = (0, 0);
    for k in 0..no * nd {
        let (x, y) = (ga[k], gb[k]);
        match (x != inf, y != inf) {
            (true, true) => {
                let d = (y as f64 - x as f64) / 60.0;
                diffs.push(d);
                match y.cmp(&x) {
                    std::cmp::Ordering::Less => faster += 1,
                    std::cmp::Ordering::Greater => slower += 1,
                    std::cmp::Ordering::Equal => same += 1,
                }
            }
            (true, false) => lost += 1,
            (false, true) => gained += 1,
            _ => {}
        }
        let (wa, wb) = (x <= 35 * 60, y <= 35 * 60);
        if wa && !wb {
            in35_out += 1;
        }
        if !wa && wb {
            out35_in += 1;
        }
    }
    diffs.sort_by(f64::total_cmp);
    let q = |p: f64| diffs[((p * diffs.len() as f64).ceil() as usize).clamp(1, diffs.len()) - 1];
    let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
    println!(
        "comparison (streets - straight), pairs reachable in both ({}):",
        diffs.len()
    );
    println!(
        "  minutes: min {:.2}, p5 {:.2}, p25 {:.2}, median {:.2}, mean {:.2}, p75 {:.2}, p95 {:.2}, max {:.2}",
        q(0.0),
        q(0.05),
        q(0.25),
        q(0.5),
        mean,
        q(0.75),
        q(0.95),
        diffs[diffs.len() - 1]
    );
    println!(
        "  faster {faster}, slower {slower}, equal {same}; within 90 min only straight {lost}, only streets {gained}"
    );
    println!("  pairs: within 35 min only straight {in35_out}, only streets {out35_in}");
    // zone status: some destination within 35 minutes
    let zone = |g: &[u32], o: usize| (0..nd).any(|d| g[o * nd + d] <= 35 * 60);
    let (mut lose, mut gain) = (Vec::new(), Vec::new());
    for o in 0..no {
        match (zone(&ga, o), zone(&gb, o)) {
            (true, false) => lose.push(o),
            (false, true) => gain.push(o),
            _ => {}
        }
    }
    let within_a = (0..no).filter(|&o| zone(&ga, o)).count();
    let within_b = (0..no).filter(|&o| zone(&gb, o)).count();
    println!(
        "  zones with a destination within 35 min: straight {within_a}, streets {within_b}; lose it with streets {} (origin rows {:?}), gain it {} ({:?})",
        lose.len(),
        lose.iter().take(12).map(|o| o + 2).collect::<Vec<_>>(),
        gain.len(),
        gain.iter().take(12).map(|o| o + 2).collect::<Vec<_>>()
    );
}
