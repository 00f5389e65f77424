//! Demand capacity end to end through the facade on fixtures/capacity_two
//! (hand-checked in its README): the plan, plan.json's capacity block, the
//! sites.csv utilisation columns, the summary, and an infeasible what-if.

use std::path::{Path, PathBuf};

use hubplan::PlanStatus;
use hubplan_run::{load, silent, LoadOptions, Overrides};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn capacity_two_keeps_b_for_capacity_and_writes_utilisation() {
    let job = load(
        &root().join("fixtures/capacity_two/scenario.toml"),
        &LoadOptions::default(),
        &silent(),
    )
    .unwrap();
    let out = job.solve(&Overrides::default()).unwrap();
    assert_eq!(out.status(), PlanStatus::Optimal);
    assert_eq!(out.objective(), 310_000.0);
    let pj = out.plan_json().unwrap();
    let cap = &pj["capacity"];
    assert_eq!(cap["assignment"], "split");
    let reasons = cap["reasons"].as_array().unwrap();
    assert!(reasons
        .iter()
        .any(|r| r["site"] == "B"
            && r["text"] == "kept because without it, zone Z3 would exceed A's capacity by 50 users"));
    let a = &cap["sites"][0];
    assert_eq!(a["users_before_source"], "users_today");
    assert_eq!(a["utilisation_before"], 0.9);
    assert_eq!(a["utilisation_after"], 1.0);
    assert_eq!(cap["warnings"][0]["kind"], "nearly_full");
    let files = out.files().unwrap();
    let sites = files
        .iter()
        .find(|(n, _)| *n == "sites.csv")
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .unwrap();
    assert!(sites
        .lines()
        .next()
        .unwrap()
        .ends_with("need_served,max_users,users_before,users_after,utilisation_before,utilisation_after"));
    assert!(
        sites.contains(",keep,100000.00,0.00,2,2,100,100,90,100,0.9,1\n"),
        "{sites}"
    );
    let text = out.summary_text();
    assert!(text.contains("capacity (split assignment)"), "{text}");
    assert!(text.contains("warning: A would be 100% full"), "{text}");

    // Forcing B closed leaves 50 users without room: infeasible, in capacity terms.
    let closed = job
        .solve(&Overrides {
            close: vec!["B".into()],
            ..Overrides::default()
        })
        .unwrap();
    assert_eq!(closed.status(), PlanStatus::Infeasible);
    let pj = closed.plan_json().unwrap();
    let b = &pj["infeasibility"]["blockers"][0];
    assert_eq!(b["kind"], "capacity");
    assert_eq!(b["missing_users"], 50.0);
    assert_eq!(b["full_sites"][0], "A");
    assert!(
        closed.summary_text().contains("50 users cannot be placed"),
        "{}",
        closed.summary_text()
    );
}
