//! `hubplan plan` and `hubplan validate`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use hubplan::colocate::{ServiceBlocker, ServicePlan, ServiceRules};
use hubplan::plan::Blocker;
use hubplan::{Inputs, Plan, PlanStatus, Scenario};
use hubplan_io::{LoadedScenario, RunMeta};

use crate::transit::GtfsLimitArgs;
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
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
}

/// Arguments of `hubplan validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
}

/// Loads a single-service scenario and its inputs, computing travel times from
/// `[transit]` when asked. A scenario with a `[services]` table is refused (use
/// [`load_full`]), so that no command silently plans it as a single service.
pub fn load(path: &Path, quiet: bool, gtfs_limit: &GtfsLimitArgs) -> Result<(Inputs, Scenario, RunMeta)> {
    let (i, s, m, rules) = load_full(path, quiet, gtfs_limit)?;
    if rules.is_some() {
        anyhow::bail!(
            "{}: this scenario has a [services] table (the co-location model); this command supports \
             single-service scenarios so far — run `hubplan plan` on it instead",
            path.display()
        );
    }
    Ok((i, s, m))
}

/// As [`load`], and the co-location rules when the scenario has a `[services]` table.
pub fn load_full(
    path: &Path,
    quiet: bool,
    gtfs_limit: &GtfsLimitArgs,
) -> Result<(Inputs, Scenario, RunMeta, Option<ServiceRules>)> {
    let t0 = Instant::now();
    let loaded: LoadedScenario = hubplan_io::load_scenario(path)?;
    // Data-quality notices: warnings printed with their codes (also under --quiet); errors refuse.
    let notices;
    let rules = loaded.service_rules.clone();
    let mut out = match (&loaded.travel, &loaded.transit) {
        (None, Some(t)) => {
            let t = t.clone();
            let travel = crate::transit::travel_from_section(&t, &loaded.inputs_without_travel, quiet, gtfs_limit)?;
            notices = crate::validate::gate(&loaded, Some(&travel))?;
            let scenario = loaded.scenario.clone();
            let meta = loaded.run_meta();
            (
                hubplan_io::attach_travel(loaded.inputs_without_travel, travel)?,
                scenario,
                meta,
            )
        }
        _ => {
            notices = crate::validate::gate(&loaded, None)?;
            loaded.into_inputs()?
        }
    };
    crate::validate::attach(&mut out.2, notices);
    if !quiet {
        eprintln!(
            "read {} sites, {} zones, {} travel-time pairs in {:.2} s",
            out.0.sites.len(),
            out.0.zones.len(),
            out.0.travel.n_pairs(),
            t0.elapsed().as_secs_f64()
        );
    }
    Ok((out.0, out.1, out.2, rules))
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
    let (inputs, scenario, meta, rules) = load_full(&a.scenario, a.quiet, &a.gtfs_limit)?;
    if let Some(rules) = rules {
        return run_services(a, &inputs, &rules, &meta);
    }
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
    if a.report {
        let written = crate::report::write_appendix(
            &a.out,
            &inputs,
            &scenario,
            &plan,
            &meta,
            &crate::report::AppendixOptions::default(),
        )?;
        if !a.quiet {
            for p in &written {
                eprintln!("wrote {}", p.display());
            }
        }
    }
    print!("{}", summary(&inputs, &scenario, &plan));
    Ok(exit_code(plan.status))
}

fn exit_code(status: PlanStatus) -> ExitCode {
    match status {
        PlanStatus::Optimal | PlanStatus::Feasible => ExitCode::SUCCESS,
        PlanStatus::Infeasible => ExitCode::from(EXIT_INFEASIBLE),
        _ => ExitCode::from(EXIT_NO_PLAN),
    }
}

