//! The log partial likelihood, its score and its information at β, for
//! patients sorted by stratum, then time descending (the order in which
//! the risk sets grow).
//!
//! # Formula
//! The information Σₖ Σₗ [(S₂ - fₗD₂)/a₀ₗ - m mᵀ] is gathered as
//! Σᵢ wᵢ xᵢ xᵢᵀ - Σ m mᵀ, where wᵢ = rᵢ (Σ over the event times up to tᵢ
//! of Σₗ 1/a₀ₗ), less rᵢ Σₗ fₗ/a₀ₗ at its own time for a patient who
//! died (Efron): one matrix product instead of a p x p update per patient.
//!
//! # Case weights
//! With case weights wᵢ (R's coxfit6), rᵢ = wᵢ e^ηᵢ in every risk-set and
//! death-set sum, the deaths add wᵢ ηᵢ and wᵢ xᵢ, and each of the d terms
//! of a tie run weighs the deaths' mean weight w̄ = Σ_deaths wᵢ / d (for
//! Breslow, d w̄ = Σ_deaths wᵢ at once). Without weights w̄ is exactly 1.
//!
//! # Stretches
//! A large cohort is cut into stretches of whole tie runs: a first pass
//! sums each stretch's risk set (S₀, S₁), so each stretch then knows the
//! risk set it starts with and is walked on its own, in parallel. The
//! number of stretches is fixed, so the result never depends on the
//! number of cores.

use std::ops::Range;

use nalgebra::{DMatrix, DVector};

use super::{CoxData, Ties};
use crate::engine::numeric::add_weighted_gram;
use crate::engine::parallel;

/// From this many patients the passes run in stretches side by side.
const PARALLEL_FROM: usize = 1 << 18;

/// The number of stretches of a large cohort.
const STRETCHES: usize = 8;

/// The log partial likelihood, the score and the information at a β.
pub(super) struct Partial {
    pub(super) ll: f64,
    pub(super) score: DVector<f64>,
    pub(super) info: DMatrix<f64>,
}

/// X β for row-major X (n x p).
pub(super) fn linear_predictor(x: &[f64], beta: &[f64], n: usize) -> Vec<f64> {
    if beta.is_empty() {
        return vec![0.0; n];
    }
    x.chunks_exact(beta.len())
        .map(|r| r.iter().zip(beta).map(|(a, b)| a * b).sum())
        .collect()
}

/// Stretches of whole tie runs (same stratum and time), `parts` of them
/// or fewer.
fn tie_run_chunks(time: &[f64], stratum: &[usize], parts: usize) -> Vec<Range<usize>> {
    let n = time.len();
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for j in 1..=parts {
        let mut end = (j * n / parts).max(start);
        while end > 0 && end < n && time[end] == time[end - 1] && stratum[end] == stratum[end - 1] {
            end += 1;
        }
        if end > start {
            out.push(start..end);
            start = end;
        }
    }
    out
}

/// A risk set's sums S₀ = Σ rᵢ and S₁ = Σ rᵢ xᵢ.
#[derive(Clone)]
struct RiskSet {
    s0: f64,
    s1: Vec<f64>,
}

impl RiskSet {
    fn empty(p: usize) -> Self {
        RiskSet {
            s0: 0.0,
            s1: vec![0.0; p],
        }
    }

    /// Adds a patient (risk score `w`, covariates `xi`).
    fn enter(&mut self, w: f64, xi: &[f64]) {
        self.s0 += w;
        for (s, xa) in self.s1.iter_mut().zip(xi) {
            *s += w * xa;
        }
    }

    fn clear(&mut self) {
        self.s0 = 0.0;
        self.s1.fill(0.0);
    }
}

/// What the first pass learns of a stretch.
struct Stretch {
    /// η and e^η of its patients.
    eta: Vec<f64>,
    risk: Vec<f64>,
    /// The risk set of its last stratum's patients (all of them when the
    /// stratum does not change within the stretch).
    tail: RiskSet,
    /// Whether the stretch is all one stratum.
    one_stratum: bool,
}

/// What one stretch contributes to the partial likelihood.
struct ChunkSums {
    ll: f64,
    u: Vec<f64>,
    /// Σ m mᵀ over its deaths, upper triangle packed by row.
    outer: Vec<f64>,
    /// Per patient: Σₗ 1/a₀ₗ of its time, on the last patient of the time.
    at_time: Vec<f64>,
    /// Per patient: the Efron correction (minus rᵢ Σₗ fₗ/a₀ₗ).
    weight: Vec<f64>,
}

