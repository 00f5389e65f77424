//! Demand capacity (issue 21): plans in which no building takes more users
//! than its `max_users` (docs/MODEL.md §1.3).
//!
//! [`plan_capacitated`] maps the scenario onto the solver's instance with
//! capacities (`Σ_i d_i x_ij ≤ Q_j y_j`, demand = need), solves it with
//! [`hubplan_solver::capacity::solve_capacitated`], certifies the assignment
//! with [`crate::evaluate::check_assignment`] (which shares no code with the
//! solver), and assembles the [`Plan`] with its [`CapacityReport`]. When no
//! plan fits, [`diagnose_capacity`] says which zones cannot be placed, which
//! buildings are full and how many users are missing.

use hubplan_solver::capacity::{solve_capacitated, transport, Assignment as SolverAssignment};
use hubplan_solver::mip::MipBackend;
use hubplan_solver::{Fixing, SolveOptions, Status};

use crate::error::{Error, Result};
use crate::evaluate::{self, nearest_open, status_quo};
use crate::ids::{SiteIdx, ZoneIdx};
use crate::model::Inputs;
use crate::optimise::{assemble, map_instance, Mapped};
use crate::plan::{Blocker, CapacityReport, CapacityWarning, Infeasibility, Plan, PlanStatus, SiteLoad, SolverReport};
use crate::scenario::{Assignment, Backend, DemandCapacity, ObjectiveKind, Scenario};

/// A receiving building above this share of its capacity is flagged.
pub const FULL_SHARE: f64 = 0.9;

/// The solver instance of a capacitated scenario: [`map_instance`] plus the
/// buildings' `max_users` as capacities (the need is the demand).
pub fn map_capacitated(inputs: &Inputs, sc: &Scenario) -> Mapped {
    let mut m = map_instance(inputs, sc);
    if let Some(cap) = &sc.capacity {
        for (j, q) in cap.max_users.iter().enumerate().take(m.instance.n_sites()) {
            m.instance.capacity[j] = *q;
        }
    }
    m
}

fn solver_mode(a: Assignment) -> SolverAssignment {
    match a {
        Assignment::Split => SolverAssignment::Split,
        Assignment::Single => SolverAssignment::Single,
    }
}

fn user_value(sc: &Scenario, mapped: &Mapped, v: f64) -> f64 {
    match sc.objective {
        ObjectiveKind::MaxCoverage => mapped.client_need - v,
        _ => v,
    }
}

/// The capacitated model of a scenario as text, for an auditor to re-solve
/// elsewhere: `mps` picks free MPS, otherwise CPLEX LP. Capacity rows
/// `Σ_i d_i x_ij ≤ Q_j y_j`, strong linking `x_ij ≤ y_j`, and integral `x`
/// under `single` (see [`hubplan_solver::capacity::build_model`]). `None`
/// when the scenario has no binding capacity (the plain model applies).
///
/// # Errors
/// [`Error::Instance`] when the instance is malformed.
pub fn export_text(inputs: &Inputs, sc: &Scenario, mps: bool) -> Option<Result<String>> {
    let cap = sc.capacity.as_ref().filter(|c| c.binds())?;
    let mapped = map_capacitated(inputs, sc);
    let mode = solver_mode(cap.assignment);
    let text = if mps {
        hubplan_solver::capacity::write_mps(&mapped.instance, mode)
    } else {
        hubplan_solver::capacity::write_lp(&mapped.instance, mode)
    };
    Some(text.map_err(Error::from))
}

