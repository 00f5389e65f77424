"""Turning pandas / geopandas frames into hubplan's input files, and errors back.

hubplan reads its inputs through one validated boundary (the Rust ``hubplan-io``
readers): every check, message and number format is the same whether the data
came from a file or a frame. A frame is therefore written, column for column, into
the file format that boundary reads (CSV, or GeoJSON when it has polygon
geometries) in a private temporary folder, and read back by the same code as
``hubplan plan``. Errors that name that private file are translated back to the
frame's name and the row's index label.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from typing import Any, Mapping

import numpy as np
import pandas as pd

# Columns that must be numbers (when present) in each kind of frame.
NUMERIC = {
    "sites": ["annual_cost", "backlog", "open_cost", "capacity", "disposal_receipt",
              "max_users", "users_today"],
    "zones": ["need", "population", "imd_decile"],
    "travel_times": ["minutes"],
    "services": ["max_minutes", "space", "conversion_cost"],
}
# Numeric columns where an empty cell is meaningful (unlimited / not given): NaN is allowed.
NULLABLE = {
    "sites": {"capacity", "open_cost", "backlog", "disposal_receipt", "max_users", "users_today"},
    "zones": {"imd_decile", "population"},
    "travel_times": {"minutes"},
    "services": {"max_minutes", "space", "conversion_cost"},
}
REQUIRED = {
    "sites": ["id"],
    "zones": ["id"],
    "travel_times": [],
    "services": ["id"],
}
LIST_COLUMNS = {"services", "can_host"}

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"


class FrameError(ValueError):
    """A frame given to hubplan is not usable: the message names the frame, the column and the row label."""


def _is_geo(df: Any) -> bool:
    return hasattr(df, "geometry") and hasattr(df, "crs") and "geometry" in getattr(df, "columns", [])


def frame_crs(df: Any) -> str | None:
    """The CRS of a GeoDataFrame as 'EPSG:27700' / 'EPSG:4326' / other, or None for a plain frame."""
    if not _is_geo(df) or df.crs is None:
        return None
    epsg = df.crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else df.crs.to_string()


def plain_crs(df: pd.DataFrame) -> str:
    """The CRS a plain frame's coordinate columns are in."""
    cols = {str(c).strip().lower() for c in df.columns}
    if {"easting", "northing"} <= cols and not ({"lon", "lat"} <= cols):
        return BNG
    return WGS84


