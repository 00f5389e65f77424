"""Travel times from GTFS: the same matrix as `hubplan travel-times`, in one process and on Dask."""

from __future__ import annotations

import pytest

import hubplan

FEED = "fixtures/chester/gtfs/uk_chester_20230816_small_gtfs.zip"
ARGS = dict(date="2023-08-16", window="07:00-09:00", percentile=50, max_minutes=90)


@pytest.fixture(autouse=True)
def _at_root(root, monkeypatch):
    monkeypatch.chdir(root)


@pytest.fixture(scope="module")
def cli_matrix(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("tt") / "tt.csv"
    cli("travel-times", "--gtfs", FEED, "--origins", "fixtures/chester/zones.csv",
        "--destinations", "fixtures/chester/sites.csv", "--date", ARGS["date"], "--window", ARGS["window"],
        "--percentile", "50", "--max-minutes", "90", "--out", out, "--quiet")
    return out.read_text()


def test_matrix_equals_cli(cli_matrix):
    text = hubplan.travel_times_text(FEED, "fixtures/chester/zones.csv", "fixtures/chester/sites.csv", **ARGS)
    assert text == cli_matrix
    df = hubplan.travel_times(FEED, "fixtures/chester/zones.csv", "fixtures/chester/sites.csv", **ARGS)
    assert list(df.columns) == ["zone_id", "site_id", "minutes"]
    assert len(df) == cli_matrix.count("\n") - 1


def test_blocks_concatenate_to_the_whole(cli_matrix):
    n = len(hubplan._native.read_point_ids("fixtures/chester/zones.csv"))
    cuts = [0, n // 3, n // 2, n]
    first = hubplan.travel_times_text(FEED, "fixtures/chester/zones.csv", "fixtures/chester/sites.csv",
                                      origin_block=(cuts[0], cuts[1]), **ARGS)
    rest = [hubplan.travel_times_text(FEED, "fixtures/chester/zones.csv", "fixtures/chester/sites.csv",
                                      origin_block=(a, b), header=False, **ARGS)
            for a, b in zip(cuts[1:], cuts[2:])]
    assert first.startswith("zone_id,site_id,minutes\n")
    assert first + "".join(rest) == cli_matrix


def test_bad_date_is_an_input_error():
    with pytest.raises(hubplan.InputError, match="date"):
        hubplan.travel_times(FEED, "fixtures/chester/zones.csv", "fixtures/chester/sites.csv",
                             date="2023-13-45")


# The engine's own names for its settings (and the command line's option prefix), which a
# Python user never typed.
ENGINE_NAMES = ("walk_speed_kmh", "max_walk_m", "max_transfer_walk_m", "transfer_slack_s",
                "snap_max_m", "--", "invalid transit parameter")


@pytest.mark.parametrize("given, keyword, expected", [
    (dict(walk_speed=0), "walk_speed", "0 is not a walking speed in km/h"),
    (dict(detour=0.5), "detour", "0.5 is not a detour factor"),
    (dict(max_walk=-1), "max_walk", "-1 is not a distance >= 0"),
    (dict(max_transfer_walk=-5), "max_transfer_walk", "-5 is not a distance >= 0"),
    (dict(transfer_slack=90000), "transfer_slack", "90000 s is more than a day"),
    (dict(max_rides=0), "max_rides", "0 is not at least 1"),
    (dict(share_within=-1), "share_within", "-1 is not a number of minutes >= 0"),
    (dict(percentile=0), "percentile", "0 is not in (0, 100]"),
    (dict(max_minutes=0), "max_minutes", "0 is not a number of minutes > 0"),
    (dict(date="2024-02-30"), "date", "2024-02-30 is not a calendar date"),
])
def test_a_refused_setting_is_named_by_the_keyword_given(given, keyword, expected):
    # Chester audit: the message named the engine's field (`walk_speed_kmh`), not the
    # keyword argument the user typed (`walk_speed`); the command line names its option.
    with pytest.raises(hubplan.InputError) as e:
        hubplan.travel_times(FEED, "fixtures/chester/zones.csv", "fixtures/chester/sites.csv",
                             **{**ARGS, **given})
    msg = str(e.value)
    assert msg.startswith(f"{keyword}: "), msg
    assert expected in msg, msg
    for name in ENGINE_NAMES:
        assert name not in msg, msg


def test_dask_sharded_matrix_and_sweep(cli_matrix, cli, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    import hubplan.distributed as hd

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        text = hd.travel_times_text(FEED, "fixtures/chester/zones.csv", "fixtures/chester/sites.csv",
                                    client=client, shard_origins=5, **ARGS)
        assert text == cli_matrix
        cli("sweep", "fixtures/kent/scenario.toml", "--max-minutes", "30,35,40,45", "--out",
            tmp_path / "sw", "--quiet")
        expected = (tmp_path / "sw" / "sweep.csv").read_text()
        got = hd.sweep_text("fixtures/kent/scenario.toml", max_minutes=[30, 35, 40, 45], client=client)
        assert got == expected
        # The frame too: read as Scenario.sweep reads it (text columns stay text: the
        # all-empty `error` column was float64 from Dask and str from one machine).
        frame = hd.sweep("fixtures/kent/scenario.toml", max_minutes=[30, 35, 40, 45], client=client)
    local = hubplan.load_scenario("fixtures/kent/scenario.toml").sweep(max_minutes=[30, 35, 40, 45])
    import pandas as pd

    pd.testing.assert_frame_equal(frame, local)