/// `hubplan plan` for a scenario with a `[services]` table: the co-location model.
fn run_services(a: &PlanArgs, inputs: &Inputs, rules: &ServiceRules, meta: &RunMeta) -> Result<ExitCode> {
    if let Some(p) = &a.export_mps {
        let text = hubplan::colocate::export_mps(inputs, rules)?;
        std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &a.export_lp {
        let text = hubplan::colocate::export_lp(inputs, rules)?;
        std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?;
    }
    let t0 = Instant::now();
    let plan = hubplan::colocate::plan_services(inputs, rules)?;
    if !a.quiet {
        eprintln!(
            "solved the co-location model with {} in {:.2} s ({} model clients, {} free sites)",
            plan.solver.backend,
            t0.elapsed().as_secs_f64(),
            plan.solver.clients,
            plan.solver.free_sites
        );
    }
    hubplan_io::write_service_plan_dir(&a.out, inputs, rules, &plan, meta)?;
    if !a.quiet {
        eprintln!("wrote {}", a.out.display());
    }
    if a.report {
        let written = write_services_appendix(&a.out, inputs, rules, &plan, meta)?;
        if !a.quiet {
            for p in written {
                eprintln!("wrote {}", p.display());
            }
        }
    }
    print!("{}", service_summary(inputs, rules, &plan));
    Ok(exit_code(plan.status))
}

/// Writes `appendix.md` and `appendix.html` for a co-location plan, atomically.
fn write_services_appendix(
    dir: &Path,
    inputs: &Inputs,
    rules: &ServiceRules,
    plan: &ServicePlan,
    meta: &RunMeta,
) -> Result<Vec<PathBuf>> {
    let svc = |v: &[hubplan::ServiceIdx]| {
        v.iter()
            .map(|&k| inputs.services[k.index()].id.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut settings = vec![("objective".to_string(), rules.objective.name().to_string())];
    if let Some(t) = rules.then {
        settings.push(("objective.then".into(), t.name().to_string()));
    }
    if let Some(m) = rules.max_minutes {
        settings.push(("access.max_minutes".into(), format!("{m}")));
    }
    settings.push(("services.required".into(), svc(&rules.services)));
    if !rules.hub.is_empty() {
        settings.push(("services.hub".into(), svc(&rules.hub)));
    }
    if rules.min_hubs_per_district > 0 {
        settings.push((
            "services.min_hubs_per_district".into(),
            rules.min_hubs_per_district.to_string(),
        ));
    }
    let money = hubplan_report::fmt::money;
    for (k, v) in [
        ("limits.budget", rules.annual_budget),
        ("services.capital_budget", rules.capital_budget),
        ("services.savings_target", rules.savings_target),
    ] {
        if let Some(v) = v {
            settings.push((k.into(), money(v)));
        }
    }
    if let Some(d) = rules.equity_max_imd_decile {
        settings.push(("services.equity_max_imd_decile".into(), d.to_string()));
    }
    let provenance = hubplan_report::Provenance {
        inputs: crate::report::provenance_inputs(meta),
        settings,
        transit: crate::report::travel_source_words(meta),
        solver: format!(
            "{}; time limit {} s; relative gap tolerance {:e}",
            plan.solver.backend,
            rules.solver.time_limit.as_secs_f64(),
            rules.solver.gap
        ),
        version: meta.hubplan_version.clone(),
        notices: meta.notices.clone(),
    };
    let title = "Family hubs: which buildings close, where services move, and why";
    let a = hubplan_report::ServiceAppendix {
        title,
        inputs,
        rules,
        plan,
        provenance: &provenance,
        generated: None,
    };
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "appendix.md",
            (hubplan_report::services_appendix_md(&a) + "\n").into_bytes(),
        ),
        ("appendix.html", hubplan_report::services_appendix_html(&a).into_bytes()),
    ];
    hubplan_io::write_files_atomically(dir, &files)?;
    Ok(files.iter().map(|(n, _)| dir.join(n)).collect())
}

fn pct(part: f64, whole: f64) -> String {
    if whole > 0.0 {
        format!("{:.1}%", 100.0 * part / whole)
    } else {
        "n/a".into()
    }
}

fn list_ids<'a>(ids: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let all: Vec<&str> = ids.into_iter().collect();
    let mut s = all.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > max {
        s += &format!(" and {} more", all.len() - max);
    }
    s
}

