//! Multi-service co-location: which sites stay open and which services each
//! hosts, so that every (zone, service) pair with need is within that
//! service's travel-time limit of a site hosting it.
//!
//! The model (full formulation in `docs/MODEL.md` §2):
//!
//! - `y_j ∈ {0,1}` site open, `h_js ∈ {0,1}` site hosts service (only where it
//!   may), `g_j ∈ {0,1}` site is a family hub (hosts every hub service);
//! - `h_js ≤ y_j`; capacity `Σ_s space_js h_js ≤ cap_j y_j`;
//! - covering `Σ_{j ∈ N_i} h_{j s(i)} ≥ 1` for required clients (Toregas et
//!   al. 1971), `≥ c_i` for optional ones under `MaxCoverage` (Church &
//!   ReVelle 1974); assignment `x_ij` under `MinTravel` (p-median);
//! - demand capacity (`max_users` per site and service): the clients of a
//!   capacitated service are assigned, `Σ_i need_i x_ij ≤ max_users_js h_js`;
//! - annual budget / savings target, capital budget, site count, hubs per district;
//! - objectives `MinCost`, `MaxCoverage`, `MinTravel`, or a lexicographic pair.
//!
//! | item | what |
//! |---|---|
//! | [`ServiceInstance`] | the data, its validation, and an evaluator of a [`Decision`] |
//! | [`solve_services`] | exact solve through good_lp (microlp, or HiGHS with feature `highs`) |
//! | [`write_lp`], [`write_mps`] | the model as CPLEX LP / free MPS text, for auditors |
//! | [`model`] | the neutral linear model, built by small functions |
//! | [`capcut`] | demand capacity under `MinCost`: the uncapacitated MIP plus lazy Hall (max-flow–min-cut) cuts |
//! | `ipmlp` | the master's LP by an interior-point method (Clarabel) with a bound certified from its duals, for national-size masters (crate-private) |
//! | `parts` | the `MinCost` capacity stage part by part when the coverage graph splits (crate-private) |
//! | [`synthetic`] | seeded capacitated co-location instances (three services, space limits, demand capacities; issue 13) |
//! | [`assign`] | demand capacity: the assignment of capacitated services' clients (min-cost flow), its values and check |
//! | `testutil` | tests only: seeded random instances and the assignment MIP the `MinCost` capacity stages are checked against |
//!
//! # Example
//! ```
//! use hubplan_solver::services::*;
//! use hubplan_solver::{Fixing, SolveOptions, Status};
//! // Two services, two sites; site 0 hosts only service 0, site 1 may host both.
//! let host = |service, conversion_cost| HostOption { service, conversion_cost, space: 1.0, fixing: Fixing::Free, max_users: None };
//! let mut inst = ServiceInstance::new(2);
//! inst.sites = vec![
//!     ServiceSite { annual_cost: 10.0, open_cost: 0.0, capacity: None, hosts: vec![host(0, 0.0)], fixing: Fixing::Free },
//!     ServiceSite { annual_cost: 12.0, open_cost: 0.0, capacity: None, hosts: vec![host(0, 5.0), host(1, 0.0)], fixing: Fixing::Free },
//! ];
//! let arcs = |sites: &[u32]| sites.iter().map(|&site| ServiceArc { site, minutes: 10.0 }).collect();
//! inst.clients = vec![
//!     ServiceClient { service: 0, need: 1.0, arcs: arcs(&[0, 1]), coverage: Coverage::Required },
//!     ServiceClient { service: 1, need: 1.0, arcs: arcs(&[1]), coverage: Coverage::Required },
//! ];
//! let out = solve_services(&inst, &SolveOptions::default(), ServiceBackend::Microlp).unwrap();
//! assert_eq!(out.status, Status::Optimal);
//! assert_eq!(out.objective, 17.0); // site 1 alone, converting it to service 0 (12 + 5 < 10 + 12)
//! ```
pub mod assign;
mod capbc;
pub mod capcut;
pub mod export;
pub mod instance;
mod ipmlp;
pub mod model;
mod parts;
mod placement;
pub mod solve;
pub mod synthetic;
#[cfg(test)]
mod testutil;

pub use assign::{assign_split, assignment_violations, evaluate_assigned, ServiceFlows};
pub use export::{write_lp, write_mps};
pub use instance::{
    Coverage, Decision, DistrictRule, HostOption, SavingsTarget, ServiceArc, ServiceClient, ServiceError,
    ServiceInstance, ServiceObjective, ServiceSite, Values, DEFAULT_LEX_TOLERANCE,
};
pub use solve::{highs_available, solve_services, ServiceBackend, ServiceOutcome, StageReport};
