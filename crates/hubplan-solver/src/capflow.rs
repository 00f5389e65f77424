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
    };
    run(inst, &mut st).then_some(st)
}

impl State {
    /// Load per site (demand units).
    pub(crate) fn load(&self) -> &[f64] {
        &self.load
    }

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
    pub(crate) fn close(&self, inst: &Instance, j: usize) -> Option<State> {
        let mut st = self.clone();
        st.open[j] = false;
        st.q[j] = 0.0;
        run(inst, &mut st).then_some(st)
    }

    /// The state with `j` closed and `k` opened: `k` gets the sink's
    /// potential (an empty site with room), and `j`'s users are rerouted.
    /// Arcs into `k` may have negative reduced costs, which the search clamps
    /// to 0: the result is a feasible flow (an upper bound of the optimum of
    /// the new open set), not necessarily optimal.
    pub(crate) fn swap(&self, inst: &Instance, j: usize, k: usize) -> Option<State> {
        let (m, n) = (inst.n_clients(), inst.n_sites());
        let mut st = self.clone();
        st.open[k] = true;
        st.q[k] = inst.capacity[k].unwrap_or(f64::INFINITY);
        st.pot[m + k] = st.pot[m + n];
        st.open[j] = false;
        st.q[j] = 0.0;
        run(inst, &mut st).then_some(st)
    }
}

impl State {
    /// The state with site `k` opened: `k` gets the sink's potential, every
    /// client with a negative reduced cost towards `k` moves there wholly, and
    /// the overloads are rerouted. Reduced costs left negative are clamped to 0
    /// by the search: the result is a feasible flow (an upper bound of the
    /// optimum of the new open set), not necessarily optimal.
    pub(crate) fn open_site(&self, inst: &Instance, k: usize) -> Option<State> {
        let (m, n) = (inst.n_clients(), inst.n_sites());
        let mut st = self.clone();
        st.open[k] = true;
        st.q[k] = inst.capacity[k].unwrap_or(f64::INFINITY);
        st.pot[m + k] = st.pot[m + n];
        for i in 0..m {
            let d = inst.demand[i];
            if d <= 0.0 {
                continue;
            }
            let a0 = inst.arc_start[i] as usize;
            let Some(e) = inst.arcs_of(i).iter().position(|a| a.site as usize == k) else {
                continue;
            };
            let ck = inst.arcs[a0 + e].cost / d;
            if ck + st.pot[i] - st.pot[m + k] >= -st.rc_tol {
                continue;
            }
            for (p, a) in inst.arcs_of(i).iter().enumerate() {
                let x = st.f[a0 + p];
                if x > 0.0 {
                    st.load[a.site as usize] -= x;
                    st.f[a0 + p] = 0.0;
                }
            }
            st.unserved[i] = 0.0;
            st.f[a0 + e] = d;
            st.load[k] += d;
            st.pot[i] = st.pot[m + k] - ck;
        }
        run(inst, &mut st).then_some(st)
    }
}

