//! The shortest hubplan program: load a scenario, solve it, read the decisions, then
//! re-plan one what-if on the loaded data.
//!
//! ```text
//! cargo run -p hubplan-run --example quickstart                      # three bundled scenarios
//! cargo run -p hubplan-run --example quickstart -- my/scenario.toml  # your own
//! ```
//!
//! By default it runs one scenario of each kind: a single-service plan
//! (`fixtures/tiny`), the co-location model with family hubs
//! (`fixtures/kent/scenario_family_hubs.toml`, a `[services]` table) and travel
//! times computed from a GTFS timetable (`fixtures/chester/scenario_transit.toml`,
//! a `[transit]` section). The code is the same for all three.

use std::path::{Path, PathBuf};

use hubplan::Decision;
use hubplan_run::{load, silent, LoadOptions, Model, Overrides};

fn run(path: &Path) -> hubplan_run::Result<()> {
    // 1. Load once: files read and checked, travel times computed if [transit] asks.
    let job = load(path, &LoadOptions::default(), &silent())?;
    let kind = match job.model() {
        Model::Single(_) => "single service",
        Model::Services(_) => "co-location ([services])",
        _ => "other",
    };
    println!(
        "{}: {kind}, {} sites, {} zones",
        path.display(),
        job.inputs().sites.len(),
        job.inputs().zones.len()
    );

    // 2. Solve the scenario as written.
    let base = job.solve(&Overrides::default())?;
    println!("  status {}, objective {:.2}", base.status().name(), base.objective());

    // 3. Read the decisions.
    let closed: Vec<&str> = base
        .decisions()
        .into_iter()
        .filter(|(_, d)| *d == Decision::Close)
        .map(|(id, _)| id)
        .collect();
    println!(
        "  {} site(s) close, e.g. {:?}",
        closed.len(),
        &closed[..closed.len().min(3)]
    );

    // 4. A what-if on the loaded data: keep the first closed site open.
    if let Some(&first) = closed.first() {
        let whatif = job.solve(&Overrides {
            keep: vec![first.to_string()],
            ..Overrides::default()
        })?;
        let diff = whatif.diff(&base)?;
        println!(
            "  keeping {first}: annual cost {:+.0}, {} site(s) differ, need gaining access {:.0}, losing {:.0}",
            diff.comparison.annual_cost.change(),
            diff.comparison.sites.len(),
            diff.need_gained,
            diff.need_lost
        );
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let paths: Vec<PathBuf> = match std::env::args_os().nth(1) {
        Some(p) => vec![PathBuf::from(p)],
        None => [
            "fixtures/tiny/scenario.toml",
            "fixtures/kent/scenario_family_hubs.toml",
            "fixtures/chester/scenario_transit.toml",
        ]
        .iter()
        .map(|p| root.join(p))
        .collect(),
    };
    for p in &paths {
        if let Err(e) = run(p) {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    }
    std::process::ExitCode::SUCCESS
}
