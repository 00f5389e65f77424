//! Demand capacity against brute force: random small capacitated instances,
//! split assignment. The brute force enumerates every open set and prices it
//! with `eval::evaluate` (the transportation LP on microlp, code independent of
//! `capacity.rs`'s MIP and min-cost flow).

use hubplan_solver::capacity::{assignment_objective, solve_capacitated, transport, Assignment};
use hubplan_solver::mip::MipBackend;
use hubplan_solver::{eval, Arc, Cardinality, Instance, SolveOptions, Status};

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

fn random(g: &mut Lcg, case: u32) -> Instance {
    let n = 3 + g.below(2) as usize;
    let m = 4 + g.below(4) as usize;
    let mut inst = Instance::with_sites(n);
    for j in 0..n {
        inst.fixed_cost[j] = 5.0 + g.below(20) as f64;
        inst.budget_cost[j] = inst.fixed_cost[j];
        inst.capacity[j] = if j > 0 && g.below(4) == 0 {
            None
        } else {
            Some(4.0 + g.below(12) as f64)
        };
    }
    let covering = case % 3 == 0;
    let partial = case % 4 == 1;
    if case % 5 == 2 {
        inst.cardinality = Some(Cardinality { min: 2, max: 2 });
    }
    for _ in 0..m {
        let d = 1.0 + g.below(8) as f64;
        let mut arcs = Vec::new();
        for site in 0..n as u32 {
            if g.below(3) > 0 {
                let cost = if covering { 0.0 } else { d * (1.0 + g.below(10) as f64) };
                arcs.push(Arc { site, cost });
            }
        }
        let unserved = partial.then_some(d * 12.0);
        inst.push_client(arcs, unserved, d);
    }
    inst
}

fn brute(inst: &Instance) -> Option<f64> {
    let n = inst.n_sites();
    (0u32..(1 << n))
        .filter_map(|mask| {
            let open: Vec<bool> = (0..n).map(|j| mask >> j & 1 == 1).collect();
            eval::evaluate(inst, &open).unwrap()
        })
        .reduce(f64::min)
}

#[test]
fn random_split_instances_match_brute_force() {
    let mut g = Lcg(2021);
    let opts = SolveOptions::default();
    for case in 0..40 {
        let inst = random(&mut g, case);
        let want = brute(&inst);
        let out = solve_capacitated(&inst, &opts, Assignment::Split, MipBackend::Microlp).unwrap();
        match want {
            None => assert_eq!(out.outcome.status, Status::Infeasible, "case {case}"),
            Some(v) => {
                assert_eq!(out.outcome.status, Status::Optimal, "case {case}");
                let z = out.outcome.objective;
                assert!(
                    (z - v).abs() <= 1e-6 * v.abs().max(1.0),
                    "case {case}: {z} vs brute force {v}"
                );
                // The reported assignment is feasible and prices to the objective.
                let a = assignment_objective(&inst, &out.outcome.open, &out.flows).unwrap();
                assert!((a - z).abs() <= 1e-6 * z.abs().max(1.0), "case {case}");
                // The min-cost flow agrees with the LP on the chosen open set.
                let fixed: f64 = (0..inst.n_sites())
                    .filter(|&j| out.outcome.open[j])
                    .map(|j| inst.fixed_cost[j])
                    .sum();
                let (t, _) = transport(&inst, &out.outcome.open).unwrap();
                let lp = eval::objective(&inst, &out.outcome.open).unwrap();
                assert!(
                    (fixed + t - lp).abs() <= 1e-6 * lp.abs().max(1.0),
                    "case {case}: flow {} vs LP {lp}",
                    fixed + t
                );
            }
        }
    }
}

#[test]
fn min_cost_flow_matches_the_lp_on_every_open_set() {
    let mut g = Lcg(7);
    for case in 0..30 {
        let inst = random(&mut g, case);
        let n = inst.n_sites();
        for mask in 0u32..(1 << n) {
            let open: Vec<bool> = (0..n).map(|j| mask >> j & 1 == 1).collect();
            let fixed: f64 = (0..n).filter(|&j| open[j]).map(|j| inst.fixed_cost[j]).sum();
            let lp = eval::objective(&inst, &open);
            let flow = transport(&inst, &open).map(|(c, _)| c + fixed);
            match (lp, flow) {
                (None, None) => {}
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() <= 1e-6 * a.abs().max(1.0),
                    "case {case} mask {mask}: {a} vs {b}"
                ),
                other => panic!("case {case} mask {mask}: {other:?}"),
            }
        }
    }
}
