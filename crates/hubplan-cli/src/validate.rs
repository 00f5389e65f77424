//! `hubplan validate`: every data check of a scenario as coded notices
//! (`hubplan-check`, catalogue in docs/VALIDATION.md), grouped by code; and the
//! gate that `hubplan plan` and the other commands pass their inputs through.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use hubplan::notice::{Notice, Severity};
use hubplan::travel::TravelTimes;
use hubplan::{SiteIdx, ZoneIdx};
use hubplan_check::report::ValidationReport;
use hubplan_check::CheckOptions;
use hubplan_io::{InputsWithoutTravel, LoadedScenario, TransitSection};
use hubplan_transit::{seconds_to_minutes_2dp, travel_time_matrix, ServiceDate};

use hubplan::colocate::ServiceRules;
use hubplan::Inputs;
use hubplan_run::text::{list_ids, money, svc_name};

use crate::{GtfsLimitArgs, EXIT_BAD_INPUT};

/// Output format of `hubplan validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Notices grouped by code, with counts and the first examples.
    Text,
    /// The validation report as JSON (as validation.json).
    Json,
}

/// Arguments of `hubplan validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Output on stdout: text (grouped by code) or json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write validation.json and validation.html into this directory (atomically).
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Count warnings as errors (exit 2 when there is one).
    #[arg(long)]
    pub strict: bool,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
}

