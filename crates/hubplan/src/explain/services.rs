//! Reasons and the worse-off list of a co-location plan ([`ServicePlan`]), per
//! building and per service (issue 18).
//!
//! Everything is recomputed from the plan's per-service access (each zone's
//! nearest hosting site before and after, [`ServicePlan::zones`]) and the
//! inputs. The *users* of a service at a site are the zones with need for that
//! service whose nearest hosting site it was today (for a service moved out or
//! closed) or is after the plan (for a hosted service). Each reason tells apart
//! users within the service's limit after, users already beyond it whose
//! journey is not longer, and users with a longer journey beyond it, naming the
//! last two by zone name and code with minutes before → after.

use crate::colocate::{
    beyond_limit_of, service_limit, HostChange, LimitRule, ServiceBlocker, ServicePlan, ServiceRules,
};
use crate::ids::{ServiceIdx, SiteIdx, ZoneIdx};
use crate::model::Inputs;
use crate::plan::{DecileTotals, Decision, PlanStatus};
use crate::scenario::BeyondLimit;

use super::{count, plural, site_label, trim_float, users_clause, zone_label, SiteMinutes, UserGroup, ZoneMove};

/// Why one planned service is, or is no longer, at one site.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceReason {
    /// The service.
    pub service: ServiceIdx,
    /// Stays, moved in, or moved out (a closure moves every service out).
    pub change: HostChange,
    /// Its users at this site (zone order): moved out, the zones whose nearest
    /// hosting site today was here; hosted, the zones whose nearest hosting site after is here.
    pub users: Vec<ZoneMove>,
    /// Hosted only: users that no other site hosting the service after reaches
    /// within their limit (the service's limit, or their own under `access.beyond_limit`).
    pub sole: Vec<ZoneIdx>,
    /// One or more sentences, generated from `users` and `sole`.
    pub text: String,
}

/// Why one building is kept, opened or closed, service by service.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSiteReason {
    /// The site.
    pub site: SiteIdx,
    /// Its decision.
    pub decision: Decision,
    /// One reason per planned service hosted here before or after.
    pub services: Vec<ServiceReason>,
    /// The building's reason: its decision and each service's reason.
    pub text: String,
}

fn service_name(inputs: &Inputs, s: ServiceIdx) -> &str {
    let svc = &inputs.services[s.index()];
    if svc.name.is_empty() {
        &svc.id
    } else {
        &svc.name
    }
}

fn lim_text(limit: Option<f64>) -> String {
    limit.map_or_else(|| "reach".to_string(), |m| format!("{} minutes", trim_float(m)))
}

fn within(limit: Option<f64>, m: Option<f64>) -> bool {
    match (limit, m) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(l), Some(m)) => m <= l + 1e-9,
    }
}

/// The limit a (zone, service) pair is held to after the plan: the service's
/// limit when some capable site reaches it within that, else its own limit under
/// `access.beyond_limit` (`None`: no limit applies).
fn own_limit(inputs: &Inputs, rules: &ServiceRules, plan: &ServicePlan, k: usize, z: ZoneIdx) -> Option<f64> {
    let s = plan.services[k];
    if plan.zones[k][z.index()].unreachable {
        beyond_limit_of(inputs, rules, z, s)
    } else {
        service_limit(inputs, rules, s)
    }
}

fn has_plan(plan: &ServicePlan) -> bool {
    matches!(plan.status, PlanStatus::Optimal | PlanStatus::Feasible)
}

fn user_move(plan: &ServicePlan, k: usize, z: ZoneIdx, limit: Option<f64>) -> ZoneMove {
    let zp = &plan.zones[k][z.index()];
    let b = zp.before.map(|x| x.1);
    ZoneMove {
        zone: z,
        need: zp.need,
        minutes_before: b.unwrap_or(f64::INFINITY),
        after: zp.after.map(SiteMinutes::from),
        within_before: within(limit, b),
        within_after: within(limit, zp.after.map(|x| x.1)),
    }
}

