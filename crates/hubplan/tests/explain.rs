//! Hand-worked explanations.
//!
//! Five zones, four buildings, limit 35 minutes (need in brackets):
//!
//! ```text
//!            A (£100)  B (£200)  C (£50)  D (£120)
//! Z1 (10)      10        40        –        45
//! Z2 (20)      20        –         30       –
//! Z3 (30)      –         15        25       –
//! Z4 (40)      –         –         12       20
//! Z5 (50)      –         28        –        30
//! ```
//!
//! Z1 has only A within 35; Z5 needs B or D; Z3 needs B or C; Z4 needs C or D.
//! The least-cost plan is {A, C, D} = £270 (A+B+C = £350, A+B+D = £420), so B closes.
//! - A is the only open hub within 35 of Z1: next open hub D at 45, best of all B at 40.
//! - C is the only one for Z3 (B closed): no other open hub reachable; best of all B at 15.
//! - D is the only one for Z5: no other open hub reachable; best of all B at 28.
//! - B was the nearest hub of Z3 (15 min) and Z5 (28 min); they move to C (25) and D (30).

use hubplan::explain::{explain, marginal_costs, ChosenBasis, Forcing, KeepReason, MarginalOutcome, SiteMinutes};
use hubplan::geo::LonLat;
use hubplan::model::{Inputs, Site, Zone};
use hubplan::optimise::plan_for_open_set;
use hubplan::travel::TravelTimes;
use hubplan::{Decision, ObjectiveKind, PlanStatus, Scenario, SiteIdx, ZoneIdx};

const A: SiteIdx = SiteIdx(0);
const B: SiteIdx = SiteIdx(1);
const C: SiteIdx = SiteIdx(2);
const D: SiteIdx = SiteIdx(3);
const Z: [ZoneIdx; 5] = [ZoneIdx(0), ZoneIdx(1), ZoneIdx(2), ZoneIdx(3), ZoneIdx(4)];

fn inputs() -> Inputs {
    let site = |id: &str, cost: f64| Site {
        backlog: cost * 3.0,
        ..Site::existing(id, LonLat::new(0.0, 51.0), cost)
    };
    let zone = |id: &str, need: f64| Zone {
        population: need,
        ..Zone::new(id, LonLat::new(0.0, 51.0), need)
    };
    let t = |z: usize, s: SiteIdx, m: f64| (Z[z], s, m);
    let travel = TravelTimes::from_triples(
        5,
        4,
        vec![
            t(0, A, 10.0),
            t(0, B, 40.0),
            t(0, D, 45.0),
            t(1, A, 20.0),
            t(1, C, 30.0),
            t(2, B, 15.0),
            t(2, C, 25.0),
            t(3, C, 12.0),
            t(3, D, 20.0),
            t(4, B, 28.0),
            t(4, D, 30.0),
        ],
    )
    .unwrap();
    Inputs {
        sites: vec![site("A", 100.0), site("B", 200.0), site("C", 50.0), site("D", 120.0)],
        zones: vec![
            zone("Z1", 10.0),
            zone("Z2", 20.0),
            zone("Z3", 30.0),
            zone("Z4", 40.0),
            zone("Z5", 50.0),
        ],
        services: vec![],
        travel,
    }
}

fn sm(site: SiteIdx, minutes: f64) -> Option<SiteMinutes> {
    Some(SiteMinutes { site, minutes })
}

