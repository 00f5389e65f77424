//! `hubplan validate`: prints the coded notices of a scenario's inputs
//! (`hubplan_run::validate`, catalogue in docs/VALIDATION.md), grouped by code.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use hubplan_check::report::ValidationReport;

use crate::{GtfsLimitArgs, Printer, EXIT_BAD_INPUT};

/// Output format of `hubplan validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Notices grouped by code, with counts and the first examples.
    Text,
    /// The validation report as JSON (as validation.json).
    Json,
}

/// Arguments of `hubplan validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Output on stdout: text (grouped by code) or json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write validation.json and validation.html into this directory (atomically).
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Count warnings as errors (exit 2 when there is one).
    #[arg(long)]
    pub strict: bool,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
}

/// `hubplan validate`: exit 0 with no errors, 2 with errors (or warnings under `--strict`).
pub fn run(a: &ValidateArgs) -> Result<ExitCode> {
    let printer = Printer::new(a.quiet);
    let v = hubplan_run::validate(&a.scenario, &a.gtfs_limit.load_options(), &printer);
    if let Some(e) = &v.refusal {
        eprintln!("error: {e}");
    }
    let label = a.scenario.to_string_lossy();
    let rep = ValidationReport::new(&label, &v.notices, a.strict, env!("CARGO_PKG_VERSION"));
    if let Some(dir) = &a.report {
        hubplan_io::write_files_atomically(
            dir,
            &[
                ("validation.html", rep.html().into_bytes()),
                ("validation.json", rep.json().into_bytes()),
            ],
        )?;
        printer.note(&format!("wrote {}", dir.display()));
    }
    match a.format {
        Format::Json => print!("{}", rep.json()),
        Format::Text => {
            print!("{}{}", v.header, rep.text());
            if !rep.summary.failed {
                println!("ok");
            }
        }
    }
    if !rep.summary.failed {
        return Ok(ExitCode::SUCCESS);
    }
    // The errors also go to stderr, so that a failing run says why there.
    if v.refusal.is_none() {
        for n in hubplan_check::report::errors(&v.notices, a.strict) {
            eprintln!("error: {n}");
        }
    }
    Ok(ExitCode::from(EXIT_BAD_INPUT))
}
