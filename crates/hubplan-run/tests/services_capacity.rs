//! Demand capacity per building and service in the co-location model, end to
//! end through the facade on fixtures/tiny_services_capacity (hand-checked in
//! its README): the plan, plan.json's capacity block and sites.csv against
//! golden files, the summary, single assignment, an infeasible scenario, and
//! the independent checker on every plan.
//!
//! Regenerate the golden files with
//! UPDATE_GOLDEN=1 cargo test -p hubplan-run --test services_capacity

use std::path::{Path, PathBuf};

use hubplan::PlanStatus;
use hubplan_run::{load, silent, LoadOptions, Outcome, Overrides};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/tiny_services_capacity").join(name)
}

fn golden(name: &str, got: &str) {
    let path = fixture("expected").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 to create it", path.display()));
    assert_eq!(
        got,
        want,
        "{} differs; run with UPDATE_GOLDEN=1 if the change is right",
        path.display()
    );
}

fn file(out: &Outcome, name: &str) -> String {
    out.files()
        .unwrap()
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .unwrap()
}

fn solve(scenario: &str, o: &Overrides) -> Outcome {
    let job = load(&fixture(scenario), &LoadOptions::default(), &silent()).unwrap();
    job.solve(o).unwrap()
}

#[test]
fn capacity_keeps_a_second_childrens_centre_open() {
    let out = solve("scenario.toml", &Overrides::default());
    assert_eq!(out.status(), PlanStatus::Optimal);
    assert_eq!(out.objective(), 24_000.0);
    let pj = out.plan_json().unwrap();
    let decisions: Vec<(String, String)> = pj["sites"]
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
    assert_eq!(
        decisions,
        [("A", "keep"), ("B", "keep"), ("C", "keep"), ("D", "close")].map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let cap = &pj["capacity"];
    assert_eq!(cap["assignment"], "split");
    let reasons = cap["reasons"].as_array().unwrap();
    assert!(
        reasons.iter().any(|r| r["site"] == "A"
            && r["service"] == "children_centre"
            && r["text"]
                == "kept because without it, zones Z1 and Z2 would exceed B's capacity for children's centre by 110 users"),
        "{reasons:?}"
    );
    assert!(reasons
        .iter()
        .any(|r| r["site"] == "D" && r["text"] == "closure sends 40 children's centre users to B (73% → 100%)"));
    // The hand-computed split assignment: Z2 shared (10 at A, 110 at B).
    let placed = &cap["services"][0]["placed"];
    assert_eq!(placed[1]["zone"], "Z2");
    assert_eq!(placed[1]["sites"][0]["users"], 10.0);
    assert_eq!(placed[1]["sites"][1]["users"], 110.0);
    golden("capacity.json", &serde_json::to_string_pretty(cap).unwrap());
    golden("sites.csv", &file(&out, "sites.csv"));
    let text = out.summary_text();
    assert!(
        text.contains("capacity for children's centre (split assignment)"),
        "{text}"
    );
    assert!(
        text.contains("warning: Riverside Children's Centre (B) would be 100% full"),
        "{text}"
    );
}

/// The same inputs through the core directly: without the capacities one
/// children's centre (B, £8,000) reaches every zone, so the optimum is B + C =
/// £14,000; with them A must stay open too (£24,000). Every plan passes the
/// independent checker.
#[test]
fn capacity_is_what_keeps_a_open() {
    let loaded = hubplan_io::load_scenario(&fixture("scenario.toml")).unwrap();
    let (inputs, rules, _) = loaded.into_service_inputs().unwrap();
    assert!(rules.capacity.is_some());
    let with = hubplan::colocate::plan_services(&inputs, &rules).unwrap();
    assert_eq!(with.objective, 24_000.0);
    assert_eq!(with.open, vec![true, true, true, false]);
    let without_rules = rules.clone().with_capacity(None);
    let without = hubplan::colocate::plan_services(&inputs, &without_rules).unwrap();
    assert_eq!(without.objective, 14_000.0);
    assert_eq!(without.open, vec![false, true, true, false]);
    assert!(without.capacity.is_none());
    // The checker refuses the uncapacitated plan under the capacities (B would take 260 of 150)…
    let cap = with.capacity.as_ref().unwrap();
    let hosting: Vec<Vec<hubplan::ServiceIdx>> = without.sites.iter().map(|s| s.hosts_after.clone()).collect();
    let all_at_b: Vec<Vec<(hubplan::SiteIdx, f64)>> = inputs
        .zone_indices()
        .map(|z| vec![(hubplan::SiteIdx(1), inputs.need(z, Some(cap.services[0].service)))])
        .collect();
    let k = with
        .services
        .iter()
        .position(|&s| s == cap.services[0].service)
        .unwrap();
    let mut a = hubplan::colocate::ServiceAssignment {
        per_service: vec![None; with.services.len()],
    };
    a.per_service[k] = Some(all_at_b);
    let v = hubplan::evaluate::check_service_assignment(&inputs, &rules, &without.open, &hosting, &a);
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].contains("site B serves 260 children_centre users but max_users_children_centre is 150"),
        "{v:?}"
    );
    // …and accepts the plan's own.
    let hosting: Vec<Vec<hubplan::ServiceIdx>> = with.sites.iter().map(|s| s.hosts_after.clone()).collect();
    a.per_service[k] = Some(cap.services[0].zones.clone());
    assert!(hubplan::evaluate::check_service_assignment(&inputs, &rules, &with.open, &hosting, &a).is_empty());
    // A zone sent beyond the limit, or a required zone left unplaced, is caught.
    let mut short = cap.services[0].zones.clone();
    short[0].clear();
    a.per_service[k] = Some(short);
    let v = hubplan::evaluate::check_service_assignment(&inputs, &rules, &with.open, &hosting, &a);
    assert!(
        v.iter()
            .any(|m| m.contains("zone Z1 needs 100 children_centre users placed")),
        "{v:?}"
    );
}

#[test]
fn single_assignment_sends_each_zone_to_one_building() {
    let out = solve("scenario_single.toml", &Overrides::default());
    assert_eq!(out.status(), PlanStatus::Optimal);
    assert_eq!(out.objective(), 24_000.0);
    let pj = out.plan_json().unwrap();
    let cap = &pj["capacity"];
    assert_eq!(cap["assignment"], "single");
    for z in cap["services"][0]["placed"].as_array().unwrap() {
        assert_eq!(z["sites"].as_array().unwrap().len(), 1, "{z}");
    }
    // Z1 and Z3 at A (140), Z2 at B (120): the least travel that fits (README.md).
    let sites = &cap["services"][0]["sites"];
    assert_eq!(sites[0]["users_after"], 140.0);
    assert_eq!(sites[1]["users_after"], 120.0);
    assert!(!cap["warnings"].as_array().unwrap().iter().any(|w| w["kind"] == "split"));
}

#[test]
fn infeasible_in_capacity_terms() {
    let out = solve("scenario_infeasible.toml", &Overrides::default());
    assert_eq!(out.status(), PlanStatus::Infeasible);
    let pj = out.plan_json().unwrap();
    let b = &pj["infeasibility"]["blockers"][0];
    assert_eq!(b["kind"], "demand_capacity");
    assert_eq!(b["service"], "children_centre");
    assert_eq!(b["full_sites"][0], "B");
    assert_eq!(b["missing_users"], 70.0);
    let text = out.summary_text();
    assert!(text.contains("70 users find no room"), "{text}");
}
