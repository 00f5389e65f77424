//! Tolerant GTFS loading: zip or folder → [`Feed`] for one service date.
//!
//! Rows are deserialised into `gtfs-structures`' own serde types (`Stop`, `Route`,
//! `RawTrip`, `RawStopTime`, `Calendar`, `CalendarDate`, `RawFrequency`), so its field
//! rules (times, dates, enums) apply. Around it, this module adds the tolerance real
//! feeds need: text decoding (UTF-8, else Windows-1252/Latin-1), a bounded
//! decompression, and a per-row retry that blanks an *optional* field the crate
//! rejects (recorded as a repair) instead of failing the whole feed.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use gtfs_structures::{
    Calendar, CalendarDate, Exception, PickupDropOffType, RawFrequency, RawStopTime, RawTrip, Route, Stop,
};
use hubplan_geo::{haversine_m, LonLat};

use crate::feed::{Feed, FeedBuilder, ServiceDate, StopTime, MAX_TIME_S};
use crate::{TableError, TransitError};

/// Default of [`LoadOptions::max_file_bytes`]: 2 GiB, room for a national timetable's
/// `stop_times.txt` (England's can be over 1 GB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 2 << 30;

/// Default of [`LoadOptions::max_total_bytes`]: 2 GiB.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 2 << 30;

/// Limits and switches for [`load_feed`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// Largest decompressed size, in bytes, of one file of the feed (one zip member or one
    /// file of a folder): the zip-bomb guard. A member whose header declares more is refused
    /// before anything is inflated; a member whose header lies is read through this limit and
    /// refused as soon as more than `max_file_bytes` bytes come out, so reading one file never
    /// holds more than this much in memory. Default [`DEFAULT_MAX_FILE_BYTES`] (2 GiB); lower
    /// it to bound memory on untrusted feeds.
    pub max_file_bytes: u64,
    /// Largest decompressed size, in bytes, of all files read together. Default
    /// [`DEFAULT_MAX_TOTAL_BYTES`] (2 GiB).
    pub max_total_bytes: u64,
    /// Largest number of vehicle runs after expanding `frequencies.txt`. Default 5 000 000.
    pub max_runs: usize,
    /// How many messages of one kind are listed before the rest are only counted. Default 20.
    pub max_messages_per_kind: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            max_runs: 5_000_000,
            max_messages_per_kind: 20,
        }
    }
}

/// Validation summary of a loaded feed, in the spirit of the GTFS validators.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct FeedReport {
    /// Problems that made the loader drop data (a trip, a row).
    pub errors: Vec<String>,
    /// Suspicious things that were kept as they are (including "no service on this date").
    pub warnings: Vec<String>,
    /// What was repaired (decoding, blank optional fields, interpolated times, …).
    pub repairs: Vec<String>,
    /// Trips (rows of `trips.txt`) whose service runs on the date.
    pub trips_active: usize,
    /// Routes with at least one active trip.
    pub routes_active: usize,
    /// Vehicle runs in the feed: active trips after `frequencies.txt` expansion, plus runs of
    /// the previous service date still running after midnight.
    pub runs: usize,
    /// Elementary connections (stop-to-next-stop hops).
    pub connections: usize,
    /// Stops in `stops.txt`.
    pub stops: usize,
    /// Stops visited by at least one run.
    pub stops_used: usize,
    /// Stop times whose blank times were interpolated.
    pub interpolated_stop_times: usize,
    /// Text encoding(s) detected, e.g. `UTF-8` or `Windows-1252 (stops.txt, …)`.
    pub encoding: String,
    /// Every message of `errors`, `warnings` and `repairs` with its list (`error`,
    /// `warning` or `repair`) and the loader's kind of problem (`bad-row`, `no-service`,
    /// `far-stop`…), for coded data-quality notices.
    pub coded: Vec<(&'static str, &'static str, String)>,
}

impl std::fmt::Display for FeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "feed: {} active trips on {} routes, {} vehicle runs, {} connections, {} stops ({} used), {} interpolated stop times, encoding {}",
            self.trips_active, self.routes_active, self.runs, self.connections, self.stops, self.stops_used, self.interpolated_stop_times, self.encoding
        )?;
        for (kind, list) in [
            ("error", &self.errors),
            ("warning", &self.warnings),
            ("repaired", &self.repairs),
        ] {
            for m in list.iter() {
                writeln!(f, "  {kind}: {m}")?;
            }
        }
        Ok(())
    }
}

/// The names of `Log`'s three lists, as in [`FeedReport::coded`].
const LIST_NAMES: [&str; 3] = ["error", "warning", "repair"];

