//! What the appendix says, as a list of [`Block`]s.

use std::collections::BTreeMap;

use hubplan::evaluate::status_quo;
use hubplan::explain::{site_sentence, ClosedSite, KeepReason, ProtectedZone};
use hubplan::geo::haversine_m;
use hubplan::model::SiteStatus;
use hubplan::{Decision, Inputs, ObjectiveKind, Plan, PlanStatus, Scenario, SiteIdx, ZoneIdx};

use crate::doc::{Block, Table};
use crate::fmt::{count, minutes, minutes_opt, money, pct, pct_of, plain};
use crate::map::{map_svg, MapOptions};
use crate::{Appendix, Provenance};

/// The attribute read as "children" in the equality table.
const CHILDREN: &str = "pop_0_15";

fn h(level: u8, id: &str, text: &str) -> Block {
    Block::Heading {
        level,
        id: id.into(),
        text: text.into(),
    }
}

/// "Name (ID)" or "ID".
pub(crate) fn site_label(inputs: &Inputs, s: SiteIdx) -> String {
    let site = inputs.site(s);
    if site.name.is_empty() {
        site.id.clone()
    } else {
        format!("{} ({})", site.name, site.id)
    }
}

fn zone_label(inputs: &Inputs, z: ZoneIdx) -> String {
    crate::equality::zone_label(inputs, z)
}

fn district(s: &str) -> String {
    if s.is_empty() {
        "(no district)".into()
    } else {
        s.to_string()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n as f64), if n == 1 { one } else { many })
}

/// "35-minute" (as an adjective), or "access" without a limit.
fn limit_adj(sc: &Scenario) -> String {
    sc.max_minutes
        .map_or_else(|| "access".into(), |m| format!("{}-minute", plain(m)))
}

/// "within 35 minutes", or "within reach" without a limit.
fn within(sc: &Scenario) -> String {
    crate::fmt::within_phrase(sc.max_minutes)
}

/// True when the travel times have no journey at all from zone `z` to any building.
pub(crate) fn no_journey(inputs: &Inputs, z: ZoneIdx) -> bool {
    inputs.travel.row(z).next().is_none()
}

/// The plan's unreachable zones split into those with journeys, all beyond the limit,
/// and those with no journey at all: ((zones, need), (zones, need)).
pub(crate) fn split_unreachable(inputs: &Inputs, plan: &Plan) -> ((usize, f64), (usize, f64)) {
    let (mut beyond, mut none) = ((0, 0.0), (0, 0.0));
    for &z in &plan.unreachable {
        let acc = if no_journey(inputs, z) { &mut none } else { &mut beyond };
        acc.0 += 1;
        acc.1 += inputs.zone(z).need;
    }
    (beyond, none)
}

/// "1 zone (need 50) has no journey at all to any building in the travel times", or empty.
pub(crate) fn no_journey_phrase(n: usize, need: f64) -> String {
    if n == 0 {
        return String::new();
    }
    format!(
        "{} (need {}) {} no journey at all to any building in the travel times",
        plural(n, "zone", "zones"),
        count(need),
        if n == 1 { "has" } else { "have" }
    )
}

fn has_plan(p: &Plan) -> bool {
    matches!(p.status, PlanStatus::Optimal | PlanStatus::Feasible)
}

/// Weights for the people-based tables: population when the inputs have it, else need.
struct Weights {
    by_population: bool,
}

impl Weights {
    fn new(inputs: &Inputs) -> Self {
        Weights {
            by_population: inputs.zones.iter().map(|z| z.population).sum::<f64>() > 0.0,
        }
    }
    fn of(&self, inputs: &Inputs, z: ZoneIdx) -> f64 {
        let zone = inputs.zone(z);
        if self.by_population {
            zone.population
        } else {
            zone.need
        }
    }
    fn noun(&self) -> &'static str {
        if self.by_population {
            "residents"
        } else {
            "need"
        }
    }
}

/// Running sums for one row of a people table.
#[derive(Default, Clone)]
struct Acc {
    zones: usize,
    population: f64,
    children: f64,
    weight: f64,
    within_before: f64,
    within_after: f64,
    children_within_after: f64,
    wmin_before: (f64, f64),
    wmin_after: (f64, f64),
}

impl Acc {
    fn add(&mut self, inputs: &Inputs, plan: &Plan, w: &Weights, z: ZoneIdx) {
        let zone = inputs.zone(z);
        let zp = &plan.zones[z.index()];
        let wt = w.of(inputs, z);
        let ch = zone.attributes.get(CHILDREN).copied().unwrap_or(0.0);
        self.zones += 1;
        self.population += zone.population;
        self.children += ch;
        self.weight += wt;
        if zp.covered_before {
            self.within_before += wt;
        }
        if zp.covered_after {
            self.within_after += wt;
            self.children_within_after += ch;
        }
        if let Some((_, m)) = zp.before {
            self.wmin_before.0 += wt;
            self.wmin_before.1 += wt * m;
        }
        if let Some((_, m)) = zp.after {
            self.wmin_after.0 += wt;
            self.wmin_after.1 += wt * m;
        }
    }
    fn mean(p: (f64, f64)) -> Option<f64> {
        (p.0 > 0.0).then(|| p.1 / p.0)
    }
}

/// The cover's line on who prepared the appendix and where its data came from
/// (the scenario's `[about]`); nothing when it is empty.
pub(crate) fn about_cover(about: &crate::About, b: &mut Vec<Block>) {
    let mut parts = Vec::new();
    if let Some(a) = &about.author {
        parts.push(format!("Prepared by {a}."));
    }
    if !about.sources.is_empty() {
        let list: Vec<String> = about
            .sources
            .iter()
            .map(|s| format!("{} ({})", s.name, s.vintage))
            .collect();
        parts.push(format!(
            "Data: {}. Licences and links are listed under Method and provenance.",
            list.join("; ")
        ));
    }
    if !parts.is_empty() {
        b.push(Block::Para(parts.join(" ")));
    }
}

