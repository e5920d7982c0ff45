//! Cumulative incidence by the Aalen-Johansen estimator, per cause and
//! group, with the two variances R users meet: the infinitesimal
//! jackknife of R survival's multi-state `survfit` and the Aalen-type
//! (delta method) variance of `cmprsk::cuminc`.
//!
//! # Formulas
//! At each distinct time t with n at risk, d_k events of cause k and
//! d = Σ d_k events in all (censorings at t stay at risk at t):
//! - event-free S(t) = S(t-) (1 - d/n) (the all-cause Kaplan-Meier);
//!   F_k(t) = F_k(t-) + S(t-) d_k/n (Aalen & Johansen 1978).
//! - **survfit** (survival 3.5-3, no weights, no id): the variance is
//!   Σᵢ Uᵢ(t)², Uᵢ the derivative of the state probabilities with respect
//!   to patient i's case weight. With H the transition matrix at t
//!   (H₀₀ = 1 - d/n, H₀ₖ = d_k/n, Hₖₖ = 1) the matrix M = Σᵢ UᵢUᵢᵀ obeys
//!   M(t) = Hᵀ M(t-) H + S(t-)²/n² · E, E = Σₖ d_k δₖδₖᵀ - ddᵀ/n, where δₖ
//!   is -1 at the entry state and +1 at k and d = (-d, d₁, d₂, ...): the
//!   cross terms vanish because every patient still at risk has the same
//!   U. For one cause this is Greenwood's formula.
//! - **cuminc** (cmprsk 2.2-11, Gray's `cinc`): with S⁻ = S(t-), S⁺ = S(t)
//!   and the tie factor τ(m) = 1 - (m - 1)/(n - 1), sums v₁, v₂, v₃ gain
//!   per competing event time (if S⁺ > 0), with w = S⁻² τ(d - d_k)(d - d_k)/n²,
//!   (F/S⁺)² w, F/S⁺² w, w/S⁺², and per event time of the cause, with
//!   w = S⁻² τ(d_k) d_k/n² and a = 1/S⁺ (0 if S⁺ = 0), b = 1 + a F,
//!   b² w, a b w, a² w; Var F = v₁ + F² v₃ - 2F v₂, updated at the
//!   cause's event times only (Aalen 1978; Gray 1988).
//! - CI: the transform applied to F as to a survival probability (R's
//!   `survfit_confint` on a state probability): log, F·exp(±z SE/F)
//!   (survfit's default); log-log, F^exp(∓z SE/(F log F)) (what we use with
//!   cuminc's variance, which comes with no interval); plain, F ± z SE;
//!   clipped to [0, 1]; undefined where F = 0 (R's NA), except before a
//!   group's first time, where F = 0 with SE 0 and interval [0, 0]
//!   (R's time-0 row).
//! - Values at a landmark time are the step function's (right-continuous)
//!   with the number at risk at that time (R's `summary(fit, times =)`,
//!   `cmprsk::timepoints`); none past the group's last follow-up time.

use serde::{Deserialize, Serialize};

use crate::engine::defaults::z_of;
use crate::engine::survival::CiTransform;

/// Which variance the cumulative incidence's SE and CI use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CifVariance {
    /// The infinitesimal jackknife of R's multi-state `survfit` (default).
    #[default]
    Survfit,
    /// The Aalen-type delta-method variance of `cmprsk::cuminc`.
    Cuminc,
}

impl CifVariance {
    /// The key in the CLI and settings.
    pub fn as_str(self) -> &'static str {
        match self {
            CifVariance::Survfit => "survfit",
            CifVariance::Cuminc => "cuminc",
        }
    }

    /// What the variance is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            CifVariance::Survfit => "infinitesimal jackknife, as R's survfit (multi-state)",
            CifVariance::Cuminc => "Aalen-type delta method, as cmprsk::cuminc",
        }
    }

    /// The CI transform used with this variance unless another is chosen:
    /// survfit's default (log) for its variance, log-log for cuminc's.
    pub fn default_transform(self) -> CiTransform {
        match self {
            CifVariance::Survfit => CiTransform::Log,
            CifVariance::Cuminc => CiTransform::LogLog,
        }
    }
}

/// One cause's cumulative incidence in a group, at the group's times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseCurve {
    /// The cause's level.
    pub cause: String,
    /// Events of this cause in the group.
    pub events: usize,
    /// Events of this cause at each time.
    pub n_event: Vec<usize>,
    /// F_k(t).
    pub cif: Vec<f64>,
    /// Its SE by the infinitesimal jackknife (survfit).
    pub se_survfit: Vec<f64>,
    /// Its variance as cmprsk::cuminc computes it.
    pub var_cuminc: Vec<f64>,
}

