//! `hubplan._native`: the Python extension module behind the `hubplan` package.
//!
//! A thin layer over the run facade (`hubplan-run`): every function here converts
//! Python values to the facade's types and back, releases the GIL for the work, and
//! turns the facade's errors into Python exceptions with the same messages as the
//! command line. The Python side (`python/hubplan/*.py`) turns frames into the
//! facade's input formats and its outputs into frames.
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::path::{Path, PathBuf};
use std::time::Duration;

use hubplan::ObjectiveKind;
use hubplan_run::{AppendixOptions, Job, LoadOptions, Outcome, Overrides, SweepPoint, Window, WriteOptions};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use serde_json::Value;

create_exception!(
    _native,
    HubplanError,
    PyValueError,
    "An error from hubplan (a subclass of ValueError)."
);
create_exception!(
    _native,
    InputError,
    HubplanError,
    "Bad input: the message names the file (or frame), the row, the field and what was expected."
);

fn to_py(e: hubplan_run::Error) -> PyErr {
    if e.is_bad_input() {
        InputError::new_err(e.to_string())
    } else {
        PyRuntimeError::new_err(e.to_string())
    }
}

fn invalid(field: &str, message: impl std::fmt::Display) -> PyErr {
    InputError::new_err(format!("{field}: {message}"))
}

/// The facade's travel-time error, a refused parameter named by the keyword argument of
/// `travel_times` the user gave (`walk_speed`, not the engine's `walk_speed_kmh`;
/// the table is `hubplan_run::TRAVEL_PARAMETERS`), with the library's value and expectation.
fn travel_error(e: hubplan_run::Error) -> PyErr {
    if let hubplan_run::Error::Invalid { field, message } = &e {
        if let Some(keyword) = hubplan_run::travel_parameter(field).and_then(|p| p.keyword) {
            return invalid(keyword, message);
        }
    }
    to_py(e)
}

/// A loaded scenario (the facade's `Job`): inputs, travel times and rules, read once.
#[pyclass(module = "hubplan._native", frozen)]
struct Project {
    job: Job,
}

/// Parses the JSON object of what-if overrides that `Scenario.plan(**overrides)` sends.
fn overrides(json: &str) -> PyResult<Overrides> {
    let v: Value = serde_json::from_str(json).map_err(|e| invalid("overrides", e))?;
    let obj = v
        .as_object()
        .ok_or_else(|| invalid("overrides", "expected an object"))?;
    let mut o = Overrides::default();
    for (key, value) in obj {
        let num = |v: &Value| {
            v.as_f64()
                .ok_or_else(|| invalid(key, format!("expected a number, found {v}")))
        };
        let ids = |v: &Value| -> PyResult<Vec<String>> {
            let arr = v
                .as_array()
                .ok_or_else(|| invalid(key, format!("expected a list of site ids, found {v}")))?;
            arr.iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| invalid(key, format!("expected a site id (a string), found {x}")))
                })
                .collect()
        };
        match key.as_str() {
            "keep" => o.keep = ids(value)?,
            "close" => o.close = ids(value)?,
            "free" => o.free = ids(value)?,
            "max_minutes" => o.max_minutes = Some(num(value)?),
            "budget" => o.budget = Some(num(value)?),
            "savings_target" => o.savings_target = Some(num(value)?),
            "capital_budget" => o.capital_budget = Some(num(value)?),
            "sites" => {
                let n = value
                    .as_u64()
                    .filter(|n| *n >= 1 && *n <= u64::from(u32::MAX))
                    .ok_or_else(|| invalid(key, format!("expected a whole number ≥ 1, found {value}")))?;
                o.sites = Some(n as u32);
            }
            "objective" => {
                let s = value.as_str().unwrap_or_default();
                o.objective = Some(match s {
                    "min_cost" => ObjectiveKind::MinCost,
                    "max_coverage" => ObjectiveKind::MaxCoverage,
                    "min_travel" => ObjectiveKind::MinTravel,
                    _ => {
                        return Err(invalid(
                            key,
                            format!("expected min_cost, max_coverage or min_travel, found {value}"),
                        ))
                    }
                });
            }
            "time_limit_s" => {
                let t = num(value)?;
                if !(t.is_finite() && t > 0.0) {
                    return Err(invalid(key, format!("expected seconds > 0, found {value}")));
                }
                o.time_limit = Some(Duration::from_secs_f64(t));
            }
            other => return Err(invalid(other, "unknown override")),
        }
    }
    Ok(o)
}

#[pymethods]
impl Project {
    /// Loads a scenario file and its inputs (GIL released).
    #[staticmethod]
    #[pyo3(signature = (path, gtfs_max_file_mib=None))]
    fn load(py: Python<'_>, path: PathBuf, gtfs_max_file_mib: Option<u32>) -> PyResult<Self> {
        let opts = LoadOptions::default().with_gtfs_max_file_mib(gtfs_max_file_mib);
        let job = py
            .detach(|| hubplan_run::load(&path, &opts, &hubplan_run::silent()))
            .map_err(to_py)?;
        Ok(Project { job })
    }

