//! Wall time of whole plans through the run facade (`hubplan_run::load` then
//! `Job::solve`), for the Kent scenarios: the co-location model (family hubs) against
//! its peer in the same run, the single-service least-cost plan. Moved here from
//! `crates/hubplan-cli/tests/services.rs`, which checks the family-hubs plan only
//! (no timed assertions in tests).
//!
//! Prints, per scenario, the load time and the minimum, median and maximum of the
//! solve time over `--runs` (default 3), with the status and the objective (the same
//! on every run: the solvers are deterministic).
//!
//! Run: `cargo bench -p hubplan-benches --bench plan` (`-- --runs N`).

use std::path::{Path, PathBuf};
use std::time::Instant;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    for scenario in ["kent/scenario_family_hubs.toml", "kent/scenario.toml"] {
        let path = fixtures().join(scenario);
        let t = Instant::now();
        let job = hubplan_run::load(&path, &hubplan_run::LoadOptions::default(), &hubplan_run::silent())
            .unwrap_or_else(|e| panic!("{scenario}: {e}"));
        let load = t.elapsed().as_secs_f64();
        let mut secs = Vec::new();
        let mut last = String::new();
        for _ in 0..runs {
            let t = Instant::now();
            let outcome = job
                .solve(&hubplan_run::Overrides::default())
                .unwrap_or_else(|e| panic!("{scenario}: {e}"));
            secs.push(t.elapsed().as_secs_f64());
            last = format!("{:?}, objective {}", outcome.status(), outcome.objective());
        }
        secs.sort_by(f64::total_cmp);
        println!(
            "{scenario} ({}): load {load:.2} s; solve min {:.2} s, median {:.2} s, max {:.2} s over {runs} runs; {last}",
            job.model().name(),
            secs[0],
            secs[secs.len() / 2],
            secs[secs.len() - 1]
        );
    }
}