/// Collects messages, listing the first few of each kind and counting the rest.
struct Log {
    max: usize,
    counts: HashMap<(u8, &'static str), usize>,
    report: FeedReport,
}

impl Log {
    fn add(&mut self, which: u8, kind: &'static str, msg: impl FnOnce() -> String) {
        let c = self.counts.entry((which, kind)).or_insert(0);
        *c += 1;
        if *c <= self.max {
            let m = msg();
            self.report
                .coded
                .push((LIST_NAMES[usize::from(which.min(2))], kind, m.clone()));
            match which {
                0 => self.report.errors.push(m),
                1 => self.report.warnings.push(m),
                _ => self.report.repairs.push(m),
            }
        }
    }
    fn error(&mut self, kind: &'static str, msg: impl FnOnce() -> String) {
        self.add(0, kind, msg)
    }
    fn warn(&mut self, kind: &'static str, msg: impl FnOnce() -> String) {
        self.add(1, kind, msg)
    }
    fn repair(&mut self, kind: &'static str, msg: impl FnOnce() -> String) {
        self.add(2, kind, msg)
    }
    fn finish(mut self) -> FeedReport {
        let mut extra: Vec<_> = self
            .counts
            .iter()
            .filter(|(_, &c)| c > self.max)
            .map(|(&(w, k), &c)| (w, k, c))
            .collect();
        extra.sort();
        for (w, k, c) in extra {
            let m = format!("… {} more of this kind ({k}; {c} in all)", c - self.max);
            self.report
                .coded
                .push((LIST_NAMES[usize::from(w.min(2))], k, m.clone()));
            match w {
                0 => self.report.errors.push(m),
                1 => self.report.warnings.push(m),
                _ => self.report.repairs.push(m),
            }
        }
        self.report
    }
}

/// Where the feed's files come from.
enum Source {
    Dir(PathBuf),
    Zip(Box<zip::ZipArchive<std::fs::File>>, HashMap<String, usize>),
}

struct Reader {
    path: PathBuf,
    source: Source,
    opts: LoadOptions,
    total: u64,
}

impl Reader {
    fn open(path: &Path, opts: &LoadOptions) -> Result<Self, TransitError> {
        let io = |source| TransitError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        let source = if meta.is_dir() {
            Source::Dir(path.to_path_buf())
        } else {
            let file = std::fs::File::open(path).map_err(io)?;
            let zip = zip::ZipArchive::new(file).map_err(|e| TransitError::Zip {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            // index by base name; prefer the shallowest path (feeds zipped with a top folder)
            let mut names: HashMap<String, (usize, usize)> = HashMap::new();
            for i in 0..zip.len() {
                let Some(name) = zip.name_for_index(i) else { continue };
                if name.ends_with('/') || name.contains("__MACOSX") {
                    continue;
                }
                let depth = name.matches('/').count();
                let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
                match names.get(&base) {
                    Some(&(d, _)) if d <= depth => {}
                    _ => {
                        names.insert(base, (depth, i));
                    }
                }
            }
            Source::Zip(Box::new(zip), names.into_iter().map(|(k, (_, i))| (k, i)).collect())
        };
        Ok(Reader {
            path: path.to_path_buf(),
            source,
            opts: opts.clone(),
            total: 0,
        })
    }

    /// The bytes of `name`, or `None` if the feed has no such file. Reads at most the limits.
    fn bytes(&mut self, name: &str) -> Result<Option<Vec<u8>>, TransitError> {
        let limit = self
            .opts
            .max_file_bytes
            .min(self.opts.max_total_bytes.saturating_sub(self.total));
        let io = |p: PathBuf, source| TransitError::Io { path: p, source };
        // The size a file declares (a folder's metadata, a zip member's header) is
        // checked first, so an honest oversized file or a plain zip bomb is refused
        // before anything is inflated; `read_capped` still stops a lying header at the limit.
        let read = match &mut self.source {
            Source::Dir(dir) => {
                let p = dir.join(name);
                if !p.is_file() {
                    return Ok(None);
                }
                let declared = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
                if declared > limit {
                    return Err(self.too_large(name, limit));
                }
                let f = std::fs::File::open(&p).map_err(|e| io(p.clone(), e))?;
                read_capped(f, limit, declared).map_err(|e| io(p.clone(), e))?
            }
            Source::Zip(zip, names) => {
                let Some(&i) = names.get(name) else { return Ok(None) };
                let entry = zip.by_index(i).map_err(|e| TransitError::Zip {
                    path: self.path.clone(),
                    message: format!("{name}: {e}"),
                })?;
                let declared = entry.size();
                if declared > limit {
                    drop(entry);
                    return Err(self.too_large(name, limit));
                }
                read_capped(entry, limit, declared).map_err(|e| TransitError::Zip {
                    path: self.path.clone(),
                    message: format!("{name}: {e}"),
                })?
            }
        };
        let Some(buf) = read else {
            return Err(self.too_large(name, limit));
        };
        self.total += buf.len() as u64;
        Ok(Some(buf))
    }

    /// The error for `name` being larger than `limit` (the per-file or the remaining total limit).
    fn too_large(&self, name: &str, limit: u64) -> TransitError {
        let (file, limit_bytes) = if limit < self.opts.max_file_bytes {
            ("(total of the files read)".to_string(), self.opts.max_total_bytes)
        } else {
            (name.to_string(), self.opts.max_file_bytes)
        };
        TransitError::TooLarge {
            path: self.path.clone(),
            file,
            limit_bytes,
        }
    }
}

/// Reads `r` to its end, or returns `Ok(None)` as soon as more than `limit` bytes come out.
///
/// The buffer's capacity never grows past `limit` bytes (a plain `Read::read_to_end` doubles
/// it, reserving up to twice the limit), and growth goes through `try_reserve`, so a refused
/// allocation is an `OutOfMemory` error rather than an abort. `declared` (the size the file
/// or zip member says it has) only sizes the first allocation, up to 64 MiB: a header may lie.
fn read_capped(r: impl Read, limit: u64, declared: u64) -> std::io::Result<Option<Vec<u8>>> {
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    let oom = |_| std::io::Error::new(std::io::ErrorKind::OutOfMemory, "not enough memory to hold the file");
    let mut buf: Vec<u8> = Vec::new();
    let first = usize::try_from(declared.min(64 << 20)).unwrap_or(0).min(cap);
    buf.try_reserve_exact(first.max(64 << 10).min(cap)).map_err(oom)?;
    // Each round reads at most the spare capacity (into it, without copying), so the buffer
    // is only ever grown here.
    let mut r = r.take(0);
    loop {
        if buf.len() == buf.capacity() {
            if buf.len() >= cap {
                // full at the limit: one more byte means too large
                r.set_limit(1);
                let mut probe = [0u8; 1];
                return loop {
                    match r.read(&mut probe) {
                        Ok(0) => break Ok(Some(buf)),
                        Ok(_) => break Ok(None),
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => break Err(e),
                    }
                };
            }
            // double, but never past the limit
            let want = buf.capacity().saturating_mul(2).max(64 << 10).min(cap);
            buf.try_reserve_exact(want - buf.len()).map_err(oom)?;
        }
        let spare = buf.capacity() - buf.len();
        r.set_limit(spare as u64);
        let n = r.read_to_end(&mut buf)?;
        if n < spare {
            return Ok(Some(buf)); // the reader ended before the spare capacity was filled
        }
    }
}

/// Windows-1252 for 0x80–0x9F (undefined positions map to the C1 control of the same value,
/// as ISO-8859-1 does); every other byte is ISO-8859-1.
const CP1252: [u16; 32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D,
    0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
    0x0153, 0x009D, 0x017E, 0x0178,
];

/// Decodes bytes as UTF-8 (BOM stripped) or, failing that, as Windows-1252/Latin-1.
/// Returns the text and whether the fallback was used.
pub(crate) fn decode_text(mut bytes: Vec<u8>) -> (String, bool) {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(s) => (s, false),
        Err(e) => {
            let b = e.into_bytes();
            let s = b
                .iter()
                .map(|&c| match c {
                    0x80..=0x9F => char::from_u32(CP1252[(c - 0x80) as usize] as u32).unwrap_or('\u{FFFD}'),
                    _ => c as char,
                })
                .collect();
            (s, true)
        }
    }
}

/// How a table treats rows that cannot be read even after blanking optional fields.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// Fail the load with [`TransitError::Table`].
    Fail,
    /// Skip the row with an error message in the report.
    Skip,
}

struct TableCtx<'a> {
    path: &'a Path,
    file: &'static str,
}

fn expected_for(field: &str) -> &'static str {
    match field {
        "arrival_time" | "departure_time" | "start_time" | "end_time" => "a time H:MM:SS (hours may exceed 24)",
        "start_date" | "end_date" | "date" => "a date YYYYMMDD",
        "stop_sequence" | "headway_secs" => "a non-negative integer",
        "stop_lat" | "stop_lon" => "a decimal number of degrees",
        "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday" => "0 or 1",
        "exception_type" => "1 (added) or 2 (removed)",
        "route_color" | "route_text_color" => "a colour RRGGBB",
        "pickup_type" | "drop_off_type" | "location_type" | "route_type" | "wheelchair_boarding" => {
            "an integer code GTFS defines"
        }
        _ => "a value GTFS allows here",
    }
}

/// A date or time column that [`parse_table`] checks itself, before gtfs-structures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Checked {
    /// `H:MM:SS`, hours past 24 allowed (gtfs-structures' `parse_time` rules), at most 4 hour digits.
    Time,
    /// `YYYYMMDD` (gtfs-structures' `deserialize_date`: chrono's `%Y%m%d`).
    Date,
}

