//! Walking on OpenStreetMap streets through the command line: `travel-times --osm` and a
//! scenario's `[transit] osm`, on a hand-made town (two streets either side of a river, one
//! footbridge at the east end) written as a real `.osm.pbf`; bad and truncated extracts are
//! clear errors naming the file and leave no output.

mod common;
#[path = "../../hubplan-transit/tests/support/pbfgen.rs"]
mod pbfgen;

use std::path::{Path, PathBuf};

use common::Run;
use pbfgen::{pbf, Node, Way};

fn hubplan<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    common::hubplan_env(args, &[("RAYON_NUM_THREADS", "1")])
}

/// South street at lat 51.004, north street at 51.006 (nodes every 0.0002° of longitude),
/// a footbridge at lon 0.009, and a motorway across the river at lon 0.002 (not walkable).
fn town() -> Vec<u8> {
    let mut nodes: Vec<(i64, f64, f64)> = Vec::new();
    let (mut south, mut north) = (Vec::new(), Vec::new());
    for i in 0..=50 {
        let lon = i as f64 * 0.0002;
        nodes.push((1000 + i, lon, 51.004));
        nodes.push((2000 + i, lon, 51.006));
        south.push(1000 + i);
        north.push(2000 + i);
    }
    nodes.push((3001, 0.009, 51.005));
    nodes.push((4001, 0.002, 51.005));
    let bridge = vec![1045, 3001, 2045];
    let motorway = vec![1010, 4001, 2010];
    let ns: Vec<Node> = nodes.iter().map(|&(id, lon, lat)| (id, lon, lat, &[][..])).collect();
    let ways: Vec<Way> = vec![
        (10, &south, &[("highway", "residential")]),
        (11, &north, &[("highway", "residential")]),
        (12, &bridge, &[("highway", "footway"), ("bridge", "yes")]),
        (13, &motorway, &[("highway", "motorway")]),
    ];
    pbf(&ns, &ways)
}

/// A GTFS folder with one bus on the south bank only (no service across the river).
fn feed(dir: &Path) -> PathBuf {
    let f = dir.join("gtfs");
    std::fs::create_dir_all(&f).unwrap();
    for (name, text) in [
        ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,A,http://a,Europe/London\n"),
        ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,A,51.004,0.001\nS2,B,51.004,0.008\n"),
        ("routes.txt", "route_id,agency_id,route_short_name,route_type\nR,A,1,3\n"),
        ("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\n"),
        (
            "calendar.txt",
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n",
        ),
        (
            "stop_times.txt",
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,07:10:00,07:10:00,S1,1\nT1,07:20:00,07:20:00,S2,2\n",
        ),
    ] {
        std::fs::write(f.join(name), text).unwrap();
    }
    f
}

fn args(feed: &Path, origins: &Path, dests: &Path, out: &Path, osm: Option<&Path>) -> Vec<std::ffi::OsString> {
    let mut a: Vec<std::ffi::OsString> = vec![
        "travel-times".into(),
        "--gtfs".into(),
        feed.into(),
        "--origins".into(),
        origins.into(),
        "--destinations".into(),
        dests.into(),
        "--date".into(),
        "2024-01-08".into(),
        "--window".into(),
        "07:00-07:05".into(),
        "--out".into(),
        out.into(),
    ];
    if let Some(o) = osm {
        a.push("--osm".into());
        a.push(o.into());
    }
    a
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn travel_times_walks_on_the_streets() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let feed = feed(w);
    let osm = w.join("town.osm.pbf");
    std::fs::write(&osm, town()).unwrap();
    // A on the south bank, B facing it on the north bank: 222 m apart in a straight line,
    // about 1.4 km by the footbridge.
    std::fs::write(w.join("origins.csv"), "id,lon,lat\nA,0.001,51.0038\n").unwrap();
    std::fs::write(w.join("dests.csv"), "id,lon,lat\nB,0.001,51.0062\nC,0.003,51.0038\n").unwrap();
    let (o, d) = (w.join("origins.csv"), w.join("dests.csv"));
    let straight = hubplan(&args(&feed, &o, &d, &w.join("straight.csv"), None));
    assert_eq!(straight.code, 0, "{}", straight.stderr);
    let text = std::fs::read_to_string(w.join("straight.csv")).unwrap();
    assert!(text.contains("A,B,"), "{text}");
    let streets = hubplan(&args(&feed, &o, &d, &w.join("streets.csv"), Some(&osm)));
    assert_eq!(streets.code, 0, "{}", streets.stderr);
    assert!(streets.stderr.contains("snapped within 300 m"), "{}", streets.stderr);
    let text = std::fs::read_to_string(w.join("streets.csv")).unwrap();
    // B is beyond the 800 m walk by the bridge: no row; C (same bank) still is.
    assert!(!text.contains("A,B,"), "{text}");
    assert!(text.contains("A,C,"), "{text}");
    // with a walk cache: computed and written the first time, read the second, same matrix
    let mut with_cache = args(&feed, &o, &d, &w.join("cached.csv"), Some(&osm));
    with_cache.push("--walk-cache".into());
    with_cache.push(w.join("walks.bin").into());
    let first = hubplan(&with_cache);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(w.join("walks.bin").is_file());
    let second = hubplan(&with_cache);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stderr.contains("read from the cache"), "{}", second.stderr);
    assert!(!first.stderr.contains("read from the cache"), "{}", first.stderr);
    assert_eq!(
        std::fs::read(w.join("cached.csv")).unwrap(),
        std::fs::read(w.join("streets.csv")).unwrap()
    );
}

