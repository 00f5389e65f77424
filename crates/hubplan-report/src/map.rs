//! The access map: zones shaded by minutes to the nearest open hub, sites marked by decision.

use std::fmt::Write as _;

use hubplan::geo::{LocalProjection, LonLat};
use hubplan::{Decision, Inputs, Plan};

use crate::fmt::{esc, plain};

/// Size of the map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapOptions {
    /// Width of the SVG in px (user units).
    pub width: f64,
    /// Largest height of the map area in px (the legend is added below).
    pub max_height: f64,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            width: 900.0,
            max_height: 760.0,
        }
    }
}

/// Colours of the within-limit bands, nearest first.
const WITHIN: [&str; 3] = ["#1a9850", "#a6d96a", "#fee08b"];
const BEYOND: &str = "#d73027";
const NO_ROUTE: &str = "#9e9e9e";
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

fn band_colour(bands: &[(f64, &'static str)], m: Option<f64>) -> &'static str {
    match m {
        None => NO_ROUTE,
        Some(m) => bands.iter().find(|(u, _)| m <= *u).map_or(BEYOND, |(_, c)| c),
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

fn nice_km(target_m: f64) -> f64 {
    let mut best = 1.0;
    for c in [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0, 1000.0] {
        if c * 1000.0 <= target_m {
            best = c;
        }
    }
    best
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
            let s = r * 0.95;
            let _ = write!(
                out,
                r##"<path d="M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}" stroke="#fff" stroke-width="{:.1}" stroke-linecap="round"/><path d="M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}" stroke="{CLOSE}" stroke-width="{:.1}" stroke-linecap="round"/>"##,
                x - s,
                y - s,
                x + s,
                y + s,
                x - s,
                y + s,
                x + s,
                y - s,
                r * 0.9,
                x - s,
                y - s,
                x + s,
                y + s,
                x - s,
                y + s,
                x + s,
                y - s,
                r * 0.5
            );
        }
        Decision::Unused => {
            let _ = write!(
                out,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="none" stroke="#666" stroke-width="1.2"/>"##
            );
        }
    }
}

/// An SVG map of access after the plan: each zone a dot shaded by minutes to its
/// nearest open hub (bands ≤ 15, 15–25, 25–limit, > limit, none reachable), each
/// site marked by decision (keep, close, open, unused), with a legend, a scale
/// bar and a north arrow. Positions go through [`LocalProjection`] centred on
/// all zones and sites, so distances on the map are true to scale.
pub fn map_svg(inputs: &Inputs, plan: &Plan, max_minutes: Option<f64>, opts: &MapOptions) -> String {
    let pts: Vec<LonLat> = inputs
        .zones
        .iter()
        .map(|z| z.pos)
        .chain(inputs.sites.iter().map(|s| s.pos))
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
    let legend_h = 62.0;
    let h = map_h + legend_h;
    // Centre the drawing horizontally when it is height-bound.
    let ox = (w - dx * scale) / 2.0;
    let to_px = |p: LonLat| {
        let (x, y) = proj.project(p);
        (ox + (x - x0) * scale, margin + (y1 - y) * scale)
    };
    let n = inputs.zones.len().max(1) as f64;
    let r_zone = (0.2 * ((dx * scale) * (dy * scale) / n).sqrt()).clamp(2.0, 8.0);
    let r_site = (r_zone * 1.05).clamp(3.0, 7.0);
    let bands = bands(max_minutes);

    let mut s = String::with_capacity(200 * (inputs.zones.len() + inputs.sites.len()) + 4000);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-label="Map of travel time to the nearest open hub after the plan" font-family="Helvetica, Arial, sans-serif">"#
    );
    s.push_str("<title>Travel time to the nearest open hub after the plan</title>\n");
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{w:.0}" height="{map_h:.1}" fill="#eef3f7"/>"##
    );
    s.push_str("<g id=\"zones\" stroke=\"#ffffff\" stroke-width=\"0.4\">\n");
    for (zone, zp) in inputs.zones.iter().zip(&plan.zones) {
        if !zone.pos.is_valid() {
            continue;
        }
        let (x, y) = to_px(zone.pos);
        let m = zp.after.map(|a| a.1);
        let tip = match m {
            Some(m) => format!("{} — {:.1} min", zone.id, m),
            None => format!("{} — no open hub reachable", zone.id),
        };
        let _ = writeln!(
            s,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r_zone:.1}" fill="{}"><title>{}</title></circle>"#,
            band_colour(&bands, m),
            esc(&tip)
        );
    }
    s.push_str("</g>\n<g id=\"sites\">\n");
    // Closed and unused below, kept and opened on top.
    for pass in [[Decision::Unused, Decision::Close], [Decision::Keep, Decision::Open]] {
        for (site, sp) in inputs.sites.iter().zip(&plan.sites) {
            if !pass.contains(&sp.decision) || !site.pos.is_valid() {
                continue;
            }
            let (x, y) = to_px(site.pos);
            s.push_str("<g>");
            let _ = write!(s, "<title>{} — {}</title>", esc(&site_title(site)), sp.decision.name());
            marker(&mut s, sp.decision, x, y, r_site);
            s.push_str("</g>\n");
        }
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
    // North arrow, top right.
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
    for (label, c) in band_labels(&bands) {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5.5" fill="{c}" stroke="#555" stroke-width="0.4"/><text x="{:.1}" y="{ly:.1}">{}</text>"##,
            lx,
            ly - 4.0,
            lx + 9.0,
            esc(&label)
        );
        lx += 20.0 + 7.0 * label.chars().count() as f64;
    }
    let ly2 = map_h + 46.0;
    let _ = write!(
        s,
        r#"<text x="{margin:.1}" y="{ly2:.1}" font-weight="bold">Buildings:</text>"#
    );
    let mut lx = margin + 190.0;
    for (d, label) in [
        (Decision::Keep, "kept"),
        (Decision::Close, "closed"),
        (Decision::Open, "opened (new)"),
        (Decision::Unused, "candidate not opened"),
    ] {
        marker(&mut s, d, lx, ly2 - 4.0, 5.5);
        let _ = write!(s, r#"<text x="{:.1}" y="{ly2:.1}">{label}</text>"#, lx + 10.0);
        lx += 26.0 + 7.0 * label.len() as f64;
    }
    s.push_str("</g>\n</svg>");
    s
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
