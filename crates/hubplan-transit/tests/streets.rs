//! Walking on an OpenStreetMap street network: a hand-made extract with a river and one bridge
//! (written as a real `.osm.pbf` by `support::pbfgen`), snapping, fallbacks, bad files, and
//! properties of street walks on random networks.

use std::path::PathBuf;

use hubplan_geo::{haversine_m, LonLat};
use hubplan_transit::*;
use proptest::prelude::*;

mod support;
use support::pbfgen::{pbf, Node, Way};

const LAT_S: f64 = 51.004; // south street
const LAT_N: f64 = 51.006; // north street
const BRIDGE_LON: f64 = 0.009;
const STEP: f64 = 0.0002; // node spacing along the streets (51 nodes each)

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hubplan-streets-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The town: two residential streets along a river (lat 51.005), joined by one footbridge at
/// lon 0.009. Also crossing the river, and none walkable: a motorway (lon 0.002), a private
/// road (0.004), a footway with foot=no (0.005), and the river itself.
fn town() -> Vec<u8> {
    let mut nodes: Vec<(i64, f64, f64)> = Vec::new();
    let mut south = Vec::new();
    let mut north = Vec::new();
    for i in 0..=50 {
        let lon = i as f64 * STEP;
        nodes.push((1000 + i, lon, LAT_S));
        south.push(1000 + i);
        nodes.push((2000 + i, lon, LAT_N));
        north.push(2000 + i);
    }
    // bridge: from the south street node at 0.009 to the north one (i = 45)
    let bridge = vec![1045, 3001, 2045];
    nodes.push((3001, BRIDGE_LON, 51.005));
    // the crossings that must not be used, each sharing the streets' nodes
    let motorway = vec![4001, 1010, 4002, 2010, 4003];
    nodes.push((4001, 0.002, 51.000));
    nodes.push((4002, 0.002, 51.005));
    nodes.push((4003, 0.002, 51.010));
    let private = vec![1020, 5001, 2020];
    nodes.push((5001, 0.004, 51.005));
    let nofoot = vec![1025, 6001, 2025];
    nodes.push((6001, 0.005, 51.005));
    let river = vec![7001, 7002];
    nodes.push((7001, -0.001, 51.005));
    nodes.push((7002, 0.011, 51.005));
    let ns: Vec<Node> = nodes.iter().map(|&(id, lon, lat)| (id, lon, lat, &[][..])).collect();
    let ways: Vec<Way> = vec![
        (10, &south, &[("highway", "residential"), ("name", "South Street")]),
        (11, &north, &[("highway", "residential"), ("name", "North Street")]),
        (12, &bridge, &[("highway", "footway"), ("bridge", "yes")]),
        (13, &motorway, &[("highway", "motorway")]),
        (14, &private, &[("highway", "service"), ("access", "private")]),
        (15, &nofoot, &[("highway", "footway"), ("foot", "no")]),
        (16, &river, &[("waterway", "river")]),
    ];
    pbf(&ns, &ways)
}

fn town_network() -> (StreetNetwork, OsmReport) {
    let dir = tmp("town");
    let path = dir.join("town.osm.pbf");
    std::fs::write(&path, town()).unwrap();
    load_osm(&path).unwrap()
}

fn feed_with_stops(stops: &[LonLat]) -> Feed {
    let mut b = FeedBuilder::new(ServiceDate::new(2024, 1, 8).unwrap());
    for (i, &p) in stops.iter().enumerate() {
        b.add_stop(format!("S{i}"), p);
    }
    b.build()
}

fn cfg(max_walk: f64, max_transfer: f64) -> TransitConfig {
    TransitConfig {
        window_start_s: 8 * 3600,
        window_end_s: 8 * 3600 + 60,
        walk_speed_kmh: 3.6, // 1 m/s: seconds are metres rounded up
        max_walk_m: max_walk,
        max_transfer_walk_m: max_transfer,
        ..Default::default()
    }
}

fn ll(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat)
}

#[test]
fn town_graph_keeps_walkable_ways_only() {
    let (net, rep) = town_network();
    assert_eq!(rep.ways_read, 7);
    assert_eq!(rep.ways_walkable, 3, "{rep}");
    // 51 + 51 street nodes and the bridge's middle node
    assert_eq!(net.node_count(), 103);
    assert_eq!(net.edge_count(), 50 + 50 + 2);
    assert_eq!(rep.missing_nodes, 0);
}

