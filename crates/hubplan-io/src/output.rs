//! Plan outputs: plan.json, sites.csv, zones.csv, plan.geojson — written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use hubplan::model::Inputs;
use hubplan::plan::Blocker;
use hubplan::{Decision, Plan, Scenario};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{IoError, IoErrorKind, Result};
use crate::scenario::InputFile;

/// Provenance and settings written beside a plan.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RunMeta {
    /// hubplan's version (`CARGO_PKG_VERSION` of the binary).
    pub hubplan_version: String,
    /// The scenario file, when there is one.
    pub scenario_file: Option<PathBuf>,
    /// `inputs.need_column`, when given.
    pub need_column: Option<String>,
    /// Where travel times came from, e.g. `csv:travel_times.csv` or `transit`.
    pub travel_source: String,
    /// Every input file with its SHA-256.
    pub inputs: Vec<InputFile>,
    /// Warnings from reading the inputs.
    pub warnings: Vec<String>,
    /// Write the solver's wall-clock seconds into plan.json. Off by default so that
    /// outputs are byte-identical from run to run.
    pub include_timing: bool,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(if x == 0.0 { 0.0 } else { x })
}

fn round_to(x: f64, decimals: i32) -> Option<f64> {
    let f = 10f64.powi(decimals);
    finite(x).map(|v| finite((v * f).round() / f).unwrap_or(v))
}

fn money(x: f64) -> Option<f64> {
    round_to(x, 2)
}

fn minutes(x: f64) -> Option<f64> {
    round_to(x, 2)
}

fn csv_fixed(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.2}");
            if s == "-0.00" {
                "0.00".into()
            } else {
                s
            }
        }
        _ => String::new(),
    }
}

fn csv_plain(x: f64) -> String {
    finite(x).map(|v| v.to_string()).unwrap_or_default()
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[derive(Serialize)]
struct SiteJson<'a> {
    id: &'a str,
    name: &'a str,
    district: &'a str,
    kind: &'a str,
    status: &'a str,
    decision: &'a str,
    annual_cost: Option<f64>,
    backlog: Option<f64>,
    open_cost: Option<f64>,
    disposal_receipt: Option<f64>,
    capacity: Option<f64>,
    services: Vec<&'a str>,
    zones_served: u32,
    zones_served_before: u32,
    need_served: Option<f64>,
}

#[derive(Serialize)]
struct TotalsJson {
    sites_before: usize,
    sites_after: usize,
    sites_closed: usize,
    sites_opened: usize,
    annual_cost_before: Option<f64>,
    annual_cost_after: Option<f64>,
    saving: Option<f64>,
    backlog_removed: Option<f64>,
    opening_cost: Option<f64>,
    disposal_receipts: Option<f64>,
    zones_total: usize,
    zones_covered_before: usize,
    zones_covered_after: usize,
    zones_unreachable: usize,
    need_total: Option<f64>,
    need_covered_before: Option<f64>,
    need_covered_after: Option<f64>,
    need_unreachable: Option<f64>,
    mean_minutes_before: Option<f64>,
    mean_minutes_after: Option<f64>,
}

#[derive(Serialize)]
struct SolverJson<'a> {
    backend: &'a str,
    nodes: u64,
    clients: usize,
    free_sites: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    seconds: Option<f64>,
}

#[derive(Serialize)]
struct SolverSettingsJson<'a> {
    time_limit_s: f64,
    gap: f64,
    backend: &'a str,
}

#[derive(Serialize)]
struct ScenarioJson<'a> {
    file: Option<String>,
    objective: &'a str,
    max_minutes: Option<f64>,
    budget: Option<f64>,
    sites: Option<u32>,
    keep: Vec<&'a str>,
    close: Vec<&'a str>,
    need_column: Option<&'a str>,
    travel_source: &'a str,
    solver: SolverSettingsJson<'a>,
}

#[derive(Serialize)]
struct InputJson<'a> {
    role: &'a str,
    path: String,
    sha256: &'a str,
}

#[derive(Serialize)]
struct PlanJson<'a> {
    status: &'a str,
    objective_kind: &'a str,
    objective: Option<f64>,
    bound: Option<f64>,
    gap: Option<f64>,
    sites: Vec<SiteJson<'a>>,
    totals: TotalsJson,
    unreachable_zones: Vec<&'a str>,
    infeasibility: Option<Value>,
    solver: SolverJson<'a>,
    scenario: ScenarioJson<'a>,
    inputs: Vec<InputJson<'a>>,
    warnings: &'a [String],
    hubplan_version: &'a str,
}

