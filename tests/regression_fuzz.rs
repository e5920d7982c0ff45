//! Regression tests of the panics found by the fuzzer (`benches/fuzz.rs`,
//! docs/FUZZING.md): each one is the smallest input of the shape found,
//! and fails (panics) before its fix.

use cohortlab::engine::data::{load, ColumnKind, DatasetSpec, ReadOptions};
use cohortlab::engine::hypothesis::{student_t, welch_t};
use cohortlab::engine::matching::{BalanceRow, BalanceStats};
use cohortlab::engine::regression::{fit_logistic, univariate_screen, LogisticSpec};
use cohortlab::engine::survival::{CiTransform, SurvivalSpec};
use cohortlab::engine::table1::{table1, ContinuousTest, Table1Spec};
use cohortlab::report::figures::love_plot_svg;
use cohortlab::report::km_figure::KmFigure;
use cohortlab::report::survival::survival_analysis;
use cohortlab::report::table1::{table1_before_after, Table1Format};

fn dataset(csv: &str) -> cohortlab::engine::data::Dataset {
    load(
        csv.as_bytes(),
        &ReadOptions::default(),
        &DatasetSpec::default(),
    )
    .expect("the test's CSV reads")
    .1
}

/// Values near the largest double overflow the variance, so the t
/// statistic is NaN: the t tests gave it to statrs, which panicked
/// (`XOutOfRange` in beta_reg). Now the P is missing, not a panic.
#[test]
fn t_tests_on_values_that_overflow_the_variance_have_no_p() {
    let x = [1e308, 1e308, 5.0];
    let y = [1.0, 2.0, 3.0];
    for r in [welch_t(&x, &y).unwrap(), student_t(&x, &y).unwrap()] {
        assert!(r.statistic.is_some_and(f64::is_nan), "{r:?}");
        assert!(r.p_value.is_nan(), "{r:?}");
    }
    // Finite data keep their P.
    let p = welch_t(&[1.0, 2.0, 3.5], &y).unwrap().p_value;
    assert!(p > 0.0 && p < 1.0, "{p}");
}

/// The same through Table 1, with either t test, on a column whose
/// values reach 1e308 (the fuzzer's case: a study's Table 1).
#[test]
fn table1_with_a_column_reaching_1e308_does_not_panic() {
    let ds = dataset("g,x\nA,1e308\nA,1e308\nA,3\nB,1\nB,2\nB,4\n");
    for test in [ContinuousTest::Welch, ContinuousTest::Student] {
        let spec = Table1Spec {
            group: "g".into(),
            variables: vec!["x".into()],
            nonnormal: Vec::new(),
            // Five whole numbers: shown as continuous, as the fuzzer met it.
            continuous: vec!["x".into()],
            categorical_test: Default::default(),
            continuous_test: test,
        };
        let t = table1(&ds, &spec).expect("Table 1 is made");
        let row = t
            .variables
            .iter()
            .find(|r| r.variable == "x")
            .expect("a row for x");
        assert!(row.p_value.is_none_or(f64::is_nan), "{:?}", row.p_value);
    }
}

fn balance_row(smd: f64) -> BalanceRow {
    let stats = BalanceStats {
        mean_treated: 1.0,
        mean_control: 0.0,
        smd,
        smd_pooled: smd,
        var_ratio: None,
        ecdf_mean: 0.0,
        ecdf_max: 0.0,
    };
    BalanceRow {
        term: "x".into(),
        variable: "x".into(),
        level: None,
        binary: false,
        before: stats,
        after: stats,
    }
}

/// A covariate nearly constant in one group has a huge SMD (the fuzzer's
/// case: 1e300): the Love plot drew a tick every 0.1 up to it, an
/// endless loop. Now at most 50 ticks, up to the largest double.
#[test]
fn love_plot_of_a_huge_smd_has_few_ticks() {
    for smd in [12.0, 1e300, f64::MAX] {
        // On a thread, so that the endless loop fails the test in time.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(love_plot_svg(&[balance_row(smd), balance_row(0.05)]));
        });
        let svg = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no Love plot within 10 s for an SMD of {smd}"));
        let ticks = svg.matches("text-anchor=\"middle\">").count();
        assert!(ticks <= 52, "{ticks} ticks for an SMD of {smd}");
        assert!(svg.len() < 100_000, "{} bytes", svg.len());
    }
    // Small SMDs keep their ticks every 0.1 (0 to 0.3).
    let svg = love_plot_svg(&[balance_row(0.26)]);
    for label in [">0.0<", ">0.1<", ">0.2<", ">0.3<"] {
        assert!(svg.contains(label), "{label} missing");
    }
}

