//! Solves one unit-cost instance of the spopt kind and prints the outcome.
//!
//! `cargo run --release -p hubplan-solver --example shape_one -- lscp|mclp|pmed [threshold] [p] [secs]`
use hubplan_solver::synthetic::{generate, lscp, Spec};
use hubplan_solver::{solve, Arc, Cardinality, Instance, SolveOptions};
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let model = a.get(1).map_or("lscp", String::as_str);
    let thr: f64 = a.get(2).map_or(Ok(90.0), |s| s.parse())?;
    let p: u32 = a.get(3).map_or(Ok(60), |s| s.parse())?;
    let secs: u64 = a.get(4).map_or(Ok(60), |s| s.parse())?;
    let g = generate(&Spec {
        threshold_min: thr,
        ..Spec::medium(1)
    });
    let pairs: usize = g.reach.iter().map(Vec::len).sum();
    let inst = match model {
        "lscp" => {
            let mut i = lscp(&g);
            i.fixed_cost = vec![1.0; i.n_sites()];
            i.budget_cost = vec![1.0; i.n_sites()];
            i
        }
        "mclp" => {
            let mut i = Instance::with_sites(g.cost.len());
            i.cardinality = Some(Cardinality { min: 0, max: p });
            for (z, r) in g.reach.iter().enumerate() {
                i.push_client(
                    r.iter().map(|&(s, _)| Arc { site: s, cost: 0.0 }).collect(),
                    Some(g.need[z]),
                    g.need[z],
                );
            }
            i
        }
        _ => {
            let mut i = Instance::with_sites(g.cost.len());
            i.cardinality = Some(Cardinality { min: p, max: p });
            for (z, r) in g.reach.iter().enumerate() {
                if r.is_empty() {
                    continue;
                }
                i.push_client(
                    r.iter()
                        .map(|&(s, t)| Arc {
                            site: s,
                            cost: t * g.need[z],
                        })
                        .collect(),
                    None,
                    g.need[z],
                );
            }
            i
        }
    };
    if let Ok(path) = std::env::var("MPS_OUT") {
        std::fs::write(path, hubplan_solver::mip::write_mps(&inst)?)?;
    }
    let opts = SolveOptions {
        time_limit: Duration::from_secs(secs),
        rel_gap: 1e-4,
        abs_gap: 1e-6,
    };
    let t = Instant::now();
    let o = solve(&inst, &opts)?;
    println!(
        "{model} thr {thr} pairs {pairs} clients {}: {:?} objective {} bound {} nodes {} {:.3}s {}",
        inst.n_clients(),
        o.status,
        o.objective,
        o.bound,
        o.nodes,
        t.elapsed().as_secs_f64(),
        o.why
    );
    Ok(())
}
