//! The feasibility study against hand-worked values and independent computations.

use std::collections::BTreeSet;

use hubplan::geo::LonLat;
use hubplan::model::*;
use hubplan::study::{neighbour_pairs, study, Indicator, StudyOptions, ZoneShape};
use hubplan::travel::TravelTimes;
use hubplan::{SiteIdx, ZoneIdx};

fn site(id: &str, status: SiteStatus) -> Site {
    Site {
        district: "A".into(),
        kind: "k".into(),
        status,
        ..Site::existing(id, LonLat::new(0.05, 52.0), 1.0)
    }
}

fn zone(id: &str, lon: f64, district: &str, decile: u8, children: f64, extra: f64) -> Zone {
    let mut attributes = std::collections::BTreeMap::new();
    attributes.insert("pop_0_15".to_string(), children);
    attributes.insert("pop_60plus".to_string(), 2.0 * children);
    attributes.insert("extra".to_string(), extra);
    Zone {
        id: id.into(),
        name: String::new(),
        pos: LonLat::new(lon, 52.0),
        district: district.into(),
        need: children,
        population: 5.0 * children,
        imd_decile: Some(decile),
        attributes,
        outline: None,
    }
}

/// Six zones on a line (0.01° of longitude ≈ 0.69 km at 52° N), one existing site S1
/// and one candidate S2, limit 30 minutes. Worked by hand in the comments below.
fn fixture() -> Inputs {
    let zones = vec![
        zone("Z0", 0.00, "A", 1, 100.0, 3.0),
        zone("Z1", 0.01, "A", 5, 200.0, 1.0),
        zone("Z2", 0.02, "A", 3, 300.0, 5.0),
        zone("Z3", 0.10, "B", 2, 400.0, 2.0),
        zone("Z4", 0.11, "B", 8, 500.0, 4.0),
        zone("Z5", 0.20, "B", 10, 600.0, 0.0),
    ];
    let z = ZoneIdx;
    let (s1, s2) = (SiteIdx(0), SiteIdx(1));
    let travel = TravelTimes::from_triples(
        6,
        2,
        vec![
            (z(0), s1, 40.0),
            (z(0), s2, 25.0),
            (z(1), s1, 20.0),
            (z(2), s1, 50.0),
            (z(2), s2, 28.0),
            (z(3), s1, 45.0),
            (z(3), s2, 70.0),
            (z(4), s1, 60.0),
            (z(4), s2, 29.0),
        ],
    )
    .unwrap();
    Inputs {
        sites: vec![site("S1", SiteStatus::Existing), site("S2", SiteStatus::Candidate)],
        zones,
        services: vec![],
        travel,
    }
}

fn opts() -> StudyOptions {
    StudyOptions {
        default_max_minutes: 30.0,
        neighbour_max_km: 2.0,
        area_zones: Some(100),
        protected: vec!["pop_60plus".into()],
        ..StudyOptions::default()
    }
}

