//! The co-location MIP as a neutral linear model, built by small functions
//! that each return one expression or one family of rows. The same model is
//! handed to good_lp ([`super::solve`]) or printed ([`super::export`]).

use crate::instance::Fixing;

use super::instance::{Coverage, ServiceArc, ServiceInstance, ServiceObjective};

/// A sparse linear expression `Σ coef·var + constant`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LinExpr {
    /// (variable index, coefficient).
    pub terms: Vec<(usize, f64)>,
    /// Constant term.
    pub constant: f64,
}

impl LinExpr {
    fn add(&mut self, v: usize, c: f64) {
        if c != 0.0 {
            self.terms.push((v, c));
        }
    }
}

/// Sense of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowSense {
    /// `≤`
    Le,
    /// `≥`
    Ge,
    /// `=`
    Eq,
}

/// One row `expr (sense) rhs` (the expression's constant is folded into `rhs`).
#[derive(Clone, Debug, PartialEq)]
pub struct LinRow {
    /// Name in LP/MPS output (no spaces).
    pub name: String,
    /// Left-hand side (constant 0).
    pub expr: LinExpr,
    /// Sense.
    pub sense: RowSense,
    /// Right-hand side.
    pub rhs: f64,
}

/// One variable.
#[derive(Clone, Debug, PartialEq)]
pub struct VarDef {
    /// Name in LP/MPS output.
    pub name: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Integer (binary with bounds in {0, 1}).
    pub integer: bool,
}

/// Where each decision lives among the variables.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Layout {
    /// `y_j`.
    pub y: Vec<usize>,
    /// `h_jk`, per site, parallel to its `hosts`.
    pub h: Vec<Vec<usize>>,
    /// `g_j` (hub) for hub-capable sites in a district rule.
    pub g: Vec<Option<usize>>,
    /// `c_i` (covered) per model client, for optional clients when needed.
    pub c: Vec<Option<usize>>,
    /// `x_ia` per model client, per arc, when `MinTravel` is an objective, and
    /// for the clients with need of capacitated services (the assignment).
    pub x: Vec<Vec<usize>>,
    /// Per model client: a client with need of a capacitated service (its `x`
    /// is an assignment bounded by the capacities, not the nearest site).
    pub assigned: Vec<bool>,
}

/// A client after reductions: identical clients merged, clients implied covered dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelClient {
    /// Service.
    pub service: u32,
    /// Need (merged).
    pub need: f64,
    /// Arcs.
    pub arcs: Vec<ServiceArc>,
    /// Required or optional.
    pub coverage: Coverage,
    /// The instance clients merged into it.
    pub members: Vec<usize>,
    /// The need it takes from demand capacities ([`ServiceInstance::room`], merged).
    pub room: f64,
}

/// The linear model of one stage (minimisation).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LinModel {
    /// Variables.
    pub vars: Vec<VarDef>,
    /// Rows.
    pub rows: Vec<LinRow>,
    /// Objective (minimised), constant included.
    pub objective: LinExpr,
    /// Where the decisions are.
    pub layout: Layout,
    /// The clients the model was built on.
    pub clients: Vec<ModelClient>,
}

fn uses(inst: &ServiceInstance, o: ServiceObjective) -> bool {
    inst.objective == o || inst.then == Some(o)
}

