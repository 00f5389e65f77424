//! Exact search for demand capacity when the assignment costs nothing
//! (crate-private; see [`crate::capacity`] and docs/SOLVER.md §Demand capacity).
//!
//! # The class
//! Split assignment, every arc cost 0 and every client must be served (the
//! `min_cost` objective with capacities). The problem is then
//!
//! ```text
//! min Σ_j f_j y_j   s.t. the open sites can place every client's need,
//!                   every client has an open site in reach, budget, cardinality, fixings
//! ```
//!
//! and by Gale's supply–demand theorem (see [`crate::hall`]) "can place" is
//! the family of Hall inequalities `Σ_{j ∈ N(S)} Q_j y_j ≥ d(S)` over zone
//! sets `S`. No assignment variable is needed.
//!
//! # Method
//! A branch-and-cut on `y` alone, through the shared driver [`crate::tree`]:
//!
//! 1. **Master LP.** Covering rows `Σ_{j ∈ N(i)} y_j ≥ 1` (one per distinct
//!    reach set without a site forced open), the budget, the cardinality and
//!    the fixings (bounds), on microlp's dual simplex.
//! 2. **Cut rounds** at every node (up to 60 at the root, 8 below it), rows
//!    added warm: at the LP point `y*`, [`crate::hall::separate_linked`] finds
//!    the zone sets `S` most violated by the strengthened Hall inequality
//!    `Σ_j min(Q_j, d(S_j)) y_j ≥ d(S)`; more candidate sets come from the same
//!    separation with the need inflated by 1–100 % (near-tight sets) and from
//!    [`crate::hall::separate`] at the integral points where the fractional
//!    sites are closed (one at a time, the others rounded up, and all
//!    together). Every row is written over the free sites only (sites forced
//!    open move to the right side), its coefficients reduced to the right side,
//!    and two rank-1 cuts of the binary knapsack are tried: the cover cut
//!    `Σ_{j ∈ N(S)} y_j ≥ k(S)` (`k(S)` the fewest free sites, largest first,
//!    whose capacity reaches the rest of `d(S)`), and complemented
//!    mixed-integer rounding (Marchand & Wolsey 2001) with divisors taken from
//!    the row's coefficients. A row enters when it cuts `y*` off.
//! 3. **Integral points** are checked by maximum flow
//!    ([`crate::hall::max_placed`]): a plan when every need fits (the node is
//!    then done: its LP optimum is that plan), otherwise its violated Hall rows
//!    are added. A fractional node branches on the site closest to ½; children
//!    re-solve from the parent's basis.
//!
//! Root plans: the LP point rounded up at ½, ¼ and above 0, repaired by
//! opening, in the first violated Hall set, the site with the least fixed cost
//! per unit of the missing capacity, then pruned by closing open sites in
//! decreasing fixed cost while every need still fits.
//!
//! # Honest outcome
//! `Optimal` only when the tree closed within the gap; at the time limit
//! `Feasible` with the tree's proven bound; `Infeasible` when even every
//! allowed site open cannot place the need, or the closed tree found no plan.
//! Node LPs run in `tree.rs`'s fixed rounds and microlp is sequential, so the
//! answer does not depend on the thread count.
//!
//! # Complexity
//! One separation: a max-flow on `clients + sites + 2` nodes and
//! `arcs + clients + sites` edges (Dinic); a cut round runs about
//! 10 + (fractional sites) of them. The LP has one column per site and one row
//! per distinct reach set plus the cuts; the tree is exponential in the worst
//! case, like any branch-and-bound.
//!
//! # References
//! - D. Gale (1957), A theorem on flows in networks, Pacific J. Math. 7.
//! - K. Aardal, Y. Pochet & L.A. Wolsey (1995), Capacitated facility location:
//!   valid inequalities and facets, Math. Oper. Res. 20.
//! - H. Marchand & L.A. Wolsey (2001), Aggregation and mixed integer rounding
//!   to solve MIPs, Operations Research 49.

use crate::capacity::{assignment_objective, transport, Assignment, CapacityOutcome, Flows};
use crate::hall;
use crate::instance::{Fixing, Instance, InstanceError};
use crate::outcome::{Outcome, SolveOptions, Status};
use crate::tree::{self, Expansion, Limits, Node, Tree};
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Solution, SolveOutcome, Variable};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// The name in `Outcome::search`.
pub(crate) const SEARCH: &str = "capacity-hall-cuts";
const SOLVER: &str = "capacity:hall-cuts (max-flow separation, branch-and-cut on microlp) + min-cost-flow assignment";
const WHY: &str = "demand capacity (split) with no assignment cost and every zone served: the plan is feasible iff every zone set's need fits in the capacity of the sites it reaches (Hall/Gale), so the search runs on the sites alone with Hall cuts separated by max-flow, their cover and MIR roundings, in a branch-and-cut whose integral points are checked by max-flow";

