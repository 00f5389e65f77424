//! The co-location model at the boundary: `[services]` resolved into
//! `ServiceRules`, and `write_service_plan_dir` read back by `read_plan_json`.

use std::path::{Path, PathBuf};

use hubplan::colocate::{plan_services, SiteCount};
use hubplan::{ObjectiveKind, PlanStatus, ServiceIdx, SiteIdx};
use hubplan_io::*;

fn tiny(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/tiny_services")
        .join(name)
}

#[test]
fn services_table_resolves_into_rules() {
    let l = load_scenario(&tiny("scenario.toml")).unwrap();
    let r = l.service_rules.clone().expect("a [services] scenario carries rules");
    let svc = |id: &str| {
        ServiceIdx::from_index(
            l.inputs_without_travel
                .services
                .iter()
                .position(|s| s.id == id)
                .unwrap(),
        )
    };
    assert_eq!(r.services, vec![svc("children_centre"), svc("youth")]);
    assert_eq!(r.hub, vec![svc("children_centre"), svc("youth")]);
    assert_eq!(r.min_hubs_per_district, 1);
    assert_eq!(r.savings_target, Some(15_000.0));
    assert_eq!(r.capital_budget, Some(5_000.0));
    assert_eq!(r.max_minutes, Some(20.0));
    assert_eq!(r.objective, ObjectiveKind::MinCost);
    assert_eq!(r.sites, SiteCount::default());
    let l = load_scenario(&tiny("scenario_infeasible.toml")).unwrap();
    let r = l.service_rules.unwrap();
    let site = |id: &str| SiteIdx::from_index(l.inputs_without_travel.sites.iter().position(|s| s.id == id).unwrap());
    assert_eq!(r.close, vec![site("D")]);
    assert_eq!(r.close_service.len(), 1);
    assert_eq!(r.close_service[0].0, site("E"));
}

#[test]
fn every_new_key_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["sites.csv", "zones.csv", "services.csv", "travel_times.csv"] {
        std::fs::copy(tiny(f), dir.path().join(f)).unwrap();
    }
    let sc = dir.path().join("s.toml");
    std::fs::write(
        &sc,
        r#"[inputs]
sites = "sites.csv"
zones = "zones.csv"
travel_times = "travel_times.csv"
services = "services.csv"
[services]
keep_service = [["A", "youth"]]
close_service = [["C", "children_centre"]]
equity_max_imd_decile = 2
[objective]
kind = "max_coverage"
then = "min_cost"
tolerance = 0.01
[limits]
min_sites = 1
max_sites = 3
budget = 30000
"#,
    )
    .unwrap();
    let l = load_scenario(&sc).unwrap();
    let r = l.service_rules.unwrap();
    assert!(r.services.is_empty(), "default: every service");
    assert_eq!(r.then, Some(ObjectiveKind::MinCost));
    assert_eq!(r.lex_tolerance, 0.01);
    assert_eq!(
        r.sites,
        SiteCount {
            exact: None,
            min: Some(1),
            max: Some(3)
        }
    );
    assert_eq!(r.annual_budget, Some(30_000.0));
    assert_eq!(r.equity_max_imd_decile, Some(2));
    assert_eq!(r.keep_service.len(), 1);
    assert_eq!(r.close_service.len(), 1);
}

#[test]
fn scenarios_without_services_have_no_rules() {
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/good/scenario.toml");
    assert!(load_scenario(&good).unwrap().service_rules.is_none());
}

#[test]
fn service_plan_round_trips_through_read_plan_json() {
    let l = load_scenario(&tiny("scenario.toml")).unwrap();
    let (inputs, rules, meta) = l.into_service_inputs().unwrap();
    let plan = plan_services(&inputs, &rules).unwrap();
    assert_eq!(plan.status, PlanStatus::Optimal);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    write_service_plan_dir(&out, &inputs, &rules, &plan, &meta).unwrap();
    for f in PLAN_FILES {
        assert!(out.join(f).is_file(), "{f}");
    }
    let first = std::fs::read(out.join("plan.json")).unwrap();
    // Deterministic, and replacing an existing directory works.
    write_service_plan_dir(&out, &inputs, &rules, &plan, &meta).unwrap();
    assert_eq!(first, std::fs::read(out.join("plan.json")).unwrap());
    let s = read_plan_json(&out).unwrap();
    assert_eq!(s.model.as_deref(), Some("services"));
    assert_eq!(s.status, hubplan::PlanStatus::Optimal);
    assert_eq!(s.objective, Some(17_500.0));
    assert_eq!(s.services.len(), 2);
    assert!(s.services.iter().all(|x| x.hub));
    let a = s.sites.iter().find(|x| x.id == "A").unwrap();
    assert_eq!(a.services_before, vec!["children_centre"]);
    assert_eq!(a.services_after, vec!["children_centre", "youth"]);
    assert_eq!((a.hub_before, a.hub_after), (Some(false), Some(true)));
    assert_eq!(s.totals.hubs_after, Some(2));
    assert_eq!(s.totals.conversion_cost, Some(1_500.0));
    assert_eq!(s.totals.saving, Some(20_000.0));
    assert_eq!(s.unreachable_zones, vec!["Z5"]);
    let geo: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("plan.geojson")).unwrap()).unwrap();
    assert_eq!(geo["features"].as_array().unwrap().len(), 10);
    let zones = std::fs::read_to_string(out.join("zones.csv")).unwrap();
    assert_eq!(zones.lines().count(), 1 + 5 * 2);
}

