//! Survival data from a dataset: time, event, group (one column or the
//! crossing of two), strata; rows with a missing value dropped and counted.

use crate::engine::Code;
use serde::{Deserialize, Serialize};

use crate::engine::data::{Column, ColumnData, Dataset, LevelError, Levels};
use crate::engine::design::{check_roles, RoleConflict, Roles};
use crate::engine::diagnostic::Diagnostic;
use crate::engine::numeric::sort_with_order;

/// What the survival analysis uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalSpec {
    /// Follow-up time (numeric, >= 0).
    pub time: String,
    /// The event: binary/categorical (`event_level`, default the
    /// non-reference level), or numeric 0/1 (1 = event) or 1/2 (2 = event,
    /// R's `Surv` convention). With `event_level` any coding works (e.g.
    /// 0/1/2, censored/event/competing): the named level is the event, every
    /// other level censored; levels other than the event and the reference
    /// (lowest) one are competing events, counted as censored with a note.
    pub event: String,
    #[serde(default)]
    pub event_level: Option<String>,
    /// Grouping columns (none, one, or two crossed).
    #[serde(default)]
    pub groups: Vec<String>,
    /// A stratification column (e.g. matched set), for the stratified test.
    #[serde(default)]
    pub strata: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurvivalError {
    #[error("there is no column `{0}`")]
    UnknownColumn(String),
    #[error("the time column `{0}` must be numeric")]
    TimeNotNumeric(String),
    #[error("column `{column}` has a negative time ({time}) in row {row}")]
    NegativeTime {
        column: String,
        row: usize,
        time: f64,
    },
    #[error("the event column `{column}` must be binary (0/1, 1/2 with 2 = event, yes/no) or have its event's level named; {}", if .levels.is_empty() { "it has too many values to be levels".to_string() } else { format!("its levels are {}", .levels.join(", ")) })]
    EventNotBinary { column: String, levels: Vec<String> },
    #[error(transparent)]
    Level(#[from] LevelError),
    #[error("no patient has every value needed")]
    NoRows,
    #[error("there are no events at all")]
    NoEvents,
    #[error("the log-rank test needs at least two groups with patients")]
    OneGroup,
    #[error("{} (the settings' `{}`) cannot be {value}: it must be {}", .option.what(), .option.settings_field(), .option.rule())]
    InvalidOption { option: SurvivalOption, value: f64 },
    #[error(transparent)]
    Roles(#[from] RoleConflict),
    /// A case weight that is negative, infinite or missing (`column` names
    /// the weights column when the weights came from one).
    #[error("{} of row {row} is {value}: a weight must be a finite number >= 0", .column.as_ref().map_or("the case weight".to_string(), |c| format!("the weight in column `{c}`")))]
    BadWeight {
        column: Option<String>,
        row: usize,
        value: String,
    },
    /// Case weights given for another number of rows than the data's.
    #[error("there are {weights} case weights for {rows} rows of data")]
    WeightsLength { rows: usize, weights: usize },
}

impl SurvivalError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            SurvivalError::Level(e) => e.hint(),
            SurvivalError::Roles(e) => e.hint(),
            SurvivalError::EventNotBinary { column, levels } => match levels.last() {
                Some(l) => format!(
                    "name the event's level (--event-level {l}); the lowest level counts as censored, any other as censored with a note"
                ),
                None => format!("`{column}` is not an event column: choose one coded 0/1, 1/2 or yes/no"),
            },
            SurvivalError::InvalidOption { option, .. } => option.hint().into(),
            SurvivalError::BadWeight { column: Some(c), .. } => format!(
                "give every row of `{c}` a number >= 0 (0 leaves the row out), or choose another weights column"
            ),
            SurvivalError::BadWeight { column: None, .. } | SurvivalError::WeightsLength { .. } => {
                "Give one finite case weight >= 0 per row of the data (0 leaves the row out).".into()
            }
            SurvivalError::TimeNotNumeric(c) => {
                format!("choose a numeric time column, or set its kind (--kind {c}=numeric)")
            }
            _ => "Check the time (numeric, >= 0) and event (0/1, 1/2 or yes/no) columns (`cohortlab inspect FILE`).".into(),
        }
    }

    /// The message as the command line says it, naming its option.
    pub fn cli_message(&self) -> String {
        match self {
            SurvivalError::InvalidOption { option, value } => format!(
                "{} {value}: {} must be {}",
                option.cli_flag(),
                option.what(),
                option.rule()
            ),
            e => e.to_string(),
        }
    }
}

