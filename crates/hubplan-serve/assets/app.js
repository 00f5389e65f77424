// hubplan consultation workbench. Plain JS, no libraries, nothing loaded from
// the network: the map is SVG drawn from the scenario's own geometry.
"use strict";

const S = {
  info: null,
  base: null,        // {plan, sites, zones}: the baseline plan and its GeoJSON
  cur: null,         // the what-if on show: {request, plan, sites, zones, diff, infeasibility, status, gap}
  forced: new Map(), // site id → "keep" | "close" (the what-if being edited)
  selected: null,    // site id
  history: [],       // every re-plan: {n, label, request, forced, summary, res}; res is null once dropped (HISTORY_FULL)
  ticked: [],
  service: 0,
  world: null,       // projected positions
  view: { cx: 0, cy: 0, scale: 1, scale0: 1 },
};

// Whole answers kept in the page: the last HISTORY_FULL re-plans and the one on show.
// An answer is 7–16 MB of JSON at regional scale (docs/SCALE.md), several times that
// once parsed, and a consultation session runs dozens; an older history entry keeps
// its summary (request, totals, decisions: enough for the list and the side-by-side
// comparison) and is re-planned from its request when brought back.
const HISTORY_FULL = 3;

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...kids) => {
  const svg = ["circle", "rect", "path", "g", "text", "line", "polygon", "svg"].includes(tag);
  const e = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
};

// ---------------------------------------------------------------- formatting
const fmtNum = (x, d = 0) =>
  x === null || x === undefined || !isFinite(x) ? "–" : Number(x).toLocaleString("en-GB", { minimumFractionDigits: d, maximumFractionDigits: d });
const money = (x) => (x === null || x === undefined || !isFinite(x) ? "–" : (x < 0 ? "-£" : "£") + fmtNum(Math.abs(x)));
const signedMoney = (x) => (x === null || x === undefined || !isFinite(x) ? "–" : (x > 0 ? "+" : "") + money(x));
const pct = (a, b) => (b > 0 && isFinite(a) ? fmtNum((100 * a) / b, 1) + "%" : "–");
const esc = (s) => String(s ?? "");

// ---------------------------------------------------------------- API
async function api(method, path, body) {
  const r = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let v = null;
  try { v = JSON.parse(text); } catch (_) { v = { error: text }; }
  if (!r.ok) throw Object.assign(new Error(v.error || r.statusText), { field: v.field, status: r.status });
  return v;
}

// ---------------------------------------------------------------- map
// A feature's own point: a zone drawn as its outline carries its point as lon, lat.
function pointOf(f) {
  const p = f.properties || {};
  if (typeof p.lon === "number" && typeof p.lat === "number") return [p.lon, p.lat];
  return f.geometry.coordinates;
}

// The rings of a Polygon or MultiPolygon geometry (outer rings and holes alike); null for a point.
function ringsOf(g) {
  if (!g) return null;
  if (g.type === "Polygon") return g.coordinates;
  if (g.type === "MultiPolygon") return g.coordinates.flat(1);
  return null;
}

function project(features) {
  // A local equirectangular projection in km around the mean latitude.
  const pts = features.map(pointOf);
  const lat0 = pts.reduce((a, p) => a + p[1], 0) / Math.max(1, pts.length);
  const k = Math.cos((lat0 * Math.PI) / 180) * 111.32;
  return (c) => [c[0] * k, -c[1] * 110.57];
}

function screen(p) {
  const v = S.view;
  const svg = $("map");
  return [(p[0] - v.cx) * v.scale + svg.clientWidth / 2, (p[1] - v.cy) * v.scale + svg.clientHeight / 2];
}

function fit() {
  const all = [...S.world.zones, ...S.world.sites];
  for (const rings of S.world.shapes) if (rings) for (const r of rings) all.push(...r);
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const svg = $("map");
  const w = svg.clientWidth || 800, h = svg.clientHeight || 600;
  S.view.cx = (x0 + x1) / 2;
  S.view.cy = (y0 + y1) / 2;
  S.view.scale = 0.92 * Math.min(w / Math.max(1e-6, x1 - x0), h / Math.max(1e-6, y1 - y0));
  S.view.scale0 = S.view.scale;
}

function limitFor(result) {
  const svc = S.info.services[S.service];
  const m = result.plan.scenario && result.plan.scenario.max_minutes;
  if (svc) {
    // The limit the plan itself used for the service (plan.json's services[].max_minutes):
    // a service with its own limit (services.csv) keeps it, whatever the what-if's
    // max_minutes, even when it equals the scenario's default.
    const used = (result.plan.services || []).find((x) => x.id === svc.id);
    if (used && used.max_minutes) return used.max_minutes;
    if (svc.max_minutes) return svc.own_limit ? svc.max_minutes : m || svc.max_minutes;
  }
  return m || S.info.max_minutes || 35;
}

