//! What-ifs across many scenarios: sweeps over budgets or access limits, near-optimal
//! alternatives, and comparing two saved plans.

use std::path::Path;

use hubplan::plan::Totals;
use hubplan::whatif::{Alternative, Comparison, PlanSummary, SiteSummary, SweepPoint, SweepResult};
use hubplan::{ObjectiveKind, Plan, PlanStatus, Scenario};
use hubplan_report::fmt::{count, minutes, money, money_change, pct, pp_change};

use crate::error::{Error, Result};
use crate::job::Job;
use crate::load::{Event, Progress};

/// The results of [`Job::sweep`], one per point, in the order given.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Sweep {
    /// One result per point.
    pub results: Vec<SweepResult>,
    /// The chart's title.
    pub title: String,
}

/// The results of [`Job::alternatives`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Alternatives {
    /// The optimum of the scenario itself.
    pub best: Plan,
    /// Near-optimal alternatives, best first.
    pub alternatives: Vec<Alternative>,
    /// The tolerance, as a fraction of the optimum.
    pub within: f64,
}

impl Job {
    /// Re-plans the (single-service) scenario at each point, in parallel on the current
    /// rayon pool; the results do not depend on the number of threads.
    pub fn sweep(&self, points: &[SweepPoint], progress: &dyn Progress) -> Result<Sweep> {
        let base = self.single("sweep")?;
        hubplan::optimise::check_scenario(&self.inputs, base)?;
        progress.event(Event::Start {
            what: "sweep",
            total: points.len(),
        });
        let results = hubplan::whatif::sweep(&self.inputs, base, points, &|done, _| {
            progress.event(Event::Step { done })
        });
        progress.event(Event::Finish);
        let limits = points.iter().all(|p| matches!(p, SweepPoint::MaxMinutes(_)));
        let title = chart_title(self.path.as_deref().unwrap_or(Path::new("scenario")), base, limits);
        Ok(Sweep { results, title })
    }

    /// Solves the (single-service) scenario and finds up to `k` plans within `within`
    /// (a fraction) of its optimum, each differing from it.
    pub fn alternatives(&self, k: usize, within: f64, progress: &dyn Progress) -> Result<Alternatives> {
        let base = self.single("sweep --alternatives")?;
        hubplan::optimise::check_scenario(&self.inputs, base)?;
        progress.event(Event::Info("solving the base scenario"));
        let best = hubplan::plan(&self.inputs, base)?;
        if !matches!(best.status, PlanStatus::Optimal | PlanStatus::Feasible) {
            return Err(Error::Plan(format!(
                "the base scenario has no plan ({}), so it has no alternatives",
                best.status.name()
            )));
        }
        let free = self.inputs.sites.len() - base.keep.len() - base.close.len();
        progress.event(Event::Start {
            what: "alternatives",
            total: free,
        });
        let alternatives = hubplan::whatif::alternatives(&self.inputs, base, &best, k, within, &|done, _| {
            progress.event(Event::Step { done })
        });
        progress.event(Event::Finish);
        Ok(Alternatives {
            best,
            alternatives,
            within,
        })
    }
}

impl Sweep {
    /// sweep.csv, sweep_sites.csv and sweep.svg, rendered.
    pub fn files(&self, job: &Job) -> Result<Vec<(&'static str, Vec<u8>)>> {
        Ok(vec![
            ("sweep.csv", hubplan_io::sweep_csv(job.inputs(), &self.results)?),
            (
                "sweep_sites.csv",
                hubplan_io::sweep_sites_csv(job.inputs(), &self.results)?,
            ),
            (
                "sweep.svg",
                hubplan_report::sweep_chart_svg(&self.results, &self.title).into_bytes(),
            ),
        ])
    }

    /// One line per point for a terminal.
    pub fn lines(&self) -> Vec<String> {
        self.results
            .iter()
            .map(|r| {
                let what = match r.point {
                    SweepPoint::Budget(b) => format!("budget {}", money(b)),
                    SweepPoint::MaxMinutes(m) => format!("{m} min"),
                };
                if r.has_plan() {
                    format!(
                        "{what:>18}: {:<8} {:>4} sites  saving {:>11}  need within limit {}",
                        r.status.map_or("", PlanStatus::name),
                        r.sites_open,
                        money(r.annual_saving),
                        pct(r.share_covered)
                    )
                } else {
                    format!(
                        "{what:>18}: {}",
                        r.error
                            .clone()
                            .unwrap_or_else(|| r.status.map_or("error", PlanStatus::name).to_string())
                    )
                }
            })
            .collect()
    }
}

impl Alternatives {
    /// alternatives.csv, rendered.
    pub fn csv(&self, job: &Job) -> Result<Vec<u8>> {
        Ok(hubplan_io::alternatives_csv(
            job.inputs(),
            &self.best,
            &self.alternatives,
        )?)
    }

