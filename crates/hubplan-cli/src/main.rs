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
///
/// Data-quality warnings are printed at most [`NOTICES_SHOWN`] per code: a regional
/// scenario with one systematic problem can carry thousands of notices of one code,
/// which would bury everything else. The count of the rest follows, once, with where
/// to find them (plan.json's `notices`, `hubplan validate`).
#[derive(Debug)]
pub struct Printer {
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
    /// Warnings seen per notice code, and how many of them were not printed yet told of.
    notices: Mutex<std::collections::BTreeMap<String, (usize, usize)>>,
}

/// Data-quality warnings printed per notice code; the rest are counted.
pub const NOTICES_SHOWN: usize = 5;

impl Printer {
    /// A printer; `quiet` hides everything but the problems that dropped data.
    pub fn new(quiet: bool) -> Self {
        Printer {
            quiet,
            bar: Mutex::new(None),
            notices: Mutex::new(Default::default()),
        }
    }

    /// Prints, once per code, how many data-quality warnings were not shown.
    fn flush_hidden_notices(&self) {
        let Ok(mut seen) = self.notices.lock() else { return };
        for (code, (_, hidden)) in seen.iter_mut() {
            if *hidden > 0 {
                eprintln!(
                    "warning: {code}: {hidden} more warning(s) of this code not shown (plan.json `notices` and \
                     `hubplan validate` list every one)"
                );
                *hidden = 0;
            }
        }
    }

    /// A spinner on stderr for a long step whose progress cannot be measured (a solve):
    /// `what` and the elapsed time, redrawn on a terminal (nothing is drawn when stderr
    /// is not one). `None` when quiet. Clear it with `finish_and_clear`.
    pub fn spinner(&self, what: &str) -> Option<ProgressBar> {
        if self.quiet {
            return None;
        }
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg}: {elapsed} elapsed")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(what.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(250));
        Some(pb)
    }

    /// A line of progress on stderr, unless quiet.
    pub fn note(&self, s: &str) {
        if !self.quiet {
            eprintln!("{s}");
        }
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        self.flush_hidden_notices();
    }
}

/// The line printed before a solve starts: what is solved, on how many zones and
/// sites, and its time limit. On a regional scenario a solve can run for minutes, and
/// without it the terminal shows nothing between reading the inputs and the result.
pub fn solving_line(job: &hubplan_run::Job) -> String {
    let inputs = job.inputs();
    let (what, limit) = match job.model() {
        hubplan_run::Model::Single(sc) => (format!("solving ({})", sc.objective.name()), sc.solver.time_limit),
        hubplan_run::Model::Services(r) => (
            format!("solving the co-location model ({})", r.objective.name()),
            r.solver.time_limit,
        ),
        _ => ("solving".to_string(), std::time::Duration::ZERO),
    };
    format!(
        "{what} on {} zones and {} sites; time limit {} s (the solver's trace: RUST_LOG=hubplan_solver=debug)",
        inputs.zones.len(),
        inputs.sites.len(),
        limit.as_secs_f64()
    )
}

impl hubplan_run::Progress for Printer {
    fn event(&self, e: Event<'_>) {
        let Ok(mut bar) = self.bar.lock() else { return };
        match e {
            Event::Warning(w) if !self.quiet => eprintln!("warning: {w}"),
            // A data-quality warning is not progress: shown even when quiet.
            Event::Notice(n) if n.severity == hubplan::notice::Severity::Warning => {
                let show = self.notices.lock().is_ok_and(|mut seen| {
                    let e = seen.entry(n.code.clone()).or_default();
                    e.0 += 1;
                    if e.0 > NOTICES_SHOWN {
                        e.1 += 1;
                    }
                    e.0 <= NOTICES_SHOWN
                });
                if show {
                    eprintln!("warning: {}", hubplan_check::report::warning_line(n))
                }
            }
            Event::Info(s) => {
                self.flush_hidden_notices();
                self.note(s)
            }
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
