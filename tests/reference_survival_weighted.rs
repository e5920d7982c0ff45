//! Survival with case weights against R 4.2.2, survival 3.5-3 (fixture
//! tests/reference/survival_weighted.json from
//! tests/reference/survival_weighted.R, data tests/data/lung_weighted.csv
//! with its ATE weights `w` and whole-number weights `fw`).

mod common;

use cohortlab::engine::data::{ColumnKind, Dataset, DatasetSpec};
use cohortlab::engine::defaults::CONF_LEVEL;
use cohortlab::engine::survival::*;
use common::{close, data, floats_na, labels, named, reference, Tol};
use serde_json::Value;

/// Coefficients to 1e-8 (the tolerance for estimates).
const COEF: Tol = Tol::relative(1e-8);

fn fixture() -> Value {
    reference("survival_weighted")
}

fn lung() -> Dataset {
    data(
        "lung_weighted.csv",
        DatasetSpec::default()
            .with_kind("sex", ColumnKind::Categorical)
            .with_kind("inst", ColumnKind::Categorical),
    )
}

fn spec(groups: &[&str]) -> SurvivalSpec {
    SurvivalSpec {
        time: "time".into(),
        event: "status".into(),
        event_level: None,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        strata: None,
    }
}

fn analysis(ds: &Dataset, weights: &str, transform: CiTransform, at: &[f64]) -> SurvivalAnalysis {
    let w = weights_from_column(ds, weights).unwrap();
    let options = SurvivalOptions {
        transform,
        conf_level: CONF_LEVEL,
        at,
        rho: 0.0,
        rmst: None,
    };
    survival_analysis_weighted(ds, &spec(&["sex"]), &options, Some(&w)).unwrap()
}

fn check_km(ds: &Dataset, r: &Value) {
    let name = r["name"].as_str().unwrap();
    let transform = CiTransform::parse(r["ctype"].as_str().unwrap()).unwrap();
    let at = floats_na(&r["at_time"]);
    let mut times = at.clone();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let a = analysis(ds, r["weights"].as_str().unwrap(), transform, &times);
    let expected_variance = if r["weights"] == "w" {
        KmVariance::InfinitesimalJackknife
    } else {
        KmVariance::Greenwood
    };
    let strata = labels(&r["strata"]);
    let at_strata = labels(&r["at_strata"]);
    let col = |k: &str| floats_na(&r[k]);
    let (time, n_risk, n_event, n_censor) =
        (col("time"), col("n_risk"), col("n_event"), col("n_censor"));
    let (surv, se, lower, upper) = (col("surv"), col("std_err"), col("lower"), col("upper"));
    let medians = (col("median"), col("median_lower"), col("median_upper"));
    for (gi, label) in labels(&r["groups"]).iter().enumerate() {
        let g = a.groups.iter().find(|g| g.group == *label).unwrap();
        assert_eq!(
            g.fit.weighting.unwrap().variance,
            expected_variance,
            "{name}"
        );
        let idx: Vec<usize> = (0..strata.len()).filter(|&i| strata[i] == *label).collect();
        assert_eq!(g.fit.rows.len(), idx.len(), "{name} {label}: rows");
        for (row, &i) in g.fit.rows.iter().zip(&idx) {
            let what = format!("{name} {label} t={}", row.time);
            close(row.time, time[i], Tol::IDENTICAL, &what);
            let c = row.weighted.unwrap();
            close(c.n_risk, n_risk[i], Tol::EXACT, &format!("{what} n.risk"));
            close(
                c.n_event,
                n_event[i],
                Tol::EXACT,
                &format!("{what} n.event"),
            );
            close(
                c.n_censor,
                n_censor[i],
                Tol::EXACT.near_zero(1e-9),
                &format!("{what} n.censor"),
            );
            close(
                row.surv,
                surv[i],
                Tol::SAME_FORMULA,
                &format!("{what} surv"),
            );
            close(row.std_err, se[i], Tol::REFERENCE, &format!("{what} se"));
            close(
                row.lower,
                lower[i],
                Tol::REFERENCE,
                &format!("{what} lower"),
            );
            close(
                row.upper,
                upper[i],
                Tol::REFERENCE,
                &format!("{what} upper"),
            );
        }
        let m = g.fit.median;
        let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
        close(
            opt(m.median),
            medians.0[gi],
            Tol::IDENTICAL,
            &format!("{name} {label} median"),
        );
        close(
            opt(m.lower),
            medians.1[gi],
            Tol::IDENTICAL,
            &format!("{name} {label} median lower"),
        );
        close(
            opt(m.upper),
            medians.2[gi],
            Tol::IDENTICAL,
            &format!("{name} {label} median upper"),
        );
        let idx: Vec<usize> = (0..at_strata.len())
            .filter(|&i| at_strata[i] == *label)
            .collect();
        assert_eq!(idx.len(), g.landmarks.len(), "{name} {label} landmarks");
        for (l, &i) in g.landmarks.iter().zip(&idx) {
            let what = format!("{name} {label} at {}", l.time);
            close(l.time, col("at_time")[i], Tol::IDENTICAL, &what);
            let n = l.weighted.unwrap().n_risk;
            close(
                n,
                col("at_n_risk")[i],
                Tol::EXACT.near_zero(1e-9),
                &format!("{what} n.risk"),
            );
            close(l.surv, col("at_surv")[i], Tol::SAME_FORMULA, &what);
            close(l.std_err, col("at_std_err")[i], Tol::REFERENCE, &what);
            close(l.lower, col("at_lower")[i], Tol::REFERENCE, &what);
            close(l.upper, col("at_upper")[i], Tol::REFERENCE, &what);
        }
    }
}

