//! The worker protocol, typed: each request names the reply it gets. The
//! page sends one of the small request types below (each converts into its
//! [`Request`] variant) and [`Ask::take`] keeps only the reply of its kind,
//! so a reply cannot be read as another request's.

use crate::engine::data::DatasetSpec;
use crate::engine::matching::MatchSpec;
use crate::engine::missing::MissingSpec;
use crate::engine::regression::LogisticSpec;
use crate::engine::table1::Table1Spec;
use crate::engine::Diagnostic;
use crate::report::service::{MatchView, Reply, Request, SessionInfo, StudyView, SurvivalView};
use crate::report::study::StudySettings;
use crate::report::table::ReportTable;

/// A request that names its reply type.
pub trait Ask: Into<Request> {
    /// What the page gets back.
    type Reply;

    /// The reply of this request's kind; any other is handed back.
    fn take(reply: Reply) -> Result<Self::Reply, Reply>;
}

/// A table with its notes (Table 1, the regression).
pub type TableReply = (ReportTable, Vec<Diagnostic>);

/// The study's report (HTML) and results (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct StudyFilesReply {
    pub report_html: String,
    pub results_json: String,
}

/// Read a file (its bytes travel beside the request).
#[derive(Debug, Clone, PartialEq)]
pub struct Open {
    pub file_name: String,
    pub sheet: Option<String>,
    pub max_bytes: u64,
}

/// Load the built-in example.
#[derive(Debug, Clone, PartialEq)]
pub struct Example;

/// The loaded file with another specification.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplySpec(pub DatasetSpec);

/// The loaded workbook, another sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct ChooseSheet(pub String);

/// Table 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Table1(pub Table1Spec);

/// The missing values and their patterns.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing(pub MissingSpec);

/// The missing values' table, the patterns' table and their notes.
pub type MissingReply = (ReportTable, ReportTable, Vec<Diagnostic>);

/// The univariate screen and the multivariable model.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    pub spec: LogisticSpec,
    pub threshold: Option<f64>,
}

/// The matching with its balance and Table 1 before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    pub spec: MatchSpec,
    pub table1: Table1Spec,
}

/// The matched patients as CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedCsv(pub MatchSpec);

/// The matching rerun in random orders, as a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Stability {
    pub spec: MatchSpec,
    pub runs: u64,
    pub outcome: Option<String>,
}

/// The survival step of the settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Survival(pub StudySettings);

/// The whole study.
#[derive(Debug, Clone, PartialEq)]
pub struct Study(pub StudySettings);

/// The last study's report and results.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyFiles(pub StudySettings);

/// `impl Ask`: the request's conversion and the reply it takes.
macro_rules! ask {
    ($t:ty, $reply:ty, |$r:ident| $into:expr, $pat:pat => $out:expr) => {
        impl From<$t> for Request {
            fn from($r: $t) -> Request {
                $into
            }
        }
        impl Ask for $t {
            type Reply = $reply;
            fn take(reply: Reply) -> Result<$reply, Reply> {
                match reply {
                    $pat => Ok($out),
                    other => Err(other),
                }
            }
        }
    };
}

ask!(Open, SessionInfo, |r| Request::Open {
    file_name: r.file_name,
    sheet: r.sheet,
    max_bytes: r.max_bytes,
}, Reply::Loaded(i) => *i);
ask!(Example, SessionInfo, |_r| Request::Example, Reply::Loaded(i) => *i);
ask!(ApplySpec, SessionInfo, |r| Request::ApplySpec(r.0), Reply::Loaded(i) => *i);
ask!(ChooseSheet, SessionInfo, |r| Request::ChooseSheet(r.0), Reply::Loaded(i) => *i);
ask!(Table1, TableReply, |r| Request::Table1(r.0),
    Reply::Table { table, diagnostics } => (table, diagnostics));
ask!(Missing, MissingReply, |r| Request::Missing(r.0),
    Reply::Missing(m) => *m);
