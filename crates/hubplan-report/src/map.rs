//! The access map: zones drawn as cells shaded (and patterned) by minutes to the
//! nearest open hub, district outlines and labels, place labels, sites marked by decision.

use std::fmt::Write as _;

use geo::orient::{Direction, Orient};
use geo::{Coord, MapCoords, MultiPolygon};
use hubplan::geo::{LocalProjection, LonLat};
use hubplan::{Decision, Inputs, Plan};

use crate::fmt::{esc, plain};

/// A place to name on the map (a town), e.g. from the scenario's `[about]` section.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// The name to print.
    pub name: String,
    /// Where.
    pub pos: LonLat,
}

/// Size of the map, and the places to name on it.
#[derive(Clone, Debug, PartialEq)]
pub struct MapOptions {
    /// Width of the SVG in px (user units).
    pub width: f64,
    /// Largest height of the map area in px (the legend is added below).
    pub max_height: f64,
    /// Towns to label (the largest first; at most 12 are drawn).
    pub places: Vec<Place>,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            width: 900.0,
            max_height: 760.0,
            places: Vec::new(),
        }
    }
}

/// Colours of the within-limit bands, nearest first. Every map colour has at
/// least 3:1 contrast with white (the cell borders, halos and page), and each
/// band also has its own pattern, so bands are told apart without colour.
const WITHIN: [&str; 3] = ["#00573f", "#3f7f1f", "#8a6500"];
const BEYOND: &str = "#b8001f";
const NO_ROUTE: &str = "#5e5e5e";
/// Pattern ids, in the order of [`band_labels`]: solid, dots, diagonal lines, cross-hatch, horizontal lines.
const PATTERNS: [&str; 5] = ["", "p-dots", "p-diag", "p-cross", "p-horiz"];
const KEEP: &str = "#1f4e79";
const OPEN: &str = "#6a3d9a";
const CLOSE: &str = "#b2182b";

/// The travel-time bands for a limit: upper bounds (inclusive) within the limit, with their colours.
pub(crate) fn bands(limit: Option<f64>) -> Vec<(f64, &'static str)> {
    let l = limit.unwrap_or(hubplan::scenario::DEFAULT_MAX_MINUTES);
    let mut ups: Vec<f64> = [15.0, 25.0].into_iter().filter(|&u| u < l).collect();
    ups.push(l);
    ups.into_iter().zip(WITHIN).collect()
}

