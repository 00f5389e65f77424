//! The bad-input corpus through the real `hubplan` binary.
//!
//! Every case of `crates/hubplan-io/tests/bad-inputs/` (see that crate's
//! `tests/bad_inputs.rs` for the `expect` format) is run as a user would meet it:
//!
//! * `run load scenario.toml`: `hubplan plan <case>/scenario.toml --out <tmp>/out` and
//!   `hubplan validate <case>/scenario.toml`;
//! * `run sites|zones|services|travel FILE`: the good scenario of
//!   `crates/hubplan-io/tests/data/good/` is copied into a temporary folder, the one file is
//!   replaced by the case's, and `hubplan plan` runs on it;
//! * `run points FILE`: `hubplan travel-times` with the file as `--origins`;
//! * `run plan plan.json`: `hubplan compare` and `hubplan report` on it.
//!
//! Each run must exit with status 2, print the corpus' `contains` fragments (file:line, field,
//! expectation) and the file's name on stderr, never print "panicked", and leave no `out`
//! folder, no `.hubplan-out-*` temporary folder and no other new file behind.
//!
//! Beyond the corpus: GTFS feeds (a required file missing, a zip bomb, bad times, an unknown
//! stop, not a zip), and an input path that is missing or a directory, for every command.

mod common;
#[path = "../../hubplan-transit/tests/support/zipgen.rs"]
mod zipgen;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{check_failure, must_fail, root, Run};
use zipgen::{crc32, deflate_zeros, write_zip, Member};

fn io_tests() -> PathBuf {
    root().join("crates/hubplan-io/tests")
}

/// Runs `hubplan ARGS` on one thread.
fn hubplan<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    common::hubplan_env(args, &[("RAYON_NUM_THREADS", "1")])
}

/// Every file and folder under `dir`, relative to it.
fn listing(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            out.insert(p.strip_prefix(dir).unwrap_or(&p).to_path_buf());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

struct Expect {
    run: String,
    file: String,
    contains: Vec<String>,
}

fn parse_expect(dir: &Path) -> Expect {
    let text = std::fs::read_to_string(dir.join("expect")).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut ex = Expect {
        run: String::new(),
        file: String::new(),
        contains: Vec::new(),
    };
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let (k, v) = line.split_once(' ').unwrap_or((line, ""));
        match k {
            "run" => {
                let (r, f) = v.split_once(' ').expect("run CMD FILE");
                ex.run = r.into();
                ex.file = f.into();
            }
            "contains" => ex.contains.push(v.into()),
            _ => {}
        }
    }
    ex
}

/// Checks that `work` holds exactly `before` afterwards: no `out`, no temporary folder.
fn check_clean(work: &Path, before: &BTreeSet<PathBuf>) -> Result<(), String> {
    let after = listing(work);
    let new: Vec<_> = after.difference(before).collect();
    if new.is_empty() {
        Ok(())
    } else {
        Err(format!("left behind: {new:?}"))
    }
}

/// A scenario over the good inputs, with one file swapped: `(role, file name)`.
fn wrapped_scenario(work: &Path, role: &str, file: &str, bad: &Path) {
    let good = io_tests().join("data/good");
    for f in ["sites.csv", "zones.csv", "travel_times.csv", "services.csv"] {
        std::fs::copy(good.join(f), work.join(f)).expect("copy good input");
    }
    std::fs::copy(bad, work.join(file)).expect("copy bad input");
    let (mut sites, mut zones, mut travel, mut services) = ("sites.csv", "zones.csv", "travel_times.csv", None);
    match role {
        "sites" => sites = file,
        "zones" => zones = file,
        "travel" => travel = file,
        "services" => services = Some(file),
        other => panic!("cannot wrap a {other} file"),
    }
    let mut toml = format!("[inputs]\nsites = \"{sites}\"\nzones = \"{zones}\"\ntravel_times = \"{travel}\"\n");
    if let Some(s) = services {
        toml.push_str(&format!("services = \"{s}\"\n"));
    }
    toml.push_str("[access]\nmax_minutes = 35\n[solver]\ntime_limit_s = 10\n");
    std::fs::write(work.join("scenario.toml"), toml).expect("write scenario");
}

