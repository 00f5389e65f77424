//! The result of a solve ([`Outcome`]) and everything done with it: files, the
//! plan.json document, the printed summary, the difference from a baseline.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hubplan::colocate::ServicePlan;
use hubplan::whatif::{compare, Comparison, PlanSummary};
use hubplan::{Decision, Inputs, Plan, PlanStatus};
use hubplan_io::RunMeta;

use crate::appendix::{services_appendix, single_appendix, AppendixOptions};
use crate::error::{Error, Result};
use crate::job::{Job, Model};

/// The plan of either model.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Planned {
    /// A single-service plan.
    Single(Plan),
    /// A co-location plan.
    Services(ServicePlan),
}

/// Options of [`Outcome::write`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WriteOptions {
    /// Also write the cabinet appendix (appendix.html, appendix.md, appendix.pdf,
    /// appendix.docx, and map.svg for a single-service plan).
    pub report: bool,
    /// The appendix's title and date.
    pub appendix: AppendixOptions,
}

impl WriteOptions {
    /// Options that write the appendix too (`report`), with its options.
    pub fn with_report(report: bool, appendix: AppendixOptions) -> Self {
        WriteOptions { report, appendix }
    }
}

/// One zone (and service, for a co-location plan) whose access within the limit
/// differs between a baseline and a what-if.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AccessChange {
    /// Zone id.
    pub zone: String,
    /// Service id (co-location plans only).
    pub service: Option<String>,
    /// The zone's need (for this service).
    pub need: f64,
    /// Within the limit in the baseline plan.
    pub before: bool,
    /// Within the limit in this plan.
    pub after: bool,
}

/// A what-if against its baseline: the totals and the sites that differ
/// ([`Comparison`], A = baseline, B = this plan), and the zones that gain or lose access.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Diff {
    /// Totals and site decisions, baseline (A) against this plan (B).
    pub comparison: Comparison,
    /// Zones (× services) whose access within the limit changed, in zone order.
    pub access: Vec<AccessChange>,
    /// Need that gains access (Σ over `access` with `after && !before`).
    pub need_gained: f64,
    /// Need that loses access.
    pub need_lost: f64,
}

/// The result of [`Job::solve`]: the plan, the rules it was solved under (with any
/// overrides), and what is needed to write and describe it. Cheap to keep: the inputs
/// are shared with the job.
#[derive(Clone, Debug)]
pub struct Outcome {
    inputs: Arc<Inputs>,
    meta: Arc<RunMeta>,
    transit_words: Option<String>,
    model: Model,
    planned: Planned,
    elapsed: Duration,
    override_notices: Vec<hubplan::notice::Notice>,
}

impl Outcome {
    pub(crate) fn new(job: &Job, model: Model, planned: Planned, elapsed: Duration) -> Outcome {
        Outcome {
            inputs: job.inputs.clone(),
            meta: job.meta.clone(),
            transit_words: job.transit_words.clone(),
            model,
            planned,
            elapsed,
            override_notices: Vec::new(),
        }
    }

    /// Adds notices about the what-if's own settings (e.g. an access limit outside
    /// 5–180 minutes) to the run's: plan.json's `warnings` and `notices`, the
    /// appendix, and [`Outcome::override_notices`].
    pub(crate) fn with_override_notices(mut self, notices: Vec<hubplan::notice::Notice>) -> Outcome {
        if notices.is_empty() {
            return self;
        }
        let mut meta = (*self.meta).clone();
        meta.warnings.extend(notices.iter().map(ToString::to_string));
        meta.notices.extend(notices.iter().cloned());
        hubplan_check::sort(&mut meta.notices);
        self.meta = Arc::new(meta);
        self.override_notices = notices;
        self
    }

    /// The notices about the what-if's own settings that the inputs' notices do
    /// not hold (a `max_minutes` override outside 5–180 minutes:
    /// `access_limit_out_of_range`, as a scenario file's limit gets); empty for a
    /// plan without overrides.
    pub fn override_notices(&self) -> &[hubplan::notice::Notice] {
        &self.override_notices
    }

    /// The plan.
    pub fn planned(&self) -> &Planned {
        &self.planned
    }

    /// The rules the plan was solved under (overrides applied).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The inputs.
    pub fn inputs(&self) -> &Inputs {
        &self.inputs
    }

    /// Wall-clock time of the solve (not written into any output).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Optimal, feasible (with a gap), infeasible (with the reason) or unknown (no plan
    /// within the time limit).
    pub fn status(&self) -> PlanStatus {
        match &self.planned {
            Planned::Single(p) => p.status,
            Planned::Services(p) => p.status,
        }
    }

