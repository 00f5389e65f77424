//! Good inputs: every format reads, CSV and GeoJSON agree, WGS84 and BNG agree,
//! and plans are written atomically and deterministically.

use std::path::{Path, PathBuf};

use hubplan::geo::haversine_m;
use hubplan::model::SiteStatus;
use hubplan_io::*;

fn good(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/good").join(name)
}

#[test]
fn sites_csv_reads_every_column() {
    let r = read_sites(&good("sites.csv"), None).unwrap();
    assert_eq!(r.sites.len(), 4);
    let s1 = &r.sites[0];
    assert_eq!(s1.id, "S001");
    assert_eq!(s1.annual_cost, 45_000.0, "£ and thousands separators");
    assert_eq!(r.sites[1].annual_cost, 32_500.5);
    assert_eq!(s1.backlog, 120_000.0);
    assert_eq!(s1.capacity, Some(100.0));
    assert_eq!(r.sites[1].capacity, None);
    assert_eq!(s1.disposal_receipt, 50_000.0);
    assert_eq!(r.sites[3].status, SiteStatus::Candidate);
    assert_eq!(r.sites[3].open_cost, 250_000.0);
    // services created from the names found, in order of first appearance
    let ids: Vec<&str> = r.services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["children_centre", "youth", "library"]);
    // can_host always includes services
    let s2 = &r.sites[1];
    assert_eq!(s2.services.len(), 1);
    assert_eq!(s2.can_host.len(), 2);
    assert!(s2.services.iter().all(|s| s2.can_host.contains(s)));
    assert_eq!(r.lines, [2, 3, 4, 5]);
}

#[test]
fn sites_with_a_services_file_use_its_indices() {
    let svcs = read_services(&good("services.csv")).unwrap();
    assert_eq!(svcs.services.len(), 3);
    assert_eq!(svcs.services[0].need_column.as_deref(), Some("pop_0_15"));
    assert_eq!(svcs.services[0].max_minutes, Some(35.0));
    assert_eq!(svcs.services[1].max_minutes, None);
    assert_eq!(svcs.services[0].conversion_cost, 25_000.0);
    let r = read_sites(&good("sites.csv"), Some(&svcs.services)).unwrap();
    assert_eq!(r.services, svcs.services);
    // S003 hosts `library`, index 2 in services.csv
    assert_eq!(r.sites[2].services, [hubplan::ServiceIdx(2)]);
}

#[test]
fn csv_geojson_bng_and_bom_sites_agree() {
    let csv = read_sites(&good("sites.csv"), None).unwrap();
    let gj = read_sites(&good("sites.geojson"), None).unwrap();
    let bng = read_sites(&good("sites_bng.csv"), None).unwrap();
    let bom = read_sites(&good("sites_bom.csv"), None).unwrap();
    assert_eq!(csv.sites, bom.sites, "a BOM changes nothing");
    assert_eq!(csv.sites, gj.sites, "GeoJSON reads the same as CSV");
    for (a, b) in csv.sites.iter().zip(&bng.sites) {
        let d = haversine_m(a.pos, b.pos);
        assert!(d < 5.0, "{}: WGS84 and BNG differ by {d} m", a.id);
        assert_eq!((a.annual_cost, &a.services), (b.annual_cost, &b.services));
    }
}

#[test]
fn zones_csv_geojson_bng_agree() {
    let csv = read_zones(&good("zones.csv"), None).unwrap();
    assert_eq!(csv.zones.len(), 5);
    assert_eq!(csv.need_source, "population");
    let z2 = &csv.zones[1];
    assert_eq!(z2.population, 1296.0, "\"1,296\" is 1296");
    assert_eq!(z2.need, 1296.0);
    assert_eq!(z2.imd_decile, Some(5));
    assert_eq!(z2.attributes.get("pop_0_15"), Some(&250.0));
    assert_eq!(z2.attributes.get("imd_rank"), Some(&15000.0));
    assert!(!z2.attributes.contains_key("lad_code"));
    assert!(csv.warnings.iter().any(|w| w.contains("lad_code")));

    let by_col = read_zones(&good("zones.csv"), Some("pop_0_15")).unwrap();
    assert_eq!(by_col.zones[1].need, 250.0);
    assert_eq!(by_col.need_source, "pop_0_15");

    let gj = read_zones(&good("zones.geojson"), None).unwrap();
    let bng = read_zones(&good("zones_bng.csv"), None).unwrap();
    for ((a, b), c) in csv.zones.iter().zip(&gj.zones).zip(&bng.zones) {
        assert_eq!(a.id, b.id);
        assert_eq!((a.need, a.imd_decile), (b.need, b.imd_decile));
        // polygon and multipolygon centroids land on the point
        assert!(
            haversine_m(a.pos, b.pos) < 1.0,
            "{}: centroid off by {} m",
            a.id,
            haversine_m(a.pos, b.pos)
        );
        assert!(
            haversine_m(a.pos, c.pos) < 5.0,
            "{}: BNG off by {} m",
            a.id,
            haversine_m(a.pos, c.pos)
        );
    }
}

