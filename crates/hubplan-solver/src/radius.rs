//! The radius (covering) formulation of problems with assignment costs
//! (crate-private): p-median and facility location rewritten as a weighted
//! covering problem, so that the LP search ([`crate::lpbb`]) can solve them.
//!
//! For a client `i` with distinct arc costs `D_1 < D_2 < … < D_m` (below its
//! unserved cost `U_i`, with `D_{m+1} = U_i`), its cost for an open set `Y` is
//!
//! ```text
//! D_1 + Σ_{k=1..m} (D_{k+1} − D_k) · [no open site j with c_ij ≤ D_k]
//! ```
//!
//! so each level `k` becomes a covering client with the zero-cost arcs
//! `{j : c_ij ≤ D_k}` and the unserved cost `D_{k+1} − D_k` (must-cover for the
//! top level of a client that must be served), and `D_1` moves to the
//! objective constant. For every open set both problems have the same value;
//! the covering LP relaxation is the radius formulation of Elloumi (2010) and
//! García, Labbé & Marín (2011), as strong as the classical strong p-median
//! LP. The LP search adds level rows lazily (row generation), so only the
//! levels the LP point leaves uncovered enter the LP.
//!
//! # References
//! - S. Elloumi (2010), A computational study of a new formulation for the
//!   p-median problem, Networks 55, 13–26.
//! - S. García, M. Labbé, A. Marín (2011), Solving large p-median problems with
//!   a radius formulation, INFORMS J. Computing 23, 546–556.

use crate::instance::{Arc, Cardinality, Instance};
use crate::prep::{reduce, Prep, Prob, INF};

/// Total arcs of the covering form of `p` (`Σ_i Σ_k |{j : c_ij ≤ D_k}|`),
/// counted without building it.
pub(crate) fn covering_arcs(p: &Prob) -> usize {
    let mut total = 0usize;
    for i in 0..p.m {
        let (_, c) = p.client_sorted(i);
        let mut k = 0;
        while k < c.len() {
            let mut e = k + 1;
            while e < c.len() && c[e] == c[k] {
                e += 1;
            }
            total += e;
            k = e;
        }
    }
    total
}

/// The covering form of `p` (see the module docs), reduced. Same sites,
/// fixings, budget and cardinality; every open set has the same objective.
/// `None` if the covering instance is (unexpectedly) proven infeasible.
pub(crate) fn covering(p: &Prob) -> Option<Prob> {
    let mut inst = Instance::with_sites(p.n);
    inst.fixed_cost.clone_from(&p.fixed);
    inst.budget_cost.clone_from(&p.bcost);
    inst.budget = p.budget;
    if p.lo > 0 || p.hi < p.n {
        inst.cardinality = Some(Cardinality {
            min: p.lo as u32,
            max: p.hi as u32,
        });
    }
    inst.fixing.clone_from(&p.fix);
    let mut constant = p.constant;
    for i in 0..p.m {
        let (s, c) = p.client_sorted(i);
        let u = p.unserved[i];
        constant += c[0];
        let mut k = 0;
        while k < c.len() {
            let mut e = k + 1;
            while e < c.len() && c[e] == c[k] {
                e += 1;
            }
            let next = if e < c.len() { c[e] } else { u };
            let arcs: Vec<Arc> = s[..e].iter().map(|&j| Arc { site: j, cost: 0.0 }).collect();
            let w = next - c[k];
            inst.push_client(arcs, (next < INF).then_some(w), 1.0);
            k = e;
        }
    }
    match reduce(&inst) {
        Prep::Ok(mut q) => {
            q.constant += constant;
            q.integral = q.integral && p.integral;
            Some(*q)
        }
        Prep::Infeasible(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::SplitMix64;

    #[test]
    fn same_objective_on_every_open_set() {
        let mut rng = SplitMix64(7);
        for _ in 0..50 {
            let n = 6;
            let mut inst = Instance::with_sites(n);
            inst.cardinality = Some(Cardinality { min: 1, max: 4 });
            for _ in 0..12 {
                let mut arcs: Vec<Arc> = Vec::new();
                for j in 0..n as u32 {
                    let cost = (rng.unit() * 5.0).floor();
                    if rng.unit() < 0.6 {
                        arcs.push(Arc { site: j, cost });
                    }
                }
                let u = if rng.unit() < 0.5 { Some(9.0) } else { None };
                if arcs.is_empty() && u.is_none() {
                    continue;
                }
                inst.push_client(arcs, u, 1.0);
            }
            let Prep::Ok(p) = reduce(&inst) else { continue };
            let q = covering(&p).expect("covering form");
            assert!(q.ccost.iter().all(|&c| c == 0.0));
            for mask in 0u32..(1 << n) {
                let open: Vec<bool> = (0..n).map(|j| mask >> j & 1 == 1).collect();
                let a = p.objective(&open);
                let b = q.objective(&open);
                assert!(a == b || (a - b).abs() < 1e-9, "{a} vs {b}");
            }
        }
    }
}
