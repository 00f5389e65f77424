//! The data of a multi-service co-location instance, its validation, and an
//! evaluator of a given (open, host) decision.

use thiserror::Error;

use crate::instance::{Cardinality, Fixing};

/// One way a site may host a service.
#[derive(Clone, Debug, PartialEq)]
pub struct HostOption {
    /// The service (dense index, `0..n_services`).
    pub service: u32,
    /// One-off cost of hosting it here (0 when the site hosts it today), GBP.
    pub conversion_cost: f64,
    /// Space it takes in the site (same unit as [`ServiceSite::capacity`]).
    pub space: f64,
    /// Forced to host (`Open`), forced not to host (`Closed`), or free.
    pub fixing: Fixing,
    /// Demand capacity: the most need (users, in the unit of the service's
    /// need) this site can serve for this service; `None` = unlimited. A
    /// service with a capacity at some site is planned with an assignment of
    /// its clients (docs/MODEL.md §2, demand capacity).
    pub max_users: Option<f64>,
}

/// One site of a [`ServiceInstance`].
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSite {
    /// Running cost while open, GBP a year (counted by the annual budget, the
    /// savings target and `MinCost`).
    pub annual_cost: f64,
    /// One-off cost of opening it (0 for a building in use today), GBP
    /// (counted by the capital budget and `MinCost`).
    pub open_cost: f64,
    /// Usable space; `None` = unlimited.
    pub capacity: Option<f64>,
    /// The services it may host, sorted by service, no duplicates.
    pub hosts: Vec<HostOption>,
    /// Forced open, forced closed, or free.
    pub fixing: Fixing,
}

/// Whether a client must be covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Coverage {
    /// Must be covered in every feasible solution (the access rule, or the equity rule).
    Required,
    /// May be left uncovered (only meaningful when the primary objective is `MaxCoverage`).
    #[default]
    Optional,
}

/// One arc: the client may use `site` (which must list the client's service
/// in its `hosts`) at `minutes`, within that service's access limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServiceArc {
    /// The site (dense index).
    pub site: u32,
    /// Travel minutes (≥ 0), used by `MinTravel`.
    pub minutes: f64,
}

/// A (zone, service) pair with need: it is covered when some open site on one
/// of its arcs hosts its service.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceClient {
    /// The service it needs.
    pub service: u32,
    /// Its need (≥ 0), the weight of `MaxCoverage` and `MinTravel`.
    pub need: f64,
    /// Sites within the service's limit, sorted by site, no duplicates.
    pub arcs: Vec<ServiceArc>,
    /// Required (access or equity rule) or optional.
    pub coverage: Coverage,
}

/// At least `min_hubs` of `sites` must be open family hubs (hosting every
/// service of [`ServiceInstance::hub_services`]).
#[derive(Clone, Debug, PartialEq)]
pub struct DistrictRule {
    /// A label for messages (the district's name).
    pub name: String,
    /// The district's sites (dense indices).
    pub sites: Vec<u32>,
    /// Least number of open hubs among them.
    pub min_hubs: u32,
}

/// A required annual saving against a baseline running cost:
/// `baseline − Σ annual_cost_j y_j ≥ target`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SavingsTarget {
    /// Today's annual running cost.
    pub baseline: f64,
    /// The saving required, GBP a year.
    pub target: f64,
}

/// One objective of a co-location instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceObjective {
    /// Minimise `Σ (annual_cost_j + open_cost_j) y_j + Σ conversion_cost_js h_js`.
    MinCost,
    /// Maximise the covered need `Σ need_i c_i` (solved as minimising the uncovered need).
    MaxCoverage,
    /// Minimise `Σ need_i × minutes` from each covered client to the nearest hosting site.
    MinTravel,
}

impl ServiceObjective {
    /// The name used in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            ServiceObjective::MinCost => "min_cost",
            ServiceObjective::MaxCoverage => "max_coverage",
            ServiceObjective::MinTravel => "min_travel",
        }
    }
}

/// Default relative tolerance by which a lexicographic second stage may give
/// up the first stage's optimum: `|v1| · 1e-9 + 1e-6` (absolute, in the first
/// objective's unit).
pub const DEFAULT_LEX_TOLERANCE: f64 = 1e-9;

