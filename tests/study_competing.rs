//! The survival step's competing risks and restricted mean survival time
//! (`survival.competing`, `survival.rmst`, run by `run_study` and
//! `cohortlab run`): every number equals the engine's functions called
//! directly on the same (matched) cohort; the report holds the incidence,
//! models and RMST tables, the incidence figure and the methods
//! sentences; the settings round-trip, old files still load, each bad
//! field is named, and a study that does not ask has none of it.

mod common;

use cohortlab::engine::competing::{
    competing_analysis, competing_models, CifOptions, CifVariance, CompetingCovariates,
    CompetingSpec, FineGrayVariance,
};
use cohortlab::engine::data::{read, Dataset, RawTable, ReadOptions};
use cohortlab::engine::matching::match_patients;
use cohortlab::engine::study::{matched_cohort, validate, CompetingStep, StudyCohort};
use cohortlab::engine::survival::{
    cox_model_with_ph_test, rmst_comparison, survival_analysis_with, KmFit, RmstHorizon,
    SurvivalSpec, TauRule,
};
use cohortlab::report::service::{Reply, Request, Service};
use cohortlab::report::study::{run_study, StudyError, StudyOutputs, StudySettings};
use common::{cohortlab, data_bytes, example_study_with, json_file, path, scratch};

const FILE: &str = "example-study-competing.csv";
const SETTINGS: &str = "tests/data/example-study-competing.settings.json";

fn raw() -> RawTable {
    read(&data_bytes(FILE), &ReadOptions::default()).unwrap()
}

/// The shipped settings: matched on subtype, competing risks of local
/// against distant recurrence, the RMST to survRM2's default horizon.
fn settings() -> StudySettings {
    StudySettings::from_json(&std::fs::read_to_string(path(SETTINGS)).unwrap()).unwrap()
}

fn study(s: &StudySettings) -> StudyOutputs {
    run_study(&raw(), FILE, s).expect("the study runs")
}

fn table<'a>(out: &'a StudyOutputs, stem: &str) -> &'a cohortlab::report::table::ReportTable {
    &out.tables
        .iter()
        .find(|(n, _)| n == stem)
        .unwrap_or_else(|| panic!("no table {stem}"))
        .1
}

#[test]
fn every_number_of_the_step_equals_the_engine_called_directly() {
    let s = settings();
    let out = study(&s);
    let r = &out.results;
    assert_eq!(r.survival_cohort, Some(StudyCohort::Matched));
    let ds = Dataset::build(&raw(), &s.dataset).unwrap();
    let m = match_patients(&ds, s.matching.as_ref().unwrap()).unwrap();
    let cohort = matched_cohort(&ds, &m);
    assert!(cohort.n_rows < ds.n_rows);
    let level = s.conf_level;

    // Cumulative incidence and Gray's test by the curves' group.
    let spec = CompetingSpec {
        time: "idfs_months".into(),
        status: "recurrence".into(),
        event_level: "local".into(),
        competing_levels: vec!["distant".into()],
        group: Some("seed_marking".into()),
    };
    let at = [12.0, 36.0, 60.0];
    let mut options = CifOptions::new(&at).variance(CifVariance::Survfit);
    options.conf_level = level;
    let direct = competing_analysis(&cohort, &spec, &options).unwrap();
    let a = r
        .competing
        .as_ref()
        .expect("the competing-risks analysis ran");
    assert_eq!(a, &direct);
    assert_eq!(a.n, cohort.n_rows);
    assert_eq!(a.causes, ["local", "distant"]);
    assert_eq!(a.gray.len(), 2);

    // The models on the Cox model's covariates.
    // Clustered by matched set as the Cox model is.
    let covariates = CompetingCovariates {
        variables: vec!["seed_marking".into(), "subtype".into()],
        ordinal: Vec::new(),
        cluster: Some("subclass".into()),
    };
    let direct = competing_models(&cohort, &spec, &covariates, level).unwrap();
    let models = r.competing_models.as_ref().expect("the models were fitted");
    assert_eq!(models, &direct);
    assert_eq!(models.fine_gray.event, "local");
    assert!(matches!(
        &models.fine_gray.variance,
        FineGrayVariance::Clustered { column, clusters } if column == "subclass" && *clusters > 100
    ));
    assert_eq!(models.cause_specific.len(), 2);

    // The curves and the Cox model take the event of interest.
    let km_spec = SurvivalSpec {
        time: "idfs_months".into(),
        event: "recurrence".into(),
        event_level: Some("local".into()),
        groups: vec!["seed_marking".into()],
        strata: None,
    };
    let step = s.survival.as_ref().unwrap().resolved();
    let mut curves = survival_analysis_with(&cohort, &km_spec, &step.options(level)).unwrap();
    let cox = cox_model_with_ph_test(&cohort, step.cox.as_ref().unwrap()).unwrap();
    assert_eq!(r.cox.as_ref(), Some(&cox.0));
    assert_eq!(r.ph_test, cox.1);
    // distant and none are censored for the curves, and said so.
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.message.starts_with("Survival: `recurrence` = distant")),
        "{:?}",
        r.diagnostics
    );

    // The restricted means to survRM2's default horizon.
    let labels: Vec<String> = curves.groups.iter().map(|g| g.group.clone()).collect();
    let fits: Vec<KmFit> = curves.groups.iter().map(|g| g.fit.clone()).collect();
    let direct = rmst_comparison(&labels, &fits, RmstHorizon::Default, level).unwrap();
    let x = r.rmst.as_ref().expect("the restricted means were compared");
    assert_eq!(x, &direct);
    assert_ne!(x.rule, TauRule::Chosen);
    assert_eq!(x.contrasts.len(), 1);
    // ... whose horizon is the survival table's.
    curves
        .compare_restricted_means(RmstHorizon::Default)
        .unwrap();
    assert_eq!(r.survival.as_ref(), Some(&curves));
    assert_eq!(curves.rmst_tau, Some(x.tau));
}

