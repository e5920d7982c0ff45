use super::weights::{quantile_type3, weight_of};
use super::*;
use crate::engine::data::{load, DatasetSpec, ReadOptions};
use crate::engine::Code;

fn dataset(csv: &str) -> Dataset {
    load(
        csv.as_bytes(),
        &ReadOptions::default(),
        &DatasetSpec::default(),
    )
    .unwrap()
    .1
}

/// 40 patients: treated more often when older; `note` is text, `y` the
/// outcome.
fn small() -> Dataset {
    let mut csv = String::from("id,treat,age,sex,note,y\n");
    for i in 0..40 {
        let age = 30 + (i * 7) % 41;
        let treat = usize::from((i * 13) % 10 < 3 + age / 20);
        let sex = if i % 3 == 0 { "F" } else { "M" };
        let y = usize::from((i * 11) % 7 < 3);
        csv += &format!("P{i},{treat},{age},{sex},n{i},{y}\n");
    }
    dataset(&csv)
}

fn spec(estimand: Estimand) -> WeightSpec {
    WeightSpec {
        treatment: "treat".into(),
        treated_level: None,
        covariates: vec!["age".into(), "sex".into()],
        ordinal: Vec::new(),
        options: WeightOptions {
            estimand,
            ..Default::default()
        },
    }
}

#[test]
fn the_weights_are_weightits_formulas() {
    let e = 0.2;
    assert_eq!(weight_of(Estimand::Ate, e, true), 5.0);
    assert_eq!(weight_of(Estimand::Ate, e, false), 1.25);
    assert_eq!(weight_of(Estimand::Att, e, true), 1.0);
    assert_eq!(weight_of(Estimand::Att, e, false), 0.25);
    assert_eq!(weight_of(Estimand::Ato, e, true), 0.8);
    assert_eq!(weight_of(Estimand::Ato, e, false), 0.2);
    assert_eq!(weight_of(Estimand::Atm, e, true), 1.0);
    assert_eq!(weight_of(Estimand::Atm, e, false), 0.25);
    // Scores of 0 and 1: the ATM and ATO stay finite.
    assert_eq!(weight_of(Estimand::Atm, 0.0, true), 1.0);
    assert_eq!(weight_of(Estimand::Atm, 1.0, true), 0.0);
    assert!(weight_of(Estimand::Ate, 0.0, true).is_infinite());
}

#[test]
fn quantile_type_3_is_rs() {
    // R: quantile(1:10, c(.5, .55, .95, .99, .05), type = 3) = 5 6 10 10 1
    let x: Vec<f64> = (1..=10).map(f64::from).collect();
    let q: Vec<f64> = [0.5, 0.55, 0.95, 0.99, 0.05]
        .iter()
        .map(|&p| quantile_type3(&x, p))
        .collect();
    assert_eq!(q, [5.0, 6.0, 10.0, 10.0, 1.0]);
    // quantile(1:7, c(.5, .75, .9), type = 3) = 4 5 6
    let x: Vec<f64> = (1..=7).map(f64::from).collect();
    assert_eq!(quantile_type3(&x, 0.5), 4.0);
    assert_eq!(quantile_type3(&x, 0.75), 5.0);
    assert_eq!(quantile_type3(&x, 0.9), 6.0);
    // quantile(c(3,1,4,1,5,9,2,6,5,3,5), c(.6, .95, .8), type = 3) = 5 6 5
    let mut x = vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
    x.sort_by(f64::total_cmp);
    assert_eq!(quantile_type3(&x, 0.6), 5.0);
    assert_eq!(quantile_type3(&x, 0.95), 6.0);
    assert_eq!(quantile_type3(&x, 0.8), 5.0);
}

#[test]
fn a_bad_trim_or_truncate_is_refused_with_a_hint() {
    let ds = small();
    for q in [0.0, 0.5, -0.1, f64::NAN] {
        let mut s = spec(Estimand::Ate);
        s.options.trim = Some(q);
        let e = weight_patients(&ds, &s).unwrap_err();
        assert!(matches!(e, WeightError::BadTrim(_)), "{e}");
        assert!(e.hint().contains("0.1"));
    }
    for p in [0.5, 1.0, 0.3, 99.0] {
        let mut s = spec(Estimand::Ate);
        s.options.truncate = Some(p);
        let e = weight_patients(&ds, &s).unwrap_err();
        assert!(matches!(e, WeightError::BadTruncate(_)), "{e}");
        assert!(e.hint().contains("0.99"));
    }
}