/// An option of the survival analysis that takes a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurvivalOption {
    /// A landmark time (`--at`, `survival.at`).
    LandmarkTime,
    /// The restricted mean's horizon (`--rmst`, `survival.rmst`).
    RmstHorizon,
    /// The Fleming-Harrington rho (`--rho`, `survival.rho`).
    Rho,
    /// The confidence level (`--conf-level`, `conf_level`).
    ConfLevel,
}

impl SurvivalOption {
    pub fn cli_flag(self) -> &'static str {
        match self {
            SurvivalOption::LandmarkTime => "--at",
            SurvivalOption::RmstHorizon => "--rmst",
            SurvivalOption::Rho => "--rho",
            SurvivalOption::ConfLevel => "--conf-level",
        }
    }

    pub fn settings_field(self) -> &'static str {
        match self {
            SurvivalOption::LandmarkTime => "survival.at",
            SurvivalOption::RmstHorizon => "survival.rmst",
            SurvivalOption::Rho => "survival.rho",
            SurvivalOption::ConfLevel => "conf_level",
        }
    }

    fn what(self) -> &'static str {
        match self {
            SurvivalOption::LandmarkTime => "a landmark time",
            SurvivalOption::RmstHorizon => "the horizon of the restricted mean",
            SurvivalOption::Rho => "the Fleming-Harrington rho",
            SurvivalOption::ConfLevel => "the confidence level",
        }
    }

    fn rule(self) -> &'static str {
        match self {
            SurvivalOption::LandmarkTime => "a number >= 0",
            SurvivalOption::RmstHorizon => "a number > 0",
            SurvivalOption::Rho => "a finite number (0 log-rank, 1 Peto-Peto)",
            SurvivalOption::ConfLevel => "between 0 and 1",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            SurvivalOption::LandmarkTime => {
                "Give times in the time column's unit, e.g. 12,36,60 for 1, 3 and 5 years in months."
            }
            SurvivalOption::RmstHorizon => {
                "Give a time in the time column's unit, e.g. 60 for 5 years in months."
            }
            SurvivalOption::Rho => "Use 0 for the log-rank test or 1 for the Peto-Peto test.",
            SurvivalOption::ConfLevel => "Use e.g. 0.95 for 95% confidence intervals.",
        }
    }

    /// Refuses a value the option cannot take.
    pub fn check(self, value: f64) -> Result<(), SurvivalError> {
        let ok = match self {
            SurvivalOption::LandmarkTime => value.is_finite() && value >= 0.0,
            SurvivalOption::RmstHorizon => value.is_finite() && value > 0.0,
            SurvivalOption::Rho => value.is_finite(),
            SurvivalOption::ConfLevel => value > 0.0 && value < 1.0,
        };
        if ok {
            Ok(())
        } else {
            Err(SurvivalError::InvalidOption {
                option: self,
                value,
            })
        }
    }
}

/// Checks the numbers a survival analysis is asked for: landmark times,
/// the restricted mean's horizon, rho.
pub fn check_survival_options(
    at: &[f64],
    rho: f64,
    rmst: Option<f64>,
) -> Result<(), SurvivalError> {
    for &t in at {
        SurvivalOption::LandmarkTime.check(t)?;
    }
    if let Some(tau) = rmst {
        SurvivalOption::RmstHorizon.check(tau)?;
    }
    SurvivalOption::Rho.check(rho)
}

