//! Exact public-transport travel-time matrices from GTFS timetables plus walking.
//!
//! # What is computed
//! For an origin `o`, a destination `d` and a departure minute `t` of the window
//! (`window_start_s, +60, …` while `< window_end_s`), the travel time is
//! `EA(o, d, t) − t`, where `EA` is the earliest arrival at `d` of any journey that leaves `o`
//! at or after `t`: a direct walk, or walk to a stop (access), ride, optionally change
//! vehicles any number of times (or at most `max_rides` vehicles), and walk to `d` (egress).
//! Waiting counts. Changing from a vehicle arriving at stop `a` at `τa` to one leaving stop `b`
//! at `τd` needs `τa + walk(a, b) + slack ≤ τd`, with `walk(a, a) = 0` and `b` at most
//! `max_transfer_walk_m` away (a single hop); staying on the same vehicle needs no slack.
//! Walking time is `ceil(haversine × detour / speed)`; access, egress and the direct walk are
//! limited to `max_walk_m` walked metres. Over the window's minutes the reported value is the
//! `percentile`-th by nearest rank, unreachable minutes counting as +∞; pairs whose value exceeds
//! `max_minutes` are omitted. `docs/TRANSIT.md` has the full definition.
//!
//! # How
//! [`load_feed`] reads a GTFS zip or folder tolerantly (via `gtfs-structures`' row types) and
//! flattens one service date into a [`Feed`] of sorted connections (structure of arrays).
//! [`travel_time_matrix`] runs one reverse *profile Connection Scan* per destination
//! (Dibbelt, Pajor, Strasser, Wagner, "Intriguingly Simple and Fast Transit Routing", SEA 2013;
//! "Connection Scan Algorithm", ACM JEA 23, 2018), in parallel with rayon, with per-thread
//! scratch space, pruned to the connections that can matter for the window and the cutoff.
//! With `max_rides` the profiles are kept per number of rides, as in the round structure of
//! RAPTOR (Delling, Pajor, Werneck, "Round-Based Public Transit Routing", ALENEX 2012 /
//! Transportation Science 49(3), 2015). Results are exact: the tests compare every per-minute
//! time with an independent brute-force search on random feeds.
//!
//! # Example
//! ```
//! use hubplan_geo::LonLat;
//! use hubplan_transit::*;
//! let mut b = FeedBuilder::new(ServiceDate::new(2024, 1, 8).unwrap());
//! let a = b.add_stop("A", LonLat::new(0.0, 51.0));
//! let z = b.add_stop("Z", LonLat::new(0.1, 51.0));
//! let st = |stop, t| StopTime { stop, arrival: t, departure: t, pickup: true, drop_off: true };
//! b.add_trip("t", &[st(a, 8 * 3600 + 600), st(z, 8 * 3600 + 1200)]).unwrap();
//! let feed = b.build();
//! let cfg = TransitConfig { window_start_s: 8 * 3600, window_end_s: 8 * 3600 + 60, ..Default::default() };
//! let m = travel_time_matrix(&feed, &[LonLat::new(0.0, 51.0)], &[LonLat::new(0.1, 51.0)], &cfg, &|_, _| {}).unwrap();
//! assert_eq!(m[0].seconds, 1200); // wait 10 min, ride 10 min
//! assert_eq!(seconds_to_minutes_2dp(m[0].seconds), 20.0);
//! ```
#![deny(missing_docs)]
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod engine;
mod error;
mod feed;
mod links;
mod load;
mod osm;
mod walk;

pub use engine::{
    per_minute_times, per_minute_times_with, percentile_nearest_rank, seconds_to_minutes_2dp, travel_time_matrix,
    travel_time_matrix_with, MatrixEntry, TransitConfig, UNREACHABLE,
};
pub use error::{TableError, TransitError};
pub use feed::{Feed, FeedBuilder, ServiceDate, StopTime, MAX_TIME_S};
pub use links::{SnapReport, SnapStats, WalkLinks, DEFAULT_SNAP_M};
pub use load::{load_feed, FeedReport, LoadOptions, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES};
pub use osm::{is_walkable, load_osm, OsmReport, OsmWay, StreetNetwork, MIN_COMPONENT_NODES};
pub use walk::Walk;

#[doc(hidden)]
pub fn decode_text_for_tests(bytes: Vec<u8>) -> (String, bool) {
    load::decode_text(bytes)
}
