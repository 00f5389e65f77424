//! Demand capacity under `MinCost` without assignment variables: the
//! co-location MIP of the uncapacitated model plus Hall (max-flow–min-cut)
//! cuts, added lazily (docs/MODEL.md §2 "Solving with capacity cuts").
//!
//! When the stage's objective gives the assignment no cost (`MinCost`, split
//! assignment), the assignment `x` can be projected out. For a capacitated
//! service `s`, a decision can place every required client's need iff, for
//! every set `S` of its clients (Hall's condition; max-flow–min-cut for the
//! transportation problem),
//!
//! ```text
//! Σ_{j ∈ N_s(S)} min(max_users_js, need_s(S)) · h_js ≥ need_s(S)
//! ```
//!
//! where `N_s(S)` are the sites on the clients' arcs and `need_s(S)` their
//! room. (With the coefficient `max_users_js` this is the cut condition of
//! the flow; capping it at `need_s(S)` keeps it valid for binary `h` and makes
//! the LP relaxation tighter.) A site without a `max_users` for `s` has the
//! coefficient `need_s(S)`: hosting `s` there serves the whole set.
//!
//! The loop: the master is the fast covering model (every capacitated service
//! treated as uncapacitated); cuts violated by its LP relaxation are added
//! first (root rounds); then the integer master is solved, the Hall cuts its
//! integral solution violates are separated ([`crate::hall::separate_linked`], a max-flow) and
//! added, and it is solved again, until its solution is flow-feasible — then
//! it is optimal, as the master is a relaxation of the capacitated model.
//! Every master's bound is a proven lower bound. At the time limit the best
//! repaired decision (each violated cut repaired by hosting the service at the
//! cheapest allowed site in its neighbourhood) is returned as `Feasible` with
//! the best master bound; never a false `Optimal`.
//!
//! Exact for the split assignment only (under `single`, Hall's condition is
//! necessary, not sufficient); other objectives keep the MIP with `x`
//! ([`super::solve`]).

use std::collections::HashSet;
use std::time::Instant;

use good_lp::{ResolutionError, Solution, SolutionStatus, SolverModel, WithMipGap, WithTimeLimit};

use crate::hall::{separate, separate_linked, HallCut};
use crate::instance::Fixing;
use crate::outcome::{SolveOptions, Status};

use super::instance::{Coverage, Decision, ServiceError, ServiceInstance, ServiceObjective, ServiceSite};
use super::model::{build, LinExpr, LinModel, LinRow, RowSense};
use super::placement::Placement;
use super::solve::{add_rows, checked_flows, trivially_infeasible, variables, ServiceBackend, StageResult};

/// Most root rounds of LP cut separation.
const ROOT_ROUNDS: usize = 40;
/// Relative violation below which a cut is not added.
const TOL: f64 = 1e-6;
/// The prune's placements ([`Placement`]) leave at most this share of a
/// service's need unplaced (rounding only: far below [`TOL`], so a pruned
/// decision's split assignment always exists).
const PLACE_TOL: f64 = 1e-9;
/// Share of the stage's time the first integer master (microlp's own
/// branch-and-bound) may take: its optimum is the answer when its need fits,
/// but on large instances (the generated M) it finds no plan in time, and the
/// branch-and-cut needs the time more.
const FIRST_MASTER_SHARE: f64 = 0.1;
/// Masters with more non-zeros than this take [`large`]: the interior-point
/// LP and a rounded plan, no tree (the generated M's largest part has about
/// 30k, the generated L 261k, where microlp's dual simplex found no feasible
/// basis in 60 s).
const IPM_MASTER_NONZEROS: usize = 150_000;
/// Share of the stage's time [`large`]'s interior-point rounds may take.
const IPM_SHARE: f64 = 0.6;
/// Most interior-point rounds (each a cold solve with the cuts added).
const IPM_ROUNDS: usize = 4;
/// Share of the stage's time [`large`] leaves, when some service is
/// capacitated, for the plan's split assignment that every answer carries
/// (one min-cost flow per service after the search: 6–45 s on one thread
/// on the generated L, the tighter the plan the longer, whose search would
/// otherwise use the whole limit).
const ASSIGN_RESERVE: f64 = 0.25;
/// [`large`] keeps every hosting at or above this LP value (an interior
/// point is positive everywhere: rounding up all of it filled every site's
/// space and left the repair no room), then covers and repairs the rest.
const LARGE_ROUND_TOL: f64 = 0.5;
/// Fractional sites closed one at a time to find more Hall sets at an LP point.
const FRACTIONAL_PROBES: usize = 24;

/// Whether a stage is solved by this module: `MinCost` with no
/// lexicographic row, split assignment, some capacitated service, microlp.
pub fn applies(inst: &ServiceInstance, stage: ServiceObjective, second_stage: bool, backend: ServiceBackend) -> bool {
    backend == ServiceBackend::Microlp
        && stage == ServiceObjective::MinCost
        && !second_stage
        && !inst.single_assignment
        && inst.capacitated_services().contains(&true)
}

/// The flow data of one capacitated service: clients with required room,
/// merged by identical site sets.
pub(super) struct Flow {
    service: u32,
    need: Vec<f64>,
    reach: Vec<Vec<u32>>,
    /// Per site: `max_users` capped at the service's total need (the total
    /// need where the site has none); 0 where it cannot host the service.
    full_cap: Vec<f64>,
    /// Per site: the master's `h` variable for the service.
    hvar: Vec<Option<usize>>,
    /// Absolute violation tolerance of the separation (relative [`TOL`] of the total need).
    tol: f64,
}

fn flows(inst: &ServiceInstance, m: &LinModel) -> Vec<Flow> {
    let n = inst.sites.len();
    let mut out = Vec::new();
    for (s, capd) in inst.capacitated_services().into_iter().enumerate() {
        if !capd {
            continue;
        }
        let s = s as u32;
        let mut groups: std::collections::BTreeMap<Vec<u32>, f64> = std::collections::BTreeMap::new();
        for (i, c) in inst.clients.iter().enumerate() {
            let room = inst.room(i);
            if c.service != s || c.coverage != Coverage::Required || room <= 0.0 {
                continue;
            }
            let sites: Vec<u32> = c.arcs.iter().map(|a| a.site).collect();
            *groups.entry(sites).or_insert(0.0) += room;
        }
        if groups.is_empty() {
            continue;
        }
        let total: f64 = groups.values().sum();
        let mut full_cap = vec![0.0; n];
        let mut hvar = vec![None; n];
        for j in 0..n {
            if let Some(k) = inst.host_pos(j, s) {
                full_cap[j] = inst.sites[j].hosts[k].max_users.unwrap_or(total).min(total);
                hvar[j] = Some(m.layout.h[j][k]);
            }
        }
        let (reach, need) = groups.into_iter().unzip();
        out.push(Flow {
            service: s,
            need,
            reach,
            full_cap,
            hvar,
            tol: TOL * total.max(1.0),
        });
    }
    out
}

