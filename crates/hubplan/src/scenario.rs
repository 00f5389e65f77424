//! A resolved scenario: the rules and the objective, with ids already turned into indices.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ids::SiteIdx;

/// The default access limit in minutes (the DfE Family Hubs guidance figure Kent used).
pub const DEFAULT_MAX_MINUTES: f64 = 35.0;

/// The default threshold of the worse-off list: journeys that grow by at least this many minutes.
pub const DEFAULT_WORSE_OFF_MINUTES: f64 = 10.0;

/// What the access rule asks of a zone that is already beyond the limit today
/// (no site within `max_minutes`, but an existing site further away; `access.beyond_limit`).
///
/// Such a zone gets its own limit (see `docs/MODEL.md` §1.2): its baseline minutes
/// (`NoWorse`), its baseline minutes plus a tolerance (`Tolerance`), or none at all (`Ignore`).
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeyondLimit {
    /// Its journey may not get longer: its limit is its baseline minutes.
    #[default]
    NoWorse,
    /// Its limit is its baseline minutes plus this many minutes.
    Tolerance(f64),
    /// It is left out of the access rule (hubplan before this setting existed).
    Ignore,
}

impl BeyondLimit {
    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            BeyondLimit::NoWorse => "no_worse",
            BeyondLimit::Tolerance(_) => "tolerance",
            BeyondLimit::Ignore => "ignore",
        }
    }

    /// The limit of a zone whose nearest site today is `baseline` minutes away
    /// and beyond the access limit; `None` when the rule leaves it out.
    pub fn zone_limit(self, baseline: Option<f64>) -> Option<f64> {
        match self {
            BeyondLimit::NoWorse => baseline,
            BeyondLimit::Tolerance(t) => baseline.map(|b| b + t),
            BeyondLimit::Ignore => None,
        }
    }
}

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

/// How a zone's need may be shared between buildings under demand capacity
/// (`capacity.assignment`, docs/MODEL.md §1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// A zone's need may be shared between several buildings (the default).
    #[default]
    Split,
    /// A zone goes to one building.
    Single,
}

impl Assignment {
    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Assignment::Split => "split",
            Assignment::Single => "single",
        }
    }
}

/// Demand capacity (issue 21): how many users each building can serve, in the
/// unit of the zones' need, and how a zone's need may be shared.
///
/// Present on a [`Scenario`] when the sites file has a `max_users` or
/// `users_today` column (or the scenario a `[capacity]` table). Vectors have
/// one entry per site, in [`crate::SiteIdx`] order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DemandCapacity {
    /// The most users each building can serve; `None` = unlimited.
    pub max_users: Vec<Option<f64>>,
    /// Each building's use today, for utilisation before and after; `None` = unknown.
    pub users_today: Vec<Option<f64>>,
    /// Split or single assignment.
    pub assignment: Assignment,
}

impl DemandCapacity {
    /// True when some building has a finite `max_users` (otherwise the rule is void).
    pub fn binds(&self) -> bool {
        self.max_users.iter().any(Option::is_some)
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
    /// The rule for zones beyond the limit today (`access.beyond_limit`).
    pub beyond_limit: BeyondLimit,
    /// Journeys that grow by at least this many minutes are listed as worse off (`report.worse_off_minutes`).
    pub worse_off_minutes: f64,
    /// Demand capacity (`max_users`, `users_today`, `[capacity]`); `None` when the
    /// inputs give none (docs/MODEL.md §1.3).
    pub capacity: Option<DemandCapacity>,
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
            beyond_limit: BeyondLimit::default(),
            worse_off_minutes: DEFAULT_WORSE_OFF_MINUTES,
            capacity: None,
        }
    }
}
