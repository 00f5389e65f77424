//! Who bears the change: each zone's journey before and after, and the sums by
//! IMD decile and by district that the summary and the equality section state.
//!
//! Everything here is recomputed from the plan's per-zone nearest hubs
//! (`Plan::zones`), weighted by population when the inputs have it (else by
//! need), so every figure can be checked by hand against `zones.csv`.

use std::collections::BTreeMap;

use hubplan::{Inputs, Plan, ZoneIdx};

use crate::doc::{Block, Table};
use crate::fmt::{count, minutes, minutes_opt, pct_of};

/// A journey counts as longer when it grows by more than this many minutes
/// (travel times carry two decimals; this ignores rounding noise).
pub(crate) const LONGER_EPS: f64 = 0.05;
/// The first threshold of a much longer journey, in minutes.
pub(crate) const MUCH_LONGER: f64 = 10.0;
/// The second threshold, in minutes.
pub(crate) const VERY_MUCH_LONGER: f64 = 20.0;

/// The attribute read as "children".
pub(crate) const CHILDREN: &str = "pop_0_15";

/// One zone's journey to its nearest open hub, before and after.
#[derive(Clone, Debug)]
pub(crate) struct ZoneChange {
    pub zone: ZoneIdx,
    /// Minutes before (status quo), when a hub was reachable.
    pub before: Option<f64>,
    /// Minutes after, when a hub is reachable.
    pub after: Option<f64>,
    /// Population (or need) weight.
    pub weight: f64,
    /// Children (`pop_0_15`), 0 when absent.
    pub children: f64,
}