// A row `Σ coef_j h_js ≥ rhs` over one service's sites (site indices).
use crate::hall::SiteRow;

impl SiteRow {
    /// The row's identity among the rows of all services.
    fn service_key(&self, service: u32) -> Vec<u64> {
        let mut k: Vec<u64> = vec![u64::from(service), self.rhs.to_bits()];
        k.extend(self.coefs.iter().flat_map(|&(j, c)| [u64::from(j), c.to_bits()]));
        k
    }
}

/// The cuts of every service violated at the point `vals` (LP or integral),
/// as master rows, skipping those already added. At an LP point (`lp`), the
/// Hall sets also come from the points with the fractional sites closed
/// (all, and each of the first few alone), and each Hall row is strengthened
/// by its cover and cMIR cuts.
pub(super) fn separate_all(fl: &[Flow], vals: &[f64], lp: bool, seen: &mut HashSet<Vec<u64>>) -> Vec<LinRow> {
    let mut rows = Vec::new();
    for f in fl {
        let h: Vec<f64> = f
            .hvar
            .iter()
            .map(|v| v.map_or(0.0, |v| vals[v].clamp(0.0, 1.0)))
            .collect();
        let mut cuts = separate_linked(&f.need, &f.reach, &h, &f.full_cap, f.tol);
        if lp {
            let frac: Vec<usize> = (0..h.len()).filter(|&j| h[j] > 1e-6 && h[j] < 1.0 - 1e-6).collect();
            let down: Vec<f64> = h.iter().map(|&v| if v >= 1.0 - 1e-6 { 1.0 } else { 0.0 }).collect();
            let mut points = vec![down];
            for &j in frac.iter().take(FRACTIONAL_PROBES) {
                let mut p = h.clone();
                p[j] = 0.0;
                points.push(p);
            }
            for p in points {
                let cap: Vec<f64> = f.full_cap.iter().zip(&p).map(|(q, x)| q * x).collect();
                cuts.extend(separate(&f.need, &f.reach, &cap, &f.full_cap, f.tol));
            }
        }
        let mut zone_sets = HashSet::new();
        for cut in cuts {
            if !zone_sets.insert(cut.zones.clone()) {
                continue;
            }
            let row = SiteRow {
                coefs: cut
                    .coefs
                    .iter()
                    .copied()
                    .filter(|&(j, c)| c > 0.0 && f.hvar[j as usize].is_some())
                    .collect(),
                rhs: cut.rhs,
            };
            let mut out = Vec::new();
            if lp {
                row.strengthen(&h, false, &mut out);
            } else if row.violation(&h) > TOL * row.rhs.max(1.0) {
                out.push(row);
            }
            for r in out {
                if seen.insert(r.service_key(f.service)) {
                    rows.push(master_row(f, &r));
                }
            }
        }
    }
    rows
}

/// A site row of service `f` as a master row over the `h` variables.
fn master_row(f: &Flow, r: &SiteRow) -> LinRow {
    let mut e = LinExpr::default();
    for &(j, c) in &r.coefs {
        if let Some(v) = f.hvar[j as usize] {
            e.terms.push((v, c));
        }
    }
    LinRow {
        name: format!("hall_{}", f.service),
        expr: e,
        sense: RowSense::Ge,
        rhs: r.rhs,
    }
}

type Raw = Result<(Vec<f64>, SolutionStatus, Option<f64>), ResolutionError>;

/// Solves the master (or its LP relaxation) with microlp; every variable's value.
fn solve_master(m: &LinModel, secs: f64, gap: f32, relax: bool) -> Result<Raw, ServiceError> {
    let (pv, vars, obj) = variables(m, relax);
    let mut model = pv
        .minimise(obj)
        .using(good_lp::microlp)
        .with_time_limit(secs.max(0.001));
    model = model
        .with_mip_gap(gap)
        .map_err(|e| ServiceError::Backend(e.to_string()))?;
    add_rows(&mut model, &vars, m);
    Ok(model.solve().map(|s| {
        let vals: Vec<f64> = vars.iter().map(|&v| s.value(v)).collect();
        let st = s.status();
        let bound = s.into_inner().stats().best_bound.map(|b| b + m.objective.constant);
        (vals, st, bound)
    }))
}

fn objective_of(m: &LinModel, vals: &[f64]) -> f64 {
    m.objective.constant + m.objective.terms.iter().map(|&(v, c)| c * vals[v]).sum::<f64>()
}

pub(super) fn read_decision(m: &LinModel, vals: &[f64]) -> Decision {
    let open: Vec<bool> = m.layout.y.iter().map(|&y| vals[y] > 0.5).collect();
    let host = m
        .layout
        .h
        .iter()
        .zip(&open)
        .map(|(hs, &o)| hs.iter().map(|&h| o && vals[h] > 0.5).collect())
        .collect();
    Decision { open, host }
}

/// The point of a decision in the master's variables (y and h only).
pub(super) fn point(m: &LinModel, d: &Decision) -> Vec<f64> {
    let mut vals = vec![0.0; m.vars.len()];
    for (j, &y) in m.layout.y.iter().enumerate() {
        vals[y] = f64::from(u8::from(d.open[j]));
        for (k, &h) in m.layout.h[j].iter().enumerate() {
            vals[h] = f64::from(u8::from(d.open[j] && d.host[j][k]));
        }
    }
    vals
}

