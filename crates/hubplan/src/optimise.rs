//! From a scenario to a certified plan.
//!
//! [`plan`] checks the scenario for contradictions, maps it onto the solver's
//! facility-location [`Instance`], solves it, certifies the answer with the
//! independent [`crate::evaluate`] module, and assembles the [`Plan`]. When a
//! scenario is infeasible it says why ([`Infeasibility`]).
//!
//! The mapping (see `docs/MODEL.md`):
//!
//! | objective | site cost | arc cost | unserved cost |
//! |---|---|---|---|
//! | `min_cost` | annual_cost (+ open_cost for candidates) | 0 | must serve |
//! | `max_coverage` | 0 | 0 | need |
//! | `min_travel` | 0 | need × minutes | must serve |
//!
//! Arcs are the zone → site pairs within the limit; only zones with need > 0
//! that some site reaches within the limit become clients.

use std::time::Instant;

use hubplan_solver::{Arc, Cardinality, Fixing, Instance, Outcome, SolveOptions, Status};

use crate::error::{Error, Result};
use crate::evaluate::{self, in_rule, nearest_open, status_quo};
use crate::ids::{SiteIdx, ZoneIdx};
use crate::model::{Inputs, SiteStatus};
use crate::plan::{
    BeyondLimitZone, Blocker, Decision, Infeasibility, Plan, PlanStatus, SitePlan, SolverReport, Totals, ZonePlan,
};
use crate::scenario::{Backend, ObjectiveKind, Scenario};

/// Checks a scenario against the inputs before anything is solved.
///
/// Returns [`Error::Contradiction`] for rules that contradict each other and
/// [`Error::Invalid`] for settings out of range.
pub fn check_scenario(inputs: &Inputs, sc: &Scenario) -> Result<()> {
    if inputs.sites.is_empty() {
        return Err(Error::Invalid("there are no sites".into()));
    }
    if let Some(m) = sc.max_minutes {
        if !m.is_finite() || m <= 0.0 {
            return Err(Error::Invalid(format!(
                "access.max_minutes must be a positive number of minutes, got {m}"
            )));
        }
    }
    if sc.max_minutes.is_none() && sc.objective != ObjectiveKind::MinTravel {
        return Err(Error::Invalid(format!(
            "objective {} needs access.max_minutes",
            sc.objective.name()
        )));
    }
    if let Some(b) = sc.budget {
        if !b.is_finite() || b < 0.0 {
            return Err(Error::Invalid(format!("limits.budget must be a number ≥ 0, got {b}")));
        }
    }
    if !(sc.solver.gap.is_finite() && sc.solver.gap >= 0.0) {
        return Err(Error::Invalid(format!("solver.gap must be ≥ 0, got {}", sc.solver.gap)));
    }
    match sc.objective {
        ObjectiveKind::MaxCoverage | ObjectiveKind::MinTravel if sc.budget.is_none() && sc.sites.is_none() => {
            return Err(Error::Invalid(format!(
                "objective {} needs limits.budget or limits.sites (otherwise every site stays open)",
                sc.objective.name()
            )));
        }
        _ => {}
    }
    let both: Vec<&str> = sc
        .keep
        .iter()
        .filter(|s| sc.close.contains(s))
        .map(|&s| inputs.site(s).id.as_str())
        .collect();
    if !both.is_empty() {
        return Err(Error::Contradiction(format!(
            "site{} {} listed in both limits.keep and limits.close",
            if both.len() > 1 { "s" } else { "" },
            both.join(", ")
        )));
    }
    let mut keep = sc.keep.clone();
    keep.sort();
    keep.dedup();
    let mut close = sc.close.clone();
    close.sort();
    close.dedup();
    if let Some(b) = sc.budget {
        let forced: f64 = keep.iter().map(|&s| inputs.site(s).annual_cost).sum();
        if forced > b {
            let (b, forced) = crate::fmt::money_against(b, forced);
            return Err(Error::Contradiction(format!(
                "the budget {b} is below the annual cost {forced} of the {} forced keep{}",
                keep.len(),
                if keep.len() == 1 { "" } else { "s" }
            )));
        }
    }
    if let Some(p) = sc.sites {
        if (p as usize) < keep.len() {
            return Err(Error::Contradiction(format!(
                "limits.sites = {p} but {} sites are forced open by limits.keep",
                keep.len()
            )));
        }
        let avail = inputs.sites.len() - close.len();
        if p as usize > avail {
            return Err(Error::Contradiction(format!(
                "limits.sites = {p} but only {avail} sites are not forced closed"
            )));
        }
    }
    Ok(())
}

