//! Co-location reasons are true (issue 18): for every site and service in the
//! written plan.json, each user (zone with need whose nearest site hosting the
//! service was this one today, for a service moved out, or is this one after,
//! for a hosted service) whose minutes after exceed the service's limit, or
//! exceed its minutes today when it was already beyond, is named by code in
//! the reason, and no reason says "all … stay within" when one does not.
//! Users and minutes are read back from zones.csv, independently of the writer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hubplan::colocate::plan_services;
use hubplan::{ObjectiveKind, PlanStatus};
use hubplan_io::*;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(p)
}

struct Row {
    zone: String,
    need: f64,
    limit: Option<f64>,
    site_before: String,
    before: Option<f64>,
    site_after: String,
    after: Option<f64>,
    unreachable: bool,
}

fn num(s: &str) -> Option<f64> {
    s.parse().ok()
}

/// Solves, writes, and checks; returns plan.json.
fn check(scenario: &str) -> serde_json::Value {
    let l = load_scenario(&fixture(scenario)).unwrap();
    let (inputs, rules, meta) = l.into_service_inputs().unwrap();
    let (json, checked) = check_plan(scenario, &inputs, &rules, &meta).expect("a plan");
    assert!(checked > 0, "{scenario}: some user checked");
    json
}

/// Solves, writes the plan directory's files in memory, and checks every reason
/// against zones.csv; `None` when there is no plan. Returns plan.json and the
/// number of users checked.
fn check_plan(
    scenario: &str,
    inputs: &hubplan::Inputs,
    rules: &hubplan::colocate::ServiceRules,
    meta: &RunMeta,
) -> Option<(serde_json::Value, usize)> {
    let plan = plan_services(inputs, rules).unwrap();
    if !matches!(plan.status, PlanStatus::Optimal | PlanStatus::Feasible) {
        return None;
    }
    let files = service_plan_dir_files(inputs, rules, &plan, meta).unwrap();
    let get = |n: &str| files.iter().find(|(f, _)| *f == n).unwrap().1.clone();
    let json: serde_json::Value = serde_json::from_slice(&get("plan.json")).unwrap();
    let zones_csv = get("zones.csv");
    let mut rd = csv::Reader::from_reader(&zones_csv[..]);
    let head = rd.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let mut rows: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for r in rd.records() {
        let r = r.unwrap();
        rows.entry(r[col("service")].to_string()).or_default().push(Row {
            zone: r[col("id")].to_string(),
            need: num(&r[col("need")]).unwrap_or(0.0),
            limit: num(&r[col("max_minutes")]),
            site_before: r[col("nearest_site_before")].to_string(),
            before: num(&r[col("minutes_before")]),
            site_after: r[col("nearest_site")].to_string(),
            after: num(&r[col("minutes")]),
            unreachable: &r[col("unreachable")] == "true",
        });
    }
    let mut checked = 0;
    for site in json["explanations"]["sites"].as_array().unwrap() {
        let id = site["site"].as_str().unwrap();
        let site_reason = site["reason"].as_str().unwrap();
        for sv in site["services"].as_array().unwrap() {
            let svc = sv["service"].as_str().unwrap();
            let moved_out = sv["change"] == "moved_out";
            let reason = sv["reason"].as_str().unwrap();
            assert!(
                site_reason.contains(reason),
                "{scenario}: site reason of {id} includes {svc}'s"
            );
            let users: Vec<&Row> = rows[svc]
                .iter()
                .filter(|r| r.need > 0.0)
                .filter(|r| {
                    if moved_out {
                        r.site_before == id
                    } else {
                        r.site_after == id
                    }
                })
                .collect();
            assert_eq!(
                users.len(),
                sv["users"].as_array().unwrap().len(),
                "{scenario} {id} {svc}"
            );
            let mut any_beyond = false;
            for u in &users {
                let a = u.after.unwrap_or(f64::INFINITY);
                let Some(lim) = u.limit else { continue };
                let already = u.before.is_some_and(|b| b > lim + 1e-9);
                let named_needed = a > lim + 1e-9;
                if named_needed {
                    any_beyond = true;
                    assert!(
                        reason.contains(&format!("({})", u.zone)),
                        "{scenario}: {id}/{svc} reason must name {} ({:?} -> {a}): {reason}",
                        u.zone,
                        u.before
                    );
                    if already && a > u.before.unwrap() + 1e-9 {
                        assert!(reason.contains("longer journey"), "{scenario}: {reason}");
                    }
                }
                checked += 1;
            }
            if any_beyond {
                let n = users.len();
                assert!(
                    !(reason.contains(&format!("all {n} zones")) || claims_all_within(reason)),
                    "{scenario}: false 'all stay within': {reason}"
                );
            }
        }
    }
    // Under the default rule no (zone, service) pair beyond the limit today has a
    // longer journey after (a hard rule under min_cost and min_travel).
    if json["scenario"]["beyond_limit"] == "no_worse"
        && matches!(rules.objective, ObjectiveKind::MinCost | ObjectiveKind::MinTravel)
    {
        for (svc, rs) in &rows {
            for r in rs.iter().filter(|r| r.need > 0.0 && r.unreachable) {
                if let (Some(b), Some(lim)) = (r.before, r.limit) {
                    if b > lim {
                        let a = r.after.unwrap_or(f64::INFINITY);
                        assert!(
                            a <= b + 1e-9,
                            "{scenario}: {}/{svc} was {b} min today and is {a} after",
                            r.zone
                        );
                    }
                }
            }
        }
    }
    Some((json, checked))
}

