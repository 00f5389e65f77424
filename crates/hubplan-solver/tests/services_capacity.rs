//! Demand capacity in the co-location model (`max_users` per site and
//! service) against brute force: every host decision enumerated; the split
//! assignment checked by min-cost flow, the single assignment by enumerating
//! every assignment.

use hubplan_solver::capacity::transport;
use hubplan_solver::services::*;
use hubplan_solver::{Arc, Fixing, Instance, SolveOptions, Status};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const N_SITES: usize = 4;
const N_ZONES: usize = 4;

fn random(g: &mut Lcg, objective: ServiceObjective, single: bool) -> ServiceInstance {
    let mut inst = ServiceInstance::new(2);
    for _ in 0..N_SITES {
        let mut hosts = Vec::new();
        for s in 0..2u32 {
            if g.below(4) != 0 {
                hosts.push(HostOption {
                    service: s,
                    conversion_cost: (g.below(3) * 5) as f64,
                    space: 1.0,
                    fixing: Fixing::Free,
                    // Service 0 is always capacitated somewhere; service 1 sometimes.
                    max_users: (s == 0 || g.below(2) == 0).then(|| (3 + g.below(8)) as f64),
                });
            }
        }
        inst.sites.push(ServiceSite {
            annual_cost: (10 + g.below(20)) as f64,
            open_cost: 0.0,
            capacity: (g.below(3) == 0).then_some(1.0),
            hosts,
            fixing: Fixing::Free,
        });
    }
    for s in 0..2u32 {
        for _ in 0..N_ZONES {
            let mut arcs = Vec::new();
            for site in 0..N_SITES as u32 {
                if inst.host_pos(site as usize, s).is_some() && g.below(3) != 0 {
                    arcs.push(ServiceArc {
                        site,
                        minutes: (1 + g.below(20)) as f64,
                    });
                }
            }
            if arcs.is_empty() {
                continue;
            }
            let coverage = if objective == ServiceObjective::MaxCoverage && g.below(3) != 0 {
                Coverage::Optional
            } else {
                Coverage::Required
            };
            inst.clients.push(ServiceClient {
                service: s,
                need: (1 + g.below(5)) as f64,
                arcs,
                coverage,
            });
        }
    }
    inst.objective = objective;
    inst.single_assignment = single;
    if objective == ServiceObjective::MaxCoverage {
        inst.annual_budget = Some(35.0);
    }
    inst
}

/// Best (placed need, −travel) of one service under single assignment, by enumeration;
/// `None` when a required client cannot be placed.
fn single_best(inst: &ServiceInstance, d: &Decision, s: u32) -> Option<(f64, f64)> {
    let ids: Vec<usize> = (0..inst.clients.len())
        .filter(|&i| inst.clients[i].service == s)
        .collect();
    let mut best: Option<(f64, f64)> = None;
    let mut load = vec![0.0; N_SITES];
    #[allow(clippy::too_many_arguments)]
    fn go(
        inst: &ServiceInstance,
        d: &Decision,
        s: u32,
        ids: &[usize],
        k: usize,
        load: &mut Vec<f64>,
        placed: f64,
        travel: f64,
        best: &mut Option<(f64, f64)>,
    ) {
        if k == ids.len() {
            if best.is_none_or(|b| placed > b.0 + 1e-9 || (placed > b.0 - 1e-9 && travel < b.1 - 1e-9)) {
                *best = Some((placed, travel));
            }
            return;
        }
        let c = &inst.clients[ids[k]];
        for a in &c.arcs {
            let j = a.site as usize;
            if !inst.hosts(d, j, s) {
                continue;
            }
            let q = inst.sites[j].hosts[inst.host_pos(j, s).unwrap()].max_users;
            if q.is_some_and(|q| load[j] + c.need > q + 1e-9) {
                continue;
            }
            load[j] += c.need;
            go(
                inst,
                d,
                s,
                ids,
                k + 1,
                load,
                placed + c.need,
                travel + c.need * a.minutes,
                best,
            );
            load[j] -= c.need;
        }
        if c.coverage == Coverage::Optional {
            go(inst, d, s, ids, k + 1, load, placed, travel, best);
        }
    }
    go(inst, d, s, &ids, 0, &mut load, 0.0, 0.0, &mut best);
    best
}

/// Best (placed need, travel) of one service under split assignment, by min-cost flow
/// with a large cost for unplaced need.
fn split_best(inst: &ServiceInstance, d: &Decision, s: u32) -> Option<(f64, f64)> {
    let mut t = Instance::with_sites(N_SITES);
    let mut open = vec![false; N_SITES];
    for (j, o) in open.iter_mut().enumerate() {
        if let Some(k) = inst.host_pos(j, s) {
            t.capacity[j] = inst.sites[j].hosts[k].max_users;
            *o = inst.hosts(d, j, s);
        }
    }
    let ids: Vec<usize> = (0..inst.clients.len())
        .filter(|&i| inst.clients[i].service == s)
        .collect();
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
        let u = (c.coverage == Coverage::Optional).then_some(c.need * 1e4);
        t.push_client(arcs, u, c.need);
    }
    let (_, f) = transport(&t, &open)?;
    let (mut placed, mut travel) = (0.0, 0.0);
    for (k, f) in f.iter().enumerate() {
        let c = &inst.clients[ids[k]];
        for &(site, x) in f {
            let m = c.arcs.iter().find(|a| a.site == site).unwrap().minutes;
            placed += c.need * x;
            travel += c.need * x * m;
        }
    }
    Some((placed, travel))
}

