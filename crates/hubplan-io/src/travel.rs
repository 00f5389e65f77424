//! Travel-time matrices: `zone_id,site_id,minutes`.

use std::collections::HashMap;
use std::path::Path;

use hubplan::model::{Site, Zone};
use hubplan::travel::{TravelError, TravelTimes};
use hubplan::{SiteIdx, ZoneIdx};

use crate::error::{did_you_mean, quote, IoError, IoErrorKind, Result};
use crate::limits;
use crate::num::{parse_number, NumErr};
use crate::table::CsvStream;
use crate::text::nfc;

/// A travel-time matrix read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct TravelFile {
    /// The sparse matrix, indexed like the sites and zones it was read against.
    pub travel: TravelTimes,
    /// Rows with minutes (reachable pairs).
    pub pairs: usize,
    /// Rows with an empty `minutes` (explicitly unreachable).
    pub unreachable_rows: usize,
    /// Non-fatal remarks (ignored columns).
    pub warnings: Vec<String>,
}

const ZONE_COLS: &[&str] = &["zone_id", "origin_id"];
const SITE_COLS: &[&str] = &["site_id", "destination_id"];

/// Reads `zone_id,site_id,minutes` (also accepted: `origin_id,destination_id,minutes`).
///
/// A missing pair or an empty `minutes` means unreachable. An unknown zone or site
/// id, negative/NaN/infinite minutes, or a pair given twice is an error naming the
/// file, line, column and id.
pub fn read_travel_times(path: &Path, sites: &[Site], zones: &[Zone]) -> Result<TravelFile> {
    let mut s = CsvStream::open(path, "travel times", limits::MAX_TRAVEL_ROWS)?;
    let find = |names: &[&str]| {
        s.headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let missing = |name: &str, headers: &[String]| {
        let cands: Vec<&str> = headers.iter().map(String::as_str).collect();
        IoError::new(
            IoErrorKind::MissingColumn,
            format!(
                "the travel times file has no `{name}` column{}; expected the header zone_id,site_id,minutes; it has: {}",
                did_you_mean(name, cands.iter().copied().filter(|c| !c.is_empty())),
                cands.join(", ")
            ),
        )
        .in_file(path)
        .at_line(1)
        .field(name)
    };
    let zc = find(ZONE_COLS).ok_or_else(|| missing("zone_id", &s.headers))?;
    let sc = find(SITE_COLS).ok_or_else(|| missing("site_id", &s.headers))?;
    let mc = find(&["minutes"]).ok_or_else(|| missing("minutes", &s.headers))?;
    let (zname, sname) = (s.headers[zc].clone(), s.headers[sc].clone());
    let mut warnings = Vec::new();
    let extra: Vec<&str> = s
        .headers
        .iter()
        .enumerate()
        .filter(|(i, h)| ![zc, sc, mc].contains(i) && !h.is_empty())
        .map(|(_, h)| h.as_str())
        .collect();
    if !extra.is_empty() {
        warnings.push(format!(
            "{}: unknown columns ignored: {}",
            path.display(),
            extra.join(", ")
        ));
    }
    let zone_ix: HashMap<&str, u32> = zones
        .iter()
        .enumerate()
        .map(|(i, z)| (z.id.as_str(), i as u32))
        .collect();
    let site_ix: HashMap<&str, u32> = sites
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.as_str(), i as u32))
        .collect();
    let file = path.to_path_buf();
    let at = |line: u64, field: &str, kind: IoErrorKind, msg: String| {
        IoError::new(kind, msg).in_file(&file).at_line(line).field(field)
    };

    // (zone, site, minutes, line)
    let mut rows: Vec<(u32, u32, f64, u64)> = Vec::new();
    let mut unreachable_rows = 0usize;
    let mut rec = csv::StringRecord::new();
    while let Some(line) = s.next_row(&mut rec)? {
        // Ids compare in NFC, as the sites and zones files' ids were read (src/text.rs).
        let zid = nfc(rec.get(zc).unwrap_or("").trim());
        let sid = nfc(rec.get(sc).unwrap_or("").trim());
        let (zid, sid) = (zid.as_ref(), sid.as_ref());
        let raw = rec.get(mc).unwrap_or("");
        let z = match zone_ix.get(zid) {
            Some(&z) => z,
            None if zid.is_empty() => {
                return Err(at(
                    line,
                    &zname,
                    IoErrorKind::BadValue,
                    "expected a zone id, found an empty cell".into(),
                ))
            }
            None => {
                return Err(at(
                    line,
                    &zname,
                    IoErrorKind::UnknownId,
                    format!(
                        "unknown zone id {}: expected an id from the zones file{}",
                        quote(zid),
                        did_you_mean(zid, zones.iter().map(|z| z.id.as_str()))
                    ),
                ))
            }
        };
        let x = match site_ix.get(sid) {
            Some(&x) => x,
            None if sid.is_empty() => {
                return Err(at(
                    line,
                    &sname,
                    IoErrorKind::BadValue,
                    "expected a site id, found an empty cell".into(),
                ))
            }
            None => {
                return Err(at(
                    line,
                    &sname,
                    IoErrorKind::UnknownId,
                    format!(
                        "unknown site id {}: expected an id from the sites file{}",
                        quote(sid),
                        did_you_mean(sid, sites.iter().map(|x| x.id.as_str()))
                    ),
                ))
            }
        };
        match parse_number(raw) {
            Err(NumErr::Empty) => unreachable_rows += 1,
            Err(e) => {
                return Err(at(
                    line,
                    "minutes",
                    IoErrorKind::BadValue,
                    format!(
                        "expected minutes ≥ 0 (or an empty cell for unreachable), found {}{}",
                        quote(raw),
                        e.hint(raw)
                    ),
                ))
            }
            Ok(m) if m < 0.0 => {
                return Err(at(
                    line,
                    "minutes",
                    IoErrorKind::BadValue,
                    format!(
                        "expected minutes ≥ 0 (or an empty cell for unreachable), found {}",
                        quote(raw)
                    ),
                ))
            }
            Ok(m) => rows.push((z, x, m, line)),
        }
    }
    if s.rows() == 0 {
        return Err(
            IoError::new(IoErrorKind::Csv, "the travel times file has a header but no rows")
                .in_file(path)
                .at_line(1),
        );
    }
    rows.sort_by_key(|r| (r.0, r.1, r.3));
    for w in rows.windows(2) {
        if w[0].0 == w[1].0 && w[0].1 == w[1].1 {
            return Err(at(
                w[1].3,
                &sname,
                IoErrorKind::DuplicateId,
                format!(
                    "duplicate pair zone {} → site {}: it is also on line {}; each pair may appear once",
                    quote(&zones[w[1].0 as usize].id),
                    quote(&sites[w[1].1 as usize].id),
                    w[0].3
                ),
            ));
        }
    }
    let pairs = rows.len();
    let triples = rows
        .into_iter()
        .map(|(z, x, m, _)| (ZoneIdx(z), SiteIdx(x), m))
        .collect();
    let travel = build_travel(zones, sites, triples).map_err(|e| e.in_file(path))?;
    Ok(TravelFile {
        travel,
        pairs,
        unreachable_rows,
        warnings,
    })
}

