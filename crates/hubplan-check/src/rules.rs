//! The rule and the scenario: the access limit, the budget against the cheapest
//! plan and today's cost, the savings target.

use hubplan::model::{Inputs, SiteStatus};
use hubplan::travel::TravelTimes;
use hubplan::{ObjectiveKind, PlanStatus, Scenario};
use hubplan_io::LoadedScenario;

use crate::{codes, notice, num, CheckOptions, Notice};

/// The range of access limits that make sense for a walk-and-bus rule, minutes.
pub(crate) const LIMIT_RANGE: (f64, f64) = (5.0, 180.0);

/// The `access_limit_out_of_range` warning for an access limit of `minutes`, when
/// it is outside 5–180 minutes (without a file or field: the caller adds where
/// the limit came from — `access.max_minutes` of a scenario, or a what-if's
/// `max_minutes`); `None` inside the range.
pub fn access_limit_out_of_range(minutes: f64) -> Option<Notice> {
    let (lo, hi) = LIMIT_RANGE;
    (!(lo..=hi).contains(&minutes)).then(|| {
        notice(
            codes::ACCESS_LIMIT_OUT_OF_RANGE,
            format!(
                "the access limit is {} minutes, outside {lo}-{hi}: check the unit (minutes, not seconds or hours)",
                minutes_text(minutes)
            ),
        )
        .value(minutes_text(minutes))
    })
}

/// Minutes as [`num`] writes them, but a limit too small for two decimals in
/// scientific notation (`1e-9`, not `0`).
fn minutes_text(m: f64) -> String {
    if m != 0.0 && m.abs() < 0.005 {
        format!("{m:e}")
    } else {
        num(m)
    }
}

fn scenario_file(loaded: &LoadedScenario) -> String {
    loaded.path.file_name().map_or_else(
        || loaded.path.to_string_lossy().into_owned(),
        |f| f.to_string_lossy().into_owned(),
    )
}

