//! Case weights of a survival analysis or a Cox model (e.g. inverse
//! probability of treatment weights): one per dataset row, finite and
//! >= 0; a row of weight 0 is left out, exactly as if it were deleted.
//!
//! # What R does, and what follows here
//! - Kaplan-Meier (R survival 3.5-3 `survfit(..., weights = w)`): at each
//!   time the weighted numbers at risk n̄ and of events d̄, S(t) = Π (1 -
//!   d̄ᵢ/n̄ᵢ). When any weight is not a whole number R makes the variance
//!   robust by default: the infinitesimal jackknife with each patient its
//!   own cluster (survfitKM's `robust`, `has.rwt`), which is what
//!   [`super::kaplan_meier_weighted`] computes then (see `km_weighted`);
//!   whole-number weights are frequency weights and keep Greenwood's
//!   variance on the weighted counts.
//! - Cox (`coxph(..., weights = w, robust = TRUE)`): the weighted partial
//!   likelihood (Therneau & Grambsch 2000, §7.1), whose tied deaths each
//!   weigh the mean case weight of the deaths at that time (R's coxfit6,
//!   Efron and Breslow), and the robust sandwich variance from the weighted
//!   dfbeta residuals, summed by cluster (each patient its own cluster
//!   when none is named). R makes `robust = TRUE` the default for
//!   non-integer weights; here weights always make it so.
//! - The concordance of a weighted Cox fit stays the unweighted Harrell's C
//!   of its linear predictor (R weighs each pair by wᵢwⱼ: not matched).
//! - Comparing weighted curves: a weighted log-rank test is not a standard
//!   test; the comparison is the robust score test of the weighted Cox
//!   model with the group as covariate (R's `summary(fit)$robscore`), which
//!   reduces to the log-rank score test without weights.
//!
//! References: Therneau TM, Grambsch PM (2000) Modeling Survival Data,
//! Springer, ch. 7; Xie J, Liu C (2005) Adjusted Kaplan-Meier estimator and
//! log-rank test with inverse probability of treatment weighting for
//! survival data, Stat Med 24:3089-3110; Austin PC (2016) Variance
//! estimation when using inverse probability of treatment weighting (IPTW)
//! with survival analysis, Stat Med 35:5642-5655.

use super::SurvivalError;
use crate::engine::data::{ColumnData, Dataset};

/// The file's row number of dataset row `i` (as errors name rows).
fn row_number(ds: &Dataset, i: usize) -> usize {
    ds.row_numbers.get(i).copied().unwrap_or(i + 2)
}

/// Checks `weights` against the dataset (one per row) and the rows used
/// (`rows`, dataset rows): each used row's weight is finite and >= 0.
pub(crate) fn check_weights(
    ds: &Dataset,
    weights: &[f64],
    rows: &[usize],
) -> Result<(), SurvivalError> {
    if weights.len() != ds.n_rows {
        return Err(SurvivalError::WeightsLength {
            rows: ds.n_rows,
            weights: weights.len(),
        });
    }
    match rows
        .iter()
        .find(|&&r| !(weights[r].is_finite() && weights[r] >= 0.0))
    {
        Some(&r) => Err(SurvivalError::BadWeight {
            column: None,
            row: row_number(ds, r),
            value: weights[r].to_string(),
        }),
        None => Ok(()),
    }
}

/// The case weights in the numeric column `column`, one per dataset row
/// (a column read as levels, e.g. 0/1, is read as its numbers). A
/// missing, negative, infinite or non-numeric value is an error naming
/// the column and the row.
pub fn weights_from_column(ds: &Dataset, column: &str) -> Result<Vec<f64>, SurvivalError> {
    let col = ds
        .column(column)
        .ok_or_else(|| SurvivalError::UnknownColumn(column.to_owned()))?;
    let bad = |i: usize, value: String| SurvivalError::BadWeight {
        column: Some(column.to_owned()),
        row: row_number(ds, i),
        value: if value.is_empty() {
            "missing".into()
        } else {
            value
        },
    };
    (0..ds.n_rows)
        .map(|i| {
            let v = match &col.data {
                ColumnData::Numeric(v) => v[i],
                _ => col.display(i).trim().parse::<f64>().unwrap_or(f64::NAN),
            };
            if v.is_finite() && v >= 0.0 {
                Ok(v)
            } else {
                Err(bad(i, col.display(i)))
            }
        })
        .collect()
}

/// Whether any weight is not a whole number: R then makes the
/// Kaplan-Meier variance robust (survfitKM's `has.rwt`).
pub(crate) fn any_fractional(weights: &[f64]) -> bool {
    weights.iter().any(|w| w.fract() != 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::{Column, ColumnKind};

    fn dataset(w: Vec<f64>) -> Dataset {
        let n = w.len();
        Dataset {
            n_rows: n,
            columns: vec![Column {
                name: "w".into(),
                kind: ColumnKind::Numeric,
                suggested: ColumnKind::Numeric,
                derived_from: None,
                data: ColumnData::Numeric(w),
            }],
            row_numbers: (2..n + 2).collect(),
            diagnostics: Vec::new(),
        }
    }

    #[test]
    fn bad_weights_name_their_row() {
        let ds = dataset(vec![1.0, 0.5, -2.0, 0.0]);
        let e = weights_from_column(&ds, "w").unwrap_err();
        assert_eq!(
            e,
            SurvivalError::BadWeight {
                column: Some("w".into()),
                row: row_number(&ds, 2),
                value: "-2".into()
            }
        );
        assert!(e.to_string().contains("`w`") && e.to_string().contains("row 4"));
        assert!(e.hint().contains("`w`"));
        let e = check_weights(&ds, &[1.0, f64::INFINITY, 1.0, 1.0], &[0, 1]).unwrap_err();
        assert!(e.to_string().contains("row 3"), "{e}");
        assert!(check_weights(&ds, &[1.0, f64::NAN, 1.0, 1.0], &[0, 2, 3]).is_ok());
        assert!(matches!(
            check_weights(&ds, &[1.0], &[0]),
            Err(SurvivalError::WeightsLength {
                rows: 4,
                weights: 1
            })
        ));
        assert!(matches!(
            weights_from_column(&ds, "v"),
            Err(SurvivalError::UnknownColumn(_))
        ));
    }

    #[test]
    fn fractional_weights() {
        assert!(!any_fractional(&[1.0, 2.0, 0.0]));
        assert!(any_fractional(&[1.0, 2.5]));
    }
}
