//! Firth's penalised logistic regression (`LogisticSpec::firth`) against
//! the formulas computed in R 4.2.2 (tests/reference/firth.R ->
//! firth.json), and against R's logistf on its `sex2` example as published
//! (logistf is not in Debian; the values are those quoted by firthlogist's
//! comparison with logistf).

mod common;

use cohortlab::engine::data::{ColumnKind, Dataset, DatasetSpec};
use cohortlab::engine::regression::{fit_logistic, LogisticFit, LogisticSpec};
use common::{close, floats, named, reference, Tol};
use serde_json::Value;

fn model(name: &str) -> Value {
    named(&reference("firth")["models"], name)
}

fn data(file: &str) -> Dataset {
    let spec = if file.contains("level") {
        DatasetSpec::default().with_kind("histology", ColumnKind::Categorical)
    } else {
        DatasetSpec::default()
    };
    common::data(file, spec)
}

fn firth(file: &str, outcome: &str, vars: &[&str]) -> LogisticFit {
    let mut spec = LogisticSpec::new(outcome, vars);
    spec.firth = true;
    fit_logistic(&data(file), &spec).unwrap()
}

fn compare(fit: &LogisticFit, r: &Value) {
    let name = r["name"].as_str().unwrap();
    let coef = floats(&r["coef"]);
    assert_eq!(fit.terms.len(), coef.len(), "{name}");
    assert!(fit.convergence.converged, "{name}");
    for (i, t) in fit.terms.iter().enumerate() {
        let what = format!("{name} {}", t.term);
        assert!(t.not_estimable.is_none(), "{what}");
        close(t.coef, coef[i], Tol::REFERENCE, &what);
        close(t.se, floats(&r["se"])[i], Tol::REFERENCE, &what);
        close(
            t.p_value.unwrap(),
            floats(&r["p"])[i],
            Tol::REFERENCE,
            &what,
        );
        close(
            t.odds_ratio.unwrap(),
            coef[i].exp(),
            Tol::SAME_FORMULA,
            &what,
        );
        close(
            t.ci_lower.unwrap().ln(),
            floats(&r["ci_lower"])[i],
            Tol::REFERENCE,
            &what,
        );
        close(
            t.ci_upper.unwrap().ln(),
            floats(&r["ci_upper"])[i],
            Tol::REFERENCE,
            &what,
        );
    }
}

#[test]
fn sex2_equals_the_formulas_and_logistf() {
    let vars = ["age", "oc", "vic", "vicl", "vis", "dia"];
    let fit = firth("sex2.csv", "case", &vars);
    compare(&fit, &model("sex2"));
    // logistf 1.24 on sex2 (intercept first), as published to 7-8 digits.
    let coef = [
        0.12025405,
        -1.10598131,
        -0.06881673,
        2.26887464,
        -2.11140817,
        -0.78831694,
        3.09601166,
    ];
    let ci = [
        [-0.8185591, 1.07315122],
        [-1.9737884, -0.30742514],
        [-0.9414363, 0.78920202],
        [1.2730216, 3.43543273],
        [-3.2608611, -1.11773495],
        [-1.6080879, 0.01518468],
        [0.7745682, 8.03029352],
    ];
    for (i, t) in fit.terms.iter().enumerate() {
        close(t.coef, coef[i], Tol::REFERENCE, &t.term);
        close(t.ci_lower.unwrap().ln(), ci[i][0], Tol::PUBLISHED, &t.term);
        close(t.ci_upper.unwrap().ln(), ci[i][1], Tol::PUBLISHED, &t.term);
    }
    // dia = 1 only among cases: separated under maximum likelihood, finite
    // by Firth.
    let dia = &fit.terms[6];
    assert!(dia.separation && dia.odds_ratio.is_some());
}

/// Issue 13, item 3: the level with 0 of 16 events gets a finite OR, CI
/// and P by Firth.
#[test]
fn level_without_events_by_firth() {
    let fit = firth("separation-level.csv", "response", &["histology", "age"]);
    compare(&fit, &model("separation_level"));
    assert!(fit.terms[2].separation);
}

#[test]
fn separating_numeric_covariate_by_firth() {
    let fit = firth("separation-numeric.csv", "response", &["marker", "z"]);
    compare(&fit, &model("separation_numeric"));
    assert!(fit.terms[1].separation);
}
