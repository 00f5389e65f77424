use hubplan_solver::services::synthetic::{colocation, ColocSpec};
use hubplan_solver::services::{solve_services, ServiceBackend};
use hubplan_solver::SolveOptions;
use std::time::{Duration, Instant};
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let spec = ColocSpec::sized(&a[0], a.get(1).map_or(1, |s| s.parse().unwrap())).unwrap();
    let tl: u64 = a.get(2).map_or(60, |s| s.parse().unwrap());
    let inst = colocation(&spec);
    let opts = SolveOptions {
        time_limit: Duration::from_secs(tl),
        rel_gap: 1e-4,
        abs_gap: 1e-6,
    };
    let t = Instant::now();
    let o = solve_services(&inst, &opts, ServiceBackend::Microlp).unwrap();
    println!(
        "coloc-{} {:?} {:.1} {:.1} gap {:.4}% nodes {} {:.1}s",
        a[0],
        o.status,
        o.objective,
        o.bound,
        100.0 * o.gap(),
        o.nodes,
        t.elapsed().as_secs_f64()
    );
}
