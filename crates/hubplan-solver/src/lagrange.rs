//! Lagrangian relaxation of the assignment constraints (crate-private).
//!
//! With multipliers `λ_i ≥ 0` on `Σ_a x_ia + u_i ≥ 1`:
//! `L(λ) = K + Σ_i λ_i + Σ_i min(0, U_i − λ_i) + min_{y ∈ Y} Σ_j ρ_j y_j`,
//! `ρ_j = f_j + Σ_{i ∈ clients(j)} min(0, c_ij − λ_i)`, where `Y` holds the
//! fixings, cardinality and budget (see [`crate::subproblem`]). Every `L(λ)` is a
//! lower bound on the optimum (Fisher 1981). Multipliers are improved by
//! subgradient optimisation (Held, Wolfe & Crowder 1974; Beasley 1993).

use crate::instance::Fixing;
use crate::prep::{Prob, INF};
use crate::subproblem::Sub;
use rayon::prelude::*;
use std::time::Instant;

/// Fixed chunk size for deterministic parallel reductions.
const CHUNK: usize = 4096;
/// Clients per chunk in the ρ computation.
const RHO_CHUNK: usize = 2048;

/// Deterministic parallel sum of `f(i)` over `0..n` (fixed chunking, so the
/// result does not depend on the thread count).
pub(crate) fn det_sum<F: Fn(usize) -> f64 + Sync>(n: usize, f: F) -> f64 {
    let parts: Vec<f64> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut s = 0.0;
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                s += f(i);
            }
            s
        })
        .collect();
    parts.iter().sum()
}

/// One evaluation of `L(λ)`.
#[derive(Debug, Clone)]
pub(crate) struct Eval {
    pub value: f64,
    pub rho: Vec<f64>,
    pub sub: Sub,
}

pub(crate) fn evaluate(p: &Prob, fix: &[Fixing], lambda: &[f64]) -> Eval {
    // Client-major over cost-sorted arcs: only arcs with c_ij < λ_i count, so
    // each client stops at its first arc at or above λ_i. Partial ρ vectors per
    // fixed chunk of clients are summed in chunk order (deterministic).
    let n = p.n;
    let chunk = RHO_CHUNK;
    let parts: Vec<Vec<(u32, f64)>> = (0..p.m.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let mut acc: Vec<(u32, f64)> = Vec::new();
            for i in c * chunk..((c + 1) * chunk).min(p.m) {
                let (s, cs) = p.client_sorted(i);
                let li = lambda[i];
                for k in 0..s.len() {
                    let d = cs[k] - li;
                    if d >= 0.0 {
                        break;
                    }
                    acc.push((s[k], d));
                }
            }
            acc
        })
        .collect();
    let mut rho = p.fixed.clone();
    for part in &parts {
        for &(j, d) in part {
            rho[j as usize] += d;
        }
    }
    for j in 0..n {
        if fix[j] == Fixing::Closed {
            rho[j] = INF;
        }
    }
    let sub = Sub::solve(&rho, fix, p.lo, p.hi, &p.bcost, p.budget);
    let lam = det_sum(p.m, |i| {
        let u = p.unserved[i];
        lambda[i] + if u < lambda[i] { u - lambda[i] } else { 0.0 }
    });
    Eval {
        value: p.constant + lam + sub.value,
        rho,
        sub,
    }
}

/// Result of a subgradient ascent.
#[derive(Debug, Clone)]
pub(crate) struct Ascent {
    /// Exponentially smoothed subproblem selections (volume-style primal
    /// estimate, Barahona & Anbil 2000); used for branching and rounding.
    pub ybar: Vec<f64>,
    /// Integral selections seen every few iterations (for Lagrangian heuristics).
    pub samples: Vec<Vec<bool>>,
    pub best: Eval,
    pub lambda: Vec<f64>,
    pub timed_out: bool,
}

/// Parameters of one ascent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AscentParams {
    pub max_iter: usize,
    pub pi0: f64,
    pub patience: usize,
    pub pi_min: f64,
    /// Keep the integral selection every this many iterations (0 = never).
    pub sample_every: usize,
    /// At most this many samples.
    pub max_samples: usize,
}

