//! Services and co-location: which buildings stay open and which services each
//! one hosts (children's centre, youth, health visiting, midwifery…), so that
//! every family can reach each service within that service's limit.
//!
//! [`plan_services`] checks a [`ServiceRules`] for contradictions, maps it onto
//! the solver's [`ServiceInstance`] (`hubplan_solver::services`), solves it,
//! certifies the answer with the independent evaluator in this module
//! ([`evaluate_services`], [`service_violations`]), and assembles a
//! [`ServicePlan`]. When the rules are infeasible it says which service and
//! zones cannot be covered and what blocks them ([`ServiceInfeasibility`]).
//!
//! The mapping (see `docs/MODEL.md` §2):
//!
//! | model | from the inputs |
//! |---|---|
//! | sites | every site; `open_cost` counts only for candidates |
//! | host options of site j | planned services in `can_host ∪ services`; conversion cost 0 if hosted today (existing sites), else the service's `conversion_cost`; space = the service's `space` |
//! | clients | (zone, planned service) with `need(z, s) > 0` and some capable site within the service's limit |
//! | client arcs | capable sites within the service's limit (inclusive) |
//! | required clients | all, when the first objective is `min_cost` or `min_travel`; else zones with `imd_decile ≤ equity_max_imd_decile` |
//! | district rules | one per non-empty site district, `min_hubs_per_district` hubs |
//!
//! A (zone, service) pair with need that no capable site reaches within the
//! limit, even with every site open, is *unreachable at baseline*: listed in
//! [`ServicePlan::unreachable`] and excluded from the access and equity rules.

use std::collections::BTreeMap;
use std::time::Instant;

use hubplan_solver::services::{
    self as sv, Coverage, DistrictRule, HostOption, SavingsTarget, ServiceArc, ServiceBackend, ServiceClient,
    ServiceInstance, ServiceObjective, ServiceOutcome, ServiceSite,
};
use hubplan_solver::{Cardinality, Fixing, SolveOptions, Status};

use crate::error::{Error, Result};
use crate::ids::{ServiceIdx, SiteIdx, ZoneIdx};
use crate::model::{Inputs, SiteStatus};
use crate::plan::{Decision, PlanStatus, SolverReport};
use crate::scenario::{
    Assignment, Backend, BeyondLimit, ObjectiveKind, SolverConfig, DEFAULT_MAX_MINUTES, DEFAULT_WORSE_OFF_MINUTES,
};

/// Demand capacity per building and service (issue 21, docs/MODEL.md §2):
/// the sites file's `max_users_<service>` and `users_today_<service>` columns,
/// in the unit of that service's need column, and `capacity.assignment`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceCapacity {
    /// Per service with a `max_users_<service>` column: the most users each
    /// site (in [`SiteIdx`] order) can serve for it while hosting it; `None` = unlimited.
    pub max_users: Vec<(ServiceIdx, Vec<Option<f64>>)>,
    /// Per service with a `users_today_<service>` column: each site's use today; `None` = unknown.
    pub users_today: Vec<(ServiceIdx, Vec<Option<f64>>)>,
    /// Split (a zone's need may be shared between buildings) or single.
    pub assignment: Assignment,
}

impl ServiceCapacity {
    /// The `max_users` of site `j` for service `s`.
    pub fn max_users(&self, j: SiteIdx, s: ServiceIdx) -> Option<f64> {
        self.max_users
            .iter()
            .find(|(x, _)| *x == s)
            .and_then(|(_, v)| v.get(j.index()).copied().flatten())
    }

    /// The `users_today` of site `j` for service `s`.
    pub fn users_today(&self, j: SiteIdx, s: ServiceIdx) -> Option<f64> {
        self.users_today
            .iter()
            .find(|(x, _)| *x == s)
            .and_then(|(_, v)| v.get(j.index()).copied().flatten())
    }

    /// Whether some site has a `max_users` for service `s` (its need is then assigned).
    pub fn capacitated(&self, s: ServiceIdx) -> bool {
        self.max_users
            .iter()
            .any(|(x, v)| *x == s && v.iter().any(Option::is_some))
    }
}

/// Per zone, the `(site, users)` serving it for one service.
pub type ZoneAssignment = Vec<Vec<(SiteIdx, f64)>>;

/// The assignment of the need of capacitated services: for planned service
/// position `k` (in [`ServicePlan::services`] order), `per_service[k]` is
/// `None` when the service has no capacity, else per zone the `(site, users)`
/// it is served by.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceAssignment {
    /// Per planned service, per zone, `(site, users)`.
    pub per_service: Vec<Option<ZoneAssignment>>,
}

/// Bounds on the number of open sites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SiteCount {
    /// Exactly this many (overrides `min` and `max`).
    pub exact: Option<u32>,
    /// At least this many.
    pub min: Option<u32>,
    /// At most this many.
    pub max: Option<u32>,
}

/// The rules and objective of one co-location run, with every id resolved
/// (the `[services]`, `[objective]` and `[limits]` tables of a scenario; see
/// `docs/MODEL.md` §3).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRules {
    /// The services planned (`services.required`); empty = every service in the inputs.
    pub services: Vec<ServiceIdx>,
    /// The services a family hub hosts (`services.hub`); empty = no hubs.
    pub hub: Vec<ServiceIdx>,
    /// Least number of open hubs per site district (`services.min_hubs_per_district`); 0 = off.
    pub min_hubs_per_district: u32,
    /// Access limit in minutes for services without their own `max_minutes` (`access.max_minutes`).
    pub max_minutes: Option<f64>,
    /// The objective solved first (`objective.kind`).
    pub objective: ObjectiveKind,
    /// The objective solved second, with the first held at its optimum (`objective.then`).
    pub then: Option<ObjectiveKind>,
    /// Relative tolerance of the second stage (`objective.tolerance`): the first
    /// objective may worsen by at most `tolerance·|v1| + 1e-6`.
    pub lex_tolerance: f64,
    /// Maximum annual running cost of open sites, GBP (`limits.budget`).
    pub annual_budget: Option<f64>,
    /// Maximum one-off spend: opening candidates plus conversions, GBP (`services.capital_budget`).
    pub capital_budget: Option<f64>,
    /// Least annual saving against today's running cost, GBP (`services.savings_target`).
    pub savings_target: Option<f64>,
    /// Bounds on the number of open sites (`limits.sites`, `limits.min_sites`, `limits.max_sites`).
    pub sites: SiteCount,
    /// Sites forced open (`limits.keep`).
    pub keep: Vec<SiteIdx>,
    /// Sites forced closed (`limits.close`).
    pub close: Vec<SiteIdx>,
    /// (site, service) pairs forced hosted; the site is then open (`services.keep_service`).
    pub keep_service: Vec<(SiteIdx, ServiceIdx)>,
    /// (site, service) pairs forced not hosted (`services.close_service`).
    pub close_service: Vec<(SiteIdx, ServiceIdx)>,
    /// Zones in IMD deciles `1..=d` must be covered for every service, under any objective
    /// (`services.equity_max_imd_decile`).
    pub equity_max_imd_decile: Option<u8>,
    /// Solver settings (`[solver]`). `exact` uses HiGHS when compiled in, else microlp.
    pub solver: SolverConfig,
    /// The rule for required (zone, service) pairs beyond the service's limit today
    /// (`access.beyond_limit`), applied per service with that service's own limit and baseline.
    pub beyond_limit: BeyondLimit,
    /// Journeys that grow by at least this many minutes are listed as worse off (`report.worse_off_minutes`).
    pub worse_off_minutes: f64,
    /// Demand capacity per building and service (`max_users_<service>`); `None` = none.
    pub capacity: Option<ServiceCapacity>,
}

impl ServiceRules {
    /// These rules with demand capacity per building and service.
    pub fn with_capacity(mut self, capacity: Option<ServiceCapacity>) -> Self {
        self.capacity = capacity;
        self
    }
}

impl Default for ServiceRules {
    fn default() -> Self {
        ServiceRules {
            services: Vec::new(),
            hub: Vec::new(),
            min_hubs_per_district: 0,
            max_minutes: Some(DEFAULT_MAX_MINUTES),
            objective: ObjectiveKind::MinCost,
            then: None,
            lex_tolerance: sv::DEFAULT_LEX_TOLERANCE,
            annual_budget: None,
            capital_budget: None,
            savings_target: None,
            sites: SiteCount::default(),
            keep: Vec::new(),
            close: Vec::new(),
            keep_service: Vec::new(),
            close_service: Vec::new(),
            equity_max_imd_decile: None,
            solver: SolverConfig::default(),
            beyond_limit: BeyondLimit::default(),
            worse_off_minutes: DEFAULT_WORSE_OFF_MINUTES,
            capacity: None,
        }
    }
}

/// What happens to one service at one site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostChange {
    /// Hosted before and after.
    Stays,
    /// Hosted after, not before (a conversion).
    MovedIn,
    /// Hosted before, not after.
    MovedOut,
}

impl HostChange {
    /// The name written in outputs.
    pub fn name(self) -> &'static str {
        match self {
            HostChange::Stays => "stays",
            HostChange::MovedIn => "moved_in",
            HostChange::MovedOut => "moved_out",
        }
    }
}

/// One site's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSitePlan {
    /// Keep, close, open or unused.
    pub decision: Decision,
    /// Planned services hosted before or after, with what happens to each.
    pub hosting: Vec<(ServiceIdx, HostChange)>,
    /// Planned services hosted after the plan.
    pub hosts_after: Vec<ServiceIdx>,
    /// A family hub today.
    pub hub_before: bool,
    /// A family hub after.
    pub hub_after: bool,
    /// Space used after.
    pub space_used: f64,
}

