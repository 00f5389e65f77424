//! Seeded synthetic benchmark instances, as described in
//! `/work/shared/notes/MEASUREMENTS.md` (zones around towns plus a rural share;
//! travel time = per-zone wait of 5–15 min + distance at 15–25 km/h; threshold
//! 35 min).
//!
//! * [`Spec::small`] (S): 1,000 zones × 150 sites; [`Spec::medium`] (M): 5,000 × 400;
//!   [`Spec::large`] (L): 33,000 × 3,500. The area grows with the size so that the
//!   mean number of sites within the threshold is close to the measured 10 / 9 / 23.
//! * [`lscp`]: minimum total site cost such that every reachable zone is covered.
//! * [`mclp`]: maximum covered need (minimise uncovered need) under a budget on
//!   the site costs — "MCLP-T" uses 60 % of the LSCP optimum.
//!
//! Everything is a pure function of the [`Spec`] (a SplitMix64 generator, no
//! external RNG crate), so the instances are identical on every machine.
//!
//! # Example
//! ```
//! use hubplan_solver::synthetic::{generate, lscp, Spec};
//! let g = generate(&Spec { zones: 200, sites: 30, ..Spec::small(7) });
//! let inst = lscp(&g);
//! assert_eq!(inst.n_sites(), 30);
//! assert!(inst.n_clients() <= 200);
//! ```

use crate::instance::{Arc, Instance};

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, good-quality seeded generator.
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `[a, b)`.
    pub fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-300);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Parameters of a synthetic instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// Number of zones (clients).
    pub zones: usize,
    /// Number of candidate sites.
    pub sites: usize,
    /// Side of the square study area, km.
    pub side_km: f64,
    /// Number of towns.
    pub towns: usize,
    /// Share of zones placed uniformly (rural).
    pub rural_share: f64,
    /// Access threshold, minutes (inclusive).
    pub threshold_min: f64,
    /// Seed.
    pub seed: u64,
}

impl Spec {
    /// S: 1,000 zones × 150 sites.
    pub fn small(seed: u64) -> Spec {
        Spec {
            zones: 1000,
            sites: 150,
            side_km: 90.0,
            towns: 12,
            rural_share: 0.25,
            threshold_min: 35.0,
            seed,
        }
    }
    /// M: 5,000 zones × 400 sites.
    pub fn medium(seed: u64) -> Spec {
        Spec {
            zones: 5000,
            sites: 400,
            side_km: 158.0,
            towns: 30,
            rural_share: 0.25,
            threshold_min: 35.0,
            seed,
        }
    }
    /// L: 33,000 zones × 3,500 sites.
    pub fn large(seed: u64) -> Spec {
        Spec {
            zones: 33000,
            sites: 3500,
            side_km: 225.0,
            towns: 200,
            rural_share: 0.25,
            threshold_min: 35.0,
            seed,
        }
    }
}

/// A generated geography: zones, sites and the travel-time arcs within the threshold.
#[derive(Clone, Debug)]
pub struct Geography {
    /// Need per zone (integer-valued).
    pub need: Vec<f64>,
    /// Annual cost per site (integer-valued, GBP).
    pub cost: Vec<f64>,
    /// Per zone, the sites within the threshold and the minutes (sorted by site).
    pub reach: Vec<Vec<(u32, f64)>>,
}

fn place(rng: &mut SplitMix64, towns: &[(f64, f64, f64)], side: f64, rural: f64) -> (f64, f64) {
    if towns.is_empty() || rng.unit() < rural {
        return (rng.range(0.0, side), rng.range(0.0, side));
    }
    let t = towns[(rng.next_u64() % towns.len() as u64) as usize];
    let x = (t.0 + t.2 * rng.normal()).clamp(0.0, side);
    let y = (t.1 + t.2 * rng.normal()).clamp(0.0, side);
    (x, y)
}

