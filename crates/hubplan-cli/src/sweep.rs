//! `hubplan sweep SCENARIO`: re-plan at several budgets or access limits in
//! parallel, write `sweep.csv` and the trade-off chart `sweep.svg`; optionally
//! find near-optimal alternatives of the scenario itself (`alternatives.csv`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use hubplan::whatif::{alternatives, budget_points, parse_tolerance, sweep, SweepPoint, SweepResult};
use hubplan::{Inputs, PlanStatus, Scenario};
use hubplan_report::fmt::{money, pct};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Arguments of `hubplan sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The base scenario (TOML).
    pub scenario: PathBuf,
    /// Budgets to sweep, GBP a year: `LO..HI` (with --steps). A `min_cost` scenario is
    /// re-planned as `max_coverage` under each budget; other objectives keep their own.
    #[arg(long, value_name = "LO..HI", conflicts_with = "max_minutes")]
    pub budget: Option<String>,
    /// Number of budgets from LO to HI inclusive.
    #[arg(long, default_value_t = 13, requires = "budget")]
    pub steps: usize,
    /// Access limits to sweep, minutes, comma-separated (e.g. 30,35,40,45), with the scenario's own objective.
    #[arg(long, value_name = "M,M,...", value_delimiter = ',')]
    pub max_minutes: Option<Vec<f64>>,
    /// Also look for this many near-optimal alternatives of the base scenario.
    #[arg(long, value_name = "K")]
    pub alternatives: Option<usize>,
    /// Tolerance for the alternatives: `2%` or `0.02` of the optimum.
    #[arg(long, value_name = "P%", default_value = "2%", requires = "alternatives")]
    pub within: String,
    /// Output directory for sweep.csv, sweep.svg and alternatives.csv.
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar or messages on stderr.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: crate::transit::GtfsLimitArgs,
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
        .with_context(|| format!("--budget: {s:?} is not an amount of pounds"))?;
    if !v.is_finite() || v < 0.0 {
        bail!("--budget: {s:?} must be an amount of pounds ≥ 0");
    }
    Ok(v * mult)
}

/// `LO..HI` → (lo, hi).
pub fn parse_range(s: &str) -> Result<(f64, f64)> {
    let Some((a, b)) = s.split_once("..") else {
        bail!("--budget: expected LO..HI (e.g. 800000..2000000), found {s:?}");
    };
    let (lo, hi) = (parse_money(a)?, parse_money(b.trim_start_matches('='))?);
    if lo > hi {
        bail!("--budget: LO ({lo}) is above HI ({hi})");
    }
    Ok((lo, hi))
}

fn progress_bar(total: usize, quiet: bool, what: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed_precise}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_prefix(what.to_string());
    pb
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

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

fn share(x: f64) -> String {
    if x.is_finite() {
        format!("{:.6}", x)
    } else {
        String::new()
    }
}

/// The rows of sweep.csv.
pub fn sweep_csv(inputs: &Inputs, results: &[SweepResult]) -> String {
    let mut s = String::from(
        "kind,value,objective,status,objective_value,gap,sites_open,annual_cost,annual_saving,backlog_removed,\
         need_covered,need_total,share_covered,share_covered_before,mean_minutes,worse_off_zones,worse_off_need,closed_sites,error\n",
    );
    for r in results {
        let closed: Vec<&str> = r
            .open
            .iter()
            .zip(&inputs.sites)
            .filter(|(o, site)| !**o && site.status == hubplan::model::SiteStatus::Existing)
            .map(|(_, site)| site.id.as_str())
            .collect();
        let row = [
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
            if r.has_plan() {
                r.worse_off_zones.to_string()
            } else {
                String::new()
            },
            num(r.worse_off_need),
            closed.join(";"),
            r.error.clone().unwrap_or_default(),
        ];
        s.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        s.push('\n');
    }
    s
}

fn run_in_pool<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T> {
    match threads {
        None => Ok(f()),
        Some(0) => bail!("--threads must be at least 1"),
        Some(k) => Ok(rayon::ThreadPoolBuilder::new().num_threads(k).build()?.install(f)),
    }
}

fn chart_title(path: &std::path::Path, sc: &Scenario, limits: bool) -> String {
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

/// `hubplan sweep`.
pub fn run(args: &SweepArgs) -> Result<ExitCode> {
    let mut points: Vec<SweepPoint> = Vec::new();
    if let Some(b) = &args.budget {
        let (lo, hi) = parse_range(b)?;
        if args.steps == 0 || args.steps > 1000 {
            bail!("--steps must be between 1 and 1000, found {}", args.steps);
        }
        points = budget_points(lo, hi, args.steps);
    }
    if let Some(ms) = &args.max_minutes {
        for &m in ms {
            if !m.is_finite() || m <= 0.0 {
                bail!("--max-minutes: {m} is not a positive number of minutes");
            }
            points.push(SweepPoint::MaxMinutes(m));
        }
    }
    let within = match args.alternatives {
        Some(_) => Some(parse_tolerance(&args.within).with_context(|| {
            format!(
                "--within: expected a percentage like 2% or a fraction like 0.02, found {:?}",
                args.within
            )
        })?),
        None => None,
    };
    if points.is_empty() && args.alternatives.is_none() {
        bail!("nothing to do: give --budget LO..HI, --max-minutes M,M,… or --alternatives K");
    }
    let (inputs, base, _meta) = crate::plan::load(&args.scenario, args.quiet, &args.gtfs_limit)?;
    hubplan::optimise::check_scenario(&inputs, &base)?;
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    if !points.is_empty() {
        let pb = progress_bar(points.len(), args.quiet, "sweep");
        let results = run_in_pool(args.threads, || {
            sweep(&inputs, &base, &points, &|done, _| pb.set_position(done as u64))
        })?;
        pb.finish_and_clear();
        let limits = points.iter().all(|p| matches!(p, SweepPoint::MaxMinutes(_)));
        files.push(("sweep.csv", sweep_csv(&inputs, &results).into_bytes()));
        files.push((
            "sweep.svg",
            hubplan_report::sweep_chart_svg(&results, &chart_title(&args.scenario, &base, limits)).into_bytes(),
        ));
        for r in &results {
            let what = match r.point {
                SweepPoint::Budget(b) => format!("budget {}", money(b)),
                SweepPoint::MaxMinutes(m) => format!("{m} min"),
            };
            if r.has_plan() {
                println!(
                    "{what:>18}: {:<8} {:>4} sites  saving {:>11}  need within limit {}",
                    r.status.map_or("", PlanStatus::name),
                    r.sites_open,
                    money(r.annual_saving),
                    pct(r.share_covered)
                );
            } else {
                println!(
                    "{what:>18}: {}",
                    r.error
                        .clone()
                        .unwrap_or_else(|| r.status.map_or("error", PlanStatus::name).to_string())
                );
            }
        }
    }
    if let (Some(k), Some(within)) = (args.alternatives, within) {
        if !args.quiet {
            eprintln!("solving the base scenario");
        }
        let best = run_in_pool(args.threads, || hubplan::plan(&inputs, &base))??;
        if !matches!(best.status, PlanStatus::Optimal | PlanStatus::Feasible) {
            bail!(
                "the base scenario has no plan ({}), so it has no alternatives",
                best.status.name()
            );
        }
        let free = inputs.sites.len() - base.keep.len() - base.close.len();
        let pb = progress_bar(free, args.quiet, "alternatives");
        let alts = run_in_pool(args.threads, || {
            alternatives(&inputs, &base, &best, k, within, &|done, _| {
                pb.set_position(done as u64)
            })
        })?;
        pb.finish_and_clear();
        let mut s = String::from(
            "rank,objective_value,worse_by_pct,status,sites_open,annual_cost,annual_saving,need_covered,share_covered,\
             mean_minutes,found_by,differs_from_optimum\n",
        );
        let row = |rank: usize, p: &hubplan::Plan, worse: f64, found: String, differs: String| {
            let t = &p.totals;
            [
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
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",")
                + "\n"
        };
        s.push_str(&row(0, &best, 0.0, "optimum".into(), String::new()));
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
                    hubplan::explain::Forcing::Open => "open",
                    hubplan::explain::Forcing::Closed => "closed",
                }
            );
            s.push_str(&row(i + 1, &a.plan, a.worse_by, found, differs.join(";")));
        }
        println!(
            "{} alternative plan(s) within {} of the optimum ({}); see alternatives.csv",
            alts.len(),
            pct(within),
            match best.objective_kind {
                hubplan::ObjectiveKind::MinCost => money(best.objective),
                hubplan::ObjectiveKind::MaxCoverage =>
                    format!("{} need covered", hubplan_report::fmt::count(best.objective)),
                hubplan::ObjectiveKind::MinTravel =>
                    format!("{} need-minutes", hubplan_report::fmt::count(best.objective)),
            }
        );
        files.push(("alternatives.csv", s.into_bytes()));
    }
    hubplan_io::write_files_atomically(&args.out, &files)?;
    let written: Vec<_> = files.iter().map(|(name, _)| args.out.join(name)).collect();
    if !args.quiet {
        for p in written {
            eprintln!("wrote {}", p.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_ranges_parse() {
        assert_eq!(parse_range("800000..2000000").unwrap(), (800_000.0, 2_000_000.0));
        assert_eq!(parse_range("£800k..2m").unwrap(), (800_000.0, 2_000_000.0));
        assert_eq!(parse_range("1,000..2_000").unwrap(), (1000.0, 2000.0));
        assert!(parse_range("2..1").is_err());
        assert!(parse_range("abc").is_err());
        assert!(parse_range("-5..10").is_err());
    }

    #[test]
    fn csv_fields_are_quoted() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
