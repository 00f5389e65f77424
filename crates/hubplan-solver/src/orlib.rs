//! Parsers that turn public reference instances into [`Instance`]s.
//!
//! Used by the reference tests; public so that other tools (benchmarks, the CLI)
//! can re-run them. Every parser takes the file text and returns an instance in
//! the crate's minimisation form, or a [`ParseError`].
//!
//! | function | format | mapping |
//! |---|---|---|
//! | [`pmed`] | OR-Library p-median (`n m p`, edges `i j c`) | Floyd–Warshall distances, duplicate edges: **last occurrence wins**; every vertex a client (weight 1) and a site; exactly `p` sites |
//! | [`scp`] | OR-Library set covering (`m n`, costs, rows) | sites = columns with their cost, clients = rows (must serve, arcs of cost 0) |
//! | [`warehouse`] | OR-Library cap/uncap warehouse | fixed costs; arc cost = cost of *all* of the customer's demand; capacities optional (splittable) |
//! | [`sjc`] | Lorena's SJC MCLP (coordinates + demands) | covered iff Euclidean distance ≤ S; unserved cost = demand; exactly `p` sites |
//! | [`spopt_sf`] | spopt's San Francisco CSVs | rows = tracts sorted by name, columns = stores sorted by name (as spopt pivots) |

use crate::instance::{Arc, Cardinality, Instance};
use thiserror::Error;

/// A reference file could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("parse error: {0}")]
#[non_exhaustive]
pub struct ParseError(pub String);

fn err<T>(s: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError(s.into()))
}

struct Tokens<'a>(std::str::SplitWhitespace<'a>);

impl Tokens<'_> {
    fn f64(&mut self, what: &str) -> Result<f64, ParseError> {
        match self.0.next() {
            Some(t) => t
                .parse::<f64>()
                .map_err(|_| ParseError(format!("{what}: bad number {t:?}"))),
            None => err(format!("{what}: unexpected end of file")),
        }
    }
    fn usize(&mut self, what: &str) -> Result<usize, ParseError> {
        let v = self.f64(what)?;
        if v < 0.0 || v.fract() != 0.0 {
            return err(format!("{what}: {v} is not a count"));
        }
        Ok(v as usize)
    }
}

/// OR-Library p-median: returns the instance and `p`.
///
/// # Errors
/// [`ParseError`] on malformed text.
pub fn pmed(text: &str) -> Result<(Instance, usize), ParseError> {
    let mut t = Tokens(text.split_whitespace());
    let n = t.usize("n")?;
    let m = t.usize("m")?;
    let p = t.usize("p")?;
    if n == 0 || n > 20_000 {
        return err(format!("n = {n} out of range"));
    }
    let inf = f64::INFINITY;
    let mut d = vec![inf; n * n];
    for i in 0..n {
        d[i * n + i] = 0.0;
    }
    for e in 0..m {
        let a = t.usize("edge")?;
        let b = t.usize("edge")?;
        let c = t.f64("edge cost")?;
        if a == 0 || b == 0 || a > n || b > n {
            return err(format!("edge {e}: vertex out of range"));
        }
        // Last occurrence wins (Beasley's rule).
        if a != b {
            d[(a - 1) * n + (b - 1)] = c;
            d[(b - 1) * n + (a - 1)] = c;
        }
    }
    for k in 0..n {
        let rowk: Vec<f64> = d[k * n..(k + 1) * n].to_vec();
        for i in 0..n {
            let dik = d[i * n + k];
            if !dik.is_finite() {
                continue;
            }
            let row = &mut d[i * n..(i + 1) * n];
            for j in 0..n {
                let v = dik + rowk[j];
                if v < row[j] {
                    row[j] = v;
                }
            }
        }
    }
    let mut inst = Instance::with_sites(n);
    inst.cardinality = Some(Cardinality {
        min: p as u32,
        max: p as u32,
    });
    for i in 0..n {
        let arcs = (0..n)
            .filter(|&j| d[i * n + j].is_finite())
            .map(|j| Arc {
                site: j as u32,
                cost: d[i * n + j],
            })
            .collect();
        inst.push_client(arcs, None, 1.0);
    }
    Ok((inst, p))
}

