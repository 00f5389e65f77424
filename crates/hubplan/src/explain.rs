//! Why every building closes, stays or opens; where its users go; why a scenario is infeasible;
//! and what keeping (or closing) one building would cost.
//!
//! Everything here is recomputed from the inputs and the plan's open set with
//! the independent evaluator ([`crate::evaluate`]); nothing is taken from the
//! solver. The rules, in order:
//!
//! - **Kept or opened site**, exactly one reason:
//!   1. [`KeepReason::Forced`] when the scenario lists it in `limits.keep`;
//!   2. [`KeepReason::AccessRule`] when the access rule is a hard rule (objectives
//!      `min_cost` and `min_travel` with a limit) and some zone under the rule has
//!      no *other* open site within the limit: closing this site alone would put
//!      those zones beyond the limit. Each protected zone carries its need, its
//!      minutes to this site, the best alternative among the other open sites, and
//!      the best alternative among all other sites (open or not);
//!   3. [`KeepReason::Chosen`] otherwise, on cost, coverage or travel, with a short
//!      factual note (e.g. the zones it alone covers within the limit under
//!      `max_coverage`, or the need-minutes its closure would add under `min_travel`).
//! - **Closed site**: for every zone whose nearest open site in the status quo was
//!   this one, its nearest open site after the plan, the minutes before and after,
//!   and whether it is within the limit before and after ([`ZoneMove`]).
//! - **Infeasible plan**: each [`crate::plan::Blocker`] as a sentence naming the
//!   zones and the rule that blocks them ([`BlockerNote`]).
//! - **Marginal cost** ([`marginal_costs`]): each requested site re-solved with its
//!   decision flipped and forced, in parallel.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::evaluate::{nearest_open, zone_limits};
use crate::ids::{SiteIdx, ZoneIdx};
use crate::model::{Inputs, SiteStatus};
use crate::plan::{BeyondLimitZone, Blocker, Decision, Infeasibility, Plan, PlanStatus};
use crate::scenario::{BeyondLimit, ObjectiveKind, Scenario};

pub mod capacity;
mod services;
pub mod services_capacity;
pub use services::{
    service_blocker_sentence, service_reasons, service_worse_off, service_worse_off_sentences, users_in, ServiceReason,
    ServiceSiteReason, ServiceWorseOff, ServiceWorseOffList,
};

/// How many ids a sentence names before it says "and N more".
const MAX_IDS_IN_TEXT: usize = 8;

/// A site and the minutes to reach it from some zone.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteMinutes {
    /// The site.
    pub site: SiteIdx,
    /// Minutes from the zone to the site.
    pub minutes: f64,
}

impl From<(SiteIdx, f64)> for SiteMinutes {
    fn from((site, minutes): (SiteIdx, f64)) -> Self {
        SiteMinutes { site, minutes }
    }
}

/// A zone that depends on one kept site for the access rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProtectedZone {
    /// The zone.
    pub zone: ZoneIdx,
    /// Its need (the scenario's need measure, e.g. children aged 0–15).
    pub need: f64,
    /// Minutes from the zone to the kept site.
    pub minutes: f64,
    /// Its best alternative among the *other open* sites of the plan (beyond the
    /// limit by construction), `None` when no other open site is reachable at all.
    pub alternative_open: Option<SiteMinutes>,
    /// Its best alternative among *all* other sites, open or not (a closed site here
    /// within the limit could replace the kept one, at a cost).
    pub alternative_any: Option<SiteMinutes>,
    /// The zone's own limit when it is beyond `max_minutes` today
    /// (`access.beyond_limit`: its baseline minutes, plus any tolerance); `None` for a
    /// zone the limit itself protects.
    pub own_limit: Option<f64>,
}

/// On what grounds a site that is not forced nor required by the access rule was kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChosenBasis {
    /// `min_cost`: kept although no zone depends on it alone (a free site, or a plan not proven optimal).
    Cost,
    /// `max_coverage`: the need it covers within the limit, within the budget or site count.
    Coverage,
    /// `min_travel`: the need-minutes it saves.
    Travel,
}

impl ChosenBasis {
    /// The name written in outputs.
    pub fn name(self) -> &'static str {
        match self {
            ChosenBasis::Cost => "cost",
            ChosenBasis::Coverage => "coverage",
            ChosenBasis::Travel => "travel",
        }
    }
}

/// Why a site is kept (or a candidate opened). Exactly one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeepReason {
    /// The scenario forces it open (`limits.keep`).
    Forced,
    /// Closing it alone would put these zones beyond the limit (sorted by zone index).
    AccessRule {
        /// The zones it alone covers within the limit.
        zones: Vec<ProtectedZone>,
    },
    /// Chosen by the optimiser on cost, coverage or travel.
    Chosen {
        /// Cost, coverage or travel.
        basis: ChosenBasis,
        /// One factual sentence.
        note: String,
    },
}

impl KeepReason {
    /// `forced`, `access_rule` or `chosen`.
    pub fn name(&self) -> &'static str {
        match self {
            KeepReason::Forced => "forced",
            KeepReason::AccessRule { .. } => "access_rule",
            KeepReason::Chosen { .. } => "chosen",
        }
    }
}

/// A kept or opened site and its reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptSite {
    /// The zones it serves after the plan that are beyond the limit after, with
    /// their minutes before (to their nearest site today) and after (to this site).
    pub beyond: Vec<ZoneMove>,
    /// The site.
    pub site: SiteIdx,
    /// [`Decision::Keep`] or [`Decision::Open`].
    pub decision: Decision,
    /// Why.
    pub reason: KeepReason,
    /// Zones whose nearest open site it is after the plan (under demand capacity:
    /// the zones the plan's assignment places there, as `SitePlan::zones_served`).
    pub zones_served: u32,
    /// Their need.
    pub need_served: f64,
}

/// Where one zone's users go when the site that was their nearest closes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZoneMove {
    /// The zone.
    pub zone: ZoneIdx,
    /// Its need.
    pub need: f64,
    /// Minutes to the closing site (its nearest in the status quo).
    pub minutes_before: f64,
    /// Its nearest open site after the plan, `None` when no open site is reachable.
    pub after: Option<SiteMinutes>,
    /// Within the limit before (always true when there is no limit).
    pub within_before: bool,
    /// Within the limit after.
    pub within_after: bool,
}

impl ZoneMove {
    /// Minutes after, infinite when no open site is reachable.
    pub fn minutes_after(&self) -> f64 {
        self.after.map_or(f64::INFINITY, |a| a.minutes)
    }

    /// Which of the three groups of a reason this user is in.
    pub fn group(&self) -> UserGroup {
        if self.within_after {
            UserGroup::Within
        } else if !self.within_before && self.minutes_after() <= self.minutes_before {
            UserGroup::AlreadyBeyond
        } else {
            UserGroup::Longer
        }
    }
}

/// The three groups a reason tells apart (issue 18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserGroup {
    /// Within the limit after.
    Within,
    /// Beyond the limit today, and the journey is not longer after.
    AlreadyBeyond,
    /// Beyond the limit after, with a longer journey than today (or no open site).
    Longer,
}

