//! The feasibility study: services, demand, need, access, priority areas and the
//! equality picture of an area **before** anything is decided (`hubplan study`).
//!
//! Pure: values in, values out. The method is documented in `docs/STUDY.md`; in
//! short:
//!
//! * **Services map.** For each study service, the existing buildings that host it
//!   today and the buildings (existing or candidate) that could host it.
//! * **Demand.** Population, children and every age band (`pop_A_B`, `pop_Aplus`
//!   attribute columns) per zone and per district.
//! * **Need score** in `[0, 1]`: a weighted mean of indicator terms. The default is
//!   IMD alone, with the term `(11 − decile) / 10` (decile 1 → 1.0, decile 10 → 0.1).
//!   Any other indicator column is min–max normalised over the zones (a negative
//!   weight reverses it: high values mean less need).
//! * **Access.** Minutes from each zone to the nearest building hosting each service
//!   today; within the service's limit or not.
//! * **Priority.** A zone's shortfall is the largest, over the study services, of the
//!   minutes beyond the limit (a zone that reaches no hosting building counts as
//!   [`Study::unreachable_minutes`]). Its score is `need_score × shortfall`. Zones
//!   with a shortfall are ranked: first those in IMD deciles `1..=priority_deciles`,
//!   then the rest, each tier by score (descending), then children (descending),
//!   then id. Ranked zones are grouped into contiguous priority areas (the
//!   connected components of the neighbour graph restricted to the top-ranked
//!   [`StudyOptions::area_zones`] of them, with petgraph);
//!   for each area and service the building that would bring most of its children
//!   within the limit is found with the exact solver (maximal covering, p = 1).
//! * **Equality** (for an EHRIA): by IMD decile and by district, population,
//!   children, share of children within the limit and mean minutes per service;
//!   the same weighted by each protected-characteristic column.

use std::collections::BTreeMap;
use std::time::Duration;

use petgraph::graph::UnGraph;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::geo::{LocalProjection, LonLat};
use crate::ids::{ServiceIdx, SiteIdx, ZoneIdx};
use crate::model::{Inputs, SiteStatus};

/// The id of the one pseudo-service studied when the inputs have no services:
/// every existing building hosts it.
pub const ANY_SERVICE: &str = "any";

/// The indicator name that means the IMD decile term `(11 − decile) / 10`.
pub const IMD_INDICATOR: &str = "imd_decile";

/// One need indicator: a zone attribute column and its weight.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Indicator {
    /// The zone column ([`IMD_INDICATOR`] for the IMD decile term).
    pub column: String,
    /// Its weight; a negative weight means high values are *less* need. Not 0.
    pub weight: f64,
}

/// The outline of a zone: rings of positions (outer rings and holes alike).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ZoneShape {
    /// Every ring of every polygon of the zone.
    pub rings: Vec<Vec<LonLat>>,
}

/// Settings of a study (`[study]` in a scenario; see docs/STUDY.md).
#[derive(Clone, Debug, PartialEq)]
pub struct StudyOptions {
    /// The services studied; empty = every service (or [`ANY_SERVICE`] when there are none).
    pub services: Vec<ServiceIdx>,
    /// The limit of a service without its own `max_minutes`.
    pub default_max_minutes: f64,
    /// The zone column counting children; `None` = `pop_0_15` when the zones have it, else need.
    pub children_column: Option<String>,
    /// Need indicators; empty = IMD decile alone.
    pub indicators: Vec<Indicator>,
    /// Protected-characteristic count columns (e.g. `pop_60plus`) for the equality table.
    pub protected: Vec<String>,
    /// Zones in IMD deciles `1..=priority_deciles` are ranked first (0 = no tier).
    pub priority_deciles: u8,
    /// How many of the top-ranked zones form priority areas; `None` = a tenth of all
    /// zones (rounded up). Lower-ranked zones keep their rank but join no area.
    pub area_zones: Option<usize>,
    /// Centroid rule: each zone's `neighbour_k` nearest zones are its neighbours…
    pub neighbour_k: usize,
    /// …when no further than this many km.
    pub neighbour_max_km: f64,
    /// Zone outlines, one per zone, where known: zones that both have one are
    /// neighbours when their outlines share a vertex (queen contiguity).
    pub shapes: Option<Vec<Option<ZoneShape>>>,
    /// Time limit of each maximal-covering solve.
    pub time_limit: Duration,
}