impl Checked {
    /// The check for column `column` of GTFS file `file`, if it is a date or time column.
    fn of(file: &str, column: &str) -> Option<Checked> {
        match (file, column) {
            ("stop_times.txt", "arrival_time" | "departure_time") | ("frequencies.txt", "start_time" | "end_time") => {
                Some(Checked::Time)
            }
            ("calendar.txt", "start_date" | "end_date") | ("calendar_dates.txt", "date") => Some(Checked::Date),
            _ => None,
        }
    }

    /// `Ok` if gtfs-structures will read `v` and the value means what it says; else what was
    /// expected, for the error message. Accepts what gtfs-structures accepts, apart from hours
    /// of more than 4 digits (which it would overflow on) and minutes or seconds of 60 or more
    /// (which it reads silently as the next minute or hour: see [`Checked::out_of_range`]).
    fn check(self, v: &str) -> Result<(), String> {
        match self {
            Checked::Time => {
                let hours = v.split(':').next().unwrap_or("");
                if hours.len() > 4 {
                    return Err(format!("{} with at most 4 hour digits", expected_for("arrival_time")));
                }
                if Checked::out_of_range(v) {
                    return Err(format!(
                        "{} with minutes and seconds 00-59, like 07:05:00 or 25:10:00",
                        expected_for("arrival_time")
                    ));
                }
                // gtfs-structures' parse_time: at least 7 characters, H:MM:SS with two-digit
                // minutes and seconds, each part an unsigned integer
                let mut parts = v.split(':');
                let ok = match (parts.next(), parts.next(), parts.next(), parts.next()) {
                    (Some(h), Some(m), Some(s), None) => {
                        v.len() >= 7
                            && m.len() == 2
                            && s.len() == 2
                            && h.parse::<u32>().is_ok()
                            && m.parse::<u32>().is_ok()
                            && s.parse::<u32>().is_ok()
                    }
                    _ => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("{}, like 07:05:00 or 25:10:00", expected_for("arrival_time")))
                }
            }
            Checked::Date => match NaiveDate::parse_from_str(v, "%Y%m%d") {
                Ok(_) => Ok(()),
                Err(_) if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) => Err(format!(
                    "{} that exists in the calendar, like 20240108",
                    expected_for("date")
                )),
                Err(_) => Err(format!(
                    "{}, like 20240108 (8 digits, no separators)",
                    expected_for("date")
                )),
            },
        }
    }

    /// A time in gtfs-structures' shape (`H:MM:SS`, each part digits) whose minutes or
    /// seconds are 60 or more, such as `25:61:00`: gtfs-structures reads it as `h * 3600 +
    /// m * 60 + s` without complaint, so a typing error would move the departure silently.
    /// Always refused, even in an optional column (blanking it would hide the typo).
    fn out_of_range(v: &str) -> bool {
        let mut parts = v.split(':');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(m), Some(s), None) => {
                let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
                digits(h)
                    && digits(m)
                    && digits(s)
                    && m.len() == 2
                    && s.len() == 2
                    && (m.parse::<u32>().is_ok_and(|m| m >= 60) || s.parse::<u32>().is_ok_and(|s| s >= 60))
            }
            _ => false,
        }
    }
}

