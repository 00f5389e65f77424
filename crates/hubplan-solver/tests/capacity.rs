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

// ---------------------------------------------------------------------------
// The native Lagrangian search (issue 21): against the MIP, brute force, and
// itself on another thread count.
// ---------------------------------------------------------------------------

use hubplan_solver::capacity::{solve_capacitated_with, Method};
use hubplan_solver::synthetic::{capacitated, CapSpec, Spec};
use hubplan_solver::Fixing;

/// An independent check, sharing no code with the solver: every capacity
/// holds, every must-serve client is wholly placed on its own arcs at open sites.
fn check_flows(inst: &Instance, open: &[bool], flows: &[Vec<(u32, f64)>]) {
    let mut load = vec![0.0; inst.n_sites()];
    for (i, f) in flows.iter().enumerate() {
        let mut served = 0.0;
        for &(s, x) in f {
            assert!(open[s as usize], "client {i} sent to closed site {s}");
            assert!(
                inst.arcs_of(i).iter().any(|a| a.site == s),
                "client {i} has no arc to {s}"
            );
            assert!((0.0..=1.0 + 1e-9).contains(&x));
            served += x;
            load[s as usize] += x * inst.demand[i];
        }
        assert!(served <= 1.0 + 1e-9);
        if inst.unserved_cost[i].is_none() {
            assert!((served - 1.0).abs() <= 1e-9, "client {i} served {served}");
        }
    }
    for (j, (l, q)) in load.iter().zip(&inst.capacity).enumerate() {
        if let Some(q) = q {
            assert!(*l <= q * (1.0 + 1e-9) + 1e-9, "site {j}: {l} > {q}");
        }
    }
}

#[test]
fn native_search_matches_the_mip_and_brute_force() {
    let mut g = Lcg(4242);
    let opts = SolveOptions::default();
    for case in 0..30 {
        let mut inst = random(&mut g, case);
        if case % 7 == 3 {
            inst.fixing[0] = Fixing::Open;
        }
        if case % 7 == 5 {
            inst.fixing[1] = Fixing::Closed;
        }
        if case % 6 == 4 {
            inst.budget = Some(30.0);
        }
        let want = brute(&inst);
        let native = solve_capacitated_with(&inst, &opts, Assignment::Split, Method::Native).unwrap();
        let mip = solve_capacitated_with(&inst, &opts, Assignment::Split, Method::Mip(MipBackend::Microlp)).unwrap();
        assert_eq!(native.outcome.search, "capacity-lagrangian-bb");
        match want {
            None => {
                assert_eq!(native.outcome.status, Status::Infeasible, "case {case}");
                assert_eq!(mip.outcome.status, Status::Infeasible, "case {case}");
            }
            Some(v) => {
                let o = &native.outcome;
                assert_eq!(o.status, Status::Optimal, "case {case}");
                assert!(
                    (o.objective - v).abs() <= 1e-6 * v.abs().max(1.0),
                    "case {case}: {} vs {v}",
                    o.objective
                );
                assert!(
                    o.bound <= v + 1e-6 * v.abs().max(1.0),
                    "case {case}: bound {} above {v}",
                    o.bound
                );
                assert!(
                    (mip.outcome.objective - o.objective).abs() <= 1e-6 * v.abs().max(1.0),
                    "case {case}"
                );
                eval::check(&inst, &o.open).unwrap();
                check_flows(&inst, &o.open, &native.flows);
            }
        }
    }
}

#[test]
fn native_search_proves_infeasibility() {
    // Total capacity short of the must-serve need.
    let mut inst = Instance::with_sites(2);
    inst.capacity = vec![Some(3.0), Some(3.0)];
    let both = vec![Arc { site: 0, cost: 0.0 }, Arc { site: 1, cost: 0.0 }];
    inst.push_client(both.clone(), None, 4.0);
    inst.push_client(both, None, 3.0);
    let o = solve_capacitated(&inst, &SolveOptions::default(), Assignment::Split, MipBackend::Microlp).unwrap();
    assert_eq!(o.outcome.status, Status::Infeasible);
    // Enough capacity in total, but two clients can only use site 0 (Hall's condition).
    let mut inst = Instance::with_sites(2);
    inst.capacity = vec![Some(5.0), Some(50.0)];
    inst.push_client(vec![Arc { site: 0, cost: 0.0 }], None, 3.0);
    inst.push_client(vec![Arc { site: 0, cost: 0.0 }], None, 3.0);
    inst.push_client(vec![Arc { site: 1, cost: 0.0 }], None, 1.0);
    let o = solve_capacitated(&inst, &SolveOptions::default(), Assignment::Split, MipBackend::Microlp).unwrap();
    assert_eq!(o.outcome.status, Status::Infeasible);
    // The only site of a must-serve client is forced closed.
    let mut inst = Instance::with_sites(2);
    inst.capacity = vec![Some(5.0), Some(5.0)];
    inst.fixing[0] = Fixing::Closed;
    inst.push_client(vec![Arc { site: 0, cost: 0.0 }], None, 1.0);
    let o = solve_capacitated(&inst, &SolveOptions::default(), Assignment::Split, MipBackend::Microlp).unwrap();
    assert_eq!(o.outcome.status, Status::Infeasible);
}

