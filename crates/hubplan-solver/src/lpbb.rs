//! LP-based branch-and-bound for covering instances (crate-private).
//!
//! Maximal-covering problems under a budget or a site count ("MCLP-T") are the
//! case where the Lagrangian bound converges slowly and sits at best at the LP
//! bound, so the Lagrangian tree grows large. Their LP relaxation, on the other
//! hand, is small and nearly integral (a handful of fractional sites), so a
//! dual-simplex branch-and-bound with strong branching closes them in few nodes.
//!
//! # Formulation
//! After preprocessing ([`crate::prep`]) and merging clients that are covered by
//! exactly the same sites (their weights add up):
//!
//! ```text
//! min  Σ_j f_j x_j + Σ_r w_r s_r
//! s.t. s_r + Σ_{j ∈ N(r)} x_j ≥ 1      every client group r (s_r absent when r must be covered)
//!      Σ_j b_j x_j ≤ B                   when a budget is given
//!      lo ≤ Σ_j x_j ≤ hi                 when a cardinality is given
//!      x_j ∈ {0, 1}, s_r ∈ [0, 1]
//! ```
//!
//! For an integral `x` the best `s` is integral, so only `x` is branched on.
//!
//! # Search
//! The tree search is [`crate::tree`] (best bound first, synchronous parallel
//! rounds merged in a fixed order, so the tree and the answer do not depend on
//! the thread count), shared with the Lagrangian search. Each node re-solves its LP from its parent's basis with the
//! dual simplex (microlp), rounds the LP point into a feasible plan improved by
//! local search, and branches on the candidate with the best product of the two
//! children's bound gains among the most fractional sites (strong branching,
//! Achterberg, Koch & Martin 2005).
//!
//! # The split search
//! [`search_split`] runs the same tree on the maximal covering part of a
//! p-median with a large missing-pair cost ([`crate::split`]): each node's
//! bound adds the capped parts' Lagrangian bounds (subgradient ascents
//! warm-started from the parent) to its LP bound, their reduced costs fix
//! sites, plans are judged on the whole objective, and a node whose LP point
//! is integral branches on the capped part's most fractional site.
//!
//! # References
//! - R.L. Church & C.S. ReVelle (1974), The maximal covering location problem, PRSA 32.
//! - T. Achterberg, T. Koch & A. Martin (2005), Branching rules revisited, OR Letters 33.
//! - J.-F. Cordeau, F. Furini & I. Ljubić (2019), Benders decomposition for very
//!   large scale partial set covering and maximal covering location problems, EJOR 275.

use crate::heuristic::{greedy, root_moves, Ls};
use crate::instance::Fixing;
use crate::lagrange::{ascent, AscentParams};
use crate::lpbranch::{self, solved, Learner, Obs, Rule, Solved, Step};
use crate::oddcycle::{separate, RowPoint};
use crate::prep::{Prob, INF};
use crate::tree::{self, Candidate, Expansion, Limits, Node, Region, Search, Tree};
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Solution, Variable};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;
/// Strong-branching candidates at the root and below it.
const CANDIDATES_ROOT: usize = 16;
const CANDIDATES: usize = 8;
/// Re-solves of one node after strong-branching fixings.
const MAX_PROBING_ROUNDS: usize = 6;
/// Row generation adds at most this many rows one by one (warm); more are
/// added by rebuilding the LP.
const WARM_ROWS: usize = 200;
/// The root LP starts with the groups the seed plan covers at most this often.
const SEED_COVER: usize = 1;
/// Rows a node may add for groups its point leaves uncovered, per pass.
const NODE_ROWS: usize = 200;
/// Passes of node row generation before the node gives up (never reached in
/// practice: each pass adds every uncovered group up to `NODE_ROWS`).
const MAX_ROW_PASSES: usize = 1000;
/// Share of the remaining time the root LP may take before the search gives up.
const ROOT_LP_SHARE: f64 = 0.3;
/// ... and at most this many seconds plus [`ROOT_LP_SECS_PER_ARC`] per arc
/// (M, 49k arcs, solves in 0.25 s; a dense 133k-arc SJC instance stalls).
const ROOT_LP_BASE_SECS: f64 = 3.0;
const ROOT_LP_SECS_PER_ARC: f64 = 2e-5;
/// A value this close to 0 or 1 counts as integral.
const INT_TOL: f64 = 1e-6;

pub(crate) use crate::lpbranch::Abort;

pub(crate) struct Lp {
    x: Vec<Variable>,
    /// Objective constant added to every LP value.
    constant: f64,
    /// Every client group (clients with the same sites).
    groups: Vec<Group>,
    /// Groups whose covering row is in the root LP, in row order (cuts refer
    /// to positions in this list).
    rows: Vec<usize>,
    /// Membership of `rows`.
    in_root: Vec<bool>,
    /// Each group's weight (`INF`: must be covered), for a cold rebuild.
    weights: Vec<f64>,
}

struct Group {
    sites: Vec<u32>,
    /// The uncovered variable (`None` when the group must be covered).
    s: Option<Variable>,
}

/// Client groups with identical site sets, in first-seen order, with their
/// total weight (`INF` when one of them must be covered).
fn group_clients(p: &Prob) -> Vec<(Vec<u32>, f64)> {
    let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut groups: Vec<(Vec<u32>, f64)> = Vec::new();
    for i in 0..p.m {
        let (s, _) = p.client(i);
        let mut key = s.to_vec();
        key.sort_unstable();
        match index.get(&key) {
            Some(&g) => groups[g].1 += p.unserved[i],
            None => {
                index.insert(key.clone(), groups.len());
                groups.push((key, p.unserved[i]));
            }
        }
    }
    groups
}

/// The covering row of group `g`: `s_g + Σ x_j ≥ 1`.
fn row_expr(lp: &Lp, g: usize) -> LinearExpr {
    let mut e = LinearExpr::empty();
    if let Some(s) = lp.groups[g].s {
        e.add(s, 1.0);
    }
    for &j in &lp.groups[g].sites {
        e.add(lp.x[j as usize], 1.0);
    }
    e
}

/// The LP with the covering rows of `rows`. Variables exist for every group,
/// so rows can be added later without new columns; they are created in the
/// same order on every call, so a rebuilt problem has the same variables.
fn problem(
    p: &Prob,
    groups: &[(Vec<u32>, f64)],
    rows: &[usize],
    fix: &[Fixing],
    deadline: Instant,
) -> (Problem, Vec<Variable>, Vec<Option<Variable>>) {
    let mut pr = Problem::new(OptimizationDirection::Minimize);
    let x = crate::lpbranch::site_columns(p, &mut pr, fix);
    let sv: Vec<Option<Variable>> = groups
        .iter()
        .map(|(_, w)| w.is_finite().then(|| pr.add_var(*w, (0.0, 1.0))))
        .collect();
    for &g in rows {
        let mut e = LinearExpr::empty();
        if let Some(v) = sv[g] {
            e.add(v, 1.0);
        }
        for &j in &groups[g].0 {
            e.add(x[j as usize], 1.0);
        }
        pr.add_constraint(e, ComparisonOp::Ge, 1.0);
    }
    crate::lpbranch::side_rows(p, &mut pr, &x);
    pr.set_time_limit(deadline.saturating_duration_since(Instant::now()));
    (pr, x, sv)
}

/// The node LP with `decisions` solved from scratch: the covering rows of the
/// groups in `in_lp`, the budget and count rows, the decisions as bounds; not
/// the cuts, so its value is a weaker but valid bound. Checks an
/// infeasibility that a warm dual-simplex re-solve reported: microlp's can be
/// false (a cross test's budget row tight at a vertex; session 13), and a
/// side wrongly found infeasible is a region of plans lost.
fn cold_solve(ctx: &Ctx, in_lp: &[bool], decisions: &[(u32, bool)]) -> Result<Solved, Abort> {
    let lp = ctx.lp;
    let raw: Vec<(Vec<u32>, f64)> = lp
        .groups
        .iter()
        .zip(&lp.weights)
        .map(|(g, &w)| (g.sites.clone(), w))
        .collect();
    let rows: Vec<usize> = (0..raw.len()).filter(|&g| in_lp[g]).collect();
    let fix = ctx.p.fixings_with(decisions);
    solved(problem(ctx.p, &raw, &rows, &fix, ctx.deadline).0.solve())
}

