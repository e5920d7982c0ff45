//! Design matrices: an intercept, numeric columns as they are, categorical
//! columns as dummies against their reference level, or as an ordinal score
//! (level number 1, 2, ... in level order, as the model study coded subtype
//! and cT). Complete cases only; the rows dropped are counted.

use serde::{Deserialize, Serialize};

use crate::engine::data::{ColumnData, Dataset, LevelError, MISSING_CODE};
use crate::engine::numeric::RowMatrix;

/// How a categorical variable enters a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Coding {
    /// One indicator per non-reference level.
    #[default]
    Dummy,
    /// One column: the level number (1, 2, ...) in level order.
    Ordinal,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegressionError {
    #[error("there is no column `{0}`")]
    UnknownColumn(String),
    #[error(
        "the outcome `{column}` must be binary (two levels, or 0/1); it has {levels} level(s)"
    )]
    OutcomeNotBinary { column: String, levels: usize },
    #[error(transparent)]
    Level(#[from] LevelError),
    #[error("column `{0}` is text; choose a numeric, binary or categorical column")]
    TextVariable(String),
    #[error("`{0}` is both the outcome and a variable")]
    OutcomeAsVariable(String),
    #[error(
        "only {complete} patient(s) have every value needed, too few for {parameters} parameters"
    )]
    TooFewRows { complete: usize, parameters: usize },
    #[error("the outcome `{column}` has only {which} among the patients used")]
    NoVariation { column: String, which: &'static str },
    #[error("the variables are collinear (one is a combination of others); remove one of: {}", .0.join(", "))]
    Collinear(Vec<String>),
}

impl RegressionError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            RegressionError::UnknownColumn(_) => {
                "Check the spelling of the column's name (the Data step, or `cohortlab inspect FILE`, lists the columns).".into()
            }
            RegressionError::OutcomeNotBinary { .. } => {
                "Choose a binary outcome (two values, e.g. 0/1 or yes/no) and at least one variable.".into()
            }
            RegressionError::Level(e) => e.hint(),
            RegressionError::TextVariable(c) => format!(
                "Leave `{c}` out of the variables, or set its kind to categorical if its texts are groups."
            ),
            RegressionError::OutcomeAsVariable(c) => {
                format!("Take `{c}` out of the variables: the outcome cannot explain itself.")
            }
            RegressionError::TooFewRows { .. } => {
                "Use fewer variables, or check the missing values.".into()
            }
            RegressionError::NoVariation { .. } => {
                "Choose an outcome that some patients have and others do not, among those with every variable.".into()
            }
            RegressionError::Collinear(_) => {
                "Two variables may say the same thing (e.g. age and age group).".into()
            }
        }
    }
}

/// One column of the design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignColumn {
    /// E.g. `subtype: HER2+`, `age`, `(Intercept)`.
    pub term: String,
    pub variable: Option<String>,
    /// For dummies: the level compared with `reference`.
    pub level: Option<String>,
    pub reference: Option<String>,
}

/// A design matrix with its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub x: RowMatrix,
    pub y: Vec<f64>,
    pub columns: Vec<DesignColumn>,
    /// Dataset row index of each design row.
    pub rows: Vec<usize>,
    /// Patients dropped for a missing outcome or variable.
    pub dropped: usize,
    /// The event level of the outcome.
    pub event: String,
    /// Per variable, the design columns it owns.
    pub variable_columns: Vec<(String, Vec<usize>)>,
}