/// A closed site: why, and where its users go.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClosedSite {
    /// The site.
    pub site: SiteIdx,
    /// The scenario forces it closed (`limits.close`).
    pub forced: bool,
    /// The zones that had it as their nearest open site, sorted by zone index.
    pub moves: Vec<ZoneMove>,
    /// One factual sentence: why it can close.
    pub note: String,
}

impl ClosedSite {
    /// Σ need of its users.
    pub fn need(&self) -> f64 {
        self.moves.iter().map(|m| m.need).sum()
    }

    /// The site that takes the largest share of its users' need (ties: lower site index).
    pub fn main_destination(&self) -> Option<SiteIdx> {
        let mut acc: Vec<(SiteIdx, f64)> = Vec::new();
        for m in &self.moves {
            if let Some(a) = m.after {
                match acc.iter_mut().find(|(s, _)| *s == a.site) {
                    Some(e) => e.1 += m.need.max(0.0) + 1e-12,
                    None => acc.push((a.site, m.need.max(0.0) + 1e-12)),
                }
            }
        }
        acc.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        acc.first().map(|&(s, _)| s)
    }

    /// Need-weighted mean minutes of its users before (unweighted when their need is 0).
    pub fn mean_minutes_before(&self) -> Option<f64> {
        weighted_mean(self.moves.iter().map(|m| (m.need, m.minutes_before)))
    }

    /// Need-weighted mean minutes of its users after, over those with a reachable open site.
    pub fn mean_minutes_after(&self) -> Option<f64> {
        weighted_mean(self.moves.iter().filter_map(|m| m.after.map(|a| (m.need, a.minutes))))
    }

    /// The longest journey after, `None` without users; infinite when some user has no open site.
    pub fn worst_minutes_after(&self) -> Option<f64> {
        self.moves
            .iter()
            .map(|m| m.after.map_or(f64::INFINITY, |a| a.minutes))
            .reduce(f64::max)
    }

    /// Users (zones) who are beyond the limit after but were within it before.
    pub fn pushed_beyond(&self) -> impl Iterator<Item = &ZoneMove> + '_ {
        self.moves.iter().filter(|m| m.within_before && !m.within_after)
    }
}

fn weighted_mean(it: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut w, mut s, mut n, mut u) = (0.0, 0.0, 0usize, 0.0);
    for (need, m) in it {
        w += need;
        s += need * m;
        n += 1;
        u += m;
    }
    if n == 0 {
        None
    } else if w > 0.0 {
        Some(s / w)
    } else {
        Some(u / n as f64)
    }
}

/// One rule that blocks a scenario, with the zones it blocks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockerNote {
    /// `forced_closures`, `budget`, `site_count` or `combination`.
    pub constraint: String,
    /// The zones that cannot be covered because of it (sorted).
    pub zones: Vec<ZoneIdx>,
    /// The sites involved (the forced closures), sorted.
    pub sites: Vec<SiteIdx>,
    /// A sentence naming ids, for a person.
    pub text: String,
}

/// Every explanation of one plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanations {
    /// The plan's status.
    pub status: PlanStatus,
    /// The limit in minutes the explanations refer to.
    pub max_minutes: Option<f64>,
    /// The rule for zones beyond the limit today (`access.beyond_limit`).
    pub beyond_limit: BeyondLimit,
    /// The objective (whether the access rule is a hard rule).
    pub objective: ObjectiveKind,
    /// Kept and opened sites, by site index (empty without a plan).
    pub kept: Vec<KeptSite>,
    /// Closed existing sites, by site index (empty without a plan).
    pub closed: Vec<ClosedSite>,
    /// Why the scenario is infeasible (empty unless it is).
    pub infeasibility: Vec<BlockerNote>,
}

impl Explanations {
    /// The kept sites whose reason is the access rule.
    pub fn access_rule_keeps(&self) -> impl Iterator<Item = (&KeptSite, &[ProtectedZone])> + '_ {
        self.kept.iter().filter_map(|k| match &k.reason {
            KeepReason::AccessRule { zones } => Some((k, zones.as_slice())),
            _ => None,
        })
    }

    /// The explanation of a kept site, if it is kept.
    pub fn kept_site(&self, s: SiteIdx) -> Option<&KeptSite> {
        self.kept
            .binary_search_by_key(&s, |k| k.site)
            .ok()
            .map(|i| &self.kept[i])
    }

    /// The explanation of a closed site, if it is closed.
    pub fn closed_site(&self, s: SiteIdx) -> Option<&ClosedSite> {
        self.closed
            .binary_search_by_key(&s, |k| k.site)
            .ok()
            .map(|i| &self.closed[i])
    }
}

/// Whether the access rule is a hard rule of this scenario.
fn rule_is_hard(sc: &Scenario) -> bool {
    sc.max_minutes.is_some() && matches!(sc.objective, ObjectiveKind::MinCost | ObjectiveKind::MinTravel)
}

fn within(sc: &Scenario, m: f64) -> bool {
    sc.max_minutes.is_none_or(|mx| m <= mx)
}

/// Formats a whole number of pounds with thousands separators, e.g. `£1,270,000`
/// (the one formatter, [`crate::fmt::money`]).
pub fn pounds(x: f64) -> String {
    crate::fmt::money(x)
}

/// Formats a count or need with thousands separators, rounded to a whole number
/// ([`crate::fmt::count`]).
pub fn count(x: f64) -> String {
    crate::fmt::count(x)
}

/// Minutes to one decimal place, e.g. `34.5 min` ([`crate::fmt::minutes`]).
pub fn minutes(m: f64) -> String {
    crate::fmt::minutes(m)
}

fn limit_text(sc: &Scenario) -> String {
    sc.max_minutes
        .map_or_else(|| "reach".to_string(), |m| format!("{} minutes", trim_float(m)))
}

fn trim_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Names up to [`MAX_IDS_IN_TEXT`] ids then "and N more".
pub fn id_list<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let all: Vec<&str> = ids.into_iter().collect();
    let mut s = all.iter().take(MAX_IDS_IN_TEXT).copied().collect::<Vec<_>>().join(", ");
    if all.len() > MAX_IDS_IN_TEXT {
        s.push_str(&format!(" and {} more", all.len() - MAX_IDS_IN_TEXT));
    }
    s
}

fn zone_ids<'a>(inputs: &'a Inputs, zones: &'a [ZoneIdx]) -> impl Iterator<Item = &'a str> + 'a {
    zones.iter().map(move |&z| inputs.zone(z).id.as_str())
}

fn site_ids<'a>(inputs: &'a Inputs, sites: &'a [SiteIdx]) -> impl Iterator<Item = &'a str> + 'a {
    sites.iter().map(move |&s| inputs.site(s).id.as_str())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Explains a plan: one reason per kept or opened site, the users' moves for each
