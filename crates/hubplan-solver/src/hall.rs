//! Hall (neighbourhood-capacity) inequalities for demand capacity, separated
//! by maximum flow (issue 21, docs/SOLVER.md §Demand capacity).
//!
//! # The condition
//! Zones `i` with need `d_i` may use the sites `N(i)` in their reach; site `j`
//! takes at most `c_j` (its capacity `Q_j` when open, 0 when closed, `∞` when
//! open without a limit). A split assignment of every zone's whole need exists
//! if and only if, for every set `S` of zones,
//!
//! ```text
//! Σ_{j ∈ N(S)} c_j ≥ d(S)            N(S) = ∪_{i ∈ S} N(i),  d(S) = Σ_{i ∈ S} d_i
//! ```
//!
//! (Hall 1935; Gale 1957: the supply–demand theorem, i.e. max-flow/min-cut on
//! the network source → zone (`d_i`) → site (`∞`) → sink (`c_j`)). With
//! `c_j = Q_j y_j` and `y` binary this is a family of valid inequalities on
//! the open sites; each is strengthened by coefficient reduction to
//!
//! ```text
//! Σ_{j ∈ N(S)} min(Q_j, d(S_j)) y_j ≥ d(S)     S_j = zones of S that reach j
//! ```
//!
//! (a site serves at most its capacity and at most the need of the zones of
//! `S` that reach it; `min(Q_j, d(S_j)) ≤ min(Q_j, d(S))`). These are the
//! demand-cover inequalities of capacitated facility location (Aardal, Pochet
//! & Wolsey 1995); with the linking `x_ij ≤ y_j` on the arcs they describe the
//! projection of the strong LP relaxation onto `y`.
//!
//! # Separation
//! [`separate`] takes the capacities `c_j` (for a fractional `y`: `Q_j y_j`)
//! and finds a most violated `S` as the zone side of a minimum cut (the zones
//! reachable from the source in the residual network of a maximum flow): the
//! flow's deficit `d − maxflow` is `max_S (d(S) − c(N(S)))`. The cut splits
//! into connected components (zones linked through shared sites); each is a
//! violated inequality of its own and is returned separately.
//! [`separate_linked`] also caps each zone → site arc at `d_i y_j` (the strong
//! linking), so it finds the `S` most violated by the strengthened inequality
//! above at a fractional `y`.
//!
//! The maximum flow is Dinic's algorithm (Dinitz 1970) on compact arrays, with
//! a relative tolerance on residual capacities (floating-point capacities:
//! petgraph's `dinics` tests residuals for exact zero and panics on
//! incomparable weights).
//!
//! # Complexity
//! Dinic on a bipartite unit-depth network: `O(V² E)` in the worst case, in
//! practice a few blocking-flow phases of `O(E)` each; `V = zones + sites + 2`,
//! `E = arcs + zones + sites`. The components: `O(E α(V))`.
//!
//! # References
//! - P. Hall (1935), On representatives of subsets, J. London Math. Soc. 10.
//! - D. Gale (1957), A theorem on flows in networks, Pacific J. Math. 7.
//! - E.A. Dinitz (1970), Algorithm for solution of a problem of maximum flow
//!   in a network with power estimation, Soviet Math. Doklady 11.
//! - K. Aardal, Y. Pochet & L.A. Wolsey (1995), Capacitated facility location:
//!   valid inequalities and facets, Math. Oper. Res. 20.

use std::collections::VecDeque;

/// A violated (or tight) Hall inequality `Σ_j coef_j y_j ≥ rhs` over the
/// sites in reach of `zones`.
#[derive(Clone, Debug, PartialEq)]
pub struct HallCut {
    /// The zone set `S`, ascending.
    pub zones: Vec<u32>,
    /// `d(S)`: the need of the zones.
    pub rhs: f64,
    /// `(site, coefficient)` for every site in reach of `S`, ascending by site;
    /// coefficients strengthened: `min(Q_j, d(S_j)) ≤ min(Q_j, rhs)` with
    /// `S_j` the zones of `S` that reach `j` (`d(S_j)` for an uncapacitated site).
    pub coefs: Vec<(u32, f64)>,
}

