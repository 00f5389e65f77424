//! Incremental capacity feasibility of one service: does every client's need
//! still fit when a site stops hosting the service?
//!
//! The prune of the co-location heuristics ([`super::capcut`]) tries to close
//! each open site (and to drop each hosted service) in turn and keeps the
//! change when every need still fits. Asking that by a maximum flow from
//! scratch (Hall's condition, [`crate::hall`]) costs a whole network per
//! candidate: on the generated L (33,000 clients a service, 3,500 sites) that
//! was most of the prune's time. A [`Placement`] keeps one feasible flow of
//! the service (clients → hosting sites, within each site's capacity) and,
//! when a site is removed, re-places only the need that site carried, by
//! augmenting paths from the clients it served (Ford & Fulkerson 1956): a
//! breadth-first search over the residual network (client → hosting site in
//! its reach; site → a client it serves, moving that client's share away)
//! until a site with room. The answer is exact: with every other client
//! wholly placed, the flow is maximum exactly when no such path exists, so
//! the need fits exactly when every removed share is re-placed. A failed
//! removal is undone from a log, so the placement stays the one of the
//! current decision.
//!
//! Complexity: per removal, one search per augmentation, each linear in the
//! part of the network it reaches (usually the neighbourhood of the site; the
//! whole component when the need no longer fits).

/// One feasible flow of a service's need over its hosting sites, updated
/// as sites are removed (see the module docs).
#[derive(Clone, Debug)]
pub(super) struct Placement {
    need: Vec<f64>,
    /// Client-major arcs: `start[i]..start[i + 1]` index `site` and `x`.
    start: Vec<usize>,
    site: Vec<u32>,
    /// Flow of each arc.
    x: Vec<f64>,
    /// Client of each arc.
    client: Vec<u32>,
    /// Site-major arc indices: `sstart[j]..sstart[j + 1]` index `sarc`.
    sstart: Vec<usize>,
    sarc: Vec<u32>,
    cap: Vec<f64>,
    load: Vec<f64>,
    eps: f64,
    undo: Vec<Undo>,
    // Search state, by stamp.
    stamp: Vec<u32>,
    now: u32,
    // Per node reached: the arc it was reached by (clients: node id < m).
    via: Vec<u32>,
}

#[derive(Clone, Copy, Debug)]
enum Undo {
    Arc(u32, f64),
    Site(u32, f64, f64),
}

impl Placement {
    /// A placement of `need[i]` over the sites of `reach[i]` within `cap`
    /// (0 where a site does not host the service); `None` when the need
    /// does not fit (short by more than `eps` in all, an absolute tolerance).
    pub(super) fn new(need: &[f64], reach: &[Vec<u32>], cap: &[f64], eps: f64) -> Option<Placement> {
        let (m, n) = (need.len(), cap.len());
        let mut start = Vec::with_capacity(m + 1);
        start.push(0);
        let mut site = Vec::new();
        let mut client = Vec::new();
        for (i, r) in reach.iter().enumerate() {
            site.extend_from_slice(r);
            client.extend(std::iter::repeat_n(i as u32, r.len()));
            start.push(site.len());
        }
        let mut sstart = vec![0usize; n + 1];
        for &j in &site {
            sstart[j as usize + 1] += 1;
        }
        for j in 0..n {
            sstart[j + 1] += sstart[j];
        }
        let mut fill = sstart.clone();
        let mut sarc = vec![0u32; site.len()];
        for (a, &j) in site.iter().enumerate() {
            sarc[fill[j as usize]] = a as u32;
            fill[j as usize] += 1;
        }
        let arcs = site.len();
        let mut p = Placement {
            need: need.to_vec(),
            start,
            site,
            x: vec![0.0; arcs],
            client,
            sstart,
            sarc,
            cap: cap.to_vec(),
            load: vec![0.0; n],
            eps,
            undo: Vec::new(),
            stamp: vec![0; m + n],
            now: 0,
            via: vec![0; m + n],
        };
        let mut left = 0.0;
        for i in 0..m {
            left += p.place(i, need[i]);
            if left > eps {
                return None;
            }
        }
        p.undo.clear();
        Some(p)
    }

    /// Removes site `j` (capacity 0) and re-places the need it carried;
    /// `false` when more than `eps` of it does not fit. The change stays pending until
    /// [`Placement::commit`] or [`Placement::rollback`].
    pub(super) fn remove(&mut self, j: usize) -> bool {
        self.undo.push(Undo::Site(j as u32, self.cap[j], self.load[j]));
        self.cap[j] = 0.0;
        self.load[j] = 0.0;
        let mut short: Vec<(usize, f64)> = Vec::new();
        for k in self.sstart[j]..self.sstart[j + 1] {
            let a = self.sarc[k] as usize;
            if self.x[a] > 0.0 {
                short.push((self.client[a] as usize, self.x[a]));
                self.set(a, 0.0);
            }
        }
        let mut left = 0.0;
        for (i, amount) in short {
            left += self.place(i, amount);
            if left > self.eps {
                return false;
            }
        }
        true
    }

    /// Keeps the pending removals.
    pub(super) fn commit(&mut self) {
        self.undo.clear();
    }

    /// Undoes the pending removals.
    pub(super) fn rollback(&mut self) {
        while let Some(u) = self.undo.pop() {
            match u {
                Undo::Arc(a, v) => self.x[a as usize] = v,
                Undo::Site(j, c, l) => {
                    self.cap[j as usize] = c;
                    self.load[j as usize] = l;
                }
            }
        }
    }

    fn set(&mut self, a: usize, v: f64) {
        self.undo.push(Undo::Arc(a as u32, self.x[a]));
        self.x[a] = v;
    }

