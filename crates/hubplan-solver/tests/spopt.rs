//! spopt's San Francisco cases (205 tracts × 16 stores), reproducing the values
//! asserted in spopt's own tests (see `spopt_expected_values.csv`).
// The asserted values are quoted digit for digit from spopt's tests.
#![allow(clippy::excessive_precision)]
mod common;
use common::{check, fixture};
use hubplan_solver::orlib::{spopt_sf, SpoptSf};

fn sf() -> SpoptSf {
    spopt_sf(
        &fixture("spopt_tests/SF_network_distance_candidateStore_16_censusTract_205_new.csv"),
        &fixture("spopt_tests/SF_demand_205_centroid_uniform_weight.csv"),
    )
    .expect("parses")
}

#[test]
fn mclp_s5000_p4() {
    let sf = sf();
    let total: f64 = sf.weight.iter().sum();
    assert_eq!(total, 955113.0);
    let inst = sf.mclp(5000.0, 4);
    let out = check("spopt MCLP S=5000 p=4", &inst, total - 875247.0, 1e-12);
    let uncovered = (0..inst.n_clients())
        .filter(|&i| !inst.arcs_of(i).iter().any(|a| out.open[a.site as usize]))
        .count();
    assert_eq!(uncovered, 21);
    let perc = 100.0 * (205 - uncovered) as f64 / 205.0;
    assert!((perc - 89.75609756097561).abs() < 1e-9);
    let names: Vec<&str> = (0..16)
        .filter(|&j| out.open[j])
        .map(|j| sf.stores[j].as_str())
        .collect();
    eprintln!("MCLP stores {names:?}");
}

#[test]
fn p_median_p4() {
    let sf = sf();
    let inst = sf.p_median(4);
    let out = check("spopt p-median p=4", &inst, 2848268129.714512, 1e-6);
    let mean = out.objective / 955113.0;
    assert!((mean - 2982.1268579890657).abs() < 1e-6 * 2982.0, "mean {mean}");
}

#[test]
fn lscp_s5000() {
    let inst = sf().lscp(5000.0);
    check("spopt LSCP S=5000", &inst, 8.0, 1e-12);
}
