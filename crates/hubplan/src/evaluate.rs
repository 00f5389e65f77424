//! The independent evaluator: given which sites are open, what does every zone get?
//!
//! Nothing here shares code with the solvers: it recomputes nearest sites,
//! coverage, costs and the objective from the inputs, so that it can certify
//! a solver's answer (see [`crate::optimise`]).

use crate::ids::{SiteIdx, ZoneIdx};
use crate::model::{Inputs, SiteStatus};
use crate::scenario::{ObjectiveKind, Scenario};

/// The nearest open site of zone `z` and its minutes; ties go to the lower site index.
///
/// Complexity: O(row length).
pub fn nearest_open(inputs: &Inputs, open: &[bool], z: ZoneIdx) -> Option<(SiteIdx, f64)> {
    let mut best: Option<(SiteIdx, f64)> = None;
    for (s, m) in inputs.travel.row(z) {
        if open[s.index()] && best.is_none_or(|(_, bm)| m < bm) {
            best = Some((s, m));
        }
    }
    best
}

/// The status-quo open set: every existing site open, every candidate closed.
pub fn status_quo(inputs: &Inputs) -> Vec<bool> {
    inputs.sites.iter().map(|s| s.status == SiteStatus::Existing).collect()
}

/// True when zone `z` can reach some site (any site, open or not, forced or not)
/// within `max_minutes`; with no limit, when it can reach any site at all.
pub fn reachable_at_baseline(inputs: &Inputs, z: ZoneIdx, max_minutes: Option<f64>) -> bool {
    inputs.travel.row(z).any(|(_, m)| max_minutes.is_none_or(|mx| m <= mx))
}

/// Which zones the access rule applies to: need > 0 and reachable at baseline.
pub fn in_rule(inputs: &Inputs, scenario: &Scenario) -> Vec<bool> {
    inputs
        .zone_indices()
        .map(|z| inputs.zone(z).need > 0.0 && reachable_at_baseline(inputs, z, scenario.max_minutes))
        .collect()
}

/// Minutes from zone `z` to its nearest existing site (the status quo), `None`
/// when no existing site is in its row of the matrix.
pub fn baseline_minutes(inputs: &Inputs, z: ZoneIdx) -> Option<f64> {
    inputs
        .travel
        .row(z)
        .filter(|&(s, _)| inputs.site(s).status == SiteStatus::Existing)
        .map(|(_, m)| m)
        .reduce(f64::min)
}

/// The limit, in minutes, that the access rule sets for each zone; `None` when
/// the rule leaves the zone out (see `docs/MODEL.md` §1.2):
///
/// - need 0: out;
/// - some site (open or not) within `max_minutes`: `max_minutes` (infinite
///   without a limit: any site);
/// - beyond the limit today but with an existing site in the matrix: the
///   scenario's [`crate::scenario::BeyondLimit`] applied to its baseline minutes,
///   except under `max_coverage`, which has no hard rule;
/// - no site in the matrix that the rule can use: out (unreachable, listed).
pub fn zone_limits(inputs: &Inputs, scenario: &Scenario) -> Vec<Option<f64>> {
    inputs
        .zone_indices()
        .map(|z| {
            if inputs.zone(z).need <= 0.0 {
                return None;
            }
            if reachable_at_baseline(inputs, z, scenario.max_minutes) {
                return Some(scenario.max_minutes.unwrap_or(f64::INFINITY));
            }
            if scenario.objective == ObjectiveKind::MaxCoverage {
                return None;
            }
            scenario.beyond_limit.zone_limit(baseline_minutes(inputs, z))
        })
        .collect()
}

/// Everything the evaluator recomputes for one open set.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Per zone, the nearest open site and minutes.
    pub nearest: Vec<Option<(SiteIdx, f64)>>,
    /// Per zone, covered (nearest open within the limit; with no limit, any open site reachable).
    pub covered: Vec<bool>,
    /// Number of open sites.
    pub open_sites: usize,
    /// Σ annual_cost of open sites.
    pub annual_cost: f64,
    /// Σ open_cost of open candidates.
    pub opening_cost: f64,
    /// Σ backlog of closed existing sites.
    pub backlog_removed: f64,
    /// Σ need of covered zones.
    pub need_covered: f64,
    /// Σ need × minutes to the nearest open site over zones under the rule.
    pub travel: f64,
}