/// `text` with line ends the `csv` crate counts right (as hubplan-io's `table::CrlfToLf`
/// does for streamed tables): outside quoted cells every CR LF becomes LF, and an empty
/// line becomes a line holding one space (a blank row, skipped like any blank row).
///
/// The `csv` crate gives a record the line where it started reading it: after a CR LF
/// that is the line before (BurntSushi/rust-csv#395), and after empty lines the first of
/// them, so every row named in an error of a feed saved with Windows line ends was one
/// too small. Quotes are tracked as the `csv` crate reads them (a quote opens a cell
/// only at its start; `""` inside a quoted cell is a quote), so quoted cells keep their bytes.
fn csv_line_ends(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\r') && !text.contains("\n\n") {
        return std::borrow::Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() + 16);
    let (mut in_quotes, mut just_closed, mut field_start, mut line_start) = (false, false, true, false);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        i += 1;
        if !in_quotes && c == b'\r' && b.get(i) == Some(&b'\n') {
            continue;
        }
        if !in_quotes && c == b'\n' && line_start {
            out.push(b' ');
            line_start = false;
            i -= 1;
            continue;
        }
        let closed = just_closed;
        just_closed = false;
        if in_quotes {
            if c == b'"' {
                in_quotes = false;
                just_closed = true;
            }
        } else if c == b'"' && (closed || field_start) {
            in_quotes = true;
        }
        field_start = !in_quotes && matches!(c, b',' | b'\n');
        line_start = !in_quotes && c == b'\n';
        out.push(c);
    }
    // Only ASCII bytes were removed or added: still UTF-8.
    std::borrow::Cow::Owned(
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Parses one GTFS table into `T` with gtfs-structures' serde rules, blanking an optional
/// field that fails (a repair) and retrying. `required` fields are never blanked.
fn parse_table<T: serde::de::DeserializeOwned>(
    ctx: &TableCtx<'_>,
    text: &str,
    required: &[&str],
    strict: Strictness,
    log: &mut Log,
    mut keep: impl FnMut(u64, T, &mut Log),
) -> Result<(), TransitError> {
    let file = ctx.file;
    let table_err = |row: u64, field: &str, found: &str, expected: String| {
        TransitError::Table(Box::new(TableError {
            path: ctx.path.to_path_buf(),
            file: file.to_string(),
            row,
            field: field.to_string(),
            found: found.to_string(),
            expected,
        }))
    };
    let text = csv_line_ends(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| table_err(1, "(header)", "", format!("a CSV header line ({e})")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect::<csv::StringRecord>();
    for r in required {
        if !headers.iter().any(|h| h == *r) {
            return Err(table_err(
                1,
                r,
                &headers.iter().collect::<Vec<_>>().join(","),
                format!("a column named `{r}`"),
            ));
        }
    }
    // date and time columns are checked here, so that a bad value is named with its field
    let checked_cols: Vec<(usize, &str, Checked)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Checked::of(file, h).map(|k| (i, h, k)))
        .collect();
    let mut rec = csv::StringRecord::new();
    // field -> (rows repaired, first row, first value)
    let mut repaired: std::collections::BTreeMap<String, (usize, u64, String)> = std::collections::BTreeMap::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let row = e.position().map(|p| p.line()).unwrap_or(0);
                match strict {
                    Strictness::Fail => return Err(table_err(row, "(row)", "", format!("a valid CSV row ({e})"))),
                    Strictness::Skip => {
                        log.error("csv", || format!("{file} row {row}: unreadable CSV row skipped ({e})"));
                        continue;
                    }
                }
            }
        }
        let row = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        // Dates and times are checked before gtfs-structures sees them (its date errors do not
        // say which field failed, and it computes `hours * 3600` in u32, so absurd hours must
        // not reach it): a bad value is a `Table` error naming file, row, field and value when
        // the field is required or the value is a time with minutes or seconds of 60 or more,
        // and is blanked (a repair) otherwise.
        let mut skip_row = false;
        for &(i, name, kind) in &checked_cols {
            let v = rec.get(i).unwrap_or("");
            let is_required = required.contains(&name);
            if v.is_empty() && !is_required {
                continue;
            }
            let Err(expected) = kind.check(v) else { continue };
            // a time such as 25:61:00 is a typing error, never blanked as a repair
            if is_required || (kind == Checked::Time && Checked::out_of_range(v)) {
                match strict {
                    Strictness::Fail => return Err(table_err(row, name, v, expected)),
                    Strictness::Skip => {
                        log.error("bad-row", || {
                            format!("{file} row {row}: field `{name}` = {v:?}: expected {expected}; row skipped")
                        });
                        skip_row = true;
                        break;
                    }
                }
            }
            let value = v.to_string();
            rec = rec
                .iter()
                .enumerate()
                .map(|(j, f)| if j == i { "" } else { f })
                .collect();
            let e = repaired.entry(name.to_string()).or_insert((0, row, value));
            e.0 += 1;
        }
        if skip_row {
            continue;
        }
        match rec.deserialize::<T>(Some(&headers)) {
            Ok(v) => keep(row, v, log),
            Err(first_err) => {
                // blank offending optional fields one by one
                let mut work = rec.clone();
                let mut err = first_err;
                let mut blanked: Vec<(String, String)> = Vec::new();
                let blankable = |i: usize, w: &csv::StringRecord| {
                    headers.get(i).is_some_and(|n| !n.is_empty() && !required.contains(&n))
                        && w.get(i).is_some_and(|v| !v.is_empty())
                };
                let blank = |w: &csv::StringRecord, i: usize| -> csv::StringRecord {
                    w.iter().enumerate().map(|(j, f)| if j == i { "" } else { f }).collect()
                };
                let result = loop {
                    let idx = match err.kind() {
                        csv::ErrorKind::Deserialize { err: de, .. } => de.field().map(|i| i as usize),
                        _ => None,
                    };
                    let fail = |w: &csv::StringRecord, err: &csv::Error| {
                        let msg = err.to_string();
                        // the field csv names, else one whose value the message quotes
                        let at = idx.or_else(|| {
                            (0..w.len()).find(|&j| {
                                w.get(j).is_some_and(|v| {
                                    !v.is_empty()
                                        && (msg.contains(&format!("'{v}'")) || msg.contains(&format!("`{v}`")))
                                })
                            })
                        });
                        let name = at.and_then(|i| headers.get(i)).unwrap_or("").to_string();
                        let value = at.and_then(|i| w.get(i)).unwrap_or("").to_string();
                        (name, value, msg)
                    };
                    if blanked.len() >= headers.len() {
                        break Err(fail(&work, &err));
                    }
                    match idx {
                        Some(i) if blankable(i, &work) => {
                            work = blank(&work, i);
                            blanked.push((
                                headers.get(i).unwrap_or("").to_string(),
                                rec.get(i).unwrap_or("").to_string(),
                            ));
                            match work.deserialize::<T>(Some(&headers)) {
                                Ok(v) => break Ok(v),
                                Err(e) => err = e,
                            }
                        }
                        Some(_) => break Err(fail(&work, &err)),
                        None => {
                            // the crate did not say which field: a field whose value the message
                            // quotes (gtfs-structures' "'8h05' is not a valid time"), else the one
                            // optional field whose blanking makes the row readable
                            let msg = err.to_string();
                            let quoted = (0..work.len()).find(|&j| {
                                blankable(j, &work)
                                    && work.get(j).is_some_and(|v| {
                                        msg.contains(&format!("'{v}'")) || msg.contains(&format!("`{v}`"))
                                    })
                            });
                            if let Some(j) = quoted {
                                work = blank(&work, j);
                                blanked.push((
                                    headers.get(j).unwrap_or("").to_string(),
                                    rec.get(j).unwrap_or("").to_string(),
                                ));
                                match work.deserialize::<T>(Some(&headers)) {
                                    Ok(v) => break Ok(v),
                                    Err(e) => {
                                        err = e;
                                        continue;
                                    }
                                }
                            }
                            let found = (0..work.len()).filter(|&j| blankable(j, &work)).find_map(|j| {
                                let w = blank(&work, j);
                                w.deserialize::<T>(Some(&headers)).ok().map(|v| (j, v))
                            });
                            match found {
                                Some((j, v)) => {
                                    blanked.push((
                                        headers.get(j).unwrap_or("").to_string(),
                                        rec.get(j).unwrap_or("").to_string(),
                                    ));
                                    break Ok(v);
                                }
                                None => break Err(fail(&work, &err)),
                            }
                        }
                    }
                };
                match result {
                    Ok(v) => {
                        for (name, value) in blanked {
                            let e = repaired.entry(name).or_insert((0, row, value));
                            e.0 += 1;
                        }
                        keep(row, v, log)
                    }
                    Err((name, value, msg)) => {
                        let field = if name.is_empty() { "(row)".to_string() } else { name };
                        let expected = format!("{} ({msg})", expected_for(&field));
                        match strict {
                            Strictness::Fail => return Err(table_err(row, &field, &value, expected)),
                            Strictness::Skip => log.error("bad-row", || {
                                format!(
                                    "{file} row {row}: field `{field}` = {value:?}: expected {expected}; row skipped"
                                )
                            }),
                        }
                    }
                }
            }
        }
    }
    for (name, (n, row, value)) in repaired {
        log.repair("blank-optional", || {
            format!("{file}: optional field `{name}` is invalid in {n} row(s) (first: row {row}, {value:?}; expected {}); treated as empty", expected_for(&name))
        });
    }
    Ok(())
}

/// A stop time of an active trip, without strings.
#[derive(Clone, Copy)]
struct St {
    seq: u32,
    stop: u32,
    arr: Option<u32>,
    dep: Option<u32>,
    dist: Option<f32>,
    pickup: bool,
    drop_off: bool,
}

fn service_active(
    cal: &HashMap<String, Calendar>,
    exc: &HashMap<(String, NaiveDate), Exception>,
    ids: &HashSet<String>,
    day: NaiveDate,
) -> HashSet<String> {
    let mut active = HashSet::new();
    for (id, c) in cal {
        if c.start_date <= day && day <= c.end_date && c.valid_weekday(day) {
            active.insert(id.clone());
        }
    }
    for id in ids {
        match exc.get(&(id.clone(), day)) {
            Some(Exception::Added) => {
                active.insert(id.clone());
            }
            Some(Exception::Deleted) => {
                active.remove(id);
            }
            None => {}
        }
    }
    active
}

