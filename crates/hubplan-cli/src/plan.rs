//! `hubplan plan` and `hubplan validate`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use hubplan::plan::Blocker;
use hubplan::{Inputs, Plan, PlanStatus, Scenario};
use hubplan_io::{LoadedScenario, RunMeta};

use crate::{EXIT_INFEASIBLE, EXIT_NO_PLAN};

/// Arguments of `hubplan plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Output directory (created if needed; files are replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the cabinet appendix (appendix.html, appendix.md).
    #[arg(long)]
    pub report: bool,
    /// Write the optimisation model as MPS, for an auditor to re-solve elsewhere.
    #[arg(long, value_name = "FILE")]
    pub export_mps: Option<PathBuf>,
    /// Write the optimisation model as CPLEX LP text.
    #[arg(long, value_name = "FILE")]
    pub export_lp: Option<PathBuf>,
    /// No progress or timing on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// Arguments of `hubplan validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// Loads a scenario and its inputs, computing travel times from `[transit]` when asked.
pub fn load(path: &Path, quiet: bool) -> Result<(Inputs, Scenario, RunMeta)> {
    let t0 = Instant::now();
    let loaded: LoadedScenario = hubplan_io::load_scenario(path)?;
    if !quiet {
        for w in &loaded.warnings {
            eprintln!("warning: {w}");
        }
    }
    let out = match (&loaded.travel, &loaded.transit) {
        (None, Some(t)) => {
            let t = t.clone();
            let travel = crate::transit::travel_from_section(&t, &loaded.inputs_without_travel, quiet)?;
            let scenario = loaded.scenario.clone();
            let meta = loaded.run_meta();
            (
                hubplan_io::attach_travel(loaded.inputs_without_travel, travel)?,
                scenario,
                meta,
            )
        }
        _ => loaded.into_inputs()?,
    };
    if !quiet {
        eprintln!(
            "read {} sites, {} zones, {} travel-time pairs in {:.2} s",
            out.0.sites.len(),
            out.0.zones.len(),
            out.0.travel.n_pairs(),
            t0.elapsed().as_secs_f64()
        );
    }
    Ok(out)
}

fn money(x: f64) -> String {
    let neg = x < 0.0;
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{}£{out}", if neg { "-" } else { "" })
}

fn summary(inputs: &Inputs, sc: &Scenario, plan: &Plan) -> String {
    let t = &plan.totals;
    let mut s = String::new();
    let limit = sc
        .max_minutes
        .map_or("no limit".to_string(), |m| format!("{m} minutes"));
    s += &format!("status: {} ({}, {limit})\n", plan.status.name(), sc.objective.name());
    if plan.objective.is_finite() {
        s += &format!(
            "objective: {:.2}  bound: {:.2}  gap: {:.2e}\n",
            plan.objective, plan.bound, plan.gap
        );
    }
    s += &format!(
        "sites: {} before, {} after ({} closed, {} opened)\n",
        t.sites_before, t.sites_after, t.sites_closed, t.sites_opened
    );
    s += &format!(
        "annual cost: {} before, {} after, saving {} a year; backlog removed {}\n",
        money(t.annual_cost_before),
        money(t.annual_cost_after),
        money(t.annual_saving),
        money(t.backlog_removed)
    );
    if t.need_total > 0.0 {
        s += &format!(
            "need within the limit: {:.1}% before, {:.1}% after\n",
            100.0 * t.need_covered_before / t.need_total,
            100.0 * t.need_covered_after / t.need_total
        );
    }
    if !plan.unreachable.is_empty() {
        let ids: Vec<&str> = plan
            .unreachable
            .iter()
            .take(10)
            .map(|&z| inputs.zone(z).id.as_str())
            .collect();
        s += &format!(
            "unreachable at baseline (excluded from the rule, listed in zones.csv): {} zones: {}{}\n",
            plan.unreachable.len(),
            ids.join(", "),
            if plan.unreachable.len() > 10 { ", …" } else { "" }
        );
    }
    if let Some(inf) = &plan.infeasibility {
        s += "infeasible because:\n";
        for b in &inf.blockers {
            s += &format!("  - {}\n", describe_blocker(inputs, sc, b));
        }
    }
    s
}

