//! Zones: need and population, IMD deciles against ranks, zones at one point,
//! LSOA codes.

use hubplan::geo::haversine_m;
use hubplan_io::LoadedScenario;

use crate::places::{tree, xyz};
use crate::{codes, file_label, notice, num, Notice};

/// LSOAs in England in the English Indices of Deprivation 2019 (2011 LSOAs) and
/// 2025 (2021 LSOAs): a decile is accepted when it matches the rank under either.
pub(crate) const IMD_LSOAS: [f64; 2] = [32_844.0, 33_755.0];

/// LSOAs in Wales in the Welsh Index of Multiple Deprivation 2019 (2011 LSOAs) and
/// 2025 (2021 LSOAs): a Welsh LSOA's (`W01…`) rank is a WIMD rank, 1 = most deprived
/// in Wales, never an English IMD rank (the Newport audit, session 18).
pub(crate) const WIMD_LSOAS: [f64; 2] = [1_909.0, 1_917.0];

/// The decile of an IMD rank (1 = most deprived) among `n` areas.
pub(crate) fn decile_of_rank(rank: f64, n: f64) -> u8 {
    ((rank * 10.0 / n).ceil().clamp(1.0, 10.0)) as u8
}

/// `E01012345` / `W01001234`: an English or Welsh LSOA code.
pub(crate) fn looks_like_lsoa(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 9 && (b[0] == b'E' || b[0] == b'W') && &b[1..3] == b"01" && b[3..].iter().all(u8::is_ascii_digit)
}

fn attr(z: &hubplan::model::Zone, name: &str) -> Option<f64> {
    z.attributes
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, &v)| v)
}

