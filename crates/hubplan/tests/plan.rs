//! Data-driven tests of the core planning run through one `check` helper.
//!
//! Each case is a small text instance whose optimum was worked out by hand:
//!
//! ```text
//! site  ID COST [candidate OPEN_COST] [backlog B]
//! zone  ID NEED
//! time  ZONE SITE MINUTES
//! ```
//! and a scenario written as `key=value` settings.

use hubplan::geo::LonLat;
use hubplan::model::{Inputs, Site, SiteStatus, Zone};
use hubplan::plan::Blocker;
use hubplan::scenario::BeyondLimit;
use hubplan::travel::TravelTimes;
use hubplan::{Decision, Error, ObjectiveKind, PlanStatus, Scenario, SiteIdx, ZoneIdx};

fn parse(text: &str) -> Inputs {
    let mut sites = Vec::new();
    let mut zones = Vec::new();
    let mut times = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w[0] {
            "site" => {
                let candidate = w.get(3) == Some(&"candidate");
                let backlog = w
                    .iter()
                    .position(|x| *x == "backlog")
                    .map_or(0.0, |k| w[k + 1].parse().unwrap());
                sites.push(Site {
                    id: w[1].into(),
                    name: String::new(),
                    pos: LonLat::new(0.0, 51.0),
                    district: String::new(),
                    kind: String::new(),
                    status: if candidate {
                        SiteStatus::Candidate
                    } else {
                        SiteStatus::Existing
                    },
                    annual_cost: w[2].parse().unwrap(),
                    backlog,
                    open_cost: if candidate { w[4].parse().unwrap() } else { 0.0 },
                    capacity: None,
                    services: vec![],
                    can_host: vec![],
                    disposal_receipt: 0.0,
                })
            }
            "zone" => zones.push(Zone {
                id: w[1].into(),
                name: String::new(),
                pos: LonLat::new(0.0, 51.0),
                district: String::new(),
                need: w[2].parse().unwrap(),
                population: w[2].parse().unwrap(),
                imd_decile: None,
                attributes: Default::default(),
                outline: None,
            }),
            "time" => times.push((w[1].to_string(), w[2].to_string(), w[3].parse::<f64>().unwrap())),
            other => panic!("bad line {other}"),
        }
    }
    let zi = |id: &str| ZoneIdx::from_index(zones.iter().position(|z: &Zone| z.id == id).unwrap());
    let si = |id: &str| SiteIdx::from_index(sites.iter().position(|s: &Site| s.id == id).unwrap());
    let triples = times.iter().map(|(z, s, m)| (zi(z), si(s), *m)).collect();
    let travel = TravelTimes::from_triples(zones.len(), sites.len(), triples).unwrap();
    Inputs {
        sites,
        zones,
        services: vec![],
        travel,
    }
}

fn scenario(inputs: &Inputs, settings: &str) -> Scenario {
    let mut sc = Scenario::min_cost();
    for kv in settings.split_whitespace() {
        let (k, v) = kv.split_once('=').unwrap();
        let ids = |v: &str| {
            v.split(',')
                .map(|id| inputs.site_by_id(id).unwrap())
                .collect::<Vec<_>>()
        };
        match k {
            "objective" => {
                sc.objective = match v {
                    "min_cost" => ObjectiveKind::MinCost,
                    "max_coverage" => ObjectiveKind::MaxCoverage,
                    "min_travel" => ObjectiveKind::MinTravel,
                    _ => panic!(),
                }
            }
            "max" => sc.max_minutes = if v == "none" { None } else { Some(v.parse().unwrap()) },
            "budget" => sc.budget = Some(v.parse().unwrap()),
            "sites" => sc.sites = Some(v.parse().unwrap()),
            "keep" => sc.keep = ids(v),
            "close" => sc.close = ids(v),
            "beyond" => {
                sc.beyond_limit = match v {
                    "no_worse" => BeyondLimit::NoWorse,
                    "ignore" => BeyondLimit::Ignore,
                    t => BeyondLimit::Tolerance(t.strip_prefix("tolerance:").unwrap().parse().unwrap()),
                }
            }
            _ => panic!("bad key {k}"),
        }
    }
    sc
}

