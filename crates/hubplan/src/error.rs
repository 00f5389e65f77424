//! The core's errors.

use thiserror::Error;

/// The kind of error the core reports. Every message names the sites or
/// zones involved by their original ids.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The scenario contradicts itself (e.g. a site both kept and closed, a budget below
    /// the cost of the forced keeps). Nothing was solved.
    #[error("contradictory scenario: {0}")]
    Contradiction(String),
    /// The inputs are not usable (e.g. no sites at all, a setting out of range).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The chosen solver back end is not compiled in.
    #[error("solver back end unavailable: {0}")]
    Unavailable(String),
    /// The independent check of a solution failed: a bug, never a result.
    #[error("certification failed (this is a bug in hubplan, please report it): {0}")]
    Certification(String),
    /// The solver reported an internal error (its typed error, kept).
    #[error("solver error: {0}")]
    Solver(SolverError),
}

/// What a solver back end reported: `hubplan-solver`'s own typed errors, kept as
/// they are so that a caller can tell them apart.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum SolverError {
    /// The single-service instance was malformed, or its MIP back end failed.
    #[error(transparent)]
    Instance(#[from] hubplan_solver::InstanceError),
    /// The co-location instance was malformed, or its back end failed.
    #[error(transparent)]
    Services(#[from] hubplan_solver::services::ServiceError),
}

impl From<hubplan_solver::InstanceError> for Error {
    fn from(e: hubplan_solver::InstanceError) -> Self {
        Error::Solver(e.into())
    }
}

impl From<hubplan_solver::services::ServiceError> for Error {
    fn from(e: hubplan_solver::services::ServiceError) -> Self {
        Error::Solver(e.into())
    }
}

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