/// Plans a scenario with demand capacity: solve, certify, assemble.
///
/// # Errors
/// [`Error::Solver`] when the back end fails, [`Error::Certification`] when the
/// evaluator rejects the solver's assignment (a bug).
pub fn plan_capacitated(inputs: &Inputs, sc: &Scenario) -> Result<Plan> {
    let Some(cap) = sc.capacity.as_ref() else {
        return crate::optimise::plan(inputs, sc);
    };
    if cap.max_users.len() != inputs.sites.len() {
        return Err(Error::Invalid(format!(
            "demand capacity has {} max_users for {} sites",
            cap.max_users.len(),
            inputs.sites.len()
        )));
    }
    let mapped = map_capacitated(inputs, sc);
    let opts = SolveOptions {
        time_limit: sc.solver.time_limit,
        rel_gap: sc.solver.gap,
        abs_gap: 1e-6,
    };
    let backend = match sc.solver.backend {
        Backend::Highs => MipBackend::Highs,
        Backend::Exact | Backend::Microlp => MipBackend::Microlp,
    };
    let t0 = std::time::Instant::now();
    let out = solve_capacitated(&mapped.instance, &opts, solver_mode(cap.assignment), backend).map_err(Error::from)?;
    let seconds = t0.elapsed().as_secs_f64();
    let o = &out.outcome;
    let zone_of = |i: usize| mapped.clients.get(i).map(|&z| crate::explain::zone_label(inputs, z));
    let report = SolverReport {
        backend: crate::optimise::name_clients(&o.solver, zone_of),
        nodes: o.nodes,
        seconds,
        clients: mapped.clients.len(),
        free_sites: mapped.instance.fixing.iter().filter(|f| **f == Fixing::Free).count(),
        search: o.search.clone(),
        why: crate::optimise::name_clients(&o.why, zone_of),
    };
    let nan = f64::NAN;
    match o.status {
        Status::Optimal | Status::Feasible => {
            let mut placed: Vec<Vec<(SiteIdx, f64)>> = vec![Vec::new(); inputs.zones.len()];
            let nearest = match (cap.assignment, sc.objective) {
                (Assignment::Split, ObjectiveKind::MinCost | ObjectiveKind::MaxCoverage) => {
                    nearest_with_room(inputs, sc, &mapped, &o.open)
                }
                _ => None,
            };
            for (i, f) in nearest.as_ref().unwrap_or(&out.flows).iter().enumerate() {
                let z = mapped.clients[i];
                let need = inputs.zone(z).need;
                placed[z.index()] = f.iter().map(|&(s, x)| (SiteIdx(s), x * need)).collect();
            }
            let claimed = user_value(sc, &mapped, o.objective);
            let bound = user_value(sc, &mapped, o.bound);
            certify(inputs, sc, &o.open, &placed, claimed, bound, &o.solver)?;
            let status = if o.status == Status::Optimal {
                PlanStatus::Optimal
            } else {
                PlanStatus::Feasible
            };
            // The gap the bound proves, also for a plan proven within the requested gap.
            let gap = if claimed == bound {
                0.0
            } else if claimed.is_finite() && bound.is_finite() {
                (claimed - bound).abs() / claimed.abs().max(1e-9)
            } else if status == PlanStatus::Optimal {
                0.0
            } else {
                f64::INFINITY
            };
            let mut plan = assemble(inputs, sc, o.open.clone(), status, claimed, bound, gap, None, report);
            attach(inputs, sc, cap, &mut plan, placed);
            Ok(plan)
        }
        Status::Infeasible => {
            let inf = diagnose_capacity(inputs, sc)?;
            Ok(assemble(
                inputs,
                sc,
                status_quo(inputs),
                PlanStatus::Infeasible,
                nan,
                nan,
                nan,
                Some(inf),
                report,
            ))
        }
        _ => {
            let bound = user_value(sc, &mapped, o.bound);
            Ok(assemble(
                inputs,
                sc,
                status_quo(inputs),
                PlanStatus::Unknown,
                nan,
                bound,
                nan,
                None,
                report,
            ))
        }
    }
}