#[test]
fn travel_times_read_sparse_with_empty_as_unreachable() {
    let sites = read_sites(&good("sites.csv"), None).unwrap().sites;
    let zones = read_zones(&good("zones.csv"), None).unwrap().zones;
    let t = read_travel_times(&good("travel_times.csv"), &sites, &zones).unwrap();
    assert_eq!(t.pairs, 12);
    assert_eq!(t.unreachable_rows, 1);
    use hubplan::{SiteIdx, ZoneIdx};
    assert_eq!(t.travel.get(ZoneIdx(0), SiteIdx(3)), Some(22.5));
    assert_eq!(t.travel.get(ZoneIdx(0), SiteIdx(2)), None);
    assert_eq!(t.travel.row(ZoneIdx(4)).count(), 0);
}

#[test]
fn points_accept_lat_lon_in_any_order() {
    let p = read_points(&good("points_latlon.csv")).unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].0, "A");
    assert_eq!((p[0].1.lon, p[0].1.lat), (1.0828, 51.2798));
    let g = read_points(&good("sites.geojson")).unwrap();
    assert_eq!(g[1].0, "S002");
}

#[test]
fn scenario_loads_with_services_need_column_and_keep() {
    let l = load_scenario(&good("scenario.toml")).unwrap();
    assert_eq!(l.scenario.max_minutes, Some(35.0));
    assert_eq!(l.scenario.keep, [hubplan::SiteIdx(2)]);
    assert_eq!(l.scenario.solver.time_limit.as_secs(), 10);
    assert_eq!(l.inputs_without_travel.zones[0].need, 300.0, "need_column pop_0_15");
    assert!(l.travel.is_some() && l.transit.is_none());
    let roles: Vec<&str> = l.files.iter().map(|f| f.role.as_str()).collect();
    assert_eq!(roles, ["scenario", "services", "sites", "zones", "travel_times"]);
    assert!(l.files.iter().all(|f| f.sha256.len() == 64));
    assert_eq!(l.files[2].sha256, sha256_file(&good("sites.csv")).unwrap());
}

#[test]
fn scenario_with_geojson_inputs_and_defaults() {
    let l = load_scenario(&good("scenario_geojson.toml")).unwrap();
    assert_eq!(l.scenario.objective, hubplan::ObjectiveKind::MaxCoverage);
    assert_eq!(l.scenario.max_minutes, Some(35.0), "default 35 for max_coverage");
    assert_eq!(l.scenario.sites, Some(2));
    let (inputs, _, _) = l.into_inputs().unwrap();
    assert_eq!(inputs.sites.len(), 4);
}

#[test]
fn scenario_with_transit_waits_for_travel_times() {
    let l = load_scenario(&good("scenario_transit.toml")).unwrap();
    assert_eq!(l.scenario.max_minutes, None, "min_travel without [access] has no rule");
    assert_eq!(l.scenario.budget, Some(1_500_000.0));
    assert_eq!(l.scenario.solver.backend, hubplan::scenario::Backend::Microlp);
    let t = l.transit.clone().unwrap();
    assert_eq!(t.gtfs, good("feed.zip"));
    assert_eq!(t.date.as_deref(), Some("2023-08-16"));
    assert_eq!(t.window.map(|w| w.to_string()).as_deref(), Some("07:00-09:00"));
    assert_eq!(t.window.map(|w| (w.start_s, w.end_s)), Some((25_200, 32_400)));
    assert_eq!(
        (t.percentile, t.max_minutes, t.walk_speed, t.detour),
        (Some(50.0), Some(90.0), Some(4.8), Some(1.3))
    );
    assert_eq!(
        (t.max_walk, t.max_transfer_walk, t.transfer_slack, t.max_rides),
        (Some(800.0), Some(400.0), Some(60.0), Some(3))
    );
    assert_eq!(t.max_file_mib, Some(512));
    assert!(l.travel.is_none());
    assert!(l.files.iter().any(|f| f.role == "gtfs"));
    assert_eq!(l.clone().into_inputs().unwrap_err().kind(), IoErrorKind::MissingKey);
    // what the CLI does after computing the matrix
    use hubplan::{SiteIdx, ZoneIdx};
    let w = &l.inputs_without_travel;
    assert_eq!(w.zone_points().len(), 5);
    assert_eq!(w.site_points()[0].0, "S001");
    let travel = build_travel(
        &w.zones,
        &w.sites,
        vec![(ZoneIdx(0), SiteIdx(0), 12.0), (ZoneIdx(4), SiteIdx(3), 40.0)],
    )
    .unwrap();
    let inputs = attach_travel(l.inputs_without_travel.clone(), travel).unwrap();
    assert_eq!(inputs.travel.get(ZoneIdx(4), SiteIdx(3)), Some(40.0));
    let dup = build_travel(
        &w.zones,
        &w.sites,
        vec![(ZoneIdx(1), SiteIdx(2), 1.0), (ZoneIdx(1), SiteIdx(2), 2.0)],
    )
    .unwrap_err();
    assert!(
        dup.to_string().contains("\"Z2\"") && dup.to_string().contains("\"S003\""),
        "{dup}"
    );
}

