//! `cohortlab weight`: the numbers it prints are the engine's, `--out`
//! writes every patient with `ps` and `weights`, bad values exit 2 with a
//! message.

mod common;

use cohortlab::engine::data::DatasetSpec;
use cohortlab::engine::weighting::{
    doubly_robust, weight_patients, weighted_balance, weighted_outcome, Estimand, WeightOptions,
    WeightSpec,
};
use common::{close, cohortlab, data, scratch, Tol};

const FILE: &str = "tests/data/lalonde_outcome.csv";
const COVARIATES: &str = "age,educ,race,married,nodegree,re74,re75";

fn spec(options: WeightOptions) -> WeightSpec {
    WeightSpec {
        treatment: "treat".into(),
        treated_level: None,
        covariates: COVARIATES.split(',').map(String::from).collect(),
        ordinal: Vec::new(),
        options,
    }
}

#[test]
fn the_json_numbers_are_the_engines() {
    let out = cohortlab(&[
        "weight",
        FILE,
        "--treatment",
        "treat",
        "--covariates",
        COVARIATES,
        "--estimand",
        "att",
        "--truncate",
        "0.95",
        "--outcome",
        "re78_pos",
        "--conf-level",
        "0.9",
        "--json",
    ])
    .success();
    let doc = out.json();
    let ds = data("lalonde_outcome.csv", DatasetSpec::default());
    let w = weight_patients(
        &ds,
        &spec(WeightOptions {
            estimand: Estimand::Att,
            truncate: Some(0.95),
            ..Default::default()
        }),
    )
    .unwrap();
    let ws = &doc["weights"];
    assert_eq!(ws["truncated"].as_u64().unwrap() as usize, w.truncated);
    assert!(w.truncated > 0);
    for (k, g) in [
        ("treated", &w.treated_weights),
        ("control", &w.control_weights),
    ] {
        assert_eq!(ws[k]["n"].as_u64().unwrap() as usize, g.n);
        close(ws[k]["ess"].as_f64().unwrap(), g.ess, Tol::EXACT, k);
        close(ws[k]["max"].as_f64().unwrap(), g.max, Tol::EXACT, k);
    }
    assert_eq!(doc["model"]["n"].as_u64().unwrap() as usize, w.model.n);
    let bal = weighted_balance(&ds, &w);
    assert_eq!(doc["balance"]["denominator"], "treated");
    let rows = doc["balance"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), bal.rows.len());
    for (r, b) in rows.iter().zip(&bal.rows) {
        assert_eq!(r["term"], b.term.as_str());
        close(
            r["after"]["smd"].as_f64().unwrap(),
            b.after.smd,
            Tol::EXACT,
            &b.term,
        );
    }
    let o = weighted_outcome(&ds, &w, "re78_pos", 0.9).unwrap();
    let j = &doc["outcomes"][0];
    close(
        j["odds_ratio"]["value"].as_f64().unwrap(),
        o.odds_ratio.value,
        Tol::EXACT,
        "OR",
    );
    close(
        j["odds_ratio"]["lower"].as_f64().unwrap(),
        o.odds_ratio.lower,
        Tol::EXACT,
        "lower",
    );
    assert_eq!(j["odds_ratio"]["level"].as_f64(), Some(0.9));
    close(j["p_value"].as_f64().unwrap(), o.p_value, Tol::EXACT, "P");
    // The doubly robust estimate beside it, as the engine gives it.
    let d = doubly_robust(&ds, &w, "re78_pos", 0.9).unwrap();
    let j = &doc["doubly_robust"][0];
    assert_eq!(j["outcome"], "re78_pos");
    assert_eq!(j["estimand"], "att");
    assert_eq!(j["n_target"].as_u64().unwrap() as usize, d.n_target);
    assert_eq!(
        d.n_target, w.treated_weights.n,
        "the ATT averages over the treated"
    );
    for (k, e) in [
        ("risk_difference", d.risk_difference),
        ("risk_ratio", d.risk_ratio),
    ] {
        close(j[k]["value"].as_f64().unwrap(), e.value, Tol::EXACT, k);
        close(j[k]["upper"].as_f64().unwrap(), e.upper, Tol::EXACT, k);
        assert_eq!(j[k]["level"].as_f64(), Some(0.9));
    }
    close(
        j["p_value"].as_f64().unwrap(),
        d.p_value,
        Tol::EXACT,
        "DR P",
    );
}