/// Every block of the appendix, in order.
pub(crate) fn blocks(a: &Appendix<'_>) -> Vec<Block> {
    let mut b = vec![h(1, "top", a.title)];
    let mut meta = Vec::new();
    if let Some(s) = a.subtitle {
        meta.push(s.to_string());
    }
    meta.push(format!(
        "Objective {}; {}; status {}",
        a.scenario.objective.name(),
        a.scenario.max_minutes.map_or_else(
            || "no access limit".into(),
            |m| format!("access limit {} minutes", plain(m))
        ),
        a.plan.status.name()
    ));
    match a.generated {
        Some(g) => meta.push(format!("generated {g} by hubplan {}", a.provenance.version)),
        None => meta.push(format!("hubplan {}", a.provenance.version)),
    }
    b.push(Block::Note(meta.join(" · ") + "."));
    about_cover(&a.provenance.about, &mut b);
    summary(a, &mut b);
    if has_plan(a.plan) {
        map(a, &mut b);
        districts(a, &mut b);
        equality(a, &mut b);
        closures(a, &mut b);
        worse_off(a, &mut b);
        kept(a, &mut b);
        capacity(a, &mut b);
    } else {
        infeasibility(a, &mut b);
    }
    unreachable(a, &mut b);
    crate::quality::section(&a.provenance.notices, &mut b);
    method(a, &mut b);
    number_sections(&mut b);
    b
}

/// Numbers the level-2 headings in order and resolves `[[sec:ID]]` references to "section N".
fn number_sections(b: &mut [Block]) {
    let mut ids: Vec<(String, usize)> = Vec::new();
    for blk in b.iter_mut() {
        if let Block::Heading { level: 2, id, text } = blk {
            let n = ids.len() + 1;
            *text = format!("{n}. {text}");
            ids.push((id.clone(), n));
        }
    }
    let resolve = |t: &mut String| {
        if !t.contains("[[sec:") {
            return;
        }
        for (id, n) in &ids {
            *t = t.replace(&format!("[[sec:{id}]]"), &format!("section {n}"));
        }
        // A reference to a section that is not in this appendix.
        while let Some(i) = t.find("[[sec:") {
            let end = t[i..].find("]]").map_or(t.len(), |e| i + e + 2);
            t.replace_range(i..end, "below");
        }
    };
    for blk in b.iter_mut() {
        match blk {
            Block::Para(t) | Block::Note(t) => resolve(t),
            Block::List(items) => items.iter_mut().for_each(resolve),
            Block::Table(tb) => tb.rows.iter_mut().flatten().for_each(resolve),
            Block::Map { caption, .. } => resolve(caption),
            Block::Heading { .. } => {}
        }
    }
}

fn summary(a: &Appendix<'_>, b: &mut Vec<Block>) {
    let (p, sc, t) = (a.plan, a.scenario, &a.plan.totals);
    b.push(h(2, "summary", "Summary"));
    let lim = within(sc);
    let by = a.provenance.travel.by();
    let planned = has_plan(p);
    let in_limit = if sc.max_minutes.is_some() {
        " within the limit"
    } else {
        ""
    };
    let unreachable_note = if p.unreachable.is_empty() {
        String::new()
    } else {
        match sc.beyond_limit {
            hubplan::scenario::BeyondLimit::NoWorse => format!(
                " (zones no building reaches{in_limit} today may not get a longer journey; they are listed in \
                 [[sec:unreachable]])"
            ),
            hubplan::scenario::BeyondLimit::Tolerance(t) => format!(
                " (zones no building reaches{in_limit} today may get a journey at most {} minutes longer; they \
                 are listed in [[sec:unreachable]])",
                plain(t)
            ),
            hubplan::scenario::BeyondLimit::Ignore => format!(
                " (except zones no building reaches{in_limit} today, left out of the rule and listed in \
                 [[sec:unreachable]])"
            ),
        }
    };
    let intro = match (sc.objective, planned) {
        (ObjectiveKind::MinCost, true) => format!(
            "The plan keeps every family {lim} of a hub{by}{unreachable_note}, \
             at the least annual running cost."
        ),
        (ObjectiveKind::MinCost, false) => format!(
            "The scenario asks for every family {lim} of a hub{by}{unreachable_note}, \
             at the least annual running cost."
        ),
        (ObjectiveKind::MaxCoverage, _) => format!(
            "The {} as much need as possible {lim} of a hub{by}{}.",
            if planned {
                "plan reaches"
            } else {
                "scenario asks to reach"
            },
            sc.budget
                .map_or_else(String::new, |bu| format!(" within a budget of {} a year", money(bu)))
        ),
        (ObjectiveKind::MinTravel, _) => format!(
            "The {} the total travel time of need to the nearest hub{}{}.",
            if planned {
                "plan minimises"
            } else {
                "scenario asks to minimise"
            },
            sc.sites.map_or_else(String::new, |n| format!(" with {n} hubs")),
            sc.max_minutes
                .map_or_else(String::new, |_| format!(", with everyone {lim}"))
        ),
    };
    let status = match p.status {
        PlanStatus::Optimal => "proven optimal".to_string(),
        PlanStatus::Feasible => format!(
            "meets every rule but is not proven optimal (time limit): within {} of the best possible",
            pct(p.gap)
        ),
        PlanStatus::Infeasible => "infeasible: no plan meets every rule (see [[sec:infeasibility]])".to_string(),
        _ => "unknown: the time limit passed before any plan was found".to_string(),
    };
    b.push(Block::Para(format!("{intro} Status: {status}.")));
    for it in crate::summary::plain_summary(a.inputs, sc, p) {
        if it.topic != "solver" {
            b.push(Block::Para(it.text));
        }
    }
    if !has_plan(p) {
        return;
    }
    b.push(Block::Para(
        hubplan::explain::worse_off_sentences(a.inputs, p, 3).join(" "),
    ));
    let mut tb = Table::new(&["Measure", "Before", "After", "Change"], &[1, 2, 3]);
    tb.caption = "The plan in figures".into();
    let signed_count = |x: f64| {
        if x > 0.0 {
            format!("+{}", count(x))
        } else {
            count(x)
        }
    };
    tb.rows.push(vec![
        "Buildings open".into(),
        count(t.sites_before as f64),
        count(t.sites_after as f64),
        format!("{} closed, {} opened", t.sites_closed, t.sites_opened),
    ]);
    tb.rows.push(vec![
        "Annual running cost".into(),
        money(t.annual_cost_before),
        money(t.annual_cost_after),
        format!("saving {} a year", money(t.annual_saving)),
    ]);
    tb.rows.push(vec![
        "Maintenance backlog removed".into(),
        "".into(),
        money(t.backlog_removed),
        "one-off".into(),
    ]);
    tb.rows.push(vec![
        "Opening costs of new buildings".into(),
        "".into(),
        money(t.opening_cost),
        "one-off".into(),
    ]);
    tb.rows.push(vec![
        "Disposal receipts".into(),
        "".into(),
        money(t.disposal_receipts),
        "one-off".into(),
    ]);
    tb.rows.push(vec![
        format!("Need {lim}"),
        format!(
            "{} ({})",
            count(t.need_covered_before),
            pct_of(t.need_covered_before, t.need_total)
        ),
        format!(
            "{} ({})",
            count(t.need_covered_after),
            pct_of(t.need_covered_after, t.need_total)
        ),
        signed_count(t.need_covered_after - t.need_covered_before),
    ]);
    tb.rows.push(vec![
        "Mean minutes to the nearest hub".into(),
        minutes(t.mean_minutes_before),
        minutes(t.mean_minutes_after),
        signed_minutes(t.mean_minutes_after - t.mean_minutes_before),
    ]);
    b.push(Block::Table(tb));
    let access = a.explanations.access_rule_keeps().count();
    let mut notes = vec![format!(
        "{} {}; each is listed in [[sec:closures]] with its reason and where its users go.",
        plural(t.sites_closed, "building closes", "buildings close"),
        if t.sites_opened > 0 {
            format!(
                "and {}",
                plural(t.sites_opened, "new building opens", "new buildings open")
            )
        } else {
            String::new()
        }
    )
    .replace(" ;", ";")];
    if access > 0 {
        notes.push(format!(
            "{access} of the {} kept are required by the {} rule: closing any one of them alone \
             would leave named zones beyond the limit ([[sec:access-rule]]).",
            plural(a.explanations.kept.len(), "building", "buildings"),
            limit_adj(sc)
        ));
    }
    if t.zones_unreachable > 0 {
        // Zones with journeys, all beyond the limit, and zones with no journey at all are
        // told apart: "beyond 45 minutes" of a zone no building can be reached from is wrong.
        let ((beyond, beyond_need), (none, none_need)) = split_unreachable(a.inputs, a.plan);
        let mut parts = Vec::new();
        if beyond > 0 {
            parts.push(format!(
                "{} (need {}) {} {} of every building, open or not{}",
                plural(beyond, "zone", "zones"),
                count(beyond_need),
                if beyond == 1 { "is" } else { "are" },
                sc.max_minutes
                    .map_or_else(|| "out of reach".into(), |m| format!("beyond {} minutes", plain(m))),
                match (sc.objective, sc.beyond_limit) {
                    (ObjectiveKind::MaxCoverage, _) => String::new(),
                    (_, hubplan::scenario::BeyondLimit::NoWorse) => ", where the rule forbids a longer journey".into(),
                    (_, hubplan::scenario::BeyondLimit::Tolerance(x)) => {
                        format!(", where the rule allows at most {} minutes more", plain(x))
                    }
                    (_, hubplan::scenario::BeyondLimit::Ignore) => " and left out of the rule".into(),
                }
            ));
        }
        if none > 0 {
            parts.push(format!(
                "{}, so no plan can reach {}",
                no_journey_phrase(none, none_need),
                if none == 1 { "it" } else { "them" }
            ));
        }
        notes.push(format!("{}; listed in [[sec:unreachable]].", parts.join("; ")));
    }
    b.push(Block::List(notes));
    b.push(Block::Note(format!(
        "Need is the scenario's measure of demand: {}. Mean minutes are weighted by need over zones with a \
         reachable hub.{}",
        need_measure(a),
        crate::fmt::no_limit_note(sc.max_minutes)
    )));
}

