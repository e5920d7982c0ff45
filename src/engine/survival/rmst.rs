//! The restricted mean survival time (RMST) per group and its comparison
//! between groups, as R survival's `print(survfit(...), rmean = tau)` and
//! survRM2 1.0-4's `rmst2` (Royston & Parmar 2013; Uno et al. 2014).
//!
//! # Formulas
//! - RMST(τ) = ∫₀^τ S(t) dt, the area under the Kaplan-Meier curve, a sum
//!   of rectangles over the curve's times tᵢ ≤ τ and τ.
//! - Var = Σ_{tᵢ ≤ τ} hᵢ Aᵢ², with Aᵢ = ∫_{tᵢ}^τ S(t) dt and Greenwood's
//!   increment hᵢ = dᵢ / (nᵢ(nᵢ - dᵢ)), 0 where nᵢ = dᵢ (the curve reaching
//!   0). survival's `survmean` and survRM2's `rmst1` compute exactly this,
//!   at tied times and at the last time too (read from survival 3.5-3 and
//!   survRM2 1.0-4: the same rectangles and the same increments); the CI
//!   is RMST ± z·SE.
//! - Between a group and the reference (first) group: the difference
//!   D = RMST₁ - RMST₀, SE √(SE₁² + SE₀²), CI D ± z·SE, P = 2Φ(-|D|/SE);
//!   the ratio on the log scale, log R = log RMST₁ - log RMST₀, SE
//!   √(SE₁²/RMST₁² + SE₀²/RMST₀²), CI exp(log R ± z·SE), P = 2Φ(-|log R|/SE)
//!   (survRM2's conventions).
//! - τ: chosen, or by survRM2's rule. A group's curve is known up to its
//!   largest time xᵍ, and beyond it too when every patient at xᵍ had the
//!   event (the curve is 0 there). The limit is the smallest xᵍ among the
//!   groups whose last patient is censored, or, when every group ends with
//!   an event, the largest xᵍ. The default τ is the limit; a chosen τ past
//!   it is refused. With every last patient censored the limit is the
//!   smallest of the groups' largest times (the usual statement of the
//!   rule); for two groups this is survRM2's four cases.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::KmFit;
use crate::engine::defaults::z_of;

/// The horizon τ of the restricted mean. In settings files a number (the
/// time) or `"auto"` (survRM2's default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "HorizonText", into = "HorizonText")]
pub enum RmstHorizon {
    /// This time (> 0).
    At(f64),
    /// survRM2's default (see the module doc).
    Default,
}

impl RmstHorizon {
    /// The time chosen, if one was.
    pub fn chosen(self) -> Option<f64> {
        match self {
            RmstHorizon::At(t) => Some(t),
            RmstHorizon::Default => None,
        }
    }
}

/// How a horizon is written: a number or `"auto"`.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum HorizonText {
    Time(f64),
    Word(String),
}

impl TryFrom<HorizonText> for RmstHorizon {
    type Error = String;
    fn try_from(h: HorizonText) -> Result<Self, String> {
        match h {
            HorizonText::Time(t) => Ok(RmstHorizon::At(t)),
            HorizonText::Word(w) if w == "auto" => Ok(RmstHorizon::Default),
            HorizonText::Word(w) => Err(format!(
                "the horizon of the restricted mean is a time or \"auto\", not \"{w}\""
            )),
        }
    }
}

impl From<RmstHorizon> for HorizonText {
    fn from(h: RmstHorizon) -> Self {
        match h {
            RmstHorizon::At(t) => HorizonText::Time(t),
            RmstHorizon::Default => HorizonText::Word("auto".into()),
        }
    }
}

/// How τ was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TauRule {
    /// The user's.
    Chosen,
    /// The default: the smallest largest time of the groups whose last
    /// patient is censored.
    LastCensored,
    /// The default: every group's last patient had the event, so the
    /// largest time of all.
    AllEndWithEvent,
}

impl TauRule {
    /// Why τ is what it is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            TauRule::Chosen => "chosen",
            TauRule::LastCensored => {
                "the default: the smallest of the groups' largest follow-up times (among groups whose last patient is censored; survRM2's rule)"
            }
            TauRule::AllEndWithEvent => {
                "the default: the largest follow-up time, every group's last patient having had the event (survRM2's rule)"
            }
        }
    }
}

