//! # hubplan-io
//!
//! hubplan's boundary: every format read and written. The core crate
//! (`hubplan`) takes values in memory; this crate turns officers' files into
//! those values, strictly, and writes plans back out, atomically.
//!
//! | what | functions |
//! |---|---|
//! | a whole scenario | [`load_scenario`] → [`LoadedScenario`] (with [`LoadedScenario::service_rules`] when it has a `[services]` table), then [`LoadedScenario::into_inputs`] or [`attach_travel`] |
//! | one file each | [`read_sites`], [`read_zones`], [`read_services`], [`read_travel_times`], [`read_points`] |
//! | outputs | [`write_plan_dir`] (plan.json, sites.csv, zones.csv, plan.geojson), [`write_service_plan_dir`] (the same files for a co-location plan), [`plan_dir_files`] and [`service_plan_dir_files`] (the same, in memory), [`read_plan_json`] and [`parse_plan_json`] (either) |
//! | what-if tables | [`sweep_csv`], [`sweep_sites_csv`], [`alternatives_csv`], [`write_travel_times`] |
//! | atomic writing | [`write_files_atomically`] (files into a folder), [`write_file_atomically`] (one file) |
//! | a feasibility study | [`study_options`] (the `[study]` table, checked against the zones file), [`write_study_dir`] (study.json, zones.csv, areas.csv, study.geojson) |
//! | the departure window `HH:MM-HH:MM` | [`Window`] (the typed `[transit] window`, and every `--window` flag) |
//! | provenance | [`sha256_file`], [`InputFile`] |
//! | text | [`nfc`]: every text cell, id and column name is read in Unicode NFC |
//! | errors | [`IoError`], [`IoErrorKind`] |
//!
//! Every error names the file, the 1-based line (a CSV header is line 1), the
//! field, what was found and what was expected. Nothing that input can reach
//! panics. The formats are documented with examples in `docs/FORMATS.md`.
#![deny(missing_docs)]
// No panics on input (docs/ARCHITECTURE.md): no unwrap/expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod capacity_out;
mod error;
mod num;
mod output;
mod records;
mod scenario;
mod study;
mod table;
mod text;
mod travel;
mod whatif;
mod window;

pub use error::{IoError, IoErrorKind, Result};
pub use output::{
    parse_plan_json, plan_dir_files, read_plan_json, service_plan_dir_files, write_file_atomically,
    write_files_atomically, write_plan_dir, write_service_plan_dir, PlanInputSummary, PlanScenarioSummary,
    PlanServiceSummary, PlanSiteSummary, PlanSolverSummary, PlanSummary, PlanTotalsSummary, RunMeta, PLAN_FILES,
};
pub use records::{read_points, read_services, read_sites, read_zones, ServicesFile, SitesFile, ZonesFile};
pub use scenario::{
    attach_travel, load_scenario, parse_scenario_str, AboutSection, AboutSource, InputFile, InputRows,
    InputsWithoutTravel, LoadedScenario, ScenarioFile, ScenarioSettings, ServicesSection, StudySection, TransitSection,
};
pub use study::{
    read_zone_shapes, study_areas_csv, study_geojson, study_json, study_options, study_zones_csv, write_study_dir,
    STUDY_FILES,
};
pub use text::nfc;
pub use travel::{build_travel, read_travel_times, travel_times_csv, write_travel_times, TravelFile, TravelRow};
pub use whatif::{alternatives_csv, sweep_csv, sweep_sites_csv, MAX_CELL_CHARS};
pub use window::{Window, WindowError};

use std::io::Read;
use std::path::Path;

/// Input size limits. Exceeding one is an [`IoErrorKind::TooLarge`] error.
pub mod limits {
    /// Largest CSV file read, in bytes (2 GiB).
    pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;
    /// Largest GeoJSON file read, in bytes (512 MiB; GeoJSON is parsed in memory).
    pub const MAX_GEOJSON_BYTES: u64 = 512 * 1024 * 1024;
    /// Largest scenario TOML file, in bytes (1 MiB).
    pub const MAX_TOML_BYTES: u64 = 1024 * 1024;
    /// Most data rows (or features) in a sites, zones, services or points file.
    pub const MAX_ROWS: u64 = 5_000_000;
    /// Most data rows in a travel-time matrix.
    pub const MAX_TRAVEL_ROWS: u64 = 20_000_000;
    /// Most sites in one plan.
    pub const MAX_SITES: usize = 100_000;
    /// Most zones in one plan.
    pub const MAX_ZONES: usize = 1_000_000;
    /// Largest amount of money accepted anywhere (a site's running cost, backlog,
    /// opening cost or disposal receipt, a service's conversion cost, a budget, a
    /// savings target): £1 trillion, far above any council's whole budget, so that
    /// a unit or digits error (`1.7e308`) is refused instead of summing to infinity.
    pub const MAX_POUNDS: f64 = 1e12;
    /// What a message says after an amount above [`MAX_POUNDS`].
    pub const ABOVE_MAX_POUNDS: &str =
        ": above £1,000,000,000,000 (£1 trillion), the largest amount hubplan accepts; check the unit and the digits";
}

/// The SHA-256 of a file's bytes, as 64 lowercase hex digits.
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut f =
        std::fs::File::open(path).map_err(|e| IoError::io(IoErrorKind::Read, path, &e, "cannot open the file"))?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(IoError::new(IoErrorKind::NotAFile, "expected a file, found a directory").in_file(path));
    }
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| IoError::io(IoErrorKind::Read, path, &e, "cannot read the file"))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
