//! The study design guessed from six differently named exports (issue 14):
//! every role is asserted, and a role with no candidate stays empty.

mod common;

use cohortlab::engine::data::DatasetSpec;
use cohortlab::engine::design::{guess_design, DesignGuess, Excluded, TimeUnit};
use common::{cohortlab, data, json_file, scratch};

fn guess(file: &str) -> DesignGuess {
    guess_design(&data(&format!("design/{file}"), DatasetSpec::default()))
}

fn cols<T>(v: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    v.iter().map(|x| f(x).to_owned()).collect()
}

fn treatment(g: &DesignGuess) -> Option<&str> {
    g.treatment.as_ref().map(|t| t.column.as_str())
}

fn pairs(g: &DesignGuess) -> Vec<(String, String, Option<String>)> {
    g.survival
        .iter()
        .map(|s| {
            (
                s.time.column.clone(),
                s.event.column.clone(),
                s.event_level.clone(),
            )
        })
        .collect()
}

fn propensity(g: &DesignGuess) -> Vec<String> {
    g.propensity_covariates()
}

fn table1_only(g: &DesignGuess) -> Vec<String> {
    g.baseline
        .iter()
        .filter(|b| !b.in_propensity_model)
        .map(|b| b.column.clone())
        .collect()
}

fn left(g: &DesignGuess) -> Vec<(String, Excluded)> {
    g.left_out
        .iter()
        .map(|l| (l.column.clone(), l.excluded))
        .collect()
}

#[test]
fn english_export_shaped_like_the_model_study() {
    let g = guess("english.csv");
    assert_eq!(treatment(&g), Some("group"));
    let levels: Vec<(String, usize)> = g
        .treatment_levels
        .iter()
        .map(|l| (l.level.clone(), l.count))
        .collect();
    assert_eq!(levels, [("A".into(), 35), ("B".into(), 25)]);
    assert_eq!(cols(&g.outcomes, |o| &o.column), ["bpCR", "apCR", "tpCR"]);
    assert_eq!(
        pairs(&g),
        [("idfs_months".into(), "idfs_event".into(), None)]
    );
    assert_eq!(g.survival[0].unit, Some(TimeUnit::Months));
    assert_eq!(
        propensity(&g),
        ["age", "menopausal", "ki67", "ct", "cn", "subtype"]
    );
    assert_eq!(table1_only(&g), ["surgery", "radiotherapy"]);
    assert_eq!(
        left(&g),
        [
            ("patient_id".into(), Excluded::Identifier),
            ("comment".into(), Excluded::FreeText),
            ("treat".into(), Excluded::TreatmentDuplicate),
        ]
    );
    assert!(g.left_out[2].reason.contains("same split as `group`"));
    assert!(g.survival[0]
        .time
        .reason
        .contains("paired with `idfs_event`"));
}

#[test]
fn chinese_headers() {
    let g = guess("chinese.csv");
    assert_eq!(treatment(&g), Some("组别"));
    assert_eq!(cols(&g.outcomes, |o| &o.column), ["术后并发症"]);
    assert_eq!(pairs(&g), [("随访时间(月)".into(), "死亡".into(), None)]);
    assert_eq!(g.survival[0].unit, Some(TimeUnit::Months));
    assert_eq!(propensity(&g), ["年龄", "性别", "肿瘤分期"]);
    assert!(table1_only(&g).is_empty());
    assert_eq!(
        left(&g),
        [
            ("住院号".into(), Excluded::Identifier),
            ("备注".into(), Excluded::FreeText)
        ]
    );
}

#[test]
fn spss_style_numeric_codes() {
    let g = guess("spss-codes.csv");
    assert_eq!(treatment(&g), Some("treatment"));
    assert_eq!(cols(&g.outcomes, |o| &o.column), ["response"]);
    // Status 0/1/2: 1 is the event, 2 a competing event.
    assert_eq!(
        pairs(&g),
        [("os_months".into(), "os_status".into(), Some("1".into()))]
    );
    assert_eq!(propensity(&g), ["sex", "grade", "stage"]);
    assert_eq!(left(&g), [("id".into(), Excluded::Identifier)]);
}

#[test]
fn two_time_to_event_pairs() {
    let g = guess("two-endpoints.csv");
    assert_eq!(treatment(&g), Some("arm"));
    assert!(g.outcomes.is_empty());
    assert_eq!(
        pairs(&g),
        [
            ("os_time".into(), "os_status".into(), None),
            ("dfs_time".into(), "dfs_event".into(), None)
        ]
    );
    assert_eq!(g.survival[0].unit, None);
    assert_eq!(propensity(&g), ["age", "ecog", "bmi"]);
    assert_eq!(left(&g), [("subject".into(), Excluded::Identifier)]);
}

#[test]
fn no_follow_up() {
    let g = guess("no-follow-up.csv");
    assert_eq!(treatment(&g), Some("group"));
    assert_eq!(cols(&g.outcomes, |o| &o.column), ["complication"]);
    assert!(g.survival.is_empty(), "no time stays empty");
    assert_eq!(propensity(&g), ["age", "sex", "bmi", "diabetes"]);
    assert!(g.left_out.is_empty());
}

