//! Issue 13, item 3, as a user meets it: separation in the `logistic`
//! command's text and JSON, `--firth`, and Firth in a study's settings and
//! methods text.

use std::process::Command;

use cohortlab::engine::data::{read, ReadOptions};
use cohortlab::engine::example::EXAMPLE_CSV;
use cohortlab::report::study::{methods_text, run_study, StudySettings};
use serde_json::Value;

fn cohortlab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cohortlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn firth_model(name: &str) -> Value {
    let text = std::fs::read_to_string("tests/reference/firth.json").unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap()
        .clone()
}

const LEVEL: [&str; 6] = [
    "logistic",
    "tests/data/separation-level.csv",
    "--outcome",
    "response",
    "--vars",
    "histology,age",
];

/// A level with 0 of 16 events: "not estimable (separation)", no P of 0.
#[test]
fn separated_level_is_printed_as_not_estimable() {
    let (code, out, err) = cohortlab(&LEVEL);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("C "))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        line.matches("not estimable (separation)").count(),
        2,
        "{line}"
    );
    assert!(!line.contains("< 0.001"), "{line}");
    assert!(out.contains("none has the outcome (0 of 16)"), "{out}");
    let mut json = LEVEL.to_vec();
    json.push("--json");
    let (code, out, err) = cohortlab(&json);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let c = &v["terms"][2];
    assert_eq!(c["term"], "histology: C");
    assert_eq!(c["separation"], true);
    assert_eq!(c["not_estimable"], "separation");
    assert!(c["p_value"].is_null() && c["odds_ratio"].is_null() && c["ci_lower"].is_null());
    assert!(v["terms"][1]["p_value"].is_number());
}

/// `--firth`: finite estimates, as the formulas in R give them.
#[test]
fn firth_flag_gives_finite_estimates() {
    let mut args = LEVEL.to_vec();
    args.extend(["--firth", "--json"]);
    let (code, out, err) = cohortlab(&args);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let r = firth_model("separation_level");
    for (i, t) in v["terms"].as_array().unwrap().iter().enumerate() {
        let coef = r["coef"][i].as_f64().unwrap();
        let or = t["odds_ratio"].as_f64().unwrap();
        assert!(
            (or.ln() - coef).abs() < 1e-6 * coef.abs(),
            "{} {or}",
            t["term"]
        );
        let lo = r["ci_lower"][i].as_f64().unwrap();
        assert!((t["ci_lower"].as_f64().unwrap().ln() - lo).abs() < 1e-6 * lo.abs());
        let p = r["p"][i].as_f64().unwrap();
        assert!((t["p_value"].as_f64().unwrap() - p).abs() < 1e-6 * p);
        assert!(t["not_estimable"].is_null());
    }
    args.pop();
    let (_, text, _) = cohortlab(&args);
    assert!(text.contains("profile penalised-likelihood"), "{text}");
    assert!(!text.contains("not estimable"), "{text}");
}

/// A study's settings carry `firth` (old settings without it load as
/// false: `shipped_settings_are_the_example_study`), and the methods text
/// names it.
#[test]
fn firth_in_study_settings_and_methods() {
    let mut settings = StudySettings::example();
    assert!(!settings.regression.as_ref().unwrap().spec.firth);
    settings.regression.as_mut().unwrap().spec.firth = true;
    let back = StudySettings::from_json(&settings.to_json()).unwrap();
    assert!(back.regression.as_ref().unwrap().spec.firth);
    let raw = read(EXAMPLE_CSV.as_bytes(), &ReadOptions::default()).unwrap();
    let out = run_study(&raw, "example-study.csv", &settings).unwrap();
    let text = methods_text(&out.results);
    assert!(text.contains("Firth's penalised likelihood"), "{text}");
    let multi = out.results.regression.as_ref().unwrap();
    let m = multi.multivariable.as_ref().unwrap();
    assert!(m.spec.firth && m.terms.iter().all(|t| t.odds_ratio.is_some()));
}
