//! Every search of the portfolio against brute force on random instances of
//! every shape the chooser knows (unit and weighted set covering, maximal
//! covering with a budget or a site count, p-median and facility location
//! with an unserved cost), half reaching by distance and half by random sets
//! of two to four sites, with a few forced decisions: 10–16 sites and 20–150
//! clients, small enough to enumerate every open set.
//!
//! The default run checks 28 instances (four of each shape). `HUBPLAN_STRESS=N` checks N from the
//! seed `HUBPLAN_STRESS_SEED` (default: the first), and
//! `HUBPLAN_STRESS_BIG=N` adds N larger instances (30–70 sites, 100–400
//! clients, deeper trees) on which every search must agree with the default
//! one; `HUBPLAN_STRESS_VERBOSE=1` prints each result. A failure names its
//! seed and shape, so that it can be replayed alone.
mod common;
use common::{brute, independent};
use hubplan_solver::synthetic::SplitMix64;
use hubplan_solver::{solve_with, Arc, Cardinality, Fixing, Instance, Search, SolveOptions, Status};
use std::time::Duration;

fn opts() -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_secs(120),
        rel_gap: 1e-9,
        abs_gap: 1e-9,
    }
}

/// The instance shapes the chooser distinguishes.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Must-cover, unit site costs (unicost set covering).
    UnitCover,
    /// Must-cover, weighted site costs.
    WeightedCover,
    /// Maximal covering with a budget.
    BudgetCover,
    /// Maximal covering with a site count.
    CountCover,
    /// Assignment costs with a site count (p-median with a penalty).
    Median,
    /// Assignment costs and opening costs (facility location).
    Location,
    /// Assignment costs with a missing-pair cost of 100 × need, twenty times
    /// the dearest arc (the p-median as spopt's users pose it; the penalty
    /// split applies), for most clients; a few must be served or have a
    /// small penalty: a site count, or opening costs and a budget.
    Missing,
}

const KINDS: [Kind; 7] = [
    Kind::UnitCover,
    Kind::WeightedCover,
    Kind::BudgetCover,
    Kind::CountCover,
    Kind::Median,
    Kind::Location,
    Kind::Missing,
];

/// A seeded instance of `kind`: sites and clients in the unit square, a
/// client reaching the sites within a radius (with ties in cost, which make
/// many optima), a few fixings.
fn instance(seed: u64, kind: Kind, big: bool) -> Instance {
    let mut rng = SplitMix64(seed);
    let (n, m) = if big {
        (
            30 + (rng.next_u64() % 41) as usize,
            100 + (rng.next_u64() % 301) as usize,
        )
    } else {
        (10 + (rng.next_u64() % 7) as usize, 20 + (rng.next_u64() % 131) as usize)
    };
    let radius = rng.range(0.2, 0.45);
    let pts =
        |rng: &mut SplitMix64, k: usize| -> Vec<(f64, f64)> { (0..k).map(|_| (rng.unit(), rng.unit())).collect() };
    let sites = pts(&mut rng, n);
    let zones = pts(&mut rng, m);
    let mut inst = Instance::with_sites(n);
    let unit = matches!(kind, Kind::UnitCover | Kind::CountCover) || rng.unit() < 0.3;
    for j in 0..n {
        inst.fixed_cost[j] = if unit { 1.0 } else { (1.0 + rng.unit() * 9.0).floor() };
        inst.budget_cost[j] = (1.0 + rng.unit() * 9.0).floor();
        inst.fixing[j] = match rng.next_u64() % 24 {
            0 => Fixing::Open,
            1 => Fixing::Closed,
            _ => Fixing::Free,
        };
    }
    let covering = matches!(
        kind,
        Kind::UnitCover | Kind::WeightedCover | Kind::BudgetCover | Kind::CountCover
    );
    // A missing-pair instance with a site count (else opening costs and a budget).
    let counted = matches!(kind, Kind::Missing) && rng.unit() < 0.6;
    if matches!(kind, Kind::BudgetCover | Kind::CountCover | Kind::Median) || counted {
        inst.fixed_cost.iter_mut().for_each(|c| *c = 0.0);
    }
    // Half the instances reach by distance, half by random sets of two to
    // four sites (as in hard set covering instances, where the LP is
    // fractional and the tree deep).
    let geometric = rng.unit() < 0.5;
    for &(x, y) in &zones {
        let need = if unit { 1.0 } else { (1.0 + rng.unit() * 20.0).floor() };
        let mut arcs = Vec::new();
        if geometric {
            for (j, &(sx, sy)) in sites.iter().enumerate() {
                let d = ((x - sx).powi(2) + (y - sy).powi(2)).sqrt();
                if d <= radius {
                    // Costs on a coarse grid, so that ties are common.
                    let cost = if covering {
                        0.0
                    } else {
                        need * (d / radius * 5.0).ceil()
                    };
                    arcs.push(Arc { site: j as u32, cost });
                }
            }
        } else {
            let k = 2 + (rng.next_u64() % 3) as usize;
            while arcs.len() < k {
                let j = (rng.next_u64() % n as u64) as u32;
                if arcs.iter().all(|a: &Arc| a.site != j) {
                    let cost = if covering {
                        0.0
                    } else {
                        need * (1 + rng.next_u64() % 5) as f64
                    };
                    arcs.push(Arc { site: j, cost });
                }
            }
        }
        let unserved = match kind {
            Kind::UnitCover | Kind::WeightedCover => None,
            Kind::BudgetCover | Kind::CountCover => Some(need),
            Kind::Median | Kind::Location => Some(need * 8.0),
            // Most clients split; one in eight must be served and one in
            // eight has a penalty of only 8 × need (both stay whole).
            Kind::Missing => match rng.next_u64() % 8 {
                0 => None,
                1 => Some(need * 8.0),
                _ => Some(need * 100.0),
            },
        };
        if arcs.is_empty() && unserved.is_none() {
            continue;
        }
        inst.push_client(arcs, unserved, need);
    }
    match kind {
        Kind::BudgetCover => {
            let total: f64 = inst.budget_cost.iter().sum();
            inst.budget = Some((total * rng.range(0.15, 0.4)).floor());
        }
        Kind::CountCover | Kind::Median => {
            let p = 2 + (rng.next_u64() % 4) as u32;
            inst.cardinality = Some(Cardinality { min: 0, max: p });
        }
        Kind::Missing if counted => {
            let p = 2 + (rng.next_u64() % 4) as u32;
            inst.cardinality = Some(Cardinality { min: p, max: p });
        }
        Kind::Missing => {
            let total: f64 = inst.budget_cost.iter().sum();
            inst.budget = Some((total * rng.range(0.15, 0.4)).floor());
        }
        _ => {}
    }
    inst
}

