//! The doubly robust estimate of a binary outcome: the outcome regression
//! fitted with the weights, then the marginal risks by g-computation.
//!
//! # Method
//! 1. **Outcome model**: the weighted logistic regression of the outcome on
//!    the group and the propensity model's covariates (same coding: dummies
//!    against the reference level, or ordinal scores), as
//!    `survey::svyglm(y ~ treat + x1 + ..., design = svydesign(ids = ~1,
//!    weights = ~w, data = d[w > 0, ]), family = quasibinomial())`:
//!    Newton-Raphson on Σ wᵢ[yᵢ ln pᵢ + (1 - yᵢ) ln(1 - pᵢ)],
//!    pᵢ = expit(xᵢᵀβ). The patients are those with a positive weight
//!    (trimmed ones, weight 0, are not) and a known outcome. A patient
//!    missing a covariate has no propensity score, hence weight 0 (see
//!    [`super::weight_patients`]): the outcome model has the same
//!    complete cases as the weights.
//! 2. **Variance** as svyglm's (Binder 1983; Lumley 2004, J Stat Softw
//!    9(8)): the sandwich
//!    ```text
//!    V = n/(n-1) · A⁻¹ [Σᵢ (Uᵢ - Ū)(Uᵢ - Ū)ᵀ] A⁻¹,
//!    A = Σᵢ wᵢ pᵢ(1 - pᵢ) xᵢxᵢᵀ,   Uᵢ = wᵢ (yᵢ - pᵢ) xᵢ
//!    ```
//!    (HC0 × n/(n - 1); Ū = 0 at the optimum), n the patients of the
//!    model. It treats the weights as fixed and known: the estimation of
//!    the propensity score is ignored, as svyglm ignores it.
//! 3. **G-computation** (Snowden, Rose & Mortimer 2011, Am J Epidemiol
//!    173:731; WeightIt's vignette
//!    "Estimating Effects After Weighting", Greifer, which calls
//!    `marginaleffects::avg_comparisons(fit, variables = "treat")`): each
//!    patient's predicted risk with the group set to treated, p̂ᵢ(1), and
//!    to control, p̂ᵢ(0), averaged over the target population,
//!    ```text
//!    μ_a = Σ_{i∈T} vᵢ p̂ᵢ(a) / Σ_{i∈T} vᵢ
//!    ```
//!    T: the patients of the model, only the treated for the ATT (the
//!    vignette's `newdata = subset(treat == 1)`); vᵢ = 1 for the ATE and
//!    ATT, and vᵢ = wᵢ for the ATO and ATM and whenever trimming left
//!    patients out (the vignette's `wts = weights`, needed when the weights
//!    define the target population). The plain mean for the ATE is what
//!    makes the estimate doubly robust: consistent if either the
//!    propensity model or the outcome model is right (the weighted model
//!    with its intercept and group balances the weighted residuals in each
//!    group; Kang & Schafer 2007, Stat Sci 22:523; Funk et al. 2011, Am J
//!    Epidemiol 173:761).
//!    RD = μ₁ - μ₀; RR = μ₁/μ₀ (`comparison = "lnratioavg"`).
//! 4. **Delta method** with V: ∂μ_a/∂β = Σ_T vᵢ p̂ᵢ(a)(1 - p̂ᵢ(a)) xᵢ(a) /
//!    Σ_T vᵢ; SE(RD)² = gᵀVg with g = ∂μ₁/∂β - ∂μ₀/∂β; the log RR with
//!    g = ∂μ₁/∂β/μ₁ - ∂μ₀/∂β/μ₀. Intervals: estimate ± z·SE with z the
//!    normal quantile of the level (the RR's exponentiated from the log
//!    scale), and P = 2(1 - Φ(|RD/SE|)): marginaleffects' default (no
//!    degrees of freedom), whereas `summary(svyglm)` tests coefficients
//!    with t on n - p.
//!
//! # Edge cases
//! - A level of a categorical covariate whose patients all have the
//!   outcome, or none has it, has no finite coefficient (separation). The
//!   estimate is the limit of the maximum-likelihood fit, which R's `glm`
//!   approaches with the coefficient near ±30: those patients' predicted
//!   risk is 1 or 0 whatever the group (no gradient), the other
//!   coefficients those of the fit without them and without the level's
//!   column; n counts them (their Uᵢ is 0). A warning names the level.
//! - A group in which every patient, or none, has the outcome: no
//!   estimate ([`WeightError::OutcomeConstantInGroup`]). Any other
//!   separation (a diverging fit): [`WeightError::OutcomeSeparation`].
//!   A level that no patient of the model has (all trimmed) is left out
//!   (as R's `droplevels`; an info diagnostic). Other collinear columns:
//!   [`WeightError::Outcome`] with the terms.
//! - A fit that did not converge without separation: the estimates of the
//!   last iteration and a warning.
//!
//! # Computation
//! Patients with the same design row are pooled first when most rows
//! repeat (categorical covariates; `numeric::pool`): per cell Σw, Σwy,
//! Σw², Σw²y and Σv give the same fit, sandwich (Σ over the cell of
//! wᵢ²(yᵢ - p)² = Σw²y(1 - 2p) + p²Σw², y being 0 or 1) and averages as
//! the patients one by one.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::{Estimand, WeightError, WeightResult};
use crate::engine::data::Dataset;
use crate::engine::defaults::z_of;
use crate::engine::estimate::Estimate;
use crate::engine::numeric::{
    add_weighted_gram, pool, weighted_logistic_irls, Convergence, RowMatrix, Tolerances,
};
use crate::engine::regression::{
    design_on, diverging_terms, outcome_values, separated_levels, Design, DesignColumn,
    RegressionError,
};
use crate::engine::{Code, Diagnostic};

