//! The design-based P values of the weighted Table 1 against R 4.2.2 and
//! survey 4.1.1 (tests/reference/table1_weighted_p.R), called as tableone's
//! svyCreateTableOne calls them: regTermTest(svyglm) for mean (SD),
//! svyranktest for median [IQR], svychisq (Rao-Scott F) for categorical
//! variables; on lalonde (ATE, ATT, ATE trimmed, ATT with missing values)
//! and the example study (ATO by the treatment, and by the three subtypes).
//! Statistics, degrees of freedom and P values 1e-6; a test R cannot
//! compute (NA) is one we say we cannot.

mod common;

use cohortlab::engine::data::{Dataset, DatasetSpec};
use cohortlab::engine::hypothesis::TestKind;
use cohortlab::engine::table1::{
    table1_weighted, table1_weighted_tested, DesignStatistic, Table1, Table1Spec, WeightedTest,
};
use cohortlab::engine::weighting::{
    weight_patients, weighted_table1, weighted_table1_tested, Estimand, WeightOptions,
    WeightResult, WeightSpec,
};
use cohortlab::engine::Choice;
use common::{close, data, example, floats_na, reference, strings, Tol};
use serde_json::Value;

/// 1e-6; absolute 1e-12 below 1e-6 (a statistic of 1e-27 where the
/// overlap weights balance a covariate exactly).
const P_TOL: Tol = Tol::REFERENCE.near_zero(1e-6);