fn need_measure(a: &Appendix<'_>) -> String {
    a.provenance
        .settings
        .iter()
        .find(|(k, _)| k == "need_column" || k == "need")
        .map_or_else(
            || "the zones' need column, or their population when it is absent".into(),
            |(_, v)| v.clone(),
        )
}

fn map(a: &Appendix<'_>, b: &mut Vec<Block>) {
    b.push(h(2, "map", "Map"));
    let svg = map_svg(a.inputs, a.plan, a.scenario.max_minutes, &MapOptions::default());
    b.push(Block::Map {
        svg,
        file: a.map_file.map(str::to_string),
        caption: format!(
            "{} {}, shaded and patterned by \
             minutes to its nearest open hub after the plan ({}{}{}); black lines are district \
             boundaries. Buildings are marked by decision.",
            crate::map::finding(a.inputs, a.plan, a.scenario.max_minutes),
            crate::map::zones_drawn(a.inputs),
            a.provenance.travel.by().trim_start(),
            if a.provenance.travel.by().is_empty() { "" } else { "; " },
            crate::fmt::limit_caption(a.scenario.max_minutes)
        ),
    });
}

fn districts(a: &Appendix<'_>, b: &mut Vec<Block>) {
    let (inputs, plan) = (a.inputs, a.plan);
    let w = Weights::new(inputs);
    let before = status_quo(inputs);
    #[derive(Default, Clone)]
    struct Sites {
        before: usize,
        after: usize,
        closed: usize,
        opened: usize,
        saving: f64,
        backlog: f64,
    }
    let mut rows: BTreeMap<String, (Acc, Sites)> = BTreeMap::new();
    for z in inputs.zone_indices() {
        rows.entry(district(&inputs.zone(z).district))
            .or_default()
            .0
            .add(inputs, plan, &w, z);
    }
    for s in inputs.site_indices() {
        let site = inputs.site(s);
        let e = &mut rows.entry(district(&site.district)).or_default().1;
        let (bo, ao) = (before[s.index()], plan.open[s.index()]);
        e.before += bo as usize;
        e.after += ao as usize;
        if bo && !ao {
            e.closed += 1;
            e.backlog += site.backlog;
        }
        if !bo && ao {
            e.opened += 1;
        }
        e.saving += if bo { site.annual_cost } else { 0.0 } - if ao { site.annual_cost } else { 0.0 };
    }
    b.push(h(2, "districts", "By district"));
    let limit = a.scenario.max_minutes;
    let (wb, wa) = (
        crate::fmt::within_column(limit, "before"),
        crate::fmt::within_column(limit, "after"),
    );
    let mut t = Table::new(
        &[
            "District",
            "Zones",
            "Population",
            "Buildings before",
            "Buildings after",
            "Closed",
            "Annual saving",
            "Backlog removed",
            &wb,
            &wa,
            "Mean minutes after",
        ],
        &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    t.class = "wide";
    t.caption = format!(
        "Buildings, money and access by district ({})",
        crate::fmt::limit_caption(limit)
    );
    let mut tot = (Acc::default(), Sites::default());
    let row = |name: String, acc: &Acc, s: &Sites| {
        vec![
            name,
            count(acc.zones as f64),
            count(acc.population),
            count(s.before as f64),
            count(s.after as f64),
            if s.opened > 0 {
                format!("{} (+{} new)", s.closed, s.opened)
            } else {
                count(s.closed as f64)
            },
            money(s.saving),
            money(s.backlog),
            pct_of(acc.within_before, acc.weight),
            pct_of(acc.within_after, acc.weight),
            minutes_opt(Acc::mean(acc.wmin_after)),
        ]
    };
    for (name, (acc, s)) in &rows {
        t.rows.push(row(name.clone(), acc, s));
        let (ta, ts) = (&mut tot.0, &mut tot.1);
        ta.zones += acc.zones;
        ta.population += acc.population;
        ta.weight += acc.weight;
        ta.within_before += acc.within_before;
        ta.within_after += acc.within_after;
        ta.wmin_after.0 += acc.wmin_after.0;
        ta.wmin_after.1 += acc.wmin_after.1;
        ts.before += s.before;
        ts.after += s.after;
        ts.closed += s.closed;
        ts.opened += s.opened;
        ts.saving += s.saving;
        ts.backlog += s.backlog;
    }
    t.total = Some(row("Total".into(), &tot.0, &tot.1));
    b.push(Block::Table(t));
    b.push(Block::Note(format!(
        "{}: share of {} whose zone's nearest open hub is {}. Mean minutes weighted by {}, over the zones \
         that reach an open hub (a zone with none in reach has no minutes, so a district where few zones reach \
         one can show a short mean). Buildings are counted in their own district, zones in theirs.{}",
        if limit.is_some() {
            "Within limit"
        } else {
            "Within reach"
        },
        w.noun(),
        crate::fmt::within_phrase(limit),
        w.noun(),
        crate::fmt::no_limit_note(limit)
    )));
}

fn equality(a: &Appendix<'_>, b: &mut Vec<Block>) {
    let (inputs, plan) = (a.inputs, a.plan);
    let w = Weights::new(inputs);
    let has_children = inputs.zones.iter().any(|z| z.attributes.contains_key(CHILDREN));
    let mut rows: BTreeMap<u8, Acc> = BTreeMap::new();
    for z in inputs.zone_indices() {
        let d = inputs.zone(z).imd_decile.unwrap_or(0);
        rows.entry(d).or_default().add(inputs, plan, &w, z);
    }
    b.push(h(2, "equality", "Equality: by deprivation (IMD decile)"));
    let mut cols = vec!["IMD decile", "Zones", "Population"];
    if has_children {
        cols.push("Children 0–15");
    }
    let limit = a.scenario.max_minutes;
    let (wb, wa) = (
        crate::fmt::within_column(limit, "before"),
        crate::fmt::within_column(limit, "after"),
    );
    let children_after = format!(
        "Children {} after",
        if limit.is_some() {
            "within limit"
        } else {
            "within reach"
        }
    );
    cols.extend([wb.as_str(), wa.as_str()]);
    if has_children {
        cols.push(&children_after);
    }
    cols.extend(["Mean minutes before", "Mean minutes after"]);
    let right: Vec<usize> = (1..cols.len()).collect();
    let mut t = Table::new(&cols, &right);
    t.class = "wide";
    t.caption = format!("Access by IMD decile ({})", crate::fmt::limit_caption(limit));
    let mut tot = Acc::default();
    let row = |label: String, acc: &Acc| {
        let mut r = vec![label, count(acc.zones as f64), count(acc.population)];
        if has_children {
            r.push(count(acc.children));
        }
        r.push(pct_of(acc.within_before, acc.weight));
        r.push(pct_of(acc.within_after, acc.weight));
        if has_children {
            r.push(pct_of(acc.children_within_after, acc.children));
        }
        r.push(minutes_opt(Acc::mean(acc.wmin_before)));
        r.push(minutes_opt(Acc::mean(acc.wmin_after)));
        r
    };
    // Deciles 1..10 first, unknown (0) last.
    let order: Vec<u8> = rows
        .keys()
        .copied()
        .filter(|&d| d > 0)
        .chain(rows.keys().copied().filter(|&d| d == 0))
        .collect();
    for d in order {
        let acc = &rows[&d];
        let label = match d {
            0 => "unknown".to_string(),
            1 => "1 (most deprived)".to_string(),
            10 => "10 (least deprived)".to_string(),
            d => d.to_string(),
        };
        t.rows.push(row(label, acc));
        tot.zones += acc.zones;
        tot.population += acc.population;
        tot.children += acc.children;
        tot.weight += acc.weight;
        tot.within_before += acc.within_before;
        tot.within_after += acc.within_after;
        tot.children_within_after += acc.children_within_after;
        tot.wmin_before.0 += acc.wmin_before.0;
        tot.wmin_before.1 += acc.wmin_before.1;
        tot.wmin_after.0 += acc.wmin_after.0;
        tot.wmin_after.1 += acc.wmin_after.1;
    }
    t.total = Some(row("All".into(), &tot));
    b.push(Block::Table(t));
    b.push(Block::Note(format!(
        "Index of Multiple Deprivation decile of each zone, 1 = the most deprived tenth of areas nationally. \
         {}: share of {} whose zone is {} of an open hub; mean minutes weighted by {}, over the zones that \
         reach an open hub.{}{}",
        if limit.is_some() {
            "Within limit"
        } else {
            "Within reach"
        },
        w.noun(),
        crate::fmt::within_phrase(limit),
        w.noun(),
        if has_children {
            " Children: the zones' pop_0_15 column."
        } else {
            ""
        },
        crate::fmt::no_limit_note(limit)
    )));
    crate::equality::section_blocks(inputs, plan, limit, b);
}

/// The building nearest (straight line) to `s` among the open sites, with km.
fn nearest_open_by_distance(inputs: &Inputs, open: &[bool], s: SiteIdx) -> Option<(SiteIdx, f64)> {
    let p = inputs.site(s).pos;
    inputs
        .site_indices()
        .filter(|&t| t != s && open[t.index()])
        .map(|t| (t, haversine_m(p, inputs.site(t).pos) / 1000.0))
        .min_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)))
}

