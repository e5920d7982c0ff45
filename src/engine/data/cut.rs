//! Derived columns: a numeric column cut at thresholds into groups.

use super::coding::finish_levels;
use super::{Closed, Column, ColumnData, ColumnOverride, Recode, SpecError, MISSING_CODE};

fn fmt_num(x: f64) -> String {
    x.to_string()
}

/// Cuts a numeric column at thresholds into a new categorical column.
pub(super) fn cut_column(
    name: &str,
    source: &Column,
    recode: &Recode,
    ov: &ColumnOverride,
) -> Result<ColumnData, SpecError> {
    let Recode::Cut {
        thresholds,
        closed,
        labels,
    } = recode;
    let ColumnData::Numeric(values) = &source.data else {
        return Err(SpecError::CutNeedsNumeric {
            column: source.name.clone(),
            kind: source.kind.to_string(),
        });
    };
    let increasing = thresholds.windows(2).all(|w| w[0] < w[1]);
    if thresholds.is_empty() || !increasing || thresholds.iter().any(|t| !t.is_finite()) {
        return Err(SpecError::BadThresholds {
            column: name.to_owned(),
        });
    }
    let groups = thresholds.len() + 1;
    let labels = match labels {
        Some(l) if l.len() != groups => {
            return Err(SpecError::BadLabels {
                column: name.to_owned(),
                labels: l.len(),
                groups,
            })
        }
        Some(l) => l.clone(),
        None => default_cut_labels(thresholds, *closed),
    };
    let codes = values
        .iter()
        .map(|&x| {
            if x.is_nan() {
                MISSING_CODE
            } else {
                let below = match closed {
                    Closed::Right => thresholds.iter().filter(|&&t| x > t).count(),
                    Closed::Left => thresholds.iter().filter(|&&t| x >= t).count(),
                };
                below as u32
            }
        })
        .collect::<Vec<u32>>();
    // Cut groups keep their interval order unless the user reorders them.
    let mut ov = ov.clone();
    if ov.level_order.is_empty() {
        ov.level_order = labels.clone();
    }
    finish_levels(name, codes, labels, &ov)
}

/// `<= 50`, `> 50` (right-closed) or `< 20`, `>= 20` (left-closed); middle
/// groups as `> 20 to <= 40`.
pub(crate) fn default_cut_labels(t: &[f64], closed: Closed) -> Vec<String> {
    let (lo, hi, lo_in, hi_in) = match closed {
        Closed::Right => ("≤", ">", ">", "≤"),
        Closed::Left => ("<", "≥", "≥", "<"),
    };
    let mut out = vec![format!("{lo} {}", fmt_num(t[0]))];
    for w in t.windows(2) {
        out.push(format!(
            "{lo_in} {} to {hi_in} {}",
            fmt_num(w[0]),
            fmt_num(w[1])
        ));
    }
    out.push(format!("{hi} {}", fmt_num(t[t.len() - 1])));
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{levels, raw};
    use crate::engine::data::{Closed, ColumnKind, Dataset, DatasetSpec, SpecError};

    #[test]
    fn cut_right_and_left_closed() {
        let r = raw("age;ki67\n50;19,9\n51;20\n30;20\n70;5\nNA;NA\n");
        let spec = DatasetSpec::default()
            .with_cut("age_group", "age", &[50.0], Closed::Right)
            .with_cut("ki67_group", "ki67", &[20.0], Closed::Left)
            .with_cut("age3", "age", &[40.0, 60.0], Closed::Right);
        let ds = Dataset::build(&r, &spec).unwrap();
        assert_eq!(
            levels(&ds, "age_group"),
            [("≤ 50".into(), 2), ("> 50".into(), 2)]
        );
        assert_eq!(
            levels(&ds, "ki67_group"),
            [("< 20".into(), 2), ("≥ 20".into(), 2)]
        );
        assert_eq!(
            levels(&ds, "age3"),
            [
                ("≤ 40".into(), 1),
                ("> 40 to ≤ 60".into(), 2),
                ("> 60".into(), 1)
            ]
        );
        assert_eq!(ds.column("age_group").unwrap().n_missing(), 1);
        assert_eq!(ds.column("age_group").unwrap().kind, ColumnKind::Binary);
        let bad = DatasetSpec::default().with_cut("g", "age", &[60.0, 40.0], Closed::Right);
        assert!(matches!(
            Dataset::build(&r, &bad),
            Err(SpecError::BadThresholds { .. })
        ));
        let bad = DatasetSpec::default().with_cut("age", "ki67", &[1.0], Closed::Right);
        assert!(matches!(
            Dataset::build(&r, &bad),
            Err(SpecError::NameTaken { .. })
        ));
    }
}