def _missing(value: Any) -> bool:
    """None, NaN, pd.NA or NaT: an empty cell."""
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: Any) -> bool:
    """A real number (Python's or numpy's), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _label(df: pd.DataFrame, pos: int) -> str:
    try:
        return repr(df.index[pos])
    except IndexError:
        return f"#{pos}"


def check_frame(df: Any, kind: str, name: str) -> None:
    """Checks the columns a frame must have and the cells that must be numbers.

    Raises FrameError naming the frame, the column and the row label.
    """
    if not isinstance(df, pd.DataFrame):
        raise FrameError(f"{name}: expected a pandas DataFrame or geopandas GeoDataFrame, found {type(df).__name__}")
    if len(df) == 0:
        raise FrameError(f"{name}: the frame has no rows")
    lower = {str(c).strip().lower(): c for c in df.columns}
    for col in REQUIRED[kind]:
        if col not in lower:
            raise FrameError(f"{name}: missing column {col!r}; columns are {list(map(str, df.columns))}")
    if kind == "travel_times":
        if not (({"zone_id", "site_id"} <= lower.keys()) or ({"origin_id", "destination_id"} <= lower.keys())):
            raise FrameError(f"{name}: missing column 'zone_id' and 'site_id' (or 'origin_id' and 'destination_id')")
        if "minutes" not in lower:
            raise FrameError(f"{name}: missing column 'minutes'")
    if kind in ("sites", "zones") and not _is_geo(df):
        if not (({"lon", "lat"} <= lower.keys()) or ({"easting", "northing"} <= lower.keys())
                or ({"longitude", "latitude"} <= lower.keys())):
            raise FrameError(
                f"{name}: missing position columns: give 'lon' and 'lat' (WGS84), "
                "'easting' and 'northing' (British National Grid), or a GeoDataFrame")
    for col in NUMERIC.get(kind, []):
        if col not in lower:
            continue
        series = df[lower[col]]
        for pos, value in enumerate(series.tolist()):
            if _missing(value):  # None, NaN, and the nullable dtypes' pd.NA
                if col in NULLABLE.get(kind, set()):
                    continue
                raise FrameError(
                    f"{name}: column {col!r}, row {_label(df, pos)}: expected a number, found NaN/empty")
            if _number(value):  # numpy scalars too (an object column keeps them)
                if math.isinf(float(value)):
                    raise FrameError(
                        f"{name}: column {col!r}, row {_label(df, pos)}: expected a finite number, found {value}")
                continue
            if isinstance(value, str):
                continue  # text is checked by the reader, with the same message as a file ("£45,000" is allowed)
            raise FrameError(
                f"{name}: column {col!r}, row {_label(df, pos)}: expected a number, found {value!r}")
    for col in df.columns:
        if col == "geometry":
            continue
        # Any dtype: pandas 3 keeps text in its own string dtype, not object.
        for pos, value in enumerate(df[col].tolist()):
            if isinstance(value, str) and ("\n" in value or "\r" in value):
                raise FrameError(
                    f"{name}: column {str(col)!r}, row {_label(df, pos)}: line breaks are not allowed in a cell")
    if kind in ("sites", "zones") and _is_geo(df):
        for pos, geom in enumerate(df.geometry.tolist()):
            if geom is None or geom.is_empty:
                raise FrameError(f"{name}: column 'geometry', row {_label(df, pos)}: the geometry is empty")
            if kind == "sites" and geom.geom_type != "Point":
                raise FrameError(
                    f"{name}: column 'geometry', row {_label(df, pos)}: expected a Point (the building's position), "
                    f"found {geom.geom_type}; give e.g. the frame's .representative_point() or .centroid")


def _to_wgs84(geoms: Any, crs: str | None, name: str) -> Any:
    """The geometries in WGS84, or FrameError naming the frame and its CRS when pyproj cannot convert them."""
    if crs in (WGS84, None):
        return geoms
    try:
        return geoms.to_crs(WGS84)
    except Exception as e:  # pyproj.exceptions.ProjError and CRSError, without importing pyproj here
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise FrameError(
            f"{name}: the frame's CRS ({crs}) cannot be converted to WGS84 (EPSG:4326): {first}; give the frame "
            f"in EPSG:4326 or British National Grid (EPSG:27700)") from None


# Longitudes and latitudes of British National Grid's area of use (hubplan-check's BNG_AREA).
GB_LONLAT = (-9.01, 49.75, 2.01, 61.01)


def check_crs(df: Any, name: str) -> None:
    """A GeoDataFrame without a CRS is refused unless its coordinates are unambiguous.

    Unambiguous means every coordinate is a longitude and latitude within Great Britain's
    area (GB_LONLAT): such small numbers, read as British National Grid metres, would lie
    in the sea off the Scilly Isles, so they are taken as WGS84 (EPSG:4326). Anything
    else (metres, or degrees elsewhere) raises FrameError telling the caller to set the CRS.
    """
    if not _is_geo(df) or df.crs is not None or len(df) == 0:
        return
    minx, miny, maxx, maxy = (float(v) for v in df.geometry.total_bounds)
    lo_lon, lo_lat, hi_lon, hi_lat = GB_LONLAT
    if lo_lon <= minx and maxx <= hi_lon and lo_lat <= miny and maxy <= hi_lat:
        return
    raise FrameError(
        f"{name}: the GeoDataFrame has no CRS, and its coordinates (x {minx:g} to {maxx:g}, y {miny:g} to "
        f"{maxy:g}) are not longitudes and latitudes in Great Britain, so hubplan cannot tell what they are; "
        f"call .set_crs(\"EPSG:4326\") on the frame if they are longitude and latitude, or "
        f".set_crs(\"EPSG:27700\") if they are British National Grid eastings and northings in metres")


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return value


def write_frame(df: Any, kind: str, folder: str, name: str) -> tuple[str, dict]:
    """Writes a checked frame into `folder` and returns (file name, error mapping info)."""
    check_frame(df, kind, name)
    if kind in ("sites", "zones"):
        check_crs(df, name)
    out = pd.DataFrame(df).copy()
    for col in out.columns:
        if str(col).lower() in LIST_COLUMNS:
            out[col] = out[col].map(_cell)
    if kind in ("sites", "zones") and _is_geo(df):
        crs = frame_crs(df)
        geoms = df.geometry
        all_points = all(g.geom_type == "Point" for g in geoms)
        if kind == "zones" and not all_points:
            # Polygons: hand them over as GeoJSON, which the reader takes at their centroid (as from a file).
            import geopandas as gpd  # noqa: PLC0415

            g = gpd.GeoDataFrame(out.drop(columns=["geometry"]), geometry=_to_wgs84(geoms, crs, name), crs=WGS84)
            fname = f"{kind}.geojson"
            path = os.path.join(folder, fname)
            for col in g.columns:
                if col != "geometry" and g[col].dtype == object:
                    g[col] = g[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
            with open(path, "w", encoding="utf-8") as f:
                f.write(g.to_json(na="null", drop_id=True))
            return fname, {"name": name, "file": fname, "index": list(df.index), "geojson": True}
        if crs == BNG:
            out["easting"] = [g.x for g in geoms]
            out["northing"] = [g.y for g in geoms]
        else:
            pts = _to_wgs84(geoms, crs, name)
            out["lon"] = [g.x for g in pts]
            out["lat"] = [g.y for g in pts]
        out = out.drop(columns=["geometry"])
        for col in ("lon", "lat") if crs == BNG else ("easting", "northing"):
            if col in out.columns:
                out = out.drop(columns=[col])
    fname = f"{kind}.csv"
    # Numbers as Python writes them (the shortest text that reads back to the same
    # float), so the reader sees what the frame holds: a 10-digit format turned
    # 12.00000000001 minutes into 12 and £12,345,678.915 into £12,345,678.92.
    out.to_csv(os.path.join(folder, fname), index=False)
    return fname, {"name": name, "file": fname, "index": list(df.index), "geojson": False}


_LINE = re.compile(r"(?P<path>[^\s:]*?(?P<file>sites|zones|travel_times|services)\.(?:csv|geojson)):(?P<line>\d+):")
_FEATURE = re.compile(r"\(in features\[(?P<k>\d+)\]\)")
_OTHER_LINE = re.compile(r"(?<=on )line (\d+)\b")


def translate_error(message: str, files: Mapping[str, dict], folder: str) -> str:
    """Rewrites `<tmp>/sites.csv:5: field x: ...` as `sites frame, row label 'S3': field x: ...`."""

    def repl(m: re.Match) -> str:
        info = files.get(m.group("file"))
        if info is None:
            return m.group(0)
        line = int(m.group("line"))
        if info["geojson"]:
            fm = _FEATURE.search(message)
            if fm:
                k = int(fm.group("k"))
                if 0 <= k < len(info["index"]):
                    return f"{info['name']} frame, row {info['index'][k]!r}:"
            return f"{info['name']} frame:"
        pos = line - 2
        if 0 <= pos < len(info["index"]):
            return f"{info['name']} frame, row {info['index'][pos]!r}:"
        return f"{info['name']} frame (header):"

    out = _LINE.sub(repl, message)
    # "it is also on line 4" (duplicates): the other row, by its label too.
    m = _LINE.search(message)
    info = files.get(m.group("file")) if m else None
    if info is not None and not info["geojson"]:
        def other(mm: re.Match) -> str:
            pos = int(mm.group(1)) - 2
            if 0 <= pos < len(info["index"]):
                return f"row {info['index'][pos]!r}"
            return mm.group(0)

        out = _OTHER_LINE.sub(other, out)
    out = out.replace(folder + os.sep, "").replace(folder, "<frames>")
    # The private file's name elsewhere ("sites.csv: field annual_cost", "an id from sites.csv"): the frame.
    for info in files.values():
        out = re.sub(rf"(?<![\w/<]){re.escape(info['file'])}(?!\w)", f"the {info['name']} frame", out)
    return out


def plain_value(value: Any) -> Any:
    """numpy scalars as Python's, arrays, Series and sets as lists."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return value.item()
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return value