ask!(Regression, TableReply, |r| Request::Regression {
    spec: r.spec,
    threshold: r.threshold,
}, Reply::Table { table, diagnostics } => (table, diagnostics));
ask!(Matching, MatchView, |r| Request::Matching {
    spec: r.spec,
    table1: r.table1,
}, Reply::Matching(v) => *v);
ask!(MatchedCsv, String, |r| Request::MatchedCsv(r.0), Reply::Text(t) => t);
ask!(Stability, String, |r| Request::Stability {
    spec: r.spec,
    runs: r.runs,
    outcome: r.outcome,
}, Reply::Text(t) => t);
ask!(Survival, SurvivalView, |r| Request::Survival(r.0), Reply::Survival(v) => *v);
ask!(Study, StudyView, |r| Request::Study(r.0), Reply::Study(v) => *v);
ask!(StudyFiles, StudyFilesReply, |r| Request::StudyFiles(r.0),
    Reply::StudyFiles { report_html, results_json } => StudyFilesReply { report_html, results_json });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::example::{example_logistic_spec, example_match_spec, example_table1_spec};
    use crate::report::service::{Progress, Service};

    fn text() -> Reply {
        Reply::Text("x".into())
    }

    fn files() -> Reply {
        Reply::StudyFiles {
            report_html: "<p>".into(),
            results_json: "{}".into(),
        }
    }

    #[test]
    fn every_request_maps_to_its_variant() {
        let s = StudySettings::example();
        let m = example_match_spec();
        let t = example_table1_spec();
        let open = Open {
            file_name: "a.csv".into(),
            sheet: Some("S".into()),
            max_bytes: 9,
        };
        assert_eq!(
            Request::from(open),
            Request::Open {
                file_name: "a.csv".into(),
                sheet: Some("S".into()),
                max_bytes: 9
            }
        );
        assert_eq!(Request::from(Example), Request::Example);
        let spec = s.dataset.clone();
        assert_eq!(
            Request::from(ApplySpec(spec.clone())),
            Request::ApplySpec(spec)
        );
        assert_eq!(
            Request::from(ChooseSheet("S".into())),
            Request::ChooseSheet("S".into())
        );
        assert_eq!(Request::from(Table1(t.clone())), Request::Table1(t.clone()));
        let ms = MissingSpec::default();
        assert_eq!(Request::from(Missing(ms.clone())), Request::Missing(ms));
        let reg = Regression {
            spec: example_logistic_spec(),
            threshold: Some(0.05),
        };
        assert_eq!(
            Request::from(reg),
            Request::Regression {
                spec: example_logistic_spec(),
                threshold: Some(0.05)
            }
        );
        assert_eq!(
            Request::from(Matching {
                spec: m.clone(),
                table1: t.clone()
            }),
            Request::Matching {
                spec: m.clone(),
                table1: t
            }
        );
        assert_eq!(
            Request::from(MatchedCsv(m.clone())),
            Request::MatchedCsv(m.clone())
        );
        assert_eq!(
            Request::from(Stability {
                spec: m.clone(),
                runs: 3,
                outcome: None
            }),
            Request::Stability {
                spec: m,
                runs: 3,
                outcome: None
            }
        );
        assert_eq!(
            Request::from(Survival(s.clone())),
            Request::Survival(s.clone())
        );
        assert_eq!(Request::from(Study(s.clone())), Request::Study(s.clone()));
        assert_eq!(Request::from(StudyFiles(s.clone())), Request::StudyFiles(s));
    }

    #[test]
    fn a_reply_of_the_wrong_kind_is_refused() {
        assert_eq!(MatchedCsv::take(text()), Ok("x".to_owned()));
        assert_eq!(Stability::take(text()), Ok("x".to_owned()));
        assert_eq!(Table1::take(text()), Err(text()));
        assert_eq!(Missing::take(text()), Err(text()));
        assert_eq!(Regression::take(text()), Err(text()));
        assert_eq!(Example::take(text()), Err(text()));
        assert_eq!(Open::take(text()), Err(text()));
        assert_eq!(ApplySpec::take(text()), Err(text()));
        assert_eq!(ChooseSheet::take(text()), Err(text()));
        assert_eq!(Matching::take(text()), Err(text()));
        assert_eq!(Survival::take(text()), Err(text()));
        assert_eq!(Study::take(text()), Err(text()));
        assert_eq!(StudyFiles::take(text()), Err(text()));
        assert_eq!(MatchedCsv::take(files()), Err(files()));
        assert_eq!(
            StudyFiles::take(files()),
            Ok(StudyFilesReply {
                report_html: "<p>".into(),
                results_json: "{}".into()
            })
        );
    }

    /// The service's own replies are taken by the requests that asked.
    #[test]
    fn the_service_answers_each_request_with_its_reply() {
        fn ask<A: Ask>(s: &mut Service, a: A) -> A::Reply {
            let reply = s.handle(a.into(), None, &mut |_: Progress| {});
            match reply.map(A::take) {
                Ok(Ok(r)) => r,
                Ok(Err(other)) => panic!("wrong reply: {other:?}"),
                Err(e) => panic!("failed: {e:?}"),
            }
        }
        let mut s = Service::new();
        assert!(ask(&mut s, Example).example);
        let (table, _) = ask(&mut s, Table1(example_table1_spec()));
        assert!(!table.rows.is_empty());
        let (missing, patterns, _) = ask(
            &mut s,
            Missing(MissingSpec {
                variables: Vec::new(),
                group: Some("seed_marking".into()),
            }),
        );
        assert!(missing.rows.len() > 10 && missing.header.len() == 6);
        assert_eq!(patterns.rows.len(), 1);
        let csv = ask(&mut s, MatchedCsv(example_match_spec()));
        assert!(csv.contains("subclass"));
    }
}
