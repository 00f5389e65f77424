//! The bodies of hubplan's fuzz targets, shared by the libFuzzer targets in
//! `fuzz_targets/` and by the libFuzzer-free `replay` driver (`src/bin/replay.rs`).
//!
//! hubplan's readers take paths (they check the path, its size and its extension before
//! reading), so each target writes the input to a file in a per-process scratch folder
//! (`$TMPDIR/hubplan-fuzz-<pid>`; point `TMPDIR` at `/dev/shm` to keep it in memory) and
//! calls the real reader on it. A target only fails by panicking (or hanging, or running out
//! of memory): an `Err` is the expected answer to bad input. Messages of errors are rendered
//! too, so formatting code is exercised as well.
//!
//! See `docs/HARDENING.md` for how to run them.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hubplan::geo::LonLat;
use hubplan_io as io;

const GOOD_SITES: &str = include_str!("../../crates/hubplan-io/tests/data/good/sites.csv");
const GOOD_ZONES: &str = include_str!("../../crates/hubplan-io/tests/data/good/zones.csv");
const GOOD_SERVICES: &str = include_str!("../../crates/hubplan-io/tests/data/good/services.csv");
const GOOD_TRAVEL: &str = include_str!("../../crates/hubplan-io/tests/data/good/travel_times.csv");
const GOOD_SITES_GEOJSON: &str = include_str!("../../crates/hubplan-io/tests/data/good/sites.geojson");
const GOOD_ZONES_GEOJSON: &str = include_str!("../../crates/hubplan-io/tests/data/good/zones.geojson");

/// The per-process scratch folder, holding the good inputs that scenarios refer to.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("hubplan-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("good")).expect("scratch dir");
        for (name, text) in [
            ("sites.csv", GOOD_SITES),
            ("zones.csv", GOOD_ZONES),
            ("services.csv", GOOD_SERVICES),
            ("travel_times.csv", GOOD_TRAVEL),
            ("sites.geojson", GOOD_SITES_GEOJSON),
            ("zones.geojson", GOOD_ZONES_GEOJSON),
        ] {
            std::fs::write(dir.join("good").join(name), text).expect("scratch file");
        }
        dir
    })
}

/// Writes `data` to `name` in the scratch folder and returns the path.
fn put(name: &str, data: &[u8]) -> PathBuf {
    let p = scratch().join(name);
    std::fs::write(&p, data).expect("write fuzz input");
    p
}

/// The good sites and zones, read once (the travel-time target reads against them).
fn good_records() -> &'static (Vec<hubplan::model::Site>, Vec<hubplan::model::Zone>) {
    static R: OnceLock<(Vec<hubplan::model::Site>, Vec<hubplan::model::Zone>)> = OnceLock::new();
    R.get_or_init(|| {
        let d = scratch().join("good");
        let sites = io::read_sites(&d.join("sites.csv"), None).expect("good sites").sites;
        let zones = io::read_zones(&d.join("zones.csv"), None).expect("good zones").zones;
        (sites, zones)
    })
}

/// Renders an error (exercising `Display`) and checks it names a file.
fn check_err(e: &io::IoError) {
    let msg = e.to_string();
    assert!(!msg.is_empty());
    assert!(e.file.is_some(), "an error without a file: {msg}");
}

fn finish<T>(r: io::Result<T>) {
    if let Err(e) = r {
        check_err(&e);
    }
}

/// `read_sites` on a CSV.
pub fn sites_csv(data: &[u8]) {
    finish(io::read_sites(&put("sites.csv", data), None));
}

/// `read_zones` on a CSV, with and without a `need_column`.
pub fn zones_csv(data: &[u8]) {
    let p = put("zones.csv", data);
    finish(io::read_zones(&p, None));
    finish(io::read_zones(&p, Some("pop_0_15")));
}

/// `read_services` on a CSV.
pub fn services_csv(data: &[u8]) {
    finish(io::read_services(&put("services.csv", data)));
}

/// `read_travel_times` on a CSV, against the good sites and zones.
pub fn travel_csv(data: &[u8]) {
    let (sites, zones) = good_records();
    finish(io::read_travel_times(&put("travel_times.csv", data), sites, zones));
}

