//! What the integration tests share (`mod common;` in each): one
//! comparison of numbers with named tolerances, the R fixtures of
//! tests/reference, the files of tests/data and the example study, and a
//! runner of the `cohortlab` binary.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use cohortlab::engine::data::{load, read, Dataset, DatasetSpec, RawTable, ReadOptions};
use cohortlab::engine::example::{example_spec, EXAMPLE_CSV};
use cohortlab::report::study::{run_study, StudyOutputs, StudySettings};
use serde::de::DeserializeOwned;
use serde_json::Value;

// ---------------------------------------------------------------------
// Numbers

/// A tolerance, for [`close`]. The rule, the same for every tolerance:
/// `actual` is close to `expected` when
///
/// ```text
/// |actual - expected| <= rel * max(|expected|, floor)
/// ```
///
/// that is, relative, and absolute (`rel * floor`) for expected values
/// below `floor`. The named tolerances have no floor (`floor` = 0), so an
/// expected 0 must be met exactly; a test whose expected value can be 0
/// up to rounding names its floor ([`Tol::near_zero`]). NaN (R's NA, read
/// by [`floats_na`]) is close only to NaN.
///
/// Before the tests shared this, their copies had floors of their own
/// (1e-300, 1e-12, 1e-8, 1e-3, or 1: absolute below 1, relative above);
/// the rule above, with no floor or the test's old one, is at least as
/// strict as each of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tol {
    /// The relative tolerance.
    pub rel: f64,
    /// Below this size of the expected value, the tolerance is absolute.
    pub floor: f64,
}

impl Tol {
    /// The same double: values read from the data (times, medians).
    pub const IDENTICAL: Tol = Tol::relative(0.0);
    /// Exact up to the last bits: counts turned into percentages, means,
    /// SDs, quantiles, rank sums, degrees of freedom.
    pub const EXACT: Tol = Tol::relative(1e-12);
    /// R's formula evaluated in another order or over many terms:
    /// Kaplan-Meier and Greenwood, test statistics, deviances and
    /// log-likelihoods at the same optimum, concordance, SMD.
    pub const SAME_FORMULA: Tol = Tol::relative(1e-9);
    /// The agreement with R that STATISTICS.md asks of estimates, SEs,
    /// CIs and P values.
    pub const REFERENCE: Tol = Tol::relative(1e-6);
    /// Values published to 7 or 8 significant digits (logistf on sex2).
    pub const PUBLISHED: Tol = Tol::relative(1e-5);
    /// Wald P values far in the tail: a relative 1e-6 in z moves a P of
    /// 1e-10 by about z² × 1e-6 = 5e-5 relative.
    pub const WALD_P: Tol = Tol::relative(1e-4);

    /// A relative tolerance, with no floor.
    pub const fn relative(rel: f64) -> Tol {
        Tol { rel, floor: 0.0 }
    }

    /// The same tolerance, absolute (`rel * floor`) for expected values
    /// below `floor`: for quantities that R gives as 0 where we have a
    /// rounding error (a covariate's SMD after matching balanced it).
    pub const fn near_zero(self, floor: f64) -> Tol {
        Tol { floor, ..self }
    }
}

/// Asserts that `actual` is close to `expected` by the rule of [`Tol`];
/// the failure names `what`, both values and their difference.
#[track_caller]
pub fn close(actual: f64, expected: f64, tol: Tol, what: &str) {
    if actual.is_nan() || expected.is_nan() {
        assert!(
            actual.is_nan() && expected.is_nan(),
            "{what}: got {actual}, expected {expected}"
        );
        return;
    }
    let diff = (actual - expected).abs();
    let allowed = tol.rel * expected.abs().max(tol.floor);
    assert!(
        diff <= allowed,
        "{what}: got {actual}, expected {expected}: difference {diff:e} > {allowed:e} \
         ({:e} relative{})",
        tol.rel,
        if tol.floor > 0.0 {
            format!(", absolute below {:e}", tol.floor)
        } else {
            String::new()
        }
    );
}

// ---------------------------------------------------------------------
// Files

/// A path under the crate's root (`tests/data/x.csv`).
pub fn path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A JSON text as one document.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{text}"))
}

/// A JSON file as one document.
pub fn json_file(file: impl AsRef<Path>) -> Value {
    let file = file.as_ref();
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    json(&text)
}

/// A fresh, empty folder in the temporary folder, named after the test
/// and this process.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cohortlab-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------
// R's fixtures (tests/reference/NAME.json, made by NAME.R)

