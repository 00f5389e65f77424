//! Solves one seeded synthetic MCLP-T instance (S, M, L or kent) and prints the outcome.
//!
//! `cargo run --release -p hubplan-solver --example synth_one -- M [seconds] [abs_gap]`
use hubplan_solver::synthetic::{generate, lscp, mclp, Spec};
use hubplan_solver::{solve, SolveOptions};
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let size = a.get(1).map_or("M", String::as_str);
    let secs: u64 = a.get(2).map_or(Ok(60), |s| s.parse())?;
    let spec = match size {
        "S" => Spec::small(1),
        "M" => Spec::medium(1),
        "L" => Spec::large(1),
        _ => Spec {
            zones: 900,
            sites: 200,
            side_km: 60.0,
            towns: 15,
            ..Spec::small(1)
        },
    };
    let g = generate(&spec);
    let opts = SolveOptions {
        time_limit: Duration::from_secs(secs),
        rel_gap: 1e-4,
        abs_gap: 1e-6,
    };
    let lscp_opts = SolveOptions {
        time_limit: Duration::from_secs(secs.min(60)),
        ..opts.clone()
    };
    let z = solve(&lscp(&g), &lscp_opts)?.objective;
    let inst = mclp(&g, (0.6 * z).floor());
    let abs: f64 = a.get(3).map_or(Ok(1e-6), |s| s.parse())?;
    let t = Instant::now();
    let o = solve(&inst, &SolveOptions { abs_gap: abs, ..opts })?;
    println!(
        "{size}: {:?} objective {} bound {} nodes {} {:.3}s {}",
        o.status,
        o.objective,
        o.bound,
        o.nodes,
        t.elapsed().as_secs_f64(),
        o.solver
    );
    Ok(())
}
