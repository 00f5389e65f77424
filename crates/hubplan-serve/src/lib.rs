//! # hubplan-serve
//!
//! `hubplan serve`: the consultation workbench. A local web server over the
//! hubplan library that loads one scenario once and re-plans what-ifs on it
//! (force a building open or closed, change the access limit, the budget, the
//! savings target or the objective), with the difference against the
//! baseline, the explanation of every decision and an export of the what-if.
//!
//! | module | what |
//! |---|---|
//! | [`engine`] | the adapter to the library: load, apply a what-if, plan, diff, GeoJSON, export files |
//! | [`api`] | the routes, request validation and responses |
//! | `assets` | the page (HTML, JS, CSS), embedded with `include_str!` |
//!
//! The server binds 127.0.0.1 unless told otherwise, serves only its embedded
//! assets and the JSON API (docs/SERVE.md), writes only under its output
//! folder, and runs every solve on tokio's blocking pool with a bounded number
//! at once.
#![deny(missing_docs)]
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
mod assets;
pub mod engine;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use tokio::sync::{oneshot, Semaphore};

use crate::api::AppState;
use crate::engine::{Engine, LoadOptions, WhatIf};

/// How to start a server.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Address to bind (127.0.0.1 by default).
    pub bind: IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// The only folder the server writes into (exports of what-ifs).
    pub out: PathBuf,
    /// Caps every solve's time limit (otherwise the scenario's `[solver] time_limit_s`).
    pub time_limit: Option<Duration>,
    /// Solves run at once; more requests wait their turn (default: the number of cores).
    pub max_solves: usize,
}

impl ServeConfig {
    /// Defaults: 127.0.0.1:8080, output in `hubplan-serve-out`.
    pub fn new(scenario: impl Into<PathBuf>) -> Self {
        ServeConfig {
            scenario: scenario.into(),
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            out: PathBuf::from("hubplan-serve-out"),
            time_limit: None,
            max_solves: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// A running server. Dropping it (or calling [`Server::stop`]) shuts it down.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

/// Loads the scenario, plans the baseline and returns the shared state.
pub fn load_state(cfg: &ServeConfig) -> Result<Arc<AppState>, String> {
    let out = cfg.out.clone();
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create the output folder {}: {e}", out.display()))?;
    let engine = Engine::load(
        &cfg.scenario,
        &LoadOptions {
            time_limit: cfg.time_limit,
        },
    )?;
    let baseline = engine
        .solve(&WhatIf::default())
        .map_err(|e| format!("the baseline plan failed: {e}"))?;
    let json = baseline.plan_json_bytes.clone();
    Ok(Arc::new(AppState {
        engine,
        baseline,
        baseline_json: Bytes::from(json),
        solves: Arc::new(Semaphore::new(cfg.max_solves.max(1))),
        out,
    }))
}

impl Server {
    /// Loads the scenario, plans the baseline, binds and starts serving on a
    /// background thread. Returns once the socket is bound.
    pub fn start(cfg: &ServeConfig) -> Result<Server, String> {
        let state = load_state(cfg)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .worker_threads(2)
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        let addr = SocketAddr::new(cfg.bind, cfg.port);
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(addr))
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = api::router(state);
        let thread = std::thread::spawn(move || {
            rt.block_on(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = rx.await;
                    })
                    .await
                    .map_err(|e| format!("the server stopped: {e}"))
            })
        });
        Ok(Server {
            addr,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Serves until the server stops by itself (an error) — for the command line,
    /// which ends it with Ctrl-C.
    pub fn wait(mut self) -> Result<(), String> {
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| "the server thread panicked".to_string())?,
            None => Ok(()),
        }
    }

    /// Stops serving and waits for open requests to finish.
    pub fn stop(mut self) -> Result<(), String> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), String> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| "the server thread panicked".to_string())?,
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}
