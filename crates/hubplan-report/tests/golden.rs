//! Golden-file tests of the Markdown appendix, and checks of the HTML, map and chart.
//!
//! The golden files live in `tests/golden/`. After an intended change of the
//! appendix, regenerate them and review the diff:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p hubplan-report --test golden
//! git diff crates/hubplan-report/tests/golden/
//! ```

use hubplan::explain::explain;
use hubplan::geo::LonLat;
use hubplan::model::{Inputs, Site, SiteStatus, Zone};
use hubplan::optimise::plan_for_open_set;
use hubplan::travel::TravelTimes;
use hubplan::whatif::{SweepPoint, SweepResult};
use hubplan::{ObjectiveKind, Plan, PlanStatus, Scenario, SiteIdx, ZoneIdx};
use hubplan_report::{appendix_html, appendix_md, map_svg, sweep_chart_svg, Appendix, MapOptions, Provenance};

mod common;
use common::{golden, Parts};

/// Six buildings in two districts and one candidate; nine zones, one beyond 35 minutes of everything.
fn inputs() -> Inputs {
    let site = |id: &str, name: &str, district: &str, lon: f64, lat: f64, cost: f64, backlog: f64| Site {
        name: name.into(),
        district: district.into(),
        kind: "children_centre".into(),
        backlog,
        ..Site::existing(id, LonLat::new(lon, lat), cost)
    };
    let mut sites = vec![
        site(
            "S1",
            "Ashford Children's Centre",
            "Ashford",
            0.87,
            51.14,
            42_500.0,
            130_000.0,
        ),
        site(
            "S2",
            "Ashford North Children's Centre",
            "Ashford",
            0.88,
            51.17,
            52_000.0,
            172_000.0,
        ),
        site(
            "S3",
            "Tenterden Library | Hub",
            "Ashford",
            0.69,
            51.07,
            31_000.0,
            95_000.0,
        ),
        site(
            "S4",
            "Canterbury Youth Hub",
            "Canterbury",
            1.08,
            51.28,
            61_000.0,
            210_000.0,
        ),
        site(
            "S5",
            "Herne Bay Family Centre",
            "Canterbury",
            1.13,
            51.37,
            38_000.0,
            120_000.0,
        ),
        site(
            "S6",
            "Whitstable Community Building",
            "Canterbury",
            1.03,
            51.36,
            27_500.0,
            60_000.0,
        ),
    ];
    let mut cand = site("N1", "Chartham New Hub", "Canterbury", 1.02, 51.25, 20_000.0, 0.0);
    cand.status = SiteStatus::Candidate;
    cand.open_cost = 150_000.0;
    sites.push(cand);
    let zone = |id: &str, district: &str, lon: f64, lat: f64, pop: f64, kids: f64, imd: u8| Zone {
        id: id.into(),
        name: String::new(),
        pos: LonLat::new(lon, lat),
        district: district.into(),
        need: kids,
        population: pop,
        imd_decile: Some(imd),
        attributes: [("pop_0_15".to_string(), kids)].into_iter().collect(),
        outline: None,
    };
    let mut zones = vec![
        zone("E01000001", "Ashford", 0.87, 51.15, 1500.0, 300.0, 2),
        zone("E01000002", "Ashford", 0.89, 51.16, 1700.0, 420.0, 5),
        zone("E01000003", "Ashford", 0.70, 51.08, 1300.0, 250.0, 7),
        zone("E01000004", "Ashford", 0.60, 51.02, 900.0, 150.0, 9),
        zone("E01000005", "Canterbury", 1.07, 51.28, 1600.0, 280.0, 1),
        zone("E01000006", "Canterbury", 1.12, 51.36, 1800.0, 390.0, 2),
        zone("E01000007", "Canterbury", 1.04, 51.35, 1400.0, 260.0, 5),
        zone("E01000008", "Canterbury", 1.01, 51.24, 1200.0, 210.0, 10),
        zone("E01000009", "Canterbury", 1.20, 51.40, 1100.0, 190.0, 1),
    ];
    let names = [
        "Ashford 001A",
        "Ashford 001B",
        "Tenterden 002A",
        "Tenterden 002B",
        "Canterbury 003A",
        "Herne Bay 004A",
        "Whitstable 005A",
        "Chartham 006A",
        "Herne Bay 004B",
    ];
    for (z, n) in zones.iter_mut().zip(names) {
        z.name = n.into();
    }
    Inputs {
        sites,
        zones,
        services: vec![],
        travel: TravelTimes::from_triples(9, 7, triples()).unwrap(),
    }
}

