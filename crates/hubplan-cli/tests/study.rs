//! `hubplan study` end to end on the Leicestershire fixture.

mod common;

use common::{hubplan, read_csv, root};

#[test]
fn study_writes_every_file_and_is_deterministic() {
    let scen = root().join("fixtures/leicestershire/study.toml");
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let o = hubplan(&[
            "study",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--report",
            "--quiet",
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
    for f in [
        "study.json",
        "zones.csv",
        "areas.csv",
        "study.geojson",
        "appendix.html",
        "appendix.md",
        "need.svg",
        "access.svg",
        "priority.svg",
    ] {
        let x = std::fs::read(a.join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert_eq!(x, std::fs::read(b.join(f)).unwrap(), "{f} differs between runs");
    }
    let zones = read_csv(&a.join("zones.csv"));
    assert_eq!(zones.len(), 396);
    // Minutes in zones.csv are the matrix's minimum over the hosting buildings.
    let sites = read_csv(&root().join("fixtures/leicestershire/sites.csv"));
    let hosts: std::collections::BTreeSet<String> = sites
        .iter()
        .filter(|s| s["status"] == "existing" && s["services"].split(';').any(|x| x == "youth"))
        .map(|s| s["id"].clone())
        .collect();
    let tt = read_csv(&root().join("fixtures/leicestershire/travel_times.csv"));
    let mut best: std::collections::BTreeMap<String, f64> = Default::default();
    for r in &tt {
        if hosts.contains(&r["site_id"]) {
            let m: f64 = r["minutes"].parse().unwrap();
            let e = best.entry(r["zone_id"].clone()).or_insert(f64::INFINITY);
            *e = e.min(m);
        }
    }
    for z in &zones {
        match best.get(&z["zone"]) {
            Some(m) => assert_eq!(z["minutes_youth"], format!("{m:.2}"), "{}", z["zone"]),
            None => assert_eq!(z["minutes_youth"], ""),
        }
        assert_eq!(
            z["within_youth"] == "true",
            best.get(&z["zone"]).is_some_and(|m| *m <= 35.0)
        );
    }
    let areas = read_csv(&a.join("areas.csv"));
    assert!(!areas.is_empty());
    assert_eq!(areas[0]["area"], "PA01");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("study.json")).unwrap()).unwrap();
    assert_eq!(json["model"], "study");
    assert_eq!(json["equality"]["total"]["zones"], 396);
    assert!(json["inputs"].as_array().unwrap().len() >= 4);
    let html = std::fs::read_to_string(a.join("appendix.html")).unwrap();
    assert!(html.contains("Priority areas") && html.contains("<svg"));
}

#[test]
fn a_bad_indicator_column_exits_2_naming_file_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("zones.csv"),
        "id,lon,lat,population,imd_decile,score\nZ1,0.0,52.0,10,1,0.5\nZ2,0.01,52.0,10,2,n/a\n",
    )
    .unwrap();
    std::fs::write(d.join("sites.csv"), "id,lon,lat\nS1,0.0,52.0\n").unwrap();
    std::fs::write(d.join("tt.csv"), "zone_id,site_id,minutes\nZ1,S1,5\n").unwrap();
    std::fs::write(
        d.join("s.toml"),
        "[inputs]\nsites = \"sites.csv\"\nzones = \"zones.csv\"\ntravel_times = \"tt.csv\"\n[study]\nindicators = { score = 1 }\n",
    )
    .unwrap();
    let out = d.join("out");
    let o = hubplan(&[
        "study",
        d.join("s.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 2);
    let err = &o.stderr;
    assert!(
        err.contains("zones.csv:3") && err.contains("score") && err.contains("n/a"),
        "{err}"
    );
    assert!(!out.exists(), "no partial output");
}

/// Session 9 acceptance sweep: `hubplan study` on the smallest input, one real LSOA of
/// the Leicestershire fixture (Blaby 008A, IMD decile 5, 273 children) and one building
/// 9.62 minutes away that hosts children's centres and health visiting and could host
/// midwifery. Every figure is worked by hand from STUDY.md: need score (11 − 5) / 10 =
/// 0.6; no youth or library building, so those count as U = max(9.62, 2T) minutes, and
/// midwifery too (not hosted today): shortfall max(90 − 45, 70 − 35, 90 − 45) = 45,
/// priority 0.6 × 45 = 27. The summary said "1 zones" and "1 building(s)", and every map
/// of the study appendix was described as "Map of access after the plan".
#[test]
fn a_study_of_one_zone_and_one_building() {
    let fx = root().join("fixtures/leicestershire");
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let first_two = |f: &str| -> String {
        let text = std::fs::read_to_string(fx.join(f)).unwrap();
        text.lines().take(2).map(|l| format!("{l}\n")).collect()
    };
    std::fs::write(d.join("zones.csv"), first_two("zones.csv")).unwrap();
    let sites = std::fs::read_to_string(fx.join("sites.csv")).unwrap();
    let mut lines = sites.lines();
    let head = lines.next().unwrap();
    let site = lines.find(|l| l.starts_with("LCC-CFW-001,")).unwrap();
    std::fs::write(d.join("sites.csv"), format!("{head}\n{site}\n")).unwrap();
    let zone = first_two("zones.csv")
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(zone, "E01025610");
    std::fs::write(
        d.join("travel_times.csv"),
        format!("zone_id,site_id,minutes\n{zone},LCC-CFW-001,9.62\n"),
    )
    .unwrap();
    std::fs::copy(fx.join("services.csv"), d.join("services.csv")).unwrap();
    std::fs::copy(fx.join("study.toml"), d.join("study.toml")).unwrap();
    let out = d.join("out");
    let o = hubplan(&[
        "study",
        d.join("study.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--report",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .starts_with("1 zone, population 1563, children (pop_0_15) 273\n"),
        "{}",
        o.stdout
    );
    let zones = read_csv(&out.join("zones.csv"));
    assert_eq!(zones.len(), 1);
    let z = &zones[0];
    assert_eq!(
        (
            z["need_score"].as_str(),
            z["shortfall"].as_str(),
            z["priority_score"].as_str()
        ),
        ("0.6000", "45.00", "27.0000")
    );
    assert_eq!(
        (z["within_children_centre"].as_str(), z["within_midwifery"].as_str()),
        ("true", "false")
    );
    let areas = read_csv(&out.join("areas.csv"));
    assert_eq!(areas.len(), 1);
    assert_eq!(areas[0]["best_site_midwifery"], "LCC-CFW-001");
    assert_eq!(areas[0]["children_reached_midwifery"], "273");
    assert_eq!(areas[0]["best_site_youth"], "");
    let md = std::fs::read_to_string(out.join("appendix.md")).unwrap();
    assert!(
        md.contains("- 1 zone, population 1,563, children (pop\\_0\\_15) 273."),
        "{md}"
    );
    assert!(
        md.contains("- Children and family wellbeing: 1 building hosts it today, 0 more could; 100.0% of children"),
        "{md}"
    );
    assert!(
        md.contains("- 1 priority zone beyond a limit (273 children), grouped into 1 contiguous priority area."),
        "{md}"
    );
    assert!(!md.contains("after the plan"), "{md}");
    assert!(
        md.contains("![Need score by zone (darker = higher need)](need.svg)"),
        "{md}"
    );
}

/// The Newport audit (session 18): a Welsh study whose deprivation decile is
/// `wimd_2019_decile` (an indicator with weight −1) was told that "the IMD decile" scores
/// by "the most deprived 10% in England" and that "zones in IMD deciles 1–2 are ranked
/// first", though no zone had an `imd_decile` and `priority_deciles` was 3. The appendix
/// now says what was applied, and loading warns about the decile column's name.
#[test]
fn study_appendix_says_which_decile_tier_was_applied() {
    let tiny = root().join("fixtures/tiny_services");
    let tmp = tempfile::tempdir().unwrap();
    for f in ["sites.csv", "services.csv", "travel_times.csv"] {
        std::fs::copy(tiny.join(f), tmp.path().join(f)).unwrap();
    }
    let zones = std::fs::read_to_string(tiny.join("zones.csv")).unwrap();
    let scenario = |indicator: &str| {
        format!(
            "[inputs]\nsites = \"sites.csv\"\nzones = \"zones.csv\"\ntravel_times = \"travel_times.csv\"\n\
             services = \"services.csv\"\n[access]\nmax_minutes = 20\n\
             [study]\nindicators = {{ {indicator} }}\npriority_deciles = 3\n"
        )
    };
    let sc = tmp.path().join("study.toml");
    let run = |out: &str| {
        let o = hubplan(&[
            "study",
            sc.to_str().unwrap(),
            "--out",
            tmp.path().join(out).to_str().unwrap(),
            "--report",
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        (
            o.stderr,
            std::fs::read_to_string(tmp.path().join(out).join("appendix.md")).unwrap(),
        )
    };
    // Welsh: the decile column under another name.
    std::fs::write(
        tmp.path().join("zones.csv"),
        zones.replacen("imd_decile", "wimd_2019_decile", 1),
    )
    .unwrap();
    std::fs::write(&sc, scenario("wimd_2019_decile = -1.0")).unwrap();
    let (stderr, md) = run("wales");
    assert!(
        stderr.contains("is `wimd_2019_decile` the deprivation decile?"),
        "{stderr}"
    );
    assert!(!md.contains("England"), "{md}");
    assert!(!md.contains("IMD deciles 1–2"), "{md}");
    assert!(md.contains("No zone has an IMD decile"), "{md}");
    assert!(md.contains("reversed for a negative weight"), "{md}");
    // With `imd_decile`: the tier as set, and the IMD sentence.
    std::fs::write(tmp.path().join("zones.csv"), &zones).unwrap();
    std::fs::write(&sc, scenario("imd_decile = 1.0")).unwrap();
    let (_, md) = run("england");
    assert!(
        md.contains("Zones in IMD deciles 1–3 beyond a limit are ranked first."),
        "{md}"
    );
    assert!(md.contains("The IMD decile counts as (11 − decile) / 10"), "{md}");
}
