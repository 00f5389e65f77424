//! The root LP by an interior-point method (crate-private): multipliers for
//! the Lagrangian search where microlp's simplex is too slow.
//!
//! The LP relaxation of the reduced problem [`Prob`] at its root fixings,
//!
//! ```text
//! min  Σ_j f_j y_j + Σ_ia c_ia x_ia + Σ_i U_i u_i
//! s.t. Σ_a x_ia + u_i ≥ 1          (λ_i, every client not covered by a forced-open site)
//!      x_ia ≤ y_j                   (arc costs only; covering uses y_j in place of x_ia)
//!      Σ_j b_j y_j ≤ B,  lo ≤ Σ_j y_j ≤ hi,  0 ≤ y ≤ 1,  x, u ≥ 0
//! ```
//!
//! is solved by Clarabel (Goulart & Chen 2024), a primal–dual interior-point
//! method with a sparse LDLᵀ factorisation of the KKT system (QDLDL): on the
//! 33,000 × 3,500 covering instance (750k arcs) it takes about 3.5 s where
//! microlp's dual simplex needs about 45 s. Its use is the duals `λ_i` of the
//! client rows: they are the optimal multipliers of the Lagrangian relaxation
//! of [`crate::lagrange`] (the LP dual restricted to those rows), so the
//! Lagrangian root starts at the LP bound instead of climbing to it by
//! subgradient steps, and `L(λ)` is at least the LP bound (the subproblem keeps
//! the budget and cardinality integral).
//!
//! Nothing here is trusted as a bound: the caller evaluates `L(λ)` exactly,
//! which is a valid lower bound for *any* `λ ≥ 0`, so an inexact or
//! time-limited interior point only costs bound strength, never correctness.
//!
//! Cost: one factorisation per iteration (20–50 iterations), of a KKT matrix
//! with `O(arcs)` non-zeros; its fill-in depends on the coverage graph.

use crate::instance::Fixing;
use crate::prep::{Prob, INF};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, NonnegativeConeT, SolverStatus, SupportedConeT,
};
use std::time::Instant;

/// The root LP's solution as the Lagrangian search uses it.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    /// Multipliers of the client rows, in `[0, U_i]` (0 for a client a
    /// forced-open site covers).
    pub lambda: Vec<f64>,
    /// The sites' LP values (0/1 for fixed sites).
    pub y: Vec<f64>,
    /// The interior point's objective (not a bound; for the log).
    pub value: f64,
    /// Interior-point iterations.
    pub iterations: u32,
    /// Seconds.
    pub seconds: f64,
}

/// Rows and columns of the LP in Clarabel's form `A x + s = b, s ≥ 0`.
struct Lp {
    cols: Vec<Vec<(usize, f64)>>,
    b: Vec<f64>,
    q: Vec<f64>,
    /// Row of each client (`None`: covered by a forced-open site).
    client_row: Vec<Option<usize>>,
    /// Column of each free site.
    site_col: Vec<Option<usize>>,
    constant: f64,
}

impl Lp {
    fn col(&mut self, cost: f64) -> usize {
        self.cols.push(Vec::new());
        self.q.push(cost);
        self.cols.len() - 1
    }
    fn row(&mut self, rhs: f64) -> usize {
        self.b.push(rhs);
        self.b.len() - 1
    }
}

fn build(p: &Prob, fix: &[Fixing]) -> Lp {
    let covering = p.ccost.iter().all(|&c| c == 0.0);
    let mut lp = Lp {
        cols: Vec::new(),
        b: Vec::new(),
        q: Vec::new(),
        client_row: vec![None; p.m],
        site_col: vec![None; p.n],
        constant: p.constant,
    };
    let mut n_open = 0usize;
    let mut used = 0.0;
    for j in 0..p.n {
        match fix[j] {
            Fixing::Free => lp.site_col[j] = Some(lp.col(p.fixed[j])),
            Fixing::Open => {
                n_open += 1;
                used += p.bcost[j];
                lp.constant += p.fixed[j];
            }
            Fixing::Closed => {}
        }
    }
    for i in 0..p.m {
        let (s, c) = p.client(i);
        if covering && s.iter().any(|&j| fix[j as usize] == Fixing::Open) {
            continue;
        }
        let r = lp.row(-1.0);
        lp.client_row[i] = Some(r);
        if p.unserved[i] < INF {
            let u = lp.col(p.unserved[i]);
            lp.cols[u].push((r, -1.0));
        }
        for (k, &j) in s.iter().enumerate() {
            let j = j as usize;
            match (fix[j], covering) {
                (Fixing::Closed, _) => {}
                (Fixing::Free, true) => {
                    if let Some(col) = lp.site_col[j] {
                        lp.cols[col].push((r, -1.0));
                    }
                }
                (_, false) => {
                    // x_ia with x_ia ≤ y_j (a forced-open site: x_ia ≤ 1).
                    let x = lp.col(c[k]);
                    lp.cols[x].push((r, -1.0));
                    let link = lp.row(if fix[j] == Fixing::Open { 1.0 } else { 0.0 });
                    lp.cols[x].push((link, 1.0));
                    if let Some(col) = lp.site_col[j] {
                        lp.cols[col].push((link, -1.0));
                    }
                }
                // A client a forced-open site covers has no row (skipped above).
                (Fixing::Open, true) => {}
            }
        }
    }
    let free: Vec<usize> = lp.site_col.iter().flatten().copied().collect();
    if let Some(budget) = p.budget {
        let r = lp.row(budget - used);
        for j in 0..p.n {
            if let Some(col) = lp.site_col[j] {
                lp.cols[col].push((r, p.bcost[j]));
            }
        }
    }
    if p.hi < p.n {
        let r = lp.row(p.hi as f64 - n_open as f64);
        for &col in &free {
            lp.cols[col].push((r, 1.0));
        }
    }
    if p.lo > n_open {
        let r = lp.row(n_open as f64 - p.lo as f64);
        for &col in &free {
            lp.cols[col].push((r, -1.0));
        }
    }
    for &col in &free {
        let r = lp.row(1.0);
        lp.cols[col].push((r, 1.0));
    }
    for col in 0..lp.cols.len() {
        let r = lp.row(0.0);
        lp.cols[col].push((r, -1.0));
    }
    lp
}

