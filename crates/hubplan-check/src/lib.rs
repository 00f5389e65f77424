//! # hubplan-check
//!
//! Data-quality checks of a loaded scenario, as coded [`Notice`]s: the input that
//! parses cleanly but is wrong (a building geocoded to New York, a zone at (0, 0),
//! an id with a zero-width space, minutes that are really seconds…). Modelled on
//! MobilityData's gtfs-validator: every check has a stable code and one severity,
//! every notice names the file, row, field and value, and `docs/VALIDATION.md` is
//! the catalogue ([`CATALOGUE`] is the same list in code).
//!
//! | what | function |
//! |---|---|
//! | a loaded scenario (places, ids, zones, buildings, travel times, rules) | [`check_scenario`] |
//! | a GTFS feed and its loader's report | [`check_feed`] |
//! | an input that did not load (the loader's error, with a code) | [`notice_from_load_error`] |
//! | the loader's non-fatal remarks | [`notices_from_remarks`] |
//! | validation.json, validation.html, the grouped text | [`report::ValidationReport`] |
//!
//! Notices come back sorted (severity, code, file, row, field, value, message), so
//! the same inputs give the same list; no check depends on the order of rows except
//! through the row numbers it reports.
#![deny(missing_docs)]
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod gtfs;
mod ids;
mod places;
pub mod report;
mod rules;
mod sites;
mod travel;
mod zones;

use std::path::Path;

pub use hubplan::notice::{Notice, NoticeGroup, Severity};
use hubplan::travel::TravelTimes;
use hubplan_io::{IoError, IoErrorKind, LoadedScenario};

pub use gtfs::check_feed;
pub use rules::access_limit_out_of_range;

/// One code of the catalogue: its severity and what triggers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    /// The stable code.
    pub code: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// What triggers it, in a few words.
    pub trigger: &'static str,
}

macro_rules! catalogue {
    ($( $konst:ident = $code:literal, $sev:ident, $trigger:literal; )*) => {
        /// The stable codes, as constants.
        pub mod codes {
            $(
                #[doc = $trigger]
                pub const $konst: &str = $code;
            )*
        }
        /// Every code with its severity (docs/VALIDATION.md has examples and fixes).
        /// GTFS loader findings add `gtfs_dropped_*`, `gtfs_warning_*` and `gtfs_repaired_*`
        /// codes named after the loader's kinds (see [`check_feed`]).
        pub const CATALOGUE: &[Code] = &[
            $( Code { code: $code, severity: Severity::$sev, trigger: $trigger }, )*
        ];
    };
}