/// Reduces the clients: merges clients of one service with the same sites
/// (unless `MinTravel` needs their minutes), and drops every client whose
/// sites include all the sites of a *required* client of the same service (it
/// is covered whenever that one is). Exact: the optimum and the value of
/// every objective except `MinTravel` (where it is not applied) are unchanged.
///
/// Capacitated services (demand capacity) are not dropped: each client takes
/// room. Under split assignment their clients with the same sites, the same
/// coverage and need > 0 are merged (a split of the merged client is a split
/// of each); under single assignment they are kept as they are.
///
/// Complexity: O(Σ_s m_s² · n/64) for m_s clients of service s.
pub fn reduce_clients(inst: &ServiceInstance) -> Vec<ModelClient> {
    let all: Vec<ModelClient> = inst
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| ModelClient {
            service: c.service,
            need: c.need,
            arcs: c.arcs.clone(),
            coverage: c.coverage,
            members: vec![i],
            room: inst.room(i),
        })
        .collect();
    if uses(inst, ServiceObjective::MinTravel) {
        return all;
    }
    let cap = inst.capacitated_services();
    let words = inst.sites.len().div_ceil(64).max(1);
    let bits = |c: &ModelClient| {
        let mut b = vec![0u64; words];
        for a in &c.arcs {
            b[a.site as usize / 64] |= 1 << (a.site % 64);
        }
        b
    };
    // Merge identical (service, site set); for a capacitated service also the
    // same coverage and need > 0 (never under single assignment: the
    // member's position breaks the tie so no two are equal).
    let class = |i: usize, c: &ModelClient| -> (u8, usize) {
        if !cap[c.service as usize] {
            (0, 0)
        } else if inst.single_assignment {
            (3, i)
        } else {
            (
                1 + u8::from(c.coverage == Coverage::Required),
                usize::from(c.need > 0.0),
            )
        }
    };
    type Key = (u32, Vec<u64>, (u8, usize));
    let mut keyed: Vec<(Key, ModelClient)> = all
        .into_iter()
        .enumerate()
        .map(|(i, c)| ((c.service, bits(&c), class(i, &c)), c))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut merged: Vec<(u32, Vec<u64>, ModelClient)> = Vec::with_capacity(keyed.len());
    let mut last: Option<Key> = None;
    for (key, c) in keyed {
        match merged.last_mut() {
            Some((_, _, lc)) if last.as_ref() == Some(&key) => {
                lc.need += c.need;
                lc.room += c.room;
                lc.members.extend(c.members);
                if c.coverage == Coverage::Required {
                    lc.coverage = Coverage::Required;
                }
            }
            _ => merged.push((key.0, key.1.clone(), c)),
        }
        last = Some(key);
    }
    // Drop clients implied by a required client of the same service with a subset of sites.
    let subset = |a: &[u64], b: &[u64]| a.iter().zip(b).all(|(x, y)| x & !y == 0);
    let mut keep = vec![true; merged.len()];
    let mut start = 0;
    while start < merged.len() {
        let s = merged[start].0;
        let end = start + merged[start..].iter().take_while(|m| m.0 == s).count();
        let req: Vec<usize> = (start..end)
            .filter(|&i| merged[i].2.coverage == Coverage::Required)
            .collect();
        for k in start..end {
            if cap[s as usize] {
                continue;
            }
            if req
                .iter()
                .any(|&i| i != k && keep[i] && subset(&merged[i].1, &merged[k].1))
            {
                keep[k] = false;
            }
        }
        start = end;
    }
    merged
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|((_, _, c), _)| c)
        .collect()
}

fn bounds(f: Fixing) -> (f64, f64) {
    match f {
        Fixing::Free => (0.0, 1.0),
        Fixing::Open => (1.0, 1.0),
        Fixing::Closed => (0.0, 0.0),
    }
}

impl LinModel {
    fn var(&mut self, name: String, lo: f64, hi: f64, integer: bool) -> usize {
        self.vars.push(VarDef { name, lo, hi, integer });
        self.vars.len() - 1
    }

    fn row(&mut self, name: String, expr: LinExpr, sense: RowSense, rhs: f64) {
        self.rows.push(LinRow { name, expr, sense, rhs });
    }
}

