//! Scenario TOML: strict keys with did-you-mean, typed values with lines, ids resolved.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hubplan::colocate::{ServiceRules, SiteCount};
use hubplan::model::{Inputs, Service, Site, Zone};
use hubplan::scenario::{Backend, BeyondLimit, SolverConfig, DEFAULT_MAX_MINUTES, DEFAULT_WORSE_OFF_MINUTES};
use hubplan::travel::TravelTimes;
use hubplan::{ObjectiveKind, Scenario, ServiceIdx, SiteIdx};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::{did_you_mean, quote, IoError, IoErrorKind, Result};
use crate::output::RunMeta;
use crate::records::{read_services, read_sites, read_zones};
use crate::text::nfc_string;
use crate::travel::read_travel_times;
use crate::window::Window;
use crate::{limits, sha256_file};

/// The `[transit]` section, as written (paths resolved). The CLI turns it into
/// the transit engine's configuration; `None` fields take the engine's defaults.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TransitSection {
    /// The GTFS feed (zip or directory), resolved against the scenario's folder.
    pub gtfs: PathBuf,
    /// Service date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Departure window (`HH:MM-HH:MM` in the file).
    pub window: Option<Window>,
    /// Percentile of travel time over departures in the window (1–100).
    pub percentile: Option<f64>,
    /// Longest journey computed, minutes.
    pub max_minutes: Option<f64>,
    /// Walking speed, km/h.
    pub walk_speed: Option<f64>,
    /// Walking detour factor over straight-line distance (≥ 1).
    pub detour: Option<f64>,
    /// Longest walk to or from a stop, metres.
    pub max_walk: Option<f64>,
    /// Longest walk between stops at a transfer, metres.
    pub max_transfer_walk: Option<f64>,
    /// Minimum transfer time, seconds.
    pub transfer_slack: Option<f64>,
    /// Most vehicles boarded in one journey.
    pub max_rides: Option<u32>,
    /// Largest size, in MiB, that one file of the GTFS feed may have once decompressed
    /// (the loader's zip-bomb guard, `hubplan_transit::LoadOptions::max_file_bytes`).
    pub max_file_mib: Option<u32>,
    /// OpenStreetMap extract (`.osm.pbf`) to walk on, resolved against the scenario's folder;
    /// `None`: straight-line walks × detour.
    pub osm: Option<PathBuf>,
    /// Largest snap distance to a street, metres (default `hubplan_transit::DEFAULT_SNAP_M`).
    pub osm_snap: Option<f64>,
    /// The line of `[transit]` in the scenario file.
    pub line: u64,
}

/// The `[inputs]` section as written (paths are as in the file, not resolved).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ScenarioSettings {
    /// `inputs.sites`.
    pub sites: String,
    /// `inputs.zones`.
    pub zones: String,
    /// `inputs.travel_times`, when given.
    pub travel_times: Option<String>,
    /// `inputs.services`, when given.
    pub services: Option<String>,
    /// `inputs.need_column`, when given.
    pub need_column: Option<String>,
}

/// The `[services]` table as written (ids are still strings, each with its line).
/// Its presence selects the co-location model (`docs/MODEL.md` §2–3).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ServicesSection {
    /// `services.required`: the planned services (empty = every service in services.csv).
    pub required: Vec<(String, u64)>,
    /// `services.hub`: the services a family hub hosts.
    pub hub: Vec<(String, u64)>,
    /// `services.min_hubs_per_district` (0 = off).
    pub min_hubs_per_district: u32,
    /// `services.capital_budget`, GBP one-off.
    pub capital_budget: Option<f64>,
    /// `services.savings_target`, GBP a year.
    pub savings_target: Option<f64>,
    /// `services.keep_service`: (site id, service id, line).
    pub keep_service: Vec<(String, String, u64)>,
    /// `services.close_service`: (site id, service id, line).
    pub close_service: Vec<(String, String, u64)>,
    /// `services.equity_max_imd_decile`.
    pub equity_max_imd_decile: Option<u8>,
    /// The line of `[services]`.
    pub line: u64,
}

/// The `[study]` table as written: settings of `hubplan study` (docs/STUDY.md).
/// Plans ignore it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct StudySection {
    /// `study.services`: the services studied (empty = every service).
    pub services: Vec<(String, u64)>,
    /// `study.indicators`: (zone column, weight, line); empty = the IMD decile alone.
    pub indicators: Vec<(String, f64, u64)>,
    /// `study.children_column` and its line.
    pub children_column: Option<(String, u64)>,
    /// `study.protected`: protected-characteristic count columns, each with its line.
    pub protected: Vec<(String, u64)>,
    /// `study.priority_deciles` (default 2).
    pub priority_deciles: Option<u8>,
    /// `study.area_zones` (default a tenth of the zones).
    pub area_zones: Option<u32>,
    /// `study.neighbour_k` (default 6).
    pub neighbour_k: Option<u32>,
    /// `study.neighbour_max_km` (default 5).
    pub neighbour_max_km: Option<f64>,
    /// The line of `[study]`.
    pub line: u64,
}

/// The `[about]` section: what the analysis is, who prepared it, when, and where its
/// data came from (`[[about.sources]]`). Carried into plan.json (`about`) and onto the
/// appendix's cover; `--title`/`--date` override the title and date.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct AboutSection {
    /// `about.title`: the appendix's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `about.author`: who prepared the analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// `about.date`: the date of the analysis, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `[[about.sources]]`, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<AboutSource>,
}

/// One `[[about.sources]]` entry: a data set the inputs were made from.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct AboutSource {
    /// What it is, e.g. "ONS mid-year population estimates for LSOAs".
    pub name: String,
    /// Its vintage, e.g. "mid-2015" or "IMD 2019".
    pub vintage: String,
    /// Its licence, e.g. "Open Government Licence v3.0".
    pub licence: String,
    /// Where it is published (`http://` or `https://`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A scenario file parsed, before any input is read: ids are still strings.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioFile {
    /// The file it came from (used in messages).
    pub path: PathBuf,
    /// `[inputs]`.
    pub settings: ScenarioSettings,
    /// `access.max_minutes` after defaults (35 for min_cost and max_coverage).
    pub max_minutes: Option<f64>,
    /// `objective.kind` (default min_cost).
    pub objective: ObjectiveKind,
    /// `limits.budget`.
    pub budget: Option<f64>,
    /// `limits.sites`.
    pub sites: Option<u32>,
    /// `limits.keep` with the line of each id.
    pub keep: Vec<(String, u64)>,
    /// `limits.close` with the line of each id.
    pub close: Vec<(String, u64)>,
    /// `[solver]`.
    pub solver: SolverConfig,
    /// `[transit]`.
    pub transit: Option<TransitSection>,
    /// Lines of some keys, for later messages (`inputs.sites`, `limits.sites`…).
    pub key_lines: HashMap<String, u64>,
    /// `[services]`, when present (the co-location model).
    pub services: Option<ServicesSection>,
    /// `objective.then` (co-location model only).
    pub then: Option<ObjectiveKind>,
    /// `objective.tolerance` (co-location model only).
    pub tolerance: Option<f64>,
    /// `limits.min_sites` (co-location model only).
    pub min_sites: Option<u32>,
    /// `limits.max_sites` (co-location model only).
    pub max_sites: Option<u32>,
    /// `access.beyond_limit` (with `access.beyond_limit_tolerance_minutes`), default no_worse.
    pub beyond_limit: BeyondLimit,
    /// `report.worse_off_minutes`, default 10.
    pub worse_off_minutes: f64,
    /// `[study]`, when present.
    pub study: Option<StudySection>,
    /// `capacity.assignment` (demand capacity, issue 21) with its line, when given.
    pub capacity_assignment: Option<(hubplan::scenario::Assignment, u64)>,
    /// `[about]`, when present.
    pub about: Option<AboutSection>,
}

/// One input file and its hash, for provenance in outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// `scenario`, `sites`, `zones`, `services`, `travel_times` or `gtfs`.
    pub role: String,
    /// The path as opened (the scenario's folder joined with the path written in it).
    pub path: PathBuf,
    /// SHA-256 of the bytes, 64 lowercase hex digits (empty for a GTFS directory).
    pub sha256: String,
}

/// Sites, zones and services, validated, waiting for travel times.
#[derive(Clone, Debug, PartialEq)]
pub struct InputsWithoutTravel {
    /// Sites, indexed by `SiteIdx`.
    pub sites: Vec<Site>,
    /// Zones, indexed by `ZoneIdx`.
    pub zones: Vec<Zone>,
    /// Services, indexed by `ServiceIdx`.
    pub services: Vec<Service>,
}

impl InputsWithoutTravel {
    /// Zone ids and positions, in index order (origins for a transit run).
    pub fn zone_points(&self) -> Vec<(String, hubplan::geo::LonLat)> {
        self.zones.iter().map(|z| (z.id.clone(), z.pos)).collect()
    }

    /// Site ids and positions, in index order (destinations for a transit run).
    pub fn site_points(&self) -> Vec<(String, hubplan::geo::LonLat)> {
        self.sites.iter().map(|s| (s.id.clone(), s.pos)).collect()
    }
}

