//! The JSON API against a server on an ephemeral port, over real HTTP.
//!
//! Expected plans come from the library directly (`hubplan_io::load_scenario`
//! and `hubplan::plan`), independently of the server's adapter; the comparison
//! with the `hubplan plan` binary itself is in crates/hubplan-cli/tests/serve.rs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hubplan_serve::{ServeConfig, Server};
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

/// One HTTP/1.1 request with `Connection: close`; returns (status, content type, body).
fn request(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // A body over the limit may be refused before it is all read: ignore a reset here.
    let _ = s.write_all(body);
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let ctype = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default();
    assert!(
        !head.to_ascii_lowercase().contains("transfer-encoding: chunked"),
        "this helper reads fixed-length bodies only"
    );
    (status, ctype, buf[split + 4..].to_vec())
}

fn post_json(addr: SocketAddr, path: &str, body: &str) -> (u16, Value) {
    let (st, _, b) = request(addr, "POST", path, body.as_bytes());
    (st, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

fn get_json(addr: SocketAddr, path: &str) -> (u16, Value) {
    let (st, _, b) = request(addr, "GET", path, b"");
    (st, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

struct Kent {
    server: Server,
    out: tempfile::TempDir,
}

/// One Kent server for the whole file (loading and the baseline take a moment).
fn kent() -> &'static Kent {
    static K: OnceLock<Kent> = OnceLock::new();
    K.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        let mut cfg = ServeConfig::new(fixture("fixtures/kent/scenario.toml"));
        cfg.port = 0;
        cfg.out = out.path().join("serve-out");
        let server = Server::start(&cfg).unwrap();
        Kent { server, out }
    })
}

/// The library's own plan of Kent with `close` forced closed: objective and open count.
/// The number of data rows of a bundled fixture CSV (the header excluded).
fn rows(path: &str) -> usize {
    std::fs::read_to_string(fixture(path))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
        - 1
}

fn library_plan(close: &[&str]) -> (f64, usize) {
    let (_, obj, open) = library_plan_status(close);
    (obj, open)
}

/// As [`library_plan`], with the status name.
fn library_plan_status(close: &[&str]) -> (&'static str, f64, usize) {
    let loaded = hubplan_io::load_scenario(&fixture("fixtures/kent/scenario.toml")).unwrap();
    let (inputs, mut sc, _) = loaded.into_inputs().unwrap();
    for id in close {
        sc.close.push(inputs.site_by_id(id).unwrap());
    }
    let p = hubplan::plan(&inputs, &sc).unwrap();
    // plan.json writes a min_cost objective in pence.
    (
        p.status.name(),
        (p.objective * 100.0).round() / 100.0,
        p.totals.sites_after,
    )
}

#[test]
fn page_and_assets_are_served_from_the_binary() {
    let a = kent().server.addr();
    let (st, ct, body) = request(a, "GET", "/", b"");
    assert_eq!(st, 200);
    assert!(ct.starts_with("text/html"));
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("app.js") && html.contains("app.css"));
    for (p, ct_want) in [("/app.js", "text/javascript"), ("/app.css", "text/css")] {
        let (st, ct, body) = request(a, "GET", p, b"");
        assert_eq!(st, 200, "{p}");
        assert!(ct.starts_with(ct_want), "{p}: {ct}");
        assert!(!body.is_empty());
    }
    // Nothing on disk is reachable: not the fixtures, not the output folder, not /etc.
    for p in [
        "/../Cargo.toml",
        "/fixtures/kent/scenario.toml",
        "/etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/exports/",
        "/api/../../Cargo.toml",
        "/.scratch/",
    ] {
        let (st, _, body) = request(a, "GET", p, b"");
        assert_eq!(st, 404, "{p} must not be served");
        assert!(!String::from_utf8_lossy(&body).contains("[package]"));
    }
}

