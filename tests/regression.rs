//! One test per bug fixed, as ripgrep's `tests/regression.rs`: each is
//! named after what broke, builds data of the shape that showed the bug
//! (or runs the command that showed it), and fails without its fix. Its
//! doc comment names the issue and item and says what went wrong.
//!
//! The reference tests hold the other regressions of issue 13 where a
//! number differed from R (tests/reference_*.rs, e.g. the medians of
//! items 1 and 2 in reference_survival_edge.rs); tests/bad_corpus.rs holds
//! those of its bad-input corpus (items 10 to 14).

mod common;

use cohortlab::engine::data::{ColumnKind, Dataset, DatasetSpec};
use cohortlab::engine::hypothesis::{student_t, welch_t};
use cohortlab::engine::matching::{match_patients, BalanceRow, BalanceStats, Caliper, MatchSpec};
use cohortlab::engine::regression::{fit_logistic, univariate_screen, LogisticSpec};
use cohortlab::engine::survival::{CiTransform, SurvivalSpec};
use cohortlab::engine::table1::{table1, ContinuousTest, Table1Spec};
use cohortlab::report::figures::love_plot_svg;
use cohortlab::report::km_figure::KmFigure;
use cohortlab::report::study::{methods_text, StudySettings};
use cohortlab::report::survival::survival_analysis;
use cohortlab::report::table1::{table1_before_after, Table1Format};
use common::{cohortlab, data, dataset, example_study_with, named, reference, scratch};

/// A small CSV text of the test's own, with the default dataset settings.
fn dataset_csv(csv: &str) -> Dataset {
    dataset(csv, DatasetSpec::default())
}

// ---------------------------------------------------------------------
// Issue 13, item 3: separation in logistic regression

const LEVEL: [&str; 6] = [
    "logistic",
    "tests/data/separation-level.csv",
    "--outcome",
    "response",
    "--vars",
    "histology,age",
];

/// Issue 13, item 3: a level with 0 of 16 events got a coefficient near
/// 41 with SE 0.3 and P = 0, its term not flagged (R's glm: about 16, SE
/// about 650, P 0.98). It is now "not estimable (separation)", with no P.
#[test]
fn separated_level_is_printed_as_not_estimable() {
    let out = cohortlab(&LEVEL).success().stdout;
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("C "))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        line.matches("not estimable (separation)").count(),
        2,
        "{line}"
    );
    assert!(!line.contains("< 0.001"), "{line}");
    assert!(out.contains("none has the outcome (0 of 16)"), "{out}");
    let mut args = LEVEL.to_vec();
    args.push("--json");
    let v = cohortlab(&args).success().json();
    let c = &v["terms"][2];
    assert_eq!(c["term"], "histology: C");
    assert_eq!(c["separation"], true);
    assert_eq!(c["not_estimable"], "separation");
    assert!(c["p_value"].is_null() && c["odds_ratio"].is_null() && c["ci_lower"].is_null());
    assert!(v["terms"][1]["p_value"].is_number());
}

/// Issue 13, item 3: separated data had no finite estimates at all;
/// `--firth` gives Firth's, as the formulas in R give them
/// (tests/reference/firth.json).
#[test]
fn firth_flag_gives_finite_estimates() {
    let mut args = LEVEL.to_vec();
    args.extend(["--firth", "--json"]);
    let v = cohortlab(&args).success().json();
    let r = named(&reference("firth")["models"], "separation_level");
    for (i, t) in v["terms"].as_array().unwrap().iter().enumerate() {
        let coef = r["coef"][i].as_f64().unwrap();
        let or = t["odds_ratio"].as_f64().unwrap();
        assert!(
            (or.ln() - coef).abs() < 1e-6 * coef.abs(),
            "{} {or}",
            t["term"]
        );
        let lo = r["ci_lower"][i].as_f64().unwrap();
        assert!((t["ci_lower"].as_f64().unwrap().ln() - lo).abs() < 1e-6 * lo.abs());
        let p = r["p"][i].as_f64().unwrap();
        assert!((t["p_value"].as_f64().unwrap() - p).abs() < 1e-6 * p);
        assert!(t["not_estimable"].is_null());
    }
    args.pop();
    let text = cohortlab(&args).stdout;
    assert!(text.contains("profile penalised-likelihood"), "{text}");
    assert!(!text.contains("not estimable"), "{text}");
}