/// Builds a [`TravelTimes`] from `(zone, site, minutes)` triples (e.g. computed by
/// the transit engine), with errors that name the zone and site ids.
pub fn build_travel(zones: &[Zone], sites: &[Site], triples: Vec<(ZoneIdx, SiteIdx, f64)>) -> Result<TravelTimes> {
    let zid = |z: ZoneIdx| zones.get(z.index()).map(|z| z.id.as_str()).unwrap_or("?").to_string();
    let sid = |s: SiteIdx| sites.get(s.index()).map(|s| s.id.as_str()).unwrap_or("?").to_string();
    TravelTimes::from_triples(zones.len(), sites.len(), triples).map_err(|e| match e {
        TravelError::Duplicate(z, s) => IoError::new(
            IoErrorKind::DuplicateId,
            format!(
                "duplicate travel time for zone {} → site {}",
                quote(&zid(z)),
                quote(&sid(s))
            ),
        ),
        TravelError::BadMinutes(z, s, m) => IoError::new(
            IoErrorKind::BadValue,
            format!(
                "expected minutes ≥ 0 for zone {} → site {}, found {m}",
                quote(&zid(z)),
                quote(&sid(s))
            ),
        )
        .field("minutes"),
        TravelError::OutOfRange(z, s) => IoError::new(
            IoErrorKind::UnknownId,
            format!(
                "travel time for zone index {} → site index {} is out of range",
                z.0, s.0
            ),
        ),
        other => IoError::new(IoErrorKind::BadValue, format!("invalid travel-time table: {other:?}")),
    })
}

/// One row of a travel-time matrix to write: zone id, site id, minutes, and the share of
/// departure minutes within the threshold (written only when asked).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TravelRow<'a> {
    /// Origin (zone) id.
    pub zone_id: &'a str,
    /// Destination (site) id.
    pub site_id: &'a str,
    /// Minutes, written with 2 decimals.
    pub minutes: f64,
    /// Share of departure minutes within the threshold, written with 4 decimals.
    pub share_within: Option<f64>,
}

/// Writes a travel-time matrix in the planning run's `travel_times` format
/// (`zone_id,site_id,minutes` and, with `share`, `share_within`), atomically.
pub fn write_travel_times<'a>(path: &Path, rows: impl Iterator<Item = TravelRow<'a>>, share: bool) -> Result<()> {
    let bytes = travel_times_csv(rows, share)?;
    crate::output::write_file_atomically(path, &bytes)
}

/// The `travel_times` CSV of [`write_travel_times`], rendered in memory (the header
/// alone when `rows` is empty).
pub fn travel_times_csv<'a>(rows: impl Iterator<Item = TravelRow<'a>>, share: bool) -> Result<Vec<u8>> {
    let mut header = vec!["zone_id", "site_id", "minutes"];
    if share {
        header.push("share_within");
    }
    crate::output::csv_bytes(
        &header,
        rows.map(|r| {
            let mut v = vec![
                r.zone_id.to_string(),
                r.site_id.to_string(),
                format!("{:.2}", r.minutes),
            ];
            if share {
                v.push(format!("{:.4}", r.share_within.unwrap_or(0.0)));
            }
            v
        }),
    )
}