/// Complete cases for a survival analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalData {
    pub time: Vec<f64>,
    pub event: Vec<bool>,
    /// Group index per patient (0 when ungrouped).
    pub group: Vec<usize>,
    /// Group labels: `No`, or `No, 1` for crossed groups.
    pub group_labels: Vec<String>,
    pub stratum: Vec<usize>,
    /// Dataset row of each patient.
    pub rows: Vec<usize>,
    /// Patients left out for a missing value.
    pub dropped: usize,
    pub event_label: String,
    /// Notes on how the data were read (e.g. competing events counted as
    /// censored).
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

/// A column as groups (group, strata): any column [`Column::levels`] reads.
fn groups_of<'a>(ds: &'a Dataset, name: &str) -> Result<Levels<'a>, SurvivalError> {
    let col = ds
        .column(name)
        .ok_or_else(|| SurvivalError::UnknownColumn(name.to_owned()))?;
    Ok(col.levels()?)
}

/// A stratification column: any column read as levels, or, a numeric one
/// with too many values for that (e.g. hundreds of matched sets), by its
/// distinct values.
fn strata_of<'a>(ds: &'a Dataset, name: &str) -> Result<Levels<'a>, SurvivalError> {
    let col = ds
        .column(name)
        .ok_or_else(|| SurvivalError::UnknownColumn(name.to_owned()))?;
    match (col.levels(), &col.data) {
        (Err(LevelError::TooManyValues { .. }), ColumnData::Numeric(v)) => Ok(distinct_codes(v)),
        (l, _) => Ok(l?),
    }
}

/// Codes of the distinct values of a numeric column, in order of first
/// appearance (missing: [`crate::engine::data::MISSING_CODE`]).
pub(crate) fn distinct_codes(v: &[f64]) -> Levels<'static> {
    let mut ids: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    let mut levels = Vec::new();
    let codes = v
        .iter()
        .map(|&x| {
            if x.is_nan() {
                return crate::engine::data::MISSING_CODE;
            }
            let next = ids.len() as u32;
            *ids.entry((x + 0.0).to_bits()).or_insert_with(|| {
                levels.push(x.to_string());
                next
            })
        })
        .collect();
    Levels {
        codes: std::borrow::Cow::Owned(codes),
        levels: std::borrow::Cow::Owned(levels),
        reference: 0,
        values: None,
    }
}

/// The event per row (`None` when missing), its label, and a note when
/// levels other than the event and censoring were counted as censored.
type EventColumn = (Vec<Option<bool>>, String, Option<Diagnostic>);