fn closure_reason(c: &ClosedSite, lim_short: &str) -> String {
    use hubplan::explain::UserGroup;
    let n_of = |g: UserGroup| c.moves.iter().filter(|m| m.group() == g).count();
    let (within, already, longer) = (
        n_of(UserGroup::Within),
        n_of(UserGroup::AlreadyBeyond),
        n_of(UserGroup::Longer),
    );
    let mut parts = Vec::new();
    if c.forced {
        parts.push("Forced closed by the scenario".to_string());
    }
    if c.moves.is_empty() {
        parts.push("No zone has it as nearest hub".into());
    } else if within == c.moves.len() {
        parts.push(format!("All users stay within {lim_short}"));
    } else {
        if within > 0 {
            parts.push(format!("{} stay within {lim_short}", plural(within, "zone", "zones")));
        }
        if already > 0 {
            parts.push(format!(
                "{} already beyond {lim_short}, journey not longer",
                plural(already, "zone", "zones")
            ));
        }
        if longer > 0 {
            parts.push(format!(
                "{} with a longer journey beyond {lim_short}",
                plural(longer, "zone", "zones")
            ));
        }
    }
    parts.join("; ")
}

fn closures(a: &Appendix<'_>, b: &mut Vec<Block>) {
    let (inputs, plan, ex) = (a.inputs, a.plan, a.explanations);
    let lim = within(a.scenario);
    let lim_short = a
        .scenario
        .max_minutes
        .map_or_else(|| "reach".into(), |m| format!("{} min", plain(m)));
    b.push(h(2, "closures", "Closures"));
    if ex.closed.is_empty() {
        b.push(Block::Para("No building closes.".into()));
        return;
    }
    b.push(Block::Para(format!(
        "For each closing building: why it can close, and where the people who used it as their nearest hub go. \
         \"Users\" are the zones whose nearest hub today is this building; minutes are from the zone{}, \
         weighted by need, before (to this building) and after (to their new nearest open hub). {}",
        a.provenance.travel.by(),
        a.scenario.max_minutes.map_or_else(
            || crate::fmt::no_limit_note(None).trim_start().to_string(),
            |m| format!("The limit is {} minutes.", plain(m))
        )
    )));
    let mut order: Vec<&ClosedSite> = ex.closed.iter().collect();
    order.sort_by(|x, y| {
        let (sx, sy) = (inputs.site(x.site), inputs.site(y.site));
        sx.district.cmp(&sy.district).then(sx.id.cmp(&sy.id))
    });
    let mut t = Table::new(
        &[
            "Building",
            "District",
            "Annual cost",
            "Backlog",
            "User zones",
            "Need",
            "Nearest alternative",
            "Minutes before → after",
            "Longest after",
            "Reason",
        ],
        &[2, 3, 4, 5, 7, 8],
    );
    t.class = "wide";
    t.caption = "Buildings that close, by district".into();
    let (mut cost, mut backlog) = (0.0, 0.0);
    for c in order {
        let site = inputs.site(c.site);
        cost += site.annual_cost;
        backlog += site.backlog;
        let (alt, mins, worst) = match c.main_destination() {
            Some(d) => (
                site_label(inputs, d),
                format!(
                    "{} → {}",
                    minutes_opt(c.mean_minutes_before()),
                    minutes_opt(c.mean_minutes_after())
                ),
                minutes_opt(c.worst_minutes_after()),
            ),
            None => match nearest_open_by_distance(inputs, &plan.open, c.site) {
                Some((d, km)) => (
                    format!("{} ({km:.1} km away)", site_label(inputs, d)),
                    "–".into(),
                    "–".into(),
                ),
                None => ("none open".into(), "–".into(), "–".into()),
            },
        };
        t.rows.push(vec![
            site_label(inputs, c.site),
            district(&site.district),
            money(site.annual_cost),
            money(site.backlog),
            count(c.moves.len() as f64),
            if c.moves.is_empty() {
                "–".into()
            } else {
                count(c.need())
            },
            alt,
            mins,
            worst,
            closure_reason(c, &lim_short),
        ]);
    }
    t.total = Some(vec![
        plural(ex.closed.len(), "building", "buildings"),
        String::new(),
        money(cost),
        money(backlog),
        count(ex.closed.iter().map(|c| c.moves.len()).sum::<usize>() as f64),
        count(ex.closed.iter().map(|c| c.need()).sum::<f64>()),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]);
    b.push(Block::Table(t));
    let beyond: Vec<String> = ex
        .closed
        .iter()
        .flat_map(|c| c.pushed_beyond().map(move |m| (c, m)))
        .map(|(c, m)| {
            format!(
                "{} (need {}): {} to {} → {}",
                zone_label(inputs, m.zone),
                count(m.need),
                minutes(m.minutes_before),
                inputs.site(c.site).id,
                m.after.map_or_else(
                    || "no open hub".into(),
                    |a| format!("{} to {}", minutes(a.minutes), inputs.site(a.site).id)
                )
            )
        })
        .collect();
    if !beyond.is_empty() {
        b.push(Block::Para(format!(
            "Zones that are {lim} today but not after the plan:"
        )));
        b.push(Block::List(beyond));
    }
    b.push(Block::Note(
        "Nearest alternative: the open hub that takes the largest share of the building's users. For a \
         building that no zone has as its nearest hub, the nearest open building in a straight line."
            .into(),
    ));
}

