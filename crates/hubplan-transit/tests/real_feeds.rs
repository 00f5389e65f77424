//! Real GTFS feeds: each loads (or fails clearly), trip counts per service date match the
//! reference manifest, quirks are repaired and reported.

use std::path::{Path, PathBuf};

use hubplan_transit::{load_feed, FeedReport, LoadOptions, ServiceDate, TransitError};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/gtfs")
        .join(name)
}

fn load(name: &str, date: &str) -> (hubplan_transit::Feed, FeedReport) {
    let d = ServiceDate::parse(date).unwrap();
    match load_feed(&fixture(name), d, &LoadOptions::default()) {
        Ok(x) => x,
        Err(e) => panic!("{name} {date}: {e}"),
    }
}

#[test]
fn newport_trip_counts_match_manifest_and_ons_tests() {
    let (_, r) = load("uk_newport_20230613_gtfs.zip", "2023-06-16");
    eprintln!("{r}");
    assert_eq!(r.trips_active, 173);
    assert_eq!(r.routes_active, 16);
    let (_, r) = load("uk_newport_20230613_gtfs.zip", "2023-06-13");
    assert_eq!(r.trips_active, 176);
    let (_, r) = load("uk_newport_20230613_gtfs.zip", "2023-06-17");
    assert_eq!(r.trips_active, 141);
    let (_, r) = load("uk_newport_20230613_gtfs.zip", "2023-06-18");
    assert_eq!(r.trips_active, 22);
}

#[test]
fn cairns_trip_counts_and_blank_times_interpolated() {
    let (feed, r) = load("au_cairns_2014_gtfs.zip", "2014-06-02");
    eprintln!("{r}");
    assert_eq!(r.trips_active, 622);
    assert_eq!(r.routes_active, 20);
    assert!(r.interpolated_stop_times > 0, "Cairns has blank non-timepoint times");
    assert!(feed.service_span().unwrap().1 > 24 * 3600, "times past 24:00 are kept");
    assert_eq!(load("au_cairns_2014_gtfs.zip", "2014-06-07").1.trips_active, 437);
    assert_eq!(load("au_cairns_2014_gtfs.zip", "2014-06-08").1.trips_active, 266);
}

#[test]
fn chester_loads_and_flags_the_stop_in_the_sea() {
    let (_, r) = load("uk_chester_20230816_small_gtfs.zip", "2023-08-16");
    eprintln!("{r}");
    assert_eq!(r.trips_active, 804);
    assert!(
        r.warnings.iter().any(|w| w.contains("5120WD22102")),
        "the Sealand School stop off Scilly is reported"
    );
    assert_eq!(
        load("uk_chester_20230816_small_gtfs.zip", "2023-08-19").1.trips_active,
        159
    );
    assert_eq!(
        load("uk_chester_20230816_small_gtfs.zip", "2023-08-20").1.trips_active,
        23
    );
}

#[test]
fn atb_latin1_is_decoded() {
    let (feed, r) = load("no_atb_region_nord_2019_gtfs_latin1.zip", "2019-01-14");
    eprintln!("{r}");
    assert_eq!(r.trips_active, 799);
    assert!(r.encoding.contains("Latin-1"), "{}", r.encoding);
    assert!(r.repairs.iter().any(|m| m.contains("Windows-1252")));
    assert!(feed.connection_count() > 0);
}

#[test]
fn sample_feed_no_service_warning_and_frequencies() {
    let (feed, r) = load("sample_gtfs_fictional.zip", "2007-06-04");
    eprintln!("{r}");
    assert_eq!(r.trips_active, 0);
    assert_eq!(feed.connection_count(), 0);
    assert!(r.warnings.iter().any(|w| w.contains("NO SERVICE on 2007-06-04")));
    let (feed, r) = load("sample_gtfs_fictional.zip", "2007-06-09");
    eprintln!("{r}");
    assert_eq!(r.trips_active, 11);
    // frequency trips are expanded into many runs
    assert!(r.runs > r.trips_active, "runs {} trips {}", r.runs, r.trips_active);
    assert!(feed.trip_name(0).contains('#'), "frequency runs are named trip#k: {}", feed.trip_name(0));
}

#[test]
fn porto_alegre_lenient_route_colour_and_interpolation() {
    let (feed, r) = load("poa_eptc.zip", "2019-05-13");
    eprintln!("{r}");
    assert!(r.trips_active > 0);
    assert!(
        r.interpolated_stop_times > 100_000,
        "POA has times only at the ends of trips"
    );
    assert!(
        r.repairs.iter().any(|m| m.contains("route_text_color")),
        "{:?}",
        r.repairs
    );
    assert!(feed.connection_count() > 100_000);
}