/// Plans `instance` under `settings` and compares a one-line summary with `expect`:
/// `STATUS objective=X open=A,B unreachable=Z` (or the error's text).
fn check(instance: &str, settings: &str, expect: &str) {
    let inputs = parse(instance);
    let sc = scenario(&inputs, settings);
    let got = match hubplan::plan(&inputs, &sc) {
        Ok(p) => {
            let open: Vec<&str> = inputs
                .sites
                .iter()
                .zip(&p.sites)
                .filter(|(_, sp)| sp.decision.is_open())
                .map(|(s, _)| s.id.as_str())
                .collect();
            let unreach: Vec<&str> = p.unreachable.iter().map(|&z| inputs.zone(z).id.as_str()).collect();
            let mut s = format!("{} objective={} open={}", p.status.name(), p.objective, open.join(","));
            if !unreach.is_empty() {
                s += &format!(" unreachable={}", unreach.join(","));
            }
            s
        }
        Err(e) => format!("error: {e}"),
    };
    assert_eq!(got, expect, "\ninstance:\n{instance}\nsettings: {settings}");
}

const LINE: &str = "
    site A 100
    site B 150
    site C 120
    site D 80
    zone z1 10
    zone z2 20
    zone z3 30
    zone z4 40
    time z1 A 10
    time z1 B 30
    time z2 A 40
    time z2 B 20
    time z2 C 34
    time z3 B 36
    time z3 C 15
    time z3 D 35
    time z4 C 50
    time z4 D 5
";

#[test]
fn min_cost_by_hand() {
    // z1 needs A or B; z2 needs B or C; z3 needs C or D (36 > 35); z4 needs D.
    // D is forced by z4 (80) and covers z3; then z1,z2: B alone (150) beats A+C (220).
    check(LINE, "", "optimal objective=230 open=B,D");
    // The limit is inclusive: at 34 minutes z2-C (34) still counts, z3-D (35) no longer does,
    // so z3 needs C, z4 needs D, and z1 then takes A: 100 + 120 + 80.
    check(LINE, "max=34", "optimal objective=300 open=A,C,D");
    // At 36 minutes B reaches z3 as well: still B+D, since z4 needs D.
    check(LINE, "max=36", "optimal objective=230 open=B,D");
    // Forced sites are honoured.
    check(LINE, "keep=A", "optimal objective=300 open=A,C,D");
    check(LINE, "close=B", "optimal objective=300 open=A,C,D");
}

#[test]
fn unreachable_zone_is_listed_not_dropped() {
    let inst = "site A 10\nsite B 20\nzone z1 5\nzone far 7\ntime z1 A 30\ntime z1 B 5\ntime far B 80";
    // Under the default (no_worse) B, far's only site (80 minutes today), stays: B alone is cheapest.
    check(inst, "", "optimal objective=20 open=B unreachable=far");
    check(inst, "beyond=ignore", "optimal objective=10 open=A unreachable=far");
    // A zone with no site at all in the matrix stays out of the rule, listed.
    let inst = "site A 10\nsite B 20\nzone z1 5\nzone none 7\ntime z1 A 30\ntime z1 B 5";
    check(inst, "", "optimal objective=10 open=A unreachable=none");
}

/// The hand-checkable case of issue 18: zone far is 40 minutes from A today and
/// 50 from B; B is needed anyway for near.
#[test]
fn beyond_limit_rule_by_hand() {
    let inst = "site A 40\nsite B 30\nzone far 50\nzone near 200\ntime far A 40\ntime far B 50\ntime near A 45\ntime near B 10";
    check(inst, "", "optimal objective=70 open=A,B unreachable=far");
    check(inst, "beyond=no_worse", "optimal objective=70 open=A,B unreachable=far");
    check(inst, "beyond=ignore", "optimal objective=30 open=B unreachable=far");
    check(
        inst,
        "beyond=tolerance:10",
        "optimal objective=30 open=B unreachable=far",
    );
    check(
        inst,
        "beyond=tolerance:5",
        "optimal objective=70 open=A,B unreachable=far",
    );
    check(
        inst,
        "beyond=tolerance:9.99",
        "optimal objective=70 open=A,B unreachable=far",
    );
    // Forcing A closed under no_worse is infeasible, and far is what blocks.
    check(inst, "close=A", "infeasible objective=NaN open=A,B unreachable=far");
    // min_travel with a limit: the same rule.
    check(
        inst,
        "objective=min_travel sites=1",
        "infeasible objective=NaN open=A,B unreachable=far",
    );
    check(
        inst,
        "objective=min_travel sites=1 beyond=ignore",
        "optimal objective=2000 open=B unreachable=far",
    );
}

