//! The analysis engine: pure Rust with no browser imports, tested natively.

pub mod choice;
pub mod competing;
pub mod data;
pub mod defaults;
pub mod design;
pub mod diagnostic;
pub mod error;
pub mod estimate;
pub mod example;
pub mod hypothesis;
pub mod matching;
pub mod missing;
pub mod numeric;
pub mod parallel;
pub mod regression;
pub mod rng;
pub mod sensitivity;
pub mod study;
pub mod summary;
pub mod survival;
pub mod table1;
pub mod weighting;

pub use choice::Choice;
pub use diagnostic::{Code, Diagnostic, Severity};
pub use error::AnalysisError;

/// The engine's version, printed in exports and the methods text.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit of the build (`unknown` outside a checkout).
pub const COMMIT: &str = env!("COHORTLAB_COMMIT");

/// "CohortLab 0.1.0 (commit 1a2b3c4d5e)": what the page's footer, every
/// report and results.json say, so a result can be tied to its build.
pub fn build_name() -> String {
    format!("CohortLab {VERSION} (commit {COMMIT})")
}
