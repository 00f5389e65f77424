//! Demand capacity in the co-location model: the assignment of the clients of
//! capacitated services to the open sites hosting them.
//!
//! A service is *capacitated* when some site has a [`HostOption::max_users`]
//! for it ([`ServiceInstance::capacitated`]). Its clients are then assigned:
//! per client, the share of its need served by each open hosting site on its
//! arcs, at most `max_users` per (site, service). Clients of uncapacitated
//! services keep the covering semantics (the nearest hosting site).
//!
//! For a fixed decision the best split assignment of one service is a
//! transportation problem, solved exactly by min-cost flow (the primal-dual
//! method of `capflow`, the same optimum as [`crate::capacity::transport`],
//! on a single-service [`Instance`]): as much
//! need placed as fits (optional clients), then the least need × minutes.
//!
//! [`HostOption::max_users`]: super::HostOption::max_users

use crate::capacity::Flows;
use crate::capflow::transport;
use crate::instance::{Arc, Instance};
use rayon::prelude::*;

use super::instance::{Coverage, Decision, ServiceInstance, Values};

/// Per instance client, the share of its need served by each site:
/// `(site, share)`, shares in `(0, 1]` summing to at most 1. Empty for the
/// clients of uncapacitated services (they use the nearest hosting site).
pub type ServiceFlows = Vec<Vec<(u32, f64)>>;

/// The single-service transportation instance of `service` under decision `d`:
/// the sites (capacity = `max_users` where the site hosts the service), the
/// clients of the service (demand = their room; arc cost = need × minutes; optional clients may stay
/// unplaced at a cost above any placement), and which instance client each is.
/// `unplaced_ok` lets required clients stay unplaced too (for diagnosis).
///
/// Returns `(instance, open, client ids)`.
pub fn service_instance(
    inst: &ServiceInstance,
    d: &Decision,
    service: u32,
    unplaced_ok: bool,
) -> (Instance, Vec<bool>, Vec<usize>) {
    let n = inst.sites.len();
    let mut t = Instance::with_sites(n);
    let mut open = vec![false; n];
    for (j, site) in inst.sites.iter().enumerate() {
        if let Some(k) = inst.host_pos(j, service) {
            t.capacity[j] = site.hosts[k].max_users;
            open[j] = inst.hosts(d, j, service);
        }
    }
    let ids: Vec<usize> = (0..inst.clients.len())
        .filter(|&i| inst.clients[i].service == service)
        .collect();
    let max_min = ids
        .iter()
        .flat_map(|&i| inst.clients[i].arcs.iter().map(|a| a.minutes))
        .fold(0.0f64, f64::max);
    // Per unit of need, leaving a client unplaced costs more than any augmenting path.
    let penalty = (max_min + 1.0) * 2.0 * (ids.len() + n + 1) as f64;
    for &i in &ids {
        let c = &inst.clients[i];
        let arcs = c
            .arcs
            .iter()
            .map(|a| Arc {
                site: a.site,
                cost: c.need * a.minutes,
            })
            .collect();
        // Per unit of room: a client with no weight (beyond the limit today) but
        // room must not be left unplaced for free.
        let unserved = (unplaced_ok || c.coverage == Coverage::Optional).then_some(c.need.max(inst.room(i)) * penalty);
        t.push_client(arcs, unserved, inst.room(i));
    }
    (t, open, ids)
}

/// The exact split assignment of every capacitated service under `d` (as much
/// need placed as fits, then least travel); `None` when the required need of
/// some capacitated service does not fit.
///
/// Complexity: per capacitated service, one min-cost flow ([`transport`]);
/// the services are independent and solved in parallel (rayon), each the
/// same way on any thread count, so the result does not depend on it.
pub fn assign_split(inst: &ServiceInstance, d: &Decision) -> Option<ServiceFlows> {
    let services: Vec<u32> = (0u32..)
        .zip(inst.capacitated_services())
        .filter_map(|(s, cap)| cap.then_some(s))
        .collect();
    let per_service: Vec<Option<(Vec<usize>, Flows)>> = services
        .par_iter()
        .map(|&s| {
            let (t, open, ids) = service_instance(inst, d, s, false);
            transport(&t, &open).map(|(_, f)| (ids, f))
        })
        .collect();
    let mut flows: ServiceFlows = vec![Vec::new(); inst.clients.len()];
    for r in per_service {
        let (ids, f) = r?;
        for (k, f) in f.into_iter().enumerate() {
            flows[ids[k]] = f;
        }
    }
    Some(flows)
}