/// The solver instance for a scenario, and which zone each client is.
#[derive(Clone, Debug)]
pub struct Mapped {
    /// The instance.
    pub instance: Instance,
    /// Client `i` is zone `clients[i]`.
    pub clients: Vec<ZoneIdx>,
    /// Σ need of the clients.
    pub client_need: f64,
}

/// The solver's own words with its client indices named: each `client N`
/// in `text` becomes `zone NAME (CODE)` for the zone that client `N` is
/// (`zone_of`), so that plan.json's `solver.backend` and `solver.why` speak
/// in the user's ids (the solver's presolve says "client 52 must be served
/// but no site that may open can serve it"). An index with no zone is left as
/// it was.
pub(crate) fn name_clients(text: &str, zone_of: impl Fn(usize) -> Option<String>) -> String {
    const KEY: &str = "client ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        out.push_str(&rest[..at]);
        let after = &rest[at + KEY.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>().ok().and_then(&zone_of) {
            Some(label) => out.push_str(&format!("zone {label}")),
            None => out.push_str(&rest[at..at + KEY.len() + digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Maps a scenario onto the solver's form (see the module docs).
pub fn map_instance(inputs: &Inputs, sc: &Scenario) -> Mapped {
    let n = inputs.sites.len();
    let mut inst = Instance::with_sites(n);
    for (j, site) in inputs.sites.iter().enumerate() {
        inst.budget_cost[j] = site.annual_cost;
        inst.fixed_cost[j] = match sc.objective {
            ObjectiveKind::MinCost => {
                site.annual_cost
                    + if site.status == SiteStatus::Candidate {
                        site.open_cost
                    } else {
                        0.0
                    }
            }
            _ => 0.0,
        };
    }
    for &s in &sc.keep {
        inst.fixing[s.index()] = Fixing::Open;
    }
    for &s in &sc.close {
        inst.fixing[s.index()] = Fixing::Closed;
    }
    inst.budget = sc.budget;
    inst.cardinality = sc.sites.map(|p| Cardinality { min: p, max: p });
    let rule = in_rule(inputs, sc);
    let limits = evaluate::zone_limits(inputs, sc);
    let mut clients = Vec::new();
    let mut client_need = 0.0;
    for z in inputs.zone_indices() {
        let Some(limit) = limits[z.index()] else {
            continue;
        };
        // A zone beyond the limit today is a constraint only (its own limit,
        // access.beyond_limit): it adds nothing to the objective.
        let counts = rule[z.index()];
        let need = inputs.zone(z).need;
        let arcs: Vec<Arc> = inputs
            .travel
            .row(z)
            .filter(|&(_, m)| m <= limit)
            .map(|(s, m)| Arc {
                site: s.0,
                cost: match sc.objective {
                    ObjectiveKind::MinTravel if counts => need * m,
                    _ => 0.0,
                },
            })
            .collect();
        let unserved = match sc.objective {
            ObjectiveKind::MaxCoverage => Some(need),
            _ => None,
        };
        inst.push_client(arcs, unserved, need);
        clients.push(z);
        if counts {
            client_need += need;
        }
    }
    Mapped {
        instance: inst,
        clients,
        client_need,
    }
}

pub(crate) fn run_solver(inst: &Instance, sc: &Scenario) -> Result<Outcome> {
    let opts = SolveOptions {
        time_limit: sc.solver.time_limit,
        rel_gap: sc.solver.gap,
        abs_gap: 1e-6,
    };
    let r = match sc.solver.backend {
        Backend::Exact => hubplan_solver::solve(inst, &opts),
        Backend::Microlp => hubplan_solver::mip::solve_mip(inst, &opts, hubplan_solver::mip::MipBackend::Microlp),
        Backend::Highs => hubplan_solver::mip::solve_mip(inst, &opts, hubplan_solver::mip::MipBackend::Highs),
    };
    r.map_err(Error::from)
}

/// Turns a minimisation value of the instance into the scenario's own sense.
fn user_value(sc: &Scenario, mapped: &Mapped, v: f64) -> f64 {
    match sc.objective {
        ObjectiveKind::MaxCoverage => mapped.client_need - v,
        _ => v,
    }
}

fn close_enough(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// Plans one scenario: solve, certify, assemble.
///
/// # Returns
/// A [`Plan`] whose status is optimal, feasible (time-limited, with bound and
/// gap), infeasible (with [`Infeasibility`]) or unknown. Errors are
/// contradictions in the scenario, or a failed certification (a bug).
///
/// # Complexity
/// Dominated by the solver; evaluation and assembly are O(pairs + sites).
pub fn plan(inputs: &Inputs, sc: &Scenario) -> Result<Plan> {
    check_scenario(inputs, sc)?;
    if sc.capacity.as_ref().is_some_and(|c| c.binds()) {
        return crate::capacity::plan_capacitated(inputs, sc);
    }
    let mapped = map_instance(inputs, sc);
    let t0 = Instant::now();
    let out = run_solver(&mapped.instance, sc)?;
    let seconds = t0.elapsed().as_secs_f64();
    let zone_of = |i: usize| mapped.clients.get(i).map(|&z| crate::explain::zone_label(inputs, z));
    let report = SolverReport {
        backend: name_clients(&out.solver, zone_of),
        nodes: out.nodes,
        seconds,
        clients: mapped.clients.len(),
        free_sites: mapped.instance.fixing.iter().filter(|f| **f == Fixing::Free).count(),
        search: out.search.clone(),
        why: name_clients(&out.why, zone_of),
    };
    match out.status {
        Status::Optimal | Status::Feasible => {
            let open = out.open.clone();
            certify(inputs, sc, &mapped, &out)?;
            let status = if out.status == Status::Optimal {
                PlanStatus::Optimal
            } else {
                PlanStatus::Feasible
            };
            let objective = user_value(sc, &mapped, out.objective);
            let bound = user_value(sc, &mapped, out.bound);
            // The gap the bound proves, also when the solver stopped within the
            // requested gap and called the plan optimal: plan.json's `objective`,
            // `bound` and `gap` then agree (a p-median proven within 1e-6 said gap 0
            // beside a bound 8 need-minutes below its objective).
            let gap = match relative_gap(objective, bound) {
                g if status == PlanStatus::Optimal && !g.is_finite() => 0.0,
                g => g,
            };
            Ok(assemble(inputs, sc, open, status, objective, bound, gap, None, report))
        }
        Status::Infeasible => {
            let inf = diagnose(inputs, sc)?;
            let open = status_quo(inputs);
            Ok(assemble(
                inputs,
                sc,
                open,
                PlanStatus::Infeasible,
                f64::NAN,
                f64::NAN,
                f64::NAN,
                Some(inf),
                report,
            ))
        }
        _ => {
            // No plan within the time limit. When the site count is provably too
            // small for the access rule, the scenario is infeasible, and we can say why.
            if let Some(p) = sc.sites {
                if sc.objective != ObjectiveKind::MaxCoverage && least_sites(inputs, sc)?.is_some_and(|l| p < l) {
                    let inf = diagnose(inputs, sc)?;
                    let open = status_quo(inputs);
                    let nan = f64::NAN;
                    return Ok(assemble(
                        inputs,
                        sc,
                        open,
                        PlanStatus::Infeasible,
                        nan,
                        nan,
                        nan,
                        Some(inf),
                        report,
                    ));
                }
            }
            let open = status_quo(inputs);
            let bound = user_value(sc, &mapped, out.bound);
            Ok(assemble(
                inputs,
                sc,
                open,
                PlanStatus::Unknown,
                f64::NAN,
                bound,
                f64::NAN,
                None,
                report,
            ))
        }
    }
}

fn relative_gap(objective: f64, bound: f64) -> f64 {
    if !objective.is_finite() || !bound.is_finite() {
        return f64::INFINITY;
    }
    if objective == bound {
        return 0.0;
    }
    (objective - bound).abs() / objective.abs().max(1e-9)
}

/// Re-checks every hard rule and recomputes the objective with the independent evaluator.
fn certify(inputs: &Inputs, sc: &Scenario, mapped: &Mapped, out: &Outcome) -> Result<()> {
    let v = evaluate::violations(inputs, sc, &out.open);
    if !v.is_empty() {
        return Err(Error::Certification(format!(
            "the {} solver returned a plan that breaks {} rule(s): {}",
            out.solver,
            v.len(),
            v.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
        )));
    }
    let e = evaluate::evaluate(inputs, sc, &out.open);
    let recomputed = evaluate::objective_value(inputs, sc, &e);
    let claimed = user_value(sc, mapped, out.objective);
    if !close_enough(recomputed, claimed) {
        return Err(Error::Certification(format!(
            "the {} solver claims objective {claimed} but the plan evaluates to {recomputed}",
            out.solver
        )));
    }
    let bound = user_value(sc, mapped, out.bound);
    let bound_ok = match sc.objective {
        ObjectiveKind::MaxCoverage => bound >= recomputed - 1e-6 * recomputed.abs().max(1.0),
        _ => bound <= recomputed + 1e-6 * recomputed.abs().max(1.0),
    };
    if !bound_ok {
        return Err(Error::Certification(format!(
            "the {} solver's bound {bound} is on the wrong side of its objective {recomputed}",
            out.solver
        )));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn assemble(
    inputs: &Inputs,
    sc: &Scenario,
    open: Vec<bool>,
    status: PlanStatus,
    objective: f64,
    bound: f64,
    gap: f64,
    infeasibility: Option<Infeasibility>,
    solver: SolverReport,
) -> Plan {
    let before_open = status_quo(inputs);
    let covers = |n: Option<(SiteIdx, f64)>| n.is_some_and(|(_, m)| sc.max_minutes.is_none_or(|mx| m <= mx));
    let mut sites: Vec<SitePlan> = inputs
        .sites
        .iter()
        .zip(&open)
        .map(|(s, &o)| SitePlan {
            decision: match (s.status, o) {
                (SiteStatus::Existing, true) => Decision::Keep,
                (SiteStatus::Existing, false) => Decision::Close,
                (SiteStatus::Candidate, true) => Decision::Open,
                (SiteStatus::Candidate, false) => Decision::Unused,
            },
            zones_served: 0,
            need_served: 0.0,
            zones_served_before: 0,
        })
        .collect();
    let mut t = Totals::default();
    let mut zones = Vec::with_capacity(inputs.zones.len());
    let mut unreachable = Vec::new();
    let (mut wb, mut mb, mut wa, mut ma) = (0.0, 0.0, 0.0, 0.0);
    let limits = evaluate::zone_limits(inputs, sc);
    for z in inputs.zone_indices() {
        let need = inputs.zone(z).need;
        let before = nearest_open(inputs, &before_open, z);
        let after = nearest_open(inputs, &open, z);
        let unreach = !evaluate::reachable_at_baseline(inputs, z, sc.max_minutes);
        if unreach {
            unreachable.push(z);
            t.zones_unreachable += 1;
            t.need_unreachable += need;
        }
        if let Some((s, m)) = before {
            sites[s.index()].zones_served_before += 1;
            wb += need;
            mb += need * m;
        }
        if let Some((s, m)) = after {
            sites[s.index()].zones_served += 1;
            sites[s.index()].need_served += need;
            wa += need;
            ma += need * m;
        }
        let zp = ZonePlan {
            before,
            after,
            covered_before: covers(before),
            covered_after: covers(after),
            unreachable: unreach,
            limit: limits[z.index()],
        };
        t.need_total += need;
        if zp.covered_before {
            t.need_covered_before += need;
        }
        if zp.covered_after {
            t.need_covered_after += need;
        }
        zones.push(zp);
    }
    // No zone reaches an open site: the mean is undefined (NaN, written as null / an
    // empty cell / "no route"), not 0 minutes.
    t.mean_minutes_before = if wb > 0.0 { mb / wb } else { f64::NAN };
    t.mean_minutes_after = if wa > 0.0 { ma / wa } else { f64::NAN };
    for ((site, &o), &b) in inputs.sites.iter().zip(&open).zip(&before_open) {
        if b {
            t.sites_before += 1;
            t.annual_cost_before += site.annual_cost;
        }
        if o {
            t.sites_after += 1;
            t.annual_cost_after += site.annual_cost;
        }
        if b && !o {
            t.sites_closed += 1;
            t.backlog_removed += site.backlog;
            t.disposal_receipts += site.disposal_receipt;
        }
        if !b && o {
            t.sites_opened += 1;
            t.opening_cost += site.open_cost;
        }
    }
    t.annual_saving = t.annual_cost_before - t.annual_cost_after;
    let has_plan = matches!(status, PlanStatus::Optimal | PlanStatus::Feasible);
    let (worse_off, by_imd_decile) = crate::plan::worse_off_and_deciles(inputs, &zones, sc.worse_off_minutes, has_plan);
    Plan {
        worse_off_minutes: sc.worse_off_minutes,
        worse_off,
        by_imd_decile,
        status,
        objective_kind: sc.objective,
        objective,
        bound,
        gap,
        open,
        sites,
        zones,
        totals: t,
        unreachable,
        infeasibility,
        solver,
        capacity: None,
    }
}

/// Works out why a scenario is infeasible, by re-solving relaxations of it.
///
/// - Zones whose every site within their limit is forced closed are blamed on those
///   closures: zones within reach of the limit as [`Blocker::ForcedClosures`], zones
///   beyond it today (held to their own limit by `access.beyond_limit`) as
///   [`Blocker::BeyondLimit`] with the closures.
/// - Otherwise the budget and the site count are relaxed one at a time: the one whose
///   removal restores feasibility is blamed, with the least cost (or fewest sites) that
///   meets the rule and the zones that the best plan within the limit leaves uncovered.
/// - Zones beyond the limit today are blamed ([`Blocker::BeyondLimit`], no sites) when
///   a plan exists with their own limits relaxed: the zones named are those that the
///   plan keeping the most of them (by need) within their own limits still cannot keep.
pub fn diagnose(inputs: &Inputs, sc: &Scenario) -> Result<Infeasibility> {
    let mut inf = Infeasibility::default();
    let limits = evaluate::zone_limits(inputs, sc);
    let beyond_zone = |z: ZoneIdx, limit: f64| BeyondLimitZone {
        zone: z,
        minutes_today: evaluate::baseline_minutes(inputs, z).unwrap_or(f64::INFINITY),
        limit,
    };
    let is_beyond =
        |z: ZoneIdx| limits[z.index()].is_some() && !evaluate::reachable_at_baseline(inputs, z, sc.max_minutes);
    let (mut blocked, mut blockers) = (Vec::new(), Vec::new());
    let (mut blocked_beyond, mut blockers_beyond) = (Vec::new(), Vec::new());
    for z in inputs.zone_indices() {
        let Some(limit) = limits[z.index()] else {
            continue;
        };
        let within: Vec<SiteIdx> = inputs
            .travel
            .row(z)
            .filter(|&(_, m)| m <= limit)
            .map(|(s, _)| s)
            .collect();
        if !within.is_empty() && within.iter().all(|s| sc.close.contains(s)) {
            let sites = if is_beyond(z) {
                blocked_beyond.push(beyond_zone(z, limit));
                &mut blockers_beyond
            } else {
                blocked.push(z);
                &mut blockers
            };
            for s in within {
                if !sites.contains(&s) {
                    sites.push(s);
                }
            }
        }
    }
    if !blocked.is_empty() {
        blockers.sort();
        inf.blockers.push(Blocker::ForcedClosures {
            zones: blocked,
            sites: blockers,
        });
    }
    if !blocked_beyond.is_empty() {
        blockers_beyond.sort();
        inf.blockers.push(Blocker::BeyondLimit {
            rule: sc.beyond_limit,
            zones: blocked_beyond,
            sites: blockers_beyond,
        });
    }
    if !inf.blockers.is_empty() {
        return Ok(inf);
    }
    let feasible = |s: &Scenario| -> Result<Option<Outcome>> {
        let m = map_instance(inputs, s);
        let o = run_solver(&m.instance, s)?;
        Ok(matches!(o.status, Status::Optimal | Status::Feasible).then_some(o))
    };
    let uncovered_with = |s: &Scenario| -> Result<Vec<ZoneIdx>> {
        let mut cov = s.clone();
        cov.objective = ObjectiveKind::MaxCoverage;
        if cov.max_minutes.is_none() {
            return Ok(Vec::new());
        }
        let m = map_instance(inputs, &cov);
        let o = run_solver(&m.instance, &cov)?;
        if o.open.is_empty() {
            return Ok(Vec::new());
        }
        let covered = |z: ZoneIdx| {
            nearest_open(inputs, &o.open, z).is_some_and(|(_, mm)| cov.max_minutes.is_none_or(|mx| mm <= mx))
        };
        Ok(m.clients.iter().copied().filter(|&z| !covered(z)).collect())
    };
    let mut any = false;
    // Zones beyond the limit today: is their own limit what blocks? Re-solve with
    // them optional (everything else still a hard rule), leaving out the least need.
    if let Some(beyond) = beyond_blockers(inputs, sc, &limits, &is_beyond)? {
        inf.blockers.push(Blocker::BeyondLimit {
            rule: sc.beyond_limit,
            zones: beyond.into_iter().map(|(z, l)| beyond_zone(z, l)).collect(),
            sites: Vec::new(),
        });
        any = true;
    }
    if let Some(b) = sc.budget {
        let mut relaxed = sc.clone();
        relaxed.budget = None;
        relaxed.objective = ObjectiveKind::MinCost;
        if relaxed.max_minutes.is_some() {
            if let Some(o) = feasible(&relaxed)? {
                let e = evaluate::evaluate(inputs, &relaxed, &o.open);
                let zones = uncovered_with(sc)?;
                inf.blockers.push(Blocker::Budget {
                    budget: b,
                    least_cost: Some(e.annual_cost),
                    zones,
                });
                any = true;
            }
        }
    }
    if let Some(p) = sc.sites {
        if let Some(least) = least_sites(inputs, sc)? {
            if p < least {
                let zones = uncovered_with(sc)?;
                inf.blockers.push(Blocker::SiteCount {
                    sites: p,
                    least_sites: Some(least),
                    zones,
                });
                any = true;
            }
        }
    }
    if !any {
        inf.blockers.push(Blocker::Combination);
    }
    Ok(inf)
}

/// The zones beyond the limit today (with their own limits) that block `sc`:
/// `None` when the rule does not hold them (`ignore`, `max_coverage`, none such) or
/// when the scenario stays infeasible even with them left out; else the zones
/// that the plan keeping the most need of them within their own limits, under
/// every other rule, still leaves beyond it.
fn beyond_blockers(
    inputs: &Inputs,
    sc: &Scenario,
    limits: &[Option<f64>],
    is_beyond: &dyn Fn(ZoneIdx) -> bool,
) -> Result<Option<Vec<(ZoneIdx, f64)>>> {
    if sc.beyond_limit == crate::scenario::BeyondLimit::Ignore {
        return Ok(None);
    }
    let mut m = map_instance(inputs, sc);
    if !m.clients.iter().any(|&z| is_beyond(z)) {
        return Ok(None);
    }
    m.instance.fixed_cost.iter_mut().for_each(|c| *c = 0.0);
    m.instance.arcs.iter_mut().for_each(|a| a.cost = 0.0);
    for (i, &z) in m.clients.iter().enumerate() {
        m.instance.unserved_cost[i] = is_beyond(z).then(|| inputs.zone(z).need.max(1e-9));
    }
    let o = run_solver(&m.instance, sc)?;
    if !matches!(o.status, Status::Optimal | Status::Feasible) || o.open.is_empty() {
        return Ok(None);
    }
    let out: Vec<(ZoneIdx, f64)> = m
        .clients
        .iter()
        .copied()
        .filter(|&z| is_beyond(z))
        .filter_map(|z| {
            let l = limits[z.index()]?;
            let ok = nearest_open(inputs, &o.open, z).is_some_and(|(_, mm)| mm <= l);
            (!ok).then_some((z, l))
        })
        .collect();
    Ok((!out.is_empty()).then_some(out))
}

/// How many open sites at least meet the access rule (with the forced keeps
/// and closures, ignoring the budget and the site count): first a quick
/// covering bound (`hubplan_solver::site_count_bound`, pushed towards
/// `limits.sites + 1`), returned when it exceeds `limits.sites` — then the
/// count asked for is proven too small, which is what the callers ask; else
/// the fewest, when a solver proves it. `None` when there is no rule or
/// neither was proven in time.
pub fn least_sites(inputs: &Inputs, sc: &Scenario) -> Result<Option<u32>> {
    let mut relaxed = sc.clone();
    relaxed.sites = None;
    relaxed.budget = None;
    relaxed.objective = ObjectiveKind::MinCost;
    if relaxed.max_minutes.is_none() {
        // min_travel without a limit: every zone with a journey in the matrix must
        // reach an open site, i.e. be within the longest journey of one.
        let longest = inputs
            .zone_indices()
            .flat_map(|z| inputs.travel.row(z).map(|(_, m)| m))
            .filter(|m| m.is_finite())
            .fold(None, |a: Option<f64>, m| Some(a.map_or(m, |a| a.max(m))));
        let Some(longest) = longest else {
            return Ok(None);
        };
        relaxed.max_minutes = Some(longest);
    }
    let mut m = map_instance(inputs, &relaxed);
    m.instance.fixed_cost.iter_mut().for_each(|c| *c = 1.0);
    if let Some(p) = sc.sites {
        let mut counted = m.instance.clone();
        counted.cardinality = Some(Cardinality { min: 0, max: p });
        let quick = sc.solver.time_limit.mul_f64(0.1);
        if let Some(b) = hubplan_solver::site_count_bound(&counted, quick) {
            if b > f64::from(p) + 1e-6 {
                return Ok(Some((b - 1e-6).ceil() as u32));
            }
        }
    }
    let o = run_solver(&m.instance, &relaxed)?;
    Ok((o.status == Status::Optimal).then(|| o.open.iter().filter(|&&x| x).count() as u32))
}

/// Rebuilds a [`Plan`] for a known open set without solving (e.g. from a saved
/// `plan.json`): decisions, access before and after, and totals are recomputed
/// from the inputs by the evaluator; status, objective, bound and gap are taken as given.
pub fn plan_for_open_set(
    inputs: &Inputs,
    sc: &Scenario,
    open: Vec<bool>,
    status: PlanStatus,
    objective: f64,
    bound: f64,
    gap: f64,
) -> Plan {
    assemble(
        inputs,
        sc,
        open,
        status,
        objective,
        bound,
        gap,
        None,
        SolverReport::default(),
    )
}
