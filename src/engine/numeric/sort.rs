//! Ordering a million follow-up times or risk scores: a stable LSD radix
//! sort on the bits of `f64` keys, in the order of [`f64::total_cmp`].

/// The value back from [`ordered_bits`].
fn from_ordered_bits(b: u64) -> f64 {
    f64::from_bits(if b >> 63 == 1 { b & !(1 << 63) } else { !b })
}

/// The key whose unsigned order is `total_cmp`'s order.
fn ordered_bits(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Indices `0..keys.len()` ordered by `keys` ascending (as `total_cmp`),
/// equal keys in index order: the same as a stable `sort_by` on
/// `total_cmp`, in linear time.
pub fn argsort(keys: &[f64]) -> Vec<usize> {
    sort_with_order(keys, false).1
}

/// As [`argsort`], descending (equal keys still in index order).
pub fn argsort_descending(keys: &[f64]) -> Vec<usize> {
    sort_with_order(keys, true).1
}

/// The keys sorted (ascending, or descending) and the order that sorts
/// them: the sorted values come free with the order, so a caller walking
/// them in order reads memory sequentially.
///
/// A long list is sorted in two halves side by side natively, then merged
/// (equal keys from the first half first): the same result. With one
/// thread (the browser's worker), in one piece.
pub fn sort_with_order(keys: &[f64], descending: bool) -> (Vec<f64>, Vec<usize>) {
    let flip = if descending { u64::MAX } else { 0 };
    let value = |k: u64| from_ordered_bits(k ^ flip);
    let half = |from: usize, to: usize| {
        let mut items = sort_bits(keys[from..to].iter().map(|&x| ordered_bits(x) ^ flip));
        for item in &mut items {
            item.1 += from;
        }
        items
    };
    let n = keys.len();
    if n < PARALLEL_MIN || crate::engine::parallel::threads() < 2 {
        return half(0, n).into_iter().map(|(k, i)| (value(k), i)).unzip();
    }
    let (a, b) = crate::engine::parallel::join(|| half(0, n / 2), || half(n / 2, n));
    let (mut values, mut order) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let next = if a[i].0 <= b[j].0 {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        values.push(value(next.0));
        order.push(next.1);
    }
    for &(k, at) in a[i..].iter().chain(&b[j..]) {
        values.push(value(k));
        order.push(at);
    }
    (values, order)
}

/// From this many keys on, [`sort_with_order`] sorts two halves at once.
const PARALLEL_MIN: usize = 1 << 18;

fn sort_bits(bits: impl Iterator<Item = u64>) -> Vec<(u64, usize)> {
    const DIGIT: u32 = 11;
    const BUCKETS: usize = 1 << DIGIT;
    const PASSES: usize = 64usize.div_ceil(DIGIT as usize);
    let mut items: Vec<(u64, usize)> = bits.enumerate().map(|(i, k)| (k, i)).collect();
    let n = items.len();
    if n < 512 {
        items.sort_by_key(|&(k, _)| k);
        return items;
    }
    let mut counts = vec![[0usize; BUCKETS]; PASSES];
    for &(k, _) in &items {
        for (p, c) in counts.iter_mut().enumerate() {
            c[((k >> (p as u32 * DIGIT)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    let mut scratch = vec![(0u64, 0usize); n];
    for (p, c) in counts.iter_mut().enumerate() {
        // A digit shared by every key orders nothing.
        if c.contains(&n) {
            continue;
        }
        let mut start = 0;
        for slot in c.iter_mut() {
            let count = *slot;
            *slot = start;
            start += count;
        }
        let shift = p as u32 * DIGIT;
        for &item in &items {
            let d = ((item.0 >> shift) as usize) & (BUCKETS - 1);
            scratch[c[d]] = item;
            c[d] += 1;
        }
        std::mem::swap(&mut items, &mut scratch);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(keys: &[f64], descending: bool) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..keys.len()).collect();
        if descending {
            idx.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]));
        } else {
            idx.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
        }
        idx
    }

    #[test]
    fn equals_a_stable_comparison_sort() {
        let mut rng = crate::engine::rng::Rng::seed_from_u64(7);
        for n in [0, 1, 5, 511, 512, 3000, 20000, PARALLEL_MIN + 4321] {
            // Ties, negatives, zeros of both signs, infinities and NaN.
            let keys: Vec<f64> = (0..n)
                .map(|i| match i % 11 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => f64::INFINITY,
                    3 => f64::NEG_INFINITY,
                    4 => f64::NAN,
                    5 => ((rng.uniform() * 10.0).floor()) - 5.0,
                    _ => (rng.uniform() - 0.5) * 1e6,
                })
                .collect();
            assert_eq!(argsort(&keys), reference(&keys, false), "n = {n}");
            assert_eq!(argsort_descending(&keys), reference(&keys, true), "n = {n}");
            for descending in [false, true] {
                let (values, order) = sort_with_order(&keys, descending);
                let expected: Vec<u64> = order.iter().map(|&i| keys[i].to_bits()).collect();
                let got: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
                assert_eq!(got, expected, "values, n = {n}");
            }
        }
    }
}
