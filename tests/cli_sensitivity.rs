//! The CLI's sensitivity analysis: `cohortlab evalue` and `cohortlab match
//! --outcome COL --sensitivity` print the engine's numbers, and bad input
//! is refused with a message naming what is wrong.

mod common;

use cohortlab::engine::data::DatasetSpec;
use cohortlab::engine::matching::{match_patients, MatchSpec};
use cohortlab::engine::sensitivity::{e_value, rosenbaum_binary, EffectMeasure};
use common::{cohortlab, data};
use serde_json::Value;

const EXAMPLE: &str = "tests/data/example-study.csv";
const COVARIATES: &str = "age,menopausal,ki67,location,ct,cn,subtype";

/// The same JSON document, numbers to the last bits (serde_json's reading
/// of a printed double may be one unit in the last place off).
#[track_caller]
fn same(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            common::close(a, b, common::Tol::EXACT, at);
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{at}: lengths");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, x) in a {
                same(x, &b[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(got, want, "{at}"),
    }
}

#[test]
fn evalue_prints_the_published_example() {
    let out = cohortlab(&[
        "evalue",
        "--estimate",
        "3.9",
        "--lower",
        "1.8",
        "--upper",
        "8.7",
        "--measure",
        "rr",
    ])
    .success();
    let estimate = out
        .stdout
        .lines()
        .find(|l| l.starts_with("Estimate"))
        .unwrap();
    assert!(estimate.ends_with("7.26"), "{}", out.stdout);
    let ci = out
        .stdout
        .lines()
        .find(|l| l.starts_with("CI limit"))
        .unwrap();
    assert!(ci.ends_with("3.00"), "{}", out.stdout);
    assert!(out.stdout.contains("risk ratio of 7.26 each"));
}

#[test]
fn evalue_json_equals_the_engine() {
    for (measure, key, common) in [
        (EffectMeasure::Or, "or", true),
        (EffectMeasure::Or, "or", false),
        (EffectMeasure::Hr, "hr", true),
    ] {
        let mut args = vec![
            "evalue",
            "--estimate",
            "1.54",
            "--lower",
            "1.11",
            "--upper",
            "2.13",
            "--measure",
            key,
            "--json",
        ];
        if common {
            args.push("--common");
        }
        let got = cohortlab(&args).success().json();
        let want = e_value(measure, 1.54, Some(1.11), Some(2.13), common).unwrap();
        same(
            &got,
            &serde_json::to_value(want).unwrap(),
            &format!("{key} {common}"),
        );
    }
    // A protective HR whose CI includes 1, with only the upper limit.
    let got = cohortlab(&[
        "evalue",
        "--estimate",
        "0.8",
        "--upper",
        "1.1",
        "--measure",
        "hr",
        "--json",
    ])
    .success()
    .json();
    assert_eq!(got["ci"], 1.0);
    assert_eq!(got["lower"], Value::Null);
}

#[test]
fn evalue_refuses_bad_values_with_exit_2() {
    for (args, names) in [
        (vec!["--estimate", "-1.5", "--measure", "or"], "--estimate"),
        (
            vec!["--estimate", "0", "--measure", "or"],
            "not a positive number",
        ),
        (
            vec!["--estimate", "abc", "--measure", "or"],
            "`abc` is not a number",
        ),
        (
            vec!["--estimate", "1.5", "--lower", "0", "--measure", "rr"],
            "--lower",
        ),
        (
            vec!["--estimate", "1.5", "--measure", "rd"],
            "possible values: rr, or, hr",
        ),
        (vec!["--estimate", "1.5"], "--measure"),
    ] {
        let mut all = vec!["evalue"];
        all.extend(args.iter().copied());
        let (code, stdout, stderr) = cohortlab(&all).parts();
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(names), "{args:?}: {stderr}");
    }
}

#[test]
fn evalue_with_limits_the_wrong_way_round_says_so() {
    let (code, _, stderr) = cohortlab(&[
        "evalue",
        "--estimate",
        "1.5",
        "--lower",
        "2",
        "--upper",
        "1.2",
        "--measure",
        "or",
    ])
    .parts();
    assert_eq!(code, 1);
    assert!(stderr.contains("error: the lower confidence limit 2 is above the upper one 1.2"));
    assert!(stderr.contains("hint: Give the smaller confidence limit as --lower"));
}

