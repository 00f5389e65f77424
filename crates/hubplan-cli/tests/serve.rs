//! `hubplan serve` against `hubplan plan`: the server is started as the real
//! binary on an ephemeral port, and its answers are compared with the plans
//! the `plan` command writes for the same scenario.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hubplan")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A `hubplan serve` child process, killed when dropped.
struct Serve {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(scenario: &str, out: &Path) -> Serve {
    let mut child = Command::new(bin())
        .current_dir(root())
        .args(["serve", scenario, "--port", "0", "--out"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "hubplan serve: open http://127.0.0.1:PORT/ (…)"
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let addr = url.trim_start_matches("http://").trim_end_matches('/').parse().unwrap();
    Serve { child, addr }
}

fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
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

/// `hubplan plan SCENARIO --out DIR` (run from the workspace root); returns plan.json's bytes.
fn plan(scenario: &Path, out: &Path) -> Vec<u8> {
    let st = Command::new(bin())
        .current_dir(root())
        .arg("plan")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(
        st.code() == Some(0) || st.code() == Some(3),
        "hubplan plan failed: {st}"
    );
    std::fs::read(out.join("plan.json")).unwrap()
}

/// A copy of a Kent scenario with absolute input paths and `[limits] close = [site]`.
fn with_closure(scenario: &str, site: &str, dir: &Path) -> PathBuf {
    let src = root().join(scenario);
    let kent = src.parent().unwrap().canonicalize().unwrap();
    let mut text = std::fs::read_to_string(&src).unwrap();
    for f in ["sites.csv", "zones.csv", "travel_times.csv", "services.csv"] {
        text = text.replace(&format!("\"{f}\""), &format!("\"{}\"", kent.join(f).display()));
    }
    assert!(!text.contains("close = ["), "the scenario already closes sites");
    if text.contains("[limits]\n") {
        text = text.replacen("[limits]\n", &format!("[limits]\nclose = [\"{site}\"]\n"), 1);
    } else {
        text.push_str(&format!("\n[limits]\nclose = [\"{site}\"]\n"));
    }
    let p = dir.join("scenario.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn check(scenario: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let s = serve(scenario, &tmp.path().join("serve-out"));
    // The baseline is byte for byte the plan.json `hubplan plan` writes.
    let cli = plan(Path::new(scenario), &tmp.path().join("cli"));
    let (st, body) = request(s.addr, "GET", "/api/plan", "");
    assert_eq!(st, 200);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        String::from_utf8(cli.clone()).unwrap(),
        "{scenario}: baseline"
    );
    // A forced closure of a building the baseline keeps equals `hubplan plan` with that closure.
    let base: Value = serde_json::from_slice(&cli).unwrap();
    // Not one the scenario itself forces open (closing that would contradict the file).
    let forced: Vec<&Value> = base["scenario"]["keep"]
        .as_array()
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let kept = base["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["decision"] == "keep" && !forced.contains(&&x["id"]))
        .nth(3)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, body) = request(s.addr, "POST", "/api/whatif", &format!(r#"{{"close": ["{kept}"]}}"#));
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
    let w: Value = serde_json::from_slice(&body).unwrap();
    let sc = with_closure(scenario, &kept, tmp.path());
    let want: Value = serde_json::from_slice(&plan(&sc, &tmp.path().join("cli-close"))).unwrap();
    assert_eq!(w["plan"]["status"], want["status"], "{scenario} close {kept}");
    assert_eq!(w["plan"]["objective"], want["objective"], "{scenario} close {kept}");
    assert_eq!(w["plan"]["totals"], want["totals"], "{scenario} close {kept}");
    let decisions = |v: &Value| -> Vec<(String, String)> {
        v["sites"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["id"].as_str().unwrap().to_string(),
                    x["decision"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(decisions(&w["plan"]), decisions(&want), "{scenario} close {kept}");
}

#[test]
fn serve_baseline_and_a_closure_equal_hubplan_plan_on_kent() {
    check("fixtures/kent/scenario.toml");
}

#[test]
fn serve_baseline_and_a_closure_equal_hubplan_plan_on_kent_family_hubs() {
    check("fixtures/kent/scenario_family_hubs.toml");
}

#[test]
fn serve_refuses_a_missing_scenario_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["serve", "no/such/scenario.toml", "--port", "0", "--out"])
        .arg(tmp.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/scenario.toml"));
}
