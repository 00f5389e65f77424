//! The flattened timetable of one service date.

use hubplan_geo::LonLat;

use crate::TransitError;

/// A calendar date (proleptic Gregorian), the service day a [`Feed`] is built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceDate {
    /// Year, e.g. 2019.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
}

impl ServiceDate {
    /// A date, checked for existence (no 30 February).
    ///
    /// Returns [`TransitError::Config`] for an impossible date.
    pub fn new(year: i32, month: u32, day: u32) -> Result<Self, TransitError> {
        match chrono::NaiveDate::from_ymd_opt(year, month, day) {
            Some(_) => Ok(ServiceDate { year, month, day }),
            None => Err(TransitError::Config {
                name: "date",
                message: format!("{year:04}-{month:02}-{day:02} is not a calendar date"),
            }),
        }
    }

    /// Parses `YYYY-MM-DD` (also accepts GTFS's `YYYYMMDD`).
    pub fn parse(text: &str) -> Result<Self, TransitError> {
        let t = text.trim();
        let bad = || TransitError::Config {
            name: "date",
            message: format!("{text:?} is not a date; expected YYYY-MM-DD"),
        };
        let (y, m, d) = if t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
            (t.get(0..4), t.get(5..7), t.get(8..10))
        } else if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            (t.get(0..4), t.get(4..6), t.get(6..8))
        } else {
            return Err(bad());
        };
        let num =
            |s: Option<&str>| -> Result<u32, TransitError> { s.and_then(|s| s.parse::<u32>().ok()).ok_or_else(bad) };
        let y = num(y)? as i32;
        ServiceDate::new(y, num(m)?, num(d)?)
    }

    pub(crate) fn to_naive(self) -> chrono::NaiveDate {
        // Checked in `new`; struct literals with bad values fall back to a harmless date.
        chrono::NaiveDate::from_ymd_opt(self.year, self.month, self.day).unwrap_or_default()
    }
}

impl std::fmt::Display for ServiceDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One call of a vehicle at a stop, as given to [`FeedBuilder::add_trip`] and as
/// returned by [`Feed::trip_stop_times`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StopTime {
    /// Stop index (into the feed's stops).
    pub stop: u32,
    /// Arrival, seconds after midnight of the service date (may exceed 86 400).
    pub arrival: u32,
    /// Departure, seconds after midnight of the service date; `>= arrival`.
    pub departure: u32,
    /// Passengers may board here (GTFS `pickup_type` other than 1).
    pub pickup: bool,
    /// Passengers may alight here (GTFS `drop_off_type` other than 1).
    pub drop_off: bool,
}

/// Largest time accepted in a timetable: 30 days after midnight of the service date, in seconds.
/// (Keeps all sums of times, walks and cutoffs far from `u32` overflow.)
pub const MAX_TIME_S: u32 = 30 * 86_400;

/// Connection flag: boarding is forbidden at the departure stop.
pub(crate) const NO_BOARD: u8 = 1;
/// Connection flag: alighting is forbidden at the arrival stop.
pub(crate) const NO_ALIGHT: u8 = 2;

/// The timetable of one service date, flattened for routing.
///
/// Layout is structure-of-arrays: stops (`LonLat` + id), vehicle runs ("trips"
/// after `frequencies.txt` expansion, each a slice of stop times), and the
/// elementary *connections* (vehicle leaves stop A at `dep`, reaches the next stop
/// B at `arr`) sorted by `(dep, arr, trip, position)` as the Connection Scan
/// Algorithm needs (Dibbelt, Pajor, Strasser, Wagner 2013/2018).
///
/// Times are integer seconds after midnight of the service date; runs of the
/// previous service date that are still running after midnight are included
/// (shifted by −24 h), so a window just after midnight is served correctly.
#[derive(Clone, Debug)]
pub struct Feed {
    pub(crate) date: ServiceDate,
    pub(crate) stop_ids: Vec<String>,
    pub(crate) stop_pos: Vec<LonLat>,
    pub(crate) trip_names: Vec<String>,
    pub(crate) trip_start: Vec<u32>,
    pub(crate) st_stop: Vec<u32>,
    pub(crate) st_arr: Vec<u32>,
    pub(crate) st_dep: Vec<u32>,
    pub(crate) st_flags: Vec<u8>,
    pub(crate) c_dep: Vec<u32>,
    pub(crate) c_arr: Vec<u32>,
    pub(crate) c_from: Vec<u32>,
    pub(crate) c_to: Vec<u32>,
    pub(crate) c_trip: Vec<u32>,
    pub(crate) c_flags: Vec<u8>,
    /// For each connection, the index of the next connection of the same run
    /// (always larger), or `u32::MAX`.
    pub(crate) c_next: Vec<u32>,
}