/// Why a restricted mean cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RmstError {
    #[error("the horizon of the restricted mean cannot be {0}: it must be a number > 0")]
    BadHorizon(f64),
    #[error("the horizon of the restricted mean ({tau}) is past {limit}, the end of group {group}'s follow-up (its last patient is censored)")]
    PastFollowUp { tau: f64, limit: f64, group: String },
    #[error("the confidence level cannot be {0}: it must be between 0 and 1")]
    BadConfLevel(f64),
    #[error("there is no curve to compute a restricted mean on")]
    NoGroups,
    #[error("the restricted mean's SE is for unweighted curves; these are weighted")]
    Weighted,
}

impl RmstError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            RmstError::BadHorizon(_) => {
                "Give a time in the time column's unit, e.g. 60 for 5 years in months.".into()
            }
            RmstError::PastFollowUp { limit, .. } => format!(
                "Choose a horizon up to {limit}, or leave it to the default (--rmst auto; \"rmst\": \"auto\" in settings)."
            ),
            RmstError::BadConfLevel(_) => "Use e.g. 0.95 for 95% confidence intervals.".into(),
            RmstError::NoGroups => "Check the time and event columns.".into(),
            RmstError::Weighted => {
                "Compare restricted means without case weights; the weighted curves' restricted means are in the survival table.".into()
            }
        }
    }
}

/// One group's restricted mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RmstGroup {
    pub group: String,
    pub rmst: f64,
    pub std_err: f64,
    pub lower: f64,
    pub upper: f64,
    /// The group's largest time, and whether every patient there had the
    /// event (what τ's rule reads).
    pub last_time: f64,
    pub ends_with_event: bool,
}

/// A group against the reference group: the difference and the ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RmstContrast {
    pub group: String,
    pub reference: String,
    pub difference: f64,
    pub difference_se: f64,
    pub difference_lower: f64,
    pub difference_upper: f64,
    /// `None` when the SE is 0.
    pub difference_p: Option<f64>,
    pub ratio: f64,
    /// The SE of log(ratio).
    pub log_ratio_se: f64,
    pub ratio_lower: f64,
    pub ratio_upper: f64,
    pub ratio_p: Option<f64>,
}

/// The restricted means of the groups and their comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RmstComparison {
    pub tau: f64,
    pub rule: TauRule,
    /// The largest τ allowed, and the group that sets it.
    pub limit: f64,
    pub limited_by: String,
    pub conf_level: f64,
    pub groups: Vec<RmstGroup>,
    /// Each other group against the first (empty with one group).
    pub contrasts: Vec<RmstContrast>,
}

/// The restricted mean of `fit` up to `tau` and its SE (see the module doc).
pub fn rmst_with_se(fit: &KmFit, tau: f64) -> (f64, f64) {
    // The rectangle before the first time (from 0), then one after each
    // time tᵢ <= τ, to the next time or τ.
    let rows: Vec<_> = fit.rows.iter().take_while(|r| r.time <= tau).collect();
    let start = fit.rows.first().map_or(0.0, |r| r.time.min(0.0));
    let after: Vec<f64> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| r.surv * (rows.get(i + 1).map_or(tau, |n| n.time) - r.time))
        .collect();
    let area = rows.first().map_or(tau, |r| r.time) - start + after.iter().sum::<f64>();
    let (mut tail, mut var) = (0.0f64, 0.0f64);
    for (r, a) in rows.iter().zip(&after).rev() {
        tail += a;
        if r.n_event > 0 && r.n_risk > r.n_event {
            let (n, d) = (r.n_risk as f64, r.n_event as f64);
            var += d / (n * (n - d)) * tail * tail;
        }
    }
    (area, var.sqrt())
}

/// The largest τ allowed for the curves (see the module doc): the limit,
/// its rule and the index of the group that sets it.
pub fn rmst_limit(fits: &[KmFit]) -> Option<(f64, TauRule, usize)> {
    let last = |f: &KmFit| f.rows.last().map(|r| (r.time, r.n_censor == 0));
    let ends: Vec<(usize, f64, bool)> = fits
        .iter()
        .enumerate()
        .filter_map(|(g, f)| last(f).map(|(t, e)| (g, t, e)))
        .collect();
    let censored = ends
        .iter()
        .filter(|e| !e.2)
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match censored {
        Some(&(g, t, _)) => Some((t, TauRule::LastCensored, g)),
        None => ends
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|&(g, t, _)| (t, TauRule::AllEndWithEvent, g)),
    }
}