/// `r`, a warm re-solve's result, with a reported infeasibility checked by
/// [`cold_solve`] (rows `in_lp`, `decisions` the node's with the new one).
fn checked(ctx: &Ctx, r: Solved, in_lp: &[bool], decisions: &[(u32, bool)]) -> Result<Solved, Abort> {
    match r {
        Solved::Infeasible => cold_solve(ctx, in_lp, decisions),
        r => Ok(r),
    }
}

/// Groups whose row is not in the LP (`in_lp`) and that the point `xs` does
/// not cover: leaving them out made the LP value too low there.
fn violated(lp: &Lp, xs: &[f64], in_lp: &[bool], limit: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for (g, grp) in lp.groups.iter().enumerate() {
        if in_lp[g] {
            continue;
        }
        let cover: f64 = grp.sites.iter().map(|&j| xs[j as usize]).sum();
        if cover < 1.0 - 1e-7 {
            out.push(g);
            if out.len() >= limit {
                break;
            }
        }
    }
    out
}

/// Builds and solves the root LP by row generation: it starts with the rows of
/// the groups that `seed` (a plan, if any) covers at most once and of the
/// groups that must be covered, and adds the rows of groups its point leaves
/// uncovered until there are none (then its value is the full LP's).
fn build(p: &Prob, seed: Option<&[bool]>, deadline: Instant) -> Result<(Lp, Solved), Abort> {
    let t_build = Instant::now();
    let raw: Vec<(Vec<u32>, f64)> = group_clients(p)
        .into_iter()
        .filter(|(_, w)| !(w.is_finite() && *w <= 0.0))
        .collect();
    let in_root: Vec<bool> = raw
        .iter()
        .map(|(sites, w)| match seed {
            Some(open) => !w.is_finite() || sites.iter().filter(|&&j| open[j as usize]).count() <= SEED_COVER,
            None => true,
        })
        .collect();
    let rows: Vec<usize> = (0..raw.len()).filter(|&g| in_root[g]).collect();
    let (first, x, sv) = problem(p, &raw, &rows, &p.fix, deadline);
    let groups: Vec<Group> = raw
        .iter()
        .zip(sv)
        .map(|((sites, _), s)| Group {
            sites: sites.clone(),
            s,
        })
        .collect();
    let mut lp = Lp {
        x,
        constant: p.constant,
        groups,
        rows,
        in_root,
        weights: raw.iter().map(|g| g.1).collect(),
    };
    let trace = log::log_enabled!(log::Level::Debug);
    let mut sol = match solved(first.solve())? {
        Solved::Optimal(s) => s,
        other => return Ok((lp, other)),
    };
    for pass in 0.. {
        let xs: Vec<f64> = lp.x.iter().map(|&v| sol.var_value_raw(v)).collect();
        let add = violated(&lp, &xs, &lp.in_root, usize::MAX);
        if trace {
            log::debug!(
                "[hubplan-solver lp] {:.3}s row generation pass {pass}: {} of {} groups in the LP, {} uncovered outside",
                t_build.elapsed().as_secs_f64(),
                lp.rows.len(),
                lp.groups.len(),
                add.len()
            );
        }
        if add.is_empty() {
            break;
        }
        for &g in &add {
            lp.in_root[g] = true;
            lp.rows.push(g);
        }
        if add.len() <= WARM_ROWS {
            let rows = add.iter().map(|&g| (row_expr(&lp, g), ComparisonOp::Ge, 1.0));
            sol = match solved(sol.add_constraints(rows))? {
                Solved::Optimal(s) => s,
                other => return Ok((lp, other)),
            };
        } else {
            sol = match solved(problem(p, &raw, &lp.rows, &p.fix, deadline).0.solve())? {
                Solved::Optimal(s) => s,
                other => return Ok((lp, other)),
            };
        }
    }
    Ok((lp, Solved::Optimal(sol)))
}

/// What a node of the LP tree carries.
#[derive(Clone)]
struct LpNode {
    decisions: Vec<(u32, bool)>,
    /// The solved LP of this node.
    sol: Arc<Solution>,
    /// Strong branching is worth its cost here (off below a node where it
    /// moved no bound, e.g. when the LP already covers everyone).
    strong: bool,
    /// Groups whose rows this node's LP has beyond the root's.
    extra: Vec<u32>,
    /// Fixings still to apply to `sol` before the node is bounded (a re-plan's
    /// node rebuilt from the kept root LP, [`resume`]); empty otherwise.
    pending: Vec<(u32, bool)>,
    /// The split search ([`search_split`]): the parent's bounds of the
    /// covering part (LP units) and of the capped part, and the capped part's
    /// multipliers (warm start of the node's ascent). `None` otherwise.
    split: Option<SplitNode>,
}

/// What a node of the split search carries beyond the LP ([`LpNode::split`]):
/// the covering part's bound (LP units), and each capped part's bound and
/// multipliers.
#[derive(Clone)]
struct SplitNode {
    cov_lb: f64,
    lbs: Vec<f64>,
    lambdas: Vec<Arc<Vec<f64>>>,
    /// The part whose bound was the best at the parent.
    best: usize,
}

/// Below the root, every capped part is re-bounded at this depth interval;
/// at other nodes only the part that was best at the parent (the others keep
/// their parent's bounds, valid below it).
const SPLIT_ALL_PARTS_EVERY: u32 = 4;

/// The split search's view of the problem ([`search_split`]): the LP is the
/// covering part's, plans are judged by `orig`, and a node's bound is the
/// best over the parts `k` of `scale_k · (its LP bound) + (the capped part's
/// Lagrangian bound)`.
struct SplitCtx<'a> {
    orig: &'a Prob,
    parts: &'a [crate::split::Part],
    /// Each part's initial multipliers: the root's warm start, and what a
    /// stashed node keeps instead of its own (memory: one vector per client
    /// and part would otherwise stay with every open node).
    initial: Vec<Arc<Vec<f64>>>,
    /// The parts re-bounded below the root ([`KEEP_PARTS`] of the splits, by
    /// their root bound, and the whole problem), set at the root; a part left
    /// out keeps its root bound in every node.
    active: std::sync::OnceLock<Vec<bool>>,
}

/// How many splits (parts with a covering share) stay active below the root:
/// the root bounds a ladder of them ([`crate::split::MULTIPLES`]) and keeps
/// the best, whose multiple varies with the instance (the suite's M unit
/// clustered sparse p-median: root bounds 3,689,629 at `θ`, 3,694,708 at
/// `2θ`, 3,697,653 at `4θ`, 3,699,172 at `8θ`, 3,699,539 at `16θ`, 3,698,501
/// at `32θ`).
const KEEP_PARTS: usize = 2;

impl SplitCtx<'_> {
    /// A node's bound from the covering part's `cov` and the capped parts' `lbs`.
    fn total(&self, lbs: &[f64], cov: f64) -> f64 {
        self.parts
            .iter()
            .zip(lbs)
            .map(|(q, &l)| if q.scale == 0.0 { l } else { q.scale * cov + l })
            .fold(-INF, f64::max)
    }
    /// The least covering bound at which [`Self::total`] reaches `t`.
    fn to_cov(&self, lbs: &[f64], t: f64) -> f64 {
        self.parts
            .iter()
            .zip(lbs)
            .map(|(q, &l)| match q.scale == 0.0 {
                // The whole problem's part: reached whatever the cover.
                true if l >= t => -INF,
                true => INF,
                false => (t - l) / q.scale,
            })
            .fold(INF, f64::min)
    }
}

/// Keeps the regions the branching step discards ([`crate::lpbranch::Discard`]).
struct Record {
    bound: f64,
    regions: Vec<Region>,
}

impl lpbranch::Discard for Record {
    fn discard(&mut self, bound: f64, decisions: &[(u32, bool)], side: (u32, bool)) {
        self.bound = self.bound.min(bound);
        let mut d = decisions.to_vec();
        d.push(side);
        self.regions.push(Region {
            bound,
            decisions: d,
            plan: None,
        });
    }
}

