//! Glue between a scenario's `[transit]` section and the transit engine.

use anyhow::{anyhow, Context, Result};
use hubplan::travel::TravelTimes;
use hubplan::{SiteIdx, ZoneIdx};
use hubplan_io::{InputsWithoutTravel, TransitSection};
use hubplan_transit::{
    load_feed, load_osm, seconds_to_minutes_2dp, travel_time_matrix_with, Feed, FeedReport, LoadOptions, ServiceDate,
    StreetNetwork, TransitConfig, TransitError, WalkLinks, DEFAULT_MAX_FILE_BYTES, DEFAULT_SNAP_M,
};
use indicatif::{ProgressBar, ProgressStyle};

/// The GTFS loader's size limit, a flag of every command that may read a timetable
/// (`travel-times`, and `plan`, `validate`, `sweep`, `report` on a scenario with `[transit]`).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct GtfsLimitArgs {
    /// Largest size, in MiB, that one file of a GTFS feed may have once decompressed (zip-bomb
    /// guard: reading one file never holds more). Default 2048, or a scenario's [transit]
    /// max_file_mib.
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u32).range(1..))]
    pub gtfs_max_file_mib: Option<u32>,
}

/// Walking on OpenStreetMap streets (`travel-times`; a scenario's `[transit]` has `osm = "..."`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OsmArgs {
    /// OpenStreetMap extract (.osm.pbf): walks (access, egress, transfers, direct) follow its
    /// streets instead of straight lines × detour.
    #[arg(long, value_name = "FILE.osm.pbf")]
    pub osm: Option<std::path::PathBuf>,
    /// With --osm: largest distance in metres from a point or stop to the street it snaps to;
    /// farther points walk in straight lines (with a warning).
    #[arg(long, value_name = "M", default_value_t = DEFAULT_SNAP_M)]
    pub osm_snap: f64,
    /// With --osm: cache of the street walks (stop-to-stop, point-to-stop, point-to-point).
    /// Reused when the extract, the stops, the points and the walking rules are the same
    /// (a SHA-256 of them all); otherwise computed and written there.
    #[arg(long, value_name = "FILE", requires = "osm")]
    pub walk_cache: Option<std::path::PathBuf>,
}

