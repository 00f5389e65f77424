//! The run facade end to end on bundled fixtures: known optima, what-ifs against the
//! same rule written in a scenario file, override errors, the model choice.

use std::path::{Path, PathBuf};

use hubplan::{Decision, PlanStatus};
use hubplan_run::{load, silent, Error, ExportFormat, LoadOptions, Model, Overrides, Planned, WriteOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tiny() -> hubplan_run::Job {
    load(
        &root().join("fixtures/tiny/scenario.toml"),
        &LoadOptions::default(),
        &silent(),
    )
    .unwrap()
}

#[test]
fn tiny_baseline_is_the_hand_worked_optimum() {
    let job = tiny();
    assert!(matches!(job.model(), Model::Single(_)));
    let out = job.solve(&Overrides::default()).unwrap();
    assert_eq!(out.status(), PlanStatus::Optimal);
    assert_eq!(out.objective(), 75000.0);
    let d: Vec<(&str, Decision)> = out.decisions();
    assert_eq!(
        d,
        vec![
            ("A", Decision::Keep),
            ("B", Decision::Close),
            ("C", Decision::Keep),
            ("D", Decision::Keep),
            ("E", Decision::Unused),
        ]
    );
    assert!(out.summary_text().starts_with("status: optimal"));
}

#[test]
fn a_whatif_equals_the_same_rule_written_in_the_scenario() {
    // The what-if: force B (closed in the optimum) open on the loaded data.
    let job = tiny();
    let base = job.solve(&Overrides::default()).unwrap();
    let whatif = job
        .solve(&Overrides {
            keep: vec!["B".into()],
            ..Overrides::default()
        })
        .unwrap();
    assert_eq!(whatif.status(), PlanStatus::Optimal);
    assert_eq!(whatif.objective(), 155000.0);
    // The same rule in a scenario file, loaded from scratch.
    let dir = tempfile::tempdir().unwrap();
    for f in ["sites.csv", "zones.csv", "travel_times.csv"] {
        std::fs::copy(root().join("fixtures/tiny").join(f), dir.path().join(f)).unwrap();
    }
    let toml = std::fs::read_to_string(root().join("fixtures/tiny/scenario.toml")).unwrap();
    let toml = toml.replace("[solver]", "[limits]\nkeep = [\"B\"]\n[solver]");
    std::fs::write(dir.path().join("scenario.toml"), toml).unwrap();
    let file_job = load(&dir.path().join("scenario.toml"), &LoadOptions::default(), &silent()).unwrap();
    let from_file = file_job.solve(&Overrides::default()).unwrap();
    assert_eq!(whatif.status(), from_file.status());
    assert_eq!(whatif.objective().to_bits(), from_file.objective().to_bits());
    assert_eq!(whatif.decisions(), from_file.decisions());
    // And the difference from the baseline names C.
    let diff = whatif.diff(&base).unwrap();
    assert!(diff.comparison.sites.iter().any(|s| s.id == "B"), "{diff:?}");
    assert_eq!(diff.need_gained, 0.0);
    assert_eq!(diff.comparison.annual_cost.change(), 80000.0);
}

#[test]
fn an_infeasible_whatif_is_an_outcome_with_its_reason() {
    // Closing C leaves a zone beyond 35 minutes: infeasible, explained, not an error.
    let job = tiny();
    let out = job
        .solve(&Overrides {
            close: vec!["C".into()],
            ..Overrides::default()
        })
        .unwrap();
    assert_eq!(out.status(), PlanStatus::Infeasible);
    assert!(
        out.summary_text().contains("infeasible because"),
        "{}",
        out.summary_text()
    );
    assert!(out.plan_json().unwrap()["infeasibility"]["blockers"].is_array());
}

#[test]
fn bad_overrides_name_the_field() {
    let job = tiny();
    let field = |o: Overrides| match job.solve(&o) {
        Err(Error::Invalid { field, message }) => format!("{field}: {message}"),
        other => panic!("expected an invalid override, got {other:?}"),
    };
    let e = field(Overrides {
        keep: vec!["Q".into()],
        ..Overrides::default()
    });
    assert!(e.starts_with("keep: unknown site id \"Q\""), "{e}");
    for m in [0.0, -5.0, 10_000.0, f64::NAN] {
        let e = field(Overrides {
            max_minutes: Some(m),
            ..Overrides::default()
        });
        assert!(e.starts_with("max_minutes:"), "{e}");
    }
    let e = field(Overrides {
        budget: Some(-1.0),
        ..Overrides::default()
    });
    assert!(e.starts_with("budget:"), "{e}");
    // Session 8: an absurd finite amount (the server and Python pass these) is refused.
    let e = field(Overrides {
        budget: Some(1.7e308),
        ..Overrides::default()
    });
    assert!(
        e.starts_with("budget:") && e.contains("the largest amount hubplan accepts"),
        "{e}"
    );
    let e = field(Overrides {
        keep: vec!["A".into()],
        close: vec!["A".into()],
        ..Overrides::default()
    });
    assert!(e.contains("both in keep and in close"), "{e}");
}

#[test]
fn plan_json_is_the_document_written() {
    let job = tiny();
    let out = job.solve(&Overrides::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let written = out.write(&dir.path().join("plan"), &WriteOptions::default()).unwrap();
    assert_eq!(written.len(), 4);
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan/plan.json")).unwrap()).unwrap();
    assert_eq!(out.plan_json().unwrap(), file);
    // Export is written atomically to the path given.
    let mps = dir.path().join("model.mps");
    job.export(&Overrides::default(), ExportFormat::Mps, &mps).unwrap();
    assert!(std::fs::read_to_string(&mps).unwrap().contains("ROWS"));
}

#[test]
fn a_services_scenario_is_planned_with_the_colocation_model() {
    let job = load(
        &root().join("fixtures/kent/scenario_family_hubs.toml"),
        &LoadOptions::default(),
        &silent(),
    )
    .unwrap();
    assert!(matches!(job.model(), Model::Services(_)));
    let out = job.solve(&Overrides::default()).unwrap();
    assert!(matches!(out.planned(), Planned::Services(_)));
    assert_eq!(out.plan_json().unwrap()["model"], "services");
    // Operations that support single-service scenarios only say so; none plans it as one.
    let e = job
        .sweep(&[hubplan_run::SweepPoint::MaxMinutes(30.0)], &silent())
        .unwrap_err();
    assert!(e.to_string().contains("[services] table"), "{e}");
}

#[test]
fn a_capacitated_scenario_exports_its_capacity_rows() {
    // Before: the export wrote the uncapacitated model, which HiGHS "proved"
    // at a cost the capacitated plan cannot reach (Kent capacity: £7,072,000
    // against the true £7,948,800).
    let job = load(
        &root().join("fixtures/capacity_two/scenario.toml"),
        &LoadOptions::default(),
        &silent(),
    )
    .unwrap();
    let mps = job.export_text(&Overrides::default(), ExportFormat::Mps).unwrap();
    // A and B have max_users (100 each), C is unlimited: two capacity rows.
    let rows: Vec<&str> = mps.lines().filter(|l| l.starts_with(" L cap")).collect();
    assert_eq!(rows.len(), 2, "{mps}");
    assert!(mps.lines().any(|l| l.starts_with(" L link")), "strong linking rows");
    let lp = job.export_text(&Overrides::default(), ExportFormat::Lp).unwrap();
    assert!(lp.contains("cap0"), "{lp}");
}

/// The tiny fixture with its sites file rewritten by `edit` and its `[objective]` set to
/// `objective`, in a temporary directory.
fn tiny_with(edit: impl Fn(&str) -> String, objective: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("fixtures/tiny");
    for f in ["zones.csv", "travel_times.csv"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    let sites = std::fs::read_to_string(src.join("sites.csv")).unwrap();
    std::fs::write(dir.path().join("sites.csv"), edit(&sites)).unwrap();
    let scenario = std::fs::read_to_string(src.join("scenario.toml"))
        .unwrap()
        .replace("kind = \"min_cost\"", objective);
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, scenario).unwrap();
    (dir, path)
}

/// A CSV without its column `col` (by name, in the header).
fn drop_column(csv: &str, col: &str) -> String {
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let k = header.iter().position(|&h| h == col).unwrap();
    csv.lines()
        .map(|l| {
            // The tiny sites file quotes no cell, so a plain split is exact.
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(k);
            cells.join(",") + "\n"
        })
        .collect()
}

/// Sites without running costs: under min_cost (whose aim is the least cost) an error
/// naming the file, the field and what to do; under another objective a plan, with a
/// warning in plan.json saying every cost is taken as £0. Empty cells everywhere count as
/// no costs; one cost given is enough (the other cells warn as before).
#[test]
fn sites_without_annual_costs_warn_or_refuse_a_cost_objective() {
    let no_column = |s: &str| drop_column(s, "annual_cost");
    let (_d, path) = tiny_with(no_column, "kind = \"min_cost\"");
    let Err(err) = load(&path, &LoadOptions::default(), &silent()) else {
        panic!("not refused")
    };
    let text = err.to_string();
    assert!(err.is_bad_input(), "{text}");
    assert!(
        text.contains("sites.csv")
            && text.contains("field annual_cost")
            && text.contains("objective min_cost")
            && text.contains("the file has no `annual_cost` column")
            && text.contains("every plan would cost £0"),
        "{text}"
    );
    let empty_cells = |s: &str| {
        let header: Vec<&str> = s.lines().next().unwrap().split(',').collect();
        let k = header.iter().position(|&h| h == "annual_cost").unwrap();
        s.lines()
            .enumerate()
            .map(|(i, l)| {
                let mut c: Vec<&str> = l.split(',').collect();
                if i > 0 {
                    c[k] = "";
                }
                c.join(",") + "\n"
            })
            .collect::<String>()
    };
    let (_d, path) = tiny_with(empty_cells, "kind = \"min_cost\"");
    let Err(err) = load(&path, &LoadOptions::default(), &silent()) else {
        panic!("not refused")
    };
    let text = err.to_string();
    assert!(text.contains("every `annual_cost` cell is empty"), "{text}");

    let (_d, path) = tiny_with(no_column, "kind = \"min_travel\"\n[limits]\nsites = 3");
    let job = load(&path, &LoadOptions::default(), &silent()).expect("plans");
    let out = job.solve(&Overrides::default()).unwrap();
    assert_eq!(out.status(), PlanStatus::Optimal);
    let warnings = out.plan_json().unwrap()["warnings"].to_string();
    assert!(
        warnings.contains("the file has no `annual_cost` column: every building's running cost is taken as £0 a year"),
        "{warnings}"
    );
    // One cost given: no such warning, and min_cost plans.
    let one_cost = |s: &str| empty_cells(s).replacen(",existing,,", ",existing,30000,", 1);
    let (_d, path) = tiny_with(one_cost, "kind = \"min_cost\"");
    let job = load(&path, &LoadOptions::default(), &silent()).expect("plans");
    let out = job.solve(&Overrides::default()).unwrap();
    assert!(!out.plan_json().unwrap()["warnings"].to_string().contains("taken as £0"));
}

/// `hubplan compare` on two co-location plans: their plan.json has no single mean
/// journey (each service has its own), so the "mean minutes" row says "n/a", not
/// "no route" (which would claim no zone reaches an open site).
#[test]
fn comparing_co_location_plans_says_mean_minutes_is_not_available() {
    let job = load(
        &root().join("fixtures/tiny_services/scenario.toml"),
        &LoadOptions::default(),
        &silent(),
    )
    .unwrap();
    let out = job.solve(&Overrides::default()).unwrap();
    assert_eq!(out.status(), PlanStatus::Optimal);
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    out.write(&a, &WriteOptions::default()).unwrap();
    out.write(&b, &WriteOptions::default()).unwrap();
    let (c, sa, sb) = hubplan_run::compare_files(&a, &b).unwrap();
    let text = hubplan_run::comparison_text(&c, &sa, &sb);
    let row = text
        .lines()
        .find(|l| l.starts_with("mean minutes"))
        .unwrap_or_else(|| panic!("no mean minutes row:\n{text}"));
    assert!(!row.contains("no route"), "{row}");
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        vec!["mean", "minutes", "n/a", "n/a", "n/a"]
    );
}

/// Session 15 audit: the co-location summary called every zone unreachable at baseline
/// "excluded from the rules", also under `access.beyond_limit = no_worse`, where the one
/// reached today (Far Fields, 30 minutes from A) keeps its journey as its own limit, and
/// A is kept for it. Only `ignore` leaves it out.
#[test]
fn service_summary_says_which_rule_holds_zones_beyond_the_limit() {
    let summary = |name: &str| {
        let path = root().join(format!("fixtures/tiny_services_beyond/scenario_{name}.toml"));
        let job = load(&path, &LoadOptions::default(), &silent()).expect("load");
        job.solve(&Overrides::default()).expect("solve").summary_text()
    };
    let no_worse = summary("no_worse");
    assert!(
        no_worse.contains(
            "unreachable at baseline for children_centre (no site within the limit; access.beyond_limit = no_worse: \
             a journey today is its own limit; listed in zones.csv): 1 zone(s): Z2"
        ),
        "{no_worse}"
    );
    assert!(!no_worse.contains("excluded from the rules"), "{no_worse}");
    let tolerance = summary("tolerance_5");
    assert!(
        tolerance.contains("access.beyond_limit = tolerance: a journey today plus 5.0 min is its own limit"),
        "{tolerance}"
    );
    let ignore = summary("ignore");
    assert!(
        ignore.contains("unreachable at baseline for children_centre (excluded from the rules; listed in zones.csv)"),
        "{ignore}"
    );
}

/// Session 15 audit: an infeasible single-service what-if printed "sites: 27 before,
/// 27 after" and "saving £0" as if that were a plan; the co-location summary already
/// said the figures are today's.
#[test]
fn an_infeasible_summary_says_its_figures_are_todays() {
    let job = tiny();
    let all: Vec<String> = job.inputs().sites.iter().map(|s| s.id.clone()).collect();
    let out = job
        .solve(&Overrides {
            close: all,
            ..Overrides::default()
        })
        .expect("solve");
    assert_eq!(out.status(), PlanStatus::Infeasible);
    let text = out.summary_text();
    assert!(
        text.contains(
            "status: infeasible (min_cost, 35 minutes)\nno plan: the figures below are today's (status quo)\n"
        ),
        "{text}"
    );
    let base = job.solve(&Overrides::default()).expect("solve").summary_text();
    assert!(!base.contains("no plan"), "{base}");
}

/// Session 15 audit: `hubplan compare` of a plan with an infeasible what-if showed the
/// what-if's status quo as if it were a plan (annual cost +£239,000, sites "close →
/// keep"), with nothing but "(infeasible, …)" in the header to say otherwise.
#[test]
fn comparing_with_an_infeasible_plan_says_its_column_is_today() {
    let job = tiny();
    let all: Vec<String> = job.inputs().sites.iter().map(|s| s.id.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    job.solve(&Overrides::default())
        .unwrap()
        .write(&a, &WriteOptions::default())
        .unwrap();
    let bad = job
        .solve(&Overrides {
            close: all,
            ..Overrides::default()
        })
        .unwrap();
    assert_eq!(bad.status(), PlanStatus::Infeasible);
    bad.write(&b, &WriteOptions::default()).unwrap();
    let (c, sa, sb) = hubplan_run::compare_files(&a, &b).unwrap();
    let text = hubplan_run::comparison_text(&c, &sa, &sb);
    assert!(
        text.contains("note: B has no plan (infeasible): its column is today's estate (status quo)"),
        "{text}"
    );
    assert!(!text.contains("note: A has no plan"), "{text}");
}
