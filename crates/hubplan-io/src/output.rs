//! Plan outputs: plan.json, sites.csv, zones.csv, plan.geojson — written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use hubplan::colocate::{HostChange, ServiceBlocker, ServicePlan, ServiceRules, ServiceSitePlan};
use hubplan::model::{Inputs, Site, SiteStatus, Zone};
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
    /// The scenario file, when there is one (as given: relative to the folder the run was in).
    pub scenario_file: Option<PathBuf>,
    /// The scenario file's absolute path when it was read (plan.json's
    /// `scenario.file_absolute`), so that `hubplan report` finds it from any folder.
    pub scenario_file_absolute: Option<PathBuf>,
    /// `inputs.need_column`, when given.
    pub need_column: Option<String>,
    /// Where travel times came from, e.g. `csv:travel_times.csv` or `transit`.
    pub travel_source: String,
    /// Every input file with its SHA-256.
    pub inputs: Vec<InputFile>,
    /// Warnings from reading the inputs.
    pub warnings: Vec<String>,
    /// Data-quality notices of the inputs (`hubplan-check`), written to plan.json's `notices`.
    pub notices: Vec<hubplan::notice::Notice>,
    /// Write the solver's wall-clock seconds into plan.json. Off by default so that
    /// outputs are byte-identical from run to run.
    pub include_timing: bool,
    /// The plain-English summary to write into plan.json as `summary`, as
    /// (topic, text) pairs (from `hubplan_report::plain_summary`); left out when empty.
    pub summary: Vec<(String, String)>,
    /// The scenario's `[about]` section (title, author, date, sources), written to
    /// plan.json as `about`; left out when absent.
    pub about: Option<crate::scenario::AboutSection>,
}

/// One item of plan.json's `summary`.
#[derive(Serialize)]
struct SummaryJson<'a> {
    topic: &'a str,
    text: &'a str,
}

pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(if x == 0.0 { 0.0 } else { x })
}

pub(crate) fn round_to(x: f64, decimals: i32) -> Option<f64> {
    let f = 10f64.powi(decimals);
    finite(x).map(|v| finite((v * f).round() / f).unwrap_or(v))
}

fn money(x: f64) -> Option<f64> {
    round_to(x, 2)
}

fn minutes(x: f64) -> Option<f64> {
    round_to(x, 2)
}

/// A sum of need (need served, covered, unreachable, total), to 6 decimals: the
/// floating-point noise of a long sum goes (`10500.000000000002` → `10500.0`),
/// every digit a need column can sensibly carry stays (the users of demand
/// capacity are written the same way).
fn need_sum(x: f64) -> Option<f64> {
    round_to(x, 6)
}

/// The decimals an objective value of `kind` is written with in plan.json:
/// pence for `min_cost` (money, as every amount of money), 6 for need
/// (`max_coverage`) and need × minutes (`min_travel`), as [`need_sum`].
fn objective_decimals(kind: hubplan::ObjectiveKind) -> i32 {
    match kind {
        hubplan::ObjectiveKind::MinCost => 2,
        _ => 6,
    }
}

/// plan.json's `objective` (or `primary_objective`): rounded to the decimals of its kind.
fn objective_value(kind: hubplan::ObjectiveKind, x: f64) -> Option<f64> {
    round_to(x, objective_decimals(kind))
}

/// plan.json's `bound`, rounded to the decimals of its kind *outward* (down for a
/// minimum, up for `max_coverage`), so that the written bound is still a bound
/// on every plan. A relative 1e-9 of a unit in the last place absorbs the noise of the
/// bound's own arithmetic (`762669.6799999999` is 762669.68, not 762669.67).
fn bound_value(kind: hubplan::ObjectiveKind, x: f64) -> Option<f64> {
    let v = finite(x)?;
    let f = 10f64.powi(objective_decimals(kind));
    let scaled = v * f;
    let slack = 1e-6 + scaled.abs() * 1e-12;
    let r = if kind == hubplan::ObjectiveKind::MaxCoverage {
        (scaled - slack).ceil()
    } else {
        (scaled + slack).floor()
    };
    finite(r / f).or(Some(v))
}

pub(crate) fn csv_fixed(x: Option<f64>) -> String {
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

pub(crate) fn path_str(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

// ---------------------------------------------------------------------------
// Pieces shared by both kinds of plan (single service and co-location): the
// site fields every plan.json starts with, the cost totals, solver and input
// records, the leading CSV cells and the GeoJSON features.
// ---------------------------------------------------------------------------

fn status_name(s: SiteStatus) -> &'static str {
    match s {
        SiteStatus::Existing => "existing",
        SiteStatus::Candidate => "candidate",
    }
}

/// The fields every plan.json site record starts with.
#[derive(Serialize)]
struct SiteBaseJson<'a> {
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
}

fn site_base_json(s: &Site, decision: Decision) -> SiteBaseJson<'_> {
    SiteBaseJson {
        id: &s.id,
        name: &s.name,
        district: &s.district,
        kind: &s.kind,
        status: status_name(s.status),
        decision: decision.name(),
        annual_cost: money(s.annual_cost),
        backlog: money(s.backlog),
        open_cost: money(s.open_cost),
        disposal_receipt: money(s.disposal_receipt),
        capacity: s.capacity.and_then(finite),
    }
}

/// The site-count and cost totals every plan.json's `totals` starts with.
#[derive(Serialize)]
struct CostTotalsJson {
    sites_before: usize,
    sites_after: usize,
    sites_closed: usize,
    sites_opened: usize,
    annual_cost_before: Option<f64>,
    annual_cost_after: Option<f64>,
    saving: Option<f64>,
    backlog_removed: Option<f64>,
    opening_cost: Option<f64>,
}

/// [`CostTotalsJson`] from a plan's totals (`hubplan::plan::Totals` or
/// `hubplan::colocate::ServiceTotals`, which name these fields alike).
macro_rules! cost_totals_json {
    ($t:expr) => {
        CostTotalsJson {
            sites_before: $t.sites_before,
            sites_after: $t.sites_after,
            sites_closed: $t.sites_closed,
            sites_opened: $t.sites_opened,
            annual_cost_before: money($t.annual_cost_before),
            annual_cost_after: money($t.annual_cost_after),
            saving: money($t.annual_saving),
            backlog_removed: money($t.backlog_removed),
            opening_cost: money($t.opening_cost),
        }
    };
}

fn solver_json<'a>(r: &'a hubplan::plan::SolverReport, meta: &RunMeta) -> SolverJson<'a> {
    SolverJson {
        backend: &r.backend,
        nodes: r.nodes,
        clients: r.clients,
        free_sites: r.free_sites,
        search: &r.search,
        why: &r.why,
        seconds: if meta.include_timing {
            round_to(r.seconds, 3)
        } else {
            None
        },
    }
}

pub(crate) fn inputs_json(meta: &RunMeta) -> Vec<InputJson<'_>> {
    meta.inputs
        .iter()
        .map(|f| InputJson {
            role: &f.role,
            path: path_str(&f.path),
            sha256: &f.sha256,
        })
        .collect()
}

/// `doc` as JSON (indented when `pretty`) and a final newline; `file` names it in errors.
pub(crate) fn json_bytes(doc: &impl Serialize, pretty: bool, file: &str) -> Result<Vec<u8>> {
    let out = if pretty {
        serde_json::to_vec_pretty(doc)
    } else {
        serde_json::to_vec(doc)
    };
    let mut out = out.map_err(|e| IoError::new(IoErrorKind::Write, format!("cannot serialise {file}: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

fn site_ids<'a>(inputs: &'a Inputs, v: &[hubplan::SiteIdx]) -> Vec<&'a str> {
    v.iter().map(|&s| site_id(inputs, s)).collect()
}

fn zone_ids<'a>(inputs: &'a Inputs, v: &[hubplan::ZoneIdx]) -> Vec<&'a str> {
    v.iter().map(|&z| zone_id(inputs, z)).collect()
}

