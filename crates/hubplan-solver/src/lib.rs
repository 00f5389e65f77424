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
//! | [`solve`] | the exact Lagrangian branch-and-bound (default back end; rayon-parallel, deterministic) |
//! | [`mip::solve_mip`] | the same instance as a MIP through good_lp (`microlp`, or HiGHS with feature `highs`) |
//! | [`mip::write_lp`], [`mip::write_mps`] | the MIP as CPLEX LP / free MPS text, for auditors |
//! | [`eval`] | objective and side-constraint check of a given set of open sites |
//! | [`instance`] | the problem data and its validation |
//! | [`outcome`] | status, solution, bound and gap |
//! | [`services`] | multi-service co-location (family hubs): instance, exact good_lp solve, LP/MPS export |
//! | [`orlib`] | parsers for the OR-Library / reference formats used by the tests |
//! | [`synthetic`] | seeded synthetic benchmark instances (S/M/L, LSCP and MCLP-T) |
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

mod bnb;
pub mod eval;
mod heuristic;
pub mod instance;
mod lagrange;
mod lpbb;
pub mod mip;
mod oddcycle;
pub mod orlib;
pub mod outcome;
mod prep;
pub mod services;
mod solve;
mod subproblem;
pub mod synthetic;

pub use instance::{Arc, Cardinality, Fixing, Instance, InstanceError};
pub use outcome::{Outcome, SolveOptions, Status};
pub use solve::{choose, solve, solve_with, Search, Shape};
