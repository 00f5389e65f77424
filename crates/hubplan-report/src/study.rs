//! The feasibility-study appendix ([`Study`]): where services are, where
//! children and need are, who is beyond the limit, the priority areas and the
//! equality picture (for an Equality and Human Rights Impact Assessment), before
//! anything is decided.
//!
//! Drawn through the same document model as the cabinet appendix (same inline
//! CSS and A4 print styles; the Markdown says the same as the HTML), with three
//! SVG maps ([`study_map_svg`]): need, access and priority areas.
//!
//! Contents:
//!
//! 1. Summary: zones, population, children, buildings per service, children within
//!    each limit, priority zones and areas.
//! 2. Services map: buildings hosting each service by kind and district, and those that could.
//! 3. Demand by district: population, children and every age band.
//! 4. Need: the method and the maps.
//! 5. Access by district and by IMD decile.
//! 6. Priority areas, each with the building the optimiser finds would bring most
//!    of its children within the limit.
//! 7. Equality tables by IMD decile, district and protected characteristic.
//! 8. Method and provenance.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hubplan::geo::{LocalProjection, LonLat};
use hubplan::study::{GroupRow, Study};
use hubplan::Inputs;

use crate::content::site_label;
use crate::doc::{Block, Table};
use crate::fmt::{count, esc, minutes_opt, pct, pct_of, plain};
use crate::Provenance;

/// Everything a study appendix is drawn from.
#[derive(Clone, Copy, Debug)]
pub struct StudyAppendix<'a> {
    /// The title, e.g. "Leicestershire family hubs: feasibility study".
    pub title: &'a str,
    /// The inputs the study was made from.
    pub inputs: &'a Inputs,
    /// The study ([`hubplan::study::study`]).
    pub study: &'a Study,
    /// Where it came from.
    pub provenance: &'a Provenance,
    /// A date or time to print as "generated", if any (never read from the clock here).
    pub generated: Option<&'a str>,
    /// The files the Markdown links for the need, access and priority maps, if written alongside.
    pub map_files: Option<[&'a str; 3]>,
}

/// Which study map to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StudyMap {
    /// Zones shaded by need score.
    Need,
    /// Zones shaded by minutes beyond the limit (worst service); hosting buildings marked.
    Access,
    /// Priority areas, with the best building for each.
    Priority,
}

/// The study appendix as one self-contained HTML page. Deterministic.
pub fn study_appendix_html(a: &StudyAppendix<'_>) -> String {
    crate::html::render(a.title, &blocks(a, true), a.generated)
}

/// The study appendix in GitHub-flavoured Markdown (maps as links to
/// [`StudyAppendix::map_files`]). Deterministic.
pub fn study_appendix_md(a: &StudyAppendix<'_>) -> String {
    crate::markdown::render(&blocks(a, false))
}

fn h(level: u8, id: &str, text: &str) -> Block {
    Block::Heading {
        level,
        id: id.into(),
        text: text.into(),
    }
}

fn district(s: &str) -> String {
    if s.is_empty() {
        "(no district)".into()
    } else {
        s.into()
    }
}

fn blocks(a: &StudyAppendix<'_>, _html: bool) -> Vec<Block> {
    let mut b = vec![h(1, "top", a.title)];
    let mut meta = vec![format!(
        "Feasibility study of {}: no decision is made",
        a.study
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    )];
    match a.generated {
        Some(g) => meta.push(format!("generated {g} by hubplan {}", a.provenance.version)),
        None => meta.push(format!("hubplan {}", a.provenance.version)),
    }
    b.push(Block::Note(meta.join(" · ") + "."));
    summary(a, &mut b);
    services_map(a, &mut b);
    demand(a, &mut b);
    need(a, &mut b);
    access(a, &mut b);
    priority(a, &mut b);
    equality(a, &mut b);
    method(a, &mut b);
    let mut n = 0;
    for blk in &mut b {
        if let Block::Heading { level: 2, text, .. } = blk {
            n += 1;
            *text = format!("{n}. {text}");
        }
    }
    b
}

