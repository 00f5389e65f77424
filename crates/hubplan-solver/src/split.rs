//! The penalty split of a problem with assignment costs and a large cost for
//! unserved clients (crate-private): the p-median as spopt's users pose it,
//! where a zone with no open site in reach pays a "missing pair" cost that
//! dwarfs every travel time.
//!
//! For a client `i` with unserved cost `U_i` and arc costs `c_ij ≤ C_i`, its
//! cost for an open set `Y` splits exactly as
//!
//! ```text
//! min(U_i, min_{j∈Y} c_ij) = (U_i − C_i)·[no open site in reach]  +  min(C_i, min_{j∈Y} c_ij)
//! ```
//!
//! so the objective is the sum of a **maximal covering** part (each client
//! weighs `U_i − C_i`) and a **capped p-median** (each client's unserved cost
//! lowered to `C_i`). `C_i = θ·U_i` with `θ` the largest ratio of an arc cost
//! to its client's unserved cost, so both parts keep the client's
//! proportions; the covering part is stored divided by `scale =
//! (1 − θ)·min_i U_i`, so that equal unserved costs give it unit weights and
//! an integral bound.
//!
//! Every open set has the same total in both forms, and a lower bound of each
//! part over a region of plans adds up to a lower bound of the whole. The two
//! bounds are strong in different places: the covering part's LP with
//! odd-cycle cuts and strong branching proves maximal covering quickly (the
//! LP search, [`crate::lpbb`]), while the capped p-median's Lagrangian bound
//! is nearly tight (every zone pays a cost of the same order as its travel
//! times). The LP of the whole (the radius formulation) mixes them and is
//! both weak (17 % below the optimum on the suite's S clustered dense
//! p-median) and large (466k arcs). The LP search on the covering part with
//! the capped part's Lagrangian bound added at every node
//! ([`crate::lpbb::search_split`]) is the split search.
//!
//! More parts keep it robust: splits at larger multiples of `θ` ([`MULTIPLES`]:
//! capped parts that care more about coverage; the search keeps the best two
//! by their root bound) and the whole problem itself (`scale` 0, so a node's
//! bound is never below the plain Lagrangian bound where the split is weak).
//! A client that must be served, or whose unserved cost is under
//! `1 / MAX_THETA` times its dearest arc (presolve lowers a client's unserved
//! cost to the arc of a forced-open site in its reach), is not split: it
//! stays whole in every capped part; in the covering part a must-serve client
//! keeps its row as a constraint (weight `INF`: a region that leaves it out
//! of reach is infeasible there already), the others weigh nothing.
//!
//! # References
//! - J.E. Beasley (1993), Lagrangean relaxation, in Modern Heuristic
//!   Techniques for Combinatorial Problems (the capped part's bound).
//! - R.L. Church & C.S. ReVelle (1974), The maximal covering location
//!   problem, PRSA 32 (the covering part).

use crate::prep::{Prob, INF};

/// The largest arc-to-unserved cost ratio `θ` for which the split applies:
/// above it the covering part no longer dominates and the plain Lagrangian
/// bound is as good.
pub(crate) const MAX_THETA: f64 = 0.1;

/// The multiples of `θ` at which the problem is split ([`Split::parts`]).
/// A larger share for the capped part makes its bound care more about
/// coverage and less tight (the suite's S unit clustered dense p-median,
/// root bounds with the covering part at its optimum 19: 218,006 at 1×,
/// 221,138 at 3×, 221,691 at 5×, against the optimum 222,734; the capped
/// part's Lagrangian tree needed 1, 181 and 157 nodes). The best multiple
/// varies with the instance (16 on the M unit clustered sparse one), so the
/// split search bounds this ladder at the root and keeps the best two below
/// it; a ladder of six (1 to 32) gave the same trees at a dearer root.
pub(crate) const MULTIPLES: [f64; 3] = [1.0, 4.0, 16.0];

/// One way of splitting the problem ([`Split`]).
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The capped part: the same arcs, unserved costs `θ_k·U_i`, the share
    /// `1 − scale_k / scale_1` of the site costs (none in the first part),
    /// the problem's constant.
    pub cap: Prob,
    /// A plan's total is `scale · cover + cap` (`scale = (1 − θ_k)·min U`,
    /// the site costs counted in the covering part).
    pub scale: f64,
}

