//! The feasibility study's boundary: `[study]` settings resolved against the inputs
//! (with errors naming file, row and column), zone outlines from GeoJSON, and the
//! study directory (`study.json`, `zones.csv`, `areas.csv`, `study.geojson`),
//! written atomically. The format is in docs/FORMATS.md; the method in docs/STUDY.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hubplan::geo::LonLat;
use hubplan::model::{Inputs, SiteStatus};
use hubplan::study::{GroupRow, Indicator, Study, StudyOptions, ZoneShape, IMD_INDICATOR};
use hubplan::ServiceIdx;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{did_you_mean, quote, IoError, IoErrorKind, Result};
use crate::output::{csv_fixed, finite, inputs_json, json_bytes, path_str, round_to, RunMeta};
use crate::scenario::LoadedScenario;
use crate::table::{is_geojson, Geoms, NumSpec, Table};

/// The files [`write_study_dir`] writes before any extra ones, `study.json` last.
pub const STUDY_FILES: [&str; 4] = ["zones.csv", "areas.csv", "study.geojson", "study.json"];

fn resolve(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p.trim());
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// The study's options from a loaded scenario: `[study]` (when present) resolved
/// against the inputs. Services come from `study.services`, else the `[services]`
/// table's planned services, else every service. Every zone column the study names
/// (`indicators`, `children_column`, `protected`) is checked on every row of the
/// zones file: a missing column is a `MissingColumn` error and a non-numeric or
/// empty cell a `BadValue` error, each naming the zones file, the line and the
/// column. Zone outlines are read when the zones file is GeoJSON.
pub fn study_options(loaded: &LoadedScenario) -> Result<StudyOptions> {
    let mut opts = StudyOptions {
        default_max_minutes: loaded
            .scenario
            .max_minutes
            .unwrap_or(hubplan::scenario::DEFAULT_MAX_MINUTES),
        time_limit: loaded.scenario.solver.time_limit,
        ..StudyOptions::default()
    };
    let services = &loaded.inputs_without_travel.services;
    if let Some(r) = &loaded.service_rules {
        opts.services = r.services.clone();
    }
    let zones_path = resolve(&loaded.base_dir, &loaded.settings.zones);
    let Some(sec) = &loaded.study else {
        opts.shapes = read_zone_shapes(&zones_path)?;
        return Ok(opts);
    };
    if !sec.services.is_empty() {
        let mut v = Vec::new();
        for (id, line) in &sec.services {
            match services.iter().position(|s| &s.id == id) {
                Some(i) => {
                    if !v.contains(&ServiceIdx::from_index(i)) {
                        v.push(ServiceIdx::from_index(i));
                    }
                }
                None => {
                    return Err(IoError::new(
                        IoErrorKind::UnknownId,
                        format!(
                            "unknown service id {}: expected an id from the services file ({}){}",
                            quote(id),
                            if services.is_empty() {
                                "the scenario has none".to_string()
                            } else {
                                services.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
                            },
                            did_you_mean(id, services.iter().map(|s| s.id.as_str()))
                        ),
                    )
                    .in_file(&loaded.path)
                    .at_line(*line)
                    .field("study.services"))
                }
            }
        }
        opts.services = v;
    }
    if let Some(d) = sec.priority_deciles {
        opts.priority_deciles = d;
    }
    if let Some(n) = sec.area_zones {
        opts.area_zones = Some(n as usize);
    }
    if let Some(k) = sec.neighbour_k {
        opts.neighbour_k = k as usize;
    }
    if let Some(km) = sec.neighbour_max_km {
        opts.neighbour_max_km = km;
    }
    // Every named zone column, checked on the raw zones file.
    let mut named: Vec<(String, u64, &str, bool)> = Vec::new();
    for (c, _, line) in &sec.indicators {
        if c != IMD_INDICATOR {
            named.push((c.clone(), *line, "study.indicators", false));
        }
    }
    if let Some((c, line)) = &sec.children_column {
        named.push((c.clone(), *line, "study.children_column", true));
    }
    for (c, line) in &sec.protected {
        named.push((c.clone(), *line, "study.protected", true));
    }
    if !named.is_empty() {
        check_zone_columns(&zones_path, &loaded.path, &named)?;
    }
    opts.indicators = sec
        .indicators
        .iter()
        .map(|(c, w, _)| Indicator {
            column: canonical_column(&loaded.inputs_without_travel.zones, c),
            weight: *w,
        })
        .collect();
    opts.children_column = sec
        .children_column
        .as_ref()
        .map(|(c, _)| canonical_column(&loaded.inputs_without_travel.zones, c));
    opts.protected = sec
        .protected
        .iter()
        .map(|(c, _)| canonical_column(&loaded.inputs_without_travel.zones, c))
        .collect();
    opts.shapes = read_zone_shapes(&zones_path)?;
    Ok(opts)
}

