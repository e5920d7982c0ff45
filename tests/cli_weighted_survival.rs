//! `cohortlab survival --weights COL` and `cohortlab cox --weights COL`:
//! the numbers are the engine's, the output says the weights column and
//! that the SEs are robust, and a bad weights column is refused by name.

mod common;

use cohortlab::engine::data::{ColumnKind, DatasetSpec};
use cohortlab::engine::defaults::CONF_LEVEL;
use cohortlab::engine::survival::*;
use common::{cohortlab, data};

const FILE: &str = "tests/data/lung_weighted.csv";

/// The same number, up to serde_json's parsing (which may be 1 ulp off).
#[track_caller]
fn same(json: &serde_json::Value, engine: f64) {
    let j = json
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {json}"));
    assert!(
        (j - engine).abs() <= 1e-15 * engine.abs(),
        "{j} != {engine}"
    );
}

fn lung() -> cohortlab::engine::data::Dataset {
    data(
        "lung_weighted.csv",
        DatasetSpec::default().with_kind("sex", ColumnKind::Categorical),
    )
}

fn survival_args(extra: &[&'static str]) -> Vec<&'static str> {
    let mut a = vec![
        "survival",
        FILE,
        "--time",
        "time",
        "--event",
        "status",
        "--group",
        "sex",
        "--kind",
        "sex=categorical",
        "--at",
        "365",
    ];
    a.extend_from_slice(extra);
    a
}

#[test]
fn survival_weights_equal_the_engine() {
    let v = cohortlab(&survival_args(&["--weights", "w", "--json"]))
        .success()
        .json();
    let ds = lung();
    let w = weights_from_column(&ds, "w").unwrap();
    let spec = SurvivalSpec {
        time: "time".into(),
        event: "status".into(),
        event_level: None,
        groups: vec!["sex".into()],
        strata: None,
    };
    let options = SurvivalOptions {
        transform: CiTransform::Log,
        conf_level: CONF_LEVEL,
        at: &[365.0],
        rho: 0.0,
        rmst: None,
    };
    let a = survival_analysis_weighted(&ds, &spec, &options, Some(&w)).unwrap();
    assert_eq!(v["weights"], "w");
    assert_eq!(v["robust_se"], true);
    assert!(v["log_rank"].is_null());
    let c = a.weighted.unwrap();
    same(&v["weighted"]["chi_square"], c.chi_square.unwrap());
    assert_eq!(v["weighted"]["variance"], "infinitesimal_jackknife");
    for (g, group) in a.groups.iter().enumerate() {
        let rows = v["groups"][g]["fit"]["rows"].as_array().unwrap();
        assert_eq!(rows.len(), group.fit.rows.len());
        for (r, row) in rows.iter().zip(&group.fit.rows) {
            same(&r["std_err"], row.std_err);
            same(&r["surv"], row.surv);
            same(&r["weighted"]["n_risk"], row.weighted.unwrap().n_risk);
        }
        let l = &v["groups"][g]["landmarks"][0];
        same(&l["lower"], group.landmarks[0].lower);
    }
    let text = cohortlab(&survival_args(&["--weights", "w"]))
        .success()
        .stdout;
    assert!(
        text.contains("Weighted by column `w`")
            && text.contains("robust SEs")
            && text.contains("robust score test of the weighted Cox model")
            && text.contains("infinitesimal jackknife"),
        "{text}"
    );
}

fn cox_args(extra: &[&'static str]) -> Vec<&'static str> {
    let mut a = vec![
        "cox",
        FILE,
        "--time",
        "time",
        "--event",
        "status",
        "--vars",
        "age,sex,ph.ecog",
        "--categorical",
        "sex",
    ];
    a.extend_from_slice(extra);
    a
}

#[test]
fn cox_weights_equal_the_engine() {
    let ds = lung();
    let w = weights_from_column(&ds, "w").unwrap();
    for (cluster, extra) in [
        (None, vec!["--weights", "w", "--json"]),
        (
            Some("inst"),
            vec!["--weights", "w", "--cluster", "inst", "--json"],
        ),
    ] {
        let v = cohortlab(&cox_args(&extra)).success().json();
        let spec = CoxSpec {
            time: "time".into(),
            event: "status".into(),
            event_level: None,
            variables: ["age", "sex", "ph.ecog"].map(String::from).to_vec(),
            ordinal: Vec::new(),
            strata: None,
            cluster: cluster.map(String::from),
            ties: Ties::Efron,
            conf_level: CONF_LEVEL,
        };
        let fit = cox_model_weighted(&ds, &spec, Some(&w)).unwrap();
        assert_eq!(v["weights"], "w");
        assert_eq!(v["robust_se"], true);
        assert_eq!(v["weighted"], true);
        for (t, term) in v["terms"].as_array().unwrap().iter().zip(&fit.terms) {
            same(&t["coef"], term.coef);
            same(&t["robust"]["se"], term.robust.unwrap().se);
        }
        same(
            &v["robust_score_chi_square"],
            fit.robust_score_chi_square.unwrap(),
        );
    }
    let text = cohortlab(&cox_args(&["--weights", "w"])).success().stdout;
    assert!(
        text.contains("Weighted by column `w`")
            && text.contains("robust (each patient its own cluster)")
            && text.contains("HR (robust 95% CI)"),
        "{text}"
    );
}

#[test]
fn bad_weights_column_is_named() {
    for cmd in [
        survival_args(&["--weights", "ph.karno"]),
        cox_args(&["--weights", "ph.karno"]),
    ] {
        let (code, _, err) = cohortlab(&cmd).parts();
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("column `ph.karno`") && err.contains("missing") && err.contains("hint:"),
            "{err}"
        );
    }
    for cmd in [
        survival_args(&["--weights", "nope"]),
        cox_args(&["--weights", "nope"]),
    ] {
        let (code, _, err) = cohortlab(&cmd).parts();
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("`nope`"), "{err}");
    }
    // wt.loss has negative values (and missing ones): refused by name.
    let (code, _, err) = cohortlab(&cox_args(&["--weights", "wt.loss"])).parts();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("column `wt.loss`") && err.contains("a weight must be a finite number >= 0"),
        "{err}"
    );
}
