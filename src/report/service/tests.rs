//! The service answers as the page expects.

use super::*;
use crate::engine::data::{self, DatasetSpec, ReadOptions};
use serde::{Deserialize, Serialize};

fn quiet() -> impl FnMut(Progress) {
    |_| {}
}

#[test]
fn messages_are_plain_data() {
    fn assert_owned<T: Serialize + for<'de> Deserialize<'de> + Send + Sync + 'static>() {}
    assert_owned::<Request>();
    assert_owned::<Reply>();
    assert_owned::<Progress>();
    assert_owned::<Failure>();
}

/// Every reply the page gets crosses the worker boundary as JSON and
/// must come back equal.
#[test]
fn replies_survive_the_trip_to_the_page() {
    let mut s = Service::new();
    let settings = StudySettings::example();
    let mut requests = vec![
        Request::Example,
        Request::Table1(crate::engine::example::example_table1_spec()),
        Request::Regression {
            spec: crate::engine::example::example_logistic_spec(),
            threshold: Some(0.05),
        },
        Request::Matching {
            spec: crate::engine::example::example_match_spec(),
            table1: crate::engine::example::example_table1_spec(),
        },
        Request::Survival(settings.clone()),
        Request::Study(settings),
    ];
    for r in requests.drain(..) {
        let text = serde_json::to_string(&r).unwrap();
        let r: Request = serde_json::from_str(&text).unwrap();
        let reply = s.handle(r, None, &mut quiet());
        let text = serde_json::to_string(&reply).unwrap();
        let back: Result<Reply, Failure> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, reply);
    }
}

#[test]
fn asks_for_data_before_any_is_loaded() {
    let mut s = Service::new();
    let e = s
        .handle(
            Request::Table1(crate::engine::example::example_table1_spec()),
            None,
            &mut quiet(),
        )
        .unwrap_err();
    assert_eq!(e.message, "No data is loaded yet.");
}

#[test]
fn a_failed_change_keeps_the_data() {
    let mut s = Service::new();
    s.handle(Request::Example, None, &mut quiet()).unwrap();
    let mut bad = crate::engine::example::example_spec();
    bad.set_kind("age", crate::engine::data::ColumnKind::Binary);
    let e = s
        .handle(Request::ApplySpec(bad), None, &mut quiet())
        .unwrap_err();
    assert_eq!(e.context, "That change was not applied");
    assert!(e.message.contains("age"), "{}", e.message);
    // The example is still there, with its settings.
    let r = s
        .handle(
            Request::Table1(crate::engine::example::example_table1_spec()),
            None,
            &mut quiet(),
        )
        .unwrap();
    assert!(matches!(r, Reply::Table { .. }));
}

#[test]
fn the_matching_is_computed_once_for_every_step() {
    let mut s = Service::new();
    s.handle(Request::Example, None, &mut quiet()).unwrap();
    let spec = crate::engine::example::example_match_spec();
    let mut stages = Vec::new();
    let mut log = |p: Progress| stages.push(p.stage);
    let t1 = crate::engine::example::example_table1_spec();
    s.handle(
        Request::Matching {
            spec: spec.clone(),
            table1: t1,
        },
        None,
        &mut log,
    )
    .unwrap();
    s.handle(Request::MatchedCsv(spec.clone()), None, &mut log)
        .unwrap();
    let matched = stages
        .iter()
        .filter(|s| s.starts_with("Propensity model and 1:2 matching"))
        .count();
    assert_eq!(matched, 1, "{stages:?}");
    // Another file: the matching is redone.
    s.handle(Request::Example, None, &mut quiet()).unwrap();
    let mut again = 0;
    s.handle(Request::MatchedCsv(spec), None, &mut |p: Progress| {
        again += usize::from(p.stage.starts_with("Propensity model"))
    })
    .unwrap();
    assert_eq!(again, 1);
}

#[test]
fn the_study_equals_the_command_line_run() {
    let settings = StudySettings::example();
    let mut s = Service::new();
    s.handle(Request::Example, None, &mut quiet()).unwrap();
    let Reply::Study(v) = s
        .handle(Request::Study(settings.clone()), None, &mut quiet())
        .unwrap()
    else {
        panic!("not a study")
    };
    let raw = data::read(EXAMPLE_CSV.as_bytes(), &ReadOptions::default()).unwrap();
    let cli = crate::report::study::run_study(&raw, EXAMPLE_FILE_NAME, &settings).unwrap();
    assert_eq!(v.tables, cli.tables);
    assert_eq!(v.methods, cli.results.methods);
    // The downloads, kept from that run: the command line's files.
    let Reply::StudyFiles {
        report_html,
        results_json,
    } = s
        .handle(Request::StudyFiles(settings.clone()), None, &mut quiet())
        .unwrap()
    else {
        panic!("not the files")
    };
    assert_eq!(report_html, cli.report_html);
    assert_eq!(results_json, cli.results_json());
    // The matched dataset on demand equals the command line's.
    let spec = settings.matching.clone().unwrap();
    let Reply::Text(csv) = s
        .handle(Request::MatchedCsv(spec), None, &mut quiet())
        .unwrap()
    else {
        panic!("not text")
    };
    assert_eq!(Some(csv), cli.matched_csv);
}

#[test]
fn reading_reports_progress_and_names_bad_files() {
    let mut s = Service::new();
    let mut fractions = Vec::new();
    let csv = "a,b\n1,2\n3,4\n";
    s.handle(
        Request::Open {
            file_name: "x.csv".into(),
            sheet: None,
            max_bytes: u64::MAX,
        },
        Some(csv.as_bytes().to_vec()),
        &mut |p: Progress| fractions.extend(p.fraction),
    )
    .unwrap();
    assert_eq!(fractions.last(), Some(&1.0));
    let e = s
        .handle(
            Request::Open {
                file_name: "ragged.csv".into(),
                sheet: None,
                max_bytes: u64::MAX,
            },
            Some(b"a,b\n1,2\n3\n".to_vec()),
            &mut quiet(),
        )
        .unwrap_err();
    assert_eq!(e.context, "Could not read ragged.csv");
    assert!(e.message.starts_with("Row 3"), "{}", e.message);
    // The file loaded before is kept.
    let Reply::Loaded(info) = s
        .handle(
            Request::ApplySpec(DatasetSpec::default()),
            None,
            &mut quiet(),
        )
        .unwrap()
    else {
        panic!("not loaded")
    };
    assert_eq!(info.file_name, "x.csv");
}
