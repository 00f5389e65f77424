//! `cargo bench -p hubplan-benches --bench solver -- [S] [M] [L] [kent] [sjc818[:S:p]] [--mps DIR] [--quick] [--tl SECS] [--lscp VALUE] [--search auto|lp|lagrangian|benders] [--whatif]`
//!
//! `sjc818` solves SJC818 with S = 800 and p = 12 (the reference of tests/sjc.rs),
//! `sjc818:S:p` any other case, and writes `sjc818_S_p.mps`. `--whatif` re-plans each size's MCLP-T with one
//! site forced open and then one forced closed, for both gaps ("of covered" and
//! "of uncovered"): cold, warm-started from the base plan alone (`solve_warm`
//! without a state, the re-plan of sessions 8–9), and re-planned from the base
//! solve's kept state (`solve_with_state`, then `solve_warm` with it), and
//! prints the three times. `RUST_LOG=debug` traces the searches.
use hubplan_solver::synthetic::{generate, lscp, mclp, Spec};
use hubplan_solver::{
    solve_warm, solve_with, solve_with_state, Fixing, Instance, Outcome, Search, SolveOptions, WarmStart, WarmState,
};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The search every run uses (`--search`).
static SEARCH: OnceLock<Search> = OnceLock::new();

fn options(tl: u64, abs_gap: f64) -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_secs(tl),
        rel_gap: 1e-4,
        abs_gap,
    }
}

fn run(name: &str, inst: &Instance, tl: u64, abs_gap: f64) -> f64 {
    run_full(name, inst, tl, abs_gap, None).map_or(f64::NAN, |o| o.objective)
}

/// One solve (warm-started from `warm` when given); prints a table row.
fn run_full(name: &str, inst: &Instance, tl: u64, abs_gap: f64, warm: Option<&[bool]>) -> Option<Outcome> {
    run_state(name, inst, tl, abs_gap, warm, None, false).map(|(o, _)| o)
}

/// [`run_full`] with a kept state to re-plan from (`state`), or keeping one (`keep`).
fn run_state(
    name: &str,
    inst: &Instance,
    tl: u64,
    abs_gap: f64,
    warm: Option<&[bool]>,
    state: Option<&WarmState>,
    keep: bool,
) -> Option<(Outcome, WarmState)> {
    let opts = options(tl, abs_gap);
    let search = *SEARCH.get().unwrap_or(&Search::Auto);
    let t = Instant::now();
    let mut kept = WarmState::default();
    let r = match (warm, state) {
        (Some(open), Some(st)) => solve_warm(
            inst,
            &opts,
            search,
            &WarmStart {
                open: open.to_vec(),
                state: st.clone(),
            },
        ),
        _ if keep => solve_with_state(inst, &opts, search).map(|(o, s)| {
            kept = s;
            o
        }),
        (Some(open), None) => solve_warm(
            inst,
            &opts,
            search,
            &WarmStart {
                open: open.to_vec(),
                ..Default::default()
            },
        ),
        (None, _) => solve_with(inst, &opts, search),
    };
    let o = match r {
        Ok(o) => o,
        Err(e) => {
            println!("| {name} | error: {e} |");
            return None;
        }
    };
    let secs = t.elapsed().as_secs_f64();
    let arcs = inst.arcs.len();
    println!(
        "| {name} | {}×{} ({arcs} arcs) | {:?} | {} | {} | {:.2e} | {} | {secs:.3} | {} |",
        inst.n_clients(),
        inst.n_sites(),
        o.status,
        o.objective,
        o.bound,
        o.gap(),
        o.nodes,
        o.search
    );
    eprintln!("{name}: {}", o.why);
    Some((o, kept))
}

