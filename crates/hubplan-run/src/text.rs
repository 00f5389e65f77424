//! Text for people: the plan summaries printed after a solve, and one sentence per
//! infeasibility blocker, naming ids.

use hubplan::colocate::{ServiceBlocker, ServicePlan, ServiceRules};
use hubplan::plan::Blocker;
use hubplan::{Inputs, Plan, PlanStatus, Scenario};

pub use hubplan::fmt::money;

/// A number to 2 decimals, never `-0.00` (an objective of −0 or −0.001 prints `0.00`).
fn fixed2(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    // Adding +0.0 turns a negative zero into a positive one.
    format!("{:.2}", r + 0.0)
}

/// The printed summary of a single-service plan.
pub fn summary(inputs: &Inputs, sc: &Scenario, plan: &Plan) -> String {
    let t = &plan.totals;
    let mut s = String::new();
    let limit = sc
        .max_minutes
        .map_or("no limit".to_string(), |m| format!("{m} minutes"));
    s += &format!("status: {} ({}, {limit})\n", plan.status.name(), sc.objective.name());
    if plan.objective.is_finite() {
        s += &format!(
            "objective: {}  bound: {}  gap: {:.2e}\n",
            fixed2(plan.objective),
            fixed2(plan.bound),
            plan.gap
        );
    }
    // As the co-location summary: an infeasible plan's "after" is today's estate.
    if !matches!(plan.status, PlanStatus::Optimal | PlanStatus::Feasible) {
        s += "no plan: the figures below are today's (status quo)\n";
    }
    s += &format!(
        "sites: {} before, {} after ({} closed, {} opened)\n",
        t.sites_before, t.sites_after, t.sites_closed, t.sites_opened
    );
    s += &format!(
        "annual cost: {} before, {} after, saving {} a year; backlog removed {}\n",
        money(t.annual_cost_before),
        money(t.annual_cost_after),
        money(t.annual_saving),
        money(t.backlog_removed)
    );
    if t.need_total > 0.0 {
        s += &format!(
            "{}: {} before, {} after\n",
            if sc.max_minutes.is_some() {
                "need within the limit"
            } else {
                "need that reaches an open site (no limit)"
            },
            pct(t.need_covered_before, t.need_total),
            pct(t.need_covered_after, t.need_total)
        );
    }
    if !plan.unreachable.is_empty() {
        let ids: Vec<&str> = plan
            .unreachable
            .iter()
            .take(10)
            .map(|&z| inputs.zone(z).id.as_str())
            .collect();
        s += &format!(
            "unreachable at baseline ({}; listed in zones.csv): {} {}: {}{}\n",
            if sc.max_minutes.is_some() {
                format!(
                    "no site within the limit; access.beyond_limit = {}",
                    sc.beyond_limit.name()
                )
            } else {
                "no site in the travel-time matrix".to_string()
            },
            plan.unreachable.len(),
            if plan.unreachable.len() == 1 { "zone" } else { "zones" },
            ids.join(", "),
            if plan.unreachable.len() > 10 { ", …" } else { "" }
        );
    }
    for line in hubplan::explain::worse_off_sentences(inputs, plan, 3) {
        s += &format!("{line}\n");
    }
    for line in hubplan::explain::capacity::summary_lines(inputs, plan, 5) {
        s += &format!("{line}\n");
    }
    if let Some(inf) = &plan.infeasibility {
        s += "infeasible because:\n";
        for b in &inf.blockers {
            s += &format!("  - {}\n", describe_blocker(inputs, sc, b));
        }
    }
    s
}

/// One sentence for a blocker, naming ids ([`hubplan::explain::blocker_sentence`], the one place of this wording).
pub fn describe_blocker(inputs: &Inputs, sc: &Scenario, b: &Blocker) -> String {
    hubplan::explain::blocker_sentence(inputs, sc, b)
}

/// `part` as a percentage of `whole` ([`hubplan::fmt::pct_of`]).
pub fn pct(part: f64, whole: f64) -> String {
    hubplan::fmt::pct_of(part, whole)
}

/// Ids joined by `, `, at most `max`, then `and N more`.
pub fn list_ids<'a>(ids: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let all: Vec<&str> = ids.into_iter().collect();
    let mut s = all.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > max {
        s += &format!(" and {} more", all.len() - max);
    }
    s
}

/// A service's id (`?` when out of range).
pub fn svc_name(inputs: &Inputs, s: hubplan::ServiceIdx) -> &str {
    inputs.services.get(s.index()).map_or("?", |x| x.id.as_str())
}