/// OR-Library weighted set covering. `unicost` sets every column cost to 1.
///
/// # Errors
/// [`ParseError`] on malformed text.
pub fn scp(text: &str, unicost: bool) -> Result<Instance, ParseError> {
    let mut t = Tokens(text.split_whitespace());
    let m = t.usize("rows")?;
    let n = t.usize("columns")?;
    let mut inst = Instance::with_sites(n);
    for j in 0..n {
        let c = t.f64("cost")?;
        inst.fixed_cost[j] = if unicost { 1.0 } else { c };
    }
    for i in 0..m {
        let k = t.usize("row length")?;
        let mut cols = Vec::with_capacity(k);
        for _ in 0..k {
            let c = t.usize("column")?;
            if c == 0 || c > n {
                return err(format!("row {i}: column {c} out of range"));
            }
            cols.push(c as u32 - 1);
        }
        cols.sort_unstable();
        cols.dedup();
        inst.push_client(
            cols.into_iter().map(|s| Arc { site: s, cost: 0.0 }).collect(),
            None,
            1.0,
        );
    }
    Ok(inst)
}

/// OR-Library warehouse location (`cap*`). With `capacitated` the file's
/// capacities apply (multi-source, splittable); otherwise they are ignored (UFLP).
///
/// # Errors
/// [`ParseError`] on malformed text.
pub fn warehouse(text: &str, capacitated: bool) -> Result<Instance, ParseError> {
    let mut t = Tokens(text.split_whitespace());
    let m = t.usize("warehouses")?;
    let n = t.usize("customers")?;
    let mut inst = Instance::with_sites(m);
    for j in 0..m {
        let q = t.f64("capacity")?;
        let f = t.f64("fixed cost")?;
        inst.fixed_cost[j] = f;
        if capacitated {
            inst.capacity[j] = Some(q);
        }
    }
    for _ in 0..n {
        let dem = t.f64("demand")?;
        let mut arcs = Vec::with_capacity(m);
        for j in 0..m {
            arcs.push(Arc {
                site: j as u32,
                cost: t.f64("allocation cost")?,
            });
        }
        inst.push_client(arcs, None, dem);
    }
    Ok(inst)
}

/// SJC maximal covering: `coords` is `SJCn.txt`, `demand` is `demand-SJCn.dat`.
/// Exactly `p` sites; a node is covered by sites within Euclidean distance `s`
/// (inclusive). The objective is the uncovered demand.
///
/// # Errors
/// [`ParseError`] on malformed text.
pub fn sjc(coords: &str, demand: &str, s: f64, p: u32) -> Result<Instance, ParseError> {
    let mut t = Tokens(coords.split_whitespace());
    let n = t.usize("n")?;
    let mut xy = Vec::with_capacity(n);
    for _ in 0..n {
        xy.push((t.f64("x")?, t.f64("y")?));
    }
    let mut d = Tokens(demand.split_whitespace());
    let mut inst = Instance::with_sites(n);
    inst.cardinality = Some(Cardinality { min: p, max: p });
    for i in 0..n {
        let w = d.f64("demand")?;
        let arcs = (0..n)
            .filter(|&j| {
                let (dx, dy) = (xy[i].0 - xy[j].0, xy[i].1 - xy[j].1);
                (dx * dx + dy * dy).sqrt() <= s
            })
            .map(|j| Arc {
                site: j as u32,
                cost: 0.0,
            })
            .collect();
        inst.push_client(arcs, Some(w), w);
    }
    Ok(inst)
}

/// Splits one CSV line (double quotes, no embedded newlines).
fn csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// spopt's San Francisco data, pivoted as spopt does.
#[derive(Clone, Debug)]
pub struct SpoptSf {
    /// Tract names, sorted as strings (the rows).
    pub tracts: Vec<String>,
    /// Store names, sorted as strings (the columns: Store_1, Store_11, …).
    pub stores: Vec<String>,
    /// `dist[t][s]` network distance in metres (`INFINITY` when missing).
    pub dist: Vec<Vec<f64>>,
    /// POP2000 per tract (same order as `tracts`).
    pub weight: Vec<f64>,
}