#[test]
fn a_text_covariate_or_unknown_column_is_named() {
    let ds = small();
    let mut s = spec(Estimand::Ate);
    s.covariates.push("note".into());
    let e = weight_patients(&ds, &s).unwrap_err();
    assert!(e.to_string().contains("`note`"), "{e}");
    assert!(e.hint().contains("`note`"), "{}", e.hint());
    let mut s = spec(Estimand::Ate);
    s.covariates.push("agee".into());
    let e = weight_patients(&ds, &s).unwrap_err();
    assert_eq!(e, WeightError::UnknownColumn("agee".into()));
    assert!(e.to_string().contains("`agee`"));
    assert!(e.hint().contains("spelling"));
    let w = weight_patients(&ds, &spec(Estimand::Ate)).unwrap();
    let e = weighted_outcome(&ds, &w, "yy", 0.95).unwrap_err();
    assert_eq!(e, WeightError::UnknownColumn("yy".into()));
    let e = weighted_outcome(&ds, &w, "y", 1.5).unwrap_err();
    assert!(matches!(e, WeightError::BadConfLevel(_)));
    let e = weighted_outcome(&ds, &w, "treat", 0.95).unwrap_err();
    assert!(matches!(e, WeightError::Roles(_)), "{e}");
    assert!(!e.hint().is_empty());
}

#[test]
fn stabilising_multiplies_by_the_groups_proportions() {
    let ds = small();
    let plain = weight_patients(&ds, &spec(Estimand::Ate)).unwrap();
    let mut s = spec(Estimand::Ate);
    s.options.stabilize = true;
    let stab = weight_patients(&ds, &s).unwrap();
    let n = plain.treated.iter().flatten().count() as f64;
    let nt = plain.treated.iter().flatten().filter(|&&t| t).count() as f64;
    for i in 0..ds.n_rows {
        let k = if plain.treated[i] == Some(true) {
            nt / n
        } else {
            (n - nt) / n
        };
        assert!((stab.weights[i] - plain.weights[i] * k).abs() < 1e-12);
    }
    // Kish's ESS does not change when a group's weights are scaled.
    assert!((stab.treated_weights.ess - plain.treated_weights.ess).abs() < 1e-9);
    // Asked for another estimand, it is ignored and said.
    let mut s = spec(Estimand::Att);
    s.options.stabilize = true;
    let att = weight_patients(&ds, &s).unwrap();
    assert_eq!(
        att.weights,
        weight_patients(&ds, &spec(Estimand::Att)).unwrap().weights
    );
    assert!(att
        .diagnostics
        .iter()
        .any(|d| d.code == Code::StabilizeIgnored));
}

#[test]
fn trimming_and_truncation_are_counted_and_said() {
    let ds = small();
    // A threshold just above the smallest score (or its mirror image).
    let ps = weight_patients(&ds, &spec(Estimand::Ate)).unwrap().ps;
    let low = ps.iter().map(|&p| p.min(1.0 - p)).fold(1.0, f64::min);
    let q = (low + 1e-6).min(0.49);
    let mut s = spec(Estimand::Ate);
    s.options.trim = Some(q);
    let w = weight_patients(&ds, &s).unwrap();
    assert_eq!(w.ps, ps, "the model is not refitted");
    let outside = (0..ds.n_rows)
        .filter(|&i| w.treated[i].is_some() && !(w.ps[i] >= q && w.ps[i] <= 1.0 - q))
        .count();
    assert!(outside > 0);
    assert_eq!(w.trimmed.treated + w.trimmed.control, outside);
    assert_eq!(w.weights.iter().filter(|&&x| x > 0.0).count(), 40 - outside);
    assert!(w
        .diagnostics
        .iter()
        .any(|d| d.code == Code::WeightsTrimmed && d.message.contains("not refitted")));
    let mut s = spec(Estimand::Ate);
    s.options.truncate = Some(0.9);
    let t = weight_patients(&ds, &s).unwrap();
    assert!(t.truncated > 0);
    let cap = t.weights.iter().cloned().fold(0.0, f64::max);
    assert_eq!(
        t.weights.iter().filter(|&&x| x == cap).count(),
        t.truncated + 1
    );
    assert!(t
        .diagnostics
        .iter()
        .any(|d| d.code == Code::WeightsTruncated));
}

