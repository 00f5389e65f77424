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
    let errors: Vec<String> = notices
        .iter()
        .filter(|n| n.severity == hubplan::notice::Severity::Error)
        .map(|n| n.to_string())
        .collect();
    format!(
        "the inputs have {} error(s); `hubplan validate` lists every notice (docs/VALIDATION.md explains each code):\n  {}",
        errors.len(),
        errors.join("\n  ")
    )
}

/// Result with the facade's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