/// Root cut rounds at most.
const ROOT_ROUNDS: usize = 60;
/// Need inflation factors for near-tight zone sets at the root.
const INFLATE: [f64; 9] = [1.0, 1.01, 1.03, 1.06, 1.1, 1.2, 1.3, 1.5, 2.0];

/// Whether the class applies: split assignment, every arc free, every client
/// must be served.
pub(crate) fn applies(inst: &Instance, mode: Assignment) -> bool {
    mode == Assignment::Split
        && inst.n_clients() > 0
        && inst.unserved_cost.iter().all(Option::is_none)
        && inst.arcs.iter().all(|a| a.cost == 0.0)
}

// A row `Σ coef_j y_j ≥ rhs` over free sites.
use crate::hall::SiteRow as Row;

impl Row {
    fn key(&self) -> Vec<u64> {
        let mut k: Vec<u64> = self
            .coefs
            .iter()
            .flat_map(|&(j, c)| [u64::from(j), c.to_bits()])
            .collect();
        k.push(self.rhs.to_bits());
        k
    }
}

struct Data<'a> {
    inst: &'a Instance,
    n: usize,
    need: Vec<f64>,
    /// Per client, the sites in reach that are not closed.
    reach: Vec<Vec<u32>>,
    /// Full capacity (`INF` without one).
    q: Vec<f64>,
    free: Vec<bool>,
    forced: Vec<bool>,
}

impl<'a> Data<'a> {
    fn new(inst: &'a Instance) -> Self {
        let n = inst.n_sites();
        let reach = (0..inst.n_clients())
            .map(|i| {
                inst.arcs_of(i)
                    .iter()
                    .filter(|a| inst.fixing[a.site as usize] != Fixing::Closed)
                    .map(|a| a.site)
                    .collect()
            })
            .collect();
        Data {
            inst,
            n,
            need: inst.demand.iter().map(|&d| d.max(0.0)).collect(),
            reach,
            q: inst.capacity.iter().map(|c| c.unwrap_or(f64::INFINITY)).collect(),
            free: inst.fixing.iter().map(|f| *f == Fixing::Free).collect(),
            forced: inst.fixing.iter().map(|f| *f == Fixing::Open).collect(),
        }
    }

    fn caps(&self, y: &[f64]) -> Vec<f64> {
        (0..self.n).map(|j| if y[j] > 0.5 { self.q[j] } else { 0.0 }).collect()
    }

    fn total(&self) -> f64 {
        self.need.iter().sum()
    }

    /// Every need fits and every client has an open site in reach.
    fn fits(&self, open: &[bool]) -> bool {
        if self.reach.iter().any(|r| !r.iter().any(|&j| open[j as usize])) {
            return false;
        }
        let y: Vec<f64> = open.iter().map(|&o| f64::from(u8::from(o))).collect();
        let placed = hall::max_placed(&self.need, &self.reach, &self.caps(&y));
        placed >= self.total() * (1.0 - 1e-9) - 1e-9
    }

    /// The Hall row of zone set `zones` over the free sites: forced-open sites
    /// move to the right side, coefficients reduced to it. `None` when the
    /// forced sites already hold the need.
    fn hall_row(&self, zones: &[u32]) -> Option<Row> {
        let mut dsj: HashMap<u32, f64> = HashMap::new();
        let mut rhs = 0.0;
        for &i in zones {
            let d = self.need[i as usize];
            rhs += d;
            for &j in &self.reach[i as usize] {
                *dsj.entry(j).or_insert(0.0) += d;
            }
        }
        let mut coefs = Vec::new();
        for (&j, &d) in &dsj {
            let c = self.q[j as usize].min(d);
            if self.forced[j as usize] {
                rhs -= c;
            } else if self.free[j as usize] {
                coefs.push((j, c));
            }
        }
        if rhs <= 1e-9 * self.total().max(1.0) {
            return None;
        }
        coefs.sort_unstable_by_key(|p| p.0);
        for c in &mut coefs {
            c.1 = c.1.min(rhs);
        }
        Some(Row { coefs, rhs })
    }

