//! Demand capacity: facility location where each site serves at most
//! `capacity[j]` units of demand (issue 21, docs/MODEL.md §1.3).
//!
//! # Formulation
//!
//! On an [`Instance`] with capacities, variables `y_j ∈ {0,1}`, `x_ia ∈ [0,1]`
//! (the share of client `i` served on arc `a`; `{0,1}` under
//! [`Assignment::Single`]) and `u_i ∈ [0,1]` (unserved share, only with an
//! unserved cost):
//!
//! ```text
//! min  Σ_j f_j y_j + Σ_i Σ_a c_ia x_ia + Σ_i U_i u_i
//! s.t. Σ_a x_ia + u_i = 1                     ∀ i
//!      x_ia ≤ y_j(a)                          ∀ i, a          (strong linking)
//!      Σ_i d_i x_ij ≤ Q_j y_j                 ∀ j with a capacity
//!      Σ_j Q_j y_j ≥ Σ_{i must serve} d_i     (aggregate capacity cut, when every arc's site has a capacity)
//!      budget, cardinality, fixings           as in the uncapacitated form
//! ```
//!
//! # Method
//! [`solve_capacitated`] picks the method ([`solve_capacitated_with`] forces one):
//!
//! - **Independent parts first (every method).** Without a budget or a
//!   cardinality, when the zones and sites form several connected components
//!   (an edge per arc), each component is solved alone and the answers are
//!   put back together: the objective and the bound are sums over the parts,
//!   `Optimal` only when every part is (`parts.rs`; docs/SOLVER.md).
//! - **Split, every arc cost 0, every client served (`min_cost`), default
//!   back end: the Hall-cut search** (`search = "capacity-hall-cuts"`,
//!   `capcover.rs`). Only the open set matters; it can place every need iff
//!   every zone set's need fits in the capacity of the sites it reaches (Gale
//!   1957), so a branch-and-cut on `y` adds those inequalities, found by
//!   max-flow ([`crate::hall`]), with cover and MIR roundings; integral points
//!   are checked by max-flow and the plan's assignment is [`transport`]'s.
//! - **Split otherwise, default back end: the native search** (`search =
//!   "capacity-lagrangian-bb"`). A Lagrangian relaxation of the assignment rows
//!   (Beasley 1988; Cornuéjols, Sridharan & Thizy 1991): per site a continuous
//!   knapsack gives `ρ_j`, and the site selection is bounded under the fixings,
//!   cardinality, budget and the aggregate capacity row. Every value is a valid
//!   lower bound; subgradient ascent improves it. The branch-and-bound on `y`
//!   runs in the shared driver (`tree.rs`): warm-started ascents, reduced-cost
//!   fixing, branching on the most fractional smoothed selection; plans from
//!   the Lagrangian selections are repaired and priced exactly by [`transport`],
//!   then improved by a capped drop/swap local search. `Optimal` only when the
//!   tree closes within the gap; at the time limit `Feasible` with the tree's
//!   bound; `Infeasible` when proven (a must-serve client with only closed
//!   sites, or a closed tree without a plan). Deterministic on any thread count.
//! - **Single assignment, or HiGHS asked for: the MIP** above through good_lp
//!   (`search = "capacity-mip"`). Under [`Assignment::Split`] a greedy-drop
//!   heuristic runs first with a quarter of the time, and the assignment of the
//!   MIP's open set is recomputed exactly by [`transport`]; under
//!   [`Assignment::Single`] (the generalised assignment problem) the MIP's
//!   integral assignment is kept. `Optimal` when the back end proved it;
//!   time-limited runs are `Feasible` with bound `−∞` (good_lp exposes no dual
//!   bound). The native tree branches on `y` only, so it is not exact for
//!   single assignment; that stays on the MIP.
//!
//! [`transport`] solves the transportation problem of a fixed open set by
//! min-cost flow: every client starts at its cheapest open option, and the
//! overloads are rerouted by early-stopped multi-source Dijkstra on reduced
//! costs (successive shortest paths with potentials).
//!
//! # Complexity
//! One ascent iteration: `O(|arcs| log deg)` (the per-site sorts) plus
//! `O(n log n)`; reduced-cost fixing `O(n²)` per node. [`transport`]: one pass
//! over the arcs plus one early-stopped Dijkstra per augmentation (each empties
//! an overload, fills a site or saturates an arc). The MIP has
//! `n + |arcs| + m` variables; its time is the back end's.

use crate::instance::{Fixing, Instance, InstanceError};
use crate::mip::MipBackend;
use crate::outcome::{Outcome, SolveOptions, Status};
use good_lp::{
    constraint, variable, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus, SolverModel,
    Variable, WithMipGap, WithTimeLimit,
};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// How a client's demand may be shared between sites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Assignment {
    /// A client may be split over several open sites.
    #[default]
    Split,
    /// A client goes to one site (or, when it may, stays wholly unserved).
    Single,
}

/// Per client, the share served by each site: `(site, share)`.
pub type Flows = Vec<Vec<(u32, f64)>>;

