//! # hubplan-report
//!
//! Renders a hubplan [`Plan`] as the appendix of a cabinet paper: a
//! self-contained HTML page that prints on A4 ([`appendix_html`]), the same
//! content in Markdown ([`appendix_md`]), as a tagged A4 PDF ([`appendix_pdf`])
//! and as a Word document ([`appendix_docx`]), a map of access after the plan
//! ([`map_svg`]) and the savings-versus-access chart of a sweep
//! ([`sweep_chart_svg`]). All four documents are drawn from one document model,
//! so they say the same thing.
//!
//! For a co-location plan ([`hubplan::colocate::ServicePlan`]),
//! [`services_appendix_html`] and [`services_appendix_md`] render the services
//! appendix (buildings, services moved, family hubs by district, coverage per
//! service); see [`services`].
//!
//! For a feasibility study ([`hubplan::study::Study`]), [`study_appendix_html`],
//! [`study_appendix_md`] and [`study_map_svg`] render the study appendix; see [`study`].
//!
//! Pure rendering: every function returns a `String` (or the bytes of a PDF or
//! Word file) and does no I/O; the PDF and Word files embed the bundled Liberation
//! Sans font (SIL OFL 1.1, `fonts/OFL.txt`), never the machine's fonts. The
//! output is deterministic: no timestamps unless one is passed in
//! ([`Appendix::generated`]), stable ordering everywhere.
//!
//! # Contents of the appendix
//!
//! 1. Summary: buildings before and after, annual saving, backlog removed, one-off costs and receipts,
//!    need within the limit before and after, mean minutes.
//! 2. Map: zones shaded by minutes to the nearest open hub; sites marked by decision.
//! 3. Per-district table.
//! 4. Equality table by IMD decile.
//! 5. Closures, each with its reason, its users' nearest alternative and the minutes before and after.
//! 6. Buildings kept because of the access rule, with the zones they protect; other kept buildings.
//! 7. Zones beyond the limit at baseline; infeasibility (when the plan is infeasible).
//! 8. Method and provenance: SHA-256 of every input, timetable, settings, solver, status, gap, version.
#![deny(missing_docs)]
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod chart;
mod content;
mod doc;
mod docx;
mod equality;
pub mod fmt;
mod html;
mod map;
mod markdown;
mod pdf;
mod quality;
pub mod services;
pub mod study;
pub mod summary;
mod voronoi;

use hubplan::explain::Explanations;
use hubplan::{Inputs, Plan, Scenario};

pub use chart::sweep_chart_svg;
pub use docx::svg_to_png;
pub use map::{map_svg, MapOptions};
pub use services::{services_appendix_html, services_appendix_md, ServiceAppendix};
pub use study::{study_appendix_html, study_appendix_md, study_map_svg, StudyAppendix, StudyMap};
pub use summary::{plain_summary, reconciliation, reconciliation_lines, Reconciliation, SummaryItem};

/// Where a plan came from, as the command line knows it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Provenance {
    /// Every input file: (role, path as given, SHA-256 hex), e.g. `("sites", "fixtures/kent/sites.csv", "ab12…")`.
    pub inputs: Vec<(String, String, String)>,
    /// Settings that shaped the plan, in the order to print them (objective, limit, budget, need column…).
    pub settings: Vec<(String, String)>,
    /// The travel-time source: the timetable's date and window, or "modelled matrix", when known.
    pub transit: Option<String>,
    /// How the travel times were made, for the words the appendix uses for its minutes
    /// ("by public transport and walking", "in the supplied travel-time matrix").
    pub travel: TravelMode,
    /// The solver back end and its options, as a sentence.
    pub solver: String,
    /// The hubplan version.
    pub version: String,
    /// The data-quality notices of the inputs; when there are any, the appendix has a
    /// "Data quality" section.
    pub notices: Vec<hubplan::notice::Notice>,
    /// The scenario's `[about]` section: author, date and the data's sources (on the
    /// cover and in the method section).
    pub about: About,
}

/// How a plan's travel times were made: the appendix words its minutes after it, so a
/// supplied matrix (which may be driving, walking or anything else) is never called
/// public transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TravelMode {
    /// Computed from a GTFS timetable, walking in straight lines to, from and between stops.
    Timetable,
    /// Computed from a GTFS timetable, walking on OpenStreetMap streets.
    TimetableStreets,
    /// Read from a travel-time matrix supplied with the scenario (made by whatever means).
    Matrix,
    /// Not known (travel times handed in as values).
    #[default]
    Unknown,
}