/// The plan of a given open set under demand capacity, with its utilisation
/// and capacity reasons (a saved plan reloaded by `hubplan report`).
///
/// Under `split` the assignment is recomputed exactly as [`plan_capacitated`]
/// computes it after its solve (each zone to its nearest buildings with room,
/// by min-cost flow), so the report matches the plan that was saved without
/// solving again; it is certified by [`crate::evaluate::check_assignment`].
/// `objective`, `bound` and `gap` are the saved plan's, in the user's units.
///
/// Returns `None` without a binding capacity, under `single` assignment (the
/// assignment is the solver's and plan.json does not keep it), or when the
/// open set cannot place every zone that must be placed.
///
/// # Complexity
/// One min-cost flow over the zone–building pairs within the limit.
#[allow(clippy::too_many_arguments)]
pub fn plan_for_open_set(
    inputs: &Inputs,
    sc: &Scenario,
    open: Vec<bool>,
    status: PlanStatus,
    objective: f64,
    bound: f64,
    gap: f64,
) -> Option<Plan> {
    let cap = sc.capacity.as_ref().filter(|c| c.binds())?;
    if cap.assignment != Assignment::Split
        || cap.max_users.len() != inputs.sites.len()
        || open.len() != inputs.sites.len()
    {
        return None;
    }
    let mapped = map_capacitated(inputs, sc);
    let nearest = match sc.objective {
        ObjectiveKind::MinCost | ObjectiveKind::MaxCoverage => nearest_with_room(inputs, sc, &mapped, &open),
        _ => None,
    };
    let flows = match nearest {
        Some(f) => f,
        None => transport(&mapped.instance, &open)?.1,
    };
    let mut placed: Vec<Vec<(SiteIdx, f64)>> = vec![Vec::new(); inputs.zones.len()];
    for (i, f) in flows.iter().enumerate() {
        let z = mapped.clients[i];
        let need = inputs.zone(z).need;
        placed[z.index()] = f.iter().map(|&(s, x)| (SiteIdx(s), x * need)).collect();
    }
    if !evaluate::check_assignment(inputs, sc, &open, &placed).1.is_empty() {
        return None;
    }
    let mut plan = assemble(
        inputs,
        sc,
        open,
        status,
        objective,
        bound,
        gap,
        None,
        SolverReport::default(),
    );
    attach(inputs, sc, cap, &mut plan, placed);
    Some(plan)
}

#[allow(clippy::too_many_arguments)]
fn certify(
    inputs: &Inputs,
    sc: &Scenario,
    open: &[bool],
    placed: &[Vec<(SiteIdx, f64)>],
    claimed: f64,
    bound: f64,
    solver: &str,
) -> Result<()> {
    let mut v = evaluate::violations(inputs, sc, open);
    let (e, cv) = evaluate::check_assignment(inputs, sc, open, placed);
    // The uncapacitated coverage rule is implied by a complete assignment; keep the
    // capacity checker's sentences, which are the stricter ones.
    v.retain(|s| !s.contains("is not within") && !s.contains("beyond the limit today"));
    v.extend(cv);
    if !v.is_empty() {
        return Err(Error::Certification(format!(
            "the {solver} solver returned a plan that breaks {} rule(s): {}",
            v.len(),
            v.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
        )));
    }
    let full = evaluate::evaluate(inputs, sc, open);
    let recomputed = match sc.objective {
        ObjectiveKind::MinCost => full.annual_cost + full.opening_cost,
        ObjectiveKind::MaxCoverage => e.need_covered,
        ObjectiveKind::MinTravel => e.travel,
    };
    let close = (recomputed - claimed).abs() <= 1e-6 * recomputed.abs().max(claimed.abs()).max(1.0);
    if !close {
        return Err(Error::Certification(format!(
            "the {solver} solver claims objective {claimed} but its assignment evaluates to {recomputed}"
        )));
    }
    let slack = 1e-6 * recomputed.abs().max(1.0);
    let ok = match sc.objective {
        ObjectiveKind::MaxCoverage => bound.is_nan() || bound >= recomputed - slack,
        _ => bound.is_nan() || bound <= recomputed + slack,
    };
    if !ok {
        return Err(Error::Certification(format!(
            "the {solver} solver's bound {bound} is on the wrong side of its objective {recomputed}"
        )));
    }
    Ok(())
}

