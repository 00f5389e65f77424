//! The Benders search (`Search::Benders`, `src/benders.rs`) against the other
//! exact searches and the references:
//!
//! * seeded synthetic covering instances (budgeted and p-constrained maximal
//!   covering, weighted set covering, with fixings): Benders, the LP search
//!   and the Lagrangian search reach the same optimum, each plan re-evaluated
//!   independently;
//! * OR-Library scp41–45 and SJC324 (every S and p of the CSV) reproduce their
//!   reference optima through Benders;
//! * the same plan, bound and node count on rayon pools of 1 and 2 threads;
//! * warm starts (`solve_warm`): a what-if re-planned from the previous plan
//!   gives the cold optimum.
//!
//! No timed assertions.
mod common;

use common::{fixture, independent, opts};
use hubplan_solver::synthetic::{generate, lscp, mclp, Spec};
use hubplan_solver::{
    orlib, solve_warm, solve_with, Cardinality, Fixing, Instance, Outcome, Search, Status, WarmStart,
};

fn spec(seed: u64) -> Spec {
    Spec {
        zones: 400,
        sites: 45,
        side_km: 45.0,
        towns: 6,
        ..Spec::small(seed)
    }
}

/// Budgeted maximal covering, maximal covering with a site count, and weighted
/// set covering on one seeded geography.
fn instances(seed: u64) -> Vec<(String, Instance)> {
    let g = generate(&spec(seed));
    let cover = lscp(&g);
    let total_cost: f64 = g.cost.iter().sum();
    let mut out = vec![(format!("seed {seed} lscp"), cover)];
    for share in [0.15, 0.3] {
        out.push((
            format!("seed {seed} mclp budget {share}"),
            mclp(&g, (share * total_cost).floor()),
        ));
    }
    let mut p = mclp(&g, total_cost);
    p.budget = None;
    p.cardinality = Some(Cardinality { min: 0, max: 4 });
    out.push((format!("seed {seed} mclp p=4"), p));
    // Fixings: the first site forced open, the second closed.
    let mut f = mclp(&g, (0.25 * total_cost).floor());
    f.fixing[0] = Fixing::Open;
    f.fixing[1] = Fixing::Closed;
    out.push((format!("seed {seed} mclp fixed"), f));
    out
}

fn solved(name: &str, inst: &Instance, search: Search) -> Outcome {
    let out = solve_with(inst, &opts(120), search).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(out.status, Status::Optimal, "{name} {search:?}: {out:?}");
    let z = independent(inst, &out.open).unwrap_or_else(|| panic!("{name} {search:?}: infeasible plan"));
    assert!(
        (z - out.objective).abs() <= 1e-6 * z.abs().max(1.0),
        "{name}: objective {} re-evaluates to {z}",
        out.objective
    );
    assert!(
        out.bound <= out.objective + 1e-6 * z.abs().max(1.0),
        "{name}: bound above objective"
    );
    out
}

#[test]
fn benders_agrees_with_the_other_searches() {
    let mut ran = 0;
    for seed in 1..=4 {
        for (name, inst) in instances(seed) {
            let b = solved(&name, &inst, Search::Benders);
            // Presolve may solve a small set covering outright (no zone left).
            ran += usize::from(b.search == "benders-bb");
            for other in [Search::Lp, Search::Lagrangian] {
                let o = solved(&name, &inst, other);
                assert!(
                    (o.objective - b.objective).abs() <= 1e-6 * b.objective.abs().max(1.0),
                    "{name}: Benders {} against {other:?} {}",
                    b.objective,
                    o.objective
                );
            }
        }
    }
    assert!(ran >= 16, "Benders ran on only {ran} of 20 instances");
}

fn with_benders(name: &str, inst: &Instance, expected: f64) {
    let out = solved(name, inst, Search::Benders);
    assert_eq!(out.search, "benders-bb", "{name}: {}", out.why);
    assert!(
        (out.objective - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{name}: {} != {expected}",
        out.objective
    );
}

#[test]
fn orlib_scp_through_benders() {
    let csv = fixture("orlib_scp/scp_reference_values.csv");
    for name in ["scp41", "scp42", "scp43", "scp44", "scp45"] {
        let inst = orlib::scp(&fixture(&format!("orlib_scp/{name}.txt")), false).expect("parses");
        let expected: f64 = csv
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| f[0] == name)
            .and_then(|f| f[4].parse().ok())
            .expect("optimum listed");
        with_benders(name, &inst, expected);
    }
}

#[test]
fn sjc324_through_benders() {
    let rows = fixture("mclp_sjc/sjc_mclp_optima_computed_highs.csv");
    let coords = fixture("mclp_sjc/SJC324.txt");
    let demand = fixture("mclp_sjc/demand-SJC324.dat");
    let mut n = 0;
    for l in rows.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if f[0] != "SJC324" {
            continue;
        }
        let (s, p): (f64, u32) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        let (covered, total): (f64, f64) = (f[4].parse().unwrap(), f[5].parse().unwrap());
        let inst = orlib::sjc(&coords, &demand, s, p).expect("parses");
        with_benders(&format!("SJC324 S={s} p={p}"), &inst, total - covered);
        n += 1;
    }
    assert!(n > 0);
}