/// A capacitated solve: the [`Outcome`] and the assignment behind its objective.
#[derive(Clone, Debug)]
pub struct CapacityOutcome {
    /// Status, open sites, objective and bound (as for [`crate::solve`]).
    pub outcome: Outcome,
    /// Per client, the share served by each site `(site, share)`, shares in
    /// `(0, 1]` summing to at most 1 (the rest is unserved); empty without a solution.
    pub flows: Vec<Vec<(u32, f64)>>,
}

/// Objective of an assignment: `Σ f_j y_j + Σ c_ia x_ia + Σ U_i (1 − Σ_a x_ia)`;
/// `None` when a must-serve client is not wholly served, an arc is missing or
/// closed, or a capacity is exceeded (relative tolerance 1e-9).
pub fn assignment_objective(inst: &Instance, open: &[bool], flows: &[Vec<(u32, f64)>]) -> Option<f64> {
    if open.len() != inst.n_sites() || flows.len() != inst.n_clients() {
        return None;
    }
    let mut z: f64 = (0..inst.n_sites())
        .filter(|&j| open[j])
        .map(|j| inst.fixed_cost[j])
        .sum();
    let mut load = vec![0.0; inst.n_sites()];
    for (i, f) in flows.iter().enumerate() {
        let arcs = inst.arcs_of(i);
        let mut served = 0.0;
        for &(s, x) in f {
            let a = arcs.iter().find(|a| a.site == s)?;
            if !open[s as usize] || x.is_nan() || x < 0.0 {
                return None;
            }
            z += a.cost * x;
            served += x;
            load[s as usize] += inst.demand[i] * x;
        }
        let rest = (1.0 - served).max(0.0);
        if rest > 1e-9 {
            z += inst.unserved_cost[i]? * rest;
        }
    }
    for j in 0..inst.n_sites() {
        if let Some(q) = inst.capacity[j] {
            if load[j] > q + 1e-9 * q.max(1.0) {
                return None;
            }
        }
    }
    Some(z)
}

/// Solves a capacitated instance exactly (see the module docs).
///
/// # Errors
/// [`InstanceError`] for a malformed instance, or [`InstanceError::Backend`]
/// when the back end is not compiled in or fails for a reason other than
/// infeasibility or the time limit.
///
/// # Example
/// ```
/// use hubplan_solver::{Arc, Instance, SolveOptions, Status};
/// use hubplan_solver::capacity::{solve_capacitated, Assignment};
/// use hubplan_solver::mip::MipBackend;
/// // Two sites of 10 users each; 15 users must be served: both stay open.
/// let mut inst = Instance::with_sites(2);
/// inst.fixed_cost = vec![1.0, 1.0];
/// inst.capacity = vec![Some(10.0), Some(10.0)];
/// let arcs = vec![Arc { site: 0, cost: 0.0 }, Arc { site: 1, cost: 0.0 }];
/// inst.push_client(arcs, None, 15.0);
/// let out = solve_capacitated(&inst, &SolveOptions::default(), Assignment::Split, MipBackend::Microlp).unwrap();
/// assert_eq!(out.outcome.status, Status::Optimal);
/// assert_eq!(out.outcome.open, vec![true, true]);
/// ```
pub fn solve_capacitated(
    inst: &Instance,
    opts: &SolveOptions,
    mode: Assignment,
    backend: MipBackend,
) -> Result<CapacityOutcome, InstanceError> {
    let method = match (mode, backend) {
        (Assignment::Split, MipBackend::Microlp) if crate::capcover::applies(inst, mode) => Method::HallCuts,
        (Assignment::Split, MipBackend::Microlp) => Method::Native,
        _ => Method::Mip(backend),
    };
    solve_capacitated_with(inst, opts, mode, method)
}

/// Which method [`solve_capacitated_with`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The native Lagrangian branch-and-bound (split assignment only; a
    /// single-assignment instance falls back to the microlp MIP).
    Native,
    /// The capacitated MIP through good_lp on the given back end.
    Mip(MipBackend),
    /// The Hall-cut branch-and-cut on the sites alone (`search =
    /// "capacity-hall-cuts"`), for split assignment with every arc cost 0 and
    /// every client served; any other instance runs [`Method::Native`].
    HallCuts,
}

/// [`solve_capacitated`] with the method chosen by the caller.
/// [`solve_capacitated`] runs [`Method::HallCuts`] for split assignment on the
/// default back end when no assignment has a cost and every client must be
/// served, [`Method::Native`] for the other split instances, and the MIP
/// otherwise (single assignment, or HiGHS asked for).
///
/// # Errors
/// As [`solve_capacitated`].
pub fn solve_capacitated_with(
    inst: &Instance,
    opts: &SolveOptions,
    mode: Assignment,
    method: Method,
) -> Result<CapacityOutcome, InstanceError> {
    let backend = match (method, mode) {
        (Method::HallCuts, _) if crate::capcover::applies(inst, mode) => {
            return crate::parts::solve_by_parts(inst, opts, crate::capcover::solve)
        }
        (Method::Native | Method::HallCuts, Assignment::Split) => {
            return crate::parts::solve_by_parts(inst, opts, solve_native)
        }
        (Method::Native | Method::HallCuts, Assignment::Single) => MipBackend::Microlp,
        (Method::Mip(b), _) => b,
    };
    crate::parts::solve_by_parts(inst, opts, |part, o| solve_mip_capacitated(part, o, mode, backend))
}

