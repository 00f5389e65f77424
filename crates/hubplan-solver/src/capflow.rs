//! The transportation problem of a fixed open set, for the capacitated
//! search's primal side (crate-private; [`crate::caplag`]).
//!
//! Same problem, same start and the same optimality conditions as
//! [`crate::capacity::transport`] (successive shortest paths with node
//! potentials, in demand units), but each Dijkstra is followed by a
//! *blocking-flow phase* (the primal-dual method; Ahuja, Magnanti & Orlin 1993,
//! §9.8): after the potentials are updated, every residual arc on a shortest
//! path has reduced cost 0, and a depth-first search with current-arc pointers
//! (Dinic) pushes flow along such admissible paths from all overloaded sites
//! until none is left. The number of Dijkstras is the number of distinct
//! shortest-path lengths instead of the number of augmentations, which is what
//! makes the local search's pricing affordable on M-size instances.
//!
//! The returned cost is that of the returned (feasible) flows, recomputed from
//! the shares as in [`crate::capacity::transport`]; admissibility uses a tiny
//! tolerance on reduced costs, so the cost can exceed the optimum by a
//! rounding-level amount — it is always the cost of a feasible assignment,
//! hence a valid upper bound for the open set. The search reports its final
//! plan through [`crate::capacity::transport`] itself.

use crate::capacity::Flows;
use crate::instance::Instance;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

/// Site-major arcs of every site: `(client, arc index)` per site, by `start`.
#[derive(Debug)]
struct Net {
    start: Vec<usize>,
    arcs: Vec<(u32, u32)>,
}

impl Net {
    fn new(inst: &Instance) -> Net {
        let (m, n) = (inst.n_clients(), inst.n_sites());
        let mut start = vec![0usize; n + 1];
        for a in &inst.arcs {
            start[a.site as usize + 1] += 1;
        }
        for j in 0..n {
            start[j + 1] += start[j];
        }
        let mut fill = start.clone();
        let mut arcs = vec![(0u32, 0u32); start[n]];
        for i in 0..m {
            let a0 = inst.arc_start[i] as usize;
            for (k, a) in inst.arcs_of(i).iter().enumerate() {
                let j = a.site as usize;
                arcs[fill[j]] = (i as u32, (a0 + k) as u32);
                fill[j] += 1;
            }
        }
        Net { start, arcs }
    }

    fn of(&self, j: usize) -> &[(u32, u32)] {
        &self.arcs[self.start[j]..self.start[j + 1]]
    }
}

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

/// A solved (or partly solved) transportation problem: the flow per arc in
/// demand units, the unserved demand, the loads and the node potentials
/// (clients, then sites, then the sink), which keep every residual reduced
/// cost non-negative when the flow is optimal.
#[derive(Clone, Debug)]
pub(crate) struct State {
    open: Vec<bool>,
    q: Vec<f64>,
    f: Vec<f64>,
    unserved: Vec<f64>,
    load: Vec<f64>,
    pot: Vec<f64>,
    eps: f64,
    rc_tol: f64,
    net: Arc<Net>,
}

/// The least-cost splittable assignment of `open` (see the module docs):
/// the assignment cost without fixed costs and the shares per client, or
/// `None` when the must-serve demand does not fit.
pub(crate) fn transport(inst: &Instance, open: &[bool]) -> Option<(f64, Flows)> {
    let st = solve(inst, open)?;
    finish(inst, &st)
}

/// Solves the transportation problem of `open` from scratch; the state for warm starts.
pub(crate) fn solve(inst: &Instance, open: &[bool]) -> Option<State> {
    let (m, n) = (inst.n_clients(), inst.n_sites());
    if open.len() != n {
        return None;
    }
    let mut f = vec![0.0f64; inst.arcs.len()];
    let mut unserved = vec![0.0f64; m];
    let mut load = vec![0.0f64; n];
    let q: Vec<f64> = (0..n)
        .map(|j| {
            if open[j] {
                inst.capacity[j].unwrap_or(f64::INFINITY)
            } else {
                0.0
            }
        })
        .collect();
    let mut pot = vec![0.0f64; m + n + 1];
    let mut total = 0.0f64;
    let mut maxunit = 0.0f64;
    for i in 0..m {
        let d = inst.demand[i];
        let u = inst.unserved_cost[i];
        let a0 = inst.arc_start[i] as usize;
        let best = inst
            .arcs_of(i)
            .iter()
            .enumerate()
            .filter(|(_, a)| open[a.site as usize])
            .min_by(|(ka, a), (kb, b)| a.cost.total_cmp(&b.cost).then(ka.cmp(kb)));
        if d <= 0.0 {
            if best.is_none() && u.is_none() {
                return None;
            }
            continue;
        }
        total += d;
        for a in inst.arcs_of(i) {
            maxunit = maxunit.max((a.cost / d).abs());
        }
        if let Some(u) = u {
            maxunit = maxunit.max((u / d).abs());
        }
        match (best, u) {
            (Some((_, a)), Some(u)) if u < a.cost => {
                unserved[i] = d;
                pot[i] = -u / d;
            }
            (Some((k, a)), _) => {
                f[a0 + k] = d;
                load[a.site as usize] += d;
                pot[i] = -a.cost / d;
            }
            (None, Some(u)) => {
                unserved[i] = d;
                pot[i] = -u / d;
            }
            (None, None) => return None,
        }
    }
    let mut st = State {
        open: open.to_vec(),
        q,
        f,
        unserved,
        load,
        pot,
        eps: 1e-12 * total.max(1.0),
        rc_tol: 1e-11 * maxunit.max(1e-300),
        net: Arc::new(Net::new(inst)),
    };
    run(inst, &mut st).then_some(st)
}

