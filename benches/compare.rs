//! CohortLab and R side by side on the same files (`benches/compare.sh`
//! drives it). Modes:
//!
//! - `-- --write DIR N...`: writes DIR/cohort-N.csv (seeded, the engine
//!   benchmark's cohort);
//! - `-- --time FILE`: times each stage on FILE, prints `stage<TAB>seconds`
//!   lines, and writes the matched sets to FILE.cohortlab-sets.tsv;
//! - `-- --agree A B`: compares two matched-set files (treated id, then its
//!   controls), prints `agree` or how many sets differ.

use std::collections::BTreeMap;
use std::time::Instant;

#[path = "common/cohort.rs"]
mod cohort;

use cohortlab::engine::data::{read, Dataset, DatasetSpec, ReadOptions};
use cohortlab::engine::matching::{match_patients, MatchSpec};
use cohortlab::engine::survival::cox_model;

const COVARIATES: [&str; 12] = [
    "cat0", "cat1", "cat2", "cat3", "cat4", "cat5", "cat6", "cat7", "num0", "num1", "num2", "num3",
];

fn time_stages(file: &str) -> Result<(), String> {
    let stage = |name: &str, t: Instant| {
        println!("{name}\t{:.3}", t.elapsed().as_secs_f64());
    };
    let t = Instant::now();
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let raw = read(&bytes, &ReadOptions::default()).map_err(|e| e.to_string())?;
    let ds = Dataset::build(&raw, &DatasetSpec::default()).map_err(|e| e.to_string())?;
    stage("import", t);
    let t = Instant::now();
    let spec = MatchSpec {
        ratio: 2,
        ..MatchSpec::new("group", &COVARIATES)
    };
    let m = match_patients(&ds, &spec).map_err(|e| e.to_string())?;
    stage("propensity model + 2:1 matching", t);
    let sspec = cohort::survival_spec();
    let t = Instant::now();
    let a = cohortlab::report::survival::survival_analysis(
        &ds,
        &sspec,
        Default::default(),
        &[36.0],
        0.0,
    )
    .map_err(|e| e.to_string())?;
    std::hint::black_box(a.groups.len());
    stage("Kaplan-Meier + log-rank", t);
    let cspec = cohort::cox_spec();
    let t = Instant::now();
    let f = cox_model(&ds, &cspec).map_err(|e| e.to_string())?;
    std::hint::black_box(f.terms.len());
    stage("Cox, 10 covariates", t);
    // The matched sets by patient id.
    let ids = ds.column("id").ok_or("no id column")?;
    let mut out = String::new();
    for s in &m.sets {
        let mut controls: Vec<String> = s.controls.iter().map(|&c| ids.display(c)).collect();
        controls.sort();
        out.push_str(&format!(
            "{}\t{}\n",
            ids.display(s.treated),
            controls.join(",")
        ));
    }
    std::fs::write(format!("{file}.cohortlab-sets.tsv"), out).map_err(|e| e.to_string())?;
    Ok(())
}

fn sets(path: &str) -> Result<BTreeMap<String, String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(t, c)| (t.to_string(), c.to_string()))
        .collect())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let result = match args.first().map(String::as_str) {
        Some("--write") if args.len() >= 3 => {
            let dir = &args[1];
            args[2..].iter().try_for_each(|n| {
                let n: usize = n.parse().map_err(|_| format!("not a size: {n}"))?;
                let path = format!("{dir}/cohort-{n}.csv");
                std::fs::write(&path, cohort::to_csv(&cohort::cohort(n)))
                    .map_err(|e| format!("{path}: {e}"))?;
                println!("wrote {path}");
                Ok(())
            })
        }
        Some("--time") if args.len() == 2 => time_stages(&args[1]),
        Some("--agree") if args.len() == 3 => (|| {
            let (a, b) = (sets(&args[1])?, sets(&args[2])?);
            let differ = a.iter().filter(|(t, c)| b.get(*t) != Some(c)).count()
                + b.keys().filter(|t| !a.contains_key(*t)).count();
            if differ == 0 {
                println!("agree\t{}", a.len());
            } else {
                println!("differ\t{differ} of {} sets", a.len().max(b.len()));
            }
            Ok(())
        })(),
        _ => Err("usage: --write DIR N... | --time FILE | --agree A B".into()),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