/// Users per site today: `users_today` where given, else the need of the zones
/// whose nearest existing building it is.
fn users_before(inputs: &Inputs, cap: &DemandCapacity) -> Vec<(f64, bool)> {
    let sq = status_quo(inputs);
    let mut modelled = vec![0.0; inputs.sites.len()];
    for z in inputs.zone_indices() {
        if let Some((s, _)) = nearest_open(inputs, &sq, z) {
            modelled[s.index()] += inputs.zone(z).need;
        }
    }
    (0..inputs.sites.len())
        .map(|j| match cap.users_today.get(j).copied().flatten() {
            Some(u) => (u, true),
            None => (modelled[j], false),
        })
        .collect()
}

/// Adds the capacity report to an assembled plan and makes each zone's
/// "after" its main building (the one taking most of its users).
fn attach(inputs: &Inputs, sc: &Scenario, cap: &DemandCapacity, plan: &mut Plan, mut placed: Vec<Vec<(SiteIdx, f64)>>) {
    let before = users_before(inputs, cap);
    let mut load = vec![0.0; inputs.sites.len()];
    let mut split = Vec::new();
    let mut unplaced = 0.0;
    let mut covered = 0.0;
    for z in inputs.zone_indices() {
        let list = &mut placed[z.index()];
        list.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for &(s, u) in list.iter() {
            load[s.index()] += u;
        }
        if list.len() > 1 {
            split.push(z);
        }
        let sum: f64 = list.iter().map(|p| p.1).sum();
        let need = inputs.zone(z).need;
        let zp = &mut plan.zones[z.index()];
        if let Some(&(s, _)) = list.first() {
            let m = inputs
                .travel
                .row(z)
                .find(|&(t, _)| t == s)
                .map_or(f64::INFINITY, |(_, m)| m);
            zp.after = Some((s, m));
            zp.covered_after = sc.max_minutes.is_none_or(|mx| m <= mx) && sum >= need - 1e-6 * need.max(1.0);
            if sc.max_minutes.is_none_or(|mx| m <= mx) {
                covered += sum;
            }
        } else if need > 0.0 && zp.limit.is_some() && sc.objective == ObjectiveKind::MaxCoverage {
            zp.covered_after = false;
        }
        if sc.objective == ObjectiveKind::MaxCoverage && zp.limit.is_some() {
            unplaced += (need - sum).max(0.0);
        }
    }
    // Sites: zones served and need served follow the assignment.
    for sp in plan.sites.iter_mut() {
        sp.zones_served = 0;
        sp.need_served = 0.0;
    }
    for z in inputs.zone_indices() {
        for &(s, u) in &placed[z.index()] {
            plan.sites[s.index()].zones_served += 1;
            plan.sites[s.index()].need_served += u;
        }
    }
    if sc.objective == ObjectiveKind::MaxCoverage {
        plan.totals.need_covered_after = covered;
    }
    let sites: Vec<SiteLoad> = (0..inputs.sites.len())
        .map(|j| SiteLoad {
            max_users: cap.max_users[j],
            users_before: before[j].0,
            before_given: before[j].1,
            users_after: if plan.open[j] { load[j] } else { 0.0 },
        })
        .collect();
    // A receiving building takes users of a building that closes (the zones whose
    // nearest building today closes), or its users grow: a building that takes a
    // closed building's zones while losing others is still receiving.
    let mut takes_closed = vec![false; inputs.sites.len()];
    for (z, zp) in plan.zones.iter().enumerate() {
        if zp.before.is_some_and(|(b, _)| !plan.open[b.index()]) {
            for &(r, u) in &placed[z] {
                if u > 1e-9 {
                    takes_closed[r.index()] = true;
                }
            }
        }
    }
    let mut warnings = Vec::new();
    for (j, l) in sites.iter().enumerate() {
        if let Some(u) = l.utilisation_after() {
            let receives = takes_closed[j] || l.users_after > l.users_before + 1e-9;
            if u > FULL_SHARE && receives {
                warnings.push(CapacityWarning::NearlyFull {
                    site: SiteIdx::from_index(j),
                    utilisation: u,
                });
            }
        }
    }
    if cap.assignment == Assignment::Split && !split.is_empty() {
        warnings.push(CapacityWarning::Split { zones: split });
    }
    plan.capacity = Some(CapacityReport {
        assignment: cap.assignment,
        sites,
        placed,
        need_unplaced: unplaced,
        full_share: FULL_SHARE,
        warnings,
        reasons: Vec::new(),
    });
    // One min-cost flow per open building with a limit nearby: done once, here.
    let reasons = crate::explain::capacity::site_reasons(inputs, sc, plan);
    if let Some(c) = plan.capacity.as_mut() {
        c.reasons = reasons;
    }
}

