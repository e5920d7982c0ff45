//! Harrell's concordance of a Cox model's risk scores, as R's
//! `concordance` (`coxph`'s `concordance` component), and its standard
//! error by the infinitesimal jackknife (R's `concordancefit`), by cluster
//! when the model is clustered; with case weights, each pair weighs the
//! product of its patients' weights (R's `concordancefit(weights = )`).

use crate::engine::numeric::argsort;

/// Harrell's C as R's `concordance`: over pairs whose shorter time is an
/// event (within a stratum), the share where that patient has the higher
/// risk score; ties in the score count one half. O(n log n).
pub fn concordance(time: &[f64], event: &[bool], eta: &[f64], stratum: &[usize]) -> f64 {
    let to = super::data::by_stratum_then_time(time, stratum, true);
    let died: Vec<bool> = to.order.iter().map(|&i| event[i]).collect();
    let eta: Vec<f64> = to.order.iter().map(|&i| eta[i]).collect();
    concordance_sorted(&to.time, &died, &eta, &to.stratum)
}

/// [`concordance`] of patients already sorted by stratum, then time
/// descending.
pub(super) fn concordance_sorted(
    time: &[f64],
    died: &[bool],
    eta: &[f64],
    stratum: &[usize],
) -> f64 {
    concordance_with_pairs(time, died, eta, stratum, None).0
}

/// Harrell's C and its standard error by the infinitesimal jackknife (R's
/// `concordancefit`): each patient's concordant, discordant and tied pairs
/// give its influence on Somers' d; their squares summed (by cluster when
/// `cluster` is given, in the same order as the patients) give the variance.
///
/// With case weights (in the patients' order) each pair weighs the product
/// of its two patients' weights and each patient's influence is its
/// weighted pairs times its own weight, as `concordancefit(weights = )`
/// (survival's concordance3.c).
pub(super) fn concordance_and_se(
    time: &[f64],
    died: &[bool],
    eta: &[f64],
    stratum: &[usize],
    cluster: Option<&[usize]>,
    weights: Option<&[f64]>,
) -> (f64, f64) {
    let (c, pairs) = concordance_with_pairs(time, died, eta, stratum, weights);
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let (conc, disc, tied) = pairs.iter().enumerate().fold((0.0, 0.0, 0.0), |a, (i, p)| {
        (a.0 + w(i) * p[0], a.1 + w(i) * p[1], a.2 + w(i) * p[2])
    });
    // Each pair was counted for both its patients.
    let npair = (conc + disc + tied) / 2.0;
    let somers = (conc - disc) / 2.0 / npair;
    let influence = pairs
        .iter()
        .enumerate()
        .map(|(i, p)| w(i) * ((p[0] - p[1]) / npair - somers / npair * (p[0] + p[1] + p[2])));
    let var = match cluster {
        None => influence.map(|d| d * d).sum::<f64>(),
        Some(cl) => {
            let k = cl.iter().copied().max().map_or(0, |m| m + 1);
            let mut sums = vec![0.0; k];
            for (d, &c) in influence.zip(cl) {
                sums[c] += d;
            }
            sums.iter().map(|d| d * d).sum()
        }
    };
    (c, (var / 4.0).sqrt())
}

/// Fenwick trees of the weights by score rank, with the weight at each
/// rank (for ties).
struct RankTree {
    tree: Vec<f64>,
    at_rank: Vec<f64>,
}

impl RankTree {
    fn new(m: usize) -> Self {
        RankTree {
            tree: vec![0.0; m + 1],
            at_rank: vec![0.0; m],
        }
    }

    fn add(&mut self, r: usize, w: f64) {
        self.at_rank[r] += w;
        let mut i = r + 1;
        while i < self.tree.len() {
            self.tree[i] += w;
            i += i & i.wrapping_neg();
        }
    }

    /// Empties rank `r` exactly (after a stratum, whose patients were the
    /// only ones in the tree).
    fn clear(&mut self, r: usize) {
        self.at_rank[r] = 0.0;
        let mut i = r + 1;
        while i < self.tree.len() {
            self.tree[i] = 0.0;
            i += i & i.wrapping_neg();
        }
    }

