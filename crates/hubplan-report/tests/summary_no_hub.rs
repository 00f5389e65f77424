//! The plain summary when zones lose every hub in reach (session 8 acceptance
//! sweep): a zone left with no hub has no "added minutes", so it must not be
//! averaged in as 0, and known IMD deciles must not be reported as missing.

use hubplan::geo::LonLat;
use hubplan::model::{Inputs, Site, Zone};
use hubplan::optimise::plan_for_open_set;
use hubplan::travel::TravelTimes;
use hubplan::{PlanStatus, Scenario, SiteIdx, ZoneIdx};
use hubplan_report::plain_summary;

fn inputs() -> Inputs {
    let site = |id: &str, lon: f64| Site {
        district: "Rutland".into(),
        ..Site::existing(id, LonLat::new(lon, 52.6), 1000.0)
    };
    let zone = |id: &str, lon: f64, decile: u8| Zone {
        district: "Rutland".into(),
        population: 100.0,
        imd_decile: Some(decile),
        ..Zone::new(id, LonLat::new(lon, 52.6), 100.0)
    };
    // Z1 reaches A (10 min) and B (30 min); Z2 reaches only A (12 min).
    let t = [(0, 0, 10.0), (0, 1, 30.0), (1, 0, 12.0)];
    Inputs {
        sites: vec![site("A", -0.70), site("B", -0.72)],
        zones: vec![zone("Z1", -0.70, 3), zone("Z2", -0.71, 7)],
        services: vec![],
        travel: TravelTimes::from_triples(
            2,
            2,
            t.iter()
                .map(|&(z, s, m)| (ZoneIdx::from_index(z), SiteIdx::from_index(s), m))
                .collect(),
        )
        .unwrap(),
    }
}

fn text(items: &[hubplan_report::SummaryItem], topic: &str) -> String {
    items
        .iter()
        .find(|i| i.topic == topic)
        .map(|i| i.text.clone())
        .unwrap_or_default()
}

#[test]
fn zones_that_lose_every_hub_are_not_averaged_in_as_zero_minutes() {
    let inp = inputs();
    let sc = Scenario::min_cost();
    // Only B stays open: Z1 goes 10 → 30 minutes, Z2 reaches no hub.
    let p = plan_for_open_set(&inp, &sc, vec![false, true], PlanStatus::Optimal, 1000.0, 1000.0, 0.0);
    let s = plain_summary(&inp, &sc, &p);
    let affected = text(&s, "affected");
    assert!(
        affected.contains(
            "by 20.0 min on average among those that still reach one; 1 zone (100 residents) reaches no hub at all"
        ),
        "{affected}"
    );
    // Nothing open: no zone reaches a hub, and the deciles are known.
    let p = plan_for_open_set(&inp, &sc, vec![false, false], PlanStatus::Optimal, 0.0, 0.0, 0.0);
    let s = plain_summary(&inp, &sc, &p);
    let affected = text(&s, "affected");
    assert!(
        affected.contains("none of them reaches a hub after the plan"),
        "{affected}"
    );
    assert!(!affected.contains("0.0 min on average"), "{affected}");
    let equality = text(&s, "equality");
    assert!(!equality.contains("have no IMD decile"), "{equality}");
    assert!(equality.contains("cannot be compared"), "{equality}");
}

/// Session 10 sweep (a zones file without a district column): the summary said "By
/// district, the most are in (no district) (6 zones, 4,155 need)". Without districts
/// it says nothing about them; with them it still names them.
#[test]
fn the_district_sentence_needs_districts() {
    let sc = Scenario::min_cost();
    let open_b = |inp: &Inputs| {
        let p = plan_for_open_set(inp, &sc, vec![false, true], PlanStatus::Optimal, 1000.0, 1000.0, 0.0);
        text(&plain_summary(inp, &sc, &p), "affected")
    };
    let with = open_b(&inputs());
    assert!(
        with.contains("By district, the most are in Rutland (2 zones, 200 residents)."),
        "{with}"
    );
    let mut none = inputs();
    for z in &mut none.zones {
        z.district.clear();
    }
    for s in &mut none.sites {
        s.district.clear();
    }
    let without = open_b(&none);
    assert!(without.contains("it grows by 10 minutes or more"), "{without}");
    assert!(!without.contains("By district"), "{without}");
}
