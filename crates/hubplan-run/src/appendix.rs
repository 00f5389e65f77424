//! The cabinet appendix (appendix.html, appendix.md, appendix.pdf, appendix.docx, map.svg) of either model.

use hubplan::colocate::{ServicePlan, ServiceRules};
use hubplan::explain::explain;
use hubplan::{Inputs, Plan, PlanStatus, Scenario};
use hubplan_io::RunMeta;
use hubplan_report::{appendix_html, appendix_md, map_svg, Appendix, MapOptions, Provenance};

use crate::error::Result;

/// Options of the appendix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppendixOptions {
    /// Title (default: the model's standard title).
    pub title: Option<String>,
    /// A date to print as "generated" (the clock is never read, so output is reproducible).
    pub date: Option<String>,
}

impl AppendixOptions {
    /// Options with a title and a date.
    pub fn new(title: Option<String>, date: Option<String>) -> Self {
        AppendixOptions { title, date }
    }
}

/// The files of a single-service appendix, in the order they are written.
pub const APPENDIX_FILES: [&str; 5] = [
    "map.svg",
    "appendix.md",
    "appendix.html",
    "appendix.pdf",
    "appendix.docx",
];

fn default_title() -> String {
    "Which buildings close and why: appendix to the cabinet paper".to_string()
}

fn subtitle(meta: &RunMeta) -> Option<String> {
    meta.scenario_file
        .as_deref()
        .map(|p| format!("Scenario {}", p.to_string_lossy().replace('\\', "/")))
}

fn solver_sentence(sc: &Scenario, plan: &Plan) -> String {
    let backend = if plan.solver.backend.is_empty() {
        sc.solver.backend.name()
    } else {
        plan.solver.backend.as_str()
    };
    format!(
        "{backend}; time limit {} s; relative gap tolerance {:e}",
        sc.solver.time_limit.as_secs_f64(),
        sc.solver.gap
    )
}

/// Where the travel times came from, in words, from [`RunMeta::travel_source`].
pub fn travel_source_words(meta: &RunMeta) -> Option<String> {
    let s = &meta.travel_source;
    if let Some(p) = s.strip_prefix("csv:") {
        Some(format!(
            "travel-time matrix read from {p} (see that file's documentation for how it was made)"
        ))
    } else if s == "transit" {
        Some("computed from a GTFS public-transport timetable ([transit] section of the scenario)".into())
    } else if s.is_empty() {
        None
    } else {
        Some(s.clone())
    }
}

/// The input files of a run as an appendix lists them: (role, path, SHA-256).
pub fn provenance_inputs(meta: &RunMeta) -> Vec<(String, String, String)> {
    meta.inputs
        .iter()
        .map(|f| {
            (
                f.role.clone(),
                f.path.to_string_lossy().replace('\\', "/"),
                f.sha256.clone(),
            )
        })
        .collect()
}