/// Where one zone gets one service, before and after.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceZonePlan {
    /// The zone's need for the service.
    pub need: f64,
    /// Nearest open hosting site and minutes today.
    pub before: Option<(SiteIdx, f64)>,
    /// Nearest open hosting site and minutes after.
    pub after: Option<(SiteIdx, f64)>,
    /// Covered today.
    pub covered_before: bool,
    /// Covered after.
    pub covered_after: bool,
    /// No capable site is within the limit even with every site open (excluded from the rules).
    pub unreachable: bool,
    /// Under the equity rule.
    pub equity: bool,
}

/// Need and coverage of one service.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceCoverage {
    /// The service.
    pub service: Option<ServiceIdx>,
    /// Its access limit in minutes (`None`: any reachable site).
    pub max_minutes: Option<f64>,
    /// Σ need over zones.
    pub need_total: f64,
    /// Σ need covered today.
    pub need_covered_before: f64,
    /// Σ need covered after.
    pub need_covered_after: f64,
    /// Σ need unreachable at baseline.
    pub need_unreachable: f64,
    /// Sites hosting it today (open).
    pub sites_before: usize,
    /// Sites hosting it after.
    pub sites_after: usize,
}

/// Money, hubs and coverage, before and after.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceTotals {
    /// Open sites today.
    pub sites_before: usize,
    /// Open sites after.
    pub sites_after: usize,
    /// Existing sites closed.
    pub sites_closed: usize,
    /// Candidates opened.
    pub sites_opened: usize,
    /// Σ annual_cost today.
    pub annual_cost_before: f64,
    /// Σ annual_cost after.
    pub annual_cost_after: f64,
    /// before − after.
    pub annual_saving: f64,
    /// Σ backlog of closed sites.
    pub backlog_removed: f64,
    /// Σ open_cost of opened candidates (one-off).
    pub opening_cost: f64,
    /// Σ conversion costs of services moved in (one-off).
    pub conversion_cost: f64,
    /// Σ disposal_receipt of closed sites (one-off).
    pub disposal_receipts: f64,
    /// Services moved into a site.
    pub moves_in: usize,
    /// Services moved out of a site (including by closure).
    pub moves_out: usize,
    /// Open hubs today.
    pub hubs_before: usize,
    /// Open hubs after.
    pub hubs_after: usize,
    /// Per site district: (district, hubs today, hubs after).
    pub hubs_per_district: Vec<(String, usize, usize)>,
    /// Per planned service, in [`ServicePlan::services`] order.
    pub per_service: Vec<ServiceCoverage>,
}

/// A limit of the co-location rules that can make a scenario infeasible on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitRule {
    /// `limits.budget` (the annual running-cost budget).
    AnnualBudget,
    /// `limits.budget` and `services.savings_target` together (the tighter of the two).
    AnnualBudgetOrSavingsTarget,
    /// `services.capital_budget`.
    CapitalBudget,
    /// `limits.sites`, `min_sites`, `max_sites`.
    SiteCount,
    /// `services.min_hubs_per_district`.
    MinHubsPerDistrict,
}

impl LimitRule {
    /// The name written in outputs (`plan.json`'s `rule`) and sentences.
    pub fn name(self) -> &'static str {
        match self {
            LimitRule::AnnualBudget => "annual budget",
            LimitRule::AnnualBudgetOrSavingsTarget => "annual budget / savings target",
            LimitRule::CapitalBudget => "capital budget",
            LimitRule::SiteCount => "site count",
            LimitRule::MinHubsPerDistrict => "min_hubs_per_district",
        }
    }

    /// Whether the limit is an amount of money.
    pub fn is_money(self) -> bool {
        matches!(
            self,
            LimitRule::AnnualBudget | LimitRule::AnnualBudgetOrSavingsTarget | LimitRule::CapitalBudget
        )
    }

    /// A value of the limited quantity as a sentence writes it: pounds for money, else a plain number.
    pub fn value_text(self, x: f64) -> String {
        if self.is_money() {
            crate::fmt::money(x)
        } else {
            crate::fmt::plain(x)
        }
    }
}

impl std::fmt::Display for LimitRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Something that makes the rules infeasible.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ServiceBlocker {
    /// These zones can reach, within the service's limit, only sites that are
    /// forced closed or forced not to host the service.
    ForcedClosures {
        /// The service.
        service: ServiceIdx,
        /// Zones left without a site.
        zones: Vec<ZoneIdx>,
        /// The forced sites that would have served them.
        sites: Vec<SiteIdx>,
    },
    /// Site `site` is the only site within reach of required zones for
    /// several services (or has services forced there), and they do not fit in it.
    Capacity {
        /// The site.
        site: SiteIdx,
        /// The services it must host.
        services: Vec<ServiceIdx>,
        /// (zone, service) pairs whose only reachable capable site it is.
        zones: Vec<(ZoneIdx, ServiceIdx)>,
        /// Space those services need.
        space: f64,
        /// The site's capacity.
        capacity: f64,
    },
    /// Demand capacity (`max_users_<service>`): with every building open that
    /// may open and hosting the service, these zones' need for it does not fit
    /// in the buildings within their reach.
    DemandCapacity {
        /// The service.
        service: ServiceIdx,
        /// Zones whose need cannot be wholly placed.
        zones: Vec<ZoneIdx>,
        /// Buildings within their reach that are full.
        full_sites: Vec<SiteIdx>,
        /// Users that find no room.
        missing: f64,
    },
    /// Without this limit a plan exists; `plan_value` is that plan's value of the limited quantity.
    Limit {
        /// Which limit.
        rule: LimitRule,
        /// The limit's value.
        limit: f64,
        /// The limited quantity in the least-cost plan without the limit.
        plan_value: f64,
    },
    /// No single limit explains it: they block together.
    Combination,
    /// (zone, service) pairs beyond the service's limit today, held to their own
    /// limit by `access.beyond_limit`, that no plan can keep within it: every
    /// capable site within their own limit is forced closed or forced not to host
    /// the service (`sites`), or, with `sites` empty, the other rules cannot also
    /// keep them within it, while leaving them out of the rule (`ignore`) gives a plan.
    BeyondLimit {
        /// The service.
        service: ServiceIdx,
        /// The setting that gave them their own limit.
        rule: BeyondLimit,
        /// The zones, with minutes today to the nearest site hosting the service and their own limit.
        zones: Vec<crate::plan::BeyondLimitZone>,
        /// The forced closures that hold every capable site within their own limits; empty when other rules block.
        sites: Vec<SiteIdx>,
    },
}

/// Why co-location rules are infeasible.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceInfeasibility {
    /// Each blocking rule.
    pub blockers: Vec<ServiceBlocker>,
}

/// (zone, service) pairs unreachable at baseline for one service.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreachable {
    /// The service.
    pub service: ServiceIdx,
    /// Zones with need that no capable site reaches within the limit.
    pub zones: Vec<ZoneIdx>,
}

/// The answer to one co-location run.
#[derive(Clone, Debug, PartialEq)]
pub struct ServicePlan {
    /// Optimal, feasible (time limit; see bound and gap), infeasible or unknown.
    pub status: PlanStatus,
    /// The first objective.
    pub objective_kind: ObjectiveKind,
    /// The second objective, if lexicographic.
    pub then: Option<ObjectiveKind>,
    /// The value of the last objective solved, in its own sense (NaN without a plan).
    pub objective: f64,
    /// Proven bound on it in the same sense (≤ for min, ≥ for max_coverage).
    pub bound: f64,
    /// Relative gap |objective − bound| / |objective|: at most `solver.gap` when
    /// optimal (0 when the bound equals the objective).
    pub gap: f64,
    /// The plan's value of the first objective (equals `objective` without `then`).
    pub primary_objective: f64,
    /// The planned services; `zones[k]` and `totals.per_service[k]` refer to `services[k]`.
    pub services: Vec<ServiceIdx>,
    /// Open flag per site (status quo when there is no plan).
    pub open: Vec<bool>,
    /// Per site.
    pub sites: Vec<ServiceSitePlan>,
    /// Per planned service, per zone.
    pub zones: Vec<Vec<ServiceZonePlan>>,
    /// Totals.
    pub totals: ServiceTotals,
    /// Zones unreachable at baseline, per service (listed, never dropped).
    pub unreachable: Vec<Unreachable>,
    /// Present when infeasible.
    pub infeasibility: Option<ServiceInfeasibility>,
    /// Solver details.
    pub solver: SolverReport,
    /// Demand capacity per building and service: utilisation, the assignment,
    /// reasons and warnings (`None` without `max_users_<service>` columns, or without a plan).
    pub capacity: Option<crate::colocate_capacity::ServiceCapacityPlan>,
}

// ---------------------------------------------------------------------------
// Rules: planned services, limits, checks.
// ---------------------------------------------------------------------------

/// The planned services, sorted and deduplicated.
pub fn planned_services(inputs: &Inputs, rules: &ServiceRules) -> Vec<ServiceIdx> {
    let mut s: Vec<ServiceIdx> = if rules.services.is_empty() {
        (0..inputs.services.len()).map(ServiceIdx::from_index).collect()
    } else {
        rules.services.clone()
    };
    s.sort();
    s.dedup();
    s
}

/// The access limit of service `s`: its own `max_minutes`, else the rules'.
pub fn service_limit(inputs: &Inputs, rules: &ServiceRules, s: ServiceIdx) -> Option<f64> {
    inputs.services[s.index()].max_minutes.or(rules.max_minutes)
}

fn can_host(inputs: &Inputs, j: SiteIdx, s: ServiceIdx) -> bool {
    let site = inputs.site(j);
    site.can_host.contains(&s) || site.services.contains(&s)
}

fn hosted_before(inputs: &Inputs, j: SiteIdx, s: ServiceIdx) -> bool {
    let site = inputs.site(j);
    site.status == SiteStatus::Existing && site.services.contains(&s)
}