fn plan_for(scenario: &str) -> (hubplan::Inputs, hubplan::Scenario, hubplan::Plan, RunMeta) {
    let l = load_scenario(&good(scenario)).unwrap();
    let (inputs, scenario, meta) = l.into_inputs().unwrap();
    let plan = hubplan::plan(&inputs, &scenario).unwrap();
    (inputs, scenario, plan, meta)
}

#[test]
fn plan_dir_is_written_read_back_and_deterministic() {
    let (inputs, scenario, plan, meta) = plan_for("scenario.toml");
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a/nested/out");
    let b = tmp.path().join("b");
    write_plan_dir(&a, &inputs, &scenario, &plan, &meta).unwrap();
    write_plan_dir(&b, &inputs, &scenario, &plan, &meta).unwrap();
    for f in PLAN_FILES {
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        assert_eq!(x, y, "{f} is deterministic");
    }
    // no temporary directory left behind
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");

    let back = read_plan_json(&a).unwrap();
    assert_eq!(back.status, hubplan::PlanStatus::Optimal);
    assert_eq!(back.sites.len(), 4);
    assert_eq!(back.sites[0].decision, hubplan::Decision::Close);
    assert_eq!(back.totals.saving, Some(45_000.0));
    assert_eq!(back.unreachable_zones, ["Z5"]);
    assert_eq!(back.scenario.keep, ["S003"]);
    assert_eq!(back.scenario.need_column.as_deref(), Some("pop_0_15"));
    assert!(back
        .scenario
        .file
        .as_deref()
        .is_some_and(|f| f.ends_with("scenario.toml")));
    assert_eq!(back.inputs.len(), 5);
    assert_eq!(back.inputs[2].role, "sites");
    assert_eq!(back.inputs[2].sha256.len(), 64);
    assert!(!back.solver.backend.is_empty());

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("plan.json")).unwrap()).unwrap();
    assert_eq!(json["scenario"]["keep"][0], "S003");
    assert_eq!(json["inputs"].as_array().unwrap().len(), 5);
    assert!(json["solver"].get("seconds").is_none(), "no timing unless asked");

    let zones = std::fs::read_to_string(a.join("zones.csv")).unwrap();
    assert!(zones.starts_with(
        "id,name,district,need,nearest_site_before,minutes_before,nearest_site,minutes,covered_before,covered,unreachable\n"
    ));
    assert!(
        zones.contains("Z5,Canterbury 005A,Canterbury,120,,,,,false,false,true\n"),
        "{zones}"
    );
    let sites = std::fs::read_to_string(a.join("sites.csv")).unwrap();
    assert!(
        sites.contains("S002,Whitstable Youth,Canterbury,youth_hub,existing,keep,32500.50,80000.00,"),
        "{sites}"
    );

    let gj: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("plan.geojson")).unwrap()).unwrap();
    assert_eq!(gj["type"], "FeatureCollection");
    assert_eq!(gj["features"].as_array().unwrap().len(), 9);
    // positions survive within the 6-decimal rounding
    assert_eq!(gj["features"][0]["geometry"]["coordinates"][0], 1.0828);
}

#[test]
fn plan_dir_replaces_files_but_keeps_others() {
    let (inputs, scenario, plan, meta) = plan_for("scenario.toml");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("plan.json"), "old").unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    write_plan_dir(&out, &inputs, &scenario, &plan, &meta).unwrap();
    assert_ne!(std::fs::read_to_string(out.join("plan.json")).unwrap(), "old");
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    let entries = std::fs::read_dir(tmp.path()).unwrap().count();
    assert_eq!(entries, 1, "the temporary directory is removed");
}

