//! Reading CSV and GeoJSON into one row-oriented shape, with every cell traceable
//! to its file, line and column.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use hubplan::geo::{bng_to_wgs84, LonLat};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::error::{did_you_mean, quote, IoError, IoErrorKind, Result};
use crate::limits;
use crate::num::{parse_number, NumErr};
use crate::text::nfc_string;

/// A row giving both `lon`,`lat` and `easting`,`northing` must have them this close,
/// metres: far above the conversion's error (about 5 m) and a GIS export's rounding.
pub(crate) const MAX_POSITION_DISAGREEMENT_M: f64 = 200.0;

/// Checks that `path` is an existing regular file no larger than `max_bytes`; returns its size.
pub(crate) fn check_file(path: &Path, role: &str, max_bytes: u64) -> Result<u64> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(IoError::new(IoErrorKind::NotFound, format!("the {role} file does not exist")).in_file(path));
        }
        Err(e) => {
            return Err(IoError::io(
                IoErrorKind::Read,
                path,
                &e,
                &format!("cannot read the {role} file"),
            ))
        }
    };
    if meta.is_dir() {
        return Err(IoError::new(
            IoErrorKind::NotAFile,
            format!("expected the {role} file, found a directory"),
        )
        .in_file(path));
    }
    if !meta.is_file() {
        return Err(IoError::new(
            IoErrorKind::NotAFile,
            format!("expected the {role} file, found something that is not a regular file"),
        )
        .in_file(path));
    }
    if meta.len() > max_bytes {
        return Err(IoError::new(
            IoErrorKind::TooLarge,
            format!(
                "the {role} file is {} bytes; hubplan reads files of at most {} bytes (see docs/FORMATS.md, limits)",
                meta.len(),
                max_bytes
            ),
        )
        .in_file(path));
    }
    Ok(meta.len())
}

/// True when the path should be read as GeoJSON (by extension, else by its first byte).
pub(crate) fn is_geojson(path: &Path) -> bool {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
    {
        Some(e) if e == "geojson" || e == "json" => true,
        Some(e) if e == "csv" || e == "txt" || e == "tsv" => false,
        _ => {
            let mut buf = [0u8; 64];
            let n = File::open(path).and_then(|mut f| f.read(&mut buf)).unwrap_or(0);
            let b = buf[..n].strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf[..n]);
            b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{')
        }
    }
}

/// A streaming CSV reader with normalised headers and friendly errors.
pub(crate) struct CsvStream {
    pub file: PathBuf,
    pub headers: Vec<String>,
    reader: csv::Reader<CrlfToLf<std::io::Chain<Cursor<Vec<u8>>, File>>>,
    rows: u64,
    max_rows: u64,
}

/// Reads `inner` so that the `csv` crate's line numbers are right: outside quoted
/// cells, every CR LF becomes LF (a lone CR is kept), and an empty line becomes a
/// line holding one space (a blank row, which [`CsvStream::next_row`] skips).
///
/// The `csv` crate gives a record the line where it started reading it: after a
/// CR LF that is the line before (BurntSushi/rust-csv#395, open), and after empty
/// lines (which it skips) the first of them. In a file saved by Excel on Windows
/// every error named the line above the bad row. With neither, every record starts
/// where its line starts. Quotes are tracked as the `csv` crate reads them (a quote
/// opens a cell only at its start; `""` inside a quoted cell is a quote), so a
/// quoted cell keeps its bytes.
pub(crate) struct CrlfToLf<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    in_quotes: bool,
    just_closed: bool,
    field_start: bool,
    line_start: bool,
    /// The line being written (1-based, counting LF as the `csv` crate does).
    line: u64,
    /// The line where the open quoted cell (`in_quotes`) started.
    quote_line: u64,
    /// The inner reader is at its end.
    eof: bool,
    /// The cell of the row being written (0-based; rows end at a line end outside quotes).
    cell: usize,
    /// The cell of the open quoted cell.
    quote_cell: usize,
    /// Quoted cells whose closing quote is followed by more text (`"a"b,`), as
    /// (line, cell) of their opening quote: the mark of a quote left open, or of a
    /// quote inside a value that is not doubled. Read ahead of the rows; kept small.
    strays: std::collections::VecDeque<(u64, usize)>,
}

