//! What-if tables: `sweep.csv` and `alternatives.csv` (formats in docs/FORMATS.md).

use hubplan::explain::Forcing;
use hubplan::model::{Inputs, SiteStatus};
use hubplan::whatif::{Alternative, SweepResult};
use hubplan::{Plan, PlanStatus};

use crate::error::Result;
use crate::output::csv_bytes;

/// A number rounded to 2 decimals, `0` for zero, empty when not finite.
fn num(x: f64) -> String {
    if x.is_finite() {
        let r = (x * 100.0).round() / 100.0;
        if r == 0.0 {
            "0".into()
        } else {
            format!("{r}")
        }
    } else {
        String::new()
    }
}

/// A share with 6 decimals, empty when not finite.
fn share(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.6}")
    } else {
        String::new()
    }
}

const SWEEP_HEADER: [&str; 17] = [
    "kind",
    "value",
    "objective",
    "status",
    "objective_value",
    "gap",
    "sites_open",
    "annual_cost",
    "annual_saving",
    "backlog_removed",
    "need_covered",
    "need_total",
    "share_covered",
    "share_covered_before",
    "mean_minutes",
    "closed_sites",
    "error",
];

/// `sweep.csv`: one row per sweep point, in the order given.
pub fn sweep_csv(inputs: &Inputs, results: &[SweepResult]) -> Result<Vec<u8>> {
    let rows = results.iter().map(|r| {
        let closed: Vec<&str> = r
            .open
            .iter()
            .zip(&inputs.sites)
            .filter(|(o, site)| !**o && site.status == SiteStatus::Existing)
            .map(|(_, site)| site.id.as_str())
            .collect();
        vec![
            r.point.kind().to_string(),
            num(r.point.value()),
            r.objective_kind.name().to_string(),
            r.status.map_or("error", PlanStatus::name).to_string(),
            num(r.objective),
            if r.gap.is_finite() {
                format!("{:e}", r.gap)
            } else {
                String::new()
            },
            if r.has_plan() {
                r.sites_open.to_string()
            } else {
                String::new()
            },
            num(r.annual_cost),
            num(r.annual_saving),
            num(r.backlog_removed),
            num(r.need_covered),
            num(r.need_total),
            share(r.share_covered),
            share(r.share_covered_before),
            num(r.mean_minutes),
            closed.join(";"),
            r.error.clone().unwrap_or_default(),
        ]
    });
    csv_bytes(&SWEEP_HEADER, rows)
}

const ALTERNATIVES_HEADER: [&str; 12] = [
    "rank",
    "objective_value",
    "worse_by_pct",
    "status",
    "sites_open",
    "annual_cost",
    "annual_saving",
    "need_covered",
    "share_covered",
    "mean_minutes",
    "found_by",
    "differs_from_optimum",
];

/// `alternatives.csv`: the optimum (rank 0), then each near-optimal alternative.
pub fn alternatives_csv(inputs: &Inputs, best: &Plan, alts: &[Alternative]) -> Result<Vec<u8>> {
    let row = |rank: usize, p: &Plan, worse: f64, found: String, differs: String| {
        let t = &p.totals;
        vec![
            rank.to_string(),
            num(p.objective),
            format!("{:.4}", worse * 100.0),
            p.status.name().to_string(),
            t.sites_after.to_string(),
            num(t.annual_cost_after),
            num(t.annual_saving),
            num(t.need_covered_after),
            share(if t.need_total > 0.0 {
                t.need_covered_after / t.need_total
            } else {
                f64::NAN
            }),
            num(t.mean_minutes_after),
            found,
            differs,
        ]
    };
    let mut rows = vec![row(0, best, 0.0, "optimum".into(), String::new())];
    for (i, a) in alts.iter().enumerate() {
        let differs: Vec<String> = a
            .differs
            .iter()
            .map(|&t| format!("{}:{}", inputs.site(t).id, a.plan.sites[t.index()].decision.name()))
            .collect();
        let found = format!(
            "{} forced {}",
            inputs.site(a.flipped).id,
            match a.forcing {
                Forcing::Open => "open",
                Forcing::Closed => "closed",
            }
        );
        rows.push(row(i + 1, &a.plan, a.worse_by, found, differs.join(";")));
    }
    csv_bytes(&ALTERNATIVES_HEADER, rows.into_iter())
}
