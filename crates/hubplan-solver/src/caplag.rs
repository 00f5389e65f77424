//! Native exact search for demand capacity under split assignment
//! (crate-private; see [`crate::capacity`] and docs/SOLVER.md §Demand capacity).
//!
//! **Bound.** Lagrangian relaxation of the assignment rows `Σ_a x_ia + u_i ≥ 1`
//! with multipliers `λ_i ≥ 0` (Beasley 1988; Cornuéjols, Sridharan & Thizy 1991):
//!
//! ```text
//! L(λ) = Σ_i λ_i + Σ_i min(0, U_i − λ_i) + min_{y ∈ Y} Σ_j (f_j + ρ_j) y_j
//! ρ_j  = min { Σ_i (c_ij − λ_i) x_ij : Σ_i d_i x_ij ≤ Q_j, 0 ≤ x_ij ≤ 1 }
//! ```
//!
//! Each `ρ_j` is a continuous knapsack (items with `c_ij < λ_i`, by ratio
//! `(c_ij − λ_i)/d_i`, the last one fractional). `Y` holds the fixings, the
//! cardinality, the budget and the aggregate capacity row
//! `Σ_j Q_j y_j ≥ Σ_{i must serve} d_i` (when every available site has a
//! capacity). The selection over `Y` is bounded by the larger of two
//! relaxations, each valid: [`crate::subproblem::Sub`] (fixings, cardinality,
//! budget) and the 0-1 covering knapsack of the aggregate row under the
//! fixings, solved exactly by [`crate::minknap`] (Görtz & Klose 2012; its LP
//! value when the knapsack search runs out of nodes).
//! Every `L(λ)` is therefore a valid lower bound; its maximum over `λ` is at
//! least the strong LP bound. Multipliers are improved by subgradient steps
//! (Polyak step towards the incumbent, halved after a stall).
//!
//! **Search.** Branch-and-bound on `y` through the shared driver
//! [`crate::tree`]: each node warm-starts its ascent from the parent's
//! multipliers, fixes sites by Lagrangian reduced costs, and branches on the
//! site whose smoothed selection is closest to ½. Primal plans come from the
//! Lagrangian selection, repaired until the aggregate capacity fits and priced
//! by the transportation problem ([`crate::capflow`]); the root also runs a
//! capped add/drop/swap local search whose moves are priced from the current
//! plan's optimal flow (warm-started min-cost flow).

use crate::instance::{Fixing, Instance};
use crate::prep::INF;
use crate::subproblem::Sub;
use crate::tree::{self, Candidate, Expansion, Limits, Node, Search, Tree};
use rayon::prelude::*;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

/// Site-major data of a capacitated instance.
pub(crate) struct Cap<'a> {
    inst: &'a Instance,
    n: usize,
    m: usize,
    /// CSR by site: `(client, cost)` of arcs at available sites.
    sstart: Vec<usize>,
    sclient: Vec<u32>,
    scost: Vec<f64>,
    /// Capacity per site (`INF` when none).
    q: Vec<f64>,
    /// Unserved cost per client (`INF` when it must be served).
    unserved: Vec<f64>,
    /// Must-serve demand, when the aggregate capacity row applies.
    need: Option<f64>,
    lo: usize,
    hi: usize,
    rel_gap: f64,
    abs_gap: f64,
    deadline: Instant,
    /// Transport evaluations allowed in the root's local search.
    root_moves: usize,
    /// Prices open sets from the root plan's flow.
    pricer: crate::capls::Pricer,
}

