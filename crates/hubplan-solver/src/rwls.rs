//! Row-weighting local search for set covering (crate-private).
//!
//! RWLS (Gao, Weise & Li 2015) keeps a cover `S`, and whenever `S` covers
//! every row it records `S` and drops its least useful column, so that it then
//! searches for a cover one column smaller. Each step swaps one column out
//! (the member whose loss is smallest) and one in (the best column of a random
//! uncovered row), and raises the weight of every row left uncovered, so that
//! rows that stay uncovered pull the search towards them. Two rules keep it
//! from cycling: the column just added is not removed at once (tabu), and a
//! removed column may come back only after one of its neighbours changed
//! state (configuration checking, Cai, Su & Sattar 2011).
//!
//! Scores are kept incrementally: for a column outside `S`, the weight of the
//! uncovered rows it covers; for a member, minus the weight of the rows only
//! it covers. The sole coverer of a row covered once is the XOR of its
//! covering members. A step costs `O(deg(out) + deg(in))` plus the rows that
//! change between covered and uncovered times their degree.
//!
//! With weighted site costs, columns compare by score per unit of cost, the
//! column comes in first and members leave until `S` is cheaper than the
//! best cover (the unicost rule, one out and one in, is that rule at equal
//! costs). This variant is ours, not the paper's, and the weaker one (L
//! set covering: 0.5 % above the optimum after 57 s).
//!
//! The search is deterministic: a seeded SplitMix64 picks the uncovered row,
//! ties go to the column changed longest ago, then to the lower index. It
//! stops after a step budget, when it stalls ([`STALL`]), at the deadline,
//! or when a cover of the target cost (a lower bound) is found.
//!
//! Used at the root of the LP search on set covering (the LSCP as spopt
//! poses it, and with site costs), where LP rounding and the add / drop /
//! swap search of [`crate::heuristic`] stop a column or two above the
//! optimum. It does not carry over to maximal covering (docs/SOLVER.md).
//!
//! Reference: C. Gao, T. Weise & J. Li (2015), An efficient local search
//! heuristic with row weighting for the unicost set covering problem, EJOR
//! 246(3), 750–761.

use crate::instance::Fixing;
use crate::prep::Prob;
use crate::synthetic::SplitMix64;
use std::time::Instant;

const NONE: u32 = u32::MAX;
/// Arc visits a search may make (about 0.1–0.3 s).
const WORK: u64 = 60_000_000;
/// The search stops once it has run this many steps, and twice as many as
/// it needed for its last improvement, without improving. (M unit uniform
/// dense set covering: the last improvement, 56 → 55, at step 12,103; none
/// in the next 10^6.)
const STALL: u64 = 50_000;

/// The instance is a set covering problem: every kept arc costs nothing,
/// every client must be served, no budget or cardinality, and every free
/// site costs more than nothing.
pub(crate) fn applies(p: &Prob) -> bool {
    (0..p.n).filter(|&j| p.fix[j] == Fixing::Free).all(|j| p.fixed[j] > 0.0)
        && p.budget.is_none()
        && p.lo == 0
        && p.hi >= p.n
        && p.unserved.iter().all(|u| !u.is_finite())
        && p.ccost.iter().all(|&c| c == 0.0)
}

/// Every free site costs the same: the unicost search (remove, then add).
fn unicost(p: &Prob) -> bool {
    let mut f0 = None;
    (0..p.n).filter(|&j| p.fix[j] == Fixing::Free).all(|j| {
        let f = p.fixed[j];
        *f0.get_or_insert(f) == f
    })
}

/// Step budget for `p`: [`WORK`] arc visits at two column changes a step.
pub(crate) fn steps(p: &Prob) -> u64 {
    let per = 2 * p.csite.len() as u64 / p.n.max(1) as u64 + 1;
    (WORK / per).clamp(1_000, 1_000_000)
}

struct State<'a> {
    p: &'a Prob,
    fix: &'a [Fixing],
    in_s: Vec<bool>,
    /// Members of `S` that may leave (free sites), with positions.
    members: Vec<u32>,
    mpos: Vec<u32>,
    cnt: Vec<u32>,
    sx: Vec<u32>,
    w: Vec<u64>,
    score: Vec<i64>,
    /// Clock of the column's last change.
    time: Vec<u64>,
    /// Clock of the column's last removal (`u64::MAX`: may always be added).
    removed: Vec<u64>,
    /// Clock of the last change of a column covering the row.
    rtime: Vec<u64>,
    uncov: Vec<u32>,
    upos: Vec<u32>,
    clock: u64,
    /// Objective of `S`.
    cost: f64,
}