#[test]
fn one_treated_patient_or_perfect_prediction_gives_diagnostics_not_panics() {
    // One treated patient.
    let mut csv = String::from("treat,age,y\n");
    for i in 0..30 {
        csv += &format!("{},{},{}\n", usize::from(i == 4), 20 + i, i % 2);
    }
    let ds = dataset(&csv);
    let mut s = spec(Estimand::Ate);
    s.covariates = vec!["age".into()];
    for est in Estimand::ALL_FOR_TESTS {
        s.options.estimand = est;
        let w = weight_patients(&ds, &s).unwrap();
        assert_eq!(w.treated_weights.n, 1);
        let b = weighted_balance(&ds, &w);
        assert_eq!(b.rows.len(), 1);
        let o = weighted_outcome(&ds, &w, "y", 0.95).unwrap();
        assert_eq!(o.treated.1, 1);
        assert!(o.diagnostics.iter().any(|d| d.code == Code::RiskAtBound));
    }
    // A level that only controls have: its scores go to 0.
    let mut csv = String::from("treat,grp,age,y\n");
    for i in 0..60 {
        let grp = if i < 10 {
            "c"
        } else if i % 2 == 0 {
            "a"
        } else {
            "b"
        };
        let treat = usize::from(grp != "c" && (i * 7) % 5 < 2);
        csv += &format!("{treat},{grp},{},{}\n", 20 + (i * 3) % 17, i % 3 == 0);
    }
    let ds = dataset(&csv);
    let mut s = spec(Estimand::Att);
    s.covariates = vec!["grp".into(), "age".into()];
    for est in Estimand::ALL_FOR_TESTS {
        s.options.estimand = est;
        let w = weight_patients(&ds, &s).unwrap();
        assert!(w.weights.iter().all(|x| x.is_finite()), "{est:?}");
        assert!(w.treated_weights.max.is_finite() && w.control_weights.max.is_finite());
        let o = weighted_outcome(&ds, &w, "y", 0.95).unwrap();
        assert!(o.risk_difference.value.is_finite());
        assert!(!w.diagnostics.is_empty());
    }
}

#[test]
fn the_t_quantile_and_tail_are_rs() {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    // R: qt(0.975, 612), qt(0.95, 1045), 2 * pt(-0.3004, 612), qt(0.975, 3)
    let q = |df: f64, p: f64| StudentsT::new(0.0, 1.0, df).unwrap().inverse_cdf(p);
    for (ours, r) in [
        (q(612.0, 0.975), 1.9638477917083184),
        (q(1045.0, 0.95), 1.6463130806299733),
        (q(3.0, 0.975), 3.1824463052837078),
        (
            2.0 * StudentsT::new(0.0, 1.0, 612.0).unwrap().sf(0.3004),
            0.763_974_077_756_501,
        ),
    ] {
        assert!((ours - r).abs() < 1e-10 * r, "{ours} vs {r}");
    }
}

#[test]
fn the_estimands_and_denominators_round_trip() {
    use crate::engine::Choice;
    for &e in Estimand::ALL {
        assert_eq!(Estimand::from_key(e.key()), Some(e));
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, format!("\"{}\"", e.key()));
    }
    assert_eq!(Estimand::default(), Estimand::Ate);
    assert_eq!(Estimand::Att.smd_denominator(), SmdDenominator::Treated);
    assert_eq!(Estimand::Ate.smd_denominator(), SmdDenominator::Pooled);
    let o: WeightOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(o, WeightOptions::default());
}

impl Estimand {
    const ALL_FOR_TESTS: [Estimand; 4] =
        [Estimand::Ate, Estimand::Att, Estimand::Ato, Estimand::Atm];
}

#[test]
fn scores_of_0_and_1_give_weight_0_and_a_diagnostic() {
    let ps = [0.0, 1.0, 0.5, 0.25, 1.0, f64::NAN];
    let treated = [
        Some(true),
        Some(false),
        Some(true),
        Some(false),
        Some(true),
        None,
    ];
    for est in Estimand::ALL_FOR_TESTS {
        let o = WeightOptions {
            estimand: est,
            stabilize: est == Estimand::Ate,
            truncate: Some(0.9),
            ..Default::default()
        };
        let c = super::weights::compute(&ps, &treated, &o);
        assert!(
            c.weights.iter().all(|w| w.is_finite()),
            "{est:?}: {:?}",
            c.weights
        );
        assert_eq!(c.weights[5], 0.0);
        let infinite = matches!(est, Estimand::Ate | Estimand::Att);
        assert_eq!(c.infinite > 0, infinite, "{est:?}");
        assert_eq!(
            c.diagnostics.iter().any(|d| d.code == Code::InfiniteWeight),
            infinite
        );
        if infinite {
            assert_eq!(c.weights[1], 0.0, "{est:?}: a control with score 1");
        }
    }
}