/// The parts of a problem ([`split`]).
#[derive(Debug, Clone)]
pub(crate) struct Split {
    /// The maximal covering part: the same clients, sites and side
    /// constraints, every arc at cost 0, unserved weights `U_i / min U` for
    /// the split clients, `INF` for the must-serve ones and 0 for the others,
    /// the site costs divided by the first part's `scale`, no constant.
    pub cover: Prob,
    /// The capped parts, one per [`MULTIPLES`] (`θ_k = min(k·θ, ½)`,
    /// distinct), then the whole problem (`scale` 0): each `scale_k · cover +
    /// cap_k` is the objective. The last keeps the node bound at least the
    /// plain Lagrangian bound where the split is weak.
    pub parts: Vec<Part>,
}

fn is_int(x: f64) -> bool {
    x.is_finite() && x == x.round() && x.abs() < 1e15
}

/// A client whose unserved cost is finite and at least `1 / MAX_THETA`
/// times its dearest arc is split; the others (must-serve clients, clients
/// whose unserved cost presolve lowered to a forced-open site's arc) stay
/// whole in every capped part (in the covering part, must-serve clients keep
/// their rows, the others weigh nothing).
fn splits(p: &Prob, i: usize) -> Option<f64> {
    let u = p.unserved[i];
    if !u.is_finite() || u <= 0.0 {
        return None;
    }
    let (_, c) = p.client(i);
    let r = c.iter().fold(0.0f64, |m, &x| m.max(x / u));
    (r <= MAX_THETA).then_some(r)
}

/// `θ` (the largest ratio over the split clients), their least unserved
/// cost and their number.
fn ratio(p: &Prob) -> (f64, f64, usize) {
    let mut theta: f64 = 0.0;
    let mut umin = INF;
    let mut n = 0;
    for i in 0..p.m {
        if let Some(r) = splits(p, i) {
            theta = theta.max(r);
            umin = umin.min(p.unserved[i]);
            n += 1;
        }
    }
    (theta, umin, n)
}

/// The chooser's test: at least half the kept clients are split (and some
/// are), checked in `O(arcs)` without building the split.
pub(crate) fn applies(p: &Prob) -> bool {
    let (_, _, n) = ratio(p);
    n > 0 && 2 * n >= p.m
}

