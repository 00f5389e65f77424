//! Sites, zones, services and points: tables → validated core records.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use hubplan::geo::LonLat;
use hubplan::model::{Service, Site, SiteStatus, Zone};
use hubplan::ServiceIdx;

use crate::error::{did_you_mean, quote, IoError, IoErrorKind, Result};
use crate::limits;
use crate::table::{Geoms, NumSpec, Row, Table};

/// Sites read from a file, with the services they name.
#[derive(Clone, Debug, PartialEq)]
pub struct SitesFile {
    /// The sites, in file order.
    pub sites: Vec<Site>,
    /// The services: the ones given to [`read_sites`], or the ones created from the names found.
    pub services: Vec<Service>,
    /// The 1-based line (CSV) or feature line (GeoJSON) of each site.
    pub lines: Vec<u64>,
    /// Whether each site's position was given in British National Grid metres
    /// (easting/northing, or a GeoJSON file in EPSG:27700) rather than WGS84 degrees.
    pub bng: Vec<bool>,
    /// Non-fatal remarks (ignored columns, empty money cells read as 0…).
    pub warnings: Vec<String>,
    /// Whether the file has an `annual_cost` column, and how many sites have a cost in it
    /// (a cell that is not empty): a plan warns, or refuses a cost objective, when none
    /// has (docs/FORMATS.md).
    pub annual_costs: (bool, usize),
    /// Demand capacity of each site (`max_users`, in the unit of the zones' need;
    /// `None`: unlimited or no such column). See docs/FORMATS.md.
    pub max_users: Vec<Option<f64>>,
    /// Each site's use today (`users_today`, same unit), for utilisation before
    /// and after; `None` when not given.
    pub users_today: Vec<Option<f64>>,
    /// Demand capacity per service (co-location model): one entry per
    /// `max_users_<service>` column, the most users of that service each site
    /// can serve, in the unit of the service's need column; `None`: unlimited.
    pub max_users_by_service: Vec<(ServiceIdx, Vec<Option<f64>>)>,
    /// Use today per service: one entry per `users_today_<service>` column.
    pub users_today_by_service: Vec<(ServiceIdx, Vec<Option<f64>>)>,
}

/// The prefixes of the per-service demand-capacity columns of a sites file.
const PER_SERVICE_PREFIXES: [&str; 2] = ["max_users_", "users_today_"];

/// `(prefix index, service suffix)` of a per-service column name (`max_users_youth` → `(0, "youth")`).
fn per_service_column(name: &str) -> Option<(usize, &str)> {
    PER_SERVICE_PREFIXES.iter().enumerate().find_map(|(k, p)| {
        let head = name.get(..p.len())?;
        let rest = &name[p.len()..];
        (head.eq_ignore_ascii_case(p) && !rest.is_empty()).then_some((k, rest))
    })
}

/// Zones read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct ZonesFile {
    /// The zones, in file order.
    pub zones: Vec<Zone>,
    /// Which column `need` came from (`need`, the scenario's `need_column`, or `population`).
    pub need_source: String,
    /// Non-fatal remarks.
    pub warnings: Vec<String>,
    /// The 1-based line (CSV) or feature line (GeoJSON) of each zone.
    pub lines: Vec<u64>,
}

/// Services read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct ServicesFile {
    /// The services, in file order.
    pub services: Vec<Service>,
    /// The 1-based line of each service.
    pub lines: Vec<u64>,
    /// Non-fatal remarks.
    pub warnings: Vec<String>,
}

const SITE_COLUMNS: &[&str] = &[
    "id",
    "name",
    "lon",
    "lat",
    "easting",
    "northing",
    "district",
    "kind",
    "status",
    "annual_cost",
    "backlog",
    "open_cost",
    "capacity",
    "services",
    "can_host",
    "disposal_receipt",
    "max_users",
    "users_today",
];

const POSITION_ALIASES: &[&str] = &["longitude", "lng", "latitude", "eastings", "northings"];

/// A column name one or two edits from `need` (`ned`, `needs`, `nead`), not
/// `need` itself nor a word of its own that youth and family data carry
/// (`neet`: young people not in education, employment or training): a likely
/// typo when the zones fall back to `population`.
fn looks_like_need(col: &str) -> bool {
    let c = col.trim().to_lowercase();
    !matches!(c.as_str(), "need" | "neet" | "neets" | "week" | "seed")
        && c.chars().count() >= 3
        && strsim::levenshtein(&c, "need") <= 2
}

