//! Warm re-plans of a what-if (issue 13 §warm starts).
//!
//! A what-if forces one building (or a few) open or closed on the instance a
//! plan was just solved for. That only adds bounds `y_j = 1` or `y_j = 0`: the
//! what-if is a restriction of the solved problem. So what the solved search
//! learnt stays valid, and the re-plan reuses it instead of starting cold
//! (Gamrath, Hiller & Witzig 2015, reoptimisation of a branch-and-bound tree):
//!
//! * **the reduced problem** (`prep`) of the solved instance, with the new
//!   fixings set on it — no preprocessing again;
//! * **the root LP** of the LP search (`lpbb`) as it ended: its generated
//!   covering rows, its odd-cycle cuts (valid for every integer point of the
//!   solved problem, so of the what-if) and its final basis; each restarted
//!   node is that LP with its fixings applied by the dual simplex, a few pivots
//!   instead of a cold root LP;
//! * **the pseudocosts** the LP search ended with: the re-plan's branching
//!   scores its reliable sites by them instead of strong branching (M what-if,
//!   one site forced open with the gap of uncovered need: 0.098 s → 0.076 s,
//!   cold 0.11 s);
//! * **the tree's regions** ([`crate::tree::Region`]): the leaves of the
//!   solved tree — regions pruned by bound, regions whose LP optimum was an
//!   integral plan, nodes left open — cover every feasible plan. Under the new
//!   fixings a region that fixed the site the other way is empty and dropped;
//!   a region whose integral plan satisfies them is solved (that plan is its
//!   optimum: a candidate, nothing to search); every other region restarts with
//!   its old bound, still valid for the restriction, and is re-solved only if
//!   the tree reaches it (its bound below the what-if's cutoff).
//!
//! The re-plan is exact as a cold solve: the same optimum within the gap and a
//! proven bound (the least bound of the restarted regions and of the regions
//! the new tree discards). It runs on the deterministic tree of
//! [`crate::tree`], so its answer does not depend on the thread count.
//!
//! The state is refused with an error when the instance differs from the one
//! it was made for in anything but its fixings ([`fingerprint`]), and not used
//! (the re-plan then starts from the plan only, and `why` says so) when the
//! fixings change otherwise than from free to forced, when presolve had forced
//! or closed a changed site, or when presolve closed dominated sites and the
//! what-if forces a site closed (the domination argument may then fail).
//!
//! Reference: G. Gamrath, B. Hiller & J. Witzig (2015), Reoptimization
//! techniques for MIP solvers, SEA 2015, LNCS 9125.

use crate::instance::{Fixing, Instance, InstanceError};
use crate::lpbb::Kept;
use crate::prep::Prob;
use crate::tree::Candidate;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What a solve leaves for re-planning what-ifs on the same instance
/// ([`crate::solve_with_state`] returns it, [`crate::solve_warm`] takes it in
/// [`crate::WarmStart::state`]): the reduced problem, the LP search's root LP
/// with its rows, cuts and basis, and the regions of its tree. Opaque; kept in
/// memory only (nothing of it is written to a plan). Empty (the default) when
/// the solve ran another search than the LP search or did not get past the
/// root LP; an empty state re-plans from the plan alone.
///
/// Cloning is cheap (shared).
#[derive(Clone, Default)]
pub struct WarmState {
    inner: Option<Arc<Inner>>,
}

pub(crate) struct Inner {
    /// [`fingerprint`] of the solved instance.
    pub(crate) fingerprint: u64,
    /// Its fixings.
    pub(crate) fixing: Vec<Fixing>,
    /// Its reduced problem.
    pub(crate) p: Box<Prob>,
    /// The LP search's root LP and regions.
    pub(crate) kept: Kept,
}

impl WarmState {
    pub(crate) fn new(inst: &Instance, p: &Prob, kept: Kept) -> Self {
        WarmState {
            inner: Some(Arc::new(Inner {
                fingerprint: fingerprint(inst),
                fixing: inst.fixing.clone(),
                p: Box::new(p.clone()),
                kept,
            })),
        }
    }
    pub(crate) fn inner(&self) -> Option<&Inner> {
        self.inner.as_deref()
    }
    /// No state: a re-plan with it starts from the plan alone.
    pub fn is_empty(&self) -> bool {
        self.inner.is_none()
    }
    /// Regions of the kept tree (0 when empty): how much a re-plan can restart from.
    pub fn regions(&self) -> usize {
        self.inner.as_ref().map_or(0, |i| i.kept.regions.len())
    }
}

impl std::fmt::Debug for WarmState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            None => write!(f, "WarmState(empty)"),
            Some(i) => write!(
                f,
                "WarmState(lp-bb: {} sites, {} regions)",
                i.fixing.len(),
                i.kept.regions.len()
            ),
        }
    }
}

/// Two states are equal when they are the same state (or both empty).
impl PartialEq for WarmState {
    fn eq(&self, o: &Self) -> bool {
        match (&self.inner, &o.inner) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}
impl Eq for WarmState {}

/// A hash of everything in the instance but its fixings (sites, costs, budget,
/// cardinality, capacities, clients, arcs, unserved costs, demands): a state
/// made for one instance is refused on another.
pub(crate) fn fingerprint(inst: &Instance) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let f = |v: &[f64], h: &mut std::collections::hash_map::DefaultHasher| {
        v.len().hash(h);
        for x in v {
            x.to_bits().hash(h);
        }
    };
    f(&inst.fixed_cost, &mut h);
    f(&inst.budget_cost, &mut h);
    inst.budget.map(f64::to_bits).hash(&mut h);
    inst.cardinality.map(|c| (c.min, c.max)).hash(&mut h);
    inst.capacity.len().hash(&mut h);
    for c in &inst.capacity {
        c.map(f64::to_bits).hash(&mut h);
    }
    inst.arc_start.hash(&mut h);
    for a in &inst.arcs {
        (a.site, a.cost.to_bits()).hash(&mut h);
    }
    inst.unserved_cost.len().hash(&mut h);
    for u in &inst.unserved_cost {
        u.map(f64::to_bits).hash(&mut h);
    }
    f(&inst.demand, &mut h);
    h.finish()
}