/// A scenario loaded and validated against its inputs.
///
/// With `inputs.travel_times`, [`LoadedScenario::travel`] is `Some` and
/// [`LoadedScenario::into_inputs`] gives the core's [`Inputs`]. With a
/// `[transit]` section, `travel` is `None`: compute the matrix from
/// [`InputsWithoutTravel::zone_points`] to [`InputsWithoutTravel::site_points`],
/// build it with [`crate::build_travel`], then call [`attach_travel`].
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedScenario {
    /// The scenario file.
    pub path: PathBuf,
    /// The folder that relative paths are resolved against.
    pub base_dir: PathBuf,
    /// Sites, zones and services.
    pub inputs_without_travel: InputsWithoutTravel,
    /// Travel times, when read from `inputs.travel_times`.
    pub travel: Option<TravelTimes>,
    /// The resolved scenario (ids are indices).
    pub scenario: Scenario,
    /// The `[transit]` section, when present.
    pub transit: Option<TransitSection>,
    /// The `[inputs]` section as written.
    pub settings: ScenarioSettings,
    /// Every input file read, with its SHA-256.
    pub files: Vec<InputFile>,
    /// Non-fatal remarks from every reader, to show the user.
    pub warnings: Vec<String>,
    /// The co-location rules, with every id resolved, when the scenario has a
    /// `[services]` table; `None` means the single-service model of `scenario`.
    pub service_rules: Option<ServiceRules>,
    /// The `[study]` table, when present (used by `hubplan study` only).
    pub study: Option<StudySection>,
    /// Where each site, zone and service came from in its file, for data-quality notices.
    pub rows: InputRows,
    /// The `[about]` section, when present.
    pub about: Option<AboutSection>,
}

/// The 1-based line (a CSV header is line 1; a GeoJSON feature's first line) of
/// each record, in index order, and the files they came from.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct InputRows {
    /// The sites file as opened.
    pub sites_file: PathBuf,
    /// Line of each site.
    pub sites: Vec<u64>,
    /// Whether each site's position was given in British National Grid metres
    /// (easting/northing) rather than WGS84 degrees (lon/lat).
    pub sites_bng: Vec<bool>,
    /// The zones file as opened.
    pub zones_file: PathBuf,
    /// Line of each zone.
    pub zones: Vec<u64>,
    /// The services file as opened (empty without one).
    pub services_file: PathBuf,
    /// Line of each service read from the services file (empty without one).
    pub services: Vec<u64>,
    /// The travel-time file as opened (empty without one).
    pub travel_file: PathBuf,
    /// Which column `need` came from (`need`, the scenario's `need_column`, or `population`).
    pub need_source: String,
    /// Whether the sites file has an `annual_cost` column, and how many sites have a cost in it.
    pub annual_costs: (bool, usize),
}

impl LoadedScenario {
    /// The provenance and settings to write beside a plan.
    pub fn run_meta(&self) -> RunMeta {
        RunMeta {
            hubplan_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_file: Some(self.path.clone()),
            scenario_file_absolute: std::fs::canonicalize(&self.path)
                .or_else(|_| std::path::absolute(&self.path))
                .ok(),
            need_column: self.settings.need_column.clone(),
            travel_source: match (&self.settings.travel_times, &self.transit) {
                (Some(t), _) => format!("csv:{t}"),
                (None, Some(_)) => "transit".to_string(),
                (None, None) => String::new(),
            },
            inputs: self.files.clone(),
            warnings: self.warnings.clone(),
            notices: Vec::new(),
            include_timing: false,
            summary: Vec::new(),
            about: self.about.clone(),
        }
    }

    /// The core's inputs, scenario and run metadata of a **single-service**
    /// scenario, when travel times were read from a file. With a `[transit]`
    /// section use [`attach_travel`] instead.
    ///
    /// # Errors
    /// A scenario with a `[services]` table (the co-location model) is an error
    /// ([`IoErrorKind::Contradiction`]): planning it as one service would silently
    /// ignore its services. Use [`LoadedScenario::into_service_inputs`], or
    /// `hubplan_run::load`, which chooses the model.
    pub fn into_inputs(self) -> Result<(Inputs, Scenario, RunMeta)> {
        if self.service_rules.is_some() {
            return Err(IoError::new(
                IoErrorKind::Contradiction,
                "this scenario has a [services] table (the co-location model); planning it as one \
                 service would ignore its services: use into_service_inputs (or hubplan_run::load)",
            )
            .in_file(&self.path));
        }
        self.into_parts()
    }

    /// The core's inputs, co-location rules and run metadata of a scenario with a
    /// `[services]` table, when travel times were read from a file.
    ///
    /// # Errors
    /// A scenario without `[services]` is an error ([`IoErrorKind::MissingKey`]);
    /// use [`LoadedScenario::into_inputs`].
    pub fn into_service_inputs(self) -> Result<(Inputs, ServiceRules, RunMeta)> {
        let Some(rules) = self.service_rules.clone() else {
            return Err(IoError::new(
                IoErrorKind::MissingKey,
                "this scenario has no [services] table (the single-service model): use into_inputs",
            )
            .in_file(&self.path));
        };
        let (inputs, _, meta) = self.into_parts()?;
        Ok((inputs, rules, meta))
    }

    fn into_parts(self) -> Result<(Inputs, Scenario, RunMeta)> {
        let meta = self.run_meta();
        let Some(travel) = self.travel else {
            return Err(IoError::new(
                IoErrorKind::MissingKey,
                "this scenario computes travel times from [transit]; compute them, then call attach_travel",
            )
            .in_file(&self.path));
        };
        let inputs = attach_travel(self.inputs_without_travel, travel)?;
        Ok((inputs, self.scenario, meta))
    }
}

/// Joins travel times to sites, zones and services: the core's [`Inputs`].
pub fn attach_travel(inputs: InputsWithoutTravel, travel: TravelTimes) -> Result<Inputs> {
    if travel.n_zones() != inputs.zones.len() {
        return Err(IoError::new(
            IoErrorKind::Contradiction,
            format!(
                "the travel-time matrix has {} zones but the zones file has {}",
                travel.n_zones(),
                inputs.zones.len()
            ),
        ));
    }
    Ok(Inputs {
        sites: inputs.sites,
        zones: inputs.zones,
        services: inputs.services,
        travel,
    })
}

struct Doc<'a> {
    file: &'a Path,
    src: &'a str,
}

type Val<'i> = Spanned<DeValue<'i>>;

const SECTIONS: &[(&str, &[&str])] = &[
    ("inputs", &["sites", "zones", "travel_times", "services", "need_column"]),
    (
        "access",
        &["max_minutes", "beyond_limit", "beyond_limit_tolerance_minutes"],
    ),
    ("objective", &["kind", "then", "tolerance"]),
    (
        "limits",
        &["budget", "sites", "min_sites", "max_sites", "keep", "close"],
    ),
    (
        "services",
        &[
            "required",
            "hub",
            "min_hubs_per_district",
            "capital_budget",
            "savings_target",
            "keep_service",
            "close_service",
            "equity_max_imd_decile",
        ],
    ),
    ("solver", &["time_limit_s", "gap", "backend"]),
    ("report", &["worse_off_minutes"]),
    ("capacity", &["assignment"]),
    ("about", &["title", "author", "date", "sources"]),
    (
        "study",
        &[
            "services",
            "indicators",
            "children_column",
            "protected",
            "priority_deciles",
            "area_zones",
            "neighbour_k",
            "neighbour_max_km",
        ],
    ),
    (
        "transit",
        &[
            "gtfs",
            "date",
            "window",
            "percentile",
            "max_minutes",
            "walk_speed",
            "detour",
            "max_walk",
            "max_transfer_walk",
            "transfer_slack",
            "max_rides",
            "max_file_mib",
            "osm",
            "osm_snap",
        ],
    ),
];

impl<'a> Doc<'a> {
    fn line(&self, offset: usize) -> u64 {
        let end = offset.min(self.src.len());
        self.src.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
    }

    fn err(&self, kind: IoErrorKind, offset: usize, field: &str, msg: impl Into<String>) -> IoError {
        IoError::new(kind, msg)
            .in_file(self.file)
            .at_line(self.line(offset))
            .field(field)
    }

    fn bad_type(&self, v: &Val<'_>, field: &str, expected: &str) -> IoError {
        let found = match v.get_ref() {
            DeValue::String(s) => format!("a string {}", quote(s)),
            DeValue::Integer(i) => format!("an integer {i}"),
            DeValue::Float(f) => format!("a float {f}"),
            DeValue::Boolean(b) => format!("a boolean {b}"),
            DeValue::Datetime(d) => format!("a date/time {d}"),
            DeValue::Array(_) => "an array".to_string(),
            DeValue::Table(_) => "a table".to_string(),
        };
        self.err(
            IoErrorKind::Toml,
            v.span().start,
            field,
            format!("expected {expected}, found {found}"),
        )
    }

