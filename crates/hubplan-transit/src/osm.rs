//! The pedestrian street network, read from an OpenStreetMap extract (`.osm.pbf`).
//!
//! [`load_osm`] reads the extract with the `osmpbf` crate in two passes (walkable ways, then
//! the positions of their nodes), and [`StreetNetwork::from_ways`] builds the graph: one node per
//! OSM node used by a walkable way, one undirected edge per pair of consecutive nodes of a way,
//! weighted by its haversine length in whole millimetres, stored as a `petgraph::csr::Csr`
//! (both directions). Components with fewer than [`MIN_COMPONENT_NODES`] nodes (bits of
//! footway cut off by the extract's edge, platforms drawn alone) are kept in the graph but
//! nothing snaps to them, as in R5's island pruning. The edges that can be snapped to are
//! indexed in an `rstar` R-tree in the [`LocalProjection`] of the network.
//!
//! Which ways are walkable is [`is_walkable`]: see `docs/TRANSIT.md` §5.

use std::path::Path;

use hubplan_geo::{haversine_m, LocalProjection, LonLat};
use petgraph::csr::Csr;
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

use crate::TransitError;

/// Components of the street graph with fewer nodes than this are not snapped to.
pub const MIN_COMPONENT_NODES: usize = 40;

/// `highway=*` values a pedestrian may use unless tagged otherwise.
const WALKABLE_HIGHWAYS: &[&str] = &[
    "bridleway",
    "corridor",
    "crossing",
    "cycleway",
    "elevator",
    "footway",
    "living_street",
    "path",
    "pedestrian",
    "platform",
    "primary",
    "primary_link",
    "residential",
    "road",
    "secondary",
    "secondary_link",
    "service",
    "steps",
    "tertiary",
    "tertiary_link",
    "track",
    "trunk",
    "trunk_link",
    "unclassified",
];

/// True when a way with these tags can be walked on:
/// * `foot=no` (or `use_sidepath`) → no; `foot=yes|designated|permissive` → yes, whatever else;
/// * `access=no|private` → no;
/// * `highway` in the walkable list (footway, path, pedestrian, steps, crossing, residential,
///   service, living_street, unclassified, tertiary…primary and their links, trunk, track,
///   cycleway, bridleway, corridor, platform, elevator, road) → yes; `motorway`, `motorway_link`
///   and everything else (construction, proposed, raceway, bus_guideway, busway…) → no;
/// * `railway=platform` or `public_transport=platform` → yes (stops are drawn on them).
pub fn is_walkable<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    let (mut highway, mut foot, mut access, mut platform) = (None, None, None, false);
    for (k, v) in tags {
        match k {
            "highway" => highway = Some(v),
            "foot" => foot = Some(v),
            "access" => access = Some(v),
            "railway" | "public_transport" if v == "platform" => platform = true,
            _ => {}
        }
    }
    match foot {
        Some("no" | "use_sidepath") => return false,
        Some("yes" | "designated" | "permissive") => return highway.is_some() || platform,
        _ => {}
    }
    if matches!(access, Some("no" | "private")) {
        return false;
    }
    platform || highway.is_some_and(|h| WALKABLE_HIGHWAYS.contains(&h))
}

/// One way given to [`StreetNetwork::from_ways`]: its node ids in order (tags already checked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsmWay {
    /// The way's id (only used to order ways).
    pub id: i64,
    /// Its node ids, in order.
    pub nodes: Vec<i64>,
}

/// What building the network found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OsmReport {
    /// Ways in the extract.
    pub ways_read: usize,
    /// Walkable ways kept.
    pub ways_walkable: usize,
    /// Nodes of the graph.
    pub nodes: usize,
    /// Undirected street edges.
    pub edges: usize,
    /// Total length of the edges, km.
    pub length_km: f64,
    /// Nodes referred to by walkable ways but absent from the extract (ways cut at its edge).
    pub missing_nodes: usize,
    /// Edges in components of fewer than [`MIN_COMPONENT_NODES`] nodes (not snapped to).
    pub edges_in_small_components: usize,
}

impl std::fmt::Display for OsmReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} walkable ways of {}, {} nodes, {} edges, {:.1} km ({} edges in components under {} nodes are not snapped to; {} node references missing from the extract)",
            self.ways_walkable,
            self.ways_read,
            self.nodes,
            self.edges,
            self.length_km,
            self.edges_in_small_components,
            MIN_COMPONENT_NODES,
            self.missing_nodes
        )
    }
}

/// An undirected street edge: endpoints (graph nodes) and length in mm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seg {
    pub(crate) u: u32,
    pub(crate) v: u32,
    pub(crate) len_mm: u32,
}

