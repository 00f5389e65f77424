//! Branch-and-Benders-cut for covering instances at national scale
//! (crate-private).
//!
//! Budgeted maximal covering (partial coverage: a zone left uncovered pays its
//! need) and set covering with very many zones: the LP search ([`crate::lpbb`])
//! needs one covering row per zone group, and at L size (33,000 zones × 3,500
//! sites, 31k distinct reach sets) microlp's root LP takes longer than the whole
//! time limit. Following Cordeau, Furini & Ljubić (2019), the zones are
//! projected out: the **master** keeps only the site variables `y` and one
//! variable `θ_k` per cluster `k` of zone groups,
//!
//! ```text
//! min  Σ_j f_j y_j + Σ_k θ_k
//! s.t. θ_k + Σ_j (Σ_{r∈R, j∈N(r)} w_r) y_j ≥ Σ_{r∈R} w_r   for the cuts found, R ⊆ cluster k
//!      Σ_{j∈N(r)} y_j ≥ 1                                   for the must-cover groups found
//!      Σ_j b_j y_j ≤ B,  lo ≤ Σ_j y_j ≤ hi,  fixings,  y ∈ [0,1]
//! ```
//!
//! The zone subproblem has a closed form: at a point `ȳ ∈ [0,1]^n` the
//! uncovered need of cluster `k` is `Σ_{r∈k} w_r max(0, 1 − ȳ(N(r)))`, and the
//! groups with `ȳ(N(r)) < 1` give the cut above (a supporting hyperplane of that
//! convex function, valid for every `y ∈ [0,1]^n`). Must-cover groups give
//! feasibility cuts, which are their covering rows. With every cut the master LP
//! is the full LP, so the bound is the LP bound of [`crate::lpbb`]; only the
//! master is much smaller.
//!
//! # Root
//! Kelley's cutting planes stabilised by the **in-out** rule (Ben-Ameur & Neto
//! 2007; Fischetti, Ljubić & Sinnl 2017): cuts are separated at
//! `α ȳ + (1 − α) c`, `c` a core point (the start plan, then moved halfway to
//! every master point), and at `ȳ` itself when that finds nothing; the true cost
//! at the separation point is an upper bound on the LP value, so the root stops
//! when the master value is within `1e-6` of it or no cut is violated.
//!
//! # Tree
//! The shared driver [`crate::tree`] (best bound first, synchronous parallel
//! rounds merged in a fixed order: the same tree on any thread count). A node
//! re-solves its parent's master with one more fixing (microlp dual simplex),
//! adds the cuts its point violates (Kelley), evaluates an integral point
//! exactly, rounds a fractional one into a plan improved by local search, and
//! branches on the candidate with the best product of bound gains among the
//! most fractional sites (strong branching; a side that cannot beat the
//! incumbent fixes the site the other way). Every master value is a valid
//! lower bound whatever cuts it has, so node bounds are safe before their cut
//! loop converges.
//!
//! # References
//! - J.-F. Cordeau, F. Furini & I. Ljubić (2019), Benders decomposition for very
//!   large scale partial set covering and maximal covering location problems, EJOR 275.
//! - M. Fischetti, I. Ljubić & M. Sinnl (2017), Redesigning Benders decomposition
//!   for large-scale facility location, Management Science 63.
//! - W. Ben-Ameur & J. Neto (2007), Acceleration of cutting-plane and column
//!   generation algorithms: applications to network design, Networks 49.

