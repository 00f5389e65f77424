//! A saved plan directory reloaded against its scenario and verified, so that its
//! appendix can be (re)written without solving again.

use std::path::{Path, PathBuf};

use hubplan::{Decision, PlanStatus};

use crate::error::{Error, Result};
use crate::job::Model;
use crate::load::{load, Event, LoadOptions, Progress};
use crate::outcome::{Outcome, Planned};

/// A plan directory reloaded by [`reload`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Reloaded {
    /// The plan directory (where the appendix goes).
    pub dir: PathBuf,
    /// The plan, rebuilt from the saved decisions on the scenario's inputs.
    pub outcome: Outcome,
}

macro_rules! bail {
    ($($t:tt)*) => { return Err(Error::Plan(format!($($t)*))) };
}

/// Reloads a plan directory (or its plan.json) written by a single-service run: reads
/// the scenario it records (or `scenario`), checks that every input file still has the
/// SHA-256 recorded, rebuilds the plan from the saved decisions and checks it against
/// the scenario's rules. A saved plan without a solution (infeasible, unknown) is
/// solved again, to explain why.
pub fn reload(
    plan_dir: &Path,
    scenario: Option<&Path>,
    options: &LoadOptions,
    progress: &dyn Progress,
) -> Result<Reloaded> {
    let (dir, plan_json) = if plan_dir.is_dir() {
        (plan_dir.to_path_buf(), plan_dir.join("plan.json"))
    } else {
        (
            plan_dir.parent().map(Path::to_path_buf).unwrap_or_default(),
            plan_dir.to_path_buf(),
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
    let scenario_path = match scenario {
        Some(p) => p.to_path_buf(),
        None => {
            let Some(recorded) = summary.scenario.file.as_deref() else {
                bail!(
                    "{} does not record its scenario file; pass --scenario SCENARIO.toml",
                    plan_json.display()
                );
            };
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
    let job = load(&scenario_path, options, progress)?;
    let sc = job.single("report")?.clone();
    let (inputs, meta) = (job.inputs(), job.meta());
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
            Error::Plan(format!(
                "site {} of the inputs is not in {}; was the plan made from this scenario?",
                s.id,
                plan_json.display()
            ))
        })?;
        open.push(d.is_open());
    }
    let status = summary.status;
    let plan = match status {
        PlanStatus::Optimal | PlanStatus::Feasible => {
            let nan = f64::NAN;
            let mut p = hubplan::optimise::plan_for_open_set(
                inputs,
                &sc,
                open,
                status,
                summary.objective.unwrap_or(nan),
                summary.bound.unwrap_or(nan),
                summary.gap.unwrap_or(nan),
            );
            let v = hubplan::evaluate::violations(inputs, &sc, &p.open);
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
            progress.event(Event::Info(&format!(
                "the saved plan is {}: re-solving to explain why",
                status.name()
            )));
            hubplan::plan(inputs, &sc)?
        }
    };
    let outcome = Outcome::new(
        &job,
        Model::Single(sc),
        Planned::Single(plan),
        std::time::Duration::ZERO,
    );
    Ok(Reloaded { dir, outcome })
}