/// One sentence for a blocker, naming ids.
pub fn describe_blocker(inputs: &Inputs, sc: &Scenario, b: &Blocker) -> String {
    let zones = |zs: &[hubplan::ZoneIdx]| {
        let v: Vec<&str> = zs.iter().take(12).map(|&z| inputs.zone(z).id.as_str()).collect();
        format!(
            "{}{}",
            v.join(", "),
            if zs.len() > 12 {
                format!(" and {} more", zs.len() - 12)
            } else {
                String::new()
            }
        )
    };
    let limit = sc
        .max_minutes
        .map_or("the limit".to_string(), |m| format!("{m} minutes"));
    match b {
        Blocker::ForcedClosures { zones: zs, sites } => {
            let s: Vec<&str> = sites.iter().map(|&x| inputs.site(x).id.as_str()).collect();
            format!(
                "{} zone(s) can only reach a site within {limit} through sites forced closed ({}): {}",
                zs.len(),
                s.join(", "),
                zones(zs)
            )
        }
        Blocker::Budget { budget, least_cost, zones: zs } => format!(
            "the budget {} is below the least annual cost that keeps every zone within {limit}{}; the best plan within the budget leaves {} zone(s) beyond it: {}",
            money(*budget),
            least_cost.map_or(String::new(), |c| format!(" ({})", money(c))),
            zs.len(),
            zones(zs)
        ),
        Blocker::SiteCount { sites, least_sites, zones: zs } => format!(
            "{sites} site(s) cannot keep every zone within {limit}{}; the best {sites} leave {} zone(s) beyond it: {}",
            least_sites.map_or(String::new(), |p| format!(" (at least {p} are needed)")),
            zs.len(),
            zones(zs)
        ),
        Blocker::Combination => {
            "the budget and the site count can each be met alone, but not together".to_string()
        }
        _ => format!("{b:?}"),
    }
}

/// `hubplan plan`.
pub fn run(a: &PlanArgs) -> Result<ExitCode> {
    let (inputs, scenario, meta) = load(&a.scenario, a.quiet)?;
    if a.export_mps.is_some() || a.export_lp.is_some() {
        hubplan::optimise::check_scenario(&inputs, &scenario)?;
        let mapped = hubplan::optimise::map_instance(&inputs, &scenario);
        if let Some(p) = &a.export_mps {
            let text = hubplan_solver::mip::write_mps(&mapped.instance).map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?;
        }
        if let Some(p) = &a.export_lp {
            let text = hubplan_solver::mip::write_lp(&mapped.instance).map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?;
        }
    }
    let t0 = Instant::now();
    let plan = hubplan::plan(&inputs, &scenario)?;
    if !a.quiet {
        eprintln!(
            "solved with {} in {:.2} s ({} nodes, {} zones, {} free sites)",
            plan.solver.backend,
            t0.elapsed().as_secs_f64(),
            plan.solver.nodes,
            plan.solver.clients,
            plan.solver.free_sites
        );
    }
    hubplan_io::write_plan_dir(&a.out, &inputs, &scenario, &plan, &meta)?;
    if !a.quiet {
        eprintln!("wrote {}", a.out.display());
    }
    print!("{}", summary(&inputs, &scenario, &plan));
    Ok(match plan.status {
        PlanStatus::Optimal | PlanStatus::Feasible => ExitCode::SUCCESS,
        PlanStatus::Infeasible => ExitCode::from(EXIT_INFEASIBLE),
        _ => ExitCode::from(EXIT_NO_PLAN),
    })
}

/// `hubplan validate`.
pub fn validate(a: &ValidateArgs) -> Result<ExitCode> {
    let (inputs, scenario, meta) = load(&a.scenario, a.quiet)?;
    let existing = inputs
        .sites
        .iter()
        .filter(|s| s.status == hubplan::model::SiteStatus::Existing)
        .count();
    let cost: f64 = inputs
        .sites
        .iter()
        .filter(|s| s.status == hubplan::model::SiteStatus::Existing)
        .map(|s| s.annual_cost)
        .sum();
    let backlog: f64 = inputs.sites.iter().map(|s| s.backlog).sum();
    let need: f64 = inputs.zones.iter().map(|z| z.need).sum();
    let unreachable: Vec<&str> = inputs
        .zone_indices()
        .filter(|&z| !hubplan::evaluate::reachable_at_baseline(&inputs, z, scenario.max_minutes))
        .map(|z| inputs.zone(z).id.as_str())
        .collect();
    println!("scenario: {}", a.scenario.display());
    for f in &meta.inputs {
        println!("  {:<13} {} sha256 {}", f.role, f.path.display(), f.sha256);
    }
    println!(
        "sites: {} ({} existing, {} candidates)",
        inputs.sites.len(),
        existing,
        inputs.sites.len() - existing
    );
    println!("zones: {} (total need {:.0})", inputs.zones.len(), need);
    println!("services: {}", inputs.services.len());
    println!("travel-time pairs: {}", inputs.travel.n_pairs());
    println!(
        "annual cost of existing sites: {}; backlog {}",
        money(cost),
        money(backlog)
    );
    let limit = scenario
        .max_minutes
        .map_or("any site".to_string(), |m| format!("{m} minutes"));
    println!(
        "zones with no site within {limit} even with every site open: {}{}",
        unreachable.len(),
        if unreachable.is_empty() {
            String::new()
        } else {
            format!(
                " ({}{})",
                unreachable.iter().take(10).cloned().collect::<Vec<_>>().join(", "),
                if unreachable.len() > 10 { ", …" } else { "" }
            )
        }
    );
    hubplan::optimise::check_scenario(&inputs, &scenario)?;
    println!("ok");
    Ok(ExitCode::SUCCESS)
}