pub(crate) fn check(loaded: &LoadedScenario, travel: Option<&TravelTimes>, opts: &CheckOptions, out: &mut Vec<Notice>) {
    let inp = &loaded.inputs_without_travel;
    let file = scenario_file(loaded);
    let sf = |n: Notice| n.file(&file);
    let (lo, hi) = LIMIT_RANGE;
    if let Some(n) = loaded.scenario.max_minutes.and_then(access_limit_out_of_range) {
        out.push(sf(n).field("access.max_minutes"));
    }
    let svc_file = crate::file_label(loaded, &loaded.rows.services_file);
    for (k, s) in inp.services.iter().enumerate() {
        if let Some(m) = s.max_minutes.filter(|m| !(lo..=hi).contains(m)) {
            out.push(
                notice(
                    codes::ACCESS_LIMIT_OUT_OF_RANGE,
                    format!(
                        "service {:?} has an access limit of {} minutes, outside {lo}-{hi}: check the unit",
                        s.id,
                        num(m)
                    ),
                )
                .file(&svc_file)
                .row_opt(loaded.rows.services.get(k).copied())
                .field("max_minutes")
                .value(num(m)),
            );
        }
    }
    // A planned service that no building hosts or could host: every zone's need for it
    // is unreachable, and the plan would quietly leave it out of the rule.
    if let Some(rules) = &loaded.service_rules {
        // An empty `services` list plans every service of the inputs.
        let planned: Vec<hubplan::ServiceIdx> = if rules.services.is_empty() {
            (0..inp.services.len()).map(hubplan::ServiceIdx::from_index).collect()
        } else {
            rules.services.clone()
        };
        for &k in &planned {
            if inp
                .sites
                .iter()
                .any(|s| s.services.contains(&k) || s.can_host.contains(&k))
            {
                continue;
            }
            let svc = &inp.services[k.index()];
            out.push(
                notice(
                    codes::SERVICE_WITHOUT_BUILDING,
                    format!(
                        "service {:?} is planned (services.required) but no building hosts it today or can host it (the sites' services and can_host columns): none of its need can be served, and every zone is left out of its access rule; add it to the can_host of the buildings that could take it, or leave it out of services.required",
                        svc.id
                    ),
                )
                .file(&svc_file)
                .row_opt(loaded.rows.services.get(k.index()).copied())
                .field("id")
                .value(svc.id.clone()),
            );
        }
    }
    let today: f64 = inp
        .sites
        .iter()
        .filter(|s| s.status == SiteStatus::Existing)
        .map(|s| s.annual_cost)
        .sum();
    let everything: f64 = inp.sites.iter().map(|s| s.annual_cost).sum();
    let budget = loaded
        .service_rules
        .as_ref()
        .map_or(loaded.scenario.budget, |r| r.annual_budget);
    if let Some(b) = budget {
        if b >= everything && everything > 0.0 {
            out.push(
                sf(notice(
                    codes::BUDGET_NEVER_BINDS,
                    format!(
                        "the budget {} is at or above the running cost of every building together ({}; today's estate costs {}): it never limits the plan",
                        num(b),
                        num(everything),
                        num(today)
                    ),
                ))
                .field("limits.budget")
                .value(num(b)),
            );
        } else if let Some(least) = cheapest_plan(loaded, travel, opts) {
            if least > b * (1.0 + 1e-9) + 1e-6 {
                out.push(
                    sf(notice(
                        codes::BUDGET_BELOW_CHEAPEST_PLAN,
                        format!(
                            "the budget {} is below {}, the least that the buildings kept open must cost (the forced keeps{}); no plan meets it",
                            num(b),
                            num(least),
                            if opts.solve { ", or the cheapest plan that meets the access rule" } else { "" }
                        ),
                    ))
                    .field("limits.budget")
                    .value(num(b)),
                );
            }
        }
    }
    if let Some(target) = loaded.service_rules.as_ref().and_then(|r| r.savings_target) {
        if target > today {
            out.push(
                sf(notice(
                    codes::SAVINGS_TARGET_ABOVE_RUNNING_COST,
                    format!(
                        "the savings target {} a year is above today's running cost of every existing building ({}): closing everything would not meet it",
                        num(target),
                        num(today)
                    ),
                ))
                .field("services.savings_target")
                .value(num(target)),
            );
        }
    }
    // The core's own checks of the rules (contradictions it finds before solving),
    // unless a check above has already named the problem.
    let named = out
        .iter()
        .any(|n| n.code == codes::BUDGET_BELOW_CHEAPEST_PLAN || n.code == codes::SAVINGS_TARGET_ABOVE_RUNNING_COST);
    if let (Some(t), false) = (travel, named) {
        let inputs = Inputs {
            sites: inp.sites.clone(),
            zones: inp.zones.clone(),
            services: inp.services.clone(),
            travel: t.clone(),
        };
        let core = match &loaded.service_rules {
            Some(r) => hubplan::colocate::check_rules(&inputs, r).err().map(|e| e.to_string()),
            None => hubplan::optimise::check_scenario(&inputs, &loaded.scenario)
                .err()
                .map(|e| e.to_string()),
        };
        if let Some(m) = core {
            out.push(sf(notice(codes::SCENARIO_CONTRADICTION, m)));
        }
    }
}

/// The least the open buildings must cost: the forced keeps' cost, and, when
/// `opts.solve` and the access rule is a constraint (min_cost, min_travel), the
/// cheapest plan that meets it (its proven lower bound when the solve stops early).
fn cheapest_plan(loaded: &LoadedScenario, travel: Option<&TravelTimes>, opts: &CheckOptions) -> Option<f64> {
    let inp = &loaded.inputs_without_travel;
    let sc = &loaded.scenario;
    let keeps: f64 = sc.keep.iter().map(|j| inp.sites[j.index()].annual_cost).sum();
    let mut least = keeps;
    let constrained = matches!(sc.objective, ObjectiveKind::MinCost | ObjectiveKind::MinTravel);
    if opts.solve && constrained && loaded.service_rules.is_none() {
        if let Some(t) = travel {
            let inputs = Inputs {
                sites: inp.sites.clone(),
                zones: inp.zones.clone(),
                services: inp.services.clone(),
                travel: t.clone(),
            };
            let mut s = Scenario {
                objective: ObjectiveKind::MinCost,
                budget: None,
                ..sc.clone()
            };
            s.solver.time_limit = std::time::Duration::from_secs(opts.solve_seconds);
            if let Ok(p) = hubplan::plan(&inputs, &s) {
                match p.status {
                    PlanStatus::Optimal => least = least.max(p.objective),
                    PlanStatus::Feasible if p.bound.is_finite() => least = least.max(p.bound),
                    _ => {}
                }
            }
        }
    }
    (least > 0.0).then_some(least)
}