/// The reasons of a co-location plan, one per site with a planned service
/// before or after, or open after (site order). Empty without a plan.
pub fn service_reasons(inputs: &Inputs, rules: &ServiceRules, plan: &ServicePlan) -> Vec<ServiceSiteReason> {
    if !has_plan(plan) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (j, sp) in plan.sites.iter().enumerate() {
        let site = SiteIdx::from_index(j);
        if sp.hosting.is_empty() && !matches!(sp.decision, Decision::Keep | Decision::Open | Decision::Close) {
            continue;
        }
        let mut services = Vec::new();
        for &(s, change) in &sp.hosting {
            let Some(k) = plan.services.iter().position(|&x| x == s) else {
                continue;
            };
            let limit = service_limit(inputs, rules, s);
            let lim = lim_text(limit);
            let name = service_name(inputs, s);
            let mut users = Vec::new();
            let mut sole = Vec::new();
            for z in inputs.zone_indices() {
                let zp = &plan.zones[k][z.index()];
                if zp.need <= 0.0 {
                    continue;
                }
                let here = match change {
                    HostChange::MovedOut => zp.before.map(|x| x.0) == Some(site),
                    _ => zp.after.map(|x| x.0) == Some(site),
                };
                if !here {
                    continue;
                }
                users.push(user_move(plan, k, z, limit));
                if change != HostChange::MovedOut {
                    if let Some(l) = own_limit(inputs, rules, plan, k, z) {
                        let alone = inputs
                            .travel
                            .row(z)
                            .filter(|&(o, m)| o != site && m <= l + 1e-9)
                            .all(|(o, _)| !plan.sites[o.index()].hosts_after.contains(&s));
                        if alone && zp.after.is_some_and(|a| a.1 <= l + 1e-9) {
                            sole.push(z);
                        }
                    }
                }
            }
            let text = match change {
                HostChange::MovedOut => {
                    let how = if sp.decision == Decision::Close {
                        "closes here"
                    } else {
                        "moves out"
                    };
                    if users.is_empty() {
                        format!("{name} {how}: no zone with need had it here as its nearest site.")
                    } else {
                        format!(
                            "{name} {how}: {}.",
                            users_clause(
                                inputs,
                                rules.beyond_limit,
                                rules.objective,
                                &users,
                                &lim,
                                "that used it here",
                                "of another site hosting it"
                            )
                        )
                    }
                }
                _ => {
                    let how = if change == HostChange::MovedIn {
                        "moves in"
                    } else {
                        "stays"
                    };
                    hosted_text(inputs, rules, plan, k, name, how, &users, &sole, &lim)
                }
            };
            services.push(ServiceReason {
                service: s,
                change,
                users,
                sole,
                text,
            });
        }
        let head = match sp.decision {
            Decision::Close if services.is_empty() => "Closes; it hosted none of the planned services.".to_string(),
            Decision::Close => "Closes.".to_string(),
            Decision::Keep if services.is_empty() => "Kept; it hosts none of the planned services.".to_string(),
            Decision::Keep => "Kept.".to_string(),
            Decision::Open => "Opened.".to_string(),
            Decision::Unused => "Not opened.".to_string(),
        };
        let mut text = head;
        for r in &services {
            text.push(' ');
            text.push_str(&r.text);
        }
        out.push(ServiceSiteReason {
            site,
            decision: sp.decision,
            services,
            text,
        });
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn hosted_text(
    inputs: &Inputs,
    rules: &ServiceRules,
    plan: &ServicePlan,
    k: usize,
    name: &str,
    how: &str,
    users: &[ZoneMove],
    sole: &[ZoneIdx],
    lim: &str,
) -> String {
    if users.is_empty() {
        return format!("{name} {how}: no zone with need has it here as its nearest site.");
    }
    let need: f64 = users.iter().map(|m| m.need).sum();
    let mut t = format!(
        "{name} {how}: nearest site for {} (need {})",
        plural(users.len(), "zone", "zones"),
        count(need)
    );
    let sole_std: Vec<ZoneIdx> = sole
        .iter()
        .copied()
        .filter(|&z| !plan.zones[k][z.index()].unreachable)
        .collect();
    let sole_own: Vec<ZoneIdx> = sole
        .iter()
        .copied()
        .filter(|&z| plan.zones[k][z.index()].unreachable)
        .collect();
    if !sole_std.is_empty() {
        let names: Vec<String> = sole_std.iter().map(|&z| zone_label(inputs, z)).collect();
        t += &format!(
            "; no other site hosting it is within {lim} of {}: {}",
            plural(sole_std.len(), "zone", "zones"),
            names.join(", ")
        );
    }
    if !sole_own.is_empty() {
        let setting = match rules.beyond_limit {
            BeyondLimit::NoWorse => "access.beyond_limit = no_worse".to_string(),
            BeyondLimit::Tolerance(x) => format!("access.beyond_limit = tolerance of {} minutes", trim_float(x)),
            BeyondLimit::Ignore => "access.beyond_limit".to_string(),
        };
        let names: Vec<String> = sole_own
            .iter()
            .map(|&z| {
                let l = own_limit(inputs, rules, plan, k, z).unwrap_or(f64::INFINITY);
                let zp = &plan.zones[k][z.index()];
                format!(
                    "{} (beyond {lim} today at {:.1} min, own limit {:.1} min, {:.1} min after)",
                    zone_label(inputs, z),
                    zp.before.map_or(f64::INFINITY, |b| b.1),
                    l,
                    zp.after.map_or(f64::INFINITY, |a| a.1)
                )
            })
            .collect();
        t += &format!(
            "; under {setting} it is the only site hosting it within the own limit of {}: {}",
            plural(sole_own.len(), "zone", "zones"),
            names.join(", ")
        );
    }
    t += "; ";
    t += &users_clause(
        inputs,
        rules.beyond_limit,
        rules.objective,
        users,
        lim,
        "it serves",
        "here",
    );
    t.push('.');
    t
}

/// A (zone, service) pair whose journey grows by at least `report.worse_off_minutes`.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceWorseOff {
    /// The service.
    pub service: ServiceIdx,
    /// The zone.
    pub zone: ZoneIdx,
    /// Its need for the service.
    pub need: f64,
    /// Minutes to its nearest site hosting the service today.
    pub minutes_before: f64,
    /// Minutes after (`None`: no open site hosts it within reach).
    pub minutes_after: Option<f64>,
    /// The building that hosted it for this zone today and no longer does.
    pub cause: SiteIdx,
    /// `true` when that building closes, `false` when only the service moves out.
    pub cause_closed: bool,
}

impl ServiceWorseOff {
    /// Minutes added (infinite when no site is reachable after).
    pub fn increase(&self) -> f64 {
        self.minutes_after.map_or(f64::INFINITY, |a| a - self.minutes_before)
    }
}

/// The worse-off list of a co-location plan and its totals by IMD decile per service.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServiceWorseOffList {
    /// The threshold in minutes (`report.worse_off_minutes`).
    pub minutes: f64,
    /// Pairs whose journey grows by at least `minutes` and whose need is positive,
    /// largest increase first (ties: service order, then zone index). Empty without a plan.
    pub zones: Vec<ServiceWorseOff>,
    /// Per planned service (plan order): totals by IMD decile, deciles 1..10
    /// then zones without one (only those present); need is the service's need.
    pub by_imd_decile: Vec<(ServiceIdx, Vec<DecileTotals>)>,
}