impl<'a> Cap<'a> {
    pub(crate) fn new(inst: &'a Instance, rel_gap: f64, abs_gap: f64, deadline: Instant) -> Self {
        let (n, m) = (inst.n_sites(), inst.n_clients());
        let mut deg = vec![0usize; n + 1];
        for a in &inst.arcs {
            deg[a.site as usize + 1] += 1;
        }
        for j in 0..n {
            deg[j + 1] += deg[j];
        }
        let sstart = deg.clone();
        let mut fill = deg;
        let mut sclient = vec![0u32; inst.arcs.len()];
        let mut scost = vec![0.0; inst.arcs.len()];
        for i in 0..m {
            for a in inst.arcs_of(i) {
                let j = a.site as usize;
                sclient[fill[j]] = i as u32;
                scost[fill[j]] = a.cost;
                fill[j] += 1;
            }
        }
        let q: Vec<f64> = inst.capacity.iter().map(|c| c.unwrap_or(INF)).collect();
        let unserved: Vec<f64> = inst.unserved_cost.iter().map(|u| u.unwrap_or(INF)).collect();
        let must: f64 = (0..m).filter(|&i| unserved[i] >= INF).map(|i| inst.demand[i]).sum();
        let all_cap = (0..n).all(|j| inst.fixing[j] == Fixing::Closed || inst.capacity[j].is_some());
        let (lo, hi) = inst
            .cardinality
            .map_or((0, n), |c| (c.min as usize, (c.max as usize).min(n)));
        Cap {
            inst,
            n,
            m,
            sstart,
            sclient,
            scost,
            q,
            unserved,
            need: (all_cap && must > 0.0).then_some(must),
            lo,
            hi,
            rel_gap,
            abs_gap,
            deadline,
            root_moves: (50_000_000 / inst.arcs.len().max(1)).clamp(300, 5_000),
            pricer: Default::default(),
        }
    }

    fn cutoff(&self, ub: f64) -> f64 {
        if !ub.is_finite() {
            return INF;
        }
        ub - self.abs_gap.max(self.rel_gap * ub.abs())
    }

    /// A float-safe version of a Lagrangian value.
    fn safe(v: f64) -> f64 {
        if v.is_finite() {
            v - 1e-9 * (1.0 + v.abs())
        } else {
            v
        }
    }

    /// Initial multipliers: `λ_i = min_j (c_ij + f_j d_i / Q_j)` (the fixed
    /// cost shared by capacity; by arc count when uncapacitated), capped at `U_i`.
    pub(crate) fn initial(&self) -> Vec<f64> {
        let inst = self.inst;
        (0..self.m)
            .map(|i| {
                let mut best = INF;
                for a in inst.arcs_of(i) {
                    let j = a.site as usize;
                    if inst.fixing[j] == Fixing::Closed {
                        continue;
                    }
                    let share = if self.q[j] < INF && self.q[j] > 0.0 {
                        inst.fixed_cost[j] * (inst.demand[i] / self.q[j]).min(1.0)
                    } else {
                        let deg = (self.sstart[j + 1] - self.sstart[j]).max(1) as f64;
                        inst.fixed_cost[j] / deg
                    };
                    best = best.min(a.cost + share);
                }
                if best >= INF {
                    0.0
                } else {
                    best.min(self.unserved[i])
                }
            })
            .collect()
    }

    /// The node's fixings: the instance's plus the decisions.
    fn fixings(&self, decisions: &[(u32, bool)]) -> Vec<Fixing> {
        let mut f = self.inst.fixing.clone();
        for &(j, open) in decisions {
            f[j as usize] = if open { Fixing::Open } else { Fixing::Closed };
        }
        f
    }

