//! The adapter between the server and the hubplan library.
//!
//! This is the only module of the server that calls the library, through the
//! run facade (`hubplan-run`): a [`hubplan_run::Job`] is loaded once, each
//! what-if is a [`hubplan_run::Overrides`] solved on it, and everything sent
//! back (the `plan.json` document, the explanations, the difference against
//! the baseline, the exported files) is the facade's own output. Only the
//! shapes the page needs (GeoJSON of the current state, the diff as JSON) are
//! assembled here, from the plan's values.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hubplan::{Decision, ObjectiveKind, ServiceIdx, SiteIdx};
use hubplan_run::{Job, Model, Outcome, Overrides, Planned};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The zone attribute counted as "children" in the access difference.
pub const CHILDREN_COLUMN: &str = "pop_0_15";

/// Why a what-if produced no plan document.
#[derive(Clone, Debug, PartialEq)]
pub enum SolveError {
    /// The what-if contradicts itself or the scenario (a bad request): the field and how.
    Rejected {
        /// The request field at fault (`whatif` when it is the combination).
        field: String,
        /// What was found and what was expected.
        message: String,
    },
    /// Something failed inside (a solver error, an output that could not be rendered).
    Failed(String),
}

impl std::fmt::Display for SolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SolveError::Rejected { field, message } => write!(f, "{field}: {message}"),
            SolveError::Failed(m) => f.write_str(m),
        }
    }
}

impl From<hubplan_run::Error> for SolveError {
    fn from(e: hubplan_run::Error) -> Self {
        match e {
            hubplan_run::Error::Invalid { field, message } => SolveError::Rejected { field, message },
            e if e.is_bad_input() => SolveError::Rejected {
                field: "whatif".into(),
                message: e.to_string(),
            },
            e => SolveError::Failed(e.to_string()),
        }
    }
}

/// A what-if: changes to the loaded scenario, every id already resolved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WhatIf {
    /// Sites forced open (added to the scenario's own `keep`, and taken out of its `close`).
    pub keep: Vec<SiteIdx>,
    /// Sites forced closed (added to `close`, taken out of `keep`).
    pub close: Vec<SiteIdx>,
    /// The access limit, minutes.
    pub max_minutes: Option<f64>,
    /// The annual running-cost ceiling (`limits.budget`).
    pub budget: Option<f64>,
    /// The annual savings target (co-location scenarios: `services.savings_target`).
    pub savings_target: Option<f64>,
    /// The one-off (capital) spend limit (co-location scenarios: `services.capital_budget`).
    pub capital_budget: Option<f64>,
    /// The objective.
    pub objective: Option<ObjectiveKind>,
}

/// A planned what-if (or the baseline).
#[derive(Clone, Debug)]
pub struct Solved {
    outcome: Outcome,
    /// The `plan.json` document, parsed.
    pub plan_json: Value,
    /// The `plan.json` document's bytes, exactly as `hubplan plan` writes them.
    pub plan_json_bytes: Vec<u8>,
}

impl Solved {
    /// The plan's status name (`optimal`, `feasible`, `infeasible`, `unknown`).
    pub fn status(&self) -> &'static str {
        self.outcome.status().name()
    }

    /// The relative gap of the plan (NaN without one).
    pub fn gap(&self) -> f64 {
        self.outcome.gap()
    }

    fn has_plan(&self) -> bool {
        self.outcome.has_plan()
    }

    /// The what-if's own warnings (its access limit outside 5–180 minutes), as
    /// text; the inputs' warnings are in `GET /api/info`.
    pub fn warnings(&self) -> Vec<String> {
        self.outcome
            .override_notices()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn planned(&self) -> &Planned {
        self.outcome.planned()
    }

    fn model(&self) -> &Model {
        self.outcome.model()
    }
}