#[test]
fn the_report_holds_the_tables_the_figure_and_the_methods() {
    let out = study(&settings());
    let r = &out.results;
    let a = r.competing.as_ref().unwrap();
    let m = r.competing_models.as_ref().unwrap();
    let x = r.rmst.as_ref().unwrap();

    // (a) The incidence at each landmark per cause and group, the
    // variance named, Gray's test per cause.
    let t = table(&out, "cumulative_incidence");
    assert!(t.title.ends_with("(matched cohort)"), "{}", t.title);
    assert_eq!(t.header[3], "At 12.0 (95% CI)");
    assert_eq!(t.header.last().unwrap(), "Gray's test");
    assert_eq!(t.rows.len(), 2 * (1 + a.groups.len()));
    let p = &a.landmarks[1].causes[0].points[1];
    assert_eq!(p.time, 36.0);
    let cell = format!(
        "{:.1}% ({:.1}–{:.1})",
        100.0 * p.cif,
        100.0 * p.lower,
        100.0 * p.upper
    );
    assert_eq!(t.rows[2].1[0], a.groups[1].group);
    assert_eq!(t.rows[2].1[4], cell);
    let gray = &a.gray[1];
    assert!(t.rows[3].1.last().unwrap().starts_with(&format!(
        "chi-square {:.2} ({} df), P",
        gray.statistic.unwrap(),
        gray.df
    )));
    assert!(t.footnotes[0].contains("infinitesimal jackknife variance (R's survfit)"));

    // (b) Fine-Gray beside the cause-specific Cox models.
    let t = table(&out, "competing_models");
    assert_eq!(t.header.len(), 3 + 2 * m.cause_specific.len());
    assert_eq!(t.rows.len(), m.fine_gray.terms.len());
    let fg = &m.fine_gray.terms[0];
    assert_eq!(
        t.rows[0].1[1],
        format!("{:.2} ({:.2}–{:.2})", fg.shr, fg.ci_lower, fg.ci_upper)
    );
    // Clustered by matched set as the Cox model: the robust CI.
    let cs = &m.cause_specific[1].fit.as_ref().unwrap().terms[0];
    let robust = cs.robust.as_ref().expect("clustered by subclass");
    assert_eq!(
        t.rows[0].1[5],
        format!(
            "{:.2} ({:.2}–{:.2})",
            cs.hazard_ratio, robust.ci_lower, robust.ci_upper
        )
    );
    assert!(t.footnotes[1].contains("robust SE clustered by subclass"));
    assert!(t.footnotes[0].contains("cmprsk::crr"));
    assert!(t.footnotes[1].contains("coxph(Surv(time, status == cause)"));

    // (c) The restricted means, tau and its rule; the PH note exactly when
    // the global test rejects.
    let t = table(&out, "rmst");
    let c = &x.contrasts[0];
    assert_eq!(
        t.rows[1].1[3],
        format!(
            "{:.2} ({:.2} to {:.2})",
            c.difference, c.difference_lower, c.difference_upper
        )
    );
    assert!(t.footnotes[0].contains(x.rule.describe()));
    let global = r.ph_test.iter().find(|z| z.term == "GLOBAL").unwrap();
    let noted = t
        .footnotes
        .iter()
        .any(|f| f.contains("the RMST difference does not assume them"));
    assert_eq!(noted, global.p_value < 0.05);

    // The figure, the report and the methods.
    let (_, svg) = out
        .figures
        .iter()
        .find(|(n, _)| n == "cumulative_incidence")
        .expect("the incidence figure");
    assert!(svg.contains("Cumulative incidence (%)"));
    assert!(out.report_html.contains("figure-cumulative_incidence"));
    assert!(out.report_html.contains("Competing risks regression"));
    assert!(r.methods.contains("Aalen-Johansen"), "{}", r.methods);
    assert!(r.methods.contains("Gray's test"));
    assert!(r.methods.contains("cmprsk::crr"));
    assert!(r.methods.contains("Efron ties"));
    assert!(r.methods.contains("infinitesimal jackknife"));
    assert!(r
        .methods
        .contains("restricted mean survival time (RMST) up to tau"));
    assert!(r.methods.contains("survRM2"));
}