/// closure, and the blockers of an infeasible plan. See the module docs for the rules.
///
/// Complexity: O(pairs + sites) for the reasons, plus O(pairs) per kept site for
/// the alternatives of the zones it protects.
pub fn explain(inputs: &Inputs, scenario: &Scenario, plan: &Plan) -> Explanations {
    let mut ex = Explanations {
        status: plan.status,
        max_minutes: scenario.max_minutes,
        beyond_limit: scenario.beyond_limit,
        objective: scenario.objective,
        kept: Vec::new(),
        closed: Vec::new(),
        infeasibility: Vec::new(),
    };
    if let Some(inf) = &plan.infeasibility {
        ex.infeasibility = describe_infeasibility(inputs, scenario, inf);
    }
    let has_plan = matches!(plan.status, PlanStatus::Optimal | PlanStatus::Feasible);
    if !has_plan || plan.open.len() != inputs.sites.len() || plan.zones.len() != inputs.zones.len() {
        return ex;
    }
    let open = &plan.open;
    let limits = zone_limits(inputs, scenario);
    // For every zone under the rule: the open sites within its limit (only the count and
    // the first matter). A zone beyond max_minutes today has its own limit (access.beyond_limit).
    let mut sole: Vec<Vec<ZoneIdx>> = vec![Vec::new(); inputs.sites.len()];
    if scenario.max_minutes.is_some() {
        for z in inputs.zone_indices() {
            let Some(limit) = limits[z.index()] else {
                continue;
            };
            let mut it = inputs.travel.row(z).filter(|&(s, m)| open[s.index()] && m <= limit);
            if let (Some((s, _)), None) = (it.next(), it.next()) {
                sole[s.index()].push(z);
            }
        }
    }
    let lim = limit_text(scenario);
    for s in inputs.site_indices() {
        let site = inputs.site(s);
        let sp = &plan.sites[s.index()];
        if open[s.index()] {
            let reason = if scenario.keep.contains(&s) {
                KeepReason::Forced
            } else if rule_is_hard(scenario) && !sole[s.index()].is_empty() {
                let zones = sole[s.index()]
                    .iter()
                    .map(|&z| {
                        let mut p = protected_zone(inputs, open, s, z);
                        p.own_limit = limits[z.index()].filter(|&l| !within(scenario, l));
                        p
                    })
                    .collect();
                KeepReason::AccessRule { zones }
            } else {
                chosen(inputs, scenario, plan, s, &sole[s.index()], &lim)
            };
            let beyond = inputs
                .zone_indices()
                .filter_map(|z| {
                    let zp = &plan.zones[z.index()];
                    let (a, ma) = zp.after?;
                    (a == s && inputs.zone(z).need > 0.0 && !zp.covered_after).then(|| ZoneMove {
                        zone: z,
                        need: inputs.zone(z).need,
                        minutes_before: zp.before.map_or(f64::INFINITY, |b| b.1),
                        after: Some(SiteMinutes { site: a, minutes: ma }),
                        within_before: zp.covered_before,
                        within_after: false,
                    })
                })
                .collect();
            ex.kept.push(KeptSite {
                beyond,
                site: s,
                decision: sp.decision,
                reason,
                zones_served: sp.zones_served,
                need_served: sp.need_served,
            });
        } else if site.status == SiteStatus::Existing {
            let moves: Vec<ZoneMove> = inputs
                .zone_indices()
                .filter_map(|z| {
                    let zp = &plan.zones[z.index()];
                    let (b, mb) = zp.before?;
                    (b == s).then(|| ZoneMove {
                        zone: z,
                        need: inputs.zone(z).need,
                        minutes_before: mb,
                        after: zp.after.map(SiteMinutes::from),
                        within_before: zp.covered_before,
                        within_after: zp.covered_after,
                    })
                })
                .collect();
            let forced = scenario.close.contains(&s);
            let mut c = ClosedSite {
                site: s,
                forced,
                moves,
                note: String::new(),
            };
            c.note = closure_note(inputs, scenario, &c, &lim);
            ex.closed.push(c);
        }
    }
    ex
}

fn protected_zone(inputs: &Inputs, open: &[bool], s: SiteIdx, z: ZoneIdx) -> ProtectedZone {
    let minutes = inputs.travel.get(z, s).unwrap_or(f64::NAN);
    let mut alt_open: Option<(SiteIdx, f64)> = None;
    let mut alt_any: Option<(SiteIdx, f64)> = None;
    for (t, m) in inputs.travel.row(z) {
        if t == s {
            continue;
        }
        if alt_any.is_none_or(|(_, bm)| m < bm) {
            alt_any = Some((t, m));
        }
        if open[t.index()] && alt_open.is_none_or(|(_, bm)| m < bm) {
            alt_open = Some((t, m));
        }
    }
    ProtectedZone {
        zone: z,
        need: inputs.zone(z).need,
        minutes,
        alternative_open: alt_open.map(SiteMinutes::from),
        alternative_any: alt_any.map(SiteMinutes::from),
        own_limit: None,
    }
}

fn chosen(inputs: &Inputs, sc: &Scenario, plan: &Plan, s: SiteIdx, sole: &[ZoneIdx], lim: &str) -> KeepReason {
    let sp = &plan.sites[s.index()];
    let site = inputs.site(s);
    // Under demand capacity `zones_served`/`need_served` follow the plan's assignment
    // (docs/FORMATS.md, sites.csv), which need not send a zone to its nearest hub.
    let (lead, tail) = if plan.capacity.is_some() {
        ("serves", " in the plan's assignment")
    } else {
        ("nearest open hub for", "")
    };
    let served = format!(
        "{lead} {} (need {}){tail}",
        plural(sp.zones_served as usize, "zone", "zones"),
        count(sp.need_served)
    );
    match sc.objective {
        ObjectiveKind::MaxCoverage => {
            let need: f64 = sole.iter().map(|&z| inputs.zone(z).need).sum();
            let note = if sole.is_empty() {
                format!("Kept within the limits; {served}; every zone it serves has another open hub within {lim}.")
            } else {
                format!(
                    "Chosen on coverage: the only open hub within {lim} for {} (need {}), for {} a year.",
                    plural(sole.len(), "zone", "zones"),
                    count(need),
                    pounds(site.annual_cost)
                )
            };
            KeepReason::Chosen {
                basis: ChosenBasis::Coverage,
                note,
            }
        }
        ObjectiveKind::MinTravel => {
            let mut extra = 0.0;
            let mut stranded = 0usize;
            let mut without = plan.open.clone();
            without[s.index()] = false;
            for z in inputs.zone_indices() {
                if plan.zones[z.index()].after.map(|a| a.0) != Some(s) {
                    continue;
                }
                let here = plan.zones[z.index()].after.map_or(0.0, |a| a.1);
                match nearest_open(inputs, &without, z) {
                    Some((_, m)) => extra += inputs.zone(z).need * (m - here),
                    None => stranded += 1,
                }
            }
            let mut note = format!(
                "Chosen on travel: {served}; closing it would add {} need-minutes",
                count(extra)
            );
            if stranded > 0 {
                note.push_str(&format!(
                    " and leave {} with no open hub",
                    plural(stranded, "zone", "zones")
                ));
            }
            note.push('.');
            KeepReason::Chosen {
                basis: ChosenBasis::Travel,
                note,
            }
        }
        ObjectiveKind::MinCost => {
            // Under demand capacity the plan may keep it for room, not reach:
            // the capacity reason computed with the plan says so.
            let for_room = plan.capacity.as_ref().and_then(|c| c.reason(s));
            let note = if site.annual_cost <= 0.0 {
                format!("Chosen on cost: it costs nothing to run; {served}.")
            } else if let Some(r) = for_room {
                format!("No zone depends on it alone for the {lim} limit ({served}), but it is {r}.")
            } else {
                format!(
                    "Kept although no zone depends on it alone for the {lim} limit ({served}); \
                     the plan is {}, not a cheaper one.",
                    plan.status.name()
                )
            };
            KeepReason::Chosen {
                basis: ChosenBasis::Cost,
                note,
            }
        }
    }
}

