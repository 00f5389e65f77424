//! Seeded capacitated co-location instances (issue 13): the class behind
//! family hubs — several services with space limits per building and a
//! demand capacity per building and service — on the clustered synthetic
//! geography of [`crate::synthetic::generate`] (the one
//! [`crate::synthetic::capacitated`] uses).
//!
//! Everything is a pure function of the [`ColocSpec`] (SplitMix64, no
//! external RNG), so the instances are identical on every machine and thread
//! count. Sizes: [`ColocSpec::kent`] (`K`: 900 zones × 200 sites, the Kent
//! scale) and [`ColocSpec::medium`] (`M`: 5,000 zones × 400 sites), each with
//! three services; [`ColocSpec::sized`] takes the name.
//!
//! # Example
//! ```
//! use hubplan_solver::services::synthetic::{colocation, ColocSpec};
//! use hubplan_solver::synthetic::Spec;
//! let spec = ColocSpec { spec: Spec { zones: 60, sites: 12, side_km: 20.0, towns: 2, ..Spec::small(3) }, ..ColocSpec::kent(3) };
//! let inst = colocation(&spec);
//! assert_eq!(inst.n_services, 3);
//! assert!(inst.validate().is_ok());
//! assert_eq!(inst, colocation(&spec)); // same seed, same instance
//! ```

use crate::instance::Fixing;
use crate::synthetic::{generate, Spec, SplitMix64};

use super::instance::{
    Coverage, HostOption, ServiceArc, ServiceClient, ServiceInstance, ServiceObjective, ServiceSite,
};

/// Parameters of a capacitated co-location instance. Every per-service list
/// has one entry per service (their common length is the number of services).
#[derive(Clone, Debug, PartialEq)]
pub struct ColocSpec {
    /// The geography: zones (need 50–400), sites (annual cost £20k–120k), and
    /// the minutes of every zone–site pair within `spec.threshold_min`.
    pub spec: Spec,
    /// Per service, its travel-time limit in minutes (≤ `spec.threshold_min`).
    pub limits: Vec<f64>,
    /// Per service, the share of a zone's need that needs it; the client's
    /// need is `round(need × share × U[0.6, 1.4))` (pairs with need 0 are left out).
    pub shares: Vec<f64>,
    /// Per service, the space it takes in a building.
    pub space: Vec<f64>,
    /// Per service, total demand capacity over the sites that may host it as a
    /// multiple of its total need (1.3–1.5 keeps capacity binding).
    pub ratio: Vec<f64>,
    /// Building space: each site's capacity is drawn from these values with
    /// the weights of `space_weights`.
    pub space_levels: Vec<f64>,
    /// Weights of `space_levels`.
    pub space_weights: Vec<f64>,
    /// Probability that a site may host a given service.
    pub host_prob: f64,
    /// Share of sites that are candidates (not in use today: an opening cost
    /// of £40k–150k, no service hosted today).
    pub candidate_share: f64,
    /// Probability that an existing site hosts a service of its reference set today
    /// (no conversion cost there; elsewhere £5k–40k).
    pub today_prob: f64,
    /// Share of existing sites forced open (`limits.keep`); 0 = no forced decision.
    pub keep_share: f64,
}

