//! Exact 0-1 covering knapsack (crate-private): the aggregate capacity row of
//! the capacitated relaxation ([`crate::caplag`]) solved in integers.
//!
//! ```text
//! min Σ_k c_k y_k   s.t.  Σ_k w_k y_k ≥ r,   y_k ∈ {0, 1},   c_k ≥ 0, w_k > 0
//! ```
//!
//! Method (Martello & Toth 1990, ch. 2; the covering form of Horowitz & Sahni's
//! depth-first search): items sorted by ratio `c/w`; the LP (Dantzig) bound
//! fills greedily with the break item fractional. Items whose LP reduced cost
//! `|c_k − μ w_k|` (μ the break ratio) exceeds the gap between a greedy
//! integer cover and the LP value are fixed at their LP value (the *core*
//! reduction), then a depth-first branch-and-bound over the core, each node
//! bounded by the LP of the rest (prefix sums and a binary search, `O(log n)`).
//!
//! **Validity.** The value returned is a lower bound of the integer optimum in
//! every case: the optimum when the search finished within its node budget,
//! the LP value otherwise. The cover test uses a tolerance `tol ≥ 0`
//! (`Σ w y ≥ r − tol`), which only enlarges the feasible set, so the value stays
//! a lower bound of the exact problem.

/// Result of [`cover`].
#[derive(Debug, Clone)]
pub(crate) struct Cover {
    /// A lower bound of the optimum (the optimum when `exact`); `INF` when no
    /// selection of all items covers `r`.
    pub value: f64,
    /// The search finished: `value` is the integer optimum and `chosen` an optimal cover.
    pub exact: bool,
    /// The chosen items (indices into the input) of the best integer cover
    /// found; when not `exact`, the LP selection rounded up (the break item taken).
    pub chosen: Vec<u32>,
}

const INF: f64 = f64::INFINITY;

/// Solves `min Σ c y : Σ w y ≥ r − tol` over `items = (c, w)` (`c ≥ 0`,
/// `w > 0`); at most `max_nodes` search nodes.
pub(crate) fn cover(items: &[(f64, f64)], r: f64, tol: f64, max_nodes: usize) -> Cover {
    let r = r - tol;
    if r <= 0.0 {
        return Cover {
            value: 0.0,
            exact: true,
            chosen: Vec::new(),
        };
    }
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (ca, wa) = items[a as usize];
        let (cb, wb) = items[b as usize];
        (ca / wa).total_cmp(&(cb / wb)).then(a.cmp(&b))
    });
    // LP: fill by ratio; the break item `b` is fractional.
    let mut lp = 0.0;
    let mut short = r;
    let mut brk = None;
    for (p, &k) in order.iter().enumerate() {
        let (c, w) = items[k as usize];
        if w >= short {
            lp += c * short / w;
            brk = Some(p);
            break;
        }
        lp += c;
        short -= w;
    }
    let Some(b) = brk else {
        return Cover {
            value: INF,
            exact: true,
            chosen: Vec::new(),
        };
    };
    // Greedy integer cover: the LP's items and the break item whole.
    let greedy: f64 = order[..=b].iter().map(|&k| items[k as usize].0).sum();
    let lp_chosen: Vec<u32> = order[..=b].to_vec();
    let (cb, wb) = items[order[b] as usize];
    let mu = cb / wb;
    // Core reduction: an item whose reduced cost exceeds the greedy gap keeps its LP value.
    let gap = greedy - lp;
    let mut fixed_cost = 0.0;
    let mut fixed_w = 0.0;
    let mut fixed: Vec<u32> = Vec::new();
    let mut core: Vec<u32> = Vec::new();
    for (p, &k) in order.iter().enumerate() {
        let (c, w) = items[k as usize];
        let red = c - mu * w;
        if p < b && -red > gap {
            fixed_cost += c;
            fixed_w += w;
            fixed.push(k);
        } else if p > b && red > gap {
            // Fixed out.
        } else {
            core.push(k);
        }
    }
    // Prefix sums over the core (in ratio order).
    let nc = core.len();
    let mut pw = vec![0.0; nc + 1];
    let mut pc = vec![0.0; nc + 1];
    for (p, &k) in core.iter().enumerate() {
        pw[p + 1] = pw[p] + items[k as usize].1;
        pc[p + 1] = pc[p] + items[k as usize].0;
    }
    let mut s = Dfs {
        items,
        core: &core,
        pw: &pw,
        pc: &pc,
        best: greedy - fixed_cost,
        best_set: Vec::new(),
        best_is_greedy: true,
        stack: Vec::new(),
        nodes: 0,
        max_nodes,
        aborted: false,
    };
    s.run(0, 0.0, r - fixed_w);
    if s.aborted {
        return Cover {
            value: lp,
            exact: false,
            chosen: lp_chosen,
        };
    }
    let value = (s.best + fixed_cost).max(lp);
    let chosen = if s.best_is_greedy {
        lp_chosen
    } else {
        let mut c = fixed;
        c.extend(s.best_set.iter().map(|&p| core[p as usize]));
        c
    };
    Cover {
        value,
        exact: true,
        chosen,
    }
}

