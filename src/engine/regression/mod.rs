//! Regression models: logistic regression (univariate screen and
//! multivariable), with design matrices built from the dataset.

mod design;
mod firth;
mod interaction;
mod logistic;
mod separation;

pub(crate) use design::design_on;
pub use design::{design_matrix, outcome_values, Coding, Design, DesignColumn, RegressionError};
pub use interaction::{interaction_test, InteractionTest};
pub use logistic::{
    fit_logistic, fit_logistic_with, univariate_screen, Extras, LogisticFit, LogisticSpec,
    ScreenRow, Term, VariableTest,
};
pub(crate) use separation::{diverging_terms, separated_levels};
