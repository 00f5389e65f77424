//! OR-Library p-median pmed1–pmed40 (Beasley 1985) against the published optima.
mod common;
use common::{check, fixture, table};
use hubplan_solver::orlib;

fn run(k: usize) {
    let opt = table(&fixture("orlib_pmed/pmedopt.txt"));
    let name = format!("pmed{k}");
    let expected = opt
        .iter()
        .find(|(n, _)| *n == name)
        .map(|p| p.1)
        .expect("optimum listed");
    let (inst, _) = orlib::pmed(&fixture(&format!("orlib_pmed/{name}.txt"))).expect("parses");
    check(&name, &inst, expected, 1e-9);
}

macro_rules! cases {
    ($($name:ident = $k:expr),* $(,)?) => { $( #[test] fn $name() { run($k); } )* };
}
macro_rules! slow {
    ($($name:ident = $k:expr),* $(,)?) => { $( #[test] #[ignore = "slow: run with --ignored"] fn $name() { run($k); } )* };
}

cases!(pmed1 = 1, pmed2 = 2, pmed3 = 3, pmed4 = 4, pmed5 = 5);
slow!(
    pmed6 = 6,
    pmed7 = 7,
    pmed8 = 8,
    pmed9 = 9,
    pmed10 = 10,
    pmed11 = 11,
    pmed12 = 12,
    pmed13 = 13,
    pmed14 = 14,
    pmed15 = 15,
    pmed16 = 16,
    pmed17 = 17,
    pmed18 = 18,
    pmed19 = 19,
    pmed20 = 20,
    pmed21 = 21,
    pmed22 = 22,
    pmed23 = 23,
    pmed24 = 24,
    pmed25 = 25,
    pmed26 = 26,
    pmed27 = 27,
    pmed28 = 28,
    pmed29 = 29,
    pmed30 = 30,
    pmed31 = 31,
    pmed32 = 32,
    pmed33 = 33,
    pmed34 = 34,
    pmed35 = 35,
    pmed36 = 36,
    pmed37 = 37,
    pmed38 = 38,
    pmed39 = 39,
    pmed40 = 40
);
