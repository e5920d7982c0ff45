//! The bad-input corpus (tests/data/bad, made by make_corpus.py): every
//! file through `cohortlab inspect`, with the exit code and the message
//! that tests/data/bad/expected.json gives it, and never a panic. Plus the
//! inputs too big to commit (200,000 columns), generated here, and the
//! other options and outputs that crashed, hung or escaped: `cohortlab run`
//! on columns named like paths, `--percent-decimals 100000`, a settings
//! file with `conf_level` 1.5, and formula cells in the CSV outputs.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{cohortlab, json_file, path, scratch};

fn bad_dir() -> PathBuf {
    path("tests/data/bad")
}

#[test]
fn every_file_of_the_corpus_gives_its_expected_exit_and_message() {
    let entries: Vec<serde_json::Value> =
        serde_json::from_value(json_file(bad_dir().join("expected.json"))).unwrap();
    assert!(entries.len() >= 50, "{} entries", entries.len());
    let mut listed = std::collections::HashSet::new();
    for e in &entries {
        let file = e["file"].as_str().unwrap();
        listed.insert(file.to_owned());
        let path = bad_dir().join(file);
        let run = cohortlab(&["inspect", path.to_str().unwrap()]);
        let (code, out, err) = (run.code, run.stdout, run.stderr);
        assert!(!err.contains("panicked"), "{file}: {err}");
        let exit = e["exit"].as_i64().unwrap() as i32;
        assert_eq!(code, exit, "{file}: {err}");
        let message = e["message"].as_str().unwrap();
        let shown = if exit == 0 { &out } else { &err };
        assert!(
            shown.contains(message),
            "{file}: expected `{message}` in\n{shown}"
        );
        if exit != 0 {
            assert!(err.contains("hint: "), "{file}: no hint in {err}");
        }
    }
    for f in std::fs::read_dir(bad_dir()).unwrap() {
        let name = f.unwrap().file_name().to_string_lossy().into_owned();
        if name != "expected.json" && name != "make_corpus.py" {
            assert!(listed.contains(&name), "{name} is not in expected.json");
        }
    }
}

