//! The result of planning: a decision for every site, the access of every zone, totals.

use serde::{Deserialize, Serialize};

use crate::ids::{SiteIdx, ZoneIdx};
use crate::scenario::{BeyondLimit, ObjectiveKind};

/// The honest status of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlanStatus {
    /// Proven optimal (within the scenario's gap).
    Optimal,
    /// A plan that meets every rule, not proven optimal (time limit); see bound and gap.
    Feasible,
    /// No plan meets every rule; see [`Plan::infeasibility`].
    Infeasible,
    /// The time limit passed before any plan was found, and infeasibility was not proven.
    Unknown,
}

impl PlanStatus {
    /// The name written in outputs.
    pub fn name(self) -> &'static str {
        match self {
            PlanStatus::Optimal => "optimal",
            PlanStatus::Feasible => "feasible",
            PlanStatus::Infeasible => "infeasible",
            PlanStatus::Unknown => "unknown",
        }
    }
}

/// What happens to a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// An existing site stays open.
    Keep,
    /// An existing site closes.
    Close,
    /// A candidate site opens.
    Open,
    /// A candidate site is not opened.
    Unused,
}

impl Decision {
    /// The name written in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Keep => "keep",
            Decision::Close => "close",
            Decision::Open => "open",
            Decision::Unused => "unused",
        }
    }

    /// True for keep and open.
    pub fn is_open(self) -> bool {
        matches!(self, Decision::Keep | Decision::Open)
    }
}

/// One site's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct SitePlan {
    /// Keep, close, open or unused.
    pub decision: Decision,
    /// Zones whose nearest open site this is, after the plan; under demand
    /// capacity, the zones the plan's assignment places here (a split zone counts
    /// at each of its buildings).
    pub zones_served: u32,
    /// Their need (under demand capacity, the users placed here).
    pub need_served: f64,
    /// Zones whose nearest site this is today (status quo).
    pub zones_served_before: u32,
}

/// Where a zone gets its service, before and after.
#[derive(Clone, Debug, PartialEq)]
pub struct ZonePlan {
    /// Nearest open site and minutes in the status quo (existing sites open).
    pub before: Option<(SiteIdx, f64)>,
    /// Nearest open site and minutes after the plan; under demand capacity, the zone's
    /// main building in the plan's assignment (the one taking most of its users).
    pub after: Option<(SiteIdx, f64)>,
    /// Covered in the status quo.
    pub covered_before: bool,
    /// Covered after the plan.
    pub covered_after: bool,
    /// No site at all, even with every site open, is within the limit: reported; under the
    /// rule only through `access.beyond_limit` (see [`ZonePlan::limit`]).
    pub unreachable: bool,
    /// The limit the access rule set for this zone, in minutes: `max_minutes` for a zone
    /// some site reaches within it, its own limit for a zone beyond the limit today
    /// (`access.beyond_limit`), `None` when the rule leaves it out.
    pub limit: Option<f64>,
}

/// Money and people, before and after.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Open sites in the status quo.
    pub sites_before: usize,
    /// Open sites after.
    pub sites_after: usize,
    /// Existing sites closed.
    pub sites_closed: usize,
    /// Candidates opened.
    pub sites_opened: usize,
    /// Σ annual_cost of status-quo sites.
    pub annual_cost_before: f64,
    /// Σ annual_cost of open sites after.
    pub annual_cost_after: f64,
    /// before − after.
    pub annual_saving: f64,
    /// Σ backlog of closed sites.
    pub backlog_removed: f64,
    /// Σ open_cost of opened candidates (one-off).
    pub opening_cost: f64,
    /// Σ disposal_receipt of closed sites (one-off).
    pub disposal_receipts: f64,
    /// Σ need over all zones.
    pub need_total: f64,
    /// Σ need of zones covered before.
    pub need_covered_before: f64,
    /// Σ need of zones covered after.
    pub need_covered_after: f64,
    /// Σ need of zones unreachable at baseline.
    pub need_unreachable: f64,
    /// Zones unreachable at baseline.
    pub zones_unreachable: usize,
    /// Mean minutes to the nearest open site, weighted by need, before (zones with a reachable site);
    /// NaN when no zone with need reaches an open site (written as `null`, never as 0 minutes).
    pub mean_minutes_before: f64,
    /// The same after.
    pub mean_minutes_after: f64,
}