impl<'a> State<'a> {
    fn new(p: &'a Prob, fix: &'a [Fixing], start: &[bool]) -> State<'a> {
        let mut s = State {
            p,
            fix,
            in_s: vec![false; p.n],
            members: Vec::new(),
            mpos: vec![NONE; p.n],
            cnt: vec![0; p.m],
            sx: vec![0; p.m],
            w: vec![1; p.m],
            score: vec![0; p.n],
            time: vec![0; p.n],
            removed: vec![u64::MAX; p.n],
            rtime: vec![0; p.m],
            uncov: Vec::new(),
            upos: vec![NONE; p.m],
            clock: 1,
            cost: 0.0,
        };
        for j in 0..p.n {
            let open = match fix[j] {
                Fixing::Open => true,
                Fixing::Closed => false,
                Fixing::Free => start[j],
            };
            if open {
                s.in_s[j] = true;
                if fix[j] == Fixing::Free {
                    s.mpos[j] = s.members.len() as u32;
                    s.members.push(j as u32);
                }
                for &i in p.site(j).0 {
                    s.cnt[i as usize] += 1;
                    s.sx[i as usize] ^= j as u32;
                }
            }
        }
        s.cost = s.recount();
        for i in 0..p.m {
            if s.cnt[i] == 0 {
                s.upos[i] = s.uncov.len() as u32;
                s.uncov.push(i as u32);
            }
        }
        for j in 0..p.n {
            let mut sc = 0i64;
            for &i in p.site(j).0 {
                let i = i as usize;
                if s.in_s[j] && s.cnt[i] == 1 {
                    sc -= s.w[i] as i64;
                } else if !s.in_s[j] && s.cnt[i] == 0 {
                    sc += s.w[i] as i64;
                }
            }
            s.score[j] = sc;
        }
        s
    }

    fn cover(&mut self, i: usize) {
        let k = self.upos[i] as usize;
        self.uncov.swap_remove(k);
        if let Some(&moved) = self.uncov.get(k) {
            self.upos[moved as usize] = k as u32;
        }
        self.upos[i] = NONE;
    }

    fn uncover(&mut self, i: usize) {
        self.upos[i] = self.uncov.len() as u32;
        self.uncov.push(i as u32);
    }

    fn add(&mut self, j: usize) {
        let p = self.p;
        self.clock += 1;
        for &i in p.site(j).0 {
            let i = i as usize;
            self.rtime[i] = self.clock;
            match self.cnt[i] {
                0 => {
                    let w = self.w[i] as i64;
                    for &k in p.client(i).0 {
                        if k as usize != j {
                            self.score[k as usize] -= w;
                        }
                    }
                    self.cover(i);
                }
                1 => self.score[self.sx[i] as usize] += self.w[i] as i64,
                _ => {}
            }
            self.cnt[i] += 1;
            self.sx[i] ^= j as u32;
        }
        self.score[j] = -self.score[j];
        self.cost += p.fixed[j];
        self.in_s[j] = true;
        self.time[j] = self.clock;
        self.mpos[j] = self.members.len() as u32;
        self.members.push(j as u32);
    }

    fn remove(&mut self, j: usize) {
        let p = self.p;
        self.clock += 1;
        for &i in p.site(j).0 {
            let i = i as usize;
            self.rtime[i] = self.clock;
            self.cnt[i] -= 1;
            self.sx[i] ^= j as u32;
            match self.cnt[i] {
                0 => {
                    let w = self.w[i] as i64;
                    for &k in p.client(i).0 {
                        if k as usize != j {
                            self.score[k as usize] += w;
                        }
                    }
                    self.uncover(i);
                }
                1 => self.score[self.sx[i] as usize] -= self.w[i] as i64,
                _ => {}
            }
        }
        self.score[j] = -self.score[j];
        self.cost -= p.fixed[j];
        self.in_s[j] = false;
        self.time[j] = self.clock;
        self.removed[j] = self.clock;
        let k = self.mpos[j] as usize;
        self.members.swap_remove(k);
        if let Some(&moved) = self.members.get(k) {
            self.mpos[moved as usize] = k as u32;
        }
        self.mpos[j] = NONE;
    }

    /// `a` is a better choice than `b`: higher score, then changed longer
    /// ago, then lower index.
    fn better(&self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.ratio(a), self.ratio(b));
        ra > rb
            || (ra == rb
                && (std::cmp::Reverse(self.time[a]), std::cmp::Reverse(a))
                    > (std::cmp::Reverse(self.time[b]), std::cmp::Reverse(b)))
    }

    /// Score per unit of site cost.
    fn ratio(&self, j: usize) -> f64 {
        self.score[j] as f64 / self.p.fixed[j]
    }

    /// The member to remove, other than `tabu`.
    fn leaving(&self, tabu: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        for &j in &self.members {
            let j = j as usize;
            if j != tabu && best.is_none_or(|b| self.better(j, b)) {
                best = Some(j);
            }
        }
        best
    }

    /// A removed column may return once a neighbour changed state after it.
    fn may_add(&self, j: usize) -> bool {
        let r = self.removed[j];
        r == u64::MAX || self.p.site(j).0.iter().any(|&i| self.rtime[i as usize] > r)
    }

    /// The column to add for uncovered row `i`.
    fn entering(&self, i: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        let mut fallback: Option<usize> = None;
        for &k in self.p.client(i).0 {
            let k = k as usize;
            if self.fix[k] == Fixing::Closed {
                continue;
            }
            if fallback.is_none_or(|b| self.better(k, b)) {
                fallback = Some(k);
            }
            if best.is_none_or(|b| self.better(k, b)) && self.may_add(k) {
                best = Some(k);
            }
        }
        best.or(fallback)
    }

    /// The objective of `S`, summed afresh.
    fn recount(&self) -> f64 {
        let mut z = self.p.constant;
        for j in 0..self.p.n {
            if self.in_s[j] {
                z += self.p.fixed[j];
            }
        }
        z
    }
}