impl<R: Read> CrlfToLf<R> {
    pub(crate) fn new(inner: R) -> Self {
        CrlfToLf {
            inner,
            buf: vec![0u8; 64 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            in_quotes: false,
            just_closed: false,
            field_start: true,
            // Blank lines before the header are left to the `csv` crate (they are
            // counted; the header is line 1 in messages either way).
            line_start: false,
            line: 1,
            quote_line: 0,
            eof: false,
            cell: 0,
            quote_cell: 0,
            strays: std::collections::VecDeque::new(),
        }
    }

    /// The first quoted cell between lines `from` and `to` (inclusive) with text after
    /// its closing quote, as (line, cell) of its opening quote; forgets those before `from`.
    pub(crate) fn stray_quote(&mut self, from: u64, to: u64) -> Option<(u64, usize)> {
        while self.strays.front().is_some_and(|s| s.0 < from) {
            self.strays.pop_front();
        }
        self.strays.front().copied().filter(|s| s.0 <= to)
    }

    /// At the end of the input inside a quoted cell (an unterminated quote):
    /// the line where that cell's opening quote is.
    pub(crate) fn open_quote_at_end(&self) -> Option<u64> {
        (self.eof && self.in_quotes).then_some(self.quote_line)
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut w = 0;
        while w < out.len() {
            if self.pos == self.len {
                if w > 0 {
                    break;
                }
                self.len = self.inner.read(&mut self.buf)?;
                self.pos = 0;
                if self.len == 0 {
                    self.eof = true;
                    break;
                }
            }
            let b = self.buf[self.pos];
            if !self.in_quotes && b == b'\r' {
                if self.pos + 1 == self.len {
                    // A CR at the end of the buffer: look at the next byte first.
                    self.buf[0] = b'\r';
                    let m = self.inner.read(&mut self.buf[1..])?;
                    self.pos = 0;
                    self.len = 1 + m;
                }
                if self.pos + 1 < self.len && self.buf[self.pos + 1] == b'\n' {
                    self.pos += 1;
                    continue;
                }
            }
            if !self.in_quotes && b == b'\n' && self.line_start {
                // An empty line: give it a space, so that it is a (blank) record.
                out[w] = b' ';
                w += 1;
                self.line_start = false;
                continue;
            }
            let closed = self.just_closed;
            self.just_closed = false;
            if self.in_quotes {
                if b == b'"' {
                    self.in_quotes = false;
                    self.just_closed = true;
                }
            } else if b == b'"' && (closed || self.field_start) {
                self.in_quotes = true;
                if !closed {
                    self.quote_line = self.line;
                    self.quote_cell = self.cell;
                }
            } else if closed && !matches!(b, b',' | b'\n' | b'\r') && self.strays.len() < 4096 {
                self.strays.push_back((self.quote_line, self.quote_cell));
            }
            if !self.in_quotes {
                match b {
                    b',' => self.cell += 1,
                    b'\n' => self.cell = 0,
                    _ => {}
                }
            }
            if b == b'\n' {
                self.line += 1;
            }
            self.field_start = !self.in_quotes && matches!(b, b',' | b'\n');
            self.line_start = !self.in_quotes && b == b'\n';
            out[w] = b;
            w += 1;
            self.pos += 1;
        }
        Ok(w)
    }
}

impl CsvStream {
    /// Opens a CSV file: checks the path and size, strips a UTF-8 BOM, detects a
    /// wrong delimiter, reads the header.
    pub(crate) fn open(path: &Path, role: &str, max_rows: u64) -> Result<Self> {
        check_file(path, role, limits::MAX_FILE_BYTES)?;
        let mut f = File::open(path)
            .map_err(|e| IoError::io(IoErrorKind::Read, path, &e, &format!("cannot open the {role} file")))?;
        let mut head = Vec::new();
        (&mut f)
            .take(64 * 1024)
            .read_to_end(&mut head)
            .map_err(|e| IoError::io(IoErrorKind::Read, path, &e, &format!("cannot read the {role} file")))?;
        if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            return Err(IoError::new(
                IoErrorKind::Csv,
                "this file is UTF-16 encoded; save it as CSV UTF-8 (comma-separated)",
            )
            .in_file(path)
            .at_line(1));
        }
        if head.starts_with(b"\xEF\xBB\xBF") {
            head.drain(..3);
        }
        if head.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(IoError::new(
                IoErrorKind::Csv,
                format!("the {role} file is empty: expected a header line and at least one row"),
            )
            .in_file(path));
        }
        // Sniff the delimiter on the first non-blank line.
        let first = head
            .split(|&b| b == b'\n')
            .find(|l| !l.iter().all(|b| b.is_ascii_whitespace()))
            .unwrap_or(&[]);
        if !first.contains(&b',') {
            let named = if first.contains(&b';') {
                Some("semicolon")
            } else if first.contains(&b'\t') {
                Some("tab")
            } else if first.contains(&b'|') {
                Some("pipe (|)")
            } else {
                None
            };
            if let Some(d) = named {
                return Err(IoError::new(
                    IoErrorKind::Csv,
                    format!("this file looks {d}-separated; hubplan reads comma-separated CSV (in a spreadsheet: Save As → CSV UTF-8, comma-delimited)"),
                )
                .in_file(path)
                .at_line(1));
            }
        }
        let reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(CrlfToLf::new(Cursor::new(head).chain(f)));
        let mut s = CsvStream {
            file: path.to_path_buf(),
            headers: Vec::new(),
            reader,
            rows: 0,
            max_rows,
        };
        let headers = s.reader.headers().map_err(|e| csv_error(path, e, &[]))?.clone();
        s.headers = headers.iter().map(|h| nfc_string(h.trim())).collect();
        check_headers(path, &s.headers)?;
        Ok(s)
    }

    /// Reads the next row into `rec`; returns its 1-based line, or None at the end.
    pub(crate) fn next_row(&mut self, rec: &mut csv::StringRecord) -> Result<Option<u64>> {
        loop {
            match self.reader.read_record(rec) {
                Ok(false) => return Ok(None),
                Ok(true) => {
                    let line = rec.position().map(|p| p.line()).unwrap_or(0);
                    // A line of nothing but commas (spreadsheets add these at the end),
                    // or a blank line, is skipped.
                    if rec.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    // A quote with no closing quote (it ran to the end of the file, or
                    // on to a later stray quote, swallowing line ends and commas).
                    if let Some(e) = self.unterminated_quote(rec, line) {
                        return Err(e);
                    }
                    // The reader is flexible (blank lines are one-cell records): check
                    // the row's length here.
                    if rec.len() != self.headers.len() {
                        let len = rec.len();
                        let split = if len > self.headers.len() {
                            split_amount(rec)
                        } else {
                            String::new()
                        };
                        return Err(IoError::new(
                            IoErrorKind::Csv,
                            format!(
                                "this row has {len} field{} but the header has {} (a truncated row, or a value with an unquoted comma?){split}",
                                if len == 1 { "" } else { "s" },
                                self.headers.len()
                            ),
                        )
                        .in_file(&self.file)
                        .at_line(line));
                    }
                    self.rows += 1;
                    if self.rows > self.max_rows {
                        return Err(IoError::new(
                            IoErrorKind::TooLarge,
                            format!(
                                "more than {} rows; this is over hubplan's limit (see docs/FORMATS.md, limits)",
                                self.max_rows
                            ),
                        )
                        .in_file(&self.file)
                        .at_line(line));
                    }
                    return Ok(Some(line));
                }
                Err(e) => return Err(csv_error(&self.file, e, &self.headers)),
            }
        }
    }

    /// The error for a row that an unterminated quote runs through: a quoted cell
    /// that runs to the end of the file, or one over several lines in a row of the
    /// wrong length. Names the line where the quoted cell starts and its column.
    fn unterminated_quote(&mut self, rec: &csv::StringRecord, line: u64) -> Option<IoError> {
        // Each cell's first line: line ends are only inside quoted cells.
        let mut starts = Vec::with_capacity(rec.len());
        let mut l = line;
        for cell in rec.iter() {
            starts.push(l);
            l += cell.bytes().filter(|&b| b == b'\n').count() as u64;
        }
        let column = |i: usize| {
            self.headers
                .get(i)
                .filter(|h| !h.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("#{}", i + 1))
        };
        let last = rec.len().checked_sub(1)?;
        if let Some(q) = self.reader.get_ref().open_quote_at_end() {
            if starts[last] == q {
                return Some(
                    IoError::new(
                        IoErrorKind::Csv,
                        format!(
                            "the quoted value of column {} that starts on this line has no closing quote: \
                             everything after its opening quote, to the end of the file, was read \
                             as one value; add the closing \" or remove the opening one",
                            quote(&column(last))
                        ),
                    )
                    .in_file(&self.file)
                    .at_line(q)
                    .field(column(last)),
                );
            }
        }
        // A value over several lines in a row of the wrong length, or one that holds
        // whole rows (a line with as many commas as a row has), is a quote left open.
        let width = self.headers.len();
        let stray = self.reader.get_mut().stray_quote(line, l);
        let Some(i) = rec.iter().position(|c| c.contains('\n')) else {
            // On one line: a quoted value with text after its closing quote.
            let (q, c) = stray.filter(|_| rec.len() != width)?;
            return Some(
                IoError::new(
                    IoErrorKind::Csv,
                    format!(
                        "the quoted value of column {} that starts on this line has more text after its closing \
                         quote, so the row has {} fields where the header has {width}: is a quote missing, or a \
                         quote inside the value not doubled? (a quote inside a value is written \"\")",
                        quote(&column(c)),
                        rec.len()
                    ),
                )
                .in_file(&self.file)
                .at_line(q)
                .field(column(c)),
            );
        };
        let swallows_rows = width > 1 && rec[i].split('\n').skip(1).any(|l| l.matches(',').count() + 1 >= width);
        if rec.len() == width && !swallows_rows {
            return None;
        }
        let end = starts[i] + rec[i].bytes().filter(|&b| b == b'\n').count() as u64;
        Some(
            IoError::new(
                IoErrorKind::Csv,
                format!(
                    "the quoted value of column {} that starts on this line runs on to line {end}{}: is its \
                     closing quote missing? (a quote inside a value is written \"\")",
                    quote(&column(i)),
                    if rec.len() == width {
                        ", taking in the rows between as part of it".to_string()
                    } else {
                        format!(", so the row has {} fields where the header has {width}", rec.len())
                    }
                ),
            )
            .in_file(&self.file)
            .at_line(starts[i])
            .field(column(i)),
        )
    }

    /// Rows read so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }
}