/// The ids of the services in `v` that exist (a site's `services` or `can_host`).
fn known_service_ids<'a>(inputs: &'a Inputs, v: &[hubplan::ServiceIdx]) -> Vec<&'a str> {
    v.iter()
        .filter_map(|k| inputs.services.get(k.index()).map(|x| x.id.as_str()))
        .collect()
}

/// The columns every sites.csv starts with; [`site_csv_cells`] fills them.
const SITE_CSV_HEAD: [&str; 8] = [
    "id",
    "name",
    "district",
    "kind",
    "status",
    "decision",
    "annual_cost",
    "backlog",
];

fn site_csv_cells(s: &Site, decision: Decision) -> Vec<String> {
    vec![
        s.id.clone(),
        s.name.clone(),
        s.district.clone(),
        s.kind.clone(),
        status_name(s.status).into(),
        decision.name().into(),
        csv_fixed(money(s.annual_cost)),
        csv_fixed(money(s.backlog)),
    ]
}

/// The columns every zones.csv starts with; [`zone_csv_cells`] fills them.
const ZONE_CSV_HEAD: [&str; 3] = ["id", "name", "district"];

fn zone_csv_cells(z: &Zone) -> Vec<String> {
    vec![z.id.clone(), z.name.clone(), z.district.clone()]
}

/// The nearest site and minutes of a zone before and after, as zones.csv columns.
const NEAREST_CSV_HEAD: [&str; 4] = ["nearest_site_before", "minutes_before", "nearest_site", "minutes"];

fn nearest_csv_cells(
    inputs: &Inputs,
    before: Option<(hubplan::SiteIdx, f64)>,
    after: Option<(hubplan::SiteIdx, f64)>,
) -> [String; 4] {
    let cells = |x: Option<(hubplan::SiteIdx, f64)>| match x {
        Some((s, m)) => (site_id(inputs, s).to_string(), csv_fixed(minutes(m))),
        None => (String::new(), String::new()),
    };
    let ((sb, mb), (sa, ma)) = (cells(before), cells(after));
    [sb, mb, sa, ma]
}

/// The properties every site feature of plan.geojson has.
fn site_properties(s: &Site, decision: Decision) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("layer".into(), json!("site"));
    m.insert("id".into(), json!(s.id));
    m.insert("name".into(), json!(s.name));
    m.insert("district".into(), json!(s.district));
    m.insert("kind".into(), json!(s.kind));
    m.insert("decision".into(), json!(decision.name()));
    m.insert("open".into(), json!(decision.is_open()));
    m.insert("annual_cost".into(), json!(money(s.annual_cost)));
    m.insert("backlog".into(), json!(money(s.backlog)));
    m
}

/// The properties every zone feature of plan.geojson has.
fn zone_properties(z: &Zone) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("layer".into(), json!("zone"));
    m.insert("id".into(), json!(z.id));
    m.insert("name".into(), json!(z.name));
    m.insert("district".into(), json!(z.district));
    m
}

/// Adds `extra`'s entries (a `json!` object) to `props`.
fn with(mut props: serde_json::Map<String, Value>, extra: Value) -> serde_json::Map<String, Value> {
    if let Value::Object(m) = extra {
        props.extend(m);
    }
    props
}

/// A coordinate rounded to 6 decimals (about 0.1 m), as every GeoJSON output writes it.
pub(crate) fn round6(x: f64) -> f64 {
    round_to(x, 6).unwrap_or(f64::NAN)
}

/// A GeoJSON Feature with `geometry` and `properties` (no id, no bbox).
pub(crate) fn feature(geometry: geojson::Value, properties: serde_json::Map<String, Value>) -> geojson::Feature {
    geojson::Feature {
        bbox: None,
        geometry: Some(geojson::Geometry::new(geometry)),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}

/// A GeoJSON Point at `pos`, rounded to 6 decimals.
pub(crate) fn point(pos: hubplan::geo::LonLat) -> geojson::Value {
    geojson::Value::Point(vec![round6(pos.lon), round6(pos.lat)])
}

/// A zone's geometry: its outline (a Polygon, or a MultiPolygon of several parts)
/// when the zones file gave one, else its point; rounded to 6 decimals.
pub(crate) fn zone_geometry(z: &Zone) -> geojson::Value {
    use geo::MapCoords;
    match &z.outline {
        Some(mp) if !mp.0.is_empty() => {
            let r = mp.map_coords(|c| geo::Coord {
                x: round6(c.x),
                y: round6(c.y),
            });
            match r.0.as_slice() {
                [one] => geojson::Value::from(one),
                _ => geojson::Value::from(&r),
            }
        }
        _ => point(z.pos),
    }
}

/// The bytes of a FeatureCollection (compact, with a final newline).
pub(crate) fn geojson_bytes(features: Vec<geojson::Feature>, file: &str) -> Result<Vec<u8>> {
    let fc = geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    };
    json_bytes(&fc, false, file)
}

#[derive(Serialize)]
struct SiteJson<'a> {
    #[serde(flatten)]
    base: SiteBaseJson<'a>,
    services: Vec<&'a str>,
    zones_served: u32,
    zones_served_before: u32,
    need_served: Option<f64>,
}

#[derive(Serialize)]
struct TotalsJson {
    #[serde(flatten)]
    costs: CostTotalsJson,
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
    #[serde(skip_serializing_if = "str::is_empty")]
    search: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    why: &'a str,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    file_absolute: Option<String>,
    objective: &'a str,
    max_minutes: Option<f64>,
    budget: Option<f64>,
    sites: Option<u32>,
    keep: Vec<&'a str>,
    close: Vec<&'a str>,
    need_column: Option<&'a str>,
    travel_source: &'a str,
    solver: SolverSettingsJson<'a>,
    beyond_limit: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    beyond_limit_tolerance_minutes: Option<f64>,
    worse_off_minutes: f64,
}

/// One zone of the worse-off list (issue 18).
#[derive(Serialize)]
struct WorseOffZoneJson<'a> {
    zone: &'a str,
    name: &'a str,
    need: Option<f64>,
    /// The zone's `pop_0_15` column, when the zones file has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    children: Option<f64>,
    imd_decile: Option<u8>,
    minutes_before: Option<f64>,
    minutes_after: Option<f64>,
    increase: Option<f64>,
    caused_by: &'a str,
}

#[derive(Serialize)]
struct DecileJson {
    imd_decile: Option<u8>,
    zones: usize,
    need: Option<f64>,
    zones_longer: usize,
    need_longer: Option<f64>,
    zones_worse_off: usize,
    need_worse_off: Option<f64>,
    mean_minutes_before: Option<f64>,
    mean_minutes_after: Option<f64>,
}

#[derive(Serialize)]
struct WorseOffJson<'a> {
    minutes: f64,
    zones: Vec<WorseOffZoneJson<'a>>,
    by_imd_decile: Vec<DecileJson>,
    summary: Vec<String>,
}

/// The children column of the worse-off list.
const CHILDREN_COLUMN: &str = "pop_0_15";