/// Any must-serve client whose every arc is at a closed site.
fn stranded(inst: &Instance) -> bool {
    (0..inst.n_clients()).any(|i| {
        inst.unserved_cost[i].is_none()
            && inst
                .arcs_of(i)
                .iter()
                .all(|a| inst.fixing[a.site as usize] == Fixing::Closed)
    })
}

fn solve_native(inst: &Instance, opts: &SolveOptions) -> Result<CapacityOutcome, InstanceError> {
    inst.validate()?;
    let name = "capacity:lagrangian-bb + min-cost-flow assignment";
    let why = "demand capacity (split): native Lagrangian branch-and-bound on the sites (assignment rows relaxed, one continuous knapsack per site, aggregate capacity row); each plan priced exactly by min-cost flow";
    let result =
        |status: Status, open: Vec<bool>, objective: f64, bound: f64, nodes: u64, flows: Flows| CapacityOutcome {
            outcome: Outcome {
                status,
                open,
                objective,
                bound,
                nodes,
                solver: name.into(),
                search: "capacity-lagrangian-bb".into(),
                why: why.into(),
            },
            flows,
        };
    if stranded(inst) {
        return Ok(result(
            Status::Infeasible,
            Vec::new(),
            f64::INFINITY,
            f64::INFINITY,
            0,
            Vec::new(),
        ));
    }
    let deadline = std::time::Instant::now() + opts.time_limit;
    let cap = crate::caplag::Cap::new(inst, opts.rel_gap, opts.abs_gap, deadline);
    let s = crate::caplag::search(&cap, None, None);
    match s.best {
        Some((_, open)) => {
            let Some((_, flows)) = transport(inst, &open) else {
                return Err(InstanceError::Backend(format!(
                    "{name}: a plan of the search does not fit its capacities"
                )));
            };
            let Some(z) = assignment_objective(inst, &open, &flows) else {
                return Err(InstanceError::Backend(format!(
                    "{name}: the min-cost flow broke a capacity"
                )));
            };
            let status = if s.complete { Status::Optimal } else { Status::Feasible };
            Ok(result(status, open, z, s.bound.min(z), s.nodes, flows))
        }
        None if s.complete => Ok(result(
            Status::Infeasible,
            Vec::new(),
            f64::INFINITY,
            f64::INFINITY,
            s.nodes,
            Vec::new(),
        )),
        None => Ok(result(
            Status::Unknown,
            Vec::new(),
            f64::INFINITY,
            s.bound,
            s.nodes,
            Vec::new(),
        )),
    }
}

