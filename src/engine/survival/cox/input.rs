//! The patients of a Cox model from a dataset: the follow-up as the
//! survival analysis reads it, the covariates coded as in logistic
//! regression, the complete cases of both, and the cluster ids.

use super::{fit_cox, CoxData, CoxError, CoxFit, CoxSpec, Ties};
use crate::engine::data::Dataset;
use crate::engine::survival::{survival_data, SurvivalError, SurvivalSpec};

/// The complete cases of a [`CoxSpec`], owned.
pub(super) struct CoxInputs {
    /// Row-major, one row per patient.
    x: Vec<f64>,
    time: Vec<f64>,
    event: Vec<bool>,
    stratum: Vec<usize>,
    cluster: Option<Vec<usize>>,
    /// Case weights, when weighted.
    weights: Option<Vec<f64>>,
    names: Vec<String>,
    /// Per variable, its columns (a factor's dummies together).
    pub(super) groups: Vec<(String, Vec<usize>)>,
    /// Patients left out for a missing value.
    dropped: usize,
    diagnostics: Vec<crate::engine::Diagnostic>,
}

impl CoxInputs {
    /// The patients, borrowed.
    pub(super) fn data(&self) -> CoxData<'_> {
        CoxData {
            x: &self.x,
            columns: self.names.len(),
            time: &self.time,
            event: &self.event,
            stratum: &self.stratum,
            cluster: self.cluster.as_deref(),
            weights: self.weights.as_deref(),
        }
    }

    /// The model, with the patients left out and the notes on the data.
    pub(super) fn fit(&self, ties: Ties, conf_level: f64) -> Result<CoxFit, CoxError> {
        let mut fit = fit_cox(&self.data(), &self.names, ties, conf_level)?;
        fit.dropped = self.dropped;
        fit.diagnostics = self.diagnostics.clone();
        Ok(fit)
    }
}

/// Neither the time nor the event is a covariate of its own model.
fn check_roles(spec: &CoxSpec) -> Result<(), CoxError> {
    for (column, role) in [
        (&spec.time, "the follow-up time"),
        (&spec.event, "the event"),
    ] {
        if spec.variables.contains(column) {
            return Err(SurvivalError::from(crate::engine::design::RoleConflict {
                column: column.clone(),
                first: role.into(),
                second: "a covariate of the Cox model".into(),
                why: String::new(),
            })
            .into());
        }
    }
    Ok(())
}

/// The model's patients: those with a follow-up, every covariate and (when
/// clustered) a cluster, in the dataset's order; with case `weights` (one
/// per dataset row), those of weight above 0.
pub(super) fn cox_inputs(
    ds: &Dataset,
    spec: &CoxSpec,
    weights: Option<&[f64]>,
) -> Result<CoxInputs, CoxError> {
    check_roles(spec)?;
    // The follow-up first (any event coding), then the design on its rows.
    let sd = survival_data(
        ds,
        &SurvivalSpec {
            time: spec.time.clone(),
            event: spec.event.clone(),
            event_level: spec.event_level.clone(),
            groups: Vec::new(),
            strata: spec.strata.clone(),
        },
    )?;
    let mut y_all = vec![None; ds.n_rows];
    for &r in &sd.rows {
        y_all[r] = Some(0.0);
    }
    let design = crate::engine::regression::design_on(
        ds,
        &spec.event,
        &y_all,
        sd.event_label.clone(),
        &spec.variables,
        &spec.ordinal,
    )?;
    // Patients complete for both: join on the dataset row.
    let mut pos = vec![usize::MAX; ds.n_rows];
    for (k, &r) in design.rows.iter().enumerate() {
        pos[r] = k;
    }
    // Cluster ids: the distinct values of the column, whatever its kind.
    let cluster_col = match &spec.cluster {
        Some(c) => Some(
            ds.column(c)
                .ok_or_else(|| SurvivalError::UnknownColumn(c.clone()))?,
        ),
        None => None,
    };
    let mut ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let (rows, p) = (design.rows.len(), design.x.cols - 1);
    let mut x = Vec::with_capacity(rows * p);
    let (mut time, mut event, mut stratum) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    let mut cluster = Vec::new();
    let mut case_weights = Vec::new();
    if let Some(w) = weights {
        // Only the rows the model would use must have a weight.
        let used: Vec<usize> = sd
            .rows
            .iter()
            .copied()
            .filter(|&r| pos[r] != usize::MAX)
            .collect();
        crate::engine::survival::weights::check_weights(ds, w, &used)?;
    }
    for (k, &r) in sd.rows.iter().enumerate() {
        if pos[r] == usize::MAX || weights.is_some_and(|w| w[r] == 0.0) {
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
        x.extend_from_slice(&design.x.row(pos[r])[1..]);
        time.push(sd.time[k]);
        event.push(sd.event[k]);
        stratum.push(sd.stratum[k]);
        if let Some(w) = weights {
            case_weights.push(w[r]);
        }
    }
    Ok(CoxInputs {
        dropped: ds.n_rows - time.len(),
        diagnostics: sd.diagnostics,
        x,
        time,
        event,
        stratum,
        cluster: cluster_col.map(|_| cluster),
        weights: weights.map(|_| case_weights),
        names: design.columns[1..].iter().map(|c| c.term.clone()).collect(),
        groups: design
            .variable_columns
            .iter()
            .map(|(v, cols)| (v.clone(), cols.iter().map(|c| c - 1).collect()))
            .collect(),
    })
}