use crate::heuristic::{greedy, root_moves};
use crate::instance::Fixing;
use crate::lpbranch::{self, solved, Rule, Solved, Step};
use crate::prep::{Prob, INF};
use crate::tree::{self, Candidate, Expansion, Limits, Node, Search, Tree};
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Solution, Variable};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// Zone groups per cluster (one `θ` each) ...
const GROUPS_PER_CLUSTER: usize = 200;
/// ... and at most this many clusters.
const MAX_CLUSTERS: usize = 256;
/// Strong-branching candidates at the root and below it.
const CANDIDATES_ROOT: usize = 12;
const CANDIDATES: usize = 6;
/// Re-solves of one node after strong-branching fixings.
const MAX_PROBING_ROUNDS: usize = 4;
/// Cut passes at a node whose point stays fractional (an integral point is cut
/// until it is exact).
const NODE_PASSES: usize = 40;
/// Weight of the master point in the in-out separation point at the root.
const IN_OUT_ALPHA: f64 = 0.3;
/// Most cuts added to the master per pass (the most violated first): every
/// cut costs a dual-simplex re-solve.
const CUTS_PER_PASS: usize = 20;
/// A value this close to 0 or 1 counts as integral.
const INT_TOL: f64 = 1e-6;

pub(crate) use crate::lpbranch::Abort;

/// One cut: `θ_k + Σ a_j y_j ≥ rhs` (`k = None`: the row of must-cover group
/// `must[row]`, `Σ y_j ≥ 1`).
struct Cut {
    k: Option<usize>,
    row: usize,
    coefs: Vec<(u32, f64)>,
    rhs: f64,
}

/// The decomposed problem: zone groups, clusters, the master's variables.
struct Master {
    /// Sites of each group (sorted).
    sites: Vec<Vec<u32>>,
    /// Weight of each group (`INF`: must be covered).
    weight: Vec<f64>,
    /// Partial groups of each cluster.
    clusters: Vec<Vec<u32>>,
    /// Must-cover groups.
    must: Vec<u32>,
    y: Vec<Variable>,
    theta: Vec<Variable>,
    /// Objective constant.
    constant: f64,
}

/// Zones with identical reach sets merged into one weighted group (weights add
/// up; `INF` when one of them must be covered), in first-seen order; groups
/// that cost nothing uncovered are left out.
fn groups(p: &Prob) -> (Vec<Vec<u32>>, Vec<f64>) {
    let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut sites: Vec<Vec<u32>> = Vec::new();
    let mut weight: Vec<f64> = Vec::new();
    for i in 0..p.m {
        let mut key = p.client(i).0.to_vec();
        key.sort_unstable();
        match index.get(&key) {
            Some(&g) => weight[g] += p.unserved[i],
            None => {
                index.insert(key.clone(), sites.len());
                sites.push(key);
                weight.push(p.unserved[i]);
            }
        }
    }
    let keep: Vec<usize> = (0..sites.len()).filter(|&g| weight[g] > 0.0).collect();
    (
        keep.iter().map(|&g| std::mem::take(&mut sites[g])).collect(),
        keep.iter().map(|&g| weight[g]).collect(),
    )
}

/// Clusters of partial groups that share sites: sites are numbered in
/// breadth-first order over "covers a common group", each group takes the
/// smallest number among its sites, and the numbers are cut into equal ranges.
/// Nearby zones then share a `θ`, so each cut touches few sites.
fn clusters(n: usize, sites: &[Vec<u32>], weight: &[f64]) -> Vec<Vec<u32>> {
    let partial: Vec<u32> = (0..sites.len() as u32)
        .filter(|&g| weight[g as usize].is_finite())
        .collect();
    if partial.is_empty() {
        return Vec::new();
    }
    let k = (partial.len() / GROUPS_PER_CLUSTER).clamp(1, MAX_CLUSTERS);
    let mut of_site: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &g in &partial {
        for &j in &sites[g as usize] {
            of_site[j as usize].push(g);
        }
    }
    let mut order = vec![usize::MAX; n];
    let mut seen_group = vec![false; sites.len()];
    let mut next = 0;
    let mut queue = std::collections::VecDeque::new();
    for s in 0..n {
        if order[s] != usize::MAX || of_site[s].is_empty() {
            continue;
        }
        order[s] = next;
        next += 1;
        queue.push_back(s);
        while let Some(j) = queue.pop_front() {
            for &g in &of_site[j] {
                if std::mem::replace(&mut seen_group[g as usize], true) {
                    continue;
                }
                for &t in &sites[g as usize] {
                    if order[t as usize] == usize::MAX {
                        order[t as usize] = next;
                        next += 1;
                        queue.push_back(t as usize);
                    }
                }
            }
        }
    }
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); k];
    for &g in &partial {
        let key = sites[g as usize].iter().map(|&j| order[j as usize]).min().unwrap_or(0);
        out[(key * k / next.max(1)).min(k - 1)].push(g);
    }
    out.retain(|c| !c.is_empty());
    out
}