fn case(name: &str) -> Value {
    reference("table1_weighted_p")["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

/// The case's Table 1, its non-normal variables `nonnormal`.
fn spec_of(c: &Value, nonnormal: Vec<String>) -> Table1Spec {
    Table1Spec {
        group: c["group"].as_str().unwrap().into(),
        variables: strings(&c["variables"]),
        nonnormal,
        continuous: Vec::new(),
        categorical_test: Default::default(),
        continuous_test: Default::default(),
    }
}

fn case_nonnormal(c: &Value) -> Vec<String> {
    match &c["nonnormal"] {
        Value::String(s) => vec![s.clone()],
        v => strings(v),
    }
}

fn weights(ds: &Dataset, c: &Value, covariates: &[&str]) -> WeightResult {
    weight_patients(
        ds,
        &WeightSpec {
            treatment: c["treatment"].as_str().unwrap().into(),
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
    .unwrap()
}

/// One test against R's (`r`: statistic, df1, df2, p; NA when R could
/// not compute it).
fn check_test(x: &WeightedTest, r: &Value, what: &str) {
    let p = floats_na(&r["p"])[0];
    if p.is_nan() {
        assert!(x.result.is_err(), "{what}: R has NA, we {:?}", x.result);
        return;
    }
    let d = x
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{what}: {e}, R has P = {p}"));
    assert_eq!(d.test, x.test, "{what}");
    let (stat, df1, df2) = match d.statistic {
        DesignStatistic::F { value, df1, df2 } => {
            assert_ne!(r["kind"], "t", "{what}: R gives t");
            (value, df1, df2)
        }
        DesignStatistic::T { value, df } => {
            assert_eq!(r["kind"], "t", "{what}: R gives F");
            (value, 1.0, df)
        }
    };
    for (key, ours) in [
        ("statistic", stat),
        ("df1", df1),
        ("df2", df2),
        ("p", d.p_value),
    ] {
        close(ours, floats_na(&r[key])[0], P_TOL, &format!("{what} {key}"));
    }
}

/// Every row of `t` (tests asked for) against the case, with the
/// continuous variables in `nonnormal` tested by rank.
fn check_table(t: &Table1, c: &Value, nonnormal: &[String]) {
    let name = c["name"].as_str().unwrap();
    let levels: Vec<&str> = t.groups.iter().map(|g| g.level.as_str()).collect();
    assert_eq!(levels, strings(&c["groups"]), "{name} groups");
    let n: usize = t.groups.iter().map(|g| g.n).sum();
    assert_eq!(n as u64, c["n"].as_u64().unwrap(), "{name} n");
    let tests = &t.weighting.as_ref().unwrap().tests;
    let rows = c["rows"].as_array().unwrap();
    assert_eq!(tests.len(), rows.len());
    for ((row, x), r) in t.variables.iter().zip(tests).zip(rows) {
        let what = format!("{name} {}", row.variable);
        assert_eq!(x.variable, r["variable"].as_str().unwrap());
        let (kind, key) = match r["kind"].as_str().unwrap() {
            "categorical" => (TestKind::RaoScottF, "chisq"),
            _ if nonnormal.contains(&row.variable) => (TestKind::DesignRank, "rank"),
            _ => (TestKind::DesignWald, "wald"),
        };
        assert_eq!(x.test, kind, "{what}");
        check_test(x, &r[key], &format!("{what} {key}"));
        // The row shows the test's P value, or none.
        match &x.result {
            Ok(d) => {
                assert_eq!(row.p_value, Some(d.p_value), "{what}");
                assert_eq!(row.test, Some(kind), "{what}");
                assert_eq!(row.statistic, Some(d.statistic.value()), "{what}");
            }
            Err(_) => {
                assert!(row.p_value.is_none() && row.test.is_none(), "{what}");
                assert!(
                    t.diagnostics
                        .iter()
                        .any(|d| d.column.as_deref() == Some(&row.variable)),
                    "{what}: no diagnostic"
                );
            }
        }
    }
}

/// The weighting's table with the case's non-normal variables, then
/// table1_weighted_tested with every continuous variable the other way;
/// the numbers other than the tests are those of the untested table.
fn check(ds: &Dataset, name: &str, covariates: &[&str]) {
    let c = case(name);
    let w = weights(ds, &c, covariates);
    let nonnormal = case_nonnormal(&c);
    let spec = spec_of(&c, nonnormal.clone());
    let t = weighted_table1_tested(ds, &spec, &w).unwrap();
    check_table(&t, &c, &nonnormal);
    let mut plain = weighted_table1(ds, &spec, &w).unwrap();
    for row in &mut plain.variables {
        assert!(row.p_value.is_none());
    }
    let mut stripped = t.clone();
    for row in &mut stripped.variables {
        (row.test, row.statistic, row.p_value) = (None, None, None);
    }
    stripped.weighting.as_mut().unwrap().tests.clear();
    stripped
        .diagnostics
        .retain(|d| d.code != cohortlab::engine::Code::DesignTestNotComputable);
    plain.diagnostics.sort_by(|a, b| a.message.cmp(&b.message));
    stripped
        .diagnostics
        .sort_by(|a, b| a.message.cmp(&b.message));
    assert_eq!(stripped, plain, "{name}: the tests change nothing else");
    // The continuous variables the other way, from the weights alone.
    let continuous: Vec<String> = c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "continuous")
        .map(|r| r["variable"].as_str().unwrap().to_owned())
        .collect();
    let other: Vec<String> = continuous
        .into_iter()
        .filter(|v| !nonnormal.contains(v))
        .collect();
    let t = table1_weighted_tested(ds, &spec_of(&c, other.clone()), &w.weights).unwrap();
    check_table(&t, &c, &other);
}

const LALONDE: &[&str] = &["age", "educ", "race", "married", "nodegree", "re74", "re75"];
/// The example's model without histology (the R script says why).
const EXAMPLE: &[&str] = &[
    "age_group",
    "menopausal",
    "ki67_group",
    "ct",
    "cn",
    "subtype",
];

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

/// Trimmed patients (weight 0) are not in the design: n is the rest.
#[test]
fn lalonde_trimmed_equals_survey() {
    let c = case("lalonde_ate_trim_0.05");
    assert!(c["n"].as_u64().unwrap() < 614, "the case trims");
    check(
        &data("lalonde.csv", DatasetSpec::default()),
        "lalonde_ate_trim_0.05",
        LALONDE,
    );
}

/// Missing values: the continuous tests use the patients with a value
/// (their df shows it), svychisq counts every patient in N.
#[test]
fn lalonde_missing_values_equal_survey() {
    let c = case("lalonde_missing_att");
    let re78 = &c["rows"][7];
    assert_eq!(re78["variable"], "re78");
    assert!(floats_na(&re78["wald"]["df2"])[0] < 612.0, "re78 has NAs");
    check(
        &data("lalonde_missing.csv", DatasetSpec::default()),
        "lalonde_missing_att",
        LALONDE,
    );
}

#[test]
fn example_study_ato_equals_survey() {
    check(&example(), "example_ato", EXAMPLE);
}

/// Three groups: the Wald and rank F on 2 df, Rao-Scott on larger
/// tables (histology 3 x 3, ct 4 x 3).
#[test]
fn three_groups_equal_survey() {
    let ds = example();
    let c = case("example_ato_by_subtype");
    assert_eq!(c["groups"].as_array().unwrap().len(), 3);
    let w = weights(&ds, &c, EXAMPLE);
    let nonnormal = case_nonnormal(&c);
    let t = table1_weighted_tested(&ds, &spec_of(&c, nonnormal.clone()), &w.weights).unwrap();
    check_table(&t, &c, &nonnormal);
    let t = table1_weighted_tested(&ds, &spec_of(&c, vec!["age".into()]), &w.weights).unwrap();
    check_table(&t, &c, &["age".into()]);
    // Without the tests: no P values, as before.
    let plain = table1_weighted(&ds, &spec_of(&c, nonnormal), &w.weights).unwrap();
    assert!(plain.variables.iter().all(|v| v.p_value.is_none()));
    assert!(plain.weighting.unwrap().tests.is_empty());
}

/// A test that cannot be computed (race with the black patients alone)
/// has no P value, a warning naming the variable and why, and a footnote;
/// the other rows keep theirs.
#[test]
fn a_test_that_cannot_be_computed_says_why() {
    use cohortlab::engine::table1::NoDesignTest;
    use cohortlab::engine::Code;
    let ds = data("lalonde.csv", DatasetSpec::default());
    let race = ds.column("race").unwrap().levels().unwrap();
    let black = race.levels.iter().position(|l| l == "black").unwrap() as u32;
    let w: Vec<f64> = race
        .codes
        .iter()
        .map(|&c| if c == black { 1.5 } else { 0.0 })
        .collect();
    let spec = Table1Spec {
        group: "treat".into(),
        variables: vec!["race".into(), "age".into()],
        nonnormal: Vec::new(),
        continuous: Vec::new(),
        categorical_test: Default::default(),
        continuous_test: Default::default(),
    };
    let t = table1_weighted_tested(&ds, &spec, &w).unwrap();
    let tests = &t.weighting.as_ref().unwrap().tests;
    assert_eq!(
        tests[0].result,
        Err(NoDesignTest::TooFewLevels { levels: 1 })
    );
    assert_eq!(tests[0].test, TestKind::RaoScottF);
    assert!(t.variables[0].p_value.is_none());
    let d = t
        .diagnostics
        .iter()
        .find(|d| d.code == Code::DesignTestNotComputable)
        .expect("a warning");
    assert_eq!(d.column.as_deref(), Some("race"));
    assert!(
        d.message.contains("1 level(s)") && d.hint.is_some(),
        "{d:?}"
    );
    assert!(t.variables[1].p_value.is_some());
    let table = cohortlab::report::table1::table1_table(&t, Default::default());
    assert!(
        table
            .footnotes
            .iter()
            .any(|n| n.starts_with("No P value for race (Rao-Scott F)")),
        "{:?}",
        table.footnotes
    );
}
