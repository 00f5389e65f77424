//! Travel times: missing pairs, zones with nothing near, impossible times, units,
//! need out of reach.

use hubplan::geo::haversine_m;
use hubplan::travel::TravelTimes;
use hubplan::{SiteIdx, ZoneIdx};
use hubplan_io::LoadedScenario;

use crate::{codes, examples, file_label, notice, num, Notice};

/// Walking speed of the straight-line comparison, km/h.
pub(crate) const WALK_KMH: f64 = 4.8;
/// Faster than this on average over the straight line is impossible by public transport, km/h.
pub(crate) const MAX_PLAUSIBLE_KMH: f64 = 150.0;
/// Slower than the straight-line walk by this factor is implausible (a 60× would be seconds).
pub(crate) const MAX_SLOWER_THAN_WALK: f64 = 20.0;
/// Pairs closer than this are not compared with the walk (position noise dominates), metres.
pub(crate) const MIN_COMPARED_M: f64 = 1000.0;
/// Unreachable need above this share of all need is a warning.
pub(crate) const UNREACHABLE_SHARE: f64 = 0.05;

/// The access limit the checks use: the scenario's, else the largest service limit.
pub(crate) fn limit(loaded: &LoadedScenario) -> Option<f64> {
    let svc = loaded
        .inputs_without_travel
        .services
        .iter()
        .filter_map(|s| s.max_minutes)
        .fold(None, |a: Option<f64>, m| Some(a.map_or(m, |a| a.max(m))));
    loaded.scenario.max_minutes.or(svc)
}