impl Master {
    /// Uncovered-need cut of cluster `k` at `v`, with the exact uncovered need
    /// there; `None` when `v` covers every group of the cluster.
    fn cut(&self, k: usize, v: &[f64]) -> (Option<Cut>, f64) {
        let mut acc: HashMap<u32, f64> = HashMap::new();
        let mut rhs = 0.0;
        let mut exact = 0.0;
        for &g in &self.clusters[k] {
            let s = &self.sites[g as usize];
            let cover: f64 = s.iter().map(|&j| v[j as usize]).sum();
            if cover < 1.0 - 1e-9 {
                let w = self.weight[g as usize];
                rhs += w;
                exact += w * (1.0 - cover);
                for &j in s {
                    *acc.entry(j).or_insert(0.0) += w;
                }
            }
        }
        if acc.is_empty() {
            return (None, 0.0);
        }
        let mut coefs: Vec<(u32, f64)> = acc.into_iter().collect();
        coefs.sort_unstable_by_key(|c| c.0);
        (
            Some(Cut {
                k: Some(k),
                row: 0,
                coefs,
                rhs,
            }),
            exact,
        )
    }

    /// Left-hand side of a cut at the master point.
    fn lhs(&self, c: &Cut, ys: &[f64], th: &[f64]) -> f64 {
        c.k.map_or(0.0, |k| th[k]) + c.coefs.iter().map(|&(j, a)| a * ys[j as usize]).sum::<f64>()
    }

    fn violated(&self, c: &Cut, ys: &[f64], th: &[f64]) -> bool {
        self.lhs(c, ys, th) < c.rhs - 1e-7 * (1.0 + c.rhs.abs())
    }

    /// Cuts violated at the master point `(ys, th)`, separated at `sep`, and
    /// the true cost at `sep` (`INF` when `sep` leaves a must-cover group
    /// uncovered). Must-cover rows already in the LP (`in_lp`) are skipped.
    fn separate(&self, p: &Prob, ys: &[f64], th: &[f64], sep: &[f64], in_lp: &[bool]) -> (Vec<Cut>, f64) {
        let per: Vec<(Option<Cut>, f64)> = (0..self.clusters.len())
            .into_par_iter()
            .map(|k| self.cut(k, sep))
            .collect();
        let mut cost: f64 = self.constant + (0..p.n).map(|j| p.fixed[j] * sep[j]).sum::<f64>();
        let mut out = Vec::new();
        for (c, exact) in per {
            cost += exact;
            if let Some(c) = c {
                if self.violated(&c, ys, th) {
                    out.push(c);
                }
            }
        }
        for (m, &g) in self.must.iter().enumerate() {
            let s = &self.sites[g as usize];
            if s.iter().map(|&j| sep[j as usize]).sum::<f64>() < 1.0 - 1e-9 {
                cost = INF;
            }
            if !in_lp[m] && s.iter().map(|&j| ys[j as usize]).sum::<f64>() < 1.0 - 1e-7 {
                out.push(Cut {
                    k: None,
                    row: m,
                    coefs: s.iter().map(|&j| (j, 1.0)).collect(),
                    rhs: 1.0,
                });
            }
        }
        (out, cost)
    }

    fn expr(&self, c: &Cut) -> LinearExpr {
        let mut e = LinearExpr::empty();
        if let Some(k) = c.k {
            e.add(self.theta[k], 1.0);
        }
        for &(j, a) in &c.coefs {
            e.add(self.y[j as usize], a);
        }
        e
    }