/// Evaluates `open` for `scenario`.
///
/// Complexity: O(pairs + sites).
pub fn evaluate(inputs: &Inputs, scenario: &Scenario, open: &[bool]) -> Evaluation {
    let rule = in_rule(inputs, scenario);
    let mut e = Evaluation {
        nearest: Vec::with_capacity(inputs.zones.len()),
        covered: Vec::with_capacity(inputs.zones.len()),
        open_sites: 0,
        annual_cost: 0.0,
        opening_cost: 0.0,
        backlog_removed: 0.0,
        need_covered: 0.0,
        travel: 0.0,
    };
    for (site, &o) in inputs.sites.iter().zip(open) {
        if o {
            e.open_sites += 1;
            e.annual_cost += site.annual_cost;
            if site.status == SiteStatus::Candidate {
                e.opening_cost += site.open_cost;
            }
        } else if site.status == SiteStatus::Existing {
            e.backlog_removed += site.backlog;
        }
    }
    for z in inputs.zone_indices() {
        let n = nearest_open(inputs, open, z);
        let cov = n.is_some_and(|(_, m)| scenario.max_minutes.is_none_or(|mx| m <= mx));
        let need = inputs.zone(z).need;
        if cov {
            e.need_covered += need;
        }
        if rule[z.index()] {
            if let Some((_, m)) = n {
                e.travel += need * m;
            }
        }
        e.nearest.push(n);
        e.covered.push(cov);
    }
    e
}

/// The objective of `open` in the scenario's own sense (cost, covered need or need-minutes).
pub fn objective_value(inputs: &Inputs, scenario: &Scenario, e: &Evaluation) -> f64 {
    let _ = inputs;
    match scenario.objective {
        ObjectiveKind::MinCost => e.annual_cost + e.opening_cost,
        ObjectiveKind::MaxCoverage => e.need_covered,
        ObjectiveKind::MinTravel => e.travel,
    }
}

/// Every hard rule `open` breaks, as sentences naming ids. Empty means feasible.
pub fn violations(inputs: &Inputs, scenario: &Scenario, open: &[bool]) -> Vec<String> {
    let mut v = Vec::new();
    if open.len() != inputs.sites.len() {
        v.push(format!("{} open flags for {} sites", open.len(), inputs.sites.len()));
        return v;
    }
    for &s in &scenario.keep {
        if !open[s.index()] {
            v.push(format!("site {} must be kept but is closed", inputs.site(s).id));
        }
    }
    for &s in &scenario.close {
        if open[s.index()] {
            v.push(format!("site {} must be closed but is open", inputs.site(s).id));
        }
    }
    let e = evaluate(inputs, scenario, open);
    if let Some(b) = scenario.budget {
        if e.annual_cost > b * (1.0 + 1e-12) + 1e-9 {
            v.push(format!("annual cost {:.2} exceeds the budget {:.2}", e.annual_cost, b));
        }
    }
    if let Some(p) = scenario.sites {
        if e.open_sites != p as usize {
            v.push(format!(
                "{} sites open, the scenario asks for exactly {p}",
                e.open_sites
            ));
        }
    }
    let rule_applies = match scenario.objective {
        ObjectiveKind::MinCost => true,
        ObjectiveKind::MinTravel => true,
        ObjectiveKind::MaxCoverage => false,
    };
    if rule_applies {
        let rule = in_rule(inputs, scenario);
        let limits = zone_limits(inputs, scenario);
        for z in inputs.zone_indices() {
            if !rule[z.index()] {
                // Beyond the limit today: the zone's own limit (access.beyond_limit).
                if let Some(l) = limits[z.index()] {
                    let after = e.nearest[z.index()].map(|(_, m)| m);
                    if after.is_none_or(|m| m > l) {
                        v.push(format!(
                            "zone {} is beyond the limit today and may be at most {l} minutes from an open site \
                             (access.beyond_limit = {}), but is {}",
                            inputs.zone(z).id,
                            scenario.beyond_limit.name(),
                            after.map_or("out of reach".to_string(), |m| format!("{m} minutes away"))
                        ));
                    }
                }
                continue;
            }
            if !e.covered[z.index()] {
                let limit = scenario
                    .max_minutes
                    .map_or("any open site".to_string(), |m| format!("{m} minutes"));
                v.push(format!(
                    "zone {} is not within {limit} of an open site",
                    inputs.zone(z).id
                ));
            }
        }
    }
    v
}

