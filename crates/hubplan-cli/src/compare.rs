//! `hubplan compare A/plan.json B/plan.json`: the sites that differ and the deltas (B − A).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use hubplan::plan::Totals;
use hubplan::whatif::{compare, Comparison, PlanSummary, SiteSummary};
use hubplan_report::fmt::{count, minutes, money, money_change, pct, pp_change};

/// Arguments of `hubplan compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Plan A: a plan.json (or the directory holding it).
    pub a: PathBuf,
    /// Plan B: a plan.json (or the directory holding it).
    pub b: PathBuf,
}

/// Reads a plan.json into the summary [`compare`] takes.
pub fn read_summary(path: &Path) -> Result<PlanSummary> {
    let s = hubplan_io::read_plan_json(path)?;
    let t = &s.totals;
    let nan = f64::NAN;
    let totals = Totals {
        sites_before: t.sites_before.unwrap_or(0) as usize,
        sites_after: t.sites_after.unwrap_or(0) as usize,
        sites_closed: t.sites_closed.unwrap_or(0) as usize,
        sites_opened: t.sites_opened.unwrap_or(0) as usize,
        annual_cost_before: t.annual_cost_before.unwrap_or(nan),
        annual_cost_after: t.annual_cost_after.unwrap_or(nan),
        annual_saving: t.saving.unwrap_or(nan),
        backlog_removed: t.backlog_removed.unwrap_or(nan),
        opening_cost: t.opening_cost.unwrap_or(0.0),
        need_total: t.need_total.unwrap_or(nan),
        need_covered_before: t.need_covered_before.unwrap_or(nan),
        need_covered_after: t.need_covered_after.unwrap_or(nan),
        zones_unreachable: t.zones_unreachable.unwrap_or(0) as usize,
        mean_minutes_before: t.mean_minutes_before.unwrap_or(nan),
        mean_minutes_after: t.mean_minutes_after.unwrap_or(nan),
        ..Totals::default()
    };
    let label = path.display().to_string();
    Ok(PlanSummary {
        label,
        status: s.status.clone(),
        objective_kind: s.objective_kind.clone(),
        objective: s.objective.unwrap_or(nan),
        max_minutes: None,
        sites: s
            .sites
            .iter()
            .map(|x| SiteSummary {
                id: x.id.clone(),
                name: x.name.clone(),
                district: x.district.clone(),
                decision: x.decision,
                annual_cost: x.annual_cost.unwrap_or(0.0),
                backlog: x.backlog.unwrap_or(0.0),
            })
            .collect(),
        totals,
        worse_off: s.worse_off_summary(),
    })
}

fn signed_count(x: f64) -> String {
    if !x.is_finite() {
        "n/a".into()
    } else if x.round() > 0.0 {
        format!("+{}", count(x))
    } else {
        count(x)
    }
}

/// The comparison as plain text, for the terminal.
pub fn render(c: &Comparison, a: &PlanSummary, b: &PlanSummary) -> String {
    let mut s = String::new();
    s += &format!("A: {} ({}, {})\n", c.a_label, a.status, a.objective_kind);
    s += &format!("B: {} ({}, {})\n\n", c.b_label, b.status, b.objective_kind);
    let rows: Vec<(&str, String, String, String)> = vec![
        (
            "open sites",
            count(c.sites_open.a),
            count(c.sites_open.b),
            signed_count(c.sites_open.change()),
        ),
        (
            "annual cost",
            money(c.annual_cost.a),
            money(c.annual_cost.b),
            money_change(c.annual_cost.change()),
        ),
        (
            "annual saving",
            money(c.annual_saving.a),
            money(c.annual_saving.b),
            money_change(c.annual_saving.change()),
        ),
        (
            "backlog removed",
            money(c.backlog_removed.a),
            money(c.backlog_removed.b),
            money_change(c.backlog_removed.change()),
        ),
        (
            "opening cost (one-off)",
            money(c.opening_cost.a),
            money(c.opening_cost.b),
            money_change(c.opening_cost.change()),
        ),
        (
            "need within the limit",
            count(c.need_covered.a),
            count(c.need_covered.b),
            signed_count(c.need_covered.change()),
        ),
        (
            "share within the limit",
            pct(c.share_covered.a),
            pct(c.share_covered.b),
            pp_change(c.share_covered.change()),
        ),
        (
            "mean minutes",
            minutes(c.mean_minutes.a),
            minutes(c.mean_minutes.b),
            if c.mean_minutes.change().is_finite() {
                format!("{:+.1} min", c.mean_minutes.change())
            } else {
                "n/a".into()
            },
        ),
        (
            "zones worse off",
            count(c.worse_off_zones.a),
            count(c.worse_off_zones.b),
            signed_count(c.worse_off_zones.change()),
        ),
    ];
    s += &format!("{:<24}{:>16}{:>16}{:>16}\n", "", "A", "B", "B − A");
    for (k, x, y, d) in rows {
        s += &format!("{k:<24}{x:>16}{y:>16}{d:>16}\n");
    }
    let (na, nb) = (a.totals.need_total, b.totals.need_total);
    if na.is_finite() && nb.is_finite() && (na - nb).abs() > 1e-6 * na.abs().max(nb.abs()).max(1.0) {
        s += &format!(
            "\nnote: the plans measure need differently (total need {} in A, {} in B): compare the shares, not the counts\n",
            count(na),
            count(nb)
        );
    }
    for (l, p) in [("A", a), ("B", b)] {
        for line in &p.worse_off.summary {
            s += &format!("{l}: {line}\n");
        }
    }
    s += &format!("\nsites that differ: {}\n", c.sites.len());
    let name = |d: Option<hubplan::Decision>| d.map_or("absent", hubplan::Decision::name);
    for d in &c.sites {
        s += &format!(
            "  {:<14} {:<40} {:>7} → {:<7} {:>10}\n",
            d.id,
            d.name.chars().take(40).collect::<String>(),
            name(d.a),
            name(d.b),
            money(d.annual_cost)
        );
    }
    s
}

/// `hubplan compare`.
pub fn run(args: &CompareArgs) -> Result<ExitCode> {
    let a = read_summary(&args.a)?;
    let b = read_summary(&args.b)?;
    let c = compare(&a, &b);
    print!("{}", render(&c, &a, &b));
    Ok(ExitCode::SUCCESS)
}