const BANDS = [
  ["#1a9850", (m, L) => m <= L / 2, (L) => `≤ ${fmtNum(L / 2, L % 2 ? 1 : 0)} min`],
  ["#a6d96a", (m, L) => m <= L, (L) => `≤ ${fmtNum(L)} min (within the limit)`],
  ["#fdae61", (m, L) => m <= L + 10, (L) => `${fmtNum(L)}–${fmtNum(L + 10)} min`],
  ["#d7191c", () => true, (L) => `> ${fmtNum(L + 10)} min`],
];
function zoneColour(minutes, L) {
  if (minutes === null || minutes === undefined) return "#bdbdbd";
  for (const [c, test] of BANDS) if (test(minutes, L)) return c;
  return "#d7191c";
}

function zoneAccess(f) {
  const a = f.properties.access || [];
  return a[S.service] || a[0] || f.properties;
}

function buildMap() {
  const zl = $("zones-layer"), sl = $("sites-layer");
  zl.replaceChildren();
  sl.replaceChildren();
  S.base.zones.features.forEach((f, i) => {
    // A zone with an outline is a path in world coordinates (placed by a transform
    // in drawMap); a zone given as a point is a dot.
    const rings = S.world.shapes[i];
    const c = rings
      ? el("path", { class: "zone zone-shape", "data-zone": f.properties.id, "fill-rule": "evenodd",
          d: rings.map((r) => r.map((p, k) => (k ? "L" : "M") + p[0].toFixed(3) + " " + p[1].toFixed(3)).join("") + "Z").join("") })
      : el("circle", { class: "zone", "data-zone": f.properties.id, r: 3 });
    c.addEventListener("mousemove", (ev) => tip(ev, zoneTip(i)));
    c.addEventListener("mouseleave", () => tip(null));
    zl.append(c);
  });
  S.base.sites.features.forEach((f) => {
    const id = f.properties.id;
    const g = el("g", { class: "site", "data-site": id, tabindex: 0, role: "button", "aria-label": `${id} ${f.properties.name}` });
    g.addEventListener("click", (ev) => { if (!S.dragged) { selectSite(id); ev.stopPropagation(); } });
    g.addEventListener("keydown", (ev) => { if (ev.key === "Enter") selectSite(id); });
    g.addEventListener("mousemove", (ev) => tip(ev, siteTip(id)));
    g.addEventListener("mouseleave", () => tip(null));
    sl.append(g);
  });
  // District labels at the mean position of their zones.
  const by = new Map();
  S.base.zones.features.forEach((f, i) => {
    const d = f.properties.district;
    if (!d) return;
    const a = by.get(d) || [0, 0, 0];
    a[0] += S.world.zones[i][0]; a[1] += S.world.zones[i][1]; a[2] += 1;
    by.set(d, a);
  });
  S.world.labels = [...by.entries()].map(([d, a]) => [d, [a[0] / a[2], a[1] / a[2]]]);
  const ll = $("labels-layer");
  ll.replaceChildren(...S.world.labels.map(([d]) => el("text", { class: "label", text: d })));
}

function siteMark(p, f) {
  const dec = f.properties.decision;
  const forced = S.forced.get(f.properties.id);
  const r = 5.5;
  const kids = [];
  if (f.properties.hub) kids.push(el("circle", { r: r + 3.5, fill: "none", stroke: "#d4a000", "stroke-width": 2.5 }));
  if (dec === "keep") kids.push(el("circle", { class: "mark", r, fill: "#2e7d32", stroke: "#0b3d0e", "stroke-width": 1.5 }));
  else if (dec === "open") kids.push(el("rect", { class: "mark", x: -r, y: -r, width: 2 * r, height: 2 * r, transform: "rotate(45)", fill: "#1565c0", stroke: "#0b2e5c", "stroke-width": 1.5 }));
  else if (dec === "close") {
    kids.push(el("circle", { class: "mark", r: r - 1, fill: "#fff", stroke: "#c62828", "stroke-width": 1.5 }));
    kids.push(el("path", { d: `M${-r + 2.5},${-r + 2.5}L${r - 2.5},${r - 2.5}M${-r + 2.5},${r - 2.5}L${r - 2.5},${-r + 2.5}`, stroke: "#c62828", "stroke-width": 2 }));
  } else kids.push(el("circle", { class: "mark", r: r - 2, fill: "#fff", stroke: "#9e9e9e", "stroke-width": 1.5 }));
  if (forced) kids.push(el("rect", { x: -r - 3, y: -r - 3, width: 2 * r + 6, height: 2 * r + 6, fill: "none", stroke: forced === "keep" ? "#0b3d0e" : "#7f0000", "stroke-width": 1.5, "stroke-dasharray": "3 2" }));
  // A larger invisible target makes small markers easy to click.
  kids.push(el("circle", { r: r + 4, fill: "transparent" }));
  return kids;
}

function result() { return S.cur || S.base; }

