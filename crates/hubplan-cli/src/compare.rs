//! `hubplan compare A/plan.json B/plan.json`: the sites that differ and the deltas (B − A).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

/// Arguments of `hubplan compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Plan A: a plan.json (or the directory holding it).
    pub a: PathBuf,
    /// Plan B: a plan.json (or the directory holding it).
    pub b: PathBuf,
}

/// `hubplan compare`.
pub fn run(args: &CompareArgs) -> Result<ExitCode> {
    let (c, a, b) = hubplan_run::compare_files(&args.a, &args.b)?;
    print!("{}", hubplan_run::comparison_text(&c, &a, &b));
    // Demand capacity (issue 21): the fullest buildings after each plan.
    let lines = hubplan_run::text::utilisation_lines_for_files(&args.a, &args.b, 5)?;
    if !lines.is_empty() {
        println!("\n{}", lines.join("\n"));
    }
    Ok(ExitCode::SUCCESS)
}