/// Reads `SF_network_distance_candidateStore_16_censusTract_205_new.csv` and
/// `SF_demand_205_centroid_uniform_weight.csv`.
///
/// # Errors
/// [`ParseError`] on malformed text.
pub fn spopt_sf(distances: &str, demand: &str) -> Result<SpoptSf, ParseError> {
    let mut rows = Vec::new();
    let mut lines = distances.lines();
    let head = csv_line(lines.next().unwrap_or_default());
    let col = |h: &[String], name: &str| {
        h.iter()
            .position(|c| c == name)
            .ok_or_else(|| ParseError(format!("missing column {name}")))
    };
    let (cd, cn, ct) = (
        col(&head, "distance")?,
        col(&head, "name")?,
        col(&head, "DestinationName")?,
    );
    for l in lines.filter(|l| !l.trim().is_empty()) {
        let f = csv_line(l);
        let get = |k: usize| f.get(k).cloned().ok_or_else(|| ParseError(format!("short row {l:?}")));
        let d: f64 = get(cd)?
            .parse()
            .map_err(|_| ParseError(format!("bad distance in {l:?}")))?;
        rows.push((get(ct)?, get(cn)?, d));
    }
    let mut tracts: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    tracts.sort();
    tracts.dedup();
    let mut stores: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    stores.sort();
    stores.dedup();
    let mut dist = vec![vec![f64::INFINITY; stores.len()]; tracts.len()];
    for (t, s, d) in rows {
        let (Ok(a), Ok(b)) = (tracts.binary_search(&t), stores.binary_search(&s)) else {
            continue;
        };
        dist[a][b] = d;
    }
    let mut lines = demand.lines();
    let head = csv_line(lines.next().unwrap_or_default());
    let (cname, cpop) = (col(&head, "NAME")?, col(&head, "POP2000")?);
    let mut pop: Vec<(String, f64)> = Vec::new();
    for l in lines.filter(|l| !l.trim().is_empty()) {
        let f = csv_line(l);
        let name = f
            .get(cname)
            .cloned()
            .ok_or_else(|| ParseError("short demand row".into()))?;
        let w: f64 = f
            .get(cpop)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| ParseError(format!("bad POP2000 in {l:?}")))?;
        pop.push((name, w));
    }
    pop.sort_by(|a, b| a.0.cmp(&b.0));
    if pop.len() != tracts.len() || pop.iter().zip(&tracts).any(|(p, t)| &p.0 != t) {
        return err("demand names do not match the distance matrix rows");
    }
    Ok(SpoptSf {
        tracts,
        stores,
        dist,
        weight: pop.into_iter().map(|p| p.1).collect(),
    })
}

impl SpoptSf {
    /// p-median: arc cost = weight × distance, exactly `p` stores.
    pub fn p_median(&self, p: u32) -> Instance {
        let mut inst = Instance::with_sites(self.stores.len());
        inst.cardinality = Some(Cardinality { min: p, max: p });
        for (t, row) in self.dist.iter().enumerate() {
            let arcs = (0..row.len())
                .filter(|&s| row[s].is_finite())
                .map(|s| Arc {
                    site: s as u32,
                    cost: self.weight[t] * row[s],
                })
                .collect();
            inst.push_client(arcs, None, self.weight[t]);
        }
        inst
    }
    /// MCLP: covered iff distance ≤ `radius`; unserved cost = weight; exactly `p` stores.
    pub fn mclp(&self, radius: f64, p: u32) -> Instance {
        let mut inst = self.cover(radius, true);
        inst.cardinality = Some(Cardinality { min: p, max: p });
        inst
    }
    /// LSCP (unicost): every tract covered within `radius`, minimise the number of stores.
    pub fn lscp(&self, radius: f64) -> Instance {
        let mut inst = self.cover(radius, false);
        inst.fixed_cost = vec![1.0; self.stores.len()];
        inst
    }
    fn cover(&self, radius: f64, optional: bool) -> Instance {
        let mut inst = Instance::with_sites(self.stores.len());
        for (t, row) in self.dist.iter().enumerate() {
            let arcs = (0..row.len())
                .filter(|&s| row[s] <= radius)
                .map(|s| Arc {
                    site: s as u32,
                    cost: 0.0,
                })
                .collect();
            inst.push_client(arcs, optional.then_some(self.weight[t]), self.weight[t]);
        }
        inst
    }
}