impl ColocSpec {
    /// Three services (children's centre: space 2, 35 min, 25 % of the need;
    /// youth: space 1, 30 min, 15 %; health visiting: space 1, 35 min, 20 %),
    /// capacity ratios 1.3 / 1.4 / 1.5, building space 2, 3 or 4 (weights
    /// 0.3 / 0.4 / 0.3), hosting probability 0.85, 20 % candidates, today's
    /// probability 0.75, no forced site, on the geography `spec`.
    pub fn three_services(spec: Spec) -> ColocSpec {
        ColocSpec {
            spec,
            limits: vec![35.0, 30.0, 35.0],
            shares: vec![0.25, 0.15, 0.20],
            space: vec![2.0, 1.0, 1.0],
            ratio: vec![1.3, 1.4, 1.5],
            space_levels: vec![2.0, 3.0, 4.0],
            space_weights: vec![0.3, 0.4, 0.3],
            host_prob: 0.85,
            candidate_share: 0.2,
            today_prob: 0.75,
            keep_share: 0.0,
        }
    }
    /// `K`: 900 zones × 200 sites on a 90 km square with 12 towns (the
    /// geography of [`crate::synthetic::CapSpec::kent`]), three services.
    pub fn kent(seed: u64) -> ColocSpec {
        ColocSpec::three_services(Spec {
            zones: 900,
            sites: 200,
            side_km: 90.0,
            towns: 12,
            ..Spec::small(seed)
        })
    }
    /// `M`: 5,000 zones × 400 sites (the clustered M geography, [`Spec::medium`]), three services.
    pub fn medium(seed: u64) -> ColocSpec {
        ColocSpec::three_services(Spec::medium(seed))
    }
    /// `L`: 33,000 zones × 3,500 sites (the national L geography,
    /// [`Spec::large`]), three services: issue 13's memory row.
    pub fn large(seed: u64) -> ColocSpec {
        ColocSpec::three_services(Spec::large(seed))
    }
    /// By name: `K`, `M` or `L`.
    pub fn sized(size: &str, seed: u64) -> Option<ColocSpec> {
        match size {
            "K" => Some(ColocSpec::kent(seed)),
            "M" => Some(ColocSpec::medium(seed)),
            "L" => Some(ColocSpec::large(seed)),
            _ => None,
        }
    }
}