/// Loads a GTFS feed (zip file or folder) and flattens the timetable of one service date.
///
/// # Arguments
/// * `path` – a `.zip` or a folder holding `stops.txt`, `routes.txt`, `trips.txt`,
///   `stop_times.txt` and `calendar.txt` and/or `calendar_dates.txt` (`frequencies.txt` optional).
/// * `date` – the service date.
/// * `opts` – size limits.
///
/// # Returns
/// The [`Feed`] and a [`FeedReport`] listing errors (data dropped), warnings (including
/// "no service on this date") and repairs.
///
/// # Errors
/// [`TransitError`] when the path cannot be read, a required file is missing, a file exceeds the
/// size limits, or a *required* field cannot be read (naming file, row, field and what was expected).
///
/// # Complexity
/// O(R + C log C) for R rows read and C connections built; memory O(R) transiently.
pub fn load_feed(path: &Path, date: ServiceDate, opts: &LoadOptions) -> Result<(Feed, FeedReport), TransitError> {
    let mut rd = Reader::open(path, opts)?;
    let mut log = Log {
        max: opts.max_messages_per_kind.max(1),
        counts: HashMap::new(),
        report: FeedReport::default(),
    };
    let mut latin: Vec<&'static str> = Vec::new();
    let missing = |file: &str, why: &str| TransitError::MissingFile {
        path: path.to_path_buf(),
        file: file.into(),
        why: why.into(),
    };
    let text_of =
        |rd: &mut Reader, name: &'static str, latin: &mut Vec<&'static str>| -> Result<Option<String>, TransitError> {
            Ok(rd.bytes(name)?.map(|b| {
                let (t, fallback) = decode_text(b);
                if fallback {
                    latin.push(name);
                }
                t
            }))
        };
    let stops_txt = text_of(&mut rd, "stops.txt", &mut latin)?.ok_or_else(|| missing("stops.txt", "stop positions"))?;
    let routes_txt = text_of(&mut rd, "routes.txt", &mut latin)?
        .ok_or_else(|| missing("routes.txt", "GTFS requires it; trips refer to routes"))?;
    let trips_txt =
        text_of(&mut rd, "trips.txt", &mut latin)?.ok_or_else(|| missing("trips.txt", "the trips to route on"))?;
    let calendar_txt = text_of(&mut rd, "calendar.txt", &mut latin)?;
    let dates_txt = text_of(&mut rd, "calendar_dates.txt", &mut latin)?;
    if calendar_txt.is_none() && dates_txt.is_none() {
        return Err(missing(
            "calendar.txt or calendar_dates.txt",
            "at least one of them says which days trips run",
        ));
    }
    let freq_txt = text_of(&mut rd, "frequencies.txt", &mut latin)?;
    if rd.bytes("agency.txt")?.is_none() {
        log.warn("agency", || {
            "agency.txt is missing (GTFS requires it; not needed for routing)".into()
        });
    }

    // ---- stops
    let mut stop_index: HashMap<String, u32> = HashMap::new();
    let mut builder = FeedBuilder::new(date);
    let ctx = |file| TableCtx { path, file };
    let mut bad_coords = 0usize;
    parse_table::<Stop>(
        &ctx("stops.txt"),
        &stops_txt,
        &["stop_id"],
        Strictness::Fail,
        &mut log,
        |row, s, _log| {
            let pos = match (s.longitude, s.latitude) {
                (Some(lon), Some(lat)) if LonLat::new(lon, lat).is_valid() && !(lon == 0.0 && lat == 0.0) => {
                    LonLat::new(lon, lat)
                }
                _ => {
                    bad_coords += 1;
                    let _ = row;
                    LonLat::new(f64::NAN, f64::NAN)
                }
            };
            if stop_index.contains_key(&s.id) {
                return;
            }
            let i = builder.add_stop(s.id.clone(), pos);
            stop_index.insert(s.id, i);
        },
    )?;
    drop(stops_txt);
    if bad_coords > 0 {
        log.warn("coords", || format!("stops.txt: {bad_coords} stop(s) without usable coordinates (missing, out of range or 0,0); they get no walking links"));
    }

    // ---- routes
    let mut route_ids: HashSet<String> = HashSet::new();
    parse_table::<Route>(
        &ctx("routes.txt"),
        &routes_txt,
        &["route_id"],
        Strictness::Skip,
        &mut log,
        |_, r, _log| {
            route_ids.insert(r.id);
        },
    )?;
    drop(routes_txt);

    // ---- calendar
    let mut cal: HashMap<String, Calendar> = HashMap::new();
    let mut exc: HashMap<(String, NaiveDate), Exception> = HashMap::new();
    let mut service_ids: HashSet<String> = HashSet::new();
    let (mut first_day, mut last_day): (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
    let mut span = |d: NaiveDate| {
        first_day = Some(first_day.map_or(d, |f| f.min(d)));
        last_day = Some(last_day.map_or(d, |l| l.max(d)));
    };
    if let Some(t) = &calendar_txt {
        let req = [
            "service_id",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "start_date",
            "end_date",
        ];
        parse_table::<Calendar>(
            &ctx("calendar.txt"),
            t,
            &req,
            Strictness::Fail,
            &mut log,
            |_, c, _log| {
                span(c.start_date);
                span(c.end_date);
                service_ids.insert(c.id.clone());
                cal.insert(c.id.clone(), c);
            },
        )?;
    }
    if let Some(t) = &dates_txt {
        parse_table::<CalendarDate>(
            &ctx("calendar_dates.txt"),
            t,
            &["service_id", "date", "exception_type"],
            Strictness::Fail,
            &mut log,
            |_, c, _log| {
                span(c.date);
                service_ids.insert(c.service_id.clone());
                exc.insert((c.service_id, c.date), c.exception_type);
            },
        )?;
    }
    let day = date.to_naive();
    let prev_day = day.pred_opt().unwrap_or(day);
    let active_today = service_active(&cal, &exc, &service_ids, day);
    let active_prev = service_active(&cal, &exc, &service_ids, prev_day);

    // ---- trips
    // trip index -> (trip_id, today, previous day)
    let mut trip_index: HashMap<String, u32> = HashMap::new();
    let mut trip_meta: Vec<(String, bool, bool)> = Vec::new();
    let mut routes_active: HashSet<String> = HashSet::new();
    let mut unknown_route = 0usize;
    let mut dup_trips = 0usize;
    let mut trips_active = 0usize;
    parse_table::<RawTrip>(
        &ctx("trips.txt"),
        &trips_txt,
        &["trip_id", "route_id", "service_id"],
        Strictness::Fail,
        &mut log,
        |_, t, log| {
            if !route_ids.contains(&t.route_id) {
                unknown_route += 1;
            }
            if !service_ids.contains(&t.service_id) {
                log.warn("unknown-service", || {
                    format!(
                        "trips.txt: trip {} refers to service_id {} that no calendar defines; it never runs",
                        t.id, t.service_id
                    )
                });
            }
            if trip_index.contains_key(&t.id) {
                dup_trips += 1;
                return;
            }
            let today = active_today.contains(&t.service_id);
            let prev = active_prev.contains(&t.service_id);
            if today {
                trips_active += 1;
                routes_active.insert(t.route_id.clone());
            }
            trip_index.insert(t.id.clone(), trip_meta.len() as u32);
            trip_meta.push((t.id, today, prev));
        },
    )?;
    drop(trips_txt);
    if unknown_route > 0 {
        log.warn("unknown-route", || {
            format!("trips.txt: {unknown_route} trip(s) refer to a route_id missing from routes.txt (kept)")
        });
    }
    if dup_trips > 0 {
        log.error("dup-trip", || {
            format!("trips.txt: {dup_trips} duplicate trip_id row(s) ignored")
        });
    }

    // ---- frequencies
    let mut freqs: HashMap<u32, Vec<RawFrequency>> = HashMap::new();
    if let Some(t) = &freq_txt {
        parse_table::<RawFrequency>(
            &ctx("frequencies.txt"),
            t,
            &["trip_id", "start_time", "end_time", "headway_secs"],
            Strictness::Fail,
            &mut log,
            |row, f, log| {
                match trip_index.get(&f.trip_id) {
                Some(&ti) if f.headway_secs > 0 && f.end_time > f.start_time => freqs.entry(ti).or_default().push(f),
                Some(_) => log.error("freq", || format!("frequencies.txt row {row}: headway_secs must be > 0 and end_time after start_time; row ignored")),
                None => log.warn("freq-trip", || format!("frequencies.txt row {row}: unknown trip_id {}", f.trip_id)),
            }
            },
        )?;
    }

    // ---- stop times (only for trips that run today or ran yesterday)
    let stop_times_txt = text_of(&mut rd, "stop_times.txt", &mut latin)?
        .ok_or_else(|| missing("stop_times.txt", "the timetable itself"))?;
    let mut sts: Vec<Vec<St>> = vec![Vec::new(); trip_meta.len()];
    let mut unknown_trip = 0usize;
    let mut bad_stop: HashMap<u32, String> = HashMap::new();
    parse_table::<RawStopTime>(
        &ctx("stop_times.txt"),
        &stop_times_txt,
        &["trip_id", "stop_id", "stop_sequence"],
        Strictness::Fail,
        &mut log,
        |_, s, _log| {
            let Some(&ti) = trip_index.get(&s.trip_id) else {
                unknown_trip += 1;
                return;
            };
            let (_, today, prev) = &trip_meta[ti as usize];
            if !today && !prev {
                return;
            }
            let Some(&stop) = stop_index.get(&s.stop_id) else {
                bad_stop.entry(ti).or_insert(s.stop_id);
                return;
            };
            sts[ti as usize].push(St {
                seq: s.stop_sequence,
                stop,
                arr: s.arrival_time,
                dep: s.departure_time,
                dist: s.shape_dist_traveled.filter(|d| d.is_finite()),
                pickup: s.pickup_type != PickupDropOffType::NotAvailable,
                drop_off: s.drop_off_type != PickupDropOffType::NotAvailable,
            });
        },
    )?;
    drop(stop_times_txt);
    if unknown_trip > 0 {
        log.warn("st-unknown-trip", || {
            format!("stop_times.txt: {unknown_trip} row(s) refer to a trip_id missing from trips.txt (ignored)")
        });
    }
    let mut bad: Vec<_> = bad_stop.into_iter().collect();
    bad.sort();
    for (ti, sid) in bad {
        let tid = trip_meta[ti as usize].0.clone();
        log.error("st-unknown-stop", || {
            format!("stop_times.txt: trip {tid} calls at stop_id {sid} missing from stops.txt; trip dropped")
        });
        sts[ti as usize].clear();
    }

    // ---- build runs
    let stop_pos: Vec<LonLat> = (0..builder.stop_count()).map(|i| builder_pos(&builder, i)).collect();
    let mut interpolated = 0usize;
    let mut runs = 0usize;
    let mut used = vec![false; stop_pos.len()];
    let mut buf: Vec<StopTime> = Vec::new();
    for (ti, list) in sts.iter_mut().enumerate() {
        if list.is_empty() {
            continue;
        }
        let tid = trip_meta[ti].0.clone();
        list.sort_by_key(|s| s.seq);
        let before = list.len();
        list.dedup_by_key(|s| s.seq);
        if list.len() != before {
            log.repair("dup-seq", || {
                format!("stop_times.txt: trip {tid} has repeated stop_sequence values; duplicates dropped")
            });
        }
        if list.len() < 2 {
            log.warn("short-trip", || {
                format!("stop_times.txt: trip {tid} has fewer than 2 stop times; ignored")
            });
            continue;
        }
        let Some(template) = timed_template(list, &stop_pos, &tid, &mut log, &mut interpolated) else {
            continue;
        };
        let (_, today, prev) = trip_meta[ti];
        let first_dep = template.first().map(|s| s.departure).unwrap_or(0);
        // start offsets of the runs: one per frequency departure, or the timetable itself
        let starts: Vec<u32> = match freqs.get(&(ti as u32)) {
            Some(fs) => {
                let mut v = Vec::new();
                for f in fs {
                    let mut s = f.start_time;
                    while s < f.end_time.min(MAX_TIME_S) && v.len() <= opts.max_runs {
                        v.push(s);
                        s = s.saturating_add(f.headway_secs);
                    }
                }
                v.sort_unstable();
                v.dedup();
                v
            }
            None => vec![first_dep],
        };
        for (k, &start) in starts.iter().enumerate() {
            for (day_shift, on) in [(0i64, today), (-86_400i64, prev)] {
                if !on {
                    continue;
                }
                buf.clear();
                let delta = start as i64 - first_dep as i64 + day_shift;
                for s in &template {
                    let arr = s.arrival as i64 + delta;
                    let dep = s.departure as i64 + delta;
                    if dep < 0 {
                        buf.clear(); // not yet running at midnight: restart from the next stop
                        continue;
                    }
                    if dep > MAX_TIME_S as i64 {
                        break; // a frequency run starting near the 30-day limit is cut there
                    }
                    buf.push(StopTime {
                        arrival: arr.max(0) as u32,
                        departure: dep as u32,
                        ..*s
                    });
                }
                if buf.len() < 2 {
                    continue;
                }
                runs += 1;
                if runs > opts.max_runs {
                    return Err(TransitError::Config {
                        name: "max_runs",
                        message: format!(
                            "{} has more than {} vehicle runs on {date} after expanding frequencies.txt",
                            path.display(),
                            opts.max_runs
                        ),
                    });
                }
                let mut name = tid.clone();
                if freqs.contains_key(&(ti as u32)) {
                    name.push_str(&format!("#{k}"));
                }
                if day_shift != 0 {
                    name.push_str("@-1d");
                }
                for s in buf.iter() {
                    used[s.stop as usize] = true;
                }
                if let Err(e) = builder.add_trip(name, &buf) {
                    runs -= 1;
                    log.error("run", || format!("trip {tid}: {e}; dropped"));
                }
            }
        }
    }
    drop(sts);

    let feed = builder.build();
    // ---- far-away stops
    outlier_stops(&stop_pos, &used, &feed, &mut log);
    if !latin.is_empty() {
        let files = latin.join(", ");
        log.repair("encoding", || {
            format!("{files}: not valid UTF-8; decoded as Windows-1252/Latin-1")
        });
    }
    if interpolated > 0 {
        log.repair("interpolated", || format!("stop_times.txt: {interpolated} blank arrival/departure time(s) interpolated by distance along the trip"));
    }
    if trips_active == 0 {
        let span = match (first_day, last_day) {
            (Some(a), Some(b)) => format!("the calendars cover {a} to {b}"),
            _ => "the calendars are empty".into(),
        };
        log.warn("no-service", || {
            format!(
                "NO SERVICE on {date} ({}): no trip runs that day; {span}. Every journey will be walking only.",
                weekday(day)
            )
        });
    }
    let mut report = log.finish();
    report.trips_active = trips_active;
    report.routes_active = routes_active.len();
    report.runs = feed.trip_count();
    report.connections = feed.connection_count();
    report.stops = feed.stop_count();
    report.stops_used = used.iter().filter(|&&u| u).count();
    report.interpolated_stop_times = interpolated;
    report.encoding = if latin.is_empty() {
        "UTF-8".into()
    } else {
        format!("Windows-1252/Latin-1 ({})", latin.join(", "))
    };
    Ok((feed, report))
}

fn weekday(d: NaiveDate) -> &'static str {
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ][d.weekday().num_days_from_monday() as usize]
}

