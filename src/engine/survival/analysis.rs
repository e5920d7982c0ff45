//! A whole survival analysis: per group the Kaplan-Meier curve, landmark
//! survival, median and restricted mean; the log-rank (or Fleming-Harrington)
//! test and pairwise comparisons; median follow-up by reverse Kaplan-Meier.

use serde::{Deserialize, Serialize};

use super::{
    kaplan_meier_by_group, pairwise_log_rank, Adjustment, CiTransform, KmFit, Landmark, LogRank,
    Median, PairwiseLogRank, SurvivalError, SurvivalSpec,
};
use crate::engine::data::Dataset;
use crate::engine::defaults;

/// One group's curve and summaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSurvival {
    pub group: String,
    pub fit: KmFit,
    pub landmarks: Vec<Landmark>,
    /// Restricted mean survival time up to `SurvivalAnalysis::rmst_tau`.
    pub rmst: Option<f64>,
}

impl GroupSurvival {
    /// Each group's curve with its landmarks and restricted mean.
    pub(super) fn of(
        labels: &[String],
        fits: Vec<KmFit>,
        at: &[f64],
        tau: Option<f64>,
    ) -> Vec<GroupSurvival> {
        labels
            .iter()
            .zip(fits)
            .map(|(label, fit)| GroupSurvival {
                group: label.clone(),
                landmarks: at.iter().map(|&x| fit.at(x)).collect(),
                rmst: tau.map(|t| fit.rmst(t)),
                fit,
            })
            .collect()
    }
}

/// Everything a survival analysis shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalAnalysis {
    pub spec: SurvivalSpec,
    pub n: usize,
    pub events: usize,
    pub dropped: usize,
    pub groups: Vec<GroupSurvival>,
    /// Median follow-up (reverse Kaplan-Meier), all patients.
    pub follow_up: Median,
    pub log_rank: Option<LogRank>,
    pub pairwise: Vec<PairwiseLogRank>,
    /// The horizon of the restricted mean, if asked for.
    pub rmst_tau: Option<f64>,
    /// Notes on the data (e.g. competing events counted as censored).
    #[serde(default)]
    pub diagnostics: Vec<crate::engine::Diagnostic>,
    /// The confidence level of every interval.
    #[serde(default = "defaults::conf_level")]
    pub conf_level: f64,
    /// With case weights: the comparison of the weighted curves, which
    /// replaces the log-rank test (see [`WeightedComparison`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<WeightedComparison>,
}

/// How weighted curves are compared. A weighted log-rank test is not a
/// standard test; this is the robust score test of the weighted Cox model
/// with the group as covariate (stratified as the analysis, Efron ties;
/// R's `summary(coxph(Surv(time, event) ~ group, weights = w, robust =
/// TRUE))$robscore`), on the groups' number less one df. Without weights it
/// would be the log-rank test with a robust variance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightedComparison {
    /// The groups' patients counted once each, their weights summed.
    pub weight_total: f64,
    /// The variance of the curves (the same for every group).
    pub variance: super::KmVariance,
    /// The robust score test; `None` with one group.
    pub chi_square: Option<f64>,
    pub df: usize,
    pub p_value: Option<f64>,
}

/// How a survival analysis is summarised: the CI transform and level,
/// the landmark times, the test's Fleming-Harrington rho and the horizon
/// of the restricted mean.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalOptions<'a> {
    pub transform: CiTransform,
    pub conf_level: f64,
    pub at: &'a [f64],
    pub rho: f64,
    pub rmst: Option<f64>,
}

/// Runs the analysis at the default confidence level.
pub fn survival_analysis(
    ds: &Dataset,
    spec: &SurvivalSpec,
    transform: CiTransform,
    at: &[f64],
    rho: f64,
) -> Result<SurvivalAnalysis, SurvivalError> {
    survival_analysis_rmst(ds, spec, transform, at, rho, None)
}

/// [`survival_analysis`] with the restricted mean survival time to `tau`.
pub fn survival_analysis_rmst(
    ds: &Dataset,
    spec: &SurvivalSpec,
    transform: CiTransform,
    at: &[f64],
    rho: f64,
    tau: Option<f64>,
) -> Result<SurvivalAnalysis, SurvivalError> {
    let options = SurvivalOptions {
        transform,
        conf_level: defaults::CONF_LEVEL,
        at,
        rho,
        rmst: tau,
    };
    survival_analysis_with(ds, spec, &options)
}

/// The analysis with every option given.
pub fn survival_analysis_with(
    ds: &Dataset,
    spec: &SurvivalSpec,
    options: &SurvivalOptions<'_>,
) -> Result<SurvivalAnalysis, SurvivalError> {
    survival_analysis_weighted(ds, spec, options, None)
}

/// [`survival_analysis_with`] with case weights, one per dataset row
/// (e.g. inverse probability of treatment weights): rows of weight 0 are
/// left out (and counted in `dropped`), a negative or non-finite weight of
/// a row the analysis uses is an error naming the row. The curves are
/// weighted as R's `survfit(weights = )` (see `km_weighted`), and the
/// log-rank test and pairwise tests give way to
/// [`SurvivalAnalysis::weighted`]. `None` is [`survival_analysis_with`]
/// exactly.
pub fn survival_analysis_weighted(
    ds: &Dataset,
    spec: &SurvivalSpec,
    options: &SurvivalOptions<'_>,
    weights: Option<&[f64]>,
) -> Result<SurvivalAnalysis, SurvivalError> {
    if let Some(w) = weights {
        return super::weighted_analysis::analysis(ds, spec, options, w);
    }
    let SurvivalOptions {
        transform,
        conf_level,
        at,
        rho,
        rmst: tau,
    } = *options;
    super::check_survival_options(at, rho, tau)?;
    super::SurvivalOption::ConfLevel.check(conf_level)?;
    let d = super::survival_data(ds, spec)?;
    // One sort serves the curves and, without strata, the log-rank test.
    let to = super::by_stratum_then_time(&d.time, &d.stratum, false);
    let unstratified = d.stratum.iter().all(|&s| s == 0);
    // The curves, and the log-rank test meanwhile.
    let ((fits, follow_up), lr) = crate::engine::parallel::join(
        || {
            if unstratified {
                super::kaplan_meier_by_group_sorted(
                    &to.time,
                    &to.order,
                    &d.event,
                    &d.group,
                    d.group_labels.len(),
                    transform,
                    conf_level,
                )
            } else {
                kaplan_meier_by_group(
                    &d.time,
                    &d.event,
                    &d.group,
                    d.group_labels.len(),
                    transform,
                    conf_level,
                )
            }
        },
        || {
            (d.group_labels.len() > 1)
                .then(|| {
                    super::log_rank_ordered(&to, &d.event, &d.group, &d.group_labels, rho).ok()
                })
                .flatten()
        },
    );
    let groups = GroupSurvival::of(&d.group_labels, fits, at, tau);
    let pairwise = if d.group_labels.len() > 2 {
        pairwise_log_rank(
            &d.time,
            &d.event,
            &d.group,
            &d.stratum,
            &d.group_labels,
            rho,
            Adjustment::Holm,
        )
    } else {
        Vec::new()
    };
    Ok(SurvivalAnalysis {
        spec: spec.clone(),
        n: d.time.len(),
        events: d.event.iter().filter(|&&e| e).count(),
        dropped: d.dropped,
        groups,
        follow_up,
        log_rank: lr,
        pairwise,
        rmst_tau: tau,
        diagnostics: d.diagnostics,
        conf_level,
        weighted: None,
    })
}
