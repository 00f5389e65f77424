//! The `--help` of the commands that write the cabinet appendix names every file
//! they write, as a user reads it before running them.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{hubplan, root};

/// The names of the files in `dir`.
fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn help_of_plan_report_and_report_names_every_appendix_file_written() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = root().join("fixtures/tiny/scenario.toml");
    let plain = tmp.path().join("plain");
    let with_report = tmp.path().join("report");
    for (out, extra) in [(&plain, None), (&with_report, Some("--report"))] {
        let mut args = vec![
            "plan".to_string(),
            scenario.to_str().unwrap().to_string(),
            "--out".to_string(),
            out.to_str().unwrap().to_string(),
            "--quiet".to_string(),
        ];
        args.extend(extra.map(str::to_string));
        let run = hubplan(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let appendix: Vec<String> = files(&with_report).difference(&files(&plain)).cloned().collect();
    assert!(
        appendix.len() >= 5,
        "--report should add the appendix files: {appendix:?}"
    );

    let plan_help = hubplan(&["plan", "--help"]);
    assert_eq!(plan_help.code, 0);
    let report_help = hubplan(&["report", "--help"]);
    assert_eq!(report_help.code, 0);
    let top_help = hubplan(&["--help"]);
    assert_eq!(top_help.code, 0);
    let report_line = top_help
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("report"))
        .expect("the report command in hubplan --help");
    for name in &appendix {
        assert!(
            plan_help.stdout.contains(name.as_str()),
            "hubplan plan --help does not name {name}, which --report writes:\n{}",
            plan_help.stdout
        );
        assert!(
            report_help.stdout.contains(name.as_str()),
            "hubplan report --help does not name {name}, which it writes:\n{}",
            report_help.stdout
        );
        assert!(
            report_line.contains(name.as_str()),
            "hubplan --help's report line does not name {name}: {report_line}"
        );
    }
}