fn summary(a: &StudyAppendix<'_>, b: &mut Vec<Block>) {
    let s = a.study;
    let t = &s.equality.total;
    b.push(h(2, "summary", "Summary"));
    let n = |x: usize, one: &str, many: &str| format!("{} {}", count(x as f64), if x == 1 { one } else { many });
    let mut items = vec![format!(
        "{}, population {}, children ({}) {}.",
        n(t.zones, "zone", "zones"),
        count(t.population),
        s.children_source,
        count(t.children)
    )];
    for (k, svc) in s.services.iter().enumerate() {
        items.push(format!(
            "{}: {} {} it today, {} more could; {} of children within {} minutes, mean {}.",
            svc.name,
            n(svc.hosts.len(), "building", "buildings"),
            if svc.hosts.len() == 1 { "hosts" } else { "host" },
            count(svc.could_host.len() as f64),
            t.share_within(k).map_or("n/a".into(), pct),
            plain(svc.max_minutes),
            minutes_opt(t.mean_minutes(k))
        ));
    }
    let ranked_children: f64 = s.ranked.iter().map(|z| s.zones[z.index()].children).sum();
    items.push(format!(
        "{} beyond a limit ({} children), grouped into {}.",
        n(s.ranked.len(), "priority zone", "priority zones"),
        count(ranked_children),
        n(s.areas.len(), "contiguous priority area", "contiguous priority areas")
    ));
    b.push(Block::List(items));
}

fn services_map(a: &StudyAppendix<'_>, b: &mut Vec<Block>) {
    b.push(h(2, "services", "Services and buildings today"));
    for svc in &a.study.services {
        b.push(h(
            3,
            &format!("svc-{}", svc.id),
            &format!("{} ({} min)", svc.name, plain(svc.max_minutes)),
        ));
        let mut by: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
        for &j in &svc.hosts {
            let s = a.inputs.site(j);
            by.entry((district(&s.district), s.kind.clone())).or_default().0 += 1;
        }
        for &j in &svc.could_host {
            let s = a.inputs.site(j);
            by.entry((district(&s.district), s.kind.clone())).or_default().1 += 1;
        }
        let mut t = Table::new(
            &["District", "Kind of building", "Hosting today", "Could host"],
            &[2, 3],
        );
        for ((d, k), (n, c)) in &by {
            t.rows
                .push(vec![d.clone(), k.clone(), count(*n as f64), count(*c as f64)]);
        }
        t.total = Some(vec![
            "Total".into(),
            String::new(),
            count(svc.hosts.len() as f64),
            count(svc.could_host.len() as f64),
        ]);
        b.push(Block::Table(t));
    }
}

fn demand(a: &StudyAppendix<'_>, b: &mut Vec<Block>) {
    let s = a.study;
    b.push(h(2, "demand", "Demand by district"));
    let mut cols: Vec<String> = vec!["District".into(), "Zones".into(), "Population".into()];
    cols.extend(s.bands.iter().cloned());
    let right: Vec<usize> = (1..cols.len()).collect();
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = Table::new(&refs, &right);
    t.class = "wide";
    let mut tot = vec![0.0; s.bands.len()];
    let (mut tz, mut tp) = (0usize, 0.0);
    for d in &s.demand {
        let mut row = vec![d.district.clone(), count(d.zones as f64), count(d.population)];
        for (i, v) in d.bands.iter().enumerate() {
            row.push(count(*v));
            tot[i] += v;
        }
        tz += d.zones;
        tp += d.population;
        t.rows.push(row);
    }
    let mut total = vec!["Total".into(), count(tz as f64), count(tp)];
    total.extend(tot.iter().map(|v| count(*v)));
    t.total = Some(total);
    b.push(Block::Table(t));
}

fn map_block(a: &StudyAppendix<'_>, which: StudyMap, caption: &str) -> Block {
    let i = match which {
        StudyMap::Need => 0,
        StudyMap::Access => 1,
        StudyMap::Priority => 2,
    };
    Block::Map {
        svg: study_map_svg(a.inputs, a.study, which),
        file: a.map_files.map(|f| f[i].to_string()),
        caption: caption.into(),
    }
}