/// Issue 13, item 3: a study could not ask for Firth. Its settings now
/// carry `firth` (old settings without it load as false:
/// `shipped_settings_are_the_example_study`), and the methods text names it.
#[test]
fn firth_in_study_settings_and_methods() {
    let mut settings = StudySettings::example();
    assert!(!settings.regression.as_ref().unwrap().spec.firth);
    settings.regression.as_mut().unwrap().spec.firth = true;
    let back = StudySettings::from_json(&settings.to_json()).unwrap();
    assert!(back.regression.as_ref().unwrap().spec.firth);
    let out = example_study_with(&settings);
    let text = methods_text(&out.results);
    assert!(text.contains("Firth's penalised likelihood"), "{text}");
    let multi = out.results.regression.as_ref().unwrap();
    let m = multi.multivariable.as_ref().unwrap();
    assert!(m.spec.firth && m.terms.iter().all(|t| t.odds_ratio.is_some()));
}

// ---------------------------------------------------------------------
// Issue 13, items 4 to 8: matching ties and clinicians' numeric codes

const CODES: &str = "tests/data/numeric-codes.csv";

/// Issue 13, item 4: an additive propensity model puts the logits of
/// x = 0, 1, 2 equally far apart, so once the x = 1 control is taken a
/// treated patient with x = 1 is exactly as far from an x = 0 control as
/// from an x = 2 one; MatchIt takes the lower score. Rounding in the last
/// bits of the logits used to decide it instead.
#[test]
fn equidistant_controls_after_an_additive_model_go_to_the_lower_score() {
    let mut csv = String::from("t,x\n");
    for (x, treated, controls) in [(0, 2, 10), (1, 3, 1), (2, 4, 5)] {
        for _ in 0..treated {
            csv.push_str(&format!("1,{x}\n"));
        }
        for _ in 0..controls {
            csv.push_str(&format!("0,{x}\n"));
        }
    }
    let ds = dataset_csv(&csv);
    let spec = MatchSpec {
        caliper: Caliper::None,
        ..MatchSpec::new("t", &["x"])
    };
    let m = match_patients(&ds, &spec).unwrap();
    let x = |row: usize| ds.column("x").unwrap().display(row);
    // The three treated with x = 1: one takes the x = 1 control; the other
    // two, equally near x = 0 and x = 2 controls, take x = 0 ones.
    let mut taken: Vec<String> = m
        .sets
        .iter()
        .filter(|s| x(s.treated) == "1")
        .flat_map(|s| s.controls.iter().map(|&c| x(c)))
        .collect();
    taken.sort();
    assert_eq!(taken, ["0", "0", "1"]);
}

/// Issue 13, item 6: `--treated-level 1` on a numeric 1/2 column was
/// ignored (2 was treated), and `--treated-level 7` was accepted.
#[test]
fn treated_level_is_honoured_on_numeric_codes() {
    let run = |level: &str| {
        cohortlab(&[
            "match",
            CODES,
            "--treatment",
            "treat",
            "--treated-level",
            level,
            "--covariates",
            "age,grade",
            "--caliper",
            "none",
            "--json",
        ])
    };
    let count = |level: &str| run(level).success().json()["counts"]["all"]["treated"].as_u64();
    assert_eq!(count("1"), Some(100));
    assert_eq!(count("2"), Some(60));
    let err = run("7").exit(1).stderr;
    assert!(
        err.contains("no level `7`") && err.contains("1, 2"),
        "the error lists the levels present: {err}"
    );
}

