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