fn need(a: &StudyAppendix<'_>, b: &mut Vec<Block>) {
    let s = a.study;
    b.push(h(2, "need", "Need"));
    let ind: Vec<String> = s
        .indicators
        .iter()
        .map(|i| format!("{} (weight {})", i.column, plain(i.weight)))
        .collect();
    // The IMD sentence only when the decile is an indicator, and not "in England" (the
    // Newport audit, session 18: a Welsh study weighted by `wimd_2019_decile` was told how
    // England's IMD decile scores).
    let imd = s.indicators.iter().any(|i| i.column.eq_ignore_ascii_case("imd_decile"));
    b.push(Block::Para(format!(
        "Need score from 0 to 1: the weighted mean of {}.{} {} indicator is scaled from its lowest zone (0) to its \
         highest (1){}.",
        ind.join(", "),
        if imd {
            " The IMD decile counts as (11 − decile) / 10, so decile 1 (the most deprived 10% of small areas in the \
             index the zones come from: England's IMD, Wales' WIMD) scores 1.0 and decile 10 scores 0.1;"
        } else {
            ""
        },
        if imd { "any other" } else { "Each" },
        if s.indicators.iter().any(|i| i.weight < 0.0) {
            ", reversed for a negative weight (high values mean less need)"
        } else {
            ""
        }
    )));
    b.push(map_block(
        a,
        StudyMap::Need,
        "Need score by zone (darker = higher need).",
    ));
}

fn access_table(a: &StudyAppendix<'_>, rows: &[GroupRow], first: &str, total: Option<&GroupRow>) -> Table {
    let s = a.study;
    let mut cols: Vec<String> = vec![first.into(), "Zones".into(), "Children".into()];
    for svc in &s.services {
        cols.push(format!("{}: within", svc.id));
        cols.push(format!("{}: mean min", svc.id));
    }
    let right: Vec<usize> = (1..cols.len()).collect();
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let mut t = Table::new(&refs, &right);
    t.class = "wide";
    let row = |g: &GroupRow| {
        let mut r = vec![g.label.clone(), count(g.zones as f64), count(g.children)];
        for k in 0..s.services.len() {
            r.push(pct_of(g.weight_within[k], g.weight));
            r.push(minutes_opt(g.mean_minutes(k)));
        }
        r
    };
    for g in rows {
        t.rows.push(row(g));
    }
    if let Some(g) = total {
        let mut r = row(g);
        r[0] = "Total".into();
        t.total = Some(r);
    }
    t
}

fn access(a: &StudyAppendix<'_>, b: &mut Vec<Block>) {
    let s = a.study;
    b.push(h(2, "access", "Access today"));
    b.push(Block::Para(format!(
        "Minutes from each zone to the nearest building hosting each service today{}; \
         shares are of children ({}) within the service's limit; mean minutes are over children who can reach one.",
        a.provenance.travel.by(),
        s.children_source
    )));
    b.push(map_block(
        a,
        StudyMap::Access,
        "Minutes beyond the limit for the worst-served service; buildings hosting a studied service marked.",
    ));
    b.push(h(3, "access-district", "By district"));
    b.push(Block::Table(access_table(
        a,
        &s.equality.by_district,
        "District",
        Some(&s.equality.total),
    )));
}