function drawMap() {
  const res = result();
  const L = limitFor(res);
  const zr = Math.max(2, Math.min(10, 3 * Math.sqrt(S.view.scale / S.view.scale0)));
  const zones = $("zones-layer").children;
  const svg = $("map"), v = S.view;
  const shapeAt = `matrix(${v.scale} 0 0 ${v.scale} ${svg.clientWidth / 2 - v.cx * v.scale} ${svg.clientHeight / 2 - v.cy * v.scale})`;
  res.zones.features.forEach((f, i) => {
    const c = zones[i];
    if (!c) return;
    if (S.world.shapes[i]) {
      c.setAttribute("transform", shapeAt);
      c.setAttribute("fill", zoneColour(zoneAccess(f).minutes, L));
      return;
    }
    const [x, y] = screen(S.world.zones[i]);
    c.setAttribute("cx", x.toFixed(1));
    c.setAttribute("cy", y.toFixed(1));
    c.setAttribute("r", zr.toFixed(1));
    c.setAttribute("fill", zoneColour(zoneAccess(f).minutes, L));
  });
  const sites = $("sites-layer").children;
  res.sites.features.forEach((f, i) => {
    const g = sites[i];
    if (!g) return;
    const [x, y] = screen(S.world.sites[i]);
    g.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)})`);
    g.replaceChildren(...siteMark(S.world.sites[i], f));
    g.classList.toggle("selected", f.properties.id === S.selected);
    g.setAttribute("data-decision", f.properties.decision);
  });
  const show = $("show-labels").checked;
  [...$("labels-layer").children].forEach((t, i) => {
    const [x, y] = screen(S.world.labels[i][1]);
    t.setAttribute("x", x.toFixed(1));
    t.setAttribute("y", y.toFixed(1));
    t.style.display = show ? "" : "none";
  });
  drawLegend(L);
}

function drawLegend(L) {
  const svc = S.info.services[S.service];
  const sw = (c) => `<span class="sw" style="background:${c}"></span>`;
  const mk = (inner) => `<svg width="18" height="18" viewBox="-9 -9 18 18">${inner}</svg>`;
  $("legend").innerHTML =
    `<b>minutes to the nearest open ${svc ? esc(svc.name || svc.id) : "building"}</b><br>` +
    BANDS.map(([c, , label]) => sw(c) + label(L)).join("<br>") + "<br>" + sw("#bdbdbd") + "no building reachable" +
    "<hr>" +
    mk('<circle r="5.5" fill="#2e7d32" stroke="#0b3d0e"/>') + " keep " +
    mk('<rect x="-5" y="-5" width="10" height="10" transform="rotate(45)" fill="#1565c0"/>') + " open " +
    mk('<circle r="4.5" fill="#fff" stroke="#c62828"/><path d="M-3,-3L3,3M-3,3L3,-3" stroke="#c62828" stroke-width="2"/>') + " close " +
    mk('<circle r="3.5" fill="#fff" stroke="#9e9e9e"/>') + " unused" +
    (S.info.model === "services" ? " " + mk('<circle r="7" fill="none" stroke="#d4a000" stroke-width="2.5"/>') + " family hub" : "") +
    " " + mk('<rect x="-8" y="-8" width="16" height="16" fill="none" stroke="#333" stroke-dasharray="3 2"/>') + " forced";
}

function tip(ev, html) {
  const t = $("tooltip");
  if (!ev) { t.hidden = true; return; }
  const box = $("map-pane").getBoundingClientRect();
  t.innerHTML = html;
  t.hidden = false;
  t.style.left = ev.clientX - box.left + 12 + "px";
  t.style.top = ev.clientY - box.top + 12 + "px";
}

function zoneTip(i) {
  const f = result().zones.features[i];
  const a = zoneAccess(f);
  return `<b>${esc(f.properties.id)}</b> ${esc(f.properties.name)}<br>${esc(f.properties.district)}<br>` +
    `${a.minutes === null ? "no building within reach" : fmtNum(a.minutes, 1) + " min to " + esc(a.nearest_site)}` +
    `<br>before: ${a.minutes_before === null ? "none" : fmtNum(a.minutes_before, 1) + " min"}` +
    (a.unreachable ? "<br><i>unreachable even with every building open</i>" : "");
}

function siteTip(id) {
  const f = siteFeature(result(), id);
  return `<b>${esc(id)}</b> ${esc(f.properties.name)}<br>${esc(f.properties.district)} · ${esc(f.properties.kind)}<br>decision: ${esc(f.properties.decision)}` +
    (f.properties.hub ? " (family hub)" : "");
}

function siteFeature(res, id) { return res.sites.features.find((f) => f.properties.id === id); }

function wireMap() {
  const svg = $("map");
  let down = null;
  svg.addEventListener("pointerdown", (ev) => {
    down = { x: ev.clientX, y: ev.clientY, cx: S.view.cx, cy: S.view.cy };
    S.dragged = false;
  });
  window.addEventListener("pointermove", (ev) => {
    if (!down) return;
    const dx = ev.clientX - down.x, dy = ev.clientY - down.y;
    if (!S.dragged && Math.hypot(dx, dy) < 4) return;
    S.dragged = true;
    svg.classList.add("dragging");
    S.view.cx = down.cx - dx / S.view.scale;
    S.view.cy = down.cy - dy / S.view.scale;
    drawMap();
  });
  window.addEventListener("pointerup", () => {
    down = null;
    svg.classList.remove("dragging");
    setTimeout(() => { S.dragged = false; }, 0);
  });
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const box = svg.getBoundingClientRect();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - box.left, ev.clientY - box.top);
  }, { passive: false });
  $("zoom-in").onclick = () => zoomAt(1.5);
  $("zoom-out").onclick = () => zoomAt(1 / 1.5);
  $("zoom-reset").onclick = () => { fit(); drawMap(); };
  $("show-labels").onchange = drawMap;
  window.addEventListener("resize", drawMap);
}

function zoomAt(f, sx, sy) {
  const svg = $("map");
  if (sx === undefined) { sx = svg.clientWidth / 2; sy = svg.clientHeight / 2; }
  const v = S.view;
  const wx = (sx - svg.clientWidth / 2) / v.scale + v.cx;
  const wy = (sy - svg.clientHeight / 2) / v.scale + v.cy;
  v.scale = Math.max(v.scale0 * 0.5, Math.min(v.scale0 * 60, v.scale * f));
  v.cx = wx - (sx - svg.clientWidth / 2) / v.scale;
  v.cy = wy - (sy - svg.clientHeight / 2) / v.scale;
  drawMap();
}

// ---------------------------------------------------------------- summary
function rows(plan) {
  const t = plan.totals || {};
  const services = S.info.model === "services";
  const r = [
    ["sites_before", "Buildings open today", t.sites_before, fmtNum],
    ["sites_after", "Buildings open after", t.sites_after, fmtNum],
    ["sites_closed", "… closed", t.sites_closed, fmtNum],
    ["sites_opened", "… opened", t.sites_opened, fmtNum],
    ["annual_cost_after", "Annual running cost after", t.annual_cost_after, money],
    ["saving", "Annual saving", t.saving, money],
    ["backlog_removed", "Backlog removed", t.backlog_removed, money],
    ["opening_cost", "One-off: opening new buildings", t.opening_cost, money],
  ];
  if (services) {
    r.push(["conversion_cost", "One-off: converting buildings", t.conversion_cost, money]);
    r.push(["capital_cost", "One-off: total", t.capital_cost, money]);
    r.push(["hubs_after", "Family hubs after", t.hubs_after, fmtNum]);
  }
  r.push(["disposal_receipts", "Disposal receipts (one-off)", t.disposal_receipts, money]);
  r.push(["need_before", "Need within the limit today", t.need_total ? t.need_covered_before / t.need_total : null, (x) => pct(x, 1)]);
  r.push(["need_after", "Need within the limit after", t.need_total ? t.need_covered_after / t.need_total : null, (x) => pct(x, 1)]);
  if (!services) r.push(["mean_minutes_after", "Mean minutes after", t.mean_minutes_after, (x) => fmtNum(x, 1)]);
  r.push(["objective", `Objective (${plan.objective_kind})`, plan.objective, (x) => (plan.objective_kind === "min_cost" ? money(x) : fmtNum(x, 1))]);
  r.push(["status", "Solver status", plan.status, esc]);
  r.push(["gap", "Optimality gap", plan.gap, (x) => (x === null || x === undefined ? "–" : fmtNum(100 * x, 4) + "%")]);
  return r;
}

function drawSummary() {
  const b = rows(S.base.plan);
  const c = S.cur ? rows(S.cur.plan) : null;
  const body = $("summary-table").tBodies[0];
  body.replaceChildren(...b.map(([key, label, bv, f], i) => {
    const cv = c ? c[i][2] : null;
    let change = "";
    if (c && typeof bv === "number" && typeof cv === "number" && key !== "status") {
      const d = cv - bv;
      if (key.startsWith("need_")) change = (d >= 0 ? "+" : "") + fmtNum(100 * d, 1) + " pts";
      else if (f === money) change = signedMoney(d);
      else if (key !== "gap") change = (d > 0 ? "+" : "") + f(d);
    }
    return el("tr", {},
      el("td", { text: label }),
      el("td", { id: `sum-${key}-base`, "data-value": bv ?? "", text: f(bv) }),
      el("td", { id: `sum-${key}-whatif`, "data-value": c ? cv ?? "" : "", text: c ? f(cv) : "" }),
      el("td", { id: `sum-${key}-change`, text: change }));
  }));
  const box = $("infeasible");
  const res = S.cur;
  if (res && res.status !== "optimal" && res.status !== "feasible") {
    box.hidden = false;
    box.replaceChildren(
      el("b", { text: res.status === "infeasible" ? "No plan meets these rules." : "No plan found within the time limit." }),
      ...(res.infeasibility.length ? res.infeasibility : ["The solver gave no reason."]).map((s) => el("p", { text: s })));
  } else if (res && res.status === "feasible") {
    box.hidden = false;
    box.replaceChildren(el("b", { text: `Stopped at the time limit: this plan is within ${fmtNum(100 * (res.gap || 0), 3)}% of the best possible.` }));
  } else box.hidden = true;
}

// ---------------------------------------------------------------- diff
function drawDiff() {
  const d = S.cur && S.cur.diff;
  const box = $("diff-body");
  if (!d) { box.innerHTML = '<p class="muted">Change a rule or a building and re-plan to see what moves.</p>'; return; }
  const parts = [];
  if (S.cur.status !== "optimal" && S.cur.status !== "feasible") {
    box.replaceChildren(el("p", { text: "No plan to compare: see the reason above." }));
    return;
  }
  const t = d.totals || {};
  const ch = (k) => (t[k] ? t[k].change : null);
  parts.push(el("p", { id: "diff-cost" },
    el("b", { text: "Cost: " }),
    `running cost ${signedMoney(ch("annual_cost_after"))} a year; saving ${signedMoney(ch("saving"))}; one-off ${signedMoney(ch("capital_cost") ?? ch("opening_cost"))}; backlog removed ${signedMoney(ch("backlog_removed"))}.`));
  if (d.limits_note) parts.push(el("p", { id: "diff-limits-note", class: "muted", text: d.limits_note }));
  // The what-if's own warnings (an access limit outside 5-180 minutes), as the scenario file's get at load.
  for (const w of S.cur.warnings || []) parts.push(el("p", { class: "diff-warning", text: w }));
  for (const a of d.access) {
    const svc = a.service ? ` (${a.service})` : "";
    const kids = a.children_gaining === null ? "" : `, children ${fmtNum(a.children_gaining)}`;
    const kidsL = a.children_losing === null ? "" : `, children ${fmtNum(a.children_losing)}`;
    parts.push(el("p", { class: "access" },
      el("b", { text: `Access${svc}: ` }),
      el("span", { class: "pos", text: `${a.zones_gaining.length} zone(s) gain (need ${fmtNum(a.need_gaining)}${kids})` }), "; ",
      el("span", { class: a.zones_losing.length ? "neg" : "", text: `${a.zones_losing.length} zone(s) lose (need ${fmtNum(a.need_losing)}${kidsL})` }), "."));
    if (a.zones_losing.length || a.zones_gaining.length) {
      parts.push(el("details", {}, el("summary", { text: "which zones" }),
        el("p", { text: (a.zones_losing.length ? "lose: " + a.zones_losing.join(", ") + ". " : "") + (a.zones_gaining.length ? "gain: " + a.zones_gaining.join(", ") + "." : "") })));
    }
  }
  const util = d.utilisation || [];
  if (util.length) {
    // Demand capacity (issue 21): the fullest buildings after either plan (per service
    // in a co-location scenario), as the server's diff.utilisation gives them.
    const share = (x) => (x === null || x === undefined ? "–" : fmtNum(100 * x, 0) + "%");
    const full = (x) => (x !== null && x !== undefined && x > 0.9 ? "neg" : "");
    const services = util.some((u) => u.service);
    parts.push(el("p", { id: "diff-utilisation-title" }, el("b", { text: "Fullest buildings: " }), "utilisation of capacity, baseline → this what-if (over 90% in red)."));
    parts.push(el("table", { id: "diff-utilisation" },
      el("thead", {}, el("tr", {},
        ...(services ? [el("th", { text: "service" })] : []),
        el("th", { text: "building" }), el("th", { class: "num", text: "capacity" }), el("th", { class: "num", text: "today" }),
        el("th", { class: "num", text: "baseline" }), el("th", { class: "num", text: "what-if" }))),
      el("tbody", {}, ...util.map((u) => el("tr", { onclick: () => selectSite(u.id) },
        ...(services ? [el("td", { text: u.service_name || u.service || "" })] : []),
        el("td", { text: u.id }),
        el("td", { class: "num", text: fmtNum(u.max_users) }),
        el("td", { class: "num", text: u.users_today === null ? "–" : share(u.users_today / u.max_users) }),
        el("td", { class: `num ${full(u.utilisation_baseline)}`, text: share(u.utilisation_baseline) }),
        el("td", { class: `num ${full(u.utilisation_whatif)}`, text: share(u.utilisation_whatif) }))))));
  }
  if (d.sites.length === 0) parts.push(el("p", { text: "Every building has the same decision as in the baseline plan." }));
  else {
    parts.push(el("p", { id: "diff-count", text: `${d.sites.length} building(s) differ from the baseline plan:` }));
    parts.push(el("table", { id: "diff-sites" },
      el("thead", {}, el("tr", {}, el("th", { text: "building" }), el("th", { text: "baseline" }), el("th", { text: "what-if" }), el("th", { class: "num", text: "running cost" }))),
      el("tbody", {}, ...d.sites.map((s) => el("tr", { onclick: () => selectSite(s.id) },
        el("td", { text: `${s.id} ${s.name}` }),
        el("td", {}, decBadge(s.baseline, s.hub_baseline)),
        el("td", {}, decBadge(s.whatif, s.hub_whatif)),
        el("td", { class: "num", text: money(s.annual_cost) }))))));
  }
  box.replaceChildren(...parts);
}

function decBadge(dec, hub) {
  return el("span", { class: `dec ${dec || ""}`, text: (dec || "–") + (hub ? " + hub" : "") });
}

// ---------------------------------------------------------------- buildings
function selectSite(id) {
  S.selected = id;
  drawSiteCard();
  drawSiteList();
  drawMap();
}

function explanation(plan, id) {
  const ex = plan.explanations && plan.explanations.sites;
  if (ex) {
    const e = ex.find((x) => x.id === id);
    if (e) return e.text;
  }
  const s = (plan.sites || []).find((x) => x.id === id);
  if (s && s.services_after) {
    const moved = (s.hosting || []).filter((h) => h.change !== "stays").map((h) => `${h.service} ${h.change.replace("_", " ")}`);
    return `Hosts ${s.services_after.length ? s.services_after.join(", ") : "nothing"} after the plan` +
      (s.services_before.length ? ` (today: ${s.services_before.join(", ")})` : "") +
      (moved.length ? `; ${moved.join("; ")}` : "") + (s.hub_after ? "; a family hub." : ".");
  }
  return "";
}

function drawSiteCard() {
  const box = $("site-body");
  const id = S.selected;
  if (!id) return;
  const f = siteFeature(result(), id);
  const bf = siteFeature(S.base, id);
  const forced = S.forced.get(id) || "auto";
  const tri = el("span", { class: "tri" },
    ...[["auto", "optimiser decides"], ["keep", "force keep"], ["close", "force close"]].map(([k, label]) =>
      el("button", { id: `force-${k}`, class: forced === k ? "on" : "", onclick: () => setForced(id, k), text: label })));
  const p = f.properties;
  box.replaceChildren(
    el("p", { id: "site-title" }, el("b", { text: `${id} ` }), p.name, el("br"), `${p.district} · ${p.kind} · ${p.status}`),
    el("p", {}, `running cost ${money(p.annual_cost)} a year; backlog ${money(p.backlog)}`),
    el("p", {}, "baseline plan: ", decBadge(bf.properties.decision, bf.properties.hub),
      S.cur ? " · this what-if: " : "", S.cur ? decBadge(p.decision, p.hub) : ""),
    el("p", {}, tri),
    el("p", { id: "site-explanation", text: explanation(result().plan, id) || "No explanation recorded for this building." }),
    S.cur ? el("p", { class: "muted", text: "Baseline: " + (explanation(S.base.plan, id) || "–") }) : null);
}

function setForced(id, k) {
  if (k === "auto") S.forced.delete(id);
  else S.forced.set(id, k);
  drawForced();
  drawSiteCard();
  drawSiteList();
  drawMap();
}

function drawForced() {
  const keep = [...S.forced].filter(([, v]) => v === "keep").map(([k]) => k);
  const close = [...S.forced].filter(([, v]) => v === "close").map(([k]) => k);
  $("forced-summary").textContent = keep.length + close.length === 0
    ? "No building forced: the optimiser decides every one."
    : [keep.length ? `force keep: ${keep.join(", ")}` : "", close.length ? `force close: ${close.join(", ")}` : ""].filter(Boolean).join("; ");
}

function drawSiteList() {
  const q = $("site-search").value.trim().toLowerCase();
  const res = result();
  const rowsEl = res.sites.features
    .filter((f) => !q || [f.properties.id, f.properties.name, f.properties.district].some((x) => String(x).toLowerCase().includes(q)))
    .slice(0, 400)
    .map((f) => {
      const id = f.properties.id;
      const forced = S.forced.get(id) || "auto";
      const tri = el("span", { class: "tri" }, ...[["auto", "opt"], ["keep", "keep"], ["close", "close"]].map(([k, label]) =>
        el("button", { class: forced === k ? "on" : "", title: k === "auto" ? "optimiser decides" : `force ${k}`,
          onclick: (ev) => { ev.stopPropagation(); setForced(id, k); }, text: label })));
      return el("div", { class: "site-row" + (id === S.selected ? " selected" : ""), "data-row": id, onclick: () => selectSite(id) },
        decBadge(f.properties.decision, f.properties.hub), el("span", { class: "nm", text: `${id} ${f.properties.name}` }), tri);
    });
  $("site-rows").replaceChildren(...rowsEl);
}

// ---------------------------------------------------------------- what-ifs
function currentRequest() {
  const req = {};
  const keep = [...S.forced].filter(([, v]) => v === "keep").map(([k]) => k);
  const close = [...S.forced].filter(([, v]) => v === "close").map(([k]) => k);
  if (keep.length) req.keep = keep;
  if (close.length) req.close = close;
  const m = $("max-minutes").value;
  if (m !== "") req.max_minutes = Number(m);
  const b = $("budget").value;
  if (b !== "") req.budget = Number(b);
  const t = $("savings").value;
  if (S.info.model === "services" && t !== "") req.savings_target = Number(t);
  const cap = $("capital-budget").value;
  if (S.info.model === "services" && cap !== "") req.capital_budget = Number(cap);
  req.objective = $("objective").value;
  return req;
}

function describe(req) {
  const parts = [];
  if (req.close && req.close.length) parts.push("close " + req.close.join(", "));
  if (req.keep && req.keep.length) parts.push("keep " + req.keep.join(", "));
  if (req.max_minutes !== undefined && req.max_minutes !== S.info.max_minutes) parts.push(`${req.max_minutes} min`);
  if (req.budget !== undefined && req.budget !== S.info.budget) parts.push(`budget ${money(req.budget)}`);
  if (req.savings_target !== undefined && req.savings_target !== S.info.savings_target) parts.push(`savings ${money(req.savings_target)}`);
  if (req.capital_budget !== undefined && req.capital_budget !== S.info.capital_budget) parts.push(`one-off budget ${money(req.capital_budget)}`);
  if (req.objective && req.objective !== S.info.objective) parts.push(req.objective);
  return parts.length ? parts.join("; ") : "the baseline rules";
}

// The page's copy of a what-if answer.
function answer(req, v) {
  return { request: req, plan: v.plan, sites: v.sites, zones: v.zones, diff: v.diff, infeasibility: v.infeasibility, status: v.status, gap: v.gap, warnings: v.warnings || [] };
}

// What a history entry keeps when its whole answer is dropped: what the history list
// and the side-by-side comparison (rows(), the decisions) read.
function summaryOf(res) {
  const p = res.plan || {};
  return {
    status: res.status,
    plan: { totals: p.totals || {}, objective: p.objective, objective_kind: p.objective_kind, status: p.status, gap: p.gap,
      sites: (p.sites || []).map((s) => ({ id: s.id, decision: s.decision })) },
  };
}

// Drops the whole answers of all but the last HISTORY_FULL entries and the one on show.
function trimHistory() {
  const keepFrom = S.history.length - HISTORY_FULL;
  S.history.forEach((h, i) => { if (i < keepFrom && h.res && h.res !== S.cur) h.res = null; });
  document.body.setAttribute("data-history-full", String(S.history.filter((h) => h.res).length));
}

async function replan() {
  const req = currentRequest();
  $("error").hidden = true;
  $("busy").hidden = false;
  $("replan").disabled = true;
  try {
    const v = await api("POST", "/api/whatif", req);
    S.cur = answer(req, v);
    S.history.push({ n: S.history.length + 1, label: describe(req), request: req, summary: summaryOf(S.cur), res: S.cur, forced: new Map(S.forced) });
    trimHistory();
    drawAll();
    document.body.setAttribute("data-replans", String(S.history.length));
  } catch (e) {
    $("error").hidden = false;
    $("error").textContent = (e.field ? `${e.field}: ` : "") + e.message;
  } finally {
    $("busy").hidden = true;
    $("replan").disabled = false;
  }
}

async function restore(h) {
  if (!h.res) {
    // Dropped (trimHistory): the same request again. The solve is exact, so the plan is
    // the same; one stopped by its time limit may stop elsewhere (its status says so).
    $("error").hidden = true;
    $("busy").hidden = false;
    try {
      h.res = answer(h.request, await api("POST", "/api/whatif", h.request));
    } catch (e) {
      $("error").hidden = false;
      $("error").textContent = (e.field ? `${e.field}: ` : "") + e.message;
      return;
    } finally {
      $("busy").hidden = true;
    }
  }
  S.cur = h.res;
  trimHistory();
  S.forced = new Map(h.forced);
  const r = h.res.request;
  $("max-minutes").value = r.max_minutes ?? "";
  $("budget").value = r.budget ?? "";
  $("savings").value = r.savings_target ?? "";
  $("capital-budget").value = r.capital_budget ?? "";
  $("objective").value = r.objective || S.info.objective;
  drawAll();
  document.body.setAttribute("data-restored", String(h.n));
}

function drawHistory() {
  const list = $("history-list");
  list.replaceChildren(...S.history.map((h, i) => {
    const t = h.summary.plan.totals;
    const box = el("input", { type: "checkbox", checked: S.ticked.includes(i) });
    box.onchange = () => {
      S.ticked = S.ticked.filter((x) => x !== i);
      if (box.checked) S.ticked.push(i);
      while (S.ticked.length > 2) S.ticked.shift();
      drawHistory();
    };
    return el("li", { class: S.cur && h.res === S.cur ? "current" : "" }, box, " ",
      el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); restore(h); }, text: `#${h.n} ${h.label}` }),
      ` — ${h.summary.status}, ${money(t.annual_cost_after)} a year`);
  }));
  drawCompare();
}