/// Issue 13, item 6: `--ref` on a numeric column was ignored; it now reads
/// the column as levels with that reference.
#[test]
fn reference_level_is_honoured_on_numeric_codes() {
    let v = cohortlab(&[
        "logistic",
        CODES,
        "--outcome",
        "response",
        "--vars",
        "grade,age",
        "--ref",
        "grade=2",
        "--json",
    ])
    .success()
    .json();
    let terms: Vec<&str> = v["terms"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["term"].as_str())
        .collect();
    assert!(
        terms.contains(&"grade: 1") && terms.contains(&"grade: 3"),
        "{terms:?}"
    );
    assert!(!terms.contains(&"grade: 2"), "{terms:?}");
    let err = cohortlab(&["inspect", CODES, "--ref", "grade=9"])
        .exit(1)
        .stderr;
    assert!(
        err.contains("no level `9`") && err.contains("`1`, `2`, `3`"),
        "{err}"
    );
}

/// Issue 13, item 8: a numeric 1/2 group was refused by Table 1, and grade
/// 1/2/3 was summarised as mean (SD) by Welch's t.
#[test]
fn table1_groups_by_numeric_codes_and_shows_grade_as_counts() {
    let v = cohortlab(&[
        "table1",
        CODES,
        "--group",
        "treat",
        "--vars",
        "grade,age",
        "--json",
    ])
    .success()
    .json();
    let groups: Vec<&str> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["level"].as_str())
        .collect();
    assert_eq!(groups, ["1", "2"]);
    let grade = &v["variables"][0];
    assert_eq!(grade["variable"], "grade");
    assert_eq!(grade["levels"].as_array().map(Vec::len), Some(3));
    assert!(grade["summary"].is_null());
    let note = v["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("whole-number values")
    });
    assert!(note, "the choice is noted");
    // Age, with many values, stays continuous; --continuous restores grade's mean.
    assert_eq!(v["variables"][1]["summary"], "mean_sd");
    let v = cohortlab(&[
        "table1",
        CODES,
        "--group",
        "treat",
        "--vars",
        "grade",
        "--continuous",
        "grade",
        "--json",
    ])
    .success()
    .json();
    assert_eq!(v["variables"][0]["summary"], "mean_sd");
}

/// Issue 13, item 8: exact matching on a numeric centre code was refused
/// ("needs a binary or categorical column"); every matched set now lies
/// within one centre.
#[test]
fn exact_matching_on_a_numeric_centre_code() {
    let ds = data("numeric-codes.csv", DatasetSpec::default());
    let spec = MatchSpec {
        exact: vec!["centre".into()],
        caliper: Caliper::None,
        ..MatchSpec::new("treat", &["age", "grade"])
    };
    let m = match_patients(&ds, &spec).unwrap();
    let centre = ds.column("centre").unwrap();
    assert!(m.sets.len() > 40);
    for set in &m.sets {
        for &c in &set.controls {
            assert_eq!(centre.display(c), centre.display(set.treated));
        }
    }
}

// ---------------------------------------------------------------------
// Issue 14: the study design

/// Issue 14: a second coding of the groups in Table 1 (100% vs 0%) had
/// SMD 0.000; it is infinite, with a note, and printed as ∞.
#[test]
fn table1_smd_of_a_second_coding_of_the_groups_is_infinite() {
    let dir = scratch("regression");
    let file = dir.join("dup.csv");
    let mut csv = String::from("group,treat,age\n");
    for i in 0..40 {
        let (g, t) = if i % 3 == 0 { ("B", 1) } else { ("A", 0) };
        csv.push_str(&format!("{g},{t},{}\n", 40 + i));
    }
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();
    let args = ["table1", file, "--group", "group", "--vars", "treat,age"];
    let v = cohortlab(&[&args[..], &["--json"]].concat())
        .success()
        .json();
    assert!(
        v["variables"][0]["smd"].is_null(),
        "infinite is not a number in JSON"
    );
    let note = v["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["column"] == "treat"
            && d["message"]
                .as_str()
                .unwrap_or("")
                .contains("SMD is infinite")
    });
    assert!(note);
    let out = cohortlab(&args).success().stdout;
    let line = out.lines().find(|l| l.starts_with("treat")).unwrap();
    assert!(line.trim_end().ends_with('∞'), "{line}");
}

// ---------------------------------------------------------------------
// Issue 13, fuzzing: panics and hangs found by `benches/fuzz.rs`
// (docs/FUZZING.md), each on the smallest input of the shape found

