//! Test-only helpers: fixture access, an independent evaluator, a brute-force
//! enumerator and the one `check` helper every reference test goes through.
#![allow(dead_code)]

use hubplan_solver::{solve, Fixing, Instance, Outcome, SolveOptions, Status};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Path of a file under `fixtures/reference/`.
pub fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/reference")
        .join(rel)
}

/// Text of a file under `fixtures/reference/`.
pub fn fixture(rel: &str) -> String {
    let p = fixture_path(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Independent evaluator (written separately from the crate's): `None` when a
/// hard constraint is violated, else the objective recomputed from scratch.
/// Uncapacitated instances only.
pub fn independent(inst: &Instance, open: &[bool]) -> Option<f64> {
    assert!(
        inst.capacity.iter().all(|c| c.is_none()),
        "independent evaluator is uncapacitated"
    );
    if open.len() != inst.fixed_cost.len() {
        return None;
    }
    let n_open = open.iter().filter(|o| **o).count() as u32;
    if let Some(c) = inst.cardinality {
        if n_open < c.min || n_open > c.max {
            return None;
        }
    }
    let mut spend = 0.0;
    let mut total = 0.0;
    for (j, &o) in open.iter().enumerate() {
        if (inst.fixing[j] == Fixing::Open && !o) || (inst.fixing[j] == Fixing::Closed && o) {
            return None;
        }
        if o {
            spend += inst.budget_cost[j];
            total += inst.fixed_cost[j];
        }
    }
    if let Some(b) = inst.budget {
        if spend > b + 1e-9 * b.abs().max(1.0) {
            return None;
        }
    }
    for i in 0..inst.n_clients() {
        let served = inst
            .arcs_of(i)
            .iter()
            .filter(|a| open[a.site as usize])
            .map(|a| a.cost)
            .fold(f64::INFINITY, f64::min);
        let cost = match inst.unserved_cost[i] {
            Some(u) => served.min(u),
            None => served,
        };
        if !cost.is_finite() {
            return None;
        }
        total += cost;
    }
    Some(total)
}

/// Brute force over all 2^n open sets: the optimum, or `None` when infeasible.
pub fn brute(inst: &Instance) -> Option<f64> {
    let n = inst.n_sites();
    assert!(n <= 16);
    let mut best: Option<f64> = None;
    for mask in 0u32..(1u32 << n) {
        let open: Vec<bool> = (0..n).map(|j| mask >> j & 1 == 1).collect();
        if let Some(z) = independent(inst, &open) {
            if best.is_none_or(|b| z < b) {
                best = Some(z);
            }
        }
    }
    best
}

/// Options used by the reference tests.
pub fn opts(secs: u64) -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_secs(secs),
        rel_gap: 1e-9,
        abs_gap: 1e-6,
    }
}

/// The one reference check: solve, require `Optimal` at `expected` (relative
/// tolerance `rel`), a bound that does not exceed it, and an independent
/// re-evaluation of the returned sites giving the same objective.
pub fn check(name: &str, inst: &Instance, expected: f64, rel: f64) -> Outcome {
    let t = Instant::now();
    let out = solve(inst, &opts(600)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "REF {name}: status {:?} objective {} bound {} expected {expected} nodes {} time {secs:.3}s",
        out.status, out.objective, out.bound, out.nodes
    );
    let tol = rel * expected.abs().max(1.0);
    assert_eq!(out.status, Status::Optimal, "{name}: not optimal ({out:?})");
    assert!(
        (out.objective - expected).abs() <= tol,
        "{name}: objective {} != {expected}",
        out.objective
    );
    assert!(
        out.bound <= expected + tol,
        "{name}: bound {} above the optimum {expected}",
        out.bound
    );
    if inst.capacity.iter().all(|c| c.is_none()) {
        let z = independent(inst, &out.open)
            .unwrap_or_else(|| panic!("{name}: returned solution violates a hard constraint"));
        assert!(
            (z - out.objective).abs() <= 1e-9 * z.abs().max(1.0),
            "{name}: evaluator {z} != {}",
            out.objective
        );
    }
    out
}

/// Reads `name value` pairs (first token name, last token number) from a text table.
pub fn table(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter_map(|l| {
            let toks: Vec<&str> = l
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|t| !t.is_empty())
                .collect();
            let v = toks.last()?.parse::<f64>().ok()?;
            Some((toks.first()?.to_string(), v))
        })
        .collect()
}
