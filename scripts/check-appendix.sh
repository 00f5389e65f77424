#!/usr/bin/env bash
# Checks a cabinet appendix as a reader would see it.
#
# Usage:
#   scripts/check-appendix.sh PATH/TO/appendix.html [SCREENSHOT.png]
#
# 1. Static checks of the HTML: it is self-contained (no <script>, no
#    <link>, no @import, no URL other than the SVG namespace), it has the
#    map (<svg> with zone dots and a legend) and the tables (summary, by
#    district, equality, closures, method and provenance).
# 2. Renders it with headless Chromium at A4-ish size (1240 x 1754 px) into a
#    PNG (default: next to the HTML, appendix.png) and checks that the image
#    is not blank: it must decode, be the requested size, and contain many
#    distinct colours (text, table bands, the map's travel-time bands).
#
# Needs: chromium (or chromium-browser / google-chrome) and python3 (stdlib only).
# In CI: apt-get install -y chromium. Exit status 0 = all checks passed,
# 1 = a check failed, 2 = usage or missing tool.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  sed -n '2,18p' "$0" >&2
  exit 2
fi
html=$1
if [ ! -s "$html" ]; then
  echo "check-appendix: $html does not exist or is empty" >&2
  exit 1
fi
html_abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
png=${2:-$(dirname "$html_abs")/appendix.png}

browser=""
for b in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
  echo "check-appendix: no chromium found (apt-get install -y chromium)" >&2
  exit 2
fi
command -v python3 >/dev/null 2>&1 || { echo "check-appendix: python3 is needed" >&2; exit 2; }

echo "== static checks of $html"
python3 - "$html_abs" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
fail = []
def need(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fail.append(what)
need(html.lstrip().lower().startswith("<!doctype html>"), "an HTML5 document")
need("<svg" in html, "the map is inline SVG")
zones = re.search(r'<g id="zones".*?</g>', html, re.S)
need(zones is not None and zones.group(0).count("<path") + zones.group(0).count("<circle") >= 10, "the map has zone cells")
need('id="districts"' in html and 'id="labels"' in html, "the map has district outlines and labels")
need('aria-labelledby="map-title map-desc"' in html and '<desc id="map-desc">' in html, "the map's text alternative states its finding")
need(html.count("<caption>") >= 4 and 'scope="col"' in html, "tables have captions and header scopes")
need("counter(page)" in html, "printed pages are numbered")
need('id="legend"' in html and 'id="scale"' in html, "the map has a legend and a scale bar")
for heading in ["Summary", "By district", "Equality", "Method and provenance"]:
    need(re.search(r"<h2[^>]*>\d+\. " + re.escape(heading), html) is not None, "section: " + heading)
need(re.search(r"<h2[^>]*>\d+\. (Closures|Why no plan)", html) is not None, "section: Closures (or infeasibility)")
need(html.count("<table") >= 4, "at least 4 tables (found %d)" % html.count("<table"))
need(re.search(r"[0-9a-f]{64}", html) is not None, "a SHA-256 of an input")
need("<script" not in html.lower(), "no scripts")
need("<link" not in html.lower() and "@import" not in html, "no external stylesheets")
# Resources the page would fetch: src/srcset/poster/data/xlink:href attributes and CSS url(...).
# Sources cited as text (the [about] sources' links) are not fetched and are allowed.
fetch = r"(?:\b(?:src|srcset|poster|data|xlink:href)\s*=\s*[\"']?|url\(\s*[\"']?)((?:https?:)?//[^\s\"'<>)]+)"
urls = [u for u in re.findall(fetch, html) if "www.w3.org/2000/svg" not in u]
need(not urls, "nothing fetched from the network" + ("" if not urls else ": " + ", ".join(urls[:3])))
need("@page" in html and "A4" in html, "A4 print styles")
sys.exit(1 if fail else 0)
PY

echo "== screenshot with $browser"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
# --virtual-time-budget lets layout settle; nothing is loaded from the network.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" --virtual-time-budget=3000 \
  --screenshot="$png" --window-size=1240,1754 "file://$html_abs" >/dev/null 2>&1 || true
if [ ! -s "$png" ]; then
  echo "FAIL chromium wrote no screenshot at $png" >&2
  exit 1
fi

echo "== checks of $png"
python3 - "$png" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)
if data[:8] != b"\x89PNG\r\n\x1a\n":
    fail("not a PNG")
pos, chunks = 8, []
while pos < len(data):
    n, = struct.unpack(">I", data[pos:pos + 4])
    kind = data[pos + 4:pos + 8]
    chunks.append((kind, data[pos + 8:pos + 8 + n]))
    pos += 12 + n
ihdr = dict(chunks)[b"IHDR"]
w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", ihdr)
if depth != 8 or ctype not in (2, 6) or interlace != 0:
    fail("unexpected PNG format (depth %d, colour type %d, interlace %d)" % (depth, ctype, interlace))
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(b"".join(c for k, c in chunks if k == b"IDAT"))
stride = w * bpp
prev = bytearray(stride)
colours, nonwhite, i = {}, 0, 0
for y in range(h):
    f = raw[i]; i += 1
    line = bytearray(raw[i:i + stride]); i += stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 2 == 0:
        for x in range(0, stride, bpp * 2):
            px = bytes(line[x:x + 3])
            colours[px] = colours.get(px, 0) + 1
            if px != b"\xff\xff\xff":
                nonwhite += 1
sampled = sum(colours.values())
share = nonwhite / max(sampled, 1)
print("ok   %d x %d pixels" % (w, h))
print("     %d distinct colours, %.1f%% of sampled pixels not white" % (len(colours), 100 * share))
if (w, h) != (1240, 1754):
    fail("expected 1240 x 1754")
if len(colours) < 64:
    fail("fewer than 64 distinct colours: the page looks blank or unstyled")
if share < 0.05:
    fail("less than 5% of the page is not white: it looks blank")
# The map's travel-time bands must be visible (dark green, green, amber or red cells).
bands = [(0x00, 0x57, 0x3f), (0x3f, 0x7f, 0x1f), (0x8a, 0x65, 0x00), (0xb8, 0x00, 0x1f)]
seen = [b for b in bands if any(abs(k[0] - b[0]) + abs(k[1] - b[1]) + abs(k[2] - b[2]) < 12 for k in colours)]
print("     %d of 4 map band colours visible" % len(seen))
if not seen:
    fail("no map band colour visible: the map is not drawn in the first page")
print("ok   the screenshot is not blank and shows the map")
PY
echo "screenshot: $png"
