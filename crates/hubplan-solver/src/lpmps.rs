//! The one LP / MPS writer (crate-private): a neutral [`Model`] as CPLEX LP or
//! free-format MPS text, for an auditor to re-solve in any solver (HiGHS, SCIP,
//! CBC, Gurobi, CPLEX). Both models print through it: the single-service
//! instance ([`crate::mip::write_lp`], [`crate::mip::write_mps`]) and the
//! co-location model ([`crate::services::write_lp`], [`crate::services::write_mps`]).
//!
//! Conventions: minimisation; rows keep their names and order, an empty row is
//! written too (as `0 x ≥ rhs` in LP, a row without entries in MPS) so that a
//! trivially infeasible row is not lost; infinite bounds are `±1e+30`; the
//! objective constant is a comment in LP and the negated right-hand side of the
//! objective row in MPS (as HiGHS and CPLEX read it).

use crate::mip::{Model, Sense};
use std::fmt::Write as _;

/// A number as LP/MPS text: integers without a fraction, infinities as `±1e+30`,
/// very small or large values in exponent form; every form reads back exactly.
fn num(x: f64) -> String {
    if x.is_infinite() {
        if x > 0.0 { "1e+30" } else { "-1e+30" }.into()
    } else if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x.abs() < 1e-4 || x.abs() >= 1e15 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// ` + c name − c name …`, eight terms a line; ` 0 first_var` when empty.
fn lp_terms(out: &mut String, terms: &[(usize, f64)], m: &Model) {
    let mut k = 0;
    for &(v, c) in terms {
        if c == 0.0 {
            continue;
        }
        let sign = if c < 0.0 { "-" } else { "+" };
        let _ = write!(out, " {sign} {} {}", num(c.abs()), m.vars[v].name);
        k += 1;
        if k % 8 == 0 {
            out.push_str("\n  ");
        }
    }
    if k == 0 {
        let _ = write!(out, " 0 {}", m.vars.first().map_or("y0", |v| v.name.as_str()));
    }
}

/// CPLEX LP text of `m`; `title` goes into the first comment line.
pub(crate) fn lp_text(m: &Model, title: &str) -> String {
    let mut s = format!("\\ {title} (minimisation)\n");
    if m.constant != 0.0 {
        let _ = writeln!(s, "\\ objective constant (add to the optimum): {}", num(m.constant));
    }
    s.push_str("Minimize\n obj:");
    let obj: Vec<(usize, f64)> = m.vars.iter().enumerate().map(|(k, v)| (k, v.obj)).collect();
    lp_terms(&mut s, &obj, m);
    s.push_str("\nSubject To\n");
    for r in &m.rows {
        let _ = write!(s, " {}:", r.name);
        lp_terms(&mut s, &r.coefs, m);
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
    s
}

/// Free-format MPS text of `m` under the problem name `name` (names contain no
/// spaces, so every reader of free MPS takes it: HiGHS, CPLEX, Gurobi, SCIP).
pub(crate) fn mps_text(m: &Model, name: &str) -> String {
    let mut s = format!("NAME {name}\nOBJSENSE\n    MIN\nROWS\n N obj\n");
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
    if m.constant != 0.0 {
        let _ = writeln!(s, "    rhs obj {}", num(-m.constant));
    }
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
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mip::{Row, Var};

    #[test]
    fn numbers_read_back_exactly() {
        for x in [0.0, 1.0, -3.0, 0.5, 1040444.375, 1e-7, 2.5e17, 1.0 / 3.0] {
            assert_eq!(num(x).parse::<f64>().unwrap(), x, "{x}");
        }
        assert_eq!(num(f64::INFINITY), "1e+30");
        assert_eq!(num(f64::NEG_INFINITY), "-1e+30");
    }

    #[test]
    fn a_constant_and_an_empty_row_are_kept() {
        let m = Model {
            vars: vec![Var {
                name: "y0".into(),
                lb: 0.0,
                ub: 1.0,
                integer: true,
                obj: 2.0,
            }],
            rows: vec![Row {
                name: "never".into(),
                coefs: Vec::new(),
                sense: Sense::Ge,
                rhs: 1.0,
            }],
            constant: 5.0,
            n_sites: 1,
        };
        let lp = lp_text(&m, "t");
        assert!(lp.contains("\\ objective constant (add to the optimum): 5"), "{lp}");
        assert!(lp.contains(" never: 0 y0 >= 1"), "{lp}");
        let mps = mps_text(&m, "t");
        assert!(mps.contains(" G never\n") && mps.contains("    rhs obj -5\n") && mps.contains("    rhs never 1\n"));
    }
}
