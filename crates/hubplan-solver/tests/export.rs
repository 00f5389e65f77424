//! LP / MPS export: structure (default run) and a round trip through HiGHS
//! (`pip install highspy`; ignored by default).
mod common;
use common::fixture;
use hubplan_solver::mip::{write_lp, write_mps};
use hubplan_solver::orlib;

#[test]
fn lp_and_mps_have_every_section() {
    let inst = orlib::warehouse(&fixture("orlib_warehouse/cap/cap41.txt"), true).expect("parses");
    let lp = write_lp(&inst).expect("valid");
    for s in [
        "Minimize",
        "Subject To",
        "Bounds",
        "General",
        "End",
        "cap0:",
        "assign0:",
    ] {
        assert!(lp.contains(s), "LP lacks {s}");
    }
    let mps = write_mps(&inst).expect("valid");
    for s in ["ROWS", "COLUMNS", "RHS", "BOUNDS", "ENDATA", "'INTORG'", "'INTEND'"] {
        assert!(mps.contains(s), "MPS lacks {s}");
    }
}

/// Solves the exported models with highspy and compares with the references.
#[test]
#[ignore = "needs python3 with highspy"]
fn highspy_reads_the_exports() {
    let dir = std::env::temp_dir().join("hubplan-solver-export");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let cases = [
        (
            "cap41.mps",
            write_mps(&orlib::warehouse(&fixture("orlib_warehouse/cap/cap41.txt"), true).expect("p")),
            1040444.375,
        ),
        (
            "cap71.lp",
            write_lp(&orlib::warehouse(&fixture("orlib_warehouse/uncap/cap71.txt"), false).expect("p")),
            932615.75,
        ),
        (
            "scp41.mps",
            write_mps(&orlib::scp(&fixture("orlib_scp/scp41.txt"), false).expect("p")),
            429.0,
        ),
        (
            "pmed1.lp",
            write_lp(&orlib::pmed(&fixture("orlib_pmed/pmed1.txt")).expect("p").0),
            5819.0,
        ),
    ];
    for (name, text, want) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text.expect("valid")).expect("write");
        let script = format!(
            "import highspy; h=highspy.Highs(); h.setOptionValue('output_flag', False); \
             h.readModel({:?}); h.run(); print(h.getInfo().objective_function_value)",
            path.display().to_string()
        );
        let out = std::process::Command::new("python3")
            .args(["-c", &script])
            .output()
            .expect("python3 runs");
        // highspy ≥ 1.16 prints a banner first: the value is the last line.
        let got: f64 = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .parse()
            .expect("a number from highspy");
        assert!((got - want).abs() <= 1e-6 * want, "{name}: HiGHS {got} != {want}");
    }
}