/// The printed summary of a co-location plan.
pub fn service_summary(inputs: &Inputs, rules: &ServiceRules, plan: &ServicePlan) -> String {
    let t = &plan.totals;
    let mut s = String::new();
    let objective = match plan.then {
        Some(then) => format!("{} then {}", plan.objective_kind.name(), then.name()),
        None => plan.objective_kind.name().to_string(),
    };
    s += &format!(
        "status: {} ({objective}; co-location of {} service(s))\n",
        plan.status.name(),
        plan.services.len()
    );
    if plan.objective.is_finite() {
        s += &format!(
            "objective: {}  bound: {}  gap: {:.2e}",
            fixed2(plan.objective),
            fixed2(plan.bound),
            plan.gap
        );
        if plan.then.is_some() && plan.primary_objective.is_finite() {
            s += &format!("  ({}: {:.2})", plan.objective_kind.name(), plan.primary_objective);
        }
        s += "\n";
    } else if plan.bound.is_finite() {
        s += &format!("bound: {:.2}\n", plan.bound);
    }
    let after = plan.status == PlanStatus::Optimal || plan.status == PlanStatus::Feasible;
    if !after {
        s += "no plan: the figures below are today's (status quo)\n";
    }
    s += &format!(
        "sites: {} before, {} after ({} closed, {} opened)\n",
        t.sites_before, t.sites_after, t.sites_closed, t.sites_opened
    );
    if !rules.hub.is_empty() {
        let hub: Vec<&str> = rules.hub.iter().map(|&x| svc_name(inputs, x)).collect();
        s += &format!(
            "family hubs ({}): {} before, {} after",
            hub.join(" + "),
            t.hubs_before,
            t.hubs_after
        );
        if rules.min_hubs_per_district > 0 {
            s += &format!("; at least {} per district", rules.min_hubs_per_district);
        }
        s += "\n";
        if !t.hubs_per_district.is_empty() {
            let d: Vec<String> = t
                .hubs_per_district
                .iter()
                .map(|(name, b, a)| format!("{name} {b}→{a}"))
                .collect();
            s += &format!("  hubs per district: {}\n", d.join(", "));
        }
    }
    s += &format!(
        "annual cost: {} before, {} after, saving {} a year{}; backlog removed {}\n",
        money(t.annual_cost_before),
        money(t.annual_cost_after),
        money(t.annual_saving),
        rules
            .savings_target
            .map_or(String::new(), |x| format!(" (target {})", money(x))),
        money(t.backlog_removed)
    );
    s += &format!(
        "one-off: opening {}, conversions {} ({} service move(s) in, {} out), total {}{}; disposal receipts {}\n",
        money(t.opening_cost),
        money(t.conversion_cost),
        t.moves_in,
        t.moves_out,
        money(t.opening_cost + t.conversion_cost),
        rules
            .capital_budget
            .map_or(String::new(), |x| format!(" (capital budget {})", money(x))),
        money(t.disposal_receipts)
    );
    s += "coverage (need within each service's limit, before → after; sites hosting it):\n";
    for (&sv, c) in plan.services.iter().zip(&t.per_service) {
        let limit = c.max_minutes.map_or("no limit".to_string(), |m| format!("{m} min"));
        s += &format!(
            "  {} ({limit}): {} → {}; {} → {} sites{}\n",
            svc_name(inputs, sv),
            pct(c.need_covered_before, c.need_total),
            pct(c.need_covered_after, c.need_total),
            c.sites_before,
            c.sites_after,
            if c.need_unreachable > 0.0 {
                format!(
                    "; {} of the need is unreachable at baseline",
                    pct(c.need_unreachable, c.need_total)
                )
            } else {
                String::new()
            }
        );
    }
    // As the single-service summary: only `ignore` leaves these zones out of the rules;
    // under `no_worse` and `tolerance` those with a hosting building today keep their own
    // limit (docs/MODEL.md §1.2).
    let rule = match rules.beyond_limit {
        hubplan::scenario::BeyondLimit::Ignore => "excluded from the rules".to_string(),
        hubplan::scenario::BeyondLimit::NoWorse => {
            "no site within the limit; access.beyond_limit = no_worse: a journey today is its own limit".to_string()
        }
        hubplan::scenario::BeyondLimit::Tolerance(t) => format!(
            "no site within the limit; access.beyond_limit = tolerance: a journey today plus {} is its own limit",
            hubplan::fmt::minutes(t)
        ),
    };
    for u in &plan.unreachable {
        s += &format!(
            "unreachable at baseline for {} ({rule}; listed in zones.csv): {} zone(s): {}\n",
            svc_name(inputs, u.service),
            u.zones.len(),
            list_ids(u.zones.iter().map(|&z| inputs.zone(z).id.as_str()), 10)
        );
    }
    let worse = hubplan::explain::service_worse_off(inputs, rules, plan);
    for line in hubplan::explain::service_worse_off_sentences(inputs, plan, &worse, 3) {
        s += &format!("worse off: {line}\n");
    }
    for line in hubplan::explain::services_capacity::summary_lines(inputs, plan, 5) {
        s += &format!("{line}\n");
    }
    if let Some(inf) = &plan.infeasibility {
        s += "infeasible because:\n";
        for b in &inf.blockers {
            s += &format!("  - {}\n", describe_service_blocker(inputs, rules, b));
        }
    }
    s
}

