//! `hubplan validate`: every data check of a scenario as coded notices
//! (`hubplan-check`, catalogue in docs/VALIDATION.md), and the lines that describe
//! its inputs. The `[transit]` timetable is read once, through the same path as
//! [`crate::load`] (streets included), and its own checks are among the notices.

use std::path::Path;

use hubplan::colocate::ServiceRules;
use hubplan::model::SiteStatus;
use hubplan::notice::{Notice, Severity};
use hubplan::travel::TravelTimes;
use hubplan::{Inputs, ZoneIdx};
use hubplan_check::CheckOptions;
use hubplan_io::LoadedScenario;

use crate::error::Result;
use crate::load::{feed_checks, read_timetable, timetable_travel, LoadOptions, Progress};
use crate::text::{list_ids, money, svc_name};

/// What [`validate`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// Every notice, sorted (errors first, then by code, file and row).
    pub notices: Vec<Notice>,
    /// Lines that describe the inputs: the scenario, each file with its sha256, the
    /// counts and totals, the zones no site reaches, and for a `[services]` scenario
    /// the planned services and the rules. Empty when the checks could not run.
    pub header: String,
    /// Why the checks stopped early (the scenario did not load, the timetable could not
    /// be read), word for word as `hubplan plan` says it; it is also among the notices.
    pub refusal: Option<String>,
}

/// Runs every check of the scenario at `path` (the data checks, the solve checks, the
/// timetable's checks). Never fails: a scenario that does not load is one error notice.
pub fn validate(path: &Path, options: &LoadOptions, progress: &dyn Progress) -> Validation {
    match hubplan_io::load_scenario(path) {
        Err(e) => Validation {
            notices: vec![hubplan_check::notice_from_load_error(&e)],
            header: String::new(),
            refusal: Some(e.to_string()),
        },
        Ok(loaded) => match check_loaded(path, &loaded, options, progress) {
            Ok((notices, header)) => Validation {
                notices,
                header,
                refusal: None,
            },
            Err(e) => {
                let message = e.to_string();
                Validation {
                    notices: vec![Notice::new(
                        hubplan_check::codes::INPUT_ERROR,
                        Severity::Error,
                        message.clone(),
                    )],
                    header: String::new(),
                    refusal: Some(message),
                }
            }
        },
    }
}

/// Every check of a loaded scenario, and the header lines.
fn check_loaded(
    path: &Path,
    loaded: &LoadedScenario,
    options: &LoadOptions,
    progress: &dyn Progress,
) -> Result<(Vec<Notice>, String)> {
    let mut notices = Vec::new();
    let computed = match (&loaded.travel, &loaded.transit) {
        (None, Some(t)) => {
            let tt = read_timetable(t, options, progress)?;
            notices.extend(feed_checks(loaded, t, &tt));
            Some(timetable_travel(t, &tt, &loaded.inputs_without_travel, progress)?.0)
        }
        _ => None,
    };
    let travel = computed.as_ref().or(loaded.travel.as_ref());
    notices.extend(hubplan_check::check_scenario(
        loaded,
        travel,
        &CheckOptions {
            solve: true,
            ..CheckOptions::default()
        },
    ));
    // The planned services and rules of a co-location scenario.
    let mut services_text = String::new();
    if let (Some(r), Some(t)) = (&loaded.service_rules, travel) {
        if !notices
            .iter()
            .any(|n| n.code == hubplan_check::codes::SCENARIO_CONTRADICTION)
        {
            let inputs = Inputs {
                sites: loaded.inputs_without_travel.sites.clone(),
                zones: loaded.inputs_without_travel.zones.clone(),
                services: loaded.inputs_without_travel.services.clone(),
                travel: t.clone(),
            };
            services_text = describe_services(&inputs, r);
        }
    }
    hubplan_check::sort(&mut notices);
    let mut h = inputs_text(path, loaded, travel);
    h += &services_text;
    Ok((notices, h))
}

/// The scenario, its files, counts and totals, and (single service) the zones that no
/// site reaches within the limit even with every site open.
fn inputs_text(path: &Path, loaded: &LoadedScenario, travel: Option<&TravelTimes>) -> String {
    let inp = &loaded.inputs_without_travel;
    let mut h = format!("scenario: {}\n", path.display());
    for f in &loaded.files {
        h += &format!("  {:<13} {} sha256 {}\n", f.role, f.path.display(), f.sha256);
    }
    let existing = inp.sites.iter().filter(|s| s.status == SiteStatus::Existing).count();
    h += &format!(
        "sites: {} ({} existing, {} candidates); zones: {}; services: {}; travel-time pairs: {}\n",
        inp.sites.len(),
        existing,
        inp.sites.len() - existing,
        inp.zones.len(),
        inp.services.len(),
        travel.map_or(0, TravelTimes::n_pairs)
    );
    let cost: f64 = inp
        .sites
        .iter()
        .filter(|s| s.status == SiteStatus::Existing)
        .map(|s| s.annual_cost)
        .sum();
    let backlog: f64 = inp.sites.iter().map(|s| s.backlog).sum();
    let need: f64 = inp.zones.iter().map(|z| z.need).sum();
    h += &format!(
        "total need {}; annual cost of existing sites {}; backlog {}\n",
        hubplan::fmt::plain(need.round()),
        money(cost),
        money(backlog)
    );
    if let (Some(t), None) = (travel, &loaded.service_rules) {
        let lim = loaded.scenario.max_minutes;
        let mut un: Vec<&str> = (0..inp.zones.len())
            .filter(|&z| !t.row(ZoneIdx::from_index(z)).any(|(_, m)| lim.is_none_or(|l| m <= l)))
            .map(|z| inp.zones[z].id.as_str())
            .collect();
        un.sort_unstable();
        h += &format!(
            "zones with no site within {} even with every site open: {}{}\n",
            lim.map_or("any time".to_string(), |m| format!("{m} minutes")),
            un.len(),
            if un.is_empty() {
                String::new()
            } else {
                format!(
                    " ({}{})",
                    un.iter().take(10).copied().collect::<Vec<_>>().join(", "),
                    if un.len() > 10 { ", …" } else { "" }
                )
            }
        );
    }
    h
}

/// A `[services]` scenario: the planned services and the rules.
fn describe_services(inputs: &Inputs, rules: &ServiceRules) -> String {
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
