//! The same [`Instance`] as a mixed-integer program: solved through
//! [`good_lp`] (pure-Rust `microlp` by default, HiGHS behind the `highs`
//! feature), or written as CPLEX LP / MPS text for an auditor.
//!
//! # Formulation
//!
//! Variables: `y_j ∈ {0,1}` per site (bounds from the fixings), `u_i ∈ [0,1]`
//! per client with an unserved cost, and per client either
//! - *aggregated* (uncapacitated client whose arcs all cost 0, i.e. covering):
//!   no assignment variables, row `Σ_{j ∈ arcs(i)} y_j + u_i ≥ 1`; or
//! - *assignment* `x_ia ∈ [0,1]` per arc with `Σ_a x_ia + u_i = 1` and the
//!   strong linking rows `x_ia ≤ y_j`.
//!
//! Side rows: budget `Σ b_j y_j ≤ B`, cardinality `min ≤ Σ y_j ≤ max`, and
//! capacity `Σ_i d_i x_ij − Q_j y_j ≤ 0` (splittable). The objective is
//! `Σ f_j y_j + Σ c_ia x_ia + Σ U_i u_i`, minimised. The model is built once as a
//! neutral [`Model`] by small functions and then handed to good_lp or written out.
//!
//! Arguments/returns of [`solve_mip`]: see its docs. Complexity: the model has
//! `n + |arcs| + m` variables at most; solve time is the back end's.

use crate::instance::{Fixing, Instance, InstanceError};
use crate::outcome::{Outcome, SolveOptions, Status};
use good_lp::{
    constraint, variable, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus, SolverModel,
    Variable, WithMipGap, WithTimeLimit,
};

/// Which MIP back end [`solve_mip`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MipBackend {
    /// Pure-Rust `microlp` (always available; slow on large instances, no bound report).
    Microlp,
    /// HiGHS through good_lp; only with the crate feature `highs`, otherwise
    /// [`solve_mip`] returns [`InstanceError::Backend`].
    Highs,
}

/// One variable of the neutral model.
#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    /// Name used in LP/MPS output.
    pub name: String,
    /// Lower bound.
    pub lb: f64,
    /// Upper bound.
    pub ub: f64,
    /// Integer (binary when bounds are 0/1).
    pub integer: bool,
    /// Objective coefficient.
    pub obj: f64,
}

/// Sense of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    /// `≤`
    Le,
    /// `≥`
    Ge,
    /// `=`
    Eq,
}

/// One linear row `Σ coef·var (sense) rhs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Name used in LP/MPS output.
    pub name: String,
    /// Sparse coefficients (variable index, coefficient).
    pub coefs: Vec<(usize, f64)>,
    /// Sense.
    pub sense: Sense,
    /// Right-hand side.
    pub rhs: f64,
}

/// A neutral linear model (minimisation): what [`solve_mip`] solves and what
/// [`write_lp`] / [`write_mps`] print.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    /// Variables; `y_j` are the first `n_sites`.
    pub vars: Vec<Var>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Objective constant (a comment in LP, the negated right-hand side of the
    /// objective row in MPS).
    pub constant: f64,
    /// Number of site variables (the first ones).
    pub n_sites: usize,
}

fn site_vars(inst: &Instance) -> Vec<Var> {
    (0..inst.n_sites())
        .map(|j| {
            let (lb, ub) = match inst.fixing[j] {
                Fixing::Free => (0.0, 1.0),
                Fixing::Open => (1.0, 1.0),
                Fixing::Closed => (0.0, 0.0),
            };
            Var {
                name: format!("y{j}"),
                lb,
                ub,
                integer: true,
                obj: inst.fixed_cost[j],
            }
        })
        .collect()
}

/// Whether client `i` can use the aggregated covering row.
fn aggregated(inst: &Instance, i: usize) -> bool {
    inst.arcs_of(i)
        .iter()
        .all(|a| a.cost == 0.0 && inst.capacity[a.site as usize].is_none())
}

fn budget_row(inst: &Instance) -> Option<Row> {
    inst.budget.map(|b| Row {
        name: "budget".into(),
        coefs: (0..inst.n_sites())
            .filter(|&j| inst.budget_cost[j] != 0.0)
            .map(|j| (j, inst.budget_cost[j]))
            .collect(),
        sense: Sense::Le,
        rhs: b,
    })
}

fn cardinality_rows(inst: &Instance) -> Vec<Row> {
    let Some(c) = inst.cardinality else {
        return Vec::new();
    };
    let all: Vec<(usize, f64)> = (0..inst.n_sites()).map(|j| (j, 1.0)).collect();
    let mut rows = Vec::new();
    if c.min == c.max {
        rows.push(Row {
            name: "card".into(),
            coefs: all,
            sense: Sense::Eq,
            rhs: f64::from(c.min),
        });
    } else {
        if c.min > 0 {
            rows.push(Row {
                name: "card_min".into(),
                coefs: all.clone(),
                sense: Sense::Ge,
                rhs: f64::from(c.min),
            });
        }
        rows.push(Row {
            name: "card_max".into(),
            coefs: all,
            sense: Sense::Le,
            rhs: f64::from(c.max),
        });
    }
    rows
}