/// What the evaluator recomputes for an assignment under demand capacity
/// (issue 21, docs/MODEL.md §1.3).
#[derive(Clone, Debug, PartialEq)]
pub struct AssignmentEvaluation {
    /// Users assigned to each site.
    pub load: Vec<f64>,
    /// Users placed, per zone.
    pub placed: Vec<f64>,
    /// Σ users placed over zones within `max_minutes` of their building (covered need).
    pub need_covered: f64,
    /// Σ users × minutes over zones under the rule.
    pub travel: f64,
}

/// Checks an assignment under demand capacity, independently of the solver:
/// `placed[z]` lists `(site, users)` for zone `z`.
///
/// Returns the recomputed loads and values, and every broken rule as a sentence:
/// a user placed at a closed site, at a site not in the zone's row or beyond the
/// zone's limit ([`zone_limits`]; under `max_coverage`, `max_minutes`); more users
/// placed than the zone's need; a zone under the access rule (`min_cost`,
/// `min_travel`) whose need is not all placed; a zone split over two buildings
/// under single assignment; a building above `max_users` (relative tolerance 1e-9).
///
/// Complexity: O(pairs + sites).
pub fn check_assignment(
    inputs: &Inputs,
    scenario: &Scenario,
    open: &[bool],
    placed: &[Vec<(SiteIdx, f64)>],
) -> (AssignmentEvaluation, Vec<String>) {
    let mut v = Vec::new();
    let n = inputs.sites.len();
    let mut e = AssignmentEvaluation {
        load: vec![0.0; n],
        placed: vec![0.0; inputs.zones.len()],
        need_covered: 0.0,
        travel: 0.0,
    };
    if placed.len() != inputs.zones.len() || open.len() != n {
        v.push(format!(
            "an assignment of {} zones and {} open flags for {} zones and {n} sites",
            placed.len(),
            open.len(),
            inputs.zones.len()
        ));
        return (e, v);
    }
    let Some(cap) = scenario.capacity.as_ref() else {
        v.push("an assignment was given but the scenario has no demand capacity".into());
        return (e, v);
    };
    let rule = in_rule(inputs, scenario);
    let limits = zone_limits(inputs, scenario);
    let must_place = scenario.objective != ObjectiveKind::MaxCoverage;
    let tol = |x: f64| 1e-9 * x.abs().max(1.0);
    for z in inputs.zone_indices() {
        let zone = inputs.zone(z);
        let list = &placed[z.index()];
        let limit = match scenario.objective {
            ObjectiveKind::MaxCoverage => scenario.max_minutes,
            _ => limits[z.index()],
        };
        if cap.assignment == crate::scenario::Assignment::Single && list.iter().filter(|p| p.1 > 0.0).count() > 1 {
            v.push(format!(
                "zone {} is split between {} buildings under capacity.assignment = \"single\"",
                zone.id,
                list.len()
            ));
        }
        let mut sum = 0.0;
        for &(s, users) in list {
            if !(users >= 0.0 && users.is_finite()) {
                v.push(format!(
                    "zone {} has {users} users at site {}",
                    zone.id,
                    inputs.site(s).id
                ));
                continue;
            }
            if s.index() >= n || !open[s.index()] {
                v.push(format!(
                    "zone {} is sent to site {}, which is closed",
                    zone.id,
                    inputs.sites.get(s.index()).map_or("?", |x| x.id.as_str())
                ));
                continue;
            }
            let minutes = inputs.travel.row(z).find(|&(t, _)| t == s).map(|(_, m)| m);
            match (minutes, limit) {
                (None, _) => v.push(format!(
                    "zone {} is sent to site {}, which it has no travel time to",
                    zone.id,
                    inputs.site(s).id
                )),
                (Some(m), Some(l)) if m > l => v.push(format!(
                    "zone {} is sent to site {}, {m} minutes away, beyond its limit of {l} minutes",
                    zone.id,
                    inputs.site(s).id
                )),
                (Some(m), None) if must_place || scenario.max_minutes.is_some() => v.push(format!(
                    "zone {} is sent to site {} ({m} minutes) but the access rule leaves it out",
                    zone.id,
                    inputs.site(s).id
                )),
                (Some(m), _) => {
                    if rule[z.index()] {
                        e.travel += users * m;
                    }
                    if scenario.max_minutes.is_none_or(|mx| m <= mx) {
                        e.need_covered += users;
                    }
                }
            }
            sum += users;
            e.load[s.index()] += users;
        }
        e.placed[z.index()] = sum;
        if sum > zone.need + tol(zone.need) {
            v.push(format!(
                "zone {} has {sum} users placed but a need of {}",
                zone.id, zone.need
            ));
        }
        if must_place && limits[z.index()].is_some() && sum < zone.need - 1e-6 * zone.need.max(1.0) {
            v.push(format!(
                "zone {} has a need of {} but only {sum} users are placed within its limit",
                zone.id, zone.need
            ));
        }
    }
    for (j, site) in inputs.sites.iter().enumerate() {
        if let Some(q) = cap.max_users.get(j).copied().flatten() {
            if e.load[j] > q + 1e-6 * q.max(1.0) {
                v.push(format!(
                    "site {} takes {} users but max_users is {q}",
                    site.id, e.load[j]
                ));
            }
        }
    }
    (e, v)
}

