//! The `cohortlab` command-line tool, run as a user would.

mod common;

use common::{cohortlab, example_study, json_file, scratch};

#[test]
fn inspect_json_has_every_column() {
    let v = cohortlab(&[
        "inspect",
        "tests/data/example-study.csv",
        "--json",
        "--cut",
        "age_group=age:50",
        "--ref",
        "subtype=HR+/HER2-",
    ])
    .success()
    .json();
    assert_eq!(v["rows"], 1049);
    let cols = v["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 19);
    let col = |name: &str| cols.iter().find(|c| c["name"] == name).unwrap().clone();
    assert_eq!(col("age")["kind"], "numeric");
    assert_eq!(col("age")["missing"], 0);
    assert!(col("age")["min"].as_f64().unwrap() >= 18.0);
    assert!(col("age")["max"].is_number());
    assert_eq!(col("id")["kind"], "text");
    assert_eq!(col("seed_marking")["kind"], "binary");
    assert_eq!(col("subtype")["kind"], "categorical");
    assert_eq!(col("subtype")["reference"], "HR+/HER2-");
    let ct = col("ct")["levels"].as_array().unwrap().clone();
    let ct: Vec<(String, u64)> = ct
        .iter()
        .map(|l| {
            (
                l["level"].as_str().unwrap().to_owned(),
                l["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ct,
        [
            ("T1".into(), 165),
            ("T2".into(), 678),
            ("T3".into(), 112),
            ("T4".into(), 94)
        ]
    );
    assert_eq!(col("age_group")["levels"][0]["count"], 411 + 101);
}

#[test]
fn inspect_reads_quirky_files() {
    for f in [
        "tests/data/quirky/semicolon-decimal-comma-cp1252.csv",
        "tests/data/quirky/tab-utf16le-bom.txt",
        "tests/data/quirky/pipe-utf8-bom.csv",
    ] {
        let out = cohortlab(&["inspect", f]).success().stdout;
        assert!(out.starts_with("4 patients, 6 columns"), "{f}: {out}");
        assert!(
            out.contains("ki67     numeric            0  7.25 to 45, mean 23.6875"),
            "{f}: {out}"
        );
    }
}

#[test]
fn errors_go_to_stderr_with_a_hint_and_a_nonzero_exit() {
    let cases = [
        (
            vec!["inspect", "tests/data/bad/ragged.csv"],
            "error: row 4 has 2 values; the header has 3",
        ),
        (
            vec!["inspect", "tests/data/bad/empty.csv"],
            "error: the file is empty",
        ),
        (
            vec!["inspect", "tests/data/bad/picture.png"],
            "error: this is not a text or spreadsheet file",
        ),
        (
            vec!["inspect", "tests/data/nope.csv"],
            "error: cannot read tests/data/nope.csv",
        ),
        (
            vec![
                "inspect",
                "tests/data/bad/mostly-numeric.csv",
                "--kind",
                "ki67=numeric",
            ],
            "error: column `ki67` has text `12,5%` in row 4; expected a number",
        ),
        (
            vec!["inspect", "tests/data/example-study.csv", "--ref", "ct=T9"],
            "error: column `ct` has no level `T9`",
        ),
        (
            vec!["inspect", "tests/data/example-study.csv", "--ref", "ct"],
            "error: --ref `ct`: expected VAR=LEVEL",
        ),
    ];
    for (args, message) in cases {
        let run = cohortlab(&args);
        assert_eq!(run.code, 1, "{args:?}");
        let (out, err) = (run.stdout, run.stderr);
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.starts_with(message), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let err = cohortlab(&["inspect", "tests/data/bad/ragged.csv"]).stderr;
    assert!(err.contains("\nhint: "), "{err}");
}

#[test]
fn table1_json_has_counts_tests_and_smd() {
    let v = cohortlab(&[
        "table1",
        "tests/data/example-study.csv",
        "--dataset-spec",
        "tests/data/example-study.dataset.json",
        "--group",
        "seed_marking",
        "--vars",
        "age,ki67,ct,histology",
        "--nonnormal",
        "ki67",
        "--json",
    ])
    .success()
    .json();
    let rows = v["variables"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let ct = &rows[2];
    assert_eq!(ct["variable"], "ct");
    assert_eq!(ct["levels"][0]["level"], "T1");
    assert_eq!(ct["levels"][0]["counts"], serde_json::json!([117, 48]));
    assert!(
        (ct["levels"][0]["percents"][1].as_f64().unwrap() - 100.0 * 48.0 / 216.0).abs() < 1e-12
    );
    assert_eq!(ct["test"], "pearson_chi_square");
    assert!(ct["p_value"].as_f64().unwrap() < 0.001);
    assert!(ct["smd"].as_f64().unwrap() > 0.3);
    assert_eq!(rows[3]["test"], "fisher_exact");
    assert_eq!(rows[1]["test"], "mann_whitney");
    assert_eq!(rows[0]["test"], "welch_t");
}

#[test]
fn logistic_json_terms_and_text_layout() {
    let args = [
        "logistic",
        "tests/data/example-study.csv",
        "--dataset-spec",
        "tests/data/example-study.dataset.json",
        "--outcome",
        "tpcr",
        "--vars",
        "ki67_group,subtype,ct,seed_marking",
        "--ordinal",
        "subtype",
        "--ordinal",
        "ct",
    ];
    let v = cohortlab(&[&args[..], &["--json"]].concat())
        .success()
        .json();
    let terms = v["terms"].as_array().unwrap();
    assert_eq!(terms.len(), 5);
    for t in terms {
        for field in [
            "term",
            "coef",
            "se",
            "odds_ratio",
            "ci_lower",
            "ci_upper",
            "p_value",
        ] {
            assert!(!t[field].is_null(), "{field} in {t}");
        }
    }
    assert_eq!(terms[4]["term"], "seed_marking: Yes");
    let out = cohortlab(&args).success().stdout;
    assert!(
        out.contains("Univariate OR (95% CI)  P value  Multivariable OR (95% CI)  P value"),
        "{out}"
    );
    assert!(out.contains("seed_marking (Yes vs No)"), "{out}");
    // A text outcome is refused in words.
    let err = cohortlab(&[
        "logistic",
        "tests/data/example-study.csv",
        "--outcome",
        "subtype",
        "--vars",
        "age",
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("the outcome `subtype` must be binary"),
        "{err}"
    );
}

#[test]
fn survival_and_cox_commands() {
    let v = cohortlab(&[
        "survival",
        "tests/data/lung.csv",
        "--time",
        "time",
        "--event",
        "status",
        "--group",
        "sex",
        "--kind",
        "sex=categorical",
        "--at",
        "365",
        "--rmst",
        "730",
        "--json",
    ])
    .success()
    .json();
    assert!((v["log_rank"]["chi_square"].as_f64().unwrap() - 10.3267).abs() < 1e-3);
    assert_eq!(v["groups"][0]["fit"]["median"]["median"], 270.0);
    assert_eq!(v["groups"][1]["fit"]["median"]["median"], 426.0);
    // R: summary(survfit(Surv(time, status) ~ sex, lung), rmean = 730)
    assert!((v["groups"][0]["rmst"].as_f64().unwrap() - 311.117765899007).abs() < 1e-6);
    let out = cohortlab(&[
        "cox",
        "tests/data/lung.csv",
        "--time",
        "time",
        "--event",
        "status",
        "--vars",
        "age,sex",
        "--categorical",
        "sex",
        "--ties",
        "breslow",
    ])
    .success()
    .stdout;
    assert!(
        out.contains("HR (95% CI)") && out.contains("sex: 2") && out.contains("Breslow ties"),
        "{out}"
    );
    let err = cohortlab(&[
        "survival",
        "tests/data/lung.csv",
        "--time",
        "sex",
        "--event",
        "age",
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("the event column `age` must be binary") && err.contains("hint:"),
        "{err}"
    );
}

#[test]
fn run_writes_the_whole_study() {
    let dir = scratch("run");
    let d = dir.to_str().unwrap();
    let out = cohortlab(&[
        "run",
        "tests/data/example-study.csv",
        "--spec",
        "tests/data/example-study.settings.json",
        "--out",
        d,
    ])
    .success()
    .stdout;
    assert!(out.contains("wrote"), "{out}");
    for f in [
        "report.html",
        "results.json",
        "settings.json",
        "matched.csv",
        "tables/table1.csv",
        "tables/outcomes.csv",
        "tables/subgroups.csv",
        "tables/cox.csv",
        "figures/kaplan_meier.svg",
        "figures/love_plot.svg",
        "figures/score_distributions.svg",
    ] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap_or_default();
        assert!(!text.is_empty(), "{f} missing or empty");
    }
    // results.json is what the library computes for the same settings.
    let written = json_file(dir.join("results.json"));
    let expected = common::json(&example_study().results_json());
    assert_eq!(written, expected);
    // 648 matched patients plus the header.
    let matched = std::fs::read_to_string(dir.join("matched.csv")).unwrap();
    assert_eq!(matched.lines().count(), 649);
    let _ = std::fs::remove_dir_all(&dir);

    // A settings file for other columns: a clear message, exit 1.
    let bad = dir.with_extension("json");
    std::fs::write(&bad, "{\"cohortlab_settings\": 1, \"outcomes\": [\"x\"], \"table1\": {\"group\": \"nope\", \"variables\": [\"age\"]}}").unwrap();
    let out = cohortlab(&[
        "run",
        "tests/data/example-study.csv",
        "--spec",
        bad.to_str().unwrap(),
        "--out",
        d,
    ])
    .success()
    .stdout;
    assert!(out.contains("Table 1 could not be made"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&bad);
}

/// Issue 13: events coded 0/1/2 with --event-level (others censored, with
/// a note), numeric group/strata/cluster columns, a level not in the column
/// listed, Cox's patients dropped, concordance SE and robust tests, and
/// landmark, horizon and rho values refused with the option named.
#[test]
fn survival_and_cox_on_numeric_codes() {
    let edge = "tests/data/survival_edge.csv";
    let out = cohortlab(&[
        "survival",
        edge,
        "--time",
        "time",
        "--event",
        "status012",
        "--event-level",
        "2",
        "--group",
        "grade",
        "--strata",
        "centre",
        "--ci",
        "log-log",
    ])
    .success()
    .stdout;
    assert!(out.contains("competing-risks"), "{out}");
    assert!(
        out.contains("Stratified") || out.contains("stratified"),
        "{out}"
    );
    let v = cohortlab(&[
        "survival",
        edge,
        "--time",
        "time",
        "--event",
        "status012",
        "--event-level",
        "1",
        "--group",
        "grp",
        "--json",
    ])
    .success()
    .json();
    assert_eq!(v["groups"][0]["group"], "1");
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 1);
    let v = cohortlab(&[
        "cox",
        edge,
        "--time",
        "time",
        "--event",
        "status012",
        "--event-level",
        "1",
        "--vars",
        "age,grp",
        "--cluster",
        "centre",
        "--strata",
        "grade",
        "--json",
    ])
    .success()
    .json();
    assert_eq!(v["dropped"], 7);
    assert!(v["concordance_se"].as_f64().unwrap() > 0.0);
    assert!(v["robust_score_p_value"].as_f64().is_some());
    assert!(v["robust_wald_p_value"].as_f64().is_some());
    let out = cohortlab(&[
        "cox",
        edge,
        "--time",
        "time",
        "--event",
        "status012",
        "--event-level",
        "1",
        "--vars",
        "age,grp",
        "--cluster",
        "centre",
    ])
    .success()
    .stdout;
    assert!(
        out.contains("left out") && out.contains("robust score test"),
        "{out}"
    );
    assert!(out.contains("(SE 0."), "{out}");
    let err = cohortlab(&[
        "survival",
        edge,
        "--time",
        "time",
        "--event",
        "status012",
        "--event-level",
        "7",
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("its levels are 0, 1, 2") && err.contains("hint:"),
        "{err}"
    );
    let err = cohortlab(&[
        "cox",
        edge,
        "--time",
        "time",
        "--event",
        "status012",
        "--vars",
        "age",
    ])
    .exit(1)
    .stderr;
    assert!(err.contains("--event-level"), "{err}");
    for (flag, value) in [
        ("--at", "NaN"),
        ("--at", "-1"),
        ("--rmst", "-1"),
        ("--rho", "NaN"),
    ] {
        let run = cohortlab(&[
            "survival", edge, "--time", "time_z", "--event", "event_z", flag, value,
        ]);
        assert_eq!(run.code, 1, "{flag} {value}");
        let err = run.stderr;
        assert!(err.starts_with(&format!("error: {flag} ")), "{err}");
        assert!(err.contains("hint:"), "{err}");
    }
}

/// A value not in an option's list is a usage error from clap (exit 2, as
/// for any malformed command line) that names the value and the accepted
/// ones; `--kind`'s kind (inside a pair) and `--caliper` (a number or
/// `none`) likewise name what is accepted.
#[test]
fn a_value_not_in_the_list_names_the_accepted_ones() {
    let e = "tests/data/example-study.csv";
    let tte = ["--time", "idfs_months", "--event", "idfs_event"];
    let cases: [(Vec<&str>, &str, &str); 7] = [
        (
            [&["survival", e][..], &tte, &["--ci", "loglog"]].concat(),
            "--ci",
            "[possible values: log, log-log, plain]",
        ),
        (
            [&["cox", e][..], &tte, &["--vars", "age", "--ties", "exact"]].concat(),
            "--ties",
            "[possible values: efron, breslow]",
        ),
        (
            vec![
                "table1",
                e,
                "--group",
                "seed_marking",
                "--vars",
                "age",
                "--categorical-test",
                "chi2",
            ],
            "--categorical-test",
            "[possible values: auto, pearson, yates, fisher, lr]",
        ),
        (
            vec![
                "table1",
                e,
                "--group",
                "seed_marking",
                "--vars",
                "age",
                "--continuous-test",
                "t",
            ],
            "--continuous-test",
            "[possible values: welch, student]",
        ),
        (
            vec![
                "match",
                e,
                "--treatment",
                "seed_marking",
                "--covariates",
                "age",
                "--caliper-scale",
                "log",
            ],
            "--caliper-scale",
            "[possible values: logit, probability]",
        ),
        (
            vec![
                "match",
                e,
                "--treatment",
                "seed_marking",
                "--covariates",
                "age",
                "--order",
                "oldest",
            ],
            "--order",
            "[possible values: largest, smallest, random, data]",
        ),
        (
            vec![
                "match",
                e,
                "--treatment",
                "seed_marking",
                "--covariates",
                "age",
                "--caliper",
                "wide",
            ],
            "--caliper",
            "a number or `none`",
        ),
    ];
    for (args, flag, accepted) in cases {
        let (code, out, err) = cohortlab(&args).parts();
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        let bad = args.last().unwrap();
        assert!(
            err.starts_with(&format!("error: invalid value '{bad}' for '{flag} ")),
            "{args:?}: {err}"
        );
        assert!(err.contains(accepted), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (code, out, err) = cohortlab(&["inspect", e, "--kind", "ki67=number"]).parts();
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.starts_with(
            "error: --kind `ki67=number`: the kind must be numeric, binary, categorical or text"
        ),
        "{err}"
    );
}

/// Every list option's accepted values are listed by `--help`, and the
/// accepted spellings (`log-log`, `lr`, `random` with `--seed`) work.
#[test]
fn help_lists_the_values_and_every_spelling_works() {
    for (command, values) in [
        ("survival", "log-log"),
        ("cox", "breslow"),
        ("table1", "- lr:"),
        ("table1", "- student:"),
        ("match", "[possible values: logit, probability]"),
        (
            "match",
            "[possible values: largest, smallest, random, data]",
        ),
    ] {
        let (code, out, err) = cohortlab(&[command, "--help"]).parts();
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(values), "{command}: {out}");
    }
    let e = "tests/data/example-study.csv";
    let (code, out, err) = cohortlab(&[
        "survival",
        e,
        "--time",
        "idfs_months",
        "--event",
        "idfs_event",
        "--ci",
        "log-log",
        "--json",
    ])
    .parts();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"log_log\""), "{out}");
    let (code, out, err) = cohortlab(&[
        "match",
        e,
        "--treatment",
        "seed_marking",
        "--covariates",
        "age",
        "--order",
        "random",
        "--seed",
        "7",
        "--json",
    ])
    .parts();
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["spec"]["order"],
        serde_json::json!({"type": "random", "seed": 7})
    );
    let (code, _, err) = cohortlab(&[
        "table1",
        e,
        "--group",
        "seed_marking",
        "--vars",
        "ct",
        "--categorical-test",
        "lr",
    ])
    .parts();
    assert_eq!(code, 0, "{err}");
}
