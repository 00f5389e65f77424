//! The Hall-cut search for demand capacity without assignment costs (issue 21):
//! random small instances against brute force, the hand-checked
//! `fixtures/capacity_two` instance, and the same answer on one and two threads.
//!
//! The brute force enumerates every open set and prices it with
//! `eval::evaluate` (the transportation LP on microlp), which shares no code
//! with the Hall separation or the min-cost flow.

use hubplan_solver::capacity::{solve_capacitated, solve_capacitated_with, Assignment, Method};
use hubplan_solver::mip::MipBackend;
use hubplan_solver::synthetic::{capacitated, CapSpec, Spec};
use hubplan_solver::{eval, Arc, Cardinality, Fixing, Instance, SolveOptions, Status};

struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Zero-cost arcs, every client served, capacities that bind.
fn random(g: &mut Lcg, case: u32) -> Instance {
    let n = 3 + g.below(6) as usize;
    let m = 3 + g.below(8) as usize;
    let mut inst = Instance::with_sites(n);
    for j in 0..n {
        inst.fixed_cost[j] = 5.0 + g.below(30) as f64;
        inst.budget_cost[j] = 1.0 + g.below(10) as f64;
        inst.capacity[j] = if g.below(8) == 0 {
            None
        } else {
            Some(3.0 + g.below(14) as f64)
        };
    }
    match case % 9 {
        2 => inst.fixing[0] = Fixing::Open,
        4 => inst.fixing[n - 1] = Fixing::Closed,
        5 => inst.budget = Some(12.0 + g.below(10) as f64),
        7 => {
            let k = 1 + g.below(n as u64) as u32;
            inst.cardinality = Some(Cardinality { min: k, max: k });
        }
        _ => {}
    }
    for _ in 0..m {
        let d = if g.below(10) == 0 { 0.0 } else { 1.0 + g.below(9) as f64 };
        let arcs: Vec<Arc> = (0..n as u32)
            .filter(|_| g.below(5) < 2)
            .map(|site| Arc { site, cost: 0.0 })
            .collect();
        inst.push_client(arcs, None, d);
    }
    inst
}

fn brute(inst: &Instance) -> Option<(f64, Vec<bool>)> {
    let n = inst.n_sites();
    (0u32..(1 << n))
        .filter_map(|mask| {
            let open: Vec<bool> = (0..n).map(|j| mask >> j & 1 == 1).collect();
            eval::evaluate(inst, &open).unwrap().map(|z| (z, open))
        })
        .reduce(|a, b| if b.0 < a.0 { b } else { a })
}

/// An independent check: every capacity holds, every client is wholly placed
/// on its own arcs at open sites.
fn check_flows(inst: &Instance, open: &[bool], flows: &[Vec<(u32, f64)>]) {
    let mut load = vec![0.0; inst.n_sites()];
    for (i, f) in flows.iter().enumerate() {
        let mut served = 0.0;
        for &(s, x) in f {
            assert!(open[s as usize], "client {i} sent to closed site {s}");
            assert!(inst.arcs_of(i).iter().any(|a| a.site == s));
            served += x;
            load[s as usize] += x * inst.demand[i];
        }
        assert!((served - 1.0).abs() <= 1e-9, "client {i} served {served}");
    }
    for (j, (l, q)) in load.iter().zip(&inst.capacity).enumerate() {
        if let Some(q) = q {
            assert!(*l <= q * (1.0 + 1e-9) + 1e-9, "site {j}: {l} > {q}");
        }
    }
}