/// [`Partial`] at β; `d` sorted by stratum, then time descending.
pub(super) fn partial(d: &CoxData, beta: &[f64], ties: Ties) -> Partial {
    let parts = if d.time.len() >= PARALLEL_FROM {
        STRETCHES
    } else {
        1
    };
    let chunks = tie_run_chunks(d.time, d.stratum, parts);
    partial_in_chunks(d, beta, ties, &chunks)
}

/// [`partial`] over the given stretches of whole tie runs.
fn partial_in_chunks(d: &CoxData, beta: &[f64], ties: Ties, chunks: &[Range<usize>]) -> Partial {
    let p = beta.len();
    let first = parallel::map(chunks.len(), |c| first_pass(d, beta, chunks[c].clone()));
    let carry = starting_risk_sets(d.stratum, chunks, &first, p);
    let sums = parallel::map(chunks.len(), |c| {
        let walk = Walk {
            d,
            ties,
            range: chunks[c].clone(),
            stretch: &first[c],
        };
        walk.run(carry[c].clone())
    });
    let mut ll = 0.0;
    let mut u = vec![0.0; p];
    let mut outer = vec![0.0; p * (p + 1) / 2];
    for s in &sums {
        ll += s.ll;
        for (a, b) in u.iter_mut().zip(&s.u) {
            *a += b;
        }
        for (a, b) in outer.iter_mut().zip(&s.outer) {
            *a += b;
        }
    }
    let weights = gram_weights(d.stratum, chunks, &first, sums);
    let info = information(d.x, p, chunks, &weights, &outer);
    Partial {
        ll,
        score: DVector::from_vec(u),
        info,
    }
}

/// The first pass over a stretch: its risk scores and the risk set of its
/// last stratum.
fn first_pass(d: &CoxData, beta: &[f64], r: Range<usize>) -> Stretch {
    let p = beta.len();
    let eta = linear_predictor(&d.x[r.start * p..r.end * p], beta, r.len());
    // The risk score times the case weight (R's coxfit6: exp(η) w).
    let risk: Vec<f64> = match d.weights {
        None => eta.iter().map(|e| e.exp()).collect(),
        Some(w) => eta
            .iter()
            .zip(&w[r.clone()])
            .map(|(e, w)| e.exp() * w)
            .collect(),
    };
    let last = d.stratum[r.end - 1];
    let tail_start = (r.start..r.end)
        .rev()
        .find(|&i| d.stratum[i] != last)
        .map_or(r.start, |i| i + 1);
    let mut tail = RiskSet::empty(p);
    for i in tail_start..r.end {
        tail.enter(risk[i - r.start], &d.x[i * p..(i + 1) * p]);
    }
    Stretch {
        eta,
        risk,
        tail,
        one_stratum: tail_start == r.start,
    }
}

/// The risk set each stretch starts with: the previous stretch's last
/// stratum, plus what that stretch started with when it is all one
/// stratum.
fn starting_risk_sets(
    stratum: &[usize],
    chunks: &[Range<usize>],
    first: &[Stretch],
    p: usize,
) -> Vec<RiskSet> {
    let mut carry: Vec<RiskSet> = Vec::with_capacity(chunks.len());
    for c in 0..chunks.len() {
        let continues = c > 0 && stratum[chunks[c].start] == stratum[chunks[c - 1].end - 1];
        let start = if !continues {
            RiskSet::empty(p)
        } else {
            let (prev, tail) = (&carry[c - 1], &first[c - 1].tail);
            if first[c - 1].one_stratum {
                RiskSet {
                    s0: tail.s0 + prev.s0,
                    s1: tail.s1.iter().zip(&prev.s1).map(|(t, q)| t + q).collect(),
                }
            } else {
                tail.clone()
            }
        };
        carry.push(start);
    }
    carry
}

/// One stretch's walk, from the risk set it starts with.
struct Walk<'a> {
    d: &'a CoxData<'a>,
    ties: Ties,
    range: Range<usize>,
    stretch: &'a Stretch,
}

/// Scratch vectors of [`Walk::deaths`]: m and D₁.
struct Scratch {
    m: Vec<f64>,
    d1: Vec<f64>,
}