fn check_headers(path: &Path, headers: &[String]) -> Result<()> {
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if let Some(j) = headers[..i].iter().position(|o| o.eq_ignore_ascii_case(h)) {
            return Err(IoError::new(
                IoErrorKind::Csv,
                format!(
                    "column {} appears twice in the header (columns {} and {})",
                    quote(h),
                    j + 1,
                    i + 1
                ),
            )
            .in_file(path)
            .at_line(1)
            .field(h.clone()));
        }
    }
    Ok(())
}

fn csv_error(path: &Path, e: csv::Error, headers: &[String]) -> IoError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => IoError::io(IoErrorKind::Read, path, &io, "cannot read the file"),
        csv::ErrorKind::Utf8 { pos, err } => {
            let field = headers.get(err.field()).cloned().unwrap_or_else(|| format!("#{}", err.field() + 1));
            IoError::new(IoErrorKind::Csv, "this cell is not valid UTF-8 text; save the file as CSV UTF-8")
                .in_file(path)
                .at_opt_line(pos.map(|p| p.line()).or(line))
                .field(field)
        }
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => IoError::new(
            IoErrorKind::Csv,
            format!(
                "this row has {len} field{} but the header has {expected_len} (a truncated row, or a value with an unquoted comma?)",
                if len == 1 { "" } else { "s" }
            ),
        )
        .in_file(path)
        .at_opt_line(pos.map(|p| p.line()).or(line)),
        other => IoError::new(IoErrorKind::Csv, format!("malformed CSV: {other:?}")).in_file(path).at_opt_line(line),
    }
}

/// For a row with more cells than the header: the first two neighbouring cells that
/// read as one amount once joined by the comma between them (`"£5"`, `"000"`, or an
/// accounting `"(5"`, `"000)"`), said as a hint; empty when there are none.
fn split_amount(rec: &csv::StringRecord) -> String {
    let cells: Vec<&str> = rec.iter().map(str::trim).collect();
    for (i, w) in cells.windows(2).enumerate() {
        // The right part must start with a group of three digits.
        let right = w[1].as_bytes();
        if right.len() < 3 || !right[..3].iter().all(u8::is_ascii_digit) || w[0].is_empty() {
            continue;
        }
        let joined = format!("{},{}", w[0], w[1]);
        let also = match parse_number(&joined) {
            Ok(_) => String::new(),
            Err(NumErr::Accounting(v)) => format!(
                "; and {} is accounting notation for a negative amount: write {}, without brackets",
                quote(&joined),
                hubplan::fmt::plain(v)
            ),
            Err(_) => continue,
        };
        return format!(
            "; fields {} and {}, {} and {}, read together as {} look like one amount split at an unquoted comma: write it without the comma, or in quotes{also}",
            i + 1,
            i + 2,
            quote(w[0]),
            quote(w[1]),
            quote(&joined)
        );
    }
    String::new()
}

/// One row of a [`Table`].
#[derive(Debug)]
pub(crate) struct Row {
    /// 1-based line where the row (or GeoJSON feature) starts.
    pub line: u64,
    /// GeoJSON: the index in `features`.
    pub feature: Option<usize>,
    /// Cells aligned with [`Table::columns`], trimmed.
    pub cells: Vec<String>,
    /// GeoJSON: the point (or polygon centroid), in the file's coordinates.
    pub geom: Option<(f64, f64)>,
    /// GeoJSON: the Polygon or MultiPolygon, in the file's coordinates.
    pub outline: Option<geo::MultiPolygon<f64>>,
}

/// A whole CSV or GeoJSON file as rows of text cells.
#[derive(Debug)]
pub(crate) struct Table {
    pub file: PathBuf,
    pub role: String,
    pub geojson: bool,
    /// GeoJSON coordinates are British National Grid (a legacy `crs` member says EPSG:27700).
    pub bng_geometry: bool,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

/// What geometries a GeoJSON reader accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Geoms {
    /// Points only (sites, points).
    Points,
    /// Points, Polygons and MultiPolygons at their centroid (zones).
    PointsAndAreas,
}

/// Number constraints for [`Table::num`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct NumSpec<'a> {
    pub expected: &'a str,
    pub min: Option<f64>,
    pub min_exclusive: bool,
    pub max: Option<f64>,
    pub integer: bool,
    /// Said after the value when it is above `max` (e.g. the largest amount of money accepted).
    pub above_max: &'a str,
}

impl<'a> NumSpec<'a> {
    pub(crate) const fn any(expected: &'a str) -> Self {
        NumSpec {
            expected,
            min: None,
            min_exclusive: false,
            max: None,
            integer: false,
            above_max: "",
        }
    }
    pub(crate) const fn non_negative(expected: &'a str) -> Self {
        NumSpec {
            expected,
            min: Some(0.0),
            min_exclusive: false,
            max: None,
            integer: false,
            above_max: "",
        }
    }
    /// An amount of money: pounds ≥ 0 and at most [`crate::limits::MAX_POUNDS`].
    pub(crate) const fn money(expected: &'a str) -> Self {
        NumSpec {
            expected,
            min: Some(0.0),
            min_exclusive: false,
            max: Some(crate::limits::MAX_POUNDS),
            integer: false,
            above_max: crate::limits::ABOVE_MAX_POUNDS,
        }
    }
    pub(crate) const fn positive(expected: &'a str) -> Self {
        NumSpec {
            expected,
            min: Some(0.0),
            min_exclusive: true,
            max: None,
            integer: false,
            above_max: "",
        }
    }
}

impl Table {
    /// Reads a CSV or GeoJSON file (chosen by extension, else by content).
    pub(crate) fn read(path: &Path, role: &str, geoms: Geoms) -> Result<Table> {
        if is_geojson(path) {
            read_geojson(path, role, geoms)
        } else {
            read_csv(path, role)
        }
    }

