//! End-to-end tests of `hubplan plan` / `validate` on co-location (`[services]`)
//! scenarios: real files in, real files out. The rules are checked here
//! independently of hubplan's own evaluator, from the input files (sites,
//! services, zones, travel times, scenario limits) and the output CSVs only.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{hubplan, read_csv, root, Row};

fn list(cell: &str) -> BTreeSet<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn num(cell: &str) -> f64 {
    cell.replace([',', '£'], "").trim().parse().unwrap_or(0.0)
}

fn plan_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap()
}

/// What a services scenario asks, read from its own files (not through hubplan).
struct Case {
    /// Input folder (sites.csv, zones.csv, services.csv, travel_times.csv).
    input: PathBuf,
    /// The planned services.
    services: Vec<String>,
    /// The family-hub services.
    hub: Vec<String>,
    /// `access.max_minutes`: the limit of services without their own.
    default_minutes: f64,
    /// `services.min_hubs_per_district`.
    min_hubs: usize,
}

/// Checks a co-location plan from the output CSVs and the inputs only:
/// - every site marked hub_after hosts every hub service after, and the
///   services it hosts after are ones it may host (services ∪ can_host);
/// - a closed or unused site hosts nothing; space used fits the capacity;
/// - every district with sites has at least `min_hubs` hubs;
/// - every (zone, service) with need > 0 has an open site hosting the service
///   within the service's limit (inclusive), or is listed unreachable in
///   plan.json and truly has no capable site within the limit, even with
///   every site open; and zones.csv's `covered` agrees.
fn check_plan(case: &Case, out: &Path) {
    let sites_in = read_csv(&case.input.join("sites.csv"));
    let services_in = read_csv(&case.input.join("services.csv"));
    let zones_in = read_csv(&case.input.join("zones.csv"));
    let travel = read_csv(&case.input.join("travel_times.csv"));
    let sites_out = read_csv(&out.join("sites.csv"));
    let zones_out = read_csv(&out.join("zones.csv"));
    let plan = plan_json(out);

    let capable: BTreeMap<String, BTreeSet<String>> = sites_in
        .iter()
        .map(|s| (s["id"].clone(), &list(&s["services"]) | &list(&s["can_host"])))
        .collect();
    let capacity: BTreeMap<String, Option<f64>> = sites_in
        .iter()
        .map(|s| {
            (
                s["id"].clone(),
                (!s["capacity"].trim().is_empty()).then(|| num(&s["capacity"])),
            )
        })
        .collect();
    let space: BTreeMap<String, f64> = services_in
        .iter()
        .map(|s| (s["id"].clone(), num(&s["space"])))
        .collect();
    let limit: BTreeMap<String, f64> = services_in
        .iter()
        .map(|s| {
            let own = s["max_minutes"].trim();
            (
                s["id"].clone(),
                if own.is_empty() { case.default_minutes } else { num(own) },
            )
        })
        .collect();
    let need_col: BTreeMap<String, String> = services_in
        .iter()
        .map(|s| (s["id"].clone(), s["need_column"].clone()))
        .collect();

    // Sites.
    assert_eq!(sites_out.len(), sites_in.len(), "one sites.csv row per site");
    let mut hosts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut hubs_per_district: BTreeMap<String, usize> = BTreeMap::new();
    for s in &sites_in {
        hubs_per_district.entry(s["district"].clone()).or_insert(0);
    }
    for s in &sites_out {
        let id = &s["id"];
        let open = s["decision"] == "keep" || s["decision"] == "open";
        let after = list(&s["services_after"]);
        if !open {
            assert!(after.is_empty(), "site {id} is {} but hosts {after:?}", s["decision"]);
        }
        for sv in &after {
            assert!(capable[id].contains(sv), "site {id} hosts {sv}, which it cannot host");
        }
        let used: f64 = after.iter().map(|sv| space[sv]).sum();
        if let Some(c) = capacity[id] {
            assert!(used <= c + 1e-9, "site {id} uses {used} > capacity {c}");
        }
        let is_hub = !case.hub.is_empty() && case.hub.iter().all(|h| after.contains(h));
        assert_eq!(s["hub_after"] == "true", is_hub, "hub_after of {id}");
        if is_hub {
            *hubs_per_district.entry(s["district"].clone()).or_insert(0) += 1;
        }
        if open {
            hosts.insert(id.clone(), after);
        }
    }
    for (d, n) in &hubs_per_district {
        if !d.is_empty() {
            assert!(
                *n >= case.min_hubs,
                "district {d} has {n} hubs, fewer than {}",
                case.min_hubs
            );
        }
    }

    // Zones × services.
    let mut times: BTreeMap<&str, Vec<(&str, f64)>> = BTreeMap::new();
    for t in &travel {
        if !t["minutes"].trim().is_empty() {
            times
                .entry(t["zone_id"].as_str())
                .or_default()
                .push((t["site_id"].as_str(), num(&t["minutes"])));
        }
    }
    let unreachable: BTreeMap<String, BTreeSet<String>> = plan["unreachable_by_service"]
        .as_array()
        .expect("unreachable_by_service")
        .iter()
        .map(|u| {
            let zs = u["zones"]
                .as_array()
                .unwrap()
                .iter()
                .map(|z| z.as_str().unwrap().to_string())
                .collect();
            (u["service"].as_str().unwrap().to_string(), zs)
        })
        .collect();
    let out_rows: BTreeMap<(String, String), &Row> = zones_out
        .iter()
        .map(|r| ((r["id"].clone(), r["service"].clone()), r))
        .collect();
    assert_eq!(
        zones_out.len(),
        zones_in.len() * case.services.len(),
        "one zones.csv row per zone × service"
    );
    let mut checked = 0;
    for z in &zones_in {
        let zid = z["id"].as_str();
        for sv in &case.services {
            let need = num(&z[&need_col[sv]]);
            let row = out_rows[&(zid.to_string(), sv.clone())];
            assert_eq!(num(&row["need"]), need, "need of {zid}/{sv}");
            let lim = limit[sv];
            let row_times = times.get(zid).map(Vec::as_slice).unwrap_or(&[]);
            let covered = row_times
                .iter()
                .any(|&(j, m)| m <= lim && hosts.get(j).is_some_and(|h| h.contains(sv)));
            assert_eq!(row["covered"] == "true", covered, "zones.csv covered of {zid}/{sv}");
            if need <= 0.0 {
                continue;
            }
            checked += 1;
            let listed = unreachable.get(sv).is_some_and(|u| u.contains(zid));
            if listed {
                let any = row_times.iter().any(|&(j, m)| m <= lim && capable[j].contains(sv));
                assert!(
                    !any,
                    "{zid}/{sv} is listed unreachable but a capable site is within {lim}"
                );
            } else {
                assert!(
                    covered,
                    "{zid}/{sv} has need {need} and no open site hosting it within {lim} minutes"
                );
            }
        }
    }
    assert!(checked > 0);
}