/// One coefficient of the weighted outcome model (not an effect to
/// interpret: the Table 2 fallacy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelTerm {
    /// `(Intercept)`, the treatment's column name, `age`, `race: hispan`.
    pub term: String,
    /// The log odds ratio.
    pub coef: f64,
    /// Its robust SE (svyglm's).
    pub se: f64,
}

/// The doubly robust estimate of one binary outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoublyRobust {
    pub outcome: String,
    /// The level counted as the event.
    pub event_level: String,
    pub estimand: Estimand,
    /// Patients of the outcome model (weight > 0, outcome known) by group.
    pub n_treated: usize,
    pub n_control: usize,
    /// Their events (unweighted counts).
    pub events_treated: usize,
    pub events_control: usize,
    /// Patients whose predicted risks are averaged (the treated for the
    /// ATT, every patient of the model otherwise).
    pub n_target: usize,
    /// The average is weighted by the weights (ATO, ATM, trimming), not a
    /// plain mean (ATE, ATT).
    pub weighted_average: bool,
    /// The mean predicted risk with every target patient treated, and
    /// untreated (delta-method CIs).
    pub risk_treated: Estimate,
    pub risk_control: Estimate,
    /// Treated minus control, as a proportion.
    pub risk_difference: Estimate,
    /// The marginal risk ratio (CI from the log scale).
    pub risk_ratio: Estimate,
    /// The z test of the risk difference.
    pub p_value: f64,
    /// SEs of the two risks, the RD and the log RR.
    pub se_risk_treated: f64,
    pub se_risk_control: f64,
    pub se_risk_difference: f64,
    pub se_log_risk_ratio: f64,
    /// The outcome model's coefficients (separated levels left out).
    pub terms: Vec<ModelTerm>,
    pub convergence: Convergence,
    pub diagnostics: Vec<Diagnostic>,
}

/// The outcome model's data: the design with the group as its second
/// column, the weights and outcomes of its rows.
struct ModelData {
    design: Design,
    weights: Vec<f64>,
    treated: Vec<bool>,
    /// Patients with a positive weight and no outcome.
    no_outcome: usize,
}