/// Columns that are neither known nor position aliases: a warning, or an error when
/// the column is a near miss of a known column that is absent (a typo would
/// otherwise silently default, e.g. `anual_cost` → every cost 0).
fn unknown_columns(t: &Table, known: &[&str], warnings: &mut Vec<String>) -> Result<Vec<usize>> {
    let mut unknown = Vec::new();
    for (i, c) in t.columns.iter().enumerate() {
        if c.is_empty() {
            if t.rows.iter().any(|r| !t.cell(r, Some(i)).is_empty()) {
                warnings.push(format!("{}: column {} has no name; ignored", t.file.display(), i + 1));
            }
            continue;
        }
        if known.iter().any(|k| k.eq_ignore_ascii_case(c)) || POSITION_ALIASES.iter().any(|k| k.eq_ignore_ascii_case(c))
        {
            continue;
        }
        // Sites: `max_users_<service>` / `users_today_<service>`, resolved by the reader.
        if known.contains(&"max_users") && per_service_column(c).is_some() {
            continue;
        }
        let absent: Vec<&str> = known.iter().copied().filter(|k| t.col(k).is_none()).collect();
        let dym = did_you_mean(c, absent.iter().copied());
        if !dym.is_empty() {
            return Err(IoError::new(
                IoErrorKind::UnknownKey,
                format!(
                    "unknown column {}{dym}; hubplan would otherwise ignore it and use the default",
                    quote(c)
                ),
            )
            .in_file(&t.file)
            .at_line(1)
            .field(c.clone()));
        }
        unknown.push(i);
    }
    Ok(unknown)
}

fn id_of(t: &Table, row: &Row, col: usize, seen: &mut HashMap<String, u64>) -> Result<String> {
    let id = t.cell(row, Some(col)).to_string();
    let name = t.name_of(col).to_string();
    if id.is_empty() {
        return Err(t.err(row, &name, IoErrorKind::BadValue, "expected an id, found an empty cell"));
    }
    if let Some(first) = seen.get(&id) {
        return Err(t.err(
            row,
            &name,
            IoErrorKind::DuplicateId,
            format!(
                "duplicate id {}: it is also on line {first}; ids must be unique{}",
                quote(&id),
                crate::text::nfc_note(&id)
            ),
        ));
    }
    seen.insert(id.clone(), row.line);
    Ok(id)
}