    /// The index of column `name` (case-insensitive).
    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.eq_ignore_ascii_case(name))
    }

    /// The index of the first column found among `names`.
    pub(crate) fn col_any(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.col(n))
    }

    /// The column `name`, or a MissingColumn error with a did-you-mean.
    pub(crate) fn require_col(&self, name: &str) -> Result<usize> {
        self.col(name).ok_or_else(|| {
            let what = if self.geojson { "property" } else { "column" };
            IoError::new(
                IoErrorKind::MissingColumn,
                format!(
                    "the {} file has no `{name}` {what}{}; it has: {}",
                    self.role,
                    did_you_mean(name, self.columns.iter().map(String::as_str)),
                    self.columns_list()
                ),
            )
            .in_file(&self.file)
            .at_line(1)
            .field(name)
        })
    }

    pub(crate) fn columns_list(&self) -> String {
        let v: Vec<&str> = self
            .columns
            .iter()
            .map(String::as_str)
            .filter(|c| !c.is_empty())
            .collect();
        if v.is_empty() {
            "no columns".into()
        } else {
            v.join(", ")
        }
    }

    /// The trimmed cell, "" when the column is absent.
    pub(crate) fn cell<'r>(&self, row: &'r Row, col: Option<usize>) -> &'r str {
        col.and_then(|c| row.cells.get(c)).map(String::as_str).unwrap_or("")
    }

    /// The column name for messages.
    pub(crate) fn name_of(&self, col: usize) -> &str {
        self.columns.get(col).map(String::as_str).unwrap_or("?")
    }

    /// An error located at `row`, field `field`.
    pub(crate) fn err(&self, row: &Row, field: &str, kind: IoErrorKind, msg: impl Into<String>) -> IoError {
        let mut msg = msg.into();
        if let Some(k) = row.feature {
            msg.push_str(&format!(" (in features[{k}])"));
        }
        IoError::new(kind, msg)
            .in_file(&self.file)
            .at_line(row.line)
            .field(field)
    }

    /// Parses a number in `col`: `Ok(None)` for an empty cell or absent column.
    pub(crate) fn num(&self, row: &Row, col: Option<usize>, spec: NumSpec<'_>) -> Result<Option<f64>> {
        let Some(c) = col else { return Ok(None) };
        let raw = self.cell(row, Some(c));
        let name = self.name_of(c).to_string();
        match parse_number(raw) {
            Err(NumErr::Empty) => Ok(None),
            Err(e) => {
                let hint = match spec.min {
                    Some(m) if m >= 0.0 => e.hint_non_negative(raw, &name),
                    _ => e.hint(raw),
                };
                Err(self.err(
                    row,
                    &name,
                    IoErrorKind::BadValue,
                    format!("expected {}, found {}{hint}", spec.expected, quote(raw)),
                ))
            }
            Ok(v) => {
                let below = match spec.min {
                    Some(m) if spec.min_exclusive => v <= m,
                    Some(m) => v < m,
                    None => false,
                };
                let above = spec.max.is_some_and(|m| v > m);
                if below || above || (spec.integer && v.fract() != 0.0) {
                    return Err(self.err(
                        row,
                        &name,
                        IoErrorKind::BadValue,
                        format!(
                            "expected {}, found {}{}",
                            spec.expected,
                            quote(raw),
                            if above { spec.above_max } else { "" }
                        ),
                    ));
                }
                Ok(Some(v))
            }
        }
    }

    /// Like [`Table::num`] but an empty cell is an error.
    pub(crate) fn num_required(&self, row: &Row, col: usize, spec: NumSpec<'_>) -> Result<f64> {
        match self.num(row, Some(col), spec)? {
            Some(v) => Ok(v),
            None => Err(self.err(
                row,
                self.name_of(col),
                IoErrorKind::BadValue,
                format!("expected {}, found an empty cell", spec.expected),
            )),
        }
    }

    /// Finds the position columns, or says which are missing.
    pub(crate) fn position_columns(&self) -> Result<PosCols> {
        let p = PosCols {
            lon: self.col_any(&["lon", "longitude", "lng"]),
            lat: self.col_any(&["lat", "latitude"]),
            easting: self.col_any(&["easting", "eastings"]),
            northing: self.col_any(&["northing", "northings"]),
        };
        let has_geom = self.rows.iter().any(|r| r.geom.is_some());
        let missing = |name: &str, other: &str| {
            IoError::new(
                IoErrorKind::MissingColumn,
                format!("the {} file has a `{other}` column but no `{name}`", self.role),
            )
            .in_file(&self.file)
            .at_line(1)
            .field(name)
        };
        match (p.lon, p.lat) {
            (Some(_), None) => return Err(missing("lat", "lon")),
            (None, Some(_)) => return Err(missing("lon", "lat")),
            _ => {}
        }
        match (p.easting, p.northing) {
            (Some(_), None) => return Err(missing("northing", "easting")),
            (None, Some(_)) => return Err(missing("easting", "northing")),
            _ => {}
        }
        if p.lon.is_none() && p.easting.is_none() && !has_geom {
            let what = if self.geojson {
                "geometry or properties"
            } else {
                "columns"
            };
            return Err(IoError::new(
                IoErrorKind::MissingColumn,
                format!(
                    "the {} file has no position: expected {what} `lon`,`lat` (WGS84 degrees) or `easting`,`northing` (British National Grid metres); it has: {}",
                    self.role,
                    self.columns_list()
                ),
            )
            .in_file(&self.file)
            .at_line(1)
            .field("lon,lat"));
        }
        Ok(p)
    }

    /// Whether [`Table::position`] reads the row's position from British National Grid
    /// metres (a geometry in a file whose legacy `crs` is EPSG:27700, or easting/northing
    /// cells without lon/lat ones) rather than from WGS84 degrees.
    pub(crate) fn position_is_bng(&self, row: &Row, p: &PosCols) -> bool {
        if row.geom.is_some() {
            return self.bng_geometry;
        }
        if let (Some(lo), Some(la)) = (p.lon, p.lat) {
            if !self.cell(row, Some(lo)).is_empty() || !self.cell(row, Some(la)).is_empty() {
                return false;
            }
        }
        true
    }

    /// The WGS84 position of a row: geometry first, then lon/lat, then easting/northing
    /// (a row with both pairs must have them within [`MAX_POSITION_DISAGREEMENT_M`]).
    pub(crate) fn position(&self, row: &Row, p: &PosCols) -> Result<LonLat> {
        if let Some((x, y)) = row.geom {
            return if self.bng_geometry {
                self.bng_position(row, x, y, "geometry")
            } else {
                self.check_lonlat(row, x, y, "geometry")
            };
        }
        if let (Some(lo), Some(la)) = (p.lon, p.lat) {
            if !self.cell(row, Some(lo)).is_empty() || !self.cell(row, Some(la)).is_empty() {
                let lon = self.num_required(row, lo, NumSpec::any("a longitude in degrees"))?;
                let lat = self.num_required(row, la, NumSpec::any("a latitude in degrees"))?;
                let pos = self.check_lonlat(row, lon, lat, "lon,lat")?;
                // A row with both pairs filled is read from lon,lat; the other pair must
                // name the same place, or one of them is wrong and nothing says which.
                if let (Some(e), Some(n)) = (p.easting, p.northing) {
                    if !self.cell(row, Some(e)).is_empty() && !self.cell(row, Some(n)).is_empty() {
                        let x = self.num_required(row, e, NumSpec::any("an easting in metres"))?;
                        let y = self.num_required(row, n, NumSpec::any("a northing in metres"))?;
                        let other = self.bng_position(row, x, y, "easting,northing")?;
                        let d = hubplan::geo::haversine_m(pos, other);
                        if d > MAX_POSITION_DISAGREEMENT_M {
                            return Err(self.err(
                                row,
                                "lon,lat",
                                IoErrorKind::BadValue,
                                format!(
                                    "lon {lon}, lat {lat} and easting {x}, northing {y} are {:.0} m apart; a row may give \
                                     both pairs only when they name the same place (within {MAX_POSITION_DISAGREEMENT_M} m): \
                                     keep the right pair and empty the other",
                                    d
                                ),
                            ));
                        }
                    }
                }
                return Ok(pos);
            }
        }
        if let (Some(e), Some(n)) = (p.easting, p.northing) {
            if !self.cell(row, Some(e)).is_empty() || !self.cell(row, Some(n)).is_empty() {
                let x = self.num_required(row, e, NumSpec::any("an easting in metres"))?;
                let y = self.num_required(row, n, NumSpec::any("a northing in metres"))?;
                return self.bng_position(row, x, y, "easting,northing");
            }
        }
        let field = if p.lon.is_some() { "lon,lat" } else { "easting,northing" };
        let msg = if row.geom.is_none() && self.geojson {
            "expected a position: a Point geometry, or lon,lat (or easting,northing) properties; found none"
        } else {
            "expected a position (lon,lat or easting,northing), found empty cells"
        };
        Err(self.err(row, field, IoErrorKind::BadValue, msg))
    }

    /// The WGS84 outline of a row given as a Polygon or MultiPolygon (every vertex
    /// checked like a position, and converted from British National Grid when the
    /// file is in it); `None` for a point or a CSV row.
    pub(crate) fn outline(&self, row: &Row) -> Result<Option<geo::MultiPolygon<f64>>> {
        use geo::MapCoords;
        let Some(mp) = &row.outline else { return Ok(None) };
        let out = mp.try_map_coords(|c| {
            let p = if self.bng_geometry {
                self.bng_position(row, c.x, c.y, "geometry")?
            } else {
                self.check_lonlat(row, c.x, c.y, "geometry")?
            };
            Ok::<_, IoError>(geo::Coord { x: p.lon, y: p.lat })
        })?;
        // RFC 7946 §3.1.6: exterior rings counterclockwise, holes clockwise. Files from
        // shapefiles often wind the other way; every output (plan.geojson, study.geojson,
        // the server) writes the outline as kept here.
        use geo::orient::{Direction, Orient};
        Ok(Some(out.orient(Direction::Default)))
    }

    fn check_lonlat(&self, row: &Row, lon: f64, lat: f64, field: &str) -> Result<LonLat> {
        let bad = |msg: String| Err(self.err(row, field, IoErrorKind::BadValue, msg));
        if !lon.is_finite() || !lat.is_finite() {
            return bad(format!("expected finite coordinates, found lon {lon}, lat {lat}"));
        }
        if lon.abs() > 180.0 || lat.abs() > 90.0 {
            if lon.abs() > 1000.0 && lat.abs() > 1000.0 && field == "geometry" {
                return bad(format!(
                    "expected WGS84 degrees (RFC 7946), found coordinates [{lon}, {lat}]; these look like British National Grid metres: reproject to WGS84, or declare a legacy \"crs\" of EPSG:27700"
                ));
            }
            if lon.abs() > 1000.0 && lat.abs() > 1000.0 {
                return bad(format!(
                    "expected WGS84 degrees (lon in [-180, 180], lat in [-90, 90]), found lon {lon}, lat {lat}; these look like British National Grid metres: name the columns `easting`,`northing`"
                ));
            }
            if lat.abs() > 90.0 && lat.abs() <= 180.0 && lon.abs() <= 90.0 {
                return bad(format!(
                    "expected a latitude in [-90, 90], found lat {lat} (with lon {lon}); lat and lon look swapped"
                ));
            }
            return bad(format!(
                "expected WGS84 degrees (lon in [-180, 180], lat in [-90, 90]), found lon {lon}, lat {lat}"
            ));
        }
        // A British dataset with the columns swapped lands in the Indian Ocean.
        if (-9.0..=2.5).contains(&lat) && (49.0..=61.0).contains(&lon) {
            return bad(format!(
                "lat and lon look swapped: found lat {lat}, lon {lon} (in the Indian Ocean); in Great Britain lat is about 50 to 61 and lon about -8 to 2"
            ));
        }
        Ok(LonLat::new(lon, lat))
    }

    fn bng_position(&self, row: &Row, e: f64, n: f64, field: &str) -> Result<LonLat> {
        let bad = |msg: String| Err(self.err(row, field, IoErrorKind::BadValue, msg));
        if !e.is_finite() || !n.is_finite() {
            return bad(format!("expected finite coordinates, found easting {e}, northing {n}"));
        }
        if e.abs() <= 180.0 && n.abs() <= 90.0 {
            // In GeoJSON the grid comes from the legacy `crs` member, not from column names.
            let fix = if field == "geometry" {
                "remove the legacy \"crs\" of EPSG:27700 (GeoJSON without one is WGS84, RFC 7946)"
            } else {
                "name the columns `lon`,`lat`"
            };
            return bad(format!(
                "expected British National Grid metres, found easting {e}, northing {n}; these look like WGS84 degrees: {fix}"
            ));
        }
        let in_e = (-100_000.0..=800_000.0).contains(&e);
        let in_n = (-100_000.0..=1_400_000.0).contains(&n);
        if !in_e || !in_n {
            let hint = if (-100_000.0..=800_000.0).contains(&n) && (-100_000.0..=1_400_000.0).contains(&e) {
                "; easting and northing look swapped"
            } else {
                ""
            };
            return bad(format!(
                "expected British National Grid metres (easting 0 to 700000, northing 0 to 1300000), found easting {e}, northing {n}{hint}"
            ));
        }
        let p = bng_to_wgs84(e, n);
        if !p.is_valid() {
            return bad(format!(
                "easting {e}, northing {n} does not convert to a valid WGS84 position"
            ));
        }
        Ok(p)
    }
}

