//! The Mantel-Haenszel OR and CMH test against R's `mantelhaen.test`
//! (fixture and script: tests/reference/mantel_haenszel.{R,json}), on
//! UCBAdmissions and on the example study's matched sets.

mod common;

use cohortlab::engine::data::Dataset;
use cohortlab::engine::hypothesis::{mantel_haenszel, Stratum};
use cohortlab::report::study::{matched_set_tables, StudySettings};
use common::{close, example_raw, example_study_with, reference_as, Tol};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    correct: bool,
    strata: Vec<[f64; 4]>,
    odds_ratio: f64,
    ci: [f64; 2],
    statistic: f64,
    p_value: f64,
}

fn cases() -> Vec<Case> {
    reference_as("mantel_haenszel")
}

#[test]
fn equals_mantelhaen_test() {
    for c in cases() {
        let m = mantel_haenszel(&c.strata, c.correct, 0.95).unwrap();
        let what = format!("{} (correct = {})", c.name, c.correct);
        close(m.odds_ratio, c.odds_ratio, Tol::REFERENCE, &what);
        close(m.ci_lower, c.ci[0], Tol::REFERENCE, &what);
        close(m.ci_upper, c.ci[1], Tol::REFERENCE, &what);
        close(m.statistic, c.statistic, Tol::REFERENCE, &what);
        close(m.p_value, c.p_value, Tol::REFERENCE, &what);
        assert_eq!(m.strata, c.strata.len());
    }
}

#[test]
fn the_study_uses_the_matched_sets_r_sees() {
    let settings = StudySettings::example();
    let out = example_study_with(&settings);
    let ds = Dataset::build(&example_raw(), &settings.dataset).unwrap();
    let m = cohortlab::engine::matching::match_patients(&ds, settings.matching.as_ref().unwrap())
        .unwrap();
    for c in cases()
        .iter()
        .filter(|c| c.correct && c.name.starts_with("example"))
    {
        let outcome = c.name.rsplit(' ').next().unwrap();
        // Matched set by matched set, the same 2 x 2 tables as R's.
        let tables: Vec<Stratum> = matched_set_tables(&ds, &m, "seed_marking", outcome).unwrap();
        assert_eq!(tables, c.strata, "{outcome}");
        let o = out
            .results
            .outcomes
            .iter()
            .find(|o| o.outcome == outcome)
            .unwrap();
        let mh = o.matched_sets.as_ref().unwrap();
        close(mh.odds_ratio, c.odds_ratio, Tol::REFERENCE, outcome);
        close(mh.p_value, c.p_value, Tol::REFERENCE, outcome);
        close(mh.ci_lower, c.ci[0], Tol::REFERENCE, outcome);
    }
}

#[test]
fn no_information_is_none() {
    // Every set concordant: nothing to estimate.
    assert!(mantel_haenszel(&[[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 2.0]], true, 0.95).is_none());
    // Strata of one patient are left out, as they carry nothing.
    let m = mantel_haenszel(&[[3.0, 1.0, 1.0, 3.0], [1.0, 0.0, 0.0, 0.0]], false, 0.95).unwrap();
    assert_eq!(m.strata, 1);
    assert!((m.odds_ratio - 9.0).abs() < 1e-12);
}
