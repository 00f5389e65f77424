//! What-if tables: `sweep.csv`, `sweep_sites.csv` and `alternatives.csv` (formats in
//! docs/FORMATS.md).

use hubplan::explain::Forcing;
use hubplan::model::{Inputs, SiteStatus};
use hubplan::whatif::{Alternative, SweepResult};
use hubplan::{Decision, Plan, PlanStatus};

use crate::error::Result;
use crate::output::csv_bytes;

/// A number rounded to 2 decimals, `0` for zero, empty when not finite.
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

/// A share with 6 decimals, empty when not finite.
fn share(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.6}")
    } else {
        String::new()
    }
}

const SWEEP_HEADER: [&str; 19] = [
    "kind",
    "value",
    "objective",
    "status",
    "objective_value",
    "gap",
    "sites_open",
    "annual_cost",
    "annual_saving",
    "backlog_removed",
    "need_covered",
    "need_total",
    "share_covered",
    "share_covered_before",
    "mean_minutes",
    "worse_off_zones",
    "worse_off_need",
    "closed_sites",
    "error",
];

/// The most characters a spreadsheet cell holds: Excel cuts a longer CSV cell (and
/// LibreOffice refuses it), so no what-if table writes one.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Ids joined by `;` while they fit in one spreadsheet cell ([`MAX_CELL_CHARS`]),
/// else `instead(how many)`: a count and where to find them.
fn ids_cell<S: AsRef<str>>(ids: &[S], instead: impl FnOnce(usize) -> String) -> String {
    let joined = ids.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(";");
    if joined.chars().count() <= MAX_CELL_CHARS {
        joined
    } else {
        instead(ids.len())
    }
}

/// `sweep.csv`'s `closed_sites` cell: the closed buildings' ids, or, when they would
/// not fit in one spreadsheet cell, how many there are and where they are listed
/// (`sweep_sites.csv`, one row a building).
fn closed_cell(closed: &[&str]) -> String {
    ids_cell(closed, |n| {
        format!("{n} buildings closed: too many ids for one spreadsheet cell; see sweep_sites.csv")
    })
}

/// `alternatives.csv`'s `differs_from_optimum` cell: `id:decision` of each building
/// that differs, or, when they would not fit in one spreadsheet cell, how many.
fn differs_cell(differs: &[String]) -> String {
    ids_cell(differs, |n| {
        format!(
            "{n} buildings differ: too many ids for one spreadsheet cell; plan the scenario with \
             found_by's building in limits.keep or limits.close to see them"
        )
    })
}

/// A free-text cell cut to fit one spreadsheet cell ([`MAX_CELL_CHARS`]), saying so.
fn fit_cell(text: String) -> String {
    if text.chars().count() <= MAX_CELL_CHARS {
        return text;
    }
    let note = " … (cut: longer than a spreadsheet cell holds)";
    let mut out: String = text.chars().take(MAX_CELL_CHARS - note.chars().count()).collect();
    out.push_str(note);
    out
}

/// What a site's decision is at a sweep point with a plan: kept or closed (existing),
/// opened or not (candidate).
fn decision(status: SiteStatus, open: bool) -> Decision {
    match (status, open) {
        (SiteStatus::Existing, true) => Decision::Keep,
        (SiteStatus::Existing, false) => Decision::Close,
        (SiteStatus::Candidate, true) => Decision::Open,
        (SiteStatus::Candidate, false) => Decision::Unused,
    }
}

/// `sweep.csv`: one row per sweep point, in the order given. The closed buildings'
/// ids are in one cell while they fit in a spreadsheet cell; [`sweep_sites_csv`] has
/// every building's decision at every point, one row each.
pub fn sweep_csv(inputs: &Inputs, results: &[SweepResult]) -> Result<Vec<u8>> {
    let rows = results.iter().map(|r| {
        let closed: Vec<&str> = r
            .open
            .iter()
            .zip(&inputs.sites)
            .filter(|(o, site)| !**o && site.status == SiteStatus::Existing)
            .map(|(_, site)| site.id.as_str())
            .collect();
        vec![
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
            closed_cell(&closed),
            fit_cell(r.error.clone().unwrap_or_default()),
        ]
    });
    csv_bytes(&SWEEP_HEADER, rows)
}

const SWEEP_SITES_HEADER: [&str; 8] = [
    "point", "kind", "value", "site_id", "name", "district", "status", "decision",
];

