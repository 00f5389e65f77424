//! Warm re-plans from a kept search state (`solve_with_state`, then
//! `solve_warm` with `WarmStart::state`, `src/warm.rs`):
//!
//! * on tiny seeded maximal-covering instances every what-if (each site forced
//!   open, each forced closed) re-planned from the base solve's state gives the
//!   brute-force optimum (or is proven infeasible when brute force finds none);
//! * on seeded synthetic instances (400 zones × 45 sites, budgeted maximal
//!   covering, both gaps: 1e-6 absolute "of uncovered" and 1e-4 of the covered
//!   need) the re-plan of the bench's what-ifs gives the cold optimum;
//! * both ways of restarting (the kept tree's regions, or the what-if's root
//!   on the kept root LP) are exercised;
//! * the same plan, bound and node count on 1 and 2 threads;
//! * a state applied to an instance it was not made for is refused with an
//!   error; a state that does not fit the change of fixings is not used (the
//!   answer is still exact, `why` says so), including a what-if that closes
//!   the site presolve's column domination relied on.
//!
//! No timed assertions.
mod common;

use common::{brute, independent, opts};
use hubplan_solver::synthetic::{generate, mclp, Spec};
use hubplan_solver::{
    solve_warm, solve_with, solve_with_state, Arc, Cardinality, Fixing, Instance, InstanceError, Outcome, Search,
    SolveOptions, Status, WarmStart, WarmState,
};

/// A tiny deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A tiny maximal-covering instance: `n` sites, 40 clients with 1–4 sites in
/// reach, integer needs and budget costs, a budget of about a third of the
/// cost (or a site count on odd seeds).
fn tiny(seed: u64, n: usize) -> Instance {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut inst = Instance::with_sites(n);
    for j in 0..n {
        inst.budget_cost[j] = (1 + r.below(9)) as f64;
    }
    for _ in 0..40 {
        let k = 1 + r.below(4) as usize;
        let mut sites: Vec<u32> = (0..k).map(|_| r.below(n as u64) as u32).collect();
        sites.sort_unstable();
        sites.dedup();
        let need = (1 + r.below(20)) as f64;
        inst.push_client(
            sites.into_iter().map(|site| Arc { site, cost: 0.0 }).collect(),
            Some(need),
            need,
        );
    }
    if seed % 2 == 0 {
        inst.budget = Some((inst.budget_cost.iter().sum::<f64>() / 3.0).floor());
    } else {
        inst.cardinality = Some(Cardinality { min: 0, max: 3 });
    }
    inst
}

fn replan(inst: &Instance, o: &SolveOptions, base: &Outcome, state: &WarmState) -> Result<Outcome, InstanceError> {
    solve_warm(
        inst,
        o,
        Search::Auto,
        &WarmStart {
            open: base.open.clone(),
            state: state.clone(),
        },
    )
}

/// Which restart the re-plan took, from its `why`.
fn path(out: &Outcome) -> &'static str {
    if out.why.contains("regions restarted") {
        "regions"
    } else if out.why.contains("a new tree") {
        "root"
    } else if out.why.contains("not used") {
        "unused"
    } else {
        "other"
    }
}

#[test]
fn replans_give_the_brute_force_optimum_on_tiny_instances() {
    let mut paths = std::collections::BTreeMap::new();
    let mut branched = false;
    for seed in 0..24 {
        let inst = tiny(seed, 12);
        let (base, state) = solve_with_state(&inst, &opts(60), Search::Lp).unwrap();
        assert_eq!(base.status, Status::Optimal, "seed {seed}");
        assert!(!state.is_empty(), "seed {seed}: the LP search kept nothing");
        branched |= state.regions() > 1;
        for j in 0..inst.n_sites() {
            for fx in [Fixing::Open, Fixing::Closed] {
                let mut w = inst.clone();
                w.fixing[j] = fx;
                let out = replan(&w, &opts(60), &base, &state).unwrap();
                *paths.entry(path(&out)).or_insert(0) += 1;
                let name = format!("seed {seed} site {j} {fx:?}: {}", out.why);
                match brute(&w) {
                    None => assert_eq!(out.status, Status::Infeasible, "{name}"),
                    Some(z) => {
                        assert_eq!(out.status, Status::Optimal, "{name}");
                        assert!(
                            (out.objective - z).abs() <= 1e-6,
                            "{name}: {} against {z}",
                            out.objective
                        );
                        assert_eq!(independent(&w, &out.open), Some(out.objective), "{name}");
                        assert!(out.bound <= z + 1e-6, "{name}: bound {} above {z}", out.bound);
                    }
                }
            }
        }
    }
    assert!(branched, "no base tree branched: the regions were never tried");
    assert!(paths.get("regions").copied().unwrap_or(0) > 0, "{paths:?}");
    assert_eq!(paths.get("other"), None, "{paths:?}");
}