pub(crate) fn check(loaded: &LoadedScenario, out: &mut Vec<Notice>) {
    let inp = &loaded.inputs_without_travel;
    let file = file_label(loaded, &loaded.rows.zones_file);
    let row = |i: usize| loaded.rows.zones.get(i).copied();
    let need_src = loaded.rows.need_source.as_str();
    let has_population = inp.zones.iter().any(|z| attr(z, "population").is_some());
    let from_population = need_src.eq_ignore_ascii_case("population");
    // Service need columns, checked against population too.
    let mut need_cols: Vec<&str> = inp.services.iter().filter_map(|s| s.need_column.as_deref()).collect();
    need_cols.sort_unstable();
    need_cols.dedup();
    need_cols.retain(|c| !c.eq_ignore_ascii_case("population") && !c.eq_ignore_ascii_case(need_src));
    for (i, z) in inp.zones.iter().enumerate() {
        let at = |n: Notice| n.file(&file).row_opt(row(i));
        if z.need == 0.0 {
            out.push(at(notice(
                codes::ZONE_NEED_ZERO,
                format!(
                    "zone {:?} has need 0 (column `{need_src}`): the access rule and the objectives ignore it; check that this is real",
                    z.id
                ),
            ))
            .field(need_src)
            .value("0"));
        }
        if has_population && !from_population {
            match attr(z, "population") {
                None => out.push(
                    at(notice(
                        codes::ZONE_POPULATION_MISSING,
                        format!(
                            "zone {:?} has an empty population cell while other zones have one; it is read as 0",
                            z.id
                        ),
                    ))
                    .field("population")
                    .value(""),
                ),
                Some(p) if p == 0.0 && z.need > 0.0 => out.push(
                    at(notice(
                        codes::ZONE_POPULATION_ZERO,
                        format!(
                            "zone {:?} has population 0 but need {}: one of the two is wrong",
                            z.id,
                            num(z.need)
                        ),
                    ))
                    .field("population")
                    .value("0"),
                ),
                Some(p) if p > 0.0 => {
                    let mut cols: Vec<(&str, f64)> = vec![(need_src, z.need)];
                    cols.extend(need_cols.iter().filter_map(|c| attr(z, c).map(|v| (*c, v))));
                    for (c, v) in cols {
                        if v > p {
                            out.push(
                                at(notice(
                                    codes::ZONE_NEED_ABOVE_POPULATION,
                                    format!(
                                        "zone {:?} has {c} {} above its population {}: need counts people of the zone, so it cannot exceed them",
                                        z.id,
                                        num(v),
                                        num(p)
                                    ),
                                ))
                                .field(c)
                                .value(num(v)),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        if let (Some(d), Some(rank)) = (z.imd_decile, attr(z, "imd_rank")) {
            let (counts, nation, index) = if looks_like_lsoa(&z.id) && z.id.starts_with('W') {
                (WIMD_LSOAS, "Wales'", "WIMD 2019")
            } else {
                (IMD_LSOAS, "England's", "IMD 2019")
            };
            let expected: Vec<u8> = counts.iter().map(|&n| decile_of_rank(rank, n)).collect();
            if !(1.0..=counts[1]).contains(&rank) || !expected.contains(&d) {
                out.push(
                    at(notice(
                        codes::IMD_DECILE_DISAGREES_WITH_RANK,
                        format!(
                            "zone {:?} has IMD decile {d} but imd_rank {}, which is decile {} of {nation} {} LSOAs ({index}); check both columns come from the same release",
                            z.id,
                            num(rank),
                            expected[0],
                            counts[0]
                        ),
                    ))
                    .field("imd_decile")
                    .value(d.to_string()),
                );
            }
        }
    }
    // Zones at one point (within 1 m).
    let pts: Vec<_> = inp.zones.iter().map(|z| z.pos).collect();
    if pts.len() >= 2 {
        let t = tree(&pts);
        for (i, &p) in pts.iter().enumerate() {
            let mut same: Vec<String> = t
                .locate_within_distance(xyz(p), 1.0)
                .filter(|e| e.data != i && haversine_m(p, pts[e.data]) <= 1.0)
                .map(|e| format!("{:?}", inp.zones[e.data].id))
                .collect();
            if same.is_empty() {
                continue;
            }
            same.sort();
            out.push(
                notice(
                    codes::ZONES_AT_SAME_POINT,
                    format!(
                        "zone {:?} is at the same point as zone {}: they get the same travel times; check their positions (a default or a district centroid?)",
                        inp.zones[i].id,
                        same.join(", ")
                    ),
                )
                .file(&file)
                .row_opt(row(i))
                .field("position")
                .value(format!("lon {:.6}, lat {:.6}", p.lon, p.lat)),
            );
        }
    }
    // LSOA codes: when most ids are LSOA codes, the others are suspect.
    let n_lsoa = inp.zones.iter().filter(|z| looks_like_lsoa(&z.id)).count();
    if n_lsoa * 2 >= inp.zones.len() && n_lsoa < inp.zones.len() {
        for (i, z) in inp.zones.iter().enumerate().filter(|(_, z)| !looks_like_lsoa(&z.id)) {
            out.push(
                notice(
                    codes::LSOA_CODE_MALFORMED,
                    format!(
                        "zone id {:?} does not look like an LSOA code (E01 or W01 and six digits), while {n_lsoa} of the {} zone ids do",
                        z.id,
                        inp.zones.len()
                    ),
                )
                .file(&file)
                .row_opt(row(i))
                .field("id")
                .value(z.id.clone()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_of_ranks_follow_the_imd_2019_cut_points() {
        // IMD 2019: decile 1 is ranks 1..=3284, decile 10 ends at 32844.
        assert_eq!(decile_of_rank(1.0, IMD_LSOAS[0]), 1);
        assert_eq!(decile_of_rank(3284.0, IMD_LSOAS[0]), 1);
        assert_eq!(decile_of_rank(3285.0, IMD_LSOAS[0]), 2);
        assert_eq!(decile_of_rank(9263.0, IMD_LSOAS[0]), 3);
        assert_eq!(decile_of_rank(32844.0, IMD_LSOAS[0]), 10);
        assert!(looks_like_lsoa("E01023972") && looks_like_lsoa("W01000001"));
        assert!(!looks_like_lsoa("E0102397") && !looks_like_lsoa("E02023972") && !looks_like_lsoa("Z1"));
    }
}
