//! Fisher's exact test for r x c tables, two-sided, as R's `fisher.test()`:
//! the P value is the total probability, under the multivariate
//! hypergeometric distribution of tables with the observed margins, of the
//! tables no more probable than the observed one (with R's relative
//! tolerance of 1e-7).
//!
//! # Method
//! A table's probability is `K * Π_j w_j(x_j)`, with `K = Π r_i! Π c_j! / n!`
//! and `w_j(x) = 1 / Π_i x_ij!` for column `j`. Columns are filled one at a
//! time; a node is (next column, remaining row sums). For every node the
//! total, largest and smallest weight of all its completions are computed
//! once (memoised on the sorted remaining row sums, since they do not depend
//! on row order). A depth-first walk then adds whole subtrees whose largest
//! completion is no more probable than the observed table, and drops those
//! whose smallest is more probable, so it only descends where the two mix:
//! the idea of the network algorithm (Mehta & Patel 1983, JASA 78:427).

use std::collections::HashMap;

use super::{ContingencyTable, TestKind, TestResult};

/// The walk gives up past this much work (completions of a column
/// enumerated, deterministic, not time): a 5 x 10 table took minutes.
/// [`fisher_test`] simulates the P value then.
pub const FISHER_WORK_BOUND: u64 = 1_000_000;

/// Why Fisher's exact test could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FisherError {
    #[error("Fisher's exact test is too large to compute for this table")]
    TooLarge,
}

impl FisherError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            FisherError::TooLarge => {
                "Merge levels with few patients, or use the chi-square test (or Fisher's test with a simulated P value).".into()
            }
        }
    }
}

/// Totals over all completions of a node, in logs.
#[derive(Clone, Copy)]
struct Node {
    log_sum: f64,
    max: f64,
    min: f64,
}

struct Walk<'a> {
    cols: Vec<u64>,
    log_fact: &'a [f64],
    memo: HashMap<(usize, Vec<u64>), Node>,
    nodes: u64,
}

fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// Calls `f` for every way to split `total` into `rem.len()` parts with
/// part i at most rem[i], until `f` returns false.
fn for_each_split(rem: &[u64], total: u64, f: &mut dyn FnMut(&[u64]) -> bool) {
    fn go(
        rem: &[u64],
        left: u64,
        cap_after: &[u64],
        cur: &mut Vec<u64>,
        f: &mut dyn FnMut(&[u64]) -> bool,
    ) -> bool {
        let i = cur.len();
        if i == rem.len() {
            return left != 0 || f(cur);
        }
        let hi = rem[i].min(left);
        let lo = left.saturating_sub(cap_after[i]);
        for x in lo..=hi {
            cur.push(x);
            let more = go(rem, left - x, cap_after, cur, f);
            cur.pop();
            if !more {
                return false;
            }
        }
        true
    }
    // cap_after[i]: the most the parts after i can take.
    let mut cap_after = vec![0u64; rem.len()];
    for i in (0..rem.len().saturating_sub(1)).rev() {
        cap_after[i] = cap_after[i + 1] + rem[i + 1];
    }
    if rem.iter().sum::<u64>() < total {
        return;
    }
    go(
        rem,
        total,
        &cap_after,
        &mut Vec::with_capacity(rem.len()),
        f,
    );
}