/// One site of the scenario, as the page and the API list it.
#[derive(Clone, Debug, Serialize)]
pub struct SiteInfo {
    /// Original id.
    pub id: String,
    /// Name.
    pub name: String,
    /// District.
    pub district: String,
}

/// The loaded scenario: inputs, rules and provenance, read once.
#[derive(Debug)]
pub struct Engine {
    job: Job,
    scenario_path: PathBuf,
    scenario_text: String,
    time_limit: Option<Duration>,
}

/// How a scenario is loaded.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Caps every solve's time limit (the scenario's `[solver] time_limit_s` otherwise).
    pub time_limit: Option<Duration>,
}

/// Buildings listed in a what-if's `utilisation` (the fullest after either plan;
/// per capacitated service in a co-location scenario).
const UTILISATION_SHOWN: usize = 5;

fn services_of(p: &Planned) -> Vec<Option<ServiceIdx>> {
    match p {
        Planned::Services(sp) => sp.services.iter().map(|&s| Some(s)).collect(),
        _ => vec![None],
    }
}

/// One zone's access for one service.
#[derive(Clone, Copy, Debug)]
struct Access {
    need: f64,
    before: Option<(SiteIdx, f64)>,
    after: Option<(SiteIdx, f64)>,
    covered_before: bool,
    covered_after: bool,
    unreachable: bool,
}

fn access(p: &Planned, k: usize, z: usize, inputs: &hubplan::Inputs) -> Option<Access> {
    match p {
        Planned::Single(p) => p.zones.get(z).map(|a| Access {
            need: inputs.zones[z].need,
            before: a.before,
            after: a.after,
            covered_before: a.covered_before,
            covered_after: a.covered_after,
            unreachable: a.unreachable,
        }),
        Planned::Services(sp) => sp.zones.get(k).and_then(|v| v.get(z)).map(|a| Access {
            need: a.need,
            before: a.before,
            after: a.after,
            covered_before: a.covered_before,
            covered_after: a.covered_after,
            unreachable: a.unreachable,
        }),
        _ => None,
    }
}

/// A zone's geometry: its outline (Polygon, or MultiPolygon for several parts)
/// when the zones file gave one, else its point.
fn zone_geometry(zone: &hubplan::model::Zone) -> geojson::Value {
    match &zone.outline {
        Some(mp) if mp.0.len() == 1 => geojson::Value::from(&mp.0[0]),
        Some(mp) if !mp.0.is_empty() => geojson::Value::from(mp),
        _ => geojson::Value::Point(vec![zone.pos.lon, zone.pos.lat]),
    }
}

fn round2(x: f64) -> Value {
    if x.is_finite() {
        json!((x * 100.0).round() / 100.0)
    } else {
        Value::Null
    }
}

fn solver_time_limit(m: &Model) -> Duration {
    match m {
        Model::Single(sc) => sc.solver.time_limit,
        Model::Services(r) => r.solver.time_limit,
        _ => Duration::from_secs(60),
    }
}

