#!/usr/bin/env python3
"""Writes the notice-code cases of tests/cases/ (one folder per code).

Each folder is a whole scenario that triggers exactly one code (its `expect` file);
`base/` triggers none. Run from anywhere: python3 make_cases.py (it rewrites the
folders next to it). The data are made up: a small area around Maidstone, Kent.
"""
import copy
import math
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

SITE_COLS = ["id", "name", "lon", "lat", "district", "kind", "status", "annual_cost", "backlog",
             "open_cost", "capacity", "services", "disposal_receipt"]
ZONE_COLS = ["id", "name", "lon", "lat", "district", "need", "population", "imd_rank", "imd_decile"]

BASE_SITES = [
    dict(id="S1", name="Northgate Centre", lon=0.500, lat=51.300, district="North", kind="children_centre", status="existing", annual_cost=30000, backlog=100000, open_cost=0, capacity=250, services="children_centre", disposal_receipt=200000),
    dict(id="S2", name="Riverside Library", lon=0.560, lat=51.290, district="North", kind="library", status="existing", annual_cost=80000, backlog=300000, open_cost=0, capacity=900, services="library", disposal_receipt=600000),
    dict(id="S3", name="Park Youth Club", lon=0.470, lat=51.250, district="South", kind="youth_hub", status="existing", annual_cost=45000, backlog=50000, open_cost=0, capacity=300, services="youth", disposal_receipt=150000),
    dict(id="S4", name="Market Hall", lon=0.540, lat=51.240, district="South", kind="children_centre", status="existing", annual_cost=52000, backlog=80000, open_cost=0, capacity=200, services="children_centre", disposal_receipt=250000),
    dict(id="S5", name="Hill Centre", lon=0.600, lat=51.260, district="South", kind="children_centre", status="existing", annual_cost=38000, backlog=20000, open_cost=0, capacity=150, services="children_centre", disposal_receipt=90000),
    dict(id="S6", name="New Hub", lon=0.520, lat=51.275, district="North", kind="hub", status="candidate", annual_cost=40000, backlog=0, open_cost=150000, capacity=400, services="", disposal_receipt=0),
]

BASE_ZONES = []
k = 0
for i, lat in enumerate([51.235, 51.260, 51.285, 51.305]):
    for j, lon in enumerate([0.48, 0.56]):
        k += 1
        rank = 1000 + 3500 * k  # deciles 2..9
        BASE_ZONES.append(dict(id=f"Z{k}", name=f"Area {k}", lon=round(lon + 0.01 * i, 4), lat=lat,
                               district="North" if lat > 51.27 else "South",
                               need=200 + 10 * k, population=1500 + 100 * k,
                               imd_rank=rank, imd_decile=math.ceil(rank * 10 / 32844)))

SCENARIO = """[inputs]
sites = "sites.csv"
zones = "zones.csv"
travel_times = "travel_times.csv"
{extra_inputs}
[access]
max_minutes = {limit}

[objective]
kind = "{objective}"
{extra}
[solver]
time_limit_s = 10
"""

TRANSIT_SCENARIO = """[inputs]
sites = "sites.csv"
zones = "zones.csv"

[access]
max_minutes = 35

[objective]
kind = "min_cost"

[transit]
gtfs = "gtfs"
date = "2024-01-08"
window = "07:00-09:00"
"""


def km(a, b):
    R = 6371.0088
    la1, la2 = math.radians(a["lat"]), math.radians(b["lat"])
    dla = la2 - la1
    dlo = math.radians(b["lon"] - a["lon"])
    h = math.sin(dla / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlo / 2) ** 2
    return 2 * R * math.asin(math.sqrt(h))


def travel(sites, zones):
    """Bus-like minutes: 4 minutes plus 2.5 minutes a km (24 km/h)."""
    return [[z["id"], s["id"], round(4 + 2.5 * km(z, s), 1)] for z in zones for s in sites]


def csv_cell(v):
    v = "" if v is None else str(v)
    if any(c in v for c in ',"\n'):
        v = '"' + v.replace('"', '""') + '"'
    return v


