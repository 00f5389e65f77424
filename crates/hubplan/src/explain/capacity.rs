//! Sentences for demand capacity (issue 21): why a building is kept for
//! capacity, where a closure sends its users, warnings, and infeasibility in
//! capacity terms.

use crate::capacity::ClosureProbe;
use crate::ids::{SiteIdx, ZoneIdx};
use crate::model::Inputs;
use crate::plan::{CapacityReport, CapacityWarning, Decision, Plan};
use crate::scenario::Scenario;

use super::{count, id_list};

/// A share as a whole percentage ("64%").
pub fn whole_pct(x: f64) -> String {
    format!("{:.0}%", (x * 100.0).round())
}

fn zone_list(inputs: &Inputs, zones: &[ZoneIdx]) -> String {
    id_list(zones.iter().map(|&z| inputs.zone(z).id.as_str()))
}

/// "A", "A and B", "A, B and C", "A, B, C, D, E and 3 more".
fn and_list(ids: &[&str]) -> String {
    const SHOWN: usize = 5;
    match ids.len() {
        0 => String::new(),
        1 => ids[0].to_string(),
        n if n <= SHOWN => format!("{} and {}", ids[..n - 1].join(", "), ids[n - 1]),
        n => format!("{} and {} more", ids[..SHOWN].join(", "), n - SHOWN),
    }
}

fn site_list(inputs: &Inputs, sites: &[SiteIdx]) -> String {
    id_list(sites.iter().map(|&s| inputs.site(s).id.as_str()))
}

/// The sentence for [`crate::plan::Blocker::Capacity`].
pub fn blocker_text(inputs: &Inputs, zones: &[ZoneIdx], full_sites: &[SiteIdx], missing: f64) -> String {
    if zones.is_empty() {
        return "Every zone's need fits into the buildings with every building open, and the other rules \
                hold without capacity, but not together: capacity with the budget or the site count leaves \
                no plan."
            .to_string();
    }
    let full = if full_sites.is_empty() {
        String::new()
    } else {
        format!(
            " The buildings within their reach are full: {}.",
            site_list(inputs, full_sites)
        )
    };
    format!(
        "Even with every building open, {} users cannot be placed within their limit: {} {} cannot all \
         be served.{full} Capacity is missing near {}.",
        count(missing),
        if zones.len() == 1 { "zone" } else { "zones" },
        zone_list(inputs, zones),
        zone_list(inputs, zones)
    )
}

/// The sentence for a capacity warning.
pub fn warning_text(inputs: &Inputs, cap: &CapacityReport, w: &CapacityWarning) -> String {
    match w {
        CapacityWarning::NearlyFull { site, utilisation } => {
            let l = &cap.sites[site.index()];
            format!(
                "{} would be {} full ({} of {} users; {} today): above {} of its capacity.",
                inputs.site(*site).id,
                whole_pct(*utilisation),
                count(l.users_after),
                count(l.max_users.unwrap_or(0.0)),
                l.utilisation_before().map_or("n/a".to_string(), whole_pct),
                whole_pct(cap.full_share)
            )
        }
        CapacityWarning::Split { zones } => format!(
            "The plan shares {} {} between two or more buildings (capacity.assignment = \"split\"); \
             where families would really go to one place, plan with assignment = \"single\": {}.",
            zones.len(),
            if zones.len() == 1 { "zone" } else { "zones" },
            zone_list(inputs, zones)
        ),
        #[allow(unreachable_patterns)]
        _ => format!("{w:?}"),
    }
}

