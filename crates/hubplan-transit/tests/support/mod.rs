//! Helpers shared by the transit integration tests.
pub mod zipgen;