fn obj(k: ObjectiveKind) -> ServiceObjective {
    match k {
        ObjectiveKind::MinCost => ServiceObjective::MinCost,
        ObjectiveKind::MaxCoverage => ServiceObjective::MaxCoverage,
        ObjectiveKind::MinTravel => ServiceObjective::MinTravel,
    }
}

fn ids(inputs: &Inputs, sites: &[SiteIdx]) -> String {
    sites
        .iter()
        .map(|&s| inputs.site(s).id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "2 sites forced open (A, B)", "1 site forced open (A)".
fn forced_words(inputs: &Inputs, sites: &[SiteIdx]) -> String {
    format!(
        "{} site{} forced open ({})",
        sites.len(),
        if sites.len() == 1 { "" } else { "s" },
        ids(inputs, sites)
    )
}

fn svc_id(inputs: &Inputs, s: ServiceIdx) -> &str {
    &inputs.services[s.index()].id
}

fn sorted<T: Ord + Clone>(v: &[T]) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort();
    v.dedup();
    v
}

/// Whether site `j` can be an open family hub at all under the rules: it may host every
/// hub service (not closed, not forced not to host one) within its capacity.
pub fn hub_capable(inputs: &Inputs, rules: &ServiceRules, j: SiteIdx) -> bool {
    if rules.hub.is_empty() || rules.close.contains(&j) {
        return false;
    }
    let mut space = 0.0;
    for &s in &rules.hub {
        if !can_host(inputs, j, s) || rules.close_service.contains(&(j, s)) {
            return false;
        }
        space += inputs.services[s.index()].space;
    }
    inputs.site(j).capacity.is_none_or(|c| space <= c + 1e-9)
}

/// Sites by non-empty district name, in name order.
fn districts(inputs: &Inputs) -> BTreeMap<String, Vec<SiteIdx>> {
    let mut d: BTreeMap<String, Vec<SiteIdx>> = BTreeMap::new();
    for j in inputs.site_indices() {
        let name = &inputs.site(j).district;
        if !name.is_empty() {
            d.entry(name.clone()).or_default().push(j);
        }
    }
    d
}

fn check_number(name: &str, v: Option<f64>) -> Result<()> {
    match v {
        Some(x) if !(x.is_finite() && x >= 0.0) => Err(Error::Invalid(format!("{name} must be a number ≥ 0, got {x}"))),
        _ => Ok(()),
    }
}

/// Checks co-location rules against the inputs before anything is solved.
///
/// # Errors
/// [`Error::Invalid`] for settings out of range or unknown indices;
/// [`Error::Contradiction`] for rules that contradict each other, naming the
/// sites, services or district involved.
pub fn check_rules(inputs: &Inputs, rules: &ServiceRules) -> Result<()> {
    if inputs.sites.is_empty() {
        return Err(Error::Invalid("there are no sites".into()));
    }
    if inputs.services.is_empty() {
        return Err(Error::Invalid("there are no services".into()));
    }
    let n_sites = inputs.sites.len();
    let n_svc = inputs.services.len();
    let bad_site = |s: &SiteIdx| s.index() >= n_sites;
    let bad_svc = |s: &ServiceIdx| s.index() >= n_svc;
    if rules.services.iter().chain(&rules.hub).any(bad_svc)
        || rules.keep.iter().chain(&rules.close).any(bad_site)
        || rules
            .keep_service
            .iter()
            .chain(&rules.close_service)
            .any(|(j, s)| bad_site(j) || bad_svc(s))
    {
        return Err(Error::Invalid(
            "a rule names a site or service index out of range".into(),
        ));
    }
    let planned = planned_services(inputs, rules);
    for (k, svc) in inputs.services.iter().enumerate() {
        let ok = |x: f64| x.is_finite() && x >= 0.0;
        if !ok(svc.space) || !ok(svc.conversion_cost) {
            return Err(Error::Invalid(format!(
                "service {} has a bad space or conversion cost",
                svc.id
            )));
        }
        if svc.max_minutes.is_some_and(|m| !(m.is_finite() && m > 0.0)) {
            return Err(Error::Invalid(format!("service {} has a bad max_minutes", svc.id)));
        }
        let s = ServiceIdx::from_index(k);
        if planned.contains(&s)
            && service_limit(inputs, rules, s).is_none()
            && rules.objective != ObjectiveKind::MinTravel
        {
            return Err(Error::Invalid(format!(
                "service {} has no access limit: set its max_minutes or access.max_minutes",
                svc.id
            )));
        }
    }
    if let Some(m) = rules.max_minutes {
        if !(m.is_finite() && m > 0.0) {
            return Err(Error::Invalid(format!(
                "access.max_minutes must be a positive number, got {m}"
            )));
        }
    }
    check_number("limits.budget", rules.annual_budget)?;
    check_number("services.capital_budget", rules.capital_budget)?;
    if let Some(t) = rules.savings_target {
        if !t.is_finite() {
            return Err(Error::Invalid(format!(
                "services.savings_target must be a number, got {t}"
            )));
        }
    }
    if !(rules.lex_tolerance.is_finite() && rules.lex_tolerance >= 0.0) {
        return Err(Error::Invalid(format!(
            "objective.tolerance must be ≥ 0, got {}",
            rules.lex_tolerance
        )));
    }
    if !(rules.solver.gap.is_finite() && rules.solver.gap >= 0.0) {
        return Err(Error::Invalid(format!(
            "solver.gap must be ≥ 0, got {}",
            rules.solver.gap
        )));
    }
    if rules.then == Some(rules.objective) {
        return Err(Error::Invalid(format!(
            "objective.then repeats objective.kind ({})",
            rules.objective.name()
        )));
    }
    if let Some(d) = rules.equity_max_imd_decile {
        if !(1..=10).contains(&d) {
            return Err(Error::Invalid(format!(
                "services.equity_max_imd_decile must be 1–10, got {d}"
            )));
        }
    }
    let limited = rules.annual_budget.is_some()
        || rules.capital_budget.is_some()
        || rules.savings_target.is_some()
        || rules.sites != SiteCount::default();
    if matches!(rules.objective, ObjectiveKind::MaxCoverage | ObjectiveKind::MinTravel) && !limited {
        return Err(Error::Invalid(format!(
            "objective {} needs a budget, capital budget, savings target or site count (otherwise every site stays open)",
            rules.objective.name()
        )));
    }
    if let Some(s) = rules.hub.iter().find(|s| !planned.contains(s)) {
        return Err(Error::Invalid(format!(
            "hub service {} is not among services.required",
            svc_id(inputs, *s)
        )));
    }
    if rules.min_hubs_per_district > 0 && rules.hub.is_empty() {
        return Err(Error::Invalid(
            "services.min_hubs_per_district needs services.hub".into(),
        ));
    }
    // Forced keep + close.
    let keep = sorted(&rules.keep);
    let close = sorted(&rules.close);
    let both: Vec<SiteIdx> = keep.iter().copied().filter(|s| close.contains(s)).collect();
    if !both.is_empty() {
        return Err(Error::Contradiction(format!(
            "site(s) {} listed in both limits.keep and limits.close",
            ids(inputs, &both)
        )));
    }
    let ks = sorted(&rules.keep_service);
    let cs = sorted(&rules.close_service);
    for &(j, s) in &ks {
        let (site, svc) = (&inputs.site(j).id, svc_id(inputs, s));
        if cs.contains(&(j, s)) {
            return Err(Error::Contradiction(format!(
                "service {svc} at site {site} is in both services.keep_service and services.close_service"
            )));
        }
        if close.contains(&j) {
            return Err(Error::Contradiction(format!(
                "services.keep_service keeps {svc} at site {site}, which limits.close closes"
            )));
        }
        if !can_host(inputs, j, s) {
            return Err(Error::Contradiction(format!(
                "services.keep_service keeps {svc} at site {site}, which cannot host it"
            )));
        }
        if !planned.contains(&s) {
            return Err(Error::Contradiction(format!(
                "services.keep_service names {svc}, which is not a planned service"
            )));
        }
    }
    // Forced services against capacity.
    let mut forced_open: Vec<SiteIdx> = keep.clone();
    forced_open.extend(ks.iter().map(|&(j, _)| j));
    let forced_open = sorted(&forced_open);
    for &j in &forced_open {
        let space: f64 = ks
            .iter()
            .filter(|(jj, _)| *jj == j)
            .map(|&(_, s)| inputs.services[s.index()].space)
            .sum();
        if let Some(c) = inputs.site(j).capacity {
            if space > c + 1e-9 {
                return Err(Error::Contradiction(format!(
                    "the services forced at site {} need space {space} but its capacity is {c}",
                    inputs.site(j).id
                )));
            }
        }
    }
    // Money.
    let forced_annual: f64 = forced_open.iter().map(|&j| inputs.site(j).annual_cost).sum();
    if let Some(b) = rules.annual_budget {
        if forced_annual > b + 1e-9 {
            let (b, cost) = crate::fmt::money_against(b, forced_annual);
            return Err(Error::Contradiction(format!(
                "the budget {b} is below the annual cost {cost} of the {}",
                forced_words(inputs, &forced_open)
            )));
        }
    }
    if let Some(t) = rules.savings_target {
        let before: f64 = inputs
            .sites
            .iter()
            .filter(|s| s.status == SiteStatus::Existing)
            .map(|s| s.annual_cost)
            .sum();
        let most = before - forced_annual;
        if most < t - 1e-9 {
            let (t, most) = crate::fmt::money_against(t, most);
            let forced = if forced_open.is_empty() {
                String::new()
            } else {
                format!(
                    " and the {} cost {} a year",
                    forced_words(inputs, &forced_open),
                    crate::fmt::money(forced_annual)
                )
            };
            return Err(Error::Contradiction(format!(
                "the savings target {t} cannot be met: today's buildings cost {} a year{forced}, so no plan \
                 saves more than {most} a year",
                crate::fmt::money(before)
            )));
        }
    }
    if let Some(b) = rules.capital_budget {
        let opening: f64 = forced_open
            .iter()
            .filter(|&&j| inputs.site(j).status == SiteStatus::Candidate)
            .map(|&j| inputs.site(j).open_cost)
            .sum();
        let conv: f64 = ks
            .iter()
            .filter(|&&(j, s)| !hosted_before(inputs, j, s))
            .map(|&(_, s)| inputs.services[s.index()].conversion_cost)
            .sum();
        if opening + conv > b + 1e-9 {
            let (b, cost) = crate::fmt::money_against(b, opening + conv);
            return Err(Error::Contradiction(format!(
                "the capital budget {b} is below the one-off cost {cost} of the forced openings and service moves"
            )));
        }
    }
    // Hubs per district.
    if rules.min_hubs_per_district > 0 {
        for (name, sites) in districts(inputs) {
            let capable: Vec<SiteIdx> = sites
                .iter()
                .copied()
                .filter(|&j| hub_capable(inputs, rules, j))
                .collect();
            if capable.len() < rules.min_hubs_per_district as usize {
                return Err(Error::Contradiction(format!(
                    "district {name} needs {} family hubs but only {} site(s) can host every hub service ({})",
                    rules.min_hubs_per_district,
                    capable.len(),
                    if capable.is_empty() {
                        "none".to_string()
                    } else {
                        ids(inputs, &capable)
                    }
                )));
            }
        }
    }
    // Site count.
    let (lo, hi) = count_bounds(rules, n_sites);
    if lo > hi {
        return Err(Error::Contradiction(format!(
            "limits.min_sites = {lo} is above limits.max_sites = {hi}"
        )));
    }
    if (hi as usize) < forced_open.len() {
        return Err(Error::Contradiction(format!(
            "at most {hi} sites may be open but {} are forced open ({})",
            forced_open.len(),
            ids(inputs, &forced_open)
        )));
    }
    if lo as usize > n_sites - close.len() {
        return Err(Error::Contradiction(format!(
            "at least {lo} sites must be open but only {} are not forced closed",
            n_sites - close.len()
        )));
    }
    Ok(())
}

fn count_bounds(rules: &ServiceRules, n: usize) -> (u32, u32) {
    match rules.sites.exact {
        Some(p) => (p, p),
        None => (rules.sites.min.unwrap_or(0), rules.sites.max.unwrap_or(n as u32)),
    }
}

// ---------------------------------------------------------------------------
// Mapping onto the solver.
// ---------------------------------------------------------------------------

/// The solver instance for a set of rules, and what each client is.
#[derive(Clone, Debug)]
pub struct MappedServices {
    /// The instance.
    pub instance: ServiceInstance,
    /// Instance service `p` is `services[p]`.
    pub services: Vec<ServiceIdx>,
    /// Client `i` is (zone, position in `services`).
    pub clients: Vec<(ZoneIdx, usize)>,
    /// Σ need of the clients.
    pub client_need: f64,
    /// Per planned service, zones with need unreachable at baseline.
    pub unreachable: Vec<Vec<ZoneIdx>>,
}

/// Maps rules onto the solver's [`ServiceInstance`] (see the module docs).
///
/// Complexity: O(sites·services + services·pairs).
pub fn map_services(inputs: &Inputs, rules: &ServiceRules) -> MappedServices {
    let services = planned_services(inputs, rules);
    let pos = |s: ServiceIdx| services.iter().position(|&x| x == s);
    let mut inst = ServiceInstance::new(services.len());
    for j in inputs.site_indices() {
        let site = inputs.site(j);
        let mut fixing = Fixing::Free;
        if rules.keep.contains(&j) || rules.keep_service.iter().any(|&(jj, _)| jj == j) {
            fixing = Fixing::Open;
        }
        if rules.close.contains(&j) {
            fixing = Fixing::Closed;
        }
        let hosts = services
            .iter()
            .enumerate()
            .filter(|&(_, &s)| can_host(inputs, j, s))
            .map(|(p, &s)| {
                let svc = &inputs.services[s.index()];
                let fixing = if rules.keep_service.contains(&(j, s)) {
                    Fixing::Open
                } else if rules.close_service.contains(&(j, s)) {
                    Fixing::Closed
                } else {
                    Fixing::Free
                };
                HostOption {
                    service: p as u32,
                    conversion_cost: if hosted_before(inputs, j, s) {
                        0.0
                    } else {
                        svc.conversion_cost
                    },
                    space: svc.space,
                    fixing,
                    max_users: rules.capacity.as_ref().and_then(|c| c.max_users(j, s)),
                }
            })
            .collect();
        inst.sites.push(ServiceSite {
            annual_cost: site.annual_cost,
            open_cost: if site.status == SiteStatus::Candidate {
                site.open_cost
            } else {
                0.0
            },
            capacity: site.capacity,
            hosts,
            fixing,
        });
    }
    inst.annual_budget = rules.annual_budget;
    inst.capital_budget = rules.capital_budget;
    inst.savings_target = rules.savings_target.map(|target| SavingsTarget {
        baseline: inputs
            .sites
            .iter()
            .filter(|s| s.status == SiteStatus::Existing)
            .map(|s| s.annual_cost)
            .sum(),
        target,
    });
    if rules.sites != SiteCount::default() {
        let (min, max) = count_bounds(rules, inputs.sites.len());
        inst.cardinality = Some(Cardinality { min, max });
    }
    inst.hub_services = rules.hub.iter().filter_map(|&s| pos(s)).map(|p| p as u32).collect();
    inst.hub_services.sort();
    inst.hub_services.dedup();
    if rules.min_hubs_per_district > 0 {
        for (name, sites) in districts(inputs) {
            inst.district_rules.push(DistrictRule {
                name,
                sites: sites.iter().map(|s| s.0).collect(),
                min_hubs: rules.min_hubs_per_district,
            });
        }
    }
    inst.objective = obj(rules.objective);
    inst.then = rules.then.map(obj);
    inst.lex_tolerance = rules.lex_tolerance;
    inst.single_assignment = rules
        .capacity
        .as_ref()
        .is_some_and(|c| c.assignment == Assignment::Single);
    let all_required = matches!(rules.objective, ObjectiveKind::MinCost | ObjectiveKind::MinTravel);
    let mut clients = Vec::new();
    let mut room = Vec::new();
    let mut client_need = 0.0;
    let mut unreachable = vec![Vec::new(); services.len()];
    for (p, &s) in services.iter().enumerate() {
        let limit = service_limit(inputs, rules, s);
        for z in inputs.zone_indices() {
            let need = inputs.need(z, Some(s));
            if need <= 0.0 {
                continue;
            }
            let arcs: Vec<ServiceArc> = inputs
                .travel
                .row(z)
                .filter(|&(j, m)| limit.is_none_or(|mx| m <= mx) && can_host(inputs, j, s))
                .map(|(j, m)| ServiceArc { site: j.0, minutes: m })
                .collect();
            let equity = in_equity(inputs, rules, z);
            if arcs.is_empty() {
                unreachable[p].push(z);
                // Beyond the limit today: a required pair keeps its own limit
                // (access.beyond_limit), as a constraint with no weight in the objective.
                if all_required || equity {
                    if let Some(own) = beyond_limit_of(inputs, rules, z, s) {
                        let arcs: Vec<ServiceArc> = inputs
                            .travel
                            .row(z)
                            .filter(|&(j, m)| m <= own && can_host(inputs, j, s))
                            .map(|(j, m)| ServiceArc { site: j.0, minutes: m })
                            .collect();
                        inst.clients.push(ServiceClient {
                            service: p as u32,
                            need: 0.0,
                            arcs,
                            coverage: Coverage::Required,
                        });
                        // Under demand capacity its families still take room.
                        room.push(need);
                        clients.push((z, p));
                    }
                }
                continue;
            }
            let coverage = if all_required || equity {
                Coverage::Required
            } else {
                Coverage::Optional
            };
            inst.clients.push(ServiceClient {
                service: p as u32,
                need,
                arcs,
                coverage,
            });
            room.push(need);
            clients.push((z, p));
            client_need += need;
        }
    }
    if inst.capacitated_services().contains(&true) {
        inst.client_room = room;
    }
    MappedServices {
        instance: inst,
        services,
        clients,
        client_need,
        unreachable,
    }
}

/// Minutes from zone `z` to the nearest site hosting service `s` today (an
/// existing site that lists it), `None` when no such site is in the zone's row.
pub fn baseline_minutes(inputs: &Inputs, z: ZoneIdx, s: ServiceIdx) -> Option<f64> {
    inputs
        .travel
        .row(z)
        .filter(|&(j, _)| hosted_before(inputs, j, s))
        .map(|(_, m)| m)
        .reduce(f64::min)
}

/// The own limit of a (zone, service) pair that no capable site reaches within
/// the service's limit (`access.beyond_limit`); `None` when the rule leaves it out.
/// Whether the pair is required at all is the caller's business.
pub fn beyond_limit_of(inputs: &Inputs, rules: &ServiceRules, z: ZoneIdx, s: ServiceIdx) -> Option<f64> {
    service_limit(inputs, rules, s)?;
    rules.beyond_limit.zone_limit(baseline_minutes(inputs, z, s))
}

fn in_equity(inputs: &Inputs, rules: &ServiceRules, z: ZoneIdx) -> bool {
    match (rules.equity_max_imd_decile, inputs.zone(z).imd_decile) {
        (Some(max), Some(d)) => d <= max,
        _ => false,
    }
}

fn backend(cfg: &SolverConfig) -> Result<ServiceBackend> {
    match cfg.backend {
        Backend::Exact if sv::highs_available() => Ok(ServiceBackend::Highs),
        Backend::Exact | Backend::Microlp => Ok(ServiceBackend::Microlp),
        Backend::Highs if sv::highs_available() => Ok(ServiceBackend::Highs),
        Backend::Highs => Err(Error::Unavailable("HiGHS: build with the `highs` feature".into())),
    }
}

fn run(inst: &ServiceInstance, cfg: &SolverConfig) -> Result<ServiceOutcome> {
    let opts = SolveOptions {
        time_limit: cfg.time_limit,
        rel_gap: cfg.gap,
        abs_gap: 1e-6,
    };
    sv::solve_services(inst, &opts, backend(cfg)?).map_err(Error::from)
}

/// The CPLEX LP text of the first-stage co-location model, for an auditor.
///
/// # Errors
/// As [`check_rules`], or [`Error::Solver`] when the mapped instance is malformed (a bug).
pub fn export_lp(inputs: &Inputs, rules: &ServiceRules) -> Result<String> {
    check_rules(inputs, rules)?;
    sv::write_lp(&map_services(inputs, rules).instance).map_err(Error::from)
}

/// The free MPS text of the first-stage co-location model, for an auditor.
///
/// # Errors
/// As [`export_lp`].
pub fn export_mps(inputs: &Inputs, rules: &ServiceRules) -> Result<String> {
    check_rules(inputs, rules)?;
    sv::write_mps(&map_services(inputs, rules).instance).map_err(Error::from)
}

// ---------------------------------------------------------------------------
// The independent evaluator.
// ---------------------------------------------------------------------------

/// Everything the evaluator recomputes from the inputs for one decision.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceEvaluation {
    /// Per planned service, per zone: nearest open site hosting it, and minutes.
    pub nearest: Vec<Vec<Option<(SiteIdx, f64)>>>,
    /// Per planned service, per zone: covered (nearest within the service's limit).
    pub covered: Vec<Vec<bool>>,
    /// Per planned service, per zone: need > 0 and some capable site within the limit.
    pub in_rule: Vec<Vec<bool>>,
    /// Per planned service: Σ need covered.
    pub need_covered: Vec<f64>,
    /// Open sites.
    pub open_sites: usize,
    /// Σ annual_cost of open sites.
    pub annual_cost: f64,
    /// Σ open_cost of open candidates.
    pub opening_cost: f64,
    /// Σ conversion_cost of services hosted where they are not today.
    pub conversion_cost: f64,
    /// Per site: space used.
    pub space_used: Vec<f64>,
    /// Per site: an open family hub.
    pub hub: Vec<bool>,
    /// Σ need × minutes to the nearest hosting site, over covered (zone, service) pairs.
    pub travel: f64,
}

