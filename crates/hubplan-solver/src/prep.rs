//! Preprocessing: turns an [`Instance`] into the reduced working form used by
//! the Lagrangian branch-and-bound (crate-private).

use crate::instance::{Fixing, Instance};

/// Cost used for "this client cannot be served" inside heuristics.
pub(crate) const INF: f64 = f64::INFINITY;

/// The reduced, uncapacitated problem. Site indices are the instance's; client
/// indices are dense over the kept clients.
#[derive(Debug, Clone)]
pub(crate) struct Prob {
    pub n: usize,
    pub m: usize,
    pub fixed: Vec<f64>,
    pub bcost: Vec<f64>,
    pub budget: Option<f64>,
    /// Cardinality bounds (0..=n when absent).
    pub lo: usize,
    pub hi: usize,
    /// Root fixings after preprocessing.
    pub fix: Vec<Fixing>,
    /// Client CSR.
    pub cstart: Vec<usize>,
    pub csite: Vec<u32>,
    pub ccost: Vec<f64>,
    /// Unserved cost per kept client (`INF` = must serve).
    pub unserved: Vec<f64>,
    /// Client arcs sorted by cost (same offsets as `cstart`).
    pub ocsite: Vec<u32>,
    pub occost: Vec<f64>,
    /// Site CSC.
    pub sstart: Vec<usize>,
    pub sclient: Vec<u32>,
    pub scost: Vec<f64>,
    /// Objective constant (clients that always pay their unserved cost).
    pub constant: f64,
    /// Every objective coefficient is an integer (bounds may be rounded up).
    pub integral: bool,
    /// What presolve removed.
    pub presolve: PresolveStats,
}

/// Result of preprocessing.
#[derive(Debug)]
pub(crate) enum Prep {
    /// Proven infeasible, with the reason.
    Infeasible(String),
    /// The reduced problem.
    Ok(Box<Prob>),
}

fn is_int(x: f64) -> bool {
    x.is_finite() && x == x.round() && x.abs() < 1e15
}