fn builder_pos(b: &FeedBuilder, i: usize) -> LonLat {
    b.stop_pos_at(i)
}

/// Fills blank times of one trip (sorted by stop_sequence): interpolation by distance along the
/// trip between timed stops (`shape_dist_traveled` when every stop of the trip has it and it never
/// decreases, else haversine between consecutive stops, else by stop count). Then makes times
/// non-decreasing. Returns `None` (with an error logged) if the first or last stop has no time.
fn timed_template(
    list: &[St],
    pos: &[LonLat],
    tid: &str,
    log: &mut Log,
    interpolated: &mut usize,
) -> Option<Vec<StopTime>> {
    let n = list.len();
    if let Some(bad) = list
        .iter()
        .flat_map(|s| [s.arr, s.dep])
        .flatten()
        .find(|&t| t > MAX_TIME_S)
    {
        log.error("absurd-time", || {
            format!("stop_times.txt: trip {tid}: time {bad} s is more than 30 days after midnight; trip dropped")
        });
        return None;
    }
    let mut arr: Vec<Option<u32>> = list.iter().map(|s| s.arr.or(s.dep)).collect();
    let mut dep: Vec<Option<u32>> = list.iter().map(|s| s.dep.or(s.arr)).collect();
    if dep[0].is_none() || arr[n - 1].is_none() {
        log.error("untimed-ends", || {
            format!("stop_times.txt: trip {tid}: the first and last stop must carry times; trip dropped")
        });
        return None;
    }
    if arr.iter().any(|a| a.is_none()) {
        // cumulative distance
        let shape: Option<Vec<f64>> = list.iter().map(|s| s.dist.map(|d| d as f64)).collect();
        let dist: Vec<f64> = match shape.filter(|d| d.windows(2).all(|w| w[1] >= w[0])) {
            Some(d) => d,
            None => {
                let mut acc = 0.0;
                let mut v = vec![0.0];
                for w in list.windows(2) {
                    let h = haversine_m(pos[w[0].stop as usize], pos[w[1].stop as usize]);
                    acc += if h.is_finite() { h } else { 0.0 };
                    v.push(acc);
                }
                v
            }
        };
        let mut i = 0;
        while i < n - 1 {
            let mut j = i + 1;
            while arr[j].is_none() {
                j += 1;
            }
            if j > i + 1 {
                let (ta, tb) = (dep[i].unwrap_or(0) as f64, arr[j].unwrap_or(0) as f64);
                let span = dist[j] - dist[i];
                for k in i + 1..j {
                    let frac = if span > 0.0 {
                        (dist[k] - dist[i]) / span
                    } else {
                        (k - i) as f64 / (j - i) as f64
                    };
                    let t = (ta + (tb - ta).max(0.0) * frac + 0.5).floor().max(0.0) as u32;
                    arr[k] = Some(t);
                    dep[k] = Some(t);
                    *interpolated += 1;
                }
            }
            i = j;
        }
    }
    let mut out = Vec::with_capacity(n);
    let mut prev = 0u32;
    let mut fixed = false;
    for k in 0..n {
        let mut a = arr[k].unwrap_or(prev);
        let mut d = dep[k].unwrap_or(a);
        if a < prev {
            a = prev;
            fixed = true;
        }
        if d < a {
            d = a;
            fixed = true;
        }
        prev = d;
        out.push(StopTime {
            stop: list[k].stop,
            arrival: a,
            departure: d,
            pickup: list[k].pickup,
            drop_off: list[k].drop_off,
        });
    }
    if fixed {
        log.repair("backwards", || {
            format!("stop_times.txt: trip {tid}: times going backwards were raised to the previous time")
        });
    }
    Some(out)
}

