//! Lagrangian branch-and-bound over the sites (crate-private).
//!
//! This module says how one node is bounded and split: a subgradient ascent
//! warm-started from the parent's multipliers, Lagrangian heuristics,
//! reduced-cost fixing and the branching choice. The tree search itself — the
//! queue, the incumbent, the bound, the limits and the deterministic parallel
//! rounds — is [`crate::tree`], shared with the LP search.

use crate::heuristic::{greedy, root_moves, Ls};
use crate::instance::Fixing;
use crate::lagrange::{ascent, initial, AscentParams};
use crate::prep::Prob;
use crate::tree::{self, Candidate, Expansion, Limits, Node, Search, Tree};
use rayon::prelude::*;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

/// What a node of the Lagrangian tree carries.
#[derive(Debug, Clone)]
struct Lag {
    /// Branching and reduced-cost fixings on the way from the root.
    decisions: Vec<(u32, bool)>,
    /// The parent's multipliers (warm start of the ascent).
    lambda: Arc<Vec<f64>>,
}

struct Ctx<'a> {
    p: &'a Prob,
    deadline: Instant,
    rel_gap: f64,
    abs_gap: f64,
    /// The root multipliers come from the LP (interior point): the root
    /// ascent starts with small steps, and the LP point is one more start of
    /// the root heuristic.
    lp_root: Option<&'a crate::ipm::Root>,
}

impl Ctx<'_> {
    /// Makes a Lagrangian value a safe bound (float safety, integrality).
    fn safe(&self, v: f64) -> f64 {
        if !v.is_finite() {
            return v;
        }
        let v = v - 1e-9 * (1.0 + v.abs());
        if self.p.integral {
            v.ceil()
        } else {
            v
        }
    }
}

/// Quick infeasibility test of a node's fixings.
fn node_infeasible(p: &Prob, fix: &[Fixing]) -> bool {
    let mut n_open = 0;
    let mut n_avail = 0;
    let mut used = 0.0;
    for j in 0..p.n {
        if fix[j] == Fixing::Open {
            n_open += 1;
            used += p.bcost[j];
        }
        if fix[j] != Fixing::Closed {
            n_avail += 1;
        }
    }
    if n_open > p.hi || n_avail < p.lo || !p.budget_ok(used) {
        return true;
    }
    (0..p.m).into_par_iter().with_min_len(1024).any(|i| {
        if p.unserved[i].is_finite() {
            return false;
        }
        let (s, _) = p.client(i);
        s.iter().all(|&j| fix[j as usize] == Fixing::Closed)
    })
}

fn heuristic(ctx: &Ctx, start: &[bool], moves: usize) -> Option<Candidate> {
    let p = ctx.p;
    let mut ls = Ls::new(p, &p.fix, start);
    if !ls.repair(ctx.deadline) {
        return None;
    }
    ls.improve(moves, ctx.deadline);
    ls.result()
}

/// Set covering only: the row-weighting search ([`crate::rwls::polish`])
/// from the best plan of the root's heuristics, when it is above the root
/// bound `lb` and no worse than the incumbent `ub`, towards a cover at `lb`.
/// The Lagrangian heuristics' plans on a large unit-cost set covering stop
/// far above the optimum (L unit clustered sparse: 474 against a bound of
/// 397), where this search gets within a few columns of it.
fn row_weighting(ctx: &Ctx, fix: &[Fixing], found: &[Candidate], ub: f64, lb: f64) -> Option<Candidate> {
    // The best plan found here; ties to the first (the order of `starts`).
    let best = found.iter().fold(None::<&Candidate>, |b, c| match b {
        Some(b) if b.0 <= c.0 => Some(b),
        _ => Some(c),
    })?;
    if best.0 > ub {
        return None;
    }
    crate::rwls::polish(ctx.p, fix, best, lb, ctx.deadline, "lagrangian")
}

