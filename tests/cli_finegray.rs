//! `cohortlab finegray`, run as a user would: the table of the Fine-Gray
//! SHRs beside the cause-specific HRs, the JSON document checked against
//! the R fixture (tests/reference/finegray.json: cmprsk::crr and coxph),
//! `--categorical` on a numeric column, `--cluster` (against
//! tests/reference/finegray_cluster.json), and the errors (a level not in the
//! column, an unknown covariate) said with a hint and exit 1; a missing
//! option exits 2 from clap.

mod common;

use common::{close, cohortlab, floats_na, named, reference, Tol};
use serde_json::Value;

const MGUS2: [&str; 12] = [
    "finegray",
    "tests/data/mgus2_hgb.csv",
    "--time",
    "etime",
    "--event",
    "event",
    "--event-level",
    "1",
    "--competing-level",
    "2",
    "--vars",
    "age,sex,hgb",
];

fn mgus2(extra: &[&str]) -> common::Output {
    let mut args: Vec<&str> = MGUS2.to_vec();
    args.extend(extra);
    cohortlab(&args)
}

#[test]
fn finegray_prints_shr_beside_the_cause_specific_hrs() {
    let out = mgus2(&[]).success().stdout;
    for want in [
        "Competing risks regression of event = 1",
        "SHR event = 1 (95% CI)",
        "Cause-specific HR event = 1 (95% CI)",
        "Cause-specific HR event = 2 (95% CI)",
        "robust (sandwich) SE",
        "Patients: 1371; events event = 1: 114, event = 2: 855; censored 402.",
        "note: 13 row(s) with a missing value were left out",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // crr's SHR of age and its CI, and coxph's HR of hgb for death, to
    // two decimals.
    let r = named(&reference("finegray")["cases"], "mgus2");
    let age = out.lines().find(|l| l.starts_with("age")).unwrap();
    let fg = &r["finegray"];
    let shr = format!(
        "{:.2} ({:.2}–{:.2})",
        fg["shr"][0].as_f64().unwrap(),
        fg["lower"][0].as_f64().unwrap(),
        fg["upper"][0].as_f64().unwrap()
    );
    assert!(age.contains(&shr), "{shr} not in {age}");
    let hgb = out.lines().find(|l| l.starts_with("hgb")).unwrap();
    let death = format!("{:.2}", r["cox"][1]["hr"][2].as_f64().unwrap());
    assert!(hgb.contains(&death), "{death} not in {hgb}");
}

#[test]
fn finegray_json_matches_r() {
    let doc = mgus2(&["--json"]).success().json();
    let r = named(&reference("finegray")["cases"], "mgus2");
    let fg = &doc["fine_gray"];
    assert_eq!(fg["n"], r["n"]);
    assert_eq!(fg["events"], r["finegray"]["events"]);
    for (j, t) in fg["terms"].as_array().unwrap().iter().enumerate() {
        for (k, rk) in [("coef", "coef"), ("se", "se"), ("shr", "shr")] {
            close(
                t[k].as_f64().unwrap(),
                floats_na(&r["finegray"][rk])[j],
                Tol::REFERENCE,
                &format!("fine-gray {k} {j}"),
            );
        }
    }
    let cs: &Vec<Value> = doc["cause_specific"].as_array().unwrap();
    assert_eq!(cs.len(), 2);
    for (c, rc) in cs.iter().zip(r["cox"].as_array().unwrap()) {
        assert_eq!(c["cause"], rc["cause"]);
        for (j, t) in c["fit"]["terms"].as_array().unwrap().iter().enumerate() {
            close(
                t["coef"].as_f64().unwrap(),
                floats_na(&rc["coef"])[j],
                Tol::relative(1e-8),
                "cause-specific coef",
            );
            close(
                t["se"].as_f64().unwrap(),
                floats_na(&rc["se"])[j],
                Tol::REFERENCE,
                "cause-specific se",
            );
        }
    }
    assert_eq!(doc["spec"]["event_level"], "1");
    assert_eq!(doc["covariates"]["variables"][2], "hgb");
}

#[test]
fn categorical_numeric_column_gets_dummies() {
    let out = cohortlab(&[
        "finegray",
        "tests/data/finegray_ties.csv",
        "--time",
        "time",
        "--event",
        "status",
        "--event-level",
        "1",
        "--competing-level",
        "2",
        "--vars",
        "x,g",
        "--json",
    ])
    .success()
    .json();
    let r = named(&reference("finegray")["cases"], "ties");
    let terms: Vec<&str> = out["fine_gray"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    assert_eq!(terms, ["x", "g: b", "g: c"]);
    close(
        out["fine_gray"]["terms"][2]["coef"].as_f64().unwrap(),
        floats_na(&r["finegray"]["coef"])[2],
        Tol::REFERENCE,
        "ties g: c",
    );
    // The status 9 (named neither event nor competing) is censored.
    assert_eq!(out["fine_gray"]["censored"], r["finegray"]["censored"]);
    let text = cohortlab(&[
        "finegray",
        "tests/data/lung_competing.csv",
        "--time",
        "time",
        "--event",
        "status012",
        "--event-level",
        "1",
        "--competing-level",
        "2",
        "--vars",
        "age,ph.ecog",
        "--categorical",
        "ph.ecog",
    ])
    .success()
    .stdout;
    assert!(text.contains("ph.ecog: 2"), "{text}");
    // One patient has ph.ecog 3: separation, said.
    assert!(text.contains("ph.ecog: 3 may be infinite"), "{text}");
}

#[test]
fn bad_levels_and_columns_are_errors_with_hints() {
    let mut args = MGUS2.to_vec();
    args[7] = "3";
    let err = cohortlab(&args).exit(1).stderr;
    assert!(err.contains("no level `3`"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let mut args = MGUS2.to_vec();
    args[9] = "1";
    let err = cohortlab(&args).exit(1).stderr;
    assert!(err.contains("named twice"), "{err}");
    let mut args = MGUS2.to_vec();
    args[11] = "age,nope";
    let err = cohortlab(&args).exit(1).stderr;
    assert!(err.contains("nope") && err.contains("hint:"), "{err}");
    // No --competing-level: a usage error.
    assert_eq!(cohortlab(&MGUS2[..8]).code, 2);
}

const PAIRS: [&str; 14] = [
    "finegray",
    "tests/data/finegray_pairs.csv",
    "--time",
    "time",
    "--event",
    "status",
    "--event-level",
    "1",
    "--competing-level",
    "2",
    "--vars",
    "x,g",
    "--cluster",
    "pair",
];

/// `--cluster`: the SEs clustered by pair (the fixture of
/// finegray_cluster.R), said in the table and in the JSON document; the
/// rows without a pair left out and counted; a cluster that is a
/// covariate refused by name.
#[test]
fn cluster_clusters_the_ses_and_says_so() {
    let r = named(&reference("finegray_cluster")["cases"], "pairs");
    let doc = cohortlab(&[&PAIRS[..], &["--json"]].concat())
        .success()
        .json();
    let fg = &doc["fine_gray"];
    assert_eq!(
        fg["variance"],
        serde_json::json!({"kind": "clustered", "column": "pair", "clusters": 40})
    );
    assert_eq!(fg["dropped"], 3);
    assert_eq!(doc["covariates"]["cluster"], "pair");
    for (j, t) in fg["terms"].as_array().unwrap().iter().enumerate() {
        close(
            t["se"].as_f64().unwrap(),
            floats_na(&r["finegray"]["se"])[j],
            Tol::REFERENCE,
            &format!("clustered se {j}"),
        );
    }
    let rob = &doc["cause_specific"][0]["fit"]["terms"][0]["robust"]["se"];
    close(
        rob.as_f64().unwrap(),
        floats_na(&r["cox"][0]["robust_se"])[0],
        Tol::REFERENCE,
        "cause-specific robust se",
    );
    let out = cohortlab(&PAIRS).success().stdout;
    for want in [
        "robust SE clustered by pair (40 clusters)",
        "SEs as crrSC::crrc",
        "(Surv(time, status == cause) ~ ...); robust SE clustered by pair, as coxph(cluster = )",
        "note: 3 row(s) with a missing value (including the cluster) were left out",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // The cause-specific HR of x with its robust CI, to two decimals.
    let cox = &r["cox"][0];
    let hr = format!(
        "{:.2} ({:.2}–{:.2})",
        cox["hr"][0].as_f64().unwrap(),
        cox["lower"][0].as_f64().unwrap(),
        cox["upper"][0].as_f64().unwrap()
    );
    let x = out.lines().find(|l| l.starts_with("x ")).unwrap();
    assert!(x.contains(&hr), "{hr} not in {x}");
    let mut args = PAIRS.to_vec();
    args[13] = "x";
    let err = cohortlab(&args).exit(1).stderr;
    assert!(err.contains("`x`") && err.contains("the cluster"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}