fn worse_off_json<'a>(inputs: &'a Inputs, plan: &Plan) -> WorseOffJson<'a> {
    WorseOffJson {
        minutes: plan.worse_off_minutes,
        zones: plan
            .worse_off
            .iter()
            .map(|w| {
                let z = inputs.zone(w.zone);
                WorseOffZoneJson {
                    zone: &z.id,
                    name: &z.name,
                    need: finite(z.need),
                    children: z.attributes.get(CHILDREN_COLUMN).copied().and_then(finite),
                    imd_decile: z.imd_decile,
                    minutes_before: minutes(w.minutes_before),
                    minutes_after: w.minutes_after.and_then(minutes),
                    increase: minutes(w.increase()),
                    caused_by: site_id(inputs, w.cause),
                }
            })
            .collect(),
        by_imd_decile: plan
            .by_imd_decile
            .iter()
            .map(|d| DecileJson {
                imd_decile: d.imd_decile,
                zones: d.zones,
                need: need_sum(d.need),
                zones_longer: d.zones_longer,
                need_longer: need_sum(d.need_longer),
                zones_worse_off: d.zones_worse_off,
                need_worse_off: need_sum(d.need_worse_off),
                mean_minutes_before: minutes(d.mean_minutes_before),
                mean_minutes_after: minutes(d.mean_minutes_after),
            })
            .collect(),
        summary: hubplan::explain::worse_off_sentences(inputs, plan, 5),
    }
}

#[derive(Serialize)]
pub(crate) struct InputJson<'a> {
    role: &'a str,
    path: String,
    sha256: &'a str,
}

#[derive(Serialize)]
struct PlanJson<'a> {
    status: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    summary: Vec<SummaryJson<'a>>,
    objective_kind: &'a str,
    objective: Option<f64>,
    bound: Option<f64>,
    gap: Option<f64>,
    sites: Vec<SiteJson<'a>>,
    totals: TotalsJson,
    unreachable_zones: Vec<&'a str>,
    infeasibility: Option<Value>,
    explanations: hubplan::explain::records::ExplanationsRecord,
    worse_off: WorseOffJson<'a>,
    solver: SolverJson<'a>,
    scenario: ScenarioJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    about: Option<&'a crate::scenario::AboutSection>,
    inputs: Vec<InputJson<'a>>,
    warnings: &'a [String],
    notices: &'a [hubplan::notice::Notice],
    hubplan_version: &'a str,
    /// Demand capacity (issue 21), only when the scenario has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    capacity: Option<Value>,
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
    inputs.sites.get(s.index()).map(|x| x.id.as_str()).unwrap_or("?")
}

fn zone_id(inputs: &Inputs, z: hubplan::ZoneIdx) -> &str {
    inputs.zones.get(z.index()).map(|x| x.id.as_str()).unwrap_or("?")
}

/// Zones beyond the limit today that block a scenario: code, name, minutes today, own limit.
fn beyond_limit_zones_json(inputs: &Inputs, zones: &[hubplan::plan::BeyondLimitZone]) -> Vec<Value> {
    zones
        .iter()
        .map(|b| {
            json!({
                "zone": zone_id(inputs, b.zone),
                "name": inputs.zones.get(b.zone.index()).map(|z| z.name.as_str()).unwrap_or(""),
                "minutes_today": finite(b.minutes_today),
                "limit": finite(b.limit),
            })
        })
        .collect()
}