struct Ctx<'a> {
    p: &'a Prob,
    lp: &'a Lp,
    deadline: Instant,
    rel_gap: f64,
    abs_gap: f64,
    /// Pseudocosts learnt so far (reliability branching).
    learner: Learner,
    /// The root LP (with its cuts) that stashed nodes are rebuilt from.
    root: OnceLock<Arc<Solution>>,
    /// Open nodes that keep their own LP ([`live_cap`]).
    cap: usize,
    /// Nodes stashed so far, and nodes rebuilt from the root LP when
    /// expanded (the debug trace and the tests).
    stashed: AtomicU64,
    rebuilt: AtomicU64,
    /// The split search ([`search_split`]); `None` for the plain LP search.
    split: Option<SplitCtx<'a>>,
}

/// Memory: open nodes that keep their own solved LP, as a budget of LP
/// nonzeros (the root's rows with one more entry each, plus a column per
/// site). A microlp solution holds the constraint matrix twice (by rows and
/// by columns), its LU factors and a few dense vectors: on the L set covering
/// instance (137k units) an open node holds about 8.4 MB, about 60 bytes a
/// unit, so the budget keeps the node LPs near 0.7 GB, and under 1.1 GB at
/// the 1.25 × cap where the tree stashes. Beyond it, the nodes last in the
/// queue keep only their decisions and are re-solved from the root LP when
/// they are reached (L set covering peaked at 2.49 GiB after 287 nodes
/// before; 1.70 GiB after 423 nodes with a budget of 20M).
const LIVE_LP_NONZEROS: usize = 12_000_000;
/// At least this many open nodes keep their LP, whatever its size. It bites
/// only on LPs of more than `LIVE_LP_NONZEROS / MIN_LIVE_NODES` = 1.5M
/// nonzeros: England's set covering at 35 minutes (653k arcs; 18 nodes by
/// the budget) peaked at 1.93 GB with a floor of 64 nodes, 1.08 GB with 8,
/// proven both times (83 nodes stashed, 9 of them rebuilt).
const MIN_LIVE_NODES: usize = 8;

/// How many open nodes keep their own LP ([`LIVE_LP_NONZEROS`]).
fn live_cap(lp: &Lp) -> usize {
    let nnz: usize = lp.rows.iter().map(|&g| lp.groups[g].sites.len() + 1).sum::<usize>() + lp.x.len();
    (LIVE_LP_NONZEROS / nnz.max(1)).max(MIN_LIVE_NODES)
}

impl Ctx<'_> {
    /// A safe lower bound from an LP value (float tolerance, integrality).
    fn safe(&self, sol: &Solution) -> f64 {
        let v = sol.objective() + self.lp.constant;
        let v = v - 1e-7 * (1.0 + v.abs());
        if self.p.integral {
            v.ceil()
        } else {
            v
        }
    }
    fn values(&self, sol: &Solution) -> Vec<f64> {
        self.lp.x.iter().map(|&v| sol.var_value_raw(v)).collect()
    }
}

/// Rounds an LP point: sites at 1 stay open, then fractional sites in
/// decreasing value while the side constraints allow; then local search.
/// With a `target` (the root's bound), set covering then runs the
/// row-weighting search ([`crate::rwls`]) from the best plan, until it finds
/// a plan at the bound, stalls or spends its step budget.
fn round(ctx: &Ctx, fix: &[Fixing], xs: &[f64], moves: usize, target: Option<f64>) -> Option<Candidate> {
    let best = round_lp(ctx, fix, xs, moves);
    match (target, &best) {
        (Some(t), Some(b)) => crate::rwls::polish(ctx.p, fix, b, t, ctx.deadline, "lp").or(best),
        _ => best,
    }
}

/// [`round`] without the row-weighting search.
fn round_lp(ctx: &Ctx, fix: &[Fixing], xs: &[f64], moves: usize) -> Option<Candidate> {
    let p = ctx.p;
    let plain = round_open(ctx, fix, xs, moves);
    if p.budget.is_some() || p.hi < p.n || p.unserved.iter().any(|u| u.is_finite()) {
        return plain;
    }
    // Set covering: opening every fractional site and dropping the redundant
    // ones can end far from the LP (M unit uniform dense: 69 against an LP
    // of 49). Chvátal's greedy on costs raised where the LP is low,
    // `f_j · (1 + α (1 − x_j))`, stays close to the LP point; the plan is then
    // improved by local search on the true costs. Deterministic (fixed α's,
    // the lower index wins ties).
    let mut best = plain;
    for alpha in LP_GREEDY_ALPHAS {
        let mut q = p.clone();
        for j in 0..p.n {
            q.fixed[j] = p.fixed[j].max(1e-9) * (1.0 + alpha * (1.0 - xs[j].clamp(0.0, 1.0)));
        }
        let start: Vec<bool> = xs.iter().map(|&v| v >= 1.0 - INT_TOL).collect();
        let mut ls = Ls::new(&q, fix, &start);
        if !ls.repair(ctx.deadline) {
            continue;
        }
        let open = ls.open.clone();
        if let Some(c) = greedy(p, fix, &open, moves, ctx.deadline) {
            if best.as_ref().is_none_or(|b| c.0 < b.0) {
                best = Some(c);
            }
        }
    }
    best
}

/// Weights of the LP value in the LP-guided greedy of [`round`].
const LP_GREEDY_ALPHAS: [f64; 3] = [1.0, 4.0, 16.0];

/// [`round`] without the covering greedy: sites at 1, then fractional sites by value.
fn round_open(ctx: &Ctx, fix: &[Fixing], xs: &[f64], moves: usize) -> Option<Candidate> {
    let p = ctx.p;
    let mut open: Vec<bool> = xs.iter().map(|&v| v >= 1.0 - INT_TOL).collect();
    let mut used: f64 = (0..p.n).filter(|&j| open[j]).map(|j| p.bcost[j]).sum();
    let mut cnt = open.iter().filter(|&&o| o).count();
    let mut order: Vec<usize> = (0..p.n).filter(|&j| !open[j] && xs[j] > INT_TOL).collect();
    order.sort_by(|&a, &b| xs[b].total_cmp(&xs[a]).then(a.cmp(&b)));
    for j in order {
        if cnt < p.hi && p.budget_ok(used + p.bcost[j]) {
            open[j] = true;
            used += p.bcost[j];
            cnt += 1;
        }
    }
    greedy(p, fix, &open, moves, ctx.deadline)
}

