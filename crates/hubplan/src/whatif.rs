//! What-ifs: compare two plans, sweep a budget or a limit, find near-optimal alternatives.
//!
//! - [`compare`] works on [`PlanSummary`]s, keyed by site id, so that two saved
//!   plans made from different inputs (a building added, another removed) can
//!   still be compared.
//! - [`sweep`] re-plans a base scenario at several budgets or limits
//!   ([`SweepPoint`]) in parallel with rayon. Results come back in input order
//!   and do not depend on the number of threads (each plan is solved on its
//!   own; the solver is deterministic).
//! - [`alternatives`] looks for distinct plans that meet the same rules with an
//!   objective within a tolerance of the optimum. It re-solves the scenario once
//!   per site with that site's decision flipped and forced (a kept site forced
//!   closed, a closed site forced open), in parallel, and keeps the distinct
//!   plans within the tolerance, best first. **Guarantee:** when every re-solve
//!   is proven optimal, the first alternative is a best plan among all plans
//!   that differ from the optimum (any other plan differs from it at some site
//!   `s`, and the re-solve that flips `s` is at least as good). **No guarantee**
//!   for the others: the k-th alternative is the best plan with one particular
//!   site flipped, not necessarily the k-th best plan overall; plans that differ
//!   from the optimum only at sites the scenario forces are never produced;
//!   this is not an exhaustive enumeration.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::explain::Forcing;
use crate::ids::SiteIdx;
use crate::model::Inputs;
use crate::plan::{Decision, Plan, PlanStatus, Totals};
use crate::scenario::{ObjectiveKind, Scenario};

/// One site of a saved plan, by id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteSummary {
    /// Original id.
    pub id: String,
    /// Display name (may be empty).
    pub name: String,
    /// District (may be empty).
    pub district: String,
    /// The decision.
    pub decision: Decision,
    /// Running cost, GBP a year.
    pub annual_cost: f64,
    /// Backlog, GBP.
    pub backlog: f64,
}

/// What [`compare`] needs from a plan: decisions by site id and the totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// How the plan is named in outputs (e.g. its directory).
    pub label: String,
    /// Optimal, feasible, infeasible or unknown.
    pub status: PlanStatus,
    /// The objective (`None` when a saved plan does not say).
    pub objective_kind: Option<ObjectiveKind>,
    /// The objective value in its own sense.
    pub objective: f64,
    /// The access limit, minutes.
    pub max_minutes: Option<f64>,
    /// Co-location plans: each planned service's id and the access limit it was
    /// planned under (its own from services.csv, else `max_minutes`); empty for a
    /// single-service plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_limits: Vec<(String, Option<f64>)>,
    /// Sites in input order.
    pub sites: Vec<SiteSummary>,
    /// Money and people.
    pub totals: Totals,
    /// Who is worse off (issue 18).
    #[serde(default)]
    pub worse_off: WorseOffSummary,
}

/// The worse-off figures of a plan, as `compare` and `sweep` carry them.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct WorseOffSummary {
    /// The threshold, minutes (`report.worse_off_minutes`).
    pub minutes: f64,
    /// Zones whose journey grows by at least `minutes`.
    pub zones: usize,
    /// Their need.
    pub need: f64,
    /// The plain-words sentences ([`crate::explain::worse_off_sentences`]).
    pub summary: Vec<String>,
}

impl WorseOffSummary {
    /// The figures of an in-memory plan.
    pub fn from_plan(inputs: &Inputs, plan: &Plan) -> Self {
        WorseOffSummary {
            minutes: plan.worse_off_minutes,
            zones: plan.worse_off.len(),
            need: plan.worse_off.iter().map(|w| inputs.zone(w.zone).need).sum(),
            summary: crate::explain::worse_off_sentences(inputs, plan, 3),
        }
    }
}

impl PlanSummary {
    /// Summarises an in-memory plan.
    pub fn from_plan(label: &str, inputs: &Inputs, scenario: &Scenario, plan: &Plan) -> Self {
        PlanSummary {
            label: label.to_string(),
            status: plan.status,
            objective_kind: Some(plan.objective_kind),
            objective: plan.objective,
            max_minutes: scenario.max_minutes,
            service_limits: Vec::new(),
            sites: inputs
                .sites
                .iter()
                .zip(&plan.sites)
                .map(|(s, p)| SiteSummary {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    district: s.district.clone(),
                    decision: p.decision,
                    annual_cost: s.annual_cost,
                    backlog: s.backlog,
                })
                .collect(),
            totals: plan.totals.clone(),
            worse_off: WorseOffSummary::from_plan(inputs, plan),
        }
    }

