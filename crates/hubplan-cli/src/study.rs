//! `hubplan study`: the feasibility study of a scenario's inputs, no decision made.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::{GtfsLimitArgs, Printer};

/// Arguments of `hubplan study`.
#[derive(Debug, clap::Args)]
pub struct StudyArgs {
    /// The scenario file (TOML): the same inputs as `plan`, plus an optional [study] table.
    pub scenario: PathBuf,
    /// Output directory (created if needed; files are replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the feasibility-study appendix (appendix.html, appendix.md, need.svg, access.svg, priority.svg).
    #[arg(long)]
    pub report: bool,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
}

/// Runs the study and writes its directory.
pub fn run(a: &StudyArgs) -> Result<ExitCode> {
    let printer = Printer::new(a.quiet);
    let (job, opts) = hubplan_run::load_for_study(&a.scenario, &a.gtfs_limit.load_options(), &printer)?;
    let study = job.study(&opts)?;
    study.write(&a.out, a.report)?;
    for w in study.warnings() {
        printer.note(&format!("warning: {w}"));
    }
    print!("{}", study.summary_text());
    println!("wrote {}", a.out.display());
    Ok(ExitCode::SUCCESS)
}