    fn point(&self, sol: &Solution) -> (Vec<f64>, Vec<f64>) {
        (
            self.y.iter().map(|&v| sol.var_value_raw(v)).collect(),
            self.theta.iter().map(|&v| sol.var_value_raw(v)).collect(),
        )
    }
}

/// What a node of the Benders tree carries.
#[derive(Clone)]
struct BNode {
    decisions: Vec<(u32, bool)>,
    /// The solved master of this node.
    sol: Arc<Solution>,
    /// Must-cover rows in this node's master.
    in_lp: Arc<Vec<bool>>,
    /// Strong branching is worth its cost here.
    strong: bool,
}

struct Ctx<'a> {
    p: &'a Prob,
    m: &'a Master,
    deadline: Instant,
    rel_gap: f64,
    abs_gap: f64,
}

impl Ctx<'_> {
    /// A safe lower bound from a master value (float tolerance, integrality).
    fn safe(&self, sol: &Solution) -> f64 {
        let v = sol.objective() + self.m.constant;
        let v = v - 1e-7 * (1.0 + v.abs());
        if self.p.integral {
            v.ceil()
        } else {
            v
        }
    }
}

/// Adds `cuts` to `sol` and re-solves once (dual simplex warm start).
fn add_cuts(m: &Master, sol: Solution, cuts: &[Cut], in_lp: &mut [bool]) -> Result<Solved, Abort> {
    if cuts.is_empty() {
        return Ok(Solved::Optimal(sol));
    }
    for c in cuts {
        if c.k.is_none() {
            in_lp[c.row] = true;
        }
    }
    solved(sol.add_constraints(cuts.iter().map(|c| (m.expr(c), ComparisonOp::Ge, c.rhs))))
}

/// Rounds a master point: sites at 1 stay open, then fractional sites in
/// decreasing value while the side constraints allow; then local search.
fn round(ctx: &Ctx, fix: &[Fixing], xs: &[f64], moves: usize) -> Option<Candidate> {
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

fn process(ctx: &Ctx, node: &Node<BNode>, ub: f64, root: bool) -> Result<Expansion<BNode>, Abort> {
    let p = ctx.p;
    let m = ctx.m;
    let cutoff = ctx.cutoff(ub);
    let mut out = Expansion::empty();
    let mut sol: Solution = (*node.data.sol).clone();
    let mut in_lp: Vec<bool> = (*node.data.in_lp).clone();
    let mut decisions = node.data.decisions.clone();
    let mut lb = ctx.safe(&sol).max(node.lb);
    let mut heuristic_done = false;
    let mut passes = 0;
    let mut round_no = 0;
    loop {
        if lb >= cutoff {
            out.discarded = out.discarded.min(lb);
            return Ok(out);
        }
        if Instant::now() > ctx.deadline {
            return Ok(Expansion::interrupted());
        }
        let (ys, th) = m.point(&sol);
        let fix = p.fixings_with(&decisions);
        let integral = ys.iter().all(|&v| !(INT_TOL..=1.0 - INT_TOL).contains(&v));
        if integral || passes < NODE_PASSES {
            let (cuts, _) = m.separate(p, &ys, &th, &ys, &in_lp);
            if !cuts.is_empty() {
                passes += 1;
                sol = match add_cuts(m, sol, &cuts, &mut in_lp)? {
                    Solved::Optimal(s) => s,
                    Solved::Infeasible => return Ok(out),
                    Solved::TimedOut => return Ok(Expansion::interrupted()),
                };
                lb = ctx.safe(&sol).max(lb);
                continue;
            }
        }
        let frac: Vec<usize> = (0..p.n)
            .filter(|&j| fix[j] == Fixing::Free && ys[j] > INT_TOL && ys[j] < 1.0 - INT_TOL)
            .collect();
        if frac.is_empty() {
            // Integral and exact: the best plan of this subtree.
            let open: Vec<bool> = ys.iter().map(|&v| v > 0.5).collect();
            if p.side_ok(&open) {
                let z = p.objective(&open);
                if z.is_finite() {
                    out.candidates.push((z, open));
                }
            }
            return Ok(out);
        }
        if !heuristic_done && (root || node.depth % 3 == 0) {
            heuristic_done = true;
            let moves = if root { root_moves(p) } else { 20 };
            out.candidates.extend(round(ctx, &fix, &ys, moves));
        }
        let rows_now = in_lp.clone();
        let cold = |d: &[(u32, bool)]| cold_master(ctx, &rows_now, d);
        let rule = Rule {
            candidates: if root { CANDIDATES_ROOT } else { CANDIDATES },
            strong: node.data.strong,
            probe: round_no + 1 < MAX_PROBING_ROUNDS,
            deadline: ctx.deadline,
            cold: Some(&cold),
            pseudo: None,
        };
        let var = |j: u32| ctx.m.y[j as usize];
        match lpbranch::branch(
            &mut sol,
            &mut decisions,
            lb,
            cutoff,
            frac,
            &ys,
            &rule,
            var,
            |s| ctx.safe(s),
            &mut out.discarded,
            &mut Vec::new(),
        )? {
            Step::Done => return Ok(out),
            Step::Interrupted => return Ok(Expansion::interrupted()),
            Step::Probed(b) => {
                lb = b;
                round_no += 1;
                passes = 0;
                continue;
            }
            Step::Children(children) => {
                let in_lp = Arc::new(in_lp);
                for (b, d, s, strong) in children {
                    out.children.push((
                        b,
                        BNode {
                            decisions: d,
                            sol: Arc::new(s),
                            in_lp: in_lp.clone(),
                            strong,
                        },
                    ));
                }
                return Ok(out);
            }
        }
    }
}

impl Tree for Ctx<'_> {
    type Data = BNode;
    type Error = Abort;
    fn cutoff(&self, ub: f64) -> f64 {
        self.p.cutoff(ub, self.rel_gap, self.abs_gap)
    }
    fn expand(&self, node: &Node<BNode>, ub: f64, root: bool) -> Result<Expansion<BNode>, Abort> {
        process(self, node, ub, root)
    }
}