    /// One evaluation of `L(λ)` under `fix`.
    fn evaluate(&self, fix: &[Fixing], lambda: &[f64]) -> Eval {
        let inst = self.inst;
        let parts: Vec<(f64, Vec<(u32, f64)>)> = (0..self.n)
            .into_par_iter()
            .with_min_len(16)
            .map(|j| {
                if fix[j] == Fixing::Closed {
                    return (INF, Vec::new());
                }
                let mut items: Vec<(f64, u32, f64)> = Vec::new();
                for k in self.sstart[j]..self.sstart[j + 1] {
                    let i = self.sclient[k] as usize;
                    let v = self.scost[k] - lambda[i];
                    if v < 0.0 {
                        let d = inst.demand[i];
                        let ratio = if d > 0.0 { v / d } else { -INF };
                        items.push((ratio, i as u32, v));
                    }
                }
                items.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let mut left = self.q[j];
                let mut rho = inst.fixed_cost[j];
                let mut xs = Vec::with_capacity(items.len());
                for &(_, i, v) in &items {
                    let d = inst.demand[i as usize];
                    if d <= left {
                        rho += v;
                        left -= d;
                        xs.push((i, 1.0));
                    } else {
                        let x = (left / d).clamp(0.0, 1.0);
                        if x > 0.0 {
                            rho += v * x;
                            xs.push((i, x));
                        }
                        break;
                    }
                }
                (rho, xs)
            })
            .collect();
        let mut rho = Vec::with_capacity(self.n);
        let mut xs = Vec::with_capacity(self.n);
        for (r, x) in parts {
            rho.push(r);
            xs.push(x);
        }
        let sub = Sub::solve(&rho, fix, self.lo, self.hi, &self.inst.budget_cost, self.inst.budget);
        let knap = self.need.map(|d| Knap::new(&rho, fix, &self.q, d));
        let yval = match &knap {
            Some(k) => sub.value.max(k.value),
            None => sub.value,
        };
        let mut lam = 0.0;
        for i in 0..self.m {
            let u = self.unserved[i];
            lam += lambda[i] + if u < lambda[i] { u - lambda[i] } else { 0.0 };
        }
        Eval {
            value: lam + yval,
            rest: lam,
            rho,
            xs,
            sub,
            knap,
        }
    }

    /// The selection achieving the subproblem's value (fractional at most one site).
    fn selection(&self, e: &Eval, fix: &[Fixing], y: &mut [f64]) {
        match &e.knap {
            Some(k) if k.value >= e.sub.value => k.selection(&e.rho, fix, &self.q, y),
            _ => e.sub.selection(&e.rho, fix, &self.inst.budget_cost, y),
        }
    }

    /// Subgradient ascent from `lambda0`.
    fn ascent(&self, fix: &[Fixing], lambda0: &[f64], ub: f64, cutoff: f64, par: Par) -> Ascent {
        let mut lambda = lambda0.to_vec();
        let mut best: Option<(Eval, Vec<f64>)> = None;
        let mut pi = par.pi0;
        let mut stall = 0;
        let mut y = vec![0.0; self.n];
        let mut ybar: Vec<f64> = Vec::new();
        let mut samples = Vec::new();
        let mut timed_out = false;
        let mut g = vec![0.0; self.m];
        let mut iters = 0;
        let mut mark = -INF;
        for it in 0..par.max_iter.max(1) {
            iters = it + 1;
            let e = self.evaluate(fix, &lambda);
            let lval = e.value;
            if !lval.is_finite() {
                best = Some((e, lambda.clone()));
                break;
            }
            self.selection(&e, fix, &mut y);
            if ybar.is_empty() {
                ybar.clone_from(&y);
            } else {
                for j in 0..self.n {
                    ybar[j] = 0.85 * ybar[j] + 0.15 * y[j];
                }
            }
            if par.sample_every > 0 && (it + 1) % par.sample_every == 0 && samples.len() < par.max_samples {
                samples.push(y.iter().map(|&v| v > 1e-9).collect::<Vec<bool>>());
            }
            // Subgradient g_i = 1 − u_i − Σ_j y_j x_ij.
            for i in 0..self.m {
                g[i] = if self.unserved[i] < lambda[i] { 0.0 } else { 1.0 };
            }
            for j in 0..self.n {
                if y[j] > 0.0 {
                    for &(i, x) in &e.xs[j] {
                        g[i as usize] -= y[j] * x;
                    }
                }
            }
            let improved = best
                .as_ref()
                .is_none_or(|b| lval > b.0.value + 1e-12 * b.0.value.abs().max(1.0));
            if improved {
                best = Some((e, lambda.clone()));
                stall = 0;
            } else {
                stall += 1;
            }
            let bval = best.as_ref().map_or(lval, |b| b.0.value);
            if bval >= cutoff {
                break;
            }
            // Converged: the best value moved by less than 1e-6 (relative) in 300 iterations.
            if it % 300 == 0 {
                if it > 0 && bval - mark <= 1e-6 * bval.abs().max(1.0) {
                    break;
                }
                mark = bval;
            }
            if Instant::now() > self.deadline {
                timed_out = true;
                break;
            }
            if stall >= par.patience {
                pi *= 0.5;
                stall = 0;
                if pi < par.pi_min {
                    break;
                }
            }
            let mut norm = 0.0;
            for i in 0..self.m {
                if lambda[i] <= 0.0 && g[i] < 0.0 {
                    g[i] = 0.0;
                }
                norm += g[i] * g[i];
            }
            if norm <= 1e-18 {
                break;
            }
            let target = if ub.is_finite() { ub } else { bval.abs() * 1.1 + 1.0 };
            let gapv = (target - lval).max(1e-6 * (1.0 + lval.abs()));
            let t = pi * gapv / norm;
            for i in 0..self.m {
                lambda[i] = (lambda[i] + t * g[i]).max(0.0).min(self.unserved[i]);
            }
        }
        let (best, lambda) = match best {
            Some(b) => b,
            None => {
                let e = self.evaluate(fix, &lambda);
                (e, lambda)
            }
        };
        if ybar.is_empty() {
            ybar = vec![0.0; self.n];
        }
        Ascent {
            best,
            lambda,
            ybar,
            samples,
            timed_out,
            iters,
        }
    }