    /// Plans the scenario with the overrides (a JSON object), GIL released.
    fn plan(&self, py: Python<'_>, overrides_json: &str) -> PyResult<PlanOutcome> {
        let o = overrides(overrides_json)?;
        let (outcome, files) = py
            .detach(|| -> hubplan_run::Result<_> {
                let outcome = self.job.solve(&o)?;
                let files = outcome.files()?;
                Ok((outcome, files))
            })
            .map_err(to_py)?;
        Ok(PlanOutcome { outcome, files })
    }

    /// sweep.csv of the scenario over `values` of `kind` (budget | max_minutes).
    #[pyo3(signature = (kind, values, threads=None, header=true))]
    fn sweep_csv(
        &self,
        py: Python<'_>,
        kind: &str,
        values: Vec<f64>,
        threads: Option<usize>,
        header: bool,
    ) -> PyResult<String> {
        let points: Vec<SweepPoint> = match kind {
            "budget" => values.iter().map(|&v| SweepPoint::Budget(v)).collect(),
            "max_minutes" => values.iter().map(|&v| SweepPoint::MaxMinutes(v)).collect(),
            _ => {
                return Err(invalid(
                    "kind",
                    format!("expected budget or max_minutes, found {kind:?}"),
                ))
            }
        };
        for v in &values {
            if !v.is_finite() || *v < 0.0 || (kind == "max_minutes" && *v <= 0.0) {
                return Err(invalid(kind, format!("expected a finite number > 0, found {v}")));
            }
        }
        let job = &self.job;
        let run = || -> hubplan_run::Result<Vec<u8>> {
            let sweep = job.sweep(&points, &hubplan_run::silent())?;
            let files = sweep.files(job)?;
            Ok(files
                .into_iter()
                .find(|(n, _)| *n == "sweep.csv")
                .map(|(_, b)| b)
                .unwrap_or_default())
        };
        let bytes = py
            .detach(|| match threads {
                Some(n) => rayon_pool(n)
                    .map_err(|e| hubplan_run::Error::invalid("threads", e))?
                    .install(run),
                None => run(),
            })
            .map_err(to_py)?;
        let text = String::from_utf8(bytes).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(if header { text } else { strip_header(&text) })
    }

    /// alternatives.csv: up to `k` plans within `within` % of the optimum.
    fn alternatives_csv(&self, py: Python<'_>, k: usize, within: f64) -> PyResult<String> {
        if !(within.is_finite() && within >= 0.0) {
            return Err(invalid("within", format!("expected a percentage ≥ 0, found {within}")));
        }
        let job = &self.job;
        let bytes = py
            .detach(|| -> hubplan_run::Result<Vec<u8>> {
                let alt = job.alternatives(k, within / 100.0, &hubplan_run::silent())?;
                alt.csv(job)
            })
            .map_err(to_py)?;
        String::from_utf8(bytes).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// The path of an input file (`sites`, `zones`…) as the scenario names it, if any.
    fn input_path(&self, role: &str) -> Option<String> {
        self.job
            .meta()
            .inputs
            .iter()
            .find(|f| f.role == role)
            .map(|f| f.path.display().to_string())
    }

    /// `{id: [lon, lat]}` of the sites (`layer = "site"`) or zones, WGS84.
    fn points_json(&self, layer: &str) -> PyResult<String> {
        let inputs = self.job.inputs();
        let mut map = serde_json::Map::new();
        match layer {
            "site" => {
                for s in &inputs.sites {
                    map.insert(s.id.clone(), serde_json::json!([s.pos.lon, s.pos.lat]));
                }
            }
            "zone" => {
                for z in &inputs.zones {
                    map.insert(z.id.clone(), serde_json::json!([z.pos.lon, z.pos.lat]));
                }
            }
            _ => return Err(invalid("layer", "expected site or zone")),
        }
        Ok(Value::Object(map).to_string())
    }

    /// The loader's warnings, as a JSON list of strings.
    fn notices_json(&self) -> String {
        Value::from(self.job.meta().warnings.clone()).to_string()
    }

    /// A one-line description.
    fn describe(&self) -> String {
        let i = self.job.inputs();
        format!(
            "{} model: {} sites, {} zones, {} travel-time pairs",
            self.job.model().name(),
            i.sites.len(),
            i.zones.len(),
            i.travel.n_pairs()
        )
    }
}

/// One solved plan (the facade's `Outcome`).
#[pyclass(module = "hubplan._native", frozen)]
struct PlanOutcome {
    outcome: Outcome,
    /// The plan directory's files, rendered once when the plan is made (plan.json,
    /// sites.csv, zones.csv and plan.geojson are read many times from Python).
    files: Vec<(&'static str, Vec<u8>)>,
}

#[pymethods]
impl PlanOutcome {
    /// plan.json, exactly as `hubplan plan` writes it.
    fn plan_json(&self) -> PyResult<String> {
        let bytes = self.file("plan.json")?;
        String::from_utf8(bytes).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// One file of the plan directory (`plan.json`, `sites.csv`, `zones.csv`, `plan.geojson`).
    fn file(&self, name: &str) -> PyResult<Vec<u8>> {
        self.files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b.clone())
            .ok_or_else(|| invalid("name", format!("no file {name:?} in a plan directory")))
    }

