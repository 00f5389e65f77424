//! Issue 19, co-location parity, end to end through the binary: `hubplan report DIR`
//! on a co-location plan directory reproduces the appendix of `plan --report` byte
//! for byte (appendix.md, appendix.html and one map per service), and the appendix
//! names who is worse off (issue 18's hand fixture). Checks read the written files.

mod common;

use std::path::Path;

use common::{hubplan, root};

fn plan_with_report(scenario: &Path, out: &Path) {
    let r = hubplan(&[
        "plan",
        &scenario.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--report",
        "--date",
        "2026-12-06",
        "--quiet",
    ]);
    assert_eq!(r.code, 0, "{}: {}", scenario.display(), r.stderr);
}

fn appendix_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.starts_with("appendix.") || (n.starts_with("map_") && n.ends_with(".svg"))
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn report_reproduces_the_co_location_appendix_byte_for_byte() {
    for scenario in [
        "fixtures/tiny_services/scenario.toml",
        "fixtures/tiny_services_beyond/scenario_ignore.toml",
    ] {
        let out = tempfile::tempdir().unwrap();
        plan_with_report(&root().join(scenario), out.path());
        let first = appendix_files(out.path());
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        assert!(
            names.contains(&"appendix.md") && names.contains(&"appendix.html"),
            "{names:?}"
        );
        assert!(
            names.contains(&"map_children_centre.svg") && names.contains(&"map_youth.svg"),
            "{scenario}: one map per service: {names:?}"
        );
        for (n, _) in &first {
            std::fs::remove_file(out.path().join(n)).unwrap();
        }
        let r = hubplan(&[
            "report",
            &out.path().display().to_string(),
            "--date",
            "2026-12-06",
            "--quiet",
        ]);
        assert_eq!(r.code, 0, "{scenario}: {}", r.stderr);
        let second = appendix_files(out.path());
        assert_eq!(
            first.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            second.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
        for ((n, a), (_, b)) in first.iter().zip(&second) {
            assert!(a == b, "{scenario}: {n} differs between plan --report and report");
        }
    }
}

/// Far Fields (Z2) is 30 minutes from A today; with `ignore`, A closes and its
/// journey to a children's centre becomes 40 minutes: the appendix names it, 10
/// minutes worse, in the reasons and on the worse-off list.
#[test]
fn ignore_appendix_names_the_zone_ten_minutes_worse() {
    let out = tempfile::tempdir().unwrap();
    plan_with_report(
        &root().join("fixtures/tiny_services_beyond/scenario_ignore.toml"),
        out.path(),
    );
    let md = std::fs::read_to_string(out.path().join("appendix.md")).unwrap();
    assert!(md.contains("Far Fields (Z2) 30.0 → 40.0 min"), "{md}");
    let row = md
        .lines()
        .find(|l| l.starts_with("| Far Fields (Z2) | Children's centre |"))
        .unwrap_or_else(|| panic!("no worse-off row for Far Fields: {md}"));
    assert!(
        row.contains("| 30.0 | 40.0 | +10.0 |") && row.contains("(A) closes"),
        "{row}"
    );
    assert!(md.contains("access.beyond\\_limit = ignore"), "{md}");
    let html = std::fs::read_to_string(out.path().join("appendix.html")).unwrap();
    assert_eq!(html.matches("<table").count(), html.matches("<caption>").count());
}