#[test]
fn candidates_pay_their_opening_cost() {
    let inst = "site A 100\nsite N 30 candidate 50\nzone z1 1\ntime z1 A 10\ntime z1 N 10";
    check(inst, "", "optimal objective=80 open=N");
    let inst = "site A 100\nsite N 30 candidate 80\nzone z1 1\ntime z1 A 10\ntime z1 N 10";
    check(inst, "", "optimal objective=100 open=A");
}

#[test]
fn max_coverage_by_hand() {
    // Budget 150: B covers z1,z2 (30); D covers z3? no (35 ok: z3-D 35 ≤ 35) → D covers z3,z4 (70).
    // A+... best within 150: D (80) alone = 70; B alone = 30+? B covers z1,z2 = 30; D+? 80+... A(100) no.
    check(LINE, "objective=max_coverage budget=150", "optimal objective=70 open=D");
    // Budget 180: A+D = 180 covers z1,z3,z4 = 80; B+D = 230 too much; C+D = 200 too much.
    check(
        LINE,
        "objective=max_coverage budget=180",
        "optimal objective=80 open=A,D",
    );
    // Two sites, no budget: B+D covers everything.
    check(LINE, "objective=max_coverage sites=2", "optimal objective=100 open=B,D");
    check(LINE, "objective=max_coverage sites=1", "optimal objective=70 open=D");
}

#[test]
fn min_travel_by_hand() {
    // p = 2, no limit: pairs and their need-minutes:
    // A,C: z1 10*10 + z2 20*34 + z3 30*15 + z4 40*50 = 100+680+450+2000 = 3230
    // B,D: 10*30 + 20*20 + 30*35 + 40*5 = 300+400+1050+200 = 1950
    // C,D: z1 unreachable → not allowed. A,D: z2 40*20=800, z1 100, z3 1050, z4 200 = 2150
    // B,C: 300 + 400 + 450 + 2000 = 3150
    check(
        LINE,
        "objective=min_travel sites=2 max=none",
        "optimal objective=1950 open=B,D",
    );
    // p = 3: B,C,D = 300+400+450+200 = 1350; A,B,D = 100+400+1050+200 = 1750; A,C,D = 100+680+450+200 = 1430
    check(
        LINE,
        "objective=min_travel sites=3 max=none",
        "optimal objective=1350 open=B,C,D",
    );
}

#[test]
fn contradictions_are_errors_not_solver_failures() {
    check(
        LINE,
        "keep=A close=A",
        "error: contradictory scenario: site A listed in both limits.keep and limits.close",
    );
    check(
        LINE,
        "keep=A,B budget=200",
        "error: contradictory scenario: the budget £200 is below the annual cost £250 of the 2 forced keeps",
    );
    check(
        LINE,
        "keep=A,B sites=1",
        "error: contradictory scenario: limits.sites = 1 but 2 sites are forced open by limits.keep",
    );
    check(LINE, "objective=max_coverage", "error: invalid input: objective max_coverage needs limits.budget or limits.sites (otherwise every site stays open)");
}