    /// Writes the plan directory (and the appendix with `report`), atomically.
    #[pyo3(signature = (directory, report=true))]
    fn write(&self, py: Python<'_>, directory: PathBuf, report: bool) -> PyResult<()> {
        let opts = WriteOptions::with_report(report, AppendixOptions::default());
        py.detach(|| self.outcome.write(&directory, &opts)).map_err(to_py)?;
        Ok(())
    }

    /// The terminal summary `hubplan plan` prints.
    fn summary_text(&self) -> String {
        self.outcome.summary_text()
    }
}

fn rayon_pool(threads: usize) -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| e.to_string())
}

/// The travel-time matrix as `travel_times` CSV text (the file `hubplan travel-times`
/// writes), optionally for the origins `origin_block = (start, end)` only and without
/// the header, so that blocks concatenate to the whole.
#[pyfunction]
#[pyo3(signature = (gtfs, origins, destinations, date, window, percentile, max_minutes, options_json="{}", origin_block=None, header=true))]
#[allow(clippy::too_many_arguments)]
fn travel_times_csv(
    py: Python<'_>,
    gtfs: PathBuf,
    origins: PathBuf,
    destinations: PathBuf,
    date: String,
    window: &str,
    percentile: f64,
    max_minutes: f64,
    options_json: &str,
    origin_block: Option<(usize, usize)>,
    header: bool,
) -> PyResult<String> {
    let window: Window = window.parse().map_err(|e| invalid("window", e))?;
    let mut req = hubplan_run::MatrixRequest::new(gtfs, origins, destinations, date, window);
    req.config.percentile = percentile;
    req.config.max_minutes = max_minutes;
    let opts: Value = serde_json::from_str(options_json).map_err(|e| invalid("options", e))?;
    if let Some(obj) = opts.as_object() {
        for (key, v) in obj {
            let num = || {
                v.as_f64()
                    .ok_or_else(|| invalid(key, format!("expected a number, found {v}")))
            };
            let whole = || {
                v.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| invalid(key, format!("expected a whole number ≥ 0, found {v}")))
            };
            match key.as_str() {
                "walk_speed" => req.config.walk_speed_kmh = num()?,
                "detour" => req.config.detour = num()?,
                "max_walk" => req.config.max_walk_m = num()?,
                "max_transfer_walk" => req.config.max_transfer_walk_m = num()?,
                "transfer_slack" => req.config.transfer_slack_s = whole()?,
                "max_rides" => req.config.max_rides = Some(whole()?),
                "share_within" => req.config.share_within = Some(num()?),
                "gtfs_max_file_mib" => req.gtfs_max_file_mib = Some(whole()?),
                other => return Err(invalid(other, "unknown travel-time option")),
            }
        }
    }
    let bytes = py
        .detach(|| -> hubplan_run::Result<Vec<u8>> {
            hubplan_run::travel_times_block(&req, origin_block, &hubplan_run::silent())?.csv()
        })
        .map_err(travel_error)?;
    let text = String::from_utf8(bytes).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok(if header { text } else { strip_header(&text) })
}

fn strip_header(text: &str) -> String {
    text.split_once('\n')
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

/// The ids of a points file (CSV or GeoJSON), in file order.
#[pyfunction]
fn read_point_ids(path: PathBuf) -> PyResult<Vec<String>> {
    let pts = hubplan_io::read_points(&path).map_err(|e| to_py(e.into()))?;
    Ok(pts.into_iter().map(|(id, _)| id).collect())
}

/// Compares two plan.json documents (`hubplan compare`): the sites whose decision
/// differs and each total in both, as JSON.
#[pyfunction]
fn compare_json(a: &str, b: &str) -> PyResult<String> {
    let pa = hubplan_io::parse_plan_json(a, Path::new("a")).map_err(|e| to_py(e.into()))?;
    let pb = hubplan_io::parse_plan_json(b, Path::new("b")).map_err(|e| to_py(e.into()))?;
    let (sa, sb) = (hubplan_run::plan_summary("a", &pa), hubplan_run::plan_summary("b", &pb));
    let c = hubplan::whatif::compare(&sa, &sb);
    serde_json::to_string(&c).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("HubplanError", m.py().get_type::<HubplanError>())?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add_class::<Project>()?;
    m.add_class::<PlanOutcome>()?;
    m.add_function(wrap_pyfunction!(travel_times_csv, m)?)?;
    m.add_function(wrap_pyfunction!(read_point_ids, m)?)?;
    m.add_function(wrap_pyfunction!(compare_json, m)?)?;
    Ok(())
}