impl Walk<'_> {
    /// The completions of column `j` given the remaining row sums, each
    /// counted as work against [`FISHER_WORK_BOUND`].
    fn split(&mut self, rem: &[u64], j: usize, out: &mut Vec<Vec<u64>>) -> Result<(), FisherError> {
        let budget = FISHER_WORK_BOUND.saturating_sub(self.nodes);
        let mut over = false;
        for_each_split(rem, self.cols[j], &mut |x| {
            if (out.len() as u64) < budget {
                out.push(x.to_vec());
                true
            } else {
                over = true;
                false
            }
        });
        self.nodes += out.len() as u64 + 1;
        if over || self.nodes > FISHER_WORK_BOUND {
            return Err(FisherError::TooLarge);
        }
        Ok(())
    }

    fn weight(&self, x: &[u64]) -> f64 {
        -x.iter().map(|&v| self.log_fact[v as usize]).sum::<f64>()
    }

    fn node(&mut self, j: usize, rem: &[u64]) -> Result<Node, FisherError> {
        if j == self.cols.len() {
            return Ok(Node {
                log_sum: 0.0,
                max: 0.0,
                min: 0.0,
            });
        }
        let mut key_rows = rem.to_vec();
        key_rows.sort_unstable();
        let key = (j, key_rows);
        if let Some(n) = self.memo.get(&key) {
            return Ok(*n);
        }
        let mut splits = Vec::new();
        self.split(rem, j, &mut splits)?;
        let mut acc = Node {
            log_sum: f64::NEG_INFINITY,
            max: f64::NEG_INFINITY,
            min: f64::INFINITY,
        };
        for x in splits {
            let w = self.weight(&x);
            let next: Vec<u64> = rem.iter().zip(&x).map(|(r, v)| r - v).collect();
            let child = self.node(j + 1, &next)?;
            acc.log_sum = log_add(acc.log_sum, w + child.log_sum);
            acc.max = acc.max.max(w + child.max);
            acc.min = acc.min.min(w + child.min);
        }
        self.memo.insert(key, acc);
        Ok(acc)
    }

    /// Log of the total weight of completions of (j, rem) whose weight,
    /// added to `past`, is at most `target`.
    fn tail(&mut self, j: usize, rem: &[u64], past: f64, target: f64) -> Result<f64, FisherError> {
        let node = self.node(j, rem)?;
        if past + node.max <= target {
            return Ok(past + node.log_sum);
        }
        if past + node.min > target {
            return Ok(f64::NEG_INFINITY);
        }
        let mut splits = Vec::new();
        self.split(rem, j, &mut splits)?;
        let mut total = f64::NEG_INFINITY;
        for x in splits {
            let w = self.weight(&x);
            let next: Vec<u64> = rem.iter().zip(&x).map(|(r, v)| r - v).collect();
            total = log_add(total, self.tail(j + 1, &next, past + w, target)?);
        }
        Ok(total)
    }
}

/// Fisher's test as R's `fisher.test`: exact while the computation is
/// within [`FISHER_WORK_BOUND`], else with a simulated P value
/// ([`super::fisher_simulated`], test kind `FisherSimulated`).
pub fn fisher_test(t: &ContingencyTable) -> TestResult {
    fisher_exact(t).unwrap_or_else(|_| super::fisher_simulated(t))
}

/// Two-sided Fisher exact test of an r x c table.
pub fn fisher_exact(t: &ContingencyTable) -> Result<TestResult, FisherError> {
    // Fewer rows than columns makes the splits cheaper: transpose if needed.
    let counts: Vec<Vec<u64>> = if t.counts.len() > t.counts[0].len() {
        (0..t.counts[0].len())
            .map(|j| t.counts.iter().map(|r| r[j]).collect())
            .collect()
    } else {
        t.counts.clone()
    };
    let rows: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let mut col_idx: Vec<usize> = (0..counts[0].len()).collect();
    let col_total = |j: usize| counts.iter().map(|r| r[j]).sum::<u64>();
    // Largest columns first: fewer nodes near the root.
    col_idx.sort_by_key(|&j| std::cmp::Reverse(col_total(j)));
    let cols: Vec<u64> = col_idx.iter().map(|&j| col_total(j)).collect();
    let n: u64 = rows.iter().sum();
    let mut log_fact = vec![0.0; n as usize + 1];
    for k in 1..=n as usize {
        log_fact[k] = log_fact[k - 1] + (k as f64).ln();
    }
    let log_k = rows.iter().map(|&r| log_fact[r as usize]).sum::<f64>()
        + cols.iter().map(|&c| log_fact[c as usize]).sum::<f64>()
        - log_fact[n as usize];
    let mut walk = Walk {
        cols,
        log_fact: &log_fact,
        memo: HashMap::new(),
        nodes: 0,
    };
    let observed: f64 = col_idx
        .iter()
        .map(|&j| walk.weight(&counts.iter().map(|r| r[j]).collect::<Vec<_>>()))
        .sum();
    // R: sum(d[d <= d_obs * (1 + 1e-7)]).
    let target = observed + (1.0 + 1e-7f64).ln();
    let log_p = walk.tail(0, &rows, 0.0, target)? + log_k;
    Ok(TestResult {
        test: TestKind::FisherExact,
        statistic: None,
        df: None,
        p_value: log_p.exp().min(1.0),
    })
}