/// The small fixture's travel times (zone, site, minutes).
fn triples() -> Vec<(ZoneIdx, SiteIdx, f64)> {
    let (s, z) = (SiteIdx, ZoneIdx);
    vec![
        (z(0), s(0), 8.0),
        (z(0), s(1), 14.0),
        (z(1), s(1), 9.0),
        (z(1), s(0), 13.5),
        (z(2), s(2), 11.0),
        (z(2), s(0), 38.0),
        (z(3), s(2), 24.0),
        (z(4), s(3), 7.0),
        (z(4), s(6), 18.0),
        (z(4), s(5), 33.0),
        (z(5), s(4), 10.0),
        (z(5), s(5), 21.0),
        (z(6), s(5), 9.0),
        (z(6), s(4), 19.0),
        (z(7), s(6), 6.0),
        (z(7), s(3), 16.0),
        (z(8), s(4), 41.0),
    ]
}

/// Keep S1, S3, S4, S5; close S2 and S6; open nothing.
fn plan(inp: &Inputs, sc: &Scenario) -> Plan {
    let open = vec![true, false, true, true, true, false, false];
    let cost = 42_500.0 + 31_000.0 + 61_000.0 + 38_000.0;
    plan_for_open_set(inp, sc, open, PlanStatus::Optimal, cost, cost, 0.0)
}

fn provenance() -> Provenance {
    Provenance {
        inputs: vec![
            ("scenario".into(), "fixtures/small/scenario.toml".into(), "0".repeat(64)),
            ("sites".into(), "fixtures/small/sites.csv".into(), "ab".repeat(32)),
        ],
        ..common::provenance(
            &[
                ("objective", "min_cost"),
                ("max_minutes", "35"),
                ("need_column", "pop_0_15 (children aged 0–15)"),
            ],
            "modelled matrix (distance-based bus speed plus a wait)",
            "exact (hubplan branch-and-bound), time limit 60 s, gap 1e-6",
        )
    }
}

/// The small fixture under `sc` with the kept set of [`plan`], explained.
fn planned(sc: Scenario) -> Parts {
    let inp = inputs();
    let p = plan(&inp, &sc);
    Parts::new(inp, sc, p, provenance())
}

/// Keep S1, S3, S4, S5, open the candidate N1; close S2 and S6.
fn plan_with_opening(inp: &Inputs, sc: &Scenario) -> Plan {
    let open = vec![true, false, true, true, true, false, true];
    let cost = 42_500.0 + 31_000.0 + 61_000.0 + 38_000.0 + 20_000.0;
    // min_cost counts the one-off opening cost of N1 (£150,000) in its objective.
    plan_for_open_set(
        inp,
        sc,
        open,
        PlanStatus::Optimal,
        cost + 150_000.0,
        cost + 150_000.0,
        0.0,
    )
}

fn summary_text(inp: &Inputs, sc: &Scenario, p: &Plan) -> String {
    hubplan_report::plain_summary(inp, sc, p)
        .iter()
        .map(|i| format!("[{}] {}\n", i.topic, i.text))
        .collect()
}

