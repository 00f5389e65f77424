//! The bad-input corpus: every directory in `tests/bad-inputs/` holds broken input
//! files and an `expect` file:
//!
//! ```text
//! run load scenario.toml          # load | sites | zones | services | points | travel | plan, then the file
//! kind unknown_key                # IoErrorKind::name()
//! contains scenario.toml:7:       # substrings the message must contain (file:line, field, expectation)
//! contains did you mean `max_minutes`?
//! ```
//!
//! `travel` reads the file against `tests/data/good/{sites,zones}.csv`.
//! Each case must fail with that kind, and its message must contain every substring.
//! `HUBPLAN_PRINT_ERRORS=1 cargo test -p hubplan-io --test bad_inputs -- --nocapture` prints every message.

use std::path::{Path, PathBuf};

use hubplan_io::*;

struct Expect {
    run: String,
    file: String,
    kind: String,
    contains: Vec<String>,
}

fn parse_expect(dir: &Path) -> Expect {
    let text = std::fs::read_to_string(dir.join("expect")).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut ex = Expect {
        run: String::new(),
        file: String::new(),
        kind: String::new(),
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
            "kind" => ex.kind = v.into(),
            "contains" => ex.contains.push(v.into()),
            other => panic!("{}: unknown expect line {other}", dir.display()),
        }
    }
    ex
}

fn good(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/good").join(name)
}

/// Runs one input through its reader and returns the error (or a description of the success).
fn run(cmd: &str, path: &Path) -> Result<String, IoError> {
    Ok(match cmd {
        "load" => format!("{:?}", load_scenario(path)?.scenario),
        "sites" => format!("{} sites", read_sites(path, None)?.sites.len()),
        "zones" => format!("{} zones", read_zones(path, None)?.zones.len()),
        "services" => format!("{} services", read_services(path)?.services.len()),
        "points" => format!("{} points", read_points(path)?.len()),
        "travel" => {
            let sites = read_sites(&good("sites.csv"), None).expect("good sites").sites;
            let zones = read_zones(&good("zones.csv"), None).expect("good zones").zones;
            format!("{} pairs", read_travel_times(path, &sites, &zones)?.pairs)
        }
        "plan" => format!("{:?}", read_plan_json(path)?.status),
        other => panic!("unknown run command {other}"),
    })
}

/// The one check: `input` must fail as `expect` says.
fn check(input: &Path, expect: &Expect) -> Result<(), String> {
    match run(&expect.run, &input.join(&expect.file)) {
        Ok(ok) => Err(format!("expected an error, but it read fine: {ok}")),
        Err(e) => {
            let msg = e.to_string();
            let mut problems = Vec::new();
            if e.kind().name() != expect.kind {
                problems.push(format!("kind {} (expected {})", e.kind().name(), expect.kind));
            }
            for c in &expect.contains {
                if !msg.contains(c.as_str()) {
                    problems.push(format!("message lacks {c:?}"));
                }
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(format!("{}\n      message: {msg}", problems.join("; ")))
            }
        }
    }
}

#[test]
fn bad_input_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-inputs");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/bad-inputs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("expect").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 30, "the corpus has {} cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let ex = parse_expect(dir);
        assert!(!ex.contains.is_empty(), "{}: no `contains`", dir.display());
        if std::env::var_os("HUBPLAN_PRINT_ERRORS").is_some() {
            if let Err(e) = run(&ex.run, &dir.join(&ex.file)) {
                println!("{e}");
            }
        }
        if let Err(why) = check(dir, &ex) {
            failures.push(format!(
                "  {}: {why}",
                dir.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

#[test]
fn every_error_names_a_file() {
    // Beyond the corpus's own assertions: the rendered message always starts with a path.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-inputs");
    for entry in std::fs::read_dir(&root).expect("tests/bad-inputs") {
        let dir = entry.expect("entry").path();
        if !dir.join("expect").is_file() {
            continue;
        }
        let ex = parse_expect(&dir);
        if let Err(e) = run(&ex.run, &dir.join(&ex.file)) {
            assert!(e.file.is_some(), "{}: error without a file: {e}", dir.display());
        }
    }
}
