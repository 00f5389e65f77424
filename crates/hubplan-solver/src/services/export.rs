//! The co-location MIP as CPLEX LP or free MPS text, so that an auditor can
//! re-solve it in any solver (HiGHS, SCIP, CBC, Gurobi, CPLEX), written by the
//! crate's one LP/MPS writer (the same as [`crate::mip::write_lp`]).

use super::instance::{ServiceError, ServiceInstance, ServiceObjective};
use super::model::{build, LinModel, RowSense};
use crate::mip::{Model, Row, Sense, Var};

/// The stage model of `inst` for `stage`, with the first stage capped when given.
///
/// # Errors
/// [`ServiceError`] when the instance is malformed.
pub fn stage_model(
    inst: &ServiceInstance,
    stage: ServiceObjective,
    keep_first: Option<(ServiceObjective, f64)>,
) -> Result<LinModel, ServiceError> {
    inst.validate()?;
    Ok(build(inst, stage, keep_first))
}

/// The co-location model in the writer's neutral form: the objective's
/// coefficients on the variables, its constant kept.
fn neutral(m: &LinModel) -> Model {
    let mut obj = vec![0.0; m.vars.len()];
    for &(v, c) in &m.objective.terms {
        obj[v] += c;
    }
    Model {
        vars: m
            .vars
            .iter()
            .zip(obj)
            .map(|(v, obj)| Var {
                name: v.name.clone(),
                lb: v.lo,
                ub: v.hi,
                integer: v.integer,
                obj,
            })
            .collect(),
        rows: m
            .rows
            .iter()
            .map(|r| Row {
                name: r.name.clone(),
                coefs: r.expr.terms.clone(),
                sense: match r.sense {
                    RowSense::Le => Sense::Le,
                    RowSense::Ge => Sense::Ge,
                    RowSense::Eq => Sense::Eq,
                },
                rhs: r.rhs,
            })
            .collect(),
        constant: m.objective.constant,
        // The site variables are not the first ones here; the writer does not read this.
        n_sites: 0,
    }
}

/// CPLEX LP text of a linear model (minimisation; the objective constant is a comment).
pub fn lp_text(m: &LinModel) -> String {
    crate::lpmps::lp_text(&neutral(m), "hubplan co-location model")
}

/// Free-format MPS text of a linear model (minimisation; the objective constant is
/// written as the RHS of the objective row, negated, as HiGHS and CPLEX read it).
pub fn mps_text(m: &LinModel) -> String {
    crate::lpmps::mps_text(&neutral(m), "hubplan_services")
}

/// CPLEX LP text of the first-stage model of `inst` (its primary objective and every rule).
///
/// A lexicographic second stage is the same model with the row
/// `first ≤ v1 + lex_tolerance·|v1| + 1e-6` added; write it with
/// [`stage_model`] and [`lp_text`].
///
/// # Errors
/// [`ServiceError`] when the instance is malformed.
pub fn write_lp(inst: &ServiceInstance) -> Result<String, ServiceError> {
    Ok(lp_text(&stage_model(inst, inst.objective, None)?))
}

/// Free MPS text of the first-stage model of `inst` (see [`write_lp`]).
///
/// # Errors
/// [`ServiceError`] when the instance is malformed.
pub fn write_mps(inst: &ServiceInstance) -> Result<String, ServiceError> {
    Ok(mps_text(&stage_model(inst, inst.objective, None)?))
}
