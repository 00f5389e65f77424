//! What the terminal shows on regional scenarios (thousands of zones): a long solve
//! says it has started and its time limit, and a systematic data problem does not
//! print one warning line per zone; and what a sweep writes when it closes thousands
//! of buildings (every cell fits in a spreadsheet cell).

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
    write_scenario(dir)
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

/// Writes a scenario of one zone and `n` buildings within reach of it, each with a
/// 15-character id: a least-cost plan keeps one and closes the other `n - 1`.
fn many_buildings(dir: &Path, n: usize) -> std::path::PathBuf {
    let mut sites = String::from("id,name,district,lon,lat,annual_cost\n");
    let mut travel = String::from("zone_id,site_id,minutes\n");
    for k in 0..n {
        let id = format!("BUILDING-{k:06}");
        let _ = writeln!(
            sites,
            "{id},Building {k},District {},{:.4},{:.4},{}",
            k % 7,
            0.40 + 0.0001 * (k % 100) as f64,
            51.20 + 0.0001 * (k / 100) as f64,
            1000 + k
        );
        let _ = writeln!(travel, "Z0,{id},{}", 5 + k % 20);
    }
    std::fs::write(dir.join("sites.csv"), sites).unwrap();
    std::fs::write(dir.join("zones.csv"), "id,lon,lat,need\nZ0,0.41,51.21,10\n").unwrap();
    std::fs::write(dir.join("travel_times.csv"), travel).unwrap();
    write_scenario(dir)
}

/// The scenario both generated cases share: their three files, 35 minutes.
fn write_scenario(dir: &Path) -> std::path::PathBuf {
    let scenario = dir.join("scenario.toml");
    std::fs::write(
        &scenario,
        "[inputs]\nsites = \"sites.csv\"\nzones = \"zones.csv\"\ntravel_times = \"travel_times.csv\"\n\
         [access]\nmax_minutes = 35\n",
    )
    .unwrap();
    scenario
}

/// Every record of a CSV file, header first.
fn records(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Session 18 regional audit: at national scale `sweep.csv`'s `closed_sites` cell
/// listed thousands of ids, over the 32,767 characters a spreadsheet cell holds
/// (Excel cuts it, silently). Now the ids stay in the cell only while they fit; a
/// longer list becomes a count and a pointer to `sweep_sites.csv`, which has every
/// building's decision at every point, one row each.
#[test]
fn sweep_of_thousands_of_closures_fits_every_cell_and_lists_them_one_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let n = 3000;
    let scenario = many_buildings(dir.path(), n);
    let out = dir.path().join("out");
    let r = hubplan(&[
        "sweep",
        scenario.to_str().unwrap(),
        "--max-minutes",
        "30,35",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let sweep = records(&out.join("sweep.csv"));
    let sites = records(&out.join("sweep_sites.csv"));
    // No cell of either file is longer than a spreadsheet cell.
    for (name, rows) in [("sweep.csv", &sweep), ("sweep_sites.csv", &sites)] {
        let longest = rows.iter().flatten().map(|c| c.chars().count()).max().unwrap();
        assert!(longest <= 32_767, "{name}: a cell of {longest} characters");
    }
    let col = |name: &str| sweep[0].iter().position(|h| h == name).unwrap();
    assert_eq!(sweep.len(), 3, "header and two points");
    for row in &sweep[1..] {
        assert_eq!(row[col("status")], "optimal", "{row:?}");
        assert_eq!(row[col("sites_open")], "1");
        assert_eq!(
            row[col("closed_sites")],
            "2999 buildings closed: too many ids for one spreadsheet cell; see sweep_sites.csv"
        );
    }
    // sweep_sites.csv: one row per (point, building), 2999 closed at each point.
    assert_eq!(
        sites[0],
        ["point", "kind", "value", "site_id", "name", "district", "status", "decision"]
    );
    assert_eq!(sites.len(), 1 + 2 * n);
    assert_eq!(
        sites[1],
        [
            "1",
            "max_minutes",
            "30",
            "BUILDING-000000",
            "Building 0",
            "District 0",
            "existing",
            "keep"
        ]
    );
    for (point, value) in [("1", "30"), ("2", "35")] {
        let rows: Vec<&Vec<String>> = sites[1..].iter().filter(|r| r[0] == point).collect();
        assert_eq!(rows.len(), n);
        assert!(rows.iter().all(|r| r[1] == "max_minutes" && r[2] == value));
        assert_eq!(rows.iter().filter(|r| r[7] == "close").count(), n - 1);
        assert_eq!(rows.iter().filter(|r| r[7] == "keep").count(), 1);
    }
}
