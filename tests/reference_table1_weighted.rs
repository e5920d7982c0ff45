//! The weighted Table 1 against R 4.2.2 and survey 4.1.1
//! (tests/reference/table1_weighted.R): svytotal, svymean, svyvar and
//! oldsvyquantile by group, on lalonde (ATE, ATT, ATE trimmed, ATT with
//! missing values) and the example study (ATO). Weighted counts, means,
//! SDs, quantiles and SMDs 1e-8 (the quantile rule is the same; the
//! interpolation's cumulative weights are summed in another order); counts
//! exact.

mod common;

use cohortlab::engine::data::{Dataset, DatasetSpec};
use cohortlab::engine::summary::NumericSummary;
use cohortlab::engine::table1::{table1_weighted, Table1, Table1Spec};
use cohortlab::engine::weighting::{
    weight_patients, weighted_table1, Estimand, WeightOptions, WeightSpec,
};
use cohortlab::engine::Choice;
use common::{close, data, example, floats, floats_na, reference, strings, Tol};
use serde_json::Value;

/// 1e-8; absolute 1e-10 below 0.01 (sums of weights near 0, from scores
/// near 0 that each program converges to differently).
const WEIGHTED: Tol = Tol::relative(1e-8).near_zero(1e-2);

/// An SMD below this is a balance that is exact up to the fitting.
const BALANCED: f64 = 1e-6;