#[test]
fn the_worker_shows_the_same_step() {
    let s = settings();
    let out = study(&s);
    let mut service = Service::new();
    let open = Request::Open {
        file_name: FILE.into(),
        sheet: None,
        max_bytes: u64::MAX,
    };
    service
        .handle(open, Some(data_bytes(FILE)), &mut |_| {})
        .unwrap();
    service
        .handle(Request::ApplySpec(s.dataset.clone()), None, &mut |_| {})
        .unwrap();
    let reply = service
        .handle(Request::Survival(s.clone()), None, &mut |_| {})
        .unwrap();
    // It crosses to the page as JSON.
    let back: Reply = serde_json::from_str(&serde_json::to_string(&reply).unwrap()).unwrap();
    assert_eq!(back, reply);
    let Reply::Survival(v) = reply else {
        panic!("not the survival view")
    };
    let c = v.competing.expect("asked for").expect("done");
    assert_eq!(c.incidence.rows, table(&out, "cumulative_incidence").rows);
    assert_eq!(c.figure.layout.curves.len(), 4);
    assert!(c.figure.layout.curves[1].dashed);
    assert!(c
        .figure
        .description
        .starts_with("Cumulative incidence curves"));
    let models = c.models.expect("covariates").expect("fitted");
    assert_eq!(models.rows, table(&out, "competing_models").rows);
    let rmst = v.rmst.expect("asked for").expect("compared");
    assert_eq!(rmst, *table(&out, "rmst"));

    // A level not in the column: the page hears why.
    let mut bad = s.clone();
    if let Some(c) = bad.survival.as_mut().and_then(|v| v.competing.as_mut()) {
        c.competing_levels = vec!["death".into()];
    }
    let Ok(Reply::Survival(v)) = service.handle(Request::Survival(bad), None, &mut |_| {}) else {
        panic!("the survival view")
    };
    let e = v.competing.unwrap().unwrap_err();
    assert!(e.message.contains("death"), "{e:?}");
}

