//! `hubplan validate` and the data-quality gate of `hubplan plan`, end to end
//! (the notice cases are `crates/hubplan-check/tests/cases/`).

mod common;

use common::{hubplan, root};

fn case(name: &str) -> String {
    root()
        .join("crates/hubplan-check/tests/cases")
        .join(name)
        .join("scenario.toml")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn validate_groups_notices_writes_the_report_and_sets_the_exit_code() {
    // An error: exit 2, grouped on stdout, the error on stderr.
    let r = hubplan(&["validate", &case("point_outside_crs_area")]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("ERROR point_outside_crs_area (1)"), "{}", r.stdout);
    assert!(r.stdout.contains("1 error, 0 warnings, 0 infos"), "{}", r.stdout);
    assert!(
        r.stderr.contains("error: ERROR point_outside_crs_area: sites.csv:3:"),
        "{}",
        r.stderr
    );

    // A warning: exit 0, or 2 with --strict.
    let r = hubplan(&["validate", &case("site_capacity_zero")]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.ends_with("ok\n"), "{}", r.stdout);
    let r = hubplan(&["validate", "--strict", &case("site_capacity_zero")]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);

    // JSON on stdout, and the two report files.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("report");
    let r = hubplan(&[
        "validate",
        "--format",
        "json",
        "--report",
        dir.to_str().unwrap(),
        &case("zones_at_same_point"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["summary"]["warnings"], 2);
    assert_eq!(j["groups"][0]["code"], "zones_at_same_point");
    assert_eq!(j["notices"][0]["file"], "zones.csv");
    assert_eq!(j["notices"][0]["field"], "position");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("validation.json")).unwrap()).unwrap();
    assert_eq!(written, j);
    let html = std::fs::read_to_string(dir.join("validation.html")).unwrap();
    assert!(
        html.contains("<code>zones_at_same_point</code>") && html.contains("PASSED"),
        "{html}"
    );

    // A refused input: the loader's message as before, and a coded notice.
    let r = hubplan(&["validate", "--format", "json", &case("lat_lon_swapped")]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("lat and lon look swapped"), "{}", r.stderr);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["notices"][0]["code"], "lat_lon_swapped");
    assert_eq!(j["notices"][0]["row"], 5);
}

#[test]
fn plan_prints_warnings_with_codes_even_when_quiet_and_refuses_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = hubplan(&[
        "plan",
        &case("site_capacity_zero"),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: site_capacity_zero: sites.csv:5: field capacity:"),
        "{}",
        r.stderr
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    assert_eq!(plan["notices"][0]["code"], "site_capacity_zero");
    assert_eq!(plan["notices"][0]["row"], 5);
    assert!(plan["warnings"][0]
        .as_str()
        .unwrap()
        .starts_with("WARNING site_capacity_zero:"));

    let out2 = tmp.path().join("out2");
    let r = hubplan(&["plan", &case("point_at_null_island"), "--out", out2.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("point_at_null_island"), "{}", r.stderr);
    assert!(!out2.exists());
}