fn tiny_case() -> Case {
    Case {
        input: root().join("fixtures/tiny_services"),
        services: vec!["children_centre".into(), "youth".into()],
        hub: vec!["children_centre".into(), "youth".into()],
        default_minutes: 20.0,
        min_hubs: 1,
    }
}

#[test]
fn tiny_services_plan_matches_the_hand_worked_optimum() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let sc = root().join("fixtures/tiny_services/scenario.toml");
    let r = hubplan(&["plan", sc.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for f in ["plan.json", "sites.csv", "zones.csv", "plan.geojson"] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    let plan = plan_json(&out);
    assert_eq!(plan["model"], "services");
    assert_eq!(plan["status"], "optimal");
    assert_eq!(plan["objective"].as_f64(), Some(17_500.0));
    assert_eq!(plan["gap"].as_f64(), Some(0.0));
    let t = &plan["totals"];
    assert_eq!(t["saving"].as_f64(), Some(20_000.0));
    assert_eq!(t["backlog_removed"].as_f64(), Some(100_000.0));
    assert_eq!(t["conversion_cost"].as_f64(), Some(1_500.0));
    assert_eq!(t["capital_cost"].as_f64(), Some(1_500.0));
    assert_eq!(t["hubs_before"].as_u64(), Some(0));
    assert_eq!(t["hubs_after"].as_u64(), Some(2));
    assert_eq!(
        plan["unreachable_by_service"],
        serde_json::json!([{"service": "children_centre", "zones": ["Z5"]}])
    );
    // The hand-worked decision (README.md).
    let sites = read_csv(&out.join("sites.csv"));
    let got: Vec<(String, String, String, String)> = sites
        .iter()
        .map(|s| {
            (
                s["id"].clone(),
                s["decision"].clone(),
                s["services_after"].clone(),
                s["moved_in"].clone(),
            )
        })
        .collect();
    let want = [
        ("A", "keep", "children_centre;youth", "youth"),
        ("B", "close", "", ""),
        ("C", "close", "", ""),
        ("D", "keep", "children_centre;youth", "children_centre"),
        ("E", "unused", "", ""),
    ];
    let want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(got, want);
    check_plan(&tiny_case(), &out);
    // The summary.
    for f in [
        "status: optimal",
        "0 before, 2 after",
        "saving £20,000 a year",
        "backlog removed £100,000",
        "conversions £1,500",
        "children_centre (20 min)",
        "youth (25 min)",
        "Z5",
    ] {
        assert!(r.stdout.contains(f), "summary lacks {f:?}:\n{}", r.stdout);
    }
    // read back by the plan reader? plan.json keeps the single-service fields too.
    assert!(plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["decision"].is_string()));
}