/// The provenance table of an appendix, from what `hubplan plan` knows.
pub(crate) fn provenance(
    inputs: &Inputs,
    sc: &Scenario,
    plan: &Plan,
    meta: &RunMeta,
    transit: Option<String>,
) -> Provenance {
    let mut settings = vec![("objective".to_string(), sc.objective.name().to_string())];
    if let Some(m) = sc.max_minutes {
        settings.push(("access.max_minutes".into(), format!("{m}")));
    }
    if let Some(b) = sc.budget {
        settings.push(("limits.budget".into(), hubplan_report::fmt::money(b)));
    }
    if let Some(p) = sc.sites {
        settings.push(("limits.sites".into(), p.to_string()));
    }
    let ids = |v: &[hubplan::SiteIdx]| {
        v.iter()
            .map(|&s| inputs.site(s).id.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !sc.keep.is_empty() {
        settings.push(("limits.keep".into(), ids(&sc.keep)));
    }
    if !sc.close.is_empty() {
        settings.push(("limits.close".into(), ids(&sc.close)));
    }
    settings.push((
        "need_column".into(),
        meta.need_column
            .clone()
            .unwrap_or_else(|| "the zones' need column, or their population when it is absent".into()),
    ));
    // Plans made with data-quality notices show them in their own section.
    if meta.notices.is_empty() {
        for w in &meta.warnings {
            settings.push(("input warning".into(), w.clone()));
        }
    }
    let transit = transit.or_else(|| travel_source_words(meta));
    Provenance {
        inputs: provenance_inputs(meta),
        settings,
        transit,
        travel: hubplan_report::TravelMode::from_source(&meta.travel_source),
        solver: solver_sentence(sc, plan),
        version: if meta.hubplan_version.is_empty() {
            env!("CARGO_PKG_VERSION").to_string()
        } else {
            meta.hubplan_version.clone()
        },
        notices: meta.notices.clone(),
        about: crate::outcome::report_about(meta),
    }
}

/// The single-service appendix, rendered: map.svg (when there is a plan), appendix.md,
/// appendix.html. `transit` is the timetable in words, when travel times came from one.
pub(crate) fn single_appendix(
    inputs: &Inputs,
    sc: &Scenario,
    plan: &Plan,
    meta: &RunMeta,
    transit: Option<String>,
    opts: &AppendixOptions,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let ex = explain(inputs, sc, plan);
    let pv = provenance(inputs, sc, plan, meta, transit);
    let title = opts.title.clone().unwrap_or_else(default_title);
    let subtitle = subtitle(meta);
    let a = Appendix {
        title: &title,
        subtitle: subtitle.as_deref(),
        inputs,
        scenario: sc,
        plan,
        explanations: &ex,
        provenance: &pv,
        generated: opts.date.as_deref(),
        map_file: Some("map.svg"),
    };
    let map = if matches!(plan.status, PlanStatus::Optimal | PlanStatus::Feasible) {
        map_svg(inputs, plan, sc.max_minutes, &MapOptions::default())
    } else {
        String::new()
    };
    let mut files: Vec<(&'static str, Vec<u8>)> = Vec::new();
    if !map.is_empty() {
        files.push((APPENDIX_FILES[0], map.into_bytes()));
    }
    files.push((APPENDIX_FILES[1], (appendix_md(&a) + "\n").into_bytes()));
    files.push((APPENDIX_FILES[2], appendix_html(&a).into_bytes()));
    files.push((
        APPENDIX_FILES[3],
        hubplan_report::appendix_pdf(&a).map_err(crate::Error::Plan)?,
    ));
    files.push((
        APPENDIX_FILES[4],
        hubplan_report::appendix_docx(&a).map_err(crate::Error::Plan)?,
    ));
    Ok(files)
}

/// The co-location appendix, rendered: a map per service (`map_<id>.svg`, when
/// there is a plan), appendix.md, appendix.html.
pub(crate) fn services_appendix(
    inputs: &Inputs,
    rules: &ServiceRules,
    plan: &ServicePlan,
    meta: &RunMeta,
    transit: Option<String>,
    opts: &AppendixOptions,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
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
        inputs: provenance_inputs(meta),
        settings,
        transit: transit.or_else(|| travel_source_words(meta)),
        travel: hubplan_report::TravelMode::from_source(&meta.travel_source),
        solver: format!(
            "{}; time limit {} s; relative gap tolerance {:e}",
            plan.solver.backend,
            rules.solver.time_limit.as_secs_f64(),
            rules.solver.gap
        ),
        version: meta.hubplan_version.clone(),
        notices: meta.notices.clone(),
        about: crate::outcome::report_about(meta),
    };
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| "Family hubs: which buildings close, where services move, and why".to_string());
    let a = hubplan_report::ServiceAppendix {
        title: &title,
        inputs,
        rules,
        plan,
        provenance: &provenance,
        generated: opts.date.as_deref(),
    };
    // One map per service (map_<service id>.svg), which appendix.md links to.
    let mut files: Vec<(&'static str, Vec<u8>)> = hubplan_report::services::service_maps(&a)
        .into_iter()
        .map(|(name, svg)| (intern(name), svg.into_bytes()))
        .collect();
    files.push((
        "appendix.md",
        (hubplan_report::services_appendix_md(&a) + "\n").into_bytes(),
    ));
    files.push(("appendix.html", hubplan_report::services_appendix_html(&a).into_bytes()));
    files.push((
        "appendix.pdf",
        hubplan_report::services_appendix_pdf(&a).map_err(crate::Error::Plan)?,
    ));
    files.push((
        "appendix.docx",
        hubplan_report::services_appendix_docx(&a).map_err(crate::Error::Plan)?,
    ));
    Ok(files)
}

/// A file name as `&'static str` (the type the plan directory's file lists use):
/// each distinct name is leaked once and reused, so the memory is bounded by the
/// number of distinct service ids ever seen.
fn intern(name: String) -> &'static str {
    use std::collections::BTreeSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut set = NAMES
        .get_or_init(|| Mutex::new(BTreeSet::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(&n) = set.get(name.as_str()) {
        return n;
    }
    let n: &'static str = Box::leak(name.into_boxed_str());
    set.insert(n);
    n
}