    fn string(&self, v: &Val<'_>, field: &str) -> Result<String> {
        match v.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            _ => Err(self.bad_type(v, field, "a string")),
        }
    }

    fn number(&self, v: &Val<'_>, field: &str, expected: &str) -> Result<f64> {
        let x = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|n| n as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => return Err(self.bad_type(v, field, expected)),
        };
        match x {
            Some(x) if x.is_finite() => Ok(x),
            _ => Err(self.bad_type(v, field, expected)),
        }
    }

    fn number_in(&self, v: &Val<'_>, field: &str, expected: &str, ok: impl Fn(f64) -> bool) -> Result<f64> {
        let x = self.number(v, field, expected)?;
        if ok(x) {
            Ok(x)
        } else {
            Err(self.err(
                IoErrorKind::BadValue,
                v.span().start,
                field,
                format!("expected {expected}, found {x}"),
            ))
        }
    }

    /// An amount of pounds: ≥ 0 and at most [`crate::limits::MAX_POUNDS`].
    fn money(&self, v: &Val<'_>, field: &str, expected: &str) -> Result<f64> {
        let x = self.number_in(v, field, expected, |x| x >= 0.0)?;
        if x > crate::limits::MAX_POUNDS {
            return Err(self.err(
                IoErrorKind::BadValue,
                v.span().start,
                field,
                format!("expected {expected}, found {x:e}{}", crate::limits::ABOVE_MAX_POUNDS),
            ));
        }
        Ok(x)
    }

    fn integer(&self, v: &Val<'_>, field: &str, expected: &str, min: i64) -> Result<u32> {
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) if n >= min && n <= u32::MAX as i64 => Ok(n as u32),
                _ => Err(self.err(
                    IoErrorKind::BadValue,
                    v.span().start,
                    field,
                    format!("expected {expected}, found {i}"),
                )),
            },
            _ => Err(self.bad_type(v, field, expected)),
        }
    }

    fn ids(&self, v: &Val<'_>, field: &str) -> Result<Vec<(String, u64)>> {
        match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|it| match it.get_ref() {
                    DeValue::String(s) => Ok((nfc_string(s.trim()), self.line(it.span().start))),
                    DeValue::Integer(i) => Ok((i.to_string(), self.line(it.span().start))),
                    _ => Err(self.bad_type(it, field, "a site id (a string)")),
                })
                .collect(),
            _ => Err(self.bad_type(v, field, "an array of site ids, like [\"S001\", \"S002\"]")),
        }
    }

    /// An array of service ids, each with its line.
    fn service_ids(&self, v: &Val<'_>, field: &str) -> Result<Vec<(String, u64)>> {
        match v.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|it| match it.get_ref() {
                    DeValue::String(s) => Ok((nfc_string(s.trim()), self.line(it.span().start))),
                    _ => Err(self.bad_type(it, field, "a service id (a string)")),
                })
                .collect(),
            _ => Err(self.bad_type(
                v,
                field,
                "an array of service ids, like [\"children_centre\", \"youth\"]",
            )),
        }
    }

    /// An array of `["SITE", "service"]` pairs, each with its line.
    fn site_service_pairs(&self, v: &Val<'_>, field: &str) -> Result<Vec<(String, String, u64)>> {
        const EXPECTED: &str = "an array of [site id, service id] pairs, like [[\"S001\", \"youth\"]]";
        let DeValue::Array(items) = v.get_ref() else {
            return Err(self.bad_type(v, field, EXPECTED));
        };
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            let pair = match it.get_ref() {
                DeValue::Array(p) => p,
                _ => return Err(self.bad_type(it, field, "a [site id, service id] pair, like [\"S001\", \"youth\"]")),
            };
            let line = self.line(it.span().start);
            let pair: Vec<&Val<'_>> = pair.iter().collect();
            match pair.as_slice() {
                [a, b] => {
                    let site = match a.get_ref() {
                        DeValue::String(s) => nfc_string(s.trim()),
                        DeValue::Integer(i) => i.to_string(),
                        _ => return Err(self.bad_type(a, field, "a site id (a string)")),
                    };
                    let svc = match b.get_ref() {
                        DeValue::String(s) => nfc_string(s.trim()),
                        _ => return Err(self.bad_type(b, field, "a service id (a string)")),
                    };
                    out.push((site, svc, line));
                }
                _ => {
                    return Err(self.err(
                        IoErrorKind::BadValue,
                        it.span().start,
                        field,
                        format!(
                            "expected a [site id, service id] pair, like [\"S001\", \"youth\"], found an array of {} item(s)",
                            pair.len()
                        ),
                    ))
                }
            }
        }
        Ok(out)
    }

    /// The entries of a section, checked against its known keys.
    fn section<'t, 'i>(&self, name: &str, table: &'t DeTable<'i>) -> Result<HashMap<String, &'t Val<'i>>> {
        let known = SECTIONS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k)
            .unwrap_or(&[]);
        let mut out = HashMap::new();
        for (k, v) in table.iter() {
            let key: &str = k.get_ref();
            if !known.contains(&key) {
                let mut hint = did_you_mean(key, known.iter().copied());
                if hint.is_empty() {
                    if let Some((other, _)) = SECTIONS.iter().find(|(n, keys)| *n != name && keys.contains(&key)) {
                        hint = format!(" (`{key}` belongs in [{other}])");
                    }
                }
                return Err(self.err(
                    IoErrorKind::UnknownKey,
                    k.span().start,
                    &format!("{name}.{key}"),
                    format!(
                        "unknown key `{key}` in [{name}]{hint}; known keys: {}",
                        known.join(", ")
                    ),
                ));
            }
            out.insert(key.to_string(), v);
        }
        Ok(out)
    }
}