fn process(
    ctx: &Ctx,
    node: &Node<LpNode>,
    ub: f64,
    root: bool,
    obs: &mut Vec<Obs>,
) -> Result<Expansion<LpNode>, Abort> {
    let pseudo = ctx.learner.read();
    let p = ctx.p;
    let mut cutoff = ctx.cutoff(ub);
    let mut out = Expansion::empty();
    let mut sol: Solution = (*node.data.sol).clone();
    if !node.data.pending.is_empty() {
        ctx.rebuilt.fetch_add(1, Ordering::Relaxed);
    }
    let mut decisions = node.data.decisions.clone();
    let mut extra = node.data.extra.clone();
    let mut in_lp = ctx.lp.in_root.clone();
    for &g in &extra {
        in_lp[g as usize] = true;
    }
    for &(j, open) in &node.data.pending {
        // Checked cold, as in branching: a warm re-solve can be wrong.
        let warm = lpbranch::fix(&sol, ctx.lp.x[j as usize], open)?;
        sol = match checked(ctx, warm, &ctx.lp.in_root, &decisions)? {
            Solved::Optimal(s) => s,
            Solved::Infeasible => return Ok(out),
            Solved::TimedOut => return Ok(Expansion::interrupted()),
        };
    }
    // The split search: the capped part's Lagrangian bound for this node's
    // fixings (valid for every plan below it), and its heuristic plans.
    let (split_node, ybar) = match (&ctx.split, &node.data.split) {
        (Some(sp), Some(sn)) => {
            let cov0 = ctx.safe(&sol).max(sn.cov_lb);
            let heur = root || node.depth % 3 == 0;
            let all_parts = root || node.depth % SPLIT_ALL_PARTS_EVERY == 0;
            let Some((sn, ybar, fixings)) = split_bound(
                ctx, sp, sn, &decisions, ub, cutoff, cov0, heur, root, all_parts, &mut out,
            ) else {
                return Ok(out);
            };
            if root {
                let top = out
                    .candidates
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(a.0.cmp(&b.0)))
                    .map(|(_, c)| c.clone());
                if let Some(c) = top {
                    let fix0 = p.fixings_with(&decisions);
                    let kicked = kick_search(sp.orig, &fix0, c, ctx.deadline);
                    out.candidates.push(kicked);
                }
            }
            // Reduced-cost fixings of the capped part, into the LP one by one.
            for (j, open) in fixings {
                decisions.push((j, open));
                let warm = lpbranch::fix(&sol, ctx.lp.x[j as usize], open)?;
                sol = match checked(ctx, warm, &in_lp, &decisions)? {
                    Solved::Optimal(s) => s,
                    Solved::Infeasible => return Ok(out),
                    Solved::TimedOut => return Ok(keep_plans(out)),
                };
            }
            (Some(sn), ybar)
        }
        _ => (None, Vec::new()),
    };
    // Bounds in the LP's units and in the objective's (the same without the split).
    let total = |cov: f64| match (&ctx.split, &split_node) {
        (Some(sp), Some(sn)) => sp.total(&sn.lbs, cov),
        _ => cov,
    };
    let to_cov = |t: f64| match (&ctx.split, &split_node) {
        (Some(sp), Some(sn)) => sp.to_cov(&sn.lbs, t),
        _ => t,
    };
    if split_node.is_some() {
        for c in &out.candidates {
            cutoff = cutoff.min(ctx.cutoff(c.0));
        }
    }
    let mut lb = ctx.safe(&sol).max(split_node.as_ref().map_or(node.lb, |sn| sn.cov_lb));
    let mut heuristic_done = false;
    let mut cuts_done = root;
    let mut row_passes = 0;
    // Probing rounds: strong-branching evaluations whose one side cannot beat
    // the incumbent fix the site the other way, and the node is re-solved.
    let mut round_no = 0;
    loop {
        if lb >= to_cov(cutoff) {
            out.discarded = out.discarded.min(total(lb));
            out.regions.push(Region {
                bound: total(lb),
                decisions,
                plan: None,
            });
            return Ok(out);
        }
        let xs = ctx.values(&sol);
        // Rows left out of the LP whose groups this point leaves uncovered:
        // add them here (and for this node's subtree), then re-solve.
        let add = violated(ctx.lp, &xs, &in_lp, NODE_ROWS);
        if !add.is_empty() && row_passes < MAX_ROW_PASSES {
            row_passes += 1;
            for &g in &add {
                in_lp[g] = true;
            }
            let rows = add.iter().map(|&g| (row_expr(ctx.lp, g), ComparisonOp::Ge, 1.0));
            let warm = solved(sol.add_constraints(rows))?;
            sol = match checked(ctx, warm, &in_lp, &decisions)? {
                Solved::Optimal(s) => s,
                Solved::Infeasible => return Ok(out),
                Solved::TimedOut => return Ok(keep_plans(out)),
            };
            extra.extend(add.iter().map(|&g| g as u32));
            lb = ctx.safe(&sol).max(lb);
            continue;
        }
        if !add.is_empty() {
            return Err(Abort::new("row generation at a node did not settle"));
        }
        let fix = p.fixings_with(&decisions);
        let frac: Vec<usize> = (0..p.n)
            .filter(|&j| fix[j] == Fixing::Free && xs[j] > INT_TOL && xs[j] < 1.0 - INT_TOL)
            .collect();
        if frac.is_empty() {
            if let (Some(sp), Some(sn)) = (&ctx.split, &split_node) {
                // The covering part is settled here, the capped part is not:
                // its plan is a candidate, and the node branches on the site
                // the capped part's multipliers leave most fractional.
                let sn = SplitNode {
                    cov_lb: lb,
                    ..sn.clone()
                };
                return split_leaf(
                    ctx,
                    sp,
                    &sn,
                    &sol,
                    &xs,
                    &fix,
                    &ybar,
                    decisions,
                    &in_lp,
                    &extra,
                    total(lb),
                    out,
                );
            }
            // Integral LP point: the best plan of this subtree.
            let open: Vec<bool> = xs.iter().map(|&v| v > 0.5).collect();
            if p.side_ok(&open) {
                let z = p.objective(&open);
                if z.is_finite() {
                    out.regions.push(Region {
                        bound: lb.min(z),
                        decisions,
                        plan: Some((z, open.clone())),
                    });
                    out.candidates.push((z, open));
                }
            }
            return Ok(out);
        }
        // One round of odd-cycle cuts at the node (the root's rounds ran in
        // `add_cuts`); they stay in this subtree's LPs.
        if !cuts_done {
            cuts_done = true;
            match cut_round(ctx, sol, NODE_CUTS)? {
                CutRound::Cut(next, n) => {
                    sol = next;
                    if n > 0 {
                        lb = ctx.safe(&sol).max(lb);
                        continue;
                    }
                }
                // Checked cold, as in branching: a warm re-solve can be wrong.
                CutRound::Infeasible => match cold_solve(ctx, &in_lp, &decisions)? {
                    Solved::Optimal(s) => {
                        sol = s;
                        lb = ctx.safe(&sol).max(lb);
                        continue;
                    }
                    Solved::Infeasible => return Ok(out),
                    Solved::TimedOut => return Ok(keep_plans(out)),
                },
                CutRound::TimedOut => return Ok(keep_plans(out)),
            }
        }
        if !heuristic_done && (root || node.depth % 3 == 0) {
            heuristic_done = true;
            let moves = if root { root_moves(p) } else { 20 };
            if let Some(c) = round(ctx, &fix, &xs, moves, root.then_some(lb)).and_then(|c| judge(ctx, &fix, c)) {
                // A plan at this node's bound closes it before branching.
                let c_off = ctx.cutoff(c.0);
                out.candidates.push(c);
                if total(lb) >= c_off {
                    cutoff = cutoff.min(c_off);
                    continue;
                }
            }
        }
        let rows_now = in_lp.clone();
        let cold = |d: &[(u32, bool)]| cold_solve(ctx, &rows_now, d);
        let rule = Rule {
            candidates: if root { CANDIDATES_ROOT } else { CANDIDATES },
            strong: node.data.strong,
            probe: round_no + 1 < MAX_PROBING_ROUNDS,
            deadline: ctx.deadline,
            cold: Some(&cold),
            pseudo: Some(&pseudo),
        };
        let var = |j: u32| ctx.lp.x[j as usize];
        let mut rec = Record {
            bound: INF,
            regions: Vec::new(),
        };
        let step = lpbranch::branch(
            &mut sol,
            &mut decisions,
            lb,
            to_cov(cutoff),
            frac,
            &xs,
            &rule,
            var,
            |s| ctx.safe(s),
            &mut rec,
            obs,
        )?;
        out.discarded = out.discarded.min(total(rec.bound));
        for r in &mut rec.regions {
            r.bound = total(r.bound);
        }
        out.regions.append(&mut rec.regions);
        match step {
            Step::Done => return Ok(out),
            Step::Interrupted => {
                // What the node found before the deadline stays: its plans
                // and its bound.
                let mut e = Expansion::interrupted();
                e.candidates = std::mem::take(&mut out.candidates);
                e.bound = total(lb);
                return Ok(e);
            }
            Step::Probed(b) => {
                lb = b;
                round_no += 1;
                continue;
            }
            Step::Children(children) => {
                for (b, d, s, strong) in children {
                    out.children.push((
                        total(b),
                        LpNode {
                            decisions: d,
                            sol: Arc::new(s),
                            strong,
                            extra: extra.clone(),
                            pending: Vec::new(),
                            split: split_node.as_ref().map(|sn| SplitNode {
                                cov_lb: b,
                                ..sn.clone()
                            }),
                        },
                    ));
                }
                return Ok(out);
            }
        }
    }
}

/// The split search's plan for `c` (a plan of the covering part): its
/// objective on the whole problem, improved by local search there. Other
/// searches keep `c`.
fn judge(ctx: &Ctx, fix: &[Fixing], c: Candidate) -> Option<Candidate> {
    let Some(sp) = &ctx.split else { return Some(c) };
    let z = sp.orig.objective(&c.1);
    match greedy(sp.orig, fix, &c.1, SPLIT_MOVES, ctx.deadline) {
        Some(b) if b.0 < z => Some(b),
        _ => z.is_finite().then_some((z, c.1)),
    }
}