/// Evaluates a decision: `open[j]`, and `hosting[j]` the services site `j` hosts
/// (ignored for closed sites). Shares no code with the solver or the mapping.
///
/// Complexity: O(services·pairs + sites·services).
pub fn evaluate_services(
    inputs: &Inputs,
    rules: &ServiceRules,
    open: &[bool],
    hosting: &[Vec<ServiceIdx>],
) -> ServiceEvaluation {
    evaluate_services_assigned(inputs, rules, open, hosting, None)
}

/// [`evaluate_services`] with the assignment of the capacitated services
/// (demand capacity): for those, a zone's covered need is the users placed
/// (covered = its need wholly placed) and its travel is Σ users × minutes to
/// the sites it is placed at. Without an assignment, or for a service without
/// one, the nearest hosting site within the limit covers the zone.
///
/// Complexity: O(services·pairs + sites·services).
pub fn evaluate_services_assigned(
    inputs: &Inputs,
    rules: &ServiceRules,
    open: &[bool],
    hosting: &[Vec<ServiceIdx>],
    assignment: Option<&ServiceAssignment>,
) -> ServiceEvaluation {
    let mut e = evaluate_nearest(inputs, rules, open, hosting);
    let Some(a) = assignment else { return e };
    for (k, per_zone) in a.per_service.iter().enumerate() {
        let (Some(per_zone), Some(cov)) = (per_zone, e.covered.get_mut(k)) else {
            continue;
        };
        let s = planned_services(inputs, rules)[k];
        let mut need_cov = 0.0;
        for z in inputs.zone_indices() {
            let need = inputs.need(z, Some(s));
            // Zones beyond the limit today (held to their own limit) take room
            // but count in neither coverage nor travel, as without capacity.
            if need <= 0.0 || !e.in_rule[k][z.index()] {
                continue;
            }
            if cov[z.index()] {
                e.travel -= need * e.nearest[k][z.index()].map_or(0.0, |b| b.1);
            }
            let list = per_zone.get(z.index()).map(Vec::as_slice).unwrap_or(&[]);
            let placed: f64 = list.iter().map(|p| p.1).sum();
            for &(j, users) in list {
                e.travel += users * inputs.travel.get(z, j).unwrap_or(0.0);
            }
            need_cov += placed;
            cov[z.index()] = placed >= need - 1e-7 * need.max(1.0);
        }
        e.need_covered[k] = need_cov;
    }
    e
}