#[test]
fn access_rule_keeps_name_their_zones_and_alternatives() {
    let inp = inputs();
    let sc = Scenario::min_cost();
    let plan = hubplan::plan(&inp, &sc).unwrap();
    assert_eq!(plan.status, PlanStatus::Optimal);
    assert_eq!(plan.open, vec![true, false, true, true]);
    assert_eq!(plan.objective, 270.0);
    let ex = explain(&inp, &sc, &plan);
    assert_eq!(ex.kept.iter().map(|k| k.site).collect::<Vec<_>>(), vec![A, C, D]);
    let rule = |s: SiteIdx| match &ex.kept_site(s).unwrap().reason {
        KeepReason::AccessRule { zones } => zones.clone(),
        r => panic!("{s:?}: expected the access rule, got {r:?}"),
    };
    let a = rule(A);
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].zone, a[0].need, a[0].minutes), (Z[0], 10.0, 10.0));
    assert_eq!(a[0].alternative_open, sm(D, 45.0));
    assert_eq!(a[0].alternative_any, sm(B, 40.0));
    let c = rule(C);
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].zone, c[0].need, c[0].minutes), (Z[2], 30.0, 25.0));
    assert_eq!(c[0].alternative_open, None);
    assert_eq!(c[0].alternative_any, sm(B, 15.0));
    let d = rule(D);
    assert_eq!(
        d.iter().map(|z| z.zone).collect::<Vec<_>>(),
        vec![Z[4]],
        "Z4 also has C within the limit"
    );
    assert_eq!(d[0].alternative_any, sm(B, 28.0));
    let text = hubplan::explain::site_sentence(&inp, &ex, A);
    assert!(text.contains("Z1") && text.contains("45.0 min"), "{text}");
}

/// Under `min_travel` with three sites the least travel is {A, B, C} (2,830
/// need-minutes; {A, B, D} 3,150, {A, C, D} 3,230). B alone keeps Z5 within 35
/// (D, its other building within the limit, is closed), so it is kept by the access
/// rule; the alternative (opening D instead) costs travel, not money.
#[test]
fn access_rule_keep_under_min_travel_speaks_of_travel_not_cost() {
    let inp = inputs();
    let mut sc = Scenario::min_cost();
    sc.objective = ObjectiveKind::MinTravel;
    sc.sites = Some(3);
    let plan = hubplan::plan(&inp, &sc).unwrap();
    assert_eq!(plan.status, PlanStatus::Optimal);
    assert_eq!(plan.open, vec![true, true, true, false]);
    assert!((plan.objective - 2830.0).abs() < 1e-6, "{}", plan.objective);
    let ex = explain(&inp, &sc, &plan);
    match &ex.kept_site(B).unwrap().reason {
        KeepReason::AccessRule { zones } => assert_eq!(zones.iter().map(|z| z.zone).collect::<Vec<_>>(), vec![Z[4]]),
        r => panic!("B: expected the access rule, got {r:?}"),
    }
    let text = hubplan::explain::site_sentence(&inp, &ex, B);
    assert!(text.contains("with no less total travel"), "{text}");
    assert!(!text.contains("cost"), "{text}");
}

#[test]
fn a_closure_says_where_its_users_go() {
    let inp = inputs();
    let sc = Scenario::min_cost();
    let plan = plan_for_open_set(
        &inp,
        &sc,
        vec![true, false, true, true],
        PlanStatus::Optimal,
        270.0,
        270.0,
        0.0,
    );
    let ex = explain(&inp, &sc, &plan);
    assert_eq!(ex.closed.len(), 1);
    let b = ex.closed_site(B).unwrap();
    assert!(!b.forced);
    let moves: Vec<_> = b
        .moves
        .iter()
        .map(|m| (m.zone, m.minutes_before, m.after, m.within_before, m.within_after))
        .collect();
    assert_eq!(
        moves,
        vec![
            (Z[2], 15.0, sm(C, 25.0), true, true),
            (Z[4], 28.0, sm(D, 30.0), true, true)
        ]
    );
    assert_eq!(b.main_destination(), Some(D), "Z5 (need 50) outweighs Z3 (need 30)");
    assert_eq!(b.mean_minutes_before(), Some((30.0 * 15.0 + 50.0 * 28.0) / 80.0));
    assert_eq!(b.mean_minutes_after(), Some((30.0 * 25.0 + 50.0 * 30.0) / 80.0));
    assert_eq!(b.worst_minutes_after(), Some(30.0));
    assert_eq!(b.pushed_beyond().count(), 0);
    assert!(
        b.note.contains("Not needed for the access rule") && b.note.contains("£200"),
        "{}",
        b.note
    );
}

