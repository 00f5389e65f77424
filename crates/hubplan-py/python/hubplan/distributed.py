"""hubplan on a Dask cluster: travel-time matrices sharded by origin, sweeps and
alternatives fanned out one task per scenario.

The work is done by the same library as on one machine; Dask only moves tasks and
results. Every function returns exactly what the single-process call returns
(byte-identical CSV text underneath), whatever the number of workers:

* :func:`travel_times` splits the origins into ``shard_origins`` contiguous blocks.
  A journey's time from an origin does not depend on the other origins, and the
  matrix is ordered by origin then destination, so concatenating the blocks in
  order gives the single-process matrix.
* :func:`sweep` and :func:`alternatives` run one task per scenario value. Each
  worker loads the scenario once (cached per worker process, keyed by the
  scenario's path) rather than receiving a pickled copy per task.

Inputs reach the workers as paths (a shared file system, or the same checkout on
every machine) or as scattered frames (``client.scatter``), never pickled per task.
See docs/SCALE.md for running this on a multi-machine cluster.
"""

from __future__ import annotations

import io
import os
from typing import Any, Sequence

import pandas as pd

import hubplan

_SCENARIOS: dict[tuple[str, int | None], Any] = {}


def _load_cached(path: str, gtfs_max_file_mib: int | None) -> Any:
    """The scenario at `path`, loaded once per worker process."""
    key = (os.path.abspath(path), gtfs_max_file_mib)
    sc = _SCENARIOS.get(key)
    if sc is None:
        sc = hubplan.load_scenario(path, gtfs_max_file_mib=gtfs_max_file_mib)
        _SCENARIOS[key] = sc
    return sc


def _matrix_block(gtfs: str, origins: Any, destinations: Any, date: str, window: str, percentile: float,
                  max_minutes: float, block: tuple[int, int], options: dict) -> str:
    if isinstance(origins, pd.DataFrame):
        origins = origins.iloc[block[0]:block[1]]
        block_arg = None
    else:
        block_arg = block
    return hubplan.travel_times_text(gtfs, origins, destinations, date, window, percentile, max_minutes,
                                     origin_block=block_arg, header=True, **options)


def _count_points(points: Any) -> int:
    if isinstance(points, pd.DataFrame):
        return len(points)
    return len(hubplan._native.read_point_ids(os.fspath(points)))


def _blocks(n: int, shards: int) -> list[tuple[int, int]]:
    shards = max(1, min(int(shards), n)) if n else 1
    size, extra = divmod(n, shards)
    out, start = [], 0
    for k in range(shards):
        end = start + size + (1 if k < extra else 0)
        out.append((start, end))
        start = end
    return out


def travel_times_text(gtfs: str | os.PathLike, origins: Any, destinations: Any, date: str,
                      window: str = "07:00-09:00", percentile: float = 50, max_minutes: float = 90, *,
                      client: Any, shard_origins: int = 4, **options: Any) -> str:
    """The travel-time matrix as CSV text, computed in ``shard_origins`` blocks of origins on ``client``."""
    n = _count_points(origins)
    gtfs = os.fspath(gtfs)
    if isinstance(origins, pd.DataFrame):
        origins_ref = client.scatter(origins, broadcast=True)
    else:
        origins_ref = os.fspath(origins)
    if isinstance(destinations, pd.DataFrame):
        dest_ref = client.scatter(destinations, broadcast=True)
    else:
        dest_ref = os.fspath(destinations)
    futures = [
        client.submit(_matrix_block, gtfs, origins_ref, dest_ref, date, window, float(percentile),
                      float(max_minutes), block, dict(options), pure=False)
        for block in _blocks(n, shard_origins)
    ]
    return _concat(client.gather(futures))


def travel_times(gtfs: str | os.PathLike, origins: Any, destinations: Any, date: str,
                 window: str = "07:00-09:00", percentile: float = 50, max_minutes: float = 90, *,
                 client: Any, shard_origins: int = 4, **options: Any) -> pd.DataFrame:
    """As :func:`hubplan.travel_times`, sharded by origin over a Dask ``client``."""
    text = travel_times_text(gtfs, origins, destinations, date, window, percentile, max_minutes,
                             client=client, shard_origins=shard_origins, **options)
    return hubplan._read_csv(io.StringIO(text))


def _concat(parts: Sequence[str]) -> str:
    """CSV texts that each start with the same header, as one text with one header."""
    if not parts:
        return ""
    header, _, _ = parts[0].partition("\n")
    out = [parts[0]]
    for p in parts[1:]:
        h, _, rest = p.partition("\n")
        if h != header:
            raise RuntimeError(f"the workers returned different headers: {header!r} and {h!r}")
        out.append(rest)
    return "".join(out)


def _sweep_row(path: str, gtfs_max_file_mib: int | None, kind: str, value: float) -> str:
    sc = _load_cached(path, gtfs_max_file_mib)
    return sc._project.sweep_csv(kind, [value], 1, True)


def sweep_text(scenario: str | os.PathLike, *, budgets: Sequence[float] | None = None,
               max_minutes: Sequence[float] | None = None, client: Any,
               gtfs_max_file_mib: int | None = None) -> str:
    """sweep.csv as text, one Dask task per value; identical to ``hubplan sweep``."""
    if (budgets is None) == (max_minutes is None):
        raise ValueError("give exactly one of budgets= or max_minutes=")
    kind, values = ("budget", budgets) if budgets is not None else ("max_minutes", max_minutes)
    path = os.fspath(scenario)
    futures = [client.submit(_sweep_row, path, gtfs_max_file_mib, kind, float(v), pure=False) for v in values]
    return _concat(client.gather(futures))


def sweep(scenario: str | os.PathLike, *, budgets: Sequence[float] | None = None,
          max_minutes: Sequence[float] | None = None, client: Any,
          gtfs_max_file_mib: int | None = None) -> pd.DataFrame:
    """Plans ``scenario`` (a path) over budgets or access limits on a Dask ``client``: one table."""
    text = sweep_text(scenario, budgets=budgets, max_minutes=max_minutes, client=client,
                      gtfs_max_file_mib=gtfs_max_file_mib)
    return hubplan._read_csv(io.StringIO(text))


def _alternative(path: str, gtfs_max_file_mib: int | None, k: int, within: float) -> str:
    sc = _load_cached(path, gtfs_max_file_mib)
    return sc._project.alternatives_csv(k, within)


def alternatives(scenarios: Sequence[str | os.PathLike], *, k: int = 5, within: float = 5.0, client: Any,
                 gtfs_max_file_mib: int | None = None) -> pd.DataFrame:
    """Near-optimal alternatives of several scenarios, one task per scenario, gathered into one
    table with a ``scenario`` column."""
    paths = [os.fspath(s) for s in scenarios]
    futures = [client.submit(_alternative, p, gtfs_max_file_mib, int(k), float(within), pure=False)
               for p in paths]
    frames = []
    for p, text in zip(paths, client.gather(futures)):
        df = hubplan._read_csv(io.StringIO(text))
        df.insert(0, "scenario", p)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)