/// Who is worse off under a co-location plan, counted from `plan.zones`.
pub fn service_worse_off(inputs: &Inputs, rules: &ServiceRules, plan: &ServicePlan) -> ServiceWorseOffList {
    let has = has_plan(plan);
    let thr = rules.worse_off_minutes;
    let mut list = ServiceWorseOffList {
        minutes: thr,
        ..Default::default()
    };
    for (k, &s) in plan.services.iter().enumerate() {
        let mut dec: Vec<DecileTotals> = Vec::new();
        let mut acc: Vec<[f64; 4]> = Vec::new();
        for z in inputs.zone_indices() {
            let zp = &plan.zones[k][z.index()];
            let zone = inputs.zone(z);
            let i = match dec.iter().position(|d| d.imd_decile == zone.imd_decile) {
                Some(i) => i,
                None => {
                    dec.push(DecileTotals {
                        imd_decile: zone.imd_decile,
                        ..Default::default()
                    });
                    acc.push([0.0; 4]);
                    dec.len() - 1
                }
            };
            let d = &mut dec[i];
            d.zones += 1;
            d.need += zp.need;
            if let Some((_, m)) = zp.before {
                acc[i][0] += zp.need;
                acc[i][1] += zp.need * m;
            }
            if let Some((_, m)) = zp.after {
                acc[i][2] += zp.need;
                acc[i][3] += zp.need * m;
            }
            if !has || zp.need <= 0.0 {
                continue;
            }
            let Some((cause, b)) = zp.before else { continue };
            let after = zp.after.map(|a| a.1);
            let inc = after.map_or(f64::INFINITY, |a| a - b);
            if inc > 1e-9 {
                d.zones_longer += 1;
                d.need_longer += zp.need;
            }
            if inc >= thr - 1e-9 && inc > 0.0 {
                d.zones_worse_off += 1;
                d.need_worse_off += zp.need;
                list.zones.push(ServiceWorseOff {
                    service: s,
                    zone: z,
                    need: zp.need,
                    minutes_before: b,
                    minutes_after: after,
                    cause,
                    cause_closed: !plan.open[cause.index()],
                });
            }
        }
        for (d, a) in dec.iter_mut().zip(&acc) {
            d.mean_minutes_before = if a[0] > 0.0 { a[1] / a[0] } else { f64::NAN };
            d.mean_minutes_after = if a[2] > 0.0 { a[3] / a[2] } else { f64::NAN };
        }
        dec.sort_by_key(|d| d.imd_decile.map_or(u8::MAX, |x| x));
        list.by_imd_decile.push((s, dec));
    }
    let pos = |s: ServiceIdx| plan.services.iter().position(|&x| x == s);
    list.zones.sort_by(|x, y| {
        y.increase()
            .total_cmp(&x.increase())
            .then(pos(x.service).cmp(&pos(y.service)))
            .then(x.zone.cmp(&y.zone))
    });
    list
}