fn priority(a: &StudyAppendix<'_>, b: &mut Vec<Block>) {
    let s = a.study;
    b.push(h(2, "priority", "Priority areas"));
    // The decile tier as applied: "1–2" was written whatever `priority_deciles` was, and
    // also when no zone had a decile (the Newport audit, session 18).
    let tier = match s.priority_deciles {
        0 => "No zone is ranked first by its IMD decile (study.priority_deciles = 0).".to_string(),
        d if !a.inputs.zones.iter().any(|z| z.imd_decile.is_some()) => format!(
            "No zone has an IMD decile (the zones file has no `imd_decile` column), so none is ranked first by \
             deprivation (study.priority_deciles = {d})."
        ),
        1 => "Zones in IMD decile 1 beyond a limit are ranked first.".to_string(),
        d => format!("Zones in IMD deciles 1–{d} beyond a limit are ranked first."),
    };
    b.push(Block::Para(format!(
        "A zone's shortfall is the most minutes beyond a limit over the services; its priority score is need score × \
         shortfall. {tier} Neighbouring zones among the {} \
         highest-ranked form a priority area (neighbours: {}). For each area the optimiser (maximal covering with one building, solved \
         exactly) finds the existing or candidate building that would bring most of its children within the limit.",
        s.area_zones,
        s.neighbour_rule
    )));
    b.push(map_block(
        a,
        StudyMap::Priority,
        "Priority areas (numbered) and the building found for each.",
    ));
    let mut t = Table::new(
        &[
            "Area",
            "Best rank",
            "Zones",
            "Children",
            "Need",
            "Service",
            "Now (mean)",
            "Beyond",
            "Best building",
            "Brought within",
        ],
        &[1, 2, 3, 4, 6, 7, 9],
    );
    t.class = "wide";
    for ar in s.areas.iter().take(40) {
        for (i, o) in ar.options.iter().enumerate() {
            let first = i == 0;
            t.rows.push(vec![
                if first { ar.id.clone() } else { String::new() },
                if first { ar.best_rank.to_string() } else { String::new() },
                if first {
                    count(ar.zones.len() as f64)
                } else {
                    String::new()
                },
                if first { count(ar.children) } else { String::new() },
                if first {
                    format!("{:.2}", ar.need_score)
                } else {
                    String::new()
                },
                s.services[o.service].id.clone(),
                minutes_opt(ar.minutes[o.service]),
                count(o.children_beyond),
                o.site
                    .map_or("none within the limit".into(), |j| site_label(a.inputs, j)),
                pct_of(o.children_reached, o.children_beyond),
            ]);
        }
    }
    b.push(Block::Table(t));
    if s.areas.len() > 40 {
        b.push(Block::Note(format!(
            "{} more areas are listed in areas.csv.",
            s.areas.len() - 40
        )));
    }
    let mut z = Table::new(
        &[
            "Rank",
            "Zone",
            "District",
            "IMD decile",
            "Children",
            "Need",
            "Shortfall (min)",
            "Area",
        ],
        &[0, 3, 4, 5, 6],
    );
    for &zi in s.ranked.iter().take(25) {
        let zs = &s.zones[zi.index()];
        let zone = a.inputs.zone(zi);
        z.rows.push(vec![
            zs.priority_rank.map(|r| r.to_string()).unwrap_or_default(),
            if zone.name.is_empty() {
                zone.id.clone()
            } else {
                format!("{} ({})", zone.name, zone.id)
            },
            district(&zone.district),
            zone.imd_decile.map(|d| d.to_string()).unwrap_or_else(|| "–".into()),
            count(zs.children),
            format!("{:.2}", zs.need_score),
            format!("{:.1}", zs.shortfall),
            zs.area.map(|x| s.areas[x].id.clone()).unwrap_or_default(),
        ]);
    }
    b.push(h(3, "priority-zones", "The 25 highest-priority zones"));
    b.push(Block::Table(z));
}

fn equality(a: &StudyAppendix<'_>, b: &mut Vec<Block>) {
    let s = a.study;
    b.push(h(2, "equality", "Equality (for the EHRIA)"));
    b.push(h(3, "eq-imd", "By IMD decile (1 = most deprived)"));
    b.push(Block::Table(access_table(
        a,
        &s.equality.by_decile,
        "IMD decile",
        Some(&s.equality.total),
    )));
    b.push(h(3, "eq-district", "By district"));
    b.push(Block::Table(access_table(
        a,
        &s.equality.by_district,
        "District",
        Some(&s.equality.total),
    )));
    if !s.equality.protected.is_empty() {
        b.push(h(3, "eq-protected", "By protected characteristic"));
        let mut cols: Vec<String> = vec!["Group (column)".into(), "People".into()];
        for svc in &s.services {
            cols.push(format!("{}: within", svc.id));
            cols.push(format!("{}: mean min", svc.id));
        }
        let right: Vec<usize> = (1..cols.len()).collect();
        let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        let mut t = Table::new(&refs, &right);
        t.class = "wide";
        for g in std::iter::once(&s.equality.population).chain(&s.equality.protected) {
            let mut r = vec![g.label.clone(), count(g.weight)];
            for k in 0..s.services.len() {
                r.push(pct_of(g.weight_within[k], g.weight));
                r.push(minutes_opt(g.mean_minutes(k)));
            }
            t.rows.push(r);
        }
        b.push(Block::Table(t));
        b.push(Block::Note(
            "Each protected-characteristic row weights the zones by that column's count; the first row weights by \
             the whole population, for comparison."
                .into(),
        ));
    }
}