/// Declares `y`, `h`, `g`, `c`, `x` with their bounds.
fn declare(inst: &ServiceInstance, m: &mut LinModel) {
    let need_c_travel = uses(inst, ServiceObjective::MinTravel);
    let need_c = uses(inst, ServiceObjective::MaxCoverage) || need_c_travel;
    for (j, s) in inst.sites.iter().enumerate() {
        let (lo, hi) = bounds(s.fixing);
        let y = m.var(format!("y_{j}"), lo, hi, true);
        m.layout.y.push(y);
        let mut hs = Vec::with_capacity(s.hosts.len());
        for h in &s.hosts {
            let (mut lo, mut hi) = bounds(h.fixing);
            if s.fixing == Fixing::Closed {
                lo = 0.0;
                hi = 0.0;
            }
            hs.push(m.var(format!("h_{j}_{}", h.service), lo, hi.max(lo), true));
        }
        m.layout.h.push(hs);
    }
    let in_rule: Vec<bool> = {
        let mut v = vec![false; inst.sites.len()];
        for r in inst.district_rules.iter().filter(|r| r.min_hubs > 0) {
            for &j in &r.sites {
                v[j as usize] = true;
            }
        }
        v
    };
    for (j, &in_r) in in_rule.iter().enumerate() {
        let g = (in_r && inst.hub_capable(j)).then(|| m.var(format!("g_{j}"), 0.0, 1.0, true));
        m.layout.g.push(g);
    }
    let cap = inst.capacitated_services();
    for i in 0..m.clients.len() {
        let optional = m.clients[i].coverage == Coverage::Optional;
        let assigned = cap[m.clients[i].service as usize] && m.clients[i].room > 0.0;
        m.layout.assigned.push(assigned);
        let c = (need_c && optional).then(|| m.var(format!("c_{i}"), 0.0, 1.0, false));
        m.layout.c.push(c);
        let integral = assigned && inst.single_assignment;
        let xs = if need_c_travel || assigned {
            (0..m.clients[i].arcs.len())
                .map(|k| m.var(format!("x_{i}_{k}"), 0.0, 1.0, integral))
                .collect()
        } else {
            Vec::new()
        };
        m.layout.x.push(xs);
    }
}

/// `Σ_j (annual_cost_j + open_cost_j) y_j + Σ_jk conversion_cost_jk h_jk`.
pub fn cost_expr(inst: &ServiceInstance, l: &Layout) -> LinExpr {
    let mut e = LinExpr::default();
    for (j, s) in inst.sites.iter().enumerate() {
        e.add(l.y[j], s.annual_cost + s.open_cost);
        for (k, h) in s.hosts.iter().enumerate() {
            e.add(l.h[j][k], h.conversion_cost);
        }
    }
    e
}

/// `Σ_j annual_cost_j y_j`.
pub fn annual_expr(inst: &ServiceInstance, l: &Layout) -> LinExpr {
    let mut e = LinExpr::default();
    for (j, s) in inst.sites.iter().enumerate() {
        e.add(l.y[j], s.annual_cost);
    }
    e
}

/// `Σ_j open_cost_j y_j + Σ_jk conversion_cost_jk h_jk`.
pub fn capital_expr(inst: &ServiceInstance, l: &Layout) -> LinExpr {
    let mut e = LinExpr::default();
    for (j, s) in inst.sites.iter().enumerate() {
        e.add(l.y[j], s.open_cost);
        for (k, h) in s.hosts.iter().enumerate() {
            e.add(l.h[j][k], h.conversion_cost);
        }
    }
    e
}

/// Uncovered need `Σ_{i optional} need_i (1 − c_i)` (required clients are always covered).
pub fn uncovered_expr(clients: &[ModelClient], l: &Layout) -> LinExpr {
    let mut e = LinExpr::default();
    for (i, c) in clients.iter().enumerate() {
        if let Some(v) = l.c[i] {
            e.constant += c.need;
            e.add(v, -c.need);
        }
    }
    e
}

/// Travel `Σ_i Σ_a need_i · minutes_a · x_ia`.
pub fn travel_expr(clients: &[ModelClient], l: &Layout) -> LinExpr {
    let mut e = LinExpr::default();
    for (i, c) in clients.iter().enumerate() {
        for (k, a) in c.arcs.iter().enumerate() {
            if let Some(&x) = l.x[i].get(k) {
                e.add(x, c.need * a.minutes);
            }
        }
    }
    e
}

/// The expression of objective `o` (minimisation sense).
pub fn objective_expr(inst: &ServiceInstance, clients: &[ModelClient], l: &Layout, o: ServiceObjective) -> LinExpr {
    match o {
        ServiceObjective::MinCost => cost_expr(inst, l),
        ServiceObjective::MaxCoverage => uncovered_expr(clients, l),
        ServiceObjective::MinTravel => travel_expr(clients, l),
    }
}

