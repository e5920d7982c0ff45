//! The input classes: how a case is made from a seed, and how it is run.

use std::hint::black_box;

use cohortlab::engine::data::{self, Dataset, DatasetSpec, ReadOptions};
use cohortlab::engine::rng::Rng;
use cohortlab::engine::table1::table1;
use cohortlab::report::inspect::Inspection;
use cohortlab::report::service::{Reply, Request, Service};
use cohortlab::report::study::StudySettings;
use cohortlab::report::table1::{table1_table, Table1Format};
use serde::{Deserialize, Serialize};

use super::gen;
use super::mutate::{head, mutate, mutate_once};

/// Input classes and their weights (how often each is drawn).
pub const CLASSES: [(&str, u64); 11] = [
    ("csv", 30),
    ("xlsx", 8),
    ("xlsx-far", 1),
    ("spec", 6),
    ("settings", 8),
    ("table1", 10),
    ("logistic", 10),
    ("matching", 10),
    ("survival", 10),
    ("study", 4),
    ("stored", 3),
];

/// One input: a file, and what is done with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Case {
    pub class: String,
    pub seed: u64,
    pub file_name: String,
    #[serde(skip)]
    pub file: Vec<u8>,
    /// Read directly with these options (the CLI's path) instead of
    /// through the page's service.
    pub read_options: Option<ReadOptions>,
    /// The text of a dataset specification or study settings, mutated.
    pub settings: Option<String>,
    /// Requests sent after the file is opened.
    pub requests: Vec<Request>,
    /// Table 1's number formats (direct path).
    pub percent_decimals: usize,
    pub decimals: usize,
}

/// The seed files, read once.
pub struct Seeds {
    /// Text files: tests/data/*.csv (as read), quirky and bad files.
    pub text: Vec<(String, Vec<u8>)>,
    pub xlsx: Vec<Vec<u8>>,
    /// (settings or dataset-spec JSON, data file, is a dataset spec).
    pub json: Vec<(String, Vec<u8>, bool)>,
}

impl Seeds {
    pub fn load(root: &std::path::Path, registry_csv: String) -> Seeds {
        let mut text = Vec::new();
        let mut xlsx = Vec::new();
        for dir in ["tests/data", "tests/data/quirky", "tests/data/bad"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                let (Some(name), Ok(bytes)) = (name, std::fs::read(&p)) else {
                    continue;
                };
                if name.ends_with(".xlsx") {
                    xlsx.push(bytes);
                } else if p.is_file() && !name.ends_with(".json") && !name.ends_with(".py") {
                    text.push((name, bytes));
                }
            }
        }
        let read = |p: &str| std::fs::read(root.join(p)).unwrap_or_default();
        let example = read("tests/data/example-study.csv");
        let json = vec![
            (
                String::from_utf8_lossy(&read("tests/data/example-study.settings.json")).into(),
                example.clone(),
                false,
            ),
            (
                String::from_utf8_lossy(&read("tests/data/registry.settings.json")).into(),
                registry_csv.into_bytes(),
                false,
            ),
            (
                String::from_utf8_lossy(&read("tests/data/example-study.dataset.json")).into(),
                example,
                true,
            ),
        ];
        Seeds { text, xlsx, json }
    }
}

fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.uniform() < p
}

fn read_options(rng: &mut Rng) -> ReadOptions {
    ReadOptions {
        delimiter: match rng.below(8) {
            0 => Some(b','),
            1 => Some(b';'),
            2 => Some(b'\t'),
            3 => Some(b'|'),
            4 => Some(rng.next_u64() as u8),
            _ => None,
        },
        sheet: chance(rng, 0.1).then(|| "Sheet2".to_string()),
        max_bytes: if chance(rng, 0.05) { 64 } else { 1 << 30 },
    }
}

fn new_case(class: &str, seed: u64, file_name: &str, file: Vec<u8>) -> Case {
    Case {
        class: class.into(),
        seed,
        file_name: file_name.into(),
        file,
        read_options: None,
        settings: None,
        requests: Vec::new(),
        percent_decimals: 1,
        decimals: 1,
    }
}

fn csv_case(rng: &mut Rng, seed: u64, seeds: &Seeds) -> Case {
    let other = &seeds.text[rng.below(seeds.text.len() as u64) as usize].1;
    let mut file = if chance(rng, 0.3) {
        let t = gen::table(rng);
        gen::to_csv(rng, &t)
    } else {
        let (_, bytes) = &seeds.text[rng.below(seeds.text.len() as u64) as usize];
        head(bytes, 2 + rng.below(60) as usize).to_vec()
    };
    if chance(rng, 0.9) {
        mutate(rng, &mut file, other);
    }
    let name = ["fuzz.csv", "fuzz.txt", "fuzz.tsv"][rng.below(3) as usize];
    let mut case = new_case("csv", seed, name, file);
    if chance(rng, 0.5) {
        case.read_options = Some(read_options(rng));
        let odd = chance(rng, 0.02);
        case.percent_decimals = if odd { 100_000 } else { rng.below(4) as usize };
        case.decimals = if odd { 0 } else { rng.below(4) as usize };
    }
    case
}