fn check_shapes(inputs: &Inputs, plan: &Plan) -> Result<()> {
    if plan.sites.len() != inputs.sites.len() || plan.zones.len() != inputs.zones.len() {
        return Err(IoError::new(
            IoErrorKind::Write,
            format!(
                "internal error: the plan has {} sites and {} zones but the inputs have {} and {} (a bug in hubplan, please report it)",
                plan.sites.len(),
                plan.zones.len(),
                inputs.sites.len(),
                inputs.zones.len()
            ),
        ));
    }
    Ok(())
}

fn site_id(inputs: &Inputs, s: hubplan::SiteIdx) -> &str {
    inputs
        .sites
        .get(s.index())
        .map(|x| x.id.as_str())
        .unwrap_or("?")
}

fn zone_id(inputs: &Inputs, z: hubplan::ZoneIdx) -> &str {
    inputs
        .zones
        .get(z.index())
        .map(|x| x.id.as_str())
        .unwrap_or("?")
}

fn infeasibility_json(inputs: &Inputs, plan: &Plan) -> Option<Value> {
    let inf = plan.infeasibility.as_ref()?;
    let zones = |v: &[hubplan::ZoneIdx]| {
        v.iter()
            .map(|&z| zone_id(inputs, z).to_string())
            .collect::<Vec<_>>()
    };
    let blockers: Vec<Value> = inf
        .blockers
        .iter()
        .map(|b| match b {
            Blocker::ForcedClosures { zones: z, sites } => json!({
                "kind": "forced_closures",
                "zones": zones(z),
                "sites": sites.iter().map(|&s| site_id(inputs, s)).collect::<Vec<_>>(),
            }),
            Blocker::Budget {
                budget,
                least_cost,
                zones: z,
            } => json!({
                "kind": "budget",
                "budget": money(*budget),
                "least_cost": least_cost.and_then(money),
                "zones": zones(z),
            }),
            Blocker::SiteCount {
                sites,
                least_sites,
                zones: z,
            } => json!({
                "kind": "site_count",
                "sites": sites,
                "least_sites": least_sites,
                "zones": zones(z),
            }),
            Blocker::Combination => json!({ "kind": "combination" }),
            other => json!({ "kind": "other", "detail": format!("{other:?}") }),
        })
        .collect();
    Some(json!({ "blockers": blockers }))
}

fn plan_json(inputs: &Inputs, scenario: &Scenario, plan: &Plan, meta: &RunMeta) -> Result<Vec<u8>> {
    let t = &plan.totals;
    let sites = inputs
        .sites
        .iter()
        .zip(&plan.sites)
        .map(|(s, p)| SiteJson {
            id: &s.id,
            name: &s.name,
            district: &s.district,
            kind: &s.kind,
            status: match s.status {
                hubplan::model::SiteStatus::Existing => "existing",
                hubplan::model::SiteStatus::Candidate => "candidate",
            },
            decision: p.decision.name(),
            annual_cost: money(s.annual_cost),
            backlog: money(s.backlog),
            open_cost: money(s.open_cost),
            disposal_receipt: money(s.disposal_receipt),
            capacity: s.capacity.and_then(finite),
            services: s
                .services
                .iter()
                .filter_map(|k| inputs.services.get(k.index()).map(|v| v.id.as_str()))
                .collect(),
            zones_served: p.zones_served,
            zones_served_before: p.zones_served_before,
            need_served: finite(p.need_served),
        })
        .collect();
    let doc = PlanJson {
        status: plan.status.name(),
        objective_kind: plan.objective_kind.name(),
        objective: finite(plan.objective),
        bound: finite(plan.bound),
        gap: finite(plan.gap),
        sites,
        totals: TotalsJson {
            sites_before: t.sites_before,
            sites_after: t.sites_after,
            sites_closed: t.sites_closed,
            sites_opened: t.sites_opened,
            annual_cost_before: money(t.annual_cost_before),
            annual_cost_after: money(t.annual_cost_after),
            saving: money(t.annual_saving),
            backlog_removed: money(t.backlog_removed),
            opening_cost: money(t.opening_cost),
            disposal_receipts: money(t.disposal_receipts),
            zones_total: plan.zones.len(),
            zones_covered_before: plan.zones.iter().filter(|z| z.covered_before).count(),
            zones_covered_after: plan.zones.iter().filter(|z| z.covered_after).count(),
            zones_unreachable: t.zones_unreachable,
            need_total: finite(t.need_total),
            need_covered_before: finite(t.need_covered_before),
            need_covered_after: finite(t.need_covered_after),
            need_unreachable: finite(t.need_unreachable),
            mean_minutes_before: minutes(t.mean_minutes_before),
            mean_minutes_after: minutes(t.mean_minutes_after),
        },
        unreachable_zones: plan
            .unreachable
            .iter()
            .map(|&z| zone_id(inputs, z))
            .collect(),
        infeasibility: infeasibility_json(inputs, plan),
        solver: SolverJson {
            backend: &plan.solver.backend,
            nodes: plan.solver.nodes,
            clients: plan.solver.clients,
            free_sites: plan.solver.free_sites,
            seconds: if meta.include_timing {
                round_to(plan.solver.seconds, 3)
            } else {
                None
            },
        },
        scenario: ScenarioJson {
            file: meta.scenario_file.as_deref().map(path_str),
            objective: scenario.objective.name(),
            max_minutes: scenario.max_minutes.and_then(finite),
            budget: scenario.budget.and_then(money),
            sites: scenario.sites,
            keep: scenario.keep.iter().map(|&s| site_id(inputs, s)).collect(),
            close: scenario.close.iter().map(|&s| site_id(inputs, s)).collect(),
            need_column: meta.need_column.as_deref(),
            travel_source: &meta.travel_source,
            solver: SolverSettingsJson {
                time_limit_s: scenario.solver.time_limit.as_secs_f64(),
                gap: scenario.solver.gap,
                backend: scenario.solver.backend.name(),
            },
        },
        inputs: meta
            .inputs
            .iter()
            .map(|f| InputJson {
                role: &f.role,
                path: path_str(&f.path),
                sha256: &f.sha256,
            })
            .collect(),
        warnings: &meta.warnings,
        hubplan_version: &meta.hubplan_version,
    };
    let mut out = serde_json::to_vec_pretty(&doc).map_err(|e| {
        IoError::new(
            IoErrorKind::Write,
            format!("cannot serialise plan.json: {e}"),
        )
    })?;
    out.push(b'\n');
    Ok(out)
}

fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>> {
    let err = |e: csv::Error| IoError::new(IoErrorKind::Write, format!("cannot write CSV: {e}"));
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| IoError::new(IoErrorKind::Write, format!("cannot write CSV: {e}")))
}

fn sites_csv(inputs: &Inputs, plan: &Plan) -> Result<Vec<u8>> {
    csv_bytes(
        &[
            "id",
            "name",
            "district",
            "kind",
            "status",
            "decision",
            "annual_cost",
            "backlog",
            "zones_served",
            "zones_served_before",
            "need_served",
        ],
        inputs.sites.iter().zip(&plan.sites).map(|(s, p)| {
            vec![
                s.id.clone(),
                s.name.clone(),
                s.district.clone(),
                s.kind.clone(),
                match s.status {
                    hubplan::model::SiteStatus::Existing => "existing".into(),
                    hubplan::model::SiteStatus::Candidate => "candidate".into(),
                },
                p.decision.name().into(),
                csv_fixed(money(s.annual_cost)),
                csv_fixed(money(s.backlog)),
                p.zones_served.to_string(),
                p.zones_served_before.to_string(),
                csv_plain(p.need_served),
            ]
        }),
    )
}

fn zones_csv(inputs: &Inputs, plan: &Plan) -> Result<Vec<u8>> {
    csv_bytes(
        &[
            "id",
            "name",
            "district",
            "need",
            "nearest_site_before",
            "minutes_before",
            "nearest_site",
            "minutes",
            "covered_before",
            "covered",
            "unreachable",
        ],
        inputs.zones.iter().zip(&plan.zones).map(|(z, p)| {
            let (sb, mb) = match p.before {
                Some((s, m)) => (site_id(inputs, s).to_string(), csv_fixed(minutes(m))),
                None => (String::new(), String::new()),
            };
            let (sa, ma) = match p.after {
                Some((s, m)) => (site_id(inputs, s).to_string(), csv_fixed(minutes(m))),
                None => (String::new(), String::new()),
            };
            vec![
                z.id.clone(),
                z.name.clone(),
                z.district.clone(),
                csv_plain(z.need),
                sb,
                mb,
                sa,
                ma,
                p.covered_before.to_string(),
                p.covered_after.to_string(),
                p.unreachable.to_string(),
            ]
        }),
    )
}

fn coord(p: hubplan::geo::LonLat) -> Value {
    let r = |x: f64| round_to(x, 6).map(Value::from).unwrap_or(Value::Null);
    json!([r(p.lon), r(p.lat)])
}