    /// Share of need within the limit after the plan, in [0, 1] (0 when there is no need).
    pub fn share_covered(&self) -> f64 {
        share(self.totals.need_covered_after, self.totals.need_total)
    }
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole
    } else {
        0.0
    }
}

/// A value in plan A and plan B.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// In A.
    pub a: f64,
    /// In B.
    pub b: f64,
}

impl Delta {
    /// b − a.
    pub fn change(&self) -> f64 {
        self.b - self.a
    }
}

/// A site whose decision differs between two plans (or that is in one plan only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteDiff {
    /// Site id.
    pub id: String,
    /// Name (from whichever plan has it).
    pub name: String,
    /// Decision in A (`None`: not in A's inputs).
    pub a: Option<Decision>,
    /// Decision in B (`None`: not in B's inputs).
    pub b: Option<Decision>,
    /// Running cost, GBP a year (from B when present in both).
    pub annual_cost: f64,
}

/// The differences between two plans.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// A's label.
    pub a_label: String,
    /// B's label.
    pub b_label: String,
    /// Sites that differ, ordered by id.
    pub sites: Vec<SiteDiff>,
    /// Open sites after.
    pub sites_open: Delta,
    /// Σ annual cost of open sites.
    pub annual_cost: Delta,
    /// Annual saving against the status quo.
    pub annual_saving: Delta,
    /// Backlog removed.
    pub backlog_removed: Delta,
    /// One-off cost of opening candidates.
    pub opening_cost: Delta,
    /// Need within the limit after.
    pub need_covered: Delta,
    /// Share of need within the limit after, in [0, 1].
    pub share_covered: Delta,
    /// Need-weighted mean minutes to the nearest open site after.
    pub mean_minutes: Delta,
    /// Zones on the worse-off list.
    pub worse_off_zones: Delta,
    /// Their need.
    pub worse_off_need: Delta,
}

/// Compares two plans by site id: the sites whose decision differs, and the deltas (B − A).
pub fn compare(a: &PlanSummary, b: &PlanSummary) -> Comparison {
    use std::collections::BTreeMap;
    let mut by_id: BTreeMap<&str, (Option<&SiteSummary>, Option<&SiteSummary>)> = BTreeMap::new();
    for s in &a.sites {
        by_id.entry(s.id.as_str()).or_default().0 = Some(s);
    }
    for s in &b.sites {
        by_id.entry(s.id.as_str()).or_default().1 = Some(s);
    }
    let sites = by_id
        .into_iter()
        .filter(|(_, (x, y))| x.map(|s| s.decision) != y.map(|s| s.decision))
        .map(|(id, (x, y))| {
            let any = y.or(x);
            SiteDiff {
                id: id.to_string(),
                name: any.map_or_else(String::new, |s| s.name.clone()),
                a: x.map(|s| s.decision),
                b: y.map(|s| s.decision),
                annual_cost: any.map_or(0.0, |s| s.annual_cost),
            }
        })
        .collect();
    let d = |f: &dyn Fn(&PlanSummary) -> f64| Delta { a: f(a), b: f(b) };
    Comparison {
        a_label: a.label.clone(),
        b_label: b.label.clone(),
        sites,
        sites_open: d(&|p| p.totals.sites_after as f64),
        annual_cost: d(&|p| p.totals.annual_cost_after),
        annual_saving: d(&|p| p.totals.annual_saving),
        backlog_removed: d(&|p| p.totals.backlog_removed),
        opening_cost: d(&|p| p.totals.opening_cost),
        need_covered: d(&|p| p.totals.need_covered_after),
        share_covered: d(&|p| p.share_covered()),
        mean_minutes: d(&|p| p.totals.mean_minutes_after),
        worse_off_zones: d(&|p| p.worse_off.zones as f64),
        worse_off_need: d(&|p| p.worse_off.need),
    }
}

/// One variant of a sweep.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SweepPoint {
    /// The base scenario with this budget (GBP a year). A `min_cost` base is
    /// re-planned as `max_coverage` (a budget does not change a least-cost plan
    /// except to make it infeasible); other objectives keep their own.
    Budget(f64),
    /// The base scenario with this access limit, minutes, and its own objective.
    MaxMinutes(f64),
}

