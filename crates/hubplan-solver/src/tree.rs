//! The one branch-and-bound driver under both exact searches (crate-private).
//!
//! The Lagrangian search ([`crate::bnb`]) and the LP search ([`crate::lpbb`])
//! differ only in how they bound and split one node; this module owns the rest
//! of the tree search once:
//!
//! - the **node queue**: best bound first, then the deepest, then the oldest
//!   (creation number), so ties never depend on timing;
//! - the **incumbent**: a candidate replaces it only when strictly better, and
//!   candidates are considered in a fixed order;
//! - the **global bound**: the least of the open nodes' bounds and of every
//!   region a node discarded, so the bound stays valid when the search stops early;
//! - the **stop tests**: the gap (a node whose bound reaches the cutoff cannot
//!   improve the incumbent enough), the wall-clock deadline and a node limit;
//! - **determinism**: nodes run in synchronous rounds — the root alone, then
//!   [`BATCH`] nodes at a time — expanded in parallel (rayon) and merged in the
//!   order they were taken from the queue. Neither the explored tree nor the
//!   answer depends on the number of threads; only the deadline can stop the
//!   search at a timing-dependent point (a node limit stops it at the same
//!   point on every machine).

use crate::prep::INF;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

/// Nodes per synchronous round (fixed: part of the deterministic contract).
pub(crate) const BATCH: usize = 8;

/// A feasible plan found by a search: its objective and its open sites.
pub(crate) type Candidate = (f64, Vec<bool>);

/// A region of the search space that a search discarded, solved or left
/// open: the decisions `(site, open)` that define it, a valid lower bound on
/// every plan in it and, when its LP optimum was an integral plan, that plan.
/// The regions a complete search records cover every feasible plan (an
/// LP-infeasible region holds none), which is what a re-plan under an added
/// fixing restarts from ([`crate::warm`]; Gamrath, Hiller & Witzig 2015).
#[derive(Debug, Clone)]
pub(crate) struct Region {
    /// Lower bound of every plan in the region.
    pub bound: f64,
    /// The branching (and probing) decisions that define it.
    pub decisions: Vec<(u32, bool)>,
    /// The region's LP optimum when it was an integral plan (its value is `bound`).
    pub plan: Option<Candidate>,
}

/// Result of a search in the reduced problem.
#[derive(Debug)]
pub(crate) struct Search {
    /// The best plan found.
    pub best: Option<Candidate>,
    /// A proven lower bound on the optimum.
    pub bound: f64,
    /// Nodes expanded.
    pub nodes: u64,
    /// The whole tree was explored or pruned (the bound is final).
    pub complete: bool,
}

/// One node of the tree: its bound, its place, and what the search keeps with it.
#[derive(Debug, Clone)]
pub(crate) struct Node<D> {
    /// Lower bound of every plan in this subtree.
    pub lb: f64,
    /// Depth (the root is 0).
    pub depth: u32,
    /// Creation number (the root is 0): the last tie-break of the queue.
    id: u64,
    /// The search's own data (fixings, multipliers, a solved LP, …).
    pub data: D,
}