/// The pedestrian graph of an OSM extract, with a spatial index of its edges.
#[derive(Debug)]
pub struct StreetNetwork {
    /// Directed adjacency (both directions of every edge), weights in mm.
    pub(crate) graph: Csr<(), u32, petgraph::Directed, u32>,
    pub(crate) node_pos: Vec<LonLat>,
    pub(crate) segs: Vec<Seg>,
    pub(crate) proj: LocalProjection,
    pub(crate) tree: RTree<GeomWithData<Line<[f64; 2]>, u32>>,
    report: OsmReport,
}

/// Metres → whole millimetres, rounded up (so sums of rounded lengths stay ≥ the true sum).
pub(crate) fn ceil_mm(m: f64) -> u32 {
    let x = (m * 1000.0).ceil();
    if x.is_finite() && x >= 0.0 {
        x.min(u32::MAX as f64 / 4.0) as u32
    } else {
        u32::MAX / 4
    }
}

impl StreetNetwork {
    /// Builds the network from walkable ways and node positions (`nodes` sorted by id or not;
    /// duplicates keep the first). Edges whose end is missing or invalid are dropped.
    ///
    /// # Errors
    /// [`TransitError::Osm`] (with an empty path) when no edge remains.
    pub fn from_ways(nodes: &[(i64, LonLat)], ways: &[OsmWay]) -> Result<(Self, OsmReport), TransitError> {
        Self::build(Path::new(""), nodes, ways, ways.len())
    }

    fn build(
        path: &Path,
        nodes: &[(i64, LonLat)],
        ways: &[OsmWay],
        ways_read: usize,
    ) -> Result<(Self, OsmReport), TransitError> {
        let mut ids: Vec<(i64, LonLat)> = nodes.to_vec();
        ids.sort_by_key(|n| n.0);
        ids.dedup_by_key(|n| n.0);
        let mut ways: Vec<&OsmWay> = ways.iter().collect();
        ways.sort_by_key(|w| w.id);
        // Edges between OSM node ids, first as indices into `ids`.
        let mut raw: Vec<(u32, u32)> = Vec::new();
        let mut missing: Vec<i64> = Vec::new();
        for w in &ways {
            let mut prev: Option<u32> = None;
            for &n in &w.nodes {
                let cur = match ids.binary_search_by_key(&n, |x| x.0) {
                    Ok(i) if ids[i].1.is_valid() => Some(i as u32),
                    _ => {
                        missing.push(n);
                        None
                    }
                };
                if let (Some(a), Some(b)) = (prev, cur) {
                    if a != b {
                        raw.push((a.min(b), a.max(b)));
                    }
                }
                prev = cur;
            }
        }
        missing.sort_unstable();
        missing.dedup();
        // Compact the nodes used by an edge.
        let mut used: Vec<u32> = raw.iter().flat_map(|&(a, b)| [a, b]).collect();
        used.sort_unstable();
        used.dedup();
        if used.is_empty() {
            return Err(TransitError::Osm {
                path: path.to_path_buf(),
                message:
                    "contains no walkable street (no way tagged highway=footway, residential, … with two known nodes)"
                        .into(),
            });
        }
        let mut remap = vec![u32::MAX; ids.len()];
        for (k, &i) in used.iter().enumerate() {
            remap[i as usize] = k as u32;
        }
        let node_pos: Vec<LonLat> = used.iter().map(|&i| ids[i as usize].1).collect();
        let mut segs: Vec<Seg> = raw
            .iter()
            .map(|&(a, b)| {
                let (u, v) = (remap[a as usize], remap[b as usize]);
                Seg {
                    u,
                    v,
                    len_mm: ceil_mm(haversine_m(node_pos[u as usize], node_pos[v as usize])).max(1),
                }
            })
            .collect();
        segs.sort_unstable_by_key(|s| (s.u, s.v, s.len_mm));
        segs.dedup_by_key(|s| (s.u, s.v));
        let mut directed: Vec<(u32, u32, u32)> = segs
            .iter()
            .flat_map(|s| [(s.u, s.v, s.len_mm), (s.v, s.u, s.len_mm)])
            .collect();
        directed.sort_unstable();
        let graph = Csr::from_sorted_edges(&directed).map_err(|_| TransitError::Osm {
            path: path.to_path_buf(),
            message: "internal error: street edges not sorted".into(),
        })?;
        // Connected components: small ones are not snapped to.
        let n = node_pos.len();
        let mut uf = petgraph::unionfind::UnionFind::<u32>::new(n);
        for s in &segs {
            uf.union(s.u, s.v);
        }
        let labels = uf.into_labeling();
        let mut size = vec![0usize; n];
        for &l in &labels {
            size[l as usize] += 1;
        }
        let proj = LocalProjection::centred_on(&node_pos);
        let xy: Vec<[f64; 2]> = node_pos
            .iter()
            .map(|&p| {
                let (x, y) = proj.project(p);
                [x, y]
            })
            .collect();
        let mut small = 0usize;
        let mut items = Vec::with_capacity(segs.len());
        for (k, s) in segs.iter().enumerate() {
            if size[labels[s.u as usize] as usize] < MIN_COMPONENT_NODES {
                small += 1;
                continue;
            }
            items.push(GeomWithData::new(
                Line::new(xy[s.u as usize], xy[s.v as usize]),
                k as u32,
            ));
        }
        let tree = RTree::bulk_load(items);
        let report = OsmReport {
            ways_read,
            ways_walkable: ways.len(),
            nodes: n,
            edges: segs.len(),
            length_km: segs.iter().map(|s| s.len_mm as f64).sum::<f64>() / 1e6,
            missing_nodes: missing.len(),
            edges_in_small_components: small,
        };
        Ok((
            StreetNetwork {
                graph,
                node_pos,
                segs,
                proj,
                tree,
                report: report.clone(),
            },
            report,
        ))
    }