/// Generates the geography of `spec` (pure function of the spec).
pub fn generate(spec: &Spec) -> Geography {
    let mut rng = SplitMix64(spec.seed ^ 0x6875_6270_6C61_6E00);
    let side = spec.side_km;
    let towns: Vec<(f64, f64, f64)> = (0..spec.towns)
        .map(|_| (rng.range(0.0, side), rng.range(0.0, side), rng.range(1.5, 5.0)))
        .collect();
    let mut zx = Vec::with_capacity(spec.zones);
    let mut need = Vec::with_capacity(spec.zones);
    let mut wait = Vec::with_capacity(spec.zones);
    for _ in 0..spec.zones {
        zx.push(place(&mut rng, &towns, side, spec.rural_share));
        need.push((rng.range(50.0, 400.0)).round());
        wait.push(rng.range(5.0, 15.0));
    }
    let mut sx = Vec::with_capacity(spec.sites);
    let mut cost = Vec::with_capacity(spec.sites);
    for _ in 0..spec.sites {
        sx.push(place(&mut rng, &towns, side, spec.rural_share + 0.1));
        cost.push((rng.range(20.0, 120.0)).round() * 1000.0);
    }
    // Grid of sites for the range query.
    let cell = 12.0f64;
    let g = ((side / cell).ceil() as usize).max(1);
    let mut grid: Vec<Vec<u32>> = vec![Vec::new(); g * g];
    let gi = |v: f64| ((v / cell) as usize).min(g - 1);
    for (j, &(x, y)) in sx.iter().enumerate() {
        grid[gi(y) * g + gi(x)].push(j as u32);
    }
    let max_km = (spec.threshold_min - 5.0).max(0.0) / 60.0 * 25.0;
    let reach = (0..spec.zones)
        .map(|i| {
            let (x, y) = zx[i];
            let r = (max_km / cell).ceil() as isize;
            let (cx, cy) = (gi(x) as isize, gi(y) as isize);
            let mut out = Vec::new();
            for gy in (cy - r).max(0)..=(cy + r).min(g as isize - 1) {
                for gx in (cx - r).max(0)..=(cx + r).min(g as isize - 1) {
                    for &j in &grid[gy as usize * g + gx as usize] {
                        let (sxj, syj) = sx[j as usize];
                        let d = ((x - sxj).powi(2) + (y - syj).powi(2)).sqrt();
                        // Pair-specific speed 15–25 km/h from a hash of (seed, i, j).
                        let mut h = SplitMix64(spec.seed ^ ((i as u64) << 32) ^ u64::from(j));
                        let speed = h.range(15.0, 25.0);
                        let t = wait[i] + d / speed * 60.0;
                        if t <= spec.threshold_min {
                            out.push((j, (t * 10.0).round() / 10.0));
                        }
                    }
                }
            }
            out.sort_by_key(|a| a.0);
            out
        })
        .collect();
    Geography { need, cost, reach }
}

/// LSCP: minimise the total site cost so every zone with a site in reach is
/// covered (zones with none are left out, as "unreachable at baseline").
pub fn lscp(g: &Geography) -> Instance {
    let mut inst = Instance::with_sites(g.cost.len());
    inst.fixed_cost.clone_from(&g.cost);
    inst.budget_cost.clone_from(&g.cost);
    for (i, r) in g.reach.iter().enumerate() {
        if r.is_empty() {
            continue;
        }
        inst.push_client(
            r.iter().map(|&(s, _)| Arc { site: s, cost: 0.0 }).collect(),
            None,
            g.need[i],
        );
    }
    inst
}

/// Budgeted maximal covering: minimise uncovered need with `Σ cost_j y_j ≤ budget`.
/// MCLP-T uses `budget = 0.6 ×` the LSCP optimum.
pub fn mclp(g: &Geography, budget: f64) -> Instance {
    let mut inst = Instance::with_sites(g.cost.len());
    inst.budget_cost.clone_from(&g.cost);
    inst.budget = Some(budget);
    for (i, r) in g.reach.iter().enumerate() {
        inst.push_client(
            r.iter().map(|&(s, _)| Arc { site: s, cost: 0.0 }).collect(),
            Some(g.need[i]),
            g.need[i],
        );
    }
    inst
}

/// The model of a suite case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Set covering: minimise the site cost so every zone with a site in reach is covered.
    Lscp,
    /// Maximal covering: minimise uncovered need under a budget or a site count.
    Mclp,
    /// p-median: minimise need × minutes with exactly `p` sites; a zone with no
    /// open site within the threshold pays need × [`MISSING_MINUTES`].
    PMedian,
}

/// Minutes charged for a zone–site pair beyond the threshold in the p-median
/// (the "large cost for missing pairs" spopt's users put in the matrix).
pub const MISSING_MINUTES: f64 = 9999.0;