/// The one-minute summary, every number checked by hand against the fixture:
/// before, six existing buildings cost 42,500 + 52,000 + 31,000 + 61,000 + 38,000 + 27,500 = £252,000;
/// after, S2 and S6 close: £172,500, saving £79,500; backlog 172,000 + 60,000 = £232,000.
/// Journeys: E01000002 goes 9 → 13.5 min (S2 → S1, 1,700 residents, 420 children);
/// E01000007 goes 9 → 19 min (S6 → S5, 1,400 residents, 260 children), decile 5 both.
/// Mean rise among them (1,700 × 4.5 + 1,400 × 10) / 3,100 = 6.98 → 7.0 min.
/// Decile 5 mean: 9.0 → (1,700 × 13.5 + 1,400 × 19) / 3,100 = 15.98 → 16.0 min.
/// All: 169,300 / 12,500 = 13.5 min → 190,950 / 12,500 = 15.3 min.
/// Decile 1: (1,600 × 7 + 1,100 × 41) / 2,700 = 20.9 min both; within limit 1,600 / 2,700 = 59.3%.
/// Need (children) within 35 minutes: 2,260 of 2,450 = 92.2%, before and after; E01000009 (190) unreachable.
#[test]
fn summary_sentences_match_golden() {
    let inp = inputs();
    let sc = Scenario::min_cost();
    let p = plan(&inp, &sc);
    let text = summary_text(&inp, &sc, &p);
    golden("small_summary.txt", &text);
    for fact in [
        "2 of the 6 buildings open today close, leaving 4 hubs.",
        "from £252,000 to £172,500 a year, a saving of £79,500 a year.",
        "£232,000 of maintenance backlog",
        "2 zones with 3,100 residents (680 of them children aged 0–15) have a longer journey",
        "by 7.0 min on average",
        "For 1 zone (1,400 residents) it grows by 10 minutes or more.",
        "Canterbury (1 zone, 1,400 residents)",
        "Whitstable 005A (E01000007), 9.0 min → 19.0 min; Ashford 001B (E01000002), 9.0 min → 13.5 min",
        "Need within 35 minutes goes from 2,260 to 2,260 (92.2% to 92.2%).",
        "rise most in decile 5: from 9.0 min to 16.0 min, against 13.5 min to 15.3 min across all areas.",
        "In decile 1 (most deprived) they go from 20.9 min to 20.9 min.",
        "In decile 1, 59.3% of residents are within the limit after, 59.3% before.",
        "met for all 8 zones that a building can reach within the limit; 1 zone (need 190) is beyond 35 minutes",
        "(status: optimal)",
    ] {
        assert!(text.contains(fact), "missing {fact:?} in\n{text}");
    }
    // No reconciliation line when closures' cost equals the saving and the objective the running cost.
    assert!(!text.contains("net saving is"), "{text}");
    assert!(!text.contains("objective"), "{text}");
}

/// The reconciliation lines when a new building opens: closures £79,500, the new building
/// £20,000 a year, net saving £59,500; objective £342,500 = running cost £192,500 + opening £150,000.
#[test]
fn reconciliation_lines_explain_the_differences() {
    let inp = inputs();
    let sc = Scenario::min_cost();
    let p = plan_with_opening(&inp, &sc);
    let r = hubplan_report::reconciliation(&inp, &p);
    assert_eq!(r.closures_running_cost, 79_500.0);
    assert_eq!(r.openings_running_cost, 20_000.0);
    assert_eq!(r.net_saving, 59_500.0);
    assert_eq!(r.net_saving, p.totals.annual_saving);
    assert_eq!(r.running_cost_after, 192_500.0);
    assert_eq!(r.objective, 342_500.0);
    assert_eq!(r.opening_cost, 150_000.0);
    let lines = hubplan_report::reconciliation_lines(&sc, &p, &r);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        lines[0],
        "The buildings that close cost £79,500 a year to run; the net saving is £59,500 because the new building \
         costs £20,000 a year to run (£79,500 − £20,000 = £59,500)."
    );
    assert_eq!(
        lines[1],
        "The optimiser's objective, £342,500, is more than the running cost after (£192,500) because it also counts \
         the one-off cost of opening new buildings (£150,000): £192,500 + £150,000 = £342,500."
    );
    let text = summary_text(&inp, &sc, &p);
    golden("small_summary_opening.txt", &text);
    assert!(text.contains(&lines[0]) && text.contains(&lines[1]));
}