impl State {
    /// Assignment cost of the state's flow (without fixed costs; clients of
    /// demand 0 at their cheapest open option).
    pub(crate) fn cost(&self, inst: &Instance) -> f64 {
        let mut c = 0.0;
        for i in 0..inst.n_clients() {
            let d = inst.demand[i];
            let a0 = inst.arc_start[i] as usize;
            if d <= 0.0 {
                let best = inst
                    .arcs_of(i)
                    .iter()
                    .filter(|a| self.open[a.site as usize])
                    .map(|a| a.cost)
                    .fold(f64::INFINITY, f64::min);
                c += best.min(inst.unserved_cost[i].unwrap_or(f64::INFINITY));
                continue;
            }
            for (k, a) in inst.arcs_of(i).iter().enumerate() {
                let x = self.f[a0 + k];
                if x > 0.0 {
                    c += a.cost * (x / d);
                }
            }
            if self.unserved[i] > 0.0 {
                c += inst.unserved_cost[i].unwrap_or(f64::INFINITY) * (self.unserved[i] / d);
            }
        }
        c
    }

    /// The state with site `j` closed, re-solved from this one (exact when
    /// this state is optimal: closing removes arcs only).
    #[cfg(test)]
    pub(crate) fn close(&self, inst: &Instance, j: usize) -> Option<State> {
        self.close_within(inst, j, f64::INFINITY).flatten()
    }

    /// The state with site `j` closed, re-solved from this one (exact when
    /// this state is optimal: closing removes arcs only), given up
    /// (`Some(None)`) as soon as the assignment
    /// cost is sure to rise by at least `limit`; `None` when the rest cannot
    /// serve the must-serve demand.
    pub(crate) fn close_within(&self, inst: &Instance, j: usize, limit: f64) -> Option<Option<State>> {
        let mut st = self.clone();
        st.open[j] = false;
        st.q[j] = 0.0;
        match run_lim(inst, &mut st, limit)? {
            true => Some(Some(st)),
            false => Some(None),
        }
    }
}

impl State {
    /// The open set of the state.
    pub(crate) fn open_set(&self) -> &[bool] {
        &self.open
    }

    /// The state with site `k` opened, re-optimised exactly (this state must
    /// be optimal; the result is).
    ///
    /// Opening adds the arcs `i → k` and `k → t`. The new site's potential is
    /// set to `min(π_t, min_i c_ik/d_i + π_i)`, which keeps every residual arc
    /// but `k → t` at a non-negative reduced cost; `k → t` has reduced cost
    /// `−b = π_k − π_t ≤ 0`. Every negative cycle then runs `t ⇝ k → t`: a
    /// shortest path `t ⇝ k` (found by a Dijkstra *backwards* from `k`, which
    /// stays near `k`: its clients, their current sites, then the sink) closes
    /// a negative cycle while its length `D` is below `b`. Each such cycle is
    /// augmented and the potentials are lowered by `min(dist, D)` (reduced
    /// costs stay non-negative; `b` shrinks by `D`); when no path shorter than
    /// `b` exists, the potentials are lowered by `min(dist, b)`, which makes
    /// `k → t` tight and the flow optimal (Ahuja, Magnanti & Orlin 1993, §9.7).
    pub(crate) fn open(&self, inst: &Instance, k: usize) -> State {
        let mut st = self.clone();
        st.open_in_place(inst, k, f64::NEG_INFINITY);
        st
    }

    /// [`State::open`], given up (`None`) as soon as the assignment cost is
    /// sure to fall by no more than `need`: the saving per unit moved to `k`
    /// never increases, so what is saved so far plus `k`'s remaining room
    /// times the current saving bounds it.
    pub(crate) fn open_within(&self, inst: &Instance, k: usize, need: f64) -> Option<State> {
        if self.open_gain_bound(inst, k) <= need {
            return None;
        }
        let mut st = self.clone();
        st.open_in_place(inst, k, need).then_some(st)
    }

