//! Why a study could not be run at all (a step that fails on its own is a
//! diagnostic instead).

use crate::engine::design::RoleConflict;
use crate::engine::AnalysisError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StudyError {
    #[error("the dataset settings do not fit this file: {0}")]
    Dataset(AnalysisError),
    #[error("the settings give one column two roles: {0}")]
    Roles(#[from] RoleConflict),
    /// A field of the settings does not fit this file (e.g. a level not
    /// in its column), named with the levels present.
    #[error("{0}")]
    Settings(String),
}

impl StudyError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            StudyError::Dataset(_) => {
                "The settings were saved for another file; check the column names.".into()
            }
            StudyError::Roles(c) => c.hint(),
            StudyError::Settings(_) => {
                "Correct the field named in the settings file (or on the page) and run again."
                    .into()
            }
        }
    }
}
