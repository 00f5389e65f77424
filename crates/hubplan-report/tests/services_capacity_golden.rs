//! Golden-file test of the co-location appendix with demand capacity per
//! building and service (issue 21): the hand-checkable fixture
//! `fixtures/tiny_services_capacity/` read from its files, planned and rendered
//! in all four formats (the Markdown against a golden file; the HTML, PDF and
//! Word documents drawn from the same blocks are checked for the same lines).
//! After an intended change of the appendix, regenerate the golden file and
//! review the diff:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p hubplan-report --test services_capacity_golden
//! git diff crates/hubplan-report/tests/golden/
//! ```

use std::path::PathBuf;

use hubplan::colocate::{plan_services, ServicePlan, ServiceRules};
use hubplan::{Inputs, PlanStatus};
use hubplan_report::{
    services_appendix_docx, services_appendix_html, services_appendix_md, services_appendix_pdf, Provenance,
    ServiceAppendix,
};

mod common;
use common::golden;

fn fixture(scenario: &str) -> (Inputs, ServiceRules, ServicePlan) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/tiny_services_capacity")
        .join(scenario);
    let ls = hubplan_io::load_scenario(&path).expect("fixtures/tiny_services_capacity loads");
    let (inputs, rules, _) = ls.into_service_inputs().expect("a co-location scenario");
    let plan = plan_services(&inputs, &rules).expect("plans");
    (inputs, rules, plan)
}

fn provenance() -> Provenance {
    common::provenance(
        &[
            ("objective", "min_cost"),
            ("max_minutes", "20"),
            ("capacity.assignment", "split"),
        ],
        "supplied matrix",
        "exact (hubplan), gap 1e-6",
    )
}

fn appendix<'a>(inp: &'a Inputs, r: &'a ServiceRules, p: &'a ServicePlan, pv: &'a Provenance) -> ServiceAppendix<'a> {
    common::service_appendix("Capacity keeps a second children's centre open", inp, r, p, pv)
}

/// The lines checked by hand against the fixture's README: A, B and C kept, D
/// closed; children's centres A 100 → 110 of 200 (50% → 55%), B 110 → 150 of 150
/// (73% → 100%, flagged), D 45 → 0 of 100 (45% → closed); 255 → 260 of 450
/// (57% → 58%). B warned about as full, Z2 shared between A and B under split;
/// A and B kept for capacity (110 and 60 users), D's closure sends 40 to B.
const BY_HAND: [&str; 12] = [
    "## 6. Capacity and use of buildings, by service",
    "### Children's centre: capacity and use",
    "| Riverside Children's Centre (B) | North | keep | 150 | 110 | 150 | 73% → 100% | over 90% full |",
    "| Northgate Children's Centre (A) | North | keep | 200 | 100 | 110 | 50% → 55% |  |",
    "| Marsh Children's Centre (D) | South | close | 100 | 45 | 0 | 45% → closed |  |",
    "| **3 buildings** |  |  | **450** | **255** | **260** | **57% → 58%** |  |",
    "Warning: Riverside Children's Centre (B) would be 100% full for children's centre (150 of 150 users; 110 today): above 90% of its capacity.",
    "Warning: The plan shares the children's centre need of zone Z2 between buildings (capacity.assignment = \"split\"); where families would really go to one place, plan with \"single\".",
    "Northgate Children's Centre (A): kept because without it, zones Z1 and Z2 would exceed B's capacity for children's centre by 110 users.",
    "Riverside Children's Centre (B): kept because without it, zones Z2 and Z3 would exceed A's capacity for children's centre by 60 users.",
    "Marsh Children's Centre (D): closure sends 40 children's centre users to B (73% → 100%).",
    "## 7. Who is worse off",
];

#[test]
fn services_capacity_appendix_matches_golden() {
    let (inp, r, p) = fixture("scenario.toml");
    assert_eq!(p.status, PlanStatus::Optimal);
    let pv = provenance();
    let a = appendix(&inp, &r, &p, &pv);
    let md = services_appendix_md(&a);
    for want in BY_HAND {
        assert!(md.contains(want), "{want:?} not in the Markdown:\n{md}");
    }
    golden("services_capacity.md", &md);
    // The same section in the HTML, the PDF and the Word document (one content model).
    let html = services_appendix_html(&a);
    for want in [
        "6. Capacity and use of buildings, by service",
        "over 90% full",
        "73% → 100%",
        "by 110 users",
    ] {
        assert!(html.contains(want), "{want:?} not in the HTML");
    }
    let flat = common::pdf_text(&services_appendix_pdf(&a).unwrap());
    for want in [
        "Capacity and use of buildings, by service",
        "over 90% full",
        "by 110 users",
    ] {
        assert!(flat.contains(want), "{want:?} not in the PDF's text: {flat}");
    }
    let docx = services_appendix_docx(&a).unwrap();
    let text = docx_text(&docx);
    for want in [
        "Capacity and use of buildings, by service",
        "over 90% full",
        "by 110 users",
    ] {
        assert!(text.contains(want), "{want:?} not in the Word document");
    }
}

