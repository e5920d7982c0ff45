//! The study's Sensitivity step (`engine::study::sensitivity_step`, run by
//! `run_study` and `cohortlab run`): every number equals the engine's
//! weighting, weighted Cox, E-value and Rosenbaum functions called
//! directly; the report holds its tables, figures and methods sentences;
//! settings without the step are unchanged.

mod common;

use cohortlab::engine::data::Dataset;
use cohortlab::engine::matching::match_patients;
use cohortlab::engine::sensitivity::{e_value_of, rosenbaum_binary, EffectMeasure};
use cohortlab::engine::study::{SensitivityStep, COMMON_OUTCOME};
use cohortlab::engine::survival::{
    cox_model_weighted, survival_analysis_weighted, CoxSpec, SurvivalOptions, SurvivalSpec,
};
use cohortlab::engine::weighting::{
    doubly_robust, weight_patients, weighted_outcome, weighted_table1, Estimand, WeightOptions,
    WeightSpec,
};
use cohortlab::report::study::StudySettings;
use common::{example_raw, example_study_with};

fn settings(options: WeightOptions) -> StudySettings {
    StudySettings {
        sensitivity: Some(SensitivityStep {
            weighting: options,
            ..Default::default()
        }),
        ..StudySettings::example()
    }
}

#[test]
fn every_number_of_the_step_equals_the_engine_called_directly() {
    let options = WeightOptions {
        estimand: Estimand::Ato,
        truncate: Some(0.99),
        ..WeightOptions::default()
    };
    let s = settings(options);
    let out = example_study_with(&s);
    let r = &out.results;
    let x = r.sensitivity.as_ref().expect("the step ran");
    let ds = Dataset::build(&example_raw(), &s.dataset).unwrap();
    let spec = s.matching.as_ref().unwrap();
    let w = weight_patients(&ds, &WeightSpec::from_match(spec, options)).unwrap();

    // The weights' summary and balance.
    let summary = x.weighting.as_ref().expect("weighted");
    assert_eq!(summary.treated, w.treated_weights);
    assert_eq!(summary.control, w.control_weights);
    assert_eq!(summary.truncated, w.truncated);
    assert!(summary.truncated > 0, "the 99th percentile truncates some");
    assert!(summary.max_smd_after < summary.max_smd_before);
    let share: f64 = summary.figure.weights_treated.iter().sum();
    assert!((share - 1.0).abs() < 1e-12);

    // Table 1 weighted, as the engine gives it: Σw per group, no tests.
    let t1 = x.weighted_table1.as_ref().expect("a weighted Table 1");
    let direct = weighted_table1(&ds, s.table1.as_ref().unwrap(), &w).unwrap();
    assert_eq!(t1, &direct);
    assert_eq!(t1.groups.len(), 2);
    for (g, ours) in t1
        .groups
        .iter()
        .zip([&w.control_weights, &w.treated_weights])
    {
        assert!((g.weighted_n.unwrap() - ours.sum).abs() < 1e-9 * ours.sum);
    }
    assert!(t1.variables.iter().all(|v| v.p_value.is_none()));
    assert_eq!(t1.weighting.as_ref().unwrap().estimand, Some(Estimand::Ato));
    // Its SMDs are the balance table's (subtype: the largest over its
    // levels), much smaller than before weighting.
    let before = r.table1_before.as_ref().unwrap();
    let smd = |t: &cohortlab::engine::table1::Table1| {
        let v = t.variables.iter().find(|v| v.variable == "subtype");
        v.unwrap().smd.unwrap()
    };
    let balance = summary
        .balance
        .iter()
        .filter(|b| b.variable == "subtype")
        .map(|b| b.after.smd.abs())
        .fold(0.0, f64::max);
    assert_eq!(smd(t1), balance);
    assert!(smd(t1) < smd(before) / 10.0, "{} {}", smd(t1), smd(before));

    // Each outcome weighted, as the engine gives it.
    assert_eq!(x.weighted_outcomes.len(), 3);
    for (o, name) in x.weighted_outcomes.iter().zip(["tpcr", "bpcr", "apcr"]) {
        assert_eq!(o, &weighted_outcome(&ds, &w, name, s.conf_level).unwrap());
    }

    // Each outcome's doubly robust estimate, as the engine gives it; tpcr's
    // histology "Other" (no tpCR) separates, named in a warning.
    assert_eq!(x.doubly_robust.len(), 3);
    for (d, name) in x.doubly_robust.iter().zip(["tpcr", "bpcr", "apcr"]) {
        assert_eq!(d, &doubly_robust(&ds, &w, name, s.conf_level).unwrap());
        assert!(
            d.weighted_average,
            "overlap weights average with the weights"
        );
        assert!(d.risk_ratio.lower < d.risk_ratio.value);
    }
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.message.contains("Doubly robust estimate of `tpcr`")));
    // Results saved before the estimate existed still read (none).
    let mut old = serde_json::to_value(x).unwrap();
    old.as_object_mut().unwrap().remove("doubly_robust");
    let read: cohortlab::engine::study::SensitivityResults = serde_json::from_value(old).unwrap();
    assert!(read.doubly_robust.is_empty());
    assert_eq!(read.weighted_outcomes, x.weighted_outcomes);

    // The weighted Cox model: the group alone, all patients, robust SEs.
    let cox = s.survival.as_ref().and_then(|v| v.cox.as_ref()).unwrap();
    let direct = cox_model_weighted(
        &ds,
        &CoxSpec {
            variables: vec![spec.treatment.clone()],
            cluster: None,
            strata: None,
            ordinal: Vec::new(),
            ..cox.clone()
        },
        Some(&w.weights),
    )
    .unwrap();
    let wc = x.weighted_cox.as_ref().expect("a weighted Cox model");
    assert_eq!(wc, &direct);
    assert!(wc.terms[0].robust.is_some());

    // The curves weighted: the group alone, all patients, robust variance.
    let a = x.weighted_survival.as_ref().expect("weighted curves");
    let step = s.survival.as_ref().unwrap();
    let direct = survival_analysis_weighted(
        &ds,
        &SurvivalSpec {
            groups: vec![spec.treatment.clone()],
            strata: None,
            ..step.spec.clone()
        },
        &SurvivalOptions {
            transform: step.transform,
            conf_level: s.conf_level,
            at: &step.at,
            rho: step.rho,
            rmst: step.rmst.and_then(|h| h.chosen()),
        },
        Some(&w.weights),
    )
    .unwrap();
    assert_eq!(a, &direct);
    assert!(a.weighted.is_some(), "compared by the robust score test");

    // E-values: under each matched OR, each MH OR, each weighted OR, each
    // doubly robust RR, the Cox HR and the weighted HR.
    assert_eq!(x.e_values.len(), 3 * 4 + 2);
    let dr = x
        .e_values
        .iter()
        .find(|e| e.analysis == "Doubly robust (ATO)" && e.what == "bpcr")
        .expect("an E-value under the doubly robust RR");
    assert_eq!(
        dr.e_value,
        e_value_of(EffectMeasure::Rr, &x.doubly_robust[1].risk_ratio, false).unwrap()
    );
    let first = &r.outcomes[0];
    let n: usize = first.n.iter().sum();
    let common = first.events.iter().sum::<usize>() as f64 / n as f64 > COMMON_OUTCOME;
    let direct = e_value_of(EffectMeasure::Or, &first.odds_ratio.unwrap(), common).unwrap();
    assert_eq!(x.e_values[0].e_value, direct);
    assert_eq!(x.e_values[0].what, "tpcr");
    let hr = x.e_values.last().unwrap();
    assert_eq!(hr.e_value.measure, EffectMeasure::Hr);
    assert!((hr.e_value.estimate - wc.terms[0].hazard_ratio).abs() < 1e-15);

    // Rosenbaum bounds of each outcome in the matched sets.
    let m = match_patients(&ds, spec).unwrap();
    assert_eq!(x.rosenbaum.len(), 3);
    for (b, name) in x.rosenbaum.iter().zip(["tpcr", "bpcr", "apcr"]) {
        assert_eq!(
            b,
            &rosenbaum_binary(&ds, &m, name, 1.0 - s.conf_level).unwrap()
        );
    }

    // The report: its tables, figures and methods sentences.
    for t in [
        "weights",
        "table1_weighted",
        "weighted_balance",
        "weighted_outcomes",
        "doubly_robust",
        "weighted_cox",
        "weighted_survival",
        "sensitivity_estimates",
        "rosenbaum",
    ] {
        assert!(out.tables.iter().any(|(n, _)| n == t), "table {t}");
    }
    for f in ["weights", "love_plot_weighted", "kaplan_meier_weighted"] {
        assert!(out.figures.iter().any(|(n, _)| n == f), "figure {f}");
    }
    // The weighted Table 1 before the balance: weighted n to one decimal,
    // no P values, and why.
    let at = |n: &str| out.tables.iter().position(|(s, _)| s == n).unwrap();
    assert_eq!(at("table1_weighted") + 1, at("weighted_balance"));
    let wt = &out.tables[at("table1_weighted")].1;
    let control = format!(
        "seed_marking = No (weighted n = {:.1})",
        w.control_weights.sum
    );
    assert_eq!(wt.header[1], control);
    assert!(!wt.header.iter().any(|h| h.contains("P value")));
    assert_eq!(wt.header.last().unwrap(), "SMD");
    assert!(wt.rows.iter().all(|(_, c)| c.len() == wt.header.len()));
    assert!(wt.footnotes.iter().any(|f| f.starts_with("No P values")));
    assert!(
        wt.title.ends_with("after weighting (ATO weights)"),
        "{}",
        wt.title
    );
    assert!(wt.footnotes.iter().any(|f| f.starts_with("Weights: ATO")));
    assert!(
        r.methods.contains("As a sensitivity analysis"),
        "{}",
        r.methods
    );
    assert!(r.methods.contains("ATO"), "{}", r.methods);
    assert!(
        r.methods.contains("as a doubly robust estimator"),
        "{}",
        r.methods
    );
    assert!(r.methods.contains("E-values (VanderWeele and Ding 2017)"));
    assert!(r.methods.contains("Rosenbaum bounds"));
    assert!(out
        .report_html
        .contains("Matched and weighted estimates, with E-values"));
}

