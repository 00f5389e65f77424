//! The `hubplan` command. Thin glue: parse arguments, call the library
//! crates, turn a `Result` into an exit code.
//!
//! Exit status: 0 a plan was found; 2 bad input or usage; 3 infeasible (the
//! reason is printed); 4 the time limit passed before any plan was found.
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod compare;
mod plan;
mod report;
mod sweep;
mod transit;
mod travel_times;
mod validate;

/// Keep, close or share public buildings so every family can still reach a service.
#[derive(Debug, Parser)]
#[command(name = "hubplan", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Plan one scenario: optimise, certify, write plan.json, sites.csv, zones.csv, plan.geojson.
    Plan(plan::PlanArgs),
    /// Check a scenario's inputs: coded notices grouped by code (docs/VALIDATION.md).
    Validate(validate::ValidateArgs),
    /// Public-transport travel times from a GTFS timetable plus walking.
    TravelTimes(travel_times::TravelTimesArgs),
    /// Compare two plans: the sites that differ and the deltas in coverage and cost.
    Compare(compare::CompareArgs),
    /// Run a scenario over a range of budgets or access limits, in parallel.
    Sweep(sweep::SweepArgs),
    /// Write the cabinet appendix (appendix.html, appendix.md) for a plan directory.
    Report(report::ReportArgs),
}

/// Exit status for bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit status when the scenario is infeasible.
pub const EXIT_INFEASIBLE: u8 = 3;
/// Exit status when the time limit passed with no plan.
pub const EXIT_NO_PLAN: u8 = 4;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match &cli.command {
        Command::Plan(a) => plan::run(a),
        Command::Validate(a) => validate::run(a),
        Command::TravelTimes(a) => travel_times::run(a).map(|()| ExitCode::SUCCESS),
        Command::Compare(a) => compare::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Report(a) => report::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
