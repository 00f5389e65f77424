//! The HTTP layer: routes, request validation, responses. It translates HTTP
//! to and from [`crate::engine`] calls and does nothing else.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;

use crate::assets;
use crate::engine::{Engine, SolveError, Solved, WhatIf};

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The largest access limit a what-if may ask for, in minutes (one day).
pub const MAX_MINUTES: f64 = 1440.0;

/// What every request shares: the loaded scenario and its baseline plan, read-only.
#[derive(Debug)]
pub struct AppState {
    pub(crate) engine: Engine,
    pub(crate) baseline: Solved,
    pub(crate) baseline_json: Bytes,
    pub(crate) solves: Arc<Semaphore>,
    pub(crate) out: PathBuf,
}

/// An error answer: a status and a message naming the field and what was expected.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    field: Option<String>,
    message: String,
}

impl ApiError {
    fn bad(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    fn internal(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            field: None,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.message, "field": self.field });
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<SolveError> for ApiError {
    fn from(e: SolveError) -> Self {
        match e {
            SolveError::Rejected { field, message } => ApiError::bad(field, message),
            SolveError::Failed(m) => ApiError::internal(m),
        }
    }
}

/// The router: the page's embedded assets and the JSON API. Nothing else is served.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(|| async { asset("index.html") }))
        .route("/index.html", get(|| async { asset("index.html") }))
        .route("/app.js", get(|| async { asset("app.js") }))
        .route("/app.css", get(|| async { asset("app.css") }))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/api/info", get(info))
        .route("/api/plan", get(plan))
        .route("/api/sites", get(sites))
        .route("/api/zones", get(zones))
        .route("/api/whatif", post(whatif))
        .route("/api/export", post(export))
        .fallback(|| async {
            ApiError {
                status: StatusCode::NOT_FOUND,
                field: None,
                message: "no such page or API route (see docs/SERVE.md)".into(),
            }
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

fn asset(name: &str) -> Response {
    match assets::get(name) {
        Some((mime, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn json_response(v: &Value) -> Response {
    match serde_json::to_vec(v) {
        Ok(b) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            b,
        )
            .into_response(),
        Err(e) => ApiError::internal(format!("cannot serialise the answer: {e}")).into_response(),
    }
}

async fn info(State(st): State<Arc<AppState>>) -> Response {
    let mut v = st.engine.info();
    if let Value::Object(m) = &mut v {
        m.insert("warnings".into(), json!(st.engine.warnings()));
        m.insert("baseline_status".into(), json!(st.baseline.status()));
        m.insert("max_body_bytes".into(), json!(MAX_BODY_BYTES));
    }
    json_response(&v)
}

async fn plan(State(st): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        st.baseline_json.clone(),
    )
        .into_response()
}

/// Runs `w` on the blocking pool, at most as many at once as the semaphore allows.
async fn solve(st: &Arc<AppState>, w: WhatIf) -> Result<Arc<Solved>, ApiError> {
    let _permit = st
        .solves
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| ApiError::internal("the server is shutting down"))?;
    let st2 = st.clone();
    tokio::task::spawn_blocking(move || st2.engine.solve(&w))
        .await
        .map_err(|e| ApiError::internal(format!("the solve stopped unexpectedly: {e}")))?
        .map(Arc::new)
        .map_err(ApiError::from)
}

/// The what-if of a GET's query string (`keep=a,b&close=c&max_minutes=40…`); `None` when there is none.
fn query_whatif(st: &AppState, q: &HashMap<String, String>) -> Result<Option<WhatIf>, ApiError> {
    if q.is_empty() {
        return Ok(None);
    }
    let mut obj = Map::new();
    for (k, v) in q {
        let val = match k.as_str() {
            "keep" | "close" => Value::Array(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            ),
            "max_minutes" | "budget" | "savings_target" | "capital_budget" => match v.trim().parse::<f64>() {
                Ok(x) => json!(x),
                Err(_) => return Err(ApiError::bad(k.clone(), format!("expected a number, found {v:?}"))),
            },
            _ => Value::String(v.clone()),
        };
        obj.insert(k.clone(), val);
    }
    parse_whatif(st, &Value::Object(obj)).map(Some)
}

async fn sites(
    State(st): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let fc = match query_whatif(&st, &q)? {
        None => st.engine.sites_geojson(&st.baseline),
        Some(w) => st.engine.sites_geojson(&*solve(&st, w).await?),
    };
    Ok(geojson_response(fc))
}

async fn zones(
    State(st): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let fc = match query_whatif(&st, &q)? {
        None => st.engine.zones_geojson(&st.baseline),
        Some(w) => st.engine.zones_geojson(&*solve(&st, w).await?),
    };
    Ok(geojson_response(fc))
}

fn geojson_response(fc: geojson::FeatureCollection) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/geo+json"))],
        fc.to_string(),
    )
        .into_response()
}

fn body_json(body: Result<Bytes, BytesRejection>) -> Result<Value, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::bad(
                "body",
                format!("the request body is over the limit of {MAX_BODY_BYTES} bytes"),
            )
        } else {
            ApiError::bad("body", format!("cannot read the request body: {e}"))
        }
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad(
            "body",
            format!(
                "malformed JSON at line {} column {}: {e}; expected an object such as {{\"close\": [\"SITE-ID\"], \"max_minutes\": 35}}",
                e.line(),
                e.column()
            ),
        )
    })
}

