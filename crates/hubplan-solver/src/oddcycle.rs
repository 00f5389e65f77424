//! Odd-cycle {0,½}-cuts for covering rows (crate-private).
//!
//! The covering rows `s_r + Σ_{j∈N(r)} x_j ≥ 1` of a maximal-covering LP often
//! meet in odd cycles: zones {a,b}, {b,c}, {a,c} are all covered by
//! `x_a = x_b = x_c = ½` at the cost of 1½ sites. Adding the rows of an odd
//! closed walk with weight ½ and rounding up (Chvátal–Gomory with multipliers
//! in {0, ½}) gives a valid inequality that such a point violates:
//!
//! ```text
//! Σ_j ⌈c_j/2⌉ x_j + Σ_r ⌈m_r/2⌉ s_r ≥ (Σ_r m_r + 1) / 2
//! ```
//!
//! where `m_r` is how often row `r` occurs in the walk and `c_j = Σ_r m_r [j ∈ N(r)]`.
//! The cut is valid for every integral `(x, s)`; since for integral `x` the best
//! `s` is integral, no optimal plan is cut off.
//!
//! # Separation
//! At an LP point, a row's weight is its slack plus its `s_r` (the loss of the
//! cut from that row); only rows with weight below 1 and at most two fractional
//! sites (none at 1) can take part. They are edges between their fractional
//! sites, or between their single fractional site and a free node `T`. A
//! shortest odd closed walk through each node (Dijkstra on the parity-doubled
//! graph) of weight below 1 yields a violated cut — the classic odd-cycle
//! separation of Grötschel & Pulleyblank (1981) for the {0,½} closure
//! (Caprara & Fischetti 1996).
//!
//! # Complexity
//! `O(V·E log V)` for `V` fractional sites and `E` candidate rows.
//!
//! # References
//! - A. Caprara & M. Fischetti (1996), {0,½}-Chvátal–Gomory cuts, Math. Programming 74.
//! - M. Grötschel & W.R. Pulleyblank (1981), Weakly bipartite graphs and the max-cut problem, OR Letters 1.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

/// One covering row at an LP point.
pub(crate) struct RowPoint<'a> {
    /// Sites of the row.
    pub sites: &'a [u32],
    /// Value of the row's uncovered variable (0 when it has none).
    pub s: f64,
}

/// A cut `Σ site_coef·x + Σ row_coef·s_row ≥ rhs`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cut {
    pub sites: Vec<(u32, f64)>,
    pub rows: Vec<(usize, f64)>,
    pub rhs: f64,
}

const EPS: f64 = 1e-6;
/// Rows with more fractional sites than this are left out.
const MAX_ROW_FRACTIONAL: usize = 8;

#[derive(PartialEq)]
struct Item(f64, usize);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}