/// One sentence for a co-location blocker, naming ids
/// ([`hubplan::explain::service_blocker_sentence`], the one place of this wording).
pub fn describe_service_blocker(inputs: &Inputs, rules: &ServiceRules, b: &ServiceBlocker) -> String {
    hubplan::explain::service_blocker_sentence(inputs, rules, b)
}

/// One building's utilisation after two plans (issue 21): plan A and plan B, or the
/// baseline and a what-if. Read from the `capacity` block of each plan.json: the
/// building's `capacity.sites[]` entry of a single-service plan, or its entry for one
/// service in `capacity.services[].sites[]` of a co-location plan.
#[derive(Clone, Debug, PartialEq)]
pub struct UtilisationChange {
    /// The service id in a co-location plan; `None` in a single-service plan.
    pub service: Option<String>,
    /// The service as prose writes it ("children's centre", from plan.json's
    /// `services[].name`, else its id); `None` in a single-service plan.
    pub service_name: Option<String>,
    /// The site id.
    pub id: String,
    /// Its `max_users` (the larger of the two plans', should they differ).
    pub max_users: f64,
    /// Users after plan A (`None`: the building is not in A's capacity block).
    pub users_a: Option<f64>,
    /// Users after plan B.
    pub users_b: Option<f64>,
    /// Users today (plan A's `users_before`, else B's).
    pub users_today: Option<f64>,
}

impl UtilisationChange {
    /// Users after A as a share of `max_users`.
    pub fn share_a(&self) -> Option<f64> {
        self.users_a.map(|u| u / self.max_users)
    }
    /// Users after B as a share of `max_users`.
    pub fn share_b(&self) -> Option<f64> {
        self.users_b.map(|u| u / self.max_users)
    }
    /// Users today as a share of `max_users`.
    pub fn share_today(&self) -> Option<f64> {
        self.users_today.map(|u| u / self.max_users)
    }
    /// The larger of the two shares (for ranking the fullest buildings).
    fn fullest(&self) -> f64 {
        self.share_a().unwrap_or(0.0).max(self.share_b().unwrap_or(0.0))
    }
}

