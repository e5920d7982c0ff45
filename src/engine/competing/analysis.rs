//! A whole competing-risks analysis: the data read from the spec, each
//! group's cumulative incidence per cause, its values at the landmark
//! times with CIs, and Gray's test per cause.

use serde::{Deserialize, Serialize};

use super::{
    competing_data, cumulative_incidence, gray_tests, CifGroup, CifPoint, CifVariance,
    CompetingError, CompetingSpec, GrayTest,
};
use crate::engine::data::Dataset;
use crate::engine::defaults;
use crate::engine::survival::CiTransform;
use crate::engine::Diagnostic;

/// How the incidences are summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct CifOptions<'a> {
    /// The variance of the SEs and CIs (default: survfit's).
    pub variance: CifVariance,
    /// The CI transform (default: [`CifVariance::default_transform`]).
    pub transform: CiTransform,
    /// The confidence level (default [`defaults::CONF_LEVEL`]).
    pub conf_level: f64,
    /// Landmark times (>= 0).
    pub at: &'a [f64],
    /// Gray's weight power ρ (default 0, cuminc's).
    pub rho: f64,
}

impl<'a> CifOptions<'a> {
    /// The defaults with landmark times `at`: survfit's variance, its log
    /// CI, the default level, ρ = 0.
    pub fn new(at: &'a [f64]) -> Self {
        let variance = CifVariance::default();
        Self {
            variance,
            transform: variance.default_transform(),
            conf_level: defaults::CONF_LEVEL,
            at,
            rho: 0.0,
        }
    }

    /// `variance`, with its default CI transform.
    pub fn variance(mut self, variance: CifVariance) -> Self {
        self.variance = variance;
        self.transform = variance.default_transform();
        self
    }

    fn check(&self) -> Result<(), CompetingError> {
        let bad = |what, value, rule| Err(CompetingError::InvalidOption { what, value, rule });
        if !(self.conf_level > 0.0 && self.conf_level < 1.0) {
            return bad("the confidence level", self.conf_level, "between 0 and 1");
        }
        if !self.rho.is_finite() {
            return bad("Gray's rho", self.rho, "a finite number (0 as cuminc)");
        }
        match self.at.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
            Some(&t) => bad("a landmark time", t, "a number >= 0"),
            None => Ok(()),
        }
    }
}

/// One cause's values at the landmark times in one group; times past the
/// group's last follow-up are left out (as R's summary and timepoints).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseLandmarks {
    pub cause: String,
    pub points: Vec<CifPoint>,
}

/// One group's landmarks, per cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupLandmarks {
    pub group: String,
    pub causes: Vec<CauseLandmarks>,
}

/// Everything a competing-risks analysis shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetingAnalysis {
    pub spec: CompetingSpec,
    /// Patients analysed, and left out for a missing value.
    pub n: usize,
    pub dropped: usize,
    /// The causes' levels: the event of interest first.
    pub causes: Vec<String>,
    /// Events per cause, all groups.
    pub events: Vec<usize>,
    /// Patients censored, and the levels counted as censored.
    pub censored: usize,
    pub censored_levels: Vec<String>,
    pub variance: CifVariance,
    pub transform: CiTransform,
    pub conf_level: f64,
    /// Landmark times asked for.
    pub at: Vec<f64>,
    pub groups: Vec<CifGroup>,
    pub landmarks: Vec<GroupLandmarks>,
    /// Gray's test per cause (empty with one group).
    pub gray: Vec<GrayTest>,
    pub rho: f64,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the data of `spec` and runs the analysis.
pub fn competing_analysis(
    ds: &Dataset,
    spec: &CompetingSpec,
    options: &CifOptions<'_>,
) -> Result<CompetingAnalysis, CompetingError> {
    options.check()?;
    let d = competing_data(ds, spec)?;
    let ng = d.group_labels.len();
    let (groups, gray) = crate::engine::parallel::join(
        || cumulative_incidence(&d.time, &d.cause, &d.group, &d.group_labels, &d.causes),
        || gray_tests(&d.time, &d.cause, &d.group, ng, &d.causes, options.rho),
    );
    let landmarks = groups
        .iter()
        .map(|g| GroupLandmarks {
            group: g.group.clone(),
            causes: (0..d.causes.len())
                .map(|k| CauseLandmarks {
                    cause: d.causes[k].clone(),
                    points: options
                        .at
                        .iter()
                        .filter_map(|&t| {
                            g.at(
                                k,
                                t,
                                options.variance,
                                options.transform,
                                options.conf_level,
                            )
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let mut events = vec![0usize; d.causes.len()];
    for &c in d.cause.iter().filter(|&&c| c > 0) {
        events[usize::from(c) - 1] += 1;
    }
    Ok(CompetingAnalysis {
        spec: spec.clone(),
        n: d.time.len(),
        dropped: d.dropped,
        censored: d.time.len() - events.iter().sum::<usize>(),
        causes: d.causes,
        events,
        censored_levels: d.censored_levels,
        variance: options.variance,
        transform: options.transform,
        conf_level: options.conf_level,
        at: options.at.to_vec(),
        groups,
        landmarks,
        gray,
        rho: options.rho,
        diagnostics: d.diagnostics,
    })
}