    /// The state of `target`, re-optimised from this (optimal) state: the
    /// sites of `target` not open here are opened one by one
    /// ([`State::open`]), then the sites open here but not in `target` are
    /// closed together. Exact; `None` when `target` cannot serve the
    /// must-serve demand.
    pub(crate) fn to_set(&self, inst: &Instance, target: &[bool]) -> Option<State> {
        let mut st = self.clone();
        for k in 0..target.len() {
            if target[k] && !st.open[k] {
                st.open_in_place(inst, k, f64::NEG_INFINITY);
            }
        }
        let mut any = false;
        for j in 0..target.len() {
            if !target[j] && st.open[j] {
                st.open[j] = false;
                st.q[j] = 0.0;
                any = true;
            }
        }
        if any && !run(inst, &mut st) {
            return None;
        }
        Some(st)
    }

    /// An upper bound on the assignment cost saved by opening the closed
    /// site `k` (this state must be optimal): for any flow of the larger open
    /// set, the change in cost is the sum of reduced costs of the change, and
    /// with `π_k = π_t` only the arcs into `k` can have negative reduced cost
    /// `c_ik/d_i + π_i − π_t`; the most they can save is the continuous
    /// knapsack of those savings under `k`'s capacity. O(deg k log deg k).
    pub(crate) fn open_gain_bound(&self, inst: &Instance, k: usize) -> f64 {
        let t = inst.n_clients() + inst.n_sites();
        let mut items: Vec<(f64, f64)> = Vec::new();
        for &(i, e) in self.net.of(k) {
            let i = i as usize;
            let d = inst.demand[i];
            if d > 0.0 {
                let r = self.pot[t] - self.pot[i] - inst.arcs[e as usize].cost / d;
                if r > 0.0 {
                    items.push((r, d));
                }
            }
        }
        items.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut left = inst.capacity[k].unwrap_or(f64::INFINITY);
        let mut g = 0.0;
        for (r, d) in items {
            let x = d.min(left);
            g += r * x;
            left -= x;
            if left <= 0.0 {
                break;
            }
        }
        g
    }

    /// A lower bound on the assignment cost added by closing the open site
    /// `j` (this state must be optimal), when the closed site `except`, if
    /// any, opens at the same time. The change of cost is the sum of the
    /// (non-negative) reduced costs of the change: `j`'s load leaves the arc
    /// `j → t` (reduced cost `π_t − π_j` per unit), and each client's share at
    /// `j` moves to another of its options, at least its cheapest reduced
    /// cost (0 for clients that can reach `except`, whose saving
    /// [`State::open_gain_bound`] counts). O(Σ deg of `j`'s clients).
    pub(crate) fn close_loss_bound(&self, inst: &Instance, j: usize, except: Option<usize>) -> f64 {
        let m = inst.n_clients();
        let t = m + inst.n_sites();
        let mut b = self.load[j] * (self.pot[t] - self.pot[m + j]).max(0.0);
        for &(i, e) in self.net.of(j) {
            let x = self.f[e as usize];
            if x <= self.eps {
                continue;
            }
            let i = i as usize;
            let d = inst.demand[i];
            let a0 = inst.arc_start[i] as usize;
            let mut best = f64::INFINITY;
            if let Some(uc) = inst.unserved_cost[i] {
                best = uc / d + self.pot[i] - self.pot[t];
            }
            for (p, a) in inst.arcs_of(i).iter().enumerate() {
                let s = a.site as usize;
                if Some(s) == except {
                    best = 0.0;
                    break;
                }
                if s != j && self.open[s] && self.f[a0 + p] < d - self.eps {
                    best = best.min(a.cost / d + self.pot[i] - self.pot[m + s]);
                }
            }
            if best.is_finite() {
                b += x * best.max(0.0);
            }
        }
        b
    }

