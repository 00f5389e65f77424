//! The per-file size limit (`LoadOptions::max_file_bytes`) on zips written by hand: members
//! whose header declares the true size, and members whose header lies (declares less than
//! they inflate to). A lying member must be refused once the limit is passed, holding no
//! more than the limit in memory.

use std::path::{Path, PathBuf};

use hubplan_transit::{load_feed, LoadOptions, ServiceDate, TransitError, DEFAULT_MAX_FILE_BYTES};

mod support;
use support::zipgen::{deflate_zeros, write_zip, Member};

/// A minimal good feed: three stops, two trips on weekdays of 2024.
const FEED: [(&str, &str); 6] = [
    (
        "agency.txt",
        "agency_id,agency_name,agency_url,agency_timezone\nA,A,http://a,Europe/London\n",
    ),
    (
        "stops.txt",
        "stop_id,stop_name,stop_lat,stop_lon\nS1,A,51.0,0.0\nS2,B,51.0,0.01\nS3,C,51.0,0.02\n",
    ),
    (
        "routes.txt",
        "route_id,agency_id,route_short_name,route_type\nR,A,1,3\n",
    ),
    ("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nR,WK,T2\n"),
    (
        "calendar.txt",
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n\
         WK,1,1,1,1,1,0,0,20240101,20241231\n",
    ),
    (
        "stop_times.txt",
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n\
         T1,07:10:00,07:10:00,S1,1\nT1,07:20:00,07:20:00,S2,2\nT1,07:30:00,07:30:00,S3,3\n\
         T2,08:10:00,08:10:00,S1,1\nT2,08:20:00,08:20:00,S2,2\nT2,08:30:00,08:30:00,S3,3\n",
    ),
];

fn monday() -> ServiceDate {
    ServiceDate::new(2024, 1, 8).unwrap()
}

/// The minimal feed as a zip, with `replace`'s member (matched by name) instead of the good one.
fn feed_zip(dir: &Path, file: &str, replace: Option<Member>) -> PathBuf {
    let mut members: Vec<Member> = FEED.iter().map(|(n, t)| Member::honest(n, t.as_bytes())).collect();
    if let Some(r) = replace {
        if let Some(m) = members.iter_mut().find(|m| m.name == r.name) {
            *m = r;
        }
    }
    let path = dir.join(file);
    write_zip(&path, &members);
    path
}

/// A `stop_times.txt` of `rows` copies of trip T1's three rows (about 29 bytes each).
fn big_stop_times(rows: usize) -> String {
    let mut s = String::from("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n");
    for _ in 0..rows {
        s.push_str("T1,07:10:00,07:10:00,S1,1\nT1,07:20:00,07:20:00,S2,2\nT1,07:30:00,07:30:00,S3,3\n");
    }
    s
}

fn limit(bytes: u64) -> LoadOptions {
    LoadOptions {
        max_file_bytes: bytes,
        ..LoadOptions::default()
    }
}

