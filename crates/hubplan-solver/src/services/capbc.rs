//! Branch-and-cut for the capacitated co-location master (crate-private; the
//! search behind [`super::capcut`], docs/MODEL.md §2 "Solving with capacity
//! cuts").
//!
//! The master is the uncapacitated co-location model with the Hall rows found
//! at the root. Every node solves its LP on microlp (warm: the parent's
//! dual-simplex state with one more bound), separates Hall rows and their
//! cover and complemented-MIR roundings at its point
//! ([`super::capcut::separate_all`], max-flow), and settles again; an
//! integral point with no violated Hall row is a plan whose need fits (Gale's
//! theorem), so it is a candidate at its LP value. Branching is
//! [`crate::lpbranch::branch`] (strong branching with probing) on the
//! fractional binaries, through the shared [`crate::tree`] driver, so the
//! search is deterministic on any number of threads (cuts stay local to a
//! subtree: no pool is shared between nodes of one round).
//!
//! Replaces the earlier loop that re-solved the whole integer master after
//! each violated cut (each time a new branch-and-bound from scratch).
//!
//! Complexity: per node, a dual-simplex re-solve per cut round and `2k` for
//! `k` strong-branching candidates; each separation is one max-flow per
//! capacitated service (Dinic, see [`crate::hall`]).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Solution, Variable};

use crate::lpbranch::{self, solved, Abort, Learner, Obs, Rule, Solved, Step};
use crate::prep::INF;
use crate::tree::{self, Candidate, Expansion, Limits, Node, Tree};

use super::capcut::{cost, improve, read_decision, relax_placed, repair, round_fit, separate_all, Flow};
use super::instance::{Decision, ServiceError, ServiceInstance};
use super::model::{LinModel, LinRow, RowSense};

/// Cut rounds at the root node and below it.
const ROOT_CUT_ROUNDS: usize = 30;
const NODE_CUT_ROUNDS: usize = 4;
/// Strong-branching candidates at the root and below it.
const CANDIDATES_ROOT: usize = 12;
const CANDIDATES: usize = 6;
/// Probing rounds per node.
const PROBING_ROUNDS: usize = 4;
/// Integral points checked at one node before it is given up.
const MAX_INTEGRAL_CHECKS: usize = 20;
/// Share of the time left the local search from the root's plan may take.
const LOCAL_SEARCH_SHARE: f64 = 0.15;
/// A value this close to 0 or 1 counts as integral.
const INT_TOL: f64 = 1e-6;

/// The search over one master.
pub(super) struct Bc<'a> {
    inst: &'a ServiceInstance,
    /// `inst` with the clients the Hall rows place (required clients of a
    /// capacitated service with room) made optional: the rules a plan must
    /// keep while it is repaired (the Hall rows cover those clients).
    relaxed: ServiceInstance,
    master: &'a LinModel,
    fl: &'a [Flow],
    /// The binaries, by position.
    ints: Vec<usize>,
    vars: Vec<Variable>,
    deadline: Instant,
    rel_gap: f64,
    /// Pseudocosts of the binaries (reliability branching).
    learner: Learner,
}

/// A node: its fixings (positions in `ints`) and its solved LP.
pub(super) struct BcNode {
    decisions: Vec<(u32, bool)>,
    sol: Arc<Solution>,
    strong: bool,
}

/// The outcome of the search.
pub(super) struct BcResult {
    /// The best decision found and its cost.
    pub best: Option<(Decision, f64)>,
    /// A proven lower bound.
    pub bound: f64,
    /// The tree was closed (the best decision is optimal within the gap).
    pub complete: bool,
    /// Nodes expanded.
    pub nodes: u64,
}

fn row_expr(vars: &[Variable], r: &LinRow) -> LinearExpr {
    let mut e = LinearExpr::empty();
    for &(v, c) in &r.expr.terms {
        e.add(vars[v], c);
    }
    e
}

fn sense(s: RowSense) -> ComparisonOp {
    match s {
        RowSense::Le => ComparisonOp::Le,
        RowSense::Ge => ComparisonOp::Ge,
        RowSense::Eq => ComparisonOp::Eq,
    }
}

