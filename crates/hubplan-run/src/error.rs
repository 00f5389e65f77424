//! The facade's error: one enum for every front end to map (exit code, HTTP status, Python exception).

/// Everything that can go wrong in a run. Each message names the file, row, field or
/// option concerned and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written, or its contents are invalid.
    #[error(transparent)]
    Input(#[from] hubplan_io::IoError),
    /// The core refused the scenario (a contradiction, an invalid setting), or a solve failed.
    #[error(transparent)]
    Model(#[from] hubplan::Error),
    /// A value given by the caller (a what-if override, an option) is invalid: `field`
    /// names it as the caller spelt it.
    #[error("{field}: {message}")]
    Invalid {
        /// The option or field, e.g. `keep` or `max_minutes`.
        field: String,
        /// What was found and what was expected.
        message: String,
    },
    /// The `[transit]` timetable could not be read or the travel times computed.
    #[error("{0}")]
    Transit(String),
    /// The data-quality checks found errors in the inputs (docs/VALIDATION.md): every
    /// notice of the run, errors first.
    #[error("{}", data_quality_text(.0))]
    DataQuality(Vec<hubplan::notice::Notice>),
    /// A saved plan does not match the scenario it is reloaded with (changed inputs,
    /// other sites, broken rules), or is of a kind the operation does not support.
    #[error("{0}")]
    Plan(String),
}

impl Error {
    /// An [`Error::Invalid`] for `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// True when the caller's input is at fault (a file, a setting, an override), as
    /// opposed to a failure of the run itself: a front end answers this with "bad
    /// input" (exit status 2, HTTP 400, `ValueError`).
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            Error::Model(hubplan::Error::Certification(_) | hubplan::Error::Solver(_))
        )
    }
}

fn data_quality_text(notices: &[hubplan::notice::Notice]) -> String {
    let errors: Vec<&hubplan::notice::Notice> = notices
        .iter()
        .filter(|n| n.severity == hubplan::notice::Severity::Error)
        .collect();
    // Errors of one code, file and field are said once, with their count and first rows:
    // 49 points outside Great Britain are one line, not 49 (docs/VALIDATION.md).
    let mut groups: Vec<Vec<&hubplan::notice::Notice>> = Vec::new();
    for n in &errors {
        match groups
            .iter_mut()
            .find(|g| g[0].code == n.code && g[0].file == n.file && g[0].field == n.field)
        {
            Some(g) => g.push(n),
            None => groups.push(vec![n]),
        }
    }
    for g in &mut groups {
        g.sort_by_key(|n| n.row);
    }
    let lines: Vec<String> = groups.iter().map(|g| group_line(g)).collect();
    format!(
        "the inputs have {} error(s); `hubplan validate` lists every notice (docs/VALIDATION.md explains each code):\n  {}",
        errors.len(),
        lines.join("\n  ")
    )
}

/// How many rows a grouped error names before "… and N more".
const ROWS_SHOWN: usize = 3;

/// One error, or a group of errors of one code, file and field as one line:
/// "ERROR point_outside_crs_area: zones.csv: field position: 49 rows (lines 2, 3, 4 … and
/// 46 more); the first: … [value: …]".
fn group_line(g: &[&hubplan::notice::Notice]) -> String {
    let first = g[0];
    if g.len() == 1 {
        return first.to_string();
    }
    let mut rows: Vec<u64> = g.iter().filter_map(|n| n.row).collect();
    rows.sort_unstable();
    rows.dedup();
    let shown: Vec<String> = rows.iter().take(ROWS_SHOWN).map(u64::to_string).collect();
    let count = match rows.len() {
        0 => format!("{} times", g.len()),
        1 => format!("{} times, line {}", g.len(), shown[0]),
        k if k <= ROWS_SHOWN => format!("{k} rows (lines {})", shown.join(", ")),
        k => format!("{k} rows (lines {} … and {} more)", shown.join(", "), k - ROWS_SHOWN),
    };
    let mut loc = String::new();
    if let Some(f) = &first.file {
        loc.push_str(&format!("{f}: "));
    }
    if let Some(f) = &first.field {
        loc.push_str(&format!("field {f}: "));
    }
    let mut s = format!(
        "{} {}: {loc}{count}; the first: {}",
        first.severity, first.code, first.message
    );
    if let Some(v) = &first.value {
        s.push_str(&format!(" [value: {v}]"));
    }
    s
}

/// Result with the facade's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use hubplan::notice::{Notice, Severity};

    fn outside(file: &str, row: u64) -> Notice {
        Notice::new(
            "point_outside_crs_area",
            Severity::Error,
            format!("the point on line {row} is outside the area of British National Grid; check its geocoding"),
        )
        .file(file)
        .row(row)
        .field("position")
        .value("(-122.4, 37.8)")
    }

    /// 49 points outside Great Britain in one file are one line naming the file, the
    /// count, the first rows and what was expected; another file's, and another code,
    /// keep their own lines.
    #[test]
    fn repeated_errors_of_one_kind_and_field_are_said_once() {
        let mut notices: Vec<Notice> = (2..=50).map(|r| outside("zones.csv", r)).collect();
        notices.push(outside("sites.csv", 7));
        notices.push(outside("sites.csv", 4));
        notices.push(
            Notice::new("duplicate_id", Severity::Error, "S1 is also on line 3")
                .file("sites.csv")
                .row(5)
                .field("id"),
        );
        notices.push(
            Notice::new("far_zone", Severity::Warning, "a warning")
                .file("zones.csv")
                .row(2),
        );
        let text = Error::DataQuality(notices).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].starts_with("the inputs have 52 error(s);"), "{text}");
        assert_eq!(
            lines[1],
            "  ERROR point_outside_crs_area: zones.csv: field position: 49 rows (lines 2, 3, 4 … and 46 \
             more); the first: the point on line 2 is outside the area of British National Grid; check its \
             geocoding [value: (-122.4, 37.8)]"
        );
        assert!(
            lines[2].contains("sites.csv: field position: 2 rows (lines 4, 7); the first: the point on line 4"),
            "{text}"
        );
        assert_eq!(
            lines[3],
            "  ERROR duplicate_id: sites.csv:5: field id: S1 is also on line 3"
        );
        assert!(!text.contains("a warning"), "{text}");
    }
}