fn list(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in cell.split(';') {
        let p = part.trim();
        if !p.is_empty() && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

/// Notes empty money cells read as 0, for one warning per column.
struct EmptyCells {
    by_col: BTreeMap<String, Vec<u64>>,
}

impl EmptyCells {
    fn new() -> Self {
        EmptyCells {
            by_col: BTreeMap::new(),
        }
    }
    fn note(&mut self, col: &str, line: u64) {
        self.by_col.entry(col.to_string()).or_default().push(line);
    }
    fn warn(self, file: &Path, warnings: &mut Vec<String>) {
        for (col, lines) in self.by_col {
            let shown: Vec<String> = lines.iter().take(5).map(|l| l.to_string()).collect();
            let more = if lines.len() > 5 {
                format!(" and {} more", lines.len() - 5)
            } else {
                String::new()
            };
            warnings.push(format!(
                "{}: {} empty `{col}` cell{} read as 0 (line{} {}{more})",
                file.display(),
                lines.len(),
                if lines.len() == 1 { "" } else { "s" },
                if lines.len() == 1 { "" } else { "s" },
                shown.join(", ")
            ));
        }
    }
}

/// Reads sites from CSV or GeoJSON (see docs/FORMATS.md).
///
/// `services`: the services table when a services file is given; a service id in
/// `services`/`can_host` that is not in it is an error. With `None`, services are
/// created from the names found (id = name), in order of first appearance.
pub fn read_sites(path: &Path, services: Option<&[Service]>) -> Result<SitesFile> {
    let t = Table::read(path, "sites", Geoms::Points)?;
    let mut warnings = Vec::new();
    let unknown = unknown_columns(&t, SITE_COLUMNS, &mut warnings)?;
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown.iter().map(|&i| t.name_of(i)).collect();
        warnings.push(format!(
            "{}: unknown columns ignored: {}",
            path.display(),
            names.join(", ")
        ));
    }
    if t.rows.len() > limits::MAX_SITES {
        return Err(IoError::new(
            IoErrorKind::TooLarge,
            format!(
                "{} sites; hubplan plans at most {} sites (see docs/FORMATS.md, limits)",
                t.rows.len(),
                limits::MAX_SITES
            ),
        )
        .in_file(path));
    }
    let id_col = t.require_col("id")?;
    let pos = t.position_columns()?;
    let c = |n: &str| t.col(n);
    let (name, district, kind, status) = (c("name"), c("district"), c("kind"), c("status"));
    let (annual, backlog, open_cost, capacity) = (c("annual_cost"), c("backlog"), c("open_cost"), c("capacity"));
    let (svc_col, host_col, disposal) = (c("services"), c("can_host"), c("disposal_receipt"));

    let mut svc_list: Vec<Service> = services.map(|s| s.to_vec()).unwrap_or_default();
    let mut svc_index: HashMap<String, usize> = svc_list.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
    let fixed_services = services.is_some();

    let mut seen = HashMap::new();
    let mut empty = EmptyCells::new();
    let mut sites = Vec::with_capacity(t.rows.len());
    let mut bng = Vec::with_capacity(t.rows.len());
    let (max_users_col, users_today_col) = (c("max_users"), c("users_today"));
    let mut max_users = Vec::with_capacity(t.rows.len());
    let mut users_today = Vec::with_capacity(t.rows.len());
    // Per-service demand capacity (co-location model): (column, prefix, values).
    let mut annual_costs_given = 0;
    let mut per_service: Vec<(usize, usize, Vec<Option<f64>>)> = (0..t.columns.len())
        .filter_map(|i| per_service_column(&t.columns[i]).map(|(k, _)| (i, k, Vec::with_capacity(t.rows.len()))))
        .collect();
    for row in &t.rows {
        let id = id_of(&t, row, id_col, &mut seen)?;
        for (col, k, values) in &mut per_service {
            values.push(t.num(
                row,
                Some(*col),
                NumSpec::non_negative(if *k == 0 {
                    "a number of users ≥ 0, in the unit of the service's need column (or an empty cell for unlimited)"
                } else {
                    "a number of users ≥ 0, in the unit of the service's need column (or an empty cell when unknown)"
                }),
            )?);
        }
        // Demand capacity (issue 21): shared by the CSV and GeoJSON paths.
        max_users.push(t.num(
            row,
            max_users_col,
            NumSpec::non_negative(
                "a number of users ≥ 0, in the unit of the zones' need (or an empty cell for unlimited)",
            ),
        )?);
        users_today.push(t.num(
            row,
            users_today_col,
            NumSpec::non_negative(
                "a number of users ≥ 0, in the unit of the zones' need (or an empty cell when unknown)",
            ),
        )?);
        let st = match t.cell(row, status).to_ascii_lowercase().as_str() {
            "" | "existing" => SiteStatus::Existing,
            "candidate" => SiteStatus::Candidate,
            other => {
                return Err(t.err(
                    row,
                    "status",
                    IoErrorKind::BadValue,
                    format!(
                        "expected `existing` or `candidate`, found {}{}",
                        quote(other),
                        did_you_mean(other, ["existing", "candidate"])
                    ),
                ))
            }
        };
        // An empty cell is 0; an empty annual_cost (or a candidate's open_cost) is worth a warning.
        let mut money = |col: Option<usize>, warn: bool| -> Result<f64> {
            match t.num(row, col, NumSpec::money("a number of pounds ≥ 0"))? {
                Some(v) => Ok(v),
                None => {
                    if let (Some(ci), true) = (col, warn) {
                        empty.note(t.name_of(ci), row.line);
                    }
                    Ok(0.0)
                }
            }
        };
        let annual_cost = money(annual, true)?;
        if annual.is_some_and(|ci| !t.cell(row, Some(ci)).trim().is_empty()) {
            annual_costs_given += 1;
        }
        let backlog_v = money(backlog, false)?;
        let open_v = money(open_cost, st == SiteStatus::Candidate)?;
        let disposal_v = money(disposal, false)?;
        let capacity_v = t.num(
            row,
            capacity,
            NumSpec::non_negative("a capacity ≥ 0 (or an empty cell for unlimited)"),
        )?;
        let mut resolve = |col: Option<usize>, field: &str| -> Result<Vec<ServiceIdx>> {
            let mut out = Vec::new();
            for name in list(t.cell(row, col)) {
                let k = match svc_index.get(&name) {
                    Some(&k) => k,
                    None if !fixed_services => {
                        svc_list.push(Service {
                            id: name.clone(),
                            name: name.clone(),
                            need_column: None,
                            max_minutes: None,
                            space: 0.0,
                            conversion_cost: 0.0,
                        });
                        svc_index.insert(name.clone(), svc_list.len() - 1);
                        svc_list.len() - 1
                    }
                    None => {
                        return Err(t.err(
                            row,
                            field,
                            IoErrorKind::UnknownId,
                            format!(
                                "unknown service {}: it is not in the services file{}",
                                quote(&name),
                                did_you_mean(&name, svc_list.iter().map(|s| s.id.as_str()))
                            ),
                        ))
                    }
                };
                out.push(ServiceIdx::from_index(k));
            }
            Ok(out)
        };
        let hosted = resolve(svc_col, "services")?;
        let mut can_host = resolve(host_col, "can_host")?;
        for s in &hosted {
            if !can_host.contains(s) {
                can_host.push(*s);
            }
        }
        can_host.sort();
        let p = t.position(row, &pos)?;
        bng.push(t.position_is_bng(row, &pos));
        sites.push(Site {
            id,
            name: t.cell(row, name).to_string(),
            pos: p,
            district: t.cell(row, district).to_string(),
            kind: t.cell(row, kind).to_string(),
            status: st,
            annual_cost,
            backlog: backlog_v,
            open_cost: open_v,
            capacity: capacity_v,
            services: hosted,
            can_host,
            disposal_receipt: disposal_v,
        });
    }
    empty.warn(path, &mut warnings);
    let lines = t.rows.iter().map(|r| r.line).collect();
    let (max_users_by_service, users_today_by_service) = resolve_per_service(&t, per_service, &svc_list)?;
    Ok(SitesFile {
        sites,
        services: svc_list,
        lines,
        bng,
        warnings,
        annual_costs: (annual.is_some(), annual_costs_given),
        max_users,
        users_today,
        max_users_by_service,
        users_today_by_service,
    })
}

type PerService = Vec<(ServiceIdx, Vec<Option<f64>>)>;

/// Resolves the service of each `max_users_<service>` / `users_today_<service>`
/// column (the id exactly, else the one id equal ignoring case); an unknown or
/// repeated service is an error naming the column.
fn resolve_per_service(
    t: &Table,
    cols: Vec<(usize, usize, Vec<Option<f64>>)>,
    services: &[Service],
) -> Result<(PerService, PerService)> {
    let mut out: (PerService, PerService) = (Vec::new(), Vec::new());
    for (col, k, values) in cols {
        let name = t.name_of(col).to_string();
        let suffix = per_service_column(&name).map_or("", |x| x.1);
        let exact = services.iter().position(|s| s.id == suffix);
        let loose: Vec<usize> = (0..services.len())
            .filter(|&i| services[i].id.eq_ignore_ascii_case(suffix))
            .collect();
        let Some(i) = exact.or(if loose.len() == 1 { Some(loose[0]) } else { None }) else {
            return Err(IoError::new(
                IoErrorKind::UnknownId,
                format!(
                    "column {} names an unknown service {}: expected {}<service> with a service id ({}){}",
                    quote(&name),
                    quote(suffix),
                    PER_SERVICE_PREFIXES[k],
                    services.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", "),
                    did_you_mean(suffix, services.iter().map(|s| s.id.as_str()))
                ),
            )
            .in_file(&t.file)
            .at_line(1)
            .field(name));
        };
        let s = ServiceIdx::from_index(i);
        let list = if k == 0 { &mut out.0 } else { &mut out.1 };
        if list.iter().any(|(x, _)| *x == s) {
            return Err(IoError::new(
                IoErrorKind::BadValue,
                format!(
                    "column {} repeats {}{}: give one column per service",
                    quote(&name),
                    PER_SERVICE_PREFIXES[k],
                    services[i].id
                ),
            )
            .in_file(&t.file)
            .at_line(1)
            .field(name));
        }
        list.push((s, values));
    }
    Ok(out)
}

