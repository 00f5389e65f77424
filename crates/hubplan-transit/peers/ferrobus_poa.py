# Usage: python3 ferrobus_poa.py GTFS_FOLDER POA_OSM_PBF FIXTURES_DIR [MINUTES]   (pip install ferrobus==0.2.1)
# ferrobus 0.2.1 on the hubplan transit benchmark case (same session, same machine).
import csv, datetime, statistics, sys, time
import ferrobus

def pts(p):
    with open(p) as f:
        return [(float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f)]

fx = sys.argv[3].rstrip("/") + "/"
O = pts(fx + "bench_origins_1000.csv")
D = pts(fx + "bench_destinations_200.csv")
t = time.time()
model = ferrobus.create_transit_model(sys.argv[2], [sys.argv[1]], datetime.date(2019, 5, 13), 400)
t_build = time.time() - t
allp = []
idx = []  # position in allp of each O+D point, or None when it cannot snap to the OSM network
for lat, lon in O + D:
    try:
        allp.append(ferrobus.create_transit_point(lat, lon, model, 900, 10))
        idx.append(len(allp) - 1)
    except ValueError:
        idx.append(None)
print(f"model built in {t_build:.1f} s; {len(allp)} of {len(idx)} points snapped", flush=True)
minutes = int(sys.argv[4]) if len(sys.argv) > 4 else 60
t = time.time()
per_pair = [[[] for _ in D] for _ in O]
for m in range(minutes):
    dep = 14 * 3600 + 60 * m
    mat = ferrobus.travel_time_matrix(model, allp, dep, 10)
    for i in range(len(O)):
        if idx[i] is None:
            for j in range(len(D)): per_pair[i][j].append(float("inf"))
            continue
        row = mat[idx[i]]
        for j in range(len(D)):
            k = idx[len(O) + j]
            v = None if k is None else row[k]
            per_pair[i][j].append(float("inf") if v is None else v)
t_q = time.time() - t
med = [[sorted(x)[(len(x) + 1) // 2 - 1] for x in r] for r in per_pair]
within = sum(1 for r in med for v in r if v <= 90 * 60)
print(f"{minutes} departures: {t_q:.1f} s query (+{t_build:.1f} s build); pairs with median <= 90 min: {within} ({100*within/(len(O)*len(D)):.1f}%)")
