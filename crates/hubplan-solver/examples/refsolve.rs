//! Solve or export one reference instance.
//!
//! `cargo run --release -p hubplan-solver --example refsolve -- KIND FILE [mps-out]`
//! with KIND one of `pmed`, `scp`, `uncap`, `cap`; prints status, objective,
//! bound, nodes and seconds; with a third argument also writes the model there
//! (CPLEX LP when it ends in `.lp`, else MPS).
use hubplan_solver::{orlib, solve, SolveOptions};
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: refsolve KIND FILE [MPS]".into());
    }
    let text = std::fs::read_to_string(&args[2])?;
    let inst = match args[1].as_str() {
        "pmed" => orlib::pmed(&text)?.0,
        "scp" => orlib::scp(&text, false)?,
        "uncap" => orlib::warehouse(&text, false)?,
        "cap" => orlib::warehouse(&text, true)?,
        k => return Err(format!("unknown kind {k}").into()),
    };
    if let Some(out) = args.get(3) {
        let text = if out.ends_with(".lp") {
            hubplan_solver::mip::write_lp(&inst)?
        } else {
            hubplan_solver::mip::write_mps(&inst)?
        };
        std::fs::write(out, text)?;
    }
    let secs: u64 = std::env::var("TL").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let opts = SolveOptions {
        time_limit: Duration::from_secs(secs),
        rel_gap: 1e-9,
        abs_gap: 1e-6,
    };
    let t = Instant::now();
    let o = solve(&inst, &opts)?;
    println!(
        "{} {:?} objective {} bound {} nodes {} time {:.3}s",
        args[2],
        o.status,
        o.objective,
        o.bound,
        o.nodes,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
