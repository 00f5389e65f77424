//! The savings-versus-access chart of a sweep.

use std::fmt::Write as _;

use hubplan::whatif::{trade_off_curve, SweepPoint, SweepResult};

use crate::fmt::{esc, money_short, plain};

/// Round tick values covering `[lo, hi]`, about `n` of them.
fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).abs().max(1e-12);
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let mut t = Vec::new();
    let mut v = start;
    while v <= hi + step * 1e-9 && t.len() < 50 {
        t.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    if t.last().is_some_and(|&l| l < hi - step * 1e-9) {
        t.push(v);
    }
    t
}

struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

fn axis(values: &[f64], cap: Option<f64>) -> Axis {
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs().max(1.0) * 0.01);
    lo -= pad;
    hi += pad;
    if let Some(c) = cap {
        hi = hi.min(c);
        if lo >= hi {
            lo = hi - pad;
        }
    }
    let t = ticks(lo, hi, 5);
    let lo = t.first().copied().unwrap_or(lo).min(lo);
    let hi = t.last().copied().unwrap_or(hi).max(hi);
    Axis { lo, hi, ticks: t }
}

/// An SVG chart of a sweep: for a budget sweep, annual saving (x) against the share
/// of need within the limit (y), one point per budget, labelled with the budget;
/// for a limit sweep (`--max-minutes`), the limit in minutes (x) against the annual
/// saving (y), labelled with the share within the limit. Points that another point
/// beats on both saving and coverage are drawn hollow. Points without a plan are
/// listed under the chart.
pub fn sweep_chart_svg(results: &[SweepResult], title: &str) -> String {
    let limits_only = !results.is_empty() && results.iter().all(|r| matches!(r.point, SweepPoint::MaxMinutes(_)));
    let curve = trade_off_curve(results);
    let with_plan: Vec<&SweepResult> = results.iter().filter(|r| r.has_plan()).collect();
    // (x, y, label, efficient)
    let pts: Vec<(f64, f64, String, bool)> = with_plan
        .iter()
        .zip(&curve)
        .map(|(r, c)| {
            if limits_only {
                (
                    r.point.value(),
                    r.annual_saving,
                    format!("{:.1}%", r.share_covered * 100.0),
                    c.efficient,
                )
            } else {
                let label = match r.point {
                    SweepPoint::Budget(b) => money_short(b),
                    SweepPoint::MaxMinutes(m) => format!("{} min", plain(m)),
                };
                (r.annual_saving, r.share_covered * 100.0, label, c.efficient)
            }
        })
        .collect();
    let (xlabel, ylabel) = if limits_only {
        ("Access limit (minutes)", "Annual saving")
    } else {
        ("Annual saving", "Share of need within the limit (%)")
    };
    let (w, h) = (760.0, 480.0);
    let (ml, mr, mt, mb) = (84.0, 28.0, 44.0, 64.0);
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.has_plan())
        .map(|r| {
            let what = match r.point {
                SweepPoint::Budget(b) => format!("budget {}", money_short(b)),
                SweepPoint::MaxMinutes(m) => format!("{} min", plain(m)),
            };
            let why = r
                .error
                .clone()
                .unwrap_or_else(|| r.status.map_or_else(|| "no plan".into(), |s| s.name().to_string()));
            let short: String = why.chars().take(110).collect();
            format!("{what}: {short}{}", if why.chars().count() > 110 { "…" } else { "" })
        })
        .collect();
    let extra = 16.0 * failed.len().min(6) as f64;
    let total_h = h + extra;
    let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
    let ax = axis(&xs, None);
    let ay = axis(&ys, if limits_only { None } else { Some(100.0) });
    let (pw, ph) = (w - ml - mr, h - mt - mb);
    let sx = |x: f64| ml + (x - ax.lo) / (ax.hi - ax.lo).max(1e-12) * pw;
    let sy = |y: f64| mt + ph - (y - ay.lo) / (ay.hi - ay.lo).max(1e-12) * ph;
    let fx = |v: f64| if limits_only { plain(v) } else { money_short(v) };
    let fy = |v: f64| {
        if limits_only {
            money_short(v)
        } else {
            format!("{}%", plain((v * 100.0).round() / 100.0))
        }
    };

    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {total_h:.0}" width="{w:.0}" height="{total_h:.0}" role="img" aria-label="{}" font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#222">"##,
        esc(title)
    );
    let _ = writeln!(s, r##"<rect width="{w:.0}" height="{total_h:.0}" fill="#fff"/>"##);
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="24" font-size="15" font-weight="bold">{}</text>"#,
        ml,
        esc(title)
    );
    // Grid and ticks.
    for &t in &ax.ticks {
        let x = sx(t);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{mt:.1}" x2="{x:.1}" y2="{:.1}" stroke="#e3e3e3"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            mt + ph,
            mt + ph + 18.0,
            esc(&fx(t))
        );
    }
    for &t in &ay.ticks {
        let y = sy(t);
        let _ = writeln!(
            s,
            r##"<line x1="{ml:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e3e3e3"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            ml + pw,
            ml - 8.0,
            y + 4.0,
            esc(&fy(t))
        );
    }
    let _ = writeln!(
        s,
        r##"<rect x="{ml:.1}" y="{mt:.1}" width="{pw:.1}" height="{ph:.1}" fill="none" stroke="#444"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="bold">{}</text>"#,
        ml + pw / 2.0,
        h - 18.0,
        esc(xlabel)
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle" font-weight="bold">{}</text>"#,
        mt + ph / 2.0,
        esc(ylabel)
    );
    if pts.is_empty() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">No point of the sweep has a plan.</text>"#,
            ml + pw / 2.0,
            mt + ph / 2.0
        );
    } else {
        let mut line: Vec<&(f64, f64, String, bool)> = pts.iter().collect();
        line.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let d: Vec<String> = line.iter().map(|p| format!("{:.1},{:.1}", sx(p.0), sy(p.1))).collect();
        let _ = writeln!(
            s,
            r##"<polyline points="{}" fill="none" stroke="#1f4e79" stroke-width="2"/>"##,
            d.join(" ")
        );
        for (i, (x, y, label, eff)) in pts.iter().enumerate() {
            let (px, py) = (sx(*x), sy(*y));
            let fill = if *eff { "#1f4e79" } else { "#fff" };
            let _ = writeln!(
                s,
                r##"<circle cx="{px:.1}" cy="{py:.1}" r="4.5" fill="{fill}" stroke="#1f4e79" stroke-width="1.8"><title>{}</title></circle>"##,
                esc(label)
            );
            // Alternate labels above and below so neighbours do not collide.
            let dy = if i % 2 == 0 { -9.0 } else { 17.0 };
            let _ = writeln!(
                s,
                r##"<text x="{px:.1}" y="{:.1}" text-anchor="middle" font-size="10.5" fill="#333">{}</text>"##,
                py + dy,
                esc(label)
            );
        }
    }
    for (i, f) in failed.iter().take(6).enumerate() {
        let _ = writeln!(
            s,
            r##"<text x="{ml:.1}" y="{:.1}" font-size="11" fill="#b2182b">No plan — {}</text>"##,
            h + 4.0 + 16.0 * i as f64,
            esc(f)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let t = ticks(0.0, 1_000_000.0, 5);
        assert_eq!(t, vec![0.0, 200_000.0, 400_000.0, 600_000.0, 800_000.0, 1_000_000.0]);
        let t = ticks(91.3, 100.0, 5);
        assert!(t[0] <= 91.3 && *t.last().unwrap_or(&0.0) >= 100.0 - 1e-9, "{t:?}");
    }
}