#[test]
fn hand_written_zip_loads() {
    let dir = tempfile_dir("ok");
    let zip = feed_zip(&dir, "feed.zip", None);
    let (feed, report) = load_feed(&zip, monday(), &LoadOptions::default()).unwrap();
    assert_eq!((report.trips_active, report.runs), (2, 2), "{report}");
    assert_eq!(feed.stop_count(), 3);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn default_file_limit_is_2_gib() {
    assert_eq!(DEFAULT_MAX_FILE_BYTES, 2 << 30);
    assert_eq!(LoadOptions::default().max_file_bytes, DEFAULT_MAX_FILE_BYTES);
}

#[test]
fn lying_zip_header_is_refused_at_the_file_limit() {
    // stops.txt inflates to 8 MiB + 1 of zeros but its header declares 100 bytes: the declared
    // size passes the check, so only the limit on what comes out can stop it.
    let dir = tempfile_dir("liar");
    let n = 1 + 258 * ((8u64 << 20) / 258 + 1);
    let liar = Member::deflated("stops.txt", deflate_zeros(n), 0, 100);
    let zip = feed_zip(&dir, "liar.zip", Some(liar));
    let e = load_feed(&zip, monday(), &limit(1 << 20)).unwrap_err();
    let TransitError::TooLarge {
        path,
        file,
        limit_bytes,
    } = &e
    else {
        panic!("expected TooLarge, got {e}")
    };
    assert_eq!((path, file.as_str(), *limit_bytes), (&zip, "stops.txt", 1 << 20));
    let msg = e.to_string();
    for s in ["liar.zip", "stops.txt", "1048576", "larger than the limit"] {
        assert!(msg.contains(s), "{msg:?} lacks {s:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn lying_zip_header_of_a_huge_member_is_refused() {
    // 1 GiB of zeros behind a header declaring 1 KiB, read with a 16 MiB limit: refused after
    // reading 16 MiB. (The time and the peak memory of this refusal are measured by
    // `cargo bench -p hubplan-benches --bench zip_limits`, not asserted here.)
    let dir = tempfile_dir("bomb");
    let n = 1 + 258 * ((1u64 << 30) / 258 + 1);
    let bomb = Member::deflated("stop_times.txt", deflate_zeros(n), 0, 1024);
    let zip = feed_zip(&dir, "bomb.zip", Some(bomb));
    let e = load_feed(&zip, monday(), &limit(16 << 20)).unwrap_err();
    assert!(
        matches!(&e, TransitError::TooLarge { file, limit_bytes: 16_777_216, .. } if file == "stop_times.txt"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn lying_header_within_the_limit_is_read() {
    // A header that under-declares is not itself refused: the member is read to its end as
    // long as it stays within the limit (the CRC is checked by the zip reader).
    let dir = tempfile_dir("small-liar");
    let text = big_stop_times(100);
    let m = Member {
        declared: 10,
        ..Member::honest("stop_times.txt", text.as_bytes())
    };
    let zip = feed_zip(&dir, "small-liar.zip", Some(m));
    let (_, report) = load_feed(&zip, monday(), &LoadOptions::default()).unwrap();
    assert_eq!(report.trips_active, 2, "{report}");
    // …and refused once it passes a limit above its declared size but below its true size
    let e = load_feed(&zip, monday(), &limit(text.len() as u64 - 1)).unwrap_err();
    assert!(
        matches!(&e, TransitError::TooLarge { file, .. } if file == "stop_times.txt"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn file_limit_option_is_honoured_at_its_boundary() {
    let dir = tempfile_dir("boundary");
    let text = big_stop_times(1000);
    let size = text.len() as u64;
    // honest header: refused from the declared size alone, before inflating
    let zip = feed_zip(
        &dir,
        "honest.zip",
        Some(Member::honest("stop_times.txt", text.as_bytes())),
    );
    let e = load_feed(&zip, monday(), &limit(size - 1)).unwrap_err();
    assert!(
        matches!(&e, TransitError::TooLarge { file, limit_bytes, .. } if file == "stop_times.txt" && *limit_bytes == size - 1),
        "{e}"
    );
    assert!(e.to_string().contains(&(size - 1).to_string()), "{e}");
    // exactly the limit is allowed
    load_feed(&zip, monday(), &limit(size)).unwrap();
    // lying header (declares 1 byte): the same boundary, found while reading
    let m = Member {
        declared: 1,
        ..Member::honest("stop_times.txt", text.as_bytes())
    };
    let zip = feed_zip(&dir, "liar.zip", Some(m));
    let e = load_feed(&zip, monday(), &limit(size - 1)).unwrap_err();
    assert!(
        matches!(&e, TransitError::TooLarge { file, .. } if file == "stop_times.txt"),
        "{e}"
    );
    load_feed(&zip, monday(), &limit(size)).unwrap();
    // a folder feed: the file's length is its declared size
    let folder = dir.join("folder");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, t) in FEED {
        std::fs::write(folder.join(name), t).unwrap();
    }
    std::fs::write(folder.join("stop_times.txt"), &text).unwrap();
    let e = load_feed(&folder, monday(), &limit(size - 1)).unwrap_err();
    assert!(
        matches!(&e, TransitError::TooLarge { file, .. } if file == "stop_times.txt"),
        "{e}"
    );
    load_feed(&folder, monday(), &limit(size)).unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn total_limit_names_the_total() {
    let dir = tempfile_dir("total");
    let zip = feed_zip(&dir, "feed.zip", None);
    let opts = LoadOptions {
        max_total_bytes: 200,
        ..LoadOptions::default()
    };
    let e = load_feed(&zip, monday(), &opts).unwrap_err();
    let TransitError::TooLarge { file, limit_bytes, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!((file.as_str(), *limit_bytes), ("(total of the files read)", 200), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A fresh folder in the system's temporary folder, unique to this process and `tag`.
fn tempfile_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hubplan-transit-zip-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