impl CauseCurve {
    /// The SE at row `i` by `variance`.
    pub fn std_err(&self, i: usize, variance: CifVariance) -> f64 {
        match variance {
            CifVariance::Survfit => self.se_survfit[i],
            CifVariance::Cuminc => self.var_cuminc[i].max(0.0).sqrt(),
        }
    }

    /// The lower and upper confidence curves by `variance` and `transform`.
    pub fn confidence_curves(
        &self,
        variance: CifVariance,
        transform: CiTransform,
        conf_level: f64,
    ) -> (Vec<f64>, Vec<f64>) {
        let z = z_of(conf_level);
        (0..self.cif.len())
            .map(|i| interval(self.cif[i], self.std_err(i, variance), z, transform))
            .unzip()
    }
}

/// A group's curves: the times (every distinct time, events and
/// censorings), the numbers at risk, the event-free probability and each
/// cause's cumulative incidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CifGroup {
    pub group: String,
    pub n: usize,
    pub time: Vec<f64>,
    pub n_risk: Vec<usize>,
    pub n_censor: Vec<usize>,
    /// Probability of no event of any cause yet (all-cause Kaplan-Meier).
    pub event_free: Vec<f64>,
    pub causes: Vec<CauseCurve>,
}

/// One cause's cumulative incidence at a landmark time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CifPoint {
    pub time: f64,
    /// At risk at `time` (time >= t).
    pub n_risk: usize,
    /// Events of the cause up to and including `time`.
    pub n_event: usize,
    pub cif: f64,
    pub std_err: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The interval of an incidence `p` with SE `se` (see the module doc).
pub(crate) fn interval(p: f64, se: f64, z: f64, transform: CiTransform) -> (f64, f64) {
    if p.is_nan() || p <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let se_log = se / p;
    match transform {
        CiTransform::Log => {
            let e = (z * se_log).exp();
            (p / e, (p * e).min(1.0))
        }
        CiTransform::LogLog => {
            if p >= 1.0 {
                return (f64::NAN, f64::NAN);
            }
            let a = z * se_log / p.ln();
            (p.powf((-a).exp()), p.powf(a.exp()))
        }
        CiTransform::Plain => ((p - z * se).max(0.0), (p + z * se).min(1.0)),
    }
}

impl CifGroup {
    /// Cause `k`'s incidence (0-based: 0 is the event of interest) at time
    /// `t`; `None` past the group's last follow-up time.
    pub fn at(
        &self,
        k: usize,
        t: f64,
        variance: CifVariance,
        transform: CiTransform,
        conf_level: f64,
    ) -> Option<CifPoint> {
        let curve = self.causes.get(k)?;
        if self.time.last().is_none_or(|&last| t > last) || t.is_nan() {
            return None;
        }
        let next = self.time.partition_point(|&x| x < t);
        let n_risk = self.n_risk.get(next).copied().unwrap_or(0);
        let upto = self.time.partition_point(|&x| x <= t);
        let Some(i) = upto.checked_sub(1) else {
            // Before the first time: R's time-0 row.
            return Some(CifPoint {
                time: t,
                n_risk,
                n_event: 0,
                cif: 0.0,
                std_err: 0.0,
                lower: 0.0,
                upper: 0.0,
            });
        };
        let cif = curve.cif[i];
        let std_err = curve.std_err(i, variance);
        let (lower, upper) = interval(cif, std_err, z_of(conf_level), transform);
        Some(CifPoint {
            time: t,
            n_risk,
            n_event: curve.n_event[..upto].iter().sum(),
            cif,
            std_err,
            lower,
            upper,
        })
    }
}

/// The per-cause sums of one walk over a group's times.
#[derive(Clone, Copy, Default)]
struct CauseState {
    f: f64,
    /// M₀ₖ and Mₖₖ of the jackknife.
    m0k: f64,
    mkk: f64,
    /// cuminc's v₁, v₂, v₃ and its last variance.
    v1: f64,
    v2: f64,
    v3: f64,
    v: f64,
}

/// cmprsk's tie factor τ(m) = 1 - (m - 1)/(n - 1).
fn tie_factor(m: usize, n: usize) -> f64 {
    if m > 1 {
        1.0 - (m as f64 - 1.0) / (n as f64 - 1.0)
    } else {
        1.0
    }
}

