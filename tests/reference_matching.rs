//! Matching against MatchIt 4.5.1 (with the integer-abs workaround; see
//! tests/reference/matching.R): identical matched sets, control for
//! control; scores at 1e-6; weights.

use std::collections::BTreeMap;

use cohortlab::engine::data::{load, Dataset, DatasetSpec, ReadOptions};
use cohortlab::engine::example::{example_spec, EXAMPLE_CSV};
use cohortlab::engine::matching::{
    balance, match_patients, Caliper, DistanceScale, MatchOrder, MatchSpec,
};
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/reference/matching.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    match v.as_array() {
        Some(a) => a.iter().map(|x| x.as_str().unwrap().to_owned()).collect(),
        None => vec![v.as_str().unwrap().to_owned()],
    }
}

fn lalonde() -> Dataset {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/lalonde.csv"
    ))
    .unwrap();
    load(&bytes, &ReadOptions::default(), &DatasetSpec::default())
        .unwrap()
        .1
}

fn example() -> Dataset {
    load(
        EXAMPLE_CSV.as_bytes(),
        &ReadOptions::default(),
        &example_spec(),
    )
    .unwrap()
    .1
}

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
    let score: Vec<f64> = case["score"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for (row, s) in score.iter().enumerate() {
        assert_eq!(id(row), ids[row]);
        assert!(
            (m.distance[row] - s).abs() <= 1e-6 * s.max(1e-12),
            "{name} score {row}: {} vs {s}",
            m.distance[row]
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
    let w: Vec<f64> = case["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for (row, rw) in w.iter().enumerate() {
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
            let close = |ours: f64, r: Option<f64>, what: &str| {
                let r = r.unwrap();
                assert!(
                    (ours - r).abs() <= 1e-6 * r.abs().max(1e-3),
                    "{name} {key} {term} {what}: {ours} vs {r}"
                );
            };
            close(s.mean_treated, num("mean_treated"), "mean treated");
            close(s.mean_control, num("mean_control"), "mean control");
            close(s.smd, num("smd"), "smd");
            close(s.ecdf_mean, num("ecdf_mean"), "ecdf mean");
            close(s.ecdf_max, num("ecdf_max"), "ecdf max");
            if let Some(vr) = s.var_ratio {
                close(vr, num("var_ratio"), "variance ratio");
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
    let ds = lalonde();
    let cov = ["age", "educ", "race", "married", "nodegree", "re74", "re75"];
    for case in fixture()["cases"]
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
    for case in fixture()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"].as_str().unwrap().starts_with("example"))
    {
        check(&ds, case, &cov, "seed_marking");
    }
}
