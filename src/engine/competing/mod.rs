//! Competing risks: cumulative incidence by cause and group
//! (Aalen-Johansen), with R survival's multi-state `survfit` variance or
//! `cmprsk::cuminc`'s, values at landmark times, and Gray's test per cause.
//! A status column in any coding names the event of interest and the
//! competing events by level; every other value is censored (`data`).
//!
//! The estimates equal both R functions'; the variances differ (the
//! infinitesimal jackknife against an Aalen-type delta method with a
//! correction for tied events), so the one used is named in every result.
//! Beside them, regression on the same outcome (`models`): the
//! cause-specific Cox model of each cause (the Cox engine, the other
//! causes censored) and the Fine-Gray subdistribution hazards model of
//! the event of interest as `cmprsk::crr` (`finegray`, its sandwich
//! variance in `sandwich`, optionally clustered by matched set or any
//! cluster as Zhou et al. 2012, the cause-specific Cox models' robust SEs
//! then clustered alike).
//!
//! References: Aalen OO, Johansen S (1978) Scand J Stat 5:141; Gray RJ
//! (1988) Ann Stat 16:1141; Therneau T, survival's "compete" vignette;
//! Gray RJ, cmprsk 2.2-11 (`cinc`, `crstm`, `crr`); Fine JP, Gray RJ
//! (1999) JASA 94:496; Zhou B, Fine J, Latouche A, Labopin M (2012)
//! Biostatistics 13:371.

mod analysis;
mod cif;
mod data;
mod finegray;
mod gray;
mod models;
mod sandwich;

pub use analysis::{
    competing_analysis, CauseLandmarks, CifOptions, CompetingAnalysis, GroupLandmarks,
};
pub use cif::{cumulative_incidence, CauseCurve, CifGroup, CifPoint, CifVariance};
pub use data::{competing_data, CompetingData, CompetingError, CompetingSpec};
pub use finegray::{fine_gray, FineGrayFit, FineGrayTerm};
pub use gray::{gray_tests, GrayTest};
pub use models::{
    cause_specific_cox, cause_specific_cox_on, competing_design, competing_models, CauseCox,
    Clusters, CompetingCovariates, CompetingDesign, CompetingModels,
};
pub use sandwich::FineGrayVariance;