fn small_generated() -> Instance {
    capacitated(&CapSpec {
        spec: Spec {
            zones: 150,
            sites: 24,
            side_km: 30.0,
            towns: 3,
            ..Spec::small(5)
        },
        ..CapSpec::kent(5)
    })
}

#[test]
fn native_search_is_identical_on_one_and_two_threads() {
    let inst = small_generated();
    let opts = SolveOptions::default();
    let go = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| solve_capacitated_with(&inst, &opts, Assignment::Split, Method::Native).unwrap())
    };
    let (a, b) = (go(1), go(2));
    assert_eq!(a.outcome.status, Status::Optimal);
    assert_eq!(a.outcome.open, b.outcome.open);
    assert_eq!(a.outcome.objective.to_bits(), b.outcome.objective.to_bits());
    assert_eq!(a.outcome.bound.to_bits(), b.outcome.bound.to_bits());
    assert_eq!(a.outcome.nodes, b.outcome.nodes);
    assert_eq!(a.flows, b.flows);
    check_flows(&inst, &a.outcome.open, &a.flows);
    // The MIP agrees on the optimum.
    let mip = solve_capacitated_with(&inst, &opts, Assignment::Split, Method::Mip(MipBackend::Microlp)).unwrap();
    assert_eq!(mip.outcome.status, Status::Optimal);
    let z = a.outcome.objective;
    assert!(
        (mip.outcome.objective - z).abs() <= 1e-6 * z,
        "{} vs {z}",
        mip.outcome.objective
    );
}

#[test]
fn generated_capacities_bind_and_every_site_open_fits() {
    let inst = small_generated();
    let cap: f64 = inst.capacity.iter().map(|q| q.unwrap()).sum();
    let need: f64 = inst.demand.iter().sum();
    assert!(cap >= 1.3 * need && cap <= 1.6 * need, "{cap} vs {need}");
    let open = vec![true; inst.n_sites()];
    let (_, flows) = transport(&inst, &open).unwrap();
    check_flows(&inst, &open, &flows);
}