fn svc_name(inputs: &Inputs, s: hubplan::ServiceIdx) -> &str {
    inputs.services.get(s.index()).map_or("?", |x| x.id.as_str())
}

/// The printed summary of a co-location plan.
pub fn service_summary(inputs: &Inputs, rules: &ServiceRules, plan: &ServicePlan) -> String {
    let t = &plan.totals;
    let mut s = String::new();
    let objective = match plan.then {
        Some(then) => format!("{} then {}", plan.objective_kind.name(), then.name()),
        None => plan.objective_kind.name().to_string(),
    };
    s += &format!(
        "status: {} ({objective}; co-location of {} service(s))\n",
        plan.status.name(),
        plan.services.len()
    );
    if plan.objective.is_finite() {
        s += &format!(
            "objective: {:.2}  bound: {:.2}  gap: {:.2e}",
            plan.objective, plan.bound, plan.gap
        );
        if plan.then.is_some() && plan.primary_objective.is_finite() {
            s += &format!("  ({}: {:.2})", plan.objective_kind.name(), plan.primary_objective);
        }
        s += "\n";
    } else if plan.bound.is_finite() {
        s += &format!("bound: {:.2}\n", plan.bound);
    }
    let after = plan.status == PlanStatus::Optimal || plan.status == PlanStatus::Feasible;
    if !after {
        s += "no plan: the figures below are today's (status quo)\n";
    }
    s += &format!(
        "sites: {} before, {} after ({} closed, {} opened)\n",
        t.sites_before, t.sites_after, t.sites_closed, t.sites_opened
    );
    if !rules.hub.is_empty() {
        let hub: Vec<&str> = rules.hub.iter().map(|&x| svc_name(inputs, x)).collect();
        s += &format!(
            "family hubs ({}): {} before, {} after",
            hub.join(" + "),
            t.hubs_before,
            t.hubs_after
        );
        if rules.min_hubs_per_district > 0 {
            s += &format!("; at least {} per district", rules.min_hubs_per_district);
        }
        s += "\n";
        if !t.hubs_per_district.is_empty() {
            let d: Vec<String> = t
                .hubs_per_district
                .iter()
                .map(|(name, b, a)| format!("{name} {b}→{a}"))
                .collect();
            s += &format!("  hubs per district: {}\n", d.join(", "));
        }
    }
    s += &format!(
        "annual cost: {} before, {} after, saving {} a year{}; backlog removed {}\n",
        money(t.annual_cost_before),
        money(t.annual_cost_after),
        money(t.annual_saving),
        rules
            .savings_target
            .map_or(String::new(), |x| format!(" (target {})", money(x))),
        money(t.backlog_removed)
    );
    s += &format!(
        "one-off: opening {}, conversions {} ({} service move(s) in, {} out), total {}{}; disposal receipts {}\n",
        money(t.opening_cost),
        money(t.conversion_cost),
        t.moves_in,
        t.moves_out,
        money(t.opening_cost + t.conversion_cost),
        rules
            .capital_budget
            .map_or(String::new(), |x| format!(" (capital budget {})", money(x))),
        money(t.disposal_receipts)
    );
    s += "coverage (need within each service's limit, before → after; sites hosting it):\n";
    for (&sv, c) in plan.services.iter().zip(&t.per_service) {
        let limit = c.max_minutes.map_or("no limit".to_string(), |m| format!("{m} min"));
        s += &format!(
            "  {} ({limit}): {} → {}; {} → {} sites{}\n",
            svc_name(inputs, sv),
            pct(c.need_covered_before, c.need_total),
            pct(c.need_covered_after, c.need_total),
            c.sites_before,
            c.sites_after,
            if c.need_unreachable > 0.0 {
                format!(
                    "; {} of the need is unreachable at baseline",
                    pct(c.need_unreachable, c.need_total)
                )
            } else {
                String::new()
            }
        );
    }
    for u in &plan.unreachable {
        s += &format!(
            "unreachable at baseline for {} (excluded from the rules, listed in zones.csv): {} zone(s): {}\n",
            svc_name(inputs, u.service),
            u.zones.len(),
            list_ids(u.zones.iter().map(|&z| inputs.zone(z).id.as_str()), 10)
        );
    }
    if let Some(inf) = &plan.infeasibility {
        s += "infeasible because:\n";
        for b in &inf.blockers {
            s += &format!("  - {}\n", describe_service_blocker(inputs, rules, b));
        }
    }
    s
}

