//! A travel-time matrix from a GTFS timetable, written as a `travel_times` CSV
//! (`hubplan travel-times`; Python's `hubplan.travel_times`).

use std::path::{Path, PathBuf};

use hubplan::geo::LonLat;
use hubplan_io::TravelRow;
use hubplan_transit::{seconds_to_minutes_2dp, MatrixEntry, ServiceDate, TransitConfig};

use crate::error::{Error, Result};
use crate::load::{feed_options, read_feed, report_feed_errors, Event, Progress};
use hubplan_io::Window;

/// What to compute: the feed, the points, the date and the engine's settings.
#[derive(Clone, Debug)]
pub struct MatrixRequest {
    /// GTFS feed: a .zip file or a folder of .txt files.
    pub gtfs: PathBuf,
    /// Origins (zones): CSV with `id` and lon/lat (or easting/northing), or GeoJSON.
    pub origins: PathBuf,
    /// Destinations (sites): same formats.
    pub destinations: PathBuf,
    /// Service date, `YYYY-MM-DD`.
    pub date: String,
    /// Departure window.
    pub window: Window,
    /// The engine's settings; the window here is replaced by `window`.
    pub config: TransitConfig,
    /// Largest decompressed size of one feed file, MiB (default 2048).
    pub gtfs_max_file_mib: Option<u32>,
    /// Walks on OpenStreetMap streets (default: straight lines × detour).
    pub streets: crate::streets::StreetOptions,
}

impl MatrixRequest {
    /// A request with the engine's default settings.
    pub fn new(gtfs: PathBuf, origins: PathBuf, destinations: PathBuf, date: String, window: Window) -> Self {
        MatrixRequest {
            gtfs,
            origins,
            destinations,
            date,
            window,
            config: TransitConfig::default(),
            gtfs_max_file_mib: None,
            streets: crate::streets::StreetOptions::default(),
        }
    }
}

/// A computed matrix, with the ids of its points.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Matrix {
    /// Origin ids and positions.
    pub origins: Vec<(String, LonLat)>,
    /// Destination ids and positions.
    pub destinations: Vec<(String, LonLat)>,
    /// Pairs within the limit.
    pub entries: Vec<MatrixEntry>,
    /// Whether `share_within` was computed.
    pub share: bool,
    /// The limit, minutes.
    pub max_minutes: f64,
}

/// A [`TransitConfig`] parameter the engine refuses, as [`Error::Invalid`] whose `field` is
/// the parameter's name (`walk_speed_kmh`, `max_walk_m`, `snap_max_m`…): a front end maps it
/// to the option its user typed (the CLI: `--walk-speed`, `--max-walk`, `--osm-snap`…).
pub(crate) fn config_error(e: hubplan_transit::TransitError) -> Error {
    match e {
        hubplan_transit::TransitError::Config { name, message } => Error::invalid(name, message),
        other => Error::Transit(other.to_string()),
    }
}

fn read_points(path: &Path, what: &str) -> Result<Vec<(String, LonLat)>> {
    hubplan_io::read_points(path).map_err(|e| Error::Transit(format!("reading the {what} {}: {e}", path.display())))
}

/// Computes the matrix. The feed's summary goes to `progress` as [`Event::Info`], the
/// problems that dropped data as [`Event::DroppedData`], and a feed with no service on
/// the date as [`Event::DroppedData`] too (the matrix is then walking only).
pub fn travel_times(req: &MatrixRequest, progress: &dyn Progress) -> Result<Matrix> {
    travel_times_block(req, None, progress)
}

/// [`travel_times`] for the origins `block = (start, end)` only (all of them with
/// `None`), for sharding a large matrix over processes or machines. A journey's time
/// from an origin does not depend on the other origins, and the matrix is ordered by
/// origin then destination, so the blocks' rows, concatenated in order, are the
/// rows of the whole matrix.
///
/// # Errors
/// As [`travel_times`]; a block outside the origins is [`Error::Invalid`].
pub fn travel_times_block(
    req: &MatrixRequest,
    block: Option<(usize, usize)>,
    progress: &dyn Progress,
) -> Result<Matrix> {
    let date = ServiceDate::parse(&req.date).map_err(|e| Error::invalid("--date", e.to_string()))?;
    let mut cfg = req.config.clone();
    cfg.window_start_s = req.window.start_s;
    cfg.window_end_s = req.window.end_s;
    cfg.validate().map_err(config_error)?;
    let mut origins = read_points(&req.origins, "origins")?;
    if let Some((start, end)) = block {
        if start > end || end > origins.len() {
            return Err(Error::invalid(
                "origin_block",
                format!(
                    "expected 0 ≤ start ≤ end ≤ {} (the origins), found ({start}, {end})",
                    origins.len()
                ),
            ));
        }
        origins = origins[start..end].to_vec();
    }
    let destinations = read_points(&req.destinations, "destinations")?;
    let opts = feed_options(req.gtfs_max_file_mib, None);
    let (feed, report) = read_feed(&req.gtfs, date, &opts)?;
    // The summary, warnings and repairs; the problems that dropped data follow as their own events.
    let mut summary = report.clone();
    summary.errors.clear();
    progress.event(Event::Info(summary.to_string().trim_end()));
    report_feed_errors(&req.gtfs, &report.errors, progress);
    if report.trips_active == 0 {
        progress.event(Event::DroppedData(&format!(
            "the feed {} has NO SERVICE on {date}; only walking journeys are possible",
            req.gtfs.display()
        )));
    }
    let o: Vec<LonLat> = origins.iter().map(|z| z.1).collect();
    let d: Vec<LonLat> = destinations.iter().map(|s| s.1).collect();
    let links = crate::streets::walk_links(&req.streets, &feed, &o, &d, &cfg, progress)?;
    progress.event(Event::Start {
        what: "travel times",
        total: d.len(),
    });
    let step = |done: usize, _total: usize| progress.event(Event::Step { done });
    let entries = hubplan_transit::travel_time_matrix_with(&feed, &links.links, &o, &d, &cfg, &step);
    progress.event(Event::Finish);
    let entries = entries.map_err(|e| Error::Transit(e.to_string()))?;
    Ok(Matrix {
        origins,
        destinations,
        entries,
        share: cfg.share_within.is_some(),
        max_minutes: cfg.max_minutes,
    })
}

impl Matrix {
    fn rows(&self) -> impl Iterator<Item = TravelRow<'_>> {
        self.entries.iter().map(|e| TravelRow {
            zone_id: &self.origins[e.origin as usize].0,
            site_id: &self.destinations[e.destination as usize].0,
            minutes: seconds_to_minutes_2dp(e.seconds),
            share_within: e.share_within.map(f64::from),
        })
    }

    /// Writes the matrix as a `travel_times` CSV, atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        hubplan_io::write_travel_times(path, self.rows(), self.share)?;
        Ok(())
    }

    /// The `travel_times` CSV that [`Matrix::write`] writes, in memory.
    pub fn csv(&self) -> Result<Vec<u8>> {
        Ok(hubplan_io::travel_times_csv(self.rows(), self.share)?)
    }
}
