//! The one error type of the boundary: every message names the file, the line,
//! the field, what was found and what was expected.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, broadly. Match on it to decide an exit status or a test
/// expectation; read the [`IoError`]'s Display for the human message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IoErrorKind {
    /// The path does not exist.
    NotFound,
    /// The path exists but is not a regular file (e.g. a directory).
    NotAFile,
    /// The operating system failed to read or write (permissions, disk full…).
    Read,
    /// The CSV is malformed: wrong delimiter, ragged rows, bad UTF-8, empty file.
    Csv,
    /// The JSON/GeoJSON is malformed or has the wrong shape (e.g. a LineString where a Point is expected).
    Json,
    /// The TOML is malformed, or a value has the wrong type.
    Toml,
    /// A required column (or GeoJSON property) is absent.
    MissingColumn,
    /// A required scenario key or section is absent.
    MissingKey,
    /// A value is present but unusable: not a number, out of range, NaN…
    BadValue,
    /// An id appears twice where ids must be unique (or a travel pair appears twice).
    DuplicateId,
    /// An id refers to nothing (a travel-time zone/site, a keep/close site, a service).
    UnknownId,
    /// A scenario key or section that hubplan does not know (usually a typo).
    UnknownKey,
    /// Two settings contradict each other (e.g. a site in both `keep` and `close`).
    Contradiction,
    /// An input exceeds one of the documented size limits ([`crate::limits`]).
    TooLarge,
    /// Writing outputs failed.
    Write,
}

impl IoErrorKind {
    /// A short stable name (`not_found`, `bad_value`…), for logs and tests.
    pub fn name(self) -> &'static str {
        match self {
            IoErrorKind::NotFound => "not_found",
            IoErrorKind::NotAFile => "not_a_file",
            IoErrorKind::Read => "read",
            IoErrorKind::Csv => "csv",
            IoErrorKind::Json => "json",
            IoErrorKind::Toml => "toml",
            IoErrorKind::MissingColumn => "missing_column",
            IoErrorKind::MissingKey => "missing_key",
            IoErrorKind::BadValue => "bad_value",
            IoErrorKind::DuplicateId => "duplicate_id",
            IoErrorKind::UnknownId => "unknown_id",
            IoErrorKind::UnknownKey => "unknown_key",
            IoErrorKind::Contradiction => "contradiction",
            IoErrorKind::TooLarge => "too_large",
            IoErrorKind::Write => "write",
        }
    }
}

/// An error at the input/output boundary.
///
/// Display: `FILE:LINE: field FIELD: MESSAGE`, leaving out the parts that are
/// unknown, e.g.
/// `fixtures/kent/sites.csv:17: field annual_cost: expected a number of pounds ≥ 0, found "abc"`.
/// Lines are 1-based as in a text editor; in a CSV the header is line 1.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub struct IoError {
    /// What went wrong, broadly.
    pub kind: IoErrorKind,
    /// The file concerned.
    pub file: Option<PathBuf>,
    /// The 1-based line in that file.
    pub line: Option<u64>,
    /// The column, property or key concerned.
    pub field: Option<String>,
    /// The human explanation: what was found and what was expected.
    pub message: String,
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let this = self;
        let mut prefix = false;
        if let Some(file) = &this.file {
            write!(f, "{}", file.display())?;
            prefix = true;
        }
        if let Some(line) = this.line {
            if prefix {
                write!(f, ":{line}")?;
            } else {
                write!(f, "line {line}")?;
            }
            prefix = true;
        }
        if prefix {
            write!(f, ": ")?;
        }
        if let Some(field) = &this.field {
            write!(f, "field {field}: ")?;
        }
        write!(f, "{}", this.message)
    }
}

impl IoError {
    /// An error of `kind` with a message and nothing else.
    pub fn new(kind: IoErrorKind, message: impl Into<String>) -> Self {
        IoError {
            kind,
            file: None,
            line: None,
            field: None,
            message: message.into(),
        }
    }

    /// Sets the file.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// Sets the line.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the line when known.
    pub fn at_opt_line(mut self, line: Option<u64>) -> Self {
        self.line = line;
        self
    }

    /// Sets the field.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The kind.
    pub fn kind(&self) -> IoErrorKind {
        self.kind
    }

    pub(crate) fn io(kind: IoErrorKind, file: &Path, err: &std::io::Error, doing: &str) -> Self {
        let k = match err.kind() {
            std::io::ErrorKind::NotFound => IoErrorKind::NotFound,
            _ => kind,
        };
        IoError::new(k, format!("{doing}: {err}")).in_file(file)
    }
}

/// Result with [`IoError`].
pub type Result<T, E = IoError> = std::result::Result<T, E>;

/// The candidate closest to `found` (Jaro-Winkler ≥ 0.85, or a small edit distance), if any.
pub(crate) fn closest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let f = found.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let cl = c.to_lowercase();
        let score = if cl == f {
            2.0
        } else {
            let jw = strsim::jaro_winkler(&f, &cl);
            let lev = strsim::levenshtein(&f, &cl);
            let len = f.chars().count().max(cl.chars().count()).max(1);
            let prefix = f.len().min(cl.len()) >= 3 && (f.starts_with(&cl) || cl.starts_with(&f));
            if jw >= 0.85 || (lev <= 2 && lev * 3 <= len) || prefix {
                jw
            } else {
                continue;
            }
        };
        match best {
            Some((b, _)) if b >= score => {}
            _ => best = Some((score, c)),
        }
    }
    best.map(|(_, c)| c)
}

/// " (did you mean `x`?)" when one of `candidates` is close to `found`, else "".
pub(crate) fn did_you_mean<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(found, candidates) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

/// Quotes a value seen in an input for a message, shortened when very long.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() > MAX {
        let short: String = s.chars().take(MAX).collect();
        format!("{:?}…", short)
    } else {
        format!("{s:?}")
    }
}