#[test]
fn plan_dir_onto_a_file_fails_cleanly() {
    let (inputs, scenario, plan, meta) = plan_for("scenario.toml");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::write(&out, "a file").unwrap();
    let e = write_plan_dir(&out, &inputs, &scenario, &plan, &meta).unwrap_err();
    assert_eq!(e.kind(), IoErrorKind::NotAFile);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn non_finite_numbers_are_written_as_null() {
    let (inputs, scenario, mut plan, meta) = plan_for("scenario.toml");
    plan.objective = f64::NAN;
    plan.bound = f64::INFINITY;
    plan.totals.mean_minutes_after = f64::NAN;
    let tmp = tempfile::tempdir().unwrap();
    write_plan_dir(tmp.path(), &inputs, &scenario, &plan, &meta).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("plan.json")).unwrap()).unwrap();
    assert!(json["objective"].is_null() && json["bound"].is_null());
    assert!(json["totals"]["mean_minutes_after"].is_null());
    let back = read_plan_json(&tmp.path().join("plan.json")).unwrap();
    assert_eq!(back.objective, None);
}

/// Session 8 sweep, "seen, not changed": plan.json wrote `objective` and `bound` at full
/// precision (`762669.6799999999`) while every other amount of money is in pence. Now the
/// objective is rounded to pence under `min_cost` (6 decimals for need and need × minutes),
/// the bound outward (a lower bound stays a lower bound), sums of need to 6 decimals, and
/// all stay JSON numbers.
#[test]
fn objective_bound_and_need_sums_are_rounded_in_plan_json() {
    let (inputs, scenario, mut plan, meta) = plan_for("scenario.toml");
    assert_eq!(plan.objective_kind, hubplan::ObjectiveKind::MinCost);
    let write = |plan: &hubplan::Plan| {
        let tmp = tempfile::tempdir().unwrap();
        write_plan_dir(tmp.path(), &inputs, &scenario, plan, &meta).unwrap();
        let text = std::fs::read_to_string(tmp.path().join("plan.json")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        (text, json)
    };
    plan.objective = 762_669.679_999_999_9;
    plan.bound = 762_669.679_999_999_9;
    plan.totals.need_total = 0.1 + 0.2;
    let (text, json) = write(&plan);
    assert!(!text.contains("762669.6799999"), "{text}");
    assert!(!text.contains("0.30000000000000004"), "{text}");
    assert_eq!(json["objective"].as_f64(), Some(762_669.68));
    assert_eq!(json["bound"].as_f64(), Some(762_669.68));
    assert_eq!(json["totals"]["need_total"].as_f64(), Some(0.3));
    // A bound half a penny below the objective is written down to the penny below, not up to it.
    plan.bound = 762_669.675;
    let (_, json) = write(&plan);
    assert_eq!(json["bound"].as_f64(), Some(762_669.67));
    // max_coverage: need, to 6 decimals; its (upper) bound rounds up.
    plan.objective_kind = hubplan::ObjectiveKind::MaxCoverage;
    plan.objective = 1_234.123_456_789;
    plan.bound = 1_234.123_456_1;
    let (_, json) = write(&plan);
    assert_eq!(json["objective"].as_f64(), Some(1_234.123_457));
    assert_eq!(json["bound"].as_f64(), Some(1_234.123_457));
}

/// A zones file whose `need` header is misspelt falls back to `population` (the
/// documented rule) with a warning naming the likely typo; a file with neither a
/// near miss nor `need` falls back without one.
#[test]
fn a_misspelt_need_column_is_named_when_need_falls_back_to_population() {
    let text = std::fs::read_to_string(good("zones.csv")).unwrap();
    let (head, rest) = text.split_once('\n').unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("zones.csv");
    let with = |extra: &str| {
        let body: String = rest.lines().map(|l| format!("{l},7\n")).collect();
        std::fs::write(&path, format!("{head},{extra}\n{body}")).unwrap();
        read_zones(&path, None).unwrap()
    };
    for typo in ["ned", "needs", "Nead"] {
        let z = with(typo);
        assert_eq!(z.need_source, "population", "{typo}");
        assert!(
            z.warnings
                .iter()
                .any(|w| w.contains(&format!("is `{typo}` a typo for `need`?"))),
            "{typo}: {:?}",
            z.warnings
        );
    }
    for fine in ["name2", "seats", "children", "neet"] {
        let z = with(fine);
        assert!(
            !z.warnings.iter().any(|w| w.contains("typo for `need`")),
            "{fine}: {:?}",
            z.warnings
        );
    }
    let plain = read_zones(&good("zones.csv"), None).unwrap();
    assert!(!plain.warnings.iter().any(|w| w.contains("typo for `need`")));
}

/// `write_file_atomically` into a folder that does not exist is an error naming the
/// file and the folder, and creates nothing (the Newport audit, session 18:
/// `hubplan plan … --export-mps out/model.mps` without `out/` named only `out` and a
/// temporary file, `.plan.mps.tmp-QOoQGE`).
#[test]
fn one_file_into_a_missing_folder_names_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out/plan.mps");
    let e = hubplan_io::write_file_atomically(&path, b"NAME x\nENDATA\n").expect_err("no such folder");
    let msg = e.to_string();
    assert!(msg.contains("plan.mps"), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");
    assert!(!msg.contains(".tmp-"), "{msg}");
    assert!(!dir.path().join("out").exists(), "nothing is created");
}

/// `hubplan plan --export-mps` (and every single file hubplan writes atomically: the
/// LP, travel_times.csv) came out 0600, owner-only, while the plan directory's files
/// are 0644: an exported model could not be read by the colleague it was written for.
/// A file written atomically now has the permissions `std::fs::write` gives it.
#[cfg(unix)]
#[test]
fn a_file_written_atomically_has_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let atomic = dir.path().join("model.mps");
    hubplan_io::write_file_atomically(&atomic, b"NAME x\n").unwrap();
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, b"x").unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&atomic), mode(&plain), "{:o} vs {:o}", mode(&atomic), mode(&plain));
    assert_eq!(std::fs::read(&atomic).unwrap(), b"NAME x\n");
}