/// Who is worse off: the zones whose journey grows by at least `report.worse_off_minutes`,
/// and journeys by IMD decile (issue 18).
fn worse_off(a: &Appendix<'_>, b: &mut Vec<Block>) {
    let (inputs, p) = (a.inputs, a.plan);
    b.push(h(2, "worse-off", "Who is worse off"));
    b.push(Block::Para(
        hubplan::explain::worse_off_sentences(inputs, p, 5).join(" "),
    ));
    if !p.worse_off.is_empty() {
        let has_children = inputs.zones.iter().any(|z| z.attributes.contains_key(CHILDREN));
        let mut head = vec!["Zone", "District", "Need"];
        if has_children {
            head.push("Children");
        }
        head.extend([
            "IMD decile",
            "Minutes before → after",
            "Increase",
            "Because this closes",
        ]);
        let mut t = Table::new(&head, &[2, 3]);
        t.class = "wide";
        for w in &p.worse_off {
            let z = inputs.zone(w.zone);
            let mut row = vec![zone_label(inputs, w.zone), district(&z.district), count(z.need)];
            if has_children {
                row.push(z.attributes.get(CHILDREN).map_or_else(|| "–".into(), |c| count(*c)));
            }
            row.push(z.imd_decile.map_or_else(|| "–".into(), |d| d.to_string()));
            row.push(format!(
                "{} → {}",
                minutes(w.minutes_before),
                minutes_opt(w.minutes_after)
            ));
            row.push(
                w.minutes_after
                    .map_or_else(|| "no open hub".into(), |m| format!("+{:.1} min", m - w.minutes_before)),
            );
            row.push(site_label(inputs, w.cause));
            t.rows.push(row);
        }
        b.push(Block::Table(t));
    }
    let mut t = Table::new(
        &[
            "IMD decile",
            "Zones",
            "Need",
            "Zones with longer journeys",
            "Their need",
            "Worse off",
            "Their need",
            "Mean minutes before → after",
        ],
        &[1, 2, 3, 4, 5, 6],
    );
    for d in &p.by_imd_decile {
        t.rows.push(vec![
            d.imd_decile.map_or_else(|| "unknown".into(), |x| x.to_string()),
            count(d.zones as f64),
            count(d.need),
            count(d.zones_longer as f64),
            count(d.need_longer),
            count(d.zones_worse_off as f64),
            count(d.need_worse_off),
            format!("{} → {}", minutes(d.mean_minutes_before), minutes(d.mean_minutes_after)),
        ]);
    }
    b.push(Block::Para(format!(
        "Journeys by IMD decile (1 = most deprived). Worse off: at least {} minutes longer, or no open hub after.",
        plain(p.worse_off_minutes)
    )));
    b.push(Block::Table(t));
}