#[test]
fn hand_worked_ranking_areas_and_best_buildings() {
    let inputs = fixture();
    let s = study(&inputs, &opts()).unwrap();
    assert_eq!(s.services.len(), 1);
    assert_eq!(s.services[0].id, "any");
    assert_eq!(s.children_source, "pop_0_15");
    // Longest time in the matrix is 70 > 2 × 30: unreachable counts as 70.
    assert_eq!(s.unreachable_minutes, vec![70.0]);
    // Shortfalls: Z0 10, Z1 0, Z2 20, Z3 15, Z4 30, Z5 70 − 30 = 40.
    let short: Vec<f64> = s.zones.iter().map(|z| z.shortfall).collect();
    assert_eq!(short, vec![10.0, 0.0, 20.0, 15.0, 30.0, 40.0]);
    // Need = (11 − decile)/10: 1.0, 0.6, 0.8, 0.9, 0.3, 0.1.
    let need: Vec<f64> = s.zones.iter().map(|z| (z.need_score * 100.0).round() / 100.0).collect();
    assert_eq!(need, vec![1.0, 0.6, 0.8, 0.9, 0.3, 0.1]);
    // Scores: Z0 10, Z2 16, Z3 13.5, Z4 9, Z5 4. Deciles 1–2 first: Z3 (13.5), Z0 (10);
    // then Z2 (16), Z4 (9), Z5 (4). Z1 is within the limit: no rank.
    let ranks: Vec<Option<u32>> = s.zones.iter().map(|z| z.priority_rank).collect();
    assert_eq!(ranks, vec![Some(2), None, Some(3), Some(1), Some(4), Some(5)]);
    let ids: Vec<&str> = s.ranked.iter().map(|&z| inputs.zone(z).id.as_str()).collect();
    assert_eq!(ids, vec!["Z3", "Z0", "Z2", "Z4", "Z5"]);
    // Areas: {Z3, Z4} (0.69 km apart), {Z0, Z2} (1.37 km, within 2 km), {Z5} (6 km from Z4).
    let areas: Vec<(String, Vec<&str>, u32)> = s
        .areas
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                a.zones.iter().map(|&z| inputs.zone(z).id.as_str()).collect(),
                a.best_rank,
            )
        })
        .collect();
    assert_eq!(
        areas,
        vec![
            ("PA01".to_string(), vec!["Z3", "Z4"], 1),
            ("PA02".to_string(), vec!["Z0", "Z2"], 2),
            ("PA03".to_string(), vec!["Z5"], 5),
        ]
    );
    // Best buildings: S2 reaches Z4 (29) but not Z3 (70) → 500 of 900 children;
    // S2 reaches Z0 (25) and Z2 (28) → all 400; nothing reaches Z5.
    let best: Vec<(Option<&str>, f64, f64)> = s
        .areas
        .iter()
        .map(|a| {
            let o = &a.options[0];
            (
                o.site.map(|j| inputs.site(j).id.as_str()),
                o.children_reached,
                o.children_beyond,
            )
        })
        .collect();
    assert_eq!(
        best,
        vec![
            (Some("S2"), 500.0, 900.0),
            (Some("S2"), 400.0, 400.0),
            (None, 0.0, 600.0)
        ]
    );
    assert_eq!(s.areas[0].options[0].status, "optimal");
    // Area minutes: children-weighted mean of today's best: (400·45 + 500·60)/900.
    assert!((s.areas[0].minutes[0].unwrap() - (400.0 * 45.0 + 500.0 * 60.0) / 900.0).abs() < 1e-9);
    assert_eq!(s.areas[2].minutes[0], None);
}

#[test]
fn indicators_and_tiers() {
    let inputs = fixture();
    // `extra` alone, min–max normalised over 0..5: Z0 0.6, Z2 1.0, Z3 0.4, Z4 0.8, Z5 0.
    let o = StudyOptions {
        indicators: vec![Indicator {
            column: "extra".into(),
            weight: 2.0,
        }],
        priority_deciles: 0,
        ..opts()
    };
    let s = study(&inputs, &o).unwrap();
    let need: Vec<f64> = s.zones.iter().map(|z| (z.need_score * 100.0).round() / 100.0).collect();
    assert_eq!(need, vec![0.6, 0.2, 1.0, 0.4, 0.8, 0.0]);
    // No tier: by score — Z4 24, Z2 20, Z3 6, Z0 6 (tie: more children first → Z3), Z5 0.
    let ids: Vec<&str> = s.ranked.iter().map(|&z| inputs.zone(z).id.as_str()).collect();
    assert_eq!(ids, vec!["Z4", "Z2", "Z3", "Z0", "Z5"]);
    // A negative weight reverses the indicator.
    let o = StudyOptions {
        indicators: vec![Indicator {
            column: "extra".into(),
            weight: -1.0,
        }],
        ..opts()
    };
    let s = study(&inputs, &o).unwrap();
    assert!((s.zones[5].need_score - 1.0).abs() < 1e-12);
    // A column some zone lacks is an error naming the zone and column.
    let o = StudyOptions {
        indicators: vec![Indicator {
            column: "missing".into(),
            weight: 1.0,
        }],
        ..opts()
    };
    let e = study(&inputs, &o).unwrap_err().to_string();
    assert!(e.contains("Z0") && e.contains("missing"), "{e}");
}