fn plan_geojson(inputs: &Inputs, plan: &Plan) -> Result<Vec<u8>> {
    let mut features = Vec::with_capacity(inputs.sites.len() + inputs.zones.len());
    for (s, p) in inputs.sites.iter().zip(&plan.sites) {
        features.push(json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": coord(s.pos) },
            "properties": {
                "layer": "site",
                "id": s.id,
                "name": s.name,
                "district": s.district,
                "kind": s.kind,
                "decision": p.decision.name(),
                "open": p.decision.is_open(),
                "annual_cost": money(s.annual_cost),
                "backlog": money(s.backlog),
                "zones_served": p.zones_served,
                "need_served": finite(p.need_served),
            }
        }));
    }
    for (z, p) in inputs.zones.iter().zip(&plan.zones) {
        features.push(json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": coord(z.pos) },
            "properties": {
                "layer": "zone",
                "id": z.id,
                "name": z.name,
                "district": z.district,
                "need": finite(z.need),
                "nearest_site": p.after.map(|(s, _)| site_id(inputs, s)),
                "minutes": p.after.and_then(|(_, m)| minutes(m)),
                "nearest_site_before": p.before.map(|(s, _)| site_id(inputs, s)),
                "minutes_before": p.before.and_then(|(_, m)| minutes(m)),
                "covered": p.covered_after,
                "covered_before": p.covered_before,
                "unreachable": p.unreachable,
            }
        }));
    }
    let doc = json!({ "type": "FeatureCollection", "features": features });
    let mut out = serde_json::to_vec(&doc).map_err(|e| {
        IoError::new(
            IoErrorKind::Write,
            format!("cannot serialise plan.geojson: {e}"),
        )
    })?;
    out.push(b'\n');
    Ok(out)
}

/// The files [`write_plan_dir`] writes, in the order they are moved into place
/// (plan.json last, so that its presence means the others are complete).
pub const PLAN_FILES: [&str; 4] = ["sites.csv", "zones.csv", "plan.geojson", "plan.json"];

/// Writes `plan.json`, `sites.csv`, `zones.csv` and `plan.geojson` into `dir`.
///
/// Atomic: everything is rendered, then written into a temporary directory created
/// next to `dir` (same parent, so on the same file system). When `dir` does not
/// exist, the temporary directory is renamed to `dir` in one step. When it exists,
/// each file is renamed into it, replacing any previous one of the same name (each
/// file is replaced atomically; other files in `dir` are left alone). A failure
/// before the renames leaves `dir` untouched and removes the temporary directory.
pub fn write_plan_dir(
    dir: &Path,
    inputs: &Inputs,
    scenario: &Scenario,
    plan: &Plan,
    meta: &RunMeta,
) -> Result<()> {
    check_shapes(inputs, plan)?;
    let contents: Vec<(&str, Vec<u8>)> = vec![
        ("sites.csv", sites_csv(inputs, plan)?),
        ("zones.csv", zones_csv(inputs, plan)?),
        ("plan.geojson", plan_geojson(inputs, plan)?),
        ("plan.json", plan_json(inputs, scenario, plan, meta)?),
    ];
    write_files_atomically(dir, &contents)
}

/// Writes named files into `dir` atomically (see [`write_plan_dir`]).
pub(crate) fn write_files_atomically(dir: &Path, contents: &[(&str, Vec<u8>)]) -> Result<()> {
    let werr = |p: &Path, e: std::io::Error, doing: &str| {
        IoError::new(IoErrorKind::Write, format!("{doing}: {e}")).in_file(p)
    };
    if dir.exists() && !dir.is_dir() {
        return Err(IoError::new(
            IoErrorKind::NotAFile,
            "the output path exists and is not a directory",
        )
        .in_file(dir));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| werr(&parent, e, "cannot create the output's parent directory"))?;
    let tmp = tempfile::Builder::new()
        .prefix(".hubplan-out-")
        .tempdir_in(&parent)
        .map_err(|e| {
            werr(
                &parent,
                e,
                "cannot create a temporary directory next to the output",
            )
        })?;
    for (name, bytes) in contents {
        let p = tmp.path().join(name);
        let mut f = std::fs::File::create(&p).map_err(|e| werr(&p, e, "cannot create"))?;
        f.write_all(bytes)
            .map_err(|e| werr(&p, e, "cannot write"))?;
        f.sync_all().map_err(|e| werr(&p, e, "cannot flush"))?;
    }
    if !dir.exists() {
        let tmp_path = tmp.keep();
        match std::fs::rename(&tmp_path, dir) {
            Ok(()) => return Ok(()),
            Err(e) => {
                if !dir.is_dir() {
                    let _ = std::fs::remove_dir_all(&tmp_path);
                    return Err(werr(dir, e, "cannot move the outputs into place"));
                }
                // Someone created `dir` meanwhile: fall back to per-file renames.
                let r = move_files(&tmp_path, dir, contents);
                let _ = std::fs::remove_dir_all(&tmp_path);
                return r;
            }
        }
    }
    move_files(tmp.path(), dir, contents)
}

