//! The what-if's `diff.utilisation` (issue 21) over real HTTP: the fullest
//! buildings after the baseline and the what-if, checked against the `capacity`
//! block of both plans' plan.json and by hand against the fixtures' READMEs.
//!
//! - fixtures/tiny_services_capacity (co-location, capacity for children's
//!   centres only): the baseline keeps A, B, C and closes D; A 110 of 200 (55%),
//!   B 150 of 150 (100%), D 0 of 100. Keeping D sends Z3 (40 under-fives) to D
//!   at 4 minutes: A 100 (50%), B 120 (80%), D 40 (40%).
//! - fixtures/capacity_two (one service): A 100 of 100, B 50 of 100 in both the
//!   baseline and a what-if with a longer limit; closing B leaves no plan, and
//!   the list is empty.

use serde_json::Value;

mod common;
use common::{request, start};

/// `(max_users, users_after)` of site `id` in a plan.json's capacity block
/// (for `service` in a co-location plan).
fn from_plan(plan: &Value, service: Option<&str>, id: &str) -> (f64, f64) {
    let cap = &plan["capacity"];
    let sites = match service {
        None => cap["sites"].as_array().unwrap(),
        Some(s) => cap["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["service"] == s)
            .unwrap()["sites"]
            .as_array()
            .unwrap(),
    };
    let x = sites.iter().find(|x| x["id"] == id).unwrap();
    (x["max_users"].as_f64().unwrap(), x["users_after"].as_f64().unwrap())
}

/// Every entry of `diff.utilisation` agrees with the two plan.json documents.
fn agrees_with_plans(base: &Value, whatif: &Value, util: &[Value]) {
    for u in util {
        let (svc, id) = (u["service"].as_str(), u["id"].as_str().unwrap());
        for (plan, users, share) in [
            (base, "users_baseline", "utilisation_baseline"),
            (whatif, "users_whatif", "utilisation_whatif"),
        ] {
            let (q, after) = from_plan(plan, svc, id);
            assert_eq!(u["max_users"].as_f64().unwrap(), q, "{u}");
            assert_eq!(u[users].as_f64().unwrap(), after, "{u}");
            assert!((u[share].as_f64().unwrap() - after / q).abs() < 1e-4, "{u}");
        }
    }
}

#[test]
fn a_colocation_whatif_lists_the_fullest_buildings_per_service() {
    let (server, _out) = start("fixtures/tiny_services_capacity/scenario.toml");
    let a = server.addr();
    let (st, base) = request(a, "GET", "/api/plan", "");
    assert_eq!(st, 200, "{base}");
    let (st, v) = request(a, "POST", "/api/whatif", r#"{"keep": ["D"]}"#);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "optimal", "{v}");
    let util = v["diff"]["utilisation"].as_array().unwrap();
    agrees_with_plans(&base, &v["plan"], util);
    // By hand (the fixture's README): only children's centres have a capacity.
    let got: Vec<_> = util
        .iter()
        .map(|u| {
            (
                u["service"].as_str().unwrap(),
                u["service_name"].as_str().unwrap(),
                u["id"].as_str().unwrap(),
                u["users_today"].as_f64().unwrap(),
                u["utilisation_baseline"].as_f64().unwrap(),
                u["utilisation_whatif"].as_f64().unwrap(),
            )
        })
        .collect();
    let cc = ("children_centre", "children's centre");
    assert_eq!(
        got,
        vec![
            (cc.0, cc.1, "B", 110.0, 1.0, 0.8),
            (cc.0, cc.1, "A", 100.0, 0.55, 0.5),
            (cc.0, cc.1, "D", 45.0, 0.0, 0.4),
        ]
    );
}

#[test]
fn a_single_service_whatif_lists_the_fullest_buildings_and_none_without_a_plan() {
    let (server, _out) = start("fixtures/capacity_two/scenario.toml");
    let a = server.addr();
    let (_, base) = request(a, "GET", "/api/plan", "");
    let (st, v) = request(a, "POST", "/api/whatif", r#"{"max_minutes": 40}"#);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "optimal", "{v}");
    let util = v["diff"]["utilisation"].as_array().unwrap();
    agrees_with_plans(&base, &v["plan"], util);
    // C has no max_users and is not listed; A is full in both plans (README).
    let ids: Vec<&str> = util.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["A", "B"]);
    assert!(util.iter().all(|u| u["service"].is_null()));
    assert_eq!(util[0]["utilisation_baseline"].as_f64(), Some(1.0));
    assert_eq!(util[0]["utilisation_whatif"].as_f64(), Some(1.0));
    assert_eq!(util[0]["users_today"].as_f64(), Some(90.0));
    assert_eq!(util[1]["utilisation_baseline"].as_f64(), Some(0.5));
    // Closing B leaves 150 users for A's 100 places: no plan, nothing to compare.
    let (st, v) = request(a, "POST", "/api/whatif", r#"{"close": ["B"]}"#);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "infeasible", "{v}");
    assert_eq!(v["diff"]["utilisation"], serde_json::json!([]));
}
