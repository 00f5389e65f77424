//! The exact solver's entry point.

use crate::bnb::search as search_lagrangian;
use crate::instance::{Instance, InstanceError};
use crate::mip::{solve_mip, MipBackend};
use crate::outcome::{Outcome, SolveOptions, Status, WarmStart};
use crate::prep::{reduce, Prep, Prob};
use crate::warm::WarmState;
use std::time::Instant;

/// Solves an instance exactly with Lagrangian branch-and-bound.
///
/// # Algorithm
/// 1. **Preprocessing**: arcs no cheaper than the client's unserved cost and arcs
///    to closed sites are dropped; clients left without arcs pay their unserved
///    cost (or prove infeasibility when they must be served); a must-serve client
///    with one arc forces its site open; a zero-cost must-serve client whose arc
///    set contains another's is implied and dropped (set-covering row dominance).
/// 2. **Lagrangian relaxation** of the assignment rows with multipliers `λ_i`
///    (Fisher 1981): the bound is `Σ λ_i + Σ min(0, U_i − λ_i) + min_y Σ ρ_j y_j`
///    with `ρ_j = f_j + Σ_i min(0, c_ij − λ_i)`, the site selection being solved
///    exactly under fixings and cardinality (a sort) and bounded by the LP
///    relaxation of the budget knapsack. This is the relaxation of Beasley (1985,
///    p-median), Beasley (1990, 1993, set covering) and of Galvão & ReVelle (1996)
///    for maximal covering. Subgradient optimisation improves `λ`.
/// 3. **Primal heuristics**: greedy (Chvátal-style repair, lazy greedy fill),
///    the Lagrangian selection repaired, and best-improvement add / drop / swap
///    local search (fast interchange).
/// 4. **Reduced-cost fixing**: a site whose forced opening (closing) raises the
///    node bound above the incumbent is closed (opened).
/// 5. **Branch-and-bound** on `y_j`, best bound first, with warm-started
///    multipliers; nodes run in synchronous rounds of 8 in parallel (rayon) and
///    are merged in a fixed order, so the result never depends on the thread
///    count. All parallel sums use fixed chunks.
///
/// Capacitated instances (any site with a capacity) are currently routed to
/// [`crate::mip::solve_mip`] with the microlp back end (`solver` then says so).
///
/// # Arguments
/// * `inst` — the instance; validated here.
/// * `opts` — time limit and gaps. The search stops when
///   `objective − bound ≤ max(abs_gap, rel_gap·|objective|)`.
///
/// # Returns
/// An [`Outcome`]: `Optimal` only when the bound proves the gap; `Feasible` with
/// the bound at the time limit; `Infeasible` only when proven (preprocessing or
/// an exhausted tree); `Unknown` otherwise. The objective is recomputed from the
/// open sites on the original instance.
///
/// # Errors
/// [`InstanceError`] when the instance is malformed.
///
/// # Complexity
/// One Lagrangian iteration costs `O(|arcs| + n log n)` (the sort only with a
/// cardinality constraint); a local-search pass `O(|arcs| + n·p)`. The tree is
/// exponential in the worst case (the problems are NP-hard).
///
/// # Example
/// ```
/// use hubplan_solver::{solve, Arc, Cardinality, Instance, SolveOptions, Status};
/// // Two sites, three clients, open exactly one site (1-median).
/// let mut inst = Instance::with_sites(2);
/// inst.cardinality = Some(Cardinality { min: 1, max: 1 });
/// for (a, b) in [(1.0, 4.0), (2.0, 1.0), (5.0, 1.0)] {
///     inst.push_client(vec![Arc { site: 0, cost: a }, Arc { site: 1, cost: b }], None, 1.0);
/// }
/// let out = solve(&inst, &SolveOptions::default()).unwrap();
/// assert_eq!(out.status, Status::Optimal);
/// assert_eq!(out.open, vec![false, true]);
/// assert_eq!(out.objective, 6.0);
/// ```
///
/// # References
/// - J.E. Beasley (1985), A note on solving large p-median problems, EJOR 21.
/// - J.E. Beasley (1988), An algorithm for solving large capacitated warehouse location problems, EJOR 33.
/// - J.E. Beasley (1990), A Lagrangian heuristic for set-covering problems, NRL 37.
/// - J.E. Beasley (1993), Lagrangean relaxation, in Modern Heuristic Techniques for Combinatorial Problems.
/// - M.L. Fisher (1981), The Lagrangian relaxation method for solving integer programming problems, Mgmt Sci 27.
/// - R.L. Church & C.S. ReVelle (1974), The maximal covering location problem, PRSA 32.
/// - R.D. Galvão & C.S. ReVelle (1996), A Lagrangean heuristic for the maximal covering location problem, EJOR 88.
pub fn solve(inst: &Instance, opts: &SolveOptions) -> Result<Outcome, InstanceError> {
    solve_with(inst, opts, Search::Auto)
}