fn move_files(from: &Path, dir: &Path, contents: &[(&str, Vec<u8>)]) -> Result<()> {
    for (name, _) in contents {
        let (a, b) = (from.join(name), dir.join(name));
        if b.is_dir() {
            return Err(IoError::new(
                IoErrorKind::NotAFile,
                "cannot replace a directory with an output file",
            )
            .in_file(&b));
        }
        std::fs::rename(&a, &b).map_err(|e| {
            IoError::new(
                IoErrorKind::Write,
                format!("cannot move the output into place: {e}"),
            )
            .in_file(&b)
        })?;
    }
    Ok(())
}

/// One site of a plan read back from plan.json.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PlanSiteSummary {
    /// Site id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// District.
    #[serde(default)]
    pub district: String,
    /// Keep, close, open or unused.
    pub decision: Decision,
    /// GBP a year.
    #[serde(default)]
    pub annual_cost: Option<f64>,
    /// GBP.
    #[serde(default)]
    pub backlog: Option<f64>,
    /// Zones whose nearest open site this is after the plan.
    #[serde(default)]
    pub zones_served: Option<u32>,
    /// Their need.
    #[serde(default)]
    pub need_served: Option<f64>,
}

/// Totals of a plan read back from plan.json (`None` when absent or null).
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PlanTotalsSummary {
    /// Open sites before.
    pub sites_before: Option<u64>,
    /// Open sites after.
    pub sites_after: Option<u64>,
    /// Existing sites closed.
    pub sites_closed: Option<u64>,
    /// Candidates opened.
    pub sites_opened: Option<u64>,
    /// GBP a year before.
    pub annual_cost_before: Option<f64>,
    /// GBP a year after.
    pub annual_cost_after: Option<f64>,
    /// before − after.
    pub saving: Option<f64>,
    /// Backlog of closed sites.
    pub backlog_removed: Option<f64>,
    /// One-off opening cost.
    pub opening_cost: Option<f64>,
    /// Σ need.
    pub need_total: Option<f64>,
    /// Need covered before.
    pub need_covered_before: Option<f64>,
    /// Need covered after.
    pub need_covered_after: Option<f64>,
    /// Zones unreachable at baseline.
    pub zones_unreachable: Option<u64>,
    /// Mean minutes before.
    pub mean_minutes_before: Option<f64>,
    /// Mean minutes after.
    pub mean_minutes_after: Option<f64>,
}

/// A plan read back from plan.json (for `hubplan compare`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PlanSummary {
    /// `optimal`, `feasible`, `infeasible` or `unknown`.
    pub status: String,
    /// `min_cost`, `max_coverage` or `min_travel`.
    #[serde(default)]
    pub objective_kind: String,
    /// Objective value (`None` when null).
    #[serde(default)]
    pub objective: Option<f64>,
    /// Bound.
    #[serde(default)]
    pub bound: Option<f64>,
    /// Gap.
    #[serde(default)]
    pub gap: Option<f64>,
    /// Sites with decisions.
    pub sites: Vec<PlanSiteSummary>,
    /// Totals.
    #[serde(default)]
    pub totals: PlanTotalsSummary,
    /// Zones unreachable at baseline.
    #[serde(default)]
    pub unreachable_zones: Vec<String>,
    /// The version that wrote it.
    #[serde(default)]
    pub hubplan_version: Option<String>,
}

/// Reads back a plan.json written by [`write_plan_dir`] (a folder is taken to mean its plan.json).
pub fn read_plan_json(path: &Path) -> Result<PlanSummary> {
    let path = if path.is_dir() {
        path.join("plan.json")
    } else {
        path.to_path_buf()
    };
    crate::table::check_file(&path, "plan.json", crate::limits::MAX_GEOJSON_BYTES)?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| IoError::io(IoErrorKind::Read, &path, &e, "cannot read plan.json"))?;
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line() as u64);
        IoError::new(IoErrorKind::Json, format!("not a hubplan plan.json: {e}"))
            .in_file(&path)
            .at_opt_line(line)
    })
}