    /// One line for a terminal.
    pub fn line(&self) -> String {
        format!(
            "{} alternative plan(s) within {} of the optimum ({}); see alternatives.csv",
            self.alternatives.len(),
            pct(self.within),
            match self.best.objective_kind {
                hubplan::ObjectiveKind::MinCost => money(self.best.objective),
                hubplan::ObjectiveKind::MaxCoverage => format!("{} need covered", count(self.best.objective)),
                hubplan::ObjectiveKind::MinTravel => format!("{} need-minutes", count(self.best.objective)),
            }
        )
    }
}

fn chart_title(path: &Path, sc: &Scenario, limits: bool) -> String {
    let file = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = match path.parent().and_then(|d| d.file_name()) {
        Some(d) => format!("{} / {file}", d.to_string_lossy()),
        None => file,
    };
    if limits {
        format!("{stem}: annual saving at each access limit")
    } else {
        format!(
            "{stem}: annual saving against need within {} minutes",
            sc.max_minutes.map_or_else(|| "the limit".into(), |m| format!("{m}"))
        )
    }
}

fn parse_money(s: &str) -> Result<f64> {
    let t: String = s
        .trim()
        .trim_start_matches('£')
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    let (num, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1e3),
        Some('m' | 'M') => (&t[..t.len() - 1], 1e6),
        _ => (t.as_str(), 1.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|e| Error::invalid("--budget", format!("{s:?} is not an amount of pounds: {e}")))?;
    if !v.is_finite() || v < 0.0 {
        return Err(Error::invalid(
            "--budget",
            format!("{s:?} must be an amount of pounds ≥ 0"),
        ));
    }
    let v = v * mult;
    if v > hubplan_io::limits::MAX_POUNDS {
        return Err(Error::invalid(
            "--budget",
            format!("{s:?} is {v:e} pounds{}", hubplan_io::limits::ABOVE_MAX_POUNDS),
        ));
    }
    Ok(v)
}

/// Parses a budget range `LO..HI` (`£800k..2m`, `1,000..2_000`) into pounds.
pub fn parse_budget_range(s: &str) -> Result<(f64, f64)> {
    let Some((a, b)) = s.split_once("..") else {
        return Err(Error::invalid(
            "--budget",
            format!("expected LO..HI (e.g. 800000..2000000), found {s:?}"),
        ));
    };
    let (lo, hi) = (parse_money(a)?, parse_money(b.trim_start_matches('='))?);
    if lo > hi {
        return Err(Error::invalid("--budget", format!("LO ({lo}) is above HI ({hi})")));
    }
    Ok((lo, hi))
}

/// A plan.json (or the folder holding it) as [`hubplan::whatif::compare`] takes it.
pub fn read_summary(path: &Path) -> Result<PlanSummary> {
    let s = hubplan_io::read_plan_json(path)?;
    Ok(plan_summary(&path.display().to_string(), &s))
}

/// Maps a plan.json read back ([`hubplan_io::PlanSummary`]) onto the core's summary.
pub fn plan_summary(label: &str, s: &hubplan_io::PlanSummary) -> PlanSummary {
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
    PlanSummary {
        label: label.to_string(),
        status: s.status,
        objective_kind: s.objective_kind,
        objective: s.objective.unwrap_or(nan),
        max_minutes: s.scenario.max_minutes,
        service_limits: s.services.iter().map(|x| (x.id.clone(), x.max_minutes)).collect(),
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
    }
}