/// One sentence for a co-location blocker, naming ids.
pub fn describe_service_blocker(inputs: &Inputs, rules: &ServiceRules, b: &ServiceBlocker) -> String {
    let site_ids = |v: &[hubplan::SiteIdx]| list_ids(v.iter().map(|&j| inputs.site(j).id.as_str()), 12);
    let limit_of = |sv: hubplan::ServiceIdx| {
        hubplan::colocate::service_limit(inputs, rules, sv).map_or("its limit".to_string(), |m| format!("{m} minutes"))
    };
    match b {
        ServiceBlocker::ForcedClosures { service, zones, sites } => format!(
            "{} zone(s) can reach {} within {} only at sites forced closed or forced not to host it ({}): {}",
            zones.len(),
            svc_name(inputs, *service),
            limit_of(*service),
            site_ids(sites),
            list_ids(zones.iter().map(|&z| inputs.zone(z).id.as_str()), 12)
        ),
        ServiceBlocker::Capacity {
            site,
            services,
            zones,
            space,
            capacity,
        } => {
            let svcs: Vec<&str> = services.iter().map(|&x| svc_name(inputs, x)).collect();
            let pairs: Vec<String> = zones
                .iter()
                .map(|&(z, sv)| format!("{}/{}", inputs.zone(z).id, svc_name(inputs, sv)))
                .collect();
            format!(
                "site {} must host {} (space {space}) but its capacity is {capacity}: it is the only site within reach for {} zone/service pair(s): {}",
                inputs.site(*site).id,
                svcs.join(" + "),
                pairs.len(),
                list_ids(pairs.iter().map(String::as_str), 12)
            )
        }
        ServiceBlocker::Limit { rule, limit, plan_value } => {
            let fmt = |x: f64| {
                if rule.contains("budget") {
                    money(x)
                } else {
                    format!("{x}")
                }
            };
            if rule == "min_hubs_per_district" {
                format!("the rule of at least {limit} family hub(s) per district: without it a plan exists")
            } else {
                format!(
                    "the {rule} ({}): without it a plan exists, and the least-cost one needs {}",
                    fmt(*limit),
                    fmt(*plan_value)
                )
            }
        }
        ServiceBlocker::Combination => {
            "no single limit explains it: the budget, savings target, capital budget, site count and hub rule block together".to_string()
        }
        other => format!("{other:?}"),
    }
}

