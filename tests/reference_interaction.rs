//! The P for interaction against R's `anova(glm(y ~ g + s), glm(y ~ g * s),
//! test = "LRT")` (fixture and script: tests/reference/interaction.{R,json}).

mod common;

use cohortlab::engine::data::{ColumnKind, DatasetSpec};
use cohortlab::engine::regression::interaction_test;
use common::{close, data, example_study, reference_as, Tol};
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
    reference_as("interaction")
}

#[test]
fn birthwt_equals_glm_anova() {
    let c = cases()
        .into_iter()
        .find(|c| c.name.starts_with("birthwt"))
        .unwrap();
    let mut spec = DatasetSpec::default();
    spec.column_mut("race").kind = Some(ColumnKind::Categorical);
    let ds = data("birthwt.csv", spec);
    let t = interaction_test(&ds, "smoke", "low", "race").unwrap();
    close(t.chi_square, c.chi_square, Tol::REFERENCE, &c.name);
    close(t.p_value, c.p_value, Tol::REFERENCE, &c.name);
    assert_eq!((t.df, t.n), (c.df, c.n));
}

#[test]
fn the_study_reports_the_interaction_on_the_matched_cohort() {
    let out = example_study();
    for c in cases().iter().filter(|c| c.name.starts_with("example")) {
        let outcome = c.name.rsplit(' ').next().unwrap();
        let t = out
            .results
            .interactions
            .iter()
            .find(|(o, _)| o == outcome)
            .and_then(|(_, t)| t.as_ref())
            .unwrap();
        close(t.chi_square, c.chi_square, Tol::REFERENCE, &c.name);
        close(t.p_value, c.p_value, Tol::REFERENCE, &c.name);
        assert_eq!((t.df, t.n), (c.df, c.n));
    }
}
