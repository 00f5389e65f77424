//! Zone polygons and the capital budget over real HTTP: `/api/zones` returns a
//! zone's outline where the zones file gives one (fixtures/tiny_polygons), and
//! a co-location scenario's one-off budget is a what-if field
//! (fixtures/tiny_services).

use serde_json::Value;

mod common;
use common::{fixture, request, start};

#[test]
fn zones_come_back_as_their_polygons_with_their_point() {
    let (server, _out) = start("fixtures/tiny_polygons/scenario.toml");
    let a = server.addr();
    let (st, info) = request(a, "GET", "/api/info", "");
    assert_eq!(st, 200);
    assert_eq!(info["has_outlines"], true);
    let (st, v) = request(a, "GET", "/api/zones", "");
    assert_eq!(st, 200);
    let fs = v["features"].as_array().unwrap();
    assert_eq!(fs.len(), 8);
    let zones = hubplan_io::read_zones(&fixture("fixtures/tiny_polygons/zones.geojson"), None)
        .unwrap()
        .zones;
    for (f, z) in fs.iter().zip(&zones) {
        assert_eq!(f["properties"]["id"], z.id.as_str());
        let want = if z.id == "Z2" { "MultiPolygon" } else { "Polygon" };
        assert_eq!(f["geometry"]["type"], want, "{}", z.id);
        // The zone's own point, where its journeys start.
        // (JSON floats read back to within the last bit.)
        assert!((f["properties"]["lon"].as_f64().unwrap() - z.pos.lon).abs() < 1e-12);
        assert!((f["properties"]["lat"].as_f64().unwrap() - z.pos.lat).abs() < 1e-12);
        // The outline as read: the geojson crate gives the same polygon back.
        let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
        let mp: geo::MultiPolygon<f64> = match g.value {
            geojson::Value::Polygon(_) => geo::MultiPolygon::new(vec![g.value.try_into().unwrap()]),
            _ => g.value.try_into().unwrap(),
        };
        let flat = |m: &geo::MultiPolygon<f64>| -> Vec<f64> {
            m.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|r| r.0.iter().flat_map(|c| [c.x, c.y]))
                .collect()
        };
        let (got, want) = (flat(&mp), flat(z.outline.as_ref().unwrap()));
        assert_eq!(got.len(), want.len(), "{}", z.id);
        assert!(got.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-12), "{}", z.id);
    }
    // A what-if keeps the outlines; the minutes are those of the plan (tiny: Z4 is 35 min from C).
    let (st, v) = request(a, "POST", "/api/whatif", r#"{"close": ["C"]}"#);
    assert_eq!(st, 200);
    let z4 = v["zones"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "Z4")
        .unwrap()
        .clone();
    assert_eq!(z4["geometry"]["type"], "Polygon");
    let (_, base) = request(a, "GET", "/api/zones", "");
    let z4b = base["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "Z4")
        .unwrap()
        .clone();
    assert_eq!(z4b["properties"]["minutes"], 35.0);
    server.stop().unwrap();
}

#[test]
fn a_point_scenario_still_gives_points() {
    let (server, _out) = start("fixtures/tiny/scenario.toml");
    let (st, v) = request(server.addr(), "GET", "/api/zones", "");
    assert_eq!(st, 200);
    assert!(v["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["geometry"]["type"] == "Point"));
    let (_, info) = request(server.addr(), "GET", "/api/info", "");
    assert_eq!(info["has_outlines"], false);
    assert_eq!(info["capital_budget"], Value::Null);
    // The one-off budget belongs to co-location scenarios: a 400 naming the field.
    let (st, e) = request(server.addr(), "POST", "/api/whatif", r#"{"capital_budget": 1000}"#);
    assert_eq!(st, 400, "{e}");
    assert_eq!(e["field"], "capital_budget");
    server.stop().unwrap();
}

#[test]
fn the_capital_budget_is_a_whatif_field() {
    let (server, _out) = start("fixtures/tiny_services/scenario.toml");
    let a = server.addr();
    let (_, info) = request(a, "GET", "/api/info", "");
    assert_eq!(info["capital_budget"], 5000.0);
    // Bad values are 400s naming the field.
    for body in [r#"{"capital_budget": -1}"#, r#"{"capital_budget": "lots"}"#] {
        let (st, e) = request(a, "POST", "/api/whatif", body);
        assert_eq!(st, 400, "{body}: {e}");
        assert_eq!(e["field"], "capital_budget", "{body}");
    }
    // The baseline spends £1,500 one-off (README): a budget of £1,000 changes the answer.
    let (st, v) = request(a, "POST", "/api/whatif", r#"{"capital_budget": 1000}"#);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["request"]["capital_budget"], 1000.0);
    match v["status"].as_str().unwrap() {
        "optimal" | "feasible" => {
            let t = &v["plan"]["totals"];
            assert!(t["capital_cost"].as_f64().unwrap() <= 1000.0 + 1e-6, "{t}");
            assert!(v["plan"]["objective"].as_f64().unwrap() >= 17_500.0 - 1e-6);
        }
        _ => {
            let why = v["infeasibility"].to_string();
            assert!(why.contains("capital budget"), "{why}");
        }
    }
    // A budget above the spend leaves the baseline plan as it is.
    let (st, v) = request(a, "POST", "/api/whatif", r#"{"capital_budget": 50000}"#);
    assert_eq!(st, 200);
    assert_eq!(v["plan"]["objective"], 17_500.0);
    // The export writes it into the scenario TOML.
    let (st, v) = request(a, "POST", "/api/export", r#"{"capital_budget": 50000}"#);
    assert_eq!(st, 200, "{v}");
    let toml = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "scenario.toml")
        .unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(toml.contains("capital_budget = 50000"), "{toml}");
    server.stop().unwrap();
}
