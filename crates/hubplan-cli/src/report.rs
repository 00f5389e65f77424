//! `hubplan report PLAN_DIR`: the cabinet appendix of a saved plan
//! (`appendix.html`, `appendix.md` and `map.svg`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use hubplan_run::AppendixOptions;

use crate::{GtfsLimitArgs, Printer};

/// Arguments of `hubplan report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The plan directory written by `hubplan plan` (or its plan.json).
    pub plan_dir: PathBuf,
    /// The scenario the plan was made from (default: the one recorded in plan.json).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// The appendix's title.
    #[arg(long)]
    pub title: Option<String>,
    /// A date to print as "generated" (the clock is never read, so output is reproducible).
    #[arg(long)]
    pub date: Option<String>,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
}

/// `hubplan report PLAN_DIR`.
pub fn run(args: &ReportArgs) -> Result<ExitCode> {
    let printer = Printer::new(args.quiet);
    let r = hubplan_run::reload(
        &args.plan_dir,
        args.scenario.as_deref(),
        &args.gtfs_limit.load_options(),
        &printer,
    )?;
    let opts = AppendixOptions::new(args.title.clone(), args.date.clone());
    for p in r.outcome.write_appendix(&r.dir, &opts)? {
        printer.note(&format!("wrote {}", p.display()));
    }
    Ok(ExitCode::SUCCESS)
}