    /// The Hall rows of the sets a separation at `y` returns.
    fn separate(&self, y: &[f64], integral: bool, factors: &[f64], closures: usize) -> Vec<Row> {
        let mut out = Vec::new();
        let mut seen: HashSet<Vec<u32>> = HashSet::new();
        let factors: &[f64] = if integral { &[1.0] } else { factors };
        for &f in factors {
            let need: Vec<f64> = self.need.iter().map(|d| d * f).collect();
            let cuts = if integral {
                hall::separate(&need, &self.reach, &self.caps(y), &self.q, 1e-9 * self.total().max(1.0))
            } else {
                hall::separate_linked(&need, &self.reach, y, &self.q, 1e-9 * self.total().max(1.0))
            };
            for c in cuts {
                if seen.insert(c.zones.clone()) {
                    if let Some(r) = self.hall_row(&c.zones) {
                        out.push(r);
                    }
                }
            }
        }
        if !integral {
            // Sets short of capacity when the fractional sites are closed: each
            // one at a time, then all of them.
            // At most `closures` single closures: the most fractional sites first.
            let mut frac: Vec<usize> = (0..self.n).filter(|&j| y[j] > 1e-6 && y[j] < 1.0 - 1e-6).collect();
            frac.sort_by(|&a, &b| (y[a] - 0.5).abs().total_cmp(&(y[b] - 0.5).abs()).then(a.cmp(&b)));
            frac.truncate(closures);
            let up: Vec<f64> = y.iter().map(|&v| if v > 1e-6 { 1.0 } else { 0.0 }).collect();
            let mut points: Vec<Vec<f64>> = frac
                .iter()
                .map(|&j| {
                    let mut p = up.clone();
                    p[j] = 0.0;
                    p
                })
                .collect();
            points.push(y.iter().map(|&v| if v >= 1.0 - 1e-6 { 1.0 } else { 0.0 }).collect());
            for p in points {
                for c in hall::separate(
                    &self.need,
                    &self.reach,
                    &self.caps(&p),
                    &self.q,
                    1e-9 * self.total().max(1.0),
                ) {
                    if seen.insert(c.zones.clone()) {
                        if let Some(r) = self.hall_row(&c.zones) {
                            out.push(r);
                        }
                    }
                }
            }
        }
        out
    }
}

fn expr(vars: &[Variable], row: &Row) -> LinearExpr {
    let mut e = LinearExpr::empty();
    for &(j, c) in &row.coefs {
        e.add(vars[j as usize], c);
    }
    e
}

/// The master problem: covering rows, side constraints and `cuts`, with
/// binary or continuous `y`.
fn master(d: &Data, covers: &[Row], cuts: &[Row], integer: bool) -> (Problem, Vec<Variable>) {
    let inst = d.inst;
    let mut p = Problem::new(OptimizationDirection::Minimize);
    let vars: Vec<Variable> = (0..d.n)
        .map(|j| {
            let (lo, hi) = match inst.fixing[j] {
                Fixing::Free => (0, 1),
                Fixing::Open => (1, 1),
                Fixing::Closed => (0, 0),
            };
            if integer {
                p.add_integer_var(inst.fixed_cost[j], (lo, hi))
            } else {
                p.add_var(inst.fixed_cost[j], (f64::from(lo), f64::from(hi)))
            }
        })
        .collect();
    for r in covers.iter().chain(cuts) {
        p.add_constraint(expr(&vars, r), ComparisonOp::Ge, r.rhs);
    }
    if let Some(b) = inst.budget {
        let mut e = LinearExpr::empty();
        for j in 0..d.n {
            e.add(vars[j], inst.budget_cost[j]);
        }
        p.add_constraint(e, ComparisonOp::Le, b + 1e-9 * b.abs().max(1.0));
    }
    if let Some(c) = inst.cardinality {
        let mut e = LinearExpr::empty();
        for &v in &vars {
            e.add(v, 1.0);
        }
        p.add_constraint(e.clone(), ComparisonOp::Ge, f64::from(c.min));
        p.add_constraint(e, ComparisonOp::Le, f64::from(c.max));
    }
    (p, vars)
}