    /// Side constraints (fixings, cardinality, budget) of an open set.
    fn side_ok(&self, fix: &[Fixing], open: &[bool]) -> bool {
        (0..self.n).all(|j| match fix[j] {
            Fixing::Open => open[j],
            Fixing::Closed => !open[j],
            Fixing::Free => true,
        }) && crate::eval::check(self.inst, open).is_ok()
    }

    /// Exact objective of an open set: fixed costs plus the transportation
    /// problem, warm-started from the root plan's flow ([`crate::capls::Pricer`]).
    fn price(&self, open: &[bool]) -> Option<f64> {
        self.pricer.price(self.inst, open)
    }

    /// Makes `open` plausible under `fix`: every must-serve client gets an open
    /// arc and the open capacity covers the must-serve need (sites added by
    /// `score`, cheapest first).
    fn repair(&self, fix: &[Fixing], open: &mut [bool], score: &[f64]) {
        let inst = self.inst;
        for j in 0..self.n {
            match fix[j] {
                Fixing::Open => open[j] = true,
                Fixing::Closed => open[j] = false,
                Fixing::Free => {}
            }
        }
        let key = |j: usize| {
            if self.q[j] < INF && self.q[j] > 0.0 {
                score[j] / self.q[j]
            } else {
                score[j]
            }
        };
        for i in 0..self.m {
            if self.unserved[i] < INF {
                continue;
            }
            let arcs = inst.arcs_of(i);
            if arcs.iter().any(|a| open[a.site as usize]) {
                continue;
            }
            let pick = arcs
                .iter()
                .map(|a| a.site as usize)
                .filter(|&j| fix[j] == Fixing::Free)
                .min_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
            if let Some(j) = pick {
                open[j] = true;
            }
        }
        if let Some(d) = self.need {
            let mut have: f64 = (0..self.n).filter(|&j| open[j]).map(|j| self.q[j]).sum();
            if have < d {
                let mut cand: Vec<usize> = (0..self.n).filter(|&j| !open[j] && fix[j] == Fixing::Free).collect();
                cand.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
                for j in cand {
                    if have >= d {
                        break;
                    }
                    open[j] = true;
                    have += self.q[j];
                }
            }
        }
    }