/// Reads the street network when an OSM extract is given (errors name the file).
pub fn load_streets(osm: Option<&std::path::Path>, quiet: bool) -> Result<Option<StreetNetwork>> {
    let Some(path) = osm else { return Ok(None) };
    let t = std::time::Instant::now();
    let (net, report) = load_osm(path).map_err(|e| anyhow!("{e}"))?;
    if !quiet {
        eprintln!(
            "streets {}: {report}; built in {:.2} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
    Ok(Some(net))
}

/// Walking links and what to record about them.
#[derive(Debug)]
pub struct Links {
    /// The links for the engine.
    pub links: WalkLinks,
    /// Warnings for the run (points that could not snap to a street).
    pub warnings: Vec<String>,
    /// The snapping statistics, for provenance (`None` without streets).
    pub snapping: Option<String>,
}

/// Straight-line links, or street links with an OSM extract: from `streets` when already read,
/// else from the walk cache when it matches, else read and computed (and cached when asked).
/// Snapping warnings are printed always (they change the walks), the statistics unless `quiet`.
pub fn walk_links(
    streets: Option<StreetNetwork>,
    osm: &OsmArgs,
    feed: &Feed,
    origins: &[hubplan::geo::LonLat],
    dests: &[hubplan::geo::LonLat],
    cfg: &TransitConfig,
    quiet: bool,
) -> Result<Links> {
    let Some(osm_path) = osm.osm.as_deref() else {
        let links = WalkLinks::straight(feed, origins, dests, cfg).map_err(|e| anyhow!("{e}"))?;
        return Ok(Links {
            links,
            warnings: Vec::new(),
            snapping: None,
        });
    };
    let t = std::time::Instant::now();
    let cache = match &osm.walk_cache {
        Some(p) => {
            let sha = hubplan_io::sha256_file(osm_path).map_err(|e| anyhow!("{e}"))?;
            Some((p, WalkLinks::cache_key(&sha, feed, origins, dests, cfg, osm.osm_snap)))
        }
        None => None,
    };
    let cached = cache
        .as_ref()
        .and_then(|(p, key)| WalkLinks::load_cache(p, key, feed, origins, dests, cfg));
    let links = match cached {
        Some(l) => {
            if !quiet {
                eprintln!(
                    "street walks read from the cache {}",
                    cache.as_ref().map_or(String::new(), |c| c.0.display().to_string())
                );
            }
            l
        }
        None => {
            let net = match streets {
                Some(n) => n,
                None => load_streets(Some(osm_path), quiet)?.ok_or_else(|| anyhow!("no street network"))?,
            };
            let l = WalkLinks::streets(&net, feed, origins, dests, cfg, osm.osm_snap).map_err(|e| anyhow!("{e}"))?;
            if let Some((p, key)) = &cache {
                l.save_cache(p, key)
                    .map_err(|e| anyhow!("writing the walk cache: {e}"))?;
            }
            l
        }
    };
    let (warnings, snapping) = match links.snapping() {
        Some(r) => (r.warnings(), Some(r.to_string())),
        None => (Vec::new(), None),
    };
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if !quiet {
        if let Some(s) = &snapping {
            eprintln!("{s} street walks in {:.2} s", t.elapsed().as_secs_f64());
        }
    }
    Ok(Links {
        links,
        warnings,
        snapping,
    })
}

/// The loader's options: the per-file limit from the flag, else the scenario's
/// `[transit] max_file_mib`, else the library's default (2 GiB). The limit on all files
/// together is the library's default, raised to the per-file limit when that is larger,
/// so raising the one raises the other.
pub fn load_options(flag: Option<u32>, scenario: Option<u32>) -> LoadOptions {
    let d = LoadOptions::default();
    let file = flag
        .or(scenario)
        .map_or(DEFAULT_MAX_FILE_BYTES, |mib| u64::from(mib) << 20);
    LoadOptions {
        max_file_bytes: file,
        max_total_bytes: d.max_total_bytes.max(file),
        ..d
    }
}

/// Loads a feed; a size-limit error names the feed, the file, the limit and how to raise it.
pub fn load(path: &std::path::Path, date: ServiceDate, opts: &LoadOptions) -> Result<(Feed, FeedReport)> {
    load_feed(path, date, opts).map_err(|e| match e {
        TransitError::TooLarge {
            path,
            file,
            limit_bytes,
        } => anyhow!(
            "GTFS feed {}: {file} is larger than the limit of {limit_bytes} bytes ({} MiB) once decompressed; \
             the limit is --gtfs-max-file-mib, or max_file_mib in the scenario's [transit]",
            path.display(),
            limit_bytes as f64 / 1048576.0
        ),
        e => anyhow!("{e}"),
    })
}

/// Parses `HH:MM-HH:MM` into seconds after midnight `[start, end)`.
pub fn parse_window(text: &str) -> Result<(u32, u32)> {
    let hm = |s: &str| -> Result<u32> {
        let (h, m) = s
            .trim()
            .split_once(':')
            .ok_or_else(|| anyhow!("expected HH:MM, found {s:?}"))?;
        let h: u32 = h.parse().map_err(|_| anyhow!("expected an hour, found {h:?}"))?;
        let m: u32 = m.parse().map_err(|_| anyhow!("expected minutes, found {m:?}"))?;
        if h > 47 || m > 59 {
            return Err(anyhow!("time {s:?} is out of range (hours 0–47, minutes 0–59)"));
        }
        Ok(h * 3600 + m * 60)
    };
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| anyhow!("expected a window HH:MM-HH:MM, found {text:?}"))?;
    let (a, b) = (hm(a)?, hm(b)?);
    if b <= a {
        return Err(anyhow!("the window {text:?} ends before it starts"));
    }
    Ok((a, b))
}

/// The engine's configuration from a `[transit]` section (defaults as the engine's).
pub fn config_from_section(t: &TransitSection) -> Result<TransitConfig> {
    let mut c = TransitConfig::default();
    if let Some(w) = &t.window {
        let (a, b) = parse_window(w).with_context(|| format!("[transit] window (line {})", t.line))?;
        c.window_start_s = a;
        c.window_end_s = b;
    }
    if let Some(p) = t.percentile {
        c.percentile = p;
    }
    if let Some(m) = t.max_minutes {
        c.max_minutes = m;
    }
    if let Some(v) = t.walk_speed {
        c.walk_speed_kmh = v;
    }
    if let Some(v) = t.detour {
        c.detour = v;
    }
    if let Some(v) = t.max_walk {
        c.max_walk_m = v;
    }
    if let Some(v) = t.max_transfer_walk {
        c.max_transfer_walk_m = v;
    }
    if let Some(v) = t.transfer_slack {
        if !(v.is_finite() && v >= 0.0) {
            return Err(anyhow!("[transit] transfer_slack must be seconds ≥ 0, found {v}"));
        }
        c.transfer_slack_s = v.round() as u32;
    }
    c.max_rides = t.max_rides;
    Ok(c)
}

/// Prints the feed problems that made the loader drop data (trips, rows), at most ten and a
/// count of the rest. Shown even with `--quiet`: the travel times are computed without that data.
pub fn print_feed_errors(feed: &std::path::Path, errors: &[String]) {
    for e in errors.iter().take(10) {
        eprintln!("warning: GTFS feed {}: {e}", feed.display());
    }
    if errors.len() > 10 {
        eprintln!(
            "warning: GTFS feed {}: {} more problems that dropped data",
            feed.display(),
            errors.len() - 10
        );
    }
}

/// What a `[transit]` run adds to the run's provenance: snapping warnings, and the travel
/// source naming the street network and its snapping statistics.
#[derive(Debug, Default)]
pub struct TransitNotes {
    /// Warnings to count in the run.
    pub warnings: Vec<String>,
    /// `transit; streets: …` when an OSM extract was used.
    pub travel_source: Option<String>,
}

impl TransitNotes {
    /// Adds the notes to the run's metadata.
    pub fn apply(self, meta: &mut hubplan_io::RunMeta) {
        meta.warnings.extend(self.warnings);
        if let Some(s) = self.travel_source {
            meta.travel_source = s;
        }
    }
}

/// Computes zone → site travel times from the scenario's timetable (on the streets of its
/// `osm` extract, when given).
pub fn travel_from_section(
    t: &TransitSection,
    inputs: &InputsWithoutTravel,
    quiet: bool,
    limit: &GtfsLimitArgs,
) -> Result<(TravelTimes, TransitNotes)> {
    let date = t.date.as_deref().ok_or_else(|| {
        anyhow!(
            "[transit] (line {}) needs a service date: date = \"YYYY-MM-DD\"",
            t.line
        )
    })?;
    let date = ServiceDate::parse(date).map_err(|e| anyhow!("[transit] date: {e}"))?;
    let cfg = config_from_section(t)?;
    let opts = load_options(limit.gtfs_max_file_mib, t.max_file_mib);
    let streets = load_streets(t.osm.as_deref(), quiet)?;
    let (feed, report) =
        load(&t.gtfs, date, &opts).with_context(|| format!("reading the GTFS feed {}", t.gtfs.display()))?;
    if !quiet {
        eprintln!(
            "timetable {}: {} trips, {} connections, {} stops on {}",
            t.gtfs.display(),
            report.trips_active,
            report.connections,
            report.stops_used,
            t.date.as_deref().unwrap_or("")
        );
        for w in report.warnings.iter().take(10) {
            eprintln!("warning: {w}");
        }
    }
    // Data the loader dropped changes the travel times: always said, even with --quiet.
    print_feed_errors(&t.gtfs, &report.errors);
    let origins: Vec<_> = inputs.zones.iter().map(|z| z.pos).collect();
    let dests: Vec<_> = inputs.sites.iter().map(|s| s.pos).collect();
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(dests.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("travel times {bar:40} {pos}/{len} sites, {elapsed} elapsed, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: usize, _total: usize| bar.set_position(done as u64);
    let osm = OsmArgs {
        osm: t.osm.clone(),
        osm_snap: t.osm_snap.unwrap_or(DEFAULT_SNAP_M),
        walk_cache: None,
    };
    let links = walk_links(streets, &osm, &feed, &origins, &dests, &cfg, quiet)?;
    let entries =
        travel_time_matrix_with(&feed, &links.links, &origins, &dests, &cfg, &progress).map_err(|e| anyhow!("{e}"))?;
    bar.finish_and_clear();
    let triples = entries
        .iter()
        .map(|e| {
            (
                ZoneIdx(e.origin),
                SiteIdx(e.destination),
                seconds_to_minutes_2dp(e.seconds),
            )
        })
        .collect();
    let travel = TravelTimes::from_triples(inputs.zones.len(), inputs.sites.len(), triples)
        .map_err(|e| anyhow!("internal error building the travel-time table: {e:?}"))?;
    let notes = TransitNotes {
        warnings: links.warnings,
        travel_source: links.snapping.map(|s| format!("transit; streets: {s}")),
    };
    Ok((travel, notes))
}
