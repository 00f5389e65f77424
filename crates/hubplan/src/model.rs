//! The site model: buildings, zones, services and the travel times between them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::geo::LonLat;
use crate::ids::{ServiceIdx, SiteIdx, ZoneIdx};
use crate::travel::TravelTimes;

/// Whether a site exists today or is a candidate that could be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SiteStatus {
    /// A building in use today: it is kept or closed.
    #[default]
    Existing,
    /// A possible new building: it is opened or left unused.
    Candidate,
}

/// A building.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Original id, unique.
    pub id: String,
    /// Display name (may be empty).
    pub name: String,
    /// Position.
    pub pos: LonLat,
    /// District (may be empty).
    pub district: String,
    /// Kind of building: children's centre, youth hub, library…
    pub kind: String,
    /// Existing or candidate.
    pub status: SiteStatus,
    /// Running cost, GBP a year.
    pub annual_cost: f64,
    /// Maintenance backlog, GBP; avoided when the site closes.
    pub backlog: f64,
    /// One-off cost of opening a candidate, GBP.
    pub open_cost: f64,
    /// Usable space (same unit as [`Service::space`]); `None` = unlimited.
    pub capacity: Option<f64>,
    /// Services hosted today.
    pub services: Vec<ServiceIdx>,
    /// Services the site could host (always includes `services`).
    pub can_host: Vec<ServiceIdx>,
    /// One-off receipt if the site is closed and sold, GBP.
    pub disposal_receipt: f64,
}

impl Site {
    /// An existing building with this id, position and running cost, and
    /// nothing else: no name, district or kind, no backlog, opening cost or
    /// disposal receipt, unlimited space, no services. Set the rest with
    /// `Site { district: "North".into(), ..Site::existing("A", pos, 100.0) }`.
    pub fn existing(id: impl Into<String>, pos: LonLat, annual_cost: f64) -> Site {
        Site {
            id: id.into(),
            name: String::new(),
            pos,
            district: String::new(),
            kind: String::new(),
            status: SiteStatus::Existing,
            annual_cost,
            backlog: 0.0,
            open_cost: 0.0,
            capacity: None,
            services: vec![],
            can_host: vec![],
            disposal_receipt: 0.0,
        }
    }
}

/// A small area (e.g. an LSOA) where demand lives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// Original id, unique.
    pub id: String,
    /// Display name (may be empty).
    pub name: String,
    /// Representative point (a polygon is taken at its centroid at the boundary).
    pub pos: LonLat,
    /// District (may be empty).
    pub district: String,
    /// Need used by the access rule and objectives (≥ 0).
    pub need: f64,
    /// Total population (0 when unknown).
    pub population: f64,
    /// Index of Multiple Deprivation decile, 1 = most deprived.
    pub imd_decile: Option<u8>,
    /// Every other numeric column (age bands such as `pop_0_15`), by column name.
    pub attributes: BTreeMap<String, f64>,
    /// The zone's outline in WGS84 (x = longitude, y = latitude), when the zones
    /// file gives it as a Polygon or MultiPolygon; `None` for a zone given as a
    /// point. [`Zone::pos`] is then the outline's centroid. Only drawn (maps,
    /// GeoJSON outputs): the model measures access from `pos`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "outline_serde")]
    pub outline: Option<geo_types::MultiPolygon<f64>>,
}

impl Zone {
    /// A zone at `pos` with this id and need, and nothing else: no name,
    /// district, IMD decile, attributes or outline, and an unknown
    /// population (0). Set the rest with
    /// `Zone { population: 120.0, ..Zone::new("Z1", pos, 10.0) }`.
    pub fn new(id: impl Into<String>, pos: LonLat, need: f64) -> Zone {
        Zone {
            id: id.into(),
            name: String::new(),
            pos,
            district: String::new(),
            need,
            population: 0.0,
            imd_decile: None,
            attributes: BTreeMap::new(),
            outline: None,
        }
    }
}

/// Serialises an outline as GeoJSON MultiPolygon coordinates: polygons of rings of
/// `[lon, lat]` positions (outer ring first).
mod outline_serde {
    use geo_types::{Coord, LineString, MultiPolygon, Polygon};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    type Coords = Vec<Vec<Vec<[f64; 2]>>>;

    pub fn serialize<S: Serializer>(v: &Option<MultiPolygon<f64>>, s: S) -> Result<S::Ok, S::Error> {
        let ring = |r: &LineString<f64>| r.0.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>();
        v.as_ref()
            .map(|mp| {
                mp.0.iter()
                    .map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect())
                    .collect::<Coords>()
            })
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<MultiPolygon<f64>>, D::Error> {
        let ring = |r: Vec<[f64; 2]>| LineString::from(r.into_iter().map(|[x, y]| Coord { x, y }).collect::<Vec<_>>());
        Ok(Option::<Coords>::deserialize(d)?.map(|polys| {
            MultiPolygon::new(
                polys
                    .into_iter()
                    .filter(|rings| !rings.is_empty())
                    .map(|rings| {
                        let mut it = rings.into_iter().map(ring);
                        let ext = it.next().unwrap_or_else(|| LineString::new(vec![]));
                        Polygon::new(ext, it.collect())
                    })
                    .collect(),
            )
        }))
    }
}

/// A service that sites host (children's centre, youth, health visiting…).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Original id, unique.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The zone attribute that measures this service's need; `None` = the zone's `need`.
    pub need_column: Option<String>,
    /// This service's access limit in minutes; `None` = the scenario's.
    pub max_minutes: Option<f64>,
    /// Space the service takes in a site.
    pub space: f64,
    /// One-off cost of moving the service into a site that does not host it today, GBP.
    pub conversion_cost: f64,
}

/// Everything a plan is made from, validated and indexed.
#[derive(Clone, Debug, PartialEq)]
pub struct Inputs {
    /// Buildings, indexed by [`SiteIdx`].
    pub sites: Vec<Site>,
    /// Zones, indexed by [`ZoneIdx`].
    pub zones: Vec<Zone>,
    /// Services, indexed by [`ServiceIdx`].
    pub services: Vec<Service>,
    /// Zone → site travel times.
    pub travel: TravelTimes,
}

impl Inputs {
    /// The site at `s`.
    pub fn site(&self, s: SiteIdx) -> &Site {
        &self.sites[s.index()]
    }

    /// The zone at `z`.
    pub fn zone(&self, z: ZoneIdx) -> &Zone {
        &self.zones[z.index()]
    }

    /// All site indices.
    pub fn site_indices(&self) -> impl Iterator<Item = SiteIdx> + '_ {
        (0..self.sites.len()).map(SiteIdx::from_index)
    }

    /// All zone indices.
    pub fn zone_indices(&self) -> impl Iterator<Item = ZoneIdx> + '_ {
        (0..self.zones.len()).map(ZoneIdx::from_index)
    }

    /// The need of zone `z` for service `svc`, or its `need` when `svc` is `None`
    /// or the service has no need column (a missing attribute counts as 0).
    pub fn need(&self, z: ZoneIdx, svc: Option<ServiceIdx>) -> f64 {
        let zone = self.zone(z);
        match svc.and_then(|s| self.services[s.index()].need_column.as_ref()) {
            Some(col) => zone.attributes.get(col).copied().unwrap_or(0.0),
            None => zone.need,
        }
    }

    /// Looks up a site by original id (linear; the boundary keeps maps).
    pub fn site_by_id(&self, id: &str) -> Option<SiteIdx> {
        self.sites.iter().position(|s| s.id == id).map(SiteIdx::from_index)
    }
}
