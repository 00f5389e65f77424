//! Positions and distances: a re-export of the `hubplan-geo` crate, so that crates which only
//! need geometry (such as `hubplan-transit`) do not depend on the core and the solver.
//! Every item keeps its `hubplan::geo::…` path.

pub use hubplan_geo::*;