#[test]
fn walk_across_the_river_goes_via_the_bridge() {
    let (net, _) = town_network();
    // A is 55 m south of the south street, B 55 m north of the north street, both at lon 0.001.
    let a = ll(0.001, 51.0035);
    let b = ll(0.001, 51.0065);
    let feed = feed_with_stops(&[a, b]);
    let c = cfg(3000.0, 3000.0);
    let links = WalkLinks::streets(&net, &feed, &[a], &[b], &c, DEFAULT_SNAP_M).unwrap();
    let via_bridge = haversine_m(a, ll(0.001, LAT_S))
        + haversine_m(ll(0.001, LAT_S), ll(BRIDGE_LON, LAT_S))
        + haversine_m(ll(BRIDGE_LON, LAT_S), ll(BRIDGE_LON, 51.005))
        + haversine_m(ll(BRIDGE_LON, 51.005), ll(BRIDGE_LON, LAT_N))
        + haversine_m(ll(BRIDGE_LON, LAT_N), ll(0.001, LAT_N))
        + haversine_m(ll(0.001, LAT_N), b);
    let straight = haversine_m(a, b);
    let t = links.transfer_seconds(0, 1).unwrap() as f64;
    assert!(
        (t - via_bridge).abs() < 2.0,
        "transfer {t} s, via the bridge {via_bridge:.1} m"
    );
    assert!(via_bridge > 4.0 * straight, "{via_bridge} vs {straight}");
    assert_eq!(links.transfer_seconds(1, 0), links.transfer_seconds(0, 1));
    assert_eq!(links.direct_seconds(0, 0).map(f64::from), Some(t));
    assert_eq!(links.access_seconds(0, 1).map(f64::from), Some(t));
    assert_eq!(links.egress_seconds(0, 0).map(f64::from), Some(t));
    // Below the bridge walk, no link; the straight-line model would have linked them.
    let c = cfg(1000.0, 1000.0);
    let links = WalkLinks::streets(&net, &feed, &[a], &[b], &c, DEFAULT_SNAP_M).unwrap();
    assert_eq!(links.transfer_seconds(0, 1), None);
    assert_eq!(links.direct_seconds(0, 0), None);
    let straight_links = WalkLinks::straight(&feed, &[a], &[b], &c).unwrap();
    assert!(straight_links.transfer_seconds(0, 1).is_some());
    let snap = links.snapping().unwrap();
    assert_eq!(snap.stops.snapped, 2);
    assert!((snap.stops.max_m - 55.6).abs() < 1.0, "{snap}");
    assert!(snap.warnings().is_empty());
}

#[test]
fn point_on_the_motorway_snaps_off_it() {
    let (net, _) = town_network();
    // On the motorway, 55 m north of where it passes the north street.
    let p = ll(0.002, 51.0065);
    let q = ll(0.001, 51.0065);
    let feed = feed_with_stops(&[p, q]);
    let links = WalkLinks::streets(&net, &feed, &[p], &[q], &cfg(1000.0, 1000.0), DEFAULT_SNAP_M).unwrap();
    let snap = links.snapping().unwrap();
    assert!(
        (snap.origins.max_m - 55.6).abs() < 1.0,
        "snapped {} m from the motorway",
        snap.origins.max_m
    );
    // down to the north street, 70 m west along it, up to q
    let expect = haversine_m(p, ll(0.002, LAT_N))
        + haversine_m(ll(0.002, LAT_N), ll(0.001, LAT_N))
        + haversine_m(ll(0.001, LAT_N), q);
    let t = links.direct_seconds(0, 0).unwrap() as f64;
    assert!((t - expect).abs() < 2.0, "{t} vs {expect}");
}

