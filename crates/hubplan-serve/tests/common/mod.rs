//! Helpers shared by the server's HTTP tests (`mod common;` in each): a
//! server started on a fixture, and one request to it.

// Each test file is its own crate and may use only some of these.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};

use hubplan_serve::{ServeConfig, Server};
use serde_json::Value;

/// A path under the workspace root (fixtures/…).
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

/// One HTTP/1.1 request with `Connection: close`; returns (status, body as JSON).
pub fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_slice(&buf[split + 4..]).unwrap_or(Value::Null))
}

/// A server on an ephemeral port for the scenario at `scenario` (under the
/// workspace root), writing under a temporary directory (kept while the
/// returned guard lives).
pub fn start(scenario: &str) -> (Server, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let mut cfg = ServeConfig::new(fixture(scenario));
    cfg.port = 0;
    cfg.out = out.path().join("serve-out");
    (Server::start(&cfg).unwrap(), out)
}