/// A node the deadline stopped: queued again as it was, unless it found a
/// plan, which is kept (the node is then given up with its bound `lb`, so
/// the search's bound stays valid).
fn stopped(mut out: Expansion<BcNode>, lb: f64) -> Expansion<BcNode> {
    if out.candidates.is_empty() {
        return Expansion::interrupted();
    }
    out.discarded = out.discarded.min(lb);
    out.children.clear();
    out
}

fn abort(a: Abort) -> ServiceError {
    ServiceError::Backend(format!("capacity branch-and-cut: {}", a.0))
}

impl<'a> Bc<'a> {
    /// The master's LP on microlp, solved.
    fn root_lp(master: &LinModel, deadline: Instant) -> Result<(Vec<Variable>, Solved), ServiceError> {
        Self::fixed_lp(master, &[], deadline)
    }

    /// The master's LP with the variables `fixed` (index, value) fixed,
    /// solved from scratch.
    fn fixed_lp(
        master: &LinModel,
        fixed: &[(usize, f64)],
        deadline: Instant,
    ) -> Result<(Vec<Variable>, Solved), ServiceError> {
        let mut pr = Problem::new(OptimizationDirection::Minimize);
        let mut obj = vec![0.0; master.vars.len()];
        for &(v, c) in &master.objective.terms {
            obj[v] += c;
        }
        let mut bounds: Vec<(f64, f64)> = master.vars.iter().map(|d| (d.lo, d.hi)).collect();
        for &(v, x) in fixed {
            if x < bounds[v].0 || x > bounds[v].1 {
                return Ok((Vec::new(), Solved::Infeasible));
            }
            bounds[v] = (x, x);
        }
        let vars: Vec<Variable> = bounds.iter().zip(&obj).map(|(&b, &c)| pr.add_var(c, b)).collect();
        for r in &master.rows {
            pr.add_constraint(row_expr(&vars, r), sense(r.sense), r.rhs);
        }
        pr.set_time_limit(deadline.saturating_duration_since(Instant::now()));
        let s = solved(pr.solve()).map_err(abort)?;
        Ok((vars, s))
    }

    /// The node LP with the fixings `decisions` (positions in `ints`) solved
    /// from scratch on the master (the node's own cuts are not in it): the
    /// check of an infeasibility that a warm re-solve reported. microlp's warm
    /// dual simplex can report a false infeasibility after many added rows
    /// (seen on the generated K instance: both sides of a root candidate
    /// "infeasible", which closed the tree on a plan that was not optimal).
    fn cold(&self, decisions: &[(u32, bool)]) -> Result<Solved, Abort> {
        let fixed: Vec<(usize, f64)> = decisions
            .iter()
            .map(|&(k, open)| (self.ints[k as usize], f64::from(u8::from(open))))
            .collect();
        match Self::fixed_lp(self.master, &fixed, self.deadline) {
            Ok((_, s)) => Ok(s),
            Err(e) => Err(Abort::new(e.to_string())),
        }
    }

    fn bound(&self, sol: &Solution) -> f64 {
        let v = sol.objective() + self.master.objective.constant;
        v - 1e-9 * (1.0 + v.abs())
    }

    fn values(&self, sol: &Solution) -> Vec<f64> {
        self.vars.iter().map(|&v| sol.var_value(v)).collect()
    }

    /// The decision of an integral point, and its encoding over `ints`.
    fn candidate(&self, d: &Decision) -> Candidate {
        let vals = super::capcut::point(self.master, d);
        (cost(self.inst, d), self.ints.iter().map(|&v| vals[v] > 0.5).collect())
    }

    /// The decision a candidate encodes.
    fn decode(&self, c: &[bool]) -> Decision {
        let mut vals = vec![0.0; self.master.vars.len()];
        for (k, &v) in self.ints.iter().enumerate() {
            vals[v] = f64::from(u8::from(c[k]));
        }
        read_decision(self.master, &vals)
    }