impl Default for StudyOptions {
    fn default() -> Self {
        StudyOptions {
            services: Vec::new(),
            default_max_minutes: crate::scenario::DEFAULT_MAX_MINUTES,
            children_column: None,
            indicators: Vec::new(),
            protected: Vec::new(),
            priority_deciles: 2,
            area_zones: None,
            neighbour_k: 6,
            neighbour_max_km: 5.0,
            shapes: None,
            time_limit: Duration::from_secs(10),
        }
    }
}

/// One studied service and the buildings that host it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StudyService {
    /// Service id ([`ANY_SERVICE`] for the pseudo-service).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The service, `None` for the pseudo-service.
    pub service: Option<ServiceIdx>,
    /// Its access limit, minutes.
    pub max_minutes: f64,
    /// Existing buildings hosting it today.
    pub hosts: Vec<SiteIdx>,
    /// Buildings (existing or candidate) that could host it but do not today.
    pub could_host: Vec<SiteIdx>,
}

/// The study of one zone.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ZoneStudy {
    /// The zone.
    pub zone: ZoneIdx,
    /// Children (see [`Study::children_source`]).
    pub children: f64,
    /// Need score in `[0, 1]`.
    pub need_score: f64,
    /// Per study service: minutes to the nearest hosting building, `None` if none is reachable.
    pub minutes: Vec<Option<f64>>,
    /// Per study service: within its limit.
    pub within: Vec<bool>,
    /// The nearest hosting building per study service.
    pub nearest: Vec<Option<SiteIdx>>,
    /// Largest minutes beyond a limit over the services (0 = within every limit).
    pub shortfall: f64,
    /// `need_score × shortfall`.
    pub priority_score: f64,
    /// 1-based priority rank, for zones with a shortfall.
    pub priority_rank: Option<u32>,
    /// Index into [`Study::areas`].
    pub area: Option<usize>,
}

/// What one building would do for one priority area and service.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaOption {
    /// Index into [`Study::services`].
    pub service: usize,
    /// Children of the area beyond the limit for this service.
    pub children_beyond: f64,
    /// The building that brings most of them within the limit, if any can.
    pub site: Option<SiteIdx>,
    /// Children it brings within the limit.
    pub children_reached: f64,
    /// The solver's status (`optimal`…), or `none` when no building could help.
    pub status: String,
}

/// A contiguous group of priority zones.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriorityArea {
    /// `PA01`, `PA02`… in order of their best zone's rank.
    pub id: String,
    /// Its zones, by rank.
    pub zones: Vec<ZoneIdx>,
    /// The best (smallest) rank among them.
    pub best_rank: u32,
    /// Population.
    pub population: f64,
    /// Children.
    pub children: f64,
    /// Children-weighted mean need score.
    pub need_score: f64,
    /// Sum of the zones' priority scores.
    pub score: f64,
    /// Per study service: children-weighted mean of today's best minutes, over zones
    /// that reach a hosting building (`None` if none does).
    pub minutes: Vec<Option<f64>>,
    /// Per study service with children beyond the limit: the best building.
    pub options: Vec<AreaOption>,
}

/// One row of an equality table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupRow {
    /// Decile (`1`…`10`, `unknown`), district, or column name.
    pub label: String,
    /// Zones in the group.
    pub zones: usize,
    /// Population.
    pub population: f64,
    /// Children.
    pub children: f64,
    /// The weight the shares use: children, or the protected column's count.
    pub weight: f64,
    /// Per study service: weight within the limit.
    pub weight_within: Vec<f64>,
    /// Per study service: weight that reaches a hosting building at all.
    pub weight_reachable: Vec<f64>,
    /// Per study service: Σ weight × minutes over reachable zones.
    pub weight_minutes: Vec<f64>,
}

impl GroupRow {
    fn new(label: String, n: usize) -> Self {
        GroupRow {
            label,
            zones: 0,
            population: 0.0,
            children: 0.0,
            weight: 0.0,
            weight_within: vec![0.0; n],
            weight_reachable: vec![0.0; n],
            weight_minutes: vec![0.0; n],
        }
    }

