//! Deterministic parallel Lagrangian branch-and-bound over the sites (crate-private).
//!
//! Nodes are explored in synchronous rounds: the `BATCH` best open nodes (by
//! bound, then depth, then creation number) are processed in parallel, and their
//! results are merged in a fixed order. Neither the explored tree nor the answer
//! depends on the number of threads; only the time limit can stop the search at
//! a timing-dependent point.

use crate::heuristic::{greedy, root_moves, Ls};
use crate::instance::Fixing;
use crate::lagrange::{ascent, initial, AscentParams};
use crate::prep::{Prob, INF};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::time::Instant;

/// Nodes per synchronous round (fixed: part of the deterministic contract).
const BATCH: usize = 8;

/// Result of the search in the reduced problem.
#[derive(Debug)]
pub(crate) struct Search {
    pub best: Option<(f64, Vec<bool>)>,
    pub bound: f64,
    pub nodes: u64,
    /// The whole tree was explored or pruned (bound is final).
    pub complete: bool,
}

#[derive(Debug, Clone)]
struct Node {
    lb: f64,
    depth: u32,
    id: u64,
    decisions: Vec<(u32, bool)>,
    lambda: Arc<Vec<f64>>,
}

impl PartialEq for Node {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Node {
    fn cmp(&self, o: &Self) -> Ordering {
        // BinaryHeap pops the greatest: lowest bound, then deepest, then oldest.
        o.lb.total_cmp(&self.lb)
            .then(self.depth.cmp(&o.depth))
            .then(o.id.cmp(&self.id))
    }
}

struct NodeOut {
    /// Node bound after the ascent (for tracing).
    lb: f64,
    /// Lowest bound of any region discarded by this node (INF if none).
    discarded: f64,
    candidates: Vec<(f64, Vec<bool>)>,
    children: Vec<(f64, Vec<(u32, bool)>)>,
    lambda: Arc<Vec<f64>>,
    /// The node was interrupted by the deadline: put it back.
    interrupted: bool,
}

struct Ctx<'a> {
    p: &'a Prob,
    deadline: Instant,
    rel_gap: f64,
    abs_gap: f64,
}

impl Ctx<'_> {
    /// Nodes with a bound at or above this cannot improve the incumbent enough.
    fn cutoff(&self, ub: f64) -> f64 {
        self.p.cutoff(ub, self.rel_gap, self.abs_gap)
    }
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