#[test]
fn the_step_is_saved_and_left_out_when_not_asked_for() {
    let s = settings(WeightOptions {
        estimand: Estimand::Att,
        trim: Some(0.05),
        ..WeightOptions::default()
    });
    let text = s.to_json();
    assert!(text.contains("\"sensitivity\""));
    assert_eq!(StudySettings::from_json(&text).unwrap(), s);
    // The example's settings file has no such section, and its study none.
    let plain = StudySettings::example();
    assert!(!plain.to_json().contains("sensitivity"));
    let out = example_study_with(&plain);
    assert!(out.results.sensitivity.is_none());
    assert!(!out.tables.iter().any(|(n, _)| n == "weights"));
    assert!(!out.tables.iter().any(|(n, _)| n == "table1_weighted"));
    assert!(!out.results_json().contains("\"sensitivity\""));
}

#[test]
fn bad_weighting_options_are_named_before_anything_runs() {
    let mut s = settings(WeightOptions {
        trim: Some(0.7),
        ..WeightOptions::default()
    });
    let e = StudySettings::from_json(&s.to_json()).unwrap_err();
    assert!(e.contains("sensitivity.weighting.trim"), "{e}");
    s.sensitivity = Some(SensitivityStep::default());
    s.matching = None;
    let e = StudySettings::from_json(&s.to_json()).unwrap_err();
    assert!(e.contains("matching"), "{e}");
}