impl ZoneChange {
    /// Minutes added (after − before); `None` when either side has no reachable hub.
    pub fn delta(&self) -> Option<f64> {
        Some(self.after? - self.before?)
    }
    /// The journey grows (or the zone loses every reachable hub).
    pub fn longer(&self) -> bool {
        match (self.before, self.after) {
            (Some(b), Some(a)) => a - b > LONGER_EPS,
            (Some(_), None) => true,
            _ => false,
        }
    }
    /// The journey grows by at least `m` minutes (or no hub is reachable after).
    pub fn longer_by(&self, m: f64) -> bool {
        match (self.before, self.after) {
            (Some(b), Some(a)) => a - b >= m - 1e-9,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// Population weights when the inputs have population, else need.
pub(crate) fn by_population(inputs: &Inputs) -> bool {
    inputs.zones.iter().map(|z| z.population).sum::<f64>() > 0.0
}

/// "residents" or "need".
pub(crate) fn weight_noun(inputs: &Inputs) -> &'static str {
    if by_population(inputs) {
        "residents"
    } else {
        "need"
    }
}

/// Every zone's change, in zone order.
pub(crate) fn zone_changes(inputs: &Inputs, plan: &Plan) -> Vec<ZoneChange> {
    let pop = by_population(inputs);
    inputs
        .zone_indices()
        .map(|z| {
            let zone = inputs.zone(z);
            let zp = &plan.zones[z.index()];
            ZoneChange {
                zone: z,
                before: zp.before.map(|x| x.1),
                after: zp.after.map(|x| x.1),
                weight: if pop { zone.population } else { zone.need },
                children: zone.attributes.get(CHILDREN).copied().unwrap_or(0.0),
            }
        })
        .collect()
}

/// Sums for one group of zones (a decile, a district, or all).
#[derive(Clone, Debug, Default)]
pub(crate) struct Group {
    pub zones: usize,
    pub weight: f64,
    pub within_before: f64,
    pub within_after: f64,
    /// (Σ weight, Σ weight × minutes) over zones with a hub before.
    pub before: (f64, f64),
    /// The same after.
    pub after: (f64, f64),
    /// Zones and weight with a longer journey.
    pub longer: (usize, f64),
    /// Zones and weight with a journey at least [`MUCH_LONGER`] minutes longer.
    pub much_longer: (usize, f64),
    /// Zones and weight with a journey at least [`VERY_MUCH_LONGER`] minutes longer.
    pub very_much_longer: (usize, f64),
    /// (Σ weight, Σ weight × added minutes) over zones whose journey grows and that
    /// still reach a hub after (for the mean rise among them).
    pub added: (f64, f64),
    /// Zones and weight that reach a hub today and none after the plan.
    pub lost: (usize, f64),
}

impl Group {
    fn add(&mut self, plan: &Plan, c: &ZoneChange) {
        let zp = &plan.zones[c.zone.index()];
        self.zones += 1;
        self.weight += c.weight;
        if zp.covered_before {
            self.within_before += c.weight;
        }
        if zp.covered_after {
            self.within_after += c.weight;
        }
        if let Some(b) = c.before {
            self.before.0 += c.weight;
            self.before.1 += c.weight * b;
        }
        if let Some(a) = c.after {
            self.after.0 += c.weight;
            self.after.1 += c.weight * a;
        }
        if c.longer() {
            self.longer.0 += 1;
            self.longer.1 += c.weight;
            match c.delta() {
                Some(d) => {
                    self.added.0 += c.weight;
                    self.added.1 += c.weight * d;
                }
                None => {
                    self.lost.0 += 1;
                    self.lost.1 += c.weight;
                }
            }
        }
        if c.longer_by(MUCH_LONGER) {
            self.much_longer.0 += 1;
            self.much_longer.1 += c.weight;
        }
        if c.longer_by(VERY_MUCH_LONGER) {
            self.very_much_longer.0 += 1;
            self.very_much_longer.1 += c.weight;
        }
    }
    /// Mean minutes before.
    pub fn mean_before(&self) -> Option<f64> {
        (self.before.0 > 0.0).then(|| self.before.1 / self.before.0)
    }
    /// Mean minutes after.
    pub fn mean_after(&self) -> Option<f64> {
        (self.after.0 > 0.0).then(|| self.after.1 / self.after.0)
    }
    /// Change in mean minutes.
    pub fn rise(&self) -> Option<f64> {
        Some(self.mean_after()? - self.mean_before()?)
    }
    /// Mean minutes added among those whose journey grows and that still reach a hub
    /// after (a zone that loses every hub has no added minutes: it is in `lost`).
    pub fn mean_added(&self) -> Option<f64> {
        (self.added.0 > 0.0).then(|| self.added.1 / self.added.0)
    }
}

/// Groups by IMD decile (0 = unknown) and by district, and the whole.
pub(crate) struct Breakdown {
    pub changes: Vec<ZoneChange>,
    pub deciles: BTreeMap<u8, Group>,
    pub districts: BTreeMap<String, Group>,
    pub all: Group,
}

/// The breakdown of a plan.
pub(crate) fn breakdown(inputs: &Inputs, plan: &Plan) -> Breakdown {
    let changes = zone_changes(inputs, plan);
    let mut deciles: BTreeMap<u8, Group> = BTreeMap::new();
    let mut districts: BTreeMap<String, Group> = BTreeMap::new();
    let mut all = Group::default();
    for c in &changes {
        let zone = inputs.zone(c.zone);
        deciles.entry(zone.imd_decile.unwrap_or(0)).or_default().add(plan, c);
        districts.entry(district_name(&zone.district)).or_default().add(plan, c);
        all.add(plan, c);
    }
    Breakdown {
        changes,
        deciles,
        districts,
        all,
    }
}

/// A district's name, or "(no district)".
pub(crate) fn district_name(s: &str) -> String {
    if s.is_empty() {
        "(no district)".into()
    } else {
        s.to_string()
    }
}

/// "Name (ID)" for a zone, or "ID" when it has no name.
pub(crate) fn zone_label(inputs: &Inputs, z: ZoneIdx) -> String {
    let zone = inputs.zone(z);
    if zone.name.is_empty() {
        zone.id.clone()
    } else {
        format!("{} ({})", zone.name, zone.id)
    }
}

/// A decile's label: "1 (most deprived)" … "10 (least deprived)", "unknown".
pub(crate) fn decile_label(d: u8) -> String {
    match d {
        0 => "unknown".to_string(),
        1 => "1 (most deprived)".to_string(),
        10 => "10 (least deprived)".to_string(),
        d => d.to_string(),
    }
}

/// The zones whose journeys grow most, largest rise first (ties by zone id); zones
/// that lose every reachable hub come first.
pub(crate) fn largest_rises<'a>(inputs: &Inputs, b: &'a Breakdown, n: usize) -> Vec<&'a ZoneChange> {
    let mut v: Vec<&ZoneChange> = b.changes.iter().filter(|c| c.longer()).collect();
    v.sort_by(|x, y| {
        let dx = x.delta().unwrap_or(f64::INFINITY);
        let dy = y.delta().unwrap_or(f64::INFINITY);
        dy.total_cmp(&dx)
            .then_with(|| inputs.zone(x.zone).id.cmp(&inputs.zone(y.zone).id))
    });
    v.truncate(n);
    v
}