/// Builds the reduced problem. The instance must be validated and uncapacitated
/// (capacities are ignored here).
pub(crate) fn reduce(inst: &Instance) -> Prep {
    let n = inst.n_sites();
    let (lo, hi) = match inst.cardinality {
        Some(c) => (c.min as usize, (c.max as usize).min(n)),
        None => (0, n),
    };
    let mut fix = inst.fixing.clone();
    if lo > hi {
        return Prep::Infeasible(format!(
            "cardinality needs at least {} of {} sites but at most {}",
            lo, n, hi
        ));
    }
    // Clients: drop arcs no better than the unserved cost and arcs to closed sites.
    let mut keep_arcs: Vec<Vec<(u32, f64)>> = Vec::new();
    let mut unserved = Vec::new();
    let mut constant = 0.0;
    for i in 0..inst.n_clients() {
        let u = inst.unserved_cost[i].unwrap_or(INF);
        let arcs: Vec<(u32, f64)> = inst
            .arcs_of(i)
            .iter()
            .filter(|a| a.cost < u && fix[a.site as usize] != Fixing::Closed)
            .map(|a| (a.site, a.cost))
            .collect();
        if arcs.is_empty() {
            if u.is_finite() {
                constant += u;
                continue;
            }
            return Prep::Infeasible(format!(
                "client {i} must be served but no site that may open can serve it"
            ));
        }
        keep_arcs.push(arcs);
        unserved.push(u);
    }
    // Presolve rounds: forced sites, clients absorbed by forced-open sites,
    // dominated rows, dominated columns; repeated while columns are removed.
    let mut stats = PresolveStats::default();
    let mut rounds = 0;
    loop {
        rounds += 1;
        // Singleton must-serve clients force their site open.
        for (k, arcs) in keep_arcs.iter().enumerate() {
            if arcs.len() == 1 && !unserved[k].is_finite() && fix[arcs[0].0 as usize] != Fixing::Open {
                fix[arcs[0].0 as usize] = Fixing::Open;
                stats.forced_open += 1;
            }
        }
        // A client with an arc to a forced-open site can always use it: that arc
        // becomes its unserved cost, and arcs no cheaper are dropped. A client left
        // without arcs pays that cost as a constant.
        let mut gone = vec![false; keep_arcs.len()];
        for (k, arcs) in keep_arcs.iter_mut().enumerate() {
            let c0 = arcs
                .iter()
                .filter(|a| fix[a.0 as usize] == Fixing::Open)
                .map(|a| a.1)
                .fold(INF, f64::min);
            if c0 < unserved[k] {
                unserved[k] = c0;
                arcs.retain(|a| a.1 < c0);
                if arcs.is_empty() {
                    constant += c0;
                    gone[k] = true;
                }
            }
        }
        let dropped = dominated_rows(n, &keep_arcs, &unserved);
        stats.rows_dominated += dropped.iter().filter(|&&d| d).count();
        for (k, d) in dropped.iter().enumerate() {
            gone[k] |= *d;
        }
        drop_clients(&mut keep_arcs, &mut unserved, &gone);
        if rounds > MAX_PRESOLVE_ROUNDS || lo > 0 {
            break;
        }
        let closed = dominated_columns(inst, &fix, &keep_arcs);
        if closed.is_empty() {
            break;
        }
        stats.columns_dominated += closed.len();
        for &j in &closed {
            fix[j] = Fixing::Closed;
        }
        let mut gone = vec![false; keep_arcs.len()];
        for (k, arcs) in keep_arcs.iter_mut().enumerate() {
            arcs.retain(|a| fix[a.0 as usize] != Fixing::Closed);
            if arcs.is_empty() {
                // A dominated column never serves a client alone: its dominator
                // serves the client too, unless the client was unserved anyway.
                if unserved[k].is_finite() {
                    constant += unserved[k];
                    gone[k] = true;
                } else {
                    return Prep::Infeasible(format!("client {k} lost every site in presolve (a bug)"));
                }
            }
        }
        drop_clients(&mut keep_arcs, &mut unserved, &gone);
    }
    let mut cstart = vec![0usize];
    let mut csite = Vec::new();
    let mut ccost = Vec::new();
    let mut uns = Vec::new();
    for (k, arcs) in keep_arcs.into_iter().enumerate() {
        for (s, c) in arcs {
            csite.push(s);
            ccost.push(c);
        }
        cstart.push(csite.len());
        uns.push(unserved[k]);
    }
    let m = uns.len();
    let mut ocsite = csite.clone();
    let mut occost = ccost.clone();
    for i in 0..m {
        let r = cstart[i]..cstart[i + 1];
        let mut v: Vec<(u32, f64)> = csite[r.clone()]
            .iter()
            .copied()
            .zip(ccost[r.clone()].iter().copied())
            .collect();
        v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        for (k, (s, c)) in r.zip(v) {
            ocsite[k] = s;
            occost[k] = c;
        }
    }
    // CSC.
    let mut cnt = vec![0usize; n + 1];
    for &s in &csite {
        cnt[s as usize + 1] += 1;
    }
    for j in 0..n {
        cnt[j + 1] += cnt[j];
    }
    let sstart = cnt.clone();
    let mut pos = cnt;
    let mut sclient = vec![0u32; csite.len()];
    let mut scost = vec![0.0; csite.len()];
    for i in 0..m {
        for a in cstart[i]..cstart[i + 1] {
            let s = csite[a] as usize;
            sclient[pos[s]] = i as u32;
            scost[pos[s]] = ccost[a];
            pos[s] += 1;
        }
    }
    let integral = inst.fixed_cost.iter().all(|&x| is_int(x))
        && ccost.iter().all(|&x| is_int(x))
        && uns.iter().all(|&x| !x.is_finite() || is_int(x))
        && is_int(constant);
    // Immediate infeasibilities from fixings.
    let n_open = fix.iter().filter(|f| **f == Fixing::Open).count();
    let n_avail = fix.iter().filter(|f| **f != Fixing::Closed).count();
    if n_open > hi {
        return Prep::Infeasible(format!("{n_open} sites must be open but at most {hi} may be"));
    }
    if n_avail < lo {
        return Prep::Infeasible(format!("at least {lo} sites must be open but only {n_avail} may be"));
    }
    if let Some(b) = inst.budget {
        let used: f64 = (0..n)
            .filter(|&j| fix[j] == Fixing::Open)
            .map(|j| inst.budget_cost[j])
            .sum();
        if used > b * (1.0 + 1e-12) + 1e-12 {
            return Prep::Infeasible(format!("sites that must be open use {used} of the budget {b}"));
        }
    }
    Prep::Ok(Box::new(Prob {
        n,
        m,
        fixed: inst.fixed_cost.clone(),
        bcost: inst.budget_cost.clone(),
        budget: inst.budget,
        lo,
        hi,
        fix,
        cstart,
        csite,
        ccost,
        unserved: uns,
        ocsite,
        occost,
        sstart,
        sclient,
        scost,
        constant,
        integral,
        presolve: stats,
    }))
}

/// Presolve rounds at most (each round after the first needs a newly dominated column).
const MAX_PRESOLVE_ROUNDS: usize = 8;