#[test]
fn tiny_services_infeasible_exits_3_and_names_zone_and_sites() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let sc = root().join("fixtures/tiny_services/scenario_infeasible.toml");
    let r = hubplan(&["plan", sc.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("infeasible because"), "{}", r.stdout);
    // The blocker names the service, the forced sites and the zone, by name and code.
    assert!(
        r.stdout.contains("Youth")
            && r.stdout.contains(" (D), ")
            && r.stdout.contains(" (E))")
            && r.stdout.contains("(Z5)"),
        "{}",
        r.stdout
    );
    let plan = plan_json(&out);
    assert_eq!(plan["status"], "infeasible");
    assert_eq!(
        plan["infeasibility"]["blockers"],
        serde_json::json!([{"kind": "forced_closures", "service": "youth", "zones": ["Z5"], "sites": ["D", "E"]}])
    );
}

#[test]
fn validate_prints_services_and_rules() {
    let sc = root().join("fixtures/tiny_services/scenario.toml");
    let r = hubplan(&["validate", sc.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for f in [
        "planned services",
        "children_centre",
        "youth",
        "[hub]",
        "unreachable at baseline: Z5",
        "family hub: children_centre + youth",
        "at least 1 per district",
        "savings target: £15,000",
        "capital budget: £5,000",
        "ok",
    ] {
        assert!(r.stdout.contains(f), "validate lacks {f:?}:\n{}", r.stdout);
    }
}

#[test]
fn exports_the_co_location_model() {
    let tmp = tempfile::tempdir().unwrap();
    let (lp, mps) = (tmp.path().join("m.lp"), tmp.path().join("m.mps"));
    let sc = root().join("fixtures/tiny_services/scenario.toml");
    let r = hubplan(&[
        "plan",
        sc.to_str().unwrap(),
        "--out",
        tmp.path().join("plan").to_str().unwrap(),
        "--export-lp",
        lp.to_str().unwrap(),
        "--export-mps",
        mps.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let lp = std::fs::read_to_string(lp).unwrap();
    let mps = std::fs::read_to_string(mps).unwrap();
    assert!(
        lp.to_lowercase().contains("minimize") || lp.to_lowercase().contains("min"),
        "{lp}"
    );
    assert!(mps.contains("ROWS") && mps.contains("COLUMNS"), "{mps}");
}

#[test]
fn report_flag_with_services_writes_the_co_location_appendix() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    let sc = root().join("fixtures/tiny_services/scenario.toml");
    let r = hubplan(&["plan", sc.to_str().unwrap(), "--out", out.to_str().unwrap(), "--report"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let md = std::fs::read_to_string(out.join("appendix.md")).expect("appendix.md written");
    assert!(md.contains("Family hubs by district"), "{md}");
    assert!(md.contains("Method and provenance"), "{md}");
    let html = std::fs::read_to_string(out.join("appendix.html")).expect("appendix.html written");
    // Self-contained: the only URL is the inline maps' SVG namespace.
    let stripped = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(html.contains("<table") && !stripped.contains("http://") && !stripped.contains("https://"));
}

#[test]
fn kent_family_hubs_solves_with_hubs_closures_saving_and_backlog() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fh");
    let sc = root().join("fixtures/kent/scenario_family_hubs.toml");
    // How long this takes is measured by `cargo bench -p hubplan-benches --bench plan`.
    let r = hubplan(&["plan", sc.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let plan = plan_json(&out);
    let status = plan["status"].as_str().unwrap();
    assert!(status == "optimal" || status == "feasible", "{status}");
    if status == "feasible" {
        assert!(plan["gap"].as_f64().unwrap() <= 0.01, "gap {}", plan["gap"]);
    }
    let core: Vec<String> = ["children_centre", "health_visiting", "midwifery", "youth"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let case = Case {
        input: root().join("fixtures/kent"),
        services: core.clone(),
        hub: core,
        default_minutes: 35.0,
        min_hubs: 1,
    };
    check_plan(&case, &out);
    let t = &plan["totals"];
    assert!(
        t["hubs_after"].as_u64().unwrap() >= 12,
        "a hub in each of the 12 districts"
    );
    assert!(t["sites_closed"].as_u64().unwrap() > 0);
    // Savings target and capital budget, from the inputs.
    let sites_in = read_csv(&case.input.join("sites.csv"));
    let sites_out = read_csv(&out.join("sites.csv"));
    let cost = |pred: &dyn Fn(&Row) -> bool| -> f64 {
        sites_in
            .iter()
            .zip(&sites_out)
            .filter(|(_, o)| pred(o))
            .map(|(i, _)| num(&i["annual_cost"]))
            .sum()
    };
    let before = cost(&|o: &Row| o["status"] == "existing");
    let after = cost(&|o: &Row| o["decision"] == "keep" || o["decision"] == "open");
    assert!(before - after >= 1_270_000.0 - 1e-6, "saving {}", before - after);
    assert!((t["saving"].as_f64().unwrap() - (before - after)).abs() < 0.01);
    let backlog: f64 = sites_in
        .iter()
        .zip(&sites_out)
        .filter(|(_, o)| o["decision"] == "close")
        .map(|(i, _)| num(&i["backlog"]))
        .sum();
    assert!(backlog > 0.0);
    assert!((t["backlog_removed"].as_f64().unwrap() - backlog).abs() < 0.01);
    assert!(t["capital_cost"].as_f64().unwrap() <= 6_500_000.0 + 1e-6);
    kent_calibration_targets(&case.input, &plan, &sites_in, &sites_out);
    eprintln!(
        "kent family hubs: {status}, {}",
        r.stdout.lines().take(8).collect::<Vec<_>>().join(" | ")
    );
}

/// Issue 12's calibration of the Kent fixture against Kent's real family-hub decision
/// (fixtures/kent/README.md, *Calibration*): 35–50 closures, 10–14 family hubs, a saving
/// of £1.0m–£1.6m a year, £4m–£8m of backlog removed, under 3 % of each service's need
/// unreachable at baseline (checked here from the inputs), and at least one building
/// kept because the access rule forbids its closure: a children's centre or youth hub
/// that is, with every building open, the only one able to host a service within its
/// limit of a zone with need. The plan keeps it and names the zone as one only it serves.
fn kent_calibration_targets(dir: &Path, plan: &serde_json::Value, sites_in: &[Row], sites_out: &[Row]) {
    let t = &plan["totals"];
    let closed = t["sites_closed"].as_u64().unwrap();
    assert!((35..=50).contains(&closed), "closures {closed}");
    let hubs = t["hubs_after"].as_u64().unwrap();
    assert!((10..=14).contains(&hubs), "family hubs {hubs}");
    let saving = t["saving"].as_f64().unwrap();
    assert!((1_000_000.0..=1_600_000.0).contains(&saving), "saving {saving}");
    let backlog = t["backlog_removed"].as_f64().unwrap();
    assert!((4_000_000.0..=8_000_000.0).contains(&backlog), "backlog {backlog}");

    let zones = read_csv(&dir.join("zones.csv"));
    let services = read_csv(&dir.join("services.csv"));
    let mut near: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for r in read_csv(&dir.join("travel_times.csv")) {
        near.entry(r["zone_id"].clone())
            .or_default()
            .push((r["site_id"].clone(), num(&r["minutes"])));
    }
    let host: BTreeMap<&str, BTreeSet<String>> = sites_in
        .iter()
        .map(|s| (s["id"].as_str(), list(&s["can_host"])))
        .collect();
    let mut forced: Vec<(String, String, String)> = Vec::new(); // (site, service, zone)
    for svc in services.iter().filter(|s| s["id"] != "library") {
        let (id, limit) = (&svc["id"], num(&svc["max_minutes"]));
        let (mut total, mut unreachable) = (0.0, 0.0);
        for z in &zones {
            let need = num(&z[&svc["need_column"]]);
            total += need;
            let within: Vec<&String> = near
                .get(&z["id"])
                .into_iter()
                .flatten()
                .filter(|(s, m)| *m <= limit && host[s.as_str()].contains(id))
                .map(|(s, _)| s)
                .collect();
            if within.is_empty() {
                unreachable += need;
            } else if within.len() == 1 && need > 0.0 {
                forced.push((within[0].clone(), id.clone(), z["id"].clone()));
            }
        }
        // The plan reports the same share, and it is under 3 %.
        let ps = t["per_service"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["service"] == id.as_str())
            .unwrap();
        assert!(
            (ps["need_unreachable"].as_f64().unwrap() - unreachable).abs() < 0.5,
            "{id}"
        );
        assert!(
            unreachable < 0.03 * total,
            "{id}: {unreachable} of {total} unreachable at baseline"
        );
    }
    let decided = |id: &str| id.starts_with("KCC-CC-") || id.starts_with("KCC-YH-");
    let forced: Vec<_> = forced.into_iter().filter(|f| decided(&f.0)).collect();
    assert!(!forced.is_empty(), "no building is kept by the access rule alone");
    let decision: BTreeMap<&str, &str> = sites_out
        .iter()
        .map(|s| (s["id"].as_str(), s["decision"].as_str()))
        .collect();
    let explained = plan["explanations"]["sites"].as_array().unwrap();
    for (site, svc, zone) in &forced {
        assert_eq!(
            decision[site.as_str()],
            "keep",
            "{site} is the only {svc} site of {zone}"
        );
        let e = explained.iter().find(|e| e["site"] == site.as_str()).unwrap();
        let s = e["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == svc.as_str())
            .unwrap();
        assert!(
            s["sole"].as_array().unwrap().iter().any(|z| z == zone.as_str()),
            "{site}: {svc} explanation does not name {zone} as served by it alone"
        );
    }
}