#[test]
fn bad_inputs_give_clear_errors() {
    let d = ServiceDate::new(2020, 1, 1).unwrap();
    let e = load_feed(Path::new("/nonexistent/feed.zip"), d, &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, TransitError::Io { .. }), "{e}");
    assert!(e.to_string().contains("/nonexistent/feed.zip"));
    // a CSV file that is not a zip
    let e = load_feed(&fixture("bench_origins_1000.csv"), d, &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, TransitError::Zip { .. }), "{e}");
    // size limit (zip bomb guard)
    let opts = LoadOptions {
        max_file_bytes: 10_000,
        ..LoadOptions::default()
    };
    let e = load_feed(&fixture("poa_eptc.zip"), d, &opts).unwrap_err();
    assert!(matches!(e, TransitError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("10000"), "{e}");
    assert!(ServiceDate::parse("2019-02-30").is_err());
    assert!(ServiceDate::parse("13/05/2019").is_err());
}

/// Every feed in `../shared/refdata/gtfs*` loads or fails with a clear error. Skips when the
/// shared folder is absent (CI clones, other machines).
#[test]
fn every_shared_refdata_feed_loads_or_fails_clearly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/refdata");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        eprintln!("note: {} not present; skipping the shared-feed sweep", root.display());
        return;
    };
    let mut n = 0;
    for d in dirs.flatten() {
        if !d.file_name().to_string_lossy().starts_with("gtfs") {
            continue;
        }
        for f in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
            let p = f.path();
            if p.extension().is_some_and(|e| e == "zip") {
                let date = ServiceDate::new(2019, 5, 13).unwrap();
                match load_feed(&p, date, &LoadOptions::default()) {
                    Ok((_, r)) => eprintln!(
                        "{}: ok; {} trips on {date}, {} connections",
                        p.display(),
                        r.trips_active,
                        r.connections
                    ),
                    Err(e) => {
                        let msg = e.to_string();
                        assert!(
                            msg.contains(&*p.to_string_lossy()),
                            "error does not name the feed: {msg}"
                        );
                        eprintln!("{}: fails clearly: {msg}", p.display());
                    }
                }
                n += 1;
            }
        }
    }
    assert!(n >= 8, "expected the shared feeds, found {n}");
}

fn read_points(name: &str) -> Vec<hubplan::geo::LonLat> {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            hubplan::geo::LonLat::new(f[2].parse().unwrap(), f[1].parse().unwrap())
        })
        .collect()
}

/// The matrix is byte-identical whatever the number of rayon threads, and agrees with the
/// per-minute times reduced by hand.
#[test]
fn porto_alegre_matrix_is_thread_count_independent() {
    use hubplan_transit::{per_minute_times, percentile_nearest_rank, travel_time_matrix, TransitConfig};
    let (feed, _) = load("poa_eptc.zip", "2019-05-13");
    let origins: Vec<_> = read_points("bench_origins_1000.csv").into_iter().step_by(10).collect();
    let dests: Vec<_> = read_points("bench_destinations_200.csv")
        .into_iter()
        .step_by(10)
        .collect();
    let cfg = TransitConfig {
        window_start_s: 14 * 3600,
        window_end_s: 14 * 3600 + 600,
        max_minutes: 60.0,
        share_within: Some(35.0),
        ..TransitConfig::default()
    };
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| travel_time_matrix(&feed, &origins, &dests, &cfg, &|_, _| {}).unwrap())
    };
    let one = run(1);
    let two = run(2);
    let three = run(3);
    assert_eq!(one, two);
    assert_eq!(one, three);
    assert!(one.len() > origins.len(), "some pairs are reachable: {}", one.len());
    let per = per_minute_times(&feed, &origins, &dests, &cfg).unwrap();
    let mut k = 0;
    for o in 0..origins.len() {
        for (d, per_d) in per.iter().enumerate() {
            let mut t = per_d[o * 10..o * 10 + 10].to_vec();
            let v = percentile_nearest_rank(&mut t, 50.0);
            if v <= 3600 {
                assert_eq!(
                    (one[k].origin, one[k].destination, one[k].seconds),
                    (o as u32, d as u32, v)
                );
                k += 1;
            }
        }
    }
    assert_eq!(k, one.len());
}

/// Chester's stop in the sea, and points with absurd coordinates, break nothing.
#[test]
fn chester_matrix_with_absurd_points() {
    use hubplan::geo::LonLat;
    use hubplan_transit::{travel_time_matrix, TransitConfig};
    let (feed, _) = load("uk_chester_20230816_small_gtfs.zip", "2023-08-16");
    let chester = LonLat::new(-2.8912, 53.1905); // Chester city centre
    let sea = LonLat::new(-7.556, 49.766); // the misplaced stop
    let pts = [
        chester,
        LonLat::new(-2.93, 53.20),
        sea,
        LonLat::new(f64::NAN, 0.0),
        LonLat::new(500.0, 95.0),
    ];
    let cfg = TransitConfig {
        window_start_s: 8 * 3600,
        window_end_s: 9 * 3600,
        ..TransitConfig::default()
    };
    let m = travel_time_matrix(&feed, &pts, &pts, &cfg, &|_, _| {}).unwrap();
    assert!(
        m.iter().any(|e| e.origin == 1 && e.destination == 0 && e.seconds > 0),
        "{m:?}"
    );
    assert!(
        m.iter().all(|e| e.origin < 3 && e.destination < 3),
        "invalid points reach nothing"
    );
    assert!(m.iter().any(|e| e.origin == 2 && e.destination == 2 && e.seconds == 0));
}