/// Builds the neutral model of an instance (validated first).
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
pub fn build_model(inst: &Instance) -> Result<Model, InstanceError> {
    inst.validate()?;
    let n = inst.n_sites();
    let mut vars = site_vars(inst);
    let mut rows = Vec::new();
    // Per-site capacity rows, filled as arcs are created.
    let mut cap_rows: Vec<Option<Row>> = (0..n)
        .map(|j| {
            inst.capacity[j].map(|q| Row {
                name: format!("cap{j}"),
                coefs: vec![(j, -q)],
                sense: Sense::Le,
                rhs: 0.0,
            })
        })
        .collect();
    for i in 0..inst.n_clients() {
        let mut coefs = Vec::new();
        if let Some(u) = inst.unserved_cost[i] {
            vars.push(Var {
                name: format!("u{i}"),
                lb: 0.0,
                ub: 1.0,
                integer: false,
                obj: u,
            });
            coefs.push((vars.len() - 1, 1.0));
        }
        if aggregated(inst, i) {
            coefs.extend(inst.arcs_of(i).iter().map(|a| (a.site as usize, 1.0)));
            rows.push(Row {
                name: format!("cover{i}"),
                coefs,
                sense: Sense::Ge,
                rhs: 1.0,
            });
        } else {
            for a in inst.arcs_of(i) {
                let j = a.site as usize;
                vars.push(Var {
                    name: format!("x{i}_{j}"),
                    lb: 0.0,
                    ub: 1.0,
                    integer: false,
                    obj: a.cost,
                });
                let x = vars.len() - 1;
                coefs.push((x, 1.0));
                rows.push(Row {
                    name: format!("link{i}_{j}"),
                    coefs: vec![(x, 1.0), (j, -1.0)],
                    sense: Sense::Le,
                    rhs: 0.0,
                });
                if let Some(r) = cap_rows[j].as_mut() {
                    r.coefs.push((x, inst.demand[i]));
                }
            }
            rows.push(Row {
                name: format!("assign{i}"),
                coefs,
                sense: Sense::Eq,
                rhs: 1.0,
            });
        }
    }
    rows.extend(budget_row(inst));
    rows.extend(cardinality_rows(inst));
    rows.extend(cap_rows.into_iter().flatten());
    Ok(Model {
        vars,
        rows,
        constant: 0.0,
        n_sites: n,
    })
}

/// CPLEX LP text of the model of `inst` (through the one LP/MPS writer).
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
pub fn write_lp(inst: &Instance) -> Result<String, InstanceError> {
    Ok(crate::lpmps::lp_text(&build_model(inst)?, "hubplan-solver model"))
}

/// Free-format MPS text of the model of `inst` (names contain no spaces, so it
/// is also valid fixed-column-free MPS as read by HiGHS, CPLEX, Gurobi, SCIP).
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
pub fn write_mps(inst: &Instance) -> Result<String, InstanceError> {
    Ok(crate::lpmps::mps_text(&build_model(inst)?, "hubplan"))
}

/// good_lp expression `Σ coef·var` of a sparse row.
fn expr(vars: &[Variable], terms: &[(usize, f64)]) -> Expression {
    terms.iter().map(|&(v, c)| c * vars[v]).sum()
}

/// good_lp objective expression of a model.
fn objective(vars: &[Variable], m: &Model) -> Expression {
    let terms: Vec<(usize, f64)> = m
        .vars
        .iter()
        .enumerate()
        .filter(|(_, v)| v.obj != 0.0)
        .map(|(k, v)| (k, v.obj))
        .collect();
    expr(vars, &terms) + m.constant
}

/// good_lp constraint of a row.
fn row_constraint(vars: &[Variable], r: &Row) -> good_lp::Constraint {
    let e = expr(vars, &r.coefs);
    match r.sense {
        Sense::Le => constraint!(e <= r.rhs),
        Sense::Ge => constraint!(e >= r.rhs),
        Sense::Eq => constraint!(e == r.rhs),
    }
}

fn declare(pv: &mut ProblemVariables, m: &Model) -> Vec<Variable> {
    m.vars
        .iter()
        .map(|v| {
            let d = variable().min(v.lb).max(v.ub);
            pv.add(if v.integer { d.integer() } else { d })
        })
        .collect()
}

/// A back end's answer: open sites, recomputed objective, status.
type Solved = Result<(Vec<bool>, f64, SolutionStatus), ResolutionError>;

fn outcome_from<S: Solution>(
    sol: &S,
    vars: &[Variable],
    inst: &Instance,
    solver: &str,
) -> (Vec<bool>, f64, SolutionStatus) {
    let open: Vec<bool> = (0..inst.n_sites()).map(|j| sol.value(vars[j]) > 0.5).collect();
    let z = crate::eval::objective(inst, &open).unwrap_or(f64::INFINITY);
    let _ = solver;
    (open, z, sol.status())
}