fn on_threads(n: usize, f: impl FnOnce() -> Outcome + Send) -> Outcome {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn benders_is_the_same_on_one_and_two_threads() {
    let mut branched = false;
    for seed in [1, 2, 3] {
        for (name, inst) in instances(seed) {
            let a = on_threads(1, || solve_with(&inst, &opts(120), Search::Benders).unwrap());
            let b = on_threads(2, || solve_with(&inst, &opts(120), Search::Benders).unwrap());
            assert_eq!(a.open, b.open, "{name}");
            assert_eq!(a.bound.to_bits(), b.bound.to_bits(), "{name}");
            assert_eq!(a.nodes, b.nodes, "{name}");
            branched |= a.nodes > 1;
        }
    }
    assert!(branched, "no instance branched: the test proves little");
}

#[test]
fn a_warm_started_what_if_gives_the_cold_optimum() {
    for seed in [1, 2] {
        let g = generate(&spec(seed));
        let total_cost: f64 = g.cost.iter().sum();
        let base = mclp(&g, (0.25 * total_cost).floor());
        let plan = solved("base", &base, Search::Auto);
        let open_j = plan.open.iter().position(|&o| !o).expect("a closed site");
        let closed_j = plan.open.iter().position(|&o| o).expect("an open site");
        for (what, j, fx) in [("open", open_j, Fixing::Open), ("closed", closed_j, Fixing::Closed)] {
            let mut w = base.clone();
            w.fixing[j] = fx;
            for search in [Search::Auto, Search::Lp, Search::Lagrangian, Search::Benders] {
                let cold = solved("cold", &w, search);
                let warm = solve_warm(
                    &w,
                    &opts(120),
                    search,
                    &WarmStart {
                        open: plan.open.clone(),
                        ..Default::default()
                    },
                )
                .unwrap();
                assert_eq!(warm.status, Status::Optimal, "seed {seed} forced {what} {search:?}");
                assert!(
                    (warm.objective - cold.objective).abs() <= 1e-6 * cold.objective.abs().max(1.0),
                    "seed {seed} forced {what} {search:?}: warm {} cold {}",
                    warm.objective,
                    cold.objective
                );
                assert_eq!(independent(&w, &warm.open), Some(warm.objective));
            }
        }
    }
    let inst = mclp(&generate(&spec(1)), 1e6);
    assert!(solve_warm(
        &inst,
        &opts(10),
        Search::Auto,
        &WarmStart {
            open: vec![true],
            ..Default::default()
        }
    )
    .is_err());
}

#[test]
fn the_chooser_takes_benders_for_dense_maximal_covering_with_a_small_p() {
    use hubplan_solver::{choose, Shape};
    // SJC818 with S = 1200 and p = 3.
    let sjc = Shape {
        covering: true,
        partial: true,
        unit_costs: true,
        budget: false,
        cardinality: true,
        clients: 818,
        free_sites: 818,
        arcs: 133_000,
        max_open: 3,
        radius_arcs: 0,
        penalty: true,
        splits: false,
    };
    assert_eq!(choose(&sjc).0, Search::Benders);
    assert_eq!(
        choose(&Shape {
            max_open: 12,
            ..sjc.clone()
        })
        .0,
        Search::Lp
    );
    // The budgeted M instance stays with the LP search; the L one (760k
    // arcs: microlp's root LP would take most of a minute) takes the
    // Lagrangian search from the interior-point LP's multipliers.
    let l = Shape {
        budget: true,
        cardinality: false,
        clients: 33_000,
        free_sites: 3_500,
        arcs: 760_000,
        max_open: 3_500,
        ..sjc
    };
    let m = Shape {
        clients: 5_000,
        free_sites: 400,
        arcs: 57_000,
        max_open: 400,
        ..l.clone()
    };
    assert_eq!(choose(&m).0, Search::Lp);
    assert_eq!(choose(&l).0, Search::Lagrangian);
    // Weighted set covering: the L shape takes the Lagrangian search; all of
    // England at 35 minutes after presolve (6,858 clients, 653,632 arcs: few
    // rows) the LP search; the same at 60 minutes (2.0M arcs: node LPs of
    // ~120 MB) the Lagrangian search again.
    let cover = Shape {
        partial: false,
        unit_costs: false,
        budget: false,
        penalty: false,
        ..l.clone()
    };
    assert_eq!(choose(&cover).0, Search::Lagrangian);
    let england = Shape {
        clients: 6_858,
        free_sites: 2_455,
        arcs: 653_632,
        ..cover.clone()
    };
    assert_eq!(choose(&england).0, Search::Lp, "{}", choose(&england).1);
    let england60 = Shape {
        clients: 9_941,
        arcs: 2_019_534,
        ..england.clone()
    };
    assert_eq!(choose(&england60).0, Search::Lagrangian);
    // Maximal covering with few clients and many arcs stays Lagrangian (the
    // South East at 90 minutes: microlp's root LP missed its allowance).
    let se90 = Shape {
        partial: true,
        budget: true,
        clients: 5_382,
        arcs: 487_656,
        ..england
    };
    assert_eq!(choose(&se90).0, Search::Lagrangian);
    let out = solve_with(
        &orlib::sjc(
            &fixture("mclp_sjc/SJC324.txt"),
            &fixture("mclp_sjc/demand-SJC324.dat"),
            1200.0,
            2,
        )
        .unwrap(),
        &opts(60),
        Search::Auto,
    )
    .unwrap();
    assert_eq!(out.status, Status::Optimal);
    assert_eq!(out.objective, 12152.0 - 11555.0);
    assert_eq!(out.search, "benders-bb", "{}", out.why);
}