/// Where the position columns are.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PosCols {
    pub lon: Option<usize>,
    pub lat: Option<usize>,
    pub easting: Option<usize>,
    pub northing: Option<usize>,
}

impl PosCols {
    /// Is `col` one of the position columns?
    pub(crate) fn contains(&self, col: usize) -> bool {
        [self.lon, self.lat, self.easting, self.northing].contains(&Some(col))
    }
}

fn read_csv(path: &Path, role: &str) -> Result<Table> {
    let mut s = CsvStream::open(path, role, limits::MAX_ROWS)?;
    let mut rec = csv::StringRecord::new();
    let mut rows = Vec::new();
    while let Some(line) = s.next_row(&mut rec)? {
        rows.push(Row {
            line,
            feature: None,
            cells: rec.iter().map(|c| nfc_string(c.trim())).collect(),
            geom: None,
            outline: None,
        });
    }
    if rows.is_empty() {
        return Err(
            IoError::new(IoErrorKind::Csv, format!("the {role} file has a header but no rows"))
                .in_file(path)
                .at_line(1),
        );
    }
    Ok(Table {
        file: path.to_path_buf(),
        role: role.to_string(),
        geojson: false,
        bng_geometry: false,
        columns: s.headers,
        rows,
    })
}

#[derive(serde::Deserialize)]
struct TopLevel<'a> {
    #[serde(rename = "type")]
    ty: Option<String>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
    crs: Option<Value>,
}