/// Solves `inst` as a MIP with the chosen back end.
///
/// # Arguments
/// * `inst` — the instance (validated here).
/// * `opts` — time limit and relative gap (passed to the back end).
/// * `backend` — [`MipBackend::Microlp`] or [`MipBackend::Highs`].
///
/// # Returns
/// An [`Outcome`]. `Optimal` only when the back end reports optimality (or its
/// gap limit at `opts.rel_gap`); the bound is then the objective (minus the gap
/// allowance). Time-limited runs are `Feasible` with bound `−∞` (good_lp
/// exposes no dual bound), or `Unknown` without a solution. The objective is
/// recomputed from the open sites by [`crate::eval::objective`] (for capacitated
/// instances by the transportation LP), never taken from the back end.
///
/// # Errors
/// [`InstanceError`] for a malformed instance, or [`InstanceError::Backend`]
/// when the back end is not compiled in or fails for a reason other than
/// infeasibility or the time limit.
///
/// # Example
/// ```
/// use hubplan_solver::{Arc, Instance, SolveOptions, Status};
/// use hubplan_solver::mip::{solve_mip, MipBackend};
/// let mut inst = Instance::with_sites(2);
/// inst.fixed_cost = vec![3.0, 2.0];
/// inst.push_client(vec![Arc { site: 0, cost: 0.0 }, Arc { site: 1, cost: 0.0 }], None, 1.0);
/// let out = solve_mip(&inst, &SolveOptions::default(), MipBackend::Microlp).unwrap();
/// assert_eq!(out.status, Status::Optimal);
/// assert_eq!(out.objective, 2.0);
/// ```
pub fn solve_mip(inst: &Instance, opts: &SolveOptions, backend: MipBackend) -> Result<Outcome, InstanceError> {
    let m = build_model(inst)?;
    let mut pv = ProblemVariables::new();
    let vars = declare(&mut pv, &m);
    let obj = objective(&vars, &m);
    let rows: Vec<good_lp::Constraint> = m.rows.iter().map(|r| row_constraint(&vars, r)).collect();
    let secs = opts.time_limit.as_secs_f64().max(0.001);
    let gap = opts.rel_gap.max(0.0) as f32;
    let name = match backend {
        MipBackend::Microlp => "mip:microlp",
        MipBackend::Highs => "mip:highs",
    };
    let result: Solved = match backend {
        MipBackend::Microlp => {
            let mut model = pv.minimise(obj).using(good_lp::microlp).with_time_limit(secs);
            model = model
                .with_mip_gap(gap)
                .map_err(|e| InstanceError::Backend(e.to_string()))?;
            for c in rows {
                model.add_constraint(c);
            }
            model.solve().map(|s| outcome_from(&s, &vars, inst, name))
        }
        MipBackend::Highs => solve_highs(pv, obj, rows, secs, gap, &vars, inst, name)?,
    };
    let unknown = |status| Outcome {
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
        search: name.into(),
        why: String::new(),
    };
    match result {
        Ok((open, z, st)) => {
            if !z.is_finite() {
                return Err(InstanceError::Backend(format!(
                    "{name} returned a solution that does not evaluate"
                )));
            }
            let (status, bound) = match st {
                SolutionStatus::Optimal => (Status::Optimal, z),
                SolutionStatus::GapLimit => (Status::Optimal, z - opts.rel_gap * z.abs()),
                SolutionStatus::TimeLimit => (Status::Feasible, f64::NEG_INFINITY),
            };
            Ok(Outcome {
                status,
                open,
                objective: z,
                bound,
                nodes: 0,
                solver: name.into(),
                search: name.into(),
                why: String::new(),
            })
        }
        Err(ResolutionError::Infeasible) => Ok(unknown(Status::Infeasible)),
        Err(ResolutionError::Other(s)) if s.contains("Time limit") => Ok(unknown(Status::Unknown)),
        Err(e) => Err(InstanceError::Backend(format!("{name}: {e}"))),
    }
}

#[cfg(feature = "highs")]
#[allow(clippy::too_many_arguments)]
fn solve_highs(
    pv: ProblemVariables,
    obj: Expression,
    rows: Vec<good_lp::Constraint>,
    secs: f64,
    gap: f32,
    vars: &[Variable],
    inst: &Instance,
    name: &str,
) -> Result<Solved, InstanceError> {
    let mut model = pv.minimise(obj).using(good_lp::highs).set_time_limit(secs);
    model = model
        .set_mip_rel_gap(gap)
        .map_err(|e| InstanceError::Backend(e.to_string()))?;
    for c in rows {
        model.add_constraint(c);
    }
    Ok(model.solve().map(|s| outcome_from(&s, vars, inst, name)))
}

#[cfg(not(feature = "highs"))]
#[allow(clippy::too_many_arguments)]
fn solve_highs(
    _pv: ProblemVariables,
    _obj: Expression,
    _rows: Vec<good_lp::Constraint>,
    _secs: f64,
    _gap: f32,
    _vars: &[Variable],
    _inst: &Instance,
    _name: &str,
) -> Result<Solved, InstanceError> {
    Err(InstanceError::Backend(
        "hubplan-solver was built without the `highs` feature".into(),
    ))
}
