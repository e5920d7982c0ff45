//! Sensitivity analysis against R 4.2.2 (tests/reference/sensitivity.R):
//! E-values from the closed forms of VanderWeele & Ding (2017) and EValue's
//! conversions; Rosenbaum bounds computed by hand in R (pbinom for pairs,
//! the normal approximation for 1:k sets) on the example study matched by
//! MatchIt and on a constructed 1:1 study. P values at 1e-6, counts exact.

mod common;

use cohortlab::engine::data::{Dataset, DatasetSpec};
use cohortlab::engine::matching::{
    match_patients, Caliper, DistanceScale, MatchOrder, MatchResult, MatchSpec,
};
use cohortlab::engine::sensitivity::{
    binary_bounds_exact, binary_bounds_normal, e_value, rosenbaum_binary, Direction, EffectMeasure,
    RosenbaumMethod, RosenbaumResult, SensitivityError,
};
use cohortlab::engine::{Choice, Code};
use common::{close, data, example, floats, reference, Tol};
use serde_json::Value;

#[test]
fn e_values_equal_the_closed_forms() {
    let fixture = reference("sensitivity");
    let cases = fixture["evalues"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let measure = EffectMeasure::from_key(c["measure"].as_str().unwrap()).unwrap();
        let e = e_value(
            measure,
            c["estimate"].as_f64().unwrap(),
            c["lower"].as_f64(),
            c["upper"].as_f64(),
            c["common"].as_bool().unwrap(),
        )
        .unwrap();
        let tol = Tol::EXACT;
        close(e.rr_point, c["rr_point"].as_f64().unwrap(), tol, name);
        close(e.point, c["point"].as_f64().unwrap(), tol, name);
        close(e.ci.unwrap(), c["ci"].as_f64().unwrap(), tol, name);
    }
}

#[test]
fn the_published_example_gives_7_26_and_3_0() {
    // VanderWeele & Ding (2017): RR 3.9 (95% CI 1.8 to 8.7).
    let e = e_value(EffectMeasure::Rr, 3.9, Some(1.8), Some(8.7), false).unwrap();
    assert_eq!(format!("{:.2} {:.1}", e.point, e.ci.unwrap()), "7.26 3.0");
}

/// The Γ rows of `r` checked against R's, at Γ = 1, 1.5 and 2 (computed
/// from the public bound functions when the table stops before).
fn check_bounds(r: &RosenbaumResult, case: &Value, name: &str, pairs: &[(usize, usize)]) {
    assert_eq!(r.sets as u64, case["sets"].as_u64().unwrap(), "{name} sets");
    assert_eq!(
        r.informative_sets as u64,
        case["informative_sets"].as_u64().unwrap(),
        "{name} informative sets"
    );
    assert_eq!(
        r.statistic as u64,
        case["statistic"].as_u64().unwrap(),
        "{name} T"
    );
    let direction = match r.direction {
        Direction::TreatedMore => "treated_more",
        Direction::TreatedFewer => "treated_fewer",
    };
    assert_eq!(direction, case["direction"].as_str().unwrap(), "{name}");
    let method = match r.method {
        RosenbaumMethod::ExactBinomial => "exact_binomial",
        RosenbaumMethod::NormalApproximation => "normal_approximation",
    };
    assert_eq!(method, case["method"].as_str().unwrap(), "{name}");
    let (gammas, up, lo) = (
        floats(&case["gamma"]),
        floats(&case["p_upper"]),
        floats(&case["p_lower"]),
    );
    for i in 0..gammas.len() {
        let g = gammas[i];
        let (p_upper, p_lower) = match r.bounds.iter().find(|b| (b.gamma - g).abs() < 1e-12) {
            Some(b) => (b.p_upper, b.p_lower),
            None => {
                assert!(r.bounds.last().unwrap().p_upper > r.alpha, "{name}");
                match r.method {
                    RosenbaumMethod::ExactBinomial => {
                        binary_bounds_exact(r.informative_sets, r.statistic, g)
                    }
                    RosenbaumMethod::NormalApproximation => {
                        binary_bounds_normal(pairs, r.statistic, g)
                    }
                }
            }
        };
        let what = format!("{name} Γ = {g}");
        close(p_upper, up[i], Tol::REFERENCE, &format!("{what} P+"));
        close(p_lower, lo[i], Tol::REFERENCE, &format!("{what} P-"));
    }
    match case["gamma_at_alpha"].as_f64() {
        Some(g) => close(
            r.gamma_at_alpha.unwrap(),
            g,
            Tol::REFERENCE,
            &format!("{name} crossing Γ"),
        ),
        None => assert_eq!(r.gamma_at_alpha, None, "{name}"),
    }
    // The table: Γ = 1, 1.1, ..., stopping at the first P+ above alpha.
    for (i, b) in r.bounds.iter().enumerate() {
        close(b.gamma, 1.0 + i as f64 / 10.0, Tol::EXACT, name);
        assert!(b.p_lower <= b.p_upper * (1.0 + 1e-12), "{name}");
        if i + 1 < r.bounds.len() {
            assert!(b.p_upper <= r.alpha, "{name} row {i}");
        }
    }
    if let Some(g) = r.gamma_at_alpha {
        let last = r.bounds.last().unwrap();
        assert!(last.p_upper > r.alpha && last.gamma >= g && last.gamma - g < 0.1 + 1e-9);
    }
}