    /// A plan from a start set: repair, price; when the flow does not fit, add
    /// the best-scored closed sites a few at a time.
    fn plan_from(&self, fix: &[Fixing], start: &[bool], score: &[f64]) -> Option<(f64, Vec<bool>)> {
        let mut open = start.to_vec();
        self.repair(fix, &mut open, score);
        for _ in 0..4 {
            if let Some(z) = self.price(&open) {
                return self.side_ok(fix, &open).then_some((z, open));
            }
            let mut cand: Vec<usize> = (0..self.n).filter(|&j| !open[j] && fix[j] == Fixing::Free).collect();
            if cand.is_empty() {
                return None;
            }
            cand.sort_by(|&a, &b| score[a].total_cmp(&score[b]).then(a.cmp(&b)));
            for &j in cand.iter().take((self.n / 20).max(1)) {
                open[j] = true;
            }
        }
        None
    }

    /// The local search of [`crate::capls`] (exact add / drop / swap moves;
    /// `budget` priced moves); its final flow prices the nodes below.
    fn improve(&self, fix: &[Fixing], cur: (f64, Vec<bool>), score: &[f64], budget: usize) -> (f64, Vec<bool>) {
        crate::capls::improve(self.inst, fix, cur, score, self.deadline, budget, Some(&self.pricer))
    }

