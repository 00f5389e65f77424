//! Independent parts of a co-location instance (docs/SOLVER.md, "Independent
//! parts", services path).
//!
//! The co-location analogue of [`crate::parts`]: clients (all services
//! together) and sites are the two sides of a bipartite graph with one edge
//! per arc; a site's services share its space and its running and opening
//! cost, so a site is one vertex. A district hub rule ties the sites of its
//! district, so they are joined too. Without a rule that ties every site
//! (annual or capital budget, savings target, cardinality), every row of the
//! model and every term of the `MinCost` objective stays inside one connected
//! component, so the optimum is the sum of the components' optima and their
//! bounds add up to a bound of the whole.
//!
//! [`split`] cuts the instance into one [`ServiceInstance`] per component
//! (sites and clients renumbered, order kept); [`solve_stage`] runs the
//! capacity branch-and-cut ([`super::capcut`]) on each, smallest (by arcs)
//! first, with the time left in proportion to its arcs among the parts still
//! to run (at least a second), and puts the plans back together: the
//! assignment is recomputed on the whole instance, the value recomputed, the
//! bound is the sum of the parts' bounds, and the answer is `Optimal` only when
//! every part is.
//!
//! Sites with no client in reach are settled directly, as the model would:
//! open only when forced open or when a service is forced there, hosting
//! the forced services (and, open, the free room of [`super::capcut`]'s ties).
//! A required client with no site in reach makes the instance infeasible: the
//! whole instance then goes to the search as it is, which says so itself.

use std::time::{Duration, Instant};

use petgraph::unionfind::UnionFind;

use crate::instance::Fixing;
use crate::outcome::{SolveOptions, Status};

use super::capcut;
use super::instance::{Coverage, Decision, DistrictRule, ServiceArc, ServiceClient, ServiceError, ServiceInstance};
use super::solve::{checked_flows, ServiceBackend, StageResult};

/// One connected component: its instance and where its sites and clients sit
/// in the whole instance.
pub(crate) struct ServicePart {
    /// The component as an instance of its own (sites and clients renumbered).
    pub inst: ServiceInstance,
    /// Whole-instance index of each of the part's sites.
    pub sites: Vec<u32>,
    /// Whole-instance index of each of the part's clients.
    pub clients: Vec<u32>,
    /// Arcs of the part (its size).
    pub arcs: usize,
}

/// The instance cut into its independent parts, and what is settled without a search.
pub(crate) struct ServiceSplit {
    /// The components with an arc or a district, smallest (by arcs) first.
    pub parts: Vec<ServicePart>,
    /// Sites without arcs and outside every district hub rule (open iff something is forced there).
    pub lone_sites: Vec<u32>,
    /// Clients without arcs (uncovered).
    pub lone_clients: Vec<u32>,
}

/// Whether some rule ties every site together: a budget, a savings target, a
/// cardinality.
pub(crate) fn coupled(inst: &ServiceInstance) -> bool {
    inst.annual_budget.is_some()
        || inst.capital_budget.is_some()
        || inst.savings_target.is_some()
        || inst.cardinality.is_some()
}

