//! What a solve returns, and the options it takes.

use std::time::Duration;

/// The honest status of a solve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// The solution is proven optimal within the requested gap.
    Optimal,
    /// A feasible solution, not proven optimal (time or node limit); see `bound` and `gap`.
    Feasible,
    /// Proven infeasible.
    Infeasible,
    /// The limit was reached before any feasible solution was found, and infeasibility was not proven.
    Unknown,
}

/// Options for one solve.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Wall-clock limit.
    pub time_limit: Duration,
    /// Relative gap at which a solution counts as optimal: `(obj - bound) / max(|obj|, 1e-9)`.
    pub rel_gap: f64,
    /// Absolute gap at which a solution counts as optimal.
    pub abs_gap: f64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: Duration::from_secs(60),
            rel_gap: 1e-6,
            abs_gap: 1e-6,
        }
    }
}

/// A plan to start a solve from ([`crate::solve_warm`]): typically the
/// previous plan's open sites when a what-if forces one building open or
/// closed. One flag per site of the instance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarmStart {
    /// Open sites of the starting plan.
    pub open: Vec<bool>,
    /// What the previous solve learnt ([`crate::solve_with_state`]): with it a
    /// what-if that forces free sites open or closed re-plans from the previous
    /// search's root LP and tree instead of from the plan alone. Empty by
    /// default. Refused with an error on an instance it was not made for.
    pub state: crate::WarmState,
}

/// The result of a solve. `objective` and `bound` are in the instance's minimisation sense.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// See [`Status`].
    pub status: Status,
    /// Open sites (one flag per site); empty when no solution was found.
    pub open: Vec<bool>,
    /// Objective of `open` (minimisation); `f64::INFINITY` without a solution.
    pub objective: f64,
    /// Proven lower bound on the optimum; `f64::INFINITY` when proven infeasible.
    pub bound: f64,
    /// Branch-and-bound nodes explored (0 for back ends that do not say).
    pub nodes: u64,
    /// Which back end produced this.
    pub solver: String,
    /// The search that ran (`"lp-bb"`, `"lagrangian-bb"`, `"mip:microlp"`, …):
    /// [`crate::solve`] picks it from the instance's shape.
    pub search: String,
    /// Why that search was chosen, in one sentence (empty for [`crate::mip::solve_mip`]).
    pub why: String,
}

impl Outcome {
    /// Relative gap `(objective - bound) / max(|objective|, 1e-9)`, 0 when optimal to tolerance, ∞ without a solution.
    pub fn gap(&self) -> f64 {
        if !self.objective.is_finite() {
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