impl SweepPoint {
    /// `budget` or `max_minutes`.
    pub fn kind(&self) -> &'static str {
        match self {
            SweepPoint::Budget(_) => "budget",
            SweepPoint::MaxMinutes(_) => "max_minutes",
        }
    }

    /// The value swept.
    pub fn value(&self) -> f64 {
        match *self {
            SweepPoint::Budget(v) | SweepPoint::MaxMinutes(v) => v,
        }
    }

    /// The base scenario with this point applied.
    pub fn apply(&self, base: &Scenario) -> Scenario {
        let mut sc = base.clone();
        match *self {
            SweepPoint::Budget(b) => {
                sc.budget = Some(b);
                if sc.objective == ObjectiveKind::MinCost {
                    sc.objective = ObjectiveKind::MaxCoverage;
                }
            }
            SweepPoint::MaxMinutes(m) => sc.max_minutes = Some(m),
        }
        sc
    }
}

/// `steps` budgets evenly spaced from `lo` to `hi` inclusive (one point, `lo`, when `steps` is 1).
pub fn budget_points(lo: f64, hi: f64, steps: usize) -> Vec<SweepPoint> {
    match steps {
        0 => Vec::new(),
        1 => vec![SweepPoint::Budget(lo)],
        n => (0..n)
            .map(|i| SweepPoint::Budget(lo + (hi - lo) * i as f64 / (n - 1) as f64))
            .collect(),
    }
}

/// The outcome of one sweep point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// The point.
    pub point: SweepPoint,
    /// The objective solved.
    pub objective_kind: ObjectiveKind,
    /// The access limit of this point.
    pub max_minutes: Option<f64>,
    /// The plan's status; `None` when the scenario was rejected (see `error`).
    pub status: Option<PlanStatus>,
    /// A contradiction or solver error, as a sentence.
    pub error: Option<String>,
    /// Objective in its own sense (NaN without a plan).
    pub objective: f64,
    /// Relative gap (NaN without a plan).
    pub gap: f64,
    /// Open sites after.
    pub sites_open: usize,
    /// Σ annual cost of open sites.
    pub annual_cost: f64,
    /// Annual saving against the status quo.
    pub annual_saving: f64,
    /// Backlog removed.
    pub backlog_removed: f64,
    /// Need within the limit after.
    pub need_covered: f64,
    /// Σ need.
    pub need_total: f64,
    /// need_covered / need_total.
    pub share_covered: f64,
    /// Share of need within the limit in the status quo (at this point's limit).
    pub share_covered_before: f64,
    /// Need-weighted mean minutes after.
    pub mean_minutes: f64,
    /// Zones whose journey grows by at least `report.worse_off_minutes` (0 without a plan).
    #[serde(default)]
    pub worse_off_zones: usize,
    /// Their need (NaN without a plan).
    #[serde(default)]
    pub worse_off_need: f64,
    /// The open set (empty without a plan).
    pub open: Vec<bool>,
}

impl SweepResult {
    /// True when the point produced a plan that meets its rules.
    pub fn has_plan(&self) -> bool {
        matches!(self.status, Some(PlanStatus::Optimal | PlanStatus::Feasible))
    }
}

fn sweep_result(inputs: &Inputs, point: SweepPoint, sc: &Scenario, r: crate::Result<Plan>) -> SweepResult {
    let mut out = SweepResult {
        point,
        objective_kind: sc.objective,
        max_minutes: sc.max_minutes,
        status: None,
        error: None,
        objective: f64::NAN,
        gap: f64::NAN,
        sites_open: 0,
        annual_cost: f64::NAN,
        annual_saving: f64::NAN,
        backlog_removed: f64::NAN,
        need_covered: f64::NAN,
        need_total: f64::NAN,
        share_covered: f64::NAN,
        share_covered_before: f64::NAN,
        mean_minutes: f64::NAN,
        worse_off_zones: 0,
        worse_off_need: f64::NAN,
        open: Vec::new(),
    };
    match r {
        Err(e) => out.error = Some(e.to_string()),
        Ok(p) => {
            out.status = Some(p.status);
            let t = &p.totals;
            out.need_total = t.need_total;
            out.share_covered_before = share(t.need_covered_before, t.need_total);
            if matches!(p.status, PlanStatus::Optimal | PlanStatus::Feasible) {
                out.objective = p.objective;
                out.gap = p.gap;
                out.sites_open = t.sites_after;
                out.annual_cost = t.annual_cost_after;
                out.annual_saving = t.annual_saving;
                out.backlog_removed = t.backlog_removed;
                out.need_covered = t.need_covered_after;
                out.share_covered = share(t.need_covered_after, t.need_total);
                out.mean_minutes = t.mean_minutes_after;
                out.worse_off_zones = p.worse_off.len();
                out.worse_off_need = p.worse_off.iter().map(|w| inputs.zone(w.zone).need).sum();
                out.open = p.open;
            } else if let Some(inf) = &p.infeasibility {
                let notes = crate::explain::describe_infeasibility(inputs, sc, inf);
                out.error = Some(notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join(" "));
            }
        }
    }
    out
}