function drawCompare() {
  const box = $("compare");
  if (S.ticked.length !== 2) { box.replaceChildren(); return; }
  const [a, b] = S.ticked.map((i) => S.history[i]);
  const ra = rows(a.summary.plan), rb = rows(b.summary.plan);
  const da = new Map(a.summary.plan.sites.map((s) => [s.id, s.decision]));
  const differ = b.summary.plan.sites.filter((s) => da.get(s.id) !== s.decision);
  box.replaceChildren(
    el("table", { id: "compare-table" },
      el("thead", {}, el("tr", {}, el("th"), el("th", { text: `#${a.n} ${a.label}` }), el("th", { text: `#${b.n} ${b.label}` }))),
      el("tbody", {}, ...ra.map(([, label, va, f], i) => el("tr", {}, el("td", { text: label }), el("td", { class: "num", text: f(va) }), el("td", { class: "num", text: f(rb[i][2]) }))))),
    el("p", { text: differ.length ? `${differ.length} building(s) differ: ` + differ.map((s) => `${s.id} ${da.get(s.id)}→${s.decision}`).join(", ") : "Both have the same decisions." }));
}

async function exportCurrent() {
  const req = S.cur ? S.cur.request : currentRequest();
  const box = $("export-body");
  box.textContent = "exporting…";
  try {
    const v = await api("POST", "/api/export", req);
    box.replaceChildren(
      el("p", {}, "Saved in ", el("code", { text: v.dir })),
      el("ul", {}, ...v.files.map((f) => {
        const data = f.content_base64 !== undefined ? Uint8Array.from(atob(f.content_base64), (c) => c.charCodeAt(0)) : f.content;
        const url = URL.createObjectURL(new Blob([data], { type: "application/octet-stream" }));
        return el("li", {}, el("a", { href: url, download: `${v.name}-${f.name}`, text: f.name }), ` (${fmtNum(f.bytes)} bytes)`);
      })));
  } catch (e) {
    box.replaceChildren(el("p", { class: "error", text: (e.field ? `${e.field}: ` : "") + e.message }));
  }
}