fn solve_mip_capacitated(
    inst: &Instance,
    opts: &SolveOptions,
    mode: Assignment,
    backend: MipBackend,
) -> Result<CapacityOutcome, InstanceError> {
    inst.validate()?;
    let name = match (backend, mode) {
        (MipBackend::Microlp, Assignment::Split) => "capacity:mip:microlp + min-cost-flow assignment",
        (MipBackend::Microlp, Assignment::Single) => "capacity:mip:microlp (single assignment)",
        (MipBackend::Highs, Assignment::Split) => "capacity:mip:highs + min-cost-flow assignment",
        (MipBackend::Highs, Assignment::Single) => "capacity:mip:highs (single assignment)",
    };
    let why = match mode {
        Assignment::Split => "demand capacity (split): the capacitated MIP picks the sites; the assignment is a transportation problem solved by min-cost flow",
        Assignment::Single => "demand capacity (single): a generalised assignment, solved as a MIP with integral assignments",
    };
    let none = |status: Status| CapacityOutcome {
        outcome: Outcome {
            status,
            open: Vec::new(),
            objective: f64::INFINITY,
            bound: if status == Status::Infeasible {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            },
            nodes: 0,
            solver: name.into(),
            search: "capacity-mip".into(),
            why: why.into(),
        },
        flows: Vec::new(),
    };
    // A must-serve client without arcs, or whose demand no arc can take, makes it infeasible.
    for i in 0..inst.n_clients() {
        if inst.unserved_cost[i].is_none()
            && inst
                .arcs_of(i)
                .iter()
                .all(|a| inst.fixing[a.site as usize] == Fixing::Closed)
        {
            return Ok(none(Status::Infeasible));
        }
    }
    // Primal heuristic first (split only), with a quarter of the time: an
    // incumbent for when the MIP finds none in its time.
    let start = std::time::Instant::now();
    let heur = match mode {
        Assignment::Split => greedy_drop(inst, start + opts.time_limit / 4),
        Assignment::Single => None,
    };
    let m = build(inst, mode);
    let secs = opts.time_limit.saturating_sub(start.elapsed()).as_secs_f64().max(0.001);
    let gap = opts.rel_gap.max(0.0) as f32;
    let solved = match backend {
        MipBackend::Microlp => {
            let mut model = m.pv.minimise(m.obj).using(good_lp::microlp).with_time_limit(secs);
            model = model
                .with_mip_gap(gap)
                .map_err(|e| InstanceError::Backend(e.to_string()))?;
            for c in m.rows {
                model.add_constraint(c);
            }
            model.solve().map(|s| read(&s, &m.y, &m.x, inst))
        }
        MipBackend::Highs => solve_highs(m, secs, gap, inst)?,
    };
    let (open, mip_flows, st) = match solved {
        Ok(r) => r,
        Err(ResolutionError::Infeasible) => return Ok(none(Status::Infeasible)),
        Err(ResolutionError::Other(s)) if s.contains("Time limit") => match heur {
            // The MIP found nothing in time: the heuristic's plan, with no proven bound.
            Some((open, flows, z)) => {
                return Ok(CapacityOutcome {
                    outcome: Outcome {
                        status: Status::Feasible,
                        open,
                        objective: z,
                        bound: f64::NEG_INFINITY,
                        nodes: 0,
                        solver: format!("{name} (time limit: greedy-drop heuristic's plan)"),
                        search: "capacity-mip".into(),
                        why: why.into(),
                    },
                    flows,
                })
            }
            None => return Ok(none(Status::Unknown)),
        },
        Err(e) => return Err(InstanceError::Backend(format!("{name}: {e}"))),
    };
    // A time-limited MIP plan worse than the heuristic's gives way to it.
    let (open, mip_flows) = match (&heur, st) {
        (Some((hopen, hflows, hz)), SolutionStatus::TimeLimit)
            if assignment_objective(inst, &open, &mip_flows).is_none_or(|z| *hz < z) =>
        {
            (hopen.clone(), hflows.clone())
        }
        _ => (open, mip_flows),
    };
    let flows = match mode {
        Assignment::Split => match transport(inst, &open) {
            Some((_, f)) => f,
            None => mip_flows,
        },
        Assignment::Single => mip_flows,
    };
    let Some(z) = assignment_objective(inst, &open, &flows) else {
        return Err(InstanceError::Backend(format!(
            "{name} returned an assignment that breaks a capacity or leaves a client unserved"
        )));
    };
    let (status, bound) = match st {
        SolutionStatus::Optimal => (Status::Optimal, z),
        SolutionStatus::GapLimit => (Status::Optimal, z - opts.rel_gap * z.abs()),
        SolutionStatus::TimeLimit => (Status::Feasible, f64::NEG_INFINITY),
    };
    Ok(CapacityOutcome {
        outcome: Outcome {
            status,
            open,
            objective: z,
            bound,
            nodes: 0,
            solver: name.into(),
            search: "capacity-mip".into(),
            why: why.into(),
        },
        flows,
    })
}

/// Greedy drop: from every site open that may open, close sites one at a
/// time (costliest fixed cost first, then by index) while every must-serve
/// client keeps an open arc, the min-cost flow still places everyone, and the
/// objective does not grow (or a cardinality maximum or the budget still needs
/// sites closed). Returns the open set, its assignment and its objective when
/// it meets every side constraint. Stops at `deadline`.
fn greedy_drop(inst: &Instance, deadline: std::time::Instant) -> Option<(Vec<bool>, Flows, f64)> {
    let n = inst.n_sites();
    let mut open: Vec<bool> = inst.fixing.iter().map(|f| *f != Fixing::Closed).collect();
    let fixed = |o: &[bool]| -> f64 { (0..n).filter(|&j| o[j]).map(|j| inst.fixed_cost[j]).sum() };
    let (c0, mut flows) = transport(inst, &open)?;
    let mut z = fixed(&open) + c0;
    let mut order: Vec<usize> = (0..n).filter(|&j| inst.fixing[j] == Fixing::Free).collect();
    order.sort_by(|&a, &b| inst.fixed_cost[b].total_cmp(&inst.fixed_cost[a]).then(a.cmp(&b)));
    let must: Vec<usize> = (0..inst.n_clients())
        .filter(|&i| inst.unserved_cost[i].is_none())
        .collect();
    for j in order {
        if std::time::Instant::now() >= deadline {
            break;
        }
        let count = open.iter().filter(|&&o| o).count() as u32;
        if inst.cardinality.is_some_and(|c| count <= c.min) {
            break;
        }
        let forced = inst.cardinality.is_some_and(|c| count > c.max)
            || inst
                .budget
                .is_some_and(|b| (0..n).filter(|&k| open[k]).map(|k| inst.budget_cost[k]).sum::<f64>() > b);
        open[j] = false;
        let covered = must
            .iter()
            .all(|&i| inst.arcs_of(i).iter().any(|a| open[a.site as usize]));
        let next = if covered { transport(inst, &open) } else { None };
        match next {
            Some((c, f)) if forced || fixed(&open) + c <= z => {
                z = fixed(&open) + c;
                flows = f;
            }
            _ => open[j] = true,
        }
    }
    crate::eval::check(inst, &open).ok()?;
    let z = assignment_objective(inst, &open, &flows)?;
    Some((open, flows, z))
}