    fn add_load(&mut self, j: usize, by: f64) {
        self.undo.push(Undo::Site(j as u32, self.cap[j], self.load[j]));
        self.load[j] += by;
    }

    /// Places `amount` more of client `i`'s need by augmenting paths;
    /// returns what is left unplaced.
    fn place(&mut self, i: usize, mut amount: f64) -> f64 {
        let m = self.need.len();
        while amount > self.eps {
            let Some(t) = self.search(i) else {
                return amount;
            };
            // Bottleneck: the room at t and every share moved backwards.
            let mut b = amount.min(self.cap[t] - self.load[t]);
            let mut v = m + t;
            while v != i {
                let a = self.via[v] as usize;
                if v < m {
                    // Reached client v through arc a backwards: its share on a moves.
                    b = b.min(self.x[a]);
                    v = m + self.site[a] as usize;
                } else {
                    v = self.client[a] as usize;
                }
            }
            if b <= 0.0 {
                return amount;
            }
            let mut v = m + t;
            while v != i {
                let a = self.via[v] as usize;
                if v < m {
                    self.set(a, self.x[a] - b);
                    v = m + self.site[a] as usize;
                } else {
                    self.set(a, self.x[a] + b);
                    v = self.client[a] as usize;
                }
            }
            self.add_load(t, b);
            amount -= b;
        }
        0.0
    }

    /// Breadth-first search from client `i` over the residual network for a
    /// site with room; fills `via` and returns the site.
    fn search(&mut self, i: usize) -> Option<usize> {
        let m = self.need.len();
        self.now = self.now.wrapping_add(1);
        if self.now == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.now = 1;
        }
        let now = self.now;
        let mut queue = std::collections::VecDeque::new();
        self.stamp[i] = now;
        queue.push_back(i);
        let room = |p: &Placement, j: usize| p.load[j] < p.cap[j] - p.eps * 1e-3;
        while let Some(u) = queue.pop_front() {
            if u < m {
                for a in self.start[u]..self.start[u + 1] {
                    let j = self.site[a] as usize;
                    if self.cap[j] <= 0.0 || self.stamp[m + j] == now {
                        continue;
                    }
                    self.stamp[m + j] = now;
                    self.via[m + j] = a as u32;
                    if room(self, j) {
                        return Some(j);
                    }
                    queue.push_back(m + j);
                }
            } else {
                let j = u - m;
                for k in self.sstart[j]..self.sstart[j + 1] {
                    let a = self.sarc[k] as usize;
                    let w = self.client[a] as usize;
                    if self.x[a] <= 0.0 || self.stamp[w] == now {
                        continue;
                    }
                    self.stamp[w] = now;
                    self.via[w] = a as u32;
                    queue.push_back(w);
                }
            }
        }
        None
    }

    /// Whether the flow places every need within every capacity (tests).
    #[cfg(test)]
    fn consistent(&self) -> bool {
        let mut load = vec![0.0; self.cap.len()];
        for i in 0..self.need.len() {
            let mut s = 0.0;
            for a in self.start[i]..self.start[i + 1] {
                if self.x[a] < -1e-9 {
                    return false;
                }
                s += self.x[a];
                load[self.site[a] as usize] += self.x[a];
            }
            if (s - self.need[i]).abs() > 1e-6 {
                return false;
            }
        }
        load.iter().zip(&self.cap).all(|(l, c)| *l <= c + 1e-6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hall::max_placed;

    fn rng(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Random instances, random removal sequences: every answer agrees with
    /// a maximum flow from scratch ([`max_placed`]), a failed removal leaves
    /// the placement as it was, and the flow stays a placement of every need.
    #[test]
    fn removals_agree_with_a_maximum_flow_from_scratch() {
        let mut seed = 7u64;
        let (mut kept, mut refused) = (0, 0);
        for case in 0..300 {
            let m = 2 + (rng(&mut seed) % 12) as usize;
            let n = 2 + (rng(&mut seed) % 7) as usize;
            let need: Vec<f64> = (0..m).map(|_| 1.0 + (rng(&mut seed) % 9) as f64).collect();
            let reach: Vec<Vec<u32>> = (0..m)
                .map(|_| {
                    let mut r: Vec<u32> = (0..n as u32).filter(|_| rng(&mut seed) % 3 == 0).collect();
                    if r.is_empty() {
                        r.push((rng(&mut seed) % n as u64) as u32);
                    }
                    r
                })
                .collect();
            let total: f64 = need.iter().sum();
            let mut cap: Vec<f64> = (0..n)
                .map(|_| (total * (0.2 + (rng(&mut seed) % 100) as f64 / 100.0)).round())
                .collect();
            let fits = |cap: &[f64]| max_placed(&need, &reach, cap) >= total - 1e-9;
            let p = Placement::new(&need, &reach, &cap, 1e-9);
            assert_eq!(p.is_some(), fits(&cap), "case {case}: new");
            let Some(mut p) = p else { continue };
            assert!(p.consistent(), "case {case}");
            for _ in 0..n {
                let j = (rng(&mut seed) % n as u64) as usize;
                let mut c2 = cap.clone();
                c2[j] = 0.0;
                let before = p.x.clone();
                let ok = p.remove(j);
                assert_eq!(ok, fits(&c2), "case {case}: remove {j}");
                if ok {
                    p.commit();
                    cap = c2;
                    kept += 1;
                } else {
                    p.rollback();
                    assert_eq!(p.x, before, "case {case}: rollback");
                    refused += 1;
                }
                assert!(p.consistent(), "case {case}");
                assert_eq!(p.cap, cap, "case {case}");
            }
        }
        assert!(kept > 100 && refused > 100, "{kept} kept, {refused} refused");
    }
}
