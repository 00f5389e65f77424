//! The branching step of the two LP-based trees (crate-private): the LP
//! search ([`crate::lpbb`]) and Branch-and-Benders-cut ([`crate::benders`])
//! branch the same way once their node LP has settled.
//!
//! **Strong branching with probing.** The most fractional free sites (up to a
//! candidate count) are each tried closed and open by a dual-simplex re-solve
//! of the node LP with the site fixed. A candidate whose one side is pruned by
//! the incumbent is *implied* to the other side: the implied fixings are
//! applied to the node LP and the node is re-solved (probing), a bounded
//! number of rounds. Otherwise the node branches on the candidate with the
//! largest product of the two bound increases (Achterberg, Koch & Martin 2005,
//! the product rule), ties by the larger increase, then by the lower index.
//! Below a node where no candidate moved the bound, children branch without
//! trying (`strong = false`): on the best pseudocost score when there are
//! pseudocosts, else on the most fractional site.
//!
//! **Reliability branching.** With [`Pseudo`] (the mean LP gain per unit of
//! change of each site, closed and open, learnt from every strong-branching
//! evaluation and every child solved), candidates are ranked by their
//! pseudocost score, and only the *unreliable* ones (fewer than [`RELIABLE`]
//! observations on a side) among the best-ranked are tried by LP re-solves;
//! the reliable ones are scored by their pseudocosts. Deep in a tree most
//! sites are reliable, and a node costs its children's re-solves instead of
//! `2k` more. Scores use the raw LP values, not the rounded bounds (with
//! integral objectives every gain below 1 would round to a tie).
//!
//! Complexity: up to `2k` LP re-solves per node for `k` candidates (in
//! parallel on rayon; the choice does not depend on the order in which they
//! finish), fewer once the pseudocosts are reliable.
//!
//! References: T. Achterberg, T. Koch & A. Martin (2005), Branching rules
//! revisited, Operations Research Letters 33 (the product score and
//! reliability branching); J.-M. Gauthier & G. Ribière (1977), Experiments in
//! mixed-integer linear programming using pseudo-costs, Math. Programming 12.

use crate::instance::Fixing;
use crate::prep::{Prob, INF};
use microlp::{ComparisonOp, Error as LpError, LinearExpr, Problem, Solution, Variable};
use rayon::prelude::*;
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard};
use std::time::Instant;

/// Why an LP search gave up (the caller falls back to the Lagrangian search),
/// and the best plan it had found by then (its sites, open or not), which the
/// fallback starts from.
#[derive(Debug)]
pub(crate) struct Abort(pub String, pub Option<Vec<bool>>);

impl Abort {
    /// Gave up for `why`, with no plan to hand over.
    pub(crate) fn new(why: impl Into<String>) -> Self {
        Abort(why.into(), None)
    }
}

/// The outcome of a node LP re-solve.
pub(crate) enum Solved {
    Optimal(Solution),
    Infeasible,
    TimedOut,
}

/// Reads microlp's answer: infeasible and time-limited are outcomes, other
/// errors abort the search.
pub(crate) fn solved(r: Result<microlp::SolveOutcome, LpError>) -> Result<Solved, Abort> {
    match r {
        Ok(o) if o.is_optimal() => match o.into_solution() {
            Ok(s) => Ok(Solved::Optimal(s)),
            Err(_) => Ok(Solved::TimedOut),
        },
        Ok(_) => Ok(Solved::TimedOut),
        Err(LpError::Infeasible) => Ok(Solved::Infeasible),
        Err(e) => Err(Abort::new(format!("LP solver: {e}"))),
    }
}

/// Re-solves `sol` with the binary `v` fixed to 1 (`open`) or 0.
pub(crate) fn fix(sol: &Solution, v: Variable, open: bool) -> Result<Solved, Abort> {
    solved(sol.clone().fix_var(v, if open { 1.0 } else { 0.0 }))
}

/// Where the branching step reports a side it discards (pruned by the
/// incumbent): a plain `f64` keeps the least bound; a recorder also keeps the
/// region (`decisions` plus `side`) for a later re-plan ([`crate::warm`]).
pub(crate) trait Discard {
    /// The region `decisions` + `side` (site, open) is discarded with `bound`.
    fn discard(&mut self, bound: f64, decisions: &[(u32, bool)], side: (u32, bool));
}

