//! Re-plan latency of `hubplan serve` on Kent: p50 and p95 over 50 random
//! single-building toggles (a building the baseline keeps is forced closed, one
//! it closes is forced open), each a `POST /api/whatif` over real HTTP, timed at
//! the client (solve, plan.json, diff, GeoJSON and transfer included).
//!
//! A measurement, not a test: it asserts nothing about time and is ignored by
//! default. Run it with
//! `cargo test -p hubplan-serve --test latency -- --ignored --nocapture --test-threads=1`
//! (the test profile is optimised, opt-level 2); figures go to docs/BENCHMARKS.md.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Instant;

use hubplan_serve::{ServeConfig, Server};
use serde_json::Value;

fn post(addr: SocketAddr, path: &str, body: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&buf[..split])
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    (status, buf[split + 4..].to_vec())
}

fn run(scenario: &str) {
    let out = tempfile::tempdir().unwrap();
    let mut cfg = ServeConfig::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(scenario));
    cfg.port = 0;
    cfg.out = out.path().join("o");
    let t0 = Instant::now();
    let server = Server::start(&cfg).unwrap();
    let start = t0.elapsed();
    let a = server.addr();
    let (_, base) = post(a, "/api/whatif", "{}");
    let base: Value = serde_json::from_slice(&base).unwrap();
    let sites: Vec<(String, String)> = base["plan"]["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["decision"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // A fixed linear congruential sequence: the same 50 toggles on every run.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut ms = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for _ in 0..50 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let (id, dec) = &sites[((x >> 33) as usize) % sites.len()];
        let field = if dec == "keep" || dec == "open" {
            "close"
        } else {
            "keep"
        };
        let body = format!(r#"{{"{field}": ["{id}"]}}"#);
        let t = Instant::now();
        let (st, b) = post(a, "/api/whatif", &body);
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(st, 200, "{body}");
        let v: Value = serde_json::from_slice(&b).unwrap();
        *statuses.entry(v["status"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    // The peer, in the same run: the same toggles through the library alone
    // (hubplan_run::Job::solve, then the plan.json rendering), no HTTP.
    let job = hubplan_run::load(
        &cfg.scenario,
        &hubplan_run::LoadOptions::default(),
        &hubplan_run::silent(),
    )
    .unwrap();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let (mut solve_ms, mut render_ms) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let (id, dec) = &sites[((x >> 33) as usize) % sites.len()];
        let mut o = hubplan_run::Overrides::default();
        if dec == "keep" || dec == "open" {
            o.close.push(id.clone());
        } else {
            o.keep.push(id.clone());
        }
        let t = Instant::now();
        let outcome = job.solve(&o).unwrap();
        solve_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let _ = outcome.files().unwrap();
        render_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let stats = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        let q = |p: f64| s[((p * (s.len() - 1) as f64).round()) as usize];
        format!(
            "p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
            q(0.5),
            q(0.95),
            s[s.len() - 1]
        )
    };
    println!(
        "{scenario}: start (load + baseline) {:.0} ms; 50 toggles over HTTP: {}; statuses {statuses:?}; \
         peer, library only: Job::solve {}, Outcome::files {}",
        start.as_secs_f64() * 1000.0,
        stats(&ms),
        stats(&solve_ms),
        stats(&render_ms)
    );
    server.stop().unwrap();
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn replan_latency_kent_min_cost() {
    run("fixtures/kent/scenario.toml");
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn replan_latency_kent_family_hubs() {
    run("fixtures/kent/scenario_family_hubs.toml");
}
