//! The site-selection subproblem of the Lagrangian relaxation (crate-private):
//! minimise `Σ ρ_j y_j` over `y ∈ {0,1}^n` under fixings, cardinality and budget.
//!
//! The cardinality part is solved exactly (sort). The budget part is bounded by
//! its LP relaxation (Dantzig's greedy), which is a valid lower bound. With both,
//! the larger of the two relaxations (each drops one constraint) is returned,
//! which is still a valid lower bound.

use crate::instance::Fixing;
use crate::prep::INF;

#[derive(Debug, Clone)]
struct CardPart {
    base: f64,
    /// Sorted ρ of free sites.
    sorted: Vec<f64>,
    /// Position of each site in `sorted` (`u32::MAX` when not free).
    pos: Vec<u32>,
    prefix: Vec<f64>,
    nneg: usize,
    lo: usize,
    hi: usize,
    /// No sort was needed (lo = 0 and hi ≥ free count).
    loose: bool,
    value: f64,
}

impl CardPart {
    fn new(rho: &[f64], fix: &[Fixing], lo: usize, hi: usize) -> CardPart {
        let n = rho.len();
        let mut base = 0.0;
        let mut n_open = 0usize;
        let mut free: Vec<u32> = Vec::new();
        for j in 0..n {
            match fix[j] {
                Fixing::Open => {
                    base += rho[j];
                    n_open += 1;
                }
                Fixing::Free => free.push(j as u32),
                Fixing::Closed => {}
            }
        }
        let f = free.len();
        let infeasible = n_open > hi || n_open + f < lo;
        let lo2 = lo.saturating_sub(n_open);
        let hi2 = hi.saturating_sub(n_open).min(f);
        let loose = lo2 == 0 && hi2 >= f;
        let mut pos = vec![u32::MAX; n];
        let mut sorted = Vec::with_capacity(f);
        let mut prefix = vec![0.0];
        let mut nneg = 0;
        if loose {
            let mut s = 0.0;
            for &j in &free {
                if rho[j as usize] < 0.0 {
                    s += rho[j as usize];
                    nneg += 1;
                }
            }
            prefix.push(s);
        } else {
            free.sort_by(|&a, &b| rho[a as usize].total_cmp(&rho[b as usize]).then(a.cmp(&b)));
            let mut s = 0.0;
            for (k, &j) in free.iter().enumerate() {
                pos[j as usize] = k as u32;
                let r = rho[j as usize];
                sorted.push(r);
                if r < 0.0 {
                    nneg += 1;
                }
                s += r;
                prefix.push(s);
            }
        }
        let mut cp = CardPart {
            base,
            sorted,
            pos,
            prefix,
            nneg,
            lo: lo2,
            hi: hi2,
            loose,
            value: INF,
        };
        cp.value = if infeasible {
            INF
        } else {
            cp.val(lo2, Some(hi2), None, f)
        };
        cp
    }

    /// Value with bounds `[lo, hi]` on free sites, excluding the site at sorted position `q`.
    fn val(&self, lo: usize, hi: Option<usize>, q: Option<(usize, f64)>, f: usize) -> f64 {
        let Some(hi) = hi else { return INF };
        if self.loose {
            // Unconstrained: all negatives.
            let mut v = self.base + self.prefix[1];
            if let Some((_, r)) = q {
                if r < 0.0 {
                    v -= r;
                }
            }
            return v;
        }
        let (fq, nneg) = match q {
            Some((_, r)) => (f - 1, self.nneg - usize::from(r < 0.0)),
            None => (f, self.nneg),
        };
        if lo > fq || lo > hi {
            return INF;
        }
        let t = nneg.clamp(lo, hi.min(fq));
        let s = match q {
            Some((p, r)) if p < t => self.prefix[t + 1] - r,
            _ => self.prefix[t],
        };
        self.base + s
    }

    fn free_count(&self) -> usize {
        self.sorted.len()
    }

