//! Places: points outside British National Grid's area, at (0, 0), far from every
//! other point; zones and sites that cover different areas; a site outside the area
//! the zones cover (with a hint when its easting and northing look swapped).

use hubplan::geo::{bng_to_wgs84, haversine_m, wgs84_to_bng, LonLat, EARTH_RADIUS_M};
use hubplan_io::LoadedScenario;
use rstar::primitives::GeomWithData;
use rstar::RTree;

use crate::{codes, file_label, notice, num, Notice};

/// EPSG:27700's area of use (west, south, east, north), degrees: Great Britain
/// onshore and the UK continental shelf.
pub(crate) const BNG_AREA: (f64, f64, f64, f64) = (-9.01, 49.75, 2.01, 61.01);

/// A point farther than this from its nearest neighbour is an outlier, or
/// [`OUTLIER_FACTOR`] times the 90th percentile of nearest-neighbour distances if larger.
pub(crate) const OUTLIER_MIN_KM: f64 = 25.0;
/// See [`OUTLIER_MIN_KM`].
pub(crate) const OUTLIER_FACTOR: f64 = 10.0;
/// A site farther than this from every zone counts as apart from the zones.
pub(crate) const APART_KM: f64 = 25.0;
/// A site farther from every zone than [`SITE_FAR_FACTOR`] times the zones' spacing (the
/// 90th percentile of each zone's distance to its nearest zone), and at least this far, lies
/// outside the area the zones cover (`site_far_from_zones`).
pub(crate) const SITE_FAR_MIN_KM: f64 = 5.0;
/// See [`SITE_FAR_MIN_KM`].
pub(crate) const SITE_FAR_FACTOR: f64 = 4.0;

/// A point on the unit sphere scaled to the Earth's radius: straight-line (chord)
/// distances in this space order points as great-circle distances do.
pub(crate) fn xyz(p: LonLat) -> [f64; 3] {
    let (lo, la) = (p.lon.to_radians(), p.lat.to_radians());
    [
        EARTH_RADIUS_M * la.cos() * lo.cos(),
        EARTH_RADIUS_M * la.cos() * lo.sin(),
        EARTH_RADIUS_M * la.sin(),
    ]
}

/// An R*-tree of points, each with its index.
pub(crate) fn tree(points: &[LonLat]) -> RTree<GeomWithData<[f64; 3], usize>> {
    RTree::bulk_load(
        points
            .iter()
            .enumerate()
            .map(|(i, &p)| GeomWithData::new(xyz(p), i))
            .collect(),
    )
}

pub(crate) fn in_bng_area(p: LonLat) -> bool {
    let (w, s, e, n) = BNG_AREA;
    (w..=e).contains(&p.lon) && (s..=n).contains(&p.lat)
}

pub(crate) fn at_null_island(p: LonLat) -> bool {
    p.lon.abs() < 1e-6 && p.lat.abs() < 1e-6
}

fn pos_text(p: LonLat) -> String {
    format!("lon {:.6}, lat {:.6}", p.lon, p.lat)
}

struct Place {
    pos: LonLat,
    file: String,
    row: Option<u64>,
    what: String,
    /// The site's index, for a site.
    site: Option<usize>,
}