impl HallCut {
    /// `rhs − Σ coef_j y_j`: positive when `y` violates the inequality.
    pub fn violation(&self, y: &[f64]) -> f64 {
        self.rhs - self.coefs.iter().map(|&(j, c)| c * y[j as usize]).sum::<f64>()
    }
}

/// A row `Σ coef_j y_j ≥ rhs` over binary site variables (site indices): a
/// Hall row once its sites are mapped, and its rank-1 roundings. Shared by
/// `capcover` (single service) and `services::capcut` (co-location).
#[derive(Clone, Debug)]
pub(crate) struct SiteRow {
    pub(crate) coefs: Vec<(u32, f64)>,
    pub(crate) rhs: f64,
}

impl SiteRow {
    /// `rhs − Σ coef_j y_j`: positive when `y` breaks the row.
    pub(crate) fn violation(&self, y: &[f64]) -> f64 {
        self.rhs - self.coefs.iter().map(|&(j, c)| c * y[j as usize]).sum::<f64>()
    }

    /// Violation over the Euclidean norm of the coefficients (the cut's efficacy).
    pub(crate) fn efficacy(&self, y: &[f64]) -> f64 {
        let norm = self.coefs.iter().map(|p| p.1 * p.1).sum::<f64>().sqrt().max(1e-12);
        self.violation(y) / norm
    }

    /// The cover cut `Σ_j y_j ≥ k` of the row read as a binary covering
    /// knapsack (`k` the fewest coefficients, largest first, reaching the right
    /// side); `None` when the row cannot be met at all.
    pub(crate) fn cover_cut(&self) -> Option<SiteRow> {
        let mut a: Vec<f64> = self.coefs.iter().map(|p| p.1).collect();
        a.sort_by(|x, y| y.total_cmp(x));
        let mut acc = 0.0;
        let tol = 1e-9 * self.rhs.abs().max(1.0);
        for (k, v) in a.iter().enumerate() {
            acc += v;
            if acc >= self.rhs - tol {
                return Some(SiteRow {
                    coefs: self.coefs.iter().map(|&(j, _)| (j, 1.0)).collect(),
                    rhs: (k + 1) as f64,
                });
            }
        }
        None
    }

    /// This row and its strengthenings most violated at `y` (those that cut
    /// it off); at an integral point (`integral`) the row itself whenever it is violated.
    pub(crate) fn strengthen(self, y: &[f64], integral: bool, out: &mut Vec<SiteRow>) {
        let row = self;
        let tol = 1e-6;
        if let Some(c) = row.cover_cut() {
            if c.efficacy(y) > tol {
                out.push(c);
            }
        }
        let mut deltas: Vec<f64> = row
            .coefs
            .iter()
            .filter(|&&(j, _)| y[j as usize] > 1e-6 && y[j as usize] < 1.0 - 1e-6)
            .map(|p| p.1)
            .collect();
        if let Some(mx) = row.coefs.iter().map(|p| p.1).max_by(f64::total_cmp) {
            deltas.push(mx);
        }
        deltas.sort_by(f64::total_cmp);
        deltas.dedup();
        let none = vec![false; y.len()];
        let high: Vec<bool> = y.iter().map(|&v| v > 0.5).collect();
        let mut best: Option<(f64, SiteRow)> = None;
        for comp in [&none, &high] {
            for &d in &deltas {
                for delta in [d, d * 0.5, d * 2.0] {
                    if let Some(r) = row.cmir(comp, delta) {
                        let v = r.efficacy(y);
                        if v > tol && best.as_ref().is_none_or(|b| v > b.0) {
                            best = Some((v, r));
                        }
                    }
                }
            }
        }
        if let Some((_, r)) = best {
            out.push(r);
        }
        if row.efficacy(y) > tol || (integral && row.violation(y) > 0.0) {
            out.push(row);
        }
    }