#[test]
fn the_text_shows_the_model_weights_balance_and_outcomes() {
    let out = cohortlab(&[
        "weight",
        FILE,
        "--treatment",
        "treat",
        "--covariates",
        COVARIATES,
        "--outcome",
        "re78_pos",
        "--trim",
        "0.05",
    ])
    .success();
    let ds = data("lalonde_outcome.csv", DatasetSpec::default());
    let w = weight_patients(
        &ds,
        &spec(WeightOptions {
            trim: Some(0.05),
            ..Default::default()
        }),
    )
    .unwrap();
    let s = &out.stdout;
    assert!(
        s.contains("propensity model: logistic regression of treat"),
        "{s}"
    );
    assert!(
        s.contains(&format!("C statistic {:.3}", w.model.c_statistic.unwrap())),
        "{s}"
    );
    assert!(s.contains(&format!("{:.1}", w.treated_weights.ess)), "{s}");
    assert!(
        s.contains(&format!(
            "{} treated, {} control; the model was not refitted",
            w.trimmed.treated, w.trimmed.control
        )),
        "{s}"
    );
    assert!(
        s.contains("pooled SD"),
        "the SMD's denominator is named: {s}"
    );
    let o = weighted_outcome(&ds, &w, "re78_pos", 0.95).unwrap();
    assert!(s.contains(&format!("{:.2} (", o.odds_ratio.value)), "{s}");
    assert!(s.contains("OR (95% CI)"), "{s}");
    // The doubly robust estimate after the weighted comparison.
    let d = doubly_robust(&ds, &w, "re78_pos", 0.95).unwrap();
    let at = s.find("Doubly robust estimates").expect("the DR table");
    assert!(at > s.find("Outcomes after weighting").unwrap(), "{s}");
    let dr = &s[at..];
    assert!(
        dr.contains(&format!(
            "{:.1} ({:.1} to {:.1})",
            100.0 * d.risk_difference.value,
            100.0 * d.risk_difference.lower,
            100.0 * d.risk_difference.upper
        )),
        "{dr}"
    );
    assert!(dr.contains(&format!("{:.2} (", d.risk_ratio.value)), "{dr}");
    assert!(dr.contains("treats the weights as fixed"), "{dr}");
    assert!(dr.contains("averaged with their weights"), "trimming: {dr}");
}

/// An outcome whose doubly robust estimate cannot be made (no event among
/// the treated) still gets its weighted comparison, and a warning says why.
#[test]
fn an_outcome_without_a_doubly_robust_estimate_warns() {
    let dir = scratch("weight-dr");
    let file = dir.join("toy.csv");
    let mut csv = String::from("t,x,y\n");
    for i in 0..60 {
        let x = i % 10;
        let t = u8::from((i * 7) % 10 < 3 + x / 3);
        let y = u8::from(t == 0 && i % 3 == 0);
        csv.push_str(&format!("{t},{x},{y}\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let out = cohortlab(&[
        "weight",
        file.to_str().unwrap(),
        "--treatment",
        "t",
        "--covariates",
        "x",
        "--outcome",
        "y",
        "--json",
    ])
    .success();
    let doc = out.json();
    assert_eq!(doc["outcomes"].as_array().unwrap().len(), 1);
    assert!(doc["doubly_robust"].as_array().unwrap().is_empty());
    let warned = doc["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["message"]
            .as_str()
            .unwrap()
            .contains("doubly robust estimate of y")
    });
    assert!(warned, "{}", doc["diagnostics"]);
}