/// A multi-service co-location instance.
///
/// Decisions: `y_j` (site open), `h_js` (site hosts service), `g_j` (site is a
/// family hub). See `docs/MODEL.md` §2 for the full formulation.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceInstance {
    /// Number of services.
    pub n_services: usize,
    /// The sites.
    pub sites: Vec<ServiceSite>,
    /// The (zone, service) clients.
    pub clients: Vec<ServiceClient>,
    /// Maximum `Σ annual_cost_j y_j`.
    pub annual_budget: Option<f64>,
    /// Maximum `Σ open_cost_j y_j + Σ conversion_cost_js h_js` (one-off spend).
    pub capital_budget: Option<f64>,
    /// Required annual saving.
    pub savings_target: Option<SavingsTarget>,
    /// Bounds on the number of open sites.
    pub cardinality: Option<Cardinality>,
    /// The services a family hub hosts (empty: no hub rule).
    pub hub_services: Vec<u32>,
    /// Least number of hubs per district.
    pub district_rules: Vec<DistrictRule>,
    /// The objective solved first.
    pub objective: ServiceObjective,
    /// An optional second objective, optimised with the first held at its optimum.
    pub then: Option<ServiceObjective>,
    /// Relative tolerance of the lexicographic stage: the first objective may
    /// worsen by at most `tol·|v1| + 1e-6`. Default [`DEFAULT_LEX_TOLERANCE`].
    pub lex_tolerance: f64,
    /// Under demand capacity, each client of a capacitated service goes to
    /// one site (`true`) or may be split between sites (`false`, the default).
    pub single_assignment: bool,
    /// Per client, the need it takes from demand capacities when that differs
    /// from its `need` (the objective weight): a required pair beyond the limit
    /// today has weight 0 but its families still take room. Empty (the default),
    /// or shorter than `clients`: `need`.
    pub client_room: Vec<f64>,
}

/// Why a [`ServiceInstance`] is malformed (a bug in the caller, who validates input first),
/// or why a back end failed.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServiceError {
    /// An index is out of range, a list unsorted or duplicated.
    #[error("bad index: {0}")]
    Index(String),
    /// A number is negative, NaN or infinite.
    #[error("bad number: {0}")]
    Number(String),
    /// The back end is not compiled in, or failed for a reason other than
    /// infeasibility or the time limit.
    #[error("back end: {0}")]
    Backend(String),
}

/// A decision: which sites are open and which services each hosts.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Decision {
    /// Per site, open.
    pub open: Vec<bool>,
    /// Per site, per entry of its `hosts`, hosted.
    pub host: Vec<Vec<bool>>,
}

/// What [`ServiceInstance::evaluate`] recomputes for a decision.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Values {
    /// `Σ annual_cost_j y_j`.
    pub annual_cost: f64,
    /// `Σ open_cost_j y_j + Σ conversion_cost_js h_js`.
    pub capital_cost: f64,
    /// Σ need of covered clients.
    pub covered_need: f64,
    /// Σ need of all clients.
    pub total_need: f64,
    /// Σ need × minutes to the nearest hosting site on an arc, over covered clients.
    pub travel: f64,
    /// Open sites.
    pub open_sites: usize,
}

impl Values {
    /// The value of `obj` in minimisation sense (`MaxCoverage`: uncovered need).
    pub fn min_sense(&self, obj: ServiceObjective) -> f64 {
        match obj {
            ServiceObjective::MinCost => self.annual_cost + self.capital_cost,
            ServiceObjective::MaxCoverage => self.total_need - self.covered_need,
            ServiceObjective::MinTravel => self.travel,
        }
    }
}

impl ServiceInstance {
    /// An instance with `n_services` services and no sites, clients or limits, minimising cost.
    pub fn new(n_services: usize) -> Self {
        ServiceInstance {
            n_services,
            sites: Vec::new(),
            clients: Vec::new(),
            annual_budget: None,
            capital_budget: None,
            savings_target: None,
            cardinality: None,
            hub_services: Vec::new(),
            district_rules: Vec::new(),
            objective: ServiceObjective::MinCost,
            then: None,
            lex_tolerance: DEFAULT_LEX_TOLERANCE,
            single_assignment: false,
            client_room: Vec::new(),
        }
    }

    /// The need client `i` takes from demand capacities ([`ServiceInstance::client_room`]).
    pub fn room(&self, i: usize) -> f64 {
        self.client_room
            .get(i)
            .copied()
            .unwrap_or_else(|| self.clients.get(i).map_or(0.0, |c| c.need))
    }

    /// Whether some site has a demand capacity ([`HostOption::max_users`]) for `service`:
    /// its clients are then assigned to sites (and the capacities hold).
    pub fn capacitated(&self, service: u32) -> bool {
        self.sites
            .iter()
            .any(|s| s.hosts.iter().any(|h| h.service == service && h.max_users.is_some()))
    }

    /// Per service, [`ServiceInstance::capacitated`].
    pub fn capacitated_services(&self) -> Vec<bool> {
        let mut v = vec![false; self.n_services];
        for s in &self.sites {
            for h in &s.hosts {
                if h.max_users.is_some() {
                    if let Some(x) = v.get_mut(h.service as usize) {
                        *x = true;
                    }
                }
            }
        }
        v
    }