    /// Offers a feasible plan; at the root, when it beats the incumbent
    /// `ub`, the plan [`improve`]d by local search is offered too. (Only at
    /// the root: below it, the nodes of a round would each run one, one after
    /// the other on one thread; on the generated K that took half the time
    /// the tree needs to close.)
    fn offer(&self, d: Decision, ub: f64, root: bool, out: &mut Vec<Candidate>) {
        let c = self.candidate(&d);
        if root && c.0 < ub {
            // At most a share of the time left.
            let now = Instant::now();
            let until = now + self.deadline.saturating_duration_since(now).mul_f64(LOCAL_SEARCH_SHARE);
            let better = improve(self.inst, &self.relaxed, self.master, self.fl, d, until);
            let b = self.candidate(&better);
            if b.0 < c.0 {
                log::debug!(
                    "[hubplan-solver capacity-branch-and-cut] local search: {:.1} -> {:.1}",
                    c.0,
                    b.0
                );
                out.push(b);
            }
        }
        out.push(c);
    }

    fn process(
        &self,
        node: &Node<BcNode>,
        ub: f64,
        root: bool,
        obs: &mut Vec<Obs>,
    ) -> Result<Expansion<BcNode>, ServiceError> {
        let pseudo = self.learner.read();
        let cutoff = self.cutoff_of(ub);
        let mut out = Expansion::empty();
        let mut sol: Solution = (*node.data.sol).clone();
        let mut decisions = node.data.decisions.clone();
        let mut lb = self.bound(&sol).max(node.lb);
        let mut seen = HashSet::new();
        let mut rounds = 0;
        let mut probes = 0;
        let mut heuristic_done = false;
        let mut integral_checks = 0;
        loop {
            if lb >= cutoff {
                out.discarded = out.discarded.min(lb);
                return Ok(out);
            }
            if Instant::now() > self.deadline {
                return Ok(stopped(out, lb));
            }
            let vals = self.values(&sol);
            let frac: Vec<usize> = (0..self.ints.len())
                .filter(|&k| {
                    let x = vals[self.ints[k]];
                    x > INT_TOL && x < 1.0 - INT_TOL
                })
                .collect();
            let max_rounds = if root { ROOT_CUT_ROUNDS } else { NODE_CUT_ROUNDS };
            let cuts = if frac.is_empty() {
                // Integral: is every need placed? (A violated Hall row says no;
                // every row is looked at, not only new ones.)
                integral_checks += 1;
                if integral_checks > MAX_INTEGRAL_CHECKS {
                    // Rows within the float tolerances that do not cut the
                    // point off: give the node up, keeping its bound (never a
                    // false proof: the tree's bound stays at it).
                    out.discarded = out.discarded.min(lb);
                    return Ok(out);
                }
                separate_all(self.fl, &vals, false, &mut HashSet::new())
            } else if rounds < max_rounds {
                separate_all(self.fl, &vals, true, &mut seen)
            } else {
                Vec::new()
            };
            if !cuts.is_empty() {
                rounds += 1;
                let rows = cuts.iter().map(|r| (row_expr(&self.vars, r), sense(r.sense), r.rhs));
                sol = match solved(sol.add_constraints(rows)).map_err(abort)? {
                    Solved::Optimal(s) => s,
                    // Checked from scratch (without this node's cuts):
                    // infeasible there too, or go on from that LP.
                    Solved::Infeasible => {
                        match self.cold(&decisions).map_err(abort)? {
                            Solved::Optimal(s) => {
                                log::debug!("[hubplan-solver capacity-branch-and-cut] a warm re-solve's infeasibility was false");
                                s
                            }
                            Solved::Infeasible => return Ok(out),
                            Solved::TimedOut => return Ok(stopped(out, lb)),
                        }
                    }
                    Solved::TimedOut => return Ok(stopped(out, lb)),
                };
                lb = self.bound(&sol).max(lb);
                continue;
            }
            if frac.is_empty() {
                let d = read_decision(self.master, &vals);
                self.offer(d, ub, root, &mut out.candidates);
                return Ok(out);
            }
            if !heuristic_done && (root || node.depth % 4 == 0) {
                heuristic_done = true;
                // Round the fractional hosting up as far as each site's
                // space allows (largest values first), then repair the
                // capacity (which also covers what the space left out).
                let d = round_fit(self.inst, self.master, &vals, INT_TOL);
                if self.relaxed.violations(&d).is_empty() {
                    if let Some(r) = repair(&self.relaxed, self.master, self.fl, d) {
                        if self.inst.violations(&r).is_empty() {
                            self.offer(r, ub, root, &mut out.candidates);
                        }
                    }
                }
            }
            let xs: Vec<f64> = self.ints.iter().map(|&v| vals[v]).collect();
            let cold = |d: &[(u32, bool)]| self.cold(d);
            let rule = Rule {
                candidates: if root { CANDIDATES_ROOT } else { CANDIDATES },
                strong: node.data.strong,
                probe: probes + 1 < PROBING_ROUNDS,
                deadline: self.deadline,
                cold: Some(&cold),
                pseudo: Some(&pseudo),
            };
            let ints = &self.ints;
            let vars = &self.vars;
            let step = lpbranch::branch(
                &mut sol,
                &mut decisions,
                lb,
                cutoff,
                frac,
                &xs,
                &rule,
                |k| vars[ints[k as usize]],
                |s| self.bound(s),
                &mut out.discarded,
                obs,
            )
            .map_err(abort)?;
            match step {
                Step::Done => return Ok(out),
                Step::Interrupted => return Ok(stopped(out, lb)),
                Step::Probed(b) => {
                    lb = b;
                    probes += 1;
                    rounds = 0;
                }
                Step::Children(children) => {
                    for (b, d, s, strong) in children {
                        out.children.push((
                            b,
                            BcNode {
                                decisions: d,
                                sol: Arc::new(s),
                                strong,
                            },
                        ));
                    }
                    return Ok(out);
                }
            }
        }
    }

