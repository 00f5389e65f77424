"""hubplan for Python: keep, close or share public buildings so that every family can
still reach a service within a travel-time limit, for less money.

This package wraps the hubplan Rust library (not the command-line tool): the same
loader, checks, exact optimiser, explanations and cabinet appendix as
``hubplan plan``, with pandas / geopandas frames in and out.

>>> import hubplan
>>> sc = hubplan.load_scenario("fixtures/kent/scenario.toml")   # doctest: +SKIP
>>> plan = sc.plan(max_minutes=30, close=["KCC-LIB-004"])        # doctest: +SKIP
>>> plan.status, plan.objective, plan.gap                        # doctest: +SKIP
('optimal', 5011400.0, 0.0)
>>> plan.sites.head()                                            # doctest: +SKIP

Errors in the inputs raise :class:`InputError` (a ``ValueError``) with the same
message as the command line (file, row, field and what was expected); a frame
error names the frame, the column and the row label. An infeasible scenario is not
an error: the plan's ``status`` is ``"infeasible"`` and ``infeasibility`` says why.
Solves and matrix runs release the GIL, so several Python threads can plan at once.
"""

from __future__ import annotations

import difflib
import io
import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from . import _frames
from ._native import HubplanError, InputError, Project, __version__
from ._native import compare_json as _compare_json
from ._native import travel_times_csv as _travel_times_csv

__all__ = [
    "HubplanError",
    "InputError",
    "Plan",
    "Scenario",
    "compare",
    "load_scenario",
    "travel_times",
    "__version__",
]

# Keyword settings of Scenario.from_frames, and where each goes in the scenario TOML.
_SETTINGS = {
    "max_minutes": ("access", "max_minutes"),
    "beyond_limit": ("access", "beyond_limit"),
    "beyond_limit_tolerance_minutes": ("access", "beyond_limit_tolerance_minutes"),
    "objective": ("objective", "kind"),
    "then": ("objective", "then"),
    "tolerance": ("objective", "tolerance"),
    "budget": ("limits", "budget"),
    # The number of hubs (limits.sites): `sites` is the sites frame in from_frames.
    "n_sites": ("limits", "sites"),
    "min_sites": ("limits", "min_sites"),
    "max_sites": ("limits", "max_sites"),
    "keep": ("limits", "keep"),
    "close": ("limits", "close"),
    "time_limit_s": ("solver", "time_limit_s"),
    "gap": ("solver", "gap"),
    "backend": ("solver", "backend"),
    "need_column": ("inputs", "need_column"),
}
_SECTIONS = ("services", "report", "capacity", "about", "study")

# Keyword overrides of Scenario.plan (the what-if levers), as the library names them.
_OVERRIDES = ("keep", "close", "free", "max_minutes", "budget", "savings_target", "capital_budget", "objective",
              "sites", "time_limit_s")
_ID_LISTS = ("keep", "close", "free")
# Text columns of the output tables; read as written ("NA" is a building's id, not a missing value).
_TEXT = {c: str for c in ("id", "name", "district", "kind", "status", "decision", "nearest_site",
                          "nearest_site_before", "zone_id", "site_id", "closed_sites", "error")}


def _read_csv(source: Any) -> pd.DataFrame:
    """A table hubplan wrote: only an empty cell is missing, text columns stay text."""
    return pd.read_csv(source, dtype=_TEXT, keep_default_na=False, na_values=[""])


def _override(key: str, value: Any) -> Any:
    """One what-if override as JSON: lists of ids, plain numbers; errors name the override."""
    value = _frames.plain_value(value)
    if key in _ID_LISTS:
        if isinstance(value, str):
            raise TypeError(f"{key}= expects a list of site ids, found the string {value!r} (write [{value!r}])")
        try:
            return [str(v) if not isinstance(v, str) and hasattr(v, "item") else v for v in value]
        except TypeError:
            raise TypeError(f"{key}= expects a list of site ids, found {type(value).__name__}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{key}: expected a finite number, found {value}")
    return value


