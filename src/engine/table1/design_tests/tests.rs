//! The design-based tests' identities and the results that say why a test
//! cannot be computed (the reference against R is
//! tests/reference_table1_weighted_p.rs).

use super::*;
use crate::engine::hypothesis::{chi_square, ContingencyTable};
use statrs::distribution::{ContinuousCDF, StudentsT};

fn f_of(d: &DesignTest) -> (f64, f64, f64) {
    match d.statistic {
        DesignStatistic::F { value, df1, df2 } => (value, df1, df2),
        DesignStatistic::T { value, df } => (value * value, 1.0, df),
    }
}

/// P(F > t²) on 1 and ν df is the two-sided t P; P(F > 0) = 1.
#[test]
fn f_tail_is_the_t_tail() {
    let t = StudentsT::new(0.0, 1.0, 17.5).unwrap();
    for x in [0.3, 1.7, 4.2, 9.0] {
        let two_sided = 2.0 * t.sf(x);
        assert!((f_upper(x * x, 1.0, 17.5) - two_sided).abs() < 1e-12 * two_sided.max(1e-300));
    }
    assert_eq!(f_upper(0.0, 2.0, 10.0), 1.0);
    assert!(f_upper(f64::NAN, 2.0, 10.0).is_nan());
    assert!(f_upper(1.0, 0.0, 10.0).is_nan());
}

/// With weights 1 and every patient with a value, the design effects are
/// N/(N - 1): Δ = N/(N - 1) I, so F = X² (N - 1)/(N m) on m and
/// m (N - 1) df, X² Pearson's of the counts.
#[test]
fn unit_weights_give_pearson_scaled() {
    let level = [0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2, 2, 1, 0, 0, 1];
    let g = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    let w = [1.0; 16];
    let lv: Vec<Option<usize>> = level.iter().map(|&l| Some(l)).collect();
    let d = design_chisq(&lv, &g, &w, 3, 2).unwrap();
    let mut counts = vec![vec![0u64; 2]; 3];
    for (&l, &gi) in level.iter().zip(&g) {
        counts[l][gi] += 1;
    }
    let x2 = chi_square(&ContingencyTable::new(&counts).unwrap())
        .statistic
        .unwrap();
    let (f, df1, df2) = f_of(&d);
    assert!((f - x2 * 15.0 / 16.0 / 2.0).abs() < 1e-12, "{f}");
    assert!((df1 - 2.0).abs() < 1e-12 && (df2 - 30.0).abs() < 1e-10);
    assert_eq!(d.test, TestKind::RaoScottF);
}

/// Weights times a constant change no test; the two-group rank t squared
/// is its F, and the Wald F of two groups is (difference / SE)².
#[test]
fn weights_scale_free_and_two_group_identities() {
    let y = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0];
    let g = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    let w = [1.2, 0.4, 2.0, 1.0, 0.7, 3.1, 0.5, 1.5, 0.9, 2.2];
    let w10: Vec<f64> = w.iter().map(|x| x * 10.0).collect();
    for test in [design_wald, design_rank] {
        let a = test(&y, &g, &w, 2, 12).unwrap();
        let b = test(&y, &g, &w10, 2, 12).unwrap();
        let (fa, fb) = (f_of(&a).0, f_of(&b).0);
        assert!((fa - fb).abs() < 1e-12 * fa, "{fa} {fb}");
        // The df count the patients with a value; the factor N/(N - 1)
        // all of them (N = 12).
        assert_eq!(f_of(&a).2, 8.0);
    }
    let mean = |k: usize| {
        let (s, sw) = (0..10)
            .filter(|&i| g[i] == k)
            .fold((0.0, 0.0), |(s, sw), i| (s + w[i] * y[i], sw + w[i]));
        (s / sw, sw)
    };
    let (m0, w0) = mean(0);
    let (m1, w1) = mean(1);
    let s: f64 = (0..10)
        .map(|i| {
            let (m, sw) = if g[i] == 0 { (m0, w0) } else { (m1, w1) };
            (w[i] * (y[i] - m) / sw).powi(2)
        })
        .sum();
    let f = (m1 - m0).powi(2) / (12.0 / 11.0 * s);
    let d = design_wald(&y, &g, &w, 2, 12).unwrap();
    assert!((f_of(&d).0 - f).abs() < 1e-12 * f);
    let r = design_rank(&y, &g, &w, 2, 12).unwrap();
    assert!(matches!(r.statistic, DesignStatistic::T { df, .. } if df == 8.0));
    let (f, _, df2) = f_of(&r);
    assert!((r.p_value - f_upper(f, 1.0, df2)).abs() < 1e-15);
}

/// Mid-ranks: ties share the mean of their (cumulative - half) weights,
/// taken in the order given (R's `ave`), over Σw.
#[test]
fn rank_scores_average_ties_in_order() {
    let s = rank_scores(&[2.0, 1.0, 2.0], &[1.0, 2.0, 3.0]);
    // Order: 1 (w 2), 2 (w 1), 2 (w 3): C - w/2 = 1, 2.5, 4.5.
    assert_eq!(s[1], 1.0 / 6.0);
    assert_eq!(s[0], 3.5 / 6.0);
    assert_eq!(s[2], 3.5 / 6.0);
}

/// Each reason a test cannot be computed.
#[test]
fn not_computable_says_why() {
    let g = [0, 0, 1, 1];
    let w = [1.0, 2.0, 1.0, 2.0];
    let one_level = [Some(1), Some(1), None, Some(1)];
    assert_eq!(
        design_chisq(&one_level, &g, &w, 3, 2),
        Err(NoDesignTest::TooFewLevels { levels: 1 })
    );
    let empty_group = [Some(0), Some(1), None, None];
    assert_eq!(
        design_chisq(&empty_group, &g, &w, 2, 2),
        Err(NoDesignTest::EmptyGroup)
    );
    assert_eq!(
        design_chisq(&[Some(0), Some(1)], &[0, 0], &[1.0, 1.0], 2, 2),
        Err(NoDesignTest::TooFewGroups { groups: 1 })
    );
    // A level of weight 1e-20 leaves the design effects singular.
    let lv = [Some(0), Some(1), Some(2), Some(0), Some(1), Some(0)];
    let tiny = [1.0, 1.0, 1e-20, 2.0, 1.0, 1.0];
    assert_eq!(
        design_chisq(&lv, &[0, 0, 0, 1, 1, 1], &tiny, 3, 2),
        Err(NoDesignTest::Singular)
    );
    for test in [design_wald, design_rank] {
        assert_eq!(
            test(&[1.0, 2.0], &[1, 1], &[1.0, 1.0], 2, 2),
            Err(NoDesignTest::TooFewGroups { groups: 1 })
        );
        assert_eq!(
            test(&[1.0, 2.0], &[0, 1], &[1.0, 1.0], 2, 2),
            Err(NoDesignTest::TooFewPatients { n: 2 })
        );
        assert_eq!(
            test(&[1.0, 1.0, 2.0, 2.0], &g, &w, 2, 4),
            Err(NoDesignTest::NoVariation)
        );
    }
    for e in [NoDesignTest::Singular, NoDesignTest::EmptyGroup] {
        assert!(!e.to_string().is_empty() && !e.hint().is_empty());
    }
}
