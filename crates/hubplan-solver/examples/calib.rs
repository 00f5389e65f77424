//! Prints mean sites in reach per zone for the synthetic sizes (calibration aid).
use hubplan_solver::synthetic::{generate, Spec};
fn main() {
    let side: Vec<f64> = std::env::args().skip(1).filter_map(|s| s.parse().ok()).collect();
    for (k, spec) in [Spec::small(1), Spec::medium(1), Spec::large(1)]
        .into_iter()
        .enumerate()
    {
        let spec = Spec {
            side_km: side.get(k).copied().unwrap_or(spec.side_km),
            ..spec
        };
        let g = generate(&spec);
        let arcs: usize = g.reach.iter().map(Vec::len).sum();
        let none = g.reach.iter().filter(|r| r.is_empty()).count();
        println!(
            "side {} mean {:.2} unreachable {}",
            spec.side_km,
            arcs as f64 / spec.zones as f64,
            none
        );
    }
}
