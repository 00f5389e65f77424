//! Solving a [`ServiceInstance`] exactly through good_lp, one stage per objective.

use std::time::Instant;

use good_lp::{
    variable, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus, SolverModel, Variable,
    WithMipGap, WithTimeLimit,
};

use crate::outcome::{SolveOptions, Status};

use super::assign::{assign_split, assignment_violations, evaluate_assigned, ServiceFlows};
use super::instance::{Decision, ServiceError, ServiceInstance, ServiceObjective, Values};
use super::model::{build, LinExpr, LinModel, RowSense};

/// Which good_lp back end solves the co-location MIP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ServiceBackend {
    /// Pure-Rust `microlp` (always compiled in; reports its best bound when time-limited).
    #[default]
    Microlp,
    /// HiGHS (crate feature `highs`); a time-limited run's bound is the LP relaxation's.
    Highs,
}

impl ServiceBackend {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            ServiceBackend::Microlp => "microlp",
            ServiceBackend::Highs => "highs",
        }
    }
}

/// Whether the HiGHS back end is compiled in (crate feature `highs`).
pub fn highs_available() -> bool {
    cfg!(feature = "highs")
}

/// What one stage of a (possibly lexicographic) solve did.
#[derive(Clone, Debug, PartialEq)]
pub struct StageReport {
    /// The objective of this stage.
    pub objective: ServiceObjective,
    /// Optimal, feasible (time-limited), infeasible or unknown.
    pub status: Status,
    /// The stage objective's value of the returned decision (minimisation sense), recomputed.
    pub value: f64,
    /// Proven lower bound on the stage objective (minimisation sense); −∞ when none.
    pub bound: f64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// The result of [`solve_services`].
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceOutcome {
    /// `Optimal` only when every stage was proven optimal by the back end.
    pub status: Status,
    /// The decision (empty vectors when none was found).
    pub decision: Decision,
    /// Its recomputed values (default when none).
    pub values: Values,
    /// The last stage's objective value, minimisation sense (`MaxCoverage`: uncovered need); ∞ without a decision.
    pub objective: f64,
    /// The last stage's proven bound, minimisation sense.
    pub bound: f64,
    /// One report per stage solved.
    pub stages: Vec<StageReport>,
    /// Back-end name.
    pub solver: String,
    /// Clients left after merging identical ones and dropping implied ones.
    pub model_clients: usize,
    /// Per instance client of a capacitated service, its assignment `(site,
    /// share)`: the exact split assignment by min-cost flow for the open
    /// hosting sites, or the MIP's own under single assignment. Empty for
    /// other clients (they use the nearest hosting site), and without a decision.
    pub flows: ServiceFlows,
    /// Nodes of the native branch-and-cut (demand capacity under `MinCost`,
    /// [`super::capcut`]), summed over stages; 0 when good_lp solved the stage
    /// (it does not expose its node count).
    pub nodes: u64,
    /// Independent parts the first stage was solved in (docs/SOLVER.md,
    /// "Independent parts"; demand capacity under `MinCost` only): 1 when it
    /// ran in one piece.
    pub parts: usize,
}

impl ServiceOutcome {
    /// Relative gap `(objective − bound) / max(|objective|, 1e-9)`; ∞ without a decision or bound.
    pub fn gap(&self) -> f64 {
        if !self.objective.is_finite() || !self.bound.is_finite() {
            return f64::INFINITY;
        }
        let g = (self.objective - self.bound).max(0.0) / self.objective.abs().max(1e-9);
        if g < 1e-12 {
            0.0
        } else {
            g
        }
    }
}

pub(super) enum StageResult {
    Solved {
        decision: Decision,
        flows: ServiceFlows,
        status: Status,
        bound: f64,
        nodes: u64,
    },
    Infeasible,
    NoSolution {
        bound: f64,
    },
}

fn to_expr(vars: &[Variable], e: &LinExpr) -> Expression {
    let mut out = Expression::with_capacity(e.terms.len());
    for &(v, c) in &e.terms {
        out.add_mul(c, vars[v]);
    }
    out + e.constant
}

fn constraints(vars: &[Variable], m: &LinModel) -> Vec<good_lp::Constraint> {
    m.rows
        .iter()
        .filter(|r| !r.expr.terms.is_empty())
        .map(|r| {
            let e = to_expr(vars, &r.expr);
            match r.sense {
                RowSense::Le => e.leq(r.rhs),
                RowSense::Ge => e.geq(r.rhs),
                RowSense::Eq => e.eq(r.rhs),
            }
        })
        .collect()
}

/// A row with no variables that `0 (sense) rhs` violates: trivially infeasible.
pub(super) fn trivially_infeasible(m: &LinModel) -> bool {
    m.rows.iter().any(|r| {
        r.expr.terms.is_empty()
            && match r.sense {
                RowSense::Le => 0.0 > r.rhs + 1e-9,
                RowSense::Ge => 0.0 < r.rhs - 1e-9,
                RowSense::Eq => r.rhs.abs() > 1e-9,
            }
    })
}

fn declare(pv: &mut ProblemVariables, m: &LinModel, relax: bool) -> Vec<Variable> {
    m.vars
        .iter()
        .map(|v| {
            let d = variable().min(v.lo).max(v.hi);
            pv.add(if v.integer && !relax { d.integer() } else { d })
        })
        .collect()
}

fn read_decision<S: Solution>(sol: &S, vars: &[Variable], m: &LinModel) -> Decision {
    let open: Vec<bool> = m.layout.y.iter().map(|&y| sol.value(vars[y]) > 0.5).collect();
    let host = m
        .layout
        .h
        .iter()
        .zip(&open)
        .map(|(hs, &o)| hs.iter().map(|&h| o && sol.value(vars[h]) > 0.5).collect())
        .collect();
    Decision { open, host }
}

/// Under single assignment, the MIP's integral assignment per instance client.
fn read_flows<S: Solution>(sol: &S, vars: &[Variable], inst: &ServiceInstance, m: &LinModel) -> ServiceFlows {
    let mut flows: ServiceFlows = vec![Vec::new(); inst.clients.len()];
    if !inst.single_assignment {
        return flows;
    }
    for (i, c) in m.clients.iter().enumerate() {
        if !m.layout.assigned[i] {
            continue;
        }
        let f: Vec<(u32, f64)> = c
            .arcs
            .iter()
            .zip(&m.layout.x[i])
            .filter(|(_, &x)| sol.value(vars[x]) > 0.5)
            .map(|(a, _)| (a.site, 1.0))
            .take(1)
            .collect();
        for &member in &c.members {
            flows[member] = f.clone();
        }
    }
    flows
}

type Raw = Result<(Decision, ServiceFlows, SolutionStatus, Option<f64>), ResolutionError>;

/// The variables and the objective of `m` (integers relaxed when `relax`).
pub(super) fn variables(m: &LinModel, relax: bool) -> (ProblemVariables, Vec<Variable>, Expression) {
    let mut pv = ProblemVariables::new();
    let vars = declare(&mut pv, m, relax);
    let obj = to_expr(&vars, &m.objective);
    (pv, vars, obj)
}

/// Adds every row of `m` to a back end's model.
pub(super) fn add_rows<S: SolverModel>(model: &mut S, vars: &[Variable], m: &LinModel) {
    for c in constraints(vars, m) {
        model.add_constraint(c);
    }
}

fn run_microlp(inst: &ServiceInstance, m: &LinModel, secs: f64, gap: f32, relax: bool) -> Result<Raw, ServiceError> {
    let (pv, vars, obj) = variables(m, relax);
    let mut model = pv.minimise(obj).using(good_lp::microlp).with_time_limit(secs);
    model = model
        .with_mip_gap(gap)
        .map_err(|e| ServiceError::Backend(e.to_string()))?;
    add_rows(&mut model, &vars, m);
    Ok(model.solve().map(|s| {
        let d = read_decision(&s, &vars, m);
        let f = read_flows(&s, &vars, inst, m);
        let st = s.status();
        // microlp drops the objective constant; add it back to its bound.
        let bound = s.into_inner().stats().best_bound.map(|b| b + m.objective.constant);
        (d, f, st, bound)
    }))
}

#[cfg(feature = "highs")]
fn run_highs(inst: &ServiceInstance, m: &LinModel, secs: f64, gap: f32, relax: bool) -> Result<Raw, ServiceError> {
    let (pv, vars, obj) = variables(m, relax);
    let mut model = pv.minimise(obj).using(good_lp::highs).set_time_limit(secs);
    model = model
        .set_mip_rel_gap(gap)
        .map_err(|e| ServiceError::Backend(e.to_string()))?;
    add_rows(&mut model, &vars, m);
    Ok(model.solve().map(|s| {
        let d = read_decision(&s, &vars, m);
        let f = read_flows(&s, &vars, inst, m);
        (d, f, s.status(), None)
    }))
}

#[cfg(not(feature = "highs"))]
fn run_highs(_inst: &ServiceInstance, _m: &LinModel, _secs: f64, _gap: f32, _relax: bool) -> Result<Raw, ServiceError> {
    Err(ServiceError::Backend(
        "hubplan-solver was built without the `highs` feature".into(),
    ))
}

fn run(
    inst: &ServiceInstance,
    m: &LinModel,
    secs: f64,
    gap: f32,
    relax: bool,
    backend: ServiceBackend,
) -> Result<Raw, ServiceError> {
    match backend {
        ServiceBackend::Microlp => run_microlp(inst, m, secs, gap, relax),
        ServiceBackend::Highs => run_highs(inst, m, secs, gap, relax),
    }
}

/// The assignment behind a decision: the exact split assignment by min-cost
/// flow (split), or the MIP's (single), checked against every capacity.
pub(super) fn checked_flows(
    inst: &ServiceInstance,
    d: &Decision,
    mip: ServiceFlows,
    backend: ServiceBackend,
) -> Result<ServiceFlows, ServiceError> {
    if !inst.capacitated_services().contains(&true) {
        return Ok(mip);
    }
    let flows = if inst.single_assignment {
        mip
    } else {
        let t = std::time::Instant::now();
        let flows = assign_split(inst, d).ok_or_else(|| {
            ServiceError::Backend(format!(
                "{} returned open sites whose capacities cannot place every required client",
                backend.name()
            ))
        })?;
        log::debug!(
            "[hubplan-solver services] split assignment of the plan by min-cost flow: {:.3}s",
            t.elapsed().as_secs_f64()
        );
        flows
    };
    let v = assignment_violations(inst, d, &flows);
    if !v.is_empty() {
        return Err(ServiceError::Backend(format!(
            "{} returned an assignment that breaks {} rule(s): {}",
            backend.name(),
            v.len(),
            v.into_iter().take(3).collect::<Vec<_>>().join("; ")
        )));
    }
    Ok(flows)
}

/// The LP relaxation's optimum: a proven lower bound (−∞ when it cannot be had in time,
/// +∞ when the relaxation is infeasible).
fn lp_bound(m: &LinModel, secs: f64, backend: ServiceBackend) -> f64 {
    let (pv, vars, obj) = variables(m, true);
    let cons = constraints(&vars, m);
    let r = match backend {
        ServiceBackend::Microlp => {
            let mut model = pv.minimise(obj.clone()).using(good_lp::microlp).with_time_limit(secs);
            for c in cons {
                model.add_constraint(c);
            }
            match model.solve() {
                Ok(s) if matches!(s.status(), SolutionStatus::Optimal) => Ok(obj.eval_with(&s)),
                Err(ResolutionError::Infeasible) => Ok(f64::INFINITY),
                _ => Err(()),
            }
        }
        ServiceBackend::Highs => lp_highs(pv, obj, cons, secs),
    };
    r.unwrap_or(f64::NEG_INFINITY)
}

#[cfg(feature = "highs")]
fn lp_highs(pv: ProblemVariables, obj: Expression, cons: Vec<good_lp::Constraint>, secs: f64) -> Result<f64, ()> {
    let mut model = pv.minimise(obj.clone()).using(good_lp::highs).set_time_limit(secs);
    for c in cons {
        model.add_constraint(c);
    }
    match model.solve() {
        Ok(s) if matches!(s.status(), SolutionStatus::Optimal) => Ok(obj.eval_with(&s)),
        Err(ResolutionError::Infeasible) => Ok(f64::INFINITY),
        _ => Err(()),
    }
}

#[cfg(not(feature = "highs"))]
fn lp_highs(_pv: ProblemVariables, _obj: Expression, _cons: Vec<good_lp::Constraint>, _secs: f64) -> Result<f64, ()> {
    Err(())
}

pub(super) fn solve_stage(
    inst: &ServiceInstance,
    m: &LinModel,
    secs: f64,
    opts: &SolveOptions,
    backend: ServiceBackend,
    stage: ServiceObjective,
) -> Result<StageResult, ServiceError> {
    if trivially_infeasible(m) {
        return Ok(StageResult::Infeasible);
    }
    let t0 = Instant::now();
    let gap = opts.rel_gap.max(0.0) as f32;
    let left = |t0: Instant| (secs - t0.elapsed().as_secs_f64()).max(0.05);
    match run(inst, m, secs.max(0.001), gap, false, backend)? {
        Ok((decision, mip_flows, st, bound)) => {
            let v = inst.violations(&decision);
            if !v.is_empty() {
                return Err(ServiceError::Backend(format!(
                    "{} returned a decision that breaks {} rule(s): {}",
                    backend.name(),
                    v.len(),
                    v.into_iter().take(3).collect::<Vec<_>>().join("; ")
                )));
            }
            let flows = checked_flows(inst, &decision, mip_flows, backend)?;
            let value = evaluate_assigned(inst, &decision, &flows).min_sense(stage);
            let (status, bound) = match st {
                SolutionStatus::Optimal => (Status::Optimal, value),
                SolutionStatus::GapLimit => (
                    Status::Optimal,
                    bound.unwrap_or(value - opts.rel_gap * value.abs()).min(value),
                ),
                SolutionStatus::TimeLimit => {
                    let b = match bound {
                        Some(b) => b,
                        None => lp_bound(m, left(t0), backend),
                    };
                    (Status::Feasible, b.min(value))
                }
            };
            Ok(StageResult::Solved {
                decision,
                flows,
                status,
                bound,
                nodes: 0,
            })
        }
        Err(ResolutionError::Infeasible) => Ok(StageResult::Infeasible),
        Err(ResolutionError::Other(s)) if s.contains("Time limit") || s.contains("NoSolutionFound") => {
            let b = lp_bound(m, left(t0), backend);
            if b == f64::INFINITY {
                Ok(StageResult::Infeasible)
            } else {
                Ok(StageResult::NoSolution { bound: b })
            }
        }
        Err(e) => Err(ServiceError::Backend(format!("{}: {e}", backend.name()))),
    }
}

/// Solves a co-location instance exactly, stage by stage.
///
/// Stage 1 optimises `inst.objective`. With `inst.then = Some(o2)`, stage 2
/// optimises `o2` subject to every rule plus
/// `first ≤ v1 + lex_tolerance·|v1| + 1e-6` (minimisation sense), where `v1`
/// is stage 1's value. Stage 1 gets 70 % of the time limit when there is a
/// second stage.
///
/// # Arguments
/// * `inst` — the instance (validated here).
/// * `opts` — time limit and relative gap.
/// * `backend` — [`ServiceBackend::Microlp`] or [`ServiceBackend::Highs`].
///
/// # Returns
/// A [`ServiceOutcome`]. Its status is `Optimal` only when every stage was
/// proven optimal by the back end (within `opts.rel_gap`); time-limited runs
/// are `Feasible` with a proven bound (microlp's best bound, or the LP
/// relaxation's), or `Unknown` without a decision; `Infeasible` is proven.
/// Values are recomputed from the decision, never taken from the back end,
/// and the decision is checked against every hard rule.
///
/// # Errors
/// [`ServiceError`] for a malformed instance, a back end that is not compiled
/// in or fails, or a back-end decision that breaks a rule.
///
/// # References
/// Covering rows after Toregas et al. (1971) and Church & ReVelle (1974);
/// see ReVelle & Eiselt (2005) for the family of location models.
pub fn solve_services(
    inst: &ServiceInstance,
    opts: &SolveOptions,
    backend: ServiceBackend,
) -> Result<ServiceOutcome, ServiceError> {
    inst.validate()?;
    let t0 = Instant::now();
    let total = opts.time_limit.as_secs_f64();
    let first_share = if inst.then.is_some() { 0.7 } else { 1.0 };
    let m1 = build(inst, inst.objective, None);
    let model_clients = m1.clients.len();
    // The stage's time counts from the start: building the model takes seconds
    // at national size (the generated L: about 8 s of CPU).
    let first = (total * first_share - t0.elapsed().as_secs_f64()).max(0.05);
    let (s1, parts) = if super::capcut::applies(inst, inst.objective, false, backend) {
        super::parts::solve_stage(inst, first, opts)?
    } else {
        (solve_stage(inst, &m1, first, opts, backend, inst.objective)?, 1)
    };
    let mut out = ServiceOutcome {
        status: Status::Unknown,
        decision: Decision::default(),
        values: Values::default(),
        objective: f64::INFINITY,
        bound: f64::NEG_INFINITY,
        stages: Vec::new(),
        solver: format!("services:{}", backend.name()),
        model_clients,
        flows: Vec::new(),
        nodes: 0,
        parts,
    };
    let d1 = match s1 {
        StageResult::Infeasible => {
            out.status = Status::Infeasible;
            out.bound = f64::INFINITY;
            out.stages.push(stage_report(
                inst.objective,
                Status::Infeasible,
                f64::INFINITY,
                f64::INFINITY,
                t0,
            ));
            return Ok(out);
        }
        StageResult::NoSolution { bound } => {
            out.bound = bound;
            out.stages
                .push(stage_report(inst.objective, Status::Unknown, f64::INFINITY, bound, t0));
            return Ok(out);
        }
        StageResult::Solved {
            decision,
            flows,
            status,
            bound,
            nodes,
        } => {
            out.nodes += nodes;
            let v = evaluate_assigned(inst, &decision, &flows).min_sense(inst.objective);
            out.stages.push(stage_report(inst.objective, status, v, bound, t0));
            out.bound = bound;
            out.objective = v;
            out.status = status;
            (decision, flows, status)
        }
    };
    let (d1, f1, st1) = d1;
    out.values = evaluate_assigned(inst, &d1, &f1);
    out.decision = d1;
    out.flows = f1;
    let Some(second) = inst.then else {
        return Ok(out);
    };
    let t1 = Instant::now();
    let v1 = out.objective;
    let cap = v1 + inst.lex_tolerance * v1.abs() + 1e-6;
    let m2 = build(inst, second, Some((inst.objective, cap)));
    let left = (total - t0.elapsed().as_secs_f64()).max(0.05);
    let s2 = solve_stage(inst, &m2, left, opts, backend, second)?;
    match s2 {
        StageResult::Solved {
            decision,
            flows,
            status,
            bound,
            nodes,
        } => {
            out.nodes += nodes;
            let v = evaluate_assigned(inst, &decision, &flows).min_sense(second);
            out.stages.push(stage_report(second, status, v, bound, t1));
            out.status = if st1 == Status::Optimal && status == Status::Optimal {
                Status::Optimal
            } else {
                Status::Feasible
            };
            out.objective = v;
            out.bound = bound;
            out.values = evaluate_assigned(inst, &decision, &flows);
            out.decision = decision;
            out.flows = flows;
        }
        other => {
            // Keep stage 1's decision; it meets the cap, so it is feasible for stage 2.
            let bound = match other {
                StageResult::NoSolution { bound } => bound,
                _ => f64::NEG_INFINITY,
            };
            let v = out.values.min_sense(second);
            out.stages.push(stage_report(second, Status::Unknown, v, bound, t1));
            out.status = Status::Feasible;
            out.objective = v;
            out.bound = bound.min(v);
        }
    }
    Ok(out)
}

fn stage_report(objective: ServiceObjective, status: Status, value: f64, bound: f64, t: Instant) -> StageReport {
    StageReport {
        objective,
        status,
        value,
        bound,
        seconds: t.elapsed().as_secs_f64(),
    }
}