const FIELDS: [&str; 7] = [
    "keep",
    "close",
    "max_minutes",
    "budget",
    "savings_target",
    "capital_budget",
    "objective",
];

fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(s, _)| *s >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

fn number(field: &str, v: &Value, what: &str) -> Result<Option<f64>, ApiError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| ApiError::bad(field, format!("expected {what}, found {n}"))),
        other => Err(ApiError::bad(field, format!("expected {what}, found {}", kind(other)))),
    }
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Validates a what-if request (the JSON body of `POST /api/whatif`).
pub(crate) fn parse_whatif(st: &AppState, v: &Value) -> Result<WhatIf, ApiError> {
    let Value::Object(obj) = v else {
        return Err(ApiError::bad(
            "body",
            format!(
                "expected a JSON object with any of {}, found {}",
                FIELDS.join(", "),
                kind(v)
            ),
        ));
    };
    for k in obj.keys() {
        if !FIELDS.contains(&k.as_str()) {
            let hint =
                did_you_mean(k, FIELDS.iter().copied()).map_or(String::new(), |m| format!("; did you mean {m:?}?"));
            return Err(ApiError::bad(
                k.clone(),
                format!("unknown field {k:?}{hint} (expected any of {})", FIELDS.join(", ")),
            ));
        }
    }
    let mut w = WhatIf::default();
    let sites = st.engine.sites();
    for (name, list) in [("keep", &mut w.keep), ("close", &mut w.close)] {
        match obj.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, it) in items.iter().enumerate() {
                    let field = format!("{name}[{i}]");
                    let Value::String(id) = it else {
                        return Err(ApiError::bad(
                            field,
                            format!("expected a site id (a string), found {}", kind(it)),
                        ));
                    };
                    let Some(s) = st.engine.site_index(id) else {
                        let hint = did_you_mean(id, sites.iter().map(|s| s.id.as_str()))
                            .map_or(String::new(), |m| format!("; did you mean {m:?}?"));
                        return Err(ApiError::bad(
                            field,
                            format!("unknown site id {id:?}{hint} (expected an id from the sites file)"),
                        ));
                    };
                    if !list.contains(&s) {
                        list.push(s);
                    }
                }
            }
            Some(other) => {
                return Err(ApiError::bad(
                    name,
                    format!("expected an array of site ids, found {}", kind(other)),
                ))
            }
        }
    }
    if let Some(s) = w.keep.iter().find(|s| w.close.contains(s)) {
        return Err(ApiError::bad(
            "close",
            format!(
                "site {:?} is in both keep and close; expected each site in at most one of them",
                st.engine.site_id(*s)
            ),
        ));
    }
    if let Some(v) = obj.get("max_minutes") {
        let what = format!("minutes, a number above 0 and at most {MAX_MINUTES}");
        if let Some(m) = number("max_minutes", v, &what)? {
            if !(m > 0.0 && m <= MAX_MINUTES) {
                return Err(ApiError::bad("max_minutes", format!("expected {what}, found {m}")));
            }
            // Services with their own limit keep it: when every planned service has one,
            // a new limit would change nothing (session 9 sweep), so say so.
            if st.engine.baseline_max_minutes() != Some(m) {
                if let Some(own) = st.engine.services_with_own_limits_only() {
                    return Err(ApiError::bad(
                        "max_minutes",
                        format!(
                            "every planned service has its own access limit in the services file ({}), so the \
                             scenario's limit applies to none of them; expected the scenario's {} minutes (change \
                             a service's limit in the services file instead)",
                            own.join(", "),
                            st.engine.baseline_max_minutes().map_or("–".into(), hubplan::fmt::plain)
                        ),
                    ));
                }
            }
            w.max_minutes = Some(m);
        }
    }
    for (name, slot, what) in [
        ("budget", &mut w.budget, "pounds a year, a number ≥ 0"),
        ("savings_target", &mut w.savings_target, "pounds a year, a number ≥ 0"),
        (
            "capital_budget",
            &mut w.capital_budget,
            "pounds (one-off), a number ≥ 0",
        ),
    ] {
        if let Some(v) = obj.get(name) {
            if let Some(b) = number(name, v, what)? {
                if b < 0.0 {
                    return Err(ApiError::bad(name, format!("expected {what}, found {b}")));
                }
                *slot = Some(b);
            }
        }
    }
    match obj.get("objective") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => match Engine::objective(s) {
            Some(o) => w.objective = Some(o),
            None => {
                let names = ["min_cost", "max_coverage", "min_travel"];
                let hint =
                    did_you_mean(s, names.iter().copied()).map_or(String::new(), |m| format!("; did you mean {m:?}?"));
                return Err(ApiError::bad(
                    "objective",
                    format!("unknown objective {s:?}{hint} (expected min_cost, max_coverage or min_travel)"),
                ));
            }
        },
        Some(other) => {
            return Err(ApiError::bad(
                "objective",
                format!("expected min_cost, max_coverage or min_travel, found {}", kind(other)),
            ))
        }
    }
    Ok(w)
}