impl<D> Node<D> {
    /// The node's creation number: unique in its tree, and the same on any
    /// thread count.
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl<D> PartialEq for Node<D> {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl<D> Eq for Node<D> {}
impl<D> PartialOrd for Node<D> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<D> Ord for Node<D> {
    fn cmp(&self, o: &Self) -> Ordering {
        // BinaryHeap pops the greatest: lowest bound, then deepest, then oldest.
        o.lb.total_cmp(&self.lb)
            .then(self.depth.cmp(&o.depth))
            .then(o.id.cmp(&self.id))
    }
}

/// What expanding one node produced.
#[derive(Debug)]
pub(crate) struct Expansion<D> {
    /// Feasible plans found at the node (heuristics, an integral point).
    pub candidates: Vec<Candidate>,
    /// Children to queue, each with its bound, in the order they are queued.
    pub children: Vec<(f64, D)>,
    /// Lowest bound of any region the node discarded (`INF` if none).
    pub discarded: f64,
    /// The deadline interrupted the node: it goes back to the queue unexpanded.
    pub interrupted: bool,
    /// An interrupted node's bound, when it got further than its parent's
    /// (`-INF` otherwise): the node is queued again with the larger of the two.
    pub bound: f64,
    /// The regions the node discarded or solved (kept only by [`run_from`]
    /// with `keep`; a search that does not record them leaves this empty).
    pub regions: Vec<Region>,
}

impl<D> Expansion<D> {
    /// Nothing found, nothing discarded, no child (a pruned or infeasible node).
    pub fn empty() -> Self {
        Expansion {
            candidates: Vec::new(),
            children: Vec::new(),
            discarded: INF,
            interrupted: false,
            bound: -INF,
            regions: Vec::new(),
        }
    }

    /// The node was interrupted: it is queued again as it was (the plans in
    /// `candidates`, if any, are still taken).
    pub fn interrupted() -> Self {
        Expansion {
            interrupted: true,
            ..Self::empty()
        }
    }
}

/// How a search bounds and splits one node.
pub(crate) trait Tree: Sync {
    /// What each node carries.
    type Data: Send + Sync;
    /// Why the search gives up (`Infallible` when it never does).
    type Error: Send;
    /// Nodes with a bound at or above this cannot improve an incumbent of value
    /// `ub` by more than the gap.
    fn cutoff(&self, ub: f64) -> f64;
    /// Expands one node, given the incumbent's value `ub` at the start of the
    /// round; `root` is true for the first node only.
    fn expand(&self, node: &Node<Self::Data>, ub: f64, root: bool) -> Result<Expansion<Self::Data>, Self::Error>;
    /// Called once after every round, when its nodes have been merged: a
    /// search that learns across nodes (pseudocosts) folds what the round's
    /// nodes observed here, in an order that does not depend on timing (e.g.
    /// by [`Node::id`]), so every node of a round sees the same state.
    fn end_round(&self) {}
    /// The region of an unexpanded node with bound `lb` (for [`run_from`]
    /// with `keep`); `None` when the search does not record regions.
    fn region(&self, _data: &Self::Data, _lb: f64) -> Option<Region> {
        None
    }
    /// How many open nodes may keep their full state (a solved LP, say);
    /// `None` (the default) for all of them. Beyond it, the nodes last in the
    /// queue are [stashed](Tree::stash) after a round.
    fn live_nodes(&self) -> Option<usize> {
        None
    }
    /// Drops the heavy part of an open node's data, keeping what rebuilds it
    /// when the node is expanded (e.g. its decisions, to re-solve from the
    /// root LP). Called only when [`Tree::live_nodes`] is `Some`.
    fn stash(&self, _data: &mut Self::Data) {}
}

/// When a search stops before the tree is closed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Wall-clock deadline, tested between rounds.
    pub deadline: Instant,
    /// Most nodes to expand (tested between rounds, so a round may pass it by
    /// at most [`BATCH`] − 1); `None` for no limit.
    pub max_nodes: Option<u64>,
}

/// Runs the tree search from `root` with the starting `incumbent` (a greedy
/// plan, if any). An `Err` from [`Tree::expand`] ends the search with it.
/// `label` names the search in the debug trace (the `log` facade).
pub(crate) fn run<T: Tree>(
    tree: &T,
    root: T::Data,
    incumbent: Option<Candidate>,
    limits: Limits,
    label: &str,
) -> Result<Search, T::Error> {
    run_from(tree, vec![(-INF, 0, root)], incumbent, limits, label, false).map(|(s, _)| s)
}

/// [`run`] from several starting nodes `(bound, depth, data)` (a re-plan
/// restarting from the regions of an earlier search: no node is the root
/// then, unless there is exactly one start at depth 0 with bound −∞). With
/// `keep`, also returns every region the search discarded, solved or left
/// open ([`Region`]), in a fixed order: the expansions' regions in merge
/// order, then the queue's.
pub(crate) fn run_from<T: Tree>(
    tree: &T,
    starts: Vec<(f64, u32, T::Data)>,
    incumbent: Option<Candidate>,
    limits: Limits,
    label: &str,
    keep: bool,
) -> Result<(Search, Vec<Region>), T::Error> {
    let t0 = Instant::now();
    let mut best = incumbent;
    let mut heap = BinaryHeap::new();
    let mut first = starts.len() == 1 && starts[0].0 == -INF && starts[0].1 == 0;
    let mut next_id = 0u64;
    for (lb, depth, data) in starts {
        heap.push(Node {
            lb,
            depth,
            id: next_id,
            data,
        });
        next_id += 1;
    }
    let mut nodes = 0u64;
    let mut discarded = INF;
    let mut stopped = false;
    let mut regions: Vec<Region> = Vec::new();
    // Open nodes that may hold their full state, and the stash passes so far.
    let (mut live, mut stashes) = (heap.len(), 0u32);
    let trace = log::log_enabled!(log::Level::Debug);
    loop {
        let ub = best.as_ref().map_or(INF, |b| b.0);
        let cutoff = tree.cutoff(ub);
        // Global bound and the gap test.
        let open_min = heap.peek().map_or(INF, |n| n.lb);
        if heap.is_empty() || (ub.is_finite() && open_min.min(discarded) >= cutoff) {
            break;
        }
        if Instant::now() > limits.deadline || limits.max_nodes.is_some_and(|m| nodes >= m) {
            stopped = true;
            break;
        }
        let mut batch = Vec::new();
        while batch.len() < if first { 1 } else { BATCH } {
            match heap.pop() {
                Some(n) if n.lb >= cutoff => {
                    discarded = discarded.min(n.lb);
                    if keep {
                        regions.extend(tree.region(&n.data, n.lb));
                    }
                }
                Some(n) => batch.push(n),
                None => break,
            }
        }
        if batch.is_empty() {
            continue;
        }
        let root = first;
        first = false;
        let mut pushed = 0usize;
        let outs: Vec<Result<Expansion<T::Data>, T::Error>> =
            batch.par_iter().map(|n| tree.expand(n, ub, root)).collect();
        for (n, o) in batch.into_iter().zip(outs) {
            let o = o?;
            if o.interrupted {
                // The node goes back unexpanded, but a plan its heuristics
                // found before the deadline is a plan.
                for c in o.candidates {
                    if best.as_ref().is_none_or(|b| c.0 < b.0) {
                        best = Some(c);
                    }
                }
                let mut n = n;
                n.lb = n.lb.max(o.bound);
                heap.push(n);
                continue;
            }
            nodes += 1;
            for c in o.candidates {
                if best.as_ref().is_none_or(|b| c.0 < b.0) {
                    best = Some(c);
                }
            }
            discarded = discarded.min(o.discarded);
            if keep {
                regions.extend(o.regions);
            }
            pushed += o.children.len();
            for (lb, data) in o.children {
                heap.push(Node {
                    lb,
                    depth: n.depth + 1,
                    id: next_id,
                    data,
                });
                next_id += 1;
            }
        }
        tree.end_round();
        if let Some(cap) = tree.live_nodes() {
            // Memory: once more than a quarter of the cap (at least a round's
            // children) has been pushed beyond it since the last pass, every
            // node beyond the first `cap` in queue order is stashed, so at
            // most 1.25 × `cap` nodes hold their full state. The pass depends
            // only on the queue, so the tree stays the same on any thread count.
            live += pushed;
            if live > cap + (cap / 4).max(2 * BATCH) {
                let mut all = std::mem::take(&mut heap).into_vec();
                all.sort_by(|a, b| b.cmp(a));
                for n in all.iter_mut().skip(cap) {
                    tree.stash(&mut n.data);
                }
                live = all.len().min(cap);
                stashes += 1;
                heap = BinaryHeap::from(all);
            }
        }
        if trace {
            log::debug!(
                "[hubplan-solver {label}] {:.3}s nodes {nodes} open {} (stash passes {stashes}) ub {} bound {}",
                t0.elapsed().as_secs_f64(),
                heap.len(),
                best.as_ref().map_or(INF, |b| b.0),
                heap.peek().map_or(INF, |n| n.lb).min(discarded)
            );
        }
    }
    let ub = best.as_ref().map_or(INF, |b| b.0);
    let open_min = heap.peek().map_or(INF, |n| n.lb);
    let complete = !stopped && (heap.is_empty() || open_min.min(discarded) >= tree.cutoff(ub));
    let bound = if best.is_some() {
        open_min.min(discarded).min(ub)
    } else {
        open_min.min(discarded)
    };
    if keep {
        // The open nodes, in queue order (the heap's order is fixed by its keys).
        let mut rest = heap.into_vec();
        rest.sort_by(|a, b| b.cmp(a));
        for n in &rest {
            regions.extend(tree.region(&n.data, n.lb));
        }
    }
    Ok((
        Search {
            best,
            bound,
            nodes,
            complete,
        },
        regions,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use std::time::Duration;

    /// Chooses one of `n` items, each either taken or not, minimising
    /// `Σ cost_i x_i` with at least `k` taken: a tiny knapsack-like tree whose
    /// bound is the cost of the fixed part plus the cheapest completion.
    struct Pick {
        cost: Vec<f64>,
        k: usize,
    }

    impl Pick {
        fn bound(&self, fixed: &[Option<bool>]) -> Option<f64> {
            let taken = fixed.iter().filter(|f| **f == Some(true)).count();
            let mut free: Vec<f64> = (0..self.cost.len())
                .filter(|&i| fixed[i].is_none())
                .map(|i| self.cost[i])
                .collect();
            if taken + free.len() < self.k {
                return None;
            }
            free.sort_by(f64::total_cmp);
            let base: f64 = (0..self.cost.len())
                .filter(|&i| fixed[i] == Some(true))
                .map(|i| self.cost[i])
                .sum();
            Some(base + free.iter().take(self.k.saturating_sub(taken)).sum::<f64>())
        }
    }

    impl Tree for Pick {
        type Data = Vec<Option<bool>>;
        type Error = Infallible;
        fn cutoff(&self, ub: f64) -> f64 {
            ub - 1e-9
        }
        fn expand(&self, node: &Node<Self::Data>, _ub: f64, _root: bool) -> Result<Expansion<Self::Data>, Infallible> {
            let mut out = Expansion::empty();
            let Some(j) = node.data.iter().position(Option::is_none) else {
                if let Some(z) = self.bound(&node.data) {
                    out.candidates
                        .push((z, node.data.iter().map(|f| *f == Some(true)).collect()));
                }
                return Ok(out);
            };
            for take in [true, false] {
                let mut d = node.data.clone();
                d[j] = Some(take);
                if let Some(b) = self.bound(&d) {
                    out.children.push((b, d));
                }
            }
            Ok(out)
        }
    }

    fn limits(max_nodes: Option<u64>) -> Limits {
        Limits {
            deadline: Instant::now() + Duration::from_secs(60),
            max_nodes,
        }
    }

    #[test]
    fn finds_the_optimum_and_proves_it() {
        let t = Pick {
            cost: vec![5.0, 3.0, 4.0, 1.0, 2.0],
            k: 3,
        };
        let s = run(&t, vec![None; 5], None, limits(None), "test").unwrap();
        assert!(s.complete);
        let (z, open) = s.best.unwrap();
        assert_eq!(z, 6.0);
        assert_eq!(open, vec![false, true, false, true, true]);
        assert_eq!(s.bound, 6.0);
    }

    #[test]
    fn a_node_limit_stops_at_the_same_point_on_any_thread_count() {
        let t = Pick {
            cost: (0..14).map(|i| f64::from((i * 7) % 11) + 1.0).collect(),
            k: 6,
        };
        let go = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| run(&t, vec![None; 14], None, limits(Some(9)), "test").unwrap())
        };
        let (a, b) = (go(1), go(3));
        assert!(!a.complete);
        assert!(a.nodes >= 9 && a.nodes < 9 + BATCH as u64);
        assert_eq!((a.nodes, a.bound, &a.best), (b.nodes, b.bound, &b.best));
    }

    /// [`Pick`] whose every node runs out of time after finding a plan.
    struct Late(Pick);

    impl Tree for Late {
        type Data = Vec<Option<bool>>;
        type Error = Infallible;
        fn cutoff(&self, ub: f64) -> f64 {
            ub - 1e-9
        }
        fn expand(&self, node: &Node<Self::Data>, _ub: f64, _root: bool) -> Result<Expansion<Self::Data>, Infallible> {
            let mut out = Expansion::interrupted();
            let all = vec![true; self.0.cost.len()];
            out.candidates.push((self.0.cost.iter().sum(), all));
            out.bound = self.0.bound(&node.data).unwrap_or(INF);
            Ok(out)
        }
    }

    #[test]
    fn an_interrupted_node_keeps_its_plans_and_its_bound() {
        let t = Late(Pick {
            cost: vec![5.0, 3.0, 4.0],
            k: 2,
        });
        let lim = Limits {
            deadline: Instant::now() + Duration::from_millis(200),
            max_nodes: None,
        };
        let s = run_from(&t, vec![(-INF, 0, vec![None; 3])], None, lim, "test", false)
            .unwrap()
            .0;
        assert!(!s.complete);
        assert_eq!(s.best.map(|b| b.0), Some(12.0), "the interrupted node's plan");
        assert_eq!(s.bound, 7.0, "the interrupted node's bound");
    }

    #[test]
    fn an_infeasible_tree_is_complete_without_a_plan() {
        let t = Pick {
            cost: vec![1.0, 2.0],
            k: 3,
        };
        let s = run(&t, vec![None; 2], None, limits(None), "test").unwrap();
        assert!(s.complete && s.best.is_none());
    }
}