fn infeasibility_json(inputs: &Inputs, plan: &Plan) -> Option<Value> {
    let inf = plan.infeasibility.as_ref()?;
    let zones = |v: &[hubplan::ZoneIdx]| zone_ids(inputs, v);
    let blockers: Vec<Value> = inf
        .blockers
        .iter()
        .map(|b| match b {
            Blocker::ForcedClosures { zones: z, sites } => json!({
                "kind": "forced_closures",
                "zones": zones(z),
                "sites": site_ids(inputs, sites),
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
            Blocker::Capacity {
                zones: z,
                full_sites,
                missing,
            } => json!({
                "kind": "capacity",
                "zones": zones(z),
                "full_sites": site_ids(inputs, full_sites),
                "missing_users": finite(*missing),
            }),
            Blocker::BeyondLimit { rule, zones: z, sites } => json!({
                "kind": "beyond_limit",
                "beyond_limit": rule.name(),
                "zones": beyond_limit_zones_json(inputs, z),
                "sites": site_ids(inputs, sites),
            }),
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
            base: site_base_json(s, p.decision),
            services: known_service_ids(inputs, &s.services),
            zones_served: p.zones_served,
            zones_served_before: p.zones_served_before,
            need_served: need_sum(p.need_served),
        })
        .collect();
    let doc = PlanJson {
        status: plan.status.name(),
        summary: meta
            .summary
            .iter()
            .map(|(topic, text)| SummaryJson { topic, text })
            .collect(),
        objective_kind: plan.objective_kind.name(),
        objective: objective_value(plan.objective_kind, plan.objective),
        bound: bound_value(plan.objective_kind, plan.bound),
        gap: finite(plan.gap),
        sites,
        totals: TotalsJson {
            costs: cost_totals_json!(t),
            disposal_receipts: money(t.disposal_receipts),
            zones_total: plan.zones.len(),
            zones_covered_before: plan.zones.iter().filter(|z| z.covered_before).count(),
            zones_covered_after: plan.zones.iter().filter(|z| z.covered_after).count(),
            zones_unreachable: t.zones_unreachable,
            need_total: need_sum(t.need_total),
            need_covered_before: need_sum(t.need_covered_before),
            need_covered_after: need_sum(t.need_covered_after),
            need_unreachable: need_sum(t.need_unreachable),
            mean_minutes_before: minutes(t.mean_minutes_before),
            mean_minutes_after: minutes(t.mean_minutes_after),
        },
        unreachable_zones: zone_ids(inputs, &plan.unreachable),
        infeasibility: infeasibility_json(inputs, plan),
        explanations: hubplan::explain::records::to_records(inputs, &hubplan::explain::explain(inputs, scenario, plan)),
        worse_off: worse_off_json(inputs, plan),
        solver: solver_json(&plan.solver, meta),
        scenario: ScenarioJson {
            file: meta.scenario_file.as_deref().map(path_str),
            file_absolute: meta.scenario_file_absolute.as_deref().map(path_str),
            objective: scenario.objective.name(),
            max_minutes: scenario.max_minutes.and_then(finite),
            budget: scenario.budget.and_then(money),
            sites: scenario.sites,
            keep: site_ids(inputs, &scenario.keep),
            close: site_ids(inputs, &scenario.close),
            need_column: meta.need_column.as_deref(),
            travel_source: &meta.travel_source,
            solver: SolverSettingsJson {
                time_limit_s: scenario.solver.time_limit.as_secs_f64(),
                gap: scenario.solver.gap,
                backend: scenario.solver.backend.name(),
            },
            beyond_limit: scenario.beyond_limit.name(),
            beyond_limit_tolerance_minutes: match scenario.beyond_limit {
                hubplan::scenario::BeyondLimit::Tolerance(t) => finite(t),
                _ => None,
            },
            worse_off_minutes: scenario.worse_off_minutes,
        },
        about: meta.about.as_ref(),
        inputs: inputs_json(meta),
        warnings: &meta.warnings,
        notices: &meta.notices,
        hubplan_version: &meta.hubplan_version,
        capacity: crate::capacity_out::capacity_json(inputs, plan),
    };
    json_bytes(&doc, true, "plan.json")
}

pub(crate) fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>> {
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
    let cap_head: &[&str] = if plan.capacity.is_some() {
        &crate::capacity_out::SITE_HEAD
    } else {
        &[]
    };
    csv_bytes(
        &[
            &SITE_CSV_HEAD[..],
            &["zones_served", "zones_served_before", "need_served"],
            cap_head,
        ]
        .concat(),
        inputs.sites.iter().zip(&plan.sites).enumerate().map(|(j, (s, p))| {
            let mut row = site_csv_cells(s, p.decision);
            row.extend([
                p.zones_served.to_string(),
                p.zones_served_before.to_string(),
                need_sum(p.need_served).map(csv_plain).unwrap_or_default(),
            ]);
            row.extend(crate::capacity_out::site_cells(plan, j));
            row
        }),
    )
}

fn zones_csv(inputs: &Inputs, plan: &Plan) -> Result<Vec<u8>> {
    csv_bytes(
        &[
            &ZONE_CSV_HEAD[..],
            &["need"],
            &NEAREST_CSV_HEAD,
            &["covered_before", "covered", "unreachable"],
        ]
        .concat(),
        inputs.zones.iter().zip(&plan.zones).map(|(z, p)| {
            let mut row = zone_csv_cells(z);
            row.push(csv_plain(z.need));
            row.extend(nearest_csv_cells(inputs, p.before, p.after));
            row.extend([
                p.covered_before.to_string(),
                p.covered_after.to_string(),
                p.unreachable.to_string(),
            ]);
            row
        }),
    )
}

fn plan_geojson(inputs: &Inputs, plan: &Plan) -> Result<Vec<u8>> {
    let mut features = Vec::with_capacity(inputs.sites.len() + inputs.zones.len());
    for (s, p) in inputs.sites.iter().zip(&plan.sites) {
        let props = with(
            site_properties(s, p.decision),
            json!({
                "zones_served": p.zones_served,
                "need_served": need_sum(p.need_served),
            }),
        );
        features.push(feature(point(s.pos), props));
    }
    for (z, p) in inputs.zones.iter().zip(&plan.zones) {
        let props = with(
            zone_properties(z),
            json!({
                "need": finite(z.need),
                "nearest_site": p.after.map(|(s, _)| site_id(inputs, s)),
                "minutes": p.after.and_then(|(_, m)| minutes(m)),
                "nearest_site_before": p.before.map(|(s, _)| site_id(inputs, s)),
                "minutes_before": p.before.and_then(|(_, m)| minutes(m)),
                "covered": p.covered_after,
                "covered_before": p.covered_before,
                "unreachable": p.unreachable,
            }),
        );
        features.push(feature(zone_geometry(z), props));
    }
    geojson_bytes(features, "plan.geojson")
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
pub fn write_plan_dir(dir: &Path, inputs: &Inputs, scenario: &Scenario, plan: &Plan, meta: &RunMeta) -> Result<()> {
    write_files_atomically(dir, &plan_dir_files(inputs, scenario, plan, meta)?)
}

/// The files of [`write_plan_dir`], rendered in memory and not written: (name, bytes)
/// in [`PLAN_FILES`] order. A front end that serves a plan (or keeps it) uses this.
pub fn plan_dir_files(
    inputs: &Inputs,
    scenario: &Scenario,
    plan: &Plan,
    meta: &RunMeta,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    check_shapes(inputs, plan)?;
    Ok(vec![
        ("sites.csv", sites_csv(inputs, plan)?),
        ("zones.csv", zones_csv(inputs, plan)?),
        ("plan.geojson", plan_geojson(inputs, plan)?),
        ("plan.json", plan_json(inputs, scenario, plan, meta)?),
    ])
}

/// Writes one file atomically: to a temporary file in the same folder, flushed, then
/// renamed over `path`. A failure leaves `path` as it was and removes the temporary file.
/// A missing folder is an error naming the path and the folder (a typo in it should not
/// create folders; before session 18 the message named only the folder and a temporary
/// file, `out: cannot create a temporary file next to the output … ".plan.mps.tmp-QOoQGE"`).
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let werr =
        |p: &Path, e: std::io::Error, doing: &str| IoError::new(IoErrorKind::Write, format!("{doing}: {e}")).in_file(p);
    if path.is_dir() {
        return Err(IoError::new(IoErrorKind::NotAFile, "the output path is a directory").in_file(path));
    }
    let name = path
        .file_name()
        .ok_or_else(|| IoError::new(IoErrorKind::NotAFile, "the output path is not a file name").in_file(path))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        return Err(IoError::new(
            IoErrorKind::Write,
            format!(
                "the folder {} does not exist; create it first, or write the file into an existing folder",
                dir.display()
            ),
        )
        .in_file(path));
    }
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // A temporary file is created owner-only (0600); the output is an ordinary file,
    // with the permissions `std::fs::write` gives (0666 less the umask), as every
    // file of a plan directory has (an --export-mps file was 0600, unreadable to the
    // colleagues a model is exported for).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(&dir)
        .map_err(|e| werr(&dir, e, "cannot create a temporary file next to the output"))?;
    tmp.write_all(bytes).map_err(|e| werr(tmp.path(), e, "cannot write"))?;
    tmp.as_file().sync_all().map_err(|e| werr(path, e, "cannot flush"))?;
    tmp.persist(path)
        .map_err(|e| werr(path, e.error, "cannot move the output into place"))?;
    Ok(())
}

/// Writes named files into `dir` atomically (see [`write_plan_dir`]): every file goes
/// to a temporary directory beside `dir` first, then is renamed into place.
pub fn write_files_atomically(dir: &Path, contents: &[(&str, Vec<u8>)]) -> Result<()> {
    let werr =
        |p: &Path, e: std::io::Error, doing: &str| IoError::new(IoErrorKind::Write, format!("{doing}: {e}")).in_file(p);
    if dir.exists() && !dir.is_dir() {
        return Err(IoError::new(IoErrorKind::NotAFile, "the output path exists and is not a directory").in_file(dir));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| werr(&parent, e, "cannot create the output's parent directory"))?;
    let tmp = tempfile::Builder::new()
        .prefix(".hubplan-out-")
        .tempdir_in(&parent)
        .map_err(|e| werr(&parent, e, "cannot create a temporary directory next to the output"))?;
    for (name, bytes) in contents {
        let p = tmp.path().join(name);
        let mut f = std::fs::File::create(&p).map_err(|e| werr(&p, e, "cannot create"))?;
        f.write_all(bytes).map_err(|e| werr(&p, e, "cannot write"))?;
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
            return Err(
                IoError::new(IoErrorKind::NotAFile, "cannot replace a directory with an output file").in_file(&b),
            );
        }
        std::fs::rename(&a, &b).map_err(|e| {
            IoError::new(IoErrorKind::Write, format!("cannot move the output into place: {e}")).in_file(&b)
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
    /// Co-location plans: planned services hosted before (empty for single-service plans).
    #[serde(default)]
    pub services_before: Vec<String>,
    /// Co-location plans: planned services hosted after.
    #[serde(default)]
    pub services_after: Vec<String>,
    /// Co-location plans: a family hub before (`None` for single-service plans).
    #[serde(default)]
    pub hub_before: Option<bool>,
    /// Co-location plans: a family hub after.
    #[serde(default)]
    pub hub_after: Option<bool>,
}

/// One planned service of a co-location plan read back from plan.json.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PlanServiceSummary {
    /// Service id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its access limit in minutes.
    pub max_minutes: Option<f64>,
    /// Part of the family-hub set.
    pub hub: bool,
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
    /// Co-location plans: one-off conversion cost of services moved in.
    pub conversion_cost: Option<f64>,
    /// Co-location plans: opening + conversion costs.
    pub capital_cost: Option<f64>,
    /// Co-location plans: open family hubs before.
    pub hubs_before: Option<u64>,
    /// Co-location plans: open family hubs after.
    pub hubs_after: Option<u64>,
}

/// The scenario settings of a plan read back from plan.json.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PlanScenarioSummary {
    /// The scenario file, as written (relative to the folder `hubplan plan` ran in).
    pub file: Option<String>,
    /// The scenario file's absolute path when the plan was made (absent in older files).
    pub file_absolute: Option<String>,
    /// `min_cost`, `max_coverage` or `min_travel`.
    pub objective: String,
    /// Access limit in minutes.
    pub max_minutes: Option<f64>,
    /// Budget.
    pub budget: Option<f64>,
    /// Exact number of open sites.
    pub sites: Option<u32>,
    /// Forced open.
    pub keep: Vec<String>,
    /// Forced closed.
    pub close: Vec<String>,
    /// The zone column used as need.
    pub need_column: Option<String>,
    /// Where travel times came from.
    pub travel_source: String,
}

/// One input file of a plan read back from plan.json.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PlanInputSummary {
    /// `scenario`, `sites`, `zones`, `services`, `travel_times` or `gtfs`.
    pub role: String,
    /// The path as written.
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
}

