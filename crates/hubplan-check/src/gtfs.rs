//! GTFS: the calendar against the date, trips in the window, stops against the
//! study area, and the loader's own findings as coded notices.

use hubplan::geo::{haversine_m, LonLat};
use hubplan_io::LoadedScenario;
use hubplan_transit::{Feed, FeedReport};

use crate::places::{tree, xyz};
use crate::{codes, notice, Notice};

/// A stop farther than this from every zone and site is far from the study area, km.
pub(crate) const STOP_FAR_KM: f64 = 20.0;

fn hhmm(s: u32) -> String {
    format!("{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

/// The code of one finding of the GTFS loader: `gtfs_dropped_<kind>` for data it
/// dropped, `gtfs_warning_<kind>` for what it kept but doubts, `gtfs_repaired_<kind>`
/// for what it repaired; a date with no service is `gtfs_calendar_not_covering_date`.
pub fn gtfs_code(list: &str, kind: &str) -> String {
    if kind == "no-service" {
        return codes::GTFS_CALENDAR_NOT_COVERING_DATE.to_string();
    }
    let prefix = match list {
        "error" => "gtfs_dropped_",
        "repair" => "gtfs_repaired_",
        _ => "gtfs_warning_",
    };
    format!("{prefix}{}", kind.replace('-', "_"))
}

/// Checks a loaded feed against the scenario: the loader's findings (each with a
/// code), no trip within reach of the departure window `window` (seconds after
/// midnight, `[start, end)`; a journey leaving in it may wait for a vehicle, so a trip
/// is within reach when it runs after the window starts and departs at most
/// `max_journey_s`, the longest journey kept, after the window's last minute), stops
/// far from every zone and site. `feed_label` names the feed in notices. Sorted.
pub fn check_feed(
    loaded: &LoadedScenario,
    feed: &Feed,
    report: &FeedReport,
    window: Option<(u32, u32)>,
    max_journey_s: u32,
    feed_label: &str,
) -> Vec<Notice> {
    let mut out = Vec::new();
    for (list, kind, msg) in &report.coded {
        out.push(notice(&gtfs_code(list, kind), msg.clone()).file(feed_label));
    }
    if let (Some((a, b)), Some((first, last))) = (window, feed.service_span()) {
        // The last departure minute of the window, and the latest boarding that can
        // still end a journey leaving then.
        let last_minute = a + 60 * (b.saturating_sub(a).div_ceil(60).max(1) - 1);
        let reach = last_minute.saturating_add(max_journey_s);
        if report.trips_active > 0 && (first > reach || a >= last) {
            out.push(
                notice(
                    codes::GTFS_NO_TRIPS_IN_WINDOW,
                    format!(
                        "{} trips run on {} but none within reach of the window {}-{} (a journey leaving in it may wait up to {} minutes for a vehicle): service runs from {} to {}; every journey in the window is walking only",
                        report.trips_active,
                        feed.date(),
                        hhmm(a),
                        hhmm(b),
                        max_journey_s / 60,
                        hhmm(first),
                        hhmm(last)
                    ),
                )
                .file(feed_label)
                .field("transit.window")
                .value(format!("{}-{}", hhmm(a), hhmm(b))),
            );
        }
    }
    // Stops against the zones and sites.
    let inp = &loaded.inputs_without_travel;
    let places: Vec<LonLat> = inp
        .zones
        .iter()
        .map(|z| z.pos)
        .chain(inp.sites.iter().map(|s| s.pos))
        .collect();
    let n = feed.stop_count();
    if !places.is_empty() && n > 0 {
        let t = tree(&places);
        let mut far: Vec<String> = Vec::new();
        for i in 0..n {
            let p = feed.stop_position(i);
            if !p.is_valid() {
                continue;
            }
            let d = t
                .nearest_neighbor(&xyz(p))
                .map_or(f64::INFINITY, |e| haversine_m(p, places[e.data]) / 1000.0);
            if d > STOP_FAR_KM {
                far.push(feed.stop_id(i).to_string());
            }
        }
        far.sort();
        if !far.is_empty() && far.len() == n {
            out.push(
                notice(
                    codes::GTFS_FEED_OUTSIDE_AREA,
                    format!(
                        "all {n} stops of the feed are more than {STOP_FAR_KM} km from every zone and site: the timetable is for another area, and every journey would be walking only"
                    ),
                )
                .file(feed_label)
                .field("stops.txt"),
            );
        } else if !far.is_empty() {
            out.push(
                notice(
                    codes::GTFS_STOPS_FAR_FROM_PLACES,
                    format!(
                        "{} of {n} stops ({:.1}%) are more than {STOP_FAR_KM} km from every zone and site (e.g. {}): harmless if the feed covers a wider area; they only slow the computation",
                        far.len(),
                        100.0 * far.len() as f64 / n as f64,
                        crate::examples(&far, 5)
                    ),
                )
                .file(feed_label)
                .field("stops.txt")
                .value(format!("{} of {n}", far.len())),
            );
        }
    }
    crate::sort(&mut out);
    out
}
