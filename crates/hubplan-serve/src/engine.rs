//! The adapter between the server and the hubplan library.
//!
//! This is the only module of the server that calls `hubplan` and
//! `hubplan-io`. It loads a scenario once, applies a validated [`WhatIf`] to
//! the loaded rules, plans it with the library, and turns the result into the
//! values the HTTP layer sends: the `plan.json` document, the GeoJSON of the
//! current state and the difference against the baseline. It holds no
//! planning logic of its own: every decision, total and explanation comes
//! from the library (`plan.json` is the library's own writer).

use std::path::{Path, PathBuf};
use std::time::Duration;

use hubplan::colocate::{ServicePlan, ServiceRules};
use hubplan::{Decision, Inputs, ObjectiveKind, Plan, PlanStatus, Scenario, ServiceIdx, SiteIdx};
use hubplan_io::RunMeta;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The zone attribute counted as "children" in the access difference.
pub const CHILDREN_COLUMN: &str = "pop_0_15";

/// The loaded rules: one service, or the co-location model.
#[derive(Clone, Debug)]
enum Model {
    Single(Box<Scenario>),
    Services(Box<ServiceRules>),
}

/// A plan of either model.
#[derive(Clone, Debug)]
enum CorePlan {
    Single(Box<Plan>),
    Services(Box<ServicePlan>),
}

/// Why a what-if produced no plan document.
#[derive(Clone, Debug, PartialEq)]
pub enum SolveError {
    /// The what-if contradicts itself or the scenario (a bad request); the message says how.
    Rejected(String),
    /// Something failed inside (a solver error, an output that could not be rendered).
    Failed(String),
}

impl std::fmt::Display for SolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SolveError::Rejected(m) | SolveError::Failed(m) => f.write_str(m),
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
    /// The objective.
    pub objective: Option<ObjectiveKind>,
}

/// A planned what-if (or the baseline).
#[derive(Clone, Debug)]
pub struct Solved {
    model: Model,
    plan: CorePlan,
    /// The `plan.json` document, parsed.
    pub plan_json: Value,
    /// The `plan.json` document's bytes, exactly as `hubplan plan` writes them.
    pub plan_json_bytes: Vec<u8>,
}

impl Solved {
    /// The plan's status name (`optimal`, `feasible`, `infeasible`, `unknown`).
    pub fn status(&self) -> &'static str {
        match &self.plan {
            CorePlan::Single(p) => p.status.name(),
            CorePlan::Services(p) => p.status.name(),
        }
    }

    /// The relative gap of the plan (NaN without one).
    pub fn gap(&self) -> f64 {
        match &self.plan {
            CorePlan::Single(p) => p.gap,
            CorePlan::Services(p) => p.gap,
        }
    }

    fn has_plan(&self) -> bool {
        let s = match &self.plan {
            CorePlan::Single(p) => p.status,
            CorePlan::Services(p) => p.status,
        };
        matches!(s, PlanStatus::Optimal | PlanStatus::Feasible)
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
    inputs: Inputs,
    model: Model,
    meta: RunMeta,
    scenario_path: PathBuf,
    scenario_text: String,
    time_limit: Option<Duration>,
    scratch: PathBuf,
}

/// How a scenario is loaded.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Caps every solve's time limit (the scenario's `[solver] time_limit_s` otherwise).
    pub time_limit: Option<Duration>,
    /// A folder the engine may use for scratch files (inside the server's `--out`).
    pub scratch: PathBuf,
}

