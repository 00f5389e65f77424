//! The co-location MIP as CPLEX LP or free MPS text, so that an auditor can
//! re-solve it in any solver (HiGHS, SCIP, CBC, Gurobi, CPLEX).

use std::fmt::Write as _;

use super::instance::{ServiceError, ServiceInstance, ServiceObjective};
use super::model::{build, LinExpr, LinModel, RowSense};

fn num(x: f64) -> String {
    if x == f64::INFINITY {
        "1e+30".into()
    } else if x == f64::NEG_INFINITY {
        "-1e+30".into()
    } else {
        format!("{x}")
    }
}

fn lp_terms(out: &mut String, e: &LinExpr, m: &LinModel) {
    let mut k = 0;
    for &(v, c) in &e.terms {
        if c == 0.0 {
            continue;
        }
        let sign = if c < 0.0 { "-" } else { "+" };
        let _ = write!(out, " {sign} {} {}", num(c.abs()), m.vars[v].name);
        k += 1;
        if k % 8 == 0 {
            out.push_str("\n ");
        }
    }
    if k == 0 {
        let _ = write!(out, " 0 {}", m.vars.first().map_or("y_0", |v| v.name.as_str()));
    }
}

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

/// CPLEX LP text of a linear model (minimisation; the objective constant is a comment).
pub fn lp_text(m: &LinModel) -> String {
    let mut s = String::from("\\ hubplan co-location model (minimisation)\n");
    let _ = writeln!(
        s,
        "\\ objective constant (add to the optimum): {}",
        num(m.objective.constant)
    );
    s.push_str("Minimize\n obj:");
    lp_terms(&mut s, &m.objective, m);
    s.push_str("\nSubject To\n");
    for r in m.rows.iter().filter(|r| !r.expr.terms.is_empty()) {
        let _ = write!(s, " {}:", r.name);
        lp_terms(&mut s, &r.expr, m);
        let op = match r.sense {
            RowSense::Le => "<=",
            RowSense::Ge => ">=",
            RowSense::Eq => "=",
        };
        let _ = writeln!(s, " {op} {}", num(r.rhs));
    }
    s.push_str("Bounds\n");
    for v in &m.vars {
        let _ = writeln!(s, " {} <= {} <= {}", num(v.lo), v.name, num(v.hi));
    }
    s.push_str("General\n");
    for v in m.vars.iter().filter(|v| v.integer) {
        let _ = writeln!(s, " {}", v.name);
    }
    s.push_str("End\n");
    s
}

/// Free-format MPS text of a linear model (minimisation; the objective constant is
/// written as the RHS of the objective row, negated, as HiGHS and CPLEX read it).
pub fn mps_text(m: &LinModel) -> String {
    let rows: Vec<_> = m.rows.iter().filter(|r| !r.expr.terms.is_empty()).collect();
    let mut s = String::from("NAME hubplan_services\nOBJSENSE\n    MIN\nROWS\n N obj\n");
    for r in &rows {
        let t = match r.sense {
            RowSense::Le => "L",
            RowSense::Ge => "G",
            RowSense::Eq => "E",
        };
        let _ = writeln!(s, " {t} {}", r.name);
    }
    let mut cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); m.vars.len()];
    for (ri, r) in rows.iter().enumerate() {
        for &(v, c) in &r.expr.terms {
            if c != 0.0 {
                cols[v].push((ri, c));
            }
        }
    }
    let mut obj = vec![0.0; m.vars.len()];
    for &(v, c) in &m.objective.terms {
        obj[v] += c;
    }
    s.push_str("COLUMNS\n");
    let mut in_int = false;
    for (k, v) in m.vars.iter().enumerate() {
        if v.integer != in_int {
            let tag = if v.integer { "'INTORG'" } else { "'INTEND'" };
            let _ = writeln!(s, "    MARKER 'MARKER' {tag}");
            in_int = v.integer;
        }
        if obj[k] != 0.0 || cols[k].is_empty() {
            let _ = writeln!(s, "    {} obj {}", v.name, num(obj[k]));
        }
        for &(ri, c) in &cols[k] {
            let _ = writeln!(s, "    {} {} {}", v.name, rows[ri].name, num(c));
        }
    }
    if in_int {
        s.push_str("    MARKER 'MARKER' 'INTEND'\n");
    }
    s.push_str("RHS\n");
    if m.objective.constant != 0.0 {
        let _ = writeln!(s, "    rhs obj {}", num(-m.objective.constant));
    }
    for r in &rows {
        if r.rhs != 0.0 {
            let _ = writeln!(s, "    rhs {} {}", r.name, num(r.rhs));
        }
    }
    s.push_str("BOUNDS\n");
    for v in &m.vars {
        if v.lo == v.hi {
            let _ = writeln!(s, " FX bnd {} {}", v.name, num(v.lo));
        } else {
            let _ = writeln!(s, " LO bnd {} {}", v.name, num(v.lo));
            let _ = writeln!(s, " UP bnd {} {}", v.name, num(v.hi));
        }
    }
    s.push_str("ENDATA\n");
    s
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