fn process(ctx: &Ctx, node: &Node<Lag>, ub: f64, root: bool) -> Expansion<Lag> {
    let p = ctx.p;
    let cutoff = ctx.cutoff(ub);
    let mut out = Expansion::empty();
    let mut fix = p.fixings_with(&node.data.decisions);
    if node_infeasible(p, &fix) {
        return out;
    }
    let free: Vec<usize> = (0..p.n).filter(|&j| fix[j] == Fixing::Free).collect();
    if free.is_empty() {
        let open: Vec<bool> = fix.iter().map(|f| *f == Fixing::Open).collect();
        if p.side_ok(&open) {
            let z = p.objective(&open);
            if z.is_finite() {
                out.candidates.push((z, open));
            }
        }
        return out;
    }
    let par = if root {
        AscentParams {
            max_iter: 5000,
            pi0: if ctx.lp_root.is_some() { 0.1 } else { 2.0 },
            patience: 60,
            pi_min: 1e-5,
            sample_every: 40,
            max_samples: if p.csite.len() > 200_000 { 3 } else { 12 },
        }
    } else {
        AscentParams {
            max_iter: 600,
            pi0: 2.0,
            patience: 40,
            pi_min: 1e-3,
            sample_every: 0,
            max_samples: 0,
        }
    };
    let asc = ascent(p, &fix, &node.data.lambda, ub, cutoff, par, ctx.deadline);
    let lambda = Arc::new(asc.lambda);
    let e = asc.best;
    let lb = ctx.safe(e.value).max(node.lb);
    if asc.timed_out && lb < cutoff {
        return Expansion::interrupted();
    }
    // Lagrangian heuristic from the subproblem's selection.
    let mut y = vec![0.0; p.n];
    e.sub.selection(&e.rho, &fix, &p.bcost, &mut y);
    let start: Vec<bool> = y.iter().map(|&v| v >= 1.0 - 1e-9).collect();
    let moves = if root { root_moves(p) } else { 50 };
    let mut starts = vec![start];
    if root {
        starts.extend(asc.samples.iter().cloned());
        starts.push(asc.ybar.iter().map(|&v| v >= 0.5).collect());
        if let Some(r) = ctx.lp_root {
            starts.push(r.y.iter().map(|&v| v >= 0.5).collect());
        }
    }
    let found: Vec<Candidate> = starts.par_iter().filter_map(|s| heuristic(ctx, s, moves)).collect();
    if root {
        if let Some(better) = row_weighting(ctx, &fix, &found, ub, lb) {
            out.candidates.push(better);
        }
    }
    out.candidates.extend(found);
    if lb >= cutoff {
        out.discarded = lb;
        return out;
    }
    // Reduced-cost fixing and the branching choice.
    let rest = e.value - e.sub.value;
    let scored: Vec<(usize, f64, f64)> = free
        .par_iter()
        .map(|&j| {
            let lo_open = ctx.safe(rest + e.sub.lb_open(j, &e.rho, &p.bcost));
            let lo_closed = ctx.safe(rest + e.sub.lb_closed(j, &e.rho, &p.bcost));
            (j, lo_open, lo_closed)
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
            let f = asc.ybar[j].min(1.0 - asc.ybar[j]);
            let key = f;
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
    let child = |decisions| Lag {
        decisions,
        lambda: lambda.clone(),
    };
    match best_branch {
        None => {
            // Every free site was fixed: one child with the fixings.
            out.children.push((lb, child(decisions)));
        }
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

impl Tree for Ctx<'_> {
    type Data = Lag;
    type Error = Infallible;
    fn cutoff(&self, ub: f64) -> f64 {
        self.p.cutoff(ub, self.rel_gap, self.abs_gap)
    }
    fn expand(&self, node: &Node<Lag>, ub: f64, root: bool) -> Result<Expansion<Lag>, Infallible> {
        Ok(process(self, node, ub, root))
    }
}

/// Runs the search: a greedy start, then the tree search of [`crate::tree`].
/// `start` (a warm start) replaces the greedy start when given. `lp_root`
/// (the root LP by [`crate::ipm`]) gives the root's multipliers in place of
/// [`initial`]'s.
pub(crate) fn search(
    p: &Prob,
    rel_gap: f64,
    abs_gap: f64,
    deadline: Instant,
    start: Option<Candidate>,
    lp_root: Option<&crate::ipm::Root>,
) -> Search {
    let ctx = Ctx {
        p,
        deadline,
        rel_gap,
        abs_gap,
        lp_root,
    };
    // Greedy start: forced sites, repair, fill, local search.
    let incumbent = start.or_else(|| greedy(p, &p.fix, &vec![false; p.n], root_moves(p), deadline));
    let root = Lag {
        decisions: Vec::new(),
        lambda: Arc::new(lp_root.map_or_else(|| initial(p), |r| r.lambda.clone())),
    };
    let limits = Limits {
        deadline,
        max_nodes: None,
    };
    match tree::run(&ctx, root, incumbent, limits, "lagrangian") {
        Ok(s) => s,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Arc as Pair, Instance};
    use crate::prep::{reduce, Prep};
    use crate::synthetic::SplitMix64;
    use std::time::Duration;

    /// A unicost set covering instance: 60 rows over 14 sites, each row
    /// covered by 2–4 random sites.
    fn covering(seed: u64) -> Prob {
        let (m, n) = (60, 14);
        let mut r = SplitMix64(seed);
        let mut inst = Instance::with_sites(n);
        inst.fixed_cost = vec![1.0; n];
        for _ in 0..m {
            let d = 2 + (r.next_u64() % 3) as usize;
            let mut cols: Vec<u32> = (0..d).map(|_| (r.next_u64() % n as u64) as u32).collect();
            cols.sort_unstable();
            cols.dedup();
            inst.push_client(
                cols.into_iter().map(|site| Pair { site, cost: 0.0 }).collect(),
                None,
                1.0,
            );
        }
        match reduce(&inst) {
            Prep::Ok(p) => *p,
            Prep::Infeasible(e) => panic!("{e}"),
        }
    }

    /// A search context on `p` with no gap and time to spare.
    fn exact(p: &Prob) -> Ctx<'_> {
        Ctx {
            p,
            deadline: Instant::now() + Duration::from_secs(30),
            rel_gap: 0.0,
            abs_gap: 0.0,
            lp_root: None,
        }
    }

    /// The least cover, by trying every subset of the sites.
    fn brute(p: &Prob) -> f64 {
        (0u32..(1 << p.n))
            .map(|mask| (0..p.n).map(|j| mask >> j & 1 == 1).collect::<Vec<bool>>())
            .filter(|open| p.side_ok(open))
            .map(|open| p.objective(&open))
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn the_root_row_weighting_search_turns_a_poor_cover_into_the_least_one() {
        for seed in 1..=8 {
            let p = covering(seed);
            let ctx = exact(&p);
            let opt = brute(&p);
            // Every free site open: a cover, and the worst one.
            let all: Vec<bool> = (0..p.n).map(|j| p.fix[j] != Fixing::Closed).collect();
            let poor = (p.objective(&all), all);
            assert!(poor.0 > opt, "seed {seed}: every site is already the least cover");
            // With the optimum as the target bound, the search reaches it.
            let got = row_weighting(&ctx, &p.fix, std::slice::from_ref(&poor), f64::INFINITY, opt)
                .unwrap_or_else(|| panic!("seed {seed}: no better cover than {}", poor.0));
            assert_eq!(got.0, opt, "seed {seed}");
            assert_eq!(
                p.objective(&got.1),
                opt,
                "seed {seed}: the plan's cost is its objective"
            );
            assert!(p.side_ok(&got.1), "seed {seed}");
            // A plan already at the bound, or worse than the incumbent, is left alone.
            assert!(row_weighting(&ctx, &p.fix, std::slice::from_ref(&got), f64::INFINITY, opt).is_none());
            assert!(row_weighting(&ctx, &p.fix, std::slice::from_ref(&poor), opt, opt - 1.0).is_none());
        }
    }

    #[test]
    fn the_root_row_weighting_search_leaves_maximal_covering_alone() {
        let mut p = covering(3);
        p.hi = 3;
        let ctx = exact(&p);
        let all: Vec<bool> = vec![true; p.n];
        assert!(row_weighting(&ctx, &p.fix, &[(99.0, all)], f64::INFINITY, 1.0).is_none());
    }
}