#[test]
fn equality_tables_sum_to_totals_and_minutes_match_the_matrix() {
    let inputs = fixture();
    let s = study(&inputs, &opts()).unwrap();
    let eq = &s.equality;
    for rows in [&eq.by_decile, &eq.by_district] {
        let pop: f64 = rows.iter().map(|r| r.population).sum();
        let kids: f64 = rows.iter().map(|r| r.children).sum();
        let zones: usize = rows.iter().map(|r| r.zones).sum();
        let within: f64 = rows.iter().map(|r| r.weight_within[0]).sum();
        let wm: f64 = rows.iter().map(|r| r.weight_minutes[0]).sum();
        assert_eq!((zones, pop, kids), (6, eq.total.population, eq.total.children));
        assert_eq!(within, eq.total.weight_within[0]);
        assert!((wm - eq.total.weight_minutes[0]).abs() < 1e-9);
    }
    // Within the limit: only Z1 (20 min) → 200 of 2,100 children.
    assert_eq!(eq.total.weight_within[0], 200.0);
    assert_eq!(eq.total.share_within(0), Some(200.0 / 2100.0));
    // Protected column pop_60plus = 2 × children: same share, twice the people.
    assert_eq!(eq.protected[0].weight, 4200.0);
    assert_eq!(eq.protected[0].share_within(0), eq.total.share_within(0));
    assert_eq!(eq.population.weight, eq.total.population);
    // Minutes: nearest existing site (S1 only; S2 is a candidate).
    for zs in &s.zones {
        let expect = inputs.travel.get(zs.zone, SiteIdx(0));
        assert_eq!(zs.minutes[0], expect);
        assert_eq!(zs.within[0], expect.is_some_and(|m| m <= 30.0));
    }
    // Demand per district sums to the total.
    let d: f64 = s.demand.iter().map(|d| d.children).sum();
    assert_eq!(d, eq.total.children);
    assert_eq!(s.bands, vec!["pop_0_15".to_string(), "pop_60plus".to_string()]);
}