fn services_of(p: &CorePlan) -> Vec<Option<ServiceIdx>> {
    match p {
        CorePlan::Single(_) => vec![None],
        CorePlan::Services(sp) => sp.services.iter().map(|&s| Some(s)).collect(),
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

fn access(p: &CorePlan, k: usize, z: usize, inputs: &Inputs) -> Option<Access> {
    match p {
        CorePlan::Single(p) => p.zones.get(z).map(|a| Access {
            need: inputs.zones[z].need,
            before: a.before,
            after: a.after,
            covered_before: a.covered_before,
            covered_after: a.covered_after,
            unreachable: a.unreachable,
        }),
        CorePlan::Services(sp) => sp.zones.get(k).and_then(|v| v.get(z)).map(|a| Access {
            need: a.need,
            before: a.before,
            after: a.after,
            covered_before: a.covered_before,
            covered_after: a.covered_after,
            unreachable: a.unreachable,
        }),
    }
}

fn round2(x: f64) -> Value {
    if x.is_finite() {
        json!((x * 100.0).round() / 100.0)
    } else {
        Value::Null
    }
}

impl Engine {
    /// Loads a scenario and its inputs (travel times from `inputs.travel_times`).
    pub fn load(path: &Path, opts: &LoadOptions) -> Result<Engine, String> {
        let loaded = hubplan_io::load_scenario(path).map_err(|e| e.to_string())?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let rules = loaded.service_rules.clone();
        if loaded.travel.is_none() {
            return Err(format!(
                "{}: this scenario computes travel times from [transit]; `hubplan serve` needs a travel-time matrix \
                 (`inputs.travel_times`): run `hubplan travel-times` once and point the scenario at its output",
                path.display()
            ));
        }
        let (inputs, scenario, meta) = loaded.into_inputs().map_err(|e| e.to_string())?;
        let model = match rules {
            Some(r) => Model::Services(Box::new(r)),
            None => Model::Single(Box::new(scenario)),
        };
        Ok(Engine {
            inputs,
            model,
            meta,
            scenario_path: path.to_path_buf(),
            scenario_text: text,
            time_limit: opts.time_limit,
            scratch: opts.scratch.clone(),
        })
    }

    /// The warnings from reading the inputs.
    pub fn warnings(&self) -> &[String] {
        &self.meta.warnings
    }

    /// `single` or `services`.
    pub fn model_name(&self) -> &'static str {
        match self.model {
            Model::Single(_) => "single",
            Model::Services(_) => "services",
        }
    }

    /// The sites, in input order.
    pub fn sites(&self) -> Vec<SiteInfo> {
        self.inputs
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
        self.inputs.site_by_id(id)
    }

    /// The id of site `s`.
    pub fn site_id(&self, s: SiteIdx) -> &str {
        self.inputs.sites.get(s.index()).map_or("?", |x| x.id.as_str())
    }

    /// The scenario's settings as the page shows them.
    pub fn info(&self) -> Value {
        let services: Vec<Value> = match &self.model {
            Model::Single(_) => Vec::new(),
            Model::Services(r) => r
                .services
                .iter()
                .map(|&s| {
                    let sv = &self.inputs.services[s.index()];
                    json!({
                        "id": sv.id,
                        "name": sv.name,
                        "max_minutes": hubplan::colocate::service_limit(&self.inputs, r, s),
                        "hub": r.hub.contains(&s),
                    })
                })
                .collect(),
        };
        let (objective, max_minutes, budget, savings_target, time_limit) = match &self.model {
            Model::Single(sc) => (sc.objective, sc.max_minutes, sc.budget, None, sc.solver.time_limit),
            Model::Services(r) => (
                r.objective,
                r.max_minutes,
                r.annual_budget,
                r.savings_target,
                r.solver.time_limit,
            ),
        };
        let time_limit = self.time_limit.map_or(time_limit, |t| t.min(time_limit));
        json!({
            "scenario": self.scenario_path.to_string_lossy().replace('\\', "/"),
            "model": self.model_name(),
            "objective": objective.name(),
            "max_minutes": max_minutes,
            "budget": budget,
            "savings_target": savings_target,
            "time_limit_s": time_limit.as_secs_f64(),
            "services": services,
            "children_column": self.has_children().then_some(CHILDREN_COLUMN),
            "sites": self.inputs.sites.len(),
            "zones": self.inputs.zones.len(),
        })
    }

    fn has_children(&self) -> bool {
        self.inputs
            .zones
            .iter()
            .any(|z| z.attributes.contains_key(CHILDREN_COLUMN))
    }

    fn apply(&self, w: &WhatIf) -> Result<Model, SolveError> {
        fn force(keep: &mut Vec<SiteIdx>, close: &mut Vec<SiteIdx>, w: &WhatIf) {
            for s in &w.keep {
                close.retain(|x| x != s);
                if !keep.contains(s) {
                    keep.push(*s);
                }
            }
            for s in &w.close {
                keep.retain(|x| x != s);
                if !close.contains(s) {
                    close.push(*s);
                }
            }
        }
        let cap = |t: Duration| self.time_limit.map_or(t, |c| c.min(t));
        Ok(match &self.model {
            Model::Single(base) => {
                let mut sc = (**base).clone();
                if w.savings_target.is_some() {
                    return Err(SolveError::Rejected(
                        "field savings_target: only co-location scenarios (with a [services] table) have a savings \
                         target; this scenario has one service: use budget"
                            .into(),
                    ));
                }
                force(&mut sc.keep, &mut sc.close, w);
                if let Some(m) = w.max_minutes {
                    sc.max_minutes = Some(m);
                }
                if let Some(b) = w.budget {
                    sc.budget = Some(b);
                }
                if let Some(o) = w.objective {
                    sc.objective = o;
                }
                sc.solver.time_limit = cap(sc.solver.time_limit);
                Model::Single(Box::new(sc))
            }
            Model::Services(base) => {
                let mut r = (**base).clone();
                force(&mut r.keep, &mut r.close, w);
                if let Some(m) = w.max_minutes {
                    r.max_minutes = Some(m);
                }
                if let Some(b) = w.budget {
                    r.annual_budget = Some(b);
                }
                if let Some(t) = w.savings_target {
                    r.savings_target = Some(t);
                }
                if let Some(o) = w.objective {
                    r.objective = o;
                    if r.then == Some(o) {
                        r.then = None;
                    }
                }
                r.solver.time_limit = cap(r.solver.time_limit);
                Model::Services(Box::new(r))
            }
        })
    }

    /// Plans the loaded scenario with `w` applied.
    pub fn solve(&self, w: &WhatIf) -> Result<Solved, SolveError> {
        let model = self.apply(w)?;
        let lib = |e: hubplan::Error| match e {
            hubplan::Error::Contradiction(_) | hubplan::Error::Invalid(_) => SolveError::Rejected(e.to_string()),
            other => SolveError::Failed(other.to_string()),
        };
        let plan = match &model {
            Model::Single(sc) => CorePlan::Single(Box::new(hubplan::plan(&self.inputs, sc).map_err(lib)?)),
            Model::Services(r) => {
                hubplan::colocate::check_rules(&self.inputs, r).map_err(lib)?;
                CorePlan::Services(Box::new(
                    hubplan::colocate::plan_services(&self.inputs, r).map_err(lib)?,
                ))
            }
        };
        let files = self.render(&model, &plan).map_err(SolveError::Failed)?;
        let plan_json_bytes = files
            .into_iter()
            .find(|(n, _)| n == "plan.json")
            .map(|(_, b)| b)
            .ok_or_else(|| SolveError::Failed("plan.json was not written".into()))?;
        let plan_json = serde_json::from_slice(&plan_json_bytes)
            .map_err(|e| SolveError::Failed(format!("plan.json does not parse: {e}")))?;
        Ok(Solved {
            model,
            plan,
            plan_json,
            plan_json_bytes,
        })
    }

    /// The plan directory's files (`plan.json`, `sites.csv`, `zones.csv`,
    /// `plan.geojson`) as the library writes them, rendered through a scratch
    /// folder inside `--out` that is removed again.
    fn render(&self, model: &Model, plan: &CorePlan) -> Result<Vec<(String, Vec<u8>)>, String> {
        std::fs::create_dir_all(&self.scratch).map_err(|e| format!("{}: {e}", self.scratch.display()))?;
        let tmp = tempfile::Builder::new()
            .prefix("render-")
            .tempdir_in(&self.scratch)
            .map_err(|e| format!("{}: {e}", self.scratch.display()))?;
        let dir = tmp.path().join("plan");
        match (model, plan) {
            (Model::Single(sc), CorePlan::Single(p)) => {
                hubplan_io::write_plan_dir(&dir, &self.inputs, sc, p, &self.meta)
            }
            (Model::Services(r), CorePlan::Services(p)) => {
                hubplan_io::write_service_plan_dir(&dir, &self.inputs, r, p, &self.meta)
            }
            _ => return Err("internal error: the plan does not match its model".into()),
        }
        .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for name in hubplan_io::PLAN_FILES {
            let bytes = std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
            out.push((name.to_string(), bytes));
        }
        Ok(out)
    }

    /// Sentences explaining why a plan is infeasible (empty when it is not).
    pub fn infeasibility_text(&self, s: &Solved) -> Vec<String> {
        match (&s.model, &s.plan) {
            (Model::Single(sc), CorePlan::Single(p)) => p
                .infeasibility
                .as_ref()
                .map(|inf| {
                    hubplan::explain::describe_infeasibility(&self.inputs, sc, inf)
                        .into_iter()
                        .map(|n| n.text)
                        .collect()
                })
                .unwrap_or_default(),
            (_, CorePlan::Services(p)) => p
                .infeasibility
                .as_ref()
                .map(|inf| inf.blockers.iter().map(|b| format!("{b:?}")).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn forced(&self, model: &Model, s: SiteIdx) -> Option<&'static str> {
        let (keep, close) = match model {
            Model::Single(sc) => (&sc.keep, &sc.close),
            Model::Services(r) => (&r.keep, &r.close),
        };
        if keep.contains(&s) {
            Some("keep")
        } else if close.contains(&s) {
            Some("close")
        } else {
            None
        }
    }

    fn decision(p: &CorePlan, s: usize) -> Option<Decision> {
        match p {
            CorePlan::Single(p) => p.sites.get(s).map(|x| x.decision),
            CorePlan::Services(p) => p.sites.get(s).map(|x| x.decision),
        }
    }

    fn hub_after(p: &CorePlan, s: usize) -> Option<bool> {
        match p {
            CorePlan::Single(_) => None,
            CorePlan::Services(p) => p.sites.get(s).map(|x| x.hub_after),
        }
    }

    fn service_id(&self, s: Option<ServiceIdx>) -> Value {
        s.and_then(|k| self.inputs.services.get(k.index()))
            .map_or(Value::Null, |x| json!(x.id))
    }

    /// The sites as a GeoJSON FeatureCollection: positions, decisions, forcing, hub flag.
    pub fn sites_geojson(&self, s: &Solved) -> geojson::FeatureCollection {
        let features = self
            .inputs
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
                let d = Self::decision(&s.plan, j);
                props.insert("decision".into(), json!(d.map(|d| d.name())));
                props.insert("open".into(), json!(d.is_some_and(|d| d.is_open())));
                props.insert("hub".into(), json!(Self::hub_after(&s.plan, j)));
                props.insert("forced".into(), json!(self.forced(&s.model, SiteIdx::from_index(j))));
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

    /// The zones as a GeoJSON FeatureCollection: minutes to the nearest open
    /// site before and after, for every planned service (`access`), and the
    /// first service's figures at the top level.
    pub fn zones_geojson(&self, s: &Solved) -> geojson::FeatureCollection {
        let services = services_of(&s.plan);
        let features = self
            .inputs
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
                    let Some(a) = access(&s.plan, k, z, &self.inputs) else {
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
                geojson::Feature {
                    bbox: None,
                    geometry: Some(geojson::Geometry::new(geojson::Value::Point(vec![
                        zone.pos.lon,
                        zone.pos.lat,
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

    /// The what-if against the baseline: sites whose decision (or hub flag)
    /// differs, zones and children that gain or lose access per service, and
    /// every total of `plan.json` before and after.
    pub fn diff(&self, base: &Solved, w: &Solved) -> Value {
        let both = base.has_plan() && w.has_plan();
        let mut sites = Vec::new();
        for (j, site) in self.inputs.sites.iter().enumerate().filter(|_| both) {
            let (a, b) = (Self::decision(&base.plan, j), Self::decision(&w.plan, j));
            let (ha, hb) = (Self::hub_after(&base.plan, j), Self::hub_after(&w.plan, j));
            if a != b || ha != hb {
                sites.push(json!({
                    "id": site.id,
                    "name": site.name,
                    "district": site.district,
                    "baseline": a.map(|d| d.name()),
                    "whatif": b.map(|d| d.name()),
                    "hub_baseline": ha,
                    "hub_whatif": hb,
                    "annual_cost": round2(site.annual_cost),
                }));
            }
        }
        let mut accessd = Vec::new();
        if both {
            for (k, &svc) in services_of(&w.plan).iter().enumerate() {
                if services_of(&base.plan).get(k) != Some(&svc) {
                    continue;
                }
                let (mut gain, mut lose) = (Vec::new(), Vec::new());
                let (mut ng, mut nl, mut cg, mut cl) = (0.0, 0.0, 0.0, 0.0);
                for (z, zone) in self.inputs.zones.iter().enumerate() {
                    let (Some(a), Some(b)) = (
                        access(&base.plan, k, z, &self.inputs),
                        access(&w.plan, k, z, &self.inputs),
                    ) else {
                        continue;
                    };
                    let children = zone.attributes.get(CHILDREN_COLUMN).copied().unwrap_or(0.0);
                    if !a.covered_after && b.covered_after {
                        gain.push(zone.id.as_str());
                        ng += b.need;
                        cg += children;
                    } else if a.covered_after && !b.covered_after {
                        lose.push(zone.id.as_str());
                        nl += a.need;
                        cl += children;
                    }
                }
                let has_children = self.has_children();
                accessd.push(json!({
                    "service": self.service_id(svc),
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
        json!({
            "baseline_status": base.status(),
            "whatif_status": w.status(),
            "objective": { "baseline": obj(base), "whatif": obj(w) },
            "sites": sites,
            "access": accessd,
            "children_column": self.has_children().then_some(CHILDREN_COLUMN),
            "totals": totals,
        })
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
        let (objective, max_minutes, budget, keep, close, time_limit) = match &s.model {
            Model::Single(sc) => (
                sc.objective,
                sc.max_minutes,
                sc.budget,
                &sc.keep,
                &sc.close,
                sc.solver.time_limit,
            ),
            Model::Services(r) => (
                r.objective,
                r.max_minutes,
                r.annual_budget,
                &r.keep,
                &r.close,
                r.solver.time_limit,
            ),
        };
        let services = match &s.model {
            Model::Services(r) => Some((r.savings_target, r.then.is_none())),
            Model::Single(_) => None,
        };
        edit(&mut doc, "objective", |t| {
            t.insert("kind".into(), toml::Value::String(objective.name().into()));
            if services.is_some_and(|(_, no_then)| no_then) {
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
        if let Some((target, _)) = services {
            edit(&mut doc, "services", |t| set_opt(t, "savings_target", target));
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

    /// Every file of an exported what-if: `scenario.toml` and the plan directory
    /// (`plan.json`, `sites.csv`, `zones.csv`, `plan.geojson`).
    pub fn export_files(&self, s: &Solved) -> Result<Vec<(String, Vec<u8>)>, String> {
        let mut files = vec![("scenario.toml".to_string(), self.scenario_toml(s)?.into_bytes())];
        files.extend(self.render(&s.model, &s.plan)?);
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