/// An id typed with "é" as one character (NFC) in one file and as "e" + U+0301
/// (NFD) in another is the same id: every text cell is read as NFC (src/text.rs).
/// Before, the matrix's NFD id was an "unknown site id" error although it looked
/// the same as the sites file's.
#[test]
fn ids_that_differ_only_in_how_accents_are_encoded_are_the_same_id() {
    let (nfc, nfd) = ("Caf\u{e9}-3", "Cafe\u{301}-3");
    let (svc_nfc, svc_nfd) = ("cr\u{e8}che", "cre\u{300}che");
    let tmp = tempfile::tempdir().unwrap();
    let copy = |name: &str, f: &dyn Fn(String) -> String| {
        let text = std::fs::read_to_string(good(name)).unwrap();
        std::fs::write(tmp.path().join(name), f(text)).unwrap();
    };
    // sites.csv: NFC ids and service names; everything else: NFD.
    copy("sites.csv", &|t| t.replace("S003", nfc).replace("youth", svc_nfc));
    copy("travel_times.csv", &|t| t.replace("S003", nfd));
    copy("services.csv", &|t| t.replace("youth", svc_nfd));
    copy("zones.csv", &|t| t);
    copy("scenario.toml", &|t| t.replace("\"S003\"", &format!("\"{nfd}\"")));
    let l = load_scenario(&tmp.path().join("scenario.toml")).unwrap();
    let sites = &l.inputs_without_travel.sites;
    assert_eq!(sites[2].id, nfc, "read as NFC");
    assert_eq!(
        l.scenario.keep,
        [hubplan::SiteIdx(2)],
        "the NFD keep names the NFC site"
    );
    let services = &l.inputs_without_travel.services;
    let youth = services
        .iter()
        .position(|s| s.id == svc_nfc)
        .expect("the NFD service id is read as NFC");
    assert!(sites[0].services.contains(&hubplan::ServiceIdx(youth as u32)));
    // The matrix's three NFD rows for the site are its rows.
    let travel = l.travel.as_ref().unwrap();
    let reach = (0..l.inputs_without_travel.zones.len())
        .filter(|&z| travel.get(hubplan::ZoneIdx(z as u32), hubplan::SiteIdx(2)).is_some())
        .count();
    assert_eq!(reach, 3);

    // GeoJSON properties and a Feature id too.
    let gj = std::fs::read_to_string(good("sites.geojson"))
        .unwrap()
        .replace("S003", nfd);
    std::fs::write(tmp.path().join("sites.geojson"), gj).unwrap();
    let r = read_sites(&tmp.path().join("sites.geojson"), None).unwrap();
    assert!(
        r.sites.iter().any(|s| s.id == nfc),
        "{:?}",
        r.sites.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
}
