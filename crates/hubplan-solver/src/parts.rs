//! Independent parts of the coverage graph (crate-private; docs/SOLVER.md
//! §Independent parts).
//!
//! Clients and sites are the two sides of a bipartite graph with one edge per
//! arc. When no constraint ties sites together across the whole instance (no
//! budget, no cardinality), the objective `Σ f_j y_j + Σ c_ia x_ia + Σ U_i u_i`
//! and every other row (assignment, linking, capacity) stay inside one
//! connected component of that graph, so the optimum is the sum of the
//! components' optima and a lower bound of each component adds up to a lower
//! bound of the whole. [`split`] finds the components with petgraph's
//! union–find in `O(|arcs| α(n + m))` and cuts the instance into one
//! [`Instance`] per component; [`solve_by_parts`] solves them one after the
//! other and puts the answers back together.
//!
//! Why it pays: a branch-and-bound on the whole instance multiplies the
//! choices of unrelated areas (a node fixes a site in one town, its children
//! re-decide every other town), while per part each tree only branches on its
//! own sites, and the small parts close at once. A clustered county, or a
//! national run whose travel-time limit keeps regions apart, splits this way.
//!
//! Sites without arcs are settled directly (open only when forced open: they
//! cost and serve nothing); clients without arcs are unserved at their cost
//! (a must-serve client without arcs makes the whole instance infeasible, as
//! in the searches themselves).
//!
//! Time: the parts run from the smallest to the largest (by arcs); each gets
//! the remaining time in proportion to its arcs among the parts still to run,
//! so time a small part does not use passes to the larger ones, and the
//! largest runs to the deadline (every part gets at least a second, or what
//! is left, so that a tiny part is never stopped before its root). Gaps: each part keeps the relative gap (a
//! sum of parts within `r` of their bounds is within `r` of the sum) and a
//! share of the absolute gap.

use crate::capacity::{CapacityOutcome, Flows};
use crate::instance::{Fixing, Instance, InstanceError};
use crate::outcome::{Outcome, SolveOptions, Status};
use petgraph::unionfind::UnionFind;
use std::time::{Duration, Instant};

/// One connected component: its instance and where its sites and clients sit
/// in the whole instance.
pub(crate) struct Part {
    /// The component as an instance of its own (sites and clients renumbered).
    pub inst: Instance,
    /// Whole-instance index of each of the part's sites.
    pub sites: Vec<u32>,
    /// Whole-instance index of each of the part's clients.
    pub clients: Vec<u32>,
}

/// The instance cut into its independent parts, and what is settled without a search.
pub(crate) struct Split {
    /// The components with at least one arc, smallest (by arcs) first.
    pub parts: Vec<Part>,
    /// Sites without arcs (open iff forced open).
    pub lone_sites: Vec<u32>,
    /// Clients without arcs (unserved).
    pub lone_clients: Vec<u32>,
}

/// The independent parts of `inst`, or `None` when there is nothing to gain:
/// a budget or a cardinality couples every site, or the arcs form one
/// component. Sites and clients keep their relative order inside each part,
/// so the parts do not depend on anything but the data.
pub(crate) fn split(inst: &Instance) -> Option<Split> {
    if inst.budget.is_some() || inst.cardinality.is_some() {
        return None;
    }
    let (n, m) = (inst.n_sites(), inst.n_clients());
    // Vertices: sites 0..n, clients n..n+m.
    let mut uf = UnionFind::<u32>::new(n + m);
    let mut site_used = vec![false; n];
    for i in 0..m {
        for a in inst.arcs_of(i) {
            uf.union((n + i) as u32, a.site);
            site_used[a.site as usize] = true;
        }
    }
    let (comp, count) = label_components(&uf, &site_used, n + m);
    if count < 2 {
        return None;
    }
    let mut sites: Vec<Vec<u32>> = vec![Vec::new(); count as usize];
    let mut lone_sites = Vec::new();
    for j in 0..n {
        if site_used[j] {
            sites[comp[j] as usize].push(j as u32);
        } else {
            lone_sites.push(j as u32);
        }
    }
    let mut clients: Vec<Vec<u32>> = vec![Vec::new(); count as usize];
    let mut lone_clients = Vec::new();
    for i in 0..m {
        if inst.arcs_of(i).is_empty() {
            lone_clients.push(i as u32);
        } else {
            clients[comp[n + i] as usize].push(i as u32);
        }
    }
    let mut local = vec![0u32; n];
    let mut parts: Vec<Part> = sites
        .into_iter()
        .zip(clients)
        .map(|(sites, clients)| {
            for (k, &j) in sites.iter().enumerate() {
                local[j as usize] = k as u32;
            }
            let mut p = Instance::with_sites(sites.len());
            for (k, &j) in sites.iter().enumerate() {
                let j = j as usize;
                p.fixed_cost[k] = inst.fixed_cost[j];
                p.budget_cost[k] = inst.budget_cost[j];
                p.fixing[k] = inst.fixing[j];
                p.capacity[k] = inst.capacity[j];
            }
            for &i in &clients {
                let i = i as usize;
                let arcs = inst
                    .arcs_of(i)
                    .iter()
                    .map(|a| crate::instance::Arc {
                        site: local[a.site as usize],
                        cost: a.cost,
                    })
                    .collect();
                p.push_client(arcs, inst.unserved_cost[i], inst.demand[i]);
            }
            Part {
                inst: p,
                sites,
                clients,
            }
        })
        .collect();
    // Smallest first; ties by first site (already the order), so stable.
    parts.sort_by_key(|p| p.inst.arcs.len());
    Some(Split {
        parts,
        lone_sites,
        lone_clients,
    })
}

