//! The one-minute summary: plain-English sentences generated from the plan's
//! numbers, at the top of the appendix and in `plan.json` (`summary`).
//!
//! Each item has a topic (`changes`, `money`, `affected`, `equality`, `rules`,
//! `solver`) and one short paragraph. Every figure is recomputed from the
//! plan and its inputs; the money sentences reconcile every pair of figures
//! that differ (closures' running cost against the net saving, the objective
//! against the running cost after).

use hubplan::evaluate::status_quo;
use hubplan::{Inputs, ObjectiveKind, Plan, PlanStatus, Scenario};

use crate::equality::{
    breakdown, decile_label, decile_with_largest_rise, largest_rises, rise_phrase, weight_noun, MUCH_LONGER,
    VERY_MUCH_LONGER,
};
use crate::fmt::{count, minutes_opt, money, pct, pct_of, plain};

/// One paragraph of the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryItem {
    /// What it is about: `changes`, `money`, `affected`, `equality`, `rules` or `solver`.
    pub topic: String,
    /// The paragraph, plain text.
    pub text: String,
}

fn item(topic: &str, text: String) -> SummaryItem {
    SummaryItem {
        topic: topic.into(),
        text,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n as f64), if n == 1 { one } else { many })
}

fn has_plan(p: &Plan) -> bool {
    matches!(p.status, PlanStatus::Optimal | PlanStatus::Feasible)
}

/// The money figures the summary reconciles.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reconciliation {
    /// Σ annual running cost of the existing buildings that close.
    pub closures_running_cost: f64,
    /// Σ annual running cost of the new buildings that open.
    pub openings_running_cost: f64,
    /// The net annual saving (before − after).
    pub net_saving: f64,
    /// The one-off cost of opening new buildings.
    pub opening_cost: f64,
    /// The annual running cost after.
    pub running_cost_after: f64,
    /// The objective value (for `min_cost`: running cost after + opening cost).
    pub objective: f64,
}

/// The money figures of a plan, recomputed from the open set.
pub fn reconciliation(inputs: &Inputs, plan: &Plan) -> Reconciliation {
    let before = status_quo(inputs);
    let mut r = Reconciliation {
        net_saving: plan.totals.annual_saving,
        opening_cost: plan.totals.opening_cost,
        running_cost_after: plan.totals.annual_cost_after,
        objective: plan.objective,
        ..Default::default()
    };
    for s in inputs.site_indices() {
        let (b, a) = (before[s.index()], plan.open[s.index()]);
        let cost = inputs.site(s).annual_cost;
        if b && !a {
            r.closures_running_cost += cost;
        }
        if !b && a {
            r.openings_running_cost += cost;
        }
    }
    r
}

/// The reconciliation lines: one for each pair of figures that differ, saying why.
pub fn reconciliation_lines(sc: &Scenario, plan: &Plan, r: &Reconciliation) -> Vec<String> {
    let mut out = Vec::new();
    let t = &plan.totals;
    if (r.closures_running_cost - r.net_saving).abs() >= 0.5 {
        out.push(format!(
            "The buildings that close cost {} a year to run; the net saving is {} because {} {} a year to run \
             ({} − {} = {}).",
            money(r.closures_running_cost),
            money(r.net_saving),
            if t.sites_opened == 1 {
                "the new building costs".to_string()
            } else {
                format!("the {} new buildings cost", count(t.sites_opened as f64))
            },
            money(r.openings_running_cost),
            money(r.closures_running_cost),
            money(r.openings_running_cost),
            money(r.closures_running_cost - r.openings_running_cost),
        ));
    }
    if sc.objective == ObjectiveKind::MinCost
        && r.objective.is_finite()
        && (r.objective - r.running_cost_after).abs() >= 0.5
    {
        let rest = r.objective - r.running_cost_after - r.opening_cost;
        let mut line = format!(
            "The optimiser's objective, {}, is more than the running cost after ({}) because it also counts the \
             one-off cost of opening new buildings ({}): {} + {} = {}.",
            money(r.objective),
            money(r.running_cost_after),
            money(r.opening_cost),
            money(r.running_cost_after),
            money(r.opening_cost),
            money(r.running_cost_after + r.opening_cost),
        );
        if rest.abs() >= 0.5 {
            line.push_str(&format!(
                " A further {} is not explained by these figures.",
                money(rest)
            ));
        }
        out.push(line);
    }
    out
}