/// A zone whose journey grows by at least the worse-off threshold (`report.worse_off_minutes`).
#[derive(Clone, Debug, PartialEq)]
pub struct WorseOff {
    /// The zone.
    pub zone: ZoneIdx,
    /// Minutes to its nearest open site today.
    pub minutes_before: f64,
    /// Minutes to its nearest open site after (`None`: no open site reachable).
    pub minutes_after: Option<f64>,
    /// The building whose closure caused the change (its nearest site today).
    pub cause: SiteIdx,
}

impl WorseOff {
    /// Minutes added (infinite when no open site is reachable after).
    pub fn increase(&self) -> f64 {
        self.minutes_after.map_or(f64::INFINITY, |a| a - self.minutes_before)
    }
}

/// Journeys by IMD decile: who gains and who loses, before and after.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DecileTotals {
    /// The decile (1 = most deprived), `None` for zones without one.
    pub imd_decile: Option<u8>,
    /// Zones in it.
    pub zones: usize,
    /// Their need.
    pub need: f64,
    /// Zones with a longer journey after than before (by any amount; or no open site).
    pub zones_longer: usize,
    /// Their need.
    pub need_longer: f64,
    /// Zones on the worse-off list.
    pub zones_worse_off: usize,
    /// Their need.
    pub need_worse_off: f64,
    /// Need-weighted mean minutes before (zones with a site before).
    pub mean_minutes_before: f64,
    /// Need-weighted mean minutes after (zones with a site after).
    pub mean_minutes_after: f64,
}

/// Something that makes a scenario infeasible.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Blocker {
    /// These zones can only be covered by sites that the scenario forces closed.
    ForcedClosures {
        /// The zones left without a site within the limit.
        zones: Vec<ZoneIdx>,
        /// The forced closures that would have covered them.
        sites: Vec<SiteIdx>,
    },
    /// The cheapest plan that covers every zone costs more than the budget.
    Budget {
        /// The budget.
        budget: f64,
        /// The least annual cost that meets the rule (with the forced sites).
        least_cost: Option<f64>,
        /// Zones left uncovered by the best plan within the budget.
        zones: Vec<ZoneIdx>,
    },
    /// The exact site count is too small (or too large) to cover every zone.
    SiteCount {
        /// Sites asked for.
        sites: u32,
        /// How many sites at least meet the rule: the fewest when a solver
        /// proved it, else a proven lower bound above `sites`.
        least_sites: Option<u32>,
        /// Zones left uncovered by the best plan with that many sites.
        zones: Vec<ZoneIdx>,
    },
    /// Budget and site count together, each feasible alone.
    Combination,
    /// Demand capacity (issue 21): with every site open that may open, these
    /// zones' need does not fit into the buildings within their limit.
    Capacity {
        /// Zones whose need cannot all be placed.
        zones: Vec<ZoneIdx>,
        /// The buildings within reach of those zones that are full.
        full_sites: Vec<SiteIdx>,
        /// Users that cannot be placed (the capacity missing), in the need's unit.
        missing: f64,
    },
    /// Zones beyond the limit today, held to their own limit by `access.beyond_limit`
    /// (`no_worse`: their minutes today; `tolerance`: plus the tolerance), that no plan
    /// can keep within it: every site within their own limit is forced closed (`sites`),
    /// or, with `sites` empty, the other rules (budget, site count) cannot also keep
    /// them within it, while leaving them out of the rule (`ignore`) gives a plan.
    BeyondLimit {
        /// The setting that gave them their own limit.
        rule: BeyondLimit,
        /// The zones, with their minutes today and their own limit (zone order).
        zones: Vec<BeyondLimitZone>,
        /// The forced closures (limits.close) that hold every site within their own
        /// limits, sorted; empty when other rules block.
        sites: Vec<SiteIdx>,
    },
}

