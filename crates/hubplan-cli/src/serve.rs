//! `hubplan serve`: the consultation workbench (crates/hubplan-serve).

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, Result};

/// Arguments of `hubplan serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Address to listen on (only this machine by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The only folder the server writes into (exports of what-ifs).
    #[arg(long, default_value = "hubplan-serve-out")]
    pub out: PathBuf,
    /// Caps each solve's time limit, in seconds (default: the scenario's [solver] time_limit_s).
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
}

/// `hubplan serve`.
pub fn run(a: &ServeArgs) -> Result<ExitCode> {
    let mut cfg = hubplan_serve::ServeConfig::new(&a.scenario);
    cfg.bind = a.bind;
    cfg.port = a.port;
    cfg.out = a.out.clone();
    if let Some(t) = a.time_limit {
        if !(t.is_finite() && t > 0.0) {
            return Err(anyhow!("--time-limit: expected seconds > 0, found {t}"));
        }
        cfg.time_limit = Some(Duration::from_secs_f64(t));
    }
    eprintln!("loading {} and planning the baseline…", a.scenario.display());
    let server = hubplan_serve::Server::start(&cfg).map_err(|e| anyhow!(e))?;
    println!(
        "hubplan serve: open {} (exports go to {}; Ctrl-C stops)",
        server.url(),
        a.out.display()
    );
    server.wait().map_err(|e| anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}