/// Refuses a state made for another instance.
pub(crate) fn check(inner: &Inner, inst: &Instance) -> Result<(), InstanceError> {
    if inner.fixing.len() != inst.n_sites() || inner.fingerprint != fingerprint(inst) {
        return Err(InstanceError::WarmState(format!(
            "the warm state was made for another instance ({} sites; this one has {} sites{})",
            inner.fixing.len(),
            inst.n_sites(),
            if inner.fixing.len() == inst.n_sites() {
                " but different costs, clients, arcs or side constraints"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// Presolve closed dominated sites (`prep`: a site whose clients another
/// site serves as cheaply, for no more fixed and budget cost): an optimal plan
/// without them exists because each can be swapped for its dominator. A
/// what-if that forces a site closed may close that dominator, so each
/// dominated site must still have a dominator the what-if leaves available
/// (checked on the instance's arcs, which is stricter than presolve's).
fn dominated_still(inner: &Inner, inst: &Instance, p: &Prob) -> Result<(), String> {
    let n = inst.n_sites();
    let closed: Vec<usize> = (0..n)
        .filter(|&j| inner.fixing[j] == Fixing::Free && inner.p.fix[j] == Fixing::Closed)
        .collect();
    if closed.is_empty() {
        return Ok(());
    }
    // Site -> (client, cost) over the arcs cheaper than the client's unserved cost.
    let mut col: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for i in 0..inst.n_clients() {
        let u = inst.unserved_cost[i].unwrap_or(f64::INFINITY);
        for a in inst.arcs_of(i) {
            if a.cost < u {
                col[a.site as usize].push((i as u32, a.cost));
            }
        }
    }
    let covers = |k: usize, j: usize| {
        let (cj, ck) = (&col[j], &col[k]);
        let mut q = 0;
        cj.iter().all(|&(c, cost)| {
            while q < ck.len() && ck[q].0 < c {
                q += 1;
            }
            q < ck.len() && ck[q].0 == c && ck[q].1 <= cost
        })
    };
    for &j in &closed {
        let ok = (0..n).any(|k| {
            k != j
                && p.fix[k] != Fixing::Closed
                && inst.fixed_cost[k] <= inst.fixed_cost[j]
                && inst.budget_cost[k] <= inst.budget_cost[j]
                && covers(k, j)
        });
        if !ok {
            return Err(format!(
                "presolve of the kept solve closed site {j} as dominated, and no site the what-if leaves available dominates it"
            ));
        }
    }
    Ok(())
}

/// A re-plan ready to run: the problem with the new fixings, the regions to
/// restart (bound, decisions including the new fixings), the solved regions'
/// plans, and counts for the report.
pub(crate) struct Replan {
    pub(crate) p: Prob,
    pub(crate) starts: Vec<(f64, Vec<(u32, bool)>)>,
    pub(crate) plans: Vec<Candidate>,
    pub(crate) dropped: usize,
    pub(crate) changes: Vec<(u32, bool)>,
}

/// The re-plan of `inst` (checked by [`check`]) from the state, or why the
/// state cannot be used for it.
pub(crate) fn replan(inner: &Inner, inst: &Instance) -> Result<Replan, String> {
    let mut changes: Vec<(u32, bool)> = Vec::new();
    for (j, (&was, &now)) in inner.fixing.iter().zip(&inst.fixing).enumerate() {
        if was == now {
            continue;
        }
        if was != Fixing::Free || now == Fixing::Free {
            return Err(format!(
                "site {j} was {was:?} in the kept solve and is {now:?} now (only free sites newly forced can reuse it)"
            ));
        }
        if inner.p.fix[j] != Fixing::Free {
            return Err(format!(
                "presolve of the kept solve fixed site {j} ({:?})",
                inner.p.fix[j]
            ));
        }
        changes.push((j as u32, now == Fixing::Open));
    }
    let mut p = (*inner.p).clone();
    for &(j, open) in &changes {
        p.fix[j as usize] = if open { Fixing::Open } else { Fixing::Closed };
    }
    if changes.iter().any(|&(_, open)| !open) {
        dominated_still(inner, inst, &p)?;
    }
    let mut starts = Vec::new();
    let mut plans = Vec::new();
    let mut dropped = 0;
    for r in &inner.kept.regions {
        if r.decisions
            .iter()
            .any(|&(j, o)| changes.iter().any(|&(k, ok)| k == j && ok != o))
        {
            dropped += 1;
            continue;
        }
        if let Some((z, open)) = &r.plan {
            if changes.iter().all(|&(j, o)| open[j as usize] == o) && p.side_ok(open) {
                plans.push((*z, open.clone()));
                continue;
            }
        }
        let mut d = r.decisions.clone();
        for c in &changes {
            if !d.contains(c) {
                d.push(*c);
            }
        }
        starts.push((r.bound, d));
    }
    Ok(Replan {
        p,
        starts,
        plans,
        dropped,
        changes,
    })
}