/// Numbers the components of `uf` that hold a used site, in order of their
/// first used site, for [`split`] and `services::parts::split`. The vertices
/// are the sites `0..site_used.len()` and then the clients, `vertices` in all.
/// Returns each vertex's component (`u32::MAX` for a vertex in none of them:
/// an unused site, a client without arcs) and how many components there are.
pub(crate) fn label_components(uf: &UnionFind<u32>, site_used: &[bool], vertices: usize) -> (Vec<u32>, u32) {
    let mut label = vec![u32::MAX; vertices];
    let mut count = 0u32;
    for (j, _) in site_used.iter().enumerate().filter(|(_, &used)| used) {
        let r = uf.find(j as u32) as usize;
        if label[r] == u32::MAX {
            label[r] = count;
            count += 1;
        }
    }
    let comp = (0..vertices).map(|v| label[uf.find(v as u32) as usize]).collect();
    (comp, count)
}

/// The least time a part is given (unless less is left in all).
const MIN_SHARE: Duration = Duration::from_secs(1);

/// The options for the `k`-th of the parts still to run: the remaining time
/// in proportion to its arcs, the relative gap, a share of the absolute gap.
fn part_options(opts: &SolveOptions, deadline: Instant, rest: &[Part], total_parts: usize) -> SolveOptions {
    let left = deadline.saturating_duration_since(Instant::now());
    let arcs: usize = rest.iter().map(|p| p.inst.arcs.len().max(1)).sum();
    let mine = rest[0].inst.arcs.len().max(1);
    // A floor, so that a tiny part is not stopped before its root: small
    // parts end in milliseconds, and what they do not use passes on.
    let share = if rest.len() == 1 {
        left
    } else {
        Duration::from_secs_f64(left.as_secs_f64() * mine as f64 / arcs as f64).max(left.min(MIN_SHARE))
    };
    SolveOptions {
        time_limit: share,
        rel_gap: opts.rel_gap,
        abs_gap: opts.abs_gap / total_parts as f64,
    }
}