/// Subgradient ascent from `lambda`. Stops at `cutoff` (the node can be pruned),
/// at the iteration limit, when the step parameter is exhausted, or at `deadline`.
pub(crate) fn ascent(
    p: &Prob,
    fix: &[Fixing],
    lambda0: &[f64],
    ub: f64,
    cutoff: f64,
    par: AscentParams,
    deadline: Instant,
) -> Ascent {
    let mut lambda = lambda0.to_vec();
    let mut best_lambda = lambda.clone();
    let mut best: Option<Eval> = None;
    let mut pi = par.pi0;
    let mut stall = 0;
    let mut y = vec![0.0; p.n];
    let mut ybar: Vec<f64> = Vec::new();
    let mut samples: Vec<Vec<bool>> = Vec::new();
    let mut iters = 0;
    let mut timed_out = false;
    for _ in 0..par.max_iter.max(1) {
        iters += 1;
        let e = evaluate(p, fix, &lambda);
        let improved = match &best {
            None => true,
            Some(b) => e.value > b.value + 1e-12 * b.value.abs().max(1.0),
        };
        let lval = e.value;
        if !lval.is_finite() {
            // Subproblem infeasible: the node is infeasible whatever λ.
            best_lambda.clone_from(&lambda);
            best = Some(e);
            break;
        }
        e.sub.selection(&e.rho, fix, &p.bcost, &mut y);
        if ybar.is_empty() {
            ybar.clone_from(&y);
        } else {
            for j in 0..p.n {
                ybar[j] = 0.9 * ybar[j] + 0.1 * y[j];
            }
        }
        if par.sample_every > 0 && iters % par.sample_every == 0 && samples.len() < par.max_samples {
            samples.push(y.iter().map(|&v| v >= 1.0 - 1e-9).collect());
        }
        if improved {
            best_lambda.clone_from(&lambda);
            stall = 0;
        } else {
            stall += 1;
        }
        let e_rho_ok = improved;
        // Subgradient.
        let g: Vec<f64> = (0..p.m)
            .into_par_iter()
            .with_min_len(1024)
            .map(|i| {
                let (s, c) = p.client_sorted(i);
                let li = lambda[i];
                let mut gi = 1.0;
                for k in 0..s.len() {
                    if c[k] >= li {
                        break;
                    }
                    gi -= y[s[k] as usize];
                }
                if p.unserved[i] < li {
                    gi -= 1.0;
                }
                // Projection: λ_i = 0 cannot decrease.
                if li <= 0.0 && gi < 0.0 {
                    gi = 0.0;
                }
                gi
            })
            .collect();
        if e_rho_ok {
            best = Some(e);
        }
        let bval = best.as_ref().map_or(lval, |b| b.value);
        if bval >= cutoff {
            break;
        }
        if Instant::now() > deadline {
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
        let norm = det_sum(p.m, |i| g[i] * g[i]);
        if norm <= 1e-18 {
            break;
        }
        let target = if ub.is_finite() { ub } else { bval.abs() * 1.1 + 1.0 };
        let gapv = (target - lval).max(1e-6 * (1.0 + lval.abs()));
        let t = pi * gapv / norm;
        lambda.par_iter_mut().with_min_len(1024).enumerate().for_each(|(i, l)| {
            let v = (*l + t * g[i]).max(0.0);
            *l = v.min(p.unserved[i]);
        });
    }
    let best = match best {
        Some(b) => b,
        None => evaluate(p, fix, &best_lambda),
    };
    if ybar.is_empty() {
        ybar = vec![0.0; p.n];
    }
    Ascent {
        ybar,
        samples,
        best,
        lambda: best_lambda,
        timed_out,
    }
}

/// Initial multipliers: `λ_i = min_j (c_ij + f_j / |clients(j)|)`, capped at `U_i`.
pub(crate) fn initial(p: &Prob) -> Vec<f64> {
    (0..p.m)
        .into_par_iter()
        .map(|i| {
            let (s, c) = p.client(i);
            let mut best = INF;
            for k in 0..s.len() {
                let j = s[k] as usize;
                let deg = (p.sstart[j + 1] - p.sstart[j]).max(1) as f64;
                best = best.min(c[k] + p.fixed[j] / deg);
            }
            best.min(p.unserved[i])
        })
        .collect()
}