/// The outcome as 0/1 per row (`None` = missing) and the event level.
///
/// Any column with two levels, numeric codes included ([`Column::levels`]):
/// `event` names the event level by its text or value; by default it is the
/// non-reference level of a categorical column, and the larger of two
/// numeric codes (`1` of 0/1; `2` of 1/2, as R's `Surv`).
pub fn outcome_values(
    ds: &Dataset,
    outcome: &str,
    event: Option<&str>,
) -> Result<(Vec<Option<f64>>, String), RegressionError> {
    let col = ds
        .column(outcome)
        .ok_or_else(|| RegressionError::UnknownColumn(outcome.to_owned()))?;
    let not_binary = |levels: usize| RegressionError::OutcomeNotBinary {
        column: outcome.to_owned(),
        levels,
    };
    let lv = col.levels().map_err(|e| match e {
        LevelError::TooManyValues { distinct, .. } => not_binary(distinct),
        _ => not_binary(0),
    })?;
    let numeric = lv.values.is_some();
    if lv.levels.len() > 2 || (!numeric && lv.levels.len() != 2) {
        return Err(not_binary(lv.levels.len()));
    }
    let ev = match event {
        Some(e) => lv.find(outcome, e)?,
        None if numeric => lv.levels.len().saturating_sub(1),
        None => 1 - lv.reference.min(1),
    };
    // A numeric column whose one value is 0 has no events (its event is 1).
    let only_zero = numeric && event.is_none() && lv.values.as_deref() == Some(&[0.0][..]);
    let label = if only_zero {
        "1".to_owned()
    } else {
        lv.levels.get(ev).cloned().unwrap_or_default()
    };
    let y = (0..lv.codes.len())
        .map(|i| lv.code(i).map(|c| f64::from(c == ev && !only_zero)))
        .collect();
    Ok((y, label))
}

/// Builds the design for `outcome ~ variables` on complete cases.
pub fn design_matrix(
    ds: &Dataset,
    outcome: &str,
    event: Option<&str>,
    variables: &[String],
    ordinal: &[String],
) -> Result<Design, RegressionError> {
    let (y_all, event) = outcome_values(ds, outcome, event)?;
    let design = design_on(ds, outcome, &y_all, event, variables, ordinal)?;
    let n = design.rows.len();
    let events = design.y.iter().filter(|&&v| v == 1.0).count();
    if events == 0 || events == n {
        return Err(RegressionError::NoVariation {
            column: outcome.to_owned(),
            which: if events == 0 { "non-events" } else { "events" },
        });
    }
    Ok(design)
}

/// The design of `variables` on the rows where `y_all` and every variable
/// have a value (`outcome` names the column `y_all` came from, which cannot
/// be a variable): the design of [`design_matrix`], and of a Cox model,
/// whose outcome is read elsewhere.
pub(crate) fn design_on(
    ds: &Dataset,
    outcome: &str,
    y_all: &[Option<f64>],
    event: String,
    variables: &[String],
    ordinal: &[String],
) -> Result<Design, RegressionError> {
    let terms = Terms::new(ds, outcome, variables, ordinal)?;
    let p = terms.columns.len();
    let (rows, data) = terms.complete_rows(ds.n_rows, y_all);
    let y: Vec<f64> = rows.iter().filter_map(|&i| y_all[i]).collect();
    let n = rows.len();
    if n <= p {
        return Err(RegressionError::TooFewRows {
            complete: n,
            parameters: p,
        });
    }
    Ok(Design {
        x: RowMatrix {
            rows: n,
            cols: p,
            data,
        },
        y,
        columns: terms.columns,
        dropped: ds.n_rows - n,
        rows,
        event,
        variable_columns: terms.variable_columns,
    })
}

