//! The appendix of a co-location plan ([`ServicePlan`]): which buildings stay
//! open, which services each hosts and where family hubs are, before and after.
//!
//! Drawn through the same document model as the single-service appendix, so
//! the HTML page has the same inline CSS and A4 print styles, and the Markdown
//! says the same thing as the HTML.
//!
//! Contents:
//!
//! 1. Summary: status and gap; buildings before and after, closures, openings;
//!    family hubs before and after; annual saving; backlog removed; one-off
//!    opening and conversion costs; disposal receipts.
//! 2. Coverage per service: need within its limit before and after, need
//!    unreachable at baseline.
//! 3. Family hubs by district, before and after.
//! 4. Buildings: one row per open or closed building, with its decision, the
//!    services it hosts after, the services moved in and out, and whether it is a hub.
//! 5. Why no plan meets the rules (only when infeasible), with ids.
//! 6. Method and provenance.

use hubplan::colocate::{HostChange, ServiceBlocker, ServicePlan, ServiceRules, ServiceSitePlan};
use hubplan::{Decision, Inputs, PlanStatus, ServiceIdx, SiteIdx, ZoneIdx};

use crate::content::{provenance_tables, site_label, SolveOutcome};
use crate::doc::{Block, Table};
use crate::fmt::{count, money, pct_of, plain};
use crate::Provenance;

/// Everything a co-location appendix is drawn from.
#[derive(Clone, Copy, Debug)]
pub struct ServiceAppendix<'a> {
    /// The title, e.g. "Kent family hubs: appendix to the cabinet paper".
    pub title: &'a str,
    /// The inputs the plan was made from (sites, zones, services, travel times).
    pub inputs: &'a Inputs,
    /// The co-location rules the plan was made under.
    pub rules: &'a ServiceRules,
    /// The plan ([`hubplan::colocate::plan_services`]).
    pub plan: &'a ServicePlan,
    /// Where it came from.
    pub provenance: &'a Provenance,
    /// A date or time to print as "generated", if any (never read from the clock here).
    pub generated: Option<&'a str>,
}

/// The co-location appendix as one self-contained HTML page: inline CSS, no
/// external fonts, scripts or images; A4 print styles. Deterministic.
pub fn services_appendix_html(a: &ServiceAppendix<'_>) -> String {
    crate::html::render(a.title, &blocks(a), a.generated)
}

/// The co-location appendix in GitHub-flavoured Markdown. Deterministic.
pub fn services_appendix_md(a: &ServiceAppendix<'_>) -> String {
    crate::markdown::render(&blocks(a))
}

fn h(level: u8, id: &str, text: &str) -> Block {
    Block::Heading {
        level,
        id: id.into(),
        text: text.into(),
    }
}

fn has_plan(p: &ServicePlan) -> bool {
    matches!(p.status, PlanStatus::Optimal | PlanStatus::Feasible)
}

/// The service's display name, or its id.
fn service_name(inputs: &Inputs, s: ServiceIdx) -> String {
    match inputs.services.get(s.index()) {
        Some(svc) if !svc.name.is_empty() => svc.name.clone(),
        Some(svc) => svc.id.clone(),
        None => format!("service {}", s.index()),
    }
}

/// "Name (id)" or "id".
fn service_label(inputs: &Inputs, s: ServiceIdx) -> String {
    match inputs.services.get(s.index()) {
        Some(svc) if !svc.name.is_empty() && svc.name != svc.id => format!("{} ({})", svc.name, svc.id),
        Some(svc) => svc.id.clone(),
        None => format!("service {}", s.index()),
    }
}

fn service_list(inputs: &Inputs, v: impl IntoIterator<Item = ServiceIdx>) -> String {
    let names: Vec<String> = v.into_iter().map(|s| service_name(inputs, s)).collect();
    if names.is_empty() {
        "–".into()
    } else {
        names.join(", ")
    }
}