fn outcome_error(e: RegressionError) -> WeightError {
    match e {
        RegressionError::UnknownColumn(c) => WeightError::UnknownColumn(c),
        e => WeightError::Outcome(e),
    }
}

/// The design `1, treat, covariates` on the patients with a positive
/// weight and a known outcome.
fn model_data(ds: &Dataset, w: &WeightResult, outcome: &str) -> Result<ModelData, WeightError> {
    let (y_all, event) = outcome_values(ds, outcome, None).map_err(outcome_error)?;
    let weighted = |i: usize| {
        w.treated.get(i).copied().flatten().is_some() && w.weights.get(i).is_some_and(|&x| x > 0.0)
    };
    let mut no_outcome = 0;
    let y: Vec<Option<f64>> = (0..ds.n_rows)
        .map(|i| {
            let y = y_all.get(i).copied().flatten();
            no_outcome += usize::from(weighted(i) && y.is_none());
            y.filter(|_| weighted(i))
        })
        .collect();
    let cov = design_on(ds, outcome, &y, event, &w.spec.covariates, &w.spec.ordinal)
        .map_err(outcome_error)?;
    let (n, p) = (cov.x.rows, cov.x.cols + 1);
    let treated: Vec<bool> = cov
        .rows
        .iter()
        .map(|&i| w.treated[i] == Some(true))
        .collect();
    let mut data = Vec::with_capacity(n * p);
    for (k, &t) in treated.iter().enumerate() {
        let r = cov.x.row(k);
        data.push(r[0]);
        data.push(f64::from(t));
        data.extend_from_slice(&r[1..]);
    }
    let mut columns = cov.columns;
    columns.insert(
        1,
        DesignColumn {
            term: w.spec.treatment.clone(),
            variable: Some(w.spec.treatment.clone()),
            level: None,
            reference: None,
        },
    );
    let mut variable_columns: Vec<(String, Vec<usize>)> = cov
        .variable_columns
        .into_iter()
        .map(|(v, c)| (v, c.into_iter().map(|j| j + 1).collect()))
        .collect();
    variable_columns.insert(0, (w.spec.treatment.clone(), vec![1]));
    let weights = cov.rows.iter().map(|&i| w.weights[i]).collect();
    Ok(ModelData {
        design: Design {
            x: RowMatrix {
                rows: n,
                cols: p,
                data,
            },
            columns,
            variable_columns,
            ..cov
        },
        weights,
        treated,
        no_outcome,
    })
}

/// Refuses a group in which every patient, or none, has the outcome;
/// returns the patients and events by group (treated first).
fn group_counts(m: &ModelData, outcome: &str) -> Result<[(usize, usize); 2], WeightError> {
    let mut c = [(0usize, 0usize); 2];
    for (&t, &y) in m.treated.iter().zip(&m.design.y) {
        let g = &mut c[usize::from(!t)];
        g.0 += 1;
        g.1 += usize::from(y == 1.0);
    }
    for (g, name) in c.iter().zip(["treated", "control"]) {
        if g.1 == 0 || g.1 == g.0 {
            return Err(WeightError::OutcomeConstantInGroup {
                outcome: outcome.to_owned(),
                group: name,
                events: g.1,
                patients: g.0,
            });
        }
    }
    Ok(c)
}

/// The outcome model's data once the separated levels are set aside, in
/// cells: patients with the same design row pooled (categorical designs
/// have few), or one cell per patient. Per cell: Σw, Σwy, Σw², Σw²y and
/// the weight in the g-computation average Σv.
struct Cells {
    x: RowMatrix,
    sw: Vec<f64>,
    swy: Vec<f64>,
    sw2: Vec<f64>,
    sw2y: Vec<f64>,
    v: Vec<f64>,
}

/// The cells and what the separated patients add to the average:
/// Σv and Σvy of those patients (their risk fixed at their outcome).
struct Reduced {
    cells: Cells,
    fixed_v: f64,
    fixed_vy: f64,
    /// The design columns kept.
    columns: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
}