/// The optimum (minimisation sense) over every host decision.
fn brute(inst: &ServiceInstance) -> Option<f64> {
    let opts: Vec<(usize, usize)> = (0..N_SITES)
        .flat_map(|j| (0..inst.sites[j].hosts.len()).map(move |k| (j, k)))
        .collect();
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << opts.len()) {
        let mut d = Decision {
            open: vec![false; N_SITES],
            host: inst.sites.iter().map(|s| vec![false; s.hosts.len()]).collect(),
        };
        for (b, &(j, k)) in opts.iter().enumerate() {
            if mask >> b & 1 == 1 {
                d.host[j][k] = true;
                d.open[j] = true;
            }
        }
        if !inst.violations(&d).is_empty() {
            continue;
        }
        let v = inst.evaluate(&d);
        let mut placed = 0.0;
        let mut travel = 0.0;
        let mut ok = true;
        for s in 0..2u32 {
            let r = if inst.single_assignment {
                single_best(inst, &d, s)
            } else {
                split_best(inst, &d, s)
            };
            match r {
                Some((p, t)) => {
                    placed += p;
                    travel += t;
                }
                None => ok = false,
            }
        }
        if !ok {
            continue;
        }
        let value = match inst.objective {
            ServiceObjective::MinCost => v.annual_cost + v.capital_cost,
            ServiceObjective::MaxCoverage => v.total_need - placed,
            ServiceObjective::MinTravel => travel,
        };
        if best.is_none_or(|b| value < b - 1e-9) {
            best = Some(value);
        }
    }
    best
}

fn check(seed: u64, objective: ServiceObjective, single: bool) {
    let mut g = Lcg(seed);
    let (mut binding, mut infeasible) = (0, 0);
    for case in 0..12 {
        let inst = random(&mut g, objective, single);
        let out = solve_services(&inst, &SolveOptions::default(), ServiceBackend::Microlp).unwrap();
        let want = brute(&inst);
        let mut free = inst.clone();
        for s in &mut free.sites {
            for h in &mut s.hosts {
                h.max_users = None;
            }
        }
        let unlimited = brute(&free);
        if want.is_none() {
            infeasible += 1;
        }
        if want.is_some() && unlimited.is_some_and(|u| (u - want.unwrap()).abs() > 1e-9) {
            binding += 1;
        }
        match want {
            None => assert_eq!(out.status, Status::Infeasible, "case {case}: {inst:?}"),
            Some(w) => {
                assert_eq!(out.status, Status::Optimal, "case {case}");
                assert!(
                    (out.objective - w).abs() < 1e-6 * w.abs().max(1.0),
                    "case {case} ({objective:?}, single {single}): solver {} brute force {w}\n{inst:?}",
                    out.objective
                );
                let v = assignment_violations(&inst, &out.decision, &out.flows);
                assert!(v.is_empty(), "case {case}: {v:?}");
                assert!(inst.violations(&out.decision).is_empty());
            }
        }
    }
    // The capacities matter in some cases (else the test proves little).
    assert!(binding > 0, "no case where capacity binds ({infeasible} infeasible)");
}

#[test]
fn split_min_cost_matches_brute_force() {
    check(11, ServiceObjective::MinCost, false);
}

#[test]
fn single_min_cost_matches_brute_force() {
    check(12, ServiceObjective::MinCost, true);
}

#[test]
fn split_max_coverage_matches_brute_force() {
    check(13, ServiceObjective::MaxCoverage, false);
}

#[test]
fn single_max_coverage_matches_brute_force() {
    check(14, ServiceObjective::MaxCoverage, true);
}

#[test]
fn split_min_travel_matches_brute_force() {
    check(15, ServiceObjective::MinTravel, false);
}

#[test]
fn single_min_travel_matches_brute_force() {
    check(16, ServiceObjective::MinTravel, true);
}

/// Two sites of 10 users for one service; 15 users must be served: both stay
/// open although one would cover everyone without capacity.
#[test]
fn capacity_forces_a_second_site() {
    let host = |max_users| HostOption {
        service: 0,
        conversion_cost: 0.0,
        space: 0.0,
        fixing: Fixing::Free,
        max_users,
    };
    let mut inst = ServiceInstance::new(1);
    for _ in 0..2 {
        inst.sites.push(ServiceSite {
            annual_cost: 10.0,
            open_cost: 0.0,
            capacity: None,
            hosts: vec![host(Some(10.0))],
            fixing: Fixing::Free,
        });
    }
    let arcs = vec![
        ServiceArc { site: 0, minutes: 5.0 },
        ServiceArc { site: 1, minutes: 9.0 },
    ];
    for need in [8.0, 7.0] {
        inst.clients.push(ServiceClient {
            service: 0,
            need,
            arcs: arcs.clone(),
            coverage: Coverage::Required,
        });
    }
    let out = solve_services(&inst, &SolveOptions::default(), ServiceBackend::Microlp).unwrap();
    assert_eq!(out.status, Status::Optimal);
    assert_eq!(out.objective, 20.0);
    assert_eq!(out.decision.open, vec![true, true]);
    // Without capacity one site does.
    inst.sites[0].hosts[0].max_users = None;
    inst.sites[1].hosts[0].max_users = None;
    let out = solve_services(&inst, &SolveOptions::default(), ServiceBackend::Microlp).unwrap();
    assert_eq!(out.objective, 10.0);
    // The model exports with its assignment rows.
    inst.sites[0].hosts[0].max_users = Some(10.0);
    let lp = write_lp(&inst).unwrap();
    assert!(lp.contains("users_0_0"), "{lp}");
}
