//! Zone → site travel times, stored sparse.

use crate::ids::{SiteIdx, ZoneIdx};

/// Sparse zone → site travel times in minutes (compressed rows by zone, each
/// row sorted by site). A missing pair means unreachable.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TravelTimes {
    row_start: Vec<u32>,
    sites: Vec<SiteIdx>,
    minutes: Vec<f64>,
}

/// Why a travel-time table could not be built. The indices are dense; a caller
/// with the records (`hubplan-io`) turns them into the original ids.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TravelError {
    /// The same zone/site pair appears twice.
    #[error("the pair of zone #{} and site #{} appears twice", .0.index(), .1.index())]
    Duplicate(ZoneIdx, SiteIdx),
    /// Minutes are negative, NaN or infinite.
    #[error("zone #{} to site #{}: minutes must be a finite number ≥ 0, found {}", .0.index(), .1.index(), .2)]
    BadMinutes(ZoneIdx, SiteIdx, f64),
    /// An index is out of range.
    #[error("zone #{} or site #{} is out of range", .0.index(), .1.index())]
    OutOfRange(ZoneIdx, SiteIdx),
}

impl TravelTimes {
    /// Builds the table from `(zone, site, minutes)` triples in any order.
    ///
    /// Complexity: O(k log k) for k triples.
    pub fn from_triples(
        n_zones: usize,
        n_sites: usize,
        mut triples: Vec<(ZoneIdx, SiteIdx, f64)>,
    ) -> Result<Self, TravelError> {
        triples.sort_by_key(|a| (a.0, a.1));
        let mut row_start = Vec::with_capacity(n_zones + 1);
        row_start.push(0u32);
        let mut sites = Vec::with_capacity(triples.len());
        let mut minutes = Vec::with_capacity(triples.len());
        let mut zone = 0usize;
        let mut prev: Option<(ZoneIdx, SiteIdx)> = None;
        for (z, s, m) in triples {
            if z.index() >= n_zones || s.index() >= n_sites {
                return Err(TravelError::OutOfRange(z, s));
            }
            if !m.is_finite() || m < 0.0 {
                return Err(TravelError::BadMinutes(z, s, m));
            }
            if prev == Some((z, s)) {
                return Err(TravelError::Duplicate(z, s));
            }
            prev = Some((z, s));
            while zone < z.index() {
                row_start.push(sites.len() as u32);
                zone += 1;
            }
            sites.push(s);
            minutes.push(m);
        }
        while row_start.len() < n_zones + 1 {
            row_start.push(sites.len() as u32);
        }
        Ok(TravelTimes {
            row_start,
            sites,
            minutes,
        })
    }

    /// Number of zones (rows).
    pub fn n_zones(&self) -> usize {
        self.row_start.len().saturating_sub(1)
    }

    /// Number of stored pairs.
    pub fn n_pairs(&self) -> usize {
        self.sites.len()
    }

    /// The reachable sites of zone `z` and their minutes, sorted by site.
    pub fn row(&self, z: ZoneIdx) -> impl Iterator<Item = (SiteIdx, f64)> + '_ {
        let (a, b) = (
            self.row_start[z.index()] as usize,
            self.row_start[z.index() + 1] as usize,
        );
        self.sites[a..b].iter().copied().zip(self.minutes[a..b].iter().copied())
    }

    /// Minutes from `z` to `s`, `None` when unreachable. O(log row length).
    pub fn get(&self, z: ZoneIdx, s: SiteIdx) -> Option<f64> {
        let (a, b) = (
            self.row_start[z.index()] as usize,
            self.row_start[z.index() + 1] as usize,
        );
        self.sites[a..b].binary_search(&s).ok().map(|k| self.minutes[a + k])
    }
}