/// Which search [`solve_with`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Search {
    /// Choose from the instance's shape (what [`solve`] does); see [`choose`].
    #[default]
    Auto,
    /// The LP-based branch-and-bound (covering instances only: every kept arc
    /// costs nothing; otherwise the Lagrangian search runs and `why` says so).
    Lp,
    /// The Lagrangian branch-and-bound (any uncapacitated instance).
    Lagrangian,
    /// The LP search on the radius (covering) formulation of an instance with
    /// assignment costs (p-median, facility location; Elloumi 2010): each
    /// distinct arc cost of a client becomes a covering level. On a covering
    /// instance this is the LP search.
    Radius,
    /// Branch-and-Benders-cut over the sites only (covering instances; the
    /// zones are projected out, Cordeau, Furini & Ljubić 2019); otherwise the
    /// Lagrangian search runs and `why` says so.
    Benders,
    /// The split search on an instance with assignment costs and a large
    /// cost for unserved clients (the p-median with a missing-pair cost):
    /// the objective splits into a maximal covering part, searched by the
    /// LP search, and a capped p-median, whose Lagrangian bound is added at
    /// every node (and the whole problem's, so it is never weaker than the
    /// Lagrangian search's node bound). Clients that must be served, or whose
    /// unserved cost is below ten times their dearest arc (e.g. lowered by
    /// presolve to a forced-open site's arc), stay whole in the capped parts.
    /// Where no client splits the Lagrangian search runs and `why` says so.
    Split,
}

impl Search {
    /// Every concrete search (what a portfolio test iterates over).
    pub const ALL: [Search; 5] = [
        Search::Lp,
        Search::Lagrangian,
        Search::Radius,
        Search::Benders,
        Search::Split,
    ];
    /// The short name written to `Outcome::search`.
    pub fn name(self) -> &'static str {
        match self {
            Search::Auto => "auto",
            Search::Lp => "lp-bb",
            Search::Lagrangian => "lagrangian-bb",
            Search::Radius => "lp-radius",
            Search::Benders => "benders-bb",
            Search::Split => "lp-split",
        }
    }
}

/// The instance's shape as the chooser sees it (after preprocessing).
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// Every kept arc costs nothing (a covering model: LSCP, MCLP).
    pub covering: bool,
    /// Some client may stay unserved at a cost (maximal covering).
    pub partial: bool,
    /// Every free site has the same fixed cost (unit costs, many tied optima).
    pub unit_costs: bool,
    /// A budget row is present.
    pub budget: bool,
    /// A cardinality (p) row is present.
    pub cardinality: bool,
    /// Kept clients, free sites and arcs after preprocessing.
    pub clients: usize,
    /// Free sites after preprocessing.
    pub free_sites: usize,
    /// Arcs after preprocessing.
    pub arcs: usize,
    /// Arcs of the radius (covering) formulation of an instance with
    /// assignment costs (`Σ_i Σ_k |{j : c_ij ≤ D_ik}|` over the distinct arc
    /// costs `D_ik` of each client); 0 for a covering instance.
    pub radius_arcs: usize,
    /// Some client of the instance (before preprocessing) may stay unserved
    /// at a finite cost (a penalty for missing pairs, maximal covering).
    pub penalty: bool,
    /// Most sites that may open (the cardinality's maximum; the number of
    /// sites without one).
    pub max_open: usize,
    /// At least half the kept clients may stay unserved at a cost at least
    /// ten times their dearest arc (the missing-pair cost of a p-median as
    /// spopt's users pose it): the penalty split of [`Search::Split`] pays.
    pub splits: bool,
}

fn shape(inst: &Instance, p: &Prob) -> Shape {
    let free: Vec<usize> = (0..p.n).filter(|&j| p.fix[j] == crate::Fixing::Free).collect();
    let f0 = free.first().map_or(0.0, |&j| p.fixed[j]);
    let covering = p.ccost.iter().all(|&c| c == 0.0);
    Shape {
        covering,
        radius_arcs: if covering { 0 } else { crate::radius::covering_arcs(p) },
        penalty: inst.unserved_cost.iter().any(Option::is_some),
        partial: p.unserved.iter().any(|u| u.is_finite()),
        unit_costs: free.iter().all(|&j| p.fixed[j] == f0),
        budget: p.budget.is_some(),
        cardinality: p.lo > 0 || p.hi < p.n,
        clients: p.m,
        free_sites: free.len(),
        arcs: p.csite.len(),
        max_open: p.hi,
        splits: !covering && crate::split::applies(p),
    }
}