/// "Canterbury 010C (E01024055), 23.1 → 67.6 min".
pub(crate) fn rise_phrase(inputs: &Inputs, c: &ZoneChange) -> String {
    format!(
        "{}, {} → {}",
        zone_label(inputs, c.zone),
        minutes_opt(c.before),
        c.after.map_or_else(|| "no hub reachable".into(), minutes)
    )
}

/// The decile with the largest rise in mean minutes (ties: the more deprived), over known deciles.
pub(crate) fn decile_with_largest_rise(b: &Breakdown) -> Option<(u8, &Group)> {
    b.deciles
        .iter()
        .filter(|(d, _)| **d > 0)
        .filter_map(|(d, g)| g.rise().map(|r| (*d, g, r)))
        .max_by(|x, y| x.2.total_cmp(&y.2).then(y.0.cmp(&x.0)))
        .map(|(d, g, _)| (d, g))
}

fn signed_minutes(x: Option<f64>) -> String {
    match x {
        Some(v) if v.abs() < 0.05 => "0.0 min".into(),
        Some(v) => format!("{v:+.1} min"),
        None => "–".into(),
    }
}

/// The words and tables of the equality section, after the decile table of access.
pub(crate) fn section_blocks(inputs: &Inputs, plan: &Plan, max_minutes: Option<f64>, out: &mut Vec<Block>) {
    let limit = crate::fmt::limit_caption(max_minutes);
    let (wb, wa) = (
        crate::fmt::within_column(max_minutes, "before"),
        crate::fmt::within_column(max_minutes, "after"),
    );
    let b = breakdown(inputs, plan);
    let noun = weight_noun(inputs);
    let mut words = Vec::new();
    if let Some((d, g)) = decile_with_largest_rise(&b) {
        words.push(format!(
            "Average journeys rise most in IMD decile {}: from {} to {} ({}), against {} across all areas.",
            decile_label(d),
            minutes_opt(g.mean_before()),
            minutes_opt(g.mean_after()),
            signed_minutes(g.rise()),
            signed_minutes(b.all.rise()),
        ));
    }
    let deprived: Group = b
        .deciles
        .iter()
        .filter(|(d, _)| (1..=2).contains(*d))
        .fold(Group::default(), |acc, (_, g)| merge(&acc, g));
    if b.all.much_longer.1 > 0.0 && deprived.weight > 0.0 {
        words.push(format!(
            "The two most deprived deciles hold {} of {noun} but {} of those whose journey grows by {} minutes or more.",
            pct_of(deprived.weight, b.all.weight),
            pct_of(deprived.much_longer.1, b.all.much_longer.1),
            MUCH_LONGER
        ));
    }
    if !words.is_empty() {
        out.push(Block::Para(words.join(" ")));
    }
    // Change in journeys by decile.
    let mut t = Table::new(
        &[
            "IMD decile",
            "Mean minutes before",
            "Mean minutes after",
            "Change",
            "Zones with longer journeys",
            "Longer by 10+ min",
            "Longer by 20+ min",
            &wb,
            &wa,
        ],
        &[1, 2, 3, 4, 5, 6, 7, 8],
    );
    t.class = "wide";
    t.caption = format!("Change in journeys to the nearest hub by IMD decile ({noun}; {limit})");
    let row = |label: String, g: &Group| {
        vec![
            label,
            minutes_opt(g.mean_before()),
            minutes_opt(g.mean_after()),
            signed_minutes(g.rise()),
            format!("{} ({} {noun})", count(g.longer.0 as f64), count(g.longer.1)),
            format!("{} ({})", count(g.much_longer.0 as f64), count(g.much_longer.1)),
            format!(
                "{} ({})",
                count(g.very_much_longer.0 as f64),
                count(g.very_much_longer.1)
            ),
            pct_of(g.within_before, g.weight),
            pct_of(g.within_after, g.weight),
        ]
    };
    let order: Vec<u8> = b
        .deciles
        .keys()
        .copied()
        .filter(|&d| d > 0)
        .chain(b.deciles.keys().copied().filter(|&d| d == 0))
        .collect();
    for d in order {
        t.rows.push(row(decile_label(d), &b.deciles[&d]));
    }
    t.total = Some(row("All".into(), &b.all));
    out.push(Block::Table(t));
    // By district.
    let mut t = Table::new(
        &[
            "District",
            "Mean minutes before",
            "Mean minutes after",
            "Change",
            "Zones with longer journeys",
            "Longer by 10+ min",
            "Longer by 20+ min",
            &wb,
            &wa,
        ],
        &[1, 2, 3, 4, 5, 6, 7, 8],
    );
    t.class = "wide";
    t.caption = format!("Change in journeys to the nearest hub by district ({noun}; {limit})");
    for (name, g) in &b.districts {
        t.rows.push(row(name.clone(), g));
    }
    t.total = Some(row("All".into(), &b.all));
    out.push(Block::Table(t));
    // The zones whose journeys grow most, by district.
    let top = largest_rises(inputs, &b, 15);
    if !top.is_empty() {
        out.push(Block::Para(format!(
            "The {} whose journeys grow most (minutes to the nearest open hub, before → after), by district:",
            if top.len() == 1 {
                "zone".to_string()
            } else {
                format!("{} zones", top.len())
            }
        )));
        let mut t = Table::new(
            &[
                "District",
                "Zone",
                "IMD decile",
                "Minutes before",
                "Minutes after",
                "Change",
            ],
            &[2, 3, 4, 5],
        );
        t.caption = "Zones whose journeys grow most".into();
        let mut rows: Vec<&ZoneChange> = top;
        rows.sort_by(|x, y| {
            let (zx, zy) = (inputs.zone(x.zone), inputs.zone(y.zone));
            zx.district
                .cmp(&zy.district)
                .then(
                    y.delta()
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&x.delta().unwrap_or(f64::INFINITY)),
                )
                .then(zx.id.cmp(&zy.id))
        });
        for c in rows {
            let zone = inputs.zone(c.zone);
            t.rows.push(vec![
                district_name(&zone.district),
                zone_label(inputs, c.zone),
                zone.imd_decile.map_or_else(|| "unknown".into(), |d| d.to_string()),
                minutes_opt(c.before),
                c.after.map_or_else(|| "no hub".into(), minutes),
                c.delta()
                    .map_or_else(|| "loses access".into(), |d| format!("{d:+.1} min")),
            ]);
        }
        out.push(Block::Table(t));
    }
}

fn merge(a: &Group, b: &Group) -> Group {
    Group {
        zones: a.zones + b.zones,
        weight: a.weight + b.weight,
        within_before: a.within_before + b.within_before,
        within_after: a.within_after + b.within_after,
        before: (a.before.0 + b.before.0, a.before.1 + b.before.1),
        after: (a.after.0 + b.after.0, a.after.1 + b.after.1),
        longer: (a.longer.0 + b.longer.0, a.longer.1 + b.longer.1),
        much_longer: (a.much_longer.0 + b.much_longer.0, a.much_longer.1 + b.much_longer.1),
        very_much_longer: (
            a.very_much_longer.0 + b.very_much_longer.0,
            a.very_much_longer.1 + b.very_much_longer.1,
        ),
        added: (a.added.0 + b.added.0, a.added.1 + b.added.1),
        lost: (a.lost.0 + b.lost.0, a.lost.1 + b.lost.1),
    }
}