def _unknown(kind: str, key: str, known: Iterable[str]) -> TypeError:
    known = sorted(known)
    near = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return TypeError(f"unknown {kind} {key!r}{hint}; known: {', '.join(known)}")


def _file_crs(path: Path) -> str:
    """The CRS of a scenario's sites file, from its header (BNG when it has easting/northing only)."""
    try:
        if path.suffix.lower() in (".geojson", ".json"):
            with open(path, encoding="utf-8-sig") as f:
                head = f.read(4096)
            return _frames.BNG if "27700" in head else _frames.WGS84
        with open(path, encoding="utf-8-sig") as f:
            header = f.readline()
        cols = {c.strip().strip('"').lower() for c in header.split(",")}
        return _frames.plain_crs(pd.DataFrame(columns=list(cols)))
    except OSError:
        return _frames.WGS84


class Plan:
    """One solved plan: decisions, totals, explanations, and the files of ``hubplan plan``.

    ``status`` is ``"optimal"``, ``"feasible"`` (time limit reached: see ``gap``),
    ``"infeasible"`` (see ``infeasibility``) or ``"unknown"``.
    """

    def __init__(self, outcome: Any, scenario: "Scenario"):
        self._outcome = outcome
        self._scenario = scenario
        self._doc = json.loads(outcome.plan_json())

    def __repr__(self) -> str:
        return (f"<hubplan.Plan status={self.status!r} objective={self.objective!r} "
                f"gap={self.gap!r} sites_after={self.totals.get('sites_after')!r}>")

    @property
    def status(self) -> str:
        """optimal | feasible | infeasible | unknown."""
        return self._doc["status"]

    @property
    def objective(self) -> float | None:
        """The objective value of the plan (None without a plan)."""
        return self._doc.get("objective")

    @property
    def bound(self) -> float | None:
        """The proven bound on the objective."""
        return self._doc.get("bound")

    @property
    def gap(self) -> float | None:
        """The relative gap between objective and bound (0 when proven optimal)."""
        return self._doc.get("gap")

    @property
    def totals(self) -> dict:
        """Buildings, money, need and minutes before and after, as in plan.json."""
        return self._doc.get("totals") or {}

    @property
    def infeasibility(self) -> dict | None:
        """Why no plan exists (zones and the blocking rule), or None."""
        return self._doc.get("infeasibility")

    @property
    def warnings(self) -> list:
        """The warnings of the inputs and of this what-if's own settings (e.g. a
        ``max_minutes`` outside 5-180 minutes), as in plan.json."""
        return list(self._doc.get("warnings") or [])

    @property
    def explanations(self) -> Any:
        """The reason for every decision, as in plan.json."""
        return self._doc.get("explanations")

    @property
    def summary(self) -> str:
        """The plain-text summary that ``hubplan plan`` prints."""
        return self._outcome.summary_text()

    @property
    def document(self) -> dict:
        """The whole plan.json document, as a dict."""
        return self._doc

    def to_json(self) -> str:
        """plan.json, byte for byte as ``hubplan plan`` writes it."""
        return self._outcome.plan_json()

    def _table(self, name: str, layer: str) -> pd.DataFrame:
        df = _read_csv(io.BytesIO(bytes(self._outcome.file(name))))
        return self._scenario._with_geometry(df, layer)

    @property
    def sites(self) -> pd.DataFrame:
        """sites.csv as a frame (a GeoDataFrame in the inputs' CRS when geopandas is installed)."""
        return self._table("sites.csv", "site")

    @property
    def zones(self) -> pd.DataFrame:
        """zones.csv as a frame (a GeoDataFrame in the inputs' CRS when geopandas is installed)."""
        return self._table("zones.csv", "zone")

    def write(self, directory: str | os.PathLike, report: bool = True) -> Path:
        """Writes the same files as ``hubplan plan --out DIR [--report]``, atomically."""
        self._outcome.write(os.fspath(directory), bool(report))
        return Path(directory)