/// A zone beyond the limit today that blocks a scenario through its own limit
/// (`access.beyond_limit`; [`Blocker::BeyondLimit`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BeyondLimitZone {
    /// The zone.
    pub zone: ZoneIdx,
    /// Minutes to its nearest site today (for a service: the nearest site hosting it today).
    pub minutes_today: f64,
    /// Its own limit, in minutes.
    pub limit: f64,
}

/// Why a plan is infeasible.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Infeasibility {
    /// Each blocking rule, with the zones it blocks.
    pub blockers: Vec<Blocker>,
}

/// Which solver produced a plan, and how hard it worked.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SolverReport {
    /// Back-end name.
    pub backend: String,
    /// Branch-and-bound nodes.
    pub nodes: u64,
    /// Wall-clock seconds of the solve.
    pub seconds: f64,
    /// Zones given to the solver after preprocessing.
    pub clients: usize,
    /// Sites left free (not forced) for the solver.
    pub free_sites: usize,
    /// The search the solver chose (`lp-bb`, `lagrangian-bb`, `mip:…`); empty when not reported.
    pub search: String,
    /// Why the solver chose it (empty when not reported).
    pub why: String,
}

/// A plan: the answer to one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Optimal, feasible, infeasible or unknown.
    pub status: PlanStatus,
    /// The objective it optimised.
    pub objective_kind: ObjectiveKind,
    /// Objective value in the scenario's own sense (NaN without a plan).
    pub objective: f64,
    /// Best proven bound in the same sense (≤ objective for minimisation, ≥ for max_coverage).
    pub bound: f64,
    /// Relative gap |objective − bound| / |objective|: at most the scenario's
    /// `solver.gap` when optimal (0 when the bound equals the objective).
    pub gap: f64,
    /// Open flag per site (status quo when there is no plan).
    pub open: Vec<bool>,
    /// Per site.
    pub sites: Vec<SitePlan>,
    /// Per zone.
    pub zones: Vec<ZonePlan>,
    /// Totals.
    pub totals: Totals,
    /// Zones unreachable at baseline (listed, never dropped).
    pub unreachable: Vec<ZoneIdx>,
    /// Present when infeasible.
    pub infeasibility: Option<Infeasibility>,
    /// Solver details.
    pub solver: SolverReport,
    /// The worse-off threshold used, in minutes (`report.worse_off_minutes`).
    pub worse_off_minutes: f64,
    /// Zones whose journey grows by at least `worse_off_minutes`, largest increase
    /// first (ties: zone index). Empty without a plan.
    pub worse_off: Vec<WorseOff>,
    /// Totals by IMD decile, deciles 1..10 then zones without one (only those present).
    pub by_imd_decile: Vec<DecileTotals>,
    /// Demand capacity: loads, utilisation and warnings; `None` when the scenario has none.
    pub capacity: Option<CapacityReport>,
}

/// One building under demand capacity (issue 21).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SiteLoad {
    /// `max_users`; `None` = unlimited.
    pub max_users: Option<f64>,
    /// Users today: `users_today` when given, else the need of the zones whose
    /// nearest existing building this is (see [`SiteLoad::before_given`]).
    pub users_before: f64,
    /// True when `users_before` is the sites file's `users_today`.
    pub before_given: bool,
    /// Users the plan assigns to it (0 when closed).
    pub users_after: f64,
}

impl SiteLoad {
    /// Users before as a share of `max_users` (`None` when unlimited or 0).
    pub fn utilisation_before(&self) -> Option<f64> {
        self.max_users.filter(|&q| q > 0.0).map(|q| self.users_before / q)
    }
    /// Users after as a share of `max_users`.
    pub fn utilisation_after(&self) -> Option<f64> {
        self.max_users.filter(|&q| q > 0.0).map(|q| self.users_after / q)
    }
}