#[test]
fn out_writes_every_patient_with_ps_and_weights() {
    let path = scratch("weight-out").join("weighted.csv");
    let p = path.to_str().unwrap();
    cohortlab(&[
        "weight",
        FILE,
        "--treatment",
        "treat",
        "--covariates",
        COVARIATES,
        "--estimand",
        "ato",
        "--out",
        p,
    ])
    .success();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("id,treat,age,"), "{header}");
    assert!(header.ends_with(",re78_pos,ps,weights"), "{header}");
    let ds = data("lalonde_outcome.csv", DatasetSpec::default());
    let w = weight_patients(
        &ds,
        &spec(WeightOptions {
            estimand: Estimand::Ato,
            ..Default::default()
        }),
    )
    .unwrap();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), ds.n_rows);
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<&str> = r.split(',').collect();
        let n = cells.len();
        close(
            cells[n - 2].parse::<f64>().unwrap(),
            w.ps[i],
            Tol::EXACT,
            "ps",
        );
        close(
            cells[n - 1].parse::<f64>().unwrap(),
            w.weights[i],
            Tol::EXACT,
            "weight",
        );
    }
}

#[test]
fn bad_values_exit_2_and_engine_errors_1_with_a_hint() {
    let base = [
        "weight",
        FILE,
        "--treatment",
        "treat",
        "--covariates",
        COVARIATES,
    ];
    for (flag, bad, words) in [
        ("--trim", "0.7", "between 0 and 0.5"),
        ("--trim", "x", "between 0 and 0.5"),
        ("--truncate", "0.3", "between 0.5 and 1"),
        ("--estimand", "atc", "[possible values: ate, att, ato, atm]"),
        ("--conf-level", "95", "between 0 and 1"),
    ] {
        let mut args = base.to_vec();
        args.extend([flag, bad]);
        let (code, out, err) = cohortlab(&args).parts();
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(flag) && err.contains(words), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (code, _, err) = cohortlab(&[
        "weight",
        FILE,
        "--treatment",
        "treat",
        "--covariates",
        "age,educaton",
    ])
    .parts();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`educaton`") && err.contains("hint:"), "{err}");
    let mut args = base.to_vec();
    args.extend(["--outcome", "re78"]);
    let (code, _, err) = cohortlab(&args).parts();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`re78`") && err.contains("binary"), "{err}");
}

/// `--table1`: the weighted Table 1 by the treatment, in the text (weighted
/// n to one decimal, no P values) and in `--json` (the engine's).
#[test]
fn table1_prints_the_weighted_table_1() {
    use cohortlab::engine::table1::{Table1, Table1Spec};
    use cohortlab::engine::weighting::weighted_table1;
    let args = [
        "weight",
        FILE,
        "--treatment",
        "treat",
        "--covariates",
        COVARIATES,
        "--estimand",
        "ato",
        "--table1",
        "age,race,re78",
        "--nonnormal",
        "re78",
    ];
    let ds = data("lalonde_outcome.csv", DatasetSpec::default());
    let w = weight_patients(
        &ds,
        &spec(WeightOptions {
            estimand: Estimand::Ato,
            ..Default::default()
        }),
    )
    .unwrap();
    let t1 = weighted_table1(
        &ds,
        &Table1Spec {
            group: "treat".into(),
            variables: vec!["age".into(), "race".into(), "re78".into()],
            nonnormal: vec!["re78".into()],
            continuous: Vec::new(),
            categorical_test: Default::default(),
            continuous_test: Default::default(),
        },
        &w,
    )
    .unwrap();
    let text = cohortlab(&args).success().stdout;
    assert!(text.contains("Table 1. Characteristics by treat after weighting (ATO weights)"));
    let n = format!("treat = 1 (weighted n = {:.1})", w.treated_weights.sum);
    assert!(text.contains(&n), "{text}");
    assert!(text.contains("re78, median [IQR]"), "{text}");
    assert!(text.contains("No P values"), "{text}");
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let doc = cohortlab(&json_args).success().json();
    // The engine's numbers (JSON's text keeps them to the last bits or so).
    let ours: Table1 = serde_json::from_value(doc["table1"].clone()).unwrap();
    let near = |a: f64, b: f64, what: &str| close(a, b, Tol::EXACT, what);
    for (a, b) in ours.groups.iter().zip(&t1.groups) {
        near(a.weighted_n.unwrap(), b.weighted_n.unwrap(), "Σw");
    }
    for (a, b) in ours.variables.iter().zip(&t1.variables) {
        assert_eq!(a.variable, b.variable);
        assert!(a.p_value.is_none());
        near(a.smd.unwrap(), b.smd.unwrap(), &a.variable);
        for (x, y) in a.stats.iter().zip(&b.stats) {
            near(x.mean, y.mean, &a.variable);
            near(x.median, y.median, &a.variable);
        }
        for (x, y) in a.levels.iter().zip(&b.levels) {
            for (p, q) in x.percents.iter().zip(&y.percents) {
                near(*p, *q, &x.level);
            }
        }
    }
    assert_eq!(ours.weighting.unwrap().estimand, Some(Estimand::Ato));
    // Without the flag, no table; --nonnormal alone is refused.
    let plain = cohortlab(&args[..6]).success();
    assert!(!plain.stdout.contains("Table 1"));
    let mut plain_json = args[..6].to_vec();
    plain_json.push("--json");
    assert!(cohortlab(&plain_json)
        .success()
        .json()
        .get("table1")
        .is_none());
    let mut alone = args[..6].to_vec();
    alone.extend(["--nonnormal", "re78"]);
    let (code, _, err) = cohortlab(&alone).parts();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--table1"), "{err}");
}

/// `--p-values`: the weighted Table 1 with the design-based tests, the
/// engine's in `--json` and a P value and test column in the text, whose
/// footnote names the tests; refused without `--table1`.
#[test]
fn p_values_add_the_design_based_tests() {
    use cohortlab::engine::table1::{Table1, Table1Spec};
    use cohortlab::engine::weighting::weighted_table1_tested;
    let args = [
        "weight",
        FILE,
        "--treatment",
        "treat",
        "--covariates",
        COVARIATES,
        "--table1",
        "age,race,re78",
        "--nonnormal",
        "re78",
        "--p-values",
    ];
    let ds = data("lalonde_outcome.csv", DatasetSpec::default());
    let w = weight_patients(&ds, &spec(WeightOptions::default())).unwrap();
    let t1 = weighted_table1_tested(
        &ds,
        &Table1Spec {
            group: "treat".into(),
            variables: vec!["age".into(), "race".into(), "re78".into()],
            nonnormal: vec!["re78".into()],
            continuous: Vec::new(),
            categorical_test: Default::default(),
            continuous_test: Default::default(),
        },
        &w,
    )
    .unwrap();
    let text = cohortlab(&args).success().stdout;
    assert!(text.contains("P value"), "{text}");
    assert!(
        text.contains("Rao-Scott F") && text.contains("Wald F"),
        "{text}"
    );
    assert!(text.contains("not a test of balance"), "{text}");
    assert!(!text.contains("No P values"), "{text}");
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let doc = cohortlab(&json_args).success().json();
    let ours: Table1 = serde_json::from_value(doc["table1"].clone()).unwrap();
    let tests = &ours.weighting.as_ref().unwrap().tests;
    assert_eq!(tests.len(), 3);
    for (a, b) in ours.variables.iter().zip(&t1.variables) {
        assert_eq!(a.test, b.test, "{}", a.variable);
        assert!(b.p_value.is_some(), "{}", a.variable);
        close(
            a.p_value.unwrap(),
            b.p_value.unwrap(),
            Tol::EXACT,
            &a.variable,
        );
    }
    let mut alone = args[..6].to_vec();
    alone.push("--p-values");
    let (code, _, err) = cohortlab(&alone).parts();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--table1"), "{err}");
}