#[test]
fn markdown_appendix_matches_golden() {
    let parts = planned(Scenario::min_cost());
    let a = Appendix {
        subtitle: Some("Scenario fixtures/small/scenario.toml"),
        generated: Some("2024-05-01"),
        map_file: Some("map.svg"),
        ..parts.appendix("Small county: family hubs appendix")
    };
    let md = appendix_md(&a);
    golden("small.md", &md);
    // Facts the golden file must hold whatever its layout.
    assert!(md.contains("£1,270") || md.contains("£252,000"), "annual cost before");
    assert!(md.contains("E01000009"), "the unreachable zone is listed");
    assert!(md.contains("Ashford North Children's Centre (S2)"), "closure named");
    // Deterministic.
    assert_eq!(md, appendix_md(&a));
}

#[test]
fn infeasible_markdown_matches_golden() {
    let inp = inputs();
    let mut sc = Scenario::min_cost();
    sc.close = vec![SiteIdx(2)];
    let p = hubplan::plan(&inp, &sc).unwrap();
    assert_eq!(p.status, PlanStatus::Infeasible);
    let parts = Parts::new(inp, sc, p, provenance());
    let a = parts.appendix("Small county: S3 closed");
    let md = appendix_md(&a);
    assert!(
        md.contains("E01000003") && md.contains("E01000004") && md.contains("S3"),
        "{md}"
    );
    golden("small_infeasible.md", &md);
}

#[test]
fn html_is_self_contained_with_map_and_tables() {
    let parts = planned(Scenario::min_cost());
    let a = parts.appendix("Small <county> & co");
    let html = appendix_html(&a);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "map inline");
    assert!(
        html.matches("<table").count() >= 6,
        "summary, districts, equality, closures, access rule, method"
    );
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("Small &lt;county&gt; &amp; co"), "escaped title");
    assert!(html.contains("Tenterden Library | Hub"));
    // Nothing is fetched: the only URL is the SVG namespace.
    let urls: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 26).min(html.len())])
        .collect();
    assert!(
        urls.iter().all(|u| u.starts_with("http://www.w3.org/2000/svg")),
        "{urls:?}"
    );
    assert!(!html.contains("<script") && !html.contains("@import") && !html.contains("<link"));
    assert_eq!(html, appendix_html(&a));
}

#[test]
fn map_marks_every_site_and_zone() {
    let inp = inputs();
    let sc = Scenario::min_cost();
    let p = plan(&inp, &sc);
    let svg = map_svg(&inp, &p, Some(35.0), &MapOptions::default());
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    // Zones are cells: one path with a title per zone, in the zones group.
    let zones = &svg[svg.find("<g id=\"zones\"").unwrap()..];
    let zones = &zones[..zones.find("</g>").unwrap()];
    assert_eq!(zones.matches("<path").count(), 9, "9 zone cells");
    // Sites: 4 kept dots and 1 unused circle; the legend repeats kept and unused.
    let sites = &svg[svg.find("<g id=\"sites\"").unwrap()..];
    let sites = &sites[..sites.find("<g id=\"labels\"").unwrap()];
    assert_eq!(sites.matches("<circle").count(), 4 + 1, "4 kept, 1 unused");
    assert!(svg.contains("Herne Bay 004B (E01000009) — 41.0 min"));
    // District outlines (two districts) with labels, and the finding as the text alternative.
    let districts = &svg[svg.find("<g id=\"districts\"").unwrap()..];
    let districts = &districts[..districts.find("</g>").unwrap()];
    assert_eq!(districts.matches("<path").count(), 2);
    assert!(svg.contains(">Ashford</text>") && svg.contains(">Canterbury</text>"));
    assert!(svg.contains("aria-labelledby=\"map-title map-desc\""));
    assert!(
        svg.contains("<desc id=\"map-desc\">Map of travel time to the nearest open hub after the plan."),
        "{svg}"
    );
    // Every band has its own pattern or a solid fill, so bands differ by more than colour.
    for id in ["p-dots-1", "p-diag-2", "p-cross-3", "p-horiz-4"] {
        assert!(svg.contains(&format!("<pattern id=\"{id}\"")), "{id}");
    }
    assert!(
        svg.contains("km</text>") && svg.contains(">N</text>"),
        "scale bar and north arrow"
    );
    assert!(svg.contains("≤ 15 min") && svg.contains("&gt; 35 min") && svg.contains("no open hub reachable"));
}

