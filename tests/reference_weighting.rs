//! Weighting against R 4.2.2 (tests/reference/weighting.R): WeightIt's
//! weights written out, cobalt's balance statistics written out and
//! `survey::svyglm`'s weighted outcomes, on lalonde and the example study.
//! Scores and weights 1e-8, SEs and CIs 1e-6, counts exact.

mod common;

use cohortlab::engine::data::{Dataset, DatasetSpec};
use cohortlab::engine::weighting::{
    weight_patients, weighted_balance, weighted_outcome, Estimand, GroupWeights, WeightOptions,
    WeightSpec,
};
use cohortlab::engine::Choice;
use common::{close, data, example, floats, floats_na, reference, strings, Tol};
use serde_json::Value;

/// Weights: 1e-8, absolute below 1e-3 (scores near 0 from separation
/// converge to a different tiny value in each program).
const WEIGHT: Tol = Tol::relative(1e-8).near_zero(1e-3);

fn check_group(ours: &GroupWeights, r: &Value, what: &str) {
    assert_eq!(ours.n as u64, r["n"].as_u64().unwrap(), "{what} n");
    for (k, v) in [
        ("min", ours.min),
        ("max", ours.max),
        ("mean", ours.mean),
        ("sum", ours.sum),
        ("ess", ours.ess),
    ] {
        close(v, r[k].as_f64().unwrap(), WEIGHT, &format!("{what} {k}"));
    }
}

fn check(ds: &Dataset, case: &Value, treatment: &str, covariates: &[&str]) {
    let name = case["name"].as_str().unwrap();
    let spec = WeightSpec {
        treatment: treatment.into(),
        treated_level: None,
        covariates: covariates.iter().map(|s| s.to_string()).collect(),
        ordinal: Vec::new(),
        options: WeightOptions {
            estimand: Estimand::from_key(case["estimand"].as_str().unwrap()).unwrap(),
            stabilize: case["stabilize"].as_bool().unwrap(),
            trim: case["trim"].as_f64(),
            truncate: case["truncate"].as_f64(),
        },
    };
    let w = weight_patients(ds, &spec).unwrap();
    let ids = strings(&case["ids"]);
    let ps = floats(&case["ps"]);
    let weights = floats(&case["weights"]);
    for row in 0..ds.n_rows {
        assert_eq!(ds.column("id").unwrap().display(row), ids[row]);
        close(w.ps[row], ps[row], WEIGHT, &format!("{name} score {row}"));
        close(
            w.weights[row],
            weights[row],
            WEIGHT,
            &format!("{name} weight {row}"),
        );
    }
    assert_eq!(
        w.trimmed.treated as u64,
        case["trimmed_treated"].as_u64().unwrap()
    );
    assert_eq!(
        w.trimmed.control as u64,
        case["trimmed_control"].as_u64().unwrap()
    );
    assert_eq!(
        w.truncated as u64,
        case["truncated"].as_u64().unwrap(),
        "{name}"
    );
    check_group(
        &w.treated_weights,
        &case["treated"],
        &format!("{name} treated"),
    );
    check_group(
        &w.control_weights,
        &case["control"],
        &format!("{name} control"),
    );
    check_balance(ds, &w, case, name);
    let level = case["level"].as_f64().unwrap();
    for o in case["outcomes"].as_array().unwrap() {
        check_outcome(ds, &w, o, level, name);
    }
}