/// A workbook written by rust_xlsxwriter from a random small table,
/// unmutated or mutated; `far` adds a cell at a far reference.
fn xlsx_case(rng: &mut Rng, seed: u64, seeds: &Seeds, far: bool) -> Case {
    let class = if far { "xlsx-far" } else { "xlsx" };
    let mut file = if far && chance(rng, 0.5) {
        super::xlsx::stored(rng, true)
    } else if !far && chance(rng, 0.1) && !seeds.xlsx.is_empty() {
        seeds.xlsx[rng.below(seeds.xlsx.len() as u64) as usize].clone()
    } else {
        super::xlsx::workbook(rng, far)
    };
    if chance(rng, 0.6) {
        for _ in 0..=rng.below(3) {
            mutate_once(rng, &mut file, &[]);
        }
    }
    let mut case = new_case(class, seed, "fuzz.xlsx", file);
    if chance(rng, 0.3) {
        case.read_options = Some(read_options(rng));
    }
    case
}

/// JSON-aware mutations: values replaced by odd ones, plus byte mutations.
fn mutate_json(rng: &mut Rng, text: &mut Vec<u8>) {
    const VALUES: &[&str] = &[
        "null",
        "[]",
        "{}",
        "true",
        "-1",
        "0",
        "1.5",
        "1e308",
        "100000",
        "\"\"",
        "\"no such column\"",
        "\"subclass\"",
        "[\"a\",\"a\"]",
        "-0",
        "18446744073709551615",
    ];
    for _ in 0..=rng.below(4) {
        if chance(rng, 0.6) {
            // Replace the value after a ':' or a '[' / ','.
            let marks: Vec<usize> = (0..text.len())
                .filter(|&i| matches!(text[i], b':' | b'[' | b','))
                .collect();
            if marks.is_empty() {
                continue;
            }
            let a = marks[rng.below(marks.len() as u64) as usize] + 1;
            let mut b = a;
            let mut depth = 0i32;
            let mut in_str = false;
            while b < text.len() {
                let c = text[b];
                if in_str {
                    in_str = c != b'"' || text[b - 1] == b'\\';
                } else if c == b'"' {
                    in_str = true;
                } else if c == b'[' || c == b'{' {
                    depth += 1;
                } else if c == b']' || c == b'}' {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                } else if c == b',' && depth == 0 {
                    break;
                }
                b += 1;
            }
            let v = VALUES[rng.below(VALUES.len() as u64) as usize];
            text.splice(a..b, v.bytes());
        } else {
            mutate_once(rng, text, &[]);
        }
    }
}

fn json_case(rng: &mut Rng, seed: u64, seeds: &Seeds, spec_only: bool) -> Case {
    let class = if spec_only { "spec" } else { "settings" };
    let (mut text, data) = if chance(rng, 0.4) {
        let t = gen::table(rng);
        let spec = gen::dataset_spec(rng, &t);
        let text = if spec_only {
            serde_json::to_string_pretty(&spec).unwrap_or_default()
        } else {
            gen::settings(rng, &t, &spec).to_json()
        };
        (text.into_bytes(), gen::to_csv(rng, &t))
    } else {
        let fits: Vec<&(String, Vec<u8>, bool)> = seeds
            .json
            .iter()
            .filter(|j| j.2 == spec_only || !spec_only)
            .collect();
        let (text, data, is_spec) = fits[rng.below(fits.len() as u64) as usize];
        let text = if *is_spec && !spec_only {
            format!("{{\"cohortlab_settings\": 1, \"dataset\": {text}}}")
        } else {
            text.clone()
        };
        let data = head(data, 2 + rng.below(60) as usize).to_vec();
        (text.into_bytes(), data)
    };
    if chance(rng, 0.85) {
        mutate_json(rng, &mut text);
    }
    let mut case = new_case(class, seed, "fuzz.csv", data);
    case.settings = Some(String::from_utf8_lossy(&text).into_owned());
    case
}

fn analysis_case(rng: &mut Rng, seed: u64, class: &str) -> Case {
    let t = gen::table(rng);
    let file = gen::to_csv(rng, &t);
    let mut case = new_case(class, seed, "fuzz.csv", file);
    case.requests = gen::requests(rng, &t, class);
    case
}