/// Why a capacitated scenario is infeasible, in capacity terms.
///
/// 1. A zone under the rule whose every building within its limit is forced
///    closed: the uncapacitated diagnosis ([`crate::optimise::diagnose`]) names it.
/// 2. With every building open that the scenario does not force closed, the
///    least-cost splittable assignment ([`transport`], every zone allowed to stay
///    unplaced at a high cost) shows which zones cannot be placed, which
///    buildings within their reach are full, and how many users are missing:
///    [`Blocker::Capacity`].
/// 3. Otherwise the budget and the site count are relaxed one at a time, with
///    capacity kept: a budget below the least capacitated cost, or a site count
///    below the fewest buildings that hold everyone, is named with that figure.
///    When neither alone explains it, [`Blocker::Capacity`] with no zones says
///    that capacity and those limits block together.
///
/// # Errors
/// [`Error::Solver`] when a relaxation's solve fails.
pub fn diagnose_capacity(inputs: &Inputs, sc: &Scenario) -> Result<Infeasibility> {
    let mut all = sc.clone();
    all.objective = ObjectiveKind::MinCost;
    let mapped = map_capacitated(inputs, &all);
    let mut inst = mapped.instance.clone();
    let open: Vec<bool> = inst.fixing.iter().map(|f| *f != Fixing::Closed).collect();
    let stranded = (0..inst.n_clients())
        .any(|i| inst.unserved_cost[i].is_none() && inst.arcs_of(i).iter().all(|a| !open[a.site as usize]));
    if stranded {
        let mut plain = sc.clone();
        plain.capacity = None;
        return crate::optimise::diagnose(inputs, &plain);
    }
    // Every client may stay unplaced at a high cost: the flow then places as much as fits.
    for (i, u) in inst.unserved_cost.iter_mut().enumerate() {
        *u = Some(1e6 * mapped.instance.demand[i].max(1.0));
    }
    if let Some((_, flows)) = transport(&inst, &open) {
        let (missing, zones, full_sites) = shortfall(inputs, &inst, &mapped, &open, &flows);
        if !zones.is_empty() {
            return Ok(Infeasibility {
                blockers: vec![Blocker::Capacity {
                    zones,
                    full_sites,
                    missing,
                }],
            });
        }
    }
    let cap = sc.capacity.as_ref().map_or(Assignment::Split, |c| c.assignment);
    let least = |s: &Scenario, unit: bool| -> Result<Option<(f64, usize)>> {
        let mut m = map_capacitated(inputs, s);
        if unit {
            m.instance.fixed_cost.iter_mut().for_each(|c| *c = 1.0);
        }
        let opts = SolveOptions {
            time_limit: s.solver.time_limit,
            rel_gap: s.solver.gap,
            abs_gap: 1e-6,
        };
        let o = solve_capacitated(&m.instance, &opts, solver_mode(cap), MipBackend::Microlp).map_err(Error::from)?;
        Ok((o.outcome.status == Status::Optimal)
            .then(|| (o.outcome.objective, o.outcome.open.iter().filter(|&&x| x).count())))
    };
    let mut inf = Infeasibility::default();
    if let Some(b) = sc.budget {
        let mut r = all.clone();
        r.budget = None;
        r.sites = None;
        if let Some((cost, _)) = least(&r, false)? {
            if cost > b {
                inf.blockers.push(Blocker::Budget {
                    budget: b,
                    least_cost: Some(cost),
                    zones: Vec::new(),
                });
            }
        }
    }
    if let Some(p) = sc.sites {
        let mut r = all.clone();
        r.budget = None;
        r.sites = None;
        if let Some((_, k)) = least(&r, true)? {
            if (p as usize) < k {
                inf.blockers.push(Blocker::SiteCount {
                    sites: p,
                    least_sites: Some(k as u32),
                    zones: Vec::new(),
                });
            }
        }
    }
    if inf.blockers.is_empty() {
        inf.blockers.push(Blocker::Capacity {
            zones: Vec::new(),
            full_sites: Vec::new(),
            missing: 0.0,
        });
    }
    Ok(inf)
}