/// What presolve removed (for the solver's report).
#[derive(Debug, Clone, Default)]
pub(crate) struct PresolveStats {
    /// Sites forced open by a must-serve client with a single site.
    pub forced_open: usize,
    /// Clients dropped because another client's sites are a subset of theirs.
    pub rows_dominated: usize,
    /// Sites closed because another site serves all their clients at no more cost.
    pub columns_dominated: usize,
}

/// Dominated must-serve clients with zero arc costs: a client whose arc set is
/// a superset of another such client's is served whenever the other is.
/// Returns one flag per client (`true` = drop).
/// Drops the clients flagged in `gone` from both per-client lists.
fn drop_clients(keep_arcs: &mut Vec<Vec<(u32, f64)>>, unserved: &mut Vec<f64>, gone: &[bool]) {
    let mut k = 0;
    keep_arcs.retain(|_| {
        k += 1;
        !gone[k - 1]
    });
    let mut k = 0;
    unserved.retain(|_| {
        k += 1;
        !gone[k - 1]
    });
}

fn dominated_rows(n: usize, keep_arcs: &[Vec<(u32, f64)>], unserved: &[f64]) -> Vec<bool> {
    let zero: Vec<bool> = (0..keep_arcs.len())
        .map(|k| !unserved[k].is_finite() && keep_arcs[k].iter().all(|a| a.1 == 0.0))
        .collect();
    let mut dropped = vec![false; keep_arcs.len()];
    if zero.iter().filter(|&&z| z).count() > 1 {
        // Index: site -> zero clients.
        let mut by_site: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (k, arcs) in keep_arcs.iter().enumerate() {
            if zero[k] {
                for a in arcs {
                    by_site[a.0 as usize].push(k as u32);
                }
            }
        }
        let mut work: usize = 0;
        let work_cap: usize = 50_000_000;
        for k in 0..keep_arcs.len() {
            if !zero[k] || work > work_cap {
                continue;
            }
            // Candidates dominating k: zero clients containing k's rarest site.
            let Some(rare) = keep_arcs[k].iter().min_by_key(|a| by_site[a.0 as usize].len()) else {
                continue;
            };
            for &o in &by_site[rare.0 as usize] {
                let o = o as usize;
                if o == k || dropped[o] || keep_arcs[o].len() < keep_arcs[k].len() {
                    continue;
                }
                // Equal sets: keep the lower index.
                if keep_arcs[o].len() == keep_arcs[k].len() && o < k {
                    continue;
                }
                work += keep_arcs[k].len();
                // o ⊇ k ?
                let mut j = 0;
                let ao = &keep_arcs[o];
                let mut sup = true;
                for a in &keep_arcs[k] {
                    while j < ao.len() && ao[j].0 < a.0 {
                        j += 1;
                    }
                    if j >= ao.len() || ao[j].0 != a.0 {
                        sup = false;
                        break;
                    }
                }
                if sup {
                    dropped[o] = true;
                }
            }
        }
    }
    dropped
}

/// Dominated columns (sites). Site `j` (free) is dominated by site `k` (free or
/// forced open) when `k` serves every client of `j` at no greater cost, costs
/// no more to open and weighs no more in the budget; equal sites are ordered
/// by index. Any plan that opens `j` stays feasible and no worse with `k`
/// instead (or with `j` closed when `k` is open too), provided no lower bound
/// on the number of open sites exists (the caller checks). The relation is
/// acyclic, so closing every dominated site at once keeps an optimal plan.
fn dominated_columns(inst: &Instance, fix: &[Fixing], keep_arcs: &[Vec<(u32, f64)>]) -> Vec<usize> {
    let n = inst.n_sites();
    // Site -> (client, cost), sorted by client.
    let mut by_site: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for (k, arcs) in keep_arcs.iter().enumerate() {
        for &(s, c) in arcs {
            by_site[s as usize].push((k as u32, c));
        }
    }
    let mut out = Vec::new();
    let mut work: usize = 0;
    let work_cap: usize = 200_000_000;
    for j in 0..n {
        if fix[j] != Fixing::Free || work > work_cap {
            continue;
        }
        let cj = &by_site[j];
        // The rarest client of j: every dominator serves it.
        let Some(&(rare, _)) = cj.iter().min_by_key(|&&(k, _)| keep_arcs[k as usize].len()) else {
            // Serves nobody: closing it never hurts (no lower bound on the count).
            out.push(j);
            continue;
        };
        for &(k, _) in &keep_arcs[rare as usize] {
            let k = k as usize;
            if k == j || fix[k] == Fixing::Closed {
                continue;
            }
            let ck = &by_site[k];
            if ck.len() < cj.len()
                || inst.fixed_cost[k] > inst.fixed_cost[j]
                || inst.budget_cost[k] > inst.budget_cost[j]
            {
                continue;
            }
            let equal_costs = inst.fixed_cost[k] == inst.fixed_cost[j] && inst.budget_cost[k] == inst.budget_cost[j];
            work += cj.len();
            let mut p = 0;
            let mut sup = true;
            let mut strict = ck.len() > cj.len();
            for &(c, cost) in cj {
                while p < ck.len() && ck[p].0 < c {
                    p += 1;
                }
                if p >= ck.len() || ck[p].0 != c || ck[p].1 > cost {
                    sup = false;
                    break;
                }
                strict |= ck[p].1 < cost;
            }
            if !sup {
                continue;
            }
            if strict || !equal_costs || k < j {
                out.push(j);
                break;
            }
        }
    }
    out
}