/// Plans `base` at every point of `variants`, in parallel with rayon.
///
/// `progress(done, total)` is called once per finished point (from worker
/// threads, in completion order). Results are in the order of `variants` and
/// do not depend on the number of threads. A point whose scenario is rejected
/// (e.g. a budget below the forced keeps) gives a result with `error` set, not
/// an `Err`.
pub fn sweep(
    inputs: &Inputs,
    base: &Scenario,
    variants: &[SweepPoint],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<SweepResult> {
    let done = AtomicUsize::new(0);
    let total = variants.len();
    variants
        .par_iter()
        .map(|&pt| {
            let sc = pt.apply(base);
            let r = sweep_result(inputs, pt, &sc, crate::optimise::plan(inputs, &sc));
            progress(done.fetch_add(1, Ordering::SeqCst) + 1, total);
            r
        })
        .collect()
}

/// A point of the savings-versus-access trade-off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TradeOffPoint {
    /// The sweep point it comes from.
    pub point: SweepPoint,
    /// Annual saving, GBP.
    pub saving: f64,
    /// Share of need within the limit, in [0, 1].
    pub share_covered: f64,
    /// No other point saves at least as much with at least as much coverage (and is better in one).
    pub efficient: bool,
}

/// The savings-versus-access trade-off of a sweep: one point per result with a plan,
/// in input order, each marked efficient (Pareto) or not.
pub fn trade_off_curve(results: &[SweepResult]) -> Vec<TradeOffPoint> {
    let pts: Vec<(SweepPoint, f64, f64)> = results
        .iter()
        .filter(|r| r.has_plan())
        .map(|r| (r.point, r.annual_saving, r.share_covered))
        .collect();
    pts.iter()
        .map(|&(point, saving, cov)| {
            let dominated = pts.iter().any(|&(_, s2, c2)| {
                s2 >= saving - 1e-9 && c2 >= cov - 1e-12 && (s2 > saving + 1e-9 || c2 > cov + 1e-12)
            });
            TradeOffPoint {
                point,
                saving,
                share_covered: cov,
                efficient: !dominated,
            }
        })
        .collect()
}

/// A near-optimal alternative plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Alternative {
    /// The site whose decision was flipped and forced to find it.
    pub flipped: SiteIdx,
    /// Which way it was forced.
    pub forcing: Forcing,
    /// Sites whose decision differs from the optimum (sorted).
    pub differs: Vec<SiteIdx>,
    /// objective / optimum − 1 for minimisation; 1 − objective / optimum for `max_coverage`
    /// (so it is ≥ 0 and "how much worse").
    pub worse_by: f64,
    /// The plan.
    pub plan: Plan,
}