#[test]
fn the_settings_round_trip_and_old_files_load() {
    let s = settings();
    let step = s.survival.as_ref().unwrap();
    assert_eq!(step.rmst, Some(RmstHorizon::Default));
    assert_eq!(
        step.competing,
        Some(CompetingStep {
            event_level: "local".into(),
            competing_levels: vec!["distant".into()],
            variance: CifVariance::Survfit,
            covariates: None,
        })
    );
    let text = s.to_json();
    assert!(text.contains("\"rmst\": \"auto\""), "{text}");
    assert!(text.contains("\"competing\""));
    assert_eq!(StudySettings::from_json(&text).unwrap(), s);
    // With every field set, too.
    let mut full = s.clone();
    if let Some(v) = full.survival.as_mut() {
        v.rmst = Some(RmstHorizon::At(36.0));
        v.competing = Some(CompetingStep {
            event_level: "distant".into(),
            competing_levels: vec!["local".into()],
            variance: CifVariance::Cuminc,
            covariates: Some(CompetingCovariates {
                variables: vec!["subtype".into()],
                ordinal: vec!["subtype".into()],
                cluster: None,
            }),
        });
    }
    let text = full.to_json();
    assert!(text.contains("\"variance\": \"cuminc\""), "{text}");
    assert_eq!(StudySettings::from_json(&text).unwrap(), full);

    // A file with a number for the horizon (as before "auto") loads.
    let old = std::fs::read_to_string(path("tests/data/example-study.settings.json")).unwrap();
    assert!(old.contains("\"rmst\": null"));
    let old = old.replace("\"rmst\": null", "\"rmst\": 24");
    let read = StudySettings::from_json(&old).unwrap();
    let step = read.survival.as_ref().unwrap();
    assert_eq!(step.rmst, Some(RmstHorizon::At(24.0)));
    assert_eq!(step.competing, None);
    assert_eq!(step.options(0.95).rmst, Some(24.0));
    assert!(read.to_json().contains("\"rmst\": 24.0"));
    let e =
        StudySettings::from_json(&old.replace("\"rmst\": 24", "\"rmst\": \"soon\"")).unwrap_err();
    assert!(e.contains("\"auto\""), "{e}");
}

#[test]
fn the_step_is_left_out_when_not_asked_for() {
    let plain = StudySettings::example();
    assert!(!plain.to_json().contains("competing"));
    let out = example_study_with(&plain);
    let r = &out.results;
    assert!(r.competing.is_none() && r.competing_models.is_none() && r.rmst.is_none());
    for stem in ["cumulative_incidence", "competing_models", "rmst"] {
        assert!(!out.tables.iter().any(|(n, _)| n == stem), "{stem}");
        assert!(!out.figures.iter().any(|(n, _)| n == stem), "{stem}");
    }
    let json: serde_json::Value = serde_json::from_str(&out.results_json()).unwrap();
    for key in ["competing", "competing_models", "rmst"] {
        assert!(json.get(key).is_none(), "{key}");
    }
    assert!(!r.methods.contains("Aalen-Johansen"));
    assert!(!r.methods.contains("restricted mean"));
    // Competing risks without covariates or a Cox model: no models.
    let mut s = settings();
    if let Some(v) = s.survival.as_mut() {
        v.cox = None;
        v.rmst = None;
    }
    let out = study(&s);
    assert!(out.results.competing.is_some());
    assert!(out.results.competing_models.is_none());
    assert!(out.results.rmst.is_none());
    assert!(!out.tables.iter().any(|(n, _)| n == "competing_models"));
}

