//! Cross-checks on small random instances: the Lagrangian branch-and-bound,
//! the good_lp/microlp MIP and a brute-force enumerator agree on the optimum
//! (with budgets, cardinality, fixings and unserved costs); every returned
//! solution passes an independent evaluator; coverage never falls as the
//! budget grows; results do not depend on the thread count.
mod common;
use common::{brute, independent};
use hubplan_solver::mip::{solve_mip, MipBackend};
use hubplan_solver::{solve, solve_with, Arc, Cardinality, Fixing, Instance, Search, SolveOptions, Status};
use proptest::prelude::*;
use std::time::Duration;

fn opts() -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_secs(30),
        rel_gap: 1e-9,
        abs_gap: 1e-9,
    }
}

/// A random client: arcs (site, cost) and an optional unserved cost.
type RawClient = (Vec<(usize, u32)>, Option<u32>);

#[derive(Debug, Clone)]
struct Raw {
    n: usize,
    fixed: Vec<u32>,
    bcost: Vec<u32>,
    fix: Vec<u8>,
    clients: Vec<RawClient>,
    budget: Option<u32>,
    card: Option<(u32, u32)>,
    frac: bool,
}

fn raw() -> impl Strategy<Value = Raw> {
    (1usize..8).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec(0u32..20, n),
            prop::collection::vec(0u32..10, n),
            prop::collection::vec(0u8..10, n),
            prop::collection::vec(
                (
                    prop::collection::vec((0..n, 0u32..15), 0..5),
                    prop::option::weighted(0.5, 0u32..30),
                ),
                0..9,
            ),
            prop::option::weighted(0.4, 0u32..30),
            prop::option::weighted(0.4, (0u32..5, 0u32..6)),
            any::<bool>(),
        )
            .prop_map(|(n, fixed, bcost, fix, clients, budget, card, frac)| Raw {
                n,
                fixed,
                bcost,
                fix,
                clients,
                budget,
                card,
                frac,
            })
    })
}

fn build(r: &Raw) -> Instance {
    let s = if r.frac { 0.37 } else { 1.0 };
    let mut inst = Instance::with_sites(r.n);
    inst.fixed_cost = r.fixed.iter().map(|&f| f64::from(f) * s).collect();
    inst.budget_cost = r.bcost.iter().map(|&b| f64::from(b)).collect();
    inst.fixing = r
        .fix
        .iter()
        .map(|&f| match f {
            0 => Fixing::Open,
            1 => Fixing::Closed,
            _ => Fixing::Free,
        })
        .collect();
    inst.budget = r.budget.map(f64::from);
    inst.cardinality = r.card.map(|(a, b)| Cardinality {
        min: a.min(b),
        max: a.max(b),
    });
    for (arcs, u) in &r.clients {
        let mut a: Vec<Arc> = Vec::new();
        for &(site, c) in arcs {
            if !a.iter().any(|x| x.site == site as u32) {
                a.push(Arc {
                    site: site as u32,
                    cost: f64::from(c) * s,
                });
            }
        }
        inst.push_client(a, u.map(|u| f64::from(u) * s), 1.0);
    }
    inst
}