/// The decision of an LP point rounded up within each site's space: per
/// site, its hosting options that are forced, then those with a value above
/// `tol` (largest first, ties by position), each kept while it fits in the
/// space and is not forced off; a site is open when it hosts something or is
/// forced open. (Rounding every fractional hosting up can break the space
/// rows; this never does.)
pub(super) fn round_fit(inst: &ServiceInstance, m: &LinModel, vals: &[f64], tol: f64) -> Decision {
    let n = inst.sites.len();
    let mut d = Decision {
        open: vec![false; n],
        host: inst.sites.iter().map(|s| vec![false; s.hosts.len()]).collect(),
    };
    for (j, site) in inst.sites.iter().enumerate() {
        if site.fixing == Fixing::Closed {
            continue;
        }
        let mut ks: Vec<(bool, f64, usize)> = site
            .hosts
            .iter()
            .enumerate()
            .filter(|(k, h)| h.fixing == Fixing::Open || (h.fixing != Fixing::Closed && vals[m.layout.h[j][*k]] > tol))
            .map(|(k, h)| (h.fixing == Fixing::Open, vals[m.layout.h[j][k]], k))
            .collect();
        ks.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut used = 0.0;
        for (_, _, k) in ks {
            let space = site.hosts[k].space;
            if site.capacity.is_none_or(|c| used + space <= c + 1e-9) {
                d.host[j][k] = true;
                used += space;
            }
        }
        d.open[j] = site.fixing == Fixing::Open || d.host[j].contains(&true);
    }
    d
}

/// The first Hall cut (of some service) that decision `d` violates.
fn first_violated(m: &LinModel, fl: &[Flow], d: &Decision) -> Option<(u32, HallCut)> {
    violated_in(m, fl, d, |_| true)
}

/// The first Hall cut of a service `which` accepts that decision `d` violates.
fn violated_in(m: &LinModel, fl: &[Flow], d: &Decision, which: impl Fn(u32) -> bool) -> Option<(u32, HallCut)> {
    let vals = point(m, d);
    for f in fl.iter().filter(|f| which(f.service)) {
        let h: Vec<f64> = f.hvar.iter().map(|v| v.map_or(0.0, |v| vals[v])).collect();
        for cut in separate_linked(&f.need, &f.reach, &h, &f.full_cap, f.tol) {
            let lhs: f64 = cut.coefs.iter().map(|&(j, c)| c * h[j as usize]).sum();
            if lhs < cut.rhs - TOL * cut.rhs.max(1.0) {
                return Some((f.service, cut));
            }
        }
    }
    None
}

/// Drops what a feasible decision does not need, when no rule breaks and
/// every capacity still fits: each open site whole (most expensive first,
/// its running and opening cost with the conversions it hosts), then each
/// hosted service (most expensive conversion first), then each open site
/// hosting nothing (most expensive first). A change is checked against the
/// Hall rows of the services it takes away only (the others' flows are
/// unchanged).
fn prune(inst: &ServiceInstance, m: &LinModel, fl: &[Flow], d: Decision) -> Decision {
    prune_until(inst, m, fl, d, None)
}

/// [`prune`], stopping at `deadline` (every step keeps the decision
/// feasible, so a stopped prune returns a feasible, less pruned decision).
fn prune_until(
    inst: &ServiceInstance,
    m: &LinModel,
    fl: &[Flow],
    mut d: Decision,
    deadline: Option<Instant>,
) -> Decision {
    let late = || deadline.is_some_and(|t| Instant::now() > t);
    // One placement per capacitated service, updated as sites stop hosting
    // it; without one (the decision's need does not fit), Hall's rows.
    let mut places: Option<Vec<Placement>> = fl
        .iter()
        .map(|f| {
            let cap: Vec<f64> = (0..inst.sites.len())
                .map(|j| {
                    if inst.hosts(&d, j, f.service) {
                        f.full_cap[j]
                    } else {
                        0.0
                    }
                })
                .collect();
            let total: f64 = f.need.iter().sum();
            Placement::new(&f.need, &f.reach, &cap, PLACE_TOL * total.max(1.0))
        })
        .collect();
    // Whether `t` (the decision with site `j` no longer hosting `gone`) keeps
    // every rule and every need fits; the placements follow the answer.
    let mut ok = |t: &Decision, j: usize, gone: &[u32]| match places.as_mut() {
        Some(ps) => {
            let mut fit = true;
            for (p, f) in ps.iter_mut().zip(fl) {
                if fit && gone.contains(&f.service) {
                    fit = p.remove(j);
                }
            }
            let keep = fit && inst.violations(t).is_empty();
            for p in ps.iter_mut() {
                if keep {
                    p.commit();
                } else {
                    p.rollback();
                }
            }
            keep
        }
        None => inst.violations(t).is_empty() && violated_in(m, fl, t, |s| gone.contains(&s)).is_none(),
    };
    let site_cost = |d: &Decision, j: usize| {
        let s = &inst.sites[j];
        s.annual_cost
            + s.open_cost
            + (0..s.hosts.len())
                .filter(|&k| d.host[j][k])
                .map(|k| s.hosts[k].conversion_cost)
                .sum::<f64>()
    };
    let mut open: Vec<(f64, usize)> = (0..inst.sites.len())
        .filter(|&j| d.open[j] && inst.sites[j].fixing != Fixing::Open)
        .map(|j| (site_cost(&d, j), j))
        .collect();
    open.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, j) in open {
        if late() {
            return d;
        }
        let gone: Vec<u32> = (0..inst.sites[j].hosts.len())
            .filter(|&k| d.host[j][k])
            .map(|k| inst.sites[j].hosts[k].service)
            .collect();
        let mut t = d.clone();
        t.open[j] = false;
        t.host[j].iter_mut().for_each(|h| *h = false);
        if ok(&t, j, &gone) {
            d = t;
        }
    }
    let mut hosted: Vec<(f64, usize, usize)> = (0..inst.sites.len())
        .flat_map(|j| (0..inst.sites[j].hosts.len()).map(move |k| (j, k)))
        .filter(|&(j, k)| d.open[j] && d.host[j][k])
        .map(|(j, k)| (inst.sites[j].hosts[k].conversion_cost, j, k))
        .collect();
    hosted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, j, k) in hosted {
        if late() {
            return d;
        }
        d.host[j][k] = false;
        if !ok(&d, j, &[inst.sites[j].hosts[k].service]) {
            d.host[j][k] = true;
        }
    }
    let mut open: Vec<(f64, usize)> = (0..inst.sites.len())
        .filter(|&j| d.open[j] && !d.host[j].contains(&true))
        .map(|j| (inst.sites[j].annual_cost + inst.sites[j].open_cost, j))
        .collect();
    open.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, j) in open {
        if late() {
            return d;
        }
        d.open[j] = false;
        if !ok(&d, j, &[]) {
            d.open[j] = true;
        }
    }
    d
}