/// Costs, coverage and travel of a decision with its assignment: clients of
/// capacitated services count the share of their need placed (and its
/// minutes); the others as in [`ServiceInstance::evaluate`].
pub fn evaluate_assigned(inst: &ServiceInstance, d: &Decision, flows: &ServiceFlows) -> Values {
    let mut v = inst.evaluate(d);
    let cap = inst.capacitated_services();
    for (i, c) in inst.clients.iter().enumerate() {
        if !cap[c.service as usize] {
            continue;
        }
        // Undo the nearest-site coverage of this client and count its assignment.
        let best = c
            .arcs
            .iter()
            .filter(|a| inst.hosts(d, a.site as usize, c.service))
            .map(|a| a.minutes)
            .fold(f64::INFINITY, f64::min);
        if best.is_finite() {
            v.covered_need -= c.need;
            v.travel -= c.need * best;
        }
        for &(site, share) in flows.get(i).map(Vec::as_slice).unwrap_or(&[]) {
            let m = c.arcs.iter().find(|a| a.site == site).map_or(0.0, |a| a.minutes);
            v.covered_need += c.need * share;
            v.travel += c.need * share * m;
        }
    }
    v
}

/// Every rule the assignment breaks: a share on a site that is not an arc of
/// the client or does not host its service, shares outside `[0, 1]` or summing
/// above 1, a required client of a capacitated service not wholly placed, a
/// client split under single assignment, a (site, service) above `max_users`.
pub fn assignment_violations(inst: &ServiceInstance, d: &Decision, flows: &ServiceFlows) -> Vec<String> {
    let mut out = Vec::new();
    if flows.len() != inst.clients.len() {
        out.push(format!(
            "{} assignments for {} clients",
            flows.len(),
            inst.clients.len()
        ));
        return out;
    }
    let cap = inst.capacitated_services();
    let mut load: Vec<Vec<f64>> = inst.sites.iter().map(|s| vec![0.0; s.hosts.len()]).collect();
    for (i, c) in inst.clients.iter().enumerate() {
        if !cap[c.service as usize] {
            continue;
        }
        let mut total = 0.0;
        for &(site, share) in &flows[i] {
            if !(share.is_finite() && (0.0..=1.0 + 1e-9).contains(&share)) {
                out.push(format!("client {i} has a share {share} at site {site}"));
            }
            if !c.arcs.iter().any(|a| a.site == site) || !inst.hosts(d, site as usize, c.service) {
                out.push(format!("client {i} is placed at site {site}, which it may not use"));
                continue;
            }
            if let Some(k) = inst.host_pos(site as usize, c.service) {
                load[site as usize][k] += inst.room(i) * share;
            }
            total += share;
        }
        if total > 1.0 + 1e-9 {
            out.push(format!("client {i} is placed {total} times"));
        }
        if c.coverage == Coverage::Required && inst.room(i) > 0.0 && total < 1.0 - 1e-7 {
            out.push(format!("client {i} (service {}) is placed only {total}", c.service));
        }
        if inst.single_assignment && flows[i].iter().filter(|f| f.1 > 1e-9).count() > 1 {
            out.push(format!("client {i} is split under single assignment"));
        }
    }
    for (j, s) in inst.sites.iter().enumerate() {
        for (k, h) in s.hosts.iter().enumerate() {
            if let Some(q) = h.max_users {
                if load[j][k] > q + 1e-7 * q.max(1.0) {
                    out.push(format!(
                        "site {j} serves {} of service {} above its max_users {q}",
                        load[j][k], h.service
                    ));
                }
            }
        }
    }
    out
}