/// The case of `class` made from `seed` (the same seed, the same case).
pub fn make(class: &str, seed: u64, seeds: &Seeds) -> Case {
    let mut rng = Rng::seed_from_u64(seed);
    match class {
        "csv" => csv_case(&mut rng, seed, seeds),
        "xlsx" => xlsx_case(&mut rng, seed, seeds, false),
        "xlsx-far" => xlsx_case(&mut rng, seed, seeds, true),
        "stored" => {
            let mut c = new_case(
                "stored",
                seed,
                "fuzz.xlsx",
                super::xlsx::stored(&mut rng, false),
            );
            if chance(&mut rng, 0.3) {
                c.read_options = Some(read_options(&mut rng));
            }
            c
        }
        "spec" => json_case(&mut rng, seed, seeds, true),
        "settings" => json_case(&mut rng, seed, seeds, false),
        _ => analysis_case(&mut rng, seed, class),
    }
}

/// What the CLI does with a file: read, type, inspect, and a first Table 1.
fn direct(case: &Case, options: &ReadOptions) {
    let Ok(raw) = data::read(&case.file, options) else {
        return;
    };
    let spec = DatasetSpec::default();
    let Ok(ds) = Dataset::build(&raw, &spec) else {
        return;
    };
    let inspection = Inspection::new(&raw.format, &ds);
    black_box(inspection.to_text());
    // The design guessed from the file, and the Table 1 it stands for.
    let guess = cohortlab::engine::design::guess_design(&ds);
    black_box(cohortlab::report::design::design_text(&guess));
    let guessed = cohortlab::report::design::guessed_settings(&guess);
    black_box(guessed.check(&ds).ok());
    if let Some(t1) = guessed.table1 {
        if let Ok(t) = table1(&ds, &t1) {
            let f = Table1Format {
                percent_decimals: case.percent_decimals,
                decimals: case.decimals,
            };
            let table = table1_table(&t, f);
            black_box((table.to_text(), table.to_csv(), table.to_html()));
        }
    }
}

/// Shows a reply as the page and the CLI would (text, CSV, HTML).
fn render(reply: &Result<Reply, cohortlab::report::service::Failure>) {
    if let Ok(Reply::Table { table, .. }) = reply {
        black_box((table.to_text(), table.to_csv(), table.to_html()));
    }
}

/// The page's first guesses on a loaded file.
fn first_guesses(svc: &mut Service, reply: Result<Reply, cohortlab::report::service::Failure>) {
    let Ok(Reply::Loaded(info)) = reply else {
        return;
    };
    black_box(info.inspection.to_text());
    let Some(guessed) = info.guessed.clone() else {
        return;
    };
    if let Some(t1) = guessed.table1 {
        render(&svc.handle(Request::Table1(t1), None, &mut |_| {}));
    }
    if let Some(r) = guessed.regression {
        let r = Request::Regression {
            spec: r.spec,
            threshold: r.threshold,
        };
        render(&svc.handle(r, None, &mut |_| {}));
    }
}

/// Runs a case. Errors are fine; a panic is a finding.
pub fn execute(case: &Case) {
    if let Some(options) = &case.read_options {
        return direct(case, options);
    }
    let mut svc = Service::new();
    let open = Request::Open {
        file_name: case.file_name.clone(),
        sheet: None,
        max_bytes: 1 << 30,
    };
    let opened = svc.handle(open, Some(case.file.clone()), &mut |_| {});
    let Ok(Reply::Loaded(info)) = &opened else {
        return;
    };
    if let Some(sheet) = info.inspection.sheets.get(1) {
        let r = svc.handle(Request::ChooseSheet(sheet.clone()), None, &mut |_| {});
        black_box(r.is_ok());
    }
    match (case.class.as_str(), &case.settings) {
        ("spec", Some(text)) => {
            if let Ok(spec) = serde_json::from_str::<DatasetSpec>(text) {
                let r = svc.handle(Request::ApplySpec(spec), None, &mut |_| {});
                first_guesses(&mut svc, r);
            }
        }
        ("settings", Some(text)) => {
            if let Ok(s) = StudySettings::from_json(text) {
                let _ = svc.handle(Request::ApplySpec(s.dataset.clone()), None, &mut |_| {});
                let _ = svc.handle(Request::Survival(s.clone()), None, &mut |_| {});
                if let Some(m) = &s.matching {
                    let _ = svc.handle(Request::MatchedCsv(m.clone()), None, &mut |_| {});
                }
                let _ = svc.handle(Request::StudyFiles(s), None, &mut |_| {});
            }
        }
        ("csv" | "xlsx" | "xlsx-far" | "stored", _) => first_guesses(&mut svc, opened),
        _ => {}
    }
    for r in &case.requests {
        render(&svc.handle(r.clone(), None, &mut |_| {}));
    }
}
