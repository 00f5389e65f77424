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

/// The scenario a plan records as `recorded` (the path as typed to `hubplan plan`, from
/// the folder it ran in) and `absolute` (its absolute path then; absent from older
/// plan.json files), found from here. The candidates, in order: the recorded path itself (from the
/// current folder), the absolute path, and (a relative path) the recorded path from the
/// plan directory and from each folder above it, so that `hubplan report DIR` works from
/// any folder, wherever `hubplan plan` ran and wrote. When the plan records the scenario's
/// SHA-256 (`sha`), a candidate with that hash is preferred over one without (a scenario
/// of the same name elsewhere); else the first that exists is taken (reload then says the
/// scenario has changed). `Err` lists every path tried.
fn find_scenario(
    recorded: &Path,
    absolute: Option<&Path>,
    dir: &Path,
    sha: Option<&str>,
) -> std::result::Result<PathBuf, String> {
    let mut candidates = vec![recorded.to_path_buf()];
    if let Some(a) = absolute {
        if !candidates.iter().any(|c| c == a) {
            candidates.push(a.to_path_buf());
        }
    }
    let base = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let base = std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
    if recorded.is_relative() {
        for a in base.ancestors() {
            let c = a.join(recorded);
            if !candidates.contains(&c) {
                candidates.push(c);
            }
        }
    }
    let existing: Vec<&PathBuf> = candidates.iter().filter(|c| c.is_file()).collect();
    if let Some(sha) = sha {
        if let Some(c) = existing
            .iter()
            .find(|c| hubplan_io::sha256_file(c).is_ok_and(|now| now == sha))
        {
            return Ok(c.to_path_buf());
        }
    }
    if let Some(c) = existing.first() {
        return Ok(c.to_path_buf());
    }
    let mut tried = vec![format!(
        "{} (as recorded in plan.json, from the current folder)",
        recorded.display()
    )];
    match absolute {
        Some(a) => tried.push(format!("{} (its absolute path when planned)", a.display())),
        None => tried.push("no absolute path (plan.json was written before it was recorded)".into()),
    }
    if recorded.is_relative() {
        tried.push(format!(
            "{} under {} and each folder above it",
            recorded.display(),
            base.display()
        ));
    }
    Err(format!("tried {}; none exists", tried.join(", ")))
}

