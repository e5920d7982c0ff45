//! How much a matching depends on the order of the treated patients: the
//! same matching with N random orders (seeds 1..=N), compared with the
//! matching asked for. No matching tool offers this; reviewers ask for it.

use serde::{Deserialize, Serialize};

use super::{match_patients, MatchError, MatchOrder, MatchResult, MatchSpec};
use crate::engine::data::Dataset;
use crate::engine::regression::outcome_values;

/// One random-order rerun.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StabilityRun {
    pub seed: u64,
    pub treated_matched: usize,
    pub controls_matched: usize,
    /// Share of the reference matching's matched controls also matched here.
    pub control_overlap: f64,
    /// Outcome rate in treated minus the weighted rate in controls, if an
    /// outcome was given.
    pub outcome_difference: Option<f64>,
}

/// The reruns and their spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    pub reference_outcome_difference: Option<f64>,
    pub runs: Vec<StabilityRun>,
    pub min_difference: Option<f64>,
    pub max_difference: Option<f64>,
    pub min_overlap: f64,
}

/// Weighted outcome rate difference, treated minus control, in a matching.
pub fn outcome_difference(ds: &Dataset, m: &MatchResult, outcome: &str) -> Option<f64> {
    let (y, _) = outcome_values(ds, outcome, None).ok()?;
    let (mut st, mut wt, mut sc, mut wc) = (0.0, 0.0, 0.0, 0.0);
    for ((&t, &v), &w) in m.treated.iter().zip(&y).zip(&m.weights) {
        let (Some(t), Some(v)) = (t, v) else {
            continue;
        };
        if w <= 0.0 {
            continue;
        }
        if t {
            st += w * v;
            wt += w;
        } else {
            sc += w * v;
            wc += w;
        }
    }
    (wt > 0.0 && wc > 0.0).then(|| st / wt - sc / wc)
}

/// Reruns `spec` with random orders 1..=n and compares each with `reference`.
pub fn stability(
    ds: &Dataset,
    reference: &MatchResult,
    n: u64,
    outcome: Option<&str>,
) -> Result<Stability, MatchError> {
    let matched_controls = |m: &MatchResult| -> Vec<usize> {
        (0..ds.n_rows)
            .filter(|&i| m.treated[i] == Some(false) && m.weights[i] > 0.0)
            .collect()
    };
    let ref_controls = matched_controls(reference);
    let mut runs = Vec::new();
    for seed in 1..=n {
        let spec = MatchSpec {
            order: MatchOrder::Random(seed),
            ..reference.spec.clone()
        };
        let m = match_patients(ds, &spec)?;
        let controls = matched_controls(&m);
        let common = controls
            .iter()
            .filter(|c| ref_controls.binary_search(c).is_ok())
            .count();
        runs.push(StabilityRun {
            seed,
            treated_matched: m.counts.matched.treated,
            controls_matched: m.counts.matched.control,
            control_overlap: if ref_controls.is_empty() {
                1.0
            } else {
                common as f64 / ref_controls.len() as f64
            },
            outcome_difference: outcome.and_then(|o| outcome_difference(ds, &m, o)),
        });
    }
    let diffs: Vec<f64> = runs.iter().filter_map(|r| r.outcome_difference).collect();
    Ok(Stability {
        reference_outcome_difference: outcome.and_then(|o| outcome_difference(ds, reference, o)),
        min_difference: diffs.iter().copied().reduce(f64::min),
        max_difference: diffs.iter().copied().reduce(f64::max),
        min_overlap: runs.iter().map(|r| r.control_overlap).fold(1.0, f64::min),
        runs,
    })
}
