//! Issue 18, end to end: zones already beyond the limit today, true reasons, and
//! who is worse off. Every check reads the files the binary wrote (plan.json,
//! zones.csv, appendix.md) and the input files, never hubplan's own types.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{hubplan, read_csv, root};
use serde_json::Value;

fn run_plan(scenario: &Path, report: bool) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "plan".to_string(),
        scenario.display().to_string(),
        "--out".into(),
        out.path().display().to_string(),
        "--quiet".into(),
    ];
    if report {
        args.push("--report".into());
    }
    let r = hubplan(&args);
    assert!(
        r.code == 0 || r.code == 3,
        "{}: exit {}\n{}",
        scenario.display(),
        r.code,
        r.stderr
    );
    out
}

fn plan_json(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap()
}

fn decision(plan: &Value, id: &str) -> String {
    plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .map(|s| s["decision"].as_str().unwrap().to_string())
        .unwrap()
}

fn site_text(plan: &Value, id: &str) -> String {
    plan["explanations"]["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .map(|s| s["text"].as_str().unwrap().to_string())
        .unwrap()
}

fn tiny_beyond(name: &str) -> std::path::PathBuf {
    root().join("fixtures/tiny_beyond").join(name)
}

/// Zone Z1 is 40 minutes from A today and 50 from B; B is needed for Z2 anyway.
#[test]
fn no_worse_keeps_a_and_says_why() {
    let out = run_plan(&tiny_beyond("scenario_no_worse.toml"), true);
    let p = plan_json(out.path());
    assert_eq!(decision(&p, "A"), "keep");
    let t = site_text(&p, "A");
    assert!(t.contains("already beyond 35 minutes today"), "{t}");
    assert!(t.contains("no_worse"), "{t}");
    assert!(t.contains("Far Hamlet (Z1) is 40.0 min away today"), "{t}");
    assert!(t.contains("50.0 min to B"), "{t}");
    assert_eq!(p["worse_off"]["zones"].as_array().unwrap().len(), 0);
    assert_eq!(p["scenario"]["beyond_limit"], "no_worse");
}

#[test]
fn ignore_closes_a_and_names_the_zone_ten_minutes_worse() {
    let out = run_plan(&tiny_beyond("scenario_ignore.toml"), true);
    let p = plan_json(out.path());
    assert_eq!(decision(&p, "A"), "close");
    let w = p["worse_off"]["zones"].as_array().unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0]["zone"], "Z1");
    assert_eq!(w[0]["name"], "Far Hamlet");
    assert_eq!(w[0]["minutes_before"], 40.0);
    assert_eq!(w[0]["minutes_after"], 50.0);
    assert_eq!(w[0]["increase"], 10.0);
    assert_eq!(w[0]["caused_by"], "A");
    assert_eq!(w[0]["imd_decile"], 2);
    assert_eq!(w[0]["children"], 50.0);
    let t = site_text(&p, "A");
    assert!(t.contains("Far Hamlet (Z1) 40.0 → 50.0 min"), "{t}");
    assert!(!t.contains("stay within"), "{t}");
    let md = std::fs::read_to_string(out.path().join("appendix.md")).unwrap();
    assert!(
        md.contains("Far Hamlet (Z1) from 40.0 to 50.0 minutes (+10.0), as Ashby Children's Centre (A) closes"),
        "{md}"
    );
    assert!(
        md.contains("left out of the access rule (access.beyond\\_limit = ignore)"),
        "{md}"
    );
    let dec = p["worse_off"]["by_imd_decile"].as_array().unwrap();
    let d2 = dec.iter().find(|d| d["imd_decile"] == 2).unwrap();
    assert_eq!(d2["zones_worse_off"], 1);
}

#[test]
fn tolerance_ten_closes_a_and_five_keeps_it() {
    let p = plan_json(run_plan(&tiny_beyond("scenario_tolerance_10.toml"), false).path());
    assert_eq!(decision(&p, "A"), "close");
    assert!(site_text(&p, "A").contains("allowed by access.beyond_limit = tolerance, up to 10 minutes longer"));
    let p = plan_json(run_plan(&tiny_beyond("scenario_tolerance_5.toml"), false).path());
    assert_eq!(decision(&p, "A"), "keep");
}

/// For every site explanation in plan.json: each user whose minutes after (from
/// zones.csv) exceed the limit is named in the text, and no text claims that
/// "all … stay within" when one does not. Under the default rule, no zone beyond
/// the limit today has more minutes after than before.
fn check_reasons(scenario: &Path, max: f64) {
    let out = run_plan(scenario, false);
    let p = plan_json(out.path());
    if !matches!(p["status"].as_str(), Some("optimal" | "feasible")) {
        return;
    }
    let zones: BTreeMap<String, BTreeMap<String, String>> = read_csv(&out.path().join("zones.csv"))
        .into_iter()
        .map(|z| (z["id"].clone(), z))
        .collect();
    let num = |s: &str| {
        if s.is_empty() {
            f64::INFINITY
        } else {
            s.parse::<f64>().unwrap()
        }
    };
    for s in p["explanations"]["sites"].as_array().unwrap() {
        let text = s["text"].as_str().unwrap();
        let id = s["id"].as_str().unwrap();
        let decision = s["decision"].as_str().unwrap();
        // The users of a closure: zones whose nearest site today is this one.
        // The users of a kept site: zones whose nearest open site after is this one.
        let users: Vec<&BTreeMap<String, String>> = zones
            .values()
            .filter(|z| {
                if decision == "close" {
                    z["nearest_site_before"] == id
                } else {
                    z["nearest_site"] == id && num(&z["need"]) > 0.0
                }
            })
            .collect();
        let mut all_within = true;
        for z in &users {
            let (before, after) = (num(&z["minutes_before"]), num(&z["minutes"]));
            if after > max || (before > max && after > before) {
                all_within = false;
                assert!(
                    text.contains(&format!("({})", z["id"])) || text.contains(&format!("{} ", z["id"])),
                    "{}: site {id}: user {} ({before} → {after} min) is not named in: {text}",
                    scenario.display(),
                    z["id"]
                );
            }
        }
        if !all_within {
            let claims_all = text
                .split([';', '.'])
                .any(|c| (c.contains(": all ") || c.trim_start().starts_with("all ")) && c.contains("stay within"))
                || text.contains("the one zone it served stays within");
            assert!(
                !claims_all,
                "{}: site {id} claims all users stay within: {text}",
                scenario.display()
            );
        }
    }
    if p["scenario"]["beyond_limit"] == "no_worse" && p["objective_kind"] != "max_coverage" {
        for z in zones.values() {
            let (before, after) = (num(&z["minutes_before"]), num(&z["minutes"]));
            if before > max && before.is_finite() && num(&z["need"]) > 0.0 {
                assert!(
                    after <= before,
                    "{}: zone {} was {before} min today and is {after} min after",
                    scenario.display(),
                    z["id"]
                );
            }
        }
    }
}

#[test]
fn bundled_fixtures_reasons_are_true_and_no_one_beyond_gets_worse() {
    for (f, max) in [
        ("fixtures/tiny/scenario.toml", 35.0),
        ("fixtures/tiny_beyond/scenario_no_worse.toml", 35.0),
        ("fixtures/tiny_beyond/scenario_ignore.toml", 35.0),
        ("fixtures/tiny_beyond/scenario_tolerance_10.toml", 35.0),
        ("fixtures/kent/scenario.toml", 35.0),
        ("fixtures/kent/scenario_budget.toml", 35.0),
    ] {
        check_reasons(&root().join(f), max);
    }
}
