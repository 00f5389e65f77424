//! `hubplan plan`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use hubplan_run::{AppendixOptions, ExportFormat, Model, Overrides, WriteOptions};

use crate::{exit_code, GtfsLimitArgs, Printer};

/// Arguments of `hubplan plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Output directory (created if needed; files are replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the cabinet appendix (appendix.html, appendix.md, appendix.pdf, appendix.docx, map.svg).
    #[arg(long)]
    pub report: bool,
    /// The appendix's title (with --report).
    #[arg(long, requires = "report")]
    pub title: Option<String>,
    /// A date to print on the appendix's cover and every page (with --report; the clock is never read).
    #[arg(long, requires = "report")]
    pub date: Option<String>,
    /// Write the optimisation model as MPS, for an auditor to re-solve elsewhere.
    #[arg(long, value_name = "FILE")]
    pub export_mps: Option<PathBuf>,
    /// Write the optimisation model as CPLEX LP text.
    #[arg(long, value_name = "FILE")]
    pub export_lp: Option<PathBuf>,
    /// No progress or timing on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
}

/// `hubplan plan`.
pub fn run(a: &PlanArgs) -> Result<ExitCode> {
    let printer = Printer::new(a.quiet);
    let job = hubplan_run::load(&a.scenario, &a.gtfs_limit.load_options(), &printer)?;
    let none = Overrides::default();
    let exports: Vec<(ExportFormat, &std::path::Path)> =
        [(ExportFormat::Mps, &a.export_mps), (ExportFormat::Lp, &a.export_lp)]
            .into_iter()
            .filter_map(|(f, p)| p.as_deref().map(|p| (f, p)))
            .collect();
    job.export_all(&none, &exports)?;
    printer.note(&crate::solving_line(&job));
    let spinner = printer.spinner("solving");
    let outcome = job.solve(&none);
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    let outcome = outcome?;
    let s = outcome.solver();
    printer.note(&match job.model() {
        Model::Services(_) => format!(
            "solved the co-location model with {} in {:.2} s ({} model clients, {} free sites)",
            s.backend,
            outcome.elapsed().as_secs_f64(),
            s.clients,
            s.free_sites
        ),
        _ => format!(
            "solved with {} in {:.2} s ({} nodes, {} zones, {} free sites)",
            s.backend,
            outcome.elapsed().as_secs_f64(),
            s.nodes,
            s.clients,
            s.free_sites
        ),
    });
    let written = outcome.write(
        &a.out,
        &WriteOptions::with_report(a.report, AppendixOptions::new(a.title.clone(), a.date.clone())),
    )?;
    printer.note(&format!("wrote {}", a.out.display()));
    for p in written.iter().filter(|p| {
        p.file_name()
            .is_some_and(|n| !hubplan_io::PLAN_FILES.iter().any(|f| n == *f))
    }) {
        printer.note(&format!("wrote {}", p.display()));
    }
    print!("{}", outcome.summary_text());
    Ok(exit_code(outcome.status()))
}