/// Ties towards places: at an open site, a capacitated service that costs
/// nothing to host there (no conversion cost, e.g. hosted today) stays hosted
/// when the site's other rules allow it. Under `min_cost` this changes neither
/// the cost nor feasibility (it only adds room), but a kept building does not
/// lose its children's centre to an arbitrary choice between equal optima.
///
/// Only the site's own rules can break (a hosting at no cost at an open site
/// changes no cost, count or budget, adds coverage and hub status), so each
/// addition is checked locally: not forced off, and within the site's space
/// (as [`ServiceInstance::violations`] measures it). Per-site checks keep it
/// linear: checking the whole decision per addition took minutes at national
/// size.
pub(super) fn keep_free_room(inst: &ServiceInstance, d: &mut Decision) {
    for j in 0..inst.sites.len() {
        if !d.open[j] {
            continue;
        }
        let site = &inst.sites[j];
        for k in 0..site.hosts.len() {
            let h = &site.hosts[k];
            if d.host[j][k] || h.conversion_cost != 0.0 || h.max_users.is_none() || h.fixing == Fixing::Closed {
                continue;
            }
            if fits(site, &d.host[j], k) {
                d.host[j][k] = true;
            }
        }
    }
}

/// Whether service option `k` fits in `site`'s space beside the options
/// `hosted` marks (an empty slice: nothing hosted), by the rule and tolerance
/// of [`ServiceInstance::violations`].
fn fits(site: &ServiceSite, hosted: &[bool], k: usize) -> bool {
    let used: f64 = site
        .hosts
        .iter()
        .zip(hosted)
        .filter(|(_, &on)| on)
        .map(|(h, _)| h.space)
        .sum();
    site.capacity
        .is_none_or(|c| used + site.hosts[k].space <= c + 1e-9 * c.abs().max(1.0))
}

/// Repairs a decision that breaks capacity: while some Hall cut is violated,
/// host its service at the cheapest allowed site of the cut's neighbourhood
/// (opening the site if needed) whose change breaks no other rule, then
/// [`prune`]s it. `None` when a cut cannot be repaired.
pub(super) fn repair(inst: &ServiceInstance, m: &LinModel, fl: &[Flow], d: Decision) -> Option<Decision> {
    repair_unpruned(inst, m, fl, d).map(|d| prune(inst, m, fl, d))
}

/// [`repair`] without the final [`prune`].
fn repair_unpruned(inst: &ServiceInstance, m: &LinModel, fl: &[Flow], d: Decision) -> Option<Decision> {
    repair_unpruned_until(inst, m, fl, d, None)
}

/// [`repair_unpruned`], giving up (`None`) at `deadline`.
fn repair_unpruned_until(
    inst: &ServiceInstance,
    m: &LinModel,
    fl: &[Flow],
    mut d: Decision,
    deadline: Option<Instant>,
) -> Option<Decision> {
    for _ in 0..=inst.sites.len() * inst.n_services.max(1) {
        if deadline.is_some_and(|t| Instant::now() > t) {
            return None;
        }
        let Some((s, cut)) = first_violated(m, fl, &d) else {
            return Some(d);
        };
        let mut options: Vec<(f64, usize, usize)> = cut
            .coefs
            .iter()
            .filter_map(|&(j, c)| {
                let j = j as usize;
                let k = inst.host_pos(j, s)?;
                let site = &inst.sites[j];
                if c <= 0.0
                    || (d.open[j] && d.host[j][k])
                    || site.fixing == Fixing::Closed
                    || site.hosts[k].fixing == Fixing::Closed
                {
                    return None;
                }
                let opening = if d.open[j] {
                    0.0
                } else {
                    site.annual_cost + site.open_cost
                };
                Some((opening + site.hosts[k].conversion_cost, j, k))
            })
            .collect();
        options.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut next = None;
        for (_, j, k) in options {
            let mut t = d.clone();
            t.open[j] = true;
            t.host[j][k] = true;
            if inst.violations(&t).is_empty() {
                next = Some(t);
                break;
            }
        }
        d = next?;
    }
    None
}

