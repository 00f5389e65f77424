//! The zip-bomb guard's cost: a 1 GiB member whose header declares 1 KiB, read with a 16 MiB
//! limit, is refused; this prints how long the refusal took and how much the process's peak
//! resident memory grew (it should be about the limit, not the member's size).
//! Moved here from `crates/hubplan-transit/tests/zip_limits.rs` (no timed assertions in tests).
//!
//! Run: `cargo bench -p hubplan-benches --bench zip_limits`.

use std::path::PathBuf;
use std::time::Instant;

use hubplan_transit::{load_feed, LoadOptions, ServiceDate, TransitError};

#[path = "../../crates/hubplan-transit/tests/support/zipgen.rs"]
mod zipgen;
use zipgen::{deflate_zeros, write_zip, Member};

/// The peak resident memory of this process so far (Linux `VmHWM`), if known.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
}

fn main() {
    let dir: PathBuf = std::env::temp_dir().join(format!("hubplan-bench-zip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let feed: [(&str, &str); 5] = [
        ("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,A,http://a,Europe/London\n"),
        ("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,A,51.0,0.0\n"),
        ("routes.txt", "route_id,agency_id,route_short_name,route_type\nR,A,1,3\n"),
        ("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\n"),
        (
            "calendar.txt",
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n",
        ),
    ];
    let mut members: Vec<Member> = feed.iter().map(|(n, t)| Member::honest(n, t.as_bytes())).collect();
    let n = 1 + 258 * ((1u64 << 30) / 258 + 1);
    members.push(Member::deflated("stop_times.txt", deflate_zeros(n), 0, 1024));
    let zip = dir.join("bomb.zip");
    write_zip(&zip, &members);
    let opts = LoadOptions {
        max_file_bytes: 16 << 20,
        ..LoadOptions::default()
    };
    let before = peak_rss_bytes();
    let t = Instant::now();
    let e = load_feed(&zip, ServiceDate::new(2024, 1, 8).expect("date"), &opts).expect_err("must be refused");
    let secs = t.elapsed().as_secs_f64();
    assert!(matches!(e, TransitError::TooLarge { .. }), "{e}");
    let grew = match (before, peak_rss_bytes()) {
        (Some(a), Some(b)) => format!("{} MiB", b.saturating_sub(a) >> 20),
        _ => "unknown".into(),
    };
    println!("1 GiB member declaring 1 KiB, limit 16 MiB: refused in {secs:.3} s; peak RSS grew by {grew}");

    // An honest header that declares more than the default 2 GiB limit is refused before
    // anything is inflated (moved here from `crates/hubplan-cli/tests/bad_inputs.rs`,
    // which checks the message only).
    let mut honest: Vec<Member> = feed.iter().map(|(n, t)| Member::honest(n, t.as_bytes())).collect();
    honest.push(Member::deflated("stop_times.txt", deflate_zeros(1 << 20), 0, u32::MAX));
    let zip = dir.join("honest.zip");
    write_zip(&zip, &honest);
    let t = Instant::now();
    let e = load_feed(
        &zip,
        ServiceDate::new(2024, 1, 8).expect("date"),
        &LoadOptions::default(),
    )
    .expect_err("must be refused");
    assert!(matches!(e, TransitError::TooLarge { .. }), "{e}");
    println!(
        "member declaring 4 GiB, default limit 2 GiB: refused in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(dir);
}
