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

use crate::evaluate::{in_rule, nearest_open};
use crate::ids::{SiteIdx, ZoneIdx};
use crate::model::{Inputs, SiteStatus};
use crate::plan::{Blocker, Decision, Infeasibility, Plan, PlanStatus};
use crate::scenario::{ObjectiveKind, Scenario};

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
    /// The site.
    pub site: SiteIdx,
    /// [`Decision::Keep`] or [`Decision::Open`].
    pub decision: Decision,
    /// Why.
    pub reason: KeepReason,
    /// Zones whose nearest open site it is after the plan.
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

/// Formats a whole number of pounds with thousands separators, e.g. `£1,270,000`.
pub fn pounds(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let neg = x < -0.5;
    let n = x.abs().round() as u128;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}£{out}", if neg { "−" } else { "" })
}

/// Formats a count or need with thousands separators, rounded to a whole number.
pub fn count(x: f64) -> String {
    pounds(x).replace('£', "")
}

/// Minutes to one decimal place, e.g. `34.5 min`.
pub fn minutes(m: f64) -> String {
    if m.is_finite() {
        format!("{m:.1} min")
    } else {
        "no route".into()
    }
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
    let rule = in_rule(inputs, scenario);
    // For every zone: the open sites within the limit (only the count and the first matter).
    let mut sole: Vec<Vec<ZoneIdx>> = vec![Vec::new(); inputs.sites.len()];
    if scenario.max_minutes.is_some() {
        for z in inputs.zone_indices() {
            if !rule[z.index()] {
                continue;
            }
            let mut it = inputs
                .travel
                .row(z)
                .filter(|&(s, m)| open[s.index()] && within(scenario, m));
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
                    .map(|&z| protected_zone(inputs, open, s, z))
                    .collect();
                KeepReason::AccessRule { zones }
            } else {
                chosen(inputs, scenario, plan, s, &sole[s.index()], &lim)
            };
            ex.kept.push(KeptSite {
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
    }
}

fn chosen(inputs: &Inputs, sc: &Scenario, plan: &Plan, s: SiteIdx, sole: &[ZoneIdx], lim: &str) -> KeepReason {
    let sp = &plan.sites[s.index()];
    let site = inputs.site(s);
    let served = format!(
        "nearest open hub for {} (need {})",
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
            let note = if site.annual_cost <= 0.0 {
                format!("Chosen on cost: it costs nothing to run; {served}.")
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
    if c.forced {
        return format!("Closed by the scenario (limits.close); {money}.");
    }
    let n = c.moves.len();
    let beyond = c.pushed_beyond().count();
    let how = match sc.objective {
        ObjectiveKind::MinCost => "Not needed for the access rule",
        ObjectiveKind::MaxCoverage => "Closed to meet the budget or site count at the greatest coverage",
        ObjectiveKind::MinTravel => "Closed: the open hubs give less total travel within the site count or budget",
    };
    if n == 0 {
        return format!("{how}: no zone had it as its nearest hub; {money}.");
    }
    if beyond == 0 {
        let subject = if n == 1 {
            "the one zone it served".to_string()
        } else {
            format!("all {n} zones it served")
        };
        let verb = if n == 1 { "stays" } else { "stay" };
        let all = if sc.max_minutes.is_some() {
            format!("{subject} {verb} within {lim} of another hub")
        } else {
            format!(
                "{subject} still {} another hub",
                if n == 1 { "reaches" } else { "reach" }
            )
        };
        format!("{how}: {all}; {money}.")
    } else {
        let need: f64 = c.pushed_beyond().map(|m| m.need).sum();
        format!(
            "{how}: {} of the {} it served (need {}) are beyond {lim} after; {money}.",
            beyond,
            plural(n, "zone", "zones"),
            count(need)
        )
    }
}

/// Renders the blockers of an infeasible scenario as notes naming zones and sites.
pub fn describe_infeasibility(inputs: &Inputs, sc: &Scenario, inf: &Infeasibility) -> Vec<BlockerNote> {
    let lim = limit_text(sc);
    let need_of = |zones: &[ZoneIdx]| -> f64 { zones.iter().map(|&z| inputs.zone(z).need).sum() };
    inf.blockers
        .iter()
        .map(|b| {
            let (constraint, mut zones, mut sites, text) = match b {
                Blocker::ForcedClosures { zones, sites } => (
                    "forced_closures",
                    zones.clone(),
                    sites.clone(),
                    format!(
                        "{} (need {}) can reach no site within {lim} except sites the scenario forces closed \
                         ({}). Zones: {}.",
                        plural(zones.len(), "zone", "zones"),
                        count(need_of(zones)),
                        id_list(site_ids(inputs, sites)),
                        id_list(zone_ids(inputs, zones))
                    ),
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
                                "the least annual cost that keeps every zone within {lim}, {}",
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
                    ("budget", zones.clone(), Vec::new(), t)
                }
                Blocker::SiteCount {
                    sites,
                    least_sites,
                    zones,
                } => {
                    let least = least_sites.map_or_else(String::new, |l| format!(", but at least {l} are needed"));
                    let mut t =
                        format!("Exactly {sites} open sites were asked for{least} to keep every zone within {lim}.");
                    if !zones.is_empty() {
                        t.push_str(&format!(
                            " With {sites} sites the best plan leaves {} (need {}) beyond {lim}: {}.",
                            plural(zones.len(), "zone", "zones"),
                            count(need_of(zones)),
                            id_list(zone_ids(inputs, zones))
                        ));
                    }
                    ("site_count", zones.clone(), Vec::new(), t)
                }
                Blocker::Combination => (
                    "combination",
                    Vec::new(),
                    Vec::new(),
                    "The budget and the site count can each be met alone, but not together.".to_string(),
                ),
            };
            zones.sort();
            sites.sort();
            BlockerNote {
                constraint: constraint.to_string(),
                zones,
                sites,
                text,
            }
        })
        .collect()
}

/// One sentence explaining a site's decision, naming ids (used in reports and on the command line).
pub fn site_sentence(inputs: &Inputs, ex: &Explanations, s: SiteIdx) -> String {
    let lim = ex
        .max_minutes
        .map_or_else(|| "reach".to_string(), |m| format!("{} minutes", trim_float(m)));
    if let Some(k) = ex.kept_site(s) {
        return match &k.reason {
            KeepReason::Forced => "Kept: forced open by the scenario (limits.keep).".to_string(),
            KeepReason::AccessRule { zones } => {
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
                if isolated.is_empty() {
                    t.push_str(
                        " Each could instead be served by a building this plan closes or does not open, \
                         at a higher total cost.",
                    );
                } else if isolated.len() < zones.len() {
                    t.push_str(
                        " The others could instead be served by buildings this plan closes or does not open, \
                         at a higher total cost.",
                    );
                }
                t
            }
            KeepReason::Chosen { note, .. } => note.clone(),
        };
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
                },
            ));
        }
        for c in &ex.closed {
            let users = c
                .moves
                .iter()
                .map(|m| ZoneMoveRecord {
                    zone: inputs.zone(m.zone).id.clone(),
                    need: m.need,
                    minutes_before: m.minutes_before,
                    after: sm(&m.after),
                    within_before: m.within_before,
                    within_after: m.within_after,
                })
                .collect();
            sites.push((
                c.site,
                SiteRecord {
                    id: inputs.site(c.site).id.clone(),
                    decision: Decision::Close.name().into(),
                    reason: if c.forced { "forced" } else { "not_needed" }.into(),
                    text: site_sentence(inputs, ex, c.site),
                    protects: Vec::new(),
                    users,
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