fn protected_cell(inputs: &Inputs, z: &ProtectedZone) -> String {
    let alt = z
        .alternative_open
        .map_or_else(|| "no other open hub".to_string(), |a| minutes(a.minutes));
    match z.own_limit {
        None => format!("{} ({} → {alt})", zone_label(inputs, z.zone), minutes(z.minutes)),
        Some(l) => format!(
            "{} ({} → {alt}; beyond the limit today, its own limit {})",
            zone_label(inputs, z.zone),
            minutes(z.minutes),
            minutes(l)
        ),
    }
}

fn kept(a: &Appendix<'_>, b: &mut Vec<Block>) {
    let (inputs, ex) = (a.inputs, a.explanations);
    let lim = within(a.scenario);
    b.push(h(2, "access-rule", "Buildings kept because of the access rule"));
    let mut rule: Vec<(&hubplan::explain::KeptSite, &[ProtectedZone])> = ex.access_rule_keeps().collect();
    if rule.is_empty() {
        b.push(Block::Para(format!(
            "No building is kept only because of the {} rule.",
            limit_adj(a.scenario)
        )));
    } else {
        b.push(Block::Para(format!(
            "Each of these buildings is the only open hub {lim} for the zones listed: if it closed, \
             and nothing else changed, those zones would be {}. Each zone is shown as \
             \"zone (minutes to this building → minutes to the next nearest open hub)\".",
            if a.scenario.max_minutes.is_some() {
                "beyond the limit"
            } else {
                "out of reach of every open hub"
            }
        )));
        rule.sort_by(|x, y| {
            let (sx, sy) = (inputs.site(x.0.site), inputs.site(y.0.site));
            sx.district.cmp(&sy.district).then(sx.id.cmp(&sy.id))
        });
        let mut t = Table::new(
            &[
                "Building",
                "District",
                "Annual cost",
                "Zones protected",
                "Need protected",
                "Zones (minutes here → next open hub)",
            ],
            &[2, 3, 4],
        );
        t.class = "wide";
        t.caption = "Buildings kept because of the access rule, by district".into();
        for (k, zones) in &rule {
            let site = inputs.site(k.site);
            let need: f64 = zones.iter().map(|z| z.need).sum();
            t.rows.push(vec![
                site_label(inputs, k.site),
                district(&site.district),
                money(site.annual_cost),
                count(zones.len() as f64),
                count(need),
                zones
                    .iter()
                    .map(|z| protected_cell(inputs, z))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]);
        }
        b.push(Block::Table(t));
    }
    let others: Vec<&hubplan::explain::KeptSite> = ex
        .kept
        .iter()
        .filter(|k| !matches!(k.reason, KeepReason::AccessRule { .. }))
        .collect();
    if !others.is_empty() {
        b.push(h(3, "kept-other", "Other buildings kept or opened"));
        let mut t = Table::new(&["Building", "District", "Decision", "Annual cost", "Reason"], &[3]);
        t.caption = "Other buildings kept or opened".into();
        for k in others {
            let site = inputs.site(k.site);
            let mut cost = money(site.annual_cost);
            if site.status == SiteStatus::Candidate && k.decision == Decision::Open {
                cost = format!("{cost} (+{} to open)", money(site.open_cost));
            }
            let mut reason = site_sentence(inputs, ex, k.site);
            // The sentence already gives the capacity reason of a building
            // kept for room under `min_cost`; other objectives add it here.
            if let Some(text) = capacity_reason(a.plan, k.site).filter(|t| !reason.contains(*t)) {
                reason.push_str(&format!(" Capacity: {text}."));
            }
            t.rows.push(vec![
                site_label(inputs, k.site),
                district(&site.district),
                k.decision.name().into(),
                cost,
                reason,
            ]);
        }
        b.push(Block::Table(t));
    }
}

/// The capacity reason of site `s` (issue 21), when the plan has demand capacity and one.
fn capacity_reason(plan: &Plan, s: SiteIdx) -> Option<&str> {
    plan.capacity.as_ref()?.reason(s)
}

/// The users and utilisation today of a building that does not offer the service today
/// (a candidate; in the co-location model, a building not hosting that service): an em
/// dash, not "0*" or "0%", which would read as an empty service.
pub(crate) const NOT_OFFERED_TODAY: &str = "—";

/// "64%", or "–" when the building has no capacity.
fn share_cell(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), hubplan::explain::capacity::whole_pct)
}