#[test]
fn each_bad_field_is_named() {
    let edit = |f: &dyn Fn(&mut cohortlab::engine::study::SurvivalStep)| {
        let mut s = settings();
        f(s.survival.as_mut().unwrap());
        s
    };
    let competing = |f: &dyn Fn(&mut CompetingStep)| edit(&|v| f(v.competing.as_mut().unwrap()));
    let cases: Vec<(&str, StudySettings)> =
        vec![
        (
            "survival.competing.competing_levels is empty",
            competing(&|c| c.competing_levels.clear()),
        ),
        (
            "survival.competing.competing_levels names `local`, the event of interest",
            competing(&|c| c.competing_levels.push("local".into())),
        ),
        (
            "survival.competing.competing_levels names `distant` twice",
            competing(&|c| c.competing_levels.push("distant".into())),
        ),
        (
            "survival.competing.event_level is empty",
            competing(&|c| c.event_level = " ".into()),
        ),
        (
            "survival.spec.event_level is `distant` but survival.competing.event_level is `local`",
            edit(&|v| v.spec.event_level = Some("distant".into())),
        ),
        (
            "survival.cox.event_level is `distant`",
            edit(&|v| v.cox.as_mut().unwrap().event_level = Some("distant".into())),
        ),
        (
            "survival.competing.covariates names `idfs_months`, the follow-up time",
            competing(&|c| {
                c.covariates = Some(CompetingCovariates {
                    variables: vec!["subtype".into(), "idfs_months".into()],
                    ordinal: Vec::new(),
                    cluster: None,
                })
            }),
        ),
        (
            "survival.competing.covariates names `recurrence`, the status",
            competing(&|c| {
                c.covariates = Some(CompetingCovariates {
                    variables: vec!["recurrence".into()],
                    ordinal: Vec::new(),
                    cluster: None,
                })
            }),
        ),
        ("survival.rmst must be a time > 0", edit(&|v| v.rmst = Some(RmstHorizon::At(-1.0)))),
        ("survival.rmst must be a time > 0", edit(&|v| v.rmst = Some(RmstHorizon::At(0.0)))),
    ];
    for (want, s) in cases {
        let e = StudySettings::from_json(&s.to_json()).unwrap_err();
        assert!(e.contains(want), "{want}: {e}");
    }
    // JSON has no NaN: the page's value is checked by the same rule.
    let s = edit(&|v| v.rmst = Some(RmstHorizon::At(f64::NAN)));
    assert!(validate::settings(&s)
        .unwrap_err()
        .contains("survival.rmst"));

    // Levels are checked against the column, naming its levels.
    for (field, s) in [
        (
            "survival.competing.event_level: `relapse`",
            competing(&|c| c.event_level = "relapse".into()),
        ),
        (
            "survival.competing.competing_levels: `death`",
            competing(&|c| c.competing_levels = vec!["death".into()]),
        ),
    ] {
        assert!(StudySettings::from_json(&s.to_json()).is_ok());
        let Err(e) = run_study(&raw(), FILE, &s) else {
            panic!("{field}: the study ran")
        };
        let StudyError::Settings(m) = &e else {
            panic!("{field}: {e}")
        };
        assert!(
            m.contains(field) && m.contains("its levels are none, local, distant"),
            "{m}"
        );
        assert!(!e.hint().is_empty());
    }
}

#[test]
fn cohortlab_run_writes_the_tables_and_the_figure() {
    let dir = scratch("competing-run");
    let out = dir.join("out");
    let run = cohortlab(&[
        "run",
        path(&format!("tests/data/{FILE}")).to_str().unwrap(),
        "--spec",
        path(SETTINGS).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .success();
    assert!(run.stdout.contains("wrote"), "{}", run.stdout);
    for t in ["cumulative_incidence", "competing_models", "rmst"] {
        let csv = std::fs::read_to_string(out.join(format!("tables/{t}.csv"))).unwrap();
        assert!(csv.lines().count() > 2, "{t}: {csv}");
    }
    let svg = std::fs::read_to_string(out.join("figures/cumulative_incidence.svg")).unwrap();
    assert!(svg.contains("Cumulative incidence (%)"));
    let r = json_file(out.join("results.json"));
    assert_eq!(r["competing"]["causes"][0], "local");
    assert_eq!(r["competing"]["groups"].as_array().unwrap().len(), 2);
    assert_eq!(r["competing_models"]["fine_gray"]["event"], "local");
    assert!(r["rmst"]["tau"].as_f64().unwrap() > 0.0);
    assert_eq!(r["survival_cohort"], "matched");
    // The settings written are the ones run, "auto" kept.
    let again = json_file(out.join("settings.json"));
    assert_eq!(again["survival"]["rmst"], "auto");
    assert_eq!(
        again["survival"]["competing"]["competing_levels"][0],
        "distant"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Restricted mean survival time"));
}