/// The solver details of a plan read back from plan.json.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PlanSolverSummary {
    /// Back-end name.
    pub backend: String,
    /// Branch-and-bound nodes.
    pub nodes: u64,
    /// Zones given to the solver.
    pub clients: u64,
    /// Free sites.
    pub free_sites: u64,
    /// Wall-clock seconds, when written.
    pub seconds: Option<f64>,
}

/// A plan read back from plan.json (for `hubplan compare`): a single-service
/// plan from [`write_plan_dir`] or a co-location plan from
/// [`write_service_plan_dir`] (then `model` is `Some("services")`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PlanSummary {
    /// Who is worse off (`worse_off` in plan.json; absent in files older than issue 18).
    #[serde(default)]
    pub worse_off: PlanWorseOffSummary,
    /// `Some("services")` for a co-location plan; `None` for a single-service plan.
    #[serde(default)]
    pub model: Option<String>,
    /// Co-location plans: the second, lexicographic objective.
    #[serde(default)]
    pub then: Option<String>,
    /// Co-location plans: the plan's value of the first objective.
    #[serde(default)]
    pub primary_objective: Option<f64>,
    /// Co-location plans: the planned services (empty for single-service plans).
    #[serde(default)]
    pub services: Vec<PlanServiceSummary>,
    /// `optimal`, `feasible`, `infeasible` or `unknown`.
    pub status: hubplan::PlanStatus,
    /// `min_cost`, `max_coverage` or `min_travel` (`None` when absent).
    #[serde(default)]
    pub objective_kind: Option<hubplan::ObjectiveKind>,
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
    /// The scenario settings.
    #[serde(default)]
    pub scenario: PlanScenarioSummary,
    /// The input files and their hashes.
    #[serde(default)]
    pub inputs: Vec<PlanInputSummary>,
    /// Solver details.
    #[serde(default)]
    pub solver: PlanSolverSummary,
    /// Warnings from reading the inputs.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Data-quality notices of the inputs.
    #[serde(default)]
    pub notices: Vec<hubplan::notice::Notice>,
    /// The version that wrote it.
    #[serde(default)]
    pub hubplan_version: Option<String>,
}

/// The `worse_off` block of a plan.json, read back.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[non_exhaustive]
pub struct PlanWorseOffSummary {
    /// The threshold, minutes.
    #[serde(default)]
    pub minutes: Option<f64>,
    /// The zones on the list.
    #[serde(default)]
    pub zones: Vec<PlanWorseOffZone>,
    /// The plain-words sentences.
    #[serde(default)]
    pub summary: Vec<String>,
}

/// One zone of the worse-off list, read back.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[non_exhaustive]
pub struct PlanWorseOffZone {
    /// Zone id.
    pub zone: String,
    /// Its need.
    #[serde(default)]
    pub need: Option<f64>,
}

impl PlanSummary {
    /// The worse-off figures as [`hubplan::whatif::PlanSummary`] carries them.
    pub fn worse_off_summary(&self) -> hubplan::whatif::WorseOffSummary {
        hubplan::whatif::WorseOffSummary {
            minutes: self.worse_off.minutes.unwrap_or(f64::NAN),
            // A co-location plan lists one entry per (zone, service) pair: a zone worse
            // off for two services is one zone ("zones worse off" in `hubplan compare`).
            zones: self
                .worse_off
                .zones
                .iter()
                .map(|z| z.zone.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            need: self.worse_off.zones.iter().filter_map(|z| z.need).sum(),
            summary: self.worse_off.summary.clone(),
        }
    }
}

/// Reads back a plan.json written by [`write_plan_dir`] or [`write_service_plan_dir`]
/// (a folder is taken to mean its plan.json).
pub fn read_plan_json(path: &Path) -> Result<PlanSummary> {
    let path = if path.is_dir() {
        path.join("plan.json")
    } else {
        path.to_path_buf()
    };
    crate::table::check_file(&path, "plan.json", crate::limits::MAX_GEOJSON_BYTES)?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| IoError::io(IoErrorKind::Read, &path, &e, "cannot read plan.json"))?;
    parse_plan_json(&text, &path)
}

/// Parses the text of a plan.json (see [`read_plan_json`]); `path` names it in errors.
pub fn parse_plan_json(text: &str, path: &Path) -> Result<PlanSummary> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line() as u64);
        IoError::new(IoErrorKind::Json, format!("not a hubplan plan.json: {e}"))
            .in_file(path)
            .at_opt_line(line)
    })
}

// ---------------------------------------------------------------------------
// The co-location model's outputs (`[services]` scenarios).
// ---------------------------------------------------------------------------

fn svc_id(inputs: &Inputs, s: hubplan::ServiceIdx) -> &str {
    inputs.services.get(s.index()).map(|x| x.id.as_str()).unwrap_or("?")
}

fn svc_ids<'a>(inputs: &'a Inputs, v: &[hubplan::ServiceIdx]) -> Vec<&'a str> {
    v.iter().map(|&s| svc_id(inputs, s)).collect()
}

/// Per site: the planned services hosted before (open sites only), after, and
/// those that move in or out, in the plan's service order.
struct SiteHosting<'a> {
    before: Vec<&'a str>,
    after: Vec<&'a str>,
    moved_in: Vec<&'a str>,
    moved_out: Vec<&'a str>,
    stays: Vec<&'a str>,
}

fn site_hosting<'a>(inputs: &'a Inputs, p: &ServiceSitePlan) -> SiteHosting<'a> {
    let mut h = SiteHosting {
        before: Vec::new(),
        after: Vec::new(),
        moved_in: Vec::new(),
        moved_out: Vec::new(),
        stays: Vec::new(),
    };
    for &(s, c) in &p.hosting {
        let id = svc_id(inputs, s);
        match c {
            HostChange::Stays => {
                h.before.push(id);
                h.after.push(id);
                h.stays.push(id);
            }
            HostChange::MovedIn => {
                h.after.push(id);
                h.moved_in.push(id);
            }
            HostChange::MovedOut => {
                h.before.push(id);
                h.moved_out.push(id);
            }
        }
    }
    h
}