pub(crate) fn check(loaded: &LoadedScenario, out: &mut Vec<Notice>) {
    let inp = &loaded.inputs_without_travel;
    let sites_file = file_label(loaded, &loaded.rows.sites_file);
    let zones_file = file_label(loaded, &loaded.rows.zones_file);
    let mut places = Vec::new();
    for (i, s) in inp.sites.iter().enumerate() {
        places.push(Place {
            pos: s.pos,
            file: sites_file.clone(),
            row: loaded.rows.sites.get(i).copied(),
            what: format!("site {:?}", s.id),
            site: Some(i),
        });
    }
    for (i, z) in inp.zones.iter().enumerate() {
        places.push(Place {
            pos: z.pos,
            file: zones_file.clone(),
            row: loaded.rows.zones.get(i).copied(),
            what: format!("zone {:?}", z.id),
            site: None,
        });
    }
    // Points at (0, 0) or outside the grid's area; the rest go on to the outlier rule.
    let mut good = Vec::new();
    // Sites already flagged (here or by the outlier rule): not flagged again below.
    let mut flagged_site = vec![false; inp.sites.len()];
    for p in &places {
        let n = if at_null_island(p.pos) {
            notice(
                codes::POINT_AT_NULL_ISLAND,
                format!(
                    "{} is at (0, 0) in the Gulf of Guinea: a missing position written as zeros; give its real position",
                    p.what
                ),
            )
        } else if !in_bng_area(p.pos) {
            notice(
                codes::POINT_OUTSIDE_CRS_AREA,
                format!(
                    "{} is at {}, outside the area of British National Grid (lon {} to {}, lat {} to {}), where hubplan plans; check its geocoding",
                    p.what,
                    pos_text(p.pos),
                    BNG_AREA.0,
                    BNG_AREA.2,
                    BNG_AREA.1,
                    BNG_AREA.3
                ),
            )
        } else {
            good.push(p);
            continue;
        };
        if let Some(i) = p.site {
            flagged_site[i] = true;
        }
        out.push(n.file(&p.file).row_opt(p.row).field("position").value(pos_text(p.pos)));
    }
    if good.len() >= 3 {
        let pts: Vec<LonLat> = good.iter().map(|p| p.pos).collect();
        let t = tree(&pts);
        let nn: Vec<f64> = pts
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                t.nearest_neighbor_iter(&xyz(p))
                    .find(|e| e.data != i)
                    .map_or(0.0, |e| haversine_m(p, pts[e.data]) / 1000.0)
            })
            .collect();
        let mut sorted = nn.clone();
        sorted.sort_by(f64::total_cmp);
        let p90 = sorted[(sorted.len() * 9 / 10).min(sorted.len() - 1)];
        let threshold = OUTLIER_MIN_KM.max(OUTLIER_FACTOR * p90);
        for (p, &d) in good.iter().zip(&nn) {
            if d > threshold {
                if let Some(i) = p.site {
                    flagged_site[i] = true;
                }
                out.push(
                    notice(
                        codes::POINT_FAR_FROM_OTHERS,
                        format!(
                            "{} is {} km from the nearest other zone or site, while 90% of points are within {} km of one (threshold {} km); check its position",
                            p.what,
                            num(d.round()),
                            num(p90),
                            num(threshold.round())
                        ),
                    )
                    .file(&p.file)
                    .row_opt(p.row)
                    .field("position")
                    .value(pos_text(p.pos)),
                );
            }
        }
    }
    // Zones and sites apart: most sites are far from every zone.
    let zpts: Vec<LonLat> = inp.zones.iter().map(|z| z.pos).filter(|&p| in_bng_area(p)).collect();
    let spts: Vec<(usize, LonLat)> = inp
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.pos))
        .filter(|&(_, p)| in_bng_area(p))
        .collect();
    let mut apart = false;
    if !zpts.is_empty() && spts.len() >= 2 {
        let t = tree(&zpts);
        let mut far: Vec<(String, f64)> = Vec::new();
        for &(i, p) in &spts {
            let d = t
                .nearest_neighbor(&xyz(p))
                .map_or(f64::INFINITY, |e| haversine_m(p, zpts[e.data]) / 1000.0);
            if d > APART_KM {
                far.push((inp.sites[i].id.clone(), d));
            }
        }
        apart = far.len() * 2 > spts.len();
        if apart {
            far.sort_by(|a, b| a.0.cmp(&b.0));
            let ex: Vec<String> = far
                .iter()
                .map(|(id, d)| format!("{id} ({} km)", num(d.round())))
                .collect();
            out.push(
                notice(
                    codes::ZONES_AND_SITES_APART,
                    format!(
                        "{} of {} sites are more than {APART_KM} km from every zone ({}): the sites and zones files seem to cover different areas",
                        far.len(),
                        spts.len(),
                        crate::examples(&ex, 5)
                    ),
                )
                .file(&sites_file),
            );
        }
    }
    // A site outside the area the zones cover (not when the two files cover different
    // areas, said once above, nor for a site already flagged).
    if !apart {
        site_far_from_zones(loaded, &sites_file, &zpts, &flagged_site, out);
    }
}