/// Warns about used stops far from all others (likely wrong coordinates, e.g. Chester's stop in the sea).
/// The fastest a vehicle plausibly goes between two stops, in m/s (150 km/h): a coach on
/// a motorway stays below it, a stop placed hundreds of km off its route does not.
const PLAUSIBLE_HOP_SPEED: f64 = 150_000.0 / 3600.0;

/// The fastest speed, in m/s, that the runs of `feed` imply on a hop to or from stop `i`
/// (a hop of more than 1 km in no time is infinitely fast), or `None` when no hop
/// touches it.
fn fastest_hop(feed: &Feed, pos: &[LonLat], i: usize) -> Option<f64> {
    let mut fastest: Option<f64> = None;
    for c in 0..feed.c_from.len() {
        let (a, b) = (feed.c_from[c] as usize, feed.c_to[c] as usize);
        if a != i && b != i {
            continue;
        }
        let d = haversine_m(pos[a], pos[b]);
        let s = f64::from(feed.c_arr[c].saturating_sub(feed.c_dep[c]));
        let v = if s > 0.0 {
            d / s
        } else if d > 1000.0 {
            f64::INFINITY
        } else {
            0.0
        };
        fastest = Some(fastest.map_or(v, |f: f64| f.max(v)));
    }
    fastest
}

