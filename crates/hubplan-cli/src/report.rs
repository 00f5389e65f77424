//! `hubplan report PLAN_DIR`: the cabinet appendix of a saved plan
//! (`appendix.html`, `appendix.md` and `map.svg`), and [`write_appendix`] for
//! `hubplan plan --report`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use hubplan::explain::explain;
use hubplan::{Decision, Inputs, Plan, PlanStatus, Scenario};
use hubplan_io::RunMeta;
use hubplan_report::{appendix_html, appendix_md, map_svg, Appendix, MapOptions, Provenance};

/// Arguments of `hubplan report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The plan directory written by `hubplan plan` (or its plan.json).
    pub plan_dir: PathBuf,
    /// The scenario the plan was made from (default: the one recorded in plan.json).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// The appendix's title.
    #[arg(long)]
    pub title: Option<String>,
    /// A date to print as "generated" (the clock is never read, so output is reproducible).
    #[arg(long)]
    pub date: Option<String>,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: crate::transit::GtfsLimitArgs,
}

/// Options of [`write_appendix`].
#[derive(Clone, Debug, Default)]
pub struct AppendixOptions {
    /// Title (default: from the scenario file's name).
    pub title: Option<String>,
    /// A date to print as "generated".
    pub date: Option<String>,
    /// The travel-time source in words (timetable date and window…); default from `RunMeta::travel_source`.
    pub transit: Option<String>,
}

/// The files [`write_appendix`] writes.
pub const APPENDIX_FILES: [&str; 3] = ["map.svg", "appendix.md", "appendix.html"];

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
pub fn provenance(inputs: &Inputs, sc: &Scenario, plan: &Plan, meta: &RunMeta, transit: Option<String>) -> Provenance {
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
        solver: solver_sentence(sc, plan),
        version: if meta.hubplan_version.is_empty() {
            env!("CARGO_PKG_VERSION").to_string()
        } else {
            meta.hubplan_version.clone()
        },
        notices: meta.notices.clone(),
    }
}

/// Writes `map.svg`, `appendix.md` and `appendix.html` into `dir` (created if
/// needed), each to a temporary file first and renamed into place only when all
/// three are written. Returns the paths written.
pub fn write_appendix(
    dir: &Path,
    inputs: &Inputs,
    sc: &Scenario,
    plan: &Plan,
    meta: &RunMeta,
    opts: &AppendixOptions,
) -> Result<Vec<PathBuf>> {
    let ex = explain(inputs, sc, plan);
    let pv = provenance(inputs, sc, plan, meta, opts.transit.clone());
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
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    if !map.is_empty() {
        files.push((APPENDIX_FILES[0], map.into_bytes()));
    }
    files.push((APPENDIX_FILES[1], (appendix_md(&a) + "\n").into_bytes()));
    files.push((APPENDIX_FILES[2], appendix_html(&a).into_bytes()));
    hubplan_io::write_files_atomically(dir, &files)?;
    Ok(files.iter().map(|(name, _)| dir.join(name)).collect())
}

fn parse_status(s: &str) -> Result<PlanStatus> {
    Ok(match s {
        "optimal" => PlanStatus::Optimal,
        "feasible" => PlanStatus::Feasible,
        "infeasible" => PlanStatus::Infeasible,
        "unknown" => PlanStatus::Unknown,
        other => bail!("unknown plan status {other:?} in plan.json"),
    })
}

/// Loads a scenario and its inputs; also describes the timetable when travel times come from `[transit]`.
// TODO(lead): `crate::plan::load` could return the transit description too.
fn load_with_transit(
    path: &Path,
    quiet: bool,
    gtfs_limit: &crate::transit::GtfsLimitArgs,
) -> Result<(Inputs, Scenario, RunMeta, Option<String>)> {
    let loaded = hubplan_io::load_scenario(path)?;
    match (&loaded.travel, &loaded.transit) {
        (None, Some(t)) => {
            let t = t.clone();
            let travel = crate::transit::travel_from_section(&t, &loaded.inputs_without_travel, quiet, gtfs_limit)?;
            let notices = crate::validate::gate(&loaded, Some(&travel))?;
            let scenario = loaded.scenario.clone();
            let mut meta = loaded.run_meta();
            crate::validate::attach(&mut meta, notices);
            let mut words = format!("computed from the GTFS timetable {}", t.gtfs.display());
            if let Some(d) = &t.date {
                words.push_str(&format!(", service date {d}"));
            }
            if let Some(w) = &t.window {
                words.push_str(&format!(", departures {w}"));
            }
            if let Some(p) = t.percentile {
                words.push_str(&format!(", {p}th percentile of journey time over the window"));
            }
            Ok((
                hubplan_io::attach_travel(loaded.inputs_without_travel, travel)?,
                scenario,
                meta,
                Some(words),
            ))
        }
        _ => {
            let notices = crate::validate::gate(&loaded, None)?;
            let (i, s, mut m) = loaded.into_inputs()?;
            crate::validate::attach(&mut m, notices);
            Ok((i, s, m, None))
        }
    }
}