/// `hubplan validate` before coded notices (superseded by `crate::validate::run`).
#[allow(dead_code)]
pub fn validate(a: &ValidateArgs) -> Result<ExitCode> {
    let (inputs, scenario, meta, rules) = load_full(&a.scenario, a.quiet, &a.gtfs_limit)?;
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
    if let Some(rules) = &rules {
        hubplan::colocate::check_rules(&inputs, rules)?;
        print!("{}", describe_services(&inputs, rules));
        println!("ok");
        return Ok(ExitCode::SUCCESS);
    }
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

/// `hubplan validate` for a `[services]` scenario: the planned services and the rules.
pub(crate) fn describe_services(inputs: &Inputs, rules: &ServiceRules) -> String {
    use hubplan::model::SiteStatus;
    let mut s = String::new();
    let planned = hubplan::colocate::planned_services(inputs, rules);
    let mapped = hubplan::colocate::map_services(inputs, rules);
    s += "co-location model ([services]); planned services:\n";
    s += "  service            need_column   limit    space  conversion  hosted today  can host  need      unreachable zones\n";
    for (k, &sv) in planned.iter().enumerate() {
        let svc = &inputs.services[sv.index()];
        let today = inputs
            .sites
            .iter()
            .filter(|x| x.status == SiteStatus::Existing && x.services.contains(&sv))
            .count();
        let capable = inputs
            .sites
            .iter()
            .filter(|x| x.services.contains(&sv) || x.can_host.contains(&sv))
            .count();
        let need: f64 = inputs.zone_indices().map(|z| inputs.need(z, Some(sv))).sum();
        let un = mapped.unreachable.get(k).map_or(0, Vec::len);
        let limit =
            hubplan::colocate::service_limit(inputs, rules, sv).map_or("none".to_string(), |m| format!("{m} min"));
        s += &format!(
            "  {:<18} {:<13} {:<8} {:<6} {:<11} {:<13} {:<9} {:<9.0} {}{}\n",
            svc.id,
            svc.need_column.as_deref().unwrap_or("(need)"),
            limit,
            svc.space,
            money(svc.conversion_cost),
            today,
            capable,
            need,
            un,
            if rules.hub.contains(&sv) { "  [hub]" } else { "" }
        );
        if let Some(u) = mapped.unreachable.get(k).filter(|u| !u.is_empty()) {
            s += &format!(
                "    unreachable at baseline: {}\n",
                list_ids(u.iter().map(|&z| inputs.zone(z).id.as_str()), 10)
            );
        }
    }
    let ids = |v: &[hubplan::SiteIdx]| list_ids(v.iter().map(|&j| inputs.site(j).id.as_str()), 20);
    let pairs = |v: &[(hubplan::SiteIdx, hubplan::ServiceIdx)]| {
        list_ids(
            v.iter()
                .map(|&(j, sv)| format!("{}/{}", inputs.site(j).id, svc_name(inputs, sv)))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
            20,
        )
    };
    s += "rules:\n";
    s += &format!(
        "  objective: {}{}\n",
        rules.objective.name(),
        rules.then.map_or(String::new(), |t| format!(
            " then {} (tolerance {:e})",
            t.name(),
            rules.lex_tolerance
        ))
    );
    if !rules.hub.is_empty() {
        let hub: Vec<&str> = rules.hub.iter().map(|&x| svc_name(inputs, x)).collect();
        let capable = inputs
            .site_indices()
            .filter(|&j| {
                let site = inputs.site(j);
                let space: f64 = rules.hub.iter().map(|x| inputs.services[x.index()].space).sum();
                rules
                    .hub
                    .iter()
                    .all(|x| site.services.contains(x) || site.can_host.contains(x))
                    && site.capacity.is_none_or(|c| space <= c + 1e-9)
            })
            .count();
        s += &format!(
            "  family hub: {} ({} site(s) could be one); at least {} per district\n",
            hub.join(" + "),
            capable,
            rules.min_hubs_per_district
        );
    }
    if let Some(b) = rules.annual_budget {
        s += &format!("  annual budget: {}\n", money(b));
    }
    if let Some(t) = rules.savings_target {
        s += &format!("  savings target: {} a year\n", money(t));
    }
    if let Some(c) = rules.capital_budget {
        s += &format!("  capital budget: {}\n", money(c));
    }
    if let Some(p) = rules.sites.exact {
        s += &format!("  open sites: exactly {p}\n");
    }
    if rules.sites.min.is_some() || rules.sites.max.is_some() {
        s += &format!(
            "  open sites: {}..{}\n",
            rules.sites.min.map_or(String::new(), |x| x.to_string()),
            rules.sites.max.map_or(String::new(), |x| x.to_string())
        );
    }
    if !rules.keep.is_empty() {
        s += &format!("  keep: {}\n", ids(&rules.keep));
    }
    if !rules.close.is_empty() {
        s += &format!("  close: {}\n", ids(&rules.close));
    }
    if !rules.keep_service.is_empty() {
        s += &format!("  keep_service: {}\n", pairs(&rules.keep_service));
    }
    if !rules.close_service.is_empty() {
        s += &format!("  close_service: {}\n", pairs(&rules.close_service));
    }
    if let Some(d) = rules.equity_max_imd_decile {
        s += &format!("  equity: zones in IMD deciles 1–{d} covered for every service\n");
    }
    s
}