fn check_service_shapes(inputs: &Inputs, plan: &ServicePlan) -> Result<()> {
    let bad = plan.sites.len() != inputs.sites.len()
        || plan.open.len() != inputs.sites.len()
        || plan.zones.len() != plan.services.len()
        || plan.totals.per_service.len() != plan.services.len()
        || plan.zones.iter().any(|z| z.len() != inputs.zones.len())
        || plan.services.iter().any(|s| s.index() >= inputs.services.len());
    if bad {
        return Err(IoError::new(
            IoErrorKind::Write,
            format!(
                "internal error: the service plan's shape ({} sites, {} services) does not match the inputs ({} sites, {} zones, {} services) (a bug in hubplan, please report it)",
                plan.sites.len(),
                plan.services.len(),
                inputs.sites.len(),
                inputs.zones.len(),
                inputs.services.len()
            ),
        ));
    }
    Ok(())
}

fn service_blockers_json(inputs: &Inputs, plan: &ServicePlan) -> Option<Value> {
    let inf = plan.infeasibility.as_ref()?;
    let zones = |v: &[hubplan::ZoneIdx]| zone_ids(inputs, v);
    let sites = |v: &[hubplan::SiteIdx]| site_ids(inputs, v);
    let blockers: Vec<Value> = inf
        .blockers
        .iter()
        .map(|b| match b {
            ServiceBlocker::ForcedClosures {
                service,
                zones: z,
                sites: s,
            } => json!({
                "kind": "forced_closures",
                "service": svc_id(inputs, *service),
                "zones": zones(z),
                "sites": sites(s),
            }),
            ServiceBlocker::Capacity {
                site,
                services,
                zones: z,
                space,
                capacity,
            } => json!({
                "kind": "capacity",
                "site": site_id(inputs, *site),
                "services": svc_ids(inputs, services),
                "zones": z.iter().map(|&(zz, s)| json!({ "zone": zone_id(inputs, zz), "service": svc_id(inputs, s) })).collect::<Vec<_>>(),
                "space": finite(*space),
                "capacity": finite(*capacity),
            }),
            ServiceBlocker::Limit {
                rule,
                limit,
                plan_value,
            } => json!({
                "kind": "limit",
                "rule": rule.name(),
                "limit": finite(*limit),
                "plan_value": finite(*plan_value),
            }),
            ServiceBlocker::Combination => json!({ "kind": "combination" }),
            ServiceBlocker::BeyondLimit {
                service,
                rule,
                zones: z,
                sites: s,
            } => json!({
                "kind": "beyond_limit",
                "service": svc_id(inputs, *service),
                "beyond_limit": rule.name(),
                "zones": beyond_limit_zones_json(inputs, z),
                "sites": sites(s),
            }),
            ServiceBlocker::DemandCapacity {
                service,
                zones: z,
                full_sites,
                missing,
            } => json!({
                "kind": "demand_capacity",
                "service": svc_id(inputs, *service),
                "zones": zones(z),
                "full_sites": sites(full_sites),
                "missing_users": finite(*missing),
            }),
            other => json!({ "kind": "other", "detail": format!("{other:?}") }),
        })
        .collect();
    Some(json!({ "blockers": blockers }))
}

/// The `explanations` block of a co-location plan.json: per site its reason, and per
/// planned service hosted there before or after its change, reason, users and sole zones.
fn service_explanations_json(inputs: &Inputs, rules: &ServiceRules, plan: &ServicePlan) -> Value {
    let sites: Vec<Value> = hubplan::explain::service_reasons(inputs, rules, plan)
        .iter()
        .map(|r| {
            let services: Vec<Value> = r
                .services
                .iter()
                .map(|sr| {
                    let users: Vec<Value> = sr
                        .users
                        .iter()
                        .map(|m| {
                            json!({
                                "zone": zone_id(inputs, m.zone),
                                "need": finite(m.need),
                                "minutes_before": minutes(m.minutes_before),
                                "site_after": m.after.map(|a| site_id(inputs, a.site)),
                                "minutes_after": m.after.and_then(|a| minutes(a.minutes)),
                                "within_before": m.within_before,
                                "within_after": m.within_after,
                                "group": match m.group() {
                                    hubplan::explain::UserGroup::Within => "within",
                                    hubplan::explain::UserGroup::AlreadyBeyond => "already_beyond",
                                    hubplan::explain::UserGroup::Longer => "longer",
                                },
                            })
                        })
                        .collect();
                    json!({
                        "service": svc_id(inputs, sr.service),
                        "change": sr.change.name(),
                        "reason": sr.text,
                        "users": users,
                        "sole": zone_ids(inputs, &sr.sole),
                    })
                })
                .collect();
            json!({
                "site": site_id(inputs, r.site),
                "decision": r.decision.name(),
                "reason": r.text,
                "services": services,
            })
        })
        .collect();
    json!({ "sites": sites })
}

/// The `worse_off` block of a co-location plan.json (issue 18).
fn service_worse_off_json(inputs: &Inputs, rules: &ServiceRules, plan: &ServicePlan) -> Value {
    let list = hubplan::explain::service_worse_off(inputs, rules, plan);
    let zones: Vec<Value> = list
        .zones
        .iter()
        .map(|w| {
            let z = inputs.zone(w.zone);
            let mut v = json!({
                "zone": z.id,
                "name": z.name,
                "service": svc_id(inputs, w.service),
                "need": finite(w.need),
                "imd_decile": z.imd_decile,
                "minutes_before": minutes(w.minutes_before),
                "minutes_after": w.minutes_after.and_then(minutes),
                "increase": minutes(w.increase()),
                "caused_by": site_id(inputs, w.cause),
                "cause": if w.cause_closed { "closed" } else { "moved_out" },
            });
            if let Some(c) = z.attributes.get(CHILDREN_COLUMN).copied().and_then(finite) {
                v["children"] = json!(c);
            }
            v
        })
        .collect();
    let by: Vec<Value> = list
        .by_imd_decile
        .iter()
        .map(|(s, ds)| {
            let rows: Vec<DecileJson> = ds
                .iter()
                .map(|d| DecileJson {
                    imd_decile: d.imd_decile,
                    zones: d.zones,
                    need: need_sum(d.need),
                    zones_longer: d.zones_longer,
                    need_longer: need_sum(d.need_longer),
                    zones_worse_off: d.zones_worse_off,
                    need_worse_off: need_sum(d.need_worse_off),
                    mean_minutes_before: minutes(d.mean_minutes_before),
                    mean_minutes_after: minutes(d.mean_minutes_after),
                })
                .collect();
            json!({ "service": svc_id(inputs, *s), "by_imd_decile": rows })
        })
        .collect();
    json!({
        "minutes": finite(list.minutes),
        "zones": zones,
        "by_service": by,
        "summary": hubplan::explain::service_worse_off_sentences(inputs, plan, &list, 5),
    })
}

/// Zones unreachable at baseline for at least one planned service, in zone order.
fn unreachable_union(plan: &ServicePlan) -> Vec<hubplan::ZoneIdx> {
    let mut v: Vec<hubplan::ZoneIdx> = plan.unreachable.iter().flat_map(|u| u.zones.iter().copied()).collect();
    v.sort();
    v.dedup();
    v
}

#[derive(Serialize)]
struct ServiceSiteJson<'a> {
    #[serde(flatten)]
    base: SiteBaseJson<'a>,
    space_used: Option<f64>,
    services: Vec<&'a str>,
    can_host: Vec<&'a str>,
    services_before: Vec<&'a str>,
    services_after: Vec<&'a str>,
    hosting: Vec<Value>,
    hub_before: bool,
    hub_after: bool,
}