/// Solves a capacitated instance part by part with `solve_one` when it splits
/// ([`split`]), and in one piece otherwise. The answer is the same kind as
/// `solve_one`'s: status (optimal only when every part is), the plan and its
/// assignment mapped back, the objective recomputed on the whole instance,
/// the bound the sum of the parts' bounds, the nodes summed; the search's
/// `why` says how many parts there were.
pub(crate) fn solve_by_parts(
    inst: &Instance,
    opts: &SolveOptions,
    solve_one: impl Fn(&Instance, &SolveOptions) -> Result<CapacityOutcome, InstanceError>,
) -> Result<CapacityOutcome, InstanceError> {
    inst.validate()?;
    let Some(split) = split(inst) else {
        return solve_one(inst, opts);
    };
    if split
        .lone_clients
        .iter()
        .any(|&i| inst.unserved_cost[i as usize].is_none())
    {
        // A must-serve zone without a site in reach: the search says so itself.
        return solve_one(inst, opts);
    }
    let deadline = Instant::now() + opts.time_limit;
    let (n, m) = (inst.n_sites(), inst.n_clients());
    let mut open = vec![false; n];
    let mut flows: Flows = vec![Vec::new(); m];
    let mut bound = 0.0;
    let mut nodes = 0;
    let mut all_optimal = true;
    let mut no_plan = false;
    let mut last: Option<Outcome> = None;
    for &j in &split.lone_sites {
        if inst.fixing[j as usize] == Fixing::Open {
            open[j as usize] = true;
            bound += inst.fixed_cost[j as usize];
        }
    }
    for &i in &split.lone_clients {
        bound += inst.unserved_cost[i as usize].unwrap_or(0.0);
    }
    let total = split.parts.len();
    for k in 0..total {
        let part = &split.parts[k];
        let o = part_options(opts, deadline, &split.parts[k..], total);
        let started = Instant::now();
        let out = solve_one(&part.inst, &o)?;
        log::debug!(
            "part {}/{total}: {} zones × {} sites ({} arcs), {:.1} s given, {:.1} s used: {:?} {:.1} bound {:.1} ({} nodes)",
            k + 1,
            part.clients.len(),
            part.sites.len(),
            part.inst.arcs.len(),
            o.time_limit.as_secs_f64(),
            started.elapsed().as_secs_f64(),
            out.outcome.status,
            out.outcome.objective,
            out.outcome.bound,
            out.outcome.nodes
        );
        nodes += out.outcome.nodes;
        match out.outcome.status {
            Status::Infeasible => {
                return Ok(CapacityOutcome {
                    outcome: Outcome { nodes, ..out.outcome },
                    flows: Vec::new(),
                })
            }
            Status::Optimal => {}
            _ => all_optimal = false,
        }
        bound += out.outcome.bound;
        if out.outcome.open.is_empty() {
            no_plan = true;
        } else {
            for (k, &j) in part.sites.iter().enumerate() {
                open[j as usize] = out.outcome.open[k];
            }
            for (k, f) in out.flows.iter().enumerate() {
                flows[part.clients[k] as usize] = f.iter().map(|&(s, x)| (part.sites[s as usize], x)).collect();
            }
        }
        last = Some(out.outcome);
    }
    let Some(last) = last else {
        return solve_one(inst, opts);
    };
    let why = format!(
        "{}; the coverage graph splits into {total} independent parts, solved one by one (bound: the sum of theirs)",
        last.why
    );
    if no_plan {
        return Ok(CapacityOutcome {
            outcome: Outcome {
                status: Status::Unknown,
                open: Vec::new(),
                objective: f64::INFINITY,
                bound,
                nodes,
                why,
                ..last
            },
            flows: Vec::new(),
        });
    }
    let Some(objective) = crate::capacity::assignment_objective(inst, &open, &flows) else {
        return Err(InstanceError::Backend(format!(
            "{}: the parts' plans do not fit together",
            last.solver
        )));
    };
    Ok(CapacityOutcome {
        outcome: Outcome {
            status: if all_optimal { Status::Optimal } else { Status::Feasible },
            open,
            objective,
            bound: bound.min(objective),
            nodes,
            why,
            ..last
        },
        flows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Arc, Cardinality};

    fn arc(site: u32, cost: f64) -> Arc {
        Arc { site, cost }
    }

    /// Sites 0 and 2 share zones; site 1 is alone with its zone; site 3 has no zone.
    fn three_parts() -> Instance {
        let mut inst = Instance::with_sites(4);
        inst.fixed_cost = vec![1.0, 2.0, 3.0, 4.0];
        inst.capacity = vec![Some(5.0), Some(6.0), None, Some(7.0)];
        inst.push_client(vec![arc(0, 1.0), arc(2, 2.0)], None, 1.0);
        inst.push_client(vec![arc(1, 3.0)], Some(9.0), 2.0);
        inst.push_client(vec![arc(2, 4.0)], None, 3.0);
        inst.push_client(Vec::new(), Some(8.0), 4.0);
        inst
    }

    #[test]
    fn components_are_cut_out_and_renumbered() {
        let s = split(&three_parts()).unwrap();
        assert_eq!(s.lone_sites, vec![3]);
        assert_eq!(s.lone_clients, vec![3]);
        assert_eq!(s.parts.len(), 2);
        // Smallest (by arcs) first: site 1 with its one zone.
        let (a, b) = (&s.parts[0], &s.parts[1]);
        assert_eq!((a.sites.clone(), a.clients.clone()), (vec![1], vec![1]));
        assert_eq!(a.inst.arcs, vec![arc(0, 3.0)]);
        assert_eq!(a.inst.unserved_cost, vec![Some(9.0)]);
        assert_eq!(a.inst.capacity, vec![Some(6.0)]);
        assert_eq!((b.sites.clone(), b.clients.clone()), (vec![0, 2], vec![0, 2]));
        assert_eq!(b.inst.fixed_cost, vec![1.0, 3.0]);
        assert_eq!(b.inst.arcs, vec![arc(0, 1.0), arc(1, 2.0), arc(1, 4.0)]);
        assert_eq!(b.inst.demand, vec![1.0, 3.0]);
        for p in &s.parts {
            p.inst.validate().unwrap();
        }
    }

    #[test]
    fn components_are_numbered_by_their_first_used_site() {
        // Sites 0..4, clients 4..7: client 4 joins sites 2 and 3, client 5 site 1,
        // client 6 has no arc, site 0 is unused.
        let mut uf = UnionFind::<u32>::new(7);
        uf.union(4, 3);
        uf.union(4, 2);
        uf.union(5, 1);
        let (comp, count) = label_components(&uf, &[false, true, true, true], 7);
        assert_eq!(count, 2);
        assert_eq!(comp, vec![u32::MAX, 0, 1, 1, 1, 0, u32::MAX]);
    }

    #[test]
    fn coupled_or_connected_instances_are_not_split() {
        let mut inst = three_parts();
        inst.budget = Some(10.0);
        assert!(split(&inst).is_none());
        let mut inst = three_parts();
        inst.cardinality = Some(Cardinality { min: 1, max: 2 });
        assert!(split(&inst).is_none());
        let mut inst = Instance::with_sites(2);
        inst.push_client(vec![arc(0, 1.0), arc(1, 1.0)], None, 1.0);
        inst.push_client(vec![arc(1, 1.0)], None, 1.0);
        assert!(split(&inst).is_none());
    }
}
