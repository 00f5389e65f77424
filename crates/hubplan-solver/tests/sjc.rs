//! SJC maximal covering (Lorena's São José dos Campos instances) against the
//! HiGHS-computed optima in `sjc_mclp_optima_computed_highs.csv`.
mod common;
use common::{check, fixture};
use hubplan_solver::orlib;

fn rows() -> Vec<(String, f64, u32, f64, f64)> {
    fixture("mclp_sjc/sjc_mclp_optima_computed_highs.csv")
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((
                f[0].to_string(),
                f[1].parse().ok()?,
                f[2].parse().ok()?,
                f[4].parse().ok()?,
                f[5].parse().ok()?,
            ))
        })
        .collect()
}

fn run(which: &str) {
    let all = rows();
    assert!(!all.is_empty());
    for (inst_name, s, p, covered, total) in all.into_iter().filter(|r| r.0 == which) {
        let coords = fixture(&format!("mclp_sjc/{inst_name}.txt"));
        let demand = fixture(&format!("mclp_sjc/demand-{inst_name}.dat"));
        let inst = orlib::sjc(&coords, &demand, s, p).expect("parses");
        // Objective = uncovered demand.
        check(&format!("{inst_name} S={s} p={p}"), &inst, total - covered, 1e-9);
    }
}

#[test]
fn sjc324() {
    run("SJC324");
}
#[test]
fn sjc402() {
    run("SJC402");
}
#[test]
#[ignore = "slow"]
fn sjc500() {
    run("SJC500");
}
#[test]
#[ignore = "slow"]
fn sjc708() {
    run("SJC708");
}
#[test]
#[ignore = "slow"]
fn sjc818() {
    run("SJC818");
}