#[cfg(test)]
fn band_colour(bands: &[(f64, &'static str)], m: Option<f64>) -> &'static str {
    match m {
        None => NO_ROUTE,
        Some(m) => bands.iter().find(|(u, _)| m <= *u).map_or(BEYOND, |(_, c)| c),
    }
}

/// The position of a journey in [`band_labels`]: within-limit bands, then beyond, then none.
fn band_index(bands: &[(f64, &'static str)], m: Option<f64>) -> usize {
    match m {
        None => bands.len() + 1,
        Some(m) => bands.iter().position(|(u, _)| m <= *u).unwrap_or(bands.len()),
    }
}

/// The pattern of band `i` of `n` labels: the last two are always beyond and none.
fn band_pattern(i: usize, n: usize) -> &'static str {
    if i + 2 == n {
        PATTERNS[3]
    } else if i + 1 == n {
        PATTERNS[4]
    } else {
        PATTERNS[i.min(2)]
    }
}

/// Pattern definitions: white marks over the band colour.
fn pattern_defs(s: &mut String, bands: &[(f64, &'static str)]) {
    let labels = band_labels(bands);
    s.push_str("<defs>\n");
    for (i, (_, c)) in labels.iter().enumerate() {
        let id = band_pattern(i, labels.len());
        if id.is_empty() {
            continue;
        }
        let marks = match id {
            "p-dots" => r##"<circle cx="3" cy="3" r="1" fill="#fff" fill-opacity="0.8"/>"##,
            "p-diag" => {
                r##"<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#fff" stroke-opacity="0.7" stroke-width="0.8"/>"##
            }
            "p-cross" => r##"<path d="M0 6L6 0M0 0L6 6" stroke="#fff" stroke-opacity="0.7" stroke-width="0.8"/>"##,
            _ => r##"<path d="M0 3H6" stroke="#fff" stroke-opacity="0.7" stroke-width="0.8"/>"##,
        };
        let _ = writeln!(
            s,
            r##"<pattern id="{id}-{i}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="{c}"/>{marks}</pattern>"##
        );
    }
    s.push_str("</defs>\n");
}

/// The fill of band `i`: its colour, or its pattern.
fn band_fill(i: usize, labels: &[(String, &'static str)]) -> String {
    let id = band_pattern(i, labels.len());
    if id.is_empty() {
        labels.get(i).map_or(NO_ROUTE, |l| l.1).to_string()
    } else {
        format!("url(#{id}-{i})")
    }
}

/// What the map shows, in one or two sentences (its text alternative and caption).
pub(crate) fn finding(inputs: &Inputs, plan: &Plan, max_minutes: Option<f64>) -> String {
    let bands = bands(max_minutes);
    let labels = band_labels(&bands);
    let pop = inputs.zones.iter().map(|z| z.population).sum::<f64>() > 0.0;
    let noun = if pop { "residents" } else { "need" };
    let mut w = vec![0.0; labels.len()];
    let mut n = vec![0usize; labels.len()];
    let mut beyond_by_district: std::collections::BTreeMap<&str, usize> = Default::default();
    for (zone, zp) in inputs.zones.iter().zip(&plan.zones) {
        let i = band_index(&bands, zp.after.map(|a| a.1));
        w[i] += if pop { zone.population } else { zone.need };
        n[i] += 1;
        if i >= bands.len() {
            *beyond_by_district.entry(zone.district.as_str()).or_default() += 1;
        }
    }
    let total: f64 = w.iter().sum();
    let share = |x: f64| crate::fmt::pct_of(x, total);
    let first = labels.first().map_or(String::new(), |l| l.0.clone());
    let limit = bands.last().map_or(0.0, |b| b.0);
    let within: f64 = w[..bands.len()].iter().sum();
    let no_limit = if max_minutes.is_some() {
        ""
    } else {
        " (there is no access limit: the bands are for reading the map only)"
    };
    // With a limit at or below the first band there is one band: say it once.
    let mut out = if bands.len() == 1 {
        format!(
            "Map of travel time to the nearest open hub after the plan. {} of {noun} are within {} minutes of a hub{no_limit}.",
            share(within),
            plain(limit),
        )
    } else {
        format!(
            "Map of travel time to the nearest open hub after the plan. {} of {noun} are within {} of a hub ({first}) and {} within {} minutes{no_limit}.",
            share(w[0]),
            first.trim_start_matches("≤ "),
            share(within),
            plain(limit),
        )
    };
    let beyond = n[bands.len()] + n[bands.len() + 1];
    if beyond > 0 {
        let mut ds: Vec<(&str, usize)> = beyond_by_district.into_iter().collect();
        ds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = ds
            .iter()
            .take(3)
            .map(|(d, k)| format!("{} ({k})", if d.is_empty() { "no district" } else { d }))
            .collect();
        // Where they are, when the zones have districts at all.
        let place = if ds.iter().all(|(d, _)| d.is_empty()) {
            String::new()
        } else if beyond == 1 {
            format!(", in {}", ds[0].0)
        } else {
            format!(", most in {}", top.join(", "))
        };
        out.push_str(&format!(
            " {beyond} zone{} ({} of {noun}) {} {} or {} no hub reachable{place}.",
            if beyond == 1 { "" } else { "s" },
            share(w[bands.len()] + w[bands.len() + 1]),
            if beyond == 1 { "is" } else { "are" },
            if max_minutes.is_some() {
                format!("beyond {} minutes", plain(limit))
            } else {
                format!("more than {} minutes from a hub", plain(limit))
            },
            if beyond == 1 { "has" } else { "have" },
        ));
    }
    out
}

/// How the map draws the zones, for its caption: their outlines when the zones
/// file gives every placed zone one (as [`map_svg`] does), else Voronoi cells.
pub(crate) fn zones_drawn(inputs: &Inputs) -> &'static str {
    let placed = || inputs.zones.iter().filter(|z| z.pos.is_valid());
    if placed().next().is_some() && placed().all(|z| z.outline.is_some()) {
        "Each zone is drawn as its outline from the zones file"
    } else {
        "Each zone is drawn as the area nearer its centre than any other zone's"
    }
}

fn band_labels(bands: &[(f64, &'static str)]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut lo: Option<f64> = None;
    for &(u, c) in bands {
        let l = match lo {
            None => format!("≤ {} min", plain(u)),
            Some(lo) => format!("{}–{} min", plain(lo), plain(u)),
        };
        out.push((l, c));
        lo = Some(u);
    }
    if let Some(&(u, _)) = bands.last() {
        out.push((format!("> {} min", plain(u)), BEYOND));
    }
    out.push(("no open hub reachable".into(), NO_ROUTE));
    out
}

/// The north arrow, top right of a map `w` wide with this margin.
pub(crate) fn north_arrow(s: &mut String, w: f64, margin: f64) {
    let (nx, ny) = (w - margin - 6.0, margin + 4.0);
    let _ = writeln!(
        s,
        r##"<g id="north" fill="#222"><path d="M{nx:.1} {ny:.1}L{:.1} {:.1}L{nx:.1} {:.1}L{:.1} {:.1}Z"/><text x="{nx:.1}" y="{:.1}" font-size="12" text-anchor="middle" font-weight="bold">N</text></g>"##,
        nx + 6.0,
        ny + 18.0,
        ny + 13.0,
        nx - 6.0,
        ny + 18.0,
        ny + 31.0
    );
}

/// The district labels that fit: `(name, x, y)` in pixels, in name order. Labels are
/// placed by district size (most zones first, then name), and one whose box would
/// overlap a label already placed is left out: with 67 districts on one map, names
/// drawn over each other read as other names ("Reigate and Banstead" under
/// "Tandridge" read "Reigate and Tandridge"). A district left unlabelled keeps its
/// name in its outline's tooltip.
fn district_labels<'a>(
    names: &[&'a str],
    shapes: &[crate::voronoi::DistrictShape],
    zones_in: &[usize],
    to_px: impl Fn(f64, f64) -> (f64, f64),
) -> Vec<(&'a str, f64, f64)> {
    // Box of a 12 px bold label centred on x, baseline at y (Helvetica/Arial bold: about
    // 0.62 em a character), with a 3 px margin for the halo.
    let bbox = |name: &str, x: f64, y: f64| {
        let w = 0.62 * 12.0 * name.chars().count() as f64 + 6.0;
        (x - w / 2.0, y - 12.0, x + w / 2.0, y + 4.0)
    };
    let mut order: Vec<usize> = (0..names.len())
        .filter(|&i| !names[i].is_empty() && shapes[i].label_at.is_some())
        .collect();
    order.sort_by(|&a, &b| zones_in[b].cmp(&zones_in[a]).then(names[a].cmp(names[b])));
    // (district, its box: x0, y0, x1, y1, the label's x, y)
    type Placed = (usize, (f64, f64, f64, f64), f64, f64);
    let mut placed: Vec<Placed> = Vec::new();
    for i in order {
        let Some(p) = shapes[i].label_at else { continue };
        let (x, y) = to_px(p[0], p[1]);
        let b = bbox(names[i], x, y);
        if placed
            .iter()
            .all(|(_, o, _, _)| b.2 <= o.0 || o.2 <= b.0 || b.3 <= o.1 || o.3 <= b.1)
        {
            placed.push((i, b, x, y));
        }
    }
    placed.sort_by_key(|p| p.0);
    placed.into_iter().map(|(i, _, x, y)| (names[i], x, y)).collect()
}

fn nice_km(target_m: f64) -> f64 {
    let mut best = 1.0;
    for c in [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0, 1000.0] {
        if c * 1000.0 <= target_m {
            best = c;
        }
    }
    best
}

/// Closed buildings and candidates not opened are drawn as small marks (see
/// [`crowded`]) when, spread evenly over the map, each would have less than a square
/// of this side in px: at regional scale their full-size marks covered the map.
const MINOR_SPACING_PX: f64 = 50.0;

/// True when the closed buildings and unused candidates (`minor` of them) would crowd
/// a map area of `area_px` square px at full size: 701 closed crosses on the South
/// East's 948 buildings hid the travel-time bands and the kept buildings that are
/// the plan's point (754 marks, 27 px apart). Kent's least-cost plan (141 closed, 7
/// unused: 55 px apart) is not crowded; its £1m budget plan (183 and 8: 48 px) is.
fn crowded(minor: usize, area_px: f64) -> bool {
    minor > 0 && (area_px / minor as f64).sqrt() < MINOR_SPACING_PX
}

/// A closed building or an unused candidate on a crowded map: a small dark cross, or
/// a small grey ring, with no halo, under the kept and opened marks.
fn minor_marker(out: &mut String, d: Decision, x: f64, y: f64, r: f64) {
    match d {
        Decision::Close => cross(out, x, y, (r * 0.55).max(1.5), "#1b1b1b", 0.9),
        Decision::Unused => {
            let _ = write!(
                out,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="none" stroke="#444" stroke-width="0.8"/>"##,
                (r * 0.6).max(1.5)
            );
        }
        Decision::Keep | Decision::Open => marker(out, d, x, y, r),
    }
}

/// A cross of half-width `s` centred on (`x`, `y`), one path of two strokes.
fn cross(out: &mut String, x: f64, y: f64, s: f64, stroke: &str, width: f64) {
    let _ = write!(
        out,
        r##"<path d="M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}" stroke="{stroke}" stroke-width="{width:.1}" stroke-linecap="round"/>"##,
        x - s,
        y - s,
        x + s,
        y + s,
        x - s,
        y + s,
        x + s,
        y - s,
    );
}

fn marker(out: &mut String, d: Decision, x: f64, y: f64, r: f64) {
    match d {
        Decision::Keep => {
            let _ = write!(
                out,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{KEEP}" stroke="#fff" stroke-width="1"/>"##
            );
        }
        Decision::Open => {
            let s = r * 1.3;
            let _ = write!(
                out,
                r##"<path d="M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z" fill="{OPEN}" stroke="#fff" stroke-width="1"/>"##,
                y - s,
                x + s,
                y + s,
                x - s
            );
        }
        Decision::Close => {
            // A white halo under the red cross.
            cross(out, x, y, r * 0.95, "#fff", r * 0.9);
            cross(out, x, y, r * 0.95, CLOSE, r * 0.5);
        }
        Decision::Unused => {
            let _ = write!(
                out,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="none" stroke="#666" stroke-width="1.2"/>"##
            );
        }
    }
}

/// An SVG map of access after the plan: each zone shaded by minutes to its
/// nearest open hub (bands ≤ 15, 15–25, 25–limit, > limit, none reachable),
/// drawn as its outline when the zones file gives one (a Polygon or
/// MultiPolygon) and otherwise as the Voronoi cell of its point (a dot when it
/// has no cell), with district boundaries dissolved from those shapes; each
/// site marked by decision (keep, close, open, unused), with a legend, a scale
/// bar and a north arrow. Positions go through [`LocalProjection`] centred on
/// all zones and sites, so distances on the map are true to scale.
pub fn map_svg(inputs: &Inputs, plan: &Plan, max_minutes: Option<f64>, opts: &MapOptions) -> String {
    // Every zone and site, and every vertex of a zone's outline, is on the map.
    let outline_vertices = inputs
        .zones
        .iter()
        .filter_map(|z| z.outline.as_ref())
        .flat_map(|o| o.0.iter().flat_map(|p| p.exterior().0.iter()))
        .map(|c| LonLat::new(c.x, c.y));
    let pts: Vec<LonLat> = inputs
        .zones
        .iter()
        .map(|z| z.pos)
        .chain(inputs.sites.iter().map(|s| s.pos))
        .chain(outline_vertices)
        .filter(LonLat::is_valid)
        .collect();
    let proj = LocalProjection::centred_on(&pts);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for p in &pts {
        let (x, y) = proj.project(*p);
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (-1000.0, 1000.0, -1000.0, 1000.0);
    }
    let (dx, dy) = ((x1 - x0).max(1000.0), (y1 - y0).max(1000.0));
    let w = opts.width.max(200.0);
    let margin = 24.0;
    let scale = ((w - 2.0 * margin) / dx).min((opts.max_height.max(200.0) - 2.0 * margin) / dy);
    let map_h = dy * scale + 2.0 * margin;
    // How many buildings of each decision are drawn (placed ones), for the legend;
    // closed and unused ones drawn small when there are too many for full-size marks.
    let mut drawn = [0usize; 4];
    for (site, sp) in inputs.sites.iter().zip(&plan.sites) {
        if site.pos.is_valid() {
            drawn[decision_slot(sp.decision)] += 1;
        }
    }
    let minor = drawn[decision_slot(Decision::Close)] + drawn[decision_slot(Decision::Unused)];
    let small = crowded(minor, (dx * scale) * (dy * scale));
    let buildings = buildings_legend(&drawn, small, margin + 190.0, w - margin / 2.0);
    let legend_h = 62.0 + 22.0 * buildings.last().map_or(0, |b| b.row) as f64;
    let h = map_h + legend_h;
    // Centre the drawing horizontally when it is height-bound.
    let ox = (w - dx * scale) / 2.0;
    let m_to_px = |x: f64, y: f64| (ox + (x - x0) * scale, margin + (y1 - y) * scale);
    let to_px = |p: LonLat| {
        let (x, y) = proj.project(p);
        m_to_px(x, y)
    };
    let n = inputs.zones.len().max(1) as f64;
    let r_zone = (0.2 * ((dx * scale) * (dy * scale) / n).sqrt()).clamp(2.0, 8.0);
    let r_site = (r_zone * 1.05).clamp(3.0, 7.0);
    let bands = bands(max_minutes);

    let labels = band_labels(&bands);
    let mut s = String::with_capacity(300 * (inputs.zones.len() + inputs.sites.len()) + 8000);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-labelledby="map-title map-desc" font-family="Helvetica, Arial, sans-serif">"#
    );
    s.push_str("<title id=\"map-title\">Travel time to the nearest open hub after the plan</title>\n");
    let _ = writeln!(
        s,
        "<desc id=\"map-desc\">{}</desc>",
        esc(&finding(inputs, plan, max_minutes))
    );
    pattern_defs(&mut s, &bands);
    let _ = writeln!(
        s,
        r##"<clipPath id="map-area"><rect x="0" y="0" width="{w:.0}" height="{map_h:.1}"/></clipPath><rect x="0" y="0" width="{w:.0}" height="{map_h:.1}" fill="#f4f7fa"/>"##
    );
    // Zones as their outlines where the zones file gives them, else as Voronoi cells
    // of their centroids (projected metres); dissolved by district.
    let valid: Vec<usize> = (0..inputs.zones.len())
        .filter(|&i| inputs.zones[i].pos.is_valid())
        .collect();
    let pts: Vec<[f64; 2]> = valid
        .iter()
        .map(|&i| {
            let (x, y) = proj.project(inputs.zones[i].pos);
            [x, y]
        })
        .collect();
    let voronoi = if valid.iter().all(|&i| inputs.zones[i].outline.is_some()) {
        vec![Vec::new(); valid.len()]
    } else {
        crate::voronoi::cells(&pts)
    };
    let cells: Vec<MultiPolygon<f64>> = valid
        .iter()
        .zip(&voronoi)
        .map(|(&i, cell)| match &inputs.zones[i].outline {
            // Oriented (outer rings anticlockwise, holes clockwise) so that the
            // district dissolve keeps holes whatever the file's winding.
            Some(o) => o
                .map_coords(|c| {
                    let (x, y) = proj.project(LonLat::new(c.x, c.y));
                    Coord { x, y }
                })
                .orient(Direction::Default),
            None if cell.len() >= 3 => MultiPolygon::new(vec![crate::voronoi::polygon(cell)]),
            None => MultiPolygon::new(vec![]),
        })
        .collect();
    let ring_path = |ring: &[[f64; 2]]| {
        let mut d = String::new();
        for (k, p) in ring.iter().enumerate() {
            let (x, y) = m_to_px(p[0], p[1]);
            let _ = write!(d, "{}{x:.1} {y:.1}", if k == 0 { "M" } else { "L" });
        }
        d.push('Z');
        d
    };
    // Every ring (outer rings and holes) of a shape, as one path (drawn even-odd).
    let shape_path = |shape: &MultiPolygon<f64>| {
        let mut d = String::new();
        for poly in &shape.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let pts: Vec<[f64; 2]> = ring.0.iter().map(|c| [c.x, c.y]).collect();
                if pts.len() >= 3 {
                    d.push_str(&ring_path(&pts));
                }
            }
        }
        d
    };
    s.push_str("<g clip-path=\"url(#map-area)\">\n<g id=\"zones\" stroke=\"#ffffff\" stroke-width=\"0.35\">\n");
    for (k, &i) in valid.iter().enumerate() {
        let (zone, zp) = (&inputs.zones[i], &plan.zones[i]);
        let m = zp.after.map(|a| a.1);
        let name = if zone.name.is_empty() {
            zone.id.clone()
        } else {
            format!("{} ({})", zone.name, zone.id)
        };
        let tip = match m {
            Some(m) => format!("{name} — {m:.1} min"),
            None => format!("{name} — no open hub reachable"),
        };
        let fill = band_fill(band_index(&bands, m), &labels);
        let d = if inputs.zones[i].outline.is_some() {
            shape_path(&cells[k])
        } else if voronoi[k].len() >= 3 {
            ring_path(&voronoi[k])
        } else {
            String::new()
        };
        if !d.is_empty() {
            // An outline's holes are drawn as holes.
            let rule = if inputs.zones[i].outline.is_some() {
                r#" fill-rule="evenodd""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r#"<path d="{d}" fill="{fill}"{rule}><title>{}</title></path>"#,
                esc(&tip)
            );
        } else {
            let (x, y) = to_px(zone.pos);
            let _ = writeln!(
                s,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r_zone:.1}" fill="{fill}"><title>{}</title></circle>"#,
                esc(&tip)
            );
        }
    }
    s.push_str("</g>\n");
    let mut names: Vec<&str> = valid.iter().map(|&i| inputs.zones[i].district.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let group: Vec<usize> = valid
        .iter()
        .map(|&i| names.binary_search(&inputs.zones[i].district.as_str()).unwrap_or(0))
        .collect();
    let shapes = crate::voronoi::dissolve(&cells, &group, names.len());
    s.push_str(
        "<g id=\"districts\" fill=\"none\" stroke=\"#1b1b1b\" stroke-width=\"1.4\" stroke-linejoin=\"round\">\n",
    );
    for (name, shape) in names.iter().zip(&shapes) {
        let d = shape_path(&shape.outline);
        if !d.is_empty() {
            let _ = writeln!(s, r#"<path d="{d}"><title>{}</title></path>"#, esc(name));
        }
    }
    s.push_str("</g>\n</g>\n");
    let _ = writeln!(
        s,
        r#"<g id="sites" data-kept="{}" data-closed="{}" data-opened="{}" data-unused="{}" data-closed-marks="{}">"#,
        drawn[0],
        drawn[1],
        drawn[2],
        drawn[3],
        if small { "small" } else { "full" }
    );
    // Closed and unused below, kept and opened on top.
    for pass in [[Decision::Unused, Decision::Close], [Decision::Keep, Decision::Open]] {
        for (site, sp) in inputs.sites.iter().zip(&plan.sites) {
            if !pass.contains(&sp.decision) || !site.pos.is_valid() {
                continue;
            }
            let (x, y) = to_px(site.pos);
            s.push_str("<g>");
            let _ = write!(s, "<title>{} — {}</title>", esc(&site_title(site)), sp.decision.name());
            if small {
                minor_marker(&mut s, sp.decision, x, y, r_site);
            } else {
                marker(&mut s, sp.decision, x, y, r_site);
            }
            s.push_str("</g>\n");
        }
    }
    s.push_str("</g>\n");
    // District labels, then place labels, with white halos.
    s.push_str(
        "<g id=\"labels\" fill=\"#1b1b1b\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\" stroke-linejoin=\"round\" text-anchor=\"middle\">\n",
    );
    let mut zones_in = vec![0usize; names.len()];
    for &g in &group {
        zones_in[g] += 1;
    }
    for (name, x, y) in district_labels(&names, &shapes, &zones_in, m_to_px) {
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="12" font-weight="bold">{}</text>"#,
            esc(name)
        );
    }
    for place in opts.places.iter().filter(|p| p.pos.is_valid()).take(12) {
        let (x, y) = to_px(place.pos);
        let _ = writeln!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="2.5" fill="#1b1b1b" stroke="#fff" stroke-width="1"/><text x="{x:.1}" y="{:.1}" font-size="11" font-style="italic">{}</text>"##,
            y - 5.0,
            esc(&place.name)
        );
    }
    s.push_str("</g>\n");
    // Scale bar, bottom left of the map area.
    let km = nice_km(dx / 5.0);
    let bar = km * 1000.0 * scale;
    let (bx, by) = (margin, map_h - 12.0);
    let _ = writeln!(
        s,
        r##"<g id="scale" font-size="11" fill="#222"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="5" fill="#222"/><rect x="{:.1}" y="{:.1}" width="{:.1}" height="5" fill="#fff" stroke="#222" stroke-width="0.8"/><text x="{bx:.1}" y="{:.1}">0</text><text x="{:.1}" y="{:.1}" text-anchor="middle">{} km</text></g>"##,
        bx,
        by - 5.0,
        bar / 2.0,
        bx + bar / 2.0,
        by - 5.0,
        bar / 2.0,
        by - 9.0,
        bx + bar,
        by - 9.0,
        plain(km)
    );
    north_arrow(&mut s, w, margin);
    // Legend below the map.
    let _ = writeln!(
        s,
        r##"<g id="legend" font-size="12" fill="#222"><rect x="0" y="{map_h:.1}" width="{w:.0}" height="{legend_h:.0}" fill="#fff"/>"##
    );
    let ly = map_h + 20.0;
    let _ = write!(
        s,
        r#"<text x="{margin:.1}" y="{ly:.1}" font-weight="bold">Minutes to nearest open hub:</text>"#
    );
    let mut lx = margin + 190.0;
    for (i, (label, _)) in labels.iter().enumerate() {
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="14" height="11" fill="{}" stroke="#1b1b1b" stroke-width="0.6"/><text x="{:.1}" y="{ly:.1}">{}</text>"##,
            lx - 6.0,
            ly - 10.0,
            band_fill(i, &labels),
            lx + 12.0,
            esc(label)
        );
        lx += 24.0 + 6.6 * label.chars().count() as f64;
    }
    let ly2 = map_h + 46.0;
    let _ = write!(
        s,
        r#"<text x="{margin:.1}" y="{ly2:.1}" font-weight="bold">Buildings:</text>"#
    );
    for b in &buildings {
        // Closed and unused as the map draws them.
        let y = ly2 + 22.0 * b.row as f64;
        if small {
            minor_marker(&mut s, b.decision, b.x, y - 4.0, r_site.max(3.5));
        } else {
            marker(&mut s, b.decision, b.x, y - 4.0, 5.5);
        }
        let _ = write!(s, r#"<text x="{:.1}" y="{y:.1}">{}</text>"#, b.x + 10.0, b.label);
    }
    s.push_str("</g>\n</svg>");
    s
}

/// One entry of the map legend's "Buildings" row.
#[derive(Debug, PartialEq)]
struct LegendEntry {
    decision: Decision,
    /// What it is and how many the map draws.
    label: String,
    /// Where its mark is, and on which line of the row (0 first).
    x: f64,
    row: usize,
}

/// The "Buildings" entries of the legend: kept, closed, opened, unused, each with how
/// many the map draws (`drawn`, in [`decision_slot`] order), closed and unused saying
/// when they are drawn small. They start at `x0` and wrap onto another line rather
/// than run past `x_max` (four-digit counts of a national map).
fn buildings_legend(drawn: &[usize; 4], small: bool, x0: f64, x_max: f64) -> Vec<LegendEntry> {
    let mut out = Vec::new();
    let (mut x, mut row) = (x0, 0);
    for (d, what) in [
        (Decision::Keep, "kept"),
        (Decision::Close, "closed"),
        (Decision::Open, "opened (new)"),
        (Decision::Unused, "candidate not opened"),
    ] {
        let n = drawn[decision_slot(d)];
        let label = if small && matches!(d, Decision::Close | Decision::Unused) {
            format!("{what}: {n} (small marks)")
        } else {
            format!("{what}: {n}")
        };
        // 12 px text: about 6.6 px a character.
        let text_w = 6.6 * label.chars().count() as f64;
        if x > x0 && x + 10.0 + text_w > x_max {
            (x, row) = (x0, row + 1);
        }
        out.push(LegendEntry {
            decision: d,
            label,
            x,
            row,
        });
        x += 26.0 + text_w;
    }
    out
}

/// The place of a decision in the map's counts: kept, closed, opened, unused.
fn decision_slot(d: Decision) -> usize {
    match d {
        Decision::Keep => 0,
        Decision::Close => 1,
        Decision::Open => 2,
        Decision::Unused => 3,
    }
}

fn site_title(site: &hubplan::model::Site) -> String {
    if site.name.is_empty() {
        site.id.clone()
    } else {
        format!("{} ({})", site.name, site.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A regional map (the South East's 67 districts) drew every district name at its
    /// centre whatever else was there: "Reigate and Banstead" with "Tandridge" over its
    /// second half read "Reigate and Tandridge". Labels whose boxes overlap are now left
    /// out, the district with more zones keeping its label; apart, both are drawn.
    #[test]
    fn district_labels_that_would_overlap_are_left_out_larger_district_first() {
        use crate::voronoi::DistrictShape;
        let shape = |x: f64| DistrictShape {
            outline: MultiPolygon::new(vec![]),
            label_at: Some([x, 0.0]),
        };
        let names = ["Reigate and Banstead", "Tandridge"];
        let px = |x: f64, y: f64| (x, y);
        // 60 px apart: the boxes (about 155 px and 73 px wide) overlap.
        let close = district_labels(&names, &[shape(0.0), shape(60.0)], &[86, 50], px);
        assert_eq!(close.len(), 1, "{close:?}");
        assert_eq!(close[0].0, "Reigate and Banstead");
        // The smaller district wins only when it has more zones.
        let close = district_labels(&names, &[shape(0.0), shape(60.0)], &[40, 50], px);
        assert_eq!(close, vec![("Tandridge", 60.0, 0.0)]);
        // 200 px apart: both, in name order.
        let far = district_labels(&names, &[shape(0.0), shape(200.0)], &[86, 50], px);
        assert_eq!(far, vec![("Reigate and Banstead", 0.0, 0.0), ("Tandridge", 200.0, 0.0)]);
        // No label for an unnamed district or one without a label point.
        let none = district_labels(
            &["", "North"],
            &[
                shape(0.0),
                DistrictShape {
                    outline: MultiPolygon::new(vec![]),
                    label_at: None,
                },
            ],
            &[1, 1],
            px,
        );
        assert!(none.is_empty());
    }

    #[test]
    fn zones_with_outlines_are_drawn_as_them_and_dissolved_by_district() {
        use hubplan::model::{Site, Zone};
        use hubplan::{Scenario, SiteIdx, ZoneIdx};
        let square = |x: f64, y: f64, hole: bool| {
            let r = |x0: f64, y0: f64, d: f64| {
                geo::LineString::from(vec![(x0, y0), (x0 + d, y0), (x0 + d, y0 + d), (x0, y0 + d), (x0, y0)])
            };
            let holes = if hole {
                vec![r(x + 0.004, y + 0.004, 0.002)]
            } else {
                vec![]
            };
            MultiPolygon::new(vec![geo::Polygon::new(r(x, y, 0.01), holes)])
        };
        // Three zones: two side by side in North (sharing an edge), one in South with a hole.
        let zone = |id: &str, district: &str, x: f64, y: f64, hole: bool| Zone {
            id: id.into(),
            name: String::new(),
            pos: LonLat::new(x + 0.005, y + 0.005),
            district: district.into(),
            need: 10.0,
            population: 10.0,
            imd_decile: None,
            attributes: Default::default(),
            outline: Some(square(x, y, hole)),
        };
        let zones = vec![
            zone("Z1", "North", 0.50, 51.20, false),
            zone("Z2", "North", 0.51, 51.20, false),
            zone("Z3", "South", 0.50, 51.18, true),
        ];
        let site = Site {
            district: "North".into(),
            ..Site::existing("A", LonLat::new(0.505, 51.195), 100.0)
        };
        let travel =
            hubplan::travel::TravelTimes::from_triples(3, 1, (0..3).map(|z| (ZoneIdx(z), SiteIdx(0), 10.0)).collect())
                .unwrap();
        let inputs = Inputs {
            sites: vec![site],
            zones,
            services: vec![],
            travel,
        };
        let plan = hubplan::plan(&inputs, &Scenario::min_cost()).unwrap();
        let svg = map_svg(&inputs, &plan, Some(35.0), &MapOptions::default());
        let zones_g = svg
            .split("<g id=\"zones\"")
            .nth(1)
            .unwrap()
            .split("</g>")
            .next()
            .unwrap();
        // Each zone is its outline (4 corners and the closing point: 5 vertices a ring), not a cell.
        assert_eq!(zones_g.matches("<path ").count(), 3, "{zones_g}");
        assert_eq!(zones_g.matches("fill-rule=\"evenodd\"").count(), 3);
        // Z3's path has two rings (its hole).
        let z3 = zones_g.lines().find(|l| l.contains("Z3")).unwrap();
        assert_eq!(z3.matches('M').count(), 2, "{z3}");
        // Two districts; North's two squares dissolve into one outline of one ring.
        let d = svg
            .split("<g id=\"districts\"")
            .nth(1)
            .unwrap()
            .split("</g>")
            .next()
            .unwrap();
        let north = d.lines().find(|l| l.contains("<title>North</title>")).unwrap();
        assert_eq!(north.matches('M').count(), 1, "{north}");
        let south = d.lines().find(|l| l.contains("<title>South</title>")).unwrap();
        assert_eq!(south.matches('M').count(), 2, "the hole stays a hole: {south}");
    }

    /// Session 10 sweep (Hartlepool, 12-minute limit, zones as BNG (Multi)Polygons,
    /// no district column): the caption said "98.3% of residents are within 12 min of
    /// a hub (≤ 12 min) and 98.3% within 12 minutes. 1 zones (1.7% of residents) are
    /// beyond 12 minutes or have no hub reachable, most in no district (1). Each zone
    /// is drawn as the area nearer its centre than any other zone's" over a map of
    /// the zones' own outlines.
    #[test]
    fn one_band_one_zone_beyond_and_outlines_are_said_as_they_are() {
        use hubplan::model::{Site, Zone};
        use hubplan::{Scenario, SiteIdx, ZoneIdx};
        let square = |x: f64, y: f64| {
            let r = geo::LineString::from(vec![(x, y), (x + 0.01, y), (x + 0.01, y + 0.01), (x, y + 0.01), (x, y)]);
            MultiPolygon::new(vec![geo::Polygon::new(r, vec![])])
        };
        let zone = |id: &str, x: f64, population: f64, outline: bool| Zone {
            id: id.into(),
            name: String::new(),
            pos: LonLat::new(x + 0.005, 54.685),
            district: String::new(),
            need: 10.0,
            population,
            imd_decile: None,
            attributes: Default::default(),
            outline: outline.then(|| square(x, 54.68)),
        };
        let site = Site::existing("A", LonLat::new(-1.2, 54.685), 100.0);
        let inputs = |outline: bool| Inputs {
            sites: vec![site.clone()],
            zones: vec![
                zone("Z1", -1.21, 60.0, outline),
                zone("Z2", -1.20, 20.0, outline),
                zone("Z3", -1.19, 20.0, outline),
            ],
            services: vec![],
            travel: hubplan::travel::TravelTimes::from_triples(
                3,
                1,
                vec![
                    (ZoneIdx(0), SiteIdx(0), 5.0),
                    (ZoneIdx(1), SiteIdx(0), 8.0),
                    (ZoneIdx(2), SiteIdx(0), 20.0),
                ],
            )
            .unwrap(),
        };
        let with = inputs(true);
        let mut sc = Scenario::min_cost();
        sc.max_minutes = Some(12.0);
        let plan = hubplan::plan(&with, &sc).unwrap();
        assert_eq!(
            finding(&with, &plan, Some(12.0)),
            "Map of travel time to the nearest open hub after the plan. 80.0% of residents are within 12 minutes \
             of a hub. 1 zone (20.0% of residents) is beyond 12 minutes or has no hub reachable."
        );
        assert_eq!(
            zones_drawn(&with),
            "Each zone is drawn as its outline from the zones file"
        );
        assert_eq!(
            zones_drawn(&inputs(false)),
            "Each zone is drawn as the area nearer its centre than any other zone's"
        );
        // Two beyond, with districts: the plural and the districts stay.
        let mut two = inputs(true);
        two.zones[1].district = "North".into();
        two.zones[2].district = "North".into();
        let plan = hubplan::plan(&two, &sc).unwrap();
        assert!(
            finding(&two, &plan, Some(5.0)).ends_with(
                "2 zones (40.0% of residents) are beyond 5 minutes or have no hub reachable, most in North (2)."
            ),
            "{}",
            finding(&two, &plan, Some(5.0))
        );
    }

    /// Session 18 regional audit: on the South East's least-cost plan (948 buildings,
    /// 701 closed) the closed buildings' full-size red crosses, each with its white
    /// halo, covered the map: the travel-time bands and the 247 kept buildings were
    /// hard to see. With many closures they are now small dark crosses without a halo,
    /// drawn before (under) the kept ones, and the legend counts every decision and
    /// says the closed marks are small. A map of a few closures keeps its full-size
    /// crosses (with counts in the legend).
    #[test]
    fn many_closed_buildings_are_small_marks_under_the_kept_ones_and_counted() {
        use hubplan::model::{Site, Zone};
        use hubplan::{Scenario, SiteIdx, ZoneIdx};
        let inputs = |n_sites: usize| {
            let zones: Vec<Zone> = (0..20)
                .map(|k| Zone {
                    id: format!("Z{k}"),
                    name: String::new(),
                    pos: LonLat::new(0.40 + 0.02 * (k % 5) as f64, 51.20 + 0.02 * (k / 5) as f64),
                    district: String::new(),
                    need: 10.0,
                    population: 10.0,
                    imd_decile: None,
                    attributes: Default::default(),
                    outline: None,
                })
                .collect();
            // Buildings spread over the zones' area; the cheapest (S0) is kept.
            let sites: Vec<Site> = (0..n_sites)
                .map(|j| {
                    let t = j as f64 / n_sites as f64;
                    let pos = LonLat::new(
                        0.40 + 0.08 * t,
                        51.20 + 0.06 * ((j * 7919) % n_sites) as f64 / n_sites as f64,
                    );
                    Site::existing(format!("S{j}"), pos, 1000.0 + j as f64)
                })
                .collect();
            let triples = (0..20)
                .flat_map(|z| (0..n_sites as u32).map(move |j| (ZoneIdx(z), SiteIdx(j), 10.0)))
                .collect();
            Inputs {
                travel: hubplan::travel::TravelTimes::from_triples(20, n_sites, triples).unwrap(),
                sites,
                zones,
                services: vec![],
            }
        };
        let sites_g = |svg: &str| {
            svg.split("<g id=\"sites\"")
                .nth(1)
                .unwrap()
                .split("\n</g>")
                .next()
                .unwrap()
                .to_string()
        };
        let legend = |svg: &str| svg.split("<g id=\"legend\"").nth(1).unwrap().to_string();

        let many = inputs(600);
        let plan = hubplan::plan(&many, &Scenario::min_cost()).unwrap();
        assert_eq!(plan.sites.iter().filter(|p| p.decision == Decision::Close).count(), 599);
        let svg = map_svg(&many, &plan, Some(35.0), &MapOptions::default());
        let g = sites_g(&svg);
        assert!(
            g.starts_with(
                r#" data-kept="1" data-closed="599" data-opened="0" data-unused="0" data-closed-marks="small">"#
            ),
            "{}",
            &g[..200]
        );
        // No full-size (red, haloed) cross: 599 small dark ones.
        assert!(!g.contains(CLOSE), "a full-size closed mark is drawn");
        assert_eq!(g.matches(r##"stroke="#1b1b1b" stroke-width="0.9""##).count(), 599);
        // The kept building is drawn last, over the closed ones.
        let last = g.lines().last().unwrap();
        assert!(
            last.contains("<title>S0 — keep</title>") && last.contains(KEEP),
            "{last}"
        );
        let l = legend(&svg);
        assert!(l.contains(">kept: 1</text>"), "{l}");
        assert!(l.contains(">closed: 599 (small marks)</text>"), "{l}");
        assert!(
            l.contains(">opened (new): 0</text>") && l.contains(">candidate not opened: 0 (small marks)</text>"),
            "{l}"
        );
        // The legend's closed sample is the small mark too.
        assert!(
            l.contains(r##"stroke="#1b1b1b" stroke-width="0.9""##) && !l.contains(CLOSE),
            "{l}"
        );

        // Ten buildings: full-size crosses, with their halo, and counts.
        let few = inputs(10);
        let plan = hubplan::plan(&few, &Scenario::min_cost()).unwrap();
        let svg = map_svg(&few, &plan, Some(35.0), &MapOptions::default());
        let g = sites_g(&svg);
        assert!(
            g.contains(r#"data-closed="9" data-opened="0" data-unused="0" data-closed-marks="full""#),
            "{g}"
        );
        assert_eq!(g.matches(&format!(r#"stroke="{CLOSE}""#)).count(), 9);
        let l = legend(&svg);
        assert!(l.contains(">closed: 9</text>") && l.contains(">kept: 1</text>"), "{l}");
        assert!(l.contains(&format!(r#"stroke="{CLOSE}""#)), "{l}");
    }

    #[test]
    fn buildings_legend_counts_and_wraps_rather_than_runs_off_the_map() {
        let one_line = buildings_legend(&[86, 141, 1, 7], false, 214.0, 888.0);
        let labels: Vec<&str> = one_line.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(
            labels,
            ["kept: 86", "closed: 141", "opened (new): 1", "candidate not opened: 7"]
        );
        assert!(one_line.iter().all(|e| e.row == 0));
        // A national plan's counts, drawn small: the last entry goes on a second line.
        let two = buildings_legend(&[2130, 3690, 12, 104], true, 214.0, 888.0);
        assert_eq!(two[1].label, "closed: 3690 (small marks)");
        assert_eq!(two[3].label, "candidate not opened: 104 (small marks)");
        assert_eq!(two.iter().map(|e| e.row).collect::<Vec<_>>(), [0, 0, 0, 1]);
        assert_eq!(two[3].x, 214.0);
        for e in &two {
            assert!(e.x + 10.0 + 6.6 * e.label.chars().count() as f64 <= 888.0, "{e:?}");
        }
    }

    #[test]
    fn crowding_is_judged_by_the_space_each_minor_mark_would_have() {
        // The default map area is about 852 x 700 px.
        let area = 852.0 * 700.0;
        assert!(!crowded(0, area));
        // Kent's least-cost plan: 141 closed and 7 unused on 852 x 521 px, 55 px apart.
        assert!(!crowded(148, 852.0 * 521.0), "Kent");
        assert!(!crowded(230, area), "about 51 px apart");
        assert!(crowded(240, area), "about 50 px apart");
        assert!(
            crowded(746, area),
            "the South East's 701 closures and 45 unused candidates"
        );
    }

    #[test]
    fn bands_follow_the_limit() {
        let b = bands(Some(35.0));
        assert_eq!(b.iter().map(|x| x.0).collect::<Vec<_>>(), vec![15.0, 25.0, 35.0]);
        assert_eq!(band_colour(&b, Some(35.0)), WITHIN[2]);
        assert_eq!(band_colour(&b, Some(35.01)), BEYOND);
        assert_eq!(band_colour(&b, None), NO_ROUTE);
        let l = band_labels(&b);
        assert_eq!(l[1].0, "15–25 min");
        assert_eq!(l[3].0, "> 35 min");
        assert_eq!(
            bands(Some(20.0)).iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![15.0, 20.0]
        );
        assert_eq!(nice_km(23_000.0), 20.0);
    }
}