/// Above this many arcs (after preprocessing) weighted set covering and
/// maximal covering take the Lagrangian search, its root multipliers from the
/// interior-point LP: microlp's root LP gets too slow (L: 760k arcs, about
/// 45 s; Clarabel: 1–11 s). Weighted set covering with few clients is the
/// exception ([`LP_COVER_MAX_CLIENTS`]).
const LP_COVER_MAX_ARCS: usize = 400_000;
/// Weighted set covering with at most this many clients (after
/// preprocessing) takes the LP search up to [`LP_COVER_DENSE_MAX_ARCS`] arcs:
/// the root LP's time follows its rows more than its arcs. All of England's
/// LSOAs against 5,820 buildings at 35 minutes (6,858 clients, 653,632 arcs
/// after presolve) has its root LP in 0.8 s and is proven in 44–60 s
/// (1.1 GB), where the Lagrangian search ended its 120 s at a gap of 0.3 %
/// (its bound stays at the LP's; 0.24 GB). At 60 minutes (9,941 clients,
/// 2.0M arcs) the LP search ends 120 s at 1.3 % against 2.6 %, but at
/// 1.8 GB against 0.5 GB: each node LP holds about 120 MB, hence the cap of
/// [`LP_COVER_DENSE_MAX_ARCS`]. Maximal covering is not included: the South
/// East's 5,382 LSOAs at 90 minutes (487,656 arcs) missed the root LP's
/// allowance at 13.6 s.
const LP_COVER_MAX_CLIENTS: usize = 10_000;
/// See [`LP_COVER_MAX_CLIENTS`].
const LP_COVER_DENSE_MAX_ARCS: usize = 1_000_000;

/// The outcome of an instance proven infeasible before any search, and no
/// state to re-plan from.
fn proven_infeasible(solver: String, why: String) -> (Outcome, WarmState) {
    (
        Outcome {
            status: Status::Infeasible,
            open: Vec::new(),
            objective: f64::INFINITY,
            bound: f64::INFINITY,
            nodes: 0,
            solver,
            search: "presolve".into(),
            why,
        },
        WarmState::default(),
    )
}

/// Up to this many arcs in the radius formulation, assignment-cost instances
/// with unserved costs take the LP search on it: the suite's S sparse
/// p-median (78k arcs: root LP 1.9 s); the dense ones (114k–466k) stall
/// microlp's root LP (7–40 s) and take the Lagrangian search.
const RADIUS_MAX_ARCS: usize = 100_000;
/// Maximal covering with a site count of at most this and at least
/// [`BENDERS_MIN_REACH`] sites in reach per zone takes the Benders search
/// (SJC818 with S = 1200, p = 1–6: 0.02–0.25 s against 0.4–1.6 s for the LP
/// search; from p = 8 the LP search is faster on some instances — SJC500 with
/// S = 800, p = 8: 15 s against 0.9 s — and it is on the budgeted S,
/// Kent-scale, M and L instances).
const BENDERS_MAX_P: usize = 6;
/// See [`BENDERS_MAX_P`].
const BENDERS_MIN_REACH: usize = 30;

/// Even when requested, the radius formulation is not built beyond this many
/// arcs (its size grows with the square of the arcs per client: the
/// OR-Library pmed40 would need about 360 million).
const RADIUS_HARD_MAX_ARCS: usize = 20_000_000;