impl Feed {
    /// The service date this feed was built for.
    pub fn date(&self) -> ServiceDate {
        self.date
    }
    /// Number of stops (including unused ones and ones with unusable coordinates).
    pub fn stop_count(&self) -> usize {
        self.stop_pos.len()
    }
    /// Position of stop `i`; NaN coordinates mean "unknown / unusable" (no walking links).
    ///
    /// # Panics
    /// If `i >= stop_count()`.
    pub fn stop_position(&self, i: usize) -> LonLat {
        self.stop_pos[i]
    }
    /// GTFS `stop_id` of stop `i` (or the name given to [`FeedBuilder::add_stop`]).
    ///
    /// # Panics
    /// If `i >= stop_count()`.
    pub fn stop_id(&self, i: usize) -> &str {
        &self.stop_ids[i]
    }
    /// Number of vehicle runs (trips after frequency expansion, plus runs of the
    /// previous day still running after midnight).
    pub fn trip_count(&self) -> usize {
        self.trip_names.len()
    }
    /// Name of run `i` (the GTFS `trip_id`, with `#k` appended for the k-th run of a frequency trip
    /// and `@-1d` for a run of the previous service day).
    ///
    /// # Panics
    /// If `i >= trip_count()`.
    pub fn trip_name(&self, i: usize) -> &str {
        &self.trip_names[i]
    }
    /// The stop times of run `i`, in order of travel.
    ///
    /// # Panics
    /// If `i >= trip_count()`.
    pub fn trip_stop_times(&self, i: usize) -> Vec<StopTime> {
        let (a, b) = (self.trip_start[i] as usize, self.trip_start[i + 1] as usize);
        (a..b)
            .map(|k| StopTime {
                stop: self.st_stop[k],
                arrival: self.st_arr[k],
                departure: self.st_dep[k],
                pickup: self.st_flags[k] & NO_BOARD == 0,
                drop_off: self.st_flags[k] & NO_ALIGHT == 0,
            })
            .collect()
    }
    /// Number of elementary connections (stop-to-next-stop hops of all runs).
    pub fn connection_count(&self) -> usize {
        self.c_dep.len()
    }
    /// Earliest departure and latest arrival over all connections, or `None` if there is no service.
    pub fn service_span(&self) -> Option<(u32, u32)> {
        let first = *self.c_dep.first()?;
        let last = self.c_arr.iter().copied().max()?;
        Some((first, last))
    }
}

/// Builds a [`Feed`] from stops and vehicle runs given directly (synthetic
/// networks, tests, generators), without GTFS files.
///
/// ```
/// use hubplan_geo::LonLat;
/// use hubplan_transit::{FeedBuilder, ServiceDate, StopTime};
/// let mut b = FeedBuilder::new(ServiceDate::new(2024, 1, 8).unwrap());
/// let a = b.add_stop("A", LonLat::new(0.0, 51.0));
/// let c = b.add_stop("C", LonLat::new(0.05, 51.0));
/// let st = |stop, t| StopTime { stop, arrival: t, departure: t, pickup: true, drop_off: true };
/// b.add_trip("t1", &[st(a, 36_000), st(c, 36_600)]).unwrap();
/// let feed = b.build();
/// assert_eq!(feed.connection_count(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct FeedBuilder {
    date: ServiceDate,
    stop_ids: Vec<String>,
    stop_pos: Vec<LonLat>,
    trip_names: Vec<String>,
    trip_start: Vec<u32>,
    st_stop: Vec<u32>,
    st_arr: Vec<u32>,
    st_dep: Vec<u32>,
    st_flags: Vec<u8>,
}

impl FeedBuilder {
    /// An empty builder for the given service date.
    pub fn new(date: ServiceDate) -> Self {
        FeedBuilder {
            date,
            stop_ids: Vec::new(),
            stop_pos: Vec::new(),
            trip_names: Vec::new(),
            trip_start: vec![0],
            st_stop: Vec::new(),
            st_arr: Vec::new(),
            st_dep: Vec::new(),
            st_flags: Vec::new(),
        }
    }

    /// Adds a stop and returns its index. Invalid coordinates (see
    /// [`LonLat::is_valid`]) are stored as NaN: the stop keeps its timetable but
    /// gets no walking links.
    pub fn add_stop(&mut self, id: impl Into<String>, pos: LonLat) -> u32 {
        let pos = if pos.is_valid() {
            pos
        } else {
            LonLat::new(f64::NAN, f64::NAN)
        };
        self.stop_ids.push(id.into());
        self.stop_pos.push(pos);
        (self.stop_pos.len() - 1) as u32
    }

    pub(crate) fn stop_pos_at(&self, i: usize) -> LonLat {
        self.stop_pos[i]
    }

