//! Runs a fuzz target over files without libFuzzer, on stable Rust: the regression
//! check for a corpus or for `fuzz/findings/`, and the driver of the seeded mutation
//! runs described in `docs/HARDENING.md`.
//!
//! ```text
//! cargo run --release --no-default-features --features replay --bin replay -- TARGET FILE_OR_DIR...
//! cargo run --release --no-default-features --features replay --bin replay -- TARGET --mutate SECONDS SEED FILE_OR_DIR...
//! ```
//!
//! A panic is reported with the file that caused it and the run stops with status 101.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn files(paths: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        let p = Path::new(p);
        if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.is_file())
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            out.extend(v);
        } else {
            out.push(p.to_path_buf());
        }
    }
    out
}

/// xorshift64*: a tiny seeded generator, so a mutation run is reproducible from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b",",
    b"\"",
    b"\n",
    b"\r\n",
    b";",
    b"\t",
    b"\xEF\xBB\xBF",
    b"NaN",
    b"inf",
    b"-",
    b"1e400",
    b"\"1,296\"",
    b"\xC2\xA3",
    b"0x10",
    b"[",
    b"]",
    b"{",
    b"}",
    b"=",
    b"null",
    b"\"\"",
    b"25:61:00",
    b"-1",
    b"99999999999",
    b"\0",
    b"\xFF",
    b"Polygon",
    b"MultiPolygon",
    b"LineString",
    b"[services]",
    b"[limits]",
    b"keep",
    b"close",
];

fn mutate(rng: &mut Rng, seed: &[u8], pool: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(v.len() + 1);
        match rng.below(7) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 if !v.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.splice(at..at, t.iter().copied());
            }
            3 if !v.is_empty() => {
                // duplicate a slice (repeated rows, ids)
                let s = rng.below(v.len());
                let e = (s + 1 + rng.below(64)).min(v.len());
                let piece = v[s..e].to_vec();
                v.splice(at..at, piece);
            }
            4 => {
                // splice in a piece of another input
                let o = &pool[rng.below(pool.len())];
                if !o.is_empty() {
                    let s = rng.below(o.len());
                    let e = (s + 1 + rng.below(64)).min(o.len());
                    v.splice(at..at, o[s..e].iter().copied());
                }
            }
            5 => v.truncate(at),
            _ => {
                let digits = format!("{}", rng.next() as i64 >> rng.below(60));
                v.splice(at..at, digits.bytes());
            }
        }
    }
    v
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(name) = args.first() else {
        eprintln!("usage: replay TARGET [--mutate SECONDS SEED] FILE_OR_DIR...");
        std::process::exit(2);
    };
    let Some(&(_, target)) = hubplan_fuzz::TARGETS.iter().find(|(n, _)| n == name) else {
        eprintln!(
            "unknown target {name}; targets: {:?}",
            hubplan_fuzz::TARGETS.map(|t| t.0)
        );
        std::process::exit(2);
    };
    if args.get(1).map(String::as_str) == Some("--mutate") {
        let secs: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60);
        let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
        let pool: Vec<Vec<u8>> = files(&args[4..]).iter().filter_map(|p| std::fs::read(p).ok()).collect();
        if pool.is_empty() {
            eprintln!("no seed files");
            std::process::exit(2);
        }
        let mut rng = Rng(seed | 1);
        let t = Instant::now();
        let mut n = 0u64;
        let mut current = pool.clone();
        while t.elapsed() < Duration::from_secs(secs) {
            let i = rng.below(current.len());
            let input = mutate(&mut rng, &current[i], &pool);
            let ok = std::panic::catch_unwind(|| target(&input)).is_ok();
            if !ok {
                let out = format!("crash-{name}-{seed}-{n}");
                let _ = std::fs::write(&out, &input);
                eprintln!("PANIC on input written to {out}");
                std::process::exit(101);
            }
            // keep some mutants as new starting points (a crude stand-in for coverage feedback)
            if rng.below(16) == 0 && input.len() < 1 << 16 {
                current.push(input);
                if current.len() > 4096 {
                    current.swap_remove(rng.below(current.len()));
                }
            }
            n += 1;
        }
        println!("{name}: {n} executions in {secs} s, no panic");
        return;
    }
    let list = files(&args[1..]);
    for p in &list {
        let Ok(data) = std::fs::read(p) else { continue };
        if std::panic::catch_unwind(|| target(&data)).is_err() {
            eprintln!("PANIC on {}", p.display());
            std::process::exit(101);
        }
    }
    println!("{name}: {} inputs, no panic", list.len());
}