    fn process(&self, node: &Node<Lag>, ub: f64, root: bool) -> Expansion<Lag> {
        let cutoff = self.cutoff(ub);
        let mut out = Expansion::empty();
        let mut fix = self.fixings(&node.data.decisions);
        // Must-serve clients need an available arc.
        let stranded = (0..self.m).any(|i| {
            self.unserved[i] >= INF
                && self
                    .inst
                    .arcs_of(i)
                    .iter()
                    .all(|a| fix[a.site as usize] == Fixing::Closed)
        });
        if stranded {
            return out;
        }
        let free: Vec<usize> = (0..self.n).filter(|&j| fix[j] == Fixing::Free).collect();
        if free.is_empty() {
            let open: Vec<bool> = fix.iter().map(|f| *f == Fixing::Open).collect();
            if self.side_ok(&fix, &open) {
                if let Some(z) = self.price(&open) {
                    out.candidates.push((z, open));
                }
            }
            return out;
        }
        let par = if root {
            Par {
                max_iter: 4000,
                pi0: 2.0,
                patience: 80,
                pi_min: 1e-5,
                sample_every: 100,
                max_samples: 6,
            }
        } else {
            Par {
                max_iter: 250,
                pi0: 1.0,
                patience: 20,
                pi_min: 1e-3,
                sample_every: 0,
                max_samples: 0,
            }
        };
        let t0 = Instant::now();
        let asc = self.ascent(&fix, &node.data.lambda, ub, cutoff, par);
        let e = &asc.best;
        log::debug!(
            "[hubplan-solver capacity] depth {} ascent {:.3}s lb {} ub {ub} iters {}",
            node.depth,
            t0.elapsed().as_secs_f64(),
            e.value,
            asc.iters
        );
        let lb = Self::safe(e.value).max(node.lb);
        if asc.timed_out && lb < cutoff {
            return Expansion::interrupted();
        }
        if !lb.is_finite() {
            return out;
        }
        // Primal: the Lagrangian selection (and at the root, samples and the
        // smoothed selection), repaired and priced by the transportation problem.
        let mut y = vec![0.0; self.n];
        self.selection(e, &fix, &mut y);
        let score = &e.rho;
        let mut starts: Vec<Vec<bool>> = vec![y.iter().map(|&v| v > 1e-9).collect()];
        // Below the root only the Lagrangian selection is priced (each price is a
        // min-cost flow: the tree's throughput is the bound's).
        if root {
            starts.push(asc.ybar.iter().map(|&v| v >= 0.5).collect());
            starts.extend(asc.samples.iter().cloned());
        }
        starts.dedup();
        // Deep in the tree the selection is priced at every fifth level only.
        if node.depth > 3 && node.depth % 5 != 0 {
            starts.clear();
        }
        let found: Vec<Candidate> = starts
            .par_iter()
            .filter_map(|s| self.plan_from(&fix, s, score))
            .collect();
        // Local search from the best of them (capped: a few moves below the root).
        if root {
            if let Some(b) = found.iter().min_by(|a, b| a.0.total_cmp(&b.0)).cloned() {
                out.candidates.push(self.improve(&fix, b, score, self.root_moves));
            }
        }
        log::debug!(
            "[hubplan-solver capacity] primal {:.3}s found {:?}",
            t0.elapsed().as_secs_f64(),
            found.iter().chain(&out.candidates).map(|c| c.0).collect::<Vec<_>>()
        );
        out.candidates.extend(found);
        if lb >= cutoff {
            out.discarded = lb;
            return out;
        }
        // Reduced-cost fixing and the branching choice.
        let rest = e.rest;
        let scored: Vec<(usize, f64, f64)> = free
            .par_iter()
            .map(|&j| {
                let mut lo_open = e.sub.lb_open(j, &e.rho, &self.inst.budget_cost);
                let mut lo_closed = e.sub.lb_closed(j, &e.rho, &self.inst.budget_cost);
                if let Some(k) = &e.knap {
                    lo_open = lo_open.max(k.lb_with(j, true, &e.rho, &fix, &self.q));
                    lo_closed = lo_closed.max(k.lb_with(j, false, &e.rho, &fix, &self.q));
                    // The exact knapsack only where the LP does not already prune.
                    if rest + lo_open < cutoff {
                        lo_open = lo_open.max(k.exact_with(j, true, &e.rho, &fix, &self.q));
                    }
                    if rest + lo_closed < cutoff {
                        lo_closed = lo_closed.max(k.exact_with(j, false, &e.rho, &fix, &self.q));
                    }
                }
                (j, Self::safe(rest + lo_open), Self::safe(rest + lo_closed))
            })
            .collect();
        let mut decisions = node.data.decisions.clone();
        let mut best_branch: Option<(f64, f64, usize, f64, f64)> = None;
        for &(j, lo_open, lo_closed) in &scored {
            let dead_open = lo_open >= cutoff;
            let dead_closed = lo_closed >= cutoff;
            if dead_open && dead_closed {
                out.discarded = out.discarded.min(lo_open.min(lo_closed));
                return out;
            }
            if dead_open {
                out.discarded = out.discarded.min(lo_open);
                decisions.push((j as u32, false));
                fix[j] = Fixing::Closed;
            } else if dead_closed {
                out.discarded = out.discarded.min(lo_closed);
                decisions.push((j as u32, true));
                fix[j] = Fixing::Open;
            } else {
                let key = asc.ybar[j].min(1.0 - asc.ybar[j]);
                let key2 = lo_open.min(lo_closed) + lo_open.max(lo_closed);
                let better = match best_branch {
                    None => true,
                    Some((k, k2, jj, _, _)) => key > k || (key == k && (key2 > k2 || (key2 == k2 && j < jj))),
                };
                if better {
                    best_branch = Some((key, key2, j, lo_open, lo_closed));
                }
            }
        }
        let lambda = Arc::new(asc.lambda);
        let child = |decisions| Lag {
            decisions,
            lambda: lambda.clone(),
        };
        match best_branch {
            None => out.children.push((lb, child(decisions))),
            Some((_, _, j, lo_open, lo_closed)) => {
                let mut d1 = decisions.clone();
                d1.push((j as u32, true));
                let mut d0 = decisions;
                d0.push((j as u32, false));
                out.children.push((lb.max(lo_open), child(d1)));
                out.children.push((lb.max(lo_closed), child(d0)));
            }
        }
        out
    }
}