/// Finds up to `max_cuts` violated odd-cycle cuts at the point (`xs` per site,
/// `rows` per covering row), most violated first; deterministic.
pub(crate) fn separate(xs: &[f64], rows: &[RowPoint], max_cuts: usize, max_nodes: usize) -> Vec<Cut> {
    // Fractional sites are graph nodes; node `nf` is the free node T.
    let mut node_of = vec![usize::MAX; xs.len()];
    let mut nf = 0;
    for (j, &v) in xs.iter().enumerate() {
        if v > EPS && v < 1.0 - EPS {
            node_of[j] = nf;
            nf += 1;
        }
    }
    if nf == 0 || nf > max_nodes {
        return Vec::new();
    }
    let t = nf;
    let nv = nf + 1;
    // Cheapest row per node pair. A row whose fractional sites are F is an
    // edge between any two of them (or one and T); the sites of F left out
    // would keep an odd count, so their values are added to the edge weight.
    let mut edge: BTreeMap<(usize, usize), (f64, usize)> = BTreeMap::new();
    let mut put = |a: usize, b: usize, w: f64, r: usize| {
        if w >= 1.0 - EPS {
            return;
        }
        let key = (a.min(b), a.max(b));
        let e = edge.entry(key).or_insert((w, r));
        if w < e.0 {
            *e = (w, r);
        }
    };
    for (r, row) in rows.iter().enumerate() {
        let mut frac: Vec<(usize, f64)> = Vec::new();
        let mut sum = row.s.max(0.0);
        let mut skip = false;
        for &j in row.sites {
            let v = xs[j as usize];
            sum += v;
            if v >= 1.0 - EPS || frac.len() > MAX_ROW_FRACTIONAL {
                skip = true;
                break;
            }
            if v > EPS {
                frac.push((node_of[j as usize], v));
            }
        }
        if skip || frac.is_empty() {
            continue;
        }
        // Clamped: LP values may be a hair below 0, and a negative cycle would
        // never let the shortest-path search settle.
        let w = ((sum - 1.0).max(0.0) + row.s).max(0.0);
        let xf: f64 = frac.iter().map(|f| f.1).sum();
        for (k, &(a, va)) in frac.iter().enumerate() {
            put(a, t, w + (xf - va).max(0.0), r);
            for &(b, vb) in &frac[k + 1..] {
                put(a, b, w + (xf - va - vb).max(0.0), r);
            }
        }
    }
    let mut adj: Vec<Vec<(usize, f64, usize)>> = vec![Vec::new(); nv];
    for (&(a, b), &(w, r)) in &edge {
        adj[a].push((b, w, r));
        if a != b {
            adj[b].push((a, w, r));
        }
    }
    let mut found: BTreeMap<Vec<usize>, (f64, Cut)> = BTreeMap::new();
    let mut dist = vec![f64::INFINITY; 2 * nv];
    let mut pred: Vec<(usize, usize)> = vec![(usize::MAX, usize::MAX); 2 * nv];
    for src in 0..nv {
        if adj[src].is_empty() {
            continue;
        }
        dist.iter_mut().for_each(|d| *d = f64::INFINITY);
        let start = 2 * src;
        let goal = 2 * src + 1;
        dist[start] = 0.0;
        let mut heap = BinaryHeap::new();
        heap.push(Item(0.0, start));
        while let Some(Item(d, u)) = heap.pop() {
            if d > dist[u] || u == goal || d >= 1.0 - EPS {
                continue;
            }
            let (node, par) = (u / 2, u % 2);
            for &(v, w, r) in &adj[node] {
                let nd = d + w;
                let to = 2 * v + (1 - par);
                if nd < dist[to] {
                    dist[to] = nd;
                    pred[to] = (u, r);
                    heap.push(Item(nd, to));
                }
            }
        }
        if dist[goal] >= 1.0 - EPS {
            continue;
        }
        // The walk's rows with multiplicities.
        let mut mult: BTreeMap<usize, u32> = BTreeMap::new();
        let mut u = goal;
        let mut steps = 0;
        while u != start && steps <= 2 * nv {
            let (p, r) = pred[u];
            *mult.entry(r).or_insert(0) += 1;
            u = p;
            steps += 1;
        }
        if u != start {
            continue;
        }
        let key: Vec<usize> = mult
            .iter()
            .flat_map(|(&r, &m)| std::iter::repeat_n(r, m as usize))
            .collect();
        if found.contains_key(&key) {
            continue;
        }
        if let Some((viol, cut)) = build_cut(xs, rows, &mult) {
            found.insert(key, (viol, cut));
        }
    }
    let mut cuts: Vec<(f64, Vec<usize>, Cut)> = found.into_iter().map(|(k, (v, c))| (v, k, c)).collect();
    cuts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    cuts.into_iter().take(max_cuts).map(|(_, _, c)| c).collect()
}

