//! Demand capacity in the plan directory (issue 21): the `capacity` block of
//! plan.json and the utilisation columns of sites.csv (docs/FORMATS.md).

use hubplan::explain::capacity::warning_text;
use hubplan::plan::CapacityWarning;
use hubplan::{Inputs, Plan};
use serde_json::{json, Value};

fn r6(x: f64) -> Value {
    if x.is_finite() {
        json!((x * 1e6).round() / 1e6 + 0.0)
    } else {
        Value::Null
    }
}

fn cell(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let r = (v * 1e6).round() / 1e6 + 0.0;
            format!("{r}")
        }
        _ => String::new(),
    }
}

/// Per zone with users placed, the buildings it goes to and how many users:
/// the `placed` list of both models' `capacity` block.
fn placed_json(inputs: &Inputs, placed: &[Vec<(hubplan::SiteIdx, f64)>]) -> Vec<Value> {
    inputs
        .zones
        .iter()
        .zip(placed)
        .filter(|(_, p)| !p.is_empty())
        .map(|(z, p)| {
            json!({
                "zone": z.id,
                "sites": p.iter().map(|&(s, u)| json!({ "site": inputs.site(s).id, "users": r6(u) })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The `capacity` block of plan.json; `None` without demand capacity.
pub(crate) fn capacity_json(inputs: &Inputs, plan: &Plan) -> Option<Value> {
    let cap = plan.capacity.as_ref()?;
    let sites: Vec<Value> = inputs
        .sites
        .iter()
        .zip(&cap.sites)
        .map(|(s, l)| {
            json!({
                "id": s.id,
                "max_users": l.max_users.map(r6),
                "users_before": r6(l.users_before),
                "users_before_source": if l.before_given { "users_today" } else { "modelled" },
                "users_after": r6(l.users_after),
                "utilisation_before": l.utilisation_before().map(r6),
                "utilisation_after": l.utilisation_after().map(r6),
            })
        })
        .collect();
    let placed = placed_json(inputs, &cap.placed);
    let warnings: Vec<Value> = cap
        .warnings
        .iter()
        .map(|w| {
            let text = warning_text(inputs, cap, w);
            match w {
                CapacityWarning::NearlyFull { site, utilisation } => json!({
                    "kind": "nearly_full", "site": inputs.site(*site).id, "utilisation": r6(*utilisation), "text": text,
                }),
                CapacityWarning::Split { zones } => json!({
                    "kind": "split", "zones": zones.iter().map(|&z| inputs.zone(z).id.as_str()).collect::<Vec<_>>(), "text": text,
                }),
                _ => json!({ "kind": "other", "text": text }),
            }
        })
        .collect();
    let reasons: Vec<Value> = cap
        .reasons
        .iter()
        .map(|(s, text)| json!({ "site": inputs.site(*s).id, "text": text }))
        .collect();
    Some(json!({
        "assignment": cap.assignment.name(),
        "full_share": cap.full_share,
        "need_unplaced": r6(cap.need_unplaced),
        "sites": sites,
        "placed": placed,
        "warnings": warnings,
        "reasons": reasons,
    }))
}

/// Extra sites.csv columns under demand capacity.
pub(crate) const SITE_HEAD: [&str; 5] = [
    "max_users",
    "users_before",
    "users_after",
    "utilisation_before",
    "utilisation_after",
];

/// The extra sites.csv cells of site `j` (empty without demand capacity).
pub(crate) fn site_cells(plan: &Plan, j: usize) -> Vec<String> {
    let Some(l) = plan.capacity.as_ref().and_then(|c| c.sites.get(j)) else {
        return Vec::new();
    };
    vec![
        cell(l.max_users),
        cell(Some(l.users_before)),
        cell(Some(l.users_after)),
        cell(l.utilisation_before()),
        cell(l.utilisation_after()),
    ]
}

/// The `capacity` block of a co-location plan.json (demand capacity per
/// building and service, docs/FORMATS.md); `None` without `max_users_<service>`.
pub(crate) fn service_capacity_json(inputs: &Inputs, plan: &hubplan::colocate::ServicePlan) -> Option<Value> {
    use hubplan::explain::services_capacity::{capacity_reasons, warning_text, warnings, ServiceCapacityWarning};
    let cap = plan.capacity.as_ref()?;
    let svc = |s: hubplan::ServiceIdx| inputs.services[s.index()].id.as_str();
    let services: Vec<Value> = cap
        .services
        .iter()
        .map(|u| {
            let sites: Vec<Value> = u
                .sites
                .iter()
                .map(|l| {
                    json!({
                        "id": inputs.site(l.site).id,
                        "max_users": l.max_users.map(r6),
                        "users_before": r6(l.users_before),
                        "users_before_source": if l.before_given { "users_today" } else { "modelled" },
                        "users_after": r6(l.users_after),
                        "utilisation_before": l.utilisation_before().map(r6),
                        "utilisation_after": l.utilisation_after().map(r6),
                    })
                })
                .collect();
            let placed = placed_json(inputs, &u.zones);
            json!({
                "service": svc(u.service),
                "sites": sites,
                "placed": placed,
                "kept_for_capacity": u.kept.iter().map(|k| json!({
                    "site": inputs.site(k.site).id,
                    "zones": k.zones.iter().map(|&z| inputs.zone(z).id.as_str()).collect::<Vec<_>>(),
                    "full_sites": k.full_sites.iter().map(|&j| inputs.site(j).id.as_str()).collect::<Vec<_>>(),
                    "missing_users": r6(k.missing),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let warns: Vec<Value> = warnings(cap)
        .iter()
        .map(|w| {
            let text = warning_text(inputs, cap, w);
            match w {
                ServiceCapacityWarning::NearlyFull {
                    service,
                    site,
                    utilisation,
                } => json!({
                    "kind": "nearly_full", "service": svc(*service), "site": inputs.site(*site).id,
                    "utilisation": r6(*utilisation), "text": text,
                }),
                ServiceCapacityWarning::Split { service, zones } => json!({
                    "kind": "split", "service": svc(*service),
                    "zones": zones.iter().map(|&z| inputs.zone(z).id.as_str()).collect::<Vec<_>>(), "text": text,
                }),
                _ => json!({ "kind": "other", "text": text }),
            }
        })
        .collect();
    let reasons: Vec<Value> = capacity_reasons(inputs, plan)
        .into_iter()
        .map(|(j, s, text)| json!({ "site": inputs.site(j).id, "service": svc(s), "text": text }))
        .collect();
    Some(json!({
        "assignment": cap.assignment.name(),
        "full_share": hubplan::colocate_capacity::FULL_WARNING,
        "services": services,
        "warnings": warns,
        "reasons": reasons,
    }))
}

/// Extra sites.csv columns of a co-location plan with demand capacity: per
/// capacitated service `max_users_<s>`, `users_before_<s>`, `users_after_<s>`,
/// `utilisation_before_<s>`, `utilisation_after_<s>`.
pub(crate) fn service_site_head(inputs: &Inputs, plan: &hubplan::colocate::ServicePlan) -> Vec<String> {
    let Some(cap) = plan.capacity.as_ref() else {
        return Vec::new();
    };
    cap.services
        .iter()
        .flat_map(|u| {
            let id = &inputs.services[u.service.index()].id;
            SITE_HEAD.iter().map(move |h| format!("{h}_{id}"))
        })
        .collect()
}

/// The extra sites.csv cells of site `j` for [`service_site_head`].
pub(crate) fn service_site_cells(plan: &hubplan::colocate::ServicePlan, j: usize) -> Vec<String> {
    let Some(cap) = plan.capacity.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for u in &cap.services {
        match u.site(hubplan::SiteIdx(j as u32)) {
            Some(l) => out.extend([
                cell(l.max_users),
                cell(Some(l.users_before)),
                cell(Some(l.users_after)),
                cell(l.utilisation_before()),
                cell(l.utilisation_after()),
            ]),
            None => out.extend(std::iter::repeat_n(String::new(), SITE_HEAD.len())),
        }
    }
    out
}
