//! Regression on a competing-risks outcome: the covariates coded as the
//! Cox model codes them (numeric as is, categorical as dummies against the
//! reference level, or ordinal scores), on the patients complete for the
//! outcome and every covariate; the cause-specific Cox model of each cause
//! (R's `coxph(Surv(time, status == k) ~ ...)`, Efron ties: the other
//! causes censored) fitted by the Cox engine ([`fit_cox`]); and the
//! Fine-Gray model of the event of interest beside them
//! ([`super::finegray`]). An optional cluster column (the matched set)
//! clusters the SEs of both.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::finegray::{fit_fine_gray, FineGrayFit};
use super::{competing_data, CompetingError, CompetingSpec};
use crate::engine::data::Dataset;
use crate::engine::design::RoleConflict;
use crate::engine::diagnostic::{Code, Diagnostic};
use crate::engine::survival::{fit_cox, CoxData, CoxError, CoxFit, SurvivalError, Ties};

/// The covariates of a competing-risks regression.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CompetingCovariates {
    /// Covariates: numeric columns as is, categorical ones as dummies
    /// against their reference level.
    pub variables: Vec<String>,
    /// Categorical covariates entered as an ordinal score instead.
    #[serde(default)]
    pub ordinal: Vec<String>,
    /// The column whose values are the clusters (e.g. the matched set):
    /// the Fine-Gray SEs are then clustered (Zhou et al. 2012, as
    /// `crrSC::crrc`) and the cause-specific Cox models' robust SEs
    /// clustered by it (as `coxph(..., cluster = )`). A row without a
    /// value is left out and counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

/// The clusters of a competing-risks regression's patients.
#[derive(Debug, Clone, PartialEq)]
pub struct Clusters {
    /// The column read.
    pub column: String,
    /// Per patient, its cluster: 0.. in order of first appearance.
    pub id: Vec<usize>,
    /// The number of clusters.
    pub count: usize,
}

/// The patients of a competing-risks regression, sorted as the dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct CompetingDesign {
    /// Row-major, `names.len()` columns per patient.
    pub x: Vec<f64>,
    /// The design columns' terms (`age`, `sexM`, `subtypeTNBC`).
    pub names: Vec<String>,
    pub time: Vec<f64>,
    /// 0 censored, `k` the cause `causes[k - 1]` (the event first).
    pub cause: Vec<u8>,
    pub causes: Vec<String>,
    /// Dataset row of each patient.
    pub rows: Vec<usize>,
    /// Rows left out for a missing time, status, covariate or cluster.
    pub dropped: usize,
    /// Notes on how the status was read.
    pub diagnostics: Vec<Diagnostic>,
    /// The patients' clusters, when clustered.
    pub clusters: Option<Clusters>,
}

/// Neither the time nor the status is a covariate, and the cluster is
/// none of them: an error naming the column and both roles.
fn check_model_roles(
    spec: &CompetingSpec,
    covariates: &CompetingCovariates,
) -> Result<(), CompetingError> {
    let conflict = |column: &String, first: &str, second: &str| {
        CompetingError::from(SurvivalError::from(RoleConflict {
            column: column.clone(),
            first: first.into(),
            second: second.into(),
            why: String::new(),
        }))
    };
    for (column, role) in [
        (&spec.time, "the follow-up time"),
        (&spec.status, "the event"),
    ] {
        if covariates.variables.contains(column) {
            return Err(conflict(
                column,
                role,
                "a covariate of the competing-risks model",
            ));
        }
        if covariates.cluster.as_ref() == Some(column) {
            return Err(conflict(column, role, "the cluster"));
        }
    }
    match &covariates.cluster {
        Some(c) if covariates.variables.contains(c) || covariates.ordinal.contains(c) => Err(
            conflict(c, "a covariate of the competing-risks model", "the cluster"),
        ),
        _ => Ok(()),
    }
}

/// The complete cases of `spec` (its `group` is not used) and the
/// covariates' design.
pub fn competing_design(
    ds: &Dataset,
    spec: &CompetingSpec,
    covariates: &CompetingCovariates,
) -> Result<CompetingDesign, CompetingError> {
    check_model_roles(spec, covariates)?;
    let cluster_col = match &covariates.cluster {
        Some(c) => Some(
            ds.column(c)
                .ok_or_else(|| SurvivalError::UnknownColumn(c.clone()))?,
        ),
        None => None,
    };
    let spec = CompetingSpec {
        group: None,
        ..spec.clone()
    };
    let cd = competing_data(ds, &spec)?;
    let mut y_all = vec![None; ds.n_rows];
    for &r in &cd.rows {
        y_all[r] = Some(0.0);
    }
    let design = crate::engine::regression::design_on(
        ds,
        &spec.status,
        &y_all,
        spec.event_level.clone(),
        &covariates.variables,
        &covariates.ordinal,
    )
    .map_err(|e| CompetingError::Model(CoxError::Design(e)))?;
    let mut pos = vec![usize::MAX; ds.n_rows];
    for (k, &r) in design.rows.iter().enumerate() {
        pos[r] = k;
    }
    let p = design.x.cols - 1;
    let mut out = CompetingDesign {
        x: Vec::with_capacity(design.rows.len() * p),
        names: design.columns[1..].iter().map(|c| c.term.clone()).collect(),
        time: Vec::new(),
        cause: Vec::new(),
        causes: cd.causes,
        rows: Vec::new(),
        dropped: 0,
        diagnostics: cd.diagnostics,
        clusters: None,
    };
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut cluster = Vec::new();
    for (k, &r) in cd.rows.iter().enumerate() {
        if pos[r] == usize::MAX {
            continue;
        }
        if let Some(col) = cluster_col {
            let v = col.display(r);
            if v.is_empty() {
                continue;
            }
            let next = ids.len();
            cluster.push(*ids.entry(v).or_insert(next));
        }
        out.x.extend_from_slice(&design.x.row(pos[r])[1..]);
        out.time.push(cd.time[k]);
        out.cause.push(cd.cause[k]);
        out.rows.push(r);
    }
    out.dropped = ds.n_rows - out.rows.len();
    out.clusters = cluster_col.map(|c| Clusters {
        column: c.name.clone(),
        id: cluster,
        count: ids.len(),
    });
    if !out.cause.contains(&1) {
        return Err(CompetingError::Model(CoxError::NoEvents));
    }
    Ok(out)
}