    /// True when there is a plan (optimal or feasible).
    pub fn has_plan(&self) -> bool {
        matches!(self.status(), PlanStatus::Optimal | PlanStatus::Feasible)
    }

    /// The objective value (NaN without a plan).
    pub fn objective(&self) -> f64 {
        match &self.planned {
            Planned::Single(p) => p.objective,
            Planned::Services(p) => p.objective,
        }
    }

    /// The proven bound.
    pub fn bound(&self) -> f64 {
        match &self.planned {
            Planned::Single(p) => p.bound,
            Planned::Services(p) => p.bound,
        }
    }

    /// The relative gap between objective and bound.
    pub fn gap(&self) -> f64 {
        match &self.planned {
            Planned::Single(p) => p.gap,
            Planned::Services(p) => p.gap,
        }
    }

    /// The solver's report (back end, nodes, clients, free sites).
    pub fn solver(&self) -> &hubplan::plan::SolverReport {
        match &self.planned {
            Planned::Single(p) => &p.solver,
            Planned::Services(p) => &p.solver,
        }
    }

    /// Each site's id and decision, in input order.
    pub fn decisions(&self) -> Vec<(&str, Decision)> {
        let d: Vec<Decision> = match &self.planned {
            Planned::Single(p) => p.sites.iter().map(|s| s.decision).collect(),
            Planned::Services(p) => p.sites.iter().map(|s| s.decision).collect(),
        };
        self.inputs.sites.iter().map(|s| s.id.as_str()).zip(d).collect()
    }

    /// The files of the plan directory, rendered in memory: sites.csv, zones.csv,
    /// plan.geojson, plan.json (see docs/FORMATS.md).
    pub fn files(&self) -> Result<Vec<(&'static str, Vec<u8>)>> {
        Ok(match (&self.model, &self.planned) {
            (Model::Single(sc), Planned::Single(p)) => {
                // plan.json carries the appendix's plain-English summary (issue 19).
                let mut meta = (*self.meta).clone();
                meta.summary = hubplan_report::plain_summary(&self.inputs, sc, p)
                    .into_iter()
                    .map(|i| (i.topic, i.text))
                    .collect();
                hubplan_io::plan_dir_files(&self.inputs, sc, p, &meta)?
            }
            (Model::Services(r), Planned::Services(p)) => {
                hubplan_io::service_plan_dir_files(&self.inputs, r, p, &self.meta)?
            }
            _ => return Err(mismatch()),
        })
    }

    /// The appendix files, rendered in memory: map.svg (single-service plans with a
    /// solution), appendix.md, appendix.html, appendix.pdf and appendix.docx. The title
    /// and date are `opts`' when given, else the scenario's `[about]` ones.
    pub fn appendix_files(&self, opts: &AppendixOptions) -> Result<Vec<(&'static str, Vec<u8>)>> {
        let transit = self.transit_words.clone();
        let about = self.meta.about.as_ref();
        let opts = &AppendixOptions {
            title: opts.title.clone().or_else(|| about.and_then(|a| a.title.clone())),
            date: opts.date.clone().or_else(|| about.and_then(|a| a.date.clone())),
        };
        match (&self.model, &self.planned) {
            (Model::Single(sc), Planned::Single(p)) => single_appendix(&self.inputs, sc, p, &self.meta, transit, opts),
            (Model::Services(r), Planned::Services(p)) => {
                services_appendix(&self.inputs, r, p, &self.meta, transit, opts)
            }
            _ => Err(mismatch()),
        }
    }

    /// The plan.json document as a value (the same document [`Outcome::write`] writes).
    pub fn plan_json(&self) -> Result<serde_json::Value> {
        let files = self.files()?;
        let bytes = files
            .iter()
            .find(|(n, _)| *n == "plan.json")
            .map(|(_, b)| b.as_slice())
            .unwrap_or_default();
        serde_json::from_slice(bytes).map_err(|e| Error::Plan(format!("internal error re-reading plan.json: {e}")))
    }

    /// Writes the plan directory into `dir` (created if needed): plan.json, sites.csv,
    /// zones.csv, plan.geojson and, with `report`, the appendix — all rendered first,
    /// then moved into place atomically, plan.json last. Returns the paths written.
    pub fn write(&self, dir: &Path, opts: &WriteOptions) -> Result<Vec<PathBuf>> {
        let mut files = self.files()?;
        if opts.report {
            let last = files.pop();
            files.extend(self.appendix_files(&opts.appendix)?);
            files.extend(last);
        }
        hubplan_io::write_files_atomically(dir, &files)?;
        Ok(files.iter().map(|(n, _)| dir.join(n)).collect())
    }