struct Built {
    pv: ProblemVariables,
    obj: Expression,
    rows: Vec<good_lp::Constraint>,
    y: Vec<Variable>,
    /// Per client, `(site, x)`.
    x: Vec<Vec<(u32, Variable)>>,
}

fn build(inst: &Instance, mode: Assignment) -> Built {
    let n = inst.n_sites();
    let mut pv = ProblemVariables::new();
    let y: Vec<Variable> = (0..n)
        .map(|j| {
            let (lb, ub) = match inst.fixing[j] {
                Fixing::Free => (0.0, 1.0),
                Fixing::Open => (1.0, 1.0),
                Fixing::Closed => (0.0, 0.0),
            };
            pv.add(variable().integer().min(lb).max(ub))
        })
        .collect();
    let mut obj: Expression = (0..n).map(|j| inst.fixed_cost[j] * y[j]).sum();
    let mut rows = Vec::new();
    let mut load: Vec<Expression> = vec![Expression::default(); n];
    let mut x = Vec::with_capacity(inst.n_clients());
    let mut must = 0.0;
    for i in 0..inst.n_clients() {
        let mut sum = Expression::default();
        if let Some(u) = inst.unserved_cost[i] {
            let v = pv.add(variable().min(0.0).max(1.0));
            obj += u * v;
            sum += v;
        } else {
            must += inst.demand[i];
        }
        let mut xi = Vec::new();
        for a in inst.arcs_of(i) {
            let j = a.site as usize;
            if inst.fixing[j] == Fixing::Closed {
                continue;
            }
            let d = variable().min(0.0).max(1.0);
            let v = pv.add(if mode == Assignment::Single { d.integer() } else { d });
            obj += a.cost * v;
            sum += v;
            rows.push(constraint!(v - y[j] <= 0.0));
            if inst.capacity[j].is_some() {
                load[j] += inst.demand[i] * v;
            }
            xi.push((a.site, v));
        }
        rows.push(constraint!(sum == 1.0));
        x.push(xi);
    }
    for j in 0..n {
        if let Some(q) = inst.capacity[j] {
            let e = std::mem::take(&mut load[j]);
            rows.push(constraint!(e - q * y[j] <= 0.0));
        }
    }
    if inst.capacity.iter().all(Option::is_some) && must > 0.0 {
        let total: Expression = (0..n).map(|j| inst.capacity[j].unwrap_or(0.0) * y[j]).sum();
        rows.push(constraint!(total >= must));
    }
    if let Some(b) = inst.budget {
        let e: Expression = (0..n).map(|j| inst.budget_cost[j] * y[j]).sum();
        rows.push(constraint!(e <= b));
    }
    if let Some(c) = inst.cardinality {
        let e: Expression = y.iter().copied().sum();
        rows.push(constraint!(e.clone() >= f64::from(c.min)));
        rows.push(constraint!(e <= f64::from(c.max)));
    }
    Built { pv, obj, rows, y, x }
}

type Read = (Vec<bool>, Vec<Vec<(u32, f64)>>, SolutionStatus);

fn read<S: Solution>(sol: &S, y: &[Variable], x: &[Vec<(u32, Variable)>], inst: &Instance) -> Read {
    let open: Vec<bool> = y.iter().map(|&v| sol.value(v) > 0.5).collect();
    let flows = x
        .iter()
        .enumerate()
        .map(|(i, xi)| {
            let mut f: Vec<(u32, f64)> = xi
                .iter()
                .map(|&(s, v)| (s, sol.value(v).clamp(0.0, 1.0)))
                .filter(|&(s, v)| v > 1e-9 && open[s as usize])
                .collect();
            // Clean the back end's round-off: shares summing to ~1 become exactly 1.
            let tot: f64 = f.iter().map(|p| p.1).sum();
            if tot > 1.0 || (inst.unserved_cost[i].is_none() && tot > 0.0) {
                f.iter_mut().for_each(|p| p.1 /= tot);
            }
            f
        })
        .collect();
    (open, flows, sol.status())
}

#[cfg(feature = "highs")]
fn solve_highs(m: Built, secs: f64, gap: f32, inst: &Instance) -> Result<Result<Read, ResolutionError>, InstanceError> {
    let mut model = m.pv.minimise(m.obj).using(good_lp::highs).set_time_limit(secs);
    model = model
        .set_mip_rel_gap(gap)
        .map_err(|e| InstanceError::Backend(e.to_string()))?;
    for c in m.rows {
        model.add_constraint(c);
    }
    Ok(model.solve().map(|s| read(&s, &m.y, &m.x, inst)))
}