/// Compares two saved plans: A = `a`, B = `b` (each a plan.json or its folder).
pub fn compare_files(a: &Path, b: &Path) -> Result<(Comparison, PlanSummary, PlanSummary)> {
    let a = read_summary(a)?;
    let b = read_summary(b)?;
    Ok((hubplan::whatif::compare(&a, &b), a, b))
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

/// "35 minutes", or "no access limit".
fn limit_words(m: Option<f64>) -> String {
    m.map_or_else(
        || "no access limit".into(),
        |m| format!("{} minutes", hubplan::fmt::plain(m)),
    )
}

/// When A and B were planned under different access limits (plan.json's
/// `scenario.max_minutes`; for co-location plans the limit of services without
/// their own — or, with one scenario limit, a service's own limit from
/// services.csv), a sentence saying that "need within the limit" counts each plan
/// against its own limit; `None` when the limits agree.
fn limits_note(a: &PlanSummary, b: &PlanSummary) -> Option<String> {
    let (la, lb) = (a.max_minutes, b.max_minutes);
    let same = match (la, lb) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9,
        (None, None) => true,
        _ => false,
    };
    if !same {
        return Some(format!(
            "the plans have different access limits (A's access limit is {} and B's {}): \"need within the \
             limit\" and \"share within the limit\" count each plan against its own limit, so their change mixes \
             the two plans with the two limits. To compare the plans at one limit, plan both at it (e.g. \
             `hubplan sweep SCENARIO.toml --max-minutes` with both limits).",
            limit_words(la),
            limit_words(lb)
        ));
    }
    // Co-location plans with one scenario limit whose services' own limits
    // (services.csv) differ.
    let differ: Vec<String> = a
        .service_limits
        .iter()
        .filter_map(|(id, x)| {
            let (_, y) = b.service_limits.iter().find(|(other, _)| other == id)?;
            let same = match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-9,
                (None, None) => true,
                _ => false,
            };
            (!same).then(|| format!("{id}: {} in A, {} in B", limit_words(*x), limit_words(*y)))
        })
        .collect();
    (!differ.is_empty()).then(|| {
        format!(
            "the plans have different access limits for {} ({}): \"need within the limit\" and \"share within \
             the limit\" count each plan against its own limits, so their change mixes the two plans with the \
             two sets of limits. To compare the plans at one set of limits, plan both with the same services file.",
            if differ.len() == 1 {
                "a service"
            } else {
                "some services"
            },
            differ.join("; ")
        )
    })
}

/// A plan's mean minutes for the comparison table. A co-location plan (one with
/// per-service limits) has no single mean journey in its plan.json, so its row says
/// "n/a" rather than "no route" (which means no zone reaches an open site).
fn mean_minutes(p: &PlanSummary, m: f64) -> String {
    if !m.is_finite() && !p.service_limits.is_empty() {
        "n/a".into()
    } else {
        minutes(m)
    }
}

/// The comparison as plain text, for the terminal.
pub fn comparison_text(c: &Comparison, a: &PlanSummary, b: &PlanSummary) -> String {
    let mut s = String::new();
    let kind = |p: &PlanSummary| p.objective_kind.map_or("", ObjectiveKind::name);
    s += &format!("A: {} ({}, {})\n", c.a_label, a.status.name(), kind(a));
    s += &format!("B: {} ({}, {})\n\n", c.b_label, b.status.name(), kind(b));
    // A plan with no solution holds today's estate: its column is not a plan.
    for (l, p) in [("A", a), ("B", b)] {
        if !matches!(p.status, PlanStatus::Optimal | PlanStatus::Feasible) {
            s += &format!(
                "note: {l} has no plan ({}): its column is today's estate (status quo), and its decisions below \
                 are today's, not a plan's\n\n",
                p.status.name()
            );
        }
    }
    // Without an access limit in either plan, "within the limit" is "reaches an open site".
    let no_limit = a.max_minutes.is_none() && b.max_minutes.is_none();
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
            if no_limit {
                "need within reach"
            } else {
                "need within the limit"
            },
            count(c.need_covered.a),
            count(c.need_covered.b),
            signed_count(c.need_covered.change()),
        ),
        (
            if no_limit {
                "share within reach"
            } else {
                "share within the limit"
            },
            pct(c.share_covered.a),
            pct(c.share_covered.b),
            pp_change(c.share_covered.change()),
        ),
        (
            "mean minutes",
            mean_minutes(a, c.mean_minutes.a),
            mean_minutes(b, c.mean_minutes.b),
            if c.mean_minutes.change().is_finite() {
                // A true minus sign, as in every other row of the table.
                format!("{:+.1} min", c.mean_minutes.change()).replacen('-', "−", 1)
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
    if let Some(note) = limits_note(a, b) {
        s += &format!("\nnote: {note}\n");
    } else if no_limit {
        s += "\nnote: neither plan has an access limit: \"within reach\" is need whose zone reaches an open site \
              in the travel-time matrix\n";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_ranges_parse() {
        assert_eq!(parse_budget_range("800000..2000000").unwrap(), (800_000.0, 2_000_000.0));
        assert_eq!(parse_budget_range("£800k..2m").unwrap(), (800_000.0, 2_000_000.0));
        assert_eq!(parse_budget_range("1,000..2_000").unwrap(), (1000.0, 2000.0));
        assert!(parse_budget_range("2..1").is_err());
        assert!(parse_budget_range("abc").is_err());
        assert!(parse_budget_range("-5..10").is_err());
        // Session 8: an absurd amount (here 1.7e308 millions, infinite) is refused, not swept.
        for bad in ["0..1.7e308m", "0..2e12", "0..1e308"] {
            let e = parse_budget_range(bad).unwrap_err().to_string();
            assert!(e.contains("the largest amount hubplan accepts"), "{bad}: {e}");
        }
        assert_eq!(parse_budget_range("0..1000000m").unwrap(), (0.0, 1e12));
    }
}
