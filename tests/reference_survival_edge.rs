//! Survival edge cases against R 4.2.2, survival 3.5-3 (fixture
//! tests/reference/survival_edge.json from tests/reference/survival_edge.R,
//! data tests/data/survival_edge.csv), issue 13: a censoring at the first
//! time, a curve reaching 0 at its last time (medians, their CIs and the
//! median follow-up, every CI transform), events coded 0/1/2 and 1/2,
//! numeric group, strata and cluster columns, and Cox with missing values
//! and a cluster (patients dropped, concordance SE, robust score and Wald
//! tests).

mod common;

use cohortlab::engine::data::{ColumnKind, Dataset, DatasetSpec};
use cohortlab::engine::survival::*;
use cohortlab::report::survival::{survival_analysis, survival_analysis_rmst};
use common::{close, floats_na, labels, named, reference, Tol};
use serde_json::Value;

fn case(f: &Value, kind: &str, name: &str) -> Value {
    named(&f[kind], name)
}

fn opt(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

fn data(spec: DatasetSpec) -> Dataset {
    common::data("survival_edge.csv", spec)
}

fn spec(time: &str, event: &str, level: Option<&str>, group: &str) -> SurvivalSpec {
    SurvivalSpec {
        time: time.into(),
        event: event.into(),
        event_level: level.map(str::to_owned),
        groups: vec![group.into()],
        strata: None,
    }
}

/// Every row of every group's curve, the medians with their CIs and the
/// median follow-up, through the analysis the CLI, the page and the report
/// run.
fn check_km(ds: &Dataset, s: &SurvivalSpec, r: &Value) {
    let name = r["name"].as_str().unwrap();
    let transform = CiTransform::parse(r["ctype"].as_str().unwrap()).unwrap();
    let a = survival_analysis(ds, s, transform, &[], 0.0).unwrap();
    let groups = labels(&r["groups"]);
    assert_eq!(a.groups.len(), groups.len(), "{name}");
    let row_strata = labels(&r["strata"]);
    let mut at = 0;
    for (gi, (g, label)) in a.groups.iter().zip(&groups).enumerate() {
        assert_eq!(&g.group, label, "{name}");
        let idx: Vec<usize> = (0..row_strata.len())
            .filter(|&i| row_strata[i] == *label)
            .collect();
        assert_eq!(g.fit.rows.len(), idx.len(), "{name} {label}: rows");
        for (row, &i) in g.fit.rows.iter().zip(&idx) {
            let what = format!("{name} {label} t={}", row.time);
            close(row.time, floats_na(&r["time"])[i], Tol::IDENTICAL, &what);
            assert_eq!(row.n_risk as f64, floats_na(&r["n_risk"])[i], "{what}");
            close(row.surv, floats_na(&r["surv"])[i], Tol::SAME_FORMULA, &what);
            close(
                row.std_err,
                floats_na(&r["std_err"])[i],
                Tol::SAME_FORMULA,
                &what,
            );
            close(
                row.lower,
                floats_na(&r["lower"])[i],
                Tol::SAME_FORMULA,
                &format!("{what} lower"),
            );
            close(
                row.upper,
                floats_na(&r["upper"])[i],
                Tol::SAME_FORMULA,
                &format!("{what} upper"),
            );
            at += 1;
        }
        let m = g.fit.median;
        let what = format!("{name} {label} median");
        close(
            opt(m.median),
            floats_na(&r["median"])[gi],
            Tol::IDENTICAL,
            &what,
        );
        close(
            opt(m.lower),
            floats_na(&r["median_lower"])[gi],
            Tol::IDENTICAL,
            &format!("{what} lower"),
        );
        close(
            opt(m.upper),
            floats_na(&r["median_upper"])[gi],
            Tol::IDENTICAL,
            &format!("{what} upper"),
        );
    }
    assert_eq!(at, row_strata.len(), "{name}: every row");
    let fu = floats_na(&r["follow_up"]);
    let f = a.follow_up;
    for (k, (got, want)) in [f.median, f.lower, f.upper].into_iter().zip(fu).enumerate() {
        close(
            opt(got),
            want,
            Tol::IDENTICAL,
            &format!("{name} follow-up [{k}]"),
        );
    }
}

#[test]
fn medians_and_bounds_equal_quantile_survfit_for_every_transform() {
    let f = reference("survival_edge");
    let ds = data(DatasetSpec::default());
    for ct in ["log", "log-log", "plain"] {
        // Censored first in each group; 0/1/2 codes, event 1, group 1/2.
        check_km(
            &ds,
            &spec("time", "status012", Some("1"), "grp"),
            &case(&f, "km", &format!("censor_first_{ct}")),
        );
        // Each group's curve reaches 0 at its last time.
        check_km(
            &ds,
            &spec("time_z", "event_z", None, "grp"),
            &case(&f, "km", &format!("reach_zero_{ct}")),
        );
        // The competing code as the event, by a numeric grade 1/2/3.
        check_km(
            &ds,
            &spec("time", "status012", Some("2"), "grade"),
            &case(&f, "km", &format!("competing_{ct}")),
        );
    }
    // R's Surv() convention for 1/2 codes: 2 is the event.
    check_km(
        &ds,
        &spec("time", "status12", None, "grp"),
        &case(&f, "km", "codes_12"),
    );
}

#[test]
fn log_rank_by_numeric_groups_and_strata_equals_survdiff() {
    let f = reference("survival_edge");
    let ds = data(DatasetSpec::default());
    for (name, group, strata) in [
        ("grp", "grp", None),
        ("grade", "grade", None),
        ("grp_strata_grade", "grp", Some("grade")),
        ("grp_strata_centre", "grp", Some("centre")),
    ] {
        let r = case(&f, "logrank", name);
        let mut s = spec("time", "status012", Some("1"), group);
        s.strata = strata.map(str::to_owned);
        let a = survival_analysis(&ds, &s, CiTransform::Log, &[], 0.0).unwrap();
        let lr = a.log_rank.unwrap();
        close(
            lr.chi_square,
            r["chisq"].as_f64().unwrap(),
            Tol::REFERENCE,
            name,
        );
        close(lr.p_value, r["p"].as_f64().unwrap(), Tol::REFERENCE, name);
        assert_eq!(lr.stratified, strata.is_some(), "{name}");
    }
}

fn check_cox(ds: &Dataset, s: &CoxSpec, r: &Value) {
    let name = r["name"].as_str().unwrap();
    let fit = cox_model(ds, s).unwrap();
    assert_eq!(fit.n as f64, r["n"].as_f64().unwrap(), "{name} n");
    assert_eq!(
        fit.dropped as f64,
        r["dropped"].as_f64().unwrap(),
        "{name} dropped"
    );
    assert_eq!(
        fit.events as f64,
        r["nevent"].as_f64().unwrap(),
        "{name} events"
    );
    let (coef, se) = (floats_na(&r["coef"]), floats_na(&r["se"]));
    assert_eq!(fit.terms.len(), coef.len(), "{name}");
    for (k, t) in fit.terms.iter().enumerate() {
        close(
            t.coef,
            coef[k],
            Tol::REFERENCE,
            &format!("{name} {} coef", t.term),
        );
        close(
            t.se,
            se[k],
            Tol::REFERENCE,
            &format!("{name} {} se", t.term),
        );
    }
    close(
        fit.score_chi_square,
        r["score"].as_f64().unwrap(),
        Tol::REFERENCE,
        name,
    );
    close(
        fit.concordance,
        r["concordance"].as_f64().unwrap(),
        Tol::SAME_FORMULA,
        name,
    );
    close(
        fit.concordance_se,
        r["concordance_se"].as_f64().unwrap(),
        Tol::REFERENCE,
        &format!("{name} concordance SE"),
    );
    match r.get("robust_wald").and_then(Value::as_f64) {
        Some(w) => {
            for (t, se) in fit.terms.iter().zip(floats_na(&r["robust_se"])) {
                close(
                    t.robust.unwrap().se,
                    se,
                    Tol::REFERENCE,
                    &format!("{name} {} robust", t.term),
                );
            }
            close(
                opt(fit.robust_wald_chi_square),
                w,
                Tol::REFERENCE,
                &format!("{name} robust Wald"),
            );
            let wp = r["robust_wald_p"].as_f64().unwrap();
            close(
                opt(fit.robust_wald_p_value),
                wp,
                Tol::REFERENCE,
                &format!("{name} robust Wald P"),
            );
            let sc = r["robust_score"].as_f64().unwrap();
            close(
                opt(fit.robust_score_chi_square),
                sc,
                Tol::REFERENCE,
                &format!("{name} robust score"),
            );
            let sp = r["robust_score_p"].as_f64().unwrap();
            close(
                opt(fit.robust_score_p_value),
                sp,
                Tol::REFERENCE,
                &format!("{name} robust score P"),
            );
        }
        None => {
            assert!(fit.robust_score_chi_square.is_none(), "{name}");
            assert!(fit.robust_wald_p_value.is_none(), "{name}");
        }
    }
}

fn cox_spec(level: &str, vars: &[&str], strata: Option<&str>, cluster: Option<&str>) -> CoxSpec {
    CoxSpec {
        time: "time".into(),
        event: "status012".into(),
        event_level: Some(level.into()),
        variables: vars.iter().map(|v| v.to_string()).collect(),
        ordinal: Vec::new(),
        strata: strata.map(str::to_owned),
        cluster: cluster.map(str::to_owned),
        ties: Ties::Efron,
        conf_level: cohortlab::engine::defaults::CONF_LEVEL,
    }
}

#[test]
fn cox_with_0_1_2_codes_missing_values_and_numeric_strata_and_cluster_equals_coxph() {
    let f = reference("survival_edge");
    let ds = data(DatasetSpec::default());
    let factor = data(DatasetSpec::default().with_kind("grade", ColumnKind::Categorical));
    let cases = [
        (
            "event1_age_grade",
            &factor,
            cox_spec("1", &["age", "grade"], None, None),
        ),
        ("event2_grp", &ds, cox_spec("2", &["grp"], None, None)),
        (
            "strata_grade",
            &ds,
            cox_spec("1", &["age", "grp"], Some("grade"), None),
        ),
        (
            "cluster_centre",
            &ds,
            cox_spec("1", &["age", "grp"], None, Some("centre")),
        ),
        (
            "cluster_centre_grade",
            &factor,
            cox_spec("1", &["age", "grade"], None, Some("centre")),
        ),
    ];
    for (name, d, s) in cases {
        check_cox(d, &s, &case(&f, "cox", name));
    }
}

/// Codes that are neither the event nor censoring are counted as censored,
/// with a note; a level not in the column is an error that lists them.
#[test]
fn competing_codes_are_censored_with_a_note_and_unknown_levels_listed() {
    let ds = data(DatasetSpec::default());
    let d = survival_data(&ds, &spec("time", "status012", Some("1"), "grp")).unwrap();
    assert_eq!(d.diagnostics.len(), 1);
    let note = &d.diagnostics[0];
    assert!(note.message.contains("`status012` = 2"), "{}", note.message);
    assert!(note.hint.as_deref().unwrap().contains("competing-risks"));
    // 0/1 codes: no note.
    let d = survival_data(&ds, &spec("time_z", "event_z", None, "grp")).unwrap();
    assert!(d.diagnostics.is_empty());
    let a = survival_analysis(
        &ds,
        &spec("time", "status012", Some("2"), "grp"),
        CiTransform::Log,
        &[],
        0.0,
    )
    .unwrap();
    assert!(a
        .summary_table()
        .footnotes
        .iter()
        .any(|n| n.contains("competing-risks")));
    let fit = cox_model(&ds, &cox_spec("1", &["grp"], None, None)).unwrap();
    assert_eq!(fit.diagnostics.len(), 1);
    let e = survival_data(&ds, &spec("time", "status012", Some("7"), "grp")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the column `status012` has no level `7`; its levels are 0, 1, 2"
    );
    assert!(e.hint().contains("0, 1, 2"));
    // Without --event-level a 0/1/2 column is ambiguous.
    let e = survival_data(&ds, &spec("time", "status012", None, "grp")).unwrap_err();
    assert!(matches!(e, SurvivalError::EventNotBinary { .. }), "{e}");
    assert!(e.hint().contains("--event-level"), "{}", e.hint());
    // --event-level 1 on 1/2 codes is honoured (1 the event, 2 censored).
    let one = survival_data(&ds, &spec("time", "status12", Some("1"), "grp")).unwrap();
    let two = survival_data(&ds, &spec("time", "status12", None, "grp")).unwrap();
    assert!(one.event.iter().zip(&two.event).all(|(a, b)| a != b));
    assert!(one.diagnostics.is_empty());
}

/// Landmark times, the restricted mean's horizon and rho are checked,
/// naming the option.
#[test]
fn bad_landmarks_horizons_and_rho_are_refused() {
    let ds = data(DatasetSpec::default());
    let s = spec("time_z", "event_z", None, "grp");
    let run = |at: &[f64], rho: f64, tau: Option<f64>| {
        survival_analysis_rmst(&ds, &s, CiTransform::Log, at, rho, tau)
    };
    assert!(run(&[0.0, 12.0], 0.0, Some(60.0)).is_ok());
    for (at, rho, tau, option) in [
        (vec![f64::NAN], 0.0, None, SurvivalOption::LandmarkTime),
        (vec![-1.0], 0.0, None, SurvivalOption::LandmarkTime),
        (vec![f64::INFINITY], 0.0, None, SurvivalOption::LandmarkTime),
        (vec![], 0.0, Some(-1.0), SurvivalOption::RmstHorizon),
        (vec![], 0.0, Some(0.0), SurvivalOption::RmstHorizon),
        (vec![], 0.0, Some(f64::NAN), SurvivalOption::RmstHorizon),
        (vec![], f64::NAN, None, SurvivalOption::Rho),
        (vec![], f64::INFINITY, None, SurvivalOption::Rho),
    ] {
        let e = run(&at, rho, tau).unwrap_err();
        assert!(
            matches!(e, SurvivalError::InvalidOption { option: o, .. } if o == option),
            "{e}"
        );
        assert!(e.to_string().contains(option.settings_field()), "{e}");
        assert!(
            e.cli_message().starts_with(option.cli_flag()),
            "{}",
            e.cli_message()
        );
        assert!(!e.hint().is_empty());
    }
}

/// A settings file with a bad landmark time or horizon is refused on
/// reading, naming the settings field.
#[test]
fn settings_with_bad_survival_numbers_are_refused() {
    use cohortlab::report::study::StudySettings;
    let good = StudySettings::example();
    assert!(StudySettings::from_json(&good.to_json()).is_ok());
    for (field, edit) in [
        (
            "survival.at",
            (|s: &mut StudySettings| s.survival.as_mut().unwrap().at = vec![12.0, -1.0])
                as fn(&mut StudySettings),
        ),
        ("survival.rmst", |s| {
            s.survival.as_mut().unwrap().rmst =
                Some(cohortlab::engine::survival::RmstHorizon::At(0.0))
        }),
    ] {
        let mut s = good.clone();
        edit(&mut s);
        // (JSON has no NaN or infinity: a rho that is not finite can only
        // come from the page, and the analysis refuses it, as tested above.)
        let e = StudySettings::from_json(&s.to_json()).unwrap_err();
        assert!(e.contains(field), "{field}: {e}");
    }
}

/// Where R gives NA, the table says so: no CI at a time where the curve
/// is 0, no lower bound of a median reached when the curve drops to 0.
#[test]
fn missing_bounds_are_shown_as_missing() {
    let ds = data(DatasetSpec::default());
    let s = spec("time_z", "event_z", None, "grp");
    let a = survival_analysis(&ds, &s, CiTransform::Log, &[150.0], 0.0).unwrap();
    let t = a.summary_table();
    let row = &t.rows[0].1;
    assert_eq!(row[3], "0.0% (CI NA)");
    assert_eq!(row[4], "138.5 (NA–not reached)");
}