    /// Writes only the appendix into `dir`, atomically. Returns the paths written.
    pub fn write_appendix(&self, dir: &Path, opts: &AppendixOptions) -> Result<Vec<PathBuf>> {
        let files = self.appendix_files(opts)?;
        hubplan_io::write_files_atomically(dir, &files)?;
        Ok(files.iter().map(|(n, _)| dir.join(n)).collect())
    }

    /// The plan in a few lines for a terminal (status, objective, sites, money, coverage,
    /// and why it is infeasible when it is).
    pub fn summary_text(&self) -> String {
        match (&self.model, &self.planned) {
            (Model::Single(sc), Planned::Single(p)) => crate::text::summary(&self.inputs, sc, p),
            (Model::Services(r), Planned::Services(p)) => crate::text::service_summary(&self.inputs, r, p),
            _ => String::new(),
        }
    }

    /// The plan as [`compare`] takes it, labelled `label`.
    pub fn summary(&self, label: &str) -> Result<PlanSummary> {
        let files = self.files()?;
        let text = files
            .iter()
            .find(|(n, _)| *n == "plan.json")
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let s = hubplan_io::parse_plan_json(&text, Path::new(label))?;
        Ok(crate::whatif::plan_summary(label, &s))
    }

    /// This plan against a `baseline` (usually the scenario as loaded): totals, the
    /// sites that differ, and the zones that gain or lose access. Both must come from
    /// the same job.
    pub fn diff(&self, baseline: &Outcome) -> Result<Diff> {
        let a = baseline.summary("baseline")?;
        let b = self.summary("what-if")?;
        let comparison = compare(&a, &b);
        let mut access = Vec::new();
        let zone_id = |z: usize| self.inputs.zones.get(z).map_or(String::new(), |x| x.id.clone());
        match (&baseline.planned, &self.planned) {
            (Planned::Single(p0), Planned::Single(p1)) => {
                for (z, (x, y)) in p0.zones.iter().zip(&p1.zones).enumerate() {
                    if x.covered_after != y.covered_after {
                        access.push(AccessChange {
                            zone: zone_id(z),
                            service: None,
                            need: self.inputs.zones[z].need,
                            before: x.covered_after,
                            after: y.covered_after,
                        });
                    }
                }
            }
            (Planned::Services(p0), Planned::Services(p1)) => {
                for (k1, &sv) in p1.services.iter().enumerate() {
                    let Some(k0) = p0.services.iter().position(|&s| s == sv) else {
                        continue;
                    };
                    let (Some(zs0), Some(zs1)) = (p0.zones.get(k0), p1.zones.get(k1)) else {
                        continue;
                    };
                    for (z, (x, y)) in zs0.iter().zip(zs1).enumerate() {
                        if x.covered_after != y.covered_after {
                            access.push(AccessChange {
                                zone: zone_id(z),
                                service: Some(crate::text::svc_name(&self.inputs, sv).to_string()),
                                need: y.need,
                                before: x.covered_after,
                                after: y.covered_after,
                            });
                        }
                    }
                }
                access.sort_by(|a, b| a.zone.cmp(&b.zone).then(a.service.cmp(&b.service)));
            }
            _ => return Err(Error::Plan("the baseline and the what-if use different models".into())),
        }
        let need_gained = access
            .iter()
            .filter(|c| c.after && !c.before)
            .fold(0.0, |a, c| a + c.need);
        let need_lost = access
            .iter()
            .filter(|c| c.before && !c.after)
            .fold(0.0, |a, c| a + c.need);
        Ok(Diff {
            comparison,
            access,
            need_gained,
            need_lost,
        })
    }
}

/// The scenario's `[about]` section as the appendix shows it (author, date, sources).
pub(crate) fn report_about(meta: &RunMeta) -> hubplan_report::About {
    let Some(a) = &meta.about else {
        return hubplan_report::About::default();
    };
    hubplan_report::About {
        author: a.author.clone(),
        date: a.date.clone(),
        sources: a
            .sources
            .iter()
            .map(|s| hubplan_report::DataSource {
                name: s.name.clone(),
                vintage: s.vintage.clone(),
                licence: s.licence.clone(),
                url: s.url.clone(),
            })
            .collect(),
    }
}

fn mismatch() -> Error {
    Error::Plan("internal error: the plan and the rules are of different models".into())
}
