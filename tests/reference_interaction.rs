//! The P for interaction against R's `anova(glm(y ~ g + s), glm(y ~ g * s),
//! test = "LRT")` (fixture and script: tests/reference/interaction.{R,json}).

use cohortlab::engine::data::{read, ColumnKind, Dataset, DatasetSpec, ReadOptions};
use cohortlab::engine::example::EXAMPLE_CSV;
use cohortlab::engine::regression::interaction_test;
use cohortlab::report::study::{run_study, StudySettings};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    chi_square: f64,
    df: usize,
    p_value: f64,
    n: usize,
}

fn cases() -> Vec<Case> {
    serde_json::from_str(include_str!("reference/interaction.json")).unwrap()
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-6 * b.abs().max(1.0),
        "{what}: {a} vs R {b}"
    );
}

#[test]
fn birthwt_equals_glm_anova() {
    let c = cases()
        .into_iter()
        .find(|c| c.name.starts_with("birthwt"))
        .unwrap();
    let bytes = std::fs::read("tests/data/birthwt.csv").unwrap();
    let raw = read(&bytes, &ReadOptions::default()).unwrap();
    let mut spec = DatasetSpec::default();
    spec.column_mut("race").kind = Some(ColumnKind::Categorical);
    let ds = Dataset::build(&raw, &spec).unwrap();
    let t = interaction_test(&ds, "smoke", "low", "race").unwrap();
    close(t.chi_square, c.chi_square, &c.name);
    close(t.p_value, c.p_value, &c.name);
    assert_eq!((t.df, t.n), (c.df, c.n));
}

#[test]
fn the_study_reports_the_interaction_on_the_matched_cohort() {
    let raw = read(EXAMPLE_CSV.as_bytes(), &ReadOptions::default()).unwrap();
    let out = run_study(&raw, "example-study.csv", &StudySettings::example()).unwrap();
    for c in cases().iter().filter(|c| c.name.starts_with("example")) {
        let outcome = c.name.rsplit(' ').next().unwrap();
        let t = out
            .results
            .interactions
            .iter()
            .find(|(o, _)| o == outcome)
            .and_then(|(_, t)| t.as_ref())
            .unwrap();
        close(t.chi_square, c.chi_square, &c.name);
        close(t.p_value, c.p_value, &c.name);
        assert_eq!((t.df, t.n), (c.df, c.n));
    }
}