fn json_error(path: &Path, e: &serde_json::Error, what: &str) -> IoError {
    let line = if e.line() > 0 { Some(e.line() as u64) } else { None };
    IoError::new(IoErrorKind::Json, format!("{what}: {e}"))
        .in_file(path)
        .at_opt_line(line)
}

/// (line, feature index, (column, text) cells, point).
type FeatureRow = (u64, usize, Vec<(usize, String)>, Option<Shape>);

fn read_geojson(path: &Path, role: &str, geoms: Geoms) -> Result<Table> {
    check_file(path, role, limits::MAX_GEOJSON_BYTES)?;
    let bytes = std::fs::read(path)
        .map_err(|e| IoError::io(IoErrorKind::Read, path, &e, &format!("cannot read the {role} file")))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let src = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        IoError::new(IoErrorKind::Json, "not valid UTF-8 text; GeoJSON must be UTF-8")
            .in_file(path)
            .at_line(line)
    })?;
    if src.trim().is_empty() {
        return Err(IoError::new(
            IoErrorKind::Json,
            format!("the {role} file is empty: expected a GeoJSON FeatureCollection"),
        )
        .in_file(path));
    }
    let top: TopLevel<'_> = serde_json::from_str(src).map_err(|e| json_error(path, &e, "not a GeoJSON object"))?;
    if top.ty.as_deref() != Some("FeatureCollection") {
        return Err(IoError::new(
            IoErrorKind::Json,
            format!(
                "expected a GeoJSON FeatureCollection, found type {}",
                top.ty.as_deref().map(quote).unwrap_or_else(|| "(none)".into())
            ),
        )
        .in_file(path)
        .at_line(1)
        .field("type"));
    }
    let bng_geometry = match &top.crs {
        None | Some(Value::Null) => false,
        Some(c) => {
            let name = c.pointer("/properties/name").and_then(Value::as_str).unwrap_or("");
            if name.ends_with("27700") {
                true
            } else if name.ends_with("4326") || name.ends_with("CRS84") {
                false
            } else {
                return Err(IoError::new(
                    IoErrorKind::Json,
                    format!(
                        "unsupported crs {}: hubplan reads GeoJSON in WGS84 (RFC 7946), or with a legacy crs of EPSG:27700; \
                         reproject to WGS84 (and drop the crs member)",
                        if name.is_empty() { quote(&c.to_string()) } else { quote(name) }
                    ),
                )
                .in_file(path)
                .field("crs"));
            }
        }
    };
    let features = top.features.ok_or_else(|| {
        IoError::new(IoErrorKind::Json, "the FeatureCollection has no `features` array")
            .in_file(path)
            .field("features")
    })?;
    if features.len() as u64 > limits::MAX_ROWS {
        return Err(IoError::new(
            IoErrorKind::TooLarge,
            format!(
                "{} features; hubplan reads at most {} (see docs/FORMATS.md, limits)",
                features.len(),
                limits::MAX_ROWS
            ),
        )
        .in_file(path));
    }
    let base = src.as_ptr() as usize;
    let mut line = 1u64;
    let mut scanned = 0usize;
    let mut columns: Vec<String> = Vec::new();
    let mut rows_props: Vec<FeatureRow> = Vec::new();
    for (k, raw) in features.iter().enumerate() {
        let off = (raw.get().as_ptr() as usize).saturating_sub(base).min(src.len());
        if off >= scanned {
            line += src.as_bytes()[scanned..off].iter().filter(|&&b| b == b'\n').count() as u64;
            scanned = off;
        }
        let fail = |field: &str, kind: IoErrorKind, msg: String| {
            IoError::new(kind, format!("{msg} (in features[{k}])"))
                .in_file(path)
                .at_line(line)
                .field(field)
        };
        let v: Value = serde_json::from_str(raw.get()).map_err(|e| json_error(path, &e, "bad feature"))?;
        let Value::Object(mut obj) = v else {
            return Err(fail("type", IoErrorKind::Json, "expected a Feature object".into()));
        };
        if obj.get("type").and_then(Value::as_str) != Some("Feature") {
            return Err(fail(
                "type",
                IoErrorKind::Json,
                format!(
                    "expected a Feature, found type {}",
                    obj.get("type")
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "(none)".into())
                ),
            ));
        }
        // What the `geojson` crate would word less plainly, checked first: the
        // geometry's type, that it has coordinates, and the properties' shape.
        if let Some(g) = obj.get("geometry").filter(|g| !g.is_null()) {
            check_geometry_type(g, geoms).map_err(|m| fail("geometry", IoErrorKind::Json, m))?;
        }
        if !matches!(obj.get("properties"), None | Some(Value::Null) | Some(Value::Object(_))) {
            return Err(fail(
                "properties",
                IoErrorKind::Json,
                "expected `properties` to be an object".into(),
            ));
        }
        // Lenient where RFC 7946 is strict and nothing is lost: a missing `geometry`
        // reads as null (the position then comes from properties), and an `id` that
        // is neither a string nor a number is ignored.
        obj.entry("geometry").or_insert(Value::Null);
        if obj.get("id").is_some_and(|id| !id.is_string() && !id.is_number()) {
            obj.remove("id");
        }
        let feature = geojson::Feature::try_from(obj).map_err(|e| {
            let (field, msg) = geojson_error(&e);
            fail(field, IoErrorKind::Json, msg)
        })?;
        let geom = match &feature.geometry {
            None => None,
            Some(g) => Some(shape(&g.value).map_err(|m| fail("geometry", IoErrorKind::Json, m))?),
        };
        let mut cells = Vec::new();
        if let Some(props) = &feature.properties {
            {
                for (key, val) in props {
                    let text = match val {
                        Value::Null => String::new(),
                        Value::String(s) => nfc_string(s.trim()),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Array(items) => {
                            let mut parts = Vec::new();
                            for it in items {
                                match it {
                                    Value::String(s) => parts.push(nfc_string(s.trim())),
                                    Value::Number(n) => parts.push(n.to_string()),
                                    _ => {
                                        return Err(fail(
                                            key,
                                            IoErrorKind::BadValue,
                                            "expected a list of texts or numbers".into(),
                                        ))
                                    }
                                }
                            }
                            parts.join(";")
                        }
                        Value::Object(_) => {
                            return Err(fail(
                                key,
                                IoErrorKind::BadValue,
                                "expected a text or a number, found an object".into(),
                            ))
                        }
                    };
                    let key = nfc_string(key.trim());
                    let key = key.as_str();
                    let c = match columns.iter().position(|c| c.eq_ignore_ascii_case(key)) {
                        Some(c) => c,
                        None => {
                            columns.push(key.to_string());
                            columns.len() - 1
                        }
                    };
                    cells.push((c, text));
                }
            }
        }
        // A Feature-level id stands in for a missing `id` property.
        if let Some(id) = &feature.id {
            let id = match id {
                geojson::feature::Id::String(s) => Some(nfc_string(s.trim())),
                geojson::feature::Id::Number(n) => Some(n.to_string()),
            };
            if let Some(id) = id {
                let c = match columns.iter().position(|c| c.eq_ignore_ascii_case("id")) {
                    Some(c) => c,
                    None => {
                        columns.push("id".into());
                        columns.len() - 1
                    }
                };
                if !cells.iter().any(|(cc, t)| *cc == c && !t.is_empty()) {
                    cells.retain(|(cc, _)| *cc != c);
                    cells.push((c, id));
                }
            }
        }
        rows_props.push((line, k, cells, geom));
    }
    if rows_props.is_empty() {
        return Err(IoError::new(
            IoErrorKind::Json,
            format!("the {role} FeatureCollection has no features"),
        )
        .in_file(path)
        .field("features"));
    }
    let n = columns.len();
    let rows = rows_props
        .into_iter()
        .map(|(line, k, cells, geom)| {
            let mut v = vec![String::new(); n];
            for (c, t) in cells {
                v[c] = t;
            }
            let (geom, outline) = match geom {
                Some(sh) => (Some(sh.point), sh.outline),
                None => (None, None),
            };
            Row {
                line,
                feature: Some(k),
                cells: v,
                geom,
                outline,
            }
        })
        .collect();
    Ok(Table {
        file: path.to_path_buf(),
        role: role.to_string(),
        geojson: true,
        bng_geometry,
        columns,
        rows,
    })
}