#[test]
fn bad_or_truncated_osm_is_a_clear_error_and_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let feed = feed(w);
    std::fs::write(w.join("pts.csv"), "id,lon,lat\nA,0.001,51.0038\n").unwrap();
    let good = town();
    for (name, bytes) in [
        ("truncated.osm.pbf", good[..good.len() - 30].to_vec()),
        ("garbage.osm.pbf", b"<?xml version='1.0'?><osm></osm>".to_vec()),
        ("empty.osm.pbf", Vec::new()),
    ] {
        let osm = w.join(name);
        std::fs::write(&osm, bytes).unwrap();
        let before = files(w);
        let out = w.join("out.csv");
        let r = hubplan(&args(&feed, &w.join("pts.csv"), &w.join("pts.csv"), &out, Some(&osm)));
        assert_ne!(r.code, 0, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(name) && r.stderr.contains("OpenStreetMap extract"),
            "{name}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert_eq!(files(w), before, "{name}: files were left behind");
    }
    let r = hubplan(&args(
        &feed,
        &w.join("pts.csv"),
        &w.join("pts.csv"),
        &w.join("out.csv"),
        Some(&w.join("absent.osm.pbf")),
    ));
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("absent.osm.pbf"), "{}", r.stderr);
}

#[test]
fn scenario_transit_osm_is_recorded_in_the_plan() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    feed(w);
    std::fs::write(w.join("town.osm.pbf"), town()).unwrap();
    std::fs::write(
        w.join("sites.csv"),
        "id,name,lon,lat,status,annual_cost\nS,South,0.001,51.0038,existing,100\nN,North,0.001,51.0062,existing,100\n",
    )
    .unwrap();
    std::fs::write(
        w.join("zones.csv"),
        "id,name,lon,lat,need\nZS,South,0.0012,51.0038,10\nZN,North,0.0012,51.0062,10\nZF,Far,0.001,51.03,1\n",
    )
    .unwrap();
    let scenario = |osm: &str| {
        format!(
            "[inputs]\nsites = \"sites.csv\"\nzones = \"zones.csv\"\n[access]\nmax_minutes = 35\n[objective]\nkind = \"min_cost\"\n\
             [transit]\ngtfs = \"gtfs\"\ndate = 2024-01-08\nwindow = \"07:00-07:05\"\n{osm}"
        )
    };
    std::fs::write(w.join("scenario.toml"), scenario("osm = \"town.osm.pbf\"\n")).unwrap();
    let r = hubplan(&[
        "plan",
        w.join("scenario.toml").to_str().unwrap(),
        "--out",
        w.join("plan").to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.join("plan/plan.json")).unwrap()).unwrap();
    let inputs = plan["inputs"].as_array().unwrap();
    let osm = inputs.iter().find(|i| i["role"] == "osm").expect("osm input recorded");
    assert_eq!(osm["sha256"].as_str().unwrap().len(), 64);
    let src = plan["scenario"]["travel_source"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        src.contains("streets") && src.contains("snapped within 300 m"),
        "{plan}"
    );
    // the far zone cannot snap: a warning, counted in the run's warnings
    let warnings = plan["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|x| x.as_str().unwrap_or("").contains("1 of 3 origins")),
        "{warnings:?}"
    );
    // a missing extract is named with its [transit] key
    std::fs::write(w.join("scenario.toml"), scenario("osm = \"nowhere.osm.pbf\"\n")).unwrap();
    let r = hubplan(&[
        "plan",
        w.join("scenario.toml").to_str().unwrap(),
        "--out",
        w.join("plan2").to_str().unwrap(),
        "--quiet",
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("nowhere.osm.pbf") && r.stderr.contains("transit.osm"),
        "{}",
        r.stderr
    );
    assert!(!w.join("plan2").exists());
}