struct Dfs<'a> {
    items: &'a [(f64, f64)],
    core: &'a [u32],
    pw: &'a [f64],
    pc: &'a [f64],
    best: f64,
    best_set: Vec<u32>,
    best_is_greedy: bool,
    stack: Vec<u32>,
    nodes: usize,
    max_nodes: usize,
    aborted: bool,
}

impl Dfs<'_> {
    /// LP value of covering `short` with core items `p..`.
    fn lp_from(&self, p: usize, short: f64) -> f64 {
        let nc = self.core.len();
        let base_w = self.pw[p];
        if self.pw[nc] - base_w < short {
            return INF;
        }
        // Smallest q > p with pw[q] - base_w ≥ short.
        let (mut lo, mut hi) = (p + 1, nc);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.pw[mid] - base_w >= short {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let q = lo;
        let (c, w) = self.items[self.core[q - 1] as usize];
        let before_w = self.pw[q - 1] - base_w;
        (self.pc[q - 1] - self.pc[p]) + c * (short - before_w) / w
    }

    fn run(&mut self, p: usize, cost: f64, short: f64) {
        if self.aborted {
            return;
        }
        if short <= 0.0 {
            if cost < self.best {
                self.best = cost;
                self.best_set.clone_from(&self.stack);
                self.best_is_greedy = false;
            }
            return;
        }
        if p >= self.core.len() {
            return;
        }
        self.nodes += 1;
        if self.nodes > self.max_nodes {
            self.aborted = true;
            return;
        }
        if cost + self.lp_from(p, short) >= self.best {
            return;
        }
        let (c, w) = self.items[self.core[p] as usize];
        self.stack.push(p as u32);
        self.run(p + 1, cost + c, short - w);
        self.stack.pop();
        self.run(p + 1, cost, short);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(items: &[(f64, f64)], r: f64) -> f64 {
        let n = items.len();
        let mut best = INF;
        for mask in 0u32..(1 << n) {
            let (mut c, mut w) = (0.0, 0.0);
            for (k, it) in items.iter().enumerate() {
                if mask >> k & 1 == 1 {
                    c += it.0;
                    w += it.1;
                }
            }
            if w >= r {
                best = f64::min(best, c);
            }
        }
        best
    }

    #[test]
    fn matches_brute_force_on_random_instances() {
        let mut s = 12345u64;
        let mut rnd = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 1000) as f64 / 10.0
        };
        for t in 0..300 {
            let n = 1 + t % 14;
            let items: Vec<(f64, f64)> = (0..n).map(|_| (rnd(), rnd() + 1.0)).collect();
            let tot: f64 = items.iter().map(|x| x.1).sum();
            let r = tot * (0.1 + 0.8 * rnd() / 100.0);
            let c = cover(&items, r, 0.0, 1_000_000);
            let b = brute(&items, r);
            assert!(c.exact);
            assert!((c.value - b).abs() <= 1e-9 * b.max(1.0), "t {t}: {} vs {b}", c.value);
            let (cc, ww) = c.chosen.iter().fold((0.0, 0.0), |a, &k| {
                (a.0 + items[k as usize].0, a.1 + items[k as usize].1)
            });
            assert!(ww >= r - 1e-9 && (cc - c.value).abs() <= 1e-9 * b.max(1.0));
            // A tiny node budget still gives a valid bound.
            let d = cover(&items, r, 0.0, 1);
            assert!(d.value <= b + 1e-9);
        }
        assert_eq!(cover(&[(1.0, 1.0)], 2.0, 0.0, 10).value, INF);
        assert_eq!(cover(&[(1.0, 1.0)], 0.0, 0.0, 10).value, 0.0);
    }
}