/// The covering rows: one per distinct set of free sites in reach, for
/// clients without a forced-open site in reach.
fn cover_rows(d: &Data) -> Vec<Row> {
    let mut seen: HashSet<Vec<u32>> = HashSet::new();
    let mut rows = Vec::new();
    for r in &d.reach {
        if r.iter().any(|&j| d.forced[j as usize]) {
            continue;
        }
        let s: Vec<u32> = r.iter().copied().filter(|&j| d.free[j as usize]).collect();
        if seen.insert(s.clone()) {
            rows.push(Row {
                coefs: s.into_iter().map(|j| (j, 1.0)).collect(),
                rhs: 1.0,
            });
        }
    }
    rows
}

/// Rounds `y` up at `thr`, repairs until every need fits, then closes
/// costly sites while it still fits and the side constraints hold.
fn round_and_repair(d: &Data, y: &[f64], thr: f64) -> Option<Vec<bool>> {
    let inst = d.inst;
    let mut open: Vec<bool> = (0..d.n).map(|j| d.forced[j] || (d.free[j] && y[j] >= thr)).collect();
    // Cover every client.
    for r in &d.reach {
        if !r.iter().any(|&j| open[j as usize]) {
            let j = r.iter().copied().filter(|&j| d.free[j as usize]).min_by(|&a, &b| {
                inst.fixed_cost[a as usize]
                    .total_cmp(&inst.fixed_cost[b as usize])
                    .then(a.cmp(&b))
            })?;
            open[j as usize] = true;
        }
    }
    // Open sites in violated Hall sets.
    loop {
        let yv: Vec<f64> = open.iter().map(|&o| f64::from(u8::from(o))).collect();
        let cuts = hall::separate(&d.need, &d.reach, &d.caps(&yv), &d.q, 1e-9 * d.total().max(1.0));
        let Some(c) = cuts.first() else { break };
        let deficit = c.rhs
            - c.coefs
                .iter()
                .filter(|p| open[p.0 as usize])
                .map(|&(j, _)| d.q[j as usize])
                .sum::<f64>();
        let j = c
            .coefs
            .iter()
            .filter(|&&(j, _)| d.free[j as usize] && !open[j as usize])
            .map(|&(j, a)| (j, inst.fixed_cost[j as usize] / a.min(deficit).max(1e-12)))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))?;
        open[j.0 as usize] = true;
    }
    // Close costly sites while it still fits.
    let mut order: Vec<usize> = (0..d.n).filter(|&j| d.free[j] && open[j]).collect();
    order.sort_by(|&a, &b| inst.fixed_cost[b].total_cmp(&inst.fixed_cost[a]).then(a.cmp(&b)));
    for j in order {
        if let Some(c) = inst.cardinality {
            if open.iter().filter(|&&o| o).count() as u32 <= c.min {
                break;
            }
        }
        open[j] = false;
        if !d.fits(&open) {
            open[j] = true;
        }
    }
    crate::eval::check(inst, &open).ok()?;
    Some(open)
}

fn cost(inst: &Instance, open: &[bool]) -> f64 {
    (0..inst.n_sites())
        .filter(|&j| open[j])
        .map(|j| inst.fixed_cost[j])
        .sum()
}

/// A value this close to 0 or 1 counts as integral.
const INT_TOL: f64 = 1e-6;
/// Cut rounds at a node below the root.
const NODE_ROUNDS: usize = 8;
/// Fractional sites closed one at a time for candidate sets, per round (root, below).
const ROOT_CLOSURES: usize = 32;
const NODE_CLOSURES: usize = 8;
/// Need inflation factors for the separation below the root.
const NODE_INFLATE: [f64; 2] = [1.0, 1.1];

/// One node of the branch-and-cut: its solved LP (fixings and cuts so far).
struct CNode {
    sol: Arc<Solution>,
}

struct Ctx<'a> {
    d: Data<'a>,
    vars: Vec<Variable>,
    rel_gap: f64,
    abs_gap: f64,
    deadline: Instant,
}

enum Lp {
    Solved(Solution),
    Infeasible,
    TimedOut,
}

fn lp(r: Result<SolveOutcome, microlp::Error>) -> Result<Lp, InstanceError> {
    match r {
        Ok(SolveOutcome::Solution(s)) => Ok(Lp::Solved(s)),
        Ok(SolveOutcome::Interrupted(_)) => Ok(Lp::TimedOut),
        Err(microlp::Error::Infeasible) => Ok(Lp::Infeasible),
        Err(e) => Err(InstanceError::Backend(format!("{SOLVER}: {e}"))),
    }
}