/// Table 1 before and after matching when the after table has fewer
/// groups (a grouping column of many levels, most absent from the
/// matched cohort): the after table's cells were cut at the before
/// table's number of groups, out of range. Now each its own.
#[test]
fn table1_before_after_with_groups_lost_after_matching() {
    let mut csv = String::from("g,x\n");
    for (i, g) in ["A", "B", "C", "D", "E", "F", "G"].iter().enumerate() {
        csv.push_str(&format!("{g},{i}\n{g},{}\n", i + 3));
    }
    let ds = dataset(&csv);
    let spec = Table1Spec {
        group: "g".into(),
        variables: vec!["x".into()],
        nonnormal: Vec::new(),
        continuous: Vec::new(),
        categorical_test: Default::default(),
        continuous_test: ContinuousTest::Welch,
    };
    let before = table1(&ds, &spec).expect("before");
    let after = table1(&ds.subset(&[0, 1, 2, 3]), &spec).expect("after");
    assert_eq!((before.groups.len(), after.groups.len()), (7, 2));
    let t = table1_before_after(&before, &after, Table1Format::default());
    assert_eq!(t.header.len(), 1 + (7 + 2) + (2 + 2));
    assert!(!t.rows.is_empty());
    for (_, cells) in &t.rows {
        assert_eq!(cells.len(), t.header.len(), "{cells:?}");
    }
}

/// A follow-up time near the largest double (1.7e308): the Kaplan-Meier
/// figure's axis ended at 2e308 = infinity and asked for infinitely many
/// ticks ("capacity overflow"). Now the axis ends at the largest double.
#[test]
fn km_figure_with_a_time_near_the_largest_double() {
    let ds = dataset("t,e\n1,1\n2,0\n3,1\n1.7e308,1\n");
    let spec = SurvivalSpec {
        time: "t".into(),
        event: "e".into(),
        event_level: None,
        groups: Vec::new(),
        strata: None,
    };
    let a = survival_analysis(&ds, &spec, CiTransform::Log, &[1.0], 0.0).expect("curves");
    let figure = KmFigure::new(&a, "t");
    let svg = figure.to_svg();
    assert!(svg.starts_with("<svg"));
    assert!(svg.len() < 1_000_000, "{} bytes", svg.len());
}

/// The fuzzer's input (`tests/data/fuzz/logistic-svd-hang.csv`, the
/// example's first rows mutated; case `--class csv --case
/// 0xb12ff377039fefa7`): the page's first logistic regression (screen,
/// then the model of those with P < 0.2) diverges, its information matrix
/// has infinite or NaN entries, the Cholesky fails, and the
/// pseudo-inverse's SVD (nalgebra) never ended on them: a hang. Now the
/// fit ends.
#[test]
fn logistic_whose_information_is_not_finite_ends() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fuzz/logistic-svd-hang.csv"
    ))
    .expect("the fuzzer's input");
    let (_, ds) = load(&bytes, &ReadOptions::default(), &DatasetSpec::default()).expect("reads");
    // The page's old first guess: the first binary column as the outcome,
    // the other binary and categorical columns as the variables.
    let outcome = ds
        .columns
        .iter()
        .find(|c| c.kind == ColumnKind::Binary)
        .expect("a binary column");
    let vars: Vec<&str> = ds
        .columns
        .iter()
        .filter(|c| c.name != outcome.name && c.kind.is_categorical())
        .map(|c| c.name.as_str())
        .collect();
    let spec = LogisticSpec::new(&outcome.name, &vars);
    let screen = univariate_screen(&ds, &spec);
    let chosen = spec.select(&screen, Some(0.2));
    assert!(!chosen.is_empty());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let m = LogisticSpec {
            variables: chosen,
            ..spec
        };
        let _ = tx.send(fit_logistic(&ds, &m).is_ok());
    });
    assert!(
        rx.recv_timeout(std::time::Duration::from_secs(20)).is_ok(),
        "the logistic fit did not end within 20 s"
    );
}

/// Fuzz finding (case `--class logistic --case 0x6633c858eb5aa663`): Firth's
/// penalised likelihood on 60 patients with a categorical covariate of
/// about 50 levels took 72 s (its profile intervals: hundreds of
/// constrained fits of a model nearly as large as the data). Its work is
/// now bounded; the intervals past the bound are left blank, with a note.
#[test]
fn firth_on_a_model_nearly_as_large_as_the_data_ends_with_a_note() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fuzz/firth-large-model.csv"
    ))
    .expect("the fuzzer's input");
    let spec = DatasetSpec::default().with_kind("c1", ColumnKind::Categorical);
    let (_, ds) = load(&bytes, &ReadOptions::default(), &spec).expect("reads");
    let model = LogisticSpec {
        event: Some("1".into()),
        firth: true,
        ..LogisticSpec::new("c6", &["c1"])
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(fit_logistic(&ds, &model).map(|f| f.diagnostics));
    });
    let fit = rx
        .recv_timeout(std::time::Duration::from_secs(180))
        .expect("ends (it took 72 s in an optimised build before, minutes in a debug one)");
    let diagnostics = fit.expect("a fit");
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message.contains("were not computed")),
        "{diagnostics:?}"
    );
}