catalogue! {
    // Places
    POINT_OUTSIDE_CRS_AREA = "point_outside_crs_area", Error, "a point outside the area of use of British National Grid (EPSG:27700), where hubplan plans";
    BNG_VALUES_IN_WGS84_COLUMNS = "bng_values_in_wgs84_columns", Error, "British National Grid metres in lon/lat columns (the loader refuses them)";
    WGS84_VALUES_IN_BNG_COLUMNS = "wgs84_values_in_bng_columns", Error, "WGS84 degrees in easting/northing columns (the loader refuses them)";
    LAT_LON_SWAPPED = "lat_lon_swapped", Error, "latitude and longitude (or easting and northing) swapped (the loader refuses them)";
    POINT_AT_NULL_ISLAND = "point_at_null_island", Error, "a point at (0, 0)";
    POINT_FAR_FROM_OTHERS = "point_far_from_others", Warning, "a point far from every other zone and site (nearest-neighbour rule)";
    ZONES_AND_SITES_APART = "zones_and_sites_apart", Error, "most sites are far from every zone: the two files cover different areas";
    SITE_FAR_FROM_ZONES = "site_far_from_zones", Warning, "a site far outside the area the zones cover (farther from every zone than 4 × the zones' spacing, at least 5 km); a hint when its easting and northing look swapped";
    // Ids
    DUPLICATE_ID = "duplicate_id", Error, "the same id twice in one file (the loader refuses it)";
    DUPLICATE_ID_AFTER_NORMALISATION = "duplicate_id_after_normalisation", Error, "two ids that differ only in case, width, spaces or invisible characters";
    INVISIBLE_CHARACTER = "invisible_character", Warning, "an invisible or control character (zero-width, BOM, non-breaking space…) in a text field";
    UNKNOWN_REFERENCE = "unknown_reference", Error, "an id referenced in the travel matrix or the scenario that matches nothing (the loader refuses it, with a did-you-mean)";
    // Zones
    ZONE_NEED_ZERO = "zone_need_zero", Warning, "a zone whose need is 0: the access rule ignores it";
    ZONE_POPULATION_MISSING = "zone_population_missing", Warning, "a zone with an empty population cell where other zones have one";
    ZONE_POPULATION_ZERO = "zone_population_zero", Warning, "a zone with population 0 but need above 0";
    ZONE_NEED_ABOVE_POPULATION = "zone_need_above_population", Warning, "a zone whose need (or a service's need column) is above its population";
    IMD_DECILE_OUT_OF_RANGE = "imd_decile_out_of_range", Error, "an IMD decile that is not a whole number 1-10 (the loader refuses it)";
    IMD_DECILE_DISAGREES_WITH_RANK = "imd_decile_disagrees_with_rank", Warning, "an IMD decile that does not match the zone's imd_rank";
    ZONES_AT_SAME_POINT = "zones_at_same_point", Warning, "two or more zones within 1 m of each other";
    LSOA_CODE_MALFORMED = "lsoa_code_malformed", Warning, "a zone id that does not look like an LSOA code when most of the file's ids do";
    // Buildings
    SITE_WITHOUT_ANNUAL_COST = "site_without_annual_cost", Warning, "an existing building with annual cost 0";
    SITE_CAPACITY_ZERO = "site_capacity_zero", Warning, "a building with capacity 0: it can host no service that takes space";
    NEGATIVE_VALUE = "negative_value", Error, "a negative cost, backlog, receipt, capacity or need (the loader refuses it)";
    UNKNOWN_SERVICE = "unknown_service", Error, "a building's service that is not in services.csv (the loader refuses it)";
    CANDIDATE_WITHOUT_OPENING_COST = "candidate_without_opening_cost", Warning, "a candidate building with opening cost 0";
    SITE_COST_OUTLIER = "site_cost_outlier", Warning, "a cost over 100 times, or under a hundredth of, the estate's median";
    // Travel times
    TRAVEL_PAIRS_MISSING = "travel_pairs_missing", Info, "zone-site pairs absent from a supplied travel-time file (read as unreachable)";
    ZONE_NO_SITE_WITHIN_TWICE_LIMIT = "zone_no_site_within_twice_limit", Warning, "a zone with no site within twice the access limit, even with every site open";
    TRAVEL_TIME_NEGATIVE = "travel_time_negative", Error, "a negative travel time (the loader refuses it)";
    TRAVEL_TIME_OVER_24_HOURS = "travel_time_over_24_hours", Warning, "a travel time over 24 hours (1440 minutes)";
    TRAVEL_TIMES_UNLIKE_WALKING = "travel_times_unlike_walking", Warning, "most travel times are impossible against the straight-line walk (wrong units?)";
    NEED_UNREACHABLE_SHARE = "need_unreachable_share", Warning, "more than 5% of need has no site within the limit even with every site open";
    NO_NEED_WITHIN_LIMIT = "no_need_within_limit", Error, "no zone with need has a site within the limit, even with every site open: the travel times are missing or in the wrong units";
    // GTFS
    GTFS_CALENDAR_NOT_COVERING_DATE = "gtfs_calendar_not_covering_date", Error, "no trip of the GTFS feed runs on the analysis date";
    GTFS_NO_TRIPS_IN_WINDOW = "gtfs_no_trips_in_window", Error, "trips run on the date but none in the departure window";
    GTFS_STOPS_FAR_FROM_PLACES = "gtfs_stops_far_from_places", Info, "stops more than 20 km from every zone and site";
    GTFS_FEED_OUTSIDE_AREA = "gtfs_feed_outside_area", Error, "every stop is more than 20 km from every zone and site: the feed is for another area";
    // The rule and the scenario
    ACCESS_LIMIT_OUT_OF_RANGE = "access_limit_out_of_range", Warning, "an access limit outside 5-180 minutes";
    BUDGET_BELOW_CHEAPEST_PLAN = "budget_below_cheapest_plan", Error, "a budget below the cheapest plan that meets the access rule";
    BUDGET_NEVER_BINDS = "budget_never_binds", Warning, "a budget at or above the running cost of every building: it never binds";
    KEEP_AND_CLOSE_SAME_SITE = "keep_and_close_same_site", Error, "a building both forced open and forced closed (the loader refuses it)";
    SAVINGS_TARGET_ABOVE_RUNNING_COST = "savings_target_above_running_cost", Error, "a savings target above today's running cost";
    SERVICE_WITHOUT_BUILDING = "service_without_building", Warning, "a planned service that no building hosts today or can host: none of its need can be served";
    SCENARIO_CONTRADICTION = "scenario_contradiction", Error, "rules that contradict each other or the inputs, found by the core before solving";
    // The loader
    INPUT_REMARK = "input_remark", Warning, "a non-fatal remark of the loader (ignored columns, empty cost cells read as 0…)";
    INPUT_ERROR = "input_error", Error, "any other input the loader refuses (malformed file, missing column…)";
}

