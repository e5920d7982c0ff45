//! Matching against MatchIt 4.5.1 (with the integer-abs workaround; see
//! tests/reference/matching.R): identical matched sets, control for
//! control; scores at 1e-6; weights.

mod common;

use std::collections::BTreeMap;

use cohortlab::engine::data::{Dataset, DatasetSpec};
use cohortlab::engine::matching::{
    balance, match_patients, Caliper, DistanceScale, MatchOrder, MatchSpec,
};
use common::{close, data, example, floats, reference, strings, Tol};
use serde_json::Value;

fn check(ds: &Dataset, case: &Value, covariates: &[&str], treatment: &str) {
    let name = case["name"].as_str().unwrap();
    let mut spec = MatchSpec::new(treatment, covariates);
    spec.ratio = case["ratio"].as_u64().unwrap() as usize;
    spec.caliper = case["caliper"].as_f64().map_or(Caliper::None, Caliper::Sd);
    spec.order = match case["order"].as_str().unwrap() {
        "largest" => MatchOrder::Largest,
        _ => MatchOrder::Smallest,
    };
    spec.scale = match case["scale"].as_str().unwrap() {
        "logit" => DistanceScale::Logit,
        _ => DistanceScale::Probability,
    };
    let m = match_patients(ds, &spec).unwrap();
    let id = |row: usize| ds.column("id").unwrap().display(row);
    // Scores.
    let ids = strings(&case["ids"]);
    for (row, s) in floats(&case["score"]).into_iter().enumerate() {
        assert_eq!(id(row), ids[row]);
        close(
            m.distance[row],
            s,
            Tol::REFERENCE,
            &format!("{name} score {row}"),
        );
    }
    // Matched sets, control for control.
    let ours: BTreeMap<String, Vec<String>> = m
        .sets
        .iter()
        .map(|s| (id(s.treated), s.controls.iter().map(|&c| id(c)).collect()))
        .collect();
    let theirs: BTreeMap<String, Vec<String>> = case["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["treated"].as_str().unwrap().to_owned(),
                strings(&s["controls"]),
            )
        })
        .collect();
    let differ: Vec<String> = theirs
        .iter()
        .filter(|(t, c)| ours.get(*t) != Some(c))
        .map(|(t, c)| format!("{t}: R {c:?}, ours {:?}", ours.get(t)))
        .chain(
            ours.keys()
                .filter(|t| !theirs.contains_key(*t))
                .map(|t| format!("{t}: only ours")),
        )
        .collect();
    assert!(
        differ.is_empty(),
        "{name}: {} sets differ, e.g.\n{}",
        differ.len(),
        differ
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    for (row, rw) in floats(&case["weights"]).iter().enumerate() {
        assert!(
            (m.weights[row] - rw).abs() < 1e-9,
            "{name} weight {row}: {} vs {rw}",
            m.weights[row]
        );
    }
    // Balance as MatchIt's summary(m, un = TRUE).
    let bal = balance(ds, &m);
    for (key, after) in [("balance_all", false), ("balance_matched", true)] {
        let b = &case[key];
        let terms = strings(&b["terms"]);
        for (i, term) in terms.iter().enumerate() {
            let Some(row) = bal
                .iter()
                .find(|r| r.term.replace(": ", "") == *term || (r.binary && r.variable == *term))
            else {
                // MatchIt lists both levels of a two-level factor; we list
                // the non-reference one (the other is its mirror image).
                assert!(
                    bal.iter()
                        .any(|r| r.binary && term.starts_with(&r.variable)),
                    "{name}: no balance row for {term}"
                );
                continue;
            };
            let s = if after { &row.after } else { &row.before };
            let num = |k: &str| b[k][i].as_f64();
            // Balanced covariates have an SMD of 0 up to rounding.
            let tol = Tol::REFERENCE.near_zero(1e-3);
            let near = |ours: f64, r: Option<f64>, what: &str| {
                let what = format!("{name} {key} {term} {what}");
                close(ours, r.unwrap(), tol, &what);
            };
            near(s.mean_treated, num("mean_treated"), "mean treated");
            near(s.mean_control, num("mean_control"), "mean control");
            near(s.smd, num("smd"), "smd");
            near(s.ecdf_mean, num("ecdf_mean"), "ecdf mean");
            near(s.ecdf_max, num("ecdf_max"), "ecdf max");
            if let Some(vr) = s.var_ratio {
                near(vr, num("var_ratio"), "variance ratio");
            }
        }
    }
    assert_eq!(
        m.counts.matched.treated as u64,
        case["n_matched_treated"].as_u64().unwrap()
    );
    assert_eq!(
        m.counts.matched.control as u64,
        case["n_matched_control"].as_u64().unwrap()
    );
}

#[test]
fn lalonde_matched_sets_equal_matchit() {
    let ds = data("lalonde.csv", DatasetSpec::default());
    let cov = ["age", "educ", "race", "married", "nodegree", "re74", "re75"];
    for case in reference("matching")["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"].as_str().unwrap().starts_with("lalonde"))
    {
        check(&ds, case, &cov, "treat");
    }
}

#[test]
fn example_study_matched_sets_equal_matchit() {
    let ds = example();
    let cov = [
        "age_group",
        "menopausal",
        "ki67_group",
        "location",
        "ct",
        "cn",
        "subtype",
    ];
    for case in reference("matching")["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"].as_str().unwrap().starts_with("example"))
    {
        check(&ds, case, &cov, "seed_marking");
    }
}