/// The search [`solve`] runs on an instance of this shape, and why.
///
/// * Maximal covering with a small site count (p ≤ 6, no budget) and dense
///   reach (≥ 30 sites per zone): the **Benders search** — the master over the
///   sites needs a few cuts, the full LP is large and degenerate.
/// * Covering with uncovered need (maximal covering under a budget or a p): the
///   **LP search** — the Lagrangian bound converges slowly and is at best the LP
///   bound, while the LP is small and nearly integral. Above 400k arcs the
///   **Lagrangian search from the interior-point LP's multipliers**: microlp's
///   root LP would take most of the time.
/// * Set covering with equal site costs (the LSCP as spopt poses it): the **LP
///   search** with odd-cycle cuts — many tied optima stall the Lagrangian bound
///   below the optimum, the cuts and strong branching close it.
/// * Set covering with weighted costs: the **LP search** too up to 400k arcs
///   (dense instances close in a few nodes where the Lagrangian tree needs
///   thousands), and up to 1M arcs when there are at most 10,000 clients
///   (the root LP's time follows its rows); above, the **Lagrangian search**,
///   its root multipliers from the interior-point LP (Clarabel), so its bound
///   starts at the LP bound.
/// * Arc costs with a cost for unserved clients (the p-median as spopt's
///   users pose it, a large cost for missing pairs) and a radius formulation
///   of at most 100k arcs: the **LP search on the radius formulation**
///   (Elloumi 2010) — the Lagrangian bound converges slowly when the penalty
///   dwarfs the arc costs. Larger ones where at least half the clients have
///   an unserved cost of at least ten times their arcs take the **split search**
///   ([`Search::Split`]): the objective is a maximal covering part (the LP
///   search with cuts) plus a capped p-median (whose Lagrangian bound, added
///   at every node, is nearly tight). Larger ones without the split take the
///   Lagrangian search from the multipliers of the interior-point LP (the
///   strong formulation, one column per arc), which starts its bound at the
///   LP bound.
/// * Other arc costs (p-median, UFLP): the **Lagrangian search** (Beasley's
///   relaxation, exact per node in `O(arcs)`).
pub fn choose(s: &Shape) -> (Search, String) {
    if s.covering && s.clients > 0 {
        if s.partial
            && !s.budget
            && s.cardinality
            && s.max_open <= BENDERS_MAX_P
            && s.arcs >= BENDERS_MIN_REACH * s.clients
        {
            return (
                Search::Benders,
                format!(
                    "maximal covering with a small p ({}) and dense reach ({:.0} sites per zone): the master over the sites (Benders) converges in a few cuts where the full LP is large and degenerate",
                    s.max_open,
                    s.arcs as f64 / s.clients as f64
                ),
            );
        }
        if s.partial && s.arcs > LP_COVER_MAX_ARCS {
            return (
                Search::Lagrangian,
                format!("maximal covering with {} arcs: microlp's root LP would be too slow (L: about 45 s); the Lagrangian search starts from the LP's multipliers by an interior-point method", s.arcs),
            );
        }
        if s.partial {
            return (
                Search::Lp,
                "maximal covering: the LP bound is tight and the LP small after row generation; the Lagrangian bound converges slowly here".into(),
            );
        }
        if s.unit_costs {
            return (
                Search::Lp,
                "set covering with equal site costs: tied optima stall the Lagrangian bound; LP with odd-cycle cuts and strong branching closes it".into(),
            );
        }
        if s.arcs <= LP_COVER_MAX_ARCS {
            return (
                Search::Lp,
                "set covering with weighted site costs: the LP with odd-cycle cuts proves it in few nodes; the Lagrangian bound needs many (suite: S dense 0.5 s against 8 s)".into(),
            );
        }
        if s.clients <= LP_COVER_MAX_CLIENTS && s.arcs <= LP_COVER_DENSE_MAX_ARCS {
            return (
                Search::Lp,
                format!("set covering with weighted site costs, {} arcs over {} clients: the root LP stays quick with few rows, and its cuts and branching lift the bound where the Lagrangian bound stays at the LP's (England at 35 minutes: proven in 44 s against 0.3 % left after 120 s)", s.arcs, s.clients),
            );
        }
        return (
            Search::Lagrangian,
            format!("set covering with {} arcs: the root LP would be too slow; the Lagrangian bound is near it at a fraction of its cost", s.arcs),
        );
    }
    if !s.covering && s.penalty && s.clients > 0 && s.radius_arcs <= RADIUS_MAX_ARCS {
        return (
            Search::Radius,
            format!("assignment costs with a cost for unserved clients (p-median with a missing-pair penalty): the Lagrangian bound converges slowly when the penalty dwarfs the arc costs; the LP of the radius formulation ({} arcs) is exact and small", s.radius_arcs),
        );
    }
    if !s.covering && s.splits && s.clients > 0 {
        return (
            Search::Split,
            format!("assignment costs with a cost for unserved clients at least ten times their arcs (p-median with a missing-pair penalty): the radius formulation is too large for microlp ({} arcs) and both its LP and the Lagrangian bound are weak there; split into maximal covering (LP search with cuts) and a capped p-median (its Lagrangian bound is nearly tight)", s.radius_arcs),
        );
    }
    (
        Search::Lagrangian,
        if s.covering {
            "no client left after preprocessing".into()
        } else {
            "assignment costs (p-median / facility location): Beasley's Lagrangian bound is exact per node in O(arcs)"
                .into()
        },
    )
}

/// [`solve`] with a chosen search (`Search::Auto` is [`solve`]). Every search
/// is exact: on the same instance each returns an optimal plan with a proven
/// bound; they differ only in speed (and, among tied optima, in which plan).
///
/// # Errors
/// As [`solve`].
pub fn solve_with(inst: &Instance, opts: &SolveOptions, search: Search) -> Result<Outcome, InstanceError> {
    run(inst, opts, search, None, false).map(|(o, _)| o)
}

/// [`solve_with`], also returning what its search learnt, for re-planning
/// what-ifs on the same instance with [`solve_warm`] (put it in
/// [`WarmStart::state`] beside the plan). The state is the LP search's
/// (`lp-bb`): its reduced problem, root LP (rows, cuts, basis) and the
/// regions of its tree; it is empty when another search ran. The outcome is
/// the one [`solve_with`] returns. The state holds the root LP and one small
/// record per tree leaf (decisions and bound) in memory.
///
/// # Errors
/// As [`solve`].
pub fn solve_with_state(
    inst: &Instance,
    opts: &SolveOptions,
    search: Search,
) -> Result<(Outcome, WarmState), InstanceError> {
    run(inst, opts, search, None, true)
}