    fn cutoff_of(&self, ub: f64) -> f64 {
        if !ub.is_finite() {
            return INF;
        }
        // Costs are whole pounds in practice; the relative gap otherwise.
        ub - (self.rel_gap * ub.abs()).max(1e-6)
    }
}

impl Tree for Bc<'_> {
    type Data = BcNode;
    type Error = ServiceError;
    fn cutoff(&self, ub: f64) -> f64 {
        self.cutoff_of(ub)
    }
    fn expand(&self, node: &Node<BcNode>, ub: f64, root: bool) -> Result<Expansion<BcNode>, ServiceError> {
        let mut obs = Vec::new();
        let out = self.process(node, ub, root, &mut obs);
        self.learner.push(node.id(), obs);
        out
    }
    fn end_round(&self) {
        self.learner.end_round();
    }
}

/// Runs the branch-and-cut on `master` (root rows included) from the
/// incumbent `start`, until `deadline`. `Ok(None)` when the LP relaxation is
/// infeasible.
pub(super) fn search(
    inst: &ServiceInstance,
    master: &LinModel,
    fl: &[Flow],
    start: Option<(Decision, f64)>,
    deadline: Instant,
    rel_gap: f64,
) -> Result<Option<BcResult>, ServiceError> {
    let (vars, first) = Bc::root_lp(master, deadline)?;
    let sol = match first {
        Solved::Optimal(s) => s,
        Solved::Infeasible => return Ok(None),
        Solved::TimedOut => {
            return Ok(Some(BcResult {
                best: start,
                bound: f64::NEG_INFINITY,
                complete: false,
                nodes: 0,
            }))
        }
    };
    let ints: Vec<usize> = (0..master.vars.len()).filter(|&v| master.vars[v].integer).collect();
    let relaxed = relax_placed(inst);
    let ints_len = ints.len();
    let bc = Bc {
        inst,
        relaxed,
        master,
        fl,
        ints,
        vars,
        deadline,
        rel_gap: rel_gap.max(0.0),
        learner: Learner::new(ints_len),
    };
    let incumbent = start.as_ref().map(|(d, _)| bc.candidate(d));
    let root = BcNode {
        decisions: Vec::new(),
        sol: Arc::new(sol),
        strong: true,
    };
    let s = tree::run(
        &bc,
        root,
        incumbent,
        Limits {
            deadline,
            max_nodes: None,
        },
        "capacity-branch-and-cut",
    )?;
    let best = s.best.map(|(_, c)| {
        let d = bc.decode(&c);
        let v = cost(inst, &d);
        (d, v)
    });
    Ok(Some(BcResult {
        best,
        bound: s.bound,
        complete: s.complete,
        nodes: s.nodes,
    }))
}