/// The fixture `tests/reference/{name}.json`.
pub fn reference(name: &str) -> Value {
    json_file(path(&format!("tests/reference/{name}.json")))
}

/// The fixture `tests/reference/{name}.json`, typed.
pub fn reference_as<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(reference(name)).unwrap()
}

/// The case of a fixture's list whose `name` is `name`.
pub fn named(list: &Value, name: &str) -> Value {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

/// Numbers (R writes a vector of length one as a number).
pub fn floats(v: &Value) -> Vec<f64> {
    let number = |x: &Value| x.as_f64().unwrap_or_else(|| panic!("not a number: {x}"));
    match v.as_array() {
        Some(a) => a.iter().map(number).collect(),
        None => vec![number(v)],
    }
}

/// Numbers, R's NA (written as null) as NaN.
pub fn floats_na(v: &Value) -> Vec<f64> {
    match v.as_array() {
        Some(a) => a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect(),
        None => vec![v.as_f64().unwrap_or(f64::NAN)],
    }
}

/// Texts (R writes a vector of length one as a text).
pub fn strings(v: &Value) -> Vec<String> {
    let text = |x: &Value| {
        x.as_str()
            .unwrap_or_else(|| panic!("not a text: {x}"))
            .to_owned()
    };
    match v.as_array() {
        Some(a) => a.iter().map(text).collect(),
        None => vec![text(v)],
    }
}

/// Group labels: texts, or numbers written as R prints them.
pub fn labels(v: &Value) -> Vec<String> {
    let label = |x: &Value| x.as_str().map_or_else(|| x.to_string(), str::to_owned);
    match v.as_array() {
        Some(a) => a.iter().map(label).collect(),
        None => vec![label(v)],
    }
}

/// A table of counts, row by row.
pub fn counts(v: &Value) -> Vec<Vec<u64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------------
// Data

/// The bytes of `tests/data/{file}`.
pub fn data_bytes(file: &str) -> Vec<u8> {
    let p = path(&format!("tests/data/{file}"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// `tests/data/{file}` as a dataset with `spec`.
pub fn data(file: &str, spec: DatasetSpec) -> Dataset {
    load(&data_bytes(file), &ReadOptions::default(), &spec)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .1
}

/// A CSV text as a dataset with `spec`.
pub fn dataset(csv: &str, spec: DatasetSpec) -> Dataset {
    load(csv.as_bytes(), &ReadOptions::default(), &spec)
        .expect("the test's CSV reads")
        .1
}

/// The shipped example study's file, read.
pub fn example_raw() -> RawTable {
    read(EXAMPLE_CSV.as_bytes(), &ReadOptions::default()).expect("the example reads")
}

/// The shipped example study with its dataset settings (`example_spec`).
pub fn example() -> Dataset {
    load(
        EXAMPLE_CSV.as_bytes(),
        &ReadOptions::default(),
        &example_spec(),
    )
    .expect("the example loads")
    .1
}

/// The whole example study with its shipped settings.
pub fn example_study() -> StudyOutputs {
    example_study_with(&StudySettings::example())
}

/// The example study's data with other settings.
pub fn example_study_with(settings: &StudySettings) -> StudyOutputs {
    run_study(&example_raw(), "example-study.csv", settings).expect("the study runs")
}

// ---------------------------------------------------------------------
// The command-line tool

/// What a run of `cohortlab` gave.
#[derive(Debug)]
pub struct Output {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, as text.
    pub stdout: String,
    /// Standard error, as text.
    pub stderr: String,
}

impl Output {
    /// The exit code, standard output and standard error, for a test that
    /// checks all three.
    pub fn parts(self) -> (i32, String, String) {
        (self.code, self.stdout, self.stderr)
    }

    /// Asserts exit 0 (showing stderr otherwise).
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stderr:\n{}\nstdout:\n{}",
            self.stderr, self.stdout
        );
        self
    }

    /// Asserts the exit code `code`.
    #[track_caller]
    pub fn exit(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "stderr:\n{}\nstdout:\n{}",
            self.stderr, self.stdout
        );
        self
    }

    /// Standard output as one JSON document.
    pub fn json(&self) -> Value {
        json(&self.stdout)
    }
}

/// Runs the `cohortlab` binary in the crate's root (so `tests/data/...`
/// paths work).
pub fn cohortlab(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_cohortlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the cohortlab binary runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