/// Checks the assignment of a co-location plan under demand capacity per
/// building and service (`max_users_<service>`, docs/MODEL.md §2),
/// independently of the solver: it reads only the inputs, the rules and the
/// plan, and recomputes every load itself.
///
/// For each planned service with a capacity, `assignment.per_service[k]`
/// (planned position `k`) lists per zone the `(site, users)` serving it.
/// Returns every broken rule as a sentence naming ids: users at a site that is
/// closed or does not host the service, at a site without a travel time or
/// beyond the service's limit (a required zone beyond it today: its own limit,
/// `access.beyond_limit`); more users than the zone's need; a zone the
/// rules require (every zone with need in reach under `min_cost` and
/// `min_travel`, equity zones always) whose need is not all placed within the
/// limit; a zone split over two buildings under single assignment; a (site,
/// service) above its `max_users`; a capacitated service without an assignment.
/// Empty means the assignment is sound.
///
/// Complexity: O(services·pairs + sites·services).
pub fn check_service_assignment(
    inputs: &Inputs,
    rules: &crate::colocate::ServiceRules,
    open: &[bool],
    hosting: &[Vec<crate::ServiceIdx>],
    assignment: &crate::colocate::ServiceAssignment,
) -> Vec<String> {
    use crate::colocate::planned_services;
    let mut v = Vec::new();
    let Some(cap) = rules.capacity.as_ref() else {
        return v;
    };
    let n = inputs.sites.len();
    if open.len() != n || hosting.len() != n {
        v.push(format!(
            "{} open flags and {} host lists for {n} sites",
            open.len(),
            hosting.len()
        ));
        return v;
    }
    let all = matches!(rules.objective, ObjectiveKind::MinCost | ObjectiveKind::MinTravel);
    for (k, &s) in planned_services(inputs, rules).iter().enumerate() {
        let service = &inputs.services[s.index()];
        let capable = |j: SiteIdx| {
            let site = inputs.site(j);
            site.can_host.contains(&s) || site.services.contains(&s)
        };
        // Only sites that may host the service carry its capacity.
        let capacitated = inputs
            .site_indices()
            .any(|j| capable(j) && cap.max_users(j, s).is_some());
        if !capacitated {
            continue;
        }
        let Some(per_zone) = assignment.per_service.get(k).and_then(Option::as_ref) else {
            v.push(format!(
                "service {} has a capacity but the plan gives no assignment",
                service.id
            ));
            continue;
        };
        if per_zone.len() != inputs.zones.len() {
            v.push(format!(
                "service {}: an assignment of {} zones for {}",
                service.id,
                per_zone.len(),
                inputs.zones.len()
            ));
            continue;
        }
        let limit = service.max_minutes.or(rules.max_minutes);
        let mut load = vec![0.0; n];
        for z in inputs.zone_indices() {
            let zone = inputs.zone(z);
            let need = inputs.need(z, Some(s));
            let list = &per_zone[z.index()];
            let reachable = inputs
                .travel
                .row(z)
                .any(|(j, m)| capable(j) && limit.is_none_or(|l| m <= l));
            // A zone beyond the limit today is held to its own limit (access.beyond_limit).
            let all_or_equity = all
                || match (rules.equity_max_imd_decile, zone.imd_decile) {
                    (Some(max), Some(d)) => d <= max,
                    _ => false,
                };
            let own = if reachable || !all_or_equity {
                limit
            } else {
                crate::colocate::beyond_limit_of(inputs, rules, z, s)
            };
            let mut placed = 0.0;
            for &(j, users) in list {
                if !(users.is_finite() && users >= 0.0) || j.index() >= n {
                    v.push(format!(
                        "zone {} has {users} {} users at site index {}",
                        zone.id,
                        service.id,
                        j.index()
                    ));
                    continue;
                }
                let site = inputs.site(j);
                if !open[j.index()] || !hosting[j.index()].contains(&s) {
                    v.push(format!(
                        "zone {} is sent to {} for {}, which does not host it after the plan",
                        zone.id, site.id, service.id
                    ));
                }
                match inputs.travel.row(z).find(|&(t, _)| t == j).map(|(_, m)| m) {
                    None => v.push(format!(
                        "zone {} is sent to {} for {}, which it has no travel time to",
                        zone.id, site.id, service.id
                    )),
                    Some(m) if own.is_some_and(|l| m > l) => v.push(format!(
                        "zone {} is sent to {} for {}, {m} minutes away, beyond its limit of {} minutes",
                        zone.id,
                        site.id,
                        service.id,
                        own.unwrap_or(f64::INFINITY)
                    )),
                    Some(_) => {}
                }
                placed += users;
                load[j.index()] += users;
            }
            if placed > need + 1e-7 * need.max(1.0) {
                v.push(format!(
                    "zone {} has {placed} {} users placed but a need of {need}",
                    zone.id, service.id
                ));
            }
            if cap.assignment == crate::scenario::Assignment::Single && list.iter().filter(|p| p.1 > 0.0).count() > 1 {
                v.push(format!(
                    "zone {} is split between {} buildings for {} under capacity.assignment = \"single\"",
                    zone.id,
                    list.len(),
                    service.id
                ));
            }
            // Required: need > 0 and some capable site within the limit (else the
            // zone is unreachable at baseline and left to the beyond-limit rule).
            if all_or_equity && need > 0.0 && reachable && placed < need - 1e-6 * need.max(1.0) {
                v.push(format!(
                    "zone {} needs {need} {} users placed within the limit but only {placed} are",
                    zone.id, service.id
                ));
            }
        }
        for j in inputs.site_indices() {
            if let Some(q) = cap.max_users(j, s) {
                if load[j.index()] > q + 1e-6 * q.max(1.0) {
                    v.push(format!(
                        "site {} serves {} {} users but max_users_{} is {q}",
                        inputs.site(j).id,
                        load[j.index()],
                        service.id,
                        service.id
                    ));
                }
            }
        }
    }
    v
}