/// The side constraint of a suite case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// None (set covering).
    Neither,
    /// A budget on the site costs.
    Budget,
    /// A number of sites.
    P,
}

/// One cell of the peer suite: a model with its costs, limit, size, points and coverage.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// A unique name such as `S-lscp-unit-neither-clustered-dense-s1`.
    pub name: String,
    /// The model.
    pub model: Model,
    /// Unit costs (site costs 1 and zone need 1) or weighted.
    pub unit: bool,
    /// The side constraint.
    pub limit: Limit,
    /// The geography's spec (size, points, threshold).
    pub spec: Spec,
}

/// Sizes of the suite: `T` (tiny, 60 × 14, for the stored test optima), `S`, `M`, `L`.
pub fn sized(size: &str, seed: u64, clustered: bool, dense: bool) -> Option<Spec> {
    let mut s = match size {
        "T" => Spec {
            zones: 60,
            sites: 14,
            side_km: 30.0,
            towns: 3,
            ..Spec::small(seed)
        },
        "S" => Spec::small(seed),
        "M" => Spec::medium(seed),
        "L" => Spec::large(seed),
        _ => return None,
    };
    if !clustered {
        s.towns = 0;
    }
    s.threshold_min = if dense { 60.0 } else { 35.0 };
    Some(s)
}