pub(crate) fn check(loaded: &LoadedScenario, t: &TravelTimes, out: &mut Vec<Notice>) {
    let inp = &loaded.inputs_without_travel;
    let csv = !loaded.rows.travel_file.as_os_str().is_empty() && loaded.travel.is_some();
    let file = if csv {
        file_label(loaded, &loaded.rows.travel_file)
    } else {
        "travel times (from [transit])".to_string()
    };
    let (nz, ns) = (inp.zones.len(), inp.sites.len());
    if t.n_zones() != nz {
        return;
    }
    // Missing pairs of a supplied matrix.
    let all = nz * ns;
    if csv && t.n_pairs() < all {
        let missing = all - t.n_pairs();
        // The first pairs in id order (independent of the files' row order).
        let mut zones_by_id: Vec<usize> = (0..nz).collect();
        zones_by_id.sort_by(|&a, &b| inp.zones[a].id.cmp(&inp.zones[b].id));
        let mut sites_by_id: Vec<usize> = (0..ns).collect();
        sites_by_id.sort_by(|&a, &b| inp.sites[a].id.cmp(&inp.sites[b].id));
        let mut ex = Vec::new();
        'outer: for &zi in &zones_by_id {
            for &si in &sites_by_id {
                if t.get(ZoneIdx::from_index(zi), SiteIdx::from_index(si)).is_none() {
                    ex.push((inp.zones[zi].id.clone(), inp.sites[si].id.clone()));
                    if ex.len() >= 5 {
                        break 'outer;
                    }
                }
            }
        }
        let ex: Vec<String> = ex.iter().take(5).map(|(z, s)| format!("{z}→{s}")).collect();
        out.push(
            notice(
                codes::TRAVEL_PAIRS_MISSING,
                format!(
                    "{missing} of {all} zone-site pairs ({:.1}%) are not in the file and are read as unreachable (e.g. {}); fine for a matrix cut at a longest time, wrong if the file is incomplete",
                    100.0 * missing as f64 / all as f64,
                    ex.join(", ")
                ),
            )
            .file(&file)
            .value(format!("{missing} of {all}")),
        );
    }
    let lim = limit(loaded);
    let zone_row = |zi: usize| loaded.rows.zones.get(zi).copied();
    let zones_file = file_label(loaded, &loaded.rows.zones_file);
    let mut over_day = Vec::new();
    let (mut compared, mut implausible) = (0usize, 0usize);
    let (mut too_fast, mut too_slow) = (0usize, 0usize);
    let (mut need_total, mut need_out) = (0.0, 0.0);
    for (zi, z) in inp.zones.iter().enumerate() {
        let zid = ZoneIdx::from_index(zi);
        let mut best = f64::INFINITY;
        for (s, m) in t.row(zid) {
            best = best.min(m);
            if m > 1440.0 {
                over_day.push((z.id.clone(), inp.sites[s.index()].id.clone(), m));
            }
            let d = haversine_m(z.pos, inp.sites[s.index()].pos);
            if d >= MIN_COMPARED_M && m.is_finite() {
                compared += 1;
                let walk_min = d / 1000.0 / WALK_KMH * 60.0;
                let kmh = if m > 0.0 {
                    d / 1000.0 / (m / 60.0)
                } else {
                    f64::INFINITY
                };
                if kmh > MAX_PLAUSIBLE_KMH {
                    implausible += 1;
                    too_fast += 1;
                } else if m > MAX_SLOWER_THAN_WALK * walk_min {
                    implausible += 1;
                    too_slow += 1;
                }
            }
        }
        need_total += z.need;
        if let Some(l) = lim {
            if best > l {
                need_out += z.need;
            }
            if best > 2.0 * l {
                out.push(
                    notice(
                        codes::ZONE_NO_SITE_WITHIN_TWICE_LIMIT,
                        format!(
                            "zone {:?} has no site within {} minutes (twice the limit of {}) even with every site open{}; check its position and its rows of the matrix",
                            z.id,
                            num(2.0 * l),
                            num(l),
                            if best.is_finite() {
                                format!(": the nearest is {} minutes away", num(best))
                            } else {
                                ": it has no travel time to any site".to_string()
                            }
                        ),
                    )
                    .file(&zones_file)
                    .row_opt(zone_row(zi))
                    .field("id")
                    .value(z.id.clone()),
                );
            }
        }
    }
    over_day.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (z, s, m) in over_day {
        out.push(
            notice(
                codes::TRAVEL_TIME_OVER_24_HOURS,
                format!(
                    "zone {z:?} to site {s:?} takes {} minutes, more than a day: seconds written as minutes?",
                    num(m)
                ),
            )
            .file(&file)
            .field("minutes")
            .value(num(m)),
        );
    }
    if compared >= 10 && implausible * 2 > compared {
        let why = if too_fast >= too_slow {
            format!("faster than {MAX_PLAUSIBLE_KMH} km/h over the straight line: hours written as minutes?")
        } else {
            format!(
                "more than {MAX_SLOWER_THAN_WALK} times the straight-line walk at {WALK_KMH} km/h: seconds written as minutes?"
            )
        };
        out.push(
            notice(
                codes::TRAVEL_TIMES_UNLIKE_WALKING,
                format!(
                    "{implausible} of {compared} zone-site pairs at least 1 km apart ({:.0}%) are {why} The minutes column must be minutes",
                    100.0 * implausible as f64 / compared as f64
                ),
            )
            .file(&file)
            .field("minutes")
            .value(format!("{implausible} of {compared} pairs")),
        );
    }
    if let Some(l) = lim {
        if need_total > 0.0 && need_out >= need_total {
            // Every plan would serve nobody within the limit: refuse, rather
            // than plan on an empty matrix (closing every building).
            out.push(
                notice(
                    codes::NO_NEED_WITHIN_LIMIT,
                    format!(
                        "no zone with need has a site within {} minutes, even with every site open (all {} of need is beyond it): the travel times are missing, empty, or not in minutes",
                        num(l),
                        num(need_total)
                    ),
                )
                .file(&file)
                .field("minutes")
                .value("100%".to_string()),
            );
        } else if need_total > 0.0 && need_out / need_total > UNREACHABLE_SHARE {
            let mut ids: Vec<String> = inp
                .zones
                .iter()
                .enumerate()
                .filter(|&(zi, _)| t.row(ZoneIdx::from_index(zi)).all(|(_, m)| m > l))
                .map(|(_, z)| z.id.clone())
                .collect();
            ids.sort();
            out.push(
                notice(
                    codes::NEED_UNREACHABLE_SHARE,
                    format!(
                        "{:.1}% of need ({} of {}) is in zones with no site within {} minutes even with every site open ({}); the plan leaves them out of the access rule. Above {:.0}% this usually means missing travel times or a limit too tight",
                        100.0 * need_out / need_total,
                        num(need_out),
                        num(need_total),
                        num(l),
                        examples(&ids, 5),
                        100.0 * UNREACHABLE_SHARE
                    ),
                )
                .file(&file)
                .value(format!("{:.1}%", 100.0 * need_out / need_total)),
            );
        }
    }
}