fn case(name: &str) -> Value {
    reference("table1_weighted")["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

fn spec_of(c: &Value) -> Table1Spec {
    Table1Spec {
        group: c["group"].as_str().unwrap().into(),
        variables: strings(&c["variables"]),
        nonnormal: match &c["nonnormal"] {
            Value::String(s) => vec![s.clone()],
            v => strings(v),
        },
        continuous: Vec::new(),
        categorical_test: Default::default(),
        continuous_test: Default::default(),
    }
}

fn check_stats(s: &NumericSummary, r: &Value, k: usize, what: &str) {
    // R's n is the group's; ours the patients with a value.
    let n = r["n"][k].as_u64().unwrap() - r["missing"][k].as_u64().unwrap();
    assert_eq!(s.n as u64, n, "{what} n");
    for (key, ours) in [
        ("mean", s.mean),
        ("sd", s.sd),
        ("median", s.median),
        ("q1", s.q1),
        ("q3", s.q3),
    ] {
        close(ours, floats(&r[key])[k], WEIGHTED, &format!("{what} {key}"));
    }
}

/// Every number of `t` but the SMD against the case `c`.
fn check_table(t: &Table1, c: &Value) {
    let name = c["name"].as_str().unwrap();
    let groups = strings(&c["groups"]);
    let levels: Vec<&str> = t.groups.iter().map(|g| g.level.as_str()).collect();
    assert_eq!(levels, groups, "{name} groups");
    let n = floats(&c["n"]);
    let wn = floats(&c["weighted_n"]);
    for (k, g) in t.groups.iter().enumerate() {
        assert_eq!(g.n as f64, n[k], "{name} n");
        close(
            g.weighted_n.unwrap(),
            wn[k],
            WEIGHTED,
            &format!("{name} Σw"),
        );
    }
    let k = groups.len();
    assert_eq!(t.n as f64, n[k], "{name} n overall");
    let tw = t.weighting.as_ref().unwrap();
    close(
        tw.weighted_n,
        wn[k],
        WEIGHTED,
        &format!("{name} Σw overall"),
    );
    assert_eq!(tw.zero_weight as u64, c["zero_weight"].as_u64().unwrap());
    for (row, r) in t.variables.iter().zip(c["rows"].as_array().unwrap()) {
        let v = format!("{name} {}", row.variable);
        assert_eq!(row.variable, r["variable"].as_str().unwrap());
        // No tests after weighting.
        assert!(row.p_value.is_none() && row.test.is_none(), "{v}");
        let missing = floats(&r["missing"]);
        let wmissing = floats(&r["weighted_missing"]);
        for g in 0..k {
            assert_eq!(row.missing[g] as f64, missing[g], "{v} missing");
            close(row.weighted_missing[g], wmissing[g], WEIGHTED, &v);
        }
        if r["kind"] == "continuous" {
            for (g, s) in row.stats.iter().enumerate() {
                check_stats(s, r, g, &format!("{v} group {g}"));
            }
            check_stats(row.overall_stats.as_ref().unwrap(), r, k, &v);
            continue;
        }
        let r_levels = strings(&r["levels"]);
        assert_eq!(row.levels.len(), r_levels.len(), "{v} levels");
        for lv in &row.levels {
            let l = r_levels
                .iter()
                .position(|x| *x == lv.level)
                .unwrap_or_else(|| panic!("{v}: no level {} in R", lv.level));
            let at = |key: &str, g: usize| r[key][g][l].as_f64().unwrap();
            let what = format!("{v} {}", lv.level);
            for g in 0..k {
                assert_eq!(lv.counts[g] as f64, at("counts", g), "{what} count");
                close(
                    lv.weighted_counts[g],
                    at("weighted_counts", g),
                    WEIGHTED,
                    &what,
                );
                close(lv.percents[g], at("percents", g), WEIGHTED, &what);
            }
            assert_eq!(lv.overall as f64, at("counts", k), "{what} overall");
            close(
                lv.weighted_overall.unwrap(),
                at("weighted_counts", k),
                WEIGHTED,
                &what,
            );
            close(lv.overall_percent, at("percents", k), WEIGHTED, &what);
        }
    }
}

fn check(ds: &Dataset, name: &str, covariates: &[&str]) {
    let c = case(name);
    let spec = spec_of(&c);
    let w = weight_patients(
        ds,
        &WeightSpec {
            treatment: spec.group.clone(),
            treated_level: None,
            covariates: covariates.iter().map(|s| s.to_string()).collect(),
            ordinal: Vec::new(),
            options: WeightOptions {
                estimand: Estimand::from_key(c["estimand"].as_str().unwrap()).unwrap(),
                trim: c["trim"].as_f64(),
                ..Default::default()
            },
        },
    )
    .unwrap();
    // The weighting's table: the balance table's SMD.
    let t = weighted_table1(ds, &spec, &w).unwrap();
    check_table(&t, &c);
    let tw = t.weighting.as_ref().unwrap();
    assert_eq!(tw.estimand, Some(w.spec.options.estimand));
    assert_eq!(
        tw.smd_denominator,
        Some(w.spec.options.estimand.smd_denominator())
    );
    for (row, r) in t.variables.iter().zip(c["rows"].as_array().unwrap()) {
        let what = format!("{name} {} SMD", row.variable);
        let expected = r["smd"].as_f64().unwrap();
        let ours = row.smd.unwrap();
        if expected < BALANCED {
            // Overlap weights balance the model's covariates exactly; what
            // is left is the separation's (the example's histology
            // "Other", no patient treated: p ≈ 1e-13 in R, 1e-23 here,
            // and an SMD of about √p).
            assert!(ours < BALANCED, "{what}: {ours}, R {expected}");
        } else {
            close(ours, expected, WEIGHTED, &what);
        }
    }
    // The same numbers from any weights, with tableone's weighted SMD.
    let plain = table1_weighted(ds, &spec, &w.weights).unwrap();
    check_table(&plain, &c);
    assert_eq!(plain.weighting.as_ref().unwrap().estimand, None);
    for (row, r) in plain.variables.iter().zip(c["rows"].as_array().unwrap()) {
        let what = format!("{name} {} tableone SMD", row.variable);
        let expected = floats_na(&r["smd_tableone"])[0];
        close(row.smd.unwrap(), expected, WEIGHTED, &what);
    }
}

const LALONDE: &[&str] = &["age", "educ", "race", "married", "nodegree", "re74", "re75"];

#[test]
fn lalonde_ate_equals_survey() {
    check(
        &data("lalonde.csv", DatasetSpec::default()),
        "lalonde_ate",
        LALONDE,
    );
}

#[test]
fn lalonde_att_equals_survey() {
    check(
        &data("lalonde.csv", DatasetSpec::default()),
        "lalonde_att",
        LALONDE,
    );
}

/// Trimmed patients (weight 0) are left out of the table.
#[test]
fn lalonde_trimmed_equals_survey() {
    let c = case("lalonde_ate_trim_0.05");
    assert!(c["zero_weight"].as_u64().unwrap() > 0, "the case trims");
    check(
        &data("lalonde.csv", DatasetSpec::default()),
        "lalonde_ate_trim_0.05",
        LALONDE,
    );
}

/// Missing values outside the model: counted, weighted, and left out of
/// the statistics and the SMD.
#[test]
fn lalonde_missing_values_equal_survey() {
    let c = case("lalonde_missing_att");
    let re78 = &c["rows"][7];
    assert!(
        floats(&re78["missing"])[2] > 0.0,
        "the case has missing values"
    );
    check(
        &data("lalonde_missing.csv", DatasetSpec::default()),
        "lalonde_missing_att",
        LALONDE,
    );
}

#[test]
fn example_study_ato_equals_survey() {
    check(
        &example(),
        "example_ato",
        &[
            "age_group",
            "menopausal",
            "histology",
            "ki67_group",
            "ct",
            "cn",
            "subtype",
        ],
    );
}

/// Weights of the wrong number or value are refused with what and where;
/// the unweighted Table 1 has no weighted fields.
#[test]
fn bad_weights_are_named() {
    use cohortlab::engine::table1::{table1, Table1Error};
    let ds = data("lalonde.csv", DatasetSpec::default());
    let spec = spec_of(&case("lalonde_ate"));
    let e = table1_weighted(&ds, &spec, &[1.0; 3]).unwrap_err();
    assert_eq!(e, Table1Error::WeightsLength { rows: 614, got: 3 });
    assert!(e.hint().contains("one weight per row"));
    let mut w = vec![1.0; ds.n_rows];
    w[9] = -1.0;
    let e = table1_weighted(&ds, &spec, &w).unwrap_err();
    assert!(e.to_string().contains("row 10 is -1"), "{e}");
    w[9] = f64::NAN;
    assert!(matches!(
        table1_weighted(&ds, &spec, &w),
        Err(Table1Error::BadWeight { row: 10, .. })
    ));
    let plain = serde_json::to_string(&table1(&ds, &spec).unwrap()).unwrap();
    for key in ["weighted", "weighting"] {
        assert!(!plain.contains(key), "{key}");
    }
    // Weights 1 give the unweighted counts, means and SDs.
    let ones = table1_weighted(&ds, &spec, &vec![1.0; ds.n_rows]).unwrap();
    let t = table1(&ds, &spec).unwrap();
    for (a, b) in ones.variables.iter().zip(&t.variables) {
        for (x, y) in a.stats.iter().zip(&b.stats) {
            close(x.mean, y.mean, Tol::EXACT, &a.variable);
            close(x.sd, y.sd, Tol::EXACT, &a.variable);
        }
        for (x, y) in a.levels.iter().zip(&b.levels) {
            assert_eq!(x.counts, y.counts);
            for (p, q) in x.percents.iter().zip(&y.percents) {
                close(*p, *q, Tol::EXACT, &x.level);
            }
        }
    }
}
