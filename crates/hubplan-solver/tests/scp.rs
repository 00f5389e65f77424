//! OR-Library weighted set covering scp41–scp410, scp51–scp510, scp61–scp65
//! against the proven optima in `scp_reference_values.csv`.
mod common;
use common::{check, fixture};
use hubplan_solver::orlib;

fn optimum(name: &str) -> f64 {
    let csv = fixture("orlib_scp/scp_reference_values.csv");
    csv.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[0] == name)
        .and_then(|f| f[4].parse().ok())
        .expect("optimum listed")
}

fn run(name: &str) {
    let inst = orlib::scp(&fixture(&format!("orlib_scp/{name}.txt")), false).expect("parses");
    check(name, &inst, optimum(name), 1e-9);
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => { $( #[test] fn $name() { run(stringify!($name)); } )* };
}
cases!(scp41, scp42, scp43, scp44, scp45, scp46, scp47, scp48, scp49, scp410);
cases!(scp51, scp52, scp53, scp54, scp55, scp56, scp57, scp58, scp59, scp510);
cases!(scp61, scp62, scp63, scp64, scp65);