#[test]
fn the_wrapping_itself_is_good() {
    // The wrapped scenario with no file replaced plans fine: a failure below is the bad file's.
    let work = tempfile::tempdir().expect("tempdir");
    let good = io_tests().join("data/good/sites.csv");
    wrapped_scenario(work.path(), "sites", "sites.csv", &good);
    let out = work.path().join("out");
    let r = hubplan(&[
        "plan".as_ref(),
        work.path().join("scenario.toml").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(out.join("plan.json").is_file());
}

#[test]
fn corpus_through_the_cli() {
    let corpus = io_tests().join("bad-inputs");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("bad-inputs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expect").is_file())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    let mut runs = 0usize;
    for dir in &dirs {
        let name = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let ex = parse_expect(dir);
        let case_before = listing(dir);
        let work = tempfile::tempdir().expect("tempdir");
        let w = work.path();
        let out = w.join("out");
        let input = dir.join(&ex.file);
        // (arguments, the work folder's listing before the run)
        let mut commands: Vec<Vec<std::ffi::OsString>> = Vec::new();
        match ex.run.as_str() {
            "load" => {
                commands.push(vec![
                    "plan".into(),
                    input.clone().into(),
                    "--out".into(),
                    out.clone().into(),
                ]);
                commands.push(vec!["validate".into(), input.clone().into()]);
            }
            "sites" | "zones" | "travel" | "services" => {
                wrapped_scenario(w, &ex.run, &ex.file, &input);
                commands.push(vec![
                    "plan".into(),
                    w.join("scenario.toml").into(),
                    "--out".into(),
                    out.clone().into(),
                ]);
            }
            "points" => {
                let feed = w.join("feed");
                write_feed(&feed, &[]);
                let pts = w.join(&ex.file);
                std::fs::copy(&input, &pts).expect("copy points");
                commands.push(travel_times_args(
                    &feed,
                    &pts,
                    &io_tests().join("data/good/points_latlon.csv"),
                    &out,
                ));
            }
            "plan" => {
                let pd = w.join("plan");
                std::fs::create_dir(&pd).expect("mkdir");
                std::fs::copy(&input, pd.join("plan.json")).expect("copy plan");
                commands.push(vec!["compare".into(), input.clone().into(), input.clone().into()]);
                commands.push(vec!["report".into(), pd.clone().into(), "--quiet".into()]);
            }
            other => panic!("{name}: unknown run {other}"),
        }
        for args in commands {
            let before = listing(w);
            let r = hubplan(&args);
            runs += 1;
            let file_name = Path::new(&ex.file).file_name().and_then(|f| f.to_str()).unwrap_or("");
            // The message names the case's file, or the file the scenario points at (which
            // the case's own `contains` fragments name).
            let mut names = vec![file_name];
            names.extend(ex.contains.iter().map(String::as_str));
            let what = format!("{name}: hubplan {}", args[0].to_string_lossy());
            if let Err(e) = check_failure(&r, &ex.contains, &names) {
                failures.push(format!("  {what}: {e}"));
            }
            if let Err(e) = check_clean(w, &before) {
                failures.push(format!("  {what}: {e}"));
            }
        }
        if let Err(e) = check_clean(dir, &case_before) {
            failures.push(format!("  {name}: in the corpus folder: {e}"));
        }
    }
    assert!(dirs.len() >= 50, "the corpus has {} cases", dirs.len());
    assert!(
        failures.is_empty(),
        "{} problems in {} runs of {} cases:\n{}",
        failures.len(),
        runs,
        dirs.len(),
        failures.join("\n")
    );
    eprintln!("{runs} runs of {} cases", dirs.len());
}

// ---------------------------------------------------------------- GTFS

/// A minimal valid feed: three stops near Canterbury, one route, two trips on weekdays of 2024.
const FEED: [(&str, &str); 6] = [
    (
        "agency.txt",
        "agency_id,agency_name,agency_url,agency_timezone\nA1,Test Buses,https://example.invalid,Europe/London\n",
    ),
    (
        "stops.txt",
        "stop_id,stop_name,stop_lat,stop_lon\nS1,One,51.2798,1.0828\nS2,Two,51.3200,1.0500\nS3,Three,51.3600,1.0250\n",
    ),
    (
        "routes.txt",
        "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A1,1,One to Three,3\n",
    ),
    ("trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\n"),
    (
        "calendar.txt",
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n",
    ),
    (
        "stop_times.txt",
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
         T1,07:10:00,07:10:00,S1,1\nT1,07:20:00,07:20:00,S2,2\nT1,07:30:00,07:30:00,S3,3\n\
         T2,08:10:00,08:10:00,S1,1\nT2,08:20:00,08:20:00,S2,2\nT2,08:30:00,08:30:00,S3,3\n",
    ),
];

/// Writes the minimal feed as a folder, with `(file, Some(text))` replaced (or added) or
/// `(file, None)` removed.
fn write_feed(dir: &Path, changes: &[(&str, Option<&str>)]) {
    std::fs::create_dir_all(dir).expect("feed dir");
    for (name, text) in FEED {
        let text = match changes.iter().find(|(n, _)| *n == name) {
            Some((_, Some(t))) => *t,
            Some((_, None)) => continue,
            None => text,
        };
        std::fs::write(dir.join(name), text).expect("feed file");
    }
    for (name, text) in changes {
        if let (Some(t), false) = (text, FEED.iter().any(|(n, _)| n == name)) {
            std::fs::write(dir.join(name), t).expect("feed file");
        }
    }
}

/// The minimal feed as a zip of stored (uncompressed) files, with the files in `drop`
/// removed, and `deflated`'s file replaced by a deflated member `(name, data, size, crc)`.
fn write_feed_zip(path: &Path, drop: &[&str], deflated: Option<(&str, Vec<u8>, u32, u32)>) {
    let mut members = Vec::new();
    for (name, text) in FEED {
        if drop.contains(&name) {
            continue;
        }
        match &deflated {
            Some((n, data, size, crc)) if *n == name => members.push(Member::deflated(name, data.clone(), *crc, *size)),
            _ => members.push(Member::stored(name, text.as_bytes())),
        }
    }
    write_zip(path, &members);
}

fn travel_times_args(feed: &Path, origins: &Path, dests: &Path, out: &Path) -> Vec<std::ffi::OsString> {
    vec![
        "travel-times".into(),
        "--gtfs".into(),
        feed.into(),
        "--origins".into(),
        origins.into(),
        "--destinations".into(),
        dests.into(),
        "--date".into(),
        "2024-01-08".into(),
        "--window".into(),
        "07:00-07:30".into(),
        "--out".into(),
        out.into(),
    ]
}

fn points() -> PathBuf {
    io_tests().join("data/good/points_latlon.csv")
}

/// Runs travel-times on `feed` (in `work`) and returns the run, after checking it left no output.
fn run_feed(work: &Path, feed: &Path) -> Run {
    let out = work.join("out.csv");
    let before = listing(work);
    let r = hubplan(&travel_times_args(feed, &points(), &points(), &out));
    if r.code != 0 {
        if let Err(e) = check_clean(work, &before) {
            panic!("{}: {e}", feed.display());
        }
    }
    r
}

#[test]
fn gtfs_minimal_feed_is_good() {
    let work = tempfile::tempdir().expect("tempdir");
    let feed = work.path().join("feed");
    write_feed(&feed, &[]);
    let r = run_feed(work.path(), &feed);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let zip = work.path().join("feed.zip");
    write_feed_zip(&zip, &[], None);
    let r = run_feed(work.path(), &zip);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(work.path().join("out.csv").is_file());
}

/// The Newport audit (session 18): a date the feed's calendar does not cover (after
/// it ends) gave exit 0 and a matrix of walks alone, with a warning that named no
/// calendar span and that `--quiet` did not stop. It is refused like a scenario's
/// [transit]: exit 2, the flag, the date and the calendars' span named, nothing written.
#[test]
fn travel_times_refuses_a_date_without_service() {
    let work = tempfile::tempdir().expect("tempdir");
    let feed = work.path().join("feed");
    write_feed(
        &feed,
        &[(
            "calendar.txt",
            Some(
                "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n\
                 WK,1,1,1,1,1,0,0,20230101,20231231\n",
            ),
        )],
    );
    for quiet in [false, true] {
        let out = work.path().join("out.csv");
        let before = listing(work.path());
        let mut args = travel_times_args(&feed, &points(), &points(), &out);
        if quiet {
            args.push("--quiet".into());
        }
        let r = hubplan(&args);
        must_fail(
            &r,
            &[
                "--date",
                "NO SERVICE on 2024-01-08 (Monday)",
                "the calendars cover 2023-01-01 to 2023-12-31",
                "walk",
            ],
        );
        check_clean(work.path(), &before).unwrap_or_else(|e| panic!("quiet {quiet}: {e}"));
    }
}

#[test]
fn gtfs_required_file_missing() {
    let work = tempfile::tempdir().expect("tempdir");
    for missing in ["stops.txt", "trips.txt", "stop_times.txt", "routes.txt"] {
        let feed = work.path().join(format!("no-{missing}"));
        write_feed(&feed, &[(missing, None)]);
        must_fail(&run_feed(work.path(), &feed), &[missing, "no-", "required"]);
        let zip = work.path().join(format!("no-{missing}.zip"));
        write_feed_zip(&zip, &[missing], None);
        must_fail(&run_feed(work.path(), &zip), &[missing, ".zip", "required"]);
    }
    let feed = work.path().join("no-calendar");
    write_feed(&feed, &[("calendar.txt", None)]);
    must_fail(&run_feed(work.path(), &feed), &["calendar.txt or calendar_dates.txt"]);
}

#[test]
fn gtfs_not_a_zip() {
    let work = tempfile::tempdir().expect("tempdir");
    let zip = work.path().join("feed.zip");
    std::fs::write(&zip, "stop_id,stop_name\nthis is a CSV, not a zip\n").expect("write");
    must_fail(&run_feed(work.path(), &zip), &["feed.zip", "not a readable zip"]);
    std::fs::write(&zip, "").expect("write");
    must_fail(&run_feed(work.path(), &zip), &["feed.zip", "zip"]);
    // a zip cut short: the central directory is missing
    write_feed_zip(&zip, &[], None);
    let bytes = std::fs::read(&zip).expect("read");
    std::fs::write(&zip, &bytes[..bytes.len() / 2]).expect("write");
    must_fail(&run_feed(work.path(), &zip), &["feed.zip", "zip"]);
}

#[test]
fn gtfs_bad_times() {
    let work = tempfile::tempdir().expect("tempdir");
    let feed = work.path().join("bad-sequence");
    let st = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,07:10:00,07:10:00,S1,1\nT1,07:20:00,07:20:00,S2,two\n";
    write_feed(&feed, &[("stop_times.txt", Some(st))]);
    must_fail(
        &run_feed(work.path(), &feed),
        &["stop_times.txt", "row 3", "stop_sequence", "two"],
    );
    // minutes or seconds of 60 or more, which gtfs-structures reads silently (Chester audit)
    for (field, st) in [
        ("arrival_time", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,07:10:00,07:10:00,S1,1\nT1,25:61:00,07:20:00,S2,2\n"),
        ("departure_time", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,07:10:00,07:10:00,S1,1\nT1,07:20:00,07:20:75,S2,2\n"),
    ] {
        let feed = work.path().join(format!("bad-{field}"));
        write_feed(&feed, &[("stop_times.txt", Some(st))]);
        must_fail(
            &run_feed(work.path(), &feed),
            &[
                "stop_times.txt row 3",
                &format!("field `{field}`"),
                "minutes and seconds 00-59",
            ],
        );
    }
    // calendar dates that are not dates
    let feed = work.path().join("bad-calendar");
    let cal = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,2024-01-01,20241231\n";
    write_feed(&feed, &[("calendar.txt", Some(cal))]);
    must_fail(
        &run_feed(work.path(), &feed),
        &[
            "bad-calendar",
            "calendar.txt row 2",
            "field `start_date`",
            "\"2024-01-01\"",
            "YYYYMMDD",
        ],
    );
    let feed = work.path().join("bad-calendar-dates");
    let dates = "service_id,date,exception_type\nWK,20240230,2\n";
    write_feed(&feed, &[("calendar_dates.txt", Some(dates))]);
    must_fail(
        &run_feed(work.path(), &feed),
        &["calendar_dates.txt row 2", "field `date`", "\"20240230\"", "YYYYMMDD"],
    );
}

#[test]
fn travel_times_names_the_option_the_user_typed() {
    // Chester audit: a refused engine parameter was named by its library field
    // (`walk_speed_kmh`), which the user never typed. Each case: the option and value given,
    // the library's name that must not appear, a fragment of what was expected.
    let cases: &[(&str, &str, &str)] = &[
        ("--walk-speed=0", "walk_speed_kmh", "walking speed"),
        ("--detour=0.5", "invalid transit parameter", "detour factor"),
        ("--percentile=0", "invalid transit parameter", "(0, 100]"),
        ("--max-minutes=0", "invalid transit parameter", "minutes > 0"),
        ("--max-walk=-1", "max_walk_m", "distance >= 0"),
        ("--max-transfer-walk=-5", "max_transfer_walk_m", "distance >= 0"),
        ("--transfer-slack=90000", "transfer_slack_s", "more than a day"),
        ("--max-rides=0", "max_rides", "0 is not at least 1"),
        ("--share-within=-1", "share_within", "minutes >= 0"),
        ("--date=2024-02-30", "invalid transit parameter", "not a calendar date"),
    ];
    let work = tempfile::tempdir().expect("tempdir");
    let feed = work.path().join("feed");
    write_feed(&feed, &[]);
    let mut failures = Vec::new();
    for &(arg, engine_name, expected) in cases {
        let out = work.path().join("out.csv");
        let before = listing(work.path());
        let mut args = travel_times_args(&feed, &points(), &points(), &out);
        let flag = arg.split('=').next().unwrap_or(arg);
        // An option the helper already gives (--date) is replaced, not repeated.
        if let Some(i) = args.iter().position(|a| a.to_str() == Some(flag)) {
            args.drain(i..i + 2);
        }
        args.push(arg.into());
        let r = hubplan(&args);
        let value = arg.split('=').nth(1).unwrap_or("");
        let fragments = vec![format!("{flag}: "), value.to_string(), expected.to_string()];
        if let Err(e) = check_failure(&r, &fragments, &[]) {
            failures.push(format!("  {arg}: {e}"));
        }
        if r.stderr.contains(engine_name) {
            failures.push(format!(
                "  {arg}: stderr names {engine_name:?}: {}",
                r.stderr.trim_end()
            ));
        }
        if let Err(e) = check_clean(work.path(), &before) {
            failures.push(format!("  {arg}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gtfs_unreadable_times_are_reported_not_hidden() {
    // The loader is tolerant by design (docs/TRANSIT.md): an unreadable *optional* time is
    // blanked and interpolated, and a trip calling at a stop missing from stops.txt is
    // dropped. Neither may be silent: the feed report on stderr names the file, the row or
    // trip, and what happened.
    let work = tempfile::tempdir().expect("tempdir");
    let feed = work.path().join("bad-time");
    let st = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
              T1,07:10:00,07:10:00,S1,1\nT1,07:6x:00,07:6x:00,S2,2\nT1,07:30:00,07:30:00,S3,3\n";
    write_feed(&feed, &[("stop_times.txt", Some(st))]);
    let r = run_feed(work.path(), &feed);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    if r.code == 0 {
        assert!(r.stderr.contains("stop_times.txt"), "{}", r.stderr);
        assert!(r.stderr.contains("07:6x:00"), "{}", r.stderr);
    } else {
        must_fail(&r, &["stop_times.txt", "07:6x:00"]);
    }

    let feed = work.path().join("unknown-stop");
    let st = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
              T1,07:10:00,07:10:00,S1,1\nT1,07:20:00,07:20:00,NOPE,2\nT1,07:30:00,07:30:00,S3,3\n";
    write_feed(&feed, &[("stop_times.txt", Some(st))]);
    let r = run_feed(work.path(), &feed);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    for s in ["stop_times.txt", "T1", "NOPE", "missing from stops.txt", "dropped"] {
        assert!(r.stderr.contains(s), "stderr lacks {s:?}: {}", r.stderr);
    }
    // and even with --quiet: dropped data changes the matrix
    let mut args = travel_times_args(&feed, &points(), &points(), &work.path().join("quiet.csv"));
    args.push("--quiet".into());
    let r = hubplan(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for s in ["warning: GTFS feed", "NOPE", "dropped"] {
        assert!(r.stderr.contains(s), "--quiet: stderr lacks {s:?}: {}", r.stderr);
    }
}

/// Bytes of a deflated member that inflates just past the loader's default 2 GiB limit
/// (`LoadOptions::max_file_bytes`, `--gtfs-max-file-mib 2048`).
const BOMB_BYTES: u64 = 1 + 258 * ((2u64 << 30) / 258 + 4096);

fn mem_available_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<u64>().ok()))
        })
        .map_or(0, |kb| kb * 1024)
}

#[test]
fn gtfs_zip_bomb() {
    // A 14 MB zip whose stops.txt (the first file read) inflates to just past the loader's
    // default 2 GiB limit (`LoadOptions::max_file_bytes`).
    let work = tempfile::tempdir().expect("tempdir");
    let data = deflate_zeros(BOMB_BYTES);
    assert!(data.len() < 20 << 20, "{} bytes", data.len());
    // An honest header declares the inflated size: refused before inflating anything. The
    // CRC is not that of the data; nothing may read far enough to check it.
    let zip = work.path().join("bomb.zip");
    write_feed_zip(&zip, &[], Some(("stops.txt", data.clone(), BOMB_BYTES as u32, 0)));
    // (How fast the refusal is, is measured by `cargo bench -p hubplan-benches --bench zip_limits`.)
    let r = run_feed(work.path(), &zip);
    must_fail(
        &r,
        &[
            "bomb.zip",
            "stops.txt",
            "larger than the limit",
            "2147483648",
            "--gtfs-max-file-mib",
        ],
    );

    // A lying header declares 1 KiB: it is read through the limit and refused once more
    // than the limit comes out, holding up to the limit (2 GiB) in memory, so skip when the
    // machine cannot spare that. `gtfs_lying_zip_header_and_the_limit_flag` runs the same
    // with a small limit everywhere.
    if mem_available_bytes() < 4 << 30 {
        eprintln!("skipped the lying-header bomb: it needs 4 GiB of free memory");
        return;
    }
    let zip = work.path().join("liar.zip");
    write_feed_zip(&zip, &[], Some(("stops.txt", data, 1024, 0)));
    // The time and memory of a refusal are measured by
    // `cargo bench -p hubplan-benches --bench zip_limits`, not here.
    let r = run_feed(work.path(), &zip);
    must_fail(&r, &["liar.zip", "stops.txt", "larger than the limit", "2147483648"]);
}

/// Writes a single-service scenario in `w` whose travel times come from the GTFS `feed`
/// (relative to `w`), with `extra` lines appended to its `[transit]` section.
fn transit_scenario(w: &Path, feed: &str, extra: &str) -> PathBuf {
    let good = io_tests().join("data/good");
    for f in ["sites.csv", "zones.csv"] {
        std::fs::copy(good.join(f), w.join(f)).expect("copy");
    }
    let path = w.join("scenario.toml");
    std::fs::write(
        &path,
        format!(
            "[inputs]\nsites = \"sites.csv\"\nzones = \"zones.csv\"\n[objective]\nkind = \"min_travel\"\n[limits]\nsites = 2\n\
             [transit]\ngtfs = \"{feed}\"\ndate = \"2024-01-08\"\nwindow = \"07:00-07:30\"\nmax_minutes = 240\nmax_walk = 20000\n{extra}"
        ),
    )
    .expect("write");
    path
}

#[test]
fn plan_refuses_a_timetable_that_validate_refuses() {
    // A [transit] scenario whose date the feed's calendar does not cover, or whose window
    // holds no trip, would be planned on walking alone. `hubplan validate` calls either an
    // error; so must every command that loads the scenario: exit 2, the code and what is
    // wrong named, nothing written. (Before session 15 `plan` wrote a walking-only plan
    // with exit 0, and said nothing under --quiet.)
    // The scenario's window is 07:00-07:30 and its longest journey 240 minutes: a
    // journey leaving at 07:29 may wait for a bus until 11:29 (session 15: a trip after
    // the window was called "none in the window", an error, though it serves it).
    let times = |h1: u32, h2: u32| {
        format!(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
             T1,{h1}:10:00,{h1}:10:00,S1,1\nT1,{h1}:20:00,{h1}:20:00,S2,2\nT1,{h1}:30:00,{h1}:30:00,S3,3\n\
             T2,{h2}:10:00,{h2}:10:00,S1,1\nT2,{h2}:20:00,{h2}:20:00,S2,2\nT2,{h2}:30:00,{h2}:30:00,S3,3\n"
        )
    };
    let (within_reach, out_of_reach) = (times(10, 11), times(13, 14));
    let cases: [(&str, &str, Option<&str>, &[&str]); 4] = [
        ("good", "calendar.txt", None, &[]),
        (
            "after the window, within reach",
            "stop_times.txt",
            Some(within_reach.as_str()),
            &[],
        ),
        (
            "calendar",
            "calendar.txt",
            Some(
                "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n\
                 WK,1,1,1,1,1,0,0,20230101,20231231\n",
            ),
            &[
                "gtfs_calendar_not_covering_date",
                "NO SERVICE on 2024-01-08",
                "2023-01-01 to 2023-12-31",
            ],
        ),
        (
            "window",
            "stop_times.txt",
            Some(out_of_reach.as_str()),
            &[
                "gtfs_no_trips_in_window",
                "none within reach of the window 07:00-07:30",
                "service runs from 13:10",
            ],
        ),
    ];
    for (name, file, text, fragments) in cases {
        let work = tempfile::tempdir().expect("tempdir");
        let w = work.path();
        match text {
            Some(t) => write_feed(&w.join("gtfs"), &[(file, Some(t))]),
            None => write_feed(&w.join("gtfs"), &[]),
        }
        let scenario = transit_scenario(w, "gtfs", "");
        let validate = hubplan(&["validate".as_ref(), scenario.as_os_str()]);
        let plan_args = |out: &Path| {
            vec![
                "plan".into(),
                scenario.clone().into_os_string(),
                "--out".into(),
                out.into(),
            ]
        };
        let sweep_args = |out: &Path| {
            vec![
                "sweep".into(),
                scenario.clone().into_os_string(),
                "--max-minutes".into(),
                "30,45".into(),
                "--out".into(),
                out.into(),
            ]
        };
        if fragments.is_empty() {
            // the control: the same scenario on the good feed validates and plans
            assert_eq!(validate.code, 0, "{name}: {}{}", validate.stdout, validate.stderr);
            let r = hubplan::<std::ffi::OsString>(&plan_args(&w.join("out")));
            assert_eq!(r.code, 0, "{name}: {}", r.stderr);
            assert!(w.join("out/plan.json").is_file(), "{name}");
            continue;
        }
        let said = format!("{}{}", validate.stdout, validate.stderr);
        assert_eq!(validate.code, 2, "{name}: validate: {said}");
        for f in fragments {
            assert!(said.contains(f), "{name}: validate does not say {f:?}: {said}");
        }
        let before = listing(w);
        for (cmd, args) in [
            ("plan", plan_args(&w.join("out"))),
            ("sweep", sweep_args(&w.join("out"))),
        ] {
            let r = hubplan::<std::ffi::OsString>(&args);
            let f: Vec<String> = fragments.iter().map(|s| s.to_string()).collect();
            check_failure(&r, &f, &[]).unwrap_or_else(|e| panic!("{name}: {cmd}: {e}"));
            check_clean(w, &before).unwrap_or_else(|e| panic!("{name}: {cmd}: {e}"));
        }
    }
}

#[test]
fn gtfs_lying_zip_header_and_the_limit_flag() {
    // stops.txt inflates to 3 MiB of zeros behind a header declaring 1 KiB. With the limit
    // lowered to 1 MiB (flag or scenario key) it is refused after inflating 1 MiB: exit 2,
    // an error naming the feed, the member and the limit, nothing written.
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let n = 1 + 258 * ((3u64 << 20) / 258 + 1);
    let liar = w.join("liar.zip");
    write_feed_zip(&liar, &[], Some(("stops.txt", deflate_zeros(n), 1024, 0)));
    let fragments = [
        "liar.zip",
        "stops.txt",
        "larger than the limit of 1048576 bytes (1 MiB)",
        "--gtfs-max-file-mib",
    ];

    // travel-times --gtfs-max-file-mib 1
    let before = listing(w);
    let mut args = travel_times_args(&liar, &points(), &points(), &w.join("out.csv"));
    args.extend(["--gtfs-max-file-mib".into(), "1".into()]);
    let r = hubplan(&args);
    must_fail(&r, &fragments);
    check_clean(w, &before).unwrap_or_else(|e| panic!("{e}"));
    // …and with its default limit (2 GiB) the member is read whole and refused as what it
    // is: not a CSV of stops (a damaged zip or a table error, never a size error)
    let r = hubplan(&travel_times_args(&liar, &points(), &points(), &w.join("out.csv")));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains("larger than the limit"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    check_clean(w, &before).unwrap_or_else(|e| panic!("{e}"));

    // plan and validate on a scenario whose [transit] reads the feed: the flag, and the
    // scenario's max_file_mib
    let scenario = transit_scenario(w, "liar.zip", "");
    let out = w.join("out");
    let before = listing(w);
    for args in [
        vec![
            "plan".as_ref(),
            scenario.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--gtfs-max-file-mib".as_ref(),
            "1".as_ref(),
        ],
        vec![
            "validate".as_ref(),
            scenario.as_os_str(),
            "--gtfs-max-file-mib".as_ref(),
            "1".as_ref(),
        ],
    ] {
        let r = hubplan(&args);
        must_fail(&r, &fragments);
        check_clean(w, &before).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    }
    let scenario = transit_scenario(w, "liar.zip", "max_file_mib = 1\n");
    let before = listing(w);
    let r = hubplan(&["plan".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    must_fail(&r, &fragments);
    check_clean(w, &before).unwrap_or_else(|e| panic!("{e}"));
    // a good feed of a few hundred bytes plans within the scenario's 1 MiB…
    write_feed(&w.join("feed"), &[]);
    let scenario = transit_scenario(w, "feed", "max_file_mib = 1\n");
    let r = hubplan(&[
        "plan".as_ref(),
        scenario.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // …while a liar's scenario limit of 1 MiB is overridden by a flag of 8 MiB, so the
    // member is read whole and fails as a damaged feed, not on size
    let scenario = transit_scenario(w, "liar.zip", "max_file_mib = 1\n");
    let r = hubplan(&[
        "validate".as_ref(),
        scenario.as_os_str(),
        "--gtfs-max-file-mib".as_ref(),
        "8".as_ref(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains("larger than the limit"), "{}", r.stderr);
    // a limit of 0 is a usage error
    let mut args = travel_times_args(&liar, &points(), &points(), &w.join("out.csv"));
    args.extend(["--gtfs-max-file-mib".into(), "0".into()]);
    let r = hubplan(&args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--gtfs-max-file-mib"), "{}", r.stderr);
}

#[test]
fn deflate_zeros_inflates_as_designed() {
    // A small bomb through the real loader's zip reader: a valid feed whose stops.txt is
    // 1 + 258·k zero bytes (with its true CRC) is refused as a CSV problem, not a zip problem,
    // so the stream is well formed and inflates to exactly the declared size.
    let work = tempfile::tempdir().expect("tempdir");
    let zip = work.path().join("small.zip");
    let n = 1 + 258 * 40;
    let crc = crc32(&vec![0u8; n as usize]);
    write_feed_zip(&zip, &[], Some(("stops.txt", deflate_zeros(n), n as u32, crc)));
    let r = run_feed(work.path(), &zip);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(!r.stderr.contains("not a readable zip archive"), "{}", r.stderr);
}

// ---------------------------------------------------------------- paths

#[test]
fn missing_and_directory_inputs_for_every_command() {
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let missing = w.join("no_such_file.toml");
    let dir = w.join("a_folder.toml");
    std::fs::create_dir(&dir).expect("mkdir");
    let out = w.join("out");
    let feed = w.join("feed");
    write_feed(&feed, &[]);
    let good_plan_dir = w.join("plan");
    let tiny = root().join("fixtures/tiny/scenario.toml");
    let r = hubplan(&[
        "plan".as_ref(),
        tiny.as_os_str(),
        "--out".as_ref(),
        good_plan_dir.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let good_plan = good_plan_dir.join("plan.json");
    let missing_csv = w.join("no_such_points.csv");
    let dir_csv = w.join("a_folder.csv");
    std::fs::create_dir(&dir_csv).expect("mkdir");
    let empty_dir = w.join("empty_feed");
    std::fs::create_dir(&empty_dir).expect("mkdir");

    let o = |p: &Path| p.as_os_str().to_owned();
    let mut cases: Vec<(String, Vec<std::ffi::OsString>, String)> = Vec::new();
    for (what, p) in [("missing", &missing), ("directory", &dir)] {
        let name = p.file_name().and_then(|f| f.to_str()).unwrap_or("").to_string();
        cases.push((
            format!("plan {what}"),
            vec!["plan".into(), o(p), "--out".into(), o(&out)],
            name.clone(),
        ));
        cases.push((format!("validate {what}"), vec!["validate".into(), o(p)], name.clone()));
        cases.push((
            format!("sweep {what}"),
            vec![
                "sweep".into(),
                o(p),
                "--budget".into(),
                "0..100000".into(),
                "--steps".into(),
                "2".into(),
                "--out".into(),
                o(&out),
            ],
            name.clone(),
        ));
        cases.push((
            format!("compare {what} (a)"),
            vec!["compare".into(), o(p), o(&good_plan)],
            name.clone(),
        ));
        cases.push((
            format!("compare {what} (b)"),
            vec!["compare".into(), o(&good_plan), o(p)],
            name.clone(),
        ));
        cases.push((format!("report {what}"), vec!["report".into(), o(p)], name.clone()));
        cases.push((
            format!("report --scenario {what}"),
            vec!["report".into(), o(&good_plan_dir), "--scenario".into(), o(p)],
            name.clone(),
        ));
    }
    for (what, p) in [("missing", &missing_csv), ("directory", &dir_csv)] {
        let name = p.file_name().and_then(|f| f.to_str()).unwrap_or("").to_string();
        let mut a = travel_times_args(&feed, p, &points(), &out);
        cases.push((format!("travel-times --origins {what}"), a.clone(), name.clone()));
        a = travel_times_args(&feed, &points(), p, &out);
        cases.push((format!("travel-times --destinations {what}"), a, name.clone()));
    }
    let name = missing.file_name().and_then(|f| f.to_str()).unwrap_or("").to_string();
    cases.push((
        "travel-times --gtfs missing".into(),
        travel_times_args(&missing, &points(), &points(), &out),
        name,
    ));
    cases.push((
        "travel-times --gtfs an empty folder".into(),
        travel_times_args(&empty_dir, &points(), &points(), &out),
        "empty_feed".into(),
    ));

    let mut failures = Vec::new();
    for (what, args, name) in &cases {
        let before = listing(w);
        // report writes into the plan folder: compare against its listing too
        let plan_before = listing(&good_plan_dir);
        let r = hubplan(args);
        if let Err(e) = check_failure(&r, &[], &[name.as_str()]) {
            failures.push(format!("  {what}: {e}"));
        }
        if let Err(e) = check_clean(w, &before).and_then(|()| check_clean(&good_plan_dir, &plan_before)) {
            failures.push(format!("  {what}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn plan_with_transit_reports_dropped_gtfs_data_even_when_quiet() {
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    let st = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
              T1,07:10:00,07:10:00,S1,1\nT1,07:20:00,07:20:00,NOPE,2\nT1,07:30:00,07:30:00,S3,3\n";
    write_feed(&w.join("feed"), &[("stop_times.txt", Some(st))]);
    let scenario = transit_scenario(w, "feed", "");
    let out = w.join("out");
    let r = hubplan(&[
        "plan".as_ref(),
        scenario.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Since session 15 the timetable's findings are coded notices, as `hubplan validate`
    // prints them (they were `warning: GTFS feed FEED: …` lines); shown once.
    for s in [
        "warning: gtfs_dropped_st_unknown_stop: feed: stop_times.txt",
        "NOPE",
        "dropped",
    ] {
        assert!(r.stderr.contains(s), "stderr lacks {s:?}: {}", r.stderr);
    }
    assert_eq!(r.stderr.matches("NOPE").count(), 1, "{}", r.stderr);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).expect("plan.json")).expect("json");
    assert!(
        plan["notices"]
            .as_array()
            .is_some_and(|n| n.iter().any(|n| n["code"] == "gtfs_dropped_st_unknown_stop")),
        "{}",
        plan["notices"]
    );
}
