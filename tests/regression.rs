//! One test per bug fixed (as ripgrep's `tests/regression.rs`): each builds
//! data of the shape that showed the bug and fails without its fix. The
//! issue and item are named on each test.

use std::process::Command;

use cohortlab::engine::data::{load, DatasetSpec, ReadOptions};
use cohortlab::engine::matching::{match_patients, Caliper, MatchSpec};

fn cohortlab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cohortlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the cohortlab binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).expect("one JSON document")
}

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
    let ds = load(
        csv.as_bytes(),
        &ReadOptions::default(),
        &DatasetSpec::default(),
    )
    .unwrap()
    .1;
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
    let count = |out: &str| json(out)["counts"]["all"]["treated"].as_u64();
    let (code, out, err) = run("1");
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&out), Some(100));
    let (code, out, err) = run("2");
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&out), Some(60));
    let (code, _, err) = run("7");
    assert_eq!(code, 1);
    assert!(
        err.contains("no level `7`") && err.contains("1, 2"),
        "the error lists the levels present: {err}"
    );
}

/// Issue 13, item 6: `--ref` on a numeric column was ignored; it now reads
/// the column as levels with that reference.
#[test]
fn reference_level_is_honoured_on_numeric_codes() {
    let (code, out, err) = cohortlab(&[
        "logistic",
        CODES,
        "--outcome",
        "response",
        "--vars",
        "grade,age",
        "--ref",
        "grade=2",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
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
    let (code, _, err) = cohortlab(&["inspect", CODES, "--ref", "grade=9"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no level `9`") && err.contains("`1`, `2`, `3`"),
        "{err}"
    );
}

/// Issue 13, item 8: a numeric 1/2 group was refused by Table 1, and grade
/// 1/2/3 was summarised as mean (SD) by Welch's t.
#[test]
fn table1_groups_by_numeric_codes_and_shows_grade_as_counts() {
    let (code, out, err) = cohortlab(&[
        "table1",
        CODES,
        "--group",
        "treat",
        "--vars",
        "grade,age",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
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
    let (code, out, err) = cohortlab(&[
        "table1",
        CODES,
        "--group",
        "treat",
        "--vars",
        "grade",
        "--continuous",
        "grade",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["variables"][0]["summary"], "mean_sd");
}

/// Issue 13, item 8: exact matching on a numeric centre code was refused
/// ("needs a binary or categorical column"); every matched set now lies
/// within one centre.
#[test]
fn exact_matching_on_a_numeric_centre_code() {
    let ds = load(
        &std::fs::read(CODES).unwrap(),
        &ReadOptions::default(),
        &DatasetSpec::default(),
    )
    .unwrap()
    .1;
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

/// Issue 14: a second coding of the groups in Table 1 (100% vs 0%) had
/// SMD 0.000; it is infinite, with a note, and printed as ∞.
#[test]
fn table1_smd_of_a_second_coding_of_the_groups_is_infinite() {
    let dir = std::env::temp_dir().join(format!("cohortlab-regression-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("dup.csv");
    let mut csv = String::from("group,treat,age\n");
    for i in 0..40 {
        let (g, t) = if i % 3 == 0 { ("B", 1) } else { ("A", 0) };
        csv.push_str(&format!("{g},{t},{}\n", 40 + i));
    }
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();
    let args = ["table1", file, "--group", "group", "--vars", "treat,age"];
    let (code, out, err) = cohortlab(&[&args[..], &["--json"]].concat());
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
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
    let (code, out, err) = cohortlab(&args);
    assert_eq!(code, 0, "{err}");
    let line = out.lines().find(|l| l.starts_with("treat")).unwrap();
    assert!(line.trim_end().ends_with('∞'), "{line}");
}