fn match_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "match",
        EXAMPLE,
        "--treatment",
        "seed_marking",
        "--covariates",
        COVARIATES,
    ];
    v.extend(extra);
    v
}

#[test]
fn match_sensitivity_json_equals_the_engine() {
    let ds = data("example-study.csv", DatasetSpec::default());
    for (extra, level) in [
        (vec!["--outcome", "tpcr", "--sensitivity", "--json"], 0.95),
        (
            vec![
                "--outcome",
                "bpcr",
                "--sensitivity",
                "--ratio",
                "2",
                "--json",
                "--conf-level",
                "0.99",
            ],
            0.99,
        ),
    ] {
        let out = cohortlab(&match_args(&extra)).success().json();
        let spec: MatchSpec = serde_json::from_value(out["spec"].clone()).unwrap();
        let m = match_patients(&ds, &spec).unwrap();
        let outcome = extra[1];
        let want = rosenbaum_binary(&ds, &m, outcome, 1.0 - level).unwrap();
        same(
            &out["sensitivity"],
            &serde_json::to_value(&want).unwrap(),
            "sensitivity",
        );
        assert!(want.gamma_at_alpha.is_some() || want.bounds.len() == 1);
    }
    // Without --sensitivity, no such key.
    let out = cohortlab(&match_args(&["--outcome", "tpcr", "--json"]))
        .success()
        .json();
    assert!(out.get("sensitivity").is_none());
}

#[test]
fn match_sensitivity_prints_the_table_and_the_crossing() {
    let ds = data("example-study.csv", DatasetSpec::default());
    let out = cohortlab(&match_args(&["--outcome", "tpcr", "--sensitivity"])).success();
    let json = cohortlab(&match_args(&[
        "--outcome",
        "tpcr",
        "--sensitivity",
        "--json",
    ]))
    .success()
    .json();
    let spec: MatchSpec = serde_json::from_value(json["spec"].clone()).unwrap();
    let m = match_patients(&ds, &spec).unwrap();
    let r = rosenbaum_binary(&ds, &m, "tpcr", 1.0 - 0.95).unwrap();
    let after_balance = out
        .stdout
        .split("Rosenbaum bounds: tpcr = 1")
        .nth(1)
        .unwrap();
    assert!(out.stdout.find("SMD").unwrap() < out.stdout.find("Rosenbaum").unwrap());
    for b in &r.bounds {
        assert!(
            after_balance.contains(&format!("\n{:.1}  ", b.gamma)),
            "Γ = {} missing:\n{after_balance}",
            b.gamma
        );
    }
    let g = r.gamma_at_alpha.unwrap();
    assert!(
        after_balance.contains(&format!("(P < 0.05) up to Γ = {g:.2}")),
        "{after_balance}"
    );
}

#[test]
fn match_sensitivity_needs_a_binary_outcome() {
    let (code, _, stderr) = cohortlab(&match_args(&["--sensitivity"])).parts();
    assert_eq!(code, 2);
    assert!(stderr.contains("--outcome"), "{stderr}");
    let (code, _, stderr) =
        cohortlab(&match_args(&["--outcome", "subtype", "--sensitivity"])).parts();
    assert_eq!(code, 1);
    assert!(
        stderr.contains("the outcome `subtype` has 3 levels (HER2+, HR+/HER2-, TNBC), not two"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: Choose a binary outcome"), "{stderr}");
    let (code, _, stderr) = cohortlab(&match_args(&["--outcome", "nope", "--sensitivity"])).parts();
    assert_eq!(code, 1);
    assert!(stderr.contains("`nope`"), "{stderr}");
}

#[test]
fn help_lists_the_measures_and_the_sensitivity_option() {
    let out = cohortlab(&["evalue", "--help"]).success();
    for line in [
        "- rr: risk ratio",
        "- or: odds ratio",
        "- hr: hazard ratio",
        "--common",
    ] {
        assert!(out.stdout.contains(line), "{line}: {}", out.stdout);
    }
    let out = cohortlab(&["match", "--help"]).success();
    assert!(out.stdout.contains("--sensitivity"));
    assert!(out.stdout.contains("--conf-level"));
}