#[test]
fn info_names_the_model_and_settings() {
    let (st, v) = get_json(kent().server.addr(), "/api/info");
    assert_eq!(st, 200);
    assert_eq!(v["model"], "single");
    assert_eq!(v["objective"], "min_cost");
    assert_eq!(v["max_minutes"], 35.0);
    assert_eq!(v["sites"], rows("fixtures/kent/sites.csv"));
    assert_eq!(v["zones"], rows("fixtures/kent/zones.csv"));
    assert_eq!(v["baseline_status"], "optimal");
}

#[test]
fn baseline_plan_is_the_library_plan() {
    let (st, v) = get_json(kent().server.addr(), "/api/plan");
    assert_eq!(st, 200);
    let (obj, open) = library_plan(&[]);
    assert_eq!(v["status"], "optimal");
    assert_eq!(v["objective"].as_f64().unwrap(), obj);
    assert_eq!(v["totals"]["sites_after"].as_u64().unwrap() as usize, open);
    assert_eq!(v["sites"].as_array().unwrap().len(), rows("fixtures/kent/sites.csv"));
}

#[test]
fn a_forced_closure_replans_to_the_library_optimum_with_a_diff() {
    let a = kent().server.addr();
    let (_, base) = get_json(a, "/api/plan");
    // A site the baseline keeps whose closure still leaves a plan (under the
    // beyond-limit rule many kept sites cannot close at all).
    let kept = base["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["decision"] == "keep")
        .map(|s| s["id"].as_str().unwrap().to_string())
        .find(|id| library_plan_status(&[id.as_str()]).0 == "optimal")
        .expect("some kept site can close");
    let (st, v) = post_json(a, "/api/whatif", &format!(r#"{{"close": ["{kept}"]}}"#));
    assert_eq!(st, 200, "{v}");
    // The answer is one line: the plan inside it is not pretty-printed (on a regional
    // scenario the indentation was 40% of a 23.6 MB answer).
    let (_, _, raw) = request(
        a,
        "POST",
        "/api/whatif",
        format!(r#"{{"close": ["{kept}"]}}"#).as_bytes(),
    );
    let raw = String::from_utf8(raw).unwrap();
    assert!(!raw.contains('\n'), "{}", &raw[..raw.len().min(300)]);
    let (obj, open) = library_plan(&[&kept]);
    assert_eq!(v["status"], "optimal");
    assert_eq!(v["gap"].as_f64().unwrap(), v["plan"]["gap"].as_f64().unwrap());
    assert_eq!(v["plan"]["objective"].as_f64().unwrap(), obj);
    assert_eq!(v["plan"]["totals"]["sites_after"].as_u64().unwrap() as usize, open);
    assert_eq!(v["plan"]["scenario"]["close"], serde_json::json!([kept]));
    assert_eq!(v["request"]["close"], serde_json::json!([kept]));
    assert!(v["diff"]["limits_note"].is_null(), "{}", v["diff"]["limits_note"]);
    // The diff names the closed site, baseline keep → what-if close, and the cost change.
    let diff_sites = v["diff"]["sites"].as_array().unwrap();
    let me = diff_sites.iter().find(|s| s["id"] == kept.as_str()).unwrap();
    assert_eq!(me["baseline"], "keep");
    assert_eq!(me["whatif"], "close");
    let base_obj = base["objective"].as_f64().unwrap();
    assert!(
        obj >= base_obj,
        "forcing a closure cannot make the least-cost plan cheaper"
    );
    let change = v["diff"]["totals"]["annual_cost_after"]["change"].as_f64().unwrap();
    let want = v["plan"]["totals"]["annual_cost_after"].as_f64().unwrap()
        - base["totals"]["annual_cost_after"].as_f64().unwrap();
    assert!((change - want).abs() < 0.01, "{change} vs {want}");
    // GeoJSON of the what-if's state.
    let site = v["sites"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == kept.as_str())
        .unwrap();
    assert_eq!(site["properties"]["decision"], "close");
    assert_eq!(site["properties"]["forced"], "close");
    assert_eq!(
        v["zones"]["features"].as_array().unwrap().len(),
        rows("fixtures/kent/zones.csv")
    );
}

#[test]
fn a_bigger_limit_and_budget_and_objective_are_applied() {
    let a = kent().server.addr();
    let (st, v) = post_json(a, "/api/whatif", r#"{"max_minutes": 45}"#);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["plan"]["scenario"]["max_minutes"], 45.0);
    // Session 9 sweep: the zones gaining access are counted against each plan's own
    // limit; the diff says so when the limit changes.
    assert_eq!(
        v["diff"]["limits_note"],
        "The access limit differs (35 minutes in the baseline, 45 minutes in this what-if): zones gain or lose \
         access against each plan's own limit, so these figures mix the change of plan with the change of limit."
    );
    let (_, base) = get_json(a, "/api/plan");
    assert!(v["plan"]["objective"].as_f64().unwrap() <= base["objective"].as_f64().unwrap());
    let (st, v) = post_json(a, "/api/whatif", r#"{"objective": "max_coverage", "budget": 1000000}"#);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["plan"]["objective_kind"], "max_coverage");
    assert!(v["plan"]["totals"]["annual_cost_after"].as_f64().unwrap() <= 1_000_000.0 + 0.01);
}

#[test]
fn an_infeasible_whatif_comes_with_its_explanation() {
    let (st, v) = post_json(kent().server.addr(), "/api/whatif", r#"{"budget": 1000}"#);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "infeasible");
    let why = v["infeasibility"].as_array().unwrap();
    assert!(!why.is_empty());
    assert!(why[0].as_str().unwrap().contains("budget"), "{why:?}");
    assert!(v["diff"]["sites"].as_array().unwrap().is_empty());
}

#[test]
fn geojson_endpoints_give_the_baseline_or_a_whatif() {
    let a = kent().server.addr();
    let (st, ct, body) = request(a, "GET", "/api/sites", b"");
    assert_eq!(st, 200);
    assert_eq!(ct, "application/geo+json");
    let fc: geojson::FeatureCollection = String::from_utf8(body)
        .unwrap()
        .parse::<geojson::GeoJson>()
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(fc.features.len(), rows("fixtures/kent/sites.csv"));
    let (st, v) = get_json(a, "/api/zones");
    assert_eq!(st, 200);
    let f0 = &v["features"][0];
    assert_eq!(f0["geometry"]["type"], "Point");
    assert!(f0["properties"]["minutes"].is_number() || f0["properties"]["minutes"].is_null());
    assert!(f0["properties"]["access"].is_array());
    let (st, v) = get_json(a, "/api/sites?close=KCC-CC-001");
    assert_eq!(st, 200);
    let f = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "KCC-CC-001")
        .unwrap();
    assert_eq!(f["properties"]["decision"], "close");
    let (st, v) = get_json(a, "/api/zones?max_minutes=0");
    assert_eq!(st, 400);
    assert_eq!(v["field"], "max_minutes");
}

#[test]
fn bad_requests_are_400_naming_the_field_and_the_server_keeps_serving() {
    let a = kent().server.addr();
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "unknown site",
            br#"{"close": ["KCC-CC-0001"]}"#.to_vec(),
            "close[0]",
            "did you mean \"KCC-CC-001\"",
        ),
        (
            "unknown keep",
            br#"{"keep": ["NOPE"]}"#.to_vec(),
            "keep[0]",
            "unknown site id",
        ),
        (
            "not a string id",
            br#"{"keep": [3]}"#.to_vec(),
            "keep[0]",
            "expected a site id",
        ),
        (
            "keep not an array",
            br#"{"keep": "KCC-CC-001"}"#.to_vec(),
            "keep",
            "expected an array",
        ),
        (
            "both",
            br#"{"keep": ["KCC-CC-001"], "close": ["KCC-CC-001"]}"#.to_vec(),
            "close",
            "both keep and close",
        ),
        ("negative budget", br#"{"budget": -5}"#.to_vec(), "budget", "≥ 0"),
        (
            "budget string",
            br#"{"budget": "lots"}"#.to_vec(),
            "budget",
            "found the string",
        ),
        (
            "zero minutes",
            br#"{"max_minutes": 0}"#.to_vec(),
            "max_minutes",
            "above 0",
        ),
        (
            "10,000 minutes",
            br#"{"max_minutes": 10000}"#.to_vec(),
            "max_minutes",
            "at most 1440",
        ),
        (
            "objective",
            br#"{"objective": "min_costs"}"#.to_vec(),
            "objective",
            "did you mean \"min_cost\"",
        ),
        (
            "unknown field",
            br#"{"budgte": 5}"#.to_vec(),
            "budgte",
            "did you mean \"budget\"",
        ),
        (
            "savings target on one service",
            br#"{"savings_target": 5}"#.to_vec(),
            "savings_target",
            "co-location",
        ),
        ("malformed", b"{\"close\": [".to_vec(), "body", "malformed JSON"),
        ("not an object", br#"[1, 2]"#.to_vec(), "body", "expected a JSON object"),
        (
            "max coverage without budget",
            br#"{"objective": "max_coverage"}"#.to_vec(),
            "whatif",
            "needs limits.budget",
        ),
        ("too big", vec![b' '; 200 * 1024], "body", "over the limit"),
    ];
    for (what, body, field, msg) in cases {
        let (st, ct, b) = request(a, "POST", "/api/whatif", &body);
        assert_eq!(st, 400, "{what}: {}", String::from_utf8_lossy(&b));
        assert!(ct.starts_with("application/json"), "{what}");
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["field"], field, "{what}: {v}");
        assert!(v["error"].as_str().unwrap().contains(msg), "{what}: {v}");
        // Still serving.
        let (st, _) = get_json(a, "/api/info");
        assert_eq!(st, 200, "after {what}");
    }
    // Wrong method, unknown route.
    assert_eq!(request(a, "GET", "/api/whatif", b"").0, 405);
    assert_eq!(request(a, "GET", "/api/nothing", b"").0, 404);
    // An empty body is the baseline.
    let (st, v) = post_json(a, "/api/whatif", "");
    assert_eq!(st, 200);
    assert!(v["diff"]["sites"].as_array().unwrap().is_empty());
}

#[test]
fn twenty_concurrent_whatifs_each_get_their_own_answer() {
    let a = kent().server.addr();
    let (_, base) = get_json(a, "/api/plan");
    let kept: Vec<String> = base["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["decision"] == "keep")
        .take(20)
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kept.len(), 20);
    let answers: Vec<(String, u16, Value)> = std::thread::scope(|sc| {
        let hs: Vec<_> = kept
            .iter()
            .map(|id| {
                sc.spawn(move || {
                    let (st, v) = post_json(a, "/api/whatif", &format!(r#"{{"close": ["{id}"]}}"#));
                    (id.clone(), st, v)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (id, st, v) in answers {
        assert_eq!(st, 200, "{id}: {v}");
        assert_eq!(
            v["plan"]["scenario"]["close"],
            serde_json::json!([id]),
            "{id} got someone else's what-if"
        );
        let (status, obj, open) = library_plan_status(&[&id]);
        assert_eq!(v["plan"]["status"], status, "{id}");
        if obj.is_finite() {
            assert_eq!(v["plan"]["objective"].as_f64().unwrap(), obj, "{id}");
            assert_eq!(
                v["plan"]["totals"]["sites_after"].as_u64().unwrap() as usize,
                open,
                "{id}"
            );
        } else {
            assert!(v["plan"]["objective"].is_null(), "{id}");
            assert!(
                !v["infeasibility"].as_array().unwrap().is_empty(),
                "{id}: no explanation"
            );
        }
    }
    // No request changed the baseline.
    let (_, again) = get_json(a, "/api/plan");
    assert_eq!(again, base);
}

#[test]
fn export_writes_the_scenario_and_plan_under_out_only() {
    let k = kent();
    let a = k.server.addr();
    let (st, v) = post_json(a, "/api/export", r#"{"close": ["KCC-CC-001"], "max_minutes": 40}"#);
    assert_eq!(st, 200, "{v}");
    let name = v["name"].as_str().unwrap();
    assert!(name.starts_with("whatif-"));
    let dir = k.out.path().join("serve-out").join("exports").join(name);
    for f in [
        "scenario.toml",
        "plan.json",
        "sites.csv",
        "zones.csv",
        "plan.geojson",
        "appendix.html",
        "appendix.md",
        "map.svg",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing in {}", dir.display());
        let listed = v["files"].as_array().unwrap().iter().find(|x| x["name"] == f).unwrap();
        assert_eq!(
            listed["content"].as_str().unwrap().as_bytes(),
            std::fs::read(dir.join(f)).unwrap(),
            "{f} downloadable as written"
        );
    }
    // Binary files (the PDF and Word appendices) arrive as base64, byte for byte.
    for f in ["appendix.pdf", "appendix.docx"] {
        let listed = v["files"].as_array().unwrap().iter().find(|x| x["name"] == f).unwrap();
        assert!(listed.get("content").is_none(), "{f} must not be sent as text");
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(listed["content_base64"].as_str().unwrap())
            .unwrap();
        assert_eq!(
            bytes,
            std::fs::read(dir.join(f)).unwrap(),
            "{f} downloadable as written"
        );
    }
    // The exported scenario re-plans, through the library, to the same objective.
    let loaded = hubplan_io::load_scenario(&dir.join("scenario.toml")).unwrap();
    let (inputs, sc, _) = loaded.into_inputs().unwrap();
    assert_eq!(sc.max_minutes, Some(40.0));
    assert_eq!(sc.close, vec![inputs.site_by_id("KCC-CC-001").unwrap()]);
    let p = hubplan::plan(&inputs, &sc).unwrap();
    let exported: Value = serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap();
    assert_eq!(
        exported["objective"].as_f64().unwrap(),
        (p.objective * 100.0).round() / 100.0
    );
    // Nothing else was written beside the output folder.
    let top: Vec<String> = std::fs::read_dir(k.out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(top, vec!["serve-out".to_string()]);
}

/// Session 9 sweep: on a co-location scenario whose services all have their own limit
/// (services.csv), a what-if `max_minutes` changes no service's limit; the page drew the
/// map of a service whose own limit equals the scenario's default (35) against the
/// what-if's limit (500) instead. The plan's `services[].max_minutes` are the limits
/// used, and the page's `limitFor` reads them (checked with node when it is installed).
#[test]
fn the_page_draws_each_service_against_the_limit_the_plan_used() {
    let plan = serde_json::json!({
        "scenario": {"max_minutes": 500.0},
        "services": [{"id": "children_centre", "max_minutes": 35.0}, {"id": "midwifery", "max_minutes": 45.0}]
    });
    let js = std::fs::read_to_string(fixture("crates/hubplan-serve/assets/app.js")).unwrap();
    let start = js.find("function limitFor(result) {").expect("limitFor in app.js");
    let end = start + js[start..].find("\n}\n").unwrap() + 2;
    let script = format!(
        "const S = {{ info: {{ max_minutes: 35, services: [\
           {{ id: 'children_centre', max_minutes: 35, own_limit: true }},\
           {{ id: 'midwifery', max_minutes: 45, own_limit: true }},\
           {{ id: 'youth', max_minutes: 35, own_limit: false }}] }}, service: 0 }};\n{}\n\
         const r = {{ plan: {plan} }};\n\
         const out = [0, 1, 2].map((i) => {{ S.service = i; return limitFor(r); }});\n\
         console.log(JSON.stringify(out));",
        &js[start..end]
    );
    match std::process::Command::new("node").arg("-e").arg(&script).output() {
        Ok(o) if o.status.success() => {
            // youth is not in this plan's services: it follows the what-if's limit.
            assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[35,45,500]");
        }
        Ok(o) => panic!("node: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => eprintln!("node is not installed: limitFor not run"),
    }
}