/// A feature's geometry: its representative point and, for an area, the outline
/// (both in the file's coordinates).
#[derive(Debug)]
struct Shape {
    point: (f64, f64),
    outline: Option<geo::MultiPolygon<f64>>,
}

/// Checks the geometry's type against what the file may hold, and that it has coordinates.
fn check_geometry_type(g: &Value, geoms: Geoms) -> Result<(), String> {
    let ty = g.get("type").and_then(Value::as_str).unwrap_or("(none)");
    let allowed = match geoms {
        Geoms::Points => ty == "Point",
        Geoms::PointsAndAreas => matches!(ty, "Point" | "Polygon" | "MultiPolygon"),
    };
    if !allowed {
        let expected = match geoms {
            Geoms::Points => "a Point",
            Geoms::PointsAndAreas => "a Point, Polygon or MultiPolygon",
        };
        return Err(format!("expected {expected} geometry, found {}", quote(ty)));
    }
    if g.get("coordinates").is_none_or(Value::is_null) {
        return Err(format!("the {ty} has no coordinates"));
    }
    Ok(())
}

/// The field and a plain message for an error of the `geojson` crate.
fn geojson_error(e: &geojson::Error) -> (&'static str, String) {
    use geojson::Error as E;
    let msg = match e {
        E::PositionTooShort(n) => {
            format!(
                "expected a position [x, y] of two numbers, found one of {n} number{}",
                if *n == 1 { "" } else { "s" }
            )
        }
        E::ExpectedF64Value => "expected numeric coordinates".into(),
        E::ExpectedArrayValue(_) => {
            "expected coordinates nested as GeoJSON says: a position [x, y], a ring of positions, a Polygon's rings, a MultiPolygon's polygons".into()
        }
        E::PropertiesExpectedObjectOrNull(_) => return ("properties", "expected `properties` to be an object".into()),
        E::FeatureInvalidIdentifierType(_) => return ("id", "expected the Feature's `id` to be a string or a number".into()),
        other => {
            let mut t = other.to_string();
            if t.len() > 200 {
                let mut k = 200;
                while !t.is_char_boundary(k) {
                    k -= 1;
                }
                t.truncate(k);
                t.push('…');
            }
            format!("malformed GeoJSON: {t}")
        }
    };
    ("geometry", msg)
}