/// Plain sentences on the largest journey increases of a co-location plan:
/// how many (zone, service) pairs are on the worse-off list, the `largest`
/// increases by zone name and code, service and the building that caused each,
/// and how many are in IMD deciles 1–2. Every figure is counted from `list`.
pub fn service_worse_off_sentences(
    inputs: &Inputs,
    plan: &ServicePlan,
    list: &ServiceWorseOffList,
    largest: usize,
) -> Vec<String> {
    if !has_plan(plan) {
        return Vec::new();
    }
    let thr = trim_float(list.minutes);
    let w = &list.zones;
    if w.is_empty() {
        return vec![format!(
            "No zone's journey to any planned service grows by {thr} minutes or more."
        )];
    }
    let mut zones: Vec<ZoneIdx> = w.iter().map(|x| x.zone).collect();
    zones.sort();
    zones.dedup();
    let mut out = vec![format!(
        "{} (in {}) {} a journey to a service at least {thr} minutes longer after the plan.",
        plural(w.len(), "zone-service pair", "zone-service pairs"),
        plural(zones.len(), "zone", "zones"),
        if w.len() == 1 { "has" } else { "have" }
    )];
    let named: Vec<String> = w
        .iter()
        .take(largest)
        .map(|x| {
            let after = x.minutes_after.map_or_else(
                || "no site hosting it".to_string(),
                |a| format!("{a:.1} minutes (+{:.1})", a - x.minutes_before),
            );
            format!(
                "{} to {} from {:.1} to {after}, as {} {}",
                zone_label(inputs, x.zone),
                service_name(inputs, x.service),
                x.minutes_before,
                site_label(inputs, x.cause),
                if x.cause_closed { "closes" } else { "stops hosting it" }
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
    let deprived = w
        .iter()
        .filter(|x| inputs.zone(x.zone).imd_decile.is_some_and(|d| d <= 2))
        .count();
    if deprived > 0 {
        out.push(format!(
            "{deprived} of them {} in the most deprived fifth of areas (IMD deciles 1–2).",
            if deprived == 1 { "is" } else { "are" }
        ));
    }
    out
}

/// Users of a reason in the given group (for tests and writers).
pub fn users_in(r: &ServiceReason, g: UserGroup) -> impl Iterator<Item = &ZoneMove> + '_ {
    r.users.iter().filter(move |m| m.group() == g)
}

/// One sentence (or two) for a blocker of infeasible co-location rules, naming
/// zones, sites and services. The one place this wording lives: the appendix,
/// the terminal summary and the server all use it.
pub fn service_blocker_sentence(inputs: &Inputs, rules: &ServiceRules, b: &ServiceBlocker) -> String {
    let lim = |s: ServiceIdx| lim_text(service_limit(inputs, rules, s));
    let zones_text = |zs: &[ZoneIdx]| {
        let labels: Vec<String> = zs.iter().map(|&z| zone_label(inputs, z)).collect();
        super::id_list(labels.iter().map(String::as_str))
    };
    let sites_text = |ss: &[SiteIdx]| {
        let labels: Vec<String> = ss.iter().map(|&j| site_label(inputs, j)).collect();
        super::id_list(labels.iter().map(String::as_str))
    };
    match b {
        ServiceBlocker::ForcedClosures { service, zones, sites } => format!(
            "{}: {} can reach it within {} only at buildings the scenario forces closed or forbids to host it \
             ({}). Zones: {}.",
            service_name(inputs, *service),
            plural(zones.len(), "zone", "zones"),
            lim(*service),
            sites_text(sites),
            zones_text(zones)
        ),
        ServiceBlocker::Capacity {
            site,
            services,
            zones,
            space,
            capacity,
        } => {
            let names: Vec<&str> = services.iter().map(|&s| service_name(inputs, s)).collect();
            let pairs: Vec<String> = zones
                .iter()
                .map(|&(z, s)| format!("{} for {}", zone_label(inputs, z), service_name(inputs, s)))
                .collect();
            format!(
                "{} must host {} (the only building within reach of {}), which need {} of space; its capacity is {}.",
                site_label(inputs, *site),
                names.join(" + "),
                if pairs.is_empty() {
                    "services forced there".to_string()
                } else {
                    super::id_list(pairs.iter().map(String::as_str))
                },
                crate::fmt::plain(*space),
                crate::fmt::plain(*capacity)
            )
        }
        ServiceBlocker::Limit {
            rule,
            limit,
            plan_value,
        } => {
            if *rule == LimitRule::MinHubsPerDistrict {
                format!(
                    "The rule of at least {} family hub(s) per district blocks the plan: without it a plan exists.",
                    crate::fmt::plain(*limit)
                )
            } else {
                // What the least-cost plan's value is of: the quantity the rule limits.
                let value = rule.value_text(*plan_value);
                let has = match rule {
                    LimitRule::CapitalBudget => format!("one-off costs (openings and service moves) of {value}"),
                    LimitRule::SiteCount => {
                        format!("{value} open site{}", if *plan_value == 1.0 { "" } else { "s" })
                    }
                    _ => format!("an annual running cost of {value}"),
                };
                format!(
                    "The {rule} ({}) blocks the plan: without it a plan exists, and the least-cost one has {has}.",
                    rule.value_text(*limit)
                )
            }
        }
        ServiceBlocker::DemandCapacity {
            service,
            zones,
            full_sites,
            missing,
        } => format!(
            "{}: even with every building open and hosting it, {} cannot be placed within the capacity \
             (max_users) of the buildings within {} of {} ({}): {} users find no room.",
            service_name(inputs, *service),
            if zones.len() == 1 {
                format!("zone {}", zones_text(zones))
            } else {
                format!("zones {}", zones_text(zones))
            },
            lim(*service),
            if zones.len() == 1 { "it" } else { "them" },
            if full_sites.is_empty() {
                "none has room".to_string()
            } else {
                format!("full: {}", sites_text(full_sites))
            },
            crate::fmt::count(*missing)
        ),
        ServiceBlocker::Combination => "No single rule explains it: the budget, savings target, capital budget, \
                                        site count and hub rule block together."
            .to_string(),
        ServiceBlocker::BeyondLimit {
            service,
            rule,
            zones,
            sites,
        } => format!(
            "{}: {}",
            service_name(inputs, *service),
            super::beyond_blocker_text(
                inputs,
                *rule,
                zones,
                sites,
                zones.iter().map(|b| inputs.need(b.zone, Some(*service))).sum(),
                &lim(*service),
                "building able to host it"
            )
        ),
    }
}