    /// Opens `k` (see [`State::open`]); false when given up because the
    /// saving is sure to be at most `need`.
    fn open_in_place(&mut self, inst: &Instance, k: usize, need: f64) -> bool {
        let (m, n) = (inst.n_clients(), inst.n_sites());
        let t = m + n;
        let kn = m + k;
        let net = self.net.clone();
        self.open[k] = true;
        self.q[k] = inst.capacity[k].unwrap_or(f64::INFINITY);
        let mut pk = self.pot[t];
        for &(i, e) in net.of(k) {
            let i = i as usize;
            let d = inst.demand[i];
            if d > 0.0 {
                pk = pk.min(inst.arcs[e as usize].cost / d + self.pot[i]);
            }
        }
        self.pot[kn] = pk;
        let (eps, rc_tol) = (self.eps, self.rc_tol);
        let nodes = m + n + 1;
        let mut dist = vec![f64::INFINITY; nodes];
        let mut done = vec![false; nodes];
        // Next node towards k and the arc used (u32::MAX: an arc of the sink).
        let mut cur = vec![0usize; nodes];
        let mut stamp = vec![0u32; nodes];
        let mut dead = vec![0u32; nodes];
        let mut onpath = vec![false; nodes];
        let mut phase = 0u32;
        let mut path: Vec<(usize, usize, u32)> = Vec::new();
        let mut touched: Vec<usize> = Vec::new();
        let mut settled: Vec<usize> = Vec::new();
        let mut heap = BinaryHeap::new();
        let mut saved = 0.0f64;
        loop {
            let b = self.pot[t] - self.pot[kn];
            let room = self.q[k] - self.load[k];
            if b <= rc_tol || room <= eps {
                break;
            }
            for &v in &touched {
                dist[v] = f64::INFINITY;
                done[v] = false;
            }
            touched.clear();
            settled.clear();
            heap.clear();
            dist[kn] = 0.0;
            touched.push(kn);
            heap.push(Item(0.0, kn));
            let mut found = false;
            let pot = &self.pot;
            while let Some(Item(dv, v)) = heap.pop() {
                if done[v] || dv > dist[v] {
                    continue;
                }
                if dv >= b {
                    break;
                }
                done[v] = true;
                settled.push(v);
                if v == t {
                    found = true;
                    break;
                }
                let mut relax = |u: usize, rc: f64, _e: u32, heap: &mut BinaryHeap<Item>| {
                    let nd = dv + rc.max(0.0);
                    if nd < dist[u] {
                        if dist[u].is_infinite() {
                            touched.push(u);
                        }
                        dist[u] = nd;
                        heap.push(Item(nd, u));
                    }
                };
                if v >= m {
                    // A site: from the sink (its load can shrink), from clients (their share can grow).
                    let j = v - m;
                    if self.load[j] > eps {
                        relax(t, pot[t] - pot[v], u32::MAX, &mut heap);
                    }
                    if self.open[j] {
                        for &(i, e) in net.of(j) {
                            let i = i as usize;
                            let d = inst.demand[i];
                            if d > 0.0 && self.f[e as usize] < d - eps {
                                relax(i, inst.arcs[e as usize].cost / d + pot[i] - pot[v], e, &mut heap);
                            }
                        }
                    }
                } else {
                    // A client: from its sites (a share moves out), from the sink (unserved need).
                    let i = v;
                    let d = inst.demand[i];
                    let a0 = inst.arc_start[i] as usize;
                    for (p, a) in inst.arcs_of(i).iter().enumerate() {
                        if self.f[a0 + p] > eps {
                            let u = m + a.site as usize;
                            relax(u, -a.cost / d + pot[u] - pot[i], (a0 + p) as u32, &mut heap);
                        }
                    }
                    if self.unserved[i] > eps {
                        if let Some(uc) = inst.unserved_cost[i] {
                            relax(t, -uc / d + pot[t] - pot[i], u32::MAX, &mut heap);
                        }
                    }
                }
            }
            let cap = if found { dist[t] } else { b };
            for &v in &settled {
                self.pot[v] += cap - dist[v];
            }
            if !found {
                break;
            }
            // Saving per unit of this phase (and at most of every later one).
            let unit = b - cap;
            if need.is_finite() && saved + room * unit <= need {
                return false;
            }
            // Blocking flow: admissible paths t ⇝ k (reduced cost ≈ 0), found
            // backwards from k by a depth-first search with current-arc pointers.
            phase += 1;
            let mut pushed = false;
            loop {
                let room = self.q[k] - self.load[k];
                if room <= eps {
                    break;
                }
                path.clear();
                let mut v = kn;
                if stamp[v] != phase {
                    stamp[v] = phase;
                    cur[v] = 0;
                }
                if dead[v] == phase {
                    break;
                }
                onpath[v] = true;
                let mut reached = false;
                loop {
                    if v == t {
                        reached = true;
                        break;
                    }
                    let pot = &self.pot;
                    let mut pick: Option<(usize, u32)> = None;
                    if v >= m {
                        let j = v - m;
                        let arcs = net.of(j);
                        while cur[v] <= arcs.len() {
                            let p = cur[v];
                            if p == 0 {
                                // The sink arc of another site (its load can shrink);
                                // k's own is no path: moving k's load to k moves nothing
                                // (taking it looped for ever once k had load and a tight potential).
                                if j != k && self.load[j] > eps && pot[t] - pot[v] <= rc_tol {
                                    pick = Some((t, u32::MAX));
                                    break;
                                }
                            } else {
                                let (i, e) = arcs[p - 1];
                                let i = i as usize;
                                let d = inst.demand[i];
                                if self.open[j]
                                    && d > 0.0
                                    && self.f[e as usize] < d - eps
                                    && !onpath[i]
                                    && dead[i] != phase
                                    && inst.arcs[e as usize].cost / d + pot[i] - pot[v] <= rc_tol
                                {
                                    pick = Some((i, e));
                                    break;
                                }
                            }
                            cur[v] += 1;
                        }
                    } else {
                        let i = v;
                        let d = inst.demand[i];
                        let a0 = inst.arc_start[i] as usize;
                        let arcs = inst.arcs_of(i);
                        while cur[v] <= arcs.len() {
                            let p = cur[v];
                            if p < arcs.len() {
                                let u = m + arcs[p].site as usize;
                                if self.f[a0 + p] > eps
                                    && !onpath[u]
                                    && dead[u] != phase
                                    && -arcs[p].cost / d + pot[u] - pot[i] <= rc_tol
                                {
                                    pick = Some((u, (a0 + p) as u32));
                                    break;
                                }
                            } else if self.unserved[i] > eps {
                                if let Some(uc) = inst.unserved_cost[i] {
                                    if -uc / d + pot[t] - pot[i] <= rc_tol {
                                        pick = Some((t, u32::MAX));
                                        break;
                                    }
                                }
                            }
                            cur[v] += 1;
                        }
                    }
                    match pick {
                        Some((u, e)) => {
                            if u != t && stamp[u] != phase {
                                stamp[u] = phase;
                                cur[u] = 0;
                            }
                            path.push((v, u, e));
                            onpath[u] = true;
                            v = u;
                        }
                        None => {
                            dead[v] = phase;
                            onpath[v] = false;
                            match path.pop() {
                                Some((w, _, _)) => {
                                    cur[w] += 1;
                                    v = w;
                                }
                                None => break,
                            }
                        }
                    }
                }
                onpath[kn] = false;
                for &(w, u, _) in &path {
                    onpath[w] = false;
                    onpath[u] = false;
                }
                if !reached {
                    break;
                }
                // Each step (v, u, e) is the arc u → v.
                let mut delta = room;
                for &(v, u, e) in &path {
                    let r = if u == t {
                        if v >= m {
                            self.load[v - m]
                        } else {
                            self.unserved[v]
                        }
                    } else if u >= m {
                        self.f[e as usize]
                    } else {
                        inst.demand[u] - self.f[e as usize]
                    };
                    delta = delta.min(r);
                }
                if delta <= 0.0 {
                    break;
                }
                pushed = true;
                saved += delta * unit;
                for &(v, u, e) in &path {
                    if u == t {
                        if v < m {
                            self.unserved[v] -= delta;
                        }
                    } else if u >= m {
                        self.f[e as usize] -= delta;
                        self.load[u - m] -= delta;
                    } else {
                        self.f[e as usize] += delta;
                        self.load[v - m] += delta;
                    }
                }
            }
            if !pushed {
                break;
            }
        }
        true
    }
}