/// The covering knapsack of the aggregate capacity row:
/// `min Σ ρ_j y_j` s.t. `Σ Q_j y_j ≥ D`, `y ∈ {0,1}`, fixings — solved exactly
/// by [`crate::minknap::cover`] (its LP value when the search runs out of nodes).
#[derive(Debug, Clone)]
struct Knap {
    /// A valid lower bound of the knapsack (its integer optimum when `exact`).
    value: f64,
    /// Its LP value.
    lp: f64,
    /// Forced-open and negative free sites: their ρ and Q.
    base: f64,
    have: f64,
    need: f64,
    /// Free sites with ρ ≥ 0 by ratio ρ/Q ascending.
    order: Vec<u32>,
    /// The integer cover found (sites), when exact.
    chosen: Option<Vec<u32>>,
}

/// Search nodes allowed to one exact knapsack.
const KNAP_NODES: usize = 20_000;

impl Knap {
    fn new(rho: &[f64], fix: &[Fixing], q: &[f64], need: f64) -> Knap {
        let mut base = 0.0;
        let mut have = 0.0;
        let mut order = Vec::new();
        for j in 0..rho.len() {
            match fix[j] {
                Fixing::Open => {
                    base += rho[j];
                    have += q[j];
                }
                Fixing::Free if rho[j] < 0.0 => {
                    base += rho[j];
                    have += q[j];
                }
                Fixing::Free if q[j] > 0.0 => order.push(j as u32),
                _ => {}
            }
        }
        order.sort_by(|&a, &b| {
            let ra = rho[a as usize] / q[a as usize];
            let rb = rho[b as usize] / q[b as usize];
            ra.total_cmp(&rb).then(a.cmp(&b))
        });
        let mut k = Knap {
            value: INF,
            lp: INF,
            base,
            have,
            need,
            order,
            chosen: None,
        };
        k.lp = k.fill(base, have, None, rho, q);
        let (v, chosen) = k.exact(base, have, None, rho, q);
        k.value = v.max(k.lp);
        k.chosen = chosen;
        k
    }

    /// Exact value with `base`/`have` already taken, over `order` (skipping
    /// `skip`); the integer cover when the search finished.
    fn exact(&self, base: f64, have: f64, skip: Option<usize>, rho: &[f64], q: &[f64]) -> (f64, Option<Vec<u32>>) {
        let tol = 1e-9 * self.need.max(1.0);
        let short = self.need - have;
        if short <= tol {
            return (base, Some(Vec::new()));
        }
        let sites: Vec<u32> = self
            .order
            .iter()
            .copied()
            .filter(|&j| Some(j as usize) != skip)
            .collect();
        let items: Vec<(f64, f64)> = sites.iter().map(|&j| (rho[j as usize], q[j as usize])).collect();
        let c = crate::minknap::cover(&items, short, tol, KNAP_NODES);
        if !c.value.is_finite() {
            return (INF, None);
        }
        let chosen = c.exact.then(|| c.chosen.iter().map(|&k| sites[k as usize]).collect());
        (base + c.value, chosen)
    }

    /// LP value with `base`/`have` already taken, filling from `order` (skipping `skip`).
    fn fill(&self, base: f64, have: f64, skip: Option<usize>, rho: &[f64], q: &[f64]) -> f64 {
        let tol = 1e-9 * self.need.max(1.0);
        let mut short = self.need - have;
        if short <= tol {
            return base;
        }
        let mut v = base;
        for &j in &self.order {
            let j = j as usize;
            if Some(j) == skip {
                continue;
            }
            if q[j] >= short {
                return v + rho[j] * short / q[j];
            }
            v += rho[j];
            short -= q[j];
            if short <= tol {
                return v;
            }
        }
        INF
    }

    /// The base and capacity with free site `j` forced open (`open`) or closed,
    /// or `None` when the forcing does not change the selection's base.
    fn forced(&self, j: usize, open: bool, rho: &[f64], q: &[f64]) -> (f64, f64) {
        match (open, rho[j] < 0.0) {
            (true, false) => (self.base + rho[j], self.have + q[j]),
            (false, true) => (self.base - rho[j], self.have - q[j]),
            _ => (self.base, self.have),
        }
    }