/// Successive shortest paths from the overloaded sites (closed sites with
/// load count as overloaded) until every load fits; false when it cannot.
fn run(inst: &Instance, st: &mut State) -> bool {
    let (m, n) = (inst.n_clients(), inst.n_sites());
    let State {
        open,
        q,
        f,
        unserved,
        load,
        pot,
        eps,
        rc_tol,
    } = st;
    let (eps, rc_tol) = (*eps, *rc_tol);
    let t_node = m + n;
    if (0..n).all(|j| load[j] <= q[j] + eps) {
        return true;
    }
    // Site-major arcs of open sites and of sites that still carry flow.
    let active: Vec<bool> = (0..n).map(|j| open[j] || load[j] > 0.0).collect();
    let mut sstart = vec![0usize; n + 1];
    for a in &inst.arcs {
        if active[a.site as usize] {
            sstart[a.site as usize + 1] += 1;
        }
    }
    for j in 0..n {
        sstart[j + 1] += sstart[j];
    }
    let mut fill = sstart.clone();
    let mut sarc = vec![(0u32, 0u32); sstart[n]];
    for i in 0..m {
        let a0 = inst.arc_start[i] as usize;
        for (k, a) in inst.arcs_of(i).iter().enumerate() {
            let j = a.site as usize;
            if active[j] {
                sarc[fill[j]] = (i as u32, (a0 + k) as u32);
                fill[j] += 1;
            }
        }
    }
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
                for &(i, e) in &sarc[sstart[j]..sstart[j + 1]] {
                    let e = e as usize;
                    if f[e] > eps {
                        let i = i as usize;
                        relax(i, -inst.arcs[e].cost / inst.demand[i], &mut heap);
                    }
                }
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
            return false;
        }
        let dt = dist[t_node];
        for &v in &settled {
            pot[v] += dist[v] - dt;
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
                for &(a, b, e) in &path {
                    if b == t_node {
                        if a < m {
                            unserved[a] += delta;
                        }
                    } else if a >= m {
                        f[e] -= delta;
                        load[a - m] -= delta;
                    } else {
                        f[e] += delta;
                        load[b - m] += delta;
                    }
                }
            }
        }
        if !pushed {
            // Rounding left no admissible path (not expected).
            return false;
        }
    }
    log::trace!("capflow dijkstras {n_dij} augmentations {n_aug} settled {n_set}");
    true
}

/// Shares per client and the assignment cost of a solved state, computed as
/// in [`crate::capacity::transport`]; `None` when a must-serve client is not
/// wholly served.
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
                // Warm starts: closing is exact; a swap is feasible and no better than exact.
                let Some(st) = solve(&inst, &open) else { continue };
                let z0 = st.cost(&inst);
                let j = (0..n).find(|&j| open[j]).unwrap();
                let k = (0..n).find(|&k| !open[k]);
                let mut o = open.clone();
                o[j] = false;
                let exact = crate::capacity::transport(&inst, &o).map(|r| r.0);
                let warm = st.close(&inst, j).map(|w| w.cost(&inst));
                match (exact, warm) {
                    (Some(a), Some(b)) => {
                        assert!((a - b).abs() <= 1e-7 * a.abs().max(1.0), "close {a} vs {b} (from {z0})")
                    }
                    (None, None) => {}
                    (a, b) => panic!("close: feasibility differs {a:?} {b:?}"),
                }
                if let Some(k) = k {
                    let mut o2 = open.clone();
                    o2[k] = true;
                    if let Some(w) = st.open_site(&inst, k) {
                        let (c, fl) = finish(&inst, &w).unwrap();
                        let fixed: f64 = (0..n).filter(|&s| o2[s]).map(|s| inst.fixed_cost[s]).sum();
                        let z = crate::capacity::assignment_objective(&inst, &o2, &fl).unwrap();
                        assert!((z - fixed - c).abs() <= 1e-7 * z.abs().max(1.0));
                        let ex = crate::capacity::transport(&inst, &o2).unwrap().0;
                        assert!(c >= ex - 1e-7 * c.abs().max(1.0));
                    }
                    o[k] = true;
                    let exact = crate::capacity::transport(&inst, &o).map(|r| r.0);
                    if let Some(w) = st.swap(&inst, j, k) {
                        let (c, fl) = finish(&inst, &w).unwrap();
                        assert!((c - w.cost(&inst)).abs() <= 1e-7 * c.abs().max(1.0));
                        let fixed: f64 = (0..n).filter(|&s| o[s]).map(|s| inst.fixed_cost[s]).sum();
                        let z = crate::capacity::assignment_objective(&inst, &o, &fl).unwrap();
                        assert!((z - fixed - c).abs() <= 1e-7 * z.abs().max(1.0));
                        assert!(c >= exact.unwrap() - 1e-7 * c.abs().max(1.0));
                    }
                }
            }
        }
    }
}