impl Prob {
    /// Arcs of client `i` as (sites, costs).
    #[inline]
    pub fn client(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.cstart[i]..self.cstart[i + 1];
        (&self.csite[r.clone()], &self.ccost[r])
    }
    /// Arcs of client `i` sorted by cost.
    #[inline]
    pub fn client_sorted(&self, i: usize) -> (&[u32], &[f64]) {
        let r = self.cstart[i]..self.cstart[i + 1];
        (&self.ocsite[r.clone()], &self.occost[r])
    }
    /// Clients of site `j` as (clients, costs).
    #[inline]
    pub fn site(&self, j: usize) -> (&[u32], &[f64]) {
        let r = self.sstart[j]..self.sstart[j + 1];
        (&self.sclient[r.clone()], &self.scost[r])
    }
    /// Budget tolerance-aware check.
    pub fn budget_ok(&self, used: f64) -> bool {
        match self.budget {
            Some(b) => used <= b + 1e-9 * b.abs().max(1.0),
            None => true,
        }
    }
    /// Objective of an open set in the reduced problem (`INF` if a must-serve
    /// client is unserved). Side constraints are not checked.
    pub fn objective(&self, open: &[bool]) -> f64 {
        let mut z = self.constant;
        for j in 0..self.n {
            if open[j] {
                z += self.fixed[j];
            }
        }
        for i in 0..self.m {
            let (s, c) = self.client(i);
            let mut best = self.unserved[i];
            for k in 0..s.len() {
                if open[s[k] as usize] && c[k] < best {
                    best = c[k];
                }
            }
            z += best;
        }
        z
    }
    /// A lower bound every plan meets: the constant, the forced-open sites'
    /// costs, every free site's cost when negative, and each client's
    /// cheapest arc or unserved cost. Side constraints are ignored. (A
    /// search stopped before its root settled may hold less: L budgeted
    /// maximal covering reported −7,696 uncovered need.)
    pub fn trivial_bound(&self) -> f64 {
        let mut z = self.constant;
        for j in 0..self.n {
            match self.fix[j] {
                Fixing::Open => z += self.fixed[j],
                Fixing::Free => z += self.fixed[j].min(0.0),
                Fixing::Closed => {}
            }
        }
        for i in 0..self.m {
            let (s, c) = self.client(i);
            let cheapest = s
                .iter()
                .zip(c)
                .filter(|(j, _)| self.fix[**j as usize] != Fixing::Closed)
                .map(|(_, &c)| c)
                .fold(self.unserved[i], f64::min);
            z += cheapest;
        }
        z
    }
    /// The root fixings with branching `decisions` (site, open) applied.
    pub fn fixings_with(&self, decisions: &[(u32, bool)]) -> Vec<Fixing> {
        let mut fix = self.fix.clone();
        for &(j, o) in decisions {
            fix[j as usize] = if o { Fixing::Open } else { Fixing::Closed };
        }
        fix
    }
    /// Search nodes whose bound is at or above this cannot improve the
    /// incumbent `ub` by more than the gap (`INF` without an incumbent).
    pub fn cutoff(&self, ub: f64, rel_gap: f64, abs_gap: f64) -> f64 {
        if !ub.is_finite() {
            return INF;
        }
        let c = ub - abs_gap.max(rel_gap * ub.abs());
        if self.integral {
            // Integral objective: only values ≤ ub − 1 improve.
            c.min(ub - 1.0 + 1e-6)
        } else {
            c
        }
    }
    /// Side constraints (fixings, cardinality, budget) hold for `open`.
    pub fn side_ok(&self, open: &[bool]) -> bool {
        let mut cnt = 0;
        let mut used = 0.0;
        for j in 0..self.n {
            match (self.fix[j], open[j]) {
                (Fixing::Open, false) | (Fixing::Closed, true) => return false,
                _ => {}
            }
            if open[j] {
                cnt += 1;
                used += self.bcost[j];
            }
        }
        cnt >= self.lo && cnt <= self.hi && self.budget_ok(used)
    }
}