/// Reads zones from CSV or GeoJSON (Points, or Polygons/MultiPolygons at their
/// centroid, with the polygon kept as [`Zone::outline`] in WGS84).
///
/// `need` comes from the `need_column` when given (it must exist), else from a
/// `need` column, else from `population`. Every other numeric column (and `need`,
/// `population`) is kept in [`Zone::attributes`] so that services can name it.
pub fn read_zones(path: &Path, need_column: Option<&str>) -> Result<ZonesFile> {
    let t = Table::read(path, "zones", Geoms::PointsAndAreas)?;
    let mut warnings = Vec::new();
    if t.rows.len() > limits::MAX_ZONES {
        return Err(IoError::new(
            IoErrorKind::TooLarge,
            format!(
                "{} zones; hubplan reads at most {} zones (see docs/FORMATS.md, limits)",
                t.rows.len(),
                limits::MAX_ZONES
            ),
        )
        .in_file(path));
    }
    let id_col = t.require_col("id")?;
    let pos = t.position_columns()?;
    let c = |n: &str| t.col(n);
    let (name, district, imd) = (c("name"), c("district"), c("imd_decile"));
    let pop = c("population");
    let (need_col, need_source) = match need_column {
        Some(nc) => {
            let col = t.require_col(nc)?;
            if let Some(n) = c("need") {
                if n != col {
                    warnings.push(format!(
                        "{}: the scenario's need_column `{nc}` is used as need; the file's `need` column is not",
                        path.display()
                    ));
                }
            }
            (col, t.name_of(col).to_string())
        }
        None => match (c("need"), pop) {
            (Some(n), _) => (n, "need".to_string()),
            (None, Some(p)) => {
                // The documented fallback, silent unless a column looks like a
                // misspelt `need` (then the plan would quietly count people).
                if let Some(typo) = t.columns.iter().find(|c| looks_like_need(c)) {
                    warnings.push(format!(
                        "{}: no `need` column, so need is taken from `population`; is `{typo}` a typo for `need`? \
                         (rename it, or set inputs.need_column)",
                        path.display()
                    ));
                }
                (p, "population".to_string())
            }
            (None, None) => {
                return Err(IoError::new(
                    IoErrorKind::MissingColumn,
                    format!(
                        "the zones file has no `need` column and no `population` column (and the scenario sets no need_column){}; it has: {}",
                        t.columns
                            .iter()
                            .find_map(|c| crate::error::closest(c, ["need", "population"]).map(|k| format!("; is `{c}` a typo for `{k}`?")))
                            .unwrap_or_default(),
                        t.columns_list()
                    ),
                )
                .in_file(path)
                .at_line(1)
                .field("need"))
            }
        },
    };
    // Which other columns are numeric attributes: every non-empty cell parses as a number.
    let mut attr_cols = Vec::new();
    let mut ignored = Vec::new();
    for (i, col) in t.columns.iter().enumerate() {
        if col.is_empty() || i == id_col || pos.contains(i) || Some(i) == name || Some(i) == district {
            continue;
        }
        let numeric = t.rows.iter().all(|r| {
            let v = t.cell(r, Some(i));
            v.is_empty() || crate::num::parse_number(v).is_ok()
        });
        if numeric || i == need_col || Some(i) == pop || Some(i) == imd {
            attr_cols.push(i);
        } else {
            ignored.push(col.as_str());
        }
    }
    if !ignored.is_empty() {
        warnings.push(format!(
            "{}: non-numeric columns ignored: {}",
            path.display(),
            ignored.join(", ")
        ));
    }
    if imd.is_none() {
        let hint = decile_column_hint(t.columns.iter().map(String::as_str));
        if !hint.is_empty() {
            warnings.push(format!(
                "{}: no `imd_decile` column, so no zone has a deprivation decile (tables by decile show them as unknown){hint}",
                path.display()
            ));
        }
    }
    let mut seen = HashMap::new();
    let mut zones = Vec::with_capacity(t.rows.len());
    for row in &t.rows {
        let id = id_of(&t, row, id_col, &mut seen)?;
        let need = t.num_required(row, need_col, NumSpec::non_negative("a need ≥ 0 (a number of people)"))?;
        let population = t
            .num(row, pop, NumSpec::non_negative("a population ≥ 0"))?
            .unwrap_or(0.0);
        let imd_decile = t
            .num(
                row,
                imd,
                NumSpec {
                    expected: "an IMD decile, a whole number from 1 to 10",
                    min: Some(1.0),
                    min_exclusive: false,
                    max: Some(10.0),
                    integer: true,
                    above_max: "",
                },
            )?
            .map(|d| d as u8);
        let mut attributes = BTreeMap::new();
        for &ci in &attr_cols {
            if Some(ci) == imd {
                continue;
            }
            let v = if ci == need_col {
                Some(need)
            } else if Some(ci) == pop {
                t.num(row, Some(ci), NumSpec::non_negative("a population ≥ 0"))?
            } else {
                t.num(row, Some(ci), NumSpec::any("a number"))?
            };
            if let Some(v) = v {
                attributes.insert(t.name_of(ci).to_string(), v);
            }
        }
        // The outline first: a bad vertex is named, rather than the centroid it moves.
        let outline = t.outline(row)?;
        let p = t.position(row, &pos)?;
        zones.push(Zone {
            id,
            name: t.cell(row, name).to_string(),
            pos: p,
            district: t.cell(row, district).to_string(),
            need,
            population,
            imd_decile,
            attributes,
            outline,
        });
    }
    let lines = t.rows.iter().map(|r| r.line).collect();
    Ok(ZonesFile {
        zones,
        need_source,
        warnings,
        lines,
    })
}