/// `hubplan validate`: exit 0 with no errors, 2 with errors (or warnings under `--strict`).
pub fn run(a: &ValidateArgs) -> Result<ExitCode> {
    let version = env!("CARGO_PKG_VERSION");
    let label = a.scenario.to_string_lossy().into_owned();
    // (notices, header lines, whether the refusal was already printed on stderr)
    let (notices, header, printed) = match hubplan_io::load_scenario(&a.scenario) {
        Err(e) => {
            // The loader's error, word for word as before, and as a coded notice.
            eprintln!("error: {e}");
            (vec![hubplan_check::notice_from_load_error(&e)], String::new(), true)
        }
        Ok(loaded) => match check_loaded(&loaded, a) {
            Ok((n, h)) => (n, h, false),
            Err(e) => {
                eprintln!("error: {e:#}");
                let n = Notice::new(hubplan_check::codes::INPUT_ERROR, Severity::Error, format!("{e:#}"));
                (vec![n], String::new(), true)
            }
        },
    };
    let rep = ValidationReport::new(&label, &notices, a.strict, version);
    if let Some(dir) = &a.report {
        hubplan_io::write_files_atomically(
            dir,
            &[
                ("validation.html", rep.html().into_bytes()),
                ("validation.json", rep.json().into_bytes()),
            ],
        )?;
        if !a.quiet {
            eprintln!("wrote {}", dir.display());
        }
    }
    match a.format {
        Format::Json => print!("{}", rep.json()),
        Format::Text => {
            print!("{header}");
            print!("{}", rep.text());
            if !rep.summary.failed {
                println!("ok");
            }
        }
    }
    // The errors also go to stderr, so that a failing run says why there as before.
    if rep.summary.failed {
        if !printed {
            for n in hubplan_check::report::errors(&notices, a.strict) {
                eprintln!("error: {n}");
            }
        }
        Ok(ExitCode::from(EXIT_BAD_INPUT))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Every check of a loaded scenario; also the header lines (inputs, counts).
fn check_loaded(loaded: &LoadedScenario, a: &ValidateArgs) -> Result<(Vec<Notice>, String)> {
    let mut notices = Vec::new();
    let computed = match (&loaded.travel, &loaded.transit) {
        (None, Some(t)) => {
            let (travel, feed_notices) =
                transit_travel(t, &loaded.inputs_without_travel, loaded, &a.gtfs_limit, a.quiet)?;
            notices.extend(feed_notices);
            Some(travel)
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
    // The planned services and rules of a co-location scenario, as before.
    let mut services_text = String::new();
    if let (Some(r), Some(t)) = (&loaded.service_rules, travel) {
        if !notices
            .iter()
            .any(|n| n.code == hubplan_check::codes::SCENARIO_CONTRADICTION)
        {
            let inputs = hubplan::Inputs {
                sites: loaded.inputs_without_travel.sites.clone(),
                zones: loaded.inputs_without_travel.zones.clone(),
                services: loaded.inputs_without_travel.services.clone(),
                travel: t.clone(),
            };
            services_text = describe_services(&inputs, r);
        }
    }
    hubplan_check::sort(&mut notices);
    let inp = &loaded.inputs_without_travel;
    let mut h = format!("scenario: {}\n", a.scenario.display());
    for f in &loaded.files {
        h += &format!("  {:<13} {} sha256 {}\n", f.role, f.path.display(), f.sha256);
    }
    let existing = inp
        .sites
        .iter()
        .filter(|s| s.status == hubplan::model::SiteStatus::Existing)
        .count();
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
        .filter(|s| s.status == hubplan::model::SiteStatus::Existing)
        .map(|s| s.annual_cost)
        .sum();
    let backlog: f64 = inp.sites.iter().map(|s| s.backlog).sum();
    let need: f64 = inp.zones.iter().map(|z| z.need).sum();
    h += &format!(
        "total need {}; annual cost of existing sites {}; backlog {}\n",
        hubplan_report::fmt::plain(need.round()),
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
    h += &services_text;
    Ok((notices, h))
}

/// Reads the timetable once: its loader's findings and the other GTFS checks as
/// notices, and the travel times.
fn transit_travel(
    t: &TransitSection,
    inputs: &InputsWithoutTravel,
    loaded: &LoadedScenario,
    limit: &GtfsLimitArgs,
    quiet: bool,
) -> Result<(TravelTimes, Vec<Notice>)> {
    let date = t.date.as_deref().ok_or_else(|| {
        anyhow!(
            "[transit] (line {}) needs a service date: date = \"YYYY-MM-DD\"",
            t.line
        )
    })?;
    let date = ServiceDate::parse(date).map_err(|e| anyhow!("[transit] date: {e}"))?;
    let cfg = hubplan_run::config_from_section(t)?;
    let opts = hubplan_run::feed_options(limit.gtfs_max_file_mib, t.max_file_mib);
    let (feed, report) = hubplan_run::read_feed(&t.gtfs, date, &opts)
        .map_err(|e| anyhow!("reading the GTFS feed {}: {e}", t.gtfs.display()))?;
    let label = hubplan_check_label(loaded, &t.gtfs);
    let notices = hubplan_check::check_feed(
        loaded,
        &feed,
        &report,
        Some((cfg.window_start_s, cfg.window_end_s)),
        &label,
    );
    if !quiet {
        eprintln!(
            "timetable {}: {} trips, {} connections, {} stops on {}",
            t.gtfs.display(),
            report.trips_active,
            report.connections,
            report.stops_used,
            date
        );
    }
    let origins: Vec<_> = inputs.zones.iter().map(|z| z.pos).collect();
    let dests: Vec<_> = inputs.sites.iter().map(|s| s.pos).collect();
    let entries = travel_time_matrix(&feed, &origins, &dests, &cfg, &|_, _| {}).map_err(|e| anyhow!("{e}"))?;
    let triples = entries
        .iter()
        .map(|e| {
            (
                ZoneIdx(e.origin),
                SiteIdx(e.destination),
                seconds_to_minutes_2dp(e.seconds),
            )
        })
        .collect();
    let travel = TravelTimes::from_triples(inputs.zones.len(), inputs.sites.len(), triples)
        .map_err(|e| anyhow!("internal error building the travel-time table: {e:?}"))?;
    Ok((travel, notices))
}

/// The feed's path relative to the scenario's folder.
fn hubplan_check_label(loaded: &LoadedScenario, p: &Path) -> String {
    p.strip_prefix(&loaded.base_dir)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// `CODE: file:row: field F: message [value: V]`, for `warning: …` lines.
pub fn warning_line(n: &Notice) -> String {
    let mut s = format!("{}: {}{}", n.code, n.location(), n.message);
    if let Some(v) = &n.value {
        s.push_str(&format!(" [value: {v}]"));
    }
    s
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
