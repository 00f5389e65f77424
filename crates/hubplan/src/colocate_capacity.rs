//! Demand capacity per building and service in the co-location model
//! (issue 21, docs/MODEL.md §2 "Demand capacity").
//!
//! The solver assigns the need of every capacitated service (a service with a
//! `max_users_<service>` at some site) to the open sites hosting it; the
//! independent [`crate::evaluate::check_service_assignment`] certifies it.
//! This module turns the certified assignment into what a reader sees, once,
//! when the plan is assembled ([`ServiceCapacityPlan`]):
//!
//! - per service and building: users before (`users_today_<service>`, else the
//!   need of the zones whose nearest hosting building it is today), users
//!   after, utilisation before and after;
//! - reasons: a building kept because without it some zones could not be
//!   placed within the capacities of the others ("without it, zones X and Y
//!   would exceed B's capacity for youth by N users": a min-cost flow with that
//!   building not hosting the service); where a closed building's users go;
//! - warnings: a receiving building above 90 % of its capacity; zones shared
//!   between buildings under `split`.
//!
//! The capacity terms of an infeasible plan are in [`diagnose_demand`].

use std::collections::BTreeMap;

use hubplan_solver::capacity::transport;
use hubplan_solver::hall::max_placed;
use hubplan_solver::services::{self as sv, assign::service_instance, Coverage};
use rayon::prelude::*;

use crate::colocate::{
    evaluate_services, evaluate_services_assigned, status_quo, MappedServices, ServiceAssignment, ServicePlan,
    ServiceRules,
};
use crate::ids::{ServiceIdx, SiteIdx, ZoneIdx};
use crate::model::Inputs;
use crate::scenario::Assignment;

/// Share of capacity above which a receiving building is warned about.
pub const FULL_WARNING: f64 = 0.9;

/// One building's use of one service.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteUse {
    /// The building.
    pub site: SiteIdx,
    /// `max_users_<service>`; `None` = unlimited.
    pub max_users: Option<f64>,
    /// Users today: `users_today_<service>` when given, else the need of the
    /// zones whose nearest building hosting the service today it is.
    pub users_before: f64,
    /// True when `users_before` is the sites file's `users_today_<service>`.
    pub before_given: bool,
    /// Users assigned to it by the plan.
    pub users_after: f64,
}

impl SiteUse {
    /// Users before as a share of `max_users` (`None` when unlimited or 0).
    pub fn utilisation_before(&self) -> Option<f64> {
        self.max_users.filter(|&q| q > 0.0).map(|q| self.users_before / q)
    }

    /// Users after as a share of `max_users`.
    pub fn utilisation_after(&self) -> Option<f64> {
        self.max_users.filter(|&q| q > 0.0).map(|q| self.users_after / q)
    }
}

/// A building that hosts the service after the plan because, without it, the
/// other buildings' capacities could not take every required zone.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptForCapacity {
    /// The building.
    pub site: SiteIdx,
    /// Zones that could not be (wholly) placed without it.
    pub zones: Vec<ZoneIdx>,
    /// The buildings within their reach that would be full.
    pub full_sites: Vec<SiteIdx>,
    /// Users that would find no room.
    pub missing: f64,
}

/// Where the users of a building that stops hosting the service go.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosureSends {
    /// The building that hosted the service today and does not after.
    pub site: SiteIdx,
    /// Receiving buildings and users, most users first.
    pub to: Vec<(SiteIdx, f64)>,
}

/// Demand capacity of one planned service.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceUse {
    /// The service.
    pub service: ServiceIdx,
    /// Buildings with a `max_users_<service>` or hosting it before or after, by site index.
    pub sites: Vec<SiteUse>,
    /// Per zone, `(site, users)` after the plan.
    pub zones: Vec<Vec<(SiteIdx, f64)>>,
    /// Zones whose need is shared between buildings (`split` only).
    pub shared_zones: Vec<ZoneIdx>,
    /// Buildings kept for capacity.
    pub kept: Vec<KeptForCapacity>,
    /// Buildings that stop hosting it, and where their users go.
    pub closures: Vec<ClosureSends>,
}