/// survfit(weights = ): the weighted curve, its robust (non-integer
/// weights) or Greenwood (whole-number weights) SE and CI at every time,
/// the weighted numbers, landmarks and medians.
#[test]
fn weighted_kaplan_meier_equals_survfit() {
    let ds = lung();
    let f = fixture();
    for r in f["km"].as_array().unwrap() {
        check_km(&ds, r);
    }
    // The weighted median follow-up (reverse Kaplan-Meier of all).
    let a = analysis(&ds, "w", CiTransform::Log, &[]);
    let fu = &f["follow_up"];
    let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
    close(
        opt(a.follow_up.median),
        fu["median"].as_f64().unwrap(),
        Tol::IDENTICAL,
        "follow-up",
    );
    close(
        opt(a.follow_up.lower),
        fu["lower"].as_f64().unwrap(),
        Tol::IDENTICAL,
        "follow-up lower",
    );
    close(
        opt(a.follow_up.upper),
        fu["upper"].as_f64().unwrap(),
        Tol::IDENTICAL,
        "follow-up upper",
    );
}

/// The weighted curves are compared by the robust score test of the
/// weighted Cox model of the group (R's robscore), not a log-rank test.
#[test]
fn weighted_comparison_is_the_robust_score_test() {
    let ds = lung();
    let r = named(&fixture()["cox"], "sex_efron");
    let a = analysis(&ds, "w", CiTransform::Log, &[]);
    assert!(a.log_rank.is_none() && a.pairwise.is_empty());
    let c = a.weighted.unwrap();
    assert_eq!(c.df, 1);
    assert_eq!(c.variance, KmVariance::InfinitesimalJackknife);
    close(
        c.chi_square.unwrap(),
        r["robust_score"].as_f64().unwrap(),
        Tol::REFERENCE,
        "robscore",
    );
    close(
        c.p_value.unwrap(),
        r["robust_score_p"].as_f64().unwrap(),
        Tol::REFERENCE,
        "robscore p",
    );
}

fn cox_spec(vars: &[&str], ties: Ties) -> CoxSpec {
    CoxSpec {
        time: "time".into(),
        event: "status".into(),
        event_level: None,
        variables: vars.iter().map(|v| v.to_string()).collect(),
        ordinal: Vec::new(),
        strata: None,
        cluster: None,
        ties,
        conf_level: CONF_LEVEL,
    }
}