/// The one-minute summary of a single-service plan.
pub fn plain_summary(inputs: &Inputs, sc: &Scenario, plan: &Plan) -> Vec<SummaryItem> {
    let mut out = Vec::new();
    let t = &plan.totals;
    let lim = sc.max_minutes.map(plain);
    if has_plan(plan) {
        // What changes.
        let mut s = format!(
            "{} of the {} buildings open today {}",
            count(t.sites_closed as f64),
            count(t.sites_before as f64),
            if t.sites_closed == 1 { "closes" } else { "close" }
        );
        if t.sites_opened > 0 {
            s.push_str(&format!(
                " and {} {}",
                plural(t.sites_opened, "new building", "new buildings"),
                if t.sites_opened == 1 { "opens" } else { "open" }
            ));
        }
        s.push_str(&format!(", leaving {}.", plural(t.sites_after, "hub", "hubs")));
        out.push(item("changes", s));
        // Money.
        let r = reconciliation(inputs, plan);
        let mut m = format!(
            "Running costs fall from {} to {} a year, a saving of {} a year.",
            money(t.annual_cost_before),
            money(t.annual_cost_after),
            money(t.annual_saving)
        );
        if t.annual_saving < 0.0 {
            m = format!(
                "Running costs rise from {} to {} a year, {} a year more.",
                money(t.annual_cost_before),
                money(t.annual_cost_after),
                money(-t.annual_saving)
            );
        }
        for line in reconciliation_lines(sc, plan, &r) {
            m.push(' ');
            m.push_str(&line);
        }
        let mut oneoff = Vec::new();
        if t.backlog_removed > 0.0 {
            oneoff.push(format!(
                "{} of maintenance backlog goes with the closed buildings",
                money(t.backlog_removed)
            ));
        }
        if t.disposal_receipts > 0.0 {
            oneoff.push(format!("selling them could raise {}", money(t.disposal_receipts)));
        }
        if t.opening_cost > 0.0 && sc.objective != ObjectiveKind::MinCost {
            oneoff.push(format!("opening new buildings costs {}", money(t.opening_cost)));
        }
        if !oneoff.is_empty() {
            m.push_str(&format!(" One-off: {}.", oneoff.join("; ")));
        }
        out.push(item("money", m));
        // Who is affected.
        let b = breakdown(inputs, plan);
        let noun = weight_noun(inputs);
        let has_children = inputs
            .zones
            .iter()
            .any(|z| z.attributes.contains_key(crate::equality::CHILDREN));
        let mut w = if b.all.longer.0 == 0 {
            "No zone's journey to its nearest hub gets longer.".to_string()
        } else {
            let children: f64 = b.changes.iter().filter(|c| c.longer()).map(|c| c.children).sum();
            // A zone left with no hub in reach has no "added minutes": say so rather
            // than count it as 0 in the mean.
            let lost = b.all.lost.0;
            let how = match b.all.mean_added() {
                Some(m) if lost == 0 => format!(", by {} on average", minutes_opt(Some(m))),
                Some(m) => format!(
                    ", by {} on average among those that still reach one; {} ({} {noun}) {} no hub at all",
                    minutes_opt(Some(m)),
                    plural(lost, "zone", "zones"),
                    count(b.all.lost.1),
                    if lost == 1 { "reaches" } else { "reach" }
                ),
                None => ": none of them reaches a hub after the plan".to_string(),
            };
            let mut s = format!(
                "{} with {} {noun}{} have a longer journey to their nearest hub{how}.",
                plural(b.all.longer.0, "zone", "zones"),
                count(b.all.longer.1),
                if has_children && children > 0.0 {
                    format!(" ({} of them children aged 0–15)", count(children))
                } else {
                    String::new()
                },
            );
            if b.all.much_longer.0 > 0 {
                s.push_str(&format!(
                    " For {} ({} {noun}) it grows by {} minutes or more",
                    plural(b.all.much_longer.0, "zone", "zones"),
                    count(b.all.much_longer.1),
                    MUCH_LONGER
                ));
                if b.all.very_much_longer.0 > 0 {
                    s.push_str(&format!(
                        ", and for {} ({} {noun}) by {} minutes or more",
                        plural(b.all.very_much_longer.0, "zone", "zones"),
                        count(b.all.very_much_longer.1),
                        VERY_MUCH_LONGER
                    ));
                }
                s.push('.');
                // Where: districts with the most people 10+ minutes worse off.
                let mut ds: Vec<(&String, f64, usize)> = b
                    .districts
                    .iter()
                    .filter(|(_, g)| g.much_longer.0 > 0)
                    .map(|(n, g)| (n, g.much_longer.1, g.much_longer.0))
                    .collect();
                ds.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(y.0)));
                let shown: Vec<String> = ds
                    .iter()
                    .take(3)
                    .map(|(n, wgt, z)| format!("{n} ({}, {} {noun})", plural(*z, "zone", "zones"), count(*wgt)))
                    .collect();
                // Without districts in the zones file every zone is "(no district)": nothing to say.
                let districts = inputs.zones.iter().any(|z| !z.district.is_empty());
                if !shown.is_empty() && districts {
                    s.push_str(&format!(
                        " By district, the most are in {}{}.",
                        join_and(&shown),
                        if ds.len() > 3 {
                            format!(" (and {})", plural(ds.len() - 3, "other district", "other districts"))
                        } else {
                            String::new()
                        }
                    ));
                }
            }
            let top = largest_rises(inputs, &b, 3);
            if !top.is_empty() {
                s.push_str(&format!(
                    " The largest rises: {}.",
                    top.iter()
                        .map(|c| rise_phrase(inputs, c))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            s
        };
        if let Some(l) = &lim {
            w.push_str(&format!(
                " Need within {l} minutes goes from {} to {} ({} to {}).",
                count(t.need_covered_before),
                count(t.need_covered_after),
                pct_of(t.need_covered_before, t.need_total),
                pct_of(t.need_covered_after, t.need_total)
            ));
            // Who loses and who gains access, each counted whole: the change of the total
            // above is only their difference (a plan that opens new buildings can hide
            // a loss behind a gain elsewhere).
            let (mut lost, mut won) = (0.0, 0.0);
            for (z, zp) in inputs.zone_indices().zip(&plan.zones) {
                let need = inputs.zone(z).need;
                match (zp.covered_before, zp.covered_after) {
                    (true, false) => lost += need,
                    (false, true) => won += need,
                    _ => {}
                }
            }
            if lost > 0.0 && won > 0.0 {
                w.push_str(&format!(
                    " {} of need loses access within the limit and {} gains it.",
                    count(lost),
                    count(won)
                ));
            } else if lost > 0.0 {
                w.push_str(&format!(" {} of need loses access within the limit.", count(lost)));
            }
        }
        out.push(item("affected", w));
        // Equality.
        if let Some((d, g)) = decile_with_largest_rise(&b) {
            let mut e = format!(
                "By deprivation (IMD decile, 1 = most deprived), average journeys rise most in decile {}: from {} to {}, \
                 against {} to {} across all areas.",
                decile_label(d),
                minutes_opt(g.mean_before()),
                minutes_opt(g.mean_after()),
                minutes_opt(b.all.mean_before()),
                minutes_opt(b.all.mean_after()),
            );
            if let Some(d1) = b.deciles.get(&1) {
                if d != 1 {
                    e.push_str(&format!(
                        " In decile 1 (most deprived) they go from {} to {}.",
                        minutes_opt(d1.mean_before()),
                        minutes_opt(d1.mean_after())
                    ));
                }
                if lim.is_some() {
                    e.push_str(&format!(
                        " In decile 1, {} of {noun} are within the limit after, {} before.",
                        pct_of(d1.within_after, d1.weight),
                        pct_of(d1.within_before, d1.weight)
                    ));
                }
            }
            out.push(item("equality", e));
        } else if b.deciles.keys().any(|&d| d > 0) {
            // Deciles are known, but no decile has journeys both before and after.
            out.push(item(
                "equality",
                "By deprivation (IMD decile): average journeys before and after cannot be compared, as no zone \
                 with a known decile reaches a hub both today and after the plan."
                    .into(),
            ));
        } else {
            out.push(item(
                "equality",
                "The zones have no IMD decile, so the plan's effect by deprivation cannot be stated.".into(),
            ));
        }
    }
    out.push(item("rules", rules_sentence(inputs, sc, plan)));
    out.push(item("solver", solver_sentence(plan)));
    out
}

fn join_and(v: &[String]) -> String {
    match v.len() {
        0 => String::new(),
        1 => v[0].clone(),
        n => format!("{} and {}", v[..n - 1].join(", "), v[n - 1]),
    }
}

fn rules_sentence(inputs: &Inputs, sc: &Scenario, plan: &Plan) -> String {
    if !has_plan(plan) {
        return "No plan meets every rule of the scenario; the appendix says which rules conflict.".into();
    }
    let mut parts = Vec::new();
    let hard_rule =
        matches!(sc.objective, ObjectiveKind::MinCost | ObjectiveKind::MinTravel) && sc.max_minutes.is_some();
    if let Some(m) = sc.max_minutes {
        let under: Vec<_> = inputs
            .zone_indices()
            .filter(|&z| inputs.zone(z).need > 0.0 && !plan.zones[z.index()].unreachable)
            .collect();
        let missed = under.iter().filter(|&&z| !plan.zones[z.index()].covered_after).count();
        // Zones with journeys, all beyond the limit, apart from zones with no journey at all.
        let ((beyond, beyond_need), (none, none_need)) = crate::content::split_unreachable(inputs, plan);
        let mut excl = String::new();
        if beyond > 0 {
            excl.push_str(&format!(
                "; {} (need {}) {} beyond {} minutes of every building, open or not, and {} excluded from the rule",
                plural(beyond, "zone", "zones"),
                count(beyond_need),
                if beyond == 1 { "is" } else { "are" },
                plain(m),
                if beyond == 1 { "is" } else { "are" }
            ));
        }
        if none > 0 {
            excl.push_str(&format!(
                "; {}, and {} excluded from the rule",
                crate::content::no_journey_phrase(none, none_need),
                if none == 1 { "is" } else { "are" }
            ));
        }
        if missed == 0 {
            parts.push(format!(
                "The {}-minute access rule is met for all {} that a building can reach within the limit{excl}",
                plain(m),
                plural(under.len(), "zone", "zones")
            ));
        } else if hard_rule {
            parts.push(format!(
                "The {}-minute access rule is NOT met for {} of the {} it covers{excl}",
                plain(m),
                count(missed as f64),
                plural(under.len(), "zone", "zones")
            ));
        } else {
            parts.push(format!(
                "{} of the {} a building can reach within {} minutes are left beyond it (the objective trades coverage \
                 against the limits){excl}",
                count(missed as f64),
                plural(under.len(), "zone", "zones"),
                plain(m)
            ));
        }
    }
    if let Some(bu) = sc.budget {
        let cost = plan.totals.annual_cost_after;
        parts.push(if cost <= bu + 0.5 {
            format!(
                "the budget of {} a year is met (running cost {})",
                money(bu),
                money(cost)
            )
        } else {
            format!(
                "the budget of {} a year is NOT met (running cost {})",
                money(bu),
                money(cost)
            )
        });
    }
    if let Some(n) = sc.sites {
        let after = plan.totals.sites_after;
        parts.push(if after == n as usize {
            format!("the plan has {n} hubs, as asked")
        } else {
            format!("the plan has {after} hubs where {n} were asked")
        });
    }
    if !sc.keep.is_empty() {
        let kept = sc.keep.iter().filter(|s| plan.open[s.index()]).count();
        parts.push(format!(
            "{} of the {} the scenario keeps {} open",
            count(kept as f64),
            plural(sc.keep.len(), "building", "buildings"),
            if kept == 1 { "is" } else { "are" }
        ));
    }
    if !sc.close.is_empty() {
        let closed = sc.close.iter().filter(|s| !plan.open[s.index()]).count();
        parts.push(format!(
            "{} of the {} the scenario closes {} closed",
            count(closed as f64),
            plural(sc.close.len(), "building", "buildings"),
            if closed == 1 { "is" } else { "are" }
        ));
    }
    if parts.is_empty() {
        return "The scenario sets no access limit, budget or site count.".into();
    }
    let mut s = parts.join("; ");
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    s + "."
}

fn solver_sentence(plan: &Plan) -> String {
    match plan.status {
        PlanStatus::Optimal => {
            "The optimiser proved this plan the best possible under these rules (status: optimal).".into()
        }
        PlanStatus::Feasible => format!(
            "The plan meets every rule but the optimiser stopped at its time limit before proving it the best: it is \
             within {} of the best possible (status: feasible).",
            pct(plan.gap)
        ),
        PlanStatus::Infeasible => "No plan meets every rule (status: infeasible).".into(),
        _ => "The time limit passed before any plan was found (status: unknown).".into(),
    }
}