/// A capacitated co-location instance under `MinCost`, split assignment.
///
/// Construction, per site `j` (in order, from one seeded stream):
/// candidate with probability `candidate_share` (opening cost £40k–150k) or
/// existing (no opening cost); building space from `space_levels`; the
/// services it may host, each with probability `host_prob` (at least one);
/// a **reference set** — its services in a random order, each kept while it
/// fits in the space; the services hosted today — for an existing site,
/// each of the reference set with probability `today_prob` (conversion cost
/// 0; any other hosting costs £5k–40k once). The annual cost is the
/// geography's (£20k–120k). A share `keep_share` of existing sites is forced open.
///
/// Per service `s`: a client per zone with need `round(need × share_s ×
/// U[0.6, 1.4))` > 0, its arcs the sites within `limits[s]` that may host
/// `s`, kept only when one of them has `s` in its reference set (so the
/// **reference plan** — every site open hosting its reference set — places
/// every need: the instance is feasible). Every client is required
/// (`MinCost`). The demand capacity of `s` at a site that may host it is
/// `U_js = ⌈max(1.05 × L_js, c_s × w_js)⌉`, with `L_js` the need whose
/// nearest reference host of `s` is `j`, `w_js` uniform in `[0.5, 1.5)` and
/// `c_s` set by bisection so that `Σ_j U_js = ratio[s] × Σ need_s`.
/// Capacity is drawn independently of every cost, so the cheapest sites do
/// not hold the need alone, and the space limits mean a site cannot always
/// offer all its capacities at once (the capacities binding in practice).
///
/// # Panics
/// Never for the built-in specs; a spec whose per-service lists have
/// different lengths uses the shortest.
pub fn colocation(c: &ColocSpec) -> ServiceInstance {
    let g = generate(&c.spec);
    let n = g.cost.len();
    let ns = c.limits.len().min(c.shares.len()).min(c.space.len()).min(c.ratio.len());
    let mut rng = SplitMix64(c.spec.seed ^ 0x636f_6c6f_6361_7465);
    let level_total: f64 = c.space_weights.iter().sum();
    let mut sites = Vec::with_capacity(n);
    let mut reference: Vec<Vec<bool>> = Vec::with_capacity(n);
    for j in 0..n {
        let candidate = rng.unit() < c.candidate_share;
        let open_cost = if candidate {
            rng.range(40.0, 150.0).round() * 1000.0
        } else {
            0.0
        };
        let mut pick = rng.unit() * level_total;
        let mut room = c.space_levels.last().copied().unwrap_or(0.0);
        for (l, w) in c.space_levels.iter().zip(&c.space_weights) {
            if pick < *w {
                room = *l;
                break;
            }
            pick -= w;
        }
        let mut may: Vec<bool> = (0..ns).map(|_| rng.unit() < c.host_prob).collect();
        if ns > 0 && !may.contains(&true) {
            may[(rng.next_u64() % ns as u64) as usize] = true;
        }
        // The reference set: the services in a random order, each kept while it fits.
        let mut order: Vec<usize> = (0..ns).collect();
        for k in (1..ns).rev() {
            order.swap(k, (rng.next_u64() % (k as u64 + 1)) as usize);
        }
        let mut refset = vec![false; ns];
        let mut used = 0.0;
        for &s in &order {
            if may[s] && used + c.space[s] <= room + 1e-9 {
                refset[s] = true;
                used += c.space[s];
            }
        }
        let mut hosts = Vec::new();
        for s in 0..ns {
            let today = !candidate && refset[s] && rng.unit() < c.today_prob;
            let conversion = rng.range(5.0, 40.0).round() * 1000.0;
            if may[s] {
                hosts.push(HostOption {
                    service: s as u32,
                    conversion_cost: if today { 0.0 } else { conversion },
                    space: c.space[s],
                    fixing: Fixing::Free,
                    max_users: None,
                });
            }
        }
        let keep = !candidate && rng.unit() < c.keep_share;
        sites.push(ServiceSite {
            annual_cost: g.cost[j],
            open_cost,
            capacity: Some(room),
            hosts,
            fixing: if keep { Fixing::Open } else { Fixing::Free },
        });
        reference.push(refset);
    }
    let mut clients = Vec::new();
    for s in 0..ns {
        let mut home = vec![0.0; n];
        let mut total = 0.0;
        for (i, reach) in g.reach.iter().enumerate() {
            let need = (g.need[i] * c.shares[s] * rng.range(0.6, 1.4)).round();
            if need <= 0.0 {
                continue;
            }
            let arcs: Vec<ServiceArc> = reach
                .iter()
                .filter(|&&(j, t)| t <= c.limits[s] && sites[j as usize].hosts.iter().any(|h| h.service == s as u32))
                .map(|&(site, minutes)| ServiceArc { site, minutes })
                .collect();
            let nearest = arcs
                .iter()
                .filter(|a| reference[a.site as usize][s])
                .min_by(|a, b| a.minutes.total_cmp(&b.minutes).then(a.site.cmp(&b.site)));
            let Some(near) = nearest else { continue };
            home[near.site as usize] += need;
            total += need;
            clients.push(ServiceClient {
                service: s as u32,
                need,
                arcs,
                coverage: Coverage::Required,
            });
        }
        let capable: Vec<usize> = (0..n)
            .filter(|&j| sites[j].hosts.iter().any(|h| h.service == s as u32))
            .collect();
        let w: Vec<f64> = capable.iter().map(|_| rng.range(0.5, 1.5)).collect();
        let want = c.ratio[s] * total;
        let sum = |k: f64| {
            capable
                .iter()
                .zip(&w)
                .map(|(&j, &wj)| (1.05 * home[j]).max(k * wj))
                .sum::<f64>()
        };
        let (mut lo, mut hi) = (0.0, want.max(1.0));
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if sum(mid) < want {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        for (&j, &wj) in capable.iter().zip(&w) {
            let cap = (1.05 * home[j]).max(hi * wj).ceil();
            if let Some(h) = sites[j].hosts.iter_mut().find(|h| h.service == s as u32) {
                h.max_users = Some(cap);
            }
        }
    }
    let mut inst = ServiceInstance::new(ns);
    inst.sites = sites;
    inst.clients = clients;
    inst.objective = ServiceObjective::MinCost;
    inst
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{SolveOptions, Status};
    use crate::services::capcut;
    use crate::services::solve::ServiceBackend;
    use crate::services::testutil::{agrees_with_mip, capacity_binds};

    fn small(seed: u64, zones: usize, sites: usize) -> ColocSpec {
        ColocSpec {
            spec: Spec {
                zones,
                sites,
                side_km: 14.0,
                towns: 2,
                ..Spec::small(seed)
            },
            ..ColocSpec::kent(seed)
        }
    }

    #[test]
    fn deterministic_and_well_formed() {
        let a = colocation(&ColocSpec::kent(5));
        let b = colocation(&ColocSpec::kent(5));
        assert_eq!(a, b);
        assert_ne!(a, colocation(&ColocSpec::kent(6)));
        assert!(a.validate().is_ok());
        assert_eq!(a.n_services, 3);
        for s in 0..3u32 {
            let need: f64 = a.clients.iter().filter(|c| c.service == s).map(|c| c.need).sum();
            let cap: f64 = a
                .sites
                .iter()
                .flat_map(|x| &x.hosts)
                .filter(|h| h.service == s)
                .map(|h| h.max_users.unwrap())
                .sum();
            assert!(
                need > 0.0 && cap >= 1.29 * need && cap <= 1.51 * need,
                "service {s}: {cap} / {need}"
            );
        }
        // Space limits bind: some site may host services that do not all fit.
        assert!(a.sites.iter().any(|s| {
            let all: f64 = s.hosts.iter().map(|h| h.space).sum();
            all > s.capacity.unwrap()
        }));
    }

    /// Small generated instances: the default search (Hall cuts,
    /// branch-and-cut) and the MIP with assignment variables agree.
    #[test]
    fn small_generated_instances_match_the_assignment_mip() {
        let opts = SolveOptions::default();
        let (mut solved, mut binding) = (0, 0);
        for seed in 1..=4 {
            let inst = colocation(&small(seed, 48, 10));
            assert!(capcut::applies(
                &inst,
                ServiceObjective::MinCost,
                false,
                ServiceBackend::Microlp
            ));
            let a = capcut::solve_stage(&inst, 60.0, &opts).unwrap();
            let Some((_, va, _)) = agrees_with_mip(&inst, &opts, a, &format!("seed {seed}"), "cuts") else {
                panic!("seed {seed}: not solved by both");
            };
            // Without the demand capacities the optimum is cheaper: they bind.
            binding += usize::from(capacity_binds(&inst, &opts, va));
            solved += 1;
        }
        assert_eq!(solved, 4);
        assert!(binding >= 2, "capacity binds on {binding} of 4");
    }

    /// The default search gives the same plan, bound and node count on rayon
    /// pools of 1 and 2 threads (on instances whose tree branches).
    #[test]
    fn same_answer_on_one_and_two_threads() {
        let opts = SolveOptions::default();
        let mut branched = 0;
        for seed in 1..=2 {
            let mut spec = small(seed, 300, 40);
            spec.spec.side_km = 30.0;
            spec.spec.towns = 4;
            let inst = colocation(&spec);
            let run = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| crate::services::solve_services(&inst, &opts, ServiceBackend::Microlp).unwrap())
            };
            let (a, b) = (run(1), run(2));
            assert_eq!(a.status, Status::Optimal, "seed {seed}");
            assert_eq!(
                (&a.decision, a.objective.to_bits(), a.bound.to_bits(), a.nodes),
                (&b.decision, b.objective.to_bits(), b.bound.to_bits(), b.nodes),
                "seed {seed}"
            );
            if a.nodes > 1 {
                branched += 1;
            }
        }
        assert!(branched >= 1, "no tree branched");
    }
}
