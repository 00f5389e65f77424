//! Test helpers shared by the co-location tests (`capcut`, `parts`,
//! `synthetic`): seeded random instances, and the MIP with assignment
//! variables as the reference a `MinCost` capacity stage is checked against.

use crate::instance::Fixing;
use crate::outcome::{SolveOptions, Status};

use super::capcut::cost;
use super::instance::{
    Coverage, DistrictRule, HostOption, ServiceArc, ServiceClient, ServiceInstance, ServiceObjective, ServiceSite,
};
use super::model::build;
use super::solve::{solve_stage as mip_stage, ServiceBackend, StageResult};

/// A small linear congruential generator: the tests' seeded randomness.
pub(super) struct Lcg(pub u64);

impl Lcg {
    /// The next number in `0..n`.
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A random co-location instance: `n` sites, two services (service 0
/// capacitated everywhere it may be hosted, service 1 at some sites), a
/// hub rule on half the instances, tight capacities.
pub(super) fn random(g: &mut Lcg, n: usize, zones: usize) -> ServiceInstance {
    let mut inst = ServiceInstance::new(2);
    for _ in 0..n {
        let mut hosts = Vec::new();
        for s in 0..2u32 {
            if g.below(4) != 0 {
                hosts.push(HostOption {
                    service: s,
                    conversion_cost: (g.below(4) * 3) as f64,
                    space: 1.0,
                    fixing: if g.below(10) == 0 { Fixing::Closed } else { Fixing::Free },
                    max_users: (s == 0 || g.below(2) == 0).then(|| (2 + g.below(9)) as f64),
                });
            }
        }
        inst.sites.push(ServiceSite {
            annual_cost: (10 + g.below(20)) as f64,
            open_cost: (g.below(3) * 4) as f64,
            capacity: (g.below(4) == 0).then_some(1.0),
            hosts,
            fixing: if g.below(12) == 0 { Fixing::Open } else { Fixing::Free },
        });
    }
    for s in 0..2u32 {
        for _ in 0..zones {
            let arcs: Vec<ServiceArc> = (0..n as u32)
                .filter(|&j| inst.host_pos(j as usize, s).is_some() && g.below(3) == 0)
                .map(|site| ServiceArc { site, minutes: 1.0 })
                .collect();
            if arcs.is_empty() {
                continue;
            }
            let coverage = if g.below(5) == 0 {
                Coverage::Optional
            } else {
                Coverage::Required
            };
            inst.clients.push(ServiceClient {
                service: s,
                need: (1 + g.below(4)) as f64,
                arcs,
                coverage,
            });
        }
    }
    // Some clients with room but no weight (beyond the limit today).
    inst.client_room = inst
        .clients
        .iter()
        .map(|c| if g.below(6) == 0 { c.need + 1.0 } else { c.need })
        .collect();
    if g.below(2) == 0 {
        inst.hub_services = vec![0, 1];
        inst.district_rules = vec![DistrictRule {
            name: "d".into(),
            sites: (0..n as u32).collect(),
            min_hubs: 1,
        }];
    }
    inst
}

/// The reference: the `MinCost` model with assignment variables solved as a
/// MIP by microlp (60 s).
pub(super) fn assignment_mip(inst: &ServiceInstance, opts: &SolveOptions) -> StageResult {
    try_assignment_mip(inst, opts).unwrap()
}

fn try_assignment_mip(inst: &ServiceInstance, opts: &SolveOptions) -> Result<StageResult, super::ServiceError> {
    let m = build(inst, ServiceObjective::MinCost, None);
    mip_stage(inst, &m, 60.0, opts, ServiceBackend::Microlp, ServiceObjective::MinCost)
}

/// The plan `decision` keeps every rule of `inst`, and its assignment
/// `flows` keep the demand capacities.
pub(super) fn assert_valid(
    inst: &ServiceInstance,
    decision: &super::Decision,
    flows: &super::ServiceFlows,
    label: &str,
) {
    assert!(inst.violations(decision).is_empty(), "{label}");
    assert!(
        super::assignment_violations(inst, decision, flows).is_empty(),
        "{label}"
    );
}

/// A `MinCost` capacity stage's result `a` against the assignment MIP on
/// `inst`: both infeasible (`None`), or both optimal at the same cost with
/// `a`'s plan and assignment valid (`Some((a's decision, cost, bound))`);
/// anything else fails the test. `label` names the case, `what` the stage.
pub(super) fn agrees_with_mip(
    inst: &ServiceInstance,
    opts: &SolveOptions,
    a: StageResult,
    label: &str,
    what: &str,
) -> Option<(super::Decision, f64, f64)> {
    match (a, assignment_mip(inst, opts)) {
        (StageResult::Infeasible, StageResult::Infeasible) => None,
        (
            StageResult::Solved {
                decision,
                flows,
                status,
                bound,
                ..
            },
            StageResult::Solved {
                decision: d2,
                status: s2,
                ..
            },
        ) => {
            assert_eq!((status, s2), (Status::Optimal, Status::Optimal), "{label}");
            let (va, vb) = (cost(inst, &decision), cost(inst, &d2));
            assert!((va - vb).abs() < 1e-6, "{label}: {what} {va}, MIP {vb}\n{inst:?}");
            assert_valid(inst, &decision, &flows, label);
            Some((decision, va, bound))
        }
        _ => panic!("{label}: {what} and the MIP disagree on feasibility\n{inst:?}"),
    }
}

/// Whether the demand capacities bind: without them (every `max_users`
/// dropped) the assignment MIP finds a plan cheaper than `optimum`.
pub(super) fn capacity_binds(inst: &ServiceInstance, opts: &SolveOptions, optimum: f64) -> bool {
    let mut plain = inst.clone();
    plain
        .sites
        .iter_mut()
        .flat_map(|s| &mut s.hosts)
        .for_each(|h| h.max_users = None);
    matches!(
        try_assignment_mip(&plain, opts),
        Ok(StageResult::Solved { decision, .. }) if cost(&plain, &decision) < optimum - 1e-6
    )
}
