//! Zones given as polygons (fixtures/tiny_polygons): the outline is read with the
//! `geojson` crate and kept on the zone in WGS84, the position is its centroid,
//! British National Grid outlines are converted, and plan.geojson writes the
//! outlines back (points for zones without one).

use std::path::{Path, PathBuf};

use hubplan::geo::haversine_m;
use hubplan_io::*;
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

#[test]
fn polygon_zones_keep_their_outline_and_sit_at_its_centroid() {
    let poly = read_zones(&fixture("fixtures/tiny_polygons/zones.geojson"), None).unwrap();
    let pts = read_zones(&fixture("fixtures/tiny/zones.csv"), None).unwrap();
    assert_eq!(poly.zones.len(), 8);
    for (a, b) in poly.zones.iter().zip(&pts.zones) {
        assert_eq!((&a.id, &a.name, &a.district), (&b.id, &b.name, &b.district));
        assert_eq!(
            (a.need, a.population, a.imd_decile),
            (b.need, b.population, b.imd_decile)
        );
        // The outlines were drawn centred on the tiny zones' points.
        assert!(haversine_m(a.pos, b.pos) < 0.01, "{}: {:?} vs {:?}", a.id, a.pos, b.pos);
        assert!(b.outline.is_none(), "a CSV zone has no outline");
        let o = a.outline.as_ref().expect("an outline");
        // WGS84 degrees, around the point.
        for c in o.0.iter().flat_map(|p| p.exterior().0.iter()) {
            assert!(
                (c.x - a.pos.lon).abs() < 0.01 && (c.y - a.pos.lat).abs() < 0.01,
                "{}: {c:?}",
                a.id
            );
        }
    }
    let z = |id: &str| poly.zones.iter().find(|z| z.id == id).unwrap();
    assert_eq!(z("Z1").outline.as_ref().unwrap().0.len(), 1);
    assert_eq!(
        z("Z2").outline.as_ref().unwrap().0.len(),
        2,
        "Z2 is a MultiPolygon of two parts"
    );
    assert_eq!(
        z("Z3").outline.as_ref().unwrap().0[0].interiors().len(),
        1,
        "Z3 has a hole"
    );
    assert_eq!(z("Z1").outline.as_ref().unwrap().0[0].exterior().0.len(), 5);
}

#[test]
fn british_national_grid_outlines_are_converted_to_wgs84() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("zones.geojson");
    // A 2 km square around S001's BNG position (615095.5, 157920.2 = 1.0828, 51.2798).
    let (e, n) = (615_095.5, 157_920.2);
    let ring: Vec<[f64; 2]> = vec![
        [e - 1000.0, n - 1000.0],
        [e + 1000.0, n - 1000.0],
        [e + 1000.0, n + 1000.0],
        [e - 1000.0, n + 1000.0],
        [e - 1000.0, n - 1000.0],
    ];
    let doc = serde_json::json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [{"type": "Feature", "id": "Z1", "properties": {"need": 5},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}}]
    });
    std::fs::write(&p, doc.to_string()).unwrap();
    let z = &read_zones(&p, None).unwrap().zones[0];
    assert!(
        haversine_m(z.pos, hubplan::geo::LonLat::new(1.0828, 51.2798)) < 5.0,
        "{:?}",
        z.pos
    );
    let o = z.outline.as_ref().unwrap();
    let ext = &o.0[0].exterior().0;
    assert_eq!(ext.len(), 5);
    for c in ext {
        let d = haversine_m(z.pos, hubplan::geo::LonLat::new(c.x, c.y));
        // Each corner is √2 km from the centre.
        assert!((d - 1414.2).abs() < 10.0, "{c:?} is {d} m from the centre");
    }
}

fn plan_geojson(scenario: &str) -> Value {
    let l = load_scenario(&fixture(scenario)).unwrap();
    let (inputs, scenario, meta) = l.into_inputs().unwrap();
    let plan = hubplan::plan(&inputs, &scenario).unwrap();
    let files = plan_dir_files(&inputs, &scenario, &plan, &meta).unwrap();
    let (_, bytes) = files.iter().find(|(n, _)| *n == "plan.geojson").unwrap();
    // It parses as GeoJSON with the geojson crate, too.
    let text = std::str::from_utf8(bytes).unwrap();
    text.parse::<geojson::GeoJson>().unwrap();
    serde_json::from_str(text).unwrap()
}

