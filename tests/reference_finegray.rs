//! The Fine-Gray model and the cause-specific Cox models against R 4.2.2,
//! survival 3.5-3 and cmprsk 2.2-11 (fixture tests/reference/finegray.json
//! from tests/reference/finegray.R; data tests/data/mgus2_hgb.csv,
//! lung_competing.csv, example-study-competing.csv, finegray_ties.csv):
//! per case, `crr`'s coefficients, sandwich SEs, model-based SEs, SHR, CI,
//! P and log pseudo-likelihoods, the counts of events, competing events
//! and censored patients, and per cause `coxph`'s coefficients, SEs, HR,
//! CI, P and log-likelihoods; and the errors of a bad model.

mod common;

use cohortlab::engine::competing::*;
use cohortlab::engine::data::{Dataset, DatasetSpec};
use cohortlab::engine::survival::CoxError;
use common::{close, floats_na, reference, strings, Tol};
use serde_json::Value;

/// crr's estimates and SEs: 1e-6 relative, tighter than the 1e-5
/// (crr stops at gtol = 1e-8, its estimates then within about 2e-7).
const CRR: Tol = Tol::REFERENCE;

fn spec_of(c: &Value) -> CompetingSpec {
    CompetingSpec {
        time: c["time"].as_str().unwrap().into(),
        status: c["status"].as_str().unwrap().into(),
        event_level: c["event"].as_str().unwrap().into(),
        competing_levels: strings(&c["competing"]),
        group: None,
    }
}

fn covariates(c: &Value) -> CompetingCovariates {
    CompetingCovariates {
        variables: strings(&c["vars"]),
        ordinal: Vec::new(),
        cluster: None,
    }
}

fn file(c: &Value) -> Dataset {
    common::data(c["file"].as_str().unwrap(), DatasetSpec::default())
}

fn cases() -> Vec<Value> {
    reference("finegray")["cases"].as_array().unwrap().clone()
}

fn n(v: &Value) -> usize {
    v.as_u64().unwrap() as usize
}

/// R's name of a design column: `sex: M` is `sexM`.
fn r_name(term: &str) -> String {
    term.replace(": ", "")
}

fn check_fine_gray(name: &str, fit: &FineGrayFit, r: &Value) {
    assert!(fit.convergence.converged, "{name}: {:?}", fit.convergence);
    let terms: Vec<String> = fit.terms.iter().map(|t| r_name(&t.term)).collect();
    assert_eq!(terms, strings(&r["terms"]), "{name} terms");
    assert_eq!(fit.n, n(&r["n"]), "{name} n");
    assert_eq!(fit.events, n(&r["events"]), "{name} events");
    assert_eq!(fit.competing_events, n(&r["competing"]), "{name} competing");
    assert_eq!(fit.censored, n(&r["censored"]), "{name} censored");
    let col = |k: &str| floats_na(&r[k]);
    for (j, t) in fit.terms.iter().enumerate() {
        let what = |x: &str| format!("{name} {} {x}", t.term);
        close(t.coef, col("coef")[j], CRR, &what("coef"));
        close(t.se, col("se")[j], CRR, &what("se"));
        close(t.naive_se, col("naive_se")[j], CRR, &what("naive se"));
        close(t.z, col("z")[j], CRR, &what("z"));
        close(t.shr, col("shr")[j], CRR, &what("shr"));
        close(t.ci_lower, col("lower")[j], CRR, &what("lower"));
        close(t.ci_upper, col("upper")[j], CRR, &what("upper"));
        close(t.p_value, col("p")[j], Tol::WALD_P, &what("p"));
    }
    close(
        fit.log_likelihood,
        r["loglik"].as_f64().unwrap(),
        Tol::SAME_FORMULA,
        &format!("{name} loglik"),
    );
    close(
        fit.log_likelihood_null,
        r["loglik_null"].as_f64().unwrap(),
        Tol::SAME_FORMULA,
        &format!("{name} loglik null"),
    );
}

