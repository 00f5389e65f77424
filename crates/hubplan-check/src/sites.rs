//! Buildings: costs, capacities, candidates, cost outliers.

use hubplan::model::SiteStatus;
use hubplan_io::LoadedScenario;

use crate::{codes, file_label, median, notice, num, Notice};

/// A cost more than this many times the median (or less than the median over it) is an outlier.
pub(crate) const COST_OUTLIER_FACTOR: f64 = 100.0;

pub(crate) fn check(loaded: &LoadedScenario, out: &mut Vec<Notice>) {
    let inp = &loaded.inputs_without_travel;
    let file = file_label(loaded, &loaded.rows.sites_file);
    let row = |i: usize| loaded.rows.sites.get(i).copied();
    for (i, s) in inp.sites.iter().enumerate() {
        let at = |n: Notice| n.file(&file).row_opt(row(i));
        if s.status == SiteStatus::Existing && s.annual_cost == 0.0 {
            out.push(
                at(notice(
                    codes::SITE_WITHOUT_ANNUAL_COST,
                    format!(
                        "existing site {:?} has annual cost 0: closing it saves nothing, so a cost-minimising plan keeps it for free; give its running cost",
                        s.id
                    ),
                ))
                .field("annual_cost")
                .value("0"),
            );
        }
        if s.capacity == Some(0.0) {
            out.push(
                at(notice(
                    codes::SITE_CAPACITY_ZERO,
                    format!(
                        "site {:?} has capacity 0: it can host no service that takes space; leave the cell empty for unlimited",
                        s.id
                    ),
                ))
                .field("capacity")
                .value("0"),
            );
        }
        if s.status == SiteStatus::Candidate && s.open_cost == 0.0 {
            out.push(
                at(notice(
                    codes::CANDIDATE_WITHOUT_OPENING_COST,
                    format!(
                        "candidate site {:?} has opening cost 0: opening it looks free; give its one-off opening cost",
                        s.id
                    ),
                ))
                .field("open_cost")
                .value("0"),
            );
        }
    }
    // Cost outliers against the estate's median (positive costs only).
    type Get = fn(&hubplan::model::Site) -> Option<f64>;
    let fields: [(&str, Get); 2] = [
        ("annual_cost", |s| (s.annual_cost > 0.0).then_some(s.annual_cost)),
        ("open_cost", |s| {
            (s.status == SiteStatus::Candidate && s.open_cost > 0.0).then_some(s.open_cost)
        }),
    ];
    for (field, get) in fields {
        let vals: Vec<(usize, f64)> = inp
            .sites
            .iter()
            .enumerate()
            .filter_map(|(i, s)| get(s).map(|v| (i, v)))
            .collect();
        if vals.len() < 3 {
            continue;
        }
        let Some(m) = median(&vals.iter().map(|v| v.1).collect::<Vec<_>>()) else {
            continue;
        };
        for &(i, v) in &vals {
            let (hi, lo) = (v > COST_OUTLIER_FACTOR * m, v * COST_OUTLIER_FACTOR < m);
            if hi || lo {
                out.push(
                    notice(
                        codes::SITE_COST_OUTLIER,
                        format!(
                            "site {:?} has {field} {}, {} times the median of {} sites ({}); check the units (pounds, thousands?) and the digits",
                            inp.sites[i].id,
                            num(v),
                            if hi { num((v / m).round()) } else { format!("1/{}", num((m / v).round())) },
                            vals.len(),
                            num(m)
                        ),
                    )
                    .file(&file)
                    .row_opt(row(i))
                    .field(field)
                    .value(num(v)),
                );
            }
        }
    }
}