/// [`solve_with`] warm-started from a plan (a what-if re-plan starting from the
/// previous plan's open sites): `start` is adjusted to the instance's fixings
/// and side constraints (greedy repair and fill, then local search) and becomes
/// the first incumbent of the search, which then skips its own greedy start.
///
/// With a [`WarmStart::state`] from [`solve_with_state`] on the same instance,
/// and when the instance differs from it only in free sites now forced open or
/// closed (a what-if) and the search is `Auto` or `Lp`, the re-plan restarts
/// from that state instead ([`crate::warm`]: the kept reduced problem, root LP
/// with its rows, cuts and basis, and the regions of the kept tree, those that
/// fixed a site the other way dropped); `why` says so. When the state cannot
/// be used for this change of fixings, the re-plan starts from the plan alone
/// and `why` says why.
///
/// The answer is exact as without it; only the time differs (and, among tied
/// optima, which plan is returned).
///
/// # Errors
/// As [`solve`]; also when `start` does not have one flag per site, and
/// [`InstanceError::WarmState`] when `start.state` was made for another
/// instance (one that differs in more than its fixings).
pub fn solve_warm(
    inst: &Instance,
    opts: &SolveOptions,
    search: Search,
    start: &WarmStart,
) -> Result<Outcome, InstanceError> {
    if start.open.len() != inst.n_sites() {
        return Err(InstanceError::Length(format!(
            "warm start has {} site flags, the instance {} sites",
            start.open.len(),
            inst.n_sites()
        )));
    }
    let Some(inner) = start.state.inner() else {
        return run(inst, opts, search, Some(&start.open), false).map(|(o, _)| o);
    };
    inst.validate()?;
    crate::warm::check(inner, inst)?;
    let why_not = if !matches!(search, Search::Auto | Search::Lp) {
        format!("the {} search was requested", search.name())
    } else {
        match crate::warm::replan(inner, inst) {
            Ok(r) => return replan(inst, opts, inner, r, &start.open),
            Err(e) => e,
        }
    };
    let (mut out, _) = run(inst, opts, search, Some(&start.open), false)?;
    out.why = format!("{}; the kept search state was not used ({why_not})", out.why);
    Ok(out)
}

/// The re-plan from a kept LP search ([`crate::warm`]).
fn replan(
    inst: &Instance,
    opts: &SolveOptions,
    inner: &crate::warm::Inner,
    r: crate::warm::Replan,
    open: &[bool],
) -> Result<Outcome, InstanceError> {
    let start = Instant::now();
    let deadline = start + opts.time_limit;
    let p = &r.p;
    // The incumbent: the best solved region's plan, or the previous plan
    // adjusted to the new fixings (repair, fill, a short local search).
    let mut best: Option<crate::tree::Candidate> = None;
    for c in r
        .plans
        .iter()
        .cloned()
        .chain(crate::heuristic::greedy(p, &p.fix, open, REPLAN_MOVES, deadline))
    {
        if best.as_ref().is_none_or(|b| c.0 < b.0) {
            best = Some(c);
        }
    }
    // The kept tree's regions restart when few of them can still hold a
    // better plan (their old bounds below the cutoff); otherwise the what-if
    // root restarts alone on the kept root LP: many regions would each grow
    // their own subtree (M: 181 regions, 176 nodes against 16 cold).
    let cutoff = p.cutoff(best.as_ref().map_or(f64::INFINITY, |b| b.0), opts.rel_gap, opts.abs_gap);
    let open_regions = r.starts.iter().filter(|s| s.0 < cutoff).count();
    let n_starts = r.starts.len();
    let (starts, why) = if open_regions <= REPLAN_MAX_REGIONS {
        (
            r.starts.into_iter().map(|(b, d)| (b, d.len() as u32, d)).collect(),
            format!(
                "re-planned from the kept lp-bb search ({} sites newly forced): its root LP with rows, cuts and basis and its tree: {} of its {} regions restarted ({} below the cutoff of the starting plan), {} dropped (they fix a forced site the other way), {} solved by their integral plan",
                r.changes.len(),
                n_starts,
                inner.kept.regions.len(),
                open_regions,
                r.dropped,
                r.plans.len()
            ),
        )
    } else {
        (
            vec![(f64::NEG_INFINITY, 0, r.changes.clone())],
            format!(
                "re-planned from the kept lp-bb search ({} sites newly forced): its root LP with rows, cuts and basis, a new tree ({} of its {} regions below the cutoff of the starting plan: more than {REPLAN_MAX_REGIONS})",
                r.changes.len(),
                open_regions,
                inner.kept.regions.len(),
            ),
        )
    };
    let s = match crate::lpbb::resume(p, &inner.kept, starts, opts.rel_gap, opts.abs_gap, deadline, best) {
        Ok(s) => s,
        Err(e) => {
            let (mut out, _) = run(inst, opts, Search::Auto, Some(open), false)?;
            out.why = format!("{}; the re-plan from the kept search gave up ({})", out.why, e.0);
            return Ok(out);
        }
    };
    Ok(finish(
        inst,
        opts,
        s,
        "lp-bb (re-plan from the kept search: microlp dual simplex, strong branching)".into(),
        Search::Lp.name().into(),
        why,
    ))
}

/// Local-search moves of the re-plan's starting plan (the tree's own rounding
/// heuristic takes over from there).
const REPLAN_MOVES: usize = 20;
/// The kept tree's regions restart when at most this many are below the
/// cutoff (one round of the tree); otherwise the what-if's root does.
const REPLAN_MAX_REGIONS: usize = crate::tree::BATCH;

/// Share of the time left that the interior-point root LP may take before the
/// Lagrangian search.
const IPM_TIME_SHARE: f64 = 0.5;

