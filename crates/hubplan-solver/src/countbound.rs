//! Too few sites: a quick proof that a site count cannot serve every client.
//!
//! A scenario that asks for exactly (or at most) `p` open sites and requires
//! every client to be served is infeasible when every cover of the
//! must-serve clients needs more than `p` sites. The tree searches do not see
//! this quickly: their heuristics fail at every node (each greedy repair adds
//! sites until the count is reached, `O(p · arcs)`), and their bounds do not
//! prove it. All of England's LSOAs with a p-median of 300 buildings over a
//! matrix cut at 60 minutes ran its 120 s limit without a plan or a proof.
//!
//! This module bounds the fewest sites from below by the Lagrangian dual of
//! the unit-cost set covering LP over the must-serve clients and the free
//! sites (Held & Karp 1971; Beasley 1990):
//!
//! `L(u) = Σ_i u_i + Σ_j min(0, 1 − Σ_{i ∈ N(j)} u_i)`, `u ≥ 0`,
//!
//! a valid lower bound for every `u`, raised by subgradient steps (Polyak's
//! step towards the target `hi − forced + 1`, the value that proves
//! infeasibility). Sites forced open count themselves; clients they reach
//! are no longer must-serve after presolve, so leaving them out keeps the
//! bound valid.
//!
//! # Complexity
//! `O(iterations · arcs)`; at most [`MAX_ITER`] iterations and the deadline.
//! On England (32,258 clients, 3.6M arcs) a few seconds at most.
//!
//! References: M. Held & R. M. Karp (1971), The traveling-salesman problem
//! and minimum spanning trees: part II, Math. Programming 1; J. E. Beasley
//! (1990), A Lagrangian heuristic for set-covering problems, Naval Research
//! Logistics 37.

use std::time::Instant;

use crate::instance::{Arc, Fixing, Instance};
use crate::prep::{reduce, Prep, Prob};

/// Subgradient iterations at most.
pub(crate) const MAX_ITER: usize = 3000;
/// Iterations without a better bound before the step is halved.
const STALL: usize = 30;

/// Whether `p`'s site maximum may be too small to serve every must-serve
/// client: a greedy cover (lazy, `O(arcs · log n)`) needs more than `p.hi`
/// sites. When it does not, the count is no obstacle and
/// [`least_sites_bound`] need not run.
pub(crate) fn may_be_too_few(p: &Prob) -> bool {
    if p.hi >= p.n {
        return false;
    }
    let forced = p.fix.iter().filter(|&&f| f == Fixing::Open).count();
    let mut covered: Vec<bool> = (0..p.m).map(|i| p.unserved[i].is_finite()).collect();
    let gain = |j: usize, covered: &[bool]| p.site(j).0.iter().filter(|&&i| !covered[i as usize]).count();
    let mut heap: std::collections::BinaryHeap<(usize, std::cmp::Reverse<usize>)> = (0..p.n)
        .filter(|&j| p.fix[j] == Fixing::Free)
        .map(|j| (gain(j, &covered), std::cmp::Reverse(j)))
        .filter(|&(g, _)| g > 0)
        .collect();
    let mut left = covered.iter().filter(|&&c| !c).count();
    let mut opened = forced;
    while left > 0 {
        let Some((g, std::cmp::Reverse(j))) = heap.pop() else {
            return true; // no cover at all
        };
        let now = gain(j, &covered);
        if now < g {
            if now > 0 {
                heap.push((now, std::cmp::Reverse(j)));
            }
            continue;
        }
        opened += 1;
        if opened > p.hi {
            return true;
        }
        for &i in p.site(j).0 {
            if !covered[i as usize] {
                covered[i as usize] = true;
                left -= 1;
            }
        }
    }
    false
}

/// A lower bound on the sites (forced open ones included) that serve every
/// must-serve client of `p`, raised until it exceeds `hi` (then a maximum of
/// `hi` sites is proven too small), it stalls, [`MAX_ITER`] or `deadline`:
/// [`covering_bound`] on [`covering`]. `None` when every client may stay
/// unserved and no site is forced open (nothing to prove).
pub(crate) fn least_sites_bound(p: &Prob, hi: usize, deadline: Instant) -> Option<f64> {
    if (0..p.m).all(|i| p.unserved[i].is_finite()) {
        let forced = p.fix.iter().filter(|&&f| f == Fixing::Open).count() as f64;
        // Presolve may have absorbed every client into sites it forced open.
        return (forced > 0.0).then_some(forced);
    }
    covering_bound(&*covering(p)?, hi, deadline)
}

