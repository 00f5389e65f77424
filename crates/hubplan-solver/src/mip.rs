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
use std::fmt::Write as _;

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
    /// Objective constant (not representable in MPS; also printed as a comment).
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

fn num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:e}")
    }
}

fn lp_terms(out: &mut String, terms: &[(usize, f64)], vars: &[Var]) {
    let mut k = 0;
    for &(v, c) in terms {
        if c == 0.0 {
            continue;
        }
        let sign = if c < 0.0 { "-" } else { "+" };
        let _ = write!(out, " {sign} {} {}", num(c.abs()), vars[v].name);
        k += 1;
        if k % 8 == 0 {
            out.push_str("\n  ");
        }
    }
    if k == 0 {
        let _ = write!(out, " 0 {}", vars.first().map_or("y0", |v| v.name.as_str()));
    }
}

/// CPLEX LP text of the model of `inst`.
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
pub fn write_lp(inst: &Instance) -> Result<String, InstanceError> {
    let m = build_model(inst)?;
    let mut s = String::from("\\ hubplan-solver model (minimisation)\nMinimize\n obj:");
    let obj: Vec<(usize, f64)> = m.vars.iter().enumerate().map(|(k, v)| (k, v.obj)).collect();
    lp_terms(&mut s, &obj, &m.vars);
    s.push_str("\nSubject To\n");
    for r in &m.rows {
        let _ = write!(s, " {}:", r.name);
        lp_terms(&mut s, &r.coefs, &m.vars);
        let op = match r.sense {
            Sense::Le => "<=",
            Sense::Ge => ">=",
            Sense::Eq => "=",
        };
        let _ = writeln!(s, " {op} {}", num(r.rhs));
    }
    s.push_str("Bounds\n");
    for v in &m.vars {
        let _ = writeln!(s, " {} <= {} <= {}", num(v.lb), v.name, num(v.ub));
    }
    s.push_str("General\n");
    for v in m.vars.iter().filter(|v| v.integer) {
        let _ = writeln!(s, " {}", v.name);
    }
    s.push_str("End\n");
    Ok(s)
}

/// Free-format MPS text of the model of `inst` (names contain no spaces, so it
/// is also valid fixed-column-free MPS as read by HiGHS, CPLEX, Gurobi, SCIP).
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
pub fn write_mps(inst: &Instance) -> Result<String, InstanceError> {
    let m = build_model(inst)?;
    let mut s = String::from("NAME hubplan\nOBJSENSE\n    MIN\nROWS\n N obj\n");
    for r in &m.rows {
        let t = match r.sense {
            Sense::Le => "L",
            Sense::Ge => "G",
            Sense::Eq => "E",
        };
        let _ = writeln!(s, " {t} {}", r.name);
    }
    // Column-major coefficients.
    let mut cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); m.vars.len()];
    for (ri, r) in m.rows.iter().enumerate() {
        for &(v, c) in &r.coefs {
            if c != 0.0 {
                cols[v].push((ri, c));
            }
        }
    }
    s.push_str("COLUMNS\n");
    let mut in_int = false;
    for (k, v) in m.vars.iter().enumerate() {
        if v.integer != in_int {
            let tag = if v.integer { "'INTORG'" } else { "'INTEND'" };
            let _ = writeln!(s, "    MARKER 'MARKER' {tag}");
            in_int = v.integer;
        }
        if v.obj != 0.0 || cols[k].is_empty() {
            let _ = writeln!(s, "    {} obj {}", v.name, num(v.obj));
        }
        for &(ri, c) in &cols[k] {
            let _ = writeln!(s, "    {} {} {}", v.name, m.rows[ri].name, num(c));
        }
    }
    if in_int {
        s.push_str("    MARKER 'MARKER' 'INTEND'\n");
    }
    s.push_str("RHS\n");
    for r in &m.rows {
        if r.rhs != 0.0 {
            let _ = writeln!(s, "    rhs {} {}", r.name, num(r.rhs));
        }
    }
    s.push_str("BOUNDS\n");
    for v in &m.vars {
        if v.lb == v.ub {
            let _ = writeln!(s, " FX bnd {} {}", v.name, num(v.lb));
        } else {
            let _ = writeln!(s, " LO bnd {} {}", v.name, num(v.lb));
            let _ = writeln!(s, " UP bnd {} {}", v.name, num(v.ub));
        }
    }
    s.push_str("ENDATA\n");
    Ok(s)
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
