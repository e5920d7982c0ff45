//! The whole study from one settings file (`report::study`): the shipped
//! example settings, every number against the engine called directly, and
//! `cohortlab run`'s files.

mod common;

use cohortlab::engine::data::Dataset;
use cohortlab::engine::regression::{fit_logistic, LogisticSpec};
use cohortlab::engine::survival::cox_model;
use cohortlab::report::study::{StudyCohort, StudySettings};
use common::{example_raw, example_study};

#[test]
fn shipped_settings_are_the_example_study() {
    let text =
        std::fs::read_to_string(common::path("tests/data/example-study.settings.json")).unwrap();
    let s = StudySettings::from_json(&text).unwrap();
    assert_eq!(s, StudySettings::example());
    // And it survives a round trip.
    assert_eq!(StudySettings::from_json(&s.to_json()).unwrap(), s);
}

#[test]
fn bad_settings_say_where() {
    let e = StudySettings::from_json("{\n  \"cohortlab_settings\": 1,\n  \"outcomes\": 3\n}")
        .unwrap_err();
    assert!(e.contains("line 3"), "{e}");
    let e = StudySettings::from_json("{\"cohortlab_settings\": 9}").unwrap_err();
    assert!(e.contains("version 9"), "{e}");
}

#[test]
fn every_number_equals_the_engine_called_directly() {
    let out = example_study();
    let r = &out.results;
    let settings = StudySettings::example();
    let ds = Dataset::build(&example_raw(), &settings.dataset).unwrap();

    // The matching: the paper's 216 + 432.
    let m = r.matching.as_ref().unwrap();
    assert_eq!(
        (m.counts.matched.treated, m.counts.matched.control),
        (216, 432)
    );
    let direct =
        cohortlab::engine::matching::match_patients(&ds, settings.matching.as_ref().unwrap())
            .unwrap();
    assert_eq!(m.counts, direct.counts);

    // Outcomes in the matched cohort: counts from the matched rows, and the
    // OR equal to a logistic regression on the group alone (Wald CI).
    let rows: Vec<usize> = (0..ds.n_rows).filter(|&i| direct.is_matched(i)).collect();
    let matched = ds.subset(&rows);
    assert_eq!(r.outcomes.len(), 3);
    for o in &r.outcomes {
        assert_eq!(o.cohort, StudyCohort::Matched);
        assert_eq!(o.n.iter().sum::<usize>(), 648);
        let col = matched.column(&o.outcome).unwrap();
        let marked = matched.column("seed_marking").unwrap();
        let events_marked = (0..matched.n_rows)
            .filter(|&i| marked.display(i) == "Yes" && col.display(i) == "1")
            .count();
        assert_eq!(o.events[1], events_marked, "{}", o.outcome);
        let fit =
            fit_logistic(&matched, &LogisticSpec::new(&o.outcome, &["seed_marking"])).unwrap();
        let t = fit
            .terms
            .iter()
            .find(|t| t.term.starts_with("seed_marking"))
            .unwrap();
        let e = o.odds_ratio.unwrap();
        let (or, lo, hi) = (e.value, e.lower, e.upper);
        let (t_or, t_lo, t_hi) = (
            t.odds_ratio.unwrap(),
            t.ci_lower.unwrap(),
            t.ci_upper.unwrap(),
        );
        assert!((or - t_or).abs() < 1e-6, "{or} vs {t_or}");
        assert!((lo - t_lo).abs() < 1e-6 && (hi - t_hi).abs() < 1e-6);
    }
    // Subgroups add up to the whole.
    for o in &r.outcomes {
        let parts: usize = r
            .subgroups
            .iter()
            .filter(|s| s.outcome == o.outcome)
            .map(|s| s.events.iter().sum::<usize>())
            .sum();
        assert_eq!(parts, o.events.iter().sum::<usize>(), "{}", o.outcome);
    }

    // Survival in the matched cohort, as the model study (50/648 there):
    // Cox with SEs clustered by matched set, equal to the model fitted
    // directly on the matched cohort with its `subclass` column.
    let step = settings.survival.as_ref().unwrap();
    let cohort = cohortlab::report::study::matched_cohort(&ds, &direct);
    assert_eq!(cohort.n_rows, 648);
    let cox = cox_model(&cohort, step.cox.as_ref().unwrap()).unwrap();
    assert_eq!(r.cox.as_ref().unwrap(), &cox);
    assert_eq!(cox.n, 648);
    assert!(cox.terms[0].robust.is_some(), "clustered by matched set");
    let km = cohortlab::report::survival::survival_analysis(
        &cohort,
        &step.spec,
        step.transform,
        &step.at,
        step.rho,
    )
    .unwrap();
    assert_eq!(r.survival.as_ref().unwrap(), &km);
    assert_eq!(r.survival_cohort, Some(StudyCohort::Matched));
    // Figure 1H: four curves, marking x tpCR, with pairwise tests.
    let crossed = r.survival_crossed.as_ref().unwrap();
    assert_eq!(crossed.groups.len(), 4);
    assert_eq!(crossed.pairwise.len(), 6);
    assert_eq!(crossed.n, 648);

    // The methods say what was run.
    for needle in [
        "2:1",
        "caliper of 0.2 standard deviations",
        "216 treated and 432 control",
        "Kaplan-Meier",
        "log-rank",
        "efron ties",
        "In the matched cohort",
        "clustered by matched set",
        "seed_marking and tpcr crossed",
        "12, 36 and 60 months",
    ] {
        assert!(
            r.methods.contains(needle),
            "methods lack `{needle}`: {}",
            r.methods
        );
    }
}