/// Distinct plans meeting the same rules whose objective is within `within`
/// (a fraction, 0.02 = 2%) of `optimum`'s, best first, at most `k`.
///
/// See the module docs for exactly what this does and does not guarantee.
/// Sites the scenario forces are never flipped. `progress(done, total)` is
/// called once per re-solve. Deterministic: ties are broken by the open set.
pub fn alternatives(
    inputs: &Inputs,
    scenario: &Scenario,
    optimum: &Plan,
    k: usize,
    within: f64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<Alternative> {
    if k == 0
        || !matches!(optimum.status, PlanStatus::Optimal | PlanStatus::Feasible)
        || optimum.open.len() != inputs.sites.len()
        || !optimum.objective.is_finite()
    {
        return Vec::new();
    }
    let flips: Vec<SiteIdx> = inputs
        .site_indices()
        .filter(|s| !scenario.keep.contains(s) && !scenario.close.contains(s))
        .collect();
    let total = flips.len();
    let done = AtomicUsize::new(0);
    let opt = optimum.objective;
    let maximise = scenario.objective == ObjectiveKind::MaxCoverage;
    let worse_by = |obj: f64| {
        let scale = opt.abs().max(1e-9);
        if maximise {
            (opt - obj) / scale
        } else {
            (obj - opt) / scale
        }
    };
    let found: Vec<Option<Alternative>> = flips
        .par_iter()
        .map(|&s| {
            let mut sc = scenario.clone();
            let forcing = if optimum.open[s.index()] {
                sc.close.push(s);
                Forcing::Closed
            } else {
                sc.keep.push(s);
                Forcing::Open
            };
            let r = crate::optimise::plan(inputs, &sc).ok().and_then(|p| {
                if !matches!(p.status, PlanStatus::Optimal | PlanStatus::Feasible) {
                    return None;
                }
                let w = worse_by(p.objective);
                if w > within + 1e-9 {
                    return None;
                }
                let differs: Vec<SiteIdx> = inputs
                    .site_indices()
                    .filter(|t| p.open[t.index()] != optimum.open[t.index()])
                    .collect();
                Some(Alternative {
                    flipped: s,
                    forcing,
                    differs,
                    worse_by: w.max(0.0),
                    plan: p,
                })
            });
            progress(done.fetch_add(1, Ordering::SeqCst) + 1, total);
            r
        })
        .collect();
    let mut alts: Vec<Alternative> = found.into_iter().flatten().collect();
    alts.sort_by(|x, y| {
        x.worse_by
            .total_cmp(&y.worse_by)
            .then(x.differs.len().cmp(&y.differs.len()))
            .then_with(|| x.plan.open.cmp(&y.plan.open))
            .then(x.flipped.cmp(&y.flipped))
    });
    alts.dedup_by(|x, y| x.plan.open == y.plan.open);
    // dedup_by only removes adjacent duplicates; equal open sets can be apart when
    // objective values differ by rounding, so check against all kept ones.
    let mut out: Vec<Alternative> = Vec::new();
    for a in alts {
        if !out.iter().any(|o| o.plan.open == a.plan.open) {
            out.push(a);
        }
        if out.len() == k {
            break;
        }
    }
    out
}

/// The relative tolerance given as `2%` or `0.02`.
pub fn parse_tolerance(s: &str) -> Option<f64> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok()? / 100.0,
        None => t.parse::<f64>().ok()?,
    };
    (v.is_finite() && v >= 0.0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_points_are_inclusive_and_even() {
        let p = budget_points(800_000.0, 2_000_000.0, 13);
        assert_eq!(p.len(), 13);
        assert_eq!(p[0], SweepPoint::Budget(800_000.0));
        assert_eq!(p[12], SweepPoint::Budget(2_000_000.0));
        assert_eq!(p[1], SweepPoint::Budget(900_000.0));
    }

    #[test]
    fn tolerance_parses_percent_and_fraction() {
        assert_eq!(parse_tolerance("2%"), Some(0.02));
        assert_eq!(parse_tolerance("0.05"), Some(0.05));
        assert_eq!(parse_tolerance("-1%"), None);
        assert_eq!(parse_tolerance("x"), None);
    }

    #[test]
    fn trade_off_marks_dominated_points() {
        let mk = |b: f64, saving: f64, cov: f64| SweepResult {
            point: SweepPoint::Budget(b),
            objective_kind: ObjectiveKind::MaxCoverage,
            max_minutes: Some(35.0),
            status: Some(PlanStatus::Optimal),
            error: None,
            objective: cov,
            gap: 0.0,
            sites_open: 1,
            annual_cost: 0.0,
            annual_saving: saving,
            backlog_removed: 0.0,
            need_covered: cov,
            need_total: 1.0,
            share_covered: cov,
            share_covered_before: 1.0,
            mean_minutes: 10.0,
            worse_off_zones: 0,
            worse_off_need: 0.0,
            open: vec![true],
        };
        let c = trade_off_curve(&[mk(1.0, 100.0, 0.9), mk(2.0, 50.0, 0.8), mk(3.0, 10.0, 1.0)]);
        assert_eq!(
            c.iter().map(|p| p.efficient).collect::<Vec<_>>(),
            vec![true, false, true]
        );
    }
}
