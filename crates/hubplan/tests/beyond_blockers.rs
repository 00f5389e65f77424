//! Issue 18: an infeasibility explanation names the zones beyond the limit today
//! when they are what blocks, in both models. Hand-checkable instances:
//!
//! - Far Hamlet (Z1) is 40 minutes from A today and 50 from B; Brook Town (Z2) is
//!   10 minutes from B. The limit is 35 minutes, so Far Hamlet is beyond it today.
//! - With A forced closed, `no_worse` holds Far Hamlet to its 40 minutes today: only A
//!   meets that, so no plan exists, and the explanation names Far Hamlet (40.0 min
//!   today, own limit 40.0 min) and the forced closure of A. With `ignore`, or a
//!   tolerance of 10 minutes, B alone is a plan.
//! - With a budget of 35,000 (A costs 40,000, B 30,000) and nothing forced, `no_worse`
//!   needs A and B (70,000): no plan. B alone (30,000) meets every other rule, so the
//!   explanation names Far Hamlet as what blocks, with no forced closure; with
//!   `ignore` the plan is B alone.

use hubplan::colocate::{plan_services, ServiceBlocker, ServiceRules};
use hubplan::explain::{blocker_sentence, explain, service_blocker_sentence};
use hubplan::geo::LonLat;
use hubplan::model::{Inputs, Service, Site, Zone};
use hubplan::plan::{BeyondLimitZone, Blocker};
use hubplan::scenario::{Backend, BeyondLimit};
use hubplan::travel::TravelTimes;
use hubplan::{Decision, PlanStatus, Scenario, ServiceIdx, SiteIdx, ZoneIdx};

/// A at 40 and B at 50 minutes from Far Hamlet (Z1); B at 10 from Brook Town (Z2).
/// With `services`, one service "cc" (limit 35) that both sites host today.
fn inputs(services: bool) -> Inputs {
    let site = |id: &str, name: &str, cost: f64| Site {
        name: name.into(),
        district: "North".into(),
        services: if services { vec![ServiceIdx(0)] } else { vec![] },
        can_host: if services { vec![ServiceIdx(0)] } else { vec![] },
        ..Site::existing(id, LonLat::new(0.0, 51.0), cost)
    };
    let zone = |id: &str, name: &str, need: f64| Zone {
        id: id.into(),
        name: name.into(),
        pos: LonLat::new(0.0, 51.0),
        district: "North".into(),
        need,
        population: need,
        imd_decile: Some(2),
        attributes: [("kids".to_string(), need)].into_iter().collect(),
        outline: None,
    };
    let travel = TravelTimes::from_triples(
        2,
        2,
        vec![
            (ZoneIdx(0), SiteIdx(0), 40.0),
            (ZoneIdx(0), SiteIdx(1), 50.0),
            (ZoneIdx(1), SiteIdx(1), 10.0),
        ],
    )
    .unwrap();
    Inputs {
        sites: vec![
            site("A", "Ashby Children's Centre", 40_000.0),
            site("B", "Brook Family Hub", 30_000.0),
        ],
        zones: vec![zone("Z1", "Far Hamlet", 50.0), zone("Z2", "Brook Town", 200.0)],
        services: if services {
            vec![Service {
                id: "cc".into(),
                name: "Children's centre".into(),
                need_column: Some("kids".into()),
                max_minutes: Some(35.0),
                space: 0.0,
                conversion_cost: 0.0,
            }]
        } else {
            vec![]
        },
        travel,
    }
}

const FAR_HAMLET: BeyondLimitZone = BeyondLimitZone {
    zone: ZoneIdx(0),
    minutes_today: 40.0,
    limit: 40.0,
};

fn scenario(rule: BeyondLimit) -> Scenario {
    let mut sc = Scenario::min_cost();
    sc.max_minutes = Some(35.0);
    sc.beyond_limit = rule;
    sc
}