fn check_cox(name: &str, got: &[CauseCox], r: &Value) {
    let r = r.as_array().unwrap();
    assert_eq!(got.len(), r.len(), "{name} causes");
    for (k, (g, e)) in got.iter().zip(r).enumerate() {
        let what = |x: &str| format!("{name} cause {} {x}", g.cause);
        assert_eq!(g.cause, e["cause"].as_str().unwrap(), "{}", what("level"));
        assert_eq!(g.event_of_interest, k == 0);
        assert_eq!(g.events, n(&e["events"]), "{}", what("events"));
        let fit = g.fit.as_ref().unwrap();
        assert_eq!(fit.events, g.events);
        let terms: Vec<String> = fit.terms.iter().map(|t| r_name(&t.term)).collect();
        assert_eq!(terms, strings(&e["terms"]), "{}", what("terms"));
        let col = |k: &str| floats_na(&e[k]);
        for (j, t) in fit.terms.iter().enumerate() {
            let w = |x: &str| what(&format!("{} {x}", t.term));
            close(t.coef, col("coef")[j], Tol::relative(1e-8), &w("coef"));
            close(t.se, col("se")[j], Tol::REFERENCE, &w("se"));
            close(t.hazard_ratio, col("hr")[j], Tol::relative(1e-8), &w("hr"));
            close(t.ci_lower, col("lower")[j], Tol::REFERENCE, &w("lower"));
            close(t.ci_upper, col("upper")[j], Tol::REFERENCE, &w("upper"));
            close(t.p_value, col("p")[j], Tol::REFERENCE, &w("p"));
        }
        let ll = col("loglik");
        close(
            fit.log_likelihood_null,
            ll[0],
            Tol::SAME_FORMULA,
            &what("ll0"),
        );
        close(fit.log_likelihood, ll[1], Tol::SAME_FORMULA, &what("ll"));
    }
}

#[test]
fn fine_gray_matches_crr() {
    for c in cases() {
        let name = c["name"].as_str().unwrap();
        let fit = fine_gray(&file(&c), &spec_of(&c), &covariates(&c), 0.95)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_fine_gray(name, &fit, &c["finegray"]);
        assert_eq!(fit.dropped, n(&c["dropped"]), "{name} dropped");
        assert_eq!(fit.event, c["event"].as_str().unwrap());
        assert_eq!(fit.competing, strings(&c["competing"]));
    }
}

#[test]
fn cause_specific_cox_matches_coxph() {
    for c in cases() {
        let name = c["name"].as_str().unwrap();
        let fits = cause_specific_cox(&file(&c), &spec_of(&c), &covariates(&c), 0.95)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_cox(name, &fits, &c["cox"]);
        for f in &fits {
            assert_eq!(f.fit.as_ref().unwrap().dropped, n(&c["dropped"]));
        }
    }
}

/// The combined models are the two fits on the same patients.
#[test]
fn competing_models_are_both_fits() {
    let c = cases().into_iter().next().unwrap();
    let m = competing_models(&file(&c), &spec_of(&c), &covariates(&c), 0.95).unwrap();
    check_fine_gray("mgus2 combined", &m.fine_gray, &c["finegray"]);
    check_cox("mgus2 combined", &m.cause_specific, &c["cox"]);
}

/// A level of the CI other than 0.95 moves the interval, not the estimate.
#[test]
fn conf_level_moves_the_interval_only() {
    let c = cases().into_iter().next().unwrap();
    let f95 = fine_gray(&file(&c), &spec_of(&c), &covariates(&c), 0.95).unwrap();
    let f90 = fine_gray(&file(&c), &spec_of(&c), &covariates(&c), 0.90).unwrap();
    let z90 = 1.6448536269514722;
    for (a, b) in f95.terms.iter().zip(&f90.terms) {
        assert_eq!(a.coef, b.coef);
        assert_eq!(a.se, b.se);
        close(
            b.ci_lower,
            (b.coef - z90 * b.se).exp(),
            Tol::EXACT,
            "lower 90",
        );
        assert!(b.ci_lower > a.ci_lower && b.ci_upper < a.ci_upper);
    }
}