    fn add(&mut self, z: &ZoneStudy, population: f64, weight: f64) {
        self.zones += 1;
        self.population += population;
        self.children += z.children;
        self.weight += weight;
        for k in 0..self.weight_within.len() {
            if z.within[k] {
                self.weight_within[k] += weight;
            }
            if let Some(m) = z.minutes[k] {
                self.weight_reachable[k] += weight;
                self.weight_minutes[k] += weight * m;
            }
        }
    }

    /// Share of the weight within the limit for study service `k` (`None` when the weight is 0).
    pub fn share_within(&self, k: usize) -> Option<f64> {
        (self.weight > 0.0).then(|| self.weight_within[k] / self.weight)
    }

    /// Weighted mean minutes for study service `k` over reachable zones.
    pub fn mean_minutes(&self, k: usize) -> Option<f64> {
        (self.weight_reachable[k] > 0.0).then(|| self.weight_minutes[k] / self.weight_reachable[k])
    }
}

/// Demand of one district.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DistrictDemand {
    /// District (`(no district)` when empty).
    pub district: String,
    /// Zones.
    pub zones: usize,
    /// Population.
    pub population: f64,
    /// Children.
    pub children: f64,
    /// Per age band of [`Study::bands`].
    pub bands: Vec<f64>,
}

/// The equality tables.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Equality {
    /// By IMD decile 1–10 (only deciles present), then `unknown`; weight = children.
    pub by_decile: Vec<GroupRow>,
    /// By district, alphabetical; weight = children.
    pub by_district: Vec<GroupRow>,
    /// All zones; weight = children.
    pub total: GroupRow,
    /// All zones weighted by population (the comparison row for protected columns).
    pub population: GroupRow,
    /// One row per protected column, weighted by that column.
    pub protected: Vec<GroupRow>,
}

/// A whole feasibility study.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Study {
    /// The services studied.
    pub services: Vec<StudyService>,
    /// Where children come from: a column name, or `need`.
    pub children_source: String,
    /// Age-band columns found on the zones (`pop_0_4`, `pop_0_15`, `pop_60plus`…), by lower age.
    pub bands: Vec<String>,
    /// The indicators used (the default IMD one when none were given).
    pub indicators: Vec<Indicator>,
    /// Minutes counted for a zone that reaches no hosting building, per study service.
    pub unreachable_minutes: Vec<f64>,
    /// Per zone, in input order.
    pub zones: Vec<ZoneStudy>,
    /// Priority zones by rank.
    pub ranked: Vec<ZoneIdx>,
    /// Priority areas, by best rank, formed from the first [`Study::area_zones`] of `ranked`.
    pub areas: Vec<PriorityArea>,
    /// How many top-ranked zones formed the areas.
    pub area_zones: usize,
    /// [`StudyOptions::priority_deciles`]: zones in IMD deciles `1..=priority_deciles`
    /// were ranked first (0: no tier), for the appendix to say which.
    #[serde(skip)]
    pub priority_deciles: u8,
    /// Demand by district.
    pub demand: Vec<DistrictDemand>,
    /// Equality tables.
    pub equality: Equality,
    /// How neighbours were found, as a sentence.
    pub neighbour_rule: String,
    /// Neighbour pairs `(a, b)`, `a < b`, sorted (all zones, not only priority ones).
    pub neighbours: Vec<(u32, u32)>,
    /// Remarks (zones without an IMD decile…).
    pub warnings: Vec<String>,
}

/// The lower age of a band column `pop_A_B` / `pop_Aplus`, or `None` for other columns.
pub fn band_lower_age(col: &str) -> Option<u32> {
    let rest = col.strip_prefix("pop_")?;
    if let Some(a) = rest.strip_suffix("plus") {
        return a.parse().ok();
    }
    let (a, b) = rest.split_once('_')?;
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    (a <= b).then_some(a)
}

