//! Survival analysis: Kaplan-Meier curves with Greenwood confidence
//! intervals, landmark survival, medians, restricted means, follow-up by
//! reverse Kaplan-Meier, and the log-rank test for k groups, following R's
//! `survival` package (survfit, summary.survfit, survdiff); with case
//! weights (e.g. inverse probability of treatment weights), the weighted
//! curves with robust variance and Cox models with robust SEs (`weights`,
//! `km_weighted`).

mod analysis;
mod concordance;
mod cox;
mod data;
mod km;
mod km_weighted;
mod logrank;
mod rmst;
mod weighted_analysis;
pub(crate) mod weights;

pub(crate) use data::{by_stratum_then_time, runs};
pub(crate) use km::kaplan_meier_by_group_sorted;
pub(crate) use logrank::log_rank_ordered;

pub use analysis::{
    survival_analysis, survival_analysis_rmst, survival_analysis_weighted, survival_analysis_with,
    GroupSurvival, SurvivalAnalysis, SurvivalOptions, WeightedComparison,
};
pub use concordance::concordance;
pub use cox::{
    cox_model, cox_model_weighted, cox_model_with_ph_test, cox_zph, fit_cox, CoxData, CoxError,
    CoxFit, CoxSpec, CoxTerm, CoxTolerances, RobustTerm, Ties, ZphRow,
};
pub use data::{
    check_survival_options, survival_data, SurvivalData, SurvivalError, SurvivalOption,
    SurvivalSpec,
};
pub use km::{
    kaplan_meier, kaplan_meier_by_group, median_follow_up, CiTransform, KmFit, KmRow, KmVariance,
    KmWeighting, Landmark, Median, WeightedCounts,
};
pub use logrank::{adjust, log_rank, pairwise_log_rank, Adjustment, LogRank, PairwiseLogRank};
pub use rmst::{
    rmst_comparison, rmst_limit, rmst_with_se, RmstComparison, RmstContrast, RmstError, RmstGroup,
    RmstHorizon, TauRule,
};
pub use weights::weights_from_column;
