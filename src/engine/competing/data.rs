//! A competing-risks outcome read from a dataset: a follow-up time, a
//! status column with any coding (0/1/2, 1/2/3, censored/relapse/death,
//! ...), the level meaning the event of interest and one or more levels
//! meaning competing events; every other value is censored. The time and
//! the group are read by the rules of `survival::data` (numeric time >= 0,
//! a negative time an error naming its row, a missing value dropping the
//! row and counted; numeric codes as levels by value, `1.0` is level `1`).

use serde::{Deserialize, Serialize};

use crate::engine::data::{ColumnData, Dataset, Levels};
use crate::engine::design::{check_roles, Roles};
use crate::engine::diagnostic::{Code, Diagnostic};
use crate::engine::survival::SurvivalError;

/// The most causes (the event and the competing levels) an analysis takes.
const MAX_CAUSES: usize = u8::MAX as usize;

/// What a competing-risks analysis uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetingSpec {
    /// Follow-up time (numeric, >= 0).
    pub time: String,
    /// The status column: any coding, read as levels.
    pub status: String,
    /// The level of `status` meaning the event of interest.
    pub event_level: String,
    /// The levels meaning a competing event (one or more); each is its own
    /// cause. Every level that is neither these nor `event_level` is
    /// censored.
    pub competing_levels: Vec<String>,
    /// The column whose levels are the groups compared (none: one group).
    #[serde(default)]
    pub group: Option<String>,
}

/// Why a competing-risks outcome cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompetingError {
    /// The time, a column or a level (naming the column and its levels),
    /// or no usable row: as for a survival analysis.
    #[error(transparent)]
    Survival(#[from] SurvivalError),
    /// No competing level was named.
    #[error("no competing event is named for the status column `{column}`")]
    NoCompetingLevel { column: String },
    /// One level named twice: as the event and a competing event, or as
    /// two competing events.
    #[error("the level `{level}` of `{column}` is named twice (as {first} and as {second})")]
    LevelTwice {
        column: String,
        level: String,
        first: &'static str,
        second: &'static str,
        /// The column's levels.
        levels: Vec<String>,
    },
    /// A regression on the outcome (Fine-Gray, cause-specific Cox) could
    /// not be fitted: its covariates, or no event among its patients.
    #[error(transparent)]
    Model(crate::engine::survival::CoxError),
    /// A confidence level, landmark time or rho the analysis cannot take.
    #[error("{what} cannot be {value}: it must be {rule}")]
    InvalidOption {
        what: &'static str,
        value: f64,
        rule: &'static str,
    },
}

impl CompetingError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            CompetingError::Survival(e) => e.hint(),
            CompetingError::NoCompetingLevel { .. } => {
                "Name the competing event's level (--competing-level 2); to censor every other event use `cohortlab survival`.".into()
            }
            CompetingError::LevelTwice { levels, .. } => format!(
                "Name each level once: the event one level, the competing events others (the levels are {}); any level not named is censored.",
                levels.join(", ")
            ),
            CompetingError::Model(e) => e.hint(),
            CompetingError::InvalidOption { .. } => {
                "Give landmark times >= 0 in the time column's unit and a confidence level between 0 and 1 (e.g. 0.95).".into()
            }
        }
    }
}

/// Complete cases of a competing-risks outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetingData {
    pub time: Vec<f64>,
    /// Per patient: 0 censored, `k` >= 1 the cause `causes[k - 1]`.
    pub cause: Vec<u8>,
    /// Group index per patient (0 when ungrouped).
    pub group: Vec<usize>,
    /// Group labels in level order (`All` when ungrouped); groups with no
    /// patient left out.
    pub group_labels: Vec<String>,
    /// The causes' levels: the event of interest first, then the competing
    /// levels as named.
    pub causes: Vec<String>,
    /// The levels counted as censored.
    pub censored_levels: Vec<String>,
    /// Dataset row of each patient.
    pub rows: Vec<usize>,
    /// Patients left out for a missing time, status or group.
    pub dropped: usize,
    /// Notes on how the status was read.
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

/// The causes' level indices: the event's, then the competing ones'.
fn cause_levels(spec: &CompetingSpec, levels: &Levels<'_>) -> Result<Vec<usize>, CompetingError> {
    let column = spec.status.as_str();
    if spec.competing_levels.is_empty() {
        return Err(CompetingError::NoCompetingLevel {
            column: column.to_owned(),
        });
    }
    // Causes are coded 1..=MAX_CAUSES per patient.
    if spec.competing_levels.len() >= MAX_CAUSES {
        return Err(CompetingError::InvalidOption {
            what: "the number of competing levels",
            value: spec.competing_levels.len() as f64,
            rule: "smaller than 255",
        });
    }
    let mut found: Vec<usize> = Vec::with_capacity(1 + spec.competing_levels.len());
    let named = std::iter::once(&spec.event_level).chain(&spec.competing_levels);
    for (k, name) in named.enumerate() {
        let l = levels
            .find(column, name)
            .map_err(|e| CompetingError::from(SurvivalError::from(e)))?;
        if let Some(first) = found.iter().position(|&f| f == l) {
            return Err(CompetingError::LevelTwice {
                column: column.to_owned(),
                level: levels.levels[l].clone(),
                first: if first == 0 {
                    "the event"
                } else {
                    "a competing event"
                },
                second: if k == 0 {
                    "the event"
                } else {
                    "a competing event"
                },
                levels: levels.levels.to_vec(),
            });
        }
        found.push(l);
    }
    Ok(found)
}

