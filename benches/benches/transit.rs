//! Travel-time matrix benchmark: Porto Alegre (EPTC GTFS), 1,000 origins × 200 destinations,
//! Monday 2019-05-13, 60 one-minute departures from 14:00, exact per-minute times reduced to
//! the median. Plain `harness = false` binary: prints load time, then the median of 5 runs.
//!
//! Run: `cargo bench -p hubplan-benches --bench transit` (set `RAYON_NUM_THREADS=N` to pin the
//! thread count; `-- --runs K` for more repetitions, `-- --cutoff MIN` for another cutoff).
//! Peak memory: `/usr/bin/time -v target/release/deps/transit-* --bench`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use hubplan::geo::LonLat;
use hubplan_transit::{load_feed, travel_time_matrix, LoadOptions, ServiceDate, TransitConfig};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/gtfs")
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
            .unwrap_or_else(|| panic!("{}: no column {n}", p.display()))
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

/// CPU seconds (user + system, all threads) used by this process so far (Linux; else 0).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // fields after the command name in parentheses; utime and stime are fields 14 and 15
    let rest = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0 // USER_HZ is 100 on Linux
}

fn arg(name: &str) -> Option<String> {
    let a: Vec<String> = std::env::args().collect();
    a.iter().position(|x| x == name).and_then(|i| a.get(i + 1).cloned())
}

fn main() {
    let runs: usize = arg("--runs").map(|r| r.parse().unwrap()).unwrap_or(5);
    let cutoff: f64 = arg("--cutoff").map(|r| r.parse().unwrap()).unwrap_or(90.0);
    let dir = fixtures();
    let t = Instant::now();
    let (feed, report) = load_feed(
        &dir.join("poa_eptc.zip"),
        ServiceDate::new(2019, 5, 13).unwrap(),
        &LoadOptions::default(),
    )
    .unwrap();
    let load_s = t.elapsed().as_secs_f64();
    let origins = read_points(&dir.join("bench_origins_1000.csv"));
    let dests = read_points(&dir.join("bench_destinations_200.csv"));
    println!(
        "poa_eptc.zip loaded in {load_s:.3} s: {} trips, {} connections, {} stops",
        report.trips_active, report.connections, report.stops
    );
    for (label, cfg) in [
        (
            "peer settings: straight-line walk <= 900 m at 1 m/s (3.6 km/h, detour 1.0), transfers <= 400 m, slack 0",
            TransitConfig {
                window_start_s: 14 * 3600,
                window_end_s: 15 * 3600,
                percentile: 50.0,
                max_minutes: cutoff,
                walk_speed_kmh: 3.6,
                detour: 1.0,
                max_walk_m: 900.0,
                max_transfer_walk_m: 400.0,
                transfer_slack_s: 0,
                max_rides: None,
                share_within: None,
            },
        ),
        (
            "hubplan defaults: 4.8 km/h, detour 1.3, walk <= 800 m, transfers <= 400 m, slack 60 s",
            TransitConfig {
                window_start_s: 14 * 3600,
                window_end_s: 15 * 3600,
                max_minutes: cutoff,
                ..TransitConfig::default()
            },
        ),
    ] {
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        let mut pairs = 0;
        for _ in 0..runs {
            let (t, c) = (Instant::now(), cpu_seconds());
            let m = travel_time_matrix(&feed, &origins, &dests, &cfg, &|_, _| {}).unwrap();
            times.push(t.elapsed().as_secs_f64());
            cpu.push(cpu_seconds() - c);
            pairs = m.len();
        }
        cpu.sort_by(f64::total_cmp);
        times.sort_by(f64::total_cmp);
        println!(
            "{label}\n  {} origins x {} destinations, 60 departures from 14:00, median, cutoff {cutoff} min, {} threads: median {:.3} s wall over {runs} runs (min {:.3}, max {:.3}), median {:.2} CPU-seconds; {pairs} pairs within the cutoff ({:.1}%)",
            origins.len(),
            dests.len(),
            std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| format!("{} (all cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))),
            times[times.len() / 2],
            times[0],
            times[times.len() - 1],
            cpu[cpu.len() / 2],
            100.0 * pairs as f64 / (origins.len() * dests.len()) as f64
        );
    }
}
