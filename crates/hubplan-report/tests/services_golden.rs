//! Golden-file test of the co-location (services) appendix in Markdown, and
//! checks of its HTML.
//!
//! The inputs are `fixtures/tiny_services/` built in memory. After an intended
//! change of the appendix, regenerate the golden file and review the diff:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p hubplan-report --test services_golden
//! git diff crates/hubplan-report/tests/golden/
//! ```

use hubplan::colocate::{plan_services, ServicePlan, ServiceRules};
use hubplan::geo::LonLat;
use hubplan::model::{Inputs, Service, Site, SiteStatus, Zone};
use hubplan::travel::TravelTimes;
use hubplan::{ObjectiveKind, PlanStatus, ServiceIdx, SiteIdx, ZoneIdx};
use hubplan_report::{services_appendix_html, services_appendix_md, Provenance, ServiceAppendix};

mod common;
use common::golden;

const CC: ServiceIdx = ServiceIdx(0);
const YOUTH: ServiceIdx = ServiceIdx(1);

/// `fixtures/tiny_services/`: five buildings (one candidate) in two districts, five zones, two services.
fn inputs() -> Inputs {
    #[allow(clippy::too_many_arguments)]
    let site = |id: &str,
                name: &str,
                district: &str,
                status: SiteStatus,
                costs: (f64, f64, f64, f64),
                capacity: f64,
                services: Vec<ServiceIdx>,
                can_host: Vec<ServiceIdx>| Site {
        id: id.into(),
        name: name.into(),
        pos: LonLat::new(0.5, 51.2),
        district: district.into(),
        kind: "children_centre".into(),
        status,
        annual_cost: costs.0,
        backlog: costs.1,
        open_cost: costs.2,
        capacity: Some(capacity),
        services,
        can_host,
        disposal_receipt: costs.3,
    };
    let ex = SiteStatus::Existing;
    let sites = vec![
        site(
            "A",
            "Northgate Children's Centre",
            "North",
            ex,
            (10_000.0, 50_000.0, 0.0, 40_000.0),
            200.0,
            vec![CC],
            vec![CC, YOUTH],
        ),
        site(
            "B",
            "Riverside Youth Club",
            "North",
            ex,
            (8_000.0, 30_000.0, 0.0, 25_000.0),
            100.0,
            vec![YOUTH],
            vec![YOUTH],
        ),
        site(
            "C",
            "Hilltop Children's Centre",
            "South",
            ex,
            (12_000.0, 70_000.0, 0.0, 60_000.0),
            150.0,
            vec![CC],
            vec![CC, YOUTH],
        ),
        site(
            "D",
            "Marsh Community Centre",
            "South",
            ex,
            (6_000.0, 20_000.0, 0.0, 15_000.0),
            250.0,
            vec![YOUTH],
            vec![YOUTH, CC],
        ),
        site(
            "E",
            "Eastfield Family Hub (proposed)",
            "South",
            SiteStatus::Candidate,
            (5_000.0, 0.0, 20_000.0, 0.0),
            300.0,
            vec![],
            vec![CC, YOUTH],
        ),
    ];
    let zone = |id: &str, name: &str, district: &str, pop: f64, p04: f64, p1119: f64, imd: u8| Zone {
        id: id.into(),
        name: name.into(),
        pos: LonLat::new(0.5, 51.2),
        district: district.into(),
        need: p04,
        population: pop,
        imd_decile: Some(imd),
        attributes: [("pop_0_4".to_string(), p04), ("pop_11_19".to_string(), p1119)]
            .into_iter()
            .collect(),
        outline: None,
    };
    let zones = vec![
        zone("Z1", "Northgate West", "North", 1500.0, 100.0, 150.0, 3),
        zone("Z2", "Old Town", "North", 1800.0, 120.0, 200.0, 2),
        zone("Z3", "Hilltop", "South", 1600.0, 90.0, 160.0, 4),
        zone("Z4", "Marsh Village", "South", 1200.0, 60.0, 110.0, 6),
        zone("Z5", "Marsh Farms", "South", 400.0, 30.0, 40.0, 8),
    ];
    let services = vec![
        Service {
            id: "children_centre".into(),
            name: "Children's centre".into(),
            need_column: Some("pop_0_4".into()),
            max_minutes: None,
            space: 100.0,
            conversion_cost: 1000.0,
        },
        Service {
            id: "youth".into(),
            name: "Youth service".into(),
            need_column: Some("pop_11_19".into()),
            max_minutes: Some(25.0),
            space: 80.0,
            conversion_cost: 500.0,
        },
    ];
    let minutes = [
        [5.0, 10.0, 40.0, 45.0, 50.0],
        [15.0, 5.0, 35.0, 30.0, 40.0],
        [40.0, 35.0, 5.0, 15.0, 10.0],
        [50.0, 45.0, 25.0, 10.0, 18.0],
        [60.0, 60.0, 30.0, 25.0, 22.0],
    ];
    let mut t = Vec::new();
    for (z, row) in minutes.iter().enumerate() {
        for (s, &m) in row.iter().enumerate() {
            t.push((ZoneIdx::from_index(z), SiteIdx::from_index(s), m));
        }
    }
    Inputs {
        sites,
        zones,
        services,
        travel: TravelTimes::from_triples(5, 5, t).unwrap(),
    }
}