/// Users left unplaced by `flows`, the zones short, and the full buildings within their reach.
fn shortfall(
    inputs: &Inputs,
    inst: &hubplan_solver::Instance,
    mapped: &Mapped,
    open: &[bool],
    flows: &[Vec<(u32, f64)>],
) -> (f64, Vec<ZoneIdx>, Vec<SiteIdx>) {
    let mut missing = 0.0;
    let mut zones = Vec::new();
    let mut load = vec![0.0; inputs.sites.len()];
    let mut reach = vec![false; inputs.sites.len()];
    for (i, f) in flows.iter().enumerate() {
        let need = inst.demand[i];
        let share: f64 = f.iter().map(|p| p.1).sum();
        for &(s, x) in f {
            load[s as usize] += x * need;
        }
        let short = (1.0 - share).max(0.0) * need;
        // Only users that have an open building within reach count as a capacity shortfall.
        let has_open = inst.arcs_of(i).iter().any(|a| open[a.site as usize]);
        if short > 1e-6 * need.max(1.0) && has_open {
            zones.push(mapped.clients[i]);
            missing += short;
            for a in inst.arcs_of(i) {
                reach[a.site as usize] = true;
            }
        }
    }
    let full: Vec<SiteIdx> = (0..inputs.sites.len())
        .filter(|&j| reach[j] && open[j])
        .filter(|&j| inst.capacity[j].is_some_and(|q| load[j] >= q - 1e-6 * q.max(1.0)))
        .map(SiteIdx::from_index)
        .collect();
    zones.sort();
    (missing, zones, full)
}

/// Users that cannot be placed within their limits when `site` closes and the
/// other open buildings keep their capacities, with the zones left short and the
/// full buildings that would have had to take them; `None` when everything still fits.
/// Used for the reason "kept because without it, zones X and Y would exceed Z's capacity by N users".
/// To ask this of many buildings, build one [`ClosureProbe`].
pub fn shortfall_without(
    inputs: &Inputs,
    sc: &Scenario,
    open: &[bool],
    site: SiteIdx,
) -> Option<(f64, Vec<ZoneIdx>, Vec<SiteIdx>)> {
    ClosureProbe::new(inputs, sc).shortfall_without(open, site)
}

/// The capacitated instance of a scenario mapped once, to ask of each
/// building of a plan whether its users still fit without it
/// ([`ClosureProbe::shortfall_without`]).
///
/// Each question is one max-flow (Dinic, [`hubplan_solver::hall::separate`]);
/// its minimum cut names the zones that cannot all be placed and the open
/// buildings within their reach, which are full in every assignment (so the
/// reason does not depend on how a flow breaks ties).
#[derive(Debug)]
pub struct ClosureProbe {
    mapped: Mapped,
    /// `mapped.instance` with a large cost for every unplaced user.
    inst: hubplan_solver::Instance,
    /// Sites in reach of each client.
    reach: Vec<Vec<u32>>,
}

