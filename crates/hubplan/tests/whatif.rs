//! What-ifs: compare deltas, sweep determinism across thread counts, near-optimal alternatives.

use hubplan::geo::LonLat;
use hubplan::model::{Inputs, Site, Zone};
use hubplan::travel::TravelTimes;
use hubplan::whatif::{alternatives, budget_points, compare, sweep, PlanSummary, SweepPoint};
use hubplan::{Decision, ObjectiveKind, PlanStatus, Scenario, SiteIdx, ZoneIdx};

fn site(id: &str, cost: f64) -> Site {
    Site {
        name: format!("{id} centre"),
        backlog: cost * 3.0,
        ..Site::existing(id, LonLat::new(0.0, 51.0), cost)
    }
}

fn zone(id: &str, need: f64) -> Zone {
    Zone {
        population: need,
        ..Zone::new(id, LonLat::new(0.0, 51.0), need)
    }
}

/// The hand-worked instance of `tests/explain.rs`: optimum {A, C, D} = 270.
fn small() -> Inputs {
    let (a, b, c, d) = (SiteIdx(0), SiteIdx(1), SiteIdx(2), SiteIdx(3));
    let z = ZoneIdx;
    let travel = TravelTimes::from_triples(
        5,
        4,
        vec![
            (z(0), a, 10.0),
            (z(0), b, 40.0),
            (z(0), d, 45.0),
            (z(1), a, 20.0),
            (z(1), c, 30.0),
            (z(2), b, 15.0),
            (z(2), c, 25.0),
            (z(3), c, 12.0),
            (z(3), d, 20.0),
            (z(4), b, 28.0),
            (z(4), d, 30.0),
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

/// A pseudo-random instance on a 100 × 100 km square: minutes = 8 + 1.4 × km, up to 60.
fn random(n_sites: usize, n_zones: usize, seed: u64) -> Inputs {
    let mut x = seed;
    let mut rnd = move || {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let sp: Vec<(f64, f64)> = (0..n_sites).map(|_| (rnd() * 100.0, rnd() * 100.0)).collect();
    let zp: Vec<(f64, f64)> = (0..n_zones).map(|_| (rnd() * 100.0, rnd() * 100.0)).collect();
    let sites = (0..n_sites)
        .map(|j| site(&format!("S{j:03}"), (20.0 + 80.0 * rnd()).round() * 1000.0))
        .collect();
    let zones = (0..n_zones)
        .map(|i| zone(&format!("Z{i:03}"), (50.0 + 500.0 * rnd()).round()))
        .collect();
    let mut t = Vec::new();
    for (i, z) in zp.iter().enumerate() {
        for (j, s) in sp.iter().enumerate() {
            let km = ((z.0 - s.0).powi(2) + (z.1 - s.1).powi(2)).sqrt();
            let m = 8.0 + 1.4 * km;
            if m <= 60.0 {
                t.push((
                    ZoneIdx::from_index(i),
                    SiteIdx::from_index(j),
                    (m * 10.0).round() / 10.0,
                ));
            }
        }
    }
    Inputs {
        sites,
        zones,
        services: vec![],
        travel: TravelTimes::from_triples(n_zones, n_sites, t).unwrap(),
    }
}

#[test]
fn compare_reports_differing_sites_and_deltas() {
    let inp = small();
    let sc = Scenario::min_cost();
    let best = hubplan::plan(&inp, &sc).unwrap();
    let mut kb = sc.clone();
    kb.keep = vec![SiteIdx(1)];
    let with_b = hubplan::plan(&inp, &kb).unwrap();
    let a = PlanSummary::from_plan("least-cost", &inp, &sc, &best);
    let b = PlanSummary::from_plan("keep-B", &inp, &kb, &with_b);
    let c = compare(&a, &b);
    assert_eq!((c.a_label.as_str(), c.b_label.as_str()), ("least-cost", "keep-B"));
    let diffs: Vec<_> = c.sites.iter().map(|d| (d.id.as_str(), d.a, d.b)).collect();
    assert_eq!(
        diffs,
        vec![
            ("B", Some(Decision::Close), Some(Decision::Keep)),
            ("D", Some(Decision::Keep), Some(Decision::Close))
        ]
    );
    assert_eq!(
        (c.annual_cost.a, c.annual_cost.b, c.annual_cost.change()),
        (270.0, 350.0, 80.0)
    );
    assert_eq!(c.annual_saving.change(), -80.0);
    assert_eq!(c.backlog_removed.change(), 3.0 * 120.0 - 3.0 * 200.0);
    assert_eq!(c.sites_open.change(), 0.0);
    assert_eq!(c.need_covered.change(), 0.0);
    // Mean minutes: Z5 goes from D (30) to B (28); everything else is unchanged.
    let before = (10.0 * 10.0 + 20.0 * 20.0 + 30.0 * 25.0 + 40.0 * 12.0 + 50.0 * 30.0) / 150.0;
    let after = (10.0 * 10.0 + 20.0 * 20.0 + 30.0 * 15.0 + 40.0 * 12.0 + 50.0 * 28.0) / 150.0;
    assert!((c.mean_minutes.a - before).abs() < 1e-9 && (c.mean_minutes.b - after).abs() < 1e-9);
    // A plan compared with itself differs nowhere.
    let same = compare(&a, &a);
    assert!(same.sites.is_empty() && same.annual_cost.change() == 0.0);
    // A site present in one plan only is listed.
    let mut a2 = a.clone();
    a2.sites.pop();
    let c2 = compare(&a2, &a);
    assert_eq!(
        c2.sites.iter().map(|d| (d.id.as_str(), d.a, d.b)).collect::<Vec<_>>(),
        vec![("D", None, Some(Decision::Keep))]
    );
}

#[test]
fn sweep_is_identical_on_one_and_two_threads() {
    let inp = random(30, 160, 7);
    let base = Scenario::min_cost();
    let mut points = budget_points(200_000.0, 1_400_000.0, 7);
    points.extend([30.0, 35.0, 45.0].map(SweepPoint::MaxMinutes));
    points.push(SweepPoint::Budget(-1.0)); // rejected: a negative budget
    let run = |k: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .unwrap()
            .install(|| sweep(&inp, &base, &points, &|_, _| {}))
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(
        format!("{one:?}"),
        format!("{two:?}"),
        "byte-identical whatever the thread count"
    );
    assert_eq!(one.len(), points.len());
    for (r, p) in one.iter().zip(&points) {
        assert_eq!(r.point, *p, "results in input order");
    }
    assert!(one.last().unwrap().error.is_some());
    // Budgets are planned as max_coverage; coverage never falls as the budget grows.
    let cov: Vec<f64> = one
        .iter()
        .take(7)
        .filter(|r| r.has_plan())
        .map(|r| r.need_covered)
        .collect();
    assert!(cov.len() >= 5, "{one:?}");
    assert!(cov.windows(2).all(|w| w[1] >= w[0] - 1e-9), "{cov:?}");
    assert!(one
        .iter()
        .take(7)
        .all(|r| r.objective_kind == ObjectiveKind::MaxCoverage));
    // Limits keep the scenario's own objective.
    assert!(
        one[7..10]
            .iter()
            .all(|r| r.objective_kind == ObjectiveKind::MinCost && r.has_plan()),
        "{one:?}"
    );
}

#[test]
fn sweep_reports_progress_for_every_point() {
    let inp = small();
    let done = std::sync::Mutex::new(Vec::new());
    let pts = [30.0, 35.0, 40.0].map(SweepPoint::MaxMinutes);
    let r = sweep(&inp, &Scenario::min_cost(), &pts, &|d, t| {
        done.lock().unwrap().push((d, t))
    });
    assert_eq!(r.len(), 3);
    let mut d = done.into_inner().unwrap();
    d.sort();
    assert_eq!(d, vec![(1, 3), (2, 3), (3, 3)]);
}

#[test]
fn alternatives_are_distinct_within_tolerance_and_best_first() {
    let inp = small();
    let sc = Scenario::min_cost();
    let best = hubplan::plan(&inp, &sc).unwrap();
    assert_eq!(best.objective, 270.0);
    // Flips: A closed → infeasible; B open → {A,B,C} 350; C closed → {A,B,D} 420; D closed → {A,B,C} again.
    let within_30 = alternatives(&inp, &sc, &best, 5, 0.30, &|_, _| {});
    assert_eq!(within_30.len(), 1);
    assert_eq!(within_30[0].plan.open, vec![true, true, true, false]);
    assert_eq!(within_30[0].plan.objective, 350.0);
    assert!((within_30[0].worse_by - 80.0 / 270.0).abs() < 1e-12);
    let within_60 = alternatives(&inp, &sc, &best, 5, 0.60, &|_, _| {});
    let objs: Vec<f64> = within_60.iter().map(|a| a.plan.objective).collect();
    assert_eq!(objs, vec![350.0, 420.0]);
    for a in &within_60 {
        assert_ne!(a.plan.open, best.open);
        assert!(
            hubplan::evaluate::violations(&inp, &sc, &a.plan.open).is_empty(),
            "same rules"
        );
        assert_eq!(a.plan.status, PlanStatus::Optimal);
    }
    assert_eq!(alternatives(&inp, &sc, &best, 1, 0.60, &|_, _| {}).len(), 1);
    assert!(alternatives(&inp, &sc, &best, 5, 0.10, &|_, _| {}).is_empty());
}
