//! The vendored microlp's `Solution::add_constraints` (vendor/microlp: several
//! rows added with one re-solve, which the LP searches use for their cut and
//! row-generation rounds) against adding the same rows one by one with the
//! upstream `add_constraint`, on seeded random covering LPs with cut-like
//! rows: same status, same optimum, and a point that satisfies every row.

use hubplan_solver::synthetic::SplitMix64;
use microlp::{ComparisonOp, Error, LinearExpr, OptimizationDirection, Problem, Solution, Variable};

/// A random covering LP: `n` columns in [0, 1] with costs 1–9, `m` rows
/// `Σ x ≥ 1` over 2–5 columns; and `k` extra rows of either sense over 2–6
/// columns with coefficients 1–2 (`≥` rows with right-hand sides 1–3 like
/// the odd-cycle cuts, `≤` rows that can make the LP infeasible).
/// An extra row: its (column, coefficient) pairs, sense and right-hand side.
type Row = (Vec<(usize, f64)>, ComparisonOp, f64);

struct Case {
    n: usize,
    cost: Vec<f64>,
    rows: Vec<Vec<usize>>,
    extra: Vec<Row>,
}

fn case(seed: u64) -> Case {
    let mut r = SplitMix64(seed);
    let n = 6 + (r.next_u64() % 20) as usize;
    let m = 5 + (r.next_u64() % 30) as usize;
    let k = 1 + (r.next_u64() % 12) as usize;
    let cost = (0..n).map(|_| 1.0 + (r.next_u64() % 9) as f64).collect();
    let pick = |r: &mut SplitMix64, d: usize| {
        let mut c: Vec<usize> = (0..d).map(|_| (r.next_u64() % n as u64) as usize).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let rows = (0..m)
        .map(|_| {
            let d = 2 + (r.next_u64() % 4) as usize;
            pick(&mut r, d)
        })
        .collect();
    let extra = (0..k)
        .map(|_| {
            let d = 2 + (r.next_u64() % 5) as usize;
            let cols: Vec<(usize, f64)> = pick(&mut r, d)
                .into_iter()
                .map(|j| (j, 1.0 + (r.next_u64() % 2) as f64))
                .collect();
            if r.next_u64() % 4 == 0 {
                (cols, ComparisonOp::Le, (r.next_u64() % 2) as f64)
            } else {
                (cols, ComparisonOp::Ge, 1.0 + (r.next_u64() % 3) as f64)
            }
        })
        .collect();
    Case { n, cost, rows, extra }
}

fn base(c: &Case) -> (Vec<Variable>, Solution) {
    let mut pr = Problem::new(OptimizationDirection::Minimize);
    let x: Vec<Variable> = c.cost.iter().map(|&f| pr.add_var(f, (0.0, 1.0))).collect();
    for row in &c.rows {
        let mut e = LinearExpr::empty();
        for &j in row {
            e.add(x[j], 1.0);
        }
        pr.add_constraint(e, ComparisonOp::Ge, 1.0);
    }
    (
        x,
        pr.solve()
            .expect("a covering LP with [0, 1] columns is feasible")
            .into_solution()
            .expect("solved"),
    )
}

fn expr(x: &[Variable], cols: &[(usize, f64)]) -> LinearExpr {
    let mut e = LinearExpr::empty();
    for &(j, a) in cols {
        e.add(x[j], a);
    }
    e
}

/// `Some(objective, point)` or `None` when infeasible.
fn sequential(c: &Case) -> Option<(f64, Vec<f64>)> {
    let (x, mut sol) = base(c);
    for (cols, op, rhs) in &c.extra {
        sol = match sol.add_constraint(expr(&x, cols), *op, *rhs) {
            Ok(o) => o.into_solution().expect("solved"),
            Err(Error::Infeasible) => return None,
            Err(e) => panic!("{e}"),
        };
    }
    Some((sol.objective(), x.iter().map(|&v| sol.var_value_raw(v)).collect()))
}

fn batch(c: &Case) -> Option<(f64, Vec<f64>)> {
    let (x, sol) = base(c);
    let rows = c.extra.iter().map(|(cols, op, rhs)| (expr(&x, cols), *op, *rhs));
    match sol.add_constraints(rows) {
        Ok(o) => {
            let sol = o.into_solution().expect("solved");
            Some((sol.objective(), x.iter().map(|&v| sol.var_value_raw(v)).collect()))
        }
        Err(Error::Infeasible) => None,
        Err(e) => panic!("{e}"),
    }
}

fn satisfies(c: &Case, xs: &[f64]) -> bool {
    let tol = 1e-7;
    xs.iter().all(|&v| (-tol..=1.0 + tol).contains(&v))
        && c.rows
            .iter()
            .all(|r| r.iter().map(|&j| xs[j]).sum::<f64>() >= 1.0 - tol)
        && c.extra.iter().all(|(cols, op, rhs)| {
            let lhs: f64 = cols.iter().map(|&(j, a)| a * xs[j]).sum();
            match op {
                ComparisonOp::Ge => lhs >= rhs - tol,
                ComparisonOp::Le => lhs <= rhs + tol,
                ComparisonOp::Eq => (lhs - rhs).abs() <= tol,
            }
        })
}

#[test]
fn adding_rows_together_gives_the_lp_of_adding_them_one_by_one() {
    let (mut feasible, mut infeasible) = (0, 0);
    for seed in 0..400 {
        let c = case(seed);
        let (a, b) = (sequential(&c), batch(&c));
        match (&a, &b) {
            (Some((za, xa)), Some((zb, xb))) => {
                feasible += 1;
                assert!(
                    (za - zb).abs() <= 1e-7 * (1.0 + za.abs()),
                    "seed {seed}: one by one {za}, together {zb}"
                );
                assert!(satisfies(&c, xa), "seed {seed}: one-by-one point breaks a row");
                assert!(satisfies(&c, xb), "seed {seed}: batch point breaks a row");
                assert_eq!(xb.len(), c.n);
            }
            (None, None) => infeasible += 1,
            _ => panic!("seed {seed}: one by one {a:?}, together {b:?}"),
        }
    }
    // Both outcomes occur, so both branches are checked.
    assert!(
        feasible > 100 && infeasible > 10,
        "{feasible} feasible, {infeasible} infeasible"
    );
}

#[test]
fn an_empty_batch_keeps_the_solution() {
    let c = case(3);
    let (x, sol) = base(&c);
    let z = sol.objective();
    let again = sol
        .add_constraints(std::iter::empty::<(LinearExpr, ComparisonOp, f64)>())
        .expect("no rows")
        .into_solution()
        .expect("solved");
    assert_eq!(again.objective(), z);
    assert_eq!(x.len(), c.n);
}
