//! The top-level error: one variant per module's own error enum.

use crate::engine::data::{ImportError, SpecError};

/// Any error the engine returns. `Display` says what and where; [`hint`]
/// says what to do.
///
/// [`hint`]: AnalysisError::hint
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Spec(#[from] SpecError),
}

impl AnalysisError {
    /// What the user can do about the error.
    pub fn hint(&self) -> String {
        match self {
            AnalysisError::Import(e) => e.hint(),
            AnalysisError::Spec(e) => e.hint(),
        }
    }
}