fn closure_note(inputs: &Inputs, sc: &Scenario, c: &ClosedSite, lim: &str) -> String {
    let site = inputs.site(c.site);
    let money = format!(
        "saves {} a year and {} of backlog",
        pounds(site.annual_cost),
        pounds(site.backlog)
    );
    let n = c.moves.len();
    let how = if c.forced {
        "Closed by the scenario (limits.close)"
    } else {
        match sc.objective {
            ObjectiveKind::MinCost => "Not needed for the access rule",
            ObjectiveKind::MaxCoverage => "Closed to meet the budget or site count at the greatest coverage",
            ObjectiveKind::MinTravel => "Closed: the open hubs give less total travel within the site count or budget",
        }
    };
    if n == 0 {
        return format!("{how}: no zone had it as its nearest hub; {money}.");
    }
    if sc.max_minutes.is_none() {
        let reach = c.moves.iter().filter(|m| m.after.is_some()).count();
        let all = if reach == n {
            if n == 1 {
                "the one zone it served still reaches another hub".to_string()
            } else {
                format!("all {n} zones it served still reach another hub")
            }
        } else {
            format!("{reach} of the {n} zones it served still reach another hub")
        };
        return format!("{how}: {all}; {money}.");
    }
    let users = users_clause(
        inputs,
        sc.beyond_limit,
        sc.objective,
        &c.moves,
        lim,
        "it served",
        "of another hub",
    );
    format!("{how}: {users}; {money}.")
}

/// "Name (code)" of a site, or the code alone when it has no name.
pub fn site_label(inputs: &Inputs, s: SiteIdx) -> String {
    let site = inputs.site(s);
    if site.name.is_empty() || site.name == site.id {
        site.id.clone()
    } else {
        format!("{} ({})", site.name, site.id)
    }
}

/// "Name (code)", or the code alone when the zone has no name.
pub fn zone_label(inputs: &Inputs, z: ZoneIdx) -> String {
    let zone = inputs.zone(z);
    if zone.name.is_empty() || zone.name == zone.id {
        zone.id.clone()
    } else {
        format!("{} ({})", zone.name, zone.id)
    }
}

