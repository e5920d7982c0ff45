//! Prints the example study CSV for a seed (default: the shipped one).
//!
//! `cargo run --bin gen-example > tests/data/example-study.csv`

use cohortlab::engine::example::{generate, to_csv, EXAMPLE_SEED};

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(EXAMPLE_SEED);
    print!("{}", to_csv(&generate(seed)));
}