/// `sweep_sites.csv`: every building's decision at every sweep point that has a plan,
/// one row per (point, building): the point's number (its row in `sweep.csv`, from
/// 1), kind and value, then the building (in sites-file order) and its decision. A
/// point without a plan has no rows.
pub fn sweep_sites_csv(inputs: &Inputs, results: &[SweepResult]) -> Result<Vec<u8>> {
    let rows = results.iter().enumerate().flat_map(|(k, r)| {
        let (point, kind, value) = ((k + 1).to_string(), r.point.kind().to_string(), num(r.point.value()));
        r.open.iter().zip(&inputs.sites).map(move |(&open, site)| {
            vec![
                point.clone(),
                kind.clone(),
                value.clone(),
                site.id.clone(),
                site.name.clone(),
                site.district.clone(),
                match site.status {
                    SiteStatus::Existing => "existing",
                    SiteStatus::Candidate => "candidate",
                }
                .to_string(),
                decision(site.status, open).name().to_string(),
            ]
        })
    });
    csv_bytes(&SWEEP_SITES_HEADER, rows)
}

const ALTERNATIVES_HEADER: [&str; 12] = [
    "rank",
    "objective_value",
    "worse_by_pct",
    "status",
    "sites_open",
    "annual_cost",
    "annual_saving",
    "need_covered",
    "share_covered",
    "mean_minutes",
    "found_by",
    "differs_from_optimum",
];

/// `alternatives.csv`: the optimum (rank 0), then each near-optimal alternative.
pub fn alternatives_csv(inputs: &Inputs, best: &Plan, alts: &[Alternative]) -> Result<Vec<u8>> {
    let row = |rank: usize, p: &Plan, worse: f64, found: String, differs: String| {
        let t = &p.totals;
        vec![
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
    };
    let mut rows = vec![row(0, best, 0.0, "optimum".into(), String::new())];
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
                Forcing::Open => "open",
                Forcing::Closed => "closed",
            }
        );
        rows.push(row(i + 1, &a.plan, a.worse_by, found, differs_cell(&differs)));
    }
    csv_bytes(&ALTERNATIVES_HEADER, rows.into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed buildings' ids stay in `closed_sites` up to exactly one spreadsheet
    /// cell (32,767 characters, counted as characters, not bytes); one more and the
    /// cell says how many there are and where they are listed.
    #[test]
    fn closed_ids_stay_in_the_cell_while_they_fit() {
        // 4,095 ids of 7 characters and 4,094 separators: 32,759 characters.
        let ids: Vec<String> = (0..4095).map(|k| format!("S{k:06}")).collect();
        let mut refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(closed_cell(&refs), refs.join(";"));
        refs.push("é-1234567");
        // 32,759 + 1 + 9 = 32,769 characters (32,770 bytes): too long.
        assert_eq!(
            closed_cell(&refs),
            "4096 buildings closed: too many ids for one spreadsheet cell; see sweep_sites.csv"
        );
        refs.pop();
        refs.push("é-12345");
        // 32,767 characters exactly (32,768 bytes): fits.
        assert_eq!(closed_cell(&refs).chars().count(), MAX_CELL_CHARS);
        assert!(closed_cell(&refs).ends_with(";é-12345"));
        assert_eq!(closed_cell(&[]), "");
    }

    /// An alternative that differs from the optimum at thousands of buildings (a
    /// national estate) gives a count, not a cell a spreadsheet would cut.
    #[test]
    fn differing_buildings_stay_in_the_cell_while_they_fit() {
        let few = vec!["112-LIB-02:keep".to_string(), "112-HLT-03:close".to_string()];
        assert_eq!(differs_cell(&few), "112-LIB-02:keep;112-HLT-03:close");
        let many: Vec<String> = (0..3000).map(|k| format!("BUILDING-{k:06}:close")).collect();
        let cell = differs_cell(&many);
        assert!(
            cell.starts_with("3000 buildings differ: too many ids for one spreadsheet cell; plan the scenario"),
            "{cell}"
        );
    }

    #[test]
    fn a_long_error_is_cut_to_one_cell_and_says_so() {
        assert_eq!(
            fit_cell("budget below the forced keeps".into()),
            "budget below the forced keeps"
        );
        let long = "é".repeat(40_000);
        let cut = fit_cell(long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(cut.starts_with("éé") && cut.ends_with("(cut: longer than a spreadsheet cell holds)"));
    }
}
