//! A loaded scenario ([`Job`]), its model ([`Model`]) and what-if [`Overrides`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubplan::colocate::ServiceRules;
use hubplan::{Inputs, ObjectiveKind, Scenario, SiteIdx};
use hubplan_io::RunMeta;

use crate::error::{Error, Result};
use crate::outcome::{Outcome, Planned};

/// Which model a scenario is planned with.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Model {
    /// One service: keep, close or open sites so that every zone reaches one within the limit.
    Single(Scenario),
    /// Several services co-located in shared buildings (a `[services]` table), with family hubs.
    Services(ServiceRules),
}

impl Model {
    /// `single` or `services`.
    pub fn name(&self) -> &'static str {
        match self {
            Model::Single(_) => "single",
            Model::Services(_) => "services",
        }
    }

    /// The access limit in minutes (for services: the default of services without their own).
    pub fn max_minutes(&self) -> Option<f64> {
        match self {
            Model::Single(s) => s.max_minutes,
            Model::Services(r) => r.max_minutes,
        }
    }

    /// The objective solved (first).
    pub fn objective(&self) -> ObjectiveKind {
        match self {
            Model::Single(s) => s.objective,
            Model::Services(r) => r.objective,
        }
    }

    /// Sites forced open.
    pub fn keep(&self) -> &[SiteIdx] {
        match self {
            Model::Single(s) => &s.keep,
            Model::Services(r) => &r.keep,
        }
    }

    /// Sites forced closed.
    pub fn close(&self) -> &[SiteIdx] {
        match self {
            Model::Single(s) => &s.close,
            Model::Services(r) => &r.close,
        }
    }
}

/// What-if changes applied to a loaded scenario before a solve: every field is
/// optional, and the loaded data (inputs, travel-time matrix) is reused as it is.
///
/// Site ids are the inputs' own ids. `keep` and `close` add to the scenario's forced
/// sites and take the site out of the other list; `free` takes a site out of both (the
/// optimiser decides).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    /// Sites forced open.
    pub keep: Vec<String>,
    /// Sites forced closed.
    pub close: Vec<String>,
    /// Sites the optimiser decides again, whatever the scenario says.
    pub free: Vec<String>,
    /// The access limit, minutes (0 < m ≤ 1440).
    pub max_minutes: Option<f64>,
    /// The annual running-cost budget, GBP (≥ 0).
    pub budget: Option<f64>,
    /// Exactly this many open sites.
    pub sites: Option<u32>,
    /// The objective.
    pub objective: Option<ObjectiveKind>,
    /// Co-location only: the least annual saving, GBP (≥ 0).
    pub savings_target: Option<f64>,
    /// Co-location only: the one-off spend limit, GBP (≥ 0).
    pub capital_budget: Option<f64>,
    /// The solver's time limit.
    pub time_limit: Option<Duration>,
}

impl Overrides {
    /// True when nothing is overridden (the scenario as loaded).
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }
}

/// Largest access limit an override may set, minutes (a day).
pub const MAX_OVERRIDE_MINUTES: f64 = 1440.0;

/// Model export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportFormat {
    /// Free MPS.
    Mps,
    /// CPLEX LP text.
    Lp,
}

/// A scenario loaded once: inputs with their travel-time matrix, the model, and the
/// provenance of the files. Cheap to clone (the inputs are shared), `Send + Sync`, and
/// every method takes `&self`: a server keeps one and solves what-ifs on it from
/// several threads at once.
#[derive(Clone, Debug)]
pub struct Job {
    pub(crate) inputs: Arc<Inputs>,
    pub(crate) model: Model,
    pub(crate) meta: Arc<RunMeta>,
    pub(crate) transit_words: Option<String>,
    pub(crate) path: Option<PathBuf>,
    site_by_id: Arc<HashMap<String, SiteIdx>>,
}

impl Job {
    pub(crate) fn new(
        inputs: Inputs,
        model: Model,
        meta: RunMeta,
        transit_words: Option<String>,
        path: Option<PathBuf>,
    ) -> Job {
        let site_by_id = inputs.site_indices().map(|j| (inputs.site(j).id.clone(), j)).collect();
        Job {
            inputs: Arc::new(inputs),
            model,
            meta: Arc::new(meta),
            transit_words,
            path,
            site_by_id: Arc::new(site_by_id),
        }
    }

    /// The inputs: sites, zones, services and travel times.
    pub fn inputs(&self) -> &Inputs {
        &self.inputs
    }

    /// The model as loaded (before any override).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The provenance written beside a plan (files and their SHA-256, settings, warnings).
    pub fn meta(&self) -> &RunMeta {
        &self.meta
    }

