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

/// Session 15 audit (Cheshire West and Chester, a £900,000 budget): the summary said
/// "2,383 of need loses access within the limit", the net change, when 3,511 lost
/// access and 1,128 gained it through a new building. Both are stated, whole.
#[test]
fn need_losing_access_is_counted_whole_not_net_of_gains() {
    use hubplan::model::SiteStatus;
    let mut inp = inputs();
    // A (existing) and C (a candidate); Z1 reaches A in 10 and C in 50 minutes, Z2 only C in 20.
    inp.sites[1] = Site {
        id: "C".into(),
        status: SiteStatus::Candidate,
        ..inp.sites[1].clone()
    };
    inp.zones[1].need = 60.0;
    inp.travel = TravelTimes::from_triples(
        2,
        2,
        [(0, 0, 10.0), (0, 1, 50.0), (1, 1, 20.0)]
            .iter()
            .map(|&(z, s, m)| (ZoneIdx::from_index(z), SiteIdx::from_index(s), m))
            .collect(),
    )
    .unwrap();
    let sc = Scenario::min_cost();
    // A closes, C opens: Z1 (need 100) goes beyond 35 minutes, Z2 (need 60) comes within.
    let p = plan_for_open_set(&inp, &sc, vec![false, true], PlanStatus::Optimal, 1000.0, 1000.0, 0.0);
    assert_eq!(
        (p.totals.need_covered_before, p.totals.need_covered_after),
        (100.0, 60.0)
    );
    let affected = text(&plain_summary(&inp, &sc, &p), "affected");
    assert!(
        affected.contains("Need within 35 minutes goes from 100 to 60"),
        "{affected}"
    );
    assert!(
        affected.contains("100 of need loses access within the limit and 60 gains it."),
        "{affected}"
    );
    // Only losses: said without a gain.
    let p = plan_for_open_set(&inp, &sc, vec![false, false], PlanStatus::Optimal, 0.0, 0.0, 0.0);
    let affected = text(&plain_summary(&inp, &sc, &p), "affected");
    assert!(
        affected.contains(" 100 of need loses access within the limit."),
        "{affected}"
    );
    assert!(!affected.contains("gains it"), "{affected}");
}

/// Session 15 audit: four districts with journeys 10 minutes longer named three and
/// "(and 1 other districts)".
#[test]
fn one_further_district_is_one_district() {
    let mut inp = inputs();
    let zone = |id: &str, d: &str| Zone {
        district: d.into(),
        population: 100.0,
        imd_decile: Some(5),
        ..Zone::new(id, LonLat::new(-0.70, 52.6), 100.0)
    };
    inp.zones = vec![zone("Z1", "D1"), zone("Z2", "D2"), zone("Z3", "D3"), zone("Z4", "D4")];
    // Every zone: A in 1 minute, B in 20.
    inp.travel = TravelTimes::from_triples(
        4,
        2,
        (0..4)
            .flat_map(|z| [(z, 0, 1.0), (z, 1, 20.0)])
            .map(|(z, s, m)| (ZoneIdx::from_index(z), SiteIdx::from_index(s), m))
            .collect(),
    )
    .unwrap();
    let sc = Scenario::min_cost();
    let p = plan_for_open_set(&inp, &sc, vec![false, true], PlanStatus::Optimal, 1000.0, 1000.0, 0.0);
    let affected = text(&plain_summary(&inp, &sc, &p), "affected");
    assert!(affected.contains("(and 1 other district)."), "{affected}");
    assert!(!affected.contains("other districts"), "{affected}");
}