#[test]
fn min_cost_flow_matches_the_lp_on_generated_open_sets() {
    // Larger than the brute-force cases: many overloads to reroute.
    let inst = small_generated();
    let n = inst.n_sites();
    let mut g = Lcg(99);
    let mut compared = 0;
    for _ in 0..12 {
        let open: Vec<bool> = (0..n).map(|_| g.below(10) < 7).collect();
        let fixed: f64 = (0..n).filter(|&j| open[j]).map(|j| inst.fixed_cost[j]).sum();
        let lp = eval::objective(&inst, &open);
        let flow = transport(&inst, &open);
        match (lp, flow) {
            (None, None) => {}
            (Some(a), Some((c, f))) => {
                assert!((a - fixed - c).abs() <= 1e-6 * a.abs().max(1.0), "{a} vs {}", fixed + c);
                check_flows(&inst, &open, &f);
                compared += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(compared >= 3, "only {compared} feasible open sets");
}

// ---------------------------------------------------------------------------
// Independent parts (parts.rs): instances whose coverage graph splits into
// blocks, with a site and a zone outside every block, against brute force.
// ---------------------------------------------------------------------------

/// 2–3 blocks of 2–3 sites whose zones reach only their own block, a site
/// with no zone in reach (forced open in every third case) and, in partial
/// cases, a zone with no site in reach.
fn blocks(g: &mut Lcg, case: u32) -> Instance {
    let nb = 2 + g.below(2) as usize;
    let sizes: Vec<usize> = (0..nb).map(|_| 2 + g.below(2) as usize).collect();
    let n = sizes.iter().sum::<usize>() + 1;
    let mut inst = Instance::with_sites(n);
    let covering = case % 3 == 0;
    let partial = case % 4 == 1;
    for j in 0..n {
        inst.fixed_cost[j] = 5.0 + g.below(20) as f64;
        inst.capacity[j] = Some(4.0 + g.below(12) as f64);
    }
    let lone = n - 1;
    if case % 3 == 1 {
        inst.fixing[lone] = hubplan_solver::Fixing::Open;
    }
    if case % 7 == 3 {
        inst.fixing[0] = hubplan_solver::Fixing::Closed;
    }
    let mut first = 0u32;
    for &s in &sizes {
        for _ in 0..2 + g.below(3) {
            let d = 1.0 + g.below(8) as f64;
            let mut arcs = Vec::new();
            for site in first..first + s as u32 {
                if arcs.is_empty() || g.below(3) > 0 {
                    let cost = if covering { 0.0 } else { d * (1.0 + g.below(10) as f64) };
                    arcs.push(Arc { site, cost });
                }
            }
            inst.push_client(arcs, partial.then_some(d * 12.0), d);
        }
        first += s as u32;
    }
    if partial {
        inst.push_client(Vec::new(), Some(30.0), 2.0);
    }
    inst
}

/// The outcome is optimal at the brute-force value `v`, and its assignment is
/// feasible (within capacity, on open sites) and prices to its objective,
/// which is returned.
fn check_optimal(inst: &Instance, out: &hubplan_solver::capacity::CapacityOutcome, v: f64, case: u32) -> f64 {
    assert_eq!(out.outcome.status, Status::Optimal, "case {case}");
    let z = out.outcome.objective;
    assert!(
        (z - v).abs() <= 1e-6 * v.abs().max(1.0),
        "case {case}: {z} vs brute force {v}"
    );
    let a = assignment_objective(inst, &out.outcome.open, &out.flows).unwrap();
    assert!((a - z).abs() <= 1e-6 * z.abs().max(1.0), "case {case}");
    z
}

#[test]
fn instances_that_split_into_parts_match_brute_force() {
    let mut g = Lcg(4242);
    let opts = SolveOptions::default();
    let mut solved = 0;
    for case in 0..40 {
        let inst = blocks(&mut g, case);
        let want = brute(&inst);
        let out = solve_capacitated(&inst, &opts, Assignment::Split, MipBackend::Microlp).unwrap();
        match want {
            None => assert_eq!(out.outcome.status, Status::Infeasible, "case {case}"),
            Some(v) => {
                solved += 1;
                let z = check_optimal(&inst, &out, v, case);
                assert!(out.outcome.bound <= z + 1e-9 && out.outcome.bound >= v - 1e-6 * v.abs().max(1.0));
                assert_eq!(out.outcome.open.len(), inst.n_sites());
                // The forced-open site without zones stays open.
                if inst.fixing[inst.n_sites() - 1] == hubplan_solver::Fixing::Open {
                    assert!(out.outcome.open[inst.n_sites() - 1], "case {case}");
                }
                assert!(
                    out.outcome.why.contains("independent parts"),
                    "case {case}: {}",
                    out.outcome.why
                );
            }
        }
    }
    assert!(solved >= 20, "only {solved} feasible cases");
}

/// Brute force under single assignment: every open set, every way of giving
/// each zone one open site in reach (or leaving it unserved when it may be).
fn brute_single(inst: &Instance) -> Option<f64> {
    let (n, m) = (inst.n_sites(), inst.n_clients());
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << n) {
        let open: Vec<bool> = (0..n).map(|j| mask >> j & 1 == 1).collect();
        if (0..n).any(|j| inst.fixing[j] == hubplan_solver::Fixing::Open && !open[j])
            || (0..n).any(|j| inst.fixing[j] == hubplan_solver::Fixing::Closed && open[j])
        {
            continue;
        }
        let fixed: f64 = (0..n).filter(|&j| open[j]).map(|j| inst.fixed_cost[j]).sum();
        // Options per zone: an open arc (site, cost) or unserved (None, cost).
        let options: Vec<Vec<(Option<usize>, f64)>> = (0..m)
            .map(|i| {
                let mut o: Vec<(Option<usize>, f64)> = inst
                    .arcs_of(i)
                    .iter()
                    .filter(|a| open[a.site as usize])
                    .map(|a| (Some(a.site as usize), a.cost))
                    .collect();
                if let Some(u) = inst.unserved_cost[i] {
                    o.push((None, u));
                }
                o
            })
            .collect();
        if options.iter().any(|o| o.is_empty()) {
            continue;
        }
        let mut pick = vec![0usize; m];
        loop {
            let mut load = vec![0.0; n];
            let mut z = fixed;
            for i in 0..m {
                let (s, c) = options[i][pick[i]];
                z += c;
                if let Some(s) = s {
                    load[s] += inst.demand[i];
                }
            }
            if (0..n).all(|j| inst.capacity[j].is_none_or(|q| load[j] <= q + 1e-9)) && best.is_none_or(|b| z < b) {
                best = Some(z);
            }
            let mut k = 0;
            while k < m {
                pick[k] += 1;
                if pick[k] < options[k].len() {
                    break;
                }
                pick[k] = 0;
                k += 1;
            }
            if k == m {
                break;
            }
        }
    }
    best
}

#[test]
fn single_assignment_by_parts_matches_brute_force() {
    let mut g = Lcg(977);
    let opts = SolveOptions::default();
    let mut solved = 0;
    for case in 0..24 {
        let inst = blocks(&mut g, case);
        if inst.n_clients() > 9 {
            continue;
        }
        let want = brute_single(&inst);
        let out = solve_capacitated(&inst, &opts, Assignment::Single, MipBackend::Microlp).unwrap();
        match want {
            None => assert_eq!(out.outcome.status, Status::Infeasible, "case {case}"),
            Some(v) => {
                solved += 1;
                check_optimal(&inst, &out, v, case);
                // One site per zone.
                assert!(out
                    .flows
                    .iter()
                    .all(|f| f.len() <= 1 && f.iter().all(|&(_, x)| (x - 1.0).abs() < 1e-9)));
            }
        }
    }
    assert!(solved >= 8, "only {solved} feasible cases");
}