#[test]
fn plan_geojson_writes_zone_outlines_and_points_elsewhere() {
    let poly = plan_geojson("fixtures/tiny_polygons/scenario.toml");
    let pts = plan_geojson("fixtures/tiny/scenario.toml");
    let (fp, fq) = (
        poly["features"].as_array().unwrap(),
        pts["features"].as_array().unwrap(),
    );
    assert_eq!(fp.len(), 13);
    assert_eq!(fp.len(), fq.len());
    for (a, b) in fp.iter().zip(fq) {
        // The same plan: identical properties.
        assert_eq!(a["properties"], b["properties"]);
        let ty = a["geometry"]["type"].as_str().unwrap();
        match a["properties"]["layer"].as_str().unwrap() {
            "site" => assert_eq!(ty, "Point"),
            _ => {
                assert_eq!(b["geometry"]["type"], "Point", "tiny's zones are points");
                let want = if a["properties"]["id"] == "Z2" {
                    "MultiPolygon"
                } else {
                    "Polygon"
                };
                assert_eq!(ty, want, "{}", a["properties"]["id"]);
            }
        }
    }
    let z1 = fp.iter().find(|f| f["properties"]["id"] == "Z1").unwrap();
    assert_eq!(
        z1["geometry"]["coordinates"],
        serde_json::json!([[
            [0.4805, 51.23],
            [0.4995, 51.23],
            [0.4995, 51.242],
            [0.4805, 51.242],
            [0.4805, 51.23]
        ]])
    );
    let z3 = fp.iter().find(|f| f["properties"]["id"] == "Z3").unwrap();
    assert_eq!(
        z3["geometry"]["coordinates"].as_array().unwrap().len(),
        2,
        "ring and hole"
    );
    // The plan is tiny's hand-checked optimum: B closed.
    let b = fp.iter().find(|f| f["properties"]["id"] == "B").unwrap();
    assert_eq!(b["properties"]["decision"], "close");
}

#[test]
fn bad_polygons_get_errors_naming_file_feature_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str); 5] = [
        (
            r#"{"type": "Polygon", "coordinates": [[[1.0, 51.0], [1.1, 51.0]]]}"#,
            "outer ring has 3 positions; expected a closed ring of at least 4 positions",
        ),
        (
            r#"{"type": "Polygon", "coordinates": [[[1.0, 51.0], [1.1, 51.0], [1.2, 51.0], [1.0, 51.0]]]}"#,
            "the Polygon has no area",
        ),
        (
            r#"{"type": "Polygon", "coordinates": [[[1.0, 51.0], [1.1, "x"], [1.1, 51.1], [1.0, 51.0]]]}"#,
            "expected numeric coordinates",
        ),
        (
            r#"{"type": "MultiPolygon", "coordinates": []}"#,
            "the MultiPolygon is empty",
        ),
        (
            r#"{"type": "Polygon", "coordinates": [[1.0, 51.0]]}"#,
            "expected coordinates nested as GeoJSON says",
        ),
    ];
    for (k, (geom, want)) in cases.iter().enumerate() {
        let p = dir.path().join(format!("zones{k}.geojson"));
        std::fs::write(
            &p,
            format!(
                "{{\"type\": \"FeatureCollection\", \"features\": [\n{{\"type\": \"Feature\", \"id\": \"Z1\", \"properties\": {{\"need\": 1}}, \"geometry\": {{\"type\": \"Point\", \"coordinates\": [1.0, 51.0]}}}},\n{{\"type\": \"Feature\", \"id\": \"Z2\", \"properties\": {{\"need\": 1}},\n \"geometry\": {geom}}}\n]}}\n"
            ),
        )
        .unwrap();
        let e = read_zones(&p, None).unwrap_err();
        let msg = e.to_string();
        assert_eq!(e.kind(), IoErrorKind::Json, "{msg}");
        assert!(msg.contains(&format!("zones{k}.geojson:3:")), "{msg}");
        assert!(msg.contains("field geometry"), "{msg}");
        assert!(msg.contains("features[1]"), "{msg}");
        assert!(msg.contains(want), "{msg} should say {want:?}");
    }
    // A polygon in a sites file is refused, as before.
    let p = dir.path().join("sites.geojson");
    std::fs::write(
        &p,
        r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "A", "properties": {},
 "geometry": {"type": "Polygon", "coordinates": [[[1.0, 51.0], [1.1, 51.0], [1.1, 51.1], [1.0, 51.0]]]}}]}"#,
    )
    .unwrap();
    let msg = read_sites(&p, None).unwrap_err().to_string();
    assert!(msg.contains("expected a Point geometry, found \"Polygon\""), "{msg}");
}