#[test]
fn cohortlab_run_reruns_the_step_from_the_settings() {
    use common::{cohortlab, json_file, path, scratch};
    let dir = scratch("sensitivity-run");
    let spec = dir.join("settings.json");
    std::fs::write(&spec, settings(WeightOptions::default()).to_json()).unwrap();
    let out = dir.join("out");
    cohortlab(&[
        "run",
        path("tests/data/example-study.csv").to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .success();
    let r = json_file(out.join("results.json"));
    let x = &r["sensitivity"];
    assert_eq!(x["weighting"]["options"]["estimand"], "ate");
    assert_eq!(x["weighted_outcomes"].as_array().unwrap().len(), 3);
    assert_eq!(x["doubly_robust"].as_array().unwrap().len(), 3);
    assert!(out.join("tables/doubly_robust.csv").exists());
    assert!(out.join("tables/sensitivity_estimates.csv").exists());
    assert!(out.join("tables/table1_weighted.csv").exists());
    assert!(
        x["weighted_table1"]["groups"][0]["weighted_n"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(out.join("figures/weights.svg").exists());
    let again = json_file(out.join("settings.json"));
    assert_eq!(again["sensitivity"]["weighting"]["estimand"], "ate");
}

/// `table1_p_values`: the study's weighted Table 1 is the engine's with
/// the design-based tests, its report table has the P value and test
/// columns and says what they are; without it, neither (as before). The
/// field is saved only when set, and read back.
#[test]
fn weighted_table1_p_values_when_asked_for() {
    use cohortlab::engine::hypothesis::TestKind;
    use cohortlab::engine::weighting::weighted_table1_tested;
    let options = WeightOptions {
        estimand: Estimand::Ate,
        ..WeightOptions::default()
    };
    let mut s = settings(options);
    assert!(!s.to_json().contains("table1_p_values"));
    let without = example_study_with(&s);
    if let Some(step) = &mut s.sensitivity {
        step.table1_p_values = true;
    }
    let text = s.to_json();
    assert!(text.contains("\"table1_p_values\": true"), "{text}");
    assert_eq!(StudySettings::from_json(&text).unwrap(), s);

    let out = example_study_with(&s);
    let ds = Dataset::build(&example_raw(), &s.dataset).unwrap();
    let w = weight_patients(
        &ds,
        &WeightSpec::from_match(s.matching.as_ref().unwrap(), options),
    )
    .unwrap();
    let direct = weighted_table1_tested(&ds, s.table1.as_ref().unwrap(), &w).unwrap();
    let sens = out.results.sensitivity.as_ref().unwrap();
    let t1 = sens.weighted_table1.as_ref().unwrap();
    assert_eq!(t1, &direct);
    assert!(t1.variables.iter().any(|v| v.p_value.is_some()));
    assert!(t1.variables.iter().filter_map(|v| v.test).all(|k| matches!(
        k,
        TestKind::RaoScottF | TestKind::DesignWald | TestKind::DesignRank
    )));
    let table = |o: &cohortlab::report::study::StudyOutputs| {
        o.tables
            .iter()
            .find(|(n, _)| n == "table1_weighted")
            .map(|(_, t)| t.clone())
            .expect("a weighted Table 1")
    };
    let tested = table(&out);
    assert!(tested.header.iter().any(|h| h == "P value"));
    let notes = tested.footnotes.join(" ");
    assert!(notes.contains("asked for") && notes.contains("not a test of balance"));
    assert!(notes.contains("Rao-Scott F:"), "{notes}");
    assert!(!notes.contains("No P values"));

    // Without the option: no P column, the footnote says why.
    let plain = table(&without);
    assert!(!plain.header.iter().any(|h| h == "P value"));
    assert!(plain.footnotes.join(" ").contains("No P values"));
    let t0 = without
        .results
        .sensitivity
        .unwrap()
        .weighted_table1
        .unwrap();
    assert!(t0.variables.iter().all(|v| v.p_value.is_none()));
    assert!(t0.weighting.unwrap().tests.is_empty());
}