/// `h_jk ≤ y_j` and capacity `Σ_k space_k h_jk − cap_j y_j ≤ 0`.
fn site_rows(inst: &ServiceInstance, m: &mut LinModel) {
    for (j, s) in inst.sites.iter().enumerate() {
        let y = m.layout.y[j];
        for (k, h) in s.hosts.iter().enumerate() {
            let e = LinExpr {
                terms: vec![(m.layout.h[j][k], 1.0), (y, -1.0)],
                constant: 0.0,
            };
            m.row(format!("link_{j}_{}", h.service), e, RowSense::Le, 0.0);
        }
        if let Some(cap) = s.capacity {
            let mut e = LinExpr::default();
            for (k, h) in s.hosts.iter().enumerate() {
                e.add(m.layout.h[j][k], h.space);
            }
            if !e.terms.is_empty() {
                e.add(y, -cap);
                m.row(format!("cap_{j}"), e, RowSense::Le, 0.0);
            }
        }
    }
}

/// Budgets, savings target and site count.
fn limit_rows(inst: &ServiceInstance, m: &mut LinModel) {
    if let Some(b) = inst.annual_ceiling() {
        let e = annual_expr(inst, &m.layout);
        m.row("annual".into(), e, RowSense::Le, b);
    }
    if let Some(b) = inst.capital_budget {
        let e = capital_expr(inst, &m.layout);
        m.row("capital".into(), e, RowSense::Le, b);
    }
    if let Some(c) = inst.cardinality {
        let e = LinExpr {
            terms: m.layout.y.iter().map(|&y| (y, 1.0)).collect(),
            constant: 0.0,
        };
        m.row("sites_min".into(), e.clone(), RowSense::Ge, c.min as f64);
        m.row("sites_max".into(), e, RowSense::Le, c.max as f64);
    }
}

/// `g_j ≤ h_js` for every hub service, and `Σ_{j ∈ d} g_j ≥ k_d`.
fn hub_rows(inst: &ServiceInstance, m: &mut LinModel) {
    for j in 0..inst.sites.len() {
        let Some(g) = m.layout.g[j] else { continue };
        for &s in &inst.hub_services {
            if let Some(k) = inst.host_pos(j, s) {
                let e = LinExpr {
                    terms: vec![(g, 1.0), (m.layout.h[j][k], -1.0)],
                    constant: 0.0,
                };
                m.row(format!("hub_{j}_{s}"), e, RowSense::Le, 0.0);
            }
        }
    }
    for (d, r) in inst.district_rules.iter().enumerate() {
        if r.min_hubs == 0 {
            continue;
        }
        let mut e = LinExpr::default();
        for &j in &r.sites {
            if let Some(g) = m.layout.g[j as usize] {
                e.add(g, 1.0);
            }
        }
        m.row(format!("hubs_{d}"), e, RowSense::Ge, r.min_hubs as f64);
    }
}

/// Covering and assignment rows of every client.
fn client_rows(inst: &ServiceInstance, m: &mut LinModel) {
    for i in 0..m.clients.len() {
        let c = &m.clients[i];
        let hs: Vec<usize> = c
            .arcs
            .iter()
            .filter_map(|a| {
                inst.host_pos(a.site as usize, c.service)
                    .map(|k| m.layout.h[a.site as usize][k])
            })
            .collect();
        let xs = m.layout.x[i].clone();
        let cv = m.layout.c[i];
        if m.layout.assigned[i] {
            assigned_rows(m, i, &hs, &xs, cv);
            continue;
        }
        if xs.is_empty() {
            let mut e = LinExpr {
                terms: hs.iter().map(|&h| (h, 1.0)).collect(),
                constant: 0.0,
            };
            match cv {
                Some(v) => {
                    e.add(v, -1.0);
                    m.row(format!("cover_{i}"), e, RowSense::Ge, 0.0);
                }
                None if c.coverage == Coverage::Required => m.row(format!("cover_{i}"), e, RowSense::Ge, 1.0),
                None => {}
            }
            continue;
        }
        // Assignment: Σ_a x_ia = 1 (required) or = c_i, x_ia ≤ h, and c_i ≥ h (a covered client is assigned).
        let mut e = LinExpr {
            terms: xs.iter().map(|&x| (x, 1.0)).collect(),
            constant: 0.0,
        };
        match cv {
            Some(v) => {
                e.add(v, -1.0);
                m.row(format!("assign_{i}"), e, RowSense::Eq, 0.0);
                for (k, &h) in hs.iter().enumerate() {
                    let e = LinExpr {
                        terms: vec![(v, 1.0), (h, -1.0)],
                        constant: 0.0,
                    };
                    m.row(format!("served_{i}_{k}"), e, RowSense::Ge, 0.0);
                }
            }
            None => m.row(format!("assign_{i}"), e, RowSense::Eq, 1.0),
        }
        for (k, (&x, &h)) in xs.iter().zip(&hs).enumerate() {
            let e = LinExpr {
                terms: vec![(x, 1.0), (h, -1.0)],
                constant: 0.0,
            };
            m.row(format!("open_{i}_{k}"), e, RowSense::Le, 0.0);
        }
    }
}