class Scenario:
    """A loaded scenario: inputs, travel times and rules, read and checked once.

    Plans and what-ifs re-use the loaded data; nothing is read again.
    """

    def __init__(self, project: Any, crs: str, geometry: dict | None = None, tmp: str | None = None):
        self._project = project
        self.crs = crs
        self._geometry = geometry or {}
        self._tmp = tmp

    def __del__(self):  # the private folder of from_frames
        tmp = getattr(self, "_tmp", None)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    def __repr__(self) -> str:
        return f"<hubplan.Scenario {self._project.describe()}>"

    @property
    def notices(self) -> list:
        """Warnings raised while loading the inputs."""
        return json.loads(self._project.notices_json())

    @classmethod
    def from_frames(cls, sites: Any = None, zones: Any = None, travel_times: Any = None, services: Any = None,
                    /, **settings: Any) -> "Scenario":
        """A scenario from frames instead of files.

        ``sites`` and ``zones`` are pandas DataFrames with the columns of the file
        formats (docs/FORMATS.md: ``id``, ``lon``/``lat`` or ``easting``/``northing``,
        ``annual_cost``…) or GeoDataFrames in WGS84 or British National Grid
        (zone polygons are taken at their centroid, as from a GeoJSON file);
        ``travel_times`` has ``zone_id, site_id, minutes``; ``services`` is optional.
        The frames may also be given by keyword (``sites=``, ``zones=``…).
        Settings: ``max_minutes``, ``objective``, ``budget``, ``n_sites`` (the number of
        hubs, ``limits.sites``; ``sites`` is the sites frame), ``keep``, ``close``,
        ``time_limit_s``, ``gap``, ``need_column``, ``beyond_limit``…, and whole sections
        as dicts: ``services={...}``, ``report={...}``, ``about={...}``, ``limits={...}``.
        An error in a setting names it as given here (``keep=``, ``limits['sites']``).
        """
        frames = {"sites": sites, "zones": zones, "travel_times": travel_times, "services": services}
        if isinstance(services, Mapping):  # the [services] section, given in the frame's place
            frames["services"] = None
            settings.setdefault("services", services)
        for key in ("sites", "zones", "travel_times", "services"):
            if key not in settings:
                continue
            value = settings[key]
            if key == "services" and isinstance(value, Mapping):
                continue  # the [services] section
            if key == "sites" and not hasattr(value, "columns"):
                n = _frames.plain_value(value)
                raise TypeError(
                    f"from_frames: sites={n!r} names the sites frame, not the number of hubs; give the number of "
                    f"hubs as n_sites={n!r} (or limits={{'sites': {n!r}}})")
            if frames[key] is not None:
                raise TypeError(f"from_frames: the {key} frame is given twice, as an argument and as {key}=")
            frames[key] = settings.pop(key)
        missing = [k for k in ("sites", "zones", "travel_times") if frames[k] is None]
        if missing:
            raise TypeError(f"from_frames: missing the {' and '.join(missing)} frame{'s' if len(missing) > 1 else ''}")
        sites, zones, travel_times, services = (frames[k] for k in ("sites", "zones", "travel_times", "services"))
        sections: dict[str, dict[str, Any]] = {}
        inputs: dict[str, Any] = {}
        # How the caller spelt each setting, "section.key" -> "keep=" or "limits['sites']",
        # for errors (the scenario file written here is private).
        spelt: dict[str, str] = {}
        for key, value in settings.items():
            if key in _SECTIONS or key == "limits" and isinstance(value, Mapping):
                if not isinstance(value, Mapping):
                    raise TypeError(f"{key}= expects a dict of the [{key}] section's keys")
                sections.setdefault(key, {}).update(value)
                for name in value:
                    spelt[f"{key}.{name}"] = f"{key}[{str(name)!r}]"
            elif key in _SETTINGS:
                section, name = _SETTINGS[key]
                spelt[f"{section}.{name}"] = f"{key}="
                if section == "inputs":
                    inputs[name] = value
                else:
                    sections.setdefault(section, {})[name] = value
            else:
                raise _unknown("setting", key, list(_SETTINGS) + list(_SECTIONS) + ["limits"])
        tmp = tempfile.mkdtemp(prefix="hubplan-frames-")
        try:
            files = {}
            geometry = {}
            crs = None
            for kind, frame, layer in (("sites", sites, "site"), ("zones", zones, "zone"),
                                       ("travel_times", travel_times, None), ("services", services, None)):
                if frame is None:
                    continue
                fname, info = _frames.write_frame(frame, kind, tmp, kind)
                files[kind] = info
                inputs[kind] = fname
                if layer is not None:
                    fcrs = _frames.frame_crs(frame) or _frames.plain_crs(frame)
                    crs = crs or fcrs
                    if _frames._is_geo(frame):
                        ids = frame[[c for c in frame.columns if str(c).lower() == "id"][0]].astype(str)
                        geometry[layer] = (list(ids), frame.geometry, fcrs)
            text, keys = _frames.scenario_toml(inputs, {s: sections.get(s, {}) for s in
                                                        ("access", "objective", "limits", "solver") + _SECTIONS})
            with open(os.path.join(tmp, "scenario.toml"), "w", encoding="utf-8") as f:
                f.write(text)
            try:
                project = Project.load(os.path.join(tmp, "scenario.toml"), None)
            except HubplanError as e:
                message = _frames.translate_error(str(e), files, tmp)
                raise type(e)(_frames.name_settings(message, keys, spelt)) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return cls(project, crs or _frames.WGS84, geometry, tmp)

    def plan(self, **overrides: Any) -> Plan:
        """Plans the scenario, optionally with what-if overrides.

        Overrides: ``keep`` / ``close`` (lists of site ids forced open / closed, added to
        the scenario's), ``free`` (site ids the scenario forces, left to the optimiser),
        ``max_minutes``, ``budget``, ``objective``
        (``min_cost`` | ``max_coverage`` | ``min_travel``), ``sites`` (exact count),
        ``savings_target`` and ``capital_budget`` (co-location scenarios), ``time_limit_s``.
        The GIL is released while solving.
        """
        for key in overrides:
            if key not in _OVERRIDES:
                raise _unknown("override", key, _OVERRIDES)
        body = {k: _override(k, v) for k, v in overrides.items() if v is not None}
        return Plan(self._project.plan(json.dumps(body)), self)

    def sweep(self, budgets: Sequence[float] | None = None, max_minutes: Sequence[float] | None = None,
              threads: int | None = None) -> pd.DataFrame:
        """Plans the scenario over budgets or access limits: the table ``hubplan sweep`` writes (sweep.csv)."""
        if (budgets is None) == (max_minutes is None):
            raise ValueError("give exactly one of budgets= or max_minutes=")
        kind, values = ("budget", budgets) if budgets is not None else ("max_minutes", max_minutes)
        text = self._project.sweep_csv(kind, [float(v) for v in values], threads)
        return _read_csv(io.StringIO(text))

    def alternatives(self, k: int = 5, within: float = 5.0) -> pd.DataFrame:
        """Near-optimal alternative plans (one-flip neighbours within ``within`` % of the optimum)."""
        if int(k) < 0:
            raise ValueError(f"k: expected a whole number ≥ 0, found {k}")
        return _read_csv(io.StringIO(self._project.alternatives_csv(int(k), float(within))))

    # -- geometry of the outputs -------------------------------------------------------------
    def _with_geometry(self, df: pd.DataFrame, layer: str) -> pd.DataFrame:
        try:
            import geopandas as gpd  # noqa: PLC0415
        except ImportError:
            return df
        if layer in self._geometry:
            ids, geoms, crs = self._geometry[layer]
            by_id = dict(zip(ids, list(geoms)))
            g = gpd.GeoDataFrame(df, geometry=[by_id.get(i) for i in df["id"].astype(str)], crs=crs)
            return g
        points = json.loads(self._project.points_json(layer))
        xy = [points.get(i) for i in df["id"].astype(str)]
        g = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy([p[0] if p else None for p in xy],
                                                             [p[1] if p else None for p in xy]),
                             crs=_frames.WGS84)
        if self.crs != _frames.WGS84:
            g = g.to_crs(self.crs)
        return g


