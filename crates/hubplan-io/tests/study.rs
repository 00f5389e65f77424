//! `[study]` settings: parsing, and zone columns checked with file, row and column.

use std::fs;
use std::path::Path;

use hubplan_io::{load_scenario, study_options, IoErrorKind};

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

fn setup(dir: &Path, study: &str) -> std::path::PathBuf {
    write(
        dir,
        "zones.csv",
        "id,lon,lat,district,population,pop_0_15,imd_decile,score\n\
         Z1,0.0,52.0,A,100,20,1,0.5\n\
         Z2,0.01,52.0,A,100,20,3,high\n\
         Z3,0.02,52.0,B,100,20,5,0.1\n",
    );
    write(dir, "sites.csv", "id,lon,lat\nS1,0.0,52.0\n");
    write(dir, "travel_times.csv", "zone_id,site_id,minutes\nZ1,S1,10\nZ2,S1,40\n");
    let p = dir.join("study.toml");
    write(
        dir,
        "study.toml",
        &format!("[inputs]\nsites = \"sites.csv\"\nzones = \"zones.csv\"\ntravel_times = \"travel_times.csv\"\n\n[study]\n{study}\n"),
    );
    p
}

#[test]
fn a_non_numeric_indicator_names_file_row_and_column() {
    let d = tempfile::tempdir().unwrap();
    let p = setup(d.path(), "indicators = { score = 1.0 }");
    let loaded = load_scenario(&p).unwrap();
    let e = study_options(&loaded).unwrap_err();
    assert_eq!(e.kind, IoErrorKind::BadValue);
    let msg = e.to_string();
    assert!(msg.contains("zones.csv:3"), "{msg}");
    assert!(msg.contains("field score"), "{msg}");
    assert!(msg.contains("\"high\"") && msg.contains("study.indicators"), "{msg}");
}

#[test]
fn a_missing_indicator_column_names_file_and_column() {
    let d = tempfile::tempdir().unwrap();
    let p = setup(d.path(), "indicators = { imd_decile = 1.0, scor = 0.5 }");
    let loaded = load_scenario(&p).unwrap();
    let e = study_options(&loaded).unwrap_err();
    assert_eq!(e.kind, IoErrorKind::MissingColumn);
    let msg = e.to_string();
    assert!(msg.contains("zones.csv:1"), "{msg}");
    assert!(msg.contains("`scor`") && msg.contains("score"), "{msg}");
    assert!(msg.contains("study.toml:7"), "{msg}");
}

#[test]
fn study_keys_are_parsed_and_checked() {
    let d = tempfile::tempdir().unwrap();
    let p = setup(
        d.path(),
        "indicators = { imd_decile = 2, pop_0_15 = -1 }\nprotected = [\"population\"]\npriority_deciles = 3\narea_zones = 2\nneighbour_k = 4\nneighbour_max_km = 3.5",
    );
    let loaded = load_scenario(&p).unwrap();
    let o = study_options(&loaded).unwrap();
    assert_eq!(o.indicators.len(), 2);
    assert_eq!(o.indicators[1].column, "pop_0_15");
    assert_eq!(o.indicators[1].weight, -1.0);
    assert_eq!((o.priority_deciles, o.area_zones, o.neighbour_k), (3, Some(2), 4));
    assert_eq!(o.neighbour_max_km, 3.5);
    assert_eq!(o.protected, vec!["population".to_string()]);
    // A typo in a key gets a did-you-mean; a zero weight is refused.
    let p = setup(d.path(), "indicator = { score = 1.0 }");
    let e = load_scenario(&p).unwrap_err().to_string();
    assert!(e.contains("study.indicator") && e.contains("indicators"), "{e}");
    let p = setup(d.path(), "indicators = { pop_0_15 = 0 }");
    let e = load_scenario(&p).unwrap_err().to_string();
    assert!(e.contains("study.indicators.pop_0_15"), "{e}");
    // A protected column must hold counts ≥ 0 on every row.
    let p = setup(d.path(), "protected = [\"score\"]");
    let e = study_options(&load_scenario(&p).unwrap()).unwrap_err().to_string();
    assert!(e.contains("zones.csv:3") && e.contains("study.protected"), "{e}");
}
