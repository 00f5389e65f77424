//! `max_users_<service>` / `users_today_<service>` in sites CSV and GeoJSON
//! (docs/FORMATS.md, "Per service"): read the same through both readers, and
//! resolved to the service by id (exactly, else ignoring case).

use hubplan_io::read_sites;

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hubplan-io-svc-cap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn csv_and_geojson_give_the_same_capacities() {
    let csv = write(
        "sites.csv",
        "id,lon,lat,annual_cost,services,can_host,max_users_youth,users_today_Children_Centre,max_users_children_centre\n\
         A,0.5,51.2,1000,youth,children_centre,100,,\n\
         B,0.6,51.2,1000,children_centre,,,40,80.5\n",
    );
    let gj = write(
        "sites.geojson",
        r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.5, 51.2]},
   "properties": {"id": "A", "annual_cost": 1000, "services": "youth", "can_host": "children_centre", "max_users_youth": 100}},
  {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.6, 51.2]},
   "properties": {"id": "B", "annual_cost": 1000, "services": "children_centre", "users_today_Children_Centre": 40, "max_users_children_centre": 80.5}}
]}"#,
    );
    for p in [csv, gj] {
        let f = read_sites(&p, None).unwrap();
        let id = |s: hubplan::ServiceIdx| f.services[s.index()].id.as_str();
        let mut max: Vec<(&str, Vec<Option<f64>>)> = f
            .max_users_by_service
            .iter()
            .map(|(s, v)| (id(*s), v.clone()))
            .collect();
        max.sort_by(|a, b| a.0.cmp(b.0));
        assert_eq!(
            max,
            vec![
                ("children_centre", vec![None, Some(80.5)]),
                ("youth", vec![Some(100.0), None])
            ],
            "{}",
            p.display()
        );
        // `users_today_Children_Centre` matches the id `children_centre` ignoring case.
        assert_eq!(f.users_today_by_service.len(), 1);
        assert_eq!(id(f.users_today_by_service[0].0), "children_centre");
        assert_eq!(f.users_today_by_service[0].1, vec![None, Some(40.0)]);
        assert!(
            f.warnings.iter().all(|w| !w.contains("unknown column")),
            "{:?}",
            f.warnings
        );
    }
}

#[test]
fn users_today_of_a_service_without_capacity_is_a_warning() {
    // Acceptance sweep, session 7: with max_users_children_centre given, a
    // users_today_youth column (no max_users_youth) was dropped without a word.
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny_services_capacity");
    let dir = std::env::temp_dir().join(format!("hubplan-io-svc-cap-today-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["scenario.toml", "services.csv", "zones.csv", "travel_times.csv"] {
        std::fs::copy(fixture.join(f), dir.join(f)).unwrap();
    }
    let sites = std::fs::read_to_string(fixture.join("sites.csv")).unwrap();
    let mut out = String::new();
    for (k, line) in sites.lines().enumerate() {
        out += line;
        out += if k == 0 { ",users_today_youth\n" } else { ",30\n" };
    }
    std::fs::write(dir.join("sites.csv"), out).unwrap();
    let loaded = hubplan_io::load_scenario(&dir.join("scenario.toml")).unwrap();
    let w: Vec<&String> = loaded
        .warnings
        .iter()
        .filter(|w| w.contains("users_today_youth is given but no max_users_youth"))
        .collect();
    assert_eq!(w.len(), 1, "{:?}", loaded.warnings);
    // The capacitated service's own users_today is used: no warning about it.
    assert!(
        loaded
            .warnings
            .iter()
            .all(|w| !w.contains("users_today_children_centre")),
        "{:?}",
        loaded.warnings
    );
    std::fs::remove_dir_all(&dir).ok();
}