    /// The position of `service` in site `j`'s `hosts`, if it may host it.
    pub fn host_pos(&self, j: usize, service: u32) -> Option<usize> {
        self.sites
            .get(j)?
            .hosts
            .binary_search_by_key(&service, |h| h.service)
            .ok()
    }

    /// Whether site `j` may host every hub service (and they fit in its capacity).
    pub fn hub_capable(&self, j: usize) -> bool {
        if self.hub_services.is_empty() {
            return false;
        }
        let mut space = 0.0;
        for &s in &self.hub_services {
            match self.host_pos(j, s) {
                Some(p) if self.sites[j].hosts[p].fixing != Fixing::Closed => space += self.sites[j].hosts[p].space,
                _ => return false,
            }
        }
        self.sites[j].capacity.is_none_or(|c| space <= c + 1e-9)
    }

    /// Checks indices, orderings and numbers.
    ///
    /// # Errors
    /// [`ServiceError::Index`] or [`ServiceError::Number`] naming the offending item.
    pub fn validate(&self) -> Result<(), ServiceError> {
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        let n = self.sites.len();
        for (j, s) in self.sites.iter().enumerate() {
            if !ok(s.annual_cost) || !ok(s.open_cost) || s.capacity.is_some_and(|c| !ok(c)) {
                return Err(ServiceError::Number(format!("site {j} has a bad cost or capacity")));
            }
            for (k, h) in s.hosts.iter().enumerate() {
                if h.service as usize >= self.n_services {
                    return Err(ServiceError::Index(format!(
                        "site {j} hosts service {} of {}",
                        h.service, self.n_services
                    )));
                }
                if k > 0 && s.hosts[k - 1].service >= h.service {
                    return Err(ServiceError::Index(format!(
                        "site {j}'s hosts are unsorted or duplicated"
                    )));
                }
                if !ok(h.conversion_cost) || !ok(h.space) || h.max_users.is_some_and(|q| !ok(q)) {
                    return Err(ServiceError::Number(format!(
                        "site {j} service {} has a bad cost, space or max_users",
                        h.service
                    )));
                }
            }
        }
        for (i, c) in self.clients.iter().enumerate() {
            if c.service as usize >= self.n_services {
                return Err(ServiceError::Index(format!("client {i} needs service {}", c.service)));
            }
            if !ok(c.need) {
                return Err(ServiceError::Number(format!("client {i} has a bad need")));
            }
            for (k, a) in c.arcs.iter().enumerate() {
                if a.site as usize >= n || self.host_pos(a.site as usize, c.service).is_none() {
                    return Err(ServiceError::Index(format!(
                        "client {i} names site {} which cannot host service {}",
                        a.site, c.service
                    )));
                }
                if k > 0 && c.arcs[k - 1].site >= a.site {
                    return Err(ServiceError::Index(format!(
                        "client {i}'s arcs are unsorted or duplicated"
                    )));
                }
                if !ok(a.minutes) {
                    return Err(ServiceError::Number(format!("client {i} has bad minutes")));
                }
            }
        }
        if self.client_room.iter().any(|&r| !ok(r)) {
            return Err(ServiceError::Number("a client's room is negative or not finite".into()));
        }
        for b in [self.annual_budget, self.capital_budget].into_iter().flatten() {
            if !b.is_finite() {
                return Err(ServiceError::Number("a budget is not finite".into()));
            }
        }
        if let Some(t) = self.savings_target {
            if !t.baseline.is_finite() || !t.target.is_finite() {
                return Err(ServiceError::Number("the savings target is not finite".into()));
            }
        }
        for &s in &self.hub_services {
            if s as usize >= self.n_services {
                return Err(ServiceError::Index(format!("hub service {s} of {}", self.n_services)));
            }
        }
        for d in &self.district_rules {
            if d.sites.iter().any(|&j| j as usize >= n) {
                return Err(ServiceError::Index(format!(
                    "district {} names a site out of range",
                    d.name
                )));
            }
            if d.min_hubs > 0 && self.hub_services.is_empty() {
                return Err(ServiceError::Index(format!(
                    "district {} asks for hubs but no hub services are set",
                    d.name
                )));
            }
        }
        if !(self.lex_tolerance.is_finite() && self.lex_tolerance >= 0.0) {
            return Err(ServiceError::Number("lex_tolerance must be ≥ 0".into()));
        }
        Ok(())
    }

