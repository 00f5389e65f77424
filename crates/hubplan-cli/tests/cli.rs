//! End-to-end tests of the `hubplan` binary: real files in, real files out.

mod common;

use std::path::{Path, PathBuf};

use common::{hubplan, read_csv, root, Run};

/// Copies a fixture directory into a fresh temporary directory.
fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("fixtures").join(name)).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
    }
    dir
}

/// Writes `DIR/TO`: `DIR/FROM` changed by `edit`.
fn write_edited(dir: &Path, from: &str, to: &str, edit: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(dir.join(from)).unwrap();
    std::fs::write(dir.join(to), edit(text)).unwrap();
}

/// Runs `hubplan plan SCENARIO --out OUT --quiet`.
fn plan_quiet(scenario: &Path, out: &Path) -> Run {
    hubplan(&[
        "plan",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ])
}

/// [`plan_quiet`] of `DIR/SCENARIO` into `DIR/OUT`, which must succeed;
/// returns the output directory.
fn planned(dir: &Path, scenario: &str, out: &str) -> PathBuf {
    let r = plan_quiet(&dir.join(scenario), &dir.join(out));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    dir.join(out)
}

/// The plan.json an output directory holds, parsed.
fn plan_json(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap()
}

/// `hubplan compare A B`, which must succeed; returns its standard output.
fn compare(a: &Path, b: &Path) -> String {
    let r = hubplan(&["compare", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    r.stdout
}

/// The access rule checked independently of hubplan's own evaluator, from the
/// input files and the output files only: every zone with need > 0 is within
/// `max` minutes of a site the plan keeps open, or is listed as unreachable
/// and truly has no site within `max` minutes.
fn check_access_rule(input_dir: &Path, out: &Path, max: f64) {
    let sites = read_csv(&out.join("sites.csv"));
    let open: std::collections::BTreeSet<String> = sites
        .iter()
        .filter(|s| s["decision"] == "keep" || s["decision"] == "open")
        .map(|s| s["id"].clone())
        .collect();
    let travel = read_csv(&input_dir.join("travel_times.csv"));
    let zones_out = read_csv(&out.join("zones.csv"));
    let plan = plan_json(out);
    let unreachable: Vec<String> = plan["unreachable_zones"]
        .as_array()
        .expect("plan.json lists unreachable_zones")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for z in &zones_out {
        let id = &z["id"];
        let within = |only_open: bool| {
            travel.iter().any(|t| {
                &t["zone_id"] == id
                    && !t["minutes"].is_empty()
                    && t["minutes"].parse::<f64>().unwrap() <= max
                    && (!only_open || open.contains(&t["site_id"]))
            })
        };
        let need: f64 = z["need"].parse().unwrap();
        if need <= 0.0 {
            continue;
        }
        if unreachable.contains(id) {
            assert!(
                !within(false),
                "zone {id} is listed unreachable but has a site within {max}"
            );
        } else {
            assert!(
                within(true),
                "zone {id} has no open site within {max} minutes and is not listed"
            );
        }
    }
}

#[test]
fn tiny_plan_matches_the_hand_worked_optimum() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("plan");
    let r = hubplan(&[
        "plan",
        root().join("fixtures/tiny/scenario.toml").to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let plan = plan_json(&dir);
    assert_eq!(plan["status"], "optimal");
    assert_eq!(plan["objective"].as_f64(), Some(75_000.0));
    assert_eq!(plan["gap"].as_f64(), Some(0.0));
    let decisions: Vec<(String, String)> = plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["decision"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = [
        ("A", "keep"),
        ("B", "close"),
        ("C", "keep"),
        ("D", "keep"),
        ("E", "unused"),
    ];
    assert_eq!(
        decisions,
        expect
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(plan["unreachable_zones"], serde_json::json!(["Z7"]));
    for f in ["plan.json", "sites.csv", "zones.csv", "plan.geojson"] {
        assert!(dir.join(f).is_file(), "{f} written");
    }
    check_access_rule(&root().join("fixtures/tiny"), &dir, 35.0);
    assert!(r.stdout.contains("status: optimal"), "{}", r.stdout);
}

#[test]
fn kent_plan_is_optimal_and_meets_the_access_rule() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("kent");
    let r = plan_quiet(&root().join("fixtures/kent/scenario.toml"), &dir);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let plan = plan_json(&dir);
    assert_eq!(plan["status"], "optimal", "{}", r.stdout);
    check_access_rule(&root().join("fixtures/kent"), &dir, 35.0);
}

#[test]
fn infeasible_scenario_exits_3_and_names_the_blocking_closure() {
    let d = copy_fixture("tiny");
    let sc = d.path().join("scenario.toml");
    let text = std::fs::read_to_string(&sc).unwrap() + "[limits]\nclose = [\"D\"]\n";
    std::fs::write(&sc, text).unwrap();
    let out = d.path().join("out");
    let r = plan_quiet(&sc, &out);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("infeasible"), "{}", r.stdout);
    assert!(r.stdout.contains("(D)") && r.stdout.contains("Z6"), "{}", r.stdout);
    let plan = plan_json(&out);
    assert_eq!(plan["status"], "infeasible");
}

/// Mutates one file of the tiny fixture, runs `plan`, and expects exit 2, a
/// message containing every fragment, and no output directory.
fn check_bad(file: &str, edit: impl Fn(String) -> String, fragments: &[&str]) {
    let d = copy_fixture("tiny");
    let p = d.path().join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, edit(text)).unwrap();
    let out = d.path().join("out");
    let r = hubplan(&[
        "plan",
        d.path().join("scenario.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "exit code for {fragments:?}: {}{}", r.stdout, r.stderr);
    for f in fragments {
        assert!(r.stderr.contains(f), "message lacks {f:?}:\n{}", r.stderr);
    }
    assert!(!out.exists(), "no output on bad input");
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn bad_inputs_name_file_row_and_field() {
    // A missing column.
    check_bad(
        "sites.csv",
        |t| t.replacen("annual_cost", "annual_costs", 1),
        &["sites.csv", "annual_cost"],
    );
    check_bad("zones.csv", |t| t.replacen("id,", "code,", 1), &["zones.csv", "id"]);
    // An unknown id in the matrix.
    check_bad(
        "travel_times.csv",
        |t| t.replacen("Z3,B,10.00", "Z3,Q,10.00", 1),
        &["travel_times.csv", ":8", "site_id", "Q"],
    );
    // A duplicate id.
    check_bad(
        "sites.csv",
        |t| t.replacen("B,Riverside", "A,Riverside", 1),
        &["sites.csv", ":3", "id", "A"],
    );
    // A non-numeric cost.
    check_bad(
        "sites.csv",
        |t| t.replacen("80000", "eighty thousand", 1),
        &["sites.csv", ":3", "annual_cost", "eighty thousand"],
    );
    // Negative minutes.
    check_bad(
        "travel_times.csv",
        |t| t.replacen("Z3,B,10.00", "Z3,B,-10.00", 1),
        &["travel_times.csv", ":8", "minutes"],
    );
    // A site in both keep and close.
    check_bad(
        "scenario.toml",
        |t| t + "[limits]\nkeep = [\"A\"]\nclose = [\"A\"]\n",
        &["A", "keep", "close"],
    );
    // A typo in the scenario.
    check_bad(
        "scenario.toml",
        |t| t.replace("max_minutes", "max_minute"),
        &["scenario.toml", "max_minute", "max_minutes"],
    );
}

#[test]
fn missing_scenario_and_usage_errors_exit_2() {
    let r = hubplan(&[
        "plan",
        "/nonexistent/scenario.toml",
        "--out",
        "/tmp/never-written-hubplan",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/scenario.toml"), "{}", r.stderr);
    let r = hubplan(&["plan"]);
    assert_eq!(r.code, 2);
    let r = hubplan(&["--version"]);
    assert_eq!(r.code, 0);
}

#[test]
fn validate_prints_a_summary() {
    let r = hubplan(&["validate", root().join("fixtures/tiny/scenario.toml").to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("sites: 5 (4 existing, 1 candidates)"), "{}", r.stdout);
    assert!(r.stdout.contains("zones: 8"), "{}", r.stdout);
    assert!(r.stdout.contains("Z7"), "{}", r.stdout);
}

/// Session 9 sweep, "seen, not changed": two co-location plans that differ only in
/// a service's own limit (services.csv) were compared with no note, though "need
/// within the limit" counts each against its own limits.
#[test]
fn compare_says_when_a_services_own_limit_differs() {
    let dir = copy_fixture("tiny_services");
    let d = dir.path();
    write_edited(d, "services.csv", "services_30.csv", |t| {
        t.replace("pop_11_19,25,", "pop_11_19,30,")
    });
    write_edited(d, "scenario.toml", "scenario_30.toml", |t| {
        t.replace("services = \"services.csv\"", "services = \"services_30.csv\"")
    });
    let (a, b) = (planned(d, "scenario.toml", "a"), planned(d, "scenario_30.toml", "b"));
    let out = compare(&a, &b);
    assert!(
        out.contains(
            "note: the plans have different access limits for a service (youth: 25 minutes in A, 30 minutes in B): \
             \"need within the limit\" and \"share within the limit\" count each plan against its own limits"
        ),
        "{out}"
    );
    let out = compare(&a, &a);
    assert!(!out.contains("different access limits"), "{out}");
}

/// Session 8 sweep, "seen, not changed": `hubplan compare` of two plans made under
/// different access limits compared "need within the limit" across the two limits
/// without saying so. It now says so, and only then.
#[test]
fn compare_says_when_the_plans_have_different_limits() {
    let dir = copy_fixture("tiny");
    let d = dir.path();
    write_edited(d, "scenario.toml", "scenario_45.toml", |t| {
        t.replace("max_minutes = 35", "max_minutes = 45")
    });
    let (a, b) = (planned(d, "scenario.toml", "a"), planned(d, "scenario_45.toml", "b"));
    let out = compare(&a, &b);
    assert!(
        out.contains(
            "note: the plans have different access limits (A's access limit is 35 minutes and B's 45 minutes): \
             \"need within the limit\" and \"share within the limit\" count each plan against its own limit"
        ),
        "{out}"
    );
    let out = compare(&a, &a);
    assert!(!out.contains("different access limits"), "{out}");
    assert!(out.contains("need within the limit"), "{out}");
    // min_travel without a limit: nothing to be within.
    write_edited(d, "scenario.toml", "scenario_none.toml", |t| {
        t.replace("max_minutes = 35\n", "")
            .replace("kind = \"min_cost\"", "kind = \"min_travel\"\n[limits]\nsites = 4")
    });
    let c = planned(d, "scenario_none.toml", "c");
    let r = hubplan(&["compare", a.to_str().unwrap(), c.to_str().unwrap()]);
    assert!(
        r.stdout
            .contains("(A's access limit is 35 minutes and B's no access limit)"),
        "{}",
        r.stdout
    );
    let r = hubplan(&["compare", c.to_str().unwrap(), c.to_str().unwrap()]);
    assert!(
        r.stdout.contains("need within reach") && !r.stdout.contains("within the limit"),
        "{}",
        r.stdout
    );
}

/// Session 9 acceptance sweep, on the hand-checked tiny fixture: `min_travel` without
/// a limit and 2 sites is infeasible (every zone with a journey must still reach an open
/// site, and no 2 of A–E reach all eight zones; A, C, D do) but was explained as "The
/// budget and the site count can each be met alone, but not together" with no budget in
/// the scenario; and one site under `min_cost` read "Exactly 1 open sites … With 1 sites".
#[test]
fn site_count_blockers_name_the_least_sites_and_agree_in_number() {
    let dir = copy_fixture("tiny");
    let text = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
    let run = |name: &str, scenario: String| {
        std::fs::write(dir.path().join(name), scenario).unwrap();
        let r = plan_quiet(&dir.path().join(name), &dir.path().join(format!("{name}.out")));
        assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
        r.stdout + &r.stderr
    };
    let no_limit = run(
        "travel.toml",
        text.replace("max_minutes = 35\n", "")
            .replace("kind = \"min_cost\"", "kind = \"min_travel\"\n[limits]\nsites = 2"),
    );
    assert!(
        no_limit.contains(
            "Exactly 2 open sites were asked for, but at least 3 are needed to keep every zone within reach."
        ),
        "{no_limit}"
    );
    assert!(!no_limit.contains("budget"), "{no_limit}");
    let one = run("one.toml", text.replace("[solver]", "[limits]\nsites = 1\n[solver]"));
    assert!(
        one.contains(
            "Exactly 1 open site was asked for, but at least 3 are needed to keep every zone within 35 minutes"
        ) && one.contains("With 1 site the best plan leaves"),
        "{one}"
    );
}

/// Chester audit (session 16): `hubplan report DIR` needed the scenario path to exist as
/// typed to `hubplan plan`, i.e. to be run from the same folder, or `--scenario`. It now
/// finds the scenario from the plan directory too (the recorded path from each folder
/// above it), prefers the copy whose SHA-256 plan.json records over another file of that
/// name, and says clearly when there is none.
#[test]
fn report_finds_the_scenario_from_the_plan_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = tmp.path().join("proj");
    let scen = proj.join("scen");
    std::fs::create_dir_all(&scen).unwrap();
    for f in ["scenario.toml", "sites.csv", "zones.csv", "travel_times.csv"] {
        std::fs::copy(root().join("fixtures/tiny").join(f), scen.join(f)).unwrap();
    }
    let r = common::hubplan_in(&proj, &["plan", "scen/scenario.toml", "--out", "runs/a", "--quiet"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // A decoy of the same relative path from the folder `report` runs in: not the scenario.
    std::fs::create_dir_all(tmp.path().join("scen")).unwrap();
    std::fs::write(tmp.path().join("scen/scenario.toml"), "not the scenario\n").unwrap();
    let r = common::hubplan_in(tmp.path(), &["report", "proj/runs/a", "--quiet"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(proj.join("runs/a/appendix.html").is_file());
    assert!(proj.join("runs/a/appendix.md").is_file());
    // Nowhere to be found: a clear error, exit 2, nothing written.
    std::fs::remove_dir_all(tmp.path().join("scen")).unwrap();
    std::fs::rename(&scen, proj.join("moved")).unwrap();
    std::fs::remove_file(proj.join("runs/a/appendix.html")).unwrap();
    let r = common::hubplan_in(tmp.path(), &["report", "proj/runs/a", "--quiet"]);
    common::must_fail(
        &r,
        &[
            "cannot find the scenario",
            "scen/scenario.toml",
            "plan.json",
            "--scenario",
        ],
    );
    assert!(!proj.join("runs/a/appendix.html").exists());
    // --scenario still works.
    let r = common::hubplan_in(
        tmp.path(),
        &[
            "report",
            "proj/runs/a",
            "--scenario",
            "proj/moved/scenario.toml",
            "--quiet",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// Session 17: `hubplan report DIR` still needed `--scenario` when `hubplan plan` wrote
/// the plan outside the folder it ran in: the recorded path is relative to that folder,
/// which is neither the folder `report` runs in nor above the plan directory. plan.json
/// now records the scenario's absolute path too (`scenario.file_absolute`), still checked
/// against its SHA-256. Plan from `work/`, written to `elsewhere/out`, reported from `third/`.
#[test]
fn report_finds_the_scenario_when_the_plan_was_written_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let (work, elsewhere, third) = (
        tmp.path().join("work"),
        tmp.path().join("elsewhere"),
        tmp.path().join("third"),
    );
    let scen = work.join("scen");
    for d in [&scen, &elsewhere, &third] {
        std::fs::create_dir_all(d).unwrap();
    }
    for f in ["scenario.toml", "sites.csv", "zones.csv", "travel_times.csv"] {
        std::fs::copy(root().join("fixtures/tiny").join(f), scen.join(f)).unwrap();
    }
    let out = elsewhere.join("out");
    let out_s = out.to_str().unwrap();
    let r = common::hubplan_in(&work, &["plan", "scen/scenario.toml", "--out", out_s, "--quiet"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let p = plan_json(&out);
    assert_eq!(p["scenario"]["file"], "scen/scenario.toml");
    let abs = p["scenario"]["file_absolute"]
        .as_str()
        .unwrap_or_else(|| panic!("no file_absolute: {}", p["scenario"]));
    assert!(
        Path::new(abs).is_absolute() && abs.ends_with("work/scen/scenario.toml"),
        "{abs}"
    );
    // A decoy at the recorded path from the folder `report` runs in: not the scenario.
    std::fs::create_dir_all(third.join("scen")).unwrap();
    std::fs::write(third.join("scen/scenario.toml"), "not the scenario\n").unwrap();
    let r = common::hubplan_in(&third, &["report", out_s, "--quiet"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(out.join("appendix.html").is_file());
    assert!(out.join("appendix.md").is_file());
    // The scenario moved away: a clear error naming every path tried, exit 2, nothing written.
    std::fs::rename(&scen, work.join("moved")).unwrap();
    std::fs::remove_dir_all(third.join("scen")).unwrap();
    std::fs::remove_file(out.join("appendix.html")).unwrap();
    let r = common::hubplan_in(&third, &["report", out_s, "--quiet"]);
    common::must_fail(
        &r,
        &[
            "cannot find the scenario",
            "plan.json",
            "scen/scenario.toml (as recorded in plan.json, from the current folder)",
            abs,
            "(its absolute path when planned)",
            "each folder above it",
            "--scenario",
        ],
    );
    assert!(!out.join("appendix.html").exists());
}