fn spec(seed: u64) -> Spec {
    Spec {
        zones: 400,
        sites: 45,
        side_km: 45.0,
        towns: 6,
        ..Spec::small(seed)
    }
}

/// The bench's what-ifs: the most-covering closed site forced open, the
/// least-covering open site forced closed (and the second of each).
fn what_ifs(inst: &Instance, base: &Outcome) -> Vec<Instance> {
    let mut cover = vec![0.0; inst.n_sites()];
    for i in 0..inst.n_clients() {
        for a in inst.arcs_of(i) {
            cover[a.site as usize] += inst.demand[i];
        }
    }
    let mut out = Vec::new();
    for (want, fx) in [(false, Fixing::Open), (true, Fixing::Closed)] {
        let mut js: Vec<usize> = (0..inst.n_sites()).filter(|&j| base.open[j] == want).collect();
        js.sort_by(|&a, &b| {
            let o = cover[b].total_cmp(&cover[a]).then(a.cmp(&b));
            if want {
                o.reverse()
            } else {
                o
            }
        });
        for &j in js.iter().take(2) {
            let mut w = inst.clone();
            w.fixing[j] = fx;
            out.push(w);
        }
    }
    out
}

#[test]
fn replans_give_the_cold_optimum_on_seeded_instances_for_both_gaps() {
    let mut paths = std::collections::BTreeMap::new();
    for seed in [1, 2, 3] {
        let g = generate(&spec(seed));
        let total_cost: f64 = g.cost.iter().sum();
        for share in [0.15, 0.3] {
            let inst = mclp(&g, (share * total_cost).floor());
            let total: f64 = inst.demand.iter().sum();
            let covered = SolveOptions {
                rel_gap: 1e-4,
                abs_gap: 1e-4 * 0.9 * total,
                ..opts(120)
            };
            for (gap, o) in [("uncovered", opts(120)), ("covered", covered)] {
                let (base, state) = solve_with_state(&inst, &o, Search::Auto).unwrap();
                assert_eq!(base.status, Status::Optimal);
                for (k, w) in what_ifs(&inst, &base).into_iter().enumerate() {
                    let name = format!("seed {seed} share {share} gap of {gap} what-if {k}");
                    let cold = solve_with(&w, &o, Search::Auto).unwrap();
                    let warm = replan(&w, &o, &base, &state).unwrap();
                    *paths.entry(path(&warm)).or_insert(0) += 1;
                    assert_eq!(cold.status, Status::Optimal, "{name}");
                    assert_eq!(warm.status, Status::Optimal, "{name}: {}", warm.why);
                    assert_eq!(independent(&w, &warm.open), Some(warm.objective), "{name}");
                    let tol = o.abs_gap.max(o.rel_gap * cold.objective.abs()) + 1e-6;
                    // Each plan is within the gap of the other's proven bound.
                    assert!(
                        warm.objective <= cold.bound + tol,
                        "{name}: {} vs cold bound {}",
                        warm.objective,
                        cold.bound
                    );
                    assert!(
                        cold.objective <= warm.bound + tol,
                        "{name}: {} vs warm bound {}",
                        cold.objective,
                        warm.bound
                    );
                    if gap == "uncovered" {
                        assert!(
                            (warm.objective - cold.objective).abs() <= 1e-6,
                            "{name}: {} against {}",
                            warm.objective,
                            cold.objective
                        );
                    }
                }
            }
        }
    }
    assert_eq!(paths.get("other"), None, "{paths:?}");
    assert_eq!(paths.get("unused"), None, "{paths:?}");
    assert!(paths.get("root").copied().unwrap_or(0) > 0, "{paths:?}");
    assert!(paths.get("regions").copied().unwrap_or(0) > 0, "{paths:?}");
}

