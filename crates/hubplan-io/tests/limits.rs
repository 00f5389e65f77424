//! The documented input limits (docs/FORMATS.md, "Limits") fire with a `TooLarge` error
//! naming the file. Byte limits are checked on sparse files (no disk or memory is used);
//! the site-count limit on a real file of `MAX_SITES + 1` rows. The row limits of
//! `MAX_ROWS` and `MAX_TRAVEL_ROWS` are checked with lowered limits in `table.rs`'s unit
//! tests (a real file would take 5 and 20 million rows).

use std::io::Write;
use std::path::Path;

use hubplan_io::{limits, load_scenario, read_plan_json, read_sites, read_travel_times, read_zones, IoErrorKind};

fn sparse(path: &Path, len: u64) {
    let f = std::fs::File::create(path).expect("create");
    f.set_len(len).expect("set_len");
}

fn assert_too_large<T: std::fmt::Debug>(r: hubplan_io::Result<T>, name: &str) {
    let e = r.expect_err("over the limit must fail");
    assert_eq!(e.kind(), IoErrorKind::TooLarge, "{e}");
    let msg = e.to_string();
    assert!(msg.contains(name), "{msg}");
    assert!(msg.contains("limit"), "{msg}");
}

#[test]
fn byte_limits_fire_before_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let csv = d.join("sites.csv");
    sparse(&csv, limits::MAX_FILE_BYTES + 1);
    assert_too_large(read_sites(&csv, None), "sites.csv");
    let zones = d.join("zones.csv");
    sparse(&zones, limits::MAX_FILE_BYTES + 1);
    assert_too_large(read_zones(&zones, None), "zones.csv");
    let gj = d.join("sites.geojson");
    sparse(&gj, limits::MAX_GEOJSON_BYTES + 1);
    assert_too_large(read_sites(&gj, None), "sites.geojson");
    let plan = d.join("plan.json");
    sparse(&plan, limits::MAX_GEOJSON_BYTES + 1);
    assert_too_large(read_plan_json(&plan), "plan.json");
    let toml = d.join("scenario.toml");
    sparse(&toml, limits::MAX_TOML_BYTES + 1);
    assert_too_large(load_scenario(&toml), "scenario.toml");
    // exactly at the limit is not "too large" (it fails later, as the zeros are not TOML)
    let at = d.join("at_limit.toml");
    sparse(&at, limits::MAX_TOML_BYTES);
    let e = load_scenario(&at).expect_err("zeros are not a scenario");
    assert_ne!(e.kind(), IoErrorKind::TooLarge, "{e}");
    // a travel-time matrix: the good sites and zones, an oversized matrix
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/good");
    let sites = read_sites(&good.join("sites.csv"), None).expect("good").sites;
    let zs = read_zones(&good.join("zones.csv"), None).expect("good").zones;
    let tt = d.join("travel_times.csv");
    sparse(&tt, limits::MAX_FILE_BYTES + 1);
    assert_too_large(read_travel_times(&tt, &sites, &zs), "travel_times.csv");
}

#[test]
fn more_sites_than_max_sites_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("sites.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).expect("create"));
    writeln!(f, "id,lon,lat,annual_cost").expect("write");
    for i in 0..=limits::MAX_SITES {
        writeln!(f, "S{i},1.0,51.0,1").expect("write");
    }
    f.flush().expect("flush");
    drop(f);
    let e = read_sites(&p, None).expect_err("too many sites");
    assert_eq!(e.kind(), IoErrorKind::TooLarge, "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("sites.csv") && msg.contains(&limits::MAX_SITES.to_string()),
        "{msg}"
    );
}
