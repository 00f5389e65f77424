//! Data-quality notices: typed findings about a scenario's inputs, each with a
//! stable code and a severity, in the manner of MobilityData's gtfs-validator.
//!
//! The checks that produce them live in `hubplan-check`; the catalogue of codes
//! is `docs/VALIDATION.md`. This module holds only the value type, so that the
//! readers, writers, the appendix and every front end share one shape.
//!
//! ```
//! use hubplan::notice::{Notice, Severity};
//! let n = Notice::new("point_at_null_island", Severity::Error, "the point is at (0, 0)")
//!     .file("zones.csv")
//!     .row(4)
//!     .field("lon,lat")
//!     .value("0, 0");
//! assert_eq!(
//!     n.to_string(),
//!     "ERROR point_at_null_island: zones.csv:4: field lon,lat: the point is at (0, 0) [value: 0, 0]"
//! );
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How serious a notice is.
///
/// Ordered from most to least serious, so that sorting puts errors first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// The input is wrong: a plan made from it would mislead. `hubplan plan` refuses.
    Error,
    /// The input is probably wrong, or will make the plan weaker than it looks.
    Warning,
    /// Worth knowing; no action needed.
    Info,
}

impl Severity {
    /// `ERROR`, `WARNING` or `INFO`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finding about the inputs: which rule (`code`), how serious, and where.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Notice {
    /// Stable snake_case code, e.g. `point_outside_crs_area` (see docs/VALIDATION.md).
    pub code: String,
    /// Error, warning or info.
    pub severity: Severity,
    /// The file the finding is about (as the scenario names it), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The 1-based line in that file (a CSV header is line 1), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The column or key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The offending value as text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What was found and what to do, in words.
    pub message: String,
}

impl Notice {
    /// A notice with no location yet.
    pub fn new(code: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Notice {
            code: code.into(),
            severity,
            file: None,
            row: None,
            field: None,
            value: None,
            message: message.into(),
        }
    }

    /// Sets the file.
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets the 1-based row (line).
    pub fn row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    /// Sets the row when known.
    pub fn row_opt(mut self, row: Option<u64>) -> Self {
        self.row = row;
        self
    }

    /// Sets the field (column or key).
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Sets the offending value.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// `file:row: field F:` as in hubplan's error messages (empty parts left out).
    pub fn location(&self) -> String {
        let mut s = String::new();
        if let Some(f) = &self.file {
            s.push_str(f);
            if let Some(r) = self.row {
                s.push_str(&format!(":{r}"));
            }
            s.push_str(": ");
        }
        if let Some(f) = &self.field {
            s.push_str(&format!("field {f}: "));
        }
        s
    }

    /// Is this an error, counting warnings as errors when `strict`?
    pub fn is_error(&self, strict: bool) -> bool {
        self.severity == Severity::Error || (strict && self.severity == Severity::Warning)
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}{}",
            self.severity,
            self.code,
            self.location(),
            self.message
        )?;
        if let Some(v) = &self.value {
            write!(f, " [value: {v}]")?;
        }
        Ok(())
    }
}

/// The notices of one code: its severity, how many, and the first few.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeGroup {
    /// The code.
    pub code: String,
    /// Its severity (the most serious among the group's notices).
    pub severity: Severity,
    /// How many notices have this code.
    pub count: usize,
    /// The first notices of this code, in order.
    pub examples: Vec<Notice>,
}

/// Groups notices by code, most serious first, then by code; each group keeps its
/// first `max_examples` notices in the order given.
pub fn group(notices: &[Notice], max_examples: usize) -> Vec<NoticeGroup> {
    let mut by: BTreeMap<&str, NoticeGroup> = BTreeMap::new();
    for n in notices {
        let g = by.entry(n.code.as_str()).or_insert_with(|| NoticeGroup {
            code: n.code.clone(),
            severity: n.severity,
            count: 0,
            examples: Vec::new(),
        });
        g.count += 1;
        g.severity = g.severity.min(n.severity);
        if g.examples.len() < max_examples {
            g.examples.push(n.clone());
        }
    }
    let mut out: Vec<NoticeGroup> = by.into_values().collect();
    out.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.code.cmp(&b.code)));
    out
}

/// (errors, warnings, infos) among `notices`.
pub fn counts(notices: &[Notice]) -> (usize, usize, usize) {
    let c = |s: Severity| notices.iter().filter(|n| n.severity == s).count();
    (c(Severity::Error), c(Severity::Warning), c(Severity::Info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_ordered_by_severity_then_code_and_count_every_notice() {
        let n = |c: &str, s| Notice::new(c, s, "m");
        let v = vec![
            n("b", Severity::Warning),
            n("a", Severity::Info),
            n("b", Severity::Warning),
            n("z", Severity::Error),
            n("b", Severity::Warning),
        ];
        let g = group(&v, 2);
        let codes: Vec<&str> = g.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(codes, ["z", "b", "a"]);
        assert_eq!(g[1].count, 3);
        assert_eq!(g[1].examples.len(), 2);
        assert_eq!(counts(&v), (1, 3, 1));
    }

    #[test]
    fn strict_counts_warnings_as_errors() {
        let n = Notice::new("x", Severity::Warning, "m").row(3);
        assert!(n.is_error(true) && !n.is_error(false));
        assert_eq!(n.to_string(), "WARNING x: m");
        assert_eq!(Severity::Error.name(), "ERROR");
    }
}
