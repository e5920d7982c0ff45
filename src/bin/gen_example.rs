//! Prints the example study CSV for a seed (default: the shipped one), or
//! with `--spec` its dataset settings as JSON.
//!
//! `cargo run --bin gen-example > tests/data/example-study.csv`
//! `cargo run --bin gen-example -- --spec > tests/data/example-study.dataset.json`
//! `cargo run --bin gen-example -- --settings > tests/data/example-study.settings.json`

use cohortlab::engine::example::{example_spec, generate, to_csv, EXAMPLE_SEED};

fn main() {
    let arg = std::env::args().nth(1);
    if arg.as_deref() == Some("--spec") {
        match serde_json::to_string_pretty(&example_spec()) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    if arg.as_deref() == Some("--settings") {
        println!(
            "{}",
            cohortlab::report::study::StudySettings::example().to_json()
        );
        return;
    }
    let seed = arg.and_then(|s| s.parse().ok()).unwrap_or(EXAMPLE_SEED);
    print!("{}", to_csv(&generate(seed)));
}