#[cfg(not(feature = "highs"))]
fn solve_highs(
    _m: Built,
    _secs: f64,
    _gap: f32,
    _inst: &Instance,
) -> Result<Result<Read, ResolutionError>, InstanceError> {
    Err(InstanceError::Backend(
        "hubplan-solver was built without the `highs` feature".into(),
    ))
}

/// The neutral model of a capacitated instance under `mode`: the split model of
/// [`crate::mip::build_model`] (strong linking, capacity rows), with integral
/// assignments under [`Assignment::Single`].
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
pub fn build_model(inst: &Instance, mode: Assignment) -> Result<crate::mip::Model, InstanceError> {
    let mut m = crate::mip::build_model(inst)?;
    if mode == Assignment::Single {
        for v in m.vars.iter_mut().skip(m.n_sites) {
            if v.name.starts_with('x') {
                v.integer = true;
            }
        }
    }
    Ok(m)
}

/// Free-format MPS text of the capacitated model (see [`build_model`]), for an
/// auditor to re-solve the same model elsewhere.
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
pub fn write_mps(inst: &Instance, mode: Assignment) -> Result<String, InstanceError> {
    Ok(crate::lpmps::mps_text(&build_model(inst, mode)?, "hubplan"))
}

/// CPLEX LP text of the capacitated model (see [`build_model`]).
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
pub fn write_lp(inst: &Instance, mode: Assignment) -> Result<String, InstanceError> {
    Ok(crate::lpmps::lp_text(
        &build_model(inst, mode)?,
        "hubplan-solver capacitated model",
    ))
}