fn check_cox(ds: &Dataset, spec: &CoxSpec, name: &str) {
    let r = named(&fixture()["cox"], name);
    let w = weights_from_column(ds, "w").unwrap();
    let fit = cox_model_weighted(ds, spec, Some(&w)).unwrap();
    assert!(fit.convergence.converged, "{name}");
    assert_eq!(fit.n as u64, r["n"].as_u64().unwrap(), "{name} n");
    assert_eq!(
        fit.events as u64,
        r["nevent"].as_u64().unwrap(),
        "{name} events"
    );
    let f = |k: &str| floats_na(&r[k]);
    let (coef, se, rse, rp, lower, upper) = (
        f("coef"),
        f("se"),
        f("robust_se"),
        f("robust_p"),
        f("lower"),
        f("upper"),
    );
    assert_eq!(fit.terms.len(), coef.len(), "{name}");
    for (i, t) in fit.terms.iter().enumerate() {
        let what = format!("{name} {}", t.term);
        close(t.coef, coef[i], COEF, &what);
        close(t.se, se[i], Tol::REFERENCE, &format!("{what} naive se"));
        let rob = t.robust.unwrap();
        close(rob.se, rse[i], Tol::REFERENCE, &format!("{what} robust se"));
        close(rob.p_value, rp[i], Tol::WALD_P, &format!("{what} robust p"));
        close(
            rob.ci_lower,
            lower[i],
            Tol::REFERENCE,
            &format!("{what} lower"),
        );
        close(
            rob.ci_upper,
            upper[i],
            Tol::REFERENCE,
            &format!("{what} upper"),
        );
    }
    let ll = f("loglik");
    close(fit.log_likelihood_null, ll[0], Tol::SAME_FORMULA, name);
    close(fit.log_likelihood, ll[1], Tol::SAME_FORMULA, name);
    close(
        fit.lr_chi_square,
        f("lr")[0],
        Tol::REFERENCE,
        &format!("{name} lr"),
    );
    close(
        fit.score_chi_square,
        f("score")[0],
        Tol::REFERENCE,
        &format!("{name} score"),
    );
    close(
        fit.robust_wald_chi_square.unwrap(),
        f("robust_wald")[0],
        Tol::REFERENCE,
        &format!("{name} robust wald"),
    );
    close(
        fit.robust_score_chi_square.unwrap(),
        f("robust_score")[0],
        Tol::REFERENCE,
        &format!("{name} robust score"),
    );
    close(
        fit.robust_score_p_value.unwrap(),
        f("robust_score_p")[0],
        Tol::REFERENCE,
        &format!("{name} robust score p"),
    );
    // Concordance with case weights: each pair weighs the product of its
    // patients' weights; its SE by the weighted infinitesimal jackknife
    // (by cluster when clustered).
    close(
        fit.concordance,
        f("concordance")[0],
        Tol::REFERENCE,
        &format!("{name} concordance"),
    );
    close(
        fit.concordance_se,
        f("concordance_se")[0],
        Tol::REFERENCE,
        &format!("{name} concordance se"),
    );
}

/// coxph(weights = , robust = TRUE): Efron and Breslow, with and without
/// cluster, stratified.
#[test]
fn weighted_cox_equals_coxph() {
    let ds = lung();
    let vars = ["age", "sex", "ph.ecog"];
    check_cox(&ds, &cox_spec(&vars, Ties::Efron), "efron");
    check_cox(&ds, &cox_spec(&vars, Ties::Breslow), "breslow");
    for (ties, name) in [
        (Ties::Efron, "efron_cluster_inst"),
        (Ties::Breslow, "breslow_cluster_inst"),
    ] {
        let mut s = cox_spec(&vars, ties);
        s.cluster = Some("inst".into());
        check_cox(&ds, &s, name);
    }
    let mut s = cox_spec(&["age", "ph.ecog"], Ties::Efron);
    s.strata = Some("sex".into());
    check_cox(&ds, &s, "efron_strata");
    check_cox(&ds, &cox_spec(&["sex"], Ties::Efron), "sex_efron");
}