#[test]
fn forced_and_chosen_reasons() {
    let inp = inputs();
    let mut sc = Scenario::min_cost();
    sc.keep = vec![B];
    let plan = hubplan::plan(&inp, &sc).unwrap();
    assert_eq!(
        plan.open,
        vec![true, true, true, false],
        "with B kept, C covers Z4 for less than D"
    );
    let ex = explain(&inp, &sc, &plan);
    assert_eq!(ex.kept_site(B).unwrap().reason, KeepReason::Forced);
    match &ex.kept_site(C).unwrap().reason {
        KeepReason::AccessRule { zones } => {
            assert_eq!(zones.iter().map(|z| z.zone).collect::<Vec<_>>(), vec![Z[3]]);
            assert_eq!(zones[0].alternative_any, sm(D, 20.0));
        }
        r => panic!("{r:?}"),
    }
    let d = ex.closed_site(D).unwrap();
    assert!(d.moves.is_empty(), "no zone had D as its nearest hub");
    // Everything open: B is nobody's only hub within 35 minutes.
    let sq = Scenario::min_cost();
    let all = plan_for_open_set(&inp, &sq, vec![true; 4], PlanStatus::Feasible, 470.0, 270.0, 0.74);
    let ex = explain(&inp, &sq, &all);
    match &ex.kept_site(B).unwrap().reason {
        KeepReason::Chosen { basis, note } => {
            assert_eq!(*basis, ChosenBasis::Cost);
            assert!(note.contains("no zone depends on it alone"), "{note}");
        }
        r => panic!("{r:?}"),
    }
    assert!(matches!(ex.kept_site(A).unwrap().reason, KeepReason::AccessRule { .. }));
}

#[test]
fn infeasibility_names_zones_and_the_blocking_rule() {
    let inp = inputs();
    let mut sc = Scenario::min_cost();
    sc.close = vec![A];
    let plan = hubplan::plan(&inp, &sc).unwrap();
    assert_eq!(plan.status, PlanStatus::Infeasible);
    let ex = explain(&inp, &sc, &plan);
    assert!(ex.kept.is_empty() && ex.closed.is_empty());
    assert_eq!(ex.infeasibility.len(), 1);
    let n = &ex.infeasibility[0];
    assert_eq!(n.constraint, "forced_closures");
    assert_eq!(n.zones, vec![Z[0]]);
    assert_eq!(n.sites, vec![A]);
    assert!(
        n.text.contains("Z1") && n.text.contains("forces closed") && n.text.contains('A'),
        "{}",
        n.text
    );
}

#[test]
fn marginal_costs_flip_each_site_in_order() {
    let inp = inputs();
    let sc = Scenario::min_cost();
    let plan = hubplan::plan(&inp, &sc).unwrap();
    let m = marginal_costs(&inp, &sc, &plan, &[B, A, D]);
    assert_eq!(
        m.iter().map(|x| (x.site, x.forcing)).collect::<Vec<_>>(),
        vec![(B, Forcing::Open), (A, Forcing::Closed), (D, Forcing::Closed)]
    );
    match &m[0].outcome {
        MarginalOutcome::Solved {
            objective,
            delta_objective,
            other_changes,
            ..
        } => {
            assert_eq!((*objective, *delta_objective), (350.0, 80.0));
            assert_eq!(other_changes, &vec![D], "keeping B lets D close");
        }
        o => panic!("{o:?}"),
    }
    match &m[1].outcome {
        MarginalOutcome::Infeasible { zones, text } => {
            assert_eq!(zones, &vec![Z[0]]);
            assert!(text.contains("Z1"), "{text}");
        }
        o => panic!("{o:?}"),
    }
    match &m[2].outcome {
        MarginalOutcome::Solved { delta_objective, .. } => assert_eq!(*delta_objective, 80.0),
        o => panic!("{o:?}"),
    }
    // Same answer on one thread.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| marginal_costs(&inp, &sc, &plan, &[B, A, D]));
    assert_eq!(format!("{one:?}"), format!("{m:?}"));
    assert_eq!(plan.sites[B.index()].decision, Decision::Close);
}