fn on_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn a_replan_is_the_same_on_one_and_two_threads() {
    let g = generate(&spec(2));
    let total_cost: f64 = g.cost.iter().sum();
    let inst = mclp(&g, (0.15 * total_cost).floor());
    let (base, state) = on_threads(2, || solve_with_state(&inst, &opts(120), Search::Auto).unwrap());
    let mut branched = false;
    for w in what_ifs(&inst, &base) {
        let a = on_threads(1, || replan(&w, &opts(120), &base, &state).unwrap());
        let b = on_threads(2, || replan(&w, &opts(120), &base, &state).unwrap());
        assert_eq!(a.open, b.open);
        assert_eq!(a.bound.to_bits(), b.bound.to_bits());
        assert_eq!(a.nodes, b.nodes);
        assert_eq!(a.why, b.why);
        branched |= a.nodes > 1;
    }
    assert!(branched, "no re-plan branched: the test proves little");
}

#[test]
fn a_state_from_another_instance_is_refused() {
    let inst = tiny(4, 12);
    let (base, state) = solve_with_state(&inst, &opts(60), Search::Lp).unwrap();
    assert!(!state.is_empty());
    let mut others = Vec::new();
    let mut a = inst.clone();
    a.budget_cost[3] += 1.0;
    others.push(("a budget cost", a));
    let mut b = inst.clone();
    b.budget = b.budget.map(|x| x + 1.0);
    others.push(("the budget", b));
    let mut c = inst.clone();
    c.push_client(vec![Arc { site: 0, cost: 0.0 }], Some(5.0), 5.0);
    others.push(("one more client", c));
    let mut d = inst.clone();
    d.unserved_cost[0] = d.unserved_cost[0].map(|u| u + 1.0);
    others.push(("a need", d));
    let e = tiny(5, 12);
    others.push(("another seed", e));
    for (what, mut other) in others {
        other.fixing[2] = Fixing::Open;
        match replan(&other, &opts(60), &base, &state) {
            Err(InstanceError::WarmState(msg)) => assert!(msg.contains("another instance"), "{what}: {msg}"),
            r => panic!("{what}: expected the state to be refused, got {r:?}"),
        }
    }
    // Another number of sites: refused before the state is looked at.
    let f = tiny(4, 13);
    let mut open = base.open.clone();
    open.push(false);
    let r = solve_warm(
        &f,
        &opts(60),
        Search::Auto,
        &WarmStart {
            open,
            state: state.clone(),
        },
    );
    assert!(matches!(r, Err(InstanceError::WarmState(_))), "{r:?}");
    // The instance it was made for, with a new fixing: accepted.
    let mut g = inst.clone();
    g.fixing[2] = Fixing::Open;
    let out = replan(&g, &opts(60), &base, &state).unwrap();
    assert_eq!(Some(out.objective), brute(&g));
    assert_ne!(path(&out), "unused", "{}", out.why);
}

#[test]
fn a_state_that_does_not_fit_the_change_is_not_used() {
    // A site forced open in the base, closed in the what-if: not a restriction.
    let mut inst = tiny(6, 12);
    inst.fixing[0] = Fixing::Open;
    let (base, state) = solve_with_state(&inst, &opts(60), Search::Lp).unwrap();
    let mut w = inst.clone();
    w.fixing[0] = Fixing::Closed;
    let out = replan(&w, &opts(60), &base, &state).unwrap();
    assert_eq!(path(&out), "unused", "{}", out.why);
    assert_eq!(Some(out.objective), brute(&w));
    // Column domination: site 1 serves a subset of site 0's clients for the
    // same costs, so presolve closes it; closing site 0 in the what-if makes
    // site 1 the best choice, which the kept problem no longer has.
    let mut d = Instance::with_sites(3);
    d.budget_cost = vec![1.0, 1.0, 1.0];
    d.budget = Some(1.0);
    for (sites, need) in [(vec![0, 1], 10.0), (vec![0], 3.0), (vec![2], 5.0)] {
        d.push_client(
            sites.into_iter().map(|site| Arc { site, cost: 0.0 }).collect(),
            Some(need),
            need,
        );
    }
    let (base, state) = solve_with_state(&d, &opts(60), Search::Lp).unwrap();
    assert_eq!(base.open, vec![true, false, false]);
    let mut w = d.clone();
    w.fixing[0] = Fixing::Closed;
    let out = replan(&w, &opts(60), &base, &state).unwrap();
    assert_eq!(out.open, vec![false, true, false], "{}", out.why);
    assert_eq!(Some(out.objective), brute(&w));
    if !state.is_empty() {
        assert_eq!(path(&out), "unused", "{}", out.why);
    }
}
