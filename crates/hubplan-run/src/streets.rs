//! Walking links for a travel-time run: straight lines × detour, or shortest walks on
//! the streets of an OpenStreetMap extract (`[transit] osm`, `travel-times --osm`),
//! optionally through a walk cache file (docs/TRANSIT.md §5).

use std::path::PathBuf;

use hubplan::geo::LonLat;
use hubplan_transit::{load_osm, Feed, TransitConfig, WalkLinks, DEFAULT_SNAP_M};

use crate::error::{Error, Result};
use crate::load::{Event, Progress};

/// Where walks come from.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StreetOptions {
    /// The OpenStreetMap extract (`.osm.pbf`); `None`: straight lines × detour.
    pub osm: Option<PathBuf>,
    /// Largest distance, metres, from a point or stop to the street it snaps to.
    pub snap_m: f64,
    /// A cache file of the street walks, reused when the extract, stops, points and
    /// rules are the same (a SHA-256 of them all), else computed and written there.
    pub walk_cache: Option<PathBuf>,
}

impl Default for StreetOptions {
    fn default() -> Self {
        StreetOptions {
            osm: None,
            snap_m: DEFAULT_SNAP_M,
            walk_cache: None,
        }
    }
}

impl StreetOptions {
    /// Walks on the streets of `osm`, snapping within `snap_m` metres.
    pub fn streets(osm: PathBuf, snap_m: f64) -> Self {
        StreetOptions {
            osm: Some(osm),
            snap_m,
            walk_cache: None,
        }
    }
}

/// The links, and what the run records about them.
pub(crate) struct Links {
    pub links: WalkLinks,
    /// Points that could not snap to a street (they walk in straight lines).
    pub warnings: Vec<String>,
    /// The snapping statistics (`None` without streets).
    pub snapping: Option<String>,
}

fn transit_err(e: impl std::fmt::Display) -> Error {
    Error::Transit(e.to_string())
}

/// Straight-line links, or street links when an extract is given. Snapping warnings go
/// to `progress` as warnings (they change the walks); the statistics as information.
pub(crate) fn walk_links(
    opts: &StreetOptions,
    feed: &Feed,
    origins: &[LonLat],
    dests: &[LonLat],
    cfg: &TransitConfig,
    progress: &dyn Progress,
) -> Result<Links> {
    let Some(osm) = opts.osm.as_deref() else {
        return Ok(Links {
            links: WalkLinks::straight(feed, origins, dests, cfg).map_err(transit_err)?,
            warnings: Vec::new(),
            snapping: None,
        });
    };
    let cache = match &opts.walk_cache {
        Some(p) => {
            let sha = hubplan_io::sha256_file(osm)?;
            Some((p, WalkLinks::cache_key(&sha, feed, origins, dests, cfg, opts.snap_m)))
        }
        None => None,
    };
    let cached = cache
        .as_ref()
        .and_then(|(p, key)| WalkLinks::load_cache(p, key, feed, origins, dests, cfg));
    let links = match cached {
        Some(l) => {
            if let Some((p, _)) = &cache {
                progress.event(Event::Info(&format!(
                    "street walks read from the cache {}",
                    p.display()
                )));
            }
            l
        }
        None => {
            let (net, report) = load_osm(osm).map_err(transit_err)?;
            progress.event(Event::Info(&format!("streets {}: {report}", osm.display())));
            let l = WalkLinks::streets(&net, feed, origins, dests, cfg, opts.snap_m)
                .map_err(crate::matrix::config_error)?;
            if let Some((p, key)) = &cache {
                l.save_cache(p, key)
                    .map_err(|e| Error::Transit(format!("writing the walk cache {}: {e}", p.display())))?;
            }
            l
        }
    };
    let (warnings, snapping) = match links.snapping() {
        Some(r) => (r.warnings(), Some(r.to_string())),
        None => (Vec::new(), None),
    };
    for w in &warnings {
        progress.event(Event::Warning(w));
    }
    if let Some(s) = &snapping {
        progress.event(Event::Info(s));
    }
    Ok(Links {
        links,
        warnings,
        snapping,
    })
}