/// Pools the kept rows (`x`, row by row the design rows `keep`) into
/// cells.
fn cells(x: RowMatrix, keep: &[usize], m: &ModelData, avg: &[f64]) -> Cells {
    let y: Vec<f64> = keep.iter().map(|&i| m.design.y[i]).collect();
    let (x, pattern, k) = match pool(&x, &y) {
        Some(p) => {
            let k = p.counts.len();
            (p.x, p.pattern, k)
        }
        None => (x, (0..keep.len() as u32).collect(), keep.len()),
    };
    let mut c = Cells {
        x,
        sw: vec![0.0; k],
        swy: vec![0.0; k],
        sw2: vec![0.0; k],
        sw2y: vec![0.0; k],
        v: vec![0.0; k],
    };
    for ((&i, &cell), &yi) in keep.iter().zip(&pattern).zip(&y) {
        let (j, wi) = (cell as usize, m.weights[i]);
        c.sw[j] += wi;
        c.swy[j] += wi * yi;
        c.sw2[j] += wi * wi;
        c.sw2y[j] += wi * wi * yi;
        c.v[j] += avg[i];
    }
    c
}

/// Sets aside the patients of levels that separate the outcome (see the
/// module's edge cases) and their columns, and the columns of levels no
/// patient has; pools the rest into cells.
fn set_aside_separated(ds: &Dataset, m: &ModelData, avg: &[f64], outcome: &str) -> Reduced {
    let d = &m.design;
    let levels = separated_levels(ds, d);
    let dropped: Vec<usize> = levels.iter().map(|(j, _)| *j).collect();
    let (mut fixed_v, mut fixed_vy) = (0.0, 0.0);
    let mut keep = Vec::with_capacity(d.x.rows);
    for (i, (&v, &y)) in avg.iter().zip(&d.y).enumerate() {
        let r = d.x.row(i);
        if dropped.iter().any(|&j| r[j] == 1.0) {
            fixed_v += v;
            fixed_vy += v * y;
        } else {
            keep.push(i);
        }
    }
    // Levels no patient left in the model has (all trimmed): their column
    // is 0, as R's `droplevels` would leave it out.
    let mut present = vec![false; d.x.cols];
    for &i in &keep {
        for (p, &v) in present.iter_mut().zip(d.x.row(i)) {
            *p |= v != 0.0;
        }
    }
    let empty: Vec<usize> = (2..d.x.cols)
        .filter(|&j| d.columns[j].level.is_some() && !dropped.contains(&j) && !present[j])
        .collect();
    let columns: Vec<usize> = (0..d.x.cols)
        .filter(|j| !dropped.contains(j) && !empty.contains(j))
        .collect();
    let mut data = Vec::with_capacity(keep.len() * columns.len());
    for &i in &keep {
        let r = d.x.row(i);
        data.extend(columns.iter().map(|&j| r[j]));
    }
    let mut diagnostics: Vec<Diagnostic> = empty
        .iter()
        .map(|&j| {
            Diagnostic::info(
                Code::EmptyLevel,
                Some(outcome),
                format!(
                    "Doubly robust estimate of `{outcome}`: no patient with a weight has `{}`, so the outcome model leaves that level out",
                    d.columns[j].term
                ),
            )
        })
        .collect();
    diagnostics.extend(levels.into_iter().map(|(_, message)| {
        Diagnostic::warning(
            Code::Separation,
            Some(outcome),
            format!(
                "Doubly robust estimate of `{outcome}`: {message}; those patients' predicted risk is taken as their observed one in both groups (the limit of the maximum-likelihood fit) and the level is left out of the outcome model"
            ),
        )
        .with_hint("Merge the level with another, or leave the covariate out of the propensity model.")
    }));
    let x = RowMatrix {
        rows: keep.len(),
        cols: columns.len(),
        data,
    };
    Reduced {
        cells: cells(x, &keep, m, avg),
        fixed_v,
        fixed_vy,
        columns,
        diagnostics,
    }
}

