//! The regression step: the univariate screen of the variables, then a
//! multivariable model of those whose univariate P is below the threshold
//! (all of them without one).

use serde::{Deserialize, Serialize};

use crate::engine::data::Dataset;
use crate::engine::error::ErrorText;
use crate::engine::regression::{
    fit_logistic, univariate_screen, LogisticFit, LogisticSpec, RegressionError, ScreenRow,
};

/// What the study keeps of the step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionResults {
    pub screen: Vec<ScreenRow>,
    pub multivariable: Option<LogisticFit>,
}

/// The step as run: the screen, the variables chosen for the
/// multivariable model, and that model or why it could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionRun {
    pub screen: Vec<ScreenRow>,
    pub chosen: Vec<String>,
    /// `None` when no model was asked for or no variable was chosen.
    pub multivariable: Option<Result<LogisticFit, RegressionError>>,
}

impl RegressionRun {
    /// Why every univariate fit failed (the first one's reason), when
    /// they all did.
    pub fn all_failed(&self) -> Option<&ErrorText> {
        match self.screen.first().map(|s| &s.fit) {
            Some(Err(e)) if self.screen.iter().all(|s| s.fit.is_err()) => Some(e),
            _ => None,
        }
    }

    /// The results, without the multivariable model's error.
    pub fn results(self) -> RegressionResults {
        RegressionResults {
            screen: self.screen,
            multivariable: self.multivariable.and_then(Result::ok),
        }
    }
}

/// Screens `spec.variables` one by one, then (when `multivariable`) fits
/// the model of those with univariate P below `threshold`.
pub fn regression_step(
    ds: &Dataset,
    spec: &LogisticSpec,
    threshold: Option<f64>,
    multivariable: bool,
) -> RegressionRun {
    let screen = univariate_screen(ds, spec);
    let chosen = spec.select(&screen, threshold);
    let multivariable = (multivariable && !chosen.is_empty()).then(|| {
        let m = LogisticSpec {
            variables: chosen.clone(),
            ..spec.clone()
        };
        fit_logistic(ds, &m)
    });
    RegressionRun {
        screen,
        chosen,
        multivariable,
    }
}