/// Rows of weight 0 are left out exactly: the same fit and curves as with
/// the rows deleted (counted as dropped instead).
#[test]
fn zero_weights_are_deleted_rows() {
    let ds = lung();
    let w = weights_from_column(&ds, "w").unwrap();
    let zeroed: Vec<f64> = w
        .iter()
        .enumerate()
        .map(|(i, &v)| if i % 7 == 3 { 0.0 } else { v })
        .collect();
    let keep: Vec<usize> = (0..ds.n_rows).filter(|i| i % 7 != 3).collect();
    let kept = ds.subset(&keep);
    let kept_w: Vec<f64> = keep.iter().map(|&i| w[i]).collect();
    let left_out = ds.n_rows - keep.len();
    for ties in [Ties::Efron, Ties::Breslow] {
        let spec = cox_spec(&["age", "sex", "ph.ecog"], ties);
        let mut a = cox_model_weighted(&ds, &spec, Some(&zeroed)).unwrap();
        let b = cox_model_weighted(&kept, &spec, Some(&kept_w)).unwrap();
        assert_eq!(a.dropped, b.dropped + left_out);
        a.dropped = b.dropped;
        assert_eq!(a, b, "{ties:?}");
    }
    let options = SurvivalOptions {
        transform: CiTransform::Log,
        conf_level: CONF_LEVEL,
        at: &[180.0, 365.0],
        rho: 0.0,
        rmst: Some(500.0),
    };
    let s = spec(&["sex"]);
    let mut a = survival_analysis_weighted(&ds, &s, &options, Some(&zeroed)).unwrap();
    let b = survival_analysis_weighted(&kept, &s, &options, Some(&kept_w)).unwrap();
    assert_eq!(a.dropped, b.dropped + left_out);
    a.dropped = b.dropped;
    assert_eq!(a, b);
}

/// Every weight 1: the unweighted fit bit for bit, with the robust SEs
/// and tests added; the curves are the unweighted ones (whole-number
/// weights keep Greenwood's variance, as R).
#[test]
fn unit_weights_are_the_unweighted_fit() {
    let ds = lung();
    let ones = vec![1.0; ds.n_rows];
    for ties in [Ties::Efron, Ties::Breslow] {
        let spec = cox_spec(&["age", "sex", "ph.ecog"], ties);
        let plain = cox_model(&ds, &spec).unwrap();
        let mut weighted = cox_model_weighted(&ds, &spec, Some(&ones)).unwrap();
        for t in &mut weighted.terms {
            assert!(t.robust.take().is_some_and(|r| r.se > 0.0), "{ties:?}");
        }
        assert!(weighted.robust_wald_chi_square.take().is_some());
        assert!(weighted.robust_wald_p_value.take().is_some());
        assert!(weighted.robust_score_chi_square.take().is_some());
        assert!(weighted.robust_score_p_value.take().is_some());
        assert!(weighted.weighted && !plain.weighted);
        weighted.weighted = false;
        assert_eq!(plain, weighted, "{ties:?}");
    }
    let options = SurvivalOptions {
        transform: CiTransform::LogLog,
        conf_level: 0.9,
        at: &[180.0, 365.0],
        rho: 0.0,
        rmst: Some(500.0),
    };
    let s = spec(&["sex"]);
    let plain = survival_analysis_with(&ds, &s, &options).unwrap();
    let weighted = survival_analysis_weighted(&ds, &s, &options, Some(&ones)).unwrap();
    assert_eq!(plain.follow_up, weighted.follow_up);
    for (a, b) in plain.groups.iter().zip(&weighted.groups) {
        assert_eq!(b.fit.weighting.unwrap().variance, KmVariance::Greenwood);
        assert_eq!((a.rmst, a.fit.median), (b.rmst, b.fit.median));
        for (x, y) in a.fit.rows.iter().zip(&b.fit.rows) {
            let (mut x, mut y) = (*x, *y);
            assert_eq!(y.weighted.take().map(|c| c.n_risk), Some(x.n_risk as f64));
            // Missing bounds (NaN) compare unequal: compare their bits.
            let bits = |r: &KmRow| [r.time, r.surv, r.std_err, r.lower, r.upper].map(f64::to_bits);
            assert_eq!(bits(&x), bits(&y));
            x.weighted = None;
            assert_eq!(
                (x.n_risk, x.n_event, x.n_censor),
                (y.n_risk, y.n_event, y.n_censor)
            );
        }
    }
}