/// The Lagrangian search; on covering instances and instances with a cost for
/// unserved clients (where the subgradient ascent climbs slowly to the LP
/// bound) its root multipliers come from the LP solved by the interior-point
/// method of [`crate::ipm`], which `why` then reports.
/// The plan a search that gave up hands over (`open`, judged on `p`) or the
/// warm start, whichever is better: the Lagrangian search that takes over
/// starts from it, so a plan found before the give-up is not lost (at L its
/// greedy start alone can take seconds, and the time may be gone).
fn handed_over(
    p: &crate::prep::Prob,
    warm: Option<crate::tree::Candidate>,
    open: Option<Vec<bool>>,
) -> Option<crate::tree::Candidate> {
    // `side_ok` checks the fixings as well as the budget and cardinality.
    let given = open
        .filter(|o| o.len() == p.n && p.side_ok(o))
        .map(|o| (p.objective(&o), o))
        .filter(|c| c.0.is_finite());
    match (warm, given) {
        (Some(w), Some(g)) => Some(if g.0 < w.0 { g } else { w }),
        (w, g) => w.or(g),
    }
}

fn lagrangian(
    p: &crate::prep::Prob,
    sh: &Shape,
    opts: &SolveOptions,
    deadline: Instant,
    warm: Option<crate::tree::Candidate>,
    why: &mut String,
) -> crate::tree::Search {
    let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
    let lp = if (sh.covering || sh.penalty) && p.m > 0 {
        crate::ipm::root(p, &p.fix, left * IPM_TIME_SHARE)
    } else {
        None
    };
    if let Some(r) = &lp {
        why.push_str(&format!(
            "; root multipliers from the LP by an interior-point method (Clarabel: LP value {:.6}, {} iterations)",
            r.value, r.iterations
        ));
        // The seconds go to the log only: `why` is written to plan.json,
        // which must not change from one run to the next.
        log::debug!("[hubplan-solver ipm] root LP in {:.2} s", r.seconds);
    }
    search_lagrangian(p, opts.rel_gap, opts.abs_gap, deadline, warm, lp.as_ref())
}