/// A claim in `text` that all of its users stay within the limit (or the one user does).
fn claims_all_within(text: &str) -> bool {
    text.split([';', '.'])
        .any(|c| (c.contains(": all ") || c.trim_start().starts_with("all ")) && c.contains("stay within"))
        || text.contains("the one zone it serves stays within")
        || text.contains("the one zone that used it here stays within")
}

#[test]
fn tiny_services_reasons_are_true() {
    check("tiny_services/scenario.toml");
}

#[test]
fn beyond_fixture_no_worse_keeps_a_and_ignore_closes_it() {
    let decision = |j: &serde_json::Value, s: &str| {
        j["sites"].as_array().unwrap().iter().find(|x| x["id"] == s).unwrap()["decision"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let reason = |j: &serde_json::Value, s: &str| {
        j["explanations"]["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["site"] == s)
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let nw = check("tiny_services_beyond/scenario_no_worse.toml");
    assert_eq!(decision(&nw, "A"), "keep");
    let r = reason(&nw, "A");
    assert!(
        r.contains("no_worse") && r.contains("Far Fields (Z2)") && r.contains("own limit 30.0 min"),
        "{r}"
    );
    let ig = check("tiny_services_beyond/scenario_ignore.toml");
    assert_eq!(decision(&ig, "A"), "close");
    let r = reason(&ig, "A");
    assert!(
        r.contains("Far Fields (Z2) 30.0 → 40.0 min") && r.contains("ignore"),
        "{r}"
    );
    let w = ig["worse_off"]["zones"].as_array().unwrap();
    let z2 = w.iter().find(|x| x["zone"] == "Z2").expect("Z2 is worse off");
    assert_eq!(z2["caused_by"], "A");
    assert_eq!(z2["cause"], "closed");
    assert_eq!(z2["increase"].as_f64(), Some(10.0));
    assert_eq!(z2["imd_decile"].as_u64(), Some(2));
    assert!(!nw["worse_off"]["zones"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["zone"] == "Z2"));
    assert_eq!(
        decision(&check("tiny_services_beyond/scenario_tolerance_10.toml"), "A"),
        "close"
    );
    assert_eq!(
        decision(&check("tiny_services_beyond/scenario_tolerance_5.toml"), "A"),
        "keep"
    );
}

#[test]
fn kent_family_hubs_reasons_are_true() {
    check("kent/scenario_family_hubs.toml");
}

/// A small seeded generator (splitmix64), so the random instances are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.range(0, 100) < percent
    }
}

/// A random co-location instance: two services (limits 20 and 30 minutes),
/// 2–5 existing sites hosting a random subset (each site may also take the
/// other), 2–7 zones with need 0–30 for each, and travel times of 5–60 minutes
/// with some pairs missing.
fn random_inputs(rng: &mut Rng) -> hubplan::Inputs {
    use hubplan::geo::LonLat;
    use hubplan::model::{Service, Site, SiteStatus, Zone};
    use hubplan::travel::TravelTimes;
    use hubplan::{ServiceIdx, SiteIdx, ZoneIdx};
    let services = vec![
        Service {
            id: "cc".into(),
            name: "Children's centre".into(),
            need_column: Some("pa".into()),
            max_minutes: Some(20.0),
            space: 50.0,
            conversion_cost: 10.0,
        },
        Service {
            id: "youth".into(),
            name: "Youth".into(),
            need_column: Some("pb".into()),
            max_minutes: Some(30.0),
            space: 40.0,
            conversion_cost: 20.0,
        },
    ];
    let n_sites = rng.range(2, 6) as usize;
    let n_zones = rng.range(2, 8) as usize;
    let sites = (0..n_sites)
        .map(|j| {
            let hosts: Vec<ServiceIdx> = (0..2).filter(|_| rng.chance(60)).map(ServiceIdx::from_index).collect();
            let mut can = hosts.clone();
            for k in 0..2 {
                if !can.contains(&ServiceIdx::from_index(k)) && rng.chance(30) {
                    can.push(ServiceIdx::from_index(k));
                }
            }
            Site {
                id: format!("S{j}"),
                name: format!("Site {j}"),
                pos: LonLat::new(0.0, 51.0),
                district: if j % 2 == 0 { "East".into() } else { "West".into() },
                kind: String::new(),
                status: SiteStatus::Existing,
                annual_cost: rng.range(1, 100) as f64,
                backlog: 0.0,
                open_cost: 0.0,
                capacity: None,
                services: hosts,
                can_host: can,
                disposal_receipt: 0.0,
            }
        })
        .collect::<Vec<_>>();
    let zones = (0..n_zones)
        .map(|i| {
            let a = if rng.chance(20) { 0.0 } else { rng.range(1, 30) as f64 };
            let b = if rng.chance(20) { 0.0 } else { rng.range(1, 30) as f64 };
            Zone {
                id: format!("Z{i:02}"),
                name: format!("Zone {i}"),
                pos: LonLat::new(0.0, 51.0),
                district: String::new(),
                need: a + b,
                population: a + b,
                imd_decile: Some((i % 10 + 1) as u8),
                attributes: [("pa".to_string(), a), ("pb".to_string(), b)].into_iter().collect(),
                outline: None,
            }
        })
        .collect::<Vec<_>>();
    let mut triples = Vec::new();
    for i in 0..n_zones {
        for j in 0..n_sites {
            if rng.chance(85) {
                triples.push((ZoneIdx::from_index(i), SiteIdx::from_index(j), rng.range(5, 61) as f64));
            }
        }
    }
    let travel = TravelTimes::from_triples(n_zones, n_sites, triples).unwrap();
    hubplan::Inputs {
        sites,
        zones,
        services,
        travel,
    }
}

/// Random co-location instances under every `access.beyond_limit` setting and
/// the three objectives: every reason names each user beyond the limit and
/// never claims "all … stay within" falsely (checked on the written files).
#[test]
fn random_colocation_reasons_are_true() {
    use hubplan::colocate::ServiceRules;
    use hubplan::scenario::{Backend, BeyondLimit};
    let cases: u64 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let mut rng = Rng(18);
    let (mut plans, mut users, mut beyond_named) = (0, 0, 0);
    for case in 0..cases {
        let inputs = random_inputs(&mut rng);
        let beyond_limit = match rng.range(0, 3) {
            0 => BeyondLimit::NoWorse,
            1 => BeyondLimit::Ignore,
            _ => BeyondLimit::Tolerance(rng.range(0, 15) as f64),
        };
        let mut rules = ServiceRules {
            beyond_limit,
            ..ServiceRules::default()
        };
        rules.solver.backend = Backend::Microlp;
        match rng.range(0, 4) {
            0 | 1 => {}
            2 => {
                rules.objective = ObjectiveKind::MaxCoverage;
                rules.annual_budget = Some(rng.range(20, 150) as f64);
            }
            _ => {
                rules.objective = ObjectiveKind::MinTravel;
                rules.sites.max = Some(rng.range(1, 4) as u32);
            }
        }
        let label = format!("random case {case} ({:?}, {:?})", rules.objective, rules.beyond_limit);
        if let Some((json, n)) = check_plan(&label, &inputs, &rules, &RunMeta::default()) {
            plans += 1;
            users += n;
            beyond_named += json["explanations"]["sites"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["reason"].as_str().unwrap().contains("longer journey"))
                .count();
        }
    }
    // The generator must exercise the checks, not skip them.
    assert!(
        plans * 2 >= cases as usize,
        "only {plans} of {cases} random cases had a plan"
    );
    assert!(
        users > 0 && beyond_named > 0,
        "users {users}, reasons with longer journeys {beyond_named}"
    );
}
