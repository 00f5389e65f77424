//! `hubplan travel-times`: an exact public-transport travel-time matrix from a GTFS timetable,
//! written in the planning run's `travel_times` format (`zone_id,site_id,minutes`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use hubplan::geo::LonLat;
use hubplan_transit::{seconds_to_minutes_2dp, travel_time_matrix_with, MatrixEntry, ServiceDate, TransitConfig};
use indicatif::{ProgressBar, ProgressStyle};

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
    pub gtfs_limit: crate::transit::GtfsLimitArgs,
    #[command(flatten)]
    pub osm: crate::transit::OsmArgs,
}

/// Parses `HH:MM-HH:MM` into seconds after midnight, `[start, end)`; hours up to 47.
fn parse_window(text: &str) -> Result<(u32, u32)> {
    let hm = |s: &str| -> Result<u32> {
        let (h, m) = s
            .trim()
            .split_once(':')
            .ok_or_else(|| anyhow!("expected HH:MM, found {s:?}"))?;
        let h: u32 = h.trim().parse().map_err(|_| anyhow!("expected an hour, found {h:?}"))?;
        let m: u32 = m.trim().parse().map_err(|_| anyhow!("expected minutes, found {m:?}"))?;
        if h > 47 || m > 59 {
            bail!("time {s:?} is out of range (hours 0–47, minutes 0–59)");
        }
        Ok(h * 3600 + m * 60)
    };
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| anyhow!("--window: expected HH:MM-HH:MM, found {text:?}"))?;
    let (a, b) = (hm(a).context("--window start")?, hm(b).context("--window end")?);
    if b <= a {
        bail!("--window {text:?} ends before it starts");
    }
    Ok((a, b))
}

/// The engine configuration from the flags.
fn config(args: &TravelTimesArgs) -> Result<TransitConfig> {
    let (window_start_s, window_end_s) = parse_window(&args.window)?;
    Ok(TransitConfig {
        window_start_s,
        window_end_s,
        percentile: args.percentile,
        max_minutes: args.max_minutes,
        walk_speed_kmh: args.walk_speed,
        detour: args.detour,
        max_walk_m: args.max_walk,
        max_transfer_walk_m: args.max_transfer_walk,
        transfer_slack_s: args.transfer_slack,
        max_rides: args.max_rides,
        share_within: args.share_within,
    })
}

/// Reads origin/destination points (id + position).
fn read_points(path: &Path, what: &str) -> Result<Vec<(String, LonLat)>> {
    hubplan_io::read_points(path)
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("reading the {what} {}", path.display()))
}

/// CSV field, quoted when needed.
fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// Writes the matrix to `out` through a temporary file in the same folder, renamed at the end.
fn write_matrix(
    out: &Path,
    zones: &[(String, LonLat)],
    sites: &[(String, LonLat)],
    entries: &[MatrixEntry],
    share: bool,
) -> Result<()> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .ok_or_else(|| anyhow!("--out {} is not a file name", out.display()))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    let result = (|| -> Result<()> {
        let file = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut w = std::io::BufWriter::new(file);
        writeln!(w, "zone_id,site_id,minutes{}", if share { ",share_within" } else { "" })?;
        for e in entries {
            let (z, s) = (&zones[e.origin as usize].0, &sites[e.destination as usize].0);
            write!(
                w,
                "{},{},{:.2}",
                csv_field(z),
                csv_field(s),
                seconds_to_minutes_2dp(e.seconds)
            )?;
            if share {
                write!(w, ",{:.4}", e.share_within.unwrap_or(0.0))?;
            }
            writeln!(w)?;
        }
        let file = w
            .into_inner()
            .map_err(|e| anyhow!("writing {}: {}", tmp.display(), e.error()))?;
        file.sync_all().with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, out).with_context(|| format!("renaming {} to {}", tmp.display(), out.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Runs `hubplan travel-times`.
pub fn run(args: &TravelTimesArgs) -> Result<()> {
    let date = ServiceDate::parse(&args.date).map_err(|e| anyhow!("--date: {e}"))?;
    let cfg = config(args)?;
    cfg.validate().map_err(|e| anyhow!("{e}"))?;
    let zones = read_points(&args.origins, "origins")?;
    let sites = read_points(&args.destinations, "destinations")?;
    // The street network first: a bad extract fails before the longer timetable load
    // (with a walk cache, only when the cache does not match).
    let streets = match args.osm.walk_cache {
        Some(_) => None,
        None => crate::transit::load_streets(args.osm.osm.as_deref(), args.quiet)?,
    };
    let opts = crate::transit::load_options(args.gtfs_limit.gtfs_max_file_mib, None);
    let (feed, report) = crate::transit::load(&args.gtfs, date, &opts)?;
    if !args.quiet {
        eprint!("{report}");
    } else {
        // dropped data changes the matrix: said even with --quiet
        crate::transit::print_feed_errors(&args.gtfs, &report.errors);
    }
    if report.trips_active == 0 {
        // always shown, even with --quiet: the matrix will be walking only
        eprintln!(
            "warning: the feed {} has NO SERVICE on {date}; only walking journeys are possible",
            args.gtfs.display()
        );
    }
    let origins: Vec<LonLat> = zones.iter().map(|z| z.1).collect();
    let dests: Vec<LonLat> = sites.iter().map(|s| s.1).collect();
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(dests.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("travel times {bar:40} {pos}/{len} destinations, {elapsed} elapsed, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: usize, _total: usize| bar.set_position(done as u64);
    let t = std::time::Instant::now();
    let links = crate::transit::walk_links(streets, &args.osm, &feed, &origins, &dests, &cfg, args.quiet)?;
    let entries =
        travel_time_matrix_with(&feed, &links.links, &origins, &dests, &cfg, &progress).map_err(|e| anyhow!("{e}"))?;
    bar.finish_and_clear();
    write_matrix(&args.out, &zones, &sites, &entries, cfg.share_within.is_some())?;
    if !args.quiet {
        eprintln!(
            "{} of {} pairs within {} min ({} origins × {} destinations, {:.2} s); wrote {}",
            entries.len(),
            origins.len() * dests.len(),
            cfg.max_minutes,
            origins.len(),
            dests.len(),
            t.elapsed().as_secs_f64(),
            args.out.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse() {
        assert_eq!(parse_window("14:00-15:00").unwrap(), (50_400, 54_000));
        assert_eq!(parse_window("23:30-25:00").unwrap(), (84_600, 90_000));
        assert!(parse_window("15:00-14:00").is_err());
        assert!(parse_window("1400-1500").is_err());
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("E01"), "E01");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