#[test]
fn a_services_scenario_is_never_planned_as_one_service() {
    // The trap of issue 16: into_inputs used to return Ok for a [services] file,
    // and hubplan::plan then planned it silently as a single service.
    let err = load_scenario(&tiny("scenario.toml"))
        .unwrap()
        .into_inputs()
        .unwrap_err();
    assert_eq!(err.kind(), hubplan_io::IoErrorKind::Contradiction);
    assert!(err.to_string().contains("[services]"), "{err}");
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/good/scenario.toml");
    let err = load_scenario(&good).unwrap().into_service_inputs().unwrap_err();
    assert_eq!(err.kind(), hubplan_io::IoErrorKind::MissingKey);
}

/// The Newport audit (session 18): a Welsh zones file carries its deprivation decile as
/// `wimd_2019_decile`, not `imd_decile`. `equity_max_imd_decile` then protected no zone
/// and the plan still said "zones in IMD deciles 1–2 covered for every service". It is
/// an error naming the scenario's line and the column to rename; reading the zones
/// warns about the unused decile column.
#[test]
fn equity_rule_without_any_decile_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["sites.csv", "services.csv", "travel_times.csv"] {
        std::fs::copy(tiny(f), dir.path().join(f)).unwrap();
    }
    let zones = std::fs::read_to_string(tiny("zones.csv")).unwrap();
    let zones = zones.replacen("imd_decile", "wimd_2019_decile", 1);
    std::fs::write(dir.path().join("zones.csv"), &zones).unwrap();
    let scenario = |rule: &str| {
        format!(
            "[inputs]\nsites = \"sites.csv\"\nzones = \"zones.csv\"\ntravel_times = \"travel_times.csv\"\n\
             services = \"services.csv\"\n[services]\nmin_hubs_per_district = 0\n{rule}\n"
        )
    };
    let sc = dir.path().join("s.toml");
    std::fs::write(&sc, scenario("equity_max_imd_decile = 2")).unwrap();
    let e = load_scenario(&sc).expect_err("a rule that protects no zone");
    let msg = e.to_string();
    assert_eq!(e.kind, IoErrorKind::MissingColumn, "{msg}");
    for want in [
        "s.toml:8: field services.equity_max_imd_decile",
        "no zone of",
        "`wimd_2019_decile`",
        "rename",
    ] {
        assert!(msg.contains(want), "{want:?} not in {msg}");
    }
    // Without the rule the scenario loads, with a warning about the decile column.
    std::fs::write(&sc, scenario("")).unwrap();
    let l = load_scenario(&sc).expect("loads without the rule");
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("no `imd_decile` column") && w.contains("`wimd_2019_decile`")),
        "{:?}",
        l.warnings
    );
    // With the column renamed, the rule loads and no such warning is given.
    std::fs::write(
        dir.path().join("zones.csv"),
        zones.replacen("wimd_2019_decile", "imd_decile", 1),
    )
    .unwrap();
    std::fs::write(&sc, scenario("equity_max_imd_decile = 2")).unwrap();
    let l = load_scenario(&sc).expect("loads with imd_decile");
    assert!(!l.warnings.iter().any(|w| w.contains("imd_decile")), "{:?}", l.warnings);
}

/// `hubplan compare` on a regional family-hubs plan said "zones worse off 2,420" for
/// 2,420 (zone, service) pairs in 1,371 zones: a co-location plan's worse-off list has
/// one entry per pair. The summary counts each zone once (its need stays the sum over
/// the pairs, as the plan's other need totals are summed over services).
#[test]
fn worse_off_zones_of_a_service_plan_count_each_zone_once() {
    let text = r#"{"model": "services", "status": "optimal", "objective_kind": "min_cost",
        "sites": [], "totals": {},
        "worse_off": {"minutes": 10.0, "zones": [
            {"zone": "Z1", "service": "youth", "need": 30.0},
            {"zone": "Z1", "service": "children_centre", "need": 10.0},
            {"zone": "Z2", "service": "youth", "need": 5.0}],
          "summary": []}}"#;
    let s = parse_plan_json(text, Path::new("plan.json")).unwrap();
    let w = s.worse_off_summary();
    assert_eq!(w.zones, 2);
    assert_eq!(w.need, 45.0);
}