/// Local search from a feasible plan `d` (deterministic; stops at `deadline`):
/// first-improvement passes, until one changes nothing, over three moves —
/// close an open site that is not forced open (most expensive first) and
/// [`repair`] the need it leaves with the site kept closed (a swap, or a
/// move of its services to sites already open); stop hosting one service
/// with a conversion cost (dearest first) and repair it elsewhere; open a
/// closed site with every service that fits (cheapest first) and [`prune`]
/// (an add-and-drop). A move is kept when the plan keeps every rule and
/// costs less; after a pass with a move, the plan is pruned. `relaxed` is `inst` with the clients the Hall rows place made
/// optional (the rules a plan keeps while it is repaired).
///
/// Complexity: per move, a repair (a max-flow per violated cut and rule
/// checks, `O(sites·services + arcs)` each).
pub(super) fn improve(
    inst: &ServiceInstance,
    relaxed: &ServiceInstance,
    m: &LinModel,
    fl: &[Flow],
    mut d: Decision,
    deadline: Instant,
) -> Decision {
    let mut best = cost(inst, &d);
    let t_ls = Instant::now();
    let start_cost = best;
    let mut passes = 0usize;
    let mut work = relaxed.clone();
    let site_cost = |d: &Decision, j: usize| {
        let s = &inst.sites[j];
        s.annual_cost
            + s.open_cost
            + (0..s.hosts.len())
                .filter(|&k| d.host[j][k])
                .map(|k| s.hosts[k].conversion_cost)
                .sum::<f64>()
    };
    let try_move = |d: &mut Decision, best: &mut f64, t: Decision, work: &ServiceInstance| {
        if let Some(r) = repair_unpruned(work, m, fl, t) {
            if inst.violations(&r).is_empty() {
                let c = cost(inst, &r);
                if c < *best - 1e-9 * best.abs().max(1.0) {
                    *d = r;
                    *best = c;
                    return true;
                }
            }
        }
        false
    };
    loop {
        let mut improved = false;
        let mut open: Vec<(f64, usize)> = (0..inst.sites.len())
            .filter(|&j| d.open[j] && inst.sites[j].fixing != Fixing::Open)
            .map(|j| (site_cost(&d, j), j))
            .collect();
        open.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, j) in open {
            if Instant::now() > deadline {
                log::debug!(
                    "[hubplan-solver local-search] stopped: {start_cost} -> {best} in {:.2}s, {passes} passes",
                    t_ls.elapsed().as_secs_f64()
                );
                return d;
            }
            if !d.open[j]
                || d.host[j]
                    .iter()
                    .zip(&inst.sites[j].hosts)
                    .any(|(&on, h)| on && h.fixing == Fixing::Open)
            {
                continue;
            }
            let mut t = d.clone();
            t.open[j] = false;
            t.host[j].iter_mut().for_each(|h| *h = false);
            let saved = work.sites[j].fixing;
            work.sites[j].fixing = Fixing::Closed;
            improved |= try_move(&mut d, &mut best, t, &work);
            work.sites[j].fixing = saved;
        }
        let mut hosted: Vec<(f64, usize, usize)> = (0..inst.sites.len())
            .flat_map(|j| (0..inst.sites[j].hosts.len()).map(move |k| (j, k)))
            .filter(|&(j, k)| {
                let h = &inst.sites[j].hosts[k];
                d.open[j] && d.host[j][k] && h.fixing != Fixing::Open && h.conversion_cost > 0.0
            })
            .map(|(j, k)| (inst.sites[j].hosts[k].conversion_cost, j, k))
            .collect();
        hosted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (_, j, k) in hosted {
            if Instant::now() > deadline {
                log::debug!(
                    "[hubplan-solver local-search] stopped: {start_cost} -> {best} in {:.2}s, {passes} passes",
                    t_ls.elapsed().as_secs_f64()
                );
                return d;
            }
            if !(d.open[j] && d.host[j][k]) {
                continue;
            }
            let mut t = d.clone();
            t.host[j][k] = false;
            let saved = work.sites[j].hosts[k].fixing;
            work.sites[j].hosts[k].fixing = Fixing::Closed;
            improved |= try_move(&mut d, &mut best, t, &work);
            work.sites[j].hosts[k].fixing = saved;
        }
        // Open a closed site with every service that fits, and prune: an
        // add-and-drop (cheapest sites first).
        let mut closed: Vec<(f64, usize)> = (0..inst.sites.len())
            .filter(|&j| !d.open[j] && inst.sites[j].fixing != Fixing::Closed)
            .map(|j| (inst.sites[j].annual_cost + inst.sites[j].open_cost, j))
            .collect();
        closed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (_, j) in closed {
            if Instant::now() > deadline {
                log::debug!(
                    "[hubplan-solver local-search] stopped: {start_cost} -> {best} in {:.2}s, {passes} passes",
                    t_ls.elapsed().as_secs_f64()
                );
                return d;
            }
            if d.open[j] {
                continue;
            }
            let site = &inst.sites[j];
            let mut t = d.clone();
            t.open[j] = true;
            let mut used = 0.0;
            for (k, h) in site.hosts.iter().enumerate() {
                if h.fixing != Fixing::Closed && site.capacity.is_none_or(|c| used + h.space <= c + 1e-9) {
                    t.host[j][k] = true;
                    used += h.space;
                }
            }
            let r = prune(relaxed, m, fl, t);
            if inst.violations(&r).is_empty() {
                let c = cost(inst, &r);
                if c < best - 1e-9 * best.abs().max(1.0) {
                    d = r;
                    best = c;
                    improved = true;
                }
            }
        }
        passes += 1;
        if !improved {
            log::debug!(
                "[hubplan-solver local-search] done: {start_cost} -> {best} in {:.2}s, {passes} passes",
                t_ls.elapsed().as_secs_f64()
            );
            return d;
        }
        // What the moves left unneeded (a pass's moves are not pruned one by one).
        d = prune(relaxed, m, fl, d);
        best = cost(inst, &d);
    }
}

/// The stage on a master too large for microlp's simplex (more than
/// [`IPM_MASTER_NONZEROS`] non-zeros: the generated L, 261k): rounds of the
/// LP relaxation by the interior-point method of [`super::ipmlp`] with the
/// Hall cuts its point violates, for at most [`IPM_SHARE`] of the time; the
/// last point rounded up within each site's space ([`round_fit`]), repaired
/// until every need fits, pruned and improved by the local search until the
/// deadline, which is [`ASSIGN_RESERVE`] of the time before the stage's end
/// when a service is capacitated. The bound is the certified LP bound; there
/// is no tree. `None` of a plan (no usable interior point, or no repair in time) is
/// `NoSolution` with the bound.
#[allow(clippy::too_many_arguments)]
fn large(
    inst: &ServiceInstance,
    master: &mut LinModel,
    fl: &[Flow],
    seen: &mut HashSet<Vec<u64>>,
    t0: Instant,
    secs: f64,
    rel_gap: f64,
    finish: &dyn Fn(Decision, Status, f64, u64) -> Result<StageResult, ServiceError>,
) -> Result<StageResult, ServiceError> {
    let reserve = if inst.capacitated_services().contains(&true) {
        ASSIGN_RESERVE
    } else {
        0.0
    };
    let deadline = t0 + std::time::Duration::from_secs_f64((secs * (1.0 - reserve)).max(0.0));
    let lp_until = t0 + std::time::Duration::from_secs_f64((secs * IPM_SHARE).max(0.0));
    let mut bound = f64::NEG_INFINITY;
    let mut point = None;
    for round in 0..IPM_ROUNDS {
        let left = lp_until.saturating_duration_since(Instant::now()).as_secs_f64();
        if left <= 0.0 {
            break;
        }
        let Some(lp) = super::ipmlp::solve(master, left) else {
            break;
        };
        bound = bound.max(lp.bound);
        // Cuts only when another round has time (about as long as this one).
        if lp.seconds > lp_until.saturating_duration_since(Instant::now()).as_secs_f64() {
            point = Some(lp.vals);
            break;
        }
        let cuts = separate_all(fl, &lp.vals, true, seen);
        log::debug!(
            "[hubplan-solver capacity-cuts] interior-point round {round}: bound {}, {} cuts, {:.3}s",
            lp.bound,
            cuts.len(),
            t0.elapsed().as_secs_f64()
        );
        point = Some(lp.vals);
        if cuts.is_empty() {
            break;
        }
        master.rows.extend(cuts);
    }
    let Some(vals) = point else {
        return Ok(StageResult::NoSolution { bound });
    };
    let d = round_fit(inst, master, &vals, LARGE_ROUND_TOL);
    log::debug!(
        "[hubplan-solver capacity-cuts] rounded point: {} sites open, {:.3}s",
        d.open.iter().filter(|&&o| o).count(),
        t0.elapsed().as_secs_f64()
    );
    let relaxed = relax_placed(inst);
    let d = cover_required(inst, d);
    let Some(d) = repair_bulk_until(&relaxed, master, fl, d, deadline) else {
        log::debug!("[hubplan-solver capacity-cuts] the rounded point was not repaired in time");
        return Ok(StageResult::NoSolution { bound });
    };
    if !inst.violations(&d).is_empty() {
        log::debug!("[hubplan-solver capacity-cuts] the rounded point breaks a rule the repair does not mend");
        return Ok(StageResult::NoSolution { bound });
    }
    let d = prune_until(inst, master, fl, d, Some(deadline));
    log::debug!(
        "[hubplan-solver capacity-cuts] rounded plan {} at {:.3}s",
        cost(inst, &d),
        t0.elapsed().as_secs_f64()
    );
    let d = improve(inst, &relaxed, master, fl, d, deadline);
    let v = cost(inst, &d);
    let proven = (v - bound).max(0.0) <= rel_gap.max(0.0) * v.abs() + 1e-6;
    finish(d, if proven { Status::Optimal } else { Status::Feasible }, bound, 0)
}