/// Successive shortest paths from the overloaded sites (closed sites with
/// load count as overloaded) until every load fits; false when it cannot.
fn run(inst: &Instance, st: &mut State) -> bool {
    run_lim(inst, st, f64::INFINITY) == Some(true)
}

/// [`run`], stopped (`Some(false)`) as soon as the assignment cost is sure to
/// rise by at least `limit`: with one overloaded site, successive shortest
/// path lengths never decrease, so the rise is at least what was paid so far
/// plus the remaining excess times the current path length. `None` when the
/// loads cannot fit.
fn run_lim(inst: &Instance, st: &mut State, limit: f64) -> Option<bool> {
    let (m, n) = (inst.n_clients(), inst.n_sites());
    let net = st.net.clone();
    let State {
        open,
        q,
        f,
        unserved,
        load,
        pot,
        eps,
        rc_tol,
        net: _,
    } = st;
    let (eps, rc_tol) = (*eps, *rc_tol);
    let t_node = m + n;
    if (0..n).all(|j| load[j] <= q[j] + eps) {
        return Some(true);
    }
    let mut paid = 0.0f64;
    // Site-major arcs (closed sites without load have no residual arc).
    let (sstart, sarc) = (&net.start, &net.arcs);
    let nodes = m + n + 1;
    let mut dist = vec![f64::INFINITY; nodes];
    let mut done = vec![false; nodes];
    let mut touched: Vec<usize> = Vec::new();
    let mut heap = BinaryHeap::new();
    // Blocking-flow state: current-arc pointer, dead and on-path marks (by phase stamp).
    let mut cur = vec![0usize; nodes];
    let mut stamp = vec![0u32; nodes];
    let mut dead = vec![0u32; nodes];
    let mut onpath = vec![false; nodes];
    let mut phase = 0u32;
    let mut path: Vec<(usize, usize, usize)> = Vec::new();
    // Per site, once the Dijkstra first scans it: the arcs that may carry
    // flow (a superset: entries that no longer do are dropped when scanned;
    // an arc that starts carrying again before that is listed twice, which
    // only relaxes its client twice), so a settled site looks at the clients
    // it serves, not at every client in its reach.
    let mut carry: Vec<Option<Vec<(u32, u32)>>> = vec![None; n];
    let (mut n_dij, mut n_aug, mut n_set) = (0usize, 0usize, 0usize);
    loop {
        let excess: Vec<usize> = (0..n).filter(|&j| load[j] > q[j] + eps).collect();
        if excess.is_empty() {
            break;
        }
        // Dijkstra on reduced costs from every overloaded site, stopped at the sink.
        for &v in &touched {
            dist[v] = f64::INFINITY;
            done[v] = false;
        }
        touched.clear();
        heap.clear();
        for &j in &excess {
            dist[m + j] = 0.0;
            touched.push(m + j);
            heap.push(Item(0.0, m + j));
        }
        let mut settled: Vec<usize> = Vec::new();
        let mut reached = false;
        while let Some(Item(du, u)) = heap.pop() {
            if done[u] || du > dist[u] {
                continue;
            }
            done[u] = true;
            settled.push(u);
            if u == t_node {
                reached = true;
                break;
            }
            let mut relax = |v: usize, c: f64, heap: &mut BinaryHeap<Item>| {
                let rc = (c + pot[u] - pot[v]).max(0.0);
                let nd = du + rc;
                if nd < dist[v] {
                    if dist[v].is_infinite() {
                        touched.push(v);
                    }
                    dist[v] = nd;
                    heap.push(Item(nd, v));
                }
            };
            if u >= m {
                let j = u - m;
                if load[j] < q[j] - eps {
                    relax(t_node, 0.0, &mut heap);
                }
                let list = carry[j].get_or_insert_with(|| {
                    sarc[sstart[j]..sstart[j + 1]]
                        .iter()
                        .copied()
                        .filter(|&(_, e)| f[e as usize] > eps)
                        .collect()
                });
                list.retain(|&(i, e)| {
                    let e = e as usize;
                    let carries = f[e] > eps;
                    if carries {
                        let i = i as usize;
                        relax(i, -inst.arcs[e].cost / inst.demand[i], &mut heap);
                    }
                    carries
                });
            } else {
                let i = u;
                let d = inst.demand[i];
                let a0 = inst.arc_start[i] as usize;
                for (k, a) in inst.arcs_of(i).iter().enumerate() {
                    let j = a.site as usize;
                    if open[j] && f[a0 + k] < d - eps {
                        relax(m + j, a.cost / d, &mut heap);
                    }
                }
                if let Some(uc) = inst.unserved_cost[i] {
                    if unserved[i] < d - eps {
                        relax(t_node, uc / d, &mut heap);
                    }
                }
            }
        }
        n_dij += 1;
        n_set += settled.len();
        if !reached {
            return None;
        }
        let dt = dist[t_node];
        for &v in &settled {
            pot[v] += dist[v] - dt;
        }
        if limit.is_finite() {
            let rest: f64 = excess.iter().map(|&j| load[j] - q[j]).sum();
            let len = excess
                .iter()
                .map(|&j| pot[t_node] - pot[m + j])
                .fold(f64::INFINITY, f64::min);
            if paid + rest * len >= limit {
                return Some(false);
            }
        }
        // Blocking flow on the admissible arcs (reduced cost ≈ 0).
        phase += 1;
        let mut pushed = false;
        for &s in &excess {
            let src = m + s;
            while load[s] > q[s] + eps {
                // Depth-first search from src for the sink.
                path.clear();
                let mut u = src;
                if stamp[u] != phase {
                    stamp[u] = phase;
                    cur[u] = 0;
                }
                if dead[u] == phase {
                    break;
                }
                onpath[u] = true;
                let mut found = false;
                loop {
                    if u == t_node {
                        found = true;
                        break;
                    }
                    // Next admissible arc of u from its current pointer.
                    let mut next: Option<(usize, usize)> = None;
                    if u >= m {
                        let j = u - m;
                        let deg = sstart[j + 1] - sstart[j];
                        while cur[u] <= deg {
                            let k = cur[u];
                            if k == 0 {
                                // The sink edge first.
                                if load[j] < q[j] - eps && (pot[u] - pot[t_node]).abs() <= rc_tol {
                                    next = Some((t_node, usize::MAX));
                                    break;
                                }
                            } else {
                                let (i, e) = sarc[sstart[j] + k - 1];
                                let (i, e) = (i as usize, e as usize);
                                if f[e] > eps && !onpath[i] && dead[i] != phase {
                                    let rc = -inst.arcs[e].cost / inst.demand[i] + pot[u] - pot[i];
                                    if rc <= rc_tol {
                                        next = Some((i, e));
                                        break;
                                    }
                                }
                            }
                            cur[u] += 1;
                        }
                    } else {
                        let i = u;
                        let d = inst.demand[i];
                        let a0 = inst.arc_start[i] as usize;
                        let deg = inst.arcs_of(i).len();
                        while cur[u] <= deg {
                            let k = cur[u];
                            if k < deg {
                                let a = &inst.arcs[a0 + k];
                                let j = a.site as usize;
                                let v = m + j;
                                if open[j] && f[a0 + k] < d - eps && !onpath[v] && dead[v] != phase {
                                    let rc = a.cost / d + pot[u] - pot[v];
                                    if rc <= rc_tol {
                                        next = Some((v, a0 + k));
                                        break;
                                    }
                                }
                            } else if let Some(uc) = inst.unserved_cost[i] {
                                if unserved[i] < d - eps && (uc / d + pot[u] - pot[t_node]).abs() <= rc_tol {
                                    next = Some((t_node, usize::MAX));
                                    break;
                                }
                            }
                            cur[u] += 1;
                        }
                    }
                    match next {
                        Some((v, e)) => {
                            if v != t_node && stamp[v] != phase {
                                stamp[v] = phase;
                                cur[v] = 0;
                            }
                            path.push((u, v, e));
                            onpath[v] = true;
                            u = v;
                        }
                        None => {
                            // u leads nowhere in this phase: retreat.
                            dead[u] = phase;
                            onpath[u] = false;
                            match path.pop() {
                                Some((a, _, _)) => {
                                    cur[a] += 1;
                                    u = a;
                                }
                                None => break,
                            }
                        }
                    }
                }
                if !found {
                    break;
                }
                // Augment along the path.
                let mut delta = load[s] - q[s];
                for &(a, b, e) in &path {
                    let r = if b == t_node {
                        if a >= m {
                            q[a - m] - load[a - m]
                        } else {
                            inst.demand[a] - unserved[a]
                        }
                    } else if a >= m {
                        f[e]
                    } else {
                        inst.demand[a] - f[e]
                    };
                    delta = delta.min(r);
                }
                for &(a, b, _) in &path {
                    onpath[a] = false;
                    onpath[b] = false;
                }
                onpath[src] = false;
                if delta <= 0.0 {
                    break;
                }
                pushed = true;
                n_aug += 1;
                paid += delta * (pot[t_node] - pot[src]);
                for &(a, b, e) in &path {
                    if b == t_node {
                        if a < m {
                            unserved[a] += delta;
                        }
                    } else if a >= m {
                        f[e] -= delta;
                        load[a - m] -= delta;
                    } else {
                        let was = f[e];
                        f[e] += delta;
                        load[b - m] += delta;
                        if was <= eps && f[e] > eps {
                            if let Some(l) = carry[b - m].as_mut() {
                                l.push((a as u32, e as u32));
                            }
                        }
                    }
                }
            }
        }
        if !pushed {
            // Rounding left no admissible path (not expected).
            return None;
        }
    }
    log::trace!("capflow dijkstras {n_dij} augmentations {n_aug} settled {n_set}");
    Some(true)
}