/// The least-cost splittable assignment for a fixed open set: the
/// transportation problem `min Σ c_ia x_ia + Σ U_i u_i` subject to
/// `Σ_a x_ia + u_i = 1`, `Σ_i d_i x_ij ≤ Q_j` on open sites, by min-cost flow
/// in demand units (an arc costs `c_ia / d_i` per unit of demand).
///
/// Method: every client first sends its whole demand to its cheapest open
/// option (an arc, or unserved) — optimal without capacities, with node
/// potentials that make every residual reduced cost non-negative. The excess
/// of overloaded sites is then rerouted by successive shortest paths
/// (multi-source Dijkstra on reduced costs from the overloaded sites, stopped
/// at the first site with room or unserved option; potentials updated only on
/// the settled nodes). Each path moves demand from an overloaded site through
/// clients to sites with room, so the work is local to the overloads.
///
/// Returns the assignment cost (without fixed costs) and the shares per
/// client, or `None` when the must-serve demand does not fit. Clients with
/// demand 0 take their cheapest open arc (or stay unserved when cheaper).
///
/// Complexity: one pass over the arcs, then one Dijkstra (stopped early) per
/// augmentation; each augmentation empties an excess, fills a site or
/// saturates an arc.
pub fn transport(inst: &Instance, open: &[bool]) -> Option<(f64, Flows)> {
    let (m, n) = (inst.n_clients(), inst.n_sites());
    if open.len() != n {
        return None;
    }
    let mut cost = 0.0;
    let mut flows: Vec<Vec<(u32, f64)>> = vec![Vec::new(); m];
    // Per arc (index into inst.arcs), the flow in demand units.
    let mut f = vec![0.0f64; inst.arcs.len()];
    let mut unserved = vec![0.0f64; m];
    let mut load = vec![0.0f64; n];
    let q: Vec<f64> = (0..n)
        .map(|j| {
            if open[j] {
                inst.capacity[j].unwrap_or(f64::INFINITY)
            } else {
                0.0
            }
        })
        .collect();
    // Potentials: clients, then sites, then the sink.
    let t_node = m + n;
    let mut pot = vec![0.0f64; m + n + 1];
    let mut total = 0.0f64;
    for i in 0..m {
        let d = inst.demand[i];
        let u = inst.unserved_cost[i];
        let a0 = inst.arc_start[i] as usize;
        let best = inst
            .arcs_of(i)
            .iter()
            .enumerate()
            .filter(|(_, a)| open[a.site as usize])
            .min_by(|(ka, a), (kb, b)| a.cost.total_cmp(&b.cost).then(ka.cmp(kb)));
        if d <= 0.0 {
            match (best, u) {
                (Some((_, a)), Some(u)) if u < a.cost => cost += u,
                (Some((_, a)), _) => {
                    cost += a.cost;
                    flows[i].push((a.site, 1.0));
                }
                (None, Some(u)) => cost += u,
                (None, None) => return None,
            }
            continue;
        }
        total += d;
        match (best, u) {
            (Some((_, a)), Some(u)) if u < a.cost => {
                unserved[i] = d;
                pot[i] = -u / d;
            }
            (Some((k, a)), _) => {
                f[a0 + k] = d;
                load[a.site as usize] += d;
                pot[i] = -a.cost / d;
            }
            (None, Some(u)) => {
                unserved[i] = d;
                pot[i] = -u / d;
            }
            (None, None) => return None,
        }
    }
    // Clients per open site (site-major CSR of arc indices).
    let mut sstart = vec![0usize; n + 1];
    for a in &inst.arcs {
        if open[a.site as usize] {
            sstart[a.site as usize + 1] += 1;
        }
    }
    for j in 0..n {
        sstart[j + 1] += sstart[j];
    }
    let mut fill = sstart.clone();
    let mut sarc = vec![(0u32, 0u32); sstart[n]];
    for i in 0..m {
        let a0 = inst.arc_start[i] as usize;
        for (k, a) in inst.arcs_of(i).iter().enumerate() {
            let j = a.site as usize;
            if open[j] {
                sarc[fill[j]] = (i as u32, (a0 + k) as u32);
                fill[j] += 1;
            }
        }
    }
    let eps = 1e-12 * total.max(1.0);
    let nodes = m + n + 1;
    let mut dist = vec![f64::INFINITY; nodes];
    // How each node was reached: (previous node, arc index or usize::MAX for unserved/sink edges).
    let mut prev = vec![(usize::MAX, usize::MAX); nodes];
    let mut done = vec![false; nodes];
    let mut touched: Vec<usize> = Vec::new();
    let mut heap = BinaryHeap::new();
    loop {
        let excess: Vec<usize> = (0..n).filter(|&j| load[j] > q[j] + eps).collect();
        if excess.is_empty() {
            break;
        }
        for &v in &touched {
            dist[v] = f64::INFINITY;
            prev[v] = (usize::MAX, usize::MAX);
            done[v] = false;
        }
        touched.clear();
        heap.clear();
        for &j in &excess {
            dist[m + j] = 0.0;
            touched.push(m + j);
            heap.push(Item(0.0, m + j));
        }
        let mut settled: Vec<usize> = Vec::new();
        let mut reached = false;
        while let Some(Item(du, u)) = heap.pop() {
            if done[u] || du > dist[u] {
                continue;
            }
            done[u] = true;
            settled.push(u);
            if u == t_node {
                reached = true;
                break;
            }
            let mut relax = |v: usize, c: f64, arc: usize, heap: &mut BinaryHeap<Item>| {
                let rc = (c + pot[u] - pot[v]).max(0.0);
                let nd = du + rc;
                if nd < dist[v] {
                    if dist[v].is_infinite() {
                        touched.push(v);
                    }
                    dist[v] = nd;
                    prev[v] = (u, arc);
                    heap.push(Item(nd, v));
                }
            };
            if u >= m {
                // A site: to the sink when it has room; back to its clients.
                let j = u - m;
                if load[j] < q[j] - eps {
                    relax(t_node, 0.0, usize::MAX, &mut heap);
                }
                for &(i, e) in &sarc[sstart[j]..sstart[j + 1]] {
                    let e = e as usize;
                    if f[e] > eps {
                        let i = i as usize;
                        relax(i, -inst.arcs[e].cost / inst.demand[i], e, &mut heap);
                    }
                }
            } else {
                // A client: to its other open sites; to the sink when it may stay unserved.
                let i = u;
                let d = inst.demand[i];
                let a0 = inst.arc_start[i] as usize;
                for (k, a) in inst.arcs_of(i).iter().enumerate() {
                    let j = a.site as usize;
                    if open[j] && f[a0 + k] < d - eps {
                        relax(m + j, a.cost / d, a0 + k, &mut heap);
                    }
                }
                if let Some(uc) = inst.unserved_cost[i] {
                    if unserved[i] < d - eps {
                        relax(t_node, uc / d, usize::MAX, &mut heap);
                    }
                }
            }
        }
        if !reached {
            return None;
        }
        let dt = dist[t_node];
        for &v in &settled {
            pot[v] += dist[v] - dt;
        }
        // The path, from the sink back to its source (an overloaded site).
        let mut path = Vec::new();
        let mut v = t_node;
        while prev[v].0 != usize::MAX {
            path.push((prev[v].0, v, prev[v].1));
            v = prev[v].0;
        }
        let src = v - m;
        let mut delta = load[src] - q[src];
        for &(a, b, e) in &path {
            let r = if b == t_node {
                if a >= m {
                    q[a - m] - load[a - m]
                } else {
                    inst.demand[a] - unserved[a]
                }
            } else if a >= m {
                f[e]
            } else {
                inst.demand[a] - f[e]
            };
            delta = delta.min(r);
        }
        if delta <= 0.0 {
            return None;
        }
        for &(a, b, e) in &path {
            if b == t_node {
                if a < m {
                    unserved[a] += delta;
                }
            } else if a >= m {
                f[e] -= delta;
                load[a - m] -= delta;
            } else {
                f[e] += delta;
                load[b - m] += delta;
            }
        }
    }
    for i in 0..m {
        let d = inst.demand[i];
        if d <= 0.0 {
            continue;
        }
        let a0 = inst.arc_start[i] as usize;
        for (k, a) in inst.arcs_of(i).iter().enumerate() {
            let x = f[a0 + k];
            if x > 1e-12 * d.max(1.0) {
                flows[i].push((a.site, (x / d).min(1.0)));
            }
        }
    }
    // Recompute the cost from the shares (one formula for every caller).
    for (i, fl) in flows.iter().enumerate() {
        if inst.demand[i] <= 0.0 {
            continue;
        }
        let arcs = inst.arcs_of(i);
        let mut served = 0.0;
        for &(s, x) in fl {
            if let Some(a) = arcs.iter().find(|a| a.site == s) {
                cost += a.cost * x;
            }
            served += x;
        }
        let rest = (1.0 - served).max(0.0);
        if rest > 1e-9 {
            match inst.unserved_cost[i] {
                Some(u) => cost += u * rest,
                None => return None,
            }
        }
    }
    Some((cost, flows))
}