/// `hubplan report PLAN_DIR`.
pub fn run(args: &ReportArgs) -> Result<ExitCode> {
    let (dir, plan_json) = if args.plan_dir.is_dir() {
        (args.plan_dir.clone(), args.plan_dir.join("plan.json"))
    } else {
        (
            args.plan_dir.parent().map(Path::to_path_buf).unwrap_or_default(),
            args.plan_dir.clone(),
        )
    };
    let summary = hubplan_io::read_plan_json(&plan_json)?;
    if summary.model.as_deref() == Some("services") {
        bail!(
            "{} is a co-location ([services]) plan; the appendix covers single-service plans so far \
             (the plan's own plan.json, sites.csv and zones.csv carry the service decisions)",
            plan_json.display()
        );
    }
    let scenario_path = match &args.scenario {
        Some(p) => p.clone(),
        None => {
            let recorded = summary.scenario.file.as_deref().ok_or_else(|| {
                anyhow!(
                    "{} does not record its scenario file; pass --scenario SCENARIO.toml",
                    plan_json.display()
                )
            })?;
            let p = PathBuf::from(recorded);
            if p.exists() {
                p
            } else {
                bail!(
                    "{}: the recorded scenario {} does not exist from here; run from the folder `hubplan plan` \
                     ran in, or pass --scenario",
                    plan_json.display(),
                    p.display()
                );
            }
        }
    };
    let (inputs, sc, meta, transit) = load_with_transit(&scenario_path, args.quiet, &args.gtfs_limit)?;
    // The inputs must be the ones the plan was made from.
    for rec in &summary.inputs {
        let (role, sha) = (rec.role.as_str(), rec.sha256.as_str());
        if let Some(now) = meta.inputs.iter().find(|f| f.role == role) {
            if !sha.is_empty() && !now.sha256.is_empty() && now.sha256 != sha {
                bail!(
                    "{} ({role}) has changed since {} was written (SHA-256 {} then, {} now); re-run `hubplan plan`",
                    now.path.display(),
                    plan_json.display(),
                    sha,
                    now.sha256
                );
            }
        }
    }
    // Decisions by id.
    let by_id: std::collections::HashMap<&str, Decision> =
        summary.sites.iter().map(|s| (s.id.as_str(), s.decision)).collect();
    if by_id.len() != inputs.sites.len() {
        bail!(
            "{} lists {} sites but the scenario's inputs have {}: was the plan made from {}?",
            plan_json.display(),
            by_id.len(),
            inputs.sites.len(),
            scenario_path.display()
        );
    }
    let mut open = Vec::with_capacity(inputs.sites.len());
    for s in &inputs.sites {
        let d = by_id.get(s.id.as_str()).ok_or_else(|| {
            anyhow!(
                "site {} of the inputs is not in {}; was the plan made from this scenario?",
                s.id,
                plan_json.display()
            )
        })?;
        open.push(d.is_open());
    }
    let status = parse_status(&summary.status)?;
    let plan = match status {
        PlanStatus::Optimal | PlanStatus::Feasible => {
            let nan = f64::NAN;
            let mut p = hubplan::optimise::plan_for_open_set(
                &inputs,
                &sc,
                open,
                status,
                summary.objective.unwrap_or(nan),
                summary.bound.unwrap_or(nan),
                summary.gap.unwrap_or(nan),
            );
            let v = hubplan::evaluate::violations(&inputs, &sc, &p.open);
            if !v.is_empty() {
                bail!(
                    "the plan in {} breaks the scenario's rules with these inputs ({}); re-run `hubplan plan`",
                    plan_json.display(),
                    v.into_iter().take(3).collect::<Vec<_>>().join("; ")
                );
            }
            p.solver.backend = summary.solver.backend.clone();
            p.solver.nodes = summary.solver.nodes;
            p
        }
        _ => {
            if !args.quiet {
                eprintln!("the saved plan is {}: re-solving to explain why", status.name());
            }
            hubplan::plan(&inputs, &sc)?
        }
    };
    let opts = AppendixOptions {
        title: args.title.clone(),
        date: args.date.clone(),
        transit,
    };
    let written = write_appendix(&dir, &inputs, &sc, &plan, &meta, &opts)?;
    if !args.quiet {
        for p in &written {
            eprintln!("wrote {}", p.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
