//! Helpers shared by the report crate's golden tests (`mod common;` in each):
//! the golden-file check, the provenance and appendix builders, and the text
//! of a Word or PDF document read back.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;

use hubplan::colocate::{ServicePlan, ServiceRules};
use hubplan::explain::{explain, Explanations};
use hubplan::{Inputs, Plan, Scenario};
use hubplan_report::{Appendix, Provenance, ServiceAppendix, TravelMode};

/// Checks `actual` against the golden file `tests/golden/NAME`, naming the
/// first line that differs. With `UPDATE_GOLDEN` set it writes the file
/// instead (after an intended change; review the diff).
pub fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 to create it", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             Run `UPDATE_GOLDEN=1 cargo test -p hubplan-report --test {}` if the change is intended.",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
            env!("CARGO_CRATE_NAME"),
        );
    }
}

/// A test provenance: no input files, these settings, a supplied matrix
/// described as `transit`, this solver line, version `0.0.0-test`.
pub fn provenance(settings: &[(&str, &str)], transit: &str, solver: &str) -> Provenance {
    Provenance {
        inputs: Vec::new(),
        settings: settings.iter().map(|&(k, v)| (k.into(), v.into())).collect(),
        transit: Some(transit.into()),
        travel: TravelMode::Matrix,
        solver: solver.into(),
        version: "0.0.0-test".into(),
        notices: Vec::new(),
        about: Default::default(),
    }
}

/// The single-service appendix of these parts, with no subtitle, date or
/// map file (set them with `..appendix(..)`).
pub fn appendix<'a>(
    title: &'a str,
    inputs: &'a Inputs,
    scenario: &'a Scenario,
    plan: &'a Plan,
    explanations: &'a Explanations,
    provenance: &'a Provenance,
) -> Appendix<'a> {
    Appendix {
        title,
        subtitle: None,
        inputs,
        scenario,
        plan,
        explanations,
        provenance,
        generated: None,
        map_file: None,
    }
}

/// A single-service plan with its inputs, scenario, explanations and
/// provenance: what an [`Appendix`] borrows.
pub struct Parts {
    /// The inputs planned.
    pub inputs: Inputs,
    /// The scenario planned under.
    pub scenario: Scenario,
    /// The plan.
    pub plan: Plan,
    /// The plan's explanations (`hubplan::explain::explain`).
    pub explanations: Explanations,
    /// The provenance the appendix prints.
    pub provenance: Provenance,
}

impl Parts {
    /// The parts of `plan`, explained.
    pub fn new(inputs: Inputs, scenario: Scenario, plan: Plan, provenance: Provenance) -> Parts {
        let explanations = explain(&inputs, &scenario, &plan);
        Parts {
            inputs,
            scenario,
            plan,
            explanations,
            provenance,
        }
    }

    /// Their appendix, as [`appendix`] makes it.
    pub fn appendix<'a>(&'a self, title: &'a str) -> Appendix<'a> {
        appendix(
            title,
            &self.inputs,
            &self.scenario,
            &self.plan,
            &self.explanations,
            &self.provenance,
        )
    }
}

/// The co-location appendix of these parts, with no date.
pub fn service_appendix<'a>(
    title: &'a str,
    inputs: &'a Inputs,
    rules: &'a ServiceRules,
    plan: &'a ServicePlan,
    provenance: &'a Provenance,
) -> ServiceAppendix<'a> {
    ServiceAppendix {
        title,
        inputs,
        rules,
        plan,
        provenance,
        generated: None,
    }
}

/// The text of every page of a PDF, its white space folded to single spaces.
pub fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    flat(&doc.extract_text(&pages).unwrap())
}

/// `text` with its white space folded to single spaces.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The raw XML of `word/document.xml` in a Word document.
pub fn docx_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    xml
}