/// Hosts, for every required client no open site serves, its service at
/// the cheapest site in its reach that may host it and has the space
/// (opening the site: running and opening cost plus the conversion), so a
/// rounded LP point covers every client before its capacities are repaired.
/// A client with no such site stays uncovered (the caller's check then
/// refuses the plan).
fn cover_required(inst: &ServiceInstance, mut d: Decision) -> Decision {
    for c in &inst.clients {
        if c.coverage != Coverage::Required || c.arcs.iter().any(|a| inst.hosts(&d, a.site as usize, c.service)) {
            continue;
        }
        let mut best: Option<(f64, usize, usize)> = None;
        for a in &c.arcs {
            let j = a.site as usize;
            let Some(k) = inst.host_pos(j, c.service) else {
                continue;
            };
            let site = &inst.sites[j];
            if site.fixing == Fixing::Closed || site.hosts[k].fixing == Fixing::Closed {
                continue;
            }
            if !fits(site, if d.open[j] { &d.host[j] } else { &[] }, k) {
                continue;
            }
            let opening = if d.open[j] {
                0.0
            } else {
                site.annual_cost + site.open_cost
            };
            let price = opening + site.hosts[k].conversion_cost;
            if best.is_none_or(|(p, bj, _)| price < p || (price == p && j < bj)) {
                best = Some((price, j, k));
            }
        }
        if let Some((_, j, k)) = best {
            d.open[j] = true;
            d.host[j][k] = true;
        }
    }
    d
}

/// [`repair_unpruned_until`] in bulk, for [`large`]: for each violated Hall
/// cut, every service option of the cut's neighbourhood that fits in its
/// site's space is hosted at once (opening its site); when none fits, the
/// cut's sites drop the other services they host (not forced ones) to make
/// room, and the required clients that leaves uncovered are covered again
/// ([`cover_required`]). When that breaks another rule or adds nothing, the
/// one-at-a-time repair takes over.
/// National masters need a few bulk steps where the one-at-a-time repair
/// needs one max-flow per added host. The result may host more than needed:
/// the caller prunes it.
fn repair_bulk_until(
    inst: &ServiceInstance,
    m: &LinModel,
    fl: &[Flow],
    mut d: Decision,
    deadline: Instant,
) -> Option<Decision> {
    let t0 = Instant::now();
    let mut pinned: HashSet<(usize, usize)> = HashSet::new();
    for step in 0..=inst.sites.len() * inst.n_services.max(1) {
        if Instant::now() > deadline {
            return None;
        }
        let Some((s, cut)) = first_violated(m, fl, &d) else {
            return Some(d);
        };
        log::debug!(
            "[hubplan-solver capacity-cuts] bulk repair step {step}: service {s}, a cut of {} sites, {:.3}s",
            cut.coefs.len(),
            t0.elapsed().as_secs_f64()
        );
        let mut t = d.clone();
        let mut added = false;
        for &(j, c) in &cut.coefs {
            let j = j as usize;
            let Some(k) = inst.host_pos(j, s) else {
                continue;
            };
            let site = &inst.sites[j];
            if c <= 0.0 || t.host[j][k] || site.fixing == Fixing::Closed || site.hosts[k].fixing == Fixing::Closed {
                continue;
            }
            if !fits(site, &t.host[j], k) {
                continue;
            }
            t.open[j] = true;
            t.host[j][k] = true;
            added = true;
        }
        if !added {
            // Every site of the cut that may host the service is full: make
            // room at one of them by dropping the services it hosts that are
            // neither forced nor placed by an earlier such step (so two
            // services cannot take a site from each other in turn); their
            // clients are covered again elsewhere below.
            for &(j, c) in &cut.coefs {
                let j = j as usize;
                let Some(k) = inst.host_pos(j, s) else {
                    continue;
                };
                let site = &inst.sites[j];
                if c <= 0.0 || t.host[j][k] || site.fixing == Fixing::Closed || site.hosts[k].fixing == Fixing::Closed {
                    continue;
                }
                let mut row = t.host[j].clone();
                for q in 0..site.hosts.len() {
                    if q != k && row[q] && site.hosts[q].fixing != Fixing::Open && !pinned.contains(&(j, q)) {
                        row[q] = false;
                    }
                }
                if fits(site, &row, k) {
                    row[k] = true;
                    t.host[j] = row;
                    t.open[j] = true;
                    pinned.insert((j, k));
                    added = true;
                    break;
                }
            }
            t = cover_required(inst, t);
        }
        if !added || !inst.violations(&t).is_empty() {
            log::debug!("[hubplan-solver capacity-cuts] bulk repair: one at a time from here (added {added})");
            return repair_unpruned_until(inst, m, fl, d, Some(deadline));
        }
        d = t;
    }
    None
}