fn attr(inputs: &Inputs, z: usize, col: &str) -> Result<f64> {
    let zone = &inputs.zones[z];
    match col {
        "population" => Ok(zone.population),
        "need" => Ok(zone.need),
        _ => zone
            .attributes
            .get(col)
            .copied()
            .ok_or_else(|| Error::Invalid(format!("zone {} has no value in column `{col}`", zone.id))),
    }
}

/// The study services for `opts`.
fn study_services(inputs: &Inputs, opts: &StudyOptions) -> Result<Vec<StudyService>> {
    if inputs.services.is_empty() {
        let mut hosts = Vec::new();
        let mut could = Vec::new();
        for (j, s) in inputs.sites.iter().enumerate() {
            match s.status {
                SiteStatus::Existing => hosts.push(SiteIdx::from_index(j)),
                SiteStatus::Candidate => could.push(SiteIdx::from_index(j)),
            }
        }
        return Ok(vec![StudyService {
            id: ANY_SERVICE.into(),
            name: "Any building".into(),
            service: None,
            max_minutes: opts.default_max_minutes,
            hosts,
            could_host: could,
        }]);
    }
    let list: Vec<ServiceIdx> = if opts.services.is_empty() {
        (0..inputs.services.len()).map(ServiceIdx::from_index).collect()
    } else {
        opts.services.clone()
    };
    let mut out = Vec::with_capacity(list.len());
    for s in list {
        let svc = inputs
            .services
            .get(s.index())
            .ok_or_else(|| Error::Invalid(format!("study service index {} out of range", s.index())))?;
        let mut hosts = Vec::new();
        let mut could = Vec::new();
        for (j, site) in inputs.sites.iter().enumerate() {
            let today = site.status == SiteStatus::Existing && site.services.contains(&s);
            if today {
                hosts.push(SiteIdx::from_index(j));
            } else if site.can_host.contains(&s) || site.services.contains(&s) {
                could.push(SiteIdx::from_index(j));
            }
        }
        out.push(StudyService {
            id: svc.id.clone(),
            name: svc.name.clone(),
            service: Some(s),
            max_minutes: svc.max_minutes.unwrap_or(opts.default_max_minutes),
            hosts,
            could_host: could,
        });
    }
    Ok(out)
}

/// Need scores in `[0, 1]` per zone, and warnings.
fn need_scores(inputs: &Inputs, indicators: &[Indicator]) -> Result<(Vec<f64>, Vec<String>)> {
    let n = inputs.zones.len();
    let mut warnings = Vec::new();
    let total_w: f64 = indicators.iter().map(|i| i.weight.abs()).sum();
    if total_w.is_nan() || total_w <= 0.0 || indicators.iter().any(|i| !i.weight.is_finite() || i.weight == 0.0) {
        return Err(Error::Invalid(
            "every need indicator needs a finite, non-zero weight".into(),
        ));
    }
    let mut score = vec![0.0; n];
    for ind in indicators {
        let w = ind.weight.abs() / total_w;
        if ind.column == IMD_INDICATOR {
            let missing: Vec<&str> = inputs
                .zones
                .iter()
                .filter(|z| z.imd_decile.is_none())
                .map(|z| z.id.as_str())
                .collect();
            if !missing.is_empty() {
                warnings.push(format!(
                    "{} zone(s) have no IMD decile; their IMD need term is taken as 0.5 (e.g. {})",
                    missing.len(),
                    missing.iter().take(5).copied().collect::<Vec<_>>().join(", ")
                ));
            }
            for (z, zone) in inputs.zones.iter().enumerate() {
                let mut v = zone.imd_decile.map_or(0.5, |d| (11.0 - f64::from(d)) / 10.0);
                if ind.weight < 0.0 {
                    v = 1.1 - v;
                }
                score[z] += w * v;
            }
            continue;
        }
        let vals: Vec<f64> = (0..n).map(|z| attr(inputs, z, &ind.column)).collect::<Result<_>>()?;
        let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let span = hi - lo;
        if span.is_nan() || span <= 0.0 {
            warnings.push(format!(
                "need indicator `{}` has the same value in every zone; it adds nothing",
                ind.column
            ));
            continue;
        }
        for z in 0..n {
            let mut v = (vals[z] - lo) / span;
            if ind.weight < 0.0 {
                v = 1.0 - v;
            }
            score[z] += w * v;
        }
    }
    Ok((score, warnings))
}