#[test]
fn sweep_chart_has_axes_points_and_failures() {
    let mk = |b: f64, saving: f64, cov: f64, ok: bool| SweepResult {
        point: SweepPoint::Budget(b),
        objective_kind: ObjectiveKind::MaxCoverage,
        max_minutes: Some(35.0),
        status: Some(if ok {
            PlanStatus::Optimal
        } else {
            PlanStatus::Infeasible
        }),
        error: (!ok).then(|| "budget below the forced keeps".to_string()),
        objective: cov,
        gap: 0.0,
        sites_open: 3,
        annual_cost: b,
        annual_saving: saving,
        backlog_removed: 0.0,
        need_covered: cov,
        need_total: 1.0,
        share_covered: cov,
        share_covered_before: 1.0,
        mean_minutes: 12.0,
        worse_off_zones: 0,
        worse_off_need: 0.0,
        open: vec![],
    };
    let rs = vec![
        mk(800_000.0, 1_200_000.0, 0.91, true),
        mk(1_400_000.0, 600_000.0, 0.985, true),
        mk(2_000_000.0, 0.0, 1.0, true),
        mk(100.0, 0.0, 0.0, false),
    ];
    let svg = sweep_chart_svg(&rs, "Kent: saving against access");
    assert!(svg.contains("Annual saving") && svg.contains("Share of need within the limit (%)"));
    assert!(svg.contains("£800k") && svg.contains("£1.4m") && svg.contains("£2m"));
    assert!(svg.contains("No plan — budget £100: budget below the forced keeps"));
    assert!(svg.contains("<polyline"));
    assert_eq!(svg, sweep_chart_svg(&rs, "Kent: saving against access"));
}

/// The small fixture's appendix parts with the scenario's `[about]`: an author, a date and two sources.
fn small_appendix_parts() -> Parts {
    let mut parts = planned(Scenario::min_cost());
    parts.provenance.about = hubplan_report::About {
        author: Some("Small County Council, Strategic Commissioning".into()),
        date: Some("2024-05-01".into()),
        sources: vec![
            hubplan_report::DataSource {
                name: "Mid-year population estimates (LSOA)".into(),
                vintage: "mid-2015".into(),
                licence: "Open Government Licence v3.0".into(),
                url: Some("https://www.ons.gov.uk/".into()),
            },
            hubplan_report::DataSource {
                name: "English Indices of Deprivation".into(),
                vintage: "IMD 2019".into(),
                licence: "Open Government Licence v3.0".into(),
                url: None,
            },
        ],
    };
    parts
}

/// The appendix of `parts` as the cabinet sees it: the small county's title, dated 2024-05-01.
fn dated(parts: &Parts) -> Appendix<'_> {
    Appendix {
        generated: Some("2024-05-01"),
        ..parts.appendix("Small county: family hubs appendix")
    }
}