    /// What the network was built from.
    pub fn report(&self) -> &OsmReport {
        &self.report
    }

    /// Number of graph nodes.
    pub fn node_count(&self) -> usize {
        self.node_pos.len()
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.segs.len()
    }

    /// Approximate heap memory held, bytes.
    pub fn heap_bytes(&self) -> usize {
        self.node_pos.len() * (16 + 4) + self.graph.edge_count() * 8 + self.segs.len() * (12 + 48)
    }
}

/// Runs a PBF pass; an error or a panic of the decoder becomes [`TransitError::Osm`].
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, osmpbf::Error>) -> Result<T, TransitError> {
    let err = |message: String| TransitError::Osm {
        path: path.to_path_buf(),
        message,
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(err(format!("is not a readable OSM PBF file: {e}"))),
        Err(_) => Err(err(
            "is not a readable OSM PBF file: the decoder failed on malformed data".into(),
        )),
    }
}

/// Reads an OpenStreetMap extract (`.osm.pbf`) and builds its pedestrian network.
///
/// # Errors
/// [`TransitError::Osm`] naming the file for an unreadable, truncated or malformed file, or one
/// with no walkable street. Nothing panics on bad input (a panic inside the PBF decoder is caught
/// and reported as a malformed file).
///
/// # Complexity
/// Two parallel passes over the file; O(W log W + N log N) for W way nodes and N graph nodes.
pub fn load_osm(path: &Path) -> Result<(StreetNetwork, OsmReport), TransitError> {
    let err = |message: String| TransitError::Osm {
        path: path.to_path_buf(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot read it: {e}")))?;
    if !meta.is_file() {
        return Err(err("is not a file".into()));
    }
    // Pass 1: walkable ways.
    let (ways, ways_read): (Vec<OsmWay>, usize) = guarded(path, || {
        osmpbf::ElementReader::from_path(path)?.par_map_reduce(
            |el| match el {
                osmpbf::Element::Way(w) => {
                    if is_walkable(w.tags()) {
                        (
                            vec![OsmWay {
                                id: w.id(),
                                nodes: w.refs().collect(),
                            }],
                            1,
                        )
                    } else {
                        (Vec::new(), 1)
                    }
                }
                _ => (Vec::new(), 0),
            },
            || (Vec::new(), 0),
            |(mut a, x), (b, y)| {
                a.extend(b);
                (a, x + y)
            },
        )
    })?;
    if ways_read == 0 {
        return Err(err(
            "contains no ways (is it an OSM extract with nodes and ways?)".into()
        ));
    }
    let mut wanted: Vec<i64> = ways.iter().flat_map(|w| w.nodes.iter().copied()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    // Pass 2: positions of the nodes of those ways.
    let nodes: Vec<(i64, LonLat)> = guarded(path, || {
        osmpbf::ElementReader::from_path(path)?.par_map_reduce(
            |el| {
                let (id, lon, lat) = match el {
                    osmpbf::Element::Node(n) => (n.id(), n.lon(), n.lat()),
                    osmpbf::Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                    _ => return Vec::new(),
                };
                if wanted.binary_search(&id).is_ok() {
                    vec![(id, LonLat::new(lon, lat))]
                } else {
                    Vec::new()
                }
            },
            Vec::new,
            |mut a, b| {
                a.extend(b);
                a
            },
        )
    })?;
    StreetNetwork::build(path, &nodes, &ways, ways_read)
}