#[test]
fn bad_models_are_errors_with_hints() {
    let c = cases().into_iter().next().unwrap();
    let ds = file(&c);
    let spec = spec_of(&c);
    let cov = |v: &[&str]| CompetingCovariates {
        variables: v.iter().map(|s| s.to_string()).collect(),
        ordinal: Vec::new(),
        cluster: None,
    };
    // A level not in the column.
    let bad = CompetingSpec {
        event_level: "7".into(),
        ..spec.clone()
    };
    let e = fine_gray(&ds, &bad, &cov(&["age"]), 0.95).unwrap_err();
    assert!(e.to_string().contains('7'), "{e}");
    assert!(!e.hint().is_empty());
    // The time as a covariate.
    let e = fine_gray(&ds, &spec, &cov(&["age", "etime"]), 0.95).unwrap_err();
    assert!(e.to_string().contains("etime"), "{e}");
    // An unknown covariate.
    let e = cause_specific_cox(&ds, &spec, &cov(&["nope"]), 0.95).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    // A confidence level out of range.
    let e = fine_gray(&ds, &spec, &cov(&["age"]), 1.5).unwrap_err();
    assert!(matches!(e, CompetingError::InvalidOption { .. }), "{e}");
    // Separation: x = 1 for every event of interest and only for them.
    let csv = "t,s,x\n1,1,1\n2,2,0\n3,0,0\n4,1,1\n5,2,0\n6,1,1\n";
    let ds = common::dataset(csv, DatasetSpec::default());
    let spec = CompetingSpec {
        time: "t".into(),
        status: "s".into(),
        event_level: "1".into(),
        competing_levels: vec!["2".into()],
        group: None,
    };
    let fit = fine_gray(&ds, &spec, &cov(&["x"]), 0.95).unwrap();
    assert_eq!(fit.diagnostics.len(), 1, "{:?}", fit.diagnostics);
    assert!(fit.diagnostics[0].message.contains("may be infinite"));
    // The fits of the cases have no such warning.
    for c in cases() {
        let fit = fine_gray(&file(&c), &spec_of(&c), &covariates(&c), 0.95).unwrap();
        assert!(fit.diagnostics.is_empty(), "{:?}", fit.diagnostics);
    }
    // A constant covariate leaves the design; the model has no term.
    let csv = "t,s,x\n1,1,1\n2,2,1\n3,0,1\n4,1,1\n5,2,1\n6,1,1\n";
    let ds = common::dataset(csv, DatasetSpec::default());
    let fit = fine_gray(&ds, &spec, &cov(&["x"]), 0.95).unwrap();
    assert!(fit.terms.is_empty());
    // No event of interest among the complete cases.
    let csv = "t,s,x\n1,2,1\n2,2,0\n3,0,1\n4,1,\n5,2,1\n6,0,0\n";
    let ds = common::dataset(csv, DatasetSpec::default());
    let e = fine_gray(&ds, &spec, &cov(&["x"]), 0.95).unwrap_err();
    assert_eq!(e, CompetingError::Model(CoxError::NoEvents), "{e}");
    assert!(!e.hint().is_empty());
}

/// With no competing event before the last time, the Fine-Gray model is
/// the Cox model with Breslow ties: the same estimate, its model-based SE
/// the Cox SE and crr's sandwich the Cox robust SE (each patient its own
/// cluster), as the weights are all 1 and the censoring term vanishes.
#[test]
fn without_competing_events_fine_gray_is_breslow_cox() {
    use cohortlab::engine::survival::{fit_cox, CoxData, Ties};
    let mut csv = String::from("t,s,x,z\n");
    let (mut time, mut event, mut x) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..60u32 {
        // Times with ties, events and censorings mixed, two covariates.
        let t = f64::from((i * 37) % 23 + 1);
        let s = u32::from((i * 11) % 5 != 0);
        let (a, b) = (f64::from((i * 13) % 7) - 3.0, f64::from(i % 2));
        csv.push_str(&format!("{t},{s},{a},{b}\n"));
        time.push(t);
        event.push(s == 1);
        x.extend([a, b]);
    }
    // One competing event, after every other time.
    csv.push_str("99,2,1,0\n");
    time.push(99.0);
    event.push(false);
    x.extend([1.0, 0.0]);
    let ds = common::dataset(&csv, DatasetSpec::default());
    let spec = CompetingSpec {
        time: "t".into(),
        status: "s".into(),
        event_level: "1".into(),
        competing_levels: vec!["2".into()],
        group: None,
    };
    let cov = CompetingCovariates {
        variables: vec!["x".into(), "z".into()],
        ordinal: Vec::new(),
        cluster: None,
    };
    let fg = fine_gray(&ds, &spec, &cov, 0.95).unwrap();
    let n = time.len();
    let cluster: Vec<usize> = (0..n).collect();
    let names = vec!["x".to_string(), "z".to_string()];
    let d = CoxData {
        x: &x,
        columns: 2,
        time: &time,
        event: &event,
        stratum: &vec![0; n],
        cluster: Some(&cluster),
        weights: None,
    };
    let cox = fit_cox(&d, &names, Ties::Breslow, 0.95).unwrap();
    for (f, c) in fg.terms.iter().zip(&cox.terms) {
        close(f.coef, c.coef, Tol::relative(1e-9), "coef");
        close(f.naive_se, c.se, Tol::relative(1e-9), "model-based se");
        let robust = c.robust.unwrap().se;
        close(f.se, robust, Tol::relative(1e-9), "sandwich se");
    }
    close(
        fg.log_likelihood,
        cox.log_likelihood,
        Tol::SAME_FORMULA,
        "ll",
    );
}
