//! scratch: cargo run --release -p hubplan-solver --example sjc_one -- SJC818 1200 6
use hubplan_solver::{orlib, solve, SolveOptions};
use std::time::{Duration, Instant};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dir = "fixtures/reference/mclp_sjc";
    let coords = std::fs::read_to_string(format!("{dir}/{}.txt", a[1])).unwrap();
    let demand = std::fs::read_to_string(format!("{dir}/demand-{}.dat", a[1])).unwrap();
    let inst = orlib::sjc(&coords, &demand, a[2].parse().unwrap(), a[3].parse().unwrap()).unwrap();
    eprintln!(
        "clients {} arcs {} per client {:.1}",
        inst.n_clients(),
        inst.arcs.len(),
        inst.arcs.len() as f64 / inst.n_clients() as f64
    );
    let t = Instant::now();
    let o = solve(
        &inst,
        &SolveOptions {
            time_limit: Duration::from_secs(a.get(4).map_or(120, |s| s.parse().unwrap())),
            rel_gap: 1e-9,
            abs_gap: 1e-9,
        },
    )
    .unwrap();
    println!(
        "{:?} {} {} nodes {} {:.3}s {}",
        o.status,
        o.objective,
        o.bound,
        o.nodes,
        t.elapsed().as_secs_f64(),
        o.solver
    );
}
