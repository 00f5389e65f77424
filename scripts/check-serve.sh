#!/usr/bin/env bash
# Checks the `hubplan serve` page in a real browser (headless Chromium):
# load the page for the Kent fixture, force a building closed by clicking it
# on the map, re-plan, and check that the totals the page shows equal those of
# `hubplan plan` on the same scenario with that closure; re-plan five more
# times, check the page keeps at most HISTORY_FULL whole answers, and bring the
# first what-if back from the history (the same totals). Saves a screenshot.
#
# Usage:
#   scripts/check-serve.sh [HUBPLAN_BINARY] [SCREENSHOT.png]
#     HUBPLAN_BINARY  default target/release/hubplan (built if missing)
#     SCREENSHOT.png  default target/check-serve/serve.png
#
# Needs: chromium (apt-get install -y chromium), node and npm (playwright-core
# is installed from the npm registry into target/check-serve/node, no browser
# download), python3 (stdlib only). Exit status 0 = passed, 1 = a check
# failed, 2 = usage or missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/release/hubplan}
work=target/check-serve
shot=${2:-$work/serve.png}
scenario=fixtures/kent/scenario.toml
mkdir -p "$work"

browser=""
for b in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
[ -n "$browser" ] || { echo "check-serve: no chromium found (apt-get install -y chromium)" >&2; exit 2; }
command -v node >/dev/null 2>&1 || { echo "check-serve: node is needed" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "check-serve: python3 is needed" >&2; exit 2; }
if [ ! -x "$bin" ]; then
  echo "== building $bin"
  cargo build --release --locked -p hubplan-cli
fi
nodedir=$work/node
if [ ! -d "$nodedir/node_modules/playwright-core" ]; then
  echo "== installing playwright-core into $nodedir"
  mkdir -p "$nodedir"
  npm install --silent --no-save --no-audit --no-fund --prefix "$nodedir" playwright-core@1.65 >/dev/null
fi

out=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$out"
}
trap cleanup EXIT

echo "== hubplan serve $scenario"
"$bin" serve "$scenario" --port 0 --out "$out/serve" >"$out/serve.log" 2>"$out/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 600); do
  url=$(grep -o 'http://[0-9.:]*/' "$out/serve.log" 2>/dev/null | head -1 || true)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/serve.err" >&2; echo "FAIL the server exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "FAIL the server printed no URL" >&2; exit 1; }
echo "   $url"

echo "== browser: click a kept building, force it closed, re-plan; more re-plans, bring the first back"
PLAYWRIGHT_CORE_DIR="$(pwd)/$nodedir/node_modules" timeout 300 node scripts/check-serve.mjs "$url" "$shot" "$browser" >"$out/page.json"
cat "$out/page.json"

echo "== hubplan plan with that closure"
site=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["site"])' "$out/page.json")
python3 - "$scenario" "$site" "$out/closed.toml" <<'PY'
import os, sys
src, site, dst = sys.argv[1:]
base = os.path.dirname(os.path.abspath(src))
text = open(src, encoding="utf-8").read()
for f in ["sites.csv", "zones.csv", "travel_times.csv", "services.csv"]:
    text = text.replace('"%s"' % f, '"%s"' % os.path.join(base, f))
assert "[limits]" not in text
text += '\n[limits]\nclose = ["%s"]\n' % site
open(dst, "w", encoding="utf-8").write(text)
PY
"$bin" plan "$out/closed.toml" --out "$out/cli" --quiet >/dev/null || true

echo "== compare"
python3 - "$out/page.json" "$out/cli/plan.json" "$shot" <<'PY'
import json, sys, os
page = json.load(open(sys.argv[1]))
plan = json.load(open(sys.argv[2]))
shot = sys.argv[3]
t = plan["totals"]
def money(x):
    return ("-£" if x < 0 else "£") + "{:,.0f}".format(abs(x))
want = {
    "sites_after": "{:,}".format(t["sites_after"]),
    "annual_cost_after": money(t["annual_cost_after"]),
    "saving": money(t["saving"]),
    "backlog_removed": money(t["backlog_removed"]),
    "opening_cost": money(t["opening_cost"]),
    "objective": money(plan["objective"]) if plan["objective"] is not None else "–",
    "status": plan["status"],
    "need_after": "{:.1f}%".format(100 * t["need_covered_after"] / t["need_total"]),
}
fail = []
def need(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fail.append(what)
need(page["baseline_decision"] == "keep", "the clicked building %s is kept in the baseline" % page["site"])
if plan["status"] in ("optimal", "feasible"):
    need(page["decision_after"] == "close", "after re-planning the map shows %s closed" % page["site"])
    need(page["diff"].startswith("1 building") or "differ" in page["diff"], "the difference lists the buildings that changed: %r" % page["diff"])
else:
    need(page["infeasible_shown"], "the page shows why closing %s leaves no plan" % page["site"])
for k, v in want.items():
    need(page["shown"].get(k) == v, "%s shown %r, hubplan plan %r" % (k, page["shown"].get(k), v))
need(os.path.getsize(shot) > 20000, "screenshot %s written (%d bytes)" % (shot, os.path.getsize(shot)))
h = page["history"]
need(h["entries"] == h["replans"], "the history lists every re-plan (%d of %d)" % (h["entries"], h["replans"]))
need(h["whole"] <= h["full"] and h["whole_attr"] == h["whole"],
     "after %d re-plans the page keeps %d whole answers (at most %d)" % (h["replans"], h["whole"], h["full"]))
need(h["whole_after_restore"] <= h["full"] + 1, "bringing back #1 keeps %d whole answers (at most %d)" % (h["whole_after_restore"], h["full"] + 1))
need(h["restored"] == page["shown"], "#1 brought back (re-planned from its request) shows what it showed: %r" % h["restored"])
if plan["status"] in ("optimal", "feasible"):
    need(h["restored_decision"] == "close", "#1 brought back shows %s closed" % page["site"])
sys.exit(1 if fail else 0)
PY
echo "check-serve: passed (screenshot $shot)"
