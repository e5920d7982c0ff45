//! Small dense linear algebra and the Newton/IRLS driver.

mod gram;
mod irls;
mod split;

pub use gram::add_weighted_gram;
pub use irls::{
    logistic_irls, pool, weighted_logistic_irls, Convergence, IrlsFit, Patterns, RowMatrix,
    Tolerances,
};
mod sort;

pub use sort::{argsort, argsort_descending, sort_with_order};
