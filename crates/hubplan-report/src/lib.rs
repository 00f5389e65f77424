//! # hubplan-report
//!
//! Renders a hubplan [`Plan`] as the appendix of a cabinet paper: a
//! self-contained HTML page that prints on A4 ([`appendix_html`]), the same
//! content in Markdown ([`appendix_md`]), a map of access after the plan
//! ([`map_svg`]) and the savings-versus-access chart of a sweep
//! ([`sweep_chart_svg`]).
//!
//! For a co-location plan ([`hubplan::colocate::ServicePlan`]),
//! [`services_appendix_html`] and [`services_appendix_md`] render the services
//! appendix (buildings, services moved, family hubs by district, coverage per
//! service); see [`services`].
//!
//! For a feasibility study ([`hubplan::study::Study`]), [`study_appendix_html`],
//! [`study_appendix_md`] and [`study_map_svg`] render the study appendix; see [`study`].
//!
//! Pure rendering: every function returns a `String` and does no I/O. The
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
mod equality;
pub mod fmt;
mod html;
mod map;
mod markdown;
mod quality;
pub mod services;
pub mod study;
pub mod summary;
mod voronoi;

use hubplan::explain::Explanations;
use hubplan::{Inputs, Plan, Scenario};

pub use chart::sweep_chart_svg;
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
    /// The solver back end and its options, as a sentence.
    pub solver: String,
    /// The hubplan version.
    pub version: String,
    /// The data-quality notices of the inputs; when there are any, the appendix has a
    /// "Data quality" section.
    pub notices: Vec<hubplan::notice::Notice>,
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