#[test]
fn infeasibility_names_the_blocking_rule_and_zones() {
    let inputs = parse(LINE);
    // Closing D leaves z4 with no site within 35 minutes.
    let sc = scenario(&inputs, "close=D");
    let p = hubplan::plan(&inputs, &sc).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    // The solver's presolve says why in its own indices; the report names the zone.
    assert_eq!(
        p.solver.why, "zone z4 must be served but no site that may open can serve it",
        "{:?}",
        p.solver
    );
    assert!(!p.solver.backend.contains("client"), "{}", p.solver.backend);
    let inf = p.infeasibility.unwrap();
    assert_eq!(
        inf.blockers,
        vec![Blocker::ForcedClosures {
            zones: vec![ZoneIdx(3)],
            sites: vec![SiteIdx(3)]
        }]
    );
    // A budget below the least cost (230).
    let sc = scenario(&inputs, "budget=200");
    let p = hubplan::plan(&inputs, &sc).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    match &p.infeasibility.unwrap().blockers[..] {
        [Blocker::Budget {
            budget,
            least_cost,
            zones,
        }] => {
            assert_eq!((*budget, *least_cost), (200.0, Some(230.0)));
            // Best coverage within 200: C+D (200) covers z2,z3,z4 (90) and leaves z1.
            assert_eq!(zones, &vec![ZoneIdx(0)]);
        }
        other => panic!("{other:?}"),
    }
    // One site cannot cover everything (two are needed).
    let sc = scenario(&inputs, "sites=1");
    let p = hubplan::plan(&inputs, &sc).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    match &p.infeasibility.unwrap().blockers[..] {
        [Blocker::SiteCount {
            sites: 1,
            least_sites: Some(2),
            zones,
        }] => assert_eq!(zones.len(), 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn totals_and_decisions() {
    let inputs = parse(
        "site A 100 backlog 1000\nsite B 150 backlog 2000\nsite C 120\nsite D 80 backlog 500\n\
         zone z1 10\nzone z2 20\nzone z3 30\nzone z4 40\n\
         time z1 A 10\ntime z1 B 30\ntime z2 A 40\ntime z2 B 20\ntime z2 C 34\ntime z3 B 36\n\
         time z3 C 15\ntime z3 D 35\ntime z4 C 50\ntime z4 D 5",
    );
    let p = hubplan::plan(&inputs, &Scenario::min_cost()).unwrap();
    let d: Vec<Decision> = p.sites.iter().map(|s| s.decision).collect();
    assert_eq!(
        d,
        vec![Decision::Close, Decision::Keep, Decision::Close, Decision::Keep]
    );
    assert_eq!(p.totals.annual_cost_before, 450.0);
    assert_eq!(p.totals.annual_cost_after, 230.0);
    assert_eq!(p.totals.annual_saving, 220.0);
    assert_eq!(p.totals.backlog_removed, 1000.0);
    assert_eq!(p.totals.need_covered_after, 100.0);
    // z1 moves from A (10 min) to B (30 min).
    assert_eq!(p.zones[0].before, Some((SiteIdx(0), 10.0)));
    assert_eq!(p.zones[0].after, Some((SiteIdx(1), 30.0)));
    let _ = Error::Invalid(String::new());
}

#[test]
fn mean_minutes_without_any_open_site_is_undefined_not_zero() {
    // Acceptance sweep, session 7: max_coverage with a budget below every site's cost
    // closes every site; the mean journey after was reported as 0.0 minutes (plan.json
    // "mean_minutes_after": 0.0, sweep.csv "0"), as if everyone lived next door.
    let inputs = parse(LINE);
    let sc = scenario(&inputs, "objective=max_coverage budget=50");
    let p = hubplan::plan(&inputs, &sc).unwrap();
    assert_eq!(p.status, PlanStatus::Optimal);
    assert!(p.sites.iter().all(|s| !s.decision.is_open()));
    assert_eq!(p.totals.need_covered_after, 0.0);
    assert!(p.totals.mean_minutes_after.is_nan(), "{}", p.totals.mean_minutes_after);
    // Before: every zone reaches its nearest site (z1 A 10, z2 B 20, z3 C 15, z4 D 5).
    assert_eq!(
        p.totals.mean_minutes_before,
        (10.0 * 10.0 + 20.0 * 20.0 + 30.0 * 15.0 + 40.0 * 5.0) / 100.0
    );
    // The deprivation table's means are undefined after too (zones without a decile).
    assert!(p.by_imd_decile.iter().all(|d| d.mean_minutes_after.is_nan()));
}