/// Demand capacity (issue 21): per building with a `max_users`, its users today and after
/// the plan, its capacity and its utilisation before → after, fullest first; buildings over
/// the full share flagged; the warnings (nearly full, split-only) and the capacity reasons.
/// Nothing without demand capacity.
fn capacity(a: &Appendix<'_>, b: &mut Vec<Block>) {
    let (inputs, plan) = (a.inputs, a.plan);
    let Some(cap) = plan.capacity.as_ref() else {
        return;
    };
    let limited: Vec<SiteIdx> = inputs
        .site_indices()
        .filter(|s| cap.sites[s.index()].max_users.is_some())
        .collect();
    b.push(h(2, "capacity", "Capacity and use of buildings"));
    let full = hubplan::explain::capacity::whole_pct(cap.full_share);
    b.push(Block::Para(format!(
        "{} of the {} buildings have a capacity: the most users they can serve, in the unit of need ({}). Each \
         zone's need is placed in open buildings within the limit, and no building takes more than its \
         capacity; {}. Utilisation is users as a share of capacity, today and after the plan; an open building \
         over {full} full after the plan is flagged (the warnings below name those that receive users: users of \
         a building that closes, or more users than today).",
        count(limited.len() as f64),
        count(inputs.sites.len() as f64),
        need_measure(a),
        match cap.assignment {
            hubplan::scenario::Assignment::Split => {
                "a zone's need may be shared between buildings (capacity.assignment = \"split\")"
            }
            hubplan::scenario::Assignment::Single => {
                "each zone goes to one building (capacity.assignment = \"single\")"
            }
        }
    )));
    if !limited.is_empty() {
        let mut order = limited.clone();
        let after = |s: SiteIdx| {
            if plan.open[s.index()] {
                cap.sites[s.index()].utilisation_after().unwrap_or(0.0)
            } else {
                -1.0
            }
        };
        order.sort_by(|&x, &y| after(y).total_cmp(&after(x)).then(x.cmp(&y)));
        let mut t = Table::new(
            &[
                "Building",
                "District",
                "Decision",
                "Capacity",
                "Users today",
                "Users after",
                "Utilisation today → after",
                "Flag",
            ],
            &[3, 4, 5, 6],
        );
        t.class = "wide";
        t.caption = "Buildings with a capacity, fullest after the plan first".into();
        let (mut q, mut ub, mut ua) = (0.0, 0.0, 0.0);
        let mut modelled = 0usize;
        for &s in &order {
            let l = &cap.sites[s.index()];
            let open = plan.open[s.index()];
            let max = l.max_users.unwrap_or(0.0);
            // A candidate offers nothing today: no users today to give or model.
            let not_offered = inputs.site(s).status == SiteStatus::Candidate && !l.before_given;
            q += max;
            ub += l.users_before;
            ua += l.users_after;
            if !l.before_given && !not_offered {
                modelled += 1;
            }
            let flag = match l.utilisation_after() {
                Some(u) if open && u > cap.full_share => format!("over {full} full"),
                _ => String::new(),
            };
            t.rows.push(vec![
                site_label(inputs, s),
                district(&inputs.site(s).district),
                plan.sites[s.index()].decision.name().into(),
                count(max),
                // A candidate offers nothing today: "—", not "0*" (none modelled) nor a
                // utilisation of 0%.
                if not_offered {
                    NOT_OFFERED_TODAY.into()
                } else {
                    format!("{}{}", count(l.users_before), if l.before_given { "" } else { "*" })
                },
                count(l.users_after),
                format!(
                    "{} → {}",
                    if not_offered {
                        NOT_OFFERED_TODAY.into()
                    } else {
                        share_cell(l.utilisation_before())
                    },
                    if open {
                        share_cell(l.utilisation_after())
                    } else if plan.sites[s.index()].decision == Decision::Unused {
                        // A candidate left unused was never open: it does not close.
                        "not opened".into()
                    } else {
                        "closed".into()
                    }
                ),
                flag,
            ]);
        }
        let share = |u: f64| {
            if q > 0.0 {
                hubplan::explain::capacity::whole_pct(u / q)
            } else {
                "–".into()
            }
        };
        t.total = Some(vec![
            plural(limited.len(), "building", "buildings"),
            String::new(),
            String::new(),
            count(q),
            count(ub),
            count(ua),
            format!("{} → {}", share(ub), share(ua)),
            String::new(),
        ]);
        b.push(Block::Table(t));
        let unlimited = inputs.sites.len() - limited.len();
        let mut notes = Vec::new();
        if modelled > 0 {
            notes.push(
                "* Users today not given in the sites file (users_today): modelled as the need of the zones whose \
                 nearest building this is today."
                    .to_string(),
            );
        }
        if unlimited > 0 {
            notes.push(format!(
                "{} without a capacity (no max_users) can take any number of users and {} not listed.",
                plural(unlimited, "building", "buildings"),
                if unlimited == 1 { "is" } else { "are" }
            ));
        }
        if !notes.is_empty() {
            b.push(Block::Note(notes.join(" ")));
        }
    }
    let mut items: Vec<String> = Vec::new();
    if cap.need_unplaced > 0.0 {
        items.push(format!(
            "Need within reach that does not fit into the open buildings: {} users.",
            count(cap.need_unplaced)
        ));
    }
    for w in &cap.warnings {
        items.push(format!(
            "Warning: {}",
            hubplan::explain::capacity::warning_text(inputs, cap, w)
        ));
    }
    if items.is_empty() {
        items.push(format!(
            "No building that receives users is over {full} full after the plan, and no zone's need is shared \
             between buildings."
        ));
    }
    b.push(Block::List(items));
    if !cap.reasons.is_empty() {
        b.push(Block::Para("Decisions that capacity explains:".into()));
        b.push(Block::List(
            cap.reasons
                .iter()
                .map(|(s, text)| format!("{}: {text}.", site_label(inputs, *s)))
                .collect(),
        ));
    }
}

fn unreachable(a: &Appendix<'_>, b: &mut Vec<Block>) {
    let (inputs, plan) = (a.inputs, a.plan);
    if plan.unreachable.is_empty() {
        return;
    }
    let lim = within(a.scenario);
    let (heading, within_the_limit) = if a.scenario.max_minutes.is_some() {
        ("Zones beyond the limit of every building", "within the limit")
    } else {
        ("Zones out of reach of every building", "within reach")
    };
    b.push(h(2, "unreachable", heading));
    let (_, (none, none_need)) = split_unreachable(inputs, plan);
    b.push(Block::Para(format!(
        "No building, open or closed, is {lim} of these zones{}, so no plan can bring \
         them {within_the_limit}.{} They are listed here, never dropped. {}",
        a.provenance.travel.by(),
        if none > 0 {
            format!(" {}.", no_journey_phrase(none, none_need))
        } else {
            String::new()
        },
        hubplan::explain::beyond_rule_sentence(inputs, a.scenario, plan)
    )));
    let mut t = Table::new(
        &[
            "Zone",
            "District",
            "Need",
            "Nearest building",
            "Minutes",
            "Minutes today → after",
        ],
        &[2, 4],
    );
    t.caption = format!("{heading}, by district");
    let mut unreachable = plan.unreachable.clone();
    unreachable.sort_by(|&x, &y| {
        let (zx, zy) = (inputs.zone(x), inputs.zone(y));
        zx.district.cmp(&zy.district).then(zx.id.cmp(&zy.id))
    });
    for &z in &unreachable {
        let best = inputs
            .travel
            .row(z)
            .min_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
        let zp = &plan.zones[z.index()];
        t.rows.push(vec![
            zone_label(inputs, z),
            district(&inputs.zone(z).district),
            count(inputs.zone(z).need),
            best.map_or_else(|| "none (no journey at all)".into(), |(s, _)| site_label(inputs, s)),
            minutes_opt(best.map(|x| x.1)),
            format!(
                "{} → {}",
                minutes_opt(zp.before.map(|x| x.1)),
                minutes_opt(zp.after.map(|x| x.1))
            ),
        ]);
    }
    b.push(Block::Table(t));
}

