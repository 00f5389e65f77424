//! `hubplan validate` (to be replaced by the validation engineer's rewrite; kept
//! working, unchanged in behaviour, over the run facade).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use hubplan::colocate::ServiceRules;
use hubplan::{Inputs, Scenario};
use hubplan_run::text::{list_ids, money, svc_name};
use hubplan_run::Model;

use crate::{GtfsLimitArgs, Printer};

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

/// `hubplan validate`.
pub fn run(a: &ValidateArgs) -> Result<ExitCode> {
    let printer = Printer::new(a.quiet);
    let job = hubplan_run::load(&a.scenario, &a.gtfs_limit.load_options(), &printer)?;
    let (inputs, meta) = (job.inputs(), job.meta());
    let (scenario, rules): (Scenario, Option<&ServiceRules>) = match job.model() {
        Model::Single(s) => (s.clone(), None),
        Model::Services(r) => (
            Scenario {
                max_minutes: r.max_minutes,
                ..Scenario::min_cost()
            },
            Some(r),
        ),
        _ => anyhow::bail!("unsupported model"),
    };
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
        .filter(|&z| !hubplan::evaluate::reachable_at_baseline(inputs, z, scenario.max_minutes))
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
        hubplan::colocate::check_rules(inputs, rules)?;
        print!("{}", describe_services(inputs, rules));
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
    hubplan::optimise::check_scenario(inputs, &scenario)?;
    println!("ok");
    Ok(ExitCode::SUCCESS)
}

/// `hubplan validate` for a `[services]` scenario: the planned services and the rules.
fn describe_services(inputs: &Inputs, rules: &ServiceRules) -> String {
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
            .filter(|&j| hubplan::colocate::hub_capable(inputs, rules, j))
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