/// Seconds of Clarabel set-up per column, row and nonzero of the LP (a
/// pessimistic figure: measured about 1.5e-6 under load on the 2-core
/// machine, L p-median's radius LP: 8.3 s for 5.4M entries at load 6).
const SETUP_SECS_PER_ENTRY: f64 = 1.5e-6;

/// Solves the root LP of `p` at the fixings `fix` within `seconds`. `None`
/// when there is nothing to solve, when the time granted is less than twice
/// the set-up's estimate ([`SETUP_SECS_PER_ENTRY`]), or when Clarabel fails
/// to return a usable point (the caller then keeps its own multipliers).
pub(crate) fn root(p: &Prob, fix: &[Fixing], seconds: f64) -> Option<Root> {
    let t = Instant::now();
    if p.m == 0 || seconds <= 0.0 {
        return None;
    }
    let lp = build(p, fix);
    let (nv, nr) = (lp.cols.len(), lp.b.len());
    if nv == 0 || nr == 0 {
        return None;
    }
    // Clarabel's set-up (equilibration, the KKT system's ordering and
    // symbolic factorisation) does not look at the clock: skip an LP whose
    // set-up alone would eat the time granted (L p-median's radius LP, 785k
    // columns × 1.57M rows: about 8 s of set-up under load, where a run
    // that gave it 1 s overran its limit by that much).
    let size = nv + nr + lp.cols.iter().map(Vec::len).sum::<usize>();
    if seconds < 2.0 * SETUP_SECS_PER_ENTRY * size as f64 {
        log::debug!(
            "[hubplan-solver ipm] skipped: {seconds:.2} s granted, about {:.2} s of set-up for {nv} columns × {nr} rows",
            SETUP_SECS_PER_ENTRY * size as f64
        );
        return None;
    }
    let mut colptr = Vec::with_capacity(nv + 1);
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    colptr.push(0);
    for c in &lp.cols {
        let mut c = c.clone();
        c.sort_unstable_by_key(|&(r, _)| r);
        for (r, v) in c {
            rowval.push(r);
            nzval.push(v);
        }
        colptr.push(rowval.len());
    }
    let a = CscMatrix::new(nr, nv, colptr, rowval, nzval);
    let pm = CscMatrix::<f64>::zeros((nv, nv));
    let cones: [SupportedConeT<f64>; 1] = [NonnegativeConeT(nr)];
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .time_limit(seconds)
        .tol_gap_rel(1e-7)
        .tol_gap_abs(1e-7)
        .build()
        .ok()?;
    let mut solver = DefaultSolver::new(&pm, &lp.q, &a, &lp.b, &cones, settings).ok()?;
    solver.solve();
    let sol = &solver.solution;
    let usable = matches!(
        sol.status,
        SolverStatus::Solved | SolverStatus::AlmostSolved | SolverStatus::MaxTime | SolverStatus::MaxIterations
    );
    if !usable || sol.z.iter().any(|v| !v.is_finite()) {
        log::debug!("[hubplan-solver ipm] no usable point: {:?}", sol.status);
        return None;
    }
    let lambda = (0..p.m)
        .map(|i| match lp.client_row[i] {
            Some(r) => sol.z[r].max(0.0).min(p.unserved[i]),
            None => 0.0,
        })
        .collect();
    let y = (0..p.n)
        .map(|j| match (lp.site_col[j], fix[j]) {
            (Some(c), _) => sol.x[c].clamp(0.0, 1.0),
            (None, Fixing::Open) => 1.0,
            _ => 0.0,
        })
        .collect();
    let r = Root {
        lambda,
        y,
        value: sol.obj_val + lp.constant,
        iterations: sol.iterations,
        seconds: t.elapsed().as_secs_f64(),
    };
    log::debug!(
        "[hubplan-solver ipm] {:?}: LP {:.6} in {} iterations, {:.2}s ({nv} columns, {nr} rows, {size} entries)",
        sol.status,
        r.value,
        r.iterations,
        r.seconds
    );
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Arc, Cardinality, Instance};
    use crate::lagrange::evaluate;
    use crate::prep::{reduce, Prep};

    fn prob(inst: &Instance) -> Box<Prob> {
        match reduce(inst) {
            Prep::Ok(p) => p,
            Prep::Infeasible(r) => panic!("{r}"),
        }
    }

    /// A 4-cycle maximal covering with p = 1: LP value 2 (every y = 1/4 covers
    /// each zone half) against the integer optimum 2 (one site covers two of
    /// the four unit zones); the multipliers give L(λ) ≥ the LP value.
    #[test]
    fn duals_give_the_lp_bound_on_maximal_covering() {
        let mut inst = Instance::with_sites(4);
        for i in 0..4u32 {
            inst.push_client(
                vec![
                    Arc { site: i, cost: 0.0 },
                    Arc {
                        site: (i + 1) % 4,
                        cost: 0.0,
                    },
                ],
                Some(1.0),
                1.0,
            );
        }
        inst.cardinality = Some(Cardinality { min: 0, max: 1 });
        let p = prob(&inst);
        let r = root(&p, &p.fix, 10.0).expect("a root");
        assert!((r.value - 2.0).abs() < 1e-5, "LP value {}", r.value);
        let l = evaluate(&p, &p.fix, &r.lambda).value;
        assert!((2.0 - 1e-5..=2.0 + 1e-9).contains(&l), "L(λ) = {l}");
    }

    /// Set covering of a triangle (each site covers two of three zones):
    /// LP 1.5 at y = ½, the integer optimum 2.
    #[test]
    fn duals_of_an_odd_cycle_cover() {
        let mut inst = Instance::with_sites(3);
        for i in 0..3u32 {
            inst.push_client(
                vec![
                    Arc { site: i, cost: 0.0 },
                    Arc {
                        site: (i + 1) % 3,
                        cost: 0.0,
                    },
                ],
                None,
                1.0,
            );
        }
        inst.fixed_cost = vec![1.0; 3];
        let p = prob(&inst);
        let r = root(&p, &p.fix, 10.0).expect("a root");
        assert!((r.value - 1.5).abs() < 1e-5, "LP value {}", r.value);
        let l = evaluate(&p, &p.fix, &r.lambda).value;
        assert!((l - 1.5).abs() < 1e-4, "L(λ) = {l}");
        assert!(r.y.iter().all(|&v| (v - 0.5).abs() < 1e-4), "{:?}", r.y);
        // Granted less than its set-up would take, the LP is not started
        // (Clarabel's set-up does not look at the clock; before, it ran and
        // returned a point of no iteration).
        let size = 3 + 3 + 9;
        let short = SETUP_SECS_PER_ENTRY * size as f64;
        assert!(root(&p, &p.fix, short).is_none());
        assert!(root(&p, &p.fix, 2.0 * short + 10.0).is_some());
    }

    /// Every client covered by a forced-open site: no LP to solve, no panic.
    #[test]
    fn nothing_to_solve_is_none() {
        let mut inst = Instance::with_sites(3);
        inst.push_client(
            vec![Arc { site: 0, cost: 0.0 }, Arc { site: 1, cost: 0.0 }],
            Some(5.0),
            5.0,
        );
        inst.push_client(
            vec![Arc { site: 1, cost: 0.0 }, Arc { site: 2, cost: 0.0 }],
            Some(3.0),
            3.0,
        );
        inst.fixed_cost = vec![1.0; 3];
        let p = prob(&inst);
        assert!(p.m > 0, "presolve kept the clients");
        let fix = vec![Fixing::Open; p.n];
        assert!(root(&p, &fix, 10.0).is_none());
        assert!(root(&p, &p.fix, 10.0).is_some());
    }

    /// Arc costs (p-median, p = 1, two sites, two clients): the LP is integral,
    /// value 3; the multipliers reach it.
    #[test]
    fn duals_of_a_p_median() {
        let mut inst = Instance::with_sites(2);
        inst.push_client(vec![Arc { site: 0, cost: 1.0 }, Arc { site: 1, cost: 4.0 }], None, 1.0);
        inst.push_client(vec![Arc { site: 0, cost: 2.0 }, Arc { site: 1, cost: 1.0 }], None, 1.0);
        inst.cardinality = Some(Cardinality { min: 1, max: 1 });
        let p = prob(&inst);
        let r = root(&p, &p.fix, 10.0).expect("a root");
        assert!((r.value - 3.0).abs() < 1e-5, "LP value {}", r.value);
        let l = evaluate(&p, &p.fix, &r.lambda).value;
        assert!((l - 3.0).abs() < 1e-4, "L(λ) = {l}");
    }
}