/// svyglm's sandwich: n/(n - 1) · A⁻¹ Σ(Uᵢ - Ū)(Uᵢ - Ū)ᵀ A⁻¹, n counting
/// `n` patients (the separated ones' Uᵢ are 0). Per cell, with its fitted
/// p: ΣUᵢ = (Σwy - pΣw)x and Σ|Uᵢ|² = (Σw²y(1 - 2p) + p²Σw²) xxᵀ (y is
/// 0 or 1).
fn sandwich(c: &Cells, fitted: &[f64], bread: &DMatrix<f64>, n: usize) -> DMatrix<f64> {
    let p = c.x.cols;
    let mut meat = DMatrix::<f64>::zeros(p, p);
    let squares: Vec<f64> = (0..c.x.rows)
        .map(|k| {
            let f = fitted[k];
            c.sw2y[k] * (1.0 - 2.0 * f) + f * f * c.sw2[k]
        })
        .collect();
    add_weighted_gram(&mut meat, &c.x.data, &squares, p);
    let mut mean = DVector::<f64>::zeros(p);
    for (k, &f) in fitted.iter().enumerate().take(c.x.rows) {
        let u = c.swy[k] - f * c.sw[k];
        for (m, x) in mean.iter_mut().zip(c.x.row(k)) {
            *m += u * x;
        }
    }
    let nf = n as f64;
    mean /= nf;
    meat -= &mean * mean.transpose() * nf;
    bread * meat * bread * (nf / (nf - 1.0))
}

/// A mean predicted risk and its gradient in β (over the kept columns).
struct MeanRisk {
    mu: f64,
    grad: DVector<f64>,
}

/// μ_a and ∂μ_a/∂β over the target patients (see the module's step 3);
/// column 0 of the cells is the intercept, column 1 the group.
fn mean_risk(r: &Reduced, beta: &[f64], a: f64) -> MeanRisk {
    let c = &r.cells;
    let p = c.x.cols;
    let mut grad = DVector::<f64>::zeros(p);
    let (mut sum, mut total) = (r.fixed_vy, r.fixed_v);
    let mut x = vec![0.0; p];
    for (k, &vk) in c.v.iter().enumerate() {
        if vk == 0.0 {
            continue;
        }
        total += vk;
        x.copy_from_slice(c.x.row(k));
        x[1] = a;
        let eta: f64 = x.iter().zip(beta).map(|(x, b)| x * b).sum();
        let pa = 1.0 / (1.0 + (-eta).exp());
        sum += vk * pa;
        let s = vk * pa * (1.0 - pa);
        for (g, xk) in grad.iter_mut().zip(&x) {
            *g += s * xk;
        }
    }
    MeanRisk {
        mu: sum / total,
        grad: grad / total,
    }
}