impl Discard for f64 {
    fn discard(&mut self, bound: f64, _: &[(u32, bool)], _: (u32, bool)) {
        *self = self.min(bound);
    }
}

/// What the branching step decided.
pub(crate) enum Step {
    /// Nothing left to explore here (pruned, or infeasible after probing).
    Done,
    /// The deadline passed: the node stays open.
    Interrupted,
    /// Implied fixings were applied to the node's LP and decisions (raising
    /// its bound to the returned value): settle the node again.
    Probed(f64),
    /// The children to push.
    Children(Vec<Child>),
}

/// A child node: its bound, decisions, LP, and whether to try candidates there.
pub(crate) type Child = (f64, Vec<(u32, bool)>, Solution, bool);

/// A cold LP solve of the node with the given fixings (positions, open),
/// used to check an infeasibility that a warm dual-simplex re-solve reported.
pub(crate) type Cold<'a> = &'a (dyn Fn(&[(u32, bool)]) -> Result<Solved, Abort> + Sync);

/// How the node branches.
pub(crate) struct Rule<'a> {
    /// Candidates to try (1 and `strong = false`: branch on the most fractional).
    pub(crate) candidates: usize,
    /// Whether to try the candidates' children (strong branching).
    pub(crate) strong: bool,
    /// Whether another probing round is allowed.
    pub(crate) probe: bool,
    pub(crate) deadline: Instant,
    /// When given, an infeasibility reported by a warm re-solve is checked by
    /// this cold solve before a side is discarded (microlp's warm re-solves can
    /// report a false infeasibility after many added rows); its answer is used.
    pub(crate) cold: Option<Cold<'a>>,
    /// Pseudocosts learnt so far (reliability branching), if the search keeps them.
    pub(crate) pseudo: Option<&'a Pseudo>,
}

/// Observations per side before a site's pseudocost replaces its trial.
pub(crate) const RELIABLE: u32 = 4;
/// Candidates tried together under reliability branching; trying stops after
/// a chunk that improved nothing (Achterberg's lookahead, by chunks).
const LOOKAHEAD: usize = 4;

/// One observed LP gain: site, side (`true` = open), gain per unit of change.
pub(crate) type Obs = (u32, bool, f64);

/// Pseudocosts: for every site, the sum and count of the LP gains per unit of
/// change observed when it was fixed closed (`[0]`) and open (`[1]`).
#[derive(Debug, Clone)]
pub(crate) struct Pseudo {
    sum: Vec<[f64; 2]>,
    count: Vec<[u32; 2]>,
}

impl Pseudo {
    /// No observation yet for `n` sites.
    pub(crate) fn new(n: usize) -> Self {
        Pseudo {
            sum: vec![[0.0; 2]; n],
            count: vec![[0; 2]; n],
        }
    }

    /// Adds observations (in the order given: the caller fixes it).
    pub(crate) fn record(&mut self, obs: &[Obs]) {
        for &(j, open, g) in obs {
            let (j, k) = (j as usize, usize::from(open));
            if j < self.sum.len() && g.is_finite() {
                self.sum[j][k] += g.max(0.0);
                self.count[j][k] += 1;
            }
        }
    }

    pub(crate) fn reliable(&self, j: usize) -> bool {
        self.count[j][0] >= RELIABLE && self.count[j][1] >= RELIABLE
    }

    /// The mean gain per unit over all sites with observations, per side (1
    /// where there are none), standing in for sites never observed.
    fn average(&self) -> [f64; 2] {
        let mut out = [1.0; 2];
        for (k, o) in out.iter_mut().enumerate() {
            let (s, c) = self
                .sum
                .iter()
                .zip(&self.count)
                .filter(|(_, c)| c[k] > 0)
                .fold((0.0, 0u64), |(s, n), (v, c)| (s + v[k], n + u64::from(c[k])));
            if c > 0 {
                *o = s / c as f64;
            }
        }
        out
    }

    /// Estimated gains of fixing site `j` (at value `x`) closed and open.
    fn estimate(&self, j: usize, x: f64, avg: [f64; 2]) -> (f64, f64) {
        let per = |k: usize| {
            if self.count[j][k] > 0 {
                self.sum[j][k] / f64::from(self.count[j][k])
            } else {
                avg[k]
            }
        };
        (per(0) * x, per(1) * (1.0 - x))
    }
}