#[test]
fn an_outline_survives_a_serde_round_trip() {
    let zones = read_zones(&fixture("fixtures/tiny_polygons/zones.geojson"), None)
        .unwrap()
        .zones;
    let text = serde_json::to_string(&zones).unwrap();
    let back: Vec<hubplan::model::Zone> = serde_json::from_str(&text).unwrap();
    // serde_json's default float parsing may differ in the last bit: compare to 1e-12.
    let coords = |z: &hubplan::model::Zone| -> Vec<(usize, usize, f64, f64)> {
        let o = z.outline.as_ref().unwrap();
        o.0.iter()
            .enumerate()
            .flat_map(|(k, p)| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .enumerate()
                    .flat_map(move |(r, ring)| ring.0.iter().map(move |c| (k, r, c.x, c.y)))
            })
            .collect()
    };
    assert_eq!(back.len(), zones.len());
    for (a, b) in back.iter().zip(&zones) {
        let (ca, cb) = (coords(a), coords(b));
        assert_eq!(ca.len(), cb.len(), "{}", a.id);
        for (x, y) in ca.iter().zip(&cb) {
            assert_eq!((x.0, x.1), (y.0, y.1));
            assert!(
                (x.2 - y.2).abs() < 1e-12 && (x.3 - y.3).abs() < 1e-12,
                "{}: {x:?} vs {y:?}",
                a.id
            );
        }
    }
    // A zone without an outline is written without the field, and read back as None.
    let pts = read_zones(&fixture("fixtures/tiny/zones.csv"), None).unwrap().zones;
    let text = serde_json::to_string(&pts[0]).unwrap();
    assert!(!text.contains("outline"), "{text}");
    let back: hubplan::model::Zone = serde_json::from_str(&text).unwrap();
    assert_eq!((&back.id, &back.outline), (&pts[0].id, &None));
}

/// Twice the signed area of a ring (positive when counterclockwise).
fn signed_area2(r: &[Value]) -> f64 {
    let xy = |v: &Value| (v[0].as_f64().unwrap(), v[1].as_f64().unwrap());
    r.windows(2)
        .map(|w| {
            let ((x0, y0), (x1, y1)) = (xy(&w[0]), xy(&w[1]));
            x0 * y1 - x1 * y0
        })
        .sum()
}

/// Outlines wound clockwise (as shapefile-derived files often are) are written
/// back by the RFC 7946 right-hand rule: exterior rings counterclockwise, holes
/// clockwise, whatever the input's winding.
#[test]
fn clockwise_outlines_are_written_by_the_right_hand_rule() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["sites.csv", "travel_times.csv"] {
        std::fs::copy(fixture("fixtures/tiny").join(f), dir.path().join(f)).unwrap();
    }
    let scenario = std::fs::read_to_string(fixture("fixtures/tiny_polygons/scenario.toml")).unwrap();
    let scenario = scenario.replace("../tiny/", "");
    std::fs::write(dir.path().join("scenario.toml"), scenario).unwrap();
    // Every ring of the fixture's zones reversed: exteriors clockwise, holes counterclockwise.
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("fixtures/tiny_polygons/zones.geojson")).unwrap())
            .unwrap();
    let mut reversed = 0;
    for f in doc["features"].as_array_mut().unwrap() {
        let g = &mut f["geometry"];
        let polys: Vec<&mut Value> = match g["type"].as_str().unwrap() {
            "Polygon" => vec![&mut g["coordinates"]],
            "MultiPolygon" => g["coordinates"].as_array_mut().unwrap().iter_mut().collect(),
            _ => vec![],
        };
        for p in polys {
            for r in p.as_array_mut().unwrap() {
                r.as_array_mut().unwrap().reverse();
                reversed += 1;
            }
        }
    }
    assert!(reversed >= 10, "the fixture has {reversed} rings");
    std::fs::write(dir.path().join("zones.geojson"), doc.to_string()).unwrap();
    let out = plan_geojson(dir.path().join("scenario.toml").to_str().unwrap());
    let mut rings = 0;
    for f in out["features"].as_array().unwrap() {
        let g = &f["geometry"];
        let polys: Vec<&Value> = match g["type"].as_str().unwrap() {
            "Polygon" => vec![&g["coordinates"]],
            "MultiPolygon" => g["coordinates"].as_array().unwrap().iter().collect(),
            _ => vec![],
        };
        for p in polys {
            for (k, r) in p.as_array().unwrap().iter().enumerate() {
                let a = signed_area2(r.as_array().unwrap());
                assert!(
                    (k == 0) == (a > 0.0),
                    "{}: ring {k} winds the wrong way ({a})",
                    f["properties"]["id"]
                );
                rings += 1;
            }
        }
    }
    assert_eq!(rings, reversed);
}