def load_scenario(path: str | os.PathLike, *, gtfs_max_file_mib: int | None = None) -> Scenario:
    """Loads a scenario file (TOML) and every input it names, computing travel times from
    ``[transit]`` when it has one. Raises :class:`InputError` on bad input."""
    p = Path(path)
    project = Project.load(os.fspath(p), gtfs_max_file_mib)
    crs = _frames.WGS84
    sites = project.input_path("sites")
    if sites:
        crs = _file_crs(Path(sites))
    return Scenario(project, crs)


def _points_file(points: Any, folder: str, name: str) -> str:
    if isinstance(points, (str, os.PathLike)):
        return os.fspath(points)
    fname, _ = _frames.write_frame(points, "zones" if name == "origins" else "sites", folder, name)
    target = os.path.join(folder, f"{name}{Path(fname).suffix}")
    os.replace(os.path.join(folder, fname), target)
    return target


def travel_times(gtfs: str | os.PathLike, origins: Any, destinations: Any, date: str,
                 window: str = "07:00-09:00", percentile: float = 50, max_minutes: float = 90,
                 **options: Any) -> pd.DataFrame:
    """Public-transport travel times from a GTFS feed plus walking: ``zone_id, site_id, minutes``.

    ``origins`` / ``destinations`` are paths (CSV or GeoJSON with ``id`` and a
    position) or frames. ``options``: ``walk_speed`` (km/h), ``detour``,
    ``max_walk``, ``max_transfer_walk`` (m), ``transfer_slack`` (s), ``max_rides``,
    ``share_within`` (min), ``gtfs_max_file_mib`` (walks on OpenStreetMap streets are
    the command line's ``--osm``). The result is the same table ``hubplan travel-times``
    writes. A refused value raises :class:`InputError` naming the argument as given
    (``walk_speed: 0 is not a walking speed in km/h, above 0 and below 50``).
    """
    text = travel_times_text(gtfs, origins, destinations, date, window, percentile, max_minutes, **options)
    return _read_csv(io.StringIO(text))


def travel_times_text(gtfs: Any, origins: Any, destinations: Any, date: str, window: str = "07:00-09:00",
                      percentile: float = 50, max_minutes: float = 90, origin_block: tuple[int, int] | None = None,
                      header: bool = True, **options: Any) -> str:
    """As :func:`travel_times`, as the CSV text (optionally for a block of origins, for sharding)."""
    tmp = tempfile.mkdtemp(prefix="hubplan-points-")
    try:
        o = _points_file(origins, tmp, "origins")
        d = _points_file(destinations, tmp, "destinations")
        return _travel_times_csv(os.fspath(gtfs), o, d, date, window, float(percentile), float(max_minutes),
                                 json.dumps(options), origin_block, header)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def compare(a: Plan | str | os.PathLike, b: Plan | str | os.PathLike) -> dict:
    """Compares two plans (Plan objects, plan directories or plan.json paths): the sites
    that differ and the changes in cost and coverage, as ``hubplan compare`` reports them."""

    def doc(x: Any) -> str:
        if isinstance(x, Plan):
            return x.to_json()
        p = Path(x)
        if p.is_dir():
            p = p / "plan.json"
        return p.read_text(encoding="utf-8")

    return json.loads(_compare_json(doc(a), doc(b)))
