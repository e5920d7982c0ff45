//! Harrell's concordance of a Cox model's risk scores, as R's
//! `concordance` (`coxph`'s `concordance` component), and its standard
//! error by the infinitesimal jackknife (R's `concordancefit`), by cluster
//! when the model is clustered.

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
    concordance_with_pairs(time, died, eta, stratum).0
}

/// Harrell's C and its standard error by the infinitesimal jackknife (R's
/// `concordancefit`): each patient's concordant, discordant and tied pairs
/// give its influence on Somers' d; their squares summed (by cluster when
/// `cluster` is given, in the same order as the patients) give the variance.
pub(super) fn concordance_and_se(
    time: &[f64],
    died: &[bool],
    eta: &[f64],
    stratum: &[usize],
    cluster: Option<&[usize]>,
) -> (f64, f64) {
    let (c, pairs) = concordance_with_pairs(time, died, eta, stratum);
    let (conc, disc, tied) = pairs
        .iter()
        .fold((0.0, 0.0, 0.0), |a, p| (a.0 + p[0], a.1 + p[1], a.2 + p[2]));
    // Each pair was counted for both its patients.
    let npair = (conc + disc + tied) / 2.0;
    let somers = (conc - disc) / 2.0 / npair;
    let influence = pairs
        .iter()
        .map(|p| (p[0] - p[1]) / npair - somers / npair * (p[0] + p[1] + p[2]));
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

/// Harrell's C, and per patient (in the given order) the pairs it is in
/// that are concordant, discordant and tied on the score.
fn concordance_with_pairs(
    time: &[f64],
    died: &[bool],
    eta: &[f64],
    stratum: &[usize],
) -> (f64, Vec<[f64; 3]>) {
    // Dense ranks of the scores, by one sort.
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
    let ranks = rank_of;
    let (mut conc, mut disc, mut tied) = (0.0, 0.0, 0.0);
    // Per patient: pairs concordant, discordant, tied on the score.
    let mut pairs = vec![[0.0f64; 3]; eta.len()];
    // Fenwick trees of counts by score rank (and the count at each rank,
    // for ties): of the patients at risk, and of the deaths (to credit a
    // patient at risk with the later deaths compared with it), emptied
    // after each stratum: many small strata, e.g. matched sets, cost no
    // more than one big one.
    let mut tree = vec![0u32; m + 1];
    let mut at_rank = vec![0u32; m];
    let mut dtree = vec![0u32; m + 1];
    let mut dat_rank = vec![0u32; m];
    let add = |tree: &mut [u32], at_rank: &mut [u32], r: usize, up: bool| {
        at_rank[r] = if up { at_rank[r] + 1 } else { at_rank[r] - 1 };
        let mut i = r + 1;
        while i <= m {
            tree[i] = if up { tree[i] + 1 } else { tree[i] - 1 };
            i += i & i.wrapping_neg();
        }
    };
    let below = |tree: &[u32], mut i: usize| {
        let mut s = 0u64;
        while i > 0 {
            s += u64::from(tree[i]);
            i -= i & i.wrapping_neg();
        }
        s as f64
    };
    // Deaths so far with a score below, above and equal to rank r.
    let deaths_around = |dtree: &[u32], dat_rank: &[u32], total: f64, r: usize| {
        let lower = below(dtree, r);
        let same = f64::from(dat_rank[r]);
        (lower, total - lower - same, same)
    };
    let strata: Vec<std::ops::Range<usize>> = super::data::runs(stratum).collect();
    let several = strata.len() > 1;
    for s in strata {
        let mut total = 0.0;
        let mut deaths = 0.0;
        // A patient entering the risk set: the deaths counted before it
        // are not compared with it (taken off now, the final counts added
        // at the end of the stratum).
        let enter =
            |q: usize, pairs: &mut [[f64; 3]], dtree: &[u32], dat_rank: &[u32], deaths: f64| {
                let (lo, hi, same) = deaths_around(dtree, dat_rank, deaths, ranks[q]);
                // A death with a higher score than q's: concordant for q.
                pairs[q][0] -= hi;
                pairs[q][1] -= lo;
                pairs[q][2] -= same;
            };
        for at in super::data::runs(&time[s.clone()]) {
            let at = s.start + at.start..s.start + at.end;
            for q in at.clone().filter(|&q| !died[q]) {
                enter(q, &mut pairs, &dtree, &dat_rank, deaths);
                add(&mut tree, &mut at_rank, ranks[q], true);
                total += 1.0;
            }
            for q in at.clone().filter(|&q| died[q]) {
                let r = ranks[q];
                let lower = below(&tree, r);
                let same = f64::from(at_rank[r]);
                conc += lower;
                tied += same;
                disc += total - lower - same;
                pairs[q][0] += lower;
                pairs[q][1] += total - lower - same;
                pairs[q][2] += same;
            }
            for q in at.clone().filter(|&q| died[q]) {
                add(&mut dtree, &mut dat_rank, ranks[q], true);
                deaths += 1.0;
            }
            for q in at.filter(|&q| died[q]) {
                enter(q, &mut pairs, &dtree, &dat_rank, deaths);
                add(&mut tree, &mut at_rank, ranks[q], true);
                total += 1.0;
            }
        }
        for q in s.clone() {
            let (lo, hi, same) = deaths_around(&dtree, &dat_rank, deaths, ranks[q]);
            pairs[q][0] += hi;
            pairs[q][1] += lo;
            pairs[q][2] += same;
        }
        if several {
            for q in s {
                add(&mut tree, &mut at_rank, ranks[q], false);
                if died[q] {
                    add(&mut dtree, &mut dat_rank, ranks[q], false);
                }
            }
        }
    }
    ((conc + tied / 2.0) / (conc + disc + tied), pairs)
}