/// The doubly robust risks, RD and RR of `outcome` (binary; its event
/// level as [`super::weighted_outcome`] reads it) for the groups and
/// weights of `w`, with `conf_level` CIs.
pub fn doubly_robust(
    ds: &Dataset,
    w: &WeightResult,
    outcome: &str,
    conf_level: f64,
) -> Result<DoublyRobust, WeightError> {
    super::outcome::check_outcome(ds, w, outcome, conf_level)?;
    let m = model_data(ds, w, outcome)?;
    let counts = group_counts(&m, outcome)?;
    let estimand = w.spec.options.estimand;
    let weighted_average =
        matches!(estimand, Estimand::Ato | Estimand::Atm) || w.spec.options.trim.is_some();
    // Per design row: its weight in the average (0: not in the target).
    let avg: Vec<f64> = (0..m.design.x.rows)
        .map(|i| match (estimand, m.treated[i]) {
            (Estimand::Att, false) => 0.0,
            _ if weighted_average => m.weights[i],
            _ => 1.0,
        })
        .collect();
    let mut r = set_aside_separated(ds, &m, &avg, outcome);
    let c = &r.cells;
    let names = |cols: &[usize]| -> Vec<String> {
        cols.iter()
            .skip(1)
            .map(|&j| m.design.columns[j].term.clone())
            .collect()
    };
    let fit = weighted_logistic_irls(&c.x, &c.sw, &c.swy, Tolerances::default())
        .ok_or_else(|| WeightError::Outcome(RegressionError::Collinear(names(&r.columns))))?;
    let running = diverging_terms(&c.x, &fit.fitted, &fit.convergence);
    if running.iter().any(|&b| b) {
        let terms = r
            .columns
            .iter()
            .zip(&running)
            .filter(|(_, &b)| b)
            .map(|(&j, _)| m.design.columns[j].term.clone())
            .collect();
        return Err(WeightError::OutcomeSeparation {
            outcome: outcome.to_owned(),
            terms,
        });
    }
    let v = sandwich(c, &fit.fitted, &fit.covariance, m.design.x.rows);
    let mut diagnostics = std::mem::take(&mut r.diagnostics);
    notes(&m, &fit.convergence, outcome, &mut diagnostics);
    let r1 = mean_risk(&r, &fit.beta, 1.0);
    let r0 = mean_risk(&r, &fit.beta, 0.0);
    let se = |g: &DVector<f64>| (g.transpose() * &v * g)[(0, 0)].max(0.0).sqrt();
    let z = z_of(conf_level);
    let around = |value: f64, s: f64, f: fn(f64) -> f64| Estimate {
        value: f(value),
        lower: f(value - z * s),
        upper: f(value + z * s),
        level: conf_level,
    };
    let (se1, se0) = (se(&r1.grad), se(&r0.grad));
    let rd = r1.mu - r0.mu;
    let se_rd = se(&(&r1.grad - &r0.grad));
    let se_rr = se(&(&r1.grad / r1.mu - &r0.grad / r0.mu));
    // statrs is not asked about a NaN statistic.
    let stat = (rd / se_rd).abs();
    let p_value = match Normal::new(0.0, 1.0) {
        Ok(d) if !stat.is_nan() => 2.0 * d.sf(stat),
        _ => f64::NAN,
    };
    let terms = r
        .columns
        .iter()
        .enumerate()
        .map(|(k, &j)| ModelTerm {
            term: m.design.columns[j].term.clone(),
            coef: fit.beta[k],
            se: v[(k, k)].max(0.0).sqrt(),
        })
        .collect();
    Ok(DoublyRobust {
        outcome: outcome.to_owned(),
        event_level: m.design.event.clone(),
        estimand,
        n_treated: counts[0].0,
        n_control: counts[1].0,
        events_treated: counts[0].1,
        events_control: counts[1].1,
        n_target: avg.iter().filter(|&&x| x > 0.0).count(),
        weighted_average,
        risk_treated: around(r1.mu, se1, |x| x),
        risk_control: around(r0.mu, se0, |x| x),
        risk_difference: around(rd, se_rd, |x| x),
        risk_ratio: around(r1.mu.ln() - r0.mu.ln(), se_rr, f64::exp),
        p_value,
        se_risk_treated: se1,
        se_risk_control: se0,
        se_risk_difference: se_rd,
        se_log_risk_ratio: se_rr,
        terms,
        convergence: fit.convergence,
        diagnostics,
    })
}

/// Warnings about the fit (no convergence) and a note on the patients
/// with a weight but no outcome.
fn notes(m: &ModelData, c: &Convergence, outcome: &str, out: &mut Vec<Diagnostic>) {
    if !c.converged {
        out.push(
            Diagnostic::warning(
                Code::NotConverged,
                Some(outcome),
                format!(
                    "Doubly robust estimate of `{outcome}`: the weighted outcome model {}; the estimates are those of its last iteration",
                    c.reason
                ),
            )
            .with_hint("Use fewer covariates, or merge levels with few patients."),
        );
    }
    if m.no_outcome > 0 {
        out.push(Diagnostic::info(
            Code::RowsDropped,
            Some(outcome),
            format!(
                "Doubly robust estimate of `{outcome}`: {} weighted patient(s) without the outcome were left out ({} used)",
                m.no_outcome,
                m.design.x.rows
            ),
        ));
    }
}