/// Warns about used stops far from the feed's median stop, unless every hop of the
/// day's runs to or from the stop is at a plausible speed: a coach feed's stops in
/// London or Newcastle are where the coach goes (the Newport audit, session 18: 16
/// such stops were each told to "check its coordinates"), a stop in the sea is not.
fn outlier_stops(pos: &[LonLat], used: &[bool], feed: &Feed, log: &mut Log) {
    let ids = &feed.stop_ids;
    let pts: Vec<(usize, LonLat)> = pos
        .iter()
        .enumerate()
        .filter(|(i, p)| used[*i] && p.is_valid())
        .map(|(i, p)| (i, *p))
        .collect();
    if pts.len() < 5 {
        return;
    }
    let mut lats: Vec<f64> = pts.iter().map(|p| p.1.lat).collect();
    let mut lons: Vec<f64> = pts.iter().map(|p| p.1.lon).collect();
    lats.sort_by(f64::total_cmp);
    lons.sort_by(f64::total_cmp);
    let centre = LonLat::new(lons[lons.len() / 2], lats[lats.len() / 2]);
    let mut d: Vec<f64> = pts.iter().map(|p| haversine_m(centre, p.1)).collect();
    let mut sorted = d.clone();
    sorted.sort_by(f64::total_cmp);
    let p90 = sorted[(sorted.len() * 9) / 10];
    let threshold = (5.0 * p90).max(100_000.0);
    for (k, (i, p)) in pts.iter().enumerate() {
        let dist = std::mem::take(&mut d[k]);
        if dist > threshold && fastest_hop(feed, pos, *i).is_none_or(|v| v > PLAUSIBLE_HOP_SPEED) {
            let id = ids[*i].clone();
            let p = *p;
            log.warn("far-stop", || {
                format!("stops.txt: stop {id} at lat {:.4}, lon {:.4} is {:.0} km from the feed's median stop (90% of stops within {:.0} km); check its coordinates", p.lat, p.lon, dist / 1000.0, p90 / 1000.0)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes a call (as a zip member's inflater does).
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn read_capped_stops_past_the_limit_and_never_grows_past_it() {
        let data = vec![7u8; 300_000];
        for step in [1, 1000, 65_536, 1 << 20] {
            // exactly the limit: read whole, capacity within the limit
            let buf = read_capped(Trickle { data: &data, step }, 300_000, 0).unwrap().unwrap();
            assert_eq!(buf.len(), 300_000);
            assert!(buf.capacity() <= 300_000, "capacity {}", buf.capacity());
            // one byte over: refused
            assert!(read_capped(Trickle { data: &data, step }, 299_999, 0)
                .unwrap()
                .is_none());
            // a lying size hint changes nothing
            let buf = read_capped(Trickle { data: &data, step }, 1 << 30, 10)
                .unwrap()
                .unwrap();
            assert_eq!(buf, data);
            assert!(read_capped(Trickle { data: &data, step }, 1000, 1000)
                .unwrap()
                .is_none());
        }
        assert_eq!(read_capped(&b""[..], 0, 0).unwrap(), Some(Vec::new()));
        assert!(read_capped(&b"x"[..], 0, 0).unwrap().is_none());
    }

    /// The row a GTFS table error names, for `text` with LF or CR LF line ends.
    fn bad_time_row(text: &str) -> u64 {
        let ctx = TableCtx {
            path: Path::new("feed.zip"),
            file: "stop_times.txt",
        };
        let mut log = Log {
            max: 5,
            counts: HashMap::new(),
            report: FeedReport::default(),
        };
        let e = parse_table::<RawStopTime>(
            &ctx,
            text,
            &["trip_id", "stop_id", "stop_sequence", "arrival_time"],
            Strictness::Fail,
            &mut log,
            |_, _, _| {},
        )
        .unwrap_err();
        match e {
            TransitError::Table(t) => {
                assert_eq!((t.field.as_str(), t.found.as_str()), ("arrival_time", "7h05"));
                t.row
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn gtfs_rows_are_right_with_crlf_line_ends_and_blank_lines() {
        // Session 9: the GTFS reader took the `csv` crate's record lines, one too small
        // after CR LF (BurntSushi/rust-csv#395) and shifted by blank lines, as the tables
        // of hubplan-io were before session 8. The bad time is on line 5 (a quoted
        // stop id over two lines before it, a blank line after the header).
        let lines = [
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence",
            "",
            "T1,07:00:00,07:00:00,\"S\n1\",1",
            "T1,7h05,07:05:00,S2,2",
            "T1,07:10:00,07:10:00,S3,3",
        ];
        for eol in ["\n", "\r\n"] {
            let text = lines.join(eol) + eol;
            assert_eq!(bad_time_row(&text), 5, "{eol:?}");
        }
    }

    #[test]
    fn stop_times_with_minutes_or_seconds_past_59_are_refused_with_file_row_and_field() {
        // arrival_time and departure_time are optional (a blank is interpolated), yet a
        // time such as 25:61:00 is not blanked as a repair: it is refused, naming the file,
        // the row and the field.
        for (field, text) in [
            ("arrival_time", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,07:00:00,07:00:00,S1,1\nT1,25:61:00,07:05:00,S2,2\n"),
            ("departure_time", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,07:00:00,07:00:00,S1,1\nT1,07:05:00,07:05:60,S2,2\n"),
        ] {
            let ctx = TableCtx {
                path: Path::new("feed"),
                file: "stop_times.txt",
            };
            let mut log = Log {
                max: 5,
                counts: HashMap::new(),
                report: FeedReport::default(),
            };
            let e = parse_table::<RawStopTime>(
                &ctx,
                text,
                &["trip_id", "stop_id", "stop_sequence"],
                Strictness::Fail,
                &mut log,
                |_, _, _| {},
            )
            .unwrap_err();
            let msg = e.to_string();
            match e {
                TransitError::Table(t) => {
                    assert_eq!((t.file.as_str(), t.row, t.field.as_str()), ("stop_times.txt", 3, field), "{msg}");
                    assert!(msg.contains("minutes and seconds 00-59"), "{msg}");
                }
                other => panic!("{other}"),
            }
        }
    }

    /// What gtfs-structures itself accepts for a stop time's `arrival_time`.
    fn gtfs_structures_reads_time(v: &str) -> bool {
        let text = format!("trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT,{v},,S,1\n");
        let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        r.deserialize::<RawStopTime>().all(|x| x.is_ok())
    }

    /// What gtfs-structures itself accepts for a calendar date.
    fn gtfs_structures_reads_date(v: &str) -> bool {
        let text = format!("service_id,date,exception_type\nWK,{v},1\n");
        let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        r.deserialize::<CalendarDate>().all(|x| x.is_ok())
    }

    #[test]
    fn date_and_time_checks_accept_what_gtfs_structures_accepts() {
        for v in [
            "07:05:00",
            "7:05:00",
            "25:10:00",
            "9999:00:00",
            "00:00:00",
            "+7:05:00",
            "7:5:00",
            "7h05",
            "07:05",
            "07:05:00:00",
            "07:05:0a",
            "-1:00:00",
            " 7:05:00",
            "0700:00",
            "1234567",
        ] {
            assert_eq!(
                Checked::Time.check(v).is_ok(),
                gtfs_structures_reads_time(v),
                "time {v:?}: {:?}",
                Checked::Time.check(v)
            );
        }
        // more than 4 hour digits would overflow inside gtfs-structures: refused here
        assert!(Checked::Time.check("99999:00:00").is_err());
        // gtfs-structures reads minutes or seconds of 60 or more silently (25:61:00 is
        // 26:01:00): refused here (Chester audit, session 16)
        for v in ["25:61:00", "07:60:99", "07:05:60", "7:99:00"] {
            assert!(gtfs_structures_reads_time(v), "{v}");
            let e = Checked::Time.check(v).unwrap_err();
            assert!(e.contains("minutes and seconds 00-59"), "{v}: {e}");
        }
        assert!(Checked::Time.check("23:59:59").is_ok());
        for v in [
            "20240108",
            "20240229",
            "20230229",
            "20240230",
            "2024-01-08",
            "2024018",
            "202401080",
            "24010800",
            "abcdefgh",
            "20241301",
            "",
            "+2024010",
        ] {
            assert_eq!(
                Checked::Date.check(v).is_ok(),
                gtfs_structures_reads_date(v),
                "date {v:?}: {:?}",
                Checked::Date.check(v)
            );
        }
        let e = Checked::Date.check("2024-01-08").unwrap_err();
        assert!(e.contains("YYYYMMDD") && e.contains("8 digits"), "{e}");
        let e = Checked::Date.check("20240230").unwrap_err();
        assert!(e.contains("YYYYMMDD") && e.contains("exists"), "{e}");
        let e = Checked::Time.check("7h05").unwrap_err();
        assert!(e.contains("H:MM:SS"), "{e}");
    }
}
