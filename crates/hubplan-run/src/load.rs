//! Loading a scenario once: files, `[transit]` travel times, the model choice.

use std::path::Path;
use std::time::Instant;

use hubplan::travel::TravelTimes;
use hubplan::{Inputs, SiteIdx, ZoneIdx};
use hubplan_io::{InputsWithoutTravel, RunMeta, TransitSection};
use hubplan_transit::{
    load_feed, seconds_to_minutes_2dp, Feed, FeedReport, ServiceDate, TransitConfig, TransitError,
    DEFAULT_MAX_FILE_BYTES,
};

use crate::error::{Error, Result};
use crate::job::{Job, Model};

/// What a long step reports while it runs. A front end shows it (a progress bar,
/// stderr lines, a log) or ignores it; the library never prints.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A non-fatal remark about the inputs (shown as `warning: …` unless quiet).
    Warning(&'a str),
    /// A data-quality notice of the inputs (docs/VALIDATION.md), sent for every notice of
    /// a loaded scenario; a front end shows the warnings even when quiet (a warning is
    /// not progress).
    Notice(&'a hubplan::notice::Notice),
    /// What was done, with figures (e.g. "read 120 sites, … in 0.20 s"); shown unless quiet.
    Info(&'a str),
    /// A problem that dropped data from a GTFS feed: the travel times are computed
    /// without it, so a front end shows it even when quiet.
    DroppedData(&'a str),
    /// A long computation started: `what` names it, `total` counts its steps.
    Start {
        /// e.g. `travel times`, `sweep`, `alternatives`.
        what: &'a str,
        /// Number of steps.
        total: usize,
    },
    /// Steps done so far of the computation last started.
    Step {
        /// Steps done.
        done: usize,
    },
    /// The computation last started has finished.
    Finish,
}

/// A receiver of [`Event`]s. Any `Fn(Event) + Sync` closure is one; [`silent`] ignores all.
pub trait Progress: Sync {
    /// Receives one event.
    fn event(&self, e: Event<'_>);
}

impl<F: Fn(Event<'_>) + Sync> Progress for F {
    fn event(&self, e: Event<'_>) {
        self(e)
    }
}

/// A [`Progress`] that ignores every event.
pub fn silent() -> impl Progress {
    |_: Event<'_>| {}
}

/// Options of [`load`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadOptions {
    /// Largest size, in MiB, that one file of a GTFS feed may have once decompressed
    /// (zip-bomb guard). `None`: the scenario's `[transit] max_file_mib`, else 2048.
    pub gtfs_max_file_mib: Option<u32>,
}

impl LoadOptions {
    /// Options with a GTFS per-file limit, in MiB.
    pub fn with_gtfs_max_file_mib(mut self, mib: Option<u32>) -> Self {
        self.gtfs_max_file_mib = mib;
        self
    }
}

/// Reads a scenario and every input file once, computing travel times from `[transit]`
/// when the scenario asks for it, and chooses the model: [`Model::Services`] for a
/// scenario with a `[services]` table, else [`Model::Single`].
///
/// Errors name the file, line, field and what was expected.
pub fn load(path: &Path, options: &LoadOptions, progress: &dyn Progress) -> Result<Job> {
    Ok(load_inner(path, options, progress, false)?.0)
}

/// As [`load`], and the feasibility study's options (the `[study]` table, checked
/// against the zones file, with the zone shapes) for `hubplan study`.
pub fn load_for_study(
    path: &Path,
    options: &LoadOptions,
    progress: &dyn Progress,
) -> Result<(Job, hubplan::study::StudyOptions)> {
    let (job, study) = load_inner(path, options, progress, true)?;
    let study = study.ok_or_else(|| Error::Plan("internal error: the study options were not read".into()))?;
    Ok((job, study))
}

fn load_inner(
    path: &Path,
    options: &LoadOptions,
    progress: &dyn Progress,
    study: bool,
) -> Result<(Job, Option<hubplan::study::StudyOptions>)> {
    let t0 = Instant::now();
    let mut loaded = hubplan_io::load_scenario(path)?;
    let study = if study {
        Some(hubplan_io::study_options(&loaded)?)
    } else {
        check_annual_costs(&mut loaded)?;
        None
    };
    // The travel times from [transit] first, so that the data checks see them; the
    // timetable's own checks (the date against its calendar, trips in the window, stops
    // against the area) are the ones `hubplan validate` runs, and an error among them
    // refuses the run before the matrix is computed: a plan on a timetable with no
    // service that day would be a plan on walking alone.
    let (computed, street_notes, feed_notices) = match (&loaded.travel, &loaded.transit) {
        (None, Some(t)) => {
            let tt = read_timetable(t, options, progress)?;
            let feed_notices = feed_checks(&loaded, t, &tt);
            if feed_notices
                .iter()
                .any(|n| n.severity == hubplan::notice::Severity::Error)
            {
                for n in &feed_notices {
                    progress.event(Event::Notice(n));
                }
                return Err(Error::DataQuality(feed_notices));
            }
            let (travel, notes) = timetable_travel(t, &tt, &loaded.inputs_without_travel, progress)?;
            (Some(travel), notes, feed_notices)
        }
        _ => (None, StreetNotes::default(), Vec::new()),
    };
    // Data-quality notices (hubplan-check; the loader's remarks are among them): every one
    // is sent as an event; an error refuses the run.
    let mut notices =
        hubplan_check::check_scenario(&loaded, computed.as_ref(), &hubplan_check::CheckOptions::default());
    notices.extend(feed_notices);
    hubplan_check::sort(&mut notices);
    for n in &notices {
        progress.event(Event::Notice(n));
    }
    if notices.iter().any(|n| n.severity == hubplan::notice::Severity::Error) {
        return Err(Error::DataQuality(notices));
    }
    if computed.is_some() {
        loaded.travel = computed;
    }
    let mut meta = loaded.run_meta();
    meta.warnings = notices
        .iter()
        .filter(|n| n.severity != hubplan::notice::Severity::Info)
        .map(|n| n.to_string())
        .collect();
    meta.notices = notices;
    meta.warnings.extend(street_notes.warnings);
    if let Some(source) = street_notes.travel_source {
        meta.travel_source = source;
    }
    let model = match loaded.service_rules.clone() {
        Some(rules) => Model::Services(rules),
        None => Model::Single(loaded.scenario.clone()),
    };
    let (inputs, transit_words) = match (loaded.travel, &loaded.transit) {
        (Some(travel), None) => (hubplan_io::attach_travel(loaded.inputs_without_travel, travel)?, None),
        (Some(travel), Some(t)) => (
            hubplan_io::attach_travel(loaded.inputs_without_travel, travel)?,
            Some(timetable_words(t)),
        ),
        (None, _) => {
            return Err(hubplan_io::IoError::new(
                hubplan_io::IoErrorKind::MissingKey,
                "the scenario gives neither inputs.travel_times nor a [transit] section",
            )
            .in_file(path)
            .into())
        }
    };
    progress.event(Event::Info(&format!(
        "read {} sites, {} zones, {} travel-time pairs in {:.2} s",
        inputs.sites.len(),
        inputs.zones.len(),
        inputs.travel.n_pairs(),
        t0.elapsed().as_secs_f64()
    )));
    Ok((
        Job::new(inputs, model, meta, transit_words, Some(path.to_path_buf())),
        study,
    ))
}

/// A [`Job`] from values already in memory (for example data frames handed over by
/// Python): the inputs, the model, and the provenance to write beside a plan
/// (`RunMeta::default()` when there are no files). The scenario is checked here, so a
/// contradiction is reported before any solve.
pub fn from_values(inputs: Inputs, model: Model, meta: RunMeta) -> Result<Job> {
    match &model {
        Model::Single(sc) => hubplan::optimise::check_scenario(&inputs, sc)?,
        Model::Services(rules) => hubplan::colocate::check_rules(&inputs, rules)?,
    }
    Ok(Job::new(inputs, model, meta, None, None))
}

/// The timetable in words, for the appendix's provenance.
fn timetable_words(t: &TransitSection) -> String {
    let mut words = format!("computed from the GTFS timetable {}", t.gtfs.display());
    if let Some(d) = &t.date {
        words.push_str(&format!(", service date {d}"));
    }
    if let Some(w) = &t.window {
        words.push_str(&format!(", departures {w}"));
    }
    if let Some(p) = t.percentile {
        words.push_str(&format!(", {p}th percentile of journey time over the window"));
    }
    words
}

/// The GTFS loader's options: the per-file limit from the caller, else the scenario's
/// `[transit] max_file_mib`, else the library's default (2 GiB). The limit on all files
/// together is the library's default, raised to the per-file limit when that is larger,
/// so raising the one raises the other.
pub fn feed_options(flag: Option<u32>, scenario: Option<u32>) -> hubplan_transit::LoadOptions {
    let d = hubplan_transit::LoadOptions::default();
    let file = flag
        .or(scenario)
        .map_or(DEFAULT_MAX_FILE_BYTES, |mib| u64::from(mib) << 20);
    hubplan_transit::LoadOptions {
        max_file_bytes: file,
        max_total_bytes: d.max_total_bytes.max(file),
        ..d
    }
}

/// Loads a feed; a size-limit error names the feed, the file, the limit and how to raise it.
pub fn read_feed(path: &Path, date: ServiceDate, opts: &hubplan_transit::LoadOptions) -> Result<(Feed, FeedReport)> {
    load_feed(path, date, opts).map_err(|e| {
        Error::Transit(match e {
            TransitError::TooLarge {
                path,
                file,
                limit_bytes,
            } => format!(
                "GTFS feed {}: {file} is larger than the limit of {limit_bytes} bytes ({} MiB) once decompressed; \
                 the limit is --gtfs-max-file-mib, or max_file_mib in the scenario's [transit]",
                path.display(),
                limit_bytes as f64 / 1048576.0
            ),
            e => e.to_string(),
        })
    })
}

/// The engine's configuration from a `[transit]` section (defaults as the engine's).
pub fn config_from_section(t: &TransitSection) -> Result<TransitConfig> {
    let mut c = TransitConfig::default();
    if let Some(w) = t.window {
        c.window_start_s = w.start_s;
        c.window_end_s = w.end_s;
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
            return Err(Error::Transit(format!(
                "[transit] transfer_slack must be seconds ≥ 0, found {v}"
            )));
        }
        c.transfer_slack_s = v.round() as u32;
    }
    c.max_rides = t.max_rides;
    Ok(c)
}

/// Reports the feed problems that made the loader drop data (trips, rows), at most
/// ten and a count of the rest, as [`Event::DroppedData`].
pub fn report_feed_errors(feed: &Path, errors: &[String], progress: &dyn Progress) {
    for e in errors.iter().take(10) {
        progress.event(Event::DroppedData(&format!("GTFS feed {}: {e}", feed.display())));
    }
    if errors.len() > 10 {
        progress.event(Event::DroppedData(&format!(
            "GTFS feed {}: {} more problems that dropped data",
            feed.display(),
            errors.len() - 10
        )));
    }
}

/// The timetable's data-quality checks (`hubplan_check::check_feed`), exactly as
/// `hubplan validate` runs them: the loader's findings (dropped data, doubts,
/// repairs) as coded notices, no service on the date, no trip in the window, stops
/// far from the zones and sites. The feed is named as the scenario writes it.
pub(crate) fn feed_checks(
    loaded: &hubplan_io::LoadedScenario,
    t: &TransitSection,
    tt: &Timetable,
) -> Vec<hubplan::notice::Notice> {
    let label = t
        .gtfs
        .strip_prefix(&loaded.base_dir)
        .unwrap_or(&t.gtfs)
        .to_string_lossy()
        .replace('\\', "/");
    hubplan_check::check_feed(
        loaded,
        &tt.feed,
        &tt.report,
        Some((tt.cfg.window_start_s, tt.cfg.window_end_s)),
        tt.cfg.max_journey_s(),
        &label,
    )
}

/// A `[transit]` section's timetable, read once, and the engine's settings.
pub(crate) struct Timetable {
    /// The feed, for the service date.
    pub feed: Feed,
    /// What the loader found (and repaired or dropped).
    pub report: FeedReport,
    /// The engine's settings from the section.
    pub cfg: TransitConfig,
}

/// Reads the timetable of a `[transit]` section (its date checked, the size limit
/// applied) and reports what it holds as [`Event::Info`].
pub(crate) fn read_timetable(t: &TransitSection, options: &LoadOptions, progress: &dyn Progress) -> Result<Timetable> {
    let date = t.date.as_deref().ok_or_else(|| {
        Error::Transit(format!(
            "[transit] (line {}) needs a service date: date = \"YYYY-MM-DD\"",
            t.line
        ))
    })?;
    let date = ServiceDate::parse(date).map_err(|e| Error::Transit(format!("[transit] date: {e}")))?;
    let cfg = config_from_section(t)?;
    let opts = feed_options(options.gtfs_max_file_mib, t.max_file_mib);
    let (feed, report) = read_feed(&t.gtfs, date, &opts)
        .map_err(|e| Error::Transit(format!("reading the GTFS feed {}: {e}", t.gtfs.display())))?;
    progress.event(Event::Info(&format!(
        "timetable {}: {} trips, {} connections, {} stops on {}",
        t.gtfs.display(),
        report.trips_active,
        report.connections,
        report.stops_used,
        t.date.as_deref().unwrap_or("")
    )));
    Ok(Timetable { feed, report, cfg })
}

/// A plan's sites without running costs (docs/FORMATS.md, `annual_cost`): when no
/// building has an `annual_cost` (no such column, or every cell empty) every cost and
/// saving is £0. Under `min_cost`, whose whole aim is the least cost, that is an error;
/// under the other objectives a warning (the loader's remarks reach the CLI, `plan.json`
/// `warnings` and Python's `Plan.warnings`). A feasibility study needs no costs.
fn check_annual_costs(loaded: &mut hubplan_io::LoadedScenario) -> Result<()> {
    let (column, given) = loaded.rows.annual_costs;
    if given > 0 || loaded.inputs_without_travel.sites.is_empty() {
        return Ok(());
    }
    let file = loaded.rows.sites_file.display().to_string();
    let why = if column {
        "every `annual_cost` cell is empty"
    } else {
        "the file has no `annual_cost` column"
    };
    if loaded.scenario.objective == hubplan::ObjectiveKind::MinCost {
        return Err(hubplan_io::IoError::new(
            hubplan_io::IoErrorKind::MissingColumn,
            format!(
                "objective min_cost looks for the least annual running cost, but no building has one ({why}), so \
                 every plan would cost £0; give each building's running cost in pounds a year in `annual_cost`, or \
                 choose objective.kind = \"max_coverage\" or \"min_travel\""
            ),
        )
        .in_file(&file)
        .field("annual_cost")
        .into());
    }
    loaded.warnings.push(format!(
        "{file}: {why}: every building's running cost is taken as £0 a year, so the plan's costs and savings are \
         all £0; give `annual_cost` (pounds a year) to compare costs"
    ));
    Ok(())
}

/// Zone → site travel times over a timetable read by [`read_timetable`], walking on
/// the section's streets when it names an extract.
pub(crate) fn timetable_travel(
    t: &TransitSection,
    tt: &Timetable,
    inputs: &InputsWithoutTravel,
    progress: &dyn Progress,
) -> Result<(TravelTimes, StreetNotes)> {
    let (feed, cfg) = (&tt.feed, &tt.cfg);
    let origins: Vec<_> = inputs.zones.iter().map(|z| z.pos).collect();
    let dests: Vec<_> = inputs.sites.iter().map(|s| s.pos).collect();
    let streets = crate::streets::StreetOptions {
        osm: t.osm.clone(),
        snap_m: t.osm_snap.unwrap_or(hubplan_transit::DEFAULT_SNAP_M),
        walk_cache: None,
    };
    let links = crate::streets::walk_links(&streets, feed, &origins, &dests, cfg, progress)?;
    progress.event(Event::Start {
        what: "travel times",
        total: dests.len(),
    });
    let step = |done: usize, _total: usize| progress.event(Event::Step { done });
    let entries = hubplan_transit::travel_time_matrix_with(feed, &links.links, &origins, &dests, cfg, &step);
    progress.event(Event::Finish);
    let entries = entries.map_err(|e| Error::Transit(e.to_string()))?;
    let notes = StreetNotes {
        warnings: links.warnings,
        travel_source: links.snapping.map(|s| format!("transit; streets: {s}")),
    };
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
        .map_err(|e| Error::Transit(format!("internal error building the travel-time table: {e}")))?;
    Ok((travel, notes))
}

/// What walking on streets adds to a run's provenance.
#[derive(Debug, Default)]
pub(crate) struct StreetNotes {
    /// Points that could not snap (counted in the run's warnings).
    warnings: Vec<String>,
    /// `transit; streets: …` with the snapping statistics, when an extract was used.
    travel_source: Option<String>,
}
