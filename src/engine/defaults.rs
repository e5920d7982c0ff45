//! The defaults a user gets without choosing, named once: the engine, the
//! settings, the CLI and the page all read them from here.

/// The confidence level of every interval unless another is chosen.
pub const CONF_LEVEL: f64 = 0.95;

/// [`CONF_LEVEL`] as a function, for `#[serde(default = ...)]`.
pub fn conf_level() -> f64 {
    CONF_LEVEL
}

/// Whether a level is the default one (settings then leave it out).
pub fn is_conf_level(level: &f64) -> bool {
    *level == CONF_LEVEL
}

/// The caliper, in SDs of the logit of the propensity score (Austin 2011,
/// Pharm Stat 10:150).
pub const CALIPER_SD: f64 = 0.2;

/// Controls per treated patient: the most allowed.
pub const MAX_RATIO: usize = 10;

/// The seed of the random matching order unless another is chosen.
pub const SEED: u64 = 1;

/// Landmark times of the survival table when the time is in months.
pub const LANDMARKS_MONTHS: [f64; 3] = [12.0, 36.0, 60.0];

/// The two-sided normal quantile of a confidence level (1.959964 for 0.95).
pub fn z_of(level: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(0.5 + level / 2.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_normal_quantile_of_95_percent() {
        assert!((super::z_of(0.95) - 1.959963984540054).abs() < 1e-12);
    }
}
