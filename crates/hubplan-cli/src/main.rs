//! The `hubplan` command: clap arguments, progress bars, printing and exit codes over
//! the run facade (`hubplan-run`). No format writer and no domain rule lives here.
//!
//! Exit status: 0 a plan was found; 2 bad input or usage; 3 infeasible (the
//! reason is printed); 4 the time limit passed before any plan was found.
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::process::ExitCode;
use std::sync::Mutex;

use clap::{Parser, Subcommand};
use hubplan::PlanStatus;
use hubplan_run::{Event, LoadOptions};
use indicatif::{ProgressBar, ProgressStyle};

mod compare;
mod plan;
mod report;
mod serve;
mod study;
mod sweep;
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
    /// Write the cabinet appendix (appendix.html, appendix.md, appendix.pdf, appendix.docx, map.svg) for a plan directory.
    Report(report::ReportArgs),
    /// Feasibility study, no decision made: services, demand, need, access, priority areas, equality.
    Study(study::StudyArgs),
    /// Start the consultation workbench: a local what-if web page and JSON API (docs/SERVE.md).
    Serve(serve::ServeArgs),
}

/// Exit status for bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit status when the scenario is infeasible.
pub const EXIT_INFEASIBLE: u8 = 3;
/// Exit status when the time limit passed with no plan.
pub const EXIT_NO_PLAN: u8 = 4;

/// The GTFS loader's size limit, a flag of every command that may read a timetable
/// (`travel-times`, and `plan`, `validate`, `sweep`, `report` on a scenario with `[transit]`).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct GtfsLimitArgs {
    /// Largest size, in MiB, that one file of a GTFS feed may have once decompressed (zip-bomb
    /// guard: reading one file never holds more). Default 2048, or a scenario's [transit]
    /// max_file_mib.
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u32).range(1..))]
    pub gtfs_max_file_mib: Option<u32>,
}

impl GtfsLimitArgs {
    /// The facade's load options.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions::default().with_gtfs_max_file_mib(self.gtfs_max_file_mib)
    }
}

/// Shows the facade's events on stderr: remarks unless quiet, dropped feed data always,
/// long steps as a progress bar.
#[derive(Debug)]
pub struct Printer {
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Printer {
    /// A printer; `quiet` hides everything but the problems that dropped data.
    pub fn new(quiet: bool) -> Self {
        Printer {
            quiet,
            bar: Mutex::new(None),
        }
    }

    /// A line of progress on stderr, unless quiet.
    pub fn note(&self, s: &str) {
        if !self.quiet {
            eprintln!("{s}");
        }
    }
}

impl hubplan_run::Progress for Printer {
    fn event(&self, e: Event<'_>) {
        let Ok(mut bar) = self.bar.lock() else { return };
        match e {
            Event::Warning(w) if !self.quiet => eprintln!("warning: {w}"),
            // A data-quality warning is not progress: shown even when quiet.
            Event::Notice(n) if n.severity == hubplan::notice::Severity::Warning => {
                eprintln!("warning: {}", hubplan_check::report::warning_line(n))
            }
            Event::Info(s) => self.note(s),
            Event::DroppedData(s) => eprintln!("warning: {s}"),
            Event::Start { what, total } if !self.quiet => {
                let pb = ProgressBar::new(total as u64);
                let template = format!("{what} {{bar:40}} {{pos}}/{{len}}, {{elapsed}} elapsed, {{eta}} left");
                pb.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
                *bar = Some(pb);
            }
            Event::Step { done } => {
                if let Some(pb) = bar.as_ref() {
                    pb.set_position(done as u64);
                }
            }
            Event::Finish => {
                if let Some(pb) = bar.take() {
                    pb.finish_and_clear();
                }
            }
            _ => {}
        }
    }
}

/// The exit status of a plan's status.
pub fn exit_code(status: PlanStatus) -> ExitCode {
    match status {
        PlanStatus::Optimal | PlanStatus::Feasible => ExitCode::SUCCESS,
        PlanStatus::Infeasible => ExitCode::from(EXIT_INFEASIBLE),
        _ => ExitCode::from(EXIT_NO_PLAN),
    }
}

/// Runs `f` on a rayon pool of `threads` workers (the global pool when `None`).
pub fn in_pool<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> anyhow::Result<T> {
    match threads {
        None => Ok(f()),
        Some(0) => anyhow::bail!("--threads must be at least 1"),
        Some(k) => Ok(rayon::ThreadPoolBuilder::new().num_threads(k).build()?.install(f)),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // The library's own trace (search progress, bounds, cut rounds) on stderr,
    // only when asked for: `RUST_LOG=hubplan_solver=debug hubplan plan ...`.
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off"))
        .format_timestamp_millis()
        .try_init();
    let result = match &cli.command {
        Command::Plan(a) => plan::run(a),
        Command::Validate(a) => validate::run(a),
        Command::TravelTimes(a) => travel_times::run(a).map(|()| ExitCode::SUCCESS),
        Command::Compare(a) => compare::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Report(a) => report::run(a),
        Command::Study(a) => study::run(a),
        Command::Serve(a) => serve::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
