// Drives the `hubplan serve` page in headless Chromium as a person would:
// load it, click a building the baseline keeps on the map, force it closed,
// re-plan, and print what the page shows (JSON on stdout); saves a screenshot.
// Then re-plans a few more times and brings the first what-if back from the
// history, which keeps whole answers only for the last few (app.js HISTORY_FULL).
//
// Usage: node scripts/check-serve.mjs URL SCREENSHOT.png CHROMIUM
// Needs playwright-core (no browser download: it drives the given Chromium).
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(process.env.PLAYWRIGHT_CORE_DIR ? join(process.env.PLAYWRIGHT_CORE_DIR, "x.js") : import.meta.url);
const { chromium } = require("playwright-core");

const [url, shot, exe] = process.argv.slice(2);
if (!url || !shot || !exe) {
  console.error("usage: node check-serve.mjs URL SCREENSHOT.png CHROMIUM");
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), "hubplan-serve-chromium-"));
// playwright passes --user-data-dir=<profile> itself with a persistent context,
// and --headless with headless: true; the other flags are the project's usual ones.
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: exe,
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const close = () => ctx.close();
let page;
const fail = async (msg) => {
  console.error("FAIL " + msg);
  try { await page.screenshot({ path: shot }); } catch (_) {}
  await close();
  rmSync(profile, { recursive: true, force: true });
  process.exit(1);
};
// Offline: any request that leaves the server fails the check.
const outside = [];
ctx.on("request", (r) => { if (!r.url().startsWith(url) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) outside.push(r.url()); });
page = await ctx.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
await page.goto(url);
await page.waitForSelector("body[data-ready='1']", { timeout: 60000 }).catch(() => fail("the page never became ready: " + errors.join("; ")));
const zones = await page.locator("#zones-layer circle").count();
const sites = await page.locator("#sites-layer g.site").count();
if (zones < 10 || sites < 10) await fail(`the map has ${zones} zones and ${sites} sites`);
// A building the baseline keeps, and the map marker for it.
// Prefer buildings whose closure leaves a plan (the library's explanation says when
// a zone has no other building within the limit at all); fall back to any kept one.
const kept = await page.evaluate(async () => {
  const plan = await (await fetch("/api/plan")).json();
  const ex = new Map(((plan.explanations || {}).sites || []).map((e) => [e.id, e.text || ""]));
  const ids = [...document.querySelectorAll("#sites-layer g.site[data-decision='keep']")].map((g) => g.getAttribute("data-site"));
  const ok = ids.filter((id) => !/no other building/.test(ex.get(id) || ""));
  return [...ok, ...ids.filter((id) => !ok.includes(id))];
});
if (!kept.length) await fail("no kept building on the map");
// Zoom in so that markers are apart, then click the first kept building whose
// marker is the topmost element at its centre (so the click lands on it).
await page.click("#zoom-in");
await page.click("#zoom-in");
const target = await page.evaluate((ids) => {
  const map = document.getElementById("map").getBoundingClientRect();
  for (const id of ids) {
    const g = document.querySelector(`[data-site="${id}"]`);
    const r = g.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < map.left + 60 || y < map.top + 60 || x > map.right - 20 || y > map.bottom - 20) continue;
    const hit = document.elementFromPoint(x, y);
    if (hit && hit.closest("g.site") === g) return { id, x, y };
  }
  return null;
}, kept);
if (!target) await fail("no kept building can be clicked on the map");
await page.mouse.click(target.x, target.y);
await page.waitForSelector("#force-close", { timeout: 10000 }).catch(() => fail("clicking a building did not open its card"));
// The building actually clicked (a neighbouring marker may lie on top).
const clicked = (await page.locator("#site-title b").innerText()).trim();
const clickedDecision = await page.getAttribute(`[data-site="${clicked}"]`, "data-decision");
await page.click("#force-close");
await page.click("#replan");
await page.waitForSelector("body[data-replans='1']", { timeout: 120000 }).catch(() => fail("re-plan did not finish: " + (errors.join("; "))));
const text = async (sel) => (await page.locator(sel).innerText()).trim();
const shown = {};
for (const k of ["sites_after", "annual_cost_after", "saving", "backlog_removed", "opening_cost", "objective", "status", "need_after"]) {
  shown[k] = await text(`#sum-${k}-whatif`);
}
const infeasibleShown = await page.locator("#infeasible").isVisible();
const diffCount = await page.locator("#diff-count").count() ? await text("#diff-count") : "";
const markDecision = await page.getAttribute(`[data-site="${clicked}"]`, "data-decision");
await page.screenshot({ path: shot });
// The history keeps whole answers for the last few re-plans only (app.js HISTORY_FULL):
// re-plan several more times, then bring the first one back; it is re-planned from
// its request and must show what it showed the first time.
const full = await page.evaluate(() => HISTORY_FULL);
const more = full + 2;
for (let i = 0; i < more; i++) {
  await page.fill("#max-minutes", String(30 + i));
  await page.click("#replan");
  await page.waitForSelector(`body[data-replans='${2 + i}']`, { timeout: 120000 }).catch(() => fail(`re-plan ${2 + i} did not finish: ` + errors.join("; ")));
}
const history = await page.evaluate(() => ({
  entries: S.history.length,
  whole: S.history.filter((h) => h.res).length,
  attr: document.body.getAttribute("data-history-full"),
}));
await page.click("#history-list li:first-child a");
await page.waitForSelector("body[data-restored='1']", { timeout: 120000 }).catch(() => fail("history entry #1 was not brought back: " + errors.join("; ")));
const restored = {};
for (const k of Object.keys(shown)) restored[k] = await text(`#sum-${k}-whatif`);
const restoredDecision = await page.getAttribute(`[data-site="${clicked}"]`, "data-decision");
const afterRestore = await page.evaluate(() => S.history.filter((h) => h.res).length);
await close();
rmSync(profile, { recursive: true, force: true });
if (errors.length) { console.error("FAIL page errors: " + errors.join("; ")); process.exit(1); }
if (outside.length) { console.error("FAIL the page fetched from outside the server: " + outside.join(", ")); process.exit(1); }
console.log(JSON.stringify({ site: clicked, baseline_decision: clickedDecision, decision_after: markDecision, shown, diff: diffCount, infeasible_shown: infeasibleShown, zones, sites,
  history: { full, replans: 1 + more, entries: history.entries, whole: history.whole, whole_attr: Number(history.attr), whole_after_restore: afterRestore, restored, restored_decision: restoredDecision } }));