/// A plan's start when the greedy heuristics cannot reach every must-serve
/// client within a maximum of `hi` sites: a cover of at most `hi` sites
/// (forced ones included) of the covering question `q` ([`covering`]), found
/// by the row-weighting search ([`crate::rwls`]) from all sites open, before
/// `deadline`. Every search's greedy then completes it (to the site minimum,
/// then local search). All of England with a p-median of 400: the greedy
/// cover needs more than 400 sites, and the searches found no plan in 120 s.
pub(crate) fn cover_within(q: &Prob, hi: usize, deadline: Instant) -> Option<Vec<bool>> {
    let all: Vec<bool> = q.fix.iter().map(|&f| f != Fixing::Closed).collect();
    let (z, open) = crate::rwls::improve(q, &q.fix, &all, hi as f64, crate::rwls::steps(q), deadline)?;
    log::debug!("[hubplan-solver] a cover of {z} sites for a maximum of {hi}");
    (z <= hi as f64 + 1e-9).then_some(open)
}

/// The must-serve clients of `p` as a unit-cost set covering, preprocessed
/// (the same site indices and fixings); `None` when presolve finds it
/// infeasible.
pub(crate) fn covering(p: &Prob) -> Option<Box<Prob>> {
    // The pure covering question (unit costs, the must-serve clients, the
    // same fixings), preprocessed as a set covering: with equal costs a site
    // whose clients another site also reaches is dominated, which leaves
    // singleton clients that force sites open and a much stronger LP (England,
    // p = 300: the subgradient stalled at 295.5 without this presolve and
    // passed 300 in 1.3 s with it).
    let mut cover = Instance::with_sites(p.n);
    cover.fixed_cost = vec![1.0; p.n];
    cover.fixing = p.fix.clone();
    for i in (0..p.m).filter(|&i| !p.unserved[i].is_finite()) {
        let arcs = p.client(i).0.iter().map(|&site| Arc { site, cost: 0.0 }).collect();
        cover.push_client(arcs, None, 1.0);
    }
    match reduce(&cover) {
        Prep::Ok(q) => Some(q),
        Prep::Infeasible(_) => None,
    }
}

/// A lower bound on the open sites (forced ones included) that serve every
/// client of `inst` that must be served, within `time` (a few seconds at
/// England's size): the covering Lagrangian of this module, on `inst`
/// preprocessed. `None` when no client must be served and no site is forced
/// open, or when `inst` is invalid. The bound is pushed towards one more than
/// `inst`'s site maximum, so a count that is too small is proven first.
pub fn site_count_bound(inst: &Instance, time: std::time::Duration) -> Option<f64> {
    inst.validate().ok()?;
    let deadline = Instant::now() + time;
    // Preprocessed without the site maximum, which presolve would otherwise
    // refuse outright when its forced sites exceed it.
    let hi = inst.cardinality.map_or(inst.n_sites(), |c| c.max as usize);
    let mut free = inst.clone();
    free.cardinality = None;
    match reduce(&free) {
        Prep::Ok(p) => least_sites_bound(&p, hi, deadline),
        Prep::Infeasible(_) => None,
    }
}

