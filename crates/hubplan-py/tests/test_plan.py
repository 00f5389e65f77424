"""The Python package gives the same plans as the command line, on the bundled fixtures."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest

import hubplan


@pytest.fixture(autouse=True)
def _at_root(root, monkeypatch):
    # plan.json records the scenario's path as given: run from the same folder as the CLI.
    monkeypatch.chdir(root)


@pytest.mark.parametrize(
    "scenario",
    [
        "fixtures/tiny/scenario.toml",
        "fixtures/kent/scenario.toml",
        "fixtures/kent/scenario_family_hubs.toml",
        "fixtures/chester/scenario.toml",
    ],
)
def test_plan_json_equals_cli(scenario, cli_plan):
    expected, out = cli_plan(scenario)
    plan = hubplan.load_scenario(scenario).plan()
    assert plan.to_json() == (out / "plan.json").read_text(encoding="utf-8")
    assert plan.status == expected["status"] == "optimal"
    assert plan.objective == expected["objective"]
    assert plan.gap == expected["gap"]
    assert plan.bound == expected["bound"]


def test_tiny_known_optimum():
    plan = hubplan.load_scenario("fixtures/tiny/scenario.toml").plan()
    # README of fixtures/tiny: keep A, C, D; close B; leave E unused; cost 75000.
    assert plan.objective == 75000
    decisions = dict(zip(plan.sites["id"], plan.sites["decision"]))
    assert decisions == {"A": "keep", "B": "close", "C": "keep", "D": "keep", "E": "unused"}


def test_sites_and_zones_frames_match_the_files(tmp_path):
    plan = hubplan.load_scenario("fixtures/kent/scenario.toml").plan()
    plan.write(tmp_path / "out", report=False)
    sites = pd.read_csv(tmp_path / "out" / "sites.csv", dtype={"id": str})
    zones = pd.read_csv(tmp_path / "out" / "zones.csv", dtype={"id": str})
    got_sites, got_zones = plan.sites, plan.zones
    assert list(got_sites["id"]) == list(sites["id"])
    assert list(got_sites["decision"]) == list(sites["decision"])
    assert list(got_zones["id"]) == list(zones["id"])
    doc = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert doc == plan.document
    # GeoDataFrames in the inputs' CRS (Kent is WGS84), one point per row
    assert str(got_sites.crs).upper().endswith("4326")
    assert got_sites.geometry.notna().all() and got_zones.geometry.notna().all()


def test_write_with_report_gives_the_cli_files(tmp_path, cli_plan):
    _, out = cli_plan("fixtures/tiny/scenario.toml", "--report")
    plan = hubplan.load_scenario("fixtures/tiny/scenario.toml").plan()
    plan.write(tmp_path / "py", report=True)
    names = sorted(p.name for p in out.iterdir())
    assert sorted(p.name for p in (tmp_path / "py").iterdir()) == names
    for name in names:
        assert (tmp_path / "py" / name).read_bytes() == (out / name).read_bytes(), name


def _cli_with_closure(cli, tmp_path, target):
    """plan.json of `hubplan plan` on Kent's scenario with `target` in [limits] close."""
    src = Path("fixtures/kent/scenario.toml").read_text()
    for name in ("sites", "zones", "travel_times"):
        src = src.replace(f'{name} = "{name}.csv"', f'{name} = "{Path(f"fixtures/kent/{name}.csv").resolve()}"')
    src = src.replace("[solver]", f'[limits]\nclose = ["{target}"]\n[solver]')
    scen = tmp_path / target / "scenario.toml"
    scen.parent.mkdir(parents=True)
    scen.write_text(src)
    cli("plan", scen, "--out", tmp_path / target / "out", "--quiet")
    return json.loads((tmp_path / target / "out" / "plan.json").read_text())


