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

/// A travel-time parameter [`travel_times`] may refuse, named three ways: the `field` of its
/// [`Error::Invalid`] (the engine's name), the option of `hubplan travel-times` and the
/// keyword argument of the Python package's `travel_times`. A front end names a refused
/// parameter as its user typed it (`--walk-speed` or `walk_speed`, not `walk_speed_kmh`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TravelParameter {
    /// [`Error::Invalid`]'s `field`: a [`TransitConfig`] field, `snap_max_m` (the street
    /// walks' snapping distance) or `date`.
    pub field: &'static str,
    /// The option of `hubplan travel-times` that sets it.
    pub flag: &'static str,
    /// The keyword argument of `hubplan.travel_times` (Python) that sets it; `None` when the
    /// package has none (the street walks).
    pub keyword: Option<&'static str>,
}

const fn param(field: &'static str, flag: &'static str, keyword: Option<&'static str>) -> TravelParameter {
    TravelParameter { field, flag, keyword }
}

/// Every parameter [`travel_times`] may refuse as [`Error::Invalid`], with the option and
/// the keyword that set it (see [`TravelParameter`]).
pub const TRAVEL_PARAMETERS: &[TravelParameter] = &[
    param("date", "--date", Some("date")),
    param("window", "--window", Some("window")),
    param("percentile", "--percentile", Some("percentile")),
    param("max_minutes", "--max-minutes", Some("max_minutes")),
    param("walk_speed_kmh", "--walk-speed", Some("walk_speed")),
    param("detour", "--detour", Some("detour")),
    param("max_walk_m", "--max-walk", Some("max_walk")),
    param("max_transfer_walk_m", "--max-transfer-walk", Some("max_transfer_walk")),
    param("transfer_slack_s", "--transfer-slack", Some("transfer_slack")),
    param("max_rides", "--max-rides", Some("max_rides")),
    param("share_within", "--share-within", Some("share_within")),
    param("snap_max_m", "--osm-snap", None),
];

/// The [`TravelParameter`] whose `field` is `field` (an [`Error::Invalid`]'s), if any.
pub fn travel_parameter(field: &str) -> Option<&'static TravelParameter> {
    TRAVEL_PARAMETERS.iter().find(|p| p.field == field)
}

/// A [`TransitConfig`] parameter the engine refuses, as [`Error::Invalid`] whose `field` is
/// the parameter's name (`walk_speed_kmh`, `max_walk_m`, `snap_max_m`…): a front end maps it
/// to the option its user typed with [`travel_parameter`] (the CLI: `--walk-speed`,
/// `--max-walk`, `--osm-snap`…; Python: `walk_speed`, `max_walk`…).
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
/// problems that dropped data as [`Event::DroppedData`]. A date on which no trip of the
/// feed runs is refused ([`Error::Invalid`] for `date`, naming the calendars' span).
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
    let date = ServiceDate::parse(&req.date).map_err(config_error)?;
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
        // A matrix of walks alone would plan every building as if no bus ran: refused,
        // as a scenario's [transit] is (`gtfs_calendar_not_covering_date`). Before
        // session 18 (the Newport audit: a date after the feed's calendar ends) it was
        // written with exit 0 and a warning that, under --quiet, named no calendar span.
        let detail = report
            .coded
            .iter()
            .find(|(_, kind, _)| *kind == "no-service")
            .map_or_else(
                || format!("NO SERVICE on {date}: no trip runs that day"),
                |(_, _, m)| {
                    m.trim_end_matches(" Every journey will be walking only.")
                        .trim_end_matches('.')
                        .to_string()
                },
            );
        return Err(Error::invalid(
            "date",
            format!(
                "the feed {}: {detail}; every travel time would be a walk. Expected a date the feed's calendar covers",
                req.gtfs.display()
            ),
        ));
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

#[cfg(test)]
mod tests {
    use super::*;

    type Spoil = fn(&mut MatrixRequest);

    /// Every parameter the engine refuses comes back as [`Error::Invalid`] whose field is in
    /// [`TRAVEL_PARAMETERS`], with a flag and a keyword, so that each front end names it as
    /// its user typed it (the Chester audit: `walk_speed_kmh` named to a user who typed
    /// `--walk-speed`, or `walk_speed=` in Python); the message is the value and what was
    /// expected, without the engine's wording.
    #[test]
    fn every_refused_parameter_has_a_flag_and_a_keyword() {
        let window: Window = "07:00-09:00".parse().expect("a window");
        let cases: &[(&str, Spoil)] = &[
            ("date", |r| r.date = "2024-02-30".into()),
            ("percentile", |r| r.config.percentile = 0.0),
            ("max_minutes", |r| r.config.max_minutes = 0.0),
            ("walk_speed_kmh", |r| r.config.walk_speed_kmh = 0.0),
            ("detour", |r| r.config.detour = 0.5),
            ("max_walk_m", |r| r.config.max_walk_m = -1.0),
            ("max_transfer_walk_m", |r| r.config.max_transfer_walk_m = -5.0),
            ("transfer_slack_s", |r| r.config.transfer_slack_s = 90_000),
            ("max_rides", |r| r.config.max_rides = Some(0)),
            ("share_within", |r| r.config.share_within = Some(-1.0)),
        ];
        for &(name, spoil) in cases {
            // The parameters are checked before any file is read: none needs to exist.
            let mut req = MatrixRequest::new(
                "no-feed.zip".into(),
                "no-origins.csv".into(),
                "no-destinations.csv".into(),
                "2024-01-08".into(),
                window,
            );
            spoil(&mut req);
            match travel_times_block(&req, None, &crate::silent()) {
                Err(Error::Invalid { field, message }) => {
                    assert_eq!(field, name, "{message}");
                    let p = travel_parameter(&field).unwrap_or_else(|| panic!("{field} is not in TRAVEL_PARAMETERS"));
                    assert!(p.flag.starts_with("--"), "{p:?}");
                    assert!(p.keyword.is_some_and(|k| !k.starts_with('-')), "{p:?}");
                    assert!(!message.contains("invalid transit parameter"), "{name}: {message}");
                }
                other => panic!("{name}: expected Error::Invalid, found {other:?}"),
            }
        }
        // One row per engine name, and no two share an option or a keyword.
        for (i, a) in TRAVEL_PARAMETERS.iter().enumerate() {
            for b in &TRAVEL_PARAMETERS[i + 1..] {
                assert!(a.field != b.field && a.flag != b.flag, "{a:?} {b:?}");
                assert!(a.keyword.is_none() || a.keyword != b.keyword, "{a:?} {b:?}");
            }
        }
    }
}