/// `(max_users, users_before, users_after)` per site id of one `sites` array of a
/// capacity block; buildings without a (positive) `max_users` are left out.
fn capacity_sites(v: Option<&serde_json::Value>) -> std::collections::BTreeMap<String, (f64, f64, f64)> {
    v.and_then(serde_json::Value::as_array)
        .map(|xs| {
            xs.iter()
                .filter_map(|x| {
                    let id = x.get("id")?.as_str()?.to_string();
                    let q = x.get("max_users")?.as_f64().filter(|q| *q > 0.0)?;
                    let after = x.get("users_after").and_then(serde_json::Value::as_f64).unwrap_or(0.0);
                    let before = x.get("users_before").and_then(serde_json::Value::as_f64).unwrap_or(0.0);
                    Some((id, (q, before, after)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The capacity groups of a plan.json: `(None, sites)` for a single-service plan,
/// `(Some(service id), sites)` per service of a co-location plan, in the plan's order.
type Groups = Vec<(Option<String>, std::collections::BTreeMap<String, (f64, f64, f64)>)>;

fn capacity_groups(v: &serde_json::Value) -> Groups {
    let Some(cap) = v.get("capacity") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if cap.get("sites").is_some() {
        out.push((None, capacity_sites(cap.get("sites"))));
    }
    for s in cap
        .get("services")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(id) = s.get("service").and_then(serde_json::Value::as_str) {
            out.push((Some(id.to_string()), capacity_sites(s.get("sites"))));
        }
    }
    out
}

/// A service's name from plan.json's `services[]` (`{"id", "name"}`) as prose writes it
/// (`prose_name`: a sentence-case name's first letter lower-cased); the id when the plan
/// has no name for it.
fn service_noun(plan: &serde_json::Value, id: &str) -> String {
    let name = plan
        .get("services")
        .and_then(serde_json::Value::as_array)
        .and_then(|xs| {
            xs.iter()
                .find(|x| x.get("id").and_then(serde_json::Value::as_str) == Some(id))
        })
        .and_then(|x| x.get("name").and_then(serde_json::Value::as_str))
        .filter(|n| !n.is_empty())
        .unwrap_or(id);
    hubplan::explain::services_capacity::prose_name(name)
}

/// The `fullest` buildings with a capacity in either plan, fullest after either plan
/// first (ties: site id), from the `capacity` blocks of two plan.json documents
/// (docs/FORMATS.md): `capacity.sites[] = {id, max_users, users_before, users_after, …}`
/// of a single-service plan, or per service `capacity.services[] = {service, sites: […]}`
/// of a co-location plan. In a co-location plan the `fullest` are per service, the
/// services in plan A's order (then any only in B). Empty when neither plan has demand
/// capacity. The one place of this comparison: `hubplan compare` and the server's
/// what-if `diff.utilisation` both use it.
pub fn utilisation_changes(a: &serde_json::Value, b: &serde_json::Value, fullest: usize) -> Vec<UtilisationChange> {
    let (ga, gb) = (capacity_groups(a), capacity_groups(b));
    let mut services: Vec<&Option<String>> = Vec::new();
    for (s, _) in ga.iter().chain(&gb) {
        if !services.contains(&s) {
            services.push(s);
        }
    }
    let empty = std::collections::BTreeMap::new();
    let find = |g: &'_ Groups, s: &Option<String>| -> std::collections::BTreeMap<String, (f64, f64, f64)> {
        g.iter()
            .find(|x| &x.0 == s)
            .map_or_else(|| empty.clone(), |x| x.1.clone())
    };
    let mut all = Vec::new();
    for svc in services {
        let (sa, sb) = (find(&ga, svc), find(&gb, svc));
        let mut ids: Vec<&String> = sa.keys().chain(sb.keys()).collect();
        ids.sort();
        ids.dedup();
        let mut out: Vec<UtilisationChange> = ids
            .into_iter()
            .map(|id| {
                let (x, y) = (sa.get(id), sb.get(id));
                UtilisationChange {
                    service: svc.clone(),
                    service_name: svc.as_deref().map(|s| {
                        let named = if a.get("services").is_some() { a } else { b };
                        service_noun(named, s)
                    }),
                    id: id.clone(),
                    max_users: x.map_or(0.0, |v| v.0).max(y.map_or(0.0, |v| v.0)),
                    users_a: x.map(|v| v.2),
                    users_b: y.map(|v| v.2),
                    users_today: x.or(y).map(|v| v.1),
                }
            })
            .collect();
        out.sort_by(|x, y| y.fullest().total_cmp(&x.fullest()).then(x.id.cmp(&y.id)));
        out.truncate(fullest);
        all.extend(out);
    }
    all
}

/// The utilisation lines of a comparison (empty without demand capacity): the
/// fullest buildings, "id 64% → 91% (A → B; 40% today)", and how many are over 90%
/// full after each plan; for a co-location plan the same per capacitated service,
/// "children's centre at B: 64% → 91% (…)".
pub fn utilisation_lines(a: &serde_json::Value, b: &serde_json::Value, fullest: usize) -> Vec<String> {
    let all = utilisation_changes(a, b, usize::MAX);
    if all.is_empty() {
        return Vec::new();
    }
    let share = |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), hubplan::explain::capacity::whole_pct);
    let users = |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), hubplan::explain::count);
    let mut out = Vec::new();
    let mut groups: Vec<(&Option<String>, Vec<&UtilisationChange>)> = Vec::new();
    for c in &all {
        match groups.iter_mut().find(|g| g.0 == &c.service) {
            Some(g) => g.1.push(c),
            None => groups.push((&c.service, vec![c])),
        }
    }
    for (svc, list) in groups {
        let over =
            |f: fn(&UtilisationChange) -> Option<f64>| list.iter().filter(|c| f(c).is_some_and(|u| u > 0.9)).count();
        let name = list[0].service_name.clone().unwrap_or_default();
        let of = match svc {
            None => String::new(),
            Some(_) => format!(" for {name}"),
        };
        out.push(format!(
            "capacity{of}: {} buildings with a max_users; over 90% full after the plan: {} in A, {} in B",
            list.len(),
            over(UtilisationChange::share_a),
            over(UtilisationChange::share_b)
        ));
        out.push(format!("fullest buildings{of} (utilisation after A → after B; today):"));
        for c in list.iter().take(fullest) {
            let detail = format!(
                "({} today; {} → {} users of {})",
                share(c.share_today()),
                users(c.users_a),
                users(c.users_b),
                hubplan::explain::count(c.max_users)
            );
            match svc {
                None => out.push(format!(
                    "  {:<14} {:>5} → {:<5} {detail}",
                    c.id,
                    share(c.share_a()),
                    share(c.share_b()),
                )),
                Some(_) => out.push(format!(
                    "  {name} at {}: {} → {} {detail}",
                    c.id,
                    share(c.share_a()),
                    share(c.share_b()),
                )),
            }
        }
    }
    out
}

/// [`utilisation_lines`] for two saved plans (each a plan.json or the folder holding
/// it), as `hubplan compare` prints them after its table.
pub fn utilisation_lines_for_files(
    a: &std::path::Path,
    b: &std::path::Path,
    fullest: usize,
) -> crate::Result<Vec<String>> {
    let read = |p: &std::path::Path| -> crate::Result<serde_json::Value> {
        let p = if p.is_dir() {
            p.join("plan.json")
        } else {
            p.to_path_buf()
        };
        let text = std::fs::read_to_string(&p)
            .map_err(|e| crate::Error::invalid(p.display().to_string(), format!("cannot read: {e}")))?;
        serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| crate::Error::invalid(p.display().to_string(), format!("not a hubplan plan.json: {e}")))
    };
    Ok(utilisation_lines(&read(a)?, &read(b)?, fullest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Session 8: "1 zones: Z2" read wrong; one unreachable zone is "1 zone".
    #[test]
    fn one_unreachable_zone_is_singular() {
        use hubplan::model::{Site, Zone};
        use hubplan::{PlanStatus, SiteIdx, ZoneIdx};
        let site = Site::existing("A", hubplan::geo::LonLat::new(-0.7, 52.6), 10.0);
        let zone = |id: &str| Zone {
            population: 5.0,
            ..Zone::new(id, hubplan::geo::LonLat::new(-0.7, 52.6), 5.0)
        };
        let inputs = Inputs {
            sites: vec![site],
            zones: vec![zone("Z1"), zone("Z2")],
            services: vec![],
            travel: hubplan::travel::TravelTimes::from_triples(
                2,
                1,
                vec![(ZoneIdx::from_index(0), SiteIdx::from_index(0), 5.0)],
            )
            .unwrap(),
        };
        let sc = Scenario::min_cost();
        let plan = hubplan::optimise::plan_for_open_set(&inputs, &sc, vec![true], PlanStatus::Optimal, 10.0, 10.0, 0.0);
        let text = summary(&inputs, &sc, &plan);
        assert!(text.contains("listed in zones.csv): 1 zone: Z2\n"), "{text}");
        assert!(text.contains("need within the limit: 50.0% before"), "{text}");
        // Without a limit (min_travel), there is no "limit" to be within.
        let mut sc = Scenario::min_cost();
        sc.objective = hubplan::ObjectiveKind::MinTravel;
        sc.max_minutes = None;
        let plan = hubplan::optimise::plan_for_open_set(&inputs, &sc, vec![true], PlanStatus::Optimal, 25.0, 25.0, 0.0);
        let text = summary(&inputs, &sc, &plan);
        assert!(!text.contains("within the limit"), "{text}");
        assert!(
            text.contains("need that reaches an open site (no limit): 50.0% before"),
            "{text}"
        );
        assert!(
            text.contains("(no site in the travel-time matrix; listed in zones.csv): 1 zone: Z2"),
            "{text}"
        );
    }

    fn plan(sites: &[(&str, f64, f64, f64)]) -> serde_json::Value {
        let s: Vec<serde_json::Value> = sites
            .iter()
            .map(|&(id, q, before, after)| json!({"id": id, "max_users": q, "users_before": before, "users_after": after}))
            .collect();
        json!({ "capacity": { "sites": s } })
    }

    /// The fullest after either plan first; unlimited buildings left out; nothing without capacity.
    #[test]
    fn utilisation_changes_rank_the_fullest_buildings() {
        let a = plan(&[
            ("A", 100.0, 90.0, 100.0),
            ("B", 100.0, 40.0, 50.0),
            ("C", 200.0, 10.0, 20.0),
        ]);
        let mut b = plan(&[
            ("A", 100.0, 90.0, 60.0),
            ("B", 100.0, 40.0, 95.0),
            ("C", 200.0, 10.0, 20.0),
        ]);
        b["capacity"]["sites"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "D", "max_users": null, "users_before": 5.0, "users_after": 5.0}));
        let c = utilisation_changes(&a, &b, 2);
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].id.as_str(), c[0].share_a(), c[0].share_b()),
            ("A", Some(1.0), Some(0.6))
        );
        assert_eq!(
            (c[1].id.as_str(), c[1].share_a(), c[1].share_b()),
            ("B", Some(0.5), Some(0.95))
        );
        assert_eq!(c[1].users_today, Some(40.0));
        let lines = utilisation_lines(&a, &b, 5);
        assert_eq!(
            lines[0],
            "capacity: 3 buildings with a max_users; over 90% full after the plan: 1 in A, 1 in B"
        );
        assert!(lines[2].contains("100% → 60%"), "{lines:?}");
        assert!(utilisation_lines(&json!({}), &json!({}), 5).is_empty());
    }

    /// A co-location plan.json: per service, the fullest buildings of that service,
    /// named "children's centre at B"; services in plan A's order.
    #[test]
    fn utilisation_changes_of_a_colocation_plan_are_per_service() {
        let svc = |id: &str, sites: &[(&str, f64, f64, f64)]| {
            let s: Vec<serde_json::Value> = sites
                .iter()
                .map(|&(id, q, before, after)| json!({"id": id, "max_users": q, "users_before": before, "users_after": after}))
                .collect();
            json!({"service": id, "sites": s})
        };
        let doc = |cc: &[(&str, f64, f64, f64)], youth: &[(&str, f64, f64, f64)]| {
            json!({
                "model": "services",
                "services": [{"id": "children_centre", "name": "Children's centre"}, {"id": "youth", "name": ""}],
                "capacity": {"services": [svc("children_centre", cc), svc("youth", youth)]},
            })
        };
        let a = doc(
            &[
                ("A", 200.0, 100.0, 110.0),
                ("B", 150.0, 110.0, 150.0),
                ("D", 100.0, 45.0, 0.0),
            ],
            &[("C", 100.0, 50.0, 95.0)],
        );
        let b = doc(
            &[
                ("A", 200.0, 100.0, 100.0),
                ("B", 150.0, 110.0, 120.0),
                ("D", 100.0, 45.0, 40.0),
            ],
            &[("C", 100.0, 50.0, 50.0)],
        );
        let c = utilisation_changes(&a, &b, 2);
        let got: Vec<_> = c
            .iter()
            .map(|c| (c.service.as_deref(), c.id.as_str(), c.share_a(), c.share_b()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("children_centre"), "B", Some(1.0), Some(0.8)),
                (Some("children_centre"), "A", Some(0.55), Some(0.5)),
                (Some("youth"), "C", Some(0.95), Some(0.5)),
            ]
        );
        assert_eq!(c[0].service_name.as_deref(), Some("children's centre"));
        assert_eq!(c[2].service_name.as_deref(), Some("youth"));
        let lines = utilisation_lines(&a, &b, 5);
        assert_eq!(
            lines[0],
            "capacity for children's centre: 3 buildings with a max_users; over 90% full after the plan: 1 in A, 0 in B"
        );
        assert_eq!(
            lines[2],
            "  children's centre at B: 100% → 80% (73% today; 150 → 120 users of 150)"
        );
        assert!(
            lines
                .iter()
                .any(|l| l == "  youth at C: 95% → 50% (50% today; 95 → 50 users of 100)"),
            "{lines:?}"
        );
    }

    #[test]
    fn objective_line_never_prints_negative_zero() {
        // Acceptance sweep, session 7: every zone with need 0 gave "objective: -0.00".
        assert_eq!(super::fixed2(-0.0), "0.00");
        assert_eq!(super::fixed2(-0.001), "0.00");
        assert_eq!(super::fixed2(-1.5), "-1.50");
        assert_eq!(super::fixed2(132_000.0), "132000.00");
    }
}