/// Reads the event column (see [`SurvivalSpec::event`]).
fn event_of(col: &Column, event_level: Option<&str>) -> Result<EventColumn, SurvivalError> {
    let name = col.name.as_str();
    let levels = match col.levels() {
        Ok(l) => l,
        Err(LevelError::TooManyValues { .. }) if event_level.is_none() => {
            return Err(SurvivalError::EventNotBinary {
                column: name.to_owned(),
                levels: Vec::new(),
            })
        }
        Err(e) => return Err(e.into()),
    };
    let k = levels.levels.len();
    let value_is = |l: usize, x: f64| levels.values.as_ref().is_some_and(|v| v[l] == x);
    let event = match event_level {
        Some(l) => levels.find(name, l)?,
        None if levels.values.is_some() => {
            // Numeric codes: 0/1 (1 = event), 1/2 (R's Surv: 2 = event).
            let all_in = |set: &[f64]| (0..k).all(|l| set.iter().any(|&x| value_is(l, x)));
            let code = if all_in(&[0.0, 1.0]) {
                1.0
            } else if all_in(&[1.0, 2.0]) {
                2.0
            } else {
                return Err(SurvivalError::EventNotBinary {
                    column: name.to_owned(),
                    levels: levels.levels.to_vec(),
                });
            };
            match (0..k).find(|&l| value_is(l, code)) {
                Some(l) => l,
                // No event code at all (all 0, or all 1 of 1/2).
                None => return Err(SurvivalError::NoEvents),
            }
        }
        None if k <= 2 => {
            if k < 2 {
                // One level: the event only if it is not the reference
                // (there is none to be); as before, all censored.
                return Err(SurvivalError::NoEvents);
            }
            1 - levels.reference.min(1)
        }
        None => {
            return Err(SurvivalError::EventNotBinary {
                column: name.to_owned(),
                levels: levels.levels.to_vec(),
            })
        }
    };
    // Censoring: the reference (lowest) level, or the first other one when
    // the event is the reference; the rest are competing events.
    let censor = if event != levels.reference {
        levels.reference
    } else {
        (0..k).find(|&l| l != event).unwrap_or(event)
    };
    let mut competing = vec![0usize; k];
    let values: Vec<Option<bool>> = (0..levels.codes.len())
        .map(|i| {
            levels.code(i).map(|c| {
                if c != event && c != censor {
                    competing[c] += 1;
                }
                c == event
            })
        })
        .collect();
    let note = (competing.iter().any(|&n| n > 0)).then(|| {
        let which: Vec<String> = (0..k)
            .filter(|&l| competing[l] > 0)
            .map(|l| format!("{} ({} patients)", levels.levels[l], competing[l]))
            .collect();
        Diagnostic::warning(Code::OtherEventCensored,
            Some(name),
            format!(
                "`{name}` = {} is neither the event ({}) nor censoring ({}): counted as censored",
                which.join(", "),
                levels.levels[event],
                levels.levels[censor]
            ),
        )
        .with_hint("If that is a competing event (e.g. death from another cause), a competing-risks analysis (cumulative incidence, Fine-Gray) may be appropriate.")
    });
    Ok((values, levels.levels[event].clone(), note))
}

