//! What-ifs that change an access limit on co-location scenarios (session 9
//! acceptance sweep), on the real Leicestershire LSOAs of `fixtures/leicestershire`
//! (every planned service has its own limit in services.csv) and on
//! `fixtures/tiny_services` (children's centres follow the scenario's limit).

mod common;
use common::{request, start};

/// A new `max_minutes` when every planned service has its own limit changed nothing
/// and said nothing (Leicestershire, 500 minutes: the baseline plan again). It is now a
/// 400 naming the services and their limits; the scenario's own limit is still accepted
/// (the page always sends it).
#[test]
fn a_limit_that_applies_to_no_service_is_refused_with_the_services_named() {
    let (server, _out) = start("fixtures/leicestershire/scenario.toml");
    let a = server.addr();
    let (st, v) = request(a, "POST", "/api/whatif", r#"{"max_minutes": 500}"#);
    assert_eq!(st, 400, "{v}");
    assert_eq!(v["field"], "max_minutes");
    let e = v["error"].as_str().unwrap();
    assert!(
        e.contains("every planned service has its own access limit in the services file")
            && e.contains("Midwifery (45 min)")
            && e.contains("expected the scenario's 35 minutes"),
        "{e}"
    );
    let (st, v) = request(a, "POST", "/api/whatif", r#"{"max_minutes": 35}"#);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "optimal");
    assert!(v["diff"]["limits_note"].is_null(), "{v}");
}

/// Where a service follows the scenario's limit, a new limit is applied to it alone and
/// the diff says the limit changed.
#[test]
fn a_limit_that_some_service_follows_is_applied_and_noted() {
    let (server, _out) = start("fixtures/tiny_services/scenario.toml");
    let (st, v) = request(server.addr(), "POST", "/api/whatif", r#"{"max_minutes": 40}"#);
    assert_eq!(st, 200, "{v}");
    let limits: Vec<(String, f64)> = v["plan"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["max_minutes"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(limits.contains(&("children_centre".into(), 40.0)), "{limits:?}");
    assert!(limits.contains(&("youth".into(), 25.0)), "{limits:?}");
    let note = v["diff"]["limits_note"].as_str().unwrap_or_default();
    assert!(note.contains("in the baseline, 40 minutes in this what-if"), "{v}");
}

/// Session 9 sweep, "seen, not changed": `max_minutes` 1e-9 or 500 in a what-if was
/// planned without the `access_limit_out_of_range` warning a scenario file's limit
/// gets at load. The answer's `warnings` and the plan's `warnings` and `notices` now
/// carry it; a limit inside 5–180 minutes, or the scenario's own, adds none.
#[test]
fn a_limit_outside_the_sensible_range_is_warned_about() {
    let (server, _out) = start("fixtures/tiny/scenario.toml");
    let a = server.addr();
    for (body, shown) in [(r#"{"max_minutes": 500}"#, "500"), (r#"{"max_minutes": 1e-9}"#, "1e-9")] {
        let (st, v) = request(a, "POST", "/api/whatif", body);
        assert_eq!(st, 200, "{v}");
        let w = v["warnings"].as_array().unwrap();
        assert_eq!(w.len(), 1, "{v}");
        let w = w[0].as_str().unwrap();
        assert!(
            w.contains("access_limit_out_of_range")
                && w.contains("max_minutes")
                && w.contains(&format!("the access limit is {shown} minutes, outside 5-180")),
            "{w}"
        );
        let plan_warnings = v["plan"]["warnings"].as_array().unwrap();
        assert!(plan_warnings.iter().any(|x| x == w), "{plan_warnings:?}");
        let notices = v["plan"]["notices"].as_array().unwrap();
        assert!(
            notices
                .iter()
                .any(|n| n["code"] == "access_limit_out_of_range" && n["field"] == "max_minutes"),
            "{notices:?}"
        );
    }
    for body in [r#"{"max_minutes": 40}"#, r#"{}"#] {
        let (st, v) = request(a, "POST", "/api/whatif", body);
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["warnings"].as_array().unwrap().len(), 0, "{v}");
        assert!(
            !v["plan"]["notices"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["code"] == "access_limit_out_of_range"),
            "{v}"
        );
    }
}