/// The scenario's `[about]`: the author and the sources on the cover, the sources with
/// their vintage and licence in the method section; every format says the same.
#[test]
fn about_sources_on_the_cover_and_in_the_method() {
    let parts = small_appendix_parts();
    let a = dated(&parts);
    let md = appendix_md(&a);
    let cover = md.split("## 1.").next().unwrap();
    assert!(
        cover.contains("Prepared by Small County Council, Strategic Commissioning."),
        "{cover}"
    );
    assert!(
        cover.contains(
            "Data: Mid-year population estimates (LSOA) (mid-2015); English Indices of Deprivation (IMD 2019)."
        ),
        "{cover}"
    );
    assert!(md.contains(
        "| Mid-year population estimates (LSOA) | mid-2015 | Open Government Licence v3.0 | https://www.ons.gov.uk/ |"
    ));
    assert!(md.contains("*Table: Data sources, their vintage and licence"));
    let html = appendix_html(&a);
    assert!(html.contains("<caption>Data sources, their vintage and licence"));
    assert!(html.contains("@bottom-left { content: \"Small county: family hubs appendix · 2024-05-01\""));
}

/// The Word appendix read back: a valid zip whose word/document.xml has the headings as
/// Word heading styles, the tables as Word tables (header rows repeated on each page),
/// the summary text, the map as an image, and the date and page number in the footer.
#[test]
fn docx_reads_back_with_headings_tables_and_map() {
    use std::io::Read;
    let parts = small_appendix_parts();
    let a = dated(&parts);
    let svg = map_svg(&parts.inputs, &parts.plan, Some(35.0), &MapOptions::default());
    let (png, w, h) = hubplan_report::svg_to_png(&svg, 1.0).unwrap();
    assert!(png.starts_with(b"\x89PNG") && w > 100 && h > 100, "{w} x {h}");
    let bytes = hubplan_report::appendix_docx(&a).unwrap();
    assert_eq!(bytes, hubplan_report::appendix_docx(&a).unwrap(), "deterministic");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
    let read = |zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let doc = read(&mut zip, "word/document.xml");
    assert_eq!(
        doc.matches("<w:pStyle w:val=\"Heading1\"").count(),
        1,
        "title as Heading 1"
    );
    let md = appendix_md(&a);
    let sections = md.lines().filter(|l| l.starts_with("## ")).count();
    assert!(sections >= 8, "{sections}");
    assert_eq!(
        doc.matches("<w:pStyle w:val=\"Heading2\"").count(),
        sections,
        "one Heading 2 per numbered section"
    );
    assert!(doc.contains("1. Summary") && doc.contains("Method and provenance"));
    let tables = doc.matches("<w:tbl>").count();
    assert!(tables >= 6, "tables: {tables}");
    assert_eq!(
        doc.matches("<w:tblHeader />").count(),
        tables,
        "every header row repeats"
    );
    assert!(doc.contains("Buildings that close, by district"), "table caption");
    assert!(doc.contains("2 of the 6 buildings open today close, leaving 4 hubs."));
    assert!(doc.contains("Data sources, their vintage and licence"));
    assert!(doc.contains("<w:drawing>"), "the map as an image");
    let styles = read(&mut zip, "word/styles.xml");
    assert!(styles.contains("heading 1") && styles.contains("heading 2"));
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    assert!(names.iter().any(|n| n.starts_with("word/media/")), "{names:?}");
    let footer_name = names
        .iter()
        .find(|n| n.starts_with("word/footer"))
        .expect("a footer")
        .clone();
    let footer = read(&mut zip, &footer_name);
    assert!(
        footer.contains("Small county: family hubs appendix · 2024-05-01"),
        "{footer}"
    );
    assert!(footer.contains("PAGE") && footer.contains("NUMPAGES"), "{footer}");
}