/// The attribute key as the zones reader stored it (columns match case-insensitively).
fn canonical_column(zones: &[hubplan::model::Zone], c: &str) -> String {
    if c == IMD_INDICATOR {
        return c.to_string();
    }
    zones
        .iter()
        .flat_map(|z| z.attributes.keys())
        .find(|k| k.eq_ignore_ascii_case(c))
        .cloned()
        .unwrap_or_else(|| c.to_string())
}

/// Checks that each named column exists in the zones file and holds a number on
/// every row (≥ 0 when `counts`).
fn check_zone_columns(zones_path: &Path, scenario: &Path, named: &[(String, u64, &str, bool)]) -> Result<()> {
    let t = Table::read(zones_path, "zones", Geoms::PointsAndAreas)?;
    for (col, line, key, counts) in named {
        let Some(ci) = t.col(col) else {
            let what = if t.geojson { "property" } else { "column" };
            return Err(IoError::new(
                IoErrorKind::MissingColumn,
                format!(
                    "the zones file has no `{col}` {what}, which {key} names ({}:{line}){}; it has: {}",
                    scenario.display(),
                    did_you_mean(col, t.columns.iter().map(String::as_str)),
                    t.columns_list()
                ),
            )
            .in_file(zones_path)
            .at_line(1)
            .field(col.clone()));
        };
        let expected = if *counts {
            format!("a count ≥ 0 ({key} names this column)")
        } else {
            format!("a number ({key} names this column)")
        };
        let spec = if *counts {
            NumSpec::non_negative(&expected)
        } else {
            NumSpec::any(&expected)
        };
        for row in &t.rows {
            t.num_required(row, ci, spec)?;
        }
    }
    Ok(())
}

/// Zone outlines from a GeoJSON zones file (`None` for a CSV, or when no feature
/// is a Polygon or MultiPolygon), read by the zones reader's own GeoJSON reader
/// (the `geojson` crate), in WGS84.
pub fn read_zone_shapes(path: &Path) -> Result<Option<Vec<Option<ZoneShape>>>> {
    if !is_geojson(path) {
        return Ok(None);
    }
    let t = Table::read(path, "zones", Geoms::PointsAndAreas)?;
    let mut any = false;
    let mut shapes = Vec::with_capacity(t.rows.len());
    for row in &t.rows {
        let shape = t.outline(row)?.map(|mp| {
            any = true;
            let ring = |r: &geo::LineString<f64>| r.0.iter().map(|c| LonLat::new(c.x, c.y)).collect::<Vec<_>>();
            ZoneShape {
                rings: mp
                    .0
                    .iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(ring))
                    .collect(),
            }
        });
        shapes.push(shape);
    }
    Ok(any.then_some(shapes))
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

fn minutes(x: f64) -> Option<f64> {
    round_to(x, 2)
}

fn ratio(x: Option<f64>) -> Option<f64> {
    x.and_then(|v| round_to(v, 6))
}

fn csv_opt(x: Option<f64>) -> String {
    csv_fixed(x)
}

fn csv_num(x: f64) -> String {
    finite(x).map(|v| v.to_string()).unwrap_or_default()
}

fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[derive(Serialize)]
struct SiteRef<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'a str,
    district: &'a str,
    status: &'a str,
    capacity: Option<f64>,
}

fn site_ref(inputs: &Inputs, j: hubplan::SiteIdx) -> SiteRef<'_> {
    let s = inputs.site(j);
    SiteRef {
        id: &s.id,
        name: &s.name,
        kind: &s.kind,
        district: &s.district,
        status: match s.status {
            SiteStatus::Existing => "existing",
            SiteStatus::Candidate => "candidate",
        },
        capacity: s.capacity.and_then(finite),
    }
}