/// A warning about a capacitated plan.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum CapacityWarning {
    /// A building that receives users is above [`CapacityReport::full_share`] of its capacity.
    NearlyFull {
        /// The building.
        site: SiteIdx,
        /// Users after / max_users.
        utilisation: f64,
    },
    /// The plan relies on split assignment: these zones are shared between buildings,
    /// where families may really go to one place.
    Split {
        /// The zones split between two or more buildings.
        zones: Vec<ZoneIdx>,
    },
}

/// Demand capacity in a plan: who goes where, and how full each building is.
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityReport {
    /// Split or single.
    pub assignment: crate::scenario::Assignment,
    /// Per site, in site order.
    pub sites: Vec<SiteLoad>,
    /// Per zone, the users placed at each building (largest first; ties by site).
    pub placed: Vec<Vec<(SiteIdx, f64)>>,
    /// Need within reach that the plan does not place (only under `max_coverage`).
    pub need_unplaced: f64,
    /// The utilisation above which a receiving building is flagged (0.9).
    pub full_share: f64,
    /// Warnings, in a fixed order (nearly full buildings by site, then split zones).
    pub warnings: Vec<CapacityWarning>,
    /// The capacity reason of each building that has one, in site order
    /// ([`crate::explain::capacity::site_reasons`]), computed once when the plan is
    /// assembled: plan.json and the summary both read it.
    pub reasons: Vec<(SiteIdx, String)>,
}

impl CapacityReport {
    /// The capacity reason of building `s`, if it has one (from [`Self::reasons`]).
    pub fn reason(&self, s: SiteIdx) -> Option<&str> {
        self.reasons.iter().find(|r| r.0 == s).map(|r| r.1.as_str())
    }
}

/// The worse-off list and the totals by IMD decile of an open set, from each
/// zone's (before, after) nearest site. `zones[i]` is zone `i`'s access.
pub fn worse_off_and_deciles(
    inputs: &crate::Inputs,
    zones: &[ZonePlan],
    threshold: f64,
    has_plan: bool,
) -> (Vec<WorseOff>, Vec<DecileTotals>) {
    let mut worse = Vec::new();
    let mut dec: Vec<DecileTotals> = Vec::new();
    let mut acc: Vec<(f64, f64, f64, f64)> = Vec::new();
    for (i, zp) in zones.iter().enumerate() {
        let zone = &inputs.zones[i];
        let k = match dec.iter().position(|d| d.imd_decile == zone.imd_decile) {
            Some(k) => k,
            None => {
                dec.push(DecileTotals {
                    imd_decile: zone.imd_decile,
                    ..Default::default()
                });
                acc.push((0.0, 0.0, 0.0, 0.0));
                dec.len() - 1
            }
        };
        let d = &mut dec[k];
        d.zones += 1;
        d.need += zone.need;
        if let Some((_, m)) = zp.before {
            acc[k].0 += zone.need;
            acc[k].1 += zone.need * m;
        }
        if let Some((_, m)) = zp.after {
            acc[k].2 += zone.need;
            acc[k].3 += zone.need * m;
        }
        if !has_plan {
            continue;
        }
        let Some((cause, b)) = zp.before else {
            continue;
        };
        let after = zp.after.map(|a| a.1);
        let inc = after.map_or(f64::INFINITY, |a| a - b);
        if inc > 0.0 {
            d.zones_longer += 1;
            d.need_longer += zone.need;
        }
        if inc >= threshold {
            d.zones_worse_off += 1;
            d.need_worse_off += zone.need;
            worse.push(WorseOff {
                zone: ZoneIdx::from_index(i),
                minutes_before: b,
                minutes_after: after,
                cause,
            });
        }
    }
    for (d, a) in dec.iter_mut().zip(&acc) {
        d.mean_minutes_before = if a.0 > 0.0 { a.1 / a.0 } else { f64::NAN };
        d.mean_minutes_after = if a.2 > 0.0 { a.3 / a.2 } else { f64::NAN };
    }
    dec.sort_by_key(|d| d.imd_decile.map_or(u8::MAX, |x| x));
    worse.sort_by(|x, y| y.increase().total_cmp(&x.increase()).then(x.zone.cmp(&y.zone)));
    (worse, dec)
}
