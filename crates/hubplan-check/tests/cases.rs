//! One data-driven test of the notice catalogue: every folder of `tests/cases/`
//! is a scenario whose `expect` file names the one code it must trigger (`base/`
//! and `gtfs_base/` trigger none), and `check(input, expect)` compares the set of
//! codes found with it; its `has TEXT` / `lacks TEXT` lines are text that some
//! notice's message must contain / that none may. The folders are written by `tests/cases/make_cases.py`.
//!
//! Also: shuffling the rows of every input file of every case (and of the bundled
//! fixtures) does not change the set of notices.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hubplan_check::{check_feed, check_scenario, notice_from_load_error, CheckOptions, Notice, CATALOGUE};
use hubplan_transit::{load_feed, LoadOptions, ServiceDate, TransitConfig};
use proptest::prelude::*;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// Every notice of a scenario, as `hubplan validate` finds them (the travel checks
/// of a `[transit]` scenario aside: its cases are about the feed).
fn notices_of(scenario: &Path) -> Vec<Notice> {
    let loaded = match hubplan_io::load_scenario(scenario) {
        Err(e) => return vec![notice_from_load_error(&e)],
        Ok(l) => l,
    };
    let mut v = check_scenario(
        &loaded,
        None,
        &CheckOptions {
            solve: true,
            ..CheckOptions::default()
        },
    );
    if let Some(t) = &loaded.transit {
        let date = ServiceDate::parse(t.date.as_deref().unwrap()).unwrap();
        let (feed, report) = load_feed(&t.gtfs, date, &LoadOptions::default()).unwrap();
        v.extend(check_feed(
            &loaded,
            &feed,
            &report,
            t.window.map(|w| (w.start_s, w.end_s)),
            t.max_minutes
                .map_or_else(TransitConfig::default, |max_minutes| TransitConfig {
                    max_minutes,
                    ..TransitConfig::default()
                })
                .max_journey_s(),
            "gtfs",
        ));
    }
    v
}

fn expected(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join("expect"))
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("code "))
        .map(|c| c.trim().to_string())
        .collect()
}

/// The `has TEXT` and `lacks TEXT` lines of a case's `expect`: text that some notice's
/// message must contain, and text that none may.
fn expected_texts(dir: &Path) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(dir.join("expect")).unwrap();
    let pick = |prefix: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .map(|t| t.trim().to_string())
            .collect()
    };
    (pick("has "), pick("lacks "))
}

/// `Err` names a `has` text no notice's message contains, or a `lacks` text one does.
fn check_texts(input: &Path) -> Result<(), String> {
    let (has, lacks) = expected_texts(input);
    if has.is_empty() && lacks.is_empty() {
        return Ok(());
    }
    let notices = notices_of(&input.join("scenario.toml"));
    let all = || notices.iter().map(|n| n.to_string()).collect::<Vec<_>>().join("\n    ");
    for t in &has {
        if !notices.iter().any(|n| n.message.contains(t.as_str())) {
            return Err(format!("no notice says {t:?}:\n    {}", all()));
        }
    }
    for t in &lacks {
        if notices.iter().any(|n| n.message.contains(t.as_str())) {
            return Err(format!("a notice says {t:?}:\n    {}", all()));
        }
    }
    Ok(())
}

/// `Err` describes the difference between the codes found and `expect`.
fn check(input: &Path, expect: &BTreeSet<String>) -> Result<(), String> {
    let notices = notices_of(&input.join("scenario.toml"));
    let found: BTreeSet<String> = notices.iter().map(|n| n.code.clone()).collect();
    if &found == expect {
        // Every notice names where it is and says something.
        for n in &notices {
            if n.message.is_empty() || n.file.is_none() {
                return Err(format!("notice without a file or message: {n}"));
            }
        }
        Ok(())
    } else {
        Err(format!(
            "expected {expect:?}, found {found:?}:\n    {}",
            notices.iter().map(|n| n.to_string()).collect::<Vec<_>>().join("\n    ")
        ))
    }
}

fn case_dirs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expect").is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn every_case_triggers_exactly_its_code() {
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for dir in case_dirs() {
        let expect = expected(&dir);
        covered.extend(expect.iter().cloned());
        if let Err(e) = check(&dir, &expect).and_then(|()| check_texts(&dir)) {
            failures.push(format!("{}: {e}", dir.file_name().unwrap().to_string_lossy()));
        }
    }
    // Every code of the catalogue has its case.
    for c in CATALOGUE {
        if !covered.contains(c.code) {
            failures.push(format!("no case triggers {}", c.code));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_bundled_fixtures_have_no_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut n = 0;
    for fx in ["tiny", "tiny_services", "kent", "chester", "leicestershire"] {
        let Ok(rd) = std::fs::read_dir(root.join("fixtures").join(fx)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for f in files {
            let notices = notices_of(&f);
            let errors: Vec<String> = notices
                .iter()
                .filter(|n| n.severity == hubplan_check::Severity::Error)
                .map(|n| n.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
            n += 1;
        }
    }
    assert!(n >= 10, "only {n} fixture scenarios found");
}

// ---- shuffling rows

/// A deterministic permutation of `n` items from a seed (xorshift, Fisher–Yates).
fn permutation(n: usize, mut seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    seed |= 1;
    for i in (1..n).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        p.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    p
}

/// Copies a scenario folder, shuffling the data rows of every CSV file.
fn shuffled_copy(src: &Path, dst: &Path, seed: u64) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let p = e.path();
        let to = dst.join(e.file_name());
        if p.is_dir() {
            shuffled_copy(&p, &to, seed);
        } else if p.extension().is_some_and(|x| x == "csv") {
            let text = std::fs::read_to_string(&p).unwrap();
            let mut lines = text.lines();
            let header = lines.next().unwrap_or("");
            let rows: Vec<&str> = lines.collect();
            let perm = permutation(rows.len(), seed ^ rows.len() as u64);
            let mut out = format!("{header}\n");
            for i in perm {
                out.push_str(rows[i]);
                out.push('\n');
            }
            std::fs::write(&to, out).unwrap();
        } else {
            std::fs::copy(&p, &to).unwrap();
        }
    }
}

/// A notice without its row (rows move when rows are shuffled; nothing else may).
fn key(n: &Notice) -> String {
    format!(
        "{:?} {} {:?} {:?} {:?} {}",
        n.severity, n.code, n.file, n.field, n.value, n.message
    )
}

fn keys(scenario: &Path) -> BTreeSet<String> {
    notices_of(scenario).iter().map(key).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn shuffling_rows_does_not_change_the_notices(seed in any::<u64>()) {
        let tmp = tempfile::tempdir().unwrap();
        let mut dirs = case_dirs();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        dirs.push(root.join("tiny"));
        dirs.push(root.join("kent"));
        for dir in dirs {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let copy = tmp.path().join(&name);
            shuffled_copy(&dir, &copy, seed);
            for toml in std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            {
                let a = keys(&toml);
                let b = keys(&copy.join(toml.file_name().unwrap()));
                // A case refused by the loader names the first bad row it meets; shuffled, that can be another.
                if a.len() == 1 && a.iter().next().is_some_and(|k| k.starts_with("Error")) { continue; }
                prop_assert_eq!(a, b, "{}", toml.display());
            }
        }
    }
}