/// [`least_sites_bound`] on a preprocessed unit set covering `p`, raised
/// towards `hi + 1`.
pub(crate) fn covering_bound(p: &Prob, hi: usize, deadline: Instant) -> Option<f64> {
    let must: Vec<usize> = (0..p.m).filter(|&i| !p.unserved[i].is_finite()).collect();
    let forced = p.fix.iter().filter(|&&f| f == Fixing::Open).count() as f64;
    if must.is_empty() {
        return Some(forced);
    }
    let free = |j: usize| p.fix[j] == Fixing::Free;
    // Position of each must-serve client in `u` (usize::MAX: not must-serve).
    let mut pos = vec![usize::MAX; p.m];
    for (k, &i) in must.iter().enumerate() {
        pos[i] = k;
    }
    let reach: Vec<usize> = must
        .iter()
        .map(|&i| p.client(i).0.iter().filter(|&&j| free(j as usize)).count())
        .collect();
    if reach.contains(&0) {
        // A must-serve client no free site reaches (presolve would have
        // opened or absorbed it): nothing sound to say here.
        return None;
    }
    let mut u: Vec<f64> = reach.iter().map(|&r| 1.0 / r as f64).collect();
    let target = hi as f64 - forced + 1.0;
    let mut best = f64::NEG_INFINITY;
    let mut theta = 2.0;
    let mut since = 0;
    let mut g = vec![0.0; must.len()];
    for it in 0..MAX_ITER {
        if Instant::now() > deadline {
            break;
        }
        // L(u) and its subgradient g_i = 1 − Σ_{j chosen, i ∈ N(j)} 1.
        let mut l: f64 = u.iter().sum();
        g.iter_mut().for_each(|x| *x = 1.0);
        for j in (0..p.n).filter(|&j| free(j)) {
            let (cl, _) = p.site(j);
            let s: f64 = cl.iter().filter_map(|&i| u.get(pos[i as usize])).sum();
            if s > 1.0 {
                l += 1.0 - s;
                for &i in cl {
                    if let Some(x) = g.get_mut(pos[i as usize]) {
                        *x -= 1.0;
                    }
                }
            }
        }
        if it % 100 == 0 {
            log::trace!("[hubplan-solver countbound] iteration {it}: L {l:.3}, best {best:.3}, theta {theta}");
        }
        if l > best + 1e-9 {
            best = l;
            since = 0;
        } else {
            since += 1;
            if since >= STALL {
                theta /= 2.0;
                since = 0;
            }
        }
        if forced + best > hi as f64 + 1e-6 || theta < 1e-4 {
            break;
        }
        // Only the components that can move (u_i > 0 or g_i > 0) count.
        let norm: f64 = u
            .iter()
            .zip(&g)
            .filter(|(ui, gi)| **ui > 0.0 || **gi > 0.0)
            .map(|(_, gi)| gi * gi)
            .sum();
        if norm <= 0.0 {
            break;
        }
        let t = theta * (target - l).max(1e-3) / norm;
        for (ui, gi) in u.iter_mut().zip(&g) {
            *ui = (*ui + t * gi).max(0.0);
        }
    }
    Some(forced + best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::SplitMix64;
    use std::time::Duration;

    /// `m` clients, each reached by 1–3 of `n` sites at random costs; all
    /// must be served.
    fn instance(seed: u64, m: usize, n: usize) -> Instance {
        let mut r = SplitMix64(seed);
        let mut inst = Instance::with_sites(n);
        for _ in 0..m {
            let d = 1 + (r.next_u64() % 3) as usize;
            let mut cols: Vec<u32> = (0..d).map(|_| (r.next_u64() % n as u64) as u32).collect();
            cols.sort_unstable();
            cols.dedup();
            let arcs = cols
                .into_iter()
                .map(|site| Arc {
                    site,
                    cost: 1.0 + (r.next_u64() % 50) as f64,
                })
                .collect();
            inst.push_client(arcs, None, 1.0);
        }
        inst
    }

    /// Exact solves (no gap) with time to spare.
    fn exact() -> crate::outcome::SolveOptions {
        crate::outcome::SolveOptions {
            time_limit: Duration::from_secs(30),
            rel_gap: 0.0,
            abs_gap: 0.0,
        }
    }

    /// The fewest sites that reach every client, by trying every subset.
    fn brute(inst: &Instance) -> usize {
        let n = inst.n_sites();
        (0u32..(1 << n))
            .filter(|mask| (0..inst.n_clients()).all(|i| inst.arcs_of(i).iter().any(|a| mask >> a.site & 1 == 1)))
            .map(|mask| mask.count_ones() as usize)
            .min()
            .expect("the all-open plan covers")
    }

    /// The bound never exceeds the fewest covering sites (it is a lower
    /// bound), on many random instances, whatever `p` asks for.
    #[test]
    fn the_bound_is_a_lower_bound_on_the_fewest_covering_sites() {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut proved = 0;
        for seed in 0..40 {
            let mut inst = instance(seed, 14, 10);
            let least = brute(&inst);
            for hi in [1, least.saturating_sub(1).max(1), least] {
                inst.cardinality = Some(crate::instance::Cardinality { min: 0, max: hi as u32 });
                let Prep::Ok(p) = reduce(&inst) else { continue };
                let b = least_sites_bound(&p, p.hi, deadline).expect("must-serve clients");
                assert!(
                    b <= least as f64 + 1e-6,
                    "seed {seed}: bound {b} above the least cover {least}"
                );
                if hi < least && b > hi as f64 + 1e-6 {
                    proved += 1;
                }
            }
        }
        assert!(proved > 20, "the bound proved only {proved} too-small counts");
    }

    /// The greedy pre-check never calls a count too small when a cover of
    /// that many sites exists with room to spare (every site count at least
    /// the greedy cover's), and flags every count below the least cover.
    #[test]
    fn the_greedy_pre_check_flags_every_count_below_the_least_cover() {
        for seed in 0..40 {
            let mut inst = instance(seed, 14, 10);
            let least = brute(&inst);
            for hi in 1..10 {
                inst.cardinality = Some(crate::instance::Cardinality { min: 0, max: hi as u32 });
                let Prep::Ok(p) = reduce(&inst) else { continue };
                if hi < least {
                    assert!(may_be_too_few(&p), "seed {seed}: {hi} < {least} not flagged");
                }
            }
            inst.cardinality = None;
            let Prep::Ok(p) = reduce(&inst) else {
                panic!("infeasible")
            };
            assert!(!may_be_too_few(&p), "no site maximum: nothing to flag");
        }
    }

    /// `solve` proves a too-small count at presolve, without a tree: the
    /// p-median asks for fewer sites than any cover of its clients.
    #[test]
    fn solve_proves_a_too_small_count_before_searching() {
        let mut proved = 0;
        for seed in 0..20 {
            let mut inst = instance(seed, 14, 10);
            let least = brute(&inst);
            if least < 2 {
                continue;
            }
            inst.cardinality = Some(crate::instance::Cardinality {
                min: 0,
                max: least as u32 - 1,
            });
            let out = crate::solve(&inst, &exact()).expect("valid");
            assert_eq!(out.status, crate::Status::Infeasible, "seed {seed}: {}", out.why);
            if out.search == "presolve" {
                proved += 1;
                assert!(out.why.contains("at most"), "{}", out.why);
            }
            let b = site_count_bound(&inst, Duration::from_secs(5));
            assert!(
                b.is_some_and(|b| b <= least as f64 + 1e-6),
                "seed {seed}: {b:?} against {least}"
            );
        }
        assert!(proved >= 10, "only {proved} proven at presolve");
    }

    /// Greedy covering's classic trap: sets T1 = {1..7} and T2 = {8..14}
    /// cover everything, but the greedy cover takes the bait S1 = {1..4,
    /// 8..11} first and needs three sets. With p = 2 the count is flagged,
    /// the bound does not prove it too small, and the row-weighting search
    /// finds the cover of two that `solve` then starts from.
    #[test]
    fn a_cover_within_the_count_when_the_greedy_one_is_too_large() {
        // Sites: 0 = T1, 1 = T2, 2 = S1 = {1..4, 8..11}, 3 = S2 = {5, 6, 12, 13}, 4 = S3 = {7, 14}.
        let reach: [&[u32]; 14] = [
            &[0, 2],
            &[0, 2],
            &[0, 2],
            &[0, 2],
            &[0, 3],
            &[0, 3],
            &[0, 4],
            &[1, 2],
            &[1, 2],
            &[1, 2],
            &[1, 2],
            &[1, 3],
            &[1, 3],
            &[1, 4],
        ];
        let mut inst = Instance::with_sites(5);
        for (e, sites) in reach.iter().enumerate() {
            let arcs = sites
                .iter()
                .map(|&site| Arc {
                    site,
                    cost: 1.0 + ((e as u32 * 7 + site * 3) % 5) as f64,
                })
                .collect();
            inst.push_client(arcs, None, 1.0);
        }
        inst.cardinality = Some(crate::instance::Cardinality { min: 2, max: 2 });
        let Prep::Ok(p) = reduce(&inst) else {
            panic!("infeasible")
        };
        assert!(may_be_too_few(&p), "the greedy cover should need three sites");
        let deadline = Instant::now() + Duration::from_secs(10);
        assert!(least_sites_bound(&p, p.hi, deadline).is_some_and(|b| b <= 2.0 + 1e-6));
        let q = covering(&p).expect("a covering");
        let cover = cover_within(&q, p.hi, deadline).expect("a cover of two");
        assert_eq!(cover, vec![true, true, false, false, false]);
        let out = crate::solve(&inst, &exact()).expect("valid");
        assert_eq!(out.status, crate::Status::Optimal, "{}", out.why);
        assert_eq!(out.open, cover);
    }

    /// Nothing to prove when every client may stay unserved.
    #[test]
    fn no_bound_without_must_serve_clients() {
        let mut inst = instance(3, 10, 6);
        inst.unserved_cost = vec![Some(100.0); inst.n_clients()];
        let Prep::Ok(p) = reduce(&inst) else {
            panic!("infeasible")
        };
        assert_eq!(
            least_sites_bound(&p, p.hi, Instant::now() + Duration::from_secs(5)),
            None
        );
    }
}
