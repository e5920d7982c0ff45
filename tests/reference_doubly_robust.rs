//! The doubly robust estimate against R 4.2.2
//! (tests/reference/doubly_robust.R): `survey::svyglm` for the weighted
//! outcome model with the covariates, the g-computation and the
//! delta-method gradient of WeightIt's vignette written out in R, on
//! lalonde (re78 > 0; ATE, ATT, ATO, ATM, trimmed ATE) and the example
//! study (tpcr, bpcr, apcr; ATE, ATT, ATO, trimmed ATE). Coefficients 1e-8,
//! SEs and CIs 1e-6, counts exact. Then bad inputs: errors, not panics.

mod common;

use cohortlab::engine::data::{Dataset, DatasetSpec};
use cohortlab::engine::weighting::{
    doubly_robust, weight_patients, Estimand, WeightError, WeightOptions, WeightSpec,
};
use cohortlab::engine::{Choice, Code};
use common::{close, data, dataset, example, reference, strings, Tol};
use serde_json::Value;

const COEF: Tol = Tol::relative(1e-8);

fn spec(treatment: &str, covariates: &[&str], case: &Value) -> WeightSpec {
    WeightSpec {
        treatment: treatment.into(),
        treated_level: None,
        covariates: covariates.iter().map(|s| s.to_string()).collect(),
        ordinal: Vec::new(),
        options: WeightOptions {
            estimand: Estimand::from_key(case["estimand"].as_str().unwrap()).unwrap(),
            trim: case["trim"].as_f64(),
            ..WeightOptions::default()
        },
    }
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn check(ds: &Dataset, case: &Value, treatment: &str, covariates: &[&str]) {
    let name = format!(
        "{} {}",
        case["name"].as_str().unwrap(),
        case["outcome"].as_str().unwrap()
    );
    let w = weight_patients(ds, &spec(treatment, covariates, case)).unwrap();
    let level = num(&case["level"]);
    let outcome = case["outcome"].as_str().unwrap();
    let dr = doubly_robust(ds, &w, outcome, level).unwrap();
    let what = |k: &str| format!("{name} {k}");
    let count = |k: &str| case[k].as_u64().unwrap() as usize;
    assert_eq!(dr.n_treated, count("n_treated"), "{}", what("n treated"));
    assert_eq!(dr.n_control, count("n_control"), "{}", what("n control"));
    assert_eq!(dr.events_treated, count("events_treated"));
    assert_eq!(dr.events_control, count("events_control"));
    assert_eq!(dr.n_target, count("n_target"), "{}", what("target"));
    assert_eq!(
        dr.weighted_average,
        case["weighted_average"].as_bool().unwrap()
    );
    assert!(dr.convergence.converged, "{}", what("converged"));
    // The model's terms, R's `raceblack` being our `race: black` and R's
    // 0/1 `married` our `married: 1`; a level that separates the outcome
    // is left out of both (its patients' risk fixed), with a warning. A
    // term whose patients carry a share of the weights near 0 (1e-14:
    // histology "Other" under the ATT and ATO, scores R clamps at 2.2e-16)
    // has a coefficient fixed by rounding errors: not compared.
    let terms = strings(&case["terms"]);
    assert_eq!(dr.terms.len(), terms.len(), "{}", what("terms"));
    let (coef, se) = (&case["coef"], &case["se"]);
    for (k, r) in terms.iter().enumerate() {
        let t = dr
            .terms
            .iter()
            .find(|t| t.term.replace(": ", "") == *r || t.term == format!("{r}: 1"))
            .unwrap_or_else(|| panic!("{}: no term {r}", name));
        if num(&case["share"][k]) < 1e-6 {
            continue;
        }
        close(t.coef, num(&coef[k]), COEF, &what(&format!("{r} coef")));
        close(t.se, num(&se[k]), Tol::REFERENCE, &what(&format!("{r} se")));
    }
    let separated = count("separated") > 0;
    assert_eq!(
        dr.diagnostics.iter().any(|d| d.code == Code::Separation),
        separated,
        "{}",
        what("separation warning")
    );
    for (k, est, s, exp) in [
        ("risk_treated", dr.risk_treated, dr.se_risk_treated, false),
        ("risk_control", dr.risk_control, dr.se_risk_control, false),
        ("rd", dr.risk_difference, dr.se_risk_difference, false),
        ("log_rr", dr.risk_ratio, dr.se_log_risk_ratio, true),
    ] {
        let r = &case[k];
        let f = |x: f64| if exp { x.exp() } else { x };
        close(est.value, f(num(&r["value"])), COEF, &what(k));
        close(s, num(&r["se"]), Tol::REFERENCE, &what(&format!("{k} se")));
        // A limit near 0 (a risk difference whose CI just reaches 0) is
        // compared to 1e-6 of its SE: R's SEs come from glm's last IRLS
        // step, a few 1e-8 (relative) from ours at the optimum.
        let limit = Tol::REFERENCE.near_zero(num(&r["se"]));
        close(
            est.lower,
            f(num(&r["lower"])),
            limit,
            &what(&format!("{k} lower")),
        );
        close(
            est.upper,
            f(num(&r["upper"])),
            limit,
            &what(&format!("{k} upper")),
        );
        assert_eq!(est.level, level);
    }
    close(
        dr.p_value,
        num(&case["rd"]["p"]),
        Tol::REFERENCE,
        &what("P"),
    );
}

fn cases(prefix: &str) -> Vec<Value> {
    let all = reference("doubly_robust")["cases"]
        .as_array()
        .unwrap()
        .clone();
    let some: Vec<Value> = all
        .into_iter()
        .filter(|c| c["name"].as_str().unwrap().starts_with(prefix))
        .collect();
    assert!(!some.is_empty());
    some
}

const LALONDE: [&str; 7] = ["age", "educ", "race", "married", "nodegree", "re74", "re75"];
const EXAMPLE: [&str; 7] = [
    "age_group",
    "menopausal",
    "histology",
    "ki67_group",
    "ct",
    "cn",
    "subtype",
];

#[test]
fn lalonde_equals_svyglm_and_g_computation_in_r() {
    let ds = data("lalonde_outcome.csv", DatasetSpec::default());
    for case in cases("lalonde") {
        check(&ds, &case, "treat", &LALONDE);
    }
}

#[test]
fn example_study_equals_svyglm_and_g_computation_in_r() {
    let ds = example();
    let all = cases("example");
    // tpcr: histology "Other" (16 patients, none with a tpCR) separates.
    assert!(all.iter().any(|c| c["separated"].as_u64() == Some(16)));
    for case in all {
        check(&ds, &case, "seed_marking", &EXAMPLE);
    }
}

/// Trimming leaves out every patient of histology "Other": the level is
/// left out of the outcome model, with a note.
#[test]
fn a_level_trimmed_away_is_left_out_with_a_note() {
    let ds = example();
    let case = &cases("example_ate_trim")[0];
    let w = weight_patients(&ds, &spec("seed_marking", &EXAMPLE, case)).unwrap();
    let dr = doubly_robust(&ds, &w, "bpcr", 0.95).unwrap();
    assert!(dr.terms.iter().all(|t| t.term != "histology: Other"));
    let note = dr
        .diagnostics
        .iter()
        .find(|d| d.code == Code::EmptyLevel)
        .expect("a note on the empty level");
    assert!(
        note.message.contains("histology: Other"),
        "{}",
        note.message
    );
}

/// A small cohort: `x` predicts the group but does not separate it; `y`
/// is `x > 6` (separated by the covariate), `z` has no event among the
/// treated, `u` is unrelated.
fn toy() -> Dataset {
    let mut csv = String::from("t,x,y,z,u\n");
    for i in 0..40 {
        let x = (i % 12) as f64;
        let t = u8::from((i * 7) % 10 < 3 + (i % 12) / 3);
        let y = u8::from(x > 6.0);
        let z = u8::from(t == 0 && i % 3 == 0);
        let u = u8::from(i % 4 == 1);
        csv.push_str(&format!("{t},{x},{y},{z},{u}\n"));
    }
    dataset(&csv, DatasetSpec::default())
}

#[test]
fn bad_inputs_give_errors_not_panics() {
    let ds = toy();
    let spec = WeightSpec {
        treatment: "t".into(),
        treated_level: None,
        covariates: vec!["x".into()],
        ordinal: Vec::new(),
        options: WeightOptions::default(),
    };
    let w = weight_patients(&ds, &spec).unwrap();
    // The control of the toy works.
    let ok = doubly_robust(&ds, &w, "u", 0.95).unwrap();
    assert!(ok.risk_difference.value.is_finite());
    // The covariate separates the outcome: the fit diverges.
    match doubly_robust(&ds, &w, "y", 0.95) {
        Err(e @ WeightError::OutcomeSeparation { .. }) => {
            assert!(e.to_string().contains("`y`"), "{e}");
            assert!(e.to_string().contains('x'), "{e}");
            assert!(!e.hint().is_empty());
        }
        other => panic!("expected separation, got {other:?}"),
    }
    // No event among the treated.
    match doubly_robust(&ds, &w, "z", 0.95) {
        Err(e @ WeightError::OutcomeConstantInGroup { .. }) => {
            assert!(e.to_string().contains("treated"), "{e}");
            assert!(!e.hint().is_empty());
        }
        other => panic!("expected no events in a group, got {other:?}"),
    }
    // Not binary, unknown, the treatment itself, a bad level.
    assert!(matches!(
        doubly_robust(&ds, &w, "x", 0.95),
        Err(WeightError::Outcome(_))
    ));
    assert!(matches!(
        doubly_robust(&ds, &w, "nope", 0.95),
        Err(WeightError::UnknownColumn(_))
    ));
    assert!(matches!(
        doubly_robust(&ds, &w, "t", 0.95),
        Err(WeightError::Roles(_))
    ));
    assert!(matches!(
        doubly_robust(&ds, &w, "u", 95.0),
        Err(WeightError::BadConfLevel(_))
    ));
}
