//! The validation report: `validation.json` for machines, `validation.html` for
//! people. Pure rendering; the caller writes the files.

use hubplan::notice::{counts, group, Notice, NoticeGroup, Severity};
use serde::Serialize;

use crate::CATALOGUE;

/// How many examples of each code the grouped views keep.
pub const EXAMPLES_PER_CODE: usize = 5;

/// `validation.json`: the scenario, the counts, the notices grouped by code and every notice.
#[derive(Clone, Debug, Serialize)]
pub struct ValidationReport<'a> {
    /// The scenario file, as given.
    pub scenario: &'a str,
    /// Counts by severity.
    pub summary: Summary,
    /// The notices grouped by code, most serious first.
    pub groups: Vec<NoticeGroup>,
    /// Every notice, sorted.
    pub notices: &'a [Notice],
    /// The hubplan version.
    pub hubplan_version: &'a str,
}

/// Counts by severity, and whether the run fails.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Summary {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
    /// Warnings counted as errors (`--strict`).
    pub strict: bool,
    /// The run fails: an error, or a warning under `strict`.
    pub failed: bool,
}

impl<'a> ValidationReport<'a> {
    /// The report of `notices`.
    pub fn new(scenario: &'a str, notices: &'a [Notice], strict: bool, version: &'a str) -> Self {
        let (errors, warnings, infos) = counts(notices);
        ValidationReport {
            scenario,
            summary: Summary {
                errors,
                warnings,
                infos,
                strict,
                failed: notices.iter().any(|n| n.is_error(strict)),
            },
            groups: group(notices, EXAMPLES_PER_CODE),
            notices,
            hubplan_version: version,
        }
    }

    /// Pretty JSON with a final newline.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }

    /// The notices grouped by code as text: a line per code (severity, code, count,
    /// what triggers it) and its first examples.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for g in &self.groups {
            let trigger = CATALOGUE.iter().find(|c| c.code == g.code).map_or("", |c| c.trigger);
            s += &format!(
                "{} {} ({}){}\n",
                g.severity,
                g.code,
                g.count,
                if trigger.is_empty() {
                    String::new()
                } else {
                    format!(": {trigger}")
                }
            );
            for n in &g.examples {
                s += &format!("  {}{}", n.location(), n.message);
                if let Some(v) = &n.value {
                    s += &format!(" [value: {v}]");
                }
                s.push('\n');
            }
            if g.count > g.examples.len() {
                s += &format!("  … and {} more\n", g.count - g.examples.len());
            }
        }
        let m = &self.summary;
        s += &format!(
            "{} error{}, {} warning{}, {} info{}{}\n",
            m.errors,
            if m.errors == 1 { "" } else { "s" },
            m.warnings,
            if m.warnings == 1 { "" } else { "s" },
            m.infos,
            if m.infos == 1 { "" } else { "s" },
            if m.strict {
                " (strict: warnings count as errors)"
            } else {
                ""
            }
        );
        s
    }

    /// A self-contained HTML page (inline CSS, no scripts).
    pub fn html(&self) -> String {
        let m = &self.summary;
        let mut s = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        s += &format!("<title>Validation of {}</title>\n", esc(self.scenario));
        s += "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}\
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top;font-size:.9em}\
th{background:#f3f3f3}.ERROR{color:#a00;font-weight:bold}.WARNING{color:#a60;font-weight:bold}.INFO{color:#06a}\
code{font-size:.95em}.ok{color:#070;font-weight:bold}</style>\n</head>\n<body>\n";
        s += &format!("<h1>Validation of <code>{}</code></h1>\n", esc(self.scenario));
        s += &format!(
            "<p>{}: <span class=\"ERROR\">{} error(s)</span>, <span class=\"WARNING\">{} warning(s)</span>, <span class=\"INFO\">{} info(s)</span>{}. hubplan {}.</p>\n",
            if m.failed { "<span class=\"ERROR\">FAILED</span>" } else { "<span class=\"ok\">PASSED</span>" },
            m.errors,
            m.warnings,
            m.infos,
            if m.strict { " (strict: warnings count as errors)" } else { "" },
            esc(self.hubplan_version)
        );
        s += "<p>Codes are explained, with how to fix each, in docs/VALIDATION.md.</p>\n";
        if self.groups.is_empty() {
            s += "<p class=\"ok\">No notices.</p>\n";
        } else {
            s += "<h2>Summary by code</h2>\n<table>\n<tr><th>Severity</th><th>Code</th><th>Count</th><th>What triggers it</th></tr>\n";
            for g in &self.groups {
                let trigger = CATALOGUE.iter().find(|c| c.code == g.code).map_or("", |c| c.trigger);
                s += &format!(
                    "<tr><td class=\"{}\">{}</td><td><a href=\"#{}\"><code>{}</code></a></td><td>{}</td><td>{}</td></tr>\n",
                    g.severity, g.severity, esc(&g.code), esc(&g.code), g.count, esc(trigger)
                );
            }
            s += "</table>\n";
            for g in &self.groups {
                s += &format!(
                    "<h2 id=\"{}\"><span class=\"{}\">{}</span> <code>{}</code> ({})</h2>\n",
                    esc(&g.code),
                    g.severity,
                    g.severity,
                    esc(&g.code),
                    g.count
                );
                s += "<table>\n<tr><th>File</th><th>Row</th><th>Field</th><th>Value</th><th>Message</th></tr>\n";
                for n in self.notices.iter().filter(|n| n.code == g.code) {
                    s += &format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        esc(n.file.as_deref().unwrap_or("")),
                        n.row.map_or(String::new(), |r| r.to_string()),
                        esc(n.field.as_deref().unwrap_or("")),
                        esc(n.value.as_deref().unwrap_or("")),
                        esc(&n.message)
                    );
                }
                s += "</table>\n";
            }
        }
        s += "</body>\n</html>\n";
        s
    }
}

/// HTML-escapes text (the report's one escaper, [`hubplan_report::fmt::esc`]).
pub use hubplan_report::fmt::esc;

/// Is any notice an error (warnings too when `strict`)?
pub fn failed(notices: &[Notice], strict: bool) -> bool {
    notices.iter().any(|n| n.is_error(strict))
}

/// Only the errors (and warnings when `strict`).
pub fn errors(notices: &[Notice], strict: bool) -> impl Iterator<Item = &Notice> {
    notices.iter().filter(move |n| n.is_error(strict))
}

/// The severity's lower-case word, for `warning: …` lines.
pub fn word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// `CODE: file:row: field F: message [value: V]`: one notice as the line a front end
/// prints after `warning: ` (the severity is the prefix, so it is not repeated).
pub fn warning_line(n: &Notice) -> String {
    let mut s = format!("{}: {}{}", n.code, n.location(), n.message);
    if let Some(v) = &n.value {
        s.push_str(&format!(" [value: {v}]"));
    }
    s
}