fn agree(inst: &Instance) {
    let want = brute(inst);
    let a = solve(inst, &opts()).expect("valid");
    let b = solve_mip(inst, &opts(), MipBackend::Microlp).expect("valid");
    // Every search of the portfolio (the radius formulation included) is exact.
    let each: Vec<_> = Search::ALL
        .iter()
        .map(|&s| solve_with(inst, &opts(), s).expect("valid"))
        .collect();
    match want {
        None => {
            assert_eq!(a.status, Status::Infeasible, "solve: {a:?}");
            assert_eq!(b.status, Status::Infeasible, "mip: {b:?}");
            for o in &each {
                assert_eq!(o.status, Status::Infeasible, "{}: {o:?}", o.search);
            }
        }
        Some(z) => {
            for o in [&a, &b].into_iter().chain(each.iter()) {
                assert_eq!(o.status, Status::Optimal, "{o:?} want {z}");
                assert!((o.objective - z).abs() <= 1e-6 * z.abs().max(1.0), "{o:?} want {z}");
                assert!(o.bound <= z + 1e-6 * z.abs().max(1.0), "bound {o:?} want {z}");
                let e = independent(inst, &o.open).expect("returned solution violates a hard constraint");
                assert!((e - o.objective).abs() <= 1e-9 * e.abs().max(1.0));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn solvers_agree_with_brute_force(r in raw()) {
        agree(&build(&r));
    }

    /// Covering instances (every arc free) take the LP search whenever some
    /// client may stay uncovered; they must agree with brute force too.
    #[test]
    fn covering_instances_agree_with_brute_force(r in raw()) {
        let mut r = r;
        for (arcs, _) in &mut r.clients {
            for a in arcs.iter_mut() {
                a.1 = 0;
            }
        }
        agree(&build(&r));
    }

    #[test]
    fn coverage_never_falls_as_budget_grows(
        n in 2usize..9,
        seed_arcs in prop::collection::vec((prop::collection::vec(0usize..9, 1..4), 1u32..20), 1..14),
        costs in prop::collection::vec(1u32..10, 9),
        b0 in 0u32..10, step in 1u32..8,
    ) {
        let mut inst = Instance::with_sites(n);
        inst.budget_cost = costs[..n].iter().map(|&c| f64::from(c)).collect();
        for (sites, need) in &seed_arcs {
            let mut a: Vec<Arc> = sites.iter().filter(|&&s| s < n).map(|&s| Arc { site: s as u32, cost: 0.0 }).collect();
            a.sort_by_key(|x| x.site);
            a.dedup_by_key(|x| x.site);
            inst.push_client(a, Some(f64::from(*need)), f64::from(*need));
        }
        let mut prev = f64::INFINITY;
        for k in 0..4 {
            inst.budget = Some(f64::from(b0 + k * step));
            let o = solve(&inst, &opts()).expect("valid");
            prop_assert_eq!(o.status, Status::Optimal);
            let e = independent(&inst, &o.open).expect("feasible");
            prop_assert!((e - o.objective).abs() < 1e-9);
            prop_assert!(o.objective <= prev + 1e-9, "uncovered need rose from {} to {}", prev, o.objective);
            prev = o.objective;
        }
    }
}

/// Same answer and same explored tree whatever the thread count.
#[test]
fn deterministic_across_thread_counts() {
    use hubplan_solver::synthetic::{generate, mclp, Spec};
    let g = generate(&Spec {
        zones: 400,
        sites: 60,
        ..Spec::small(3)
    });
    let inst = mclp(&g, 600_000.0);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| solve(&inst, &opts()).expect("valid"))
    };
    let a = run(1);
    let b = run(2);
    let c = run(4);
    assert_eq!(a.status, Status::Optimal);
    assert!(a.solver.starts_with("lp-bb"), "{}", a.solver);
    assert!(a.nodes > 1, "the instance should need branching: {a:?}");
    for o in [&b, &c] {
        assert_eq!(a.open, o.open);
        assert_eq!(a.objective.to_bits(), o.objective.to_bits());
        assert_eq!(a.bound.to_bits(), o.bound.to_bits());
        assert_eq!(a.nodes, o.nodes);
    }
}

/// The LP search and the exact MIP agree on seeded maximal-covering instances
/// with a binding budget, and on the same instances with a site count.
#[test]
fn lp_search_agrees_with_mip_on_synthetic_covering() {
    use hubplan_solver::synthetic::{generate, mclp, Spec};
    for seed in 1..=3 {
        let g = generate(&Spec {
            zones: 250,
            sites: 30,
            ..Spec::small(seed)
        });
        let mut inst = mclp(&g, 250_000.0);
        for card in [None, Some(4)] {
            if let Some(k) = card {
                inst.budget = None;
                inst.cardinality = Some(Cardinality { min: 0, max: k });
            }
            let a = solve(&inst, &opts()).expect("valid");
            let b = solve_mip(&inst, &opts(), MipBackend::Microlp).expect("valid");
            assert!(a.solver.starts_with("lp-bb"), "{}", a.solver);
            assert_eq!(a.status, Status::Optimal, "{a:?}");
            assert_eq!(b.status, Status::Optimal, "{b:?}");
            assert!(
                (a.objective - b.objective).abs() <= 1e-6,
                "seed {seed} {card:?}: {a:?} vs {b:?}"
            );
            let e = independent(&inst, &a.open).expect("feasible");
            assert!((e - a.objective).abs() <= 1e-9 * e.abs().max(1.0));
        }
    }
}

/// A must-serve client nobody can serve, and contradictory limits, are proven infeasible.
#[test]
fn infeasible_cases() {
    let mut inst = Instance::with_sites(2);
    inst.fixing[0] = Fixing::Closed;
    inst.push_client(vec![Arc { site: 0, cost: 1.0 }], None, 1.0);
    assert_eq!(solve(&inst, &opts()).unwrap().status, Status::Infeasible);
    let mut inst = Instance::with_sites(3);
    inst.fixed_cost = vec![1.0, 1.0, 1.0];
    inst.budget_cost = vec![5.0, 5.0, 5.0];
    inst.budget = Some(9.0);
    inst.push_client(vec![Arc { site: 0, cost: 0.0 }, Arc { site: 1, cost: 0.0 }], None, 1.0);
    inst.push_client(vec![Arc { site: 2, cost: 0.0 }], None, 1.0);
    inst.push_client(vec![Arc { site: 1, cost: 0.0 }, Arc { site: 2, cost: 0.0 }], None, 1.0);
    // Needs site 2 and one of 0/1 = 10 > 9, but only by combination: the tree must prove it.
    inst.push_client(vec![Arc { site: 0, cost: 0.0 }], None, 1.0);
    let o = solve(&inst, &opts()).unwrap();
    assert_eq!(o.status, Status::Infeasible, "{o:?}");
    assert_eq!(o.bound, f64::INFINITY);
}

/// A bad instance is an error, never a panic.
#[test]
fn malformed_is_an_error() {
    let mut inst = Instance::with_sites(2);
    inst.push_client(vec![Arc { site: 5, cost: 1.0 }], None, 1.0);
    assert!(solve(&inst, &opts()).is_err());
    assert!(solve_mip(&inst, &opts(), MipBackend::Microlp).is_err());
    assert!(hubplan_solver::mip::write_mps(&inst).is_err());
}

/// Shrunk proptest failures (session 13): microlp's warm dual simplex reported
/// a fixing infeasible where it was not (a budget row tight at the vertex),
/// and `lp-bb`, `lp-radius` and `benders-bb` discarded the optimum's side
/// and returned a worse plan as `Optimal`. Now an infeasibility is checked by
/// a cold solve (`lpbb::cold_solve`, `benders::cold_master`).
#[test]
fn false_infeasibility_of_a_warm_re_solve_loses_no_plan() {
    let cases = [
        // Three sites, a must-serve odd cycle and one optional client:
        // benders-bb returned 30 against 24.
        Raw {
            n: 4,
            fixed: vec![0, 14, 18, 16],
            bcost: vec![0; 4],
            fix: vec![1, 2, 2, 2],
            clients: vec![
                (vec![(3, 0), (1, 0)], Some(6)),
                (vec![(3, 0), (2, 0)], None),
                (vec![(1, 0), (2, 0)], None),
            ],
            budget: None,
            card: None,
            frac: false,
        },
        // Site 6 alone fills the budget: lp-bb, lp-radius and benders-bb
        // returned 29 against 20.
        Raw {
            n: 7,
            fixed: vec![11, 18, 0, 10, 0, 0, 3],
            bcost: vec![3, 0, 3, 0, 0, 3, 8],
            fix: vec![2, 2, 2, 1, 1, 1, 2],
            clients: vec![
                (vec![(0, 0)], Some(17)),
                (vec![(6, 0), (0, 0)], None),
                (vec![(6, 0), (1, 0)], None),
            ],
            budget: Some(8),
            card: None,
            frac: false,
        },
        // benders-bb returned 20 against 19.
        Raw {
            n: 6,
            fixed: vec![0, 17, 0, 17, 2, 3],
            bcost: vec![0, 6, 0, 0, 0, 0],
            fix: vec![0, 2, 0, 2, 2, 2],
            clients: vec![
                (vec![(4, 0), (3, 0), (5, 0)], None),
                (vec![(1, 0), (3, 0)], None),
                (vec![(1, 0), (5, 0)], None),
            ],
            budget: Some(6),
            card: None,
            frac: false,
        },
    ];
    for r in &cases {
        agree(&build(r));
    }
}