#[test]
fn far_points_fall_back_to_straight_lines_with_a_warning() {
    let (net, _) = town_network();
    let a = ll(0.001, 51.0035);
    let far = ll(0.001, 51.020); // 1.5 km north of everything
    let near_far = ll(0.0015, 51.020);
    let feed = feed_with_stops(&[a, far]);
    let c = cfg(800.0, 400.0);
    let links = WalkLinks::streets(
        &net,
        &feed,
        &[near_far, LonLat::new(f64::NAN, 0.0)],
        &[a],
        &c,
        DEFAULT_SNAP_M,
    )
    .unwrap();
    let s = links.snapping().unwrap();
    assert_eq!((s.stops.snapped, s.stops.fallback), (1, 1));
    assert_eq!((s.origins.snapped, s.origins.fallback, s.origins.invalid), (0, 1, 1));
    let w = s.warnings();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("1 of 2 stops") && w[0].contains("(first, by position in the input: 2)"),
        "{}",
        w[0]
    );
    // the unsnapped origin reaches the unsnapped stop by the straight-line rule (× detour)
    let straight = WalkLinks::straight(&feed, &[near_far], &[a], &c).unwrap();
    assert_eq!(links.access_seconds(0, 1), straight.access_seconds(0, 1));
    assert!(links.access_seconds(0, 1).is_some());
    assert_eq!(links.access_seconds(1, 0), None);
}

#[test]
fn bad_and_truncated_files_are_clear_errors() {
    let dir = tmp("bad");
    let good = town();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.osm.pbf", Vec::new()),
        ("text.osm.pbf", b"this is not a pbf file at all".to_vec()),
        ("truncated.osm.pbf", good[..good.len() - 40].to_vec()),
        ("half.osm.pbf", good[..good.len() / 2].to_vec()),
        ("garbage_header.osm.pbf", {
            let mut g = good.clone();
            g[4..12].copy_from_slice(&[0xff; 8]);
            g
        }),
        ("no_ways.osm.pbf", pbf(&[(1, 0.0, 51.0, &[])], &[])),
        (
            "no_walkable.osm.pbf",
            pbf(
                &[(1, 0.0, 51.0, &[]), (2, 0.001, 51.0, &[])],
                &[(1, &[1, 2], &[("highway", "motorway")])],
            ),
        ),
    ];
    for (name, bytes) in cases {
        let p = dir.join(name);
        std::fs::write(&p, &bytes).unwrap();
        let e = load_osm(&p).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, TransitError::Osm { .. }), "{name}: {msg}");
        assert!(msg.contains(name), "{name}: {msg}");
    }
    let e = load_osm(&dir.join("absent.osm.pbf")).unwrap_err().to_string();
    assert!(e.contains("absent.osm.pbf") && e.contains("cannot read"), "{e}");
    // every flip of one byte either loads or is an error; never a panic
    for i in (0..good.len()).step_by(7) {
        let mut g = good.clone();
        g[i] ^= 0x5a;
        let p = dir.join("flip.osm.pbf");
        std::fs::write(&p, &g).unwrap();
        let _ = load_osm(&p);
    }
}

#[test]
fn walkable_tags() {
    let w = |t: &[(&str, &str)]| is_walkable(t.iter().copied());
    assert!(w(&[("highway", "footway")]));
    assert!(w(&[("highway", "footway"), ("footway", "crossing")]));
    assert!(w(&[("highway", "residential")]));
    assert!(w(&[("highway", "service")]));
    assert!(w(&[("highway", "steps")]));
    assert!(!w(&[("highway", "motorway")]));
    assert!(!w(&[("highway", "motorway_link")]));
    assert!(w(&[("highway", "motorway"), ("foot", "yes")]));
    assert!(!w(&[("highway", "residential"), ("access", "private")]));
    assert!(!w(&[("highway", "residential"), ("access", "no")]));
    assert!(w(&[("highway", "service"), ("access", "private"), ("foot", "yes")]));
    assert!(!w(&[("highway", "footway"), ("foot", "no")]));
    assert!(!w(&[("highway", "construction")]));
    assert!(!w(&[("waterway", "river")]));
    assert!(w(&[("railway", "platform")]));
}

