"""hubplan on Dask against the single-process CLI, in the same run.

Two workloads (issue 14):

* the Porto Alegre travel-time matrix, 1,000 origins x 200 destinations, 14:00-15:00
  on 2019-05-13, median, 90 minutes (the bench of `cargo bench --bench transit`);
* a 16-scenario sweep of the Kent fixture (budgets from 800,000 to 2,000,000).

Each is timed as `hubplan` the CLI (one process, rayon on every core), and as
`hubplan.distributed` on a `LocalCluster(processes=True)` with 1 and 2 workers of
one thread each. The cluster is started before timing (a real cluster is long-lived);
the first Dask run of each workload is a warm-up that is not counted (worker imports,
scenario cache), and then the runs alternate CLI, 1 worker, 2 workers, `--runs` times.
Every Dask result is checked byte for byte against the CLI's output.

Usage (from the repository root, with the package installed in a venv and the CLI
built in release):

    python benches/dask/bench_dask.py --cli target/release/hubplan --runs 3

It prints a Markdown table: the median wall time of each, and the ratio to the CLI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import hubplan.distributed as hd
from dask.distributed import Client, LocalCluster

FEED = "fixtures/gtfs/poa_eptc.zip"
ORIGINS = "fixtures/gtfs/bench_origins_1000.csv"
DESTS = "fixtures/gtfs/bench_destinations_200.csv"
MATRIX = dict(date="2019-05-13", window="14:00-15:00", percentile=50, max_minutes=90)
KENT = "fixtures/kent/scenario.toml"
BUDGETS = [800_000 + i * 80_000 for i in range(16)]  # 800,000 .. 2,000,000, 16 values


def cli_matrix(cli: str, out: Path) -> str:
    subprocess.run([cli, "travel-times", "--gtfs", FEED, "--origins", ORIGINS, "--destinations", DESTS,
                    "--date", MATRIX["date"], "--window", MATRIX["window"], "--percentile", "50",
                    "--max-minutes", "90", "--out", str(out), "--quiet"], check=True, stdout=subprocess.DEVNULL)
    return out.read_text()


def cli_sweep(cli: str, out: Path) -> str:
    subprocess.run([cli, "sweep", KENT, "--budget", f"{BUDGETS[0]}..{BUDGETS[-1]}", "--steps",
                    str(len(BUDGETS)), "--out", str(out), "--quiet"], check=True, stdout=subprocess.DEVNULL)
    return (out / "sweep.csv").read_text()


def timed(f):
    t = time.perf_counter()
    value = f()
    return time.perf_counter() - t, value


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default="target/release/hubplan")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--shards", type=int, default=0,
                    help="origin blocks for the matrix (default: one per worker)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hubplan-dask-bench-"))

    clusters = {}
    for n in (1, 2):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        clusters[n] = (cluster, Client(cluster))

    work = {
        "Porto Alegre matrix 1,000 x 200": (
            lambda k: cli_matrix(args.cli, tmp / f"tt{k}.csv"),
            lambda client, n: hd.travel_times_text(FEED, ORIGINS, DESTS, **MATRIX, client=client,
                                                   shard_origins=args.shards or n),
        ),
        "Kent sweep, 16 budgets": (
            lambda k: cli_sweep(args.cli, tmp / f"sweep{k}"),
            lambda client, n: hd.sweep_text(KENT, budgets=BUDGETS, client=client),
        ),
    }
    rows = []
    for name, (cli_run, dask_run) in work.items():
        reference = cli_run("ref")
        for n, (_, client) in clusters.items():  # warm-up: imports, per-worker scenario cache
            out = dask_run(client, n)
            if out != reference:
                print(f"{name}: Dask on {n} worker(s) differs from the CLI", file=sys.stderr)
                return 1
        times = {"cli": [], 1: [], 2: []}
        for k in range(args.runs):
            s, out = timed(lambda: cli_run(k))
            assert out == reference
            times["cli"].append(s)
            for n, (_, client) in clusters.items():
                s, out = timed(lambda: dask_run(client, n))
                assert out == reference, f"{name}: Dask on {n} worker(s) differs from the CLI"
                times[n].append(s)
        med = {key: statistics.median(v) for key, v in times.items()}
        rows.append((name, med))

    print(f"runs: {args.runs} (median), shards: {args.shards or 'one per worker'}, cores: {os.cpu_count()}, "
          f"RAYON_NUM_THREADS={os.environ.get('RAYON_NUM_THREADS', 'unset')}")
    print("| workload | CLI, one process | Dask, 1 worker | Dask, 2 workers | 1 worker / CLI | 2 workers / CLI |")
    print("|---|---|---|---|---|---|")
    for name, med in rows:
        print(f"| {name} | {med['cli']:.2f} s | {med[1]:.2f} s | {med[2]:.2f} s | "
              f"{med[1] / med['cli']:.2f}x | {med[2] / med['cli']:.2f}x |")
    for cluster, client in clusters.values():
        client.close()
        cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