fn evaluate_nearest(
    inputs: &Inputs,
    rules: &ServiceRules,
    open: &[bool],
    hosting: &[Vec<ServiceIdx>],
) -> ServiceEvaluation {
    let services = planned_services(inputs, rules);
    let hosts = |j: SiteIdx, s: ServiceIdx| {
        open.get(j.index()).copied().unwrap_or(false) && hosting.get(j.index()).is_some_and(|h| h.contains(&s))
    };
    let mut e = ServiceEvaluation {
        space_used: vec![0.0; inputs.sites.len()],
        hub: vec![false; inputs.sites.len()],
        ..Default::default()
    };
    for j in inputs.site_indices() {
        if !open.get(j.index()).copied().unwrap_or(false) {
            continue;
        }
        let site = inputs.site(j);
        e.open_sites += 1;
        e.annual_cost += site.annual_cost;
        if site.status == SiteStatus::Candidate {
            e.opening_cost += site.open_cost;
        }
        for &s in hosting.get(j.index()).map(Vec::as_slice).unwrap_or(&[]) {
            let svc = &inputs.services[s.index()];
            e.space_used[j.index()] += svc.space;
            let before = site.status == SiteStatus::Existing && site.services.contains(&s);
            if !before {
                e.conversion_cost += svc.conversion_cost;
            }
        }
        e.hub[j.index()] = !rules.hub.is_empty() && rules.hub.iter().all(|&s| hosts(j, s));
    }
    for &s in &services {
        let limit = inputs.services[s.index()].max_minutes.or(rules.max_minutes);
        let mut nearest = Vec::with_capacity(inputs.zones.len());
        let mut covered = Vec::with_capacity(inputs.zones.len());
        let mut rule = Vec::with_capacity(inputs.zones.len());
        let mut need_cov = 0.0;
        for z in inputs.zone_indices() {
            let need = inputs.need(z, Some(s));
            let mut best: Option<(SiteIdx, f64)> = None;
            let mut reachable = false;
            for (j, m) in inputs.travel.row(z) {
                let site = inputs.site(j);
                let capable = site.can_host.contains(&s) || site.services.contains(&s);
                if capable && limit.is_none_or(|mx| m <= mx) {
                    reachable = true;
                }
                if hosts(j, s) && best.is_none_or(|(_, bm)| m < bm) {
                    best = Some((j, m));
                }
            }
            let cov = best.is_some_and(|(_, m)| limit.is_none_or(|mx| m <= mx));
            if cov && need > 0.0 {
                need_cov += need;
                e.travel += need * best.map_or(0.0, |b| b.1);
            }
            nearest.push(best);
            covered.push(cov);
            rule.push(need > 0.0 && reachable);
        }
        e.nearest.push(nearest);
        e.covered.push(covered);
        e.in_rule.push(rule);
        e.need_covered.push(need_cov);
    }
    e
}

/// The value of objective `kind` for an evaluation, in its own sense
/// (`min_cost`: annual + opening + conversion costs; `max_coverage`: Σ need
/// covered over planned services; `min_travel`: Σ need × minutes over covered pairs).
pub fn service_objective(e: &ServiceEvaluation, kind: ObjectiveKind) -> f64 {
    match kind {
        ObjectiveKind::MinCost => e.annual_cost + e.opening_cost + e.conversion_cost,
        ObjectiveKind::MaxCoverage => e.need_covered.iter().sum(),
        ObjectiveKind::MinTravel => e.travel,
    }
}

