//! `hubplan sweep SCENARIO`: re-plan at several budgets or access limits in
//! parallel, write `sweep.csv`, every building's decision at every point
//! (`sweep_sites.csv`) and the trade-off chart `sweep.svg`; optionally
//! find near-optimal alternatives of the scenario itself (`alternatives.csv`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use hubplan_run::{budget_points, parse_budget_range, parse_tolerance, SweepPoint};

use crate::{in_pool, GtfsLimitArgs, Printer};

/// Arguments of `hubplan sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The base scenario (TOML).
    pub scenario: PathBuf,
    /// Budgets to sweep, GBP a year: `LO..HI` (with --steps). A `min_cost` scenario is
    /// re-planned as `max_coverage` under each budget; other objectives keep their own.
    #[arg(long, value_name = "LO..HI", conflicts_with = "max_minutes")]
    pub budget: Option<String>,
    /// Number of budgets from LO to HI inclusive.
    #[arg(long, default_value_t = 13, requires = "budget")]
    pub steps: usize,
    /// Access limits to sweep, minutes, comma-separated (e.g. 30,35,40,45), with the scenario's own objective.
    #[arg(long, value_name = "M,M,...", value_delimiter = ',')]
    pub max_minutes: Option<Vec<f64>>,
    /// Also look for this many near-optimal alternatives of the base scenario.
    #[arg(long, value_name = "K")]
    pub alternatives: Option<usize>,
    /// Tolerance for the alternatives: `2%` or `0.02` of the optimum.
    #[arg(long, value_name = "P%", default_value = "2%", requires = "alternatives")]
    pub within: String,
    /// Output directory for sweep.csv, sweep_sites.csv, sweep.svg and alternatives.csv.
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar or messages on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
}

/// `hubplan sweep`.
pub fn run(args: &SweepArgs) -> Result<ExitCode> {
    let mut points: Vec<SweepPoint> = Vec::new();
    if let Some(b) = &args.budget {
        let (lo, hi) = parse_budget_range(b)?;
        if args.steps == 0 || args.steps > 1000 {
            bail!("--steps must be between 1 and 1000, found {}", args.steps);
        }
        points = budget_points(lo, hi, args.steps);
    }
    if let Some(ms) = &args.max_minutes {
        for &m in ms {
            if !m.is_finite() || m <= 0.0 {
                bail!("--max-minutes: {m} is not a positive number of minutes");
            }
            points.push(SweepPoint::MaxMinutes(m));
        }
    }
    let within = match args.alternatives {
        Some(_) => Some(parse_tolerance(&args.within).with_context(|| {
            format!(
                "--within: expected a percentage like 2% or a fraction like 0.02, found {:?}",
                args.within
            )
        })?),
        None => None,
    };
    if points.is_empty() && args.alternatives.is_none() {
        bail!("nothing to do: give --budget LO..HI, --max-minutes M,M,… or --alternatives K");
    }
    let printer = Printer::new(args.quiet);
    let job = hubplan_run::load(&args.scenario, &args.gtfs_limit.load_options(), &printer)?;
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    if !points.is_empty() {
        let sweep = in_pool(args.threads, || job.sweep(&points, &printer))??;
        files.extend(sweep.files(&job)?);
        for line in sweep.lines() {
            println!("{line}");
        }
    }
    if let (Some(k), Some(within)) = (args.alternatives, within) {
        let alts = in_pool(args.threads, || job.alternatives(k, within, &printer))??;
        println!("{}", alts.line());
        files.push(("alternatives.csv", alts.csv(&job)?));
    }
    hubplan_io::write_files_atomically(&args.out, &files)?;
    for (name, _) in &files {
        printer.note(&format!("wrote {}", args.out.join(name).display()));
    }
    Ok(ExitCode::SUCCESS)
}