#[test]
fn queen_contiguity_from_outlines() {
    // A 2×2 block of unit squares (0.01°) and a far one.
    let sq = |x: f64, y: f64| ZoneShape {
        rings: vec![vec![
            LonLat::new(x, y),
            LonLat::new(x + 0.01, y),
            LonLat::new(x + 0.01, y + 0.01),
            LonLat::new(x, y + 0.01),
            LonLat::new(x, y),
        ]],
    };
    let shapes = vec![
        Some(sq(0.0, 52.0)),
        Some(sq(0.01, 52.0)),
        Some(sq(0.0, 52.01)),
        Some(sq(0.01, 52.01)),
        Some(sq(0.5, 52.0)),
    ];
    let pos: Vec<LonLat> = vec![
        LonLat::new(0.005, 52.005),
        LonLat::new(0.015, 52.005),
        LonLat::new(0.005, 52.015),
        LonLat::new(0.015, 52.015),
        LonLat::new(0.505, 52.005),
    ];
    let (pairs, rule) = neighbour_pairs(&pos, Some(&shapes), 6, 100.0);
    assert_eq!(pairs, vec![(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
    assert!(rule.contains("queen"), "{rule}");
    // Without outlines the centroid rule links the far zone too (within 100 km).
    let (pairs, _) = neighbour_pairs(&pos, None, 6, 100.0);
    assert!(pairs.contains(&(3, 4)));
    // Mixed: the far zone has no outline, so the centroid rule decides its pairs only.
    let mut mixed = shapes.clone();
    mixed[4] = None;
    let (pairs, _) = neighbour_pairs(&pos, Some(&mixed), 1, 100.0);
    let set: BTreeSet<(u32, u32)> = pairs.into_iter().collect();
    assert!(set.contains(&(0, 3)) && set.iter().any(|p| p.1 == 4));
}

/// A deterministic pseudo-random instance: areas and best buildings against brute force.
#[test]
fn areas_and_best_buildings_match_brute_force() {
    let mut x: u64 = 0x9E37_79B9;
    let mut rnd = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let nz = 40;
    let ns = 12;
    let zones: Vec<Zone> = (0..nz)
        .map(|i| {
            zone(
                &format!("Z{i:02}"),
                rnd() * 0.3,
                if i % 2 == 0 { "A" } else { "B" },
                1 + (rnd() * 10.0) as u8 % 10,
                (rnd() * 500.0).round(),
                0.0,
            )
        })
        .map(|mut z| {
            z.pos.lat = 52.0 + (z.pos.lon * 7.0).sin() * 0.1;
            z
        })
        .collect();
    let mut sites: Vec<Site> = (0..ns)
        .map(|j| {
            site(
                &format!("S{j:02}"),
                if j < 4 {
                    SiteStatus::Existing
                } else {
                    SiteStatus::Candidate
                },
            )
        })
        .collect();
    sites.iter_mut().for_each(|s| s.pos = LonLat::new(0.1, 52.0));
    let mut triples = Vec::new();
    for z in 0..nz {
        for j in 0..ns {
            if rnd() < 0.6 {
                triples.push((ZoneIdx(z as u32), SiteIdx(j as u32), (rnd() * 80.0).round()));
            }
        }
    }
    let travel = TravelTimes::from_triples(nz, ns, triples).unwrap();
    let inputs = Inputs {
        sites,
        zones,
        services: vec![],
        travel,
    };
    let o = StudyOptions {
        area_zones: Some(25),
        neighbour_max_km: 3.0,
        ..opts()
    };
    let s = study(&inputs, &o).unwrap();
    // Independent components over the study's own neighbour pairs, restricted to the top 25.
    let top: Vec<usize> = s.ranked.iter().take(25).map(|z| z.index()).collect();
    let mut comp: Vec<usize> = (0..nz).collect();
    fn find(c: &mut [usize], a: usize) -> usize {
        let mut r = a;
        while c[r] != r {
            r = c[r];
        }
        c[a] = r;
        r
    }
    for &(a, b) in &s.neighbours {
        let (a, b) = (a as usize, b as usize);
        if top.contains(&a) && top.contains(&b) {
            let (ra, rb) = (find(&mut comp, a), find(&mut comp, b));
            comp[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: std::collections::BTreeMap<usize, BTreeSet<usize>> = Default::default();
    for &z in &top {
        let r = find(&mut comp, z);
        groups.entry(r).or_default().insert(z);
    }
    let mut expect: Vec<BTreeSet<usize>> = groups.into_values().collect();
    expect.sort();
    let mut got: Vec<BTreeSet<usize>> = s
        .areas
        .iter()
        .map(|a| a.zones.iter().map(|z| z.index()).collect())
        .collect();
    got.sort();
    assert_eq!(got, expect);
    // Best building: enumerate every candidate.
    for a in &s.areas {
        let beyond: Vec<usize> = a
            .zones
            .iter()
            .map(|z| z.index())
            .filter(|&z| !s.zones[z].within[0])
            .collect();
        let best = (4..ns)
            .map(|j| {
                beyond
                    .iter()
                    .filter(|&&z| {
                        inputs
                            .travel
                            .get(ZoneIdx(z as u32), SiteIdx(j as u32))
                            .is_some_and(|m| m <= 30.0)
                    })
                    .map(|&z| s.zones[z].children)
                    .sum::<f64>()
            })
            .fold(0.0, f64::max);
        let o = &a.options[0];
        if best > 0.0 {
            assert_eq!(o.children_reached, best, "area {}", a.id);
        } else {
            assert_eq!(o.children_reached, 0.0);
        }
    }
    // Ranks: tier then score descending.
    for w in s.ranked.windows(2) {
        let (a, b) = (&s.zones[w[0].index()], &s.zones[w[1].index()]);
        let t = |z: ZoneIdx| u8::from(inputs.zone(z).imd_decile.unwrap() > 2);
        assert!((t(w[0]), -a.priority_score) <= (t(w[1]), -b.priority_score));
    }
}