/// Capacity reasons per site, in site order: for a kept or opened building
/// whose closure would leave users without room, "kept because without it,
/// zones X and Y would exceed Z's capacity by N users"; for a closed building,
/// "closure sends N users to B (B at 64% → 91%)" for each building that
/// receives its users (largest first).
///
/// Complexity: one max-flow per open building ([`ClosureProbe`]), and a
/// min-cost flow only for the buildings whose closure leaves users without room.
/// The plan computes this once ([`crate::plan::CapacityReport::reasons`]); read it there.
pub fn site_reasons(inputs: &Inputs, sc: &Scenario, plan: &Plan) -> Vec<(SiteIdx, String)> {
    let Some(cap) = plan.capacity.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let probe = ClosureProbe::new(inputs, sc);
    for (j, sp) in plan.sites.iter().enumerate() {
        let s = SiteIdx::from_index(j);
        match sp.decision {
            Decision::Keep | Decision::Open => {
                if sc.keep.contains(&s) {
                    continue;
                }
                if let Some((n, short, full)) = probe.shortfall_without(&plan.open, s) {
                    // The zones it serves are the ones that would have to move.
                    let mut zones: Vec<ZoneIdx> = (0..cap.placed.len())
                        .filter(|&z| cap.placed[z].iter().any(|p| p.0 == s))
                        .map(ZoneIdx::from_index)
                        .collect();
                    if zones.is_empty() {
                        zones = short;
                    }
                    let z = if full.is_empty() {
                        "the other buildings'".to_string()
                    } else {
                        format!(
                            "{}'s",
                            and_list(&full.iter().map(|&f| inputs.site(f).id.as_str()).collect::<Vec<_>>())
                        )
                    };
                    out.push((
                        s,
                        format!(
                            "{} because without it, {} {} would exceed {z} capacity by {} users",
                            if sp.decision == Decision::Keep {
                                "kept"
                            } else {
                                "opened"
                            },
                            if zones.len() == 1 { "zone" } else { "zones" },
                            and_list(&zones.iter().map(|&z| inputs.zone(z).id.as_str()).collect::<Vec<_>>()),
                            count(n)
                        ),
                    ));
                }
            }
            Decision::Close => {
                // Users of the zones whose nearest existing building this was: where do they go?
                let mut to: Vec<(SiteIdx, f64)> = Vec::new();
                for (zi, zp) in plan.zones.iter().enumerate() {
                    if zp.before.map(|b| b.0) != Some(s) {
                        continue;
                    }
                    for &(r, u) in &cap.placed[zi] {
                        match to.iter_mut().find(|p| p.0 == r) {
                            Some(p) => p.1 += u,
                            None => to.push((r, u)),
                        }
                    }
                }
                to.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let parts: Vec<String> = to
                    .iter()
                    .filter(|p| p.1 > 0.0)
                    .map(|&(r, u)| {
                        let l = &cap.sites[r.index()];
                        let id = &inputs.site(r).id;
                        match (l.utilisation_before(), l.utilisation_after()) {
                            (Some(b), Some(a)) => format!(
                                "{} users to {id} ({id} at {} → {})",
                                count(u),
                                whole_pct(b),
                                whole_pct(a)
                            ),
                            _ => format!("{} users to {id} (no capacity limit)", count(u)),
                        }
                    })
                    .collect();
                if !parts.is_empty() {
                    out.push((s, format!("closure sends {}", parts.join("; "))));
                }
            }
            Decision::Unused => {}
        }
    }
    out
}

/// The demand-capacity lines of the printed summary (empty without capacity):
/// the assignment rule, the fullest buildings before and after, each warning,
/// and up to `max_reasons` capacity reasons.
pub fn summary_lines(inputs: &Inputs, plan: &Plan, max_reasons: usize) -> Vec<String> {
    let Some(cap) = plan.capacity.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let limited: Vec<usize> = (0..cap.sites.len())
        .filter(|&j| cap.sites[j].max_users.is_some())
        .collect();
    let mut open: Vec<usize> = limited.iter().copied().filter(|&j| plan.open[j]).collect();
    open.sort_by(|&a, &b| {
        let ua = cap.sites[a].utilisation_after().unwrap_or(0.0);
        let ub = cap.sites[b].utilisation_after().unwrap_or(0.0);
        ub.total_cmp(&ua).then(a.cmp(&b))
    });
    let fullest: Vec<String> = open
        .iter()
        .take(3)
        .map(|&j| {
            let l = &cap.sites[j];
            format!(
                "{} {} → {}",
                inputs.sites[j].id,
                l.utilisation_before().map_or("n/a".to_string(), whole_pct),
                l.utilisation_after().map_or("n/a".to_string(), whole_pct)
            )
        })
        .collect();
    out.push(format!(
        "capacity ({} assignment): {} of {} buildings have a max_users; fullest after the plan (today → after): {}",
        cap.assignment.name(),
        limited.len(),
        cap.sites.len(),
        if fullest.is_empty() {
            "none".to_string()
        } else {
            fullest.join(", ")
        }
    ));
    if cap.need_unplaced > 0.0 {
        out.push(format!(
            "need within reach that does not fit: {} users",
            count(cap.need_unplaced)
        ));
    }
    for w in &cap.warnings {
        out.push(format!("warning: {}", warning_text(inputs, cap, w)));
    }
    for (s, text) in cap.reasons.iter().take(max_reasons) {
        out.push(format!("{}: {text}", inputs.site(*s).id));
    }
    out
}