impl Walk<'_> {
    fn row(&self, i: usize) -> &[f64] {
        let p = self.d.columns;
        &self.d.x[i * p..(i + 1) * p]
    }

    /// Walks the stretch time by time, adding each time's patients to the
    /// risk set, then its deaths to the sums.
    fn run(&self, mut at_risk: RiskSet) -> ChunkSums {
        let (d, r) = (self.d, self.range.clone());
        let p = d.columns;
        let mut out = ChunkSums {
            ll: 0.0,
            u: vec![0.0; p],
            outer: vec![0.0; p * (p + 1) / 2],
            at_time: vec![0.0; r.len()],
            weight: vec![0.0; r.len()],
        };
        let mut scratch = Scratch {
            m: vec![0.0; p],
            d1: vec![0.0; p],
        };
        let mut k = r.start;
        let mut current_stratum = d.stratum[k];
        while k < r.end {
            if d.stratum[k] != current_stratum {
                current_stratum = d.stratum[k];
                at_risk.clear();
            }
            let t = d.time[k];
            // Everyone at this time enters the risk set.
            let start = k;
            let mut deaths = 0usize;
            while k < r.end && d.time[k] == t && d.stratum[k] == current_stratum {
                at_risk.enter(self.stretch.risk[k - r.start], self.row(k));
                deaths += usize::from(d.event[k]);
                k += 1;
            }
            if deaths > 0 {
                self.deaths(&mut out, start..k, deaths, &at_risk, &mut scratch);
            }
        }
        out
    }

    /// Adds the `deaths` of the tie run `run` to the sums: the
    /// log-likelihood, the score, Σ m mᵀ, and the weights of the
    /// information.
    fn deaths(
        &self,
        out: &mut ChunkSums,
        run: Range<usize>,
        deaths: usize,
        at_risk: &RiskSet,
        scratch: &mut Scratch,
    ) {
        let (p, off) = (self.d.columns, self.range.start);
        let (eta, risk) = (&self.stretch.eta, &self.stretch.risk);
        let event = self.d.event;
        let Scratch { m, d1 } = scratch;
        let efron = self.ties == Ties::Efron && deaths > 1;
        let dd = deaths as f64;
        let mut d0 = 0.0;
        d1.fill(0.0);
        // The deaths' case weights: each of the d terms weighs their mean.
        let mut dead_weight = 0.0;
        for i in run.clone().filter(|&i| event[i]) {
            let w = risk[i - off];
            let cw = self.d.weights.map_or(1.0, |cw| cw[i]);
            dead_weight += cw;
            out.ll += cw * eta[i - off];
            d0 += w;
            for ((ua, da), xa) in out.u.iter_mut().zip(d1.iter_mut()).zip(self.row(i)) {
                *ua += cw * xa;
                *da += w * xa;
            }
        }
        // Exactly 1 without weights (d / d), so the unweighted sums are
        // unchanged bit for bit.
        let mean_weight = dead_weight / dd;
        let (mut c, mut e) = (0.0, 0.0);
        for l in 0..deaths {
            let f = if efron { l as f64 / dd } else { 0.0 };
            let a0 = at_risk.s0 - f * d0;
            let inv = 1.0 / a0;
            let winv = mean_weight * inv;
            out.ll -= mean_weight * a0.ln();
            c += winv;
            e += f * winv;
            for a in 0..p {
                m[a] = (at_risk.s1[a] - f * d1[a]) * inv;
                out.u[a] -= mean_weight * m[a];
            }
            let mut at = 0;
            for a in 0..p {
                let ma = mean_weight * m[a];
                for (o, mb) in out.outer[at..at + p - a].iter_mut().zip(&m[a..]) {
                    *o += ma * mb;
                }
                at += p - a;
            }
        }
        out.at_time[run.end - 1 - off] = c;
        if efron {
            for i in run.filter(|&i| event[i]) {
                out.weight[i - off] = -e * risk[i - off];
            }
        }
    }
}

/// The weights wᵢ of the information's Σᵢ wᵢ xᵢ xᵢᵀ, per stretch: walking
/// back (time ascending within a stratum), Σₖ cₖ times rᵢ, plus the Efron
/// correction.
fn gram_weights(
    stratum: &[usize],
    chunks: &[Range<usize>],
    first: &[Stretch],
    sums: Vec<ChunkSums>,
) -> Vec<Vec<f64>> {
    let n = stratum.len();
    let (at_times, mut weights): (Vec<Vec<f64>>, Vec<Vec<f64>>) =
        sums.into_iter().map(|s| (s.at_time, s.weight)).unzip();
    let mut cum = 0.0;
    for c in (0..chunks.len()).rev() {
        let r = chunks[c].clone();
        let risk = &first[c].risk;
        for i in r.clone().rev() {
            if i + 1 < n && stratum[i + 1] != stratum[i] {
                cum = 0.0;
            }
            let j = i - r.start;
            cum += at_times[c][j];
            weights[c][j] += risk[j] * cum;
        }
    }
    weights
}