def write_csv(path, cols, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join(csv_cell(r.get(c, "") if isinstance(r, dict) else r[i]) for i, c in enumerate(cols)) + "\n")


GTFS = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test Buses,https://example.invalid,Europe/London\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_type\nR1,A,1,3\n",
    "trips.txt": "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n",
}
STOPS = [("P1", 0.49, 51.24), ("P2", 0.53, 51.27), ("P3", 0.56, 51.30)]


def stop_times(start_h):
    out = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    for t, h in (("T1", start_h), ("T2", start_h + 1)):
        for n, (sid, _, _) in enumerate(STOPS):
            m = 10 * n
            out += f"{t},{h:02d}:{m:02d}:00,{h:02d}:{m:02d}:00,{sid},{n + 1}\n"
    return out


def write_case(name, code, sites=None, zones=None, trav=None, limit=35, objective="min_cost", extra="",
               extra_inputs="", files=None, transit=False, gtfs=None, stops=None, start_h=7, note="",
               has=(), lacks=()):
    d = os.path.join(HERE, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    sites = sites if sites is not None else copy.deepcopy(BASE_SITES)
    zones = zones if zones is not None else copy.deepcopy(BASE_ZONES)
    write_csv(os.path.join(d, "sites.csv"), SITE_COLS, sites)
    write_csv(os.path.join(d, "zones.csv"), ZONE_COLS, zones)
    if transit:
        open(os.path.join(d, "scenario.toml"), "w").write(TRANSIT_SCENARIO)
        g = os.path.join(d, "gtfs")
        os.makedirs(g)
        files_g = dict(GTFS)
        files_g["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\n" + "".join(
            f"{s},{s},{la},{lo}\n" for s, lo, la in (stops or STOPS))
        files_g["stop_times.txt"] = stop_times(start_h)
        files_g.update(gtfs or {})
        for fn, text in files_g.items():
            open(os.path.join(g, fn), "w").write(text)
    else:
        rows = trav if trav is not None else travel(sites, zones)
        write_csv(os.path.join(d, "travel_times.csv"), ["zone_id", "site_id", "minutes"], rows)
        open(os.path.join(d, "scenario.toml"), "w").write(
            SCENARIO.format(limit=limit, objective=objective, extra=extra, extra_inputs=extra_inputs))
    for fn, text in (files or {}).items():
        open(os.path.join(d, fn), "w", encoding="utf-8").write(text)
    with open(os.path.join(d, "expect"), "w") as f:
        if note:
            f.write(f"# {note}\n")
        if code:
            f.write(f"code {code}\n")
        for t in has:
            f.write(f"has {t}\n")
        for t in lacks:
            f.write(f"lacks {t}\n")


def sites_with(**changes):
    s = copy.deepcopy(BASE_SITES)
    for k, v in changes.items():
        i, col = k.split("__")
        s[int(i)][col] = v
    return s


def zones_with(**changes):
    z = copy.deepcopy(BASE_ZONES)
    for k, v in changes.items():
        i, col = k.split("__")
        z[int(i)][col] = v
    return z


# The sites of site_far_from_zones_case in WGS84 (EPSG:27700 -> EPSG:4326 with pyproj,
# rounded to 6 decimals): (easting, northing) -> (lon, lat).
LONLAT = {(341000, 359000): (-2.883133, 53.124888), (345000, 363000): (-2.824053, 53.161269),
          (343500, 360500): (-2.846043, 53.138642), (363500, 341500): (-2.544932, 52.969606)}


def site_far_from_zones_case(lonlat=False):
    """Chester audit (session 16): a site whose easting and northing are swapped. Near
    Chester the two are alike, so the swap moves a site some 30 km, within 25 km of other
    points (no `point_far_from_others`) but far outside the zones. Both files in British
    National Grid metres; the travel times are those of the true positions.

    With `lonlat` (session 17), the sites file gives the same positions in lon/lat: the
    site is as far out, but a lon/lat row has no easting and northing to swap, so the
    warning must not say they look swapped."""
    zones, sites = [], []
    k = 0
    for n in (358000, 361000, 364000):
        for e in (340000, 343000, 346000):
            k += 1
            rank = 1000 + 3500 * k
            zones.append(dict(id=f"Z{k}", name=f"Area {k}", easting=e, northing=n, district="West",
                              need=200 + 10 * k, population=1500 + 100 * k, imd_rank=rank,
                              imd_decile=math.ceil(rank * 10 / 32844)))
    # (id, name, true easting, true northing, annual cost)
    true = [("S1", "Northgate Centre", 341000, 359000, 30000), ("S2", "Riverside Library", 345000, 363000, 80000),
            ("S3", "Park Youth Club", 343500, 360500, 45000), ("S4", "Hill Centre", 341500, 363500, 38000)]
    for sid, name, e, n, cost in true:
        written = (n, e) if sid == "S4" else (e, n)  # S4's pair swapped
        pos = dict(zip(("lon", "lat"), LONLAT[written])) if lonlat else dict(easting=written[0], northing=written[1])
        sites.append(dict(id=sid, name=name, **pos, district="West",
                          kind="children_centre", status="existing", annual_cost=cost, backlog=50000, open_cost=0,
                          capacity=300, services="children_centre", disposal_receipt=100000))
    trav = [[z["id"], sid, round(4 + 2.5 * math.hypot(z["easting"] - e, z["northing"] - n) / 1000, 1)]
            for z in zones for sid, _, e, n, _ in true]
    def text(cols, rows):
        return ",".join(cols) + "\n" + "".join(",".join(str(r[c]) for c in cols) + "\n" for r in rows)
    site_cols = ["id", "name"] + (["lon", "lat"] if lonlat else ["easting", "northing"]) + SITE_COLS[4:]
    zone_cols = ["id", "name", "easting", "northing"] + ZONE_COLS[4:]
    if lonlat:
        write_case("site_far_from_zones_lonlat", "site_far_from_zones", trav=trav,
                   files={"sites.csv": text(site_cols, sites), "zones.csv": text(zone_cols, zones)},
                   note="a site 24 km outside the zones, given in lon/lat: no easting/northing swap hint",
                   lacks=["look swapped"])
    else:
        write_case("site_far_from_zones", "site_far_from_zones", trav=trav,
                   files={"sites.csv": text(site_cols, sites), "zones.csv": text(zone_cols, zones)},
                   note="a site whose easting and northing are swapped (about 30 km from where it is)",
                   has=["its easting and northing look swapped"])


def main():
    write_case("base", None, note="a clean scenario: no notice at all")
    # Places
    # (the travel times of the place cases are those of the true positions: only the geocoding is wrong)
    good = travel(BASE_SITES, BASE_ZONES)
    write_case("point_outside_crs_area", "point_outside_crs_area", sites=sites_with(**{"1__lon": -74.006, "1__lat": 40.713}), trav=good,
               note="a building geocoded to New York")
    write_case("bng_values_in_wgs84_columns", "bng_values_in_wgs84_columns", zones=zones_with(**{"2__lon": 575000, "2__lat": 155000}))
    bng = "id,name,easting,northing,status,annual_cost\nS1,Northgate Centre,0.5,51.3,existing,30000\n"
    write_case("wgs84_values_in_bng_columns", "wgs84_values_in_bng_columns", files={"sites.csv": bng})
    write_case("lat_lon_swapped", "lat_lon_swapped", zones=zones_with(**{"3__lon": 51.26, "3__lat": 0.56}))
    write_case("point_at_null_island", "point_at_null_island", zones=zones_with(**{"4__lon": 0, "4__lat": 0}), trav=good)
    write_case("point_far_from_others", "point_far_from_others", sites=sites_with(**{"2__lon": -2.244, "2__lat": 53.483}), trav=good,
               note="a Kent building geocoded to Manchester")
    london = copy.deepcopy(BASE_SITES)
    for s in london:
        s["lon"] -= 0.75
        s["lat"] += 0.22
    write_case("zones_and_sites_apart", "zones_and_sites_apart", sites=london, limit=150,
               note="the sites file of another area (60 km away)")
    site_far_from_zones_case()
    site_far_from_zones_case(lonlat=True)
    # Ids
    dup = sites_with(**{"1__id": "S1"})
    write_case("duplicate_id", "duplicate_id", sites=dup, trav=travel(BASE_SITES, BASE_ZONES))
    write_case("duplicate_id_after_normalisation", "duplicate_id_after_normalisation", sites=sites_with(**{"1__id": "s1"}))
    write_case("invisible_character", "invisible_character", sites=sites_with(**{"2__id": "S\u200b3"}),
               note="an id with a zero-width space")
    tr = travel(BASE_SITES, BASE_ZONES)
    tr[5][0] = "Z99"
    write_case("unknown_reference", "unknown_reference", trav=tr)
    # Zones
    write_case("zone_need_zero", "zone_need_zero", zones=zones_with(**{"1__need": 0}))
    write_case("zone_population_missing", "zone_population_missing", zones=zones_with(**{"1__population": ""}))
    write_case("zone_population_zero", "zone_population_zero", zones=zones_with(**{"1__population": 0}))
    write_case("zone_need_above_population", "zone_need_above_population", zones=zones_with(**{"1__need": 5000}))
    write_case("imd_decile_out_of_range", "imd_decile_out_of_range", zones=zones_with(**{"1__imd_decile": 11}))
    write_case("imd_decile_disagrees_with_rank", "imd_decile_disagrees_with_rank", zones=zones_with(**{"1__imd_decile": 9, "1__imd_rank": 100}))
    # Newport audit (session 18): Welsh LSOAs (W01) with WIMD 2019 ranks among Wales'
    # 1909 LSOAs. Ranks that agree with their WIMD deciles raise nothing (they were all
    # called wrong against England's 32844); the one that disagrees is named against Wales.
    wales = copy.deepcopy(BASE_ZONES)
    for i, z in enumerate(wales):
        z["id"] = f"W0100{1600 + i}"
        z["imd_rank"] = 150 + 220 * i  # WIMD deciles 1..9
        z["imd_decile"] = math.ceil(z["imd_rank"] * 10 / 1909)
    wales[1]["imd_decile"] = 9
    write_case("imd_decile_disagrees_with_rank_wales", "imd_decile_disagrees_with_rank", zones=wales,
               has=["zone \"W01001601\" has IMD decile 9 but imd_rank 370, which is decile 2 of Wales' 1909 LSOAs (WIMD 2019)"],
               lacks=["England", "W01001600", "W01001602"])
    write_case("zones_at_same_point", "zones_at_same_point", zones=zones_with(**{"5__lon": BASE_ZONES[4]["lon"], "5__lat": BASE_ZONES[4]["lat"]}))
    lsoa = copy.deepcopy(BASE_ZONES)
    for i, z in enumerate(lsoa[:-1]):
        z["id"] = f"E0102{i:04d}"
    write_case("lsoa_code_malformed", "lsoa_code_malformed", zones=lsoa)
    # Buildings
    write_case("site_without_annual_cost", "site_without_annual_cost", sites=sites_with(**{"3__annual_cost": 0}))
    write_case("site_capacity_zero", "site_capacity_zero", sites=sites_with(**{"3__capacity": 0}))
    write_case("negative_value", "negative_value", sites=sites_with(**{"3__backlog": -5000}))
    services = "id,name,max_minutes\nchildren_centre,Children's centre,\nlibrary,Library,\nyouth,Youth,\n"
    write_case("unknown_service", "unknown_service", sites=sites_with(**{"2__services": "yuoth"}),
               extra_inputs='services = "services.csv"', files={"services.csv": services})
    write_case("candidate_without_opening_cost", "candidate_without_opening_cost", sites=sites_with(**{"5__open_cost": 0}))
    write_case("site_cost_outlier", "site_cost_outlier", sites=sites_with(**{"4__annual_cost": 9000000}))
    # Travel times
    tr = travel(BASE_SITES, BASE_ZONES)
    tr = [r for r in tr if not (r[0] == "Z1" and r[1] in ("S5", "S2"))]
    write_case("travel_pairs_missing", "travel_pairs_missing", trav=tr)
    small = zones_with(**{"7__need": 1})
    tr = travel(BASE_SITES, small)
    for r in tr:
        if r[0] == "Z8":
            r[2] = 80 + r[2]
    write_case("zone_no_site_within_twice_limit", "zone_no_site_within_twice_limit", zones=small, trav=tr)
    tr = travel(BASE_SITES, BASE_ZONES)
    tr[3][2] = -7
    write_case("travel_time_negative", "travel_time_negative", trav=tr)
    tr = travel(BASE_SITES, BASE_ZONES)
    tr[3][2] = 1500
    write_case("travel_time_over_24_hours", "travel_time_over_24_hours", trav=tr)
    tr = [[z, s, round(m / 60, 3)] for z, s, m in travel(BASE_SITES, BASE_ZONES)]
    write_case("travel_times_unlike_walking", "travel_times_unlike_walking", trav=tr,
               note="minutes written as hours")
    tr = travel(BASE_SITES, BASE_ZONES)
    for r in tr:
        if r[0] == "Z8":
            r[2] = 40 + r[2]
    write_case("need_unreachable_share", "need_unreachable_share", trav=tr)
    tr = [[z, s, round(32 + m, 1)] for z, s, m in travel(BASE_SITES, BASE_ZONES)]
    write_case("no_need_within_limit", "no_need_within_limit", trav=tr,
               note="every journey 32 minutes longer: no zone reaches a site within 35 minutes")
    # GTFS
    write_case("gtfs_base", None, transit=True, note="a clean timetable scenario: no notice at all")
    write_case("gtfs_calendar_not_covering_date", "gtfs_calendar_not_covering_date", transit=True,
               gtfs={"calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20200101,20201231\n"})
    write_case("gtfs_no_trips_in_window", "gtfs_no_trips_in_window", transit=True, start_h=14)
    write_case("gtfs_stops_far_from_places", "gtfs_stops_far_from_places", transit=True,
               stops=STOPS[:2] + [("P3", 0.95, 51.30)], note="one stop 30 km east of the area")
    write_case("gtfs_feed_outside_area", "gtfs_feed_outside_area", transit=True,
               stops=[(s, lo - 2.75, la + 2.2) for s, lo, la in STOPS], note="a Manchester timetable for a Kent scenario")
    st = stop_times(7).replace("T1,07:10:00,07:10:00,P2", "T1,,,P2")
    write_case("gtfs_repaired_interpolated", "gtfs_repaired_interpolated", transit=True, gtfs={"stop_times.txt": st},
               note="a blank stop time, interpolated by the loader")
    # The rule and the scenario
    write_case("access_limit_out_of_range", "access_limit_out_of_range", limit=240)
    write_case("budget_below_cheapest_plan", "budget_below_cheapest_plan", extra="\n[limits]\nbudget = 20000\n")
    write_case("budget_never_binds", "budget_never_binds", extra="\n[limits]\nbudget = 10000000\n")
    write_case("keep_and_close_same_site", "keep_and_close_same_site", extra='\n[limits]\nkeep = ["S1"]\nclose = ["S1"]\n')
    svc_sites = sites_with(**{"5__services": ""})
    write_case("savings_target_above_running_cost", "savings_target_above_running_cost", sites=svc_sites,
               extra_inputs='services = "services.csv"', files={"services.csv": services},
               extra='\n[services]\nsavings_target = 10000000\n', limit=60)
    write_case("service_without_building", "service_without_building", sites=svc_sites,
               extra_inputs='services = "services.csv"', files={"services.csv": services + "midwifery,Midwifery,\n"},
               extra='\n[services]\n', limit=60, note="midwifery is planned but no building hosts or can host it")
    write_case("scenario_contradiction", "scenario_contradiction", objective="max_coverage",
               note="max_coverage with neither a budget nor a site count")
    # The loader
    s = open(os.path.join(HERE, "base", "sites.csv")).read().splitlines()
    s[0] += ",colour"
    s[1:] = [l + ",blue" for l in s[1:]]
    write_case("input_remark", "input_remark", files={"sites.csv": "\n".join(s) + "\n"}, note="an unknown column, ignored")
    write_case("input_error", "input_error", files={"zones.csv": "id;need\nZ1;5\n"}, note="a semicolon-separated file")


if __name__ == "__main__":
    main()