/// The share of the time left a search's root gives this search.
const SHARE: f64 = 0.1;

/// At a search's root (`who`, for the trace): runs [`improve`] from the plan
/// `start` towards the root bound `target`, with at most [`SHARE`] of the
/// time left before `deadline` (the tree needs the rest), and returns a
/// strictly cheaper cover, if it finds one. Nothing to do when the instance
/// is not set covering or `start` is already at the bound.
pub(crate) fn polish(
    p: &Prob,
    fix: &[Fixing],
    start: &(f64, Vec<bool>),
    target: f64,
    deadline: Instant,
    who: &str,
) -> Option<(f64, Vec<bool>)> {
    if start.0 <= target || !applies(p) {
        return None;
    }
    let t0 = Instant::now();
    let until = t0 + deadline.saturating_duration_since(t0).mul_f64(SHARE);
    let better = improve(p, fix, &start.1, target, steps(p), until);
    log::debug!(
        "[hubplan-solver {who}] row-weighting search {} → {:?} (bound {target}) in {:.3}s",
        start.0,
        better.as_ref().map(|c| c.0),
        t0.elapsed().as_secs_f64()
    );
    better.filter(|c| c.0 < start.0)
}

/// Improves the cover `start` (which must respect `fix`; forced-open sites are
/// opened) by RWLS for at most `steps` steps, stopping early once a cover of
/// cost `target` or less is found, or when it stalls ([`STALL`]). Returns the best cover reached, or `None`
/// when `start` is not a cover or `p` is not set covering ([`applies`]).
pub(crate) fn improve(
    p: &Prob,
    fix: &[Fixing],
    start: &[bool],
    target: f64,
    steps: u64,
    deadline: Instant,
) -> Option<(f64, Vec<bool>)> {
    if !applies(p) {
        return None;
    }
    let mut s = State::new(p, fix, start);
    if !s.uncov.is_empty() {
        return None;
    }
    let mut best = (s.recount(), s.in_s.clone());
    let eps = 1e-9 * (1.0 + best.0.abs());
    let unit = unicost(p);
    let mut rng = SplitMix64(0x5EED_C0FE_u64 ^ p.m as u64 ^ ((p.n as u64) << 32));
    let mut tabu = NONE as usize;
    let mut step = 0u64;
    let mut last = 0u64;

    loop {
        while s.uncov.is_empty() {
            // Summed afresh: the kept cost drifts by rounding.
            let z = s.recount();
            if z < best.0 - eps {
                best = (z, s.in_s.clone());
                last = step;
            }
            if best.0 <= target + eps {
                return Some(best);
            }
            match s.leaving(NONE as usize) {
                Some(j) => s.remove(j),
                None => return Some(best),
            }
        }
        if step >= steps || step > 2 * last + STALL || (step % 64 == 0 && Instant::now() > deadline) {
            return Some(best);
        }
        step += 1;
        if unit {
            // RWLS: one out, one in, the size stays one below the best cover's.
            if let Some(j) = s.leaving(tabu) {
                s.remove(j);
            }
        }
        let r = s.uncov[(rng.next_u64() % s.uncov.len() as u64) as usize] as usize;
        let Some(j) = s.entering(r) else {
            return Some(best);
        };
        s.add(j);
        tabu = j;
        if !unit {
            // Weighted costs: members leave until `S` is cheaper than the best cover.
            while s.cost >= best.0 - eps {
                match s.leaving(tabu) {
                    Some(k) => s.remove(k),
                    None => break,
                }
            }
        }
        for t in 0..s.uncov.len() {
            let i = s.uncov[t] as usize;
            s.w[i] += 1;
            for &k in p.client(i).0 {
                s.score[k as usize] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Arc, Instance};
    use crate::prep::{reduce, Prep};

    fn prob(inst: &Instance) -> Prob {
        match reduce(inst) {
            Prep::Ok(p) => *p,
            Prep::Infeasible(e) => panic!("{e}"),
        }
    }

    /// Random unicost covering instance: `m` rows, `n` columns, each row
    /// covered by 2–`k` columns.
    fn random(seed: u64, m: usize, n: usize, k: usize) -> Instance {
        random_costs(seed, m, n, k, false)
    }

    /// [`random`], with site costs 1–9 when `weighted`.
    fn random_costs(seed: u64, m: usize, n: usize, k: usize, weighted: bool) -> Instance {
        let mut r = SplitMix64(seed);
        let mut inst = Instance::with_sites(n);
        inst.fixed_cost = (0..n)
            .map(|_| if weighted { 1.0 + (r.next_u64() % 9) as f64 } else { 1.0 })
            .collect();
        for _ in 0..m {
            let d = 2 + (r.next_u64() % (k as u64 - 1)) as usize;
            let mut cols: Vec<u32> = (0..d).map(|_| (r.next_u64() % n as u64) as u32).collect();
            cols.sort_unstable();
            cols.dedup();
            let arcs = cols.into_iter().map(|site| Arc { site, cost: 0.0 }).collect();
            inst.push_client(arcs, None, 1.0);
        }
        inst
    }

    /// Minimum cover size by exhaustive search over subsets (small `n`).
    fn brute(p: &Prob) -> f64 {
        let mut best = f64::INFINITY;
        for mask in 0u32..(1 << p.n) {
            let open: Vec<bool> = (0..p.n).map(|j| mask >> j & 1 == 1).collect();
            if p.side_ok(&open) {
                best = best.min(p.objective(&open));
            }
        }
        best
    }

    /// The scores kept incrementally equal the scores recomputed.
    fn check_scores(s: &State) {
        let fresh = State {
            w: s.w.clone(),
            ..State::new(s.p, s.fix, &s.in_s)
        };
        for j in 0..s.p.n {
            let mut sc = 0i64;
            for &i in s.p.site(j).0 {
                let i = i as usize;
                if s.in_s[j] && fresh.cnt[i] == 1 {
                    sc -= s.w[i] as i64;
                } else if !s.in_s[j] && fresh.cnt[i] == 0 {
                    sc += s.w[i] as i64;
                }
            }
            assert_eq!(s.score[j], sc, "score of column {j}");
        }
        assert_eq!(s.cnt, fresh.cnt);
        let mut a = s.uncov.clone();
        let mut b = fresh.uncov.clone();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
    }

    #[test]
    fn incremental_scores_match_a_recount() {
        let inst = random(3, 60, 14, 5);
        let p = prob(&inst);
        let all = vec![true; p.n];
        let mut s = State::new(&p, &p.fix, &all);
        let mut r = SplitMix64(9);
        for t in 0..400 {
            let j = (r.next_u64() % p.n as u64) as usize;
            if p.fix[j] != Fixing::Free {
                continue;
            }
            if s.in_s[j] {
                s.remove(j);
            } else {
                s.add(j);
            }
            if t % 7 == 0 && !s.uncov.is_empty() {
                let i = s.uncov[0] as usize;
                s.w[i] += 3;
                for &k in p.client(i).0 {
                    s.score[k as usize] += 3;
                }
            }
            check_scores(&s);
        }
    }

    #[test]
    fn finds_the_minimum_cover_of_small_instances() {
        let far = Instant::now() + std::time::Duration::from_secs(60);
        let mut hits = 0;
        for seed in 0..40 {
            let inst = random(seed, 40 + (seed as usize % 3) * 20, 16, 4);
            let p = prob(&inst);
            if p.n == 0 || !applies(&p) {
                continue;
            }
            let opt = brute(&p);
            let all = vec![true; p.n];
            let (z, open) = improve(&p, &p.fix, &all, f64::NEG_INFINITY, 20_000, far).expect("a cover");
            assert!(p.side_ok(&open));
            assert_eq!(p.objective(&open), z, "seed {seed}: the reported cost is the plan's");
            assert!(z >= opt, "seed {seed}: {z} below the optimum {opt}");
            assert_eq!(z, opt, "seed {seed}: RWLS stopped above the optimum");
            hits += 1;
        }
        assert!(hits >= 30, "only {hits} instances were unicost covering");
    }

    #[test]
    fn finds_the_cheapest_cover_of_small_weighted_instances() {
        let far = Instant::now() + std::time::Duration::from_secs(60);
        let (mut hits, mut runs) = (0, 0);
        for seed in 0..40 {
            let inst = random_costs(seed, 40 + (seed as usize % 3) * 20, 16, 4, true);
            let p = prob(&inst);
            if p.n == 0 || !applies(&p) || unicost(&p) {
                continue;
            }
            let opt = brute(&p);
            let all = vec![true; p.n];
            let (z, open) = improve(&p, &p.fix, &all, f64::NEG_INFINITY, 20_000, far).expect("a cover");
            assert!(p.side_ok(&open));
            assert!(
                (p.objective(&open) - z).abs() < 1e-9,
                "seed {seed}: the reported cost is the plan's"
            );
            assert!(z >= opt - 1e-9, "seed {seed}: {z} below the optimum {opt}");
            runs += 1;
            hits += usize::from(z <= opt + 1e-9);
        }
        assert!(runs >= 30, "only {runs} instances were weighted covering");
        assert!(hits == runs, "the cheapest cover in {hits} of {runs} instances");
    }

    #[test]
    fn stops_at_the_target_and_is_deterministic() {
        let far = Instant::now() + std::time::Duration::from_secs(60);
        let inst = random(11, 300, 60, 6);
        let p = prob(&inst);
        let all = vec![true; p.n];
        let a = improve(&p, &p.fix, &all, f64::NEG_INFINITY, 5_000, far).expect("a cover");
        let b = improve(&p, &p.fix, &all, f64::NEG_INFINITY, 5_000, far).expect("a cover");
        assert_eq!(a, b);
        let c = improve(&p, &p.fix, &all, a.0 + 3.0, 5_000, far).expect("a cover");
        assert!(c.0 <= a.0 + 3.0 && c.0 >= a.0);
    }

    #[test]
    fn declines_other_shapes_and_non_covers() {
        let far = Instant::now() + std::time::Duration::from_secs(60);
        let inst = random(5, 50, 12, 4);
        let p = prob(&inst);
        assert!(improve(&p, &p.fix, &vec![false; p.n], 0.0, 100, far).is_none());
        assert!(applies(&p) && unicost(&p));
        let j = (0..p.n).find(|&j| p.fix[j] == Fixing::Free).expect("a free site");
        let mut q = p.clone();
        q.fixed[j] += 1.0;
        assert!(applies(&q) && !unicost(&q));
        q.fixed[j] = 0.0;
        assert!(!applies(&q), "a free site at no cost");
        let mut q = p.clone();
        q.unserved[0] = 5.0;
        assert!(!applies(&q), "partial covering");
        let mut q = p.clone();
        q.budget = Some(3.0);
        assert!(!applies(&q));
    }
}