fn run(
    inst: &Instance,
    opts: &SolveOptions,
    search: Search,
    warm: Option<&[bool]>,
    keep: bool,
) -> Result<(Outcome, WarmState), InstanceError> {
    let start = Instant::now();
    inst.validate()?;
    if inst.capacity.iter().any(Option::is_some) {
        let mut out = solve_mip(inst, opts, MipBackend::Microlp)?;
        out.solver = "lagrangian-bb (capacitated: routed to mip:microlp)".into();
        out.why = "capacitated sites: only the MIP back end models capacities".into();
        return Ok((out, WarmState::default()));
    }
    let deadline = start + opts.time_limit;
    let p = match reduce(inst) {
        Prep::Infeasible(reason) => {
            return Ok(proven_infeasible(
                format!("lagrangian-bb (preprocessing: {reason})"),
                reason,
            ));
        }
        Prep::Ok(p) => p,
    };
    // Too few sites to serve every client? A greedy cover flags it, the
    // covering Lagrangian proves it (within a tenth of the time); else the
    // row-weighting search looks for a cover within the count to start from.
    // Both work on one covering question, built once.
    let mut cover_start = None;
    if let Some(q) = crate::countbound::may_be_too_few(&p)
        .then(|| crate::countbound::covering(&p))
        .flatten()
    {
        let share = deadline.saturating_duration_since(Instant::now()).mul_f64(0.1);
        let bound = crate::countbound::covering_bound(&q, p.hi, Instant::now() + share);
        log::debug!(
            "[hubplan-solver] a greedy cover needs more than {} sites; covering bound {bound:?} in {:.3}s",
            p.hi,
            start.elapsed().as_secs_f64()
        );
        if let Some(b) = bound.filter(|&b| b > p.hi as f64 + 1e-6) {
            let why = format!(
                "serving every client needs at least {} sites (a Lagrangian bound of the covering), but at most {} may be open",
                (b - 1e-6).ceil(),
                p.hi
            );
            return Ok(proven_infeasible(
                "presolve (site count below a covering bound)".into(),
                why,
            ));
        }
        if warm.is_none() {
            let share = deadline.saturating_duration_since(Instant::now()).mul_f64(0.1);
            cover_start = crate::countbound::cover_within(&q, p.hi, Instant::now() + share);
        }
    }
    let sh = shape(inst, &p);
    let (mut chosen, mut why) = match search {
        Search::Auto => choose(&sh),
        Search::Lp => (Search::Lp, "requested".to_string()),
        Search::Lagrangian => (Search::Lagrangian, "requested".to_string()),
        Search::Radius => (Search::Radius, "requested".to_string()),
        Search::Benders => (Search::Benders, "requested".to_string()),
        Search::Split => (Search::Split, "requested".to_string()),
    };
    if chosen == Search::Radius && sh.radius_arcs > RADIUS_HARD_MAX_ARCS {
        chosen = Search::Lagrangian;
        why = format!(
            "the radius formulation would have {} arcs (more than {RADIUS_HARD_MAX_ARCS}); Lagrangian search instead",
            sh.radius_arcs
        );
    }
    if matches!(chosen, Search::Lp | Search::Benders) && !(sh.covering && sh.clients > 0) {
        why = format!(
            "the {} search needs a covering instance; Lagrangian search instead",
            chosen.name()
        );
        chosen = Search::Lagrangian;
    }
    let warm: Option<crate::tree::Candidate> = warm
        .or(cover_start.as_deref())
        .and_then(|open| crate::heuristic::greedy(&p, &p.fix, open, crate::heuristic::root_moves(&p), deadline));
    log::debug!(
        "presolve {:?}; shape {sh:?}; search {} ({why})",
        p.presolve,
        chosen.name()
    );
    let pre = &p.presolve;
    if pre.forced_open + pre.rows_dominated + pre.columns_dominated > 0 {
        why = format!(
            "{why}; presolve forced {} sites open, dropped {} dominated zones and {} dominated sites",
            pre.forced_open, pre.rows_dominated, pre.columns_dominated
        );
    }
    let mut solver = "lagrangian-bb".to_string();
    let mut state = WarmState::default();
    let s = if chosen == Search::Benders {
        match crate::benders::search(&p, opts.rel_gap, opts.abs_gap, deadline, warm.clone()) {
            Ok(s) => {
                solver = "benders-bb (microlp dual simplex master, in-out stabilised cuts)".into();
                s
            }
            Err(e) => {
                solver = format!("lagrangian-bb (Benders search abandoned: {})", e.0);
                why = format!("{why}; the Benders search gave up ({}), the Lagrangian search ran", e.0);
                chosen = Search::Lagrangian;
                lagrangian(&p, &sh, opts, deadline, handed_over(&p, warm, e.1), &mut why)
            }
        }
    } else if chosen == Search::Lp {
        match crate::lpbb::search_keep(&p, opts.rel_gap, opts.abs_gap, deadline, warm.clone(), keep) {
            Ok((s, kept)) => {
                solver = "lp-bb (microlp dual simplex, strong branching)".into();
                if let Some(kept) = kept {
                    state = WarmState::new(inst, &p, kept);
                }
                s
            }
            Err(e) => {
                solver = format!("lagrangian-bb (LP search abandoned: {})", e.0);
                why = format!("{why}; the LP search gave up ({}), the Lagrangian search ran", e.0);
                chosen = Search::Lagrangian;
                lagrangian(&p, &sh, opts, deadline, handed_over(&p, warm, e.1), &mut why)
            }
        }
    } else if chosen == Search::Split {
        match crate::split::split(&p) {
            Some(sp) => match crate::lpbb::search_split(&p, &sp, opts.rel_gap, opts.abs_gap, deadline, warm.clone()) {
                Ok(s) => {
                    solver = "lp-split (maximal covering part by microlp dual simplex and strong branching, capped p-median part by Lagrangian bound)".into();
                    s
                }
                Err(e) => {
                    solver = format!("lagrangian-bb (split search abandoned: {})", e.0);
                    why = format!("{why}; the split search gave up ({}), the Lagrangian search ran", e.0);
                    chosen = Search::Lagrangian;
                    lagrangian(&p, &sh, opts, deadline, handed_over(&p, warm, e.1), &mut why)
                }
            },
            None => {
                why = format!("{why}; no client has an unserved cost of at least {} times its arcs to split, the Lagrangian search ran", (1.0 / crate::split::MAX_THETA).round());
                chosen = Search::Lagrangian;
                lagrangian(&p, &sh, opts, deadline, warm, &mut why)
            }
        }
    } else if chosen == Search::Radius {
        let q = if sh.clients > 0 {
            crate::radius::covering(&p)
        } else {
            None
        };
        match q.map(|q| crate::lpbb::search(&q, opts.rel_gap, opts.abs_gap, deadline, None)) {
            Some(Ok(s)) => {
                solver = "lp-radius (radius formulation, microlp dual simplex, strong branching)".into();
                s
            }
            Some(Err(e)) => {
                solver = format!("lagrangian-bb (LP search on the radius formulation abandoned: {})", e.0);
                why = format!("{why}; the LP search gave up ({}), the Lagrangian search ran", e.0);
                chosen = Search::Lagrangian;
                lagrangian(&p, &sh, opts, deadline, handed_over(&p, warm, e.1), &mut why)
            }
            None => {
                why = format!("{why}; no covering form (no client left), the Lagrangian search ran");
                chosen = Search::Lagrangian;
                lagrangian(&p, &sh, opts, deadline, warm, &mut why)
            }
        }
    } else {
        lagrangian(&p, &sh, opts, deadline, warm, &mut why)
    };
    // A search stopped early (its root unfinished) can hold a bound below
    // the one every plan meets; report at least that one.
    let mut s = s;
    if !s.complete {
        s.bound = s.bound.max(p.trivial_bound());
    }
    let search = chosen.name().to_string();
    Ok((finish(inst, opts, s, solver, search, why), state))
}