impl ServiceUse {
    /// The use of building `j`, when listed.
    pub fn site(&self, j: SiteIdx) -> Option<&SiteUse> {
        self.sites.iter().find(|u| u.site == j)
    }

    /// Receiving buildings above [`FULL_WARNING`] of their capacity after the plan:
    /// they take users from a building that stops hosting the service, or their
    /// users grow (as in the single-service model, `crate::capacity`).
    pub fn nearly_full(&self) -> Vec<&SiteUse> {
        let receiving: Vec<SiteIdx> = self.closures.iter().flat_map(|c| c.to.iter().map(|t| t.0)).collect();
        self.sites
            .iter()
            .filter(|u| {
                (receiving.contains(&u.site) || u.users_after > u.users_before + 1e-9)
                    && u.utilisation_after().is_some_and(|x| x > FULL_WARNING)
            })
            .collect()
    }
}

/// Demand capacity of a co-location plan.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceCapacityPlan {
    /// Split or single assignment.
    pub assignment: Assignment,
    /// One entry per planned service with a capacity, in planned order.
    pub services: Vec<ServiceUse>,
}

/// The solver decision for a plan's open sites and hosting.
fn decision(mapped: &MappedServices, open: &[bool], hosting: &[Vec<ServiceIdx>]) -> sv::Decision {
    let host = mapped
        .instance
        .sites
        .iter()
        .enumerate()
        .map(|(j, site)| {
            site.hosts
                .iter()
                .map(|h| open[j] && hosting[j].contains(&mapped.services[h.service as usize]))
                .collect()
        })
        .collect();
    sv::Decision {
        open: open.to_vec(),
        host,
    }
}

/// Required need that cannot be placed for service position `p` under `d`:
/// `(missing users, zones, full sites within their reach)`. Zones with no
/// hosting site in reach at all are left out (that is coverage, not capacity).
fn shortfall(
    inputs: &Inputs,
    mapped: &MappedServices,
    d: &sv::Decision,
    p: usize,
) -> Option<(f64, Vec<ZoneIdx>, Vec<SiteIdx>)> {
    let inst = &mapped.instance;
    let (t, open, ids) = service_instance(inst, d, p as u32, true);
    let (_, flows) = transport(&t, &open)?;
    let mut load = vec![0.0; inst.sites.len()];
    for (k, f) in flows.iter().enumerate() {
        for &(j, share) in f {
            load[j as usize] += share * inst.room(ids[k]);
        }
    }
    let (mut missing, mut zones, mut full) = (0.0, Vec::new(), Vec::new());
    for (k, f) in flows.iter().enumerate() {
        let c = &inst.clients[ids[k]];
        let room = inst.room(ids[k]);
        if c.coverage != Coverage::Required || room <= 0.0 {
            continue;
        }
        let placed: f64 = f.iter().map(|x| x.1).sum();
        let short = (1.0 - placed) * room;
        if short <= 1e-6 * room.max(1.0) {
            continue;
        }
        let reach: Vec<usize> = c.arcs.iter().map(|a| a.site as usize).filter(|&j| open[j]).collect();
        if reach.is_empty() {
            continue;
        }
        missing += short;
        zones.push(inputs_zone(mapped, ids[k]));
        for j in reach {
            if t.capacity[j].is_some_and(|q| load[j] >= q - 1e-6 * q.max(1.0)) {
                full.push(SiteIdx(j as u32));
            }
        }
    }
    let _ = inputs;
    zones.sort();
    zones.dedup();
    full.sort();
    full.dedup();
    (missing > 0.0).then_some((missing, zones, full))
}

