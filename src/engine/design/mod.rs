//! The study design guessed from a dataset: which column is the treatment,
//! which are outcomes, the follow-up time and its event, the baseline
//! characteristics, and which columns are never analysed (identifiers,
//! free text, a second coding of the treatment). Every guess carries its
//! reason and a confidence; a role with no good candidate stays empty
//! rather than taking the first column of some kind. The page shows the
//! guess for confirmation; `cohortlab guess` prints it and `cohortlab run`
//! without settings runs it.

mod check;
pub mod names;
mod roles;

use serde::{Deserialize, Serialize};

use crate::engine::data::{LevelCount, MAX_NUMERIC_LEVELS};
use crate::engine::defaults::LANDMARKS_MONTHS;
use crate::engine::Diagnostic;

pub use check::{check_roles, RoleConflict, Roles};

/// How sure a guess is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Named and shaped like the role (`idfs_months` with `idfs_event`).
    High,
    /// Shaped like the role, named less plainly.
    Medium,
}

/// A column guessed for a role, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guessed {
    pub column: String,
    pub reason: String,
    pub confidence: Confidence,
}

/// A follow-up time and its event indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeToEvent {
    pub time: Guessed,
    pub event: Guessed,
    /// The event's level when the column has more than two codes (0/1/2:
    /// `1`; the others are censored or competing).
    pub event_level: Option<String>,
    /// The unit the time's name gives (months, days, years, weeks).
    pub unit: Option<TimeUnit>,
}

/// The unit of a follow-up time, read from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl TimeUnit {
    /// Landmarks at 1, 3 and 5 years in this unit.
    pub fn landmarks(self) -> Vec<f64> {
        match self {
            TimeUnit::Days => vec![365.0, 1095.0, 1826.0],
            TimeUnit::Weeks => vec![52.0, 156.0, 260.0],
            TimeUnit::Months => LANDMARKS_MONTHS.to_vec(),
            TimeUnit::Years => vec![1.0, 3.0, 5.0],
        }
    }
}

/// A baseline characteristic: in Table 1, and in the propensity model
/// unless it looks measured after the treatment began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub column: String,
    pub in_propensity_model: bool,
    pub reason: String,
}

/// Why a column is never analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Excluded {
    Identifier,
    FreeText,
    /// The same split of the patients as the treatment, coded again.
    TreatmentDuplicate,
    /// One value for every patient.
    Constant,
}

/// A column left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Left {
    pub column: String,
    pub excluded: Excluded,
    pub reason: String,
}

/// The guessed design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignGuess {
    pub treatment: Option<Guessed>,
    /// The treatment's levels with their counts.
    pub treatment_levels: Vec<LevelCount>,
    pub outcomes: Vec<Guessed>,
    /// Time-to-event end points, the first the main one.
    pub survival: Vec<TimeToEvent>,
    pub baseline: Vec<Baseline>,
    pub left_out: Vec<Left>,
    pub diagnostics: Vec<Diagnostic>,
}

impl DesignGuess {
    /// The columns of the propensity model.
    pub fn propensity_covariates(&self) -> Vec<String> {
        self.baseline
            .iter()
            .filter(|b| b.in_propensity_model)
            .map(|b| b.column.clone())
            .collect()
    }

    /// One line per role, for the page's checklist and the report:
    /// "Comparing `group` (A 833, B 216)".
    pub fn summary_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.treatment {
            Some(t) => {
                let levels: Vec<String> = self
                    .treatment_levels
                    .iter()
                    .map(|l| format!("{} {}", l.level, l.count))
                    .collect();
                out.push(format!("Comparing `{}` ({})", t.column, levels.join(", ")));
            }
            None => out.push("No column looks like the groups compared: choose it".into()),
        }
        if !self.outcomes.is_empty() {
            let o: Vec<String> = self
                .outcomes
                .iter()
                .map(|o| format!("`{}`", o.column))
                .collect();
            out.push(format!("Outcomes {}", o.join(", ")));
        }
        for s in &self.survival {
            out.push(format!(
                "Time `{}` with event `{}`{}",
                s.time.column,
                s.event.column,
                s.event_level
                    .as_ref()
                    .map(|l| format!(" = {l}"))
                    .unwrap_or_default()
            ));
        }
        let ticked = self
            .baseline
            .iter()
            .filter(|b| b.in_propensity_model)
            .count();
        out.push(format!(
            "{} baseline variables ({} in the propensity model)",
            self.baseline.len(),
            ticked
        ));
        if !self.left_out.is_empty() {
            let l: Vec<String> = self
                .left_out
                .iter()
                .map(|l| format!("`{}`", l.column))
                .collect();
            out.push(format!("Not analysed: {}", l.join(", ")));
        }
        out
    }
}

/// The most levels a column may have to be a grouping role.
pub const MAX_GROUP_LEVELS: usize = MAX_NUMERIC_LEVELS;

pub use roles::guess_design;