impl ClosureProbe {
    /// Maps the scenario's capacitated instance (objective ignored).
    pub fn new(inputs: &Inputs, sc: &Scenario) -> Self {
        let mut all = sc.clone();
        all.objective = ObjectiveKind::MinCost;
        let mapped = map_capacitated(inputs, &all);
        let mut inst = mapped.instance.clone();
        for (i, u) in inst.unserved_cost.iter_mut().enumerate() {
            *u = Some(1e6 * mapped.instance.demand[i].max(1.0));
        }
        let reach = (0..inst.n_clients())
            .map(|i| inst.arcs_of(i).iter().map(|a| a.site).collect())
            .collect();
        ClosureProbe { mapped, inst, reach }
    }

    /// As [`shortfall_without`], on the instance mapped once.
    pub fn shortfall_without(&self, open: &[bool], site: SiteIdx) -> Option<(f64, Vec<ZoneIdx>, Vec<SiteIdx>)> {
        let mut o = open.to_vec();
        o[site.index()] = false;
        // Only users with an open building in reach count as a capacity shortfall.
        let need: Vec<f64> = (0..self.inst.n_clients())
            .map(|i| {
                if self.reach[i].iter().any(|&j| o[j as usize]) {
                    self.inst.demand[i]
                } else {
                    0.0
                }
            })
            .collect();
        let full_cap: Vec<f64> = self.inst.capacity.iter().map(|q| q.unwrap_or(f64::INFINITY)).collect();
        let cap: Vec<f64> = (0..o.len()).map(|j| if o[j] { full_cap[j] } else { 0.0 }).collect();
        let placeable: f64 = need.iter().sum();
        // The minimum cut of the max-flow: zone sets whose need exceeds the
        // capacity of every open building in their reach (Hall's condition);
        // those buildings are full in every assignment.
        let cuts = hubplan_solver::hall::separate(&need, &self.reach, &cap, &full_cap, 1e-7 * placeable.max(1.0));
        let short: f64 = cuts
            .iter()
            .map(|c| c.rhs - c.coefs.iter().map(|&(j, _)| cap[j as usize]).sum::<f64>())
            .sum();
        let mut zones: Vec<ZoneIdx> = cuts
            .iter()
            .flat_map(|c| c.zones.iter().map(|&i| self.mapped.clients[i as usize]))
            .collect();
        zones.sort();
        zones.dedup();
        let mut full: Vec<SiteIdx> = cuts
            .iter()
            .flat_map(|c| c.coefs.iter().map(|&(j, _)| j as usize))
            .filter(|&j| o[j] && self.inst.capacity[j].is_some())
            .map(SiteIdx::from_index)
            .collect();
        full.sort();
        full.dedup();
        (!zones.is_empty()).then_some((short, zones, full))
    }
}

/// The assignment the plan reports for a split plan under `min_cost` or
/// `max_coverage`, where the solver's objective does not care who goes where:
/// as much need placed as fits, then the least need-weighted minutes (families
/// go to the nearest building with room). `None` when it does not fit (then
/// the solver's own assignment is kept).
fn nearest_with_room(inputs: &Inputs, sc: &Scenario, mapped: &Mapped, open: &[bool]) -> Option<Vec<Vec<(u32, f64)>>> {
    let mut inst = mapped.instance.clone();
    for i in 0..inst.n_clients() {
        let z = mapped.clients[i];
        let need = inputs.zone(z).need;
        let (a0, a1) = (inst.arc_start[i] as usize, inst.arc_start[i + 1] as usize);
        for a in &mut inst.arcs[a0..a1] {
            let m = inputs
                .travel
                .row(z)
                .find(|&(s, _)| s.0 == a.site)
                .map_or(0.0, |(_, m)| m);
            a.cost = need * m;
        }
        if sc.objective == ObjectiveKind::MaxCoverage {
            inst.unserved_cost[i] = Some(1e9 * need.max(1.0));
        }
    }
    transport(&inst, open).map(|(_, f)| f)
}