/// `fixtures/tiny_services/scenario.toml`.
fn rules() -> ServiceRules {
    ServiceRules {
        services: vec![CC, YOUTH],
        hub: vec![CC, YOUTH],
        min_hubs_per_district: 1,
        max_minutes: Some(20.0),
        objective: ObjectiveKind::MinCost,
        savings_target: Some(15_000.0),
        capital_budget: Some(5_000.0),
        ..ServiceRules::default()
    }
}

/// `fixtures/tiny_services/scenario_infeasible.toml`.
fn rules_infeasible() -> ServiceRules {
    ServiceRules {
        services: vec![CC, YOUTH],
        hub: vec![CC, YOUTH],
        max_minutes: Some(20.0),
        objective: ObjectiveKind::MinCost,
        close: vec![SiteIdx(3)],
        close_service: vec![(SiteIdx(4), YOUTH)],
        ..ServiceRules::default()
    }
}

fn provenance() -> Provenance {
    Provenance {
        inputs: vec![
            (
                "scenario".into(),
                "fixtures/tiny_services/scenario.toml".into(),
                "0".repeat(64),
            ),
            (
                "sites".into(),
                "fixtures/tiny_services/sites.csv".into(),
                "ab".repeat(32),
            ),
        ],
        ..common::provenance(
            &[("objective", "min_cost"), ("max_minutes", "20")],
            "modelled matrix",
            "exact (hubplan branch-and-bound), time limit 10 s",
        )
    }
}

fn appendix<'a>(inp: &'a Inputs, r: &'a ServiceRules, p: &'a ServicePlan, pv: &'a Provenance) -> ServiceAppendix<'a> {
    common::service_appendix("Tiny family hubs: appendix to the cabinet paper", inp, r, p, pv)
}

#[test]
fn services_markdown_matches_golden() {
    let (inp, r, pv) = (inputs(), rules(), provenance());
    let p = plan_services(&inp, &r).unwrap();
    assert_eq!(p.status, PlanStatus::Optimal);
    let md = services_appendix_md(&appendix(&inp, &r, &p, &pv));
    for want in [
        "## 1. Summary",
        "## 2. Coverage per service",
        "## 3. Each service: map and equality",
        "### Children's centre",
        "### Youth service",
        "## 4. Family hubs by district",
        "## 5. Buildings",
        "## 6. Who is worse off",
        "## 7. Method and provenance",
        "Northgate Children's Centre (A)",
        // Issue 19: distinct headings, a map per service, IMD and district tables per service.
        "Share within before",
        "Share within after",
        "![Map of travel time to the nearest open building hosting children's centre after the plan](map_children_centre.svg)",
        "![Map of travel time to the nearest open building hosting youth service after the plan](map_youth.svg)",
        "*Table: Children's centre: Change in journeys to the nearest building hosting it by IMD decile",
        "*Table: Youth service: Change in journeys to the nearest building hosting it by district",
        "Targets and rules of the scenario:",
    ] {
        assert!(md.contains(want), "missing {want:?}");
    }
    assert!(!md.contains("| Share |"), "two columns headed Share");
    assert!(!md.contains("Why no plan meets the rules"));
    assert!(!md.contains("Eastfield"), "an unused candidate is not listed");
    golden("services_small.md", &md);
}

#[test]
fn services_html_is_self_contained_and_deterministic() {
    let (inp, r, pv) = (inputs(), rules(), provenance());
    let p = plan_services(&inp, &r).unwrap();
    let a = appendix(&inp, &r, &p, &pv);
    let html = services_appendix_html(&a);
    assert_eq!(html, services_appendix_html(&a));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<style>"));
    assert!(html.contains("Northgate Children&#39;s Centre (A)"));
    let stripped = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for bad in ["<script", "http://", "https://", "<link", "@import"] {
        assert!(!stripped.contains(bad), "HTML contains {bad:?}");
    }
    // One inline map per service, each with its own ids (no clash in one page).
    assert_eq!(html.matches("<svg ").count(), 2);
    for id in ["service-children_centre-map-title", "service-youth-map-title"] {
        assert_eq!(html.matches(&format!("id=\"{id}\"")).count(), 1, "{id}");
    }
    let mut ids: Vec<&str> = html
        .match_indices(" id=\"")
        .map(|(i, _)| {
            let r = &html[i + 5..];
            &r[..r.find('"').unwrap()]
        })
        .collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids in the HTML");
    // Every table has a caption.
    assert_eq!(html.matches("<table").count(), html.matches("<caption>").count());
    let with_date = ServiceAppendix {
        generated: Some("2026-01-01"),
        ..a
    };
    assert!(services_appendix_html(&with_date).contains("2026-01-01"));
}

#[test]
fn infeasible_services_appendix_names_blockers_with_ids() {
    let (inp, r, pv) = (inputs(), rules_infeasible(), provenance());
    let p = plan_services(&inp, &r).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    let md = services_appendix_md(&appendix(&inp, &r, &p, &pv));
    assert!(md.contains("Why no plan meets the rules"), "{md}");
    assert!(
        md.contains("Zones: Marsh Farms (Z5)") && md.contains(" (D), ") && md.contains(" (E))"),
        "{md}"
    );
    assert!(services_appendix_html(&appendix(&inp, &r, &p, &pv)).contains("Why no plan meets the rules"));
}