/// The text of word/document.xml (runs joined; tags dropped).
fn docx_text(bytes: &[u8]) -> String {
    let xml = common::docx_xml(bytes);
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&apos;", "'").replace("&quot;", "\"").replace("&amp;", "&")
}

/// Under `single` no zone is shared (Z1 and Z3 to A, Z2 to B: README), so the
/// split-zone warning is absent; under `split` it names Z2 (above).
#[test]
fn the_split_warning_appears_only_when_a_zone_is_shared() {
    let (inp, r, p) = fixture("scenario_single.toml");
    assert_eq!(p.status, PlanStatus::Optimal);
    let pv = provenance();
    let md = services_appendix_md(&appendix(&inp, &r, &p, &pv));
    assert!(
        md.contains("each zone goes to one building (capacity.assignment = \"single\")"),
        "{md}"
    );
    assert!(!md.contains("The plan shares the children's centre need"), "{md}");
    assert!(
        md.contains("| Northgate Children's Centre (A) | North | keep | 200 | 100 | 140 | 50% → 70% |  |"),
        "{md}"
    );
    assert!(
        md.contains("| Riverside Children's Centre (B) | North | keep | 150 | 110 | 120 | 73% → 80% |  |"),
        "{md}"
    );
}

/// Chester audit (session 16): a building with a capacity for a service it does not host
/// today showed "0% → …" before → after, as if the service were there and empty; it shows
/// "—" (not offered here today). Hilltop (C) is given room for 100 children's centre users
/// it does not host today.
#[test]
fn a_service_not_offered_today_shows_a_dash_not_zero_percent() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny_services_capacity");
    let dir = std::env::temp_dir().join(format!("hubplan-report-not-offered-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["scenario.toml", "zones.csv", "travel_times.csv", "services.csv"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    let sites = std::fs::read_to_string(src.join("sites.csv")).unwrap();
    let old = "C,Hilltop Youth Club,0.560,51.195,South,youth_hub,existing,6000,youth,,,";
    assert!(sites.contains(old), "{sites}");
    let sites = sites.replace(
        old,
        "C,Hilltop Youth Club,0.560,51.195,South,youth_hub,existing,6000,youth,children_centre,100,",
    );
    std::fs::write(dir.join("sites.csv"), sites).unwrap();
    let ls = hubplan_io::load_scenario(&dir.join("scenario.toml")).expect("loads");
    let (inp, r, _) = ls.into_service_inputs().expect("a co-location scenario");
    let p = plan_services(&inp, &r).expect("plans");
    let pv = provenance();
    let md = services_appendix_md(&appendix(&inp, &r, &p, &pv));
    let row = md
        .lines()
        .find(|l| l.starts_with("| Hilltop Youth Club (C)") && l.contains(" → "))
        .unwrap_or_else(|| panic!("no capacity row for C:\n{md}"));
    assert!(row.contains("| — → "), "{row}");
    assert!(!row.contains("0% →"), "{row}");
    // Nor users today "0*", modelled (session 17): no users of a service it does not host
    // today. The others give users_today_children_centre, so no "* Users today not given"
    // note.
    assert!(row.contains("| 100 | — | "), "{row}");
    assert!(!row.contains("0*") && !row.contains("0\\*"), "{row}");
    assert!(!md.contains("Users today not given"), "{md}");
    // A building hosting it today keeps its percentage.
    assert!(md.contains("| 50% → "), "{md}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A service whose name is a proper name keeps its capitals in the prose: Welsh
/// councils' "Flying Start" was written "flying Start" in the capacity sentences and
/// "flying start" in the map captions before session 18 (the Newport audit).
#[test]
fn proper_service_names_keep_their_capitals() {
    let (mut inp, r, p) = fixture("scenario.toml");
    let cc = inp
        .services
        .iter_mut()
        .find(|s| s.id == "children_centre")
        .expect("the fixture has children_centre");
    cc.name = "Flying Start".into();
    let pv = provenance();
    let md = services_appendix_md(&appendix(&inp, &r, &p, &pv));
    for want in [
        "would exceed B's capacity for Flying Start by 110 users",
        "closure sends 40 Flying Start users to B",
        "building hosting Flying Start",
    ] {
        assert!(md.contains(want), "{want:?} not in the Markdown:\n{md}");
    }
    assert!(!md.contains("flying "), "a lower-cased Flying Start:\n{md}");
}