/// Issue 13, fuzzing: values near the largest double overflow the
/// variance, so the t statistic is NaN: the t tests gave it to statrs,
/// which panicked (`XOutOfRange` in beta_reg). Now the P is missing, not a
/// panic.
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

/// Issue 13, fuzzing: the same panic through Table 1, with either t test,
/// on a column whose values reach 1e308 (the fuzzer's case: a study's
/// Table 1).
#[test]
fn table1_with_a_column_reaching_1e308_does_not_panic() {
    let ds = dataset_csv("g,x\nA,1e308\nA,1e308\nA,3\nB,1\nB,2\nB,4\n");
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

/// Issue 13, fuzzing: a covariate nearly constant in one group has a huge
/// SMD (the fuzzer's case: 1e300): the Love plot drew a tick every 0.1 up
/// to it, an endless loop. Now at most 50 ticks, up to the largest double.
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

/// Issue 13, fuzzing: Table 1 before and after matching when the after
/// table has fewer groups (a grouping column of many levels, most absent
/// from the matched cohort): the after table's cells were cut at the
/// before table's number of groups, out of range. Now each its own.
#[test]
fn table1_before_after_with_groups_lost_after_matching() {
    let mut csv = String::from("g,x\n");
    for (i, g) in ["A", "B", "C", "D", "E", "F", "G"].iter().enumerate() {
        csv.push_str(&format!("{g},{i}\n{g},{}\n", i + 3));
    }
    let ds = dataset_csv(&csv);
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

/// Issue 13, fuzzing: a follow-up time near the largest double
/// (1.7e308): the Kaplan-Meier figure's axis ended at 2e308 = infinity and
/// asked for infinitely many ticks ("capacity overflow"). Now the axis
/// ends at the largest double.
#[test]
fn km_figure_with_a_time_near_the_largest_double() {
    let ds = dataset_csv("t,e\n1,1\n2,0\n3,1\n1.7e308,1\n");
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

/// Issue 13, fuzzing (`tests/data/fuzz/logistic-svd-hang.csv`, the
/// example's first rows mutated; case `--class csv --case
/// 0xb12ff377039fefa7`): the page's first logistic regression (screen,
/// then the model of those with P < 0.2) diverges, its information matrix
/// has infinite or NaN entries, the Cholesky fails, and the
/// pseudo-inverse's SVD (nalgebra) never ended on them: a hang. Now the
/// fit ends.
#[test]
fn logistic_whose_information_is_not_finite_ends() {
    let ds = data("fuzz/logistic-svd-hang.csv", DatasetSpec::default());
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

/// Issue 13, fuzzing (case `--class logistic --case 0x6633c858eb5aa663`):
/// Firth's penalised likelihood on 60 patients with a categorical
/// covariate of about 50 levels took 72 s (its profile intervals: hundreds
/// of constrained fits of a model nearly as large as the data). Its work
/// is now bounded; the intervals past the bound are left blank, with a
/// note.
#[test]
fn firth_on_a_model_nearly_as_large_as_the_data_ends_with_a_note() {
    let spec = DatasetSpec::default().with_kind("c1", ColumnKind::Categorical);
    let ds = data("fuzz/firth-large-model.csv", spec);
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

/// Issue 13, fuzzing (seed 15, after issue 15): a workbook whose sheet has
/// a damaged row (mutated bytes: `<row r="35"6" ...>`, a mismatched end
/// tag) before a far cell with a value (`SQC66123`, 878,708,547 cells from
/// A1): the sheet guard stopped at the malformed XML and let calamine read
/// on, which allocated 28 GB for the far cell (an abort). The guard now
/// reads past a mismatched end tag as calamine does, and refuses a part
/// whose bytes cannot be read (its checksum fails).
#[test]
fn a_far_dimension_is_refused_before_calamine_allocates() {
    let file = common::path("tests/data/fuzz/xlsx-far-dimension.xlsx");
    let out = cohortlab(&["inspect", file.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("xl/worksheets/sheet3.xml") && out.stderr.contains("878708547"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
}