/// Reads the columns of `spec`; drops rows with a missing value.
pub fn survival_data(ds: &Dataset, spec: &SurvivalSpec) -> Result<SurvivalData, SurvivalError> {
    // The time, the event and the groups are three different columns (and
    // the event does not code the groups again).
    check_roles(
        ds,
        &Roles {
            treatment: spec.groups.first().map(String::as_str),
            time: Some(&spec.time),
            event: Some(&spec.event),
            ..Default::default()
        },
    )?;
    if let Some(g) = spec.groups.iter().find(|g| **g == spec.time) {
        return Err(RoleConflict {
            column: g.clone(),
            first: "the follow-up time".into(),
            second: "the groups of the curves".into(),
            why: String::new(),
        }
        .into());
    }
    let tcol = ds
        .column(&spec.time)
        .ok_or_else(|| SurvivalError::UnknownColumn(spec.time.clone()))?;
    let ColumnData::Numeric(time) = &tcol.data else {
        return Err(SurvivalError::TimeNotNumeric(spec.time.clone()));
    };
    let ecol = ds
        .column(&spec.event)
        .ok_or_else(|| SurvivalError::UnknownColumn(spec.event.clone()))?;
    let (event, event_label, note) = event_of(ecol, spec.event_level.as_deref())?;
    let groups: Vec<Levels> = spec
        .groups
        .iter()
        .map(|g| groups_of(ds, g))
        .collect::<Result<_, _>>()?;
    let strata = spec
        .strata
        .as_deref()
        .map(|s| strata_of(ds, s))
        .transpose()?;
    let mut out = SurvivalData {
        time: Vec::new(),
        event: Vec::new(),
        group: Vec::new(),
        group_labels: Vec::new(),
        stratum: Vec::new(),
        rows: Vec::new(),
        dropped: 0,
        event_label,
        diagnostics: note.into_iter().collect(),
    };
    // Crossed group index: mixed radix over the groups' levels.
    let sizes: Vec<usize> = groups.iter().map(|g| g.levels.len()).collect();
    let ncells: usize = sizes.iter().product();
    let mut used = vec![false; ncells.max(1)];
    let mut cell_of = Vec::new();
    for i in 0..ds.n_rows {
        let t = time[i];
        let (Some(e), false) = (event[i], t.is_nan()) else {
            out.dropped += 1;
            continue;
        };
        if t < 0.0 {
            return Err(SurvivalError::NegativeTime {
                column: spec.time.clone(),
                row: ds.row_numbers.get(i).copied().unwrap_or(i + 2),
                time: t,
            });
        }
        let mut cell = 0usize;
        let mut missing = false;
        for (g, size) in groups.iter().zip(&sizes) {
            let c = g.code(i);
            missing |= c.is_none();
            cell = cell * size + c.unwrap_or(0);
        }
        let s = strata.as_ref().map_or(Some(0), |s| s.code(i));
        let Some(s) = s.filter(|_| !missing) else {
            out.dropped += 1;
            continue;
        };
        used[cell] = true;
        out.time.push(t);
        out.event.push(e);
        cell_of.push(cell);
        out.stratum.push(s);
        out.rows.push(i);
    }
    if out.time.is_empty() {
        return Err(SurvivalError::NoRows);
    }
    if !out.event.iter().any(|&e| e) {
        return Err(SurvivalError::NoEvents);
    }
    // Keep only non-empty groups, in level order.
    let mut index = vec![usize::MAX; used.len()];
    for cell in 0..used.len() {
        if !used[cell] {
            continue;
        }
        index[cell] = out.group_labels.len();
        let mut rem = cell;
        let mut parts = vec![String::new(); groups.len()];
        for (k, size) in sizes.iter().enumerate().rev() {
            parts[k] = groups[k].levels[rem % size].clone();
            rem /= size;
        }
        out.group_labels.push(if parts.is_empty() {
            "All".into()
        } else {
            parts.join(", ")
        });
    }
    out.group = cell_of.iter().map(|&c| index[c]).collect();
    Ok(out)
}

/// Patients ordered by stratum, then time (ties in row order), with their
/// times and strata in that order: the walk every survival estimator makes,
/// reading memory sequentially.
pub(crate) struct TimeOrder {
    pub order: Vec<usize>,
    pub time: Vec<f64>,
    pub stratum: Vec<usize>,
}

/// [`TimeOrder`] in linear time (a radix sort on time, then a stable
/// counting sort on stratum).
pub(crate) fn by_stratum_then_time(time: &[f64], stratum: &[usize], descending: bool) -> TimeOrder {
    let (sorted, by_time) = sort_with_order(time, descending);
    let nstrata = stratum.iter().copied().max().map_or(0, |s| s + 1);
    if nstrata <= 1 {
        return TimeOrder {
            order: by_time,
            time: sorted,
            stratum: vec![0; time.len()],
        };
    }
    let mut next = vec![0usize; nstrata + 1];
    for &s in stratum {
        next[s + 1] += 1;
    }
    for s in 0..nstrata {
        next[s + 1] += next[s];
    }
    let n = time.len();
    let (mut order, mut t, mut st) = (vec![0usize; n], vec![0.0; n], vec![0usize; n]);
    for (i, ti) in by_time.into_iter().zip(sorted) {
        let s = stratum[i];
        let k = next[s];
        order[k] = i;
        t[k] = ti;
        st[k] = s;
        next[s] += 1;
    }
    TimeOrder {
        order,
        time: t,
        stratum: st,
    }
}

/// The runs of equal values of `v`, as ranges of positions.
pub(crate) fn runs<T: PartialEq>(v: &[T]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= v.len() {
            return None;
        }
        let mut end = start + 1;
        while end < v.len() && v[end] == v[start] {
            end += 1;
        }
        let run = start..end;
        start = end;
        Some(run)
    })
}