/// The master with the cuts of the start plan: one uncovered-need cut per
/// cluster and the rows of the must-cover groups the plan covers at most once.
fn build(p: &Prob, start: Option<&[bool]>, deadline: Instant) -> (Master, Problem, Vec<bool>) {
    let (sites, weight) = groups(p);
    let clusters = clusters(p.n, &sites, &weight);
    let must: Vec<u32> = (0..sites.len() as u32)
        .filter(|&g| !weight[g as usize].is_finite())
        .collect();
    let (mut pr, y, theta) = skeleton(p, &p.fix, &clusters, &weight);
    let m = Master {
        sites,
        weight,
        clusters,
        must,
        y,
        theta,
        constant: p.constant,
    };
    let mut in_lp = vec![false; m.must.len()];
    if let Some(open) = start {
        let v: Vec<f64> = open.iter().map(|&o| if o { 1.0 } else { 0.0 }).collect();
        for k in 0..m.clusters.len() {
            if let (Some(c), _) = m.cut(k, &v) {
                pr.add_constraint(m.expr(&c), ComparisonOp::Ge, c.rhs);
            }
        }
        for (i, &g) in m.must.iter().enumerate() {
            if m.sites[g as usize].iter().filter(|&&j| open[j as usize]).count() <= 1 {
                in_lp[i] = true;
            }
        }
    } else {
        in_lp.iter_mut().for_each(|b| *b = true);
    }
    must_rows(&m, &mut pr, &in_lp);
    pr.set_time_limit(deadline.saturating_duration_since(Instant::now()));
    (m, pr, in_lp)
}

/// The master's columns (sites under `fix`, one θ per cluster, in the same
/// order on every call, so a rebuilt problem has the same variables) with
/// its budget and count rows.
fn skeleton(
    p: &Prob,
    fix: &[Fixing],
    clusters: &[Vec<u32>],
    weight: &[f64],
) -> (Problem, Vec<Variable>, Vec<Variable>) {
    let mut pr = Problem::new(OptimizationDirection::Minimize);
    let y = crate::lpbranch::site_columns(p, &mut pr, fix);
    let theta: Vec<Variable> = clusters
        .iter()
        .map(|c| {
            let w: f64 = c.iter().map(|&g| weight[g as usize]).sum();
            pr.add_var(1.0, (0.0, w))
        })
        .collect();
    crate::lpbranch::side_rows(p, &mut pr, &y);
    (pr, y, theta)
}