    /// Number of stops added so far.
    pub fn stop_count(&self) -> usize {
        self.stop_pos.len()
    }

    /// Adds a vehicle run and returns its index.
    ///
    /// Requires at least two stop times, known stop indices, `arrival <= departure`
    /// at every stop and `departure <= next arrival`; otherwise returns
    /// [`TransitError::Builder`] and adds nothing.
    ///
    /// Complexity: O(len).
    pub fn add_trip(&mut self, name: impl Into<String>, stop_times: &[StopTime]) -> Result<u32, TransitError> {
        let trip = self.trip_names.len();
        let err = |message: String| TransitError::Builder { trip, message };
        if stop_times.len() < 2 {
            return Err(err(format!("{} stop time(s); at least 2 needed", stop_times.len())));
        }
        for (k, st) in stop_times.iter().enumerate() {
            if st.stop as usize >= self.stop_pos.len() {
                return Err(err(format!("stop time {k}: unknown stop index {}", st.stop)));
            }
            if st.departure > MAX_TIME_S {
                return Err(err(format!(
                    "stop time {k}: departure {} s is beyond the limit of {MAX_TIME_S} s (30 days)",
                    st.departure
                )));
            }
            if st.arrival > st.departure {
                return Err(err(format!(
                    "stop time {k}: arrival {} after departure {}",
                    st.arrival, st.departure
                )));
            }
            if k > 0 && stop_times[k - 1].departure > st.arrival {
                return Err(err(format!(
                    "stop time {k}: arrival {} before previous departure {}",
                    st.arrival,
                    stop_times[k - 1].departure
                )));
            }
        }
        if self.st_stop.len() + stop_times.len() >= u32::MAX as usize {
            return Err(err("too many stop times (more than 4 billion)".into()));
        }
        for st in stop_times {
            self.st_stop.push(st.stop);
            self.st_arr.push(st.arrival);
            self.st_dep.push(st.departure);
            let mut f = 0u8;
            if !st.pickup {
                f |= NO_BOARD;
            }
            if !st.drop_off {
                f |= NO_ALIGHT;
            }
            self.st_flags.push(f);
        }
        self.trip_names.push(name.into());
        self.trip_start.push(self.st_stop.len() as u32);
        Ok(trip as u32)
    }

    /// Flattens everything into a [`Feed`]: builds the connections and sorts them.
    ///
    /// Complexity: O(C log C) for C connections.
    pub fn build(self) -> Feed {
        let n_trips = self.trip_names.len();
        let n_conn = self.st_stop.len().saturating_sub(n_trips);
        // (dep, arr, trip, position) so that ties keep a run's order.
        let mut order: Vec<(u32, u32, u32, u32)> = Vec::with_capacity(n_conn);
        for t in 0..n_trips {
            let (a, b) = (self.trip_start[t] as usize, self.trip_start[t + 1] as usize);
            for k in a..b.saturating_sub(1) {
                order.push((self.st_dep[k], self.st_arr[k + 1], t as u32, k as u32));
            }
        }
        order.sort_unstable();
        let mut feed = Feed {
            date: self.date,
            c_dep: Vec::with_capacity(order.len()),
            c_arr: Vec::with_capacity(order.len()),
            c_from: Vec::with_capacity(order.len()),
            c_to: Vec::with_capacity(order.len()),
            c_trip: Vec::with_capacity(order.len()),
            c_flags: Vec::with_capacity(order.len()),
            c_next: vec![u32::MAX; order.len()],
            stop_ids: self.stop_ids,
            stop_pos: self.stop_pos,
            trip_names: self.trip_names,
            trip_start: self.trip_start,
            st_stop: self.st_stop,
            st_arr: self.st_arr,
            st_dep: self.st_dep,
            st_flags: self.st_flags,
        };
        // position k (stop time index of the departure) -> connection index
        let mut conn_of_st = vec![u32::MAX; feed.st_stop.len()];
        for (ci, &(dep, arr, trip, k)) in order.iter().enumerate() {
            let k = k as usize;
            feed.c_dep.push(dep);
            feed.c_arr.push(arr);
            feed.c_from.push(feed.st_stop[k]);
            feed.c_to.push(feed.st_stop[k + 1]);
            feed.c_trip.push(trip);
            feed.c_flags
                .push((feed.st_flags[k] & NO_BOARD) | (feed.st_flags[k + 1] & NO_ALIGHT));
            conn_of_st[k] = ci as u32;
        }
        for t in 0..n_trips {
            let (a, b) = (feed.trip_start[t] as usize, feed.trip_start[t + 1] as usize);
            for k in a..b.saturating_sub(2) {
                feed.c_next[conn_of_st[k] as usize] = conn_of_st[k + 1];
            }
        }
        feed
    }
}
