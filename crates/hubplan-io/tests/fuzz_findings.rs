//! Regression tests for what the fuzzers found: every file in `fuzz/findings/<target>/`
//! (see docs/HARDENING.md) is run through the reader that target fuzzes, as
//! `fuzz/src/lib.rs` does, and must give `Ok` or an error naming a file — never a panic.
//! GTFS findings (`fuzz/findings/gtfs/`) are replayed by hubplan-transit's tests.

use std::path::{Path, PathBuf};

use hubplan_io::*;

fn findings(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/findings")
        .join(target);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn good(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/good").join(name)
}

fn ok_or_named<T>(r: Result<T>, input: &Path) {
    if let Err(e) = r {
        assert!(e.file.is_some(), "{}: error without a file: {e}", input.display());
    }
}

/// Copies `input` to `name` in a fresh folder holding the good inputs; returns the path.
fn staged(dir: &Path, input: &Path, name: &str, skip: usize) -> PathBuf {
    for f in ["sites.csv", "zones.csv", "services.csv", "travel_times.csv"] {
        std::fs::copy(good(f), dir.join(f)).expect("copy good");
    }
    let bytes = std::fs::read(input).expect("read finding");
    let p = dir.join(name);
    std::fs::write(&p, bytes.get(skip..).unwrap_or_default()).expect("write");
    p
}

#[test]
fn fuzz_findings_do_not_panic() {
    let sites = read_sites(&good("sites.csv"), None).expect("good").sites;
    let zones = read_zones(&good("zones.csv"), None).expect("good").zones;
    let mut n = 0;
    for (target, name) in [
        ("sites_csv", "sites.csv"),
        ("zones_csv", "zones.csv"),
        ("services_csv", "services.csv"),
        ("travel_csv", "travel_times.csv"),
        ("points_csv", "points.csv"),
        ("geojson", ""),
        ("scenario_toml", "scenario.toml"),
        ("plan_json", "plan.json"),
    ] {
        for input in findings(target) {
            n += 1;
            let dir = tempfile::tempdir().expect("tempdir");
            let d = dir.path();
            match target {
                "sites_csv" => ok_or_named(read_sites(&staged(d, &input, name, 0), None), &input),
                "zones_csv" => {
                    let p = staged(d, &input, name, 0);
                    ok_or_named(read_zones(&p, None), &input);
                    ok_or_named(read_zones(&p, Some("pop_0_15")), &input);
                }
                "services_csv" => ok_or_named(read_services(&staged(d, &input, name, 0)), &input),
                "travel_csv" => ok_or_named(read_travel_times(&staged(d, &input, name, 0), &sites, &zones), &input),
                "points_csv" => ok_or_named(read_points(&staged(d, &input, name, 0)), &input),
                "geojson" => {
                    let sel = std::fs::read(&input).expect("read").first().copied().unwrap_or(0);
                    match sel % 3 {
                        0 => ok_or_named(read_sites(&staged(d, &input, "sites.geojson", 1), None), &input),
                        1 => ok_or_named(read_zones(&staged(d, &input, "zones.geojson", 1), None), &input),
                        _ => ok_or_named(read_points(&staged(d, &input, "points.geojson", 1)), &input),
                    }
                }
                "scenario_toml" => {
                    let p = staged(d, &input, name, 0);
                    if let Ok(src) = std::fs::read_to_string(&p) {
                        ok_or_named(parse_scenario_str(&src, &p), &input);
                    }
                    match load_scenario(&p) {
                        Ok(l) => ok_or_named(l.into_inputs(), &input),
                        Err(e) => assert!(e.file.is_some(), "{}: {e}", input.display()),
                    }
                }
                "plan_json" => ok_or_named(read_plan_json(&staged(d, &input, name, 0)), &input),
                _ => unreachable!(),
            }
        }
    }
    eprintln!("{n} fuzz findings replayed");
}
