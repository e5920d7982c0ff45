//! Matching invariants (as MatchIt's `expect_good_matchit`) and the CLI.

mod common;

use std::collections::HashSet;

use cohortlab::engine::matching::{match_patients, Caliper, MatchOrder, MatchResult, MatchSpec};
use common::{cohortlab, example, scratch};

const COV: [&str; 7] = [
    "age_group",
    "menopausal",
    "ki67_group",
    "location",
    "ct",
    "cn",
    "subtype",
];

fn check_invariants(m: &MatchResult, replace: bool) {
    let mut used = HashSet::new();
    for set in &m.sets {
        assert_eq!(m.treated[set.treated], Some(true));
        assert!(!set.controls.is_empty() && set.controls.len() <= m.spec.ratio);
        for &c in &set.controls {
            assert_eq!(m.treated[c], Some(false));
            if !replace {
                assert!(used.insert(c), "control {c} used twice");
            }
            if let Some(w) = m.caliper_width {
                let d = |i: usize| match m.spec.scale {
                    cohortlab::engine::matching::DistanceScale::Logit => {
                        (m.distance[i] / (1.0 - m.distance[i])).ln()
                    }
                    _ => m.distance[i],
                };
                assert!(
                    (d(set.treated) - d(c)).abs() <= w,
                    "pair outside the caliper"
                );
            }
        }
    }
    let in_sets: HashSet<usize> = m
        .sets
        .iter()
        .flat_map(|s| std::iter::once(s.treated).chain(s.controls.iter().copied()))
        .collect();
    for i in 0..m.weights.len() {
        assert_eq!(
            m.weights[i] > 0.0,
            in_sets.contains(&i),
            "row {i}: weight 0 iff unmatched"
        );
        assert_eq!(m.subclass[i].is_some(), in_sets.contains(&i));
    }
}

#[test]
fn invariants_hold_for_every_option() {
    let ds = example();
    for ratio in [1, 2, 3] {
        for caliper in [Caliper::None, Caliper::Sd(0.2), Caliper::Sd(0.05)] {
            for order in [
                MatchOrder::Largest,
                MatchOrder::Smallest,
                MatchOrder::Random(7),
                MatchOrder::Data,
            ] {
                for replace in [false, true] {
                    let spec = MatchSpec {
                        ratio,
                        caliper,
                        order,
                        replace,
                        ..MatchSpec::new("seed_marking", &COV)
                    };
                    let m = match_patients(&ds, &spec).unwrap();
                    check_invariants(&m, replace);
                }
            }
        }
    }
}

#[test]
fn exact_matching_keeps_strata_and_random_order_is_reproducible() {
    let ds = example();
    let spec = MatchSpec {
        ratio: 2,
        exact: vec!["subtype".into()],
        order: MatchOrder::Random(42),
        ..MatchSpec::new("seed_marking", &COV)
    };
    let a = match_patients(&ds, &spec).unwrap();
    let b = match_patients(&ds, &spec).unwrap();
    assert_eq!(a.sets, b.sets, "same seed, same matched sets");
    let subtype = ds.column("subtype").unwrap();
    for set in &a.sets {
        for &c in &set.controls {
            assert_eq!(subtype.display(c), subtype.display(set.treated));
        }
    }
    let other = MatchSpec {
        order: MatchOrder::Random(43),
        ..spec
    };
    assert_ne!(match_patients(&ds, &other).unwrap().sets, a.sets);
}

#[test]
fn cli_match_writes_match_data() {
    let dir = scratch("match");
    let out = dir.join("matched.csv");
    let v = cohortlab(&[
        "match",
        "tests/data/example-study.csv",
        "--dataset-spec",
        "tests/data/example-study.dataset.json",
        "--treatment",
        "seed_marking",
        "--covariates",
        &COV.join(","),
        "--ratio",
        "2",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ])
    .success()
    .json();
    assert_eq!(v["counts"]["matched"]["treated"], 216);
    assert!(v["balance"].as_array().unwrap().len() > 10);
    let csv = std::fs::read_to_string(&out).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("id,age,") && header.ends_with(",distance,weights,subclass"),
        "{header}"
    );
    let matched = csv.lines().count() - 1;
    assert_eq!(
        matched as u64,
        216 + v["counts"]["matched"]["control"].as_u64().unwrap()
    );
    let bad = cohortlab(&[
        "match",
        "tests/data/example-study.csv",
        "--treatment",
        "seed_marking",
        "--covariates",
        "age",
        "--ratio",
        "11",
    ])
    .exit(1);
    assert!(bad
        .stderr
        .contains("the ratio must be between 1 and 10; it is 11"));
}

#[test]
fn stability_over_random_orders() {
    use cohortlab::engine::matching::{outcome_difference, stability};
    let ds = example();
    let spec = MatchSpec {
        ratio: 2,
        ..MatchSpec::new("seed_marking", &COV)
    };
    let m = match_patients(&ds, &spec).unwrap();
    let s = stability(&ds, &m, 5, Some("tpcr")).unwrap();
    assert_eq!(s.runs.len(), 5);
    assert_eq!(
        s.runs.iter().map(|r| r.seed).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    for r in &s.runs {
        assert!((0.0..=1.0).contains(&r.control_overlap));
        assert!(r.treated_matched <= 216);
    }
    let d = outcome_difference(&ds, &m, "tpcr").unwrap();
    assert_eq!(s.reference_outcome_difference, Some(d));
    let (lo, hi) = (s.min_difference.unwrap(), s.max_difference.unwrap());
    assert!(lo <= hi && (-1.0..=1.0).contains(&lo));
    // The same seed reruns give the same numbers.
    assert_eq!(stability(&ds, &m, 5, Some("tpcr")).unwrap(), s);
}