#[derive(PartialEq)]
struct Item(f64, usize);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::Arc;

    fn arcs(c: &[(u32, f64)]) -> Vec<Arc> {
        c.iter().map(|&(site, cost)| Arc { site, cost }).collect()
    }

    #[test]
    fn transport_respects_capacity_and_prefers_cheap_arcs() {
        let mut inst = Instance::with_sites(2);
        inst.capacity = vec![Some(10.0), None];
        inst.push_client(arcs(&[(0, 0.0), (1, 50.0)]), None, 8.0);
        inst.push_client(arcs(&[(0, 0.0), (1, 5.0)]), None, 8.0);
        let (c, f) = transport(&inst, &[true, true]).unwrap();
        // Client 1 is cheaper to move (5 per whole client): 6 of its 8 units go to site 1.
        assert!((c - 5.0 * 6.0 / 8.0).abs() < 1e-9, "{c}");
        assert_eq!(f[0], vec![(0, 1.0)]);
        assert!((f[1][0].1 - 0.25).abs() < 1e-9 && (f[1][1].1 - 0.75).abs() < 1e-9);
        assert_eq!(
            assignment_objective(&inst, &[true, true], &f).map(|z| (z * 1e6).round()),
            Some((c * 1e6).round())
        );
        // With site 1 closed it does not fit.
        assert!(transport(&inst, &[true, false]).is_none());
    }

    #[test]
    fn unserved_demand_is_what_does_not_fit() {
        let mut inst = Instance::with_sites(1);
        inst.capacity = vec![Some(5.0)];
        inst.push_client(arcs(&[(0, 0.0)]), Some(8.0), 8.0);
        let (c, f) = transport(&inst, &[true]).unwrap();
        assert!((c - 3.0).abs() < 1e-9);
        assert!((f[0][0].1 - 5.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn single_assignment_keeps_clients_whole() {
        // Sites of 10; clients 6, 6, 6: split fits in two sites, single needs three.
        let mut inst = Instance::with_sites(3);
        inst.fixed_cost = vec![1.0; 3];
        inst.capacity = vec![Some(10.0); 3];
        for _ in 0..3 {
            inst.push_client(arcs(&[(0, 0.0), (1, 0.0), (2, 0.0)]), None, 6.0);
        }
        let o = SolveOptions::default();
        let s = solve_capacitated(&inst, &o, Assignment::Split, MipBackend::Microlp).unwrap();
        assert_eq!(s.outcome.status, Status::Optimal);
        assert_eq!(s.outcome.objective, 2.0);
        let g = solve_capacitated(&inst, &o, Assignment::Single, MipBackend::Microlp).unwrap();
        assert_eq!(g.outcome.status, Status::Optimal);
        assert_eq!(g.outcome.objective, 3.0);
        assert!(g.flows.iter().all(|f| f.len() == 1 && f[0].1 == 1.0));
    }

    #[test]
    fn exported_model_has_capacity_rows_and_integral_single_assignments() {
        let mut inst = Instance::with_sites(2);
        inst.capacity = vec![Some(10.0), None];
        inst.push_client(arcs(&[(0, 0.0), (1, 2.0)]), None, 6.0);
        let split = build_model(&inst, Assignment::Split).unwrap();
        let single = build_model(&inst, Assignment::Single).unwrap();
        let cap = split.rows.iter().find(|r| r.name == "cap0").unwrap();
        // 6·x00 − 10·y0 ≤ 0.
        assert_eq!(cap.coefs.len(), 2);
        assert!(split.vars[split.n_sites..].iter().all(|v| !v.integer));
        let xs: Vec<bool> = single.vars[single.n_sites..].iter().map(|v| v.integer).collect();
        assert_eq!(xs, vec![true, true]);
    }

    #[test]
    fn infeasible_when_demand_exceeds_every_capacity() {
        let mut inst = Instance::with_sites(2);
        inst.capacity = vec![Some(3.0), Some(3.0)];
        inst.push_client(arcs(&[(0, 0.0), (1, 0.0)]), None, 7.0);
        let s = solve_capacitated(&inst, &SolveOptions::default(), Assignment::Split, MipBackend::Microlp).unwrap();
        assert_eq!(s.outcome.status, Status::Infeasible);
    }
}