/// The {0,½}-cut of a row multiset, with its violation at the point.
fn build_cut(xs: &[f64], rows: &[RowPoint], mult: &BTreeMap<usize, u32>) -> Option<(f64, Cut)> {
    let total: u32 = mult.values().sum();
    if total % 2 == 0 {
        return None;
    }
    let mut count: BTreeMap<u32, u32> = BTreeMap::new();
    for (&r, &m) in mult {
        for &j in rows[r].sites {
            *count.entry(j).or_insert(0) += m;
        }
    }
    let sites: Vec<(u32, f64)> = count.into_iter().map(|(j, c)| (j, f64::from(c.div_ceil(2)))).collect();
    let srows: Vec<(usize, f64)> = mult.iter().map(|(&r, &m)| (r, f64::from(m.div_ceil(2)))).collect();
    let rhs = f64::from(total.div_ceil(2));
    let lhs: f64 = sites.iter().map(|&(j, c)| c * xs[j as usize]).sum::<f64>()
        + srows.iter().map(|&(r, c)| c * rows[r].s).sum::<f64>();
    let viol = rhs - lhs;
    (viol > 1e-3).then_some((
        viol,
        Cut {
            sites,
            rows: srows,
            rhs,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The triangle {a,b}, {b,c}, {a,c} at x = ½ gives x_a + x_b + x_c + s_0 + s_1 + s_2 ≥ 2.
    #[test]
    fn triangle() {
        let xs = [0.5, 0.5, 0.5, 0.0];
        let r = [vec![0u32, 1, 3], vec![1, 2], vec![0, 2]];
        let rows: Vec<RowPoint> = r.iter().map(|s| RowPoint { sites: s, s: 0.0 }).collect();
        let cuts = separate(&xs, &rows, 10, 100);
        assert_eq!(cuts.len(), 1);
        let c = &cuts[0];
        assert_eq!(c.rhs, 2.0);
        assert_eq!(c.sites, vec![(0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0)]);
        assert_eq!(c.rows, vec![(0, 1.0), (1, 1.0), (2, 1.0)]);
        // Every integral point with s = max(0, 1 − Σx) satisfies it.
        for mask in 0..16u32 {
            let x: Vec<f64> = (0..4).map(|j| f64::from(mask >> j & 1)).collect();
            let s: Vec<f64> = r
                .iter()
                .map(|row| (1.0 - row.iter().map(|&j| x[j as usize]).sum::<f64>()).max(0.0))
                .collect();
            let lhs: f64 = c.sites.iter().map(|&(j, k)| k * x[j as usize]).sum::<f64>()
                + c.rows.iter().map(|&(i, k)| k * s[i]).sum::<f64>();
            assert!(lhs >= c.rhs, "cut violated by integral point {x:?}");
        }
    }

    /// Law: on random row systems and random fractional points, every cut
    /// found is violated at the point and holds at every integral point
    /// (x ∈ {0,1}^n, s_r = max(0, 1 − Σ_{j∈N(r)} x_j)).
    #[test]
    fn random_cuts_are_valid() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |k: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % k
        };
        let mut found = 0;
        for _ in 0..400 {
            let n = 3 + next(6) as usize;
            let m = 2 + next(9) as usize;
            let r: Vec<Vec<u32>> = (0..m)
                .map(|_| {
                    let mut row: Vec<u32> = (0..1 + next(4)).map(|_| next(n as u64) as u32).collect();
                    row.sort_unstable();
                    row.dedup();
                    row
                })
                .collect();
            let xs: Vec<f64> = (0..n)
                .map(|_| [0.0, 0.5, 1.0 / 3.0, 2.0 / 3.0, 0.25, 1.0][next(6) as usize])
                .collect();
            let sv: Vec<f64> = r
                .iter()
                .map(|row| (1.0 - row.iter().map(|&j| xs[j as usize]).sum::<f64>()).max(0.0))
                .collect();
            let rows: Vec<RowPoint> = r.iter().zip(&sv).map(|(s, &v)| RowPoint { sites: s, s: v }).collect();
            for c in separate(&xs, &rows, 20, 100) {
                found += 1;
                let at = |x: &[f64], s: &[f64]| {
                    c.sites.iter().map(|&(j, k)| k * x[j as usize]).sum::<f64>()
                        + c.rows.iter().map(|&(i, k)| k * s[i]).sum::<f64>()
                };
                assert!(at(&xs, &sv) < c.rhs - 1e-3, "not violated: {c:?}");
                for mask in 0..(1u32 << n) {
                    let x: Vec<f64> = (0..n).map(|j| f64::from(mask >> j & 1)).collect();
                    let s: Vec<f64> = r
                        .iter()
                        .map(|row| (1.0 - row.iter().map(|&j| x[j as usize]).sum::<f64>()).max(0.0))
                        .collect();
                    assert!(
                        at(&x, &s) >= c.rhs - 1e-9,
                        "cut {c:?} removes integral point {x:?} (rows {r:?})"
                    );
                }
            }
        }
        assert!(found > 20, "the generator should produce violated cuts, found {found}");
    }

    /// An even cycle gives nothing; a point with a site at 1 gives nothing.
    #[test]
    fn nothing_to_cut() {
        let xs = [0.5, 0.5, 0.5, 0.5];
        let r = [vec![0u32, 1], vec![1, 2], vec![2, 3], vec![3, 0]];
        let rows: Vec<RowPoint> = r.iter().map(|s| RowPoint { sites: s, s: 0.0 }).collect();
        assert!(separate(&xs, &rows, 10, 100).is_empty());
        let xs = [1.0, 0.5, 0.5];
        let r = [vec![0u32, 1], vec![1, 2], vec![2, 0]];
        let rows: Vec<RowPoint> = r.iter().map(|s| RowPoint { sites: s, s: 0.0 }).collect();
        assert!(separate(&xs, &rows, 10, 100).is_empty());
    }
}