/// Two-sided normal P of `z`; `None` when undefined (SE 0).
fn p_of(estimate: f64, se: f64) -> Option<f64> {
    let z = estimate / se;
    (se > 0.0 && z.is_finite()).then(|| 2.0 * Normal::standard().cdf(-z.abs()))
}

/// The restricted mean of each group (`labels[g]`, curve `fits[g]`) up to
/// the horizon, and each other group against the first.
pub fn rmst_comparison(
    labels: &[String],
    fits: &[KmFit],
    horizon: RmstHorizon,
    conf_level: f64,
) -> Result<RmstComparison, RmstError> {
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(RmstError::BadConfLevel(conf_level));
    }
    if fits.iter().any(|f| f.weighting.is_some()) {
        return Err(RmstError::Weighted);
    }
    let (limit, default_rule, g) = rmst_limit(fits).ok_or(RmstError::NoGroups)?;
    let limited_by = labels.get(g).cloned().unwrap_or_default();
    let (tau, rule) = match horizon {
        RmstHorizon::Default => (limit, default_rule),
        RmstHorizon::At(t) if !(t.is_finite() && t > 0.0) => return Err(RmstError::BadHorizon(t)),
        RmstHorizon::At(t) if t > limit => {
            return Err(RmstError::PastFollowUp {
                tau: t,
                limit,
                group: limited_by,
            })
        }
        RmstHorizon::At(t) => (t, TauRule::Chosen),
    };
    let z = z_of(conf_level);
    let groups: Vec<RmstGroup> = labels
        .iter()
        .zip(fits)
        .map(|(label, f)| {
            let (rmst, se) = rmst_with_se(f, tau);
            let last = f.rows.last();
            RmstGroup {
                group: label.clone(),
                rmst,
                std_err: se,
                lower: rmst - z * se,
                upper: rmst + z * se,
                last_time: last.map_or(0.0, |r| r.time),
                ends_with_event: last.is_some_and(|r| r.n_censor == 0),
            }
        })
        .collect();
    let contrasts = groups
        .iter()
        .skip(1)
        .map(|a| contrast(a, &groups[0], z))
        .collect();
    Ok(RmstComparison {
        tau,
        rule,
        limit,
        limited_by,
        conf_level,
        groups,
        contrasts,
    })
}

impl super::SurvivalAnalysis {
    /// The restricted means of the curves compared up to `horizon`
    /// ([`rmst_comparison`]), the horizon and each group's restricted mean
    /// set in the analysis (its summary table's column) when it is the
    /// default one. Weighted curves are not compared (`Ok(None)`): only
    /// the horizon and their areas are set.
    pub fn compare_restricted_means(
        &mut self,
        horizon: RmstHorizon,
    ) -> Result<Option<RmstComparison>, RmstError> {
        let fits: Vec<KmFit> = self.groups.iter().map(|g| g.fit.clone()).collect();
        let labels: Vec<String> = self.groups.iter().map(|g| g.group.clone()).collect();
        let r = if self.weighted.is_some() {
            None
        } else {
            Some(rmst_comparison(&labels, &fits, horizon, self.conf_level)?)
        };
        let tau = match (&r, horizon) {
            (Some(r), _) => Some(r.tau),
            (None, RmstHorizon::At(t)) => Some(t),
            (None, RmstHorizon::Default) => rmst_limit(&fits).map(|l| l.0),
        };
        self.rmst_tau = tau;
        for g in &mut self.groups {
            g.rmst = tau.map(|t| g.fit.rmst(t));
        }
        Ok(r)
    }
}

/// Group `a` against the reference `b`.
fn contrast(a: &RmstGroup, b: &RmstGroup, z: f64) -> RmstContrast {
    let difference = a.rmst - b.rmst;
    let se = a.std_err.hypot(b.std_err);
    let log_ratio = a.rmst.ln() - b.rmst.ln();
    let se_log = ((a.std_err / a.rmst).powi(2) + (b.std_err / b.rmst).powi(2)).sqrt();
    RmstContrast {
        group: a.group.clone(),
        reference: b.group.clone(),
        difference,
        difference_se: se,
        difference_lower: difference - z * se,
        difference_upper: difference + z * se,
        difference_p: p_of(difference, se),
        ratio: log_ratio.exp(),
        log_ratio_se: se_log,
        ratio_lower: (log_ratio - z * se_log).exp(),
        ratio_upper: (log_ratio + z * se_log).exp(),
        ratio_p: p_of(log_ratio, se_log),
    }
}