def test_whatif_close_equals_cli_with_that_closure(tmp_path, cli):
    base = hubplan.load_scenario("fixtures/kent/scenario.toml")
    first = base.plan()
    kept = [r["id"] for r in first.document["sites"] if r["decision"] == "keep"]
    feasible = infeasible = 0
    for target in kept[::7]:
        whatif = base.plan(close=[target])
        expected = _cli_with_closure(cli, tmp_path, target)
        assert whatif.status == expected["status"], target
        if whatif.status == "optimal":
            feasible += 1
            assert whatif.objective == pytest.approx(expected["objective"], rel=1e-9)
            assert whatif.objective >= first.objective
            assert dict(zip(whatif.sites["id"], whatif.sites["decision"]))[target] == "close"
        else:
            infeasible += 1
            assert whatif.infeasibility is not None
        if feasible >= 2 and infeasible >= 1:
            break
    assert feasible >= 1


def test_overrides_are_checked():
    sc = hubplan.load_scenario("fixtures/tiny/scenario.toml")
    with pytest.raises(TypeError, match="did you mean 'max_minutes'"):
        sc.plan(max_minute=30)
    with pytest.raises(ValueError, match="unknown site"):
        sc.plan(close=["NOPE"])
    with pytest.raises(ValueError, match="budget"):
        sc.plan(budget=-1)


def test_infeasible_is_a_status_not_an_error():
    sc = hubplan.load_scenario("fixtures/tiny/scenario.toml")
    plan = sc.plan(close=["A", "B", "C", "D", "E"])
    assert plan.status == "infeasible"
    assert plan.infeasibility is not None


def test_threads_plan_at_once():
    sc = hubplan.load_scenario("fixtures/kent/scenario.toml")
    limits = [30, 35, 40, 45]
    expected = {m: sc.plan(max_minutes=m).objective for m in limits}
    got: dict[int, float] = {}
    errors: list[BaseException] = []

    def work(m):
        try:
            got[m] = sc.plan(max_minutes=m).objective
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(m,)) for m in limits]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert got == expected


def test_sweep_equals_cli(tmp_path, cli):
    cli("sweep", "fixtures/kent/scenario.toml", "--max-minutes", "30,35,40,45", "--out", tmp_path / "sw", "--quiet")
    expected = (tmp_path / "sw" / "sweep.csv").read_text()
    sc = hubplan.load_scenario("fixtures/kent/scenario.toml")
    text = sc._project.sweep_csv("max_minutes", [30.0, 35.0, 40.0, 45.0], None, True)
    assert text == expected
    df = sc.sweep(max_minutes=[30, 35, 40, 45])
    assert len(df) == 4


def test_compare_two_plans():
    sc = hubplan.load_scenario("fixtures/kent/scenario.toml")
    a, b = sc.plan(), sc.plan(max_minutes=45)
    c = hubplan.compare(a, b)
    da = {s["id"]: s["decision"] for s in a.document["sites"]}
    db = {s["id"]: s["decision"] for s in b.document["sites"]}
    differ = sorted(i for i in da if da[i] != db[i])
    assert sorted(d["id"] for d in c["sites"]) == differ
    assert c["annual_cost"]["a"] == pytest.approx(a.totals["annual_cost_after"])
    assert c["annual_cost"]["b"] == pytest.approx(b.totals["annual_cost_after"])


def test_whatif_limit_out_of_range_is_warned_like_the_scenario_file():
    # Session 9: a scenario file's 500-minute limit is warned about at load; the same
    # limit as a what-if was planned silently.
    sc = hubplan.load_scenario("fixtures/tiny/scenario.toml")
    assert not [w for w in sc.plan().warnings if "access_limit_out_of_range" in w]
    for limit, shown in ((500, "500"), (1e-9, "1e-9")):
        plan = sc.plan(max_minutes=limit)
        hits = [w for w in plan.warnings if "access_limit_out_of_range" in w]
        assert len(hits) == 1, plan.warnings
        assert f"the access limit is {shown} minutes, outside 5-180" in hits[0]
        assert any(n["code"] == "access_limit_out_of_range" and n.get("field") == "max_minutes"
                   for n in plan.document["notices"])
    assert not [w for w in sc.plan(max_minutes=40).warnings if "access_limit_out_of_range" in w]
