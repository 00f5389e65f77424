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
//! Below a node where no candidate moved the bound, children branch on the
//! most fractional site without trying (`strong = false`).
//!
//! Complexity: `2k` LP re-solves per node for `k` candidates (in parallel on
//! rayon; the choice does not depend on the order in which they finish).
//!
//! Reference: T. Achterberg, T. Koch & A. Martin (2005), Branching rules
//! revisited, Operations Research Letters 33.

use crate::prep::INF;
use microlp::{Error as LpError, Solution, Variable};
use rayon::prelude::*;
use std::time::Instant;

/// Why an LP search gave up (the caller falls back to the Lagrangian search).
#[derive(Debug)]
pub(crate) struct Abort(pub String);

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
        Err(e) => Err(Abort(format!("LP solver: {e}"))),
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
}

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
/// `safe` a float-safe LP bound; `discarded` takes the bounds of pruned sides.
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
) -> Result<Step, Abort> {
    frac.sort_by(|&a, &b| {
        let fa = xs[a].min(1.0 - xs[a]);
        let fb = xs[b].min(1.0 - xs[b]);
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    frac.truncate(if rule.strong { rule.candidates } else { 1 });
    let evals: Vec<Result<(f64, f64), Abort>> = if !rule.strong {
        vec![Ok((lb, lb))]
    } else {
        let base = &*sol;
        let at = &*decisions;
        frac.par_iter()
            .map(|&j| {
                let mut b = [INF; 2];
                if Instant::now() > rule.deadline {
                    // Past the limit: the node stays open (interrupted).
                    return Ok((f64::NAN, f64::NAN));
                }
                for (k, open) in [false, true].into_iter().enumerate() {
                    b[k] = match fix_checked(base, var(j as u32), j as u32, open, at, rule)? {
                        Solved::Optimal(s) => safe(&s).max(lb),
                        Solved::Infeasible => INF,
                        Solved::TimedOut => f64::NAN,
                    };
                }
                Ok((b[0], b[1]))
            })
            .collect()
    };
    let mut best: Option<(f64, f64, usize)> = None;
    let mut implied: Vec<(u32, bool)> = Vec::new();
    let mut moved = false;
    for (k, e) in evals.into_iter().enumerate() {
        let (b0, b1) = e?;
        if b0.is_nan() || b1.is_nan() {
            return Ok(Step::Interrupted);
        }
        moved |= b0 > lb || b1 > lb;
        let (dead0, dead1) = (b0 >= cutoff, b1 >= cutoff);
        let jk = frac[k] as u32;
        if dead0 && dead1 {
            discarded.discard(b0, decisions, (jk, false));
            discarded.discard(b1, decisions, (jk, true));
            return Ok(Step::Done);
        }
        if dead0 || dead1 {
            discarded.discard(if dead0 { b0 } else { b1 }, decisions, (jk, !dead0));
            implied.push((frac[k] as u32, dead0));
            continue;
        }
        let d0 = (b0 - lb).max(1e-6);
        let d1 = (b1 - lb).max(1e-6);
        let score = d0 * d1;
        let tie = d0.max(d1);
        if best.is_none_or(|(s, t, _)| score > s || (score == s && tie > t)) {
            best = Some((score, tie, k));
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
    // Branch: on an implied fixing (one child) or on the best candidate.
    let (j, sides): (u32, Vec<bool>) = match (implied.first(), best) {
        (Some(&(j, open)), _) => (j, vec![open]),
        (None, Some((_, _, k))) => (frac[k] as u32, vec![false, true]),
        (None, None) => return Ok(Step::Done),
    };
    let mut children = Vec::new();
    for open in sides {
        match fix_checked(sol, var(j), j, open, decisions, rule)? {
            Solved::Optimal(s) => {
                let b = safe(&s).max(lb);
                if b >= cutoff {
                    discarded.discard(b, decisions, (j, open));
                } else {
                    let mut d = decisions.clone();
                    d.push((j, open));
                    children.push((b, d, s, moved || b > lb));
                }
            }
            Solved::Infeasible => {}
            Solved::TimedOut => return Ok(Step::Interrupted),
        }
    }
    Ok(Step::Children(children))
}