impl Engine {
    /// Loads a scenario and its inputs (travel times from the matrix, or computed
    /// from `[transit]` by the facade).
    pub fn load(path: &Path, opts: &LoadOptions) -> Result<Engine, String> {
        let job = hubplan_run::load(path, &hubplan_run::LoadOptions::default(), &hubplan_run::silent())
            .map_err(|e| e.to_string())?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Engine {
            job,
            scenario_path: path.to_path_buf(),
            scenario_text: text,
            time_limit: opts.time_limit,
        })
    }

    fn inputs(&self) -> &hubplan::Inputs {
        self.job.inputs()
    }

    /// The warnings from reading the inputs.
    pub fn warnings(&self) -> &[String] {
        &self.job.meta().warnings
    }

    /// `single` or `services`.
    pub fn model_name(&self) -> &'static str {
        match self.job.model() {
            Model::Services(_) => "services",
            _ => "single",
        }
    }

    /// The sites, in input order.
    pub fn sites(&self) -> Vec<SiteInfo> {
        self.inputs()
            .sites
            .iter()
            .map(|s| SiteInfo {
                id: s.id.clone(),
                name: s.name.clone(),
                district: s.district.clone(),
            })
            .collect()
    }

    /// The site with this id.
    pub fn site_index(&self, id: &str) -> Option<SiteIdx> {
        self.job.site(id)
    }

    /// In a co-location scenario whose planned services all have their own access
    /// limit (services file), those services as "name (N min)": the scenario's
    /// `max_minutes` applies to none of them. `None` otherwise.
    pub fn services_with_own_limits_only(&self) -> Option<Vec<String>> {
        let Model::Services(r) = self.job.model() else {
            return None;
        };
        let inputs = self.inputs();
        let mut out = Vec::new();
        for &k in &r.services {
            let sv = &inputs.services[k.index()];
            let m = sv.max_minutes?;
            out.push(format!("{} ({} min)", sv.name, hubplan::fmt::plain(m)));
        }
        (!out.is_empty()).then_some(out)
    }

    /// The loaded scenario's access limit.
    pub fn baseline_max_minutes(&self) -> Option<f64> {
        self.job.model().max_minutes()
    }

    /// The id of site `s`.
    pub fn site_id(&self, s: SiteIdx) -> &str {
        self.inputs().sites.get(s.index()).map_or("?", |x| x.id.as_str())
    }

    /// The scenario's settings as the page shows them.
    pub fn info(&self) -> Value {
        let inputs = self.inputs();
        let capital_budget = match self.job.model() {
            Model::Services(r) => r.capital_budget,
            _ => None,
        };
        let (services, budget, savings_target): (Vec<Value>, Option<f64>, Option<f64>) = match self.job.model() {
            Model::Services(r) => (
                r.services
                    .iter()
                    .map(|&s| {
                        let sv = &inputs.services[s.index()];
                        json!({
                            "id": sv.id,
                            "name": sv.name,
                            "max_minutes": hubplan::colocate::service_limit(inputs, r, s),
                            "own_limit": sv.max_minutes.is_some(),
                            "hub": r.hub.contains(&s),
                        })
                    })
                    .collect(),
                r.annual_budget,
                r.savings_target,
            ),
            Model::Single(sc) => (Vec::new(), sc.budget, None),
            _ => (Vec::new(), None, None),
        };
        let m = self.job.model();
        let time_limit = self.capped(solver_time_limit(m));
        json!({
            "scenario": self.scenario_path.to_string_lossy().replace('\\', "/"),
            "model": self.model_name(),
            "objective": m.objective().name(),
            "max_minutes": m.max_minutes(),
            "budget": budget,
            "savings_target": savings_target,
            "capital_budget": capital_budget,
            "has_outlines": inputs.zones.iter().any(|z| z.outline.is_some()),
            "time_limit_s": time_limit.as_secs_f64(),
            "services": services,
            "children_column": self.has_children().then_some(CHILDREN_COLUMN),
            "sites": inputs.sites.len(),
            "zones": inputs.zones.len(),
        })
    }

    fn capped(&self, t: Duration) -> Duration {
        self.time_limit.map_or(t, |c| c.min(t))
    }

    fn has_children(&self) -> bool {
        self.inputs()
            .zones
            .iter()
            .any(|z| z.attributes.contains_key(CHILDREN_COLUMN))
    }

    /// The facade's overrides for `w` (ids as strings; the time limit capped).
    pub fn overrides(&self, w: &WhatIf) -> Overrides {
        let ids = |v: &[SiteIdx]| v.iter().map(|&s| self.site_id(s).to_string()).collect();
        let cap = self.time_limit.filter(|&c| c < solver_time_limit(self.job.model()));
        Overrides {
            keep: ids(&w.keep),
            close: ids(&w.close),
            max_minutes: w.max_minutes,
            budget: w.budget,
            savings_target: w.savings_target,
            capital_budget: w.capital_budget,
            objective: w.objective,
            time_limit: cap,
            ..Overrides::default()
        }
    }

    /// Plans the loaded scenario with `w` applied, on the loaded data.
    pub fn solve(&self, w: &WhatIf) -> Result<Solved, SolveError> {
        let outcome = self.job.solve(&self.overrides(w))?;
        let plan_json_bytes = outcome
            .files()?
            .into_iter()
            .find(|(n, _)| *n == "plan.json")
            .map(|(_, b)| b)
            .ok_or_else(|| SolveError::Failed("plan.json was not rendered".into()))?;
        let plan_json = serde_json::from_slice(&plan_json_bytes)
            .map_err(|e| SolveError::Failed(format!("plan.json does not parse: {e}")))?;
        Ok(Solved {
            outcome,
            plan_json,
            plan_json_bytes,
        })
    }

    /// Sentences explaining why a plan is infeasible (empty when it is not): the
    /// facade's blocker wording, the same as `hubplan plan` prints.
    pub fn infeasibility_text(&self, s: &Solved) -> Vec<String> {
        let inputs = self.inputs();
        match (s.model(), s.planned()) {
            (Model::Single(sc), Planned::Single(p)) => p
                .infeasibility
                .as_ref()
                .map(|inf| {
                    inf.blockers
                        .iter()
                        .map(|b| hubplan_run::text::describe_blocker(inputs, sc, b))
                        .collect()
                })
                .unwrap_or_default(),
            (Model::Services(r), Planned::Services(p)) => p
                .infeasibility
                .as_ref()
                .map(|inf| {
                    inf.blockers
                        .iter()
                        .map(|b| hubplan_run::text::describe_service_blocker(inputs, r, b))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn forced(model: &Model, s: SiteIdx) -> Option<&'static str> {
        if model.keep().contains(&s) {
            Some("keep")
        } else if model.close().contains(&s) {
            Some("close")
        } else {
            None
        }
    }

    fn decision(p: &Planned, s: usize) -> Option<Decision> {
        match p {
            Planned::Single(p) => p.sites.get(s).map(|x| x.decision),
            Planned::Services(p) => p.sites.get(s).map(|x| x.decision),
            _ => None,
        }
    }

    fn hub_after(p: &Planned, s: usize) -> Option<bool> {
        match p {
            Planned::Services(p) => p.sites.get(s).map(|x| x.hub_after),
            _ => None,
        }
    }

    fn service_id(&self, s: Option<ServiceIdx>) -> Value {
        s.and_then(|k| self.inputs().services.get(k.index()))
            .map_or(Value::Null, |x| json!(x.id))
    }

    /// The sites as a GeoJSON FeatureCollection: positions, decisions, forcing, hub flag.
    pub fn sites_geojson(&self, s: &Solved) -> geojson::FeatureCollection {
        let features = self
            .inputs()
            .sites
            .iter()
            .enumerate()
            .map(|(j, site)| {
                let mut props = Map::new();
                props.insert("id".into(), json!(site.id));
                props.insert("name".into(), json!(site.name));
                props.insert("district".into(), json!(site.district));
                props.insert("kind".into(), json!(site.kind));
                props.insert(
                    "status".into(),
                    json!(match site.status {
                        hubplan::model::SiteStatus::Existing => "existing",
                        hubplan::model::SiteStatus::Candidate => "candidate",
                    }),
                );
                let d = Self::decision(s.planned(), j);
                props.insert("decision".into(), json!(d.map(|d| d.name())));
                props.insert("open".into(), json!(d.is_some_and(|d| d.is_open())));
                props.insert("hub".into(), json!(Self::hub_after(s.planned(), j)));
                props.insert("forced".into(), json!(Self::forced(s.model(), SiteIdx::from_index(j))));
                props.insert("annual_cost".into(), round2(site.annual_cost));
                props.insert("backlog".into(), round2(site.backlog));
                geojson::Feature {
                    bbox: None,
                    geometry: Some(geojson::Geometry::new(geojson::Value::Point(vec![
                        site.pos.lon,
                        site.pos.lat,
                    ]))),
                    id: None,
                    properties: Some(props),
                    foreign_members: None,
                }
            })
            .collect();
        geojson::FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        }
    }

    /// The zones as a GeoJSON FeatureCollection: each zone's outline (Polygon or
    /// MultiPolygon) where the zones file gives one, else its point; its own point
    /// as `lon`, `lat`; minutes to the nearest open site before and after, for
    /// every planned service (`access`), and the first service's figures at the
    /// top level.
    pub fn zones_geojson(&self, s: &Solved) -> geojson::FeatureCollection {
        let services = services_of(s.planned());
        let features = self
            .inputs()
            .zones
            .iter()
            .enumerate()
            .map(|(z, zone)| {
                let mut props = Map::new();
                props.insert("id".into(), json!(zone.id));
                props.insert("name".into(), json!(zone.name));
                props.insert("district".into(), json!(zone.district));
                props.insert("population".into(), round2(zone.population));
                props.insert(
                    "children".into(),
                    zone.attributes.get(CHILDREN_COLUMN).map_or(Value::Null, |&c| round2(c)),
                );
                let mut acc = Vec::new();
                for (k, &svc) in services.iter().enumerate() {
                    let Some(a) = access(s.planned(), k, z, self.inputs()) else {
                        continue;
                    };
                    let m = |x: Option<(SiteIdx, f64)>| x.map_or(Value::Null, |(_, m)| round2(m));
                    let site = |x: Option<(SiteIdx, f64)>| x.map_or(Value::Null, |(j, _)| json!(self.site_id(j)));
                    acc.push(json!({
                        "service": self.service_id(svc),
                        "need": round2(a.need),
                        "minutes": m(a.after),
                        "nearest_site": site(a.after),
                        "minutes_before": m(a.before),
                        "nearest_site_before": site(a.before),
                        "covered": a.covered_after,
                        "covered_before": a.covered_before,
                        "unreachable": a.unreachable,
                    }));
                }
                if let Some(Value::Object(first)) = acc.first() {
                    for (k, v) in first {
                        if k != "service" {
                            props.insert(k.clone(), v.clone());
                        }
                    }
                }
                props.insert("access".into(), Value::Array(acc));
                // The zone's own point, where its journeys start (also for an outlined zone).
                props.insert("lon".into(), json!(zone.pos.lon));
                props.insert("lat".into(), json!(zone.pos.lat));
                geojson::Feature {
                    bbox: None,
                    geometry: Some(geojson::Geometry::new(zone_geometry(zone))),
                    id: None,
                    properties: Some(props),
                    foreign_members: None,
                }
            })
            .collect();
        geojson::FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        }
    }

    /// The what-if against the baseline: sites whose decision (or hub flag)
    /// differs, zones and children that gain or lose access per service, and
    /// every total of `plan.json` before and after.
    pub fn diff(&self, base: &Solved, w: &Solved) -> Result<Value, SolveError> {
        let both = base.has_plan() && w.has_plan();
        let inputs = self.inputs();
        // The comparison is made on the plans' values (decisions, coverage flags), as
        // `hubplan_run::Outcome::diff` makes it, without rendering both plan.json
        // documents again (that doubles a re-plan's time on Kent; see BENCHMARKS.md).
        let mut sites = Vec::new();
        if both {
            for (j, site) in inputs.sites.iter().enumerate() {
                let (a, b) = (Self::decision(base.planned(), j), Self::decision(w.planned(), j));
                let (ha, hb) = (Self::hub_after(base.planned(), j), Self::hub_after(w.planned(), j));
                if a != b || ha != hb {
                    sites.push(json!({
                        "id": site.id,
                        "name": site.name,
                        "district": site.district,
                        "baseline": a.map(|x| x.name()),
                        "whatif": b.map(|x| x.name()),
                        "hub_baseline": ha,
                        "hub_whatif": hb,
                        "annual_cost": round2(site.annual_cost),
                    }));
                }
            }
            sites.sort_by(|x, y| x["id"].as_str().cmp(&y["id"].as_str()));
        }
        let has_children = self.has_children();
        let mut accessd = Vec::new();
        let (mut need_gained, mut need_lost) = (0.0, 0.0);
        if both {
            let base_services = services_of(base.planned());
            for (k, svc) in services_of(w.planned()).into_iter().enumerate() {
                let Some(k0) = base_services.iter().position(|&s| s == svc) else {
                    continue;
                };
                let (mut gain, mut lose) = (Vec::new(), Vec::new());
                let (mut ng, mut nl, mut cg, mut cl) = (0.0, 0.0, 0.0, 0.0);
                for (z, zone) in inputs.zones.iter().enumerate() {
                    let (Some(x), Some(y)) = (access(base.planned(), k0, z, inputs), access(w.planned(), k, z, inputs))
                    else {
                        continue;
                    };
                    let children = zone.attributes.get(CHILDREN_COLUMN).copied().unwrap_or(0.0);
                    if y.covered_after && !x.covered_after {
                        gain.push(zone.id.as_str());
                        ng += y.need;
                        cg += children;
                    } else if x.covered_after && !y.covered_after {
                        lose.push(zone.id.as_str());
                        nl += y.need;
                        cl += children;
                    }
                }
                need_gained += ng;
                need_lost += nl;
                accessd.push(json!({
                    "service": svc.map(|k| hubplan_run::text::svc_name(inputs, k).to_string()),
                    "zones_gaining": gain,
                    "zones_losing": lose,
                    "need_gaining": round2(ng),
                    "need_losing": round2(nl),
                    "children_gaining": if has_children { round2(cg) } else { Value::Null },
                    "children_losing": if has_children { round2(cl) } else { Value::Null },
                }));
            }
        }
        let mut totals = Map::new();
        if let (true, Some(Value::Object(a)), Some(Value::Object(b))) =
            (both, base.plan_json.get("totals"), w.plan_json.get("totals"))
        {
            for (k, va) in a {
                if let (Some(x), Some(y)) = (va.as_f64(), b.get(k).and_then(Value::as_f64)) {
                    totals.insert(
                        k.clone(),
                        json!({ "baseline": x, "whatif": y, "change": round2(y - x) }),
                    );
                }
            }
        }
        let obj = |s: &Solved| s.plan_json.get("objective").cloned().unwrap_or(Value::Null);
        // Demand capacity (issue 21): the fullest buildings after the baseline and the what-if
        // (per service in a co-location scenario), through the one comparison `hubplan compare` prints.
        let utilisation: Vec<Value> = if both {
            hubplan_run::text::utilisation_changes(&base.plan_json, &w.plan_json, UTILISATION_SHOWN)
                .iter()
                .map(|c| {
                    json!({
                        "service": c.service,
                        "service_name": c.service_name,
                        "id": c.id,
                        "max_users": round2(c.max_users),
                        "users_today": c.users_today.map(round2),
                        "users_baseline": c.users_a.map(round2),
                        "users_whatif": c.users_b.map(round2),
                        "utilisation_baseline": c.share_a().map(|x| (x * 1e4).round() / 1e4),
                        "utilisation_whatif": c.share_b().map(|x| (x * 1e4).round() / 1e4),
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(json!({
            "baseline_status": base.status(),
            "whatif_status": w.status(),
            "objective": { "baseline": obj(base), "whatif": obj(w) },
            "sites": sites,
            "access": accessd,
            "need_gained": if both { round2(need_gained) } else { Value::Null },
            "need_lost": if both { round2(need_lost) } else { Value::Null },
            "limits_note": if both { limits_note(&base.plan_json, &w.plan_json).map_or(Value::Null, Value::from) } else { Value::Null },
            "children_column": has_children.then_some(CHILDREN_COLUMN),
            "totals": totals,
            "utilisation": utilisation,
        }))
    }

    /// The what-if as a scenario TOML: the loaded scenario's text with the
    /// what-if's settings applied and every input path made absolute, so that
    /// `hubplan plan` of the exported file gives the same plan.
    pub fn scenario_toml(&self, s: &Solved) -> Result<String, String> {
        let mut doc: toml::Table = self
            .scenario_text
            .parse()
            .map_err(|e| format!("{}: {e}", self.scenario_path.display()))?;
        let base = self
            .scenario_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let base = std::fs::canonicalize(&base).unwrap_or(base);
        for (section, keys) in [
            ("inputs", &["sites", "zones", "travel_times", "services"][..]),
            ("transit", &["gtfs"][..]),
        ] {
            if let Some(toml::Value::Table(t)) = doc.get_mut(section) {
                for key in keys {
                    if let Some(toml::Value::String(p)) = t.get_mut(*key) {
                        let abs = base.join(&*p);
                        *p = abs.to_string_lossy().replace('\\', "/");
                    }
                }
            }
        }
        /// Applies `f` to section `name` (created when absent; dropped when left empty).
        fn edit(doc: &mut toml::Table, name: &str, f: impl FnOnce(&mut toml::Table)) {
            let mut t = match doc.remove(name) {
                Some(toml::Value::Table(t)) => t,
                _ => toml::Table::new(),
            };
            f(&mut t);
            if !t.is_empty() {
                doc.insert(name.to_string(), toml::Value::Table(t));
            }
        }
        fn set_opt(t: &mut toml::Table, key: &str, v: Option<f64>) {
            match v {
                Some(x) => t.insert(key.into(), toml::Value::Float(x)),
                None => t.remove(key),
            };
        }
        let ids = |v: &[SiteIdx]| -> toml::Value {
            toml::Value::Array(
                v.iter()
                    .map(|&x| toml::Value::String(self.site_id(x).to_string()))
                    .collect(),
            )
        };
        let model = s.model();
        let (objective, max_minutes, keep, close, time_limit) = (
            model.objective(),
            model.max_minutes(),
            model.keep(),
            model.close(),
            solver_time_limit(model),
        );
        let (budget, services) = match model {
            Model::Services(r) => (
                r.annual_budget,
                Some((r.savings_target, r.capital_budget, r.then.is_none())),
            ),
            Model::Single(sc) => (sc.budget, None),
            _ => (None, None),
        };
        edit(&mut doc, "objective", |t| {
            t.insert("kind".into(), toml::Value::String(objective.name().into()));
            if services.is_some_and(|(_, _, no_then)| no_then) {
                t.remove("then");
                t.remove("tolerance");
            }
        });
        edit(&mut doc, "access", |t| set_opt(t, "max_minutes", max_minutes));
        edit(&mut doc, "limits", |t| {
            set_opt(t, "budget", budget);
            for (key, v) in [("keep", keep), ("close", close)] {
                if v.is_empty() {
                    t.remove(key);
                } else {
                    t.insert(key.into(), ids(v));
                }
            }
        });
        if let Some((target, capital, _)) = services {
            edit(&mut doc, "services", |t| {
                set_opt(t, "savings_target", target);
                set_opt(t, "capital_budget", capital);
            });
        }
        edit(&mut doc, "solver", |t| {
            t.insert("time_limit_s".into(), toml::Value::Float(time_limit.as_secs_f64()));
        });
        let body = toml::to_string_pretty(&doc).map_err(|e| format!("cannot write the scenario TOML: {e}"))?;
        Ok(format!(
            "# A what-if exported by `hubplan serve` from {}.\n# Input paths are absolute; plan it with `hubplan plan THIS_FILE --out DIR`.\n{body}",
            self.scenario_path.to_string_lossy().replace('\\', "/")
        ))
    }

    /// Every file of an exported what-if: `scenario.toml`, the plan directory
    /// (`plan.json`, `sites.csv`, `zones.csv`, `plan.geojson`) and the cabinet
    /// appendix, exactly as `hubplan plan --report` writes them (plan.json last).
    pub fn export_files(&self, s: &Solved) -> Result<Vec<(String, Vec<u8>)>, SolveError> {
        let toml = self.scenario_toml(s).map_err(SolveError::Failed)?;
        let mut files: Vec<(String, Vec<u8>)> = vec![("scenario.toml".to_string(), toml.into_bytes())];
        let mut plan: Vec<(String, Vec<u8>)> = s
            .outcome
            .files()?
            .into_iter()
            .map(|(n, b)| (n.to_string(), b))
            .collect();
        let last = plan.pop();
        files.extend(plan);
        files.extend(
            s.outcome
                .appendix_files(&hubplan_run::AppendixOptions::default())?
                .into_iter()
                .map(|(n, b)| (n.to_string(), b)),
        );
        files.extend(last);
        Ok(files)
    }

    /// Writes `files` into `dir` atomically (the library's writer).
    pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), String> {
        let v: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        hubplan_io::write_files_atomically(dir, &v).map_err(|e| e.to_string())
    }

    /// Parses an objective name.
    pub fn objective(name: &str) -> Option<ObjectiveKind> {
        [
            ObjectiveKind::MinCost,
            ObjectiveKind::MaxCoverage,
            ObjectiveKind::MinTravel,
        ]
        .into_iter()
        .find(|o| o.name() == name)
    }
}

/// "35 minutes", or "no access limit".
fn limit_words(v: Option<&Value>) -> String {
    v.and_then(Value::as_f64).map_or_else(
        || "no access limit".into(),
        |m| format!("{} minutes", hubplan::fmt::plain(m)),
    )
}

/// When the what-if changes an access limit (the scenario's, or a planned service's),
/// the sentence saying that the zones gaining or losing access are counted against
/// each plan's own limit (session 9 acceptance sweep; `hubplan compare` says the same).
fn limits_note(base: &Value, whatif: &Value) -> Option<String> {
    let services = |p: &Value| p.get("services").and_then(Value::as_array).cloned().unwrap_or_default();
    let (sa, sb) = (services(base), services(whatif));
    let mut differ = Vec::new();
    if sa.is_empty() {
        let lim = |p: &Value| p.get("scenario").and_then(|s| s.get("max_minutes")).cloned();
        let (a, b) = (lim(base), lim(whatif));
        if a.as_ref().and_then(Value::as_f64) != b.as_ref().and_then(Value::as_f64) {
            differ.push(format!(
                "{} in the baseline, {} in this what-if",
                limit_words(a.as_ref()),
                limit_words(b.as_ref())
            ));
        }
    } else {
        for x in &sa {
            let id = x.get("id");
            let Some(y) = sb.iter().find(|y| y.get("id") == id) else {
                continue;
            };
            let (a, b) = (x.get("max_minutes"), y.get("max_minutes"));
            if a.and_then(Value::as_f64) != b.and_then(Value::as_f64) {
                let name = x.get("name").and_then(Value::as_str).filter(|n| !n.is_empty());
                differ.push(format!(
                    "{}: {} in the baseline, {} in this what-if",
                    name.or(id.and_then(Value::as_str)).unwrap_or("?"),
                    limit_words(a),
                    limit_words(b)
                ));
            }
        }
    }
    (!differ.is_empty()).then(|| {
        format!(
            "The access limit differs ({}): zones gain or lose access against each plan's own limit, so these \
             figures mix the change of plan with the change of limit.",
            differ.join("; ")
        )
    })
}