impl Ctx<'_> {
    fn values(&self, sol: &Solution) -> Vec<f64> {
        self.vars
            .iter()
            .map(|&v| sol.var_value_raw(v).clamp(0.0, 1.0))
            .collect()
    }

    /// The LP value, lowered by a float-safety margin.
    fn safe(&self, sol: &Solution) -> f64 {
        let v = sol.objective();
        v - 1e-7 * (1.0 + v.abs())
    }
}

impl Tree for Ctx<'_> {
    type Data = CNode;
    type Error = InstanceError;

    fn cutoff(&self, ub: f64) -> f64 {
        if !ub.is_finite() {
            return f64::INFINITY;
        }
        ub - self.abs_gap.max(self.rel_gap * ub.abs())
    }

    fn expand(&self, node: &Node<CNode>, ub: f64, root: bool) -> Result<Expansion<CNode>, InstanceError> {
        let cutoff = self.cutoff(ub);
        let mut out = Expansion::empty();
        let mut sol: Solution = (*node.data.sol).clone();
        let mut seen: HashSet<Vec<u64>> = HashSet::new();
        let rounds = if root { ROOT_ROUNDS } else { NODE_ROUNDS };
        let factors: &[f64] = if root { &INFLATE } else { &NODE_INFLATE };
        let mut last = f64::NEG_INFINITY;
        let mut stall = 0;
        let mut y = self.values(&sol);
        let mut lb = self.safe(&sol).max(node.lb);
        for round in 0..=rounds {
            if Instant::now() >= self.deadline {
                return Ok(Expansion::interrupted());
            }
            y = self.values(&sol);
            lb = self.safe(&sol).max(node.lb);
            if lb >= cutoff {
                out.discarded = lb;
                return Ok(out);
            }
            let integral = y.iter().all(|&v| v <= INT_TOL || v >= 1.0 - INT_TOL);
            let open: Vec<bool> = y.iter().map(|&v| v > 0.5).collect();
            if integral && self.d.fits(&open) {
                if crate::eval::check(self.d.inst, &open).is_ok() {
                    out.candidates.push((cost(self.d.inst, &open), open));
                } else {
                    // Off a side constraint by more than the LP tolerance: keep the bound.
                    out.discarded = lb;
                }
                // The LP optimum is a plan: nothing below it is better.
                return Ok(out);
            }
            if lb > last + 1e-5 * lb.abs().max(1.0) {
                stall = 0;
            } else {
                stall += 1;
            }
            last = last.max(lb);
            if round == rounds || (!integral && stall >= 3) {
                break;
            }
            let mut add = Vec::new();
            for r in self
                .d
                .separate(&y, integral, factors, if root { ROOT_CLOSURES } else { NODE_CLOSURES })
            {
                r.strengthen(&y, integral, &mut add);
            }
            add.retain(|r| seen.insert(r.key()));
            if root {
                log::debug!(
                    "[hubplan-solver {SEARCH}] root round {round} lp {lb} frac {} adds {}",
                    y.iter().filter(|v| **v > INT_TOL && **v < 1.0 - INT_TOL).count(),
                    add.len()
                );
            }
            if add.is_empty() {
                if integral {
                    // A shortfall within the float tolerances: no row cuts the
                    // point off. Give the node up, keeping its bound (the tree
                    // is then not complete: `Feasible` at best, never a false proof).
                    out.discarded = lb;
                    return Ok(out);
                }
                break;
            }
            let rows = add.iter().map(|r| (expr(&self.vars, r), ComparisonOp::Ge, r.rhs));
            sol = match lp(sol.add_constraints(rows))? {
                Lp::Solved(s) => s,
                Lp::Infeasible => return Ok(out),
                Lp::TimedOut => return Ok(Expansion::interrupted()),
            };
        }
        if root {
            for thr in [0.5, 0.25, INT_TOL] {
                if let Some(open) = round_and_repair(&self.d, &y, thr) {
                    out.candidates.push((cost(self.d.inst, &open), open));
                }
            }
        }
        // Branch on the most fractional site (ties: the costlier, then the lower index).
        let Some(j) = (0..y.len())
            .filter(|&j| y[j] > INT_TOL && y[j] < 1.0 - INT_TOL)
            .min_by(|&a, &b| {
                (y[a] - 0.5)
                    .abs()
                    .total_cmp(&(y[b] - 0.5).abs())
                    .then(self.d.inst.fixed_cost[b].total_cmp(&self.d.inst.fixed_cost[a]))
                    .then(a.cmp(&b))
            })
        else {
            // Integral but cut rounds ran out: branch is impossible; keep the bound.
            out.discarded = lb;
            return Ok(out);
        };
        for val in [1.0, 0.0] {
            match lp(sol.clone().fix_var(self.vars[j], val))? {
                Lp::Solved(c) => {
                    let clb = self.safe(&c).max(lb);
                    if clb >= cutoff {
                        out.discarded = out.discarded.min(clb);
                    } else {
                        out.children.push((clb, CNode { sol: Arc::new(c) }));
                    }
                }
                Lp::Infeasible => {}
                Lp::TimedOut => return Ok(Expansion::interrupted()),
            }
        }
        Ok(out)
    }
}