    /// The scenario file, when loaded from one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The timetable in words, when travel times were computed from `[transit]`.
    pub fn transit_words(&self) -> Option<&str> {
        self.transit_words.as_deref()
    }

    /// The dense index of a site id (compared in Unicode NFC, as the input files' ids
    /// were read: `hubplan_io::nfc`).
    pub fn site(&self, id: &str) -> Option<SiteIdx> {
        self.site_by_id.get(hubplan_io::nfc(id).as_ref()).copied()
    }

    fn site_for(&self, field: &str, id: &str) -> Result<SiteIdx> {
        self.site(id).ok_or_else(|| {
            let near = self
                .inputs
                .sites
                .iter()
                .map(|s| s.id.as_str())
                .min_by_key(|s| levenshtein(s, id))
                .filter(|s| levenshtein(s, id) <= 2);
            Error::invalid(
                field,
                format!(
                    "unknown site id {id:?}{}",
                    near.map_or(String::new(), |s| format!(" (did you mean {s:?}?)"))
                ),
            )
        })
    }

    /// The model with `overrides` applied. Errors name the override field.
    pub fn model_with(&self, o: &Overrides) -> Result<Model> {
        let mut m = self.model.clone();
        if o.is_empty() {
            return Ok(m);
        }
        let idx = |field: &str, ids: &[String]| -> Result<Vec<SiteIdx>> {
            ids.iter().map(|id| self.site_for(field, id)).collect()
        };
        let keep = idx("keep", &o.keep)?;
        let close = idx("close", &o.close)?;
        let free = idx("free", &o.free)?;
        if let Some(j) = keep.iter().find(|j| close.contains(j)) {
            return Err(Error::invalid(
                "keep",
                format!("site {:?} is both in keep and in close", self.inputs.site(*j).id),
            ));
        }
        if let Some(m) = o.max_minutes {
            if !(m.is_finite() && m > 0.0 && m <= MAX_OVERRIDE_MINUTES) {
                return Err(Error::invalid(
                    "max_minutes",
                    format!("expected minutes greater than 0 and at most {MAX_OVERRIDE_MINUTES}, found {m}"),
                ));
            }
        }
        for (field, v) in [
            ("budget", o.budget),
            ("savings_target", o.savings_target),
            ("capital_budget", o.capital_budget),
        ] {
            if let Some(v) = v {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(Error::invalid(
                        field,
                        format!("expected an amount of pounds ≥ 0, found {v}"),
                    ));
                }
                if v > hubplan_io::limits::MAX_POUNDS {
                    return Err(Error::invalid(
                        field,
                        format!(
                            "expected an amount of pounds ≥ 0, found {v:e}{}",
                            hubplan_io::limits::ABOVE_MAX_POUNDS
                        ),
                    ));
                }
            }
        }
        if o.sites == Some(0) {
            return Err(Error::invalid("sites", "expected at least 1 open site, found 0"));
        }
        if let Some(t) = o.time_limit {
            if t.is_zero() {
                return Err(Error::invalid("time_limit", "expected a time limit above 0 seconds"));
            }
        }
        let apply = |k: &mut Vec<SiteIdx>, c: &mut Vec<SiteIdx>| {
            k.retain(|j| !free.contains(j) && !close.contains(j));
            c.retain(|j| !free.contains(j) && !keep.contains(j));
            for &j in &keep {
                if !k.contains(&j) {
                    k.push(j);
                }
            }
            for &j in &close {
                if !c.contains(&j) {
                    c.push(j);
                }
            }
            k.sort_unstable();
            c.sort_unstable();
        };
        match &mut m {
            Model::Single(sc) => {
                if o.savings_target.is_some() || o.capital_budget.is_some() {
                    let f = if o.savings_target.is_some() {
                        "savings_target"
                    } else {
                        "capital_budget"
                    };
                    return Err(Error::invalid(f, "applies to a co-location ([services]) scenario only"));
                }
                apply(&mut sc.keep, &mut sc.close);
                if let Some(v) = o.max_minutes {
                    sc.max_minutes = Some(v);
                }
                if let Some(v) = o.budget {
                    sc.budget = Some(v);
                }
                if let Some(v) = o.sites {
                    sc.sites = Some(v);
                }
                if let Some(v) = o.objective {
                    sc.objective = v;
                }
                if let Some(t) = o.time_limit {
                    sc.solver.time_limit = t;
                }
            }
            Model::Services(r) => {
                apply(&mut r.keep, &mut r.close);
                if let Some(v) = o.max_minutes {
                    r.max_minutes = Some(v);
                }
                if let Some(v) = o.budget {
                    r.annual_budget = Some(v);
                }
                if let Some(v) = o.sites {
                    r.sites.exact = Some(v);
                }
                if let Some(v) = o.objective {
                    r.objective = v;
                }
                if let Some(v) = o.savings_target {
                    r.savings_target = Some(v);
                }
                if let Some(v) = o.capital_budget {
                    r.capital_budget = Some(v);
                }
                if let Some(t) = o.time_limit {
                    r.solver.time_limit = t;
                }
            }
        }
        Ok(m)
    }

    /// Plans the scenario with `overrides` applied, on the loaded data (no file is read),
    /// and certifies the answer. An infeasible scenario is an [`Outcome`] with its
    /// explanation, not an error.
    pub fn solve(&self, overrides: &Overrides) -> Result<Outcome> {
        let model = self.model_with(overrides)?;
        Ok(self
            .solve_model(model)?
            .with_override_notices(self.override_notices(overrides)))
    }

    /// Notices about the overrides themselves, as the scenario file's own settings
    /// get them at load: a new access limit outside 5–180 minutes.
    fn override_notices(&self, o: &Overrides) -> Vec<hubplan::notice::Notice> {
        o.max_minutes
            .filter(|&m| self.model.max_minutes() != Some(m))
            .and_then(hubplan_check::access_limit_out_of_range)
            .map(|n| n.field("max_minutes"))
            .into_iter()
            .collect()
    }

    /// Plans a model built by the caller on this job's inputs (e.g. a sweep point).
    pub fn solve_model(&self, model: Model) -> Result<Outcome> {
        let t0 = Instant::now();
        let planned = match &model {
            Model::Single(sc) => Planned::Single(hubplan::plan(&self.inputs, sc)?),
            Model::Services(r) => Planned::Services(hubplan::colocate::plan_services(&self.inputs, r)?),
        };
        Ok(Outcome::new(self, model, planned, t0.elapsed()))
    }

    /// The optimisation model as text (MPS or CPLEX LP), for an auditor to re-solve elsewhere.
    pub fn export_text(&self, overrides: &Overrides, format: ExportFormat) -> Result<String> {
        let model = self.model_with(overrides)?;
        let solver = |e: hubplan_solver::InstanceError| Error::Model(e.into());
        Ok(match (&model, format) {
            (Model::Single(sc), f) => {
                hubplan::optimise::check_scenario(&self.inputs, sc)?;
                if let Some(text) = hubplan::capacity::export_text(&self.inputs, sc, f == ExportFormat::Mps) {
                    return text.map_err(Error::from);
                }
                let mapped = hubplan::optimise::map_instance(&self.inputs, sc);
                match f {
                    ExportFormat::Mps => hubplan_solver::mip::write_mps(&mapped.instance).map_err(solver)?,
                    ExportFormat::Lp => hubplan_solver::mip::write_lp(&mapped.instance).map_err(solver)?,
                }
            }
            (Model::Services(r), ExportFormat::Mps) => hubplan::colocate::export_mps(&self.inputs, r)?,
            (Model::Services(r), ExportFormat::Lp) => hubplan::colocate::export_lp(&self.inputs, r)?,
        })
    }

    /// Writes the optimisation model to `path` atomically (see [`Job::export_text`]).
    pub fn export(&self, overrides: &Overrides, format: ExportFormat, path: &Path) -> Result<()> {
        self.export_all(overrides, &[(format, path)])
    }

    /// Writes the optimisation model in several formats (`--export-mps` and
    /// `--export-lp` together): every text is rendered before any file is written,
    /// and each file is written atomically (a temporary file beside it, renamed into
    /// place), so a failed export leaves no file half-written and writes none at all
    /// when the model cannot be rendered.
    pub fn export_all(&self, overrides: &Overrides, targets: &[(ExportFormat, &Path)]) -> Result<()> {
        let texts = targets
            .iter()
            .map(|&(format, path)| Ok((path, self.export_text(overrides, format)?)))
            .collect::<Result<Vec<_>>>()?;
        for (path, text) in texts {
            hubplan_io::write_file_atomically(path, text.as_bytes())?;
        }
        Ok(())
    }

    /// The single-service scenario, or an error naming the operation for a `[services]` one.
    pub(crate) fn single(&self, what: &str) -> Result<&Scenario> {
        match &self.model {
            Model::Single(sc) => Ok(sc),
            Model::Services(_) => Err(Error::Plan(format!(
                "{}: this scenario has a [services] table (the co-location model); {what} supports \
                 single-service scenarios so far — run `hubplan plan` on it instead",
                self.path
                    .as_deref()
                    .map_or("the scenario".into(), |p| p.display().to_string())
            ))),
        }
    }
}

/// Edit distance, for "did you mean".
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
