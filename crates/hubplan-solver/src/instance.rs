//! The problem data: sites, clients, arcs and side constraints.

use thiserror::Error;

/// One arc: client `i` may be served by `site` at `cost`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arc {
    /// The site (dense index, `0..n_sites`).
    pub site: u32,
    /// The cost of serving the whole client from that site (≥ 0, finite).
    pub cost: f64,
}

/// What the caller forces on a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Fixing {
    /// The solver decides.
    #[default]
    Free,
    /// Must be open.
    Open,
    /// Must be closed.
    Closed,
}

/// A constraint on the number of open sites.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cardinality {
    /// At least this many open sites.
    pub min: u32,
    /// At most this many open sites.
    pub max: u32,
}

/// A facility-location instance in the one form every hubplan objective maps to.
///
/// Minimise `Σ_j fixed_cost[j]·y_j + Σ_i Σ_{a ∈ arcs(i)} a.cost·x_ia + Σ_i unserved_cost[i]·u_i`
/// subject to
/// - `Σ_a x_ia + u_i = 1` for every client `i` (`u_i = 0` when `unserved_cost[i]` is `None`);
/// - `x_ia ≤ y_{a.site}`;
/// - `Σ_j budget_cost[j]·y_j ≤ budget` when a budget is given;
/// - `min ≤ Σ_j y_j ≤ max` when a cardinality is given;
/// - `y_j` fixed as `fixing[j]` says;
/// - `Σ_i demand[i]·x_ij ≤ capacity[j]·y_j` for sites with a capacity (splittable
///   assignment: a client may then be split over several sites).
///
/// Without capacities an optimal solution assigns every client to its cheapest
/// open arc, so `x` is integral.
#[derive(Clone, Debug, Default)]
pub struct Instance {
    /// Objective cost of opening each site (≥ 0).
    pub fixed_cost: Vec<f64>,
    /// Weight of each site in the budget constraint (≥ 0).
    pub budget_cost: Vec<f64>,
    /// The budget, if any.
    pub budget: Option<f64>,
    /// Bounds on the number of open sites, if any.
    pub cardinality: Option<Cardinality>,
    /// Per-site fixings.
    pub fixing: Vec<Fixing>,
    /// Capacity of each site, `None` for uncapacitated.
    pub capacity: Vec<Option<f64>>,
    /// CSR offsets into `arcs`: client `i` owns `arcs[arc_start[i]..arc_start[i+1]]`.
    pub arc_start: Vec<u32>,
    /// All arcs, grouped by client, each group sorted by site with no duplicates.
    pub arcs: Vec<Arc>,
    /// Per-client cost of being left unserved; `None` means the client must be served.
    pub unserved_cost: Vec<Option<f64>>,
    /// Per-client demand, used only by capacities.
    pub demand: Vec<f64>,
}

/// Why an [`Instance`] is malformed. These are programming errors of the
/// caller (the core validates user input before building an instance).
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum InstanceError {
    /// Vectors that must have one entry per site or per client disagree.
    #[error("inconsistent lengths: {0}")]
    Length(String),
    /// A number is negative, NaN or infinite.
    #[error("bad number: {0}")]
    Number(String),
    /// An arc names a site out of range, or a client's arcs are unsorted or duplicated.
    #[error("bad arc: {0}")]
    Arc(String),
    /// A MIP back end is not compiled in, or failed for a reason other than
    /// infeasibility or the time limit (see [`crate::mip::solve_mip`]).
    #[error("MIP back end: {0}")]
    Backend(String),
    /// A [`crate::WarmState`] given to [`crate::solve_warm`] was made for
    /// another instance (it differs in more than its fixings).
    #[error("warm state: {0}")]
    WarmState(String),
}

impl Instance {
    /// Number of sites.
    pub fn n_sites(&self) -> usize {
        self.fixed_cost.len()
    }

    /// Number of clients.
    pub fn n_clients(&self) -> usize {
        self.arc_start.len().saturating_sub(1)
    }

    /// The arcs of client `i`.
    pub fn arcs_of(&self, i: usize) -> &[Arc] {
        &self.arcs[self.arc_start[i] as usize..self.arc_start[i + 1] as usize]
    }

    /// An empty instance over `n_sites` free, uncapacitated sites with zero costs;
    /// add clients with [`Instance::push_client`].
    pub fn with_sites(n_sites: usize) -> Self {
        Instance {
            fixed_cost: vec![0.0; n_sites],
            budget_cost: vec![0.0; n_sites],
            budget: None,
            cardinality: None,
            fixing: vec![Fixing::Free; n_sites],
            capacity: vec![None; n_sites],
            arc_start: vec![0],
            arcs: Vec::new(),
            unserved_cost: Vec::new(),
            demand: Vec::new(),
        }
    }

    /// Appends a client. `arcs` is sorted by site here.
    pub fn push_client(&mut self, mut arcs: Vec<Arc>, unserved_cost: Option<f64>, demand: f64) {
        arcs.sort_by_key(|a| a.site);
        self.arcs.extend(arcs);
        self.arc_start.push(self.arcs.len() as u32);
        self.unserved_cost.push(unserved_cost);
        self.demand.push(demand);
    }

    /// Checks lengths, numbers and arcs.
    pub fn validate(&self) -> Result<(), InstanceError> {
        let n = self.n_sites();
        if self.budget_cost.len() != n || self.fixing.len() != n || self.capacity.len() != n {
            return Err(InstanceError::Length(format!(
                "{n} fixed costs but {} budget costs, {} fixings, {} capacities",
                self.budget_cost.len(),
                self.fixing.len(),
                self.capacity.len()
            )));
        }
        let m = self.n_clients();
        if self.unserved_cost.len() != m || self.demand.len() != m {
            return Err(InstanceError::Length(format!(
                "{m} clients but {} unserved costs and {} demands",
                self.unserved_cost.len(),
                self.demand.len()
            )));
        }
        if self.arc_start.first() != Some(&0)
            || self.arc_start.last().map(|&e| e as usize) != Some(self.arcs.len())
            || self.arc_start.windows(2).any(|w| w[0] > w[1])
        {
            return Err(InstanceError::Length(
                "arc_start is not a valid CSR offset array".into(),
            ));
        }
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        for j in 0..n {
            if !ok(self.fixed_cost[j]) || !ok(self.budget_cost[j]) {
                return Err(InstanceError::Number(format!("site {j} has a bad cost")));
            }
            if let Some(c) = self.capacity[j] {
                if !ok(c) {
                    return Err(InstanceError::Number(format!("site {j} has a bad capacity")));
                }
            }
        }
        if let Some(b) = self.budget {
            if !b.is_finite() {
                return Err(InstanceError::Number("budget is not finite".into()));
            }
        }
        for i in 0..m {
            if !ok(self.demand[i]) {
                return Err(InstanceError::Number(format!("client {i} has a bad demand")));
            }
            if let Some(u) = self.unserved_cost[i] {
                if !ok(u) {
                    return Err(InstanceError::Number(format!("client {i} has a bad unserved cost")));
                }
            }
            let arcs = self.arcs_of(i);
            for (k, a) in arcs.iter().enumerate() {
                if a.site as usize >= n {
                    return Err(InstanceError::Arc(format!("client {i} names site {} of {n}", a.site)));
                }
                if !ok(a.cost) {
                    return Err(InstanceError::Number(format!("client {i} has a bad arc cost")));
                }
                if k > 0 && arcs[k - 1].site >= a.site {
                    return Err(InstanceError::Arc(format!(
                        "client {i}'s arcs are unsorted or duplicated"
                    )));
                }
            }
        }
        Ok(())
    }
}