function drawAll() {
  drawForced();
  drawSummary();
  drawDiff();
  drawSiteCard();
  drawSiteList();
  drawHistory();
  drawMap();
}

async function main() {
  const [info, plan, sites, zones] = await Promise.all([
    api("GET", "/api/info"), api("GET", "/api/plan"), api("GET", "/api/sites"), api("GET", "/api/zones"),
  ]);
  S.info = info;
  S.base = { plan, sites, zones, status: plan.status, infeasibility: [] };
  $("scenario-name").textContent = `${info.scenario} · ${info.sites} buildings · ${info.zones} zones · ${info.model === "services" ? "co-location model" : "one service"}`;
  const proj = project([...zones.features, ...sites.features]);
  S.world = {
    zones: zones.features.map((f) => proj(pointOf(f))),
    shapes: zones.features.map((f) => { const r = ringsOf(f.geometry); return r ? r.map((ring) => ring.map(proj)) : null; }),
    sites: sites.features.map((f) => proj(f.geometry.coordinates)),
  };
  $("max-minutes").value = info.max_minutes ?? "";
  $("budget").value = info.budget ?? "";
  $("savings").value = info.savings_target ?? "";
  $("capital-budget").value = info.capital_budget ?? "";
  $("objective").value = info.objective;
  if (info.model === "services") {
    document.querySelectorAll(".services-only").forEach((e) => (e.hidden = false));
    $("service-pick").hidden = false;
    $("service").replaceChildren(...info.services.map((s, i) => el("option", { value: i, text: s.name || s.id })));
    $("service").onchange = () => { S.service = Number($("service").value); drawMap(); };
  }
  $("replan").onclick = replan;
  $("reset").onclick = () => {
    S.cur = null; S.forced.clear();
    $("max-minutes").value = info.max_minutes ?? "";
    $("budget").value = info.budget ?? "";
    $("savings").value = info.savings_target ?? "";
    $("capital-budget").value = info.capital_budget ?? "";
    $("objective").value = info.objective;
    drawAll();
  };
  $("site-search").oninput = drawSiteList;
  $("export-btn").onclick = exportCurrent;
  buildMap();
  wireMap();
  fit();
  drawAll();
  document.body.setAttribute("data-ready", "1");
}

main().catch((e) => {
  $("error").hidden = false;
  $("error").textContent = "Could not load the scenario: " + e.message;
});