/// The PDF appendix read back with a PDF parser: A4 pages, every page's footer with the
/// title, date and "Page N of M", the title and summary text found, tagged (a structure
/// tree with headings, tables with header cells, a figure), and deterministic.
#[test]
fn pdf_reads_back_with_pages_text_and_tags() {
    let parts = small_appendix_parts();
    let a = dated(&parts);
    let bytes = hubplan_report::appendix_pdf(&a).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(bytes, hubplan_report::appendix_pdf(&a).unwrap(), "deterministic");
    let doc = lopdf::Document::load_mem(&bytes).expect("a valid PDF");
    let pages = doc.get_pages();
    let n = pages.len();
    assert!((2..=12).contains(&n), "{n} pages");
    for (&no, &id) in &pages {
        let media: Vec<f32> = doc
            .get_dictionary(id)
            .and_then(|d| d.get(b"MediaBox"))
            .and_then(|m| m.as_array())
            .map(|a| {
                a.iter()
                    .map(|o| match o {
                        lopdf::Object::Integer(i) => *i as f32,
                        lopdf::Object::Real(r) => *r,
                        _ => f32::NAN,
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(media.len(), 4, "{media:?}");
        assert!(
            (media[2] - 595.28).abs() < 0.1 && (media[3] - 841.89).abs() < 0.1,
            "A4: {media:?}"
        );
        let text = doc.extract_text(&[no]).unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&format!("Page {no} of {n}")), "page {no}: {flat}");
        assert!(
            flat.contains("Small county: family hubs appendix · 2024-05-01"),
            "page {no}: {flat}"
        );
    }
    let all: Vec<u32> = pages.keys().copied().collect();
    let text = doc.extract_text(&all).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "1. Summary",
        "2 of the 6 buildings open today close, leaving 4 hubs.",
        "Method and provenance",
        "Ashford North Children's Centre (S2)",
        "Data sources, their vintage and licence",
        "E01000009",
    ] {
        assert!(flat.contains(want), "{want:?} not in the PDF's text: {flat}");
    }
    // Tagged: the catalogue marks it, and the structure tree has the document's parts.
    let catalog = doc.catalog().unwrap();
    assert!(catalog.get(b"StructTreeRoot").is_ok(), "a structure tree");
    let mut roles = std::collections::BTreeMap::new();
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict() {
            if d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"StructElem".as_slice()) {
                if let Ok(s) = d.get(b"S").and_then(|s| s.as_name()) {
                    *roles.entry(String::from_utf8_lossy(s).into_owned()).or_insert(0) += 1;
                }
            }
        }
    }
    for role in [
        "H1", "H2", "P", "Table", "TR", "TH", "TD", "Figure", "Caption", "L", "LI",
    ] {
        assert!(roles.get(role).copied().unwrap_or(0) > 0, "no {role} in {roles:?}");
    }
    assert_eq!(roles.get("H1"), Some(&1), "{roles:?}");
}

/// `min_travel` without an access limit (session 8 sweep, "seen, not changed"): the appendix
/// spoke of "Need within (no limit)", "limit (no limit)" and of zones "beyond 35 minutes"
/// on the map, as if the default limit applied. It now says there is no limit, and what
/// "within reach" means, in the Markdown, the HTML and the map's text alternative.
#[test]
fn min_travel_without_a_limit_says_there_is_none() {
    let mut sc = Scenario::min_cost();
    sc.objective = ObjectiveKind::MinTravel;
    sc.max_minutes = None;
    sc.sites = Some(4);
    let parts = planned(sc);
    let a = Appendix {
        map_file: Some("map.svg"),
        ..parts.appendix("Small county: shortest journeys")
    };
    let md = appendix_md(&a);
    let html = appendix_html(&a);
    let svg = map_svg(&parts.inputs, &parts.plan, None, &MapOptions::default());
    for (name, text) in [("md", &md), ("html", &html), ("svg", &svg)] {
        for wrong in [
            "(no limit)",
            "Within limit",
            "within the limit",
            "beyond 35 minutes",
            "limit 35",
        ] {
            assert!(!text.contains(wrong), "{name} says {wrong:?}");
        }
    }
    for (name, text) in [("md", &md), ("html", &html)] {
        for right in [
            "Objective min\\_travel; no access limit",
            "| Need within reach |",
            "(no access limit)",
            "a zone is within reach when the travel-time matrix has a journey from it to an open hub",
        ] {
            let right = if name == "html" {
                right.replace("\\_", "_").replace("| ", "<td>").replace(" |", "</td>")
            } else {
                right.to_string()
            };
            assert!(text.contains(&right), "{name} lacks {right:?}");
        }
    }
    // E01000009 (190 children) is 41 minutes from its nearest open hub: more than the
    // 35-minute band, which the map names as a band, not as a limit.
    assert!(
        svg.contains("(there is no access limit: the bands are for reading the map only)")
            && svg.contains("more than 35 minutes from a hub"),
        "{svg}"
    );
}