#[derive(Serialize)]
struct ServiceTotalsJson {
    #[serde(flatten)]
    costs: CostTotalsJson,
    conversion_cost: Option<f64>,
    capital_cost: Option<f64>,
    disposal_receipts: Option<f64>,
    moves_in: usize,
    moves_out: usize,
    hubs_before: usize,
    hubs_after: usize,
    hubs_per_district: Vec<Value>,
    zones_total: usize,
    zones_unreachable: usize,
    need_total: Option<f64>,
    need_covered_before: Option<f64>,
    need_covered_after: Option<f64>,
    need_unreachable: Option<f64>,
    per_service: Vec<Value>,
}

#[derive(Serialize)]
struct ServicePlanJson<'a> {
    model: &'a str,
    status: &'a str,
    objective_kind: &'a str,
    then: Option<&'a str>,
    objective: Option<f64>,
    bound: Option<f64>,
    gap: Option<f64>,
    primary_objective: Option<f64>,
    services: Vec<Value>,
    sites: Vec<ServiceSiteJson<'a>>,
    totals: ServiceTotalsJson,
    explanations: Value,
    worse_off: Value,
    unreachable_zones: Vec<&'a str>,
    unreachable_by_service: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capacity: Option<Value>,
    infeasibility: Option<Value>,
    solver: SolverJson<'a>,
    scenario: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    about: Option<&'a crate::scenario::AboutSection>,
    inputs: Vec<InputJson<'a>>,
    warnings: &'a [String],
    notices: &'a [hubplan::notice::Notice],
    hubplan_version: &'a str,
}

fn service_plan_json(inputs: &Inputs, rules: &ServiceRules, plan: &ServicePlan, meta: &RunMeta) -> Result<Vec<u8>> {
    let t = &plan.totals;
    let hub_set: Vec<&str> = svc_ids(inputs, &rules.hub);
    let services: Vec<Value> = plan
        .services
        .iter()
        .zip(&t.per_service)
        .map(|(&s, c)| {
            let svc = &inputs.services[s.index()];
            json!({
                "id": svc.id,
                "name": svc.name,
                "need_column": svc.need_column,
                "max_minutes": c.max_minutes.and_then(finite),
                "space": finite(svc.space),
                "conversion_cost": money(svc.conversion_cost),
                "hub": rules.hub.contains(&s),
            })
        })
        .collect();
    let sites: Vec<ServiceSiteJson<'_>> = inputs
        .sites
        .iter()
        .zip(&plan.sites)
        .map(|(s, p)| {
            let h = site_hosting(inputs, p);
            ServiceSiteJson {
                base: site_base_json(s, p.decision),
                space_used: finite(p.space_used),
                services: known_service_ids(inputs, &s.services),
                can_host: known_service_ids(inputs, &s.can_host),
                services_before: h.before,
                services_after: h.after,
                hosting: p
                    .hosting
                    .iter()
                    .map(|&(sv, c)| json!({ "service": svc_id(inputs, sv), "change": c.name() }))
                    .collect(),
                hub_before: p.hub_before,
                hub_after: p.hub_after,
            }
        })
        .collect();
    let sum = |f: fn(&hubplan::colocate::ServiceCoverage) -> f64| t.per_service.iter().map(f).sum::<f64>();
    let per_service: Vec<Value> = plan
        .services
        .iter()
        .zip(&t.per_service)
        .zip(&plan.zones)
        .map(|((&s, c), zs)| {
            json!({
                "service": svc_id(inputs, s),
                "max_minutes": c.max_minutes.and_then(finite),
                "need_total": need_sum(c.need_total),
                "need_covered_before": need_sum(c.need_covered_before),
                "need_covered_after": need_sum(c.need_covered_after),
                "need_unreachable": need_sum(c.need_unreachable),
                "zones_with_need": zs.iter().filter(|z| z.need > 0.0).count(),
                "zones_covered_before": zs.iter().filter(|z| z.need > 0.0 && z.covered_before).count(),
                "zones_covered_after": zs.iter().filter(|z| z.need > 0.0 && z.covered_after).count(),
                "zones_unreachable": zs.iter().filter(|z| z.unreachable).count(),
                "sites_before": c.sites_before,
                "sites_after": c.sites_after,
            })
        })
        .collect();
    let union = unreachable_union(plan);
    let totals = ServiceTotalsJson {
        costs: cost_totals_json!(t),
        conversion_cost: money(t.conversion_cost),
        capital_cost: money(t.opening_cost + t.conversion_cost),
        disposal_receipts: money(t.disposal_receipts),
        moves_in: t.moves_in,
        moves_out: t.moves_out,
        hubs_before: t.hubs_before,
        hubs_after: t.hubs_after,
        hubs_per_district: t
            .hubs_per_district
            .iter()
            .map(|(d, b, a)| json!({ "district": d, "before": b, "after": a }))
            .collect(),
        zones_total: inputs.zones.len(),
        zones_unreachable: union.len(),
        need_total: need_sum(sum(|c| c.need_total)),
        need_covered_before: need_sum(sum(|c| c.need_covered_before)),
        need_covered_after: need_sum(sum(|c| c.need_covered_after)),
        need_unreachable: need_sum(sum(|c| c.need_unreachable)),
        per_service,
    };
    let pairs = |v: &[(hubplan::SiteIdx, hubplan::ServiceIdx)]| {
        v.iter()
            .map(|&(j, s)| json!([site_id(inputs, j), svc_id(inputs, s)]))
            .collect::<Vec<_>>()
    };
    let mut scenario = json!({
        "file": meta.scenario_file.as_deref().map(path_str),
        "objective": rules.objective.name(),
        "then": rules.then.map(|k| k.name()),
        "tolerance": rules.then.and_then(|_| finite(rules.lex_tolerance)),
        "max_minutes": rules.max_minutes.and_then(finite),
        "budget": rules.annual_budget.and_then(money),
        "sites": rules.sites.exact,
        "min_sites": rules.sites.min,
        "max_sites": rules.sites.max,
        "keep": site_ids(inputs, &rules.keep),
        "close": site_ids(inputs, &rules.close),
        "services": {
            "required": svc_ids(inputs, &plan.services),
            "hub": hub_set,
            "min_hubs_per_district": rules.min_hubs_per_district,
            "capital_budget": rules.capital_budget.and_then(money),
            "savings_target": rules.savings_target.and_then(money),
            "keep_service": pairs(&rules.keep_service),
            "close_service": pairs(&rules.close_service),
            "equity_max_imd_decile": rules.equity_max_imd_decile,
        },
        "need_column": meta.need_column,
        "travel_source": meta.travel_source,
        "solver": {
            "time_limit_s": rules.solver.time_limit.as_secs_f64(),
            "gap": rules.solver.gap,
            "backend": rules.solver.backend.name(),
        },
        "beyond_limit": rules.beyond_limit.name(),
        "beyond_limit_tolerance_minutes": match rules.beyond_limit {
            hubplan::scenario::BeyondLimit::Tolerance(t) => finite(t),
            _ => None,
        },
        "worse_off_minutes": finite(rules.worse_off_minutes),
    });
    if let (Some(abs), Some(obj)) = (&meta.scenario_file_absolute, scenario.as_object_mut()) {
        obj.insert("file_absolute".into(), json!(path_str(abs)));
    }
    let doc = ServicePlanJson {
        model: "services",
        status: plan.status.name(),
        objective_kind: plan.objective_kind.name(),
        then: plan.then.map(|k| k.name()),
        objective: objective_value(plan.then.unwrap_or(plan.objective_kind), plan.objective),
        bound: bound_value(plan.then.unwrap_or(plan.objective_kind), plan.bound),
        gap: finite(plan.gap),
        primary_objective: objective_value(plan.objective_kind, plan.primary_objective),
        services,
        sites,
        totals,
        explanations: service_explanations_json(inputs, rules, plan),
        worse_off: service_worse_off_json(inputs, rules, plan),
        unreachable_zones: zone_ids(inputs, &union),
        unreachable_by_service: plan
            .unreachable
            .iter()
            .map(|u| {
                json!({
                    "service": svc_id(inputs, u.service),
                    "zones": zone_ids(inputs, &u.zones),
                })
            })
            .collect(),
        capacity: crate::capacity_out::service_capacity_json(inputs, plan),
        infeasibility: service_blockers_json(inputs, plan),
        solver: solver_json(&plan.solver, meta),
        scenario,
        about: meta.about.as_ref(),
        inputs: inputs_json(meta),
        warnings: &meta.warnings,
        notices: &meta.notices,
        hubplan_version: &meta.hubplan_version,
    };
    json_bytes(&doc, true, "plan.json")
}

