//! Atomic outputs: a failed run leaves no half-written plan.
//!
//! * An existing `out/` with an older plan is left byte-for-byte untouched by a run that
//!   fails (bad input), and no `.hubplan-out-*` temporary folder is left beside it.
//! * An `--out` that cannot be written (inside a file, or an existing file) is exit 2 with a
//!   message naming the path, and nothing is written.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::{root, Run};

/// Runs `hubplan ARGS --quiet`.
fn hubplan<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let mut all: Vec<&OsStr> = args.iter().map(AsRef::as_ref).collect();
    all.push(OsStr::new("--quiet"));
    common::hubplan(&all)
}

/// Every entry under `dir` (relative name → bytes; folders map to an empty vector).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).expect("prefix").to_path_buf();
            if p.is_dir() {
                out.insert(rel, Vec::new());
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

fn copy_tiny(dir: &Path) {
    for f in ["scenario.toml", "sites.csv", "zones.csv", "travel_times.csv"] {
        std::fs::copy(root().join("fixtures/tiny").join(f), dir.join(f)).expect("copy");
    }
}

fn no_panic(r: &Run) {
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn a_failed_run_leaves_the_old_plan_untouched() {
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    copy_tiny(w);
    let out = w.join("out");
    let scenario = w.join("scenario.toml");
    let r = hubplan(&["plan".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(out.join("notes.txt"), "the officer's own file").expect("write");
    let before = snapshot(w);
    assert!(before.contains_key(Path::new("out/plan.json")));

    // Each way of failing: bad cells in an input (found while reading), an unknown id in the
    // matrix, a scenario typo, and a missing input file.
    let breakages: [(&str, &str, &str); 4] = [
        (
            "sites.csv",
            "annual_cost",
            "id,name,lon,lat,annual_cost\nA,Alpha,1.08,51.28,abc\n",
        ),
        ("travel_times.csv", "unknown", "zone_id,site_id,minutes\nZ1,NOPE,5\n"),
        ("scenario.toml", "max_minute", ""),
        ("zones.csv", "does not exist", ""),
    ];
    for (file, fragment, text) in breakages {
        let p = w.join(file);
        let saved = std::fs::read(&p).expect("read");
        match file {
            "scenario.toml" => {
                let s = String::from_utf8_lossy(&saved).replace("max_minutes", "max_minute");
                std::fs::write(&p, s).expect("write");
            }
            "zones.csv" => std::fs::remove_file(&p).expect("rm"),
            _ => std::fs::write(&p, text).expect("write"),
        }
        let mut expect_now = before.clone();
        expect_now.remove(Path::new(file));
        for args in [
            vec!["plan".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str()],
            vec![
                "plan".as_ref(),
                scenario.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
                "--report".as_ref(),
            ],
            vec![
                "sweep".as_ref(),
                scenario.as_os_str(),
                "--max-minutes".as_ref(),
                "30,35".as_ref(),
                "--out".as_ref(),
                out.as_os_str(),
            ],
        ] {
            let r = hubplan(&args);
            no_panic(&r);
            assert_eq!(r.code, 2, "{file}: {}", r.stderr);
            assert!(r.stderr.contains(fragment), "{file}: {}", r.stderr);
            let mut now = snapshot(w);
            now.remove(Path::new(file));
            assert_eq!(
                now.keys().collect::<Vec<_>>(),
                expect_now.keys().collect::<Vec<_>>(),
                "{file}: files changed"
            );
            assert!(now == expect_now, "{file}: a file's content changed");
        }
        std::fs::write(&p, saved).expect("restore");
    }
    // and the scenario still plans into the same folder, leaving the officer's file alone
    let r = hubplan(&["plan".as_ref(), scenario.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out.join("notes.txt").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(w)
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".hubplan-out") || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_unwritable_out_is_a_clear_error() {
    let work = tempfile::tempdir().expect("tempdir");
    let w = work.path();
    copy_tiny(w);
    let scenario = w.join("scenario.toml");
    let a_file = w.join("a_file.txt");
    std::fs::write(&a_file, "keep me").expect("write");
    let inside = a_file.join("out");
    let before = snapshot(w);
    let cases: Vec<(Vec<&std::ffi::OsStr>, &Path)> = vec![
        (
            vec![
                "plan".as_ref(),
                scenario.as_os_str(),
                "--out".as_ref(),
                inside.as_os_str(),
            ],
            &inside,
        ),
        (
            vec![
                "plan".as_ref(),
                scenario.as_os_str(),
                "--out".as_ref(),
                a_file.as_os_str(),
            ],
            &a_file,
        ),
        (
            vec![
                "sweep".as_ref(),
                scenario.as_os_str(),
                "--max-minutes".as_ref(),
                "30,35".as_ref(),
                "--out".as_ref(),
                inside.as_os_str(),
            ],
            &inside,
        ),
    ];
    for (args, named) in cases {
        let r = hubplan(&args);
        no_panic(&r);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(&*named.to_string_lossy()) || r.stderr.contains("a_file.txt"),
            "{args:?}: the message does not name the output: {}",
            r.stderr
        );
        assert!(snapshot(w) == before, "{args:?}: something was written");
    }

    // travel-times: the matrix goes to a temporary file renamed into place
    let pts = root().join("crates/hubplan-io/tests/data/good/points_latlon.csv");
    let feed = root().join("fixtures/gtfs/sample_gtfs_fictional.zip");
    for out in [inside.clone(), w.join("no_such_dir/tt.csv")] {
        let r = hubplan(&[
            "travel-times".as_ref(),
            "--gtfs".as_ref(),
            feed.as_os_str(),
            "--origins".as_ref(),
            pts.as_os_str(),
            "--destinations".as_ref(),
            pts.as_os_str(),
            "--date".as_ref(),
            "2007-06-05".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        no_panic(&r);
        assert_eq!(r.code, 2, "{}: {}", out.display(), r.stderr);
        assert!(snapshot(w) == before, "{}: something was written", out.display());
    }
}