/// `site_far_from_zones`: a site farther from every zone than `max(SITE_FAR_MIN_KM,
/// SITE_FAR_FACTOR × p90)`, where p90 is the 90th percentile of the zones' nearest-zone
/// distances, with a hint when exchanging its easting and northing brings it within that
/// distance of a zone (a swapped pair moves a site tens of km, often still in the county):
/// only for a site given in easting/northing, not for one given in lon/lat.
fn site_far_from_zones(
    loaded: &LoadedScenario,
    sites_file: &str,
    zpts: &[LonLat],
    flagged_site: &[bool],
    out: &mut Vec<Notice>,
) {
    let inp = &loaded.inputs_without_travel;
    if zpts.len() < 3 {
        return;
    }
    let t = tree(zpts);
    let mut spacing: Vec<f64> = zpts
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            t.nearest_neighbor_iter(&xyz(p))
                .find(|e| e.data != i)
                .map_or(0.0, |e| haversine_m(p, zpts[e.data]) / 1000.0)
        })
        .collect();
    spacing.sort_by(f64::total_cmp);
    let p90 = spacing[(spacing.len() * 9 / 10).min(spacing.len() - 1)];
    let threshold = SITE_FAR_MIN_KM.max(SITE_FAR_FACTOR * p90);
    // (km to the nearest zone, that zone's index)
    let nearest = |p: LonLat| {
        t.nearest_neighbor(&xyz(p))
            .map(|e| (haversine_m(p, zpts[e.data]) / 1000.0, e.data))
    };
    let zone_ids: Vec<&str> = inp
        .zones
        .iter()
        .filter(|z| in_bng_area(z.pos))
        .map(|z| z.id.as_str())
        .collect();
    for (i, s) in inp.sites.iter().enumerate() {
        if flagged_site.get(i).copied().unwrap_or(true) || !in_bng_area(s.pos) || at_null_island(s.pos) {
            continue;
        }
        let Some((d, z)) = nearest(s.pos) else { continue };
        if d <= threshold {
            continue;
        }
        // The swap hint only for a position given as easting/northing: a lon/lat row's
        // "easting and northing" are not what its author typed, and exchanging its lon
        // and lat never lands in Britain (the loader refuses such a row, which lies in
        // the Indian Ocean), so such a row gets no hint.
        let bng = loaded.rows.sites_bng.get(i).copied().unwrap_or(false);
        let (e, n) = wgs84_to_bng(s.pos);
        let swapped = bng_to_wgs84(n, e);
        let hint = match nearest(swapped) {
            Some((ds, zs)) if bng && swapped.is_valid() && in_bng_area(swapped) && ds <= threshold => format!(
                "; its easting and northing look swapped: easting {e:.0}, northing {n:.0} exchanged would put it \
                 {} km from zone {:?}, inside the zones' area",
                num((ds * 10.0).round() / 10.0),
                zone_ids.get(zs).copied().unwrap_or("")
            ),
            _ => String::new(),
        };
        out.push(
            notice(
                codes::SITE_FAR_FROM_ZONES,
                format!(
                    "site {:?} is {} km from the nearest zone ({:?}), outside the area the zones cover: their \
                     centres are within {} km of one another (90% of zones; threshold {} km); check its \
                     position{hint}",
                    s.id,
                    num(d.round()),
                    zone_ids.get(z).copied().unwrap_or(""),
                    num(p90),
                    num(threshold.round()),
                ),
            )
            .file(sites_file)
            .row_opt(loaded.rows.sites.get(i).copied())
            .field("position")
            .value(pos_text(s.pos)),
        );
    }
}
