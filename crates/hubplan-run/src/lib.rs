//! # hubplan-run
//!
//! One run facade under every hubplan front end — the `hubplan` command, the
//! `hubplan serve` workbench and the Python package — in the spirit of ripgrep's
//! `grep` facade: the front ends parse arguments, show progress and print; everything
//! else happens here, once.
//!
//! | step | API |
//! |---|---|
//! | load a scenario once (files, `[transit]` travel times, the model) | [`load`] → [`Job`]; from values in memory: [`from_values`] |
//! | the same, with the feasibility study's options | [`load_for_study`], then [`Job::study`] → [`StudyOutcome`] (`write`, `summary_text`) |
//! | the model | [`Model::Single`] or [`Model::Services`] (a `[services]` table): never confused |
//! | plan, and re-plan what-ifs on the loaded data | [`Job::solve`] with [`Overrides`] → [`Outcome`] ([`Planned::Single`] or [`Planned::Services`]) |
//! | read the result | [`Outcome::status`], [`Outcome::decisions`], [`Outcome::plan_json`], [`Outcome::summary_text`] |
//! | a what-if against its baseline | [`Outcome::diff`] → [`Diff`] |
//! | write the plan directory (and the appendix) | [`Outcome::write`], [`Outcome::write_appendix`] |
//! | export the model (MPS, LP), atomically | [`Job::export`] |
//! | sweeps and near-optimal alternatives | [`Job::sweep`], [`Job::alternatives`] |
//! | compare two saved plans | [`compare_files`], [`comparison_text`] |
//! | reload a saved plan directory and verify it | [`reload`] |
//! | every data check of a scenario, as coded notices (`hubplan validate`) | [`validate`] → [`Validation`] |
//! | a travel-time matrix from GTFS | [`travel_times`] → [`Matrix`] |
//! | progress and remarks | [`Progress`] receives [`Event`]s; the library never prints |
//!
//! # Example
//!
//! ```
//! use hubplan_run::{load, silent, LoadOptions, Overrides};
//! let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/tiny/scenario.toml");
//! let job = load(std::path::Path::new(root), &LoadOptions::default(), &silent()).unwrap();
//! let base = job.solve(&Overrides::default()).unwrap();
//! for (site, decision) in base.decisions() {
//!     println!("{site}: {}", decision.name());
//! }
//! // What if the first site must stay open? Re-planned on the loaded data.
//! let first = job.inputs().sites[0].id.clone();
//! let whatif = job.solve(&Overrides { keep: vec![first], ..Overrides::default() }).unwrap();
//! let diff = whatif.diff(&base).unwrap();
//! assert!(diff.comparison.annual_cost.b >= diff.comparison.annual_cost.a - 1e-6);
//! ```
#![deny(missing_docs)]
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod appendix;
mod error;
mod job;
mod load;
mod matrix;
mod outcome;
mod reload;
mod streets;
mod study;
pub mod text;
mod validate;
mod whatif;

pub use appendix::{provenance_inputs, travel_source_words, AppendixOptions, APPENDIX_FILES};
pub use error::{Error, Result};
pub use hubplan_io::{Window, WindowError};
pub use job::{ExportFormat, Job, Model, Overrides, MAX_OVERRIDE_MINUTES};
pub use load::{
    config_from_section, feed_options, from_values, load, load_for_study, read_feed, silent, Event, LoadOptions,
    Progress,
};
pub use matrix::{
    travel_parameter, travel_times, travel_times_block, Matrix, MatrixRequest, TravelParameter, TRAVEL_PARAMETERS,
};
pub use outcome::{AccessChange, Diff, Outcome, Planned, WriteOptions};
pub use reload::{reload, Reloaded};
pub use streets::StreetOptions;
pub use study::StudyOutcome;
pub use validate::{validate, Validation};
pub use whatif::{compare_files, comparison_text, parse_budget_range, plan_summary, read_summary, Alternatives, Sweep};

pub use hubplan::whatif::{budget_points, parse_tolerance, SweepPoint};