fn service_sites_csv(inputs: &Inputs, plan: &ServicePlan) -> Result<Vec<u8>> {
    let cap_head = crate::capacity_out::service_site_head(inputs, plan);
    let cap_head: Vec<&str> = cap_head.iter().map(String::as_str).collect();
    csv_bytes(
        &[
            &SITE_CSV_HEAD[..],
            &[
                "open_cost",
                "disposal_receipt",
                "capacity",
                "space_used",
                "services_before",
                "services_after",
                "moved_in",
                "moved_out",
                "hub_before",
                "hub_after",
            ],
            &cap_head,
        ]
        .concat(),
        inputs.sites.iter().zip(&plan.sites).enumerate().map(|(j, (s, p))| {
            let h = site_hosting(inputs, p);
            let mut row = site_csv_cells(s, p.decision);
            row.extend([
                csv_fixed(money(s.open_cost)),
                csv_fixed(money(s.disposal_receipt)),
                s.capacity.map(csv_plain).unwrap_or_default(),
                csv_plain(p.space_used),
                h.before.join(";"),
                h.after.join(";"),
                h.moved_in.join(";"),
                h.moved_out.join(";"),
                p.hub_before.to_string(),
                p.hub_after.to_string(),
            ]);
            row.extend(crate::capacity_out::service_site_cells(plan, j));
            row
        }),
    )
}

fn service_zones_csv(inputs: &Inputs, plan: &ServicePlan) -> Result<Vec<u8>> {
    let rows = plan
        .services
        .iter()
        .zip(&plan.zones)
        .zip(&plan.totals.per_service)
        .flat_map(|((&s, zs), c)| {
            inputs.zones.iter().zip(zs).map(move |(z, p)| {
                let mut row = zone_csv_cells(z);
                row.extend([
                    svc_id(inputs, s).to_string(),
                    csv_plain(p.need),
                    c.max_minutes.map(csv_plain).unwrap_or_default(),
                ]);
                row.extend(nearest_csv_cells(inputs, p.before, p.after));
                row.extend([
                    p.covered_before.to_string(),
                    p.covered_after.to_string(),
                    p.unreachable.to_string(),
                    p.equity.to_string(),
                ]);
                row
            })
        });
    csv_bytes(
        &[
            &ZONE_CSV_HEAD[..],
            &["service", "need", "max_minutes"],
            &NEAREST_CSV_HEAD,
            &["covered_before", "covered", "unreachable", "equity"],
        ]
        .concat(),
        rows,
    )
}

fn service_plan_geojson(inputs: &Inputs, plan: &ServicePlan) -> Result<Vec<u8>> {
    let mut features = Vec::with_capacity(inputs.sites.len() + inputs.zones.len());
    for (s, p) in inputs.sites.iter().zip(&plan.sites) {
        let h = site_hosting(inputs, p);
        let props = with(
            site_properties(s, p.decision),
            json!({
                "capacity": s.capacity.and_then(finite),
                "space_used": finite(p.space_used),
                "services_before": h.before.join(";"),
                "services_after": h.after.join(";"),
                "moved_in": h.moved_in.join(";"),
                "moved_out": h.moved_out.join(";"),
                "hub_before": p.hub_before,
                "hub_after": p.hub_after,
            }),
        );
        features.push(feature(point(s.pos), props));
    }
    for (k, z) in inputs.zones.iter().enumerate() {
        let mut props = zone_properties(z);
        let mut all = true;
        let mut all_before = true;
        for (&s, zs) in plan.services.iter().zip(&plan.zones) {
            let Some(p) = zs.get(k) else { continue };
            let id = svc_id(inputs, s);
            if p.need > 0.0 && !p.unreachable {
                all &= p.covered_after;
                all_before &= p.covered_before;
            }
            props.insert(format!("need_{id}"), json!(finite(p.need)));
            props.insert(
                format!("nearest_site_{id}"),
                json!(p.after.map(|(j, _)| site_id(inputs, j))),
            );
            props.insert(format!("minutes_{id}"), json!(p.after.and_then(|(_, m)| minutes(m))));
            props.insert(format!("covered_{id}"), json!(p.covered_after));
            props.insert(format!("covered_before_{id}"), json!(p.covered_before));
            props.insert(format!("unreachable_{id}"), json!(p.unreachable));
        }
        props.insert("covered_all".into(), json!(all));
        props.insert("covered_all_before".into(), json!(all_before));
        features.push(feature(zone_geometry(z), props));
    }
    geojson_bytes(features, "plan.geojson")
}

/// Writes a co-location plan ([`hubplan::colocate::plan_services`]) into `dir`:
/// the same four files as [`write_plan_dir`], with the same atomicity.
///
/// - `plan.json`: `"model": "services"`, status, objective (and `then`,
///   `primary_objective`), bound, gap; the planned services; per site the
///   decision, services before/after, each service's change (`stays`,
///   `moved_in`, `moved_out`) and the hub flag before/after; totals with
///   conversion and capital costs, hubs per district and need covered per
///   service; unreachable zones per service; infeasibility blockers by id.
/// - `sites.csv`: one row per site (decision, services_before, services_after,
///   moved_in, moved_out, hub_before, hub_after, space_used, capacity…).
/// - `zones.csv`: one row per zone × planned service (nearest hosting site and
///   minutes before/after, covered, unreachable, equity).
/// - `plan.geojson`: sites with their hosting, zones with per-service properties.
///
/// See docs/FORMATS.md. [`read_plan_json`] reads both kinds of plan.json.
pub fn write_service_plan_dir(
    dir: &Path,
    inputs: &Inputs,
    rules: &ServiceRules,
    plan: &ServicePlan,
    meta: &RunMeta,
) -> Result<()> {
    write_files_atomically(dir, &service_plan_dir_files(inputs, rules, plan, meta)?)
}

/// The files of [`write_service_plan_dir`], rendered in memory and not written:
/// (name, bytes) in [`PLAN_FILES`] order.
pub fn service_plan_dir_files(
    inputs: &Inputs,
    rules: &ServiceRules,
    plan: &ServicePlan,
    meta: &RunMeta,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    check_service_shapes(inputs, plan)?;
    Ok(vec![
        ("sites.csv", service_sites_csv(inputs, plan)?),
        ("zones.csv", service_zones_csv(inputs, plan)?),
        ("plan.geojson", service_plan_geojson(inputs, plan)?),
        ("plan.json", service_plan_json(inputs, rules, plan, meta)?),
    ])
}