/// The informative sets of `m` as (patients, events) in the tested
/// direction, for the normal bound at a Γ the table does not reach.
fn informative_sets(
    ds: &Dataset,
    m: &MatchResult,
    outcome: &str,
    fewer: bool,
) -> Vec<(usize, usize)> {
    let y = ds.column(outcome).unwrap().levels().unwrap();
    m.sets
        .iter()
        .filter_map(|s| {
            let rows: Vec<usize> = std::iter::once(s.treated)
                .chain(s.controls.iter().copied())
                .filter(|&r| y.code(r).is_some())
                .collect();
            let n = rows.len();
            let ev = rows.iter().filter(|&&r| y.code(r) == Some(1)).count();
            (ev > 0 && ev < n).then_some((n, if fewer { n - ev } else { ev }))
        })
        .collect()
}

#[test]
fn rosenbaum_bounds_on_the_example_study_equal_r() {
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
    let fixture = reference("sensitivity");
    for case in fixture["examples"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut spec = MatchSpec::new("seed_marking", &cov);
        spec.ratio = case["ratio"].as_u64().unwrap() as usize;
        spec.caliper = Caliper::Sd(case["caliper"].as_f64().unwrap());
        spec.order = match case["order"].as_str().unwrap() {
            "largest" => MatchOrder::Largest,
            _ => MatchOrder::Smallest,
        };
        spec.scale = match case["scale"].as_str().unwrap() {
            "logit" => DistanceScale::Logit,
            _ => DistanceScale::Probability,
        };
        let m = match_patients(&ds, &spec).unwrap();
        for o in case["outcomes"].as_array().unwrap() {
            let outcome = o["outcome"].as_str().unwrap();
            let r = rosenbaum_binary(&ds, &m, outcome, 0.05).unwrap();
            assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
            let sets = informative_sets(&ds, &m, outcome, r.direction == Direction::TreatedFewer);
            check_bounds(&r, o, &format!("{name} {outcome}"), &sets);
        }
    }
}

fn pairs_study() -> (Dataset, MatchResult) {
    let ds = data("sensitivity-pairs.csv", DatasetSpec::default());
    let mut spec = MatchSpec::new("treat", &["x"]);
    spec.caliper = Caliper::None;
    spec.exact = vec!["pair".into()];
    let m = match_patients(&ds, &spec).unwrap();
    (ds, m)
}

#[test]
fn rosenbaum_bounds_on_constructed_pairs_are_the_exact_binomial() {
    let (ds, m) = pairs_study();
    // Exact matching on `pair` gives back the constructed pairs.
    let pair = |r: usize| ds.column("pair").unwrap().display(r);
    assert_eq!(m.sets.len(), 30);
    for s in &m.sets {
        assert_eq!(s.controls.len(), 1);
        assert_eq!(pair(s.treated), pair(s.controls[0]));
    }
    let fixture = reference("sensitivity");
    for case in fixture["pairs"].as_array().unwrap() {
        let outcome = case["outcome"].as_str().unwrap();
        let r = rosenbaum_binary(&ds, &m, outcome, 0.05).unwrap();
        let sets = informative_sets(&ds, &m, outcome, r.direction == Direction::TreatedFewer);
        check_bounds(&r, case, outcome, &sets);
    }
    // `y` misses one control's outcome: its pair is left out, and said.
    let r = rosenbaum_binary(&ds, &m, "y", 0.05).unwrap();
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].code, Code::RowsDropped);
    assert!(r.diagnostics[0].message.starts_with("1 matched patients"));
}

#[test]
fn a_different_alpha_moves_the_crossing() {
    let (ds, m) = pairs_study();
    let at05 = rosenbaum_binary(&ds, &m, "y", 0.05).unwrap();
    let at01 = rosenbaum_binary(&ds, &m, "y", 0.01).unwrap();
    assert!(at01.gamma_at_alpha.unwrap() < at05.gamma_at_alpha.unwrap());
    let (p, _) = binary_bounds_exact(16, 14, at01.gamma_at_alpha.unwrap());
    close(p, 0.01, Tol::relative(1e-5), "P+ at the crossing");
}

#[test]
fn bad_outcomes_are_errors_that_name_the_column() {
    let (ds, m) = pairs_study();
    let err = |o: &str| rosenbaum_binary(&ds, &m, o, 0.05).unwrap_err();
    let e = err("grade");
    assert!(matches!(e, SensitivityError::NotBinary { .. }));
    assert!(
        e.to_string().contains("`grade` has 3 levels (1, 2, 3)"),
        "{e}"
    );
    let e = err("nope");
    assert!(matches!(e, SensitivityError::UnknownOutcome(_)));
    assert!(e.to_string().contains("`nope`"));
    let e = err("y_none");
    assert!(
        matches!(e, SensitivityError::NoInformativeSets { sets: 30, .. }),
        "{e}"
    );
    assert!(!e.hint().is_empty());
    assert!(matches!(
        rosenbaum_binary(&ds, &m, "y", 1.0),
        Err(SensitivityError::BadAlpha(_))
    ));
}

#[test]
fn matching_with_replacement_says_the_sets_share_controls() {
    let ds = example();
    let mut spec = MatchSpec::new("seed_marking", &["age_group", "ct", "cn", "subtype"]);
    spec.replace = true;
    spec.ratio = 2;
    let m = match_patients(&ds, &spec).unwrap();
    let r = rosenbaum_binary(&ds, &m, "tpcr", 0.05).unwrap();
    assert!(
        r.diagnostics.iter().any(|d| d.code == Code::ControlsReused),
        "{:?}",
        r.diagnostics
    );
    assert_eq!(r.sets, m.sets.len());
}