/// The what-if of issue 13: the base plan, then one site forced open and one
/// forced closed, each cold, warm-started from the base plan alone, and
/// re-planned from the base solve's kept state.
fn whatif(s: &str, inst: &Instance, tl: u64, abs_gap: f64, gap_name: &str) {
    let Some((base, state)) = run_state(
        &format!("{s} what-if base ({gap_name})"),
        inst,
        tl,
        abs_gap,
        None,
        None,
        true,
    ) else {
        return;
    };
    eprintln!("{s} ({gap_name}): kept {state:?}");
    if base.open.is_empty() {
        return;
    }
    // The closed site that covers the most need, and the open site that covers the least.
    let mut cover = vec![0.0; inst.n_sites()];
    for i in 0..inst.n_clients() {
        for a in inst.arcs_of(i) {
            cover[a.site as usize] += inst.demand[i];
        }
    }
    let pick = |want: bool, most: bool| {
        (0..inst.n_sites())
            .filter(|&j| base.open[j] == want && inst.fixing[j] == Fixing::Free)
            .max_by(|&a, &b| {
                let o = cover[a].total_cmp(&cover[b]).then(b.cmp(&a));
                if most {
                    o
                } else {
                    o.reverse()
                }
            })
    };
    for (what, j, fx) in [
        ("forced open", pick(false, true), Fixing::Open),
        ("forced closed", pick(true, false), Fixing::Closed),
    ] {
        let Some(j) = j else { continue };
        let mut w = inst.clone();
        w.fixing[j] = fx;
        let name = format!("{s} what-if site {j} {what} ({gap_name})");
        let cold = run_full(&format!("{name}, cold"), &w, tl, abs_gap, None);
        run_full(
            &format!("{name}, warm from the plan"),
            &w,
            tl,
            abs_gap,
            Some(&base.open),
        );
        let warm = run_state(
            &format!("{name}, re-plan from the kept state"),
            &w,
            tl,
            abs_gap,
            Some(&base.open),
            Some(&state),
            false,
        );
        if let (Some(c), Some((w, _))) = (cold, warm) {
            if (c.objective - w.objective).abs() > abs_gap.max(1e-4 * c.objective.abs()) {
                println!("| {name} | MISMATCH: cold {} re-plan {} |", c.objective, w.objective);
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = env_logger::try_init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes = Vec::new();
    let mut mps: Option<String> = None;
    let mut seed = 1u64;
    let mut tl = 300u64;
    let mut quick = false;
    // Use this LSCP value for the MCLP-T budget instead of solving LSCP
    // (to rebuild exactly the instance an earlier run exported).
    let mut lscp_value: Option<f64> = None;
    let mut what_if = false;
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
            "--whatif" => what_if = true,
            "--search" => {
                let v = match args.get(k + 1).map(String::as_str) {
                    Some("auto") => Search::Auto,
                    Some("lp") => Search::Lp,
                    Some("lagrangian") => Search::Lagrangian,
                    Some("benders") => Search::Benders,
                    Some("split") => Search::Split,
                    _ => return Err("bad --search (auto|lp|lagrangian|benders|split)".into()),
                };
                let _ = SEARCH.set(v);
                k += 1;
            }
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
    println!("| instance | zones×sites | status | objective | bound | gap | nodes | seconds | search |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for s in sizes {
        if let Some(rest) = s.strip_prefix("sjc818") {
            // `sjc818` is S = 800, p = 12; `sjc818:S:p` any other case.
            let sp: Vec<&str> = rest.split(':').filter(|x| !x.is_empty()).collect();
            let dist: f64 = sp
                .first()
                .map_or(Ok(800.0), |x| x.parse())
                .map_err(|_| "bad sjc818:S:p")?;
            let p: u32 = sp.get(1).map_or(Ok(12), |x| x.parse()).map_err(|_| "bad sjc818:S:p")?;
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/reference/mclp_sjc");
            let coords = std::fs::read_to_string(format!("{dir}/SJC818.txt"))?;
            let demand = std::fs::read_to_string(format!("{dir}/demand-SJC818.dat"))?;
            let inst = hubplan_solver::orlib::sjc(&coords, &demand, dist, p)?;
            run(&format!("SJC818 S={dist} p={p}"), &inst, tl, 1e-6);
            if let Some(dir) = &mps {
                std::fs::create_dir_all(dir)?;
                std::fs::write(
                    format!("{dir}/sjc818_{dist}_{p}.mps"),
                    hubplan_solver::mip::write_mps(&inst)?,
                )?;
            }
            continue;
        }
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
        if what_if {
            whatif(&s, &mi, tl, 1e-4 * 0.9 * total, "of covered");
            whatif(&s, &mi, tl, 1e-6, "of uncovered");
        }
        if let Some(dir) = &mps {
            std::fs::create_dir_all(dir)?;
            std::fs::write(format!("{dir}/{s}_lscp.mps"), hubplan_solver::mip::write_mps(&li)?)?;
            std::fs::write(format!("{dir}/{s}_mclpt.mps"), hubplan_solver::mip::write_mps(&mi)?)?;
        }
    }
    Ok(())
}