/// The covering rows of the must-cover groups marked in `in_lp`.
fn must_rows(m: &Master, pr: &mut Problem, in_lp: &[bool]) {
    for (i, &g) in m.must.iter().enumerate() {
        if in_lp[i] {
            let mut e = LinearExpr::empty();
            for &j in &m.sites[g as usize] {
                e.add(m.y[j as usize], 1.0);
            }
            pr.add_constraint(e, ComparisonOp::Ge, 1.0);
        }
    }
}

/// The node's master with `decisions` solved from scratch, without its
/// optimality cuts (a weaker but valid bound; the node separates them
/// again). Checks an infeasibility that a warm dual-simplex re-solve
/// reported, as `lpbb::cold_solve` does: only the side rows and the
/// must-cover rows can make the master infeasible.
fn cold_master(ctx: &Ctx, in_lp: &[bool], decisions: &[(u32, bool)]) -> Result<Solved, Abort> {
    let m = ctx.m;
    let (mut pr, _, _) = skeleton(ctx.p, &ctx.p.fixings_with(decisions), &m.clusters, &m.weight);
    must_rows(m, &mut pr, in_lp);
    pr.set_time_limit(ctx.deadline.saturating_duration_since(Instant::now()));
    solved(pr.solve())
}

/// Keeps the [`CUTS_PER_PASS`] most violated cuts (relative violation; ties
/// by position, so the choice is deterministic).
fn strongest(m: &Master, cuts: &mut Vec<Cut>, ys: &[f64], th: &[f64]) {
    if cuts.len() <= CUTS_PER_PASS {
        return;
    }
    let mut v: Vec<(f64, usize)> = cuts
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.rhs - m.lhs(c, ys, th)) / (1.0 + c.rhs.abs()), i))
        .collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut keep: Vec<usize> = v[..CUTS_PER_PASS].iter().map(|x| x.1).collect();
    keep.sort_unstable();
    let mut all: Vec<Option<Cut>> = std::mem::take(cuts).into_iter().map(Some).collect();
    *cuts = keep.into_iter().filter_map(|i| all[i].take()).collect();
}

/// How the root cut loop ended.
enum Root {
    /// The master with its cuts (the loop converged, or the deadline struck
    /// between passes).
    Solved(Solution),
    /// A re-solve was cut short by the deadline; the last master value is a
    /// valid bound.
    TimedOut(f64),
}

/// The root: Kelley's cutting planes with in-out stabilisation until no cut is
/// violated or the master value meets the best true cost seen at a
/// separation point.
fn root_loop(ctx: &Ctx, mut sol: Solution, core: &mut [f64], in_lp: &mut [bool]) -> Result<Root, Abort> {
    let p = ctx.p;
    let m = ctx.m;
    let mut lp_ub = INF;
    let trace = log::log_enabled!(log::Level::Debug);
    let t0 = Instant::now();
    let mut cuts_added = 0usize;
    for it in 0.. {
        if Instant::now() > ctx.deadline {
            break;
        }
        let (ys, th) = m.point(&sol);
        let lb = sol.objective() + m.constant;
        let sep: Vec<f64> = ys
            .iter()
            .zip(core.iter())
            .map(|(&a, &c)| IN_OUT_ALPHA * a + (1.0 - IN_OUT_ALPHA) * c)
            .collect();
        let (mut cuts, cost) = m.separate(p, &ys, &th, &sep, in_lp);
        lp_ub = lp_ub.min(cost);
        if cuts.is_empty() {
            let (c2, cost2) = m.separate(p, &ys, &th, &ys, in_lp);
            lp_ub = lp_ub.min(cost2);
            cuts = c2;
        }
        if trace && (it % 10 == 0 || cuts.is_empty()) {
            log::debug!(
                "[hubplan-solver benders] {:.3}s root pass {it}: master {lb:.3}, best point {lp_ub:.3}, {} cuts ({cuts_added} so far)",
                t0.elapsed().as_secs_f64(),
                cuts.len()
            );
        }
        if cuts.is_empty() || lp_ub - lb <= 1e-6 * (1.0 + lb.abs()) {
            break;
        }
        strongest(m, &mut cuts, &ys, &th);
        for (c, &y) in core.iter_mut().zip(&ys) {
            *c = 0.5 * (*c + y);
        }
        cuts_added += cuts.len();
        let last = ctx.safe(&sol);
        sol = match add_cuts(m, sol, &cuts, in_lp)? {
            Solved::Optimal(s) => s,
            // The master was feasible before these cuts, and Benders cuts are
            // valid for every feasible plan: an infeasible answer here is
            // numerical, never a proof, so hand over to the exact search.
            Solved::Infeasible => return Err(Abort::new("master LP reported infeasible after valid cuts")),
            Solved::TimedOut => return Ok(Root::TimedOut(last)),
        };
    }
    Ok(Root::Solved(sol))
}