/// The independent parts of `inst`, or `None` when there is nothing to gain:
/// a rule ties every site ([`coupled`]), or the arcs and districts form one
/// component. (The sites of a district hub rule are one component, with or
/// without clients.) Sites and
/// clients keep their relative order inside each part, so the parts depend
/// on the data only.
///
/// Complexity: `O((arcs + district sites) α(n + m))` for the components, then
/// a copy of the instance.
pub(crate) fn split(inst: &ServiceInstance) -> Option<ServiceSplit> {
    if coupled(inst) {
        return None;
    }
    let (n, m) = (inst.sites.len(), inst.clients.len());
    // Vertices: sites 0..n, clients n..n+m.
    let mut uf = UnionFind::<u32>::new(n + m);
    let mut site_used = vec![false; n];
    for (i, c) in inst.clients.iter().enumerate() {
        for a in &c.arcs {
            uf.union((n + i) as u32, a.site);
            site_used[a.site as usize] = true;
        }
    }
    let rules: Vec<&DistrictRule> = inst.district_rules.iter().filter(|r| r.min_hubs > 0).collect();
    for r in &rules {
        // A district's sites are one component, those no client reaches too.
        for &j in &r.sites {
            site_used[j as usize] = true;
        }
        for w in r.sites.windows(2) {
            uf.union(w[0], w[1]);
        }
    }
    // Number the components with arcs in order of their first site.
    let (comp, count) = crate::parts::label_components(&uf, &site_used, n + m);
    if count < 2 {
        return None;
    }
    let comp_of = |v: usize| comp[v] as usize;
    let mut sites: Vec<Vec<u32>> = vec![Vec::new(); count as usize];
    let mut lone_sites = Vec::new();
    for j in 0..n {
        if site_used[j] {
            sites[comp_of(j)].push(j as u32);
        } else {
            lone_sites.push(j as u32);
        }
    }
    let mut clients: Vec<Vec<u32>> = vec![Vec::new(); count as usize];
    let mut lone_clients = Vec::new();
    for (i, c) in inst.clients.iter().enumerate() {
        if c.arcs.is_empty() {
            lone_clients.push(i as u32);
        } else {
            clients[comp_of(n + i)].push(i as u32);
        }
    }
    let mut rules_of: Vec<Vec<&DistrictRule>> = vec![Vec::new(); count as usize];
    for r in &rules {
        if let Some(&j) = r.sites.first() {
            rules_of[comp_of(j as usize)].push(r);
        }
    }
    let mut local = vec![0u32; n];
    let mut parts: Vec<ServicePart> = sites
        .into_iter()
        .zip(clients)
        .zip(rules_of)
        .map(|((sites, clients), rules)| {
            for (k, &j) in sites.iter().enumerate() {
                local[j as usize] = k as u32;
            }
            let mut p = ServiceInstance::new(inst.n_services);
            p.sites = sites.iter().map(|&j| inst.sites[j as usize].clone()).collect();
            p.clients = clients
                .iter()
                .map(|&i| {
                    let c = &inst.clients[i as usize];
                    ServiceClient {
                        service: c.service,
                        need: c.need,
                        arcs: c
                            .arcs
                            .iter()
                            .map(|a| ServiceArc {
                                site: local[a.site as usize],
                                minutes: a.minutes,
                            })
                            .collect(),
                        coverage: c.coverage,
                    }
                })
                .collect();
            if !inst.client_room.is_empty() {
                p.client_room = clients.iter().map(|&i| inst.room(i as usize)).collect();
            }
            p.hub_services = inst.hub_services.clone();
            p.district_rules = rules
                .into_iter()
                .map(|r| DistrictRule {
                    name: r.name.clone(),
                    sites: r.sites.iter().map(|&j| local[j as usize]).collect(),
                    min_hubs: r.min_hubs,
                })
                .collect();
            p.objective = inst.objective;
            p.then = inst.then;
            p.lex_tolerance = inst.lex_tolerance;
            p.single_assignment = inst.single_assignment;
            let arcs = p.clients.iter().map(|c| c.arcs.len()).sum();
            ServicePart {
                inst: p,
                sites,
                clients,
                arcs,
            }
        })
        .collect();
    // Smallest first; ties by first site (already the order), so stable.
    parts.sort_by_key(|p| p.arcs);
    Some(ServiceSplit {
        parts,
        lone_sites,
        lone_clients,
    })
}

/// The least time a part is given (unless less is left in all).
const MIN_SHARE: Duration = Duration::from_secs(1);

/// The seconds for the first of the parts still to run: the time left in
/// proportion to its arcs (at least [`MIN_SHARE`], or what is left); the last
/// part runs to the deadline.
fn share(deadline: Instant, rest: &[ServicePart]) -> f64 {
    let left = deadline.saturating_duration_since(Instant::now());
    if rest.len() == 1 {
        return left.as_secs_f64();
    }
    let arcs: usize = rest.iter().map(|p| p.arcs.max(1)).sum();
    let mine = rest[0].arcs.max(1);
    Duration::from_secs_f64(left.as_secs_f64() * mine as f64 / arcs as f64)
        .max(left.min(MIN_SHARE))
        .as_secs_f64()
}