/// Solves an instance of the class (see the module docs); the caller checks
/// [`applies`].
pub(crate) fn solve(inst: &Instance, opts: &SolveOptions) -> Result<CapacityOutcome, InstanceError> {
    inst.validate()?;
    let t0 = Instant::now();
    let deadline = t0 + opts.time_limit;
    let result =
        |status: Status, open: Vec<bool>, objective: f64, bound: f64, nodes: u64, flows: Flows| CapacityOutcome {
            outcome: Outcome {
                status,
                open,
                objective,
                bound,
                nodes,
                solver: SOLVER.into(),
                search: SEARCH.into(),
                why: WHY.into(),
            },
            flows,
        };
    let infeasible = || {
        result(
            Status::Infeasible,
            Vec::new(),
            f64::INFINITY,
            f64::INFINITY,
            0,
            Vec::new(),
        )
    };
    let d = Data::new(inst);
    // Proven infeasible: a client without an allowed site, or the need does
    // not fit with every allowed site open.
    let all: Vec<bool> = inst.fixing.iter().map(|f| *f != Fixing::Closed).collect();
    if !d.fits(&all) {
        return Ok(infeasible());
    }
    let covers = cover_rows(&d);
    let (mut p, vars) = master(&d, &covers, &[], false);
    p.set_time_limit(deadline.saturating_duration_since(Instant::now()));
    let root = match lp(p.solve())? {
        Lp::Solved(s) => s,
        Lp::Infeasible => return Ok(infeasible()),
        Lp::TimedOut => return Ok(unknown(result, f64::NEG_INFINITY)),
    };
    let ctx = Ctx {
        d,
        vars,
        rel_gap: opts.rel_gap,
        abs_gap: opts.abs_gap,
        deadline,
    };
    let limits = Limits {
        deadline,
        max_nodes: None,
    };
    let s = tree::run(&ctx, CNode { sol: Arc::new(root) }, None, limits, SEARCH)?;
    log::debug!(
        "[hubplan-solver {SEARCH}] {:.3}s nodes {} complete {} bound {}",
        t0.elapsed().as_secs_f64(),
        s.nodes,
        s.complete,
        s.bound
    );
    match s.best {
        Some((z, open)) => {
            let status = if s.complete { Status::Optimal } else { Status::Feasible };
            finish(inst, result, status, open, s.bound.min(z), s.nodes)
        }
        // A closed tree without a plan: the master, a relaxation, has no integer point.
        None if s.complete => Ok(result(
            Status::Infeasible,
            Vec::new(),
            f64::INFINITY,
            f64::INFINITY,
            s.nodes,
            Vec::new(),
        )),
        None => Ok(unknown(result, s.bound)),
    }
}

fn unknown(result: impl Fn(Status, Vec<bool>, f64, f64, u64, Flows) -> CapacityOutcome, bound: f64) -> CapacityOutcome {
    result(Status::Unknown, Vec::new(), f64::INFINITY, bound, 0, Vec::new())
}

/// The outcome of a plan: its assignment by min-cost flow, its objective checked.
fn finish(
    inst: &Instance,
    result: impl Fn(Status, Vec<bool>, f64, f64, u64, Flows) -> CapacityOutcome,
    status: Status,
    open: Vec<bool>,
    bound: f64,
    nodes: u64,
) -> Result<CapacityOutcome, InstanceError> {
    let Some((_, flows)) = transport(inst, &open) else {
        return Err(InstanceError::Backend(format!(
            "{SOLVER}: a plan that fits has no assignment"
        )));
    };
    let Some(z) = assignment_objective(inst, &open, &flows) else {
        return Err(InstanceError::Backend(format!(
            "{SOLVER}: the min-cost flow broke a capacity"
        )));
    };
    Ok(result(status, open, z, bound.min(z), nodes, flows))
}