fn infeasibility(a: &Appendix<'_>, b: &mut Vec<Block>) {
    b.push(h(2, "infeasibility", "Why no plan meets the rules"));
    if a.explanations.infeasibility.is_empty() {
        b.push(Block::Para(
            "The solver found no plan and could not say why (see the status above).".into(),
        ));
        return;
    }
    b.push(Block::List(
        a.explanations.infeasibility.iter().map(|n| n.text.clone()).collect(),
    ));
}

fn method(a: &Appendix<'_>, b: &mut Vec<Block>) {
    let (sc, p, pv) = (a.scenario, a.plan, a.provenance);
    let lim = within(sc);
    b.push(h(2, "method", "Method and provenance"));
    let objective = match sc.objective {
        ObjectiveKind::MinCost => format!(
            "min_cost: the least total annual running cost of open buildings (plus the one-off cost of opening \
             new ones) such that every zone with need is {lim} of an open hub."
        ),
        ObjectiveKind::MaxCoverage => {
            format!("max_coverage: the most need {lim} of an open hub, within the budget and/or number of hubs.")
        }
        ObjectiveKind::MinTravel => "min_travel: the least total need × minutes to the nearest open hub (p-median), \
                                     within the number of hubs and/or budget."
            .to_string(),
    };
    b.push(Block::List(vec![
        format!("Objective: {objective}"),
        match sc.max_minutes {
            Some(m) => format!(
                "Access: a zone is within the limit when its nearest open hub is at most {} minutes away{} \
                 (the bound is inclusive). Zones are small areas taken at their centroid.",
                plain(m),
                a.provenance.travel.by()
            ),
            None => "Access: there is no access limit; a zone is within reach when the travel-time matrix has a \
                     journey from it to an open hub, and its journey is to the nearest one. Zones are small areas \
                     taken at their centroid."
                .to_string(),
        },
        "Solving: an exact optimiser; every plan is re-checked by an independent evaluator that recomputes \
         each zone's nearest hub, the coverage and the costs from the inputs."
            .into(),
        format!(
            "Reasons: a kept building is \"forced\" when the scenario keeps it; \"required by the access rule\" \
             when some zone has no other open hub {lim}; otherwise \"chosen\" on cost, coverage or travel. \
             A closure's users are the zones whose nearest hub it is today; their new nearest open hub and the \
             minutes before and after are recomputed from the travel-time matrix."
        ),
    ]));
    provenance_tables(
        pv,
        &SolveOutcome {
            backend: &p.solver.backend,
            status: p.status,
            first_objective: None,
            objective_kind: p.objective_kind,
            objective: p.objective,
            bound: p.bound,
            gap: p.gap,
        },
        b,
    );
}

/// An objective's value in words: money for `min_cost`, need or need-minutes otherwise.
pub(crate) fn objective_value(kind: ObjectiveKind, v: f64) -> String {
    match kind {
        ObjectiveKind::MinCost => money(v),
        ObjectiveKind::MaxCoverage => format!("{} need covered", count(v)),
        ObjectiveKind::MinTravel => format!("{} need-minutes", count(v)),
    }
}

/// How a solve ended, as the method section of either appendix reports it.
pub(crate) struct SolveOutcome<'a> {
    /// The solver back end that ran (used when the provenance does not describe the solver).
    pub backend: &'a str,
    /// The plan's status.
    pub status: PlanStatus,
    /// For a lexicographic solve (`then`): the first objective and the value it reached.
    pub first_objective: Option<(ObjectiveKind, f64)>,
    /// The objective the value, bound and gap below belong to (the last one solved).
    pub objective_kind: ObjectiveKind,
    /// The objective's value (not shown when not finite).
    pub objective: f64,
    /// The proven bound (not shown when not finite).
    pub bound: f64,
    /// The relative gap (not shown when not finite).
    pub gap: f64,
}

/// The method section's two tables, the same in both appendices: the input files with
/// their SHA-256, then the settings (travel times, the provenance's settings, solver,
/// status, objective, bound, gap, hubplan version).
pub(crate) fn provenance_tables(pv: &Provenance, o: &SolveOutcome<'_>, b: &mut Vec<Block>) {
    if !pv.about.sources.is_empty() {
        let mut t = Table::new(&["Source", "Vintage", "Licence", "Link"], &[]);
        t.caption = "Data sources, their vintage and licence (the scenario's [about] section)".into();
        for s in &pv.about.sources {
            t.rows.push(vec![
                s.name.clone(),
                s.vintage.clone(),
                s.licence.clone(),
                s.url.clone().unwrap_or_default(),
            ]);
        }
        b.push(Block::Table(t));
    }
    let mut t = Table::new(&["Input", "File", "SHA-256"], &[]);
    t.class = "mono";
    t.caption = "Input files and their SHA-256".into();
    for (role, path, sha) in &pv.inputs {
        t.rows.push(vec![role.clone(), path.clone(), sha.clone()]);
    }
    if !t.rows.is_empty() {
        b.push(Block::Table(t));
    }
    let mut s = Table::new(&["Setting", "Value"], &[]);
    s.caption = "Settings, solver and status".into();
    s.rows.push(vec![
        "Travel times".into(),
        pv.transit.clone().unwrap_or_else(|| "not stated".into()),
    ]);
    for (k, v) in &pv.settings {
        s.rows.push(vec![k.clone(), v.clone()]);
    }
    s.rows.push(vec![
        "Solver".into(),
        if pv.solver.is_empty() {
            o.backend.to_string()
        } else {
            pv.solver.clone()
        },
    ]);
    s.rows.push(vec!["Status".into(), o.status.name().into()]);
    if let Some((kind, v)) = o.first_objective.filter(|(_, v)| v.is_finite()) {
        s.rows.push(vec!["First objective".into(), objective_value(kind, v)]);
    }
    if o.objective.is_finite() {
        s.rows
            .push(vec!["Objective".into(), objective_value(o.objective_kind, o.objective)]);
    }
    if o.bound.is_finite() {
        let bound = match o.objective_kind {
            ObjectiveKind::MinCost => money(o.bound),
            _ => count(o.bound),
        };
        s.rows.push(vec!["Bound".into(), bound]);
    }
    if o.gap.is_finite() {
        s.rows.push(vec!["Gap".into(), format!("{:.4}%", o.gap * 100.0)]);
    }
    s.rows.push(vec!["hubplan version".into(), pv.version.clone()]);
    b.push(Block::Table(s));
}

/// A change in minutes, `+2.5 min`; `–` when either side has no mean (no zone reaches an open site).
fn signed_minutes(d: f64) -> String {
    if d.is_finite() {
        format!("{d:+.1} min")
    } else {
        "–".into()
    }
}