    /// Complemented mixed-integer rounding (Marchand & Wolsey 2001) of the
    /// binary row `Σ a_j y_j ≥ b`: the sites in `comp` are written as
    /// `1 − ȳ_j`, the row divided by `δ` and rounded with the MIR function
    /// `F(α) = ⌊α⌋ + min(f_α, f)/f`, `f = frac(b'/δ)` (valid for any sign of
    /// `α` and integer `y ≥ 0`), then written back in `y`.
    pub(crate) fn cmir(&self, comp: &[bool], delta: f64) -> Option<SiteRow> {
        let mut b = self.rhs;
        for &(j, a) in &self.coefs {
            if comp[j as usize] {
                b -= a;
            }
        }
        let beta = b / delta;
        let f = beta - beta.floor();
        if !(1e-4..=1.0 - 1e-4).contains(&f) {
            return None;
        }
        let mut rhs = beta.ceil();
        let mut coefs = Vec::with_capacity(self.coefs.len());
        for &(j, a) in &self.coefs {
            let al = if comp[j as usize] { -a / delta } else { a / delta };
            let g = al.floor() + (al - al.floor()).min(f) / f;
            if comp[j as usize] {
                rhs -= g;
                if g != 0.0 {
                    coefs.push((j, -g));
                }
            } else if g != 0.0 {
                coefs.push((j, g));
            }
        }
        Some(SiteRow { coefs, rhs })
    }
}

/// `need[i]` zone demand, `reach[i]` the sites zone i may use, `cap[j]` the
/// usable capacity of site j now (`Q_j·y_j`; `f64::INFINITY` for an open
/// uncapacitated site; 0 closed), `full_cap[j]` = `Q_j` (`INFINITY` when none)
/// for the coefficients.
///
/// Returns the cuts violated by more than `tol` in the form
/// `d(S) − Σ_{j ∈ N(S)} cap_j > tol` (possibly several: one per connected
/// component of the minimum cut), or empty when all need fits. A negative
/// `tol` also returns the components of a tight or slack minimum cut (the zones
/// whose need saturates their sites' capacities).
///
/// # Panics
/// Never on finite non-negative input; a `reach` entry out of range of `cap`
/// panics (programming error).
pub fn separate(need: &[f64], reach: &[Vec<u32>], cap: &[f64], full_cap: &[f64], tol: f64) -> Vec<HallCut> {
    cut_components(need, reach, cap, full_cap, None, tol)
}

/// [`separate`] at a point `y` (each in `[0, 1]`) with the strong linking:
/// the zone → site arcs carry at most `d_i y_j`, sites at most `full_cap_j·y_j`.
/// Returns the components of a minimum cut whose strengthened inequality
/// (see [`HallCut`]) is violated at `y` by more than `tol`.
pub fn separate_linked(need: &[f64], reach: &[Vec<u32>], y: &[f64], full_cap: &[f64], tol: f64) -> Vec<HallCut> {
    let cap: Vec<f64> = y
        .iter()
        .zip(full_cap)
        .map(|(&v, &q)| {
            if v <= 0.0 {
                0.0
            } else if q.is_infinite() {
                f64::INFINITY
            } else {
                q * v
            }
        })
        .collect();
    cut_components(need, reach, &cap, full_cap, Some(y), tol)
}

/// The largest need that fits: the maximum flow of the network of [`separate`].
pub fn max_placed(need: &[f64], reach: &[Vec<u32>], cap: &[f64]) -> f64 {
    let mut g = Network::build(need, reach, cap, None);
    g.max_flow()
}