/// Rounds of LP cut separation (at most [`ROOT_ROUNDS`], until no cut is
/// violated or time runs out): the last LP bound (−∞ when none was solved),
/// or `None` when the LP relaxation is infeasible.
fn lp_rounds(
    master: &mut LinModel,
    fl: &[Flow],
    seen: &mut HashSet<Vec<u64>>,
    gap: f32,
    left: &dyn Fn() -> f64,
) -> Result<Option<f64>, ServiceError> {
    let mut bound = f64::NEG_INFINITY;
    for _ in 0..ROOT_ROUNDS {
        if left() <= 0.0 {
            break;
        }
        match solve_master(master, left(), gap, true)? {
            Ok((vals, SolutionStatus::Optimal, _)) => {
                bound = bound.max(objective_of(master, &vals));
                let cuts = separate_all(fl, &vals, true, seen);
                if cuts.is_empty() {
                    break;
                }
                master.rows.extend(cuts);
            }
            Err(ResolutionError::Infeasible) => return Ok(None),
            _ => break,
        }
    }
    Ok(Some(bound))
}

/// `inst` with the clients the Hall rows place (required clients of a
/// capacitated service with room) made optional: the rules a plan must keep
/// while it is repaired (the Hall rows cover those clients).
pub(super) fn relax_placed(inst: &ServiceInstance) -> ServiceInstance {
    let mut relaxed = inst.clone();
    let capd = inst.capacitated_services();
    for (i, c) in relaxed.clients.iter_mut().enumerate() {
        if capd[c.service as usize] && inst.room(i) > 0.0 {
            c.coverage = Coverage::Optional;
        }
    }
    relaxed
}

pub(super) fn cost(inst: &ServiceInstance, d: &Decision) -> f64 {
    inst.evaluate(d).min_sense(ServiceObjective::MinCost)
}

/// Solves the `MinCost` stage of a capacitated co-location instance by the
/// cut loop (module docs). `secs` is the stage's time limit.
///
/// # Errors
/// [`ServiceError::Backend`] when microlp fails, or returns a decision that
/// breaks a rule (a bug).
pub(super) fn solve_stage(inst: &ServiceInstance, secs: f64, opts: &SolveOptions) -> Result<StageResult, ServiceError> {
    solve_stage_with(inst, secs, opts, IPM_MASTER_NONZEROS)
}