/// The duplicate-header check compared every name with every earlier one:
/// 200,000 columns took minutes. Now one pass.
#[test]
fn two_hundred_thousand_columns_are_read_quickly() {
    use cohortlab::engine::data::{read, ReadOptions};
    let n = 200_000;
    let header: Vec<String> = (0..n).map(|j| format!("c{j}")).collect();
    let mut text = header.join(",");
    text.push('\n');
    text.push_str(&vec!["1"; n].join(","));
    text.push('\n');
    let start = Instant::now();
    let raw = read(text.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(raw.headers.len(), n);
    // A duplicate at the very end is found, and named.
    let dup = text.replacen(&format!("c{}\n", n - 1), "c7\n", 1);
    let err = read(dup.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the header `c7` appears twice: columns H and KIVH"
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

/// Columns named like paths: every file `cohortlab run` writes stays
/// inside --out, with a readable name.
#[test]
fn run_writes_only_inside_out_whatever_the_column_names() {
    let dir = scratch("bad-escape");
    let long = "L".repeat(300);
    let names = [
        "x/../../../ESCAPED".to_string(),
        "..\\..\\WIN".to_string(),
        "a\u{1}b/..".to_string(),
        long.clone(),
    ];
    let mut csv = format!("id,group,time,event,sub,{}\n", names.join(","));
    for i in 0..60 {
        csv.push_str(&format!(
            "{i},{},{},{},{},{},{},{},{}\n",
            ["A", "B"][i % 2],
            5 + (i * 7) % 40,
            (i / 3) % 2,
            ["s1", "s2"][(i / 2) % 2],
            (i * 5 / 3) % 2,
            (i / 4) % 2,
            (i * 3 / 7) % 2,
            (i / 5) % 2
        ));
    }
    let data = dir.join("data.csv");
    std::fs::write(&data, csv).unwrap();
    let outcomes: Vec<String> = names
        .iter()
        .map(|n| serde_json::to_string(n).unwrap())
        .collect();
    let settings = format!(
        r#"{{"cohortlab_settings": 1,
            "table1": {{"group": "group", "variables": [{outs}]}},
            "outcomes": [{outs}],
            "subgroup": "sub",
            "survival": {{"spec": {{"time": "time", "event": "event", "groups": ["group"]}},
                          "cohort": "all", "cross": {first}, "at": [10]}}}}"#,
        outs = outcomes.join(","),
        first = outcomes[0]
    );
    let spec = dir.join("settings.json");
    std::fs::write(&spec, settings).unwrap();
    let out = dir.join("nested/out");
    cohortlab(&[
        "run",
        data.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .success();
    // Nothing beside data.csv, settings.json and the out folder.
    let mut top: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["data.csv", "nested", "settings.json"]);
    let nested: Vec<_> = std::fs::read_dir(dir.join("nested")).unwrap().collect();
    assert_eq!(nested.len(), 1);
    let mut files = Vec::new();
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    let stems: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for s in &stems {
        assert!(
            s.len() <= 90
                && !s.starts_with('.')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "{s}"
        );
    }
    // The data-named files are there, readable.
    assert!(
        stems.iter().any(|s| s == "forest_x_ESCAPED.svg"),
        "{stems:?}"
    );
    assert!(
        stems.iter().any(|s| s == "survival_by_x_ESCAPED.csv"),
        "{stems:?}"
    );
    assert!(stems.iter().any(|s| s == "rates_WIN.svg"), "{stems:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn out_of_range_options_and_settings_are_refused_in_words() {
    let example = path("tests/data/example-study.csv");
    let example = example.to_str().unwrap();
    let err = cohortlab(&[
        "table1",
        example,
        "--group",
        "seed_marking",
        "--vars",
        "age",
        "--percent-decimals",
        "100000",
    ])
    .exit(2)
    .stderr;
    assert!(err.contains("100000 is not in 0..=6"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let dir = scratch("bad-settings");
    let mut settings = json_file(path("tests/data/example-study.settings.json"));
    settings["regression"]["spec"]["conf_level"] = serde_json::json!(1.5);
    let spec = dir.join("settings.json");
    std::fs::write(&spec, settings.to_string()).unwrap();
    let err = cohortlab(&[
        "run",
        example,
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("regression.spec.conf_level must be between 0 and 1 (e.g. 0.95); it is 1.5"),
        "{err}"
    );
    let err = cohortlab(&[
        "logistic",
        example,
        "--outcome",
        "tpcr",
        "--vars",
        "age",
        "--select-p",
        "NaN",
    ])
    .exit(1)
    .stderr;
    assert!(
        err.contains("--select-p must be above 0 and at most 1"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Cells that Excel would run (`=1+2`, `@SUM(..)`, `+cmd`, `-2+3`) get a
/// leading `'` in every CSV written; numbers such as -1.5 and +2 do not.
#[test]
fn formula_cells_are_neutralised_in_csv_outputs() {
    let dir = scratch("bad-formula");
    let mut csv = String::from("id,treat,x,note\n");
    let notes = ["=1+2", "@SUM(A1)", "+cmd", "-2+3", "-1.5", "+2"];
    for i in 0..40 {
        csv.push_str(&format!(
            "{i},{},{},{}\n",
            i % 2,
            (i * 37 % 23) as f64 / 3.0,
            notes[i % notes.len()]
        ));
    }
    let data = dir.join("data.csv");
    std::fs::write(&data, csv).unwrap();
    let matched = dir.join("matched.csv");
    cohortlab(&[
        "match",
        data.to_str().unwrap(),
        "--treatment",
        "treat",
        "--covariates",
        "x",
        "--caliper",
        "none",
        "--out",
        matched.to_str().unwrap(),
    ])
    .success();
    let text = std::fs::read_to_string(&matched).unwrap();
    for f in ["=1+2", "@SUM(A1)", "+cmd", "-2+3"] {
        assert!(text.contains(&format!(",'{f},")), "{f} in\n{text}");
        assert!(!text.contains(&format!(",{f},")), "{f} in\n{text}");
    }
    assert!(text.contains(",-1.5,") && text.contains(",+2,"), "{text}");
    let table = dir.join("table1.csv");
    cohortlab(&[
        "table1",
        data.to_str().unwrap(),
        "--group",
        "treat",
        "--vars",
        "note",
        "--csv",
        table.to_str().unwrap(),
    ])
    .success();
    let text = std::fs::read_to_string(&table).unwrap();
    assert!(
        text.contains("\n'  =1+2,") && text.contains("\n'  @SUM(A1),"),
        "{text}"
    );
    assert!(
        text.contains("\n  -1.5,") && text.contains("\n  +2,"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Values near 1e308: Table 1's mean and SD were blank (the sum
/// overflowed), with no note.
#[test]
fn huge_values_get_a_mean_and_sd() {
    let file = bad_dir().join("values-near-1e308.csv");
    let v = cohortlab(&[
        "table1",
        file.to_str().unwrap(),
        "--group",
        "group",
        "--vars",
        "x",
        "--json",
    ])
    .success()
    .json();
    let stats = &v["variables"][0]["overall_stats"];
    let mean = stats["mean"].as_f64().unwrap();
    let sd = stats["sd"].as_f64().unwrap();
    // mean(c(1, 1.5, 1.2, 1.7, 1.1, 1.3)) = 1.3, sd = 0.2607681
    assert!((mean / 1.3e308 - 1.0).abs() < 1e-12, "{mean}");
    assert!((sd / 2.607680962081059e307 - 1.0).abs() < 1e-9, "{sd}");
}