/// The cause-specific Cox model of one cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseCox {
    /// The cause's level.
    pub cause: String,
    /// Whether it is the event of interest (else a competing event).
    pub event_of_interest: bool,
    /// Patients with this cause.
    pub events: usize,
    /// The model; `None` for a competing cause no patient of the model has
    /// (a diagnostic says so).
    pub fit: Option<CoxFit>,
}

/// The cause-specific Cox models of every cause of `d`, the event of
/// interest first: per cause k, the Cox model (Efron ties) with an event
/// where `cause == k` and every other patient censored; with clusters,
/// the robust SEs clustered by them (`coxph(..., cluster = )`, each term's
/// `robust`). An error of the event's model is returned; a competing cause without events has no
/// model and a diagnostic.
pub fn cause_specific_cox_on(
    d: &CompetingDesign,
    conf_level: f64,
) -> Result<(Vec<CauseCox>, Vec<Diagnostic>), CompetingError> {
    let n = d.time.len();
    let stratum = vec![0usize; n];
    let mut out = Vec::with_capacity(d.causes.len());
    let mut notes = Vec::new();
    for (k, cause) in d.causes.iter().enumerate() {
        let code = u8::try_from(k + 1).unwrap_or(u8::MAX);
        let event: Vec<bool> = d.cause.iter().map(|&c| c == code).collect();
        let events = event.iter().filter(|&&e| e).count();
        let data = CoxData {
            x: &d.x,
            columns: d.names.len(),
            time: &d.time,
            event: &event,
            stratum: &stratum,
            cluster: d.clusters.as_ref().map(|c| c.id.as_slice()),
            weights: None,
        };
        let fit = match fit_cox(&data, &d.names, Ties::Efron, conf_level) {
            Ok(mut fit) => {
                fit.dropped = d.dropped;
                Some(fit)
            }
            Err(CoxError::NoEvents) if k > 0 => {
                notes.push(Diagnostic::warning(
                    Code::CauseWithoutEvents,
                    None,
                    format!("no patient of the model has the competing event {cause}: it has no cause-specific Cox model"),
                ));
                None
            }
            Err(e) => return Err(CompetingError::Model(e)),
        };
        out.push(CauseCox {
            cause: cause.clone(),
            event_of_interest: k == 0,
            events,
            fit,
        });
    }
    Ok((out, notes))
}

/// The cause-specific Cox model of each cause (the event first), as R's
/// `coxph(Surv(time, status == k) ~ variables)` with the other causes
/// censored; CIs at `conf_level`.
pub fn cause_specific_cox(
    ds: &Dataset,
    spec: &CompetingSpec,
    covariates: &CompetingCovariates,
    conf_level: f64,
) -> Result<Vec<CauseCox>, CompetingError> {
    check_level(conf_level)?;
    let d = competing_design(ds, spec, covariates)?;
    Ok(cause_specific_cox_on(&d, conf_level)?.0)
}

/// The Fine-Gray model of the event of interest beside the cause-specific
/// Cox model of each cause, on the same patients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetingModels {
    pub fine_gray: FineGrayFit,
    pub cause_specific: Vec<CauseCox>,
    /// Notes on the data and the models.
    pub diagnostics: Vec<Diagnostic>,
}

/// Fits the Fine-Gray model ([`super::fine_gray`]) and the cause-specific
/// Cox models ([`cause_specific_cox`]) of `spec` on `covariates`, CIs at
/// `conf_level`.
pub fn competing_models(
    ds: &Dataset,
    spec: &CompetingSpec,
    covariates: &CompetingCovariates,
    conf_level: f64,
) -> Result<CompetingModels, CompetingError> {
    check_level(conf_level)?;
    let d = competing_design(ds, spec, covariates)?;
    let fine_gray = fit_fine_gray(&d, conf_level)?;
    let (cause_specific, notes) = cause_specific_cox_on(&d, conf_level)?;
    let mut diagnostics = d.diagnostics.clone();
    diagnostics.extend(notes);
    Ok(CompetingModels {
        fine_gray,
        cause_specific,
        diagnostics,
    })
}

/// A confidence level strictly between 0 and 1.
pub(super) fn check_level(level: f64) -> Result<(), CompetingError> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(CompetingError::InvalidOption {
            what: "the confidence level",
            value: level,
            rule: "between 0 and 1 (e.g. 0.95)",
        })
    }
}