/// Whether the whole room of every client of service position `p` that has an
/// open hosting site in reach under `d` fits within the capacities (a maximum
/// flow, [`max_placed`]). When it does, the min-cost flow of [`shortfall`] places
/// all of it (leaving need unplaced costs more than any placement), so
/// [`shortfall`] is `None`; when it does not, [`shortfall`] says what is missing.
fn all_fit(mapped: &MappedServices, d: &sv::Decision, p: usize) -> bool {
    let inst = &mapped.instance;
    let (t, open, ids) = service_instance(inst, d, p as u32, true);
    let (mut need, mut reach) = (Vec::new(), Vec::new());
    for &i in &ids {
        let room = inst.room(i);
        if room <= 0.0 {
            continue;
        }
        let r: Vec<u32> = inst.clients[i]
            .arcs
            .iter()
            .map(|a| a.site)
            .filter(|&j| open[j as usize])
            .collect();
        if !r.is_empty() {
            need.push(room);
            reach.push(r);
        }
    }
    let cap: Vec<f64> = open
        .iter()
        .zip(&t.capacity)
        .map(|(&o, q)| if o { q.unwrap_or(f64::INFINITY) } else { 0.0 })
        .collect();
    let total: f64 = need.iter().sum();
    total - max_placed(&need, &reach, &cap) <= 1e-9 * total.max(1.0)
}

fn inputs_zone(mapped: &MappedServices, client: usize) -> ZoneIdx {
    mapped.clients[client].0
}

/// Fills [`ServicePlan::capacity`] from a certified assignment and corrects the
/// coverage of the capacitated services (covered = need wholly placed).
pub(crate) fn attach(
    inputs: &Inputs,
    rules: &ServiceRules,
    mapped: &MappedServices,
    plan: &mut ServicePlan,
    a: ServiceAssignment,
) {
    let Some(cap) = rules.capacity.as_ref() else {
        return;
    };
    let after = evaluate_services_assigned(inputs, rules, &plan.open, &hosting_after(plan), Some(&a));
    let (open0, hosting0) = status_quo(inputs, rules);
    let before = evaluate_services(inputs, rules, &open0, &hosting0);
    let hosting = hosting_after(plan);
    let d = decision(mapped, &plan.open, &hosting);
    let mut services = Vec::new();
    for (k, per_zone) in a.per_service.into_iter().enumerate() {
        let Some(per_zone) = per_zone else { continue };
        let s = plan.services[k];
        plan.totals.per_service[k].need_covered_after = after.need_covered[k];
        for (z, zp) in plan.zones[k].iter_mut().enumerate() {
            zp.covered_after = after.covered[k][z];
        }
        let mut load = vec![0.0; inputs.sites.len()];
        let mut shared = Vec::new();
        for (z, list) in per_zone.iter().enumerate() {
            for &(j, u) in list {
                load[j.index()] += u;
            }
            if list.iter().filter(|x| x.1 > 1e-9).count() > 1 {
                shared.push(ZoneIdx(z as u32));
            }
        }
        let mut modelled = vec![0.0; inputs.sites.len()];
        for z in inputs.zone_indices() {
            if let Some((j, _)) = before.nearest[k][z.index()] {
                modelled[j.index()] += inputs.need(z, Some(s)).max(0.0);
            }
        }
        let hosts_before = |j: SiteIdx| open0[j.index()] && hosting0[j.index()].contains(&s);
        let hosts_after = |j: SiteIdx| plan.open[j.index()] && hosting[j.index()].contains(&s);
        let capable = |j: SiteIdx| {
            let site = inputs.site(j);
            site.can_host.contains(&s) || site.services.contains(&s)
        };
        let mut sites = Vec::new();
        for j in inputs.site_indices() {
            let q = cap.max_users(j, s).filter(|_| capable(j));
            if q.is_none() && !hosts_before(j) && !hosts_after(j) {
                continue;
            }
            let given = cap.users_today(j, s);
            sites.push(SiteUse {
                site: j,
                max_users: q,
                users_before: given.unwrap_or(if hosts_before(j) { modelled[j.index()] } else { 0.0 }),
                before_given: given.is_some(),
                users_after: load[j.index()],
            });
        }
        // Kept for capacity: the hosts whose removal leaves need unplaced. One
        // min-cost flow per host over the whole region was most of a regional plan's
        // time (228 hosts × 5,382 zones: 30 s); a maximum flow first answers "does
        // everything still fit?", which is the usual answer, and the min-cost flow
        // runs only for the hosts where it does not. In parallel, collected in order.
        let hosts: Vec<SiteIdx> = inputs.site_indices().filter(|&j| hosts_after(j)).collect();
        let kept: Vec<KeptForCapacity> = hosts
            .par_iter()
            .filter_map(|&j| {
                let mut dj = d.clone();
                if let Some(pos) = mapped.instance.host_pos(j.index(), k as u32) {
                    dj.host[j.index()][pos] = false;
                }
                if all_fit(mapped, &dj, k) {
                    return None;
                }
                shortfall(inputs, mapped, &dj, k).map(|(missing, zones, full_sites)| KeptForCapacity {
                    site: j,
                    zones,
                    full_sites,
                    missing,
                })
            })
            .collect();
        let mut closures = Vec::new();
        for j in inputs.site_indices().filter(|&j| hosts_before(j) && !hosts_after(j)) {
            let mut to: BTreeMap<SiteIdx, f64> = BTreeMap::new();
            for z in inputs.zone_indices() {
                if before.nearest[k][z.index()].is_some_and(|(b, _)| b == j) {
                    for &(r, u) in &per_zone[z.index()] {
                        *to.entry(r).or_default() += u;
                    }
                }
            }
            let mut to: Vec<(SiteIdx, f64)> = to.into_iter().filter(|x| x.1 > 1e-9).collect();
            to.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            closures.push(ClosureSends { site: j, to });
        }
        services.push(ServiceUse {
            service: s,
            sites,
            zones: per_zone,
            shared_zones: if cap.assignment == Assignment::Split {
                shared
            } else {
                Vec::new()
            },
            kept,
            closures,
        });
    }
    plan.capacity = Some(ServiceCapacityPlan {
        assignment: cap.assignment,
        services,
    });
}