/// The matrix with street links: a stop on each bank, a bus across the river; walking across
/// is only possible by the bridge.
#[test]
fn matrix_uses_street_walks() {
    let (net, _) = town_network();
    let a = ll(0.001, 51.0035);
    let b = ll(0.001, 51.0065);
    let mut fb = FeedBuilder::new(ServiceDate::new(2024, 1, 8).unwrap());
    let s1 = fb.add_stop("S1", ll(0.001, LAT_S));
    let s2 = fb.add_stop("S2", ll(0.001, LAT_N));
    let st = |stop, t| StopTime {
        stop,
        arrival: t,
        departure: t,
        pickup: true,
        drop_off: true,
    };
    fb.add_trip("bus", &[st(s1, 8 * 3600 + 300), st(s2, 8 * 3600 + 400)])
        .unwrap();
    let feed = fb.build();
    let c = cfg(2000.0, 400.0);
    let links = WalkLinks::streets(&net, &feed, &[a], &[b], &c, DEFAULT_SNAP_M).unwrap();
    let m = travel_time_matrix_with(&feed, &links, &[a], &[b], &c, &|_, _| {}).unwrap();
    // leave 8:00, bus at 8:05 (the 56 m walk fits), 8:06:40 at S2, 56 m walk: 457 s
    assert_eq!(m.len(), 1);
    let walk = links.egress_seconds(1, 0).unwrap();
    assert_eq!(m[0].seconds, 400 + walk);
    // links built for other points are refused
    let e = travel_time_matrix_with(&feed, &links, &[a, b], &[b], &c, &|_, _| {}).unwrap_err();
    assert!(e.to_string().contains("walking links"), "{e}");
}

/// The straight-line links equal the old definition (haversine × detour) pair by pair.
#[test]
fn straight_links_follow_the_definition() {
    let pts: Vec<LonLat> = (0..60)
        .map(|i| ll(0.0 + (i % 8) as f64 * 0.0013, 51.0 + (i / 8) as f64 * 0.0011))
        .collect();
    let feed = feed_with_stops(&pts[..30]);
    let (o, d) = (&pts[30..50], &pts[50..]);
    let c = TransitConfig::default();
    let l = WalkLinks::straight(&feed, o, d, &c).unwrap();
    let w = Walk::new(c.walk_speed_kmh, c.detour);
    for a in 0..30 {
        for b in 0..30 {
            let want = if a == b {
                None
            } else {
                w.link(pts[a], pts[b], c.max_transfer_walk_m)
            };
            assert_eq!(l.transfer_seconds(a, b), want);
        }
        for (k, &op) in o.iter().enumerate() {
            assert_eq!(l.access_seconds(k, a), w.link(op, pts[a], c.max_walk_m));
        }
        for (k, &dp) in d.iter().enumerate() {
            assert_eq!(l.egress_seconds(a, k), w.link(pts[a], dp, c.max_walk_m));
        }
    }
    for (i, &op) in o.iter().enumerate() {
        for (k, &dp) in d.iter().enumerate() {
            assert_eq!(l.direct_seconds(i, k), w.link(op, dp, c.max_walk_m));
        }
    }
}

