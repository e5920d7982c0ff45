//! An estimate with its confidence interval and the level of that interval.

use serde::{Deserialize, Serialize};

/// A point estimate and its `level` confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
    /// The confidence level of `lower`..`upper` (0.95 for a 95% CI).
    pub level: f64,
}

impl Estimate {
    /// Each of value, lower and upper times `k` (e.g. a proportion in
    /// percentage points).
    pub fn scaled(self, k: f64) -> Estimate {
        Estimate {
            value: self.value * k,
            lower: self.lower * k,
            upper: self.upper * k,
            level: self.level,
        }
    }
}