/// The outcome of a search on the reduced problem: the plan's objective
/// recomputed on the instance, its status from the bound and the gap.
fn finish(
    inst: &Instance,
    opts: &SolveOptions,
    s: crate::tree::Search,
    solver: String,
    search: String,
    why: String,
) -> Outcome {
    match s.best {
        Some((_, open)) => {
            let z = crate::eval::objective(inst, &open).unwrap_or(f64::INFINITY);
            let feasible = z.is_finite() && crate::eval::check(inst, &open).is_ok();
            if !feasible {
                // Defensive: never return a solution the evaluator rejects.
                return Outcome {
                    status: Status::Unknown,
                    open: Vec::new(),
                    objective: f64::INFINITY,
                    bound: s.bound.min(f64::INFINITY),
                    nodes: s.nodes,
                    solver,
                    search,
                    why,
                };
            }
            let bound = s.bound.min(z) + 0.0; // + 0.0 turns −0 into 0
            let tol = opts.abs_gap.max(opts.rel_gap * z.abs());
            let status = if s.complete || z - bound <= tol {
                Status::Optimal
            } else {
                Status::Feasible
            };
            Outcome {
                status,
                open,
                objective: z,
                bound,
                nodes: s.nodes,
                solver,
                search,
                why,
            }
        }
        None => Outcome {
            status: if s.complete {
                Status::Infeasible
            } else {
                Status::Unknown
            },
            open: Vec::new(),
            objective: f64::INFINITY,
            bound: if s.complete { f64::INFINITY } else { s.bound },
            nodes: s.nodes,
            solver,
            search,
            why,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{Arc, Cardinality, Fixing, Instance};
    use crate::prep::{reduce, Prep};

    /// Three zones in a ring of three sites, each zone in reach of two, with
    /// unserved costs 1, 2, 3; site 2 closed; p = 1.
    fn prob() -> crate::prep::Prob {
        let mut inst = Instance::with_sites(3);
        for (i, sites) in [[0u32, 1], [1, 2], [2, 0]].into_iter().enumerate() {
            let arcs = sites.iter().map(|&site| Arc { site, cost: 0.0 }).collect();
            inst.push_client(arcs, Some(1.0 + i as f64), 1.0);
        }
        inst.cardinality = Some(Cardinality { min: 0, max: 1 });
        inst.fixing[2] = Fixing::Closed;
        match reduce(&inst) {
            Prep::Ok(p) => *p,
            Prep::Infeasible(r) => panic!("{r}"),
        }
    }

    #[test]
    fn the_trivial_bound_is_met_by_every_plan_and_tight_without_site_costs() {
        // Arc costs below the unserved costs; site 2 forced open (cost 4).
        let mut inst = Instance::with_sites(4);
        inst.fixed_cost = vec![0.0, 0.0, 4.0, 0.0];
        for (i, arcs) in [
            vec![(0u32, 2.0), (1, 1.0)],
            vec![(1, 3.0), (2, 2.5)],
            vec![(3, 0.5)],
            vec![(0, 6.0)],
        ]
        .into_iter()
        .enumerate()
        {
            let arcs = arcs.into_iter().map(|(site, cost)| Arc { site, cost }).collect();
            inst.push_client(arcs, Some(5.0 + i as f64), 1.0);
        }
        inst.fixing[2] = Fixing::Open;
        let p = match reduce(&inst) {
            Prep::Ok(p) => *p,
            Prep::Infeasible(r) => panic!("{r}"),
        };
        let t = p.trivial_bound();
        // 4 (site 2) + 1 + 2.5 + 0.5 + 6 (client 3's only arc, at its unserved 8 less)
        assert_eq!(t, 14.0);
        let mut least = f64::INFINITY;
        for mask in 0u32..(1 << p.n) {
            let open: Vec<bool> = (0..p.n).map(|j| mask >> j & 1 == 1).collect();
            if p.side_ok(&open) {
                let z = p.objective(&open);
                assert!(z >= t, "{open:?}: {z} < {t}");
                least = least.min(z);
            }
        }
        // Free sites cost nothing: opening them all meets the bound.
        assert_eq!(least, t);
    }

    #[test]
    fn a_search_that_gave_up_hands_over_its_plan_when_it_is_the_better_one() {
        let p = prob();
        // Site 1 open leaves zone 2 unserved (3), site 0 open zone 1 (2).
        let worse = vec![false, true, false];
        let better = vec![true, false, false];
        let (zw, zb) = (p.objective(&worse), p.objective(&better));
        assert!(zb < zw, "{zb} {zw}");
        // No warm start: the handed-over plan, judged on `p`.
        assert_eq!(handed_over(&p, None, Some(better.clone())), Some((zb, better.clone())));
        // The better of the two.
        assert_eq!(
            handed_over(&p, Some((zw, worse.clone())), Some(better.clone())),
            Some((zb, better.clone()))
        );
        assert_eq!(
            handed_over(&p, Some((zb, better.clone())), Some(worse.clone())),
            Some((zb, better.clone()))
        );
        // A plan that breaks the cardinality or a fixing, or has the wrong
        // length, is not taken.
        assert_eq!(handed_over(&p, None, Some(vec![true, true, false])), None);
        assert_eq!(handed_over(&p, None, Some(vec![false, false, true])), None);
        assert_eq!(handed_over(&p, None, Some(vec![true])), None);
        assert_eq!(handed_over(&p, Some((zw, worse.clone())), None), Some((zw, worse)));
    }
}