/// The seeded suite over `sizes`: every size × points (clustered, uniform) ×
/// coverage (dense: 60 min, sparse: 35 min) × costs (unit, weighted) × model
/// (LSCP with neither limit; MCLP with a budget; MCLP with p; p-median with p).
pub fn suite(sizes: &[&str], seed: u64) -> Vec<Case> {
    let mut out = Vec::new();
    for &size in sizes {
        for clustered in [true, false] {
            for dense in [true, false] {
                let Some(spec) = sized(size, seed, clustered, dense) else {
                    continue;
                };
                for unit in [true, false] {
                    for (model, limit) in [
                        (Model::Lscp, Limit::Neither),
                        (Model::Mclp, Limit::Budget),
                        (Model::Mclp, Limit::P),
                        (Model::PMedian, Limit::P),
                    ] {
                        let name = format!(
                            "{size}-{}-{}-{}-{}-{}-s{seed}",
                            match model {
                                Model::Lscp => "lscp",
                                Model::Mclp => "mclp",
                                Model::PMedian => "pmedian",
                            },
                            if unit { "unit" } else { "weighted" },
                            match limit {
                                Limit::Neither => "neither",
                                Limit::Budget => "budget",
                                Limit::P => "p",
                            },
                            if clustered { "clustered" } else { "uniform" },
                            if dense { "dense" } else { "sparse" },
                        );
                        out.push(Case {
                            name,
                            model,
                            unit,
                            limit,
                            spec: spec.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// A suite case as data: the geography reduced to the zones the model keeps,
/// the per-zone need and per-site cost it uses, `p` or the budget, and the
/// instance. The peer harness writes exactly this for spopt.
#[derive(Clone, Debug)]
pub struct CaseData {
    /// Need per kept zone (1 for unit cases).
    pub need: Vec<f64>,
    /// Cost per site (1 for unit cases).
    pub cost: Vec<f64>,
    /// Per kept zone, the sites within the threshold and their minutes.
    pub reach: Vec<Vec<(u32, f64)>>,
    /// The site count, for `Limit::P`.
    pub p: Option<u32>,
    /// The budget, for `Limit::Budget`.
    pub budget: Option<f64>,
    /// The solver instance.
    pub instance: Instance,
}

/// Sites a greedy cover of the reachable zones opens (ties to the lower index):
/// the scale from which `p` and the budget are set.
fn greedy_cover(reach: &[Vec<(u32, f64)>], n: usize) -> usize {
    let mut by_site: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, r) in reach.iter().enumerate() {
        for &(s, _) in r {
            by_site[s as usize].push(i);
        }
    }
    let mut covered: Vec<bool> = reach.iter().map(Vec::is_empty).collect();
    let mut left = covered.iter().filter(|&&c| !c).count();
    let mut k = 0;
    while left > 0 {
        let (best, gain) = (0..n)
            .map(|j| (j, by_site[j].iter().filter(|&&i| !covered[i]).count()))
            .fold((0, 0), |a, b| if b.1 > a.1 { b } else { a });
        if gain == 0 {
            break;
        }
        for &i in &by_site[best] {
            if !covered[i] {
                covered[i] = true;
                left -= 1;
            }
        }
        k += 1;
    }
    k
}

/// Builds a suite case (a pure function of the case).
pub fn case_data(c: &Case) -> CaseData {
    let g = generate(&c.spec);
    let n = g.cost.len();
    let cost: Vec<f64> = if c.unit { vec![1.0; n] } else { g.cost.clone() };
    // Set covering keeps only the zones some site reaches.
    let keep: Vec<usize> = (0..g.reach.len())
        .filter(|&i| c.model != Model::Lscp || !g.reach[i].is_empty())
        .collect();
    let need: Vec<f64> = keep.iter().map(|&i| if c.unit { 1.0 } else { g.need[i] }).collect();
    let reach: Vec<Vec<(u32, f64)>> = keep.iter().map(|&i| g.reach[i].clone()).collect();
    let k = greedy_cover(&reach, n).max(2) as u32;
    let p = (c.limit == Limit::P).then(|| (k * 3 / 5).max(1));
    let budget = (c.limit == Limit::Budget).then(|| {
        let mut sorted = cost.clone();
        sorted.sort_by(f64::total_cmp);
        // 60 % of the greedy cover's size, priced at the median site cost.
        (f64::from((k * 3 / 5).max(1)) * sorted[n / 2]).round()
    });
    let mut inst = Instance::with_sites(n);
    match c.model {
        Model::Lscp => {
            inst.fixed_cost.clone_from(&cost);
            inst.budget_cost.clone_from(&cost);
            for (i, r) in reach.iter().enumerate() {
                inst.push_client(
                    r.iter().map(|&(s, _)| Arc { site: s, cost: 0.0 }).collect(),
                    None,
                    need[i],
                );
            }
        }
        Model::Mclp => {
            inst.budget_cost.clone_from(&cost);
            inst.budget = budget;
            inst.cardinality = p.map(|p| crate::Cardinality { min: 0, max: p });
            for (i, r) in reach.iter().enumerate() {
                inst.push_client(
                    r.iter().map(|&(s, _)| Arc { site: s, cost: 0.0 }).collect(),
                    Some(need[i]),
                    need[i],
                );
            }
        }
        Model::PMedian => {
            let p = p.unwrap_or(1);
            inst.cardinality = Some(crate::Cardinality { min: p, max: p });
            inst.budget_cost.clone_from(&cost);
            inst.budget = budget;
            for (i, r) in reach.iter().enumerate() {
                inst.push_client(
                    r.iter()
                        .map(|&(s, t)| Arc {
                            site: s,
                            cost: need[i] * t,
                        })
                        .collect(),
                    Some(need[i] * MISSING_MINUTES),
                    need[i],
                );
            }
        }
    }
    CaseData {
        need,
        cost,
        reach,
        p,
        budget,
        instance: inst,
    }
}

// ---------------------------------------------------------------------------
// Demand capacity (issue 21): the capacitated facility-location class.
// ---------------------------------------------------------------------------

/// Parameters of a capacitated instance built on a [`Geography`].
#[derive(Clone, Debug, PartialEq)]
pub struct CapSpec {
    /// The geography (zones, sites, reach).
    pub spec: Spec,
    /// Total capacity as a multiple of the total need (1.3–1.6 keeps capacity binding).
    pub ratio: f64,
    /// Cost per user-minute of travel (the assignment cost is need × minutes × this).
    pub minute_cost: f64,
}

impl CapSpec {
    /// M: 5,000 zones × 400 sites (the clustered M geography), total capacity 1.45 × need.
    pub fn medium(seed: u64) -> CapSpec {
        CapSpec {
            spec: Spec::medium(seed),
            ratio: 1.45,
            minute_cost: 3.0,
        }
    }
    /// Kent-size: 900 zones × 200 sites on a 90 km square with 12 towns, 1.45 × need.
    pub fn kent(seed: u64) -> CapSpec {
        CapSpec {
            spec: Spec {
                zones: 900,
                sites: 200,
                side_km: 90.0,
                towns: 12,
                ..Spec::small(seed)
            },
            ratio: 1.45,
            minute_cost: 3.0,
        }
    }
    /// By name: `K` (Kent-size) or `M`.
    pub fn sized(size: &str, seed: u64) -> Option<CapSpec> {
        match size {
            "K" => Some(CapSpec::kent(seed)),
            "M" => Some(CapSpec::medium(seed)),
            _ => None,
        }
    }
}

/// A capacitated min-cost instance (split assignment): open cost per site,
/// `need × minutes × minute_cost` per arc, and a capacity per site.
///
/// Zones with no site in reach are left out. A zone with at most two sites in
/// reach may be served beyond the limit at `need × 60 × minute_cost` (the
/// beyond-limit rule); every other zone must be served. Capacities are
/// `Q_j = max(1.05 × L_j, s × w_j)`, where `L_j` is the need whose nearest site
/// is `j` (so the plan with every site open fits), `w_j` is uniform in
/// `[0.5, 1.5)` and `s` is set (bisection) so that `Σ Q_j = ratio × Σ need`;
/// capacities are rounded up to whole users. Capacity is uncorrelated with the
/// open cost, so the cheapest sites alone do not hold the need.
///
/// # Example
/// ```
/// use hubplan_solver::synthetic::{capacitated, CapSpec, Spec};
/// let c = CapSpec { spec: Spec { zones: 120, sites: 20, side_km: 30.0, towns: 3, ..Spec::small(1) }, ..CapSpec::kent(1) };
/// let inst = capacitated(&c);
/// let cap: f64 = inst.capacity.iter().map(|q| q.unwrap()).sum();
/// let need: f64 = inst.demand.iter().sum();
/// assert!(cap >= 1.3 * need && cap <= 1.6 * need);
/// ```
/// The capacitated set-covering variant of [`capacitated`] (the "capacitated
/// LSCP" of the measurements behind issue 21): the same sites, costs,
/// capacities and reach, but no assignment cost and every zone served (no
/// beyond-limit rule), so only the open set matters. Solved by the Hall-cut
/// branch-and-cut (`capacity-hall-cuts`).
///
/// # Example
/// ```
/// use hubplan_solver::synthetic::{capacitated_cover, CapSpec, Spec};
/// let c = CapSpec { spec: Spec { zones: 120, sites: 20, side_km: 30.0, towns: 3, ..Spec::small(1) }, ..CapSpec::kent(1) };
/// let inst = capacitated_cover(&c);
/// assert!(inst.arcs.iter().all(|a| a.cost == 0.0));
/// assert!(inst.unserved_cost.iter().all(Option::is_none));
/// ```
pub fn capacitated_cover(c: &CapSpec) -> Instance {
    let mut inst = capacitated(c);
    for a in &mut inst.arcs {
        a.cost = 0.0;
    }
    for u in &mut inst.unserved_cost {
        *u = None;
    }
    inst
}

pub fn capacitated(c: &CapSpec) -> Instance {
    let g = generate(&c.spec);
    let n = g.cost.len();
    let mut rng = SplitMix64(c.spec.seed ^ 0x6361_7061_6369_7479);
    let w: Vec<f64> = (0..n).map(|_| rng.range(0.5, 1.5)).collect();
    let keep: Vec<usize> = (0..g.reach.len()).filter(|&i| !g.reach[i].is_empty()).collect();
    let mut home = vec![0.0; n];
    let mut total = 0.0;
    for &i in &keep {
        let r = &g.reach[i];
        let near = r
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .map_or(0, |a| a.0 as usize);
        home[near] += g.need[i];
        total += g.need[i];
    }
    let want = c.ratio * total;
    let sum = |s: f64| (0..n).map(|j| (1.05 * home[j]).max(s * w[j])).sum::<f64>();
    let (mut lo, mut hi) = (0.0, want.max(1.0));
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if sum(mid) < want {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let mut inst = Instance::with_sites(n);
    inst.fixed_cost.clone_from(&g.cost);
    inst.budget_cost.clone_from(&g.cost);
    inst.capacity = (0..n).map(|j| Some((1.05 * home[j]).max(hi * w[j]).ceil())).collect();
    for &i in &keep {
        let r = &g.reach[i];
        let d = g.need[i];
        let arcs = r
            .iter()
            .map(|&(s, t)| Arc {
                site: s,
                cost: (d * t * c.minute_cost).round(),
            })
            .collect();
        let beyond = (r.len() <= 2).then_some((d * 60.0 * c.minute_cost).round());
        inst.push_client(arcs, beyond, d);
    }
    inst
}