/// An interrupted node that keeps the plans it found before the deadline.
fn keep_plans(mut out: Expansion<LpNode>) -> Expansion<LpNode> {
    let mut e = Expansion::interrupted();
    e.candidates = std::mem::take(&mut out.candidates);
    e
}

/// Local-search moves of the split search's plans.
const SPLIT_MOVES: usize = 20;
/// The split search's root kick search: batches of kicks tried in parallel
/// from the best plan, at most this many batches ...
const KICK_BATCHES: usize = 12;
/// ... of this many kicks each; fewer batches on large instances, so that
/// the batches × kicks × arcs stay under [`KICK_WORK`] (a count of work, not
/// a clock: the plan found must not depend on the machine's speed; each
/// kick's local search is bounded apart, by [`root_moves`]).
const KICKS_PER_BATCH: usize = 16;
/// See [`KICKS_PER_BATCH`] (S dense, 100k arcs: 12 batches; M dense, 1M: 3).
const KICK_WORK: f64 = 6e7;

/// Iterated local search on the whole objective (the split search's root):
/// from the best plan, each kick closes two open free sites and opens two
/// closed ones (seeded, so the same on any thread count), then repairs and
/// improves by local search; a batch's best plan is kept when it is better
/// (ties: the lower kick). Stops after [`KICK_BATCHES`] batches (fewer on
/// large instances, [`KICK_WORK`]), three batches in a row without
/// improvement, or the deadline.
fn kick_search(orig: &Prob, fix: &[Fixing], start: Candidate, deadline: Instant) -> Candidate {
    let batches = ((KICK_WORK / (KICKS_PER_BATCH * orig.csite.len().max(1)) as f64) as usize).min(KICK_BATCHES);
    let free: Vec<usize> = (0..orig.n).filter(|&j| fix[j] == Fixing::Free).collect();
    let mut best = start;
    let mut stale = 0;
    for batch in 0..batches {
        if Instant::now() > deadline || free.len() < 2 {
            break;
        }
        let from = best.1.clone();
        let found: Vec<(usize, Candidate)> = (0..KICKS_PER_BATCH)
            .into_par_iter()
            .filter_map(|k| {
                let mut rng = crate::synthetic::SplitMix64((batch * KICKS_PER_BATCH + k) as u64 + 0x5eed);
                let mut open = from.clone();
                let on: Vec<usize> = free.iter().copied().filter(|&j| open[j]).collect();
                let off: Vec<usize> = free.iter().copied().filter(|&j| !open[j]).collect();
                for _ in 0..2 {
                    if !on.is_empty() {
                        open[on[(rng.next_u64() % on.len() as u64) as usize]] = false;
                    }
                    if !off.is_empty() {
                        open[off[(rng.next_u64() % off.len() as u64) as usize]] = true;
                    }
                }
                let mut ls = Ls::new(orig, fix, &open);
                if !ls.repair(deadline) {
                    return None;
                }
                ls.improve(root_moves(orig), deadline);
                ls.result().map(|c| (k, c))
            })
            .collect();
        let top = found
            .into_iter()
            .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(a.0.cmp(&b.0)));
        match top {
            Some((_, c)) if c.0 < best.0 - 1e-9 * best.0.abs().max(1.0) => {
                best = c;
                stale = 0;
            }
            _ => {
                stale += 1;
                if stale >= 3 {
                    break;
                }
            }
        }
    }
    best
}

/// A node's split data, its branching guide and its reduced-cost fixings ([`split_bound`]).
type SplitBound = (SplitNode, Vec<f64>, Vec<(u32, bool)>);

/// The capped parts' bounds at a node of the split search: for each, a
/// subgradient ascent warm-started from the parent's multipliers (valid at
/// any iteration), with its plans (improved on the whole problem) pushed to
/// `out` (every part's at the root, the best part's below). Returns the
/// node's split data (with covering bound `cov`), the best part's smoothed
/// selection (the branching guide where the covering part is integral) and
/// the reduced-cost fixings: a free site whose opening (closing) alone lifts
/// a part's bound, plus the covering part's, to the cutoff is closed
/// (opened). `None`: the node has no plan that beats the cutoff.
#[allow(clippy::too_many_arguments)]
fn split_bound(
    ctx: &Ctx,
    sp: &SplitCtx,
    sn: &SplitNode,
    decisions: &[(u32, bool)],
    ub: f64,
    cutoff: f64,
    cov: f64,
    heuristics: bool,
    root: bool,
    all_parts: bool,
    out: &mut Expansion<LpNode>,
) -> Option<SplitBound> {
    let fix = ctx.p.fixings_with(decisions);
    let par = if root {
        AscentParams {
            max_iter: 5000,
            pi0: 2.0,
            patience: 60,
            pi_min: 1e-5,
            sample_every: 40,
            max_samples: 12,
        }
    } else {
        // Short and gentle below the root: warm-started from the parent's
        // multipliers, the bound moves little, and the tree needs many
        // nodes (S unit uniform dense, same minutes: 600 iterations from a
        // step of 2 left 146,188 at 60 s, 100 from 0.5 proved it).
        AscentParams {
            max_iter: 100,
            pi0: 0.5,
            patience: 10,
            pi_min: 1e-3,
            sample_every: 0,
            max_samples: 0,
        }
    };
    let safe = |v: f64| if v.is_finite() { v - 1e-9 * (1.0 + v.abs()) } else { v };
    let mut lbs = Vec::with_capacity(sp.parts.len());
    let mut lambdas = Vec::with_capacity(sp.parts.len());
    let mut ascents = Vec::with_capacity(sp.parts.len());
    let mut best: Option<(f64, usize)> = None;
    for (k, q) in sp.parts.iter().enumerate() {
        // The covering part costs at least this below the node.
        let base = q.scale * cov.max(0.0);
        let retired = !root && sp.active.get().is_some_and(|a| !a[k]);
        if retired || (!all_parts && k != sn.best) {
            lbs.push(sn.lbs[k]);
            lambdas.push(sn.lambdas[k].clone());
            ascents.push(None);
            continue;
        }
        let asc = ascent(
            &q.cap,
            &fix,
            &sn.lambdas[k],
            ub - base,
            cutoff - base,
            par,
            ctx.deadline,
        );
        let lb = safe(asc.best.value).max(sn.lbs[k]);
        if lb == INF {
            return None;
        }
        if base + lb >= cutoff {
            out.discarded = out.discarded.min(base + lb);
            return None;
        }
        if best.is_none_or(|(b, _)| base + lb > b) {
            best = Some((base + lb, k));
        }
        lbs.push(lb);
        lambdas.push(Arc::new(asc.lambda.clone()));
        ascents.push(Some(asc));
    }
    let (top, kb) = best?;
    if root {
        // The splits kept below the root: the best by their root bound.
        let mut order: Vec<usize> = (0..sp.parts.len()).filter(|&k| sp.parts[k].scale > 0.0).collect();
        let at = |k: usize| sp.parts[k].scale * cov.max(0.0) + lbs[k];
        order.sort_by(|&a, &b| at(b).total_cmp(&at(a)).then(a.cmp(&b)));
        let mut active: Vec<bool> = sp.parts.iter().map(|q| q.scale == 0.0).collect();
        for &k in order.iter().take(KEEP_PARTS) {
            active[k] = true;
        }
        let _ = sp.active.set(active);
    }
    if root && log::log_enabled!(log::Level::Debug) {
        for (q, &l) in sp.parts.iter().zip(&lbs) {
            log::debug!(
                "[hubplan-solver lp] split part scale {:.3}: covering {cov} × scale + capped {l:.3} = {:.3}",
                q.scale,
                q.scale * cov.max(0.0) + l
            );
        }
    }
    // The best part among all (a part not re-bounded here may still be it).
    let top = sp.total(&lbs, cov).max(top);
    if heuristics {
        let mut starts: Vec<Vec<bool>> = Vec::new();
        for (k, asc) in ascents.iter().enumerate() {
            let Some(asc) = asc else { continue };
            if !root && k != kb {
                continue;
            }
            let q = &sp.parts[k];
            let mut y = vec![0.0; q.cap.n];
            asc.best.sub.selection(&asc.best.rho, &fix, &q.cap.bcost, &mut y);
            starts.push(y.iter().map(|&v| v >= 1.0 - 1e-9).collect());
            starts.extend(asc.samples.iter().cloned());
            starts.push(asc.ybar.iter().map(|&v| v >= 0.5).collect());
        }
        let moves = if root { root_moves(sp.orig) } else { SPLIT_MOVES };
        let found: Vec<Candidate> = starts
            .par_iter()
            .filter_map(|s| {
                let mut ls = Ls::new(sp.orig, &fix, s);
                if !ls.repair(ctx.deadline) {
                    return None;
                }
                ls.improve(moves, ctx.deadline);
                ls.result()
            })
            .collect();
        out.candidates.extend(found);
    }
    let mut fixings = Vec::new();
    if top < cutoff && cutoff.is_finite() {
        // Each side's best bound over the parts: a side at or above the
        // cutoff is dropped, and its bound recorded (the tree's final bound).
        let mut side = vec![(-INF, -INF); ctx.p.n];
        for (q, asc) in sp.parts.iter().zip(&ascents) {
            let Some(asc) = asc else { continue };
            let base = q.scale * cov.max(0.0);
            let e = &asc.best;
            let rest = e.value - e.sub.value;
            for j in 0..ctx.p.n {
                if fix[j] != Fixing::Free {
                    continue;
                }
                side[j].0 = side[j]
                    .0
                    .max(base + safe(rest + e.sub.lb_open(j, &e.rho, &q.cap.bcost)));
                side[j].1 = side[j]
                    .1
                    .max(base + safe(rest + e.sub.lb_closed(j, &e.rho, &q.cap.bcost)));
            }
        }
        for (j, (open, closed)) in side.into_iter().enumerate() {
            match (open >= cutoff, closed >= cutoff) {
                (true, true) => {
                    out.discarded = out.discarded.min(open.min(closed));
                    return None;
                }
                (true, false) => {
                    out.discarded = out.discarded.min(open);
                    fixings.push((j as u32, false));
                }
                (false, true) => {
                    out.discarded = out.discarded.min(closed);
                    fixings.push((j as u32, true));
                }
                (false, false) => {}
            }
        }
    }
    let ybar = ascents[kb]
        .as_mut()
        .map(|a| std::mem::take(&mut a.ybar))
        .unwrap_or_default();
    Some((
        SplitNode {
            cov_lb: cov,
            lbs,
            lambdas,
            best: kb,
        },
        ybar,
        fixings,
    ))
}