/// Neighbour pairs and the rule used. Zones that both have an outline are neighbours
/// when the outlines share a vertex (queen contiguity, vertices matched to 1e-7°);
/// any other pair is judged by the centroid rule: `b` among the `k` nearest
/// centroids of `a` or `a` among those of `b`, at most `max_km` apart.
pub fn neighbour_pairs(
    positions: &[LonLat],
    shapes: Option<&[Option<ZoneShape>]>,
    k: usize,
    max_km: f64,
) -> (Vec<(u32, u32)>, String) {
    let n = positions.len();
    let has_shape = |i: usize| {
        shapes
            .and_then(|s| s.get(i))
            .is_some_and(|s| s.as_ref().is_some_and(|s| s.rings.iter().any(|r| !r.is_empty())))
    };
    let shaped = (0..n).filter(|&i| has_shape(i)).count();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    // Queen contiguity between outlines.
    if let Some(shapes) = shapes {
        let mut by_vertex: BTreeMap<(i64, i64), Vec<u32>> = BTreeMap::new();
        for (i, s) in shapes.iter().enumerate().take(n) {
            let Some(s) = s else { continue };
            for ring in &s.rings {
                for p in ring {
                    let key = ((p.lon * 1e7).round() as i64, (p.lat * 1e7).round() as i64);
                    let v = by_vertex.entry(key).or_default();
                    if v.last() != Some(&(i as u32)) {
                        v.push(i as u32);
                    }
                }
            }
        }
        for zs in by_vertex.values() {
            let mut zs = zs.clone();
            zs.sort_unstable();
            zs.dedup();
            for a in 0..zs.len() {
                for b in a + 1..zs.len() {
                    pairs.push((zs[a], zs[b]));
                }
            }
        }
    }
    // Centroid rule for pairs not both outlined.
    if shaped < n && n > 1 {
        let valid: Vec<&LonLat> = positions.iter().filter(|p| p.is_valid()).collect();
        let proj = LocalProjection::centred_on(valid);
        let pts: Vec<GeomWithData<[f64; 2], u32>> = positions
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_valid())
            .map(|(i, p)| {
                let (x, y) = proj.project(*p);
                GeomWithData::new([x, y], i as u32)
            })
            .collect();
        let tree = RTree::bulk_load(pts.clone());
        let max2 = (max_km * 1000.0).powi(2);
        for p in &pts {
            let a = p.data;
            for (q, d2) in tree
                .nearest_neighbor_iter_with_distance_2(p.geom())
                .filter(|(q, _)| q.data != a)
                .take(k)
            {
                if d2 > max2 {
                    break;
                }
                let b = q.data;
                if has_shape(a as usize) && has_shape(b as usize) {
                    continue;
                }
                pairs.push((a.min(b), a.max(b)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let rule = if shaped == n && n > 0 {
        "zone outlines that share a vertex (queen contiguity)".to_string()
    } else if shaped == 0 {
        format!("centroids: each zone's {k} nearest zones within {max_km} km (either way round)")
    } else {
        format!(
            "zone outlines that share a vertex (queen contiguity) where both zones have one; otherwise centroids: each zone's {k} nearest zones within {max_km} km (either way round)"
        )
    };
    (pairs, rule)
}

/// Runs the feasibility study. No decision is made: buildings are as today.
///
/// # Errors
/// [`Error::Invalid`] when a named column is absent on a zone, a weight is zero or
/// not finite, or the inputs have no zones.
pub fn study(inputs: &Inputs, opts: &StudyOptions) -> Result<Study> {
    let nz = inputs.zones.len();
    if nz == 0 {
        return Err(Error::Invalid("the study needs at least one zone".into()));
    }
    let services = study_services(inputs, opts)?;
    let ns = services.len();
    let mut warnings = Vec::new();

    // Children and bands.
    let children_source = match &opts.children_column {
        Some(c) => c.clone(),
        None if inputs.zones.iter().any(|z| z.attributes.contains_key("pop_0_15")) => "pop_0_15".into(),
        None => "need".into(),
    };
    let children: Vec<f64> = (0..nz)
        .map(|z| match children_source.as_str() {
            "need" => Ok(inputs.zones[z].need),
            c if opts.children_column.is_none() => Ok(inputs.zones[z].attributes.get(c).copied().unwrap_or(0.0)),
            c => attr(inputs, z, c),
        })
        .collect::<Result<_>>()?;
    let mut bands: Vec<String> = inputs
        .zones
        .iter()
        .flat_map(|z| z.attributes.keys())
        .filter(|c| band_lower_age(c).is_some())
        .cloned()
        .collect();
    bands.sort_by(|a, b| band_lower_age(a).cmp(&band_lower_age(b)).then(a.cmp(b)));
    bands.dedup();

    // Need.
    let indicators = if opts.indicators.is_empty() {
        vec![Indicator {
            column: IMD_INDICATOR.into(),
            weight: 1.0,
        }]
    } else {
        opts.indicators.clone()
    };
    let (need, w) = need_scores(inputs, &indicators)?;
    warnings.extend(w);

    // Access.
    let longest = (0..nz)
        .flat_map(|z| inputs.travel.row(ZoneIdx::from_index(z)).map(|(_, m)| m))
        .fold(0.0_f64, f64::max);
    let unreachable_minutes: Vec<f64> = services.iter().map(|s| longest.max(2.0 * s.max_minutes)).collect();
    let mut host_of: Vec<Vec<bool>> = vec![vec![false; inputs.sites.len()]; ns];
    for (k, s) in services.iter().enumerate() {
        for j in &s.hosts {
            host_of[k][j.index()] = true;
        }
    }
    let mut zones: Vec<ZoneStudy> = Vec::with_capacity(nz);
    for z in 0..nz {
        let zi = ZoneIdx::from_index(z);
        let mut minutes = vec![None; ns];
        let mut nearest = vec![None; ns];
        for (j, m) in inputs.travel.row(zi) {
            for k in 0..ns {
                if host_of[k][j.index()] && minutes[k].is_none_or(|b: f64| m < b) {
                    minutes[k] = Some(m);
                    nearest[k] = Some(j);
                }
            }
        }
        let within: Vec<bool> = (0..ns)
            .map(|k| minutes[k].is_some_and(|m| m <= services[k].max_minutes))
            .collect();
        let shortfall = (0..ns)
            .map(|k| {
                let m = minutes[k].unwrap_or(unreachable_minutes[k]);
                (m - services[k].max_minutes).max(0.0)
            })
            .fold(0.0, f64::max);
        zones.push(ZoneStudy {
            zone: zi,
            children: children[z],
            need_score: need[z],
            minutes,
            within,
            nearest,
            shortfall,
            priority_score: need[z] * shortfall,
            priority_rank: None,
            area: None,
        });
    }

    // Ranking.
    let tier = |z: usize| -> u8 {
        match inputs.zones[z].imd_decile {
            Some(d) if d <= opts.priority_deciles => 0,
            _ => 1,
        }
    };
    let mut ranked: Vec<usize> = (0..nz).filter(|&z| zones[z].shortfall > 0.0).collect();
    ranked.sort_by(|&a, &b| {
        tier(a)
            .cmp(&tier(b))
            .then(zones[b].priority_score.total_cmp(&zones[a].priority_score))
            .then(zones[b].children.total_cmp(&zones[a].children))
            .then(inputs.zones[a].id.cmp(&inputs.zones[b].id))
    });
    for (r, &z) in ranked.iter().enumerate() {
        zones[z].priority_rank = Some(r as u32 + 1);
    }

    // Contiguity and areas.
    let positions: Vec<LonLat> = inputs.zones.iter().map(|z| z.pos).collect();
    let (neighbours, neighbour_rule) = neighbour_pairs(
        &positions,
        opts.shapes.as_deref(),
        opts.neighbour_k,
        opts.neighbour_max_km,
    );
    let area_zones = opts.area_zones.unwrap_or(nz.div_ceil(10)).min(ranked.len());
    let mut node_of = vec![None; nz];
    let mut g: UnGraph<u32, ()> = UnGraph::with_capacity(area_zones, 0);
    for &z in &ranked[..area_zones] {
        node_of[z] = Some(g.add_node(z as u32));
    }
    for &(a, b) in &neighbours {
        if let (Some(x), Some(y)) = (node_of[a as usize], node_of[b as usize]) {
            g.add_edge(x, y, ());
        }
    }
    let mut comps: Vec<Vec<usize>> = petgraph::algo::kosaraju_scc(&g)
        .into_iter()
        .map(|c| {
            let mut v: Vec<usize> = c.into_iter().map(|n| g[n] as usize).collect();
            v.sort_by_key(|&z| zones[z].priority_rank);
            v
        })
        .collect();
    comps.sort_by_key(|c| c.first().and_then(|&z| zones[z].priority_rank));
    let width = if comps.len() >= 100 { 3 } else { 2 };
    let mut areas = Vec::with_capacity(comps.len());
    for (ai, comp) in comps.iter().enumerate() {
        for &z in comp {
            zones[z].area = Some(ai);
        }
        areas.push(area_of(inputs, &services, &zones, comp, ai, width, opts)?);
    }

    // Demand.
    let mut by_d: BTreeMap<&str, DistrictDemand> = BTreeMap::new();
    for (z, zone) in inputs.zones.iter().enumerate() {
        let name = if zone.district.is_empty() {
            "(no district)"
        } else {
            zone.district.as_str()
        };
        let d = by_d.entry(name).or_insert_with(|| DistrictDemand {
            district: name.to_string(),
            zones: 0,
            population: 0.0,
            children: 0.0,
            bands: vec![0.0; bands.len()],
        });
        d.zones += 1;
        d.population += zone.population;
        d.children += children[z];
        for (b, col) in bands.iter().enumerate() {
            d.bands[b] += zone.attributes.get(col).copied().unwrap_or(0.0);
        }
    }
    let demand: Vec<DistrictDemand> = by_d.into_values().collect();

    // Equality.
    let mut dec: BTreeMap<u8, GroupRow> = BTreeMap::new();
    let mut dis: BTreeMap<String, GroupRow> = BTreeMap::new();
    let mut total = GroupRow::new("all zones".into(), ns);
    let mut pop_row = GroupRow::new("population".into(), ns);
    let mut prot: Vec<GroupRow> = opts.protected.iter().map(|c| GroupRow::new(c.clone(), ns)).collect();
    for (z, zone) in inputs.zones.iter().enumerate() {
        let zs = &zones[z];
        let key = zone.imd_decile.unwrap_or(u8::MAX);
        let label = zone.imd_decile.map_or("unknown".to_string(), |d| d.to_string());
        dec.entry(key)
            .or_insert_with(|| GroupRow::new(label, ns))
            .add(zs, zone.population, zs.children);
        let dname = if zone.district.is_empty() {
            "(no district)".to_string()
        } else {
            zone.district.clone()
        };
        dis.entry(dname.clone())
            .or_insert_with(|| GroupRow::new(dname, ns))
            .add(zs, zone.population, zs.children);
        total.add(zs, zone.population, zs.children);
        pop_row.add(zs, zone.population, zone.population);
        for (p, col) in opts.protected.iter().enumerate() {
            let w = attr(inputs, z, col)?;
            prot[p].add(zs, zone.population, w);
        }
    }
    let equality = Equality {
        by_decile: dec.into_values().collect(),
        by_district: dis.into_values().collect(),
        total,
        population: pop_row,
        protected: prot,
    };

    Ok(Study {
        services,
        children_source,
        bands,
        indicators,
        unreachable_minutes,
        zones,
        ranked: ranked.into_iter().map(ZoneIdx::from_index).collect(),
        areas,
        area_zones,
        priority_deciles: opts.priority_deciles,
        demand,
        equality,
        neighbour_rule,
        neighbours,
        warnings,
    })
}

fn area_of(
    inputs: &Inputs,
    services: &[StudyService],
    zones: &[ZoneStudy],
    comp: &[usize],
    ai: usize,
    width: usize,
    opts: &StudyOptions,
) -> Result<PriorityArea> {
    let ns = services.len();
    let population: f64 = comp.iter().map(|&z| inputs.zones[z].population).sum();
    let children: f64 = comp.iter().map(|&z| zones[z].children).sum();
    let need_score = if children > 0.0 {
        comp.iter()
            .map(|&z| zones[z].children * zones[z].need_score)
            .sum::<f64>()
            / children
    } else {
        comp.iter().map(|&z| zones[z].need_score).sum::<f64>() / comp.len().max(1) as f64
    };
    let minutes = (0..ns)
        .map(|k| {
            let (mut w, mut s) = (0.0, 0.0);
            for &z in comp {
                if let Some(m) = zones[z].minutes[k] {
                    w += zones[z].children;
                    s += zones[z].children * m;
                }
            }
            (w > 0.0).then(|| s / w)
        })
        .collect();
    let mut options = Vec::new();
    for (k, svc) in services.iter().enumerate() {
        let beyond: Vec<usize> = comp.iter().copied().filter(|&z| !zones[z].within[k]).collect();
        if beyond.is_empty() {
            continue;
        }
        let children_beyond: f64 = beyond.iter().map(|&z| zones[z].children).sum();
        let (site, children_reached, status) = best_building(inputs, svc, zones, &beyond, opts)?;
        options.push(AreaOption {
            service: k,
            children_beyond,
            site,
            children_reached,
            status,
        });
    }
    Ok(PriorityArea {
        id: format!("PA{:0width$}", ai + 1),
        zones: comp.iter().map(|&z| ZoneIdx::from_index(z)).collect(),
        best_rank: comp.first().and_then(|&z| zones[z].priority_rank).unwrap_or(0),
        population,
        children,
        need_score,
        score: comp.iter().map(|&z| zones[z].priority_score).sum(),
        minutes,
        options,
    })
}

/// The building that would bring most children of `clients` within the service's
/// limit: maximal covering with exactly one site, solved exactly.
fn best_building(
    inputs: &Inputs,
    svc: &StudyService,
    zones: &[ZoneStudy],
    clients: &[usize],
    opts: &StudyOptions,
) -> Result<(Option<SiteIdx>, f64, String)> {
    use hubplan_solver::{solve, Arc, Cardinality, Instance, SolveOptions, Status};
    // Candidate buildings: those that could host the service and reach a client within the limit.
    let mut cand: Vec<SiteIdx> = Vec::new();
    for &j in &svc.could_host {
        if clients.iter().any(|&z| {
            inputs
                .travel
                .get(ZoneIdx::from_index(z), j)
                .is_some_and(|m| m <= svc.max_minutes)
        }) {
            cand.push(j);
        }
    }
    if cand.is_empty() {
        return Ok((None, 0.0, "none".into()));
    }
    let mut inst = Instance::with_sites(cand.len());
    inst.cardinality = Some(Cardinality { min: 1, max: 1 });
    for &z in clients {
        let arcs: Vec<Arc> = cand
            .iter()
            .enumerate()
            .filter(|(_, &j)| {
                inputs
                    .travel
                    .get(ZoneIdx::from_index(z), j)
                    .is_some_and(|m| m <= svc.max_minutes)
            })
            .map(|(c, _)| Arc {
                site: c as u32,
                cost: 0.0,
            })
            .collect();
        inst.push_client(arcs, Some(zones[z].children.max(0.0)), zones[z].children.max(0.0));
    }
    let out = solve(
        &inst,
        &SolveOptions {
            time_limit: opts.time_limit,
            ..SolveOptions::default()
        },
    )
    .map_err(Error::from)?;
    let status = match out.status {
        Status::Optimal => "optimal",
        Status::Feasible => "feasible",
        Status::Infeasible => "infeasible",
        _ => "unknown",
    };
    let Some(c) = out.open.iter().position(|&o| o) else {
        return Ok((None, 0.0, status.into()));
    };
    let j = cand[c];
    let reached: f64 = clients
        .iter()
        .filter(|&&z| {
            inputs
                .travel
                .get(ZoneIdx::from_index(z), j)
                .is_some_and(|m| m <= svc.max_minutes)
        })
        .map(|&z| zones[z].children)
        .sum();
    Ok((Some(j), reached, status.into()))
}