fn echo(st: &AppState, w: &WhatIf) -> Value {
    let ids = |v: &[hubplan::SiteIdx]| v.iter().map(|&s| st.engine.site_id(s).to_string()).collect::<Vec<_>>();
    json!({
        "keep": ids(&w.keep),
        "close": ids(&w.close),
        "max_minutes": w.max_minutes,
        "budget": w.budget,
        "savings_target": w.savings_target,
        "capital_budget": w.capital_budget,
        "objective": w.objective.map(|o| o.name()),
    })
}

async fn whatif(State(st): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let v = body_json(body)?;
    let w = parse_whatif(&st, &v)?;
    let request = echo(&st, &w);
    let solved = solve(&st, w).await?;
    let st2 = st.clone();
    let body = tokio::task::spawn_blocking(move || whatif_body(&st2, &solved, &request))
        .await
        .map_err(|e| ApiError::internal(format!("the answer could not be assembled: {e}")))??;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response())
}

/// The answer of `POST /api/whatif`, written straight into one buffer: the plan as the
/// library wrote it (members and numbers as written, not re-serialised; only the
/// indentation dropped: pretty-printed, it was about 40% of the answer, 23.6 MB a
/// what-if on a 5,382-zone co-location scenario), then the other members in the
/// order a `serde_json::Map` keeps them, each serialised from its own value. The
/// sites and zones go in as GeoJSON without an intermediate `serde_json::Value`
/// tree or a second copy of the text: at regional scale those were the answer's
/// largest transient allocations (docs/SCALE.md).
fn whatif_body(st: &AppState, solved: &Solved, request: &Value) -> Result<Vec<u8>, ApiError> {
    let plan = std::str::from_utf8(&solved.plan_json_bytes)
        .map_err(|e| ApiError::internal(format!("plan.json is not UTF-8: {e}")))?;
    let diff = st.engine.diff(&st.baseline, solved)?;
    let mut out = Vec::with_capacity(plan.len() / 2 + 1024);
    out.extend_from_slice(b"{\"plan\":");
    compact_json_into(plan, &mut out);
    let gap = if solved.gap().is_finite() {
        json!(solved.gap())
    } else {
        Value::Null
    };
    member(&mut out, "diff", &diff)?;
    member(&mut out, "gap", &gap)?;
    member(&mut out, "infeasibility", &st.engine.infeasibility_text(solved))?;
    member(&mut out, "request", request)?;
    member(&mut out, "sites", &st.engine.sites_geojson(solved))?;
    member(&mut out, "status", &solved.status())?;
    member(&mut out, "warnings", &solved.warnings())?;
    member(&mut out, "zones", &st.engine.zones_geojson(solved))?;
    out.push(b'}');
    Ok(out)
}

