//! Sentences for demand capacity per building and service in the co-location
//! model (issue 21, [`crate::colocate_capacity`]): why a building is kept for
//! a service's capacity, where a closure sends that service's users,
//! warnings, and the summary lines.

use crate::colocate::ServicePlan;
use crate::colocate_capacity::{ClosureSends, KeptForCapacity, ServiceCapacityPlan, ServiceUse, FULL_WARNING};
use crate::ids::{ServiceIdx, SiteIdx};
use crate::model::Inputs;
use crate::scenario::Assignment;

use super::capacity::whole_pct;
use super::{count, id_list, site_label};

/// A service's name as prose writes it ("children's centre", "youth service").
pub fn service_noun(inputs: &Inputs, s: ServiceIdx) -> String {
    let svc = &inputs.services[s.index()];
    prose_name(if svc.name.is_empty() { &svc.id } else { &svc.name })
}

/// A name as it reads in the middle of a sentence: a sentence-case name loses the
/// capital of its first letter ("Children's centre" → "children's centre"); a name with
/// any other capital letter is kept as written, since it is a proper name or holds an
/// acronym ("Flying Start", "NHS health visiting", "Canolfan Plant / Children's centre").
pub fn prose_name(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) if !c.clone().any(char::is_uppercase) => f.to_lowercase().chain(c).collect(),
        _ => name.to_string(),
    }
}

/// "A", "A and B", "A, B and C" (ids, at most [`id_list`]'s count then "and N more").
fn and_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let all: Vec<&str> = ids.into_iter().collect();
    match all.len() {
        0 => String::new(),
        1 => all[0].to_string(),
        n if n <= 8 => format!("{} and {}", all[..n - 1].join(", "), all[n - 1]),
        _ => id_list(all),
    }
}

fn util_change(u: &ServiceUse, j: SiteIdx) -> String {
    match u.site(j).map(|x| (x.utilisation_before(), x.utilisation_after())) {
        Some((Some(b), Some(a))) => format!(" ({} → {})", whole_pct(b), whole_pct(a)),
        Some((None, Some(a))) => format!(" ({} full after)", whole_pct(a)),
        _ => String::new(),
    }
}

/// "kept because without it, zones X and Y would exceed B's capacity for youth service by N users".
pub fn kept_text(inputs: &Inputs, u: &ServiceUse, k: &KeptForCapacity) -> String {
    let zones = and_ids(k.zones.iter().map(|&z| inputs.zone(z).id.as_str()));
    let full = if k.full_sites.is_empty() {
        "the other buildings'".to_string()
    } else {
        let names: Vec<String> = k.full_sites.iter().map(|&j| inputs.site(j).id.clone()).collect();
        format!("{}'s", and_ids(names.iter().map(String::as_str)))
    };
    format!(
        "kept because without it, {} {} would exceed {full} capacity for {} by {} users",
        if k.zones.len() == 1 { "zone" } else { "zones" },
        zones,
        service_noun(inputs, u.service),
        count(k.missing)
    )
}

/// "closure sends N youth service users to B (64% → 91%) and M to C (…)"; a
/// building that stays open but stops hosting the service "moving youth service out sends …".
pub fn closure_text(inputs: &Inputs, plan: &ServicePlan, u: &ServiceUse, c: &ClosureSends) -> String {
    let what = if plan.open.get(c.site.index()).copied().unwrap_or(false) {
        format!("moving {} out", service_noun(inputs, u.service))
    } else {
        "closure".to_string()
    };
    if c.to.is_empty() {
        return format!(
            "{what} sends none of its {} users elsewhere: no zone had it as its nearest building",
            service_noun(inputs, u.service)
        );
    }
    let parts: Vec<String> =
        c.to.iter()
            .enumerate()
            .map(|(i, &(j, users))| {
                let noun = if i == 0 {
                    format!(" {} users", service_noun(inputs, u.service))
                } else {
                    String::new()
                };
                format!("{}{noun} to {}{}", count(users), inputs.site(j).id, util_change(u, j))
            })
            .collect();
    format!("{what} sends {}", and_ids(parts.iter().map(String::as_str)))
}

/// Every capacity reason of a plan, as `(site, service, sentence)`, in site then service order.
pub fn capacity_reasons(inputs: &Inputs, plan: &ServicePlan) -> Vec<(SiteIdx, ServiceIdx, String)> {
    let Some(cap) = plan.capacity.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for u in &cap.services {
        for k in &u.kept {
            out.push((k.site, u.service, kept_text(inputs, u, k)));
        }
        for c in &u.closures {
            out.push((c.site, u.service, closure_text(inputs, plan, u, c)));
        }
    }
    out.sort_by_key(|a| (a.0, a.1));
    out
}

