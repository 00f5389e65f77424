//! Primal heuristics (crate-private): greedy construction and repair, and a
//! best-improvement add / drop / swap local search (Whitaker's fast
//! interchange generalised to fixed costs, unserved costs, budget and
//! cardinality). All moves respect the root fixings, the budget and the
//! cardinality, so every state reached from a feasible state is feasible.

use crate::instance::Fixing;
use crate::prep::Prob;
use rayon::prelude::*;
use std::time::Instant;

const NONE: u32 = u32::MAX;

/// Local-search state over an open set.
#[derive(Debug, Clone)]
pub(crate) struct Ls<'a> {
    p: &'a Prob,
    fix: &'a [Fixing],
    pen: f64,
    pub open: Vec<bool>,
    cnt: usize,
    used: f64,
    c1: Vec<f64>,
    b1: Vec<u32>,
    c2: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Move {
    Add(usize),
    Drop(usize),
    Swap(usize, usize),
}

impl<'a> Ls<'a> {
    /// State for `open`, which must satisfy `fix` (forced-open sites are opened).
    pub fn new(p: &'a Prob, fix: &'a [Fixing], open: &[bool]) -> Ls<'a> {
        let mut pen = 1.0 + p.fixed.iter().sum::<f64>();
        for i in 0..p.m {
            let (_, c) = p.client(i);
            pen += c.iter().cloned().fold(0.0, f64::max);
        }
        let mut open = open.to_vec();
        for j in 0..p.n {
            match fix[j] {
                Fixing::Open => open[j] = true,
                Fixing::Closed => open[j] = false,
                Fixing::Free => {}
            }
        }
        let cnt = open.iter().filter(|&&o| o).count();
        let used = (0..p.n).filter(|&j| open[j]).map(|j| p.bcost[j]).sum();
        let mut s = Ls {
            p,
            fix,
            pen,
            open,
            cnt,
            used,
            c1: vec![0.0; p.m],
            b1: vec![NONE; p.m],
            c2: vec![0.0; p.m],
        };
        let (c1, (b1, c2)): (Vec<f64>, (Vec<u32>, Vec<f64>)) = (0..p.m)
            .into_par_iter()
            .with_min_len(256)
            .map(|i| s.scan(i))
            .map(|(a, b, c)| (a, (b, c)))
            .unzip();
        s.c1 = c1;
        s.b1 = b1;
        s.c2 = c2;
        s
    }

    fn fallback(&self, i: usize) -> f64 {
        let u = self.p.unserved[i];
        if u.is_finite() {
            u
        } else {
            self.pen
        }
    }

    fn scan(&self, i: usize) -> (f64, u32, f64) {
        let (s, c) = self.p.client(i);
        let mut c1 = self.fallback(i);
        let mut b1 = NONE;
        let mut c2 = f64::INFINITY;
        for k in 0..s.len() {
            if self.open[s[k] as usize] {
                if c[k] < c1 {
                    c2 = c1;
                    c1 = c[k];
                    b1 = s[k];
                } else if c[k] < c2 {
                    c2 = c[k];
                }
            }
        }
        if b1 == NONE {
            c2 = c1;
        }
        (c1, b1, c2)
    }

    fn rescan(&mut self, j: usize) {
        let (cl, _) = self.p.site(j);
        for &i in cl {
            let (a, b, c) = self.scan(i as usize);
            self.c1[i as usize] = a;
            self.b1[i as usize] = b;
            self.c2[i as usize] = c;
        }
    }

    /// Every must-serve client is served and the cardinality minimum holds.
    pub fn feasible(&self) -> bool {
        self.cnt >= self.p.lo
            && self.cnt <= self.p.hi
            && self.p.budget_ok(self.used)
            && (0..self.p.m).all(|i| self.b1[i] != NONE || self.p.unserved[i].is_finite())
    }

    /// The plan reached, when it is feasible: its objective and open sites.
    pub fn result(&self) -> Option<(f64, Vec<bool>)> {
        if self.feasible() && self.p.side_ok(&self.open) {
            let z = self.p.objective(&self.open);
            if z.is_finite() {
                return Some((z, self.open.clone()));
            }
        }
        None
    }

    fn uncovered(&self) -> bool {
        (0..self.p.m).any(|i| self.b1[i] == NONE && !self.p.unserved[i].is_finite())
    }

    fn can_add(&self, j: usize) -> bool {
        !self.open[j]
            && self.fix[j] != Fixing::Closed
            && self.cnt < self.p.hi
            && self.p.budget_ok(self.used + self.p.bcost[j])
    }

    fn apply(&mut self, mv: Move) {
        match mv {
            Move::Add(j) => {
                self.open[j] = true;
                self.cnt += 1;
                self.used += self.p.bcost[j];
                self.rescan(j);
            }
            Move::Drop(k) => {
                self.open[k] = false;
                self.cnt -= 1;
                self.used -= self.p.bcost[k];
                self.rescan(k);
            }
            Move::Swap(j, k) => {
                self.open[j] = true;
                self.open[k] = false;
                self.used += self.p.bcost[j] - self.p.bcost[k];
                self.rescan(j);
                self.rescan(k);
            }
        }
    }

    fn add_delta(&self, j: usize) -> f64 {
        let (cl, cc) = self.p.site(j);
        let mut d = self.p.fixed[j];
        for k in 0..cl.len() {
            let i = cl[k] as usize;
            if cc[k] < self.c1[i] {
                d += cc[k] - self.c1[i];
            }
        }
        d
    }

    /// Greedy repair: adds sites until every must-serve client is served and the
    /// cardinality minimum holds. Returns false when no allowed site helps.
    pub fn repair(&mut self, deadline: Instant) -> bool {
        loop {
            if Instant::now() > deadline {
                return false;
            }
            let unc = self.uncovered();
            if !unc && self.cnt >= self.p.lo {
                return true;
            }
            let cand: Option<(f64, usize)> = (0..self.p.n)
                .into_par_iter()
                .filter(|&j| self.can_add(j))
                .filter_map(|j| {
                    let (cl, cc) = self.p.site(j);
                    if unc {
                        let mut num = self.p.fixed[j];
                        let mut newly = 0usize;
                        for k in 0..cl.len() {
                            let i = cl[k] as usize;
                            if self.b1[i] == NONE && !self.p.unserved[i].is_finite() {
                                newly += 1;
                                num += cc[k];
                            } else if cc[k] < self.c1[i] {
                                num += cc[k] - self.c1[i];
                            }
                        }
                        if newly == 0 {
                            return None;
                        }
                        let denom = if self.p.budget.is_some() {
                            newly as f64 * (1.0 / (1.0 + self.p.bcost[j]))
                        } else {
                            newly as f64
                        };
                        let score = if num <= 0.0 { num * denom } else { num / denom };
                        Some((score, j))
                    } else {
                        Some((self.add_delta(j), j))
                    }
                })
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            match cand {
                Some((_, j)) => self.apply(Move::Add(j)),
                None => return false,
            }
        }
    }

    /// Lazy greedy: adds improving sites (best delta per budget unit) while allowed.
    pub fn fill(&mut self, deadline: Instant) {
        use std::cmp::Ordering;
        #[derive(PartialEq)]
        struct It(f64, usize);
        impl Eq for It {}
        impl PartialOrd for It {
            fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
                Some(self.cmp(o))
            }
        }
        impl Ord for It {
            fn cmp(&self, o: &Self) -> Ordering {
                // Max-heap on -score: smallest score first, then lowest index.
                o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
            }
        }
        let budgeted = self.p.budget.is_some();
        let score = |s: &Ls, j: usize| {
            let d = s.add_delta(j);
            if budgeted && s.p.bcost[j] > 0.0 {
                d / s.p.bcost[j]
            } else {
                d
            }
        };
        let init: Vec<It> = (0..self.p.n)
            .into_par_iter()
            .filter(|&j| !self.open[j] && self.fix[j] != Fixing::Closed)
            .map(|j| It(score(self, j), j))
            .collect();
        let mut heap: std::collections::BinaryHeap<It> = init.into_iter().filter(|it| it.0 < 0.0).collect();
        while let Some(It(_, j)) = heap.pop() {
            if Instant::now() > deadline || self.cnt >= self.p.hi {
                break;
            }
            if !self.can_add(j) {
                continue;
            }
            let s = score(self, j);
            if s >= -1e-12 {
                continue;
            }
            if let Some(top) = heap.peek() {
                if s > top.0 {
                    heap.push(It(s, j));
                    continue;
                }
            }
            self.apply(Move::Add(j));
        }
    }

    /// Objective of the current state (penalised when infeasible).
    pub fn cost(&self) -> f64 {
        let f: f64 = (0..self.p.n).filter(|&j| self.open[j]).map(|j| self.p.fixed[j]).sum();
        self.p.constant + f + self.c1.iter().sum::<f64>()
    }

    /// Best-improvement local search. `max_moves` bounds the work.
    pub fn improve(&mut self, max_moves: usize, deadline: Instant) {
        let p = self.p;
        let scale = 1e-9 * (1.0 + self.cost().abs());
        for _ in 0..max_moves {
            if Instant::now() > deadline {
                return;
            }
            // loss_k = Σ_{i: b1 = k} (c2 − c1).
            let mut loss = vec![0.0; p.n];
            for i in 0..p.m {
                if self.b1[i] != NONE {
                    loss[self.b1[i] as usize] += self.c2[i] - self.c1[i];
                }
            }
            // Droppable open sites sorted by drop delta.
            let mut drops: Vec<(f64, usize)> = (0..p.n)
                .filter(|&k| self.open[k] && self.fix[k] != Fixing::Open)
                .map(|k| (loss[k] - p.fixed[k], k))
                .collect();
            drops.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut best: (f64, Option<Move>) = (-scale, None);
            if self.cnt > p.lo {
                if let Some(&(d, k)) = drops.first() {
                    if d < best.0 {
                        best = (d, Some(Move::Drop(k)));
                    }
                }
            }
            let slack = p.budget.map(|b| b + 1e-9 * b.abs().max(1.0) - self.used);
            let this = &*self;
            let drops = &drops;
            let loss = &loss;
            let cand = (0..p.n)
                .into_par_iter()
                .filter(|&j| !this.open[j] && this.fix[j] != Fixing::Closed)
                .map(|j| {
                    let (cl, cc) = p.site(j);
                    let mut gain = p.fixed[j];
                    let mut adj: Vec<(u32, f64)> = Vec::new();
                    for k in 0..cl.len() {
                        let i = cl[k] as usize;
                        let c = cc[k];
                        let g = (c - this.c1[i]).min(0.0);
                        gain += g;
                        let b = this.b1[i];
                        if b != NONE && c < this.c2[i] {
                            // actual − counted = min(c, c2) − c2 − min(0, c − c1)
                            adj.push((b, c - this.c2[i] - g));
                        }
                    }
                    let mut out: (f64, Option<Move>) = (f64::INFINITY, None);
                    if this.can_add(j) {
                        out = (gain, Some(Move::Add(j)));
                    }
                    adj.sort_unstable_by_key(|a| a.0);
                    let mut merged: Vec<(u32, f64)> = Vec::with_capacity(adj.len());
                    for (k, v) in adj {
                        match merged.last_mut() {
                            Some(l) if l.0 == k => l.1 += v,
                            _ => merged.push((k, v)),
                        }
                    }
                    let fits = |k: usize| match slack {
                        Some(s) => p.bcost[j] - p.bcost[k] <= s,
                        None => true,
                    };
                    for &(k, v) in &merged {
                        let k = k as usize;
                        if this.fix[k] == Fixing::Open || !fits(k) {
                            continue;
                        }
                        let d = gain + loss[k] - p.fixed[k] + v;
                        if d < out.0 {
                            out = (d, Some(Move::Swap(j, k)));
                        }
                    }
                    for &(dk, k) in drops {
                        if gain + dk >= out.0 {
                            break;
                        }
                        if !fits(k) || merged.binary_search_by_key(&(k as u32), |a| a.0).is_ok() {
                            continue;
                        }
                        out = (gain + dk, Some(Move::Swap(j, k)));
                        break;
                    }
                    (out, j)
                })
                .filter(|((_, m), _)| m.is_some())
                .min_by(|a, b| a.0 .0.total_cmp(&b.0 .0).then(a.1.cmp(&b.1)));
            if let Some(((d, m), _)) = cand {
                if d < best.0 {
                    best = (d, m);
                }
            }
            match best.1 {
                Some(mv) => self.apply(mv),
                None => return,
            }
        }
    }
}

/// Move budget of a root local search: about 3·10^8 arc visits in all.
pub(crate) fn root_moves(p: &Prob) -> usize {
    let per = p.csite.len() + 50 * p.n + 1;
    (300_000_000 / per).clamp(20, 100_000)
}

/// A plan grown from `start` under `fix`: greedy repair, lazy greedy fill, then
/// at most `moves` local-search moves. `None` when no feasible plan was reached.
pub(crate) fn greedy(
    p: &Prob,
    fix: &[Fixing],
    start: &[bool],
    moves: usize,
    deadline: Instant,
) -> Option<(f64, Vec<bool>)> {
    let mut ls = Ls::new(p, fix, start);
    if !ls.repair(deadline) {
        return None;
    }
    ls.fill(deadline);
    ls.improve(moves, deadline);
    ls.result()
}