/// Reloads a plan directory (or its plan.json) written by `hubplan plan`, of either
/// model: reads the scenario it records (or `scenario`), checks that every input file
/// still has the SHA-256 recorded, rebuilds the plan from the saved decisions (for a
/// co-location plan, also the services each building hosts after) and checks it
/// against the scenario's rules. A saved plan without a solution (infeasible,
/// unknown) is solved again, to explain why.
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
    let co_location = summary.model.as_deref() == Some("services");
    let scenario_path = match scenario {
        Some(p) => p.to_path_buf(),
        None => {
            let Some(recorded) = summary.scenario.file.as_deref() else {
                bail!(
                    "{} does not record its scenario file; pass --scenario SCENARIO.toml",
                    plan_json.display()
                );
            };
            let sha = summary
                .inputs
                .iter()
                .find(|f| f.role == "scenario")
                .map(|f| f.sha256.as_str())
                .filter(|s| !s.is_empty());
            let absolute = summary.scenario.file_absolute.as_deref().map(Path::new);
            find_scenario(Path::new(recorded), absolute, &dir, sha).map_err(|looked| {
                Error::Plan(format!(
                    "{}: cannot find the scenario the plan was made from: {looked}; pass --scenario SCENARIO.toml",
                    plan_json.display(),
                ))
            })?
        }
    };
    let job = load(&scenario_path, options, progress)?;
    let (inputs, meta) = (job.inputs(), job.meta());
    if co_location != matches!(job.model, Model::Services(_)) {
        bail!(
            "{} is a {} plan but {} is a {} scenario; pass the scenario the plan was made from",
            plan_json.display(),
            if co_location {
                "co-location ([services])"
            } else {
                "single-service"
            },
            scenario_path.display(),
            job.model.name()
        );
    }
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
    if let Model::Services(rules) = &job.model {
        let planned = reload_services(&plan_json, &summary, inputs, rules, open, progress)?;
        let outcome = Outcome::new(
            &job,
            Model::Services(rules.clone()),
            Planned::Services(planned),
            std::time::Duration::ZERO,
        );
        return Ok(Reloaded { dir, outcome });
    }
    let sc = job.single("report")?.clone();
    // Demand capacity (issue 21): the utilisation and reasons need the assignment.
    // Under `split` it is recomputed exactly for the saved open set (one min-cost
    // flow, no solve); under `single` plan.json does not keep it, so the scenario is
    // re-planned and used only when it opens the same buildings (otherwise the plan
    // below, without the capacity section, and a notice says so).
    let nan = f64::NAN;
    let replanned = match status {
        PlanStatus::Optimal | PlanStatus::Feasible if sc.capacity.as_ref().is_some_and(|c| c.binds()) => {
            let saved = hubplan::capacity::plan_for_open_set(
                inputs,
                &sc,
                open.clone(),
                status,
                summary.objective.unwrap_or(nan),
                summary.bound.unwrap_or(nan),
                summary.gap.unwrap_or(nan),
            );
            let p = saved.or_else(|| hubplan::plan(inputs, &sc).ok().filter(|p| p.open == open));
            if p.is_none() {
                progress.event(Event::Info(
                    "the saved plan's assignment could not be rebuilt: the appendix has no capacity section",
                ));
            }
            p.map(|mut p| {
                p.solver.backend = summary.solver.backend.clone();
                p.solver.nodes = summary.solver.nodes;
                p
            })
        }
        _ => None,
    };
    let plan = match (status, replanned) {
        (_, Some(p)) => p,
        (PlanStatus::Optimal | PlanStatus::Feasible, None) => {
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
        (_, None) => {
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

/// The co-location half of [`reload`]: the services each site hosts after, read
/// from plan.json's `sites[].services_after`, rebuilt into a plan and checked.
fn reload_services(
    plan_json: &Path,
    summary: &hubplan_io::PlanSummary,
    inputs: &hubplan::Inputs,
    rules: &hubplan::colocate::ServiceRules,
    open: Vec<bool>,
    progress: &dyn Progress,
) -> Result<hubplan::colocate::ServicePlan> {
    let status = summary.status;
    if !matches!(status, PlanStatus::Optimal | PlanStatus::Feasible) {
        progress.event(Event::Info(&format!(
            "the saved plan is {}: re-solving to explain why",
            status.name()
        )));
        return Ok(hubplan::colocate::plan_services(inputs, rules)?);
    }
    let text = std::fs::read_to_string(plan_json)
        .map_err(|e| Error::Plan(format!("cannot read {}: {e}", plan_json.display())))?;
    let doc: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| Error::Plan(format!("{}: not a hubplan plan.json: {e}", plan_json.display())))?;
    let Some(sites) = doc["sites"].as_array() else {
        bail!("{}: no `sites` array", plan_json.display());
    };
    let planned = hubplan::colocate::planned_services(inputs, rules);
    let mut after: std::collections::HashMap<&str, Vec<hubplan::ServiceIdx>> = std::collections::HashMap::new();
    for (k, s) in sites.iter().enumerate() {
        let Some(id) = s["id"].as_str() else {
            bail!("{}: sites[{k}] has no `id`", plan_json.display());
        };
        let Some(list) = s["services_after"].as_array() else {
            bail!(
                "{}: site {id} has no `services_after` list (written by an older hubplan?); re-run `hubplan plan`",
                plan_json.display()
            );
        };
        let mut hosts = Vec::with_capacity(list.len());
        for v in list {
            let sid = v.as_str().unwrap_or_default();
            let Some(x) = inputs.services.iter().position(|x| x.id == sid) else {
                bail!(
                    "{}: site {id} hosts service {sid:?}, which the scenario's services.csv does not list",
                    plan_json.display()
                );
            };
            let x = hubplan::ServiceIdx::from_index(x);
            if planned.contains(&x) {
                hosts.push(x);
            }
        }
        hosts.sort();
        after.insert(id, hosts);
    }
    let hosting: Vec<Vec<hubplan::ServiceIdx>> = inputs
        .sites
        .iter()
        .zip(&open)
        .map(|(s, &o)| {
            if o {
                after.get(s.id.as_str()).cloned().unwrap_or_default()
            } else {
                Vec::new()
            }
        })
        .collect();
    let v = hubplan::colocate::service_violations(inputs, rules, &open, &hosting);
    if !v.is_empty() {
        bail!(
            "the plan in {} breaks the scenario's rules with these inputs ({}); re-run `hubplan plan`",
            plan_json.display(),
            v.into_iter().take(3).collect::<Vec<_>>().join("; ")
        );
    }
    let nan = f64::NAN;
    let num = |k: &str| doc[k].as_f64().unwrap_or(nan);
    // Demand capacity (issue 21): the saved assignment (`capacity.services[].placed`)
    // rebuilds utilisation, reasons and warnings, checked independently by the core.
    let assignment = saved_assignment(plan_json, &doc, inputs, rules)?;
    if rules.capacity.is_some() && assignment.is_none() {
        progress.event(Event::Info(
            "the saved plan.json has no capacity block: the appendix has no capacity section",
        ));
    }
    let (objective, bound, gap) = (
        summary.objective.unwrap_or(nan),
        summary.bound.unwrap_or(nan),
        summary.gap.unwrap_or(nan),
    );
    let mut p = match assignment {
        Some(a) => hubplan::colocate::service_plan_for_assignment(
            inputs,
            rules,
            open,
            hosting,
            a,
            status,
            objective,
            bound,
            gap,
            num("primary_objective"),
        )
        .map_err(|e| Error::Plan(format!("{}: {e}; re-run `hubplan plan`", plan_json.display())))?,
        None => hubplan::colocate::service_plan_for_decision(
            inputs,
            rules,
            open,
            hosting,
            status,
            objective,
            bound,
            gap,
            num("primary_objective"),
        ),
    };
    p.solver.backend = summary.solver.backend.clone();
    p.solver.nodes = summary.solver.nodes;
    Ok(p)
}

/// The assignment of a co-location plan's capacitated services saved in plan.json
/// (`capacity.services[] = {service, placed: [{zone, sites: [{site, users}]}]}`,
/// docs/FORMATS.md), indexed like the planned services; `None` without demand
/// capacity or when plan.json has no capacity block.
fn saved_assignment(
    plan_json: &Path,
    doc: &serde_json::Value,
    inputs: &hubplan::Inputs,
    rules: &hubplan::colocate::ServiceRules,
) -> Result<Option<hubplan::colocate::ServiceAssignment>> {
    if rules.capacity.is_none() {
        return Ok(None);
    }
    let Some(saved) = doc["capacity"]["services"].as_array() else {
        return Ok(None);
    };
    let zones: std::collections::HashMap<&str, usize> = inputs
        .zones
        .iter()
        .enumerate()
        .map(|(z, x)| (x.id.as_str(), z))
        .collect();
    let mut per_service = Vec::new();
    for s in hubplan::colocate::planned_services(inputs, rules) {
        let id = inputs.services[s.index()].id.as_str();
        let Some(entry) = saved.iter().find(|x| x["service"].as_str() == Some(id)) else {
            per_service.push(None);
            continue;
        };
        let mut per_zone = vec![Vec::new(); inputs.zones.len()];
        for (k, p) in entry["placed"].as_array().into_iter().flatten().enumerate() {
            let where_ = || format!("{}: capacity.services[{id}].placed[{k}]", plan_json.display());
            let Some(&z) = p["zone"].as_str().and_then(|z| zones.get(z)) else {
                bail!("{}: unknown zone {}", where_(), p["zone"]);
            };
            for x in p["sites"].as_array().into_iter().flatten() {
                let Some(j) = x["site"].as_str().and_then(|j| inputs.site_by_id(j)) else {
                    bail!("{}: unknown site {}", where_(), x["site"]);
                };
                let Some(users) = x["users"].as_f64() else {
                    bail!("{}: site {} has no number of `users`", where_(), x["site"]);
                };
                per_zone[z].push((j, users));
            }
        }
        per_service.push(Some(per_zone));
    }
    Ok(Some(hubplan::colocate::ServiceAssignment { per_service }))
}
