//! Survival data from a dataset: time, event, group (one column or the
//! crossing of two), strata; rows with a missing value dropped and counted.

use serde::{Deserialize, Serialize};

use crate::engine::data::{ColumnData, Dataset, MISSING_CODE};
use crate::engine::numeric::sort_with_order;

/// What the survival analysis uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalSpec {
    /// Follow-up time (numeric, >= 0).
    pub time: String,
    /// The event: binary/categorical (`event_level`, default the
    /// non-reference level), or numeric 0/1 (1 = event) or 1/2 (2 = event,
    /// R's `Surv` convention).
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
    #[error("the event column `{0}` must be binary (0/1, yes/no, or a level meaning the event)")]
    EventNotBinary(String),
    #[error("the event column `{column}` has no level `{level}`")]
    UnknownEventLevel { column: String, level: String },
    #[error("the grouping column `{0}` must be binary or categorical")]
    GroupNotCategorical(String),
    #[error("no patient has every value needed")]
    NoRows,
    #[error("there are no events at all")]
    NoEvents,
    #[error("the log-rank test needs at least two groups with patients")]
    OneGroup,
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
}

fn categorical<'a>(
    ds: &'a Dataset,
    name: &str,
) -> Result<(&'a [u32], &'a [String]), SurvivalError> {
    let col = ds
        .column(name)
        .ok_or_else(|| SurvivalError::UnknownColumn(name.to_owned()))?;
    match &col.data {
        ColumnData::Categorical { codes, levels, .. } => Ok((codes, levels)),
        _ => Err(SurvivalError::GroupNotCategorical(name.to_owned())),
    }
}

/// Reads the columns of `spec`; drops rows with a missing value.
pub fn survival_data(ds: &Dataset, spec: &SurvivalSpec) -> Result<SurvivalData, SurvivalError> {
    let tcol = ds
        .column(&spec.time)
        .ok_or_else(|| SurvivalError::UnknownColumn(spec.time.clone()))?;
    let ColumnData::Numeric(time) = &tcol.data else {
        return Err(SurvivalError::TimeNotNumeric(spec.time.clone()));
    };
    let ecol = ds
        .column(&spec.event)
        .ok_or_else(|| SurvivalError::UnknownColumn(spec.event.clone()))?;
    let (event, event_label): (Vec<Option<bool>>, String) = match &ecol.data {
        ColumnData::Categorical {
            codes,
            levels,
            reference,
        } => {
            if levels.len() > 2 && spec.event_level.is_none() {
                return Err(SurvivalError::EventNotBinary(spec.event.clone()));
            }
            let ev = match &spec.event_level {
                Some(l) => levels.iter().position(|x| x == l).ok_or_else(|| {
                    SurvivalError::UnknownEventLevel {
                        column: spec.event.clone(),
                        level: l.clone(),
                    }
                })?,
                None => 1 - (*reference).min(1),
            };
            (
                codes
                    .iter()
                    .map(|&c| (c != MISSING_CODE).then_some(c as usize == ev))
                    .collect(),
                levels.get(ev).cloned().unwrap_or_default(),
            )
        }
        ColumnData::Numeric(v) if v.iter().all(|x| x.is_nan() || *x == 0.0 || *x == 1.0) => (
            v.iter()
                .map(|&x| (!x.is_nan()).then_some(x == 1.0))
                .collect(),
            "1".into(),
        ),
        // R's Surv() convention for 1/2 codes: 2 is the event.
        ColumnData::Numeric(v) if v.iter().all(|x| x.is_nan() || *x == 1.0 || *x == 2.0) => (
            v.iter()
                .map(|&x| (!x.is_nan()).then_some(x == 2.0))
                .collect(),
            "2".into(),
        ),
        _ => return Err(SurvivalError::EventNotBinary(spec.event.clone())),
    };
    let groups: Vec<(&[u32], &[String])> = spec
        .groups
        .iter()
        .map(|g| categorical(ds, g))
        .collect::<Result<_, _>>()?;
    let strata = spec
        .strata
        .as_deref()
        .map(|s| categorical(ds, s))
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
    };
    // Crossed group index: mixed radix over the groups' levels.
    let sizes: Vec<usize> = groups.iter().map(|g| g.1.len()).collect();
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
            let c = g.0[i];
            missing |= c == MISSING_CODE;
            cell = cell * size + if c == MISSING_CODE { 0 } else { c as usize };
        }
        let s = strata.map_or(Some(0), |s| {
            (s.0[i] != MISSING_CODE).then_some(s.0[i] as usize)
        });
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
            parts[k] = groups[k].1[rem % size].clone();
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
