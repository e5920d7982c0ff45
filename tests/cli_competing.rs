//! `cohortlab cif` and `cohortlab survival --rmst`, run as a user would:
//! the tables printed, the JSON document checked against the R fixtures
//! (tests/reference/competing.json, rmst.json), and the errors (a level
//! not in the column, a level named twice, a horizon past the follow-up)
//! said with a hint and exit 1, as every data error of the CLI; usage
//! errors (a missing option, a horizon that is not a number) exit 2 from
//! clap.

mod common;

use common::{close, cohortlab, floats_na, named, reference, Tol};
use serde_json::Value;

const MGUS2: [&str; 11] = [
    "cif",
    "tests/data/mgus2.csv",
    "--time",
    "etime",
    "--event",
    "event",
    "--event-level",
    "1",
    "--competing-level",
    "2",
    "--group",
];

fn mgus2(extra: &[&str]) -> common::Output {
    let mut args: Vec<&str> = MGUS2.to_vec();
    args.push("sex");
    args.extend(extra);
    cohortlab(&args)
}

#[test]
fn cif_prints_each_cause_with_grays_test_and_the_risk_table() {
    let out = mgus2(&["--at", "60,120,500"]).success().stdout;
    for want in [
        "Cumulative incidence of event = 1 (the event of interest)",
        "Cumulative incidence of event = 2 (a competing event)",
        "Gray's test: chi-square 1.19 on 1 df, P 0.274.",
        "Gray's test: chi-square 11.65 on 1 df, P < 0.001.",
        "infinitesimal jackknife variance (R's survfit) on the log scale",
        "Number at risk",
        "past follow-up",
    ] {
        assert!(out.contains(want), "{want}:\n{out}");
    }
    // F at 60 months: 4.0% (2.7–5.8) of progression; 431 at risk.
    assert!(out.contains("4.0% (2.7–5.8)"), "{out}");
    let risk = out.split("Number at risk").nth(1).unwrap();
    assert!(
        risk.lines()
            .any(|l| l.starts_with('F') && l.contains("431")),
        "{risk}"
    );
}

/// The landmark values in the JSON document are R's, with either variance.
#[test]
fn cif_json_is_rs_numbers() {
    let f = reference("competing");
    let c = named(&f["cases"], "mgus2_sex");
    for (variance, transform, fields) in [
        ("survfit", "log", ["cif", "se_survfit", "lower", "upper"]),
        (
            "cuminc",
            "log_log",
            ["cif_cuminc", "var_cuminc", "lower_loglog", "upper_loglog"],
        ),
    ] {
        let v = mgus2(&["--at", "12,60,120", "--variance", variance, "--json"])
            .success()
            .json();
        assert_eq!(v["variance"], variance);
        assert_eq!(v["transform"], transform);
        assert_eq!(v["n"], 1384);
        assert_eq!(v["causes"], serde_json::json!(["1", "2"]));
        let r = &c["groups"][0]["landmarks"];
        let times = floats_na(&r["times"]);
        let ours = &v["landmarks"][0];
        assert_eq!(ours["group"], "F");
        for k in 0..2 {
            for p in ours["causes"][k]["points"].as_array().unwrap() {
                let t = p["time"].as_f64().unwrap();
                let i = times.iter().position(|&x| x == t).unwrap();
                let se = p["std_err"].as_f64().unwrap();
                let got = [
                    p["cif"].as_f64().unwrap(),
                    if variance == "cuminc" { se * se } else { se },
                    p["lower"].as_f64().unwrap(),
                    p["upper"].as_f64().unwrap(),
                ];
                for (a, field) in got.into_iter().zip(fields) {
                    let e = floats_na(&r["causes"][k][field])[i];
                    close(
                        a,
                        e,
                        Tol::REFERENCE,
                        &format!("{variance} cause {k} at {t} {field}"),
                    );
                }
                assert_eq!(
                    p["n_risk"].as_f64(),
                    floats_na(&r["n_risk"]).get(i).copied()
                );
            }
        }
        let gray: &Value = &v["gray"][1];
        close(
            gray["statistic"].as_f64().unwrap(),
            c["gray"][1]["stat"].as_f64().unwrap(),
            Tol::REFERENCE,
            "Gray's statistic",
        );
    }
}

#[test]
fn cif_errors_name_the_column_and_its_levels() {
    let mut args = MGUS2.to_vec();
    args[7] = "3";
    args.pop();
    let err = cohortlab(&args).exit(1).stderr;
    assert!(
        err.contains("the column `event` has no level `3`; its levels are 0, 1, 2")
            && err.contains("hint: use one of: 0, 1, 2"),
        "{err}"
    );
    let mut args = MGUS2.to_vec();
    args[5] = "eventc";
    args[7] = "death";
    args[9] = "progression,death";
    args.pop();
    let err = cohortlab(&args).exit(1).stderr;
    assert!(
        err.contains(
            "the level `death` of `eventc` is named twice (as the event and as a competing event)"
        ) && err.contains("hint:"),
        "{err}"
    );
    // Text levels are levels too.
    args[9] = "progression";
    let v = cohortlab(&[&args[..], &["--json"]].concat())
        .success()
        .json();
    assert_eq!(v["causes"], serde_json::json!(["death", "progression"]));
    assert_eq!(v["censored_levels"], serde_json::json!(["censored"]));
    // A missing option is clap's usage error.
    let code = cohortlab(&MGUS2[..8]).code;
    assert_eq!(code, 2);
    let err = mgus2(&["--at", "-1"]).exit(1).stderr;
    assert!(err.contains("a landmark time cannot be -1"), "{err}");
}

fn lung_rmst(tau: &str, json: bool) -> common::Output {
    let mut args = vec![
        "survival",
        "tests/data/lung.csv",
        "--time",
        "time",
        "--event",
        "status",
        "--group",
        "sex",
        "--rmst",
        tau,
    ];
    if json {
        args.push("--json");
    }
    cohortlab(&args)
}

#[test]
fn survival_rmst_prints_and_compares_the_groups() {
    let out = lung_rmst("730", false).success().stdout;
    for want in [
        "Restricted mean survival time",
        "311.12 (273.29–348.95)",
        "123.59 (58.14 to 189.03)",
        "1.397 (1.175–1.661)",
        "tau = 730.00 (chosen)",
        "Restricted mean to 730",
    ] {
        assert!(out.contains(want), "{want}:\n{out}");
    }
    let f = reference("rmst");
    let c = named(&f["cases"], "lung_sex_default");
    let v = lung_rmst("auto", true).success().json();
    let r = &v["rmst_comparison"];
    assert_eq!(r["tau"], 965.0);
    assert_eq!(v["rmst_tau"], 965.0);
    assert_eq!(r["rule"], "last_censored");
    for field in [
        "difference",
        "difference_se",
        "difference_p",
        "ratio",
        "ratio_p",
    ] {
        close(
            r["contrasts"][0][field].as_f64().unwrap(),
            c["contrasts"][0][field].as_f64().unwrap(),
            Tol::REFERENCE,
            field,
        );
    }
    close(
        v["groups"][0]["rmst"].as_f64().unwrap(),
        c["groups"][0]["rmst"].as_f64().unwrap(),
        Tol::REFERENCE,
        "the survival table's restricted mean",
    );
    let err = lung_rmst("2000", false).exit(1).stderr;
    assert!(
        err.contains("is past 965, the end of group 2's follow-up") && err.contains("--rmst auto"),
        "{err}"
    );
    assert_eq!(lung_rmst("soon", false).code, 2);
    assert_eq!(lung_rmst("-1", false).code, 1);
}