fn hosting_after(plan: &ServicePlan) -> Vec<Vec<ServiceIdx>> {
    plan.sites.iter().map(|s| s.hosts_after.clone()).collect()
}

/// Capacity terms of an infeasible co-location plan: with every site open
/// that may open, hosting every service it may (and is not forced not to),
/// the required need of each capacitated service that still cannot be placed
/// within the capacities. Per service: `(service, missing users, zones, full sites)`.
/// Empty when capacity alone does not block.
pub fn diagnose_demand(inputs: &Inputs, mapped: &MappedServices) -> Vec<(ServiceIdx, f64, Vec<ZoneIdx>, Vec<SiteIdx>)> {
    let inst = &mapped.instance;
    let open: Vec<bool> = inst
        .sites
        .iter()
        .map(|s| s.fixing != hubplan_solver::Fixing::Closed)
        .collect();
    let host = inst
        .sites
        .iter()
        .enumerate()
        .map(|(j, s)| {
            s.hosts
                .iter()
                .map(|h| open[j] && h.fixing != hubplan_solver::Fixing::Closed)
                .collect()
        })
        .collect();
    let d = sv::Decision { open, host };
    let mut out = Vec::new();
    for (p, c) in inst.capacitated_services().into_iter().enumerate() {
        if !c {
            continue;
        }
        if let Some((missing, zones, full)) = shortfall(inputs, mapped, &d, p) {
            out.push((mapped.services[p], missing, zones, full));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(site: usize, before: f64, after: f64) -> SiteUse {
        SiteUse {
            site: SiteIdx::from_index(site),
            max_users: Some(100.0),
            users_before: before,
            before_given: true,
            users_after: after,
        }
    }

    #[test]
    fn nearly_full_counts_buildings_that_take_closed_users_or_grow() {
        // Session 8: site 0 takes the users of site 3, which stops hosting (its own
        // total falls 100 → 95); site 1 starts hosting the service (0 → 95) with no
        // closure; site 2 stays at 95, neither receiving nor growing.
        let u = ServiceUse {
            service: ServiceIdx::from_index(0),
            sites: vec![used(0, 100.0, 95.0), used(1, 0.0, 95.0), used(2, 95.0, 95.0)],
            zones: Vec::new(),
            shared_zones: Vec::new(),
            kept: Vec::new(),
            closures: vec![ClosureSends {
                site: SiteIdx::from_index(3),
                to: vec![(SiteIdx::from_index(0), 20.0)],
            }],
        };
        let full: Vec<usize> = u.nearly_full().iter().map(|s| s.site.index()).collect();
        assert_eq!(full, vec![0, 1]);
    }
}
