# Usage: python3 interpolate_poa.py GTFS_FOLDER  (rewrites stop_times.txt in place; run on an unzipped COPY of poa_eptc.zip)
# Fill POA's blank intermediate stop times (haversine distance along the trip), as hubplan does,
# so that ferrobus (which rejects blank times) can read the feed.
import csv, math, collections
import sys
src = sys.argv[1].rstrip("/") + "/"
stops = {}
with open(src + "stops.txt", newline="", encoding="utf-8-sig") as f:
    for r in csv.DictReader(f):
        stops[r["stop_id"]] = (float(r["stop_lat"]), float(r["stop_lon"]))
def hav(a, b):
    p1, p2 = math.radians(a[0]), math.radians(b[0]); dp = p2 - p1; dl = math.radians(b[1] - a[1])
    h = math.sin(dp/2)**2 + math.cos(p1)*math.cos(p2)*math.sin(dl/2)**2
    return 2*6371008.8*math.asin(min(1, math.sqrt(h)))
def pt(s):
    h, m, x = s.split(":"); return int(h)*3600 + int(m)*60 + int(x)
def fmt(t):
    return f"{t//3600:02d}:{t%3600//60:02d}:{t%60:02d}"
with open(src + "stop_times.txt", newline="", encoding="utf-8-sig") as f:
    rd = csv.DictReader(f); fields = rd.fieldnames; rows = list(rd)
trips = collections.defaultdict(list)
for r in rows: trips[r["trip_id"]].append(r)
for rs in trips.values():
    rs.sort(key=lambda r: int(r["stop_sequence"]))
    d = [0.0]
    for a, b in zip(rs, rs[1:]): d.append(d[-1] + hav(stops[a["stop_id"]], stops[b["stop_id"]]))
    timed = [i for i, r in enumerate(rs) if r["arrival_time"].strip() or r["departure_time"].strip()]
    for i, j in zip(timed, timed[1:]):
        ta = pt(rs[i]["departure_time"] or rs[i]["arrival_time"]); tb = pt(rs[j]["arrival_time"] or rs[j]["departure_time"])
        for k in range(i+1, j):
            fr = (d[k]-d[i])/(d[j]-d[i]) if d[j] > d[i] else (k-i)/(j-i)
            t = int(math.floor(ta + (tb-ta)*fr + 0.5)); rs[k]["arrival_time"] = rs[k]["departure_time"] = fmt(t)
with open(src + "stop_times.txt", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields); w.writeheader()
    for rs in trips.values(): w.writerows(rs)
print("ok", len(rows))