fn check(seed: u64, kind: Kind, big: bool) {
    let inst = instance(seed, kind, big);
    let mut want = if big { None } else { brute(&inst) };
    for (k, s) in [
        Search::Auto,
        Search::Lp,
        Search::Lagrangian,
        Search::Radius,
        Search::Benders,
        Search::Split,
    ]
    .into_iter()
    .enumerate()
    {
        let t = std::time::Instant::now();
        let o = solve_with(&inst, &opts(), s).expect("valid");
        let secs = t.elapsed().as_secs_f64();
        if big && k == 0 {
            // Too large to enumerate: every search must agree with the first.
            want = (o.status != Status::Infeasible).then_some(o.objective);
        }
        let tag = format!(
            "seed {seed} {kind:?} {}: {:?} {} bound {}",
            o.search, o.status, o.objective, o.bound
        );
        if std::env::var_os("HUBPLAN_STRESS_VERBOSE").is_some() {
            eprintln!(
                "{tag} nodes {} sites {} clients {} {secs:.3}s",
                o.nodes,
                inst.n_sites(),
                inst.n_clients()
            );
        }
        match want {
            None => assert_eq!(o.status, Status::Infeasible, "{tag}: want infeasible"),
            Some(z) => {
                let tol = 1e-6 * z.abs().max(1.0);
                assert_eq!(o.status, Status::Optimal, "{tag}: want {z}");
                assert!((o.objective - z).abs() <= tol, "{tag}: want {z}");
                assert!(o.bound <= z + tol, "{tag}: bound above the optimum {z}");
                let e = independent(&inst, &o.open).unwrap_or_else(|| panic!("{tag}: plan violates a hard constraint"));
                assert!(
                    (e - o.objective).abs() <= 1e-9 * e.abs().max(1.0),
                    "{tag}: evaluator {e}"
                );
            }
        }
    }
}

/// `name` read as a number, or `default` when unset or not a number.
fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Checks `env(count_var, default)` instances from `HUBPLAN_STRESS_SEED`, the
/// shapes in turn.
fn run(count_var: &str, default: u64, big: bool) {
    let first = env("HUBPLAN_STRESS_SEED", 1);
    for seed in first..first + env(count_var, default) {
        check(seed, KINDS[(seed % KINDS.len() as u64) as usize], big);
    }
}

#[test]
fn every_search_agrees_with_brute_force_on_medium_instances() {
    run("HUBPLAN_STRESS", 28, false);
}

/// Larger instances (30–70 sites, up to 400 clients), too large to enumerate:
/// every search must reach the same optimum as the default one. Run with
/// `HUBPLAN_STRESS_BIG=N` (none by default).
#[test]
fn every_search_agrees_on_larger_instances() {
    run("HUBPLAN_STRESS_BIG", 0, true);
}