/// `read_points` on a CSV (the travel-times command's origins and destinations).
pub fn points_csv(data: &[u8]) {
    finish(io::read_points(&put("points.csv", data)));
}

/// The GeoJSON reader: the first byte picks sites, zones or points.
pub fn geojson(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    match sel % 3 {
        0 => finish(io::read_sites(&put("sites.geojson", rest), None)),
        1 => finish(io::read_zones(&put("zones.geojson", rest), None)),
        _ => finish(io::read_points(&put("points.geojson", rest))),
    }
}

/// The scenario TOML: `parse_scenario_str`, then the whole `load_scenario` with the
/// scenario placed beside good inputs (so keep/close ids, services rules etc. resolve).
pub fn scenario_toml(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        // The loader must also refuse non-UTF-8 files cleanly.
        finish(io::load_scenario(&put("good/scenario_bytes.toml", data)));
        return;
    };
    let p = scratch().join("good/scenario.toml");
    finish(io::parse_scenario_str(src, &p));
    std::fs::write(&p, data).expect("write fuzz input");
    match io::load_scenario(&p) {
        Ok(loaded) => {
            let rules = loaded.service_rules.clone();
            match loaded.into_inputs() {
                Ok((inputs, scenario, _meta)) => {
                    // The core's own checks of the resolved scenario (no solve: too slow to fuzz).
                    let _ = hubplan::optimise::check_scenario(&inputs, &scenario).map_err(|e| e.to_string());
                    if let Some(rules) = &rules {
                        let _ = hubplan::colocate::check_rules(&inputs, rules).map_err(|e| e.to_string());
                    }
                }
                Err(e) => check_err(&e),
            }
        }
        Err(e) => check_err(&e),
    }
}

/// `read_plan_json` (both plan kinds).
pub fn plan_json(data: &[u8]) {
    finish(io::read_plan_json(&put("plan.json", data)));
}

/// GTFS names, in the order the `gtfs` target splits its input into.
pub const GTFS_FILES: [&str; 8] = [
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "calendar.txt",
    "calendar_dates.txt",
    "stop_times.txt",
    "frequencies.txt",
];

/// The GTFS loader and the engine. First byte even: the rest is the bytes of a zip. Odd:
/// the rest is the text of the GTFS files in [`GTFS_FILES`] order, separated by NUL bytes,
/// written to a folder (a missing part means a missing file). A loaded feed is then run
/// through a 2 × 2 travel-time matrix over a ten-minute window.
pub fn gtfs(data: &[u8]) {
    use hubplan_transit::{load_feed, travel_time_matrix, LoadOptions, ServiceDate, TransitConfig};
    let Some((&sel, rest)) = data.split_first() else { return };
    let path = if sel % 2 == 0 {
        put("feed.zip", rest)
    } else {
        let dir = scratch().join("feed");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("feed dir");
        for (name, part) in GTFS_FILES.iter().zip(rest.split(|&b| b == 0)) {
            std::fs::write(dir.join(name), part).expect("feed file");
        }
        dir
    };
    let opts = LoadOptions {
        max_file_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_runs: 20_000,
        ..LoadOptions::default()
    };
    let Ok(date) = ServiceDate::new(2007, 6, 5) else { return };
    let Ok((feed, report)) = load_feed(&path, date, &opts).map_err(|e| e.to_string()) else {
        return;
    };
    let _ = report.to_string();
    let cfg = TransitConfig {
        window_start_s: 7 * 3600,
        window_end_s: 7 * 3600 + 600,
        max_walk_m: 3000.0,
        ..TransitConfig::default()
    };
    let pts = [LonLat::new(-116.7846, 36.8684), LonLat::new(-117.1332, 36.4253)];
    let _ = travel_time_matrix(&feed, &pts, &pts, &cfg, &|_, _| {});
}

/// Every target by name, for the replay driver.
pub const TARGETS: [(&str, fn(&[u8])); 9] = [
    ("sites_csv", sites_csv),
    ("zones_csv", zones_csv),
    ("services_csv", services_csv),
    ("travel_csv", travel_csv),
    ("points_csv", points_csv),
    ("geojson", geojson),
    ("scenario_toml", scenario_toml),
    ("plan_json", plan_json),
    ("gtfs", gtfs),
];