/// Runs the Benders search. `start` is a plan to begin from (a warm start);
/// `Err` means the LP back end failed and the caller falls back.
pub(crate) fn search(
    p: &Prob,
    rel_gap: f64,
    abs_gap: f64,
    deadline: Instant,
    start: Option<Candidate>,
) -> Result<Search, Abort> {
    let t0 = Instant::now();
    let best = match start {
        Some(s) => Some(s),
        None => greedy(p, &p.fix, &vec![false; p.n], root_moves(p), deadline),
    };
    let (m, pr, mut in_lp) = build(p, best.as_ref().map(|b| b.1.as_slice()), deadline);
    let first = solved(pr.solve())?;
    let trace = log::log_enabled!(log::Level::Debug);
    if trace {
        log::debug!(
            "[hubplan-solver benders] {:.3}s master: {} sites, {} clusters of {} partial groups, {} must-cover groups",
            t0.elapsed().as_secs_f64(),
            p.n,
            m.clusters.len(),
            m.clusters.iter().map(Vec::len).sum::<usize>(),
            m.must.len()
        );
    }
    let infeasible = Search {
        best: None,
        bound: INF,
        nodes: 1,
        complete: true,
    };
    let sol = match first {
        Solved::Optimal(s) => s,
        Solved::Infeasible => return Ok(infeasible),
        Solved::TimedOut => return Err(Abort::new("master LP timed out")),
    };
    let ctx = Ctx {
        p,
        m: &m,
        deadline,
        rel_gap,
        abs_gap,
    };
    let mut core: Vec<f64> = match &best {
        Some((_, open)) => open.iter().map(|&o| if o { 1.0 } else { 0.0 }).collect(),
        None => m.y.iter().map(|&v| sol.var_value_raw(v)).collect(),
    };
    let stopped = |bound: f64, best: Option<Candidate>| Search {
        bound: best.as_ref().map_or(bound, |b| bound.min(b.0)),
        best,
        nodes: 1,
        complete: false,
    };
    let sol = match root_loop(&ctx, sol, &mut core, &mut in_lp)? {
        Root::Solved(s) => s,
        Root::TimedOut(bound) => return Ok(stopped(bound, best)),
    };
    if Instant::now() > deadline {
        return Ok(stopped(ctx.safe(&sol), best));
    }
    if trace {
        log::debug!(
            "[hubplan-solver benders] {:.3}s root bound {}",
            t0.elapsed().as_secs_f64(),
            ctx.safe(&sol)
        );
    }
    let root = BNode {
        decisions: Vec::new(),
        sol: Arc::new(sol),
        in_lp: Arc::new(in_lp),
        strong: true,
    };
    let limits = Limits {
        deadline,
        max_nodes: None,
    };
    tree::run(&ctx, root, best, limits, "benders")
}