/// A lone site (no client in reach) as the model settles it: the services
/// forced there, and open when forced open or hosting one. `None` when its
/// forced services cannot be had (forced closed, or beyond its space).
fn settle_lone(inst: &ServiceInstance, j: usize) -> Option<(bool, Vec<bool>)> {
    let s = &inst.sites[j];
    let host: Vec<bool> = s.hosts.iter().map(|h| h.fixing == Fixing::Open).collect();
    let open = s.fixing == Fixing::Open || host.contains(&true);
    let space: f64 = s
        .hosts
        .iter()
        .zip(&host)
        .filter(|(_, &on)| on)
        .map(|(h, _)| h.space)
        .sum();
    if (open && s.fixing == Fixing::Closed) || s.capacity.is_some_and(|c| space > c + 1e-9 * c.abs().max(1.0)) {
        return None;
    }
    Some((open, host))
}

/// The `MinCost` stage of a capacitated co-location instance ([`capcut::solve_stage`]),
/// part by part when the instance splits ([`split`]), in one piece otherwise.
/// Also returns the number of parts (1 when it did not split).
///
/// # Errors
/// As [`capcut::solve_stage`]; and [`ServiceError::Backend`] when the parts'
/// plans do not fit together (a bug).
pub(super) fn solve_stage(
    inst: &ServiceInstance,
    secs: f64,
    opts: &SolveOptions,
) -> Result<(StageResult, usize), ServiceError> {
    let whole = |inst: &ServiceInstance| capcut::solve_stage(inst, secs, opts).map(|r| (r, 1));
    let Some(split) = split(inst) else {
        return whole(inst);
    };
    if split
        .lone_clients
        .iter()
        .any(|&i| inst.clients[i as usize].coverage == Coverage::Required)
    {
        // A required client without a site in reach: the search says so itself.
        return whole(inst);
    }
    let n = inst.sites.len();
    let mut d = Decision {
        open: vec![false; n],
        host: inst.sites.iter().map(|s| vec![false; s.hosts.len()]).collect(),
    };
    for &j in &split.lone_sites {
        let Some((open, host)) = settle_lone(inst, j as usize) else {
            return whole(inst);
        };
        d.open[j as usize] = open;
        d.host[j as usize] = host;
    }
    let mut lone = d.clone();
    capcut::keep_free_room(inst, &mut lone);
    let lone_cost = capcut::cost(inst, &lone);
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs_f64(secs.max(0.0));
    let total = split.parts.len();
    let (mut bound, mut nodes, mut all_optimal, mut no_plan) = (lone_cost, 0u64, true, false);
    for k in 0..total {
        let part = &split.parts[k];
        let given = share(deadline, &split.parts[k..]);
        let started = Instant::now();
        let res = capcut::solve_stage(&part.inst, given, opts)?;
        let (status, b, v) = match &res {
            StageResult::Solved {
                decision,
                status,
                bound,
                nodes: nd,
                ..
            } => {
                nodes += nd;
                (*status, *bound, capcut::cost(&part.inst, decision))
            }
            StageResult::NoSolution { bound } => (Status::Unknown, *bound, f64::INFINITY),
            StageResult::Infeasible => (Status::Infeasible, f64::INFINITY, f64::INFINITY),
        };
        log::info!(
            "[hubplan-solver services-parts] part {}/{total}: {} clients × {} sites ({} arcs), {:.1} s given, {:.1} s used: {status:?} {v:.1} bound {b:.1}",
            k + 1,
            part.clients.len(),
            part.sites.len(),
            part.arcs,
            given,
            started.elapsed().as_secs_f64(),
        );
        bound += b;
        match res {
            StageResult::Infeasible => return Ok((StageResult::Infeasible, total)),
            StageResult::NoSolution { .. } => {
                all_optimal = false;
                no_plan = true;
            }
            StageResult::Solved { decision, status, .. } => {
                all_optimal &= status == Status::Optimal;
                for (l, &j) in part.sites.iter().enumerate() {
                    d.open[j as usize] = decision.open[l];
                    d.host[j as usize] = decision.host[l].clone();
                }
            }
        }
    }
    log::info!(
        "[hubplan-solver services-parts] the coverage graph splits into {total} independent parts ({} lone sites, {} lone clients), solved one by one in {:.1} s (bound: the sum of theirs)",
        split.lone_sites.len(),
        split.lone_clients.len(),
        t0.elapsed().as_secs_f64()
    );
    if no_plan {
        return Ok((StageResult::NoSolution { bound }, total));
    }
    capcut::keep_free_room(inst, &mut d);
    let v = inst.violations(&d);
    if !v.is_empty() {
        return Err(ServiceError::Backend(format!(
            "independent parts: the merged plan breaks {} rule(s): {}",
            v.len(),
            v.into_iter().take(3).collect::<Vec<_>>().join("; ")
        )));
    }
    let flows = checked_flows(inst, &d, Vec::new(), ServiceBackend::Microlp)?;
    let value = capcut::cost(inst, &d);
    Ok((
        StageResult::Solved {
            decision: d,
            flows,
            status: if all_optimal { Status::Optimal } else { Status::Feasible },
            bound: bound.min(value),
            nodes,
        },
        total,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::Cardinality;
    use crate::services::instance::{HostOption, SavingsTarget, ServiceSite};
    use crate::services::testutil::{agrees_with_mip, random, Lcg};

    /// The blocks side by side: sites, clients, rooms and districts renumbered.
    fn concat(blocks: Vec<ServiceInstance>) -> ServiceInstance {
        let mut out = ServiceInstance::new(2);
        for b in blocks {
            let off = out.sites.len() as u32;
            for i in 0..b.clients.len() {
                out.client_room.push(b.room(i));
            }
            out.sites.extend(b.sites);
            out.clients.extend(b.clients.into_iter().map(|mut c| {
                c.arcs.iter_mut().for_each(|a| a.site += off);
                c
            }));
            if !b.hub_services.is_empty() {
                out.hub_services = b.hub_services;
            }
            out.district_rules.extend(b.district_rules.into_iter().map(|mut r| {
                r.sites.iter_mut().for_each(|j| *j += off);
                r
            }));
        }
        out
    }

    /// A site no client reaches: free, forced open, or hosting a forced service.
    fn lone_site(kind: u64) -> ServiceSite {
        ServiceSite {
            annual_cost: 7.0,
            open_cost: 2.0,
            capacity: Some(1.0),
            hosts: vec![HostOption {
                service: 0,
                conversion_cost: if kind == 2 { 3.0 } else { 0.0 },
                space: 1.0,
                fixing: if kind == 2 { Fixing::Open } else { Fixing::Free },
                max_users: Some(4.0),
            }],
            fixing: if kind == 1 { Fixing::Open } else { Fixing::Free },
        }
    }

    /// Three random blocks (forced sites, a hub rule inside some, clients
    /// with room but no weight), a lone site and an optional lone client.
    fn blocks(g: &mut Lcg) -> ServiceInstance {
        let (a, b, c) = (random(g, 5, 4), random(g, 4, 3), random(g, 6, 4));
        let mut inst = concat(vec![a, b, c]);
        let kind = g.below(3);
        inst.sites
            .insert(g.below(inst.sites.len() as u64) as usize, lone_site(kind));
        // Renumber the arcs and districts past the inserted site.
        let at = inst
            .sites
            .iter()
            .position(|s| s.annual_cost == 7.0 && s.open_cost == 2.0)
            .unwrap() as u32;
        for c in &mut inst.clients {
            c.arcs.iter_mut().filter(|a| a.site >= at).for_each(|a| a.site += 1);
        }
        for r in &mut inst.district_rules {
            r.sites.iter_mut().filter(|j| **j >= at).for_each(|j| *j += 1);
        }
        inst.clients.push(ServiceClient {
            service: 1,
            need: 2.0,
            arcs: Vec::new(),
            coverage: Coverage::Optional,
        });
        inst.client_room.push(2.0);
        inst
    }

    /// Part by part and the whole assignment MIP agree (status, optimum) on
    /// instances that split, and the merged plan passes every check.
    #[test]
    fn parts_match_the_assignment_mip() {
        let mut g = Lcg(5);
        let opts = SolveOptions::default();
        let (mut feasible, mut split_seen) = (0, 0);
        for case in 0..30 {
            let inst = blocks(&mut g);
            inst.validate().unwrap();
            let s = split(&inst).expect("three blocks split");
            assert!(s.parts.len() >= 2, "case {case}");
            assert_eq!(s.lone_clients, vec![inst.clients.len() as u32 - 1]);
            assert!(!s.lone_sites.is_empty());
            let (a, parts) = solve_stage(&inst, 60.0, &opts).unwrap();
            let label = format!("case {case}");
            if let Some((_, va, bound)) = agrees_with_mip(&inst, &opts, a, &label, "parts") {
                assert!((bound - va).abs() < 1e-6 * va.max(1.0), "case {case}: bound {bound}");
                feasible += 1;
                split_seen += usize::from(parts >= 2);
            }
        }
        assert!(
            feasible >= 5 && split_seen == feasible,
            "{feasible} feasible, {split_seen} split"
        );
    }

    /// A required client with no site in reach: the instance goes whole to
    /// the search, which proves it infeasible.
    #[test]
    fn a_required_lone_client_is_infeasible() {
        let mut inst = blocks(&mut Lcg(3));
        inst.clients.last_mut().unwrap().coverage = Coverage::Required;
        let (r, parts) = solve_stage(&inst, 60.0, &SolveOptions::default()).unwrap();
        assert!(matches!(r, StageResult::Infeasible));
        assert_eq!(parts, 1);
    }

    /// A lone site forced closed with a forced service cannot be settled:
    /// the instance is infeasible, and the whole search says so.
    #[test]
    fn an_impossible_lone_site_is_infeasible() {
        let mut inst = blocks(&mut Lcg(4));
        let j = inst
            .sites
            .iter()
            .position(|s| s.annual_cost == 7.0 && s.open_cost == 2.0)
            .unwrap();
        inst.sites[j].fixing = Fixing::Closed;
        inst.sites[j].hosts[0].fixing = Fixing::Open;
        assert!(settle_lone(&inst, j).is_none());
        let (r, _) = solve_stage(&inst, 60.0, &SolveOptions::default()).unwrap();
        assert!(matches!(r, StageResult::Infeasible));
    }

    /// A rule that ties every site, or a district across blocks, keeps the
    /// instance whole; a district inside one block does not.
    #[test]
    fn coupling_rules_disable_the_split() {
        let mut base = blocks(&mut Lcg(9));
        base.district_rules.clear();
        let parts = split(&base).unwrap().parts.len();
        let mut i = base.clone();
        i.annual_budget = Some(1e9);
        assert!(split(&i).is_none());
        let mut i = base.clone();
        i.capital_budget = Some(1e9);
        assert!(split(&i).is_none());
        let mut i = base.clone();
        i.savings_target = Some(SavingsTarget {
            baseline: 1e9,
            target: 0.0,
        });
        assert!(split(&i).is_none());
        let mut i = base.clone();
        i.cardinality = Some(Cardinality { min: 0, max: 100 });
        assert!(split(&i).is_none());
        // A district across every site with a client: one component.
        let used: Vec<u32> = (0..base.sites.len() as u32)
            .filter(|&j| base.clients.iter().any(|c| c.arcs.iter().any(|a| a.site == j)))
            .collect();
        let mut i = base.clone();
        i.hub_services = vec![0, 1];
        i.district_rules = vec![DistrictRule {
            name: "all".into(),
            sites: used.clone(),
            min_hubs: 1,
        }];
        assert!(split(&i).is_none());
        // ... but not when it asks for no hub.
        i.district_rules[0].min_hubs = 0;
        assert_eq!(split(&i).unwrap().parts.len(), parts);
        // A district naming a site no client reaches takes it into the part.
        let lone = split(&base).unwrap().lone_sites[0];
        i.district_rules = vec![DistrictRule {
            name: "lone".into(),
            sites: vec![used[0], lone],
            min_hubs: 1,
        }];
        let s = split(&i).unwrap();
        assert!(!s.lone_sites.contains(&lone));
        assert!(s
            .parts
            .iter()
            .any(|p| p.sites.contains(&lone) && p.sites.contains(&used[0])));
        // A district inside one part: the split stands, and the part carries it.
        let s = split(&base).unwrap();
        let inside = s.parts.last().unwrap().sites.clone();
        i.district_rules = vec![DistrictRule {
            name: "inside".into(),
            sites: inside.clone(),
            min_hubs: 1,
        }];
        let s = split(&i).unwrap();
        assert_eq!(s.parts.len(), parts);
        let p = s.parts.iter().find(|p| p.sites == inside).unwrap();
        assert_eq!(p.inst.district_rules.len(), 1);
        assert_eq!(
            p.inst.district_rules[0].sites,
            (0..inside.len() as u32).collect::<Vec<_>>()
        );
        assert!(s.parts.iter().filter(|p| !p.inst.district_rules.is_empty()).count() == 1);
    }
}
