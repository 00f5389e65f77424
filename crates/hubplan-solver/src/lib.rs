//! Exact solvers for the facility-location problems behind hubplan.
//!
//! The crate knows nothing about buildings, zones or files: it takes an
//! [`Instance`] — sites with fixed costs, clients with weighted arcs to the
//! sites that may serve them, and side constraints — and returns an
//! [`Outcome`] with a proven bound.
//!
//! # Catalogue
//!
//! | item | what |
//! |---|---|
//! | [`solve`] | the exact solver (default back end; picks the LP or the Lagrangian branch-and-bound by shape; rayon-parallel, deterministic) |
//! | [`mip::solve_mip`] | the same instance as a MIP through good_lp (`microlp`, or HiGHS with feature `highs`) |
//! | [`mip::write_lp`], [`mip::write_mps`] | the MIP as CPLEX LP / free MPS text, for auditors |
//! | [`capacity`] | demand capacity (`Σ d_i x_ij ≤ Q_j y_j`): split (Hall-cut branch-and-cut without assignment costs, native Lagrangian branch-and-bound otherwise) or single assignment (MIP), min-cost-flow transportation ([`capacity::transport`]) |
//! | [`hall`] | Hall (neighbourhood-capacity) inequalities separated by max-flow/min-cut: does the need of every zone set fit in the capacity it reaches? |
//! | [`eval`] | objective and side-constraint check of a given set of open sites |
//! | [`instance`] | the problem data and its validation |
//! | [`outcome`] | status, solution, bound and gap |
//! | [`services`] | multi-service co-location (family hubs): instance, exact good_lp solve, LP/MPS export |
//! | [`solve_with`], [`choose`] | `solve` with a forced search; the rule `solve` uses to pick one |
//! | [`site_count_bound`] | a quick lower bound on the sites that serve every must-serve client (covering Lagrangian): proves a site count too small |
//! | [`solve_with_state`], [`solve_warm`], [`WarmState`] | a solve that keeps what its search learnt, and the what-if re-plan (sites newly forced open or closed) that restarts from it |
//!
//! `orlib` (reference-format parsers) and `synthetic` (seeded benchmark and
//! peer-suite instances) are test and benchmark support: public for the tests,
//! examples and `benches/`, hidden from the docs, not part of the API.
//!
//! The three hubplan objectives map onto one form (see `docs/MODEL.md` and
//! `docs/SOLVER.md`):
//! minimise `Σ fixed_j y_j + Σ_i Σ_j cost_ij x_ij + Σ_i unserved_i u_i`
//! subject to every client being served by exactly one open site on one of
//! its arcs (or left unserved at its `unserved_cost`, when it has one).
#![deny(missing_docs)]
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// Index loops read better in the numeric kernels.
#![allow(clippy::needless_range_loop)]

mod benders;
mod bnb;
pub mod capacity;
mod capcover;
mod capflow;
mod caplag;
mod capls;
pub(crate) mod countbound;
pub mod eval;
pub mod hall;
mod heuristic;
pub mod instance;
pub(crate) mod ipm;
mod lagrange;
mod lpbb;
mod lpbranch;
mod lpmps;
pub(crate) mod minknap;
pub mod mip;
mod oddcycle;
mod parts;
// Test and benchmark support, not part of the public API (hidden from the docs).
#[doc(hidden)]
pub mod orlib;
pub mod outcome;
mod prep;
mod radius;
mod rwls;
pub mod services;
mod solve;
mod split;
mod subproblem;
#[doc(hidden)]
pub mod synthetic;
mod tree;
mod warm;

pub use countbound::site_count_bound;
pub use instance::{Arc, Cardinality, Fixing, Instance, InstanceError};
pub use outcome::{Outcome, SolveOptions, Status, WarmStart};
pub use solve::{choose, solve, solve_warm, solve_with, solve_with_state, Search, Shape};
pub use warm::WarmState;