/// Every hard rule a decision breaks, as sentences naming ids. Empty means feasible.
///
/// Complexity: O(services·pairs + sites·services + |rules|).
pub fn service_violations(
    inputs: &Inputs,
    rules: &ServiceRules,
    open: &[bool],
    hosting: &[Vec<ServiceIdx>],
) -> Vec<String> {
    let mut v = Vec::new();
    if open.len() != inputs.sites.len() || hosting.len() != inputs.sites.len() {
        v.push(format!(
            "{} open flags and {} host lists for {} sites",
            open.len(),
            hosting.len(),
            inputs.sites.len()
        ));
        return v;
    }
    let tol = |x: f64| 1e-9 * x.abs().max(1.0);
    let services = planned_services(inputs, rules);
    let on = |j: SiteIdx, s: ServiceIdx| open[j.index()] && hosting[j.index()].contains(&s);
    for j in inputs.site_indices() {
        let site = inputs.site(j);
        for &s in &hosting[j.index()] {
            if !(site.can_host.contains(&s) || site.services.contains(&s)) {
                v.push(format!("site {} hosts {} which it cannot", site.id, svc_id(inputs, s)));
            }
            if !services.contains(&s) {
                v.push(format!(
                    "site {} hosts {} which is not planned",
                    site.id,
                    svc_id(inputs, s)
                ));
            }
        }
    }
    for &j in &rules.keep {
        if !open[j.index()] {
            v.push(format!("site {} must be kept but is closed", inputs.site(j).id));
        }
    }
    for &j in &rules.close {
        if open[j.index()] {
            v.push(format!("site {} must be closed but is open", inputs.site(j).id));
        }
    }
    for &(j, s) in &rules.keep_service {
        if !on(j, s) {
            v.push(format!(
                "site {} must host {} but does not",
                inputs.site(j).id,
                svc_id(inputs, s)
            ));
        }
    }
    for &(j, s) in &rules.close_service {
        if on(j, s) {
            v.push(format!(
                "site {} must not host {} but does",
                inputs.site(j).id,
                svc_id(inputs, s)
            ));
        }
    }
    let e = evaluate_services(inputs, rules, open, hosting);
    for j in inputs.site_indices() {
        if let Some(c) = inputs.site(j).capacity {
            if open[j.index()] && e.space_used[j.index()] > c + tol(c) {
                v.push(format!(
                    "site {} uses space {} of its capacity {c}",
                    inputs.site(j).id,
                    e.space_used[j.index()]
                ));
            }
        }
    }
    if let Some(b) = rules.annual_budget {
        if e.annual_cost > b + tol(b) {
            v.push(format!("annual cost {:.2} exceeds the budget {b:.2}", e.annual_cost));
        }
    }
    if let Some(t) = rules.savings_target {
        let before: f64 = inputs
            .sites
            .iter()
            .filter(|s| s.status == SiteStatus::Existing)
            .map(|s| s.annual_cost)
            .sum();
        if before - e.annual_cost < t - tol(t) {
            v.push(format!(
                "annual saving {:.2} is below the target {t:.2}",
                before - e.annual_cost
            ));
        }
    }
    if let Some(b) = rules.capital_budget {
        let c = e.opening_cost + e.conversion_cost;
        if c > b + tol(b) {
            v.push(format!("one-off cost {c:.2} exceeds the capital budget {b:.2}"));
        }
    }
    let (lo, hi) = count_bounds(rules, inputs.sites.len());
    if e.open_sites < lo as usize || e.open_sites > hi as usize {
        v.push(format!("{} sites open, the rules ask for {lo}..={hi}", e.open_sites));
    }
    if rules.min_hubs_per_district > 0 {
        for (name, sites) in districts(inputs) {
            let hubs = sites.iter().filter(|j| e.hub[j.index()]).count();
            if hubs < rules.min_hubs_per_district as usize {
                v.push(format!(
                    "district {name} has {hubs} family hubs, the rules ask for {}",
                    rules.min_hubs_per_district
                ));
            }
        }
    }
    let all = matches!(rules.objective, ObjectiveKind::MinCost | ObjectiveKind::MinTravel);
    for (k, &s) in services.iter().enumerate() {
        for z in inputs.zone_indices() {
            let must = all || in_equity(inputs, rules, z);
            if must && inputs.need(z, Some(s)) > 0.0 && !e.in_rule[k][z.index()] {
                if let Some(own) = beyond_limit_of(inputs, rules, z, s) {
                    let after = e.nearest[k][z.index()].map(|(_, m)| m);
                    if after.is_none_or(|m| m > own) {
                        v.push(format!(
                            "zone {} is beyond the limit for {} today and may be at most {own} minutes from a site \
                             hosting it (access.beyond_limit = {}), but is {}",
                            inputs.zone(z).id,
                            svc_id(inputs, s),
                            rules.beyond_limit.name(),
                            after.map_or("out of reach".to_string(), |m| format!("{m} minutes away"))
                        ));
                    }
                }
            }
            if must && e.in_rule[k][z.index()] && !e.covered[k][z.index()] {
                v.push(format!(
                    "zone {} is not within reach of a site hosting {}{}",
                    inputs.zone(z).id,
                    svc_id(inputs, s),
                    if all { "" } else { " (equity rule)" }
                ));
            }
        }
    }
    v
}