fn cut_components(
    need: &[f64],
    reach: &[Vec<u32>],
    cap: &[f64],
    full_cap: &[f64],
    y: Option<&[f64]>,
    tol: f64,
) -> Vec<HallCut> {
    let m = need.len();
    let n = cap.len();
    let total: f64 = need.iter().filter(|d| **d > 0.0).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut g = Network::build(need, reach, cap, y);
    let flow = g.max_flow();
    if total - flow <= tol {
        return Vec::new();
    }
    let side = g.source_side();
    // Zones on the source side, grouped into components through shared sites.
    let mut parent: Vec<usize> = (0..m + n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let in_s = |i: usize| need[i] > 0.0 && side[1 + i];
    for i in (0..m).filter(|&i| in_s(i)) {
        for &j in &reach[i] {
            let (a, b) = (find(&mut parent, i), find(&mut parent, m + j as usize));
            if a != b {
                parent[a] = b;
            }
        }
    }
    // Components in order of their smallest zone.
    let mut comp_of: Vec<usize> = vec![usize::MAX; m + n];
    let mut comps: Vec<Vec<u32>> = Vec::new();
    for i in (0..m).filter(|&i| in_s(i)) {
        let r = find(&mut parent, i);
        if comp_of[r] == usize::MAX {
            comp_of[r] = comps.len();
            comps.push(Vec::new());
        }
        comps[comp_of[r]].push(i as u32);
    }
    let mut out = Vec::new();
    let mut dsj = vec![0.0f64; n];
    let mut sites: Vec<u32> = Vec::new();
    for zones in comps {
        let rhs: f64 = zones.iter().map(|&i| need[i as usize]).sum();
        for &i in &zones {
            for &j in &reach[i as usize] {
                if dsj[j as usize] == 0.0 {
                    sites.push(j);
                }
                dsj[j as usize] += need[i as usize];
            }
        }
        sites.sort_unstable();
        let coefs: Vec<(u32, f64)> = sites
            .iter()
            .map(|&j| (j, full_cap[j as usize].min(dsj[j as usize])))
            .collect();
        let viol = match y {
            Some(y) => rhs - coefs.iter().map(|&(j, c)| c * y[j as usize]).sum::<f64>(),
            None => rhs - sites.iter().map(|&j| cap[j as usize]).sum::<f64>(),
        };
        for &j in &sites {
            dsj[j as usize] = 0.0;
        }
        sites.clear();
        if viol > tol {
            out.push(HallCut { zones, rhs, coefs });
        }
    }
    out
}

/// A flow network in compact arrays: node 0 the source, `1..=m` zones,
/// `m+1..=m+n` sites, `m+n+1` the sink. Each edge is stored with its reverse.
struct Network {
    start: Vec<usize>,
    to: Vec<u32>,
    /// Residual capacity.
    res: Vec<f64>,
    /// Index of the reverse edge.
    rev: Vec<u32>,
    eps: f64,
}

impl Network {
    fn build(need: &[f64], reach: &[Vec<u32>], cap: &[f64], y: Option<&[f64]>) -> Self {
        let (m, n) = (need.len(), cap.len());
        let nodes = m + n + 2;
        let (s, t) = (0usize, m + n + 1);
        let mut edges: Vec<(usize, usize, f64)> = Vec::new();
        let mut total = 0.0;
        for i in 0..m {
            let d = need[i];
            if d.is_nan() || d <= 0.0 {
                continue;
            }
            total += d;
            edges.push((s, 1 + i, d));
            for &j in &reach[i] {
                let j = j as usize;
                let c = match y {
                    Some(y) => d * y[j].clamp(0.0, 1.0),
                    None => f64::INFINITY,
                };
                if c > 0.0 && cap[j] > 0.0 {
                    edges.push((1 + i, 1 + m + j, c));
                }
            }
        }
        for j in 0..n {
            if cap[j] > 0.0 {
                edges.push((1 + m + j, t, cap[j]));
            }
        }
        let mut start = vec![0usize; nodes + 1];
        for &(u, v, _) in &edges {
            start[u + 1] += 1;
            start[v + 1] += 1;
        }
        for k in 0..nodes {
            start[k + 1] += start[k];
        }
        let mut fill = start.clone();
        let e2 = 2 * edges.len();
        let (mut to, mut res, mut rev) = (vec![0u32; e2], vec![0.0f64; e2], vec![0u32; e2]);
        for &(u, v, c) in &edges {
            let (a, b) = (fill[u], fill[v]);
            fill[u] += 1;
            fill[v] += 1;
            to[a] = v as u32;
            res[a] = c;
            rev[a] = b as u32;
            to[b] = u as u32;
            res[b] = 0.0;
            rev[b] = a as u32;
        }
        Network {
            start,
            to,
            res,
            rev,
            eps: 1e-11 * total.max(1.0),
        }
    }

    fn levels(&self) -> Vec<u32> {
        let nodes = self.start.len() - 1;
        let mut level = vec![u32::MAX; nodes];
        let mut q = VecDeque::new();
        level[0] = 0;
        q.push_back(0usize);
        while let Some(u) = q.pop_front() {
            for e in self.start[u]..self.start[u + 1] {
                let v = self.to[e] as usize;
                if self.res[e] > self.eps && level[v] == u32::MAX {
                    level[v] = level[u] + 1;
                    q.push_back(v);
                }
            }
        }
        level
    }

    /// Dinic's algorithm: the maximum flow from the source to the sink.
    fn max_flow(&mut self) -> f64 {
        let nodes = self.start.len() - 1;
        let t = nodes - 1;
        let mut flow = 0.0;
        loop {
            let mut level = self.levels();
            if level[t] == u32::MAX {
                return flow;
            }
            let mut it: Vec<usize> = self.start[..nodes].to_vec();
            let mut path: Vec<usize> = Vec::new();
            let mut u = 0usize;
            loop {
                if u == t {
                    let mut delta = f64::INFINITY;
                    for &e in &path {
                        delta = delta.min(self.res[e]);
                    }
                    if !delta.is_finite() {
                        // Only an unbounded path: cannot happen (source arcs are finite).
                        return f64::INFINITY;
                    }
                    flow += delta;
                    // Augment; retreat to the tail of the first saturated edge.
                    let mut cut = path.len();
                    for (k, &e) in path.iter().enumerate() {
                        self.res[e] -= delta;
                        let r = self.rev[e] as usize;
                        self.res[r] += delta;
                        if self.res[e] <= self.eps && cut == path.len() {
                            cut = k;
                        }
                    }
                    path.truncate(cut);
                    u = match path.last() {
                        Some(&e) => self.to[e] as usize,
                        None => 0,
                    };
                    continue;
                }
                let mut advanced = false;
                while it[u] < self.start[u + 1] {
                    let e = it[u];
                    let v = self.to[e] as usize;
                    if self.res[e] > self.eps && level[v] == level[u] + 1 {
                        path.push(e);
                        u = v;
                        advanced = true;
                        break;
                    }
                    it[u] += 1;
                }
                if !advanced {
                    // Dead end: remove u from the level graph and retreat.
                    level[u] = u32::MAX;
                    match path.pop() {
                        Some(e) => {
                            u = self.to[self.rev[e] as usize] as usize;
                            it[u] += 1;
                        }
                        None => break,
                    }
                }
            }
        }
    }

    /// Nodes reachable from the source in the residual network.
    fn source_side(&self) -> Vec<bool> {
        self.levels().iter().map(|&l| l != u32::MAX).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (SplitMix64).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, k: u64) -> u64 {
            self.next() % k
        }
    }

    fn random(seed: u64) -> (Vec<f64>, Vec<Vec<u32>>, Vec<f64>) {
        let mut r = Rng(seed);
        let m = 1 + r.below(7) as usize;
        let n = 1 + r.below(6) as usize;
        let need: Vec<f64> = (0..m).map(|_| r.below(10) as f64).collect();
        let reach: Vec<Vec<u32>> = (0..m)
            .map(|_| (0..n as u32).filter(|_| r.below(3) == 0).collect())
            .collect();
        let q: Vec<f64> = (0..n)
            .map(|_| {
                if r.below(6) == 0 {
                    f64::INFINITY
                } else {
                    1.0 + r.below(12) as f64
                }
            })
            .collect();
        (need, reach, q)
    }

    /// `max_S d(S) − c(N(S))` over every zone set, by enumeration.
    fn brute_deficit(need: &[f64], reach: &[Vec<u32>], cap: &[f64]) -> f64 {
        let m = need.len();
        let mut best = 0.0f64;
        for mask in 1u32..(1 << m) {
            let mut inn = vec![false; cap.len()];
            let mut d = 0.0;
            for i in (0..m).filter(|&i| mask >> i & 1 == 1) {
                d += need[i];
                for &j in &reach[i] {
                    inn[j as usize] = true;
                }
            }
            let c: f64 = (0..cap.len()).filter(|&j| inn[j]).map(|j| cap[j]).sum();
            best = best.max(d - c);
        }
        best
    }

    #[test]
    fn min_cut_deficit_matches_enumeration_and_cuts_are_valid() {
        for seed in 0..300u64 {
            let (need, reach, q) = random(seed);
            let n = q.len();
            let ys: Vec<Vec<f64>> = (0u32..(1 << n))
                .map(|mask| (0..n).map(|j| f64::from(mask >> j & 1)).collect())
                .collect();
            let caps: Vec<Vec<f64>> = ys
                .iter()
                .map(|y| (0..n).map(|j| if y[j] > 0.0 { q[j] } else { 0.0 }).collect())
                .collect();
            let deficits: Vec<f64> = caps.iter().map(|c| brute_deficit(&need, &reach, c)).collect();
            let total: f64 = need.iter().sum();
            for (k, (y, cap)) in ys.iter().zip(&caps).enumerate() {
                let brute = deficits[k];
                let cuts = separate(&need, &reach, cap, &q, 1e-9);
                let found: f64 = cuts
                    .iter()
                    .map(|c| c.rhs - c.coefs.iter().map(|&(j, _)| cap[j as usize]).sum::<f64>())
                    .sum();
                assert!((found - brute).abs() < 1e-9, "seed {seed} mask {k}: {found} vs {brute}");
                assert!((max_placed(&need, &reach, cap) - (total - brute)).abs() < 1e-9);
                for c in &cuts {
                    // The strengthened form is violated at least as much, and every
                    // flow-feasible integral y satisfies it.
                    let deficit = c.rhs - c.coefs.iter().map(|&(j, _)| cap[j as usize]).sum::<f64>();
                    assert!(c.violation(y) >= deficit - 1e-9 && deficit > 1e-9);
                    for (yo, d) in ys.iter().zip(&deficits) {
                        if *d <= 1e-9 {
                            assert!(c.violation(yo) <= 1e-9, "seed {seed}: cut {c:?} cuts off {yo:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn linked_separation_is_exact_for_the_strengthened_family() {
        for seed in 0..300u64 {
            let (need, reach, q) = random(seed);
            let (m, n) = (need.len(), q.len());
            let mut r = Rng(seed ^ 0xABCD);
            let y: Vec<f64> = (0..n).map(|_| r.below(5) as f64 / 4.0).collect();
            // max_S d(S) − Σ_j min(Q_j, d(S_j)) y_j by enumeration.
            let mut brute = 0.0f64;
            for mask in 1u32..(1 << m) {
                let mut dsj = vec![0.0; n];
                let mut d = 0.0;
                for i in (0..m).filter(|&i| mask >> i & 1 == 1) {
                    d += need[i];
                    for &j in &reach[i] {
                        dsj[j as usize] += need[i];
                    }
                }
                let c: f64 = (0..n).map(|j| q[j].min(dsj[j]) * y[j]).sum();
                brute = brute.max(d - c);
            }
            let cuts = separate_linked(&need, &reach, &y, &q, 1e-9);
            let found: f64 = cuts.iter().map(|c| c.violation(&y)).sum();
            assert!((found - brute).abs() < 1e-7, "seed {seed}: {found} vs {brute}");
        }
    }

    #[test]
    fn linked_separation_finds_the_strong_lp_violation() {
        // One zone of need 10, two sites of capacity 100: y = (0.05, 0.05)
        // has capacity 10 but the linking allows only 10·0.1 = 1.
        let need = vec![10.0];
        let reach = vec![vec![0, 1]];
        let q = vec![100.0, 100.0];
        let y = vec![0.05, 0.05];
        assert!(separate(&need, &reach, &[5.0, 5.0], &q, 1e-9).is_empty());
        let cuts = separate_linked(&need, &reach, &y, &q, 1e-9);
        assert_eq!(cuts.len(), 1);
        assert_eq!(cuts[0].coefs, vec![(0, 10.0), (1, 10.0)]);
        assert!((cuts[0].violation(&y) - 9.0).abs() < 1e-9);
    }

    #[test]
    fn components_are_separate_cuts() {
        // Two independent areas, each short of capacity.
        let need = vec![5.0, 5.0, 1.0];
        let reach = vec![vec![0], vec![1], vec![2]];
        let q = vec![3.0, 4.0, 10.0];
        let cuts = separate(&need, &reach, &q, &q, 1e-9);
        assert_eq!(cuts.len(), 2);
        assert_eq!(cuts[0].zones, vec![0]);
        assert_eq!(cuts[1].zones, vec![1]);
        assert_eq!(cuts[0].coefs, vec![(0, 3.0)]);
    }
}