fn group_json(g: &GroupRow, study: &Study) -> Value {
    let per: Vec<Value> = study
        .services
        .iter()
        .enumerate()
        .map(|(k, s)| {
            json!({
                "service": s.id,
                "within": finite(g.weight_within[k]),
                "share_within": ratio(g.share_within(k)),
                "mean_minutes": g.mean_minutes(k).and_then(minutes),
                "unreachable": finite(g.weight - g.weight_reachable[k]),
            })
        })
        .collect();
    json!({
        "group": g.label,
        "zones": g.zones,
        "population": finite(g.population),
        "children": finite(g.children),
        "weight": finite(g.weight),
        "services": per,
    })
}

/// `study.json`: everything the study found, with provenance as in `plan.json`.
pub fn study_json(inputs: &Inputs, study: &Study, meta: &RunMeta) -> Result<Vec<u8>> {
    let zone_id = |z: hubplan::ZoneIdx| inputs.zone(z).id.as_str();
    let services: Vec<Value> = study
        .services
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
            let mut by_district: BTreeMap<&str, usize> = BTreeMap::new();
            for &j in &s.hosts {
                *by_kind.entry(inputs.site(j).kind.as_str()).or_default() += 1;
                *by_district.entry(inputs.site(j).district.as_str()).or_default() += 1;
            }
            json!({
                "id": s.id,
                "name": s.name,
                "max_minutes": finite(s.max_minutes),
                "unreachable_minutes": finite(study.unreachable_minutes[k]),
                "hosts": s.hosts.iter().map(|&j| site_ref(inputs, j)).collect::<Vec<_>>(),
                "hosts_by_kind": by_kind,
                "hosts_by_district": by_district,
                "could_host": s.could_host.iter().map(|&j| site_ref(inputs, j)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let demand: Vec<Value> = study
        .demand
        .iter()
        .map(|d| {
            let bands: BTreeMap<&str, Option<f64>> = study
                .bands
                .iter()
                .zip(&d.bands)
                .map(|(b, v)| (b.as_str(), finite(*v)))
                .collect();
            json!({"district": d.district, "zones": d.zones, "population": finite(d.population),
                   "children": finite(d.children), "bands": bands})
        })
        .collect();
    let zones: Vec<Value> = study
        .zones
        .iter()
        .map(|zs| {
            let z = inputs.zone(zs.zone);
            let access: Vec<Value> = study
                .services
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    json!({"service": s.id, "minutes": zs.minutes[k].and_then(minutes),
                           "nearest": zs.nearest[k].map(|j| inputs.site(j).id.as_str()),
                           "within": zs.within[k]})
                })
                .collect();
            let bands: BTreeMap<&str, Option<f64>> = study
                .bands
                .iter()
                .filter_map(|b| z.attributes.get(b).map(|v| (b.as_str(), finite(*v))))
                .collect();
            json!({
                "id": z.id, "name": z.name, "district": z.district, "imd_decile": z.imd_decile,
                "population": finite(z.population), "children": finite(zs.children), "bands": bands,
                "need_score": ratio(Some(zs.need_score)), "access": access,
                "shortfall": minutes(zs.shortfall), "priority_score": ratio(Some(zs.priority_score)),
                "priority_rank": zs.priority_rank,
                "priority_area": zs.area.map(|a| study.areas[a].id.as_str()),
            })
        })
        .collect();
    let areas: Vec<Value> = study
        .areas
        .iter()
        .map(|a| {
            let options: Vec<Value> = a
                .options
                .iter()
                .map(|o| {
                    json!({"service": study.services[o.service].id, "children_beyond": finite(o.children_beyond),
                           "site": o.site.map(|j| site_ref(inputs, j)), "children_reached": finite(o.children_reached),
                           "solver_status": o.status})
                })
                .collect();
            let mins: BTreeMap<&str, Option<f64>> = study
                .services
                .iter()
                .zip(&a.minutes)
                .map(|(s, m)| (s.id.as_str(), m.and_then(minutes)))
                .collect();
            json!({
                "id": a.id, "best_rank": a.best_rank,
                "zones": a.zones.iter().map(|&z| zone_id(z)).collect::<Vec<_>>(),
                "population": finite(a.population), "children": finite(a.children),
                "need_score": ratio(Some(a.need_score)), "score": ratio(Some(a.score)),
                "minutes": mins, "best_buildings": options,
            })
        })
        .collect();
    let eq = &study.equality;
    let doc = json!({
        "model": "study",
        "children_source": study.children_source,
        "bands": study.bands,
        "need": {
            "indicators": study.indicators,
            "method": "weighted mean of indicator terms in [0, 1]: imd_decile → (11 − decile) / 10; other columns min–max normalised over the zones (negative weight: 1 − value); see docs/STUDY.md",
        },
        "priority": {
            "score": "need_score × shortfall; shortfall = largest minutes beyond a service's limit (unreachable counts as unreachable_minutes)",
            "ranked": study.ranked.iter().map(|&z| zone_id(z)).collect::<Vec<_>>(),
            "area_zones": study.area_zones,
            "neighbour_rule": study.neighbour_rule,
        },
        "services": services,
        "demand": demand,
        "equality": {
            "weight": study.children_source,
            "by_imd_decile": eq.by_decile.iter().map(|g| group_json(g, study)).collect::<Vec<_>>(),
            "by_district": eq.by_district.iter().map(|g| group_json(g, study)).collect::<Vec<_>>(),
            "total": group_json(&eq.total, study),
            "population": group_json(&eq.population, study),
            "protected": eq.protected.iter().map(|g| group_json(g, study)).collect::<Vec<_>>(),
        },
        "zones": zones,
        "areas": areas,
        "scenario": {
            "file": meta.scenario_file.as_deref().map(path_str),
            "need_column": meta.need_column,
            "travel_source": meta.travel_source,
        },
        "inputs": inputs_json(meta),
        "warnings": meta.warnings.iter().chain(&study.warnings).collect::<Vec<_>>(),
        "hubplan_version": meta.hubplan_version,
    });
    json_bytes(&doc, true, "study.json")
}

/// `zones.csv`: one row per zone.
pub fn study_zones_csv(inputs: &Inputs, study: &Study) -> Vec<u8> {
    let mut out = String::from("zone,name,district,imd_decile,population,children,need_score");
    for s in &study.services {
        out += &format!(",minutes_{0},within_{0}", s.id);
    }
    out += ",shortfall,priority_score,priority_rank,priority_area\n";
    for zs in &study.zones {
        let z = inputs.zone(zs.zone);
        out += &format!(
            "{},{},{},{},{},{},{:.4}",
            csv_text(&z.id),
            csv_text(&z.name),
            csv_text(&z.district),
            z.imd_decile.map(|d| d.to_string()).unwrap_or_default(),
            csv_num(z.population),
            csv_num(zs.children),
            zs.need_score
        );
        for k in 0..study.services.len() {
            out += &format!(",{},{}", csv_opt(zs.minutes[k]), zs.within[k]);
        }
        out += &format!(
            ",{},{:.4},{},{}\n",
            csv_fixed(Some(zs.shortfall)),
            zs.priority_score,
            zs.priority_rank.map(|r| r.to_string()).unwrap_or_default(),
            zs.area.map(|a| study.areas[a].id.as_str()).unwrap_or("")
        );
    }
    out.into_bytes()
}

/// `areas.csv`: one row per priority area.
pub fn study_areas_csv(inputs: &Inputs, study: &Study) -> Vec<u8> {
    let mut out = String::from("area,best_rank,n_zones,zones,population,children,need_score,score");
    for s in &study.services {
        out += &format!(
            ",minutes_{0},children_beyond_{0},best_site_{0},children_reached_{0}",
            s.id
        );
    }
    out.push('\n');
    for a in &study.areas {
        let ids: Vec<&str> = a.zones.iter().map(|&z| inputs.zone(z).id.as_str()).collect();
        out += &format!(
            "{},{},{},{},{},{},{:.4},{:.4}",
            a.id,
            a.best_rank,
            a.zones.len(),
            csv_text(&ids.join(";")),
            csv_num(a.population),
            csv_num(a.children),
            a.need_score,
            a.score
        );
        for (k, m) in a.minutes.iter().enumerate() {
            let o = a.options.iter().find(|o| o.service == k);
            out += &format!(
                ",{},{},{},{}",
                csv_opt(*m),
                o.map(|o| csv_num(o.children_beyond)).unwrap_or_else(|| "0".into()),
                o.and_then(|o| o.site)
                    .map(|j| csv_text(&inputs.site(j).id))
                    .unwrap_or_default(),
                o.map(|o| csv_num(o.children_reached)).unwrap_or_else(|| "0".into()),
            );
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// `study.geojson`: sites (with the study services they host), zones (need, minutes,
/// priority) as Points, and priority areas as MultiPoints of their zones.
pub fn study_geojson(inputs: &Inputs, study: &Study) -> Result<Vec<u8>> {
    use crate::output::{feature, point, round6, zone_geometry};
    let props = |v: Value| match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    let mut features = Vec::new();
    for (j, s) in inputs.sites.iter().enumerate() {
        let j = hubplan::SiteIdx::from_index(j);
        let hosts: Vec<&str> = study
            .services
            .iter()
            .filter(|sv| sv.hosts.contains(&j))
            .map(|sv| sv.id.as_str())
            .collect();
        let could: Vec<&str> = study
            .services
            .iter()
            .filter(|sv| sv.could_host.contains(&j))
            .map(|sv| sv.id.as_str())
            .collect();
        features.push(feature(
            point(s.pos),
            props(json!({
            "layer": "site", "id": s.id, "name": s.name, "district": s.district, "kind": s.kind,
            "status": site_ref(inputs, j).status, "hosts": hosts.join(";"), "could_host": could.join(";")})),
        ));
    }
    for zs in &study.zones {
        let z = inputs.zone(zs.zone);
        let mut props = serde_json::Map::new();
        props.insert("layer".into(), json!("zone"));
        props.insert("id".into(), json!(z.id));
        props.insert("name".into(), json!(z.name));
        props.insert("district".into(), json!(z.district));
        props.insert("imd_decile".into(), json!(z.imd_decile));
        props.insert("children".into(), json!(finite(zs.children)));
        props.insert("need_score".into(), json!(ratio(Some(zs.need_score))));
        for (k, s) in study.services.iter().enumerate() {
            props.insert(format!("minutes_{}", s.id), json!(zs.minutes[k].and_then(minutes)));
            props.insert(format!("within_{}", s.id), json!(zs.within[k]));
        }
        props.insert("priority_rank".into(), json!(zs.priority_rank));
        props.insert(
            "priority_area".into(),
            json!(zs.area.map(|a| study.areas[a].id.as_str())),
        );
        features.push(feature(zone_geometry(z), props));
    }
    for a in &study.areas {
        let coords: Vec<Vec<f64>> = a
            .zones
            .iter()
            .map(|&z| {
                let p = inputs.zone(z).pos;
                vec![round6(p.lon), round6(p.lat)]
            })
            .collect();
        features.push(feature(
            geojson::Value::MultiPoint(coords),
            props(json!({"layer": "priority_area", "id": a.id, "best_rank": a.best_rank,
                           "zones": a.zones.len(), "children": finite(a.children)})),
        ));
    }
    crate::output::geojson_bytes(features, "study.geojson")
}

/// Writes `zones.csv`, `areas.csv`, `study.geojson`, then `extra` (e.g. the
/// appendix), then `study.json`, into `dir` atomically, like a plan directory
/// (docs/FORMATS.md, Outputs).
pub fn write_study_dir(
    dir: &Path,
    inputs: &Inputs,
    study: &Study,
    meta: &RunMeta,
    extra: Vec<(&str, Vec<u8>)>,
) -> Result<()> {
    let mut contents: Vec<(&str, Vec<u8>)> = vec![
        ("zones.csv", study_zones_csv(inputs, study)),
        ("areas.csv", study_areas_csv(inputs, study)),
        ("study.geojson", study_geojson(inputs, study)?),
    ];
    contents.extend(extra);
    contents.push(("study.json", study_json(inputs, study, meta)?));
    crate::output::write_files_atomically(dir, &contents)
}
