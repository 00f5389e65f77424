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
//!    opening and conversion costs; disposal receipts; whether each target and
//!    rule of the scenario is met.
//! 2. Coverage per service: need within its limit before and after, need
//!    unreachable at baseline.
//! 3. Each service: a map of minutes to its nearest open building hosting it
//!    after the plan, and the change in journeys by IMD decile and by district
//!    (the single-service appendix's map and equality tables, drawn per service).
//! 4. Family hubs by district, before and after.
//! 5. Buildings: one row per open or closed building, with its decision, the
//!    services it hosts after, the services moved in and out, whether it is a
//!    hub, and its reason, service by service.
//! 6. Capacity and use of buildings, by service (only with demand capacity,
//!    `max_users_<service>`): per capacitated service, each building with a
//!    capacity, its users today and after, utilisation today → after, flagged over
//!    90 % full; the warnings (nearly full, need shared under `split`) and the
//!    capacity reasons (kept for capacity, where a closure sends its users).
//! 7. Who is worse off.
//! 8. Why no plan meets the rules (only when infeasible), with names and codes.
//! 9. Method and provenance.

use hubplan::colocate::{HostChange, ServicePlan, ServiceRules, ServiceSitePlan};
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
    per_service(a, &mut b);
    hubs(a, &mut b);
    buildings(a, &mut b);
    capacity(a, &mut b);
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
    tb.caption = "Buildings, family hubs and running cost, before and after".into();
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
    if has_plan(p) {
        let t = targets(a);
        if !t.is_empty() {
            b.push(Block::Para("Targets and rules of the scenario:".into()));
            b.push(Block::List(t));
        }
    } else if p.status == PlanStatus::Infeasible {
        b.push(Block::Para(
            "Targets and rules of the scenario: not all can be met together; the section on why no plan meets \
             the rules names what blocks."
                .into(),
        ));
    }
}