#[test]
fn numeric_identifier_and_futime_fustat() {
    let g = guess("numeric-id.csv");
    assert_eq!(treatment(&g), Some("cohort"));
    assert_eq!(cols(&g.outcomes, |o| &o.column), ["death30"]);
    assert_eq!(pairs(&g), [("futime".into(), "fustat".into(), None)]);
    assert_eq!(g.survival[0].unit, None);
    assert_eq!(propensity(&g), ["age", "sex"]);
    assert_eq!(left(&g), [("mrn".into(), Excluded::Identifier)]);
}

#[test]
fn no_treatment_stays_empty() {
    // Public data shaped like `survival::lung`: no column is named like
    // the groups compared, so none is taken.
    let g = guess_design(&data("lung.csv", DatasetSpec::default()));
    assert!(g.treatment.is_none());
    assert_eq!(pairs(&g), [("time".into(), "status".into(), None)]);
}

#[test]
fn guess_json_gives_the_guess_and_its_settings() {
    let v = cohortlab(&["guess", "tests/data/design/english.csv", "--json"])
        .success()
        .json();
    assert_eq!(v["guess"]["treatment"]["column"], "group");
    assert_eq!(v["settings"]["matching"]["treatment"], "group");
    let covs = v["settings"]["matching"]["covariates"].as_array().unwrap();
    assert_eq!(covs.len(), 6);
    assert_eq!(v["settings"]["survival"]["spec"]["time"], "idfs_months");
    assert_eq!(
        v["settings"]["survival"]["at"],
        serde_json::json!([12.0, 36.0, 60.0])
    );
}

#[test]
fn run_without_settings_runs_the_guess_and_reports_it_first() {
    let out_dir = scratch("design-run");
    let out = cohortlab(&[
        "run",
        "tests/data/design/english.csv",
        "--out",
        out_dir.to_str().unwrap(),
    ])
    .success()
    .stdout;
    assert!(out.contains("Comparing `group` (A 35, B 25)"), "{out}");
    let s = json_file(out_dir.join("settings.json"));
    assert_eq!(s["table1"]["group"], "group");
    assert_eq!(s["outcomes"], serde_json::json!(["bpCR", "apCR", "tpCR"]));
    let report = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    let design = report
        .find("<section id=\"design\">")
        .expect("a design section");
    let methods = report.find("<h2>Methods</h2>").unwrap();
    assert!(design < methods, "the design comes first");
    assert!(report.contains("codes the same split as `group`"));
    let r = json_file(out_dir.join("results.json"));
    assert_eq!(r["design"]["treatment"]["column"], "group");
    // The settings written rerun the same study.
    let again = scratch("design-rerun");
    let spec = out_dir.join("settings.json");
    cohortlab(&[
        "run",
        "tests/data/design/english.csv",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ])
    .success();
    let _ = std::fs::remove_dir_all(out_dir);
    let _ = std::fs::remove_dir_all(again);
}

#[test]
fn run_without_settings_refuses_when_no_treatment_is_guessed() {
    let out_dir = scratch("design-refused");
    let err = cohortlab(&[
        "run",
        "tests/data/lung.csv",
        "--out",
        out_dir.to_str().unwrap(),
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("no column looks like the groups compared"),
        "{err}"
    );
    assert!(!out_dir.join("report.html").exists());
}

#[test]
fn contradictory_roles_are_refused_naming_both() {
    // An outcome that codes the treatment again.
    let v = cohortlab(&["guess", "tests/data/design/english.csv", "--json"])
        .success()
        .json();
    let mut settings = v["settings"].clone();
    settings["outcomes"] = serde_json::json!(["treat"]);
    let dir = scratch("design-contradiction");
    let spec = dir.join("settings.json");
    std::fs::write(&spec, settings.to_string()).unwrap();
    let err = cohortlab(&[
        "run",
        "tests/data/design/english.csv",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("`treat` is both the treatment and an outcome, since it codes the same groups as `group`"),
        "{err}"
    );
    // The treatment among its own covariates, in the match command.
    let err = cohortlab(&[
        "match",
        "tests/data/design/english.csv",
        "--treatment",
        "group",
        "--covariates",
        "age,treat",
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("`treat` is both the treatment and a covariate"),
        "{err}"
    );
    // The follow-up time as the event.
    settings["outcomes"] = serde_json::json!([]);
    settings["survival"]["spec"]["event"] = serde_json::json!("idfs_months");
    std::fs::write(&spec, settings.to_string()).unwrap();
    let err = cohortlab(&[
        "run",
        "tests/data/design/english.csv",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("`idfs_months` is both the follow-up time and the event"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
    // The survival and cox commands: the curves by their own event, the
    // event coding the groups again, the time as a Cox covariate.
    let file = "tests/data/design/english.csv";
    let base = ["--time", "idfs_months", "--event", "idfs_event"];
    let err = cohortlab(&[&["survival", file][..], &base, &["--group", "idfs_event"]].concat())
        .exit(1)
        .stderr;
    assert!(
        err.contains("`idfs_event` is both the treatment and the event"),
        "{err}"
    );
    let err = cohortlab(&[
        "survival",
        file,
        "--time",
        "idfs_months",
        "--event",
        "treat",
        "--group",
        "group",
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("since it codes the same groups as `group`"),
        "{err}"
    );
    let err = cohortlab(&[&["cox", file][..], &base, &["--vars", "group,idfs_months"]].concat())
        .exit(1)
        .stderr;
    assert!(
        err.contains("`idfs_months` is both the follow-up time and a covariate of the Cox model"),
        "{err}"
    );
}
