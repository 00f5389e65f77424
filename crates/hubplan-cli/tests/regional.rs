//! What the terminal shows on regional scenarios (thousands of zones): a long solve
//! says it has started and its time limit, and a systematic data problem does not
//! print one warning line per zone.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{hubplan, root};

/// `hubplan plan` says that it is solving, on how many zones and sites and with which
/// time limit, before the solve starts (the line comes before "solved with"): on a
/// regional scenario the solve can take minutes, and the terminal showed nothing.
#[test]
fn plan_says_it_is_solving_and_its_time_limit_before_the_solve() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("fixtures/tiny/scenario.toml");
    let r = hubplan(&[
        "plan",
        scenario.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    let solving = lines
        .iter()
        .position(|l| l.starts_with("solving (min_cost) on 8 zones and 5 sites; time limit 10 s"))
        .unwrap_or_else(|| panic!("no solving line in:\n{}", r.stderr));
    let solved = lines
        .iter()
        .position(|l| l.starts_with("solved with"))
        .unwrap_or_else(|| panic!("no solved line in:\n{}", r.stderr));
    assert!(solving < solved, "{}", r.stderr);
    // --quiet still prints nothing on stderr.
    let q = hubplan(&[
        "plan",
        scenario.to_str().unwrap(),
        "--out",
        dir.path().join("out2").to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(q.code, 0, "{}", q.stderr);
    assert!(!q.stderr.contains("solving"), "{}", q.stderr);
}

/// Writes a scenario of one site and `n + 1` zones, of which `n` have no travel time
/// at all (each a `zone_no_site_within_twice_limit` warning).
fn many_unreachable(dir: &Path, n: usize) -> std::path::PathBuf {
    std::fs::write(dir.join("sites.csv"), "id,lon,lat,annual_cost\nS1,0.50,51.20,1000\n").unwrap();
    let mut zones = String::from("id,lon,lat,need\nZ0,0.50,51.21,10\n");
    for k in 1..=n {
        let _ = writeln!(zones, "Z{k},{:.3},51.30,10", 0.40 + 0.01 * k as f64);
    }
    std::fs::write(dir.join("zones.csv"), zones).unwrap();
    std::fs::write(dir.join("travel_times.csv"), "zone_id,site_id,minutes\nZ0,S1,5\n").unwrap();
    let scenario = dir.join("scenario.toml");
    std::fs::write(
        &scenario,
        "[inputs]\nsites = \"sites.csv\"\nzones = \"zones.csv\"\ntravel_times = \"travel_times.csv\"\n\
         [access]\nmax_minutes = 35\n",
    )
    .unwrap();
    scenario
}

/// Thousands of zones with one systematic problem gave thousands of warning lines on
/// stderr (one per zone), burying the rest. Now at most five per code are printed,
/// then one line with the count of the others; plan.json still lists every notice.
#[test]
fn plan_prints_at_most_five_warnings_per_code_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = many_unreachable(dir.path(), 8);
    let out = dir.path().join("out");
    let r = hubplan(&["plan", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let shown = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: zone_no_site_within_twice_limit: zones.csv:"))
        .count();
    assert_eq!(shown, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "warning: zone_no_site_within_twice_limit: 3 more warning(s) of this code not shown \
             (plan.json `notices` and `hubplan validate` list every one)"
        ),
        "{}",
        r.stderr
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let listed = plan["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["code"] == "zone_no_site_within_twice_limit")
        .count();
    assert_eq!(listed, 8);
    // Five or fewer: every one is printed and no count line.
    let dir2 = tempfile::tempdir().unwrap();
    let s2 = many_unreachable(dir2.path(), 5);
    let r2 = hubplan(&[
        "plan",
        s2.to_str().unwrap(),
        "--out",
        dir2.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    assert_eq!(
        r2.stderr
            .lines()
            .filter(|l| l.contains("zone_no_site_within_twice_limit: zones.csv:"))
            .count(),
        5
    );
    assert!(!r2.stderr.contains("not shown"), "{}", r2.stderr);
}
