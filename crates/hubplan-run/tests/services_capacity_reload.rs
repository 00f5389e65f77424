//! A co-location plan directory with demand capacity, reloaded (`hubplan report
//! PLAN_DIR`): the saved assignment (`capacity.services[].placed`) rebuilds the
//! utilisation, reasons and warnings, so the reloaded appendix is the one
//! `hubplan plan --report` writes, with its "Capacity and use of buildings, by
//! service" section (fixtures/tiny_services_capacity, hand-checked in its README).

use std::path::{Path, PathBuf};

use hubplan_run::{load, reload, silent, AppendixOptions, LoadOptions, Overrides, WriteOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/tiny_services_capacity")
        .join(name)
}

fn appendix_md(out: &hubplan_run::Outcome) -> String {
    let files = out.appendix_files(&AppendixOptions::default()).unwrap();
    let (_, b) = files.iter().find(|(n, _)| *n == "appendix.md").unwrap();
    String::from_utf8(b.clone()).unwrap()
}

#[test]
fn a_reloaded_plan_keeps_its_capacity_section() {
    for scenario in ["scenario.toml", "scenario_single.toml"] {
        let job = load(&fixture(scenario), &LoadOptions::default(), &silent()).unwrap();
        let out = job.solve(&Overrides::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        out.write(dir.path(), &WriteOptions::default()).unwrap();
        let back = reload(dir.path(), None, &LoadOptions::default(), &silent()).unwrap();
        let (want, got) = (appendix_md(&out), appendix_md(&back.outcome));
        assert!(
            want.contains("Capacity and use of buildings, by service"),
            "{scenario}: {want}"
        );
        assert_eq!(got, want, "{scenario}: the reloaded appendix differs");
        assert_eq!(
            back.outcome.plan_json().unwrap()["capacity"],
            out.plan_json().unwrap()["capacity"],
            "{scenario}"
        );
    }
}

/// A saved assignment that breaks a capacity is refused, naming plan.json.
#[test]
fn a_tampered_assignment_is_refused() {
    let job = load(&fixture("scenario.toml"), &LoadOptions::default(), &silent()).unwrap();
    let out = job.solve(&Overrides::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    out.write(dir.path(), &WriteOptions::default()).unwrap();
    let path = dir.path().join("plan.json");
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // Move Z1's 100 under-fives from A to B: B would hold 250 of its 150 places.
    let placed = doc["capacity"]["services"][0]["placed"].as_array_mut().unwrap();
    let z1 = placed.iter_mut().find(|p| p["zone"] == "Z1").unwrap();
    z1["sites"] = serde_json::json!([{"site": "B", "users": 100.0}]);
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let err = match reload(dir.path(), None, &LoadOptions::default(), &silent()) {
        Ok(_) => panic!("a tampered assignment must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("plan.json") && err.contains("assignment"), "{err}");
}