impl TravelMode {
    /// The mode of a run's `travel_source` as `plan.json` records it: `csv:FILE`
    /// (a supplied matrix), `transit`, or `transit; streets: …`.
    pub fn from_source(source: &str) -> Self {
        if source.starts_with("csv:") {
            Self::Matrix
        } else if source.starts_with("transit; streets") {
            Self::TimetableStreets
        } else if source.starts_with("transit") {
            Self::Timetable
        } else {
            Self::Unknown
        }
    }

    /// How minutes are measured, to follow "within 35 minutes of a hub" or "minutes are
    /// from the zone": " by public transport and walking", " in the supplied travel-time
    /// matrix"; empty when unknown. Starts with a space when not empty.
    pub fn by(self) -> &'static str {
        match self {
            Self::Timetable => " by public transport and walking",
            Self::TimetableStreets => " by public transport and walking on the streets",
            Self::Matrix => " in the supplied travel-time matrix",
            Self::Unknown => "",
        }
    }
}

/// The scenario's `[about]` section as the appendix shows it (docs/FORMATS.md).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct About {
    /// Who prepared the analysis, e.g. "Kent County Council, Strategic Commissioning".
    pub author: Option<String>,
    /// The date of the analysis as written, e.g. "2024-05-01".
    pub date: Option<String>,
    /// Where the data came from.
    pub sources: Vec<DataSource>,
}

impl About {
    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.author.is_none() && self.date.is_none() && self.sources.is_empty()
    }
}

/// One source of the data (`[[about.sources]]`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DataSource {
    /// What it is, e.g. "ONS mid-year population estimates (LSOA)".
    pub name: String,
    /// Its vintage, e.g. "mid-2015".
    pub vintage: String,
    /// Its licence, e.g. "Open Government Licence v3.0".
    pub licence: String,
    /// Where it is published, if given.
    pub url: Option<String>,
}

/// Everything an appendix is drawn from.
#[derive(Clone, Copy, Debug)]
pub struct Appendix<'a> {
    /// The title, e.g. "Kent family hubs: appendix to the cabinet paper".
    pub title: &'a str,
    /// A line under the title, e.g. the scenario file (optional).
    pub subtitle: Option<&'a str>,
    /// The inputs the plan was made from.
    pub inputs: &'a Inputs,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The plan.
    pub plan: &'a Plan,
    /// Its explanations ([`hubplan::explain::explain`]).
    pub explanations: &'a Explanations,
    /// Where it came from.
    pub provenance: &'a Provenance,
    /// A date or time to print as "generated", if any (never read from the clock here).
    pub generated: Option<&'a str>,
    /// The file name the Markdown appendix links for the map (e.g. `map.svg`), if written alongside.
    pub map_file: Option<&'a str>,
}

/// The appendix as one self-contained HTML page: inline CSS and SVG, no
/// external fonts, scripts or images; A4 print styles.
pub fn appendix_html(a: &Appendix<'_>) -> String {
    html::render(a.title, &content::blocks(a), a.generated)
}

/// The appendix in GitHub-flavoured Markdown (the map as a link to [`Appendix::map_file`], if given).
pub fn appendix_md(a: &Appendix<'_>) -> String {
    markdown::render(&content::blocks(a))
}

/// The appendix as a tagged A4 PDF (bytes): the same content as [`appendix_html`],
/// page numbers and the title and date in every page's footer, table headers
/// repeated on each page, the map as vectors on one page. Deterministic.
pub fn appendix_pdf(a: &Appendix<'_>) -> Result<Vec<u8>, String> {
    pdf::render(
        &content::blocks(a),
        &pdf::PdfMeta {
            title: a.title,
            date: a.generated,
            author: a.provenance.about.author.as_deref(),
        },
    )
}

/// The appendix as a Word document (`.docx` bytes): Word heading styles, editable
/// tables whose header row repeats on each page, the map as an image, A4 pages with
/// the title, date and page number in the footer. Deterministic.
pub fn appendix_docx(a: &Appendix<'_>) -> Result<Vec<u8>, String> {
    docx::render(&content::blocks(a), &footer(a.title, a.generated))
}

/// The co-location appendix as a tagged A4 PDF (see [`appendix_pdf`]).
pub fn services_appendix_pdf(a: &ServiceAppendix<'_>) -> Result<Vec<u8>, String> {
    pdf::render(
        &services::blocks(a),
        &pdf::PdfMeta {
            title: a.title,
            date: a.generated,
            author: a.provenance.about.author.as_deref(),
        },
    )
}

/// The co-location appendix as a Word document (see [`appendix_docx`]).
pub fn services_appendix_docx(a: &ServiceAppendix<'_>) -> Result<Vec<u8>, String> {
    docx::render(&services::blocks(a), &footer(a.title, a.generated))
}

fn footer(title: &str, date: Option<&str>) -> String {
    match date {
        Some(d) => format!("{title} · {d}"),
        None => title.to_string(),
    }
}