/// The appendix words its minutes after the travel-time source (a supplied matrix is not
/// "public transport"), and a zone with no journey at all is said to have none, not to be
/// "beyond 35 minutes … where the rule forbids a longer journey". Markdown, HTML, Word and
/// PDF are drawn from the same blocks; each is read back here.
#[test]
fn minutes_are_worded_after_the_travel_source_and_no_journey_is_said() {
    use common::flat;
    use hubplan_report::TravelMode;
    let mut inp = inputs();
    let mut lone = inp.zones[8].clone();
    lone.id = "E01000010".into();
    lone.name = "Nowhere 007A".into();
    lone.need = 50.0;
    inp.zones.push(lone);
    inp.travel = TravelTimes::from_triples(10, 7, triples()).unwrap();
    let sc = Scenario::min_cost();
    let p = plan(&inp, &sc);
    assert_eq!(p.unreachable.len(), 2, "E01000009 (beyond) and E01000010 (no journey)");
    let ex = explain(&inp, &sc, &p);
    for (mode, by) in [
        (TravelMode::Matrix, "in the supplied travel-time matrix"),
        (TravelMode::Timetable, "by public transport and walking"),
        (
            TravelMode::TimetableStreets,
            "by public transport and walking on the streets",
        ),
        (TravelMode::Unknown, ""),
    ] {
        let pv = Provenance {
            travel: mode,
            ..provenance()
        };
        let a = common::appendix("Small county", &inp, &sc, &p, &ex, &pv);
        let md = flat(&appendix_md(&a));
        let html = flat(&appendix_html(&a));
        let docx = common::docx_xml(&hubplan_report::appendix_docx(&a).unwrap());
        // Word splits runs; the words of a paragraph are in its text nodes.
        let docx: String = docx
            .split('<')
            .filter_map(|t| t.split_once('>'))
            .filter(|(tag, _)| tag.starts_with("w:t ") || *tag == "w:t")
            .map(|(_, text)| text)
            .collect();
        let pdf = common::pdf_text(&hubplan_report::appendix_pdf(&a).unwrap());
        for (what, text) in [
            ("Markdown", &md),
            ("HTML", &html),
            ("Word", &flat(&docx)),
            ("PDF", &pdf),
        ] {
            let public = text.contains("public transport") || text.contains("public-transport");
            assert_eq!(
                public,
                matches!(mode, TravelMode::Timetable | TravelMode::TimetableStreets),
                "{mode:?}, {what}: public transport named or not: {text}"
            );
            if !by.is_empty() {
                assert!(text.contains(by), "{mode:?}, {what}: {by:?} missing: {text}");
            }
            for want in [
                "1 zone (need 190) is beyond 35 minutes of every building, open or not, where the rule forbids a \
                 longer journey",
                "1 zone (need 50) has no journey at all to any building in the travel times",
            ] {
                assert!(text.contains(want), "{mode:?}, {what}: {want:?} missing: {text}");
            }
            assert!(
                !text.contains("2 zones (need 240)"),
                "{mode:?}, {what}: both counted beyond the limit: {text}"
            );
        }
        let summary = summary_text(&inp, &sc, &p);
        assert!(
            summary.contains("1 zone (need 190) is beyond 35 minutes")
                && summary.contains("1 zone (need 50) has no journey at all to any building"),
            "{summary}"
        );
    }
}
