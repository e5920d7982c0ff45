//! Covariate balance before and after weighting, as cobalt's
//! `bal.tab(w, un = TRUE, binary = "std")`: the matching's balance code
//! (`matching::balance`, whose module doc has every formula) with the
//! weights and cobalt's default SMD denominator for the estimand
//! ([`super::Estimand::smd_denominator`]): the pooled unweighted SD for the
//! ATE, the treated SD for the ATT, the SD of the weighted sample for the
//! ATO and ATM.

use serde::{Deserialize, Serialize};

use super::{SmdDenominator, WeightResult};
use crate::engine::data::Dataset;
use crate::engine::matching::{balance_with, BalanceRow};

/// The balance table of a weighting: `before` unweighted, `after`
/// weighted, every SMD over the SD named by `denominator`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedBalance {
    pub denominator: SmdDenominator,
    pub rows: Vec<BalanceRow>,
}

/// Balance of the propensity model's covariates before and after
/// weighting (trimmed patients are in "before", not in "after").
pub fn weighted_balance(ds: &Dataset, w: &WeightResult) -> WeightedBalance {
    let denominator = w.spec.options.estimand.smd_denominator();
    WeightedBalance {
        denominator,
        rows: balance_with(ds, &w.spec.covariates, &w.treated, &w.weights, denominator),
    }
}