/// A negative, infinite or missing weight of a row used is an error naming
/// the row (the file's row number), with a hint.
#[test]
fn bad_weight_names_the_row() {
    let ds = lung();
    let mut w = vec![1.0; ds.n_rows];
    w[5] = -0.5;
    let row = ds.row_numbers[5];
    let e = cox_model_weighted(&ds, &cox_spec(&["age"], Ties::Efron), Some(&w)).unwrap_err();
    assert!(e.to_string().contains(&format!("row {row}")), "{e}");
    assert!(!e.hint().is_empty());
    w[5] = f64::NAN;
    let options = SurvivalOptions {
        transform: CiTransform::Log,
        conf_level: CONF_LEVEL,
        at: &[],
        rho: 0.0,
        rmst: None,
    };
    let e = survival_analysis_weighted(&ds, &spec(&["sex"]), &options, Some(&w)).unwrap_err();
    assert!(
        matches!(e, SurvivalError::BadWeight { row: r, .. } if r == row),
        "{e}"
    );
    let e = survival_analysis_weighted(&ds, &spec(&["sex"]), &options, Some(&w[1..])).unwrap_err();
    assert!(matches!(e, SurvivalError::WeightsLength { .. }), "{e}");
}

/// The example study with ATE weights of seed marking
/// (tests/data/example-study-weights.csv, in the study's row order): the
/// weighted curves by marking and the weighted Cox model.
#[test]
fn example_study_weighted() {
    let ex = data("example-study.csv", DatasetSpec::default());
    let wd = data("example-study-weights.csv", DatasetSpec::default());
    let ids = |ds: &Dataset| -> Vec<String> {
        let c = ds.column("id").unwrap();
        (0..ds.n_rows).map(|i| c.display(i)).collect()
    };
    assert_eq!(ids(&ex), ids(&wd));
    let w = weights_from_column(&wd, "w").unwrap();
    let r = &fixture()["example"];
    let options = SurvivalOptions {
        transform: CiTransform::Log,
        conf_level: CONF_LEVEL,
        at: &[],
        rho: 0.0,
        rmst: None,
    };
    let s = SurvivalSpec {
        time: "idfs_months".into(),
        event: "idfs_event".into(),
        event_level: None,
        groups: vec!["seed_marking".into()],
        strata: None,
    };
    let a = survival_analysis_weighted(&ex, &s, &options, Some(&w)).unwrap();
    let km = &r["km"];
    let strata = labels(&km["strata"]);
    let col = |k: &str| floats_na(&km[k]);
    let mut checked = 0;
    for g in &a.groups {
        let idx: Vec<usize> = (0..strata.len())
            .filter(|&i| strata[i] == g.group)
            .collect();
        assert_eq!(idx.len(), g.fit.rows.len(), "{}", g.group);
        for (row, &i) in g.fit.rows.iter().zip(&idx) {
            let what = format!("example {} t={}", g.group, row.time);
            close(row.time, col("time")[i], Tol::IDENTICAL, &what);
            close(
                row.weighted.unwrap().n_risk,
                col("n_risk")[i],
                Tol::EXACT,
                &what,
            );
            close(row.surv, col("surv")[i], Tol::SAME_FORMULA, &what);
            close(row.std_err, col("std_err")[i], Tol::REFERENCE, &what);
            close(row.lower, col("lower")[i], Tol::REFERENCE, &what);
            close(row.upper, col("upper")[i], Tol::REFERENCE, &what);
            checked += 1;
        }
    }
    assert_eq!(checked, strata.len());
    let cox = &r["cox"];
    let spec = CoxSpec {
        time: "idfs_months".into(),
        event: "idfs_event".into(),
        ..cox_spec(&["seed_marking", "tpcr"], Ties::Efron)
    };
    let fit = cox_model_weighted(&ex, &spec, Some(&w)).unwrap();
    assert_eq!(fit.n as u64, cox["n"].as_u64().unwrap());
    assert_eq!(fit.events as u64, cox["nevent"].as_u64().unwrap());
    let f = |k: &str| floats_na(&cox[k]);
    for (i, t) in fit.terms.iter().enumerate() {
        close(t.coef, f("coef")[i], COEF, &t.term);
        close(t.se, f("se")[i], Tol::REFERENCE, &t.term);
        close(
            t.robust.unwrap().se,
            f("robust_se")[i],
            Tol::REFERENCE,
            &t.term,
        );
    }
    close(
        fit.robust_score_chi_square.unwrap(),
        f("robust_score")[0],
        Tol::REFERENCE,
        "example robust score",
    );
    close(
        fit.concordance,
        f("concordance")[0],
        Tol::REFERENCE,
        "example concordance",
    );
    close(
        fit.concordance_se,
        f("concordance_se")[0],
        Tol::REFERENCE,
        "example concordance se",
    );
}