def toml_value(value: Any, key: str = "value") -> str:
    value = plain_value(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise FrameError(f"{key}: expected a finite number, found {value}")
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v, key) for v in value) + "]"
    raise FrameError(f"{key}: cannot write {value!r} ({type(value).__name__}) into a scenario")


def scenario_toml(inputs: Mapping[str, str],
                  sections: Mapping[str, Mapping[str, Any]]) -> tuple[str, dict[int, str]]:
    """The private scenario file, and which setting ("section.key") is on each of its lines."""
    lines = ["# written by hubplan for Python (Scenario.from_frames)", "[inputs]"]
    keys: dict[int, str] = {}
    for key, value in inputs.items():
        lines.append(f"{key} = {toml_value(value, key)}")
        keys[len(lines)] = f"inputs.{key}"
    for section, values in sections.items():
        if not values:
            continue
        lines.append(f"[{section}]")
        for key, value in values.items():
            if value is None:
                continue
            lines.append(f"{key} = {toml_value(value, key)}")
            keys[len(lines)] = f"{section}.{key}"
    return "\n".join(lines) + "\n", keys


_TOML_LINE = re.compile(r"scenario\.toml:(?P<line>\d+):(?: field (?P<field>[\w.]+):)?")


def name_settings(message: str, keys: Mapping[int, str], spelt: Mapping[str, str]) -> str:
    """Rewrites `scenario.toml:9: field limits.keep: …` (the private file from_frames writes)
    as `setting keep=: …`, naming the keyword or section entry the caller gave."""

    def name(line: int, field: str | None = None) -> str | None:
        key = field if field in spelt else keys.get(line)
        return spelt.get(key) if key else None

    def repl(m: re.Match) -> str:
        n = name(int(m.group("line")), m.group("field"))
        return f"setting {n}:" if n else m.group(0)

    return _TOML_LINE.sub(repl, message)
