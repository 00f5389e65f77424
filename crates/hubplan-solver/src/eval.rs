//! Evaluation of a given set of open sites: objective and hard-constraint check.
//!
//! Without capacities every client takes its cheapest open arc, or stays
//! unserved when that is cheaper (or no arc is open and it may stay unserved).
//! With capacities the assignment is the (splittable) transportation LP over the
//! open sites, solved with good_lp's microlp.

use crate::instance::{Fixing, Instance, InstanceError};
use good_lp::{constraint, variable, Expression, ProblemVariables, Solution, SolverModel};

/// Objective of `open` (minimisation), or `None` when some must-serve client
/// cannot be served (or, with capacities, the transportation LP is infeasible).
/// Side constraints (fixings, cardinality, budget) are *not* checked here; see
/// [`check`]. `open` must have one flag per site.
pub fn objective(inst: &Instance, open: &[bool]) -> Option<f64> {
    if open.len() != inst.n_sites() {
        return None;
    }
    let fixed: f64 = (0..inst.n_sites())
        .filter(|&j| open[j])
        .map(|j| inst.fixed_cost[j])
        .sum();
    if inst.capacity.iter().any(Option::is_some) {
        return transport(inst, open).map(|z| z + fixed);
    }
    let mut z = fixed;
    for i in 0..inst.n_clients() {
        let mut best = inst.unserved_cost[i].unwrap_or(f64::INFINITY);
        for a in inst.arcs_of(i) {
            if open[a.site as usize] && a.cost < best {
                best = a.cost;
            }
        }
        if !best.is_finite() {
            return None;
        }
        z += best;
    }
    Some(z)
}

/// Checks the side constraints of `open`: fixings, cardinality and budget
/// (with a relative tolerance of 1e-9). Returns the first violation.
///
/// # Errors
/// A message naming the violated constraint.
pub fn check(inst: &Instance, open: &[bool]) -> Result<(), String> {
    if open.len() != inst.n_sites() {
        return Err(format!("{} flags for {} sites", open.len(), inst.n_sites()));
    }
    for j in 0..inst.n_sites() {
        match (inst.fixing[j], open[j]) {
            (Fixing::Open, false) => return Err(format!("site {j} must be open")),
            (Fixing::Closed, true) => return Err(format!("site {j} must be closed")),
            _ => {}
        }
    }
    let cnt = open.iter().filter(|&&o| o).count() as u64;
    if let Some(c) = inst.cardinality {
        if cnt < u64::from(c.min) || cnt > u64::from(c.max) {
            return Err(format!("{cnt} open sites, outside {}..={}", c.min, c.max));
        }
    }
    if let Some(b) = inst.budget {
        let used: f64 = (0..inst.n_sites())
            .filter(|&j| open[j])
            .map(|j| inst.budget_cost[j])
            .sum();
        if used > b + 1e-9 * b.abs().max(1.0) {
            return Err(format!("budget {used} exceeds {b}"));
        }
    }
    Ok(())
}

/// Objective of `open` after validating the instance; `Ok(None)` when infeasible.
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
pub fn evaluate(inst: &Instance, open: &[bool]) -> Result<Option<f64>, InstanceError> {
    inst.validate()?;
    if check(inst, open).is_err() {
        return Ok(None);
    }
    Ok(objective(inst, open))
}

/// Assignment cost of the capacitated (splittable) transportation LP.
fn transport(inst: &Instance, open: &[bool]) -> Option<f64> {
    let mut pv = ProblemVariables::new();
    let mut obj = Expression::default();
    let mut rows = Vec::new();
    let mut load: Vec<Expression> = vec![Expression::default(); inst.n_sites()];
    for i in 0..inst.n_clients() {
        let mut sum = Expression::default();
        if let Some(u) = inst.unserved_cost[i] {
            let v = pv.add(variable().min(0.0).max(1.0));
            obj += u * v;
            sum += v;
        }
        let mut any = inst.unserved_cost[i].is_some();
        for a in inst.arcs_of(i) {
            let j = a.site as usize;
            if !open[j] {
                continue;
            }
            any = true;
            let v = pv.add(variable().min(0.0).max(1.0));
            obj += a.cost * v;
            sum += v;
            if inst.capacity[j].is_some() {
                load[j] += inst.demand[i] * v;
            }
        }
        if !any {
            return None;
        }
        rows.push(constraint!(sum == 1.0));
    }
    for (j, e) in load.into_iter().enumerate() {
        if let (true, Some(q)) = (open[j], inst.capacity[j]) {
            rows.push(constraint!(e <= q));
        }
    }
    let obj2 = obj.clone();
    let mut model = pv.minimise(obj).using(good_lp::microlp);
    for c in rows {
        model.add_constraint(c);
    }
    model.solve().ok().map(|s| s.eval(&obj2))
}
