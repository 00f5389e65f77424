//! # hubplan
//!
//! The core of hubplan: which public buildings to keep, close or open so that
//! every family can still reach a service within a travel-time limit, for
//! less money. It takes values in memory and does no I/O (formats live in
//! `hubplan-io`; the binary is `hubplan-cli`).
//!
//! # Catalogue
//!
//! | module | what |
//! |---|---|
//! | [`ids`] | dense typed indices ([`SiteIdx`], [`ZoneIdx`], [`ServiceIdx`]) |
//! | [`geo`] | WGS84 positions, haversine, BNG conversion, the one local projection |
//! | [`model`] | sites, zones, services, [`Inputs`] |
//! | [`travel`] | sparse zone → site travel times |
//! | [`scenario`] | the rules and objective of one run |
//! | [`optimise`] | scenario → certified [`Plan`]; infeasibility diagnosis |
//! | [`evaluate`] | the independent evaluator used to certify every plan |
//! | [`plan`] | decisions, access before/after, totals |
//! | [`notice`] | data-quality notices (code, severity, file, row, field, value) |
//! | [`study`] | the feasibility study: services, demand, need, access, priority areas, equality |
//! | [`explain`] | why each site is kept, closed or opened, and where its users go |
//! | [`whatif`] | comparing plans, sweeps over budgets or access limits, near-optimal alternatives |
//! | [`colocate`] | several services co-located in shared buildings, with family hubs |
//! | [`colocate_capacity`] | demand capacity per building and service in the co-location model: utilisation, reasons, warnings |
//! | [`fmt`] | the one formatter for money, counts, minutes and percentages |
//! | [`error`] | the core's [`Error`] |
//!
//! # Example
//!
//! ```
//! use hubplan::{geo::LonLat, model::*, travel::TravelTimes, Scenario, SiteIdx, ZoneIdx};
//! let site = |id: &str, cost: f64| Site {
//!     id: id.into(), name: String::new(), pos: LonLat::new(0.0, 51.0), district: String::new(),
//!     kind: String::new(), status: SiteStatus::Existing, annual_cost: cost, backlog: 0.0,
//!     open_cost: 0.0, capacity: None, services: vec![], can_host: vec![], disposal_receipt: 0.0,
//! };
//! let zone = |id: &str| Zone {
//!     id: id.into(), name: String::new(), pos: LonLat::new(0.0, 51.0), district: String::new(),
//!     need: 10.0, population: 10.0, imd_decile: None, attributes: Default::default(),
//!     outline: None,
//! };
//! // Zone Z1 reaches A in 20 min and B in 30; Z2 reaches only B in 25.
//! let travel = TravelTimes::from_triples(2, 2, vec![
//!     (ZoneIdx(0), SiteIdx(0), 20.0), (ZoneIdx(0), SiteIdx(1), 30.0), (ZoneIdx(1), SiteIdx(1), 25.0),
//! ]).unwrap();
//! let inputs = Inputs { sites: vec![site("A", 100.0), site("B", 150.0)],
//!                       zones: vec![zone("Z1"), zone("Z2")], services: vec![], travel };
//! let plan = hubplan::plan(&inputs, &Scenario::min_cost()).unwrap();
//! assert_eq!(plan.status, hubplan::PlanStatus::Optimal);
//! assert_eq!(plan.objective, 150.0); // B alone covers both zones within 35 minutes
//! ```
#![deny(missing_docs)]
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod capacity;
pub mod colocate;
pub mod colocate_capacity;
pub mod error;
pub mod evaluate;
pub mod explain;
pub mod fmt;
pub mod geo;
pub mod ids;
pub mod model;
pub mod notice;
pub mod optimise;
pub mod plan;
pub mod scenario;
pub mod study;
pub mod travel;
pub mod whatif;

pub use error::{Error, Result, SolverError};
pub use ids::{ServiceIdx, SiteIdx, ZoneIdx};
pub use model::Inputs;
pub use optimise::plan;
pub use plan::{Decision, Plan, PlanStatus};
pub use scenario::{ObjectiveKind, Scenario};