/// "Name (code) 38.2 → 46.7 min" for every user, all named.
fn named_moves(inputs: &Inputs, moves: &[&ZoneMove]) -> String {
    moves
        .iter()
        .map(|m| {
            let before = if m.minutes_before.is_finite() {
                format!("{:.1}", m.minutes_before)
            } else {
                "no site".into()
            };
            match m.after {
                Some(a) => format!("{} {before} → {:.1} min", zone_label(inputs, m.zone), a.minutes),
                None => format!("{} {before} min → no open hub", zone_label(inputs, m.zone)),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why users may get a longer journey beyond the limit, one phrase per distinct cause.
fn longer_why(beyond: BeyondLimit, objective: ObjectiveKind, longer: &[&ZoneMove]) -> String {
    let mut why: Vec<String> = Vec::new();
    for m in longer {
        let w = if objective == ObjectiveKind::MaxCoverage {
            "max_coverage has no hard access rule".to_string()
        } else if m.need <= 0.0 {
            "a zone with no need is outside the access rule".to_string()
        } else if m.within_before {
            "the access rule does not cover it".to_string()
        } else {
            match beyond {
                BeyondLimit::Tolerance(t) => format!(
                    "allowed by access.beyond_limit = tolerance, up to {} minutes longer",
                    trim_float(t)
                ),
                BeyondLimit::Ignore => {
                    "access.beyond_limit = ignore leaves zones beyond the limit today out of the rule".to_string()
                }
                BeyondLimit::NoWorse => "outside access.beyond_limit = no_worse".to_string(),
            }
        };
        if !why.contains(&w) {
            why.push(w);
        }
    }
    why.join(", and ")
}

/// The three groups of users, each generated from the moves it describes:
/// within the limit after; already beyond it with a journey no longer than today;
/// longer journeys beyond it. The last two are named with minutes before → after.
fn users_clause(
    inputs: &Inputs,
    beyond: BeyondLimit,
    objective: ObjectiveKind,
    moves: &[ZoneMove],
    lim: &str,
    verb_phrase: &str,
    within_phrase: &str,
) -> String {
    let n = moves.len();
    let within: Vec<&ZoneMove> = moves.iter().filter(|m| m.group() == UserGroup::Within).collect();
    let already: Vec<&ZoneMove> = moves.iter().filter(|m| m.group() == UserGroup::AlreadyBeyond).collect();
    let longer: Vec<&ZoneMove> = moves.iter().filter(|m| m.group() == UserGroup::Longer).collect();
    let mut parts = Vec::new();
    if within.len() == n {
        parts.push(if n == 1 {
            format!("the one zone {verb_phrase} stays within {lim} {within_phrase}")
        } else {
            format!("all {n} zones {verb_phrase} stay within {lim} {within_phrase}")
        });
    } else if !within.is_empty() {
        parts.push(format!(
            "{} of the {} {verb_phrase} {} within {lim} {within_phrase}",
            within.len(),
            plural(n, "zone", "zones"),
            if within.len() == 1 { "stays" } else { "stay" }
        ));
    }
    if !already.is_empty() {
        parts.push(format!(
            "{} already beyond {lim} today {} no longer journey: {}",
            plural(already.len(), "zone", "zones"),
            if already.len() == 1 { "has" } else { "have" },
            named_moves(inputs, &already)
        ));
    }
    if !longer.is_empty() {
        parts.push(format!(
            "{} {} a longer journey beyond {lim} ({}): {}",
            plural(longer.len(), "zone", "zones"),
            if longer.len() == 1 { "gets" } else { "get" },
            longer_why(beyond, objective, &longer),
            named_moves(inputs, &longer)
        ));
    }
    parts.join("; ")
}

/// Renders the blockers of an infeasible scenario as notes naming zones and sites.
pub fn describe_infeasibility(inputs: &Inputs, sc: &Scenario, inf: &Infeasibility) -> Vec<BlockerNote> {
    inf.blockers
        .iter()
        .map(|b| {
            let (constraint, mut zones, mut sites) = match b {
                Blocker::ForcedClosures { zones, sites } => ("forced_closures", zones.clone(), sites.clone()),
                Blocker::Budget { zones, .. } => ("budget", zones.clone(), Vec::new()),
                Blocker::SiteCount { zones, .. } => ("site_count", zones.clone(), Vec::new()),
                Blocker::Combination => ("combination", Vec::new(), Vec::new()),
                Blocker::BeyondLimit { zones, sites, .. } => {
                    ("beyond_limit", zones.iter().map(|b| b.zone).collect(), sites.clone())
                }
                Blocker::Capacity { zones, full_sites, .. } => ("capacity", zones.clone(), full_sites.clone()),
            };
            zones.sort();
            sites.sort();
            BlockerNote {
                constraint: constraint.to_string(),
                zones,
                sites,
                text: blocker_sentence(inputs, sc, b),
            }
        })
        .collect()
}

/// `access.beyond_limit` in words, for zones beyond the limit today.
pub(crate) fn beyond_setting_text(rule: BeyondLimit) -> String {
    match rule {
        BeyondLimit::NoWorse => "access.beyond_limit = no_worse (a journey may not get longer than today)".to_string(),
        BeyondLimit::Tolerance(t) => format!(
            "access.beyond_limit = tolerance (a journey may get at most {} minutes longer than today)",
            trim_float(t)
        ),
        BeyondLimit::Ignore => "access.beyond_limit = ignore".to_string(),
    }
}

/// "Name (code) 40.0 min today, own limit 40.0 min", for each zone (up to
/// [`MAX_IDS_IN_TEXT`], then "and N more").
pub(crate) fn beyond_zones_text(inputs: &Inputs, zones: &[BeyondLimitZone]) -> String {
    let mut v: Vec<String> = zones
        .iter()
        .take(MAX_IDS_IN_TEXT)
        .map(|b| {
            format!(
                "{} {} today, own limit {}",
                zone_label(inputs, b.zone),
                minutes(b.minutes_today),
                minutes(b.limit)
            )
        })
        .collect();
    if zones.len() > MAX_IDS_IN_TEXT {
        v.push(format!("and {} more", zones.len() - MAX_IDS_IN_TEXT));
    }
    v.join("; ")
}

/// The sentence about zones beyond the limit today that block a plan
/// ([`Blocker::BeyondLimit`], [`crate::colocate::ServiceBlocker::BeyondLimit`]);
/// `need` is theirs, `lim` the limit in words, `what` the kind of site ("site").
pub(crate) fn beyond_blocker_text(
    inputs: &Inputs,
    rule: BeyondLimit,
    zones: &[BeyondLimitZone],
    sites: &[SiteIdx],
    need: f64,
    lim: &str,
    what: &str,
) -> String {
    let head = format!(
        "{} (need {}) already beyond {lim} today {} the plan. Under {}, each has its own limit",
        plural(zones.len(), "zone", "zones"),
        count(need),
        if zones.len() == 1 { "blocks" } else { "block" },
        beyond_setting_text(rule)
    );
    if sites.is_empty() {
        format!(
            "{head}, and no plan that meets the other rules keeps {} within it. Even the best such plan leaves beyond their own limit: {}. With zones beyond the limit today left out of the rule (access.beyond_limit = ignore) a plan exists.",
            if zones.len() == 1 { "it" } else { "them all" },
            beyond_zones_text(inputs, zones)
        )
    } else {
        format!(
            "{head}, and every {what} within it is one the scenario forces closed ({}): {}. Leaving zones beyond the limit today out of the rule (access.beyond_limit = ignore) or not forcing those closures lifts this block.",
            id_list(site_ids(inputs, sites)),
            beyond_zones_text(inputs, zones)
        )
    }
}

/// One sentence (or two) for a blocker of an infeasible single-service scenario,
/// naming zones and sites. The one place this wording lives: the appendix,
/// plan.json's explanations, the terminal summary and the server all use it.
pub fn blocker_sentence(inputs: &Inputs, sc: &Scenario, b: &Blocker) -> String {
    let lim = limit_text(sc);
    let need_of = |zones: &[ZoneIdx]| -> f64 { zones.iter().map(|&z| inputs.zone(z).need).sum() };
    let own = if sc.beyond_limit != BeyondLimit::Ignore && sc.max_minutes.is_some() {
        " (and every zone beyond it today within its own limit)"
    } else {
        ""
    };
    // Under demand capacity the least cost and the fewest sites are those that also place
    // every zone's users within the buildings' max_users (docs/MODEL.md §1.3): say so, or
    // the figure reads as the access rule's alone.
    let own = if sc.capacity.as_ref().is_some_and(|c| c.binds()) {
        format!("{own}, with no building above its max_users")
    } else {
        own.to_string()
    };
    match b {
        Blocker::ForcedClosures { zones, sites } => format!(
            "{} (need {}) can reach no site within {lim} except sites the scenario forces closed \
             ({}). Zones: {}.",
            plural(zones.len(), "zone", "zones"),
            count(need_of(zones)),
            id_list(site_ids(inputs, sites)),
            id_list(zone_ids(inputs, zones))
        ),
        Blocker::Budget {
            budget,
            least_cost,
            zones,
        } => {
            let least = least_cost.map_or_else(
                || "every plan that meets the rule".to_string(),
                |c| {
                    format!(
                        "the least annual cost that keeps every zone within {lim}{own}, {}",
                        pounds(c)
                    )
                },
            );
            let mut t = format!("The budget of {} a year is below {least}.", pounds(*budget));
            if !zones.is_empty() {
                t.push_str(&format!(
                    " Within the budget the best plan leaves {} (need {}) beyond {lim}: {}.",
                    plural(zones.len(), "zone", "zones"),
                    count(need_of(zones)),
                    id_list(zone_ids(inputs, zones))
                ));
            }
            t
        }
        Blocker::SiteCount {
            sites,
            least_sites,
            zones,
        } => {
            let least = least_sites.map_or_else(String::new, |l| format!(", but at least {l} are needed"));
            let asked = if *sites == 1 {
                "Exactly 1 open site was asked for".to_string()
            } else {
                format!("Exactly {sites} open sites were asked for")
            };
            let mut t = format!("{asked}{least} to keep every zone within {lim}{own}.");
            if !zones.is_empty() {
                t.push_str(&format!(
                    " With {} the best plan leaves {} (need {}) beyond {lim}: {}.",
                    plural(*sites as usize, "site", "sites"),
                    plural(zones.len(), "zone", "zones"),
                    count(need_of(zones)),
                    id_list(zone_ids(inputs, zones))
                ));
            }
            t
        }
        Blocker::Combination if sc.budget.is_some() && sc.sites.is_some() => {
            "The budget and the site count can each be met alone, but not together.".to_string()
        }
        Blocker::Combination => {
            "No single rule explains it: the scenario's rules cannot all be met together.".to_string()
        }
        Blocker::BeyondLimit { rule, zones, sites } => {
            let need: f64 = zones.iter().map(|b| inputs.zone(b.zone).need).sum();
            beyond_blocker_text(inputs, *rule, zones, sites, need, &lim, "site")
        }
        Blocker::Capacity {
            zones,
            full_sites,
            missing,
        } => capacity::blocker_text(inputs, zones, full_sites, *missing),
    }
}

/// One sentence explaining a site's decision, naming ids (used in reports and on the command line).
pub fn site_sentence(inputs: &Inputs, ex: &Explanations, s: SiteIdx) -> String {
    let lim = ex
        .max_minutes
        .map_or_else(|| "reach".to_string(), |m| format!("{} minutes", trim_float(m)));
    if let Some(k) = ex.kept_site(s) {
        let mut t = kept_reason_text(inputs, ex, k, &lim);
        if !k.beyond.is_empty() {
            t.push_str(&format!(
                " Of the zones it serves after the plan, {}.",
                users_clause(
                    inputs,
                    ex.beyond_limit,
                    ex.objective,
                    &k.beyond,
                    &lim,
                    "it serves beyond the limit",
                    "",
                )
            ));
        }
        return t;
    }
    if let Some(c) = ex.closed_site(s) {
        let mut t = c.note.clone();
        if let Some(d) = c.main_destination() {
            t.push_str(&format!(
                " Its users mostly go to {} ({} → {} on average).",
                inputs.site(d).id,
                c.mean_minutes_before().map_or_else(|| "n/a".into(), minutes),
                c.mean_minutes_after().map_or_else(|| "n/a".into(), minutes)
            ));
        }
        return t;
    }
    match inputs.site(s).status {
        SiteStatus::Candidate => "Candidate not opened.".to_string(),
        SiteStatus::Existing => "No decision (no plan).".to_string(),
    }
}

fn kept_reason_text(inputs: &Inputs, ex: &Explanations, k: &KeptSite, lim: &str) -> String {
    match &k.reason {
        KeepReason::Forced => "Kept: forced open by the scenario (limits.keep).".to_string(),
        KeepReason::AccessRule { zones: all } => {
            let zones: Vec<ProtectedZone> = all.iter().filter(|z| z.own_limit.is_none()).cloned().collect();
            let own: Vec<&ProtectedZone> = all.iter().filter(|z| z.own_limit.is_some()).collect();
            let mut t = if zones.is_empty() {
                String::new()
            } else {
                limit_protection_text(inputs, ex, &zones, lim)
            };
            if !own.is_empty() {
                if !t.is_empty() {
                    t.push(' ');
                }
                t.push_str(&own_limit_text(inputs, ex, &own, lim));
            }
            t
        }
        KeepReason::Chosen { note, .. } => note.clone(),
    }
}

/// Zones beyond the limit today that only this site keeps within their own limit.
fn own_limit_text(inputs: &Inputs, ex: &Explanations, own: &[&ProtectedZone], lim: &str) -> String {
    let setting = match ex.beyond_limit {
        BeyondLimit::NoWorse => "access.beyond_limit = no_worse: their journey may not get longer".to_string(),
        BeyondLimit::Tolerance(t) => format!(
            "access.beyond_limit = tolerance: their journey may get at most {} minutes longer",
            trim_float(t)
        ),
        BeyondLimit::Ignore => "access.beyond_limit = ignore".to_string(),
    };
    let named = own
        .iter()
        .map(|z| {
            let without = z.alternative_open.map_or_else(
                || "no open hub at all".to_string(),
                |a| format!("{} to {}", minutes(a.minutes), inputs.site(a.site).id),
            );
            format!(
                "{} is {} away today, limit {}, and without this building would be {without}",
                zone_label(inputs, z.zone),
                minutes(z.minutes),
                minutes(z.own_limit.unwrap_or(f64::NAN))
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    format!(
        "Required by the access rule for {} already beyond {lim} today ({setting}): {named}.",
        plural(own.len(), "zone", "zones")
    )
}

/// Zones within the limit that only this site keeps within it.
fn limit_protection_text(inputs: &Inputs, ex: &Explanations, zones: &[ProtectedZone], lim: &str) -> String {
    let need: f64 = zones.iter().map(|z| z.need).sum();
    let ids: Vec<ZoneIdx> = zones.iter().map(|z| z.zone).collect();
    let within = |a: &Option<SiteMinutes>| a.is_some_and(|a| ex.max_minutes.is_none_or(|m| a.minutes <= m));
    // Zones that no other building at all, open or closed, reaches within the limit.
    let isolated: Vec<&ProtectedZone> = zones.iter().filter(|z| !within(&z.alternative_any)).collect();
    let worst_open = zones
        .iter()
        .map(|z| z.alternative_open.map_or(f64::INFINITY, |a| a.minutes))
        .fold(f64::NEG_INFINITY, f64::max);
    let mut t = format!(
        "Required by the access rule: without it {} (need {}) would be beyond {lim} of an open hub \
             ({}): {}.",
        plural(zones.len(), "zone", "zones"),
        count(need),
        if worst_open.is_finite() {
            format!("the next open hub would be up to {} away", minutes(worst_open))
        } else {
            "for some, no other open hub is reachable at all".to_string()
        },
        id_list(zone_ids(inputs, &ids))
    );
    if !isolated.is_empty() {
        let best = isolated
            .iter()
            .filter_map(|z| z.alternative_any.map(|a| a.minutes))
            .fold(f64::INFINITY, f64::min);
        let iso: Vec<ZoneIdx> = isolated.iter().map(|z| z.zone).collect();
        t.push_str(&format!(
            " For {} no other building, open or closed, is within {lim} ({}): {}.",
            plural(iso.len(), "zone", "zones"),
            if best.is_finite() {
                format!("the nearest other building is {} away", minutes(best))
            } else {
                "no other building is reachable at all".to_string()
            },
            id_list(zone_ids(inputs, &iso))
        ));
    }
    // What the alternative would cost is in the objective's own terms: money under
    // min_cost, travel under min_travel (the rule is hard under no other objective).
    let dearer = match ex.objective {
        ObjectiveKind::MinTravel => "with no less total travel",
        ObjectiveKind::MinCost | ObjectiveKind::MaxCoverage => "at a higher total cost",
    };
    if isolated.is_empty() {
        t.push_str(&format!(
            " Each could instead be served by a building this plan closes or does not open, {dearer}."
        ));
    } else if isolated.len() < zones.len() {
        t.push_str(&format!(
            " The others could instead be served by buildings this plan closes or does not open, {dearer}."
        ));
    }
    t
}

/// Sentences, in plain words, on the largest journey increases of a plan: how many
/// zones are on the worse-off list (`report.worse_off_minutes`), the largest
/// increases by name and code with the building whose closure caused each, and
/// how many are in the most deprived areas. Every figure is counted from `plan`.
/// Used by the appendix, the terminal summary, `compare` and `sweep`.
pub fn worse_off_sentences(inputs: &Inputs, plan: &Plan, largest: usize) -> Vec<String> {
    let has_plan = matches!(plan.status, PlanStatus::Optimal | PlanStatus::Feasible);
    if !has_plan {
        return Vec::new();
    }
    let thr = trim_float(plan.worse_off_minutes);
    let w = &plan.worse_off;
    if w.is_empty() {
        return vec![format!("No zone's journey grows by {thr} minutes or more.")];
    }
    let need: f64 = w.iter().map(|x| inputs.zone(x.zone).need).sum();
    let mut out = vec![format!(
        "{} (need {}) {} a journey at least {thr} minutes longer after the plan.",
        plural(w.len(), "zone", "zones"),
        count(need),
        if w.len() == 1 { "has" } else { "have" }
    )];
    let named: Vec<String> = w
        .iter()
        .take(largest)
        .map(|x| {
            let after = x.minutes_after.map_or_else(
                || "no open hub".to_string(),
                |a| format!("{a:.1} minutes (+{:.1})", a - x.minutes_before),
            );
            format!(
                "{} from {:.1} to {after}, as {} closes",
                zone_label(inputs, x.zone),
                x.minutes_before,
                site_label(inputs, x.cause)
            )
        })
        .collect();
    out.push(format!(
        "The {} {}: {}.",
        if named.len() == 1 {
            "largest increase"
        } else {
            "largest increases"
        },
        if named.len() == 1 { "is" } else { "are" },
        named.join("; ")
    ));
    let deprived: Vec<&crate::plan::WorseOff> = w
        .iter()
        .filter(|x| inputs.zone(x.zone).imd_decile.is_some_and(|d| d <= 2))
        .collect();
    if !deprived.is_empty() {
        out.push(format!(
            "{} of them (need {}) {} in the most deprived fifth of areas (IMD deciles 1–2).",
            deprived.len(),
            count(deprived.iter().map(|x| inputs.zone(x.zone).need).sum()),
            if deprived.len() == 1 { "is" } else { "are" }
        ));
    }
    out
}

/// One or two sentences on the zones beyond the limit today (no site within
/// `max_minutes`, an existing site further away): what `access.beyond_limit`
/// asked of them and what happened to them, counted from `plan`.
pub fn beyond_rule_sentence(inputs: &Inputs, sc: &Scenario, plan: &Plan) -> String {
    let Some(mx) = sc.max_minutes else {
        return String::new();
    };
    let lim = format!("{} minutes", trim_float(mx));
    let beyond: Vec<ZoneIdx> = plan
        .unreachable
        .iter()
        .copied()
        .filter(|&z| plan.zones[z.index()].before.is_some())
        .collect();
    if beyond.is_empty() {
        return String::new();
    }
    let rule = match (sc.beyond_limit, sc.objective) {
        (_, ObjectiveKind::MaxCoverage) => format!(
            "Under max_coverage there is no hard access rule, so the {} beyond {lim} today {} not protected.",
            plural(beyond.len(), "zone", "zones"),
            if beyond.len() == 1 { "is" } else { "are" }
        ),
        (BeyondLimit::NoWorse, _) => {
            if beyond.len() == 1 {
                format!("Under access.beyond_limit = no_worse the one zone beyond {lim} today may not have a longer journey.")
            } else {
                format!(
                    "Under access.beyond_limit = no_worse none of the {} zones beyond {lim} today may have a longer journey.",
                    beyond.len()
                )
            }
        }
        (BeyondLimit::Tolerance(t), _) => format!(
            "Under access.beyond_limit = tolerance {} beyond {lim} today may have a journey at most {} minutes longer.",
            if beyond.len() == 1 {
                "the one zone".to_string()
            } else {
                format!("each of the {} zones", beyond.len())
            },
            trim_float(t)
        ),
        (BeyondLimit::Ignore, _) => format!(
            "The {} beyond {lim} today {} left out of the access rule (access.beyond_limit = ignore).",
            plural(beyond.len(), "zone", "zones"),
            if beyond.len() == 1 { "was" } else { "were" }
        ),
    };
    let has_plan = matches!(plan.status, PlanStatus::Optimal | PlanStatus::Feasible);
    if !has_plan {
        return rule;
    }
    let mut longer: Vec<ZoneMove> = beyond
        .iter()
        .filter_map(|&z| {
            let zp = &plan.zones[z.index()];
            let b = zp.before?.1;
            let a = zp.after.map_or(f64::INFINITY, |a| a.1);
            (a > b).then(|| ZoneMove {
                zone: z,
                need: inputs.zone(z).need,
                minutes_before: b,
                after: zp.after.map(SiteMinutes::from),
                within_before: false,
                within_after: false,
            })
        })
        .collect();
    if longer.is_empty() {
        return if beyond.len() == 1 {
            format!("{rule} After the plan its journey is not longer.")
        } else {
            format!("{rule} After the plan none of them has a longer journey.")
        };
    }
    longer.sort_by(|x, y| {
        (y.minutes_after() - y.minutes_before)
            .total_cmp(&(x.minutes_after() - x.minutes_before))
            .then(x.zone.cmp(&y.zone))
    });
    let need: f64 = longer.iter().map(|m| m.need).sum();
    let refs: Vec<&ZoneMove> = longer.iter().collect();
    format!(
        "{rule} After the plan {} of them (need {}) {} a longer journey: {}.",
        longer.len(),
        count(need),
        if longer.len() == 1 { "has" } else { "have" },
        named_moves(inputs, &refs)
    )
}

/// Which way a marginal re-solve forces a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Forcing {
    /// The site (closed or unused in the plan) is forced open.
    Open,
    /// The site (kept or opened in the plan) is forced closed.
    Closed,
}

/// What a marginal re-solve found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MarginalOutcome {
    /// A plan that meets every rule with the site forced.
    Solved {
        /// Optimal or feasible.
        status: PlanStatus,
        /// The objective in the scenario's own sense.
        objective: f64,
        /// objective − the plan's objective (for `min_cost`: the extra annual + opening cost).
        delta_objective: f64,
        /// Change in Σ annual_cost of open sites.
        delta_annual_cost: f64,
        /// Change in the need covered within the limit.
        delta_need_covered: f64,
        /// Change in the need-weighted mean minutes to the nearest open site.
        delta_mean_minutes: f64,
        /// Other sites whose decision changes too (sorted).
        other_changes: Vec<SiteIdx>,
    },
    /// No plan meets the rules with the site forced.
    Infeasible {
        /// Zones that would be beyond the limit (sorted).
        zones: Vec<ZoneIdx>,
        /// A sentence naming them.
        text: String,
    },
    /// Not solved: a contradiction with the scenario, a time limit without a plan, or an error.
    NotSolved {
        /// Why.
        text: String,
    },
}

/// The cost of flipping one site's decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarginalCost {
    /// The site.
    pub site: SiteIdx,
    /// Forced open (it was closed or unused) or forced closed (it was kept or opened).
    pub forcing: Forcing,
    /// What the re-solve found.
    pub outcome: MarginalOutcome,
}

/// For each site in `sites`, re-solves `scenario` with that site's decision in
/// `plan` flipped and forced (closed → forced open: the cost of keeping it;
/// open → forced closed: the cost, or impossibility, of closing it).
///
/// The re-solves run in parallel with rayon; the result is in the order of
/// `sites` whatever the number of threads. Each re-solve uses the scenario's
/// solver settings, so a time-limited one may come back `feasible`.
pub fn marginal_costs(inputs: &Inputs, scenario: &Scenario, plan: &Plan, sites: &[SiteIdx]) -> Vec<MarginalCost> {
    sites
        .par_iter()
        .map(|&s| marginal_one(inputs, scenario, plan, s))
        .collect()
}

fn marginal_one(inputs: &Inputs, scenario: &Scenario, plan: &Plan, s: SiteIdx) -> MarginalCost {
    let is_open = plan.open.get(s.index()).copied().unwrap_or(false);
    let forcing = if is_open { Forcing::Closed } else { Forcing::Open };
    let not_solved = |text: String| MarginalCost {
        site: s,
        forcing,
        outcome: MarginalOutcome::NotSolved { text },
    };
    if s.index() >= inputs.sites.len() {
        return not_solved(format!("site index {} is out of range", s.index()));
    }
    let id = &inputs.site(s).id;
    let mut sc = scenario.clone();
    match forcing {
        Forcing::Open => {
            if sc.close.contains(&s) {
                return not_solved(format!("{id} is forced closed by the scenario (limits.close)"));
            }
            sc.keep.push(s);
        }
        Forcing::Closed => {
            if sc.keep.contains(&s) {
                return not_solved(format!("{id} is forced open by the scenario (limits.keep)"));
            }
            sc.close.push(s);
        }
    }
    let p = match crate::optimise::plan(inputs, &sc) {
        Ok(p) => p,
        Err(e) => return not_solved(e.to_string()),
    };
    let outcome = match p.status {
        PlanStatus::Optimal | PlanStatus::Feasible => {
            let other_changes = inputs
                .site_indices()
                .filter(|&t| t != s && p.open[t.index()] != plan.open.get(t.index()).copied().unwrap_or(false))
                .collect();
            MarginalOutcome::Solved {
                status: p.status,
                objective: p.objective,
                delta_objective: p.objective - plan.objective,
                delta_annual_cost: p.totals.annual_cost_after - plan.totals.annual_cost_after,
                delta_need_covered: p.totals.need_covered_after - plan.totals.need_covered_after,
                delta_mean_minutes: p.totals.mean_minutes_after - plan.totals.mean_minutes_after,
                other_changes,
            }
        }
        PlanStatus::Infeasible => {
            let notes = p
                .infeasibility
                .as_ref()
                .map(|i| describe_infeasibility(inputs, &sc, i))
                .unwrap_or_default();
            let mut zones: Vec<ZoneIdx> = notes.iter().flat_map(|n| n.zones.iter().copied()).collect();
            zones.sort();
            zones.dedup();
            let text = if zones.is_empty() {
                notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join(" ")
            } else {
                format!(
                    "infeasible: {} would be beyond {}: {}",
                    plural(zones.len(), "zone", "zones"),
                    limit_text(&sc),
                    id_list(zone_ids(inputs, &zones))
                )
            };
            MarginalOutcome::Infeasible { zones, text }
        }
        _ => MarginalOutcome::NotSolved {
            text: "the time limit passed before a plan was found".into(),
        },
    };
    MarginalCost {
        site: s,
        forcing,
        outcome,
    }
}

/// Id-keyed, serialisable records of [`Explanations`], for `plan.json`.
pub mod records {
    use serde::Serialize;

    use super::*;

    /// A site and minutes, by id.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    pub struct SiteMinutesRecord {
        /// Site id.
        pub site: String,
        /// Minutes.
        pub minutes: f64,
    }

    /// A protected zone, by id.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    pub struct ProtectedZoneRecord {
        /// Zone id.
        pub zone: String,
        /// Need.
        pub need: f64,
        /// Minutes to the kept site.
        pub minutes: f64,
        /// Best other open site.
        pub alternative_open: Option<SiteMinutesRecord>,
        /// Best other site, open or not.
        pub alternative_any: Option<SiteMinutesRecord>,
        /// The zone's own limit when it is beyond the limit today (`access.beyond_limit`).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub own_limit: Option<f64>,
    }

    /// A zone's move, by id.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    pub struct ZoneMoveRecord {
        /// Zone id.
        pub zone: String,
        /// Need.
        pub need: f64,
        /// Minutes to the closing site.
        pub minutes_before: f64,
        /// New nearest open site.
        pub after: Option<SiteMinutesRecord>,
        /// Within the limit before.
        pub within_before: bool,
        /// Within the limit after.
        pub within_after: bool,
        /// `within` (within the limit after), `already_beyond` (beyond it today, journey
        /// not longer) or `longer` (beyond it after, with a longer journey).
        pub group: UserGroup,
    }

    /// One site's explanation, by id.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    pub struct SiteRecord {
        /// Site id.
        pub id: String,
        /// keep, close, open.
        pub decision: String,
        /// forced, access_rule, chosen (kept); forced, not_needed (closed).
        pub reason: String,
        /// A sentence for a person.
        pub text: String,
        /// Access rule: the zones it protects.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub protects: Vec<ProtectedZoneRecord>,
        /// Closure: where its users go.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub users: Vec<ZoneMoveRecord>,
        /// Kept or opened: the zones it serves after the plan that are beyond the limit.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub beyond_users: Vec<ZoneMoveRecord>,
    }

    /// An infeasibility blocker, by id.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    pub struct BlockerRecord {
        /// forced_closures, budget, site_count, combination.
        pub constraint: String,
        /// Zone ids.
        pub zones: Vec<String>,
        /// Site ids.
        pub sites: Vec<String>,
        /// A sentence.
        pub text: String,
    }

    /// All explanations of a plan, by id: what `plan.json` carries under `"explanations"`.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    pub struct ExplanationsRecord {
        /// Kept, opened and closed sites, in input order.
        pub sites: Vec<SiteRecord>,
        /// Blockers of an infeasible plan.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub infeasibility: Vec<BlockerRecord>,
    }

    /// Resolves indices to ids.
    pub fn to_records(inputs: &Inputs, ex: &Explanations) -> ExplanationsRecord {
        let sm = |a: &Option<SiteMinutes>| {
            a.map(|a| SiteMinutesRecord {
                site: inputs.site(a.site).id.clone(),
                minutes: a.minutes,
            })
        };
        let mv = |m: &ZoneMove| ZoneMoveRecord {
            zone: inputs.zone(m.zone).id.clone(),
            need: m.need,
            minutes_before: m.minutes_before,
            after: sm(&m.after),
            within_before: m.within_before,
            within_after: m.within_after,
            group: m.group(),
        };
        let mut sites: Vec<(SiteIdx, SiteRecord)> = Vec::new();
        for k in &ex.kept {
            let protects = match &k.reason {
                KeepReason::AccessRule { zones } => zones
                    .iter()
                    .map(|z| ProtectedZoneRecord {
                        zone: inputs.zone(z.zone).id.clone(),
                        need: z.need,
                        minutes: z.minutes,
                        alternative_open: sm(&z.alternative_open),
                        alternative_any: sm(&z.alternative_any),
                        own_limit: z.own_limit,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            sites.push((
                k.site,
                SiteRecord {
                    id: inputs.site(k.site).id.clone(),
                    decision: k.decision.name().into(),
                    reason: k.reason.name().into(),
                    text: site_sentence(inputs, ex, k.site),
                    protects,
                    users: Vec::new(),
                    beyond_users: k.beyond.iter().map(mv).collect(),
                },
            ));
        }
        for c in &ex.closed {
            let users = c.moves.iter().map(mv).collect();
            sites.push((
                c.site,
                SiteRecord {
                    id: inputs.site(c.site).id.clone(),
                    decision: Decision::Close.name().into(),
                    reason: if c.forced { "forced" } else { "not_needed" }.into(),
                    text: site_sentence(inputs, ex, c.site),
                    protects: Vec::new(),
                    users,
                    beyond_users: Vec::new(),
                },
            ));
        }
        sites.sort_by_key(|(s, _)| *s);
        let infeasibility = ex
            .infeasibility
            .iter()
            .map(|b| BlockerRecord {
                constraint: b.constraint.clone(),
                zones: b.zones.iter().map(|&z| inputs.zone(z).id.clone()).collect(),
                sites: b.sites.iter().map(|&s| inputs.site(s).id.clone()).collect(),
                text: b.text.clone(),
            })
            .collect();
        ExplanationsRecord {
            sites: sites.into_iter().map(|(_, r)| r).collect(),
            infeasibility,
        }
    }
}