/// A node of the split search whose covering LP point is integral: its plan
/// is a candidate, and unless every site is fixed the node branches on the
/// free site the capped part's selection (`ybar`) leaves most fractional
/// (the lower index on ties), each side re-solved by the dual simplex.
#[allow(clippy::too_many_arguments)]
fn split_leaf(
    ctx: &Ctx,
    sp: &SplitCtx,
    sn: &SplitNode,
    sol: &Solution,
    xs: &[f64],
    fix: &[Fixing],
    ybar: &[f64],
    decisions: Vec<(u32, bool)>,
    in_lp: &[bool],
    extra: &[u32],
    lb: f64,
    mut out: Expansion<LpNode>,
) -> Result<Expansion<LpNode>, Abort> {
    let p = ctx.p;
    let open: Vec<bool> = xs.iter().map(|&v| v > 0.5).collect();
    let z = if p.side_ok(&open) {
        sp.orig.objective(&open)
    } else {
        INF
    };
    if z.is_finite() {
        out.candidates.push((z, open.clone()));
    }
    let mut pick: Option<(f64, usize)> = None;
    for j in 0..p.n {
        if fix[j] != Fixing::Free {
            continue;
        }
        let y = ybar.get(j).copied().unwrap_or(0.0);
        let f = y.min(1.0 - y);
        if pick.is_none_or(|(b, _)| f > b) {
            pick = Some((f, j));
        }
    }
    let Some((_, j)) = pick else {
        // Every site fixed: this plan is the region's only one.
        if z.is_finite() {
            out.regions.push(Region {
                bound: lb.min(z),
                decisions,
                plan: Some((z, open)),
            });
        }
        return Ok(out);
    };
    for side in [true, false] {
        let mut d = decisions.clone();
        d.push((j as u32, side));
        // Checked cold, as in branching: a warm re-solve can be wrong.
        let warm = lpbranch::fix(sol, ctx.lp.x[j], side)?;
        let child = match checked(ctx, warm, in_lp, &d)? {
            Solved::Optimal(s) => s,
            Solved::Infeasible => continue,
            Solved::TimedOut => return Ok(Expansion::interrupted()),
        };
        let cov = ctx.safe(&child).max(sn.cov_lb);
        out.children.push((
            sp.total(&sn.lbs, cov).max(lb),
            LpNode {
                decisions: d,
                sol: Arc::new(child),
                strong: true,
                extra: extra.to_vec(),
                pending: Vec::new(),
                split: Some(SplitNode {
                    cov_lb: cov,
                    ..sn.clone()
                }),
            },
        ));
    }
    Ok(out)
}

/// The split search ([`crate::split`]): the LP search on the covering part
/// of `orig`, each node's bound raised by the capped part's Lagrangian bound,
/// every plan judged by `orig`'s objective. `Err` as [`search`].
pub(crate) fn search_split(
    orig: &Prob,
    sp: &crate::split::Split,
    rel_gap: f64,
    abs_gap: f64,
    deadline: Instant,
    start: Option<Candidate>,
) -> Result<Search, Abort> {
    let ctx = SplitCtx {
        orig,
        parts: &sp.parts,
        initial: sp
            .parts
            .iter()
            .map(|q| Arc::new(crate::lagrange::initial(&q.cap)))
            .collect(),
        active: std::sync::OnceLock::new(),
    };
    search_capped(&sp.cover, rel_gap, abs_gap, deadline, start, false, None, Some(ctx)).map(|(s, _, _)| s)
}

impl Tree for Ctx<'_> {
    type Data = LpNode;
    type Error = Abort;
    fn cutoff(&self, ub: f64) -> f64 {
        match &self.split {
            Some(sp) => sp.orig.cutoff(ub, self.rel_gap, self.abs_gap),
            None => self.p.cutoff(ub, self.rel_gap, self.abs_gap),
        }
    }
    fn expand(&self, node: &Node<LpNode>, ub: f64, root: bool) -> Result<Expansion<LpNode>, Abort> {
        let mut obs = Vec::new();
        let out = process(self, node, ub, root, &mut obs);
        self.learner.push(node.id(), obs);
        out
    }
    fn end_round(&self) {
        self.learner.end_round();
    }
    fn live_nodes(&self) -> Option<usize> {
        Some(self.cap)
    }
    fn stash(&self, data: &mut LpNode) {
        // Rebuilt from the root LP: its own decisions become the fixings to
        // apply, and the rows it had beyond the root are generated again.
        let Some(root) = self.root.get() else { return };
        if Arc::ptr_eq(&data.sol, root) {
            return;
        }
        data.sol = root.clone();
        data.pending = data.decisions.clone();
        data.extra = Vec::new();
        if let (Some(sp), Some(sn)) = (&self.split, &mut data.split) {
            sn.lambdas.clone_from(&sp.initial);
        }
        self.stashed.fetch_add(1, Ordering::Relaxed);
    }
    fn region(&self, data: &LpNode, lb: f64) -> Option<Region> {
        let mut decisions = data.decisions.clone();
        for d in &data.pending {
            if !decisions.contains(d) {
                decisions.push(*d);
            }
        }
        Some(Region {
            bound: lb,
            decisions,
            plan: None,
        })
    }
}

/// Odd-cycle cuts per round at the root.
const CUTS_PER_ROUND: usize = 40;
/// Odd-cycle cuts at a node other than the root (one round).
const NODE_CUTS: usize = 20;
/// At most this many rounds of cuts at the root.
const MAX_CUT_ROUNDS: usize = 100;
/// Tailing off: the rounds stop when the last `TAIL_ROUNDS` rounds together
/// raised the root bound by less than `TAIL_GAIN` of its magnitude.
const TAIL_ROUNDS: usize = 5;
const TAIL_GAIN: f64 = 1e-5;
/// The rounds stop once they have used this share of the time left when
/// they began.
const CUT_TIME_SHARE: f64 = 0.2;
/// Skip separation above this many fractional sites.
const CUT_MAX_NODES: usize = 3000;