#[test]
fn hall_cut_search_matches_brute_force() {
    let mut g = Lcg(1957);
    let opts = SolveOptions::default();
    let (mut optimal, mut infeasible) = (0, 0);
    for case in 0..150 {
        let inst = random(&mut g, case);
        let out = solve_capacitated(&inst, &opts, Assignment::Split, MipBackend::Microlp).unwrap();
        let o = &out.outcome;
        assert_eq!(o.search, "capacity-hall-cuts", "case {case}");
        match brute(&inst) {
            None => {
                assert_eq!(o.status, Status::Infeasible, "case {case}");
                infeasible += 1;
            }
            Some((v, _)) => {
                assert_eq!(o.status, Status::Optimal, "case {case}");
                assert!(
                    (o.objective - v).abs() <= 1e-6 * v.max(1.0),
                    "case {case}: {} vs {v}",
                    o.objective
                );
                assert!(o.bound <= v + 1e-6 * v.max(1.0), "case {case}");
                eval::check(&inst, &o.open).unwrap();
                check_flows(&inst, &o.open, &out.flows);
                optimal += 1;
            }
        }
    }
    // Both outcomes are exercised.
    assert!(
        optimal >= 40 && infeasible >= 10,
        "{optimal} optimal, {infeasible} infeasible"
    );
}

#[test]
fn capacity_two_keeps_the_second_building_for_room() {
    // fixtures/capacity_two: A (100 users, £100,000), B (100, £150,000),
    // C (unlimited, £60,000); Z1–Z3 (50 each) reach A and B, Z4 (20) only C.
    // 150 under-fives do not fit in one building of 100: all three stay open.
    let mut inst = Instance::with_sites(3);
    inst.fixed_cost = vec![100_000.0, 150_000.0, 60_000.0];
    inst.capacity = vec![Some(100.0), Some(100.0), None];
    let ab = vec![Arc { site: 0, cost: 0.0 }, Arc { site: 1, cost: 0.0 }];
    for _ in 0..3 {
        inst.push_client(ab.clone(), None, 50.0);
    }
    inst.push_client(vec![Arc { site: 2, cost: 0.0 }], None, 20.0);
    let out = solve_capacitated(&inst, &SolveOptions::default(), Assignment::Split, MipBackend::Microlp).unwrap();
    assert_eq!(out.outcome.search, "capacity-hall-cuts");
    assert_eq!(out.outcome.status, Status::Optimal);
    assert_eq!(out.outcome.objective, 310_000.0);
    assert_eq!(out.outcome.open, vec![true, true, true]);
    check_flows(&inst, &out.outcome.open, &out.flows);
}

/// A generated capacitated instance with its assignment costs removed and
/// every zone served (the `min_cost` shape).
fn generated() -> Instance {
    let mut inst = capacitated(&CapSpec {
        spec: Spec {
            zones: 200,
            sites: 30,
            side_km: 30.0,
            towns: 3,
            ..Spec::small(11)
        },
        ..CapSpec::kent(11)
    });
    for a in &mut inst.arcs {
        a.cost = 0.0;
    }
    for u in &mut inst.unserved_cost {
        *u = None;
    }
    inst
}

#[test]
fn hall_cut_search_is_identical_on_one_and_two_threads() {
    let inst = generated();
    let opts = SolveOptions::default();
    let go = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| solve_capacitated_with(&inst, &opts, Assignment::Split, Method::HallCuts).unwrap())
    };
    let (a, b) = (go(1), go(2));
    assert_eq!(a.outcome.search, "capacity-hall-cuts");
    assert_eq!(a.outcome.status, Status::Optimal);
    assert_eq!(a.outcome.open, b.outcome.open);
    assert_eq!(a.outcome.objective.to_bits(), b.outcome.objective.to_bits());
    assert_eq!(a.outcome.bound.to_bits(), b.outcome.bound.to_bits());
    assert_eq!(a.outcome.nodes, b.outcome.nodes);
    assert_eq!(a.flows, b.flows);
    check_flows(&inst, &a.outcome.open, &a.flows);
}

#[test]
fn costed_or_partial_instances_stay_on_the_lagrangian_search() {
    let mut inst = generated();
    inst.arcs[0].cost = 1.0;
    let o = SolveOptions {
        time_limit: std::time::Duration::from_secs(2),
        ..SolveOptions::default()
    };
    let out = solve_capacitated(&inst, &o, Assignment::Split, MipBackend::Microlp).unwrap();
    assert_eq!(out.outcome.search, "capacity-lagrangian-bb");
}