/// How a variable's design values are read from a row (one `match` per
/// value, no boxed closures: this runs rows x variables times).
enum Getter<'a> {
    Numeric(&'a [f64]),
    Ordinal(&'a [u32]),
    /// Codes, and per level its dummy's position (None: the reference).
    Dummies(&'a [u32], Vec<Option<usize>>, usize),
}

/// The design's columns (the intercept first) and, per variable, how its
/// values are read and which columns it owns.
struct Terms<'a> {
    columns: Vec<DesignColumn>,
    getters: Vec<Getter<'a>>,
    variable_columns: Vec<(String, Vec<usize>)>,
}

impl<'a> Terms<'a> {
    fn new(
        ds: &'a Dataset,
        outcome: &str,
        variables: &[String],
        ordinal: &[String],
    ) -> Result<Self, RegressionError> {
        let mut terms = Terms {
            columns: vec![DesignColumn {
                term: "(Intercept)".into(),
                variable: None,
                level: None,
                reference: None,
            }],
            getters: Vec::new(),
            variable_columns: Vec::new(),
        };
        for var in variables {
            if var == outcome {
                return Err(RegressionError::OutcomeAsVariable(var.clone()));
            }
            let col = ds
                .column(var)
                .ok_or_else(|| RegressionError::UnknownColumn(var.clone()))?;
            let first = terms.columns.len();
            terms.push(var, &col.data, ordinal.contains(var))?;
            terms
                .variable_columns
                .push((var.clone(), (first..terms.columns.len()).collect()));
        }
        Ok(terms)
    }

    /// Adds a variable's columns: a numeric column as it is, a categorical
    /// one as its level number (`ordinal`) or as dummies against its
    /// reference level.
    fn push(
        &mut self,
        var: &str,
        data: &'a ColumnData,
        ordinal: bool,
    ) -> Result<(), RegressionError> {
        let column =
            |term: String, level: Option<&String>, reference: Option<&String>| DesignColumn {
                term,
                variable: Some(var.to_owned()),
                level: level.cloned(),
                reference: reference.cloned(),
            };
        match data {
            ColumnData::Numeric(v) => {
                self.columns.push(column(var.to_owned(), None, None));
                self.getters.push(Getter::Numeric(v));
            }
            ColumnData::Categorical { codes, .. } if ordinal => {
                self.columns
                    .push(column(format!("{var} (per level)"), None, None));
                self.getters.push(Getter::Ordinal(codes));
            }
            ColumnData::Categorical {
                codes,
                levels,
                reference,
            } => {
                let reference = *reference;
                let others: Vec<usize> = (0..levels.len()).filter(|&l| l != reference).collect();
                let mut position = vec![None; levels.len()];
                for (k, &l) in others.iter().enumerate() {
                    position[l] = Some(k);
                    self.columns.push(column(
                        format!("{var}: {}", levels[l]),
                        Some(&levels[l]),
                        Some(&levels[reference]),
                    ));
                }
                self.getters
                    .push(Getter::Dummies(codes, position, others.len()));
            }
            ColumnData::Text(_) => return Err(RegressionError::TextVariable(var.to_owned())),
        }
        Ok(())
    }

    /// Row `i`'s values of the design into `buf`; false when the row is
    /// incomplete.
    fn fill(&self, i: usize, buf: &mut [f64]) -> bool {
        buf[0] = 1.0;
        let mut at = 1;
        let mut complete = true;
        for g in &self.getters {
            match g {
                Getter::Numeric(v) => {
                    let x = v[i];
                    buf[at] = x;
                    at += 1;
                    complete &= !x.is_nan();
                }
                Getter::Ordinal(codes) => {
                    let c = codes[i];
                    buf[at] = c as f64 + 1.0;
                    at += 1;
                    complete &= c != MISSING_CODE;
                }
                Getter::Dummies(codes, position, k) => {
                    let c = codes[i];
                    buf[at..at + k].fill(0.0);
                    match position.get(c as usize) {
                        Some(Some(l)) => buf[at + l] = 1.0,
                        Some(None) => {}
                        None => complete = false,
                    }
                    at += k;
                }
            }
        }
        complete
    }

    /// Whether row `i` has every value.
    fn complete(&self, i: usize) -> bool {
        self.getters.iter().all(|g| match g {
            Getter::Numeric(v) => !v[i].is_nan(),
            Getter::Ordinal(codes) => codes[i] != MISSING_CODE,
            Getter::Dummies(codes, position, _) => (codes[i] as usize) < position.len(),
        })
    }

    /// The complete rows (with an outcome in `y_all`) and their values, row
    /// after row: the rows found by stretches side by side, then each
    /// stretch's values written in place in the one matrix (no copy).
    fn complete_rows(&self, n_rows: usize, y_all: &[Option<f64>]) -> (Vec<usize>, Vec<f64>) {
        let p = self.columns.len();
        let stretches = crate::engine::parallel::ranges(n_rows, 8, 1 << 14);
        let kept: Vec<Vec<usize>> = crate::engine::parallel::map(stretches.len(), |j| {
            stretches[j]
                .clone()
                .filter(|&i| y_all[i].is_some() && self.complete(i))
                .collect()
        });
        let lengths: Vec<usize> = kept.iter().map(|k| k.len() * p).collect();
        let mut data = vec![0.0; lengths.iter().sum()];
        crate::engine::parallel::fill_pieces(&mut data, &lengths, |j, piece| {
            for (buf, &i) in piece.chunks_exact_mut(p.max(1)).zip(&kept[j]) {
                self.fill(i, buf);
            }
        });
        (kept.concat(), data)
    }
}
