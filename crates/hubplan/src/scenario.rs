//! A resolved scenario: the rules and the objective, with ids already turned into indices.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ids::SiteIdx;

/// The default access limit in minutes (the DfE Family Hubs guidance figure Kent used).
pub const DEFAULT_MAX_MINUTES: f64 = 35.0;

/// What to optimise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveKind {
    /// Minimise running cost (+ opening cost of candidates) so that every coverable zone is covered.
    MinCost,
    /// Maximise the need covered within the limit, under a budget and/or a site count.
    MaxCoverage,
    /// Minimise Σ need × minutes to the nearest open site (p-median), under a site count and/or budget.
    MinTravel,
}

impl ObjectiveKind {
    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            ObjectiveKind::MinCost => "min_cost",
            ObjectiveKind::MaxCoverage => "max_coverage",
            ObjectiveKind::MinTravel => "min_travel",
        }
    }
}

/// Which solver runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// hubplan's own exact Lagrangian branch-and-bound (pure Rust, parallel).
    #[default]
    Exact,
    /// good_lp with the pure-Rust microlp MIP solver.
    Microlp,
    /// good_lp with HiGHS (needs the `highs` cargo feature).
    Highs,
}

impl Backend {
    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Exact => "exact",
            Backend::Microlp => "microlp",
            Backend::Highs => "highs",
        }
    }
}

/// Solver settings.
#[derive(Clone, Debug, PartialEq)]
pub struct SolverConfig {
    /// Wall-clock limit for one solve.
    pub time_limit: Duration,
    /// Relative optimality gap at which a solution counts as optimal.
    pub gap: f64,
    /// Which solver.
    pub backend: Backend,
}

impl Default for SolverConfig {
    fn default() -> Self {
        SolverConfig {
            time_limit: Duration::from_secs(60),
            gap: 1e-6,
            backend: Backend::Exact,
        }
    }
}

/// A scenario with every id resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The access limit in minutes (inclusive). `None` only for `min_travel` without a rule.
    pub max_minutes: Option<f64>,
    /// What to optimise.
    pub objective: ObjectiveKind,
    /// Maximum total `annual_cost` of open sites.
    pub budget: Option<f64>,
    /// Exact number of open sites.
    pub sites: Option<u32>,
    /// Sites forced open.
    pub keep: Vec<SiteIdx>,
    /// Sites forced closed.
    pub close: Vec<SiteIdx>,
    /// Solver settings.
    pub solver: SolverConfig,
}

impl Scenario {
    /// A `min_cost` scenario at the default limit, with no other rule.
    pub fn min_cost() -> Self {
        Scenario {
            max_minutes: Some(DEFAULT_MAX_MINUTES),
            objective: ObjectiveKind::MinCost,
            budget: None,
            sites: None,
            keep: Vec::new(),
            close: Vec::new(),
            solver: SolverConfig::default(),
        }
    }
}