/// Pseudocosts shared by the nodes of a tree: every node of a round reads
/// the same state ([`Learner::read`]); what the nodes observe is kept apart
/// ([`Learner::push`]) and folded in node-id order after the round
/// ([`Learner::end_round`], from `tree::Tree::end_round`), so the tree does not
/// depend on the thread count.
#[derive(Debug)]
pub(crate) struct Learner {
    pseudo: RwLock<Pseudo>,
    pending: Mutex<Vec<(u64, Vec<Obs>)>>,
}

impl Learner {
    /// No observation yet for `n` sites.
    pub(crate) fn new(n: usize) -> Self {
        Learner {
            pseudo: RwLock::new(Pseudo::new(n)),
            pending: Mutex::new(Vec::new()),
        }
    }

    /// Starts from pseudocosts learnt by an earlier search on the same sites
    /// (a warm re-plan, [`crate::warm`]).
    pub(crate) fn from_pseudo(pseudo: Pseudo) -> Self {
        Learner {
            pseudo: RwLock::new(pseudo),
            pending: Mutex::new(Vec::new()),
        }
    }

    /// The pseudocosts as they were at the start of the round.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Pseudo> {
        self.pseudo.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps what node `id` observed until the end of the round.
    pub(crate) fn push(&self, id: u64, obs: Vec<Obs>) {
        if !obs.is_empty() {
            self.pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((id, obs));
        }
    }

    /// Folds the round's observations in node-id order.
    pub(crate) fn end_round(&self) {
        let mut pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        pending.sort_by_key(|(id, _)| *id);
        let mut ps = self.pseudo.write().unwrap_or_else(PoisonError::into_inner);
        for (_, o) in &pending {
            ps.record(o);
        }
    }
}

/// The product score of two gains (Achterberg 2005).
fn score(g0: f64, g1: f64) -> f64 {
    g0.max(SCORE_EPS) * g1.max(SCORE_EPS)
}
const SCORE_EPS: f64 = 1e-6;

/// Re-solves `sol` with `v` fixed; a reported infeasibility is checked by
/// `rule.cold` (with `decisions` plus `(j, open)`) when given.
fn fix_checked(
    sol: &Solution,
    v: Variable,
    j: u32,
    open: bool,
    decisions: &[(u32, bool)],
    rule: &Rule,
) -> Result<Solved, Abort> {
    match (fix(sol, v, open)?, rule.cold) {
        (Solved::Infeasible, Some(cold)) => {
            let mut d = decisions.to_vec();
            d.push((j, open));
            cold(&d)
        }
        (r, _) => Ok(r),
    }
}