/// "; is `wimd_2019_decile` the deprivation decile? …" when a zone column other than
/// `imd_decile` names a decile (a Welsh council's `wimd_2019_decile`, an `imd19_decile`),
/// else "". hubplan reads deciles from `imd_decile` only (the Newport audit, session 18).
pub(crate) fn decile_column_hint<'a>(columns: impl IntoIterator<Item = &'a str>) -> String {
    let mut found: Vec<&str> = columns
        .into_iter()
        .filter(|c| {
            let l = c.trim().to_ascii_lowercase();
            l.contains("decile") && l != "imd_decile"
        })
        .collect();
    found.sort_unstable();
    found.dedup();
    match found.first() {
        Some(c) => format!(
            "; is `{c}` the deprivation decile? hubplan reads it only from a column named `imd_decile`: rename the column \
             (a Welsh WIMD or Scottish SIMD decile is read the same way, 1 = most deprived)"
        ),
        None => String::new(),
    }
}

const SERVICE_COLUMNS: &[&str] = &["id", "name", "need_column", "max_minutes", "space", "conversion_cost"];

/// Reads services from CSV: `id,name,need_column,max_minutes,space,conversion_cost`.
pub fn read_services(path: &Path) -> Result<ServicesFile> {
    let t = Table::read(path, "services", Geoms::Points)?;
    if t.geojson {
        return Err(IoError::new(IoErrorKind::Csv, "the services file must be CSV, not GeoJSON").in_file(path));
    }
    let mut warnings = Vec::new();
    let unknown = unknown_columns(&t, SERVICE_COLUMNS, &mut warnings)?;
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown.iter().map(|&i| t.name_of(i)).collect();
        warnings.push(format!(
            "{}: unknown columns ignored: {}",
            path.display(),
            names.join(", ")
        ));
    }
    let id_col = t.require_col("id")?;
    let c = |n: &str| t.col(n);
    let mut seen = HashMap::new();
    let mut services = Vec::new();
    for row in &t.rows {
        let id = id_of(&t, row, id_col, &mut seen)?;
        let nc = t.cell(row, c("need_column"));
        services.push(Service {
            name: match t.cell(row, c("name")) {
                "" => id.clone(),
                n => n.to_string(),
            },
            id,
            need_column: if nc.is_empty() { None } else { Some(nc.to_string()) },
            max_minutes: t.num(
                row,
                c("max_minutes"),
                NumSpec::positive("minutes > 0 (or an empty cell for the scenario's limit)"),
            )?,
            space: t
                .num(row, c("space"), NumSpec::non_negative("a space ≥ 0"))?
                .unwrap_or(0.0),
            conversion_cost: t
                .num(row, c("conversion_cost"), NumSpec::money("a number of pounds ≥ 0"))?
                .unwrap_or(0.0),
        });
    }
    let lines = t.rows.iter().map(|r| r.line).collect();
    Ok(ServicesFile {
        services,
        lines,
        warnings,
    })
}

/// Reads points (origins or destinations for the travel-time command): any CSV
/// with an `id` and a position (`lon`,`lat` in any order, or `easting`,`northing`),
/// or a GeoJSON FeatureCollection of Points (Polygons are taken at their centroid).
/// Ids must be unique.
pub fn read_points(path: &Path) -> Result<Vec<(String, LonLat)>> {
    let t = Table::read(path, "points", Geoms::PointsAndAreas)?;
    let id_col = t.require_col("id")?;
    let pos = t.position_columns()?;
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(t.rows.len());
    for row in &t.rows {
        let id = id_of(&t, row, id_col, &mut seen)?;
        out.push((id, t.position(row, &pos)?));
    }
    Ok(out)
}
