//! Determinism: the same inputs give byte-identical output files on 1 and 2 threads
//! (`RAYON_NUM_THREADS`), for `plan` on the Kent fixture, a budget `sweep`, `travel-times`
//! on a real feed, and `plan` with travel times computed from `[transit]`.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::root;

/// Runs hubplan with `threads` rayon threads; panics unless it succeeds.
fn hubplan(threads: usize, args: &[&OsStr]) {
    let mut all = args.to_vec();
    all.push(OsStr::new("--quiet"));
    let r = common::hubplan_env(&all, &[("RAYON_NUM_THREADS", &threads.to_string())]);
    assert!(r.code == 0, "hubplan {args:?} with {threads} threads: {}", r.stderr);
}

/// Every file under `dir` (relative name → bytes).
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("prefix").to_path_buf();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

/// Runs `args` (with `{out}` replaced by a fresh output path) on 1 and 2 threads and
/// asserts the outputs are byte-identical; returns the number of files compared.
fn same_on_1_and_2_threads(args: &[&str], out_name: &str) -> usize {
    let work = tempfile::tempdir().expect("tempdir");
    let mut outputs = Vec::new();
    for threads in [1, 2] {
        let dir = work.path().join(format!("t{threads}"));
        std::fs::create_dir(&dir).expect("mkdir");
        let out = dir.join(out_name);
        let argv: Vec<std::ffi::OsString> = args
            .iter()
            .map(|a| {
                if *a == "{out}" {
                    out.clone().into_os_string()
                } else if let Some(rel) = a.strip_prefix("fixtures/") {
                    root().join("fixtures").join(rel).into_os_string()
                } else {
                    a.into()
                }
            })
            .collect();
        let refs: Vec<&std::ffi::OsStr> = argv.iter().map(|a| a.as_os_str()).collect();
        hubplan(threads, &refs);
        outputs.push(files(&dir));
    }
    let (a, b) = (&outputs[0], &outputs[1]);
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{args:?}: different files"
    );
    assert!(!a.is_empty(), "{args:?}: no output");
    for (name, bytes) in a {
        assert!(
            bytes == &b[name],
            "{args:?}: {} differs between 1 and 2 threads",
            name.display()
        );
        assert!(!bytes.is_empty(), "{args:?}: {} is empty", name.display());
    }
    a.len()
}

#[test]
fn plan_kent_is_byte_identical_on_1_and_2_threads() {
    let n = same_on_1_and_2_threads(
        &["plan", "fixtures/kent/scenario.toml", "--out", "{out}", "--report"],
        "out",
    );
    assert!(n >= 4, "{n} files");
}

#[test]
fn plan_kent_budget_is_byte_identical_on_1_and_2_threads() {
    same_on_1_and_2_threads(&["plan", "fixtures/kent/scenario_budget.toml", "--out", "{out}"], "out");
}

#[test]
fn sweep_is_byte_identical_on_1_and_2_threads() {
    let n = same_on_1_and_2_threads(
        &[
            "sweep",
            "fixtures/kent/scenario_budget.toml",
            "--budget",
            "500000..1500000",
            "--steps",
            "3",
            "--out",
            "{out}",
        ],
        "out",
    );
    // sweep.csv, sweep_sites.csv and sweep.svg.
    assert_eq!(n, 3, "{n} files");
}

#[test]
fn travel_times_is_byte_identical_on_1_and_2_threads() {
    same_on_1_and_2_threads(
        &[
            "travel-times",
            "--gtfs",
            "fixtures/chester/gtfs/uk_chester_20230816_small_gtfs.zip",
            "--origins",
            "fixtures/chester/zones.csv",
            "--destinations",
            "fixtures/chester/sites.csv",
            "--date",
            "2023-08-16",
            "--window",
            "07:00-09:00",
            "--share-within",
            "35",
            "--out",
            "{out}",
        ],
        "travel_times.csv",
    );
}

#[test]
fn plan_with_transit_is_byte_identical_on_1_and_2_threads() {
    same_on_1_and_2_threads(
        &["plan", "fixtures/chester/scenario_transit.toml", "--out", "{out}"],
        "out",
    );
}