#[test]
fn report_holds_every_table_and_figure() {
    let out = example_study();
    let html = &out.report_html;
    assert!(html.starts_with("<!DOCTYPE html>"));
    for (_, t) in &out.tables {
        let caption = t
            .title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(html.contains(&caption), "report lacks table `{}`", t.title);
    }
    assert_eq!(html.matches("<svg").count(), out.figures.len());
    assert!(out.figures.len() >= 3);
    // Self-contained: nothing fetched from anywhere.
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(!html.contains("<script"));
    let json = common::json(&out.results_json());
    assert_eq!(json["matching"]["counts"]["matched"]["treated"], 216);
}

#[test]
fn subgroup_figures_draw_every_subgroup() {
    let out = example_study();
    let fig = |name: &str| {
        out.figures
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("no figure {name}"))
    };
    for o in ["tpcr", "bpcr", "apcr"] {
        let forest = fig(&format!("forest_{o}"));
        // All patients (a diamond) and one square per subtype, each with its CI.
        assert_eq!(forest.matches("class=\"forest-overall\"").count(), 1, "{o}");
        assert_eq!(forest.matches("class=\"forest-point\"").count(), 3, "{o}");
        assert_eq!(forest.matches("class=\"forest-ci\"").count(), 4, "{o}");
        assert!(forest.contains("P for interaction"), "{o}");
        let bars = fig(&format!("rates_{o}"));
        // Two groups in All and in each of the three subtypes.
        assert_eq!(bars.matches("class=\"rate-bar\"").count(), 8, "{o}");
    }
    // Figure 1H: four Kaplan-Meier curves.
    // (plotters draws each curve as one line of width 2.)
    assert_eq!(
        fig("kaplan_meier_by_tpcr")
            .matches("stroke-width=\"2\"")
            .count(),
        4
    );
}

/// The confidence level is one setting of the study (`--conf-level` of
/// `cohortlab run`, `conf_level` in the settings, the page's Report step):
/// every interval and every header follows it, and the settings written
/// read back to the same study.
#[test]
fn the_confidence_level_reaches_every_interval() {
    use common::{cohortlab, json_file, path, scratch};
    let dir = scratch("conf-level");
    let out = dir.join("out");
    cohortlab(&[
        "run",
        path("tests/data/example-study.csv").to_str().unwrap(),
        "--spec",
        path("tests/data/example-study.settings.json")
            .to_str()
            .unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--conf-level",
        "0.9",
    ])
    .success();
    let r = json_file(out.join("results.json"));
    assert_eq!(r["settings"]["conf_level"], 0.9);
    let z90 = 1.6448536269514722;
    for o in r["outcomes"].as_array().unwrap() {
        let or = &o["odds_ratio"];
        assert_eq!(or["level"], 0.9);
        let (a, b) = (
            o["events"][1].as_f64().unwrap(),
            o["n"][1].as_f64().unwrap(),
        );
        let (c, d) = (
            o["events"][0].as_f64().unwrap(),
            o["n"][0].as_f64().unwrap(),
        );
        let se = (1.0 / a + 1.0 / (b - a) + 1.0 / c + 1.0 / (d - c)).sqrt();
        let lor = or["value"].as_f64().unwrap().ln();
        let lower = or["lower"].as_f64().unwrap();
        assert!(((lor - z90 * se).exp() - lower).abs() < 1e-12, "{o}");
        assert!(o["matched_sets"]["ci_lower"].is_number());
    }
    assert_eq!(r["cox"]["conf_level"], 0.9);
    let t = &r["cox"]["terms"][0];
    let (coef, se) = (t["coef"].as_f64().unwrap(), t["se"].as_f64().unwrap());
    assert!(((coef - z90 * se).exp() - t["ci_lower"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(r["survival"]["conf_level"], 0.9);
    assert_eq!(r["regression"]["multivariable"]["spec"]["conf_level"], 0.9);
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!report.contains("95% CI"), "a 95% header is left");
    assert!(report.contains("HR (90% CI)") && report.contains("OR (90% CI)"));
    assert!(report.contains("Wald 90% confidence intervals"));
    // The settings written run the same study again.
    let again = dir.join("again");
    cohortlab(&[
        "run",
        path("tests/data/example-study.csv").to_str().unwrap(),
        "--spec",
        out.join("settings.json").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ])
    .success();
    let r2 = json_file(again.join("results.json"));
    assert_eq!(r2["outcomes"], r["outcomes"]);
    assert_eq!(r2["cox"], r["cox"]);
}
