"""Scenarios from pandas / geopandas frames: round trips and bad frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hubplan

gpd = pytest.importorskip("geopandas")


@pytest.fixture
def tiny(root):
    d = root / "fixtures" / "tiny"
    sites = pd.read_csv(d / "sites.csv", dtype={"id": str}, keep_default_na=False)
    zones = pd.read_csv(d / "zones.csv", dtype={"id": str})
    travel = pd.read_csv(d / "travel_times.csv", dtype={"zone_id": str, "site_id": str})
    return sites, zones, travel


def test_plain_frames_reach_the_known_optimum(tiny):
    sites, zones, travel = tiny
    plan = hubplan.Scenario.from_frames(sites, zones, travel, max_minutes=35, objective="min_cost").plan()
    assert plan.status == "optimal"
    assert plan.objective == 75000


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:27700"])
def test_geodataframes_round_trip_in_their_crs(tiny, crs):
    sites, zones, travel = tiny
    gs = gpd.GeoDataFrame(sites.drop(columns=["lon", "lat"]),
                          geometry=gpd.points_from_xy(sites.lon, sites.lat), crs="EPSG:4326").to_crs(crs)
    gz = gpd.GeoDataFrame(zones.drop(columns=["lon", "lat"]),
                          geometry=gpd.points_from_xy(zones.lon, zones.lat), crs="EPSG:4326").to_crs(crs)
    sc = hubplan.Scenario.from_frames(gs, gz, travel, max_minutes=35)
    assert sc.crs == crs
    plan = sc.plan()
    assert plan.objective == 75000
    out = plan.sites
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs.to_epsg() == int(crs.split(":")[1])
    # the geometry handed back is the one handed in
    by_id = dict(zip(gs["id"], gs.geometry))
    for i, g in zip(out["id"], out.geometry):
        assert g.equals(by_id[i])


def test_zone_polygons_are_taken_at_their_centroid(tiny):
    sites, zones, travel = tiny
    gz = gpd.GeoDataFrame(zones.drop(columns=["lon", "lat"]),
                          geometry=gpd.points_from_xy(zones.lon, zones.lat), crs="EPSG:4326")
    gz["geometry"] = gz.to_crs("EPSG:27700").geometry.buffer(150, cap_style=3).to_crs("EPSG:4326")  # squares
    plan = hubplan.Scenario.from_frames(sites, gz, travel, max_minutes=35).plan()
    assert plan.objective == 75000
    assert (plan.zones.geometry.geom_type == "Polygon").all()


def test_missing_column_names_the_column(tiny):
    sites, zones, travel = tiny
    with pytest.raises(ValueError, match=r"sites: missing column 'id'"):
        hubplan.Scenario.from_frames(sites.drop(columns=["id"]), zones, travel)


def test_nan_cost_names_column_and_row_label(tiny):
    sites, zones, travel = tiny
    sites = sites.set_index(pd.Index(["a", "b", "c", "d", "e"]))
    sites["annual_cost"] = sites["annual_cost"].astype(float)
    sites.loc["c", "annual_cost"] = np.nan
    with pytest.raises(ValueError, match=r"column 'annual_cost', row 'c'"):
        hubplan.Scenario.from_frames(sites, zones, travel)


def test_reader_errors_are_translated_to_the_row_label(tiny):
    sites, zones, travel = tiny
    sites = sites.copy()
    sites["annual_cost"] = sites["annual_cost"].astype(str)
    sites.loc[2, "annual_cost"] = "abc"
    with pytest.raises(hubplan.InputError) as e:
        hubplan.Scenario.from_frames(sites, zones, travel)
    msg = str(e.value)
    assert "sites frame, row 2" in msg and "annual_cost" in msg and "abc" in msg
    assert isinstance(e.value, ValueError)


def test_unknown_travel_id_says_did_you_mean(tiny):
    sites, zones, travel = tiny
    travel = travel.copy()
    travel.loc[0, "site_id"] = "AA"
    with pytest.raises(hubplan.InputError, match=r"travel_times frame, row 0.*unknown site id \"AA\""):
        hubplan.Scenario.from_frames(sites, zones, travel)


def test_unknown_setting_is_refused(tiny):
    sites, zones, travel = tiny
    with pytest.raises(TypeError, match="did you mean 'max_minutes'"):
        hubplan.Scenario.from_frames(sites, zones, travel, max_mins=35)


def test_not_a_frame(tiny):
    _, zones, travel = tiny
    with pytest.raises(ValueError, match="expected a pandas DataFrame"):
        hubplan.Scenario.from_frames([1, 2], zones, travel)