/// A warning about a plan's capacity.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ServiceCapacityWarning {
    /// A building that receives users ends above [`FULL_WARNING`] of its capacity for the service.
    NearlyFull {
        /// The service.
        service: ServiceIdx,
        /// The building.
        site: SiteIdx,
        /// Users after / max_users.
        utilisation: f64,
    },
    /// Under `split`, zones whose need is shared between buildings.
    Split {
        /// The service.
        service: ServiceIdx,
        /// The zones.
        zones: Vec<crate::ids::ZoneIdx>,
    },
}

/// The warnings of a plan's capacity, service by service.
pub fn warnings(cap: &ServiceCapacityPlan) -> Vec<ServiceCapacityWarning> {
    let mut out = Vec::new();
    for u in &cap.services {
        for s in u.nearly_full() {
            out.push(ServiceCapacityWarning::NearlyFull {
                service: u.service,
                site: s.site,
                utilisation: s.utilisation_after().unwrap_or(0.0),
            });
        }
        if cap.assignment == Assignment::Split && !u.shared_zones.is_empty() {
            out.push(ServiceCapacityWarning::Split {
                service: u.service,
                zones: u.shared_zones.clone(),
            });
        }
    }
    out
}

/// The sentence of a warning.
pub fn warning_text(inputs: &Inputs, cap: &ServiceCapacityPlan, w: &ServiceCapacityWarning) -> String {
    match w {
        ServiceCapacityWarning::NearlyFull {
            service,
            site,
            utilisation,
        } => {
            let u = cap.services.iter().find(|u| u.service == *service);
            let l = u.and_then(|u| u.site(*site));
            format!(
                "{} would be {} full for {} ({} of {} users; {} today): above {} of its capacity.",
                site_label(inputs, *site),
                whole_pct(*utilisation),
                service_noun(inputs, *service),
                count(l.map_or(0.0, |l| l.users_after)),
                count(l.and_then(|l| l.max_users).unwrap_or(0.0)),
                count(l.map_or(0.0, |l| l.users_before)),
                whole_pct(FULL_WARNING)
            )
        }
        ServiceCapacityWarning::Split { service, zones } => format!(
            "The plan shares the {} need of {} {} between buildings (capacity.assignment = \"split\"); where \
             families would really go to one place, plan with \"single\".",
            service_noun(inputs, *service),
            if zones.len() == 1 { "zone" } else { "zones" },
            and_ids(zones.iter().map(|&z| inputs.zone(z).id.as_str()))
        ),
    }
}

/// Terminal lines: per capacitated service the fullest buildings after the
/// plan, then up to `max_reasons` capacity reasons and every warning.
pub fn summary_lines(inputs: &Inputs, plan: &ServicePlan, max_reasons: usize) -> Vec<String> {
    let Some(cap) = plan.capacity.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for u in &cap.services {
        let mut full: Vec<_> = u.sites.iter().filter(|s| s.utilisation_after().is_some()).collect();
        full.sort_by(|a, b| {
            b.utilisation_after()
                .unwrap_or(0.0)
                .total_cmp(&a.utilisation_after().unwrap_or(0.0))
                .then(a.site.cmp(&b.site))
        });
        let shown: Vec<String> = full
            .iter()
            .take(3)
            .map(|s| {
                format!(
                    "{} {} → {}",
                    inputs.site(s.site).id,
                    s.utilisation_before().map_or("–".to_string(), whole_pct),
                    s.utilisation_after().map_or("–".to_string(), whole_pct)
                )
            })
            .collect();
        out.push(format!(
            "capacity for {} ({} assignment): {} of {} buildings have a max_users; fullest after the plan (today → after): {}",
            service_noun(inputs, u.service),
            cap.assignment.name(),
            full.len(),
            u.sites.len(),
            shown.join(", ")
        ));
    }
    let reasons = capacity_reasons(inputs, plan);
    for (j, _, text) in reasons.iter().take(max_reasons) {
        out.push(format!("  {}: {text}", inputs.site(*j).id));
    }
    if reasons.len() > max_reasons {
        out.push(format!(
            "  … and {} more capacity reasons in plan.json",
            reasons.len() - max_reasons
        ));
    }
    for w in warnings(cap) {
        out.push(format!("warning: {}", warning_text(inputs, cap, &w)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::prose_name;

    /// Only a sentence-case name loses its capital: a Welsh name, a programme's proper
    /// name or an acronym kept its capitals before session 18 lower-cased their first
    /// letter ("canolfan Plant / Children's centre", "flying Start", "nHS …").
    #[test]
    fn prose_name_keeps_proper_names() {
        assert_eq!(prose_name("Children's centre"), "children's centre");
        assert_eq!(prose_name("Youth service"), "youth service");
        assert_eq!(prose_name("youth"), "youth");
        assert_eq!(prose_name(""), "");
        assert_eq!(prose_name("Flying Start"), "Flying Start");
        assert_eq!(prose_name("NHS health visiting"), "NHS health visiting");
        assert_eq!(
            prose_name("Canolfan Plant / Children's centre"),
            "Canolfan Plant / Children's centre"
        );
        assert_eq!(prose_name("Ŷ gwasanaeth"), "ŷ gwasanaeth");
    }
}