/// The severity of a code of [`CATALOGUE`] (GTFS loader codes by their prefix; an
/// unknown code is a warning).
pub fn severity_of(code: &str) -> Severity {
    if let Some(c) = CATALOGUE.iter().find(|c| c.code == code) {
        return c.severity;
    }
    if code.starts_with("gtfs_repaired_") {
        Severity::Info
    } else {
        Severity::Warning
    }
}

/// A notice of `code` with its catalogue severity.
pub(crate) fn notice(code: &str, message: impl Into<String>) -> Notice {
    Notice::new(code, severity_of(code), message)
}

/// What [`check_scenario`] may do beyond looking at the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// Solve the cheapest plan that meets the access rule, to compare the budget with
    /// (`budget_below_cheapest_plan`). Off in `hubplan plan` (the solve reports
    /// infeasibility itself), on in `hubplan validate`.
    pub solve: bool,
    /// Time limit of that solve, seconds.
    pub solve_seconds: u64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            solve: false,
            solve_seconds: 20,
        }
    }
}

/// How a file is named in notices: as the scenario names it (relative to its folder).
pub(crate) fn file_label(loaded: &LoadedScenario, p: &Path) -> String {
    p.strip_prefix(&loaded.base_dir)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Every data check of a loaded scenario: places, ids, zones, buildings, travel
/// times (`travel`: the matrix when computed from `[transit]`; else the scenario's
/// own), the rule and the scenario. The loader's remarks are included as
/// `input_remark` notices. Sorted.
pub fn check_scenario(loaded: &LoadedScenario, travel: Option<&TravelTimes>, opts: &CheckOptions) -> Vec<Notice> {
    let mut out: Vec<Notice> = loaded.warnings.iter().map(|w| remark(loaded, w)).collect();
    places::check(loaded, &mut out);
    ids::check(loaded, &mut out);
    zones::check(loaded, &mut out);
    sites::check(loaded, &mut out);
    let travel = travel.or(loaded.travel.as_ref());
    if let Some(t) = travel {
        travel::check(loaded, t, &mut out);
    }
    rules::check(loaded, travel, opts, &mut out);
    sort(&mut out);
    out
}

/// One remark of the loader as an `input_remark` notice, its file (and line)
/// taken out of the text when it starts with one of the scenario's files.
fn remark(loaded: &LoadedScenario, w: &str) -> Notice {
    for f in &loaded.files {
        let p = f.path.display().to_string();
        if let Some(rest) = w.strip_prefix(&p).and_then(|r| r.strip_prefix(':')) {
            let mut n = notice(codes::INPUT_REMARK, rest.trim_start()).file(file_label(loaded, &f.path));
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let (Ok(line), Some(after)) = (digits.parse::<u64>(), rest.get(digits.len()..)) {
                if let Some(after) = after.strip_prefix(':') {
                    n.row = Some(line);
                    n.message = after.trim_start().to_string();
                }
            }
            return n;
        }
    }
    notice(codes::INPUT_REMARK, w)
}

/// Sorts notices: severity, code, file, row, field, value, message.
pub fn sort(notices: &mut Vec<Notice>) {
    notices.sort();
    notices.dedup();
}

/// The loader's non-fatal remarks as `input_remark` warnings.
pub fn notices_from_remarks(remarks: &[String]) -> Vec<Notice> {
    remarks.iter().map(|w| notice(codes::INPUT_REMARK, w.clone())).collect()
}

/// The loader's error as a coded notice (an error): the message is the loader's,
/// word for word; the code says which check it is (`lat_lon_swapped`,
/// `duplicate_id`, `unknown_reference`…, else `input_error`).
pub fn notice_from_load_error(e: &IoError) -> Notice {
    let m = e.message.as_str();
    let code = match e.kind {
        IoErrorKind::DuplicateId => codes::DUPLICATE_ID,
        IoErrorKind::UnknownId if m.starts_with("unknown service ") => codes::UNKNOWN_SERVICE,
        IoErrorKind::UnknownId => codes::UNKNOWN_REFERENCE,
        IoErrorKind::Contradiction if m.contains("cannot be forced open and closed") => codes::KEEP_AND_CLOSE_SAME_SITE,
        IoErrorKind::BadValue => {
            let field = e.field.as_deref().unwrap_or("");
            if m.contains("look swapped") {
                codes::LAT_LON_SWAPPED
            } else if m.contains("look like British National Grid metres") {
                codes::BNG_VALUES_IN_WGS84_COLUMNS
            } else if m.contains("look like WGS84 degrees") {
                codes::WGS84_VALUES_IN_BNG_COLUMNS
            } else if m.contains("expected WGS84 degrees") || m.contains("expected British National Grid metres") {
                codes::POINT_OUTSIDE_CRS_AREA
            } else if m.starts_with("expected an IMD decile") {
                codes::IMD_DECILE_OUT_OF_RANGE
            } else if field == "minutes" && m.contains("found \"-") {
                codes::TRAVEL_TIME_NEGATIVE
            } else if m.contains("≥ 0") && m.contains("found \"-") {
                codes::NEGATIVE_VALUE
            } else {
                codes::INPUT_ERROR
            }
        }
        _ => codes::INPUT_ERROR,
    };
    let mut n = notice(code, m.to_string());
    if let Some(f) = &e.file {
        n = n.file(f.to_string_lossy().replace('\\', "/"));
    }
    n.row = e.line;
    n.field = e.field.clone();
    // The value the loader quotes (`found "abc"`), when it quotes one.
    if let Some(i) = m.find("found \"") {
        let rest = &m[i + 7..];
        if let Some(j) = rest.find('"') {
            n.value = Some(rest[..j].to_string());
        }
    } else if let Some(i) = m.find(" id \"") {
        let rest = &m[i + 5..];
        if let Some(j) = rest.find('"') {
            n.value = Some(rest[..j].to_string());
        }
    }
    n
}

/// Median of a non-empty slice (sorted copy); `None` when empty.
pub(crate) fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    Some(if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    })
}

/// Up to `n` items and "and K more".
pub(crate) fn examples(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        s.push_str(&format!(" and {} more", items.len() - n));
    }
    s
}

/// A number as people write it: no trailing `.0`, up to 2 decimals.
pub(crate) fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}