/// Reads the columns of `spec`; drops rows with a missing value.
pub fn competing_data(ds: &Dataset, spec: &CompetingSpec) -> Result<CompetingData, CompetingError> {
    check_roles(
        ds,
        &Roles {
            treatment: spec.group.as_deref(),
            time: Some(&spec.time),
            event: Some(&spec.status),
            ..Default::default()
        },
    )
    .map_err(SurvivalError::from)?;
    let unknown = |c: &str| CompetingError::from(SurvivalError::UnknownColumn(c.to_owned()));
    let tcol = ds.column(&spec.time).ok_or_else(|| unknown(&spec.time))?;
    let ColumnData::Numeric(time) = &tcol.data else {
        return Err(SurvivalError::TimeNotNumeric(spec.time.clone()).into());
    };
    let scol = ds
        .column(&spec.status)
        .ok_or_else(|| unknown(&spec.status))?;
    let status = scol.levels().map_err(SurvivalError::from)?;
    let chosen = cause_levels(spec, &status)?;
    // Level -> cause (0 censored).
    let mut cause_of = vec![0u8; status.levels.len()];
    for (k, &l) in chosen.iter().enumerate() {
        cause_of[l] = u8::try_from(k + 1).unwrap_or(u8::MAX);
    }
    let group = match &spec.group {
        Some(g) => Some(
            ds.column(g)
                .ok_or_else(|| unknown(g))?
                .levels()
                .map_err(SurvivalError::from)?,
        ),
        None => None,
    };
    let ngroups = group.as_ref().map_or(1, |g| g.levels.len());
    let mut out = CompetingData {
        time: Vec::new(),
        cause: Vec::new(),
        group: Vec::new(),
        group_labels: Vec::new(),
        causes: chosen.iter().map(|&l| status.levels[l].clone()).collect(),
        censored_levels: Vec::new(),
        rows: Vec::new(),
        dropped: 0,
        diagnostics: Vec::new(),
    };
    let mut level_count = vec![0usize; status.levels.len()];
    let mut used = vec![false; ngroups];
    for (i, &t) in time.iter().enumerate().take(ds.n_rows) {
        let g = group.as_ref().map_or(Some(0), |g| g.code(i));
        let (Some(s), Some(g), false) = (status.code(i), g, t.is_nan()) else {
            out.dropped += 1;
            continue;
        };
        if t < 0.0 {
            return Err(SurvivalError::NegativeTime {
                column: spec.time.clone(),
                row: ds.row_numbers.get(i).copied().unwrap_or(i + 2),
                time: t,
            }
            .into());
        }
        level_count[s] += 1;
        used[g] = true;
        out.time.push(t);
        out.cause.push(cause_of[s]);
        out.group.push(g);
        out.rows.push(i);
    }
    if out.time.is_empty() {
        return Err(SurvivalError::NoRows.into());
    }
    if !out.cause.iter().any(|&c| c > 0) {
        return Err(SurvivalError::NoEvents.into());
    }
    // Keep the groups with patients, in level order.
    let mut index = vec![usize::MAX; ngroups];
    for g in (0..ngroups).filter(|&g| used[g]) {
        index[g] = out.group_labels.len();
        out.group_labels.push(match &group {
            Some(levels) => levels.levels[g].clone(),
            None => "All".into(),
        });
    }
    for g in &mut out.group {
        *g = index[*g];
    }
    out.censored_levels = (0..status.levels.len())
        .filter(|&l| cause_of[l] == 0)
        .map(|l| status.levels[l].clone())
        .collect();
    out.diagnostics = notes(spec, &status, &cause_of, &level_count);
    Ok(out)
}

/// A note naming the levels counted as censored when there is more than
/// one, and one per named cause that no patient has.
fn notes(
    spec: &CompetingSpec,
    status: &Levels<'_>,
    cause_of: &[u8],
    count: &[usize],
) -> Vec<Diagnostic> {
    let column = spec.status.as_str();
    let mut out = Vec::new();
    let censored: Vec<String> = (0..cause_of.len())
        .filter(|&l| cause_of[l] == 0 && count[l] > 0)
        .map(|l| format!("{} ({} patients)", status.levels[l], count[l]))
        .collect();
    if censored.len() > 1 {
        out.push(Diagnostic::info(
            Code::LevelsCensored,
            Some(column),
            format!(
                "`{column}` = {} counted as censored (neither the event nor a competing event)",
                censored.join(", ")
            ),
        ));
    }
    for (l, &c) in cause_of.iter().enumerate() {
        if c > 0 && count[l] == 0 {
            out.push(
                Diagnostic::warning(
                    Code::CauseWithoutEvents,
                    Some(column),
                    format!("no patient analysed has `{column}` = {}", status.levels[l]),
                )
                .with_hint("Check the level named, and the rows left out for missing values."),
            );
        }
    }
    out
}
