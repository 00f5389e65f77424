//! OR-Library warehouse location (Beasley 1988): uncapacitated cap71–cap134
//! (+ capa/b/c, ignored) and capacitated (multi-source) cap41–cap133 against
//! `capopt.txt` / the uncapacitated optima.
mod common;
use common::{check, fixture, table};
use hubplan_solver::orlib;

/// OR-Library uncapopt values (listed in `warehouse_reference_values.csv`).
fn uncap_opt(name: &str) -> f64 {
    let csv = fixture("orlib_warehouse/warehouse_reference_values.csv");
    csv.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[0] == format!("uncap/{name}.txt") && f[1].starts_with("UFLP"))
        .and_then(|f| f[5].parse().ok())
        .expect("optimum listed")
}

fn run_uncap(name: &str) {
    let inst = orlib::warehouse(&fixture(&format!("orlib_warehouse/uncap/{name}.txt")), false).expect("parses");
    check(name, &inst, uncap_opt(name), 1e-8);
}

fn run_cap(name: &str) {
    let opt = table(&fixture("orlib_warehouse/capopt.txt"));
    let expected = opt
        .iter()
        .find(|(n, _)| n == name)
        .map(|p| p.1)
        .expect("optimum listed");
    let inst = orlib::warehouse(&fixture(&format!("orlib_warehouse/cap/{name}.txt")), true).expect("parses");
    check(&format!("{name} (capacitated)"), &inst, expected, 1e-8);
}

macro_rules! uncap {
    ($($name:ident),* $(,)?) => { $( #[test] fn $name() { run_uncap(stringify!($name)); } )* };
}
uncap!(cap71, cap72, cap73, cap74, cap101, cap102, cap103, cap104, cap131, cap132, cap133, cap134);

#[test]
#[ignore = "slow: 100 × 1000"]
fn capa() {
    run_uncap("capa");
}
#[test]
#[ignore = "slow: 100 × 1000"]
fn capb() {
    run_uncap("capb");
}
#[test]
#[ignore = "slow: 100 × 1000"]
fn capc() {
    run_uncap("capc");
}

macro_rules! cap {
    ($($fn_name:ident = $name:expr),* $(,)?) => { $( #[test] fn $fn_name() { run_cap($name); } )* };
}
cap!(
    c_cap41 = "cap41",
    c_cap61 = "cap61",
    c_cap62 = "cap62",
    c_cap63 = "cap63",
    c_cap64 = "cap64",
    c_cap82 = "cap82",
    c_cap91 = "cap91",
    c_cap124 = "cap124",
    c_cap133 = "cap133"
);
