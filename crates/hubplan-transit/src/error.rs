//! Errors of the transit crate.

use std::path::PathBuf;

/// Everything that can go wrong while loading a feed or computing a matrix.
///
/// Messages name the file involved; table errors also name the GTFS file, the
/// row (1-based line number in the CSV text, the header being line 1), the
/// field and what was expected. New variants may be added in minor releases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransitError {
    /// The feed path could not be read (missing, unreadable, not a zip or folder).
    #[error("cannot read GTFS feed {path}: {source}")]
    Io {
        /// The feed path (zip or folder) or the file inside it.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The zip archive is damaged or uses an unsupported compression method.
    #[error("GTFS feed {path} is not a readable zip archive: {message}")]
    Zip {
        /// The zip path.
        path: PathBuf,
        /// What the zip reader reported.
        message: String,
    },
    /// A file inside the feed decompresses to more than the allowed size (zip bomb guard).
    #[error("GTFS feed {path}: {file} is larger than the limit of {limit_bytes} bytes once decompressed (LoadOptions::max_file_bytes / max_total_bytes)")]
    TooLarge {
        /// The feed path.
        path: PathBuf,
        /// The GTFS file name (e.g. `stop_times.txt`), or `(total)`.
        file: String,
        /// The limit that was exceeded.
        limit_bytes: u64,
    },
    /// A file that GTFS requires is absent.
    #[error("GTFS feed {path} has no {file} (required: {why})")]
    MissingFile {
        /// The feed path.
        path: PathBuf,
        /// The missing GTFS file name.
        file: String,
        /// Why it is required.
        why: String,
    },
    /// A value in a GTFS table could not be used (boxed to keep the error small).
    #[error("GTFS feed {}: {} row {}, field `{}`: found {:?}, expected {}", .0.path.display(), .0.file, .0.row, .0.field, .0.found, .0.expected)]
    Table(Box<TableError>),
    /// A parameter of [`crate::TransitConfig`], [`crate::LoadOptions`] or a date is invalid.
    #[error("invalid transit parameter `{name}`: {message}")]
    Config {
        /// The parameter name.
        name: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The OpenStreetMap extract could not be used (unreadable, truncated, malformed, or without
    /// a walkable street).
    #[error("OpenStreetMap extract {}: {message}", path.display())]
    Osm {
        /// The `.osm.pbf` path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A synthetic feed built with [`crate::FeedBuilder`] is inconsistent.
    #[error("invalid trip {trip} given to FeedBuilder: {message}")]
    Builder {
        /// Index of the offending trip in the order of `add_trip` calls.
        trip: usize,
        /// What is wrong with it.
        message: String,
    },
}

/// Where and why a GTFS table value could not be used (see [`TransitError::Table`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    /// The feed path.
    pub path: PathBuf,
    /// The GTFS file name, e.g. `stop_times.txt`.
    pub file: String,
    /// Line number in the file (header = 1).
    pub row: u64,
    /// Column name (`(row)` when the problem is not tied to one column).
    pub field: String,
    /// The offending text.
    pub found: String,
    /// What was expected.
    pub expected: String,
}