/// The assignment of a client of a capacitated service: `Σ_a x_ia = 1`
/// (required), `= c_i` (optional, covered share), or `≤ 1` (optional without a
/// coverage variable); `x_ia ≤ h_{j(a) s}`.
fn assigned_rows(m: &mut LinModel, i: usize, hs: &[usize], xs: &[usize], cv: Option<usize>) {
    let mut e = LinExpr {
        terms: xs.iter().map(|&x| (x, 1.0)).collect(),
        constant: 0.0,
    };
    match (cv, m.clients[i].coverage) {
        (Some(v), _) => {
            e.add(v, -1.0);
            m.row(format!("assign_{i}"), e, RowSense::Eq, 0.0);
        }
        (None, Coverage::Required) => m.row(format!("assign_{i}"), e, RowSense::Eq, 1.0),
        (None, Coverage::Optional) => m.row(format!("assign_{i}"), e, RowSense::Le, 1.0),
    }
    for (k, (&x, &h)) in xs.iter().zip(hs).enumerate() {
        let e = LinExpr {
            terms: vec![(x, 1.0), (h, -1.0)],
            constant: 0.0,
        };
        m.row(format!("open_{i}_{k}"), e, RowSense::Le, 0.0);
    }
}

/// Demand capacity `Σ_i need_i x_ij − max_users_js h_js ≤ 0` for every
/// (site, service) with a `max_users`, over the assigned clients.
fn demand_capacity_rows(inst: &ServiceInstance, m: &mut LinModel) {
    let mut load: Vec<Vec<LinExpr>> = inst
        .sites
        .iter()
        .map(|s| vec![LinExpr::default(); s.hosts.len()])
        .collect();
    for (i, c) in m.clients.iter().enumerate() {
        if !m.layout.assigned[i] {
            continue;
        }
        for (a, &x) in c.arcs.iter().zip(&m.layout.x[i]) {
            if let Some(k) = inst.host_pos(a.site as usize, c.service) {
                load[a.site as usize][k].add(x, c.room);
            }
        }
    }
    for (j, s) in inst.sites.iter().enumerate() {
        for (k, h) in s.hosts.iter().enumerate() {
            let Some(q) = h.max_users else { continue };
            let mut e = std::mem::take(&mut load[j][k]);
            if e.terms.is_empty() {
                continue;
            }
            e.add(m.layout.h[j][k], -q);
            m.row(format!("users_{j}_{}", h.service), e, RowSense::Le, 0.0);
        }
    }
}

/// Builds the model of one stage: every rule of `inst`, the objective `stage`,
/// and, for a lexicographic second stage, the row `first ≤ cap` keeping the
/// first objective at its optimum.
///
/// Complexity: O(sites·services + arcs) rows and non-zeros (plus O(arcs)
/// assignment variables when `MinTravel` is an objective, and for the clients
/// of capacitated services).
pub fn build(inst: &ServiceInstance, stage: ServiceObjective, keep_first: Option<(ServiceObjective, f64)>) -> LinModel {
    let mut m = LinModel {
        clients: reduce_clients(inst),
        ..LinModel::default()
    };
    declare(inst, &mut m);
    site_rows(inst, &mut m);
    limit_rows(inst, &mut m);
    hub_rows(inst, &mut m);
    client_rows(inst, &mut m);
    demand_capacity_rows(inst, &mut m);
    if let Some((first, cap)) = keep_first {
        let mut e = objective_expr(inst, &m.clients, &m.layout, first);
        let rhs = cap - e.constant;
        e.constant = 0.0;
        m.row(format!("keep_{}", first.name()), e, RowSense::Le, rhs);
    }
    m.objective = objective_expr(inst, &m.clients, &m.layout, stage);
    m
}