fn method(a: &StudyAppendix<'_>, b: &mut Vec<Block>) {
    let (s, pv) = (a.study, a.provenance);
    b.push(h(2, "method", "Method and provenance"));
    let mut items = vec![
        "No decision is made: every building is as today. Zones are small areas taken at their representative point."
            .to_string(),
        format!(
            "A zone that reaches no hosting building within the travel-time matrix counts as {} minutes.",
            s.unreachable_minutes
                .iter()
                .map(|m| plain(*m))
                .collect::<Vec<_>>()
                .join(" / ")
        ),
        format!("Neighbours for priority areas: {}.", s.neighbour_rule),
    ];
    items.extend(s.warnings.iter().cloned());
    b.push(Block::List(items));
    let mut t = Table::new(&["Input", "File", "SHA-256"], &[]);
    t.class = "mono";
    for (role, path, sha) in &pv.inputs {
        t.rows.push(vec![role.clone(), path.clone(), sha.clone()]);
    }
    if !t.rows.is_empty() {
        b.push(Block::Table(t));
    }
    let mut st = Table::new(&["Setting", "Value"], &[]);
    st.rows.push(vec![
        "Travel times".into(),
        pv.transit.clone().unwrap_or_else(|| "not stated".into()),
    ]);
    for (k, v) in &pv.settings {
        st.rows.push(vec![k.clone(), v.clone()]);
    }
    st.rows.push(vec!["hubplan".into(), pv.version.clone()]);
    b.push(Block::Table(st));
}

const NEED: [&str; 5] = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
const SHORT: [(&str, &str); 5] = [
    ("within every limit", "#1a9850"),
    ("up to 10 min beyond", "#fee08b"),
    ("10–20 min beyond", "#fc8d59"),
    ("over 20 min beyond", "#d73027"),
    ("no hosting building reachable", "#7b3294"),
];
const AREA: [&str; 10] = [
    "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#1b9e77", "#d95f02", "#7570b3",
];

