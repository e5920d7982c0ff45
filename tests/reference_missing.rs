//! The missingness report against R 4.2.2 and mice 3.15.0
//! (tests/reference/missing.R): md.pattern's columns, patterns and counts
//! exactly; per variable the counts by group exactly and the test of
//! missing-by-group (chisq.test(correct = FALSE), fisher.test when an
//! expected count is below 5) at 1e-9. Also `cohortlab missing --json`.

mod common;

use cohortlab::engine::data::DatasetSpec;
use cohortlab::engine::hypothesis::TestKind;
use cohortlab::engine::missing::{missing_report, MissingSpec};
use common::{close, data, reference, strings, Tol};

#[test]
fn md_pattern_and_the_tests_by_group_equal_r() {
    let fx = reference("missing");
    let ds = data("missing_patterns.csv", DatasetSpec::default());
    let spec = MissingSpec {
        variables: strings(&fx["variables"]),
        group: Some("group".into()),
    };
    let r = missing_report(&ds, &spec).unwrap();
    assert_eq!(r.n as u64, fx["n"].as_u64().unwrap());
    assert_eq!(r.complete as u64, fx["complete"].as_u64().unwrap());
    assert_eq!(r.no_group as u64, fx["no_group"].as_u64().unwrap());
    assert_eq!(r.pattern_columns, strings(&fx["pattern_columns"]));
    let expected = fx["patterns"].as_array().unwrap();
    assert_eq!(r.patterns.len(), expected.len());
    for (p, e) in r.patterns.iter().zip(expected) {
        assert_eq!(p.count as u64, e["count"].as_u64().unwrap());
        assert_eq!(p.n_missing as u64, e["n_missing"].as_u64().unwrap());
        let obs: Vec<bool> = e["observed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_bool().unwrap())
            .collect();
        assert_eq!(p.observed, obs);
    }
    let mut kinds = Vec::new();
    for (v, e) in r.variables.iter().zip(fx["tests"].as_array().unwrap()) {
        let name = e["variable"].as_str().unwrap();
        assert_eq!(v.variable, name);
        assert_eq!(v.missing as u64, e["missing"].as_u64().unwrap(), "{name}");
        for (g, eg) in v.by_group.iter().zip(e["by_group"].as_array().unwrap()) {
            assert_eq!(g.group, eg["group"].as_str().unwrap());
            assert_eq!(g.n as u64, eg["n"].as_u64().unwrap(), "{name}");
            assert_eq!(g.missing as u64, eg["missing"].as_u64().unwrap(), "{name}");
        }
        match e["test"].as_str() {
            None => assert!(v.test.is_none(), "{name}"),
            Some(kind) => {
                let t = v.test.as_ref().unwrap();
                let want = if kind == "fisher" {
                    TestKind::FisherExact
                } else {
                    TestKind::PearsonChiSquare
                };
                assert_eq!(t.test, want, "{name}");
                close(
                    t.p_value,
                    e["p_value"].as_f64().unwrap(),
                    Tol::SAME_FORMULA,
                    name,
                );
                if let Some(s) = e["statistic"].as_f64() {
                    close(t.statistic.unwrap(), s, Tol::SAME_FORMULA, name);
                }
                kinds.push(want);
            }
        }
    }
    // The data exercise both tests.
    assert!(kinds.contains(&TestKind::FisherExact));
    assert!(kinds.contains(&TestKind::PearsonChiSquare));
}

#[test]
fn the_command_line_prints_the_same_report() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cohortlab"))
        .args([
            "missing",
            "--vars",
            "age,ki67,grade,bmi,er",
            "--group",
            "group",
            "--json",
        ])
        .arg(common::path("tests/data/missing_patterns.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fx = reference("missing");
    assert_eq!(v["pattern_columns"], fx["pattern_columns"]);
    assert_eq!(v["complete"], fx["complete"]);
    // A column that is not there is named, with a hint, exit 1.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cohortlab"))
        .args(["missing", "--vars", "age,nope"])
        .arg(common::path("tests/data/missing_patterns.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`nope`") && err.contains("hint"), "{err}");
}
