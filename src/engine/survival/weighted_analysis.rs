//! A survival analysis with case weights (see `weights` for what R does):
//! the weighted curves of each group, their landmarks, medians and
//! restricted means, the weighted median follow-up, and the groups
//! compared by the robust score test of the weighted Cox model.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::analysis::{GroupSurvival, SurvivalAnalysis, SurvivalOptions, WeightedComparison};
use super::cox::{robust_score_test, CoxData, Ties};
use super::km_weighted::{kaplan_meier_by_group_weighted, variance_for};
use super::{SurvivalData, SurvivalError, SurvivalSpec};
use crate::engine::data::Dataset;

/// The analysis of `spec` with `weights`, one per dataset row.
pub(super) fn analysis(
    ds: &Dataset,
    spec: &SurvivalSpec,
    options: &SurvivalOptions<'_>,
    weights: &[f64],
) -> Result<SurvivalAnalysis, SurvivalError> {
    let SurvivalOptions {
        transform,
        conf_level,
        at,
        rho,
        rmst: tau,
    } = *options;
    super::check_survival_options(at, rho, tau)?;
    super::SurvivalOption::ConfLevel.check(conf_level)?;
    let mut d = super::survival_data(ds, spec)?;
    super::weights::check_weights(ds, weights, &d.rows)?;
    leave_out_zero_weights(&mut d, weights);
    if d.time.is_empty() {
        return Err(SurvivalError::NoRows);
    }
    let w: Vec<f64> = d.rows.iter().map(|&r| weights[r]).collect();
    let (sorted, order) = crate::engine::numeric::sort_with_order(&d.time, false);
    let k = d.group_labels.len();
    let (fits, follow_up) = kaplan_meier_by_group_weighted(
        &sorted, &order, &d.event, &d.group, k, &w, transform, conf_level,
    );
    let groups = GroupSurvival::of(&d.group_labels, fits, at, tau);
    let chi_square = (k > 1).then(|| robust_score_of_groups(&d, &w)).flatten();
    let df = k.saturating_sub(1);
    let p_value = chi_square.map(|x| ChiSquared::new(df as f64).map_or(f64::NAN, |c| c.sf(x)));
    Ok(SurvivalAnalysis {
        spec: spec.clone(),
        n: d.time.len(),
        events: d.event.iter().filter(|&&e| e).count(),
        dropped: d.dropped,
        groups,
        follow_up,
        log_rank: None,
        pairwise: Vec::new(),
        rmst_tau: tau,
        diagnostics: d.diagnostics,
        conf_level,
        weighted: Some(WeightedComparison {
            weight_total: w.iter().sum(),
            variance: variance_for(&w),
            chi_square,
            df,
            p_value,
        }),
    })
}

/// Leaves out the patients of weight 0, counting them as dropped.
fn leave_out_zero_weights(d: &mut SurvivalData, weights: &[f64]) {
    let keep: Vec<bool> = d.rows.iter().map(|&r| weights[r] > 0.0).collect();
    if keep.iter().all(|&k| k) {
        return;
    }
    fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
        let mut it = keep.iter();
        v.retain(|_| it.next().copied().unwrap_or(false));
    }
    d.dropped += keep.iter().filter(|&&k| !k).count();
    filter(&mut d.time, &keep);
    filter(&mut d.event, &keep);
    filter(&mut d.group, &keep);
    filter(&mut d.stratum, &keep);
    filter(&mut d.rows, &keep);
}

/// The robust score test of the weighted Cox model `~ group` (dummies
/// against the first group), each patient its own cluster; `None` when
/// it cannot be computed (a group without patients).
fn robust_score_of_groups(d: &SurvivalData, w: &[f64]) -> Option<f64> {
    let (n, p) = (d.time.len(), d.group_labels.len() - 1);
    let mut x = vec![0.0; n * p];
    for (i, &g) in d.group.iter().enumerate() {
        if g > 0 {
            x[i * p + g - 1] = 1.0;
        }
    }
    let data = CoxData {
        x: &x,
        columns: p,
        time: &d.time,
        event: &d.event,
        stratum: &d.stratum,
        cluster: None,
        weights: Some(w),
    };
    let chi = robust_score_test(&data, None, Ties::Efron);
    chi.is_finite().then_some(chi)
}
