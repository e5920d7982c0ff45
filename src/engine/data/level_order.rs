//! The natural order of levels: numbers by value, then texts with digit
//! runs compared as numbers (`T2` < `T10`).

use std::cmp::Ordering;

use super::infer::parse_number;

/// Natural order: numbers by value first, then texts with digit runs
/// compared as numbers (`T2` < `T10`), otherwise case-insensitively.
/// A total order on any texts (a sort may panic otherwise): numbers and
/// texts are two classes, each totally ordered, ties broken by the text.
pub(crate) fn level_cmp(a: &str, b: &str) -> Ordering {
    match (parse_number(a, false), parse_number(b, false)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| natural_cmp(a, b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => natural_cmp(a, b),
    }
}

/// Texts with digit runs compared as numbers, otherwise case-insensitively,
/// ties broken by the bytes.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut ai, mut bi) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (ai.peek().copied(), bi.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let mut na = String::new();
                while let Some(c) = ai.peek().copied().filter(char::is_ascii_digit) {
                    na.push(c);
                    ai.next();
                }
                let mut nb = String::new();
                while let Some(c) = bi.peek().copied().filter(char::is_ascii_digit) {
                    nb.push(c);
                    bi.next();
                }
                let ord = na
                    .trim_start_matches('0')
                    .len()
                    .cmp(&nb.trim_start_matches('0').len())
                    .then_with(|| na.trim_start_matches('0').cmp(nb.trim_start_matches('0')));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(x), Some(y)) => {
                let ord = x.to_lowercase().cmp(y.to_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                ai.next();
                bi.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{levels, raw};
    use super::*;
    use crate::engine::data::{Dataset, DatasetSpec};

    /// 20 decimals and a text that looks like one (`0.3389914537612095-4`),
    /// each twice: the level order was not a total order (numbers by value,
    /// the text by its digit runs) and the sort panicked.
    #[test]
    fn level_order_is_total_on_numeric_looking_texts() {
        let mut text = String::from("id,x\n");
        let mut values: Vec<String> = (0..20)
            .map(|i| format!("0.{}", (i * 7919 + 13) % 997))
            .collect();
        values.extend([
            "0.3389914537612095-4".to_string(),
            "0.5-4".into(),
            "0.4".into(),
        ]);
        for (i, v) in values.iter().chain(&values).enumerate() {
            text.push_str(&format!("{i},{v}\n"));
        }
        let ds = Dataset::build(&raw(&text), &DatasetSpec::default()).unwrap();
        let got = levels(&ds, "x");
        assert_eq!(got.len(), values.len());
        // Numbers by value first, then the texts.
        let texts = got.iter().position(|(l, _)| l.ends_with("-4")).unwrap();
        assert!(got[..texts]
            .windows(2)
            .all(|w| w[0].0.parse::<f64>().unwrap() < w[1].0.parse::<f64>().unwrap()));
        assert!(got[texts..].iter().all(|(l, _)| l.ends_with("-4")));
        // Transitive on every triple.
        for a in &values {
            for b in &values {
                for c in &values {
                    if level_cmp(a, b).is_le() && level_cmp(b, c).is_le() {
                        assert!(level_cmp(a, c).is_le(), "{a} {b} {c}");
                    }
                }
            }
        }
    }

    #[test]
    fn natural_level_order() {
        let mut v = vec!["T10", "T2", "t1", "N3", "10", "9"];
        v.sort_by(|a, b| level_cmp(a, b));
        assert_eq!(v, ["9", "10", "N3", "t1", "T2", "T10"]);
    }
}