/// Tightens the root LP with odd-cycle {0,½}-cuts ([`crate::oddcycle`]); the
/// cuts stay in every node's LP, which is a clone of the root's. Rounds go on
/// until one finds no violated cut, the bound tails off (less than
/// `TAIL_GAIN` in `TAIL_ROUNDS` rounds), `MAX_CUT_ROUNDS`, or
/// `CUT_TIME_SHARE` of the time left. On the bench's L set covering, 5 rounds
/// lifted the bound 0.6 % and left 0.8 % to the optimum; rounds until none is
/// found (18 rounds, 584 cuts, about 2 s more) lift it 1.1 % and leave 0.3 %, and the tree
/// then proves the optimum in 191 nodes (docs/BENCHMARKS-solver.md).
fn add_cuts(ctx: &Ctx, mut sol: Solution) -> Result<(Solution, usize), Abort> {
    let mut added = 0;
    let t0 = Instant::now();
    let until = t0 + ctx.deadline.saturating_duration_since(t0).mul_f64(CUT_TIME_SHARE);
    // The bound after each round, for the tailing-off rule.
    let mut bounds = vec![sol.objective()];
    for _ in 0..MAX_CUT_ROUNDS {
        if Instant::now() > until {
            break;
        }
        if bounds.len() > TAIL_ROUNDS {
            let (old, now) = (bounds[bounds.len() - 1 - TAIL_ROUNDS], bounds[bounds.len() - 1]);
            if now - old < TAIL_GAIN * (now + ctx.lp.constant).abs().max(1.0) {
                break;
            }
        }
        let n = match cut_round(ctx, sol, CUTS_PER_ROUND)? {
            CutRound::Cut(next, n) => {
                sol = next;
                n
            }
            CutRound::Infeasible => return Err(Abort::new("a valid cut made the root LP infeasible")),
            CutRound::TimedOut => return Err(Abort::new("root LP re-solve after a cut timed out")),
        };
        if n == 0 {
            break;
        }
        added += n;
        bounds.push(sol.objective());
    }
    Ok((sol, added))
}

/// What a round of cuts ended with.
enum CutRound {
    /// The re-solved LP and the number of cuts added (0: none is violated).
    Cut(Solution, usize),
    /// A re-solve reported the LP infeasible (to be checked: a warm re-solve
    /// can be wrong).
    Infeasible,
    /// A re-solve hit the deadline.
    TimedOut,
}

/// One round of odd-cycle cuts at `sol`: at most `limit` cuts, added
/// together and re-solved once.
fn cut_round(ctx: &Ctx, sol: Solution, limit: usize) -> Result<CutRound, Abort> {
    let xs = ctx.values(&sol);
    let points: Vec<RowPoint> = ctx
        .lp
        .rows
        .iter()
        .map(|&g| RowPoint {
            sites: &ctx.lp.groups[g].sites,
            s: ctx.lp.groups[g].s.map_or(0.0, |v| sol.var_value_raw(v)),
        })
        .collect();
    let cuts = separate(&xs, &points, limit, CUT_MAX_NODES);
    let n = cuts.len();
    if n == 0 {
        return Ok(CutRound::Cut(sol, 0));
    }
    let rows = cuts.into_iter().map(|cut| {
        let mut e = LinearExpr::empty();
        for &(j, c) in &cut.sites {
            e.add(ctx.lp.x[j as usize], c);
        }
        for &(r, c) in &cut.rows {
            if let Some(v) = ctx.lp.groups[ctx.lp.rows[r]].s {
                e.add(v, c);
            }
        }
        (e, ComparisonOp::Ge, cut.rhs)
    });
    // One re-solve for the round's cuts.
    Ok(match solved(sol.add_constraints(rows))? {
        Solved::Optimal(s) => CutRound::Cut(s, n),
        Solved::Infeasible => CutRound::Infeasible,
        Solved::TimedOut => CutRound::TimedOut,
    })
}

/// Runs the LP search. `Err` means the LP back end failed; the caller falls
/// back to the Lagrangian search. `start` (a warm start) replaces the greedy
/// start when given.
pub(crate) fn search(
    p: &Prob,
    rel_gap: f64,
    abs_gap: f64,
    deadline: Instant,
    start: Option<Candidate>,
) -> Result<Search, Abort> {
    search_keep(p, rel_gap, abs_gap, deadline, start, false).map(|(s, _)| s)
}

/// What a finished LP search leaves for a re-plan ([`crate::warm`]): the root
/// LP with its generated rows and odd-cycle cuts, solved (its final basis),
/// and the regions of the tree.
pub(crate) struct Kept {
    pub(crate) lp: Lp,
    pub(crate) root: Arc<Solution>,
    pub(crate) regions: Vec<Region>,
    /// The pseudocosts the search ended with: a re-plan branches on them
    /// instead of strong branching where they are reliable.
    pub(crate) pseudo: lpbranch::Pseudo,
}

/// [`search`], and with `keep` what a re-plan needs ([`Kept`]; `None` when
/// the root LP was infeasible or not solved).
pub(crate) fn search_keep(
    p: &Prob,
    rel_gap: f64,
    abs_gap: f64,
    deadline: Instant,
    start: Option<Candidate>,
    keep: bool,
) -> Result<(Search, Option<Kept>), Abort> {
    search_capped(p, rel_gap, abs_gap, deadline, start, keep, None, None).map(|(s, k, _)| (s, k))
}

/// [`search_keep`] with about `cap` open nodes keeping their own LP (`None`:
/// [`live_cap`]'s), also returning how many nodes were stashed and how many
/// were rebuilt from the root LP.
#[allow(clippy::too_many_arguments)]
fn search_capped(
    p: &Prob,
    rel_gap: f64,
    abs_gap: f64,
    deadline: Instant,
    start: Option<Candidate>,
    keep: bool,
    cap: Option<usize>,
    split: Option<SplitCtx<'_>>,
) -> Result<(Search, Option<Kept>, [u64; 2]), Abort> {
    let t0 = Instant::now();
    // Greedy start: forced sites, repair, fill, local search (on the
    // objective the plans are judged by).
    let judged = split.as_ref().map_or(p, |sp| sp.orig);
    let best = start.or_else(|| greedy(judged, &p.fix, &vec![false; p.n], root_moves(judged), deadline));
    // The root LP gets a share of the time: a dense, degenerate covering LP
    // can stall the primal simplex, and the Lagrangian search then does better.
    let now = Instant::now();
    let share = deadline.saturating_duration_since(now).mul_f64(ROOT_LP_SHARE);
    let allowance = std::time::Duration::from_secs_f64(ROOT_LP_BASE_SECS + ROOT_LP_SECS_PER_ARC * p.csite.len() as f64);
    let lp_deadline = now + share.min(allowance);
    let t_lp = Instant::now();
    let (lp, root) = build(p, best.as_ref().map(|b| b.1.as_slice()), lp_deadline)?;
    if log::log_enabled!(log::Level::Debug) {
        log::debug!(
            "[hubplan-solver lp] greedy {:.3}s, root LP {:.3}s",
            t_lp.duration_since(t0).as_secs_f64(),
            t_lp.elapsed().as_secs_f64(),
        );
    }
    let root = match root {
        Solved::Optimal(s) => s,
        Solved::Infeasible => {
            return Ok((
                Search {
                    best: None,
                    bound: INF,
                    nodes: 1,
                    complete: true,
                },
                None,
                [0, 0],
            ))
        }
        Solved::TimedOut => {
            return Err(Abort(
                format!(
                    "root LP not solved in {:.1} s",
                    lp_deadline.saturating_duration_since(now).as_secs_f64()
                ),
                best.map(|b| b.1),
            ))
        }
    };
    // Each node re-solve inherits the root's per-call limit; the deadline is
    // checked between rounds.
    let ctx = Ctx {
        p,
        lp: &lp,
        deadline,
        rel_gap,
        abs_gap,
        learner: Learner::new(p.n),
        root: OnceLock::new(),
        cap: cap.unwrap_or_else(|| live_cap(&lp)),
        stashed: AtomicU64::new(0),
        rebuilt: AtomicU64::new(0),
        split,
    };
    let trace = log::log_enabled!(log::Level::Debug);
    let before = ctx.safe(&root);
    let (root, n_cuts) = add_cuts(&ctx, root)?;
    if trace {
        log::debug!(
            "[hubplan-solver lp] {:.3}s root bound {before} → {} ({}) with {n_cuts} odd-cycle cuts",
            t0.elapsed().as_secs_f64(),
            root.objective() + lp.constant,
            ctx.safe(&root)
        );
    }
    let root = Arc::new(root);
    let _ = ctx.root.set(root.clone());
    let node = LpNode {
        decisions: Vec::new(),
        sol: root.clone(),
        strong: true,
        extra: Vec::new(),
        pending: Vec::new(),
        split: ctx.split.as_ref().map(|sp| SplitNode {
            cov_lb: -INF,
            lbs: vec![-INF; sp.parts.len()],
            lambdas: sp.initial.clone(),
            best: 0,
        }),
    };
    let limits = Limits {
        deadline,
        max_nodes: None,
    };
    let keep = keep && ctx.split.is_none();
    let (s, regions) = tree::run_from(&ctx, vec![(-INF, 0, node)], best, limits, "lp", keep)?;
    let counts = [ctx.stashed.load(Ordering::Relaxed), ctx.rebuilt.load(Ordering::Relaxed)];
    if trace {
        log::debug!(
            "[hubplan-solver lp] {} open nodes stashed (about {} keep their LP), {} rebuilt from the root LP",
            counts[0],
            ctx.cap,
            counts[1]
        );
    }
    let pseudo = ctx.learner.read().clone();
    drop(ctx);
    Ok((
        s,
        keep.then_some(Kept {
            lp,
            root,
            regions,
            pseudo,
        }),
        counts,
    ))
}

