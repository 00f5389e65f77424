//! `cargo bench -p hubplan-benches --bench solver -- [S] [M] [L] [kent] [--mps DIR] [--quick] [--tl SECS] [--lscp VALUE]`
//!
use hubplan_solver::synthetic::{generate, lscp, mclp, Spec};
use hubplan_solver::{solve, Instance, SolveOptions};
use std::time::{Duration, Instant};

fn run(name: &str, inst: &Instance, tl: u64, abs_gap: f64) -> f64 {
    let opts = SolveOptions {
        time_limit: Duration::from_secs(tl),
        rel_gap: 1e-4,
        abs_gap,
    };
    let t = Instant::now();
    let o = match solve(inst, &opts) {
        Ok(o) => o,
        Err(e) => {
            println!("| {name} | error: {e} |");
            return f64::NAN;
        }
    };
    let secs = t.elapsed().as_secs_f64();
    let arcs = inst.arcs.len();
    println!(
        "| {name} | {}×{} ({arcs} arcs) | {:?} | {} | {} | {:.2e} | {} | {secs:.3} |",
        inst.n_clients(),
        inst.n_sites(),
        o.status,
        o.objective,
        o.bound,
        o.gap(),
        o.nodes
    );
    o.objective
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes = Vec::new();
    let mut mps: Option<String> = None;
    let mut seed = 1u64;
    let mut tl = 300u64;
    let mut quick = false;
    // Use this LSCP value for the MCLP-T budget instead of solving LSCP
    // (to rebuild exactly the instance an earlier run exported).
    let mut lscp_value: Option<f64> = None;
    let mut k = 0;
    while k < args.len() {
        match args[k].as_str() {
            "--mps" => {
                mps = args.get(k + 1).cloned();
                k += 1;
            }
            "--seed" => {
                seed = args.get(k + 1).and_then(|s| s.parse().ok()).ok_or("bad --seed")?;
                k += 1;
            }
            "--quick" => quick = true,
            "--lscp" => {
                lscp_value = Some(args.get(k + 1).and_then(|s| s.parse().ok()).ok_or("bad --lscp")?);
                k += 1;
            }
            "--tl" => {
                tl = args.get(k + 1).and_then(|s| s.parse().ok()).ok_or("bad --tl")?;
                k += 1;
            }
            // `cargo bench` passes `--bench`; ignore unknown flags.
            s if s.starts_with("--") => {}
            s => sizes.push(s.to_string()),
        }
        k += 1;
    }
    if sizes.is_empty() {
        sizes = vec!["S".into(), "M".into(), "L".into()];
    }
    println!("| instance | zones×sites | status | objective | bound | gap | nodes | seconds |");
    println!("|---|---|---|---|---|---|---|---|");
    for s in sizes {
        let spec = match s.as_str() {
            "S" => Spec::small(seed),
            "M" => Spec::medium(seed),
            "L" => Spec::large(seed),
            "kent" => Spec {
                zones: 900,
                sites: 200,
                side_km: 60.0,
                towns: 15,
                ..Spec::small(seed)
            },
            other => return Err(format!("unknown size {other}").into()),
        };
        let t = Instant::now();
        let g = generate(&spec);
        eprintln!("{s}: generated in {:.2}s", t.elapsed().as_secs_f64());
        let li = lscp(&g);
        let z = match lscp_value {
            Some(v) => v,
            None => run(&format!("{s} LSCP"), &li, tl, 1e-6),
        };
        let mi = mclp(&g, (0.6 * z).floor());
        let total: f64 = mi.demand.iter().sum();
        // Gap 1e-4 relative to the covered need (the maximisation form's gap).
        let u = run(
            &format!("{s} MCLP-T (gap 1e-4 of covered)"),
            &mi,
            tl,
            1e-4 * 0.9 * total,
        );
        let u = if quick {
            u
        } else {
            run(&format!("{s} MCLP-T (gap 1e-4 of uncovered)"), &mi, tl, 1e-6)
        };
        eprintln!("{s}: MCLP-T covers {:.2}% of need", 100.0 * (1.0 - u / total));
        if let Some(dir) = &mps {
            std::fs::create_dir_all(dir)?;
            std::fs::write(format!("{dir}/{s}_lscp.mps"), hubplan_solver::mip::write_mps(&li)?)?;
            std::fs::write(format!("{dir}/{s}_mclpt.mps"), hubplan_solver::mip::write_mps(&mi)?)?;
        }
    }
    Ok(())
}
