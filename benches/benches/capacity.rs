//! Demand capacity (issue 21): the native Lagrangian search on the seeded
//! capacitated instances of `hubplan_solver::synthetic::capacitated`, with the
//! model's MPS written for HiGHS and SCIP (`benches/peers/mip_peer.py`).
//!
//! `cargo bench -p hubplan-benches --bench capacity -- [K] [M] [--tl SECS] [--seed N] [--mps DIR] [--mip] [--cover]`
//!
//! Threads: rayon's default (set `RAYON_NUM_THREADS=1` for one core).
//!
//! `--mip` also runs the microlp MIP back end on the same instance.
//! `--cover` runs the capacitated set-covering variant instead
//! (`synthetic::capacitated_cover`: no assignment cost, every zone served;
//! the Hall-cut search), written as `capcov-<size>-s<seed>`.
//! `--coloc` runs the capacitated co-location class of issue 13 instead
//! (`services::synthetic::colocation`: three services with space limits and a
//! demand capacity per building and service, `min_cost`, split; the default
//! co-location search, i.e. the Hall-cut branch-and-cut `services::capbc`),
//! written as `coloc-<size>-s<seed>` (the MPS of `services::write_mps`, with
//! the assignment variables and the capacity rows).
use hubplan_solver::capacity::{solve_capacitated_with, Assignment, Method};
use hubplan_solver::mip::{write_mps, MipBackend};
use hubplan_solver::services::synthetic::{colocation, ColocSpec};
use hubplan_solver::services::{self, solve_services, ServiceBackend};
use hubplan_solver::synthetic::{capacitated, capacitated_cover, CapSpec};
use hubplan_solver::{Instance, SolveOptions};
use std::time::{Duration, Instant};

fn run(name: &str, inst: &Instance, tl: u64, method: Method) {
    let opts = SolveOptions {
        time_limit: Duration::from_secs(tl),
        rel_gap: 1e-4,
        abs_gap: 1e-6,
    };
    let t = Instant::now();
    match solve_capacitated_with(inst, &opts, Assignment::Split, method) {
        Ok(o) => {
            let o = o.outcome;
            println!(
                "| {name} | {}×{} ({} arcs) | {} | {:?} | {:.1} | {:.1} | {:.2e} | {} | {:.3} |",
                inst.n_clients(),
                inst.n_sites(),
                inst.arcs.len(),
                o.search,
                o.status,
                o.objective,
                o.bound,
                o.gap(),
                o.nodes,
                t.elapsed().as_secs_f64()
            );
        }
        Err(e) => println!("| {name} | error: {e} |"),
    }
}

fn run_coloc(name: &str, spec: &ColocSpec, tl: u64, mps: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
    let inst = colocation(spec);
    if let Some(dir) = mps {
        std::fs::create_dir_all(dir)?;
        std::fs::write(format!("{dir}/{name}.mps"), services::write_mps(&inst)?)?;
    }
    let opts = SolveOptions {
        time_limit: Duration::from_secs(tl),
        rel_gap: 1e-4,
        abs_gap: 1e-6,
    };
    let arcs: usize = inst.clients.iter().map(|c| c.arcs.len()).sum();
    let t = Instant::now();
    match solve_services(&inst, &opts, ServiceBackend::Microlp) {
        Ok(o) => println!(
            "| {name} | {} clients ({} merged) × {} sites × {} services ({arcs} arcs) | services:capcut ({} parts) | {:?} | {:.1} | {:.1} | {:.2e} | {} | {:.3} |",
            inst.clients.len(),
            o.model_clients,
            inst.sites.len(),
            inst.n_services,
            o.parts,
            o.status,
            o.objective,
            o.bound,
            o.gap(),
            o.nodes,
            t.elapsed().as_secs_f64()
        ),
        Err(e) => println!("| {name} | error: {e} |"),
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The solver's trace with `RUST_LOG=debug` (off by default).
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off")).try_init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut sizes, mut mps, mut seed, mut tl, mut mip, mut cover) = (Vec::new(), None, 1u64, 60u64, false, false);
    let mut coloc = false;
    let mut k = 0;
    while k < args.len() {
        let val = |k: usize| args.get(k + 1).cloned().ok_or(format!("{} needs a value", args[k]));
        match args[k].as_str() {
            "--mps" => {
                mps = Some(val(k)?);
                k += 1;
            }
            "--seed" => {
                seed = val(k)?.parse()?;
                k += 1;
            }
            "--tl" => {
                tl = val(k)?.parse()?;
                k += 1;
            }
            "--mip" => mip = true,
            "--cover" => cover = true,
            "--coloc" => coloc = true,
            // `cargo bench` passes `--bench`; ignore unknown flags.
            s if s.starts_with("--") => {}
            s => sizes.push(s.to_string()),
        }
        k += 1;
    }
    if sizes.is_empty() {
        sizes = vec!["K".into(), "M".into()];
    }
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "default".into());
    println!("RAYON_NUM_THREADS {threads}, time limit {tl} s, rel gap 1e-4");
    println!("| instance | zones×sites | search | status | objective | bound | gap | nodes | seconds |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for s in sizes {
        if coloc {
            match ColocSpec::sized(&s, seed) {
                Some(spec) => run_coloc(&format!("coloc-{s}-s{seed}"), &spec, tl, mps.as_deref())?,
                None => println!("| {s} | unknown size (K, M or L) |"),
            }
            continue;
        }
        let Some(spec) = CapSpec::sized(&s, seed) else {
            println!("| {s} | unknown size (K or M) |");
            continue;
        };
        let (inst, name, method) = if cover {
            (
                capacitated_cover(&spec),
                format!("capcov-{s}-s{seed}"),
                Method::HallCuts,
            )
        } else {
            (capacitated(&spec), format!("cap-{s}-s{seed}"), Method::Native)
        };
        if let Some(dir) = &mps {
            std::fs::create_dir_all(dir)?;
            std::fs::write(format!("{dir}/{name}.mps"), write_mps(&inst)?)?;
        }
        run(&name, &inst, tl, method);
        if mip {
            run(&name, &inst, tl, Method::Mip(MipBackend::Microlp));
        }
    }
    Ok(())
}