fn trace() -> bool {
    log::log_enabled!(log::Level::Debug)
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

fn heuristic(ctx: &Ctx, start: &[bool], moves: usize) -> Option<(f64, Vec<bool>)> {
    let p = ctx.p;
    let mut ls = Ls::new(p, &p.fix, start);
    if !ls.repair(ctx.deadline) {
        return None;
    }
    ls.improve(moves, ctx.deadline);
    ls.result()
}

fn process(ctx: &Ctx, node: &Node, ub: f64, root: bool) -> NodeOut {
    let p = ctx.p;
    let cutoff = ctx.cutoff(ub);
    let mut out = NodeOut {
        lb: node.lb,
        discarded: INF,
        candidates: Vec::new(),
        children: Vec::new(),
        lambda: node.lambda.clone(),
        interrupted: false,
    };
    let mut fix = p.fixings_with(&node.decisions);
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
            pi0: 2.0,
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
    let asc = ascent(p, &fix, &node.lambda, ub, cutoff, par, ctx.deadline);
    out.lambda = Arc::new(asc.lambda);
    let e = asc.best;
    let lb = ctx.safe(e.value).max(node.lb);
    out.lb = lb;
    if asc.timed_out && lb < cutoff {
        out.interrupted = true;
        return out;
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
    }
    let found: Vec<(f64, Vec<bool>)> = starts.par_iter().filter_map(|s| heuristic(ctx, s, moves)).collect();
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
    let mut decisions = node.decisions.clone();
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
    match best_branch {
        None => {
            // Every free site was fixed: one child with the fixings.
            out.children.push((lb, decisions));
        }
        Some((_, _, j, lo_open, lo_closed)) => {
            let mut d1 = decisions.clone();
            d1.push((j as u32, true));
            let mut d0 = decisions;
            d0.push((j as u32, false));
            out.children.push((lb.max(lo_open), d1));
            out.children.push((lb.max(lo_closed), d0));
        }
    }
    out
}

/// Runs the search. `start` is the moment the solve began.
pub(crate) fn search(p: &Prob, rel_gap: f64, abs_gap: f64, deadline: Instant) -> Search {
    let ctx = Ctx {
        p,
        deadline,
        rel_gap,
        abs_gap,
    };
    let mut best: Option<(f64, Vec<bool>)> = None;
    let consider = |best: &mut Option<(f64, Vec<bool>)>, c: (f64, Vec<bool>)| {
        let better = match best {
            None => true,
            Some((z, _)) => c.0 < *z,
        };
        if better {
            *best = Some(c);
        }
    };
    // Greedy start: forced sites, repair, fill, local search.
    if let Some(c) = greedy(p, &p.fix, &vec![false; p.n], root_moves(p), deadline) {
        consider(&mut best, c);
    }
    let mut heap = BinaryHeap::new();
    heap.push(Node {
        lb: -INF,
        depth: 0,
        id: 0,
        decisions: Vec::new(),
        lambda: Arc::new(initial(p)),
    });
    let mut next_id = 1u64;
    let mut nodes = 0u64;
    let mut discarded = INF;
    let mut first = true;
    let mut timed_out = false;
    loop {
        let ub = best.as_ref().map_or(INF, |b| b.0);
        let cutoff = ctx.cutoff(ub);
        // Global bound and stop test.
        let open_min = heap.peek().map_or(INF, |n| n.lb);
        let bound = open_min.min(discarded);
        if heap.is_empty() || (ub.is_finite() && bound >= cutoff) {
            break;
        }
        if Instant::now() > deadline {
            timed_out = true;
            break;
        }
        let mut batch = Vec::new();
        while batch.len() < if first { 1 } else { BATCH } {
            match heap.pop() {
                Some(n) if n.lb >= cutoff => discarded = discarded.min(n.lb),
                Some(n) => batch.push(n),
                None => break,
            }
        }
        if batch.is_empty() {
            continue;
        }
        let root = first;
        first = false;
        let outs: Vec<NodeOut> = batch.par_iter().map(|n| process(&ctx, n, ub, root)).collect();
        if trace() && (root || nodes % 200 == 0) {
            log::debug!(
                "[hubplan-solver] nodes {nodes} open {} ub {ub} bound {} first-lb {:?}",
                heap.len(),
                heap.peek().map_or(INF, |n| n.lb).min(discarded),
                outs.first().map(|o| o.lb)
            );
        }
        for (n, o) in batch.into_iter().zip(outs) {
            if o.interrupted {
                heap.push(n);
                continue;
            }
            nodes += 1;
            for c in o.candidates {
                consider(&mut best, c);
            }
            discarded = discarded.min(o.discarded);
            for (lb, dec) in o.children {
                heap.push(Node {
                    lb,
                    depth: n.depth + 1,
                    id: next_id,
                    decisions: dec,
                    lambda: o.lambda.clone(),
                });
                next_id += 1;
            }
        }
    }
    let ub = best.as_ref().map_or(INF, |b| b.0);
    let open_min = heap.peek().map_or(INF, |n| n.lb);
    let complete = !timed_out && (heap.is_empty() || open_min.min(discarded) >= ctx.cutoff(ub));
    let bound = if best.is_some() {
        open_min.min(discarded).min(ub)
    } else {
        open_min.min(discarded)
    };
    Search {
        best,
        bound,
        nodes,
        complete,
    }
}