/// One of the three study maps as a standalone SVG: zones as dots (shaded by need,
/// by minutes beyond the limit, or by priority area), buildings marked, a legend,
/// a scale bar and a north arrow, through the one [`LocalProjection`].
pub fn study_map_svg(inputs: &Inputs, study: &Study, which: StudyMap) -> String {
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
    let (w, margin) = (900.0, 24.0);
    let scale = ((w - 2.0 * margin) / dx).min((760.0 - 2.0 * margin) / dy);
    let map_h = dy * scale + 2.0 * margin;
    let legend_h = 40.0;
    let h = map_h + legend_h;
    let ox = (w - dx * scale) / 2.0;
    let to_px = |p: LonLat| {
        let (x, y) = proj.project(p);
        (ox + (x - x0) * scale, margin + (y1 - y) * scale)
    };
    let n = inputs.zones.len().max(1) as f64;
    let r = (0.2 * ((dx * scale) * (dy * scale) / n).sqrt()).clamp(2.0, 8.0);
    let title = match which {
        StudyMap::Need => "Need score by zone",
        StudyMap::Access => "Minutes beyond the limit today",
        StudyMap::Priority => "Priority areas",
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-label="{title}" font-family="Helvetica, Arial, sans-serif"><title>{title}</title>"#
    );
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{w:.0}" height="{map_h:.1}" fill="#eef3f7"/>"##
    );
    s.push_str("<g id=\"zones\" stroke=\"#ffffff\" stroke-width=\"0.4\">\n");
    for zs in &study.zones {
        let zone = inputs.zone(zs.zone);
        if !zone.pos.is_valid() {
            continue;
        }
        let (x, y) = to_px(zone.pos);
        let (fill, tip) = match which {
            StudyMap::Need => {
                let i = ((zs.need_score * 5.0).floor() as usize).min(4);
                (NEED[i], format!("{} — need {:.2}", zone.id, zs.need_score))
            }
            StudyMap::Access => {
                let unreachable = zs.minutes.iter().any(Option::is_none);
                let i = if unreachable {
                    4
                } else if zs.shortfall <= 0.0 {
                    0
                } else if zs.shortfall <= 10.0 {
                    1
                } else if zs.shortfall <= 20.0 {
                    2
                } else {
                    3
                };
                (SHORT[i].1, format!("{} — {:.1} min beyond", zone.id, zs.shortfall))
            }
            StudyMap::Priority => match zs.area {
                Some(a) => (
                    if a < AREA.len() { AREA[a] } else { "#bdbdbd" },
                    format!(
                        "{} — {} (rank {})",
                        zone.id,
                        study.areas[a].id,
                        zs.priority_rank.unwrap_or(0)
                    ),
                ),
                None => ("#e0e0e0", zone.id.clone()),
            },
        };
        let _ = writeln!(
            s,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}"><title>{}</title></circle>"#,
            esc(&tip)
        );
    }
    s.push_str("</g>\n<g id=\"sites\">\n");
    match which {
        StudyMap::Priority => {
            for (ai, ar) in study.areas.iter().enumerate().take(AREA.len()) {
                let mut done = Vec::new();
                for o in &ar.options {
                    let Some(j) = o.site else { continue };
                    if done.contains(&j) {
                        continue;
                    }
                    done.push(j);
                    let (x, y) = to_px(inputs.site(j).pos);
                    let rr = r * 1.6;
                    let _ = writeln!(
                        s,
                        r##"<g><title>{} — best building for {}</title><path d="M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z" fill="{}" stroke="#000" stroke-width="1"/></g>"##,
                        esc(&site_label(inputs, j)),
                        ar.id,
                        y - rr,
                        x + rr,
                        y + rr,
                        x - rr,
                        AREA[ai]
                    );
                }
                if let Some(&z) = ar.zones.first() {
                    let (x, y) = to_px(inputs.zone(z).pos);
                    let _ = writeln!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" font-size="11" font-weight="bold" fill="#111" stroke="#fff" stroke-width="2.5" paint-order="stroke">{}</text>"##,
                        x + r + 2.0,
                        y - r - 1.0,
                        ar.id
                    );
                }
            }
        }
        _ => {
            for (j, site) in inputs.sites.iter().enumerate() {
                let j = hubplan::SiteIdx::from_index(j);
                if !site.pos.is_valid() || !study.services.iter().any(|sv| sv.hosts.contains(&j)) {
                    continue;
                }
                let (x, y) = to_px(site.pos);
                let _ = writeln!(
                    s,
                    r##"<g><title>{}</title><circle cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="#1f4e79" stroke="#fff" stroke-width="1"/></g>"##,
                    esc(&site_label(inputs, j)),
                    (r * 0.9).clamp(2.5, 6.0)
                );
            }
        }
    }
    s.push_str("</g>\n");
    // Scale bar and north arrow.
    let mut km = 1.0;
    for c in [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0] {
        if c * 1000.0 <= dx / 5.0 {
            km = c;
        }
    }
    let bar = km * 1000.0 * scale;
    let (bx, by) = (margin, map_h - 12.0);
    let _ = writeln!(
        s,
        r##"<g id="scale" font-size="11" fill="#222"><rect x="{bx:.1}" y="{:.1}" width="{bar:.1}" height="5" fill="#222"/><text x="{bx:.1}" y="{:.1}">0</text><text x="{:.1}" y="{:.1}" text-anchor="middle">{} km</text></g>"##,
        by - 5.0,
        by - 9.0,
        bx + bar,
        by - 9.0,
        plain(km)
    );
    crate::map::north_arrow(&mut s, w, margin);
    let legend: Vec<(String, &str)> = match which {
        StudyMap::Need => ["0–0.2", "0.2–0.4", "0.4–0.6", "0.6–0.8", "0.8–1"]
            .iter()
            .zip(NEED)
            .map(|(l, c)| (format!("need {l}"), c))
            .collect(),
        StudyMap::Access => SHORT.iter().map(|(l, c)| (l.to_string(), *c)).collect(),
        StudyMap::Priority => {
            let mut v: Vec<(String, &str)> = study
                .areas
                .iter()
                .take(AREA.len())
                .enumerate()
                .map(|(i, a)| (a.id.clone(), AREA[i]))
                .collect();
            if study.areas.len() > AREA.len() {
                v.push(("other areas".into(), "#bdbdbd"));
            }
            v.push(("not a priority".into(), "#e0e0e0"));
            v
        }
    };
    let _ = writeln!(
        s,
        r##"<g id="legend" font-size="12" fill="#222"><rect x="0" y="{map_h:.1}" width="{w:.0}" height="{legend_h:.0}" fill="#fff"/>"##
    );
    let ly = map_h + 24.0;
    let mut lx = margin;
    for (label, c) in legend {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5.5" fill="{c}" stroke="#555" stroke-width="0.4"/><text x="{:.1}" y="{ly:.1}">{}</text>"##,
            lx + 5.0,
            ly - 4.0,
            lx + 13.0,
            esc(&label)
        );
        lx += 24.0 + 6.5 * label.chars().count() as f64;
    }
    s.push_str("</g>\n</svg>");
    s
}