fn site_ids(inputs: &Inputs, v: &[SiteIdx]) -> String {
    v.iter()
        .map(|&s| inputs.site(s).id.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

fn zone_ids(inputs: &Inputs, v: &[ZoneIdx]) -> String {
    v.iter()
        .map(|&z| inputs.zone(z).id.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

fn district(s: &str) -> String {
    if s.is_empty() {
        "(no district)".into()
    } else {
        s.to_string()
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn limit(m: Option<f64>) -> String {
    m.map_or_else(|| "(no limit)".into(), |m| format!("{} min", plain(m)))
}

fn gap(g: f64) -> String {
    if g.is_finite() {
        format!("{:.4}%", g * 100.0)
    } else {
        "n/a".into()
    }
}

fn change(before: usize, after: usize) -> String {
    let d = after as i64 - before as i64;
    match d.cmp(&0) {
        std::cmp::Ordering::Greater => format!("+{}", count(d as f64)),
        std::cmp::Ordering::Less => format!("−{}", count(-d as f64)),
        std::cmp::Ordering::Equal => "0".into(),
    }
}

pub(crate) fn blocks(a: &ServiceAppendix<'_>) -> Vec<Block> {
    let p = a.plan;
    let mut b = vec![h(1, "top", a.title)];
    let objective = match p.then {
        Some(t) => format!("{}, then {}", p.objective_kind.name(), t.name()),
        None => p.objective_kind.name().to_string(),
    };
    let mut meta = vec![format!(
        "Co-location of {}; objective {objective}; status {}",
        service_list(a.inputs, p.services.iter().copied()),
        p.status.name()
    )];
    match a.generated {
        Some(g) => meta.push(format!("generated {g} by hubplan {}", a.provenance.version)),
        None => meta.push(format!("hubplan {}", a.provenance.version)),
    }
    b.push(Block::Note(meta.join(" · ") + "."));
    crate::content::about_cover(&a.provenance.about, &mut b);
    summary(a, &mut b);
    coverage(a, &mut b);
    hubs(a, &mut b);
    buildings(a, &mut b);
    worse_off(a, &mut b);
    infeasibility(a, &mut b);
    crate::quality::section(&a.provenance.notices, &mut b);
    method(a, &mut b);
    let mut n = 0;
    for blk in &mut b {
        if let Block::Heading { level: 2, text, .. } = blk {
            n += 1;
            *text = format!("{n}. {text}");
        }
    }
    b
}

fn summary(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let (p, t) = (a.plan, &a.plan.totals);
    b.push(h(2, "summary", "Summary"));
    let status = match p.status {
        PlanStatus::Optimal => "The plan is optimal (gap 0.0000%).".to_string(),
        PlanStatus::Feasible => format!(
            "The plan is feasible but not proven optimal: the solver stopped at its time limit with a gap of {} \
             to the best bound.",
            gap(p.gap)
        ),
        PlanStatus::Infeasible => "No plan meets the rules (reasons below); the figures show today's buildings \
                                   and services."
            .to_string(),
        _ => "The solver found no plan within its time limit; the figures show today's \
                                buildings and services."
            .to_string(),
    };
    b.push(Block::Para(status));
    let mut tb = Table::new(&["Measure", "Before", "After", "Change"], &[1, 2, 3]);
    tb.rows.push(vec![
        "Buildings open".into(),
        count(t.sites_before as f64),
        count(t.sites_after as f64),
        change(t.sites_before, t.sites_after),
    ]);
    tb.rows.push(vec![
        "Family hubs".into(),
        count(t.hubs_before as f64),
        count(t.hubs_after as f64),
        change(t.hubs_before, t.hubs_after),
    ]);
    tb.rows.push(vec![
        "Annual running cost".into(),
        money(t.annual_cost_before),
        money(t.annual_cost_after),
        crate::fmt::money_change(t.annual_cost_after - t.annual_cost_before),
    ]);
    b.push(Block::Table(tb));
    let mut items = vec![
        format!(
            "Closures: {}; openings: {}.",
            count(t.sites_closed as f64),
            count(t.sites_opened as f64)
        ),
        format!(
            "Services moved in: {}; moved out (including by closure): {}.",
            count(t.moves_in as f64),
            count(t.moves_out as f64)
        ),
        format!("Annual saving: {}.", money(t.annual_saving)),
        format!("Maintenance backlog removed: {}.", money(t.backlog_removed)),
        format!(
            "One-off costs: opening {} and conversion {} (total {}).",
            money(t.opening_cost),
            money(t.conversion_cost),
            money(t.opening_cost + t.conversion_cost)
        ),
        format!("Disposal receipts (one-off): {}.", money(t.disposal_receipts)),
    ];
    if !has_plan(p) {
        items.truncate(0);
    }
    if !items.is_empty() {
        b.push(Block::List(items));
    }
}

fn coverage(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let (inputs, p) = (a.inputs, a.plan);
    b.push(h(2, "coverage", "Coverage per service"));
    b.push(Block::Para(format!(
        "Need within each service's access limit of an open building hosting it, by public transport. Need no \
         capable building reaches within the limit even with every building open is unreachable at baseline: \
         listed, never dropped. {}",
        match a.rules.beyond_limit {
            hubplan::scenario::BeyondLimit::NoWorse => "Where the access rule applies and a building hosts the \
                 service for such a zone today, its journey to the service may not get longer \
                 (access.beyond_limit = no_worse)."
                .to_string(),
            hubplan::scenario::BeyondLimit::Tolerance(t) => format!(
                "Where the access rule applies and a building hosts the service for such a zone today, its \
                 journey to the service may get at most {t} minutes longer (access.beyond_limit = tolerance)."
            ),
            hubplan::scenario::BeyondLimit::Ignore => {
                "Such zones were left out of the rules (access.beyond_limit = ignore).".to_string()
            }
        }
    )));
    let mut t = Table::new(
        &[
            "Service",
            "Limit",
            "Need",
            "Within limit before",
            "Share",
            "Within limit after",
            "Share",
            "Unreachable at baseline",
            "Sites before",
            "Sites after",
        ],
        &[1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    t.class = "wide";
    for (k, c) in p.totals.per_service.iter().enumerate() {
        let svc = c.service.or_else(|| p.services.get(k).copied());
        t.rows.push(vec![
            svc.map_or_else(|| format!("service {k}"), |s| service_name(inputs, s)),
            limit(c.max_minutes),
            count(c.need_total),
            count(c.need_covered_before),
            pct_of(c.need_covered_before, c.need_total),
            count(c.need_covered_after),
            pct_of(c.need_covered_after, c.need_total),
            count(c.need_unreachable),
            count(c.sites_before as f64),
            count(c.sites_after as f64),
        ]);
    }
    b.push(Block::Table(t));
    let unreachable: Vec<String> = p
        .unreachable
        .iter()
        .filter(|u| !u.zones.is_empty())
        .map(|u| format!("{}: {}", service_name(inputs, u.service), zone_ids(inputs, &u.zones)))
        .collect();
    if !unreachable.is_empty() {
        b.push(Block::Para("Zones unreachable at baseline, per service:".into()));
        b.push(Block::List(unreachable));
    }
}

fn hubs(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let (p, r) = (a.plan, a.rules);
    b.push(h(2, "hubs", "Family hubs by district"));
    let hub = if r.hub.is_empty() {
        "(no hub services set)".to_string()
    } else {
        service_list(a.inputs, r.hub.iter().copied())
    };
    let mut para = format!("A family hub is an open building hosting all of: {hub}.");
    if r.min_hubs_per_district > 0 {
        para.push_str(&format!(
            " The rules ask for at least {} in every district.",
            count(r.min_hubs_per_district as f64)
        ));
    }
    b.push(Block::Para(para));
    if p.totals.hubs_per_district.is_empty() {
        b.push(Block::Para("No building has a district.".into()));
        return;
    }
    let mut t = Table::new(&["District", "Hubs before", "Hubs after", "Change"], &[1, 2, 3]);
    for (d, before, after) in &p.totals.hubs_per_district {
        t.rows.push(vec![
            district(d),
            count(*before as f64),
            count(*after as f64),
            change(*before, *after),
        ]);
    }
    t.total = Some(vec![
        "Total".into(),
        count(p.totals.hubs_before as f64),
        count(p.totals.hubs_after as f64),
        change(p.totals.hubs_before, p.totals.hubs_after),
    ]);
    b.push(Block::Table(t));
}

fn moved(inputs: &Inputs, sp: &ServiceSitePlan, what: HostChange) -> String {
    service_list(inputs, sp.hosting.iter().filter(|(_, c)| *c == what).map(|(s, _)| *s))
}

fn buildings(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let (inputs, p) = (a.inputs, a.plan);
    b.push(h(2, "buildings", "Buildings"));
    b.push(Block::Para(
        "Every building open today or after the plan (candidates left unused are not listed).".into(),
    ));
    let mut t = Table::new(
        &[
            "Building",
            "District",
            "Decision",
            "Services after",
            "Moved in",
            "Moved out",
            "Hub today",
            "Hub after",
            "Reason",
        ],
        &[],
    );
    t.class = "wide";
    let reasons = hubplan::explain::service_reasons(inputs, a.rules, p);
    for (j, sp) in p.sites.iter().enumerate() {
        if sp.decision == Decision::Unused {
            continue;
        }
        let s = SiteIdx::from_index(j);
        t.rows.push(vec![
            site_label(inputs, s),
            district(&inputs.site(s).district),
            sp.decision.name().into(),
            service_list(inputs, sp.hosts_after.iter().copied()),
            moved(inputs, sp, HostChange::MovedIn),
            moved(inputs, sp, HostChange::MovedOut),
            yes_no(sp.hub_before),
            yes_no(sp.hub_after),
            reasons
                .iter()
                .find(|r| r.site == s)
                .map_or_else(String::new, |r| r.text.clone()),
        ]);
    }
    if t.rows.is_empty() {
        b.push(Block::Para("No building is open today or after the plan.".into()));
    } else {
        b.push(Block::Table(t));
    }
}

fn worse_off(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let (inputs, p) = (a.inputs, a.plan);
    if !has_plan(p) {
        return;
    }
    let list = hubplan::explain::service_worse_off(inputs, a.rules, p);
    b.push(h(2, "worse-off", "Who is worse off"));
    for sentence in hubplan::explain::service_worse_off_sentences(inputs, p, &list, 5) {
        b.push(Block::Para(sentence));
    }
    if list.zones.is_empty() {
        return;
    }
    let mut t = Table::new(
        &[
            "Zone",
            "Service",
            "Need",
            "IMD decile",
            "Minutes today",
            "Minutes after",
            "Increase",
            "Because",
        ],
        &[2, 3, 4, 5, 6],
    );
    t.class = "wide";
    let mins = |m: f64| format!("{m:.1}");
    for w in &list.zones {
        let z = inputs.zone(w.zone);
        t.rows.push(vec![
            if z.name.is_empty() || z.name == z.id {
                z.id.clone()
            } else {
                format!("{} ({})", z.name, z.id)
            },
            service_name(inputs, w.service),
            count(w.need),
            z.imd_decile.map_or_else(|| "–".into(), |d| d.to_string()),
            mins(w.minutes_before),
            w.minutes_after.map_or_else(|| "no site".into(), mins),
            w.minutes_after
                .map_or_else(|| "–".into(), |a| format!("+{:.1}", a - w.minutes_before)),
            format!(
                "{} {}",
                site_label(inputs, w.cause),
                if w.cause_closed { "closes" } else { "stops hosting it" }
            ),
        ]);
    }
    b.push(Block::Table(t));
    let mut d = Table::new(
        &[
            "Service",
            "IMD decile",
            "Zones",
            "Need",
            "Longer journey (need)",
            "Worse off (need)",
        ],
        &[2, 3, 4, 5],
    );
    for (s, ds) in &list.by_imd_decile {
        for x in ds {
            d.rows.push(vec![
                service_name(inputs, *s),
                x.imd_decile.map_or_else(|| "none".into(), |v| v.to_string()),
                count(x.zones as f64),
                count(x.need),
                format!("{} ({})", x.zones_longer, count(x.need_longer)),
                format!("{} ({})", x.zones_worse_off, count(x.need_worse_off)),
            ]);
        }
    }
    b.push(Block::Para(
        "Totals by IMD decile (1 = most deprived), per service:".into(),
    ));
    b.push(Block::Table(d));
}

fn blocker(inputs: &Inputs, bl: &ServiceBlocker) -> String {
    match bl {
        ServiceBlocker::ForcedClosures { service, zones, sites } => format!(
            "{}: zones {} can reach within the limit only buildings forced closed or forced not to host it ({}).",
            service_label(inputs, *service),
            zone_ids(inputs, zones),
            site_ids(inputs, sites)
        ),
        ServiceBlocker::Capacity {
            site,
            services,
            zones,
            space,
            capacity,
        } => {
            let pairs: Vec<String> = zones
                .iter()
                .map(|&(z, s)| format!("{} for {}", inputs.zone(z).id, inputs.services[s.index()].id))
                .collect();
            format!(
                "{} must host {} (the only building within reach of {}), which need {} of space; its capacity is {}.",
                site_label(inputs, *site),
                service_list(inputs, services.iter().copied()),
                if pairs.is_empty() {
                    "services forced there".to_string()
                } else {
                    pairs.join(", ")
                },
                plain(*space),
                plain(*capacity)
            )
        }
        ServiceBlocker::Limit {
            rule,
            limit,
            plan_value,
        } => {
            let v = |x: f64| rule.value_text(x);
            format!(
                "The rule {rule} = {} blocks the plan: without it, the least-cost plan has {}.",
                v(*limit),
                v(*plan_value)
            )
        }
        ServiceBlocker::Combination => "No single rule explains it: the limits block together.".to_string(),
        other => format!("{other:?}"),
    }
}

fn infeasibility(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let p = a.plan;
    if p.status != PlanStatus::Infeasible && p.infeasibility.is_none() {
        return;
    }
    b.push(h(2, "infeasibility", "Why no plan meets the rules"));
    match &p.infeasibility {
        Some(inf) if !inf.blockers.is_empty() => {
            b.push(Block::List(
                inf.blockers.iter().map(|bl| blocker(a.inputs, bl)).collect(),
            ));
        }
        _ => b.push(Block::Para(
            "The solver found no plan and could not say why (see the status above).".into(),
        )),
    }
}

fn method(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let (p, r, pv) = (a.plan, a.rules, a.provenance);
    b.push(h(2, "method", "Method and provenance"));
    let mut items = vec![
        "Model: choose which buildings stay open (and which candidates open) and which services each hosts, \
         within each building's space; a service moved into a building that does not host it today costs its \
         one-off conversion cost."
            .to_string(),
        "Access: a zone is within a service's limit when its nearest open building hosting that service is at \
         most the limit away by public transport (inclusive). Zones are small areas taken at their centroid."
            .to_string(),
        "Solving: an exact optimiser; every plan is re-checked by an independent evaluator that recomputes \
         each zone's nearest hosting building, the coverage, the hubs and the costs from the inputs."
            .to_string(),
    ];
    let mut rules = Vec::new();
    if let Some(m) = r.annual_budget {
        rules.push(format!("annual budget {}", money(m)));
    }
    if let Some(m) = r.capital_budget {
        rules.push(format!("capital budget {}", money(m)));
    }
    if let Some(m) = r.savings_target {
        rules.push(format!("savings target {}", money(m)));
    }
    if r.min_hubs_per_district > 0 {
        rules.push(format!(
            "at least {} hub(s) per district",
            count(r.min_hubs_per_district as f64)
        ));
    }
    if let Some(d) = r.equity_max_imd_decile {
        rules.push(format!("zones in IMD deciles 1–{d} must be within the limit"));
    }
    if !r.keep.is_empty() {
        rules.push(format!("kept by the scenario: {}", site_ids(a.inputs, &r.keep)));
    }
    if !r.close.is_empty() {
        rules.push(format!("closed by the scenario: {}", site_ids(a.inputs, &r.close)));
    }
    if !rules.is_empty() {
        items.push(format!("Rules: {}.", rules.join("; ")));
    }
    b.push(Block::List(items));
    provenance_tables(
        pv,
        &SolveOutcome {
            backend: &p.solver.backend,
            status: p.status,
            first_objective: p.then.map(|_| (p.objective_kind, p.primary_objective)),
            objective_kind: p.then.unwrap_or(p.objective_kind),
            objective: p.objective,
            bound: p.bound,
            gap: p.gap,
        },
        b,
    );
}
