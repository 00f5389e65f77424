//! `hubplan travel-times`: an exact public-transport travel-time matrix from a GTFS timetable,
//! written in the planning run's `travel_times` format (`zone_id,site_id,minutes`).

use std::path::PathBuf;

use anyhow::{anyhow, Result};
use hubplan_run::{MatrixRequest, Window};
use hubplan_transit::TransitConfig;

use crate::{GtfsLimitArgs, Printer};

/// Arguments of `hubplan travel-times`.
#[derive(Debug, Clone, clap::Args)]
pub struct TravelTimesArgs {
    /// GTFS feed: a .zip file or a folder of .txt files.
    #[arg(long, value_name = "FEED")]
    pub gtfs: PathBuf,
    /// Origins (zones): CSV with `id` and lon/lat (or easting/northing), or GeoJSON.
    #[arg(long, value_name = "CSV")]
    pub origins: PathBuf,
    /// Destinations (sites): same formats as --origins.
    #[arg(long, value_name = "CSV")]
    pub destinations: PathBuf,
    /// Service date of the timetable, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: String,
    /// Departure window: one departure every minute in [start, end). Hours may exceed 24.
    #[arg(long, value_name = "HH:MM-HH:MM", default_value = "07:00-09:00")]
    pub window: String,
    /// Percentile of the per-minute travel times reported (nearest rank; unreachable = +inf).
    #[arg(long, default_value_t = 50.0)]
    pub percentile: f64,
    /// Pairs whose value exceeds this many minutes are omitted.
    #[arg(long, value_name = "MIN", default_value_t = 90.0)]
    pub max_minutes: f64,
    /// Walking speed, km/h.
    #[arg(long, value_name = "KMH", default_value_t = 4.8)]
    pub walk_speed: f64,
    /// Detour factor applied to straight-line walking distances.
    #[arg(long, default_value_t = 1.3)]
    pub detour: f64,
    /// Longest walk (metres, after the detour factor) to or from a stop, or origin to destination.
    #[arg(long, value_name = "M", default_value_t = 800.0)]
    pub max_walk: f64,
    /// Longest walk (metres) between two stops when changing vehicles.
    #[arg(long, value_name = "M", default_value_t = 400.0)]
    pub max_transfer_walk: f64,
    /// Transfer slack in seconds: arrival + walk + slack <= next departure.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub transfer_slack: u32,
    /// At most this many vehicles per journey (default: unlimited).
    #[arg(long, value_name = "N")]
    pub max_rides: Option<u32>,
    /// Also write `share_within`: the share of departure minutes with a time within MIN minutes.
    #[arg(long, value_name = "MIN")]
    pub share_within: Option<f64>,
    /// Output CSV (written to a temporary file, then renamed: no partial output).
    #[arg(long, value_name = "CSV", default_value = "travel_times.csv")]
    pub out: PathBuf,
    /// No progress bar and no feed summary.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub gtfs_limit: GtfsLimitArgs,
    /// OpenStreetMap extract (.osm.pbf): walks (access, egress, transfers, direct) follow its
    /// streets instead of straight lines × detour.
    #[arg(long, value_name = "FILE.osm.pbf")]
    pub osm: Option<PathBuf>,
    /// With --osm: largest distance in metres from a point or stop to the street it snaps to;
    /// farther points walk in straight lines (with a warning).
    #[arg(long, value_name = "M", default_value_t = hubplan_transit::DEFAULT_SNAP_M)]
    pub osm_snap: f64,
    /// With --osm: cache of the street walks, reused when the extract, the stops, the points
    /// and the walking rules are the same (a SHA-256 of them all); otherwise written there.
    #[arg(long, value_name = "FILE", requires = "osm")]
    pub walk_cache: Option<PathBuf>,
}

/// The facade's error, a refused engine parameter named by the option the user typed
/// (`--walk-speed`, not `walk_speed_kmh`; the table is `hubplan_run::TRAVEL_PARAMETERS`);
/// the value and what was expected are the library's.
fn flag_error(e: hubplan_run::Error) -> anyhow::Error {
    if let hubplan_run::Error::Invalid { field, message } = &e {
        if let Some(p) = hubplan_run::travel_parameter(field) {
            return anyhow!("{}: {message}", p.flag);
        }
    }
    e.into()
}

/// Runs `hubplan travel-times`.
pub fn run(args: &TravelTimesArgs) -> Result<()> {
    let window = Window::parse(&args.window).map_err(|e| anyhow!("--window: {e}"))?;
    let mut req = MatrixRequest::new(
        args.gtfs.clone(),
        args.origins.clone(),
        args.destinations.clone(),
        args.date.clone(),
        window,
    );
    req.config = TransitConfig {
        window_start_s: window.start_s,
        window_end_s: window.end_s,
        percentile: args.percentile,
        max_minutes: args.max_minutes,
        walk_speed_kmh: args.walk_speed,
        detour: args.detour,
        max_walk_m: args.max_walk,
        max_transfer_walk_m: args.max_transfer_walk,
        transfer_slack_s: args.transfer_slack,
        max_rides: args.max_rides,
        share_within: args.share_within,
    };
    req.gtfs_max_file_mib = args.gtfs_limit.gtfs_max_file_mib;
    if let Some(osm) = &args.osm {
        let mut streets = hubplan_run::StreetOptions::streets(osm.clone(), args.osm_snap);
        streets.walk_cache = args.walk_cache.clone();
        req.streets = streets;
    }
    let printer = Printer::new(args.quiet);
    let t = std::time::Instant::now();
    let m = hubplan_run::travel_times(&req, &printer).map_err(flag_error)?;
    m.write(&args.out)?;
    printer.note(&format!(
        "{} of {} pairs within {} min ({} origins × {} destinations, {:.2} s); wrote {}",
        m.entries.len(),
        m.origins.len() * m.destinations.len(),
        m.max_minutes,
        m.origins.len(),
        m.destinations.len(),
        t.elapsed().as_secs_f64(),
        args.out.display()
    ));
    Ok(())
}