fn check_balance(
    ds: &Dataset,
    w: &cohortlab::engine::weighting::WeightResult,
    case: &Value,
    name: &str,
) {
    let bal = weighted_balance(ds, w);
    assert_eq!(bal.denominator, w.spec.options.estimand.smd_denominator());
    let mut seen = 0;
    for b in case["balance"].as_array().unwrap() {
        let term = b["term"].as_str().unwrap();
        // R names a dummy `raceblack`, `age_group> 50`; ours `race: black`.
        // Of a two-level factor we show the non-reference level: where R's
        // dummy is the other level, ours is its mirror image (1 - p, -SMD).
        let (row, mirror) = match bal
            .rows
            .iter()
            .find(|r| r.term.replace(": ", "") == term || (r.binary && r.variable == term))
        {
            Some(row) => (row, false),
            None => (
                bal.rows
                    .iter()
                    .find(|r| r.binary && term.starts_with(&r.variable) && r.level.is_some())
                    .unwrap_or_else(|| panic!("{name}: no balance row for {term}")),
                true,
            ),
        };
        seen += 1;
        let m = |p: f64| if mirror { 1.0 - p } else { p };
        let sign = if mirror { -1.0 } else { 1.0 };
        for (side, s) in [("before", &row.before), ("after", &row.after)] {
            let r = &b[side];
            let what = |k: &str| format!("{name} {term} {side} {k}");
            let tol = Tol::SAME_FORMULA.near_zero(1e-3);
            close(
                m(s.mean_treated),
                r["mean_treated"].as_f64().unwrap(),
                tol,
                &what("mean treated"),
            );
            close(
                m(s.mean_control),
                r["mean_control"].as_f64().unwrap(),
                tol,
                &what("mean control"),
            );
            // A level no treated patient has (histology "Other"): R's
            // treated SD is 0 and its SMD not finite (ours falls back on
            // the pooled SD), and its weighted SD is the weight of scores
            // near 0 that depend on each program's convergence: no SMD to
            // compare.
            let r_smd = floats_na(&r["smd"])[0];
            let denominator = floats_na(&b["denominator"])[0];
            if r_smd.is_finite() && denominator > 1e-3 {
                close(sign * s.smd, r_smd, tol, &what("smd"));
            } else {
                assert!(s.smd.is_finite(), "{}", what("smd"));
            }
            close(
                s.ecdf_mean,
                r["ecdf_mean"].as_f64().unwrap(),
                tol,
                &what("ecdf mean"),
            );
            close(
                s.ecdf_max,
                r["ecdf_max"].as_f64().unwrap(),
                tol,
                &what("ecdf max"),
            );
            let vr = floats_na(&r["var_ratio"])[0];
            match s.var_ratio {
                Some(v) => close(v, vr, tol, &what("variance ratio")),
                None => assert!(vr.is_nan(), "{}", what("variance ratio")),
            }
        }
    }
    // R lists every dummy of the model; we list the non-reference level of
    // a binary covariate and every level of the others.
    assert!(seen > 0 && seen <= bal.rows.len(), "{name}");
}

fn check_outcome(
    ds: &Dataset,
    w: &cohortlab::engine::weighting::WeightResult,
    o: &Value,
    level: f64,
    name: &str,
) {
    let col = o["outcome"].as_str().unwrap();
    let ours = weighted_outcome(ds, w, col, level).unwrap();
    let what = |k: &str| format!("{name} {col} {k}");
    let num = |v: &Value| v.as_f64().unwrap();
    close(
        ours.treated.0,
        num(&o["risk_treated"]),
        Tol::SAME_FORMULA,
        &what("risk treated"),
    );
    close(
        ours.control.0,
        num(&o["risk_control"]),
        Tol::SAME_FORMULA,
        &what("risk control"),
    );
    assert_eq!(ours.treated.1 as u64, o["n_treated"].as_u64().unwrap());
    assert_eq!(ours.control.1 as u64, o["n_control"].as_u64().unwrap());
    for (k, est, se, exp) in [
        ("rd", ours.risk_difference, ours.se[0], false),
        ("log_rr", ours.risk_ratio, ours.se[1], true),
        ("log_or", ours.odds_ratio, ours.se[2], true),
    ] {
        let r = &o[k];
        let f = |x: f64| if exp { x.exp() } else { x };
        assert_eq!(ours.df, num(&r["df"]), "{}", what("df"));
        close(
            est.value,
            f(num(&r["coef"])),
            Tol::relative(1e-8),
            &what(&format!("{k} coef")),
        );
        close(se, num(&r["se"]), Tol::REFERENCE, &what(&format!("{k} se")));
        close(
            est.lower,
            f(num(&r["lower"])),
            Tol::REFERENCE,
            &what(&format!("{k} lower")),
        );
        close(
            est.upper,
            f(num(&r["upper"])),
            Tol::REFERENCE,
            &what(&format!("{k} upper")),
        );
        assert_eq!(est.level, level);
    }
    close(
        ours.p_value,
        num(&o["log_or"]["p"]),
        Tol::REFERENCE,
        &what("P"),
    );
}

fn cases(prefix: &str) -> Vec<Value> {
    let all = reference("weighting")["cases"].as_array().unwrap().clone();
    let some: Vec<Value> = all
        .into_iter()
        .filter(|c| c["name"].as_str().unwrap().starts_with(prefix))
        .collect();
    assert!(!some.is_empty());
    some
}

#[test]
fn lalonde_weights_balance_and_outcomes_equal_r() {
    let ds = data("lalonde_outcome.csv", DatasetSpec::default());
    let cov = ["age", "educ", "race", "married", "nodegree", "re74", "re75"];
    for case in cases("lalonde") {
        check(&ds, &case, "treat", &cov);
    }
}

#[test]
fn example_study_weights_balance_and_outcomes_equal_r() {
    let ds = example();
    let cov = [
        "age_group",
        "menopausal",
        "histology",
        "ki67_group",
        "ct",
        "cn",
        "subtype",
    ];
    for case in cases("example") {
        check(&ds, &case, "seed_marking", &cov);
    }
}
