//! Helpers shared by the test files of the `hubplan` binary (each declares `mod common;`):
//! the workspace root, running the binary, and reading the CSV files it writes.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (fixtures, docs, other crates' test data).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The outcome of one run of the binary.
pub struct Run {
    /// Exit status (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

/// Runs `hubplan ARGS` and collects its status and output.
pub fn hubplan<S: AsRef<OsStr>>(args: &[S]) -> Run {
    hubplan_env(args, &[])
}

/// Runs `hubplan ARGS` with extra environment variables.
pub fn hubplan_env<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_hubplan"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run hubplan");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `hubplan ARGS` from the folder `dir`.
pub fn hubplan_in<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_hubplan"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run hubplan");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Splits one CSV line, honouring double quotes ("" inside quotes is a quote).
pub fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// One CSV row: column name → cell.
pub type Row = BTreeMap<String, String>;

/// Reads a CSV file with a header line into rows (blank lines skipped).
pub fn read_csv(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = split_csv(lines.next().unwrap());
    lines
        .map(|l| header.iter().cloned().zip(split_csv(l)).collect())
        .collect()
}

/// The checks every failing run must pass; `Err` lists what is wrong.
pub fn check_failure(run: &Run, fragments: &[String], names: &[&str]) -> Result<(), String> {
    let mut problems = Vec::new();
    if run.code != 2 {
        problems.push(format!("exit code {} (expected 2)", run.code));
    }
    if run.stderr.contains("panicked") {
        problems.push("stderr says panicked".to_string());
    }
    if !run.stderr.starts_with("error: ") && !run.stderr.contains("\nerror: ") {
        problems.push("stderr has no `error: ` line".to_string());
    }
    for c in fragments {
        if !run.stderr.contains(c.as_str()) {
            problems.push(format!("stderr lacks {c:?}"));
        }
    }
    if !names.is_empty() && !names.iter().any(|n| run.stderr.contains(n)) {
        problems.push(format!("stderr names none of {names:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n      stderr: {}",
            problems.join("; "),
            run.stderr.trim_end()
        ))
    }
}

/// Panics unless `r` failed as every failing run must ([`check_failure`]), its stderr
/// holding each of `fragments`.
pub fn must_fail(r: &Run, fragments: &[&str]) {
    let f: Vec<String> = fragments.iter().map(|s| s.to_string()).collect();
    if let Err(e) = check_failure(r, &f, &[]) {
        panic!("{e}");
    }
}