/// The branching step at a node whose LP `sol` (bound `lb`) has the free
/// fractional sites `frac` at values `xs`; `var(j)` is site `j`'s LP column,
/// `safe` a float-safe LP bound; `discarded` takes the bounds of pruned sides,
/// `obs` the LP gains observed (for the caller's [`Pseudo`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn branch(
    sol: &mut Solution,
    decisions: &mut Vec<(u32, bool)>,
    lb: f64,
    cutoff: f64,
    mut frac: Vec<usize>,
    xs: &[f64],
    rule: &Rule<'_>,
    var: impl Fn(u32) -> Variable + Sync,
    safe: impl Fn(&Solution) -> f64 + Sync,
    discarded: &mut impl Discard,
    obs: &mut Vec<Obs>,
) -> Result<Step, Abort> {
    let base_obj = sol.objective();
    frac.sort_by(|&a, &b| {
        let fa = xs[a].min(1.0 - xs[a]);
        let fb = xs[b].min(1.0 - xs[b]);
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    // Which candidates are tried by LP re-solves (`tried`) and which are
    // scored by their pseudocosts (`guessed`, with their estimated gains).
    let (tried, guessed): (Vec<usize>, Vec<(usize, f64, f64)>) = match rule.pseudo {
        Some(ps) => {
            let avg = ps.average();
            let mut ranked: Vec<(usize, f64, f64, f64)> = frac
                .iter()
                .map(|&j| {
                    let (g0, g1) = ps.estimate(j, xs[j], avg);
                    (j, g0, g1, score(g0, g1))
                })
                .collect();
            // Stable: ties keep the fractionality order.
            ranked.sort_by(|a, b| b.3.total_cmp(&a.3));
            if rule.strong {
                let look = ranked.len().min(2 * rule.candidates);
                let tried: Vec<usize> = ranked[..look]
                    .iter()
                    .filter(|r| !ps.reliable(r.0))
                    .take(rule.candidates)
                    .map(|r| r.0)
                    .collect();
                let guessed = ranked[..look]
                    .iter()
                    .filter(|r| ps.reliable(r.0))
                    .map(|r| (r.0, r.1, r.2))
                    .collect();
                (tried, guessed)
            } else {
                (
                    Vec::new(),
                    ranked.first().map(|r| (r.0, r.1, r.2)).into_iter().collect(),
                )
            }
        }
        None => {
            frac.truncate(if rule.strong { rule.candidates } else { 1 });
            if rule.strong {
                (frac.clone(), Vec::new())
            } else {
                (Vec::new(), frac.first().map(|&j| (j, 0.0, 0.0)).into_iter().collect())
            }
        }
    };
    // Each tried candidate: (closed, open) as (safe bound, raw LP value).
    type Side = (f64, f64);
    let eval = |j: usize| -> Result<(Side, Side), Abort> {
        let mut b = [(INF, INF); 2];
        if Instant::now() > rule.deadline {
            // Past the limit: the node stays open (interrupted).
            return Ok(((f64::NAN, f64::NAN), (f64::NAN, f64::NAN)));
        }
        for (k, open) in [false, true].into_iter().enumerate() {
            b[k] = match fix_checked(sol, var(j as u32), j as u32, open, decisions, rule)? {
                Solved::Optimal(s) => (safe(&s).max(lb), s.objective()),
                Solved::Infeasible => (INF, INF),
                Solved::TimedOut => (f64::NAN, f64::NAN),
            };
        }
        Ok((b[0], b[1]))
    };
    // With pseudocosts the candidates are tried in chunks of [`LOOKAHEAD`]
    // (a fixed size, so the choice does not depend on the thread count), and
    // trying stops after a chunk that found no better candidate or found an
    // implied fixing; without them, all at once.
    let chunk = if rule.pseudo.is_some() {
        LOOKAHEAD
    } else {
        tried.len().max(1)
    };
    let mut best: Option<(f64, f64, usize)> = None;
    let mut implied: Vec<(u32, bool)> = Vec::new();
    let mut moved = false;
    for part in tried.chunks(chunk) {
        let evals: Vec<Result<(Side, Side), Abort>> = part.par_iter().map(|&j| eval(j)).collect();
        let mut improved = false;
        for (k, e) in evals.into_iter().enumerate() {
            let ((b0, o0), (b1, o1)) = e?;
            if b0.is_nan() || b1.is_nan() {
                return Ok(Step::Interrupted);
            }
            let j = part[k];
            if o0.is_finite() {
                obs.push((j as u32, false, (o0 - base_obj) / xs[j].max(1e-9)));
            }
            if o1.is_finite() {
                obs.push((j as u32, true, (o1 - base_obj) / (1.0 - xs[j]).max(1e-9)));
            }
            moved |= b0 > lb || b1 > lb || o0 > base_obj + 1e-9 || o1 > base_obj + 1e-9;
            let (dead0, dead1) = (b0 >= cutoff, b1 >= cutoff);
            if dead0 && dead1 {
                discarded.discard(b0, decisions, (j as u32, false));
                discarded.discard(b1, decisions, (j as u32, true));
                return Ok(Step::Done);
            }
            if dead0 || dead1 {
                discarded.discard(if dead0 { b0 } else { b1 }, decisions, (j as u32, !dead0));
                implied.push((j as u32, dead0));
                continue;
            }
            let (g0, g1) = ((o0 - base_obj).max(0.0), (o1 - base_obj).max(0.0));
            let sc = score(g0, g1);
            let tie = g0.max(g1);
            if best.is_none_or(|(s, t, _)| sc > s || (sc == s && tie > t)) {
                best = Some((sc, tie, j));
                improved = true;
            }
        }
        if !improved || !implied.is_empty() {
            break;
        }
    }
    if !implied.is_empty() && rule.probe {
        for &(j, open) in &implied {
            match fix_checked(sol, var(j), j, open, decisions, rule)? {
                Solved::Optimal(s) => {
                    *sol = s;
                    decisions.push((j, open));
                }
                Solved::Infeasible => return Ok(Step::Done),
                Solved::TimedOut => return Ok(Step::Interrupted),
            }
        }
        return Ok(Step::Probed(safe(sol).max(lb)));
    }
    // Candidates scored by their pseudocosts compete with the tried ones.
    for &(j, g0, g1) in &guessed {
        let sc = score(g0, g1);
        let tie = g0.max(g1);
        if best.is_none_or(|(s, t, _)| sc > s || (sc == s && tie > t)) {
            best = Some((sc, tie, j));
        }
    }
    // Branch: on an implied fixing (one child) or on the best candidate.
    let (j, sides): (u32, Vec<bool>) = match (implied.first(), best) {
        (Some(&(j, open)), _) => (j, vec![open]),
        (None, Some((_, _, j))) => (j as u32, vec![false, true]),
        (None, None) => return Ok(Step::Done),
    };
    let x = xs[j as usize];
    let mut children = Vec::new();
    for open in sides {
        match fix_checked(sol, var(j), j, open, decisions, rule)? {
            Solved::Optimal(s) => {
                let gain = s.objective() - base_obj;
                obs.push((j, open, gain / if open { 1.0 - x } else { x }.max(1e-9)));
                let b = safe(&s).max(lb);
                if b >= cutoff {
                    discarded.discard(b, decisions, (j, open));
                } else {
                    let mut d = decisions.clone();
                    d.push((j, open));
                    children.push((b, d, s, moved || b > lb || gain > 1e-9));
                }
            }
            Solved::Infeasible => {}
            Solved::TimedOut => return Ok(Step::Interrupted),
        }
    }
    Ok(Step::Children(children))
}

/// The site columns of an LP over `p` (the LP search's node LP, the Benders
/// master): cost `p.fixed[j]`, bounds from `fix` (open 1, closed 0, free
/// `[0, 1]`), created in site order.
pub(crate) fn site_columns(p: &Prob, pr: &mut Problem, fix: &[Fixing]) -> Vec<Variable> {
    (0..p.n)
        .map(|j| {
            let b = match fix[j] {
                Fixing::Open => (1.0, 1.0),
                Fixing::Closed => (0.0, 0.0),
                Fixing::Free => (0.0, 1.0),
            };
            pr.add_var(p.fixed[j], b)
        })
        .collect()
}

/// `p`'s budget row and count rows over the site columns `x`.
pub(crate) fn side_rows(p: &Prob, pr: &mut Problem, x: &[Variable]) {
    if let Some(b) = p.budget {
        let mut e = LinearExpr::empty();
        for j in 0..p.n {
            if p.bcost[j] != 0.0 {
                e.add(x[j], p.bcost[j]);
            }
        }
        pr.add_constraint(e, ComparisonOp::Le, b + 1e-9 * b.abs().max(1.0));
    }
    if p.lo > 0 || p.hi < p.n {
        let mut e = LinearExpr::empty();
        for &v in x {
            e.add(v, 1.0);
        }
        pr.add_constraint(e.clone(), ComparisonOp::Ge, p.lo as f64);
        pr.add_constraint(e, ComparisonOp::Le, p.hi as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudocosts_average_what_they_saw_and_become_reliable() {
        let mut ps = Pseudo::new(3);
        // Nothing seen: every site is estimated at the default gain of 1 per unit.
        assert_eq!(ps.estimate(0, 0.25, ps.average()), (0.25, 0.75));
        assert!(!ps.reliable(0));
        // Site 0 closed gains 2 and 4 per unit (mean 3), opened 1; a negative
        // gain counts as 0, a non-finite one and an unknown site are ignored.
        ps.record(&[(0, false, 2.0), (0, false, 4.0), (0, true, 1.0), (1, true, -5.0)]);
        ps.record(&[(2, false, f64::INFINITY), (9, true, 1.0)]);
        let avg = ps.average();
        assert_eq!(avg, [3.0, 0.5]);
        assert_eq!(ps.estimate(0, 0.5, avg), (1.5, 0.5));
        // Site 2 has seen nothing: the averages stand in.
        assert_eq!(ps.estimate(2, 0.5, avg), (1.5, 0.25));
        for _ in 1..RELIABLE {
            assert!(!ps.reliable(0));
            ps.record(&[(0, false, 3.0), (0, true, 1.0)]);
        }
        assert!(ps.reliable(0) && !ps.reliable(1));
    }

    #[test]
    fn the_product_score_prefers_balanced_gains() {
        assert!(score(2.0, 2.0) > score(4.0, 0.5));
        assert!(score(0.0, 3.0) > score(0.0, 1.0));
        assert_eq!(score(0.0, 0.0), SCORE_EPS * SCORE_EPS);
    }
}
