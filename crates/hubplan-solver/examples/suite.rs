//! The peer suite, hubplan side: generates the seeded cases of
//! `hubplan_solver::synthetic::suite`, writes each as data for spopt
//! (`NAME.json`) and as MPS for HiGHS (`NAME.mps`), solves it with hubplan and
//! writes `NAME.hubplan.json`. Driven by `benches/peers/suite.py` (which sets
//! `RAYON_NUM_THREADS=1`, one core each).
//!
//! `cargo run --release -p hubplan-solver --example suite -- --out DIR [--sizes S,M] [--filter TEXT]... [--tl SECS] [--gap REL] [--seed N] [--search auto|lp|lagrangian|radius] [--no-solve]`
use hubplan_solver::synthetic::{case_data, suite, Limit, Model};
use hubplan_solver::{solve_with, Search, SolveOptions};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Progress to stderr when `HUBPLAN_TRACE` is set (the solver logs at `debug`).
struct Trace(Instant);

impl log::Log for Trace {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.target().starts_with("hubplan_solver")
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            eprintln!("{:8.3} {}", self.0.elapsed().as_secs_f64(), r.args());
        }
    }
    fn flush(&self) {}
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("HUBPLAN_TRACE").is_some() {
        let t: &'static Trace = Box::leak(Box::new(Trace(Instant::now())));
        let _ = log::set_logger(t);
        log::set_max_level(log::LevelFilter::Debug);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = String::from("/tmp/hubplan-suite");
    let mut sizes = String::from("S");
    let mut filters: Vec<String> = Vec::new();
    let mut tl = 60.0f64;
    let mut gap = 1e-4f64;
    let mut seed = 1u64;
    let mut no_solve = false;
    let mut search = Search::Auto;
    let mut k = 0;
    while k < args.len() {
        let v = args.get(k + 1).cloned().unwrap_or_default();
        match args[k].as_str() {
            "--out" => out = v,
            "--sizes" => sizes = v,
            "--filter" => filters.push(v),
            "--tl" => tl = v.parse()?,
            "--gap" => gap = v.parse()?,
            "--seed" => seed = v.parse()?,
            "--search" => {
                search = match v.as_str() {
                    "lp" => Search::Lp,
                    "lagrangian" => Search::Lagrangian,
                    "radius" => Search::Radius,
                    "split" => Search::Split,
                    _ => Search::Auto,
                }
            }
            "--no-solve" => {
                no_solve = true;
                k += 1;
                continue;
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
        k += 2;
    }
    std::fs::create_dir_all(&out)?;
    let sizes: Vec<&str> = sizes.split(',').collect();
    for c in suite(&sizes, seed) {
        if !filters.is_empty() && !filters.iter().all(|f| c.name.contains(f.as_str())) {
            continue;
        }
        let d = case_data(&c);
        let inst = &d.instance;
        let model = match c.model {
            Model::Lscp => "lscp",
            Model::Mclp => "mclp",
            Model::PMedian => "pmedian",
        };
        let mut j = String::new();
        write!(
            j,
            "{{\"name\":\"{}\",\"model\":\"{model}\",\"unit\":{},\"limit\":\"{}\",\"threshold\":{},\"missing\":{},\"zones\":{},\"sites\":{},\"p\":{},\"budget\":{},\"need\":{:?},\"cost\":{:?},\"pairs\":[",
            c.name,
            c.unit,
            match c.limit {
                Limit::Neither => "neither",
                Limit::Budget => "budget",
                Limit::P => "p",
            },
            c.spec.threshold_min,
            hubplan_solver::synthetic::MISSING_MINUTES,
            d.need.len(),
            d.cost.len(),
            d.p.map_or("null".into(), |p| p.to_string()),
            d.budget.map_or("null".into(), |b| b.to_string()),
            d.need,
            d.cost,
        )?;
        let mut first = true;
        for (i, r) in d.reach.iter().enumerate() {
            for &(s, t) in r {
                if !first {
                    j.push(',');
                }
                first = false;
                write!(j, "[{i},{s},{t}]")?;
            }
        }
        j.push_str("]}\n");
        std::fs::write(format!("{out}/{}.json", c.name), j)?;
        std::fs::write(format!("{out}/{}.mps", c.name), hubplan_solver::mip::write_mps(inst)?)?;
        if no_solve {
            continue;
        }
        let opts = SolveOptions {
            time_limit: Duration::from_secs_f64(tl),
            rel_gap: gap,
            abs_gap: 1e-6,
        };
        let t = Instant::now();
        let o = solve_with(inst, &opts, search)?;
        let secs = t.elapsed().as_secs_f64();
        let num = |x: f64| if x.is_finite() { format!("{x}") } else { "null".into() };
        std::fs::write(
            format!("{out}/{}.hubplan.json", c.name),
            format!(
                "{{\"status\":\"{:?}\",\"objective\":{},\"bound\":{},\"nodes\":{},\"seconds\":{secs},\"search\":\"{}\",\"why\":{:?}}}\n",
                o.status,
                num(o.objective),
                num(o.bound),
                o.nodes,
                o.search,
                o.why
            ),
        )?;
        println!(
            "{} {:?} {} bound {} {:.3}s {}",
            c.name, o.status, o.objective, o.bound, secs, o.search
        );
    }
    Ok(())
}