fn close_enough(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// User-sense value of a minimisation value of objective `kind`.
fn user(kind: ObjectiveKind, mapped: &MappedServices, v: f64) -> f64 {
    match kind {
        ObjectiveKind::MaxCoverage => mapped.client_need - v,
        _ => v,
    }
}

/// Re-checks every hard rule and recomputes both objectives independently.
fn certify(
    inputs: &Inputs,
    rules: &ServiceRules,
    mapped: &MappedServices,
    out: &ServiceOutcome,
    open: &[bool],
    hosting: &[Vec<ServiceIdx>],
    assignment: Option<&ServiceAssignment>,
) -> Result<()> {
    let mut v = service_violations(inputs, rules, open, hosting);
    if rules.capacity.is_some() {
        let empty = ServiceAssignment::default();
        v.extend(crate::evaluate::check_service_assignment(
            inputs,
            rules,
            open,
            hosting,
            assignment.unwrap_or(&empty),
        ));
    }
    if !v.is_empty() {
        return Err(Error::Certification(format!(
            "the {} solver returned a co-location plan that breaks {} rule(s): {}",
            out.solver,
            v.len(),
            v.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
        )));
    }
    let e = evaluate_services_assigned(inputs, rules, open, hosting, assignment);
    let last = rules.then.unwrap_or(rules.objective);
    let recomputed = service_objective(&e, last);
    let claimed = user(last, mapped, out.objective);
    if !close_enough(recomputed, claimed) {
        return Err(Error::Certification(format!(
            "the {} solver claims {} = {claimed} but the plan evaluates to {recomputed}",
            out.solver,
            last.name()
        )));
    }
    if let (Some(_), Some(first)) = (rules.then, out.stages.first()) {
        let v1 = user(rules.objective, mapped, first.value);
        let now = service_objective(&e, rules.objective);
        let slack = rules.lex_tolerance * v1.abs() + 1e-6 + 1e-6 * v1.abs().max(1.0);
        let worse = match rules.objective {
            ObjectiveKind::MaxCoverage => v1 - now,
            _ => now - v1,
        };
        if worse > slack {
            return Err(Error::Certification(format!(
                "the second stage worsened {} from {v1} to {now}, beyond the tolerance",
                rules.objective.name()
            )));
        }
    }
    let bound = user(last, mapped, out.bound);
    let ok = match last {
        ObjectiveKind::MaxCoverage => bound >= recomputed - 1e-6 * recomputed.abs().max(1.0),
        _ => bound <= recomputed + 1e-6 * recomputed.abs().max(1.0),
    };
    if !ok {
        return Err(Error::Certification(format!(
            "the {} solver's bound {bound} is on the wrong side of its objective {recomputed}",
            out.solver
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Planning.
// ---------------------------------------------------------------------------

/// Plans services and co-location: check, map, solve, certify, assemble.
///
/// # Arguments
/// * `inputs` — sites (with `services`, `can_host`, `capacity`), zones, services, travel times.
/// * `rules` — the co-location rules and objective(s).
///
/// # Returns
/// A [`ServicePlan`]: optimal; feasible (time-limited, with bound and gap);
/// infeasible (with [`ServiceInfeasibility`]; the status quo is shown); or
/// unknown (no plan within the time limit).
///
/// # Errors
/// [`Error::Invalid`] / [`Error::Contradiction`] from [`check_rules`];
/// [`Error::Unavailable`] for a back end not compiled in; [`Error::Solver`];
/// [`Error::Certification`] when the independent check fails (a bug).
///
/// # Complexity
/// Dominated by the MIP; mapping, evaluation and assembly are O(services·pairs + sites·services).
pub fn plan_services(inputs: &Inputs, rules: &ServiceRules) -> Result<ServicePlan> {
    check_rules(inputs, rules)?;
    let mapped = map_services(inputs, rules);
    let t0 = Instant::now();
    let out = run(&mapped.instance, &rules.solver)?;
    let report = SolverReport {
        backend: out.solver.clone(),
        nodes: 0,
        seconds: t0.elapsed().as_secs_f64(),
        clients: out.model_clients,
        free_sites: mapped
            .instance
            .sites
            .iter()
            .filter(|s| s.fixing == Fixing::Free)
            .count(),
        ..SolverReport::default()
    };
    let last = rules.then.unwrap_or(rules.objective);
    match out.status {
        Status::Optimal | Status::Feasible => {
            let open = out.decision.open.clone();
            let hosting = hosting_of(&mapped, &out.decision);
            let assignment = assignment_of(inputs, &mapped, &out.flows);
            certify(inputs, rules, &mapped, &out, &open, &hosting, assignment.as_ref())?;
            let status = if out.status == Status::Optimal {
                PlanStatus::Optimal
            } else {
                PlanStatus::Feasible
            };
            let e = evaluate_services_assigned(inputs, rules, &open, &hosting, assignment.as_ref());
            let objective = service_objective(&e, last);
            let bound = user(last, &mapped, out.bound);
            // The gap the bound proves, also for a plan proven within the requested gap.
            let gap = match rel_gap(objective, bound) {
                g if status == PlanStatus::Optimal && !g.is_finite() => 0.0,
                g => g,
            };
            let head = Head {
                status,
                objective,
                bound,
                gap,
                primary: service_objective(&e, rules.objective),
            };
            let mut plan = assemble(inputs, rules, &mapped, open, hosting, head, None, report);
            if let Some(a) = assignment {
                crate::colocate_capacity::attach(inputs, rules, &mapped, &mut plan, a);
            }
            Ok(plan)
        }
        Status::Infeasible => {
            let inf = diagnose(inputs, rules)?;
            let (open, hosting) = status_quo(inputs, rules);
            let head = Head {
                status: PlanStatus::Infeasible,
                objective: f64::NAN,
                bound: f64::NAN,
                gap: f64::NAN,
                primary: f64::NAN,
            };
            Ok(assemble(inputs, rules, &mapped, open, hosting, head, Some(inf), report))
        }
        _ => {
            let (open, hosting) = status_quo(inputs, rules);
            let bound = user(last, &mapped, out.bound);
            let head = Head {
                status: PlanStatus::Unknown,
                objective: f64::NAN,
                bound,
                gap: f64::NAN,
                primary: f64::NAN,
            };
            Ok(assemble(inputs, rules, &mapped, open, hosting, head, None, report))
        }
    }
}

/// Rebuilds a [`ServicePlan`] for a known decision without solving (e.g. from a
/// saved plan.json): which sites are open and which planned services each hosts.
/// Access before and after, decisions and totals are recomputed from the inputs
/// by the evaluator; status, objectives, bound and gap are taken as given. Check
/// the decision with [`service_violations`] before trusting it.
#[allow(clippy::too_many_arguments)]
pub fn service_plan_for_decision(
    inputs: &Inputs,
    rules: &ServiceRules,
    open: Vec<bool>,
    hosting: Vec<Vec<ServiceIdx>>,
    status: PlanStatus,
    objective: f64,
    bound: f64,
    gap: f64,
    primary_objective: f64,
) -> ServicePlan {
    let mapped = map_services(inputs, rules);
    let head = Head {
        status,
        objective,
        bound,
        gap,
        primary: primary_objective,
    };
    assemble(
        inputs,
        rules,
        &mapped,
        open,
        hosting,
        head,
        None,
        SolverReport::default(),
    )
}

/// [`service_plan_for_decision`] with the assignment of the capacitated services
/// (e.g. plan.json's `capacity.services[].placed`), so that the plan's demand
/// capacity (utilisation, reasons, warnings: [`ServicePlan::capacity`]) is rebuilt
/// too. The assignment is first checked by the independent
/// [`crate::evaluate::check_service_assignment`].
///
/// # Errors
/// [`Error::Certification`] naming the broken rules when the assignment places
/// need outside the limit, in a building not hosting the service, above a
/// `max_users`, or leaves required need unplaced.
#[allow(clippy::too_many_arguments)]
pub fn service_plan_for_assignment(
    inputs: &Inputs,
    rules: &ServiceRules,
    open: Vec<bool>,
    hosting: Vec<Vec<ServiceIdx>>,
    assignment: ServiceAssignment,
    status: PlanStatus,
    objective: f64,
    bound: f64,
    gap: f64,
    primary_objective: f64,
) -> Result<ServicePlan> {
    let v = crate::evaluate::check_service_assignment(inputs, rules, &open, &hosting, &assignment);
    if !v.is_empty() {
        return Err(Error::Certification(format!(
            "the saved assignment breaks {} rule(s): {}",
            v.len(),
            v.into_iter().take(3).collect::<Vec<_>>().join("; ")
        )));
    }
    let mapped = map_services(inputs, rules);
    let head = Head {
        status,
        objective,
        bound,
        gap,
        primary: primary_objective,
    };
    let mut plan = assemble(
        inputs,
        rules,
        &mapped,
        open,
        hosting,
        head,
        None,
        SolverReport::default(),
    );
    crate::colocate_capacity::attach(inputs, rules, &mapped, &mut plan, assignment);
    Ok(plan)
}

fn rel_gap(objective: f64, bound: f64) -> f64 {
    if !objective.is_finite() || !bound.is_finite() {
        return f64::INFINITY;
    }
    if objective == bound {
        return 0.0;
    }
    (objective - bound).abs() / objective.abs().max(1e-9)
}

/// The assignment of the capacitated services in users per zone and site,
/// from the solver's shares; `None` when no planned service has a capacity.
fn assignment_of(inputs: &Inputs, mapped: &MappedServices, flows: &sv::ServiceFlows) -> Option<ServiceAssignment> {
    let cap = mapped.instance.capacitated_services();
    if !cap.contains(&true) {
        return None;
    }
    let mut per_service: Vec<Option<ZoneAssignment>> = cap
        .iter()
        .map(|&c| c.then(|| vec![Vec::new(); inputs.zones.len()]))
        .collect();
    for (i, &(z, k)) in mapped.clients.iter().enumerate() {
        let need = mapped.instance.room(i);
        let (Some(list), true) = (per_service[k].as_mut(), need > 0.0) else {
            continue;
        };
        for &(site, share) in flows.get(i).map(Vec::as_slice).unwrap_or(&[]) {
            list[z.index()].push((SiteIdx(site), share * need));
        }
    }
    Some(ServiceAssignment { per_service })
}

/// The services each site hosts under a solver decision.
fn hosting_of(mapped: &MappedServices, d: &sv::Decision) -> Vec<Vec<ServiceIdx>> {
    mapped
        .instance
        .sites
        .iter()
        .enumerate()
        .map(|(j, site)| {
            let open = d.open.get(j).copied().unwrap_or(false);
            site.hosts
                .iter()
                .enumerate()
                .filter(|&(k, _)| open && d.host.get(j).and_then(|h| h.get(k)).copied().unwrap_or(false))
                .map(|(_, h)| mapped.services[h.service as usize])
                .collect()
        })
        .collect()
}

/// Today: existing sites open, hosting the planned services they host.
pub fn status_quo(inputs: &Inputs, rules: &ServiceRules) -> (Vec<bool>, Vec<Vec<ServiceIdx>>) {
    let planned = planned_services(inputs, rules);
    let open: Vec<bool> = inputs.sites.iter().map(|s| s.status == SiteStatus::Existing).collect();
    let hosting = inputs
        .sites
        .iter()
        .map(|s| {
            if s.status == SiteStatus::Existing {
                sorted(&s.services)
                    .into_iter()
                    .filter(|x| planned.contains(x))
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    (open, hosting)
}

struct Head {
    status: PlanStatus,
    objective: f64,
    bound: f64,
    gap: f64,
    primary: f64,
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    inputs: &Inputs,
    rules: &ServiceRules,
    mapped: &MappedServices,
    open: Vec<bool>,
    hosting: Vec<Vec<ServiceIdx>>,
    head: Head,
    infeasibility: Option<ServiceInfeasibility>,
    solver: SolverReport,
) -> ServicePlan {
    let services = mapped.services.clone();
    let (open0, hosting0) = status_quo(inputs, rules);
    let before = evaluate_services(inputs, rules, &open0, &hosting0);
    let after = evaluate_services(inputs, rules, &open, &hosting);
    let mut t = ServiceTotals::default();
    let mut sites = Vec::with_capacity(inputs.sites.len());
    for j in inputs.site_indices() {
        let site = inputs.site(j);
        let (b, a) = (open0[j.index()], open[j.index()]);
        let decision = match (site.status, a) {
            (SiteStatus::Existing, true) => Decision::Keep,
            (SiteStatus::Existing, false) => Decision::Close,
            (SiteStatus::Candidate, true) => Decision::Open,
            (SiteStatus::Candidate, false) => Decision::Unused,
        };
        let hb: Vec<ServiceIdx> = if b { hosting0[j.index()].clone() } else { Vec::new() };
        let ha: Vec<ServiceIdx> = if a { sorted(&hosting[j.index()]) } else { Vec::new() };
        let mut changes = Vec::new();
        for &s in &services {
            let change = match (hb.contains(&s), ha.contains(&s)) {
                (true, true) => Some(HostChange::Stays),
                (false, true) => Some(HostChange::MovedIn),
                (true, false) => Some(HostChange::MovedOut),
                (false, false) => None,
            };
            if let Some(c) = change {
                match c {
                    HostChange::MovedIn => t.moves_in += 1,
                    HostChange::MovedOut => t.moves_out += 1,
                    HostChange::Stays => {}
                }
                changes.push((s, c));
            }
        }
        if b {
            t.sites_before += 1;
            t.annual_cost_before += site.annual_cost;
        }
        if a {
            t.sites_after += 1;
            t.annual_cost_after += site.annual_cost;
        }
        if b && !a {
            t.sites_closed += 1;
            t.backlog_removed += site.backlog;
            t.disposal_receipts += site.disposal_receipt;
        }
        if !b && a {
            t.sites_opened += 1;
            t.opening_cost += site.open_cost;
        }
        sites.push(ServiceSitePlan {
            decision,
            hosting: changes,
            hosts_after: ha.into_iter().filter(|s| services.contains(s)).collect(),
            hub_before: before.hub[j.index()],
            hub_after: after.hub[j.index()],
            space_used: after.space_used[j.index()],
        });
    }
    t.annual_saving = t.annual_cost_before - t.annual_cost_after;
    t.conversion_cost = after.conversion_cost;
    t.hubs_before = before.hub.iter().filter(|&&h| h).count();
    t.hubs_after = after.hub.iter().filter(|&&h| h).count();
    for (name, ss) in districts(inputs) {
        let count = |h: &[bool]| ss.iter().filter(|j| h[j.index()]).count();
        t.hubs_per_district.push((name, count(&before.hub), count(&after.hub)));
    }
    let mut zones = Vec::with_capacity(services.len());
    let mut unreachable = Vec::new();
    for (k, &s) in services.iter().enumerate() {
        let mut c = ServiceCoverage {
            service: Some(s),
            max_minutes: service_limit(inputs, rules, s),
            ..Default::default()
        };
        let un = &mapped.unreachable[k];
        let mut zs = Vec::with_capacity(inputs.zones.len());
        for z in inputs.zone_indices() {
            let need = inputs.need(z, Some(s));
            let unreach = un.binary_search(&z).is_ok();
            c.need_total += need;
            if unreach {
                c.need_unreachable += need;
            }
            zs.push(ServiceZonePlan {
                need,
                before: before.nearest[k][z.index()],
                after: after.nearest[k][z.index()],
                covered_before: before.covered[k][z.index()],
                covered_after: after.covered[k][z.index()],
                unreachable: unreach,
                equity: in_equity(inputs, rules, z),
            });
        }
        c.need_covered_before = before.need_covered[k];
        c.need_covered_after = after.need_covered[k];
        c.sites_before = hosting0
            .iter()
            .zip(&open0)
            .filter(|(h, &o)| o && h.contains(&s))
            .count();
        c.sites_after = hosting.iter().zip(&open).filter(|(h, &o)| o && h.contains(&s)).count();
        t.per_service.push(c);
        zones.push(zs);
        if !un.is_empty() {
            unreachable.push(Unreachable {
                service: s,
                zones: un.clone(),
            });
        }
    }
    ServicePlan {
        status: head.status,
        objective_kind: rules.objective,
        then: rules.then,
        objective: head.objective,
        bound: head.bound,
        gap: head.gap,
        primary_objective: head.primary,
        services,
        open,
        sites,
        zones,
        totals: t,
        unreachable,
        infeasibility,
        solver,
        capacity: None,
    }
}

// ---------------------------------------------------------------------------
// Diagnosis.
// ---------------------------------------------------------------------------

/// Works out why co-location rules are infeasible.
///
/// - Per service, required zones whose every capable site within the limit is
///   forced closed (site or service) are blamed on those closures.
/// - A site that is the only unblocked site within reach of required zones
///   for several services (plus the services forced there), whose space those
///   services exceed, is blamed on its capacity, with the zones.
/// - Otherwise the annual budget (with the savings target), the capital
///   budget, the site count and the hubs rule are dropped one at a time and the
///   rest re-solved at least cost: each limit whose removal restores
///   feasibility is blamed, with the least-cost plan's value of what it limits.
///
/// # Errors
/// As [`plan_services`] for the re-solves.
pub fn diagnose(inputs: &Inputs, rules: &ServiceRules) -> Result<ServiceInfeasibility> {
    let mut inf = ServiceInfeasibility::default();
    let mapped = map_services(inputs, rules);
    // Per site: services it must host (forced, or the only unblocked site of a required client).
    type Must = (Vec<ServiceIdx>, Vec<(ZoneIdx, ServiceIdx)>);
    let mut must: BTreeMap<SiteIdx, Must> = BTreeMap::new();
    for &(j, s) in &rules.keep_service {
        must.entry(j).or_default().0.push(s);
    }
    let beyond_zone = |z: ZoneIdx, s: ServiceIdx| crate::plan::BeyondLimitZone {
        zone: z,
        minutes_today: baseline_minutes(inputs, z, s).unwrap_or(f64::INFINITY),
        limit: beyond_limit_of(inputs, rules, z, s).unwrap_or(f64::INFINITY),
    };
    for (p, &s) in mapped.services.iter().enumerate() {
        let mut closed_zones = Vec::new();
        let mut closed_sites = Vec::new();
        let mut closed_beyond = Vec::new();
        let mut closed_beyond_sites = Vec::new();
        for (c, &(z, cp)) in mapped.instance.clients.iter().zip(&mapped.clients) {
            if cp != p || c.coverage != Coverage::Required {
                continue;
            }
            let sites: Vec<SiteIdx> = c.arcs.iter().map(|a| SiteIdx(a.site)).collect();
            let blocked = |j: &SiteIdx| rules.close.contains(j) || rules.close_service.contains(&(*j, s));
            let open: Vec<SiteIdx> = sites.iter().copied().filter(|j| !blocked(j)).collect();
            match open.as_slice() {
                [] if !sites.is_empty() && mapped.unreachable[p].contains(&z) => {
                    closed_beyond.push(beyond_zone(z, s));
                    closed_beyond_sites.extend(sites);
                }
                [] => {
                    closed_zones.push(z);
                    closed_sites.extend(sites);
                }
                [j] => {
                    let e = must.entry(*j).or_default();
                    e.0.push(s);
                    e.1.push((z, s));
                }
                _ => {}
            }
        }
        if !closed_zones.is_empty() {
            inf.blockers.push(ServiceBlocker::ForcedClosures {
                service: s,
                zones: closed_zones,
                sites: sorted(&closed_sites),
            });
        }
        if !closed_beyond.is_empty() {
            inf.blockers.push(ServiceBlocker::BeyondLimit {
                service: s,
                rule: rules.beyond_limit,
                zones: closed_beyond,
                sites: sorted(&closed_beyond_sites),
            });
        }
    }
    for (j, (services, zones)) in must {
        let services = sorted(&services);
        let space: f64 = services.iter().map(|s| inputs.services[s.index()].space).sum();
        if let Some(capacity) = inputs.site(j).capacity {
            if space > capacity + 1e-9 && !zones.is_empty() {
                inf.blockers.push(ServiceBlocker::Capacity {
                    site: j,
                    services,
                    zones,
                    space,
                    capacity,
                });
            }
        }
    }
    // Demand capacity: with every building open that may open, the need that still does not fit.
    if inf.blockers.is_empty() {
        for (service, missing, zones, full_sites) in crate::colocate_capacity::diagnose_demand(inputs, &mapped) {
            inf.blockers.push(ServiceBlocker::DemandCapacity {
                service,
                zones,
                full_sites,
                missing,
            });
        }
    }
    if !inf.blockers.is_empty() {
        return Ok(inf);
    }
    let base = {
        let mut r = rules.clone();
        r.then = None;
        r
    };
    let least_cost = |r: &ServiceRules| -> Result<Option<ServiceOutcome>> {
        let mut m = map_services(inputs, r);
        m.instance.objective = ServiceObjective::MinCost;
        m.instance.then = None;
        let o = run(&m.instance, &r.solver)?;
        Ok(matches!(o.status, Status::Optimal | Status::Feasible).then_some(o))
    };
    // Pairs beyond the limit today: is their own limit what blocks? Re-solve with
    // them optional (every other rule still hard), keeping the most need of them.
    if rules.beyond_limit != BeyondLimit::Ignore {
        for (service, zones) in beyond_blockers(inputs, &base)? {
            inf.blockers.push(ServiceBlocker::BeyondLimit {
                service,
                rule: rules.beyond_limit,
                zones: zones.into_iter().map(|z| beyond_zone(z, service)).collect(),
                sites: Vec::new(),
            });
        }
    }
    let before: f64 = inputs
        .sites
        .iter()
        .filter(|s| s.status == SiteStatus::Existing)
        .map(|s| s.annual_cost)
        .sum();
    if rules.annual_budget.is_some() || rules.savings_target.is_some() {
        let mut r = base.clone();
        r.annual_budget = None;
        r.savings_target = None;
        if let Some(o) = least_cost(&r)? {
            let limit = match (rules.annual_budget, rules.savings_target) {
                (Some(b), Some(t)) => b.min(before - t),
                (Some(b), None) => b,
                (None, Some(t)) => before - t,
                (None, None) => f64::NAN,
            };
            let rule = if rules.savings_target.is_some() {
                LimitRule::AnnualBudgetOrSavingsTarget
            } else {
                LimitRule::AnnualBudget
            };
            inf.blockers.push(ServiceBlocker::Limit {
                rule,
                limit,
                plan_value: o.values.annual_cost,
            });
        }
    }
    if let Some(b) = rules.capital_budget {
        let mut r = base.clone();
        r.capital_budget = None;
        if let Some(o) = least_cost(&r)? {
            inf.blockers.push(ServiceBlocker::Limit {
                rule: LimitRule::CapitalBudget,
                limit: b,
                plan_value: o.values.capital_cost,
            });
        }
    }
    if rules.sites != SiteCount::default() {
        let mut r = base.clone();
        r.sites = SiteCount::default();
        if let Some(o) = least_cost(&r)? {
            let (lo, hi) = count_bounds(rules, inputs.sites.len());
            let limit = if (o.values.open_sites as u32) < lo { lo } else { hi };
            inf.blockers.push(ServiceBlocker::Limit {
                rule: LimitRule::SiteCount,
                limit: limit as f64,
                plan_value: o.values.open_sites as f64,
            });
        }
    }
    if rules.min_hubs_per_district > 0 {
        let mut r = base.clone();
        r.min_hubs_per_district = 0;
        if least_cost(&r)?.is_some() {
            inf.blockers.push(ServiceBlocker::Limit {
                rule: LimitRule::MinHubsPerDistrict,
                limit: rules.min_hubs_per_district as f64,
                plan_value: 0.0,
            });
        }
    }
    if inf.blockers.is_empty() {
        inf.blockers.push(ServiceBlocker::Combination);
    }
    Ok(inf)
}

/// The (service, zones) pairs beyond the limit today that block `rules`: empty
/// when there are none or when the rules stay infeasible even with them left
/// out; else, per service, the zones that the plan keeping the most need of them
/// within their own limits, under every other rule, still leaves beyond it.
fn beyond_blockers(inputs: &Inputs, rules: &ServiceRules) -> Result<Vec<(ServiceIdx, Vec<ZoneIdx>)>> {
    let mut m = map_services(inputs, rules);
    let beyond: Vec<bool> = m.clients.iter().map(|&(z, p)| m.unreachable[p].contains(&z)).collect();
    if !beyond.iter().any(|&b| b) {
        return Ok(Vec::new());
    }
    for ((c, &(z, p)), &b) in m.instance.clients.iter_mut().zip(&m.clients).zip(&beyond) {
        if b {
            c.coverage = Coverage::Optional;
            c.need = inputs.need(z, Some(m.services[p])).max(1e-9);
        } else {
            c.need = 0.0;
        }
    }
    m.instance.objective = ServiceObjective::MaxCoverage;
    m.instance.then = None;
    let o = run(&m.instance, &rules.solver)?;
    if !matches!(o.status, Status::Optimal | Status::Feasible) || o.decision.open.is_empty() {
        return Ok(Vec::new());
    }
    let hosting = hosting_of(&m, &o.decision);
    let mut out: Vec<(ServiceIdx, Vec<ZoneIdx>)> = m.services.iter().map(|&s| (s, Vec::new())).collect();
    for ((c, &(z, p)), &b) in m.instance.clients.iter().zip(&m.clients).zip(&beyond) {
        let s = m.services[p];
        if b && !c.arcs.iter().any(|a| hosting[a.site as usize].contains(&s)) {
            out[p].1.push(z);
        }
    }
    out.retain(|(_, zs)| !zs.is_empty());
    Ok(out)
}