/// The split of `p`, or `None` when no client splits (see [`applies`] for
/// the chooser's stricter test).
pub(crate) fn split(p: &Prob) -> Option<Split> {
    let (theta, umin, n) = ratio(p);
    if n == 0 {
        return None;
    }
    let split_client: Vec<bool> = (0..p.m).map(|i| splits(p, i).is_some()).collect();
    let scale = (1.0 - theta) * umin;
    let mut cover = p.clone();
    cover.ccost.iter_mut().for_each(|c| *c = 0.0);
    cover.occost.iter_mut().for_each(|c| *c = 0.0);
    cover.scost.iter_mut().for_each(|c| *c = 0.0);
    // Must-serve clients keep their covering rows (weight `INF`): a region
    // that leaves one out of reach is infeasible in the covering LP already.
    for (u, &sc) in cover.unserved.iter_mut().zip(&split_client) {
        *u = if sc {
            *u / umin
        } else if u.is_finite() {
            0.0
        } else {
            INF
        };
    }
    for f in cover.fixed.iter_mut() {
        *f /= scale;
    }
    cover.constant = 0.0;
    cover.integral = cover
        .unserved
        .iter()
        .filter(|u| u.is_finite())
        .chain(&cover.fixed)
        .all(|&x| is_int(x));
    let mut parts: Vec<Part> = Vec::new();
    let shares = MULTIPLES.iter().map(|k| (k * theta).min(0.5).max(theta)).chain([1.0]);
    for t in shares {
        let sc = (1.0 - t) * umin;
        if parts.iter().any(|q| q.scale == sc) {
            continue;
        }
        let mut cap = p.clone();
        for (u, &s) in cap.unserved.iter_mut().zip(&split_client) {
            if s {
                *u *= t;
            }
        }
        // The covering part counts `sc / scale` of the site costs here.
        cap.fixed.iter_mut().for_each(|f| *f *= 1.0 - sc / scale);
        cap.integral = t == 1.0 && p.integral;
        parts.push(Part { cap, scale: sc });
    }
    Some(Split { cover, parts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Arc, Cardinality, Instance};
    use crate::prep::{reduce, Prep};

    /// A small p-median with a missing-pair cost, plus clients that stay
    /// whole, every open set enumerated: the parts add up to the objective
    /// for every plan.
    #[test]
    fn parts_add_up_to_the_objective_for_every_plan() {
        let mut inst = Instance::with_sites(6);
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64
        };
        for _ in 0..30 {
            let need = 1.0 + (next() * 5.0).floor();
            let mut arcs = Vec::new();
            for j in 0..6 {
                if next() < 0.5 {
                    arcs.push(Arc {
                        site: j,
                        cost: need * (next() * 60.0).round(),
                    });
                }
            }
            inst.push_client(arcs, Some(need * 9999.0), need);
        }
        // Clients that stay whole: must-serve, and a penalty only 2× the arcs.
        for k in 0..4u32 {
            let arcs = vec![Arc { site: k, cost: 3.0 }, Arc { site: k + 1, cost: 7.0 }];
            inst.push_client(arcs.clone(), None, 1.0);
            inst.push_client(arcs, Some(14.0), 1.0);
        }
        inst.cardinality = Some(Cardinality { min: 2, max: 2 });
        let Prep::Ok(p) = reduce(&inst) else {
            panic!("infeasible")
        };
        let s = split(&p).expect("applies");
        assert!(
            s.cover.integral,
            "need is integral: the covering part has integral weights"
        );
        assert!(s.parts.len() >= 2 && s.parts.len() <= MULTIPLES.len() + 1);
        assert_eq!(s.parts.last().map(|q| q.scale), Some(0.0), "the whole problem last");
        let mut finite = 0;
        for part in &s.parts {
            for mask in 0u32..64 {
                let open: Vec<bool> = (0..p.n).map(|j| mask >> j & 1 == 1).collect();
                let whole = p.objective(&open);
                let cover = s.cover.objective(&open);
                let parts = match part.scale {
                    0.0 => part.cap.objective(&open),
                    sc => sc * cover + part.cap.objective(&open),
                };
                if whole.is_infinite() {
                    // A must-serve client left unserved, in both forms, and
                    // infeasible in the covering part (its row is kept).
                    assert!(parts.is_infinite(), "{mask}: {whole} vs {parts}");
                    assert!(cover.is_infinite(), "{mask}: covering part {cover}");
                    continue;
                }
                assert!(cover.is_finite(), "{mask}: covering part {cover}");
                assert!(
                    (whole - parts).abs() <= 1e-6 * whole.abs().max(1.0),
                    "{mask}: {whole} vs {parts}"
                );
                finite += 1;
            }
        }
        assert!(finite > 0, "no plan serves the must-serve clients");
    }

    #[test]
    fn must_serve_clients_or_small_penalties_do_not_split() {
        // Two sites, one to open, two clients each nearer one of them.
        let prob = |unserved: Option<f64>| {
            let mut inst = Instance::with_sites(2);
            inst.cardinality = Some(Cardinality { min: 1, max: 1 });
            inst.push_client(
                vec![Arc { site: 0, cost: 1.0 }, Arc { site: 1, cost: 5.0 }],
                unserved,
                1.0,
            );
            inst.push_client(
                vec![Arc { site: 0, cost: 5.0 }, Arc { site: 1, cost: 1.0 }],
                unserved,
                1.0,
            );
            let Prep::Ok(p) = reduce(&inst) else {
                panic!("infeasible")
            };
            assert_eq!(p.m, 2, "presolve kept both clients");
            p
        };
        assert!(split(&prob(None)).is_none(), "must be served");
        assert!(split(&prob(Some(20.0))).is_none(), "θ = 0.25");
        assert!(split(&prob(Some(50.0))).is_some(), "θ = 0.1");
        assert!(applies(&prob(Some(50.0))));
    }
}
