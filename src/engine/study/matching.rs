//! The matching step's summary (the propensity model, counts, balance) and
//! the matched cohort.

use serde::{Deserialize, Serialize};

use super::MATCHED_SET_COLUMN;
use crate::engine::data::{Column, ColumnData, ColumnKind, Dataset};
use crate::engine::matching::{balance, BalanceRow, MatchResult, MatchSpec, SampleSizes};
use crate::engine::regression::LogisticFit;

/// The matching, without the per-patient vectors (those are in
/// matched.csv).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchingSummary {
    pub spec: MatchSpec,
    pub model: LogisticFit,
    pub counts: SampleSizes,
    pub caliper_width: Option<f64>,
    pub balance: Vec<BalanceRow>,
    /// The largest absolute SMD after matching (infinite ones left out).
    pub max_abs_smd_after: Option<f64>,
}

impl MatchingSummary {
    /// The summary of matching `m` on `ds`, with its balance.
    pub fn new(ds: &Dataset, m: &MatchResult) -> MatchingSummary {
        let bal = balance(ds, m);
        let max_after = bal
            .iter()
            .map(|b| b.after.smd.abs())
            .filter(|v| v.is_finite())
            .fold(None, |acc: Option<f64>, v| {
                Some(acc.map_or(v, |a| a.max(v)))
            });
        MatchingSummary {
            spec: m.spec.clone(),
            model: m.model.clone(),
            counts: m.counts.clone(),
            caliper_width: m.caliper_width,
            balance: bal,
            max_abs_smd_after: max_after,
        }
    }
}

/// The matched patients with their matched set as a column
/// ([`MATCHED_SET_COLUMN`]), e.g. to cluster or stratify a Cox model by it.
pub fn matched_cohort(ds: &Dataset, m: &MatchResult) -> Dataset {
    let rows: Vec<usize> = (0..ds.n_rows).filter(|&i| m.is_matched(i)).collect();
    let mut out = ds.subset(&rows);
    if out.column(MATCHED_SET_COLUMN).is_none() {
        out.columns.push(Column {
            name: MATCHED_SET_COLUMN.into(),
            kind: ColumnKind::Numeric,
            suggested: ColumnKind::Numeric,
            derived_from: None,
            data: ColumnData::Numeric(
                rows.iter()
                    .map(|&i| m.subclass[i].map_or(f64::NAN, f64::from))
                    .collect(),
            ),
        });
    }
    out
}