/// One group's curves from its times sorted ascending and their causes.
pub(crate) fn cif_sorted(label: &str, time: &[f64], cause: &[u8], causes: &[String]) -> CifGroup {
    let nc = causes.len();
    let n = time.len();
    let mut g = CifGroup {
        group: label.to_owned(),
        n,
        time: Vec::new(),
        n_risk: Vec::new(),
        n_censor: Vec::new(),
        event_free: Vec::new(),
        causes: causes
            .iter()
            .map(|c| CauseCurve {
                cause: c.clone(),
                events: 0,
                n_event: Vec::new(),
                cif: Vec::new(),
                se_survfit: Vec::new(),
                var_cuminc: Vec::new(),
            })
            .collect(),
    };
    let mut state = vec![CauseState::default(); nc];
    let (mut s, mut m00) = (1.0f64, 0.0f64);
    let mut at_risk = n;
    let mut d = vec![0usize; nc];
    for run in crate::engine::survival::runs(time) {
        d.iter_mut().for_each(|x| *x = 0);
        for &c in &cause[run.clone()] {
            if c > 0 {
                d[usize::from(c) - 1] += 1;
            }
        }
        let dt: usize = d.iter().sum();
        let nr = at_risk as f64;
        if dt > 0 {
            let (dtf, h) = (dt as f64, dt as f64 / nr);
            let s_next = s * (1.0 - h);
            let c = s * s / (nr * nr);
            for (st, &dk) in state.iter_mut().zip(&d) {
                let (dkf, hk) = (dk as f64, dk as f64 / nr);
                let (m0k, mkk) = (st.m0k, st.mkk);
                st.m0k = (1.0 - h) * (hk * m00 + m0k) + c * (-dkf + dtf * dkf / nr);
                st.mkk = hk * hk * m00 + 2.0 * hk * m0k + mkk + c * (dkf - dkf * dkf / nr);
                cuminc_step(st, s, s_next, dk, dt - dk, at_risk);
            }
            m00 = (1.0 - h) * (1.0 - h) * m00 + c * (dtf - dtf * dtf / nr);
            s = s_next;
        }
        g.time.push(time[run.start]);
        g.n_risk.push(at_risk);
        g.n_censor.push(run.len() - dt);
        g.event_free.push(s);
        for ((curve, st), &dk) in g.causes.iter_mut().zip(&state).zip(&d) {
            curve.events += dk;
            curve.n_event.push(dk);
            curve.cif.push(st.f);
            curve.se_survfit.push(st.mkk.max(0.0).sqrt());
            curve.var_cuminc.push(st.v);
        }
        at_risk -= run.len();
    }
    g
}

/// One time of cmprsk's `cinc` for a cause with `nd1` events, `nd2`
/// events of other causes, `rs` at risk, the event-free probability
/// `fk` before and `fkn` after.
fn cuminc_step(st: &mut CauseState, fk: f64, fkn: f64, nd1: usize, nd2: usize, rs: usize) {
    let r = rs as f64;
    if nd1 > 0 {
        st.f += fk * nd1 as f64 / r;
    }
    if nd2 > 0 && fkn > 0.0 {
        let w = fk * fk * tie_factor(nd2, rs) * nd2 as f64 / (r * r);
        let (a, b) = (1.0 / fkn, st.f / fkn);
        st.v1 += b * b * w;
        st.v2 += a * b * w;
        st.v3 += a * a * w;
    }
    if nd1 > 0 {
        let w = fk * fk * tie_factor(nd1, rs) * nd1 as f64 / (r * r);
        let a = if fkn > 0.0 { 1.0 / fkn } else { 0.0 };
        let b = 1.0 + a * st.f;
        st.v1 += b * b * w;
        st.v2 += a * b * w;
        st.v3 += a * a * w;
        st.v = st.v1 + st.f * st.f * st.v3 - 2.0 * st.f * st.v2;
    }
}

/// Each group's curves, from one sort of the times.
///
/// `cause` is 0 for censored, k >= 1 for `causes[k - 1]`; `group` indexes
/// `labels`.
pub fn cumulative_incidence(
    time: &[f64],
    cause: &[u8],
    group: &[usize],
    labels: &[String],
    causes: &[String],
) -> Vec<CifGroup> {
    let (sorted, order) = crate::engine::numeric::sort_with_order(time, false);
    let k = labels.len();
    let mut t: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut c: Vec<Vec<u8>> = vec![Vec::new(); k];
    for (&ti, &i) in sorted.iter().zip(&order) {
        let g = group[i];
        t[g].push(ti);
        c[g].push(cause[i]);
    }
    crate::engine::parallel::map(k, |g| cif_sorted(&labels[g], &t[g], &c[g], causes))
}