fn coverage(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let (inputs, p) = (a.inputs, a.plan);
    b.push(h(2, "coverage", "Coverage per service"));
    b.push(Block::Para(format!(
        "Need within each service's access limit of an open building hosting it{}. Need no \
         capable building reaches within the limit even with every building open is unreachable at baseline: \
         listed, never dropped. {}",
        a.provenance.travel.by(),
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
            "Share within before",
            "Within limit after",
            "Share within after",
            "Unreachable at baseline",
            "Sites before",
            "Sites after",
        ],
        &[1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    t.class = "wide";
    t.caption = "Need within each service's access limit, before and after".into();
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
    t.caption = "Family hubs by district, before and after".into();
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
    t.caption = "Every building open today or after the plan: decision, services and reason".into();
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

/// "64%", or "–" without a capacity.
fn share_cell(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), hubplan::explain::capacity::whole_pct)
}

/// Demand capacity per building and service (issue 21; only when the plan has
/// `max_users_<service>`): per capacitated service, a table of the buildings with a
/// capacity for it (fullest after the plan first, a total row), then its warnings
/// and capacity reasons. The sentences are the library's
/// ([`hubplan::explain::services_capacity`]), the same as plan.json's.
fn capacity(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    use hubplan::explain::services_capacity::{capacity_reasons, warning_text, warnings, ServiceCapacityWarning};
    let (inputs, p) = (a.inputs, a.plan);
    let Some(cap) = p.capacity.as_ref().filter(|_| has_plan(p)) else {
        return;
    };
    let full_share = hubplan::colocate_capacity::FULL_WARNING;
    let full = hubplan::explain::capacity::whole_pct(full_share);
    b.push(h(2, "capacity", "Capacity and use of buildings, by service"));
    b.push(Block::Para(format!(
        "{} of the planned services {} a capacity per building (max_users_<service> in the sites file): the \
         most users a building can serve for that service, in the unit of the service's need. Each zone's need \
         for {} is placed in open buildings hosting it within the limit, and no building takes more than its \
         capacity; {}. Utilisation is users as a share of capacity, today and after the plan; a building \
         hosting the service after the plan and over {full} full is flagged (the warnings below name those that \
         receive users: users of a building that stops hosting it, or more users than today).",
        count(cap.services.len() as f64),
        if cap.services.len() == 1 { "has" } else { "have" },
        if cap.services.len() == 1 { "it" } else { "each" },
        match cap.assignment {
            hubplan::scenario::Assignment::Split => {
                "a zone's need may be shared between buildings (capacity.assignment = \"split\")"
            }
            hubplan::scenario::Assignment::Single => {
                "each zone goes to one building (capacity.assignment = \"single\")"
            }
        }
    )));
    let all_warnings = warnings(cap);
    let reasons = capacity_reasons(inputs, p);
    for u in &cap.services {
        let s = u.service;
        let name = service_name(inputs, s);
        let noun = hubplan::explain::services_capacity::service_noun(inputs, s);
        let svc = &inputs.services[s.index()];
        b.push(h(
            3,
            &format!("capacity-{}", svc.id),
            &format!("{name}: capacity and use"),
        ));
        let hosts_after = |j: SiteIdx| p.open[j.index()] && p.sites[j.index()].hosts_after.contains(&s);
        let hosts_today = |j: SiteIdx| {
            p.sites[j.index()]
                .hosting
                .iter()
                .any(|&(k, change)| k == s && change != HostChange::MovedIn)
        };
        let mut limited: Vec<&hubplan::colocate_capacity::SiteUse> =
            u.sites.iter().filter(|l| l.max_users.is_some()).collect();
        let after = |l: &hubplan::colocate_capacity::SiteUse| {
            if hosts_after(l.site) {
                l.utilisation_after().unwrap_or(0.0)
            } else {
                -1.0
            }
        };
        limited.sort_by(|x, y| after(y).total_cmp(&after(x)).then(x.site.cmp(&y.site)));
        let unlimited = u
            .sites
            .iter()
            .filter(|l| l.max_users.is_none() && hosts_after(l.site))
            .count();
        if limited.is_empty() {
            b.push(Block::Para(format!("No building has a capacity for {noun}.")));
        } else {
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
            t.caption = format!(
                "{name}: buildings with a capacity (need: {}), fullest after the plan first",
                svc.need_column.as_deref().unwrap_or("need")
            );
            let (mut q, mut ub, mut ua, mut modelled) = (0.0, 0.0, 0.0, 0usize);
            for l in &limited {
                let j = l.site;
                let max = l.max_users.unwrap_or(0.0);
                // Not offered here today (a candidate, or a building not hosting the
                // service): no users today to give or model.
                let not_offered = !hosts_today(j) && !l.before_given;
                q += max;
                ub += l.users_before;
                ua += l.users_after;
                if !l.before_given && !not_offered {
                    modelled += 1;
                }
                let flag = match l.utilisation_after() {
                    Some(x) if hosts_after(j) && x > full_share => format!("over {full} full"),
                    _ => String::new(),
                };
                let decision = p.sites[j.index()].decision.name().to_string();
                t.rows.push(vec![
                    site_label(inputs, j),
                    district(&inputs.site(j).district),
                    if p.open[j.index()] && !hosts_after(j) {
                        format!("{decision} (not hosting it)")
                    } else {
                        decision
                    },
                    count(max),
                    // "—", not "0*" (none modelled) nor a utilisation of 0%.
                    if not_offered {
                        crate::content::NOT_OFFERED_TODAY.into()
                    } else {
                        format!("{}{}", count(l.users_before), if l.before_given { "" } else { "*" })
                    },
                    count(l.users_after),
                    format!(
                        "{} → {}",
                        if not_offered {
                            crate::content::NOT_OFFERED_TODAY.into()
                        } else {
                            share_cell(l.utilisation_before())
                        },
                        if hosts_after(j) {
                            share_cell(l.utilisation_after())
                        } else if p.open[j.index()] {
                            "not hosting".into()
                        } else {
                            "closed".into()
                        }
                    ),
                    flag,
                ]);
            }
            let share = |x: f64| {
                if q > 0.0 {
                    hubplan::explain::capacity::whole_pct(x / q)
                } else {
                    "–".into()
                }
            };
            t.total = Some(vec![
                format!(
                    "{} {}",
                    count(limited.len() as f64),
                    if limited.len() == 1 { "building" } else { "buildings" }
                ),
                String::new(),
                String::new(),
                count(q),
                count(ub),
                count(ua),
                format!("{} → {}", share(ub), share(ua)),
                String::new(),
            ]);
            b.push(Block::Table(t));
            let mut notes = Vec::new();
            if modelled > 0 {
                notes.push(format!(
                    "* Users today not given in the sites file (users_today_{}): modelled as the need of the zones \
                     whose nearest building hosting it today this is.",
                    svc.id
                ));
            }
            if unlimited > 0 {
                notes.push(format!(
                    "{} hosting it after the plan {} no capacity for it (no max_users_{}), can take any number of \
                     users and {} not listed.",
                    count(unlimited as f64),
                    if unlimited == 1 {
                        "building has"
                    } else {
                        "buildings have"
                    },
                    svc.id,
                    if unlimited == 1 { "is" } else { "are" }
                ));
            }
            if !notes.is_empty() {
                b.push(Block::Note(notes.join(" ")));
            }
        }
        let mut items: Vec<String> = all_warnings
            .iter()
            .filter(|w| match w {
                ServiceCapacityWarning::NearlyFull { service, .. } | ServiceCapacityWarning::Split { service, .. } => {
                    *service == s
                }
                _ => false,
            })
            .map(|w| format!("Warning: {}", warning_text(inputs, cap, w)))
            .collect();
        if items.is_empty() {
            items.push(format!(
                "No building that receives {noun} users is over {full} full after the plan, and no zone's need is \
                 shared between buildings."
            ));
        }
        b.push(Block::List(items));
        let mine: Vec<String> = reasons
            .iter()
            .filter(|r| r.1 == s)
            .map(|(j, _, text)| format!("{}: {text}.", site_label(inputs, *j)))
            .collect();
        if !mine.is_empty() {
            b.push(Block::Para(format!("Decisions that capacity for {noun} explains:")));
            b.push(Block::List(mine));
        }
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
    t.caption = format!(
        "Zones whose journey to a service grows by {} minutes or more",
        plain(a.rules.worse_off_minutes)
    );
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
    d.caption = "Journeys by IMD decile (1 = most deprived), per service".into();
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

fn infeasibility(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let p = a.plan;
    if p.status != PlanStatus::Infeasible && p.infeasibility.is_none() {
        return;
    }
    b.push(h(2, "infeasibility", "Why no plan meets the rules"));
    match &p.infeasibility {
        Some(inf) if !inf.blockers.is_empty() => {
            b.push(Block::List(
                inf.blockers
                    .iter()
                    .map(|bl| hubplan::explain::service_blocker_sentence(a.inputs, a.rules, bl))
                    .collect(),
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
        format!(
            "Access: a zone is within a service's limit when its nearest open building hosting that service is at \
             most the limit away{} (inclusive). Zones are small areas taken at their centroid.",
            pv.travel.by()
        ),
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

// ---------------------------------------------------------------------------
// Per service: a map and the equality tables, drawn with the single-service code.
// ---------------------------------------------------------------------------

/// The file a service's map is written to beside the appendix: `map_<id>.svg`,
/// with any character other than ASCII letters, digits, `-` and `_` replaced by `_`.
pub fn service_map_file(inputs: &Inputs, s: ServiceIdx) -> String {
    let id: String = inputs.services[s.index()]
        .id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("map_{id}.svg")
}

/// One service of a co-location plan seen as a single-service plan: the sites
/// hosting it today or after (kept or opened when they host it after, closed
/// when they stop), and every zone with its need for the service, its nearest
/// hosting site before and after, and whether it is within the service's limit.
/// Population is left out, so the equality tables weigh zones by that need.
fn service_view(inputs: &Inputs, p: &ServicePlan, k: usize) -> (Inputs, hubplan::Plan, Option<f64>) {
    let s = p.services[k];
    let limit = p.totals.per_service.get(k).and_then(|c| c.max_minutes);
    let mut keep_sites = Vec::new();
    let mut sites = Vec::new();
    let mut site_plans = Vec::new();
    for (j, sp) in p.sites.iter().enumerate() {
        let before = sp
            .hosting
            .iter()
            .any(|&(x, c)| x == s && matches!(c, HostChange::Stays | HostChange::MovedOut));
        let after = sp.hosts_after.contains(&s);
        if !(before || after) {
            continue;
        }
        let site = inputs.sites[j].clone();
        let decision = match (after, site.status) {
            (true, hubplan::model::SiteStatus::Candidate) => Decision::Open,
            (true, _) if before => Decision::Keep,
            (true, _) => Decision::Open,
            (false, _) => Decision::Close,
        };
        keep_sites.push(j);
        sites.push(site);
        site_plans.push(hubplan::plan::SitePlan {
            decision,
            zones_served: 0,
            need_served: 0.0,
            zones_served_before: 0,
        });
    }
    let zones: Vec<hubplan::model::Zone> = inputs
        .zones
        .iter()
        .zip(&p.zones[k])
        .map(|(z, zp)| {
            let mut z = z.clone();
            z.need = zp.need;
            z.population = 0.0;
            z
        })
        .collect();
    // Site indices in the view: positions in `keep_sites`.
    let local = |x: Option<(SiteIdx, f64)>| {
        x.and_then(|(j, m)| {
            keep_sites
                .iter()
                .position(|&kj| kj == j.index())
                .map(|i| (SiteIdx::from_index(i), m))
        })
    };
    let zone_plans: Vec<hubplan::plan::ZonePlan> = p.zones[k]
        .iter()
        .map(|zp| hubplan::plan::ZonePlan {
            before: local(zp.before),
            after: local(zp.after),
            covered_before: zp.covered_before,
            covered_after: zp.covered_after,
            unreachable: zp.unreachable,
            limit,
        })
        .collect();
    let travel = hubplan::travel::TravelTimes::from_triples(zones.len(), sites.len(), Vec::new())
        .unwrap_or_else(|_| unreachable!("an empty matrix is always valid"));
    let view = Inputs {
        sites,
        zones,
        services: Vec::new(),
        travel,
    };
    let plan = hubplan::Plan {
        status: p.status,
        objective_kind: p.objective_kind,
        objective: p.objective,
        bound: p.bound,
        gap: p.gap,
        open: site_plans.iter().map(|x| x.decision.is_open()).collect(),
        sites: site_plans,
        zones: zone_plans,
        totals: Default::default(),
        unreachable: Vec::new(),
        infeasibility: None,
        solver: Default::default(),
        worse_off_minutes: f64::INFINITY,
        worse_off: Vec::new(),
        by_imd_decile: Vec::new(),
        capacity: None,
    };
    (view, plan, limit)
}

/// Gives every `id` of an SVG document a prefix, and every reference to one
/// (`url(#…)`, `href="#…"`, `aria-labelledby`), so that several maps can sit
/// inline in one HTML page without clashing ids.
fn prefix_svg_ids(svg: &str, prefix: &str) -> String {
    let mut ids: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find(" id=\"") {
        let r = &rest[i + 5..];
        let Some(e) = r.find('"') else { break };
        ids.push(&r[..e]);
        rest = &r[e..];
    }
    ids.sort_unstable();
    ids.dedup();
    let mut out = svg.to_string();
    for id in &ids {
        for (from, to) in [
            (format!(" id=\"{id}\""), format!(" id=\"{prefix}{id}\"")),
            (format!("url(#{id})"), format!("url(#{prefix}{id})")),
            (format!("href=\"#{id}\""), format!("href=\"#{prefix}{id}\"")),
        ] {
            out = out.replace(&from, &to);
        }
    }
    // aria-labelledby lists ids separated by spaces.
    let key = "aria-labelledby=\"";
    let mut res = String::with_capacity(out.len() + 64);
    let mut rest = out.as_str();
    while let Some(i) = rest.find(key) {
        res.push_str(&rest[..i + key.len()]);
        let r = &rest[i + key.len()..];
        let e = r.find('"').unwrap_or(r.len());
        let v: Vec<String> = r[..e]
            .split_whitespace()
            .map(|t| {
                if ids.contains(&t) {
                    format!("{prefix}{t}")
                } else {
                    t.to_string()
                }
            })
            .collect();
        res.push_str(&v.join(" "));
        rest = &r[e..];
    }
    res.push_str(rest);
    res
}

/// The map of one service: minutes from each zone to its nearest open building
/// hosting it after the plan. `None` without a plan.
fn service_map(inputs: &Inputs, p: &ServicePlan, k: usize) -> Option<(String, String)> {
    if !has_plan(p) {
        return None;
    }
    let (view, plan, limit) = service_view(inputs, p, k);
    let name = service_name(inputs, p.services[k]);
    let hosting = format!(
        "building hosting {}",
        hubplan::explain::services_capacity::prose_name(&name)
    );
    let words = |t: String| {
        t.replace("nearest open hub", &format!("nearest open {hosting}"))
            .replace("of a hub (", "of one (")
            .replace("no hub reachable", "none reachable")
            .replace(" 1 zones (", " 1 zone (")
    };
    let svg = words(crate::map::map_svg(
        &view,
        &plan,
        limit,
        &crate::map::MapOptions::default(),
    ));
    let finding = words(crate::map::finding(&view, &plan, limit));
    Some((svg, finding))
}

/// Every service's map as (file name, SVG document), for writing beside the
/// appendix (the Markdown links to them; the HTML has them inline). Empty
/// without a plan. Deterministic.
pub fn service_maps(a: &ServiceAppendix<'_>) -> Vec<(String, String)> {
    (0..a.plan.services.len())
        .filter_map(|k| {
            let (svg, _) = service_map(a.inputs, a.plan, k)?;
            Some((service_map_file(a.inputs, a.plan.services[k]), svg))
        })
        .collect()
}

/// Section "Each service": per planned service, its map and the change in
/// journeys by IMD decile and by district, with the zones whose journeys grow most.
fn per_service(a: &ServiceAppendix<'_>, b: &mut Vec<Block>) {
    let (inputs, p) = (a.inputs, a.plan);
    if !has_plan(p) || p.services.is_empty() {
        return;
    }
    b.push(h(2, "services", "Each service: map and equality"));
    b.push(Block::Para(format!(
        "For each service, a map of minutes from each zone to its nearest open building \
         hosting the service after the plan{}, and the change in those journeys by IMD decile (1 = most \
         deprived) and by district, weighed by each zone's need for the service.",
        a.provenance.travel.by()
    )));
    for k in 0..p.services.len() {
        let s = p.services[k];
        let name = service_name(inputs, s);
        let file = service_map_file(inputs, s);
        let anchor = format!("service-{}", file.trim_start_matches("map_").trim_end_matches(".svg"));
        b.push(h(3, &anchor, &name));
        let (view, plan, limit) = service_view(inputs, p, k);
        if let Some((svg, finding)) = service_map(inputs, p, k) {
            b.push(Block::Map {
                svg: prefix_svg_ids(&svg, &format!("{anchor}-")),
                file: Some(file),
                caption: format!(
                    "{finding} {}, shaded and \
                     patterned by minutes to its nearest open building hosting {} after the plan (limit {}); \
                     black lines are district boundaries. Buildings that host it today or after are marked by \
                     what happens to it there: kept, opened, or closed (the service closes or moves out).",
                    crate::map::zones_drawn(inputs),
                    hubplan::explain::services_capacity::prose_name(&name),
                    limit.map_or_else(|| "none".to_string(), |m| format!("{} minutes", plain(m)))
                ),
            });
        }
        let start = b.len();
        crate::equality::section_blocks(&view, &plan, limit, b);
        for blk in &mut b[start..] {
            match blk {
                Block::Table(t) => {
                    t.caption = format!(
                        "{name}: {}",
                        t.caption.replace("nearest hub", "nearest building hosting it")
                    );
                }
                Block::Para(t) => *t = t.replace("nearest open hub", "nearest open building hosting it"),
                _ => {}
            }
        }
    }
}

/// Whether each target and rule of the scenario is met, one sentence each,
/// counted from the plan.
fn targets(a: &ServiceAppendix<'_>) -> Vec<String> {
    let (inputs, p, r, t) = (a.inputs, a.plan, a.rules, &a.plan.totals);
    let mut out = Vec::new();
    let ok = |met: bool| if met { "met" } else { "missed" };
    if let Some(x) = r.savings_target {
        let met = t.annual_saving >= x - 0.005;
        out.push(format!(
            "Savings target of {} a year: {}: the plan saves {}{}.",
            money(x),
            ok(met),
            money(t.annual_saving),
            if met {
                String::new()
            } else {
                format!(", {} short", money(x - t.annual_saving))
            }
        ));
    }
    if let Some(x) = r.annual_budget {
        out.push(format!(
            "Annual budget of {}: {}: running cost after {}.",
            money(x),
            ok(t.annual_cost_after <= x + 0.005),
            money(t.annual_cost_after)
        ));
    }
    if let Some(x) = r.capital_budget {
        let spend = t.opening_cost + t.conversion_cost;
        out.push(format!(
            "Capital budget of {}: {}: one-off spend {}.",
            money(x),
            ok(spend <= x + 0.005),
            money(spend)
        ));
    }
    let n = t.sites_after as u32;
    match (r.sites.exact, r.sites.min, r.sites.max) {
        (Some(e), _, _) => out.push(format!("Exactly {e} buildings open: {}: {n} open.", ok(n == e))),
        (None, lo, hi) if lo.is_some() || hi.is_some() => {
            let met = lo.is_none_or(|l| n >= l) && hi.is_none_or(|h| n <= h);
            let range = match (lo, hi) {
                (Some(l), Some(h)) => format!("between {l} and {h}"),
                (Some(l), None) => format!("at least {l}"),
                (None, Some(h)) => format!("at most {h}"),
                (None, None) => String::new(),
            };
            out.push(format!("{} buildings open: {}: {n} open.", capitalise(&range), ok(met)));
        }
        _ => {}
    }
    if r.min_hubs_per_district > 0 && !r.hub.is_empty() {
        let short: Vec<String> = t
            .hubs_per_district
            .iter()
            .filter(|(_, _, after)| (*after as u32) < r.min_hubs_per_district)
            .map(|(d, _, after)| format!("{} ({after})", district(d)))
            .collect();
        out.push(format!(
            "At least {} family hub(s) in every district: {}{}.",
            r.min_hubs_per_district,
            ok(short.is_empty()),
            if short.is_empty() {
                String::new()
            } else {
                format!(": fewer in {}", short.join(", "))
            }
        ));
    }
    let hard = matches!(
        r.objective,
        hubplan::ObjectiveKind::MinCost | hubplan::ObjectiveKind::MinTravel
    );
    for (k, &s) in p.services.iter().enumerate() {
        let name = service_name(inputs, s);
        let zs = &p.zones[k];
        let lim = p.totals.per_service.get(k).and_then(|c| c.max_minutes);
        let beyond_rule: Vec<usize> = inputs
            .zone_indices()
            .filter(|z| {
                let zp = &zs[z.index()];
                zp.need > 0.0 && !zp.unreachable && !zp.covered_after
            })
            .map(|z| z.index())
            .collect();
        if hard {
            out.push(format!(
                "{name} within {} of every zone that a building can reach within it: {}{}.",
                lim.map_or_else(|| "reach".to_string(), |m| format!("{} minutes", plain(m))),
                ok(beyond_rule.is_empty()),
                if beyond_rule.is_empty() {
                    String::new()
                } else {
                    format!(": {} zone(s) beyond it", beyond_rule.len())
                }
            ));
            if r.beyond_limit != hubplan::scenario::BeyondLimit::Ignore {
                let broken = inputs
                    .zone_indices()
                    .filter(|&z| {
                        let zp = &zs[z.index()];
                        zp.need > 0.0
                            && zp.unreachable
                            && hubplan::colocate::beyond_limit_of(inputs, r, z, s)
                                .is_some_and(|l| zp.before.is_some() && zp.after.is_none_or(|a| a.1 > l + 1e-9))
                    })
                    .count();
                let held = inputs
                    .zone_indices()
                    .filter(|&z| {
                        zs[z.index()].need > 0.0 && zs[z.index()].unreachable && zs[z.index()].before.is_some()
                    })
                    .count();
                if held > 0 {
                    out.push(format!(
                        "{name}, zones beyond the limit today held to their own limit (access.beyond_limit = {}): {}{}.",
                        r.beyond_limit.name(),
                        ok(broken == 0),
                        if broken == 0 {
                            format!(": {held} zone(s), none with a journey beyond its own limit")
                        } else {
                            format!(": {broken} of {held} zone(s) beyond their own limit")
                        }
                    ));
                }
            }
        }
        if r.equity_max_imd_decile.is_some() {
            let missed = zs
                .iter()
                .filter(|zp| zp.equity && zp.need > 0.0 && !zp.unreachable && !zp.covered_after)
                .count();
            out.push(format!(
                "{name}, every zone in IMD deciles 1–{} within the limit: {}{}.",
                r.equity_max_imd_decile.unwrap_or(0),
                ok(missed == 0),
                if missed == 0 {
                    String::new()
                } else {
                    format!(": {missed} zone(s) beyond it")
                }
            ));
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().collect::<String>() + c.as_str())
}