/// [`solve_stage`], with masters of more than `ipm_nonzeros` non-zeros
/// solved by [`large`].
fn solve_stage_with(
    inst: &ServiceInstance,
    secs: f64,
    opts: &SolveOptions,
    ipm_nonzeros: usize,
) -> Result<StageResult, ServiceError> {
    let t0 = Instant::now();
    let left = || secs - t0.elapsed().as_secs_f64();
    let mut plain = inst.clone();
    for s in &mut plain.sites {
        for h in &mut s.hosts {
            h.max_users = None;
        }
    }
    plain.then = None;
    plain.client_room = Vec::new();
    let mut master = build(&plain, ServiceObjective::MinCost, None);
    if trivially_infeasible(&master) {
        return Ok(StageResult::Infeasible);
    }
    let fl = flows(inst, &master);
    let gap = opts.rel_gap.max(0.0) as f32;
    let mut seen = HashSet::new();
    let mut best_bound = f64::NEG_INFINITY;
    let finish = |mut d: Decision, status: Status, bound: f64, nodes: u64| -> Result<StageResult, ServiceError> {
        keep_free_room(inst, &mut d);
        let v = inst.violations(&d);
        if !v.is_empty() {
            return Err(ServiceError::Backend(format!(
                "capacity cuts: a decision breaks {} rule(s): {}",
                v.len(),
                v.into_iter().take(3).collect::<Vec<_>>().join("; ")
            )));
        }
        let flows = checked_flows(inst, &d, Vec::new(), ServiceBackend::Microlp)?;
        let value = cost(inst, &d);
        Ok(StageResult::Solved {
            decision: d,
            flows,
            status,
            bound: bound.min(value),
            nodes,
        })
    };
    if super::ipmlp::nonzeros(&master) > ipm_nonzeros {
        return large(inst, &mut master, &fl, &mut seen, t0, secs, opts.rel_gap, &finish);
    }
    // Root: cuts violated by the LP relaxation.
    match lp_rounds(&mut master, &fl, &mut seen, gap, &left)? {
        None => return Ok(StageResult::Infeasible),
        Some(b) => best_bound = best_bound.max(b),
    }
    log::debug!(
        "[hubplan-solver capacity-cuts] root: LP bound {best_bound}, {} rows, {:.3}s",
        master.rows.len(),
        t0.elapsed().as_secs_f64()
    );
    // A first plan: the integer master (a relaxation) repaired until its
    // need fits, with at most a tenth of the time.
    let mut incumbent: Option<(Decision, f64)> = None;
    let first = (secs * FIRST_MASTER_SHARE).min(left());
    if first > 0.0 {
        if let Ok((vals, st, mb)) = solve_master(&master, first, gap, false)? {
            if matches!(st, SolutionStatus::Optimal | SolutionStatus::GapLimit) {
                best_bound = best_bound.max(mb.unwrap_or(f64::NEG_INFINITY));
            }
            let d = read_decision(&master, &vals);
            let closed = matches!(st, SolutionStatus::Optimal | SolutionStatus::GapLimit);
            if closed && first_violated(&master, &fl, &d).is_none() {
                // The relaxation's optimum already places every need: it is
                // the optimum (within the gap), as the master is a relaxation.
                log::debug!("[hubplan-solver capacity-cuts] the first master fits: optimal");
                return finish(d, Status::Optimal, best_bound, 0);
            }
            if let Some(r) = repair(inst, &master, &fl, d) {
                // Local search with at most a tenth of the time more.
                let until = Instant::now()
                    + std::time::Duration::from_secs_f64((secs * FIRST_MASTER_SHARE).min(left()).max(0.0));
                let r = improve(inst, &relax_placed(inst), &master, &fl, r, until);
                let v = cost(inst, &r);
                incumbent = Some((r, v));
            }
        }
    }
    log::debug!(
        "[hubplan-solver capacity-cuts] first plan {:?} at {:.3}s",
        incumbent.as_ref().map(|p| p.1),
        t0.elapsed().as_secs_f64()
    );
    let deadline = t0 + std::time::Duration::from_secs_f64(secs.max(0.0));
    let Some(res) = super::capbc::search(inst, &master, &fl, incumbent.clone(), deadline, opts.rel_gap)? else {
        return Ok(StageResult::Infeasible);
    };
    log::debug!(
        "[hubplan-solver capacity-cuts] branch-and-cut: {} nodes, bound {}, best {:?}, complete {}",
        res.nodes,
        res.bound,
        res.best.as_ref().map(|p| p.1),
        res.complete
    );
    let bound = res.bound.max(best_bound);
    match res.best.or(incumbent) {
        Some((d, v)) => {
            let proven = (v - bound).max(0.0) <= opts.rel_gap.max(0.0) * v.abs() + 1e-6;
            finish(
                d,
                if proven { Status::Optimal } else { Status::Feasible },
                bound,
                res.nodes,
            )
        }
        // Closed with nothing left open or given up: no plan exists.
        None if res.complete && !res.bound.is_finite() => Ok(StageResult::Infeasible),
        None => Ok(StageResult::NoSolution { bound }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::assign_split;
    use crate::services::testutil::{agrees_with_mip, assert_valid, assignment_mip, capacity_binds, random, Lcg};

    /// The cut loop and the MIP with assignment variables agree on random
    /// instances (status, optimum), and the cut loop's plan passes the checks.
    #[test]
    fn cut_loop_matches_the_assignment_mip() {
        check_against_mip(21, 40, 6, 5);
    }

    /// Larger trees: the branch-and-cut branches and separates below the root.
    #[test]
    fn branch_and_cut_matches_the_assignment_mip_on_larger_instances() {
        check_against_mip(7, 25, 10, 9);
    }

    /// The local search from "every site open, every service that fits"
    /// keeps every rule and the capacities, never costs more than its start,
    /// and never goes below the proven optimum; it improves some starts.
    #[test]
    fn local_search_keeps_plans_feasible() {
        let mut g = Lcg(11);
        let opts = SolveOptions::default();
        let mut better = 0;
        for case in 0..30 {
            let inst = random(&mut g, 8, 6);
            let StageResult::Solved { decision: opt, .. } = solve_stage(&inst, 60.0, &opts).unwrap() else {
                continue;
            };
            let master = build(&inst, ServiceObjective::MinCost, None);
            let fl = flows(&inst, &master);
            let all = round_fit(&inst, &master, &vec![1.0; master.vars.len()], 0.5);
            if !inst.violations(&all).is_empty() || first_violated(&master, &fl, &all).is_some() {
                continue;
            }
            let far = Instant::now() + std::time::Duration::from_secs(60);
            let d = improve(&inst, &relax_placed(&inst), &master, &fl, all.clone(), far);
            assert!(inst.violations(&d).is_empty(), "case {case}");
            assert!(first_violated(&master, &fl, &d).is_none(), "case {case}");
            assert!(assign_split(&inst, &d).is_some(), "case {case}");
            let (c, start, best) = (cost(&inst, &d), cost(&inst, &all), cost(&inst, &opt));
            assert!(
                c <= start + 1e-9 && c >= best - 1e-9,
                "case {case}: {best} <= {c} <= {start}"
            );
            better += usize::from(c < start - 1e-9);
        }
        assert!(better >= 5, "{better} improved");
    }

    /// The interior-point path of national-size masters ([`large`]), forced on
    /// small random instances: every plan it returns keeps every rule and
    /// costs at least the assignment MIP's optimum, its bound never passes
    /// that optimum, "optimal" only when it is, and it never returns a plan
    /// where the MIP proves there is none.
    #[test]
    fn interior_point_path_gives_valid_plans_and_bounds() {
        let mut g = Lcg(41);
        let opts = SolveOptions::default();
        let (mut optima, mut plans, mut proven) = (0, 0, 0);
        for case in 0..40 {
            let inst = random(&mut g, 9, 14);
            let a = solve_stage_with(&inst, 60.0, &opts, 0).unwrap();
            let opt = match assignment_mip(&inst, &opts) {
                StageResult::Solved { decision, status, .. } => {
                    assert_eq!(status, Status::Optimal, "case {case}");
                    optima += 1;
                    Some(cost(&inst, &decision))
                }
                _ => None,
            };
            match (a, opt) {
                (
                    StageResult::Solved {
                        decision,
                        flows,
                        status,
                        bound,
                        ..
                    },
                    Some(z),
                ) => {
                    plans += 1;
                    let v = cost(&inst, &decision);
                    assert_valid(&inst, &decision, &flows, &format!("case {case}"));
                    assert!(v >= z - 1e-6, "case {case}: plan {v} below the optimum {z}");
                    assert!(bound <= z + 1e-6, "case {case}: bound {bound} above the optimum {z}");
                    if status == Status::Optimal {
                        proven += 1;
                        assert!((v - z).abs() < 1e-6, "case {case}: 'optimal' {v} against {z}");
                    }
                }
                (StageResult::Solved { .. }, None) => panic!("case {case}: a plan where the MIP finds none"),
                (StageResult::NoSolution { bound }, Some(z)) => {
                    assert!(bound <= z + 1e-6, "case {case}: bound {bound} above the optimum {z}");
                }
                _ => {}
            }
        }
        assert!(
            optima >= 6 && plans * 4 >= optima * 3,
            "{plans} plans of {optima} feasible cases"
        );
        assert!(proven > 0, "no case proven: the bound is never the LP's");
    }

    fn check_against_mip(seed: u64, cases: usize, sites: usize, zones: usize) {
        let mut g = Lcg(seed);
        let opts = SolveOptions::default();
        let (mut feasible, mut binding) = (0, 0);
        for case in 0..cases {
            let inst = random(&mut g, sites, zones);
            assert!(applies(
                &inst,
                ServiceObjective::MinCost,
                false,
                ServiceBackend::Microlp
            ));
            let a = solve_stage(&inst, 60.0, &opts).unwrap();
            if let Some((_, va, _)) = agrees_with_mip(&inst, &opts, a, &format!("case {case}"), "cuts") {
                binding += usize::from(capacity_binds(&inst, &opts, va));
                feasible += 1;
            }
        }
        assert!(
            feasible >= cases / 4 && binding >= cases / 8,
            "{feasible} feasible, {binding} binding"
        );
    }
}