/// Appends `,"name":` and `value` as JSON.
fn member<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, name: &str, value: &T) -> Result<(), ApiError> {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
    serde_json::to_writer(out, value).map_err(|e| ApiError::internal(format!("cannot serialise the answer: {e}")))
}

/// Appends `json` (valid JSON text) to `out` without the whitespace between its
/// tokens: the same document, members and numbers exactly as written, one line.
fn compact_json_into(json: &str, out: &mut Vec<u8>) {
    let (mut in_string, mut escaped) = (false, false);
    out.reserve(json.len());
    for &c in json.as_bytes() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
            out.push(c);
        }
    }
}

/// A stable name for an exported what-if: `whatif-` and 12 hex digits of the
/// SHA-256 of its canonical request (never a name taken from the request).
fn export_name(request: &Value) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(request.to_string().as_bytes());
    let hex: String = h.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("whatif-{hex}")
}

async fn export(State(st): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let v = body_json(body)?;
    let w = parse_whatif(&st, &v)?;
    let request = echo(&st, &w);
    let name = export_name(&request);
    let solved = solve(&st, w).await?;
    let st2 = st.clone();
    let dir = st.out.join("exports").join(&name);
    let dir2 = dir.clone();
    let files = tokio::task::spawn_blocking(move || -> Result<Vec<(String, Vec<u8>)>, ApiError> {
        let files = st2.engine.export_files(&solved)?;
        Engine::write_files(&dir2, &files).map_err(ApiError::internal)?;
        Ok(files)
    })
    .await
    .map_err(|e| ApiError::internal(format!("the export stopped unexpectedly: {e}")))??;
    let list: Vec<Value> = files
        .iter()
        .map(|(n, b)| match std::str::from_utf8(b) {
            Ok(text) => json!({ "name": n, "bytes": b.len(), "content": text }),
            // appendix.pdf and appendix.docx are binary: sent as base64, never mangled.
            Err(_) => {
                use base64::Engine as _;
                json!({
                    "name": n,
                    "bytes": b.len(),
                    "content_base64": base64::engine::general_purpose::STANDARD.encode(b),
                })
            }
        })
        .collect();
    Ok(json_response(&json!({
        "request": request,
        "name": name,
        "dir": dir.to_string_lossy(),
        "files": list,
    })))
}

#[cfg(test)]
mod tests {
    use super::compact_json_into;

    #[test]
    fn compact_json_drops_only_the_whitespace_between_tokens() {
        let text = "{\n  \"a b\": [1, 2.50],\n  \"s\": \"x \\\" y\\\\\",\n  \"t\": \"\\n \", \"é\": \"café\"\n}\n";
        let mut out = Vec::new();
        compact_json_into(text, &mut out);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out, r#"{"a b":[1,2.50],"s":"x \" y\\","t":"\n ","é":"café"}"#);
        let a: serde_json::Value = serde_json::from_str(text).unwrap();
        let b: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(a, b);
    }
}