    /// The annual-cost ceiling implied by the annual budget and the savings target, if any.
    pub fn annual_ceiling(&self) -> Option<f64> {
        let t = self.savings_target.map(|t| t.baseline - t.target);
        match (self.annual_budget, t) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Recomputes costs, coverage and travel of a decision (no feasibility check).
    ///
    /// A client is covered when an open site on one of its arcs hosts its service.
    ///
    /// Complexity: O(sites·services + arcs).
    pub fn evaluate(&self, d: &Decision) -> Values {
        let mut v = self.site_values(d);
        for c in &self.clients {
            v.total_need += c.need;
            let best = c
                .arcs
                .iter()
                .filter(|a| self.hosts(d, a.site as usize, c.service))
                .map(|a| a.minutes)
                .fold(f64::INFINITY, f64::min);
            if best.is_finite() {
                v.covered_need += c.need;
                v.travel += c.need * best;
            }
        }
        v
    }

    /// The site part of [`ServiceInstance::evaluate`]: costs and open sites
    /// (coverage, need and travel left at 0). O(sites·services).
    fn site_values(&self, d: &Decision) -> Values {
        let mut v = Values::default();
        for (j, s) in self.sites.iter().enumerate() {
            if !d.open.get(j).copied().unwrap_or(false) {
                continue;
            }
            v.open_sites += 1;
            v.annual_cost += s.annual_cost;
            v.capital_cost += s.open_cost;
            for (k, h) in s.hosts.iter().enumerate() {
                if d.host.get(j).and_then(|r| r.get(k)).copied().unwrap_or(false) {
                    v.capital_cost += h.conversion_cost;
                }
            }
        }
        v
    }

    /// Whether, under `d`, site `j` is open and hosts `service`.
    pub fn hosts(&self, d: &Decision, j: usize, service: u32) -> bool {
        d.open.get(j).copied().unwrap_or(false)
            && self
                .host_pos(j, service)
                .is_some_and(|k| d.host.get(j).and_then(|r| r.get(k)).copied().unwrap_or(false))
    }

    /// Whether, under `d`, site `j` is an open family hub.
    pub fn is_hub(&self, d: &Decision, j: usize) -> bool {
        !self.hub_services.is_empty() && self.hub_services.iter().all(|&s| self.hosts(d, j, s))
    }

    /// Every hard rule `d` breaks, as short sentences with dense indices. Empty means feasible.
    ///
    /// Complexity: O(sites·services + arcs).
    pub fn violations(&self, d: &Decision) -> Vec<String> {
        let mut out = Vec::new();
        if d.open.len() != self.sites.len() || d.host.len() != self.sites.len() {
            out.push("decision has the wrong number of sites".into());
            return out;
        }
        let tol = |x: f64| 1e-9 * x.abs().max(1.0);
        for (j, s) in self.sites.iter().enumerate() {
            if d.host[j].len() != s.hosts.len() {
                out.push(format!("site {j}: wrong number of host flags"));
                continue;
            }
            match (s.fixing, d.open[j]) {
                (Fixing::Open, false) => out.push(format!("site {j} forced open is closed")),
                (Fixing::Closed, true) => out.push(format!("site {j} forced closed is open")),
                _ => {}
            }
            let mut space = 0.0;
            for (k, h) in s.hosts.iter().enumerate() {
                let on = d.open[j] && d.host[j][k];
                match (h.fixing, on) {
                    (Fixing::Open, false) => out.push(format!("site {j} must host service {}", h.service)),
                    (Fixing::Closed, true) => out.push(format!("site {j} must not host service {}", h.service)),
                    _ => {}
                }
                if on {
                    space += h.space;
                }
            }
            if let Some(c) = s.capacity {
                if space > c + tol(c) {
                    out.push(format!("site {j} uses space {space} of capacity {c}"));
                }
            }
        }
        let v = self.site_values(d);
        if let Some(b) = self.annual_ceiling() {
            if v.annual_cost > b + tol(b) {
                out.push(format!("annual cost {} exceeds the ceiling {b}", v.annual_cost));
            }
        }
        if let Some(b) = self.capital_budget {
            if v.capital_cost > b + tol(b) {
                out.push(format!(
                    "one-off cost {} exceeds the capital budget {b}",
                    v.capital_cost
                ));
            }
        }
        if let Some(c) = self.cardinality {
            if v.open_sites < c.min as usize || v.open_sites > c.max as usize {
                out.push(format!("{} sites open, outside [{}, {}]", v.open_sites, c.min, c.max));
            }
        }
        for r in &self.district_rules {
            let hubs = r.sites.iter().filter(|&&j| self.is_hub(d, j as usize)).count();
            if hubs < r.min_hubs as usize {
                out.push(format!("district {} has {hubs} hubs, needs {}", r.name, r.min_hubs));
            }
        }
        for (i, c) in self.clients.iter().enumerate() {
            if c.coverage == Coverage::Required && !c.arcs.iter().any(|a| self.hosts(d, a.site as usize, c.service)) {
                out.push(format!("client {i} (service {}) is not covered", c.service));
            }
        }
        out
    }
}