/// The information Σᵢ wᵢ xᵢ xᵢᵀ - Σ m mᵀ (`outer` packed by row), exactly
/// symmetric.
fn information(
    x: &[f64],
    p: usize,
    chunks: &[Range<usize>],
    weights: &[Vec<f64>],
    outer: &[f64],
) -> DMatrix<f64> {
    let mut info = DMatrix::<f64>::zeros(p, p);
    if p > 0 {
        let grams = parallel::map(chunks.len(), |c| {
            let r = chunks[c].clone();
            let mut g = DMatrix::<f64>::zeros(p, p);
            add_weighted_gram(&mut g, &x[r.start * p..r.end * p], &weights[c], p);
            g
        });
        for g in grams {
            info += g;
        }
    }
    let mut at = 0;
    for a in 0..p {
        for b in a..p {
            info[(a, b)] -= outer[at];
            if a != b {
                info[(b, a)] -= outer[at];
            }
            at += 1;
        }
    }
    // Symmetric by construction; make it exactly so.
    DMatrix::from_fn(p, p, |a, b| (info[(a, b)] + info[(b, a)]) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However the patients are cut into stretches, the stretches sum to
    /// one walk through them all: strata that straddle a cut, strata
    /// inside one stretch, ties at a cut; with and without case weights.
    #[test]
    fn stretches_sum_to_one_walk() {
        let (n, p) = (3000, 3);
        let mut rng = crate::engine::rng::Rng::seed_from_u64(12345);
        let mut uniform = || rng.uniform();
        let mut rows: Vec<(usize, f64, bool, Vec<f64>)> = (0..n)
            .map(|i| {
                let stratum = (i * i) % 37;
                let time = (uniform() * 40.0).floor();
                let died = uniform() < 0.4;
                let x = (0..p).map(|_| uniform() * 2.0 - 1.0).collect();
                (stratum, time, died, x)
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let stratum: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let time: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let event: Vec<bool> = rows.iter().map(|r| r.2).collect();
        let x: Vec<f64> = rows.iter().flat_map(|r| r.3.clone()).collect();
        let case_weights: Vec<f64> = (0..n).map(|i| 0.2 + (i % 11) as f64 * 0.37).collect();
        let beta = [0.3, -0.2, 0.1];
        let whole = tie_run_chunks(&time, &stratum, 1);
        assert_eq!(whole, vec![0..n]);
        let cases = [Ties::Efron, Ties::Breslow]
            .into_iter()
            .flat_map(|t| [(t, None), (t, Some(case_weights.as_slice()))]);
        for (ties, weights) in cases {
            let d = CoxData {
                x: &x,
                columns: p,
                time: &time,
                event: &event,
                stratum: &stratum,
                cluster: None,
                weights,
            };
            let one = partial_in_chunks(&d, &beta, ties, &whole);
            let (ll, u, info) = (one.ll, one.score, one.info);
            for parts in [2, 5, 8, 13, 64] {
                let chunks = tie_run_chunks(&time, &stratum, parts);
                assert!(chunks.len() > 1);
                assert_eq!(chunks[0].start, 0);
                assert_eq!(chunks[chunks.len() - 1].end, n);
                for w in chunks.windows(2) {
                    let cut = w[0].end;
                    assert_eq!(cut, w[1].start);
                    assert!(time[cut] != time[cut - 1] || stratum[cut] != stratum[cut - 1]);
                }
                let cut = partial_in_chunks(&d, &beta, ties, &chunks);
                let (ll2, u2, info2) = (cut.ll, cut.score, cut.info);
                assert!((ll - ll2).abs() < 1e-9 * ll.abs(), "{ll} {ll2}");
                for a in 0..p {
                    assert!((u[a] - u2[a]).abs() < 1e-9 * u[a].abs().max(1.0));
                    for b in 0..p {
                        let (v, w) = (info[(a, b)], info2[(a, b)]);
                        assert!((v - w).abs() < 1e-9 * v.abs().max(1.0), "{v} {w}");
                    }
                }
            }
        }
    }
}