/// A random street grid: `n × n` nodes 60–100 m apart, each edge kept with probability ~0.8.
fn grid(n: usize, keep: &[bool], jitter: &[f64]) -> StreetNetwork {
    let mut nodes = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let k = i * n + j;
            nodes.push((
                k as i64 + 1,
                ll(
                    j as f64 * 0.0012 + jitter[k % jitter.len()] * 0.0003,
                    51.0 + i as f64 * 0.0007,
                ),
            ));
        }
    }
    let mut ways = Vec::new();
    let mut e = 0;
    for i in 0..n {
        for j in 0..n {
            let k = (i * n + j) as i64 + 1;
            if j + 1 < n {
                if keep[e % keep.len()] {
                    ways.push(OsmWay {
                        id: ways.len() as i64,
                        nodes: vec![k, k + 1],
                    });
                }
                e += 1;
            }
            if i + 1 < n {
                if keep[e % keep.len()] {
                    ways.push(OsmWay {
                        id: ways.len() as i64,
                        nodes: vec![k, k + n as i64],
                    });
                }
                e += 1;
            }
        }
    }
    StreetNetwork::from_ways(&nodes, &ways).unwrap().0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every street walk is at least the straight-line distance (at the same speed, no detour),
    /// walks are symmetric, and the triangle inequality holds over all triples.
    #[test]
    fn street_walks_are_at_least_straight_and_keep_the_triangle_inequality(
        keep in proptest::collection::vec(proptest::bool::weighted(0.8), 40..80),
        jitter in proptest::collection::vec(-1.0f64..1.0, 7..13),
        pts in proptest::collection::vec((0.0f64..0.011, 51.0f64..51.0065), 3..12),
    ) {
        let net = grid(10, &keep, &jitter);
        let pts: Vec<LonLat> = pts.into_iter().map(|(x, y)| ll(x, y)).collect();
        let feed = feed_with_stops(&pts);
        let c = cfg(50_000.0, 50_000.0);
        let links = WalkLinks::streets(&net, &feed, &pts, &pts, &c, 1_000.0).unwrap();
        prop_assert_eq!(links.snapping().unwrap().stops.fallback, 0);
        let n = pts.len();
        let t = |a: usize, b: usize| if a == b { Some(0) } else { links.transfer_seconds(a, b) };
        for a in 0..n {
            for b in 0..n {
                let ab = t(a, b);
                prop_assert_eq!(ab, t(b, a));
                if let Some(ab) = ab {
                    prop_assert!(f64::from(ab) >= haversine_m(pts[a], pts[b]).floor(), "{} < {}", ab, haversine_m(pts[a], pts[b]));
                    if a != b {
                        prop_assert_eq!(links.direct_seconds(a, b), Some(ab));
                        prop_assert_eq!(links.access_seconds(a, b), Some(ab));
                        prop_assert_eq!(links.egress_seconds(a, b), Some(ab));
                    }
                    for k in 0..n {
                        if let (Some(ak), Some(kb)) = (t(a, k), t(k, b)) {
                            prop_assert!(ab <= ak + kb, "{a}->{b} {ab} > {a}->{k} {ak} + {k}->{b} {kb}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn walk_cache_round_trips_and_refuses_other_inputs() {
    let (net, _) = town_network();
    let a = ll(0.001, 51.0035);
    let b = ll(0.001, 51.0065);
    let far = ll(0.001, 51.03);
    let feed = feed_with_stops(&[a, b, far]);
    let c = cfg(3000.0, 3000.0);
    let (o, d) = ([a, far], [b]);
    let links = WalkLinks::streets(&net, &feed, &o, &d, &c, DEFAULT_SNAP_M).unwrap();
    let dir = tmp("cache");
    let path = dir.join("walks.bin");
    let key = WalkLinks::cache_key("abc", &feed, &o, &d, &c, DEFAULT_SNAP_M);
    assert_eq!(key.len(), 64);
    links.save_cache(&path, &key).unwrap();
    let back = WalkLinks::load_cache(&path, &key, &feed, &o, &d, &c).unwrap();
    assert_eq!(back, links);
    assert_eq!(back.snapping(), links.snapping());
    // another extract, other points, other rules: other keys
    assert_ne!(WalkLinks::cache_key("abd", &feed, &o, &d, &c, DEFAULT_SNAP_M), key);
    assert_ne!(WalkLinks::cache_key("abc", &feed, &[a, b], &d, &c, DEFAULT_SNAP_M), key);
    assert_ne!(
        WalkLinks::cache_key("abc", &feed, &o, &d, &cfg(3000.0, 2999.0), DEFAULT_SNAP_M),
        key
    );
    assert_ne!(WalkLinks::cache_key("abc", &feed, &o, &d, &c, 299.0), key);
    let other = WalkLinks::cache_key("abd", &feed, &o, &d, &c, DEFAULT_SNAP_M);
    assert!(WalkLinks::load_cache(&path, &other, &feed, &o, &d, &c).is_none());
    // the right key but other points or rules: refused too
    assert!(WalkLinks::load_cache(&path, &key, &feed, &[a], &d, &c).is_none());
    assert!(WalkLinks::load_cache(&path, &key, &feed, &o, &d, &cfg(3000.0, 2000.0)).is_none());
    // damaged files are ignored, never a panic
    let bytes = std::fs::read(&path).unwrap();
    for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        assert!(
            WalkLinks::load_cache(&path, &key, &feed, &o, &d, &c).is_none(),
            "cut at {cut}"
        );
    }
    for i in (0..bytes.len()).step_by(5) {
        let mut g = bytes.clone();
        g[i] ^= 0xff;
        std::fs::write(&path, &g).unwrap();
        assert!(
            WalkLinks::load_cache(&path, &key, &feed, &o, &d, &c).is_none(),
            "byte {i} flipped"
        );
    }
    assert!(WalkLinks::load_cache(&dir.join("absent.bin"), &key, &feed, &o, &d, &c).is_none());
}