/// A re-plan's starting node: bound, depth, decisions.
pub(crate) type Start = (f64, u32, Vec<(u32, bool)>);

/// Re-plans from a kept LP search ([`Kept`]) on `p`, the kept search's
/// problem with more sites fixed: each start `(bound, depth, decisions)` is a
/// region (`decisions` including the new fixings), re-solved from the kept
/// root LP by the dual simplex when the tree reaches it. The bounds must be
/// valid for the regions (the kept ones are: the new problem is a
/// restriction). One start at depth 0 with bound −∞ is a root (strong
/// branching with the root's candidates, the root's rounding). Deterministic
/// as [`search`].
pub(crate) fn resume(
    p: &Prob,
    kept: &Kept,
    starts: Vec<Start>,
    rel_gap: f64,
    abs_gap: f64,
    deadline: Instant,
    incumbent: Option<Candidate>,
) -> Result<Search, Abort> {
    let ctx = Ctx {
        p,
        lp: &kept.lp,
        deadline,
        rel_gap,
        abs_gap,
        learner: Learner::from_pseudo(kept.pseudo.clone()),
        root: OnceLock::new(),
        cap: live_cap(&kept.lp),
        stashed: AtomicU64::new(0),
        rebuilt: AtomicU64::new(0),
        split: None,
    };
    let _ = ctx.root.set(kept.root.clone());
    // A root restart: the kept root LP with the new fixings, re-solved by the
    // dual simplex, then odd-cycle cuts for its point (as a cold root).
    if let [(lb, 0, decisions)] = starts.as_slice() {
        if *lb == -INF {
            let mut sol: Solution = (*kept.root).clone();
            for &(j, open) in decisions {
                sol = match lpbranch::fix(&sol, kept.lp.x[j as usize], open)? {
                    Solved::Optimal(s) => s,
                    Solved::Infeasible => {
                        return Ok(Search {
                            best: incumbent,
                            bound: INF,
                            nodes: 1,
                            complete: true,
                        })
                    }
                    Solved::TimedOut => return Err(Abort::new("the re-plan's root LP timed out")),
                };
            }
            let (sol, _) = add_cuts(&ctx, sol)?;
            let node = LpNode {
                decisions: decisions.clone(),
                sol: Arc::new(sol),
                strong: true,
                extra: Vec::new(),
                pending: Vec::new(),
                split: None,
            };
            let limits = Limits {
                deadline,
                max_nodes: None,
            };
            return tree::run_from(&ctx, vec![(-INF, 0, node)], incumbent, limits, "lp-replan", false).map(|(s, _)| s);
        }
    }
    let starts = starts
        .into_iter()
        .map(|(lb, depth, decisions)| {
            (
                lb,
                depth,
                LpNode {
                    pending: decisions.clone(),
                    decisions,
                    sol: kept.root.clone(),
                    strong: true,
                    extra: Vec::new(),
                    split: None,
                },
            )
        })
        .collect();
    let limits = Limits {
        deadline,
        max_nodes: None,
    };
    tree::run_from(&ctx, starts, incumbent, limits, "lp-replan", false).map(|(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prep::{reduce, Prep};
    use crate::synthetic::{case_data, sized, Case, Limit, Model};
    use std::time::Duration;

    /// A maximal covering instance with unit need, a p and uniform dense
    /// reach (500 × 120, seed 10), whose LP search needs a tree of more than
    /// a few rounds (session 15: 300 × 100 with seed 4 stopped needing one
    /// once the cut rounds re-solved once per round).
    fn prob() -> Prob {
        let mut spec = sized("S", 10, false, true).expect("spec");
        spec.zones = 500;
        spec.sites = 120;
        let case = Case {
            name: "stash".into(),
            model: Model::Mclp,
            unit: true,
            limit: Limit::P,
            spec,
        };
        match reduce(&case_data(&case).instance) {
            Prep::Ok(p) => *p,
            Prep::Infeasible(e) => panic!("{e}"),
        }
    }

    fn run(p: &Prob, cap: Option<usize>, threads: usize) -> (Search, [u64; 2]) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let deadline = Instant::now() + Duration::from_secs(600);
        let (s, _, stashed) = pool
            .install(|| search_capped(p, 1e-9, 1e-6, deadline, None, false, cap, None))
            .expect("search");
        (s, stashed)
    }

    /// A kept search hands its pseudocosts to the re-plan's learner, so that
    /// the re-plan branches on the reliable ones without strong branching
    /// (the M what-if of issue 13, one site forced open with the gap of
    /// uncovered need: 0.098 s → 0.076 s).
    #[test]
    fn a_kept_search_hands_its_pseudocosts_to_the_replan() {
        let p = prob();
        let deadline = Instant::now() + Duration::from_secs(600);
        let (s, kept) = search_keep(&p, 1e-9, 1e-6, deadline, None, true).expect("search");
        let kept = kept.expect("kept");
        assert!(s.nodes > 3, "{} nodes: no tree to learn from", s.nodes);
        let reliable = (0..p.n).filter(|&j| kept.pseudo.reliable(j)).count();
        assert!(reliable > 0, "no reliable pseudocost after {} nodes", s.nodes);
        let learner = Learner::from_pseudo(kept.pseudo.clone());
        let again = (0..p.n).filter(|&j| learner.read().reliable(j)).count();
        assert_eq!(again, reliable);
    }

    /// With room for only two open nodes' LPs, most open nodes are stashed and
    /// re-solved from the root LP when reached: the search still proves the
    /// optimum the unstashed search proves, and its tree is the same on one
    /// and two threads.
    #[test]
    fn stashed_nodes_are_rebuilt_from_the_root_lp() {
        let p = prob();
        let (free, none) = run(&p, None, 1);
        let (one, counts) = run(&p, Some(2), 1);
        let (two, counts2) = run(&p, Some(2), 2);
        assert!(free.complete && one.complete && two.complete);
        let [stashed, rebuilt] = counts;
        assert!(
            stashed > 0 && rebuilt > 0,
            "{stashed} nodes stashed, {rebuilt} rebuilt of {} nodes",
            one.nodes
        );
        assert_eq!(none, [0, 0], "the default cap stashed nodes of a small tree");
        let z = |s: &Search| s.best.as_ref().expect("a plan").0;
        assert_eq!(z(&free), z(&one), "the stashed search found another optimum");
        assert_eq!(p.objective(&one.best.as_ref().expect("plan").1), z(&one));
        assert_eq!(one.best, two.best, "plan differs on 1 and 2 threads");
        assert_eq!(one.nodes, two.nodes, "tree differs on 1 and 2 threads");
        assert_eq!(counts, counts2);
    }
}