    fn lb_open(&self, j: usize, r: f64) -> f64 {
        if self.loose {
            return self.value + r.max(0.0);
        }
        let p = self.pos[j] as usize;
        let f = self.free_count();
        let hi = self.hi.checked_sub(1);
        r + self.val(self.lo.saturating_sub(1), hi, Some((p, r)), f)
    }

    fn lb_closed(&self, j: usize, r: f64) -> f64 {
        if self.loose {
            return self.value - r.min(0.0);
        }
        let p = self.pos[j] as usize;
        self.val(self.lo, Some(self.hi), Some((p, r)), self.free_count())
    }

    /// Integral selection (weights 0/1) achieving `value`.
    fn selection(&self, rho: &[f64], fix: &[Fixing], y: &mut [f64]) {
        let n = rho.len();
        if self.loose {
            for j in 0..n {
                y[j] = match fix[j] {
                    Fixing::Open => 1.0,
                    Fixing::Closed => 0.0,
                    Fixing::Free => f64::from(u8::from(rho[j] < 0.0)),
                };
            }
            return;
        }
        let t = self.nneg.clamp(self.lo, self.hi);
        for j in 0..n {
            y[j] = match fix[j] {
                Fixing::Open => 1.0,
                Fixing::Closed => 0.0,
                Fixing::Free => f64::from(u8::from((self.pos[j] as usize) < t)),
            };
        }
    }
}

#[derive(Debug, Clone)]
struct KnapPart {
    /// ρ of forced-open sites plus zero-weight negative free sites.
    base: f64,
    cap: f64,
    /// Free sites with ρ < 0 and positive weight, by ratio ρ/b ascending.
    items: Vec<u32>,
    pos: Vec<u32>,
    w: Vec<f64>,
    p: Vec<f64>,
    value: f64,
}

impl KnapPart {
    fn new(rho: &[f64], fix: &[Fixing], bcost: &[f64], budget: f64) -> KnapPart {
        let n = rho.len();
        let mut base = 0.0;
        let mut used = 0.0;
        let mut items = Vec::new();
        for j in 0..n {
            match fix[j] {
                Fixing::Open => {
                    base += rho[j];
                    used += bcost[j];
                }
                Fixing::Free if rho[j] < 0.0 => {
                    if bcost[j] <= 0.0 {
                        base += rho[j];
                    } else {
                        items.push(j as u32);
                    }
                }
                _ => {}
            }
        }
        items.sort_by(|&a, &b| {
            let ra = rho[a as usize] / bcost[a as usize];
            let rb = rho[b as usize] / bcost[b as usize];
            ra.total_cmp(&rb).then(a.cmp(&b))
        });
        let mut pos = vec![u32::MAX; n];
        let mut w = vec![0.0];
        let mut p = vec![0.0];
        for (k, &j) in items.iter().enumerate() {
            pos[j as usize] = k as u32;
            w.push(w[k] + bcost[j as usize]);
            p.push(p[k] + rho[j as usize]);
        }
        let cap = budget - used;
        let tol = 1e-9 * budget.abs().max(1.0);
        let mut kp = KnapPart {
            base,
            cap: cap.max(0.0),
            items,
            pos,
            w,
            p,
            value: INF,
        };
        if cap >= -tol {
            kp.value = base + kp.lp(kp.cap, None, rho, bcost);
        }
        kp
    }

    /// LP value of the items (excluding sorted position `q`) with capacity `cap`.
    fn lp(&self, cap: f64, q: Option<usize>, rho: &[f64], bcost: &[f64]) -> f64 {
        let k = self.items.len();
        let (kk, bq, rq) = match q {
            Some(q) => {
                let j = self.items[q] as usize;
                (k - 1, bcost[j], rho[j])
            }
            None => (k, 0.0, 0.0),
        };
        let wp = |t: usize| match q {
            Some(q) if t > q => self.w[t + 1] - bq,
            _ => self.w[t],
        };
        let pp = |t: usize| match q {
            Some(q) if t > q => self.p[t + 1] - rq,
            _ => self.p[t],
        };
        // Largest t in 0..=kk with wp(t) <= cap.
        let (mut a, mut b) = (0usize, kk);
        while a < b {
            let mid = (a + b).div_ceil(2);
            if wp(mid) <= cap {
                a = mid;
            } else {
                b = mid - 1;
            }
        }
        let t = a;
        let mut v = pp(t);
        if t < kk {
            let idx = match q {
                Some(q) if t >= q => t + 1,
                _ => t,
            };
            let j = self.items[idx] as usize;
            let frac = ((cap - wp(t)) / bcost[j]).clamp(0.0, 1.0);
            v += rho[j] * frac;
        }
        v
    }

