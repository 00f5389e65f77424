//! Helpers shared by the transit integration tests.
pub mod pbfgen;
pub mod zipgen;