#[test]
fn forced_closure_of_the_only_site_within_the_own_limit() {
    let inputs = inputs(false);
    let mut sc = scenario(BeyondLimit::NoWorse);
    sc.close = vec![SiteIdx(0)];
    let p = hubplan::plan(&inputs, &sc).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    let blockers = p.infeasibility.clone().unwrap().blockers;
    assert_eq!(
        blockers,
        vec![Blocker::BeyondLimit {
            rule: BeyondLimit::NoWorse,
            zones: vec![FAR_HAMLET],
            sites: vec![SiteIdx(0)],
        }]
    );
    let t = blocker_sentence(&inputs, &sc, &blockers[0]);
    for part in [
        "1 zone (need 50) already beyond 35 minutes today blocks the plan",
        "access.beyond_limit = no_worse",
        "forces closed (A)",
        "Far Hamlet (Z1) 40.0 min today, own limit 40.0 min",
        "access.beyond_limit = ignore",
    ] {
        assert!(t.contains(part), "{part:?} not in: {t}");
    }
    // The same sentence in the explanations (plan.json, appendix).
    let ex = explain(&inputs, &sc, &p);
    assert_eq!(ex.infeasibility.len(), 1);
    assert_eq!(ex.infeasibility[0].constraint, "beyond_limit");
    assert_eq!(ex.infeasibility[0].zones, vec![ZoneIdx(0)]);
    assert_eq!(ex.infeasibility[0].text, t);
    // Left out of the rule, or allowed 10 minutes more: B alone is a plan.
    for rule in [BeyondLimit::Ignore, BeyondLimit::Tolerance(10.0)] {
        let mut sc = scenario(rule);
        sc.close = vec![SiteIdx(0)];
        let p = hubplan::plan(&inputs, &sc).unwrap();
        assert_eq!(p.status, PlanStatus::Optimal, "{rule:?}");
        assert_eq!(p.sites[1].decision, Decision::Keep);
    }
    // A tolerance of 5 minutes (own limit 45) still leaves only A.
    let mut sc = scenario(BeyondLimit::Tolerance(5.0));
    sc.close = vec![SiteIdx(0)];
    let p = hubplan::plan(&inputs, &sc).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    match &p.infeasibility.unwrap().blockers[..] {
        [b @ Blocker::BeyondLimit { zones, .. }] => {
            assert_eq!(zones[0].limit, 45.0);
            let t = blocker_sentence(&inputs, &sc, b);
            assert!(
                t.contains("at most 5 minutes longer") && t.contains("own limit 45.0 min"),
                "{t}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_budget_that_only_the_own_limit_breaks() {
    let inputs = inputs(false);
    let mut sc = scenario(BeyondLimit::NoWorse);
    sc.budget = Some(35_000.0);
    let p = hubplan::plan(&inputs, &sc).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    let blockers = p.infeasibility.clone().unwrap().blockers;
    assert_eq!(
        blockers[0],
        Blocker::BeyondLimit {
            rule: BeyondLimit::NoWorse,
            zones: vec![FAR_HAMLET],
            sites: vec![],
        }
    );
    // The budget is below the least cost with the own limit (A + B), and the best
    // plan within it leaves no zone within reach of the limit beyond it.
    assert_eq!(
        blockers[1],
        Blocker::Budget {
            budget: 35_000.0,
            least_cost: Some(70_000.0),
            zones: vec![],
        }
    );
    let t = blocker_sentence(&inputs, &sc, &blockers[0]);
    assert!(
        t.contains("no plan that meets the other rules keeps it within it")
            && t.contains("Far Hamlet (Z1) 40.0 min today, own limit 40.0 min")
            && t.contains("(access.beyond_limit = ignore) a plan exists"),
        "{t}"
    );
    let t = blocker_sentence(&inputs, &sc, &blockers[1]);
    assert!(
        t.contains("every zone beyond it today within its own limit), £70,000"),
        "{t}"
    );
    let p = hubplan::plan(&inputs, &scenario_with_budget(BeyondLimit::Ignore)).unwrap();
    assert_eq!(p.status, PlanStatus::Optimal);
    assert_eq!(p.sites[0].decision, Decision::Close);
}

fn scenario_with_budget(rule: BeyondLimit) -> Scenario {
    let mut sc = scenario(rule);
    sc.budget = Some(35_000.0);
    sc
}

fn rules(rule: BeyondLimit) -> ServiceRules {
    let mut r = ServiceRules {
        services: vec![ServiceIdx(0)],
        max_minutes: Some(35.0),
        beyond_limit: rule,
        ..ServiceRules::default()
    };
    r.solver.backend = Backend::Microlp;
    r
}

#[test]
fn colocation_forced_closure_names_the_zone_beyond_the_limit() {
    let inputs = inputs(true);
    let mut r = rules(BeyondLimit::NoWorse);
    r.close = vec![SiteIdx(0)];
    let p = plan_services(&inputs, &r).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    let blockers = p.infeasibility.clone().unwrap().blockers;
    assert_eq!(
        blockers,
        vec![ServiceBlocker::BeyondLimit {
            service: ServiceIdx(0),
            rule: BeyondLimit::NoWorse,
            zones: vec![FAR_HAMLET],
            sites: vec![SiteIdx(0)],
        }]
    );
    let t = service_blocker_sentence(&inputs, &r, &blockers[0]);
    for part in [
        "Children's centre: 1 zone (need 50) already beyond 35 minutes today blocks the plan",
        "access.beyond_limit = no_worse",
        "forces closed (A)",
        "Far Hamlet (Z1) 40.0 min today, own limit 40.0 min",
    ] {
        assert!(t.contains(part), "{part:?} not in: {t}");
    }
    let mut r = rules(BeyondLimit::Ignore);
    r.close = vec![SiteIdx(0)];
    let p = plan_services(&inputs, &r).unwrap();
    assert_eq!(p.status, PlanStatus::Optimal);
}

#[test]
fn colocation_budget_that_only_the_own_limit_breaks() {
    let inputs = inputs(true);
    let mut r = rules(BeyondLimit::NoWorse);
    r.annual_budget = Some(35_000.0);
    let p = plan_services(&inputs, &r).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    let blockers = p.infeasibility.clone().unwrap().blockers;
    assert_eq!(
        blockers[0],
        ServiceBlocker::BeyondLimit {
            service: ServiceIdx(0),
            rule: BeyondLimit::NoWorse,
            zones: vec![FAR_HAMLET],
            sites: vec![],
        }
    );
    let t = service_blocker_sentence(&inputs, &r, &blockers[0]);
    assert!(
        t.contains("Far Hamlet (Z1) 40.0 min today, own limit 40.0 min") && t.contains("a plan exists"),
        "{t}"
    );
    let mut r = rules(BeyondLimit::Ignore);
    r.annual_budget = Some(35_000.0);
    let p = plan_services(&inputs, &r).unwrap();
    assert_eq!(p.status, PlanStatus::Optimal);
    assert_eq!(p.sites[0].decision, Decision::Close);
}
