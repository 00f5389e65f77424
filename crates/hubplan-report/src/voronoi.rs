//! Zone cells and district outlines for the map. A zone given as a point
//! becomes its Voronoi cell (the area nearer its centroid than any other
//! zone's), cut to a disc around the centroid so that cells at the coast or the
//! county's edge do not run off to the page edge; a zone given as a polygon is
//! its own outline. The cells of each district are dissolved (geo's
//! `unary_union`) into the district's outline, and the district is labelled at
//! an interior point of its largest part.
//!
//! Works in the map's projected plane (metres from [`LocalProjection`]'s
//! centre, y up). Deterministic: the neighbours come from an R-tree query
//! sorted by distance then index.
//!
//! [`LocalProjection`]: hubplan::geo::LocalProjection

use geo::{Area, Coord, InteriorPoint, LineString, MultiPolygon, Polygon};
use rstar::primitives::GeomWithData;
use rstar::RTree;

/// How many nearest neighbours cut each cell (a cell is exact when its true
/// Voronoi neighbours are among them, which holds for any sensible zone layout).
const NEIGHBOURS: usize = 24;
/// The cut-off disc's radius, as a multiple of the distance to the 4th nearest zone.
const REACH: f64 = 1.6;
/// Vertices of the cut-off disc.
const DISC: usize = 20;

/// A convex polygon as a list of vertices.
type Ring = Vec<[f64; 2]>;

/// Keeps the part of a convex polygon where `(x − m)·n ≤ 0`.
fn clip(poly: &Ring, m: [f64; 2], n: [f64; 2]) -> Ring {
    let side = |p: &[f64; 2]| (p[0] - m[0]) * n[0] + (p[1] - m[1]) * n[1];
    let mut out = Vec::with_capacity(poly.len() + 1);
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
        let (sa, sb) = (side(&a), side(&b));
        if sa <= 0.0 {
            out.push(a);
        }
        if (sa < 0.0 && sb > 0.0) || (sa > 0.0 && sb < 0.0) {
            let t = sa / (sa - sb);
            out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
        }
    }
    out
}

/// The cell of each point (in input order; empty for a duplicate point that owns no area).
pub(crate) fn cells(points: &[[f64; 2]]) -> Vec<Ring> {
    let tree = RTree::bulk_load(
        points
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(*p, i))
            .collect(),
    );
    points
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let mut near: Vec<(f64, usize)> = tree
                .nearest_neighbor_iter(&p)
                .filter(|g| g.data != i)
                .take(NEIGHBOURS)
                .map(|g| {
                    let q = g.geom();
                    ((q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2), g.data)
                })
                .collect();
            near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let d4 = near
                .iter()
                .map(|x| x.0.sqrt())
                .filter(|&d| d > 0.0)
                .nth(3)
                .or_else(|| near.last().map(|x| x.0.sqrt()))
                .unwrap_or(1000.0)
                .max(1.0);
            let r = REACH * d4;
            let mut ring: Ring = (0..DISC)
                .map(|k| {
                    let a = std::f64::consts::TAU * k as f64 / DISC as f64;
                    [p[0] + r * a.cos(), p[1] + r * a.sin()]
                })
                .collect();
            for &(d2, j) in &near {
                if ring.len() < 3 {
                    break;
                }
                if d2 == 0.0 {
                    // A duplicate point: the lower index keeps the cell.
                    if j < i {
                        ring.clear();
                    }
                    continue;
                }
                let q = points[j];
                let m = [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0];
                ring = clip(&ring, m, [q[0] - p[0], q[1] - p[1]]);
            }
            if ring.len() < 3 {
                ring.clear();
            }
            ring
        })
        .collect()
}

pub(crate) fn polygon(ring: &Ring) -> Polygon<f64> {
    Polygon::new(
        LineString::from(ring.iter().map(|p| Coord { x: p[0], y: p[1] }).collect::<Vec<_>>()),
        vec![],
    )
}

/// A district's dissolved outline and a point to label it at.
pub(crate) struct DistrictShape {
    pub outline: MultiPolygon<f64>,
    pub label_at: Option<[f64; 2]>,
}

/// Dissolves the cells of each group (cells with the same group key) into one shape.
pub(crate) fn dissolve(cells: &[MultiPolygon<f64>], group: &[usize], groups: usize) -> Vec<DistrictShape> {
    (0..groups)
        .map(|g| {
            let polys: Vec<Polygon<f64>> = cells
                .iter()
                .zip(group)
                .filter(|(_, k)| **k == g)
                .flat_map(|(c, _)| c.0.iter().cloned())
                .collect();
            let outline = if polys.is_empty() {
                MultiPolygon::new(vec![])
            } else {
                geo::unary_union(&polys)
            };
            let label_at = outline
                .0
                .iter()
                .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
                .and_then(|p| p.interior_point())
                .map(|p| [p.x(), p.y()]);
            DistrictShape { outline, label_at }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_of_a_grid_tile_the_square_between_points() {
        // A 3 × 3 grid, 100 m apart: the middle cell is the 100 m square around (100, 100).
        let pts: Vec<[f64; 2]> = (0..9)
            .map(|k| [100.0 * (k % 3) as f64, 100.0 * (k / 3) as f64])
            .collect();
        let c = cells(&pts);
        let mid = polygon(&c[4]);
        assert!((mid.unsigned_area() - 10_000.0).abs() < 1e-6, "{}", mid.unsigned_area());
        // No two cells overlap: the areas add up to the area of their union.
        let polys: Vec<Polygon<f64>> = c.iter().map(polygon).collect();
        let sum: f64 = polys.iter().map(|p| p.unsigned_area()).sum();
        let union = geo::unary_union(&polys).unsigned_area();
        assert!((sum - union).abs() < 1e-3 * sum, "{sum} vs {union}");
        // Two districts (left column vs the rest) dissolve into two shapes, each labelled.
        let group: Vec<usize> = (0..9).map(|k| usize::from(k % 3 != 0)).collect();
        let multi: Vec<MultiPolygon<f64>> = polys.iter().map(|p| MultiPolygon::new(vec![p.clone()])).collect();
        let d = dissolve(&multi, &group, 2);
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|s| s.outline.0.len() == 1 && s.label_at.is_some()));
        let a: f64 = d.iter().map(|s| s.outline.unsigned_area()).sum();
        assert!((a - union).abs() < 1e-3 * union);
    }

    #[test]
    fn duplicate_points_keep_one_cell() {
        let c = cells(&[[0.0, 0.0], [0.0, 0.0], [100.0, 0.0]]);
        assert!(!c[0].is_empty());
        assert!(c[1].is_empty());
        assert!(!c[2].is_empty());
    }
}