/// Shares per client and the assignment cost of a solved state, computed as
/// in [`crate::capacity::transport`]; `None` when a must-serve client is not
/// wholly served.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn finish(inst: &Instance, st: &State) -> Option<(f64, Flows)> {
    let m = inst.n_clients();
    let mut cost = 0.0;
    let mut flows: Flows = vec![Vec::new(); m];
    for i in 0..m {
        let d = inst.demand[i];
        let a0 = inst.arc_start[i] as usize;
        if d <= 0.0 {
            let best = inst
                .arcs_of(i)
                .iter()
                .enumerate()
                .filter(|(_, a)| st.open[a.site as usize])
                .min_by(|(ka, a), (kb, b)| a.cost.total_cmp(&b.cost).then(ka.cmp(kb)));
            match (best, inst.unserved_cost[i]) {
                (Some((_, a)), Some(u)) if u < a.cost => cost += u,
                (Some((_, a)), _) => {
                    cost += a.cost;
                    flows[i].push((a.site, 1.0));
                }
                (None, Some(u)) => cost += u,
                (None, None) => return None,
            }
            continue;
        }
        for (k, a) in inst.arcs_of(i).iter().enumerate() {
            let x = st.f[a0 + k];
            if x > 1e-12 * d.max(1.0) {
                flows[i].push((a.site, (x / d).min(1.0)));
            }
        }
    }
    for (i, fl) in flows.iter().enumerate() {
        if inst.demand[i] <= 0.0 {
            continue;
        }
        let arcs = inst.arcs_of(i);
        let mut served = 0.0;
        for &(s, x) in fl {
            if let Some(a) = arcs.iter().find(|a| a.site == s) {
                cost += a.cost * x;
            }
            served += x;
        }
        let rest = (1.0 - served).max(0.0);
        if rest > 1e-9 {
            match inst.unserved_cost[i] {
                Some(u) => cost += u * rest,
                None => return None,
            }
        }
    }
    Some((cost, flows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{capacitated, CapSpec, Spec};

    #[test]
    fn same_cost_as_the_reference_transport() {
        for seed in 1..4 {
            let c = CapSpec {
                spec: Spec {
                    zones: 300,
                    sites: 40,
                    side_km: 30.0,
                    towns: 3,
                    ..Spec::small(seed)
                },
                ..CapSpec::kent(seed)
            };
            let inst = capacitated(&c);
            let n = inst.n_sites();
            let mut s = seed * 7919 + 1;
            for _ in 0..12 {
                let open: Vec<bool> = (0..n)
                    .map(|_| {
                        s ^= s << 13;
                        s ^= s >> 7;
                        s ^= s << 17;
                        s % 10 < 7
                    })
                    .collect();
                let a = crate::capacity::transport(&inst, &open);
                let b = transport(&inst, &open);
                match (a, b) {
                    (None, None) => {}
                    (Some((ca, _)), Some((cb, fb))) => {
                        assert!((ca - cb).abs() <= 1e-7 * ca.abs().max(1.0), "{ca} vs {cb}");
                        let fixed: f64 = (0..n).filter(|&j| open[j]).map(|j| inst.fixed_cost[j]).sum();
                        let z = crate::capacity::assignment_objective(&inst, &open, &fb).unwrap();
                        assert!((z - fixed - cb).abs() <= 1e-7 * z.abs().max(1.0));
                    }
                    (a, b) => panic!("feasibility differs: {:?} vs {:?}", a.is_some(), b.is_some()),
                }
                // Warm starts: closing, opening, a swap and a whole transition are exact.
                let Some(st) = solve(&inst, &open) else { continue };
                let z0 = st.cost(&inst);
                let same = |a: f64, b: f64| (a - b).abs() <= 1e-7 * a.abs().max(1.0);
                let j = (0..n).find(|&j| open[j]).unwrap();
                let mut o = open.clone();
                o[j] = false;
                let exact = crate::capacity::transport(&inst, &o).map(|r| r.0);
                let closed = st.close(&inst, j);
                match (exact, closed.as_ref().map(|w| w.cost(&inst))) {
                    (Some(a), Some(b)) => {
                        assert!(same(a, b), "close {a} vs {b} (from {z0})");
                        let lb = st.close_loss_bound(&inst, j, None);
                        assert!(a >= z0 + lb - 1e-7 * z0.abs().max(1.0), "loss bound {lb}: {z0} -> {a}");
                    }
                    (None, None) => {}
                    (a, b) => panic!("close: feasibility differs {a:?} {b:?}"),
                }
                for k in (0..n).filter(|&k| !open[k]) {
                    let mut o2 = open.clone();
                    o2[k] = true;
                    let w = st.open(&inst, k);
                    let ex = crate::capacity::transport(&inst, &o2).unwrap().0;
                    let g = st.open_gain_bound(&inst, k);
                    assert!(ex >= z0 - g - 1e-7 * z0.abs().max(1.0), "gain bound {g}: {z0} -> {ex}");
                    let (c, fl) = finish(&inst, &w).unwrap();
                    assert!(same(c, ex), "open {c} vs {ex}");
                    assert!(same(c, w.cost(&inst)));
                    let fixed: f64 = (0..n).filter(|&s| o2[s]).map(|s| inst.fixed_cost[s]).sum();
                    let z = crate::capacity::assignment_objective(&inst, &o2, &fl).unwrap();
                    assert!(same(z - fixed, c));
                    if let Some(cl) = &closed {
                        let mut o3 = o.clone();
                        o3[k] = true;
                        let ex = crate::capacity::transport(&inst, &o3).unwrap().0;
                        let c = cl.open(&inst, k).cost(&inst);
                        assert!(same(c, ex), "swap {c} vs {ex}");
                        let lb = st.close_loss_bound(&inst, j, Some(k)) - st.open_gain_bound(&inst, k);
                        assert!(
                            ex >= z0 + lb - 1e-7 * z0.abs().max(1.0),
                            "swap bound {lb}: {z0} -> {ex}"
                        );
                    }
                }
                let target: Vec<bool> = (0..n).map(|s| if s % 3 == 0 { !open[s] } else { open[s] }).collect();
                let ex = crate::capacity::transport(&inst, &target).map(|r| r.0);
                let w = st.to_set(&inst, &target).map(|w| w.cost(&inst));
                match (ex, w) {
                    (Some(a), Some(b)) => assert!(same(a, b), "to_set {a} vs {b}"),
                    (None, None) => {}
                    (a, b) => panic!("to_set: feasibility differs {a:?} {b:?}"),
                }
            }
        }
    }

    /// Regression: opening a site whose later shortest paths save almost
    /// nothing per unit (a near-tie, within the reduced-cost tolerance) once
    /// it already has load made the blocking flow take the site's own sink
    /// arc as a path and push along it for ever (found on the seeded M
    /// instance, seed 3, in a node's pricing).
    #[test]
    fn opening_into_a_near_tie_terminates_and_is_exact() {
        use crate::instance::Arc;
        let mut inst = Instance::with_sites(2);
        inst.capacity = vec![Some(100.0), Some(10.0)];
        // Client 0 saves 1 per unit at site 1; client 1 saves 1e-13 per unit.
        inst.push_client(vec![Arc { site: 0, cost: 10.0 }, Arc { site: 1, cost: 5.0 }], None, 5.0);
        inst.push_client(
            vec![
                Arc { site: 0, cost: 5.0 },
                Arc {
                    site: 1,
                    cost: 5.0 - 5e-13,
                },
            ],
            None,
            5.0,
        );
        let st = solve(&inst, &[true, false]).unwrap();
        let w = st.open(&inst, 1);
        let ex = crate::capacity::transport(&inst, &[true, true]).unwrap().0;
        assert!((w.cost(&inst) - ex).abs() <= 1e-9 * ex, "{} vs {ex}", w.cost(&inst));
        let t = st.to_set(&inst, &[true, true]).unwrap();
        assert!((t.cost(&inst) - ex).abs() <= 1e-9 * ex);
    }
}