    /// The weight below rank `r`.
    fn below(&self, mut i: usize) -> f64 {
        let mut s = 0.0;
        while i > 0 {
            s += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        s
    }

    /// Of `total`, the weight below, above and at rank `r`.
    fn around(&self, total: f64, r: usize) -> (f64, f64, f64) {
        let lower = self.below(r);
        let same = self.at_rank[r];
        (lower, total - lower - same, same)
    }
}

/// Dense ranks of the scores, and their number: by lookup when the scores
/// take a few values (a model of categorical covariates), else by a sort.
fn dense_ranks(eta: &[f64]) -> (Vec<usize>, usize) {
    const FEW: usize = 16;
    let mut few: Vec<f64> = Vec::with_capacity(FEW);
    for &e in eta {
        if !few.contains(&e) {
            if few.len() == FEW || e.is_nan() {
                few.clear();
                break;
            }
            few.push(e);
        }
    }
    if !few.is_empty() {
        few.sort_by(f64::total_cmp);
        let ranks = eta
            .iter()
            .map(|&e| few.partition_point(|&v| v < e))
            .collect();
        return (ranks, few.len());
    }
    let by_eta = argsort(eta);
    let mut rank_of = vec![0usize; eta.len()];
    let mut m = 0;
    for (k, &i) in by_eta.iter().enumerate() {
        if k > 0 && eta[i] != eta[by_eta[k - 1]] {
            m += 1;
        }
        rank_of[i] = m;
    }
    let m = if eta.is_empty() { 0 } else { m + 1 };
    (rank_of, m)
}

/// Harrell's C, and per patient (in the given order) the weight of the
/// pairs it is in that are concordant, discordant and tied on the score
/// (each pair weighing the other patient's weight; 1 without weights).
fn concordance_with_pairs(
    time: &[f64],
    died: &[bool],
    eta: &[f64],
    stratum: &[usize],
    weights: Option<&[f64]>,
) -> (f64, Vec<[f64; 3]>) {
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let (ranks, m) = dense_ranks(eta);
    let (mut conc, mut disc, mut tied) = (0.0, 0.0, 0.0);
    let mut pairs = vec![[0.0f64; 3]; eta.len()];
    // The weights by score rank of the patients at risk, and of the deaths
    // (to credit a patient at risk with the later deaths compared with
    // it), emptied after each stratum: many small strata, e.g. matched
    // sets, cost no more than one big one.
    let mut risk = RankTree::new(m);
    let mut dead = RankTree::new(m);
    let strata: Vec<std::ops::Range<usize>> = super::data::runs(stratum).collect();
    let several = strata.len() > 1;
    for s in strata {
        let mut total = 0.0;
        let mut deaths = 0.0;
        // A patient entering the risk set: the deaths counted before it
        // are not compared with it (taken off now, the final counts added
        // at the end of the stratum).
        let enter = |q: usize, pairs: &mut [[f64; 3]], dead: &RankTree, deaths: f64| {
            let (lo, hi, same) = dead.around(deaths, ranks[q]);
            // A death with a higher score than q's: concordant for q.
            pairs[q][0] -= hi;
            pairs[q][1] -= lo;
            pairs[q][2] -= same;
        };
        for at in super::data::runs(&time[s.clone()]) {
            let at = s.start + at.start..s.start + at.end;
            for q in at.clone().filter(|&q| !died[q]) {
                enter(q, &mut pairs, &dead, deaths);
                risk.add(ranks[q], w(q));
                total += w(q);
            }
            for q in at.clone().filter(|&q| died[q]) {
                let (lower, higher, same) = risk.around(total, ranks[q]);
                conc += w(q) * lower;
                tied += w(q) * same;
                disc += w(q) * higher;
                pairs[q][0] += lower;
                pairs[q][1] += higher;
                pairs[q][2] += same;
            }
            for q in at.clone().filter(|&q| died[q]) {
                dead.add(ranks[q], w(q));
                deaths += w(q);
            }
            for q in at.filter(|&q| died[q]) {
                enter(q, &mut pairs, &dead, deaths);
                risk.add(ranks[q], w(q));
                total += w(q);
            }
        }
        for q in s.clone() {
            let (lo, hi, same) = dead.around(deaths, ranks[q]);
            pairs[q][0] += hi;
            pairs[q][1] += lo;
            pairs[q][2] += same;
        }
        if several {
            for q in s {
                risk.clear(ranks[q]);
                if died[q] {
                    dead.clear(ranks[q]);
                }
            }
        }
    }
    ((conc + tied / 2.0) / (conc + disc + tied), pairs)
}