    fn lb_open(&self, j: usize, rho: &[f64], bcost: &[f64]) -> f64 {
        let r = rho[j];
        if bcost[j] <= 0.0 {
            return if r < 0.0 { self.value } else { self.value + r };
        }
        let cap = self.cap - bcost[j];
        if cap < -1e-9 * self.cap.abs().max(1.0) {
            return INF;
        }
        let q = (self.pos[j] != u32::MAX).then_some(self.pos[j] as usize);
        self.base + r + self.lp(cap.max(0.0), q, rho, bcost)
    }

    fn lb_closed(&self, j: usize, rho: &[f64], bcost: &[f64]) -> f64 {
        let r = rho[j];
        if bcost[j] <= 0.0 {
            return if r < 0.0 { self.value - r } else { self.value };
        }
        if self.pos[j] == u32::MAX {
            return self.value;
        }
        self.base + self.lp(self.cap, Some(self.pos[j] as usize), rho, bcost)
    }

    fn selection(&self, rho: &[f64], fix: &[Fixing], bcost: &[f64], y: &mut [f64]) {
        for j in 0..rho.len() {
            y[j] = match fix[j] {
                Fixing::Open => 1.0,
                Fixing::Free if rho[j] < 0.0 && bcost[j] <= 0.0 => 1.0,
                _ => 0.0,
            };
        }
        let mut left = self.cap;
        for &j in &self.items {
            let b = bcost[j as usize];
            if b <= left {
                y[j as usize] = 1.0;
                left -= b;
            } else {
                y[j as usize] = (left / b).clamp(0.0, 1.0);
                break;
            }
        }
    }
}

/// A solved subproblem.
#[derive(Debug, Clone)]
pub(crate) struct Sub {
    /// Lower bound on `min Σ ρ_j y_j` (`INF` when infeasible).
    pub value: f64,
    card: CardPart,
    knap: Option<KnapPart>,
}

impl Sub {
    pub fn solve(rho: &[f64], fix: &[Fixing], lo: usize, hi: usize, bcost: &[f64], budget: Option<f64>) -> Sub {
        let card = CardPart::new(rho, fix, lo, hi);
        let knap = budget.map(|b| KnapPart::new(rho, fix, bcost, b));
        let value = match &knap {
            Some(k) => card.value.max(k.value),
            None => card.value,
        };
        Sub { value, card, knap }
    }

    /// Which relaxation gives `value` (true = knapsack).
    fn knap_binds(&self) -> bool {
        matches!(&self.knap, Some(k) if k.value >= self.card.value)
    }

    /// A (possibly fractional) optimal selection, for subgradients.
    pub fn selection(&self, rho: &[f64], fix: &[Fixing], bcost: &[f64], y: &mut [f64]) {
        match &self.knap {
            Some(k) if self.knap_binds() => k.selection(rho, fix, bcost, y),
            _ => self.card.selection(rho, fix, y),
        }
    }

    /// Lower bound on the subproblem with free site `j` forced open.
    pub fn lb_open(&self, j: usize, rho: &[f64], bcost: &[f64]) -> f64 {
        let a = self.card.lb_open(j, rho[j]);
        match &self.knap {
            Some(k) => a.max(k.lb_open(j, rho, bcost)),
            None => a,
        }
    }

    /// Lower bound on the subproblem with free site `j` forced closed.
    pub fn lb_closed(&self, j: usize, rho: &[f64], bcost: &[f64]) -> f64 {
        let a = self.card.lb_closed(j, rho[j]);
        match &self.knap {
            Some(k) => a.max(k.lb_closed(j, rho, bcost)),
            None => a,
        }
    }
}