/// Parses a scenario's text. `file` is used in messages and to resolve the
/// `[transit]` feed path; nothing is read from disk.
pub fn parse_scenario_str(src: &str, file: &Path) -> Result<ScenarioFile> {
    let doc = Doc { file, src };
    let root = DeTable::parse(src).map_err(|e| {
        let line = e.span().map(|s| doc.line(s.start));
        let msg = e.message().trim();
        // "duplicate key" alone does not say which: name it (the text at the span,
        // e.g. `[access]` given twice).
        let named = e
            .span()
            .and_then(|s| src.get(s))
            .map(|t| t.trim().trim_start_matches('[').trim_end_matches(']').trim())
            .filter(|t| msg.starts_with("duplicate key") && !t.is_empty() && t.len() <= 200);
        let err = match named {
            Some(t) => IoError::new(
                IoErrorKind::Toml,
                format!("not valid TOML: {msg} `{t}`: each table and key may be given once"),
            )
            .field(t.to_string()),
            None => IoError::new(IoErrorKind::Toml, format!("not valid TOML: {msg}")),
        };
        err.in_file(file).at_opt_line(line)
    })?;
    let mut sections: HashMap<&str, (&DeTable<'_>, usize)> = HashMap::new();
    for (k, v) in root.get_ref().iter() {
        let key: &str = k.get_ref();
        let Some((name, _)) = SECTIONS.iter().find(|(n, _)| *n == key) else {
            let mut hint = did_you_mean(key, SECTIONS.iter().map(|(n, _)| *n));
            if hint.is_empty() {
                if let Some((sec, _)) = SECTIONS.iter().find(|(_, keys)| keys.contains(&key)) {
                    hint = format!(" (`{key}` belongs in [{sec}])");
                }
            }
            return Err(doc.err(
                IoErrorKind::UnknownKey,
                k.span().start,
                key,
                format!(
                    "unknown section or key `{key}`{hint}; known sections: {}",
                    SECTIONS
                        .iter()
                        .map(|(n, _)| format!("[{n}]"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        match v.get_ref() {
            DeValue::Table(t) => {
                sections.insert(name, (t, k.span().start));
            }
            DeValue::String(_) if SECTIONS.iter().any(|(n, keys)| *n != key && keys.contains(&key)) => {
                let owner = SECTIONS
                    .iter()
                    .find(|(n, keys)| *n != key && keys.contains(&key))
                    .map_or("inputs", |(n, _)| *n);
                return Err(doc.bad_type(
                    v,
                    key,
                    &format!("a [{key}] section (a table); a file path `{key} = \"…\"` belongs in [{owner}]"),
                ));
            }
            _ => return Err(doc.bad_type(v, key, &format!("a [{key}] section (a table)"))),
        }
    }
    let empty = DeTable::new();
    let get = |name: &str| -> Result<HashMap<String, &Val<'_>>> {
        match sections.get(name) {
            Some((t, _)) => doc.section(name, t),
            None => doc.section(name, &empty),
        }
    };
    let mut key_lines = HashMap::new();

    // [inputs]
    if !sections.contains_key("inputs") {
        return Err(IoError::new(
            IoErrorKind::MissingKey,
            "the scenario has no [inputs] section: expected [inputs] with sites = \"…\", zones = \"…\" and travel_times = \"…\"",
        )
        .in_file(file)
        .at_line(1)
        .field("inputs"));
    }
    let inputs = get("inputs")?;
    let inputs_line = sections.get("inputs").map(|(_, o)| *o).unwrap_or(0);
    let required = |k: &str| -> Result<String> {
        match inputs.get(k) {
            Some(v) => {
                let s = doc.string(v, &format!("inputs.{k}"))?;
                if s.trim().is_empty() {
                    return Err(doc.err(
                        IoErrorKind::BadValue,
                        v.span().start,
                        &format!("inputs.{k}"),
                        "expected a file path, found an empty string",
                    ));
                }
                Ok(s)
            }
            None => Err(doc.err(
                IoErrorKind::MissingKey,
                inputs_line,
                &format!("inputs.{k}"),
                format!("the scenario has no `{k}` in [inputs]: expected a path like {k} = \"{k}.csv\""),
            )),
        }
    };
    let optional = |k: &str| -> Result<Option<String>> {
        inputs.get(k).map(|v| doc.string(v, &format!("inputs.{k}"))).transpose()
    };
    for (k, v) in &inputs {
        key_lines.insert(format!("inputs.{k}"), doc.line(v.span().start));
    }
    let settings = ScenarioSettings {
        sites: required("sites")?,
        zones: required("zones")?,
        travel_times: optional("travel_times")?,
        services: optional("services")?,
        need_column: optional("need_column")?
            .map(|s| nfc_string(s.trim()))
            .filter(|s| !s.is_empty()),
    };

    // [objective]
    let objective_t = get("objective")?;
    let objective = match objective_t.get("kind") {
        None => ObjectiveKind::MinCost,
        Some(v) => {
            let s = doc.string(v, "objective.kind")?;
            match s.as_str() {
                "min_cost" => ObjectiveKind::MinCost,
                "max_coverage" => ObjectiveKind::MaxCoverage,
                "min_travel" => ObjectiveKind::MinTravel,
                other => {
                    return Err(doc.err(
                        IoErrorKind::BadValue,
                        v.span().start,
                        "objective.kind",
                        format!(
                            "expected min_cost, max_coverage or min_travel, found {}{}",
                            quote(other),
                            did_you_mean(other, ["min_cost", "max_coverage", "min_travel"])
                        ),
                    ))
                }
            }
        }
    };

    let kind_of = |v: &Val<'_>, field: &str| -> Result<ObjectiveKind> {
        let s = doc.string(v, field)?;
        match s.as_str() {
            "min_cost" => Ok(ObjectiveKind::MinCost),
            "max_coverage" => Ok(ObjectiveKind::MaxCoverage),
            "min_travel" => Ok(ObjectiveKind::MinTravel),
            other => Err(doc.err(
                IoErrorKind::BadValue,
                v.span().start,
                field,
                format!(
                    "expected min_cost, max_coverage or min_travel, found {}{}",
                    quote(other),
                    did_you_mean(other, ["min_cost", "max_coverage", "min_travel"])
                ),
            )),
        }
    };
    let then = match objective_t.get("then") {
        None => None,
        Some(v) => {
            let k = kind_of(v, "objective.then")?;
            if k == objective {
                return Err(doc.err(
                    IoErrorKind::Contradiction,
                    v.span().start,
                    "objective.then",
                    format!(
                        "objective.then repeats objective.kind ({}); expected a different second objective",
                        k.name()
                    ),
                ));
            }
            Some(k)
        }
    };
    let tolerance = match objective_t.get("tolerance") {
        None => None,
        Some(v) => {
            let t = doc.number_in(v, "objective.tolerance", "a relative tolerance ≥ 0", |x| x >= 0.0)?;
            if then.is_none() {
                return Err(doc.err(
                    IoErrorKind::Contradiction,
                    v.span().start,
                    "objective.tolerance",
                    "objective.tolerance is the slack of the first objective in a lexicographic run; it needs objective.then",
                ));
            }
            Some(t)
        }
    };

    // [access]
    let access = get("access")?;
    let max_minutes = match access.get("max_minutes") {
        Some(v) => Some(doc.number_in(v, "access.max_minutes", "minutes > 0", |x| x > 0.0)?),
        None if objective == ObjectiveKind::MinTravel => None,
        None => Some(DEFAULT_MAX_MINUTES),
    };
    let tolerance_minutes = access
        .get("beyond_limit_tolerance_minutes")
        .map(|v| {
            doc.number_in(v, "access.beyond_limit_tolerance_minutes", "minutes ≥ 0", |x| {
                x >= 0.0
            })
            .map(|t| (t, v.span().start))
        })
        .transpose()?;
    let beyond_limit = match access.get("beyond_limit") {
        None => None,
        Some(v) => {
            let s = doc.string(v, "access.beyond_limit")?;
            Some((s, v.span().start))
        }
    };
    let beyond_limit = match (beyond_limit, tolerance_minutes) {
        (None, None) => BeyondLimit::NoWorse,
        (Some((s, at)), tol) => match (s.as_str(), tol) {
            ("no_worse", None) => BeyondLimit::NoWorse,
            ("ignore", None) => BeyondLimit::Ignore,
            ("tolerance", Some((t, _))) => BeyondLimit::Tolerance(t),
            ("tolerance", None) => {
                return Err(doc.err(
                    IoErrorKind::MissingKey,
                    at,
                    "access.beyond_limit_tolerance_minutes",
                    "access.beyond_limit = \"tolerance\" needs access.beyond_limit_tolerance_minutes, the minutes a zone beyond the limit today may lose, like beyond_limit_tolerance_minutes = 10",
                ))
            }
            ("no_worse" | "ignore", Some((_, at))) => {
                return Err(doc.err(
                    IoErrorKind::Contradiction,
                    at,
                    "access.beyond_limit_tolerance_minutes",
                    format!(
                        "access.beyond_limit_tolerance_minutes is only used with beyond_limit = \"tolerance\", but beyond_limit is {}",
                        quote(&s)
                    ),
                ))
            }
            (other, _) => {
                return Err(doc.err(
                    IoErrorKind::BadValue,
                    at,
                    "access.beyond_limit",
                    format!(
                        "expected no_worse, tolerance or ignore, found {}{}",
                        quote(other),
                        did_you_mean(other, ["no_worse", "tolerance", "ignore"])
                    ),
                ))
            }
        },
        (None, Some((t, _))) => BeyondLimit::Tolerance(t),
    };
    let worse_off_minutes = match get("report")?.get("worse_off_minutes") {
        Some(v) => doc.number_in(v, "report.worse_off_minutes", "minutes > 0", |x| x > 0.0)?,
        None => DEFAULT_WORSE_OFF_MINUTES,
    };

    // [capacity] (demand capacity, docs/MODEL.md §1.3)
    let capacity_assignment = match get("capacity")?.get("assignment") {
        None => None,
        Some(v) => {
            let s = doc.string(v, "capacity.assignment")?;
            let a = match s.as_str() {
                "split" => hubplan::scenario::Assignment::Split,
                "single" => hubplan::scenario::Assignment::Single,
                other => {
                    return Err(doc.err(
                        IoErrorKind::BadValue,
                        v.span().start,
                        "capacity.assignment",
                        format!(
                            "expected split or single, found {}{}",
                            quote(other),
                            did_you_mean(other, ["split", "single"])
                        ),
                    ))
                }
            };
            Some((a, doc.line(v.span().start)))
        }
    };

    // [limits]
    let lim = get("limits")?;
    let budget = lim
        .get("budget")
        .map(|v| doc.money(v, "limits.budget", "a budget in pounds ≥ 0"))
        .transpose()?;
    let sites = lim
        .get("sites")
        .map(|v| doc.integer(v, "limits.sites", "a whole number of sites ≥ 1", 1))
        .transpose()?;
    if let Some(v) = lim.get("sites") {
        key_lines.insert("limits.sites".into(), doc.line(v.span().start));
    }
    let min_sites = lim
        .get("min_sites")
        .map(|v| doc.integer(v, "limits.min_sites", "a whole number of sites ≥ 0", 0))
        .transpose()?;
    let max_sites = lim
        .get("max_sites")
        .map(|v| doc.integer(v, "limits.max_sites", "a whole number of sites ≥ 1", 1))
        .transpose()?;
    for k in ["min_sites", "max_sites"] {
        if let Some(v) = lim.get(k) {
            key_lines.insert(format!("limits.{k}"), doc.line(v.span().start));
            if sites.is_some() {
                return Err(doc.err(
                    IoErrorKind::Contradiction,
                    v.span().start,
                    &format!("limits.{k}"),
                    "limits.sites already fixes the number of open sites; give either limits.sites or limits.min_sites/max_sites",
                ));
            }
        }
    }
    if let (Some(lo), Some(hi), Some(v)) = (min_sites, max_sites, lim.get("max_sites")) {
        if lo > hi {
            return Err(doc.err(
                IoErrorKind::Contradiction,
                v.span().start,
                "limits.max_sites",
                format!("limits.max_sites = {hi} is below limits.min_sites = {lo}"),
            ));
        }
    }
    let keep = lim
        .get("keep")
        .map(|v| doc.ids(v, "limits.keep"))
        .transpose()?
        .unwrap_or_default();
    let close = lim
        .get("close")
        .map(|v| doc.ids(v, "limits.close"))
        .transpose()?
        .unwrap_or_default();
    for (id, line) in &close {
        if let Some((_, kl)) = keep.iter().find(|(k, _)| k == id) {
            return Err(IoError::new(
                IoErrorKind::Contradiction,
                format!("site {} is in both limits.keep (line {kl}) and limits.close; a site cannot be forced open and closed", quote(id)),
            )
            .in_file(file)
            .at_line(*line)
            .field("limits.close"));
        }
    }

    // [services]
    let services = match sections.get("services") {
        None => {
            // Keys of the co-location model make no sense without it: say so rather than ignore them.
            let stray = [
                ("objective.then", objective_t.get("then")),
                ("objective.tolerance", objective_t.get("tolerance")),
                ("limits.min_sites", lim.get("min_sites")),
                ("limits.max_sites", lim.get("max_sites")),
            ];
            if let Some((field, Some(v))) = stray.into_iter().find(|(_, v)| v.is_some()) {
                return Err(doc.err(
                    IoErrorKind::Contradiction,
                    v.span().start,
                    field,
                    format!("{field} belongs to the service and co-location model: add a [services] table (see docs/MODEL.md §3), or remove it"),
                ));
            }
            None
        }
        Some((_, off)) => {
            let t = get("services")?;
            if settings.services.is_none() {
                return Err(doc.err(
                    IoErrorKind::MissingKey,
                    *off,
                    "inputs.services",
                    "the [services] table plans services, but [inputs] names no services file: expected services = \"services.csv\" in [inputs]",
                ));
            }
            let list = |k: &str| -> Result<Vec<(String, u64)>> {
                t.get(k)
                    .map(|v| doc.service_ids(v, &format!("services.{k}")))
                    .transpose()
                    .map(Option::unwrap_or_default)
            };
            let pairs = |k: &str| -> Result<Vec<(String, String, u64)>> {
                t.get(k)
                    .map(|v| doc.site_service_pairs(v, &format!("services.{k}")))
                    .transpose()
                    .map(Option::unwrap_or_default)
            };
            let money = |k: &str, expected: &str| -> Result<Option<f64>> {
                t.get(k)
                    .map(|v| doc.money(v, &format!("services.{k}"), expected))
                    .transpose()
            };
            let sec = ServicesSection {
                required: list("required")?,
                hub: list("hub")?,
                min_hubs_per_district: t
                    .get("min_hubs_per_district")
                    .map(|v| doc.integer(v, "services.min_hubs_per_district", "a whole number of hubs ≥ 0", 0))
                    .transpose()?
                    .unwrap_or(0),
                capital_budget: money("capital_budget", "a one-off budget in pounds ≥ 0")?,
                savings_target: money("savings_target", "an annual saving in pounds ≥ 0")?,
                keep_service: pairs("keep_service")?,
                close_service: pairs("close_service")?,
                equity_max_imd_decile: t
                    .get("equity_max_imd_decile")
                    .inspect(|v| {
                        key_lines.insert("services.equity_max_imd_decile".into(), doc.line(v.span().start));
                    })
                    .map(|v| doc.integer(v, "services.equity_max_imd_decile", "an IMD decile from 1 to 10", 1))
                    .transpose()?
                    .map(|d| {
                        u8::try_from(d).ok().filter(|d| *d <= 10).ok_or_else(|| {
                            doc.err(
                                IoErrorKind::BadValue,
                                t.get("equity_max_imd_decile").map_or(*off, |v| v.span().start),
                                "services.equity_max_imd_decile",
                                format!("expected an IMD decile from 1 to 10, found {d}"),
                            )
                        })
                    })
                    .transpose()?,
                line: doc.line(*off),
            };
            if sec.min_hubs_per_district > 0 && sec.hub.is_empty() {
                let off = t.get("min_hubs_per_district").map_or(*off, |v| v.span().start);
                return Err(doc.err(
                    IoErrorKind::MissingKey,
                    off,
                    "services.hub",
                    "services.min_hubs_per_district needs services.hub, the services a family hub hosts, like hub = [\"children_centre\", \"health_visiting\"]",
                ));
            }
            for (site, svc, line) in &sec.close_service {
                if let Some((_, _, kl)) = sec.keep_service.iter().find(|(a, b, _)| a == site && b == svc) {
                    return Err(IoError::new(
                        IoErrorKind::Contradiction,
                        format!(
                            "service {} at site {} is in both services.keep_service (line {kl}) and services.close_service",
                            quote(svc),
                            quote(site)
                        ),
                    )
                    .in_file(file)
                    .at_line(*line)
                    .field("services.close_service"));
                }
            }
            Some(sec)
        }
    };

    // [solver]
    let sol = get("solver")?;
    let mut solver = SolverConfig::default();
    if let Some(v) = sol.get("time_limit_s") {
        let s = doc.number_in(v, "solver.time_limit_s", "seconds > 0 (at most a year)", |x| {
            x > 0.0 && x <= 31_536_000.0
        })?;
        solver.time_limit = Duration::from_secs_f64(s);
    }
    if let Some(v) = sol.get("gap") {
        solver.gap = doc.number_in(v, "solver.gap", "a relative gap from 0 to 1", |x| {
            (0.0..=1.0).contains(&x)
        })?;
    }
    if let Some(v) = sol.get("backend") {
        let s = doc.string(v, "solver.backend")?;
        solver.backend = match s.as_str() {
            "exact" => Backend::Exact,
            "microlp" => Backend::Microlp,
            "highs" => Backend::Highs,
            other => {
                return Err(doc.err(
                    IoErrorKind::BadValue,
                    v.span().start,
                    "solver.backend",
                    format!(
                        "expected exact, microlp or highs, found {}{}",
                        quote(other),
                        did_you_mean(other, ["exact", "microlp", "highs"])
                    ),
                ))
            }
        };
    }

    // [study]
    let study = match sections.get("study") {
        None => None,
        Some((_, off)) => Some(parse_study(&doc, &get("study")?, *off)?),
    };

    // [about]
    let about = match sections.get("about") {
        None => None,
        Some(_) => Some(parse_about(&doc, &get("about")?)?),
    };

    // [transit]
    let transit = match sections.get("transit") {
        None => None,
        Some((_, off)) => {
            let t = get("transit")?;
            let base = file.parent().unwrap_or(Path::new(""));
            let gtfs = match t.get("gtfs") {
                Some(v) => resolve(base, &doc.string(v, "transit.gtfs")?),
                None => {
                    return Err(doc.err(
                        IoErrorKind::MissingKey,
                        *off,
                        "transit.gtfs",
                        "the [transit] section has no `gtfs`: expected a path like gtfs = \"feed.zip\"",
                    ))
                }
            };
            let num = |k: &str, expected: &str, ok: fn(f64) -> bool| -> Result<Option<f64>> {
                t.get(k)
                    .map(|v| doc.number_in(v, &format!("transit.{k}"), expected, ok))
                    .transpose()
            };
            let date = match t.get("date") {
                None => None,
                Some(v) => {
                    let s = match v.get_ref() {
                        DeValue::Datetime(d) => d.to_string(),
                        _ => doc.string(v, "transit.date")?,
                    };
                    if !is_date(&s) {
                        return Err(doc.err(
                            IoErrorKind::BadValue,
                            v.span().start,
                            "transit.date",
                            format!("expected a date YYYY-MM-DD, found {}", quote(&s)),
                        ));
                    }
                    Some(s)
                }
            };
            let window = match t.get("window") {
                None => None,
                Some(v) => {
                    let s = doc.string(v, "transit.window")?;
                    match Window::parse(&s) {
                        Ok(w) => Some(w),
                        Err(_) => {
                            return Err(doc.err(
                                IoErrorKind::BadValue,
                                v.span().start,
                                "transit.window",
                                format!("expected a time window HH:MM-HH:MM with the start before the end, like \"07:00-09:00\", found {}", quote(&s)),
                            ))
                        }
                    }
                }
            };
            Some(TransitSection {
                gtfs,
                date,
                window,
                percentile: num("percentile", "a percentile from 1 to 100", |x| {
                    (1.0..=100.0).contains(&x)
                })?,
                max_minutes: num("max_minutes", "minutes > 0", |x| x > 0.0)?,
                walk_speed: num("walk_speed", "a walking speed in km/h > 0", |x| x > 0.0 && x < 50.0)?,
                detour: num("detour", "a detour factor ≥ 1", |x| (1.0..=10.0).contains(&x))?,
                max_walk: num("max_walk", "metres ≥ 0", |x| x >= 0.0)?,
                max_transfer_walk: num("max_transfer_walk", "metres ≥ 0", |x| x >= 0.0)?,
                transfer_slack: num("transfer_slack", "seconds ≥ 0", |x| x >= 0.0)?,
                max_rides: t
                    .get("max_rides")
                    .map(|v| doc.integer(v, "transit.max_rides", "a whole number of rides ≥ 1", 1))
                    .transpose()?,
                max_file_mib: t
                    .get("max_file_mib")
                    .map(|v| doc.integer(v, "transit.max_file_mib", "a whole number of MiB ≥ 1", 1))
                    .transpose()?,
                osm: t
                    .get("osm")
                    .map(|v| doc.string(v, "transit.osm").map(|s| resolve(base, &s)))
                    .transpose()?,
                osm_snap: num("osm_snap", "metres ≥ 0", |x| x >= 0.0)?,
                line: doc.line(*off),
            })
        }
    };
    match (&settings.travel_times, &transit) {
        (Some(_), Some(t)) => {
            return Err(IoError::new(
                IoErrorKind::Contradiction,
                "the scenario gives both inputs.travel_times and a [transit] section; give one: a travel-time file, or a GTFS feed to compute it from",
            )
            .in_file(file)
            .at_line(t.line)
            .field("transit"))
        }
        (None, None) => {
            return Err(doc.err(
                IoErrorKind::MissingKey,
                inputs_line,
                "inputs.travel_times",
                "the scenario has no travel times: expected inputs.travel_times = \"travel_times.csv\", or a [transit] section with a GTFS feed",
            ))
        }
        _ => {}
    }
    Ok(ScenarioFile {
        beyond_limit,
        worse_off_minutes,
        path: file.to_path_buf(),
        settings,
        max_minutes,
        objective,
        budget,
        sites,
        keep,
        close,
        solver,
        transit,
        key_lines,
        services,
        then,
        tolerance,
        min_sites,
        max_sites,
        study,
        capacity_assignment,
        about,
    })
}

const SOURCE_KEYS: &[&str] = &["name", "vintage", "licence", "url"];

/// `[about]` and its `[[about.sources]]`.
fn parse_about(doc: &Doc<'_>, t: &HashMap<String, &Val<'_>>) -> Result<AboutSection> {
    let text = |k: &str| -> Result<Option<String>> {
        let Some(v) = t.get(k) else { return Ok(None) };
        let field = format!("about.{k}");
        let s = doc.string(v, &field)?;
        if s.trim().is_empty() {
            return Err(doc.err(
                IoErrorKind::BadValue,
                v.span().start,
                &field,
                "expected some text, found an empty string",
            ));
        }
        Ok(Some(s.trim().to_string()))
    };
    let date = match t.get("date") {
        None => None,
        Some(v) => {
            let s = match v.get_ref() {
                DeValue::String(s) => s.trim().to_string(),
                DeValue::Datetime(d) => d.to_string(),
                _ => return Err(doc.bad_type(v, "about.date", "a date like 2024-05-01")),
            };
            if !is_date(&s) {
                return Err(doc.err(
                    IoErrorKind::BadValue,
                    v.span().start,
                    "about.date",
                    format!("expected a date like 2024-05-01 (YYYY-MM-DD), found {}", quote(&s)),
                ));
            }
            Some(s)
        }
    };
    let mut sources = Vec::new();
    if let Some(v) = t.get("sources") {
        const EXPECTED: &str = "an array of tables: [[about.sources]] with name, vintage and licence";
        let DeValue::Array(items) = v.get_ref() else {
            return Err(doc.bad_type(v, "about.sources", EXPECTED));
        };
        for (i, it) in items.iter().enumerate() {
            let field = format!("about.sources[{}]", i + 1);
            let DeValue::Table(tab) = it.get_ref() else {
                return Err(doc.bad_type(it, &field, "a table with name, vintage and licence"));
            };
            let mut got: HashMap<&str, &Val<'_>> = HashMap::new();
            for (k, val) in tab.iter() {
                let key: &str = k.get_ref();
                if !SOURCE_KEYS.contains(&key) {
                    return Err(doc.err(
                        IoErrorKind::UnknownKey,
                        k.span().start,
                        &format!("{field}.{key}"),
                        format!(
                            "unknown key `{key}` in [[about.sources]]{}; known keys: {}",
                            did_you_mean(key, SOURCE_KEYS.iter().copied()),
                            SOURCE_KEYS.join(", ")
                        ),
                    ));
                }
                got.insert(key, val);
            }
            let get = |k: &str, required: bool| -> Result<Option<String>> {
                let f = format!("{field}.{k}");
                match got.get(k) {
                    Some(val) => {
                        let s = doc.string(val, &f)?;
                        if s.trim().is_empty() {
                            return Err(doc.err(
                                IoErrorKind::BadValue,
                                val.span().start,
                                &f,
                                "expected some text, found an empty string",
                            ));
                        }
                        Ok(Some(s.trim().to_string()))
                    }
                    None if required => Err(doc.err(
                        IoErrorKind::MissingKey,
                        it.span().start,
                        &f,
                        format!(
                            "source {} has no `{k}`: every [[about.sources]] needs name, vintage and licence",
                            i + 1
                        ),
                    )),
                    None => Ok(None),
                }
            };
            let url = get("url", false)?;
            if let (Some(u), Some(val)) = (&url, got.get("url")) {
                if !(u.starts_with("https://") || u.starts_with("http://")) {
                    return Err(doc.err(
                        IoErrorKind::BadValue,
                        val.span().start,
                        &format!("{field}.url"),
                        format!("expected a web address starting with https://, found {}", quote(u)),
                    ));
                }
            }
            sources.push(AboutSource {
                name: get("name", true)?.unwrap_or_default(),
                vintage: get("vintage", true)?.unwrap_or_default(),
                licence: get("licence", true)?.unwrap_or_default(),
                url,
            });
        }
    }
    Ok(AboutSection {
        title: text("title")?,
        author: text("author")?,
        date,
        sources,
    })
}

fn parse_study(doc: &Doc<'_>, t: &HashMap<String, &Val<'_>>, off: usize) -> Result<StudySection> {
    let columns = |k: &str| -> Result<Vec<(String, u64)>> {
        t.get(k)
            .map(|v| match v.get_ref() {
                DeValue::Array(items) => items
                    .iter()
                    .map(|it| match it.get_ref() {
                        DeValue::String(s) => Ok((nfc_string(s.trim()), doc.line(it.span().start))),
                        _ => Err(doc.bad_type(it, &format!("study.{k}"), "a zone column name (a string)")),
                    })
                    .collect(),
                _ => Err(doc.bad_type(
                    v,
                    &format!("study.{k}"),
                    "an array of zone column names, like [\"pop_60plus\"]",
                )),
            })
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let mut indicators = Vec::new();
    if let Some(v) = t.get("indicators") {
        let DeValue::Table(tab) = v.get_ref() else {
            return Err(doc.bad_type(
                v,
                "study.indicators",
                "a table of zone columns and weights, like { imd_decile = 1.0, pop_0_4 = 0.5 }",
            ));
        };
        for (k, w) in tab.iter() {
            let col: &str = k.get_ref();
            let field = format!("study.indicators.{col}");
            let weight = doc.number_in(w, &field, "a weight, a number other than 0", |x| x != 0.0)?;
            indicators.push((nfc_string(col.trim()), weight, doc.line(k.span().start)));
        }
    }
    let children_column = match t.get("children_column") {
        Some(v) => Some((
            nfc_string(doc.string(v, "study.children_column")?.trim()),
            doc.line(v.span().start),
        )),
        None => None,
    };
    let priority_deciles = t
        .get("priority_deciles")
        .map(|v| {
            let d = doc.integer(v, "study.priority_deciles", "an IMD decile from 0 to 10", 0)?;
            u8::try_from(d).ok().filter(|d| *d <= 10).ok_or_else(|| {
                doc.err(
                    IoErrorKind::BadValue,
                    v.span().start,
                    "study.priority_deciles",
                    format!("expected an IMD decile from 0 to 10, found {d}"),
                )
            })
        })
        .transpose()?;
    Ok(StudySection {
        services: columns("services")?,
        indicators,
        children_column,
        protected: columns("protected")?,
        priority_deciles,
        area_zones: t
            .get("area_zones")
            .map(|v| doc.integer(v, "study.area_zones", "a whole number of zones ≥ 0", 0))
            .transpose()?,
        neighbour_k: t
            .get("neighbour_k")
            .map(|v| doc.integer(v, "study.neighbour_k", "a whole number of neighbours ≥ 1", 1))
            .transpose()?,
        neighbour_max_km: t
            .get("neighbour_max_km")
            .map(|v| doc.number_in(v, "study.neighbour_max_km", "a distance in km > 0", |x| x > 0.0))
            .transpose()?,
        line: doc.line(off),
    })
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

fn resolve(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p.trim());
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// Loads a scenario TOML and every input it names (paths relative to the
/// scenario's folder), validates them against each other, and resolves
/// `keep`/`close` ids. See docs/FORMATS.md.
pub fn load_scenario(path: &Path) -> Result<LoadedScenario> {
    crate::table::check_file(path, "scenario", limits::MAX_TOML_BYTES)?;
    let bytes =
        std::fs::read(path).map_err(|e| IoError::io(IoErrorKind::Read, path, &e, "cannot read the scenario file"))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let src = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        IoError::new(IoErrorKind::Toml, "not valid UTF-8 text; save the scenario as UTF-8")
            .in_file(path)
            .at_line(line)
    })?;
    if src.trim().is_empty() {
        return Err(IoError::new(
            IoErrorKind::Toml,
            "the scenario file is empty: expected at least an [inputs] section",
        )
        .in_file(path));
    }
    let sf = parse_scenario_str(src, path)?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut files = vec![InputFile {
        role: "scenario".into(),
        path: path.to_path_buf(),
        sha256: sha256_file(path)?,
    }];
    let mut warnings = Vec::new();
    let mut add = |role: &str, p: &Path| -> Result<()> {
        files.push(InputFile {
            role: role.into(),
            path: p.to_path_buf(),
            sha256: sha256_file(p)?,
        });
        Ok(())
    };

    let mut service_lines = Vec::new();
    let services = match &sf.settings.services {
        Some(s) => {
            let p = resolve(&base_dir, s);
            let r = read_services(&p)?;
            add("services", &p)?;
            warnings.extend(r.warnings);
            service_lines = r.lines.clone();
            Some((p, r.services, r.lines))
        }
        None => None,
    };
    let sites_path = resolve(&base_dir, &sf.settings.sites);
    let sites = read_sites(&sites_path, services.as_ref().map(|(_, s, _)| s.as_slice()))?;
    add("sites", &sites_path)?;
    warnings.extend(sites.warnings);
    let zones_path = resolve(&base_dir, &sf.settings.zones);
    let zones = read_zones(&zones_path, sf.settings.need_column.as_deref())?;
    add("zones", &zones_path)?;
    warnings.extend(zones.warnings);

    // The equity rule protects the zones in IMD deciles 1..=d: with no decile on any
    // zone it would protect none, silently (the Newport audit: a Welsh file's decile
    // column was `wimd_2019_decile`, so the plan said "zones in IMD deciles 1–2 covered"
    // and covered nothing more).
    if let Some(d) = sf.services.as_ref().and_then(|s| s.equity_max_imd_decile) {
        if zones.zones.iter().all(|z| z.imd_decile.is_none()) {
            return Err(IoError::new(
                IoErrorKind::MissingColumn,
                format!(
                    "services.equity_max_imd_decile = {d} protects the zones in IMD deciles 1 to {d}, but no zone of {} has an \
                     `imd_decile`{}; expected an `imd_decile` column (a whole number 1 to 10, 1 = most deprived), or remove the rule",
                    zones_path.display(),
                    crate::records::decile_column_hint(zones.zones.iter().flat_map(|z| z.attributes.keys().map(String::as_str)))
                ),
            )
            .in_file(path)
            .at_opt_line(sf.key_lines.get("services.equity_max_imd_decile").copied())
            .field("services.equity_max_imd_decile"));
        }
    }

    // Services' need columns must be zone columns.
    if let Some((sp, svcs, lines)) = &services {
        let mut cols: Vec<&str> = zones
            .zones
            .iter()
            .flat_map(|z| z.attributes.keys().map(String::as_str))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        for (k, s) in svcs.iter().enumerate() {
            if let Some(nc) = &s.need_column {
                if !cols.contains(&nc.as_str()) {
                    return Err(IoError::new(
                        IoErrorKind::MissingColumn,
                        format!(
                            "service {} needs zone column `{nc}`, which is not a numeric column of {}{}",
                            quote(&s.id),
                            zones_path.display(),
                            did_you_mean(nc, cols.iter().copied())
                        ),
                    )
                    .in_file(sp)
                    .at_opt_line(lines.get(k).copied())
                    .field("need_column"));
                }
            }
        }
    }

    let travel = match &sf.settings.travel_times {
        Some(t) => {
            let p = resolve(&base_dir, t);
            let r = read_travel_times(&p, &sites.sites, &zones.zones)?;
            add("travel_times", &p)?;
            warnings.extend(r.warnings);
            Some(r.travel)
        }
        None => None,
    };
    if let Some(tr) = &sf.transit {
        crate::table::check_file(&tr.gtfs, "GTFS", u64::MAX).or_else(|e| {
            if e.kind == IoErrorKind::NotAFile && tr.gtfs.is_dir() {
                Ok(0)
            } else {
                Err(IoError {
                    line: Some(tr.line),
                    field: Some("transit.gtfs".into()),
                    file: Some(path.to_path_buf()),
                    ..e
                })
            }
        })?;
        if let Some(osm) = &tr.osm {
            crate::table::check_file(osm, "OpenStreetMap extract", u64::MAX).map_err(|e| IoError {
                line: Some(tr.line),
                field: Some("transit.osm".into()),
                file: Some(path.to_path_buf()),
                message: format!("{} ({})", e.message, osm.display()),
                ..e
            })?;
            add("osm", osm)?;
        }
        if tr.gtfs.is_file() {
            add("gtfs", &tr.gtfs)?;
        } else {
            files.push(InputFile {
                role: "gtfs".into(),
                path: tr.gtfs.clone(),
                sha256: String::new(),
            });
        }
    }

    // Resolve keep/close.
    let index: HashMap<&str, usize> = sites
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let resolve_ids = |ids: &[(String, u64)], field: &str, warnings: &mut Vec<String>| -> Result<Vec<SiteIdx>> {
        let mut out: Vec<SiteIdx> = Vec::new();
        for (id, line) in ids {
            match index.get(id.as_str()) {
                Some(&i) => {
                    let s = SiteIdx::from_index(i);
                    if out.contains(&s) {
                        warnings.push(format!(
                            "{}:{line}: {field}: site {} is listed twice",
                            path.display(),
                            quote(id)
                        ));
                    } else {
                        out.push(s);
                    }
                }
                None => {
                    return Err(IoError::new(
                        IoErrorKind::UnknownId,
                        format!(
                            "unknown site id {}: expected an id from {}{}",
                            quote(id),
                            sites_path.display(),
                            did_you_mean(id, sites.sites.iter().map(|s| s.id.as_str()))
                        ),
                    )
                    .in_file(path)
                    .at_line(*line)
                    .field(field))
                }
            }
        }
        Ok(out)
    };
    let keep = resolve_ids(&sf.keep, "limits.keep", &mut warnings)?;
    let close = resolve_ids(&sf.close, "limits.close", &mut warnings)?;
    if let Some(n) = sf.sites {
        if n as usize > sites.sites.len() {
            return Err(IoError::new(
                IoErrorKind::Contradiction,
                format!(
                    "limits.sites asks for exactly {n} open sites but the sites file has only {}",
                    sites.sites.len()
                ),
            )
            .in_file(path)
            .at_opt_line(sf.key_lines.get("limits.sites").copied())
            .field("limits.sites"));
        }
    }
    if let Some(lo) = sf.min_sites {
        if lo as usize > sites.sites.len() {
            return Err(IoError::new(
                IoErrorKind::Contradiction,
                format!(
                    "limits.min_sites asks for at least {lo} open sites but the sites file has only {}",
                    sites.sites.len()
                ),
            )
            .in_file(path)
            .at_opt_line(sf.key_lines.get("limits.min_sites").copied())
            .field("limits.min_sites"));
        }
    }
    let service_rules = match &sf.services {
        None => None,
        Some(sec) => Some(
            resolve_service_rules(
                &sf,
                sec,
                path,
                &sites_path,
                services.as_ref().map_or(Path::new(""), |(p, _, _)| p.as_path()),
                &sites.sites,
                &sites.services,
                &index,
                (&keep, &close),
                &mut warnings,
            )?
            .with_capacity(service_capacity(
                &sf,
                (&sites.max_users_by_service, &sites.users_today_by_service),
                &sites.services,
                &sites_path,
                &mut warnings,
            )),
        ),
    };
    if sf.services.is_none() && per_service_given((&sites.max_users_by_service, &sites.users_today_by_service)) {
        warnings.push(format!(
            "{}: max_users_<service> / users_today_<service> columns are used only by the co-location model \
             (a [services] table); this scenario plans one service with max_users",
            sites_path.display()
        ));
    }
    let rows = InputRows {
        sites_file: sites_path.clone(),
        sites: sites.lines.clone(),
        sites_bng: sites.bng.clone(),
        zones_file: zones_path.clone(),
        zones: zones.lines.clone(),
        services_file: services.as_ref().map(|(p, _, _)| p.clone()).unwrap_or_default(),
        services: service_lines,
        travel_file: sf
            .settings
            .travel_times
            .as_ref()
            .map(|t| resolve(&base_dir, t))
            .unwrap_or_default(),
        need_source: zones.need_source.clone(),
        annual_costs: sites.annual_costs,
    };
    let scenario = Scenario {
        max_minutes: sf.max_minutes,
        objective: sf.objective,
        budget: sf.budget,
        sites: sf.sites,
        keep,
        close,
        solver: sf.solver.clone(),
        beyond_limit: sf.beyond_limit,
        worse_off_minutes: sf.worse_off_minutes,
        capacity: demand_capacity(
            &sf,
            (&sites.max_users, &sites.users_today),
            &sites_path,
            per_service_given((&sites.max_users_by_service, &sites.users_today_by_service)),
            &mut warnings,
        ),
    };
    Ok(LoadedScenario {
        path: path.to_path_buf(),
        base_dir,
        inputs_without_travel: InputsWithoutTravel {
            sites: sites.sites,
            zones: zones.zones,
            services: sites.services,
        },
        travel,
        scenario,
        transit: sf.transit,
        settings: sf.settings,
        files,
        warnings,
        service_rules,
        study: sf.study,
        rows,
        about: sf.about,
    })
}

/// Demand capacity from the sites' `max_users` / `users_today` columns and
/// `capacity.assignment` (docs/MODEL.md §1.3); `None` when neither column has a value.
fn demand_capacity(
    sf: &ScenarioFile,
    (max_users, users_today): (&[Option<f64>], &[Option<f64>]),
    sites_path: &Path,
    per_service: bool,
    warnings: &mut Vec<String>,
) -> Option<hubplan::scenario::DemandCapacity> {
    let any = max_users.iter().chain(users_today).any(Option::is_some);
    if !any {
        // Under [services], capacity.assignment applies to the max_users_<service> columns.
        if let (Some((a, line)), false) = (sf.capacity_assignment, sf.services.is_some() && per_service) {
            warnings.push(format!(
                "{}: line {line}: capacity.assignment = \"{}\" has no effect: {} gives no site a max_users",
                sf.path.display(),
                a.name(),
                sites_path.display()
            ));
        }
        return None;
    }
    if sf.services.is_some() && max_users.iter().any(Option::is_some) {
        warnings.push(format!(
            "{}: max_users is not used by the co-location model ([services]); give a capacity per service \
             with max_users_<service> columns (docs/FORMATS.md)",
            sites_path.display()
        ));
    }
    Some(hubplan::scenario::DemandCapacity {
        max_users: max_users.to_vec(),
        users_today: users_today.to_vec(),
        assignment: sf.capacity_assignment.map(|(a, _)| a).unwrap_or_default(),
    })
}

/// One per-service column family of a sites file: `(service, value per site)`.
type PerServiceCols<'a> = &'a [(ServiceIdx, Vec<Option<f64>>)];

/// Whether the sites file gives a value in some `max_users_<service>` or `users_today_<service>` cell.
fn per_service_given((max_users, users_today): (PerServiceCols<'_>, PerServiceCols<'_>)) -> bool {
    max_users
        .iter()
        .chain(users_today)
        .any(|(_, v)| v.iter().any(Option::is_some))
}

/// Demand capacity per building and service from the sites' `max_users_<service>`
/// / `users_today_<service>` columns and `capacity.assignment` (docs/MODEL.md §2);
/// `None` when no such cell has a value.
fn service_capacity(
    sf: &ScenarioFile,
    (max_users, users_today): (PerServiceCols<'_>, PerServiceCols<'_>),
    services: &[Service],
    sites_path: &Path,
    warnings: &mut Vec<String>,
) -> Option<hubplan::colocate::ServiceCapacity> {
    if !per_service_given((max_users, users_today)) {
        return None;
    }
    if !max_users.iter().any(|(_, v)| v.iter().any(Option::is_some)) {
        warnings.push(format!(
            "{}: users_today_<service> is given but no max_users_<service>: utilisation is reported only \
             against a capacity, and the plan is not limited",
            sites_path.display()
        ));
    } else {
        // Some service has a capacity, but a users_today_<s> column whose service has none
        // is not used either: say so per service rather than drop it silently.
        let capped = |s: ServiceIdx| max_users.iter().any(|(m, v)| *m == s && v.iter().any(Option::is_some));
        for (s, v) in users_today {
            if v.iter().any(Option::is_some) && !capped(*s) {
                let id = services.get(s.index()).map_or("?", |x| x.id.as_str());
                warnings.push(format!(
                    "{}: users_today_{id} is given but no max_users_{id}: utilisation of {id} is reported only \
                     against a capacity, so these values are not used",
                    sites_path.display()
                ));
            }
        }
    }
    Some(hubplan::colocate::ServiceCapacity {
        max_users: max_users.to_vec(),
        users_today: users_today.to_vec(),
        assignment: sf.capacity_assignment.map(|(a, _)| a).unwrap_or_default(),
    })
}

/// Resolves the `[services]` table and the co-location keys into [`ServiceRules`].
#[allow(clippy::too_many_arguments)]
fn resolve_service_rules(
    sf: &ScenarioFile,
    sec: &ServicesSection,
    path: &Path,
    sites_path: &Path,
    services_path: &Path,
    sites: &[Site],
    services: &[Service],
    site_index: &HashMap<&str, usize>,
    (keep, close): (&[SiteIdx], &[SiteIdx]),
    warnings: &mut Vec<String>,
) -> Result<ServiceRules> {
    let svc_index: HashMap<&str, usize> = services.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let service = |id: &str, line: u64, field: &str| -> Result<ServiceIdx> {
        svc_index.get(id).map(|&i| ServiceIdx::from_index(i)).ok_or_else(|| {
            IoError::new(
                IoErrorKind::UnknownId,
                format!(
                    "unknown service id {}: expected an id from {} ({}){}",
                    quote(id),
                    services_path.display(),
                    services.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", "),
                    did_you_mean(id, services.iter().map(|s| s.id.as_str()))
                ),
            )
            .in_file(path)
            .at_line(line)
            .field(field)
        })
    };
    let site = |id: &str, line: u64, field: &str| -> Result<SiteIdx> {
        site_index.get(id).map(|&i| SiteIdx::from_index(i)).ok_or_else(|| {
            IoError::new(
                IoErrorKind::UnknownId,
                format!(
                    "unknown site id {}: expected an id from {}{}",
                    quote(id),
                    sites_path.display(),
                    did_you_mean(id, sites.iter().map(|s| s.id.as_str()))
                ),
            )
            .in_file(path)
            .at_line(line)
            .field(field)
        })
    };
    let list = |ids: &[(String, u64)], field: &str, warnings: &mut Vec<String>| -> Result<Vec<ServiceIdx>> {
        let mut out = Vec::new();
        for (id, line) in ids {
            let s = service(id, *line, field)?;
            if out.contains(&s) {
                warnings.push(format!(
                    "{}:{line}: {field}: service {} is listed twice",
                    path.display(),
                    quote(id)
                ));
            } else {
                out.push(s);
            }
        }
        Ok(out)
    };
    let required = list(&sec.required, "services.required", warnings)?;
    let hub = list(&sec.hub, "services.hub", warnings)?;
    if !required.is_empty() {
        for (id, line) in &sec.hub {
            if let Some(s) = svc_index.get(id.as_str()).map(|&i| ServiceIdx::from_index(i)) {
                if !required.contains(&s) {
                    return Err(IoError::new(
                        IoErrorKind::Contradiction,
                        format!(
                            "hub service {} is not among services.required; a family hub can only host planned services",
                            quote(id)
                        ),
                    )
                    .in_file(path)
                    .at_line(*line)
                    .field("services.hub"));
                }
            }
        }
    }
    let planned = |s: ServiceIdx| required.is_empty() || required.contains(&s);
    let can_host = |j: SiteIdx, s: ServiceIdx| {
        let st = &sites[j.index()];
        st.can_host.contains(&s) || st.services.contains(&s)
    };
    let mut pairs = |v: &[(String, String, u64)], field: &str| -> Result<Vec<(SiteIdx, ServiceIdx)>> {
        let mut out = Vec::new();
        for (si, sv, line) in v {
            let j = site(si, *line, field)?;
            let s = service(sv, *line, field)?;
            if !planned(s) {
                return Err(IoError::new(
                    IoErrorKind::Contradiction,
                    format!(
                        "service {} is not among services.required, so it is not planned and cannot be forced",
                        quote(sv)
                    ),
                )
                .in_file(path)
                .at_line(*line)
                .field(field));
            }
            if out.contains(&(j, s)) {
                warnings.push(format!(
                    "{}:{line}: {field}: [{}, {}] is listed twice",
                    path.display(),
                    quote(si),
                    quote(sv)
                ));
            } else {
                out.push((j, s));
            }
        }
        Ok(out)
    };
    let keep_service = pairs(&sec.keep_service, "services.keep_service")?;
    let close_service = pairs(&sec.close_service, "services.close_service")?;
    for ((j, s), (si, sv, line)) in keep_service.iter().zip(&sec.keep_service) {
        let field = "services.keep_service";
        if close.contains(j) {
            return Err(IoError::new(
                IoErrorKind::Contradiction,
                format!(
                    "services.keep_service keeps {} at site {}, which limits.close closes",
                    quote(sv),
                    quote(si)
                ),
            )
            .in_file(path)
            .at_line(*line)
            .field(field));
        }
        if !can_host(*j, *s) {
            let st = &sites[j.index()];
            let mut hostable: Vec<&str> = st
                .can_host
                .iter()
                .chain(&st.services)
                .filter_map(|k| services.get(k.index()).map(|x| x.id.as_str()))
                .collect();
            hostable.sort_unstable();
            hostable.dedup();
            return Err(IoError::new(
                IoErrorKind::Contradiction,
                format!(
                    "services.keep_service keeps {} at site {}, which cannot host it (its services and can_host in {} list: {})",
                    quote(sv),
                    quote(si),
                    sites_path.display(),
                    if hostable.is_empty() { "nothing".to_string() } else { hostable.join(", ") }
                ),
            )
            .in_file(path)
            .at_line(*line)
            .field(field));
        }
    }
    let defaults = ServiceRules::default();
    Ok(ServiceRules {
        services: required,
        hub,
        min_hubs_per_district: sec.min_hubs_per_district,
        max_minutes: sf.max_minutes,
        objective: sf.objective,
        then: sf.then,
        lex_tolerance: sf.tolerance.unwrap_or(defaults.lex_tolerance),
        annual_budget: sf.budget,
        capital_budget: sec.capital_budget,
        savings_target: sec.savings_target,
        sites: SiteCount {
            exact: sf.sites,
            min: sf.min_sites,
            max: sf.max_sites,
        },
        keep: keep.to_vec(),
        close: close.to_vec(),
        keep_service,
        close_service,
        equity_max_imd_decile: sec.equity_max_imd_decile,
        solver: sf.solver.clone(),
        beyond_limit: sf.beyond_limit,
        worse_off_minutes: sf.worse_off_minutes,
        capacity: None,
    })
}