/// The representative point of a geometry: the Point itself, or a (Multi)Polygon's
/// centroid (`geo::Centroid`: the area-weighted planar centroid, in the file's
/// coordinates), with the polygon kept as the outline.
fn shape(v: &geojson::Value) -> Result<Shape, String> {
    use geo::{Area, Centroid};
    let ty = v.type_name();
    let outline: geo::MultiPolygon<f64> = match v {
        geojson::Value::Point(p) => {
            let (x, y) = match (p.first(), p.get(1)) {
                (Some(&x), Some(&y)) => (x, y),
                _ => return Err("expected a position [x, y] of two numbers".into()),
            };
            if !x.is_finite() || !y.is_finite() {
                return Err("expected finite coordinates".into());
            }
            return Ok(Shape {
                point: (x, y),
                outline: None,
            });
        }
        geojson::Value::Polygon(_) => {
            geo::MultiPolygon::new(vec![geo::Polygon::try_from(v).map_err(|e| geojson_error(&e).1)?])
        }
        geojson::Value::MultiPolygon(_) => geo::MultiPolygon::try_from(v).map_err(|e| geojson_error(&e).1)?,
        // Unreachable: check_geometry_type let only these through.
        _ => {
            return Err(format!(
                "expected a Point, Polygon or MultiPolygon geometry, found {}",
                quote(ty)
            ))
        }
    };
    for (k, p) in outline.0.iter().enumerate() {
        let which = if outline.0.len() > 1 {
            format!("polygon {} of the {ty}", k + 1)
        } else {
            format!("the {ty}")
        };
        for (r, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
            // geo closes an open ring, so a triangle given as three positions is accepted.
            if ring.0.len() < 4 {
                let what = if r == 0 {
                    "outer ring".to_string()
                } else {
                    format!("hole {r}")
                };
                return Err(format!(
                    "{which}'s {what} has {} position{}; expected a closed ring of at least 4 positions (the first repeated last)",
                    ring.0.len(),
                    if ring.0.len() == 1 { "" } else { "s" }
                ));
            }
            if let Some(c) = ring.0.iter().find(|c| !c.x.is_finite() || !c.y.is_finite()) {
                return Err(format!("expected finite coordinates, found [{}, {}]", c.x, c.y));
            }
        }
        if p.unsigned_area() == 0.0 {
            return Err(format!(
                "{which} has no area (its outer ring's positions are all on one line)"
            ));
        }
    }
    let c = outline
        .centroid()
        .ok_or_else(|| format!("the {ty} is empty: it has no polygon"))?;
    Ok(Shape {
        point: (c.x(), c.y()),
        outline: Some(outline),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Gives its bytes `step` at a time, so that a CR falls at the end of a read.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn crlf_becomes_lf_blank_lines_a_space_and_quoted_cells_stay() {
        let text = b"a,b\r\n1,\"x\r\ny\"\r\n\r\n2,\"q\"\"\r\n\"\r\n3,4 \"5\r\n\n6,7\r8\r\n\r";
        let want = b"a,b\n1,\"x\r\ny\"\n \n2,\"q\"\"\r\n\"\n3,4 \"5\n \n6,7\r8\n\r";
        for step in [1, 2, 3, 5, 1000] {
            let mut out = Vec::new();
            CrlfToLf::new(Trickle { bytes: text, step })
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(want),
                "step {step}"
            );
        }
    }

    #[test]
    fn crlf_files_give_the_right_line_numbers() {
        // Session 8: with CR LF line ends (Excel on Windows) every error named the
        // line above the bad row (BurntSushi/rust-csv#395).
        let dir = tempfile::tempdir().unwrap();
        for (name, eol) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
            // An empty line (skipped) and a quoted cell over two lines.
            let text = ["id,need", "A,1", "B,2", "", "\"C", "x\",3", "D,4"].join(eol) + eol;
            let p = write(dir.path(), name, &text);
            let mut s = CsvStream::open(&p, "zones", 10).unwrap();
            let mut rec = csv::StringRecord::new();
            let mut lines = Vec::new();
            while let Some(l) = s.next_row(&mut rec).unwrap() {
                lines.push(l);
            }
            assert_eq!(lines, vec![2, 3, 5, 7], "{name}");
        }
        let p = write(dir.path(), "bad.csv", "id,need\r\nA,1\r\n\r\n  \r\nB,2,7\r\n");
        let mut s = CsvStream::open(&p, "zones", 10).unwrap();
        let mut rec = csv::StringRecord::new();
        assert_eq!(s.next_row(&mut rec).unwrap(), Some(2));
        let e = s.next_row(&mut rec).unwrap_err().to_string();
        assert!(
            e.contains("bad.csv:5: this row has 3 fields but the header has 2"),
            "{e}"
        );
    }

    #[test]
    fn an_unterminated_quote_is_named_with_its_line_and_column() {
        // Session 8 sweep: an unterminated quote was reported as "this row has 13 fields
        // but the header has 10". LF and CR LF alike.
        let dir = tempfile::tempdir().unwrap();
        let errors = |text: &str| {
            let mut out = Vec::new();
            for (name, eol) in [("lf.csv", "\n"), ("crlf.csv", "\r\n")] {
                let p = write(dir.path(), name, &text.replace('\n', eol));
                let mut s = CsvStream::open(&p, "sites", 100).unwrap();
                let mut rec = csv::StringRecord::new();
                let e = loop {
                    match s.next_row(&mut rec) {
                        Ok(Some(_)) => {}
                        Ok(None) => panic!("{name}: no error"),
                        Err(e) => break e,
                    }
                };
                out.push((name, e));
            }
            out
        };
        // The quote runs on to a later quote: the rows in between are swallowed.
        let text = "id,name,annual_cost\nA,Alpha,1\nB,\"Bravo, Hall,2\nC,Charlie,3\nD,\"Delta\",4\nE,Echo,5\n";
        for (name, e) in errors(text) {
            let m = e.to_string();
            assert!(
                m.contains(&format!(
                    "{name}:3: field name: the quoted value of column \"name\" that starts on this line runs on \
                     to line 5, taking in the rows between as part of it: is its closing quote missing?"
                )),
                "{m}"
            );
        }
        // ... and the row comes out too long.
        let text = "id,name,annual_cost\nA,Alpha,1\nB,\"Bravo, Hall,2\nC,Charlie,3\nD,\"Delta\" Hall,4,5\n";
        for (name, e) in errors(text) {
            let m = e.to_string();
            assert!(
                m.contains(&format!(
                    "{name}:3: field name: the quoted value of column \"name\" that starts on this line runs on \
                     to line 5, so the row has 4 fields where the header has 3: is its closing quote missing?"
                )),
                "{m}"
            );
        }
        // The quote runs to the end of the file (here in the last column, where the row
        // still has the right number of fields).
        let text = "id,name,annual_cost\nA,Alpha,1\nB,Bravo,\"2\nC,Charlie,3\nD,Delta,4\n";
        for (name, e) in errors(text) {
            let m = e.to_string();
            assert!(
                m.contains(&format!(
                    "{name}:3: field annual_cost: the quoted value of column \"annual_cost\" that starts on this line \
                     has no closing quote"
                )),
                "{m}"
            );
        }
        // A closed quoted value over two lines is still fine.
        let p = write(dir.path(), "ok.csv", "id,name\nA,\"Two\nlines\"\nB,\"x\"\n");
        let mut s = CsvStream::open(&p, "sites", 100).unwrap();
        let mut rec = csv::StringRecord::new();
        assert_eq!(s.next_row(&mut rec).unwrap(), Some(2));
        assert_eq!(s.next_row(&mut rec).unwrap(), Some(4));
        assert_eq!(s.next_row(&mut rec).unwrap(), None);
    }

    #[test]
    fn the_row_limit_fires_on_the_first_row_over_it() {
        // limits::MAX_ROWS and MAX_TRAVEL_ROWS are passed to CsvStream::open as `max_rows`;
        // lowered here to 3 so the file can be small.
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "zones.csv", "id,need\nA,1\nB,2\n,\nC,3\nD,4\nE,5\n");
        let mut s = CsvStream::open(&p, "zones", 3).unwrap();
        let mut rec = csv::StringRecord::new();
        assert_eq!(s.next_row(&mut rec).unwrap(), Some(2));
        assert_eq!(s.next_row(&mut rec).unwrap(), Some(3));
        // the blank row (line 4) is skipped and does not count
        assert_eq!(s.next_row(&mut rec).unwrap(), Some(5));
        let e = s.next_row(&mut rec).unwrap_err();
        assert_eq!(e.kind(), IoErrorKind::TooLarge);
        let msg = e.to_string();
        assert!(msg.contains("zones.csv:6:"), "{msg}");
        assert!(msg.contains("more than 3 rows"), "{msg}");
        // exactly at the limit is fine
        let p = write(dir.path(), "ok.csv", "id,need\nA,1\nB,2\nC,3\n");
        let mut s = CsvStream::open(&p, "zones", 3).unwrap();
        while s.next_row(&mut rec).unwrap().is_some() {}
        assert_eq!(s.rows(), 3);
    }

    #[test]
    fn the_byte_limit_is_checked_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "sites.csv", "id,lon,lat\nA,1,51\n");
        let e = check_file(&p, "sites", 10).unwrap_err();
        assert_eq!(e.kind(), IoErrorKind::TooLarge);
        assert!(e.to_string().contains("at most 10 bytes"), "{e}");
        assert_eq!(check_file(&p, "sites", 18).unwrap(), 18);
    }
}