    /// LP lower bound with free site `j` forced open (`open`) or closed.
    fn lb_with(&self, j: usize, open: bool, rho: &[f64], fix: &[Fixing], q: &[f64]) -> f64 {
        if fix[j] != Fixing::Free {
            return self.value;
        }
        if open && rho[j] < 0.0 {
            return self.value;
        }
        let (b, h) = self.forced(j, open, rho, q);
        self.fill(b, h, Some(j), rho, q)
    }

    /// Exact (integer) lower bound with free site `j` forced open or closed.
    fn exact_with(&self, j: usize, open: bool, rho: &[f64], fix: &[Fixing], q: &[f64]) -> f64 {
        if fix[j] != Fixing::Free {
            return self.value;
        }
        if let Some(c) = &self.chosen {
            // The optimum already agrees with the forcing.
            let inn = rho[j] < 0.0 || c.contains(&(j as u32));
            if inn == open {
                return self.value;
            }
        }
        let (b, h) = self.forced(j, open, rho, q);
        self.exact(b, h, Some(j), rho, q)
            .0
            .max(self.fill(b, h, Some(j), rho, q))
    }

    fn selection(&self, rho: &[f64], fix: &[Fixing], q: &[f64], y: &mut [f64]) {
        for j in 0..rho.len() {
            y[j] = match fix[j] {
                Fixing::Open => 1.0,
                Fixing::Free if rho[j] < 0.0 => 1.0,
                _ => 0.0,
            };
        }
        if let Some(c) = &self.chosen {
            for &j in c {
                y[j as usize] = 1.0;
            }
            return;
        }
        let tol = 1e-9 * self.need.max(1.0);
        let mut short = self.need - self.have;
        for &j in &self.order {
            if short <= tol {
                break;
            }
            let j = j as usize;
            if q[j] >= short {
                y[j] = short / q[j];
                break;
            }
            y[j] = 1.0;
            short -= q[j];
        }
    }
}

/// One evaluation of `L(λ)`.
struct Eval {
    value: f64,
    /// `Σ_i λ_i + Σ_i min(0, U_i − λ_i)`: the value without the selection.
    rest: f64,
    /// Per site, `f_j + ρ_j` (`INF` when closed).
    rho: Vec<f64>,
    /// Per site, the knapsack's shares `(client, x)`.
    xs: Vec<Vec<(u32, f64)>>,
    sub: Sub,
    knap: Option<Knap>,
}

struct Ascent {
    best: Eval,
    lambda: Vec<f64>,
    ybar: Vec<f64>,
    samples: Vec<Vec<bool>>,
    timed_out: bool,
    iters: usize,
}

#[derive(Clone, Copy)]
struct Par {
    max_iter: usize,
    pi0: f64,
    patience: usize,
    pi_min: f64,
    sample_every: usize,
    max_samples: usize,
}

/// What a node carries: its decisions and the parent's multipliers.
#[derive(Debug, Clone)]
pub(crate) struct Lag {
    decisions: Vec<(u32, bool)>,
    lambda: Arc<Vec<f64>>,
}

impl Tree for Cap<'_> {
    type Data = Lag;
    type Error = Infallible;
    fn cutoff(&self, ub: f64) -> f64 {
        Cap::cutoff(self, ub)
    }
    fn expand(&self, node: &Node<Lag>, ub: f64, root: bool) -> Result<Expansion<Lag>, Infallible> {
        Ok(self.process(node, ub, root))
    }
}

/// Runs the native search; `incumbent` is a starting plan, if any.
pub(crate) fn search(cap: &Cap, incumbent: Option<Candidate>, max_nodes: Option<u64>) -> Search {
    let root = Lag {
        decisions: Vec::new(),
        lambda: Arc::new(cap.initial()),
    };
    let limits = Limits {
        deadline: cap.deadline,
        max_nodes,
    };
    match tree::run(cap, root, incumbent, limits, "capacity-lagrangian") {
        Ok(s) => s,
        Err(never) => match never {},
    }
}
